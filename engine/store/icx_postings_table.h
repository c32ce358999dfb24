/* icx_postings_table.h - posting chunks (icx_postings.h) kept in an
 * SQLite table, one row a chunk: a pair added or removed by a seek, a
 * decode and a write of one row; the chunks of a key walked in order
 * (internal).  The store's postings_num is such a table
 * (icx_storage_postings.c).
 */
#ifndef ICX_POSTINGS_TABLE_H
#define ICX_POSTINGS_TABLE_H

#include <sqlite3.h>

#include "icx_postings.h"

/* Where a table of chunks keeps them: its name, its key's two ids (a,
 * b) and the columns of the chunk's first pair (x0, y0); SQL identifiers
 * fixed by the caller, never input.  The two of the formats planned
 * (doc/architecture.md, "Posting lists"; format 6's postings_num is
 * ICX_SCHEMA_NUMS_LAYOUT, icx_schema.h): */
typedef struct icx_postings_layout {
  const char *table, *a, *b, *x0, *y0;
} icx_postings_layout;
#define ICX_POSTINGS_BY_PO { "postings", "p", "o", "s0", "g0" }
#define ICX_POSTINGS_BY_SG { "subject_rows", "s", "g", "p0", "o0" }

/* The table, made by ICX_POSTINGS_TABLE_SQL() with the layout's names
 * (literals): one row a chunk, key (a, b, x0, y0), rest NULL for a chunk
 * of one pair. */
#define ICX_POSTINGS_TABLE_SQL(table, a, b, x0, y0) \
  "CREATE TABLE " table " (" a " INTEGER NOT NULL, " b " INTEGER NOT NULL, " x0 \
  " INTEGER NOT NULL, " y0 " INTEGER NOT NULL, rest BLOB, PRIMARY KEY (" a ", " b ", " x0 \
  ", " y0 ")) WITHOUT ROWID"

/* tmpl with @T, @A, @B, @X and @Y replaced by layout's table, a, b, x0
 * and y0: a new string (sqlite3_free()), or NULL when memory runs out.
 * The statements of this module and of the virtual table
 * (icx_postings_vtab.c) are written so. */
char *icx_postings_layout_sql(const char *tmpl, const icx_postings_layout *layout);

/* What the table calls return besides their counts. */
#define ICX_POSTINGS_ERR_SQL (-1)      /* SQLite failed: sqlite3_errmsg() of the connection */
#define ICX_POSTINGS_ERR_DAMAGED (-2)  /* a row is not a chunk (icx_postings_decode()) */
#define ICX_POSTINGS_ERR_ORDER (-3)    /* icx_postings_table_append() out of order */
#define ICX_POSTINGS_ERR_BUSY (-4)     /* a walk from inside a walk of its kind on t */

typedef struct icx_postings_table icx_postings_table;

/* The statements for the table of layout on db, which must outlive
 * them (layout is not kept).  NULL when SQLite refuses one (no such table or column:
 * sqlite3_errmsg(db) says) or memory runs out. */
icx_postings_table *icx_postings_table_new(sqlite3 *db, const icx_postings_layout *layout);
/* Finalizes the statements; a chunk appended and not flushed is lost.
 * NULL is a no-op. */
void icx_postings_table_free(icx_postings_table *t);

/* Adds pair e under the key (a, b): into the chunk whose key is the last not
 * after e (the first chunk when e comes before all), split as
 * icx_postings_split() says when full.  1 when added, 0 when there
 * already, or ICX_POSTINGS_ERR_*.  Runs in the caller's transaction;
 * on an error the table may hold part of the change: roll it back. */
int icx_postings_table_add(icx_postings_table *t, icx_id a, icx_id b, icx_posting e);

/* Removes pair e from under (a, b); a chunk left empty is deleted, one
 * that lost its first entry is keyed by its new first.  Chunks are not
 * merged.  1 when removed, 0 when not there, or ICX_POSTINGS_ERR_*. */
int icx_postings_table_remove(icx_postings_table *t, icx_id a, icx_id b, icx_posting e);

/* Appends pair e under (a, b) to the chunk being built, which is
 * written, full, when the next append needs a new one, and by
 * icx_postings_table_flush(): how a first load or an upgrade writes its
 * sorted quads, chunks filled whole, a row insert a chunk.  Appends come
 * in strictly ascending (a, b, e) order, after every chunk the table
 * holds (an empty table, as a first load's), with no other call on t
 * between them but walks of keys already flushed.  0, or
 * ICX_POSTINGS_ERR_ORDER (nothing appended), ICX_POSTINGS_ERR_SQL or
 * ICX_POSTINGS_ERR_DAMAGED (a pair with an x < 1 or a y < 0). */
int icx_postings_table_append(icx_postings_table *t, icx_id a, icx_id b, icx_posting e);
/* Writes the chunk being built, if any.  0 or ICX_POSTINGS_ERR_SQL. */
int icx_postings_table_flush(icx_postings_table *t);

/* Reads every row of the table, for a store's check: each must be a
 * chunk, and the chunks of one key must not overlap (each starts after
 * the last pair of the one before).  The number of pairs (>= 0), or
 * ICX_POSTINGS_ERR_DAMAGED with what is wrong and where in why (n
 * bytes), or ICX_POSTINGS_ERR_SQL. */
long long icx_postings_table_check(icx_postings_table *t, char *why, size_t n);

/* The chunk of the row st stands on, whose columns col, col + 1 and
 * col + 2 are x0, y0 and rest, decoded into v (ICX_POSTINGS_CHUNK
 * pairs): its size, or ICX_POSTINGS_ERR_DAMAGED when the row is not a
 * chunk (rest neither NULL nor a blob, or not what icx_postings_decode()
 * reads). */
int icx_postings_row_chunk(sqlite3_stmt *st, int col, icx_posting *v);

/* Called for each chunk a walk reads, in key order: its key's b and its
 * n pairs (lent for the call).  Nonzero stops the walk, which returns
 * it.  It must not write the table. */
typedef int (*icx_postings_fn)(void *ud, icx_id b, const icx_posting *v, size_t n);

/* Calls fn for every chunk under (a, b), or under a whatever b when b
 * is 0.  0 when every chunk was read, fn's nonzero result, or
 * ICX_POSTINGS_ERR_* (ICX_POSTINGS_ERR_BUSY, nothing read, when called
 * from inside a walk of the same kind on t: a walk under (a, b), under
 * a alone, or of a range each have one statement). */
int icx_postings_table_walk(icx_postings_table *t, icx_id a, icx_id b, icx_postings_fn fn,
                            void *ud);

/* Calls fn for every chunk under a whose b is in [b_lo, b_hi], both
 * included, in key order (b, then the pairs): one seek to the first,
 * none past the last, so that a range of numbers (keys of
 * icx_postings_num_key()) reads only its chunks.  Nothing when b_lo >
 * b_hi.  Returns as icx_postings_table_walk(). */
int icx_postings_table_walk_range(icx_postings_table *t, icx_id a, icx_id b_lo, icx_id b_hi,
                                  icx_postings_fn fn, void *ud);

#endif

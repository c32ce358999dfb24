/* icx_postings_table.h - posting chunks (icx_postings.h) kept in an
 * SQLite table, one row a chunk: an entry added or removed by a seek, a
 * decode and a write of one row; the chunks of a predicate and object
 * walked in order (internal).  Not used by the store yet.
 */
#ifndef ICX_POSTINGS_TABLE_H
#define ICX_POSTINGS_TABLE_H

#include <sqlite3.h>

#include "icx_postings.h"

/* A table of chunks on one SQLite connection, made by
 * ICX_POSTINGS_TABLE_SQL(name) (name a literal): one row a chunk, its key
 * (p, o, s0, g0), rest NULL for one entry. */
#define ICX_POSTINGS_TABLE_SQL(name) \
  "CREATE TABLE " name " (p INTEGER NOT NULL, o INTEGER NOT NULL, s0 INTEGER NOT NULL," \
  " g0 INTEGER NOT NULL, rest BLOB, PRIMARY KEY (p, o, s0, g0)) WITHOUT ROWID"

/* What the table calls return besides their counts. */
#define ICX_POSTINGS_ERR_SQL (-1)      /* SQLite failed: sqlite3_errmsg() of the connection */
#define ICX_POSTINGS_ERR_DAMAGED (-2)  /* a row is not a chunk (icx_postings_decode()) */

typedef struct icx_postings_table icx_postings_table;

/* The statements for the table name (an SQL identifier fixed by the
 * caller, never input) on db, which must outlive them.  NULL when SQLite
 * refuses one (no such table: sqlite3_errmsg(db) says) or memory runs
 * out. */
icx_postings_table *icx_postings_table_new(sqlite3 *db, const char *name);
/* Finalizes the statements.  NULL is a no-op. */
void icx_postings_table_free(icx_postings_table *t);

/* Adds entry e under (p, o): into the chunk whose key is the last not
 * after e (the first chunk when e comes before all), split as
 * icx_postings_split() says when full.  1 when added, 0 when there
 * already, or ICX_POSTINGS_ERR_*.  Runs in the caller's transaction;
 * on an error the table may hold part of the change: roll it back. */
int icx_postings_table_add(icx_postings_table *t, icx_id p, icx_id o, icx_posting e);

/* Removes entry e from under (p, o); a chunk left empty is deleted, one
 * that lost its first entry is keyed by its new first.  Chunks are not
 * merged.  1 when removed, 0 when not there, or ICX_POSTINGS_ERR_*. */
int icx_postings_table_remove(icx_postings_table *t, icx_id p, icx_id o, icx_posting e);

/* Called for each chunk a walk reads, in key order: its object and its n
 * entries (lent for the call).  Nonzero stops the walk, which returns
 * it.  It must not write the table. */
typedef int (*icx_postings_fn)(void *ud, icx_id o, const icx_posting *v, size_t n);

/* Calls fn for every chunk under (p, o), or under p whatever the object
 * when o is 0.  0 when every chunk was read, fn's nonzero result, or
 * ICX_POSTINGS_ERR_*. */
int icx_postings_table_walk(icx_postings_table *t, icx_id p, icx_id o, icx_postings_fn fn,
                            void *ud);

#endif

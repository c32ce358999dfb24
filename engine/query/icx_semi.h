/* icx_semi.h - subject sets for the SQL path: a semi-join reduction.
 *
 * A compiled query joins one quad per triple pattern, and every pattern
 * after the first costs SQLite an index seek per row (about 0.5 us, more
 * when the page is not cached).  Most rows of the first pattern die at a
 * later one: at 100k clouds the broad bench shape starts from 80k
 * services and keeps 31k.  A set of subjects says, before the join runs,
 * which subjects can meet the other patterns on them: each such pattern
 * (a constant predicate, its object a number in a range, one of a list of
 * terms, or one term) is read as one walk of the store's postings
 * (postings_num or postings_po, chunks of pairs decoded), the subject
 * ids go into a bitmap, and the bitmaps of one subject variable are
 * intersected.  The statement then tests its first rows against the set
 * with the SQL function icx_in(set, id) and seeks only for the survivors.
 *
 * A set is a necessary condition, never a sufficient one: every pattern
 * and FILTER stays in the statement, so the answers are the same with or
 * without it.  The sets are filled when the statement runs, in its read
 * transaction, so they see the same snapshot as the rows.
 */
#ifndef ICX_SEMI_H
#define ICX_SEMI_H

#include <sqlite3.h>
#include "icx_id.h"
#include "icx_ctx.h"
#include "icx_store.h"

typedef struct icx_semi icx_semi;

icx_semi *icx_semi_new(icx_ctx *ctx);
void icx_semi_free(icx_semi *s);

/* Starts a new set; its index (0, 1, ...), or -1 when out of memory. */
int icx_semi_add_set(icx_semi *s);

/* Adds a pattern to set k: subjects with a quad of predicate p whose
 * number lies in [lo, hi] (-HUGE_VAL and HUGE_VAL for no bound).  A
 * negative p (a term the store lacks) matches nothing.  0, or -1 when out
 * of memory. */
int icx_semi_add_range(icx_semi *s, int k, icx_id p, double lo, double hi);

/* Adds a pattern to set k: subjects with a quad of predicate p and one of
 * the n objects o (negative ids are terms the store lacks).  0 or -1. */
int icx_semi_add_objects(icx_semi *s, int k, icx_id p, const icx_id *o, int n);

/* The number of sets. */
int icx_semi_count(const icx_semi *s);

/* Fills every set from store, through its id-level calls
 * (icx_store_ids.h): call it inside the read transaction the statement
 * will run in.  ICX_OK, ICX_ERR_NOMEM or ICX_ERR_STORE. */
icx_rc icx_semi_fill(icx_ctx *ctx, icx_semi *s, icx_store *store);

/* Binds set k, filled, to parameter param of st (a pointer that only
 * icx_in() reads; s must outlive the statement's run). */
int icx_semi_bind(const icx_semi *s, int k, sqlite3_stmt *st, int param);

/* Makes the SQL function icx_in(set, id) known to db (once per
 * connection; later calls only check).  It is 1 when id is in the set
 * bound as its first argument, 0 when it is not, and 1 when no set is
 * bound (a set only ever narrows).  SQLITE_OK or SQLite's error. */
int icx_semi_register(sqlite3 *db);

#endif

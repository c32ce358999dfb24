/* icx_sql.h - SPARQL SELECT queries as one SQL statement over the icx
 * storage schema (tables terms and quads, see icx_schema.h).
 *
 * The subset is what icx's compiler writes and a little more: a group of
 * basic graph patterns (IRIs, literals and variables), optionally led by a
 * nested group of triple patterns and FILTERs, FILTERs made of
 * comparisons of a variable with a number, an IRI or a string, IN lists of
 * IRIs or numbers, STR(), BOUND(), &&, || and !, OPTIONAL blocks of one
 * triple pattern (with their own FILTERs), DISTINCT, ORDER BY variables,
 * LIMIT and OFFSET.  Anything else is reported as outside the subset, and
 * the caller runs the query on rasqal instead.  Constants go to SQLite as
 * bound parameters; the SQL text holds only table aliases and operators.
 *
 * A statement may test subject sets (icx_semi.h) with the SQL function
 * icx_in(): they are filled from the store each time it runs, and the run
 * takes a read transaction of its own when the connection has none, so
 * that the sets and the rows see one snapshot.
 */
#ifndef ICX_SQL_H
#define ICX_SQL_H

#include "icx_id.h"
#include "icx_rows.h"
#include "icx_store.h"

typedef struct icx_sql icx_sql;

/* 1 when store has an SQL path (its storage is an icx storage: always,
 * for stores icx_store_open() made), else 0. */
int icx_sql_available(icx_store *store);

/* Translates sparql for store.  Results:
 *   ICX_OK, *out set:   translated; run it with icx_sql_run();
 *   ICX_OK, *out NULL:  outside the subset; *why (static) says what;
 *   ICX_ERR_QUERY:      the query does not parse (message on ctx);
 *   ICX_ERR_NOMEM, ICX_ERR_STORE;
 *   ICX_ERR_MISUSE:     a NULL argument, or a store without an SQL path.
 * store is borrowed and must outlive *out. */
icx_rc icx_sql_translate(icx_ctx *ctx, icx_store *store, const char *sparql, icx_sql **out,
                         const char **why);

/* As icx_sql_translate(), for icx_sql_each(): the statement returns each
 * projected variable's term id only (no text), and its rows come in no
 * particular order (ORDER BY is kept only when LIMIT or OFFSET needs it). */
icx_rc icx_sql_translate_ids(icx_ctx *ctx, icx_store *store, const char *sparql,
                             icx_sql **out, const char **why);

/* The number of projected variables, and the name of the j-th (lent). */
size_t icx_sql_width(const icx_sql *q);
const char *icx_sql_var(const icx_sql *q, size_t j);

/* Called once per row of a statement from icx_sql_translate_ids(): ids
 * (lent for the call) holds icx_sql_width() term ids, 0 for unbound.
 * Anything but ICX_OK stops the run and is returned by icx_sql_each(). */
typedef icx_rc (*icx_sql_row_fn)(void *userdata, const icx_id *ids);

/* Runs a statement from icx_sql_translate_ids(), streaming its rows to fn:
 * nothing is held but the current row.  Errors: ICX_ERR_QUERY (SQLite
 * failed), ICX_ERR_NOMEM, ICX_ERR_MISUSE (a statement from
 * icx_sql_translate()), or what fn returned. */
icx_rc icx_sql_each(icx_ctx *ctx, icx_sql *q, icx_sql_row_fn fn, void *userdata);

/* Runs a statement from icx_sql_translate(); on success *rows is a new
 * table (path "sql").  ICX_ERR_MISUSE for one from icx_sql_translate_ids(). */
icx_rc icx_sql_run(icx_ctx *ctx, icx_sql *q, icx_rows **rows);

/* The SQL text (with ?N parameters), for EXPLAIN QUERY PLAN and debugging.
 * Lent. */
const char *icx_sql_text(const icx_sql *q);

void icx_sql_free(icx_sql *q);

#endif

/* icx_sql.h - SPARQL SELECT queries as one SQL statement over the icx
 * storage schema (tables terms and quads, see icx_storage.h).
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
 */
#ifndef ICX_SQL_H
#define ICX_SQL_H

#include <sqlite3.h>
#include "icx_exec.h"

typedef struct icx_sql icx_sql;

/* Translates sparql for the store behind db.  Results:
 *   ICX_OK, *out set:   translated; run it with icx_sql_run();
 *   ICX_OK, *out NULL:  outside the subset; *why (static) says what;
 *   ICX_ERR_QUERY:      the query does not parse (message on ctx);
 *   ICX_ERR_NOMEM, ICX_ERR_STORE.
 * db is borrowed and must outlive *out. */
icx_rc icx_sql_translate(icx_ctx *ctx, sqlite3 *db, const char *sparql, icx_sql **out,
                         const char **why);

/* Runs the statement; on success *rows is a new table (path "sql"). */
icx_rc icx_sql_run(icx_ctx *ctx, icx_sql *q, icx_rows **rows);

/* The SQL text (with ?N parameters), for EXPLAIN QUERY PLAN and debugging.
 * Lent. */
const char *icx_sql_text(const icx_sql *q);

void icx_sql_free(icx_sql *q);

#endif

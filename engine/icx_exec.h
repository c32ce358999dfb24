/* icx_exec.h - running SPARQL SELECT queries on a store.
 *
 * This module is the query path: today every query runs on rasqal through
 * librdf.  Results come back as a table of strings (IRIs, literal lexical
 * forms, blank node ids), owned by the table.
 */
#ifndef ICX_EXEC_H
#define ICX_EXEC_H

#include <stddef.h>
#include "icx_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_rows icx_rows;

/* Runs a SELECT query.  On success *out owns a new table; free it with
 * icx_rows_free().  A result with no rows may name no variables (width 0:
 * librdf reports none then).  Errors: ICX_ERR_QUERY (does not parse, is not a SELECT,
 * or fails while running: the message says which), ICX_ERR_NOMEM. */
icx_rc icx_exec_select(icx_store *store, const char *sparql, icx_rows **out);

void icx_rows_free(icx_rows *rows);
size_t icx_rows_count(const icx_rows *rows);
size_t icx_rows_width(const icx_rows *rows);
/* Variable name of column j (without '?').  Lent. */
const char *icx_rows_var(const icx_rows *rows, size_t j);
/* Value of row i, column j; NULL when unbound.  Lent. */
const char *icx_rows_get(const icx_rows *rows, size_t i, size_t j);
/* Column of variable name, or -1. */
long icx_rows_column(const icx_rows *rows, const char *name);
/* Which engine answered ("rasqal").  Static. */
const char *icx_rows_path(const icx_rows *rows);

#ifdef __cplusplus
}
#endif
#endif

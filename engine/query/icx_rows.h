/* icx_rows.h - the result table of a SELECT query: a row of strings per
 * answer (IRIs, literal lexical forms, blank node ids), owned by the
 * table.  icx_exec_select() (icx_exec.h) makes one.
 */
#ifndef ICX_ROWS_H
#define ICX_ROWS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_rows icx_rows;

/* Frees the table and every string in it.  NULL is a no-op. */
void icx_rows_free(icx_rows *rows);
size_t icx_rows_count(const icx_rows *rows);
size_t icx_rows_width(const icx_rows *rows);
/* Variable name of column j (without '?').  Lent. */
const char *icx_rows_var(const icx_rows *rows, size_t j);
/* Value of row i, column j; NULL when unbound.  Lent. */
const char *icx_rows_get(const icx_rows *rows, size_t i, size_t j);
/* Column of variable name, or -1. */
long icx_rows_column(const icx_rows *rows, const char *name);
/* Which engine answered ("sql" or "rasqal").  Static. */
const char *icx_rows_path(const icx_rows *rows);

/* The form of query a table answers (icx_exec_query(), icx_exec.h):
 *   SELECT: a column per variable, a row per solution;
 *   ASK: one column "boolean", one row "true" or "false";
 *   GRAPH (CONSTRUCT, DESCRIBE): columns "subject", "predicate" and
 *   "object", a row per triple, each cell a term in N-Triples syntax
 *   (<iri>, _:id, "text"^^<datatype>, "text"@lang), so that the rows,
 *   each followed by " .", are an N-Triples document. */
typedef enum icx_rows_form {
  ICX_ROWS_SELECT = 0,
  ICX_ROWS_ASK = 1,
  ICX_ROWS_GRAPH = 2
} icx_rows_form;
icx_rows_form icx_rows_get_form(const icx_rows *rows);

#ifdef __cplusplus
}
#endif
#endif

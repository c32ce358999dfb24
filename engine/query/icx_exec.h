/* icx_exec.h - running SPARQL SELECT queries on a store.
 *
 * This module is the query path: queries inside the subset icx generates
 * run as one SQL statement on the store's own tables (icx_sql.h); the rest
 * run on rasqal through librdf.  Results come back as a table of strings
 * (icx_rows.h).
 */
#ifndef ICX_EXEC_H
#define ICX_EXEC_H

#include <stddef.h>
#include "icx_rows.h"
#include "icx_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which engine runs a query.  AUTO takes the SQL path when the store has
 * one and the query is inside its subset (see icx_sql.h), else rasqal. */
typedef enum icx_exec_path {
  ICX_EXEC_AUTO = 0,
  ICX_EXEC_RASQAL = 1,   /* always rasqal (the oracle of the differential tests) */
  ICX_EXEC_SQL = 2       /* only the SQL path: ICX_ERR_QUERY when it cannot */
} icx_exec_path;

/* As icx_exec_select(), on the path asked for. */
icx_rc icx_exec_select_path(icx_store *store, const char *sparql, icx_exec_path path,
                            icx_rows **out);

/* Runs a query of any form: SELECT as icx_exec_select_path(); ASK,
 * CONSTRUCT and DESCRIBE through rasqal (ICX_EXEC_SQL refuses them), the
 * answer's shape told by icx_rows_get_form() (icx_rows.h).  DESCRIBE
 * gives each resource's triples as subject, and those of the blank nodes
 * they reach.  The store's bookkeeping is never part of an answer.
 * Errors: as icx_exec_select(), without "is not a SELECT". */
icx_rc icx_exec_query(icx_store *store, const char *sparql, icx_exec_path path,
                      icx_rows **out);

/* Runs a SELECT query (ICX_EXEC_AUTO).  On success *out owns a new table; free it with
 * icx_rows_free().  A result with no rows may name no variables (width 0:
 * librdf reports none then).  The store is the one dataset: a query with
 * FROM or FROM NAMED is refused rather than answered over the whole store
 * (GRAPH <iri> { ... } names a document's graph).  Errors: ICX_ERR_QUERY
 * (does not parse, is not a SELECT, names a dataset, or fails while
 * running: the message says which), ICX_ERR_NOMEM. */
icx_rc icx_exec_select(icx_store *store, const char *sparql, icx_rows **out);

#ifdef __cplusplus
}
#endif
#endif

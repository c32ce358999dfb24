/* icx_exec_internal.h - what the files of the query runner share
 * (engine/query, not installed): DESCRIBE, which rasqal parses but does
 * not answer, worked out by icx_exec_describe.c. */
#ifndef ICX_EXEC_INTERNAL_H
#define ICX_EXEC_INTERNAL_H

#include <librdf.h>
#include "icx_exec.h"

/* A term in N-Triples syntax, in ctx's memory; NULL for NULL or out of
 * memory. */
char *icx_exec_term_text(icx_ctx *ctx, librdf_node *n);

/* Appends the statement's three terms, as N-Triples text, as a row of r;
 * -1 when out of memory (r unchanged). */
int icx_exec_add_triple(icx_ctx *ctx, icx_rows *r, librdf_statement *st);

/* Answers sparql when it is a DESCRIBE: ICX_OK with *out an
 * ICX_ROWS_GRAPH table of the triples that have each described resource
 * as subject, and those of the blank nodes they reach (a concise
 * description); *handled 1.  When sparql is not a DESCRIBE, *handled 0
 * and nothing is done.  Errors: ICX_ERR_QUERY, ICX_ERR_NOMEM. */
icx_rc icx_exec_describe(icx_store *store, const char *sparql, int *handled, icx_rows **out);

#endif

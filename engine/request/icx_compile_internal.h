/* icx_compile_internal.h - the query-text emitters the compiler uses, for
 * other engine modules that write SPARQL (not installed).  They are the
 * only way text gets into a query: IRIs are checked to need no escaping,
 * strings are escaped as SPARQL string literals (and refused when they are
 * not UTF-8). */
#ifndef ICX_COMPILE_INTERNAL_H
#define ICX_COMPILE_INTERNAL_H

#include "icx_ctx.h"
#include "icx_util.h"

/* Appends <iri>; -1 with *rc = ICX_ERR_VOCAB if the IRI holds characters
 * that would need escaping. */
int icx_sparql_append_iri(icx_ctx *ctx, icx_buf *b, const char *iri, icx_rc *rc);
/* Appends "s" escaped as a SPARQL string literal; -1 with *rc set on
 * failure. */
int icx_sparql_append_string(icx_ctx *ctx, icx_buf *b, const char *s, icx_rc *rc);

#endif

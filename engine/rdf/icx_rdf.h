/* icx_rdf.h - the RDF libraries' world of a context (internal).
 *
 * One librdf world (and through it one raptor and one rasqal world) per
 * context, made on first use and freed with the context.  librdf, raptor
 * and rasqal report through the context's log sink, or into the
 * diagnostics a caller collects (icx_diag_begin() in icx_ctx_internal.h),
 * with the line and column they give.
 *
 * This layer sits between engine/base, which knows no RDF library, and
 * every module that parses, stores or queries RDF.  It registers nothing:
 * the store layer registers its storage factory on the worlds it opens
 * stores with.
 */
#ifndef ICX_RDF_H
#define ICX_RDF_H

#include <librdf.h>
#include "icx_ctx_internal.h"

/* The world of ctx, made on the first call (lent; it lives as long as
 * ctx).  NULL when it cannot be made: the caller fails with
 * icx_rdf_failure(). */
librdf_world *icx_ctx_world(icx_ctx *ctx);

/* Sets the message for a world that could not be made; ICX_ERR_NOMEM. */
icx_rc icx_rdf_failure(icx_ctx *ctx);

#endif

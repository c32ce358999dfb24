/* icx_store_rdf.h - the store as librdf sees it, for the engine's own
 * layers (the executor, the loaders, the SPARQL path) and their tests: a
 * document put from a librdf model or from statements, the open
 * document's graph node, the model and storage over every document graph.
 * Not installed: libicx's public headers (icx.h) name no Redland type, so
 * a program needs no Redland include flags. */
#ifndef ICX_STORE_RDF_H
#define ICX_STORE_RDF_H

#include <stddef.h>
#include <librdf.h>
#include "icx_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The store (icx_store.h); declared again here so that this header
 * stands below icx_store.h's module, which includes it. */
typedef struct icx_store icx_store;

/* Replaces the graph named doc_uri by the statements of graph (every
 * statement of it, contexts ignored) and records source and format, in one
 * transaction: on any failure the store is as it was.  graph is borrowed.
 * Errors: ICX_ERR_STORE, ICX_ERR_NOMEM, ICX_ERR_MISUSE (read-only store, or
 * the reserved graph name urn:icx:meta). */
icx_rc icx_store_put_document(icx_store *store, const char *doc_uri,
                              const char *source, const char *format,
                              librdf_model *graph);

/* As icx_store_put_document(), from the n statements statements[0..n-1]
 * (borrowed; contexts ignored; a statement given twice is stored once).
 * The path for loaders: no librdf model is built. */
icx_rc icx_store_put_statements(icx_store *store, const char *doc_uri,
                                const char *source, const char *format,
                                librdf_statement *const *statements, size_t n);

/* The open document's graph node, lent until its end; NULL when none. */
librdf_node *icx_store_document_node(icx_store *store);

/* The librdf model over the whole store (every document graph).  Lent;
 * valid until icx_store_free(). */
librdf_model *icx_store_model(icx_store *store);
/* The librdf storage behind that model (an icx storage, icx_storage.h).
 * Lent; valid until icx_store_free(). */
librdf_storage *icx_store_storage(icx_store *store);

#ifdef __cplusplus
}
#endif
#endif

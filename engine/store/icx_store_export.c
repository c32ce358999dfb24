/* icx_store_export.c - a stored document written back as RDF text for
 * icx export: a store read and moved with standard RDF tools. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_store_internal.h"

icx_rc
icx_store_export_document(icx_store *store, const char *doc_uri, FILE *out)
{
  icx_ctx *ctx = icx_store_ctx(store);
  librdf_world *world;
  librdf_node *graph = NULL;
  librdf_stream *st = NULL;
  librdf_serializer *ser = NULL;
  icx_rc rc = ICX_OK;

  if (!doc_uri || !out)
    return icx_fail(ctx, ICX_ERR_MISUSE, "export needs a document and a file");
  if (!strcmp(doc_uri, ICX_STORE_META_GRAPH))
    return icx_fail(ctx, ICX_ERR_MISUSE, "%s is the store's bookkeeping, not a document",
                    doc_uri);
  if (!icx_store_has_document(store, doc_uri))
    return icx_fail(ctx, ICX_ERR_NOT_FOUND, "no document %s in the store", doc_uri);
  world = icx_ctx_world(ctx);
  if (!world || !(graph = icx_store_uri_node(store, doc_uri)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  st = librdf_model_context_as_stream(icx_store_model(store), graph);
  ser = librdf_new_serializer(world, "turtle", NULL, NULL);
  if (!st || !ser) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot read document %s for export", doc_uri);
    goto done;
  }
  /* Relative IRIs would change meaning once the file moves: no base. */
  if (librdf_serializer_serialize_stream_to_file_handle(ser, out, NULL, st))
    rc = icx_fail(ctx, ICX_ERR_IO, "cannot write document %s", doc_uri);
done:
  if (ser)
    librdf_free_serializer(ser);
  if (st)
    librdf_free_stream(st);
  librdf_free_node(graph);
  return rc;
}

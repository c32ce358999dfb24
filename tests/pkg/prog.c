/* prog.c - a program a user of libicx writes: it compiles with
 * `cc prog.c $(pkg-config --cflags --libs icx)` and nothing else (the
 * public headers name no Redland type), loads the installed vocabulary,
 * puts one cloud's document into a new store, and matches a request
 * against it.  Run by tests/pkg/headers.test against the build tree's
 * headers alone and by scripts/debian-test against the installed
 * libicx-dev.  Usage: prog ONTOLOGY_DIR STORE_PATH */
#include <icx.h>
#include <stdio.h>
#include <string.h>

static const char request[] =
  "<constraints xmlns='http://www.csp/resOntology'><constraint>"
  "<attribute>tierCountry</attribute><value>Japan</value>"
  "</constraint></constraints>";

static const char document[] =
  "@prefix res: <http://www.csp/resOntology#> .\n"
  "<urn:example:cloud> a res:Cloud ; res:cloudName \"example\" ;\n"
  "  res:offers <urn:example:storage> .\n"
  "<urn:example:storage> a res:StorageService ; res:tierCountry res:JP .\n";

int
main(int argc, char **argv)
{
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  icx_constraints *set = NULL;
  icx_store *store = NULL;
  icx_loader *loader = NULL;
  icx_match *m = NULL;
  icx_rc rc;

  if (!ctx || argc != 3)
    return 2;
  rc = icx_vocab_load(ctx, argv[1], &vocab);
  if (rc == ICX_OK)
    rc = icx_constraints_parse(ctx, vocab, request, strlen(request), &set);
  if (rc == ICX_OK)
    rc = icx_store_open(ctx, argv[2], ICX_STORE_CREATE, &store);
  if (rc == ICX_OK && !(loader = icx_loader_new(ctx, vocab, store)))
    rc = ICX_ERR_NOMEM;
  if (rc == ICX_OK) {
    icx_loader_set_format(loader, ICX_FORMAT_TURTLE);
    rc = icx_loader_load_buffer(loader, "example.ttl", (const unsigned char *)document,
                                sizeof document - 1);
  }
  if (rc == ICX_OK)
    rc = icx_match_run(ctx, store, set, &m);
  if (rc != ICX_OK) {
    fprintf(stderr, "prog: %s\n", icx_ctx_errmsg(ctx));
    return 1;
  }
  printf("%zu attributes; the request asks %s of %s; %zu cloud matches: %s\n",
         icx_vocab_attribute_count(vocab), icx_op_name(icx_constraint_op(set, 0)),
         icx_attribute_label(icx_constraint_attribute(set, 0)), icx_match_count(m),
         icx_match_count(m) ? icx_match_cloud(m, 0) : "none");
  icx_match_free(m);
  icx_loader_free(loader);
  icx_store_free(store);
  icx_constraints_free(set);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return 0;
}

/* fuzz_constraint.c - libFuzzer target: constraint XML, parsed, compiled,
 * matched and explained on a store holding the shipped clouds. */
/* Each input is a request as a requester would send it: the XML is parsed
 * and resolved against the shipped vocabulary; a request that parses is
 * compiled to SPARQL, matched (the answer written as the paper's
 * <matchingClouds>) and explained, naming two clouds that exist and one
 * that does not, as text and as XML.  The store is read-only, so every
 * input meets the same state.  A time limit of two seconds per call keeps
 * a pathological request from stalling the run (it ends with
 * ICX_ERR_LIMIT, which is an answer, not a finding). */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"

static icx_ctx *fc_ctx;
static icx_vocab *fc_vocab;
static icx_store *fc_store;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fc_ctx = fuzz_ctx(2000);
  fc_vocab = fuzz_vocab(fc_ctx);
  fc_store = fuzz_store_clouds(fc_ctx, fc_vocab);
  return 0;
}

static const char *const fc_explained[] = { "cloud1", "cloud2", "nowhere" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  icx_explain *e = NULL;
  char *sparql = NULL, *text;
  size_t i;

  if (icx_constraints_parse(fc_ctx, fc_vocab, (const char *)data, size,
                            &set) != ICX_OK)
    return 0;
  if (icx_compile_sparql(fc_ctx, set, &sparql) == ICX_OK)
    icx_free(fc_ctx, sparql);
  if (icx_match_run(fc_ctx, fc_store, set, &m) == ICX_OK) {
    for (i = 0; i < icx_match_count(m); i++)
      (void)icx_match_cloud(m, i);
    icx_free(fc_ctx, icx_match_to_xml(m, 0));
    icx_free(fc_ctx, icx_match_to_xml(m, 2));
    icx_match_free(m);
  }
  if (icx_explain_run(fc_ctx, fc_store, set, fc_explained,
                      sizeof fc_explained / sizeof fc_explained[0],
                      &e) == ICX_OK) {
    text = icx_explain_to_text(e);
    icx_free(fc_ctx, text);
    icx_free(fc_ctx, icx_explain_to_xml(e, 2));
    icx_explain_free(e);
  }
  icx_constraints_free(set);
  return 0;
}

/* fuzz_constraint.c - libFuzzer target: constraint XML, parsed, compiled,
 * matched and explained on a store holding the shipped clouds. */
/* Each input is a request as a requester would send it: the XML is parsed
 * and resolved against the shipped vocabulary; a request that parses is
 * compiled to SPARQL, matched (the answer written as the paper's
 * <matchingClouds>) and explained, naming two clouds that exist and one
 * that does not, as text and as XML.  The store is read-only, so every
 * input meets the same state.  A time limit of two seconds per call keeps
 * a pathological request from stalling the run (it ends with
 * ICX_ERR_LIMIT, which is an answer, not a finding).
 *
 * The XML is also read by each of icx's two readers alone (the fast
 * libxml2 one and the placed raptor one, icx_constraint_xml.c): the fast
 * reader must never accept what the placed one refuses, and when both
 * accept they must read the same set; either difference aborts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "icx_constraint_internal.h"

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

static int fc_same_text(const char *a, const char *b)
{
  return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 1 when a and b hold the same constraints, in the same order. */
static int fc_same_set(const icx_constraints *a, const icx_constraints *b)
{
  size_t i, k;

  if (icx_constraints_count(a) != icx_constraints_count(b))
    return 0;
  for (i = 0; i < icx_constraints_count(a); i++) {
    if (icx_constraint_attribute(a, i) != icx_constraint_attribute(b, i) ||
        icx_constraint_stated_attribute(a, i) != icx_constraint_stated_attribute(b, i) ||
        icx_constraint_op(a, i) != icx_constraint_op(b, i) ||
        icx_constraint_required(a, i) != icx_constraint_required(b, i) ||
        icx_constraint_weight(a, i) != icx_constraint_weight(b, i) ||
        icx_constraint_from(a, i) != icx_constraint_from(b, i) ||
        icx_constraint_value_count(a, i) != icx_constraint_value_count(b, i))
      return 0;
    for (k = 0; k < icx_constraint_value_count(a, i); k++)
      if (!fc_same_text(icx_constraint_value_at(a, i, k), icx_constraint_value_at(b, i, k)))
        return 0;
  }
  return 1;
}

/* The two readers agree (see the top of this file). */
static void fc_readers_agree(const uint8_t *data, size_t size)
{
  icx_constraints *fast = NULL, *placed = NULL;
  icx_rc rf = icx_constraints_parse_reader(fc_ctx, fc_vocab, (const char *)data, size,
                                           ICX_CONSTRAINT_READ_FAST, &fast);
  icx_rc rp = icx_constraints_parse_reader(fc_ctx, fc_vocab, (const char *)data, size,
                                           ICX_CONSTRAINT_READ_PLACED, &placed);

  if (rf == ICX_OK && (rp != ICX_OK || !fc_same_set(fast, placed))) {
    fprintf(stderr, "fuzz_constraint: the fast reader accepted what the placed one %s\n",
            rp != ICX_OK ? "refused" : "read otherwise");
    abort();
  }
  icx_constraints_free(fast);
  icx_constraints_free(placed);
}

static const char *const fc_explained[] = { "cloud1", "cloud2", "nowhere" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  icx_explain *e = NULL;
  char *sparql = NULL, *text;
  size_t i;

  fc_readers_agree(data, size);
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

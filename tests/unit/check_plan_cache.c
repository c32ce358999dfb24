/* check_plan_cache.c - the plan cache (engine/request/icx_plan_cache.h):
 * a cached plan and query are those a fresh compile gives, for every
 * golden request, and outlive the set they were made from; shapes that
 * differ in anything get entries of their own; a new vocabulary empties
 * the cache; the cache stays bounded; icx_match_run() uses it. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_compile.h"
#include "icx_plan.h"
#include "icx_plan_cache.h"

static icx_ctx *ctx;
static icx_vocab *vocab;

static void
setup(void)
{
  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
}

static void
teardown(void)
{
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
}

static icx_constraints *
parse(const icx_vocab *v, const char *xml)
{
  icx_constraints *set = NULL;

  ck_assert_msg(icx_constraints_parse(ctx, v, xml, strlen(xml), &set) == ICX_OK, "%s",
                icx_ctx_errmsg(ctx));
  return set;
}

static int
same_str(const char *a, const char *b)
{
  return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Plans a and b say the same, field by field. */
static void
assert_same_plan(const icx_plan *a, const icx_plan *b)
{
  size_t i, k, j;

  ck_assert_int_eq(icx_plan_typed(a), icx_plan_typed(b));
  ck_assert_uint_eq(icx_plan_count(a), icx_plan_count(b));
  ck_assert_uint_eq(icx_plan_slot_count(a), icx_plan_slot_count(b));
  ck_assert_str_eq(icx_plan_name_property(a), icx_plan_name_property(b));
  ck_assert_str_eq(icx_plan_offers_property(a), icx_plan_offers_property(b));
  for (k = 0; k < icx_plan_slot_count(a); k++) {
    const char *const *ta = icx_plan_slot_types(a, k), *const *tb = icx_plan_slot_types(b, k);
    ck_assert_int_eq(ta == NULL, tb == NULL);
    for (j = 0; ta && (ta[j] || tb[j]); j++)
      ck_assert(same_str(ta[j], tb[j]));
  }
  for (i = 0; i < icx_plan_count(a); i++) {
    const icx_plan_item *x = icx_plan_item_at(a, i), *y = icx_plan_item_at(b, i);
    ck_assert_str_eq(x->predicate, y->predicate);
    ck_assert_uint_eq(x->slot, y->slot);
    ck_assert_int_eq(x->op, y->op);
    ck_assert_int_eq(x->required, y->required);
    ck_assert_int_eq(x->negative, y->negative);
    ck_assert_int_eq(x->weight, y->weight);
    ck_assert_int_eq(x->graded, y->graded);
    ck_assert_uint_eq(x->n_parts, y->n_parts);
    for (k = 0; k < x->n_parts; k++) {
      const icx_plan_part *p = &x->parts[k], *q = &y->parts[k];
      ck_assert_int_eq(p->kind, q->kind);
      ck_assert(p->lo == q->lo && p->hi == q->hi);
      ck_assert_int_eq(p->lo_open, q->lo_open);
      ck_assert_int_eq(p->hi_open, q->hi_open);
      ck_assert_uint_eq(p->n_nums, q->n_nums);
      for (j = 0; j < p->n_nums; j++)
        ck_assert(p->nums[j] == q->nums[j]);
      ck_assert_uint_eq(p->n_iris, q->n_iris);
      for (j = 0; j < p->n_iris; j++)
        ck_assert_str_eq(p->iris[j], q->iris[j]);
      ck_assert_uint_eq(p->n_exact, q->n_exact);
      for (j = 0; j < p->n_exact; j++)
        ck_assert_str_eq(p->exact[j], q->exact[j]);
    }
  }
}

static const char *const cases[] = { "paper", "numeric", "subsumption", "repeated", "injection",
                                     "operators", "soft", "latency", "alignment", "typed",
                                     "units" };

/* The first lookup compiles, the second (a new set of the same text, the
 * first one freed) is a hit with the same plan and query, and both are
 * what a fresh compile of the second set gives. */
START_TEST(cached_is_fresh)
{
  const char *name = cases[_i];
  char file[256];
  char *path, *xml, *fresh_q = NULL;
  icx_constraints *a, *b;
  const icx_plan *pa, *pb;
  const char *qa, *qb;
  icx_plan *fresh = NULL;
  icx_plan_cache_stats st;

  if (!strcmp(name, "paper")) {
    path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  } else {
    snprintf(file, sizeof file, "tests/golden/%s.xml", name);
    path = tu_path(tu_srcdir(), file);
  }
  xml = tu_read(path, NULL);
  ck_assert_msg(xml != NULL, "cannot read %s", path);
  a = parse(vocab, xml);
  ck_assert_int_eq(icx_plan_cache_get(ctx, a, &pa, &qa), ICX_OK);
  icx_constraints_free(a);      /* the cached plan must not point into it */
  b = parse(vocab, xml);
  ck_assert_int_eq(icx_plan_cache_get(ctx, b, &pb, &qb), ICX_OK);
  ck_assert_ptr_eq(pa, pb);
  ck_assert_ptr_eq(qa, qb);
  icx_plan_cache_get_stats(ctx, &st);
  ck_assert_uint_eq(st.hits, 1);
  ck_assert_uint_eq(st.misses, 1);
  ck_assert_uint_eq(st.entries, 1);
  ck_assert_int_eq(icx_compile_sparql(ctx, b, &fresh_q), ICX_OK);
  ck_assert_str_eq(qb, fresh_q);
  ck_assert_int_eq(icx_plan_new(ctx, b, &fresh), ICX_OK);
  assert_same_plan(pb, fresh);
  icx_plan_free(fresh);
  icx_free(ctx, fresh_q);
  icx_constraints_free(b);
  free(xml);
  free(path);
}
END_TEST

/* Requests that differ in a value, an op, a weight, required or the
 * order of their constraints are different shapes. */
START_TEST(shapes_differ)
{
  static const char *const xmls[] = {
    "<constraints xmlns='http://www.csp/resOntology'><constraint><attribute>availability"
    "</attribute><value>99.9</value></constraint></constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint><attribute>availability"
    "</attribute><value>99.99</value></constraint></constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint op='atMost'><attribute>"
    "availability</attribute><value>99.9</value></constraint></constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint required='false' "
    "weight='3'><attribute>availability</attribute><value>99.9</value></constraint>"
    "</constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint required='false' "
    "weight='4'><attribute>availability</attribute><value>99.9</value></constraint>"
    "</constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint><attribute>availability"
    "</attribute><value>99.9</value></constraint><constraint><attribute>tierCountries"
    "</attribute><value>Japan</value></constraint></constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint><attribute>tierCountries"
    "</attribute><value>Japan</value></constraint><constraint><attribute>availability"
    "</attribute><value>99.9</value></constraint></constraints>",
    "<constraints xmlns='http://www.csp/resOntology'><constraint><attribute>tierCountries"
    "</attribute><value>Asia</value></constraint></constraints>",
  };
  const size_t n = sizeof xmls / sizeof *xmls;
  const char *qs[sizeof xmls / sizeof *xmls];
  size_t i, j;
  icx_plan_cache_stats st;

  for (i = 0; i < n; i++) {
    icx_constraints *set = parse(vocab, xmls[i]);
    const icx_plan *p;
    char *fresh = NULL;
    ck_assert_int_eq(icx_plan_cache_get(ctx, set, &p, &qs[i]), ICX_OK);
    ck_assert_int_eq(icx_compile_sparql(ctx, set, &fresh), ICX_OK);
    ck_assert_str_eq(qs[i], fresh);
    icx_free(ctx, fresh);
    icx_constraints_free(set);
  }
  icx_plan_cache_get_stats(ctx, &st);
  ck_assert_uint_eq(st.misses, n);
  ck_assert_uint_eq(st.hits, 0);
  ck_assert_uint_eq(st.entries, n);
  for (i = 0; i < n; i++)
    for (j = i + 1; j < n; j++)
      ck_assert_ptr_ne(qs[i], qs[j]);
}
END_TEST

/* The same text with another vocabulary (loaded anew, maybe at the same
 * address as a freed one) empties the cache: the plan is the new
 * vocabulary's. */
START_TEST(new_vocabulary_flushes)
{
  const char *xml = "<constraints xmlns='http://www.csp/resOntology'><constraint><attribute>"
                    "tierCountries</attribute><value>Japan</value></constraint></constraints>";
  icx_constraints *set = parse(vocab, xml);
  icx_vocab *v2;
  const icx_plan *p1, *p2;
  const char *q1, *q2;
  icx_plan_cache_stats st;

  ck_assert_int_eq(icx_plan_cache_get(ctx, set, &p1, &q1), ICX_OK);
  icx_constraints_free(set);
  icx_vocab_free(vocab);        /* the cache's entries are of a freed vocabulary now */
  vocab = NULL;
  v2 = tu_vocab(ctx);
  vocab = v2;
  ck_assert(icx_vocab_serial(v2) > 0);
  set = parse(v2, xml);
  ck_assert_int_eq(icx_plan_cache_get(ctx, set, &p2, &q2), ICX_OK);
  icx_plan_cache_get_stats(ctx, &st);
  ck_assert_uint_eq(st.flushes, 1);
  ck_assert_uint_eq(st.hits, 0);
  ck_assert_uint_eq(st.misses, 2);
  ck_assert_uint_eq(st.entries, 1);
  ck_assert_ptr_eq(icx_plan_name_property(p2), icx_vocab_name_property(v2));
  ck_assert_ptr_eq(icx_plan_item_at(p2, 0)->predicate,
                   icx_attribute_iri(icx_vocab_find_attribute(v2, "tierCountries")));
  icx_constraints_free(set);
}
END_TEST

/* Past ICX_PLAN_CACHE_SIZE shapes the least recently used goes; one
 * looked up all along stays. */
START_TEST(bounded)
{
  char xml[512];
  const icx_plan *p;
  const char *q;
  icx_constraints *first, *set;
  icx_plan_cache_stats st;
  size_t i;

  snprintf(xml, sizeof xml, "<constraints xmlns='http://www.csp/resOntology'><constraint>"
           "<attribute>replicationFactor</attribute><value>1</value></constraint></constraints>");
  first = parse(vocab, xml);
  for (i = 0; i < ICX_PLAN_CACHE_SIZE + 20; i++) {
    ck_assert_int_eq(icx_plan_cache_get(ctx, first, &p, &q), ICX_OK);
    snprintf(xml, sizeof xml, "<constraints xmlns='http://www.csp/resOntology'><constraint>"
             "<attribute>replicationFactor</attribute><value>%zu</value></constraint>"
             "</constraints>", i + 2);
    set = parse(vocab, xml);
    ck_assert_int_eq(icx_plan_cache_get(ctx, set, &p, &q), ICX_OK);
    icx_constraints_free(set);
  }
  icx_plan_cache_get_stats(ctx, &st);
  ck_assert_uint_eq(st.entries, ICX_PLAN_CACHE_SIZE);
  ck_assert_uint_eq(st.misses, ICX_PLAN_CACHE_SIZE + 21);
  ck_assert_uint_eq(st.hits, ICX_PLAN_CACHE_SIZE + 19);
  /* The oldest of the others is gone: looking it up again compiles. */
  set = parse(vocab, "<constraints xmlns='http://www.csp/resOntology'><constraint>"
              "<attribute>replicationFactor</attribute><value>2</value></constraint>"
              "</constraints>");
  ck_assert_int_eq(icx_plan_cache_get(ctx, set, &p, &q), ICX_OK);
  icx_plan_cache_get_stats(ctx, &st);
  ck_assert_uint_eq(st.misses, ICX_PLAN_CACHE_SIZE + 22);
  icx_constraints_free(set);
  icx_plan_cache_clear(ctx);
  icx_plan_cache_get_stats(ctx, &st);
  ck_assert_uint_eq(st.entries, 0);
  icx_constraints_free(first);
}
END_TEST

/* icx_match_run() takes its plan from the cache: the second run of a
 * request is a hit and answers the same, with the same query shown. */
START_TEST(match_uses_cache)
{
  tu_world w;
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);
  icx_constraints *set = NULL;
  icx_match *m1 = NULL, *m2 = NULL;
  icx_plan_cache_stats st;

  tu_world_shipped(&w);
  ck_assert_ptr_nonnull(xml);
  ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_match_run(w.ctx, w.store, set, &m1), ICX_OK);
  icx_constraints_free(set);
  ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_match_run(w.ctx, w.store, set, &m2), ICX_OK);
  icx_plan_cache_get_stats(w.ctx, &st);
  ck_assert_uint_eq(st.hits, 1);
  ck_assert_uint_eq(st.misses, 1);
  ck_assert_uint_eq(icx_match_count(m1), 2);
  ck_assert_uint_eq(icx_match_count(m2), 2);
  ck_assert_str_eq(icx_match_cloud(m2, 0), "cloud2");
  ck_assert_str_eq(icx_match_cloud(m2, 1), "cloud5");
  ck_assert_str_eq(icx_match_sparql(m1), icx_match_sparql(m2));
  icx_match_free(m1);
  icx_match_free(m2);
  icx_constraints_free(set);
  free(xml);
  free(path);
  tu_world_close(&w);
}
END_TEST

int
main(void)
{
  Suite *s = suite_create("plan_cache");
  TCase *tc = tcase_create("core");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, cached_is_fresh, 0, (int)(sizeof cases / sizeof *cases));
  tcase_add_test(tc, shapes_differ);
  tcase_add_test(tc, new_vocabulary_flushes);
  tcase_add_test(tc, bounded);
  tcase_add_test(tc, match_uses_cache);
  suite_add_tcase(s, tc);
  return tu_run(s);
}

/* check_scope.c - matching on a few documents (icx_scope.h), checked
 * against the whole store's answer: for every golden constraint set and
 * the paper's request, on the paper's clouds and on the larger samples,
 * the clouds a scope of all the documents gives are exactly those
 * icx_match_run() gives, and a scope of one document gives exactly that
 * document's clouds among them.  Also: a document the store lacks, an
 * untyped plan refused, misuse. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_constraint.h"
#include "icx_match.h"
#include "icx_plan.h"
#include "icx_scope.h"

typedef struct names {
  char *v[512];
  size_t n;
} names;

static int
collect(void *ud, const char *name)
{
  names *ns = ud;

  ck_assert_uint_lt(ns->n, 512);
  ns->v[ns->n++] = strdup(name);
  return 0;
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_sort(names *ns)
{
  qsort(ns->v, ns->n, sizeof *ns->v, cmp_str);
}

static void
names_clear(names *ns)
{
  size_t i;

  for (i = 0; i < ns->n; i++)
    free(ns->v[i]);
  ns->n = 0;
}

static int
names_has(const names *ns, const char *s)
{
  size_t i;

  for (i = 0; i < ns->n; i++)
    if (!strcmp(ns->v[i], s))
      return 1;
  return 0;
}

/* Checks set on w's store: the scope of every document against the
 * whole store's match, and each document's scope against its clouds.
 * Returns 1 when the plan was typed (compared), 0 when not. */
static int
check_set(tu_world *w, const icx_constraints *set, const char *what)
{
  icx_doc_info *docs = NULL;
  size_t n_docs = 0, i, k;
  const char **uris;
  icx_match *m = NULL;
  icx_plan *plan = NULL;
  icx_scope *sc = NULL;
  names full = { .n = 0 }, got = { .n = 0 };

  ck_assert_int_eq(icx_plan_new(w->ctx, set, &plan), ICX_OK);
  if (!icx_plan_typed(plan)) {
    ck_assert_int_eq(icx_store_list_documents(w->store, w->vocab, &docs, &n_docs), ICX_OK);
    uris = calloc(n_docs + 1, sizeof *uris);
    for (i = 0; i < n_docs; i++)
      uris[i] = docs[i].uri;
    ck_assert_int_eq(icx_scope_new(w->ctx, w->store, uris, n_docs, &sc), ICX_OK);
    ck_assert_int_eq(icx_scope_match(w->ctx, sc, plan, collect, &got), ICX_ERR_QUERY);
    icx_scope_free(sc);
    free(uris);
    icx_doc_info_free_array(docs, n_docs);
    icx_plan_free(plan);
    return 0;
  }
  ck_assert_int_eq(icx_match_run(w->ctx, w->store, set, &m), ICX_OK);
  for (i = 0; i < icx_match_count(m); i++)
    collect(&full, icx_match_cloud(m, i));
  names_sort(&full);
  icx_match_free(m);

  ck_assert_int_eq(icx_store_list_documents(w->store, w->vocab, &docs, &n_docs), ICX_OK);
  ck_assert_uint_gt(n_docs, 0);
  uris = calloc(n_docs + 1, sizeof *uris);
  for (i = 0; i < n_docs; i++)
    uris[i] = docs[i].uri;
  ck_assert_int_eq(icx_scope_new(w->ctx, w->store, uris, n_docs, &sc), ICX_OK);
  ck_assert_int_eq(icx_scope_match(w->ctx, sc, plan, collect, &got), ICX_OK);
  icx_scope_free(sc);
  names_sort(&got);
  ck_assert_msg(got.n == full.n, "%s: the scope of every document gives %zu clouds, the "
                "store %zu", what, got.n, full.n);
  for (i = 0; i < got.n; i++)
    ck_assert_msg(!strcmp(got.v[i], full.v[i]), "%s: %s against %s", what, got.v[i],
                  full.v[i]);
  names_clear(&got);

  for (i = 0; i < n_docs; i++) {
    ck_assert_int_eq(icx_scope_new(w->ctx, w->store, &uris[i], 1, &sc), ICX_OK);
    ck_assert_int_eq(icx_scope_match(w->ctx, sc, plan, collect, &got), ICX_OK);
    icx_scope_free(sc);
    for (k = 0; k < docs[i].n_clouds; k++)
      ck_assert_msg(names_has(&got, docs[i].clouds[k]) ==
                        names_has(&full, docs[i].clouds[k]),
                    "%s: cloud %s of %s alone", what, docs[i].clouds[k], docs[i].uri);
    for (k = 0; k < got.n; k++)
      ck_assert_msg(names_has(&full, got.v[k]), "%s: %s from %s alone", what, got.v[k],
                    docs[i].uri);
    names_clear(&got);
  }
  names_clear(&full);
  free(uris);
  icx_doc_info_free_array(docs, n_docs);
  icx_plan_free(plan);
  return 1;
}

/* Every golden constraint set and the paper's request on w. */
static void
check_all(tu_world *w)
{
  static const char *const files[] = {
    "tests/golden/alignment.xml", "tests/golden/latency.xml", "tests/golden/numeric.xml",
    "tests/golden/operators.xml", "tests/golden/repeated.xml", "tests/golden/soft.xml",
    "tests/golden/subsumption.xml", "tests/golden/typed.xml", "tests/golden/units.xml",
    "data/constraints/paper.xml",
  };
  size_t i, typed = 0, compared = 0;

  for (i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *path = tu_path(tu_srcdir(), files[i]);
    size_t len = 0;
    char *xml = tu_read(path, &len);
    icx_constraints *set = NULL;
    if (icx_constraints_parse(w->ctx, w->vocab, xml, len, &set) == ICX_OK) {
      typed += check_set(w, set, files[i]);
      compared++;
    }
    icx_constraints_free(set);
    free(xml);
    free(path);
  }
  ck_assert_uint_ge(compared, 8);
  ck_assert_uint_ge(typed, 6);
}

START_TEST(scope_agrees_with_the_store_paper)
{
  tu_world w;

  tu_world_shipped(&w);
  check_all(&w);
  {
    char *xml = tu_constraints("replicationFactor", "3", NULL);
    icx_constraints *set = NULL;
    ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
    ck_assert_int_eq(check_set(&w, set, "replicationFactor 3"), 1);
    icx_constraints_free(set);
    free(xml);
  }
  tu_world_close(&w);
}
END_TEST

START_TEST(scope_agrees_with_the_store_more)
{
  tu_world w;
  char *more = tu_path(tu_srcdir(), "data/more");

  tu_world_open(&w);
  tu_world_load(&w, tu_ontology(), more);
  check_all(&w);
  tu_world_close(&w);
  free(more);
}
END_TEST

START_TEST(scope_of_nothing_and_misuse)
{
  tu_world w;
  const char *none = "urn:icx:doc:no-such-document";
  char *xml;
  icx_constraints *set = NULL;
  icx_plan *plan = NULL;
  icx_scope *sc = NULL;
  names got = { .n = 0 };

  tu_world_shipped(&w);
  xml = tu_constraints("replicationFactor", "3", NULL);
  ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_plan_new(w.ctx, set, &plan), ICX_OK);
  ck_assert_int_eq(icx_scope_new(w.ctx, w.store, &none, 1, &sc), ICX_OK);
  ck_assert_uint_eq(icx_scope_size(sc), 0);
  ck_assert_int_eq(icx_scope_match(w.ctx, sc, plan, collect, &got), ICX_OK);
  ck_assert_uint_eq(got.n, 0);
  ck_assert_int_eq(icx_scope_match(w.ctx, sc, plan, NULL, &got), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_scope_new(w.ctx, NULL, &none, 1, &sc), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_scope_new(w.ctx, w.store, NULL, 1, &sc), ICX_ERR_MISUSE);
  icx_scope_free(sc);
  icx_scope_free(NULL);
  icx_plan_free(plan);
  icx_constraints_free(set);
  free(xml);
  tu_world_close(&w);
}
END_TEST

static Suite *
scope_suite(void)
{
  Suite *s = suite_create("scope");
  TCase *tc = tcase_create("core");

  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, scope_agrees_with_the_store_paper);
  tcase_add_test(tc, scope_agrees_with_the_store_more);
  tcase_add_test(tc, scope_of_nothing_and_misuse);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(scope_suite());
}

/* check_index.c - the matching index: predicates read whole (objects,
 * numbers, bounds open and closed), clouds and their names, who offers
 * what, and freshness: a load or a removal through another handle (or the
 * same one) between two matches gives the new answer. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "icx_index.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"

static tu_world w;

static void
setup(void)
{
  tu_world_turtle(&w, tu_three_clouds);
}

static void
teardown(void)
{
  tu_world_close(&w);
}

static icx_index *
get_index(void)
{
  icx_index *ix = NULL;

  ck_assert_msg(icx_index_get(w.ctx, w.store, &ix) == ICX_OK, "%s", icx_ctx_errmsg(w.ctx));
  ck_assert_ptr_nonnull(ix);
  return ix;
}

static icx_id
id_of(icx_index *ix, const char *iri)
{
  icx_id id = icx_index_iri_id(w.ctx, ix, iri);

  ck_assert_int_gt(id, 0);
  return id;
}

static const icx_index_pred *
pred_of(icx_index *ix, const char *local)
{
  char iri[256];
  const icx_index_pred *pr = NULL;

  snprintf(iri, sizeof iri, TU_RES "%s", local);
  ck_assert_int_eq(icx_index_pred_get(w.ctx, ix, id_of(ix, iri), &pr), ICX_OK);
  ck_assert_ptr_nonnull(pr);
  return pr;
}

/* The subjects in b as "s1 s2" (local names of TU_EX). */
static char *
subjects_text(icx_index *ix, const roaring_bitmap_t *b)
{
  static char out[256];
  const char *names[] = { "s1", "s2", "s3", "c1", "c2", "c3" };
  size_t k;

  out[0] = 0;
  for (k = 0; k < sizeof names / sizeof names[0]; k++) {
    char iri[128];
    snprintf(iri, sizeof iri, TU_EX "%s", names[k]);
    if (roaring_bitmap_contains(b, (uint32_t)id_of(ix, iri)))
      snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", out[0] ? " " : "", names[k]);
  }
  return out;
}

START_TEST(objects_and_numbers)
{
  icx_index *ix = get_index();
  const icx_index_pred *access = pred_of(ix, "storageAccess"), *avail = pred_of(ix, "availability");
  roaring_bitmap_t *b = roaring_bitmap_create();
  icx_id objs[3] = { 0, id_of(ix, TU_RES "NFS"), 0 };
  double nums[2] = { 99.0, 42 };

  icx_index_subjects_of(access, objs, 3, b);
  ck_assert_str_eq(subjects_text(ix, b), "s1 s2");
  ck_assert_str_eq(subjects_text(ix, icx_index_subjects_all(access)), "s1 s2");
  roaring_bitmap_free(b);

  /* Bounds, closed and open, on both ends. */
  b = roaring_bitmap_create();
  icx_index_subjects_in_range(avail, 99.9, 0, HUGE_VAL, 0, b);
  ck_assert_str_eq(subjects_text(ix, b), "s1 s2");
  roaring_bitmap_free(b);
  b = roaring_bitmap_create();
  icx_index_subjects_in_range(avail, 99.9, 1, HUGE_VAL, 0, b);
  ck_assert_str_eq(subjects_text(ix, b), "s2");
  roaring_bitmap_free(b);
  b = roaring_bitmap_create();
  icx_index_subjects_in_range(avail, -HUGE_VAL, 0, 99.9, 0, b);
  ck_assert_str_eq(subjects_text(ix, b), "s1 s3");
  roaring_bitmap_free(b);
  b = roaring_bitmap_create();
  icx_index_subjects_in_range(avail, -HUGE_VAL, 0, 99.9, 1, b);
  ck_assert_str_eq(subjects_text(ix, b), "s3");
  roaring_bitmap_free(b);
  b = roaring_bitmap_create();
  icx_index_subjects_in_range(avail, 99.95, 0, 99.96, 0, b);
  ck_assert_str_eq(subjects_text(ix, b), "");
  roaring_bitmap_free(b);
  b = roaring_bitmap_create();
  icx_index_subjects_equal(avail, nums, 2, b);      /* 99.0 is stated "99.0" */
  ck_assert_str_eq(subjects_text(ix, b), "s3");
  roaring_bitmap_free(b);
}
END_TEST

static int
offer_seen(void *ud, uint32_t service, size_t cloud)
{
  char *out = ud;

  (void)service;
  snprintf(out + strlen(out), 64 - strlen(out), "%zu ", cloud);
  return 0;
}

START_TEST(clouds_names_offers)
{
  icx_index *ix = get_index();
  icx_id name_p = id_of(ix, TU_RES "cloudName"), offers_p = id_of(ix, TU_RES "offers");
  const uint32_t *ids;
  size_t first, c, names[3];
  char seen[64] = "";
  roaring_bitmap_t *svcs = roaring_bitmap_create();
  icx_index_stats st;

  ck_assert_int_eq(icx_index_clouds(w.ctx, ix, name_p, offers_p), ICX_OK);
  ck_assert_uint_eq(icx_index_cloud_count(ix), 3);
  for (c = 0; c < 3; c++) {
    char iri[64], want[8];
    snprintf(iri, sizeof iri, TU_EX "c%zu", c + 1);
    ck_assert_int_ge(icx_index_cloud_of(ix, (uint32_t)id_of(ix, iri)), 0);
    ck_assert_uint_eq(icx_index_cloud_names(ix, (size_t)icx_index_cloud_of(ix, (uint32_t)id_of(ix, iri)),
                                            &ids, &first), 1);
    names[c] = first;
    snprintf(want, sizeof want, "c%zu", c + 1);
    ck_assert_str_eq(icx_index_name(w.ctx, ix, first), want);
  }
  ck_assert_int_eq(icx_index_names_load(w.ctx, ix, names, 3), ICX_OK);
  ck_assert_int_eq(icx_index_cloud_of(ix, (uint32_t)id_of(ix, TU_EX "s1")), -1);
  roaring_bitmap_add(svcs, (uint32_t)id_of(ix, TU_EX "s2"));
  roaring_bitmap_add(svcs, (uint32_t)id_of(ix, TU_EX "c1"));   /* not a service */
  ck_assert_int_eq(icx_index_each_offer(ix, svcs, offer_seen, seen), 0);
  snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "/ %ld",
           icx_index_cloud_of(ix, (uint32_t)id_of(ix, TU_EX "c2")));
  ck_assert_msg(strlen(seen) >= 4 && seen[0] == seen[strlen(seen) - 1] && seen[1] == ' ' &&
                seen[2] == '/', "offers: %s", seen);
  roaring_bitmap_free(svcs);
  icx_index_get_stats(ix, &st);
  ck_assert_uint_eq(st.clouds, 3);
  ck_assert_uint_eq(st.services, 3);
  ck_assert_uint_gt(st.bytes, 0);
}
END_TEST

/* Matches xml on store along path; the names, joined by spaces. */
static char *
match_on(icx_store *store, const char *xml, icx_match_path path)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  char *out = calloc(1, 256);
  size_t i;

  ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_msg(icx_match_run_path(w.ctx, store, set, path, &m) == ICX_OK, "%s",
                icx_ctx_errmsg(w.ctx));
  ck_assert_int_eq(icx_match_answered_by(m), path);
  for (i = 0; i < icx_match_count(m); i++)
    snprintf(out + strlen(out), 256 - strlen(out), "%s%s", i ? " " : "", icx_match_cloud(m, i));
  icx_match_free(m);
  icx_constraints_free(set);
  return out;
}

static void
expect_both(icx_store *store, const char *xml, const char *want)
{
  char *a = match_on(store, xml, ICX_MATCH_PATH_INDEX), *b = match_on(store, xml,
                                                                      ICX_MATCH_PATH_SQL);

  ck_assert_str_eq(a, want);
  ck_assert_str_eq(b, want);
  free(a);
  free(b);
}

static void
load(icx_store *store, const char *name, const char *ttl)
{
  icx_loader *l = icx_loader_new(w.ctx, w.vocab, store);

  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  ck_assert_msg(icx_loader_load_buffer(l, name, (const unsigned char *)ttl, strlen(ttl)) ==
                ICX_OK, "%s", icx_ctx_errmsg(w.ctx));
  icx_loader_free(l);
}

START_TEST(another_handle_changes_the_answer)
{
  char *xml = tu_constraints("storageAccess", "NFS", NULL);
  char *db = tu_path(w.dir, "store.db");
  icx_store *reader = NULL, *writer = w.store;
  icx_index_stats st;

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &reader), ICX_OK);
  expect_both(reader, xml, "c1 c2");
  /* Another handle (as another process would) loads a cloud ... */
  load(writer, "more", "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n"
                       "ex:c4 a res:Cloud ; res:cloudName \"c4\" ; res:offers ex:s4 .\n"
                       "ex:s4 a res:StorageService ; res:storageAccess res:NFSv4 .\n");
  expect_both(reader, xml, "c1 c2 c4");
  /* ... and removes one. */
  ck_assert_int_eq(icx_store_remove_document(writer, "urn:icx:doc:doc"), ICX_OK);
  expect_both(reader, xml, "c4");
  icx_index_get_stats(icx_store_attached(reader), &st);
  ck_assert_uint_eq(st.refreshes, 2);
  /* The writer's own handle sees its own changes too. */
  expect_both(writer, xml, "c4");
  ck_assert_int_eq(icx_store_remove_document(writer, "urn:icx:doc:more"), ICX_OK);
  expect_both(writer, xml, "");
  expect_both(reader, xml, "");
  icx_store_free(reader);
  free(db);
  free(xml);
}
END_TEST

START_TEST(unchanged_store_keeps_the_index)
{
  char *xml = tu_constraints("availability", "99.9", NULL);
  icx_index *a, *b;
  icx_index_stats st;

  expect_both(w.store, xml, "c1 c2");
  a = get_index();
  expect_both(w.store, xml, "c1 c2");
  b = get_index();
  ck_assert_ptr_eq(a, b);
  icx_index_get_stats(b, &st);
  ck_assert_uint_eq(st.refreshes, 0);
  ck_assert_uint_ge(st.predicates, 1);
  free(xml);
}
END_TEST

START_TEST(strings_take_the_sql_path)
{
  /* A string compared with a value is not in the typed plan: the index
   * refuses the request, and icx_match_run() answers it on SQL. */
  tu_world x;
  char *onto, *data, *f;
  icx_constraints *set;
  const char *v[] = { "gold" };
  icx_match *m = NULL;

  tu_world_open(&x);
  onto = tu_path(x.dir, "onto");
  data = tu_path(x.dir, "data.ttl");
  ck_assert_int_eq(mkdir(onto, 0700), 0);
  tu_copy_ontology(onto);
  f = tu_path(onto, "tier.ttl");
  tu_write(f, "@prefix res: <" TU_RES "> .\n@prefix icxm: <urn:icx:match#> .\n"
              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
              "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
              "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
              "res:tier a owl:DatatypeProperty, icxm:Attribute ; rdfs:label \"tier\" ;\n"
              "  rdfs:domain res:StorageService ; rdfs:range xsd:string ; icxm:rule icxm:equals .\n");
  free(f);
  tu_write(data, "@prefix res: <" TU_RES "> .\n"
                 "<http://x.example/c> a res:Cloud ; res:cloudName \"x\" ; res:offers <http://x.example/s> .\n"
                 "<http://x.example/s> a res:StorageService ; res:tier \"gold\" .\n");
  tu_world_load(&x, onto, data);
  set = icx_constraints_new(x.vocab);
  ck_assert_int_eq(icx_constraints_add_op(x.ctx, set, "tier", "equal", v, 1, 1, 0), ICX_OK);
  ck_assert_int_eq(icx_match_run_path(x.ctx, x.store, set, ICX_MATCH_PATH_INDEX, &m),
                   ICX_ERR_QUERY);
  ck_assert_int_eq(icx_match_run(x.ctx, x.store, set, &m), ICX_OK);
  ck_assert_int_eq(icx_match_answered_by(m), ICX_MATCH_PATH_SQL);
  ck_assert_uint_eq(icx_match_count(m), 1);
  ck_assert_str_eq(icx_match_cloud(m, 0), "x");
  icx_match_free(m);
  icx_constraints_free(set);
  free(onto);
  free(data);
  tu_world_close(&x);
}
END_TEST

static Suite *
index_suite(void)
{
  Suite *s = suite_create("index");
  TCase *tc = tcase_create("index");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, objects_and_numbers);
  tcase_add_test(tc, clouds_names_offers);
  tcase_add_test(tc, another_handle_changes_the_answer);
  tcase_add_test(tc, unchanged_store_keeps_the_index);
  tcase_add_test(tc, strings_take_the_sql_path);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(index_suite());
}

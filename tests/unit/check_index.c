/* check_index.c - the matching index: predicates read whole (objects,
 * numbers, bounds open and closed), clouds and their names, who offers
 * what, and freshness: a load or a removal through another handle (or the
 * same one) between two matches gives the new answer; random sequences of
 * loads, replacements and removals, applied from the store's change log,
 * answer as a fresh index and the SQL path do; a write the log cannot
 * describe empties the index. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_index.h"
#include "icx_index_internal.h"
#include "icx_rdf.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"
#include "icx_store_rdf.h"
#include "icx_store_subs.h"

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
  ck_assert_uint_lt(icx_index_name_rank(ix, names[0]), icx_index_name_rank(ix, names[1]));
  ck_assert_uint_lt(icx_index_name_rank(ix, names[1]), icx_index_name_rank(ix, names[2]));
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

/* Each (service, cloud) pair icx_index_each_offer() gives, counted by
 * dense cloud number and by service. */
typedef struct offers_seen {
  size_t pairs;
  size_t per_cloud[64];
  uint32_t last_service;
  int in_order;
} offers_seen;

static int
offer_count(void *ud, uint32_t service, size_t cloud)
{
  offers_seen *o = ud;

  ck_assert_uint_lt(cloud, 64);
  o->in_order &= o->pairs == 0 || service >= o->last_service;
  o->last_service = service;
  o->per_cloud[cloud]++;
  o->pairs++;
  return 0;
}

/* A service many clouds offer makes a block of many pairs: the walk looks
 * at a block's first pairs in turn and gallops past the rest; every pair
 * of every service asked for comes, whichever way it was found. */
START_TEST(offers_in_long_blocks)
{
  char ttl[16384], iri[64];
  size_t len, k, c;
  icx_index *ix;
  offers_seen all, one;
  roaring_bitmap_t *svcs;

  /* The shared service's id just before a few others' (terms take ids as
   * they first come), so that its block holds them too. */
  len = (size_t)snprintf(ttl, sizeof ttl, "@prefix res: <" TU_RES "> .\n"
                         "@prefix ex: <" TU_EX "> .\n"
                         "ex:c0 res:offers ex:shared, ex:s0, ex:s1, ex:s2 .\n");
  for (k = 0; k < 40; k++)
    len += (size_t)snprintf(ttl + len, sizeof ttl - len,
                            "ex:c%zu a res:Cloud ; res:cloudName \"c%zu\" ; "
                            "res:offers ex:shared, ex:s%zu .\n"
                            "ex:s%zu a res:StorageService ; res:replicationFactor 3 .\n",
                            k, k, k, k);
  len += (size_t)snprintf(ttl + len, sizeof ttl - len,
                          "ex:shared a res:StorageService ; res:replicationFactor 3 .\n");
  ck_assert_uint_lt(len, sizeof ttl);
  tu_world_close(&w);
  tu_world_turtle(&w, ttl);
  ix = get_index();
  ck_assert_int_eq(icx_index_clouds(w.ctx, ix, id_of(ix, TU_RES "cloudName"),
                                    id_of(ix, TU_RES "offers")), ICX_OK);
  ck_assert_uint_eq(icx_index_cloud_count(ix), 40);
  /* The walk's two ways are both taken: some service asked for alone
   * lies more than 8 pairs past the start of its block. */
  {
    int far = 0;
    for (k = 0; k < 40 && !far; k++) {
      uint32_t id;
      size_t pos;
      snprintf(iri, sizeof iri, TU_EX "s%zu", k);
      id = (uint32_t)id_of(ix, iri);
      for (pos = 0; pos < ix->n_offer && ix->offer[2 * pos] < id; pos++)
        ;
      far = pos > (size_t)ix->offer_skip[id >> ix->skip_shift] + 8;
    }
    ck_assert_msg(far, "no service lies past 8 pairs of its block: change the data");
  }
  /* Every service at once: 82 pairs, two per cloud (c0: four), services
   * ascending. */
  svcs = roaring_bitmap_create();
  roaring_bitmap_add(svcs, (uint32_t)id_of(ix, TU_EX "shared"));
  for (k = 0; k < 40; k++) {
    snprintf(iri, sizeof iri, TU_EX "s%zu", k);
    roaring_bitmap_add(svcs, (uint32_t)id_of(ix, iri));
  }
  memset(&all, 0, sizeof all);
  all.in_order = 1;
  ck_assert_int_eq(icx_index_each_offer(ix, svcs, offer_count, &all), 0);
  ck_assert_uint_eq(all.pairs, 82);
  ck_assert(all.in_order);
  for (c = 0; c < 40; c++)
    ck_assert_uint_eq(all.per_cloud[c], c == (size_t)icx_index_cloud_of(ix, (uint32_t)id_of(
                                          ix, TU_EX "c0")) ? 4 : 2);
  roaring_bitmap_free(svcs);
  /* Each service alone, and each after the shared one (past its pairs,
   * in the same block or the next). */
  for (k = 0; k < 40; k++) {
    long want;
    snprintf(iri, sizeof iri, TU_EX "s%zu", k);
    svcs = roaring_bitmap_create();
    roaring_bitmap_add(svcs, (uint32_t)id_of(ix, iri));
    memset(&one, 0, sizeof one);
    ck_assert_int_eq(icx_index_each_offer(ix, svcs, offer_count, &one), 0);
    snprintf(iri, sizeof iri, TU_EX "c%zu", k);
    want = icx_index_cloud_of(ix, (uint32_t)id_of(ix, iri));
    ck_assert_int_ge(want, 0);
    ck_assert_uint_eq(one.pairs, k == 1 || k == 2 ? 2 : 1);   /* c0 offers s1, s2 too */
    ck_assert_uint_eq(one.per_cloud[want], 1);
    roaring_bitmap_add(svcs, (uint32_t)id_of(ix, TU_EX "shared"));
    memset(&one, 0, sizeof one);
    ck_assert_int_eq(icx_index_each_offer(ix, svcs, offer_count, &one), 0);
    ck_assert_uint_eq(one.pairs, k == 1 || k == 2 ? 42 : 41);
    ck_assert_uint_eq(one.per_cloud[want], 2);
    roaring_bitmap_free(svcs);
  }
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
  ck_assert_uint_eq(st.refreshes, 0);     /* both applied from the change log */
  ck_assert_uint_eq(st.applies, 2);
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

/* --- following the change log ---------------------------------------------- */

/* The answer of xml on store along path, as "name:score" each, in order
 * (a new string). */
static char *
answer(icx_store *store, const char *xml, icx_match_path path)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  size_t cap = 4096, len = 0, i;
  char *out = malloc(cap);

  ck_assert_ptr_nonnull(out);
  out[0] = 0;
  ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_msg(icx_match_run_path(w.ctx, store, set, path, &m) == ICX_OK, "%s",
                icx_ctx_errmsg(w.ctx));
  ck_assert_int_eq(icx_match_answered_by(m), path);
  for (i = 0; i < icx_match_count(m); i++) {
    const char *name = icx_match_cloud(m, i);
    if (len + strlen(name) + 32 > cap) {
      cap = 2 * (len + strlen(name) + 32);
      ck_assert_ptr_nonnull(out = realloc(out, cap));
    }
    len += (size_t)snprintf(out + len, cap - len, "%s%s:%d", i ? " " : "", name,
                            icx_match_score(m, i));
  }
  icx_match_free(m);
  icx_constraints_free(set);
  return out;
}

/* A small deterministic generator (the tests must replay). */
static unsigned long rnd_state;

static unsigned
rnd(unsigned n)
{
  rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
  return (unsigned)((rnd_state >> 33) % n);
}

static const char *const access_of[] = { "NFS", "NFSv4", "NFSv3", "SMB", "CIFS", NULL };
static const char *const avail_of[] = { "99.0", "99.9", "99.99", "99.999" };

/* Random Turtle for document d: 1 to 3 clouds, each with 1 or 2 storage
 * services (some without an access protocol).  version makes a
 * replacement differ. */
static char *
random_doc(unsigned d, unsigned version)
{
  size_t cap = 8192, len = 0;
  char *out = malloc(cap);
  unsigned c, n = 1 + rnd(3), k;

  ck_assert_ptr_nonnull(out);
  len += (size_t)snprintf(out, cap, "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n");
  for (c = 0; c < n; c++) {
    unsigned id = rnd(5), svcs = 1 + rnd(2), form = (d + id) % 5;
    /* Names that fall before, between and after those held (every name
     * of the base document starts with b), one with a language tag. */
    static const char *const lead[] = { "a", "b4", "c", "b1x", "e" };
    len += (size_t)snprintf(out + len, cap - len,
                            "ex:d%uc%u a res:Cloud ; res:cloudName \"%sd%uc%u\"%s", d, id,
                            lead[form], d, id, form == 4 ? "@en" : "");
    for (k = 0; k < svcs; k++)
      len += (size_t)snprintf(out + len, cap - len, " ; res:offers ex:d%uc%us%u", d, id, k);
    len += (size_t)snprintf(out + len, cap - len, " .\n");
    for (k = 0; k < svcs; k++) {
      unsigned a = rnd(6);
      len += (size_t)snprintf(out + len, cap - len,
                              "ex:d%uc%us%u a res:StorageService ; res:availability %s ;"
                              " res:replicationFactor %u", d, id, k, avail_of[rnd(4)],
                              3 + rnd(3) + version % 2);
      if (access_of[a])
        len += (size_t)snprintf(out + len, cap - len, " ; res:storageAccess res:%s",
                                access_of[a]);
      len += (size_t)snprintf(out + len, cap - len, " .\n");
    }
  }
  return out;
}

/* A document of 130 clouds, so that objects shared by many subjects have
 * bitmaps (62 services with SMB: the random documents take that object
 * across the bitmap threshold and back).  Its availabilities are two
 * values of 65 services each (bitmaps); again (a second version), a
 * third of those of one (a run), and 97 of one the first version had
 * none of (a bitmap): values cross the threshold both ways. */
static char *
base_doc(int again)
{
  size_t cap = 65536, len = 0;
  char *out = malloc(cap);
  unsigned i;

  ck_assert_ptr_nonnull(out);
  len += (size_t)snprintf(out, cap, "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n");
  for (i = 0; i < 130; i++) {
    len += (size_t)snprintf(out + len, cap - len,
                            "ex:b%u a res:Cloud ; res:cloudName \"b%u\" ; res:offers ex:b%us .\n"
                            "ex:b%us a res:StorageService ; res:availability %s ;"
                            " res:replicationFactor %u", i, i, i, i,
                            avail_of[again ? (i % 4 ? 0 : 1) : 1 + 2 * (i % 2)], 3 + i % 3);
    if (i < 128)
      len += (size_t)snprintf(out + len, cap - len, " ; res:storageAccess res:%s",
                              i < 66 ? "NFS" : "SMB");
    len += (size_t)snprintf(out + len, cap - len, " .\n");
  }
  return out;
}

/* Every query on the incremental indexes (the reader's, kept across every
 * change, and the writer's own), on a fresh index, and on the SQL path. */
static void
compare_all(icx_store *reader, icx_store *writer, const char *db, char **queries, size_t nq,
            unsigned step)
{
  icx_store *fresh = NULL;
  size_t q;

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &fresh), ICX_OK);
  for (q = 0; q < nq; q++) {
    char *kept = answer(reader, queries[q], ICX_MATCH_PATH_INDEX);
    char *own = answer(writer, queries[q], ICX_MATCH_PATH_INDEX);
    char *whole = answer(fresh, queries[q], ICX_MATCH_PATH_INDEX);
    char *sql = answer(reader, queries[q], ICX_MATCH_PATH_SQL);
    ck_assert_msg(!strcmp(kept, whole), "step %u, query %zu: kept index %s, fresh %s", step, q,
                  kept, whole);
    ck_assert_msg(!strcmp(own, whole), "step %u, query %zu: writer's index %s, fresh %s", step,
                  q, own, whole);
    ck_assert_msg(!strcmp(sql, whole), "step %u, query %zu: SQL path %s, index %s", step, q,
                  sql, whole);
    free(kept);
    free(own);
    free(whole);
    free(sql);
  }
  icx_store_free(fresh);
}

START_TEST(changes_applied_answer_as_a_rebuild)
{
  char *db = tu_path(w.dir, "store.db"), *base = base_doc(0);
  char *queries[] = {
    tu_constraints("storageAccess", "NFS", NULL),
    tu_constraints("storageAccess", "SMB", NULL),
    tu_constraints("availability", "99.99", NULL),
    tu_constraints("availability", "99.0", NULL),
    tu_constraints("replicationFactor", "5", "storageAccess", "NFSv4", NULL),
    tu_constraints("availability", "99.9", "storageAccess", "SMB", NULL),
    /* Soft only: every cloud with a storage service answers, scored. */
    strdup("<constraints xmlns='http://www.csp/resOntology'><constraint required='false'"
           " weight='7'><attribute>storageAccess</attribute><value>NFS</value></constraint>"
           "<constraint required='false' weight='3'><attribute>availability</attribute>"
           "<value>99.99</value></constraint></constraints>"),
  };
  size_t nq = sizeof queries / sizeof queries[0], q;
  icx_store *reader = NULL, *other = NULL;
  int loaded[6] = { 0 };
  unsigned step;
  icx_index_stats st;

  rnd_state = 13;
  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &reader), ICX_OK);
  ck_assert_int_eq(icx_store_open(w.ctx, db, 0, &other), ICX_OK);
  load(w.store, "base", base);
  compare_all(reader, w.store, db, queries, nq, 0);
  for (step = 1; step <= 60; step++) {
    /* A document put or removed, through the handle that reads and keeps
     * its own index, or through another (as another process would); now
     * and then two changes between two reads. */
    unsigned changes = 1 + (rnd(4) == 0), k;
    for (k = 0; k < changes; k++) {
      unsigned d = rnd(6);
      icx_store *by = rnd(2) ? w.store : other;
      char name[16];
      snprintf(name, sizeof name, "d%u", d);
      if (loaded[d] && rnd(3) == 0) {
        char uri[32];
        snprintf(uri, sizeof uri, "urn:icx:doc:d%u", d);
        ck_assert_int_eq(icx_store_remove_document(by, uri), ICX_OK);
        loaded[d] = 0;
      } else {
        char *ttl = random_doc(d, step);
        load(by, name, ttl);
        free(ttl);
        loaded[d] = 1;
      }
    }
    compare_all(reader, w.store, db, queries, nq, step);
  }
  /* The base document replaced: many subjects at once, still applied. */
  free(base);
  base = base_doc(1);
  base[strlen(base) - 3] = '\0';
  strcat(base, "; res:storageAccess res:SMB .\n");
  load(other, "base", base);
  compare_all(reader, w.store, db, queries, nq, step);
  icx_index_get_stats(icx_store_attached(reader), &st);
  ck_assert_uint_eq(st.refreshes, 0);
  ck_assert_uint_ge(st.applies, 60);
  icx_store_free(other);
  icx_store_free(reader);
  for (q = 0; q < nq; q++)
    free(queries[q]);
  free(base);
  free(db);
}
END_TEST

/* Eight availabilities of 65 services each and four NFS-family protocols
 * of 130 each, all bitmaps, and ten services of 99.97 (a run): ranges
 * and families join four bitmaps and more, which the index joins lazily
 * (icx_index.c, LAZY_MIN), after the run; three join fewer.  The SQL
 * path answers each request alike. */
START_TEST(many_bitmaps_joined_answer_as_sql)
{
  static const char *const avail8[] = { "99.0", "99.5", "99.9", "99.95",
                                        "99.99", "99.995", "99.999", "99.9999" };
  static const char *const proto[] = { "NFS", "NFSv3", "NFSv4", "NFSv4_1", "SMB" };
  char *queries[] = {
    tu_constraints("availability", "99.0", NULL),
    tu_constraints("availability", "99.9", NULL),
    tu_constraints("availability", "99.995", NULL),
    tu_constraints("storageAccess", "NFS", NULL),
    tu_constraints("availability", "99.9", "storageAccess", "NFS", NULL),
  };
  size_t nq = sizeof queries / sizeof queries[0], cap = 262144, len = 0, q, k, n_bm = 0;
  char *ttl = malloc(cap);
  const icx_index_pred *avail;
  unsigned i;

  ck_assert_ptr_nonnull(ttl);
  len += (size_t)snprintf(ttl, cap, "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n");
  for (i = 0; i < 530; i++)
    len += (size_t)snprintf(ttl + len, cap - len,
                            "ex:m%u a res:Cloud ; res:cloudName \"m%u\" ; res:offers ex:m%us .\n"
                            "ex:m%us a res:StorageService ; res:availability %s ;"
                            " res:storageAccess res:%s .\n", i, i, i, i,
                            i < 520 ? avail8[i % 8] : "99.97", proto[i % 5]);
  ck_assert_uint_lt(len, cap);
  load(w.store, "many", ttl);
  avail = pred_of(get_index(), "availability");
  for (k = 0; k < avail->n_val; k++)
    n_bm += avail->val_bm[k] != NULL;
  ck_assert_uint_eq(n_bm, 8);
  for (q = 0; q < nq; q++) {
    char *ix = answer(w.store, queries[q], ICX_MATCH_PATH_INDEX);
    char *sql = answer(w.store, queries[q], ICX_MATCH_PATH_SQL);
    ck_assert_msg(!strcmp(ix, sql), "query %zu: index %s, SQL path %s", q, ix, sql);
    ck_assert_msg(q != 0 || (strstr(ix, "m529:") && strstr(ix, "m0:")), "%s", ix);
    free(ix);
    free(sql);
    free(queries[q]);
  }
  free(ttl);
}
END_TEST

/* A document put again and again with the same names: each time its
 * clouds come back with names to place, whose texts the index has
 * already; it keeps each text once and does not grow. */
START_TEST(republished_names_keep_their_texts_once)
{
  char *xml = tu_constraints("storageAccess", "NFS", NULL), *base = base_doc(0), *a, *b;
  icx_index *ix;
  size_t txt = 0;
  unsigned k;

  load(w.store, "base", base);
  for (k = 0; k < 40; k++) {
    load(w.store, "base", base);
    a = match_on(w.store, xml, ICX_MATCH_PATH_INDEX);
    b = match_on(w.store, xml, ICX_MATCH_PATH_SQL);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ix = icx_store_attached(w.store);
    ck_assert_ptr_nonnull(ix);
    ck_assert_int_eq(icx_index_names_order(w.ctx, ix), ICX_OK);
    if (k == 0)
      txt = ix->n_txt;
    ck_assert_msg(ix->n_txt == txt, "put %u: %zu bytes of names, %zu after the first", k,
                  ix->n_txt, txt);
  }
  free(base);
  free(xml);
}
END_TEST

START_TEST(unlogged_write_empties_the_index)
{
  /* A write through librdf, outside the document calls, logs a change
   * that says "anything": the reader's index is read again whole. */
  char *xml = tu_constraints("storageAccess", "NFS", NULL);
  char *db = tu_path(w.dir, "store.db");
  icx_store *reader = NULL;
  librdf_world *world = icx_ctx_world(w.ctx);
  librdf_node *g = librdf_new_node_from_uri_string(world, (const unsigned char *)"urn:icx:doc:doc");
  librdf_statement *x = librdf_new_statement_from_nodes(
    world, librdf_new_node_from_uri_string(world, (const unsigned char *)TU_EX "s3"),
    librdf_new_node_from_uri_string(world, (const unsigned char *)TU_RES "storageAccess"),
    librdf_new_node_from_uri_string(world, (const unsigned char *)TU_RES "NFS"));
  icx_index_stats st;

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &reader), ICX_OK);
  expect_both(reader, xml, "c1 c2");
  ck_assert_int_eq(librdf_model_context_add_statement(icx_store_model(w.store), g, x), 0);
  expect_both(reader, xml, "c1 c2 c3");
  icx_index_get_stats(icx_store_attached(reader), &st);
  ck_assert_uint_eq(st.refreshes, 1);
  ck_assert_uint_eq(st.applies, 0);
  librdf_free_statement(x);
  librdf_free_node(g);
  icx_store_free(reader);
  free(db);
  free(xml);
}
END_TEST

/* A commit that writes no document (icxd's subscriptions and sessions
 * are rows of the same store) leaves the change log where it was: a
 * reader's index stands, neither read again nor applied to, and still
 * follows the next document. */
START_TEST(write_outside_documents_keeps_the_index)
{
  char *xml = tu_constraints("storageAccess", "NFS", NULL);
  char *db = tu_path(w.dir, "store.db");
  icx_store *reader = NULL;
  icx_index_stats st;
  long long id;
  int i;

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &reader), ICX_OK);
  expect_both(reader, xml, "c1 c2");
  for (i = 0; i < 3; i++) {
    ck_assert_int_eq(icx_store_subs_add(w.store, "a@c.test", xml, "", NULL, &id), ICX_OK);
    expect_both(reader, xml, "c1 c2");
  }
  icx_index_get_stats(icx_store_attached(reader), &st);
  ck_assert_uint_eq(st.refreshes, 0);
  ck_assert_uint_eq(st.applies, 0);
  load(w.store, "more", "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n"
                        "ex:c4 a res:Cloud ; res:cloudName \"c4\" ; res:offers ex:s4 .\n"
                        "ex:s4 a res:StorageService ; res:storageAccess res:NFSv4 .\n");
  expect_both(reader, xml, "c1 c2 c4");
  ck_assert_int_eq(icx_store_subs_add(w.store, "a@c.test", xml, "", NULL, &id), ICX_OK);
  expect_both(reader, xml, "c1 c2 c4");
  icx_index_get_stats(icx_store_attached(reader), &st);
  ck_assert_uint_eq(st.refreshes, 0);
  ck_assert_uint_eq(st.applies, 1);
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

/* icx_match_warm() reads what requests would read first: afterwards
 * requests over several attributes read no predicate more, and the
 * index still follows a change. */
START_TEST(warm_reads_what_requests_read)
{
  static const char *const req[][2] = {
    { "storageAccess", "NFS" }, { "availability", "99.9" },
    { "tierCountry", "EU" }, { "replicationFactor", "3" },
  };
  icx_index_stats before, after;
  size_t i;

  ck_assert_int_eq(icx_match_warm(NULL, w.vocab, w.store), ICX_ERR_MISUSE);
  ck_assert_msg(icx_match_warm(w.ctx, w.vocab, w.store) == ICX_OK, "%s", icx_ctx_errmsg(w.ctx));
  icx_index_get_stats(get_index(), &before);
  ck_assert_uint_eq(before.clouds, 3);
  ck_assert_uint_ge(before.predicates, 4);
  for (i = 0; i < sizeof req / sizeof *req; i++) {
    char *xml = tu_constraints(req[i][0], req[i][1], NULL);
    free(match_on(w.store, xml, ICX_MATCH_PATH_INDEX));
    free(xml);
  }
  icx_index_get_stats(get_index(), &after);
  ck_assert_uint_eq(after.predicates, before.predicates);
  ck_assert_uint_eq(after.refreshes, 0);
  load(w.store, "more", "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n"
                        "ex:c4 a res:Cloud ; res:cloudName \"c4\" ; res:offers ex:s4 .\n"
                        "ex:s4 a res:StorageService ; res:storageAccess res:NFSv4 .\n");
  {
    char *xml = tu_constraints("storageAccess", "NFS", NULL);
    expect_both(w.store, xml, "c1 c2 c4");
    free(xml);
  }
}
END_TEST

START_TEST(strings_take_the_sql_path)
{
  /* A string compared with a value is not in the typed plan: the index
   * refuses the request, and icx_match_run() answers it on SQL. */
  tu_world x;
  char *onto, *data;
  icx_constraints *set;
  const char *v[] = { "gold" };
  icx_match *m = NULL;

  tu_world_open(&x);
  onto = tu_ontology_with_tier(x.dir);
  data = tu_path(x.dir, "data.ttl");
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
  tcase_add_test(tc, offers_in_long_blocks);
  tcase_add_test(tc, another_handle_changes_the_answer);
  tcase_add_test(tc, unchanged_store_keeps_the_index);
  tcase_add_test(tc, write_outside_documents_keeps_the_index);
  tcase_add_test(tc, changes_applied_answer_as_a_rebuild);
  tcase_add_test(tc, many_bitmaps_joined_answer_as_sql);
  tcase_add_test(tc, republished_names_keep_their_texts_once);
  tcase_add_test(tc, unlogged_write_empties_the_index);
  tcase_add_test(tc, strings_take_the_sql_path);
  tcase_add_test(tc, warm_reads_what_requests_read);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(index_suite());
}

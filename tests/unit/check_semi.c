/* check_semi.c - subject sets (icx_semi.h): ranges and object lists
 * filled from a small store, their intersection, terms the store lacks,
 * and the SQL function icx_in() that reads them. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_schema.h"
#include "icx_semi.h"
#include "icx_store_ids.h"

#define RES TU_RES
#define EX TU_EX

static tu_world w;
static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static icx_id s1, s2, s3, c1;

static icx_id
id_of(const char *iri)
{
  icx_id id = icx_store_iri_id(store, iri);

  ck_assert_msg(id > 0, "no term <%s>", iri);
  return id;
}

static void
setup(void)
{
  tu_world_turtle(&w, tu_three_clouds);
  ctx = w.ctx;
  vocab = w.vocab;
  store = w.store;
  s1 = id_of(EX "s1");
  s2 = id_of(EX "s2");
  s3 = id_of(EX "s3");
  c1 = id_of(EX "c1");
  ck_assert_int_eq(icx_semi_register(icx_store_db(store)), SQLITE_OK);
}

static void
teardown(void)
{
  tu_world_close(&w);
}

/* icx_in(set k of s, id) through a statement: 1, 0, or -1 (SQLite failed).
 * k < 0 binds no set. */
static int
in_set(const icx_semi *s, int k, icx_id id)
{
  sqlite3 *db = icx_store_db(store);
  sqlite3_stmt *st = NULL;
  int v = -1;

  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT icx_in(?1, ?2)", -1, &st, NULL), SQLITE_OK);
  if (k >= 0)
    ck_assert_int_eq(icx_semi_bind(s, k, st, 1), SQLITE_OK);
  sqlite3_bind_int64(st, 2, id);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return v;
}

START_TEST(a_range_keeps_the_subjects_in_it)
{
  icx_semi *s = icx_semi_new(NULL);
  int k;

  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(k = icx_semi_add_set(s), 0);
  ck_assert_int_eq(icx_semi_add_range(s, k, id_of(RES "availability"), 99.5, HUGE_VAL), 0);
  ck_assert_int_eq(icx_semi_count(s), 1);
  ck_assert_int_eq(icx_semi_fill(ctx, s, store), ICX_OK);
  ck_assert_int_eq(in_set(s, k, s1), 1);
  ck_assert_int_eq(in_set(s, k, s2), 1);
  ck_assert_int_eq(in_set(s, k, s3), 0);
  ck_assert_int_eq(in_set(s, k, c1), 0);
  ck_assert_int_eq(in_set(s, k, -5), 0);          /* no such id */
  ck_assert_int_eq(in_set(s, k, 1000000), 0);     /* past the largest id */
  /* Filled again (the next run of a statement), the same. */
  ck_assert_int_eq(icx_semi_fill(ctx, s, store), ICX_OK);
  ck_assert_int_eq(in_set(s, k, s1), 1);
  ck_assert_int_eq(in_set(s, k, s3), 0);
  icx_semi_free(s);
}
END_TEST

START_TEST(objects_and_intersections)
{
  icx_semi *s = icx_semi_new(NULL);
  icx_id nfs[2], p_access = id_of(RES "storageAccess");
  int a, b;

  nfs[0] = -1;                                    /* a term the store lacks: skipped */
  nfs[1] = id_of(RES "NFS");
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(a = icx_semi_add_set(s), 0);
  ck_assert_int_eq(icx_semi_add_objects(s, a, p_access, nfs, 2), 0);
  /* Two patterns on one set: availability >= 99.95 and replication >= 4. */
  ck_assert_int_eq(b = icx_semi_add_set(s), 1);
  ck_assert_int_eq(icx_semi_add_range(s, b, id_of(RES "availability"), 99.95, HUGE_VAL), 0);
  ck_assert_int_eq(icx_semi_add_range(s, b, id_of(RES "replicationFactor"), 4, HUGE_VAL), 0);
  ck_assert_int_eq(icx_semi_count(s), 2);
  ck_assert_int_eq(icx_semi_fill(ctx, s, store), ICX_OK);
  ck_assert_int_eq(in_set(s, a, s1), 1);
  ck_assert_int_eq(in_set(s, a, s2), 1);
  ck_assert_int_eq(in_set(s, a, s3), 0);
  ck_assert_int_eq(in_set(s, b, s1), 0);
  ck_assert_int_eq(in_set(s, b, s2), 1);
  ck_assert_int_eq(in_set(s, b, s3), 0);
  icx_semi_free(s);
}
END_TEST

/* Terms the store lacks (negative ids) match nothing: the set is empty. */
START_TEST(missing_terms_give_empty_sets)
{
  icx_semi *s = icx_semi_new(NULL);
  icx_id none = -1, nfs = id_of(RES "NFS");
  int a, b, c;

  ck_assert_ptr_nonnull(s);
  a = icx_semi_add_set(s);
  ck_assert_int_eq(icx_semi_add_range(s, a, -1, -HUGE_VAL, HUGE_VAL), 0);
  b = icx_semi_add_set(s);
  ck_assert_int_eq(icx_semi_add_objects(s, b, id_of(RES "storageAccess"), &none, 1), 0);
  c = icx_semi_add_set(s);
  ck_assert_int_eq(icx_semi_add_objects(s, c, -1, &nfs, 1), 0);
  ck_assert_int_eq(icx_semi_fill(ctx, s, store), ICX_OK);
  ck_assert_int_eq(in_set(s, a, s1), 0);
  ck_assert_int_eq(in_set(s, b, s1), 0);
  ck_assert_int_eq(in_set(s, c, s1), 0);
  /* A range that holds no number of the store: empty too. */
  a = icx_semi_add_set(s);
  ck_assert_int_eq(icx_semi_add_range(s, a, id_of(RES "availability"), 100.5, HUGE_VAL), 0);
  ck_assert_int_eq(icx_semi_fill(ctx, s, store), ICX_OK);
  ck_assert_int_eq(in_set(s, a, s2), 0);
  icx_semi_free(s);
}
END_TEST

/* A set only ever narrows: no set bound, or a set not filled, lets every
 * id through. */
START_TEST(unbound_and_unfilled_sets_let_all_through)
{
  icx_semi *s = icx_semi_new(NULL);
  int k;

  ck_assert_ptr_nonnull(s);
  k = icx_semi_add_set(s);
  ck_assert_int_eq(icx_semi_add_range(s, k, id_of(RES "availability"), 99.5, HUGE_VAL), 0);
  ck_assert_int_eq(in_set(s, -1, s3), 1);
  ck_assert_int_eq(in_set(s, k, s3), 1);
  icx_semi_free(s);
}
END_TEST

START_TEST(no_sets)
{
  icx_semi *s = icx_semi_new(NULL);

  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(icx_semi_count(s), 0);
  ck_assert_int_eq(icx_semi_count(NULL), 0);
  ck_assert_int_eq(icx_semi_fill(ctx, s, store), ICX_OK);
  ck_assert_int_eq(icx_semi_fill(ctx, NULL, store), ICX_OK);
  /* Registering again only checks. */
  ck_assert_int_eq(icx_semi_register(icx_store_db(store)), SQLITE_OK);
  icx_semi_free(s);
  icx_semi_free(NULL);
}
END_TEST

static Suite *
semi_suite(void)
{
  Suite *s = suite_create("semi");
  TCase *tc = tcase_create("sets");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, a_range_keeps_the_subjects_in_it);
  tcase_add_test(tc, objects_and_intersections);
  tcase_add_test(tc, missing_terms_give_empty_sets);
  tcase_add_test(tc, unbound_and_unfilled_sets_let_all_through);
  tcase_add_test(tc, no_sets);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(semi_suite());
}

/* check_postings_sort.c - pairs gathered by key (engine/store/
 * icx_postings_sort.h): random pairs given back against a sort of our
 * own, in memory and through runs written to the temporary file, the
 * order kept under one key across runs, ids at their extremes, a walk
 * stopped by its callback, and where the temporary file goes. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "icx_postings_sort.h"

typedef struct pair {
  icx_id a, b;
  icx_posting e;
  size_t seq;                 /* when it was added */
} pair;

typedef struct got {
  pair *v;
  size_t n, cap, stop_at;
} got;

static int
take(void *ud, icx_id a, icx_id b, icx_posting e)
{
  got *g = ud;

  if (g->stop_at && g->n == g->stop_at)
    return 7;
  ck_assert_uint_lt(g->n, g->cap);
  g->v[g->n].a = a;
  g->v[g->n].b = b;
  g->v[g->n].e = e;
  g->n++;
  return 0;
}

static int
by_key_then_seq(const void *p, const void *q)
{
  const pair *x = p, *y = q;

  if (x->a != y->a)
    return x->a < y->a ? -1 : 1;
  if (x->b != y->b)
    return x->b < y->b ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An id: a few keys most of the time (long lists under one key), any
 * 64 bits now and then. */
static icx_id
random_id(unsigned *seed, int few)
{
  uint64_t x;

  if (rand_r(seed) % 8)
    return (icx_id)(rand_r(seed) % few) - few / 3;
  x = ((uint64_t)rand_r(seed) << 42) ^ ((uint64_t)rand_r(seed) << 21) ^ (uint64_t)rand_r(seed) ^
      ((uint64_t)(rand_r(seed) & 3) << 62);
  return (icx_id)x;
}

/* Adds want's n pairs to ps in order, then asks for them back: they must
 * come sorted by key, each key's in the order added.  want is sorted. */
static void
add_and_compare(icx_postings_sort *ps, pair *want, size_t n, size_t want_runs_at_least)
{
  got g = { calloc(n + 1, sizeof *g.v), 0, n + 1, 0 };
  size_t i;

  ck_assert_ptr_nonnull(g.v);
  for (i = 0; i < n; i++) {
    want[i].seq = i;
    ck_assert_int_eq(icx_postings_sort_add(ps, want[i].a, want[i].b, want[i].e), 0);
  }
  ck_assert_int_eq(icx_postings_sort_walk(ps, take, &g), 0);
  ck_assert_uint_ge(icx_postings_sort_runs(ps), want_runs_at_least);
  qsort(want, n, sizeof *want, by_key_then_seq);
  ck_assert_uint_eq(g.n, n);
  for (i = 0; i < n; i++) {
    ck_assert_int_eq(g.v[i].a, want[i].a);
    ck_assert_int_eq(g.v[i].b, want[i].b);
    ck_assert_int_eq(g.v[i].e.x, want[i].e.x);
    ck_assert_int_eq(g.v[i].e.y, want[i].e.y);
  }
  free(g.v);
}

/* n random pairs through a sorter of runs of run pairs. */
static void
sort_and_compare(size_t n, size_t run, unsigned seed, size_t want_runs_at_least)
{
  icx_postings_sort *ps = icx_postings_sort_new(run);
  pair *want = calloc(n + 1, sizeof *want);
  size_t i;

  ck_assert(ps && want);
  for (i = 0; i < n; i++) {
    want[i].a = random_id(&seed, 5);
    want[i].b = random_id(&seed, 40);
    want[i].e.x = random_id(&seed, 1000);
    want[i].e.y = random_id(&seed, 3);
  }
  add_and_compare(ps, want, n, want_runs_at_least);
  icx_postings_sort_free(ps);
  free(want);
}

START_TEST(an_empty_sorter_gives_nothing)
{
  icx_postings_sort *ps = icx_postings_sort_new(0);
  got g = { NULL, 0, 0, 0 };

  ck_assert_int_eq(icx_postings_sort_walk(ps, take, &g), 0);
  ck_assert_uint_eq(g.n, 0);
  ck_assert_uint_eq(icx_postings_sort_runs(ps), 0);
  icx_postings_sort_free(ps);
  icx_postings_sort_free(NULL);
}
END_TEST

START_TEST(pairs_in_memory_come_back_by_key)
{
  sort_and_compare(5000, 0, 11u + (unsigned)_i, 0);
}
END_TEST

START_TEST(pairs_through_runs_come_back_by_key)
{
  /* Runs of 1, of 7 and of 600 pairs: every key split across runs. */
  static const size_t runs[] = { 1, 7, 600 };

  sort_and_compare(20000, runs[_i % 3], 101u + (unsigned)_i, 20000 / runs[_i % 3]);
}
END_TEST

START_TEST(a_key_split_across_runs_keeps_its_order)
{
  /* One key, its pairs added out of their own order: given back as
   * added, run after run; another key between them goes to its place. */
  icx_postings_sort *ps = icx_postings_sort_new(2);
  static const icx_id xs[] = { 9, 3, 7, 1, 8 };
  got g = { calloc(8, sizeof *g.v), 0, 8, 0 };
  size_t i;

  for (i = 0; i < 5; i++) {
    ck_assert_int_eq(icx_postings_sort_add(ps, 4, 4, (icx_posting){ xs[i], 0 }), 0);
    if (i == 2)
      ck_assert_int_eq(icx_postings_sort_add(ps, 4, 3, (icx_posting){ 5, 5 }), 0);
  }
  ck_assert_int_eq(icx_postings_sort_walk(ps, take, &g), 0);
  ck_assert_uint_eq(icx_postings_sort_runs(ps), 3);
  ck_assert_uint_eq(g.n, 6);
  ck_assert(g.v[0].b == 3 && g.v[0].e.x == 5);
  for (i = 0; i < 5; i++)
    ck_assert(g.v[1 + i].b == 4 && g.v[1 + i].e.x == xs[i]);
  icx_postings_sort_free(ps);
  free(g.v);
}
END_TEST

START_TEST(ids_at_their_extremes_come_back_whole)
{
  static const icx_id ids[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX };
  const size_t k = sizeof ids / sizeof *ids, n = k * k * k * k;
  icx_postings_sort *ps = icx_postings_sort_new(_i ? 5 : 0);
  pair *want = calloc(n, sizeof *want);
  size_t i;

  /* Every key and pair of extremes, the keys from the largest down. */
  ck_assert(ps && want);
  for (i = 0; i < n; i++) {
    size_t r = n - 1 - i;
    want[i].a = ids[r / (k * k * k)];
    want[i].b = ids[r / (k * k) % k];
    want[i].e.x = ids[r / k % k];
    want[i].e.y = ids[r % k];
  }
  add_and_compare(ps, want, n, _i ? n / 5 : 0);
  icx_postings_sort_free(ps);
  free(want);
}
END_TEST

START_TEST(a_callback_stops_the_walk)
{
  icx_postings_sort *ps = icx_postings_sort_new(_i ? 3 : 0);
  got g = { calloc(20, sizeof *g.v), 0, 20, 4 };
  size_t i;

  for (i = 0; i < 20; i++)
    ck_assert_int_eq(icx_postings_sort_add(ps, 1, (icx_id)(20 - i), (icx_posting){ 1, 0 }), 0);
  ck_assert_int_eq(icx_postings_sort_walk(ps, take, &g), 7);
  ck_assert_uint_eq(g.n, 4);
  ck_assert_int_eq(g.v[3].b, 4);
  icx_postings_sort_free(ps);
  free(g.v);
}
END_TEST

/* The number of entries in folder dir, . and .. aside. */
static int
entries_in(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d)))
    n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return n;
}

START_TEST(runs_go_to_tmpdir_and_leave_no_name)
{
  /* _i 0: $TMPDIR a folder, which the runs' file never shows in; 1: a
   * folder that is not there, passed over for /var/tmp or /tmp. */
  char dir[] = "/tmp/check-postings-sort-XXXXXX", gone[64];
  const char *old = getenv("TMPDIR");
  char *keep = old ? strdup(old) : NULL;
  icx_postings_sort *ps = icx_postings_sort_new(4);
  got g = { calloc(100, sizeof *g.v), 0, 100, 0 };
  size_t i;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(gone, sizeof gone, "%s/not-there", dir);
  setenv("TMPDIR", _i ? gone : dir, 1);
  for (i = 0; i < 100; i++)
    ck_assert_int_eq(icx_postings_sort_add(ps, 1, (icx_id)(i % 10), (icx_posting){ (icx_id)i, 0 }),
                     0);
  ck_assert_uint_ge(icx_postings_sort_runs(ps), 24);
  ck_assert_int_eq(entries_in(dir), 0);
  ck_assert_int_eq(icx_postings_sort_walk(ps, take, &g), 0);
  ck_assert_uint_eq(g.n, 100);
  ck_assert(g.v[0].b == 0 && g.v[0].e.x == 0 && g.v[99].b == 9 && g.v[99].e.x == 99);
  icx_postings_sort_free(ps);
  if (keep)
    setenv("TMPDIR", keep, 1);
  else
    unsetenv("TMPDIR");
  free(keep);
  free(g.v);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
postings_sort_suite(void)
{
  Suite *s = suite_create("postings_sort");
  TCase *tc = tcase_create("sort");

  tcase_add_test(tc, an_empty_sorter_gives_nothing);
  tcase_add_loop_test(tc, pairs_in_memory_come_back_by_key, 0, 3);
  tcase_add_loop_test(tc, pairs_through_runs_come_back_by_key, 0, 6);
  tcase_add_test(tc, a_key_split_across_runs_keeps_its_order);
  tcase_add_loop_test(tc, ids_at_their_extremes_come_back_whole, 0, 2);
  tcase_add_loop_test(tc, a_callback_stops_the_walk, 0, 2);
  tcase_add_loop_test(tc, runs_go_to_tmpdir_and_leave_no_name, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(postings_sort_suite());
}

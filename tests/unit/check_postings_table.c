/* check_postings_table.c - posting chunks in an SQLite table
 * (engine/store/icx_postings_table.h): edits at random against a model,
 * the rows checked for the layout the header promises after each batch;
 * walks of a range of keys against a model; fills in either order; sorted
 * appends; subject rows; damage said. */
#include "config.h"

#include <check.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_postings_table.h"

#define P(s, g) ((icx_posting){ (s), (g) })

#define TP 2                        /* predicates 1..TP */
#define TO 3                        /* objects 1..TO */
#define TS 700                      /* subjects 1..TS */
#define TG 3                        /* graphs 1..TG */

static sqlite3 *tdb;
static icx_postings_table *tt;

static void
table_setup(void)
{
  static const icx_postings_layout by_po = ICX_POSTINGS_BY_PO;

  ck_assert_int_eq(sqlite3_open(":memory:", &tdb), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(tdb, ICX_POSTINGS_TABLE_SQL("postings", "p", "o", "s0", "g0"),
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_ptr_nonnull(tt = icx_postings_table_new(tdb, &by_po));
}

static void
table_teardown(void)
{
  icx_postings_table_free(tt);
  sqlite3_close(tdb);
}

/* A walk's entries, gathered. */
typedef struct gathered {
  icx_posting v[TO * TS * TG];
  icx_id o[TO * TS * TG];
  size_t n, chunks;
} gathered;

static int
gather(void *ud, icx_id o, const icx_posting *v, size_t n)
{
  gathered *g = ud;
  size_t i;

  ck_assert(n >= 1 && n <= ICX_POSTINGS_CHUNK);
  for (i = 0; i < n; i++) {
    g->o[g->n] = o;
    g->v[g->n++] = v[i];
  }
  g->chunks++;
  return 0;
}

/* Every row of the table is a chunk keyed by its first entry; the chunks
 * of one (p, o) do not overlap. */
static void
rows_are_chunks(void)
{
  sqlite3_stmt *st;
  icx_posting v[ICX_POSTINGS_CHUNK], last = { 0, 0 };
  icx_id lp = 0, lo = 0;

  ck_assert_int_eq(sqlite3_prepare_v2(tdb, "SELECT p, o, s0, g0, rest FROM postings"
                                      " ORDER BY p, o, s0, g0", -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    icx_posting first = { sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3) };
    const void *rest = sqlite3_column_blob(st, 4);
    int n = icx_postings_decode(first, rest, (size_t)sqlite3_column_bytes(st, 4), v);
    ck_assert_int_ge(n, 1);
    if (sqlite3_column_int64(st, 0) == lp && sqlite3_column_int64(st, 1) == lo)
      ck_assert_int_lt(icx_posting_cmp(last, v[0]), 0);
    lp = sqlite3_column_int64(st, 0);
    lo = sqlite3_column_int64(st, 1);
    last = v[n - 1];
  }
  sqlite3_finalize(st);
}

START_TEST(table_edits_agree_with_a_model)
{
  static unsigned char model[TP][TO][TS][TG];
  unsigned seed = 11 + (unsigned)_i;
  int round;

  memset(model, 0, sizeof model);
  for (round = 0; round < 6000; round++) {
    int p = rand_r(&seed) % TP, o = rand_r(&seed) % TO;
    /* Runs of subjects in order now and then, as a load adds them. */
    int s = round % 500 < 200 ? round % TS : rand_r(&seed) % TS, g = rand_r(&seed) % TG;
    icx_posting e = P(s + 1, g + 1);
    int rc;

    if (rand_r(&seed) % 4) {
      rc = icx_postings_table_add(tt, p + 1, o + 1, e);
      ck_assert_int_eq(rc, !model[p][o][s][g]);
      model[p][o][s][g] = 1;
    } else {
      rc = icx_postings_table_remove(tt, p + 1, o + 1, e);
      ck_assert_int_eq(rc, model[p][o][s][g]);
      model[p][o][s][g] = 0;
    }
    if (round % 500 == 499) {
      static gathered got;
      size_t k, total = 0;
      char why[256];
      rows_are_chunks();
      for (k = 0; k < sizeof model; k++)
        total += ((unsigned char *)model)[k];
      ck_assert_int_eq(icx_postings_table_check(tt, why, sizeof why), (long long)total);
      for (p = 0; p < TP; p++) {
        got.n = got.chunks = 0;
        ck_assert_int_eq(icx_postings_table_walk(tt, p + 1, 0, gather, &got), 0);
        k = 0;
        for (o = 0; o < TO; o++)
          for (s = 0; s < TS; s++)
            for (g = 0; g < TG; g++)
              if (model[p][o][s][g]) {
                ck_assert(k < got.n && got.o[k] == o + 1 && got.v[k].x == s + 1 &&
                          got.v[k].y == g + 1);
                k++;
              }
        ck_assert_int_eq(k, got.n);
        /* One object alone reads the same as its part of the whole. */
        got.n = got.chunks = 0;
        ck_assert_int_eq(icx_postings_table_walk(tt, p + 1, 2, gather, &got), 0);
        for (k = 0; k < got.n; k++)
          ck_assert(got.o[k] == 2 && model[p][1][got.v[k].x - 1][got.v[k].y - 1]);
      }
    }
  }
}
END_TEST

/* The keys b of the range walks: sparse, negative too, and at both ends
 * of the ids, as icx_postings_num_key() makes them. */
static const icx_id range_b[] = { INT64_MIN, INT64_MIN + 1, -1000, -2, 0, 1, 2, 3, 7, 8, 9,
                                  100, 102, (icx_id)1 << 40, INT64_MAX - 1, INT64_MAX };
#define RB ((int)(sizeof range_b / sizeof *range_b))
#define RS 300                      /* subjects 1..RS */

/* A walk of a's range [lo, hi] gives the model's pairs there, in key
 * order; m is the model's part under a. */
static void
range_walk_agrees(unsigned char (*m)[RS][2], icx_id a, icx_id lo, icx_id hi)
{
  static gathered got;
  size_t k = 0;
  int b, s, g;

  got.n = got.chunks = 0;
  ck_assert_int_eq(icx_postings_table_walk_range(tt, a, lo, hi, gather, &got), 0);
  for (b = 0; b < RB; b++)
    if (range_b[b] >= lo && range_b[b] <= hi)
      for (s = 0; s < RS; s++)
        for (g = 0; g < 2; g++)
          if (m[b][s][g]) {
            ck_assert_msg(k < got.n && got.o[k] == range_b[b] && got.v[k].x == s + 1 &&
                          got.v[k].y == g + 1, "walk of %lld, [%lld, %lld]: pair %zu is not "
                          "(%lld, %d, %d)", a, lo, hi, k, range_b[b], s + 1, g + 1);
            k++;
          }
  ck_assert_msg(k == got.n, "walk of %lld, [%lld, %lld]: %zu pairs, not %zu", a, lo, hi, got.n,
                k);
}

START_TEST(range_walks_agree_with_a_model)
{
  static unsigned char model[2][RB][RS][2];
  icx_id ends[3 * RB];
  unsigned seed = 31 + (unsigned)_i;
  int round, a, i, j, n = 0;

  memset(model, 0, sizeof model);
  for (round = 0; round < 6000; round++) {
    int ai = rand_r(&seed) % 2, b = rand_r(&seed) % RB, s = rand_r(&seed) % RS,
        g = rand_r(&seed) % 2;
    /* Some keys have no chunks under one a: ranges of nothing between
     * keys that have. */
    if ((b + ai) % 4 == 0)
      continue;
    ck_assert_int_eq(icx_postings_table_add(tt, ai + 1, range_b[b], P(s + 1, g + 1)),
                     !model[ai][b][s][g]);
    model[ai][b][s][g] = 1;
  }
  /* Every range whose ends are keys or their neighbours: single keys,
   * empty ones, ones with lo > hi, ones at the ends of the ids. */
  for (i = 0; i < RB; i++) {
    ends[n++] = range_b[i];
    if (range_b[i] > INT64_MIN)
      ends[n++] = range_b[i] - 1;
    if (range_b[i] < INT64_MAX)
      ends[n++] = range_b[i] + 1;
  }
  for (a = 0; a < 2; a++)
    for (i = 0; i < n; i++)
      for (j = 0; j < n; j++)
        range_walk_agrees(model[a], a + 1, ends[i], ends[j]);
  /* An a with no chunks at all. */
  range_walk_agrees(model[0], 3, 1, 0);
  range_walk_agrees(model[0], 3, 5, 5);
}
END_TEST

START_TEST(entries_added_in_order_fill_chunks)
{
  static gathered got;
  icx_id s;

  for (s = 1; s <= 1000; s++)
    ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(s, 1)), 1);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, gather, &got), 0);
  ck_assert_int_eq(got.n, 1000);
  ck_assert_int_eq(got.chunks, (1000 + ICX_POSTINGS_CHUNK - 1) / ICX_POSTINGS_CHUNK);
  /* Added in the other order, into the first chunk's front: split in
   * halves, not a chunk an entry. */
  got.n = got.chunks = 0;
  for (s = 1000; s >= 1; s--)
    ck_assert_int_eq(icx_postings_table_add(tt, 1, 2, P(s, 1)), 1);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 2, gather, &got), 0);
  ck_assert_int_eq(got.n, 1000);
  ck_assert_int_le(got.chunks, 1000 / (ICX_POSTINGS_CHUNK / 2) + 1);
  /* Removing a chunk's first entry keys it by the next. */
  ck_assert_int_eq(icx_postings_table_remove(tt, 1, 1, P(1, 1)), 1);
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(1, 1)), 1);
  rows_are_chunks();
}
END_TEST

static int
stop_at_first(void *ud, icx_id o, const icx_posting *v, size_t n)
{
  (void)ud;
  (void)o;
  (void)v;
  (void)n;
  return 7;
}

/* From inside a walk: the same kind of walk is refused, another kind
 * runs; the outer walk then goes on to its end. */
static int
walk_inside(void *ud, icx_id o, const icx_posting *v, size_t n)
{
  gathered *g = ud;
  static gathered inner;

  gather(g, o, v, n);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, gather, &inner), ICX_POSTINGS_ERR_BUSY);
  ck_assert_int_eq(icx_postings_table_walk_range(tt, 1, 2, 2, gather, &inner), 0);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 0, stop_at_first, NULL), 7);
  return 0;
}

START_TEST(a_walk_inside_its_own_kind_is_refused)
{
  static gathered got;
  icx_id s;

  for (s = 1; s <= 300; s++) {
    ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(s, 1)), 1);
    ck_assert_int_eq(icx_postings_table_add(tt, 1, 2, P(s, 1)), 1);
  }
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, walk_inside, &got), 0);
  ck_assert_int_eq(got.n, 300);
  ck_assert_int_eq(got.v[299].x, 300);
  /* And once it ended, the same walk runs again. */
  got.n = got.chunks = 0;
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, gather, &got), 0);
  ck_assert_int_eq(got.n, 300);
}
END_TEST

START_TEST(a_damaged_row_is_said)
{
  static gathered got;
  char why[256];

  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(5, 1)), 1);
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(6, 1)), 1);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, stop_at_first, NULL), 7);
  ck_assert_int_eq(icx_postings_table_walk_range(tt, 1, 0, 1, stop_at_first, NULL), 7);
  ck_assert_int_eq(icx_postings_table_check(tt, why, sizeof why), 2);
  /* A chunk that starts inside the one before it. */
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(9, 1)), 1);
  ck_assert_int_eq(sqlite3_exec(tdb, "INSERT INTO postings VALUES (1, 1, 6, 2, NULL)", NULL,
                                NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(icx_postings_table_check(tt, why, sizeof why), ICX_POSTINGS_ERR_DAMAGED);
  ck_assert_str_eq(why, "the chunk (1, 1, 6, 2) starts before the end of the one before it "
                   "(9, 1)");
  ck_assert_int_eq(sqlite3_exec(tdb, "DELETE FROM postings WHERE s0 = 6", NULL, NULL, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(tdb, "UPDATE postings SET rest = x'0301'", NULL, NULL, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, gather, &got), ICX_POSTINGS_ERR_DAMAGED);
  ck_assert_int_eq(icx_postings_table_walk_range(tt, 1, 1, 1, gather, &got),
                   ICX_POSTINGS_ERR_DAMAGED);
  ck_assert_int_eq(icx_postings_table_check(tt, why, sizeof why), ICX_POSTINGS_ERR_DAMAGED);
  ck_assert_str_eq(why, "the chunk (1, 1, 5, 1) is not a posting chunk");
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(7, 1)), ICX_POSTINGS_ERR_DAMAGED);
  ck_assert_int_eq(icx_postings_table_remove(tt, 1, 1, P(6, 1)), ICX_POSTINGS_ERR_DAMAGED);
  ck_assert_int_eq(sqlite3_exec(tdb, "UPDATE postings SET rest = 'text'", NULL, NULL, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 0, gather, &got), ICX_POSTINGS_ERR_DAMAGED);
  {
    static const icx_postings_layout none = { "no_such_table", "p", "o", "s0", "g0" },
                                     wrong = { "postings", "s", "g", "p0", "o0" };
    ck_assert_ptr_null(icx_postings_table_new(tdb, &none));
    ck_assert_ptr_null(icx_postings_table_new(tdb, &wrong));
  }
}
END_TEST

START_TEST(sorted_pairs_append_whole_chunks)
{
  static gathered got;
  icx_id s;

  for (s = 1; s <= 300; s++)
    ck_assert_int_eq(icx_postings_table_append(tt, 1, 1, P(s, 1 + s / 50)), 0);
  ck_assert_int_eq(icx_postings_table_append(tt, 1, 1, P(300, 8)), 0);   /* same s, next g */
  ck_assert_int_eq(icx_postings_table_append(tt, 1, 1, P(300, 8)), ICX_POSTINGS_ERR_ORDER);
  ck_assert_int_eq(icx_postings_table_append(tt, 1, 3, P(5, 1)), 0);
  ck_assert_int_eq(icx_postings_table_append(tt, 1, 2, P(9, 1)), ICX_POSTINGS_ERR_ORDER);
  ck_assert_int_eq(icx_postings_table_flush(tt), 0);
  ck_assert_int_eq(icx_postings_table_append(tt, 1, 3, P(5, 1)), ICX_POSTINGS_ERR_ORDER);
  ck_assert_int_eq(icx_postings_table_append(tt, 2, 1, P(1, 1)), 0);
  ck_assert_int_eq(icx_postings_table_flush(tt), 0);
  ck_assert_int_eq(icx_postings_table_flush(tt), 0);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 0, gather, &got), 0);
  ck_assert_int_eq(got.n, 302);
  ck_assert_int_eq(got.chunks, 4);              /* 128 + 128 + 45 under (1, 1), 1 under (1, 3) */
  ck_assert(got.v[300].x == 300 && got.v[300].y == 8 && got.o[301] == 3);
  rows_are_chunks();
  /* Edits after a build find its chunks. */
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(300, 8)), 0);
  ck_assert_int_eq(icx_postings_table_remove(tt, 1, 1, P(129, 3)), 1);
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(129, 3)), 1);
  rows_are_chunks();
}
END_TEST

/* The same calls keep subject rows: pairs (p, o) under (s, g). */
START_TEST(subject_rows_are_chunks_too)
{
  static const icx_postings_layout by_sg = ICX_POSTINGS_BY_SG;
  static const icx_posting said[] = { { 3, 40 }, { 7, 2 }, { 7, 9 }, { 12, 1 } };
  static gathered got;
  icx_postings_table *rows;
  size_t i;

  ck_assert_int_eq(sqlite3_exec(tdb, ICX_POSTINGS_TABLE_SQL("subject_rows", "s", "g", "p0", "o0"),
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_ptr_nonnull(rows = icx_postings_table_new(tdb, &by_sg));
  for (i = 4; i-- > 0;)
    ck_assert_int_eq(icx_postings_table_add(rows, 100, 5, said[i]), 1);
  ck_assert_int_eq(icx_postings_table_add(rows, 100, 6, said[0]), 1);   /* another graph */
  ck_assert_int_eq(icx_postings_table_walk(rows, 100, 5, gather, &got), 0);
  ck_assert_int_eq(got.n, 4);
  ck_assert_int_eq(got.chunks, 1);
  ck_assert_mem_eq(got.v, said, sizeof said);
  got.n = got.chunks = 0;
  ck_assert_int_eq(icx_postings_table_walk(rows, 100, 0, gather, &got), 0);
  ck_assert_int_eq(got.n, 5);
  ck_assert(got.o[4] == 6 && got.v[4].x == 3 && got.v[4].y == 40);
  icx_postings_table_free(rows);
}
END_TEST

static Suite *
postings_table_suite(void)
{
  Suite *s = suite_create("postings_table");
  TCase *tc = tcase_create("table");

  tcase_add_checked_fixture(tc, table_setup, table_teardown);
  tcase_add_loop_test(tc, table_edits_agree_with_a_model, 0, 3);
  tcase_add_loop_test(tc, range_walks_agree_with_a_model, 0, 2);
  tcase_add_test(tc, entries_added_in_order_fill_chunks);
  tcase_add_test(tc, a_damaged_row_is_said);
  tcase_add_test(tc, a_walk_inside_its_own_kind_is_refused);
  tcase_add_test(tc, subject_rows_are_chunks_too);
  tcase_add_test(tc, sorted_pairs_append_whole_chunks);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(postings_table_suite());
}

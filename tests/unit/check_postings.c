/* check_postings.c - posting chunks (engine/store/icx_postings.h): the
 * bytes of a chunk's rest, the bytes that are refused, random chunks
 * through encode and decode, and the edits of a chunk against a model;
 * then chunks in an SQLite table, edited at random against a model, the
 * rows checked for the layout the header promises after each change. */
#include "config.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_postings.h"
#include "icx_postings_table.h"
#include "icx_postings_vtab.h"

#define P(s, g) ((icx_posting){ (s), (g) })

static int
decode(icx_posting first, const unsigned char *rest, size_t len, icx_posting *out)
{
  return icx_postings_decode(first, len ? rest : NULL, len, out);
}

START_TEST(one_entry_has_no_rest)
{
  icx_posting v[1] = { P(7, 3) }, out[ICX_POSTINGS_CHUNK];
  unsigned char buf[ICX_POSTINGS_REST_MAX];

  ck_assert_int_eq(icx_postings_encode(v, 1, buf), 0);
  ck_assert_int_eq(decode(v[0], buf, 0, out), 1);
  ck_assert(out[0].x == 7 && out[0].y == 3);
}
END_TEST

START_TEST(one_graph_is_gaps_of_subjects)
{
  icx_posting v[] = { P(5, 2), P(6, 2), P(300, 2) }, out[ICX_POSTINGS_CHUNK];
  unsigned char buf[ICX_POSTINGS_REST_MAX];
  static const unsigned char want[] = { 1, 1, 0xa6, 0x02 };   /* 294 = 0x126 */

  ck_assert_int_eq(icx_postings_encode(v, 3, buf), (int)sizeof want);
  ck_assert_mem_eq(buf, want, sizeof want);
  ck_assert_int_eq(decode(v[0], buf, sizeof want, out), 3);
  ck_assert_mem_eq(out, v, sizeof v);
}
END_TEST

START_TEST(graphs_that_differ_are_zigzagged)
{
  /* One subject in two graphs, then one in a graph below both. */
  icx_posting v[] = { P(5, 3), P(5, 4), P(7, 1) }, out[ICX_POSTINGS_CHUNK];
  unsigned char buf[ICX_POSTINGS_REST_MAX];
  static const unsigned char want[] = { 2, 0, 2, 2, 5 };   /* +1 -> 2, -3 -> 5 */

  ck_assert_int_eq(icx_postings_encode(v, 3, buf), (int)sizeof want);
  ck_assert_mem_eq(buf, want, sizeof want);
  ck_assert_int_eq(decode(v[0], buf, sizeof want, out), 3);
  ck_assert_mem_eq(out, v, sizeof v);
}
END_TEST

START_TEST(encode_refuses_what_is_not_a_chunk)
{
  icx_posting v[ICX_POSTINGS_CHUNK + 1];
  unsigned char buf[ICX_POSTINGS_REST_MAX];
  size_t i;

  for (i = 0; i <= ICX_POSTINGS_CHUNK; i++)
    v[i] = P((icx_id)i + 1, 1);
  ck_assert_int_eq(icx_postings_encode(v, 0, buf), -1);
  ck_assert_int_eq(icx_postings_encode(v, ICX_POSTINGS_CHUNK + 1, buf), -1);
  ck_assert_int_gt(icx_postings_encode(v, ICX_POSTINGS_CHUNK, buf), 0);
  v[3] = P(3, 1);                               /* the same as v[2] */
  ck_assert_int_eq(icx_postings_encode(v, 5, buf), -1);
  v[3] = P(2, 1);                               /* going down */
  ck_assert_int_eq(icx_postings_encode(v, 5, buf), -1);
  v[3] = P(4, 0);                               /* no graph */
  ck_assert_int_eq(icx_postings_encode(v, 5, buf), -1);
  v[3] = P(4, 1);
  v[0] = P(0, 1);                               /* no subject */
  ck_assert_int_eq(icx_postings_encode(v, 5, buf), -1);
}
END_TEST

/* Rests that no chunk starting at (10, 5) has. */
START_TEST(decode_refuses_damage)
{
  static const struct {
    const char *why;
    unsigned char b[16];
    size_t len;
  } bad[] = {
    { "unknown mode", { 3, 1 }, 2 },
    { "mode zero", { 0, 1 }, 2 },
    { "a mode and no entry", { 1 }, 1 },
    { "a varint cut short", { 1, 0x81 }, 2 },
    { "a needless zero group", { 1, 0x81, 0x00 }, 3 },
    { "eleven bytes", { 1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 },
      12 },
    { "past 64 bits", { 1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 }, 11 },
    { "a subject past 2^63 - 1",
      { 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }, 10 },
    { "a gap of 0 in one graph", { 1, 0 }, 2 },
    { "mode 2 with one graph", { 2, 1, 0 }, 3 },
    { "the same entry twice", { 2, 0, 0 }, 3 },
    { "a graph below the entry's", { 2, 0, 1 }, 3 },
    { "a graph below 1", { 2, 1, 9 }, 3 },              /* 5 - 5 = 0 */
    { "a graph left out", { 2, 1 }, 2 },
    { "a last varint begun, not ended", { 1, 1, 0x80 }, 3 },
  };
  icx_posting out[ICX_POSTINGS_CHUNK];
  size_t i;

  for (i = 0; i < sizeof bad / sizeof *bad; i++)
    ck_assert_msg(decode(P(10, 5), bad[i].b, bad[i].len, out) == -1, "%s decoded",
                  bad[i].why);
  /* A first entry that is no entry. */
  ck_assert_int_eq(decode(P(0, 5), NULL, 0, out), -1);
  ck_assert_int_eq(decode(P(10, 0), NULL, 0, out), -1);
}
END_TEST

START_TEST(decode_refuses_too_many_entries)
{
  unsigned char buf[ICX_POSTINGS_CHUNK + 1];
  icx_posting out[ICX_POSTINGS_CHUNK];

  buf[0] = 1;
  memset(buf + 1, 1, ICX_POSTINGS_CHUNK);        /* the first and 128 more */
  ck_assert_int_eq(decode(P(1, 1), buf, ICX_POSTINGS_CHUNK, out), ICX_POSTINGS_CHUNK);
  ck_assert_int_eq(decode(P(1, 1), buf, ICX_POSTINGS_CHUNK + 1, out), -1);
}
END_TEST

START_TEST(the_largest_rest_fits)
{
  icx_posting v[ICX_POSTINGS_CHUNK], out[ICX_POSTINGS_CHUNK];
  unsigned char buf[ICX_POSTINGS_REST_MAX];
  size_t i;
  int len;

  /* Gaps and graph deltas as wide as ids allow. */
  for (i = 0; i < ICX_POSTINGS_CHUNK; i++)
    v[i] = P((icx_id)i + 1 + (i == ICX_POSTINGS_CHUNK - 1 ? INT64_MAX - ICX_POSTINGS_CHUNK : 0),
             i % 2 ? INT64_MAX : 1);
  len = icx_postings_encode(v, ICX_POSTINGS_CHUNK, buf);
  ck_assert_int_gt(len, 0);
  ck_assert_int_le(len, ICX_POSTINGS_REST_MAX);
  ck_assert_int_eq(decode(v[0], buf, (size_t)len, out), ICX_POSTINGS_CHUNK);
  ck_assert_mem_eq(out, v, sizeof v);
}
END_TEST

/* A random id of 1 to 62 bits, most small. */
static icx_id
random_id(unsigned *seed)
{
  int bits = rand_r(seed) % 4 ? 1 + rand_r(seed) % 24 : 1 + rand_r(seed) % 62;
  uint64_t x = ((uint64_t)rand_r(seed) << 33) ^ ((uint64_t)rand_r(seed) << 11) ^
               (uint64_t)rand_r(seed);

  x &= ((uint64_t)1 << bits) - 1;
  return x ? (icx_id)x : 1;
}

static int
cmp_posting(const void *a, const void *b)
{
  return icx_posting_cmp(*(const icx_posting *)a, *(const icx_posting *)b);
}

/* A random chunk of 1 to ICX_POSTINGS_CHUNK entries into v; its size. */
static size_t
random_chunk(unsigned *seed, icx_posting *v)
{
  size_t want = 1 + (size_t)rand_r(seed) % ICX_POSTINGS_CHUNK, n = 0, i;
  int graphs = 1 + rand_r(seed) % 3;
  icx_id g0 = random_id(seed);

  for (i = 0; i < want; i++)
    v[n++] = P(random_id(seed), graphs == 1 ? g0 : 1 + rand_r(seed) % (graphs * 2));
  qsort(v, n, sizeof *v, cmp_posting);
  for (i = 1, want = 1; i < n; i++)             /* repeats out */
    if (icx_posting_cmp(v[want - 1], v[i]) != 0)
      v[want++] = v[i];
  return want;
}

START_TEST(random_chunks_read_back)
{
  unsigned seed = 77 + (unsigned)_i;
  icx_posting v[ICX_POSTINGS_CHUNK], out[ICX_POSTINGS_CHUNK], again[ICX_POSTINGS_CHUNK];
  unsigned char buf[ICX_POSTINGS_REST_MAX], buf2[ICX_POSTINGS_REST_MAX];
  int round;

  for (round = 0; round < 300; round++) {
    size_t n = random_chunk(&seed, v), cut;
    int len = icx_postings_encode(v, n, buf);

    ck_assert_int_ge(len, 0);
    ck_assert_int_eq(decode(v[0], buf, (size_t)len, out), (int)n);
    ck_assert_mem_eq(out, v, n * sizeof *v);
    /* Every shorter rest is refused or is the rest of a shorter chunk,
     * which encodes to exactly those bytes (one rest a chunk). */
    for (cut = 0; cut < (size_t)len; cut++) {
      int k = decode(v[0], buf, cut, again);
      if (k < 0)
        continue;
      ck_assert_int_lt(k, (int)n);
      ck_assert_mem_eq(again, v, (size_t)k * sizeof *v);
      ck_assert_int_eq(icx_postings_encode(again, (size_t)k, buf2), (int)cut);
      ck_assert(cut == 0 || !memcmp(buf2, buf, cut));
    }
  }
}
END_TEST

START_TEST(edits_agree_with_a_model)
{
  unsigned seed = 5 + (unsigned)_i;
  icx_posting v[ICX_POSTINGS_CHUNK];
  unsigned char model[64][4];                   /* (s, g) in 1..64 x 1..4 */
  size_t n = 0, i, cap = 1 + (size_t)_i * 20;
  int round;

  memset(model, 0, sizeof model);
  for (round = 0; round < 4000; round++) {
    icx_posting e = P(1 + rand_r(&seed) % 64, 1 + rand_r(&seed) % 4);
    int had = model[e.x - 1][e.y - 1], rc;

    if (rand_r(&seed) % 3) {
      rc = icx_postings_add(v, &n, cap, e);
      if (had)
        ck_assert_int_eq(rc, 0);
      else if (rc == -1) {
        size_t k = icx_postings_split(v, n, e);
        ck_assert_int_eq(n, cap);
        ck_assert(k == n ? icx_posting_cmp(v[n - 1], e) < 0 : k == n / 2);
        /* The new chunk is dropped from this model: only the first k stay. */
        for (i = k; i < n; i++)
          model[v[i].x - 1][v[i].y - 1] = 0;
        n = k;
        if (n < cap) {
          ck_assert_int_eq(icx_postings_add(v, &n, cap, e), 1);
          model[e.x - 1][e.y - 1] = 1;
        }
      } else {
        ck_assert_int_eq(rc, 1);
        model[e.x - 1][e.y - 1] = 1;
      }
    } else {
      ck_assert_int_eq(icx_postings_remove(v, &n, e), had);
      model[e.x - 1][e.y - 1] = 0;
    }
    {
      size_t want = 0, j, k = 0;
      for (i = 0; i < 64; i++)
        for (j = 0; j < 4; j++)
          if (model[i][j]) {
            ck_assert(k < n && v[k].x == (icx_id)i + 1 && v[k].y == (icx_id)j + 1);
            k++;
            want++;
          }
      ck_assert_int_eq(n, want);
    }
  }
}
END_TEST

START_TEST(numbers_order_as_their_keys)
{
  static const double ordered[] = { -INFINITY, -DBL_MAX, -1e300, -2.5, -1, -DBL_MIN,
                                    -4.9e-324, 0, 4.9e-324, DBL_MIN, 0.5, 1, 99.999, 1e300,
                                    DBL_MAX, INFINITY };
  size_t n = sizeof ordered / sizeof *ordered, i;
  unsigned seed = 3;
  icx_id k, k2, last = 0;
  int round;

  for (i = 0; i < n; i++) {
    ck_assert_int_eq(icx_postings_num_key(ordered[i], &k), 0);
    ck_assert(i == 0 || k > last);
    ck_assert(icx_postings_num_value(k) == ordered[i]);
    last = k;
  }
  ck_assert_int_eq(icx_postings_num_key(-0.0, &k), 0);
  ck_assert_int_eq(icx_postings_num_key(0.0, &k2), 0);
  ck_assert(k == k2 && !signbit(icx_postings_num_value(k)));
  ck_assert_int_eq(icx_postings_num_key(NAN, &k), -1);
  /* Any two numbers, from random bits. */
  for (round = 0; round < 100000; round++) {
    uint64_t b1 = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                  (uint64_t)rand_r(&seed),
             b2 = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                  (uint64_t)rand_r(&seed);
    double x, y;
    memcpy(&x, &b1, sizeof x);
    memcpy(&y, &b2, sizeof y);
    if (isnan(x) || isnan(y))
      continue;
    ck_assert_int_eq(icx_postings_num_key(x, &k), 0);
    ck_assert_int_eq(icx_postings_num_key(y, &k2), 0);
    ck_assert_int_eq((x > y) - (x < y), (k > k2) - (k < k2));
    ck_assert(icx_postings_num_value(k) == x && icx_postings_num_value(k2) == y);
  }
}
END_TEST

/* --- chunks in a table ---------------------------------------------------- */

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

START_TEST(a_damaged_row_is_said)
{
  static gathered got;
  char why[256];

  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(5, 1)), 1);
  ck_assert_int_eq(icx_postings_table_add(tt, 1, 1, P(6, 1)), 1);
  ck_assert_int_eq(icx_postings_table_walk(tt, 1, 1, stop_at_first, NULL), 7);
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

/* --- chunks read by SQL ------------------------------------------------------ */

/* The rows of sql (params bound from v, n of them) as text, one row a
 * line; NULL when the statement fails (its code in *rc). */
static char *
rows_of(const char *sql, const sqlite3_int64 *v, int n, int *rc)
{
  sqlite3_str *out = sqlite3_str_new(tdb);
  sqlite3_stmt *st;
  int i, step;

  sqlite3_str_appendall(out, "rows:\n");       /* never empty: finish gives NULL for "" */
  ck_assert_int_eq(sqlite3_prepare_v2(tdb, sql, -1, &st, NULL), SQLITE_OK);
  for (i = 0; i < n; i++)
    sqlite3_bind_int64(st, i + 1, v[i]);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    for (i = 0; i < sqlite3_column_count(st); i++)
      sqlite3_str_appendf(out, "%lld ", sqlite3_column_int64(st, i));
    sqlite3_str_appendchar(out, 1, '\n');
  }
  sqlite3_finalize(st);
  *rc = step;
  if (step != SQLITE_DONE) {
    sqlite3_free(sqlite3_str_finish(out));
    return NULL;
  }
  return sqlite3_str_finish(out);
}

/* sql on the virtual table pos and on the plain table plain (the same
 * text, "pos" replaced) give the same rows. */
static void
same_rows(const char *sql, const sqlite3_int64 *v, int n)
{
  char *plain = sqlite3_mprintf("%s", sql), *p, *a, *b;
  int rc;

  while ((p = strstr(plain, "pos ")))
    memcpy(p, "qpl ", 4);
  a = rows_of(sql, v, n, &rc);
  ck_assert_msg(a != NULL, "%s: %d %s", sql, rc, sqlite3_errmsg(tdb));
  b = rows_of(plain, v, n, &rc);
  ck_assert_ptr_nonnull(b);
  ck_assert_msg(!strcmp(a, b), "%s differs:\n%s\nagainst\n%s", sql, a, b);
  sqlite3_free(a);
  sqlite3_free(b);
  sqlite3_free(plain);
}

START_TEST(sql_reads_chunks_as_rows)
{
  unsigned seed = 21 + (unsigned)_i;
  sqlite3_stmt *ins;
  int round, rc;

  ck_assert_int_eq(icx_postings_vtab_register(tdb), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(tdb, "CREATE VIRTUAL TABLE temp.pos USING icx_postings"
                                "(postings, p, o, s0, g0, s, g);"
                                "CREATE TABLE qpl (p INTEGER, o INTEGER, s INTEGER, g INTEGER,"
                                " PRIMARY KEY (p, o, s, g))",
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_prepare_v2(tdb, "INSERT OR IGNORE INTO qpl VALUES (?, ?, ?, ?)", -1,
                                      &ins, NULL), SQLITE_OK);
  for (round = 0; round < 3000; round++) {
    icx_id p = 1 + rand_r(&seed) % 2, o = 1 + rand_r(&seed) % 3;
    icx_posting e = P(1 + rand_r(&seed) % 400, 1 + rand_r(&seed) % 3);
    ck_assert_int_ge(icx_postings_table_add(tt, p, o, e), 0);
    sqlite3_bind_int64(ins, 1, p);
    sqlite3_bind_int64(ins, 2, o);
    sqlite3_bind_int64(ins, 3, e.x);
    sqlite3_bind_int64(ins, 4, e.y);
    ck_assert_int_eq(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  same_rows("SELECT p, o, s, g FROM pos ORDER BY p, o, s, g", NULL, 0);
  same_rows("SELECT count(*), sum(s), sum(g) FROM pos ", NULL, 0);
  for (round = 0; round < 60; round++) {
    sqlite3_int64 v[3] = { 1 + rand_r(&seed) % 3, 1 + rand_r(&seed) % 4, 1 + rand_r(&seed) % 410 };
    same_rows("SELECT o, s, g FROM pos WHERE p = ?1 ORDER BY o, s, g", v, 1);
    same_rows("SELECT s, g FROM pos WHERE p = ?1 AND o = ?2 ORDER BY s, g", v, 2);
    same_rows("SELECT g FROM pos WHERE p = ?1 AND o = ?2 AND s = ?3 ORDER BY g", v, 3);
    same_rows("SELECT o, g FROM pos WHERE s = ?3 AND p = ?1 ORDER BY o, g", v, 3);
    same_rows("SELECT a.s, a.g, b.o FROM pos a JOIN pos b ON b.s = a.s AND b.g = a.g"
              " WHERE a.p = ?1 AND a.o = ?2 AND b.p = 3 - ?1 ORDER BY a.s, a.g, b.o", v, 2);
  }
  /* Each chunk's first subject, where a subject's pairs may begin in
   * the chunk before. */
  {
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(tdb, "SELECT p, o, s0 FROM postings", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      sqlite3_int64 v[3] = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                             sqlite3_column_int64(st, 2) };
      same_rows("SELECT g FROM pos WHERE p = ?1 AND o = ?2 AND s = ?3 ORDER BY g", v, 3);
      v[2]--;
      same_rows("SELECT g FROM pos WHERE p = ?1 AND o = ?2 AND s = ?3 ORDER BY g", v, 3);
    }
    sqlite3_finalize(st);
  }
  /* Values that are no ids match nothing, as in the plain table. */
  same_rows("SELECT count(*) FROM pos WHERE p = 1.5 ", NULL, 0);
  same_rows("SELECT count(*) FROM pos WHERE p = 1.0 AND o = '2' ", NULL, 0);
  /* A row that is not a chunk fails the statement. */
  ck_assert_int_eq(sqlite3_exec(tdb, "UPDATE postings SET rest = x'02' WHERE rest IS NOT NULL",
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_ptr_null(rows_of("SELECT count(*) FROM pos", NULL, 0, &rc));
  ck_assert_int_eq(rc & 0xff, SQLITE_CORRUPT);
  /* Arguments that are not plain identifiers, or too few. */
  ck_assert_int_ne(sqlite3_exec(tdb, "CREATE VIRTUAL TABLE temp.bad USING icx_postings"
                                "(postings, p, o)", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(tdb, "CREATE VIRTUAL TABLE temp.bad USING icx_postings"
                                "(postings, p, \"o; DROP TABLE x\", s0, g0, s, g)", NULL, NULL,
                                NULL), SQLITE_OK);
}
END_TEST

static Suite *
postings_suite(void)
{
  Suite *s = suite_create("postings");
  TCase *tc = tcase_create("chunk");

  tcase_add_test(tc, one_entry_has_no_rest);
  tcase_add_test(tc, one_graph_is_gaps_of_subjects);
  tcase_add_test(tc, graphs_that_differ_are_zigzagged);
  tcase_add_test(tc, encode_refuses_what_is_not_a_chunk);
  tcase_add_test(tc, decode_refuses_damage);
  tcase_add_test(tc, decode_refuses_too_many_entries);
  tcase_add_test(tc, the_largest_rest_fits);
  tcase_add_loop_test(tc, random_chunks_read_back, 0, 4);
  tcase_add_loop_test(tc, edits_agree_with_a_model, 0, 4);
  tcase_add_test(tc, numbers_order_as_their_keys);
  suite_add_tcase(s, tc);
  tc = tcase_create("table");
  tcase_add_checked_fixture(tc, table_setup, table_teardown);
  tcase_add_loop_test(tc, table_edits_agree_with_a_model, 0, 3);
  tcase_add_test(tc, entries_added_in_order_fill_chunks);
  tcase_add_test(tc, a_damaged_row_is_said);
  tcase_add_test(tc, subject_rows_are_chunks_too);
  tcase_add_test(tc, sorted_pairs_append_whole_chunks);
  tcase_add_loop_test(tc, sql_reads_chunks_as_rows, 0, 3);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(postings_suite());
}

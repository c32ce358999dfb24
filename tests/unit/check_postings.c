/* check_postings.c - posting chunks in memory (engine/store/icx_postings.h):
 * the bytes of a chunk's rest, the bytes that are refused, random chunks
 * through encode and decode, the edits of a chunk against a model, and
 * the keys that stand for numbers. */
#include "config.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_postings.h"

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
  v[3] = P(4, -1);                              /* a graph below 0 */
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
    { "a graph below 0", { 2, 1, 11 }, 3 },             /* 5 - 6 = -1 */
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
  ck_assert_int_eq(decode(P(10, -1), NULL, 0, out), -1);
  ck_assert_int_eq(decode(P(10, 0), NULL, 0, out), 1);     /* no graph */
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
  return s;
}

int
main(void)
{
  return tu_run(postings_suite());
}

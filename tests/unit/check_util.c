/* check_util.c - the utilities of engine/base (icx_util.h): the string
 * buffer, name normalisation, XML escaping, numbers, sizes, the clock. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_ctx_internal.h"
#include "icx_sort.h"
#include "icx_util.h"

START_TEST(buffer_grows_and_hands_over)
{
  icx_buf b;
  char *s;
  int i;

  icx_buf_init(&b, NULL);
  for (i = 0; i < 1000; i++)
    icx_buf_append(&b, "ab");
  icx_buf_append_len(&b, "xyz", 2);
  icx_buf_appendf(&b, "-%d-%s", 42, "end");
  ck_assert(!icx_buf_failed(&b));
  ck_assert_uint_eq(b.len, 2000 + 2 + 7);
  s = icx_buf_take(&b);
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(strncmp(s, "abab", 4), 0);
  ck_assert_str_eq(s + 2000, "xy-42-end");
  ck_assert_ptr_null(b.data);
  ck_assert_uint_eq(b.len, 0);
  free(s);
  icx_buf_free(&b);             /* after a take: a no-op */
}
END_TEST

START_TEST(buffer_escapes_xml)
{
  icx_buf b;
  char *s;

  icx_buf_init(&b, NULL);
  icx_buf_append_xml(&b, "a<b>&'c\"");
  s = icx_buf_take(&b);
  ck_assert_str_eq(s, "a&lt;b&gt;&amp;&apos;c&quot;");
  free(s);
  icx_buf_append(&b, "<e");
  icx_buf_append_attr(&b, "v", "x\"<y");
  icx_buf_append(&b, "/>");
  s = icx_buf_take(&b);
  ck_assert_str_eq(s, "<e v=\"x&quot;&lt;y\"/>");
  free(s);
}
END_TEST

START_TEST(empty_buffer_takes_an_empty_string)
{
  icx_buf b;
  char *s;

  icx_buf_init(&b, NULL);
  s = icx_buf_take(&b);
  ck_assert_ptr_nonnull(s);
  ck_assert_str_eq(s, "");
  free(s);
}
END_TEST

START_TEST(names_normalise)
{
  char out[64];

  ck_assert_int_eq(icx_norm_name("  availabilityQuanity \n", out, sizeof out), 0);
  ck_assert_str_eq(out, "availabilityquanity");
  ck_assert_int_eq(icx_norm_name("Storage \t Replication\n Method", out, sizeof out), 0);
  ck_assert_str_eq(out, "storage replication method");
  ck_assert_int_eq(icx_norm_name("", out, sizeof out), 0);
  ck_assert_str_eq(out, "");
  ck_assert_int_eq(icx_norm_name("a name far too long for four bytes", out, 4), -1);
  ck_assert(icx_name_eq("JAPAN", " japan\n"));
  ck_assert(icx_name_eq("Storage  Access", "storage access"));
  ck_assert(!icx_name_eq("Japan", "Japa n"));
}
END_TEST

START_TEST(strings_copy_and_trim)
{
  char *s;

  ck_assert_ptr_null(icx_strdup(NULL, NULL));
  s = icx_strdup(NULL, "abc");
  ck_assert_str_eq(s, "abc");
  free(s);
  s = icx_strndup(NULL, "abcdef", 3);
  ck_assert_str_eq(s, "abc");
  free(s);
  s = icx_trim_dup(NULL, " \t x y \r\n", 9);
  ck_assert_str_eq(s, "x y");
  free(s);
  s = icx_trim_dup(NULL, "   ", 3);
  ck_assert_str_eq(s, "");
  free(s);
  ck_assert(icx_is_space(' ') && icx_is_space('\t') && icx_is_space('\r') &&
            icx_is_space('\n'));
  ck_assert(!icx_is_space('x') && !icx_is_space('\v'));
}
END_TEST

START_TEST(lexical_numbers_are_exact)
{
  ck_assert(icx_lexical_number("42", 0, 0));
  ck_assert(icx_lexical_number("-42", 0, 0));
  ck_assert(icx_lexical_number("+7", 0, 0));
  ck_assert(!icx_lexical_number("4.2", 0, 0));
  ck_assert(icx_lexical_number("4.2", 1, 0));
  ck_assert(icx_lexical_number("99.999", 1, 0));
  ck_assert(!icx_lexical_number("1e3", 1, 0));
  ck_assert(icx_lexical_number("1e3", 1, 1));
  ck_assert(icx_lexical_number("1.5E-3", 1, 1));
  ck_assert(!icx_lexical_number("", 1, 1));
  ck_assert(!icx_lexical_number(" 1", 1, 1));
  ck_assert(!icx_lexical_number("0x10", 1, 1));
  ck_assert(!icx_lexical_number("inf", 1, 1));
  ck_assert(!icx_lexical_number("nan", 1, 1));
  ck_assert(!icx_lexical_number("e3", 1, 1));
  ck_assert(!icx_lexical_number("1e", 1, 1));
}
END_TEST

START_TEST(control_characters_are_found)
{
  static const struct {
    const char *s;
    size_t len, at;
    unsigned cp;
  } cases[] = {
    { "cloud1", 6, 6, 0 },
    { "cloud1\0-evil", 11, 6, 0 },
    { "a\nb", 3, 1, '\n' },
    { "a\rb", 3, 1, '\r' },
    { "tab\there", 8, 3, '\t' },
    { "del\x7f", 4, 3, 0x7f },
    { "c1\xc2\x85", 4, 2, 0x85 },                /* NEL */
    { "\xe2\x80\xae" "evil", 7, 0, 0x202e },   /* RIGHT-TO-LEFT OVERRIDE */
    { "x\xe2\x81\xa6", 4, 1, 0x2066 },         /* LEFT-TO-RIGHT ISOLATE */
    { "x\xe2\x81\xa9", 4, 1, 0x2069 },
    { "x\xe2\x80\x8e", 4, 1, 0x200e },         /* LEFT-TO-RIGHT MARK */
    { "x\xe2\x80\xa8", 4, 1, 0x2028 },         /* LINE SEPARATOR */
    { "caf\xc3\xa9 \xe2\x80\x94 ok", 12, 12, 0 },   /* e acute, em dash */
    { "\xe6\x9d\xb1\xe4\xba\xac", 6, 6, 0 },     /* Tokyo, in kanji */
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned cp = 0;
    size_t at = icx_control_char(cases[i].s, cases[i].len, &cp);
    ck_assert_msg(at == cases[i].at, "case %zu: at %zu, expected %zu", i, at, cases[i].at);
    if (at < cases[i].len)
      ck_assert_msg(cp == cases[i].cp, "case %zu: U+%04X", i, cp);
  }
}
END_TEST

START_TEST(sizes_in_mib)
{
  ck_assert_int_eq(icx_parse_mib("16", 64), 16);
  ck_assert_int_eq(icx_parse_mib("4096", 64), 4096);
  ck_assert_int_eq(icx_parse_mib("4097", 64), 64);
  ck_assert_int_eq(icx_parse_mib("0", 64), 64);
  ck_assert_int_eq(icx_parse_mib("ten", 64), 64);
  ck_assert_int_eq(icx_parse_mib("", 64), 64);
  ck_assert_int_eq(icx_parse_mib(NULL, 64), 64);
}
END_TEST

START_TEST(clock_moves_forward_and_strings_sort)
{
  double a = icx_now_ms(), b = icx_now_ms();
  const char *v[] = { "cloud5", "cloud2", "cloud10" };

  ck_assert(a > 0 && b >= a);
  qsort(v, 3, sizeof v[0], icx_cmp_strp);
  ck_assert_str_eq(v[0], "cloud10");
  ck_assert_str_eq(v[1], "cloud2");
  ck_assert_str_eq(v[2], "cloud5");
}
END_TEST

START_TEST(pairs_sort_by_key_and_keep_ties_in_order)
{
  enum { N = 5000 };
  uint64_t *key = malloc(N * sizeof *key), *want = malloc(N * sizeof *want);
  uint32_t *val = malloc(N * sizeof *val);
  icx_ctx *ctx = icx_ctx_new();
  unsigned long st = 7;
  size_t i, j;

  ck_assert(key && want && val && ctx);
  /* Keys of one byte to all eight (score-like high halves over 32-bit
   * ranks), with repeats; each value its position, to see stability. */
  for (i = 0; i < N; i++) {
    st = st * 6364136223846793005UL + 1442695040888963407UL;
    key[i] = (i % 3 == 0) ? (st >> 56) : (i % 3 == 1) ? (st >> 40) % 977 : ((st >> 33) % 5) << 32 | (st >> 50);
    want[i] = key[i];
    val[i] = (uint32_t)i;
  }
  for (i = 1; i < N; i++)      /* the expected keys: insertion sort */
    for (j = i; j > 0 && want[j - 1] > want[j]; j--) {
      uint64_t t = want[j];
      want[j] = want[j - 1];
      want[j - 1] = t;
    }
  ck_assert_int_eq(icx_sort_pairs(ctx, key, val, N), 0);
  for (i = 0; i < N; i++) {
    ck_assert_uint_eq(key[i], want[i]);
    if (i && key[i] == key[i - 1])
      ck_assert_uint_lt(val[i - 1], val[i]);
  }
  ck_assert_int_eq(icx_sort_pairs(ctx, key, val, 1), 0);   /* nothing to sort */
  ck_assert_int_eq(icx_sort_pairs(ctx, key, val, 0), 0);
  icx_ctx_free(ctx);
  free(key);
  free(want);
  free(val);
}
END_TEST

static Suite *
util_suite(void)
{
  Suite *s = suite_create("util");
  TCase *tc = tcase_create("util");

  tcase_add_test(tc, buffer_grows_and_hands_over);
  tcase_add_test(tc, buffer_escapes_xml);
  tcase_add_test(tc, empty_buffer_takes_an_empty_string);
  tcase_add_test(tc, names_normalise);
  tcase_add_test(tc, strings_copy_and_trim);
  tcase_add_test(tc, lexical_numbers_are_exact);
  tcase_add_test(tc, control_characters_are_found);
  tcase_add_test(tc, sizes_in_mib);
  tcase_add_test(tc, clock_moves_forward_and_strings_sort);
  tcase_add_test(tc, pairs_sort_by_key_and_keep_ties_in_order);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(util_suite());
}

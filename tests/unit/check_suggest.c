/* check_suggest.c - "did you mean" (icx_suggest.h): the edit distance and
 * the order, the lead sentence and the cut of the known names. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_ctx_internal.h"
#include "icx_suggest.h"

static char *
suggest(const char *want, const char *const *spellings, size_t max_len)
{
  icx_ctx *ctx = tu_ctx();
  icx_suggest s;
  icx_buf b;
  char *out;
  size_t i;

  icx_suggest_init(&s, ctx, want);
  /* pairs: label, spelling */
  for (i = 0; spellings[i]; i += 2)
    icx_suggest_offer(&s, spellings[i], spellings[i + 1]);
  icx_buf_init(&b, NULL);
  icx_suggest_append(&s, &b, "values", "; ", max_len);
  icx_suggest_free(&s);
  out = icx_buf_take(&b);
  ck_assert_ptr_nonnull(out);
  icx_ctx_free(ctx);
  return out;
}

START_TEST(distance_counts_edits_and_folds_case)
{
  ck_assert_uint_eq(icx_name_distance("Japan", "japan"), 0);
  ck_assert_uint_eq(icx_name_distance("  Japan ", "JAPAN"), 0);
  ck_assert_uint_eq(icx_name_distance("Japna", "Japan"), 1);     /* a swap is one */
  ck_assert_uint_eq(icx_name_distance("Japn", "Japan"), 1);
  ck_assert_uint_eq(icx_name_distance("Jxpan", "Japan"), 1);
  ck_assert_uint_eq(icx_name_distance("", "Japan"), 5);
  ck_assert_uint_eq(icx_name_distance("kitten", "sitting"), 3);
  ck_assert_uint_eq(icx_name_distance("New  Zealand", "new zealand"), 0);
}
END_TEST

START_TEST(long_names_are_compared_by_their_start)
{
  char a[5000], b[5000];

  memset(a, 'x', sizeof a - 1);
  a[sizeof a - 1] = '\0';
  memcpy(b, a, sizeof b);
  b[sizeof b - 2] = 'y';          /* differs only past what is compared */
  ck_assert_uint_eq(icx_name_distance(a, b), 0);
  b[0] = 'y';
  ck_assert_uint_eq(icx_name_distance(a, b), 1);
  ck_assert_uint_le(icx_name_distance(a, "x"), ICX_SUGGEST_MAXLEN);
}
END_TEST

START_TEST(nearest_come_first_and_lead_the_sentence)
{
  static const char *const known[] = {
    "Afghanistan", "Afghanistan", "Jamaica", "Jamaica", "Japan", "Japan", "Japan", "JP",
    "Zambia", "Zambia", NULL
  };
  char *out = suggest("Japna", known, 400);

  ck_assert_str_eq(out, "did you mean \"Japan\"? known values, nearest first: "
                        "Japan; Jamaica; Zambia; Afghanistan");
  free(out);
}
END_TEST

START_TEST(an_alias_counts_for_its_label)
{
  static const char *const known[] = {
    "Germany", "Germany", "Germany", "DE", "Denmark", "Denmark", "Denmark", "DK", NULL
  };
  char *out = suggest("dk", known, 400);

  ck_assert_str_eq(out, "did you mean \"Denmark\"? known values, nearest first: "
                        "Denmark; Germany");
  free(out);
}
END_TEST

START_TEST(nothing_close_means_no_guess)
{
  static const char *const known[] = { "NFS", "NFS", "SMB", "SMB", NULL };
  char *out = suggest("Atlantis", known, 400);

  ck_assert_ptr_null(strstr(out, "did you mean"));
  ck_assert_str_eq(out, "known values, nearest first: NFS; SMB");
  free(out);
}
END_TEST

START_TEST(a_long_list_is_cut_after_the_nearest)
{
  static const char *known[2 * 60 + 1];
  static char names[60][16];
  char *out;
  size_t i;

  for (i = 0; i < 60; i++) {
    snprintf(names[i], sizeof names[i], "name%02zu", i);
    known[2 * i] = known[2 * i + 1] = names[i];
  }
  known[2 * 59] = known[2 * 59 + 1] = "Japan";   /* the last offered is the right one */
  known[120] = NULL;
  out = suggest("Japna", known, 40);
  ck_assert_msg(strstr(out, "first: Japan; ") != NULL, "%s", out);
  ck_assert_msg(strstr(out, "more: icx vocab lists them all)") != NULL, "%s", out);
  ck_assert_uint_lt(strlen(out), 200);
  free(out);
}
END_TEST

START_TEST(no_names_still_reads)
{
  static const char *const known[] = { NULL };
  char *out = suggest("x", known, 400);

  ck_assert_str_eq(out, "known values, nearest first: ");
  free(out);
}
END_TEST

static Suite *
suggest_suite(void)
{
  Suite *s = suite_create("suggest");
  TCase *tc = tcase_create("suggest");

  tcase_add_test(tc, distance_counts_edits_and_folds_case);
  tcase_add_test(tc, long_names_are_compared_by_their_start);
  tcase_add_test(tc, nearest_come_first_and_lead_the_sentence);
  tcase_add_test(tc, an_alias_counts_for_its_label);
  tcase_add_test(tc, nothing_close_means_no_guess);
  tcase_add_test(tc, a_long_list_is_cut_after_the_nearest);
  tcase_add_test(tc, no_names_still_reads);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(suggest_suite());
}

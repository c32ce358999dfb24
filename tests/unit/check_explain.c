/* check_explain.c - explanations on the shipped clouds: counts per
 * constraint, why each cloud misses, the smallest relaxations, the refusal
 * of a request too large, and the time limit. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

static tu_world w;
static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;

static void
setup(void)
{
  tu_world_shipped(&w);
  ctx = w.ctx;
  vocab = w.vocab;
  store = w.store;
}

static void
teardown(void)
{
  tu_world_close(&w);
}

/* The test's world made again from a Turtle text instead of the shipped
 * clouds. */
static void
use_turtle(const char *ttl)
{
  tu_world_close(&w);
  tu_world_turtle(&w, ttl);
  ctx = w.ctx;
  vocab = w.vocab;
  store = w.store;
}

START_TEST(explanations)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);
  static const char *const who[] = { "cloud1", "cloud3", "cloud4", "cloud8", "cloud2", "nosuch" };
  icx_constraints *set = NULL;
  icx_explain *e = NULL;
  char *text;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, who, 6, &e), ICX_OK);
  ck_assert_int_eq(icx_explain_matching(e), 2);
  /* Alone: seven of eight clouds meet each constraint; in order 7, 6, 5, 3, 2. */
  ck_assert_int_eq(icx_explain_alone(e, 0), 7);
  ck_assert_int_eq(icx_explain_remaining(e, 0), 7);
  ck_assert_int_eq(icx_explain_remaining(e, 1), 6);
  ck_assert_int_eq(icx_explain_remaining(e, 2), 5);
  ck_assert_int_eq(icx_explain_remaining(e, 3), 3);
  ck_assert_int_eq(icx_explain_remaining(e, 4), 2);
  /* cloud1: just under on availability. */
  ck_assert_int_eq(icx_explain_failure_count(e, 0), 1);
  ck_assert_int_eq(icx_explain_failure_constraint(e, 0, 0), 0);
  ck_assert_str_eq(icx_explain_failure_detail(e, 0, 0),
                   "availability: best offer 99.99, asked atLeast 99.999");
  ck_assert_str_eq(icx_explain_failure_detail(e, 1, 0),
                   "replicationFactor: best offer 4, asked atLeast 5");
  ck_assert_str_eq(icx_explain_failure_detail(e, 2, 0),
                   "tierCountry: offers France; Germany; asked anyOf Japan (or narrower)");
  /* cloud8 meets each alone, on different services. */
  ck_assert(icx_explain_cloud_known(e, 3));
  ck_assert_int_eq(icx_explain_failure_count(e, 3), 0);
  ck_assert(!icx_explain_cloud_matches(e, 3));
  ck_assert(icx_explain_cloud_matches(e, 4));
  ck_assert(!icx_explain_cloud_known(e, 5));
  ck_assert_int_eq(icx_explain_relaxation_count(e), 0);
  text = icx_explain_to_text(e);
  ck_assert_ptr_nonnull(strstr(text, "no single service"));
  icx_free(ctx, text);
  icx_explain_free(e);
  icx_constraints_free(set);
  free(xml);
  free(path);
}
END_TEST

/* With no cloud named the counts come from the index alone (no answer is
 * made): they are those of the explanation that names clouds, which
 * counts whole answers. */
START_TEST(counts_alike_with_and_without_clouds)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);
  static const char *const who[] = { "cloud1" };
  icx_constraints *set = NULL;
  icx_explain *named = NULL, *bare = NULL;
  size_t c;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, who, 1, &named), ICX_OK);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &bare), ICX_OK);
  ck_assert_int_eq(icx_explain_constraint_count(bare), 5);
  for (c = 0; c < icx_explain_constraint_count(bare); c++) {
    ck_assert_int_eq(icx_explain_alone(bare, c), icx_explain_alone(named, c));
    ck_assert_int_eq(icx_explain_remaining(bare, c), icx_explain_remaining(named, c));
  }
  ck_assert_int_eq(icx_explain_matching(bare), 2);
  ck_assert_int_eq(icx_explain_alone(bare, 0), 7);
  icx_explain_free(named);
  icx_explain_free(bare);
  icx_constraints_free(set);
  free(xml);
  free(path);
}
END_TEST

/* A request the compiler refuses whole gets the whole count, at once. */
START_TEST(explaining_too_large_a_request)
{
  icx_constraints *set = icx_constraints_new(vocab);
  icx_explain *e = NULL;
  int i;

  ck_assert_ptr_nonnull(set);
  for (i = 0; i < 100; i++)
    ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "3"), ICX_OK);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &e), ICX_ERR_CONSTRAINT);
  ck_assert_ptr_null(e);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "104 triple patterns"), "%s", icx_ctx_errmsg(ctx));
  icx_constraints_free(set);
}
END_TEST

START_TEST(smallest_relaxations)
{
  char *xml = tu_constraints("availability", "99.99999", "accessProtocol", "NFS",
                             "tierCountry", "Germany", NULL);
  icx_constraints *set = NULL;
  icx_explain *e = NULL;
  char *out;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &e), ICX_OK);
  ck_assert_int_eq(icx_explain_matching(e), 0);
  /* Only dropping availability gives a match (cloud4: NFSv4.1 in Germany). */
  ck_assert_int_eq(icx_explain_relaxation_count(e), 1);
  ck_assert_int_eq(icx_explain_relaxation_size(e, 0), 1);
  ck_assert_int_eq(icx_explain_relaxation_removed(e, 0, 0), 0);
  ck_assert_str_eq(icx_explain_relaxation_clouds(e, 0), "cloud4");
  ck_assert_int_eq(icx_explain_relaxation_matching(e, 0), 1);
  out = icx_explain_to_xml(e, 0);
  ck_assert_ptr_nonnull(strstr(out, "<relaxation without='1' matching='1' clouds='cloud4'/>"));
  icx_free(ctx, out);
  icx_explain_free(e);
  icx_constraints_free(set);
  free(xml);
}
END_TEST

/* A relaxation that gives more clouds than it names: their number, and
 * the first ICX_EXPLAIN_RELAXATION_NAMES by name (an explanation goes out
 * in one stanza, and a relaxation may give most of a million clouds). */
START_TEST(relaxation_names_the_first_clouds)
{
  char ttl[8192], *xml, *out;
  icx_constraints *set = NULL;
  icx_explain *e = NULL;
  size_t len;
  int c;

  len = (size_t)snprintf(ttl, sizeof ttl, "@prefix res: <" TU_RES "> .\n"
                         "@prefix ex: <" TU_EX "> .\n");
  for (c = 24; c >= 1; c--)          /* loaded out of name order */
    len += (size_t)snprintf(ttl + len, sizeof ttl - len,
                            "ex:c%d a res:Cloud ; res:cloudName \"k%02d\" ; res:offers ex:s%d .\n"
                            "ex:s%d a res:StorageService ; res:replicationFactor %d .\n",
                            c, c, c, c, 2 + c % 3);
  ck_assert_uint_lt(len, sizeof ttl);
  use_turtle(ttl);
  xml = tu_constraints("replicationFactor", "3", "replicationFactor", "40", NULL);
  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &e), ICX_OK);
  ck_assert_int_eq(icx_explain_matching(e), 0);
  ck_assert_int_eq(icx_explain_relaxation_count(e), 1);
  ck_assert_int_eq(icx_explain_relaxation_removed(e, 0, 0), 1);
  /* factors 3 and 4 (c % 3 of 1 and 2): 16 of the 24 */
  ck_assert_int_eq(icx_explain_relaxation_matching(e, 0), 16);
  ck_assert_str_eq(icx_explain_relaxation_clouds(e, 0),
                   "k01, k02, k04, k05, k07, k08, k10, k11, k13, k14");
  out = icx_explain_to_xml(e, 0);
  ck_assert_ptr_nonnull(strstr(out, "<relaxation without='2' matching='16' clouds='k01, k02, "));
  icx_free(ctx, out);
  out = icx_explain_to_text(e);
  ck_assert_msg(strstr(out, "k13, k14, ...\n    (16 clouds; the first 10 by name)\n"), "%s", out);
  icx_free(ctx, out);
  icx_explain_free(e);
  icx_constraints_free(set);
  free(xml);
}
END_TEST

/* Counts the occurrences of needle in hay. */
static size_t
count_of(const char *hay, const char *needle)
{
  size_t n = 0;

  for (; (hay = strstr(hay, needle)); hay += strlen(needle))
    n++;
  return n;
}

/* An explanation grows with the clouds named times the constraints they
 * fail: icx_explain_to_xml_within() keeps it under a size, whole when it
 * fits; a failure's sentence lists at most ICX_EXPLAIN_LABELS values
 * asked, however many the request gives. */
START_TEST(explanation_within_a_size)
{
  static const char *const tiers[] = { "GS", "SH", "KP", "CD", "UM", "HM", "VE", "BQ", "LA",
                                       "VC", "BO", "FM", "IO", "VA" };
  static const char *const asked[] = { "Tanzania", "Iran", "Taiwan", "Syria", "Moldova",
                                       "Bosnia and Herzegovina", "Svalbard and Jan Mayen",
                                       "Saint Kitts and Nevis", "Sao Tome and Principe",
                                       "United Arab Emirates", "Central African Republic",
                                       "Northern Mariana Islands", "Turks and Caicos Islands",
                                       "Cocos (Keeling) Islands" };
  char ttl[16384], *full, *out, name[16];
  const char *who[20];
  icx_constraints *set;
  icx_explain *e = NULL;
  size_t len, k, i;
  int c, cut = -1;

  len = (size_t)snprintf(ttl, sizeof ttl, "@prefix res: <" TU_RES "> .\n"
                         "@prefix ex: <" TU_EX "> .\n");
  for (c = 0; c < 20; c++) {
    len += (size_t)snprintf(ttl + len, sizeof ttl - len,
                            "ex:c%d a res:Cloud ; res:cloudName \"big%02d\" ; res:offers ex:s%d .\n"
                            "ex:s%d a res:StorageService ; res:replicationFactor 2 ; "
                            "res:tierCountry res:%s", c, c, c, c, tiers[0]);
    for (k = 1; k < sizeof tiers / sizeof tiers[0]; k++)
      len += (size_t)snprintf(ttl + len, sizeof ttl - len, ", res:%s", tiers[k]);
    len += (size_t)snprintf(ttl + len, sizeof ttl - len, " .\n");
  }
  ck_assert_uint_lt(len, sizeof ttl);
  use_turtle(ttl);
  set = icx_constraints_new(vocab);
  ck_assert_ptr_nonnull(set);
  /* Eight constraints of 14 countries each, none offered, and one that
   * nothing meets: 20 clouds fail 9 each, and there are relaxations. */
  for (c = 0; c < 8; c++)
    ck_assert_msg(icx_constraints_add_op(ctx, set, "tierCountry", "anyOf", asked,
                                         sizeof asked / sizeof asked[0], 1, 0) == ICX_OK,
                  "%s", icx_ctx_errmsg(ctx));
  ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "40"), ICX_OK);
  for (i = 0; i < 20; i++) {
    snprintf(name, sizeof name, "big%02zu", i);
    who[i] = strdup(name);
  }
  ck_assert_int_eq(icx_explain_run(ctx, store, set, who, 20, &e), ICX_OK);
  ck_assert_uint_eq(icx_explain_failure_count(e, 0), 9);
  /* The values asked: the first ICX_EXPLAIN_LABELS, then "...". */
  ck_assert_msg(strstr(icx_explain_failure_detail(e, 0, 0), ", Northern Mariana Islands, ..."),
                "%s", icx_explain_failure_detail(e, 0, 0));
  ck_assert_ptr_null(strstr(icx_explain_failure_detail(e, 0, 0), "Turks"));
  full = icx_explain_to_xml(e, 0);
  ck_assert_ptr_nonnull(full);
  /* Whole when it fits, and then just as icx_explain_to_xml() writes it. */
  out = icx_explain_to_xml_within(e, strlen(full) + 256, &cut);
  ck_assert_int_eq(cut, 0);
  ck_assert_str_eq(out, full);
  icx_free(ctx, out);
  /* Cut: under the size; every constraint's line; the first clouds whole,
   * the later ones with failures=, none left out at this size. */
  for (len = 4096; len <= strlen(full); len *= 2) {
    out = icx_explain_to_xml_within(e, len, &cut);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(cut, 1);
    ck_assert_msg(strlen(out) <= len, "%zu bytes asked, %zu written", len, strlen(out));
    ck_assert_ptr_nonnull(strstr(out, " cut='true' relaxations='"));
    ck_assert_uint_eq(count_of(out, "<constraint index="), 9);
    ck_assert_uint_eq(count_of(out, "<cloud name="), 20);
    ck_assert_uint_ge(count_of(out, " failures='9'/>"), 1);
    ck_assert_uint_eq(count_of(out, "<cloud name=") - count_of(out, " failures='9'/>"),
                      count_of(out, "</cloud>"));
    ck_assert_ptr_nonnull(strstr(out, "<cloud name='big00'"));
    ck_assert(!strncmp(out, "<explanation xmlns=", 19));
    ck_assert_str_eq(out + strlen(out) - 14, "</explanation>");
    icx_free(ctx, out);
  }
  /* Too small even for the clouds' names: they are left out, the
   * constraints stay. */
  out = icx_explain_to_xml_within(e, 1, &cut);
  ck_assert_int_eq(cut, 1);
  ck_assert_uint_eq(count_of(out, "<constraint index="), 9);
  ck_assert_uint_eq(count_of(out, "<cloud "), 0);
  ck_assert_uint_eq(count_of(out, "<relaxation "), 0);
  icx_free(ctx, out);
  icx_free(ctx, full);
  icx_explain_free(e);
  icx_constraints_free(set);
  for (i = 0; i < 20; i++)
    free((char *)who[i]);
}
END_TEST

static double
now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A time limit stops an explanation (all its queries share one budget)
 * with ICX_ERR_LIMIT and a message, and leaves the context usable.  The
 * limit is a tenth of what the same explanation takes unlimited here, so
 * the test does not depend on the machine's speed. */
START_TEST(time_limit_stops_an_explanation)
{
  icx_constraints *set = icx_constraints_new(vocab);
  icx_explain *e = NULL;
  icx_match *m = NULL;
  double t0, took;
  int i;

  ck_assert_ptr_nonnull(set);
  /* Three constraints no cloud meets among sixteen: the smallest
   * relaxations remove three, so hundreds of subsets are matched. */
  ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "40"), ICX_OK);
  ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "41"), ICX_OK);
  ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "42"), ICX_OK);
  for (i = 0; i < 13; i++)
    ck_assert_int_eq(icx_constraints_add(ctx, set, "availability", "90"), ICX_OK);
  t0 = now_ms();
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &e), ICX_OK);
  took = now_ms() - t0;
  ck_assert_int_eq(icx_explain_relaxation_size(e, 0), 3);
  icx_explain_free(e);
  e = NULL;
  ck_assert_msg(took >= 5, "the explanation took %.2f ms: too fast to limit", took);

  icx_ctx_set_time_limit(ctx, (unsigned long)(took / 10) + 1);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &e), ICX_ERR_LIMIT);
  ck_assert_ptr_null(e);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "time limit of"), "%s", icx_ctx_errmsg(ctx));

  /* The deadline went with the call: a generous limit, then none. */
  icx_ctx_set_time_limit(ctx, 600000);
  ck_assert_int_eq(icx_match_run(ctx, store, set, &m), ICX_OK);
  ck_assert_int_eq(icx_match_count(m), 0);
  icx_match_free(m);
  icx_ctx_set_time_limit(ctx, 0);
  ck_assert_int_eq(icx_explain_run(ctx, store, set, NULL, 0, &e), ICX_OK);
  icx_explain_free(e);
  icx_constraints_free(set);
}
END_TEST

static Suite *
explain_suite(void)
{
  Suite *s = suite_create("explain");
  TCase *tc = tcase_create("shipped");

  tcase_add_checked_fixture(tc, setup, teardown);
  /* The relaxation search of time_limit_stops_an_explanation matches
   * hundreds of subsets: under the sanitizers, on a loaded machine, that
   * takes longer than the default two minutes. */
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, explanations);
  tcase_add_test(tc, counts_alike_with_and_without_clouds);
  tcase_add_test(tc, smallest_relaxations);
  tcase_add_test(tc, relaxation_names_the_first_clouds);
  tcase_add_test(tc, explanation_within_a_size);
  tcase_add_test(tc, explaining_too_large_a_request);
  tcase_add_test(tc, time_limit_stops_an_explanation);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(explain_suite());
}

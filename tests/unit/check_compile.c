/* check_compile.c - constraint XML in, SPARQL out, against golden files in
 * tests/golden (NAME.xml -> NAME.sparql; "paper" reads the shipped
 * request).  ICX_REGEN_GOLDEN=1 rewrites the .sparql files instead. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rasqal.h>

#include "fixture.h"

static icx_ctx *ctx;
static icx_vocab *vocab;

static void
setup(void)
{
  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
}

static void
teardown(void)
{
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
}

static const char *const cases[] = { "paper", "numeric", "subsumption", "repeated", "injection",
                                     "operators", "soft", "latency", "alignment", "typed",
                                     "units" };

START_TEST(golden)
{
  const char *name = cases[_i];
  char file[256];
  char *in_path, *out_path, *xml, *expected, *sparql = NULL;
  icx_constraints *set = NULL;
  size_t len;
  const char *regen = getenv("ICX_REGEN_GOLDEN");

  if (!strcmp(name, "paper")) {
    in_path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  } else {
    snprintf(file, sizeof file, "tests/golden/%s.xml", name);
    in_path = tu_path(tu_srcdir(), file);
  }
  snprintf(file, sizeof file, "tests/golden/%s.sparql", name);
  out_path = tu_path(tu_srcdir(), file);
  xml = tu_read(in_path, &len);
  ck_assert_msg(xml != NULL, "cannot read %s", in_path);
  ck_assert_msg(icx_constraints_parse(ctx, vocab, xml, len, &set) == ICX_OK, "%s: %s", name,
                icx_ctx_errmsg(ctx));
  ck_assert_int_eq(icx_compile_sparql(ctx, set, &sparql), ICX_OK);
  if (regen && *regen == '1') {
    tu_write(out_path, sparql);
  } else {
    expected = tu_read(out_path, NULL);
    ck_assert_msg(expected != NULL, "missing golden file %s", out_path);
    ck_assert_msg(!strcmp(expected, sparql), "%s differs from the compiler's output:\n%s",
                  out_path, sparql);
    free(expected);
  }
  icx_free(ctx, sparql);
  icx_constraints_free(set);
  free(xml);
  free(in_path);
  free(out_path);
}
END_TEST

/* Every compiled query parses as SPARQL for rasqal. */
START_TEST(compiled_queries_parse)
{
  char *xml = tu_constraints("availability", "1", "replicas", "2", "tierCountries", "FR",
                             "StorageReplicationMethod", "XMPP", "InterCloudStorageAccess",
                             "SMB", NULL);
  icx_constraints *set = NULL;
  char *sparql = NULL;
  rasqal_world *rw = rasqal_new_world();
  rasqal_query *q;

  ck_assert_ptr_nonnull(rw);
  ck_assert_int_eq(rasqal_world_open(rw), 0);
  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_compile_sparql(ctx, set, &sparql), ICX_OK);
  q = rasqal_new_query(rw, "sparql", NULL);
  ck_assert_int_eq(rasqal_query_prepare(q, (const unsigned char *)sparql, NULL), 0);
  /* Only vocabulary IRIs and icx-formatted numbers: no quote characters. */
  ck_assert_ptr_null(strchr(sparql, '"'));
  ck_assert_ptr_null(strchr(sparql, '\''));
  rasqal_free_query(q);
  rasqal_free_world(rw);
  icx_free(ctx, sparql);
  icx_constraints_free(set);
  free(xml);
}
END_TEST

START_TEST(misuse)
{
  char *out = (char *)1;

  ck_assert_int_eq(icx_compile_sparql(ctx, NULL, &out), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_compile_sparql(NULL, NULL, NULL), ICX_ERR_MISUSE);
}
END_TEST

static void
count_log(void *ud, raptor_log_message *m)
{
  (void)m;
  ++*(int *)ud;
}

/* rasqal warns on stderr of a variable that appears once.  Without type
 * patterns, the query of no constraints (an explanation's "without all of
 * them") had ?cloud once; no compiled query may draw a warning. */
START_TEST(compiled_queries_draw_no_warning)
{
  static const char *const requests[][2] = {
    { NULL, NULL }, { "replicationFactor", "3" }, { "tierCountry", "Japan" }
  };
  rasqal_world *rw = rasqal_new_world();
  size_t i;
  int logged = 0;

  ck_assert_ptr_nonnull(rw);
  ck_assert_int_eq(rasqal_world_open(rw), 0);
  rasqal_world_set_log_handler(rw, &logged, count_log);
  for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    icx_constraints *set = icx_constraints_new(vocab);
    char *sparql = NULL;
    rasqal_query *q;
    ck_assert_ptr_nonnull(set);
    if (requests[i][0])
      ck_assert_int_eq(icx_constraints_add(ctx, set, requests[i][0], requests[i][1]), ICX_OK);
    ck_assert_int_eq(icx_compile_sparql(ctx, set, &sparql), ICX_OK);
    q = rasqal_new_query(rw, "sparql", NULL);
    ck_assert_int_eq(rasqal_query_prepare(q, (const unsigned char *)sparql, NULL), 0);
    ck_assert_msg(logged == 0, "rasqal logged %d messages on\n%s", logged, sparql);
    rasqal_free_query(q);
    icx_free(ctx, sparql);
    icx_constraints_free(set);
  }
  rasqal_free_world(rw);
}
END_TEST

/* SQLite joins at most 64 tables, one per triple pattern: a request that
 * needs more is refused here with a message, not sent to SQLite (whose
 * error said nothing of constraints) nor to rasqal (which took minutes). */
START_TEST(too_many_patterns)
{
  icx_constraints *set = icx_constraints_new(vocab);
  char *out = NULL;
  int i;

  ck_assert_ptr_nonnull(set);
  for (i = 0; i < ICX_COMPILE_MAX_PATTERNS - 4; i++)
    ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "3"), ICX_OK);
  ck_assert_int_eq(icx_compile_sparql(ctx, set, &out), ICX_OK);  /* 4 + 60: just fits */
  icx_free(ctx, out);
  out = NULL;
  ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "3"), ICX_OK);
  ck_assert_int_eq(icx_compile_sparql(ctx, set, &out), ICX_ERR_CONSTRAINT);
  ck_assert_ptr_null(out);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "65 triple patterns") &&
                strstr(icx_ctx_errmsg(ctx), "at most 64"), "%s", icx_ctx_errmsg(ctx));
  icx_constraints_free(set);
}
END_TEST

static Suite *
compile_suite(void)
{
  Suite *s = suite_create("compile");
  TCase *tc = tcase_create("sparql");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_loop_test(tc, golden, 0, (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(tc, compiled_queries_parse);
  tcase_add_test(tc, compiled_queries_draw_no_warning);
  tcase_add_test(tc, misuse);
  tcase_add_test(tc, too_many_patterns);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(compile_suite());
}

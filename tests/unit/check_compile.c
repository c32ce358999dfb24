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
#include "icx_compile_internal.h"

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

/* The string rasqal reads back from s escaped as icx escapes it, as the
 * object of a triple pattern; NULL when icx refuses s (*rc set). */
static char *
roundtrip(rasqal_world *rw, const char *s, icx_rc *rc)
{
  icx_buf b;
  rasqal_query *q;
  rasqal_triple *t;
  char *back = NULL;

  *rc = ICX_OK;
  icx_buf_init(&b, ctx);
  icx_buf_append(&b, "SELECT * WHERE { ?s ?p ");
  if (icx_sparql_append_string(ctx, &b, s, rc)) {
    icx_buf_free(&b);
    return NULL;
  }
  icx_buf_append(&b, " }");
  ck_assert(!icx_buf_failed(&b));
  q = rasqal_new_query(rw, "sparql", NULL);
  ck_assert_msg(rasqal_query_prepare(q, (const unsigned char *)b.data, NULL) == 0,
                "rasqal refused %s", b.data);
  t = rasqal_query_get_triple(q, 0);
  ck_assert_ptr_nonnull(t);
  ck_assert_int_eq(t->object->type, RASQAL_LITERAL_STRING);
  back = strdup((const char *)t->object->string);
  rasqal_free_query(q);
  icx_buf_free(&b);
  return back;
}

/* Strings reach SPARQL through icx's own escaping (no librdf call):
 * whatever UTF-8 text goes in, rasqal reads the same text back; text that
 * is not UTF-8 is refused with a message. */
START_TEST(strings_escape_and_read_back)
{
  static const char *const good[] = {
    "", "plain", "a\"b", "a\\b", "back\\slash at end\\", "line\nfeed", "cr\rlf\r\n",
    "tab\tbs\bff\f", "\x01\x1f\x7f ctl", "caf\xc3\xa9", "\xe2\x82\xac" "5",
    "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "'single'", "\"\"\"triple\"\"\"",
    "} . ?x ?y ?z . FILTER(true) #", "<http://example.org/>", "\\u0041 and \\n as text"
  };
  static const char *const bad[] = {
    "\xff", "a\xc3", "\xc0\x80", "\xc1\xbf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
    "\xe2\x82", "\xf8\x88\x80\x80\x80", "ok\x80"
  };
  rasqal_world *rw = rasqal_new_world();
  unsigned seed = 13;
  icx_rc rc;
  size_t i;
  char *back;

  ck_assert_ptr_nonnull(rw);
  ck_assert_int_eq(rasqal_world_open(rw), 0);
  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    back = roundtrip(rw, good[i], &rc);
    ck_assert_msg(back && !strcmp(back, good[i]), "case %zu read back as [%s]", i,
                  back ? back : "(refused)");
    free(back);
  }
  /* Random text: code points of every length, controls and quotes. */
  for (i = 0; i < 300; i++) {
    char s[64];
    size_t n = 0;
    while (n < sizeof s - 5) {
      unsigned cp, r;
      seed = seed * 1103515245u + 12345u;
      r = (seed >> 8) % 6;
      cp = r == 0 ? 1 + (seed >> 16) % 0x7f
         : r == 1 ? ((const unsigned char *)"\"\\\n\r\t'")[(seed >> 16) % 6]
         : r == 2 ? 0x80 + (seed >> 12) % 0x780
         : r == 3 ? 0x800 + (seed >> 12) % 0xd000
         : r == 4 ? 0x10000 + (seed >> 10) % 0x100000 : 'a';
      if (cp >= 0xd800 && cp <= 0xdfff)
        cp = 'x';
      if (cp < 0x80) {
        s[n++] = (char)cp;
      } else if (cp < 0x800) {
        s[n++] = (char)(0xc0 | cp >> 6);
        s[n++] = (char)(0x80 | (cp & 0x3f));
      } else if (cp < 0x10000) {
        s[n++] = (char)(0xe0 | cp >> 12);
        s[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
        s[n++] = (char)(0x80 | (cp & 0x3f));
      } else {
        s[n++] = (char)(0xf0 | cp >> 18);
        s[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
        s[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
        s[n++] = (char)(0x80 | (cp & 0x3f));
      }
      if ((seed >> 4) % 9 == 0)
        break;
    }
    s[n] = '\0';
    back = roundtrip(rw, s, &rc);
    ck_assert_msg(back && !strcmp(back, s), "random case %zu not read back", i);
    free(back);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_ptr_null(roundtrip(rw, bad[i], &rc));
    ck_assert_int_eq(rc, ICX_ERR_CONSTRAINT);
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "not UTF-8"), "%s", icx_ctx_errmsg(ctx));
  }
  rasqal_free_world(rw);
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
  tcase_add_test(tc, strings_escape_and_read_back);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(compile_suite());
}

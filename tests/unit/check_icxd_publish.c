/* check_icxd_publish.c - unit tests of icxd_publish: publish and withdraw
 * requests read into jobs, inline RDF/XML back to text, loader messages
 * turned into places, redaction of other accounts, the answers. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "icxd_publish.h"
#include "icxd_stanza.h"

#define NS "http://www.csp/resOntology"

static xmpp_ctx_t *x;

static void setup(void) { x = xmpp_ctx_new(NULL, NULL); }
static void teardown(void) { xmpp_ctx_free(x); }

/* <in> holding inner (as a stanza tree the XMPP library parsed). */
static xmpp_stanza_t *in_of(const char *inner)
{
  char buf[8192];
  xmpp_stanza_t *s;

  snprintf(buf, sizeof buf, "<in xmlns='urn:xmpp:tmp:io-data'>%s</in>", inner);
  s = xmpp_stanza_new_from_string(x, buf);
  ck_assert_ptr_nonnull(s);
  return s;
}

/* Reads a publish of inner by actor; returns rc, the job in *out. */
static icx_rc publish(const char *inner, const char *actor, int admin, size_t max,
                      icxd_job **out, char *err, size_t errlen)
{
  xmpp_stanza_t *in = in_of(inner);
  icx_rc rc;

  *out = icxd_job_new(0);
  err[0] = '\0';
  rc = icxd_publish_read(x, in, actor, admin, max, *out, err, errlen);
  xmpp_stanza_release(in);
  return rc;
}

START_TEST(names_and_graphs)
{
  char *u;

  ck_assert(icxd_publish_name_ok("default"));
  ck_assert(icxd_publish_name_ok("eu-west_2.v1"));
  ck_assert(!icxd_publish_name_ok(""));
  ck_assert(!icxd_publish_name_ok("a b"));
  ck_assert(!icxd_publish_name_ok("a/b"));
  ck_assert(!icxd_publish_name_ok(
      "x12345678901234567890123456789012345678901234567890123456789012345"));
  u = icxd_publish_doc_uri("alice@cloud1.org", "default");
  ck_assert_str_eq(u, "xmpp:alice@cloud1.org?icx-capabilities;name=default");
  free(u);
  u = icxd_publish_doc_uri("o'neil@x.test", "a");
  ck_assert_str_eq(u, "xmpp:o%27neil@x.test?icx-capabilities;name=a");
  free(u);
}
END_TEST

START_TEST(publish_as_text)
{
  icxd_job *job;
  char err[512];

  ck_assert_int_eq(publish("<capabilities xmlns='" NS "' format='turtle' name='eu'>"
                           "@prefix a: &lt;http://a/&gt; .\na:x a:y &quot;z&quot; .\n"
                           "</capabilities>", "alice@cloud1.org", 0, 4096, &job,
                           err, sizeof err), ICX_OK);
  ck_assert_int_eq(job->kind, ICXD_JOB_PUBLISH);
  ck_assert_int_eq(job->doc_format, ICX_FORMAT_TURTLE);
  ck_assert_str_eq(job->xml, "@prefix a: <http://a/> .\na:x a:y \"z\" .\n");
  ck_assert_uint_eq(job->xml_len, strlen(job->xml));
  ck_assert_str_eq(job->doc_name, "eu");
  ck_assert_str_eq(job->doc_owner, "alice@cloud1.org");
  ck_assert_str_eq(job->actor, "alice@cloud1.org");
  ck_assert_str_eq(job->doc_uri, "xmpp:alice@cloud1.org?icx-capabilities;name=eu");
  icxd_job_free(job);

  /* No name: "default"; ntriples. */
  ck_assert_int_eq(publish("<capabilities xmlns='" NS "' format='ntriples'>"
                           "&lt;http://a/x&gt; &lt;http://a/y&gt; &lt;http://a/z&gt; ."
                           "</capabilities>", "a@b.test", 0, 4096, &job, err,
                           sizeof err), ICX_OK);
  ck_assert_str_eq(job->doc_name, "default");
  ck_assert_int_eq(job->doc_format, ICX_FORMAT_NTRIPLES);
  icxd_job_free(job);
}
END_TEST

START_TEST(publish_refusals)
{
  static const struct {
    const char *inner;
    icx_rc rc;
    const char *says;
  } cases[] = {
    { "<capabilities xmlns='" NS "'>text</capabilities>", ICX_ERR_XML, "needs format" },
    { "<capabilities xmlns='" NS "' format='json'>{}</capabilities>", ICX_ERR_XML,
      "unknown format 'json'" },
    { "<capabilities xmlns='" NS "' format='turtle'>  \n </capabilities>", ICX_ERR_XML,
      "holds no document" },
    { "<capabilities xmlns='" NS "' format='turtle' name='a b'>x</capabilities>",
      ICX_ERR_XML, "bad document name 'a b'" },
    { "<capabilities xmlns='urn:other' format='turtle'>x</capabilities>", ICX_ERR_XML,
      "one <capabilities" },
    { "<capabilities xmlns='" NS "' format='turtle'>x</capabilities>"
      "<capabilities xmlns='" NS "' format='turtle'>y</capabilities>", ICX_ERR_XML,
      "one <capabilities" },
    { "<capabilities xmlns='" NS "'><a xmlns='urn:a'/><b xmlns='urn:b'/></capabilities>",
      ICX_ERR_XML, "holds 2 elements" },
    { "<capabilities xmlns='" NS "'>x<a xmlns='urn:a'/></capabilities>", ICX_ERR_XML,
      "both text and an element" },
    { "<capabilities xmlns='" NS "' format='turtle'><a xmlns='urn:a'/></capabilities>",
      ICX_ERR_XML, "sent as text" },
    { "<capabilities xmlns='" NS "' format='turtle'>0123456789abcdefg</capabilities>",
      ICX_ERR_LIMIT, "is 17 bytes; this exchange takes at most 16 bytes" },
  };
  icxd_job *job;
  char err[512];
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ck_assert_int_eq(publish(cases[i].inner, "a@b.test", 0, 16, &job, err, sizeof err),
                     cases[i].rc);
    ck_assert_msg(strstr(err, cases[i].says) != NULL, "case %zu: %s", i, err);
    ck_assert(!job->forbidden);
    icxd_job_free(job);
  }
  /* The size limit also says what to do instead. */
  publish(cases[9].inner, "a@b.test", 0, 16, &job, err, sizeof err);
  ck_assert_ptr_nonnull(strstr(err, "several documents under different names"));
  icxd_job_free(job);
}
END_TEST

START_TEST(owner_is_for_administrators)
{
  icxd_job *job;
  char err[512];
  const char *inner = "<capabilities xmlns='" NS "' format='turtle' "
                      "owner='Bob@Cloud2.org/x'>x</capabilities>";

  ck_assert_int_eq(publish(inner, "alice@cloud1.org", 0, 4096, &job, err, sizeof err),
                   ICX_ERR_INVALID);
  ck_assert(job->forbidden);
  ck_assert_ptr_null(strstr(err, "bob"));   /* nothing said of the other */
  icxd_job_free(job);
  ck_assert_int_eq(publish(inner, "root@ops.test", 1, 4096, &job, err, sizeof err),
                   ICX_OK);
  ck_assert_str_eq(job->doc_owner, "bob@cloud2.org");
  ck_assert_str_eq(job->actor, "root@ops.test");
  ck_assert(job->actor_admin);
  ck_assert_str_eq(job->doc_uri, "xmpp:bob@cloud2.org?icx-capabilities;name=default");
  icxd_job_free(job);
  /* Naming oneself is fine for anyone. */
  ck_assert_int_eq(publish("<capabilities xmlns='" NS "' format='turtle' "
                           "owner='alice@cloud1.org'>x</capabilities>",
                           "alice@cloud1.org", 0, 4096, &job, err, sizeof err), ICX_OK);
  icxd_job_free(job);
}
END_TEST

/* Inline RDF/XML comes back as RDF/XML whose lines are the sender's: the
 * text between elements (and its line ends) is kept. */
START_TEST(inline_rdfxml)
{
  icxd_job *job;
  char err[512];

  ck_assert_int_eq(
      publish("<capabilities xmlns='" NS "' name='x'>"
              "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
              " xmlns:res='http://www.csp/resOntology#'>\n"
              "  <res:Cloud rdf:about='http://c/1'>\n"
              "    <res:cloudName xml:lang='en'>c &amp; 1</res:cloudName>\n"
              "    <res:offers rdf:resource='http://c/s'/>\n"
              "  </res:Cloud>\n"
              "</rdf:RDF></capabilities>", "a@b.test", 0, 4096, &job, err, sizeof err),
      ICX_OK);
  ck_assert_int_eq(job->doc_format, ICX_FORMAT_RDFXML);
  ck_assert_str_eq(job->xml,
      "<RDF xmlns=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
      " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "  <Cloud xmlns=\"http://www.csp/resOntology#\" rdf:about=\"http://c/1\">\n"
      "    <cloudName xml:lang=\"en\">c &amp; 1</cloudName>\n"
      "    <offers rdf:resource=\"http://c/s\"/>\n"
      "  </Cloud>\n"
      "</RDF>");
  icxd_job_free(job);

  /* A property attribute cannot come back: refused, with the way out. */
  ck_assert_int_eq(
      publish("<capabilities xmlns='" NS "'>"
              "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
              " xmlns:res='http://www.csp/resOntology#'>"
              "<res:Cloud rdf:about='http://c/1' res:cloudName='c1'/>"
              "</rdf:RDF></capabilities>", "a@b.test", 0, 4096, &job, err, sizeof err),
      ICX_ERR_XML);
  ck_assert_msg(strstr(err, "'cloudName'") && strstr(err, "format='rdfxml'"), "%s", err);
  icxd_job_free(job);
}
END_TEST

START_TEST(withdraw_requests)
{
  xmpp_stanza_t *in;
  icxd_job *job;
  char err[512];

  in = in_of("<withdraw xmlns='" NS "' name='eu'/>");
  job = icxd_job_new(0);
  ck_assert_int_eq(icxd_withdraw_read(x, in, "alice@cloud1.org", 0, job, err, sizeof err),
                   ICX_OK);
  ck_assert_int_eq(job->kind, ICXD_JOB_WITHDRAW);
  ck_assert_str_eq(job->doc_uri, "xmpp:alice@cloud1.org?icx-capabilities;name=eu");
  ck_assert_str_eq(job->doc_owner, "alice@cloud1.org");
  icxd_job_free(job);
  xmpp_stanza_release(in);

  in = in_of("<withdraw xmlns='" NS "' document='file:///srv/cloud1.ttl'/>");
  job = icxd_job_new(0);
  ck_assert_int_eq(icxd_withdraw_read(x, in, "alice@cloud1.org", 0, job, err, sizeof err),
                   ICX_OK);
  ck_assert_str_eq(job->doc_uri, "file:///srv/cloud1.ttl");
  ck_assert_ptr_null(job->doc_owner);
  icxd_job_free(job);
  xmpp_stanza_release(in);

  in = in_of("<withdraw xmlns='" NS "' owner='bob@cloud2.org'/>");
  job = icxd_job_new(0);
  ck_assert_int_eq(icxd_withdraw_read(x, in, "alice@cloud1.org", 0, job, err, sizeof err),
                   ICX_ERR_INVALID);
  ck_assert(job->forbidden);
  icxd_job_free(job);
  xmpp_stanza_release(in);

  in = in_of("<withdraw xmlns='" NS "' document='a b'/>");
  job = icxd_job_new(0);
  ck_assert_int_eq(icxd_withdraw_read(x, in, "alice@cloud1.org", 0, job, err, sizeof err),
                   ICX_ERR_XML);
  icxd_job_free(job);
  xmpp_stanza_release(in);

  in = in_of("<withdraw xmlns='" NS "' document='urn:a' name='b'/>");
  job = icxd_job_new(0);
  ck_assert_int_eq(icxd_withdraw_read(x, in, "alice@cloud1.org", 0, job, err, sizeof err),
                   ICX_ERR_XML);
  ck_assert_ptr_nonnull(strstr(err, "not both"));
  icxd_job_free(job);
  xmpp_stanza_release(in);
}
END_TEST

START_TEST(places_and_redaction)
{
  long line, col;
  const char *rest;
  char *r;

  rest = icxd_publish_locate("xmpp:a@b:3:7: syntax error", "xmpp:a@b", &line, &col);
  ck_assert_str_eq(rest, "syntax error");
  ck_assert_int_eq(line, 3);
  ck_assert_int_eq(col, 7);
  rest = icxd_publish_locate("xmpp:a@b:12: <x> is not defined", "xmpp:a@b", &line, &col);
  ck_assert_str_eq(rest, "<x> is not defined");
  ck_assert_int_eq(line, 12);
  ck_assert_int_eq(col, 0);
  rest = icxd_publish_locate("xmpp:a@b: describes no cloud", "xmpp:a@b", &line, &col);
  ck_assert_str_eq(rest, "describes no cloud");
  ck_assert_int_eq(line, 0);
  rest = icxd_publish_locate("cannot write", "xmpp:a@b", &line, &col);
  ck_assert_str_eq(rest, "cannot write");

  r = icxd_publish_redact("cloud \"c2\" is already described by "
                          "xmpp:bob@x.test?icx-capabilities;name=default (and "
                          "xmpp:alice@y.test?icx-capabilities;name=eu)",
                          "alice@y.test");
  ck_assert_str_eq(r, "cloud \"c2\" is already described by another publisher's "
                      "document (and xmpp:alice@y.test?icx-capabilities;name=eu)");
  free(r);
  r = icxd_publish_redact("no IRI here", "a@b");
  ck_assert_str_eq(r, "no IRI here");
  free(r);
}
END_TEST

START_TEST(answers_and_schemata)
{
  char c1[] = "c<1>", c2[] = "c2";
  char *clouds[] = { c1, c2 };
  char *a = icxd_publish_answer("published", "xmpp:a@b?icx-capabilities;name=x",
                                "x", "a@b", "turtle", 12, clouds, 2);
  xmpp_stanza_t *s = xmpp_stanza_new_from_string(x, a);

  ck_assert_ptr_nonnull(s);
  ck_assert_str_eq(xmpp_stanza_get_name(s), "published");
  ck_assert_str_eq(xmpp_stanza_get_ns(s), NS);
  ck_assert_str_eq(xmpp_stanza_get_attribute(s, "triples"), "12");
  ck_assert_str_eq(xmpp_stanza_get_attribute(s, "owner"), "a@b");
  ck_assert_int_eq(icxd_count_children(s), 2);
  ck_assert_ptr_null(xmpp_stanza_get_attribute(s, "clouds"));
  xmpp_stanza_release(s);
  free(a);

  /* A document of many clouds (one loaded from a file and withdrawn over
   * XMPP, or a big publish): the first ones named, all counted. */
  {
    size_t n = ICXD_PUBLISH_MAX_NAMES * 3, i;
    char **many = calloc(n, sizeof *many);
    ck_assert_ptr_nonnull(many);
    for (i = 0; i < n; i++) {
      many[i] = malloc(16);
      ck_assert_ptr_nonnull(many[i]);
      snprintf(many[i], 16, "c%05zu", i);
    }
    a = icxd_publish_answer("withdrawn", "urn:x", NULL, NULL, NULL, 9, many, n);
    s = xmpp_stanza_new_from_string(x, a);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(icxd_count_children(s), ICXD_PUBLISH_MAX_NAMES);
    ck_assert_str_eq(xmpp_stanza_get_attribute(s, "clouds"), "300");
    xmpp_stanza_release(s);
    free(a);
    for (i = 0; i < n; i++)
      free(many[i]);
    free(many);
  }

  s = icxd_publish_schemata(x);
  ck_assert_ptr_nonnull(s);
  ck_assert_str_eq(xmpp_stanza_get_type(s), "io-schemata-result");
  xmpp_stanza_release(s);
  s = icxd_withdraw_schemata(x);
  ck_assert_ptr_nonnull(s);
  xmpp_stanza_release(s);
}
END_TEST

static Suite *publish_suite(void)
{
  Suite *s = suite_create("icxd_publish");
  TCase *tc = tcase_create("core");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, names_and_graphs);
  tcase_add_test(tc, publish_as_text);
  tcase_add_test(tc, publish_refusals);
  tcase_add_test(tc, owner_is_for_administrators);
  tcase_add_test(tc, inline_rdfxml);
  tcase_add_test(tc, withdraw_requests);
  tcase_add_test(tc, places_and_redaction);
  tcase_add_test(tc, answers_and_schemata);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(publish_suite());
}

/* check_icxd_iodata.c - unit tests of icxd_iodata. */
/* The IO Data payloads (schemata, output, error) and the clouds an
 * explanation names. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "icxd_iodata.h"
#include "icxd_stanza.h"
#include "icxd_worker.h"

START_TEST(iodata_payloads)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *s;
  char *text;
  size_t len;

  s = icxd_iodata_schemata(x);
  ck_assert_ptr_nonnull(s);
  ck_assert_ptr_nonnull(icxd_child(s, "in", NULL));
  ck_assert_ptr_nonnull(icxd_child(icxd_child(s, "out", NULL), "schema",
                                   "http://www.w3.org/2001/XMLSchema"));
  xmpp_stanza_release(s);

  s = icxd_iodata_output(x, "<matchingClouds xmlns='http://www.csp/resOntology'>"
                            "<cloudName>a&amp;b</cloudName></matchingClouds>");
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(xmpp_stanza_to_text(s, &text, &len), XMPP_EOK);
  ck_assert_ptr_nonnull(strstr(text, "<cloudName>a&amp;b</cloudName>"));
  xmpp_free(x, text);
  xmpp_stanza_release(s);
  /* Not XML: no stanza, no crash. */
  ck_assert_ptr_null(icxd_iodata_output(x, "<matchingClouds"));

  s = icxd_iodata_error(x, ICX_ERR_CONSTRAINT, "unknown <thing> & more");
  ck_assert_int_eq(xmpp_stanza_to_text(s, &text, &len), XMPP_EOK);
  ck_assert_ptr_nonnull(strstr(text, "code=\"constraint\""));
  ck_assert_ptr_nonnull(strstr(text, "unknown &lt;thing&gt; &amp; more"));
  xmpp_free(x, text);
  xmpp_stanza_release(s);

  s = icxd_iodata_schemata_explain(x);
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(xmpp_stanza_to_text(s, &text, &len), XMPP_EOK);
  ck_assert_ptr_nonnull(strstr(text, "name=\"cloudName\""));
  ck_assert_ptr_nonnull(strstr(text, "name=\"explanation\""));
  xmpp_free(x, text);
  xmpp_stanza_release(s);
  xmpp_ctx_free(x);
}
END_TEST

/* The clouds an explain_constraints request names: read from <cloudName>
 * children of <in>, trimmed; the wrong shapes get a message. */
static icx_rc explain_clouds(xmpp_ctx_t *x, const char *in, icxd_job *job,
                             char *err, size_t errlen)
{
  xmpp_stanza_t *s = xmpp_stanza_new_from_string(x, in);
  icx_rc rc;

  ck_assert_ptr_nonnull(s);
  rc = icxd_iodata_explain_clouds(x, s, job, err, errlen);
  xmpp_stanza_release(s);
  return rc;
}

#define CSP "xmlns='http://www.csp/resOntology'"

START_TEST(iodata_explain_clouds)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_job *job = icxd_job_new(1);
  char err[256], in[8192];
  size_t n;
  int i;

  ck_assert_int_eq(explain_clouds(x, "<in xmlns='urn:xmpp:tmp:io-data'>"
                       "<constraints " CSP "/><cloudName " CSP "> cloud1\n"
                       "</cloudName><other xmlns='urn:x'/><cloudName " CSP
                       ">a &amp; b</cloudName></in>", job, err, sizeof err),
                   ICX_OK);
  ck_assert_uint_eq(job->n_explain, 2);
  ck_assert_str_eq(job->explain[0], "cloud1");
  ck_assert_str_eq(job->explain[1], "a & b");
  icxd_job_free(job);

  job = icxd_job_new(2);
  ck_assert_int_eq(explain_clouds(x, "<in xmlns='urn:xmpp:tmp:io-data'>"
                       "<cloudName>cloud1</cloudName></in>", job, err,
                       sizeof err), ICX_ERR_XML);
  ck_assert_ptr_nonnull(strstr(err, "namespace \"urn:xmpp:tmp:io-data\""));
  ck_assert_int_eq(explain_clouds(x, "<in><cloudName " CSP "> </cloudName>"
                       "</in>", job, err, sizeof err), ICX_ERR_XML);
  ck_assert_ptr_nonnull(strstr(err, "<cloudName> 1 is empty"));
  ck_assert_int_eq(explain_clouds(x, "<in><cloudName " CSP "><b/></cloudName>"
                       "</in>", job, err, sizeof err), ICX_ERR_XML);
  ck_assert_int_eq(explain_clouds(x, "<in><cloud " CSP ">cloud1</cloud></in>",
                                  job, err, sizeof err), ICX_ERR_XML);
  ck_assert_ptr_nonnull(strstr(err, "unexpected <cloud>"));
  ck_assert_uint_eq(job->n_explain, 0);

  n = (size_t)snprintf(in, sizeof in, "<in>");
  for (i = 0; i <= ICXD_EXPLAIN_MAX_CLOUDS; i++)
    n += (size_t)snprintf(in + n, sizeof in - n,
                          "<cloudName " CSP ">c%d</cloudName>", i);
  snprintf(in + n, sizeof in - n, "</in>");
  ck_assert_int_eq(explain_clouds(x, in, job, err, sizeof err), ICX_ERR_LIMIT);
  ck_assert_ptr_nonnull(strstr(err, "more than 32 <cloudName>"));
  icxd_job_free(job);
  xmpp_ctx_free(x);
}
END_TEST

/* The payload of a <command>: one IO Data element or none; two, or one in
 * another namespace, are refused with a message (bad-payload). */
static int find_payload(xmpp_ctx_t *x, const char *cmd, const char **type,
                        char *err, size_t errlen)
{
  xmpp_stanza_t *s = xmpp_stanza_new_from_string(x, cmd), *io = (void *)1;
  int rc;

  ck_assert_ptr_nonnull(s);
  rc = icxd_iodata_find(s, &io, err, errlen);
  *type = io ? xmpp_stanza_get_type(io) : NULL;
  if (rc != 0)
    ck_assert_ptr_null(io);
  /* type is read before the release: keep a static copy for the caller. */
  if (*type) {
    static char copy[64];
    snprintf(copy, sizeof copy, "%s", *type);
    *type = copy;
  }
  xmpp_stanza_release(s);
  return rc;
}

#define CMD "<command xmlns='http://jabber.org/protocol/commands' node='n'>"
#define IO "xmlns='urn:xmpp:tmp:io-data'"

START_TEST(iodata_find_payload)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  const char *type;
  char err[256];

  ck_assert_int_eq(find_payload(x, CMD "</command>", &type, err, sizeof err),
                   0);
  ck_assert_ptr_null(type);
  ck_assert_int_eq(find_payload(x, CMD "<x xmlns='jabber:x:data'/><iodata "
                                IO " type='input'/></command>", &type, err,
                                sizeof err), 0);
  ck_assert_str_eq(type, "input");
  /* Two payloads: the second is not dropped silently. */
  ck_assert_int_eq(find_payload(x, CMD "<iodata " IO " type='input'/><iodata "
                                IO " type='input'/></command>", &type, err,
                                sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "more than one <iodata>"));
  /* IO Data in an unknown namespace (or none) is not taken for a form. */
  ck_assert_int_eq(find_payload(x, CMD "<iodata xmlns='urn:xmpp:io-data:9'"
                                " type='input'/></command>", &type, err,
                                sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "namespace \"urn:xmpp:io-data:9\""));
  ck_assert_int_eq(find_payload(x, CMD "<iodata " IO " type='input'/><iodata"
                                " xmlns='urn:other' type='input'/></command>",
                                &type, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "namespace \"urn:other\""));
  xmpp_ctx_free(x);
}
END_TEST

static Suite *icxd_iodata_suite(void)
{
  Suite *s = suite_create("icxd_iodata");
  TCase *tc = tcase_create("iodata");

  tcase_add_test(tc, iodata_payloads);
  tcase_add_test(tc, iodata_explain_clouds);
  tcase_add_test(tc, iodata_find_payload);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_iodata_suite());
}

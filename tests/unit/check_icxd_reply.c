/* check_icxd_reply.c - unit tests of icxd_reply. */
/* Answers carry the request's id, go back to its sender (or the server's
 * domain) from our address, and errors carry their condition, application
 * condition and text, never the request's payload.  No server: the
 * connection is only prepared. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "icxd_config.h"
#include "icxd_conn.h"
#include "icxd_log.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

#define REQ "<iq type='set' id='q1' from='u@x.test/r' to='svc.test' " \
            "xml:lang='en'><command xmlns='" ICXD_NS_COMMANDS "'/></iq>"

static char *to_text(xmpp_ctx_t *x, xmpp_stanza_t *s)
{
  char *text, *copy;
  size_t len;

  ck_assert_int_eq(xmpp_stanza_to_text(s, &text, &len), XMPP_EOK);
  copy = strdup(text);
  xmpp_free(x, text);
  ck_assert_ptr_nonnull(copy);
  return copy;
}

START_TEST(reply_iq_addressed_back)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *req = xmpp_stanza_new_from_string(x, REQ), *r;
  xmpp_stanza_t *anon = xmpp_stanza_new_from_string(x,
      "<iq type='get' id='q2'><ping xmlns='urn:xmpp:ping'/></iq>");

  ck_assert_ptr_nonnull(req);
  r = icxd_reply_iq_new(x, req, "result", "svc.test", "x.test");
  ck_assert_ptr_nonnull(r);
  ck_assert_str_eq(xmpp_stanza_get_type(r), "result");
  ck_assert_str_eq(xmpp_stanza_get_id(r), "q1");
  ck_assert_str_eq(xmpp_stanza_get_to(r), "u@x.test/r");
  ck_assert_str_eq(xmpp_stanza_get_from(r), "svc.test");
  ck_assert_ptr_null(xmpp_stanza_get_attribute(r, "lang"));
  ck_assert_ptr_null(xmpp_stanza_get_children(r));
  xmpp_stanza_release(r);
  /* No 'from' on the request: the answer goes to the fallback. */
  r = icxd_reply_iq_new(x, anon, "result", "svc.test", "x.test");
  ck_assert_str_eq(xmpp_stanza_get_to(r), "x.test");
  xmpp_stanza_release(r);
  xmpp_stanza_release(anon);
  xmpp_stanza_release(req);
  xmpp_ctx_free(x);
}
END_TEST

START_TEST(reply_iq_error_shape)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *req = xmpp_stanza_new_from_string(x, REQ), *r;
  char *text;

  r = icxd_reply_iq_error_new(x, req, "svc.test", "x.test", "modify",
                              "bad-request", ICXD_NS_COMMANDS,
                              "bad-sessionid", "no such <session>");
  ck_assert_ptr_nonnull(r);
  ck_assert_str_eq(xmpp_stanza_get_type(r), "error");
  ck_assert_str_eq(xmpp_stanza_get_id(r), "q1");
  ck_assert_str_eq(xmpp_stanza_get_to(r), "u@x.test/r");
  ck_assert_str_eq(xmpp_stanza_get_from(r), "svc.test");
  ck_assert_int_eq(icxd_count_children(r), 1);
  text = to_text(x, icxd_child(r, "error", NULL));
  ck_assert_str_eq(text,
      "<error type=\"modify\">"
      "<bad-request xmlns=\"" ICXD_NS_STANZAS "\"/>"
      "<bad-sessionid xmlns=\"" ICXD_NS_COMMANDS "\"/>"
      "<text xmlns=\"" ICXD_NS_STANZAS "\">no such &lt;session&gt;</text>"
      "</error>");
  free(text);
  xmpp_stanza_release(r);
  /* Neither application condition nor text. */
  r = icxd_reply_iq_error_new(x, req, "svc.test", "x.test", "cancel",
                              "service-unavailable", NULL, NULL, NULL);
  text = to_text(x, r);
  ck_assert_ptr_nonnull(strstr(text, "<error type=\"cancel\">"
                                     "<service-unavailable xmlns=\""
                                     ICXD_NS_STANZAS "\"/></error>"));
  ck_assert_ptr_null(strstr(text, "command"));
  free(text);
  xmpp_stanza_release(r);
  xmpp_stanza_release(req);
  xmpp_ctx_free(x);
}
END_TEST

/* Answers come from the address the request was sent to, else from ours
 * (the component's domain before any connection). */
START_TEST(reply_from_the_address_used)
{
  icxd_config *cfg = icxd_config_new();
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_conn *c;
  xmpp_stanza_t *req, *anon;
  char err[256];

  ck_assert_ptr_nonnull(cfg);
  cfg->jid = strdup("svc.example.test");
  cfg->secret = strdup("s3cret");
  c = icxd_conn_new(cfg, &log, err, sizeof err);
  ck_assert_msg(c != NULL, "%s", err);
  ck_assert_str_eq(icxd_conn_self(c), "svc.example.test");
  ck_assert_str_eq(icxd_conn_domain(c), "svc.example.test");
  req = xmpp_stanza_new_from_string(icxd_conn_xmpp_ctx(c), REQ);
  anon = xmpp_stanza_new_from_string(icxd_conn_xmpp_ctx(c),
                                     "<iq type='get' id='q2'/>");
  ck_assert_str_eq(icxd_reply_from(c, req), "svc.test");
  ck_assert_str_eq(icxd_reply_from(c, anon), "svc.example.test");
  xmpp_stanza_release(anon);
  xmpp_stanza_release(req);
  icxd_conn_free(c);
  icxd_config_free(cfg);
}
END_TEST

static Suite *icxd_reply_suite(void)
{
  Suite *s = suite_create("icxd_reply");
  TCase *tc = tcase_create("reply");

  tcase_add_test(tc, reply_iq_addressed_back);
  tcase_add_test(tc, reply_iq_error_shape);
  tcase_add_test(tc, reply_from_the_address_used);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_reply_suite());
}

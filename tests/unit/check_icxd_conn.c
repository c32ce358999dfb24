/* check_icxd_conn.c - unit tests of icxd_conn without a server. */
/* Why a connection failed, as the log says it, and the reconnection
 * delay: bounded, exponential, with jitter. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icxd_config.h"
#include "icxd_conn.h"
#include "icxd_log.h"

static icxd_config *conn_cfg(icxd_mode mode)
{
  icxd_config *cfg = icxd_config_new();

  ck_assert_ptr_nonnull(cfg);
  cfg->mode = mode;
  cfg->jid = strdup(mode == ICXD_MODE_CLIENT ? "bot@x.test/icxd" : "svc.x.test");
  cfg->host = strdup("127.0.0.1");
  cfg->port = 15347;
  return cfg;
}

START_TEST(conn_failure_names_cause)
{
  icxd_config *comp = conn_cfg(ICXD_MODE_COMPONENT);
  icxd_config *cli = conn_cfg(ICXD_MODE_CLIENT);
  xmpp_stream_error_t se;
  char out[1024], text[] = "no such host";

  memset(&se, 0, sizeof se);
  /* Connection refused: host and port. */
  icxd_conn_failure_cause(comp, ECONNREFUSED, NULL, NULL, NULL, 0, out,
                          sizeof out);
  ck_assert_str_eq(out, "cannot connect to 127.0.0.1 port 15347: "
                   "Connection refused");
  /* The component secret refused. */
  se.type = XMPP_SE_NOT_AUTHORIZED;
  icxd_conn_failure_cause(comp, 0, &se, "", "", 0, out, sizeof out);
  ck_assert_ptr_nonnull(strstr(out, "refused the component secret for "
                               "svc.x.test"));
  /* Another stream error is named. */
  se.type = XMPP_SE_HOST_UNKNOWN;
  se.text = text;
  icxd_conn_failure_cause(comp, 0, &se, NULL, NULL, 0, out, sizeof out);
  ck_assert_str_eq(out, "the server ended the stream: host-unknown: no such "
                   "host");
  /* invalid-from with an instance_jid: the server does not route that
   * name here, and the message says what to configure; without one, the
   * plain stream error. */
  se.type = XMPP_SE_INVALID_FROM;
  se.text = NULL;
  icxd_conn_failure_cause(comp, 0, &se, NULL, NULL, 0, out, sizeof out);
  ck_assert_str_eq(out, "the server ended the stream: invalid-from");
  comp->instance_jid = strdup("svc-1.x.test");
  icxd_conn_failure_cause(comp, 0, &se, NULL, NULL, 0, out, sizeof out);
  ck_assert_ptr_nonnull(strstr(out, "refused a stanza from [xmpp] "
                               "instance_jid svc-1.x.test"));
  ck_assert_ptr_nonnull(strstr(out, "list it beside svc.x.test"));
  /* The password refused (libstrophe says so only in its log). */
  icxd_conn_failure_cause(cli, 0, NULL, NULL, "auth: Cannot authenticate "
                          "with known methods", 1, out, sizeof out);
  ck_assert_ptr_nonnull(strstr(out, "refused the password for bot@x.test"));
  /* TLS not offered. */
  icxd_conn_failure_cause(cli, 0, NULL, NULL, "xmpp: TLS is not supported, "
                          "but set as mandatory for this connection", 0, out,
                          sizeof out);
  ck_assert_ptr_nonnull(strstr(out, "does not offer TLS"));
  ck_assert_ptr_nonnull(strstr(out, "127.0.0.1 port 15347"));
  /* The certificate check's own message wins over the rest. */
  icxd_conn_failure_cause(cli, ECONNRESET, NULL, "not trusted: against the "
                          "CA file ca.pem", "tls: handshake", 0, out,
                          sizeof out);
  ck_assert_str_eq(out, "not trusted: against the CA file ca.pem");
  /* Nothing known: said so, not "error 0". */
  icxd_conn_failure_cause(cli, 0, NULL, NULL, NULL, 0, out, sizeof out);
  ck_assert_ptr_null(strstr(out, "error 0"));
  icxd_config_free(comp);
  icxd_config_free(cli);
}
END_TEST

/* The address answers to this instance come back to: its instance_jid
 * in component mode, else the component's name. */
START_TEST(conn_instance_address)
{
  icxd_config *comp = conn_cfg(ICXD_MODE_COMPONENT);
  icxd_logger log;
  icxd_conn *c;
  char err[256];

  icxd_logger_init(&log, ICXD_LOG_ERROR, 0);
  c = icxd_conn_new(comp, &log, err, sizeof err);
  ck_assert_msg(c != NULL, "%s", err);
  ck_assert_str_eq(icxd_conn_instance(c), "svc.x.test");
  icxd_conn_free(c);
  comp->instance_jid = strdup("svc-1.x.test");
  c = icxd_conn_new(comp, &log, err, sizeof err);
  ck_assert_msg(c != NULL, "%s", err);
  ck_assert_str_eq(icxd_conn_instance(c), "svc-1.x.test");
  ck_assert_str_eq(icxd_conn_self(c), "svc.x.test");
  icxd_conn_free(c);
  icxd_logger_close(&log);
  icxd_config_free(comp);
}
END_TEST

START_TEST(conn_backoff_jitter)
{
  uint32_t r;
  unsigned d, lo = ~0u, hi = 0;

  /* Uniform in [current/2, current], never below the minimum. */
  for (r = 0; r < 5000; r += 7) {
    d = icxd_conn_backoff(8000, 500, 30000, r * 2654435761u);
    ck_assert_uint_ge(d, 4000);
    ck_assert_uint_le(d, 8000);
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
  }
  /* It does spread: not one fixed delay. */
  ck_assert_uint_lt(lo, 4500);
  ck_assert_uint_gt(hi, 7500);
  ck_assert_uint_eq(icxd_conn_backoff(500, 500, 30000, 0), 500);
  ck_assert_uint_eq(icxd_conn_backoff(0, 100, 30000, 12345), 100);
  ck_assert_uint_le(icxd_conn_backoff(30000, 500, 30000, ~0u), 30000);
}
END_TEST

static Suite *icxd_conn_suite(void)
{
  Suite *s = suite_create("icxd_conn");
  TCase *tc = tcase_create("conn");

  tcase_add_test(tc, conn_failure_names_cause);
  tcase_add_test(tc, conn_instance_address);
  tcase_add_test(tc, conn_backoff_jitter);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_conn_suite());
}

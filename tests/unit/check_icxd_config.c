/* check_icxd_config.c - unit tests of icxd_config. */
/* Defaults, the icxd.conf file and the command line, and the errors that
 * name the line. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_config.h"
#include "icxd_log.h"

START_TEST(config_file_then_args)
{
  char *conf = tu_path(tu_icxd_tmp, "icxd.conf"), *secret = tu_path(tu_icxd_tmp, "secret");
  char text[1024], err[256];
  char a0[] = "icxd", a1[] = "--port", a2[] = "6000", a3[] = "-c";
  char *argv[6];
  icxd_config *cfg = icxd_config_new();

  tu_write(secret, "s3cret\n");
  snprintf(text, sizeof text,
           "[xmpp]\nmode = client\njid = bot@example.test/icxd\n"
           "port = 5223\nsecret_file = %s\n[exchange]\nworkers = 3\n"
           "async_threshold_ms = 10\nquery_time_limit = 5\n[log]\nlevel = debug\n", secret);
  tu_write(conf, text);
  argv[0] = a0;
  argv[1] = a1;
  argv[2] = a2;
  argv[3] = a3;
  argv[4] = conf;
  argv[5] = NULL;
  ck_assert_int_eq(icxd_config_from_args(cfg, 5, argv, err, sizeof err),
                   ICXD_CONFIG_OK);
  ck_assert_int_eq(cfg->mode, ICXD_MODE_CLIENT);
  ck_assert_str_eq(cfg->jid, "bot@example.test/icxd");
  ck_assert_uint_eq(cfg->port, 6000);          /* the option wins */
  ck_assert_str_eq(cfg->secret, "s3cret");     /* line end stripped */
  ck_assert_uint_eq(cfg->workers, 3);
  ck_assert_uint_eq(cfg->async_threshold_ms, 10);
  ck_assert_uint_eq(cfg->query_time_limit_s, 5);
  ck_assert_int_eq(cfg->log_level, ICXD_LOG_DEBUG);
  icxd_config_free(cfg);
  free(conf);
  free(secret);
}
END_TEST

START_TEST(config_errors_name_the_line)
{
  char *conf = tu_path(tu_icxd_tmp, "bad.conf");
  char err[256];
  icxd_config *cfg = icxd_config_new();

  tu_write(conf, "[xmpp]\njid = a.test\n\nreconnect_max_ms = soon\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, ":4: bad value for [xmpp] reconnect_max_ms"));
  tu_write(conf, "[nowhere]\nkey = 1\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "unknown setting [nowhere] key"));
  ck_assert_int_eq(icxd_config_validate(cfg, err, sizeof err), -1);
  icxd_config_free(cfg);
  free(conf);
}
END_TEST

/* A reload takes every new setting, keeps the running values of those
 * only a restart can change (and says which), and leaves no leak. */
START_TEST(config_adopt_on_reload)
{
  icxd_config *cfg = icxd_config_new(), *fresh = icxd_config_new();
  char note[512];

  cfg->jid = strdup("svc.a.test");
  cfg->host = strdup("127.0.0.1");
  cfg->secret = strdup("old-secret");
  cfg->max_sessions_per_jid = 32;
  fresh->jid = strdup("svc.b.test");
  fresh->host = strdup("127.0.0.1");
  fresh->secret = strdup("new-secret");
  fresh->max_sessions_per_jid = 2;
  fresh->max_queue_per_jid = 1;
  fresh->workers = 7;
  fresh->shared_sessions = 1;
  fresh->log_file = strdup("icxd.log");
  icxd_config_adopt(cfg, fresh, note, sizeof note);
  ck_assert_uint_eq(cfg->max_sessions_per_jid, 2);
  ck_assert_uint_eq(cfg->max_queue_per_jid, 1);
  ck_assert_str_eq(cfg->log_file, "icxd.log");
  ck_assert_str_eq(cfg->jid, "svc.a.test");
  ck_assert_str_eq(cfg->secret, "old-secret");
  ck_assert_uint_eq(cfg->workers, 2);
  ck_assert_ptr_nonnull(strstr(note, "[xmpp] jid changed"));
  ck_assert_ptr_nonnull(strstr(note, "[xmpp] secret changed"));
  ck_assert_ptr_nonnull(strstr(note, "[exchange] workers changed"));
  ck_assert_int_eq(cfg->shared_sessions, 0);
  ck_assert_ptr_nonnull(strstr(note, "[exchange] shared_sessions changed"));
  ck_assert_ptr_null(strstr(note, "new-secret"));
  ck_assert_ptr_null(strstr(note, "host"));
  icxd_config_free(cfg);
}
END_TEST

/* The keys of fair limits and paging are read and range-checked. */
START_TEST(config_limit_keys)
{
  char *conf = tu_path(tu_icxd_tmp, "limits.conf");
  char err[256];
  icxd_config *cfg = icxd_config_new();

  ck_assert_uint_eq(cfg->max_sessions_per_jid, 32);
  ck_assert_uint_eq(cfg->max_queue_per_jid, 8);
  ck_assert_uint_eq(cfg->answers_kept_mb, 64);
  tu_write(conf, "[exchange]\nmax_sessions_per_jid = 3\nmax_queue_per_jid = "
           "0\nanswer_max_items = 10\nanswer_max_bytes = 2048\nanswers_kept_mb = 0\n"
           "[log]\nfile = x.log\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_uint_eq(cfg->max_sessions_per_jid, 3);
  ck_assert_uint_eq(cfg->max_queue_per_jid, 0);
  ck_assert_uint_eq(cfg->answer_max_items, 10);
  ck_assert_uint_eq(cfg->answer_max_bytes, 2048);
  ck_assert_uint_eq(cfg->answers_kept_mb, 0);
  ck_assert_str_eq(cfg->log_file, "x.log");
  tu_write(conf, "[exchange]\nanswer_max_bytes = 10\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "answer_max_bytes"));
  tu_write(conf, "[exchange]\nanswers_kept_mb = 65537\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "answers_kept_mb"));
  icxd_config_free(cfg);
  cfg = icxd_config_new();
  ck_assert_uint_eq(cfg->explain_max_bytes, 131072);
  tu_write(conf, "[exchange]\nexplain_max_bytes = 65536\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_uint_eq(cfg->explain_max_bytes, 65536);
  tu_write(conf, "[exchange]\nexplain_max_bytes = 4095\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "explain_max_bytes"));
  icxd_config_free(cfg);
  free(conf);
}
END_TEST

/* drain_timeout: 10 s by default, 0 allowed (close at once), at most an
 * hour, and a value out of range named. */
START_TEST(config_drain_timeout)
{
  char *conf = tu_path(tu_icxd_tmp, "drain.conf");
  char err[256];
  icxd_config *cfg = icxd_config_new();

  ck_assert_uint_eq(cfg->drain_timeout_s, 10);
  tu_write(conf, "[exchange]\ndrain_timeout = 0\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_uint_eq(cfg->drain_timeout_s, 0);
  tu_write(conf, "[exchange]\ndrain_timeout = 3600\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_uint_eq(cfg->drain_timeout_s, 3600);
  tu_write(conf, "[exchange]\ndrain_timeout = 3601\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "drain_timeout"));
  icxd_config_free(cfg);
  free(conf);
}
END_TEST

/* [federation]: the peers listed, the time limit and hops range-checked,
 * a list that names no exchange refused with the culprit named, and a
 * reload that takes the new list. */
START_TEST(config_federation_keys)
{
  char *conf = tu_path(tu_icxd_tmp, "fed.conf");
  char err[256], note[256];
  icxd_config *cfg = icxd_config_new(), *fresh;

  ck_assert_uint_eq(cfg->n_fed_peers, 0);
  ck_assert_uint_eq(cfg->fed_peer_timeout_ms, 5000);
  ck_assert_uint_eq(cfg->fed_max_hops, 3);
  tu_write(conf, "[federation]\npeers = icx.a.test, icx.b.test  "
           "bot@c.test/icxd\npeer_timeout_ms = 1500\nmax_hops = 1\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_uint_eq(cfg->n_fed_peers, 3);
  ck_assert_str_eq(cfg->fed_peers[0], "icx.a.test");
  ck_assert_str_eq(cfg->fed_peers[1], "icx.b.test");
  ck_assert_str_eq(cfg->fed_peers[2], "bot@c.test/icxd");
  ck_assert_uint_eq(cfg->fed_peer_timeout_ms, 1500);
  ck_assert_uint_eq(cfg->fed_max_hops, 1);
  /* Bad values are refused and leave the list as it was. */
  tu_write(conf, "[federation]\npeers = icx.a.test localhost\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "'localhost' is not the JID of an "
                               "exchange"));
  ck_assert_uint_eq(cfg->n_fed_peers, 3);
  tu_write(conf, "[federation]\npeer_timeout_ms = 5\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "peer_timeout_ms"));
  tu_write(conf, "[federation]\nmax_hops = 17\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  tu_write(conf, "[federation]\npeer = icx.a.test\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, ":2: unknown setting [federation] peer"));
  /* A reload takes the new list (no restart needed). */
  fresh = icxd_config_new();
  tu_write(conf, "[federation]\npeers =\n");
  ck_assert_int_eq(icxd_config_load_file(fresh, conf, err, sizeof err), 0);
  icxd_config_adopt(cfg, fresh, note, sizeof note);
  ck_assert_uint_eq(cfg->n_fed_peers, 0);
  ck_assert_str_eq(note, "");
  icxd_config_free(cfg);
  free(conf);
}
END_TEST

/* [xmpp] instance_jid: a domain of this instance's own, in component
 * mode, other than jid; every kind of nonsense refused at the start with
 * what is wrong; a reload keeps the running one. */
START_TEST(config_instance_jid)
{
  static const struct {
    const char *value, *why;
  } bad[] = {
    { "icx-1@a.test", "is not a domain: it has a user part" },
    { "icx-1.a.test/icxd", "is not a domain: it has a resource" },
    { "icx-1..a.test", "is not a domain: it has an empty label" },
    { ".a.test", "is not a domain: it has an empty label" },
    { "icx<1>.a.test", "is not a domain: it holds a character" },
    { "ICX.a.test", "must differ from jid 'icx.a.test'" },
  };
  char *conf = tu_path(tu_icxd_tmp, "inst.conf");
  char text[512], err[256], note[256];
  icxd_config *cfg, *fresh;
  size_t i;

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cfg = icxd_config_new();
    snprintf(text, sizeof text, "[xmpp]\njid = icx.a.test\nhost = 127.0.0.1\n"
             "secret = s\ninstance_jid = %s\n", bad[i].value);
    tu_write(conf, text);
    ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
    ck_assert_int_eq(icxd_config_validate(cfg, err, sizeof err), -1);
    ck_assert_msg(strstr(err, bad[i].why) && strstr(err, "instance_jid"),
                  "%s: %s", bad[i].value, err);
    icxd_config_free(cfg);
  }
  /* Client mode: the account's resource is the instance's own address. */
  cfg = icxd_config_new();
  tu_write(conf, "[xmpp]\nmode = client\njid = bot@a.test/i1\nsecret = s\n"
           "instance_jid = icx-1.a.test\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_int_eq(icxd_config_validate(cfg, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "instance_jid is for component mode"));
  icxd_config_free(cfg);
  /* A good one; a reload keeps it and says so. */
  cfg = icxd_config_new();
  tu_write(conf, "[xmpp]\njid = icx.a.test\nhost = 127.0.0.1\nsecret = s\n"
           "instance_jid = icx-1.a.test\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, conf, err, sizeof err), 0);
  ck_assert_int_eq(icxd_config_validate(cfg, err, sizeof err), 0);
  ck_assert_str_eq(cfg->instance_jid, "icx-1.a.test");
  fresh = icxd_config_new();
  tu_write(conf, "[xmpp]\njid = icx.a.test\nhost = 127.0.0.1\nsecret = s\n"
           "instance_jid = icx-2.a.test\n");
  ck_assert_int_eq(icxd_config_load_file(fresh, conf, err, sizeof err), 0);
  icxd_config_adopt(cfg, fresh, note, sizeof note);
  ck_assert_str_eq(cfg->instance_jid, "icx-1.a.test");
  ck_assert_ptr_nonnull(strstr(note, "[xmpp] instance_jid changed (takes "
                               "effect at restart)"));
  icxd_config_free(cfg);
  free(conf);
}
END_TEST

static Suite *icxd_config_suite(void)
{
  Suite *s = suite_create("icxd_config");
  TCase *tc = tcase_create("config");

  tcase_add_checked_fixture(tc, tu_icxd_tmp_setup, tu_icxd_tmp_teardown);
  tcase_add_test(tc, config_file_then_args);
  tcase_add_test(tc, config_errors_name_the_line);
  tcase_add_test(tc, config_adopt_on_reload);
  tcase_add_test(tc, config_limit_keys);
  tcase_add_test(tc, config_drain_timeout);
  tcase_add_test(tc, config_federation_keys);
  tcase_add_test(tc, config_instance_jid);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_config_suite());
}

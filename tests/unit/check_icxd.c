/* check_icxd.c - unit tests of icxd's modules that need no server:
 * configuration, sessions, data forms, IO Data payloads and the worker
 * pool (against a store loaded from data/clouds). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>
#include <unistd.h>

#include "fixture.h"
#include "icxd_config.h"
#include "icxd_form.h"
#include "icxd_iodata.h"
#include "icxd_log.h"
#include "icxd_session.h"
#include "icxd_stanza.h"
#include "icxd_worker.h"

static char *tmp;

static void tmp_setup(void)
{
  tmp = tu_tmpdir();
}

static void tmp_teardown(void)
{
  tu_rmtree(tmp);
  free(tmp);
  tmp = NULL;
}

/* ---- configuration ----------------------------------------------------- */

START_TEST(config_file_then_args)
{
  char *conf = tu_path(tmp, "icxd.conf"), *secret = tu_path(tmp, "secret");
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
  char *conf = tu_path(tmp, "bad.conf");
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

/* ---- sessions ---------------------------------------------------------- */

START_TEST(sessions_are_private_and_expire)
{
  icxd_sessions *tab = icxd_sessions_new(2, 1000);
  icxd_session *a, *b;

  a = icxd_sessions_create(tab, "u@x.test/1", "svc.test");
  b = icxd_sessions_create(tab, "u@x.test/2", "svc.test");
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(b);
  ck_assert_str_ne(a->id, b->id);
  ck_assert_uint_eq(strlen(a->id), 36);
  ck_assert_ptr_null(icxd_sessions_create(tab, "u@x.test/3", "svc.test"));
  ck_assert_ptr_eq(icxd_sessions_find(tab, a->id, "u@x.test/1"), a);
  ck_assert_ptr_null(icxd_sessions_find(tab, a->id, "u@x.test/2"));
  ck_assert_ptr_null(icxd_sessions_find(tab, "icx-nope", "u@x.test/1"));
  b->last_used_ms = a->last_used_ms - 5000;
  ck_assert_uint_eq(icxd_sessions_expire(tab, a->last_used_ms + 10), 1);
  ck_assert_uint_eq(icxd_sessions_count(tab), 1);
  icxd_sessions_remove(tab, a);
  ck_assert_uint_eq(icxd_sessions_count(tab), 0);
  icxd_sessions_free(tab);
}
END_TEST

/* ---- forms and IO Data -------------------------------------------------- */

static int count_named(xmpp_stanza_t *parent, const char *name)
{
  xmpp_stanza_t *c;
  int n = 0;

  for (c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && strcmp(xmpp_stanza_get_name(c), name) == 0)
      n++;
  return n;
}

START_TEST(form_follows_the_vocabulary)
{
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *form = icxd_form_request(x, vocab), *sub, *f;
  icxd_job *job = icxd_job_new(1);
  char err[128];

  ck_assert_ptr_nonnull(form);
  /* One field per attribute but distances (they need a place too: IO Data
   * only), plus FORM_TYPE. */
  {
    size_t i, fields = 1;
    for (i = 0; i < icx_vocab_attribute_count(vocab); i++)
      fields += !icx_attribute_place(icx_vocab_attribute(vocab, i));
    ck_assert_int_eq(count_named(form, "field"), (int)fields);
    ck_assert_uint_lt(fields, icx_vocab_attribute_count(vocab) + 1);   /* latency */
  }
  for (f = xmpp_stanza_get_children(form); f; f = xmpp_stanza_get_next(f)) {
    const char *type = xmpp_stanza_get_attribute(f, "type");
    if (type && strcmp(type, "list-single") == 0)
      ck_assert_int_gt(count_named(f, "option"), 0);
  }
  sub = xmpp_stanza_new_from_string(x,
      "<x xmlns='jabber:x:data' type='submit'>"
      "<field var='FORM_TYPE'><value>urn:icx:constraints</value></field>"
      "<field var='replicas'><value>5</value></field>"
      "<field var='availability'><value> </value></field>"
      "<field var='country'><value>Japan</value><value>France</value></field>"
      "</x>");
  ck_assert_int_eq(icxd_form_collect(x, sub, job, err, sizeof err), 0);
  ck_assert_uint_eq(job->n_pairs, 3);     /* blank value and FORM_TYPE skipped */
  ck_assert_str_eq(job->names[0], "replicas");
  ck_assert_str_eq(job->values[2], "France");
  xmpp_stanza_release(sub);
  sub = xmpp_stanza_new_from_string(x,
      "<x xmlns='jabber:x:data' type='submit'><field><value>1</value></field></x>");
  ck_assert_int_eq(icxd_form_collect(x, sub, job, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "no var"));
  xmpp_stanza_release(sub);
  icxd_job_free(job);
  xmpp_stanza_release(form);
  xmpp_ctx_free(x);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
}
END_TEST

START_TEST(iodata_payloads)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *s;
  char *text;
  size_t len;
  char c2[] = "cloud2", c5[] = "cloud5";
  char *clouds[] = { c2, c5 };

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

  s = icxd_form_result(x, clouds, 2);
  ck_assert_int_eq(count_named(s, "item"), 2);
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

/* ---- worker pool ------------------------------------------------------- */

static char *make_store(void)
{
  char *path = tu_path(tmp, "store.db"), *clouds;
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icx_store *store = NULL;
  icx_loader *loader;

  ck_assert_int_eq(icx_store_open(ctx, path, ICX_STORE_CREATE, &store), ICX_OK);
  loader = icx_loader_new(ctx, vocab, store);
  clouds = tu_path(tu_srcdir(), "data/clouds");
  ck_assert_int_eq(icx_loader_load_path(loader, clouds), ICX_OK);
  free(clouds);
  icx_loader_free(loader);
  icx_store_free(store);
  icx_vocab_free(vocab);
  /* Freed before the pool's contexts exist. */
  icx_ctx_free(ctx);
  return path;
}

static icxd_job *wait_done(icxd_pool *pool)
{
  icxd_job *job = NULL;
  int i;

  for (i = 0; i < 3000 && !job; i++) {
    job = icxd_pool_take_done(pool);
    if (!job)
      usleep(10000);
  }
  return job;
}

/* Explains n copies of the constraint (name, value) on pool; the
 * finished job. */
static icxd_job *explain_repeated(icxd_pool *pool, int n, const char *name,
                                  const char *value)
{
  icxd_job *job = icxd_job_new((uint64_t)n);
  int i;

  ck_assert_ptr_nonnull(job);
  job->kind = ICXD_JOB_EXPLAIN;
  for (i = 0; i < n; i++)
    ck_assert_int_eq(icxd_job_add_pair(job, name, value), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_ptr_nonnull(job);
  return job;
}

START_TEST(pool_matches_the_paper)
{
  char *store = make_store(), *paper_path, *paper, *paper_copy, err[256];
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_pool_opts opts = { store, NULL, &log, 1, 4, 0, 0 };
  icxd_pool *pool = icxd_pool_new(&opts, err, sizeof err);
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icxd_job *job;
  size_t len;

  ck_assert_ptr_nonnull(pool);
  ck_assert_int_eq(icxd_pool_start(pool, vocab, err, sizeof err), 0);
  paper_path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  paper = tu_read(paper_path, &len);
  ck_assert_ptr_nonnull(paper);
  paper_copy = malloc(len);
  ck_assert_ptr_nonnull(paper_copy);
  memcpy(paper_copy, paper, len);

  job = icxd_job_new(7);
  job->xml = paper;
  job->xml_len = len;
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_ptr_nonnull(job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_uint_eq(job->n_clouds, 2);
  ck_assert_str_eq(job->clouds[0], "cloud2");
  ck_assert_str_eq(job->clouds[1], "cloud5");
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "matchingClouds"));
  icxd_job_free(job);

  job = icxd_job_new(8);
  ck_assert_int_eq(icxd_job_add_pair(job, "colourOfTheSky", "blue"), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_int_eq(job->rc, ICX_ERR_CONSTRAINT);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "colourOfTheSky"));
  icxd_job_free(job);

  /* An explanation of the paper's request for cloud1, which misses only on
   * availability (data/clouds/cloud1.ttl). */
  job = icxd_job_new(9);
  job->kind = ICXD_JOB_EXPLAIN;
  job->xml = malloc(len);
  ck_assert_ptr_nonnull(job->xml);
  memcpy(job->xml, paper_copy, len);
  job->xml_len = len;
  ck_assert_int_eq(icxd_job_add_explain(job, "cloud1"), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_ptr_nonnull(job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<explanation "));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, " matching='2'"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml,
                               "<fails constraint='1'>availability: best "
                               "offer 99.99, asked atLeast 99.999</fails>"));
  ck_assert_ptr_null(job->info);
  icxd_job_free(job);

  /* Nothing matches 17 constraints: too many for the search of removals,
   * and the job says so. */
  job = explain_repeated(pool, 17, "replicationFactor", "100");
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, " matching='0'"));
  ck_assert_ptr_null(strstr(job->answer_xml, "<relaxation"));
  ck_assert_ptr_nonnull(job->info);
  ck_assert_ptr_nonnull(strstr(job->info, "at most 16 constraints"));
  icxd_job_free(job);

  /* More triple patterns than a query may have: refused with the count of
   * the whole request, before any subset is matched. */
  job = explain_repeated(pool, 100, "replicationFactor", "1");
  ck_assert_int_eq(job->rc, ICX_ERR_CONSTRAINT);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "needs 104 triple patterns"));
  icxd_job_free(job);
  free(paper_copy);

  icxd_pool_free(pool);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(paper_path);
  free(store);
}
END_TEST

/* A worker's queries stop at the pool's time limit: an explanation that
 * matches hundreds of subsets (three impossible constraints among
 * sixteen, so removals of three are searched) comes back with
 * ICX_ERR_LIMIT after 1 ms, and the worker answers the next job. */
START_TEST(pool_time_limit)
{
  char *store = make_store(), err[256];
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_pool_opts opts = { store, NULL, &log, 1, 4, 0, 1 };
  icxd_pool *pool = icxd_pool_new(&opts, err, sizeof err);
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icxd_job *job;
  int i;

  ck_assert_ptr_nonnull(pool);
  ck_assert_int_eq(icxd_pool_start(pool, vocab, err, sizeof err), 0);
  job = icxd_job_new(1);
  job->kind = ICXD_JOB_EXPLAIN;
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "40"), 0);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "41"), 0);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "42"), 0);
  for (i = 0; i < 13; i++)
    ck_assert_int_eq(icxd_job_add_pair(job, "availability", "90"), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_ptr_nonnull(job);
  ck_assert_int_eq(job->rc, ICX_ERR_LIMIT);
  ck_assert_msg(strstr(job->errmsg, "time limit of 1 ms") != NULL, "%s", job->errmsg);
  ck_assert_int_eq(icxd_rc_is_requester_fault(job->rc), 1);
  icxd_job_free(job);

  job = icxd_job_new(2);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "1"), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_ptr_nonnull(job);
  ck_assert_int_eq(job->rc, ICX_OK);
  icxd_job_free(job);
  icxd_pool_free(pool);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(store);
}
END_TEST

/* Every worker opens the store: each icx storage has its own SQLite
 * connection.  (Redland's stock sqlite storage opened from one world per
 * process only, and the pool dropped the others.) */
START_TEST(pool_keeps_every_worker)
{
  char *store = make_store(), *paper_path, *paper, err[256];
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_pool_opts opts = { store, NULL, &log, 3, 8, 0, 0 };
  icxd_pool *pool = icxd_pool_new(&opts, err, sizeof err);
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icxd_job *job;
  size_t len;
  int i;

  ck_assert_ptr_nonnull(pool);
  ck_assert_uint_eq(icxd_pool_workers(pool), 3);
  ck_assert_int_eq(icxd_pool_start(pool, vocab, err, sizeof err), 0);
  paper_path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  paper = tu_read(paper_path, &len);
  ck_assert_ptr_nonnull(paper);
  for (i = 0; i < 6; i++) {
    job = icxd_job_new((uint64_t)i);
    job->xml = malloc(len);
    ck_assert_ptr_nonnull(job->xml);
    memcpy(job->xml, paper, len);
    job->xml_len = len;
    ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  }
  for (i = 0; i < 6; i++) {
    job = wait_done(pool);
    ck_assert_ptr_nonnull(job);
    ck_assert_int_eq(job->rc, ICX_OK);
    ck_assert_uint_eq(job->n_clouds, 2);
    icxd_job_free(job);
  }
  icxd_pool_free(pool);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(paper);
  free(paper_path);
  free(store);
}
END_TEST

static Suite *icxd_suite(void)
{
  Suite *s = suite_create("icxd");
  TCase *tc = tcase_create("units");

  tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
  tcase_add_test(tc, config_file_then_args);
  tcase_add_test(tc, config_errors_name_the_line);
  tcase_add_test(tc, sessions_are_private_and_expire);
  tcase_add_test(tc, form_follows_the_vocabulary);
  tcase_add_test(tc, iodata_payloads);
  tcase_add_test(tc, iodata_explain_clouds);
  tcase_add_test(tc, pool_matches_the_paper);
  tcase_add_test(tc, pool_time_limit);
  tcase_add_test(tc, pool_keeps_every_worker);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(icxd_suite());
  int failed;

  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_icxd_subs.c - unit tests of icxd_subs: standing requests on a
 * real store, driven as the writer thread drives them: subscribe (the
 * current answer and an id), publishes and withdrawals told as clouds
 * entering and leaving, a replaced document that renames its cloud, the
 * presence a subscription requires, unsubscribe, the limits named, the
 * subscriptions read again by a new registry (a restart), and a write of
 * another connection seen through the store's generation. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_publish.h"
#include "icxd_subs.h"
#include "icxd_writer.h"

static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static char *db;
static icxd_logger log_;
static icxd_subs *subs;

#define RF(n) \
  "<in><constraints xmlns='http://www.csp/resOntology'><constraint>" \
  "<attribute>replicationFactor</attribute><value>" #n "</value>" \
  "</constraint></constraints></in>"

static void setup(void)
{
  tu_icxd_tmp_setup();
  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
  db = tu_path(tu_icxd_tmp, "store.db");
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_CREATE, &store), ICX_OK);
  icxd_logger_init(&log_, ICXD_LOG_ERROR, 0);
  subs = icxd_subs_new(db, &log_);
  icxd_subs_set_limits(subs, 5, 3);
}

static void teardown(void)
{
  icxd_subs_release(subs);
  icxd_subs_free(subs);
  icx_store_free(store);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(db);
  tu_icxd_tmp_teardown();
}

static char *cloud_ttl(const char *name, int replicas)
{
  char *t = malloc(1024);

  snprintf(t, 1024,
           "@prefix res: <http://www.csp/resOntology#> .\n"
           "<http://%s.example/c> a res:Cloud ; res:cloudName \"%s\" ;\n"
           "  res:offers <http://%s.example/s> .\n"
           "<http://%s.example/s> a res:StorageService ; "
           "res:replicationFactor %d .\n",
           name, name, name, name, replicas);
  return t;
}

/* Publishes a cloud as owner's document "doc" through the writer's path. */
static void publish(const char *owner, const char *name, int replicas)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = ICXD_JOB_PUBLISH;
  job->actor = strdup(owner);
  job->doc_owner = strdup(owner);
  job->doc_name = strdup("doc");
  job->doc_uri = icxd_publish_doc_uri(owner, "doc");
  job->doc_format = ICX_FORMAT_TURTLE;
  job->xml = cloud_ttl(name, replicas);
  job->xml_len = strlen(job->xml);
  icxd_writer_run_subs(ctx, store, vocab, subs, job);
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);
}

static void withdraw(const char *owner)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = ICXD_JOB_WITHDRAW;
  job->actor = strdup(owner);
  job->doc_owner = strdup(owner);
  job->doc_name = strdup("doc");
  job->doc_uri = icxd_publish_doc_uri(owner, "doc");
  icxd_writer_run_subs(ctx, store, vocab, subs, job);
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);
}

/* Runs a subscription job of kind for jid; returns it (the caller frees). */
static icxd_job *subs_job(icxd_job_kind kind, const char *jid, const char *xml,
                          long long id)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = kind;
  job->actor = strdup(jid);
  job->sub_id = id;
  if (xml) {
    job->xml = strdup(xml);
    job->xml_len = strlen(xml);
  }
  icxd_subs_run(subs, ctx, vocab, job);
  return job;
}

/* Subscribes jid to xml; returns the id. */
static long long subscribe(const char *jid, const char *xml, const char *want)
{
  icxd_job *job = subs_job(ICXD_JOB_SUBSCRIBE, jid, xml, 0);
  const char *at;
  long long id;

  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  at = strstr(job->answer_xml, "subscription='");
  ck_assert_ptr_nonnull(at);
  id = atoll(at + strlen("subscription='"));
  ck_assert(id > 0);
  if (want)
    ck_assert_msg(strstr(job->answer_xml, want) != NULL, "%s", job->answer_xml);
  icxd_job_free(job);
  return id;
}

/* The next notification: for jid, its payload holding each of want
 * (NULL-ended).  Fails when there is none. */
static void expect_note(const char *jid, const char *const *want)
{
  icxd_subs_note n;

  ck_assert_msg(icxd_subs_take(subs, &n) == 1, "no notification");
  ck_assert_str_eq(n.jid, jid);
  ck_assert(strncmp(n.id, ICXD_SUBS_MSG_ID_PREFIX,
                    strlen(ICXD_SUBS_MSG_ID_PREFIX)) == 0);
  for (; *want; want++)
    ck_assert_msg(strstr(n.payload, *want) != NULL, "%s lacks %s", n.payload,
                  *want);
  ck_assert_ptr_nonnull(n.body);
  icxd_subs_note_clear(&n);
}

static void expect_none(void)
{
  icxd_subs_note n;

  if (icxd_subs_take(subs, &n)) {
    ck_abort_msg("unexpected notification %s", n.payload);
    icxd_subs_note_clear(&n);
  }
}

START_TEST(publish_withdraw_enter_and_leave)
{
  long long a, b;
  char sa[64];

  publish("x@c.test", "big", 40);
  a = subscribe("w@c.test", RF(30), "<cloudName>big</cloudName>");
  b = subscribe("w@c.test", RF(35), "<cloudName>big</cloudName>");
  snprintf(sa, sizeof sa, "subscription='%lld'", a);
  expect_none();

  /* A new cloud between the two thresholds enters a only. */
  publish("y@c.test", "mid", 32);
  {
    const char *w[] = { sa, "<entered><cloudName>mid</cloudName></entered>",
                        NULL };
    expect_note("w@c.test", w);
  }
  expect_none();

  /* Replaced by a document with fewer replicas: it leaves. */
  publish("y@c.test", "mid", 10);
  {
    const char *w[] = { sa, "<left><cloudName>mid</cloudName></left>", NULL };
    expect_note("w@c.test", w);
  }
  expect_none();

  /* The first cloud renamed by its own document: one leaves, one enters,
   * for both subscriptions. */
  publish("x@c.test", "bigger", 50);
  {
    const char *w[] = { "<entered><cloudName>bigger</cloudName></entered>",
                        "<left><cloudName>big</cloudName></left>", NULL };
    expect_note("w@c.test", w);
    expect_note("w@c.test", w);
  }
  expect_none();

  withdraw("x@c.test");
  {
    const char *w[] = { "<left><cloudName>bigger</cloudName></left>", NULL };
    expect_note("w@c.test", w);
    expect_note("w@c.test", w);
  }
  withdraw("y@c.test");
  expect_none();
  {
    /* Two subscriptions: each write after them was evaluated on its
     * document alone, the subscribes on the whole store. */
    unsigned long scoped, full;
    icxd_subs_figures(subs, &scoped, &full);
    ck_assert_uint_eq(scoped, 2 * 5);
    ck_assert_uint_eq(full, 2);
  }
  (void)b;
}
END_TEST

START_TEST(presence_required)
{
  icxd_job *job;
  long long a;

  publish("x@c.test", "big", 40);
  job = icxd_job_new(1);
  job->kind = ICXD_JOB_SUBSCRIBE;
  job->actor = strdup("w@c.test");
  job->xml = strdup(RF(30));
  job->xml_len = strlen(job->xml);
  job->presence_on = job->presence_required = 1;
  job->presence_accept = 1u << ICXD_SHOW_AVAILABLE;
  icxd_subs_run(subs, ctx, vocab, job);
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  ck_assert_ptr_null(strstr(job->answer_xml, "<cloudName>"));   /* offline */
  icxd_job_free(job);

  icxd_subs_set_presence(subs, "X@c.test", ICXD_SHOW_AVAILABLE);
  job = subs_job(ICXD_JOB_SUBS_EVAL, "", NULL, 0);
  job->subs_eval = ICXD_SUBS_EVAL_PRESENCE;
  icxd_subs_run(subs, ctx, vocab, job);
  icxd_job_free(job);
  {
    const char *w[] = { "<entered><cloudName>big</cloudName></entered>", NULL };
    expect_note("w@c.test", w);
  }
  icxd_subs_set_presence(subs, "x@c.test", ICXD_SHOW_AWAY);
  job = icxd_job_new(1);
  job->kind = ICXD_JOB_SUBS_EVAL;
  job->subs_eval = ICXD_SUBS_EVAL_PRESENCE;
  icxd_subs_run(subs, ctx, vocab, job);
  icxd_job_free(job);
  {
    const char *w[] = { "<left><cloudName>big</cloudName></left>", NULL };
    expect_note("w@c.test", w);
  }
  expect_none();
  a = 0;
  (void)a;
}
END_TEST

START_TEST(unsubscribe_list_and_limits)
{
  icxd_job *job;
  long long a, b;

  a = subscribe("w@c.test", RF(30), NULL);
  b = subscribe("w@c.test", RF(31), NULL);
  subscribe("w@c.test", RF(32), NULL);
  job = subs_job(ICXD_JOB_SUBSCRIBE, "w@c.test", RF(33), 0);
  ck_assert_int_eq(job->rc, ICX_ERR_LIMIT);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "max_subscriptions_per_jid"));
  icxd_job_free(job);
  subscribe("v@c.test", RF(30), NULL);
  subscribe("v@c.test", RF(30), NULL);
  job = subs_job(ICXD_JOB_SUBSCRIBE, "u@c.test", RF(30), 0);
  ck_assert_int_eq(job->rc, ICX_ERR_LIMIT);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "max_subscriptions)"));
  icxd_job_free(job);

  /* Another JID's subscription is not yours to end. */
  job = subs_job(ICXD_JOB_UNSUBSCRIBE, "v@c.test", NULL, a);
  ck_assert_int_eq(job->rc, ICX_ERR_NOT_FOUND);
  icxd_job_free(job);
  job = subs_job(ICXD_JOB_UNSUBSCRIBE, "W@c.test", NULL, a);
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "count='1'"));
  icxd_job_free(job);

  job = subs_job(ICXD_JOB_SUBS_LIST, "w@c.test", NULL, 0);
  ck_assert_int_eq(job->rc, ICX_OK);
  {
    char want[64];
    snprintf(want, sizeof want, "<subscription id='%lld' created='20", b);
    ck_assert_msg(strstr(job->answer_xml, want) != NULL, "%s", job->answer_xml);
    snprintf(want, sizeof want, "<subscription id='%lld'", a);
    ck_assert_ptr_null(strstr(job->answer_xml, want));
  }
  icxd_job_free(job);

  /* All of one JID's (a bounce). */
  job = subs_job(ICXD_JOB_UNSUBSCRIBE, "v@c.test", NULL, 0);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "count='2'"));
  icxd_job_free(job);
  ck_assert_uint_eq(icxd_subs_count(subs), 2);

  /* A bad request is the requester's error, and nothing is kept. */
  job = subs_job(ICXD_JOB_SUBSCRIBE, "v@c.test",
                 "<in><constraints xmlns='http://www.csp/resOntology'>"
                 "<constraint><attribute>noSuchThing</attribute><value>1"
                 "</value></constraint></constraints></in>", 0);
  ck_assert_int_eq(job->rc, ICX_ERR_CONSTRAINT);
  icxd_job_free(job);
  ck_assert_uint_eq(icxd_subs_count(subs), 2);
}
END_TEST

START_TEST(restart_and_other_writers)
{
  icx_store *other = NULL;
  icx_loader *l;
  icxd_job *job;
  char *ttl;
  long long a;

  a = subscribe("w@c.test", RF(30), NULL);
  publish("x@c.test", "big", 40);
  {
    const char *w[] = { "<entered><cloudName>big</cloudName></entered>", NULL };
    expect_note("w@c.test", w);
  }
  /* A restart: a new registry reads it back, with its answer. */
  icxd_subs_release(subs);
  icxd_subs_free(subs);
  subs = icxd_subs_new(db, &log_);
  job = subs_job(ICXD_JOB_SUBS_LIST, "w@c.test", NULL, 0);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<cloudName>big</cloudName>"));
  icxd_job_free(job);
  expect_none();

  /* Nothing written elsewhere: an evaluation finds nothing to say. */
  job = icxd_job_new(1);
  job->kind = ICXD_JOB_SUBS_EVAL;
  job->subs_eval = ICXD_SUBS_EVAL_STORE;
  icxd_subs_run(subs, ctx, vocab, job);
  icxd_job_free(job);
  expect_none();

  /* Another connection loads a document (as icx load would). */
  ck_assert_int_eq(icx_store_open(ctx, db, 0, &other), ICX_OK);
  l = icx_loader_new(ctx, vocab, other);
  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  ttl = cloud_ttl("shell", 33);
  ck_assert_int_eq(icx_loader_load_into(l, "urn:icx:doc:shell", "shell",
                                        (const unsigned char *)ttl, strlen(ttl)),
                   ICX_OK);
  free(ttl);
  icx_loader_free(l);
  icx_store_free(other);
  job = icxd_job_new(1);
  job->kind = ICXD_JOB_SUBS_EVAL;
  job->subs_eval = ICXD_SUBS_EVAL_STORE;
  icxd_subs_run(subs, ctx, vocab, job);
  icxd_job_free(job);
  {
    const char *w[] = { "<entered><cloudName>shell</cloudName></entered>", NULL };
    expect_note("w@c.test", w);
  }
  expect_none();
  (void)a;
}
END_TEST

static Suite *subs_suite(void)
{
  Suite *s = suite_create("icxd_subs");
  TCase *tc = tcase_create("core");

  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, publish_withdraw_enter_and_leave);
  tcase_add_test(tc, presence_required);
  tcase_add_test(tc, unsubscribe_list_and_limits);
  tcase_add_test(tc, restart_and_other_writers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(subs_suite());
}

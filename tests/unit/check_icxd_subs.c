/* check_icxd_subs.c - unit tests of icxd_subs: standing requests on a
 * real store, driven as the writer thread drives them: subscribe (the
 * current answer and an id), publishes and withdrawals told as clouds
 * entering and leaving, a replaced document that renames its cloud, the
 * presence a subscription requires, unsubscribe, the limits named, the
 * subscriptions read again by a new registry (a restart), and a write of
 * another connection seen through the store's generation, the store
 * replaced by another file the registry cannot tell by count and sum of
 * ids; two registries on one store (two instances) telling each change
 * of another process once between them, and following a writer that
 * races their looks; and, against
 * matching every subscription again on the whole store, random
 * subscriptions (shapes shared, ended, read back) through random
 * publishes and withdrawals. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icx_store_subs.h"
#include "icxd_publish.h"
#include "icxd_rsm.h"
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

/* An evaluation of other processes' writes on registry r, as icxd's loop
 * asks for one each second. */
static void eval_on(icxd_subs *r)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = ICXD_JOB_SUBS_EVAL;
  job->subs_eval = ICXD_SUBS_EVAL_STORE;
  icxd_subs_run(r, ctx, vocab, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  icxd_job_free(job);
}

static void store_eval(void)
{
  eval_on(subs);
}

/* Writes ttl as document uri (NULL ttl: removes it) on another
 * connection, as icx load and icx remove would, then evaluates. */
/* Writes ttl as document uri (NULL ttl: removes it) on a connection of
 * its own, as icx load and icx remove would; with c and v, so that a
 * thread of its own may call it.  The loader's or the removal's code. */
static icx_rc shell_write(icx_ctx *c, icx_vocab *v, const char *uri, const char *ttl)
{
  icx_store *other = NULL;
  icx_rc rc = icx_store_open(c, db, 0, &other);

  if (rc != ICX_OK)
    return rc;
  if (ttl) {
    icx_loader *l = icx_loader_new(c, v, other);
    icx_loader_set_format(l, ICX_FORMAT_TURTLE);
    rc = icx_loader_load_into(l, uri, "shell", (const unsigned char *)ttl, strlen(ttl));
    icx_loader_free(l);
  } else {
    rc = icx_store_remove_document(other, uri);
  }
  icx_store_free(other);
  return rc;
}

/* The same from this thread, then an evaluation. */
static void other_write(const char *uri, const char *ttl)
{
  icx_rc rc = shell_write(ctx, vocab, uri, ttl);

  ck_assert(rc == ICX_OK || (!ttl && rc == ICX_ERR_NOT_FOUND));
  store_eval();
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
    /* Two subscriptions, two shapes: each write after them was evaluated
     * on its document alone, for the shapes it could touch only (mid at
     * 32: the first; mid at 10: the first, which held it; bigger: both;
     * its withdrawal: both, which held it; y's withdrawal: none), the
     * subscribes on the whole store. */
    unsigned long scoped, full;
    icxd_subs_figures(subs, &scoped, &full);
    ck_assert_uint_eq(scoped, 1 + 1 + 2 + 2 + 0);
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

/* The text of stanza pg (released), or of xml read as a stanza. */
static char *stanza_text(xmpp_ctx_t *x, xmpp_stanza_t *pg, const char *xml)
{
  char *text, *out;
  size_t len;

  if (!pg)
    pg = xmpp_stanza_new_from_string(x, xml);
  ck_assert_ptr_nonnull(pg);
  ck_assert_int_eq(xmpp_stanza_to_text(pg, &text, &len), XMPP_EOK);
  out = strdup(text);
  xmpp_free(x, text);
  xmpp_stanza_release(pg);
  return out;
}

/* Every subscription listed at once: each one's first page and <set>,
 * made by the writer under the shared limits, is what the loop would
 * have cut from the whole listing (icxd_rsm_page_answer()). */
START_TEST(list_every_subscription_first_pages)
{
  static const size_t limits[][2] = {{4, 1 << 20}, {6, 1 << 20}, {500, 60}, {500, 150}, {1, 1}};
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_job *whole, *job;
  char owner[32], name[32], err[256], *a, *b;
  size_t l;
  int i;

  for (i = 0; i < 7; i++) {
    snprintf(owner, sizeof owner, "o%d@c.test", i);
    snprintf(name, sizeof name, "c%d", i);
    publish(owner, name, 30 + i);
  }
  subscribe("w@c.test", RF(30), NULL);
  subscribe("w@c.test", RF(33), NULL);
  subscribe("w@c.test", RF(99), NULL);
  whole = subs_job(ICXD_JOB_SUBS_LIST, "w@c.test", NULL, 0);
  ck_assert_int_eq(whole->rc, ICX_OK);
  ck_assert_int_eq(whole->paged, 0);
  for (l = 0; l < sizeof limits / sizeof limits[0]; l++) {
    job = icxd_job_new(1);
    job->kind = ICXD_JOB_SUBS_LIST;
    job->actor = strdup("w@c.test");
    job->page_max_items = limits[l][0];
    job->page_max_bytes = limits[l][1];
    icxd_subs_run(subs, ctx, vocab, job);
    ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
    ck_assert_int_eq(job->paged, 1);
    a = stanza_text(x, icxd_rsm_page_answer(x, whole->answer_xml, "subscription", NULL,
                                            limits[l][0], limits[l][1], err, sizeof err),
                    NULL);
    b = stanza_text(x, NULL, job->answer_xml);
    ck_assert_msg(strcmp(a, b) == 0, "tree: %s\nwriter: %s", a, b);
    ck_assert_ptr_nonnull(strstr(b, "<count>7</count>"));
    free(a);
    free(b);
    icxd_job_free(job);
  }
  icxd_job_free(whole);
  xmpp_ctx_free(x);
}
END_TEST

/* The store replaced by another file that holds as many subscriptions,
 * whose ids sum alike (1 and 4 here, 2 and 3 there): the registry follows
 * the new file. */
START_TEST(replaced_store_followed)
{
  char *other = tu_path(tu_icxd_tmp, "other.db");
  icx_store *o = NULL;
  long long id[4];
  icxd_job *job;
  int i;

  id[0] = subscribe("a@c.test", RF(30), NULL);
  id[1] = subscribe("a@c.test", RF(31), NULL);
  id[2] = subscribe("b@c.test", RF(30), NULL);
  id[3] = subscribe("b@c.test", RF(32), NULL);
  ck_assert(id[0] == 1 && id[3] == 4);
  icxd_job_free(subs_job(ICXD_JOB_UNSUBSCRIBE, "a@c.test", NULL, 2));
  icxd_job_free(subs_job(ICXD_JOB_UNSUBSCRIBE, "b@c.test", NULL, 3));
  ck_assert_int_eq(icx_store_open(ctx, other, ICX_STORE_CREATE, &o), ICX_OK);
  for (i = 0; i < 3; i++)
    ck_assert_int_eq(icx_store_subs_add(o, "a@c.test", RF(33), "", NULL, &id[i]), ICX_OK);
  ck_assert_int_eq(icx_store_subs_remove(o, id[0], NULL), ICX_OK);
  icx_store_free(o);
  icx_store_free(store);
  store = NULL;
  ck_assert_int_eq(rename(other, db), 0);
  job = subs_job(ICXD_JOB_SUBS_LIST, "a@c.test", NULL, 0);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_msg(strstr(job->answer_xml, "id='2'") && strstr(job->answer_xml, "id='3'") &&
                    !strstr(job->answer_xml, "id='1'"),
                "%s", job->answer_xml);
  icxd_job_free(job);
  free(other);
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
  {
    /* Read from the change log: evaluated on that document, not in full
     * (the one full evaluation: reading the subscription back). */
    unsigned long scoped, full;
    icxd_subs_figures(subs, &scoped, &full);
    ck_assert_uint_eq(full, 1);
    ck_assert_uint_eq(scoped, 1);
  }
  /* Replaced by another process with a renamed cloud: the old name,
   * known from before, leaves. */
  ttl = cloud_ttl("shell2", 34);
  other_write("urn:icx:doc:shell", ttl);
  free(ttl);
  {
    const char *w[] = { "<entered><cloudName>shell2</cloudName></entered>",
                        "<left><cloudName>shell</cloudName></left>", NULL };
    expect_note("w@c.test", w);
  }
  other_write("urn:icx:doc:shell", NULL);
  {
    const char *w[] = { "<left><cloudName>shell2</cloudName></left>", NULL };
    expect_note("w@c.test", w);
  }
  expect_none();
  {
    unsigned long scoped, full;
    icxd_subs_figures(subs, &scoped, &full);
    ck_assert_uint_eq(full, 1);
  }
  (void)a;
}
END_TEST

/* Evaluates on registry r; returns how many notifications it made
 * (taken and dropped). */
static int eval_count(icxd_subs *r)
{
  icxd_subs_note n;
  int told = 0;

  eval_on(r);
  while (icxd_subs_take(r, &n)) {
    told++;
    icxd_subs_note_clear(&n);
  }
  return told;
}

/* Subscribes jid to xml at registry r (another instance). */
static void subscribe_at(icxd_subs *r, const char *jid, const char *xml)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = ICXD_JOB_SUBSCRIBE;
  job->actor = strdup(jid);
  job->xml = strdup(xml);
  job->xml_len = strlen(xml);
  icxd_subs_run(r, ctx, vocab, job);
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);
}

/* Two instances on one store (two registries): one ended subscription,
 * idle looks by both while none is held, then a subscription made at the
 * second, and a shell toggling a document: each change told exactly once
 * between them, at every step (icxd-scale-ejabberd's notify run, on one
 * thread). */
START_TEST(two_instances_tell_each_change_once)
{
  icxd_subs *other = icxd_subs_new(db, &log_);
  icxd_subs *both[2];
  icxd_job *job;
  char *ttl = cloud_ttl("ten", 31);
  long long id;
  int i, k;

  both[0] = subs;
  both[1] = other;
  icxd_subs_set_limits(other, 5, 3);
  id = subscribe("w@c.test", RF(31), NULL);
  job = subs_job(ICXD_JOB_UNSUBSCRIBE, "w@c.test", NULL, id);
  ck_assert_int_eq(job->rc, ICX_OK);
  icxd_job_free(job);
  for (i = 0; i < 3; i++)
    for (k = 0; k < 2; k++)
      ck_assert_int_eq(eval_count(both[k]), 0);
  /* Subscribed at the other instance. */
  subscribe_at(other, "w@c.test", RF(31));
  for (i = 0; i < 12; i++) {
    int told = 0, round;
    ck_assert_int_eq(shell_write(ctx, vocab, "urn:icx:doc:ten", i % 2 == 0 ? ttl : NULL),
                     ICX_OK);
    /* Each instance looks in turn, the one that told not always first. */
    for (round = 0; round < 2; round++)
      for (k = 0; k < 2; k++)
        told += eval_count(both[(k + i) % 2]);
    ck_assert_msg(told == 1, "change %d (%s) told %d times", i + 1,
                  i % 2 ? "remove" : "load", told);
  }
  free(ttl);
  icxd_subs_release(other);
  icxd_subs_free(other);
}
END_TEST

/* A shell toggling one document as fast as it can, on its own thread. */
typedef struct toggler {
  pthread_t thread;
  int n;                      /* toggles to make */
  volatile int done;
} toggler;

static void *toggler_run(void *ud)
{
  toggler *t = ud;
  icx_ctx *tctx = tu_ctx();
  icx_vocab *tvocab = tu_vocab(tctx);
  char *ttl = cloud_ttl("ten", 31);
  int i;

  for (i = 0; i < t->n; i++) {
    (void)shell_write(tctx, tvocab, "urn:icx:doc:ten", i % 2 == 0 ? ttl : NULL);
    usleep((useconds_t)(2000 + rand() % 8000));
  }
  free(ttl);
  icx_vocab_free(tvocab);
  icx_ctx_free(tctx);
  t->done = 1;
  return NULL;
}

/* Runs an evaluation on r and folds what it told into *inside (whether
 * the subscriber was last told that "ten" is in its answer). */
static void eval_fold(icxd_subs *r, int *inside)
{
  icxd_subs_note n;

  eval_on(r);
  while (icxd_subs_take(r, &n)) {
    int in = strstr(n.payload, "<entered><cloudName>ten<") != NULL;
    int out = strstr(n.payload, "<left><cloudName>ten<") != NULL;
    ck_assert_msg(in != out, "%s", n.payload);
    ck_assert_msg(in != *inside, "told twice: %s", n.payload);
    *inside = in;
    icxd_subs_note_clear(&n);
  }
}

/* Two instances following a document another process toggles while they
 * evaluate: whatever changes each reads together, what the subscriber is
 * told adds up, at the end, to the store's answer (a cloud one instance
 * told entered is told left by someone when it goes). */
START_TEST(two_instances_follow_a_racing_writer)
{
  icxd_subs *r[16];
  toggler t;
  int inside = 0, i, n = 1, present;

  srand(7);
  r[0] = icxd_subs_new(db, &log_);
  icxd_subs_set_limits(r[0], 5, 3);
  subscribe_at(r[0], "w@c.test", RF(31));
  memset(&t, 0, sizeof t);
  t.n = 301;   /* odd: the document is there at the end */
  ck_assert_int_eq(pthread_create(&t.thread, NULL, toggler_run, &t), 0);
  /* Another instance starts every few looks (its first look evaluates
   * every subscription whole); all of them look in turn. */
  for (i = 0; !t.done; i++) {
    if (i % 8 == 7 && n < 16) {
      r[n] = icxd_subs_new(db, &log_);
      icxd_subs_set_limits(r[n++], 5, 3);
    }
    eval_fold(r[i % n], &inside);
  }
  pthread_join(t.thread, NULL);
  for (i = 0; i < n; i++)
    eval_fold(r[i], &inside);
  present = 1;
  ck_assert_msg(inside == present, "the subscriber was last told ten %s (%d instances)",
                inside ? "entered" : "left", n);
  for (i = 0; i < n; i++) {
    icxd_subs_release(r[i]);
    icxd_subs_free(r[i]);
  }
}
END_TEST

/* --- differential: shapes and index against matching everything again --- */

#define DIFF_SUBS 40
#define DIFF_OWNERS 8

/* What each subscription's answer is, as its notifications told it:
 * names between spaces. */
static char diff_model[DIFF_SUBS][512];
static long long diff_id[DIFF_SUBS];
static char *diff_req[DIFF_SUBS];
static int diff_live[DIFF_SUBS];

static int diff_slot(long long id)
{
  int k;

  for (k = 0; k < DIFF_SUBS; k++)
    if (diff_live[k] && diff_id[k] == id)
      return k;
  return -1;
}

/* Applies the names of payload's part tag ("entered" or "left") to model
 * m, checking each was out of (entered) or in (left) it. */
static void diff_apply(char *m, const char *payload, const char *tag)
{
  char open[32], close[32], one[80];
  const char *at, *end;

  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  if (!(at = strstr(payload, open)))
    return;
  end = strstr(at, close);
  ck_assert_ptr_nonnull(end);
  for (at = strstr(at, "<cloudName>"); at && at < end; at = strstr(at, "<cloudName>")) {
    const char *stop;
    at += strlen("<cloudName>");
    stop = strstr(at, "</cloudName>");
    snprintf(one, sizeof one, " %.*s ", (int)(stop - at), at);
    if (!strcmp(tag, "entered")) {
      ck_assert_msg(!strstr(m, one), "%s entered twice: %s", one, payload);
      ck_assert(strlen(m) + strlen(one) < 500);
      strcat(m, one + (m[0] ? 1 : 0));
      if (!m[0] || m[strlen(m) - 1] != ' ')
        strcat(m, " ");
    } else {
      char *hit = strstr(m, one);
      ck_assert_msg(hit != NULL, "%s left but was not in%s: %s", one, m, payload);
      memmove(hit, hit + strlen(one) - 1, strlen(hit + strlen(one) - 1) + 1);
      if (!strcmp(m, " "))
        m[0] = '\0';
    }
    at = stop;
  }
}

/* Every notification queued, applied to the model. */
static void diff_drain(void)
{
  icxd_subs_note n;

  while (icxd_subs_take(subs, &n)) {
    const char *at = strstr(n.payload, "subscription='");
    int k;
    ck_assert_ptr_nonnull(at);
    k = diff_slot(atoll(at + strlen("subscription='")));
    ck_assert_msg(k >= 0, "a notification of no subscription: %s", n.payload);
    ck_assert_msg(strstr(n.payload, "<entered>") || strstr(n.payload, "<left>"),
                  "an empty notification: %s", n.payload);
    diff_apply(diff_model[k], n.payload, "left");
    diff_apply(diff_model[k], n.payload, "entered");
    icxd_subs_note_clear(&n);
  }
}

/* The naive answer of request xml: matched on the whole store now. */
static void diff_check(int k, int step)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  const char *in = strstr(diff_req[k], "<constraints");
  size_t i, n, want_n = 0;
  char one[80];

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, in, strlen(in) - strlen("</in>"), &set),
                   ICX_OK);
  ck_assert_int_eq(icx_match_run(ctx, store, set, &m), ICX_OK);
  n = icx_match_count(m);
  for (i = 0; i < n; i++) {
    snprintf(one, sizeof one, " %s ", icx_match_cloud(m, i));
    ck_assert_msg(strstr(diff_model[k], one) != NULL,
                  "step %d, subscription %lld (%s): %s is in the answer, not told:%s", step,
                  diff_id[k], diff_req[k], one, diff_model[k]);
  }
  for (i = 0; diff_model[k][i]; i++)
    want_n += diff_model[k][i] == ' ';
  ck_assert_msg(!diff_model[k][0] || want_n - 1 == n,
                "step %d, subscription %lld (%s): told%s, matched %zu", step, diff_id[k],
                diff_req[k], diff_model[k], n);
  icx_match_free(m);
  icx_constraints_free(set);
}

/* A random request: one or two constraints of the kinds the index keys
 * (ranges, numbers, IRIs, any value) and some it cannot (negations, soft
 * ones), drawn from few enough values that shapes repeat. */
static char *diff_request(unsigned *seed)
{
  static const char *const parts[] = {
    "<constraint><attribute>replicationFactor</attribute><value>3</value></constraint>",
    "<constraint><attribute>replicationFactor</attribute><value>5</value></constraint>",
    "<constraint op='less'><attribute>replicationFactor</attribute><value>4</value>"
    "</constraint>",
    "<constraint op='atMost'><attribute>availability</attribute><value>99.5</value>"
    "</constraint>",
    "<constraint op='greater'><attribute>availability</attribute><value>99.2</value>"
    "</constraint>",
    "<constraint op='anyOf'><attribute>tierCountry</attribute><value>DE</value>"
    "<value>JP</value></constraint>",
    "<constraint op='equal'><attribute>storageAccess</attribute><value>NFS</value>"
    "</constraint>",
    "<constraint op='noneOf'><attribute>storageAccess</attribute><value>NFS</value>"
    "</constraint>",
    "<constraint op='exists'><attribute>replicationFactor</attribute></constraint>",
    "<constraint op='equal'><attribute>replicationFactor</attribute><value>2</value>"
    "</constraint>",
    "<constraint required='false' weight='3'><attribute>availability</attribute>"
    "<value>99.9</value></constraint>",
  };
  size_t np = sizeof parts / sizeof *parts;
  size_t a = (size_t)rand_r(seed) % np, b = (size_t)rand_r(seed) % (np + 4);
  char *x = malloc(2048);

  snprintf(x, 2048, "<in><constraints xmlns='http://www.csp/resOntology'>%s%s</constraints>"
           "</in>", parts[a], b < np && b != a ? parts[b] : "");
  return x;
}

/* Owner o's document now: a cloud of one of two names, random values;
 * written by icxd's writer, or (shell) by another connection as a
 * document of the operator's beside it. */
static void diff_publish(int o, unsigned *seed, int shell)
{
  static const char *const countries[] = { "DE", "JP", "US" };
  static const char *const access[] = { "NFS", "CIFS" };
  char owner[64], name[32], *ttl = malloc(1024);
  icxd_job *job = icxd_job_new(1);

  snprintf(owner, sizeof owner, "o%d@c.test", o);
  snprintf(name, sizeof name, "%s%dn%d", shell ? "sh" : "o", o, rand_r(seed) % 2);
  snprintf(ttl, 1024,
           "@prefix res: <http://www.csp/resOntology#> .\n"
           "<http://%s.example/c> a res:Cloud ; res:cloudName \"%s\" ;\n"
           "  res:offers <http://%s.example/s> .\n"
           "<http://%s.example/s> a res:StorageService ; res:replicationFactor %d ;\n"
           "  res:availability %.1f ; res:tierCountry res:%s ; res:storageAccess res:%s .\n",
           name, name, name, name, 1 + rand_r(seed) % 6, 99.0 + (rand_r(seed) % 10) / 10.0,
           countries[rand_r(seed) % 3], access[rand_r(seed) % 2]);
  job->kind = ICXD_JOB_PUBLISH;
  job->actor = strdup(owner);
  job->doc_owner = strdup(owner);
  job->doc_name = strdup("doc");
  job->doc_uri = icxd_publish_doc_uri(owner, "doc");
  job->doc_format = ICX_FORMAT_TURTLE;
  job->xml = ttl;
  job->xml_len = strlen(ttl);
  if (shell) {
    /* The operator's documents are others than the publishers'. */
    char uri[64];
    snprintf(uri, sizeof uri, "urn:icx:doc:shell-%d", o);
    other_write(uri, ttl);
  } else {
    icxd_writer_run_subs(ctx, store, vocab, subs, job);
    ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  }
  icxd_job_free(job);
}

/* A document of n clouds named <prefix>0.. with replicas each, published
 * as owner's "doc". */
static void publish_many(const char *owner, const char *prefix, int n,
                         int replicas)
{
  icxd_job *job = icxd_job_new(1);
  size_t cap = (size_t)n * 400 + 128, at = 0;
  char *t = malloc(cap);
  int i;

  at += (size_t)snprintf(t + at, cap - at,
                         "@prefix res: <http://www.csp/resOntology#> .\n");
  for (i = 0; i < n; i++)
    at += (size_t)snprintf(t + at, cap - at,
                           "<http://%s%d.example/c> a res:Cloud ; res:cloudName \"%s%d\" ;\n"
                           "  res:offers <http://%s%d.example/s> .\n"
                           "<http://%s%d.example/s> a res:StorageService ; "
                           "res:replicationFactor %d .\n",
                           prefix, i, prefix, i, prefix, i, prefix, i, replicas);
  job->kind = ICXD_JOB_PUBLISH;
  job->actor = strdup(owner);
  job->doc_owner = strdup(owner);
  job->doc_name = strdup("doc");
  job->doc_uri = icxd_publish_doc_uri(owner, "doc");
  job->doc_format = ICX_FORMAT_TURTLE;
  job->xml = t;
  job->xml_len = at;
  icxd_writer_run_subs(ctx, store, vocab, subs, job);
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);
}

static size_t count_of(const char *s, const char *what)
{
  size_t n = 0;

  while ((s = strstr(s, what))) {
    n++;
    s += strlen(what);
  }
  return n;
}

/* The bug: a change told every cloud that entered in one message, so a
 * big document (or a first evaluation of answers never kept) made each
 * subscriber's message as big as the store.  A message names at most
 * 100 clouds and says how many there are in all. */
START_TEST(note_names_bounded)
{
  char want[64];
  int i, k;

  icxd_subs_set_limits(subs, 0, 0);
  for (k = 0; k < 3; k++)
    subscribe("w@c.test", RF(1), NULL);
  publish_many("x@c.test", "many", 250, 5);
  snprintf(want, sizeof want, "<entered count='%d'>", 250);
  for (k = 0; k < 3; k++) {
    icxd_subs_note n;
    ck_assert_msg(icxd_subs_take(subs, &n) == 1, "no notification");
    ck_assert_msg(count_of(n.payload, "<cloudName>") <= 100,
                  "%zu names in one message", count_of(n.payload, "<cloudName>"));
    ck_assert_msg(strstr(n.payload, want) != NULL, "%.300s", n.payload);
    ck_assert_msg(strlen(n.body) < 100 * 64, "body of %zu bytes", strlen(n.body));
    icxd_subs_note_clear(&n);
  }
  expect_none();
  /* The whole answer stays with list_subscriptions. */
  {
    icxd_job *job = subs_job(ICXD_JOB_SUBS_LIST, "w@c.test", NULL, 0);
    ck_assert_int_eq(job->rc, ICX_OK);
    for (i = 0; i < 250; i += 49) {
      char name[64];
      snprintf(name, sizeof name, "<cloudName>many%d</cloudName>", i);
      ck_assert_msg(strstr(job->answer_xml, name) != NULL, "%s missing", name);
    }
    icxd_job_free(job);
  }
}
END_TEST

/* The loop's side of the outbox, on a thread of its own: takes every
 * notification until told to stop, counting them. */
struct taker {
  pthread_t thread;
  volatile int stop;
  unsigned long taken;
  int bad;
};

static void *taker_run(void *ud)
{
  struct taker *t = ud;
  icxd_subs_note n;

  for (;;) {
    if (icxd_subs_take(subs, &n)) {
      t->taken++;
      if (!strstr(n.payload, "<entered>") || strstr(n.payload, "missed="))
        t->bad++;
      icxd_subs_note_clear(&n);
    } else if (t->stop) {
      break;
    } else {
      usleep(200);
    }
  }
  return NULL;
}

/* Many subscribers, one change: the writer hands each notification over
 * as it is made and waits for room, so the outbox never holds more than
 * its bound; every subscriber is still told, none is dropped. */
START_TEST(outbox_bounded)
{
  struct taker t;
  int k;

  icxd_subs_set_limits(subs, 0, 0);
  icxd_subs_set_outbox(subs, 8, 10000);
  for (k = 0; k < 60; k++)
    subscribe("w@c.test", k % 2 ? RF(1) : RF(2), NULL);
  memset(&t, 0, sizeof t);
  ck_assert_int_eq(pthread_create(&t.thread, NULL, taker_run, &t), 0);
  publish("x@c.test", "new", 5);
  t.stop = 1;
  pthread_join(t.thread, NULL);
  ck_assert_uint_eq(t.taken, 60);
  ck_assert_int_eq(t.bad, 0);
  ck_assert_uint_eq(icxd_subs_notes_dropped(subs), 0);
  ck_assert_msg(icxd_subs_outbox_peak(subs) <= 8, "peak %zu",
                icxd_subs_outbox_peak(subs));
}
END_TEST

/* Nobody takes: past the wait, notifications are dropped, and each
 * subscriber that missed some is told so (missed='N') as soon as there
 * is room again, before anything newer. */
START_TEST(outbox_full_drops_are_told)
{
  icxd_subs_note n;
  int k, told = 0;

  icxd_subs_set_limits(subs, 0, 0);
  icxd_subs_set_outbox(subs, 2, 0);
  for (k = 0; k < 5; k++)
    subscribe("w@c.test", RF(1), NULL);
  publish("x@c.test", "one", 5);
  ck_assert_uint_eq(icxd_subs_notes_dropped(subs), 3);
  ck_assert_uint_eq(icxd_subs_outbox_peak(subs), 2);
  for (k = 0; k < 2; k++) {
    const char *w[] = { "<entered><cloudName>one</cloudName></entered>", NULL };
    expect_note("w@c.test", w);
  }
  expect_none();
  /* The next job tells those it can (2), the one after the last. */
  while (told < 3) {
    store_eval();
    ck_assert_msg(icxd_subs_take(subs, &n) == 1, "missed not told");
    do {
      ck_assert_msg(strstr(n.payload, " missed='1'/>") != NULL, "%s", n.payload);
      ck_assert_msg(strstr(n.body, "list_subscriptions") != NULL, "%s", n.body);
      icxd_subs_note_clear(&n);
      told++;
    } while (icxd_subs_take(subs, &n));
  }
  ck_assert_int_eq(told, 3);
  store_eval();
  expect_none();
  /* Owed nothing any more: the next change is told plainly. */
  publish("y@c.test", "two", 5);
  for (k = 0; k < 2; k++) {
    ck_assert_int_eq(icxd_subs_take(subs, &n), 1);
    ck_assert_msg(!strstr(n.payload, "missed"), "%s", n.payload);
    icxd_subs_note_clear(&n);
  }
}
END_TEST

START_TEST(indexed_equals_naive)
{
  unsigned seed = 14u;
  int k, step;

  icxd_subs_set_limits(subs, 0, 0);
  memset(diff_live, 0, sizeof diff_live);
  for (k = 0; k < DIFF_OWNERS / 2; k++)
    diff_publish(k, &seed, 0);
  for (k = 0; k < DIFF_SUBS; k++) {
    char jid[32];
    icxd_job *job;
    const char *at;
    diff_req[k] = diff_request(&seed);
    snprintf(jid, sizeof jid, "s%d@c.test", k % 7);
    job = subs_job(ICXD_JOB_SUBSCRIBE, jid, diff_req[k], 0);
    ck_assert_msg(job->rc == ICX_OK, "%s: %s", diff_req[k], job->errmsg);
    diff_id[k] = atoll(strstr(job->answer_xml, "subscription='") + strlen("subscription='"));
    diff_live[k] = 1;
    diff_model[k][0] = '\0';
    /* The current answer starts the model. */
    for (at = strstr(job->answer_xml, "<cloudName>"); at; at = strstr(at, "<cloudName>")) {
      const char *stop;
      at += strlen("<cloudName>");
      stop = strstr(at, "</cloudName>");
      snprintf(diff_model[k] + strlen(diff_model[k]),
               sizeof diff_model[k] - strlen(diff_model[k]), "%s%.*s ",
               diff_model[k][0] ? "" : " ", (int)(stop - at), at);
    }
    icxd_job_free(job);
  }
  for (step = 0; step < 80; step++) {
    int o = rand_r(&seed) % DIFF_OWNERS, r = rand_r(&seed) % 10;
    if (r < 6) {
      /* A third of the writes from another process (icx load). */
      diff_publish(o, &seed, step % 3 == 2);
    } else if (r < 9 && step % 3 == 2) {
      char uri[64];
      snprintf(uri, sizeof uri, "urn:icx:doc:shell-%d", o);
      other_write(uri, NULL);
    } else if (r < 9) {
      char owner[32];
      icxd_job *job = icxd_job_new(1);
      snprintf(owner, sizeof owner, "o%d@c.test", o);
      job->kind = ICXD_JOB_WITHDRAW;
      job->actor = strdup(owner);
      job->doc_owner = strdup(owner);
      job->doc_name = strdup("doc");
      job->doc_uri = icxd_publish_doc_uri(owner, "doc");
      icxd_writer_run_subs(ctx, store, vocab, subs, job);
      ck_assert(job->rc == ICX_OK || job->rc == ICX_ERR_NOT_FOUND);
      icxd_job_free(job);
    } else if (step % 3 == 0) {
      /* A restart: the answers come back from the store, nothing to tell. */
      icxd_subs_release(subs);
      icxd_subs_free(subs);
      subs = icxd_subs_new(db, &log_);
      icxd_subs_set_limits(subs, 0, 0);
      icxd_job_free(subs_job(ICXD_JOB_SUBS_LIST, "nobody@c.test", NULL, 0));
    } else {
      /* One ends (a keeper, often: the lowest ids go first). */
      for (k = 0; k < DIFF_SUBS && !diff_live[k]; k++)
        ;
      if (k < DIFF_SUBS) {
        char jid[32];
        icxd_job *job;
        snprintf(jid, sizeof jid, "s%d@c.test", k % 7);
        job = subs_job(ICXD_JOB_UNSUBSCRIBE, jid, NULL, diff_id[k]);
        ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
        icxd_job_free(job);
        diff_live[k] = 0;
      }
    }
    diff_drain();
    for (k = 0; k < DIFF_SUBS; k++)
      if (diff_live[k])
        diff_check(k, step);
  }
  {
    /* The writes were evaluated on their documents, those of another
     * process too: the registry made at the last restart evaluated in
     * full only then (its start). */
    unsigned long scoped, full, shapes = 0;
    icxd_subs_figures(subs, &scoped, &full);
    ck_assert_uint_gt(scoped, 0);
    for (k = 0; k < DIFF_SUBS; k++)
      shapes += diff_live[k];
    ck_assert_uint_le(full, shapes);
  }
  for (k = 0; k < DIFF_SUBS; k++)
    free(diff_req[k]);
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
  tcase_add_test(tc, list_every_subscription_first_pages);
  tcase_add_test(tc, restart_and_other_writers);
  tcase_add_test(tc, replaced_store_followed);
  tcase_add_test(tc, two_instances_tell_each_change_once);
  tcase_add_test(tc, two_instances_follow_a_racing_writer);
  tcase_add_test(tc, indexed_equals_naive);
  tcase_add_test(tc, note_names_bounded);
  tcase_add_test(tc, outbox_bounded);
  tcase_add_test(tc, outbox_full_drops_are_told);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(subs_suite());
}

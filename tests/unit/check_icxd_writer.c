/* check_icxd_writer.c - unit tests of icxd_writer: publishes and
 * withdrawals applied to a real store, the owner checks, errors placed in
 * the sender's document with the store left as it was, the thread, and
 * the WAL promise (a read never waits for a write, a write never waits for
 * a read). */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_publish.h"
#include "icxd_writer.h"
#include "icx_store_ids.h"
#include "icx_store_rdf.h"

static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static char *db;

static void setup(void)
{
  tu_icxd_tmp_setup();
  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
  db = tu_path(tu_icxd_tmp, "store.db");
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_CREATE, &store), ICX_OK);
}

static void teardown(void)
{
  icx_store_free(store);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(db);
  tu_icxd_tmp_teardown();
}

/* A Turtle document: one cloud named name offering storage at avail. */
static char *cloud_ttl(const char *name, const char *avail)
{
  char *t = malloc(1024);

  snprintf(t, 1024,
           "@prefix res: <http://www.csp/resOntology#> .\n"
           "<http://%s.example/c> a res:Cloud ; res:cloudName \"%s\" ;\n"
           "  res:offers <http://%s.example/s> .\n"
           "<http://%s.example/s> a res:StorageService ; res:availability %s .\n",
           name, name, name, name, avail);
  return t;
}

static icxd_job *job_publish(const char *actor, const char *owner, int admin,
                             const char *name, char *ttl)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = ICXD_JOB_PUBLISH;
  job->actor = strdup(actor);
  job->doc_owner = strdup(owner);
  job->actor_admin = admin;
  job->doc_name = strdup(name);
  job->doc_uri = icxd_publish_doc_uri(owner, name);
  job->doc_format = ICX_FORMAT_TURTLE;
  job->xml = ttl;
  job->xml_len = strlen(ttl);
  return job;
}

static icxd_job *job_withdraw(const char *actor, int admin, const char *owner,
                              const char *name, const char *iri)
{
  icxd_job *job = icxd_job_new(1);

  job->kind = ICXD_JOB_WITHDRAW;
  job->actor = strdup(actor);
  job->actor_admin = admin;
  if (owner) {
    job->doc_owner = strdup(owner);
    job->doc_name = strdup(name);
    job->doc_uri = icxd_publish_doc_uri(owner, name);
  } else {
    job->doc_uri = strdup(iri);
  }
  return job;
}

/* Runs job and returns it. */
static icxd_job *run(icxd_job *job)
{
  icxd_writer_run(ctx, store, vocab, job);
  return job;
}

static long doc_triples(const char *uri)
{
  icx_doc_info *d = NULL;
  long n;

  if (icx_store_get_document(store, vocab, uri, &d) != ICX_OK)
    return -1;
  n = d->triples;
  icx_doc_info_free_array(d, 1);
  return n;
}

#define ALICE_DOC "xmpp:alice@cloud1.test?icx-capabilities;name=default"

START_TEST(publish_replace_and_withdraw)
{
  icxd_job *job;
  icx_doc_info *d = NULL;

  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                        cloud_ttl("c1", "99.9")));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<published"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "document='" ALICE_DOC "'"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "owner='alice@cloud1.test'"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "triples='5'"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<cloudName>c1</cloudName>"));
  icxd_job_free(job);
  ck_assert_int_eq(icx_store_get_document(store, vocab, ALICE_DOC, &d), ICX_OK);
  ck_assert_str_eq(d->owner, "alice@cloud1.test");
  ck_assert_str_eq(d->source, "xmpp:alice@cloud1.test");
  icx_doc_info_free_array(d, 1);

  /* A second publish replaces it: a third triple for the new cloud's name. */
  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                        strcat(cloud_ttl("c1b", "99.99"),
                               "<http://c1b.example/s> res:replicationFactor 3 .\n")));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<cloudName>c1b</cloudName>"));
  ck_assert_ptr_null(strstr(job->answer_xml, "<cloudName>c1</cloudName>"));
  icxd_job_free(job);
  ck_assert_int_eq(doc_triples(ALICE_DOC), 6);

  job = run(job_withdraw("alice@cloud1.test", 0, "alice@cloud1.test", "default", NULL));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<withdrawn"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<cloudName>c1b</cloudName>"));
  icxd_job_free(job);
  ck_assert(!icx_store_has_document(store, ALICE_DOC));

  job = run(job_withdraw("alice@cloud1.test", 0, "alice@cloud1.test", "default", NULL));
  ck_assert_int_eq(job->rc, ICX_ERR_NOT_FOUND);
  ck_assert(!job->forbidden);
  icxd_job_free(job);
  /* By IRI, one's own missing document is "not found" too. */
  job = run(job_withdraw("alice@cloud1.test", 0, NULL, NULL, ALICE_DOC));
  ck_assert_int_eq(job->rc, ICX_ERR_NOT_FOUND);
  ck_assert(!job->forbidden);
  icxd_job_free(job);
}
END_TEST

/* A document that fails says where, in the sender's lines, and leaves the
 * store as it was. */
START_TEST(failed_publish_changes_nothing)
{
  icxd_job *job;
  char *bad;

  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                        cloud_ttl("c1", "99.9")));
  ck_assert_int_eq(job->rc, ICX_OK);
  icxd_job_free(job);

  bad = cloud_ttl("c1", "99.9");
  strcat(bad, "<http://c1.example/s> res:availability 1 ;\n  res:replicationFactor ]] .\n");
  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default", bad));
  ck_assert_int_eq(job->rc, ICX_ERR_RDF);
  ck_assert_int_eq(job->err_line, 6);
  ck_assert_msg(strncmp(job->errmsg, "document 'default', line 6", 26) == 0, "%s",
                job->errmsg);
  icxd_job_free(job);
  ck_assert_int_eq(doc_triples(ALICE_DOC), 5);

  /* A vocabulary check: the line of the statement. */
  bad = cloud_ttl("c1", "99.9");
  strcat(bad, "\n<http://c1.example/s> res:colourOfTheSky \"blue\" .\n");
  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default", bad));
  ck_assert_int_ne(job->rc, ICX_OK);
  ck_assert_int_eq(job->err_line, 6);
  ck_assert_msg(strstr(job->errmsg, "colourOfTheSky") != NULL, "%s", job->errmsg);
  icxd_job_free(job);
  ck_assert_int_eq(doc_triples(ALICE_DOC), 5);
}
END_TEST

START_TEST(owners_and_administrators)
{
  icxd_job *job;
  icx_loader *l;
  char *ttl;

  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                        cloud_ttl("c1", "99.9")));
  ck_assert_int_eq(job->rc, ICX_OK);
  icxd_job_free(job);

  /* Another account names alice's document by its IRI: forbidden, and the
   * note names no account. */
  job = run(job_withdraw("bob@cloud2.test", 0, NULL, NULL, ALICE_DOC));
  ck_assert(job->forbidden);
  ck_assert_ptr_null(strstr(job->errmsg, "alice"));
  ck_assert_ptr_nonnull(strstr(job->errmsg, "not yours"));
  icxd_job_free(job);
  /* ... and the same words for a document that does not exist. */
  job = run(job_withdraw("bob@cloud2.test", 0, NULL, NULL,
                         "xmpp:carol@x.test?icx-capabilities;name=none"));
  ck_assert(job->forbidden);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "not yours"));
  icxd_job_free(job);
  ck_assert_int_eq(doc_triples(ALICE_DOC), 5);

  /* An administrator replaces it for alice, then withdraws it by IRI. */
  job = run(job_publish("root@ops.test", "alice@cloud1.test", 1, "default",
                        cloud_ttl("c1", "50")));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "owner='alice@cloud1.test'"));
  icxd_job_free(job);
  job = run(job_withdraw("root@ops.test", 1, NULL, NULL, ALICE_DOC));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);

  /* The operator's documents: nobody over XMPP, administrators included. */
  l = icx_loader_new(ctx, vocab, store);
  ttl = cloud_ttl("op", "99");
  ck_assert_int_eq(icx_loader_load_buffer(l, "op.ttl", (unsigned char *)ttl, strlen(ttl)),
                   ICX_OK);
  free(ttl);
  icx_loader_free(l);
  job = run(job_withdraw("root@ops.test", 1, NULL, NULL, "urn:icx:doc:op.ttl"));
  ck_assert(job->forbidden);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "operator"));
  icxd_job_free(job);
  ck_assert(icx_store_has_document(store, "urn:icx:doc:op.ttl"));
  /* An operator's document at a published document's IRI is the
   * operator's too. */
  l = icx_loader_new(ctx, vocab, store);
  ttl = cloud_ttl("op2", "99");
  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  ck_assert_int_eq(icx_loader_load_into(l, ALICE_DOC, "cli", (unsigned char *)ttl,
                                        strlen(ttl)), ICX_OK);
  free(ttl);
  icx_loader_free(l);
  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                        cloud_ttl("c1", "99.9")));
  ck_assert(job->forbidden);
  icxd_job_free(job);
}
END_TEST

/* on_done: called once per finished job, under the writer's lock. */
static void writer_test_done(void *ud)
{
  (*(int *)ud)++;
}

/* The thread: jobs go in, come back done, in order, each telling the
 * loop once (on_done). */
START_TEST(writer_thread)
{
  icxd_logger log;
  icxd_writer_opts o;
  icxd_writer *w;
  icxd_job *a, *b, *got[2] = { NULL, NULL };
  char err[256];
  int i, n = 0, wakes = 0;

  icxd_logger_init(&log, ICXD_LOG_ERROR, 0);
  memset(&o, 0, sizeof o);
  o.on_done = writer_test_done;
  o.on_done_ud = &wakes;
  o.store_path = db;
  o.vocab = vocab;
  o.log = &log;
  o.max_queue = 1;
  w = icxd_writer_new(&o, err, sizeof err);
  ck_assert_msg(w != NULL, "%s", err);
  a = job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                  cloud_ttl("c1", "99.9"));
  a->id = 1;
  b = job_withdraw("alice@cloud1.test", 0, "alice@cloud1.test", "default", NULL);
  b->id = 2;
  ck_assert_int_eq(icxd_writer_submit(w, a), 0);
  /* Bounded: 20 s at most. */
  for (i = 0; i < 2000 && n < 2; i++) {
    icxd_job *j = icxd_writer_take_done(w);
    struct timespec ts = { 0, 10000000 };
    if (j) {
      got[n++] = j;
      if (n == 1)
        ck_assert_int_eq(icxd_writer_submit(w, b), 0);
      continue;
    }
    nanosleep(&ts, NULL);
  }
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(got[0]->id, 1);
  ck_assert_msg(got[0]->rc == ICX_OK, "%s", got[0]->errmsg);
  ck_assert_int_eq(got[1]->id, 2);
  ck_assert_msg(got[1]->rc == ICX_OK, "%s", got[1]->errmsg);
  ck_assert_uint_eq(icxd_writer_in_flight(w), 0);
  ck_assert_int_eq(wakes, 2);   /* read after take_done took the lock */
  icxd_job_free(got[0]);
  icxd_job_free(got[1]);
  icxd_writer_free(w);
  icxd_logger_close(&log);
}
END_TEST

/* The change the index saved beside the store reflects (its header,
 * icx_index_format.h), or -1 without one. */
static long long saved_index_change(void)
{
  char *path = tu_path(tu_icxd_tmp, "store.db-index");
  uint64_t h[3];
  int fd = open(path, O_RDONLY);
  long long at = -1;

  if (fd >= 0 && pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h)
    at = (long long)h[2];
  if (fd >= 0)
    close(fd);
  free(path);
  return at;
}

/* The store's last change. */
static long long store_last_change(void)
{
  long long last = -1;

  ck_assert_int_eq(icx_store_change_last(store, &last), 0);
  return last;
}

/* A writer of refresh_ms; job submitted and taken back done (20 s at most). */
static void writer_one(unsigned refresh_ms, icxd_job *job, icxd_writer **out,
                       icxd_logger *log)
{
  icxd_writer_opts o;
  icxd_job *got = NULL;
  char err[256];
  int i;

  memset(&o, 0, sizeof o);
  o.store_path = db;
  o.vocab = vocab;
  o.log = log;
  o.max_queue = 4;
  o.index_refresh_ms = refresh_ms;
  *out = icxd_writer_new(&o, err, sizeof err);
  ck_assert_msg(*out != NULL, "%s", err);
  ck_assert_int_eq(icxd_writer_submit(*out, job), 0);
  for (i = 0; i < 2000 && !got; i++) {
    struct timespec ts = { 0, 10000000 };
    if (!(got = icxd_writer_take_done(*out)))
      nanosleep(&ts, NULL);
  }
  ck_assert_ptr_nonnull(got);
  ck_assert_msg(got->rc == ICX_OK, "%s", got->errmsg);
  icxd_job_free(got);
}

/* A first document published and the index saved at its change, which
 * is returned. */
static long long publish_and_save(void)
{
  icxd_job *job;
  long long k;
  int saved = 0;

  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "a",
                        cloud_ttl("c1", "99.9")));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);
  ck_assert_int_eq(icx_match_keep_index(ctx, vocab, store, &saved), ICX_OK);
  ck_assert_int_eq(saved, 1);
  k = store_last_change();
  ck_assert_int_gt(k, 0);
  ck_assert_int_eq(saved_index_change(), k);
  return k;
}

/* After a publish, the writer brings the index saved beside the store up
 * to the store's state index_refresh_ms later; with 0 it leaves the file
 * where it was. */
START_TEST(writer_refreshes_the_saved_index)
{
  icxd_logger log;
  icxd_writer *w;
  long long k;
  int i;

  icxd_logger_init(&log, ICXD_LOG_ERROR, 0);
  k = publish_and_save();

  writer_one(0, job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "b",
                            cloud_ttl("c2", "99.5")), &w, &log);
  {
    struct timespec ts = { 0, 300000000 };
    nanosleep(&ts, NULL);
  }
  icxd_writer_free(w);
  ck_assert_int_gt(store_last_change(), k);
  ck_assert_int_eq(saved_index_change(), k);

  writer_one(50, job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "c",
                             cloud_ttl("c3", "99.0")), &w, &log);
  k = store_last_change();
  for (i = 0; i < 1000 && saved_index_change() != k; i++) {
    struct timespec ts = { 0, 10000000 };
    nanosleep(&ts, NULL);
  }
  icxd_writer_free(w);
  ck_assert_int_eq(saved_index_change(), k);
  icxd_logger_close(&log);
}
END_TEST

/* A writer stopped before its refresh was due brings the saved index up
 * to date as it stops: the next start reads it as it is, instead of
 * applying the changes (or reading the store whole) on a first request. */
START_TEST(writer_refreshes_the_saved_index_as_it_stops)
{
  icxd_logger log;
  icxd_writer *w;
  long long k;

  icxd_logger_init(&log, ICXD_LOG_ERROR, 0);
  k = publish_and_save();

  /* An hour to wait for the refresh: only the stop makes it. */
  writer_one(3600000, job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "b",
                                  cloud_ttl("c2", "99.5")), &w, &log);
  ck_assert_int_gt(store_last_change(), k);
  ck_assert_int_eq(saved_index_change(), k);
  icxd_writer_free(w);
  ck_assert_int_eq(saved_index_change(), store_last_change());
  icxd_logger_close(&log);
}
END_TEST

/* WAL: a reader is not held up by a write in progress (it sees the last
 * commit), and a write commits while a reader is in the middle of a read.
 * Were either to wait, it would fail after the store's busy timeout. */
START_TEST(reads_and_writes_do_not_wait)
{
  icx_ctx *rctx = tu_ctx();
  icx_store *reader = NULL;
  icxd_job *job;
  librdf_stream *st;
  char *got, *q = tu_constraints("availability", "99", NULL);

  job = run(job_publish("alice@cloud1.test", "alice@cloud1.test", 0, "default",
                        cloud_ttl("c1", "99.9")));
  ck_assert_int_eq(job->rc, ICX_OK);
  icxd_job_free(job);
  ck_assert_int_eq(icx_store_open(rctx, db, ICX_STORE_READONLY, &reader), ICX_OK);

  /* A write in progress (its transaction open) ... */
  ck_assert_int_eq(icx_store_document_begin(store, "urn:test:pending"), ICX_OK);
  /* ... and the reader matches, seeing the last commit. */
  got = tu_match(rctx, vocab, reader, q);
  ck_assert_str_eq(got, "c1");
  free(got);
  icx_store_document_abort(store);

  /* A read in progress (a stream open on the reader) ... */
  st = librdf_model_as_stream(icx_store_model(reader));
  ck_assert_ptr_nonnull(st);
  /* ... and a publish commits. */
  job = run(job_publish("bob@cloud2.test", "bob@cloud2.test", 0, "default",
                        cloud_ttl("c2", "99.5")));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg);
  icxd_job_free(job);
  librdf_free_stream(st);
  got = tu_match(rctx, vocab, reader, q);
  ck_assert_str_eq(got, "c1 c2");
  free(got);
  free(q);
  icx_store_free(reader);
  icx_ctx_free(rctx);
}
END_TEST

static Suite *writer_suite(void)
{
  Suite *s = suite_create("icxd_writer");
  TCase *tc = tcase_create("core");

  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, publish_replace_and_withdraw);
  tcase_add_test(tc, failed_publish_changes_nothing);
  tcase_add_test(tc, owners_and_administrators);
  tcase_add_test(tc, writer_thread);
  tcase_add_test(tc, writer_refreshes_the_saved_index);
  tcase_add_test(tc, writer_refreshes_the_saved_index_as_it_stops);
  tcase_add_test(tc, reads_and_writes_do_not_wait);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(writer_suite());
}

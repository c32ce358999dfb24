/* check_icxd_worker.c - unit tests of icxd_worker. */
/* The pool matches and explains on every worker, against a store loaded
 * from data/clouds, within its time limit. */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icx_util.h"
#include "icxd_iodata.h"
#include "icxd_log.h"
#include "icxd_worker.h"

static char *make_store(void)
{
  char *path = tu_path(tu_icxd_tmp, "store.db"), *clouds;
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
  icxd_pool_opts opts = { store, NULL, &log, 1, 4, 0, 0, NULL, NULL };
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
  icxd_pool_opts opts = { store, NULL, &log, 1, 4, 0, 1, NULL, NULL };
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

/* A store that is not there is the operator's problem: the requester
 * hears that the exchange holds no data, never the server's file path
 * (which goes to the log). */
START_TEST(missing_store_keeps_its_path)
{
  char *store = tu_path(tu_icxd_tmp, "private-folder-7q/store.db"), err[256];
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_pool_opts opts = { store, NULL, &log, 1, 4, 0, 1, NULL, NULL };
  icxd_pool *pool = icxd_pool_new(&opts, err, sizeof err);
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icxd_job *job;

  ck_assert_ptr_nonnull(pool);
  ck_assert_int_eq(icxd_pool_start(pool, vocab, err, sizeof err), 0);
  job = icxd_job_new(1);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "1"), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  job = wait_done(pool);
  ck_assert_ptr_nonnull(job);
  ck_assert_int_ne(job->rc, ICX_OK);
  ck_assert_ptr_nonnull(job->errmsg);
  ck_assert_msg(!strstr(job->errmsg, "private-folder-7q") && !strstr(job->errmsg, "store.db"),
                "the answer names the server's path: %s", job->errmsg);
  ck_assert_msg(strstr(job->errmsg, "holds no capability data yet") != NULL, "%s", job->errmsg);
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
  icxd_pool_opts opts = { store, NULL, &log, 3, 8, 0, 0, NULL, NULL };
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

/* on_done tells the loop of every finished job at once (icxd's loop
 * waits on a pipe it writes to): the job is there when the pipe says so,
 * and each job writes once. */
static void worker_test_wake(void *ud)
{
  int *fds = ud;

  ck_assert_int_eq(write(fds[1], "", 1), 1);
}

START_TEST(pool_wakes_the_loop)
{
  char *store = make_store(), *paper_path, *paper, err[256], buf[8];
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_pool_opts opts = { store, NULL, &log, 2, 8, 0, 0, NULL, NULL };
  icxd_pool *pool;
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icxd_job *job;
  struct pollfd pfd;
  int fds[2], i, got = 0;
  size_t len;

  ck_assert_int_eq(pipe(fds), 0);
  opts.on_done = worker_test_wake;
  opts.on_done_ud = fds;
  pool = icxd_pool_new(&opts, err, sizeof err);
  ck_assert_ptr_nonnull(pool);
  ck_assert_int_eq(icxd_pool_start(pool, vocab, err, sizeof err), 0);
  paper_path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  paper = tu_read(paper_path, &len);
  ck_assert_ptr_nonnull(paper);
  for (i = 0; i < 3; i++) {
    job = icxd_job_new((uint64_t)i);
    job->xml = malloc(len);
    ck_assert_ptr_nonnull(job->xml);
    memcpy(job->xml, paper, len);
    job->xml_len = len;
    ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  }
  while (got < 3) {
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    ck_assert_int_eq(poll(&pfd, 1, 30000), 1);
    ck_assert_int_eq(read(fds[0], buf, 1), 1);
    job = icxd_pool_take_done(pool);
    ck_assert_ptr_nonnull(job);
    ck_assert_int_eq(job->rc, ICX_OK);
    icxd_job_free(job);
    got++;
  }
  icxd_pool_free(pool);
  pfd.fd = fds[0];
  pfd.events = POLLIN;
  ck_assert_int_eq(poll(&pfd, 1, 0), 0);   /* one byte per job, no more */
  close(fds[0]);
  close(fds[1]);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(paper);
  free(paper_path);
  free(store);
}
END_TEST

/* With want_owners (a request naming a presence or asking for JIDs), a
 * match also gives each cloud's owner (none for the operator's shipped
 * clouds), score and degree, and an explanation also gives the clouds
 * that match. */
START_TEST(job_owners_for_presence)
{
  tu_world w;
  icxd_job *job;
  icx_constraints *set = NULL;
  size_t i;

  tu_world_shipped(&w);
  job = icxd_job_new(1);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "5"), 0);
  job->want_owners = 1;
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_OK);
  icxd_job_run(w.ctx, w.store, set, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_uint_gt(job->n_clouds, 1);
  ck_assert_ptr_nonnull(job->owners);
  ck_assert_ptr_nonnull(job->scores);
  ck_assert_ptr_nonnull(job->degrees);
  for (i = 0; i < job->n_clouds; i++) {
    ck_assert_ptr_null(job->owners[i]);
    ck_assert_int_eq(job->scores[i], 0);
  }
  ck_assert_int_eq(job->beyond_paper, 0);
  icx_constraints_free(set);
  set = NULL;
  icxd_job_free(job);

  /* A soft constraint: the engine's answer has scores, and says so. */
  job = icxd_job_new(3);
  job->xml = strdup("<constraints xmlns='http://www.csp/resOntology'>"
                    "<constraint><attribute>replicationFactor</attribute>"
                    "<value>5</value></constraint>"
                    "<constraint required='false' weight='3'><attribute>"
                    "availability</attribute><value>99.999</value>"
                    "</constraint></constraints>");
  job->xml_len = strlen(job->xml);
  job->want_owners = 1;
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_OK);
  icxd_job_run(w.ctx, w.store, set, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_int_eq(job->beyond_paper, 1);
  ck_assert_int_eq(job->scores[0], 3);
  icx_constraints_free(set);
  set = NULL;
  icxd_job_free(job);

  job = icxd_job_new(2);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "5"), 0);
  ck_assert_int_eq(icxd_job_add_explain(job, "cloud1"), 0);
  job->kind = ICXD_JOB_EXPLAIN;
  job->want_owners = 1;
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_OK);
  icxd_job_run(w.ctx, w.store, set, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<explanation"));
  ck_assert_uint_gt(job->n_clouds, 1);
  ck_assert_ptr_nonnull(job->owners);
  icx_constraints_free(set);
  icxd_job_free(job);
  tu_world_close(&w);
}
END_TEST

/* A job's two steps, run on the calling thread as the fuzz target runs
 * them: the paper's request answers cloud2 and cloud5, by XML and by
 * form pairs; input that does not parse fails in the first step with its
 * code and message on the job. */
START_TEST(job_steps_without_a_pool)
{
  tu_world w;
  icxd_job *job;
  icx_constraints *set = NULL;
  char *paper_path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  size_t len = 0;
  char *paper = tu_read(paper_path, &len);

  ck_assert_ptr_nonnull(paper);
  tu_world_shipped(&w);

  job = icxd_job_new(1);
  ck_assert_ptr_nonnull(job);
  job->xml = paper;
  job->xml_len = len;
  paper = NULL;
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_OK);
  ck_assert_ptr_nonnull(set);
  icxd_job_run(w.ctx, w.store, set, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_uint_eq(job->n_clouds, 2);
  ck_assert_str_eq(job->clouds[0], "cloud2");
  ck_assert_str_eq(job->clouds[1], "cloud5");
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<cloudName>cloud5</cloudName>"));
  icx_constraints_free(set);
  set = NULL;
  icxd_job_free(job);

  job = icxd_job_new(2);
  ck_assert_int_eq(icxd_job_add_pair(job, "availability", "99.999"), 0);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationFactor", "5"), 0);
  ck_assert_int_eq(icxd_job_add_pair(job, "tierCountry", "Japan"), 0);
  ck_assert_int_eq(icxd_job_add_pair(job, "replicationMethod", "AMQP"), 0);
  ck_assert_int_eq(icxd_job_add_pair(job, "storageAccess", "NFS"), 0);
  job->kind = ICXD_JOB_EXPLAIN;
  ck_assert_int_eq(icxd_job_add_explain(job, "cloud1"), 0);
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_OK);
  icxd_job_run(w.ctx, w.store, set, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "<explanation"));
  ck_assert_ptr_nonnull(strstr(job->answer_xml, "cloud1"));
  icx_constraints_free(set);
  set = NULL;
  icxd_job_free(job);

  job = icxd_job_new(3);
  job->xml = strdup("<constraints xmlns='http://www.csp/resOntology'><constraint>");
  job->xml_len = strlen(job->xml);
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_ERR_XML);
  ck_assert_ptr_null(set);
  ck_assert_int_eq(job->rc, ICX_ERR_XML);
  ck_assert_ptr_nonnull(job->errmsg);
  ck_assert_str_ne(job->errmsg, "");
  icxd_job_free(job);

  job = icxd_job_new(4);
  ck_assert_int_eq(icxd_job_add_pair(job, "noSuchAttribute", "1"), 0);
  ck_assert_int_eq(icxd_job_constraints(w.ctx, w.vocab, job, &set), ICX_ERR_CONSTRAINT);
  ck_assert_ptr_null(set);
  ck_assert_ptr_nonnull(strstr(job->errmsg, "noSuchAttribute"));
  icxd_job_free(job);

  tu_world_close(&w);
  free(paper_path);
}
END_TEST

/* A store of n clouds, each offering storage of availability 99.9, as
 * one document (uri) written to path; loaded again with n clouds more
 * when the store exists. */
static void load_many(const char *path, const char *uri, int from, int n)
{
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  icx_store *store = NULL;
  icx_loader *loader;
  icx_buf b;
  char *ttl;
  int i;

  icx_buf_init(&b, NULL);
  icx_buf_append(&b, "@prefix res: <http://www.csp/resOntology#> .\n");
  for (i = from; i < from + n; i++)
    icx_buf_appendf(&b, "<urn:c%d> a res:Cloud ; res:cloudName \"c%05d\" ; res:offers <urn:s%d> .\n"
                    "<urn:s%d> a res:StorageService ; res:availability 99.9 .\n", i, i, i, i);
  ck_assert_ptr_nonnull(ttl = icx_buf_take(&b));
  ck_assert_int_eq(icx_store_open(ctx, path, ICX_STORE_CREATE, &store), ICX_OK);
  loader = icx_loader_new(ctx, vocab, store);
  icx_loader_set_format(loader, ICX_FORMAT_TURTLE);
  ck_assert_int_eq(icx_loader_load_into(loader, uri, uri, (const unsigned char *)ttl,
                                        strlen(ttl)), ICX_OK);
  icx_loader_free(loader);
  icx_store_free(store);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  free(ttl);
}

/* Runs availability >= 99 on pool (looking up owners with id > 100);
 * the finished job. */
static icxd_job *match_many(icxd_pool *pool, uint64_t id)
{
  icxd_job *job = icxd_job_new(id);

  job->want_owners = id > 100;
  ck_assert_int_eq(icxd_job_add_pair(job, "availability", "99"), 0);
  ck_assert_int_eq(icxd_pool_submit(pool, job), 0);
  ck_assert_ptr_nonnull(job = wait_done(pool));
  ck_assert_msg(job->rc == ICX_OK, "%s", job->errmsg ? job->errmsg : "");
  return job;
}

/* A large answer is kept for the pages that follow: the same request
 * again takes it (the same text, not matched again) while the store has
 * not changed; a document written in between is in the next answer; a
 * small answer is never kept; the kept answer outlives the jobs that
 * took it and the table (jobs freed after the pool). */
START_TEST(large_answers_kept_for_the_next_page)
{
  char *path = tu_path(tu_icxd_tmp, "many.db"), err[256];
  icxd_logger log = { ICXD_LOG_ERROR, 0, 0 };
  icxd_pool_opts opts = { path, NULL, &log, 2, 8, 0, 0, NULL, NULL };
  icx_ctx *vctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(vctx);
  icxd_answers_stats st;
  icxd_pool *pool;
  icxd_job *a, *b, *c, *d, *e, *f;

  load_many(path, "urn:doc:one", 0, ICXD_ANSWERS_MIN_CLOUDS + 100);
  ck_assert_ptr_nonnull(pool = icxd_pool_new(&opts, err, sizeof err));
  ck_assert_int_eq(icxd_pool_start(pool, vocab, err, sizeof err), 0);
  /* The first large answer tells the workers to read the store's state;
   * the second is kept; the third takes it. */
  a = match_many(pool, 1);
  ck_assert_uint_eq(a->n_clouds, ICXD_ANSWERS_MIN_CLOUDS + 100);
  icxd_job_free(a);
  a = match_many(pool, 2);
  b = match_many(pool, 3);
  icxd_pool_answers_stats(pool, &st);
  ck_assert_uint_eq(st.kept, 1);
  ck_assert_uint_eq(st.hits, 1);
  ck_assert_ptr_nonnull(b->answer_ref);
  ck_assert_int_eq(a->taken, 0);
  ck_assert_int_eq(b->taken, 1);
  ck_assert_ptr_eq(a->answer_xml, b->answer_xml);        /* shared, not made again */
  ck_assert_ptr_nonnull(b->answer_index);
  ck_assert_uint_eq(b->n_clouds, a->n_clouds);
  ck_assert_str_eq(b->clouds[0], "c00000");
  ck_assert_ptr_ne(b->clouds, a->clouds);                /* arrays of their own, */
  ck_assert_ptr_eq(b->clouds[0], a->clouds[0]);          /* the names lent: */
  ck_assert_ptr_nonnull(a->clouds_ref);                  /* a's moved in */
  ck_assert_ptr_nonnull(b->clouds_ref);
  /* A document committed before the next request: not the kept answer. */
  load_many(path, "urn:doc:two", 1000, 3);
  c = match_many(pool, 4);
  ck_assert_uint_eq(c->n_clouds, ICXD_ANSWERS_MIN_CLOUDS + 103);
  ck_assert_ptr_ne(c->answer_xml, a->answer_xml);
  ck_assert_ptr_nonnull(strstr(c->answer_xml, "<cloudName>c01002</cloudName>"));
  d = match_many(pool, 5);
  ck_assert_ptr_eq(d->answer_xml, c->answer_xml);
  ck_assert_ptr_nonnull(strstr(d->answer_xml, "<cloudName>c01002</cloudName>"));
  icxd_pool_answers_stats(pool, &st);
  ck_assert_uint_eq(st.hits, 2);
  ck_assert_uint_eq(st.kept, 2);
  /* With owners (presence): kept apart; each job gets arrays of its own,
   * which the loop may reorder and cut, over the names and owners lent. */
  e = match_many(pool, 101);
  f = match_many(pool, 102);
  ck_assert_ptr_eq(e->answer_xml, f->answer_xml);
  ck_assert_ptr_nonnull(e->clouds_ref);
  ck_assert_ptr_nonnull(f->clouds_ref);
  ck_assert_ptr_ne(f->clouds, e->clouds);
  ck_assert_ptr_eq(f->clouds[1], e->clouds[1]);
  ck_assert_ptr_nonnull(f->owners);
  ck_assert_ptr_ne(f->owners, e->owners);
  ck_assert_ptr_ne(f->scores, e->scores);
  ck_assert_uint_eq(f->n_clouds, e->n_clouds);
  ck_assert_int_eq(f->scores[0], e->scores[0]);
  /* What the loop does to one job's arrays, the other does not see. */
  e->clouds[0] = e->clouds[1];
  e->n_clouds = 1;
  icxd_job_free(e);
  ck_assert_str_eq(f->clouds[0], "c00000");
  ck_assert_str_eq(f->clouds[1], "c00001");
  icxd_job_free(f);
  /* No room (answers_kept_mb = 0): every kept answer goes, none is kept
   * or taken, and the jobs that hold one keep it. */
  icxd_pool_set_answers_max(pool, 0);
  icxd_pool_answers_stats(pool, &st);
  ck_assert_uint_eq(st.kept, 0);
  ck_assert_uint_eq(st.bytes, 0);
  e = match_many(pool, 6);
  f = match_many(pool, 7);
  ck_assert_ptr_null(e->answer_ref);
  ck_assert_ptr_null(f->answer_ref);
  ck_assert_int_eq(f->taken, 0);
  ck_assert_uint_eq(f->n_clouds, ICXD_ANSWERS_MIN_CLOUDS + 103);
  icxd_pool_answers_stats(pool, &st);
  ck_assert_uint_eq(st.kept, 0);
  icxd_job_free(e);
  icxd_job_free(f);
  icxd_job_set_answer(b, strdup("<matchingClouds xmlns='http://www.csp/resOntology'/>"));
  ck_assert_ptr_null(b->answer_ref);
  icxd_job_free(b);
  icxd_job_free(c);
  icxd_pool_free(pool);
  /* The table is gone; these still hold what they took. */
  ck_assert_ptr_nonnull(strstr(a->answer_xml, "<cloudName>c00599</cloudName>"));
  ck_assert_ptr_nonnull(strstr(d->answer_xml, "<cloudName>c00599</cloudName>"));
  icxd_job_free(a);
  icxd_job_free(d);
  icx_vocab_free(vocab);
  icx_ctx_free(vctx);
  free(path);
}
END_TEST

static Suite *icxd_worker_suite(void)
{
  Suite *s = suite_create("icxd_worker");
  TCase *tc = tcase_create("pool");

  tcase_add_checked_fixture(tc, tu_icxd_tmp_setup, tu_icxd_tmp_teardown);
  tcase_add_test(tc, pool_matches_the_paper);
  tcase_add_test(tc, job_owners_for_presence);
  tcase_add_test(tc, pool_time_limit);
  tcase_add_test(tc, missing_store_keeps_its_path);
  tcase_add_test(tc, pool_keeps_every_worker);
  tcase_add_test(tc, pool_wakes_the_loop);
  tcase_add_test(tc, job_steps_without_a_pool);
  tcase_add_test(tc, large_answers_kept_for_the_next_page);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_worker_suite());
}

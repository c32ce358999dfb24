/* icxd_writer.c - the writer thread that applies publishes and
 * withdrawals, one at a time, on a store connection of its own. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icxd_publish.h"
#include "icxd_writer.h"

struct icxd_writer {
  icxd_writer_opts opts;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  icxd_job_queue todo, done;
  int busy;                 /* a job is being written */
  int stopping;
  int started;
  pthread_t thread;
  icx_ctx *ctx;             /* the writer thread's */
  const icx_vocab *running; /* the vocabulary of the write in progress */
  int64_t refresh_at;       /* when to bring the saved index up to date
                               (icxd_now_ms(); 0: nothing written since) */
  int64_t refresh_quiet;    /* no refresh before this (one failed) */
};

/* After a refresh that saved nothing (a folder the writer may not write
 * to, a store the index cannot hold), the next waits this long: each try
 * may read the whole index from the store. */
#define WRITER_REFRESH_RETRY_MS (10 * 60 * 1000)

/* --- one job ------------------------------------------------------------- */

static void writer_fail(icxd_job *job, icx_rc rc, const char *msg)
{
  job->rc = rc;
  free(job->errmsg);
  job->errmsg = strdup(msg && *msg ? msg : icx_strerror(rc));
}

static void writer_forbid(icxd_job *job, const char *why)
{
  job->forbidden = 1;
  writer_fail(job, ICX_ERR_INVALID, why);
}

#define WRITER_NOT_YOURS \
  "this document is not yours: only the JID that published it, or an " \
  "administrator of the exchange, may replace or withdraw it"
#define WRITER_OPERATORS \
  "this document was loaded by the exchange's operator: it cannot be " \
  "replaced or withdrawn over XMPP"

/* Checks that job's sender may replace or withdraw job->doc_uri.  1 when
 * it may (*exists set when the document is there), else 0 with the job
 * failed or refused.  A sender that is no administrator is told
 * "not yours" whether or not such a document exists, so that nothing is
 * learnt of other accounts' documents. */
static int writer_may_write(icx_ctx *ctx, icx_store *store, icxd_job *job,
                            int *exists)
{
  char *owner = NULL;
  icx_rc rc = icx_store_document_owner(store, job->doc_uri, &owner);
  int mine;

  *exists = 0;
  if (rc == ICX_ERR_NOT_FOUND) {
    /* Nothing there: a publish may create it under its owner's name; a
     * withdrawal by IRI learns that nothing is there only when the IRI is
     * the sender's own (or the sender is an administrator). */
    char *mine_prefix;
    if (job->doc_owner || job->actor_admin)
      return 1;
    mine_prefix = icxd_publish_doc_uri(job->actor, "");
    mine = mine_prefix &&
           strncmp(job->doc_uri, mine_prefix, strlen(mine_prefix)) == 0;
    free(mine_prefix);
    if (mine)
      return 1;
    writer_forbid(job, WRITER_NOT_YOURS);
    return 0;
  }
  if (rc != ICX_OK) {
    writer_fail(job, rc, icx_ctx_errmsg(ctx));
    return 0;
  }
  *exists = 1;
  if (!owner) {
    writer_forbid(job, WRITER_OPERATORS);
    return 0;
  }
  mine = strcmp(owner, job->actor) == 0 &&
         (!job->doc_owner || strcmp(owner, job->doc_owner) == 0);
  if (!mine && !(job->actor_admin &&
                 (!job->doc_owner || strcmp(owner, job->doc_owner) == 0))) {
    free(owner);
    writer_forbid(job, WRITER_NOT_YOURS);
    return 0;
  }
  if (!job->doc_owner)
    job->doc_owner = owner;
  else
    free(owner);
  return 1;
}

/* The answer of a stored or withdrawn document, from its info. */
static void writer_answer(icxd_job *job, const char *element,
                          const icx_doc_info *d)
{
  job->answer_xml = icxd_publish_answer(element, d->uri, job->doc_name,
                                        d->owner, d->format, d->triples,
                                        d->clouds, d->n_clouds);
  if (!job->answer_xml)
    writer_fail(job, ICX_ERR_NOMEM, NULL);
  else
    job->rc = ICX_OK;
}

/* A loader failure, told as a place in the sender's document. */
static void writer_load_failed(icx_ctx *ctx, icxd_job *job, icx_rc rc,
                               const char *source)
{
  const char *what = icxd_publish_locate(icx_ctx_errmsg(ctx), source,
                                         &job->err_line, &job->err_column);
  char *redacted = icxd_publish_redact(what, job->doc_owner);
  char msg[1400];

  if (!redacted) {
    writer_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  if (job->err_line > 0 && job->err_column > 0)
    snprintf(msg, sizeof msg, "document '%s', line %ld, column %ld: %s",
             job->doc_name, job->err_line, job->err_column, redacted);
  else if (job->err_line > 0)
    snprintf(msg, sizeof msg, "document '%s', line %ld: %s", job->doc_name,
             job->err_line, redacted);
  else
    snprintf(msg, sizeof msg, "document '%s': %s", job->doc_name, redacted);
  free(redacted);
  writer_fail(job, rc, msg);
}

static void writer_publish(icx_ctx *ctx, icx_store *store,
                           const icx_vocab *vocab, icxd_subs *subs,
                           icxd_job *job)
{
  icx_loader *l = NULL;
  icx_doc_info *d = NULL, *before = NULL;
  char source[600];
  int exists;
  icx_rc rc;

  if (!writer_may_write(ctx, store, job, &exists))
    return;
  /* The clouds it described before: a subscription may lose them. */
  if (subs && exists &&
      icx_store_get_document(store, vocab, job->doc_uri, &before) != ICX_OK)
    before = NULL;
  snprintf(source, sizeof source, "xmpp:%s", job->actor);
  l = icx_loader_new(ctx, vocab, store);
  if (!l || icx_loader_set_owner(l, job->doc_owner) != ICX_OK) {
    icx_loader_free(l);
    icx_doc_info_free_array(before, before ? 1 : 0);
    writer_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  icx_loader_set_format(l, (icx_format)job->doc_format);
  rc = icx_loader_load_into(l, job->doc_uri, source,
                            (const unsigned char *)job->xml, job->xml_len);
  icx_loader_free(l);
  if (rc != ICX_OK) {
    icx_doc_info_free_array(before, before ? 1 : 0);
    writer_load_failed(ctx, job, rc, source);
    return;
  }
  rc = icx_store_get_document(store, vocab, job->doc_uri, &d);
  if (rc != ICX_OK) {
    icx_doc_info_free_array(before, before ? 1 : 0);
    writer_fail(job, rc, icx_ctx_errmsg(ctx));
    return;
  }
  writer_answer(job, "published", d);
  if (subs)
    icxd_subs_changed(subs, ctx, store, vocab, job->doc_uri,
                      before ? before->clouds : NULL,
                      before ? before->n_clouds : 0, d->clouds, d->n_clouds);
  icx_doc_info_free_array(before, before ? 1 : 0);
  icx_doc_info_free_array(d, 1);
}

static void writer_withdraw(icx_ctx *ctx, icx_store *store,
                            const icx_vocab *vocab, icxd_subs *subs,
                            icxd_job *job)
{
  icx_doc_info *d = NULL;
  int exists;
  icx_rc rc;

  if (!writer_may_write(ctx, store, job, &exists))
    return;
  if (!exists) {
    writer_fail(job, ICX_ERR_NOT_FOUND,
                job->doc_name ? "no document of that name is published"
                              : "no document of that IRI is published");
    return;
  }
  rc = icx_store_get_document(store, vocab, job->doc_uri, &d);
  if (rc == ICX_OK)
    rc = icx_store_remove_document(store, job->doc_uri);
  if (rc != ICX_OK) {
    writer_fail(job, rc, icx_ctx_errmsg(ctx));
  } else {
    free(d->format);
    d->format = NULL;   /* not said of a withdrawal */
    writer_answer(job, "withdrawn", d);
    if (subs)
      icxd_subs_changed(subs, ctx, store, vocab, job->doc_uri, d->clouds,
                        d->n_clouds, NULL, 0);
  }
  icx_doc_info_free_array(d, d ? 1 : 0);
}

void icxd_writer_run_subs(icx_ctx *ctx, icx_store *store,
                          const icx_vocab *vocab, icxd_subs *subs,
                          icxd_job *job)
{
  if (job->kind == ICXD_JOB_PUBLISH)
    writer_publish(ctx, store, vocab, subs, job);
  else if (job->kind == ICXD_JOB_WITHDRAW)
    writer_withdraw(ctx, store, vocab, subs, job);
  else
    writer_fail(job, ICX_ERR_MISUSE, "not a write");
}

void icxd_writer_run(icx_ctx *ctx, icx_store *store, const icx_vocab *vocab,
                     icxd_job *job)
{
  icxd_writer_run_subs(ctx, store, vocab, NULL, job);
}

/* --- the thread ----------------------------------------------------------- */

/* One write on a store connection opened for it and closed after it.
 * Holding none between writes keeps three things true: the file written
 * is the one at the store's path now (a store renamed over the old one is
 * written, not the old inode); closing empties the WAL (icx_storage.c), so
 * no WAL of an old file waits for the queries' connections to meet it
 * after such a rename; and an icxd that nobody may publish to never opens
 * the store for writing at all (it may run under an account that only
 * reads, doc/icxd.8).  A publish is rare next to a query: the open costs
 * a few milliseconds per write. */
static void writer_job(icxd_writer *w, const icx_vocab *vocab, icxd_job *job)
{
  icx_store *store = NULL;
  icx_rc rc;

  if (job->kind != ICXD_JOB_PUBLISH && job->kind != ICXD_JOB_WITHDRAW) {
    if (w->opts.subs)
      icxd_subs_run(w->opts.subs, w->ctx, vocab, job);
    else
      writer_fail(job, ICX_ERR_MISUSE, "standing requests are off");
    return;
  }
  icxd_subs_check_replaced(w->opts.subs);
  rc = icx_store_open(w->ctx, w->opts.store_path, ICX_STORE_CREATE, &store);
  if (rc != ICX_OK) {
    writer_fail(job, rc, icx_ctx_errmsg(w->ctx));
    icxd_log(w->opts.log, ICXD_LOG_ERROR, "writer", "cannot open store %s: %s",
             w->opts.store_path, job->errmsg ? job->errmsg : "");
    return;
  }
  icxd_writer_run_subs(w->ctx, store, vocab, w->opts.subs, job);
  icx_store_free(store);
}

/* Brings the index saved beside the store up to the store's state, on a
 * read-only handle of its own; the next refresh waits when none was
 * saved. */
static void writer_refresh(icxd_writer *w, const icx_vocab *vocab)
{
  icx_store *store = NULL;
  int64_t t0 = icxd_now_ms();
  int saved = 0;
  icx_rc rc;

  rc = icx_store_open(w->ctx, w->opts.store_path, ICX_STORE_READONLY, &store);
  if (rc == ICX_OK)
    rc = icx_match_keep_index(w->ctx, vocab, store, &saved);
  icx_store_free(store);
  if (rc != ICX_OK)
    icxd_log(w->opts.log, ICXD_LOG_WARN, "writer", "the matching index saved beside "
             "the store was not brought up to date: %s", icx_ctx_errmsg(w->ctx));
  else if (saved)
    icxd_log(w->opts.log, ICXD_LOG_INFO, "writer", "matching index saved beside the "
             "store in %lld ms", (long long)(icxd_now_ms() - t0));
  else
    icxd_log(w->opts.log, ICXD_LOG_INFO, "writer", "the matching index was not saved "
             "beside the store (see the debug log); next try in %d s",
             WRITER_REFRESH_RETRY_MS / 1000);
  if (rc != ICX_OK || !saved)
    w->refresh_quiet = icxd_now_ms() + WRITER_REFRESH_RETRY_MS;
}

/* Waits, with w->lock held, for a job, a stop, or a refresh that is due;
 * 1 when a refresh is due (before any job: a stream of writes still gets
 * one refresh per interval). */
static int writer_wait(icxd_writer *w)
{
  for (;;) {
    int64_t now = icxd_now_ms(), at = w->refresh_at;
    struct timespec ts;
    if (w->stopping)
      return 0;
    if (at && at < w->refresh_quiet)
      at = w->refresh_quiet;
    if (at && now >= at)
      return 1;
    if (w->todo.len)
      return 0;
    if (!at) {
      pthread_cond_wait(&w->wake, &w->lock);
      continue;
    }
    ts = icxd_deadline(CLOCK_MONOTONIC, at - now);
    pthread_cond_timedwait(&w->wake, &w->lock, &ts);
  }
}

/* writer_refresh() called with w->lock held, released meanwhile. */
static void writer_refresh_locked(icxd_writer *w)
{
  const icx_vocab *vocab;

  w->refresh_at = 0;
  vocab = w->running = w->opts.vocab;   /* a reload may swap it */
  pthread_mutex_unlock(&w->lock);
  writer_refresh(w, vocab);
  pthread_mutex_lock(&w->lock);
  w->running = NULL;
}

static void *writer_main(void *arg)
{
  icxd_writer *w = arg;
  icxd_job *job;
  const icx_vocab *vocab;

  pthread_mutex_lock(&w->lock);
  for (;;) {
    if (writer_wait(w)) {
      writer_refresh_locked(w);
      continue;
    }
    if (w->stopping) {
      /* Writes since the last refresh: the saved index brought up to
       * date now, so that the next start reads it as it is rather than
       * applying them (or reading the store whole) on its first request
       * (at 1M clouds some 0.3 s here, against 2.6 s there when the
       * file was too far behind). */
      if (w->refresh_at && icxd_now_ms() >= w->refresh_quiet)
        writer_refresh_locked(w);
      break;
    }
    job = icxd_job_queue_pop(&w->todo);
    job->state = ICXD_JOB_RUNNING;
    job->started_ms = icxd_now_ms();
    w->busy = 1;
    vocab = w->running = w->opts.vocab;   /* a reload may swap it */
    pthread_mutex_unlock(&w->lock);

    writer_job(w, vocab, job);

    pthread_mutex_lock(&w->lock);
    w->busy = 0;
    w->running = NULL;
    if (w->opts.index_refresh_ms && !w->refresh_at && job->rc == ICX_OK &&
        (job->kind == ICXD_JOB_PUBLISH || job->kind == ICXD_JOB_WITHDRAW))
      w->refresh_at = icxd_now_ms() + w->opts.index_refresh_ms;
    job->state = ICXD_JOB_DONE;
    job->finished_ms = icxd_now_ms();
    if (icxd_job_queue_push(&w->done, job) != 0) {
      icxd_log(w->opts.log, ICXD_LOG_ERROR, "writer",
               "out of memory posting job %llu", (unsigned long long)job->id);
      icxd_job_free(job);
    } else if (w->opts.on_done) {
      w->opts.on_done(w->opts.on_done_ud);
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

icxd_writer *icxd_writer_new(const icxd_writer_opts *opts, char *err,
                             size_t errlen)
{
  icxd_writer *w = calloc(1, sizeof *w);
  pthread_condattr_t ca;
  int rc;

  if (!w) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  w->opts = *opts;
  pthread_mutex_init(&w->lock, NULL);
  /* Timed waits (the index's refresh) on the clock icxd_now_ms() reads. */
  rc = pthread_condattr_init(&ca);
  if (rc == 0) {
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
      rc = pthread_cond_init(&w->wake, &ca);
    pthread_condattr_destroy(&ca);
  }
  if (rc != 0) {
    snprintf(err, errlen, "cannot set up the writer's wake-up: %s", strerror(rc));
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  w->ctx = icx_ctx_new();
  if (!w->ctx) {
    snprintf(err, errlen, "cannot create an engine context for the writer");
    icxd_writer_free(w);
    return NULL;
  }
  icx_ctx_set_logger(w->ctx, icxd_logger_icx_sink, opts->log);
  icx_ctx_set_log_level(w->ctx, (icx_log_level)opts->log->level);
  rc = pthread_create(&w->thread, NULL, writer_main, w);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
    icxd_writer_free(w);
    return NULL;
  }
  w->started = 1;
  return w;
}

void icxd_writer_free(icxd_writer *w)
{
  icxd_job *job;

  if (!w)
    return;
  pthread_mutex_lock(&w->lock);
  w->stopping = 1;
  pthread_cond_broadcast(&w->wake);
  pthread_mutex_unlock(&w->lock);
  if (w->started)
    pthread_join(w->thread, NULL);
  while ((job = icxd_job_queue_pop(&w->todo)))
    icxd_job_free(job);
  while ((job = icxd_job_queue_pop(&w->done)))
    icxd_job_free(job);
  if (w->opts.subs)
    icxd_subs_release(w->opts.subs);   /* what it holds of w->ctx */
  icx_ctx_free(w->ctx);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

const icx_vocab *icxd_writer_set_vocab(icxd_writer *w, const icx_vocab *vocab)
{
  return icxd_vocab_swap(&w->lock, &w->opts.vocab, vocab);
}

int icxd_writer_vocab_in_use(icxd_writer *w, const icx_vocab *vocab)
{
  int used;

  pthread_mutex_lock(&w->lock);
  used = w->running == vocab;
  pthread_mutex_unlock(&w->lock);
  return used;
}

void icxd_writer_set_max_queue(icxd_writer *w, unsigned max_queue)
{
  pthread_mutex_lock(&w->lock);
  w->opts.max_queue = max_queue;
  pthread_mutex_unlock(&w->lock);
}

int icxd_writer_submit(icxd_writer *w, icxd_job *job)
{
  int rc = -1;

  pthread_mutex_lock(&w->lock);
  if (w->todo.len < w->opts.max_queue) {
    job->state = ICXD_JOB_QUEUED;
    job->queued_ms = icxd_now_ms();
    if (icxd_job_queue_push(&w->todo, job) == 0) {
      pthread_cond_signal(&w->wake);
      rc = 0;
    }
  }
  pthread_mutex_unlock(&w->lock);
  return rc;
}

icxd_job *icxd_writer_take_done(icxd_writer *w)
{
  icxd_job *job;

  pthread_mutex_lock(&w->lock);
  job = icxd_job_queue_pop(&w->done);
  pthread_mutex_unlock(&w->lock);
  return job;
}

size_t icxd_writer_in_flight(icxd_writer *w)
{
  size_t n;

  pthread_mutex_lock(&w->lock);
  n = w->todo.len + (size_t)w->busy + w->done.len;
  pthread_mutex_unlock(&w->lock);
  return n;
}

void icxd_writer_job_progress(icxd_writer *w, const icxd_job *job,
                              icxd_job_state *state, int64_t *running_ms,
                              size_t *ahead)
{
  pthread_mutex_lock(&w->lock);
  icxd_job_progress(job, &w->todo, state, running_ms, ahead);
  pthread_mutex_unlock(&w->lock);
}

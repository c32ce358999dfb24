/* icxd_worker.c - the worker threads that run matches and explanations. */
/* They run off the XMPP loop, each with its own icx_ctx and read-only
 * store. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icxd_worker.h"
#include "icxd_worker_internal.h"

/* A FIFO of jobs, linked through a side array so icxd_job stays plain. */
/* What one worker thread owns. */
typedef struct worker {
  icxd_pool *pool;
  pthread_t thread;
  icx_ctx *ctx;
  icx_store *store;     /* opened on first use if it was missing */
  const icx_vocab *vocab; /* the vocabulary of the running job (lock) */
} worker;

struct icxd_pool {
  icxd_pool_opts opts;
  pthread_mutex_t lock;
  /* Serializes engine set-up (contexts, store opening): Redland loads its
   * storage modules and factories without locks, and two threads doing it
   * at once lose a factory ("storage 'sqlite' not found"). */
  pthread_mutex_t setup_lock;
  pthread_cond_t wake;
  /* The store's file replaced (renamed over, or removed): every worker's
   * handle is closed, while no job runs, before any opens the new file.
   * SQLite names a store's -wal and -shm after its path, so a handle
   * opened on the new file while one on the old is still open would read
   * the old file's WAL as the new one's (worker_store_enter()). */
  pthread_cond_t store_idle;
  unsigned store_users;   /* jobs between worker_store_enter() and _leave() */
  int reopening;
  icxd_job_queue todo;
  icxd_job_queue done;
  size_t running;
  int stopping;
  int index_saving;       /* a worker saves the index it read (one, not each) */
  icxd_answers *answers;  /* large answers kept for their next pages */
  int answers_wanted;     /* a match gave a large answer: workers read the
                             store's state before matching (atomic) */
  worker *workers;
  unsigned n_workers;   /* set up (context made) */
  unsigned n_threads;   /* running */
};

int64_t icxd_now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timespec icxd_deadline(clockid_t clock, int64_t wait_ms)
{
  struct timespec ts;

  clock_gettime(clock, &ts);
  ts.tv_sec += (time_t)(wait_ms / 1000);
  ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

static char *worker_strdup(const char *s)
{
  return s ? strdup(s) : NULL;
}

/* Records a failure on job: rc and a copy of the detailed message. */
static void worker_job_fail(icxd_job *job, icx_rc rc, const char *msg)
{
  job->rc = rc;
  free(job->errmsg);
  job->errmsg = strdup(msg && *msg ? msg : icx_strerror(rc));
}

/* Matches set on store: the cloud names and the <matchingClouds> answer. */
/* A copy, made with the C library's allocator (a job's strings are all
 * free()d), of s made by the engine on ctx; s is freed.  NULL for NULL or
 * on ENOMEM. */
static char *worker_adopt(icx_ctx *ctx, char *s)
{
  char *copy = worker_strdup(s);

  icx_free(ctx, s);
  return copy;
}

/* The owner, score and degree of each of the n clouds of m, for the
 * loop to apply presence to (with want_owners).  ICX_OK, or a failure. */
static icx_rc worker_owners(icx_store *store,
                            const icx_constraints *set, const icx_match *m,
                            icxd_job *job)
{
  size_t i, n = icx_match_count(m);
  char *owner;
  icx_rc rc;

  job->owners = calloc(n ? n : 1, sizeof *job->owners);
  job->scores = calloc(n ? n : 1, sizeof *job->scores);
  job->degrees = calloc(n ? n : 1, sizeof *job->degrees);
  if (!job->owners || !job->scores || !job->degrees)
    return ICX_ERR_NOMEM;
  for (i = 0; i < n; i++) {
    rc = icx_store_cloud_owner(store, icx_constraints_vocab(set),
                               icx_match_cloud(m, i), &owner);
    if (rc != ICX_OK)
      return rc;
    job->owners[i] = owner;
    job->scores[i] = icx_match_score(m, i);
    job->degrees[i] = (int)icx_match_degree(m, i);
  }
  return ICX_OK;
}

/* 1 if the engine's answer goes beyond the paper's: its <cloudName>
 * elements carry score= and degree= (icx_match_to_xml() writes score
 * first, on every cloud or none; a name's text cannot hold '<').  The
 * first cloud tells: a search through a paper answer of 280,000 clouds
 * read all of its 10 MB. */
static int worker_beyond_paper(const char *xml)
{
  const char *first = xml ? strstr(xml, "<cloudName") : NULL;

  return first && strncmp(first, "<cloudName score=", 17) == 0;
}

static void worker_run_match(icx_ctx *ctx, icx_store *store,
                             const icx_constraints *set, icxd_job *job)
{
  icx_match *m = NULL;
  icx_rc rc;
  size_t i, n;

  rc = icx_match_run(ctx, store, set, &m);
  if (rc != ICX_OK) {
    worker_job_fail(job, rc, icx_ctx_errmsg(ctx));
    return;
  }
  n = icx_match_count(m);
  job->clouds = calloc(n ? n : 1, sizeof *job->clouds);
  if (job->kind == ICXD_JOB_MATCH)
    icxd_job_set_answer(job, worker_adopt(ctx, icx_match_to_xml(m, 0)));
  job->beyond_paper = worker_beyond_paper(job->answer_xml);
  if (!job->clouds || (job->kind == ICXD_JOB_MATCH && !job->answer_xml)) {
    worker_job_fail(job, ICX_ERR_NOMEM, NULL);
    goto cleanup;
  }
  for (i = 0; i < n; i++) {
    job->clouds[i] = worker_strdup(icx_match_cloud(m, i));
    if (!job->clouds[i]) {
      worker_job_fail(job, ICX_ERR_NOMEM, NULL);
      goto cleanup;
    }
    job->n_clouds++;
  }
  /* After the names: the job frees as many owners as it has clouds. */
  if (job->want_owners &&
      (rc = worker_owners(store, set, m, job)) != ICX_OK) {
    worker_job_fail(job, rc, rc == ICX_ERR_NOMEM ? NULL : icx_ctx_errmsg(ctx));
    goto cleanup;
  }
  job->rc = ICX_OK;
cleanup:
  icx_match_free(m);
}

/* Explains set on store for the job's clouds: the <explanation> answer.
 * (icx_explain_run refuses a request the compiler refuses whole before it
 * runs any query, with the whole request's count.) */
static void worker_run_explain(icx_ctx *ctx, icx_store *store,
                               const icx_constraints *set, icxd_job *job)
{
  icx_explain *e = NULL;
  icx_rc rc;
  int cut = 0;

  rc = icx_explain_run(ctx, store, set, (const char *const *)job->explain,
                       job->n_explain, &e);
  if (rc != ICX_OK) {
    worker_job_fail(job, rc, icx_ctx_errmsg(ctx));
    return;
  }
  /* An explanation grows with the clouds named times the constraints,
   * and with the relaxations: bounded, so that the answer stays under
   * the servers' stanza size limits on its way. */
  job->answer_xml = worker_adopt(ctx, job->explain_max_bytes
                                          ? icx_explain_to_xml_within(e, job->explain_max_bytes, &cut)
                                          : icx_explain_to_xml(e, 0));
  /* The engine searches removals only in small requests: say so rather
   * than let an explanation without <relaxation> look like "none"; and
   * say so when the explanation was cut. */
  if (job->answer_xml && (cut || icx_explain_relaxations_skipped(e))) {
    char note[400];
    snprintf(note, sizeof note, "%s%s%s",
             icx_explain_relaxations_skipped(e)
               ? "nothing matches; constraints to drop are searched only in requests of at "
                 "most " ICXD_STR(ICX_EXPLAIN_MAX_CONSTRAINTS) " constraints" : "",
             cut && icx_explain_relaxations_skipped(e) ? "; " : "",
             cut ? "the explanation was cut to stay under the exchange's explain_max_bytes: "
                   "the clouds with failures= come without their sentences, and relaxations "
                   "past it are left out; name fewer clouds, or ask fewer constraints, to see "
                   "them" : "");
    if (!(job->info = strdup(note))) {
      free(job->answer_xml);
      job->answer_xml = NULL; /* out of memory: fail the job rather than drop the note */
    }
  }
  icx_explain_free(e);
  if (!job->answer_xml)
    worker_job_fail(job, ICX_ERR_NOMEM, NULL);
  else
    job->rc = ICX_OK;
}

icx_rc icxd_job_constraints(icx_ctx *ctx, const icx_vocab *vocab,
                            icxd_job *job, icx_constraints **out)
{
  icx_constraints *set = NULL;
  icx_rc rc = ICX_OK;
  size_t i;

  *out = NULL;
  if (job->xml) {
    rc = icx_constraints_parse(ctx, vocab, job->xml, job->xml_len, &set);
    if (rc != ICX_OK) {
      worker_job_fail(job, rc, icx_ctx_errmsg(ctx));
      return rc;
    }
  } else {
    set = icx_constraints_new(vocab);
    if (!set) {
      worker_job_fail(job, ICX_ERR_NOMEM, NULL);
      return ICX_ERR_NOMEM;
    }
    for (i = 0; i < job->n_pairs; i++) {
      rc = icx_constraints_add(ctx, set, job->names[i], job->values[i]);
      if (rc != ICX_OK) {
        worker_job_fail(job, rc, icx_ctx_errmsg(ctx));
        icx_constraints_free(set);
        return rc;
      }
    }
  }
  *out = set;
  return ICX_OK;
}

void icxd_job_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                  icxd_job *job)
{
  if (job->kind == ICXD_JOB_EXPLAIN) {
    worker_run_explain(ctx, store, set, job);
    /* The clouds that match, with their owners, so that the loop can say
     * which fail on presence alone. */
    if (job->rc == ICX_OK && job->want_owners)
      worker_run_match(ctx, store, set, job);
  } else {
    worker_run_match(ctx, store, set, job);
  }
}

/* Runs one job with the worker's own context and store.  *store is opened
 * on first use (the store may appear after icxd starts, or have been
 * replaced: worker_store_enter()) and kept.  A kept handle sees every
 * commit made to its file before the job's read transaction starts. */
static void worker_run_job(icxd_pool *pool, icx_ctx *ctx, icx_store **store,
                           const icx_vocab *vocab, unsigned delay_ms,
                           icxd_job *job)
{
  icx_constraints *set = NULL;
  icx_rc rc;

  if (delay_ms) {
    struct timespec ts = { delay_ms / 1000,
                           (long)(delay_ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
      ;
  }
  if (icxd_job_constraints(ctx, vocab, job, &set) != ICX_OK)
    return;
  if (!*store) {
    pthread_mutex_lock(&pool->setup_lock);
    rc = icx_store_open(ctx, pool->opts.store_path, ICX_STORE_READONLY, store);
    pthread_mutex_unlock(&pool->setup_lock);
    if (rc != ICX_OK) {
      /* The path and the reason are for the operator's log; the
       * requester learns only that there is nothing to match yet. */
      *store = NULL;
      icxd_log(pool->opts.log, ICXD_LOG_ERROR, "worker",
               "cannot open store %s: %s", pool->opts.store_path, icx_ctx_errmsg(ctx));
      worker_job_fail(job, rc, rc == ICX_ERR_NOT_FOUND
                      ? "the exchange holds no capability data yet"
                      : "the exchange cannot read its capability data now");
      goto cleanup;
    }
  }
  if (job->kind == ICXD_JOB_MATCH && pool->answers)
    icxd_answers_match(pool->answers, &pool->answers_wanted, ctx, *store, set, job);
  else
    icxd_job_run(ctx, *store, set, job);
cleanup:
  icx_constraints_free(set);
}

/* Called by a worker before it runs a job, with pool->lock held: if the
 * file at the store's path is no longer the one w opened, waits until no
 * job runs and closes every worker's handle (each opens the new file when
 * its next job starts: worker_run_job()).  Then counts w as a user of the
 * store until worker_store_leave(). */
static void worker_store_enter(icxd_pool *pool, worker *w)
{
  unsigned i;

  while (pool->reopening)
    pthread_cond_wait(&pool->store_idle, &pool->lock);
  if (w->store && icx_store_replaced(w->store)) {
    pool->reopening = 1;
    while (pool->store_users > 0)
      pthread_cond_wait(&pool->store_idle, &pool->lock);
    for (i = 0; i < pool->n_workers; i++) {
      icx_store_free(pool->workers[i].store);
      pool->workers[i].store = NULL;
    }
    icxd_log(pool->opts.log, ICXD_LOG_INFO, "worker",
             "store %s was replaced: reopening it", pool->opts.store_path);
    pool->reopening = 0;
    pthread_cond_broadcast(&pool->store_idle);
  }
  pool->store_users++;
}

/* The end of worker_store_enter()'s section, with pool->lock held. */
static void worker_store_leave(icxd_pool *pool)
{
  if (--pool->store_users == 0)
    pthread_cond_broadcast(&pool->store_idle);
}

/* Before w takes its first job: reads into its store handle's index what
 * requests read on first use (icx_match_warm()), so that the first
 * request after a start costs what the others do.  Inside the store's
 * user section, as a job, since a replaced store closes every handle. */
static void worker_warm(icxd_pool *pool, worker *w)
{
  const icx_vocab *vocab;
  int64_t t0;
  int save = 0, saved = 0;
  icx_rc rc;

  pthread_mutex_lock(&pool->lock);
  worker_store_enter(pool, w);
  vocab = w->vocab = pool->opts.vocab;
  pthread_mutex_unlock(&pool->lock);
  if (w->store && vocab && !pool->stopping) {
    t0 = icxd_now_ms();
    rc = icx_match_warm(w->ctx, vocab, w->store);
    if (rc == ICX_OK) {
      icxd_log(pool->opts.log, ICXD_LOG_INFO, "worker",
               "matching index read in %lld ms", (long long)(icxd_now_ms() - t0));
      /* Saved beside the store by the first worker that read the store
       * for it (a second or so at a million clouds), so that the next
       * start reads the file instead. */
      pthread_mutex_lock(&pool->lock);
      save = !pool->index_saving;
      pool->index_saving = 1;
      pthread_mutex_unlock(&pool->lock);
      t0 = icxd_now_ms();
      if (save && icx_match_save_index(w->ctx, w->store, 1.0, &saved) == ICX_OK && saved)
        icxd_log(pool->opts.log, ICXD_LOG_INFO, "worker", "matching index saved beside the "
                 "store in %lld ms", (long long)(icxd_now_ms() - t0));
    } else
      icxd_log(pool->opts.log, ICXD_LOG_WARN, "worker",
               "could not read the matching index ahead (%s): the first "
               "requests will", icx_ctx_errmsg(w->ctx));
  }
  pthread_mutex_lock(&pool->lock);
  worker_store_leave(pool);
  w->vocab = NULL;
  pthread_mutex_unlock(&pool->lock);
}

static void *worker_main(void *arg)
{
  worker *w = arg;
  icxd_pool *pool = w->pool;
  icxd_job *job;
  const icx_vocab *vocab;
  unsigned delay_ms, time_limit_ms;

  worker_warm(pool, w);
  pthread_mutex_lock(&pool->lock);
  for (;;) {
    while (!pool->stopping && pool->todo.len == 0)
      pthread_cond_wait(&pool->wake, &pool->lock);
    if (pool->stopping)
      break;
    job = icxd_job_queue_pop(&pool->todo);
    job->state = ICXD_JOB_RUNNING;
    job->started_ms = icxd_now_ms();
    pool->running++;
    worker_store_enter(pool, w);
    /* What a reload may change is read here, under the lock: the job
     * runs with one vocabulary and one set of limits throughout. */
    vocab = w->vocab = pool->opts.vocab;
    delay_ms = pool->opts.delay_ms;
    time_limit_ms = pool->opts.time_limit_ms;
    pthread_mutex_unlock(&pool->lock);

    icx_ctx_set_time_limit(w->ctx, time_limit_ms);
    worker_run_job(pool, w->ctx, &w->store, vocab, delay_ms, job);

    pthread_mutex_lock(&pool->lock);
    worker_store_leave(pool);
    w->vocab = NULL;
    pool->running--;
    job->state = ICXD_JOB_DONE;
    job->finished_ms = icxd_now_ms();
    if (icxd_job_queue_push(&pool->done, job) != 0) {
      /* Cannot post it back: the session will time out. */
      icxd_log(pool->opts.log, ICXD_LOG_ERROR, "worker",
               "out of memory posting job %llu", (unsigned long long)job->id);
      icxd_job_free(job);
    } else if (pool->opts.on_done) {
      pool->opts.on_done(pool->opts.on_done_ud);
    }
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

/* Gives w its engine context and, if the store exists already, its store
 * handle.  Runs on the loop thread, one worker after the other. */
static int worker_setup(icxd_pool *pool, worker *w, char *err, size_t errlen)
{
  icx_rc rc;

  w->pool = pool;
  w->ctx = icx_ctx_new();
  if (!w->ctx) {
    snprintf(err, errlen, "cannot create an engine context for a worker");
    return -1;
  }
  icx_ctx_set_logger(w->ctx, icxd_logger_icx_sink, pool->opts.log);
  icx_ctx_set_log_level(w->ctx, (icx_log_level)pool->opts.log->level);
  icx_ctx_set_time_limit(w->ctx, pool->opts.time_limit_ms);
  rc = icx_store_open(w->ctx, pool->opts.store_path, ICX_STORE_READONLY,
                      &w->store);
  if (rc != ICX_OK) {
    w->store = NULL;
    icxd_log(pool->opts.log, ICXD_LOG_WARN, "worker",
             "store %s not available yet (%s): queries will retry",
             pool->opts.store_path, icx_ctx_errmsg(w->ctx));
  }
  return 0;
}

icxd_pool *icxd_pool_new(const icxd_pool_opts *opts, char *err, size_t errlen)
{
  icxd_pool *pool = calloc(1, sizeof *pool);
  unsigned i, n = opts->workers ? opts->workers : 1;

  if (!pool) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  pool->opts = *opts;
  /* Without it, answers are matched again for every page. */
  pool->answers = icxd_answers_new();
  pthread_mutex_init(&pool->lock, NULL);
  pthread_mutex_init(&pool->setup_lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->store_idle, NULL);
  pool->workers = calloc(n, sizeof *pool->workers);
  if (!pool->workers) {
    snprintf(err, errlen, "out of memory");
    icxd_pool_free(pool);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    if (worker_setup(pool, &pool->workers[i], err, errlen) != 0) {
      icxd_pool_free(pool);
      return NULL;
    }
    pool->n_workers++;
    /* Each worker's icx storage has its own SQLite connection, so every
     * worker opens the store (check_icxd_worker:
     * pool_keeps_every_worker).  Should a later one still fail where
     * worker 0 did not (out of file descriptors, say), keep the workers
     * that work. */
    if (i > 0 && pool->workers[0].store && !pool->workers[i].store) {
      icxd_log(opts->log, ICXD_LOG_WARN, "worker",
               "only %u of %u workers could open the store: using %u",
               i, n, i);
      icx_ctx_free(pool->workers[i].ctx);
      pool->workers[i].ctx = NULL;
      pool->n_workers--;
      break;
    }
  }
  return pool;
}

int icxd_pool_start(icxd_pool *pool, const icx_vocab *vocab, char *err,
                    size_t errlen)
{
  unsigned i;
  int rc;

  pool->opts.vocab = vocab;
  for (i = 0; i < pool->n_workers; i++) {
    rc = pthread_create(&pool->workers[i].thread, NULL, worker_main,
                        &pool->workers[i]);
    if (rc != 0) {
      snprintf(err, errlen, "cannot start worker thread: %s", strerror(rc));
      return -1;
    }
    pool->n_threads++;
  }
  return 0;
}

void icxd_pool_free(icxd_pool *pool)
{
  icxd_job *job;
  unsigned i, n;

  if (!pool)
    return;
  pthread_mutex_lock(&pool->lock);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (i = 0; i < pool->n_threads; i++)
    pthread_join(pool->workers[i].thread, NULL);
  n = pool->n_workers;
  for (i = 0; pool->workers && i < n; i++) {
    icx_store_free(pool->workers[i].store);
    icx_ctx_free(pool->workers[i].ctx);
  }
  while ((job = icxd_job_queue_pop(&pool->todo)))
    icxd_job_free(job);
  while ((job = icxd_job_queue_pop(&pool->done)))
    icxd_job_free(job);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->store_idle);
  pthread_mutex_destroy(&pool->setup_lock);
  pthread_mutex_destroy(&pool->lock);
  icxd_answers_free(pool->answers);
  free(pool->workers);
  free(pool);
}

void icxd_pool_set_limits(icxd_pool *pool, unsigned max_queue,
                          unsigned time_limit_ms, unsigned delay_ms)
{
  pthread_mutex_lock(&pool->lock);
  pool->opts.max_queue = max_queue;
  pool->opts.time_limit_ms = time_limit_ms;
  pool->opts.delay_ms = delay_ms;
  pthread_mutex_unlock(&pool->lock);
}

const icx_vocab *icxd_vocab_swap(pthread_mutex_t *lock, const icx_vocab **slot,
                                 const icx_vocab *vocab)
{
  const icx_vocab *old;

  pthread_mutex_lock(lock);
  old = *slot;
  *slot = vocab;
  pthread_mutex_unlock(lock);
  return old;
}

const icx_vocab *icxd_pool_set_vocab(icxd_pool *pool, const icx_vocab *vocab)
{
  const icx_vocab *old = icxd_vocab_swap(&pool->lock, &pool->opts.vocab, vocab);

  /* Kept answers name their vocabulary in their keys; this frees them. */
  icxd_answers_clear(pool->answers);
  return old;
}

void icxd_pool_answers_stats(icxd_pool *pool, icxd_answers_stats *out)
{
  icxd_answers_get_stats(pool->answers, out);
}

void icxd_pool_set_answers_max(icxd_pool *pool, size_t max_bytes)
{
  icxd_answers_set_max(pool->answers, max_bytes);
}

int icxd_pool_vocab_in_use(icxd_pool *pool, const icx_vocab *vocab)
{
  unsigned i;
  int used = 0;

  pthread_mutex_lock(&pool->lock);
  for (i = 0; i < pool->n_workers; i++)
    if (pool->workers[i].vocab == vocab)
      used = 1;
  pthread_mutex_unlock(&pool->lock);
  return used;
}

int icxd_pool_submit(icxd_pool *pool, icxd_job *job)
{
  int rc = -1;

  pthread_mutex_lock(&pool->lock);
  if (pool->todo.len < pool->opts.max_queue) {
    job->state = ICXD_JOB_QUEUED;
    job->queued_ms = icxd_now_ms();
    if (icxd_job_queue_push(&pool->todo, job) == 0) {
      pthread_cond_signal(&pool->wake);
      rc = 0;
    }
  }
  pthread_mutex_unlock(&pool->lock);
  return rc;
}

icxd_job *icxd_pool_take_done(icxd_pool *pool)
{
  icxd_job *job;

  pthread_mutex_lock(&pool->lock);
  job = icxd_job_queue_pop(&pool->done);
  pthread_mutex_unlock(&pool->lock);
  return job;
}

unsigned icxd_pool_workers(const icxd_pool *pool)
{
  return pool ? pool->n_workers : 0;
}

size_t icxd_pool_in_flight(icxd_pool *pool)
{
  size_t n;

  pthread_mutex_lock(&pool->lock);
  n = pool->todo.len + pool->running + pool->done.len;
  pthread_mutex_unlock(&pool->lock);
  return n;
}

void icxd_pool_job_progress(icxd_pool *pool, const icxd_job *job,
                            icxd_job_state *state, int64_t *running_ms,
                            size_t *ahead)
{
  pthread_mutex_lock(&pool->lock);
  icxd_job_progress(job, &pool->todo, state, running_ms, ahead);
  pthread_mutex_unlock(&pool->lock);
}

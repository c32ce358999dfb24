/* icxd_worker.h - the query workers: threads that parse constraints and
 * match or explain them, so the XMPP event loop never waits for a query.
 *
 * The loop (one thread) submits jobs; each worker thread owns its own
 * icx_ctx and its own read-only icx_store on the same SQLite file, and
 * shares the loop's immutable icx_vocab.  Finished jobs are posted to a
 * done queue that the loop drains after every turn (icxd_pool_take_done);
 * workers never touch libstrophe.
 */
#ifndef ICXD_WORKER_H
#define ICXD_WORKER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "icx.h"
#include "icxd_log.h"

typedef enum icxd_job_state {
  ICXD_JOB_QUEUED = 0,
  ICXD_JOB_RUNNING = 1,
  ICXD_JOB_DONE = 2
} icxd_job_state;

/* What a job asks for: the clouds that match (constraint_catalog_resources)
 * or an explanation of the match (explain_constraints). */
typedef enum icxd_job_kind {
  ICXD_JOB_MATCH = 0,
  ICXD_JOB_EXPLAIN = 1,
  ICXD_JOB_PUBLISH = 2,   /* publish_capabilities: run by the writer */
  ICXD_JOB_WITHDRAW = 3,  /* withdraw_capabilities: run by the writer */
  ICXD_JOB_SUBSCRIBE = 4, /* subscribe_matches: run by the writer (icxd_subs.h) */
  ICXD_JOB_UNSUBSCRIBE = 5, /* unsubscribe_matches, or a bounce: the writer */
  ICXD_JOB_SUBS_LIST = 6, /* list_subscriptions: the writer */
  ICXD_JOB_SUBS_EVAL = 7  /* standing requests evaluated again: the writer */
} icxd_job_kind;

/* 1 for the kinds the writer runs, 0 for the workers'. */
#define ICXD_JOB_WRITES(kind) ((kind) >= ICXD_JOB_PUBLISH)

/* A macro's value as a string literal. */
#define ICXD_STR_(x) #x
#define ICXD_STR(x) ICXD_STR_(x)

/* An explanation names at most this many clouds to explain one by one. */
#define ICXD_EXPLAIN_MAX_CLOUDS 32

/* One query.  Inputs are set by the loop before submitting; outputs are
 * written by the worker and read by the loop only after the job came back
 * from icxd_pool_take_done().  state and started_ms are read with
 * icxd_pool_job_progress() (under the pool's lock). */
typedef struct icxd_job {
  uint64_t id;
  icxd_job_kind kind;    /* ICXD_JOB_MATCH unless set */
  /* input: either constraints XML, or (name, value) pairs from a form */
  char *xml;
  size_t xml_len;
  char **names;
  char **values;
  size_t n_pairs;
  /* input of an explanation: the clouds to explain one by one, and the
   * answer's size at most (icx_explain_to_xml_within(); 0: no limit) */
  char **explain;
  size_t n_explain;
  size_t explain_max_bytes;
  /* input of a publish (the document in xml/xml_len) or a withdrawal,
   * run by the writer (icxd_writer.h) */
  char *doc_uri;         /* the document's graph */
  char *doc_name;        /* its name, per owner */
  char *doc_owner;       /* the bare JID it belongs to */
  char *actor;           /* the sender's bare JID */
  int doc_format;        /* icx_format */
  int actor_admin;       /* the sender is an administrator */
  /* presence (icxd_presence.h), read from the request's <constraints> by
   * the loop and applied by it to the ranked answer */
  int presence_on;       /* the request names a presence */
  unsigned presence_accept;  /* bit (1u << icxd_show) per accepted state */
  int presence_required; /* 1: drop clouds that do not meet it */
  int presence_weight;   /* 0: preferred: added to the score of those that do */
  int want_jids;         /* the answer carries each cloud's JID */
  int want_owners;       /* the worker looks up each cloud's owner */
  /* standing requests (icxd_subs.h): the subscription an unsubscribe
   * names (0: every one of actor's), and what an evaluation looks at */
  long long sub_id;
  size_t page_max_items; /* a list of every subscription: each one's first
                            page under these limits, shared (0: every */
  size_t page_max_bytes; /*   cloud, the loop cuts the pages) */
  unsigned subs_eval;    /* ICXD_SUBS_EVAL_* bits */
  /* output */
  icx_rc rc;
  int forbidden;         /* refused: answer forbidden, errmsg says why */
  long err_line;         /* where the sender's document is wrong (0: */
  long err_column;       /*   not known) */
  char *errmsg;          /* detailed message when rc != ICX_OK */
  char **clouds;         /* matching cloud names (matches only) */
  int taken;             /* the outputs are a kept answer's, not matched
                            for this job (the log says so) */
  struct icxd_answer *clouds_ref; /* the strings of clouds and owners
                            are a kept answer's, lent: released, not
                            freed, with the job (the arrays are the
                            job's own) */
  size_t n_clouds;
  char **owners;         /* with want_owners: per cloud of clouds, the bare
                            JID that published it, or NULL */
  int *scores;           /* with want_owners: per cloud, its score and */
  int *degrees;          /*   icx_degree */
  int beyond_paper;      /* with want_owners: the answer has score= degree= */
  char *answer_xml;      /* <matchingClouds>, or <explanation> */
  int paged;             /* answer_xml is already the page sent */
  struct icxd_rsm_index *answer_index; /* where answer_xml's clouds lie
                            (icxd_job_set_answer()), or NULL: its pages
                            are cut from a tree */
  struct icxd_answer *answer_ref; /* answer_xml and answer_index are a kept
                            answer's (icxd_worker_internal.h), shared:
                            released, not freed, with the job or a new
                            answer */
  char *info;            /* a remark for the requester, or NULL */
  char *warn;            /* a warning (a federated answer missing peers,
                            icxd_fed.h), or NULL; set by the loop */
  /* progress (guarded by the pool lock) */
  icxd_job_state state;
  int64_t queued_ms;
  int64_t started_ms;
  int64_t finished_ms;
} icxd_job;

/* A new empty job (NULL on ENOMEM); free with icxd_job_free(). */
icxd_job *icxd_job_new(uint64_t id);
void icxd_job_free(icxd_job *job);
/* Appends a copy of (name, value).  0, or -1 on ENOMEM. */
int icxd_job_add_pair(icxd_job *job, const char *name, const char *value);
/* Appends a copy of a cloud name to explain.  0, or -1 on ENOMEM. */
int icxd_job_add_explain(icxd_job *job, const char *cloud);
/* job's answer becomes xml (taken; the old one freed) and, for an answer
 * that lists clouds (a match's, a subscription's, one subscription
 * listed) and is not already the page sent (job->paged), is indexed for
 * its pages (icxd_rsm_index.h; what cannot be
 * indexed, such as several subscriptions listed, is cut from a tree). */
void icxd_job_set_answer(icxd_job *job, char *xml);

/* A FIFO of jobs, for a thread pool and the writer.  It has no lock: its
 * owner's lock guards it. */
typedef struct icxd_job_node {
  icxd_job *job;
  struct icxd_job_node *next;
} icxd_job_node;

typedef struct icxd_job_queue {
  icxd_job_node *head, *tail;
  size_t len;
} icxd_job_queue;

/* Appends job: 0, or -1 on ENOMEM (the caller keeps job). */
int icxd_job_queue_push(icxd_job_queue *q, icxd_job *job);
/* The oldest job, now the caller's, or NULL when q is empty. */
icxd_job *icxd_job_queue_pop(icxd_job_queue *q);

/* Where job stands, for a job queued in todo or taken from it: its state,
 * how long it ran (so far, or in all), and how many jobs are ahead of it
 * while it waits.  The caller holds the lock that guards job and todo. */
void icxd_job_progress(const icxd_job *job, const icxd_job_queue *todo,
                       icxd_job_state *state, int64_t *running_ms,
                       size_t *ahead);

/* A reload's swap of the vocabulary later jobs take, for the pool and the
 * writer alike: *slot (guarded by lock) becomes vocab; returns what it
 * held. */
const icx_vocab *icxd_vocab_swap(pthread_mutex_t *lock, const icx_vocab **slot,
                                 const icx_vocab *vocab);

/* The two steps a worker takes for a job, callable on any thread (the
 * unit suites and the fuzz target run them without a pool):
 * icxd_job_constraints() parses the job's input (its constraints XML, else
 * its (name, value) pairs) against vocab into *out (new, free with
 * icx_constraints_free()); on failure *out is NULL and the job records the
 * code and message (job->rc, job->errmsg).  icxd_job_run() matches or
 * explains set on store (borrowed) as job->kind says and writes the job's
 * outputs: rc, and clouds and answer_xml, or errmsg; with want_owners,
 * also owners, scores and degrees of the clouds that match (an
 * explanation then matches too, for the clouds that fail on presence
 * alone). */
icx_rc icxd_job_constraints(icx_ctx *ctx, const icx_vocab *vocab,
                            icxd_job *job, icx_constraints **out);
void icxd_job_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                  icxd_job *job);

typedef struct icxd_pool icxd_pool;

typedef struct icxd_pool_opts {
  const char *store_path;   /* borrowed; must outlive the pool */
  const icx_vocab *vocab;   /* borrowed, shared read-only */
  icxd_logger *log;         /* borrowed */
  unsigned workers;
  unsigned max_queue;
  unsigned delay_ms;        /* testing: sleep before each query */
  unsigned time_limit_ms;   /* a query stops with ICX_ERR_LIMIT after this; 0: none */
  /* Called on a worker thread each time a job is done (with the pool's
   * lock held: it must only signal, e.g. write to a pipe); NULL: none. */
  void (*on_done)(void *ud);
  void *on_done_ud;
} icxd_pool_opts;

/* Sets the workers up: each gets its own icx_ctx and read-only store
 * handle (its own SQLite connection), made here one after the other.  A
 * worker after the first that cannot open the store is dropped with a
 * warning.  opts->vocab may be NULL here.  No thread runs yet.  NULL with
 * err set on failure. */
icxd_pool *icxd_pool_new(const icxd_pool_opts *opts, char *err, size_t errlen);

/* Starts the worker threads, which share vocab (borrowed; must outlive
 * the pool).  0, or -1 with err set. */
int icxd_pool_start(icxd_pool *pool, const icx_vocab *vocab, char *err,
                    size_t errlen);

/* Stops the workers (a running query finishes first), joins them and frees
 * every job still queued or done.  NULL is a no-op. */
void icxd_pool_free(icxd_pool *pool);

/* A reload: later jobs see these limits (a running job keeps its own). */
void icxd_pool_set_limits(icxd_pool *pool, unsigned max_queue,
                          unsigned time_limit_ms, unsigned delay_ms);

/* A reload: jobs started from now on parse with vocab (borrowed; must
 * outlive its use).  Returns the vocabulary used so far, which the caller
 * frees once icxd_pool_vocab_in_use() says no running job holds it. */
const icx_vocab *icxd_pool_set_vocab(icxd_pool *pool, const icx_vocab *vocab);
/* Large match answers kept for the pages that follow
 * (icxd_worker_internal.h): answers of fewer clouds than this are not
 * kept (they fit a page or a few, and matching again costs little). */
#define ICXD_ANSWERS_MIN_CLOUDS 500

typedef struct icxd_answers_stats {
  size_t kept, bytes;           /* held now */
  unsigned long hits, misses;   /* a job took a kept answer, or matched */
} icxd_answers_stats;

/* The figures of the answers the pool's workers keep. */
void icxd_pool_answers_stats(icxd_pool *pool, icxd_answers_stats *out);
/* The bytes of answers the workers may keep (64 MiB until set; 0: none,
 * every page matched again); answers past it go at once. */
void icxd_pool_set_answers_max(icxd_pool *pool, size_t max_bytes);

/* 1 while a running job parses or matches with vocab. */
int icxd_pool_vocab_in_use(icxd_pool *pool, const icx_vocab *vocab);

/* Queues job; the pool owns it until icxd_pool_take_done() hands it back.
 * Returns 0, or -1 when the queue is full (the caller keeps job). */
int icxd_pool_submit(icxd_pool *pool, icxd_job *job);

/* One finished job, now owned by the caller, or NULL if none. */
icxd_job *icxd_pool_take_done(icxd_pool *pool);

/* How many worker threads the pool has. */
unsigned icxd_pool_workers(const icxd_pool *pool);

/* Jobs queued or running (not yet taken back). */
size_t icxd_pool_in_flight(icxd_pool *pool);

/* Reads a submitted job's progress under the lock: its state, the ms it has
 * been running (0 while queued) and how many jobs are queued before it. */
void icxd_pool_job_progress(icxd_pool *pool, const icxd_job *job,
                            icxd_job_state *state, int64_t *running_ms,
                            size_t *ahead);

/* Monotonic milliseconds. */
int64_t icxd_now_ms(void);

/* The time wait_ms from now on clock (the clock the condition variable
 * waits on), for pthread_cond_timedwait(). */
struct timespec icxd_deadline(clockid_t clock, int64_t wait_ms);

#endif

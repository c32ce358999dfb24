/* icxd_writer.h - the one writer: a thread that applies publishes and
 * withdrawals (jobs of kind ICXD_JOB_PUBLISH and ICXD_JOB_WITHDRAW) to
 * the store, one at a time, with its own icx_ctx, a writable store
 * connection of its own for each write, and its own loader.
 *
 * The store is SQLite in WAL mode: the query workers read through their
 * own read-only connections and never wait for a write in progress (they
 * see the last commit), and a write never waits for a query.  Only a
 * writer outside icxd (icx load, icx remove) can make this one wait, up to
 * the store's busy timeout.  Every write is checked against the owner the
 * store records for the document, on the writer's thread, just before it
 * is made: only the owner or an administrator may replace or withdraw a
 * published document, and no one may touch one the operator loaded.
 *
 * Like the worker pool, the writer never touches libstrophe: the loop
 * submits jobs and takes them back finished (icxd_writer_take_done()).
 */
#ifndef ICXD_WRITER_H
#define ICXD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "icx.h"
#include "icxd_log.h"
#include "icxd_subs.h"
#include "icxd_worker.h"

typedef struct icxd_writer icxd_writer;

typedef struct icxd_writer_opts {
  const char *store_path;   /* borrowed; must outlive the writer */
  const icx_vocab *vocab;   /* borrowed, shared read-only */
  icxd_logger *log;         /* borrowed */
  unsigned max_queue;       /* jobs waiting; more are refused */
  icxd_subs *subs;          /* borrowed; NULL: no standing requests.  The
                               writer runs their jobs and evaluates them
                               after each publish or withdrawal */
  /* This long after a publish or withdrawal (the first since the last
   * refresh), the writer brings the matching index saved beside the store
   * ("STORE-index") up to the store's state (icx_match_keep_index()), so
   * that a new process (icx match, a restarted icxd) maps a current file
   * instead of applying every change since; writes in between wait for
   * the same refresh.  0: never. */
  unsigned index_refresh_ms;
  /* Called on the writer's thread each time a job is done (with its lock
   * held: it must only signal); NULL: none. */
  void (*on_done)(void *ud);
  void *on_done_ud;
} icxd_writer_opts;

/* Starts the writer thread.  It opens the store (creating it if missing)
 * for each write and closes it after: a write that cannot open it fails
 * with the reason, and the next one tries again.  NULL with err set on
 * failure. */
icxd_writer *icxd_writer_new(const icxd_writer_opts *opts, char *err,
                             size_t errlen);

/* Stops the thread (a write in progress finishes first) and frees every
 * job still queued or done.  NULL is a no-op. */
void icxd_writer_free(icxd_writer *w);

/* A reload: writes started from now on use vocab (borrowed); returns the
 * one used before, which the caller frees once
 * icxd_writer_vocab_in_use() says no write holds it. */
const icx_vocab *icxd_writer_set_vocab(icxd_writer *w, const icx_vocab *vocab);
int icxd_writer_vocab_in_use(icxd_writer *w, const icx_vocab *vocab);

/* A reload: at most max_queue writes wait from now on. */
void icxd_writer_set_max_queue(icxd_writer *w, unsigned max_queue);

/* Queues job (kind ICXD_JOB_PUBLISH or ICXD_JOB_WITHDRAW, its inputs
 * filled by icxd_publish_read() or icxd_withdraw_read(), or one of the
 * standing requests' kinds, icxd_subs.h); the writer owns
 * it until icxd_writer_take_done() hands it back with its outputs: rc, and
 * answer_xml (<published>, <withdrawn>) or errmsg, with forbidden set when
 * the owner check refused it and err_line / err_column when the sender's
 * document is wrong at a known place.  0, or -1 when the queue is full
 * (the caller keeps job). */
int icxd_writer_submit(icxd_writer *w, icxd_job *job);

/* One finished job, now the caller's, or NULL. */
icxd_job *icxd_writer_take_done(icxd_writer *w);

/* Jobs queued, being written or done (not yet taken back). */
size_t icxd_writer_in_flight(icxd_writer *w);

/* As icxd_pool_job_progress(), for a job submitted to w. */
void icxd_writer_job_progress(icxd_writer *w, const icxd_job *job,
                              icxd_job_state *state, int64_t *running_ms,
                              size_t *ahead);

/* Runs job (a publish or withdrawal) at once on the caller's thread with
 * store (writable), vocab and ctx: what the writer thread does with each
 * such job; subs (may be NULL) hears of the change.  For tests. */
void icxd_writer_run(icx_ctx *ctx, icx_store *store, const icx_vocab *vocab,
                     icxd_job *job);
void icxd_writer_run_subs(icx_ctx *ctx, icx_store *store,
                          const icx_vocab *vocab, icxd_subs *subs,
                          icxd_job *job);

#endif

/* icxd_worker_internal.h - the workers' large match answers, kept for the
 * pages that follow (internal to the icxd_worker module).
 *
 * A requester pages through a large answer with one command per page,
 * each carrying the same constraints and a <set> (XEP-0059).  Each page
 * ran the match again and wrote and indexed its answer again: at a
 * million clouds, 80 ms a page of the broad shape where cutting the page
 * takes under 1.  The workers keep the few most recent large answers
 * here, each under its key: the request's canonical form
 * (icx_constraints_key()) with what else shapes the worker's outputs,
 * and the store's state when the match began (the change log's last
 * change and its token, and the largest term id, as the matching index
 * tells a commit that wrote no document, icx_index.c).  A job whose key
 * and store state are those of a kept answer takes it instead of
 * matching: every document written or removed before the request moves
 * the state and so misses (as for the matching index, a write in SQL
 * that bypasses the change log and adds no term is not seen).
 *
 * A kept answer is shared, read-only, by the cache and the jobs that
 * took it (counted references): a job's answer_xml and answer_index
 * point into it (icxd_worker.h, answer_ref) until the job lets it go.
 * Its clouds and owners are copied into each job, which the loop may
 * filter (presence).
 *
 * Thread-safe: workers find and keep answers under the table's lock; the
 * loop releases a job's reference.
 */
#ifndef ICXD_WORKER_INTERNAL_H
#define ICXD_WORKER_INTERNAL_H

#include <stddef.h>

#include "icx.h"
#include "icxd_worker.h"

/* At most this many answers, and by default this many bytes in all
 * (about 40 MB for 280,000 clouds: the text, its index and the names;
 * icxd.conf's answers_kept_mb sets it: icxd_answers_set_max()). */
#define ICXD_ANSWERS_MAX 4
#define ICXD_ANSWERS_DEFAULT_BYTES ((size_t)64 << 20)

/* The store's state a kept answer was matched at. */
typedef struct icxd_store_state {
  long long seq;                /* the change log's last change (0: none) */
  unsigned long long token;     /* its token (0: none known: never kept) */
  long long max_id;             /* the largest term id */
} icxd_store_state;

typedef struct icxd_answers icxd_answers;
typedef struct icxd_answer icxd_answer;

/* A new empty table; NULL on ENOMEM. */
icxd_answers *icxd_answers_new(void);
/* Frees the table and lets its answers go (jobs keep theirs).  NULL: no-op. */
void icxd_answers_free(icxd_answers *t);
/* Lets every kept answer go (a new vocabulary). */
void icxd_answers_clear(icxd_answers *t);
/* Keeps at most max_bytes of answers from now on (0: none), letting the
 * least recently used go until the table holds no more. */
void icxd_answers_set_max(icxd_answers *t, size_t max_bytes);

/* Gives job the kept answer of key at state, as its outputs (rc, clouds,
 * answer, and with want_owners owners, scores and degrees): 1, or 0 when
 * none is kept (or out of memory: the job then matches as usual). */
int icxd_answers_take(icxd_answers *t, const char *key, size_t key_len,
                      const icxd_store_state *state, icxd_job *job);
/* Keeps job's outputs under key at state when they are worth it (a
 * successful match of at least ICXD_ANSWERS_MIN_CLOUDS clouds whose
 * answer is indexed, and a state with a token): the job's answer_xml and
 * answer_index move into the kept answer, which the job then refers to;
 * its clouds and owners are copied.  The least recently used answers go
 * to make room; an answer larger than the table's bound is not kept.  Out of memory: nothing is kept, the job is unchanged. */
void icxd_answers_keep(icxd_answers *t, const char *key, size_t key_len,
                       const icxd_store_state *state, icxd_job *job);

/* Lets go of one reference (a job's).  NULL: no-op. */
void icxd_answer_release(icxd_answer *a);

/* Runs a match job (icxd_job_run()) through t: takes a kept answer when
 * the request and the store's state are those of one, else matches and
 * keeps a large answer.  The store's state is read before the match, so
 * an answer is kept under a state no later than the one it reflects (a
 * commit in between moves the state, and the answer is never taken); it
 * is read only once *wanted is set, which a large answer sets, so that a
 * small store pays nothing. */
void icxd_answers_match(icxd_answers *t, int *wanted, icx_ctx *ctx, icx_store *store,
                        const icx_constraints *set, icxd_job *job);

void icxd_answers_get_stats(icxd_answers *t, icxd_answers_stats *out);

#endif

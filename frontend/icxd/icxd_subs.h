/* icxd_subs.h - standing requests: subscriptions to a match answer, kept
 * in the store (icx_store_subs.h), evaluated again after every change that
 * may make clouds enter or leave an answer, and the notifications that
 * tell each subscriber (doc/protocol.md, "Standing requests").
 *
 * Threads.  The subscriptions themselves (their compiled constraints and
 * last answers) belong to the writer thread (icxd_writer.h): subscribing,
 * unsubscribing and listing are writer jobs, and evaluations run there
 * too, right after the publish or withdrawal that caused them committed,
 * so that the one-writer rule holds for the subscriptions table as for the
 * documents.  The loop thread talks to this module through three things,
 * each under the module's lock: the presence of owners (a copy of the
 * presence table, fed by its listener), the limits (a reload), and the
 * outbox of notifications the loop sends (icxd_subs_take()).
 *
 * Triggers: a publish or withdrawal by icxd's writer (the clouds of the
 * document before and after it are known); a presence change of an owner
 * (only subscriptions that ask for a presence can change); a change by
 * another process (icx load, icx remove), seen as a new store generation
 * on a read-only handle kept for that, and read from the store's change
 * log: evaluated on the documents it changed (in full when the log was
 * pruned past the last change read).  Subscriptions that ask the same
 * are evaluated once, and a change evaluates only those it can touch
 * (icxd_subs_eval.c says how).
 */
#ifndef ICXD_SUBS_H
#define ICXD_SUBS_H

#include <stddef.h>

#include "icx.h"
#include "icxd_log.h"
#include "icxd_presence.h"
#include "icxd_worker.h"

/* Our namespace: subscription answers and notifications. */
#define ICXD_NS_MATCHES "urn:icx:matches:0"
/* Ids of notification messages start so (a bounce names one). */
#define ICXD_SUBS_MSG_ID_PREFIX "icx-sub-"

/* What an ICXD_JOB_SUBS_EVAL job looks at (job->subs_eval). */
#define ICXD_SUBS_EVAL_PRESENCE 1u   /* a presence changed */
#define ICXD_SUBS_EVAL_STORE 2u      /* another process may have written */

typedef struct icxd_subs icxd_subs;

/* An empty registry; the subscriptions are read from the store at
 * store_path (borrowed, must outlive it) by the first job.  NULL on
 * ENOMEM. */
icxd_subs *icxd_subs_new(const char *store_path, icxd_logger *log);
/* NULL is a no-op.  After the writer thread stopped. */
void icxd_subs_free(icxd_subs *subs);

/* Limits: at most max_total subscriptions in all and max_per_jid per bare
 * JID (0: none).  Any thread. */
void icxd_subs_set_limits(icxd_subs *subs, unsigned max_total,
                          unsigned max_per_jid);

/* The presence of owner bare is now show (loop thread; the presence
 * listener).  Evaluations read this copy. */
void icxd_subs_set_presence(icxd_subs *subs, const char *bare, icxd_show show);

/* --- the writer thread ---------------------------------------------------- */

/* Runs a job of kind ICXD_JOB_SUBSCRIBE (job->xml: the IO Data <in> with
 * the constraints; job->actor; job->presence_*), ICXD_JOB_UNSUBSCRIBE
 * (job->sub_id, 0: all of job->actor's), ICXD_JOB_SUBS_LIST (job->actor)
 * or ICXD_JOB_SUBS_EVAL (job->subs_eval), opening the store for writing
 * when it must.  Sets job->rc and answer_xml or errmsg. */
void icxd_subs_run(icxd_subs *subs, icx_ctx *ctx, const icx_vocab *vocab,
                   icxd_job *job);

/* Closes the module's own handle on the store when another file took
 * the store's place: called before the writer opens the store (every
 * handle on the old file must close before one opens the new one: SQLite
 * names the -wal and -shm files after the path).  subs NULL: a no-op. */
void icxd_subs_check_replaced(icxd_subs *subs);

/* A publish or withdrawal of doc_uri committed on store (the writer's,
 * still open): before[0..n_before-1] are the names of the clouds the
 * document described before it, after[] those it describes now.  Every
 * subscription whose answer changes gets a notification. */
void icxd_subs_changed(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                       const icx_vocab *vocab, const char *doc_uri,
                       char *const *before, size_t n_before,
                       char *const *after, size_t n_after);

/* Drops what the module holds on the writer's context (its store handle,
 * the compiled subscriptions: they stay in the store), before that
 * context is freed; the writer thread has stopped. */
void icxd_subs_release(icxd_subs *subs);

/* --- the outbox (loop thread) --------------------------------------------- */

/* What a change costs in memory is bounded, whatever the number of
 * subscribers and of clouds that entered or left:
 *  - a notification names at most ICXD_SUBS_NOTE_MAX_NAMES clouds; past
 *    that, <entered> and <left> carry count='N' (the whole number) and
 *    list_subscriptions gives the whole answer (doc/protocol.md);
 *  - its text after the subscription id is made once per shape and
 *    shared by that shape's notifications (made whole by
 *    icxd_subs_take(), one at a time);
 *  - the outbox holds at most max notifications: the writer hands each
 *    one over as it is made and, the outbox full, waits up to wait_ms for
 *    the loop to take one.  Past that (the loop stuck: no connection
 *    draining, a shutdown), the notification is dropped and counted on its
 *    subscription, which the next notification that fits tells with
 *    missed='N' (a later change, or the next job or evaluation). */
#define ICXD_SUBS_NOTE_MAX_NAMES 100
#define ICXD_SUBS_OUTBOX_MAX 1024
#define ICXD_SUBS_OUTBOX_WAIT_MS 5000

/* Sets the outbox's bound and the writer's wait for room (defaults
 * above; max 0: 1).  Any thread. */
void icxd_subs_set_outbox(icxd_subs *subs, size_t max, unsigned wait_ms);

typedef struct icxd_subs_note {
  char *jid;        /* the subscriber's bare JID */
  char *id;         /* the message id (ICXD_SUBS_MSG_ID_PREFIX...) */
  char *payload;    /* <matches xmlns=ICXD_NS_MATCHES ...> as text */
  char *body;       /* the same for people */
} icxd_subs_note;

/* Takes the oldest notification into *note (the caller frees it with
 * icxd_subs_note_clear()).  1, or 0 when there is none. */
int icxd_subs_take(icxd_subs *subs, icxd_subs_note *note);
void icxd_subs_note_clear(icxd_subs_note *note);

/* Counts for tests and the bench: subscriptions held, notifications
 * queued so far in all. */
size_t icxd_subs_count(icxd_subs *subs);
/* Evaluations of shapes (subscriptions asking the same) so far (writer
 * thread): on the changed documents alone, and on the whole store (a new
 * shape subscribed, the start, a presence change, another process's
 * write the change log cannot tell, or a request without a typed plan). */
void icxd_subs_figures(icxd_subs *subs, unsigned long *scoped,
                       unsigned long *full);
unsigned long icxd_subs_notes_queued(icxd_subs *subs);
/* Notifications in the outbox now.  Any thread. */
size_t icxd_subs_pending(icxd_subs *subs);
/* The most notifications the outbox held at once so far, and how many
 * were dropped because it stayed full (each told later as missed). */
size_t icxd_subs_outbox_peak(icxd_subs *subs);
unsigned long icxd_subs_notes_dropped(icxd_subs *subs);

#endif

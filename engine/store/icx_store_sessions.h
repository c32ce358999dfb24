/* icx_store_sessions.h - sessions of a front end kept in the store, so
 * that several processes serving one address can continue each other's
 * multi-step requests (internal).
 *
 * A session is what a front end keeps between two requests of one
 * requester (icxd: a XEP-0050 session with a form sent, a job running,
 * or an answer waiting to be fetched).  When several processes share one
 * store and one address, any of them may receive the next request: the
 * store is then where the others find the session.  Two tables, made by
 * the first write (a store without them has no sessions, and older
 * stores keep their format version):
 *
 *   icx_sessions (id, owner, node, stage, output, instance, started,
 *                 expires, request, answer)
 *     id        the session id, chosen by the front end (unguessable)
 *     owner     the full address of the requester; only it may go on
 *     node      the front end's name for what runs (icxd: the command)
 *     stage     ICX_SESS_STAGE_*
 *     output    how the answer is written: the front end's, opaque here
 *     instance  the process that holds the session (RUNNING: runs it;
 *               LOST: ran it)
 *     started   when the stage began, ms since the epoch (LOST: when the
 *               loss was found)
 *     expires   after it the session is gone (icx_store_sess_prune())
 *     request   the request as sent (opaque text, '' when none)
 *     answer    DONE: the finished answer as the front end sends it
 *
 *   icx_instances (name, seen)
 *     one row per running process: it writes `seen` (ms since the epoch)
 *     every little while (icx_store_sess_beat()); a process that stopped
 *     without saying so (killed) is known by a `seen` long past.
 *
 * Every call is one statement (a conditional one where two processes may
 * race: a claim, a finish, a take, a loss; a prune runs three, each
 * whole in itself), its own transaction, run with a
 * statement kept on the handle (the tables, once seen, are remembered
 * there).  Strings are on the store's context's allocator
 * (icx_store_sess_clear() frees a row).
 * Errors: ICX_ERR_MISUSE, ICX_ERR_NOMEM, ICX_ERR_STORE (SQLite's message
 * on the store's context; also a write on a read-only handle),
 * ICX_ERR_NOT_FOUND where said.
 */
#ifndef ICX_STORE_SESSIONS_H
#define ICX_STORE_SESSIONS_H

#include "icx_store.h"

/* The stages; the values are kept in the store: never renumbered. */
typedef enum icx_sess_stage {
  ICX_SESS_STAGE_FORM = 0,     /* waiting for the requester's next step */
  ICX_SESS_STAGE_RUNNING = 1,  /* the instance runs the request */
  ICX_SESS_STAGE_DONE = 2,     /* the answer waits to be fetched */
  ICX_SESS_STAGE_LOST = 3      /* a tombstone: its instance stopped while
                                * running it (request and answer dropped) */
} icx_sess_stage;

typedef struct icx_sess_row {
  char *id;
  char *owner;
  char *node;
  int stage;                   /* icx_sess_stage */
  int output;
  char *instance;
  long long started, expires;  /* ms since the epoch */
  char *request;               /* NULL: '' */
  char *answer;                /* NULL: '' */
} icx_sess_row;

/* Frees the strings of row (not row), read from store (or a store of the
 * same context), and zeroes it.  row NULL is a no-op. */
void icx_store_sess_clear(icx_store *store, icx_sess_row *row);

/* Adds row, or replaces the session of the same id. */
icx_rc icx_store_sess_put(icx_store *store, const icx_sess_row *row);

/* The session id into *row (cleared first; the caller clears it after).
 * ICX_ERR_NOT_FOUND when there is none (also when the table is
 * missing). */
icx_rc icx_store_sess_get(icx_store *store, const char *id, icx_sess_row *row);

/* Moves session id from stage `from` to stage `to`, held now by
 * instance, started at now, expiring at expires, only if it is at stage
 * `from` (when from_instance is not NULL: and held by it).  Of two
 * processes claiming one session, one wins: the other gets
 * ICX_ERR_NOT_FOUND. */
icx_rc icx_store_sess_claim(icx_store *store, const char *id, int from,
                            const char *from_instance, int to, const char *instance,
                            long long now, long long expires);

/* A RUNNING session of instance finished: stage DONE with answer (copied)
 * and a new expiry.  ICX_ERR_NOT_FOUND when the session is no longer
 * RUNNING at instance (canceled, or pruned): drop the answer. */
icx_rc icx_store_sess_finish(icx_store *store, const char *id, const char *instance,
                             const char *answer, long long expires);

/* Removes session id; with stage >= 0, only when it is at that stage.
 * ICX_ERR_NOT_FOUND when nothing was removed: another process took it
 * first (so one DONE answer is handed out once). */
icx_rc icx_store_sess_remove(icx_store *store, const char *id, int stage);

/* A RUNNING session id of instance becomes a tombstone: stage LOST, held
 * by the same instance, started at now, expiring at until, its request
 * and answer dropped; so its requester keeps being told that the query
 * is lost until then.  ICX_ERR_NOT_FOUND when it is not RUNNING at
 * instance. */
icx_rc icx_store_sess_lose(icx_store *store, const char *id, const char *instance,
                           long long now, long long until);

/* Prunes at now.  First the RUNNING sessions expired at now whose
 * instance was not seen since alive_since (it stopped while running
 * them) become tombstones (icx_store_sess_lose(), expiring at
 * lost_until); then the sessions expired at now are removed (tombstones
 * too), except RUNNING ones whose instance was seen at alive_since or
 * later (their job may run longer than a session may idle); then the
 * instances not seen since gone_before.  *removed and *lost (each may be
 * NULL) get how many sessions went and how many became tombstones. */
icx_rc icx_store_sess_prune(icx_store *store, long long now, long long alive_since,
                            long long gone_before, long long lost_until, size_t *removed,
                            size_t *lost);

/* Instance name is alive at now; with now < 0, it stops (its row goes:
 * its RUNNING sessions are known dead at once). */
icx_rc icx_store_sess_beat(icx_store *store, const char *name, long long now);

/* When instance name last said it is alive: *seen (ms since the epoch).
 * ICX_ERR_NOT_FOUND when it never did or stopped. */
icx_rc icx_store_sess_seen(icx_store *store, const char *name, long long *seen);

#endif

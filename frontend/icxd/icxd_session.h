/* icxd_session.h - XEP-0050 sessions of icxd's commands.
 *
 * A session is created when a command needs more than one exchange (a form
 * to fill, or a query that outlives the async threshold) and is only ever
 * visible to the full JID that created it: any other requester gets
 * bad-sessionid, exactly as for an unknown id.  Used by the loop thread
 * only.
 */
#ifndef ICXD_SESSION_H
#define ICXD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "icxd_rsm.h"
#include "icxd_worker.h"

typedef enum icxd_sess_state {
  ICXD_SESS_FORM = 0,     /* a form was sent; waiting for the submission */
  ICXD_SESS_RUNNING = 1,  /* a job is with the workers */
  ICXD_SESS_DONE = 2      /* the result is here, waiting to be fetched */
} icxd_sess_state;

typedef enum icxd_sess_output {
  ICXD_OUT_IODATA = 0,    /* answer with <iodata type='output'> */
  ICXD_OUT_FORM = 1       /* answer with a result data form */
} icxd_sess_output;

typedef struct icxd_session {
  char id[40];
  const char *node;       /* the command's node: a static string */
  char *owner;            /* full JID of the requester */
  char *self;             /* the address the requester used for us */
  icxd_sess_state state;
  icxd_sess_output output;
  icxd_job *job;          /* RUNNING: lent by the pool; DONE: owned */
  uint64_t job_id;
  char *pending_iq;       /* id of an IQ still owed an answer, or NULL */
  int64_t deadline_ms;    /* when the pending IQ gets 'executing' */
  int64_t last_used_ms;
  int async;              /* 'executing' was sent: push the result */
  int canceled;           /* drop the job's result when it comes back */
  icxd_rsm_req rsm;       /* the page of the answer asked for (XEP-0059) */
  int shared;             /* kept in the store too (shared_sessions): its
                           * row goes when the session does */
  struct icxd_session *next;
} icxd_session;

typedef struct icxd_sessions icxd_sessions;

/* A table of at most max sessions, idle ones dropped after timeout_ms.
 * NULL on ENOMEM.  Free with icxd_sessions_free(). */
icxd_sessions *icxd_sessions_new(size_t max, int64_t timeout_ms);

/* Why a new session was refused (icxd_sessions_admit()). */
typedef enum icxd_sess_refusal {
  ICXD_SESS_ADMITTED = 0,   /* there is room */
  ICXD_SESS_FULL = 1,       /* the table holds max sessions */
  ICXD_SESS_OWNER_FULL = 2  /* the owner's bare JID holds max_per_owner */
} icxd_sess_refusal;

/* Changes the limits (a reload): max sessions in all, max_per_owner per
 * bare JID (0: no such limit; the default), the idle timeout.  Sessions
 * already open stay, even above a lowered limit. */
void icxd_sessions_set_limits(icxd_sessions *tab, size_t max,
                              size_t max_per_owner, int64_t timeout_ms);

/* Whether owner (a full JID) may open one more session, and if not,
 * which limit stands in the way. */
icxd_sess_refusal icxd_sessions_admit(const icxd_sessions *tab,
                                      const char *owner);

/* Sessions whose owner has the bare JID of owner (a full or bare JID);
 * with running_only, only those whose job is with the workers (including
 * canceled ones still running). */
size_t icxd_sessions_count_owner(const icxd_sessions *tab, const char *owner,
                                 int running_only);

/* Frees every session and the jobs they own (not jobs still lent by the
 * pool: free the pool first).  NULL is a no-op. */
void icxd_sessions_free(icxd_sessions *tab);

/* Creates a session for owner with a fresh random id.  NULL when
 * icxd_sessions_admit() refuses it or out of memory.  Owned by the table. */
icxd_session *icxd_sessions_create(icxd_sessions *tab, const char *owner,
                                   const char *self);

/* A session named id (read from the store: another instance created it)
 * for owner, taken up by this instance whatever the limits say.  NULL
 * when the table holds id already, id is too long, or out of memory. */
icxd_session *icxd_sessions_adopt(icxd_sessions *tab, const char *id,
                                  const char *owner, const char *self);

/* The session id belongs to if owner created it, else NULL. */
icxd_session *icxd_sessions_find(icxd_sessions *tab, const char *id,
                                 const char *owner);

/* The session waiting for job_id, or NULL. */
icxd_session *icxd_sessions_find_job(icxd_sessions *tab, uint64_t job_id);

/* Removes and frees s. */
void icxd_sessions_remove(icxd_sessions *tab, icxd_session *s);

/* Drops sessions idle for longer than the timeout (never those whose job
 * is still with the workers).  Returns how many were dropped. */
size_t icxd_sessions_expire(icxd_sessions *tab, int64_t now_ms);

/* Calls fn on every session, in creation order; fn may not remove. */
void icxd_sessions_each(icxd_sessions *tab,
                        void (*fn)(icxd_session *s, void *ud), void *ud);

size_t icxd_sessions_count(const icxd_sessions *tab);

/* Fills buf (at least 33 bytes) with 32 random hex digits.  0 or -1. */
int icxd_random_hex(char *buf, size_t len);

#endif

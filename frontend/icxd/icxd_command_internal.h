/* icxd_command_internal.h - what the files of the command module share:
 * its structure, its nodes, and the answers icxd_command_answer.c builds
 * for icxd_command.c (requests) and icxd_command_async.c (between turns).
 *
 * Builders return new stanzas the caller releases (or hands to
 * icxd_conn_send()), or NULL when out of memory.  Loop thread only.
 */
#ifndef ICXD_COMMAND_INTERNAL_H
#define ICXD_COMMAND_INTERNAL_H

#include <stdint.h>
#include <strophe.h>

#include "icxd_command.h"
#include "icxd_conn.h"
#include "icxd_fed.h"
#include "icxd_presence.h"
#include "icxd_session.h"
#include "icxd_subs.h"
#include "icxd_writer.h"

/* The commands icxd offers: the paper's match, and its explanation. */
#define ICXD_NODE "constraint_catalog_resources"
#define ICXD_NODE_NAME "Match cloud resources against constraints"
#define ICXD_NODE_EXPLAIN "explain_constraints"
#define ICXD_NODE_EXPLAIN_NAME "Explain which constraints rule clouds out"
/* Administrators only: the presence of the publishers icxd follows. */
#define ICXD_NODE_PRESENCE "list_presence"
#define ICXD_NODE_PRESENCE_NAME "List the presence of publishing clouds"
/* Standing requests (icxd_subs.h). */
#define ICXD_NODE_SUBSCRIBE "subscribe_matches"
#define ICXD_NODE_SUBSCRIBE_NAME "Subscribe to the clouds matching constraints"
#define ICXD_NODE_UNSUBSCRIBE "unsubscribe_matches"
#define ICXD_NODE_UNSUBSCRIBE_NAME "End a subscription to matching clouds"
#define ICXD_NODE_SUBS_LIST "list_subscriptions"
#define ICXD_NODE_SUBS_LIST_NAME "List your subscriptions to matching clouds"

struct icxd_command {
  icxd_dispatch *dispatch;   /* borrowed */
  icxd_conn *conn;           /* borrowed: the dispatch's */
  xmpp_ctx_t *xctx;          /* borrowed: the connection's */
  const icxd_config *cfg;    /* borrowed */
  icxd_logger *log;          /* borrowed */
  const icx_vocab *vocab;    /* borrowed, shared read-only with the workers */
  icxd_pool *pool;           /* borrowed */
  icxd_writer *writer;       /* borrowed; NULL: publishing is off */
  icxd_presence_tracker *presence; /* borrowed; NULL: nobody is present */
  icxd_sessions *sessions;
  icxd_fed *fed;             /* requests sent on to peer exchanges */
  int draining;              /* stopping: no new command is started */
  int closing;               /* the stream is closing: nothing more is
                              * taken, a session's stanza neither */
  uint64_t next_job_id;
  /* standing requests (icxd_command_subs.c) */
  icxd_subs *subs;           /* borrowed; NULL: off */
  uint64_t subs_eval_job;    /* the evaluation the writer holds, or 0 */
  uint64_t subs_next_id;     /* ids of jobs no session owns */
  int subs_presence_dirty;   /* a presence changed since the last one */
  int64_t subs_checked_ms;   /* when the last one was asked for */
  /* sessions kept in the store (icxd_command_shared.c); sh_path NULL: off */
  char *sh_path;             /* the store */
  icx_ctx *sh_ctx;           /* the loop thread's engine context for it */
  icx_store *sh_store;       /* opened at first use */
  char sh_instance[64];      /* this process's name among the instances */
  int64_t sh_beat_ms, sh_prune_ms; /* when it last said so, last pruned */
};

/* The <in> of an IO Data input (its whole text, <in> included) as the
 * constraints XML of a new job, or NULL on ENOMEM. */
icxd_job *icxd_command_job_from_iodata(xmpp_ctx_t *xctx, xmpp_stanza_t *in);

/* <command xmlns=commands node=node sessionid=sid status=status>;
 * sid may be NULL. */
xmpp_stanza_t *icxd_command_elem(icxd_command *cmds, const char *node,
                                 const char *sid, const char *status);

/* Appends <note type=type>text</note> to elem.  0, or -1 on ENOMEM. */
int icxd_command_note(icxd_command *cmds, xmpp_stanza_t *elem,
                      const char *type, const char *text);

/* Sends an IQ result carrying elem (consumed; NULL answers
 * resource-constraint) in answer to iq. */
void icxd_command_reply(icxd_command *cmds, xmpp_stanza_t *iq,
                        xmpp_stanza_t *elem);

/* A stanza (iq or message) of the given type from the session's address to
 * its owner, with id (NULL or "" for none). */
xmpp_stanza_t *icxd_command_session_stanza(icxd_command *cmds, icxd_session *s,
                                           const char *name, const char *type,
                                           const char *id);

/* An IQ error for the IQ s still owes: <error type=etype><condition/>
 * <text>text</text></error> (text may be NULL). */
xmpp_stanza_t *icxd_command_owed_error(icxd_command *cmds, icxd_session *s,
                                       const char *etype,
                                       const char *condition,
                                       const char *text);

/* The completed <command> of a finished session (s->job is done): IO Data
 * output or a result form, or a note of type error (plus iodata type
 * error for IO Data sessions). */
xmpp_stanza_t *icxd_command_completed(icxd_command *cmds, icxd_session *s);

/* <command status='executing'> with an optional info note and the
 * session's <iodata type='status'>. */
xmpp_stanza_t *icxd_command_status(icxd_command *cmds, icxd_session *s,
                                   const char *note);

/* Reads the presence attributes of the <constraints> in in (an IO Data
 * <in>) into job (presence_*, want_jids, want_owners).  0, or -1 with a
 * message in err. */
int icxd_command_read_presence(xmpp_stanza_t *in, icxd_job *job, char *err,
                               size_t errlen);

/* Applies the presence table to a finished match or explanation whose
 * request named a presence or asked for JIDs: a match loses the clouds
 * that fail a required presence, or is ranked again with a preferred one,
 * and names JIDs; an explanation gains its <presence> element.  With
 * page (the session's <set>), a match's answer becomes only that page
 * (job->paged), or the whole answer when the page cannot be cut (its
 * session then says why, as for any answer).  Without, the whole answer
 * is written (a form's output, an answer federated peers' answers join).
 * Out of memory fails the job. */
void icxd_command_apply_presence(icxd_command *cmds, icxd_job *job,
                                 const icxd_rsm_req *page);

/* Federation (icxd_command_fed.c): sends a federated match whose job is
 * queued (session s) to the peers; 1 if the sender of iq may register
 * with this root, else 0 with iq answered; the register_exchange command
 * itself. */
void icxd_command_start_fed(icxd_command *cmds, icxd_session *s,
                            xmpp_stanza_t *in, const icxd_fed_req *fed);
int icxd_command_register_allowed(icxd_command *cmds, xmpp_stanza_t *iq);

/* icxd_command_access.c: 1 if node is one of the commands that write;
 * whether the sender of iq may run the command at node (the access lists
 * of icxd.conf): 1, or 0 with iq answered (forbidden, or
 * service-unavailable for a write where publishing is off). */
int icxd_command_writes(const char *node);
int icxd_command_allowed(icxd_command *cmds, xmpp_stanza_t *iq,
                         const char *node);
void icxd_command_register(icxd_command *cmds, xmpp_stanza_t *iq,
                           const char *action);

/* What icxd_command.c lends the other files: a new session for iq's
 * sender at node (NULL with iq answered), a job started for it, and a
 * bad-request error. */
icxd_session *icxd_command_session_new(icxd_command *cmds, xmpp_stanza_t *iq,
                                       const char *node);
void icxd_command_start(icxd_command *cmds, icxd_session *s, icxd_job *job,
                        xmpp_stanza_t *iq);
void icxd_command_bad_request(icxd_command *cmds, xmpp_stanza_t *iq,
                              const char *app, const char *text);

/* Sessions kept in the store, so that several instances behind one name
 * continue each other's sessions (icxd_command_shared.c; all no-ops when
 * shared_sessions is off):
 *  _forget    drops s (and its row, when s->shared); _forget_row the
 *             row alone;
 *  _put       keeps s in the store at stage (an icx_sess_stage) before
 *             its id reaches the requester: 0, or -1 (logged);
 *  _finish    s (RUNNING, shared) finished with the completed cmd: 0
 *             kept for any instance to hand out; 1 the session is no
 *             longer ours (canceled at another instance: drop the
 *             answer); -1 the store failed (keep it in memory);
 *  _request   a request naming session sid that this instance does not
 *             hold: answered from the store (or bad-sessionid);
 *  _tick      says this instance is alive and prunes; _stop says it
 *             stopped. */
void icxd_command_forget(icxd_command *cmds, icxd_session *s);
/* Removes the row of s (a cancel: the session stays until its job is
 * back); a no-op when s is not shared. */
void icxd_command_forget_row(icxd_command *cmds, icxd_session *s);
int icxd_command_shared_put(icxd_command *cmds, icxd_session *s, int stage);
int icxd_command_shared_finish(icxd_command *cmds, icxd_session *s,
                               xmpp_stanza_t *cmd);
void icxd_command_shared_request(icxd_command *cmds, xmpp_stanza_t *iq,
                                 const char *node, const char *sid,
                                 const char *action, xmpp_stanza_t *iodata,
                                 xmpp_stanza_t *x);
void icxd_command_shared_tick(icxd_command *cmds, int64_t now);
void icxd_command_shared_stop(icxd_command *cmds);
/* icxd_command.c: a submitted form (x type='submit') for session s. */
void icxd_command_submit_form(icxd_command *cmds, icxd_session *s,
                              xmpp_stanza_t *iq, xmpp_stanza_t *x);

/* icxd_command_presence.c: list_presence, one stage, no session. */
void icxd_command_list_presence(icxd_command *cmds, xmpp_stanza_t *iq,
                                const char *action, xmpp_stanza_t *iodata);

/* icxd_command_subs.c: 1 if node is one of the standing requests'; a
 * request at one (allowed, action and iodata checked); the work between
 * turns; a job of the writer's come back (no session needs it). */
int icxd_command_is_subs(const char *node);
void icxd_command_subs_handle(icxd_command *cmds, xmpp_stanza_t *iq,
                              const char *node, const char *action,
                              xmpp_stanza_t *iodata);
void icxd_command_subs_tick(icxd_command *cmds);
void icxd_command_subs_done(icxd_command *cmds, const icxd_job *job);
/* Removes the bounce handler (icxd_command_free()). */
void icxd_command_subs_off(icxd_command *cmds);

/* <iodata type='output'> with the page rsm asks for (the first without a
 * <set>) of the <presenceList> of list_presence.  NULL with err set when
 * the page cannot be cut (after= or before= names no publisher), or "out
 * of memory". */
xmpp_stanza_t *icxd_command_presence_list(icxd_command *cmds,
                                          const icxd_rsm_req *rsm, char *err,
                                          size_t errlen);

#endif

/* icxd_command.h - icxd's ad-hoc commands (XEP-0050): the paper's
 * constraint_catalog_resources, with IO Data (XEP-0244) or a data form
 * (XEP-0004), explain_constraints, with IO Data only,
 * publish_capabilities and withdraw_capabilities (icxd_publish.h), with
 * IO Data only, list_presence (icxd_presence.h, administrators), the
 * standing requests subscribe_matches, unsubscribe_matches and
 * list_subscriptions (icxd_subs.h), and register_exchange at a root
 * (icxd_fed.h, [access] federate), for the JIDs the access lists allow
 * (icxd_access.h); each
 * query runs on the worker pool, each write on the one writer
 * (icxd_writer.h), answered at once or, past the async threshold,
 * asynchronously (XEP-0244's executing / getStatus / getOutput, and a
 * <message> pushing the result).  Loop thread only.
 */
#ifndef ICXD_COMMAND_H
#define ICXD_COMMAND_H

#include <stddef.h>

#include "icx.h"
#include "icxd_config.h"
#include "icxd_disco.h"
#include "icxd_dispatch.h"
#include "icxd_fed.h"
#include "icxd_log.h"
#include "icxd_presence.h"
#include "icxd_subs.h"
#include "icxd_worker.h"
#include "icxd_writer.h"

typedef struct icxd_command icxd_command;

/* The commands, with their own session table, answering the IQs of d.
 * cfg, log, vocab and pool are borrowed and must outlive them.  NULL on
 * ENOMEM.  Free with icxd_command_free(). */
icxd_command *icxd_command_new(icxd_dispatch *d, const icxd_config *cfg,
                               icxd_logger *log, const icx_vocab *vocab,
                               icxd_pool *pool);

/* A reload: takes the limits of the (same) config again: max_sessions,
 * max_sessions_per_jid, session_timeout.  Open sessions stay. */
void icxd_command_apply_config(icxd_command *cmds);

/* A reload: forms are built from vocab from now on (borrowed). */
void icxd_command_set_vocab(icxd_command *cmds, const icx_vocab *vocab);
/* Hands publishes and withdrawals to writer (borrowed, must outlive
 * cmds; free it after the pool, before cmds).  Without one, the publish
 * and withdraw commands answer service-unavailable. */
void icxd_command_set_writer(icxd_command *cmds, icxd_writer *writer);

/* Takes presence from tracker (borrowed, must outlive cmds): answers
 * apply it, publishes and withdrawals tell it of owners, and
 * list_presence lists it.  Without one, nobody is present. */
void icxd_command_set_presence(icxd_command *cmds,
                               icxd_presence_tracker *tracker);

/* The federation the commands fan out through (icxd_fed.h): its root
 * directory feeds disco#items.  Lent. */
icxd_fed *icxd_command_fed(const icxd_command *cmds);

/* Standing requests kept by subs (borrowed, must outlive cmds; the
 * writer must run its jobs, icxd_writer_opts): subscribe_matches,
 * unsubscribe_matches and list_subscriptions, their notifications, the
 * presence listener (after icxd_command_set_presence()) and bounces.
 * Without it, those commands answer service-unavailable. */
void icxd_command_set_subs(icxd_command *cmds, icxd_subs *subs);

/* Keeps every session whose id reaches its requester in the store at
 * store_path (copied) too, so that several instances serving one
 * component name continue each other's sessions ([exchange]
 * shared_sessions; doc/architecture.md, "Several instances behind
 * ejabberd").  Call once, before the first stanza. */
void icxd_command_set_shared(icxd_command *cmds, const char *store_path);

/* Frees the sessions and the jobs they own: free the pool first (it may
 * still hold jobs the sessions wait for).  NULL is a no-op. */
void icxd_command_free(icxd_command *cmds);

/* The commands as disco shows them (static), n set to their number;
 * register_exchange, a root's only, is the last. */
const icxd_disco_command *icxd_command_disco(size_t *n);

/* Called by the loop after every turn: answers or pushes the jobs the
 * workers finished, turns IQs owed past the async threshold into
 * 'executing', drops idle sessions. */
void icxd_command_tick(icxd_command *cmds);

/* SIGTERM, first step (doc/architecture.md, "Several instances"): from
 * now on a request that would start a command is refused with a wait
 * error (service-unavailable, "this instance is stopping"), so its sender
 * may send it again and reach another instance; stanzas of sessions
 * already open are still served. */
void icxd_command_drain(icxd_command *cmds);

/* Accepted work not yet answered: queries and writes with the workers,
 * IQs still owed an answer, fan-outs waiting for peers. */
size_t icxd_command_busy(const icxd_command *cmds);

/* 1 while notifications of standing requests wait to be sent and the
 * stream is up: the loop then turns fast, as when work is in flight. */
int icxd_command_sending(const icxd_command *cmds);

/* Sessions still open (a form not yet submitted, a result not yet
 * fetched, a job running): a draining instance waits for them too,
 * within its drain timeout, since their next stanza can only be served
 * here. */
size_t icxd_command_open_sessions(const icxd_command *cmds);

/* Shutdown: answers every IQ still owed with an error; from now on
 * every command, a session's stanza too, is refused (the stream is
 * closing: the refusal is logged, not sent). */
void icxd_command_shutdown(icxd_command *cmds);

#endif

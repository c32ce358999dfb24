/* icxd_command_subs.c - the standing requests' commands (subscribe_matches,
 * unsubscribe_matches, list_subscriptions), and their work between two
 * loop turns: notifications sent, evaluations asked of the writer after
 * presence changes and, once a second, a look for writes of other
 * processes, and bounces that end a subscriber's subscriptions. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_access.h"
#include "icxd_command_internal.h"
#include "icxd_iodata.h"
#include "icxd_reply.h"
#include "icxd_rsm.h"
#include "icxd_stanza.h"

/* Every so often the writer looks whether another process wrote. */
#define COMMAND_SUBS_CHECK_MS 1000
/* Notifications handed to libstrophe at most, unwritten, at a time. */
#define COMMAND_SUBS_SEND_MAX 256

/* Ids of the jobs no session asks for (evaluations, bounces): apart from
 * the sessions' (cmds->next_job_id), which logs and tests follow. */
#define COMMAND_SUBS_JOB_ID (UINT64_C(1) << 63)
static uint64_t command_subs_job_id(icxd_command *cmds)
{
  return COMMAND_SUBS_JOB_ID | ++cmds->subs_next_id;
}

#define COMMAND_SUBS_SCHEMA_OPEN \
  "<schema xmlns='http://www.w3.org/2001/XMLSchema'" \
  " targetNamespace='" ICXD_NS_MATCHES "' elementFormDefault='qualified'>"

static const char command_subs_out[] =
  COMMAND_SUBS_SCHEMA_OPEN
  "<annotation><documentation>subscribe_matches answers subscribed"
  " (subscription: its id) holding the first page of the paper's"
  " matchingClouds with its set (XEP-0059), as"
  " constraint_catalog_resources answers them (list_subscriptions gives"
  " the other pages); from then on, each change to that answer comes in a"
  " message of type normal carrying matches (subscription, entered and"
  " left cloudName lists) and a body.</documentation></annotation>"
  "<element name='subscribed'><complexType><sequence>"
  "<any namespace='##other'/></sequence>"
  "<attribute name='subscription' type='positiveInteger' use='required'/>"
  "</complexType></element></schema>";

static const char command_unsubs_in[] =
  COMMAND_SUBS_SCHEMA_OPEN
  "<element name='unsubscribe'><complexType>"
  "<attribute name='subscription' type='string' use='required'>"
  "<annotation><documentation>A subscription id of yours, or all"
  "</documentation></annotation></attribute>"
  "</complexType></element></schema>";

static const char command_unsubs_out[] =
  COMMAND_SUBS_SCHEMA_OPEN
  "<element name='unsubscribed'><complexType>"
  "<attribute name='count' type='nonNegativeInteger'/>"
  "</complexType></element></schema>";

static const char command_list_in[] =
  COMMAND_SUBS_SCHEMA_OPEN
  "<annotation><documentation>list_subscriptions takes no input (an empty"
  " in element, or no IO Data at all) for every subscription of yours, each"
  " with the first page of its clouds; or list naming one of them, and"
  " a set element (XEP-0059) next to it for a page of its"
  " clouds.</documentation></annotation>"
  "<element name='list'><complexType>"
  "<attribute name='subscription' type='positiveInteger' use='required'/>"
  "</complexType></element></schema>";

static const char command_list_out[] =
  COMMAND_SUBS_SCHEMA_OPEN
  "<element name='subscriptions'><complexType><sequence>"
  "<element name='subscription' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType><sequence><element name='cloudName' type='string'"
  " minOccurs='0' maxOccurs='unbounded'/>"
  "<any namespace='http://jabber.org/protocol/rsm'/></sequence>"
  "<attribute name='id' type='positiveInteger'/>"
  "<attribute name='created' type='dateTime'/>"
  "<attribute name='clouds' type='nonNegativeInteger'/>"
  "</complexType></element></sequence></complexType></element></schema>";

int icxd_command_is_subs(const char *node)
{
  return icxd_is(node, ICXD_NODE_SUBSCRIBE) ||
         icxd_is(node, ICXD_NODE_UNSUBSCRIBE) ||
         icxd_is(node, ICXD_NODE_SUBS_LIST);
}

static xmpp_stanza_t *command_subs_schemata(icxd_command *cmds,
                                            const char *node)
{
  if (icxd_is(node, ICXD_NODE_SUBSCRIBE))
    return icxd_iodata_schemata_of(
        cmds->xctx,
        "Subscribe to the answer of a constraint set: the current answer "
        "now, then a message at every change to it",
        icxd_schema_constraints(), command_subs_out);
  if (icxd_is(node, ICXD_NODE_UNSUBSCRIBE))
    return icxd_iodata_schemata_of(cmds->xctx,
                                   "End a subscription of yours, or all",
                                   command_unsubs_in, command_unsubs_out);
  return icxd_iodata_schemata_of(cmds->xctx, "List your subscriptions",
                                 command_list_in, command_list_out);
}

/* The subscription='ID' of el into *id: a positive id, or (all set)
 * "all" as 0.  0, or -1 when it is neither. */
static int command_subs_id(xmpp_stanza_t *el, int all, long long *id)
{
  const char *which = xmpp_stanza_get_attribute(el, "subscription");
  char *end = NULL;

  *id = 0;
  if (!which)
    return -1;
  if (all && strcmp(which, "all") == 0)
    return 0;
  errno = 0;
  *id = strtoll(which, &end, 10);
  return *which && !*end && errno == 0 && *id > 0 ? 0 : -1;
}

/* The job of a subscription command from iq's sender, or NULL with iq
 * answered.  rsm: the <set> the input came with. */
static icxd_job *command_subs_job(icxd_command *cmds, xmpp_stanza_t *iq,
                                  const char *node, xmpp_stanza_t *in,
                                  const icxd_rsm_req *rsm)
{
  const char *from = xmpp_stanza_get_from(iq);
  icxd_job *job = NULL;
  char err[256];

  if (rsm->present && !icxd_is(node, ICXD_NODE_SUBS_LIST) &&
      (!icxd_is(node, ICXD_NODE_SUBSCRIBE) || rsm->after || rsm->before ||
       rsm->index >= 0)) {
    /* A subscribe that could not cut its page would have subscribed and
     * answered an error. */
    icxd_command_bad_request(cmds, iq, "bad-payload",
                             icxd_is(node, ICXD_NODE_SUBSCRIBE)
                                 ? "subscribe_matches takes only <max> in its "
                                   "<set>: its answer is the first page "
                                   "(list_subscriptions pages the rest)"
                                 : "unsubscribe_matches takes no <set>");
    return NULL;
  }
  if (icxd_is(node, ICXD_NODE_SUBSCRIBE)) {
    if (!in) {
      icxd_command_bad_request(cmds, iq, "bad-payload",
                               "subscribe_matches takes IO Data: <iodata "
                               "type='input'> with <constraints> in <in>");
      return NULL;
    }
    job = icxd_command_job_from_iodata(cmds->xctx, in);
    if (job && icxd_command_read_presence(in, job, err, sizeof err) != 0) {
      icxd_job_free(job);
      icxd_command_bad_request(cmds, iq, "bad-payload", err);
      return NULL;
    }
    if (job)
      job->kind = ICXD_JOB_SUBSCRIBE;
  } else if (icxd_is(node, ICXD_NODE_UNSUBSCRIBE)) {
    xmpp_stanza_t *u = in ? icxd_child(in, "unsubscribe", ICXD_NS_MATCHES)
                          : NULL;
    long long id = 0;
    if (!u || command_subs_id(u, 1, &id) != 0) {
      icxd_command_bad_request(cmds, iq, "bad-payload",
                               "unsubscribe_matches takes <unsubscribe "
                               "xmlns='" ICXD_NS_MATCHES "' subscription="
                               "'ID'/> (a subscription id, or all) in <in>");
      return NULL;
    }
    if ((job = icxd_job_new(0))) {
      job->kind = ICXD_JOB_UNSUBSCRIBE;
      job->sub_id = id;
    }
  } else {
    xmpp_stanza_t *l = in ? icxd_child(in, "list", ICXD_NS_MATCHES) : NULL;
    long long id = 0;
    if (l && command_subs_id(l, 0, &id) != 0) {
      icxd_command_bad_request(cmds, iq, "bad-payload",
                               "list_subscriptions takes <list xmlns='"
                               ICXD_NS_MATCHES "' subscription='ID'/> (a "
                               "subscription id) in <in>, or nothing");
      return NULL;
    }
    if (!l && rsm->present) {
      icxd_command_bad_request(cmds, iq, "bad-payload",
                               "a <set> pages the clouds of one subscription:"
                               " name it with <list xmlns='" ICXD_NS_MATCHES
                               "' subscription='ID'/>");
      return NULL;
    }
    if ((job = icxd_job_new(0))) {
      job->kind = ICXD_JOB_SUBS_LIST;
      job->sub_id = id;
      if (!id) {              /* every one: their first pages, made there */
        job->page_max_items = cmds->cfg->answer_max_items;
        job->page_max_bytes = cmds->cfg->answer_max_bytes;
      }
    }
  }
  if (job && !(job->actor = icxd_bare_jid(from ? from : cmds->cfg->jid))) {
    icxd_job_free(job);
    job = NULL;
  }
  if (!job)
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
  return job;
}

void icxd_command_subs_handle(icxd_command *cmds, xmpp_stanza_t *iq,
                              const char *node, const char *action,
                              xmpp_stanza_t *iodata)
{
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;
  xmpp_stanza_t *cmd, *in = NULL;
  icxd_session *s;
  icxd_job *job;
  icxd_rsm_req rsm;
  char sid[40], hex[33], err[256];

  if (!cmds->subs || !cmds->writer) {
    icxd_reply_error(cmds->conn, iq, "cancel", "service-unavailable", NULL,
                     NULL, "this exchange keeps no standing requests "
                     "(max_subscriptions is 0)");
    return;
  }
  if (!icxd_is(action, "execute") && !icxd_is(action, "complete")) {
    icxd_command_bad_request(cmds, iq, "bad-action",
                             "this command has a single stage: execute it");
    return;
  }
  if (iodata && icxd_is(iotype, "io-schemata-get")) {
    if (icxd_random_hex(hex, sizeof hex) != 0)
      hex[0] = '\0';
    snprintf(sid, sizeof sid, "icx-%s", hex);
    cmd = icxd_command_elem(cmds, node, sid, "completed");
    if (cmd && icxd_adopt(cmd, command_subs_schemata(cmds, node)))
      cmd = NULL;
    icxd_command_reply(cmds, iq, cmd);
    return;
  }
  if (iodata && !icxd_is(iotype, "input")) {
    icxd_command_bad_request(cmds, iq, "bad-payload",
                             "iodata type must be input or io-schemata-get");
    return;
  }
  if (iodata)
    in = icxd_child(iodata, "in", NULL);
  memset(&rsm, 0, sizeof rsm);
  rsm.max = rsm.index = -1;
  if (in && icxd_rsm_parse(in, &rsm, err, sizeof err) != 0) {
    icxd_command_bad_request(cmds, iq, "bad-payload", err);
    return;
  }
  if (!(job = command_subs_job(cmds, iq, node, in, &rsm))) {
    icxd_rsm_req_clear(&rsm);
    return;
  }
  if (!(s = icxd_command_session_new(cmds, iq, node))) {
    icxd_rsm_req_clear(&rsm);
    icxd_job_free(job);
    return;
  }
  s->rsm = rsm;   /* the session owns it now */
  s->output = ICXD_OUT_IODATA;
  icxd_command_start(cmds, s, job, iq);
}

/* --- between two turns ----------------------------------------------------- */

/* A notification as a headline message to its subscriber. */
static void command_subs_send(icxd_command *cmds, const icxd_subs_note *n)
{
  xmpp_stanza_t *msg = icxd_elem(cmds->xctx, "message", NULL);
  xmpp_stanza_t *payload = xmpp_stanza_new_from_string(cmds->xctx,
                                                       n->payload);

  if (!msg || !payload || xmpp_stanza_set_type(msg, "normal") ||
      xmpp_stanza_set_from(msg, icxd_conn_self(cmds->conn)) ||
      xmpp_stanza_set_to(msg, n->jid) || xmpp_stanza_set_id(msg, n->id) ||
      !icxd_add_text_child(cmds->xctx, msg, "body", n->body) ||
      icxd_adopt(msg, payload)) {
    if (msg)
      xmpp_stanza_release(msg);
    icxd_log(cmds->log, ICXD_LOG_ERROR, "subs",
             "out of memory: a notification to %s is lost", n->jid);
    return;
  }
  icxd_log(cmds->log, ICXD_LOG_DEBUG, "subs", "notification %s to %s", n->id,
           n->jid);
  icxd_conn_send(cmds->conn, msg);
}

/* Asks the writer for an evaluation (what: ICXD_SUBS_EVAL_* bits); kept
 * for the next turn when its queue is full. */
static void command_subs_eval(icxd_command *cmds, unsigned what)
{
  icxd_job *job = icxd_job_new(0);

  if (!job)
    return;
  job->kind = ICXD_JOB_SUBS_EVAL;
  job->subs_eval = what;
  job->id = command_subs_job_id(cmds);
  if (icxd_writer_submit(cmds->writer, job) != 0) {
    icxd_job_free(job);
    return;
  }
  cmds->subs_eval_job = job->id;
  if (what & ICXD_SUBS_EVAL_PRESENCE)
    cmds->subs_presence_dirty = 0;
  cmds->subs_checked_ms = icxd_now_ms();
}

void icxd_command_subs_tick(icxd_command *cmds)
{
  icxd_subs_note n;
  int64_t now;

  if (!cmds->subs || !cmds->writer)
    return;
  /* Taken while connected and libstrophe's own queue is short, so that
   * what waits to be written stays bounded: the rest waits in the outbox,
   * whose bound holds the writer back; what the outbox cannot hold is
   * owed to its subscribers as missed (icxd_subs.h), never lost
   * unsaid. */
  while (icxd_conn_connected(cmds->conn) &&
         icxd_conn_send_queued(cmds->conn) < COMMAND_SUBS_SEND_MAX &&
         icxd_subs_take(cmds->subs, &n)) {
    command_subs_send(cmds, &n);
    icxd_subs_note_clear(&n);
  }
  if (cmds->subs_eval_job)
    return;   /* one evaluation at a time */
  now = icxd_now_ms();
  if (cmds->subs_presence_dirty)
    command_subs_eval(cmds, ICXD_SUBS_EVAL_PRESENCE |
                                (now - cmds->subs_checked_ms >=
                                         COMMAND_SUBS_CHECK_MS
                                     ? ICXD_SUBS_EVAL_STORE : 0u));
  else if (now - cmds->subs_checked_ms >= COMMAND_SUBS_CHECK_MS)
    command_subs_eval(cmds, ICXD_SUBS_EVAL_STORE);
}

void icxd_command_subs_done(icxd_command *cmds, const icxd_job *job)
{
  if (job->kind == ICXD_JOB_SUBS_EVAL && job->id == cmds->subs_eval_job)
    cmds->subs_eval_job = 0;
}

/* The presence listener: subscriptions asking for a presence are
 * evaluated again at the next turn. */
static void command_subs_presence(void *ud, const char *bare, icxd_show was,
                                  icxd_show now, time_t since)
{
  icxd_command *cmds = ud;

  (void)was;
  (void)since;
  icxd_subs_set_presence(cmds->subs, bare, now);
  cmds->subs_presence_dirty = 1;
}

/* A message of type error: when it bounces one of our notifications
 * because the subscriber's account does not exist (service-unavailable,
 * item-not-found), that JID's subscriptions end. */
static int command_subs_on_error(xmpp_conn_t *conn, xmpp_stanza_t *msg,
                                 void *ud)
{
  icxd_command *cmds = ud;
  const char *id = xmpp_stanza_get_id(msg);
  const char *from = xmpp_stanza_get_from(msg);
  xmpp_stanza_t *err = icxd_child(msg, "error", NULL);
  icxd_job *job;

  (void)conn;
  if (!id || !from || !err ||
      strncmp(id, ICXD_SUBS_MSG_ID_PREFIX,
              strlen(ICXD_SUBS_MSG_ID_PREFIX)) != 0)
    return 1;
  if (!icxd_child(err, "service-unavailable", NULL) &&
      !icxd_child(err, "item-not-found", NULL))
    return 1;
  if (!(job = icxd_job_new(0)))
    return 1;
  job->kind = ICXD_JOB_UNSUBSCRIBE;
  job->sub_id = 0;
  job->id = command_subs_job_id(cmds);
  if (!(job->actor = icxd_bare_jid(from)) ||
      icxd_writer_submit(cmds->writer, job) != 0) {
    icxd_job_free(job);
    return 1;
  }
  icxd_log(cmds->log, ICXD_LOG_INFO, "subs",
           "notification %s bounced from %s: its subscriptions end", id, from);
  return 1;
}

void icxd_command_set_subs(icxd_command *cmds, icxd_subs *subs)
{
  cmds->subs = subs;
  if (!subs)
    return;
  icxd_subs_set_limits(subs, cmds->cfg->max_subscriptions,
                       cmds->cfg->max_subscriptions_per_jid);
  if (cmds->presence)
    icxd_presence_set_listener(icxd_presence_tracker_table(cmds->presence),
                               command_subs_presence, cmds);
  icxd_conn_handler_add(cmds->conn, command_subs_on_error, NULL, "message",
                        "error", cmds);
}

void icxd_command_subs_off(icxd_command *cmds)
{
  /* The tracker outlives the commands: a presence that arrives after
   * them, or icxd_presence_forget_all() when the stream drops, would
   * call a listener whose table is freed. */
  if (cmds->presence)
    icxd_presence_set_listener(icxd_presence_tracker_table(cmds->presence),
                               NULL, NULL);
  icxd_conn_handler_delete(cmds->conn, command_subs_on_error);
}

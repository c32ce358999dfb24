/* icxd_command.c - icxd's ad-hoc commands: taking their requests
 * (icxd_command.h); icxd_command_answer.c builds the answers,
 * icxd_command_async.c runs what happens between two turns of the loop,
 * icxd_command_shared.c keeps sessions in the store, and
 * icxd_command_access.c says who may run which.  Flow: every query
 * becomes a job for the worker threads.  The IQ that asked stays owed
 * until either the job comes back (answer: completed) or the threshold
 * passes (answer: executing with the sessionid); then the result is
 * pushed in a <message> when the job comes back, and stays fetchable
 * with getOutput or complete until the session times out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_command_internal.h"
#include "icxd_form.h"
#include "icxd_iodata.h"
#include "icxd_publish.h"
#include "icxd_reply.h"
#include "icxd_rsm.h"
#include "icxd_stanza.h"

static int command_known_action(const char *a)
{
  return icxd_is(a, "execute") || icxd_is(a, "cancel") ||
         icxd_is(a, "complete") || icxd_is(a, "next") || icxd_is(a, "prev");
}

static void command_bad_request(icxd_command *cmds, xmpp_stanza_t *iq,
                                const char *app, const char *text)
{
  icxd_reply_error(cmds->conn, iq, "modify", "bad-request",
                   app ? ICXD_NS_COMMANDS : NULL, app, text);
}

/* Frees job (may be NULL), drops session s and answers iq with
 * resource-constraint (type wait) saying text. */
static void command_refuse(icxd_command *cmds, icxd_session *s, icxd_job *job,
                           xmpp_stanza_t *iq, const char *text)
{
  icxd_job_free(job);
  icxd_command_forget(cmds, s);
  icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                   text);
}

/* Hands job to the workers for session s; iq is owed an answer.  0, or
 * -1 when refused (iq answered, s and job freed). */
static int command_start_job(icxd_command *cmds, icxd_session *s,
                              icxd_job *job, xmpp_stanza_t *iq)
{
  const char *id = xmpp_stanza_get_id(iq);
  char text[200];

  s->pending_iq = strdup(id ? id : "");
  if (!s->pending_iq) {
    command_refuse(cmds, s, job, iq, "out of memory");
    return -1;
  }
  job->id = cmds->next_job_id++;
  if (cmds->cfg->max_queue_per_jid &&
      icxd_sessions_count_owner(cmds->sessions, s->owner, 1) >=
          cmds->cfg->max_queue_per_jid) {
    snprintf(text, sizeof text, "too many requests of this account queued or "
             "running: at most %u per account (max_queue_per_jid); wait for "
             "one to finish", cmds->cfg->max_queue_per_jid);
    command_refuse(cmds, s, job, iq, text);
    return -1;
  }
  if (ICXD_JOB_WRITES(job->kind)) {
    if (icxd_writer_submit(cmds->writer, job) != 0) {
      snprintf(text, sizeof text, "too many publishes and withdrawals "
               "waiting for the writer: at most %u (max_writes); try again "
               "later", cmds->cfg->max_writes);
      command_refuse(cmds, s, job, iq, text);
      return -1;
    }
  } else if (icxd_pool_submit(cmds->pool, job) != 0) {
    snprintf(text, sizeof text, "too many queries waiting for the exchange: "
             "at most %u (max_queue); try again later", cmds->cfg->max_queue);
    command_refuse(cmds, s, job, iq, text);
    return -1;
  }
  s->job = job;
  s->job_id = job->id;
  s->state = ICXD_SESS_RUNNING;
  s->deadline_ms = icxd_now_ms() + cmds->cfg->async_threshold_ms;
  s->last_used_ms = icxd_now_ms();
  icxd_log(cmds->log, ICXD_LOG_DEBUG, "command", "session %s: job %llu queued",
           s->id, (unsigned long long)job->id);
  return 0;
}

void icxd_command_start(icxd_command *cmds, icxd_session *s, icxd_job *job,
                        xmpp_stanza_t *iq)
{
  command_start_job(cmds, s, job, iq);
}

void icxd_command_bad_request(icxd_command *cmds, xmpp_stanza_t *iq,
                              const char *app, const char *text)
{
  command_bad_request(cmds, iq, app, text);
}

/* The <in> of an IO Data input as text for the engine, in a new job. */
icxd_job *icxd_command_job_from_iodata(xmpp_ctx_t *xctx, xmpp_stanza_t *in)
{
  icxd_job *job = icxd_job_new(0);
  char *text = NULL;
  size_t len = 0;

  if (!job)
    return NULL;
  if (xmpp_stanza_to_text(in, &text, &len) != XMPP_EOK || !text) {
    icxd_job_free(job);
    return NULL;
  }
  job->xml = malloc(len + 1);
  if (job->xml) {
    memcpy(job->xml, text, len);
    job->xml[len] = '\0';
    job->xml_len = len;
  }
  xmpp_free(xctx, text);
  if (!job->xml) {
    icxd_job_free(job);
    return NULL;
  }
  return job;
}

/* A session of the command at node (a static string). */
static icxd_session *command_new_session(icxd_command *cmds, xmpp_stanza_t *iq,
                                         const char *node)
{
  const char *from = xmpp_stanza_get_from(iq);
  icxd_session *s = NULL;
  char text[200];

  switch (icxd_sessions_admit(cmds->sessions, from ? from : "")) {
  case ICXD_SESS_OWNER_FULL:
    snprintf(text, sizeof text, "too many open sessions of this account: at "
             "most %u per account (max_sessions_per_jid); complete or cancel "
             "one first", cmds->cfg->max_sessions_per_jid);
    break;
  case ICXD_SESS_FULL:
    snprintf(text, sizeof text, "too many open sessions at the exchange: at "
             "most %u (max_sessions); try again later",
             cmds->cfg->max_sessions);
    break;
  case ICXD_SESS_ADMITTED:
    s = icxd_sessions_create(cmds->sessions, from ? from : "",
                             icxd_reply_from(cmds->conn, iq));
    snprintf(text, sizeof text, "out of memory");
    break;
  }
  if (!s)
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     text);
  else
    s->node = node;
  return s;
}

icxd_session *icxd_command_session_new(icxd_command *cmds, xmpp_stanza_t *iq,
                                       const char *node)
{
  return command_new_session(cmds, iq, node);
}

/* Answers a request on a finished session with its result and drops it. */
static void command_deliver_done(icxd_command *cmds, icxd_session *s,
                                 xmpp_stanza_t *iq)
{
  icxd_command_reply(cmds, iq, icxd_command_completed(cmds, s));
  icxd_command_forget(cmds, s);
}

/* Ends session s with job's error rc and its message err, answered as a
 * completed command, never run. */
static void command_fail_job(icxd_command *cmds, icxd_session *s,
                             icxd_job *job, xmpp_stanza_t *iq, icx_rc rc,
                             const char *err)
{
  job->rc = rc;
  job->errmsg = strdup(err);
  if (!job->errmsg) {
    command_refuse(cmds, s, job, iq, "out of memory");
    return;
  }
  s->job = job;
  s->state = ICXD_SESS_DONE;
  command_deliver_done(cmds, s, iq);
}

/* Reads the clouds an explanation names into job and hands it to the
 * workers; a request the loop can already tell is wrong is answered at
 * once, as a query failing on the requester's input is.  0 when the job
 * is with the workers, else -1 (s answered and gone). */
static int command_start_explain(icxd_command *cmds, icxd_session *s,
                                  icxd_job *job, xmpp_stanza_t *iq,
                                  xmpp_stanza_t *in)
{
  char err[256];
  icx_rc rc;

  job->kind = ICXD_JOB_EXPLAIN;
  job->explain_max_bytes = cmds->cfg->explain_max_bytes;
  rc = icxd_iodata_explain_clouds(cmds->xctx, in, job, err, sizeof err);
  if (rc == ICX_OK)
    return command_start_job(cmds, s, job, iq);
  job->rc = rc;
  job->errmsg = strdup(err);
  if (rc == ICX_ERR_NOMEM || !job->errmsg) {
    command_refuse(cmds, s, job, iq, "out of memory");
    return -1;
  }
  s->job = job;
  s->state = ICXD_SESS_DONE;
  command_deliver_done(cmds, s, iq);
  return -1;
}

/* A publish or withdrawal from an allowed sender: its <in> read into a
 * job for the writer; a payload the loop can already tell is wrong is
 * answered at once (completed with an error note), a request naming
 * another JID's documents from a non-administrator gets forbidden. */
static void command_start_write(icxd_command *cmds, xmpp_stanza_t *iq,
                                const char *node, xmpp_stanza_t *in)
{
  const char *from = xmpp_stanza_get_from(iq);
  char *actor = icxd_bare_jid(from);
  int admin = icxd_access_allows(&cmds->cfg->access, from, ICXD_RIGHT_ADMIN);
  icxd_job *job = icxd_job_new(0);
  icxd_session *s;
  char err[512];
  icx_rc rc;

  if (!actor || !job) {
    free(actor);
    icxd_job_free(job);
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  err[0] = '\0';
  if (icxd_is(node, ICXD_NODE_PUBLISH))
    rc = icxd_publish_read(cmds->xctx, in, actor, admin,
                           cmds->cfg->max_document_size, job, err, sizeof err);
  else
    rc = icxd_withdraw_read(cmds->xctx, in, actor, admin, job, err,
                            sizeof err);
  free(actor);
  if (job->forbidden) {
    icxd_job_free(job);
    icxd_reply_forbidden(cmds->conn, iq, node, err);
    return;
  }
  if (rc == ICX_ERR_NOMEM) {
    icxd_job_free(job);
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  s = command_new_session(cmds, iq, node);
  if (!s) {
    icxd_job_free(job);
    return;
  }
  s->output = ICXD_OUT_IODATA;
  if (rc == ICX_OK) {
    (void)command_start_job(cmds, s, job, iq);
    return;
  }
  command_fail_job(cmds, s, job, iq, rc, err);
}

/* A submitted form for s (icxd_command_internal.h). */
void icxd_command_submit_form(icxd_command *cmds, icxd_session *s,
                              xmpp_stanza_t *iq, xmpp_stanza_t *x)
{
  icxd_job *job = icxd_job_new(0);
  char err[256];

  if (!job) {
    command_refuse(cmds, s, NULL, iq, "out of memory");
    return;
  }
  if (icxd_form_collect(cmds->xctx, x, job, err, sizeof err) != 0) {
    icxd_job_free(job);
    icxd_command_forget(cmds, s);
    command_bad_request(cmds, iq, "bad-payload", err);
    return;
  }
  s->output = ICXD_OUT_FORM;
  (void)command_start_job(cmds, s, job, iq);
}

/* execute without a session: IO Data, a filled form, or ask for a form
 * (forms only at the match node). */
static void command_handle_new(icxd_command *cmds, xmpp_stanza_t *iq,
                               const char *node, xmpp_stanza_t *iodata,
                               xmpp_stanza_t *x)
{
  int explain = icxd_is(node, ICXD_NODE_EXPLAIN);
  int writes = icxd_command_writes(node);
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;
  xmpp_stanza_t *cmd, *in, *actions;
  icxd_session *s;
  icxd_job *job;
  icxd_rsm_req rsm;
  icxd_fed_req fed;
  char sid[40], hex[33], err[256];

  if (iodata) {
    if (icxd_is(iotype, "io-schemata-get")) {
      if (icxd_random_hex(hex, sizeof hex) != 0)
        hex[0] = '\0';
      snprintf(sid, sizeof sid, "icx-%s", hex);
      cmd = icxd_command_elem(cmds, node, sid, "completed");
      if (cmd && icxd_adopt(cmd, icxd_is(node, ICXD_NODE_PUBLISH)
                                     ? icxd_publish_schemata(cmds->xctx)
                                 : icxd_is(node, ICXD_NODE_WITHDRAW)
                                     ? icxd_withdraw_schemata(cmds->xctx)
                                 : explain
                                     ? icxd_iodata_schemata_explain(cmds->xctx)
                                     : icxd_iodata_schemata(cmds->xctx)))
        cmd = NULL;
      icxd_command_reply(cmds, iq, cmd);
      return;
    }
    if (icxd_is(iotype, "getStatus") || icxd_is(iotype, "getOutput")) {
      command_bad_request(cmds, iq, "bad-sessionid",
                          "getStatus and getOutput need the sessionid of a "
                          "query");
      return;
    }
    if (!icxd_is(iotype, "input")) {
      command_bad_request(cmds, iq, "bad-payload",
                          "iodata type must be input, io-schemata-get, "
                          "getStatus or getOutput");
      return;
    }
    in = icxd_child(iodata, "in", NULL);
    if (!in) {
      command_bad_request(cmds, iq, "bad-payload",
                          "iodata input without <in>");
      return;
    }
    if (writes) {
      command_start_write(cmds, iq, node, in);
      return;
    }
    memset(&rsm, 0, sizeof rsm);
    memset(&fed, 0, sizeof fed);
    rsm.max = rsm.index = -1;
    if (!explain && icxd_rsm_parse(in, &rsm, err, sizeof err) != 0) {
      command_bad_request(cmds, iq, "bad-payload", err);
      return;
    }
    s = command_new_session(cmds, iq, node);
    if (!s) {
      icxd_rsm_req_clear(&rsm);
      return;
    }
    s->rsm = rsm;   /* the session owns it now */
    job = icxd_command_job_from_iodata(cmds->xctx, in);
    if (!job) {
      command_refuse(cmds, s, NULL, iq, "out of memory");
      return;
    }
    s->output = ICXD_OUT_IODATA;
    if (icxd_command_read_presence(in, job, err, sizeof err) != 0 ||
        icxd_fed_read(in, &fed, err, sizeof err) != 0) {
      command_fail_job(cmds, s, job, iq, ICX_ERR_XML, err);
      return;
    }
    if ((explain ? command_start_explain(cmds, s, job, iq, in)
                 : command_start_job(cmds, s, job, iq)) == 0 &&
        fed.federated)
      icxd_command_start_fed(cmds, s, in, &fed);
    icxd_fed_req_clear(&fed);
    return;
  }
  if (explain) {
    command_bad_request(cmds, iq, "bad-payload",
                        "explain_constraints takes IO Data: <iodata "
                        "type='input'> with <constraints> and any "
                        "<cloudName> in <in>");
    return;
  }
  if (writes) {
    command_bad_request(cmds, iq, "bad-payload",
                        icxd_is(node, ICXD_NODE_PUBLISH)
                            ? "publish_capabilities takes IO Data: <iodata "
                              "type='input'> with one <capabilities> in <in>"
                            : "withdraw_capabilities takes IO Data: <iodata "
                              "type='input'> with one <withdraw> in <in>");
    return;
  }

  s = command_new_session(cmds, iq, node);
  if (!s)
    return;
  if (x && icxd_is(xmpp_stanza_get_type(x), "submit")) {
    icxd_command_submit_form(cmds, s, iq, x);
    return;
  }
  /* No payload: send the form. */
  s->state = ICXD_SESS_FORM;
  s->output = ICXD_OUT_FORM;
  cmd = icxd_command_elem(cmds, s->node, s->id, "executing");
  actions = icxd_elem(cmds->xctx, "actions", NULL);
  if (actions &&
      (xmpp_stanza_set_attribute(actions, "execute", "complete") ||
       icxd_adopt(actions, icxd_elem(cmds->xctx, "complete", NULL)))) {
    xmpp_stanza_release(actions);
    actions = NULL;
  }
  if (!cmd || !actions || icxd_adopt(cmd, actions) ||
      icxd_adopt(cmd, icxd_form_request(cmds->xctx, cmds->vocab))) {
    if (!cmd && actions)
      xmpp_stanza_release(actions);
    if (cmd)
      xmpp_stanza_release(cmd);
    icxd_command_forget(cmds, s);
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  /* Shared: no instance holds a form; the one the submission reaches
   * claims its row. */
  if (cmds->sh_path && icxd_command_shared_put(cmds, s, 0) == 0) {
    s->shared = 0;
    icxd_sessions_remove(cmds->sessions, s);
  }
  icxd_command_reply(cmds, iq, cmd);
}

/* A request naming an existing session. */
static void command_handle_session(icxd_command *cmds, icxd_session *s,
                                   xmpp_stanza_t *iq, const char *action,
                                   xmpp_stanza_t *iodata, xmpp_stanza_t *x)
{
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;

  s->last_used_ms = icxd_now_ms();
  if (icxd_is(action, "cancel")) {
    icxd_command_reply(cmds, iq,
                       icxd_command_elem(cmds, s->node, s->id, "canceled"));
    if (s->state == ICXD_SESS_RUNNING) {
      /* The pool still holds the job: drop the result when it returns.
       * An IQ still owed an answer (a form submitted just before) is told
       * that the command was canceled. */
      if (s->pending_iq) {
        xmpp_stanza_t *owed = icxd_command_session_stanza(cmds, s, "iq",
                                                          "result",
                                                          s->pending_iq);
        if (owed && icxd_adopt(owed, icxd_command_elem(cmds, s->node, s->id,
                                                       "canceled"))) {
          xmpp_stanza_release(owed);
          owed = NULL;
        }
        if (owed)
          icxd_conn_send(cmds->conn, owed);
      }
      s->canceled = 1;
      icxd_command_forget_row(cmds, s);
      free(s->pending_iq);
      s->pending_iq = NULL;
    } else {
      icxd_command_forget(cmds, s);
    }
    return;
  }
  if (icxd_is(action, "prev")) {
    command_bad_request(cmds, iq, "bad-action",
                        "this command has a single stage");
    return;
  }
  if (s->state == ICXD_SESS_RUNNING && s->pending_iq) {
    /* Still owed an answer for the first request: report progress. */
    icxd_command_reply(cmds, iq,
                       icxd_command_status(cmds, s, "the query is running"));
    return;
  }
  if (iodata) {
    if (icxd_is(iotype, "getStatus")) {
      icxd_command_reply(cmds, iq, icxd_command_status(cmds, s, NULL));
    } else if (icxd_is(iotype, "getOutput")) {
      if (s->state == ICXD_SESS_DONE)
        command_deliver_done(cmds, s, iq);
      else
        icxd_command_reply(cmds, iq,
                           icxd_command_status(cmds, s,
                                               "no output yet: the query is "
                                               "still running"));
    } else {
      command_bad_request(cmds, iq, "bad-payload",
                          "in a session, iodata type must be getStatus or "
                          "getOutput");
    }
    return;
  }
  switch (s->state) {
  case ICXD_SESS_FORM:
    if (x && icxd_is(xmpp_stanza_get_type(x), "cancel")) {
      icxd_command_reply(cmds, iq,
                         icxd_command_elem(cmds, s->node, s->id, "canceled"));
      icxd_command_forget(cmds, s);
    } else if (x && icxd_is(xmpp_stanza_get_type(x), "submit")) {
      icxd_command_submit_form(cmds, s, iq, x);
    } else {
      command_bad_request(cmds, iq, "bad-payload",
                          "expected the form back with type='submit'");
    }
    break;
  case ICXD_SESS_RUNNING:
    icxd_command_reply(cmds, iq,
                       icxd_command_status(cmds, s,
                                           icxd_is(action, "complete")
                                               ? "not complete yet: the "
                                                 "query is still running"
                                               : NULL));
    break;
  case ICXD_SESS_DONE:
    command_deliver_done(cmds, s, iq);
    break;
  }
}

/* A <command/> in an IQ get or set (the gate let it through). */
static void command_handle(icxd_command *cmds, xmpp_stanza_t *iq,
                           xmpp_stanza_t *command)
{
  const char *node = xmpp_stanza_get_attribute(command, "node");
  const char *action = xmpp_stanza_get_attribute(command, "action");
  const char *sid = xmpp_stanza_get_attribute(command, "sessionid");
  const char *from = xmpp_stanza_get_from(iq);
  xmpp_stanza_t *iodata = NULL;
  xmpp_stanza_t *x = icxd_child(command, "x", ICXD_NS_DATA);
  icxd_session *s;
  char err[256];

  if (!icxd_is(xmpp_stanza_get_type(iq), "set")) {
    command_bad_request(cmds, iq, NULL,
                        "commands are run with an iq of type set");
    return;
  }
  if (!node || !*node) {
    command_bad_request(cmds, iq, NULL, "the command has no node");
    return;
  }
  if (icxd_is(node, ICXD_NODE)) {
    node = ICXD_NODE;
  } else if (icxd_is(node, ICXD_NODE_EXPLAIN)) {
    node = ICXD_NODE_EXPLAIN;
  } else if (icxd_is(node, ICXD_NODE_PUBLISH)) {
    node = ICXD_NODE_PUBLISH;
  } else if (icxd_is(node, ICXD_NODE_WITHDRAW)) {
    node = ICXD_NODE_WITHDRAW;
  } else if (icxd_is(node, ICXD_NODE_PRESENCE)) {
    node = ICXD_NODE_PRESENCE;
  } else if (icxd_is(node, ICXD_NODE_REGISTER)) {
    node = ICXD_NODE_REGISTER;
  } else if (icxd_is(node, ICXD_NODE_SUBSCRIBE)) {
    node = ICXD_NODE_SUBSCRIBE;
  } else if (icxd_is(node, ICXD_NODE_UNSUBSCRIBE)) {
    node = ICXD_NODE_UNSUBSCRIBE;
  } else if (icxd_is(node, ICXD_NODE_SUBS_LIST)) {
    node = ICXD_NODE_SUBS_LIST;
  } else {
    icxd_reply_error(cmds->conn, iq, "cancel", "item-not-found", NULL, NULL,
                     "no such command");
    return;
  }
  if (!icxd_command_allowed(cmds, iq, node))
    return;
  if (icxd_iodata_find(command, &iodata, err, sizeof err) != 0) {
    command_bad_request(cmds, iq, "bad-payload", err);
    return;
  }
  if (action && !command_known_action(action)) {
    command_bad_request(cmds, iq, "malformed-action",
                "action must be execute, cancel, complete, next or prev");
    return;
  }
  if (!action)
    action = "execute";
  if ((cmds->draining && !sid) || cmds->closing) {
    /* Refused, not lost: sent again, it reaches another instance once
     * this one has closed its stream. */
    icxd_reply_error(cmds->conn, iq, "wait", "service-unavailable", NULL,
                     NULL, "this instance is stopping: send the request "
                           "again in a moment");
    return;
  }
  if (icxd_is(node, ICXD_NODE_PRESENCE)) {
    icxd_command_list_presence(cmds, iq, action, iodata);
    return;
  }
  if (icxd_is(node, ICXD_NODE_REGISTER)) {
    icxd_command_register(cmds, iq, action);
    return;
  }
  if (icxd_command_is_subs(node) && !sid) {
    /* One stage each, answered from the writer; past the async
     * threshold it has a session like any job (getStatus, getOutput). */
    icxd_command_subs_handle(cmds, iq, node, action, iodata);
    return;
  }
  if (sid) {
    s = icxd_sessions_find(cmds->sessions, sid, from ? from : "");
    if (!s || !icxd_is(s->node, node)) {
      /* Not held here: the store may hold it (shared_sessions), else
       * bad-sessionid (doc/architecture.md, "Several instances"). */
      icxd_command_shared_request(cmds, iq, node, sid, action, iodata, x);
      return;
    }
    command_handle_session(cmds, s, iq, action, iodata, x);
    return;
  }
  if (!icxd_is(action, "execute")) {
    command_bad_request(cmds, iq, "bad-action",
                "only execute starts a command; other actions need a "
                "sessionid");
    return;
  }
  command_handle_new(cmds, iq, node, iodata, x);
}

/* IQs in the commands namespace: a <command/> payload is ours; any other
 * element is left to the fallback (service-unavailable). */
static int command_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *iq, void *ud)
{
  icxd_command *cmds = ud;
  xmpp_stanza_t *command = icxd_child(iq, "command", ICXD_NS_COMMANDS);

  (void)conn;
  if (command && icxd_dispatch_claim(cmds->dispatch, iq))
    command_handle(cmds, iq, command);
  return 1;
}

icxd_command *icxd_command_new(icxd_dispatch *d, const icxd_config *cfg,
                               icxd_logger *log, const icx_vocab *vocab,
                               icxd_pool *pool)
{
  icxd_command *cmds = calloc(1, sizeof *cmds);

  if (!cmds)
    return NULL;
  cmds->dispatch = d;
  cmds->conn = icxd_dispatch_conn(d);
  cmds->xctx = icxd_conn_xmpp_ctx(cmds->conn);
  cmds->cfg = cfg;
  cmds->log = log;
  cmds->vocab = vocab;
  cmds->pool = pool;
  cmds->next_job_id = 1;
  cmds->sessions = icxd_sessions_new(cfg->max_sessions,
                                     (int64_t)cfg->session_timeout_s * 1000);
  if (cmds->sessions)
    icxd_command_apply_config(cmds);
  cmds->fed = icxd_fed_new(cmds->conn, cfg, log);
  /* Any type: a get is told that commands are run with a set. */
  if (!cmds->sessions || !cmds->fed ||
      icxd_dispatch_add_iq(d, command_on_iq, ICXD_NS_COMMANDS, NULL,
                           cmds) != 0) {
    icxd_command_free(cmds);
    return NULL;
  }
  return cmds;
}

void icxd_command_apply_config(icxd_command *cmds)
{
  const icxd_config *cfg = cmds->cfg;

  icxd_sessions_set_limits(cmds->sessions, cfg->max_sessions,
                           cfg->max_sessions_per_jid,
                           (int64_t)cfg->session_timeout_s * 1000);
}

icxd_fed *icxd_command_fed(const icxd_command *cmds)
{
  return cmds->fed;
}

void icxd_command_set_vocab(icxd_command *cmds, const icx_vocab *vocab)
{
  cmds->vocab = vocab;
}

void icxd_command_set_writer(icxd_command *cmds, icxd_writer *writer)
{
  cmds->writer = writer;
}

void icxd_command_set_presence(icxd_command *cmds,
                               icxd_presence_tracker *tracker)
{
  cmds->presence = tracker;
}

void icxd_command_free(icxd_command *cmds)
{
  if (!cmds)
    return;
  icxd_fed_free(cmds->fed);
  icxd_command_shared_stop(cmds);
  if (cmds->subs)
    icxd_command_subs_off(cmds);
  icxd_sessions_free(cmds->sessions);
  free(cmds);
}

/* What disco shows of each command.  explain_constraints and the two
 * commands that write take IO Data only (no data form). */
static const char *const command_match_features[] = {
  ICXD_NS_COMMANDS, ICXD_NS_IODATA, ICXD_NS_DATA, NULL
};

static const char *const command_explain_features[] = {
  ICXD_NS_COMMANDS, ICXD_NS_IODATA, NULL
};

static const char *const command_register_features[] = {
  ICXD_NS_COMMANDS, NULL
};

static const icxd_disco_command command_disco_list[] = {
  { ICXD_NODE, ICXD_NODE_NAME, command_match_features },
  { ICXD_NODE_EXPLAIN, ICXD_NODE_EXPLAIN_NAME, command_explain_features },
  { ICXD_NODE_PUBLISH, ICXD_NODE_PUBLISH_NAME, command_explain_features },
  { ICXD_NODE_WITHDRAW, ICXD_NODE_WITHDRAW_NAME, command_explain_features },
  { ICXD_NODE_PRESENCE, ICXD_NODE_PRESENCE_NAME, command_explain_features },
  { ICXD_NODE_SUBSCRIBE, ICXD_NODE_SUBSCRIBE_NAME, command_explain_features },
  { ICXD_NODE_UNSUBSCRIBE, ICXD_NODE_UNSUBSCRIBE_NAME,
    command_explain_features },
  { ICXD_NODE_SUBS_LIST, ICXD_NODE_SUBS_LIST_NAME, command_explain_features },
  /* Last: the service lists it at a root only (icxd_command.h). */
  { ICXD_NODE_REGISTER, ICXD_NODE_REGISTER_NAME, command_register_features },
};

const icxd_disco_command *icxd_command_disco(size_t *n)
{
  *n = sizeof command_disco_list / sizeof command_disco_list[0];
  return command_disco_list;
}

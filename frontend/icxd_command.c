/* icxd_command.c - the constraint_catalog_resources ad-hoc command
 * (XEP-0050) with IO Data (XEP-0244) or a data form (XEP-0004), run
 * synchronously or, past the async threshold, asynchronously.
 *
 * Flow: every query becomes a job for the worker threads.  The IQ that
 * asked stays owed ("pending") until either the job comes back (answer:
 * completed) or the threshold passes (answer: executing with the
 * sessionid); in the second case the result is pushed in a <message> when
 * the job comes back, and stays fetchable with getOutput or complete until
 * the session times out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_form.h"
#include "icxd_iodata.h"
#include "icxd_service_internal.h"
#include "icxd_stanza.h"

static int is(const char *a, const char *b)
{
  return a && b && strcmp(a, b) == 0;
}

static int known_action(const char *a)
{
  return is(a, "execute") || is(a, "cancel") || is(a, "complete") ||
         is(a, "next") || is(a, "prev");
}

static void bad_request(icxd_service *svc, xmpp_stanza_t *iq, const char *app,
                        const char *text)
{
  icxd_reply_error(svc, iq, "modify", "bad-request",
                   app ? ICXD_NS_COMMANDS : NULL, app, text);
}

/* <command xmlns=... node=... sessionid=... status=...>, or NULL. */
static xmpp_stanza_t *command_new(icxd_service *svc, const char *sid,
                                  const char *status)
{
  xmpp_stanza_t *c = icxd_elem(svc->xctx, "command", ICXD_NS_COMMANDS);

  if (!c)
    return NULL;
  if (xmpp_stanza_set_attribute(c, "node", ICXD_NODE) ||
      (sid && xmpp_stanza_set_attribute(c, "sessionid", sid)) ||
      xmpp_stanza_set_attribute(c, "status", status)) {
    xmpp_stanza_release(c);
    return NULL;
  }
  return c;
}

static int add_note(icxd_service *svc, xmpp_stanza_t *cmd, const char *type,
                    const char *text)
{
  xmpp_stanza_t *n = icxd_add_text_child(svc->xctx, cmd, "note", text);

  return n && !xmpp_stanza_set_type(n, type) ? 0 : -1;
}

/* Sends an IQ result carrying cmd (consumed) in answer to iq. */
static void reply_command(icxd_service *svc, xmpp_stanza_t *iq,
                          xmpp_stanza_t *cmd)
{
  xmpp_stanza_t *r;

  if (!cmd) {
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  r = icxd_iq_reply(svc->xctx, iq, "result", icxd_self_for(svc, iq),
                    svc->domain);
  if (!r || icxd_adopt(r, cmd)) {
    if (r)
      xmpp_stanza_release(r);
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  icxd_send(svc, r);
}

/* A stanza (iq result/error or message) from the session's address to its
 * owner.  id may be NULL or "". */
static xmpp_stanza_t *session_stanza(icxd_service *svc, icxd_session *s,
                                     const char *name, const char *type,
                                     const char *id)
{
  xmpp_stanza_t *st = icxd_elem(svc->xctx, name, NULL);
  const char *to = *s->owner ? s->owner : svc->domain;

  if (!st)
    return NULL;
  if (xmpp_stanza_set_type(st, type) ||
      xmpp_stanza_set_from(st, *s->self ? s->self : svc->self) ||
      xmpp_stanza_set_to(st, to) || (id && *id && xmpp_stanza_set_id(st, id))) {
    xmpp_stanza_release(st);
    return NULL;
  }
  return st;
}

/* An IQ error from s to its owner for the owed IQ: <error type=etype>
 * <condition/><text/></error>.  NULL on ENOMEM. */
static xmpp_stanza_t *owed_error(icxd_service *svc, icxd_session *s,
                                 const char *etype, const char *condition,
                                 const char *text)
{
  xmpp_stanza_t *iq = session_stanza(svc, s, "iq", "error", s->pending_iq);
  xmpp_stanza_t *err = icxd_elem(svc->xctx, "error", NULL);
  xmpp_stanza_t *t;

  if (!iq || !err || xmpp_stanza_set_type(err, etype) ||
      icxd_adopt(err, icxd_elem(svc->xctx, condition, ICXD_NS_STANZAS)))
    goto fail;
  if (text) {
    t = icxd_add_text_child(svc->xctx, err, "text", text);
    if (!t || xmpp_stanza_set_ns(t, ICXD_NS_STANZAS))
      goto fail;
  }
  if (icxd_adopt(iq, err)) {
    xmpp_stanza_release(iq);
    return NULL;
  }
  return iq;
fail:
  if (err)
    xmpp_stanza_release(err);
  if (iq)
    xmpp_stanza_release(iq);
  return NULL;
}

/* The completed <command> for a finished session: output, or a note and
 * iodata of type error. */
static xmpp_stanza_t *completed_command(icxd_service *svc, icxd_session *s)
{
  icxd_job *job = s->job;
  xmpp_stanza_t *cmd = command_new(svc, s->id, "completed");
  xmpp_stanza_t *body = NULL;
  char note[64];
  int bad = 0;

  if (!cmd)
    return NULL;
  if (job->rc == ICX_OK) {
    if (s->output == ICXD_OUT_FORM) {
      snprintf(note, sizeof note, "%zu matching cloud%s", job->n_clouds,
               job->n_clouds == 1 ? "" : "s");
      bad |= add_note(svc, cmd, "info", note);
      body = icxd_form_result(svc->xctx, job->clouds, job->n_clouds);
    } else {
      body = icxd_iodata_output(svc->xctx, job->answer_xml);
    }
  } else {
    bad |= add_note(svc, cmd, "error", job->errmsg ? job->errmsg
                                                   : icx_strerror(job->rc));
    if (s->output == ICXD_OUT_IODATA)
      body = icxd_iodata_error(svc->xctx, job->rc, job->errmsg);
  }
  if (body)
    bad |= icxd_adopt(cmd, body);
  else if (job->rc == ICX_OK || s->output == ICXD_OUT_IODATA)
    bad = 1;
  if (bad) {
    xmpp_stanza_release(cmd);
    return NULL;
  }
  return cmd;
}

/* Answers the IQ a finished session still owes, then drops the session. */
static void answer_pending(icxd_service *svc, icxd_session *s)
{
  icxd_job *job = s->job;
  xmpp_stanza_t *iq, *cmd;

  if (job->rc != ICX_OK && !icxd_rc_is_requester_fault(job->rc)) {
    /* The exchange's fault (store, query): an IQ error the requester may
     * retry, with the detail as text. */
    icxd_send(svc, owed_error(svc, s, "wait", "internal-server-error",
                              job->errmsg ? job->errmsg : ""));
    icxd_sessions_remove(svc->sessions, s);
    return;
  }
  iq = session_stanza(svc, s, "iq", "result", s->pending_iq);
  cmd = completed_command(svc, s);
  if (iq && cmd && !icxd_adopt(iq, cmd)) {
    icxd_send(svc, iq);
  } else {
    if (iq)
      xmpp_stanza_release(iq);
    icxd_log(svc->log, ICXD_LOG_ERROR, "command",
             "out of memory answering session %s", s->id);
  }
  icxd_sessions_remove(svc->sessions, s);
}

/* Pushes a finished async session's result in a <message>. */
static void push_result(icxd_service *svc, icxd_session *s)
{
  char id[40], hex[33];
  xmpp_stanza_t *msg, *cmd;

  if (icxd_random_hex(hex, sizeof hex) != 0)
    snprintf(hex, sizeof hex, "%llu", (unsigned long long)s->job_id);
  snprintf(id, sizeof id, "push-%.32s", hex);
  msg = session_stanza(svc, s, "message", "normal", id);
  cmd = completed_command(svc, s);
  if (!msg || !cmd || icxd_adopt(msg, cmd)) {
    if (msg)
      xmpp_stanza_release(msg);
    return;
  }
  icxd_log(svc->log, ICXD_LOG_INFO, "command",
           "session %s done: result pushed to %s", s->id, s->owner);
  icxd_send(svc, msg);
}

/* The status of s as a <command status='executing'> with iodata status. */
static xmpp_stanza_t *status_command(icxd_service *svc, icxd_session *s,
                                     const char *note)
{
  xmpp_stanza_t *cmd = command_new(svc, s->id, "executing");
  icxd_job_state st = ICXD_JOB_DONE;
  int64_t ms = 0;
  size_t ahead = 0;
  const char *name;

  if (!cmd)
    return NULL;
  if (s->state == ICXD_SESS_RUNNING)
    icxd_pool_job_progress(svc->pool, s->job, &st, &ms, &ahead);
  else if (s->job)
    ms = s->job->finished_ms - s->job->started_ms;
  name = s->state == ICXD_SESS_FORM ? "awaiting-form"
         : st == ICXD_JOB_QUEUED    ? "queued"
         : st == ICXD_JOB_RUNNING   ? "running"
                                    : "done";
  if ((note && add_note(svc, cmd, "info", note)) ||
      icxd_adopt(cmd, icxd_iodata_status(svc->xctx, name, (long)ms,
                                         (long)ahead))) {
    xmpp_stanza_release(cmd);
    return NULL;
  }
  return cmd;
}

/* Hands job to the workers for session s; iq is owed an answer. */
static void start_job(icxd_service *svc, icxd_session *s, icxd_job *job,
                      xmpp_stanza_t *iq)
{
  const char *id = xmpp_stanza_get_id(iq);

  s->pending_iq = strdup(id ? id : "");
  if (!s->pending_iq) {
    icxd_job_free(job);
    icxd_sessions_remove(svc->sessions, s);
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  job->id = svc->next_job_id++;
  if (icxd_pool_submit(svc->pool, job) != 0) {
    icxd_job_free(job);
    icxd_sessions_remove(svc->sessions, s);
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "too many queries waiting; try again later");
    return;
  }
  s->job = job;
  s->job_id = job->id;
  s->state = ICXD_SESS_RUNNING;
  s->deadline_ms = icxd_now_ms() + svc->cfg->async_threshold_ms;
  s->last_used_ms = icxd_now_ms();
  icxd_log(svc->log, ICXD_LOG_DEBUG, "command", "session %s: job %llu queued",
           s->id, (unsigned long long)job->id);
}

/* The <in> of an IO Data input as text for the engine, in a new job. */
static icxd_job *job_from_iodata(icxd_service *svc, xmpp_stanza_t *in)
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
  xmpp_free(svc->xctx, text);
  if (!job->xml) {
    icxd_job_free(job);
    return NULL;
  }
  return job;
}

static icxd_session *new_session(icxd_service *svc, xmpp_stanza_t *iq)
{
  const char *from = xmpp_stanza_get_from(iq);
  icxd_session *s = icxd_sessions_create(svc->sessions, from ? from : "",
                                         icxd_self_for(svc, iq));

  if (!s)
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "too many open sessions; try again later");
  return s;
}

/* A submitted form (x type='submit') for session s. */
static void submit_form(icxd_service *svc, icxd_session *s, xmpp_stanza_t *iq,
                        xmpp_stanza_t *x)
{
  icxd_job *job = icxd_job_new(0);
  char err[256];

  if (!job) {
    icxd_sessions_remove(svc->sessions, s);
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  if (icxd_form_collect(svc->xctx, x, job, err, sizeof err) != 0) {
    icxd_job_free(job);
    icxd_sessions_remove(svc->sessions, s);
    bad_request(svc, iq, "bad-payload", err);
    return;
  }
  s->output = ICXD_OUT_FORM;
  start_job(svc, s, job, iq);
}

/* execute without a session: IO Data, a filled form, or ask for a form. */
static void handle_new(icxd_service *svc, xmpp_stanza_t *iq,
                       xmpp_stanza_t *iodata, xmpp_stanza_t *x)
{
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;
  xmpp_stanza_t *cmd, *in, *actions;
  icxd_session *s;
  icxd_job *job;
  char sid[40], hex[33];

  if (iodata) {
    if (is(iotype, "io-schemata-get")) {
      if (icxd_random_hex(hex, sizeof hex) != 0)
        hex[0] = '\0';
      snprintf(sid, sizeof sid, "icx-%s", hex);
      cmd = command_new(svc, sid, "completed");
      if (cmd && icxd_adopt(cmd, icxd_iodata_schemata(svc->xctx)))
        cmd = NULL;
      reply_command(svc, iq, cmd);
      return;
    }
    if (is(iotype, "getStatus") || is(iotype, "getOutput")) {
      bad_request(svc, iq, "bad-sessionid", "getStatus and getOutput need "
                                            "the sessionid of a query");
      return;
    }
    if (!is(iotype, "input")) {
      bad_request(svc, iq, "bad-payload", "iodata type must be input, "
                  "io-schemata-get, getStatus or getOutput");
      return;
    }
    in = icxd_child(iodata, "in", NULL);
    if (!in) {
      bad_request(svc, iq, "bad-payload", "iodata input without <in>");
      return;
    }
    s = new_session(svc, iq);
    if (!s)
      return;
    job = job_from_iodata(svc, in);
    if (!job) {
      icxd_sessions_remove(svc->sessions, s);
      icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                       "out of memory");
      return;
    }
    s->output = ICXD_OUT_IODATA;
    start_job(svc, s, job, iq);
    return;
  }

  s = new_session(svc, iq);
  if (!s)
    return;
  if (x && is(xmpp_stanza_get_type(x), "submit")) {
    submit_form(svc, s, iq, x);
    return;
  }
  /* No payload: send the form. */
  s->state = ICXD_SESS_FORM;
  s->output = ICXD_OUT_FORM;
  cmd = command_new(svc, s->id, "executing");
  actions = icxd_elem(svc->xctx, "actions", NULL);
  if (actions && (xmpp_stanza_set_attribute(actions, "execute", "complete") ||
                  icxd_adopt(actions, icxd_elem(svc->xctx, "complete", NULL)))) {
    xmpp_stanza_release(actions);
    actions = NULL;
  }
  if (!cmd || !actions || icxd_adopt(cmd, actions) ||
      icxd_adopt(cmd, icxd_form_request(svc->xctx, svc->vocab))) {
    if (!cmd && actions)
      xmpp_stanza_release(actions);
    if (cmd)
      xmpp_stanza_release(cmd);
    icxd_sessions_remove(svc->sessions, s);
    icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  reply_command(svc, iq, cmd);
}

/* Answers a request on a finished session with its result and drops it. */
static void deliver_done(icxd_service *svc, icxd_session *s, xmpp_stanza_t *iq)
{
  reply_command(svc, iq, completed_command(svc, s));
  icxd_sessions_remove(svc->sessions, s);
}

/* A request naming an existing session. */
static void handle_session(icxd_service *svc, icxd_session *s,
                           xmpp_stanza_t *iq, const char *action,
                           xmpp_stanza_t *iodata, xmpp_stanza_t *x)
{
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;

  s->last_used_ms = icxd_now_ms();
  if (is(action, "cancel")) {
    reply_command(svc, iq, command_new(svc, s->id, "canceled"));
    if (s->state == ICXD_SESS_RUNNING) {
      /* The pool still holds the job: drop the result when it returns.
       * An IQ still owed an answer (a form submitted just before) is told
       * that the command was canceled. */
      if (s->pending_iq) {
        xmpp_stanza_t *owed = session_stanza(svc, s, "iq", "result",
                                             s->pending_iq);
        if (owed && icxd_adopt(owed, command_new(svc, s->id, "canceled"))) {
          xmpp_stanza_release(owed);
          owed = NULL;
        }
        if (owed)
          icxd_send(svc, owed);
      }
      s->canceled = 1;
      free(s->pending_iq);
      s->pending_iq = NULL;
    } else {
      icxd_sessions_remove(svc->sessions, s);
    }
    return;
  }
  if (is(action, "prev")) {
    bad_request(svc, iq, "bad-action", "this command has a single stage");
    return;
  }
  if (s->state == ICXD_SESS_RUNNING && s->pending_iq) {
    /* Still owed an answer for the first request: report progress. */
    reply_command(svc, iq, status_command(svc, s, "the query is running"));
    return;
  }
  if (iodata) {
    if (is(iotype, "getStatus")) {
      reply_command(svc, iq, status_command(svc, s, NULL));
    } else if (is(iotype, "getOutput")) {
      if (s->state == ICXD_SESS_DONE)
        deliver_done(svc, s, iq);
      else
        reply_command(svc, iq, status_command(svc, s,
                                              "no output yet: the query is "
                                              "still running"));
    } else {
      bad_request(svc, iq, "bad-payload",
                  "in a session, iodata type must be getStatus or getOutput");
    }
    return;
  }
  switch (s->state) {
  case ICXD_SESS_FORM:
    if (x && is(xmpp_stanza_get_type(x), "cancel")) {
      reply_command(svc, iq, command_new(svc, s->id, "canceled"));
      icxd_sessions_remove(svc->sessions, s);
    } else if (x && is(xmpp_stanza_get_type(x), "submit")) {
      submit_form(svc, s, iq, x);
    } else {
      bad_request(svc, iq, "bad-payload",
                  "expected the form back with type='submit'");
    }
    break;
  case ICXD_SESS_RUNNING:
    reply_command(svc, iq, status_command(svc, s,
                                          is(action, "complete")
                                              ? "not complete yet: the query "
                                                "is still running"
                                              : NULL));
    break;
  case ICXD_SESS_DONE:
    deliver_done(svc, s, iq);
    break;
  }
}

void icxd_command_handle(icxd_service *svc, xmpp_stanza_t *iq,
                         xmpp_stanza_t *command)
{
  const char *node = xmpp_stanza_get_attribute(command, "node");
  const char *action = xmpp_stanza_get_attribute(command, "action");
  const char *sid = xmpp_stanza_get_attribute(command, "sessionid");
  const char *from = xmpp_stanza_get_from(iq);
  xmpp_stanza_t *iodata = icxd_child(command, "iodata", ICXD_NS_IODATA);
  xmpp_stanza_t *x = icxd_child(command, "x", ICXD_NS_DATA);
  icxd_session *s;

  if (!is(xmpp_stanza_get_type(iq), "set")) {
    bad_request(svc, iq, NULL, "commands are run with an iq of type set");
    return;
  }
  if (!node || !*node) {
    bad_request(svc, iq, NULL, "the command has no node");
    return;
  }
  if (!is(node, ICXD_NODE)) {
    icxd_reply_error(svc, iq, "cancel", "item-not-found", NULL, NULL,
                     "no such command");
    return;
  }
  if (action && !known_action(action)) {
    bad_request(svc, iq, "malformed-action",
                "action must be execute, cancel, complete, next or prev");
    return;
  }
  if (!action)
    action = "execute";
  if (sid) {
    s = icxd_sessions_find(svc->sessions, sid, from ? from : "");
    if (!s) {
      bad_request(svc, iq, "bad-sessionid", "no such session");
      return;
    }
    handle_session(svc, s, iq, action, iodata, x);
    return;
  }
  if (!is(action, "execute")) {
    bad_request(svc, iq, "bad-action",
                "only execute starts a command; other actions need a "
                "sessionid");
    return;
  }
  handle_new(svc, iq, iodata, x);
}

struct tick_state {
  icxd_service *svc;
  int64_t now;
};

static void send_executing(icxd_session *s, void *ud)
{
  struct tick_state *ts = ud;
  icxd_service *svc = ts->svc;
  xmpp_stanza_t *iq, *cmd;

  if (s->state != ICXD_SESS_RUNNING || !s->pending_iq || s->canceled ||
      ts->now < s->deadline_ms)
    return;
  iq = session_stanza(svc, s, "iq", "result", s->pending_iq);
  cmd = status_command(svc, s,
                       "the query takes a while: its result will be sent in "
                       "a message, and can be fetched with getOutput");
  if (iq && cmd && !icxd_adopt(iq, cmd)) {
    icxd_send(svc, iq);
  } else if (iq) {
    xmpp_stanza_release(iq);
  }
  free(s->pending_iq);
  s->pending_iq = NULL;
  s->async = 1;
  icxd_log(svc->log, ICXD_LOG_INFO, "command",
           "session %s goes asynchronous", s->id);
}

void icxd_command_tick(icxd_service *svc)
{
  struct tick_state ts;
  icxd_session *s;
  icxd_job *job;

  while ((job = icxd_pool_take_done(svc->pool))) {
    s = icxd_sessions_find_job(svc->sessions, job->id);
    if (!s) {
      icxd_job_free(job);
      continue;
    }
    s->job = job;
    s->state = ICXD_SESS_DONE;
    s->last_used_ms = icxd_now_ms();
    if (job->rc == ICX_OK)
      icxd_log(svc->log, ICXD_LOG_INFO, "command",
               "%s: %zu matching cloud%s in %lld ms", s->owner, job->n_clouds,
               job->n_clouds == 1 ? "" : "s",
               (long long)(job->finished_ms - job->started_ms));
    else
      icxd_log(svc->log, ICXD_LOG_INFO, "command", "%s: %s: %s", s->owner,
               icx_strerror(job->rc), job->errmsg ? job->errmsg : "");
    if (s->canceled)
      icxd_sessions_remove(svc->sessions, s);
    else if (s->pending_iq)
      answer_pending(svc, s);
    else
      push_result(svc, s);
  }
  ts.svc = svc;
  ts.now = icxd_now_ms();
  icxd_sessions_each(svc->sessions, send_executing, &ts);
  icxd_sessions_expire(svc->sessions, ts.now);
}

static void refuse_owed(icxd_session *s, void *ud)
{
  icxd_service *svc = ud;

  if (!s->pending_iq || s->canceled)
    return;
  icxd_send(svc, owed_error(svc, s, "wait", "service-unavailable",
                            "the exchange is shutting down"));
  free(s->pending_iq);
  s->pending_iq = NULL;
}

void icxd_command_shutdown(icxd_service *svc)
{
  icxd_sessions_each(svc->sessions, refuse_owed, svc);
}

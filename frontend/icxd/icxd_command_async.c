/* icxd_command_async.c - the commands' work between two loop turns. */
/* Collects the jobs the workers finished and answers (or pushes) them,
 * turns IQs owed past the async threshold into 'executing', expires idle
 * sessions; and, at shutdown, answers every IQ still owed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_command_internal.h"
#include "icxd_iodata.h"
#include "icxd_stanza.h"

/* 1 if job failed on what its sender sent: a query's bad constraints, or
 * anything but the exchange's own trouble (store, memory, I/O) for a
 * publish or withdrawal (a document that does not parse or fails the
 * vocabulary's checks, a cloud another document names, no such
 * document). */
static int command_sender_fault(const icxd_job *job)
{
  if (ICXD_JOB_WRITES(job->kind))
    return job->rc != ICX_ERR_STORE && job->rc != ICX_ERR_NOMEM &&
           job->rc != ICX_ERR_IO && job->rc != ICX_ERR_MISUSE;
  return icxd_rc_is_requester_fault(job->rc);
}

/* Answers the IQ a finished session still owes, then drops the session. */
static void command_answer_pending(icxd_command *cmds, icxd_session *s)
{
  icxd_job *job = s->job;
  xmpp_stanza_t *iq, *cmd;

  if (job->forbidden) {
    icxd_conn_send(cmds->conn,
                   icxd_command_owed_error(cmds, s, "auth", "forbidden",
                                           job->errmsg ? job->errmsg : ""));
    icxd_command_forget(cmds, s);
    return;
  }
  if (job->rc != ICX_OK && !command_sender_fault(job)) {
    /* The exchange's fault (store, query): an IQ error the requester may
     * retry, with the detail as text. */
    icxd_conn_send(cmds->conn,
                   icxd_command_owed_error(cmds, s, "wait",
                                           "internal-server-error",
                                           job->errmsg ? job->errmsg : ""));
    icxd_command_forget(cmds, s);
    return;
  }
  iq = icxd_command_session_stanza(cmds, s, "iq", "result", s->pending_iq);
  cmd = icxd_command_completed(cmds, s);
  if (iq && cmd && !icxd_adopt(iq, cmd)) {
    icxd_conn_send(cmds->conn, iq);
  } else {
    if (iq)
      xmpp_stanza_release(iq);
    icxd_log(cmds->log, ICXD_LOG_ERROR, "command",
             "out of memory answering session %s", s->id);
  }
  icxd_command_forget(cmds, s);
}

/* Pushes a finished async session's result in a <message>.  A shared
 * session's answer goes to the store first, for getOutput at any
 * instance, and the session leaves this one's memory. */
static void command_push_result(icxd_command *cmds, icxd_session *s)
{
  char id[40], hex[33];
  xmpp_stanza_t *msg, *cmd;
  int kept = -1;

  if (icxd_random_hex(hex, sizeof hex) != 0)
    snprintf(hex, sizeof hex, "%llu", (unsigned long long)s->job_id);
  snprintf(id, sizeof id, "push-%.32s", hex);
  msg = icxd_command_session_stanza(cmds, s, "message", "normal", id);
  cmd = icxd_command_completed(cmds, s);
  if (cmd && s->shared && (kept = icxd_command_shared_finish(cmds, s, cmd)) == 1) {
    /* Canceled at another instance meanwhile: nobody wants it. */
    xmpp_stanza_release(cmd);
    cmd = NULL;
  }
  if (!msg || !cmd || icxd_adopt(msg, cmd)) {
    if (msg)
      xmpp_stanza_release(msg);
    if (kept == 1) {
      s->shared = 0;
      icxd_sessions_remove(cmds->sessions, s);
    }
    return;
  }
  icxd_log(cmds->log, ICXD_LOG_INFO, "command",
           "session %s done: result pushed to %s", s->id, s->owner);
  icxd_conn_send(cmds->conn, msg);
  if (kept == 0) {
    s->shared = 0;   /* the row stays: the answer is fetched from it */
    icxd_sessions_remove(cmds->sessions, s);
  }
}

struct command_tick_state {
  icxd_command *cmds;
  int64_t now;
};

static void command_send_executing(icxd_session *s, void *ud)
{
  struct command_tick_state *ts = ud;
  icxd_command *cmds = ts->cmds;
  xmpp_stanza_t *iq, *cmd;

  if (s->state != ICXD_SESS_RUNNING || !s->pending_iq || s->canceled ||
      ts->now < s->deadline_ms)
    return;
  /* Shared: the row first, so that the next stanza of the session finds
   * it at whichever instance it reaches. */
  if (cmds->sh_path)
    (void)icxd_command_shared_put(cmds, s, 1);
  iq = icxd_command_session_stanza(cmds, s, "iq", "result", s->pending_iq);
  cmd = icxd_command_status(cmds, s,
                            "the query takes a while: its result will be "
                            "sent in a message, and can be fetched with "
                            "getOutput");
  if (iq && cmd && !icxd_adopt(iq, cmd)) {
    icxd_conn_send(cmds->conn, iq);
  } else if (iq) {
    xmpp_stanza_release(iq);
  }
  free(s->pending_iq);
  s->pending_iq = NULL;
  s->async = 1;
  icxd_log(cmds->log, ICXD_LOG_INFO, "command",
           "session %s goes asynchronous", s->id);
}

/* The next finished job, of the pool or the writer; NULL when none. */
static icxd_job *command_take_done(icxd_command *cmds)
{
  icxd_job *job = icxd_pool_take_done(cmds->pool);

  if (!job && cmds->writer)
    job = icxd_writer_take_done(cmds->writer);
  return job;
}

/* A finished job (the local answer, merged with the peers' for a
 * federated request) given to its session s: answered, pushed, or
 * dropped when canceled. */
static void command_job_done(icxd_command *cmds, icxd_session *s,
                             icxd_job *job)
{
  s->job = job;
  s->state = ICXD_SESS_DONE;
  s->last_used_ms = icxd_now_ms();
  if (job->kind == ICXD_JOB_PUBLISH || job->kind == ICXD_JOB_WITHDRAW)
    icxd_log(cmds->log, ICXD_LOG_INFO, "command", "%s: %s %s: %s in %lld ms",
             s->owner, job->kind == ICXD_JOB_PUBLISH ? "publish" : "withdraw",
             job->doc_uri ? job->doc_uri : "?",
             job->forbidden ? "forbidden"
             : job->rc == ICX_OK ? "done" : icx_strerror(job->rc),
             (long long)(job->finished_ms - job->started_ms));
  else if (job->rc == ICX_OK && job->kind == ICXD_JOB_EXPLAIN)
    icxd_log(cmds->log, ICXD_LOG_INFO, "command",
             "%s: explanation naming %zu cloud%s in %lld ms", s->owner,
             job->n_explain, job->n_explain == 1 ? "" : "s",
             (long long)(job->finished_ms - job->started_ms));
  else if (job->rc == ICX_OK)
    icxd_log(cmds->log, ICXD_LOG_INFO, "command",
             "%s: %zu matching cloud%s in %lld ms%s", s->owner, job->n_clouds,
             job->n_clouds == 1 ? "" : "s",
             (long long)(job->finished_ms - job->started_ms),
             job->taken ? " (an answer kept for its pages)" : "");
  else
    icxd_log(cmds->log, ICXD_LOG_INFO, "command", "%s: %s: %s", s->owner,
             icx_strerror(job->rc), job->errmsg ? job->errmsg : "");
  if (s->canceled)
    icxd_command_forget(cmds, s);
  else if (s->pending_iq)
    command_answer_pending(cmds, s);
  else
    command_push_result(cmds, s);
}

void icxd_command_tick(icxd_command *cmds)
{
  struct command_tick_state ts;
  icxd_session *s;
  icxd_job *job;

  while ((job = command_take_done(cmds))) {
    /* Written even when its requester is gone: presence follows owners. */
    if (cmds->presence && job->rc == ICX_OK && !job->forbidden) {
      if (job->kind == ICXD_JOB_PUBLISH && job->doc_owner)
        icxd_presence_tracker_published(cmds->presence, job->doc_owner);
      else if (job->kind == ICXD_JOB_WITHDRAW)
        icxd_presence_tracker_resync(cmds->presence);
    }
    icxd_command_subs_done(cmds, job);
    s = icxd_sessions_find_job(cmds->sessions, job->id);
    if (s && (job->kind == ICXD_JOB_MATCH || job->kind == ICXD_JOB_EXPLAIN))
      icxd_command_apply_presence(cmds, job,
                                  s->output == ICXD_OUT_IODATA &&
                                          !icxd_fed_pending(cmds->fed, job->id)
                                      ? &s->rsm : NULL);
    if (icxd_fed_pending(cmds->fed, job->id)) {
      /* The peers may still answer: the fan-out keeps the local answer
       * until they have (or their time is up), even when s is gone. */
      icxd_fed_park(cmds->fed, job);
      continue;
    }
    if (!s) {
      icxd_job_free(job);
      continue;
    }
    command_job_done(cmds, s, job);
  }
  ts.now = icxd_now_ms();
  icxd_fed_tick(cmds->fed, ts.now);
  while ((job = icxd_fed_take_done(cmds->fed, ts.now))) {
    s = icxd_sessions_find_job(cmds->sessions, job->id);
    if (!s)
      icxd_job_free(job);
    else
      command_job_done(cmds, s, job);
  }
  icxd_command_subs_tick(cmds);
  icxd_command_shared_tick(cmds, ts.now);
  ts.cmds = cmds;
  icxd_sessions_each(cmds->sessions, command_send_executing, &ts);
  icxd_sessions_expire(cmds->sessions, ts.now);
}

static void command_refuse_owed(icxd_session *s, void *ud)
{
  icxd_command *cmds = ud;

  if (!s->pending_iq || s->canceled)
    return;
  icxd_conn_send(cmds->conn,
                 icxd_command_owed_error(cmds, s, "wait", "service-unavailable",
                                         "the exchange is shutting down"));
  free(s->pending_iq);
  s->pending_iq = NULL;
}

void icxd_command_drain(icxd_command *cmds)
{
  cmds->draining = 1;
}

static void command_count_busy(icxd_session *s, void *ud)
{
  size_t *n = ud;

  if (s->state == ICXD_SESS_RUNNING || (s->pending_iq && !s->canceled))
    (*n)++;
}

size_t icxd_command_busy(const icxd_command *cmds)
{
  size_t n = 0;

  icxd_sessions_each(cmds->sessions, command_count_busy, &n);
  n += icxd_fed_count(cmds->fed);
  if (cmds->subs_eval_job)
    n++;
  return n;
}

int icxd_command_sending(const icxd_command *cmds)
{
  return cmds->subs && icxd_conn_connected(cmds->conn) &&
         icxd_subs_pending(cmds->subs) > 0;
}

size_t icxd_command_open_sessions(const icxd_command *cmds)
{
  return icxd_sessions_count(cmds->sessions);
}

void icxd_command_shutdown(icxd_command *cmds)
{
  /* What is read from now on cannot be answered: a form claimed now
   * would be lost with this process, left in the store another instance
   * serves it. */
  cmds->closing = 1;
  icxd_sessions_each(cmds->sessions, command_refuse_owed, cmds);
}

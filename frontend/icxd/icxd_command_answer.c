/* icxd_command_answer.c - the answers of icxd's commands. */
/* The <command> payloads and stanzas the commands answer with: completed
 * (output, result form or error note), executing with a status, canceled,
 * and the IQs a session still owes its requester. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_command_internal.h"
#include "icxd_form.h"
#include "icxd_iodata.h"
#include "icxd_reply.h"
#include "icxd_rsm.h"
#include "icxd_rsm_index.h"
#include "icxd_stanza.h"

/* <command xmlns=... node=... sessionid=... status=...>, or NULL. */
xmpp_stanza_t *icxd_command_elem(icxd_command *cmds, const char *node,
                                 const char *sid, const char *status)
{
  xmpp_stanza_t *c = icxd_elem(cmds->xctx, "command", ICXD_NS_COMMANDS);

  if (!c)
    return NULL;
  if (xmpp_stanza_set_attribute(c, "node", node) ||
      (sid && xmpp_stanza_set_attribute(c, "sessionid", sid)) ||
      xmpp_stanza_set_attribute(c, "status", status)) {
    xmpp_stanza_release(c);
    return NULL;
  }
  return c;
}

int icxd_command_note(icxd_command *cmds, xmpp_stanza_t *cmd, const char *type,
                      const char *text)
{
  xmpp_stanza_t *n = icxd_add_text_child(cmds->xctx, cmd, "note", text);

  return n && !xmpp_stanza_set_type(n, type) ? 0 : -1;
}

/* Sends an IQ result carrying cmd (consumed) in answer to iq. */
void icxd_command_reply(icxd_command *cmds, xmpp_stanza_t *iq,
                        xmpp_stanza_t *cmd)
{
  if (!cmd) {
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  icxd_reply_result(cmds->conn, iq, cmd);
}

/* A stanza (iq result/error or message) from the session's address to its
 * owner.  id may be NULL or "". */
xmpp_stanza_t *icxd_command_session_stanza(icxd_command *cmds, icxd_session *s,
                                           const char *name, const char *type,
                                           const char *id)
{
  xmpp_stanza_t *st = icxd_elem(cmds->xctx, name, NULL);
  const char *to = *s->owner ? s->owner : icxd_conn_domain(cmds->conn);

  if (!st)
    return NULL;
  if (xmpp_stanza_set_type(st, type) ||
      xmpp_stanza_set_from(st, *s->self ? s->self
                                        : icxd_conn_self(cmds->conn)) ||
      xmpp_stanza_set_to(st, to) || (id && *id && xmpp_stanza_set_id(st, id))) {
    xmpp_stanza_release(st);
    return NULL;
  }
  return st;
}

/* An IQ error from s to its owner for the owed IQ: <error type=etype>
 * <condition/><text/></error>.  NULL on ENOMEM. */
xmpp_stanza_t *icxd_command_owed_error(icxd_command *cmds, icxd_session *s,
                                       const char *etype,
                                       const char *condition,
                                       const char *text)
{
  xmpp_stanza_t *iq = icxd_command_session_stanza(cmds, s, "iq", "error",
                                                  s->pending_iq);

  if (iq && icxd_adopt(iq, icxd_reply_error_elem(cmds->xctx, etype, condition,
                                                 NULL, NULL, text))) {
    xmpp_stanza_release(iq);
    return NULL;
  }
  return iq;
}

/* The IO Data output of an answer that lists clouds: a match's page of
 * <matchingClouds> the session asked for (or the first one), with its
 * <set>; the same page of a subscription's clouds in <subscribed>; each
 * listed subscription's in <subscriptions> (the limits shared).  A page
 * that cannot be cut (after or before naming no cloud of the answer)
 * gives a note and IO Data of type error instead.  NULL when out of
 * memory. */
static xmpp_stanza_t *command_paged_output(icxd_command *cmds, icxd_session *s,
                                           xmpp_stanza_t *cmd, int *bad)
{
  const icxd_job_kind kind = s->job->kind;
  xmpp_stanza_t *page;
  char err[512];

  err[0] = '\0';
  if (s->job->answer_index)
    page = icxd_rsm_page_indexed(cmds->xctx, s->job->answer_xml,
                                 s->job->answer_index, &s->rsm,
                                 cmds->cfg->answer_max_items,
                                 cmds->cfg->answer_max_bytes, err, sizeof err);
  else
    page = icxd_rsm_page_answer(cmds->xctx, s->job->answer_xml,
                              kind == ICXD_JOB_SUBS_LIST ? "subscription"
                                                         : "matchingClouds",
                              &s->rsm, cmds->cfg->answer_max_items,
                              cmds->cfg->answer_max_bytes, err, sizeof err);
  if (!page) {
    if (strcmp(err, "out of memory") == 0)
      return NULL;
    *bad |= icxd_command_note(cmds, cmd, "error", err);
    return icxd_iodata_error(cmds->xctx, ICX_ERR_NOT_FOUND, err);
  }
  return icxd_iodata_output_elem(cmds->xctx, page);
}

/* Adds line='' and column='' (when known) to the <error> of an iodata
 * error: where the sender's document is wrong.  0, or -1 on ENOMEM. */
static int command_error_place(xmpp_stanza_t *iodata, long line, long column)
{
  xmpp_stanza_t *out = icxd_child(iodata, "out", NULL);
  xmpp_stanza_t *err = out ? icxd_child(out, "error", NULL) : NULL;
  char num[32];

  if (!err)
    return -1;
  snprintf(num, sizeof num, "%ld", line);
  if (xmpp_stanza_set_attribute(err, "line", num) != XMPP_EOK)
    return -1;
  snprintf(num, sizeof num, "%ld", column);
  return column > 0 && xmpp_stanza_set_attribute(err, "column", num) != XMPP_EOK
             ? -1 : 0;
}

/* The completed <command> for a finished session: output, or a note and
 * iodata of type error. */
xmpp_stanza_t *icxd_command_completed(icxd_command *cmds, icxd_session *s)
{
  icxd_job *job = s->job;
  xmpp_stanza_t *cmd = icxd_command_elem(cmds, s->node, s->id, "completed");
  xmpp_stanza_t *body = NULL;
  char note[256];
  size_t listed = 0;
  int bad = 0;

  if (!cmd)
    return NULL;
  if (job->rc == ICX_OK) {
    if (s->output == ICXD_OUT_FORM) {
      body = icxd_form_result(cmds->xctx, job->clouds, job->n_clouds,
                              cmds->cfg->answer_max_items,
                              cmds->cfg->answer_max_bytes, &listed);
      if (listed < job->n_clouds)
        snprintf(note, sizeof note, "%zu matching clouds, the first %zu "
                 "listed: this command's IO Data gives them all, page by "
                 "page (XEP-0059)", job->n_clouds, listed);
      else
        snprintf(note, sizeof note, "%zu matching cloud%s", job->n_clouds,
                 job->n_clouds == 1 ? "" : "s");
      bad |= icxd_command_note(cmds, cmd, "info", note);
    } else if (job->paged) {
      body = icxd_iodata_output(cmds->xctx, job->answer_xml);
    } else if (job->kind == ICXD_JOB_MATCH ||
               job->kind == ICXD_JOB_SUBSCRIBE ||
               job->kind == ICXD_JOB_SUBS_LIST) {
      body = command_paged_output(cmds, s, cmd, &bad);
    } else {
      body = icxd_iodata_output(cmds->xctx, job->answer_xml);
    }
    if (job->info)
      bad |= icxd_command_note(cmds, cmd, "info", job->info);
    if (job->warn)
      bad |= icxd_command_note(cmds, cmd, "warn", job->warn);
  } else {
    bad |= icxd_command_note(cmds, cmd, "error", job->errmsg ? job->errmsg
                                                   : icx_strerror(job->rc));
    if (s->output == ICXD_OUT_IODATA)
      body = icxd_iodata_error(cmds->xctx, job->rc, job->errmsg);
    if (body && job->err_line > 0)
      bad |= command_error_place(body, job->err_line, job->err_column);
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

/* The status of s as a <command status='executing'> with iodata status. */
xmpp_stanza_t *icxd_command_status(icxd_command *cmds, icxd_session *s,
                                   const char *note)
{
  xmpp_stanza_t *cmd = icxd_command_elem(cmds, s->node, s->id, "executing");
  icxd_job_state st = ICXD_JOB_DONE;
  int64_t ms = 0;
  size_t ahead = 0;
  const char *name;

  if (!cmd)
    return NULL;
  if (s->state == ICXD_SESS_RUNNING &&
      ICXD_JOB_WRITES(s->job->kind))
    icxd_writer_job_progress(cmds->writer, s->job, &st, &ms, &ahead);
  else if (s->state == ICXD_SESS_RUNNING)
    icxd_pool_job_progress(cmds->pool, s->job, &st, &ms, &ahead);
  else if (s->job)
    ms = s->job->finished_ms - s->job->started_ms;
  name = s->state == ICXD_SESS_FORM ? "awaiting-form"
         : st == ICXD_JOB_QUEUED    ? "queued"
         : st == ICXD_JOB_RUNNING   ? "running"
                                    : "done";
  if ((note && icxd_command_note(cmds, cmd, "info", note)) ||
      icxd_adopt(cmd, icxd_iodata_status(cmds->xctx, name, (long)ms,
                                         (long)ahead))) {
    xmpp_stanza_release(cmd);
    return NULL;
  }
  return cmd;
}

/* icxd_fed.c - federation: requests sent on to peers, answers merged. */
/* icxd_fed.h says what travels and why.  This file sends a request to the
 * peers, tracks the IQs sent by id with one deadline per fan-out, reads
 * the peers' answers and finishes each fan-out with the merged answer
 * (icxd_fed_request.c reads requests and merges; icxd_fed_root.c keeps a
 * root's directory). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "icx.h"
#include "icxd_access.h"
#include "icxd_fed_internal.h"
#include "icxd_iodata.h"
#include "icxd_session.h"
#include "icxd_stanza.h"

/* A forwarded request gives its peers this share of its own budget. */
#define FED_BUDGET_SHARE(ms) ((ms) / 4 * 3)
/* Below this, a forwarded request is not sent on any further. */
#define FED_MIN_BUDGET_MS 50
/* How the warning of a partial answer begins. */
#define FED_PARTIAL "partial answer: "

/* --- fan-outs --------------------------------------------------------- */

static void fed_fanout_free(fed_fanout *fo)
{
  size_t i;

  if (!fo)
    return;
  for (i = 0; i < fo->n_peers; i++) {
    free(fo->peers[i].jid);
    free(fo->peers[i].answer_xml);
    free(fo->peers[i].why);
  }
  free(fo->peers);
  icxd_job_free(fo->job);
  free(fo);
}

static fed_peer *fed_find_id(icxd_fed *f, const char *id, fed_fanout **owner)
{
  fed_fanout *fo;
  size_t i;

  for (fo = f->head; fo; fo = fo->next)
    for (i = 0; i < fo->n_peers; i++)
      if (!strcmp(fo->peers[i].id, id)) {
        *owner = fo;
        return &fo->peers[i];
      }
  return NULL;
}

static void fed_peer_fail(fed_fanout *fo, fed_peer *p, const char *why)
{
  p->state = FED_FAILED;
  free(p->why);
  p->why = strdup(why);
  fo->waiting--;
}

/* The text of the first <note type=type> of cmd, or NULL.  Lent until
 * freed with xmpp_free(). */
static char *fed_note(xmpp_stanza_t *cmd, const char *type)
{
  xmpp_stanza_t *n;

  for (n = xmpp_stanza_get_children(cmd); n; n = xmpp_stanza_get_next(n))
    if (xmpp_stanza_is_tag(n) && icxd_is(xmpp_stanza_get_name(n), "note") &&
        icxd_is(xmpp_stanza_get_type(n), type))
      return xmpp_stanza_get_text(n);
  return NULL;
}

/* When the <matchingClouds> mc of peer p holds fewer clouds than its
 * <set>'s count: a warning (new, free()), else NULL. */
static char *fed_page_note(icxd_fed *f, const fed_peer *p, xmpp_stanza_t *mc)
{
  xmpp_stanza_t *set = icxd_child(mc, "set", NULL), *c;
  xmpp_stanza_t *count = set ? icxd_child(set, "count", NULL) : NULL;
  char *text = count ? xmpp_stanza_get_text(count) : NULL, *out;
  long total = icxd_count_of(text);
  long n = 0;
  int len;

  if (text)
    xmpp_free(f->xctx, text);
  for (c = xmpp_stanza_get_children(mc); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && icxd_is(xmpp_stanza_get_name(c),
                                         "cloudName"))
      n++;
  if (total <= n)
    return NULL;
  len = snprintf(NULL, 0, "%s sent %ld of its %ld clouds (one page)", p->jid,
                 n, total);
  out = malloc((size_t)len + 1);
  if (out)
    snprintf(out, (size_t)len + 1, "%s sent %ld of its %ld clouds (one page)",
             p->jid, n, total);
  return out;
}

/* A peer's answer: an IQ result with the completed command, or an IQ
 * error. */
static void fed_answer(icxd_fed *f, fed_fanout *fo, fed_peer *p,
                       xmpp_stanza_t *iq)
{
  xmpp_stanza_t *cmd = icxd_child(iq, "command", ICXD_NS_COMMANDS);
  xmpp_stanza_t *io, *out, *mc;
  char why[512], *note, *page, *text = NULL;
  size_t len;

  if (icxd_is(xmpp_stanza_get_type(iq), "error")) {
    xmpp_stanza_t *e = icxd_child(iq, "error", NULL);
    xmpp_stanza_t *cond = NULL, *t = NULL, *c;
    char *tt = NULL;

    for (c = e ? xmpp_stanza_get_children(e) : NULL; c;
         c = xmpp_stanza_get_next(c)) {
      if (!xmpp_stanza_is_tag(c))
        continue;
      if (icxd_is(xmpp_stanza_get_name(c), "text"))
        t = c;
      else if (!cond)
        cond = c;
    }
    if (t)
      tt = xmpp_stanza_get_text(t);
    snprintf(why, sizeof why, "error %s%s%.300s",
             cond ? xmpp_stanza_get_name(cond) : "(no condition)",
             tt ? ": " : "", tt ? tt : "");
    if (tt)
      xmpp_free(f->xctx, tt);
    fed_peer_fail(fo, p, why);
    return;
  }
  if (!cmd || !icxd_is(xmpp_stanza_get_attribute(cmd, "status"),
                       "completed")) {
    fed_peer_fail(fo, p, !cmd ? "answered without a command"
                         : icxd_is(xmpp_stanza_get_attribute(cmd, "status"),
                                   "executing")
                             ? "answered 'executing' (not in time)"
                             : "answered without completing the command");
    return;
  }
  if ((note = fed_note(cmd, "error"))) {
    snprintf(why, sizeof why, "failed: %.400s", note);
    xmpp_free(f->xctx, note);
    fed_peer_fail(fo, p, why);
    return;
  }
  io = icxd_child(cmd, "iodata", ICXD_NS_IODATA);
  out = io ? icxd_child(io, "out", NULL) : NULL;
  mc = out ? icxd_child(out, fo->explain ? "explanation" : "matchingClouds",
                        NULL) : NULL;
  if (!mc || xmpp_stanza_to_text(mc, &text, &len) != XMPP_EOK || !text) {
    fed_peer_fail(fo, p, mc ? "out of memory"
                         : fo->explain ? "answered without <explanation>"
                                       : "answered without <matchingClouds>");
    return;
  }
  p->answer_xml = strdup(text);
  xmpp_free(f->xctx, text);
  if (!p->answer_xml) {
    fed_peer_fail(fo, p, "out of memory");
    return;
  }
  /* A peer's answer is one page (XEP-0059): say so when it is not all;
   * and the peer's own warning (its peers missing) travels on. */
  page = fo->explain ? NULL : fed_page_note(f, p, mc);
  if ((note = fed_note(cmd, "warn"))) {
    const char *w = note;
    size_t need;
    if (!strncmp(w, FED_PARTIAL, strlen(FED_PARTIAL)))
      w += strlen(FED_PARTIAL);
    need = strlen(w) + (page ? strlen(page) + 2 : 0) + 1;
    if ((p->why = malloc(need)))
      snprintf(p->why, need, "%s%s%s", page ? page : "", page ? "; " : "", w);
    xmpp_free(f->xctx, note);
    free(page);
  } else {
    p->why = page;
  }
  p->state = FED_ANSWERED;
  fo->waiting--;
  icxd_log(f->log, ICXD_LOG_DEBUG, "fed", "job %llu: %s answered in %lld ms",
           (unsigned long long)fo->job_id, p->jid,
           (long long)(icxd_now_ms() - fo->started_ms));
}

/* IQ results and errors: those answering a fan-out's IQs are ours. */
static int fed_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *iq, void *ud)
{
  icxd_fed *f = ud;
  const char *type = xmpp_stanza_get_type(iq);
  const char *id = xmpp_stanza_get_id(iq);
  fed_fanout *fo = NULL;
  fed_peer *p;

  (void)conn;
  if (icxd_fed_root_answer(f, iq))
    return 1;
  if (!id || strncmp(id, "fed-", 4) != 0 ||
      !(icxd_is(type, "result") || icxd_is(type, "error")))
    return 1;
  p = fed_find_id(f, id, &fo);
  if (!p || p->state != FED_WAITING)
    return 1;   /* late (timed out) or unknown: dropped */
  if (!icxd_fed_same_exchange(xmpp_stanza_get_from(iq), p->jid)) {
    icxd_log(f->log, ICXD_LOG_INFO, "fed", "answer %s from %s, not from %s: "
             "ignored", id, xmpp_stanza_get_from(iq) ?
             xmpp_stanza_get_from(iq) : "(nobody)", p->jid);
    return 1;
  }
  fed_answer(f, fo, p, iq);
  return 1;
}

icxd_fed *icxd_fed_new(icxd_conn *c, const icxd_config *cfg, icxd_logger *log)
{
  icxd_fed *f = calloc(1, sizeof *f);

  if (!f)
    return NULL;
  f->conn = c;
  f->xctx = icxd_conn_xmpp_ctx(c);
  f->cfg = cfg;
  f->log = log;
  icxd_conn_handler_add(c, fed_on_iq, NULL, "iq", NULL, f);
  return f;
}

void icxd_fed_free(icxd_fed *f)
{
  fed_fanout *fo, *next;

  if (!f)
    return;
  icxd_conn_handler_delete(f->conn, fed_on_iq);
  icxd_fed_root_free(f);
  for (fo = f->head; fo; fo = next) {
    next = fo->next;
    fed_fanout_free(fo);
  }
  free(f);
}

/* 1 if jid is listed in req's visited or is self. */
static int fed_visited(const icxd_fed_req *req, const char *self,
                       const char *jid)
{
  size_t i;

  if (icxd_fed_same_exchange(jid, self))
    return 1;
  for (i = 0; i < req->n_visited; i++)
    if (icxd_fed_same_exchange(jid, req->visited[i]))
      return 1;
  return 0;
}

/* The IQ that asks peer p: from this instance's own address, so that
 * the answer comes back to this instance when several serve one name
 * (icxd_conn_instance()); <visited> names the shared one. */
static xmpp_stanza_t *fed_request(icxd_fed *f, const fed_peer *p,
                                  const char *node, xmpp_stanza_t *fwd_in)
{
  xmpp_stanza_t *iq = icxd_elem(f->xctx, "iq", NULL);
  xmpp_stanza_t *cmd = icxd_elem(f->xctx, "command", ICXD_NS_COMMANDS);
  xmpp_stanza_t *io = icxd_elem(f->xctx, "iodata", ICXD_NS_IODATA);
  int bad = !iq || !cmd || !io;

  if (!bad)
    bad = xmpp_stanza_set_type(iq, "set") ||
          xmpp_stanza_set_id(iq, p->id) ||
          xmpp_stanza_set_to(iq, p->jid) ||
          xmpp_stanza_set_from(iq, icxd_conn_instance(f->conn)) ||
          xmpp_stanza_set_attribute(cmd, "node", node) ||
          xmpp_stanza_set_attribute(cmd, "action", "execute") ||
          xmpp_stanza_set_type(io, "input");
  if (!bad) {
    bad = icxd_adopt(io, xmpp_stanza_copy(fwd_in));
    if (!bad) {
      bad = icxd_adopt(cmd, io);
      io = NULL;
      if (!bad) {
        bad = icxd_adopt(iq, cmd);
        cmd = NULL;
      }
    } 
  }
  if (bad) {
    if (iq)
      xmpp_stanza_release(iq);
    if (cmd)
      xmpp_stanza_release(cmd);
    if (io)
      xmpp_stanza_release(io);
    return NULL;
  }
  return iq;
}

int icxd_fed_start(icxd_fed *f, uint64_t job_id, icxd_job_kind kind,
                   xmpp_stanza_t *in, const icxd_fed_req *req)
{
  const icxd_config *cfg = f->cfg;
  const char *self = cfg->jid;
  fed_fanout *fo;
  const char **visited = NULL;
  xmpp_stanza_t *fwd = NULL;
  unsigned budget = cfg->fed_peer_timeout_ms;
  size_t i, n = 0, nv = 0;
  char hex[33];
  const fed_member *m;
  size_t n_targets = cfg->n_fed_peers + f->n_members;

  if (!req->federated || !n_targets || req->hops >= cfg->fed_max_hops)
    return 0;
  if (req->hops > 0 && req->budget_ms) {
    unsigned share = FED_BUDGET_SHARE(req->budget_ms);
    if (share < budget)
      budget = share;
    if (budget < FED_MIN_BUDGET_MS)
      return 0;
  }
  fo = calloc(1, sizeof *fo);
  if (!fo)
    return -1;
  fo->job_id = job_id;
  fo->explain = kind == ICXD_JOB_EXPLAIN;
  fo->peers = calloc(n_targets, sizeof *fo->peers);
  visited = calloc(req->n_visited + n_targets + 1, sizeof *visited);
  if (!fo->peers || !visited)
    goto nomem;
  for (i = 0; i < req->n_visited; i++)
    visited[nv++] = req->visited[i];
  visited[nv++] = self;
  m = f->members;
  for (i = 0; i < n_targets; i++) {
    const char *jid;
    size_t k;

    if (i < cfg->n_fed_peers) {
      jid = cfg->fed_peers[i];
    } else {
      jid = m->jid;   /* a root's registered exchanges follow its peers */
      m = m->next;
    }

    if (fed_visited(req, self, jid))
      continue;
    for (k = 0; k < n; k++)
      if (icxd_fed_same_exchange(fo->peers[k].jid, jid))
        break;
    if (k < n)
      continue;
    fo->peers[n].jid = strdup(jid);
    if (!fo->peers[n].jid)
      goto nomem;
    if (icxd_random_hex(hex, sizeof hex) != 0)
      snprintf(hex, sizeof hex, "%llu-%zu", (unsigned long long)job_id, n);
    snprintf(fo->peers[n].id, sizeof fo->peers[n].id, "fed-%.32s", hex);
    visited[nv++] = fo->peers[n].jid;
    n++;
  }
  fo->n_peers = n;
  if (!n) {
    free(visited);
    fed_fanout_free(fo);
    return 0;
  }
  if (nv > ICXD_FED_MAX_VISITED)
    nv = ICXD_FED_MAX_VISITED;   /* the oldest stay: they are the path */
  fwd = icxd_fed_forward_in(f->xctx, in, req->hops + 1, budget, visited, nv);
  if (!fwd)
    goto nomem;
  fo->started_ms = icxd_now_ms();
  fo->deadline_ms = fo->started_ms + budget;
  fo->waiting = n;
  for (i = 0; i < n; i++) {
    xmpp_stanza_t *iq = fed_request(f, &fo->peers[i],
                                    fo->explain ? ICXD_FED_NODE_EXPLAIN
                                                : FED_NODE, fwd);
    if (!iq) {
      fo->peers[i].state = FED_FAILED;
      fo->peers[i].why = strdup("out of memory");
      fo->waiting--;
      continue;
    }
    icxd_conn_send(f->conn, iq);
  }
  xmpp_stanza_release(fwd);
  free(visited);
  fo->next = f->head;
  f->head = fo;
  icxd_log(f->log, ICXD_LOG_INFO, "fed", "job %llu: asked %zu peer%s (hop "
           "%u, %u ms)", (unsigned long long)job_id, n, n == 1 ? "" : "s",
           req->hops + 1, budget);
  return (int)n;
nomem:
  free(visited);
  fed_fanout_free(fo);
  return -1;
}

static fed_fanout *fed_find_job(const icxd_fed *f, uint64_t job_id)
{
  fed_fanout *fo;

  for (fo = f->head; fo; fo = fo->next)
    if (fo->job_id == job_id)
      return fo;
  return NULL;
}

int icxd_fed_pending(const icxd_fed *f, uint64_t job_id)
{
  fed_fanout *fo = fed_find_job(f, job_id);

  return fo && !fo->job;
}

void icxd_fed_park(icxd_fed *f, icxd_job *job)
{
  fed_fanout *fo = fed_find_job(f, job->id);

  if (fo && !fo->job)
    fo->job = job;
  else
    icxd_job_free(job);   /* misuse: not pending */
}

size_t icxd_fed_count(const icxd_fed *f)
{
  fed_fanout *fo;
  size_t n = 0;

  for (fo = f->head; fo; fo = fo->next)
    n++;
  return n;
}

static int fed_any_answered(const fed_fanout *fo)
{
  size_t i;

  for (i = 0; i < fo->n_peers; i++)
    if (fo->peers[i].state == FED_ANSWERED)
      return 1;
  return 0;
}

/* Merges the answers of a finished fan-out into its job. */
static void fed_finish(icxd_fed *f, fed_fanout *fo)
{
  icxd_job *job = fo->job;
  icxd_fed_part *parts = calloc(fo->n_peers + 1, sizeof *parts);
  char err[256], *merged, *warn = NULL;
  size_t i, n = 0, answered = 0, wlen = 0;

  if ((job->kind != ICXD_JOB_MATCH && job->kind != ICXD_JOB_EXPLAIN) ||
      (job->kind == ICXD_JOB_EXPLAIN && job->rc != ICX_OK) ||
      (job->rc != ICX_OK && (icxd_rc_is_requester_fault(job->rc) ||
                             !fed_any_answered(fo))))
    goto done;   /* the local failure is the answer */
  if (!parts)
    goto nomem;
  if (job->rc == ICX_OK) {
    parts[n].exchange = f->cfg->jid;
    parts[n++].answer_xml = job->answer_xml;
  } else {
    /* This exchange's own trouble (its store): the peers answer, and the
     * warning says what this exchange could not. */
    wlen = (size_t)snprintf(NULL, 0, "%s failed: %s", f->cfg->jid,
                            job->errmsg ? job->errmsg : icx_strerror(job->rc));
    warn = malloc(wlen + 1);
    if (!warn)
      goto nomem;
    snprintf(warn, wlen + 1, "%s failed: %s", f->cfg->jid,
             job->errmsg ? job->errmsg : icx_strerror(job->rc));
  }
  for (i = 0; i < fo->n_peers; i++) {
    fed_peer *p = &fo->peers[i];
    const char *lead = wlen ? "; " : "";
    char *grown;
    int add;

    if (p->state == FED_ANSWERED) {
      parts[n].exchange = p->jid;
      parts[n++].answer_xml = p->answer_xml;
      answered++;
      if (!p->why)
        continue;
      add = snprintf(NULL, 0, "%s%s", lead, p->why);
    } else {
      add = snprintf(NULL, 0, "%s%s %s", lead, p->jid,
                     p->why ? p->why : "did not answer");
    }
    grown = realloc(warn, wlen + (size_t)add + 1);
    if (!grown)
      goto nomem;
    warn = grown;
    if (p->state == FED_ANSWERED)
      snprintf(warn + wlen, (size_t)add + 1, "%s%s", lead, p->why);
    else
      snprintf(warn + wlen, (size_t)add + 1, "%s%s %s", lead, p->jid,
               p->why ? p->why : "did not answer");
    wlen += (size_t)add;
  }
  merged = job->kind == ICXD_JOB_EXPLAIN
               ? icxd_fed_merge_explain(f->xctx, parts, n,
                                        job->explain_max_bytes, err, sizeof err)
               : icxd_fed_merge(parts, n, err, sizeof err);
  if (!merged) {
    icxd_log(f->log, ICXD_LOG_WARN, "fed", "job %llu: merging failed: %s",
             (unsigned long long)fo->job_id, err);
    goto nomem;
  }
  icxd_job_set_answer(job, merged);
  if (job->rc != ICX_OK) {
    icxd_log(f->log, ICXD_LOG_WARN, "fed", "job %llu: answering from the "
             "peers alone: %s", (unsigned long long)fo->job_id,
             job->errmsg ? job->errmsg : icx_strerror(job->rc));
    job->rc = ICX_OK;
    free(job->errmsg);
    job->errmsg = NULL;
  }
  if (warn) {
    size_t need = wlen + 64;
    char *w = malloc(need);
    if (!w)
      goto nomem;
    snprintf(w, need, FED_PARTIAL "%s", warn);
    free(job->warn);
    job->warn = w;
  }
  icxd_log(f->log, ICXD_LOG_INFO, "fed", "job %llu: %zu of %zu peer%s "
           "answered in %lld ms%s%s", (unsigned long long)fo->job_id,
           answered, fo->n_peers, fo->n_peers == 1 ? "" : "s",
           (long long)(icxd_now_ms() - fo->started_ms),
           warn ? ": " : "", warn ? warn : "");
  goto done;
nomem:
  job->rc = ICX_ERR_NOMEM;
  free(job->errmsg);
  job->errmsg = strdup("out of memory merging the peers' answers");
done:
  free(warn);
  free(parts);
}

icxd_job *icxd_fed_take_done(icxd_fed *f, int64_t now_ms)
{
  fed_fanout **link, *fo;
  icxd_job *job;
  char why[64];
  size_t i;

  for (fo = f->head; fo; fo = fo->next) {
    if (!fo->waiting || now_ms < fo->deadline_ms)
      continue;
    snprintf(why, sizeof why, "timed out after %lld ms",
             (long long)(fo->deadline_ms - fo->started_ms));
    for (i = 0; i < fo->n_peers; i++)
      if (fo->peers[i].state == FED_WAITING)
        fed_peer_fail(fo, &fo->peers[i], why);
  }
  for (link = &f->head; (fo = *link); link = &fo->next) {
    if (!fo->job || fo->waiting)
      continue;
    *link = fo->next;
    fed_finish(f, fo);
    job = fo->job;
    fo->job = NULL;
    fed_fanout_free(fo);
    return job;
  }
  return NULL;
}

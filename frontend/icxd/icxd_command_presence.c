/* icxd_command_presence.c - presence in the commands' answers. */
/* What a request says of presence (attributes of its <constraints>), the
 * ranked answer the engine gave filtered or re-ranked by the presence
 * table, the clouds an explanation finds failing on presence alone, and
 * the administrators' list_presence. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_command_internal.h"
#include "icxd_iodata.h"
#include "icxd_rsm.h"
#include "icxd_rsm_index.h"
#include "icxd_stanza.h"
#include "icx_util.h"

int icxd_command_read_presence(xmpp_stanza_t *in, icxd_job *job, char *err,
                               size_t errlen)
{
  xmpp_stanza_t *c = icxd_child(in, "constraints", NULL);
  icxd_presence_req req;

  if (!c)
    return 0;   /* the engine says what is missing */
  if (icxd_presence_req_parse(xmpp_stanza_get_attribute(c, "presence"),
                              xmpp_stanza_get_attribute(c, "presenceRequired"),
                              xmpp_stanza_get_attribute(c, "presenceWeight"),
                              xmpp_stanza_get_attribute(c, "jid"), &req, err,
                              errlen) != 0)
    return -1;
  job->presence_on = req.on;
  job->presence_accept = req.accept;
  job->presence_required = req.required;
  job->presence_weight = req.weight;
  job->want_jids = req.jids;
  job->want_owners = req.on || req.jids;
  return 0;
}

static void command_job_req(const icxd_job *job, icxd_presence_req *req)
{
  memset(req, 0, sizeof *req);
  req->on = job->presence_on;
  req->accept = job->presence_accept;
  req->required = job->presence_required;
  req->weight = job->presence_weight;
  req->jids = job->want_jids;
}

/* The accepted states as a list ("available chat"). */
static void command_accepted(unsigned accept, char *buf, size_t len)
{
  int i;

  buf[0] = '\0';
  for (i = ICXD_SHOW_COUNT - 1; i >= 0; i--)
    if (accept & (1u << i))
      snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
               buf[0] ? " " : "", icxd_show_name((icxd_show)i));
}

/* A ranked entry of a match answer. */
typedef struct command_ranked {
  size_t i;      /* index in the engine's answer */
  int score;
  const char *name;
} command_ranked;

/* Highest score first, then by name, as the engine ranks. */
static int command_rank_cmp(const void *a, const void *b)
{
  const command_ranked *x = a, *y = b;
  int c;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  c = strcmp(x->name, y->name);
  if (c)
    return c;
  return x->i < y->i ? -1 : x->i > y->i;
}

static int command_set_int(xmpp_stanza_t *el, const char *name, long v)
{
  char num[32];

  snprintf(num, sizeof num, "%ld", v);
  return xmpp_stanza_set_attribute(el, name, num) == XMPP_EOK ? 0 : -1;
}

/* The <matchingClouds> of the kept clouds in their new order, as text
 * (written, not built as a libstrophe tree, which appends a child in
 * time linear in its siblings).  NULL on ENOMEM. */
static char *command_match_xml(const icxd_job *job, const command_ranked *kept,
                               size_t n, int scores)
{
  icx_buf b;
  char num[24];
  size_t i;

  icx_buf_init(&b, NULL);
  icx_buf_append(&b, "<matchingClouds xmlns=\"" ICX_CONSTRAINTS_NS "\">");
  for (i = 0; i < n; i++) {
    size_t k = kept[i].i;
    icx_buf_append(&b, "<cloudName");
    if (scores) {
      snprintf(num, sizeof num, "%d", kept[i].score);
      icx_buf_append_attr(&b, "score", num);
      icx_buf_append_attr(&b, "degree", icx_degree_name((icx_degree)job->degrees[k]));
    }
    if (job->want_jids && job->owners[k])
      icx_buf_append_attr(&b, "jid", job->owners[k]);
    icx_buf_append(&b, ">");
    icx_buf_append_xml(&b, job->clouds[k]);
    icx_buf_append(&b, "</cloudName>");
  }
  icx_buf_append(&b, "</matchingClouds>");
  return icx_buf_take(&b);
}

/* A match: drops the clouds that fail a required presence, or adds the
 * weight of a preferred one and ranks again; names JIDs when asked. */
static int command_presence_match(icxd_command *cmds, icxd_job *job,
                                  const icxd_presence *table)
{
  icxd_presence_req req;
  command_ranked *kept = calloc(job->n_clouds ? job->n_clouds : 1,
                                sizeof *kept);
  char **clouds = NULL, **owners = NULL, *xml;
  int *scores = NULL, *degrees = NULL;
  size_t i, n = 0;

  if (!kept)
    return -1;
  command_job_req(job, &req);
  for (i = 0; i < job->n_clouds; i++) {
    int meets = req.on && icxd_presence_meets(table, job->owners[i], &req);
    if (req.on && req.required && !meets)
      continue;
    kept[n].i = i;
    kept[n].name = job->clouds[i];
    kept[n].score = job->scores[i] + (req.on && !req.required && meets
                                          ? req.weight : 0);
    n++;
  }
  if (req.on && !req.required)
    qsort(kept, n, sizeof *kept, command_rank_cmp);
  xml = command_match_xml(job, kept, n,
                          job->beyond_paper || (req.on && !req.required));
  clouds = calloc(n ? n : 1, sizeof *clouds);
  owners = calloc(n ? n : 1, sizeof *owners);
  scores = calloc(n ? n : 1, sizeof *scores);
  degrees = calloc(n ? n : 1, sizeof *degrees);
  if (!xml || !clouds || !owners || !scores || !degrees) {
    free(xml);
    free(clouds);
    free(owners);
    free(scores);
    free(degrees);
    free(kept);
    return -1;
  }
  /* The job now holds the kept clouds in their order; the others go. */
  for (i = 0; i < n; i++) {
    size_t k = kept[i].i;
    clouds[i] = job->clouds[k];
    owners[i] = job->owners[k];
    scores[i] = kept[i].score;
    degrees[i] = job->degrees[k];
    job->clouds[k] = job->owners[k] = NULL;
  }
  for (i = 0; i < job->n_clouds; i++) {
    free(job->clouds[i]);
    free(job->owners[i]);
  }
  free(job->clouds);
  free(job->owners);
  free(job->scores);
  free(job->degrees);
  job->clouds = clouds;
  job->owners = owners;
  job->scores = scores;
  job->degrees = degrees;
  job->n_clouds = n;
  icxd_job_set_answer(job, xml);
  free(kept);
  return 0;
}

/* An explanation: a <presence> element listing the clouds that meet every
 * constraint but not the presence asked for, each with its state and
 * since when it holds. */
static int command_presence_explain(icxd_command *cmds, icxd_job *job,
                                    const icxd_presence *table)
{
  icxd_presence_req req;
  xmpp_stanza_t *top, *pres, *el;
  char accepted[80], when[32], *text = NULL, *out = NULL;
  size_t i, len, failing = 0;
  int bad;

  command_job_req(job, &req);
  if (!req.on)
    return 0;
  top = xmpp_stanza_new_from_string(cmds->xctx, job->answer_xml);
  if (!top)
    return -1;
  pres = icxd_elem(cmds->xctx, "presence", NULL);
  command_accepted(req.accept, accepted, sizeof accepted);
  bad = !pres || xmpp_stanza_set_attribute(pres, "accepted", accepted) ||
        xmpp_stanza_set_attribute(pres, "required",
                                  req.required ? "true" : "false");
  for (i = 0; !bad && i < job->n_clouds; i++) {
    icxd_show show = ICXD_SHOW_UNAVAILABLE;
    time_t since = 0;
    int seen = 0, tracked = -1;

    if (icxd_presence_meets(table, job->owners[i], &req))
      continue;
    if (++failing > ICXD_EXPLAIN_MAX_CLOUDS)
      continue;
    if (job->owners[i])
      tracked = icxd_presence_get(table, job->owners[i], &show, &since, &seen);
    el = icxd_elem(cmds->xctx, "cloud", NULL);
    bad = !el || xmpp_stanza_set_attribute(el, "name", job->clouds[i]) ||
          (job->owners[i] &&
           xmpp_stanza_set_attribute(el, "jid", job->owners[i])) ||
          xmpp_stanza_set_attribute(el, "show", icxd_show_name(show));
    if (!bad && tracked == 0) {
      icxd_presence_time(since, when, sizeof when);
      bad = xmpp_stanza_set_attribute(el, "since", when) != XMPP_EOK;
    }
    if (el)
      bad |= icxd_adopt(pres, el);
  }
  if (!bad)
    bad = command_set_int(pres, "failing", (long)failing);
  if (!bad) {
    bad = icxd_adopt(top, pres);
    pres = NULL;
  }
  if (!bad && xmpp_stanza_to_text(top, &text, &len) == XMPP_EOK && text) {
    out = strdup(text);
    xmpp_free(cmds->xctx, text);
  }
  if (pres)
    xmpp_stanza_release(pres);
  xmpp_stanza_release(top);
  if (!out)
    return -1;
  icxd_job_set_answer(job, out);
  return 0;
}

void icxd_command_apply_presence(icxd_command *cmds, icxd_job *job)
{
  /* Without a tracker nobody is present (a NULL table tracks nobody). */
  const icxd_presence *table =
      cmds->presence ? icxd_presence_tracker_table(cmds->presence) : NULL;
  int rc;

  if (job->rc != ICX_OK || !job->want_owners || !job->owners)
    return;
  rc = job->kind == ICXD_JOB_EXPLAIN
           ? command_presence_explain(cmds, job, table)
           : command_presence_match(cmds, job, table);
  if (rc != 0) {
    job->rc = ICX_ERR_NOMEM;
    free(job->errmsg);
    job->errmsg = strdup("out of memory");
  }
}

/* --- list_presence ------------------------------------------------------- */

xmpp_stanza_t *icxd_command_presence_list(icxd_command *cmds,
                                          const icxd_rsm_req *rsm, char *err,
                                          size_t errlen)
{
  const icxd_presence *table =
      cmds->presence ? icxd_presence_tracker_table(cmds->presence) : NULL;
  size_t i, n = table ? icxd_presence_count(table) : 0;
  xmpp_stanza_t *page = NULL;
  icxd_rsm_index *ix = NULL;
  char *text;
  icx_buf b;

  /* Written as text and paged from its index as a match's answer is (up
   * to max_presence publishers, 10,000 of them about 1.2 MB, would not
   * fit one stanza; built as a libstrophe tree they took time growing
   * with the square of their number). */
  icx_buf_init(&b, NULL);
  icx_buf_appendf(&b, "<presenceList xmlns='" ICX_CONSTRAINTS_NS
                      "' followed='%zu' max='%zu'>",
                  n, table ? icxd_presence_max(table) : (size_t)0);
  for (i = 0; i < n; i++) {
    icxd_show show;
    time_t since;
    int seen;
    size_t res;
    const char *jid = icxd_presence_at(table, i, &show, &since, &seen, &res);
    char when[32];

    icxd_presence_time(since, when, sizeof when);
    icx_buf_append(&b, "<publisher");
    icx_buf_append_attr(&b, "jid", jid);
    icx_buf_append_attr(&b, "show", icxd_show_name(show));
    icx_buf_append_attr(&b, "since", when);
    icx_buf_append_attr(&b, "seen", seen ? "true" : "false");
    icx_buf_appendf(&b, " resources='%zu'/>", res);
  }
  icx_buf_append(&b, "</presenceList>");
  if (!(text = icx_buf_take(&b))) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  /* Indexed whatever the addresses hold: XML has read each of them from
   * an attribute, where a tab or a line break became a space. */
  if (!(ix = icxd_rsm_index_new(text, "presenceList", "publisher", "jid")))
    snprintf(err, errlen, "out of memory");
  else
    page = icxd_rsm_page_indexed(cmds->xctx, text, ix, rsm,
                                 cmds->cfg->answer_max_items,
                                 cmds->cfg->answer_max_bytes, err, errlen);
  icxd_rsm_index_free(ix);
  free(text);
  return page ? icxd_iodata_output_elem(cmds->xctx, page) : NULL;
}

/* list_presence: one stage, no session; answered at once from the table
 * (IO Data input, io-schemata-get, or no payload at all). */
void icxd_command_list_presence(icxd_command *cmds, xmpp_stanza_t *iq,
                                const char *action, xmpp_stanza_t *iodata)
{
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;
  xmpp_stanza_t *cmd, *in, *out;
  icxd_rsm_req rsm;
  char sid[40], hex[33], err[256];

  /* One stage: the sessionid names the answer and nothing stays open. */
  if (icxd_random_hex(hex, sizeof hex) != 0)
    hex[0] = '\0';
  snprintf(sid, sizeof sid, "icx-%s", hex);
  if (!icxd_is(action, "execute") && !icxd_is(action, "complete")) {
    icxd_command_bad_request(cmds, iq, "bad-action",
                        "list_presence has a single stage: execute it");
    return;
  }
  if (iodata && icxd_is(iotype, "io-schemata-get")) {
    cmd = icxd_command_elem(cmds, ICXD_NODE_PRESENCE, sid, "completed");
    if (cmd && icxd_adopt(cmd, icxd_iodata_schemata_of(
                                   cmds->xctx,
                                   "The presence of the publishers this "
                                   "exchange follows (administrators only)",
                                   icxd_schema_presence_input(),
                                   icxd_schema_presence_output())))
      cmd = NULL;
    icxd_command_reply(cmds, iq, cmd);
    return;
  }
  if (iodata && !icxd_is(iotype, "input")) {
    icxd_command_bad_request(cmds, iq, "bad-payload",
                        "list_presence takes no input, or iodata of type "
                        "input or io-schemata-get");
    return;
  }
  memset(&rsm, 0, sizeof rsm);
  rsm.max = rsm.index = -1;
  in = iodata ? icxd_child(iodata, "in", NULL) : NULL;
  if (in && icxd_rsm_parse(in, &rsm, err, sizeof err) != 0) {
    icxd_command_bad_request(cmds, iq, "bad-payload", err);
    return;
  }
  err[0] = '\0';
  cmd = icxd_command_elem(cmds, ICXD_NODE_PRESENCE, sid, "completed");
  out = cmd ? icxd_command_presence_list(cmds, &rsm, err, sizeof err) : NULL;
  if (cmd && !out && err[0] && strcmp(err, "out of memory") != 0 &&
      !icxd_command_note(cmds, cmd, "error", err))
    out = icxd_iodata_error(cmds->xctx, ICX_ERR_NOT_FOUND, err);   /* after= names nobody */
  if (cmd && (!out || icxd_adopt(cmd, out))) {
    xmpp_stanza_release(cmd);
    cmd = NULL;
  }
  icxd_rsm_req_clear(&rsm);
  icxd_command_reply(cmds, iq, cmd);
}

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

/* 1 when r[0..n) is in command_rank_cmp()'s order. */
static int command_rank_sorted(const command_ranked *r, size_t n)
{
  size_t i;

  for (i = 1; i < n; i++)
    if (command_rank_cmp(&r[i - 1], &r[i]) > 0)
      return 0;
  return 1;
}

/* The runs a[0..na) and b[0..nb), each in command_rank_cmp()'s order, in
 * that order in out (na + nb entries, apart from both). */
static void command_rank_merge(const command_ranked *a, size_t na,
                               const command_ranked *b, size_t nb,
                               command_ranked *out)
{
  size_t i = 0, j = 0, k = 0;

  while (i < na && j < nb)
    out[k++] = command_rank_cmp(&b[j], &a[i]) < 0 ? b[j++] : a[i++];
  while (i < na)
    out[k++] = a[i++];
  while (j < nb)
    out[k++] = b[j++];
}

/* Appends cloud i of job as a <cloudName> (with score and degree when
 * scores, with its JID when the request asked for JIDs). */
static void command_match_item(icx_buf *b, const icxd_job *job, size_t i,
                               int scores)
{
  char num[24];

  icx_buf_append(b, "<cloudName");
  if (scores) {
    snprintf(num, sizeof num, "%d", job->scores[i]);
    icx_buf_append_attr(b, "score", num);
    icx_buf_append_attr(b, "degree", icx_degree_name((icx_degree)job->degrees[i]));
  }
  if (job->want_jids && job->owners[i])
    icx_buf_append_attr(b, "jid", job->owners[i]);
  icx_buf_append(b, ">");
  icx_buf_append_xml(b, job->clouds[i]);
  icx_buf_append(b, "</cloudName>");
}

/* How many characters v takes written in decimal. */
static size_t command_int_len(int v)
{
  unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
  size_t n = v < 0 ? 2 : 1;

  while (u >= 10) {
    u /= 10;
    n++;
  }
  return n;
}

/* What command_match_xml() pages. */
typedef struct command_page_of {
  const icxd_job *job;
  int scores;
} command_page_of;

/* The bytes of cloud i of the job as command_match_item() writes it, as
 * icxd_rsm_page() counts them; measured, not written. */
static size_t command_match_item_size(void *ud, size_t i)
{
  const command_page_of *p = ud;
  const icxd_job *job = p->job;
  size_t n = icxd_rsm_item_size("cloudName", job->clouds[i]);

  if (p->scores)
    n += icxd_rsm_attr_size("score", "") + command_int_len(job->scores[i]) +
         icxd_rsm_attr_size("degree", icx_degree_name((icx_degree)job->degrees[i]));
  if (job->want_jids && job->owners[i])
    n += icxd_rsm_attr_size("jid", job->owners[i]);
  return n;
}

/* job's clouds (in their order) as the text of a <matchingClouds>: all of
 * them (page NULL), or only the page page asks for and the <set> that
 * says where it lies, as icxd_rsm_page_indexed() would cut it from the
 * whole.  Written, not built as a libstrophe tree, which appends a child
 * in time linear in its siblings.  NULL with err set when the page
 * cannot be cut (after= or before= naming no cloud), or "out of
 * memory". */
static char *command_match_xml(const icxd_command *cmds, const icxd_job *job,
                               int scores, const icxd_rsm_req *page,
                               char *err, size_t errlen)
{
  command_page_of of = { job, scores };
  size_t i, first = 0, count = job->n_clouds;
  icx_buf b;
  char *xml;

  if (page && icxd_rsm_page_sized(page, (const char *const *)job->clouds,
                                  command_match_item_size, &of, job->n_clouds,
                                  cmds->cfg->answer_max_items,
                                  cmds->cfg->answer_max_bytes, &first, &count,
                                  err, errlen) != 0)
    return NULL;
  icx_buf_init(&b, NULL);
  icx_buf_append(&b, "<matchingClouds xmlns=\"" ICX_CONSTRAINTS_NS "\">");
  for (i = first; i < first + count; i++)
    command_match_item(&b, job, i, scores);
  if (page)
    icxd_rsm_set_append(&b, count ? job->clouds[first] : NULL, first,
                        count ? job->clouds[first + count - 1] : NULL,
                        job->n_clouds);
  icx_buf_append(&b, "</matchingClouds>");
  if (!(xml = icx_buf_take(&b)))
    snprintf(err, errlen, "out of memory");
  return xml;
}

/* A match: drops the clouds that fail a required presence, or adds the
 * weight of a preferred one and ranks again; names JIDs when asked.  The
 * engine's answer is in command_rank_cmp()'s order, and so is each of
 * the two runs a preferred presence splits it into (those that meet it
 * and the others), so the new order is their merge, in time linear in
 * the answer (an answer in another order is sorted).  With page, only
 * that page is written (job->paged): the loop thread's time for a page
 * of 280,000 clouds was 120 ms writing, indexing and sorting them all
 * (doc/performance.md, "A page of an answer ranked by presence"). */
static int command_presence_match(icxd_command *cmds, icxd_job *job,
                                  const icxd_presence *table,
                                  const icxd_rsm_req *page)
{
  icxd_presence_req req;
  size_t cap = job->n_clouds ? job->n_clouds : 1;
  command_ranked *runs = malloc(2 * cap * sizeof *runs), *kept = runs + cap;
  unsigned char *meets = calloc(cap, 1);
  char **clouds = NULL, **owners = NULL, *xml, err[512];
  int *scores = NULL, *degrees = NULL;
  size_t i, n = 0, na = 0;
  int pass, scored;

  if (!runs || !meets) {
    free(runs);
    free(meets);
    return -1;
  }
  command_job_req(job, &req);
  for (i = 0; req.on && i < job->n_clouds; i++)
    meets[i] = (unsigned char)icxd_presence_meets(table, job->owners[i], &req);
  /* Those that meet it first, then (unless it is required) the others,
   * each run in the engine's order; all of them when none is asked. */
  for (pass = 0; pass < 2; pass++) {
    if (pass == 1 && (!req.on || req.required))
      break;
    for (i = 0; i < job->n_clouds; i++) {
      if (req.on && meets[i] != (pass == 0))
        continue;
      runs[n].i = i;
      runs[n].name = job->clouds[i];
      runs[n].score = job->scores[i] + (req.on && !req.required && meets[i]
                                            ? req.weight : 0);
      n++;
    }
    if (pass == 0)
      na = n;
  }
  free(meets);
  if (!req.on || req.required) {
    memcpy(kept, runs, n * sizeof *kept);       /* filtered, in its order */
  } else if (command_rank_sorted(runs, na) &&
             command_rank_sorted(runs + na, n - na)) {
    command_rank_merge(runs, na, runs + na, n - na, kept);
  } else {
    memcpy(kept, runs, n * sizeof *kept);
    qsort(kept, n, sizeof *kept, command_rank_cmp);
  }
  clouds = calloc(n ? n : 1, sizeof *clouds);
  owners = calloc(n ? n : 1, sizeof *owners);
  scores = calloc(n ? n : 1, sizeof *scores);
  degrees = calloc(n ? n : 1, sizeof *degrees);
  if (!clouds || !owners || !scores || !degrees) {
    free(clouds);
    free(owners);
    free(scores);
    free(degrees);
    free(runs);
    return -1;
  }
  /* The job now holds the kept clouds in their order; the others go
   * (unless they are a kept answer's, lent). */
  for (i = 0; i < n; i++) {
    size_t k = kept[i].i;
    clouds[i] = job->clouds[k];
    owners[i] = job->owners[k];
    scores[i] = kept[i].score;
    degrees[i] = job->degrees[k];
    job->clouds[k] = job->owners[k] = NULL;
  }
  free(runs);
  for (i = 0; !job->clouds_ref && i < job->n_clouds; i++) {
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
  scored = job->beyond_paper || (req.on && !req.required);
  xml = command_match_xml(cmds, job, scored, page, err, sizeof err);
  if (!xml && page && strcmp(err, "out of memory") != 0) {
    /* after= or before= names no cloud of this answer: the whole of it,
     * whose page the session then fails to cut as any answer's. */
    page = NULL;
    xml = command_match_xml(cmds, job, scored, NULL, err, sizeof err);
  }
  if (!xml)
    return -1;
  job->paged = page != NULL;
  icxd_job_set_answer(job, xml);
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

void icxd_command_apply_presence(icxd_command *cmds, icxd_job *job,
                                 const icxd_rsm_req *page)
{
  /* Without a tracker nobody is present (a NULL table tracks nobody). */
  const icxd_presence *table =
      cmds->presence ? icxd_presence_tracker_table(cmds->presence) : NULL;
  int rc;

  if (job->rc != ICX_OK || !job->want_owners || !job->owners)
    return;
  rc = job->kind == ICXD_JOB_EXPLAIN
           ? command_presence_explain(cmds, job, table)
           : command_presence_match(cmds, job, table, page);
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

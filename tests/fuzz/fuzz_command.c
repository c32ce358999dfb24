/* fuzz_command.c - libFuzzer target: an ad-hoc command stanza through
 * icxd's request reading and answer building, without a server. */
/* Each input is parsed by libstrophe into a stanza (as icxd receives it).
 * An IQ that icxd's gate would let through (type get or set, one payload)
 * and that carries a <command> of one of icxd's nodes goes through the
 * functions icxd's command module reads requests and builds answers with:
 * IO Data input becomes a job (icxd_command_job_from_iodata(), and for
 * explain_constraints icxd_iodata_explain_clouds()), a submitted data form
 * becomes one (icxd_form_collect()); the job runs as a worker runs it
 * (icxd_job_constraints(), icxd_job_run()) on a store holding the shipped
 * clouds; the completed <command> (icxd_command_completed()) goes into an
 * IQ result addressed back to the sender, and a refused form into an IQ
 * error; both are serialized as they would be sent.  A schemata request
 * and a command without payload get their answers built too.  The other
 * readers of hostile input go through as well: a federated request's
 * <federation> element (icxd_fed_read(), and the copy sent on to peers,
 * icxd_fed_forward_in()); a publish or a withdrawal (icxd_publish_read(),
 * icxd_withdraw_read(), then the answer or the redacted error); a
 * subscription's constraints and presence (icxd_command_read_presence());
 * and an IQ result carrying a completed command, read as a peer
 * exchange's answer: its <matchingClouds> or <explanation> merged with a
 * local one (icxd_fed_merge(), icxd_fed_merge_explain()), as a hostile
 * peer's answer would be, and its <subscribed> or <subscriptions> cut
 * into pages (icxd_rsm_page_answer()); these answers, the merged
 * one too, are paged from their index (icxd_rsm_page_indexed()) where
 * they can be indexed, and must give the tree's pages.  What this does not cover: the routing between
 * sessions and actions in icxd_command.c, loading a published document
 * into the store (fuzz_document covers the parsers), the threads and the
 * connection. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <strophe.h>

#include "fuzz.h"
#include "icxd_command_internal.h"
#include "icxd_fed.h"
#include "icxd_form.h"
#include "icxd_iodata.h"
#include "icxd_publish.h"
#include "icxd_reply.h"
#include "icxd_rsm.h"
#include "icxd_rsm_index.h"
#include "icxd_stanza.h"

static icx_ctx *fx_ctx;
static icx_vocab *fx_vocab;
static icx_store *fx_store;
static xmpp_ctx_t *fx_xctx;
static icxd_config *fx_cfg;   /* the defaults: answer paging limits */

#define FX_SELF "icx.example.org"
#define FX_ACTOR "user@example.org"
#define FX_LOCAL "<matchingClouds><cloudName score='0.5'>cloud1</cloudName>" \
  "<cloudName score='1'>cloud2</cloudName></matchingClouds>"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  xmpp_initialize();
  fx_xctx = xmpp_ctx_new(NULL, NULL);
  if (!fx_xctx)
    abort();
  fx_cfg = icxd_config_new();
  if (!fx_cfg)
    abort();
  fx_ctx = fuzz_ctx(2000);
  fx_vocab = fuzz_vocab(fx_ctx);
  fx_store = fuzz_store_clouds(fx_ctx, fx_vocab);
  return 0;
}

/* Serializes and drops st (consumed; NULL is a no-op), as sending does. */
static void fx_send(xmpp_stanza_t *st)
{
  char *text = NULL;
  size_t len = 0;

  if (!st)
    return;
  if (xmpp_stanza_to_text(st, &text, &len) == XMPP_EOK)
    xmpp_free(fx_xctx, text);
  xmpp_stanza_release(st);
}

/* The IQ result answering iq, carrying payload (consumed). */
static void fx_result(xmpp_stanza_t *iq, xmpp_stanza_t *payload)
{
  xmpp_stanza_t *res = icxd_reply_iq_new(fx_xctx, iq, "result", FX_SELF,
                                         "example.org");

  if (res && icxd_adopt(res, payload)) {
    xmpp_stanza_release(res);
    return;
  }
  if (!res && payload)
    xmpp_stanza_release(payload);
  fx_send(res);
}

static void fx_error(xmpp_stanza_t *iq, const char *text)
{
  fx_send(icxd_reply_iq_error_new(fx_xctx, iq, FX_SELF, "example.org", "modify",
                                  "bad-request", ICXD_NS_COMMANDS,
                                  "bad-payload", text));
}

/* Runs job (consumed) and answers iq with the completed command, the
 * page rsm asks for (consumed) of an IO Data answer. */
static void fx_complete(xmpp_stanza_t *iq, const char *node, icxd_job *job,
                        icxd_sess_output output, icxd_rsm_req *rsm)
{
  icxd_command cmds;
  icxd_session s;
  icx_constraints *set = NULL;

  if (job->rc == ICX_OK &&
      icxd_job_constraints(fx_ctx, fx_vocab, job, &set) == ICX_OK)
    icxd_job_run(fx_ctx, fx_store, set, job);
  icx_constraints_free(set);
  memset(&cmds, 0, sizeof cmds);
  cmds.xctx = fx_xctx;
  cmds.cfg = fx_cfg;
  cmds.vocab = fx_vocab;
  memset(&s, 0, sizeof s);
  strcpy(s.id, "icx-fuzz");
  s.node = node;
  s.state = ICXD_SESS_DONE;
  s.output = output;
  s.job = job;
  s.rsm = *rsm;
  fx_result(iq, icxd_command_completed(&cmds, &s));
  icxd_rsm_req_clear(&s.rsm);
  icxd_job_free(job);
}

/* A federated request's scope and visited list, and the copy that
 * would go on to peers. */
static void fx_federation(xmpp_stanza_t *in)
{
  icxd_fed_req req;
  char err[256];

  if (icxd_fed_read(in, &req, err, sizeof err) == 0 && req.federated) {
    const char **visited = malloc((req.n_visited + 1) * sizeof *visited);
    size_t i;

    if (visited) {
      for (i = 0; i < req.n_visited; i++)
        visited[i] = req.visited[i];
      visited[i] = FX_SELF;
      fx_send(icxd_fed_forward_in(fx_xctx, in, req.hops + 1, req.budget_ms,
                                  visited, req.n_visited + 1));
      free(visited);
    }
  }
  icxd_fed_req_clear(&req);
}

/* A publish or a withdrawal read as icxd reads it: the answer it would
 * send, or its error with other accounts' documents redacted. */
static void fx_publish(xmpp_stanza_t *iq, const char *node, xmpp_stanza_t *in)
{
  icxd_job *job = icxd_job_new(0);
  char err[256], *text;
  icx_rc rc;

  if (!job)
    return;
  err[0] = '\0';
  if (icxd_is(node, ICXD_NODE_PUBLISH))
    rc = icxd_publish_read(fx_xctx, in, FX_ACTOR, 0, 65536, job, err,
                           sizeof err);
  else
    rc = icxd_withdraw_read(fx_xctx, in, FX_ACTOR, 0, job, err, sizeof err);
  if (rc == ICX_OK) {
    text = icxd_publish_answer("published", job->doc_uri, job->doc_name,
                               job->doc_owner, "turtle", 0, NULL, 0);
  } else {
    long line, column;
    const char *at = icxd_publish_locate(err, "document", &line, &column);
    text = icxd_publish_redact(at, FX_ACTOR);
    fx_error(iq, text ? text : err);
  }
  free(text);
  icxd_job_free(job);
}

/* The <matchingClouds> or (explain) <explanation> of out merged as
 * icxd_fed merges a peer's: a match after a local answer, an explanation
 * as this exchange's and as a peer's at once. */
/* A page of xml from its index and from a tree: the same text, or the
 * same error (a difference aborts: the fuzzer reports it). */
static void fx_same_page(const char *xml, const char *list,
                         const icxd_rsm_index *ix, const icxd_rsm_req *rsm)
{
  char e1[256] = "", e2[256] = "", *t1 = NULL, *t2 = NULL;
  xmpp_stanza_t *a = icxd_rsm_page_answer(fx_xctx, xml, list, rsm,
                                          3, 200, e1, sizeof e1);
  xmpp_stanza_t *b = icxd_rsm_page_indexed(fx_xctx, xml, ix, rsm, 3, 200, e2,
                                           sizeof e2);
  size_t len;
  int same;

  if (a)
    xmpp_stanza_to_text(a, &t1, &len);
  if (b)
    xmpp_stanza_to_text(b, &t2, &len);
  same = (a && b) ? t1 && t2 && strcmp(t1, t2) == 0 : !a && !b && strcmp(e1, e2) == 0;
  if (t1)
    xmpp_free(fx_xctx, t1);
  if (t2)
    xmpp_free(fx_xctx, t2);
  if (a)
    xmpp_stanza_release(a);
  if (b)
    xmpp_stanza_release(b);
  if (!same)
    abort();
}

/* An answer as icxd pages it (icxd_job_set_answer()): when it can be
 * indexed, pages from the index are the tree's. */
static void fx_index_pages(const char *xml, const char *list)
{
  icxd_rsm_index *ix = icxd_rsm_index_new(xml, list, "cloudName", NULL);
  icxd_rsm_req rsm;

  if (!ix)
    return;
  memset(&rsm, 0, sizeof rsm);
  rsm.max = rsm.index = -1;
  fx_same_page(xml, list, ix, &rsm);
  rsm.index = 2;
  fx_same_page(xml, list, ix, &rsm);
  rsm.index = -1;
  rsm.before = (char *)"";
  fx_same_page(xml, list, ix, &rsm);
  icxd_rsm_index_free(ix);
}

static void fx_merge(xmpp_stanza_t *out, int explain)
{
  xmpp_stanza_t *el = icxd_child(out, explain ? "explanation" : "matchingClouds", NULL);
  icxd_fed_part parts[2];
  char err[256], *text = NULL, *merged;
  size_t len;

  if (!el || xmpp_stanza_to_text(el, &text, &len) != XMPP_EOK)
    return;
  parts[0].exchange = FX_SELF;
  parts[0].answer_xml = explain ? text : FX_LOCAL;
  parts[1].exchange = "icx.peer.example";
  parts[1].answer_xml = text;
  merged = explain ? icxd_fed_merge_explain(fx_xctx, parts, 2, 8192, err, sizeof err)
                   : icxd_fed_merge(parts, 2, err, sizeof err);
  if (merged && !explain)
    fx_index_pages(merged, "matchingClouds");
  if (!explain)
    fx_index_pages(text, "matchingClouds");
  free(merged);
  xmpp_free(fx_xctx, text);
}

/* The lists of clouds in a <subscribed> or <subscriptions> of out cut
 * into pages as icxd_command_completed() cuts a subscription's answer
 * (icxd_rsm_page_answer(), small limits so that cuts happen). */
static void fx_page_lists(xmpp_stanza_t *out)
{
  static const char *const tops[] = { "subscribed", "subscriptions" };
  static const char *const lists[] = { "matchingClouds", "subscription" };
  xmpp_stanza_t *top, *page;
  icxd_rsm_req rsm;
  char err[256], *text;
  size_t k, len;

  memset(&rsm, 0, sizeof rsm);
  rsm.max = rsm.index = -1;
  for (k = 0; k < 2; k++) {
    if (!(top = icxd_child(out, tops[k], NULL)) ||
        xmpp_stanza_to_text(top, &text, &len) != XMPP_EOK)
      continue;
    page = icxd_rsm_page_answer(fx_xctx, text, lists[k], &rsm, 5, 1024, err,
                                sizeof err);
    fx_index_pages(text, lists[k]);
    xmpp_free(fx_xctx, text);
    if (page)
      xmpp_stanza_release(page);
  }
}

/* An IQ result read as a peer exchange's answer to a fan-out. */
static void fx_peer_answer(xmpp_stanza_t *command)
{
  xmpp_stanza_t *io = icxd_child(command, "iodata", ICXD_NS_IODATA);
  xmpp_stanza_t *out = io ? icxd_child(io, "out", NULL) : NULL;

  if (out) {
    fx_merge(out, 0);
    fx_merge(out, 1);
    fx_page_lists(out);
  }
}

static void fx_command(xmpp_stanza_t *iq, xmpp_stanza_t *command)
{
  const char *node = xmpp_stanza_get_attribute(command, "node");
  xmpp_stanza_t *iodata = icxd_child(command, "iodata", ICXD_NS_IODATA);
  xmpp_stanza_t *x = icxd_child(command, "x", ICXD_NS_DATA);
  xmpp_stanza_t *in;
  icxd_job *job;
  icxd_rsm_req rsm;
  char err[256];
  int explain;
  icx_rc rc;

  in = iodata ? icxd_child(iodata, "in", NULL) : NULL;
  if (in && (icxd_is(node, ICXD_NODE_PUBLISH) ||
             icxd_is(node, ICXD_NODE_WITHDRAW))) {
    fx_publish(iq, node, in);
    return;
  }
  if (in && icxd_is(node, ICXD_NODE_SUBSCRIBE)) {
    job = icxd_command_job_from_iodata(fx_xctx, in);
    if (job && icxd_command_read_presence(in, job, err, sizeof err) != 0)
      fx_error(iq, err);
    else if (job) {
      /* Its first answer is a match as any. */
      memset(&rsm, 0, sizeof rsm);
      rsm.max = rsm.index = -1;
      fx_complete(iq, ICXD_NODE, job, ICXD_OUT_IODATA, &rsm);
      return;
    }
    icxd_job_free(job);
    return;
  }
  explain = icxd_is(node, ICXD_NODE_EXPLAIN);
  if (explain)
    node = ICXD_NODE_EXPLAIN;
  else if (icxd_is(node, ICXD_NODE))
    node = ICXD_NODE;
  else
    return;
  if (iodata) {
    if (icxd_is(xmpp_stanza_get_type(iodata), "io-schemata-get")) {
      fx_result(iq, explain ? icxd_iodata_schemata_explain(fx_xctx)
                            : icxd_iodata_schemata(fx_xctx));
      return;
    }
    if (!icxd_is(xmpp_stanza_get_type(iodata), "input") || !in)
      return;
    memset(&rsm, 0, sizeof rsm);
    rsm.max = rsm.index = -1;
    if (!explain && icxd_rsm_parse(in, &rsm, err, sizeof err) != 0) {
      fx_error(iq, err);
      return;
    }
    fx_federation(in);
    job = icxd_command_job_from_iodata(fx_xctx, in);
    if (!job) {
      icxd_rsm_req_clear(&rsm);
      return;
    }
    if (icxd_command_read_presence(in, job, err, sizeof err) != 0) {
      fx_error(iq, err);
      icxd_job_free(job);
      icxd_rsm_req_clear(&rsm);
      return;
    }
    if (explain) {
      job->kind = ICXD_JOB_EXPLAIN;
      rc = icxd_iodata_explain_clouds(fx_xctx, in, job, err, sizeof err);
      if (rc != ICX_OK) {
        job->rc = rc;
        job->errmsg = strdup(err);
      }
    }
    fx_complete(iq, node, job, ICXD_OUT_IODATA, &rsm);
    return;
  }
  if (explain)
    return;
  if (x && icxd_is(xmpp_stanza_get_type(x), "submit")) {
    job = icxd_job_new(0);
    if (!job)
      return;
    if (icxd_form_collect(fx_xctx, x, job, err, sizeof err) != 0) {
      icxd_job_free(job);
      fx_error(iq, err);
      return;
    }
    memset(&rsm, 0, sizeof rsm);
    rsm.max = rsm.index = -1;
    fx_complete(iq, node, job, ICXD_OUT_FORM, &rsm);
    return;
  }
  fx_result(iq, icxd_form_request(fx_xctx, fx_vocab));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = fuzz_cstring(data, size);
  xmpp_stanza_t *st = xmpp_stanza_new_from_string(fx_xctx, text);
  xmpp_stanza_t *command;
  const char *type;

  free(text);
  if (!st)
    return 0;
  type = xmpp_stanza_get_type(st);
  /* What icxd's gate lets through to the handlers. */
  if (icxd_is(xmpp_stanza_get_name(st), "iq") &&
      (icxd_is(type, "get") || icxd_is(type, "set")) &&
      icxd_count_children(st) == 1) {
    command = icxd_child(st, "command", ICXD_NS_COMMANDS);
    if (command && icxd_is(type, "set"))
      fx_command(st, command);
  }
  /* A completed command coming back: a peer's answer to a fan-out. */
  if (icxd_is(xmpp_stanza_get_name(st), "iq") && icxd_is(type, "result") &&
      (command = icxd_child(st, "command", ICXD_NS_COMMANDS)))
    fx_peer_answer(command);
  xmpp_stanza_release(st);
  return 0;
}

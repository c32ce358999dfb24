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
 * and a command without payload get their answers built too.  What this
 * does not cover: the routing between sessions and actions in
 * icxd_command.c, the threads and the connection. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <strophe.h>

#include "fuzz.h"
#include "icxd_command_internal.h"
#include "icxd_form.h"
#include "icxd_iodata.h"
#include "icxd_reply.h"
#include "icxd_rsm.h"
#include "icxd_stanza.h"

static icx_ctx *fx_ctx;
static icx_vocab *fx_vocab;
static icx_store *fx_store;
static xmpp_ctx_t *fx_xctx;
static icxd_config *fx_cfg;   /* the defaults: answer paging limits */

#define FX_SELF "icx.example.org"

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
    in = icxd_child(iodata, "in", NULL);
    if (!icxd_is(xmpp_stanza_get_type(iodata), "input") || !in)
      return;
    memset(&rsm, 0, sizeof rsm);
    rsm.max = rsm.index = -1;
    if (!explain && icxd_rsm_parse(in, &rsm, err, sizeof err) != 0) {
      fx_error(iq, err);
      return;
    }
    job = icxd_command_job_from_iodata(fx_xctx, in);
    if (!job) {
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
  xmpp_stanza_release(st);
  return 0;
}

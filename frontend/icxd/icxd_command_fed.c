/* icxd_command_fed.c - the commands' part in the federation. */
/* A federated match handed to icxd_fed.h once its local job is queued,
 * and register_exchange at a root: who may, and the answer. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icxd_command_internal.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

/* register_exchange is for roots, and for the exchanges [access] federate
 * allows; anyone else is answered here: 1 if the sender may, else 0. */
int icxd_command_register_allowed(icxd_command *cmds, xmpp_stanza_t *iq)
{
  const char *from = xmpp_stanza_get_from(iq);
  const char *node = ICXD_NODE_REGISTER;

  if (!cmds->cfg->fed_root) {
    icxd_reply_error(cmds->conn, iq, "cancel", "service-unavailable", NULL,
                     NULL, "this exchange is not a root ([federation] "
                     "role)");
    return 0;
  }
  if (from && icxd_access_allows(&cmds->cfg->access, from,
                                 ICXD_RIGHT_FEDERATE))
    return 1;
  icxd_reply_forbidden(cmds->conn, iq, node,
                       "this root's access list ([access] federate) does not "
                       "let your JID register as an exchange");
  return 0;
}

/* A federated match whose job is with the workers: the same request goes
 * to the peers (icxd_fed.h).  A request that came from another exchange
 * is not turned into 'executing' before the asking exchange's budget is
 * spent (an asker that waits for the IQ's answer has no use for it), and
 * only after the async threshold more. */
void icxd_command_start_fed(icxd_command *cmds, icxd_session *s,
                            xmpp_stanza_t *in, const icxd_fed_req *fed)
{
  if (icxd_fed_start(cmds->fed, s->job_id, s->job->kind, in, fed) < 0)
    icxd_log(cmds->log, ICXD_LOG_WARN, "fed", "session %s: out of memory: "
             "answering from local clouds only", s->id);
  if (fed->hops > 0)
    s->deadline_ms = icxd_now_ms() + cmds->cfg->async_threshold_ms +
                     (fed->budget_ms ? fed->budget_ms
                                     : cmds->cfg->fed_peer_timeout_ms);
}

/* register_exchange at a root, from an exchange [access] federate allows:
 * one stage, no session, no payload; the sender joins (or renews its
 * place in) the directory. */
void icxd_command_register(icxd_command *cmds, xmpp_stanza_t *iq,
                           const char *action)
{
  const char *from = xmpp_stanza_get_from(iq);
  xmpp_stanza_t *cmd;
  char sid[40], hex[33], note[300];
  int rc;

  if (!icxd_is(action, "execute") && !icxd_is(action, "complete")) {
    icxd_reply_error(cmds->conn, iq, "modify", "bad-request",
                     ICXD_NS_COMMANDS, "bad-action",
                     "register_exchange has a single stage: execute it");
    return;
  }
  rc = icxd_fed_register(cmds->fed, from, icxd_now_ms());
  if (rc < 0) {
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL,
                     NULL, "the directory is full or out of memory");
    return;
  }
  if (icxd_random_hex(hex, sizeof hex) != 0)
    hex[0] = '\0';
  snprintf(sid, sizeof sid, "icx-%s", hex);
  snprintf(note, sizeof note, "%.200s %s this root's directory (%zu "
           "exchange%s)", from, rc ? "joined" : "renewed its place in",
           icxd_fed_member_count(cmds->fed),
           icxd_fed_member_count(cmds->fed) == 1 ? "" : "s");
  cmd = icxd_command_elem(cmds, ICXD_NODE_REGISTER, sid, "completed");
  if (cmd && icxd_command_note(cmds, cmd, "info", note)) {
    xmpp_stanza_release(cmd);
    cmd = NULL;
  }
  icxd_command_reply(cmds, iq, cmd);
}

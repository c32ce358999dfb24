/* icxd_command_access.c - who may run which command: the access lists of
 * icxd.conf applied to a command request, and the refusals. */
#include "config.h"

#include "icxd_access.h"
#include "icxd_command_internal.h"
#include "icxd_publish.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

int icxd_command_writes(const char *node)
{
  return icxd_is(node, ICXD_NODE_PUBLISH) || icxd_is(node, ICXD_NODE_WITHDRAW);
}

int icxd_command_allowed(icxd_command *cmds, xmpp_stanza_t *iq,
                         const char *node)
{
  const char *from = xmpp_stanza_get_from(iq);
  int writes = icxd_command_writes(node);

  if (icxd_is(node, ICXD_NODE_REGISTER))
    return icxd_command_register_allowed(cmds, iq);
  if (icxd_is(node, ICXD_NODE_PRESENCE)) {
    if (from && icxd_access_allows(&cmds->cfg->access, from, ICXD_RIGHT_ADMIN))
      return 1;
    icxd_reply_forbidden(cmds->conn, iq, node,
                         "only the exchange's administrators ([access] "
                         "admin) may list the presence of publishers");
    return 0;
  }
  /* Without 'from', the stanza comes from icxd's own account (client
   * mode): that is the exchange itself, for queries only. */
  if (!from && !writes)
    from = cmds->cfg->jid;
  if (icxd_access_allows(&cmds->cfg->access, from,
                         writes ? ICXD_RIGHT_PUBLISH : ICXD_RIGHT_QUERY)) {
    if (writes && !cmds->writer) {
      icxd_reply_error(cmds->conn, iq, "cancel", "service-unavailable", NULL,
                       NULL, "this exchange does not take publications");
      return 0;
    }
    return 1;
  }
  icxd_reply_forbidden(cmds->conn, iq, node,
                       writes ? "this exchange's access list does not let "
                                "your JID publish or withdraw documents"
                              : "this exchange's access list does not let "
                                "your JID query it");
  return 0;
}

/* icxd_ping.c - answers XMPP Ping (XEP-0199) with an empty IQ result. */
#include "config.h"

#include "icxd_ping.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

/* IQ get in the ping namespace: a <ping/> payload gets its result; any
 * other element is left to the fallback (service-unavailable). */
static int ping_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *iq, void *ud)
{
  icxd_dispatch *d = ud;

  (void)conn;
  if (!icxd_child(iq, "ping", ICXD_NS_PING) || !icxd_dispatch_claim(d, iq))
    return 1;
  icxd_reply_result(icxd_dispatch_conn(d), iq, NULL);
  return 1;
}

int icxd_ping_register(icxd_dispatch *d)
{
  return icxd_dispatch_add_iq(d, ping_on_iq, ICXD_NS_PING, "get", d);
}

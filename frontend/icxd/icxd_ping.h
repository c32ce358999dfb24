/* icxd_ping.h - XMPP Ping (XEP-0199): an IQ get <ping xmlns='urn:xmpp:ping'/>
 * is answered with an empty result.  Loop thread only. */
#ifndef ICXD_PING_H
#define ICXD_PING_H

#include "icxd_dispatch.h"

/* Registers the ping handler on d.  0, or -1 on ENOMEM. */
int icxd_ping_register(icxd_dispatch *d);

#endif

/* icxd_dispatch.h - how icxd's stanzas reach their handlers: through
 * libstrophe's handlers, registered by namespace and type, between a gate
 * and a fallback that make sure every IQ get or set gets exactly one
 * answer.
 *
 * For each IQ, libstrophe calls every matching handler in the order they
 * were added: first the gate, which takes (claims) IQ results and errors
 * (never answered) and answers malformed IQs (bad-request: a type other
 * than get, set, result or error; not exactly one payload element); then
 * the handlers added with icxd_dispatch_add_iq(); last the fallback, which
 * answers service-unavailable to an IQ nobody claimed.  Messages are
 * logged and dropped; in client mode, presence subscriptions are accepted.
 * Loop thread only.
 */
#ifndef ICXD_DISPATCH_H
#define ICXD_DISPATCH_H

#include <strophe.h>

#include "icxd_conn.h"

typedef struct icxd_dispatch icxd_dispatch;

/* Registers the gate, the fallback and the message and presence handlers
 * on c (borrowed, must outlive the dispatch).  NULL on ENOMEM. */
icxd_dispatch *icxd_dispatch_new(icxd_conn *c);

/* Removes the handlers registered through d and frees it.  NULL is a
 * no-op. */
void icxd_dispatch_free(icxd_dispatch *d);

/* Registers handler for the IQs of the given type (NULL: any) whose
 * payload is in namespace ns, before the fallback.  The handler gets ud;
 * it checks the rest of the payload (its name, ...), and answers only
 * after icxd_dispatch_claim() returned 1; it returns 1 (0 would remove
 * it).  The pair (handler, ud) must not be registered twice.  Returns 0,
 * or -1 (nothing registered) on ENOMEM. */
int icxd_dispatch_add_iq(icxd_dispatch *d, xmpp_handler handler,
                         const char *ns, const char *type, void *ud);

/* Takes the IQ being dispatched: 1 if the caller now owes it its one
 * answer, 0 if the gate or another handler took it already. */
int icxd_dispatch_claim(icxd_dispatch *d, xmpp_stanza_t *iq);

/* The connection d dispatches for.  Lent. */
icxd_conn *icxd_dispatch_conn(const icxd_dispatch *d);

#endif

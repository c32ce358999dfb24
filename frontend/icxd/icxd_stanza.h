/* icxd_stanza.h - small helpers to build and read XML elements with
 * libstrophe, and the namespaces icxd speaks.  They know no connection:
 * answers addressed to a requester are built in icxd_reply.h.
 *
 * Builders return new stanzas the caller releases with
 * xmpp_stanza_release(), or NULL when out of memory.
 */
#ifndef ICXD_STANZA_H
#define ICXD_STANZA_H

#include <strophe.h>

#define ICXD_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define ICXD_NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define ICXD_NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define ICXD_NS_COMMANDS "http://jabber.org/protocol/commands"
#define ICXD_NS_IODATA "urn:xmpp:tmp:io-data"
#define ICXD_NS_DATA "jabber:x:data"
#define ICXD_NS_PING "urn:xmpp:ping"
#define ICXD_NS_XDATA_VALIDATE "http://jabber.org/protocol/xdata-validate"

/* 1 when a and b are both set and equal: for attribute values and
 * element names, which libstrophe gives as NULL when absent. */
int icxd_is(const char *a, const char *b);

/* A new element <name xmlns='ns'> (ns may be NULL). */
xmpp_stanza_t *icxd_elem(xmpp_ctx_t *ctx, const char *name, const char *ns);

/* Appends a new <name>text</name> (text escaped by libstrophe) to parent
 * and returns it (lent: parent owns it), or NULL on ENOMEM. */
xmpp_stanza_t *icxd_add_text_child(xmpp_ctx_t *ctx, xmpp_stanza_t *parent,
                                   const char *name, const char *text);

/* Appends child to parent, which takes over the caller's reference.
 * Returns 0, or -1 (child released) on failure. */
int icxd_adopt(xmpp_stanza_t *parent, xmpp_stanza_t *child);

/* The first child element named name in namespace ns (either may be NULL
 * for "any").  Lent. */
xmpp_stanza_t *icxd_child(xmpp_stanza_t *parent, const char *name,
                          const char *ns);

/* Number of element children of parent. */
int icxd_count_children(xmpp_stanza_t *parent);

/* A count another party wrote (a peer's matching='N', a <count>): its
 * decimal value; 0 when text is NULL, negative or not a number; LONG_MAX
 * when past it.  Never trusted further than that. */
long icxd_count_of(const char *text);

/* a + b for counts (both >= 0), stopping at LONG_MAX. */
long icxd_count_add(long a, long b);

#endif

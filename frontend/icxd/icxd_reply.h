/* icxd_reply.h - answering a received stanza: IQ results and errors
 * addressed back to the requester, built and sent on the connection.
 *
 * Every stanza icxd sends carries 'from' and 'to': answers are built here,
 * never with xmpp_stanza_reply() (which leaves 'from' unset and copies a
 * stray 'lang').  Builders return new stanzas the caller releases (or
 * hands to icxd_conn_send()), or NULL when out of memory.  Loop thread
 * only.
 */
#ifndef ICXD_REPLY_H
#define ICXD_REPLY_H

#include <strophe.h>

#include "icxd_conn.h"

/* An IQ of the given type answering req: same id, 'to' = req's 'from'
 * (or fallback_to when req has none), 'from' = self. */
xmpp_stanza_t *icxd_reply_iq_new(xmpp_ctx_t *ctx, xmpp_stanza_t *req,
                                 const char *type, const char *self,
                                 const char *fallback_to);

/* <error type='etype'><condition/>[<app xmlns='app_ns'/>][<text>text
 * </text>]</error>, conditions and text in the stanzas namespace.  app_ns/
 * app and text may be NULL. */
xmpp_stanza_t *icxd_reply_error_elem(xmpp_ctx_t *ctx, const char *etype,
                                     const char *condition,
                                     const char *app_ns, const char *app,
                                     const char *text);

/* An IQ error answering req, carrying icxd_reply_error_elem().  The
 * original payload is not echoed (it may be huge). */
xmpp_stanza_t *icxd_reply_iq_error_new(xmpp_ctx_t *ctx, xmpp_stanza_t *req,
                                       const char *self,
                                       const char *fallback_to,
                                       const char *etype,
                                       const char *condition,
                                       const char *app_ns, const char *app,
                                       const char *text);

/* The address to answer req from: req's 'to' if set, else our own. */
const char *icxd_reply_from(icxd_conn *c, xmpp_stanza_t *req);

/* Answers req with an IQ result carrying payload (consumed; NULL for an
 * empty result).  Out of memory: answers resource-constraint instead. */
void icxd_reply_result(icxd_conn *c, xmpp_stanza_t *req,
                       xmpp_stanza_t *payload);

/* Answers req with an IQ error (see icxd_reply_error_elem()), logged at
 * debug. */
void icxd_reply_error(icxd_conn *c, xmpp_stanza_t *req, const char *etype,
                      const char *condition, const char *app_ns,
                      const char *app, const char *text);

/* Refuses req: answers forbidden (type auth) saying text, and logs at
 * info that what (the command, or what was asked) was refused to req's
 * sender. */
void icxd_reply_forbidden(icxd_conn *c, xmpp_stanza_t *req, const char *what,
                          const char *text);

#endif

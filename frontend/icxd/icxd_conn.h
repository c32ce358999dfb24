/* icxd_conn.h - icxd's XMPP connection: component (XEP-0114) or client
 * (c2s with mandatory STARTTLS), reconnection with capped backoff, sending,
 * and the addresses icxd answers from.
 *
 * The connection knows no stanza's meaning: handlers are registered on it
 * (icxd_dispatch.h does that for icxd).  Loop thread only.
 */
#ifndef ICXD_CONN_H
#define ICXD_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <strophe.h>

#include "icxd_config.h"
#include "icxd_log.h"

typedef struct icxd_conn icxd_conn;

/* Prepares the connection from cfg (nothing is sent yet); calls
 * xmpp_initialize().  cfg and log are borrowed and must outlive the
 * connection.  NULL with err set on failure.  Free with icxd_conn_free(). */
icxd_conn *icxd_conn_new(const icxd_config *cfg, icxd_logger *log, char *err,
                         size_t errlen);

/* Releases the connection and libstrophe's context, then calls
 * xmpp_shutdown().  NULL is a no-op. */
void icxd_conn_free(icxd_conn *c);

/* One turn of the event loop: starts a connection attempt when one is due
 * (at once, then after each failure with a doubling backoff), then waits at
 * most timeout_ms for the socket and runs the handlers of what arrived. */
void icxd_conn_run_once(icxd_conn *c, unsigned long timeout_ms);

/* A turn of the event loop that also ends as soon as wake_fd (a
 * non-blocking pipe or eventfd another thread writes to; drained here) is
 * readable, so a job a worker finished is answered without waiting out
 * the turn.  On a plain TCP stream (a component's) it waits in poll() on
 * the socket and wake_fd, at most timeout_ms; on a TLS stream, or with no
 * wake_fd (-1), it runs turns of at most ICXD_CONN_TLS_TURN_MS, since
 * libstrophe may hold TLS data a poll() of the socket would not show. */
#define ICXD_CONN_TLS_TURN_MS 1
void icxd_conn_run_wake(icxd_conn *c, int wake_fd, unsigned long timeout_ms);

/* Closes the stream politely, running the loop at most timeout_ms for the
 * server to close it too.  No reconnection happens afterwards. */
void icxd_conn_close(icxd_conn *c, unsigned long timeout_ms);

/* Registers a libstrophe stanza handler (xmpp_handler_add(): ns matches
 * the stanza's namespace or any child's, name and type the stanza's; NULL
 * matches anything).  libstrophe calls every matching handler, in the
 * order they were added, and refuses a second (handler, ud) pair whatever
 * the filters. */
void icxd_conn_handler_add(icxd_conn *c, xmpp_handler handler, const char *ns,
                           const char *name, const char *type, void *ud);

/* Removes every registration of handler. */
void icxd_conn_handler_delete(icxd_conn *c, xmpp_handler handler);

/* Sends stanza and releases the caller's reference.  Not connected: the
 * stanza is dropped (logged at debug).  NULL: logs "out of memory". */
void icxd_conn_send(icxd_conn *c, xmpp_stanza_t *stanza);

/* libstrophe's context, for building stanzas.  Lent. */
xmpp_ctx_t *icxd_conn_xmpp_ctx(const icxd_conn *c);

/* 1 while the stream is up (after the handshake or bind). */
int icxd_conn_connected(const icxd_conn *c);

/* Stanzas handed to icxd_conn_send() that libstrophe has not written
 * yet (0 when not connected): a sender that makes many keeps this short. */
size_t icxd_conn_send_queued(const icxd_conn *c);

/* How many times the stream came up so far: a new value means a new
 * connection (what was learnt on the old one may be stale). */
unsigned icxd_conn_generation(const icxd_conn *c);

/* Our address: the component's domain, or the bound JID in client mode
 * once connected.  Lent; changes when the connection does. */
const char *icxd_conn_self(const icxd_conn *c);

/* The address the answers to this instance's own requests must come back
 * to: [xmpp] instance_jid in component mode when set (several instances
 * serve one component name, and the server routes this name to this
 * instance alone), else icxd_conn_self().  Once the server has closed a
 * stream with invalid-from while it was set, the name is set aside
 * (logged as an error) and icxd_conn_self() is used until a restart.
 * Lent. */
const char *icxd_conn_instance(const icxd_conn *c);

/* Our server's domain (where answers go when a request has no 'from').
 * Lent. */
const char *icxd_conn_domain(const icxd_conn *c);

/* The port icxd connects to: cfg->port, or the mode's default. */
unsigned icxd_conn_port(const icxd_config *cfg);

/* Writes to out why a connection failed or ended, for the log: an
 * untrusted certificate (cert_error, from the certificate check), the
 * component secret or password refused (stream error not-authorized, or
 * a SASL failure in libstrophe's last_error), invalid-from while
 * [xmpp] instance_jid is set (the server does not let this connection
 * send from that name: what to configure), another stream error, a
 * socket error (error: an errno, with host and port), TLS not offered in
 * client mode (tls_seen 0, last_error about TLS).  Any string may be NULL
 * or "".  Returns what snprintf() returns. */
int icxd_conn_failure_cause(const icxd_config *cfg, int error,
                            const xmpp_stream_error_t *se,
                            const char *cert_error, const char *last_error,
                            int tls_seen, char *out, size_t outlen);

/* The next reconnection delay for a backoff of current ms: uniform in
 * [current/2, current] from random (jitter), and never below min_ms.  The
 * caller doubles current up to max_ms after each failure. */
unsigned icxd_conn_backoff(unsigned current, unsigned min_ms, unsigned max_ms,
                           uint32_t random);

/* The settings and logger the connection was made with.  Lent. */
const icxd_config *icxd_conn_config(const icxd_conn *c);
icxd_logger *icxd_conn_log(const icxd_conn *c);

#endif

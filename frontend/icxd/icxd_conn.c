/* icxd_conn.c - icxd's XMPP connection: connect, reconnect, send. */
/* Component (XEP-0114) or client (c2s with mandatory STARTTLS),
 * reconnection with capped backoff. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_conn.h"
#include "icxd_worker.h"

#define ICXD_DEFAULT_COMPONENT_PORT 5347
#define ICXD_DEFAULT_CLIENT_PORT 5222

struct icxd_conn {
  const icxd_config *cfg;    /* borrowed */
  icxd_logger *log;          /* borrowed */
  xmpp_log_t xlog;
  xmpp_ctx_t *xctx;
  xmpp_conn_t *conn;
  char *self;                /* our address: component domain or bound JID */
  char *domain;              /* our server's domain (fallback 'to') */
  int initialized;           /* xmpp_initialize() was called */
  int connected;
  int connecting;
  int sm_ready;              /* libstrophe SM-state workaround applied */
  int stopping;              /* shutting down: do not reconnect */
  unsigned backoff_ms;
  int64_t next_attempt_ms;
};

static void conn_set_self(icxd_conn *c, const char *jid)
{
  char *copy = strdup(jid ? jid : "");

  if (!copy)
    return;
  free(c->self);
  c->self = copy;
}

static void conn_schedule_retry(icxd_conn *c)
{
  const icxd_config *cfg = c->cfg;

  c->next_attempt_ms = icxd_now_ms() + c->backoff_ms;
  icxd_log(c->log, ICXD_LOG_INFO, "conn", "reconnecting in %u ms",
           c->backoff_ms);
  /* Doubling, capped: 0.5 s, 1 s, 2 s, ... reconnect_max_ms. */
  if (c->backoff_ms < cfg->reconnect_max_ms / 2)
    c->backoff_ms *= 2;
  else
    c->backoff_ms = cfg->reconnect_max_ms;
}

static void conn_on_event(xmpp_conn_t *conn, xmpp_conn_event_t event,
                          int error, xmpp_stream_error_t *stream_error,
                          void *ud)
{
  icxd_conn *c = ud;
  xmpp_stanza_t *pres;

  switch (event) {
  case XMPP_CONN_CONNECT:
    c->connected = 1;
    c->connecting = 0;
    c->backoff_ms = c->cfg->reconnect_min_ms;
    if (c->cfg->mode == ICXD_MODE_CLIENT) {
      conn_set_self(c, xmpp_conn_get_bound_jid(conn));
      /* Available presence, so contacts see the exchange online.  It is
       * broadcast by the server, so it has a 'from' but, by definition of
       * broadcast presence (RFC 6121), no 'to'. */
      pres = xmpp_presence_new(c->xctx);
      if (pres && xmpp_stanza_set_from(pres, c->self) != XMPP_EOK) {
        xmpp_stanza_release(pres);
        pres = NULL;
      }
      if (pres)
        icxd_conn_send(c, pres);
      icxd_log(c->log, ICXD_LOG_INFO, "conn",
               "connected as %s (%s)", c->self,
               xmpp_conn_is_secured(conn) ? "TLS" : "NOT encrypted");
    } else {
      icxd_log(c->log, ICXD_LOG_INFO, "conn",
               "connected as component %s", c->self);
    }
    break;
  case XMPP_CONN_RAW_CONNECT:
    break;
  case XMPP_CONN_DISCONNECT:
  case XMPP_CONN_FAIL:
  default:
    if (stream_error)
      icxd_log(c->log, ICXD_LOG_WARN, "conn",
               "stream error %d%s%s", (int)stream_error->type,
               stream_error->text ? ": " : "",
               stream_error->text ? stream_error->text : "");
    if (c->stopping) {
      icxd_log(c->log, ICXD_LOG_INFO, "conn", "disconnected");
      c->connected = 0;
      c->connecting = 0;
      break;
    }
    icxd_log(c->log, c->connected ? ICXD_LOG_WARN : ICXD_LOG_INFO, "conn",
             "%s (error %d)",
             c->connected ? "disconnected from the server"
                            : "could not connect", error);
    c->connected = 0;
    c->connecting = 0;
    conn_schedule_retry(c);
    break;
  }
}

icxd_conn *icxd_conn_new(const icxd_config *cfg, icxd_logger *log, char *err,
                         size_t errlen)
{
  icxd_conn *c = calloc(1, sizeof *c);
  long flags = 0;
  char *domain;

  if (!c)
    goto nomem;
  c->cfg = cfg;
  c->log = log;
  xmpp_initialize();
  c->initialized = 1;
  icxd_logger_xmpp(c->log, &c->xlog);
  c->xctx = xmpp_ctx_new(NULL, &c->xlog);
  if (!c->xctx)
    goto nomem;
  c->conn = xmpp_conn_new(c->xctx);
  if (!c->conn)
    goto nomem;
  xmpp_conn_set_jid(c->conn, cfg->jid);
  xmpp_conn_set_pass(c->conn, cfg->secret);
  if (cfg->mode == ICXD_MODE_CLIENT) {
    flags |= XMPP_CONN_FLAG_MANDATORY_TLS;
    if (cfg->insecure_tls)
      flags |= XMPP_CONN_FLAG_TRUST_TLS;
    if (cfg->cafile)
      xmpp_conn_set_cafile(c->conn, cfg->cafile);
    if (cfg->capath)
      xmpp_conn_set_capath(c->conn, cfg->capath);
  }
  /* icxd keeps no stream-management state across reconnects. */
  flags |= XMPP_CONN_FLAG_DISABLE_SM;
  if (xmpp_conn_set_flags(c->conn, flags) != XMPP_EOK) {
    snprintf(err, errlen, "cannot set connection flags");
    icxd_conn_free(c);
    return NULL;
  }
  xmpp_conn_set_sockopt_callback(c->conn, xmpp_sockopt_cb_keepalive);

  domain = xmpp_jid_domain(c->xctx, cfg->jid);
  if (!domain)
    goto nomem;
  c->domain = strdup(domain);
  xmpp_free(c->xctx, domain);
  if (!c->domain)
    goto nomem;
  conn_set_self(c, cfg->jid);
  if (!c->self)
    goto nomem;
  c->backoff_ms = cfg->reconnect_min_ms;
  c->next_attempt_ms = 0;
  return c;
nomem:
  snprintf(err, errlen, "out of memory setting up the connection");
  icxd_conn_free(c);
  return NULL;
}

void icxd_conn_free(icxd_conn *c)
{
  if (!c)
    return;
  if (c->conn)
    xmpp_conn_release(c->conn);
  if (c->xctx)
    xmpp_ctx_free(c->xctx);
  if (c->initialized)
    xmpp_shutdown();
  free(c->self);
  free(c->domain);
  free(c);
}

/* libstrophe 0.12.2: xmpp_connect_component() never allocates the
 * stream-management state, then reads it on the first stanza (the
 * server's <handshake/>) and on every disconnect: a NULL dereference.
 * xmpp_connect_client() allocates it before anything else; aimed at a
 * host that cannot resolve, it then fails at once without a socket.  The
 * state then lives with the connection for good.  Regression test:
 * tests/integration/icxd-component.test (handshake and reconnection). */
static void conn_sm_workaround(icxd_conn *c)
{
  int rc;

  if (c->sm_ready)
    return;
  rc = xmpp_connect_client(c->conn, "", 1, conn_on_event, c);
  if (rc == XMPP_EOK) {
    /* It did start connecting somewhere: abandon that attempt. */
    xmpp_disconnect(c->conn);
  }
  c->sm_ready = 1;
}

static void conn_attempt(icxd_conn *c)
{
  const icxd_config *cfg = c->cfg;
  int rc;

  if (c->connected || c->connecting || !xmpp_conn_is_disconnected(c->conn))
    return;
  conn_set_self(c, cfg->jid);
  if (cfg->mode == ICXD_MODE_COMPONENT) {
    conn_sm_workaround(c);
    if (!xmpp_conn_is_disconnected(c->conn))
      return;
    icxd_log(c->log, ICXD_LOG_INFO, "conn",
             "connecting component %s to %s:%u", cfg->jid, cfg->host,
             cfg->port ? cfg->port : ICXD_DEFAULT_COMPONENT_PORT);
    rc = xmpp_connect_component(c->conn, cfg->host,
                                (unsigned short)(cfg->port ? cfg->port
                                                 : ICXD_DEFAULT_COMPONENT_PORT),
                                conn_on_event, c);
  } else {
    icxd_log(c->log, ICXD_LOG_INFO, "conn", "connecting %s via %s:%u",
             cfg->jid, cfg->host ? cfg->host : "(DNS)",
             cfg->port ? cfg->port : ICXD_DEFAULT_CLIENT_PORT);
    rc = xmpp_connect_client(c->conn, cfg->host,
                             (unsigned short)cfg->port, conn_on_event, c);
  }
  if (rc != XMPP_EOK) {
    icxd_log(c->log, ICXD_LOG_WARN, "conn", "connect failed at once (%d)",
             rc);
    conn_schedule_retry(c);
    return;
  }
  c->connecting = 1;
}

void icxd_conn_run_once(icxd_conn *c, unsigned long timeout_ms)
{
  if (!c->connected && !c->connecting && !c->stopping &&
      icxd_now_ms() >= c->next_attempt_ms)
    conn_attempt(c);
  xmpp_run_once(c->xctx, timeout_ms);
}

void icxd_conn_close(icxd_conn *c, unsigned long timeout_ms)
{
  int64_t deadline;

  c->stopping = 1;
  if (c->connected || c->connecting) {
    xmpp_disconnect(c->conn);
    deadline = icxd_now_ms() + (int64_t)timeout_ms;
    while (!xmpp_conn_is_disconnected(c->conn) && icxd_now_ms() < deadline)
      xmpp_run_once(c->xctx, 50);
  }
  c->connected = 0;
}

void icxd_conn_handler_add(icxd_conn *c, xmpp_handler handler, const char *ns,
                           const char *name, const char *type, void *ud)
{
  xmpp_handler_add(c->conn, handler, ns, name, type, ud);
}

void icxd_conn_handler_delete(icxd_conn *c, xmpp_handler handler)
{
  xmpp_handler_delete(c->conn, handler);
}

void icxd_conn_send(icxd_conn *c, xmpp_stanza_t *stanza)
{
  if (!stanza) {
    icxd_log(c->log, ICXD_LOG_ERROR, "xmpp",
             "out of memory building a stanza: not sent");
    return;
  }
  if (c->connected)
    xmpp_send(c->conn, stanza);
  else
    icxd_log(c->log, ICXD_LOG_DEBUG, "xmpp", "not connected: stanza dropped");
  xmpp_stanza_release(stanza);
}

xmpp_ctx_t *icxd_conn_xmpp_ctx(const icxd_conn *c)
{
  return c->xctx;
}

const char *icxd_conn_self(const icxd_conn *c)
{
  return c->self;
}

const char *icxd_conn_domain(const icxd_conn *c)
{
  return c->domain;
}

const icxd_config *icxd_conn_config(const icxd_conn *c)
{
  return c->cfg;
}

icxd_logger *icxd_conn_log(const icxd_conn *c)
{
  return c->log;
}

/* icxd_conn.c - the XMPP connection: component (XEP-0114) or client
 * (c2s with mandatory STARTTLS), reconnection with capped backoff. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icxd_service_internal.h"
#include "icxd_stanza.h"

#define ICXD_DEFAULT_COMPONENT_PORT 5347
#define ICXD_DEFAULT_CLIENT_PORT 5222

static void set_self(icxd_service *svc, const char *jid)
{
  char *copy = strdup(jid ? jid : "");

  if (!copy)
    return;
  free(svc->self);
  svc->self = copy;
}

static void schedule_retry(icxd_service *svc)
{
  const icxd_config *cfg = svc->cfg;

  svc->next_attempt_ms = icxd_now_ms() + svc->backoff_ms;
  icxd_log(svc->log, ICXD_LOG_INFO, "conn", "reconnecting in %u ms",
           svc->backoff_ms);
  /* Doubling, capped: 0.5 s, 1 s, 2 s, ... reconnect_max_ms. */
  if (svc->backoff_ms < cfg->reconnect_max_ms / 2)
    svc->backoff_ms *= 2;
  else
    svc->backoff_ms = cfg->reconnect_max_ms;
}

static void on_conn_event(xmpp_conn_t *conn, xmpp_conn_event_t event,
                          int error, xmpp_stream_error_t *stream_error,
                          void *ud)
{
  icxd_service *svc = ud;
  xmpp_stanza_t *pres;

  switch (event) {
  case XMPP_CONN_CONNECT:
    svc->connected = 1;
    svc->connecting = 0;
    svc->connects++;
    svc->backoff_ms = svc->cfg->reconnect_min_ms;
    if (svc->cfg->mode == ICXD_MODE_CLIENT) {
      set_self(svc, xmpp_conn_get_bound_jid(conn));
      /* Available presence, so contacts see the exchange online.  It is
       * broadcast by the server, so it has a 'from' but, by definition of
       * broadcast presence (RFC 6121), no 'to'. */
      pres = xmpp_presence_new(svc->xctx);
      if (pres && xmpp_stanza_set_from(pres, svc->self) != XMPP_EOK) {
        xmpp_stanza_release(pres);
        pres = NULL;
      }
      if (pres)
        icxd_send(svc, pres);
      icxd_log(svc->log, ICXD_LOG_INFO, "conn",
               "connected as %s (%s)", svc->self,
               xmpp_conn_is_secured(conn) ? "TLS" : "NOT encrypted");
    } else {
      icxd_log(svc->log, ICXD_LOG_INFO, "conn",
               "connected as component %s", svc->self);
    }
    break;
  case XMPP_CONN_RAW_CONNECT:
    break;
  case XMPP_CONN_DISCONNECT:
  case XMPP_CONN_FAIL:
  default:
    if (stream_error)
      icxd_log(svc->log, ICXD_LOG_WARN, "conn",
               "stream error %d%s%s", (int)stream_error->type,
               stream_error->text ? ": " : "",
               stream_error->text ? stream_error->text : "");
    if (svc->stopping) {
      icxd_log(svc->log, ICXD_LOG_INFO, "conn", "disconnected");
      svc->connected = 0;
      svc->connecting = 0;
      break;
    }
    icxd_log(svc->log, svc->connected ? ICXD_LOG_WARN : ICXD_LOG_INFO, "conn",
             "%s (error %d)",
             svc->connected ? "disconnected from the server"
                            : "could not connect", error);
    svc->connected = 0;
    svc->connecting = 0;
    schedule_retry(svc);
    break;
  }
}

int icxd_conn_setup(icxd_service *svc, char *err, size_t errlen)
{
  const icxd_config *cfg = svc->cfg;
  long flags = 0;
  char *domain;

  icxd_logger_xmpp(svc->log, &svc->xlog);
  svc->xctx = xmpp_ctx_new(NULL, &svc->xlog);
  if (!svc->xctx)
    goto nomem;
  svc->conn = xmpp_conn_new(svc->xctx);
  if (!svc->conn)
    goto nomem;
  xmpp_conn_set_jid(svc->conn, cfg->jid);
  xmpp_conn_set_pass(svc->conn, cfg->secret);
  if (cfg->mode == ICXD_MODE_CLIENT) {
    flags |= XMPP_CONN_FLAG_MANDATORY_TLS;
    if (cfg->insecure_tls)
      flags |= XMPP_CONN_FLAG_TRUST_TLS;
    if (cfg->cafile)
      xmpp_conn_set_cafile(svc->conn, cfg->cafile);
    if (cfg->capath)
      xmpp_conn_set_capath(svc->conn, cfg->capath);
  }
  /* icxd keeps no stream-management state across reconnects. */
  flags |= XMPP_CONN_FLAG_DISABLE_SM;
  if (xmpp_conn_set_flags(svc->conn, flags) != XMPP_EOK) {
    snprintf(err, errlen, "cannot set connection flags");
    return -1;
  }
  xmpp_conn_set_sockopt_callback(svc->conn, xmpp_sockopt_cb_keepalive);
  xmpp_handler_add(svc->conn, icxd_on_iq, NULL, "iq", NULL, svc);
  xmpp_handler_add(svc->conn, icxd_on_message, NULL, "message", NULL, svc);
  xmpp_handler_add(svc->conn, icxd_on_presence, NULL, "presence", NULL, svc);

  domain = xmpp_jid_domain(svc->xctx, cfg->jid);
  if (!domain)
    goto nomem;
  svc->domain = strdup(domain);
  xmpp_free(svc->xctx, domain);
  if (!svc->domain)
    goto nomem;
  set_self(svc, cfg->jid);
  svc->backoff_ms = cfg->reconnect_min_ms;
  svc->next_attempt_ms = 0;
  return 0;
nomem:
  snprintf(err, errlen, "out of memory setting up the connection");
  return -1;
}

/* libstrophe 0.12.2: xmpp_connect_component() never allocates the
 * stream-management state, then reads it on the first stanza (the
 * server's <handshake/>) and on every disconnect: a NULL dereference.
 * xmpp_connect_client() allocates it before anything else; aimed at a
 * host that cannot resolve, it then fails at once without a socket.  The
 * state then lives with the connection for good.  Regression test:
 * tests/integration/icxd-component.test (handshake and reconnection). */
static void strophe_sm_workaround(icxd_service *svc)
{
  int rc;

  if (svc->sm_ready)
    return;
  rc = xmpp_connect_client(svc->conn, "", 1, on_conn_event, svc);
  if (rc == XMPP_EOK) {
    /* It did start connecting somewhere: abandon that attempt. */
    xmpp_disconnect(svc->conn);
  }
  svc->sm_ready = 1;
}

void icxd_conn_attempt(icxd_service *svc)
{
  const icxd_config *cfg = svc->cfg;
  int rc;

  if (svc->connected || svc->connecting || !xmpp_conn_is_disconnected(svc->conn))
    return;
  set_self(svc, cfg->jid);
  if (cfg->mode == ICXD_MODE_COMPONENT) {
    strophe_sm_workaround(svc);
    if (!xmpp_conn_is_disconnected(svc->conn))
      return;
    icxd_log(svc->log, ICXD_LOG_INFO, "conn",
             "connecting component %s to %s:%u", cfg->jid, cfg->host,
             cfg->port ? cfg->port : ICXD_DEFAULT_COMPONENT_PORT);
    rc = xmpp_connect_component(svc->conn, cfg->host,
                                (unsigned short)(cfg->port ? cfg->port
                                                 : ICXD_DEFAULT_COMPONENT_PORT),
                                on_conn_event, svc);
  } else {
    icxd_log(svc->log, ICXD_LOG_INFO, "conn", "connecting %s via %s:%u",
             cfg->jid, cfg->host ? cfg->host : "(DNS)",
             cfg->port ? cfg->port : ICXD_DEFAULT_CLIENT_PORT);
    rc = xmpp_connect_client(svc->conn, cfg->host,
                             (unsigned short)cfg->port, on_conn_event, svc);
  }
  if (rc != XMPP_EOK) {
    icxd_log(svc->log, ICXD_LOG_WARN, "conn", "connect failed at once (%d)",
             rc);
    schedule_retry(svc);
    return;
  }
  svc->connecting = 1;
}

void icxd_conn_teardown(icxd_service *svc)
{
  if (svc->conn) {
    xmpp_conn_release(svc->conn);
    svc->conn = NULL;
  }
  if (svc->xctx) {
    xmpp_ctx_free(svc->xctx);
    svc->xctx = NULL;
  }
}

/* icxd_conn.c - icxd's XMPP connection: connect, reconnect, send. */
/* Component (XEP-0114) or client (c2s with mandatory STARTTLS),
 * reconnection with capped exponential backoff and jitter, and a log line
 * that names why a connection failed or ended. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "icxd_conn.h"
#include "icxd_worker.h"


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
  unsigned generation;  /* connections made so far (icxd_conn_generation()) */
  int connecting;
  int sm_ready;              /* libstrophe SM-state workaround applied */
  int stopping;              /* shutting down: do not reconnect */
  unsigned backoff_ms;
  int64_t next_attempt_ms;
  /* why the last attempt failed */
  xmpp_log_t fwd;            /* the logger's own libstrophe bridge */
  char last_error[512];      /* libstrophe's last warning or error */
  char cert_error[512];      /* set by the certificate check */
  int tls_seen;              /* the stream was secured at some point */
  int sock_error;            /* errno of a failed TCP connect, or 0 */
  int sock_fd;               /* the socket of the last connect, or -1 */
  int instance_refused;      /* the server refused [xmpp] instance_jid */
};

/* libstrophe 0.12's certificate-failure handler takes no user data: the
 * connection being driven is lent to it through this variable for the
 * length of a call into libstrophe.  Loop thread only (hence per thread). */
static _Thread_local icxd_conn *conn_current;

/* Records libstrophe's warnings and errors (the cause of a failure is
 * often only there), then passes every message on to the logger. */
static void conn_xmpp_log(void *ud, xmpp_log_level_t level, const char *area,
                          const char *msg)
{
  icxd_conn *c = ud;
  static const char failed[] = "connection failed, error ";

  if (level >= XMPP_LEVEL_WARN)
    snprintf(c->last_error, sizeof c->last_error, "%s: %s", area, msg);
  /* libstrophe 0.12 reports a refused or unreachable TCP connect with
   * error 0 in the connection event; its errno is only in this line. */
  else if (strncmp(msg, failed, sizeof failed - 1) == 0)
    c->sock_error = atoi(msg + sizeof failed - 1);
  c->fwd.handler(c->fwd.userdata, level, area, msg);
}

/* Every socket libstrophe opens: TCP keepalive (libstrophe's own
 * settings) and Nagle off.  libstrophe writes each queued stanza with a
 * write() of its own, and with Nagle a fan-out's second request waited
 * for the server to acknowledge the first (on loopback it reached its
 * peer about 8 ms after the first one).  The socket is remembered for
 * icxd_conn_run_wake(). */
static int conn_sockopt(xmpp_conn_t *conn, void *sock)
{
  icxd_conn *c = conn_current;
  int fd = *(int *)sock, one = 1;
  int rc = xmpp_sockopt_cb_keepalive(conn, sock);

  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 && c)
    icxd_log(c->log, ICXD_LOG_DEBUG, "conn", "cannot turn Nagle off: %s",
             strerror(errno));
  if (c)
    c->sock_fd = fd;
  return rc;
}

/* The server's certificate did not verify: say against what, and refuse
 * the connection. */
static int conn_on_certfail(const xmpp_tlscert_t *cert, const char *errormsg)
{
  icxd_conn *c = conn_current;
  const char *subject = cert ? xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT)
                             : NULL;

  if (!c)
    return 0;
  snprintf(c->cert_error, sizeof c->cert_error,
           "the server's TLS certificate (%s) is not trusted: %s; verified "
           "against %s%s", subject ? subject : "no subject",
           errormsg ? errormsg : "verification failed",
           c->cfg->cafile ? "the CA file " :
           c->cfg->capath ? "the CA folder " : "the system's CA store",
           c->cfg->cafile ? c->cfg->cafile :
           c->cfg->capath ? c->cfg->capath : "");
  return 0;
}

/* The name of a stream error condition (RFC 6120, 4.9.3). */
static const char *conn_stream_error_name(xmpp_error_type_t t)
{
  switch (t) {
  case XMPP_SE_BAD_FORMAT: return "bad-format";
  case XMPP_SE_BAD_NS_PREFIX: return "bad-namespace-prefix";
  case XMPP_SE_CONFLICT: return "conflict";
  case XMPP_SE_CONN_TIMEOUT: return "connection-timeout";
  case XMPP_SE_HOST_GONE: return "host-gone";
  case XMPP_SE_HOST_UNKNOWN: return "host-unknown";
  case XMPP_SE_IMPROPER_ADDR: return "improper-addressing";
  case XMPP_SE_INTERNAL_SERVER_ERROR: return "internal-server-error";
  case XMPP_SE_INVALID_FROM: return "invalid-from";
  case XMPP_SE_INVALID_ID: return "invalid-id";
  case XMPP_SE_INVALID_NS: return "invalid-namespace";
  case XMPP_SE_INVALID_XML: return "invalid-xml";
  case XMPP_SE_NOT_AUTHORIZED: return "not-authorized";
  case XMPP_SE_POLICY_VIOLATION: return "policy-violation";
  case XMPP_SE_REMOTE_CONN_FAILED: return "remote-connection-failed";
  case XMPP_SE_RESOURCE_CONSTRAINT: return "resource-constraint";
  case XMPP_SE_RESTRICTED_XML: return "restricted-xml";
  case XMPP_SE_SEE_OTHER_HOST: return "see-other-host";
  case XMPP_SE_SYSTEM_SHUTDOWN: return "system-shutdown";
  case XMPP_SE_UNDEFINED_CONDITION: return "undefined-condition";
  case XMPP_SE_UNSUPPORTED_ENCODING: return "unsupported-encoding";
  case XMPP_SE_UNSUPPORTED_STANZA_TYPE: return "unsupported-stanza-type";
  case XMPP_SE_UNSUPPORTED_VERSION: return "unsupported-version";
  case XMPP_SE_XML_NOT_WELL_FORMED: return "xml-not-well-formed";
  }
  return "unknown";
}

unsigned icxd_conn_port(const icxd_config *cfg)
{
  if (cfg->port)
    return cfg->port;
  return cfg->mode == ICXD_MODE_COMPONENT ? 5347 : 5222;
}

int icxd_conn_failure_cause(const icxd_config *cfg, int error,
                            const xmpp_stream_error_t *se,
                            const char *cert_error, const char *last_error,
                            int tls_seen, char *out, size_t outlen)
{
  const char *host = cfg->host ? cfg->host : "(the JID's server)";
  const char *last = last_error ? last_error : "";

  if (cert_error && *cert_error)
    return snprintf(out, outlen, "%s", cert_error);
  if (se && se->type == XMPP_SE_NOT_AUTHORIZED)
    return snprintf(out, outlen, "the server refused the %s for %s (stream "
                    "error not-authorized%s%s)",
                    cfg->mode == ICXD_MODE_COMPONENT ? "component secret"
                                                     : "password",
                    cfg->jid, se->text ? ": " : "", se->text ? se->text : "");
  if (se && se->type == XMPP_SE_INVALID_FROM &&
      cfg->mode == ICXD_MODE_COMPONENT && cfg->instance_jid)
    return snprintf(out, outlen, "the server refused a stanza from [xmpp] "
                    "instance_jid %s (stream error invalid-from%s%s): it "
                    "must route that name to this connection alone "
                    "(ejabberd: list it beside %s under the hosts of a "
                    "listener of this instance's own)", cfg->instance_jid,
                    se->text ? ": " : "", se->text ? se->text : "",
                    cfg->jid);
  if (se)
    return snprintf(out, outlen, "the server ended the stream: %s%s%s",
                    conn_stream_error_name(se->type), se->text ? ": " : "",
                    se->text ? se->text : "");
  if (error)
    return snprintf(out, outlen, "cannot connect to %s port %u: %s", host,
                    icxd_conn_port(cfg), strerror(error));
  if (strstr(last, "auth"))
    return snprintf(out, outlen, "the server refused the password for %s "
                    "(authentication failed: %s)", cfg->jid, last);
  if (cfg->mode == ICXD_MODE_CLIENT && !tls_seen && strstr(last, "TLS"))
    return snprintf(out, outlen, "the server at %s port %u does not offer "
                    "TLS (STARTTLS), which icxd requires (%s)", host,
                    icxd_conn_port(cfg), last);
  if (*last)
    return snprintf(out, outlen, "the connection ended (%s)", last);
  return snprintf(out, outlen, "the connection ended without a reason given");
}

unsigned icxd_conn_backoff(unsigned current, unsigned min_ms, unsigned max_ms,
                           uint32_t random)
{
  unsigned half = current / 2;
  unsigned delay = half + (half ? random % (half + 1) : 0);

  (void)max_ms;
  return delay < min_ms ? min_ms : delay;
}

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
  uint32_t r = 0;
  unsigned delay;

  /* Jitter: between half the backoff and the whole of it, so services
   * that lost the same server do not all come back at once. */
  if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
    r = (uint32_t)icxd_now_ms();
  delay = icxd_conn_backoff(c->backoff_ms, cfg->reconnect_min_ms,
                            cfg->reconnect_max_ms, r);
  c->next_attempt_ms = icxd_now_ms() + delay;
  icxd_log(c->log, ICXD_LOG_INFO, "conn", "reconnecting in %u ms", delay);
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
  char cause[1024];

  switch (event) {
  case XMPP_CONN_CONNECT:
    c->connected = 1;
    c->generation++;
    c->cert_error[0] = '\0';
    c->last_error[0] = '\0';
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
    if (c->stopping) {
      icxd_log(c->log, ICXD_LOG_INFO, "conn", "disconnected");
      c->connected = 0;
      c->connecting = 0;
      c->sock_fd = -1;
      break;
    }
    if (xmpp_conn_is_secured(conn))
      c->tls_seen = 1;
    icxd_conn_failure_cause(c->cfg, error ? error : c->sock_error,
                            stream_error, c->cert_error,
                            c->last_error, c->tls_seen, cause, sizeof cause);
    icxd_log(c->log, ICXD_LOG_WARN, "conn", "%s: %s",
             c->connected ? "disconnected from the server"
                          : "could not connect", cause);
    /* A name the server will not take from this connection would close
     * every stream it is used on: set aside, the instance keeps serving
     * (reconnecting at once, again and again, would also take and drop
     * the shared name's route each time). */
    if (stream_error && stream_error->type == XMPP_SE_INVALID_FROM &&
        strcmp(icxd_conn_instance(c), c->self) != 0) {
      c->instance_refused = 1;
      icxd_log(c->log, ICXD_LOG_ERROR, "conn", "[xmpp] instance_jid %s set "
               "aside until a restart: this instance sends its fan-outs "
               "from %s, and their answers may reach another instance",
               c->cfg->instance_jid, c->self);
    }
    c->cert_error[0] = '\0';
    c->last_error[0] = '\0';
    c->tls_seen = 0;
    c->sock_error = 0;
    c->sock_fd = -1;   /* closed by libstrophe: its number may be reused */
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
  icxd_logger_xmpp(c->log, &c->fwd);
  c->xlog.handler = conn_xmpp_log;
  c->xlog.userdata = c;
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
    xmpp_conn_set_certfail_handler(c->conn, conn_on_certfail);
  }
  /* icxd keeps no stream-management state across reconnects. */
  flags |= XMPP_CONN_FLAG_DISABLE_SM;
  if (xmpp_conn_set_flags(c->conn, flags) != XMPP_EOK) {
    snprintf(err, errlen, "cannot set connection flags");
    icxd_conn_free(c);
    return NULL;
  }
  c->sock_fd = -1;
  xmpp_conn_set_sockopt_callback(c->conn, conn_sockopt);

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
  c->last_error[0] = '\0';   /* that failure was on purpose */
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
             icxd_conn_port(cfg));
    rc = xmpp_connect_component(c->conn, cfg->host,
                                (unsigned short)icxd_conn_port(cfg),
                                conn_on_event, c);
  } else {
    icxd_log(c->log, ICXD_LOG_INFO, "conn", "connecting %s via %s:%u",
             cfg->jid, cfg->host ? cfg->host : "(DNS)",
             icxd_conn_port(cfg));
    rc = xmpp_connect_client(c->conn, cfg->host,
                             (unsigned short)cfg->port, conn_on_event, c);
  }
  if (rc != XMPP_EOK) {
    icxd_log(c->log, ICXD_LOG_WARN, "conn", "could not connect: cannot "
             "start a connection to %s port %u (libstrophe error %d%s%s)",
             cfg->host ? cfg->host : "(the JID's server)",
             icxd_conn_port(cfg), rc, c->last_error[0] ? ": " : "",
             c->last_error);
    c->last_error[0] = '\0';
    conn_schedule_retry(c);
    return;
  }
  c->connecting = 1;
}

void icxd_conn_run_once(icxd_conn *c, unsigned long timeout_ms)
{
  conn_current = c;
  if (!c->connected && !c->connecting && !c->stopping &&
      icxd_now_ms() >= c->next_attempt_ms)
    conn_attempt(c);
  xmpp_run_once(c->xctx, timeout_ms);
  if (c->connecting && xmpp_conn_is_secured(c->conn))
    c->tls_seen = 1;
  conn_current = NULL;
}

void icxd_conn_run_wake(icxd_conn *c, int wake_fd, unsigned long timeout_ms)
{
  struct pollfd fds[2];
  char drain[64];

  if (wake_fd < 0 || c->sock_fd < 0 || !c->connected ||
      xmpp_conn_is_secured(c->conn)) {
    /* libstrophe may hold TLS data it read but did not parse yet, which
     * a poll() of the socket would not see: short turns instead. */
    icxd_conn_run_once(c, timeout_ms < ICXD_CONN_TLS_TURN_MS
                              ? timeout_ms : ICXD_CONN_TLS_TURN_MS);
    if (wake_fd >= 0)
      while (read(wake_fd, drain, sizeof drain) == (ssize_t)sizeof drain)
        ;
    return;
  }
  icxd_conn_run_once(c, 0);   /* writes what is queued, reads what is there */
  if (!c->connected || c->sock_fd < 0)
    return;
  /* Stanzas the handlers just queued are written as soon as the socket
   * takes them: wait for that too. */
  fds[0].fd = c->sock_fd;
  fds[0].events = POLLIN;
  if (xmpp_conn_send_queue_len(c->conn) > 0)
    fds[0].events |= POLLOUT;
  fds[1].fd = wake_fd;
  fds[1].events = POLLIN;
  fds[0].revents = fds[1].revents = 0;
  if (poll(fds, 2, (int)timeout_ms) <= 0)
    return;
  if (fds[1].revents & POLLIN)
    while (read(wake_fd, drain, sizeof drain) == (ssize_t)sizeof drain)
      ;
  if (fds[0].revents)
    icxd_conn_run_once(c, 0);
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
  c->sock_fd = -1;
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
  if (c->connected && c->stopping) {
    /* Our </stream:stream> is sent: the server reads nothing after it.
     * A stanza it routed here before it saw the close is read, and its
     * answer would be lost silently: say so. */
    icxd_log(c->log, ICXD_LOG_INFO, "xmpp", "the stream is closing: %s %s "
             "to %s (id %s) not sent", xmpp_stanza_get_name(stanza),
             xmpp_stanza_get_type(stanza) ? xmpp_stanza_get_type(stanza) : "",
             xmpp_stanza_get_to(stanza) ? xmpp_stanza_get_to(stanza) : "-",
             xmpp_stanza_get_id(stanza) ? xmpp_stanza_get_id(stanza) : "-");
  } else if (c->connected)
    xmpp_send(c->conn, stanza);
  else
    icxd_log(c->log, ICXD_LOG_DEBUG, "xmpp", "not connected: stanza dropped");
  xmpp_stanza_release(stanza);
}

xmpp_ctx_t *icxd_conn_xmpp_ctx(const icxd_conn *c)
{
  return c->xctx;
}

int icxd_conn_connected(const icxd_conn *c)
{
  return c->connected;
}

size_t icxd_conn_send_queued(const icxd_conn *c)
{
  int n;

  if (!c->connected || !c->conn)
    return 0;
  n = xmpp_conn_send_queue_len(c->conn);
  return n > 0 ? (size_t)n : 0;
}

unsigned icxd_conn_generation(const icxd_conn *c)
{
  return c->generation;
}

const char *icxd_conn_self(const icxd_conn *c)
{
  return c->self;
}

const char *icxd_conn_instance(const icxd_conn *c)
{
  if (c->cfg->mode == ICXD_MODE_COMPONENT && c->cfg->instance_jid &&
      !c->instance_refused)
    return c->cfg->instance_jid;
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

/* icxd_service.c - building the service and running its event loop.
 *
 * The loop is libstrophe's xmpp_run_once() driven by icxd itself, so it
 * can reconnect (xmpp_run() cannot be restarted) and, between two turns,
 * collect the jobs the worker threads finished.  Turns are short (5 ms)
 * while jobs are in flight and longer (200 ms) when idle; a turn returns as
 * soon as the socket has data either way.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_service_internal.h"
#include "icxd_stanza.h"

#define ICXD_TURN_BUSY_MS 5
#define ICXD_TURN_IDLE_MS 200
#define ICXD_SHUTDOWN_MS 3000

void icxd_send(icxd_service *svc, xmpp_stanza_t *stanza)
{
  if (!stanza) {
    icxd_log(svc->log, ICXD_LOG_ERROR, "xmpp",
             "out of memory building a stanza: not sent");
    return;
  }
  if (svc->connected)
    xmpp_send(svc->conn, stanza);
  else
    icxd_log(svc->log, ICXD_LOG_DEBUG, "xmpp", "not connected: stanza dropped");
  xmpp_stanza_release(stanza);
}

const char *icxd_self_for(icxd_service *svc, xmpp_stanza_t *req)
{
  const char *to = xmpp_stanza_get_to(req);

  return to && *to ? to : svc->self;
}

void icxd_reply_error(icxd_service *svc, xmpp_stanza_t *req, const char *etype,
                      const char *condition, const char *app_ns,
                      const char *app, const char *text)
{
  icxd_log(svc->log, ICXD_LOG_DEBUG, "xmpp", "error %s/%s%s%s to %s",
           etype, condition, app ? "/" : "", app ? app : "",
           xmpp_stanza_get_from(req) ? xmpp_stanza_get_from(req) : "?");
  icxd_send(svc, icxd_iq_error(svc->xctx, req, icxd_self_for(svc, req),
                               svc->domain, etype, condition, app_ns, app,
                               text));
}

icxd_service *icxd_service_new(const icxd_config *cfg, icxd_logger *log,
                               char *err, size_t errlen)
{
  icxd_service *svc = calloc(1, sizeof *svc);
  icxd_pool_opts popts;
  const char *dir;
  icx_rc rc;

  if (!svc) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  svc->cfg = cfg;
  svc->log = log;
  svc->next_job_id = 1;

  svc->store_path = cfg->store ? strdup(cfg->store) : icx_store_default_path();
  if (!svc->store_path) {
    snprintf(err, errlen, "no store path: set [exchange] store or --store");
    goto fail;
  }

  /* The workers, each with its own engine context and store handle. */
  memset(&popts, 0, sizeof popts);
  popts.store_path = svc->store_path;
  popts.log = log;
  popts.workers = cfg->workers;
  popts.max_queue = cfg->max_queue;
  popts.delay_ms = cfg->debug_query_delay_ms;
  popts.time_limit_ms = cfg->query_time_limit_s * 1000u;
  svc->pool = icxd_pool_new(&popts, err, errlen);
  if (!svc->pool)
    goto fail;

  svc->icx = icx_ctx_new();
  if (!svc->icx) {
    snprintf(err, errlen, "cannot create the engine context");
    goto fail;
  }
  icx_ctx_set_logger(svc->icx, icxd_logger_icx_sink, log);
  icx_ctx_set_log_level(svc->icx, (icx_log_level)log->level);

  dir = cfg->ontology ? cfg->ontology : icx_vocab_default_dir();
  rc = icx_vocab_load(svc->icx, dir, &svc->vocab);
  if (rc != ICX_OK) {
    snprintf(err, errlen, "cannot load the vocabulary from %s: %s", dir,
             *icx_ctx_errmsg(svc->icx) ? icx_ctx_errmsg(svc->icx)
                                       : icx_strerror(rc));
    goto fail;
  }

  if (icxd_pool_start(svc->pool, svc->vocab, err, errlen) != 0)
    goto fail;
  svc->sessions = icxd_sessions_new(cfg->max_sessions,
                                    (int64_t)cfg->session_timeout_s * 1000);
  if (!svc->sessions) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }

  xmpp_initialize();
  if (icxd_conn_setup(svc, err, errlen) != 0)
    goto fail;
  return svc;
fail:
  icxd_service_free(svc);
  return NULL;
}

void icxd_service_free(icxd_service *svc)
{
  if (!svc)
    return;
  /* Workers first: they borrow the vocabulary and hand back jobs. */
  icxd_pool_free(svc->pool);
  icxd_sessions_free(svc->sessions);
  if (svc->xctx) {
    icxd_conn_teardown(svc);
    xmpp_shutdown();
  }
  icx_vocab_free(svc->vocab);
  icx_ctx_free(svc->icx);
  free(svc->store_path);
  free(svc->self);
  free(svc->domain);
  free(svc);
}

int icxd_service_run(icxd_service *svc, volatile sig_atomic_t *stop)
{
  int64_t deadline;
  unsigned long turn;

  icxd_log(svc->log, ICXD_LOG_INFO, "main", "icxd %s starting: %s mode, %s",
           PACKAGE_VERSION, icxd_mode_name(svc->cfg->mode), svc->cfg->jid);
  while (!*stop) {
    if (!svc->connected && !svc->connecting &&
        icxd_now_ms() >= svc->next_attempt_ms)
      icxd_conn_attempt(svc);
    turn = icxd_pool_in_flight(svc->pool) ? ICXD_TURN_BUSY_MS
                                          : ICXD_TURN_IDLE_MS;
    xmpp_run_once(svc->xctx, turn);
    icxd_command_tick(svc);
  }

  icxd_log(svc->log, ICXD_LOG_INFO, "main", "shutting down");
  svc->stopping = 1;
  icxd_command_shutdown(svc);
  if (svc->connected || svc->connecting) {
    xmpp_disconnect(svc->conn);
    /* Bounded: the server has ICXD_SHUTDOWN_MS to close the stream. */
    deadline = icxd_now_ms() + ICXD_SHUTDOWN_MS;
    while (!xmpp_conn_is_disconnected(svc->conn) && icxd_now_ms() < deadline)
      xmpp_run_once(svc->xctx, 50);
  }
  svc->connected = 0;
  return 0;
}

/* icxd_service_internal.h - the service structure shared by icxd's
 * modules (connection, router, disco, commands).  Loop thread only. */
#ifndef ICXD_SERVICE_INTERNAL_H
#define ICXD_SERVICE_INTERNAL_H

#include <stdint.h>
#include <strophe.h>

#include "icx.h"
#include "icxd_config.h"
#include "icxd_log.h"
#include "icxd_session.h"
#include "icxd_service.h"
#include "icxd_worker.h"

/* The commands icxd offers: the paper's match, and its explanation. */
#define ICXD_NODE "constraint_catalog_resources"
#define ICXD_NODE_NAME "Match cloud resources against constraints"
#define ICXD_NODE_EXPLAIN "explain_constraints"
#define ICXD_NODE_EXPLAIN_NAME "Explain which constraints rule clouds out"

struct icxd_service {
  const icxd_config *cfg;    /* borrowed */
  icxd_logger *log;          /* borrowed */
  xmpp_log_t xlog;
  xmpp_ctx_t *xctx;
  xmpp_conn_t *conn;
  icx_ctx *icx;              /* the loop's engine context */
  icx_vocab *vocab;          /* shared read-only with the workers */
  char *store_path;
  icxd_pool *pool;
  icxd_sessions *sessions;
  char *self;                /* our address: component domain or bound JID */
  char *domain;              /* our server's domain (fallback 'to') */
  int connected;
  int connecting;
  int sm_ready;              /* libstrophe SM-state workaround applied */
  int stopping;              /* shutting down: do not reconnect */
  unsigned backoff_ms;
  int64_t next_attempt_ms;
  uint64_t next_job_id;
  unsigned long connects;    /* successful connections so far */
};

/* Sends stanza and releases the caller's reference (NULL: logs ENOMEM). */
void icxd_send(icxd_service *svc, xmpp_stanza_t *stanza);

/* Answers req with an IQ error (see icxd_iq_error()). */
void icxd_reply_error(icxd_service *svc, xmpp_stanza_t *req, const char *etype,
                      const char *condition, const char *app_ns,
                      const char *app, const char *text);

/* The address to answer from: req's 'to' if set, else our own JID. */
const char *icxd_self_for(icxd_service *svc, xmpp_stanza_t *req);

/* icxd_conn.c */
int icxd_conn_setup(icxd_service *svc, char *err, size_t errlen);
void icxd_conn_attempt(icxd_service *svc);
void icxd_conn_teardown(icxd_service *svc);

/* icxd_router.c: the stanza handlers registered on the connection. */
int icxd_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud);
int icxd_on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud);
int icxd_on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud);

/* icxd_disco.c: 0 if handled (answered), -1 if not its business. */
int icxd_disco_handle(icxd_service *svc, xmpp_stanza_t *iq,
                      xmpp_stanza_t *payload);

/* icxd_command.c */
void icxd_command_handle(icxd_service *svc, xmpp_stanza_t *iq,
                         xmpp_stanza_t *command);
/* Called by the loop: finished jobs, async deadlines, expiry. */
void icxd_command_tick(icxd_service *svc);
/* Shutdown: answers IQs still owed with an error. */
void icxd_command_shutdown(icxd_service *svc);

#endif

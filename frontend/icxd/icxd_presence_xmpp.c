/* icxd_presence_xmpp.c - the presence tracker: keeps the presence table
 * from the connection.  It learns the owners from the store (at each
 * connect, after a withdrawal, every ICXD_PRESENCE_RESYNC_S seconds) and
 * from publishes, asks each owner for its presence (a subscription, and in
 * component mode a probe), and feeds the presence stanzas it receives to
 * the table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx.h"
#include "icxd_access.h"
#include "icxd_presence.h"
#include "icxd_stanza.h"
#include "icxd_worker.h"

struct icxd_presence_tracker {
  icxd_dispatch *dispatch;   /* borrowed */
  icxd_conn *conn;           /* borrowed: the dispatch's */
  icxd_logger *log;          /* borrowed: the connection's */
  const char *store_path;    /* borrowed */
  icx_ctx *icx;              /* for reading the owners */
  icxd_presence *table;
  unsigned generation;       /* of the connection the owners were asked on */
  int was_connected;
  int resync;                /* read the owners at the next tick */
  int64_t last_sync_ms;
  int full_logged;           /* the cap was reported */
};

/* Sends <presence type=type> from our address to bare. */
static void presence_tracker_send(icxd_presence_tracker *t, const char *bare,
                         const char *type)
{
  xmpp_stanza_t *pres = xmpp_presence_new(icxd_conn_xmpp_ctx(t->conn));

  if (!pres || xmpp_stanza_set_type(pres, type) != XMPP_EOK ||
      xmpp_stanza_set_to(pres, bare) != XMPP_EOK ||
      (*icxd_conn_self(t->conn) &&
       xmpp_stanza_set_from(pres, icxd_conn_self(t->conn)) != XMPP_EOK)) {
    if (pres)
      xmpp_stanza_release(pres);
    icxd_log(t->log, ICXD_LOG_ERROR, "presence", "out of memory");
    return;
  }
  icxd_conn_send(t->conn, pres);
}

/* Asks a new owner for its presence: a subscription, which its server
 * answers with the presence of every resource once the owner approves
 * (at once when it did before).  No probe with it: a probe that reaches
 * the owner's client before it has approved may be answered
 * 'unsubscribed', which cancels the subscription request (slixmpp does
 * so). */
static void presence_tracker_ask(void *ud, const char *bare)
{
  icxd_presence_tracker *t = ud;

  presence_tracker_send(t, bare, "subscribe");
  icxd_log(t->log, ICXD_LOG_DEBUG, "presence", "asked %s for its presence",
           bare);
}

/* Asks a known owner again, after a (re)connect.  In component mode, a
 * probe (its server answers with the presence of every resource) and then
 * the subscription again (answered at once when approved; otherwise a new
 * request).  A client's server probes its contacts itself after each
 * connect, and takes no probes from clients (RFC 6121 4.3). */
static void presence_tracker_ask_again(icxd_presence_tracker *t,
                                       const char *bare)
{
  if (icxd_conn_config(t->conn)->mode == ICXD_MODE_COMPONENT)
    presence_tracker_send(t, bare, "probe");
  presence_tracker_ask(t, bare);
}

static void presence_tracker_report_full(icxd_presence_tracker *t, long left)
{
  if (left <= 0) {
    t->full_logged = 0;
    return;
  }
  if (!t->full_logged)
    icxd_log(t->log, ICXD_LOG_WARN, "presence",
             "%ld publisher%s not followed: presence is tracked for at most "
             "%zu publishers (max_presence)", left, left == 1 ? " is" : "s are",
             icxd_presence_max(t->table));
  t->full_logged = 1;
}

/* Whom presence_tracker_sync() asks for presence. */
enum { TRACKER_ASK_NONE, TRACKER_ASK_NEW, TRACKER_ASK_ALL };

/* Reads the owners from the store and makes them the table's; asks every
 * owner (after a connect), only the new ones, or none (not connected) for
 * its presence. */
static void presence_tracker_sync(icxd_presence_tracker *t, int ask)
{
  icx_store *store = NULL;
  char **owners = NULL;
  size_t n = 0, i;
  long left;
  icx_rc rc;

  t->resync = 0;
  t->last_sync_ms = icxd_now_ms();
  rc = icx_store_open(t->icx, t->store_path, ICX_STORE_READONLY, &store);
  if (rc == ICX_OK)
    rc = icx_store_list_owners(store, &owners, &n);
  icx_store_free(store);
  if (rc != ICX_OK && rc != ICX_ERR_NOT_FOUND) {
    icxd_log(t->log, ICXD_LOG_WARN, "presence",
             "cannot read the publishers from the store %s: %s; keeping the "
             "%zu followed", t->store_path,
             *icx_ctx_errmsg(t->icx) ? icx_ctx_errmsg(t->icx)
                                     : icx_strerror(rc),
             icxd_presence_count(t->table));
    return;
  }
  left = icxd_presence_sync_owners(
      t->table, (const char *const *)owners, n, time(NULL),
      ask == TRACKER_ASK_NEW ? presence_tracker_ask : NULL, t);
  if (left < 0)
    icxd_log(t->log, ICXD_LOG_ERROR, "presence", "out of memory");
  presence_tracker_report_full(t, left);
  if (ask == TRACKER_ASK_ALL)
    for (i = 0; i < icxd_presence_count(t->table); i++) {
      icxd_show show;
      time_t since;
      int seen;
      size_t res;
      presence_tracker_ask_again(t, icxd_presence_at(t->table, i, &show, &since,
                                            &seen, &res));
    }
  icxd_log(t->log, ICXD_LOG_DEBUG, "presence", "%zu publisher%s followed",
           icxd_presence_count(t->table),
           icxd_presence_count(t->table) == 1 ? "" : "s");
  icx_store_free_owners(owners, n);
}

/* The <show> of an available presence; anything unknown is available. */
static icxd_show presence_tracker_show(xmpp_stanza_t *st)
{
  xmpp_stanza_t *el = icxd_child(st, "show", NULL);
  char *text = el ? xmpp_stanza_get_text(el) : NULL;
  icxd_show show = ICXD_SHOW_AVAILABLE;

  if (text) {
    if (icxd_show_parse(text, &show) != 0 || show == ICXD_SHOW_UNAVAILABLE)
      show = ICXD_SHOW_AVAILABLE;
    xmpp_free(xmpp_stanza_get_context(st), text);
  }
  return show;
}

static int presence_tracker_on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st,
                               void *ud)
{
  icxd_presence_tracker *t = ud;
  const char *type = xmpp_stanza_get_type(st);
  const char *from = xmpp_stanza_get_from(st);
  char *bare = NULL;
  const char *who;
  int available, taken;

  (void)conn;
  if (!from || !*from)
    return 1;
  if (!type || icxd_is(type, "available")) {
    available = 1;
    who = from;
  } else if (icxd_is(type, "unavailable")) {
    available = 0;
    who = from;
  } else if (icxd_is(type, "error") || icxd_is(type, "unsubscribed")) {
    /* No presence to be had (no such account, or the subscription was
     * refused or cancelled): every resource counts as gone. */
    available = 0;
    bare = icxd_bare_jid(from);
    if (!bare)
      return 1;
    who = bare;
  } else {
    return 1;   /* subscribe, subscribed, unsubscribe, probe */
  }
  taken = icxd_presence_update(t->table, who, available,
                               available ? presence_tracker_show(st)
                                         : ICXD_SHOW_UNAVAILABLE,
                               time(NULL));
  if (taken < 0)
    icxd_log(t->log, ICXD_LOG_ERROR, "presence", "out of memory");
  else
    icxd_log(t->log, ICXD_LOG_DEBUG, "presence", "presence %s from %s %s",
             type ? type : "available", from,
             taken ? "taken" : "ignored: it owns no published document (or "
                               "has too many resources)");
  free(bare);
  return 1;
}

icxd_presence_tracker *icxd_presence_tracker_new(icxd_dispatch *d,
                                                 const char *store_path,
                                                 size_t max)
{
  icxd_presence_tracker *t = calloc(1, sizeof *t);

  if (!t)
    return NULL;
  t->dispatch = d;
  t->conn = icxd_dispatch_conn(d);
  t->log = icxd_conn_log(t->conn);
  t->store_path = store_path;
  t->table = icxd_presence_new(max);
  t->icx = icx_ctx_new();
  if (!t->table || !t->icx) {
    icxd_presence_tracker_free(t);
    return NULL;
  }
  icx_ctx_set_logger(t->icx, icxd_logger_icx_sink, t->log);
  icxd_conn_handler_add(t->conn, presence_tracker_on_presence, NULL,
                        "presence", NULL, t);
  /* The owners before any connection: in client mode the server sends
   * the contacts' presence as soon as the stream is up. */
  presence_tracker_sync(t, TRACKER_ASK_NONE);
  return t;
}

void icxd_presence_tracker_free(icxd_presence_tracker *t)
{
  if (!t)
    return;
  if (t->conn)
    icxd_conn_handler_delete(t->conn, presence_tracker_on_presence);
  icxd_presence_free(t->table);
  icx_ctx_free(t->icx);
  free(t);
}

icxd_presence *icxd_presence_tracker_table(icxd_presence_tracker *t)
{
  return t->table;
}

void icxd_presence_tracker_published(icxd_presence_tracker *t,
                                     const char *bare)
{
  switch (icxd_presence_add_owner(t->table, bare, time(NULL))) {
  case ICXD_PRESENCE_ADDED:
  case ICXD_PRESENCE_KNOWN:
    if (icxd_conn_connected(t->conn))
      presence_tracker_ask(t, bare);
    break;
  case ICXD_PRESENCE_FULL:
    presence_tracker_report_full(t, 1);
    break;
  case ICXD_PRESENCE_NOMEM:
    icxd_log(t->log, ICXD_LOG_ERROR, "presence", "out of memory");
    break;
  }
}

void icxd_presence_tracker_resync(icxd_presence_tracker *t)
{
  t->resync = 1;
}

void icxd_presence_tracker_tick(icxd_presence_tracker *t)
{
  int connected = icxd_conn_connected(t->conn);

  if (t->was_connected && !connected) {
    /* What we knew came over the stream that ended. */
    icxd_presence_forget_all(t->table, time(NULL));
    icxd_log(t->log, ICXD_LOG_DEBUG, "presence",
             "connection lost: every presence is unknown until the next "
             "connect");
  }
  t->was_connected = connected;
  if (!connected)
    return;
  if (icxd_conn_generation(t->conn) != t->generation) {
    t->generation = icxd_conn_generation(t->conn);
    presence_tracker_sync(t, TRACKER_ASK_ALL);
  } else if (t->resync ||
             icxd_now_ms() - t->last_sync_ms >= ICXD_PRESENCE_RESYNC_S * 1000) {
    presence_tracker_sync(t, TRACKER_ASK_NEW);
  }
}

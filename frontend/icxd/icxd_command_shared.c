/* icxd_command_shared.c - the commands' sessions kept in the store, so
 * that several instances serving one component name continue each
 * other's sessions ([exchange] shared_sessions; doc/architecture.md,
 * "Several instances behind ejabberd").
 *
 * What lives where.  A session is in this instance's memory only while
 * its job runs here (or its first IQ is still owed an answer): the
 * answer comes back to this process.  Every session whose id has reached
 * its requester is also a row of the store (icx_store_sessions.h):
 *   FORM     a form was sent: held by no one in memory; whichever
 *            instance the submission reaches claims the row (one wins)
 *            and runs the query;
 *   RUNNING  executing was sent: the row names the instance running it;
 *            another instance answers getStatus from the row, and tells
 *            a requester whose instance stopped (it no longer says it is
 *            alive) that the query is lost;
 *   LOST     a tombstone: the instance running it stopped.  Written when
 *            a stanza of the session finds that out, or by the prune
 *            that would otherwise remove the row; every stanza of the
 *            session is told that the query is lost (naming the
 *            instance) until the tombstone expires, session_timeout
 *            later: then bad-sessionid, as for any expired session;
 *   DONE     the answer was pushed: the completed <command> is in the
 *            row and in no memory; the first getOutput (at any instance)
 *            takes it, once.
 * So no instance keeps a stale copy: a hit in memory is always the
 * truth, and a miss costs one read of the store.  A cancel removes the
 * row; the instance running the job then finds no row to finish and
 * drops the answer.
 *
 * The store is written from the loop thread on a handle of its own,
 * one short statement at a time, waiting at most ICXD_SHARED_WAIT_MS for
 * another writer's lock (icxd's writer thread, an icx load): a row that
 * cannot be written leaves the session to this instance alone (logged).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "icx_store_sessions.h"
#include "icxd_command_internal.h"
#include "icxd_iodata.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

/* How often an instance says it is alive, after how long without a word
 * it counts as stopped, how often expired rows are pruned, and how long
 * a write waits for the store's lock. */
#define ICXD_SHARED_BEAT_MS 1000
#define ICXD_SHARED_DEAD_MS 5000
#define ICXD_SHARED_PRUNE_MS 10000
#define ICXD_SHARED_WAIT_MS 2000L

/* Milliseconds since the epoch: rows are read by other processes. */
static long long shared_wall_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The store handle, opened at first use; NULL (logged) when it cannot
 * be. */
static icx_store *shared_store(icxd_command *cmds)
{
  icx_rc rc;

  if (cmds->sh_store && icx_store_replaced(cmds->sh_store)) {
    icx_store_free(cmds->sh_store);
    cmds->sh_store = NULL;
  }
  if (cmds->sh_store)
    return cmds->sh_store;
  rc = icx_store_open(cmds->sh_ctx, cmds->sh_path, ICX_STORE_CREATE,
                      &cmds->sh_store);
  if (rc != ICX_OK) {
    cmds->sh_store = NULL;
    icxd_log(cmds->log, ICXD_LOG_ERROR, "command",
             "shared sessions: cannot open the store %s: %s", cmds->sh_path,
             *icx_ctx_errmsg(cmds->sh_ctx) ? icx_ctx_errmsg(cmds->sh_ctx)
                                           : icx_strerror(rc));
    return NULL;
  }
  icx_store_set_wait(cmds->sh_store, ICXD_SHARED_WAIT_MS, NULL, NULL);
  return cmds->sh_store;
}

static const char *shared_errmsg(icxd_command *cmds, icx_rc rc)
{
  return *icx_ctx_errmsg(cmds->sh_ctx) ? icx_ctx_errmsg(cmds->sh_ctx)
                                       : icx_strerror(rc);
}

void icxd_command_set_shared(icxd_command *cmds, const char *store_path)
{
  char host[32], hex[33];

  if (!store_path || cmds->sh_path)
    return;
  cmds->sh_ctx = icx_ctx_new();
  cmds->sh_path = strdup(store_path);
  if (!cmds->sh_ctx || !cmds->sh_path) {
    icx_ctx_free(cmds->sh_ctx);
    free(cmds->sh_path);
    cmds->sh_ctx = NULL;
    cmds->sh_path = NULL;
    icxd_log(cmds->log, ICXD_LOG_ERROR, "command",
             "out of memory: sessions stay with this instance");
    return;
  }
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "host");
  host[sizeof host - 1] = '\0';
  if (icxd_random_hex(hex, sizeof hex) != 0)
    snprintf(hex, sizeof hex, "%lld", shared_wall_ms());
  /* Unique per run: a restarted process is another instance. */
  snprintf(cmds->sh_instance, sizeof cmds->sh_instance, "%s/%ld/%.8s", host,
           (long)getpid(), hex);
  icxd_log(cmds->log, ICXD_LOG_INFO, "command",
           "shared sessions: this is instance %s", cmds->sh_instance);
}

void icxd_command_forget(icxd_command *cmds, icxd_session *s)
{
  icx_store *st;

  if (s->shared && cmds->sh_path && (st = shared_store(cmds)))
    (void)icx_store_sess_remove(st, s->id, -1);
  icxd_sessions_remove(cmds->sessions, s);
}

void icxd_command_forget_row(icxd_command *cmds, icxd_session *s)
{
  icx_store *st;

  if (s->shared && cmds->sh_path && (st = shared_store(cmds)))
    (void)icx_store_sess_remove(st, s->id, -1);
  s->shared = 0;
}

int icxd_command_shared_put(icxd_command *cmds, icxd_session *s, int stage)
{
  long long now = shared_wall_ms();
  icx_store *st;
  icx_sess_row row;
  icx_rc rc;

  if (!cmds->sh_path)
    return -1;
  if (!(st = shared_store(cmds)))
    return -1;
  memset(&row, 0, sizeof row);
  row.id = s->id;
  row.owner = s->owner;
  row.node = (char *)s->node;
  row.stage = stage;
  row.output = (int)s->output;
  row.instance = cmds->sh_instance;
  row.started = now;
  row.expires = now + (long long)cmds->cfg->session_timeout_s * 1000;
  row.request = s->job && s->job->xml ? s->job->xml : NULL;
  if ((rc = icx_store_sess_put(st, &row)) != ICX_OK) {
    icxd_log(cmds->log, ICXD_LOG_WARN, "command",
             "session %s stays with this instance: cannot keep it in the "
             "store: %s", s->id, shared_errmsg(cmds, rc));
    return -1;
  }
  s->shared = 1;
  return 0;
}

int icxd_command_shared_finish(icxd_command *cmds, icxd_session *s,
                               xmpp_stanza_t *cmd)
{
  char *text = NULL;
  size_t len = 0;
  icx_store *st;
  icx_rc rc;

  if (!s->shared || !cmds->sh_path || !(st = shared_store(cmds)))
    return -1;
  if (xmpp_stanza_to_text(cmd, &text, &len) != XMPP_EOK || !text)
    return -1;
  rc = icx_store_sess_finish(st, s->id, cmds->sh_instance, text,
                             shared_wall_ms() +
                                 (long long)cmds->cfg->session_timeout_s * 1000);
  xmpp_free(cmds->xctx, text);
  if (rc == ICX_ERR_NOT_FOUND) {
    icxd_log(cmds->log, ICXD_LOG_INFO, "command",
             "session %s was canceled or expired meanwhile: answer dropped",
             s->id);
    return 1;
  }
  if (rc != ICX_OK) {
    icxd_log(cmds->log, ICXD_LOG_WARN, "command",
             "session %s: cannot keep its answer in the store (it stays "
             "with this instance): %s", s->id, shared_errmsg(cmds, rc));
    return -1;
  }
  return 0;
}

/* <command status='executing'> for a session another instance holds,
 * with an info note and <iodata type='status'> state, ms. */
static xmpp_stanza_t *shared_status(icxd_command *cmds, const icx_sess_row *row,
                                    const char *node, const char *state,
                                    long ms, const char *note)
{
  xmpp_stanza_t *cmd = icxd_command_elem(cmds, node, row->id, "executing");

  if (!cmd)
    return NULL;
  if ((note && icxd_command_note(cmds, cmd, "info", note)) ||
      icxd_adopt(cmd, icxd_iodata_status(cmds->xctx, state, ms, 0))) {
    xmpp_stanza_release(cmd);
    return NULL;
  }
  return cmd;
}

static void shared_bad_sessionid(icxd_command *cmds, xmpp_stanza_t *iq)
{
  icxd_command_bad_request(cmds, iq, "bad-sessionid",
                           "no such session (unknown, expired, already "
                           "fetched or canceled): start the command again");
}

/* A FORM row: the form submitted (claimed: this instance runs it), a
 * status, or a cancel. */
static void shared_form(icxd_command *cmds, icx_store *st, icx_sess_row *row,
                        xmpp_stanza_t *iq, const char *node,
                        xmpp_stanza_t *iodata, xmpp_stanza_t *x)
{
  long long now = shared_wall_ms();
  const char *xtype = x ? xmpp_stanza_get_type(x) : NULL;
  icxd_session *s;
  icx_rc rc;

  if (iodata) {
    icxd_command_reply(cmds, iq, shared_status(cmds, row, node,
                                               "awaiting-form", 0, NULL));
    return;
  }
  if (icxd_is(xtype, "cancel")) {
    (void)icx_store_sess_remove(st, row->id, -1);
    icxd_command_reply(cmds, iq,
                       icxd_command_elem(cmds, node, row->id, "canceled"));
    return;
  }
  if (!icxd_is(xtype, "submit")) {
    icxd_command_bad_request(cmds, iq, "bad-payload",
                             "expected the form back with type='submit'");
    return;
  }
  rc = icx_store_sess_claim(st, row->id, ICX_SESS_STAGE_FORM, NULL,
                            ICX_SESS_STAGE_RUNNING, cmds->sh_instance, now,
                            now + (long long)cmds->cfg->session_timeout_s * 1000);
  if (rc == ICX_ERR_NOT_FOUND) {
    shared_bad_sessionid(cmds, iq);   /* submitted twice: the other won */
    return;
  }
  if (rc != ICX_OK ||
      !(s = icxd_sessions_adopt(cmds->sessions, row->id, row->owner,
                                icxd_reply_from(cmds->conn, iq)))) {
    if (rc == ICX_OK)
      (void)icx_store_sess_remove(st, row->id, -1);
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     rc == ICX_OK ? "out of memory"
                                  : "the session store is busy: submit the "
                                    "form again in a moment");
    return;
  }
  s->node = node;
  s->output = (icxd_sess_output)row->output;
  s->shared = 1;
  icxd_log(cmds->log, ICXD_LOG_DEBUG, "command",
           "session %s: form of instance %s submitted here", s->id,
           row->instance);
  icxd_command_submit_form(cmds, s, iq, x);
}

/* The answer to any stanza of a session whose query is lost: the
 * instance that ran it stopped before it finished. */
static void shared_reply_lost(icxd_command *cmds, xmpp_stanza_t *iq,
                              const char *instance)
{
  char text[300];

  snprintf(text, sizeof text,
           "the query of this session is lost: the instance of the exchange "
           "that ran it stopped before it finished (%s); start the command "
           "again", instance);
  icxd_reply_error(cmds->conn, iq, "cancel", "internal-server-error", NULL,
                   NULL, text);
}

/* A RUNNING row of another instance: its status, or, when that instance
 * stopped, the news that the query is lost (the row becomes a tombstone
 * that tells the same to every later stanza of the session). */
static void shared_running(icxd_command *cmds, icx_store *st,
                           icx_sess_row *row, xmpp_stanza_t *iq,
                           const char *node)
{
  long long now = shared_wall_ms(), seen = 0;
  icx_rc rc = ICX_ERR_NOT_FOUND;

  if (strcmp(row->instance, cmds->sh_instance) != 0)
    rc = icx_store_sess_seen(st, row->instance, &seen);
  if (rc == ICX_OK && seen >= now - ICXD_SHARED_DEAD_MS) {
    icxd_command_reply(cmds, iq,
                       shared_status(cmds, row, node, "running",
                                     (long)(now - row->started),
                                     "the query is running at another "
                                     "instance of this exchange"));
    return;
  }
  if (rc != ICX_OK && rc != ICX_ERR_NOT_FOUND) {
    icxd_reply_error(cmds->conn, iq, "wait", "internal-server-error", NULL,
                     NULL, "cannot read the session store: ask again");
    return;
  }
  /* Not found: another instance made it a tombstone (or a cancel came)
   * meanwhile; the answer is the same. */
  rc = icx_store_sess_lose(st, row->id, row->instance, now,
                           now + (long long)cmds->cfg->session_timeout_s *
                                     1000);
  if (rc != ICX_OK && rc != ICX_ERR_NOT_FOUND)
    icxd_log(cmds->log, ICXD_LOG_WARN, "command",
             "session %s: cannot mark it lost in the store: %s", row->id,
             shared_errmsg(cmds, rc));
  icxd_log(cmds->log, ICXD_LOG_INFO, "command",
           "session %s: its instance %s stopped while running it", row->id,
           row->instance);
  shared_reply_lost(cmds, iq, row->instance);
}

/* A DONE row: its answer handed out once (getOutput, complete, or a
 * request without payload), or a status. */
static void shared_done(icxd_command *cmds, icx_store *st, icx_sess_row *row,
                        xmpp_stanza_t *iq, const char *node,
                        xmpp_stanza_t *iodata)
{
  const char *iotype = iodata ? xmpp_stanza_get_type(iodata) : NULL;
  xmpp_stanza_t *cmd;
  icx_rc rc;

  if (icxd_is(iotype, "getStatus")) {
    icxd_command_reply(cmds, iq, shared_status(cmds, row, node, "done", 0,
                                               NULL));
    return;
  }
  if (iodata && !icxd_is(iotype, "getOutput")) {
    icxd_command_bad_request(cmds, iq, "bad-payload",
                             "in a session, iodata type must be getStatus or "
                             "getOutput");
    return;
  }
  if (!(cmd = xmpp_stanza_new_from_string(cmds->xctx, row->answer))) {
    icxd_reply_error(cmds->conn, iq, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  rc = icx_store_sess_remove(st, row->id, ICX_SESS_STAGE_DONE);
  if (rc != ICX_OK) {
    xmpp_stanza_release(cmd);
    if (rc == ICX_ERR_NOT_FOUND)
      shared_bad_sessionid(cmds, iq);   /* fetched meanwhile */
    else
      icxd_reply_error(cmds->conn, iq, "wait", "internal-server-error", NULL,
                       NULL, "the session store is busy: ask again");
    return;
  }
  icxd_command_reply(cmds, iq, cmd);
}

void icxd_command_shared_request(icxd_command *cmds, xmpp_stanza_t *iq,
                                 const char *node, const char *sid,
                                 const char *action, xmpp_stanza_t *iodata,
                                 xmpp_stanza_t *x)
{
  const char *from = xmpp_stanza_get_from(iq);
  icx_sess_row row;
  icx_store *st;
  icx_rc rc;

  if (!cmds->sh_path) {
    icxd_command_bad_request(cmds, iq, "bad-sessionid",
                             "no such session (unknown, expired, or opened "
                             "with an instance of this service that has "
                             "stopped: start the command again)");
    return;
  }
  if (!(st = shared_store(cmds))) {
    icxd_reply_error(cmds->conn, iq, "wait", "internal-server-error", NULL,
                     NULL, "cannot open the session store: ask again");
    return;
  }
  rc = icx_store_sess_get(st, sid, &row);
  if (rc != ICX_OK && rc != ICX_ERR_NOT_FOUND) {
    icxd_log(cmds->log, ICXD_LOG_WARN, "command",
             "cannot read session %s from the store: %s", sid,
             shared_errmsg(cmds, rc));
    icxd_reply_error(cmds->conn, iq, "wait", "internal-server-error", NULL,
                     NULL, "cannot read the session store: ask again");
    return;
  }
  /* Only its owner (the full JID that opened it) sees a session, at the
   * node that opened it: anyone else learns nothing. */
  if (rc == ICX_ERR_NOT_FOUND || strcmp(row.owner, from ? from : "") != 0 ||
      !icxd_is(row.node, node) ||
      (row.stage != ICX_SESS_STAGE_RUNNING && row.expires < shared_wall_ms())) {
    icx_store_sess_clear(st, &row);
    shared_bad_sessionid(cmds, iq);
    return;
  }
  icxd_log(cmds->log, ICXD_LOG_DEBUG, "command",
           "session %s (%s, stage %d, instance %s) served from the store",
           row.id, row.node, row.stage, row.instance);
  if (icxd_is(action, "cancel")) {
    (void)icx_store_sess_remove(st, row.id, -1);
    icxd_command_reply(cmds, iq,
                       icxd_command_elem(cmds, node, row.id, "canceled"));
  } else if (icxd_is(action, "prev")) {
    icxd_command_bad_request(cmds, iq, "bad-action",
                             "this command has a single stage");
  } else if (row.stage == ICX_SESS_STAGE_FORM) {
    shared_form(cmds, st, &row, iq, node, iodata, x);
  } else if (row.stage == ICX_SESS_STAGE_RUNNING) {
    shared_running(cmds, st, &row, iq, node);
  } else if (row.stage == ICX_SESS_STAGE_LOST) {
    shared_reply_lost(cmds, iq, row.instance);
  } else {
    shared_done(cmds, st, &row, iq, node, iodata);
  }
  icx_store_sess_clear(st, &row);
}

void icxd_command_shared_tick(icxd_command *cmds, int64_t now)
{
  long long wall;
  icx_store *st;
  size_t n = 0, lost = 0;
  icx_rc rc;

  if (!cmds->sh_path || now - cmds->sh_beat_ms < ICXD_SHARED_BEAT_MS)
    return;
  cmds->sh_beat_ms = now;
  if (!(st = shared_store(cmds)))
    return;
  wall = shared_wall_ms();
  if ((rc = icx_store_sess_beat(st, cmds->sh_instance, wall)) != ICX_OK)
    icxd_log(cmds->log, ICXD_LOG_WARN, "command",
             "cannot say in the store that this instance is alive: %s",
             shared_errmsg(cmds, rc));
  if (now - cmds->sh_prune_ms < ICXD_SHARED_PRUNE_MS)
    return;
  cmds->sh_prune_ms = now;
  /* A stopped instance's running sessions leave tombstones that expire
   * like a session left idle. */
  rc = icx_store_sess_prune(st, wall, wall - ICXD_SHARED_DEAD_MS,
                            wall - 3600 * 1000LL,
                            wall + (long long)cmds->cfg->session_timeout_s *
                                       1000,
                            &n, &lost);
  if (rc != ICX_OK)
    icxd_log(cmds->log, ICXD_LOG_WARN, "command",
             "cannot prune the sessions in the store: %s",
             shared_errmsg(cmds, rc));
  else if (n || lost)
    icxd_log(cmds->log, ICXD_LOG_DEBUG, "command",
             "%zu expired sessions pruned from the store, %zu of stopped "
             "instances kept as lost", n, lost);
}

void icxd_command_shared_stop(icxd_command *cmds)
{
  if (!cmds->sh_path)
    return;
  if (cmds->sh_store)
    (void)icx_store_sess_beat(cmds->sh_store, cmds->sh_instance, -1);
  icx_store_free(cmds->sh_store);
  cmds->sh_store = NULL;
  icx_ctx_free(cmds->sh_ctx);
  cmds->sh_ctx = NULL;
  free(cmds->sh_path);
  cmds->sh_path = NULL;
}

/* icxd_service.c - icxd as a whole: builds its parts, runs the loop. */
/* The loop is libstrophe's xmpp_run_once() driven by icxd itself, so it
 * can reconnect (xmpp_run() cannot be restarted) and, between two turns,
 * collect the jobs the worker threads finished.  Turns are short (5 ms)
 * while jobs are in flight and longer (200 ms) when idle; a turn returns as
 * soon as the socket has data either way, and, while jobs are in flight,
 * as soon as a worker or the writer finishes one (they write a byte to a
 * pipe the turn waits on, icxd_conn_run_wake()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icx.h"
#include "icxd_command.h"
#include "icxd_conn.h"
#include "icxd_disco.h"
#include "icxd_dispatch.h"
#include "icxd_ping.h"
#include "icxd_presence.h"
#include "icxd_service.h"
#include "icxd_stanza.h"
#include "icxd_worker.h"
#include "icxd_writer.h"

#define ICXD_TURN_BUSY_MS 5
#define ICXD_TURN_IDLE_MS 200
#define ICXD_SHUTDOWN_MS 3000

struct icxd_service {
  icxd_config *cfg;          /* borrowed; a reload refills it in place */
  icxd_logger *log;          /* borrowed */
  icx_ctx *icx;              /* the loop's engine context */
  icx_vocab *vocab;          /* shared read-only with the workers */
  char *store_path;
  icxd_pool *pool;
  icxd_writer *writer;       /* the one writer: publishes, withdrawals */
  icxd_subs *subs;           /* standing requests, run by the writer */
  icxd_conn *conn;
  icxd_dispatch *dispatch;
  icxd_disco *disco;
  icxd_command *command;
  icxd_presence_tracker *presence;  /* the publishers' presence */
  icxd_disco_spec disco_spec;
  /* reload (SIGHUP) */
  volatile sig_atomic_t *reload;  /* set by the signal handler */
  int argc;
  char **argv;                    /* borrowed: main's */
  icx_vocab *retired_vocab;       /* freed once no running job holds it */
  int wake[2];                    /* a job is done: a byte in wake[1] */
};

/* A worker or the writer finished a job (on its thread): wake the loop.
 * A full pipe already holds a wake-up. */
static void service_wake(void *ud)
{
  icxd_service *svc = ud;
  ssize_t n;

  do
    n = write(svc->wake[1], "", 1);
  while (n < 0 && errno == EINTR);
}

/* The wake pipe, both ends non-blocking.  0, or -1 with err set. */
static int service_open_wake(icxd_service *svc, char *err, size_t errlen)
{
  int i;

  if (pipe(svc->wake) != 0) {
    snprintf(err, errlen, "cannot make the wake-up pipe: %s", strerror(errno));
    svc->wake[0] = svc->wake[1] = -1;
    return -1;
  }
  for (i = 0; i < 2; i++)
    if (fcntl(svc->wake[i], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(svc->wake[i], F_SETFD, FD_CLOEXEC) != 0) {
      snprintf(err, errlen, "cannot set up the wake-up pipe: %s",
               strerror(errno));
      return -1;
    }
  return 0;
}

/* The features of the service as a whole, as disco#info lists them. */
static const char *const service_features[] = {
  ICXD_NS_DISCO_INFO, ICXD_NS_DISCO_ITEMS, ICXD_NS_COMMANDS, ICXD_NS_IODATA,
  ICXD_NS_DATA, ICXD_NS_PING, NULL
};

/* The XMPP side: the connection, the dispatch of its stanzas, and the
 * handlers of disco, ping and the commands.  0, or -1 with err set. */
static int service_setup_xmpp(icxd_service *svc, char *err, size_t errlen)
{
  const icxd_config *cfg = svc->cfg;
  icxd_disco_spec *spec = &svc->disco_spec;

  svc->conn = icxd_conn_new(cfg, svc->log, err, errlen);
  if (!svc->conn)
    return -1;
  svc->dispatch = icxd_dispatch_new(svc->conn);
  if (!svc->dispatch)
    goto nomem;
  svc->command = icxd_command_new(svc->dispatch, cfg, svc->log, svc->vocab,
                                  svc->pool);
  if (!svc->command)
    goto nomem;
  icxd_command_set_writer(svc->command, svc->writer);
  if (cfg->shared_sessions)
    icxd_command_set_shared(svc->command, svc->store_path);
  svc->presence = icxd_presence_tracker_new(svc->dispatch, svc->store_path,
                                            cfg->max_presence);
  if (!svc->presence)
    goto nomem;
  icxd_command_set_presence(svc->command, svc->presence);
  if (svc->subs)
    icxd_command_set_subs(svc->command, svc->subs);
  spec->category = cfg->mode == ICXD_MODE_COMPONENT ? "component" : "client";
  spec->type = cfg->mode == ICXD_MODE_COMPONENT ? "generic" : "bot";
  spec->name = "Intercloud Exchange";
  spec->features = service_features;
  spec->commands_name = "Intercloud Exchange commands";
  spec->commands = icxd_command_disco(&spec->n_commands);
  /* register_exchange comes last and is a root's only: an exchange does
   * not offer it (the role read at start; the command itself follows a
   * reload). */
  if (!cfg->fed_root)
    spec->n_commands--;
  /* A root lists the exchanges registered with it. */
  spec->items = icxd_fed_disco_items;
  spec->items_ud = icxd_command_fed(svc->command);
  svc->disco = icxd_disco_new(svc->dispatch, spec);
  if (!svc->disco || icxd_ping_register(svc->dispatch) != 0)
    goto nomem;
  return 0;
nomem:
  snprintf(err, errlen, "out of memory");
  return -1;
}

/* The writer thread, with its own store connection. */
static int service_start_writer(icxd_service *svc, char *err, size_t errlen)
{
  icxd_writer_opts wopts;

  if (svc->cfg->max_subscriptions) {
    svc->subs = icxd_subs_new(svc->store_path, svc->log);
    if (!svc->subs) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
  }
  memset(&wopts, 0, sizeof wopts);
  wopts.subs = svc->subs;
  wopts.store_path = svc->store_path;
  wopts.vocab = svc->vocab;
  wopts.log = svc->log;
  wopts.max_queue = svc->cfg->max_writes;
  wopts.index_refresh_ms = svc->cfg->index_refresh_ms;
  wopts.on_done = service_wake;
  wopts.on_done_ud = svc;
  svc->writer = icxd_writer_new(&wopts, err, errlen);
  return svc->writer ? 0 : -1;
}

icxd_service *icxd_service_new(icxd_config *cfg, icxd_logger *log,
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
  svc->wake[0] = svc->wake[1] = -1;
  if (service_open_wake(svc, err, errlen) != 0)
    goto fail;

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
  popts.on_done = service_wake;
  popts.on_done_ud = svc;
  svc->pool = icxd_pool_new(&popts, err, errlen);
  if (!svc->pool)
    goto fail;
  icxd_pool_set_answers_max(svc->pool, (size_t)cfg->answers_kept_mb << 20);

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
  if (service_start_writer(svc, err, errlen) != 0)
    goto fail;
  if (service_setup_xmpp(svc, err, errlen) != 0)
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
  /* The writer likewise. */
  icxd_writer_free(svc->writer);
  icxd_subs_free(svc->subs);
  /* Then the sessions, which own the jobs the pool handed back. */
  icxd_command_free(svc->command);
  icxd_presence_tracker_free(svc->presence);
  icxd_disco_free(svc->disco);
  icxd_dispatch_free(svc->dispatch);
  icxd_conn_free(svc->conn);
  icx_vocab_free(svc->vocab);
  icx_vocab_free(svc->retired_vocab);
  icx_ctx_free(svc->icx);
  free(svc->store_path);
  if (svc->wake[0] >= 0)
    close(svc->wake[0]);
  if (svc->wake[1] >= 0)
    close(svc->wake[1]);
  free(svc);
}

void icxd_service_watch_reload(icxd_service *svc, volatile sig_atomic_t *flag,
                               int argc, char **argv)
{
  svc->reload = flag;
  svc->argc = argc;
  svc->argv = argv;
}

/* The vocabulary of a reload: loaded from dir into *out.  0, or -1 with
 * err set (the running one stays). */
static int service_load_vocab(icxd_service *svc, const char *dir,
                              icx_vocab **out, char *err, size_t errlen)
{
  icx_rc rc;

  *out = NULL;
  if (svc->retired_vocab) {
    snprintf(err, errlen, "the vocabulary before the last reload is still "
             "used by a running query; send SIGHUP again when it is done");
    return -1;
  }
  rc = icx_vocab_load(svc->icx, dir, out);
  if (rc != ICX_OK) {
    snprintf(err, errlen, "cannot load the vocabulary from %s: %s", dir,
             *icx_ctx_errmsg(svc->icx) ? icx_ctx_errmsg(svc->icx)
                                       : icx_strerror(rc));
    *out = NULL;
    return -1;
  }
  return 0;
}

/* SIGHUP: reopens the log file, reads the configuration and the
 * vocabulary again, and applies them between two turns of the loop (the
 * only thread that reads the configuration).  Anything broken: reported,
 * and everything stays as it was.  The connection is kept. */
static void service_reload(icxd_service *svc)
{
  icxd_config *fresh = icxd_config_new();
  icx_vocab *vocab = NULL;
  char err[1024], note[1024];
  const char *dir;

  if (svc->cfg->log_file &&
      icxd_logger_open_file(svc->log, svc->cfg->log_file, err,
                            sizeof err) != 0)
    icxd_log(svc->log, ICXD_LOG_ERROR, "main", "reload: %s", err);
  icxd_log(svc->log, ICXD_LOG_INFO, "main", "SIGHUP: reloading%s%s",
           svc->cfg->config_path ? " " : "",
           svc->cfg->config_path ? svc->cfg->config_path : "");
  if (!fresh) {
    icxd_log(svc->log, ICXD_LOG_ERROR, "main",
             "reload: out of memory; keeping the running configuration");
    return;
  }
  if (icxd_config_from_args(fresh, svc->argc, svc->argv, err, sizeof err) !=
      ICXD_CONFIG_OK) {
    icxd_log(svc->log, ICXD_LOG_ERROR, "main",
             "reload failed: %s; keeping the running configuration", err);
    icxd_config_free(fresh);
    return;
  }
  dir = fresh->ontology ? fresh->ontology : icx_vocab_default_dir();
  if (service_load_vocab(svc, dir, &vocab, err, sizeof err) != 0) {
    icxd_log(svc->log, ICXD_LOG_ERROR, "main",
             "reload failed: %s; keeping the running configuration", err);
    icxd_config_free(fresh);
    return;
  }
  /* A new log file first, so the rest of the reload is logged there. */
  if (fresh->log_file &&
      (!svc->cfg->log_file || strcmp(fresh->log_file, svc->cfg->log_file)) &&
      icxd_logger_open_file(svc->log, fresh->log_file, err, sizeof err) != 0)
    icxd_log(svc->log, ICXD_LOG_ERROR, "main", "reload: %s", err);

  icxd_config_adopt(svc->cfg, fresh, note, sizeof note);
  if (*note)
    icxd_log(svc->log, ICXD_LOG_WARN, "main", "reload: %s", note);
  icxd_logger_set_level(svc->log, (icxd_level)svc->cfg->log_level,
                        svc->cfg->trace);
  icx_ctx_set_log_level(svc->icx, (icx_log_level)svc->cfg->log_level);
  icxd_command_apply_config(svc->command);
  icxd_pool_set_limits(svc->pool, svc->cfg->max_queue,
                       svc->cfg->query_time_limit_s * 1000u,
                       svc->cfg->debug_query_delay_ms);
  icxd_pool_set_answers_max(svc->pool, (size_t)svc->cfg->answers_kept_mb << 20);
  svc->retired_vocab = (icx_vocab *)icxd_pool_set_vocab(svc->pool, vocab);
  icxd_writer_set_vocab(svc->writer, vocab);
  icxd_writer_set_max_queue(svc->writer, svc->cfg->max_writes);
  if (svc->subs)
    icxd_subs_set_limits(svc->subs, svc->cfg->max_subscriptions,
                         svc->cfg->max_subscriptions_per_jid);
  icxd_presence_set_max(icxd_presence_tracker_table(svc->presence),
                        svc->cfg->max_presence);
  icxd_command_set_vocab(svc->command, vocab);
  svc->vocab = vocab;
  icxd_log(svc->log, ICXD_LOG_INFO, "main",
           "reloaded: configuration%s%s, vocabulary %s; limits: "
           "max_sessions %u (%u per account), max_queue %u (%u per account)",
           svc->cfg->config_path ? " " : "",
           svc->cfg->config_path ? svc->cfg->config_path : "", dir,
           svc->cfg->max_sessions, svc->cfg->max_sessions_per_jid,
           svc->cfg->max_queue, svc->cfg->max_queue_per_jid);
}

/* Frees the vocabulary a reload replaced once no running job holds it. */
static void service_free_retired(icxd_service *svc)
{
  if (svc->retired_vocab &&
      !icxd_pool_vocab_in_use(svc->pool, svc->retired_vocab) &&
      !icxd_writer_vocab_in_use(svc->writer, svc->retired_vocab)) {
    icx_vocab_free(svc->retired_vocab);
    svc->retired_vocab = NULL;
  }
}

/* Accepted work still to answer: the commands' and the writer's. */
static size_t service_busy(icxd_service *svc)
{
  return icxd_command_busy(svc->command) + icxd_pool_in_flight(svc->pool) +
         icxd_writer_in_flight(svc->writer);
}

/* SIGTERM: new commands are refused (wait); accepted ones are finished
 * and answered, and open sessions are given the time to end (a form
 * submitted, a result fetched), for at most drain_timeout.  Stanzas keep
 * being read meanwhile, so nothing the server routes here goes
 * unanswered. */
static void service_drain(icxd_service *svc)
{
  int64_t start = icxd_now_ms();
  int64_t deadline = start + (int64_t)svc->cfg->drain_timeout_s * 1000;
  size_t busy = service_busy(svc);
  size_t open = icxd_command_open_sessions(svc->command);

  icxd_command_drain(svc->command);
  icxd_log(svc->log, ICXD_LOG_INFO, "main",
           "draining: %zu accepted request%s to finish, %zu open session%s "
           "(at most %u s); new commands are refused", busy,
           busy == 1 ? "" : "s", open, open == 1 ? "" : "s",
           svc->cfg->drain_timeout_s);
  while ((service_busy(svc) || icxd_command_open_sessions(svc->command)) &&
         icxd_conn_connected(svc->conn) && icxd_now_ms() < deadline) {
    icxd_conn_run_wake(svc->conn, svc->wake[0], ICXD_TURN_BUSY_MS);
    icxd_presence_tracker_tick(svc->presence);
    icxd_command_tick(svc->command);
  }
  busy = service_busy(svc);
  open = icxd_command_open_sessions(svc->command);
  icxd_log(svc->log, busy || open ? ICXD_LOG_WARN : ICXD_LOG_INFO, "main",
           "drained in %lld ms: %zu accepted request%s unfinished, %zu "
           "session%s still open",
           (long long)(icxd_now_ms() - start), busy, busy == 1 ? "" : "s",
           open, open == 1 ? "" : "s");
}

int icxd_service_run(icxd_service *svc, volatile sig_atomic_t *stop)
{
  icxd_log(svc->log, ICXD_LOG_INFO, "main", "icxd %s starting: %s mode, %s",
           PACKAGE_VERSION, icxd_mode_name(svc->cfg->mode), svc->cfg->jid);
  while (!*stop) {
    /* A job in flight wakes the loop when done (the pipe); notifications
     * waiting to be sent keep the turn short. */
    if (icxd_pool_in_flight(svc->pool) || icxd_writer_in_flight(svc->writer))
      icxd_conn_run_wake(svc->conn, svc->wake[0], ICXD_TURN_BUSY_MS);
    else
      icxd_conn_run_once(svc->conn, icxd_command_sending(svc->command)
                                        ? ICXD_TURN_BUSY_MS : ICXD_TURN_IDLE_MS);
    icxd_presence_tracker_tick(svc->presence);
    icxd_command_tick(svc->command);
    if (svc->reload && *svc->reload) {
      *svc->reload = 0;
      service_reload(svc);
    }
    service_free_retired(svc);
  }

  service_drain(svc);
  icxd_log(svc->log, ICXD_LOG_INFO, "main", "shutting down");
  icxd_command_shutdown(svc->command);
  /* Bounded: the server has ICXD_SHUTDOWN_MS to close the stream. */
  icxd_conn_close(svc->conn, ICXD_SHUTDOWN_MS);
  return 0;
}

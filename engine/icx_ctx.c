/* icx_ctx.c - context lifecycle, logging and error messages. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "icx_ctx_internal.h"
#include "icx_storage.h"
#include "icx_util.h"

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static void
stderr_sink(void *ud, icx_log_level level, const char *area, const char *msg)
{
  (void)ud;
  fprintf(stderr, "icx: %s: %s: %s\n", level_names[level], area, msg);
}

/* librdf (and through it raptor and rasqal) report here. */
static int
rdf_logger(void *user_data, librdf_log_message *message)
{
  icx_ctx *ctx = user_data;
  int lvl = librdf_log_message_level(message);
  const char *text = librdf_log_message_message(message);
  raptor_locator *loc = librdf_log_message_locator(message);
  char where[96] = "";
  icx_log_level ours;

  if (!text)
    text = "(no message)";
  if (loc && loc->line > 0) {
    if (loc->column > 0)
      snprintf(where, sizeof where, "line %d, column %d: ", loc->line, loc->column);
    else
      snprintf(where, sizeof where, "line %d: ", loc->line);
  }
  ours = lvl >= LIBRDF_LOG_ERROR ? ICX_LOG_ERROR
       : lvl == LIBRDF_LOG_WARN ? ICX_LOG_WARN : ICX_LOG_DEBUG;
  if (ctx->diag && ours == ICX_LOG_ERROR) {
    if (ctx->diag->errors++ == 0)
      snprintf(ctx->diag->first, sizeof ctx->diag->first, "%s%s", where, text);
    return 1;                   /* collected: the caller reports it */
  }
  icx_log(ctx, ours, "rdf", "%s%s", where, text);
  return 1;
}

/* The one piece of process-wide state: librdf 1.0.17 sets libltdl's
 * module search path (a global of libltdl) when a world is made, and
 * resets it when one is freed.  Two threads doing that at once race; LSan
 * caught the search path string of one of them lost (check_storage's
 * worlds_in_threads).  Worlds are made and freed one at a time; using them
 * needs no lock. */
static pthread_mutex_t world_lock = PTHREAD_MUTEX_INITIALIZER;

icx_ctx *
icx_ctx_new(void)
{
  icx_ctx *ctx = calloc(1, sizeof *ctx);

  if (!ctx)
    return NULL;
  ctx->log_fn = stderr_sink;
  ctx->level = ICX_LOG_WARN;
  pthread_mutex_lock(&world_lock);
  ctx->world = librdf_new_world();
  if (ctx->world) {
    librdf_world_set_logger(ctx->world, ctx, rdf_logger);
    librdf_world_open(ctx->world);
    icx_storage_register(ctx->world);
  }
  pthread_mutex_unlock(&world_lock);
  if (!ctx->world) {
    free(ctx);
    return NULL;
  }
  return ctx;
}

void
icx_ctx_free(icx_ctx *ctx)
{
  if (!ctx)
    return;
  pthread_mutex_lock(&world_lock);
  librdf_free_world(ctx->world);
  pthread_mutex_unlock(&world_lock);
  free(ctx);
}

void
icx_ctx_set_logger(icx_ctx *ctx, icx_log_fn fn, void *userdata)
{
  ctx->log_fn = fn ? fn : stderr_sink;
  ctx->log_ud = fn ? userdata : NULL;
}

void
icx_ctx_set_log_level(icx_ctx *ctx, icx_log_level level)
{
  if (level >= ICX_LOG_ERROR && level <= ICX_LOG_DEBUG)
    ctx->level = level;
}

icx_log_level
icx_ctx_log_level(const icx_ctx *ctx)
{
  return ctx->level;
}

const char *
icx_ctx_errmsg(const icx_ctx *ctx)
{
  return ctx ? ctx->errmsg : "";
}

void
icx_log(icx_ctx *ctx, icx_log_level level, const char *area, const char *fmt, ...)
{
  char buf[2048];
  va_list ap;

  if (!ctx || level > ctx->level)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  ctx->log_fn(ctx->log_ud, level, area, buf);
}

icx_rc
icx_fail(icx_ctx *ctx, icx_rc rc, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
  va_end(ap);
  return rc;
}

void
icx_clear_error(icx_ctx *ctx)
{
  ctx->errmsg[0] = '\0';
}

void
icx_diag_begin(icx_ctx *ctx, icx_diag *diag)
{
  memset(diag, 0, sizeof *diag);
  ctx->diag = diag;
}

void
icx_diag_end(icx_ctx *ctx)
{
  ctx->diag = NULL;
}

librdf_world *
icx_ctx_world(icx_ctx *ctx)
{
  return ctx->world;
}

void
icx_ctx_set_time_limit(icx_ctx *ctx, unsigned long ms)
{
  ctx->time_limit_ms = ms;
}

unsigned long
icx_ctx_time_limit(const icx_ctx *ctx)
{
  return ctx->time_limit_ms;
}

int
icx_deadline_start(icx_ctx *ctx)
{
  if (!ctx->time_limit_ms || ctx->deadline_ms > 0)
    return 0;
  ctx->deadline_ms = icx_now_ms() + (double)ctx->time_limit_ms;
  return 1;
}

void
icx_deadline_stop(icx_ctx *ctx, int started)
{
  if (started)
    ctx->deadline_ms = 0;
}

int
icx_deadline_passed(const icx_ctx *ctx)
{
  return ctx->deadline_ms > 0 && icx_now_ms() > ctx->deadline_ms;
}

icx_rc
icx_deadline_failure(icx_ctx *ctx)
{
  return icx_fail(ctx, ICX_ERR_LIMIT, "stopped at the time limit of %lu ms: the request asks "
                  "more than this exchange answers at once (ask with fewer constraints, or "
                  "narrower ones)", ctx->time_limit_ms);
}

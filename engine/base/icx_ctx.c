/* icx_ctx.c - context lifecycle, logging, error messages and time limits. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icx_ctx_internal.h"

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static void
stderr_sink(void *ud, icx_log_level level, const char *area, const char *msg)
{
  (void)ud;
  fprintf(stderr, "icx: %s: %s: %s\n", level_names[level], area, msg);
}

static void *
libc_alloc(size_t size, void *ud)
{
  (void)ud;
  return malloc(size);
}

static void
libc_free(void *p, void *ud)
{
  (void)ud;
  free(p);
}

static void *
libc_realloc(void *p, size_t size, void *ud)
{
  (void)ud;
  return realloc(p, size);
}

static const icx_mem libc_mem = { libc_alloc, libc_free, libc_realloc, NULL };

icx_ctx *
icx_ctx_new(void)
{
  return icx_ctx_new_mem(NULL);
}

icx_ctx *
icx_ctx_new_mem(const icx_mem *mem)
{
  icx_ctx *ctx;

  if (!mem)
    mem = &libc_mem;
  if (!mem->alloc || !mem->free || !mem->realloc)
    return NULL;
  if (!(ctx = mem->alloc(sizeof *ctx, mem->userdata)))
    return NULL;
  memset(ctx, 0, sizeof *ctx);
  ctx->mem = *mem;
  ctx->log_fn = stderr_sink;
  ctx->level = ICX_LOG_WARN;
  return ctx;
}

void
icx_ctx_free(icx_ctx *ctx)
{
  if (!ctx)
    return;
  if (ctx->plan_cache && ctx->plan_cache_free)
    ctx->plan_cache_free(ctx->plan_cache);   /* its memory is the context's */
  if (ctx->rdf_world && ctx->rdf_world_free)
    ctx->rdf_world_free(ctx->rdf_world);
  ctx->mem.free(ctx, ctx->mem.userdata);
}

void *
icx_malloc(icx_ctx *ctx, size_t size)
{
  const icx_mem *m = ctx ? &ctx->mem : &libc_mem;

  return m->alloc(size ? size : 1, m->userdata);
}

void *
icx_calloc(icx_ctx *ctx, size_t n, size_t size)
{
  void *p;

  if (size && n > (size_t)-1 / size)
    return NULL;
  if ((p = icx_malloc(ctx, n * size)))
    memset(p, 0, n * size);
  return p;
}

void *
icx_realloc(icx_ctx *ctx, void *p, size_t size)
{
  const icx_mem *m = ctx ? &ctx->mem : &libc_mem;

  return m->realloc(p, size ? size : 1, m->userdata);
}

void
icx_free(icx_ctx *ctx, void *p)
{
  const icx_mem *m = ctx ? &ctx->mem : &libc_mem;

  if (p)
    m->free(p, m->userdata);
}

char *
icx_strndup(icx_ctx *ctx, const char *s, size_t n)
{
  char *p;

  if (n == (size_t)-1 || !(p = icx_malloc(ctx, n + 1)))
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *
icx_strdup(icx_ctx *ctx, const char *s)
{
  return s ? icx_strndup(ctx, s, strlen(s)) : NULL;
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

int
icx_diag_collect(icx_ctx *ctx, const char *text)
{
  if (!ctx->diag)
    return 0;
  if (ctx->diag->errors++ == 0)
    snprintf(ctx->diag->first, sizeof ctx->diag->first, "%s", text);
  return 1;
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

double
icx_now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* icx_ctx_internal.h - parts of the context that only icx modules see.
 * Knows no RDF library: the RDF world hangs off the context as an opaque
 * pointer owned by engine/rdf (icx_rdf.h), which frees it through the hook
 * it sets. */
#ifndef ICX_CTX_INTERNAL_H
#define ICX_CTX_INTERNAL_H

#include "icx_ctx.h"

/* Collects library errors while a parse or query runs, so that the
 * caller can report them with the file and line they came from. */
typedef struct icx_diag {
  int errors;            /* error-level messages seen */
  char first[512];       /* the first error message, with its location */
} icx_diag;

struct icx_ctx {
  icx_mem mem;           /* the allocator; icx_malloc() and friends use it */
  void *rdf_world;       /* engine/rdf's world, made on first use; NULL before */
  void (*rdf_world_free)(void *world);  /* set with rdf_world, called by icx_ctx_free */
  void *plan_cache;      /* engine/request's plan cache, made on first use; NULL before */
  void (*plan_cache_free)(void *cache); /* set with plan_cache, called by icx_ctx_free */
  icx_log_fn log_fn;
  void *log_ud;
  icx_log_level level;
  icx_diag *diag;        /* non-NULL while a caller collects diagnostics */
  unsigned long time_limit_ms;  /* 0: none */
  double deadline_ms;    /* icx_now_ms() past which work stops; 0: none running */
  char errmsg[2048];
};

/* Milliseconds on the monotonic clock: deadlines, and the timings -v
 * logs. */
double icx_now_ms(void);

/* The context's allocator, for icx's own memory.  ctx NULL stands for the
 * C library's allocator (for the few helpers called before a context
 * exists).  icx_calloc() zeroes, and fails when n * size overflows;
 * icx_realloc(ctx, NULL, n) allocates.  A block is freed with icx_free()
 * on a context with the same allocator as the one that made it. */
void *icx_malloc(icx_ctx *ctx, size_t size);
void *icx_calloc(icx_ctx *ctx, size_t n, size_t size);
void *icx_realloc(icx_ctx *ctx, void *p, size_t size);
/* Copies of s (NULL for NULL) and of its first n bytes, NUL-ended. */
char *icx_strdup(icx_ctx *ctx, const char *s);
char *icx_strndup(icx_ctx *ctx, const char *s, size_t n);

/* Sets the context's detailed message and returns rc, so that failures read
 * "return icx_fail(ctx, ICX_ERR_X, "...", ...);". */
icx_rc icx_fail(icx_ctx *ctx, icx_rc rc, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* Clears the detailed message; every public entry point calls it first. */
void icx_clear_error(icx_ctx *ctx);

/* Starts/stops collecting error messages of the libraries (librdf, raptor,
 * rasqal) into diag. */
void icx_diag_begin(icx_ctx *ctx, icx_diag *diag);
void icx_diag_end(icx_ctx *ctx);

/* Offers one error message (location already prefixed) to the collector:
 * 1 when a caller collects them (the message is kept, or counted), 0 when
 * nobody does and the message should be logged instead. */
int icx_diag_collect(icx_ctx *ctx, const char *text);

/* The time limit of a call: icx_deadline_start() sets the deadline from
 * the context's limit unless an outer call set one already (an
 * explanation's matches), and returns 1 when it did; icx_deadline_stop()
 * with that value clears it.  icx_deadline_passed() is 1 once the
 * deadline is past. */
int icx_deadline_start(icx_ctx *ctx);
void icx_deadline_stop(icx_ctx *ctx, int started);
int icx_deadline_passed(const icx_ctx *ctx);
/* Sets the message of a call stopped by its time limit; ICX_ERR_LIMIT. */
icx_rc icx_deadline_failure(icx_ctx *ctx);

#endif

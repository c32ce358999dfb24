/* icx_ctx.h - the context every icx call takes: allocator, logger, RDF
 * world, and the detailed message of the last failure.
 *
 * A context is used by one thread at a time.  Programs that match in a
 * worker thread give that thread its own context (and its own store handle).
 * There is no global state: everything an icx call needs hangs off a context.
 */
#ifndef ICX_CTX_H
#define ICX_CTX_H

#include <stdarg.h>
#include <stddef.h>
#include "icx_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_ctx icx_ctx;

typedef enum icx_log_level {
  ICX_LOG_ERROR = 0,
  ICX_LOG_WARN = 1,
  ICX_LOG_INFO = 2,
  ICX_LOG_DEBUG = 3
} icx_log_level;

/* A log sink.  area names the module ("store", "loader", "xmpp", ...).
 * msg is lent for the duration of the call. */
typedef void (*icx_log_fn)(void *userdata, icx_log_level level,
                           const char *area, const char *msg);

/* The allocator of a context: every block icx itself allocates on behalf
 * of a context (the context itself, vocabularies, constraint sets, compiled
 * queries, answers, explanations, store and loader handles and their
 * buffers) comes from alloc or realloc and goes back through free, each
 * called with userdata.  alloc and realloc return NULL when they cannot
 * give the memory; icx then fails the call with ICX_ERR_NOMEM, frees what
 * the call had made, and leaves a store as it was before the call.
 * realloc(NULL, n) must act as alloc(n); realloc that fails leaves the old
 * block as it was; free(NULL) is never called.  Objects remember the
 * context they were made with and free through its allocator, so the table
 * must stay usable until the last of them is freed, and must be safe to
 * call from every thread that uses such an object.  Contexts that share an
 * object (one vocabulary for several threads' contexts) must have the same
 * allocator: a call allocates with the context it is given.
 *
 * Memory the RDF libraries (librdf, raptor, rasqal) and SQLite allocate
 * for themselves does not come from this table: they have allocators of
 * their own, which icx cannot fail.  Their failures still reach icx as
 * errors of the call that met them. */
typedef struct icx_mem {
  void *(*alloc)(size_t size, void *userdata);
  void (*free)(void *ptr, void *userdata);
  void *(*realloc)(void *ptr, size_t size, void *userdata);
  void *userdata;
} icx_mem;

/* Creates a context with a logger that writes warnings and errors to
 * stderr, and the C library's malloc, realloc and free as allocator.
 * Returns NULL when memory runs out.  The RDF libraries' world is made by
 * the first call that needs one; a call that cannot make it fails with
 * ICX_ERR_NOMEM.  Free with icx_ctx_free(). */
icx_ctx *icx_ctx_new(void);

/* As icx_ctx_new(), with mem's functions as allocator (the table is
 * copied; NULL means the C library's).  The context itself is allocated
 * with mem->alloc.  NULL when that fails or mem lacks a function. */
icx_ctx *icx_ctx_new_mem(const icx_mem *mem);

/* Frees p, a block that an icx call on ctx handed to the caller as "a new
 * string" (or array), through ctx's allocator.  With the default
 * allocator this is free(p).  NULL is a no-op. */
void icx_free(icx_ctx *ctx, void *p);

/* Frees ctx and everything it owns.  NULL is a no-op.  Vocabularies and
 * stores made with ctx must be freed first. */
void icx_ctx_free(icx_ctx *ctx);

/* Replaces the log sink (NULL restores the stderr sink) and sets the most
 * verbose level that reaches it. */
void icx_ctx_set_logger(icx_ctx *ctx, icx_log_fn fn, void *userdata);
void icx_ctx_set_log_level(icx_ctx *ctx, icx_log_level level);
icx_log_level icx_ctx_log_level(const icx_ctx *ctx);

/* The detailed message of the last failed call on ctx ("" when none).
 * Lent: valid until the next icx call on ctx. */
const char *icx_ctx_errmsg(const icx_ctx *ctx);

/* A time limit for matching and explaining on ctx: icx_match_run() and
 * icx_explain_run() stop with ICX_ERR_LIMIT once a call has run for ms
 * milliseconds (an explanation's queries share one budget).  SQLite is
 * interrupted mid-statement, so one long query cannot overrun it by much.
 * 0, the default, means no limit. */
void icx_ctx_set_time_limit(icx_ctx *ctx, unsigned long ms);
unsigned long icx_ctx_time_limit(const icx_ctx *ctx);

/* Logs one message through ctx's sink if level is enabled. */
void icx_log(icx_ctx *ctx, icx_log_level level, const char *area,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif
#endif

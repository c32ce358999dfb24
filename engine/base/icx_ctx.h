/* icx_ctx.h - the context every icx call takes: logger, RDF world, and the
 * detailed message of the last failure.
 *
 * A context is used by one thread at a time.  Programs that match in a
 * worker thread give that thread its own context (and its own store handle).
 * There is no global state: everything an icx call needs hangs off a context.
 */
#ifndef ICX_CTX_H
#define ICX_CTX_H

#include <stdarg.h>
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

/* Creates a context with a logger that writes warnings and errors to
 * stderr.  Returns NULL when memory runs out.  The RDF libraries' world is
 * made by the first call that needs one; a call that cannot make it fails
 * with ICX_ERR_NOMEM.  Free with icx_ctx_free(). */
icx_ctx *icx_ctx_new(void);

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

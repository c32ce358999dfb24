/* icxd_log.h - icxd's leveled logger: stderr (default) or syslog.
 *
 * One icxd_logger per process, owned by main() and lent to every module.
 * Thread-safe: workers log through the same logger (each message is one
 * write to stderr, or one syslog() call).  The logger also receives the
 * messages of libstrophe and of the icx engine through the bridges below.
 */
#ifndef ICXD_LOG_H
#define ICXD_LOG_H

#include <stddef.h>
#include <strophe.h>
#include "icx_ctx.h"

typedef enum icxd_level {
  ICXD_LOG_ERROR = 0,
  ICXD_LOG_WARN = 1,
  ICXD_LOG_INFO = 2,
  ICXD_LOG_DEBUG = 3
} icxd_level;

typedef struct icxd_logger {
  icxd_level level;     /* most verbose level written */
  int use_syslog;       /* 1: syslog(3), 0: stderr */
  int xmpp_trace;       /* 1: also log libstrophe's stanza traces (debug) */
} icxd_logger;

/* Parses "error", "warn", "info", "debug".  Returns -1 if unknown. */
int icxd_level_from_name(const char *name);
const char *icxd_level_name(icxd_level level);

/* Sets up the logger (opens syslog when asked).  icxd_logger_close()
 * undoes it. */
void icxd_logger_init(icxd_logger *log, icxd_level level, int use_syslog);
void icxd_logger_close(icxd_logger *log);

/* Sends what icxd writes to stderr (its own lines and anything a library
 * prints) to the file at path, appending; called again, it reopens the
 * file (after logrotate moved it).  The switch is one dup2(): no line is
 * lost or split.  0, or -1 with err set (the old destination stays). */
int icxd_logger_open_file(icxd_logger *log, const char *path, char *err,
                          size_t errlen);

/* A reload: the most verbose level written, and the stanza traces.  Safe
 * while workers log. */
void icxd_logger_set_level(icxd_logger *log, icxd_level level, int trace);

void icxd_log(const icxd_logger *log, icxd_level level, const char *area,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A libstrophe logger that forwards to log (which must outlive it). */
void icxd_logger_xmpp(icxd_logger *log, xmpp_log_t *out);

/* An icx_ctx sink: pass icxd_logger_icx_sink with the logger as userdata. */
void icxd_logger_icx_sink(void *userdata, icx_log_level level,
                          const char *area, const char *msg);

#endif

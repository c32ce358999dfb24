/* icxd_log.c - icxd's leveled logger, to stderr or syslog. */
/* Also the bridges that route libstrophe's and the engine's messages into
 * it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "icxd_log.h"

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int icxd_level_from_name(const char *name)
{
  int i;

  if (!name)
    return -1;
  for (i = 0; i < 4; i++)
    if (strcmp(name, level_names[i]) == 0)
      return i;
  if (strcmp(name, "warning") == 0)
    return ICXD_LOG_WARN;
  return -1;
}

const char *icxd_level_name(icxd_level level)
{
  if ((int)level < 0 || (int)level > 3)
    return "?";
  return level_names[level];
}

void icxd_logger_init(icxd_logger *log, icxd_level level, int use_syslog)
{
  log->level = level;
  log->use_syslog = use_syslog;
  log->xmpp_trace = 0;
  if (use_syslog)
    openlog("icxd", LOG_PID, LOG_DAEMON);
}

void icxd_logger_close(icxd_logger *log)
{
  if (log && log->use_syslog)
    closelog();
}

int icxd_logger_open_file(icxd_logger *log, const char *path, char *err,
                          size_t errlen)
{
  int fd;

  (void)log;
  fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open log file %s: %s", path,
             strerror(errno));
    return -1;
  }
  fflush(stderr);
  if (fd != STDERR_FILENO) {
    if (dup2(fd, STDERR_FILENO) < 0) {
      snprintf(err, errlen, "cannot log to %s: %s", path, strerror(errno));
      close(fd);
      return -1;
    }
    close(fd);
  }
  return 0;
}

void icxd_logger_set_level(icxd_logger *log, icxd_level level, int trace)
{
  __atomic_store_n(&log->level, level, __ATOMIC_RELAXED);
  __atomic_store_n(&log->xmpp_trace, trace, __ATOMIC_RELAXED);
}

static void log_write_line(const icxd_logger *log, icxd_level level,
                           const char *area, const char *msg)
{
  static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
  struct timespec ts;
  struct tm tm;
  char stamp[32];

  if (log->use_syslog) {
    syslog(prio[level], "%s: %s", area, msg);
    return;
  }
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  /* One fprintf per line: stdio locks the stream, so lines of several
   * threads do not interleave. */
  fprintf(stderr, "%s.%03ldZ icxd %s %s: %s\n", stamp, ts.tv_nsec / 1000000L,
          level_names[level], area, msg);
}

void icxd_log(const icxd_logger *log, icxd_level level, const char *area,
              const char *fmt, ...)
{
  char buf[2048];
  va_list ap;

  if (!log || level > __atomic_load_n(&log->level, __ATOMIC_RELAXED))
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_write_line(log, level, area, buf);
}

static void log_xmpp_sink(void *userdata, xmpp_log_level_t xlevel,
                          const char *area, const char *msg)
{
  icxd_logger *log = userdata;
  icxd_level level;

  switch (xlevel) {
  case XMPP_LEVEL_ERROR: level = ICXD_LOG_ERROR; break;
  case XMPP_LEVEL_WARN: level = ICXD_LOG_WARN; break;
  case XMPP_LEVEL_INFO: level = ICXD_LOG_INFO; break;
  case XMPP_LEVEL_DEBUG: level = ICXD_LOG_DEBUG; break;
  default: level = ICXD_LOG_DEBUG; break;
  }
  /* libstrophe's INFO chatter is connection detail: demote it, and keep its
   * stanza traces for --trace only. */
  if (level == ICXD_LOG_INFO)
    level = ICXD_LOG_DEBUG;
  if (level == ICXD_LOG_DEBUG &&
      !__atomic_load_n(&log->xmpp_trace, __ATOMIC_RELAXED))
    return;
  icxd_log(log, level, area, "%s", msg);
}

void icxd_logger_xmpp(icxd_logger *log, xmpp_log_t *out)
{
  out->handler = log_xmpp_sink;
  out->userdata = log;
}

void icxd_logger_icx_sink(void *userdata, icx_log_level level,
                          const char *area, const char *msg)
{
  icxd_log(userdata, (icxd_level)level, area, "%s", msg);
}

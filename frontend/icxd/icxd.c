/* icxd.c - icxd's main: reads the settings, runs the service till SIGTERM. */
/* Installs the signal handlers (SIGTERM and SIGINT stop the service,
 * SIGHUP reloads it, SIGPIPE is ignored) and maps failures to exit codes. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "icxd_config.h"
#include "icxd_log.h"
#include "icxd_preflight.h"
#include "icxd_service.h"
#include "icx_util.h"

/* The only globals: set by the signal handler, read by the loop. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void main_on_signal(int sig)
{
  if (sig == SIGHUP)
    reload_requested = 1;
  else
    stop_requested = 1;
}

static int main_install_signals(void)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = main_on_signal;
  sigemptyset(&sa.sa_mask);
  /* No SA_RESTART: the loop's select() wakes up at once. */
  if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
      sigaction(SIGHUP, &sa, NULL))
    return -1;
  sa.sa_handler = SIG_IGN;
  return sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
  icxd_config *cfg = icxd_config_new();
  icxd_service *svc = NULL;
  icxd_logger log;
  char err[1024];
  int status = 1;

  icx_malloc_tune();
  if (!cfg) {
    fputs("icxd: out of memory\n", stderr);
    return 1;
  }
  switch (icxd_config_from_args(cfg, argc, argv, err, sizeof err)) {
  case ICXD_CONFIG_OK:
    break;
  case ICXD_CONFIG_EXIT_OK:
    icxd_config_free(cfg);
    return 0;
  case ICXD_CONFIG_ERROR:
    fprintf(stderr, "icxd: %s\n", err);
    icxd_config_free(cfg);
    return 2;
  }
  if (cfg->check_only) {
    /* The settings parse; now what they name: vocabulary, store, files. */
    int problems = icxd_preflight(cfg, stdout, stderr);
    if (problems == 0)
      printf("icxd: configuration OK (%s mode, %s%s%s)\n", icxd_mode_name(cfg->mode),
             cfg->jid, cfg->config_path ? ", " : "",
             cfg->config_path ? cfg->config_path : "");
    else if (problems > 0)
      fprintf(stderr, "icxd: %d problem%s: icxd would not start as configured\n", problems,
              problems == 1 ? "" : "s");
    else
      fputs("icxd: out of memory\n", stderr);
    icxd_config_free(cfg);
    return problems == 0 ? 0 : 2;
  }
  icxd_logger_init(&log, (icxd_level)cfg->log_level, cfg->use_syslog);
  log.xmpp_trace = cfg->trace;
  if (cfg->log_file &&
      icxd_logger_open_file(&log, cfg->log_file, err, sizeof err) != 0) {
    fprintf(stderr, "icxd: %s\n", err);
    icxd_config_free(cfg);
    return 1;
  }
  if (main_install_signals() != 0) {
    icxd_log(&log, ICXD_LOG_ERROR, "main", "cannot install signal handlers");
    goto cleanup;
  }
  svc = icxd_service_new(cfg, &log, err, sizeof err);
  if (!svc) {
    icxd_log(&log, ICXD_LOG_ERROR, "main", "%s", err);
    goto cleanup;
  }
  icxd_service_watch_reload(svc, &reload_requested, argc, argv);
  status = icxd_service_run(svc, &stop_requested) == 0 ? 0 : 1;
  icxd_log(&log, ICXD_LOG_INFO, "main", "stopped");
cleanup:
  icxd_service_free(svc);
  icxd_logger_close(&log);
  icxd_config_free(cfg);
  return status;
}

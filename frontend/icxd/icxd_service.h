/* icxd_service.h - the icxd service as a whole: vocabulary, workers,
 * sessions and the XMPP connection, driven by one event loop.
 */
#ifndef ICXD_SERVICE_H
#define ICXD_SERVICE_H

#include <signal.h>
#include <stddef.h>

#include "icxd_config.h"
#include "icxd_log.h"

typedef struct icxd_service icxd_service;

/* Loads the vocabulary, starts the workers and prepares the connection
 * (nothing is sent yet).  cfg and log are borrowed and must outlive the
 * service.  NULL with err set on failure. */
icxd_service *icxd_service_new(icxd_config *cfg, icxd_logger *log,
                               char *err, size_t errlen);

/* Reloads on request: whenever *flag is non-zero between two turns of the
 * loop (a SIGHUP handler sets it), the loop clears it, reopens the log
 * file, reads the settings again from argv (the file, then the options,
 * as at start) and the vocabulary, and applies them without dropping the
 * connection.  Settings only a restart can change keep their running
 * values (icxd_config_adopt()); a broken file or vocabulary is logged and
 * the running ones kept.  flag and argv are borrowed. */
void icxd_service_watch_reload(icxd_service *svc, volatile sig_atomic_t *flag,
                               int argc, char **argv);

/* Disconnects (if connected), stops the workers, closes stores, frees all.
 * NULL is a no-op. */
void icxd_service_free(icxd_service *svc);

/* Runs the event loop until *stop becomes non-zero (a signal handler sets
 * it), reconnecting whenever the server goes away.  Then drains (at most
 * drain_timeout seconds: new commands refused with a wait error, accepted
 * ones finished and answered, open sessions given the time to end),
 * answers what is still owed with an error and closes the stream
 * politely, waiting at most a few seconds.  Returns 0. */
int icxd_service_run(icxd_service *svc, volatile sig_atomic_t *stop);

#endif

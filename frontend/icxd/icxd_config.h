/* icxd_config.h - icxd's settings: defaults, the icxd.conf file (libinih),
 * then command-line options, in that order of increasing precedence.
 *
 * doc/icxd.conf.5 documents every key; doc/icxd.8 every option.  Secrets
 * (component secret, account password) come from the file or from a file
 * named by secret_file / --secret-file, never from the command line.
 */
#ifndef ICXD_CONFIG_H
#define ICXD_CONFIG_H

#include <stddef.h>

#include "icxd_access.h"

typedef enum icxd_mode {
  ICXD_MODE_COMPONENT = 0,  /* XEP-0114 external component */
  ICXD_MODE_CLIENT = 1      /* ordinary account over c2s */
} icxd_mode;

typedef struct icxd_config {
  /* [xmpp] */
  icxd_mode mode;
  char *jid;              /* component domain, or account JID */
  char *instance_jid;     /* component mode: this instance's own name,
                           * beside the shared jid (NULL: none) */
  char *host;             /* server to connect to (NULL: from the JID) */
  unsigned port;          /* 0: the mode's default (5347 / 5222) */
  char *secret;           /* component secret or account password */
  char *cafile;           /* CA bundle that verifies the server (c2s) */
  char *capath;           /* CA folder (c2s) */
  int insecure_tls;       /* 1: do not verify the certificate (tests) */
  unsigned reconnect_min_ms;
  unsigned reconnect_max_ms;
  /* [exchange] */
  char *store;            /* SQLite store (NULL: icx_store_default_path()) */
  char *ontology;         /* NULL: icx_vocab_default_dir() */
  unsigned workers;       /* worker threads */
  unsigned async_threshold_ms; /* longer queries are answered 'executing' */
  unsigned session_timeout_s;  /* idle sessions are dropped after this */
  unsigned drain_timeout_s;    /* SIGTERM: accepted work gets this long */
  int shared_sessions;    /* sessions kept in the store too: several
                           * instances serve one name (icxd_command.h) */
  unsigned max_sessions;
  unsigned max_queue;     /* jobs waiting for a worker */
  unsigned query_time_limit_s; /* a match or explanation stops after this; 0: none */
  unsigned debug_query_delay_ms; /* testing: each query first sleeps this */
  /* [exchange] fair limits and answer paging */
  unsigned max_sessions_per_jid; /* open sessions per bare JID; 0: none */
  unsigned max_queue_per_jid;    /* queries queued or running per bare JID */
  unsigned answer_max_items;     /* clouds per answer page (XEP-0059) */
  unsigned answer_max_bytes;     /* bytes of cloud names per answer page */
  unsigned answers_kept_mb;      /* MiB of large answers kept for their
                                    next pages (0: none) */
  unsigned explain_max_bytes;    /* bytes of an explanation at most */
  /* [access] (icxd_access.h) and publishing */
  icxd_access access;     /* who may query, publish, administer */
  unsigned max_document_size; /* bytes of one published document */
  unsigned max_writes;    /* publishes and withdrawals waiting for the writer */
  unsigned index_refresh_ms; /* the saved index brought up to a write this long after it; 0: never */
  unsigned max_presence;  /* publishers whose presence is followed */
  unsigned max_subscriptions;         /* standing requests in all; 0: off */
  unsigned max_subscriptions_per_jid; /* standing requests per bare JID */
  /* [federation] (icxd_fed.h) */
  char **fed_peers;       /* service JIDs of the peer exchanges */
  size_t n_fed_peers;
  unsigned fed_peer_timeout_ms; /* how long a peer has to answer */
  unsigned fed_max_hops;  /* a request travels at most this many hops */
  int fed_root;           /* role = root: keeps a directory of exchanges */
  char **fed_roots;       /* roots this exchange registers with */
  size_t n_fed_roots;
  unsigned fed_register_interval_s; /* registrations are renewed this often */
  unsigned fed_ping_interval_s;     /* a root pings its exchanges this often */
  /* [log] */
  int log_level;          /* icxd_level */
  int use_syslog;
  int trace;              /* log every stanza (debug) */
  char *log_file;         /* append to this file (reopened on SIGHUP) */
  /* command line only */
  char *config_path;      /* the file read, if any */
  int check_only;         /* --check-config: validate and exit */
} icxd_config;

typedef enum icxd_config_rc {
  ICXD_CONFIG_OK = 0,
  ICXD_CONFIG_EXIT_OK = 1,    /* --help / --version printed: exit 0 */
  ICXD_CONFIG_ERROR = 2       /* message in err: exit 2 */
} icxd_config_rc;

/* A config holding the defaults.  NULL when out of memory.  Free with
 * icxd_config_free(), which also wipes the secret. */
icxd_config *icxd_config_new(void);
void icxd_config_free(icxd_config *cfg);

/* Where icxd looks for its configuration without --config (the build's
 * sysconfdir; icxd.am sets it). */
#ifndef ICXD_DEFAULT_CONFIG
#define ICXD_DEFAULT_CONFIG "/etc/icx/icxd.conf"
#endif

/* Reads argv: first finds --config (default: ICXD_DEFAULT_CONFIG when
 * that file exists, else none), loads that file, then
 * applies every other option over it, then checks the result.  On
 * ICXD_CONFIG_ERROR, err (errlen bytes) holds the reason. */
icxd_config_rc icxd_config_from_args(icxd_config *cfg, int argc, char **argv,
                                     char *err, size_t errlen);

/* Loads an icxd.conf file over cfg.  Returns 0, or -1 with err set. */
int icxd_config_load_file(icxd_config *cfg, const char *path,
                          char *err, size_t errlen);

/* Reads a secret from a file: its first line, without the line end.
 * Returns 0, or -1 with err set.  Replaces cfg->secret. */
int icxd_config_read_secret(icxd_config *cfg, const char *path,
                            char *err, size_t errlen);

/* Checks the settings hang together (a JID, a secret, an instance_jid
 * that is a domain of its own in component mode, ...).  0 or -1. */
int icxd_config_validate(const icxd_config *cfg, char *err, size_t errlen);

/* A reload: moves every setting of fresh into cfg (so the pointers
 * modules keep to cfg stay valid), except those that only a restart can
 * change (mode, jid, instance_jid, host, port, secret, cafile, capath,
 * insecure_tls, store, workers, syslog): those keep their running
 * values, and for each that differs a line is written to note (notelen
 * bytes; "" when none).  fresh is freed. */
void icxd_config_adopt(icxd_config *cfg, icxd_config *fresh, char *note,
                       size_t notelen);

/* "component" / "client". */
const char *icxd_mode_name(icxd_mode mode);

#endif

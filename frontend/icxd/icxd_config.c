/* icxd_config.c - icxd's settings: defaults, icxd.conf, the command line. */
/* The file is parsed with libinih; options are applied over it with the
 * same parser, then the result is checked. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "icxd_config.h"
#include "icxd_log.h"

#define ICXD_SECRET_MAX 4096

icxd_config *icxd_config_new(void)
{
  icxd_config *cfg = calloc(1, sizeof *cfg);

  if (!cfg)
    return NULL;
  cfg->mode = ICXD_MODE_COMPONENT;
  cfg->reconnect_min_ms = 500;
  cfg->reconnect_max_ms = 30000;
  cfg->workers = 2;
  cfg->async_threshold_ms = 2000;
  cfg->session_timeout_s = 600;
  cfg->drain_timeout_s = 10;
  cfg->max_sessions = 1000;
  cfg->max_queue = 256;
  cfg->query_time_limit_s = 60;
  cfg->max_sessions_per_jid = 32;
  cfg->max_queue_per_jid = 8;
  cfg->answer_max_items = 500;
  cfg->answer_max_bytes = 48 * 1024;
  cfg->answers_kept_mb = 64;
  cfg->explain_max_bytes = 128 * 1024;
  cfg->log_level = ICXD_LOG_INFO;
  cfg->max_document_size = 131072;
  cfg->max_writes = 64;
  cfg->index_refresh_ms = 10000;
  cfg->max_presence = 10000;
  cfg->fed_peer_timeout_ms = 5000;
  cfg->fed_max_hops = 3;
  cfg->fed_register_interval_s = 60;
  cfg->fed_ping_interval_s = 30;
  cfg->max_subscriptions = 10000;
  cfg->max_subscriptions_per_jid = 16;
  if (icxd_access_defaults(&cfg->access) != 0) {
    free(cfg);
    return NULL;
  }
  return cfg;
}

static void config_wipe_free(char *s)
{
  if (!s)
    return;
  explicit_bzero(s, strlen(s));
  free(s);
}

static void config_free_list(char ***list, size_t *n)
{
  size_t i;

  for (i = 0; i < *n; i++)
    free((*list)[i]);
  free(*list);
  *list = NULL;
  *n = 0;
}

static void config_free_peers(icxd_config *cfg)
{
  config_free_list(&cfg->fed_peers, &cfg->n_fed_peers);
  config_free_list(&cfg->fed_roots, &cfg->n_fed_roots);
}

/* [federation] peers or roots (key): JIDs separated by spaces or commas
 * ("" for none), each without white space, at most 1023 bytes, at most 64
 * of them.  Replaces *slot.  0, or -1 with err set. */
static int config_set_peers(char ***slot, size_t *nslot, const char *key,
                            const char *value, char *err, size_t errlen)
{
  char **list = NULL, **grown;
  size_t n = 0, len, i;
  const char *p = value;

  while (*p) {
    p += strspn(p, " \t,");
    len = strcspn(p, " \t,");
    if (!len)
      break;
    if (len > 1023 || n >= 64 || !memchr(p, '.', len) || *p == '@' ||
        *p == '/') {
      snprintf(err, errlen, "bad value for [federation] %s: '%.*s' %s", key,
               (int)(len > 60 ? 60 : len), p,
               n >= 64 ? "is one peer too many (at most 64)"
                       : "is not the JID of an exchange");
      goto fail;
    }
    grown = realloc(list, (n + 1) * sizeof *list);
    if (!grown || !(grown[n] = strndup(p, len))) {
      list = grown ? grown : list;
      snprintf(err, errlen, "out of memory");
      goto fail;
    }
    list = grown;
    n++;
    p += len;
  }
  config_free_list(slot, nslot);
  *slot = list;
  *nslot = n;
  return 0;
fail:
  for (i = 0; i < n; i++)
    free(list[i]);
  free(list);
  return -1;
}

void icxd_config_free(icxd_config *cfg)
{
  if (!cfg)
    return;
  free(cfg->jid);
  free(cfg->instance_jid);
  free(cfg->host);
  config_wipe_free(cfg->secret);
  free(cfg->cafile);
  free(cfg->capath);
  free(cfg->store);
  free(cfg->ontology);
  free(cfg->config_path);
  free(cfg->log_file);
  config_free_peers(cfg);
  icxd_access_clear(&cfg->access);
  free(cfg);
}

/* Keeps the running value of a string setting that only a restart can
 * change; notes the difference. */
static void config_keep_str(char **running, char **fresh, const char *key,
                            int secret, char *note, size_t notelen)
{
  char *tmp;
  size_t used = strlen(note);

  if ((*running || *fresh) &&
      (!*running || !*fresh || strcmp(*running, *fresh) != 0) &&
      used < notelen)
    snprintf(note + used, notelen - used, "%s%s%s%s", used ? "; " : "", key,
             secret ? "" : " changed",
             secret ? " changed (takes effect at restart)"
                    : " (takes effect at restart)");
  tmp = *running;
  *running = *fresh;
  *fresh = tmp;
}

static void config_keep_uint(unsigned *running, unsigned *fresh,
                             const char *key, char *note, size_t notelen)
{
  size_t used = strlen(note);

  if (*running != *fresh && used < notelen)
    snprintf(note + used, notelen - used, "%s%s changed (takes effect at "
             "restart)", used ? "; " : "", key);
  *fresh = *running;
}

void icxd_config_adopt(icxd_config *cfg, icxd_config *fresh, char *note,
                       size_t notelen)
{
  icxd_config tmp;
  unsigned mode, fmode;

  if (notelen)
    note[0] = '\0';
  mode = (unsigned)cfg->mode;
  fmode = (unsigned)fresh->mode;
  config_keep_uint(&mode, &fmode, "[xmpp] mode", note, notelen);
  fresh->mode = (icxd_mode)fmode;
  config_keep_str(&cfg->jid, &fresh->jid, "[xmpp] jid", 0, note, notelen);
  config_keep_str(&cfg->instance_jid, &fresh->instance_jid,
                  "[xmpp] instance_jid", 0, note, notelen);
  config_keep_str(&cfg->host, &fresh->host, "[xmpp] host", 0, note, notelen);
  config_keep_uint(&cfg->port, &fresh->port, "[xmpp] port", note, notelen);
  config_keep_str(&cfg->secret, &fresh->secret, "[xmpp] secret", 1, note,
                  notelen);
  config_keep_str(&cfg->cafile, &fresh->cafile, "[xmpp] cafile", 0, note,
                  notelen);
  config_keep_str(&cfg->capath, &fresh->capath, "[xmpp] capath", 0, note,
                  notelen);
  config_keep_uint((unsigned *)&cfg->insecure_tls,
                   (unsigned *)&fresh->insecure_tls, "[xmpp] insecure_tls",
                   note, notelen);
  config_keep_str(&cfg->store, &fresh->store, "[exchange] store", 0, note,
                  notelen);
  config_keep_uint(&cfg->workers, &fresh->workers, "[exchange] workers",
                   note, notelen);
  config_keep_uint(&cfg->index_refresh_ms, &fresh->index_refresh_ms,
                   "[exchange] index_refresh_ms", note, notelen);
  config_keep_uint((unsigned *)&cfg->shared_sessions,
                   (unsigned *)&fresh->shared_sessions,
                   "[exchange] shared_sessions", note, notelen);
  config_keep_uint((unsigned *)&cfg->use_syslog,
                   (unsigned *)&fresh->use_syslog, "[log] syslog", note,
                   notelen);
  /* The strings kept above were swapped: fresh now holds the running
   * ones, so swap the whole structures and free what was running before
   * (except the kept strings, now back in cfg). */
  tmp = *cfg;
  *cfg = *fresh;
  *fresh = tmp;
  icxd_config_free(fresh);
}

const char *icxd_mode_name(icxd_mode mode)
{
  return mode == ICXD_MODE_CLIENT ? "client" : "component";
}

/* Replaces *slot by a copy of value ("" clears it).  0 or -1 (ENOMEM). */
static int config_set_string(char **slot, const char *value)
{
  char *copy = NULL;

  if (value && *value) {
    copy = strdup(value);
    if (!copy)
      return -1;
  }
  free(*slot);
  *slot = copy;
  return 0;
}

static int config_parse_uint(const char *value, unsigned min, unsigned max,
                             unsigned *out)
{
  char *end;
  unsigned long v;

  if (!value || !*value || *value == '-')
    return -1;
  errno = 0;
  v = strtoul(value, &end, 10);
  if (errno || *end || v < min || v > max)
    return -1;
  *out = (unsigned)v;
  return 0;
}

static int config_parse_bool(const char *value, int *out)
{
  if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
      !strcasecmp(value, "on") || !strcmp(value, "1"))
    *out = 1;
  else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
           !strcasecmp(value, "off") || !strcmp(value, "0"))
    *out = 0;
  else
    return -1;
  return 0;
}

static int config_parse_mode(const char *value, icxd_mode *out)
{
  if (!strcasecmp(value, "component"))
    *out = ICXD_MODE_COMPONENT;
  else if (!strcasecmp(value, "client") || !strcasecmp(value, "c2s"))
    *out = ICXD_MODE_CLIENT;
  else
    return -1;
  return 0;
}

/* The [access] lists: replaces *slot by the list value parses to.  0, or
 * -1 with err set. */
static int config_set_acl(icxd_acl **slot, const char *key, const char *value,
                          char *err, size_t errlen)
{
  char why[256];
  icxd_acl *acl = icxd_acl_parse(value, why, sizeof why);

  if (!acl) {
    snprintf(err, errlen, "bad value for [access] %s: %s", key, why);
    return -1;
  }
  icxd_acl_free(*slot);
  *slot = acl;
  return 0;
}

/* Applies one setting by its key.  Shared by the file and the command
 * line so both accept the same values.  Returns 0, or -1 with err set. */
static int config_apply(icxd_config *cfg, const char *section, const char *key,
                        const char *value, char *err, size_t errlen)
{
  unsigned u;
  int b, lvl, bad = 0;

#define KEY(s, k) (strcmp(section, s) == 0 && strcmp(key, k) == 0)
  if (KEY("xmpp", "mode")) {
    bad = config_parse_mode(value, &cfg->mode);
  } else if (KEY("xmpp", "jid")) {
    bad = config_set_string(&cfg->jid, value);
  } else if (KEY("xmpp", "instance_jid")) {
    bad = config_set_string(&cfg->instance_jid, value);
  } else if (KEY("xmpp", "host")) {
    bad = config_set_string(&cfg->host, value);
  } else if (KEY("xmpp", "port")) {
    bad = config_parse_uint(value, 1, 65535, &u);
    if (!bad)
      cfg->port = u;
  } else if (KEY("xmpp", "secret") || KEY("xmpp", "password")) {
    config_wipe_free(cfg->secret);
    cfg->secret = NULL;
    bad = config_set_string(&cfg->secret, value);
  } else if (KEY("xmpp", "secret_file") || KEY("xmpp", "password_file")) {
    return icxd_config_read_secret(cfg, value, err, errlen);
  } else if (KEY("xmpp", "cafile")) {
    bad = config_set_string(&cfg->cafile, value);
  } else if (KEY("xmpp", "capath")) {
    bad = config_set_string(&cfg->capath, value);
  } else if (KEY("xmpp", "insecure_tls")) {
    bad = config_parse_bool(value, &cfg->insecure_tls);
  } else if (KEY("xmpp", "reconnect_min_ms")) {
    bad = config_parse_uint(value, 10, 3600000, &cfg->reconnect_min_ms);
  } else if (KEY("xmpp", "reconnect_max_ms")) {
    bad = config_parse_uint(value, 10, 3600000, &cfg->reconnect_max_ms);
  } else if (KEY("exchange", "store")) {
    bad = config_set_string(&cfg->store, value);
  } else if (KEY("exchange", "ontology")) {
    bad = config_set_string(&cfg->ontology, value);
  } else if (KEY("exchange", "workers")) {
    bad = config_parse_uint(value, 1, 64, &cfg->workers);
  } else if (KEY("exchange", "async_threshold_ms")) {
    bad = config_parse_uint(value, 0, 3600000, &cfg->async_threshold_ms);
  } else if (KEY("exchange", "session_timeout")) {
    bad = config_parse_uint(value, 1, 86400, &cfg->session_timeout_s);
  } else if (KEY("exchange", "drain_timeout")) {
    bad = config_parse_uint(value, 0, 3600, &cfg->drain_timeout_s);
  } else if (KEY("exchange", "shared_sessions")) {
    bad = config_parse_bool(value, &cfg->shared_sessions);
  } else if (KEY("exchange", "max_sessions")) {
    bad = config_parse_uint(value, 1, 1000000, &cfg->max_sessions);
  } else if (KEY("exchange", "max_queue")) {
    bad = config_parse_uint(value, 1, 1000000, &cfg->max_queue);
  } else if (KEY("exchange", "query_time_limit")) {
    bad = config_parse_uint(value, 0, 86400, &cfg->query_time_limit_s);
  } else if (KEY("exchange", "debug_query_delay_ms")) {
    bad = config_parse_uint(value, 0, 600000, &cfg->debug_query_delay_ms);
  } else if (KEY("exchange", "max_sessions_per_jid")) {
    bad = config_parse_uint(value, 0, 1000000, &cfg->max_sessions_per_jid);
  } else if (KEY("exchange", "max_queue_per_jid")) {
    bad = config_parse_uint(value, 0, 1000000, &cfg->max_queue_per_jid);
  } else if (KEY("exchange", "answer_max_items")) {
    bad = config_parse_uint(value, 1, 1000000, &cfg->answer_max_items);
  } else if (KEY("exchange", "answer_max_bytes")) {
    bad = config_parse_uint(value, 1024, 16777216, &cfg->answer_max_bytes);
  } else if (KEY("exchange", "answers_kept_mb")) {
    bad = config_parse_uint(value, 0, 65536, &cfg->answers_kept_mb);
  } else if (KEY("exchange", "explain_max_bytes")) {
    bad = config_parse_uint(value, 4096, 16777216, &cfg->explain_max_bytes);
  } else if (KEY("log", "file")) {
    bad = config_set_string(&cfg->log_file, value);
  } else if (KEY("access", "query")) {
    return config_set_acl(&cfg->access.query, key, value, err, errlen);
  } else if (KEY("access", "publish")) {
    return config_set_acl(&cfg->access.publish, key, value, err, errlen);
  } else if (KEY("access", "admin")) {
    return config_set_acl(&cfg->access.admin, key, value, err, errlen);
  } else if (KEY("exchange", "max_document_size")) {
    bad = config_parse_uint(value, 1024, 16777216, &cfg->max_document_size);
  } else if (KEY("exchange", "max_writes")) {
    bad = config_parse_uint(value, 1, 100000, &cfg->max_writes);
  } else if (KEY("exchange", "index_refresh_ms")) {
    bad = config_parse_uint(value, 0, 3600000, &cfg->index_refresh_ms);
  } else if (KEY("exchange", "max_presence")) {
    bad = config_parse_uint(value, 0, 1000000, &cfg->max_presence);
  } else if (KEY("federation", "peers")) {
    return config_set_peers(&cfg->fed_peers, &cfg->n_fed_peers, key, value,
                            err, errlen);
  } else if (KEY("federation", "roots")) {
    return config_set_peers(&cfg->fed_roots, &cfg->n_fed_roots, key, value,
                            err, errlen);
  } else if (KEY("federation", "role")) {
    if (!strcasecmp(value, "root"))
      cfg->fed_root = 1;
    else if (!strcasecmp(value, "exchange"))
      cfg->fed_root = 0;
    else
      bad = 1;
  } else if (KEY("federation", "register_interval_s")) {
    bad = config_parse_uint(value, 1, 86400, &cfg->fed_register_interval_s);
  } else if (KEY("federation", "ping_interval_s")) {
    bad = config_parse_uint(value, 1, 86400, &cfg->fed_ping_interval_s);
  } else if (KEY("access", "federate")) {
    return config_set_acl(&cfg->access.federate, key, value, err, errlen);
  } else if (KEY("federation", "peer_timeout_ms")) {
    bad = config_parse_uint(value, 10, 600000, &cfg->fed_peer_timeout_ms);
  } else if (KEY("federation", "max_hops")) {
    bad = config_parse_uint(value, 0, 16, &cfg->fed_max_hops);
  } else if (KEY("exchange", "max_subscriptions")) {
    bad = config_parse_uint(value, 0, 1000000, &cfg->max_subscriptions);
  } else if (KEY("exchange", "max_subscriptions_per_jid")) {
    bad = config_parse_uint(value, 1, 100000, &cfg->max_subscriptions_per_jid);
  } else if (KEY("log", "level")) {
    lvl = icxd_level_from_name(value);
    bad = lvl < 0;
    if (!bad)
      cfg->log_level = lvl;
  } else if (KEY("log", "syslog")) {
    bad = config_parse_bool(value, &b);
    if (!bad)
      cfg->use_syslog = b;
  } else if (KEY("log", "trace")) {
    bad = config_parse_bool(value, &b);
    if (!bad)
      cfg->trace = b;
  } else {
    snprintf(err, errlen, "unknown setting [%s] %s", section, key);
    return -1;
  }
#undef KEY
  if (bad) {
    snprintf(err, errlen, "bad value for [%s] %s: '%s'", section, key, value);
    return -1;
  }
  return 0;
}

int icxd_config_read_secret(icxd_config *cfg, const char *path, char *err,
                            size_t errlen)
{
  FILE *fp;
  char buf[ICXD_SECRET_MAX];
  size_t n;
  int rc = -1;

  fp = fopen(path, "r");
  if (!fp) {
    snprintf(err, errlen, "cannot read secret file %s: %s", path,
             strerror(errno));
    return -1;
  }
  if (!fgets(buf, sizeof buf, fp)) {
    snprintf(err, errlen, "secret file %s is empty", path);
    goto cleanup;
  }
  n = strcspn(buf, "\r\n");
  buf[n] = '\0';
  if (n == 0) {
    snprintf(err, errlen, "secret file %s starts with an empty line", path);
    goto cleanup;
  }
  config_wipe_free(cfg->secret);
  cfg->secret = strdup(buf);
  if (!cfg->secret) {
    snprintf(err, errlen, "out of memory");
    goto cleanup;
  }
  rc = 0;
cleanup:
  explicit_bzero(buf, sizeof buf);
  fclose(fp);
  return rc;
}

struct ini_state {
  icxd_config *cfg;
  char *err;
  size_t errlen;
  int failed;
};

static int config_ini_cb(void *user, const char *section, const char *name,
                         const char *value)
{
  struct ini_state *st = user;

  if (st->failed)
    return 0;
  if (config_apply(st->cfg, section, name, value, st->err, st->errlen) != 0) {
    st->failed = 1;
    return 0;
  }
  return 1;
}

int icxd_config_load_file(icxd_config *cfg, const char *path, char *err,
                          size_t errlen)
{
  struct ini_state st = { cfg, err, errlen, 0 };
  char detail[512];
  int rc;

  detail[0] = '\0';
  st.err = detail;
  st.errlen = sizeof detail;
  rc = ini_parse(path, config_ini_cb, &st);
  if (rc == -1) {
    snprintf(err, errlen, "cannot open config file %s: %s", path,
             strerror(errno));
    return -1;
  }
  if (rc == -2) {
    snprintf(err, errlen, "out of memory reading %s", path);
    return -1;
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s:%d: %s", path, rc,
             detail[0] ? detail : "syntax error");
    return -1;
  }
  return config_set_string(&cfg->config_path, path) == 0 ? 0 : -1;
}

/* [xmpp] instance_jid: in component mode only, a domain (no user part,
 * no resource, no empty label, nothing a domain cannot hold, at most 1023
 * bytes) other than jid.  0, or -1 with err set. */
static int config_check_instance(const icxd_config *cfg, char *err,
                                 size_t errlen)
{
  const char *d = cfg->instance_jid, *c, *why = NULL;
  size_t len;

  if (!d)
    return 0;
  if (cfg->mode != ICXD_MODE_COMPONENT) {
    snprintf(err, errlen, "[xmpp] instance_jid is for component mode: in "
             "client mode the account's full JID reaches this instance "
             "alone already");
    return -1;
  }
  len = strlen(d);
  if (len > 1023)
    why = "longer than 1023 bytes";
  else if (strchr(d, '@'))
    why = "it has a user part (@)";
  else if (strchr(d, '/'))
    why = "it has a resource (/)";
  else if (d[0] == '.' || d[len - 1] == '.' || strstr(d, ".."))
    why = "it has an empty label";
  for (c = d; !why && *c; c++)
    if ((unsigned char)*c <= 0x20 || *c == 0x7f || strchr("\"'<>&:\\", *c))
      why = "it holds a character no domain holds";
  if (why) {
    snprintf(err, errlen, "[xmpp] instance_jid '%.80s' is not a domain: %s",
             d, why);
    return -1;
  }
  if (strcasecmp(d, cfg->jid) == 0) {
    snprintf(err, errlen, "[xmpp] instance_jid must differ from jid '%s': "
             "it names this instance alone, jid the name the instances "
             "share", cfg->jid);
    return -1;
  }
  return 0;
}

int icxd_config_validate(const icxd_config *cfg, char *err, size_t errlen)
{
  if (!cfg->jid) {
    snprintf(err, errlen, "no JID: set [xmpp] jid or --jid");
    return -1;
  }
  if (strchr(cfg->jid, ' ')) {
    snprintf(err, errlen, "JID '%s' contains a space", cfg->jid);
    return -1;
  }
  if (cfg->mode == ICXD_MODE_COMPONENT && strchr(cfg->jid, '@')) {
    snprintf(err, errlen, "a component JID is a domain, not '%s'", cfg->jid);
    return -1;
  }
  if (cfg->mode == ICXD_MODE_CLIENT && !strchr(cfg->jid, '@')) {
    snprintf(err, errlen, "a client JID needs a user part: '%s'", cfg->jid);
    return -1;
  }
  if (cfg->mode == ICXD_MODE_COMPONENT && !cfg->host) {
    snprintf(err, errlen, "component mode needs [xmpp] host (the server)");
    return -1;
  }
  if (!cfg->secret) {
    snprintf(err, errlen,
             "no secret: set [xmpp] secret, secret_file or --secret-file");
    return -1;
  }
  /* Client mode without cafile/capath: libstrophe verifies against the
   * system's default CA store. */
  if (cfg->reconnect_min_ms > cfg->reconnect_max_ms) {
    snprintf(err, errlen, "reconnect_min_ms exceeds reconnect_max_ms");
    return -1;
  }
  return config_check_instance(cfg, err, errlen);
}

enum {
  OPT_SECRET_FILE = 256, OPT_CAFILE, OPT_CAPATH, OPT_INSECURE,
  OPT_ASYNC, OPT_SESSION_TIMEOUT, OPT_SYSLOG, OPT_TRACE, OPT_CHECK,
  OPT_DELAY, OPT_RECONNECT_MAX, OPT_TIME_LIMIT
};

static const struct option long_opts[] = {
  { "config", required_argument, NULL, 'c' },
  { "mode", required_argument, NULL, 'm' },
  { "jid", required_argument, NULL, 'j' },
  { "host", required_argument, NULL, 'H' },
  { "port", required_argument, NULL, 'p' },
  { "secret-file", required_argument, NULL, OPT_SECRET_FILE },
  { "cafile", required_argument, NULL, OPT_CAFILE },
  { "capath", required_argument, NULL, OPT_CAPATH },
  { "insecure-tls", no_argument, NULL, OPT_INSECURE },
  { "reconnect-max", required_argument, NULL, OPT_RECONNECT_MAX },
  { "store", required_argument, NULL, 's' },
  { "ontology", required_argument, NULL, 'o' },
  { "workers", required_argument, NULL, 'w' },
  { "async-threshold", required_argument, NULL, OPT_ASYNC },
  { "session-timeout", required_argument, NULL, OPT_SESSION_TIMEOUT },
  { "query-time-limit", required_argument, NULL, OPT_TIME_LIMIT },
  { "debug-query-delay", required_argument, NULL, OPT_DELAY },
  { "log-level", required_argument, NULL, 'l' },
  { "syslog", no_argument, NULL, OPT_SYSLOG },
  { "trace", no_argument, NULL, OPT_TRACE },
  { "check-config", no_argument, NULL, OPT_CHECK },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'V' },
  { NULL, 0, NULL, 0 }
};

static const char short_opts[] = "c:m:j:H:p:s:o:w:l:hV";

static void config_usage(FILE *out)
{
  fputs("Usage: icxd [OPTION]...\n"
        "The Intercloud Exchange XMPP service.  Ad-hoc commands (XEP-0050,\n"
        "XEP-0244 IO Data): constraint_catalog_resources and\n"
        "explain_constraints answer requesters; publish_capabilities and\n"
        "withdraw_capabilities let clouds on the [access] publish list\n"
        "change their own documents.  Access lists, limits and paging are\n"
        "set in the configuration file; SIGHUP reloads it.\n\n"
        "  -c, --config FILE         read settings from FILE (icxd.conf(5))\n"
        "  -m, --mode MODE           component (XEP-0114) or client (c2s)\n"
        "  -j, --jid JID             component domain or account JID\n"
        "  -H, --host HOST           server to connect to\n"
        "  -p, --port PORT           server port\n"
        "      --secret-file FILE    read the secret/password from FILE\n"
        "      --cafile FILE         CA certificates that verify the server\n"
        "      --capath DIR          folder of CA certificates\n"
        "      --insecure-tls        do not verify the server (tests only)\n"
        "      --reconnect-max MS    cap of the reconnection backoff\n"
        "  -s, --store FILE          the icx store (SQLite)\n"
        "  -o, --ontology DIR        the vocabulary folder\n"
        "  -w, --workers N           query worker threads\n"
        "      --async-threshold MS  answer 'executing' after MS\n"
        "      --session-timeout S   drop idle sessions after S seconds\n"
        "      --query-time-limit S  stop a query after S seconds (0: never)\n"
        "  -l, --log-level LEVEL     error, warn, info or debug\n"
        "      --syslog              log to syslog instead of stderr\n"
        "      --trace               log every stanza (with -l debug)\n"
        "      --check-config        check the settings and exit\n"
        "  -h, --help                show this help\n"
        "  -V, --version             show the version\n", out);
}

/* Maps an option to its config key, so the command line and the file
 * share one parser.  Returns 0, or -1 with err set. */
static int config_apply_opt(icxd_config *cfg, int opt, const char *arg,
                            char *err, size_t errlen)
{
  switch (opt) {
  case 'm': return config_apply(cfg, "xmpp", "mode", arg, err, errlen);
  case 'j': return config_apply(cfg, "xmpp", "jid", arg, err, errlen);
  case 'H': return config_apply(cfg, "xmpp", "host", arg, err, errlen);
  case 'p': return config_apply(cfg, "xmpp", "port", arg, err, errlen);
  case OPT_SECRET_FILE:
    return config_apply(cfg, "xmpp", "secret_file", arg, err, errlen);
  case OPT_CAFILE: return config_apply(cfg, "xmpp", "cafile", arg, err, errlen);
  case OPT_CAPATH: return config_apply(cfg, "xmpp", "capath", arg, err, errlen);
  case OPT_INSECURE:
    return config_apply(cfg, "xmpp", "insecure_tls", "true", err, errlen);
  case OPT_RECONNECT_MAX:
    return config_apply(cfg, "xmpp", "reconnect_max_ms", arg, err, errlen);
  case 's': return config_apply(cfg, "exchange", "store", arg, err, errlen);
  case 'o': return config_apply(cfg, "exchange", "ontology", arg, err, errlen);
  case 'w': return config_apply(cfg, "exchange", "workers", arg, err, errlen);
  case OPT_ASYNC:
    return config_apply(cfg, "exchange", "async_threshold_ms", arg, err,
                        errlen);
  case OPT_SESSION_TIMEOUT:
    return config_apply(cfg, "exchange", "session_timeout", arg, err, errlen);
  case OPT_TIME_LIMIT:
    return config_apply(cfg, "exchange", "query_time_limit", arg, err, errlen);
  case OPT_DELAY:
    return config_apply(cfg, "exchange", "debug_query_delay_ms", arg, err,
                        errlen);
  case 'l': return config_apply(cfg, "log", "level", arg, err, errlen);
  case OPT_SYSLOG:
    return config_apply(cfg, "log", "syslog", "true", err, errlen);
  case OPT_TRACE: return config_apply(cfg, "log", "trace", "true", err, errlen);
  case OPT_CHECK: cfg->check_only = 1; return 0;
  default:
    snprintf(err, errlen, "unknown option (see icxd --help)");
    return -1;
  }
}

icxd_config_rc icxd_config_from_args(icxd_config *cfg, int argc, char **argv,
                                     char *err, size_t errlen)
{
  const char *config_file = NULL;
  int opt;

  /* Pass 1: only --config, --help, --version. */
  opterr = 0;
  optind = 0;
  while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
    if (opt == 'c') {
      config_file = optarg;
    } else if (opt == 'h') {
      config_usage(stdout);
      return ICXD_CONFIG_EXIT_OK;
    } else if (opt == 'V') {
      printf("icxd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return ICXD_CONFIG_EXIT_OK;
    } else if (opt == '?' || opt == ':') {
      snprintf(err, errlen, "bad option '%s' (see icxd --help)",
               argv[optind - 1 > 0 ? optind - 1 : 0]);
      return ICXD_CONFIG_ERROR;
    }
  }
  if (optind < argc) {
    snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
    return ICXD_CONFIG_ERROR;
  }
  /* Without --config, the installed configuration when there is one
   * (sysconfdir/icx/icxd.conf, as the packages install it). */
  if (!config_file && access(ICXD_DEFAULT_CONFIG, F_OK) == 0)
    config_file = ICXD_DEFAULT_CONFIG;
  if (config_file && icxd_config_load_file(cfg, config_file, err, errlen))
    return ICXD_CONFIG_ERROR;

  /* Pass 2: everything else overrides the file. */
  optind = 0;
  while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
    if (opt == 'c')
      continue;
    if (config_apply_opt(cfg, opt, optarg, err, errlen))
      return ICXD_CONFIG_ERROR;
  }
  if (icxd_config_validate(cfg, err, errlen))
    return ICXD_CONFIG_ERROR;
  return ICXD_CONFIG_OK;
}

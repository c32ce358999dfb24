/* icxd_preflight.c - icxd --check-config: the vocabulary, the store and
 * every file the configuration names, tried as icxd would use them. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icx.h"
#include "icxd_access.h"
#include "icxd_preflight.h"

/* 1 if a list of cfg names anyone. */
static int preflight_may_publish(const icxd_config *cfg)
{
  const char *pub = icxd_acl_text(cfg->access.publish);
  const char *adm = icxd_acl_text(cfg->access.admin);

  return (pub && *pub) || (adm && *adm);
}

/* The folder holding path, as a new string; NULL on ENOMEM. */
static char *preflight_folder(const char *path)
{
  char *copy = strdup(path), *dir;

  if (!copy)
    return NULL;
  dir = strdup(dirname(copy));
  free(copy);
  return dir;
}

/* Whether a file that may not exist yet could be created (or appended
 * to, when it exists) by this process.  0, or an errno. */
static int preflight_writable(const char *path)
{
  char *dir;
  int e = 0;

  if (access(path, F_OK) == 0)
    return access(path, W_OK) == 0 ? 0 : errno;
  if (!(dir = preflight_folder(path)))
    return ENOMEM;
  if (access(dir, W_OK | X_OK) != 0)
    e = errno;
  free(dir);
  return e;
}

static int preflight_store(const icxd_config *cfg, icx_ctx *ctx, const icx_vocab *vocab,
                           FILE *out, FILE *err)
{
  char *path = cfg->store ? strdup(cfg->store) : icx_store_default_path();
  icx_store *store = NULL;
  icx_store_stats st;
  int problems = 0, e;
  icx_rc rc;

  if (!path) {
    fprintf(err, "icxd: check: no store path: set [exchange] store\n");
    return 1;
  }
  if (access(path, F_OK) != 0) {
    /* Missing: fine until someone asks, as long as icxd can make it when
     * clouds may publish. */
    if (preflight_may_publish(cfg) && (e = preflight_writable(path)) != 0) {
      fprintf(err, "icxd: check: store %s does not exist and cannot be created here: %s\n",
              path, strerror(e));
      problems++;
    } else {
      fprintf(out, "icxd: store %s does not exist yet: %s\n", path,
              preflight_may_publish(cfg) ? "the first publish creates it"
                                         : "icx load fills it (until then requests "
                                           "are answered that there is no data)");
    }
    free(path);
    return problems;
  }
  rc = icx_store_open(ctx, path, ICX_STORE_READONLY, &store);
  if (rc == ICX_OK)
    rc = icx_store_stats_get(store, vocab, &st);
  if (rc != ICX_OK) {
    fprintf(err, "icxd: check: store %s: %s\n", path, icx_ctx_errmsg(ctx));
    problems++;
  } else {
    fprintf(out, "icxd: store %s: %ld documents, %ld clouds\n", path, st.documents, st.clouds);
    if (preflight_may_publish(cfg) && (e = preflight_writable(path)) != 0) {
      fprintf(err, "icxd: check: store %s cannot be written (publishing is allowed): %s\n",
              path, strerror(e));
      problems++;
    }
  }
  icx_store_free(store);
  free(path);
  return problems;
}

/* A file or folder named by the configuration that icxd will read. */
static int preflight_readable(const char *what, const char *path, FILE *err)
{
  if (!path || access(path, R_OK) == 0)
    return 0;
  fprintf(err, "icxd: check: %s %s: %s\n", what, path, strerror(errno));
  return 1;
}

int icxd_preflight(const icxd_config *cfg, FILE *out, FILE *err)
{
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  const char *dir = cfg->ontology ? cfg->ontology : icx_vocab_default_dir();
  int problems = 0, e;

  if (!ctx)
    return -1;
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  if (icx_vocab_load(ctx, dir, &vocab) != ICX_OK) {
    fprintf(err, "icxd: check: vocabulary %s: %s\n", dir, icx_ctx_errmsg(ctx));
    problems++;
  } else {
    fprintf(out, "icxd: vocabulary %s: %zu attributes\n", dir,
            icx_vocab_attribute_count(vocab));
    problems += preflight_store(cfg, ctx, vocab, out, err);
  }
  problems += preflight_readable("cafile", cfg->cafile, err);
  problems += preflight_readable("capath", cfg->capath, err);
  if (cfg->log_file && (e = preflight_writable(cfg->log_file)) != 0) {
    fprintf(err, "icxd: check: log file %s: %s\n", cfg->log_file, strerror(e));
    problems++;
  }
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return problems;
}

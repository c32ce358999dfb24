/* fuzz_common.c - the set-up the fuzz targets share (fuzz.h). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef ICX_FUZZ_SRCDIR
#define ICX_FUZZ_SRCDIR ".."
#endif

static char fuzz_dir[4096];

const char *fuzz_srcdir(void)
{
  const char *s = getenv("ICX_SRCDIR");

  return s && *s ? s : ICX_FUZZ_SRCDIR;
}

static void fuzz_die(const char *what, const char *detail)
{
  fprintf(stderr, "fuzz: %s%s%s\n", what, detail ? ": " : "",
          detail ? detail : "");
  exit(2);
}

static void fuzz_drop(void *userdata, icx_log_level level, const char *area,
                      const char *msg)
{
  (void)userdata;
  (void)level;
  (void)area;
  (void)msg;
}

icx_ctx *fuzz_ctx(unsigned long ms)
{
  icx_ctx *ctx = icx_ctx_new();

  if (!ctx)
    fuzz_die("out of memory", NULL);
  icx_ctx_set_logger(ctx, fuzz_drop, NULL);
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  icx_ctx_set_time_limit(ctx, ms);
  return ctx;
}

icx_vocab *fuzz_vocab(icx_ctx *ctx)
{
  const char *env = getenv("ICX_ONTOLOGY");
  char dir[4096];
  icx_vocab *vocab = NULL;

  if (env && *env)
    snprintf(dir, sizeof dir, "%s", env);
  else
    snprintf(dir, sizeof dir, "%s/ontology", fuzz_srcdir());
  if (icx_vocab_load(ctx, dir, &vocab) != ICX_OK)
    fuzz_die("cannot load the vocabulary", icx_ctx_errmsg(ctx));
  return vocab;
}

/* Removes the temporary folder (flat: the targets make no subfolders). */
static void fuzz_cleanup(void)
{
  DIR *d;
  struct dirent *e;
  char path[4352];

  if (!fuzz_dir[0] || !(d = opendir(fuzz_dir)))
    return;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(fuzz_dir);
  fuzz_dir[0] = '\0';
}

const char *fuzz_tmpdir(void)
{
  const char *tmp = getenv("TMPDIR");

  if (fuzz_dir[0])
    return fuzz_dir;
  snprintf(fuzz_dir, sizeof fuzz_dir, "%s/icx-fuzz-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(fuzz_dir))
    fuzz_die("cannot make a temporary folder", fuzz_dir);
  atexit(fuzz_cleanup);
  return fuzz_dir;
}

icx_store *fuzz_store_clouds(icx_ctx *ctx, const icx_vocab *vocab)
{
  char path[4352], clouds[4096];
  icx_store *store = NULL;
  icx_loader *loader;
  icx_rc rc;

  snprintf(path, sizeof path, "%s/clouds.db", fuzz_tmpdir());
  snprintf(clouds, sizeof clouds, "%s/data/clouds", fuzz_srcdir());
  if (icx_store_open(ctx, path, ICX_STORE_CREATE, &store) != ICX_OK)
    fuzz_die("cannot make the store", icx_ctx_errmsg(ctx));
  loader = icx_loader_new(ctx, vocab, store);
  if (!loader)
    fuzz_die("out of memory", NULL);
  rc = icx_loader_load_path(loader, clouds);
  icx_loader_free(loader);
  if (rc != ICX_OK)
    fuzz_die("cannot load data/clouds", icx_ctx_errmsg(ctx));
  icx_store_free(store);
  store = NULL;
  if (icx_store_open(ctx, path, ICX_STORE_READONLY, &store) != ICX_OK)
    fuzz_die("cannot reopen the store", icx_ctx_errmsg(ctx));
  return store;
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);

  if (!s)
    fuzz_die("out of memory", NULL);
  if (size)
    memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

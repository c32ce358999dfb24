/* icx_cli.c - the plumbing icx's subcommands share. */
/* Exit codes for engine results, error messages, opening the vocabulary
 * and the store, reading an input file. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icx_cli.h"

int
icx_cli_exit_for(icx_rc rc)
{
  switch (rc) {
  case ICX_OK:
    return EXIT_OK;
  case ICX_ERR_XML:
  case ICX_ERR_CONSTRAINT:
  case ICX_ERR_RDF:
  case ICX_ERR_INVALID:
  case ICX_ERR_LIMIT:
    return EXIT_INPUT;
  case ICX_ERR_NOT_FOUND:
    return EXIT_NOT_FOUND;
  case ICX_ERR_DAMAGED:
    return EXIT_DAMAGED;
  case ICX_ERR_MISUSE:
    return EXIT_USAGE;
  case ICX_ERR_NOMEM:
  case ICX_ERR_IO:
  case ICX_ERR_VOCAB:
  case ICX_ERR_STORE:
  case ICX_ERR_QUERY:
    return EXIT_FAILURE_SYS;
  }
  return EXIT_FAILURE_SYS;
}

int
icx_cli_fail(icx_ctx *ctx, icx_rc rc)
{
  const char *msg = icx_ctx_errmsg(ctx);

  fprintf(stderr, "icx: error: %s\n", *msg ? msg : icx_strerror(rc));
  return icx_cli_exit_for(rc);
}

int
icx_cli_fail_store(icx_ctx *ctx, icx_store *store, icx_rc rc)
{
  return icx_cli_fail(ctx, icx_store_failed(store, rc));
}

char *
icx_cli_store_path(const opts *o)
{
  char *path = o->store ? strdup(o->store) : icx_store_default_path();

  if (!path)
    fprintf(stderr, "icx: error: no store given and no default (set HOME or ICX_STORE)\n");
  return path;
}

/* Tells a person at a terminal why nothing seems to happen. */
static void
cli_say_wait(void *userdata, const char *path, long timeout_ms)
{
  (void)userdata;
  fprintf(stderr, "icx: waiting for another writer to finish with %s (up to %ld s) ...\n", path,
          (timeout_ms + 999) / 1000);
}

int
icx_cli_open_all(icx_ctx *ctx, const opts *o, int store_flags, icx_vocab **vocab, icx_store **store)
{
  icx_rc rc;
  char *path;

  if (vocab && (rc = icx_vocab_load_cached(ctx, o->ontology, NULL, vocab)))
    return icx_cli_fail(ctx, rc);
  if (!store)
    return EXIT_OK;
  if (!(path = icx_cli_store_path(o)))
    return EXIT_USAGE;
  rc = icx_store_open(ctx, path, store_flags, store);
  free(path);
  if (rc)
    return icx_cli_fail(ctx, rc);
  icx_store_set_wait(*store, o->wait_ms,
                     !o->quiet && isatty(STDERR_FILENO) ? cli_say_wait : NULL, NULL);
  return EXIT_OK;
}

static char *
cli_read_all(FILE *fp, size_t *len)
{
  size_t cap = 8192, n = 0, got;
  char *buf = malloc(cap), *nb;

  if (!buf)
    return NULL;
  while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
    n += got;
    if (n > ICX_CONSTRAINT_MAX_INPUT)
      break;                          /* the parser reports the limit */
    if (n == cap) {
      if (!(nb = realloc(buf, cap * 2))) {
        free(buf);
        return NULL;
      }
      buf = nb;
      cap *= 2;
    }
  }
  if (ferror(fp)) {
    free(buf);
    return NULL;
  }
  if (n == cap && !(nb = realloc(buf, cap + 1))) {
    free(buf);
    return NULL;
  } else if (n == cap) {
    buf = nb;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

int
icx_cli_read_input(const char *path, char **text, size_t *len)
{
  FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;

  if (!fp) {
    fprintf(stderr, "icx: error: %s: %s\n", path, strerror(errno));
    return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_FAILURE_SYS;
  }
  *text = cli_read_all(fp, len);
  if (fp != stdin)
    fclose(fp);
  if (!*text) {
    fprintf(stderr, "icx: error: cannot read %s\n", path);
    return EXIT_FAILURE_SYS;
  }
  return 0;
}


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

void
icx_cli_save_index(icx_ctx *ctx, icx_store *store)
{
  fflush(stdout);
  if (icx_match_save_index(ctx, store, ICX_CLI_INDEX_SAVE_MS, NULL))
    icx_log(ctx, ICX_LOG_DEBUG, "cli", "the matching index was not saved: %s",
            icx_ctx_errmsg(ctx));
}

void
icx_cli_refresh_index(icx_ctx *ctx, const opts *o, icx_store *store, const icx_vocab *vocab)
{
  icx_vocab *own = NULL;
  icx_rc rc = ICX_OK;

  if (!vocab && !(rc = icx_vocab_load_cached(ctx, o->ontology, NULL, &own)))
    vocab = own;
  if (!rc)
    rc = icx_match_keep_index(ctx, vocab, store, NULL);
  if (rc)
    icx_log(ctx, ICX_LOG_DEBUG, "cli", "the matching index was not saved: %s",
            icx_ctx_errmsg(ctx));
  icx_vocab_free(own);
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

void
icx_cli_apply_log(icx_ctx *ctx, const opts *o)
{
  if (o->verbose)
    icx_ctx_set_log_level(ctx, ICX_LOG_DEBUG);
  else if (o->quiet)
    icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
}

int
icx_cli_open_all(icx_ctx *ctx, const opts *o, int store_flags, icx_vocab **vocab, icx_store **store)
{
  icx_rc rc;
  char *path;

  icx_cli_apply_log(ctx, o);
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


/* --- options ---------------------------------------------------------------- */

/* A whole number of seconds (0 to a day) as ms, or -1. */
static long
cli_seconds(const char *text)
{
  char *end = NULL;
  long v;

  errno = 0;
  v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < 0 || v > 86400)
    return -1;
  return v * 1000;
}

int
icx_cli_global_option(opts *o, int c, const char *arg, const char *from)
{
  switch (c) {
  case 'w':
    if ((o->wait_ms = cli_seconds(arg)) < 0) {
      fprintf(stderr, "icx: error: %s \"%s\" is not a number of seconds\n",
              from ? from : "--wait", arg);
      return EXIT_USAGE;
    }
    break;
  case 's': o->store = arg; break;
  case 'o': o->ontology = arg; break;
  case 'q': o->quiet = 1; break;
  case 'v': o->verbose = 1; break;
  default: return EXIT_USAGE;
  }
  return 0;
}

/* The global options in a subcommand's argv: returned by getopt as
 * CLI_GLOBAL + their short letter, so they never meet a subcommand's. */
#define CLI_GLOBAL 0x100
static const struct option cli_global_longopts[] = {
  { "store", required_argument, NULL, CLI_GLOBAL + 's' },
  { "ontology", required_argument, NULL, CLI_GLOBAL + 'o' },
  { "wait", required_argument, NULL, CLI_GLOBAL + 'w' },
  { "quiet", no_argument, NULL, CLI_GLOBAL + 'q' },
  { "verbose", no_argument, NULL, CLI_GLOBAL + 'v' },
};
#define CLI_N_GLOBAL (sizeof cli_global_longopts / sizeof cli_global_longopts[0])
#define CLI_MAX_LONGOPTS 16

int
icx_cli_getopt(opts *o, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
  struct option all[CLI_MAX_LONGOPTS + CLI_N_GLOBAL + 1];
  char shorts[64];
  size_t n = 0, k, len;
  int c;

  for (; longopts[n].name && n < CLI_MAX_LONGOPTS; n++)
    all[n] = longopts[n];
  for (k = 0; k < CLI_N_GLOBAL; k++)
    all[n++] = cli_global_longopts[k];
  memset(&all[n], 0, sizeof all[n]);
  /* ':' first (a missing value is told from an unknown option), the
   * subcommand's short options, then the global ones it leaves free. */
  len = strlen(shortopts);
  if (len > 40)
    len = 40;
  shorts[0] = ':';
  memcpy(shorts + 1, shortopts, len++);
  for (k = 0; k < CLI_N_GLOBAL; k++) {
    char letter = (char)(cli_global_longopts[k].val - CLI_GLOBAL);
    if (memchr(shortopts, letter, strlen(shortopts)))
      continue;
    shorts[len++] = letter;
    if (cli_global_longopts[k].has_arg == required_argument)
      shorts[len++] = ':';
  }
  shorts[len] = '\0';
  opterr = 0;                  /* the messages are ours, named after icx */
  for (;;) {
    c = getopt_long(argc, argv, shorts, all, NULL);
    if (c >= CLI_GLOBAL)
      c -= CLI_GLOBAL;
    else if (c == '?' || c == ':') {
      /* a long option as written; a short one by its letter (optopt) */
      char letter[3] = { '-', (char)optopt, '\0' };
      const char *last = argv[optind - 1];
      const char *what = optopt == 0 || (c == ':' && !strncmp(last, "--", 2)) ? last : letter;
      fprintf(stderr, "icx: error: %s: %s %s (icx help %s lists the options)\n", argv[0], what,
              c == ':' ? "needs a value" : "is not an option here", argv[0]);
      return '?';
    } else if (c == -1 || !strchr("sowqv", c) || strchr(shortopts, c))
      return c;
    if (icx_cli_global_option(o, c, optarg, NULL))
      return '?';
  }
}

int
icx_cli_output_format(const char *cmd, const char *arg, int allowed)
{
  static const struct { const char *name; int fmt; } formats[] = {
    { "text", ICX_OUT_TEXT }, { "xml", ICX_OUT_XML }, { "json", ICX_OUT_JSON },
  };
  size_t i;
  int first = 1;

  for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if ((allowed & formats[i].fmt) && !strcmp(arg, formats[i].name))
      return formats[i].fmt;
  fprintf(stderr, "icx: error: %s: unknown output format \"%s\" (", cmd, arg);
  for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (allowed & formats[i].fmt) {
      fprintf(stderr, "%s%s", first ? "" : ", ", formats[i].name);
      first = 0;
    }
  fprintf(stderr, ")\n");
  return 0;
}

/* icx_cli_docs.c - icx load and icx remove: documents in and out. */
/* Capability documents into and out of the store, with a report per
 * document (and a progress bar on a terminal). */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icx_cli.h"

/* --- load ------------------------------------------------------------------ */

typedef struct load_tally {
  int quiet;
  int dry_run;
  long ok, failed, triples;
} load_tally;

static void
cli_load_report(void *ud, const char *source, icx_rc rc, const char *message, long triples)
{
  load_tally *t = ud;

  if (rc) {
    t->failed++;
    fprintf(stderr, "icx: error: %s\n", *message ? message : icx_strerror(rc));
    return;
  }
  t->ok++;
  t->triples += triples;
  if (!t->quiet)
    printf("%s %s (%ld triples)\n", t->dry_run ? "checked" : "loaded", source, triples);
}

/* A progress bar on standard error while a document loads (bytes read of
 * its size, and statements so far); set only when standard error is a
 * terminal, and drawn only for documents past 1 MiB.  The line is wiped
 * when the document is done, so what stays is the usual report. */
static void
cli_load_progress(void *userdata, const char *source, size_t done, size_t total,
              size_t statements, int finished)
{
  static const char bar[] = "##############################";
  int width = (int)sizeof bar - 1, fill, pct;
  const char *name = strrchr(source, '/');
  int *drawn = userdata;

  name = name && name[1] ? name + 1 : source;
  if (finished) {
    if (*drawn)
      fputs("\r\033[K", stderr);
    *drawn = 0;
    return;
  }
  if ((total ? total : done) < ((size_t)1 << 20))
    return;
  *drawn = 1;
  if (!total) {
    fprintf(stderr, "\r%.32s %.1f MB read, %zu triples", name, (double)done / 1048576.0,
            statements);
  } else {
    pct = done >= total ? 100 : (int)((double)done * 100.0 / (double)total);  /* file grew */
    fill = pct * width / 100;
    fprintf(stderr, "\r%.32s [%.*s%*s] %3d%% of %.1f MB, %zu triples", name, fill, bar,
            width - fill, "", pct, (double)total / 1048576.0, statements);
  }
  fflush(stderr);
}

int
icx_cli_load(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "name", required_argument, NULL, 'n' },
    { "dry-run", no_argument, NULL, 'd' },
    { "no-index", no_argument, NULL, 'N' },   /* long only */
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const char *name = "stdin";
  int format = ICX_FORMAT_AUTO, dry = 0, named = 0, stdin_given = 0, no_index = 0, c, i, code;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_loader *loader = NULL;
  load_tally tally = { 0, 0, 0, 0, 0 };
  int drawn = 0;
  icx_rc rc, first = ICX_OK;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "f:n:dh", longopts)) != -1) {
    switch (c) {
    case 'f':
      format = icx_format_from_name(optarg);
      if (format < 0) {
        fprintf(stderr, "icx: error: unknown format \"%s\" (turtle, rdfxml, ntriples)\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'n': name = optarg; named = 1; break;
    case 'd': dry = 1; break;
    case 'N': no_index = 1; break;
    case 'h': icx_cli_command_help(stdout, "load"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  tally.quiet = o->quiet;     /* -q may come after the command */
  if (optind >= argc) {
    fprintf(stderr, "icx: error: load needs at least one PATH (or - for stdin)\n");
    return EXIT_USAGE;
  }
  for (i = optind; i < argc; i++)
    stdin_given += !strcmp(argv[i], "-");
  /* A file is stored under its own path: a name given for files alone
   * would be dropped without a word. */
  if (named && !stdin_given) {
    fprintf(stderr, "icx: error: --name names the document read from standard input; give - "
            "among the PATHs, or drop --name (a file is stored under its own path)\n");
    return EXIT_USAGE;
  }
  if (stdin_given > 1) {
    fprintf(stderr, "icx: error: - (standard input) may be given once\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_CREATE, &vocab, &store)))
    goto done;
  loader = icx_loader_new(ctx, vocab, store);
  if (!loader) {
    code = icx_cli_fail(ctx, ICX_ERR_NOMEM);
    goto done;
  }
  icx_loader_set_format(loader, (icx_format)format);
  icx_loader_set_dry_run(loader, dry);
  tally.dry_run = dry;
  icx_loader_set_report(loader, cli_load_report, &tally);
  if (!o->quiet && !dry && isatty(STDERR_FILENO))
    icx_loader_set_progress(loader, cli_load_progress, &drawn);
  for (i = optind; i < argc; i++) {
    long reported = tally.ok + tally.failed;
    if (!strcmp(argv[i], "-"))
      rc = icx_loader_load_stream(loader, name, stdin);
    else
      rc = icx_loader_load_path(loader, argv[i]);
    if (rc && tally.ok + tally.failed == reported)   /* failed before any document */
      fprintf(stderr, "icx: error: %s\n", icx_ctx_errmsg(ctx));
    if (rc && !first)
      first = rc;
  }
  if (!o->quiet && tally.ok + tally.failed > 1)
    printf("%ld document%s %s, %ld triples; %ld failed\n", tally.ok, tally.ok == 1 ? "" : "s",
           dry ? "checked" : "loaded", tally.triples, tally.failed);
  code = icx_cli_exit_for(first);
  if (first && icx_store_damaged(store)) {
    fprintf(stderr, "icx: error: store %s is damaged; run icx check\n", icx_store_path(store));
    code = EXIT_DAMAGED;
  }
  if (!dry && !no_index && tally.ok > 0 && code != EXIT_DAMAGED)
    icx_cli_refresh_index(ctx, o, store, vocab);
done:
  icx_loader_free(loader);
  icx_store_free(store);
  icx_vocab_free(vocab);
  return code;
}

/* --- remove ---------------------------------------------------------------- */

/* A document named on the command line: its URI as listed, a path (made
 * absolute, so a deleted file can still be withdrawn), or its source. */
static char *
cli_resolve_doc(icx_store *store, const char *arg)
{
  icx_doc_info *docs = NULL;
  size_t n = 0, i;
  char *found = NULL, *uri;

  if (icx_store_has_document(store, arg))
    return strdup(arg);
  uri = icx_loader_doc_uri_for_path(arg);
  if (!uri && arg[0] != '/') {
    char cwd[PATH_MAX], *abs;
    size_t len;
    if (getcwd(cwd, sizeof cwd)) {
      len = strlen(cwd) + strlen(arg) + 2;
      if ((abs = malloc(len))) {
        snprintf(abs, len, "%s/%s", cwd, arg);
        uri = malloc(len + 8);
        if (uri)
          snprintf(uri, len + 8, "file://%s", abs);
        free(abs);
      }
    }
  }
  if (uri && icx_store_has_document(store, uri))
    return uri;
  free(uri);
  if (icx_store_list_documents(store, NULL, &docs, &n) == ICX_OK)
    for (i = 0; i < n && !found; i++)
      if (docs[i].source && !strcmp(docs[i].source, arg))
        found = strdup(docs[i].uri);
  icx_doc_info_free_array(docs, n);
  return found;
}

int
icx_cli_remove(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "no-index", no_argument, NULL, 'N' },   /* long only */
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  icx_store *store = NULL;
  int code, i, c, removed = 0, no_index = 0;
  icx_rc rc, first = ICX_OK;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "h", longopts)) != -1) {
    if (c == 'N') {
      no_index = 1;
      continue;
    }
    if (c != 'h')
      return EXIT_USAGE;
    icx_cli_command_help(stdout, "remove");
    return EXIT_OK;
  }
  if (optind >= argc) {
    fprintf(stderr, "icx: error: remove needs at least one DOCUMENT\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_open_all(ctx, o, 0, NULL, &store)))
    return code;
  for (i = optind; i < argc; i++) {
    char *uri = cli_resolve_doc(store, argv[i]);
    if (!uri) {
      fprintf(stderr, "icx: error: no document %s in the store (icx list shows them)\n", argv[i]);
      if (!first)
        first = ICX_ERR_NOT_FOUND;
      continue;
    }
    rc = icx_store_remove_document(store, uri);
    if (rc) {
      rc = icx_store_failed(store, rc);
      icx_cli_fail(ctx, rc);
      if (!first)
        first = rc;
    } else {
      removed++;
      if (!o->quiet)
        printf("removed %s\n", uri);
    }
    free(uri);
  }
  if (removed && !no_index && !icx_store_damaged(store))
    icx_cli_refresh_index(ctx, o, store, NULL);
  icx_store_free(store);
  return icx_cli_exit_for(first);
}

/* --- export ------------------------------------------------------------------ */

/* Writes one document, after a comment that names it. */
static int
cli_export_one(icx_ctx *ctx, icx_store *store, const icx_doc_info *d)
{
  icx_rc rc;

  printf("# icx document %s\n# source: %s, owner: %s, %ld triples, loaded %s\n", d->uri,
         d->source ? d->source : "?", d->owner ? d->owner : "operator", d->triples,
         d->loaded_at ? d->loaded_at : "?");
  fflush(stdout);
  rc = icx_store_export_document(store, d->uri, stdout);
  if (rc)
    return icx_cli_fail_store(ctx, store, rc);
  printf("\n");
  return EXIT_OK;
}

int
icx_cli_export(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  icx_store *store = NULL;
  icx_doc_info *docs = NULL, *one = NULL;
  size_t n = 0, i;
  int code = EXIT_OK, c, k;
  icx_rc rc;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "h", longopts)) != -1) {
    if (c != 'h')
      return EXIT_USAGE;
    icx_cli_command_help(stdout, "export");
    return EXIT_OK;
  }
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    return code;
  if (optind == argc) {               /* every document */
    if ((rc = icx_store_list_documents(store, NULL, &docs, &n))) {
      code = icx_cli_fail_store(ctx, store, rc);
      goto done;
    }
    for (i = 0; i < n && code == EXIT_OK; i++)
      code = cli_export_one(ctx, store, &docs[i]);
    goto done;
  }
  for (k = optind; k < argc && code == EXIT_OK; k++) {
    char *uri = cli_resolve_doc(store, argv[k]);
    if (!uri) {
      fprintf(stderr, "icx: error: no document %s in the store (icx list shows them)\n",
              argv[k]);
      code = EXIT_NOT_FOUND;
      break;
    }
    rc = icx_store_get_document(store, NULL, uri, &one);
    free(uri);
    if (rc) {
      code = icx_cli_fail_store(ctx, store, rc);
      break;
    }
    code = cli_export_one(ctx, store, one);
    icx_doc_info_free_array(one, 1);
    one = NULL;
  }
done:
  icx_doc_info_free_array(docs, n);
  icx_store_free(store);
  return code;
}

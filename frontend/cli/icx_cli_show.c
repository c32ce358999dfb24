/* icx_cli_show.c - icx vocab, list and stats: what is loaded. */
/* What the vocabulary, the loaded documents and the store hold. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "icx_cli.h"

/* Reads the options of vocab, list and stats (--format, --help): the
 * format, 0 after --help was answered, or -1 on a usage error. */
static int
cli_show_options(opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  int fmt = ICX_OUT_TEXT, c;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "f:h", longopts)) != -1) {
    switch (c) {
    case 'f':
      if (!(fmt = icx_cli_output_format(argv[0], optarg, ICX_OUT_TEXT | ICX_OUT_JSON)))
        return -1;
      break;
    case 'h': icx_cli_command_help(stdout, argv[0]); return 0;
    default: return -1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "icx: error: %s takes no arguments but options (icx help %s)\n", argv[0],
            argv[0]);
    return -1;
  }
  return fmt;
}

static void cli_vocab_overlay_free(char *folder);

/* A folder of links: every .ttl file of dir but those named like one of
 * files, then files themselves (by their own names, .ttl added when
 * missing).  Returns the folder (a new string), or NULL after saying why. */
static char *
cli_vocab_overlay(const char *dir, char **files, int n)
{
  const char *tmpdir = getenv("TMPDIR");
  char *folder = NULL, path[PATH_MAX], target[PATH_MAX], name[PATH_MAX];
  DIR *d = NULL;
  struct dirent *e;
  int i;

  if (snprintf(path, sizeof path, "%s/icx-vocab.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp")
      >= (int)sizeof path || !(folder = strdup(path)) || !mkdtemp(folder)) {
    fprintf(stderr, "icx: error: cannot make a temporary folder: %s\n", strerror(errno));
    free(folder);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
    size_t len = strlen(base);
    int ttl = len > 4 && !strcmp(base + len - 4, ".ttl");
    if (!realpath(files[i], target)) {
      fprintf(stderr, "icx: error: %s: %s\n", files[i], strerror(errno));
      goto fail;
    }
    if (!*base || *base == '.' ||
        snprintf(name, sizeof name, "%s%s", base, ttl ? "" : ".ttl") >= (int)sizeof name ||
        snprintf(path, sizeof path, "%s/%s", folder, name) >= (int)sizeof path ||
        symlink(target, path)) {
      fprintf(stderr, "icx: error: %s: cannot check it%s%s\n", files[i],
              errno == EEXIST ? " (two files of that name)" : "", "");
      goto fail;
    }
  }
  if (!realpath(dir, name) || !(d = opendir(name))) {
    fprintf(stderr, "icx: error: cannot read ontology folder %s: %s\n", dir, strerror(errno));
    goto fail;
  }
  dir = name;                  /* links must not depend on where icx runs */
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".ttl"))
      continue;
    if (snprintf(path, sizeof path, "%s/%s", folder, e->d_name) >= (int)sizeof path ||
        snprintf(target, sizeof target, "%s/%s", dir, e->d_name) >= (int)sizeof target)
      continue;
    if (symlink(target, path) && errno != EEXIST) {   /* EEXIST: a file given replaces it */
      fprintf(stderr, "icx: error: cannot link %s: %s\n", target, strerror(errno));
      goto fail;
    }
  }
  closedir(d);
  return folder;
fail:
  if (d)
    closedir(d);
  cli_vocab_overlay_free(folder);
  return NULL;
}

/* Removes the links and the folder cli_vocab_overlay() made; frees it. */
static void
cli_vocab_overlay_free(char *folder)
{
  char path[PATH_MAX];
  struct dirent *e;
  DIR *d;

  if (!folder)
    return;
  if ((d = opendir(folder))) {
    while ((e = readdir(d)))
      if (e->d_name[0] != '.' &&
          snprintf(path, sizeof path, "%s/%s", folder, e->d_name) < (int)sizeof path)
        unlink(path);
    closedir(d);
  }
  rmdir(folder);
  free(folder);
}

/* Says msg with the links of folder named as the user knows them: a file
 * given by its path as given, any other by its path in dir. */
static void
cli_vocab_check_error(const char *msg, const char *folder, const char *dir, char **files,
                      int n)
{
  size_t flen = strlen(folder);
  const char *p = msg, *hit;
  int i;

  fputs("icx: error: ", stderr);
  while ((hit = strstr(p, folder)) && hit[flen] == '/') {
    const char *name = hit + flen + 1, *shown = NULL;
    size_t nlen = strcspn(name, ": '\"");
    fwrite(p, 1, (size_t)(hit - p), stderr);
    for (i = 0; i < n && !shown; i++) {
      const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
      size_t blen = strlen(base);
      if ((nlen == blen || (nlen == blen + 4 && !strncmp(name + blen, ".ttl", 4))) &&
          !strncmp(name, base, blen))
        shown = files[i];
    }
    if (shown)
      fputs(shown, stderr);
    else
      fprintf(stderr, "%s/%.*s", dir, (int)nlen, name);
    p = name + nlen;
  }
  fprintf(stderr, "%s\n", p);
}

/* icx vocab --check FILE...: the installed vocabulary with FILE added (or
 * replacing the file of the same name), loaded as icx would load it. */
static int
cli_vocab_check(icx_ctx *ctx, const opts *o, char **files, int n)
{
  const char *dir = o->ontology ? o->ontology : icx_vocab_default_dir();
  icx_vocab *base = NULL, *vocab = NULL;
  char *folder;
  size_t i;
  int code = EXIT_OK;

  icx_cli_apply_log(ctx, o);
  if (icx_vocab_load(ctx, dir, &base)) {
    fprintf(stderr, "icx: error: the vocabulary %s itself does not load: %s\n", dir,
            icx_ctx_errmsg(ctx));
    return EXIT_FAILURE_SYS;
  }
  if (!(folder = cli_vocab_overlay(dir, files, n))) {
    icx_vocab_free(base);
    return EXIT_FAILURE_SYS;
  }
  if (icx_vocab_load(ctx, folder, &vocab)) {
    cli_vocab_check_error(icx_ctx_errmsg(ctx), folder, dir, files, n);
    code = EXIT_INPUT;
  } else {
    size_t added = 0;
    printf("ok: %zu attributes (%zu in %s)", icx_vocab_attribute_count(vocab),
           icx_vocab_attribute_count(base), dir);
    for (i = 0; i < icx_vocab_attribute_count(vocab); i++) {
      const icx_attribute *a = icx_vocab_attribute(vocab, i);
      if (icx_vocab_find_attribute(base, icx_attribute_iri(a)))
        continue;
      printf("%s%s", added++ ? ", " : "; new: ", icx_attribute_label(a));
    }
    printf("\n");
  }
  icx_vocab_free(vocab);
  icx_vocab_free(base);
  cli_vocab_overlay_free(folder);
  return code;
}

int
icx_cli_vocab(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "check", no_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  icx_vocab *vocab = NULL;
  size_t i, k;
  int code, fmt = ICX_OUT_TEXT, check = 0, c;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "f:ch", longopts)) != -1) {
    switch (c) {
    case 'f':
      if (!(fmt = icx_cli_output_format("vocab", optarg, ICX_OUT_TEXT | ICX_OUT_JSON)))
        return EXIT_USAGE;
      break;
    case 'c': check = 1; break;
    case 'h': icx_cli_command_help(stdout, "vocab"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (check) {
    if (optind >= argc) {
      fprintf(stderr, "icx: error: vocab --check needs at least one FILE\n");
      return EXIT_USAGE;
    }
    return cli_vocab_check(ctx, o, argv + optind, argc - optind);
  }
  if (optind < argc) {
    fprintf(stderr, "icx: error: vocab takes files only with --check (icx help vocab)\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_open_all(ctx, o, 0, &vocab, NULL)))
    return code;
  if (fmt == ICX_OUT_JSON) {
    code = icx_cli_json_vocab(ctx, vocab);
    icx_vocab_free(vocab);
    return code;
  }
  for (i = 0; i < icx_vocab_attribute_count(vocab); i++) {
    const icx_attribute *a = icx_vocab_attribute(vocab, i);
    printf("%s\n", icx_attribute_label(a));
    printf("  iri:      %s\n", icx_attribute_iri(a));
    printf("  aliases:  ");
    for (k = 0; k < icx_attribute_alias_count(a); k++)
      printf("%s%s", k ? ", " : "", icx_attribute_alias(a, k));
    printf("%s\n", icx_attribute_alias_count(a) ? "" : "(none)");
    printf("  type:     %s (%s)\n", icx_datatype_name(icx_attribute_type(a)),
           icx_attribute_range(a));
    printf("  rule:     %s\n", icx_rule_name(icx_attribute_rule(a)));
    printf("  of:       %s\n", icx_attribute_domain(a));
    if (icx_attribute_type(a) == ICX_TYPE_INDIVIDUAL)
      printf("  values:   %s\n", icx_attribute_value_names(a));
    if (icx_attribute_unit(a))
      printf("  unit:     %s\n", icx_unit_label(icx_attribute_unit(a)));
    if (icx_attribute_place(a))
      printf("  from:     a %s value, given as from='...' on the value (worked out, "
             "not stated)\n", icx_attribute_label(icx_attribute_place(a)));
    if (*icx_attribute_comment(a))
      printf("  about:    %s\n", icx_attribute_comment(a));
  }
  icx_vocab_free(vocab);
  return EXIT_OK;
}

int
icx_cli_list(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_doc_info *docs = NULL;
  size_t n = 0, i, k;
  int code, fmt;
  icx_rc rc;

  if ((fmt = cli_show_options(o, argc, argv)) <= 0)
    return fmt ? EXIT_USAGE : EXIT_OK;
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, &vocab, &store)))
    goto done;
  if ((rc = icx_store_list_documents(store, vocab, &docs, &n))) {
    code = icx_cli_fail_store(ctx, store, rc);
    goto done;
  }
  if (fmt == ICX_OUT_JSON) {
    code = icx_cli_json_list(ctx, docs, n);
    goto done;
  }
  for (i = 0; i < n; i++) {
    printf("%s\n  source: %s\n  owner: %s\n  format: %s, %ld triples, loaded %s\n  clouds: ",
           docs[i].uri, docs[i].source ? docs[i].source : "?",
           docs[i].owner ? docs[i].owner : "operator", docs[i].format ? docs[i].format : "?",
           docs[i].triples, docs[i].loaded_at ? docs[i].loaded_at : "?");
    for (k = 0; k < docs[i].n_clouds; k++)
      printf("%s%s", k ? ", " : "", docs[i].clouds[k]);
    printf("%s\n", docs[i].n_clouds ? "" : "(none)");
  }
done:
  icx_doc_info_free_array(docs, n);
  icx_store_free(store);
  icx_vocab_free(vocab);
  return code;
}

int
icx_cli_stats(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_store_stats st;
  long long bytes, free_bytes;
  int code, fmt;
  icx_rc rc;

  if ((fmt = cli_show_options(o, argc, argv)) <= 0)
    return fmt ? EXIT_USAGE : EXIT_OK;
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, &vocab, &store)))
    goto done;
  if ((rc = icx_store_stats_get(store, vocab, &st)) ||
      (rc = icx_store_file_size(store, &bytes, &free_bytes))) {
    code = icx_cli_fail_store(ctx, store, rc);
    goto done;
  }
  if (fmt == ICX_OUT_JSON) {
    code = icx_cli_json_stats(ctx, icx_store_path(store), &st, bytes, free_bytes);
    goto done;
  }
  printf("store:     %s\ndocuments: %ld\nclouds:    %ld\nservices:  %ld\ntriples:   %ld\n"
         "bytes:     %lld", icx_store_path(store), st.documents, st.clouds, st.services,
         st.triples, bytes);
  if (st.triples > 0)
    printf(" (%.1f a triple)", (double)bytes / (double)st.triples);
  printf("\nfree:      %lld\n", free_bytes);
done:
  icx_store_free(store);
  icx_vocab_free(vocab);
  return code;
}

int
icx_cli_index(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  struct timespec t0, t1;
  int code, c, saved = 0;
  icx_rc rc;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "h", longopts)) != -1) {
    switch (c) {
    case 'h': icx_cli_command_help(stdout, "index"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "icx: error: index takes no arguments\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, &vocab, &store)))
    goto done;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if ((rc = icx_match_warm(ctx, vocab, store)) ||
      (rc = icx_match_save_index(ctx, store, 0, &saved))) {
    code = icx_cli_fail_store(ctx, store, rc);
    goto done;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!saved) {
    fprintf(stderr, "icx: error: the matching index of %s was read but not saved (the folder "
            "not writable, or a store no icx of this version has written to; -v says which)\n",
            icx_store_path(store));
    code = EXIT_FAILURE_SYS;
  } else if (!o->quiet) {
    printf("matching index of %s saved to %s-index in %.0f ms\n", icx_store_path(store),
           icx_store_path(store),
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
  }
done:
  icx_store_free(store);
  icx_vocab_free(vocab);
  return code;
}

int
icx_cli_vacuum(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  icx_store *store = NULL;
  long long before, after;
  int code, c;
  icx_rc rc;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "h", longopts)) != -1) {
    switch (c) {
    case 'h': icx_cli_command_help(stdout, "vacuum"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "icx: error: vacuum takes no arguments\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_open_all(ctx, o, 0, NULL, &store)))
    return code;
  if ((rc = icx_store_vacuum(store, &before, &after)))
    code = icx_cli_fail_store(ctx, store, rc);
  else if (!o->quiet)
    printf("%s: %lld bytes, %lld before\n", icx_store_path(store), after, before);
  icx_store_free(store);
  return code;
}

static void
cli_check_problem(void *userdata, const char *text)
{
  (void)userdata;
  printf("%s\n", text);
}

int
icx_cli_check(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "quick", no_argument, NULL, 'Q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  int quick = 0, c;
  char *path;
  icx_rc rc;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "h", longopts)) != -1) {
    switch (c) {
    case 'Q': quick = 1; break;
    case 'h': icx_cli_command_help(stdout, "check"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "icx: error: check takes no arguments but --quick\n");
    return EXIT_USAGE;
  }
  icx_cli_apply_log(ctx, o);
  if (!(path = icx_cli_store_path(o)))
    return EXIT_USAGE;
  rc = icx_store_check(ctx, path, quick, cli_check_problem, NULL);
  if (!rc && !o->quiet)
    printf("%s: ok\n", path);
  free(path);
  fflush(stdout);
  return rc ? icx_cli_fail(ctx, rc) : EXIT_OK;
}

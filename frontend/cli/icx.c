/* icx.c - the icx command-line tool: load capability documents, match
 * constraints, inspect the vocabulary and the store.  See doc/icx.1. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icx.h"

/* Exit codes, documented in icx.1. */
enum {
  EXIT_OK = 0,
  EXIT_FAILURE_SYS = 1,   /* the store, a file, memory, or the vocabulary failed */
  EXIT_USAGE = 2,         /* bad command line */
  EXIT_INPUT = 3,         /* a constraint or document was rejected */
  EXIT_NOT_FOUND = 4      /* no such store or document */
};

typedef struct opts {
  const char *store;
  const char *ontology;
  int quiet;
  int verbose;
} opts;

static void
usage(FILE *to)
{
  fputs("usage: icx [--store FILE] [--ontology DIR] [-q] [-v] COMMAND [ARGS]\n"
        "\n"
        "commands:\n"
        "  load [--format FMT] [--name NAME] [--dry-run] PATH...\n"
        "                    load capability documents (files, folders, - for stdin)\n"
        "  match [--sparql] [--details] [--format text|xml] FILE\n"
        "                    print the clouds that meet the constraints in FILE (- for stdin)\n"
        "  explain [--cloud NAME]... [--format text|xml] FILE\n"
        "                    say why clouds match the constraints in FILE or not\n"
        "  sparql [--path auto|sql|rasqal] FILE\n"
        "                    run a SPARQL SELECT query on the store (- for stdin)\n"
        "  vocab             list the attributes of the vocabulary\n"
        "  list              list loaded documents and the clouds each describes\n"
        "  remove DOC...     withdraw documents (by URI or path)\n"
        "  stats             count documents, clouds, services and triples\n"
        "\n"
        "options:\n"
        "  -s, --store FILE     store file (default $ICX_STORE, else\n"
        "                       $XDG_DATA_HOME/icx/store.db or ~/.local/share/icx/store.db)\n"
        "  -o, --ontology DIR   vocabulary folder (default $ICX_ONTOLOGY, else the installed one)\n"
        "  -q, --quiet          print only results and errors\n"
        "  -v, --verbose        log what icx does to stderr\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "exit status: 0 success, 1 system failure, 2 usage error, 3 rejected input,\n"
        "4 no such store or document\n", to);
}

static int
exit_for(icx_rc rc)
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

static int
fail(icx_ctx *ctx, icx_rc rc)
{
  const char *msg = icx_ctx_errmsg(ctx);

  fprintf(stderr, "icx: error: %s\n", *msg ? msg : icx_strerror(rc));
  return exit_for(rc);
}

/* Opens what a command needs.  Returns an exit code. */
static int
open_all(icx_ctx *ctx, const opts *o, int store_flags, icx_vocab **vocab, icx_store **store)
{
  icx_rc rc;
  char *path;

  if (vocab && (rc = icx_vocab_load(ctx, o->ontology, vocab)))
    return fail(ctx, rc);
  if (!store)
    return EXIT_OK;
  path = o->store ? strdup(o->store) : icx_store_default_path();
  if (!path) {
    fprintf(stderr, "icx: error: no store given and no default (set HOME or ICX_STORE)\n");
    return EXIT_USAGE;
  }
  rc = icx_store_open(ctx, path, store_flags, store);
  free(path);
  return rc ? fail(ctx, rc) : EXIT_OK;
}

/* --- load ------------------------------------------------------------------ */

typedef struct load_tally {
  int quiet;
  int dry_run;
  long ok, failed, triples;
} load_tally;

static void
load_report(void *ud, const char *source, icx_rc rc, const char *message, long triples)
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
load_progress(void *userdata, const char *source, size_t done, size_t total,
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

static int
cmd_load(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "name", required_argument, NULL, 'n' },
    { "dry-run", no_argument, NULL, 'd' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const char *name = "stdin";
  int format = ICX_FORMAT_AUTO, dry = 0, c, i, code;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_loader *loader = NULL;
  load_tally tally = { o->quiet, 0, 0, 0, 0 };
  int drawn = 0;
  icx_rc rc, first = ICX_OK;

  optind = 1;
  while ((c = getopt_long(argc, argv, "+f:n:dh", longopts, NULL)) != -1) {
    switch (c) {
    case 'f':
      format = icx_format_from_name(optarg);
      if (format < 0) {
        fprintf(stderr, "icx: error: unknown format \"%s\" (turtle, rdfxml, ntriples)\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'n': name = optarg; break;
    case 'd': dry = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    fprintf(stderr, "icx: error: load needs at least one PATH (or - for stdin)\n");
    return EXIT_USAGE;
  }
  if ((code = open_all(ctx, o, ICX_STORE_CREATE, &vocab, &store)))
    goto done;
  loader = icx_loader_new(ctx, vocab, store);
  if (!loader) {
    code = fail(ctx, ICX_ERR_NOMEM);
    goto done;
  }
  icx_loader_set_format(loader, (icx_format)format);
  icx_loader_set_dry_run(loader, dry);
  tally.dry_run = dry;
  icx_loader_set_report(loader, load_report, &tally);
  if (!o->quiet && !dry && isatty(STDERR_FILENO))
    icx_loader_set_progress(loader, load_progress, &drawn);
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
  code = exit_for(first);
done:
  icx_loader_free(loader);
  icx_store_free(store);
  icx_vocab_free(vocab);
  return code;
}

/* --- match ----------------------------------------------------------------- */

static char *
read_all(FILE *fp, size_t *len)
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

/* Reads a FILE argument ("-" is stdin) into a new NUL-terminated string.
 * Returns 0, or the exit code after saying what went wrong. */
static int
read_input(const char *path, char **text, size_t *len)
{
  FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;

  if (!fp) {
    fprintf(stderr, "icx: error: %s: %s\n", path, strerror(errno));
    return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_FAILURE_SYS;
  }
  *text = read_all(fp, len);
  if (fp != stdin)
    fclose(fp);
  if (!*text) {
    fprintf(stderr, "icx: error: cannot read %s\n", path);
    return EXIT_FAILURE_SYS;
  }
  return 0;
}

static int
cmd_match(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "sparql", no_argument, NULL, 's' },
    { "details", no_argument, NULL, 'd' },
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  int show_sparql = 0, xml = 0, details = 0, c, code;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  char *text = NULL;
  size_t len = 0, i;
  icx_rc rc;

  optind = 1;
  while ((c = getopt_long(argc, argv, "+sdf:h", longopts, NULL)) != -1) {
    switch (c) {
    case 's': show_sparql = 1; break;
    case 'd': details = 1; break;
    case 'f':
      if (!strcmp(optarg, "xml"))
        xml = 1;
      else if (strcmp(optarg, "text") != 0) {
        fprintf(stderr, "icx: error: unknown output format \"%s\" (text, xml)\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "icx: error: match needs exactly one FILE (or - for stdin)\n");
    return EXIT_USAGE;
  }
  if ((code = read_input(argv[optind], &text, &len)))
    return code;
  if ((code = open_all(ctx, o, 0, &vocab, NULL)))
    goto done;
  if ((rc = icx_constraints_parse(ctx, vocab, text, len, &set))) {
    fprintf(stderr, "icx: error: %s: %s\n", argv[optind], icx_ctx_errmsg(ctx));
    code = exit_for(rc);
    goto done;
  }
  if ((code = open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    goto done;
  if ((rc = icx_match_run(ctx, store, set, &m))) {
    code = fail(ctx, rc);
    goto done;
  }
  if (show_sparql)
    printf("%s\n", icx_match_sparql(m));
  if (xml) {
    char *out = icx_match_to_xml(m, 2);
    if (!out) {
      code = fail(ctx, ICX_ERR_NOMEM);
      goto done;
    }
    printf("%s\n", out);
    free(out);
  } else {
    for (i = 0; i < icx_match_count(m); i++) {
      size_t k;
      if (!details) {
        printf("%s\n", icx_match_cloud(m, i));
        continue;
      }
      /* name, score, overall degree, then each constraint's degree. */
      printf("%s\tscore=%d\tdegree=%s", icx_match_cloud(m, i), icx_match_score(m, i),
             icx_degree_name(icx_match_degree(m, i)));
      for (k = 0; k < icx_match_constraint_count(m); k++)
        printf("\t%s=%s", icx_attribute_label(icx_constraint_attribute(set, k)),
               icx_degree_name(icx_match_constraint_degree(m, i, k)));
      printf("\n");
    }
  }
  code = EXIT_OK;
done:
  icx_match_free(m);
  icx_constraints_free(set);
  icx_store_free(store);
  icx_vocab_free(vocab);
  free(text);
  return code;
}

/* --- explain ----------------------------------------------------------------- */

static int
cmd_explain(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "cloud", required_argument, NULL, 'c' },
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const char **clouds = NULL;
  size_t n_clouds = 0, len = 0;
  int xml = 0, c, code;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_constraints *set = NULL;
  icx_explain *e = NULL;
  char *text = NULL, *out = NULL;
  icx_rc rc;

  clouds = calloc((size_t)argc + 1, sizeof *clouds);
  if (!clouds)
    return EXIT_FAILURE_SYS;
  optind = 1;
  while ((c = getopt_long(argc, argv, "+c:f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'c': clouds[n_clouds++] = optarg; break;
    case 'f':
      if (!strcmp(optarg, "xml"))
        xml = 1;
      else if (strcmp(optarg, "text") != 0) {
        fprintf(stderr, "icx: error: unknown output format \"%s\" (text, xml)\n", optarg);
        free(clouds);
        return EXIT_USAGE;
      }
      break;
    case 'h': usage(stdout); free(clouds); return EXIT_OK;
    default: free(clouds); return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "icx: error: explain needs exactly one FILE (or - for stdin)\n");
    free(clouds);
    return EXIT_USAGE;
  }
  if ((code = read_input(argv[optind], &text, &len)))
    goto done;
  if ((code = open_all(ctx, o, 0, &vocab, NULL)))
    goto done;
  if ((rc = icx_constraints_parse(ctx, vocab, text, len, &set))) {
    fprintf(stderr, "icx: error: %s: %s\n", argv[optind], icx_ctx_errmsg(ctx));
    code = exit_for(rc);
    goto done;
  }
  if ((code = open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    goto done;
  if ((rc = icx_explain_run(ctx, store, set, clouds, n_clouds, &e))) {
    code = fail(ctx, rc);
    goto done;
  }
  out = xml ? icx_explain_to_xml(e, 2) : icx_explain_to_text(e);
  if (!out) {
    code = fail(ctx, ICX_ERR_NOMEM);
    goto done;
  }
  printf("%s%s", out, xml ? "\n" : "");
  code = EXIT_OK;
done:
  free(out);
  icx_explain_free(e);
  icx_constraints_free(set);
  icx_store_free(store);
  icx_vocab_free(vocab);
  free(text);
  free(clouds);
  return code;
}

/* --- sparql ------------------------------------------------------------------ */

static int
cmd_sparql(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "path", required_argument, NULL, 'p' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  icx_exec_path path = ICX_EXEC_AUTO;
  icx_store *store = NULL;
  icx_rows *rows = NULL;
  char *text = NULL;
  size_t len = 0, i, j;
  int c, code;
  icx_rc rc;

  optind = 1;
  while ((c = getopt_long(argc, argv, "+p:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if (!strcmp(optarg, "auto"))
        path = ICX_EXEC_AUTO;
      else if (!strcmp(optarg, "sql"))
        path = ICX_EXEC_SQL;
      else if (!strcmp(optarg, "rasqal"))
        path = ICX_EXEC_RASQAL;
      else {
        fprintf(stderr, "icx: error: unknown path \"%s\" (auto, sql, rasqal)\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "icx: error: sparql needs exactly one FILE (or - for stdin)\n");
    return EXIT_USAGE;
  }
  if ((code = read_input(argv[optind], &text, &len)))
    return code;
  if (memchr(text, '\0', len)) {
    fprintf(stderr, "icx: error: %s holds a NUL byte\n", argv[optind]);
    free(text);
    return EXIT_INPUT;
  }
  if ((code = open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    goto done;
  if ((rc = icx_exec_select_path(store, text, path, &rows))) {
    code = rc == ICX_ERR_QUERY ? (fail(ctx, rc), EXIT_INPUT) : fail(ctx, rc);
    goto done;
  }
  printf("# path: %s\n", icx_rows_path(rows));
  for (j = 0; j < icx_rows_width(rows); j++)
    printf("%s?%s", j ? "\t" : "", icx_rows_var(rows, j));
  printf("\n");
  for (i = 0; i < icx_rows_count(rows); i++) {
    for (j = 0; j < icx_rows_width(rows); j++) {
      const char *v = icx_rows_get(rows, i, j);
      printf("%s%s", j ? "\t" : "", v ? v : "");
    }
    printf("\n");
  }
  code = EXIT_OK;
done:
  icx_rows_free(rows);
  icx_store_free(store);
  free(text);
  return code;
}

/* --- vocab, list, remove, stats --------------------------------------------- */

static int
cmd_vocab(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  icx_vocab *vocab = NULL;
  size_t i, k;
  int code;

  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage(stdout);
    return EXIT_OK;
  }
  if (argc > 1) {
    fprintf(stderr, "icx: error: vocab takes no arguments\n");
    return EXIT_USAGE;
  }
  if ((code = open_all(ctx, o, 0, &vocab, NULL)))
    return code;
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

static int
cmd_list(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_doc_info *docs = NULL;
  size_t n = 0, i, k;
  int code;
  icx_rc rc;

  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage(stdout);
    return EXIT_OK;
  }
  if (argc > 1) {
    fprintf(stderr, "icx: error: list takes no arguments\n");
    return EXIT_USAGE;
  }
  if ((code = open_all(ctx, o, ICX_STORE_READONLY, &vocab, &store)))
    goto done;
  if ((rc = icx_store_list_documents(store, vocab, &docs, &n))) {
    code = fail(ctx, rc);
    goto done;
  }
  for (i = 0; i < n; i++) {
    printf("%s\n  source: %s\n  format: %s, %ld triples, loaded %s\n  clouds: ", docs[i].uri,
           docs[i].source ? docs[i].source : "?", docs[i].format ? docs[i].format : "?",
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

/* A document named on the command line: its URI as listed, a path (made
 * absolute, so a deleted file can still be withdrawn), or its source. */
static char *
resolve_doc(icx_store *store, const char *arg)
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

static int
cmd_remove(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  icx_store *store = NULL;
  int code, i;
  icx_rc rc, first = ICX_OK;

  if (argc < 2) {
    fprintf(stderr, "icx: error: remove needs at least one DOCUMENT\n");
    return EXIT_USAGE;
  }
  if ((code = open_all(ctx, o, 0, NULL, &store)))
    return code;
  for (i = 1; i < argc; i++) {
    char *uri = resolve_doc(store, argv[i]);
    if (!uri) {
      fprintf(stderr, "icx: error: no document %s in the store (icx list shows them)\n", argv[i]);
      if (!first)
        first = ICX_ERR_NOT_FOUND;
      continue;
    }
    rc = icx_store_remove_document(store, uri);
    if (rc) {
      fail(ctx, rc);
      if (!first)
        first = rc;
    } else if (!o->quiet) {
      printf("removed %s\n", uri);
    }
    free(uri);
  }
  icx_store_free(store);
  return exit_for(first);
}

static int
cmd_stats(icx_ctx *ctx, const opts *o, int argc, char **argv)
{
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_store_stats st;
  int code;
  icx_rc rc;

  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage(stdout);
    return EXIT_OK;
  }
  if (argc > 1) {
    fprintf(stderr, "icx: error: stats takes no arguments\n");
    return EXIT_USAGE;
  }
  if ((code = open_all(ctx, o, ICX_STORE_READONLY, &vocab, &store)))
    goto done;
  if ((rc = icx_store_stats_get(store, vocab, &st))) {
    code = fail(ctx, rc);
    goto done;
  }
  printf("store:     %s\ndocuments: %ld\nclouds:    %ld\nservices:  %ld\ntriples:   %ld\n",
         icx_store_path(store), st.documents, st.clouds, st.services, st.triples);
done:
  icx_store_free(store);
  icx_vocab_free(vocab);
  return code;
}

/* --- main ------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "store", required_argument, NULL, 's' },
    { "ontology", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
  };
  static const struct {
    const char *name;
    int (*fn)(icx_ctx *, const opts *, int, char **);
  } cmds[] = {
    { "load", cmd_load }, { "match", cmd_match }, { "vocab", cmd_vocab },
    { "list", cmd_list }, { "remove", cmd_remove }, { "stats", cmd_stats },
    { "sparql", cmd_sparql }, { "explain", cmd_explain },
  };
  opts o = { NULL, NULL, 0, 0 };
  icx_ctx *ctx;
  size_t i;
  int c, code;

  while ((c = getopt_long(argc, argv, "+s:o:qvhV", longopts, NULL)) != -1) {
    switch (c) {
    case 's': o.store = optarg; break;
    case 'o': o.ontology = optarg; break;
    case 'q': o.quiet = 1; break;
    case 'v': o.verbose = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    case 'V': printf("icx %s\n", PACKAGE_VERSION); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    usage(stderr);
    return EXIT_USAGE;
  }
  for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
    if (!strcmp(argv[optind], cmds[i].name))
      break;
  if (i == sizeof cmds / sizeof cmds[0]) {
    fprintf(stderr, "icx: error: unknown command \"%s\" (icx --help lists them)\n", argv[optind]);
    return EXIT_USAGE;
  }
  ctx = icx_ctx_new();
  if (!ctx) {
    fprintf(stderr, "icx: error: cannot initialise the RDF libraries\n");
    return EXIT_FAILURE_SYS;
  }
  if (o.verbose)
    icx_ctx_set_log_level(ctx, ICX_LOG_DEBUG);
  else if (o.quiet)
    icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  code = cmds[i].fn(ctx, &o, argc - optind, argv + optind);
  icx_ctx_free(ctx);
  return code;
}

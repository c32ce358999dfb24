/* icx.c - the icx command-line tool: options, usage, dispatch. */
/* icx loads capability documents, matches constraints, and shows the
 * vocabulary and the store (doc/icx.1).  This file reads the global
 * options and runs the subcommand; each subcommand lives in its own file
 * (icx_cli.h lists them). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_cli.h"

void
icx_cli_usage(FILE *to)
{
  fputs("usage: icx [--store FILE] [--ontology DIR] [--wait SECONDS] [-q] [-v] COMMAND [ARGS]\n"
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
        "  check [--quick]   check the store file whole; say what is wrong with it\n"
        "\n"
        "options:\n"
        "  -s, --store FILE     store file (default $ICX_STORE, else\n"
        "                       $XDG_DATA_HOME/icx/store.db or ~/.local/share/icx/store.db)\n"
        "  -o, --ontology DIR   vocabulary folder (default $ICX_ONTOLOGY, else the installed one)\n"
        "  -w, --wait SECONDS   how long a write waits for another writer (default $ICX_WAIT,\n"
        "                       else 300)\n"
        "  -q, --quiet          print only results and errors\n"
        "  -v, --verbose        log what icx does to stderr\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "exit status: 0 success, 1 system failure, 2 usage error, 3 rejected input,\n"
        "4 no such store or document, 5 the store is damaged\n", to);
}

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

/* Reads the global options, then runs the subcommand named next with the
 * rest of argv. */
int
main(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "store", required_argument, NULL, 's' },
    { "ontology", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "wait", required_argument, NULL, 'w' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
  };
  static const struct {
    const char *name;
    int (*fn)(icx_ctx *, const opts *, int, char **);
  } cmds[] = {
    { "load", icx_cli_load },
    { "match", icx_cli_match },
    { "vocab", icx_cli_vocab },
    { "list", icx_cli_list },
    { "remove", icx_cli_remove },
    { "stats", icx_cli_stats },
    { "sparql", icx_cli_sparql },
    { "explain", icx_cli_explain },
    { "check", icx_cli_check },
  };
  opts o = { NULL, NULL, 0, 0, ICX_STORE_WAIT_MS };
  const char *wait = getenv("ICX_WAIT");
  icx_ctx *ctx;
  size_t i;
  int c, code;

  if (wait && *wait && (o.wait_ms = cli_seconds(wait)) < 0) {
    fprintf(stderr, "icx: error: ICX_WAIT=\"%s\" is not a number of seconds\n", wait);
    return EXIT_USAGE;
  }
  while ((c = getopt_long(argc, argv, "+s:o:w:qvhV", longopts, NULL)) != -1) {
    switch (c) {
    case 'w':
      if ((o.wait_ms = cli_seconds(optarg)) < 0) {
        fprintf(stderr, "icx: error: --wait \"%s\" is not a number of seconds\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 's': o.store = optarg; break;
    case 'o': o.ontology = optarg; break;
    case 'q': o.quiet = 1; break;
    case 'v': o.verbose = 1; break;
    case 'h': icx_cli_usage(stdout); return EXIT_OK;
    case 'V': printf("icx %s\n", PACKAGE_VERSION); return EXIT_OK;
    default: icx_cli_usage(stderr); return EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    icx_cli_usage(stderr);
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

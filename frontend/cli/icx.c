/* icx.c - the icx command-line tool: options, usage, dispatch. */
/* icx loads capability documents, matches constraints, and shows the
 * vocabulary and the store (doc/icx.1).  This file reads the global
 * options before the subcommand and runs it; each subcommand lives in its
 * own file (icx_cli.h lists them) and reads its options, global ones
 * included, with icx_cli_getopt(). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_cli.h"
#include "icx_util.h"

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
    int (*fn)(icx_ctx *, opts *, int, char **);
  } cmds[] = {
    { "load", icx_cli_load },
    { "match", icx_cli_match },
    { "vocab", icx_cli_vocab },
    { "list", icx_cli_list },
    { "remove", icx_cli_remove },
    { "export", icx_cli_export },
    { "stats", icx_cli_stats },
    { "sparql", icx_cli_sparql },
    { "explain", icx_cli_explain },
    { "check", icx_cli_check },
    { "index", icx_cli_index },
    { "vacuum", icx_cli_vacuum },
  };
  opts o = { NULL, NULL, 0, 0, ICX_STORE_WAIT_MS };
  const char *wait = getenv("ICX_WAIT");
  icx_ctx *ctx;
  size_t i;
  int c, code;

  icx_malloc_tune();
  if (wait && *wait && icx_cli_global_option(&o, 'w', wait, "ICX_WAIT"))
    return EXIT_USAGE;
  /* Up to the subcommand's name: the rest is the subcommand's to read. */
  while ((c = getopt_long(argc, argv, "+s:o:w:qvhV", longopts, NULL)) != -1) {
    switch (c) {
    case 'h': icx_cli_usage(stdout); return EXIT_OK;
    case 'V': printf("icx %s\n", PACKAGE_VERSION); return EXIT_OK;
    case '?': icx_cli_usage(stderr); return EXIT_USAGE;
    default:
      if (icx_cli_global_option(&o, c, optarg, NULL))
        return EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    icx_cli_usage(stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[optind], "help")) {
    if (optind + 1 >= argc) {
      icx_cli_usage(stdout);
      return EXIT_OK;
    }
    if (optind + 2 < argc || icx_cli_command_help(stdout, argv[optind + 1])) {
      fprintf(stderr, "icx: error: help takes one command name; icx --help lists them\n");
      return EXIT_USAGE;
    }
    return EXIT_OK;
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
  icx_cli_apply_log(ctx, &o);
  code = cmds[i].fn(ctx, &o, argc - optind, argv + optind);
  icx_ctx_free(ctx);
  return code;
}

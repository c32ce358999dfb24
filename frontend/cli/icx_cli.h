/* icx_cli.h - what the files of icx, the command-line tool, share: exit
 * codes, the global options, the plumbing every subcommand uses, and one
 * function per subcommand (icx.c dispatches to them).
 *
 * Subcommands take the engine context, the global options and their own
 * argv (argv[0] is the subcommand's name), print their results on stdout
 * and their errors on stderr, and return an exit code.
 */
#ifndef ICX_CLI_H
#define ICX_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "icx.h"

/* Exit codes, documented in icx.1. */
enum {
  EXIT_OK = 0,
  EXIT_FAILURE_SYS = 1,   /* the store, a file, memory, or the vocabulary failed */
  EXIT_USAGE = 2,         /* bad command line */
  EXIT_INPUT = 3,         /* a constraint or document was rejected */
  EXIT_NOT_FOUND = 4,     /* no such store or document */
  EXIT_DAMAGED = 5        /* the store is damaged (icx check says how) */
};

typedef struct opts {
  const char *store;
  const char *ontology;
  int quiet;
  int verbose;
  long wait_ms;           /* how long a write waits for another writer */
} opts;

/* Prints the usage text on to. */
void icx_cli_usage(FILE *to);

/* The exit code for an engine result code. */
int icx_cli_exit_for(icx_rc rc);

/* Says what went wrong (the context's message, else rc's) and returns
 * the exit code for rc. */
int icx_cli_fail(icx_ctx *ctx, icx_rc rc);

/* Opens what a command needs: the vocabulary (if vocab is set) and the
 * store (if store is set) with store_flags, waiting o->wait_ms for
 * another writer (and saying so when standard error is a terminal).
 * Returns an exit code. */
int icx_cli_open_all(icx_ctx *ctx, const opts *o, int store_flags,
                     icx_vocab **vocab, icx_store **store);

/* The store's path: --store, else the default; a new string, or NULL
 * after saying why not. */
char *icx_cli_store_path(const opts *o);

/* Says what went wrong on store and returns the exit code: as
 * icx_cli_fail(), but EXIT_DAMAGED when the failure came from a damaged
 * file. */
int icx_cli_fail_store(icx_ctx *ctx, icx_store *store, icx_rc rc);

/* Reads a FILE argument ("-" is stdin) into a new NUL-terminated string.
 * Returns 0, or the exit code after saying what went wrong. */
int icx_cli_read_input(const char *path, char **text, size_t *len);

/* The subcommands. */
int icx_cli_load(icx_ctx *ctx, const opts *o, int argc, char **argv);     /* icx_cli_docs.c */
int icx_cli_remove(icx_ctx *ctx, const opts *o, int argc, char **argv);   /* icx_cli_docs.c */
int icx_cli_match(icx_ctx *ctx, const opts *o, int argc, char **argv);    /* icx_cli_match.c */
int icx_cli_explain(icx_ctx *ctx, const opts *o, int argc, char **argv);  /* icx_cli_match.c */
int icx_cli_sparql(icx_ctx *ctx, const opts *o, int argc, char **argv);   /* icx_cli_sparql.c */
int icx_cli_vocab(icx_ctx *ctx, const opts *o, int argc, char **argv);    /* icx_cli_show.c */
int icx_cli_list(icx_ctx *ctx, const opts *o, int argc, char **argv);     /* icx_cli_show.c */
int icx_cli_stats(icx_ctx *ctx, const opts *o, int argc, char **argv);    /* icx_cli_show.c */
int icx_cli_check(icx_ctx *ctx, const opts *o, int argc, char **argv);    /* icx_cli_show.c */

#endif

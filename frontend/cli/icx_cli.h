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

#include <getopt.h>
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

/* Prints the usage text on to (icx --help, icx help). */
void icx_cli_usage(FILE *to);
/* Prints the help of the subcommand name on to (icx help NAME, icx NAME
 * --help).  0, or -1 when there is no such subcommand.  icx_cli_help.c. */
int icx_cli_command_help(FILE *to, const char *name);

/* getopt_long() over a subcommand's argv (argv[0] its name) that also
 * takes the global options, in their long forms and in the short forms
 * the subcommand does not use itself (in match, -s is --sparql):
 * options may come anywhere among the arguments (GNU permutation; "--"
 * ends them).  A global option is applied to o and not returned; a bad
 * value for one returns '?' after saying why.  Start with optind = 0.
 * The subcommand's operands are then argv[optind..argc-1]. */
int icx_cli_getopt(opts *o, int argc, char **argv, const char *shortopts,
                   const struct option *longopts);
/* Applies the global option c (as icx's own getopt returns it: 's', 'o',
 * 'w', 'q', 'v') with its argument, which came from `from` (NULL: the
 * option itself).  0, or EXIT_USAGE after saying why. */
int icx_cli_global_option(opts *o, int c, const char *arg, const char *from);

/* Output formats a subcommand may offer with --format. */
enum { ICX_OUT_TEXT = 1, ICX_OUT_XML = 2, ICX_OUT_JSON = 4 };
/* The format named arg among those in allowed (a mask of ICX_OUT_*), or
 * 0 after saying which the subcommand has. */
int icx_cli_output_format(const char *cmd, const char *arg, int allowed);

/* The exit code for an engine result code. */
int icx_cli_exit_for(icx_rc rc);

/* Says what went wrong (the context's message, else rc's) and returns
 * the exit code for rc. */
int icx_cli_fail(icx_ctx *ctx, icx_rc rc);

/* Sets ctx's log level from -q / -v (given before or after the command).
 * icx_cli_open_all() calls it. */
void icx_cli_apply_log(icx_ctx *ctx, const opts *o);

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

/* After an answer is out: saves the store's matching index beside it when
 * reading the store for it cost ICX_CLI_INDEX_SAVE_MS or more, so that
 * the next command starts from the file (icx_match_save_index()).  A
 * failure is logged, not reported: the answer stands. */
#define ICX_CLI_INDEX_SAVE_MS 200.0
void icx_cli_save_index(icx_ctx *ctx, icx_store *store);

/* After load or remove changed the store: brings the matching index saved
 * beside it to the store's state (icx_match_keep_index()), so that the
 * next icx match maps it and neither reads the store nor starts librdf.
 * vocab NULL: loaded here.  A failure is logged, not reported: the change
 * stands. */
void icx_cli_refresh_index(icx_ctx *ctx, const opts *o, icx_store *store,
                           const icx_vocab *vocab);

/* Reads a FILE argument ("-" is stdin) into a new NUL-terminated string.
 * Returns 0, or the exit code after saying what went wrong. */
int icx_cli_read_input(const char *path, char **text, size_t *len);

/* JSON for --format json (icx_cli_json.c, with jansson): each prints one
 * document on stdout and returns an exit code.  icx.1 gives the schema. */
int icx_cli_json_match(icx_ctx *ctx, const icx_match *m, const icx_constraints *set,
                       int sparql);
int icx_cli_json_explain(icx_ctx *ctx, const icx_explain *e, const icx_constraints *set);
int icx_cli_json_vocab(icx_ctx *ctx, const icx_vocab *vocab);
int icx_cli_json_list(icx_ctx *ctx, const icx_doc_info *docs, size_t n);
int icx_cli_json_stats(icx_ctx *ctx, const char *store_path, const icx_store_stats *st,
                       long long bytes, long long free_bytes);

/* The subcommands.  They read their options with icx_cli_getopt(), which
 * may set global options in o. */
int icx_cli_load(icx_ctx *ctx, opts *o, int argc, char **argv);     /* icx_cli_docs.c */
int icx_cli_remove(icx_ctx *ctx, opts *o, int argc, char **argv);   /* icx_cli_docs.c */
int icx_cli_export(icx_ctx *ctx, opts *o, int argc, char **argv);   /* icx_cli_docs.c */
int icx_cli_match(icx_ctx *ctx, opts *o, int argc, char **argv);    /* icx_cli_match.c */
int icx_cli_explain(icx_ctx *ctx, opts *o, int argc, char **argv);  /* icx_cli_match.c */
int icx_cli_sparql(icx_ctx *ctx, opts *o, int argc, char **argv);   /* icx_cli_sparql.c */
int icx_cli_vocab(icx_ctx *ctx, opts *o, int argc, char **argv);    /* icx_cli_show.c */
int icx_cli_list(icx_ctx *ctx, opts *o, int argc, char **argv);     /* icx_cli_show.c */
int icx_cli_stats(icx_ctx *ctx, opts *o, int argc, char **argv);    /* icx_cli_show.c */
int icx_cli_index(icx_ctx *ctx, opts *o, int argc, char **argv);    /* icx_cli_show.c */
int icx_cli_check(icx_ctx *ctx, opts *o, int argc, char **argv);    /* icx_cli_show.c */
int icx_cli_vacuum(icx_ctx *ctx, opts *o, int argc, char **argv);   /* icx_cli_show.c */

#endif

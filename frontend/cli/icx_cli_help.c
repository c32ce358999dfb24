/* icx_cli_help.c - icx's help: the whole usage, and each subcommand's. */
/* One table says what each subcommand takes; icx --help prints its
 * synopses, icx help NAME and icx NAME --help the whole entry.  doc/icx.1
 * says the same at length (docs.test checks that they agree). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icx_cli.h"

typedef struct cli_help {
  const char *name;
  const char *synopsis;       /* after "icx NAME" */
  const char *summary;
  const char *options;        /* one option per line, or NULL */
} cli_help;

static const cli_help cli_helps[] = {
  { "load", "[--format FMT] [--name NAME] [--dry-run] [--no-index] PATH...",
    "load capability documents (files, folders, - for stdin)",
    "  -f, --format FMT   turtle, rdfxml, ntriples or auto (default: from the file name)\n"
    "  -n, --name NAME    the name of the document read from - (default: stdin)\n"
    "  -d, --dry-run      parse and check the documents, store nothing\n"
    "      --no-index     leave the matching index saved beside the store as it is\n" },
  { "match", "[--sparql] [--details] [--format text|xml|json] FILE",
    "print the clouds that meet the constraints in FILE (- for stdin)",
    "  -s, --sparql       print the SPARQL query the constraints compile to\n"
    "  -d, --details      with text, each cloud's score and degrees\n"
    "  -f, --format FMT   text (default), xml (the exchange's answer) or json\n" },
  { "explain", "[--cloud NAME]... [--format text|xml|json] FILE",
    "say why clouds match the constraints in FILE or not",
    "  -c, --cloud NAME   a cloud to explain (may be repeated)\n"
    "  -f, --format FMT   text (default), xml (the exchange's answer) or json\n" },
  { "sparql", "[--path auto|sql|rasqal] FILE",
    "run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the store (- for stdin)",
    "  -p, --path PATH    auto (default), sql or rasqal: which engine answers\n" },
  { "vocab", "[--format text|json] | --check FILE...",
    "list the attributes of the vocabulary, or check vocabulary files against it",
    "  -f, --format FMT   text (default) or json\n"
    "  -c, --check        load FILE... with the vocabulary (a file replaces the one\n"
    "                     of the same name), say what they add; install nothing\n" },
  { "list", "[--format text|json]", "list loaded documents and the clouds each describes",
    "  -f, --format FMT   text (default) or json\n" },
  { "remove", "[--no-index] DOC...", "withdraw documents (by URI or path)",
    "      --no-index     leave the matching index saved beside the store as it is\n" },
  { "export", "[DOC...]", "write stored documents (all without DOC) as Turtle", NULL },
  { "stats", "[--format text|json]", "count documents, clouds, services and triples",
    "  -f, --format FMT   text (default) or json\n" },
  { "index", "", "read the matching index whole and save it beside the store (STORE-index)",
    NULL },
  { "check", "[--quick]", "check the store file whole; say what is wrong with it",
    "  --quick            SQLite's quick check (indexes not compared with tables)\n" },
  { "vacuum", "", "write the store file anew, packed, giving free space back", NULL },
  { "help", "[COMMAND]", "show this help, or a command's", NULL },
};

#define CLI_N_HELPS (sizeof cli_helps / sizeof cli_helps[0])

static const char cli_globals[] =
  "options (before or after COMMAND):\n"
  "  -s, --store FILE     store file (default $ICX_STORE, else\n"
  "                       $XDG_DATA_HOME/icx/store.db or ~/.local/share/icx/store.db)\n"
  "  -o, --ontology DIR   vocabulary folder (default $ICX_ONTOLOGY, else the installed one)\n"
  "  -w, --wait SECONDS   how long a write waits for another writer (default $ICX_WAIT,\n"
  "                       else 300)\n"
  "  -q, --quiet          print only results and errors\n"
  "  -v, --verbose        log what icx does to stderr\n"
  "  -h, --help           show this help\n"
  "  -V, --version        show the version\n"
  "after COMMAND, a short option the command has is the command's (match -s is\n"
  "--sparql); the long forms always work, and -- ends the options.\n";

void
icx_cli_usage(FILE *to)
{
  size_t i;

  fputs("usage: icx [OPTIONS] COMMAND [ARGS]\n\ncommands:\n", to);
  for (i = 0; i < CLI_N_HELPS; i++) {
    int n = fprintf(to, "  %s %s", cli_helps[i].name, cli_helps[i].synopsis);
    if (n > 19)
      fprintf(to, "\n%20s%s\n", "", cli_helps[i].summary);
    else
      fprintf(to, "%*s%s\n", 20 - n, "", cli_helps[i].summary);
  }
  fputs("\n", to);
  fputs(cli_globals, to);
  fputs("\nicx help COMMAND (or icx COMMAND --help) shows a command's options.\n"
        "exit status: 0 success, 1 system failure, 2 usage error, 3 rejected input,\n"
        "4 no such store or document, 5 the store is damaged\n", to);
}

int
icx_cli_command_help(FILE *to, const char *name)
{
  size_t i;

  for (i = 0; i < CLI_N_HELPS; i++)
    if (!strcmp(cli_helps[i].name, name))
      break;
  if (i == CLI_N_HELPS)
    return -1;
  fprintf(to, "usage: icx [OPTIONS] %s %s\n\n%s\n", cli_helps[i].name, cli_helps[i].synopsis,
          cli_helps[i].summary);
  if (cli_helps[i].options)
    fprintf(to, "\n%s options:\n%s", cli_helps[i].name, cli_helps[i].options);
  fputs("\n", to);
  fputs(cli_globals, to);
  fputs("\nman icx says more.\n", to);
  return 0;
}

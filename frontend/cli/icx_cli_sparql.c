/* icx_cli_sparql.c - icx sparql: a SPARQL query run on the store. */
/* SELECT on the SQL path or through rasqal, its rows printed
 * tab-separated; ASK prints true or false (exit status 0 either way);
 * CONSTRUCT and DESCRIBE print N-Triples. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_cli.h"

int
icx_cli_sparql(icx_ctx *ctx, opts *o, int argc, char **argv)
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

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "p:h", longopts)) != -1) {
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
    case 'h': icx_cli_command_help(stdout, "sparql"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "icx: error: sparql needs exactly one FILE (or - for stdin)\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_read_input(argv[optind], &text, &len)))
    return code;
  if (memchr(text, '\0', len)) {
    fprintf(stderr, "icx: error: %s holds a NUL byte\n", argv[optind]);
    free(text);
    return EXIT_INPUT;
  }
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    goto done;
  if ((rc = icx_exec_query(store, text, path, &rows))) {
    rc = icx_store_failed(store, rc);
    code = rc == ICX_ERR_QUERY ? (icx_cli_fail(ctx, rc), EXIT_INPUT) : icx_cli_fail(ctx, rc);
    goto done;
  }
  if (icx_rows_get_form(rows) == ICX_ROWS_ASK) {
    printf("%s\n", icx_rows_count(rows) ? icx_rows_get(rows, 0, 0) : "false");
    code = EXIT_OK;
    goto done;
  }
  if (icx_rows_get_form(rows) == ICX_ROWS_GRAPH) {
    for (i = 0; i < icx_rows_count(rows); i++)
      printf("%s %s %s .\n", icx_rows_get(rows, i, 0), icx_rows_get(rows, i, 1),
             icx_rows_get(rows, i, 2));
    code = EXIT_OK;
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

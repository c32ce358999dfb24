/* icx_cli_match.c - icx match and icx explain. */
/* The clouds that meet the constraints of a file, and why clouds match
 * them or not, as text, XML or JSON. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_cli.h"

/* --- match ----------------------------------------------------------------- */

int
icx_cli_match(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "sparql", no_argument, NULL, 's' },
    { "details", no_argument, NULL, 'd' },
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  int show_sparql = 0, fmt = ICX_OUT_TEXT, details = 0, c, code;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  char *text = NULL;
  size_t len = 0, i;
  icx_rc rc;

  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "sdf:h", longopts)) != -1) {
    switch (c) {
    case 's': show_sparql = 1; break;
    case 'd': details = 1; break;
    case 'f':
      if (!(fmt = icx_cli_output_format("match", optarg,
                                        ICX_OUT_TEXT | ICX_OUT_XML | ICX_OUT_JSON)))
        return EXIT_USAGE;
      break;
    case 'h': icx_cli_command_help(stdout, "match"); return EXIT_OK;
    default: return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "icx: error: match needs exactly one FILE (or - for stdin)\n");
    return EXIT_USAGE;
  }
  if ((code = icx_cli_read_input(argv[optind], &text, &len)))
    return code;
  if ((code = icx_cli_open_all(ctx, o, 0, &vocab, NULL)))
    goto done;
  if ((rc = icx_constraints_parse(ctx, vocab, text, len, &set))) {
    fprintf(stderr, "icx: error: %s: %s\n", argv[optind], icx_ctx_errmsg(ctx));
    code = icx_cli_exit_for(rc);
    goto done;
  }
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    goto done;
  if ((rc = icx_match_run_once(ctx, store, set, &m))) {
    code = icx_cli_fail_store(ctx, store, rc);
    goto done;
  }
  if (fmt == ICX_OUT_JSON) {
    code = icx_cli_json_match(ctx, m, set, show_sparql);
    goto done;
  }
  if (show_sparql)
    printf("%s\n", icx_match_sparql(m));
  if (fmt == ICX_OUT_XML) {
    char *out = icx_match_to_xml(m, 2);
    if (!out) {
      code = icx_cli_fail(ctx, ICX_ERR_NOMEM);
      goto done;
    }
    printf("%s\n", out);
    icx_free(ctx, out);
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
  icx_cli_save_index(ctx, store);
done:
  icx_match_free(m);
  icx_constraints_free(set);
  icx_store_free(store);
  icx_vocab_free(vocab);
  free(text);
  return code;
}

/* --- explain ----------------------------------------------------------------- */

int
icx_cli_explain(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "cloud", required_argument, NULL, 'c' },
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const char **clouds = NULL;
  size_t n_clouds = 0, len = 0;
  int fmt = ICX_OUT_TEXT, c, code;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_constraints *set = NULL;
  icx_explain *e = NULL;
  char *text = NULL, *out = NULL;
  icx_rc rc;

  clouds = calloc((size_t)argc + 1, sizeof *clouds);
  if (!clouds)
    return EXIT_FAILURE_SYS;
  optind = 0;
  while ((c = icx_cli_getopt(o, argc, argv, "c:f:h", longopts)) != -1) {
    switch (c) {
    case 'c': clouds[n_clouds++] = optarg; break;
    case 'f':
      if (!(fmt = icx_cli_output_format("explain", optarg,
                                        ICX_OUT_TEXT | ICX_OUT_XML | ICX_OUT_JSON))) {
        free(clouds);
        return EXIT_USAGE;
      }
      break;
    case 'h': icx_cli_command_help(stdout, "explain"); free(clouds); return EXIT_OK;
    default: free(clouds); return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "icx: error: explain needs exactly one FILE (or - for stdin)\n");
    free(clouds);
    return EXIT_USAGE;
  }
  if ((code = icx_cli_read_input(argv[optind], &text, &len)))
    goto done;
  if ((code = icx_cli_open_all(ctx, o, 0, &vocab, NULL)))
    goto done;
  if ((rc = icx_constraints_parse(ctx, vocab, text, len, &set))) {
    fprintf(stderr, "icx: error: %s: %s\n", argv[optind], icx_ctx_errmsg(ctx));
    code = icx_cli_exit_for(rc);
    goto done;
  }
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, NULL, &store)))
    goto done;
  if ((rc = icx_explain_run(ctx, store, set, clouds, n_clouds, &e))) {
    code = icx_cli_fail_store(ctx, store, rc);
    goto done;
  }
  if (fmt == ICX_OUT_JSON) {
    code = icx_cli_json_explain(ctx, e, set);
    goto done;
  }
  out = fmt == ICX_OUT_XML ? icx_explain_to_xml(e, 2) : icx_explain_to_text(e);
  if (!out) {
    code = icx_cli_fail(ctx, ICX_ERR_NOMEM);
    goto done;
  }
  printf("%s%s", out, fmt == ICX_OUT_XML ? "\n" : "");
  code = EXIT_OK;
  icx_cli_save_index(ctx, store);
done:
  icx_free(ctx, out);
  icx_explain_free(e);
  icx_constraints_free(set);
  icx_store_free(store);
  icx_vocab_free(vocab);
  free(text);
  free(clouds);
  return code;
}

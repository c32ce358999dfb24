/* icx_cli_show.c - icx vocab, list and stats: what is loaded. */
/* What the vocabulary, the loaded documents and the store hold. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
icx_cli_vocab(icx_ctx *ctx, opts *o, int argc, char **argv)
{
  icx_vocab *vocab = NULL;
  size_t i, k;
  int code, fmt;

  if ((fmt = cli_show_options(o, argc, argv)) <= 0)
    return fmt ? EXIT_USAGE : EXIT_OK;
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
  int code, fmt;
  icx_rc rc;

  if ((fmt = cli_show_options(o, argc, argv)) <= 0)
    return fmt ? EXIT_USAGE : EXIT_OK;
  if ((code = icx_cli_open_all(ctx, o, ICX_STORE_READONLY, &vocab, &store)))
    goto done;
  if ((rc = icx_store_stats_get(store, vocab, &st))) {
    code = icx_cli_fail_store(ctx, store, rc);
    goto done;
  }
  if (fmt == ICX_OUT_JSON) {
    code = icx_cli_json_stats(ctx, icx_store_path(store), &st);
    goto done;
  }
  printf("store:     %s\ndocuments: %ld\nclouds:    %ld\nservices:  %ld\ntriples:   %ld\n",
         icx_store_path(store), st.documents, st.clouds, st.services, st.triples);
done:
  icx_store_free(store);
  icx_vocab_free(vocab);
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

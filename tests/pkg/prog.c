/* prog.c - a program a user of libicx writes: it compiles with
 * `cc prog.c $(pkg-config --cflags --libs icx)` and nothing else, loads
 * the installed vocabulary and reads a request against it.  Run by
 * scripts/debian-test against the installed libicx-dev. */
#include <icx.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
  static const char request[] =
    "<constraints xmlns='http://www.csp/resOntology'><constraint>"
    "<attribute>tierCountry</attribute><value>Japan</value>"
    "</constraint></constraints>";
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  icx_constraints *set = NULL;
  icx_rc rc;

  if (!ctx || argc != 2)
    return 2;
  rc = icx_vocab_load(ctx, argv[1], &vocab);
  if (rc == ICX_OK)
    rc = icx_constraints_parse(ctx, vocab, request, strlen(request), &set);
  if (rc != ICX_OK) {
    fprintf(stderr, "prog: %s\n", icx_ctx_errmsg(ctx));
    return 1;
  }
  printf("%zu attributes; the request asks %s of %s\n", icx_vocab_attribute_count(vocab),
         icx_op_name(icx_constraint_op(set, 0)),
         icx_attribute_label(icx_constraint_attribute(set, 0)));
  icx_constraints_free(set);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return 0;
}

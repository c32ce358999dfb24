/* check_pieces.c - where a Turtle text may be cut into pieces that parse
 * alone (loaders/icx_pieces.h). */
#include "config.h"

#include <check.h>
#include <string.h>

#include "fixture.h"
#include "icx_pieces.h"

/* The cutter: a cut falls only after a statement's final '.'. */
static size_t
cut_of(const char *text)
{
  icx_pieces p;
  size_t cut;

  icx_pieces_init(&p, NULL);
  cut = icx_pieces_scan(&p, text, strlen(text));
  icx_pieces_free(&p);
  return cut;
}

START_TEST(turtle_is_cut_only_after_a_statement)
{
  static const struct {
    const char *text;
    const char *upto;         /* the text before the cut; "" for none */
  } cases[] = {
    { "<a> <b> <c> .\n<d> <e> <f> .\n", "<a> <b> <c> .\n<d> <e> <f> ." },
    { "<a> <b> \"x . y\" .\n<a> <b> 'z", "<a> <b> \"x . y\" ." },
    { "<a> <b> \"\"\"x .\n\" . \"\"\" .\n", "<a> <b> \"\"\"x .\n\" . \"\"\" ." },
    { "<a> <b> '''x ''' . <a> <b> '''.\n", "<a> <b> '''x ''' ." },
    { "<a> <b> [ <c> <d> . <e> <f> ] .\n", "<a> <b> [ <c> <d> . <e> <f> ] ." },
    { "<a> <b> ( 1.5 2. ) .\n", "<a> <b> ( 1.5 2. ) ." },
    { "<a> <b> 1.5 .", "" },                      /* the end: undecided yet */
    { "# a comment . here\n<a> <b> <c>.#x\n", "# a comment . here\n<a> <b> <c>." },
    { "<a> <b> \"q\\\" . \" .\n", "<a> <b> \"q\\\" . \" ." },
    { "<http://x/a.b> <b> ex:c\\. .\n", "<http://x/a.b> <b> ex:c\\. ." },
    { "<a> <b> <c> .\nPREFIX ex: <http://x/>\nex:a ex:b ex:c .\n", "<a> <b> <c> ." },
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_msg(cut_of(cases[i].text) == strlen(cases[i].upto), "case %zu: cut at %zu, not %zu",
                  i, cut_of(cases[i].text), strlen(cases[i].upto));
}
END_TEST

/* Text arriving in bits is scanned where the last scan stopped, and the
 * prologue gathers @prefix and @base. */
START_TEST(turtle_cuts_carry_over_bits_and_prefixes)
{
  static const char text[] =
    "@prefix a: <http://a/> .\n<x> <y> \"s . t\" .\n@base <http://b/> .\n<z> <y> <w> .\n";
  icx_pieces p;
  size_t n, last = 0;
  const char *prologue;

  icx_pieces_init(&p, NULL);
  for (n = 1; n <= strlen(text); n++)
    last = icx_pieces_scan(&p, text, n);
  ck_assert_uint_eq(last, strlen(text) - 1);
  /* Directives take effect where they stand: none precedes the first
   * piece; once it is consumed, both precede the next. */
  ck_assert_str_eq(icx_pieces_prologue(&p, &n), "");
  icx_pieces_consumed(&p, last);
  prologue = icx_pieces_prologue(&p, &n);
  ck_assert_uint_eq(n, strlen("@prefix a: <http://a/> .\n@base <http://b/> .\n"));
  ck_assert(!strncmp(prologue, "@prefix a: <http://a/> .\n@base <http://b/> .\n", n));
  ck_assert_uint_eq(icx_pieces_cut(&p), 0);
  ck_assert_uint_eq(icx_pieces_scan(&p, "\n<q> <r> <s> .\n", 15), 14);
  icx_pieces_free(&p);
}
END_TEST

static Suite *
pieces_suite(void)
{
  Suite *s = suite_create("pieces");
  TCase *tc = tcase_create("pieces");

  tcase_add_test(tc, turtle_is_cut_only_after_a_statement);
  tcase_add_test(tc, turtle_cuts_carry_over_bits_and_prefixes);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(pieces_suite());
}

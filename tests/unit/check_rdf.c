/* check_rdf.c - the context's RDF world (engine/rdf, icx_rdf.h): made on
 * first use and kept, one per context, freed with the context, and the
 * libraries' errors collected with their line while a caller asks. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <string.h>

#include "fixture.h"
#include "icx_rdf.h"

START_TEST(world_is_made_once_per_context)
{
  icx_ctx *a = icx_ctx_new(), *b = icx_ctx_new();
  librdf_world *wa = icx_ctx_world(a);

  ck_assert_ptr_nonnull(wa);
  ck_assert_ptr_eq(icx_ctx_world(a), wa);
  ck_assert_ptr_nonnull(icx_ctx_world(b));
  ck_assert_ptr_ne(icx_ctx_world(b), wa);
  icx_ctx_free(a);
  icx_ctx_free(b);
}
END_TEST

START_TEST(context_without_a_world_frees)
{
  icx_ctx_free(icx_ctx_new());
}
END_TEST

START_TEST(parse_errors_are_collected_with_their_line)
{
  icx_ctx *ctx = icx_ctx_new();
  librdf_world *w = icx_ctx_world(ctx);
  librdf_storage *st = librdf_new_storage(w, "memory", NULL, NULL);
  librdf_model *m = librdf_new_model(w, st, NULL);
  librdf_parser *p = librdf_new_parser(w, "turtle", NULL, NULL);
  librdf_uri *base = librdf_new_uri(w, (const unsigned char *)"http://example.org/");
  icx_diag d;

  icx_diag_begin(ctx, &d);
  librdf_parser_parse_string_into_model(p, (const unsigned char *)"<a> <b> <c> .\n<a> <b> .\n",
                                        base, m);
  icx_diag_end(ctx);
  ck_assert_int_ge(d.errors, 1);
  ck_assert_msg(strncmp(d.first, "line 2", 6) == 0, "first error: %s", d.first);
  librdf_free_uri(base);
  librdf_free_parser(p);
  librdf_free_model(m);
  librdf_free_storage(st);
  icx_ctx_free(ctx);
}
END_TEST

static void *
rdf_make_and_free(void *ud)
{
  int i;

  (void)ud;
  for (i = 0; i < 20; i++) {
    icx_ctx *ctx = icx_ctx_new();
    if (!ctx || !icx_ctx_world(ctx))
      return (void *)1;
    icx_ctx_free(ctx);
  }
  return NULL;
}

/* Worlds are made and freed under one lock (librdf sets a global of
 * libltdl when it does); threads doing so at once must not race. */
START_TEST(worlds_in_threads)
{
  pthread_t t[4];
  void *r;
  int i;

  for (i = 0; i < 4; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, rdf_make_and_free, NULL), 0);
  for (i = 0; i < 4; i++) {
    ck_assert_int_eq(pthread_join(t[i], &r), 0);
    ck_assert_ptr_null(r);
  }
}
END_TEST

static Suite *
rdf_suite(void)
{
  Suite *s = suite_create("rdf");
  TCase *tc = tcase_create("rdf");

  tcase_add_test(tc, world_is_made_once_per_context);
  tcase_add_test(tc, context_without_a_world_frees);
  tcase_add_test(tc, parse_errors_are_collected_with_their_line);
  tcase_add_test(tc, worlds_in_threads);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(rdf_suite());
}

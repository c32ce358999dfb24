/* check_exec.c - SELECT queries on a store (icx_exec.h): the SQL path and
 * rasqal give one answer, a query outside the subset goes to rasqal unless
 * the SQL path is forced, and errors say what failed. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define RES TU_RES
#define EX TU_EX
#define PFX "PREFIX res: <" RES "> PREFIX ex: <" EX "> "

static tu_world w;
static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;

static void
setup(void)
{
  tu_world_turtle(&w, tu_three_clouds);
  ctx = w.ctx;
  vocab = w.vocab;
  store = w.store;
}

static void
teardown(void)
{
  tu_world_close(&w);
}

/* Runs sparql on path; the cells as "a|b c|d" (unbound "-") and the path
 * that answered in *which.  New string. */
static char *
run(const char *sparql, icx_exec_path path, const char **which)
{
  icx_rows *rows = NULL;
  char *out = calloc(1, 4096);
  size_t i, j, len = 0;

  ck_assert_ptr_nonnull(out);
  ck_assert_msg(icx_exec_select_path(store, sparql, path, &rows) == ICX_OK, "%s: %s", sparql,
                icx_ctx_errmsg(ctx));
  for (i = 0; i < icx_rows_count(rows); i++)
    for (j = 0; j < icx_rows_width(rows); j++) {
      const char *v = icx_rows_get(rows, i, j);
      len += (size_t)snprintf(out + len, 4096 - len, "%s%s", j ? "|" : i ? " " : "",
                              v ? v : "-");
    }
  *which = icx_rows_path(rows);
  icx_rows_free(rows);
  return out;
}

START_TEST(both_paths_agree)
{
  static const char *const queries[] = {
    PFX "SELECT ?n WHERE { ?c a res:Cloud ; res:cloudName ?n } ORDER BY ?n",
    PFX "SELECT ?n ?x WHERE { ?c res:cloudName ?n ; res:offers ?s . "
    "OPTIONAL { ?s res:storageAccess ?x } } ORDER BY ?n",
    PFX "SELECT ?n WHERE { ?c res:cloudName ?n ; res:offers ?s . ?s res:availability ?a "
    "FILTER (?a >= 99.5) } ORDER BY ?n",
  };
  size_t i;

  for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
    const char *auto_path, *sql_path, *rasqal_path;
    char *a = run(queries[i], ICX_EXEC_AUTO, &auto_path);
    char *s = run(queries[i], ICX_EXEC_SQL, &sql_path);
    char *r = run(queries[i], ICX_EXEC_RASQAL, &rasqal_path);
    ck_assert_str_eq(auto_path, "sql");
    ck_assert_str_eq(sql_path, "sql");
    ck_assert_str_eq(rasqal_path, "rasqal");
    ck_assert_str_eq(a, s);
    ck_assert_msg(!strcmp(a, r), "sql \"%s\", rasqal \"%s\" for %s", a, r, queries[i]);
    free(a);
    free(s);
    free(r);
  }
}
END_TEST

START_TEST(the_table_names_its_columns)
{
  icx_rows *rows = NULL;

  ck_assert_int_eq(icx_exec_select(store, PFX "SELECT ?n ?c WHERE { ?c res:cloudName ?n } "
                                   "ORDER BY ?n", &rows), ICX_OK);
  ck_assert_uint_eq(icx_rows_count(rows), 3);
  ck_assert_uint_eq(icx_rows_width(rows), 2);
  ck_assert_str_eq(icx_rows_var(rows, 0), "n");
  ck_assert_int_eq(icx_rows_column(rows, "c"), 1);
  ck_assert_str_eq(icx_rows_get(rows, 0, 0), "c1");
  ck_assert_str_eq(icx_rows_get(rows, 0, 1), EX "c1");
  icx_rows_free(rows);
}
END_TEST

/* Outside the subset: rasqal answers under AUTO; the forced SQL path
 * refuses with the reason. */
START_TEST(outside_the_subset)
{
  const char *sparql = PFX "SELECT ?n WHERE { ?c res:cloudName ?n FILTER regex(?n, \"[12]\") } "
                       "ORDER BY ?n";
  const char *which = NULL;
  icx_rows *rows = NULL;
  char *got = run(sparql, ICX_EXEC_AUTO, &which);

  ck_assert_str_eq(which, "rasqal");
  ck_assert_str_eq(got, "c1 c2");
  free(got);
  ck_assert_int_eq(icx_exec_select_path(store, sparql, ICX_EXEC_SQL, &rows), ICX_ERR_QUERY);
  ck_assert_ptr_null(rows);
  ck_assert_str_eq(icx_ctx_errmsg(ctx),
                   "outside the SQL subset: a FILTER function or operator outside the subset");
}
END_TEST

START_TEST(errors)
{
  icx_rows *rows = NULL;

  ck_assert_int_eq(icx_exec_select(store, "SELECT ?x WHERE {", &rows), ICX_ERR_QUERY);
  ck_assert_ptr_null(rows);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "does not parse"));
  ck_assert_int_eq(icx_exec_select_path(store, "SELECT ?x WHERE {", ICX_EXEC_RASQAL, &rows),
                   ICX_ERR_QUERY);
  ck_assert_int_eq(icx_exec_select(store, PFX "ASK { ?c a res:Cloud }", &rows), ICX_ERR_QUERY);
  ck_assert_ptr_null(rows);
  ck_assert_str_eq(icx_ctx_errmsg(ctx), "only SELECT queries are supported");
  ck_assert_int_eq(icx_exec_select(NULL, "SELECT ?x WHERE { ?x ?p ?o }", &rows),
                   ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_exec_select(store, NULL, &rows), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_exec_select(store, "SELECT ?x WHERE { ?x ?p ?o }", NULL),
                   ICX_ERR_MISUSE);
}
END_TEST

static Suite *
exec_suite(void)
{
  Suite *s = suite_create("exec");
  TCase *tc = tcase_create("paths");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, both_paths_agree);
  tcase_add_test(tc, the_table_names_its_columns);
  tcase_add_test(tc, outside_the_subset);
  tcase_add_test(tc, errors);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(exec_suite());
}

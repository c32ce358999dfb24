/* check_differential_strings.c - string values written three ways, "x",
 * "x"^^xsd:string and "x"@en, asked of the three paths: the matching
 * index, the SQL path and rasqal (the oracle).  In RDF 1.1 the first two
 * are one literal: the store writes both as the plain one, so a triple
 * pattern, an = and a string constraint find both wherever asked; a
 * language-tagged value is another literal, which a string constraint
 * still matches by its text (doc/ontology.md).  Kept apart from
 * check_differential.c, which is over 800 lines already. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_compile.h"
#include "icx_exec.h"
#include "icx_match_internal.h"

static tu_world w;

/* A string attribute `tier` on storage services; c1 "gold", c2
 * "gold"^^xsd:string, c3 "gold"@en, c4 "silver". */
static void
setup(void)
{
  char *onto, *data;

  tu_world_open(&w);
  onto = tu_ontology_with_tier(w.dir);
  data = tu_path(w.dir, "data.ttl");
  tu_write(data, "@prefix res: <" TU_RES "> .\n"
                 "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                 "@prefix x: <http://x.example/> .\n"
                 "x:c1 a res:Cloud ; res:cloudName \"c1\" ; res:offers x:s1 .\n"
                 "x:s1 a res:StorageService ; res:tier \"gold\" .\n"
                 "x:c2 a res:Cloud ; res:cloudName \"c2\"^^xsd:string ; res:offers x:s2 .\n"
                 "x:s2 a res:StorageService ; res:tier \"gold\"^^xsd:string .\n"
                 "x:c3 a res:Cloud ; res:cloudName \"c3\" ; res:offers x:s3 .\n"
                 "x:s3 a res:StorageService ; res:tier \"gold\"@en .\n"
                 "x:c4 a res:Cloud ; res:cloudName \"c4\" ; res:offers x:s4 .\n"
                 "x:s4 a res:StorageService ; res:tier \"silver\" .\n");
  tu_world_load(&w, onto, data);
  free(onto);
  free(data);
}

static void
teardown(void)
{
  tu_world_close(&w);
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first column of rows, sorted, each once, joined by spaces (a
 * compiled query may give a name more than once).  New string. */
static char *
names(const icx_rows *r)
{
  size_t n = icx_rows_count(r), i, len = 1;
  const char **v = calloc(n + 1, sizeof *v);
  char *out;

  ck_assert_ptr_nonnull(v);
  for (i = 0; i < n; i++) {
    v[i] = icx_rows_get(r, i, 0);
    ck_assert_ptr_nonnull(v[i]);
    len += strlen(v[i]) + 1;
  }
  qsort(v, n, sizeof *v, cmp_str);
  out = calloc(1, len);
  ck_assert_ptr_nonnull(out);
  for (i = 0; i < n; i++) {
    if (i && !strcmp(v[i], v[i - 1]))
      continue;
    if (*out)
      strcat(out, " ");
    strcat(out, v[i]);
  }
  free(v);
  return out;
}

/* sparql on rasqal and on the SQL path: both must answer want. */
static void
both_paths(const char *sparql, const char *want)
{
  static const int paths[] = { ICX_EXEC_RASQAL, ICX_EXEC_SQL };
  size_t i;

  for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    icx_rows *r = NULL;
    char *got;

    ck_assert_msg(icx_exec_select_path(w.store, sparql, paths[i], &r) == ICX_OK, "%s: %s\n%s",
                  paths[i] == ICX_EXEC_SQL ? "sql" : "rasqal", icx_ctx_errmsg(w.ctx), sparql);
    got = names(r);
    ck_assert_msg(!strcmp(got, want), "%s answered \"%s\", not \"%s\":\n%s",
                  paths[i] == ICX_EXEC_SQL ? "sql" : "rasqal", got, want, sparql);
    free(got);
    icx_rows_free(r);
  }
}

#define Q "PREFIX res: <" TU_RES ">\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" \
          "SELECT ?n WHERE { ?c res:cloudName ?n ; res:offers ?s . "

START_TEST(typed_strings_are_plain_ones)
{
  both_paths(Q "?s res:tier \"gold\" }", "c1 c2");
  both_paths(Q "?s res:tier \"gold\"^^xsd:string }", "c1 c2");
  both_paths(Q "?s res:tier \"gold\"@en }", "c3");
  both_paths(Q "?s res:tier ?v . FILTER(?v = \"gold\") }", "c1 c2");
  both_paths(Q "?s res:tier ?v . FILTER(?v = \"gold\"^^xsd:string) }", "c1 c2");
  /* A language-tagged value is unequal to a string, on both paths. */
  both_paths(Q "?s res:tier ?v . FILTER(?v != \"gold\") }", "c3 c4");
  both_paths(Q "?s res:tier ?v . FILTER(STR(?v) = \"gold\") }", "c1 c2 c3");
  /* A name typed xsd:string is the plain name. */
  both_paths(Q "?c res:cloudName \"c2\" }", "c2");
}
END_TEST

/* A string constraint compares the value's text: all three forms match,
 * on the SQL path and on rasqal; the index leaves such a request to SQL. */
START_TEST(string_constraints_compare_the_text)
{
  const char *v[] = { "gold" };
  icx_constraints *set = icx_constraints_new(w.vocab);
  icx_match *m = NULL;
  icx_rows *r = NULL;
  char *sparql = NULL, *got;
  size_t i;
  char buf[64] = "";

  ck_assert_ptr_nonnull(set);
  ck_assert_int_eq(icx_constraints_add_op(w.ctx, set, "tier", "equal", v, 1, 1, 0), ICX_OK);
  ck_assert_int_eq(icx_match_run_path(w.ctx, w.store, set, ICX_MATCH_PATH_INDEX, &m),
                   ICX_ERR_QUERY);
  ck_assert_msg(icx_match_run_path(w.ctx, w.store, set, ICX_MATCH_PATH_SQL, &m) == ICX_OK, "%s",
                icx_ctx_errmsg(w.ctx));
  for (i = 0; i < icx_match_count(m); i++)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "",
             icx_match_cloud(m, i));
  ck_assert_str_eq(buf, "c1 c2 c3");
  icx_match_free(m);
  /* The oracle on the compiled query: the same clouds. */
  ck_assert_int_eq(icx_compile_sparql(w.ctx, set, &sparql), ICX_OK);
  ck_assert_msg(icx_exec_select_path(w.store, sparql, ICX_EXEC_RASQAL, &r) == ICX_OK, "%s\n%s",
                icx_ctx_errmsg(w.ctx), sparql);
  got = names(r);
  ck_assert_msg(!strcmp(got, "c1 c2 c3"), "rasqal: %s\n%s", got, sparql);
  free(got);
  icx_rows_free(r);
  icx_free(w.ctx, sparql);
  icx_constraints_free(set);
}
END_TEST

static Suite *
differential_strings_suite(void)
{
  Suite *s = suite_create("differential_strings");
  TCase *tc = tcase_create("strings");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, typed_strings_are_plain_ones);
  tcase_add_test(tc, string_constraints_compare_the_text);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(differential_strings_suite());
}

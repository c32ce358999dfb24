/* check_sql.c - the SQL translator (icx_sql.h): what lies inside the
 * subset and why the rest does not, the statement's text, running it as
 * text (icx_sql_run) and as term ids (icx_sql_each). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_sql.h"
#include "icx_store_ids.h"

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

/* The rows of a text run, "a|b" per row, rows separated by spaces; unbound
 * cells are "-".  New string. */
static char *
run_text(const char *sparql)
{
  icx_sql *q = NULL;
  icx_rows *rows = NULL;
  const char *why = NULL;
  char *out;

  ck_assert_int_eq(icx_sql_translate(ctx, store, sparql, &q, &why), ICX_OK);
  ck_assert_msg(q != NULL, "refused: %s", why);
  ck_assert_int_eq(icx_sql_run(ctx, q, &rows), ICX_OK);
  ck_assert_str_eq(icx_rows_path(rows), "sql");
  ck_assert_uint_eq(icx_rows_width(rows), icx_sql_width(q));
  out = tu_rows_text(rows);
  icx_rows_free(rows);
  icx_sql_free(q);
  return out;
}

static void
expect_rows(const char *sparql, const char *rows)
{
  char *got = run_text(sparql);

  ck_assert_msg(!strcmp(got, rows), "expected \"%s\", got \"%s\" for %s", rows, got, sparql);
  free(got);
}

START_TEST(inside_the_subset)
{
  expect_rows(PFX "SELECT ?n WHERE { ?c a res:Cloud ; res:cloudName ?n } ORDER BY ?n",
              "c1 c2 c3");
  expect_rows(PFX "SELECT ?n ?a WHERE { ?c res:cloudName ?n ; res:offers ?s . "
              "?s res:availability ?a FILTER (?a >= 99.5) } ORDER BY DESC(?a)",
              "c2|99.999 c1|99.9");
  expect_rows(PFX "SELECT ?n ?x WHERE { ?c res:cloudName ?n ; res:offers ?s . "
              "OPTIONAL { ?s res:storageAccess ?x } } ORDER BY ?n",
              "c1|" RES "NFS c2|" RES "NFS c3|-");
  expect_rows(PFX "SELECT DISTINCT ?r WHERE { ?s res:replicationFactor ?r } ORDER BY ?r",
              "3 5");
  expect_rows(PFX "SELECT ?n WHERE { ?c res:cloudName ?n ; res:offers ?s . "
              "?s res:storageAccess ?x FILTER (?x IN (res:NFS, res:NoSuchThing)) } ORDER BY ?n",
              "c1 c2");
  expect_rows(PFX "SELECT ?n WHERE { ?c res:cloudName ?n FILTER (STR(?n) != \"c2\") } "
              "ORDER BY ?n LIMIT 1 OFFSET 1", "c3");
  /* A constant the store lacks matches nothing. */
  expect_rows(PFX "SELECT ?c WHERE { ?c res:offers ex:nosuch }", "");
}
END_TEST

/* Each query outside the subset is refused with its reason, so that the
 * caller can run it on rasqal. */
START_TEST(outside_the_subset_with_the_reason)
{
  static const struct { const char *sparql, *why; } cases[] = {
    { PFX "ASK { ?c a res:Cloud }", "not a SELECT query" },
    { PFX "SELECT ?c WHERE { { ?c a res:Cloud } UNION { ?c a res:StorageService } }",
      "a graph pattern outside the subset (UNION, GRAPH, ...)" },
    { PFX "SELECT ?n WHERE { ?c res:cloudName ?n FILTER regex(?n, \"c\") }",
      "a FILTER function or operator outside the subset" },
    { PFX "SELECT ?c WHERE { ?c res:offers ?s OPTIONAL { ?s res:availability ?a . "
      "?s res:replicationFactor ?r } }", "an OPTIONAL of more than one triple pattern" },
    { PFX "SELECT ?n WHERE { ?c res:cloudName ?n } ORDER BY STR(?n) LIMIT 5",
      "ORDER BY something other than a variable" },
    { PFX "SELECT ?c WHERE { ?c res:offers ?s FILTER (?c < ex:c2) }",
      "an IRI compared other than = or !=" },
    { PFX "SELECT ?a WHERE { ?s res:availability ?a FILTER (?a < ?a) }",
      "a comparison that is not between a variable and a constant" },
    { PFX "SELECT (STR(?n) AS ?t) WHERE { ?c res:cloudName ?n }", "a projected expression" },
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    icx_sql *q = NULL;
    const char *why = NULL;
    ck_assert_int_eq(icx_sql_translate(ctx, store, cases[i].sparql, &q, &why), ICX_OK);
    ck_assert_msg(q == NULL, "accepted: %s", cases[i].sparql);
    ck_assert_msg(why && !strcmp(why, cases[i].why), "%s: \"%s\", not \"%s\"", cases[i].sparql,
                  why ? why : "(null)", cases[i].why);
    why = NULL;
    ck_assert_int_eq(icx_sql_translate_ids(ctx, store, cases[i].sparql, &q, &why), ICX_OK);
    ck_assert_ptr_null(q);
    ck_assert_str_eq(why, cases[i].why);
  }
}
END_TEST

START_TEST(errors)
{
  icx_sql *q = NULL;
  const char *why = NULL;

  ck_assert(icx_sql_available(store));
  ck_assert(!icx_sql_available(NULL));
  ck_assert_int_eq(icx_sql_translate(ctx, store, "SELECT ?x WHERE {", &q, &why),
                   ICX_ERR_QUERY);
  ck_assert_ptr_null(q);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "does not parse"));
  ck_assert_int_eq(icx_sql_translate(ctx, NULL, PFX "SELECT ?c WHERE { ?c a res:Cloud }",
                                     &q, &why), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_sql_translate(ctx, store, NULL, &q, &why), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_sql_translate_ids(ctx, store, PFX "SELECT ?c WHERE { ?c a res:Cloud }",
                                         &q, NULL), ICX_ERR_MISUSE);
}
END_TEST

/* The SQL text is what the benchmarks measured: a change to it is a
 * change of plan, to be made on purpose. */
START_TEST(statement_text)
{
  static const struct { const char *sparql; int ids; const char *sql; } cases[] = {
    { PFX "SELECT ?n WHERE { ?c a res:Cloud ; res:cloudName ?n } ORDER BY ?n", 0,
      "SELECT q1.o, (SELECT lex FROM terms WHERE id = q1.o) FROM icx_pos qp0 CROSS "
      "JOIN quads q0 CROSS JOIN quads q1 WHERE q0.p = ?1 AND q0.o = ?2 AND q1.s = q0.s "
      "AND q1.p = ?3 AND qp0.p = ?4 AND qp0.o = ?5 AND q0.s = qp0.s AND q0.p = qp0.p "
      "AND q0.o = qp0.o AND q0.g = qp0.g "
      "ORDER BY +q1.num ASC, (SELECT lex FROM terms WHERE id = q1.o) ASC" },
    { PFX "SELECT ?n WHERE { ?c a res:Cloud ; res:cloudName ?n } ORDER BY ?n", 1,
      "SELECT q1.o FROM icx_pos qp0 CROSS JOIN quads q0 CROSS JOIN quads q1 WHERE "
      "q0.p = ?1 AND q0.o = ?2 AND q1.s = q0.s AND q1.p = ?3 AND qp0.p = ?4 AND "
      "qp0.o = ?5 AND q0.s = qp0.s AND q0.p = qp0.p AND q0.o = qp0.o AND q0.g = qp0.g" },
    { PFX "SELECT ?c ?x WHERE { ?c res:offers ?s . ?s res:availability ?a ; "
      "res:storageAccess ?x FILTER (?a >= 99.5 && ?x IN (res:NFS)) "
      "OPTIONAL { ?s res:replicationFactor ?r FILTER (?r > 3) } }", 1,
      "SELECT q0.s, q2.o FROM icx_nums qn1 CROSS JOIN quads q1 CROSS JOIN icx_pos qp0 "
      "CROSS JOIN quads q0 CROSS JOIN quads q2 "
      "LEFT JOIN quads q3 ON (q3.s = q0.o AND q3.p = ?4 AND (+q3.num > ?5)) WHERE "
      "q0.p = ?1 AND q1.s = q0.o AND q1.p = ?2 AND q2.s = q0.o AND q2.p = ?3 AND "
      "((+q1.num >= ?6) AND (+q2.o IN (?7))) AND qn1.p = ?8 AND qn1.n >= ?9 AND "
      "q1.s = qn1.s AND q1.p = qn1.p AND q1.o = qn1.o AND qp0.p = ?10 AND qp0.o = q1.s "
      "AND q0.s = qp0.s AND q0.p = qp0.p AND q0.o = qp0.o AND q0.g = qp0.g AND "
      "icx_in(?11, q1.s)" },
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    icx_sql *q = NULL;
    const char *why = NULL;
    ck_assert_int_eq((cases[i].ids ? icx_sql_translate_ids : icx_sql_translate)(
                       ctx, store, cases[i].sparql, &q, &why), ICX_OK);
    ck_assert_msg(q != NULL, "refused: %s", why);
    ck_assert_str_eq(icx_sql_text(q), cases[i].sql);
    icx_sql_free(q);
  }
}
END_TEST

/* FILTER (STR(?n) = "text"), as explain asks for one cloud's values: the
 * pattern binding ?n starts the join from the terms of that text (any
 * literal or IRI, not only the plain literal: "c2"@en), so that a million clouds
 * are not read for one; the rows stay those of STR() compared. */
START_TEST(str_equality_starts_the_join)
{
  static const char ttl[] =
    "@prefix res: <" RES "> .\n"
    "@prefix ex: <" EX "> .\n"
    "ex:c1 a res:Cloud ; res:cloudName \"c1\" ; res:offers ex:s1 .\n"
    "ex:s1 a res:StorageService ; res:storageAccess res:NFS .\n"
    "ex:c2 a res:Cloud ; res:cloudName \"c2\"@en ; res:offers ex:s2 .\n"
    "ex:s2 a res:StorageService ; res:storageAccess res:CIFS .\n"
    "ex:c3 a res:Cloud ; res:cloudName \"c3\" ; res:offers ex:s3 .\n"
    "ex:s3 a res:StorageService ; res:storageAccess res:NFS .\n";
  const char *q = PFX "SELECT ?c ?v WHERE { ?c a res:Cloud ; res:cloudName ?n ; res:offers ?s . "
                  "?s res:storageAccess ?v FILTER (STR(?n) = \"c1\") } ORDER BY ?c";
  icx_sql *sq = NULL;
  const char *why = NULL;

  tu_world_close(&w);
  tu_world_turtle(&w, ttl);
  ctx = w.ctx;
  vocab = w.vocab;
  store = w.store;
  expect_rows(q, EX "c1|" RES "NFS");
  expect_rows(PFX "SELECT ?v WHERE { ?c res:cloudName ?n ; res:offers ?s . "
              "?s res:storageAccess ?v FILTER (STR(?n) = \"c2\") }", RES "CIFS");
  expect_rows(PFX "SELECT ?c WHERE { ?c res:cloudName ?n FILTER (STR(?n) = \"none\") }", "");
  expect_rows(PFX "SELECT ?c WHERE { ?c res:cloudName ?n FILTER (STR(?n) != \"c1\") } "
              "ORDER BY ?c", EX "c2 " EX "c3");
  ck_assert_int_eq(icx_sql_translate_ids(ctx, store, q, &sq, &why), ICX_OK);
  ck_assert_msg(sq != NULL, "refused: %s", why);
  ck_assert_msg(strstr(icx_sql_text(sq), "FROM icx_pos qp1 CROSS JOIN quads q1 CROSS JOIN") &&
                strstr(icx_sql_text(sq), "q1.o IN ("),
                "the name pattern does not start the join: %s", icx_sql_text(sq));
  icx_sql_free(sq);
}
END_TEST

typedef struct ids_seen {
  char text[1024];
  size_t len;
  int rows;
  int stop_after;
} ids_seen;

static icx_rc
ids_row(void *userdata, const icx_id *ids)
{
  ids_seen *seen = userdata;
  char *lex[2] = { NULL, NULL };

  ck_assert_int_eq(icx_store_lex(store, ids, 2, lex), ICX_OK);
  seen->len += (size_t)snprintf(seen->text + seen->len, sizeof seen->text - seen->len,
                                "%s%s|%s", seen->rows ? " " : "", lex[0] ? lex[0] : "-",
                                lex[1] ? lex[1] : "-");
  icx_free(icx_store_ctx(store), lex[0]);
  icx_free(icx_store_ctx(store), lex[1]);
  if (++seen->rows == seen->stop_after)
    return ICX_ERR_LIMIT;
  return ICX_OK;
}

START_TEST(term_ids_streamed)
{
  const char *sparql = PFX "SELECT ?n ?x WHERE { ?c res:cloudName ?n ; res:offers ?s . "
                       "OPTIONAL { ?s res:storageAccess ?x } } ORDER BY ?n LIMIT 10";
  icx_sql *q = NULL;
  icx_rows *rows = NULL;
  const char *why = NULL;
  ids_seen seen;

  ck_assert_int_eq(icx_sql_translate_ids(ctx, store, sparql, &q, &why), ICX_OK);
  ck_assert_msg(q != NULL, "refused: %s", why);
  ck_assert_uint_eq(icx_sql_width(q), 2);
  ck_assert_str_eq(icx_sql_var(q, 0), "n");
  ck_assert_str_eq(icx_sql_var(q, 1), "x");
  ck_assert_ptr_null(icx_sql_var(q, 2));
  memset(&seen, 0, sizeof seen);
  ck_assert_int_eq(icx_sql_each(ctx, q, ids_row, &seen), ICX_OK);
  ck_assert_str_eq(seen.text, "c1|" RES "NFS c2|" RES "NFS c3|-");
  /* What the callback returns stops the run and comes back. */
  memset(&seen, 0, sizeof seen);
  seen.stop_after = 2;
  ck_assert_int_eq(icx_sql_each(ctx, q, ids_row, &seen), ICX_ERR_LIMIT);
  ck_assert_int_eq(seen.rows, 2);
  /* A statement of ids does not run as text, nor one of text as ids. */
  ck_assert_int_eq(icx_sql_run(ctx, q, &rows), ICX_ERR_MISUSE);
  ck_assert_ptr_null(rows);
  icx_sql_free(q);
  q = NULL;
  ck_assert_int_eq(icx_sql_translate(ctx, store, sparql, &q, &why), ICX_OK);
  ck_assert_ptr_nonnull(q);
  ck_assert_int_eq(icx_sql_each(ctx, q, ids_row, &seen), ICX_ERR_MISUSE);
  icx_sql_free(q);
  icx_sql_free(NULL);
}
END_TEST

static Suite *
sql_suite(void)
{
  Suite *s = suite_create("sql");
  TCase *tc = tcase_create("translator");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, inside_the_subset);
  tcase_add_test(tc, outside_the_subset_with_the_reason);
  tcase_add_test(tc, errors);
  tcase_add_test(tc, statement_text);
  tcase_add_test(tc, str_equality_starts_the_join);
  tcase_add_test(tc, term_ids_streamed);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(sql_suite());
}

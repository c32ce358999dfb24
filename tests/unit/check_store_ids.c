/* check_store_ids.c - the store's calls by term id (icx_store_ids.h): term
 * lookups found and not, walks in each shape, subject walks with bounds,
 * the open document's writer, read transactions, interrupts, what each
 * call does when misused, the secondary indexes a first load builds
 * after its rows, and the change log (puts, replacements, removals,
 * writes outside the documents, stores made before it). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "fixture.h"
#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_postings_vtab.h"
#include "icx_schema.h"
#include "icx_store_ids.h"
#include "icx_store_rdf.h"

#define EX "http://ex.example/"
#define RES "http://www.csp/resOntology#"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define DOC "urn:doc:one"

#define T_IRI(x) { ICX_TERM_IRI, x, sizeof x - 1, NULL, NULL }
#define T_BLANK(x) { ICX_TERM_BLANK, x, sizeof x - 1, NULL, NULL }
#define T_LIT(x, dt) { ICX_TERM_LITERAL, x, sizeof x - 1, dt, NULL }

/* Nine statements: a cloud offering two services, their numbers and
 * countries, and a blank node of a country of its own. */
static const icx_term doc_terms[] = {
  T_IRI(EX "c"), T_IRI(RDF_TYPE), T_IRI(RES "Cloud"),
  T_IRI(EX "c"), T_IRI(RES "cloudName"), T_LIT("c", NULL),
  T_IRI(EX "c"), T_IRI(RES "offers"), T_IRI(EX "s"),
  T_IRI(EX "c"), T_IRI(RES "offers"), T_IRI(EX "t"),
  T_IRI(EX "s"), T_IRI(RES "availability"), T_LIT("99.5", XSD "decimal"),
  T_IRI(EX "t"), T_IRI(RES "availability"), T_LIT("90", XSD "integer"),
  T_IRI(EX "s"), T_IRI(RES "tierCountry"), T_IRI(RES "JP"),
  T_IRI(EX "t"), T_IRI(RES "tierCountry"), T_IRI(RES "JP"),
  T_BLANK("b1"), T_IRI(RES "tierCountry"), T_IRI(RES "DE")
};
#define N_DOC (sizeof doc_terms / sizeof doc_terms[0] / 3)

static tu_world fx;
static icx_ctx *ctx;
static char *db;
static icx_store *store;   /* a test may close and reopen it */

static void
setup(void)
{
  tu_world_empty(&fx, "ids.db");
  ctx = fx.ctx;
  db = fx.db;
  store = fx.store;
}

static void
teardown(void)
{
  fx.store = store;
  tu_world_close(&fx);
  store = NULL;
}

/* Writes n statements v into document uri through a writer; returns how
 * many were new. */
static size_t
write_doc(const char *uri, const icx_term *v, size_t n)
{
  icx_store_writer *w;
  size_t added;

  ck_assert_int_eq(icx_store_document_begin(store, uri), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_msg(icx_store_writer_add(w, v, n) == 0, "%s", icx_store_errmsg(store));
  added = icx_store_writer_added(w);
  icx_store_writer_free(w);
  ck_assert_int_eq(icx_store_document_commit(store, "test", "turtle", added), ICX_OK);
  return added;
}

static icx_id
id_of(const char *iri)
{
  icx_id id = icx_store_iri_id(store, iri);

  ck_assert_msg(id > 0, "no id for %s", iri);
  return id;
}

/* --- walks' callbacks -------------------------------------------------------- */

typedef struct seen {
  int n;
  int stop_after;            /* 0: never stop */
  icx_id s[64], p[64], o[64];
  int nested_rc;             /* what a nested walk returned */
  int nested_same;           /* walk the same shape from inside (1) or another (2) */
} seen;

static int
on_quad(void *ud, icx_id s, icx_id p, icx_id o)
{
  seen *x = ud;

  if (x->n < 64) {
    x->s[x->n] = s;
    x->p[x->n] = p;
    x->o[x->n] = o;
  }
  x->n++;
  if (x->nested_same == 1)
    x->nested_rc = icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &(seen){ 0 });
  else if (x->nested_same == 2)
    x->nested_rc = icx_store_walk(store, id_of(DOC), s, p, 0, on_quad, &(seen){ 0 });
  return x->stop_after && x->n >= x->stop_after;
}

static int
on_id(void *ud, icx_id id)
{
  seen *x = ud;

  if (x->n < 64)
    x->s[x->n] = id;
  x->n++;
  return x->stop_after && x->n >= x->stop_after;
}

/* 1 when id is among the first n of v. */
static int
has(const icx_id *v, int n, icx_id id)
{
  int i;

  for (i = 0; i < n && i < 64; i++)
    if (v[i] == id)
      return 1;
  return 0;
}

/* --- terms ------------------------------------------------------------------- */

START_TEST(iri_ids_found_and_not)
{
  ck_assert_int_eq(write_doc(DOC, doc_terms, N_DOC), N_DOC);
  ck_assert_int_gt(icx_store_iri_id(store, EX "c"), 0);
  ck_assert_int_ne(icx_store_iri_id(store, EX "c"), icx_store_iri_id(store, EX "s"));
  ck_assert_int_eq(icx_store_iri_id(store, EX "c"), icx_store_iri_id(store, EX "c"));
  ck_assert_int_eq(icx_store_iri_id(store, EX "nothing"), 0);
  /* A literal's or a blank node's text is no IRI. */
  ck_assert_int_eq(icx_store_iri_id(store, "99.5"), 0);
  ck_assert_int_eq(icx_store_iri_id(store, "b1"), 0);
  ck_assert_int_eq(icx_store_iri_id(store, NULL), -1);
  ck_assert_int_eq(icx_store_iri_id(NULL, EX "c"), -1);
}
END_TEST

START_TEST(term_texts_by_kind)
{
  seen x = { 0 };
  char *text;

  write_doc(DOC, doc_terms, N_DOC);
  text = icx_store_term_text(store, id_of(EX "c"));
  ck_assert_str_eq(text, "<" EX "c>");
  free(text);
  ck_assert_int_eq(icx_store_subjects_with(store, id_of(RES "tierCountry"), id_of(RES "DE"),
                                           on_id, &x), 0);
  ck_assert_int_eq(x.n, 1);
  text = icx_store_term_text(store, x.s[0]);
  ck_assert_str_eq(text, "_:b1");
  free(text);
  x.n = 0;
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), id_of(EX "c"), id_of(RES "cloudName"), 0,
                                  on_quad, &x), 0);
  ck_assert_int_eq(x.n, 1);
  text = icx_store_term_text(store, x.o[0]);
  ck_assert_str_eq(text, "\"c\"");
  free(text);
  ck_assert_ptr_null(icx_store_term_text(store, icx_store_max_id(store) + 1));
  ck_assert_ptr_null(icx_store_term_text(store, 0));
  ck_assert_ptr_null(icx_store_term_text(NULL, 1));
}
END_TEST

START_TEST(lex_of_many_ids)
{
  icx_id ids[4];
  char *out[4];
  size_t i;

  write_doc(DOC, doc_terms, N_DOC);
  ids[0] = id_of(EX "t");
  ids[1] = icx_store_max_id(store) + 5;           /* no such term */
  ids[2] = id_of(EX "c");                         /* out of order on purpose */
  ids[3] = id_of(EX "t");                         /* twice */
  ck_assert_int_eq(icx_store_lex(store, ids, 4, out), ICX_OK);
  ck_assert_str_eq(out[0], EX "t");
  ck_assert_ptr_null(out[1]);
  ck_assert_str_eq(out[2], EX "c");
  ck_assert_str_eq(out[3], EX "t");
  for (i = 0; i < 4; i++)
    icx_free(icx_store_ctx(store), out[i]);
  ck_assert_int_eq(icx_store_lex(store, NULL, 0, NULL), ICX_OK);
  ck_assert_int_eq(icx_store_lex(store, NULL, 1, out), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_lex(store, ids, 1, NULL), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_lex(NULL, ids, 1, out), ICX_ERR_MISUSE);
}
END_TEST

START_TEST(max_id_grows_with_the_dictionary)
{
  icx_id top;
  char *out[2];
  icx_id ids[2];

  ck_assert_int_eq(icx_store_max_id(store), 0);   /* a new store has no terms */
  write_doc(DOC, doc_terms, N_DOC);
  top = icx_store_max_id(store);
  ck_assert_int_ge(top, id_of(EX "c"));
  ck_assert_int_ge(top, id_of(RES "DE"));
  ids[0] = top;
  ids[1] = top + 1;
  ck_assert_int_eq(icx_store_lex(store, ids, 2, out), ICX_OK);
  ck_assert_ptr_nonnull(out[0]);
  ck_assert_ptr_null(out[1]);
  icx_free(icx_store_ctx(store), out[0]);
  ck_assert_int_eq(icx_store_max_id(NULL), -1);
}
END_TEST

/* --- walks ------------------------------------------------------------------- */

START_TEST(walk_every_quad_of_a_graph_in_order)
{
  seen x = { 0 };
  int i;

  write_doc(DOC, doc_terms, N_DOC);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, (int)N_DOC);
  for (i = 1; i < x.n; i++)
    ck_assert(x.s[i - 1] < x.s[i] || (x.s[i - 1] == x.s[i] && (x.p[i - 1] < x.p[i] ||
              (x.p[i - 1] == x.p[i] && x.o[i - 1] < x.o[i]))));
  /* Another graph's quads are not this one's; a graph without quads has
   * none. */
  x.n = 0;
  ck_assert_int_eq(icx_store_walk(store, id_of(EX "c"), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(icx_store_walk(store, 0, 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, 0);
}
END_TEST

/* A graph is read in one scan of the quads while it is nearly the whole
 * store, else subject by subject: both give its quads alone, in the same
 * order, a subject it shares with another graph included. */
START_TEST(walk_a_graph_the_same_among_many)
{
  enum { OTHERS = 100 };
  icx_term *big = calloc(3 * (OTHERS + 1), sizeof *big);
  char (*iri)[32] = calloc(OTHERS, sizeof *iri);
  seen alone = { 0 }, among = { 0 };
  icx_term c = T_IRI(EX "c"), type = T_IRI(RDF_TYPE), svc = T_IRI(RES "StorageService");
  int i;

  ck_assert_ptr_nonnull(big);
  ck_assert_ptr_nonnull(iri);
  write_doc(DOC, doc_terms, N_DOC);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &alone), 0);
  ck_assert_int_eq(alone.n, (int)N_DOC);
  /* Another document of many subjects, one of them DOC's cloud. */
  for (i = 0; i < OTHERS; i++) {
    snprintf(iri[i], sizeof iri[i], EX "other%d", i);
    big[3 * i] = (icx_term){ ICX_TERM_IRI, iri[i], strlen(iri[i]), NULL, NULL };
    big[3 * i + 1] = type;
    big[3 * i + 2] = svc;
  }
  big[3 * OTHERS] = c;
  big[3 * OTHERS + 1] = type;
  big[3 * OTHERS + 2] = svc;
  ck_assert_uint_eq(write_doc("urn:doc:big", big, OTHERS + 1), OTHERS + 1);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &among), 0);
  ck_assert_int_eq(among.n, alone.n);
  for (i = 0; i < alone.n; i++) {
    ck_assert_int_eq(among.s[i], alone.s[i]);
    ck_assert_int_eq(among.p[i], alone.p[i]);
    ck_assert_int_eq(among.o[i], alone.o[i]);
  }
  /* And the big one, among many, has its own quads only. */
  among.n = 0;
  ck_assert_int_eq(icx_store_walk(store, id_of("urn:doc:big"), 0, 0, 0, on_quad, &among), 0);
  ck_assert_int_eq(among.n, OTHERS + 1);
  free(big);
  free(iri);
}
END_TEST

START_TEST(walk_objects_of_a_subject_and_predicate)
{
  seen x = { 0 };

  write_doc(DOC, doc_terms, N_DOC);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), id_of(EX "c"), id_of(RES "offers"), 0,
                                  on_quad, &x), 0);
  ck_assert_int_eq(x.n, 2);
  ck_assert(has(x.o, x.n, id_of(EX "s")) && has(x.o, x.n, id_of(EX "t")));
  ck_assert_int_eq(x.s[0], id_of(EX "c"));
  ck_assert_int_eq(x.p[1], id_of(RES "offers"));
  x.n = 0;
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), id_of(EX "s"), id_of(RES "offers"), 0,
                                  on_quad, &x), 0);
  ck_assert_int_eq(x.n, 0);
}
END_TEST

START_TEST(walk_subjects_of_a_predicate_and_object)
{
  seen x = { 0 };
  const icx_term other[] = {
    T_IRI(EX "u"), T_IRI(RES "tierCountry"), T_IRI(RES "JP")
  };

  write_doc(DOC, doc_terms, N_DOC);
  write_doc("urn:doc:two", other, 1);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, id_of(RES "tierCountry"),
                                  id_of(RES "JP"), on_quad, &x), 0);
  ck_assert_int_eq(x.n, 2);       /* ex:u is in the other graph */
  ck_assert(has(x.s, x.n, id_of(EX "s")) && has(x.s, x.n, id_of(EX "t")));
  ck_assert(!has(x.s, x.n, id_of(EX "u")));
}
END_TEST

START_TEST(walk_refuses_other_shapes_and_misuse)
{
  seen x = { 0 };
  icx_id g, s, p, o;

  write_doc(DOC, doc_terms, N_DOC);
  g = id_of(DOC);
  s = id_of(EX "c");
  p = id_of(RES "offers");
  o = id_of(EX "s");
  ck_assert_int_eq(icx_store_walk(store, g, s, 0, 0, on_quad, &x), -1);
  ck_assert_int_eq(icx_store_walk(store, g, 0, p, 0, on_quad, &x), -1);
  ck_assert_int_eq(icx_store_walk(store, g, 0, 0, o, on_quad, &x), -1);
  ck_assert_int_eq(icx_store_walk(store, g, s, 0, o, on_quad, &x), -1);
  ck_assert_int_eq(icx_store_walk(store, g, s, p, o, on_quad, &x), -1);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(icx_store_walk(store, g, 0, 0, 0, NULL, NULL), -1);
  ck_assert_int_eq(icx_store_walk(NULL, g, 0, 0, 0, on_quad, &x), -1);
}
END_TEST

START_TEST(walk_stops_when_asked_and_nests_other_shapes)
{
  seen x = { 0 };

  write_doc(DOC, doc_terms, N_DOC);
  x.stop_after = 3;
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, 3);
  /* Its own shape from inside a walk is refused, another shape runs. */
  memset(&x, 0, sizeof x);
  x.stop_after = 1;
  x.nested_same = 1;
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.nested_rc, -1);
  memset(&x, 0, sizeof x);
  x.nested_same = 2;
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, (int)N_DOC);
  ck_assert_int_eq(x.nested_rc, 0);
  /* And the walk is free again afterwards. */
  memset(&x, 0, sizeof x);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, (int)N_DOC);
}
END_TEST

/* --- subject walks ---------------------------------------------------------------- */

START_TEST(subjects_in_numeric_ranges)
{
  seen x = { 0 };
  icx_id av;

  write_doc(DOC, doc_terms, N_DOC);
  av = id_of(RES "availability");
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, -HUGE_VAL, HUGE_VAL, on_id, &x), 0);
  ck_assert_int_eq(x.n, 2);
  x.n = 0;
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, 99, HUGE_VAL, on_id, &x), 0);
  ck_assert_int_eq(x.n, 1);
  ck_assert_int_eq(x.s[0], id_of(EX "s"));
  x.n = 0;
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, -HUGE_VAL, 90, on_id, &x), 0);
  ck_assert_int_eq(x.n, 1);       /* the bounds are inclusive */
  ck_assert_int_eq(x.s[0], id_of(EX "t"));
  x.n = 0;
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, 99.5, 99.5, on_id, &x), 0);
  ck_assert_int_eq(x.n, 1);
  x.n = 0;
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, 91, 99, on_id, &x), 0);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, 100, 0, on_id, &x), 0);
  ck_assert_int_eq(x.n, 0);       /* lo above hi: nothing */
  /* Not numbers: no subjects, whatever the range. */
  ck_assert_int_eq(icx_store_subjects_in_range(store, id_of(RES "cloudName"), -HUGE_VAL,
                                               HUGE_VAL, on_id, &x), 0);
  ck_assert_int_eq(x.n, 0);
  x.stop_after = 1;
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, -HUGE_VAL, HUGE_VAL, on_id, &x), 0);
  ck_assert_int_eq(x.n, 1);
  ck_assert_int_eq(icx_store_subjects_in_range(store, av, 0, 1, NULL, NULL), -1);
  ck_assert_int_eq(icx_store_subjects_in_range(NULL, av, 0, 1, on_id, &x), -1);
}
END_TEST

START_TEST(subjects_with_an_object_in_every_graph)
{
  seen x = { 0 };
  const icx_term other[] = {
    T_IRI(EX "u"), T_IRI(RES "tierCountry"), T_IRI(RES "JP")
  };
  icx_id tc, jp;

  write_doc(DOC, doc_terms, N_DOC);
  write_doc("urn:doc:two", other, 1);
  tc = id_of(RES "tierCountry");
  jp = id_of(RES "JP");
  ck_assert_int_eq(icx_store_subjects_with(store, tc, jp, on_id, &x), 0);
  ck_assert_int_eq(x.n, 3);
  ck_assert(has(x.s, x.n, id_of(EX "s")) && has(x.s, x.n, id_of(EX "t")) &&
            has(x.s, x.n, id_of(EX "u")));
  x.n = 0;
  ck_assert_int_eq(icx_store_subjects_with(store, tc, id_of(EX "c"), on_id, &x), 0);
  ck_assert_int_eq(x.n, 0);
  x.stop_after = 2;
  ck_assert_int_eq(icx_store_subjects_with(store, tc, jp, on_id, &x), 0);
  ck_assert_int_eq(x.n, 2);
  ck_assert_int_eq(icx_store_subjects_with(store, tc, jp, NULL, NULL), -1);
  ck_assert_int_eq(icx_store_subjects_with(NULL, tc, jp, on_id, &x), -1);
}
END_TEST

/* The terms of one text, as STR() gives it: IRIs and literals of any
 * datatype or language, never a blank node. */
START_TEST(terms_of_a_text)
{
  seen x = { 0 };
  const icx_term other[] = {
    T_IRI(EX "u"), T_IRI(RES "cloudName"), T_LIT(EX "c", NULL),
    T_IRI(EX "v"), T_IRI(RES "cloudName"), { ICX_TERM_LITERAL, "c", 1, NULL, "en" },
    T_IRI(EX "w"), T_IRI(RES "cloudName"), T_LIT("b1", NULL)
  };

  write_doc(DOC, doc_terms, N_DOC);
  write_doc("urn:doc:two", other, 3);
  ck_assert_int_eq(icx_store_text_terms(store, "c", on_id, &x), 0);
  ck_assert_int_eq(x.n, 2);          /* "c" and "c"@en */
  x.n = 0;
  ck_assert_int_eq(icx_store_text_terms(store, EX "c", on_id, &x), 0);
  ck_assert_int_eq(x.n, 2);          /* the IRI and the literal */
  ck_assert(has(x.s, x.n, id_of(EX "c")));
  x.n = 0;
  ck_assert_int_eq(icx_store_text_terms(store, "b1", on_id, &x), 0);
  ck_assert_int_eq(x.n, 1);          /* the literal, not the blank node b1 */
  x.n = 0;
  ck_assert_int_eq(icx_store_text_terms(store, "none", on_id, &x), 0);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(icx_store_text_terms(store, "c", NULL, NULL), -1);
  ck_assert_int_eq(icx_store_text_terms(NULL, "c", on_id, &x), -1);
}
END_TEST

/* --- the writer ------------------------------------------------------------------- */

START_TEST(writer_counts_what_is_new)
{
  icx_store_writer *w;

  ck_assert_int_eq(icx_store_document_begin(store, DOC), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_int_eq(icx_store_writer_added(w), 0);
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, 4), 0);
  ck_assert_int_eq(icx_store_writer_added(w), 4);
  /* Again, and overlapping: only the five not yet there are new. */
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, N_DOC), 0);
  ck_assert_int_eq(icx_store_writer_added(w), N_DOC);
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, 0), 0);
  ck_assert_int_eq(icx_store_writer_added(w), N_DOC);
  icx_store_writer_free(w);
  ck_assert_int_eq(icx_store_document_commit(store, "test", "turtle", N_DOC), ICX_OK);
  ck_assert_int_gt(icx_store_iri_id(store, EX "c"), 0);
  icx_store_writer_free(NULL);
}
END_TEST

/* A writer that is NULL (writer_new failed) is misuse, not a crash. */
START_TEST(writer_null_is_refused)
{
  ck_assert_int_eq(icx_store_writer_add(NULL, doc_terms, 1), -1);
  ck_assert_int_eq(icx_store_writer_added(NULL), 0);
  icx_store_writer_free(NULL);
}
END_TEST

START_TEST(writer_needs_an_open_document)
{
  ck_assert_ptr_null(icx_store_writer_new(store));
  ck_assert_ptr_null(icx_store_writer_new(NULL));
  write_doc(DOC, doc_terms, N_DOC);
  ck_assert_ptr_null(icx_store_writer_new(store));   /* committed: none open */
}
END_TEST

START_TEST(writer_refuses_bad_statements_and_stays_failed)
{
  const icx_term bad[] = {
    T_LIT("x", NULL), T_IRI(RES "cloudName"), T_LIT("c", NULL)
  };
  icx_store_writer *w;

  ck_assert_str_eq(icx_store_errmsg(store), "");
  ck_assert_int_eq(icx_store_document_begin(store, DOC), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_int_eq(icx_store_writer_add(w, bad, 1), -1);
  ck_assert_str_ne(icx_store_errmsg(store), "");
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, N_DOC), -1);
  ck_assert_int_eq(icx_store_writer_added(w), 0);
  ck_assert_int_eq(icx_store_writer_add(w, NULL, 1), -1);
  icx_store_writer_free(w);
  icx_store_document_abort(store);
  ck_assert_int_eq(icx_store_iri_id(store, EX "c"), 0);   /* nothing stayed */
  ck_assert_str_eq(icx_store_errmsg(NULL), "");
}
END_TEST

/* 1 when the postings conn sees hold a pair for every quad it sees, 0
 * when they do not (set aside by a first load); what SQLite's integrity
 * check says of the store ("ok" when sound) to bad. */
static int
indexes_of(sqlite3 *conn, char *bad, size_t n)
{
  sqlite3_stmt *st;
  int whole = -1;

  if (conn != icx_store_db(store))   /* the store's own has them from its open */
    ck_assert_int_eq(icx_postings_vtab_register(conn) ||
                     sqlite3_exec(conn, ICX_SCHEMA_VTABS_SQL, NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_prepare_v2(conn, "SELECT (SELECT count(*) FROM quads) = (SELECT"
                                      " count(*) FROM " ICX_SCHEMA_POS_VTAB ")", -1, &st,
                                      NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    whole = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  ck_assert_int_eq(sqlite3_prepare_v2(conn, "PRAGMA integrity_check", -1, &st, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  snprintf(bad, n, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return whole;
}

/* The same, read by a connection of its own: what was committed. */
static int
committed_indexes(char *bad, size_t n)
{
  sqlite3 *raw = NULL;
  int whole;

  ck_assert_int_eq(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  whole = indexes_of(raw, bad, n);
  sqlite3_close(raw);
  return whole;
}

/* A writer into a store without quads sets the postings aside and builds
 * them when its adds end, or at the commit when nobody ended them; an
 * abort brings them back as they were; a writer into a store with quads
 * keeps them.  Each time the store holds both, and they agree with the
 * rows. */
START_TEST(first_load_builds_the_indexes_after_its_rows)
{
  icx_store_writer *w;
  char bad[256];
  seen x = { 0 };

  ck_assert_int_eq(committed_indexes(bad, sizeof bad), 1);
  /* Aborted: nothing of it stays, the indexes are there. */
  ck_assert_int_eq(icx_store_document_begin(store, DOC), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, N_DOC), 0);
  ck_assert_int_eq(indexes_of(icx_store_db(store), bad, sizeof bad), 0);
  icx_store_writer_free(w);
  icx_store_document_abort(store);
  ck_assert_int_eq(indexes_of(icx_store_db(store), bad, sizeof bad), 1);
  ck_assert_int_eq(committed_indexes(bad, sizeof bad), 1);
  ck_assert_str_eq(bad, "ok");
  /* Ended: built before the document is read, and committed so. */
  ck_assert_int_eq(icx_store_document_begin(store, DOC), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, N_DOC), 0);
  ck_assert_int_eq(icx_store_writer_end(w), 0);
  ck_assert_int_eq(indexes_of(icx_store_db(store), bad, sizeof bad), 1);
  ck_assert_str_eq(bad, "ok");
  ck_assert_int_eq(icx_store_writer_end(w), 0);          /* once is enough */
  icx_store_writer_free(w);
  ck_assert_int_eq(icx_store_document_commit(store, "test", "turtle", N_DOC), ICX_OK);
  ck_assert_int_eq(committed_indexes(bad, sizeof bad), 1);
  ck_assert_str_eq(bad, "ok");
  ck_assert_int_eq(icx_store_subjects_with(store, id_of(RES "tierCountry"), id_of(RES "JP"),
                                           on_id, &x), 0);
  ck_assert_int_eq(x.n, 2);
  /* Into a store with quads: kept as they are. */
  ck_assert_int_eq(icx_store_document_begin(store, "urn:doc:two"), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_int_eq(indexes_of(icx_store_db(store), bad, sizeof bad), 1);
  icx_store_writer_free(w);
  icx_store_document_abort(store);
  /* Not ended: the commit builds them.  (The first document replaced
   * leaves no quads behind: set aside again.) */
  ck_assert_int_eq(icx_store_document_begin(store, DOC), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_int_eq(icx_store_writer_add(w, doc_terms, 4), 0);
  ck_assert_int_eq(indexes_of(icx_store_db(store), bad, sizeof bad), 0);
  icx_store_writer_free(w);
  ck_assert_int_eq(icx_store_document_commit(store, "test", "turtle", 4), ICX_OK);
  ck_assert_int_eq(committed_indexes(bad, sizeof bad), 1);
  ck_assert_str_eq(bad, "ok");
  ck_assert_int_eq(icx_store_writer_end(NULL), -1);
}
END_TEST

/* --- reading ---------------------------------------------------------------------- */

START_TEST(read_transactions_nest_once)
{
  int a, b;

  write_doc(DOC, doc_terms, N_DOC);
  a = icx_store_read_begin(store);
  ck_assert_int_eq(a, 1);
  b = icx_store_read_begin(store);
  ck_assert_int_eq(b, 0);          /* one is open already */
  ck_assert_int_gt(icx_store_iri_id(store, EX "c"), 0);
  ck_assert_int_eq(icx_store_read_end(store, b, ICX_OK), ICX_OK);
  ck_assert_int_eq(icx_store_read_end(store, a, ICX_OK), ICX_OK);
  ck_assert_int_eq(icx_store_read_begin(store), 1);   /* and again after */
  ck_assert_int_eq(icx_store_read_end(store, 1, ICX_OK), ICX_OK);
  /* A failure of the reads is what ending returns, and the read ends. */
  ck_assert_int_eq(icx_store_read_begin(store), 1);
  ck_assert_int_eq(icx_store_read_end(store, 1, ICX_ERR_NOMEM), ICX_ERR_NOMEM);
  ck_assert_int_eq(icx_store_read_begin(store), 1);
  ck_assert_int_eq(icx_store_read_end(store, 1, ICX_OK), ICX_OK);
  ck_assert_int_eq(icx_store_read_end(store, 0, ICX_ERR_STORE), ICX_ERR_STORE);
  /* Inside a document's write transaction there is nothing to open. */
  ck_assert_int_eq(icx_store_document_begin(store, "urn:doc:two"), ICX_OK);
  ck_assert_int_eq(icx_store_read_begin(store), 0);
  icx_store_document_abort(store);
  ck_assert_int_eq(icx_store_read_begin(NULL), 0);
  ck_assert_int_eq(icx_store_read_end(NULL, 1, ICX_OK), ICX_OK);
  ck_assert_int_eq(icx_store_read_end(store, 0, ICX_OK), ICX_OK);
}
END_TEST

typedef struct stopper {
  int calls;
  int stop_at;               /* the call that says stop */
} stopper;

static int
stop_soon(void *ud)
{
  stopper *s = ud;

  return ++s->calls >= s->stop_at;
}

START_TEST(interrupt_stops_a_long_read)
{
  enum { N = 20000 };
  icx_term *v = malloc(3 * N * sizeof *v);
  char (*names)[32] = malloc(N * sizeof *names);
  stopper st = { 0, 2 };
  seen x = { 0 };
  size_t i;

  ck_assert(v && names);
  for (i = 0; i < N; i++) {
    snprintf(names[i], sizeof names[i], EX "s%zu", i);
    v[3 * i] = (icx_term){ ICX_TERM_IRI, names[i], strlen(names[i]), NULL, NULL };
    v[3 * i + 1] = (icx_term){ ICX_TERM_IRI, RES "offers", sizeof RES "offers" - 1, NULL, NULL };
    v[3 * i + 2] = (icx_term){ ICX_TERM_IRI, EX "c", sizeof EX "c" - 1, NULL, NULL };
  }
  ck_assert_int_eq(write_doc(DOC, v, N), N);
  icx_store_set_interrupt(store, stop_soon, &st);
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), -1);
  ck_assert_int_ge(st.calls, st.stop_at);
  ck_assert_int_lt(x.n, N);
  ck_assert_str_ne(icx_store_errmsg(store), "");
  /* Cleared, the same read runs to its end. */
  icx_store_set_interrupt(store, NULL, NULL);
  x.n = 0;
  ck_assert_int_eq(icx_store_walk(store, id_of(DOC), 0, 0, 0, on_quad, &x), 0);
  ck_assert_int_eq(x.n, N);
  icx_store_set_interrupt(NULL, stop_soon, &st);   /* no store: a no-op */
  free(names);
  free(v);
}
END_TEST

/* --- the change log ------------------------------------------------------------- */

typedef struct logged {
  int n;
  long long seq[8];
  icx_id graph[8];
  int kind[8];
  size_t n_before[8];
  int has_c[8];                /* before holds ex:c */
  int stop_after;
} logged;

static int
on_change(void *ud, const icx_store_change *c)
{
  logged *x = ud;
  size_t i;

  if (x->n < 8) {
    x->seq[x->n] = c->seq;
    x->graph[x->n] = c->graph;
    x->kind[x->n] = c->kind;
    x->n_before[x->n] = c->n_before;
    for (i = 0; i < c->n_before; i++) {
      ck_assert(i == 0 || c->before[i - 1] < c->before[i]);   /* ascending, each once */
      if (c->before[i] == icx_store_iri_id(store, EX "c"))
        x->has_c[x->n] = 1;
    }
  }
  x->n++;
  return x->stop_after && x->n >= x->stop_after;
}

START_TEST(change_log_records_puts_and_removals)
{
  logged x;
  long long last = -1;
  icx_id g;

  /* A new store has no change before the first write. */
  ck_assert_int_eq(icx_store_change_last(store, &last), 0);
  ck_assert_int_eq(last, 0);
  memset(&x, 0, sizeof x);
  ck_assert_int_eq(icx_store_changes_since(store, 0, on_change, &x), 0);
  ck_assert_int_eq(x.n, 0);
  write_doc(DOC, doc_terms, N_DOC);
  write_doc(DOC, doc_terms, 3);            /* replaced: ex:c was there before */
  ck_assert_int_eq(icx_store_remove_document(store, DOC), ICX_OK);
  g = id_of(DOC);
  ck_assert_int_eq(icx_store_change_last(store, &last), 0);
  ck_assert_int_eq(last, 3);
  memset(&x, 0, sizeof x);
  ck_assert_int_eq(icx_store_changes_since(store, 0, on_change, &x), 0);
  ck_assert_int_eq(x.n, 3);
  ck_assert_int_eq(x.kind[0], ICX_STORE_CHANGE_PUT);
  ck_assert_int_eq(x.kind[1], ICX_STORE_CHANGE_PUT);
  ck_assert_int_eq(x.kind[2], ICX_STORE_CHANGE_REMOVE);
  ck_assert(x.graph[0] == g && x.graph[1] == g && x.graph[2] == g);
  ck_assert(x.seq[0] == 1 && x.seq[1] == 2 && x.seq[2] == 3);
  ck_assert_uint_eq(x.n_before[0], 0);     /* a new document held nothing */
  ck_assert_uint_eq(x.n_before[1], 4);     /* ex:c, ex:s, ex:t, _:b1 */
  ck_assert_int_eq(x.has_c[1], 1);
  ck_assert_uint_eq(x.n_before[2], 1);     /* ex:c alone */
  ck_assert_int_eq(x.has_c[2], 1);
  /* From a later point; stopped by the callback; past the last. */
  memset(&x, 0, sizeof x);
  ck_assert_int_eq(icx_store_changes_since(store, 2, on_change, &x), 0);
  ck_assert_int_eq(x.n, 1);
  ck_assert_int_eq(x.kind[0], ICX_STORE_CHANGE_REMOVE);
  memset(&x, 0, sizeof x);
  x.stop_after = 1;
  ck_assert_int_eq(icx_store_changes_since(store, 0, on_change, &x), 0);
  ck_assert_int_eq(x.n, 1);
  memset(&x, 0, sizeof x);
  ck_assert_int_eq(icx_store_changes_since(store, 3, on_change, &x), 0);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(icx_store_changes_since(store, 4, on_change, &x), 1);
}
END_TEST

START_TEST(change_log_failed_write_logs_nothing)
{
  long long last = -1;

  write_doc(DOC, doc_terms, N_DOC);
  ck_assert_int_eq(icx_store_document_begin(store, "urn:doc:two"), ICX_OK);
  icx_store_document_abort(store);
  ck_assert_int_eq(icx_store_remove_document(store, "urn:doc:none"), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_change_last(store, &last), 0);
  ck_assert_int_eq(last, 1);
}
END_TEST

START_TEST(change_log_unlogged_write_says_other)
{
  librdf_world *world = icx_ctx_world(ctx);
  librdf_statement *x = librdf_new_statement_from_nodes(
    world, librdf_new_node_from_uri_string(world, (const unsigned char *)EX "c"),
    librdf_new_node_from_uri_string(world, (const unsigned char *)RDF_TYPE),
    librdf_new_node_from_uri_string(world, (const unsigned char *)RES "Cloud"));
  logged seen_changes;

  write_doc(DOC, doc_terms, N_DOC);
  ck_assert_int_eq(librdf_model_add_statement(icx_store_model(store), x), 0);
  librdf_free_statement(x);
  memset(&seen_changes, 0, sizeof seen_changes);
  ck_assert_int_eq(icx_store_changes_since(store, 1, on_change, &seen_changes), 0);
  ck_assert_int_eq(seen_changes.n, 1);
  ck_assert_int_eq(seen_changes.kind[0], ICX_STORE_CHANGE_OTHER);
  ck_assert_int_eq(seen_changes.graph[0], 0);
}
END_TEST

START_TEST(change_log_store_without_it_opens_and_starts_one)
{
  /* A store made before the log (the table dropped here) opens and reads
   * as before; its first write makes the table. */
  sqlite3 *raw = NULL;
  long long last = -1;
  logged x;

  write_doc(DOC, doc_terms, N_DOC);
  icx_store_free(store);
  store = NULL;
  ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(raw, "DROP TABLE icx_changes", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(raw);
  ck_assert_int_eq(icx_store_open(ctx, db, 0, &store), ICX_OK);
  ck_assert_int_eq(icx_store_change_last(store, &last), 0);
  ck_assert_int_eq(last, 0);
  memset(&x, 0, sizeof x);
  ck_assert_int_eq(icx_store_changes_since(store, 0, on_change, &x), 0);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(icx_store_changes_since(store, 5, on_change, &x), 1);
  ck_assert_int_eq(icx_store_remove_document(store, DOC), ICX_OK);
  ck_assert_int_eq(icx_store_change_last(store, &last), 0);
  ck_assert_int_eq(last, 1);
  ck_assert_int_eq(icx_store_changes_since(store, 0, on_change, &x), 0);
  ck_assert_int_eq(x.n, 1);
  ck_assert_int_eq(x.kind[0], ICX_STORE_CHANGE_REMOVE);
  ck_assert_uint_eq(x.n_before[0], 4);
}
END_TEST

START_TEST(change_log_tokens_name_each_change)
{
  /* Each change has a token of its own; a log made before the token
   * column (the column dropped here, as a log of an older program) has
   * none for its old rows, and gets the column at its next write. */
  unsigned long long t1 = 0, t2 = 0, t3 = 0;
  sqlite3 *raw = NULL;

  ck_assert_int_eq(icx_store_change_token(store, 1, &t1), 1);   /* no log yet */
  write_doc(DOC, doc_terms, N_DOC);
  write_doc(DOC, doc_terms, 3);
  ck_assert_int_eq(icx_store_change_token(store, 1, &t1), 0);
  ck_assert_int_eq(icx_store_change_token(store, 2, &t2), 0);
  ck_assert(t1 != 0 && t2 != 0 && t1 != t2);
  ck_assert_int_eq(icx_store_change_token(store, 3, &t3), 1);   /* not made yet */
  icx_store_free(store);
  store = NULL;
  ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE old (seq INTEGER PRIMARY KEY, g INTEGER "
                                     "NOT NULL, kind INTEGER NOT NULL, subjects BLOB); INSERT "
                                     "INTO old SELECT seq, g, kind, subjects FROM icx_changes; "
                                     "DROP TABLE icx_changes; ALTER TABLE old RENAME TO "
                                     "icx_changes", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(raw);
  ck_assert_int_eq(icx_store_open(ctx, db, 0, &store), ICX_OK);
  ck_assert_int_eq(icx_store_change_token(store, 2, &t2), 1);
  ck_assert_int_eq(icx_store_remove_document(store, DOC), ICX_OK);
  ck_assert_int_eq(icx_store_change_token(store, 2, &t2), 1);   /* an old row: none */
  ck_assert_int_eq(icx_store_change_token(store, 3, &t3), 0);
  ck_assert(t3 != 0 && t3 != t1);
}
END_TEST

typedef struct po_seen {
  int n, numbers;
} po_seen;

static int
on_po(void *ud, icx_id p, icx_id o, double num)
{
  po_seen *x = ud;

  (void)p;
  (void)o;
  x->n++;
  x->numbers += !isnan(num);
  return 0;
}

START_TEST(subject_quads_in_every_graph)
{
  po_seen x = { 0, 0 };

  write_doc(DOC, doc_terms, N_DOC);
  write_doc("urn:doc:two", doc_terms + 4 * 3, 1);   /* ex:s's availability again */
  ck_assert_int_eq(icx_store_subject_quads(store, id_of(EX "s"), on_po, &x), 0);
  ck_assert_int_eq(x.n, 3);                /* availability twice, tierCountry */
  ck_assert_int_eq(x.numbers, 2);
}
END_TEST

static Suite *
store_ids_suite(void)
{
  Suite *s = suite_create("store_ids");
  TCase *tc = tcase_create("ids");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, iri_ids_found_and_not);
  tcase_add_test(tc, terms_of_a_text);
  tcase_add_test(tc, change_log_tokens_name_each_change);
  tcase_add_test(tc, term_texts_by_kind);
  tcase_add_test(tc, lex_of_many_ids);
  tcase_add_test(tc, max_id_grows_with_the_dictionary);
  tcase_add_test(tc, walk_every_quad_of_a_graph_in_order);
  tcase_add_test(tc, walk_a_graph_the_same_among_many);
  tcase_add_test(tc, walk_objects_of_a_subject_and_predicate);
  tcase_add_test(tc, walk_subjects_of_a_predicate_and_object);
  tcase_add_test(tc, walk_refuses_other_shapes_and_misuse);
  tcase_add_test(tc, walk_stops_when_asked_and_nests_other_shapes);
  tcase_add_test(tc, subjects_in_numeric_ranges);
  tcase_add_test(tc, subjects_with_an_object_in_every_graph);
  tcase_add_test(tc, writer_counts_what_is_new);
  tcase_add_test(tc, first_load_builds_the_indexes_after_its_rows);
  tcase_add_test(tc, writer_null_is_refused);
  tcase_add_test(tc, writer_needs_an_open_document);
  tcase_add_test(tc, writer_refuses_bad_statements_and_stays_failed);
  tcase_add_test(tc, read_transactions_nest_once);
  tcase_add_test(tc, interrupt_stops_a_long_read);
  tcase_add_test(tc, change_log_records_puts_and_removals);
  tcase_add_test(tc, change_log_failed_write_logs_nothing);
  tcase_add_test(tc, change_log_unlogged_write_says_other);
  tcase_add_test(tc, change_log_store_without_it_opens_and_starts_one);
  tcase_add_test(tc, subject_quads_in_every_graph);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(store_ids_suite());
}

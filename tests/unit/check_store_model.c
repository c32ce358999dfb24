/* check_store_model.c - the store's reads by term id (icx_store_ids.h)
 * against a model kept beside it: random documents written, replaced and
 * removed, and after each change every read the layers above use (a
 * graph's walk, a predicate's pairs and numbers, the subjects with an
 * object or a number in a range, a subject's quads) compared with what
 * the model says, as multisets, and checked for the order each call
 * promises.  Whatever layout the store keeps its quads in, these must
 * hold; a change of layout is to keep this suite passing unchanged. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_store_ids.h"

#define EX "http://model.example/"
#define XSD_INT "http://www.w3.org/2001/XMLSchema#integer"

enum { N_SUBJECTS = 40, N_PREDICATES = 5, N_IRIS = 6, N_NUMBERS = 12, N_TEXTS = 30,
       N_DOCS = 6, MAX_STMTS = 60, ROUNDS = 100 };

/* An object: an IRI, a number (xsd:integer) or a plain text, as one int:
 * kind * 1000 + value. */
enum { O_IRI = 0, O_NUM = 1, O_TEXT = 2 };
#define OBJ(kind, v) ((kind) * 1000 + (v))

typedef struct stmt {
  int s, p, o;
} stmt;

/* The model: each document's statements, without repeats; n -1 when the
 * document is not in the store. */
typedef struct model {
  stmt v[N_DOCS][MAX_STMTS];
  int n[N_DOCS];
} model;

static tu_world fx;
static icx_store *store;
static model m;
/* What of_id() found, by id (ids are never reused): its value + 1, 0 when
 * not yet looked up. */
#define KNOWN_IDS 4096
static int known[KNOWN_IDS];

static void
setup(void)
{
  int d;

  tu_world_empty(&fx, "model.db");
  store = fx.store;
  memset(known, 0, sizeof known);
  for (d = 0; d < N_DOCS; d++)
    m.n[d] = -1;
}

static void
teardown(void)
{
  tu_world_close(&fx);
  store = NULL;
}

/* --- texts of terms, and back ------------------------------------------------- */

static void
doc_uri(int d, char *buf, size_t len)
{
  snprintf(buf, len, "urn:model:doc%d", d);
}

/* The int a term's lexical form stands for in the model: a subject,
 * predicate or object, by the text alone (the forms do not overlap). */
static int
decode(const char *lex)
{
  const char *tail;

  if (!strncmp(lex, EX "s", sizeof EX))
    return atoi(lex + sizeof EX);
  if (!strncmp(lex, EX "p", sizeof EX))
    return atoi(lex + sizeof EX);
  if (!strncmp(lex, EX "o", sizeof EX))
    return OBJ(O_IRI, atoi(lex + sizeof EX));
  if (lex[0] == 't')
    return OBJ(O_TEXT, atoi(lex + 1));
  tail = lex;
  ck_assert_msg(*tail >= '0' && *tail <= '9', "a term the model never wrote: %s", lex);
  return OBJ(O_NUM, atoi(lex));
}

/* The model's int of term id. */
static int
of_id(icx_id id)
{
  char *lex = NULL;
  int v;

  if (id > 0 && id < KNOWN_IDS && known[id])
    return known[id] - 1;
  ck_assert_int_eq(icx_store_lex(store, &id, 1, &lex), ICX_OK);
  ck_assert_ptr_nonnull(lex);
  v = decode(lex);
  icx_free(icx_store_ctx(store), lex);
  if (id > 0 && id < KNOWN_IDS)
    known[id] = v + 1;
  return v;
}

static icx_id
iri_id(const char *fmt, int v)
{
  char iri[96];

  snprintf(iri, sizeof iri, fmt, v);
  return icx_store_iri_id(store, iri);
}

/* --- writing ------------------------------------------------------------------ */

/* Writes the n statements v as document d (replacing it) through a
 * writer, the model's copy with it. */
static void
put_doc(int d, const stmt *v, int n)
{
  static char texts[MAX_STMTS][3][96];
  icx_term t[MAX_STMTS * 3];
  icx_store_writer *w;
  char uri[64];
  int i;

  memset(t, 0, sizeof t);
  for (i = 0; i < n; i++) {
    icx_term *x = &t[3 * i];
    snprintf(texts[i][0], 96, EX "s%d", v[i].s);
    snprintf(texts[i][1], 96, EX "p%d", v[i].p);
    x[0].kind = x[1].kind = ICX_TERM_IRI;
    x[0].lex = texts[i][0];
    x[1].lex = texts[i][1];
    switch (v[i].o / 1000) {
    case O_IRI:
      snprintf(texts[i][2], 96, EX "o%d", v[i].o % 1000);
      x[2].kind = ICX_TERM_IRI;
      break;
    case O_NUM:
      snprintf(texts[i][2], 96, "%d", v[i].o % 1000);
      x[2].kind = ICX_TERM_LITERAL;
      x[2].dt = XSD_INT;
      break;
    default:
      snprintf(texts[i][2], 96, "t%d", v[i].o % 1000);
      x[2].kind = ICX_TERM_LITERAL;
      break;
    }
    x[2].lex = texts[i][2];
    x[0].len = strlen(x[0].lex);
    x[1].len = strlen(x[1].lex);
    x[2].len = strlen(x[2].lex);
  }
  doc_uri(d, uri, sizeof uri);
  ck_assert_int_eq(icx_store_document_begin(store, uri), ICX_OK);
  ck_assert_ptr_nonnull(w = icx_store_writer_new(store));
  ck_assert_msg(icx_store_writer_add(w, t, (size_t)n) == 0, "%s", icx_store_errmsg(store));
  ck_assert_msg(icx_store_writer_end(w) == 0, "%s", icx_store_errmsg(store));
  ck_assert_int_eq(icx_store_writer_added(w), (size_t)n);
  icx_store_writer_free(w);
  ck_assert_msg(icx_store_document_commit(store, "model", "turtle", (size_t)n) == ICX_OK, "%s",
                icx_ctx_errmsg(fx.ctx));
  memcpy(m.v[d], v, (size_t)n * sizeof *v);
  m.n[d] = n;
}

/* A random document of up to MAX_STMTS distinct statements. */
static int
random_doc(stmt *v)
{
  int want = 1 + rand() % MAX_STMTS, n = 0, tries, k;

  for (tries = 0; n < want && tries < 4 * MAX_STMTS; tries++) {
    stmt x;
    int r = rand() % 3;
    x.s = rand() % N_SUBJECTS;
    x.p = rand() % N_PREDICATES;
    x.o = r == 0 ? OBJ(O_IRI, rand() % N_IRIS)
          : r == 1 ? OBJ(O_NUM, rand() % N_NUMBERS) : OBJ(O_TEXT, rand() % N_TEXTS);
    for (k = 0; k < n; k++)
      if (v[k].s == x.s && v[k].p == x.p && v[k].o == x.o)
        break;
    if (k == n)
      v[n++] = x;
  }
  return n;
}

/* --- comparing ---------------------------------------------------------------- */

/* Tuples of up to three ints, gathered from a read or from the model. */
typedef struct bag {
  int v[N_DOCS * MAX_STMTS][3];
  int n;
} bag;

static int
tuple_cmp(const void *a, const void *b)
{
  return memcmp(a, b, 3 * sizeof(int));
}

static void
bag_add(bag *b, int x, int y, int z)
{
  ck_assert_int_lt(b->n, N_DOCS * MAX_STMTS);
  b->v[b->n][0] = x;
  b->v[b->n][1] = y;
  b->v[b->n][2] = z;
  b->n++;
}

static void
bags_equal(bag *got, bag *want, const char *what)
{
  int i;

  qsort(got->v, (size_t)got->n, sizeof got->v[0], tuple_cmp);
  qsort(want->v, (size_t)want->n, sizeof want->v[0], tuple_cmp);
  ck_assert_msg(got->n == want->n, "%s: %d read, the model has %d", what, got->n, want->n);
  for (i = 0; i < got->n; i++)
    ck_assert_msg(!tuple_cmp(got->v[i], want->v[i]), "%s: (%d %d %d) read where the model "
                  "has (%d %d %d)", what, got->v[i][0], got->v[i][1], got->v[i][2],
                  want->v[i][0], want->v[i][1], want->v[i][2]);
}

/* What a read gathers: the tuples, and the last key seen for its order. */
typedef struct reading {
  bag got;
  double last[2];
  int any, unordered;
} reading;

static void
reading_order(reading *r, double a, double b)
{
  if (r->any && (a < r->last[0] || (a == r->last[0] && b < r->last[1])))
    r->unordered = 1;
  r->last[0] = a;
  r->last[1] = b;
  r->any = 1;
}

/* A new reading, and an empty model bag beside it. */
static void
reading_start(reading *r, bag *want)
{
  memset(r, 0, sizeof *r);
  want->n = 0;
}

/* 1 when quad i of document d is the first of the model's copies of its
 * (s, p, o) in every document: a walk by number reads such copies once. */
static int
model_first_copy(int d, int i)
{
  int e, j;

  for (e = 0; e <= d; e++)
    for (j = 0; j < (e == d ? i : m.n[e]); j++)
      if (m.v[e][j].s == m.v[d][i].s && m.v[e][j].p == m.v[d][i].p &&
          m.v[e][j].o == m.v[d][i].o)
        return 0;
  return 1;
}

/* What r read is what the model has (and, ordered set, in the order the
 * call promises). */
static void
reading_agrees(reading *r, bag *want, const char *what, int ordered)
{
  bags_equal(&r->got, want, what);
  ck_assert_msg(!ordered || !r->unordered, "%s: out of order", what);
}

static int
on_quad(void *ud, icx_id s, icx_id p, icx_id o)
{
  reading *r = ud;

  /* (s, p, o) order: s then p checked; o within them by the bag. */
  reading_order(r, (double)s, (double)p);
  bag_add(&r->got, of_id(s), of_id(p), of_id(o));
  return 0;
}

static int
on_pair(void *ud, icx_id o, icx_id s)
{
  reading *r = ud;

  reading_order(r, (double)o, (double)s);
  bag_add(&r->got, of_id(o), of_id(s), 0);
  return 0;
}

static int
on_number(void *ud, double num, icx_id s)
{
  reading *r = ud;

  reading_order(r, num, (double)s);
  bag_add(&r->got, (int)num, of_id(s), 0);
  return 0;
}

static int
on_subject(void *ud, icx_id s)
{
  reading *r = ud;

  bag_add(&r->got, of_id(s), 0, 0);
  return 0;
}

static int
on_po(void *ud, icx_id p, icx_id o, double num)
{
  reading *r = ud;
  int obj = of_id(o);

  reading_order(r, (double)p, (double)o);
  ck_assert_msg(obj / 1000 == O_NUM ? num == obj % 1000 : isnan(num),
                "the number beside %d is %g", obj, num);
  bag_add(&r->got, of_id(p), obj, 0);
  return 0;
}

/* Every read compared with the model. */
static void
check_all(int round)
{
  static reading r;
  static bag want;
  char what[128], uri[64];
  int d, i, p, k;

  /* Each graph whole, by (s, p, o). */
  for (d = 0; d < N_DOCS; d++) {
    icx_id g;
    doc_uri(d, uri, sizeof uri);
    g = icx_store_iri_id(store, uri);
    reading_start(&r, &want);
    if (g > 0)
      ck_assert_int_eq(icx_store_walk(store, g, 0, 0, 0, on_quad, &r), 0);
    for (i = 0; i < m.n[d]; i++)
      bag_add(&want, m.v[d][i].s, m.v[d][i].p, m.v[d][i].o);
    snprintf(what, sizeof what, "round %d, the walk of document %d", round, d);
    reading_agrees(&r, &want, what, 1);
  }
  for (p = 0; p < N_PREDICATES; p++) {
    icx_id pid = iri_id(EX "p%d", p);
    /* Pairs (o, s) of the predicate, and its numbers. */
    reading_start(&r, &want);
    if (pid > 0)
      ck_assert_int_eq(icx_store_predicate_pairs(store, pid, on_pair, &r), 0);
    for (d = 0; d < N_DOCS; d++)
      for (i = 0; i < m.n[d]; i++)
        if (m.v[d][i].p == p)
          bag_add(&want, m.v[d][i].o, m.v[d][i].s, 0);
    snprintf(what, sizeof what, "round %d, the pairs of p%d", round, p);
    reading_agrees(&r, &want, what, 1);

    reading_start(&r, &want);
    if (pid > 0)
      ck_assert_int_eq(icx_store_predicate_numbers(store, pid, on_number, &r), 0);
    for (d = 0; d < N_DOCS; d++)
      for (i = 0; i < m.n[d]; i++)
        if (m.v[d][i].p == p && m.v[d][i].o / 1000 == O_NUM && model_first_copy(d, i))
          bag_add(&want, m.v[d][i].o % 1000, m.v[d][i].s, 0);
    snprintf(what, sizeof what, "round %d, the numbers of p%d", round, p);
    reading_agrees(&r, &want, what, 1);

    /* The subjects with each IRI object, and in a random range. */
    for (k = 0; k < N_IRIS; k++) {
      icx_id oid = iri_id(EX "o%d", k);
      reading_start(&r, &want);
      if (pid > 0 && oid > 0)
        ck_assert_int_eq(icx_store_subjects_with(store, pid, oid, on_subject, &r), 0);
      for (d = 0; d < N_DOCS; d++)
        for (i = 0; i < m.n[d]; i++)
          if (m.v[d][i].p == p && m.v[d][i].o == OBJ(O_IRI, k))
            bag_add(&want, m.v[d][i].s, 0, 0);
      snprintf(what, sizeof what, "round %d, the subjects of p%d o%d", round, p, k);
      reading_agrees(&r, &want, what, 0);
    }
    {
      int lo = rand() % N_NUMBERS, hi = lo + rand() % 4;
      reading_start(&r, &want);
      if (pid > 0)
        ck_assert_int_eq(icx_store_subjects_in_range(store, pid, lo, hi, on_subject, &r), 0);
      for (d = 0; d < N_DOCS; d++)
        for (i = 0; i < m.n[d]; i++)
          if (m.v[d][i].p == p && m.v[d][i].o / 1000 == O_NUM && model_first_copy(d, i) &&
              m.v[d][i].o % 1000 >= lo && m.v[d][i].o % 1000 <= hi)
            bag_add(&want, m.v[d][i].s, 0, 0);
      snprintf(what, sizeof what, "round %d, the subjects of p%d in [%d, %d]", round, p, lo,
               hi);
      reading_agrees(&r, &want, what, 0);
    }
  }
  /* Each subject's quads in every graph. */
  for (k = 0; k < N_SUBJECTS; k++) {
    icx_id sid = iri_id(EX "s%d", k);
    reading_start(&r, &want);
    if (sid > 0)
      ck_assert_int_eq(icx_store_subject_quads(store, sid, on_po, &r), 0);
    for (d = 0; d < N_DOCS; d++)
      for (i = 0; i < m.n[d]; i++)
        if (m.v[d][i].s == k)
          bag_add(&want, m.v[d][i].p, m.v[d][i].o, 0);
    snprintf(what, sizeof what, "round %d, the quads of s%d", round, k);
    reading_agrees(&r, &want, what, 1);
  }
}

/* --- the tests ----------------------------------------------------------------- */

/* Documents written, replaced and removed at random; every read agrees
 * with the model after each change.  The first write is a first load
 * (the store's secondary indexes built after its rows). */
START_TEST(reads_agree_with_the_model)
{
  static stmt v[MAX_STMTS];
  char uri[64];
  int round, d, n;

  srand(20261206 + (unsigned)_i);
  for (round = 0; round < ROUNDS; round++) {
    d = rand() % N_DOCS;
    if (m.n[d] >= 0 && rand() % 4 == 0) {
      doc_uri(d, uri, sizeof uri);
      ck_assert_int_eq(icx_store_remove_document(store, uri), ICX_OK);
      m.n[d] = -1;
    } else {
      n = random_doc(v);
      put_doc(d, v, n);
    }
    check_all(round);
  }
}
END_TEST

/* The same reads in a store reopened after the changes, from a new
 * handle. */
START_TEST(reads_agree_after_reopening)
{
  static stmt v[MAX_STMTS];
  int round, n;

  srand(77);
  for (round = 0; round < 12; round++) {
    n = random_doc(v);
    put_doc(round % N_DOCS, v, n);
  }
  icx_store_free(store);
  fx.store = store = NULL;
  ck_assert_int_eq(icx_store_open(fx.ctx, fx.db, ICX_STORE_READONLY, &store), ICX_OK);
  fx.store = store;
  check_all(-1);
}
END_TEST

static Suite *
store_model_suite(void)
{
  Suite *s = suite_create("store_model");
  TCase *tc = tcase_create("model");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_loop_test(tc, reads_agree_with_the_model, 0, 4);
  tcase_add_test(tc, reads_agree_after_reopening);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(store_model_suite());
}

/* check_storage.c - the icx librdf storage module (icx_storage.c) through
 * librdf's own API: wildcards, contexts, transactions, persistence,
 * literal kinds, serialising, rasqal queries, bulk adds, several worlds.
 * Over 800 lines: one suite for the one module (icx_storage.h) and every
 * librdf method it implements, as the house style asks. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"            /* ICX_STORAGE_FORMAT, ICX_STORAGE_VERSION */
#include "icx_storage_internal.h"  /* icx_storage_db(): this suite reads the tables */

#define EX "http://example.org/"
#define XSD "http://www.w3.org/2001/XMLSchema#"

/* The world of c, with the icx storage factory registered on it (as
 * icx_store_open() does). */
static librdf_world *
storage_world(icx_ctx *c)
{
  librdf_world *w = icx_ctx_world(c);

  if (w)
    icx_storage_register(w);
  return w;
}

static icx_ctx *ctx;
static librdf_world *world;
static char *dir, *db;
static librdf_storage *storage;
static librdf_model *model;

static void
open_model(const char *options)
{
  storage = librdf_new_storage(world, ICX_STORAGE_NAME, db, options);
  ck_assert_msg(storage != NULL, "cannot open %s", db);
  model = librdf_new_model(world, storage, NULL);
  ck_assert_ptr_nonnull(model);
}

static void
close_model(void)
{
  if (model)
    librdf_free_model(model);
  if (storage)
    librdf_free_storage(storage);
  model = NULL;
  storage = NULL;
}

static void
setup(void)
{
  ctx = tu_ctx();
  world = storage_world(ctx);
  dir = tu_tmpdir();
  db = tu_path(dir, "s.db");
  open_model("new='yes'");
}

static void
teardown(void)
{
  close_model();
  tu_rmtree(dir);
  free(db);
  free(dir);
  icx_ctx_free(ctx);
}

static librdf_node *
iri(const char *local)
{
  char buf[512];

  snprintf(buf, sizeof buf, "%s%s", strncmp(local, "http", 4) ? EX : "", local);
  return librdf_new_node_from_uri_string(world, (const unsigned char *)buf);
}

static librdf_node *
typed(const char *lex, const char *xsd_local)
{
  char buf[256];
  librdf_uri *dt;
  librdf_node *n;

  snprintf(buf, sizeof buf, "%s%s", XSD, xsd_local);
  dt = librdf_new_uri(world, (const unsigned char *)buf);
  n = librdf_new_node_from_typed_literal(world, (const unsigned char *)lex, NULL, dt);
  librdf_free_uri(dt);
  return n;
}

static librdf_node *
plain(const char *lex, const char *lang)
{
  return librdf_new_node_from_literal(world, (const unsigned char *)lex, lang, 0);
}

/* A new statement; takes the three nodes. */
static librdf_statement *
st3(librdf_node *s, librdf_node *p, librdf_node *o)
{
  return librdf_new_statement_from_nodes(world, s, p, o);
}

/* Adds (s p o) in context (a local name or NULL); takes the nodes. */
static void
add(const char *context, librdf_node *s, librdf_node *p, librdf_node *o)
{
  librdf_statement *x = st3(s, p, o);
  librdf_node *c = context ? iri(context) : NULL;

  ck_assert_int_eq(librdf_model_context_add_statement(model, c, x), 0);
  librdf_free_statement(x);
  if (c)
    librdf_free_node(c);
}

/* Removes (s p o) from context (a local name); takes the nodes.  librdf's
 * result. */
static int
remove_in(const char *context, librdf_node *s, librdf_node *p, librdf_node *o)
{
  librdf_statement *x = st3(s, p, o);
  librdf_node *c = iri(context);
  int rc = librdf_model_context_remove_statement(model, c, x);

  librdf_free_statement(x);
  librdf_free_node(c);
  return rc;
}

/* Removes every statement of context (a local name).  librdf's result. */
static int
remove_graph(const char *context)
{
  librdf_node *c = iri(context);
  int rc = librdf_model_context_remove_statements(model, c);

  librdf_free_node(c);
  return rc;
}

static int
count_stream(librdf_stream *st)
{
  int n = 0;

  ck_assert_ptr_nonnull(st);
  for (; !librdf_stream_end(st); librdf_stream_next(st))
    n++;
  librdf_free_stream(st);
  return n;
}

/* Matches of pattern (NULL parts are wildcards; takes the nodes). */
static int
count_find(librdf_node *s, librdf_node *p, librdf_node *o)
{
  librdf_statement *x = librdf_new_statement_from_nodes(world, s, p, o);
  int n = count_stream(librdf_model_find_statements(model, x));

  librdf_free_statement(x);
  return n;
}

static int
count_in(const char *context, librdf_node *s, librdf_node *p, librdf_node *o)
{
  librdf_statement *x = librdf_new_statement_from_nodes(world, s, p, o);
  librdf_node *c = iri(context);
  int n = count_stream(librdf_model_find_statements_in_context(model, x, c));

  librdf_free_node(c);
  librdf_free_statement(x);
  return n;
}

/* One value of SQL on the store, as a new string ("NULL" for NULL). */
static char *
sql1(const char *sql, const char *param)
{
  sqlite3 *h = icx_storage_db(storage);
  sqlite3_stmt *st = NULL;
  char *out;

  ck_assert_ptr_nonnull(h);
  ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
  if (param)
    sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  out = strdup(sqlite3_column_type(st, 0) == SQLITE_NULL
               ? "NULL" : (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

START_TEST(add_and_find_with_wildcards)
{
  add(NULL, iri("a"), iri("p"), iri("b"));
  add(NULL, iri("a"), iri("q"), plain("x", NULL));
  add(NULL, iri("c"), iri("p"), iri("b"));
  add(NULL, librdf_new_node_from_blank_identifier(world, (const unsigned char *)"b1"),
      iri("p"), iri("a"));
  ck_assert_int_eq(librdf_model_size(model), 4);
  ck_assert_int_eq(count_find(NULL, NULL, NULL), 4);
  ck_assert_int_eq(count_find(iri("a"), NULL, NULL), 2);
  ck_assert_int_eq(count_find(NULL, iri("p"), NULL), 3);
  ck_assert_int_eq(count_find(NULL, NULL, iri("b")), 2);
  ck_assert_int_eq(count_find(NULL, iri("p"), iri("b")), 2);
  ck_assert_int_eq(count_find(iri("a"), NULL, iri("b")), 1);
  ck_assert_int_eq(count_find(iri("a"), iri("q"), plain("x", NULL)), 1);
  ck_assert_int_eq(count_find(iri("a"), iri("q"), plain("x", "en")), 0);
  ck_assert_int_eq(count_find(iri("nobody"), NULL, NULL), 0);
  ck_assert_int_eq(count_find(librdf_new_node_from_blank_identifier(world,
                                (const unsigned char *)"b1"), NULL, NULL), 1);
  {
    /* librdf's node helpers run on find_statements too. */
    librdf_node *s = iri("a"), *p = iri("q");
    librdf_node *o = librdf_model_get_target(model, s, p);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq((const char *)librdf_node_get_literal_value(o), "x");
    librdf_free_node(o);
    librdf_free_node(s);
    librdf_free_node(p);
  }
  {
    /* Removing a statement added without context. */
    librdf_statement *x = st3(iri("c"), iri("p"), iri("b"));
    ck_assert_int_eq(librdf_model_remove_statement(model, x), 0);
    ck_assert(!librdf_model_contains_statement(model, x));
    librdf_free_statement(x);
    ck_assert_int_eq(librdf_model_size(model), 3);
  }
}
END_TEST

START_TEST(only_icx_storages_lend_a_connection)
{
  librdf_storage *mem = librdf_new_storage(world, "memory", NULL, NULL);

  ck_assert_ptr_nonnull(icx_storage_db(storage));
  ck_assert_ptr_null(icx_storage_db(mem));
  ck_assert_ptr_null(icx_storage_db(NULL));
  librdf_free_storage(mem);
  {
    char *v = sql1("SELECT value FROM icx_meta WHERE key = ?1", "version");
    ck_assert_str_eq(v, ICX_STORAGE_VERSION);
    free(v);
    v = sql1("SELECT value FROM icx_meta WHERE key = ?1", "format");
    ck_assert_str_eq(v, ICX_STORAGE_FORMAT);
    free(v);
    v = sql1("PRAGMA journal_mode", NULL);
    ck_assert_str_eq(v, "wal");
    free(v);
  }
}
END_TEST

START_TEST(contexts)
{
  librdf_iterator *it;
  librdf_statement *x;
  librdf_node *c;
  int n = 0, saw_a = 0, saw_b = 0;

  add("g/a", iri("s"), iri("p"), iri("o"));
  add("g/a", iri("s"), iri("p"), iri("o2"));
  add("g/b", iri("s"), iri("p"), iri("o"));
  add(NULL, iri("t"), iri("p"), iri("o"));
  /* The same triple in two graphs is two statements. */
  ck_assert_int_eq(librdf_model_size(model), 4);
  ck_assert_int_eq(count_in("g/a", NULL, NULL, NULL), 2);
  ck_assert_int_eq(count_in("g/b", NULL, NULL, NULL), 1);
  ck_assert_int_eq(count_in("g/b", NULL, NULL, iri("o2")), 0);
  ck_assert_int_eq(count_in("g/none", NULL, NULL, NULL), 0);

  it = librdf_model_get_contexts(model);
  ck_assert_ptr_nonnull(it);
  for (; !librdf_iterator_end(it); librdf_iterator_next(it)) {
    librdf_node *g = librdf_iterator_get_object(it);
    const char *u = (const char *)librdf_uri_as_string(librdf_node_get_uri(g));
    saw_a += !strcmp(u, EX "g/a");
    saw_b += !strcmp(u, EX "g/b");
    n++;
  }
  librdf_free_iterator(it);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(saw_a, 1);
  ck_assert_int_eq(saw_b, 1);

  /* Streams report each statement's context. */
  {
    librdf_statement *pat = st3(NULL, NULL, iri("o2"));
    librdf_stream *st = librdf_model_find_statements(model, pat);
    librdf_node *g;
    ck_assert(!librdf_stream_end(st));
    g = librdf_stream_get_context2(st);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq((const char *)librdf_uri_as_string(librdf_node_get_uri(g)), EX "g/a");
    librdf_free_stream(st);
    librdf_free_statement(pat);
  }

  /* A statement without context is found in any context. */
  x = st3(iri("s"), iri("p"), iri("o2"));
  ck_assert(librdf_model_contains_statement(model, x));
  c = iri("g/a");
  ck_assert(librdf_model_contains_context(model, c));
  ck_assert_int_eq(librdf_model_context_remove_statements(model, c), 0);
  ck_assert(!librdf_model_contains_statement(model, x));
  ck_assert(!librdf_model_contains_context(model, c));
  librdf_free_statement(x);
  librdf_free_node(c);
  /* The other graph and the default graph stay. */
  ck_assert_int_eq(count_in("g/b", NULL, NULL, NULL), 1);
  ck_assert_int_eq(librdf_model_size(model), 2);

  /* Removing one statement of one context. */
  c = iri("g/b");
  x = st3(iri("s"), iri("p"), iri("o"));
  ck_assert_int_eq(librdf_model_context_remove_statement(model, c, x), 0);
  ck_assert_int_eq(count_in("g/b", NULL, NULL, NULL), 0);
  librdf_free_statement(x);
  librdf_free_node(c);
  ck_assert_int_eq(count_find(NULL, NULL, NULL), 1);
}
END_TEST

START_TEST(rollback_leaves_nothing)
{
  char *terms_before, *terms_after;

  add("g", iri("keep"), iri("p"), iri("o"));
  terms_before = sql1("SELECT count(*) FROM terms", NULL);
  ck_assert_int_eq(librdf_model_transaction_start(model), 0);
  ck_assert_int_ne(librdf_model_transaction_start(model), 0);   /* no nesting */
  add("g", iri("gone"), iri("p"), plain("new literal", NULL));
  add("h", iri("gone"), iri("p"), iri("o"));
  ck_assert_int_eq(librdf_model_size(model), 3);
  ck_assert_int_eq(librdf_model_transaction_rollback(model), 0);
  ck_assert_int_eq(librdf_model_size(model), 1);
  ck_assert_int_eq(count_find(iri("gone"), NULL, NULL), 0);
  terms_after = sql1("SELECT count(*) FROM terms", NULL);
  ck_assert_str_eq(terms_before, terms_after);
  free(terms_before);
  free(terms_after);
  /* A term first added after the rollback gets a working id. */
  add("g", iri("later"), iri("p"), plain("new literal", NULL));
  ck_assert_int_eq(count_find(iri("later"), NULL, plain("new literal", NULL)), 1);

  ck_assert_int_eq(librdf_model_transaction_start(model), 0);
  add("g", iri("kept"), iri("p"), iri("o"));
  ck_assert_int_eq(librdf_model_transaction_commit(model), 0);
  ck_assert_int_ne(librdf_model_transaction_commit(model), 0);  /* none open */
  ck_assert_int_eq(count_find(iri("kept"), NULL, NULL), 1);
}
END_TEST

START_TEST(statements_and_term_ids_persist)
{
  char *id_before, *id_after;

  add("g", iri("s"), iri("p"), typed("42", "integer"));
  add("g", iri("s"), iri("p"), plain("chat", "fr"));
  id_before = sql1("SELECT id FROM terms WHERE lex = ?1 AND kind = 1", EX "s");
  close_model();
  open_model("new='no'");
  ck_assert_int_eq(librdf_model_size(model), 2);
  ck_assert_int_eq(count_in("g", iri("s"), NULL, typed("42", "integer")), 1);
  ck_assert_int_eq(count_in("g", iri("s"), NULL, plain("chat", "fr")), 1);
  id_after = sql1("SELECT id FROM terms WHERE lex = ?1 AND kind = 1", EX "s");
  ck_assert_str_eq(id_before, id_after);
  free(id_before);
  free(id_after);
  /* new='yes' starts again from nothing. */
  close_model();
  open_model("new='yes',synchronous='full'");
  ck_assert_int_eq(librdf_model_size(model), 0);
}
END_TEST

START_TEST(foreign_files_do_not_open)
{
  char *other = tu_path(dir, "other.db");
  librdf_storage *s2;
  char cmd[2048];

  s2 = librdf_new_storage(world, ICX_STORAGE_NAME, other, "new='no'");
  ck_assert_ptr_null(s2);                                   /* missing */
  snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'CREATE TABLE t(x)'", other);
  if (system(cmd) == 0) {
    ck_assert_ptr_null(librdf_new_storage(world, ICX_STORAGE_NAME, other, "new='no'"));
    ck_assert_int_eq(icx_storage_probe(other, NULL, 0), ICX_STORAGE_PROBE_FOREIGN);
  }
  ck_assert_int_eq(icx_storage_probe(db, NULL, 0), ICX_STORAGE_PROBE_OK);
  free(other);
}
END_TEST

/* A reader's open looks at the file once: the probe's connection of a
 * sound store is the one the storage goes on with; a file that is not a
 * store keeps none. */
START_TEST(a_reader_goes_on_with_the_probes_connection)
{
  char *other = tu_path(dir, "other.db");
  char cmd[2048], err[256];
  icx_storage_options o = { 0 };
  icx_storage_inst *t;
  static char not_a_connection;             /* what kept holds before the probe */
  sqlite3 *kept = (sqlite3 *)&not_a_connection;

  add("g", iri("s"), iri("p"), iri("o"));
  close_model();
  ck_assert_int_eq(icx_storage_probe_keep(db, NULL, 0, &kept), ICX_STORAGE_PROBE_OK);
  ck_assert_ptr_nonnull(kept);
  o.readonly = 1;
  o.db = kept;
  t = icx_storage_open(db, &o, err, sizeof err);
  ck_assert_msg(t != NULL, "%s", err);
  ck_assert_ptr_eq(icx_storage_inst_db(t), kept);
  ck_assert_int_eq(sqlite3_exec(kept, "SELECT count(*) FROM quads", NULL, NULL, NULL), SQLITE_OK);
  icx_storage_close(t);
  snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'CREATE TABLE t(x)'", other);
  if (system(cmd) == 0) {
    kept = (sqlite3 *)&not_a_connection;
    ck_assert_int_eq(icx_storage_probe_keep(other, NULL, 0, &kept), ICX_STORAGE_PROBE_FOREIGN);
    ck_assert_ptr_null(kept);
  }
  open_model("new='no'");
  free(other);
}
END_TEST

/* A reader prepares a statement when it first uses it, not every one it
 * might when it opens (a cold start's fraction of a millisecond). */
START_TEST(a_reader_prepares_what_it_uses)
{
  char err[256];
  icx_storage_options o = { 0 };
  icx_storage_inst *t;
  sqlite3_stmt *st = NULL;
  int n = 0;

  add("g", iri("s"), iri("p"), iri("o"));
  close_model();
  o.readonly = 1;
  t = icx_storage_open(db, &o, err, sizeof err);
  ck_assert_msg(t != NULL, "%s", err);
  ck_assert_ptr_null(sqlite3_next_stmt(icx_storage_inst_db(t), NULL));
  ck_assert_int_gt(icx_storage_iri_id(t, EX "s"), 0);
  while ((st = sqlite3_next_stmt(icx_storage_inst_db(t), st)) != NULL)
    n++;
  ck_assert_int_ge(n, 1);
  ck_assert_int_le(n, 2);                   /* the namespace's and the term's */
  ck_assert_int_gt(icx_storage_iri_id(t, EX "p"), 0);
  for (n = 0, st = NULL; (st = sqlite3_next_stmt(icx_storage_inst_db(t), st)) != NULL;)
    n++;
  ck_assert_int_le(n, 2);                   /* kept, not made again */
  icx_storage_close(t);
  open_model("new='no'");
}
END_TEST

START_TEST(duplicates_are_no_ops)
{
  librdf_statement *x = st3(iri("s"), iri("p"), plain("v", NULL));

  ck_assert_int_eq(librdf_model_add_statement(model, x), 0);
  ck_assert_int_eq(librdf_model_add_statement(model, x), 0);
  ck_assert_int_eq(librdf_model_size(model), 1);
  add("g", iri("s"), iri("p"), plain("v", NULL));
  add("g", iri("s"), iri("p"), plain("v", NULL));
  ck_assert_int_eq(librdf_model_size(model), 2);
  ck_assert(librdf_model_contains_statement(model, x));
  librdf_free_statement(x);
}
END_TEST

/* kind, dt (as its IRI or ""), lang and num of the literal lex. */
static char *
literal_row(const char *lex)
{
  sqlite3 *h = icx_storage_db(storage);
  sqlite3_stmt *st = NULL;
  char buf[512];

  ck_assert_int_eq(sqlite3_prepare_v2(h,
    "SELECT t.kind, coalesce((SELECT d.lex FROM terms d WHERE d.id = t.dt), ''), t.lang,"
    " CASE WHEN t.num IS NULL THEN 'NULL' ELSE printf('%g', t.num) END"
    " FROM terms t WHERE t.lex = ?1 AND t.kind = 3", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, lex, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  snprintf(buf, sizeof buf, "%d|%s|%s|%s", sqlite3_column_int(st, 0),
           (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
           (const char *)sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  return strdup(buf);
}

#define CHECK_LITERAL(lex, want) do { \
    char *got_ = literal_row(lex); \
    ck_assert_str_eq(got_, want); \
    free(got_); \
  } while (0)

START_TEST(literal_kinds)
{
  add(NULL, iri("s"), iri("p"), plain("plain", NULL));
  add(NULL, iri("s"), iri("p"), plain("bonjour", "fr"));
  add(NULL, iri("s"), iri("p"), typed("string", "string"));
  add(NULL, iri("s"), iri("p"), typed("42", "integer"));
  add(NULL, iri("s"), iri("p"), typed("-7", "int"));
  add(NULL, iri("s"), iri("p"), typed("3", "positiveInteger"));
  add(NULL, iri("s"), iri("p"), typed("99.999", "decimal"));
  add(NULL, iri("s"), iri("p"), typed("1.5e3", "double"));
  add(NULL, iri("s"), iri("p"), typed("-INF", "float"));
  add(NULL, iri("s"), iri("p"), typed("abc", "integer"));
  add(NULL, iri("s"), iri("p"), typed("1.5", "integer"));
  add(NULL, iri("s"), iri("p"), typed(" 12", "decimal"));
  add(NULL, iri("s"), iri("p"), typed("0x10", "double"));
  add(NULL, iri("s"), iri("p"), typed("true", "boolean"));
  add(NULL, iri("s"), iri("p"), typed("2024-01-01T00:00:00Z", "dateTime"));
  ck_assert_int_eq(librdf_model_size(model), 15);

  CHECK_LITERAL("plain", "3|||NULL");
  CHECK_LITERAL("bonjour", "3||fr|NULL");
  CHECK_LITERAL("string", "3|||NULL");   /* RDF 1.1: "x"^^xsd:string is "x" */
  CHECK_LITERAL("42", "3|" XSD "integer||42");
  CHECK_LITERAL("-7", "3|" XSD "int||-7");
  CHECK_LITERAL("3", "3|" XSD "positiveInteger||3");
  CHECK_LITERAL("99.999", "3|" XSD "decimal||99.999");
  CHECK_LITERAL("1.5e3", "3|" XSD "double||1500");
  CHECK_LITERAL("-INF", "3|" XSD "float||-Inf");
  CHECK_LITERAL("abc", "3|" XSD "integer||NULL");
  CHECK_LITERAL("1.5", "3|" XSD "integer||NULL");
  CHECK_LITERAL(" 12", "3|" XSD "decimal||NULL");
  CHECK_LITERAL("0x10", "3|" XSD "double||NULL");
  CHECK_LITERAL("true", "3|" XSD "boolean||NULL");
  CHECK_LITERAL("2024-01-01T00:00:00Z", "3|" XSD "dateTime||NULL");

  /* They come back as they went in. */
  ck_assert_int_eq(count_find(NULL, NULL, plain("bonjour", "fr")), 1);
  ck_assert_int_eq(count_find(NULL, NULL, plain("bonjour", NULL)), 0);
  ck_assert_int_eq(count_find(NULL, NULL, typed("42", "integer")), 1);
  ck_assert_int_eq(count_find(NULL, NULL, typed("42", "int")), 0);
  ck_assert_int_eq(count_find(NULL, NULL, plain("42", NULL)), 0);
  ck_assert_int_eq(count_find(NULL, NULL, plain("string", NULL)), 1);
  ck_assert_int_eq(count_find(NULL, NULL, typed("plain", "string")), 1);
  /* One literal, one statement. */
  add(NULL, iri("s"), iri("p"), plain("string", NULL));
  ck_assert_int_eq(librdf_model_size(model), 15);
  {
    librdf_statement *pat = st3(NULL, NULL, typed("99.999", "decimal"));
    librdf_stream *st = librdf_model_find_statements(model, pat);
    librdf_node *o = librdf_statement_get_object(librdf_stream_get_object(st));
    ck_assert_str_eq((const char *)librdf_uri_as_string(
                       librdf_node_get_literal_value_datatype_uri(o)), XSD "decimal");
    librdf_free_stream(st);
    librdf_free_statement(pat);
    pat = st3(NULL, NULL, plain("bonjour", "fr"));
    st = librdf_model_find_statements(model, pat);
    o = librdf_statement_get_object(librdf_stream_get_object(st));
    ck_assert_str_eq(librdf_node_get_literal_value_language(o), "fr");
    librdf_free_stream(st);
    librdf_free_statement(pat);
  }
}
END_TEST

static const char doc_ttl[] =
  "@prefix ex: <" EX "> .\n"
  "@prefix xsd: <" XSD "> .\n"
  "ex:c1 a ex:Cloud ; ex:name \"one\" ; ex:offers ex:s1 .\n"
  "ex:c2 a ex:Cloud ; ex:name \"two\"@en ; ex:offers ex:s2, [ a ex:Extra ; ex:size 3 ] .\n"
  "ex:s1 a ex:Service ; ex:avail 99.9 ; ex:replicas 3 ; ex:ratio 1.5e0 .\n"
  "ex:s2 a ex:Service ; ex:avail 99.999 ; ex:replicas 5 ; ex:when \"2024-01-01\"^^xsd:date .\n";

/* Parses doc_ttl into m (in context, when given). */
static void
parse_into(librdf_model *m, const char *text, const char *context)
{
  librdf_parser *p = librdf_new_parser(world, "turtle", NULL, NULL);
  librdf_uri *base = librdf_new_uri(world, (const unsigned char *)EX);
  librdf_stream *st;
  librdf_node *c = context ? iri(context) : NULL;

  ck_assert_ptr_nonnull(p);
  st = librdf_parser_parse_string_as_stream(p, (const unsigned char *)text, base);
  ck_assert_ptr_nonnull(st);
  if (c)
    ck_assert_int_eq(librdf_model_context_add_statements(m, c, st), 0);
  else
    for (; !librdf_stream_end(st); librdf_stream_next(st))
      ck_assert_int_eq(librdf_model_add_statement(m, librdf_stream_get_object(st)), 0);
  librdf_free_stream(st);
  if (c)
    librdf_free_node(c);
  librdf_free_uri(base);
  librdf_free_parser(p);
}

START_TEST(serialise_a_context_and_parse_it_back)
{
  librdf_serializer *ser;
  librdf_storage *mem;
  librdf_model *back;
  librdf_stream *st, *all;
  librdf_node *c = iri("doc");
  unsigned char *text;
  int n = 0;

  parse_into(model, doc_ttl, "doc");
  add("other", iri("x"), iri("y"), iri("z"));
  ser = librdf_new_serializer(world, "turtle", NULL, NULL);
  ck_assert_ptr_nonnull(ser);
  st = librdf_model_context_as_stream(model, c);
  ck_assert_ptr_nonnull(st);
  text = librdf_serializer_serialize_stream_to_string(ser, NULL, st);
  librdf_free_stream(st);
  ck_assert_ptr_nonnull(text);
  ck_assert_ptr_null(strstr((const char *)text, EX "z"));

  mem = librdf_new_storage(world, "memory", NULL, NULL);
  back = librdf_new_model(world, mem, NULL);
  parse_into(back, (const char *)text, NULL);
  librdf_free_memory(text);
  ck_assert_int_eq(librdf_model_size(back), count_in("doc", NULL, NULL, NULL));
  /* Every statement came back (blank nodes aside, they are renamed). */
  all = librdf_model_context_as_stream(model, c);
  for (; !librdf_stream_end(all); librdf_stream_next(all)) {
    librdf_statement *x = librdf_stream_get_object(all);
    if (librdf_node_is_blank(librdf_statement_get_subject(x)) ||
        librdf_node_is_blank(librdf_statement_get_object(x)))
      continue;
    ck_assert_msg(librdf_model_contains_statement(back, x), "lost a statement of <%s>",
                  librdf_uri_as_string(librdf_node_get_uri(librdf_statement_get_subject(x))));
    n++;
  }
  librdf_free_stream(all);
  ck_assert_int_eq(n, 14);
  librdf_free_model(back);
  librdf_free_storage(mem);
  librdf_free_serializer(ser);
  librdf_free_node(c);
}
END_TEST

static int
cmp_strp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends a node as text ("-" unbound; blank nodes without their ids,
 * which each parse makes anew). */
static void
show(librdf_node *v, char *out, size_t n)
{
  librdf_uri *dt;
  const char *lang;

  if (!v)
    snprintf(out, n, "- ");
  else if (librdf_node_is_resource(v))
    snprintf(out, n, "<%s> ", librdf_uri_as_string(librdf_node_get_uri(v)));
  else if (librdf_node_is_blank(v))
    snprintf(out, n, "_: ");
  else {
    dt = librdf_node_get_literal_value_datatype_uri(v);
    lang = librdf_node_get_literal_value_language(v);
    snprintf(out, n, "\"%s\"%s%s%s%s%s ", librdf_node_get_literal_value(v), lang ? "@" : "",
             lang ? lang : "", dt ? "^^<" : "", dt ? (const char *)librdf_uri_as_string(dt) : "",
             dt ? ">" : "");
  }
}

/* Rows of a SPARQL query on m, one line each, sorted and joined. */
static char *
run_query(librdf_model *m, const char *sparql)
{
  librdf_query *q = librdf_new_query(world, "sparql", NULL, (const unsigned char *)sparql, NULL);
  librdf_query_results *r;
  char **rows = NULL;
  size_t n = 0, i, len = 1;
  char *out;

  ck_assert_ptr_nonnull(q);
  r = librdf_query_execute(q, m);
  ck_assert_ptr_nonnull(r);
  for (; !librdf_query_results_finished(r); librdf_query_results_next(r)) {
    int k, w = librdf_query_results_get_bindings_count(r);
    char line[2048] = "";
    for (k = 0; k < w; k++) {
      librdf_node *v = librdf_query_results_get_binding_value(r, k);
      show(v, line + strlen(line), sizeof line - strlen(line));
      if (v)
        librdf_free_node(v);
    }
    rows = realloc(rows, (n + 1) * sizeof *rows);
    rows[n++] = strdup(line);
    len += strlen(line) + 1;
  }
  librdf_free_query_results(r);
  librdf_free_query(q);
  qsort(rows, n, sizeof *rows, cmp_strp);
  out = calloc(1, len);
  for (i = 0; i < n; i++) {
    strcat(out, rows[i]);
    strcat(out, "\n");
    free(rows[i]);
  }
  free(rows);
  return out;
}

START_TEST(rasqal_answers_as_on_the_memory_storage)
{
  static const char *const queries[] = {
    "PREFIX ex: <" EX "> SELECT ?c ?n WHERE { ?c a ex:Cloud ; ex:name ?n }",
    "PREFIX ex: <" EX "> SELECT ?c ?a WHERE { ?c ex:offers ?s . ?s ex:avail ?a . "
    "FILTER (?a >= 99.99) }",
    "PREFIX ex: <" EX "> SELECT ?s ?r WHERE { ?s a ex:Service ; ex:replicas ?r . "
    "FILTER (?r IN (3, 4)) }",
    "PREFIX ex: <" EX "> SELECT ?s ?w WHERE { ?s a ex:Service . OPTIONAL { ?s ex:when ?w } }",
    /* Not DISTINCT: rasqal 0.9.33 leaks the rows of every DISTINCT query
     * (on Redland's own storages too; see icx_compile.c). */
    "PREFIX ex: <" EX "> SELECT ?t WHERE { ?x a ?t } ORDER BY ?t",
    "PREFIX ex: <" EX "> SELECT ?x WHERE { ?x ex:name \"two\"@en }",
    "PREFIX ex: <" EX "> SELECT ?x ?n WHERE { ?c ex:offers ?x . ?x ex:size ?n }",
    "PREFIX ex: <" EX "> SELECT ?g ?c WHERE { GRAPH ?g { ?c a ex:Cloud } }",
    NULL
  };
  librdf_storage *mem = librdf_new_storage(world, "hashes", "q",
                                           "hash-type='memory',contexts='yes'");
  librdf_model *m2 = librdf_new_model(world, mem, NULL);
  int i;

  ck_assert_ptr_nonnull(m2);
  parse_into(model, doc_ttl, "doc");
  parse_into(m2, doc_ttl, "doc");
  for (i = 0; queries[i]; i++) {
    char *a = run_query(model, queries[i]);
    char *b = run_query(m2, queries[i]);
    ck_assert_msg(!strcmp(a, b), "query %d:\nicx:\n%s\nmemory:\n%s", i, a, b);
    ck_assert_msg(*a, "query %d answered nothing", i);
    free(a);
    free(b);
  }
  librdf_free_model(m2);
  librdf_free_storage(mem);
}
END_TEST

typedef struct progress_seen {
  size_t calls, last, total;
} progress_seen;

static void
on_progress(void *ud, size_t done, size_t total)
{
  progress_seen *p = ud;

  p->calls++;
  p->last = done;
  p->total = total;
}

/* Frees a bulk test's statements, its context and its predicate. */
static void
free_batch(librdf_statement **v, size_t n, librdf_node *c, librdf_node *p)
{
  size_t i;

  for (i = 0; i < n; i++)
    librdf_free_statement(v[i]);
  free(v);
  librdf_free_node(c);
  librdf_free_node(p);
}

START_TEST(bulk_array_add)
{
  enum { N = 70000 };
  librdf_statement **v = malloc(N * sizeof *v);
  librdf_node *c = iri("bulk"), *p = iri("p");
  progress_seen seen = { 0, 0, 0 };
  size_t added = 0, i;
  char num[32];

  for (i = 0; i < N; i++) {
    snprintf(num, sizeof num, "%zu", i % (N - 10));   /* ten duplicates */
    v[i] = st3(librdf_new_node_from_blank_identifier(world, (const unsigned char *)num),
               librdf_new_node_from_node(p), typed(num, "integer"));
  }
  ck_assert_int_eq(icx_storage_context_add_array(storage, c, v, N, &added, on_progress, &seen),
                   0);
  ck_assert_int_eq(added, N - 10);
  ck_assert_int_eq(count_in("bulk", NULL, NULL, NULL), N - 10);
  ck_assert_uint_ge(seen.calls, 2);
  ck_assert_uint_eq(seen.last, N);
  ck_assert_uint_eq(seen.total, N);
  /* Again, inside the caller's transaction, then rolled back. */
  ck_assert_int_eq(librdf_model_transaction_start(model), 0);
  ck_assert_int_eq(icx_storage_context_add_array(storage, c, v, 100, &added, NULL, NULL), 0);
  ck_assert_int_eq(added, 0);
  ck_assert_int_eq(librdf_model_transaction_rollback(model), 0);
  ck_assert_int_eq(count_in("bulk", NULL, NULL, NULL), N - 10);
  {
    char *n = sql1("SELECT num FROM terms WHERE lex = ?1 AND kind = 3", "1234");
    ck_assert_str_eq(n, "1234.0");
    free(n);
  }
  /* A statement librdf would refuse fails the whole call. */
  {
    librdf_statement *bad = st3(plain("lit", NULL), librdf_new_node_from_node(p), iri("o"));
    librdf_statement *two[2];
    two[0] = v[0];
    two[1] = bad;
    ck_assert_int_ne(icx_storage_context_add_array(storage, c, two, 2, &added, NULL, NULL), 0);
    librdf_free_statement(bad);
  }
  free_batch(v, N, c, p);
}
END_TEST

/* The bulk path's term cache is bounded: when it is full it starts again.
 * With a 1 MiB bound every few terms fill it; ids must stay right (and
 * nothing may touch the memory it let go, which the sanitizer build
 * checks). */
START_TEST(term_cache_bound)
{
  enum { N = 20000 };
  librdf_statement **v = malloc(N * sizeof *v);
  librdf_node *c = iri("small"), *p = iri("p");
  size_t added = 0, i;
  char num[64];

  close_model();
  open_model("new='no',term-cache-mb='1'");
  for (i = 0; i < N; i++) {
    snprintf(num, sizeof num, "%zu-%s", i % 5000, "a long enough lexical form to fill it");
    v[i] = st3(librdf_new_node_from_blank_identifier(world, (const unsigned char *)num),
               librdf_new_node_from_node(p), plain(num, NULL));
  }
  ck_assert_int_eq(icx_storage_context_add_array(storage, c, v, N, &added, NULL, NULL), 0);
  ck_assert_int_eq(added, 5000);
  ck_assert_int_eq(count_in("small", NULL, NULL, NULL), 5000);
  {
    char *n = sql1("SELECT COUNT(*) FROM terms WHERE lex = ?1",
                   "4999-a long enough lexical form to fill it");
    ck_assert_str_eq(n, "2");    /* the blank node and the literal, once each */
    free(n);
  }
  free_batch(v, N, c, p);
}
END_TEST

/* The VM steps of the last icx_storage_context_ids() walk (a statement
 * that ran to its end), from SQLite's profile trace. */
static int last_steps;

static int
on_profile(unsigned type, void *ud, void *p, void *x)
{
  (void)ud;
  (void)x;
  if (type == SQLITE_TRACE_PROFILE && strstr(sqlite3_sql(p), "FROM postings_po WHERE"))
    last_steps = sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 0);
  return 0;
}

static int
count_ids(void *ud, sqlite3_int64 s, sqlite3_int64 p, sqlite3_int64 o)
{
  (void)s;
  (void)p;
  (void)o;
  ++*(int *)ud;
  return 0;
}

/* A streaming bulk load gives each quad its object's number itself (not
 * read back from terms): it must be the number terms holds, and none for
 * what is not a number, whatever the numeric datatype.  (The terms are the
 * ones check_loader's quads_carry_their_objects_numbers loads from Turtle;
 * this suite reads the tables, that one the store's calls.) */
START_TEST(bulk_quads_carry_their_objects_numbers)
{
#define RES "http://www.csp/resOntology#"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define T_IRI(x) { ICX_TERM_IRI, x, sizeof x - 1, NULL, NULL }
#define T_LIT(x, dt) { ICX_TERM_LITERAL, x, sizeof x - 1, dt, NULL }
  static const icx_storage_term v[] = {
    T_IRI(EX "c"), T_IRI(RDF_TYPE), T_IRI(RES "Cloud"),
    T_IRI(EX "c"), T_IRI(RES "cloudName"), T_LIT("5", NULL),
    T_IRI(EX "c"), T_IRI(RES "offers"), T_IRI(EX "s"),
    T_IRI(EX "c"), T_IRI(RES "offers"), T_IRI(EX "t"),
    T_IRI(EX "s"), T_IRI(RDF_TYPE), T_IRI(RES "StorageService"),
    T_IRI(EX "s"), T_IRI(RES "availability"), T_LIT("99.5", XSD "decimal"),
    T_IRI(EX "s"), T_IRI(RES "replicationFactor"), T_LIT("03", XSD "int"),
    T_IRI(EX "t"), T_IRI(RDF_TYPE), T_IRI(RES "StorageService"),
    T_IRI(EX "t"), T_IRI(RES "availability"), T_LIT("9.95E1", XSD "double"),
    T_IRI(EX "t"), T_IRI(RES "replicationFactor"), T_LIT("4", XSD "integer"),
    T_IRI(EX "t"), T_IRI(RES "tierCountry"), T_IRI(RES "JP")
  };
  librdf_node *c = iri("doc");
  icx_storage_bulk *b;
  char *got;

  ck_assert_int_eq(librdf_model_transaction_start(model), 0);
  ck_assert_ptr_nonnull(b = icx_storage_bulk_new(NULL, storage, c));
  ck_assert_int_eq(icx_storage_bulk_add(b, v, sizeof v / sizeof v[0] / 3), 0);
  ck_assert_int_eq(icx_storage_bulk_added(b), 11);
  icx_storage_bulk_free(b);
  ck_assert_int_eq(librdf_model_transaction_commit(model), 0);
  got = sql1("SELECT count(*) || '|' || sum(q.num IS NOT t.num) || '|' || "
             "sum(q.num IS NOT NULL AND g.lex != 'urn:icx:meta') || '|' || "
             "sum(q.num = 99.5) FROM quads q "
             "JOIN terms t ON t.id = q.o JOIN terms g ON g.id = q.g", NULL);
  /* every quad as its term; the four numbers, not "5"; 99.5 and 9.95E1 */
  ck_assert_str_eq(got, "11|0|4|2");
  free(got);
  librdf_free_node(c);
#undef T_IRI
#undef T_LIT
#undef RES
#undef RDF_TYPE
}
END_TEST

/* graph_subjects lists each graph's subjects exactly: a subject stays
 * while one of its quads is left in the graph and goes with the last;
 * removing a graph removes its rows and leaves the other graphs' alone. */
START_TEST(graph_subjects_follow_the_quads)
{
  static const char listed[] =
    "SELECT count(*) || '|' || coalesce(group_concat(t.lex || '@' || g.lex, ' '), '')"
    " FROM (SELECT * FROM graph_subjects ORDER BY g, s) x"
    " JOIN terms t ON t.id = x.s JOIN terms g ON g.id = x.g";
  librdf_statement *x;
  librdf_node *c;
  char *got;

  add("g1", iri("a"), iri("p"), plain("1", NULL));
  add("g1", iri("a"), iri("q"), plain("2", NULL));
  add("g1", iri("b"), iri("p"), plain("3", NULL));
  add("g2", iri("a"), iri("p"), plain("1", NULL));
  add("g1", iri("a"), iri("p"), plain("1", NULL));        /* a duplicate */
  got = sql1(listed, NULL);
  ck_assert_str_eq(got, "3|" EX "a@" EX "g1 " EX "b@" EX "g1 " EX "a@" EX "g2");
  free(got);
  /* One of a's two quads in g1 removed: a stays listed there. */
  x = st3(iri("a"), iri("q"), plain("2", NULL));
  c = iri("g1");
  ck_assert_int_eq(librdf_model_context_remove_statement(model, c, x), 0);
  librdf_free_statement(x);
  got = sql1(listed, NULL);
  ck_assert_str_eq(got, "3|" EX "a@" EX "g1 " EX "b@" EX "g1 " EX "a@" EX "g2");
  free(got);
  /* The last one: a goes from g1, not from g2. */
  x = st3(iri("a"), iri("p"), plain("1", NULL));
  ck_assert_int_eq(librdf_model_context_remove_statement(model, c, x), 0);
  librdf_free_statement(x);
  got = sql1(listed, NULL);
  ck_assert_str_eq(got, "2|" EX "b@" EX "g1 " EX "a@" EX "g2");
  free(got);
  ck_assert_int_eq(count_in("g1", NULL, NULL, NULL), 1);
  ck_assert_int_eq(count_in("g2", NULL, NULL, NULL), 1);
  /* A whole graph: its quads and its rows, nothing of g2. */
  add("g1", iri("c"), iri("p"), plain("4", NULL));
  ck_assert_int_eq(librdf_model_context_remove_statements(model, c), 0);
  got = sql1(listed, NULL);
  ck_assert_str_eq(got, "1|" EX "a@" EX "g2");
  free(got);
  ck_assert_int_eq(count_in("g1", NULL, NULL, NULL), 0);
  ck_assert_int_eq(count_in("g2", NULL, NULL, NULL), 1);
  ck_assert_int_eq(librdf_model_size(model), 1);
  librdf_free_node(c);
}
END_TEST

/* A store of the version before (an index quads_g where graph_subjects
 * is) probes as such and is upgraded in place: the same statements, every
 * graph's subjects listed, the index gone, and finds by graph answer. */
/* What turns a store of this version into one of version 6: the index
 * quads_pos where postings_po is. */
#define DOWNGRADE_TO_6 \
  "DROP TABLE postings_po;" \
  "CREATE INDEX quads_pos ON quads (p, o, s);" \
  "UPDATE icx_meta SET value = '6' WHERE key = 'version';"
/* And into one of version 5: the index quads_num where postings_num is. */
#define DOWNGRADE_TO_5 \
  DOWNGRADE_TO_6 \
  "DROP TABLE postings_num;" \
  "CREATE INDEX quads_num ON quads (p, num, s) WHERE num IS NOT NULL;" \
  "UPDATE icx_meta SET value = '5' WHERE key = 'version';"
/* And into one of version 4: the term dictionary as one table of whole
 * texts. */
#define DOWNGRADE_TO_4 \
  DOWNGRADE_TO_5 \
  "CREATE TABLE old_terms (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, lex TEXT NOT NULL," \
  " dt INTEGER NOT NULL DEFAULT 0, lang TEXT NOT NULL DEFAULT '', num REAL);" \
  "INSERT INTO old_terms SELECT id, kind, lex, dt, lang, num FROM terms;" \
  "DROP VIEW terms; DROP TABLE term_rows; DROP TABLE namespaces;" \
  "ALTER TABLE old_terms RENAME TO terms;" \
  "CREATE UNIQUE INDEX terms_key ON terms (lex, kind, dt, lang);" \
  "UPDATE icx_meta SET value = '4' WHERE key = 'version';"

START_TEST(a_version_3_store_is_upgraded)
{
  static const char downgrade[] =
    DOWNGRADE_TO_4
    "DROP TABLE graph_subjects; CREATE INDEX quads_g ON quads (g);"
    "UPDATE icx_meta SET value = '3' WHERE key = 'version'";
  char err[256], wal[4096], *got;
  struct stat sb;
  sqlite3 *h;

  add("g1", iri("a"), iri("p"), plain("1", NULL));
  add("g1", iri("b"), iri("p"), plain("2", NULL));
  add("g2", iri("a"), iri("q"), plain("3", NULL));
  close_model();
  ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(h, downgrade, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  ck_assert_int_eq(icx_storage_probe(db, NULL, 0), ICX_STORAGE_PROBE_OLD);
  /* The storage itself reads one version only. */
  ck_assert_ptr_null(librdf_new_storage(world, ICX_STORAGE_NAME, db, "new='no'"));
  ck_assert_int_eq(icx_storage_upgrade(db, err, sizeof err), 0);
  ck_assert_int_eq(icx_storage_probe(db, NULL, 0), ICX_STORAGE_PROBE_OK);
  /* The WAL is left empty: a reader alone would otherwise read all of
   * it at every open (500 ms at 1M clouds, where a match takes 40). */
  snprintf(wal, sizeof wal, "%s-wal", db);
  ck_assert_int_eq(stat(wal, &sb), 0);
  ck_assert_int_eq(sb.st_size, 0);
  ck_assert_int_eq(icx_storage_upgrade(db, err, sizeof err), 0);   /* done already */
  open_model("new='no'");
  ck_assert_int_eq(librdf_model_size(model), 3);
  ck_assert_int_eq(count_in("g1", NULL, NULL, NULL), 2);
  ck_assert_int_eq(count_in("g2", NULL, NULL, NULL), 1);
  got = sql1("SELECT count(*) || '|' || (SELECT count(*) FROM sqlite_master"
             " WHERE name = 'quads_g') FROM graph_subjects", NULL);
  ck_assert_str_eq(got, "3|0");
  free(got);
  /* And the storage keeps it from now on. */
  add("g2", iri("c"), iri("q"), plain("4", NULL));
  got = sql1("SELECT count(*) FROM graph_subjects", NULL);
  ck_assert_str_eq(got, "4");
  free(got);
}
END_TEST

/* A store of version 4 (whole texts in one terms table) is upgraded in
 * place to namespaces and rests: every term keeps its id and its text,
 * the writers' lookups find the upgraded terms (adding the same
 * statements again adds no term), and the IRIs of one namespace share
 * its row. */
START_TEST(a_version_4_store_is_upgraded)
{
  static const char *const texts =
    "SELECT group_concat(id || '=' || kind || ':' || lex || '@' || lang || '^' || dt, ' ')"
    " FROM (SELECT * FROM terms ORDER BY id)";
  char err[256], *before, *after, *got;
  sqlite3 *h;

  add("g1", iri("a"), iri("p"), plain("1", NULL));
  add("g1", iri("b#frag"), iri("p"), plain("x/y:z", "en"));
  add("g1", iri("b#frag"), iri("q"), typed("7", "integer"));
  add("g2", librdf_new_node_from_uri_string(world, (const unsigned char *)"urn:isbn:123"),
      librdf_new_node_from_uri_string(world, (const unsigned char *)"nosep"), plain("é/ü", NULL));
  add("g2", librdf_new_node_from_blank_identifier(world, (const unsigned char *)"b1"),
      librdf_new_node_from_uri_string(world, (const unsigned char *)"http://x.example/dir/"),
      librdf_new_node_from_uri_string(world, (const unsigned char *)"http://x.example/é#ü"));
  before = sql1(texts, NULL);
  close_model();
  ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(h, DOWNGRADE_TO_4, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  ck_assert_int_eq(icx_storage_probe(db, err, sizeof err), ICX_STORAGE_PROBE_OLD);
  ck_assert_str_eq(err, "4");
  ck_assert_int_eq(icx_storage_upgrade(db, err, sizeof err), 0);
  ck_assert_int_eq(icx_storage_probe(db, NULL, 0), ICX_STORAGE_PROBE_OK);
  open_model("new='no'");
  after = sql1(texts, NULL);
  ck_assert_str_eq(after, before);
  free(after);
  got = sql1("SELECT group_concat(iri, ' ') FROM (SELECT iri FROM namespaces ORDER BY iri)",
             NULL);
  ck_assert_str_eq(got, EX " " EX "b# " XSD " http://x.example/dir/ "
                   "http://x.example/é# urn:isbn:");
  free(got);
  /* The same statements again: no term added, none twice. */
  add("g1", iri("b#frag"), iri("q"), typed("7", "integer"));
  add("g2", librdf_new_node_from_uri_string(world, (const unsigned char *)"urn:isbn:123"),
      librdf_new_node_from_uri_string(world, (const unsigned char *)"nosep"), plain("é/ü", NULL));
  after = sql1(texts, NULL);
  ck_assert_str_eq(after, before);
  free(after);
  free(before);
  ck_assert_int_eq(librdf_model_size(model), 5);
  ck_assert_int_eq(count_in("g2", NULL, NULL, NULL), 2);
}
END_TEST

/* Takes the open store down to version ver by downgrade (SQL), and has
 * it upgraded in place: probed old, then current; reopened, what pairs
 * (SQL through the virtual tables) reads is what it read before. */
static void
upgraded_from(const char *downgrade, const char *ver, const char *pairs)
{
  char err[256], *before, *after;
  sqlite3 *h;

  before = sql1(pairs, NULL);
  ck_assert_ptr_nonnull(before);
  close_model();
  ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(h, downgrade, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  ck_assert_int_eq(icx_storage_probe(db, err, sizeof err), ICX_STORAGE_PROBE_OLD);
  ck_assert_str_eq(err, ver);
  ck_assert_int_eq(icx_storage_upgrade(db, err, sizeof err), 0);
  ck_assert_int_eq(icx_storage_probe(db, NULL, 0), ICX_STORAGE_PROBE_OK);
  open_model("new='no'");
  after = sql1(pairs, NULL);
  ck_assert_str_eq(after, before);
  free(after);
  free(before);
}

/* A store of version 5 (an index quads_num) is upgraded in place to
 * postings_num: a pair for each numeric (s, p, o) whatever its graphs,
 * read back by range in number order, the index gone; and the storage
 * keeps the pairs from then on, a pair leaving with the last graph that
 * holds its quad. */
START_TEST(a_version_5_store_is_upgraded)
{
  static const char *const pairs =
    "SELECT group_concat(p || ':' || n || ':' || s || ':' || o, ' ') FROM"
    " (SELECT * FROM " ICX_SCHEMA_NUMS_VTAB " ORDER BY p, n, s, o)";
  char *got;

  add("g1", iri("a"), iri("p"), typed("7", "integer"));
  add("g2", iri("a"), iri("p"), typed("7", "integer"));      /* the same pair */
  add("g1", iri("a"), iri("p"), typed("7.0", "decimal"));    /* same number, another object */
  add("g1", iri("b"), iri("p"), typed("-2.5", "double"));
  add("g1", iri("b"), iri("q"), typed("1e300", "double"));
  add("g1", iri("c"), iri("p"), plain("8", NULL));            /* no number */
  upgraded_from(DOWNGRADE_TO_5, "5", pairs);
  got = sql1("SELECT count(*) || '|' || (SELECT count(*) FROM sqlite_master"
             " WHERE name = 'quads_num') FROM " ICX_SCHEMA_NUMS_VTAB, NULL);
  ck_assert_str_eq(got, "4|0");
  free(got);
  /* g1's copy goes, g2's keeps the pair; then g2's, and it goes. */
  ck_assert_int_eq(remove_in("g1", iri("a"), iri("p"), typed("7", "integer")), 0);
  got = sql1("SELECT count(*) FROM " ICX_SCHEMA_NUMS_VTAB, NULL);
  ck_assert_str_eq(got, "4");
  free(got);
  ck_assert_int_eq(remove_in("g2", iri("a"), iri("p"), typed("7", "integer")), 0);
  got = sql1("SELECT count(*) FROM " ICX_SCHEMA_NUMS_VTAB, NULL);
  ck_assert_str_eq(got, "3");
  free(got);
  /* A whole graph: its numbers leave with it. */
  add("g2", iri("d"), iri("p"), typed("3", "integer"));
  ck_assert_int_eq(remove_graph("g1"), 0);
  got = sql1("SELECT count(*) || '|' || sum(s = (SELECT id FROM terms WHERE lex = ?1))"
             " FROM " ICX_SCHEMA_NUMS_VTAB, EX "d");
  ck_assert_str_eq(got, "1|1");
  free(got);
}
END_TEST

/* A store of version 6 (an index quads_pos) is upgraded in place to
 * postings_po: a pair (s, g) a quad, in every graph and in none (g 0),
 * the same pairs as the storage kept, the index gone; and the storage
 * keeps them from then on. */
START_TEST(a_version_6_store_is_upgraded)
{
  static const char *const pairs =
    "SELECT group_concat(p || ':' || o || ':' || s || ':' || g, ' ') FROM"
    " (SELECT * FROM " ICX_SCHEMA_POS_VTAB " ORDER BY p, o, s, g)";
  char *got;

  add("g1", iri("a"), iri("p"), iri("x"));
  add("g2", iri("a"), iri("p"), iri("x"));
  add(NULL, iri("a"), iri("p"), iri("x"));                    /* no graph: g 0 */
  add("g1", iri("b"), iri("p"), typed("-2.5", "double"));
  add("g2", iri("b"), iri("q"), plain("y", "en"));
  upgraded_from(DOWNGRADE_TO_6, "6", pairs);
  got = sql1("SELECT count(*) || '|' || (SELECT count(*) FROM sqlite_master"
             " WHERE name = 'quads_pos') FROM " ICX_SCHEMA_POS_VTAB, NULL);
  ck_assert_str_eq(got, "5|0");
  free(got);
  /* Finds by predicate and object read them, in a graph, in none, in all. */
  ck_assert_int_eq(count_in("g2", NULL, iri("p"), iri("x")), 1);
  ck_assert_int_eq(count_find(NULL, iri("p"), iri("x")), 3);
  ck_assert_int_eq(count_find(NULL, iri("q"), NULL), 1);
  ck_assert_int_eq(remove_in("g1", iri("a"), iri("p"), iri("x")), 0);
  ck_assert_int_eq(count_find(NULL, iri("p"), iri("x")), 2);
  ck_assert_int_eq(remove_graph("g2"), 0);
  got = sql1("SELECT count(*) || '|' || (SELECT count(*) FROM quads) FROM "
             ICX_SCHEMA_POS_VTAB, NULL);
  ck_assert_str_eq(got, "2|2");
  free(got);
}
END_TEST

/* A graph removed among others that have many subjects gives up its
 * pairs one by one; one that is nearly the whole store goes with its
 * rows and the postings are built again from the rest.  Either way the
 * postings hold exactly the quads left, a pair by number staying while
 * another graph holds its quad. */
START_TEST(a_removed_graph_leaves_the_postings)
{
  static const char *const agree =
    "SELECT (SELECT count(*) FROM " ICX_SCHEMA_POS_VTAB ") || '|' || (SELECT count(*) FROM"
    " quads) || '|' || (SELECT count(*) FROM " ICX_SCHEMA_NUMS_VTAB ")";
  char name[32];
  char *got;
  int i;

  for (i = 0; i < 70; i++) {
    snprintf(name, sizeof name, "s%d", i);
    add("big", iri(name), iri("p"), iri("x"));
  }
  add("big", iri("a"), iri("n"), typed("5", "integer"));
  add("g1", iri("a"), iri("p"), iri("x"));
  add("g1", iri("a"), iri("n"), typed("5", "integer"));
  add("g1", iri("b"), iri("n"), typed("6", "integer"));
  got = sql1(agree, NULL);
  ck_assert_str_eq(got, "74|74|2");
  free(got);
  ck_assert_int_eq(remove_graph("g1"), 0);        /* 71 subjects elsewhere: pair by pair */
  got = sql1(agree, NULL);
  ck_assert_str_eq(got, "71|71|1");
  free(got);
  ck_assert_int_eq(count_find(NULL, iri("n"), typed("5", "integer")), 1);
  add("g1", iri("b"), iri("n"), typed("6", "integer"));
  ck_assert_int_eq(remove_graph("big"), 0);       /* nearly everything: built again */
  got = sql1(agree, NULL);
  ck_assert_str_eq(got, "1|1|1");
  free(got);
  ck_assert_int_eq(count_find(NULL, iri("n"), typed("6", "integer")), 1);
  ck_assert_int_eq(count_find(NULL, iri("p"), NULL), 0);
}
END_TEST

/* A build of the postings that fails halfway (a graph's removal that
 * builds them again) says SQLite's reason and leaves the store as it
 * was. */
START_TEST(a_failed_build_says_why)
{
  sqlite3 *h = icx_storage_db(storage);
  char name[32], *got;
  int i;

  for (i = 0; i < 70; i++) {
    snprintf(name, sizeof name, "s%d", i);
    add("big", iri(name), iri("p"), iri("x"));
  }
  add("g1", iri("a"), iri("p"), iri("x"));
  ck_assert_int_eq(sqlite3_exec(h, "CREATE TEMP TRIGGER full BEFORE INSERT ON postings_po"
                                " BEGIN SELECT RAISE(ABORT, 'no room for postings'); END",
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(remove_graph("big"), 0);       /* nearly everything: built again */
  ck_assert_ptr_nonnull(strstr(icx_storage_errmsg(icx_storage_inst_of(storage)),
                               "no room for postings"));
  ck_assert_int_eq(sqlite3_exec(h, "DROP TRIGGER temp.full", NULL, NULL, NULL), SQLITE_OK);
  got = sql1("SELECT (SELECT count(*) FROM quads) || '|' || (SELECT count(*) FROM "
             ICX_SCHEMA_POS_VTAB ")", NULL);
  ck_assert_str_eq(got, "71|71");
  free(got);
}
END_TEST

/* Finding who offers a service (the loader's graph check) reads the
 * chunks of that predicate and object, not the whole graph: the graph's
 * index (g, ...) had been chosen for it once, and at 20M triples a load
 * spent 12 s of its graph checks in such scans. */
START_TEST(walks_by_object_seek)
{
  enum { N = 4000 };
  librdf_statement **v = malloc(N * sizeof *v);
  librdf_node *c = iri("graph"), *p = iri("offers");
  sqlite3 *h = icx_storage_db(storage);
  sqlite3_int64 g, pid, oid;
  size_t added = 0, i;
  int found = 0;
  char num[32];

  for (i = 0; i < N; i++) {
    snprintf(num, sizeof num, "s%zu", i);
    v[i] = st3(librdf_new_node_from_blank_identifier(world, (const unsigned char *)num),
               librdf_new_node_from_node(p), iri(num));
  }
  ck_assert_int_eq(icx_storage_context_add_array(storage, c, v, N, &added, NULL, NULL), 0);
  g = icx_storage_iri_id(icx_storage_instance(storage), EX "graph");
  pid = icx_storage_iri_id(icx_storage_instance(storage), EX "offers");
  oid = icx_storage_iri_id(icx_storage_instance(storage), EX "s1234");
  ck_assert(g > 0 && pid > 0 && oid > 0);
  sqlite3_trace_v2(h, SQLITE_TRACE_PROFILE, on_profile, NULL);
  ck_assert_int_eq(icx_storage_context_ids(icx_storage_instance(storage), g, 0, pid, oid, count_ids, &found), 0);
  sqlite3_trace_v2(h, 0, NULL, NULL);
  ck_assert_int_eq(found, 1);
  ck_assert_msg(last_steps > 0 && last_steps < 100, "%d VM steps for one subject", last_steps);
  free_batch(v, N, c, p);
}
END_TEST

/* Two contexts, so two librdf worlds, on one file. */
START_TEST(two_worlds_share_a_file)
{
  icx_ctx *ctx2 = tu_ctx();
  librdf_world *w2 = storage_world(ctx2);
  librdf_storage *s2 = librdf_new_storage(w2, ICX_STORAGE_NAME, db, "new='no'");
  librdf_model *m2;
  librdf_statement *pat;

  ck_assert_ptr_nonnull(s2);
  m2 = librdf_new_model(w2, s2, NULL);
  add("g", iri("from1"), iri("p"), iri("o"));
  pat = librdf_new_statement_from_nodes(w2, NULL, NULL, NULL);
  ck_assert_int_eq(count_stream(librdf_model_find_statements(m2, pat)), 1);
  /* A transaction open in world 1 is invisible to world 2 until commit. */
  ck_assert_int_eq(librdf_model_transaction_start(model), 0);
  add("g", iri("from1b"), iri("p"), iri("o"));
  ck_assert_int_eq(count_stream(librdf_model_find_statements(m2, pat)), 1);
  ck_assert_int_eq(librdf_model_transaction_commit(model), 0);
  ck_assert_int_eq(count_stream(librdf_model_find_statements(m2, pat)), 2);
  {
    librdf_statement *x = librdf_new_statement_from_nodes(w2,
      librdf_new_node_from_uri_string(w2, (const unsigned char *)EX "from2"),
      librdf_new_node_from_uri_string(w2, (const unsigned char *)EX "p"),
      librdf_new_node_from_uri_string(w2, (const unsigned char *)EX "o"));
    ck_assert_int_eq(librdf_model_add_statement(m2, x), 0);
    librdf_free_statement(x);
  }
  ck_assert_int_eq(count_find(NULL, NULL, NULL), 3);
  librdf_free_statement(pat);
  librdf_free_model(m2);
  librdf_free_storage(s2);
  icx_ctx_free(ctx2);
}
END_TEST

typedef struct reader_arg {
  const char *path;
  int found;
} reader_arg;

/* A worker as icxd runs one: its own context, world and storage. */
static void *
reader(void *ud)
{
  reader_arg *a = ud;
  icx_ctx *c = icx_ctx_new();
  librdf_world *w = storage_world(c);
  librdf_storage *s = librdf_new_storage(w, ICX_STORAGE_NAME, a->path, "new='no'");
  librdf_model *m = s ? librdf_new_model(w, s, NULL) : NULL;
  int i;

  a->found = -1;
  for (i = 0; m && i < 20; i++) {
    librdf_statement *pat = librdf_new_statement_from_nodes(w, NULL, NULL, NULL);
    librdf_stream *st = librdf_model_find_statements(m, pat);
    int n = 0;
    for (; st && !librdf_stream_end(st); librdf_stream_next(st))
      n++;
    if (st)
      librdf_free_stream(st);
    librdf_free_statement(pat);
    a->found = n;
  }
  if (m)
    librdf_free_model(m);
  if (s)
    librdf_free_storage(s);
  icx_ctx_free(c);
  return NULL;
}

START_TEST(worlds_in_threads)
{
  pthread_t th[3];
  reader_arg args[3];
  int i;

  parse_into(model, doc_ttl, "doc");
  for (i = 0; i < 3; i++) {
    args[i].path = db;
    ck_assert_int_eq(pthread_create(&th[i], NULL, reader, &args[i]), 0);
  }
  for (i = 0; i < 3; i++) {
    pthread_join(th[i], NULL);
    ck_assert_int_eq(args[i].found, librdf_model_size(model));
  }
}
END_TEST

static Suite *
storage_suite(void)
{
  Suite *s = suite_create("storage");
  TCase *tc = tcase_create("icx");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, add_and_find_with_wildcards);
  tcase_add_test(tc, only_icx_storages_lend_a_connection);
  tcase_add_test(tc, contexts);
  tcase_add_test(tc, rollback_leaves_nothing);
  tcase_add_test(tc, statements_and_term_ids_persist);
  tcase_add_test(tc, foreign_files_do_not_open);
  tcase_add_test(tc, a_reader_goes_on_with_the_probes_connection);
  tcase_add_test(tc, a_reader_prepares_what_it_uses);
  tcase_add_test(tc, duplicates_are_no_ops);
  tcase_add_test(tc, literal_kinds);
  tcase_add_test(tc, serialise_a_context_and_parse_it_back);
  tcase_add_test(tc, rasqal_answers_as_on_the_memory_storage);
  tcase_add_test(tc, bulk_array_add);
  tcase_add_test(tc, term_cache_bound);
  tcase_add_test(tc, bulk_quads_carry_their_objects_numbers);
  tcase_add_test(tc, graph_subjects_follow_the_quads);
  tcase_add_test(tc, a_version_3_store_is_upgraded);
  tcase_add_test(tc, a_version_4_store_is_upgraded);
  tcase_add_test(tc, a_version_5_store_is_upgraded);
  tcase_add_test(tc, a_version_6_store_is_upgraded);
  tcase_add_test(tc, a_removed_graph_leaves_the_postings);
  tcase_add_test(tc, a_failed_build_says_why);
  tcase_add_test(tc, walks_by_object_seek);
  tcase_add_test(tc, two_worlds_share_a_file);
  tcase_add_test(tc, worlds_in_threads);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(storage_suite());
}

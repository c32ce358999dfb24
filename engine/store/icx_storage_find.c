/* icx_storage_find.c - the icx storage's streams: find_statements (and
 * serialise, and their in-context kin) as a librdf stream over one SQL
 * statement per shape of pattern, and get_contexts as an iterator.
 *
 * find_statements has one text per shape of pattern (which of s, p, o, g
 * are bound), prepared once per storage; a stream holds a reference on the
 * storage and its own step of SQL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_schema.h"
#include "icx_storage_internal.h"

/* Every find returns the quad's terms, joined in from the quads (%s)
 * outwards: the table quads, or, for a pattern with a predicate and no
 * subject, the postings by object read as rows (ICX_SCHEMA_POS_VTAB). */
static const char find_head[] =
  "SELECT q.g, ts.kind, ts.lex, tp.lex, tob.kind, tob.lex, tob.lang,"
  " (SELECT d.lex FROM terms d WHERE d.id = tob.dt), tg.lex"
  " FROM %s q CROSS JOIN terms ts ON ts.id = q.s CROSS JOIN terms tp ON tp.id = q.p"
  " CROSS JOIN terms tob ON tob.id = q.o LEFT JOIN terms tg ON tg.id = q.g";

/* --- finding: streams of statements ---------------------------------------------- */

typedef struct storage_find_ctx {
  icx_storage_inst *t;
  librdf_storage *storage;
  sqlite3_stmt *st;
  int shape;                  /* the cached statement's slot; -1: st is ours */
  librdf_statement *cur;
  librdf_node *cur_context;
  int done;
} storage_find_ctx;

/* The statement for a shape: the cached one when free, else a new one. */
static sqlite3_stmt *
storage_find_stmt(icx_storage_inst *t, int shape, int *slot)
{
  char sql[1024];
  sqlite3_stmt *st = NULL;
  size_t n;
  int by_po;

  if (t->find[shape] && !t->find_busy[shape]) {
    t->find_busy[shape] = 1;
    *slot = shape;
    return t->find[shape];
  }
  /* A predicate without subject is read by predicate (and object): from
   * the postings, unless a graph is bound with no object, whose subjects
   * then lead (below). */
  by_po = (shape & BOUND_P) && !(shape & BOUND_S) && ((shape & BOUND_O) || !(shape & BOUND_G));
  n = (size_t)snprintf(sql, sizeof sql, find_head, by_po ? ICX_SCHEMA_POS_VTAB : "quads");
  n += (size_t)snprintf(sql + n, sizeof sql - n, " WHERE 1");
  if (shape & BOUND_S)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND q.s = ?1");
  if (shape & BOUND_P)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND q.p = ?2");
  if (shape & BOUND_O)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND q.o = ?3");
  /* g is checked on the rows a subject, or a predicate and object, find;
   * else the graph's subjects (graph_subjects) are the rows to look at. */
  if (shape & BOUND_G)
    snprintf(sql + n, sizeof sql - n, " AND %sq.g = ?4",
             (shape & BOUND_S) || ((shape & BOUND_P) && (shape & BOUND_O))
               ? "+" : "q.s IN (SELECT s FROM graph_subjects WHERE g = ?4) AND ");
  else
    snprintf(sql + n, sizeof sql - n, " AND q.g <> ?5");   /* the hidden graph */
  if (sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    icx_storage_fail(t, "cannot prepare a search");
    return NULL;
  }
  if (!t->find[shape]) {
    t->find[shape] = st;
    t->find_busy[shape] = 1;
    *slot = shape;
  } else {
    *slot = -1;
  }
  return st;
}

/* Steps to the next row and builds its statement.  0 on a row, 1 at the
 * end or on error. */
static int
storage_find_fetch(storage_find_ctx *f)
{
  sqlite3_stmt *st = f->st;
  librdf_node *s, *p, *o, *g = NULL;
  int rc;

  if (f->cur) {
    librdf_free_statement(f->cur);
    f->cur = NULL;
  }
  if (f->cur_context) {
    librdf_free_node(f->cur_context);
    f->cur_context = NULL;
  }
  if (f->done)
    return 1;
  rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    if (rc != SQLITE_DONE)
      icx_storage_fail(f->t, "cannot read statements");
    f->done = 1;
    return 1;
  }
  s = icx_storage_node_new(f->t, sqlite3_column_int(st, 1), sqlite3_column_text(st, 2),
                           sqlite3_column_bytes(st, 2), NULL, NULL);
  p = icx_storage_node_new(f->t, 1, sqlite3_column_text(st, 3), sqlite3_column_bytes(st, 3), NULL,
                           NULL);
  o = icx_storage_node_new(f->t, sqlite3_column_int(st, 4), sqlite3_column_text(st, 5),
                           sqlite3_column_bytes(st, 5), sqlite3_column_text(st, 6),
                           sqlite3_column_text(st, 7));
  if (sqlite3_column_int64(st, 0) != 0)
    g = icx_storage_node_new(f->t, 1, sqlite3_column_text(st, 8), sqlite3_column_bytes(st, 8),
                             NULL, NULL);
  if (!s || !p || !o || (sqlite3_column_int64(st, 0) != 0 && !g)) {
    if (s) librdf_free_node(s);
    if (p) librdf_free_node(p);
    if (o) librdf_free_node(o);
    if (g) librdf_free_node(g);
    f->done = 1;
    return 1;
  }
  f->cur = librdf_new_statement_from_nodes(f->t->world, s, p, o);
  f->cur_context = g;
  if (!f->cur) {
    f->done = 1;
    return 1;
  }
  return 0;
}

static int
storage_find_end(void *ud)
{
  storage_find_ctx *f = ud;

  return f->cur == NULL;
}

static int
storage_find_next(void *ud)
{
  return storage_find_fetch(ud);
}

static void *
storage_find_get(void *ud, int flags)
{
  storage_find_ctx *f = ud;

  if (flags == LIBRDF_ITERATOR_GET_METHOD_GET_OBJECT)
    return f->cur;
  if (flags == LIBRDF_ITERATOR_GET_METHOD_GET_CONTEXT)
    return f->cur_context;
  return NULL;
}

static void
storage_find_finished(void *ud)
{
  storage_find_ctx *f = ud;

  if (f->cur)
    librdf_free_statement(f->cur);
  if (f->cur_context)
    librdf_free_node(f->cur_context);
  if (f->st) {
    if (f->shape >= 0) {
      sqlite3_reset(f->st);
      sqlite3_clear_bindings(f->st);
      f->t->find_busy[f->shape] = 0;
    } else {
      sqlite3_finalize(f->st);
    }
  }
  if (f->storage)
    librdf_storage_remove_reference(f->storage);
  free(f);
}

librdf_stream *
icx_storage_find(librdf_storage *storage, librdf_statement *pattern, int has_context,
                 librdf_node *context)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  librdf_node *part[3] = { NULL, NULL, NULL };
  sqlite3_int64 id[4] = { 0, 0, 0, 0 };
  storage_find_ctx *f;
  librdf_stream *stream;
  int shape = 0, i;

  if (pattern) {
    part[0] = librdf_statement_get_subject(pattern);
    part[1] = librdf_statement_get_predicate(pattern);
    part[2] = librdf_statement_get_object(pattern);
  }
  for (i = 0; i < 3; i++) {
    if (!part[i])
      continue;
    shape |= 1 << i;
    id[i] = icx_storage_term_id(t, part[i], 0);
    if (id[i] < 0)
      return NULL;
    if (id[i] == 0)
      return librdf_new_empty_stream(t->world);   /* an unknown term matches nothing */
  }
  if (has_context) {
    shape |= BOUND_G;
    if (context) {
      id[3] = icx_storage_context_id(t, context, 0);
      if (id[3] < 0)
        return NULL;
      if (id[3] == 0 || (t->hide_named && id[3] == icx_storage_hidden(t)))
        return librdf_new_empty_stream(t->world);
    }
  }
  f = calloc(1, sizeof *f);
  if (!f)
    return NULL;
  f->t = t;
  f->st = storage_find_stmt(t, shape, &f->shape);
  if (!f->st) {
    free(f);
    return NULL;
  }
  f->storage = storage;
  librdf_storage_add_reference(storage);
  for (i = 0; i < 4; i++)
    if (shape & (1 << i))
      sqlite3_bind_int64(f->st, i + 1, id[i]);
  if (!(shape & BOUND_G))
    sqlite3_bind_int64(f->st, 5, icx_storage_hidden(t));
  storage_find_fetch(f);
  stream = librdf_new_stream(t->world, f, storage_find_end, storage_find_next, storage_find_get,
                             storage_find_finished);
  if (!stream)
    storage_find_finished(f);
  return stream;
}

/* --- contexts ------------------------------------------------------------------------- */

typedef struct storage_ctx_iter {
  icx_storage_inst *t;
  librdf_storage *storage;
  sqlite3_stmt *st;
  librdf_node *cur;
} storage_ctx_iter;

static void
storage_ctx_fetch(storage_ctx_iter *c)
{
  if (c->cur) {
    librdf_free_node(c->cur);
    c->cur = NULL;
  }
  if (c->st) {
    int rc = sqlite3_step(c->st);
    if (rc == SQLITE_ROW)
      c->cur = librdf_new_node_from_uri_string(c->t->world, sqlite3_column_text(c->st, 0));
    else if (rc != SQLITE_DONE)
      icx_storage_fail(c->t, "cannot read contexts");
  }
}

static int
storage_ctx_end(void *ud)
{
  return ((storage_ctx_iter *)ud)->cur == NULL;
}

static int
storage_ctx_next(void *ud)
{
  storage_ctx_fetch(ud);
  return ((storage_ctx_iter *)ud)->cur == NULL;
}

static void *
storage_ctx_get(void *ud, int flags)
{
  storage_ctx_iter *c = ud;

  return flags == LIBRDF_ITERATOR_GET_METHOD_GET_OBJECT ? c->cur : NULL;
}

static void
storage_ctx_finished(void *ud)
{
  storage_ctx_iter *c = ud;

  if (c->cur)
    librdf_free_node(c->cur);
  sqlite3_finalize(c->st);
  if (c->storage)
    librdf_storage_remove_reference(c->storage);
  free(c);
}

librdf_iterator *
icx_storage_contexts(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  storage_ctx_iter *c = calloc(1, sizeof *c);
  librdf_iterator *it;

  if (!c)
    return NULL;
  c->t = t;
  if (sqlite3_prepare_v2(t->db, "SELECT t.lex FROM (SELECT DISTINCT g FROM graph_subjects"
                         " WHERE g <> 0 AND g <> ?1) x"
                         " CROSS JOIN terms t ON t.id = x.g ORDER BY t.lex", -1, &c->st,
                         NULL) != SQLITE_OK) {
    icx_storage_fail(t, "cannot list contexts");
    free(c);
    return NULL;
  }
  sqlite3_bind_int64(c->st, 1, icx_storage_hidden(t));
  c->storage = storage;
  librdf_storage_add_reference(storage);
  storage_ctx_fetch(c);
  it = librdf_new_iterator(t->world, c, storage_ctx_end, storage_ctx_next, storage_ctx_get,
                           storage_ctx_finished);
  if (!it)
    storage_ctx_finished(c);
  return it;
}

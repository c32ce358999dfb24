/* icx_storage_ids.c - the icx storage's reads by term id: the id of an
 * IRI, a term's text for messages, the quads of a graph in three shapes and
 * the subjects of one index range (icx_storage.h; icx_store_ids.h calls
 * them for the layers above the store).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_storage_internal.h"
#include "icx_util.h"

/* --- the hidden graph ------------------------------------------------------------ */

int
icx_storage_set_hidden(icx_storage_inst *t, const char *iri)
{
  char *copy = NULL;

  if (!t || t->magic != icx_storage_magic)
    return -1;
  if (iri && !(copy = strdup(iri)))
    return -1;
  free(t->hidden_iri);
  t->hidden_iri = copy;
  t->hidden_g = 0;
  return 0;
}

void
icx_storage_hide_named(icx_storage_inst *t, int on)
{

  if (t && t->magic == icx_storage_magic)
    t->hide_named = on;
}

icx_id
icx_storage_hidden_graph(icx_storage_inst *t)
{
  sqlite3_int64 id;

  if (!t || t->magic != icx_storage_magic)
    return 0;
  id = icx_storage_hidden(t);
  return id > 0 ? id : 0;
}

/* A term's id never changes once committed (terms are never deleted), so
 * it is kept once read outside a transaction of ours: one written in an
 * open transaction may yet be rolled back and its id given to another
 * term. */
sqlite3_int64
icx_storage_hidden(icx_storage_inst *t)
{
  sqlite3_int64 id;

  if (t->hidden_g > 0 || !t->hidden_iri)
    return t->hidden_g > 0 ? t->hidden_g : -1;
  id = icx_storage_term_lookup(t, 1, (const unsigned char *)t->hidden_iri,
                               strlen(t->hidden_iri), 0, NULL, NULL, 0);
  if (id > 0 && !t->cache_on)
    t->hidden_g = id;
  return id > 0 ? id : -1;
}

/* --- term ids, for checking what a load wrote ------------------------------------ */

sqlite3_int64
icx_storage_iri_id(icx_storage_inst *t, const char *iri)
{

  if (!t || t->magic != icx_storage_magic || !iri)
    return -1;
  return icx_storage_term_lookup(t, 1, (const unsigned char *)iri, strlen(iri), 0, NULL, NULL, 0);
}

char *
icx_storage_term_text(icx_storage_inst *t, sqlite3_int64 id)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  if (!t || t->magic != icx_storage_magic)
    return NULL;
  if (sqlite3_prepare_v2(t->db, "SELECT kind, lex FROM terms WHERE id = ?1", -1, &st, NULL) !=
      SQLITE_OK) {
    icx_storage_fail(t, "cannot prepare a term lookup");
    return NULL;
  }
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    int kind = sqlite3_column_int(st, 0);
    const char *lex = (const char *)sqlite3_column_text(st, 1);
    icx_buf b;
    icx_buf_init(&b, NULL);
    icx_buf_appendf(&b, kind == 1 ? "<%s>" : kind == 2 ? "_:%s" : "\"%s\"", lex ? lex : "");
    out = icx_buf_take(&b);
  }
  sqlite3_finalize(st);
  return out;
}

/* Other graphs' subjects at most this many: a whole graph is read in one
 * scan of the primary key rather than subject by subject. */
#define WALK_SCAN_OTHERS 64
#define WALK_STR(x) WALK_STR_(x)
#define WALK_STR_(x) #x

/* The text of each ids_slot's statement.  A whole graph is read subject
 * by subject (graph_subjects), or in one scan of the primary key when it
 * is nearly the whole store (the same order: 1.0 s against 2.4 for the
 * 20M quads of a million clouds, a seek a subject); the probe counts the
 * other graphs' subjects up to WALK_SCAN_OTHERS on each side (two
 * seeks).  The quads with a predicate and object, and every walk by
 * object or number, read the postings (icx_storage_postings.c). */
static const char *const ids_sql[IDS_COUNT] = {
  [IDS_GRAPH_BY_SUBJECT] =
    "SELECT s, p, o FROM quads WHERE s IN (SELECT s FROM graph_subjects WHERE g = ?1)"
    " AND g = ?1 ORDER BY s, p, o",
  [IDS_GRAPH_SCAN] = "SELECT s, p, o FROM quads WHERE g = ?1 ORDER BY s, p, o",
  [IDS_GRAPH_PROBE] =
    "SELECT (SELECT count(*) FROM (SELECT 1 FROM graph_subjects WHERE g < ?1"
    " LIMIT " WALK_STR(WALK_SCAN_OTHERS) ")) + (SELECT count(*) FROM (SELECT 1 FROM"
    " graph_subjects WHERE g > ?1 LIMIT " WALK_STR(WALK_SCAN_OTHERS) "))",
  [IDS_SUBJECT_PREDICATE] = "SELECT s, p, o FROM quads WHERE s = ?2 AND p = ?3 AND g = ?1",
};

/* The statement of slot k, prepared at its first use.  NULL when it
 * cannot be prepared (what names the failure) or runs already (a walk
 * from inside its own callback). */
static sqlite3_stmt *
storage_ids_stmt(icx_storage_inst *t, enum ids_slot k, const char *what)
{
  if (!t->ids_q[k] &&
      sqlite3_prepare_v3(t->db, ids_sql[k], -1, SQLITE_PREPARE_PERSISTENT, &t->ids_q[k],
                         NULL) != SQLITE_OK) {
    icx_storage_fail(t, what);
    return NULL;
  }
  return sqlite3_stmt_busy(t->ids_q[k]) ? NULL : t->ids_q[k];
}

int
icx_storage_graph_is_store(icx_storage_inst *t, sqlite3_int64 g)
{
  sqlite3_stmt *st = storage_ids_stmt(t, IDS_GRAPH_PROBE, "cannot prepare a scan");
  int rc, others = 0;

  if (!st)
    return -1;
  sqlite3_bind_int64(st, 1, g);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW)
    others = sqlite3_column_int(st, 0);
  sqlite3_reset(st);
  if (rc != SQLITE_ROW)
    return icx_storage_fail(t, "cannot read a graph");
  return others < WALK_SCAN_OTHERS;
}

int
icx_storage_context_ids(icx_storage_inst *t, sqlite3_int64 g, sqlite3_int64 s,
                        sqlite3_int64 p, sqlite3_int64 o, icx_storage_ids_fn fn, void *ud)
{
  sqlite3_stmt *st;
  enum ids_slot k;
  int rc;

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  if (!s && !p && !o) {
    if ((rc = icx_storage_graph_is_store(t, g)) < 0)
      return -1;
    k = rc ? IDS_GRAPH_SCAN : IDS_GRAPH_BY_SUBJECT;
  } else if (s && p && !o)
    k = IDS_SUBJECT_PREDICATE;
  else if (!s && p && o)
    return icx_storage_predicate_object_ids(t, g, p, o, fn, ud);
  else
    return -1;
  if (!(st = storage_ids_stmt(t, k, "cannot prepare a scan")))
    return -1;                /* or the same shape from inside its own callback */
  sqlite3_bind_int64(st, 1, g);
  if (k == IDS_SUBJECT_PREDICATE) {
    sqlite3_bind_int64(st, 2, s);
    sqlite3_bind_int64(st, 3, p);
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           sqlite3_column_int64(st, 2)))
      break;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return icx_storage_fail(t, "cannot read a graph");
  return 0;
}

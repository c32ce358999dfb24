/* icx_store_changes.c - reading the store's change log (icx_store_ids.h,
 * "The change log"; the table is icx_schema.h's icx_changes, written by
 * icx_storage_log_change()), and a subject's quads in every graph: what a
 * reader needs to follow the store change by change. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"
#include "icx_store_ids.h"
#include "icx_store_internal.h"

_Static_assert(ICX_STORE_CHANGE_PUT == ICX_SCHEMA_CHANGE_PUT &&
               ICX_STORE_CHANGE_REMOVE == ICX_SCHEMA_CHANGE_REMOVE &&
               ICX_STORE_CHANGE_OTHER == ICX_SCHEMA_CHANGE_OTHER,
               "the change kinds are the values of icx_changes.kind");

/* Sets the failure of what on the store's context; a damaged file marks
 * the storage so (icx_store_failed() then says ICX_ERR_DAMAGED). */
static int
changes_fail(icx_store *store, const char *what)
{
  sqlite3 *db = icx_store_db(store);
  icx_storage_inst *t = icx_store_inst(store);

  if (db && t && icx_schema_damage(sqlite3_extended_errcode(db)))
    t->damaged = 1;
  icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "%s: %s", what,
           db ? sqlite3_errmsg(db) : "no store");
  return -1;
}

/* 1 when the store has a change log, 0 when not, -1 on an error. */
static int
changes_table(icx_store *store)
{
  sqlite3 *db = icx_store_db(store);
  sqlite3_stmt *st;
  int rc;

  if (!db || !(st = icx_store_stmt_get(store, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                              " AND name = 'icx_changes'")))
    return changes_fail(store, "cannot read the change log");
  rc = sqlite3_step(st);
  icx_store_stmt_put(store, st);
  if (rc == SQLITE_ROW)
    return 1;
  return rc == SQLITE_DONE ? 0 : changes_fail(store, "cannot read the change log");
}

/* The smallest and largest sequence numbers held (0, 0 when none). */
static int
changes_bounds(icx_store *store, long long *lo, long long *hi)
{
  sqlite3_stmt *st;
  int rc;

  *lo = *hi = 0;
  if (!(st = icx_store_stmt_get(store, "SELECT min(seq), max(seq) FROM icx_changes")))
    return changes_fail(store, "cannot read the change log");
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    *lo = sqlite3_column_int64(st, 0);
    *hi = sqlite3_column_int64(st, 1);
  }
  icx_store_stmt_put(store, st);
  return rc == SQLITE_ROW ? 0 : changes_fail(store, "cannot read the change log");
}

int
icx_store_change_last(icx_store *store, long long *seq)
{
  long long lo;
  int has;

  *seq = 0;
  if ((has = changes_table(store)) <= 0)
    return has;
  return changes_bounds(store, &lo, seq);
}

int
icx_store_changes_since(icx_store *store, long long since, icx_store_change_fn fn, void *ud)
{
  icx_ctx *ctx = icx_store_ctx(store);
  sqlite3_stmt *st;
  icx_id *before = NULL;
  size_t cap = 0;
  long long lo, hi;
  int has, rc, result = 0;

  if ((has = changes_table(store)) < 0)
    return -1;
  if (!has)
    return since == 0 ? 0 : 1;
  if (changes_bounds(store, &lo, &hi))
    return -1;
  if (since > hi || (hi > since && lo > since + 1))
    return 1;                   /* a log begun again, or pruned past since */
  if (hi == since)
    return 0;
  if (!(st = icx_store_stmt_get(store, "SELECT seq, g, kind, subjects FROM icx_changes"
                                       " WHERE seq > ?1 ORDER BY seq")))
    return changes_fail(store, "cannot read the change log");
  sqlite3_bind_int64(st, 1, since);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    icx_store_change c;
    const unsigned char *blob = sqlite3_column_blob(st, 3);
    size_t n = (size_t)sqlite3_column_bytes(st, 3) / 8, i;
    int b;

    memset(&c, 0, sizeof c);
    c.seq = sqlite3_column_int64(st, 0);
    c.graph = sqlite3_column_int64(st, 1);
    c.kind = (icx_store_change_kind)sqlite3_column_int(st, 2);
    if (c.kind != ICX_STORE_CHANGE_PUT && c.kind != ICX_STORE_CHANGE_REMOVE)
      c.kind = ICX_STORE_CHANGE_OTHER;   /* a kind this program does not know: anything */
    if (n > cap) {
      icx_id *nb = icx_realloc(ctx, before, n * sizeof *nb);
      if (!nb) {
        icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
        result = -1;
        break;
      }
      before = nb;
      cap = n;
    }
    for (i = 0; blob && i < n; i++) {
      unsigned long long v = 0;
      for (b = 7; b >= 0; b--)
        v = (v << 8) | blob[8 * i + b];
      before[i] = (icx_id)v;
    }
    c.before = blob ? before : NULL;
    c.n_before = blob ? n : 0;
    if (fn(ud, &c))
      break;
  }
  if (result == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
    result = changes_fail(store, "cannot read the change log");
  icx_store_stmt_put(store, st);
  icx_free(ctx, before);
  return result;
}

int
icx_store_subject_quads(icx_store *store, icx_id s, icx_store_po_fn fn, void *ud)
{
  sqlite3_stmt *st;
  int rc;

  if (!(st = icx_store_stmt_get(store, "SELECT p, o, num FROM quads WHERE s = ?1")))
    return changes_fail(store, "cannot read a subject");
  sqlite3_bind_int64(st, 1, s);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 2)))
      break;
  icx_store_stmt_put(store, st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return changes_fail(store, "cannot read a subject");
  return 0;
}

int
icx_store_change_token(icx_store *store, long long seq, unsigned long long *token)
{
  sqlite3 *db = icx_store_db(store);
  sqlite3_stmt *st;
  int has, rc, found = 0;

  *token = 0;
  if ((has = changes_table(store)) <= 0)
    return has < 0 ? -1 : 1;
  /* Prepared apart from the handle's cache: a log older than the token
   * column has no such column, which is an answer here, not an error. */
  if (!db || sqlite3_prepare_v2(db, "SELECT token FROM icx_changes WHERE seq = ?1", -1, &st,
                                NULL) != SQLITE_OK)
    return 1;
  sqlite3_bind_int64(st, 1, seq);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
    *token = (unsigned long long)sqlite3_column_int64(st, 0);
    found = *token != 0;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return changes_fail(store, "cannot read the change log");
  return found ? 0 : 1;
}

/* icx_storage_nums.c - the icx storage's postings by number
 * (postings_num, icx_schema.h): kept as quads are written, built whole
 * from the quads after a first load or by the upgrade from version 5, and
 * read by range.
 *
 * A quad (s, p, o, g) whose object has a number stands in postings_num as
 * the pair (s, o) under the key (p, icx_postings_num_key(num)): every
 * graph's copy of (s, p, o) is one pair, added with the first and
 * removed with the last.  Adds are idempotent, so a writer adds the pair
 * of every numeric quad it writes, new or not; a remove first asks
 * whether another graph still holds the quad (Q_CONTAINS).
 */
#include "config.h"

#include <stdio.h>

#include "icx_postings_vtab.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"

static const icx_postings_layout nums_layout = ICX_SCHEMA_NUMS_LAYOUT;

/* What a postings call's error code says, recorded as icx_storage_fail()
 * does; -1. */
static int
nums_fail(icx_storage_inst *t, int rc, const char *what)
{
  if (rc == ICX_POSTINGS_ERR_DAMAGED) {
    t->damaged = 1;
    snprintf(t->errmsg, sizeof t->errmsg, "%s: a row of postings_num is not a chunk (%s)",
             what, ICX_STORAGE_DAMAGED_NOTE);
    return -1;
  }
  return icx_storage_fail(t, what);
}

int
icx_storage_nums_open(icx_storage_inst *t)
{
  if (!(t->nums = icx_postings_table_new(t->db, &nums_layout)))
    return icx_storage_fail(t, "cannot prepare the postings by number");
  return 0;
}

int
icx_storage_nums_add(icx_storage_inst *t, sqlite3_int64 s, sqlite3_int64 p, sqlite3_int64 o,
                     double num)
{
  icx_posting e = { s, o };
  icx_id key;
  int rc;

  if (t->indexes_dropped)
    return 0;                 /* built whole when they are restored */
  if (icx_postings_num_key(num, &key))
    return 0;                 /* NaN: never a term's number */
  rc = icx_postings_table_add(t->nums, p, key, e);
  return rc < 0 ? nums_fail(t, rc, "cannot add a statement") : 0;
}

int
icx_storage_nums_remove(icx_storage_inst *t, sqlite3_int64 s, sqlite3_int64 p,
                        sqlite3_int64 o, sqlite3_int64 g, double num)
{
  sqlite3_stmt *st = t->q[Q_CONTAINS];
  icx_posting e = { s, o };
  icx_id key;
  int rc;

  if (t->indexes_dropped || icx_postings_num_key(num, &key))
    return 0;
  /* Another graph's copy keeps the pair. */
  sqlite3_bind_int64(st, 1, s);
  sqlite3_bind_int64(st, 2, p);
  sqlite3_bind_int64(st, 3, o);
  sqlite3_bind_int64(st, 4, g);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return 0;
  if (rc != SQLITE_DONE)
    return icx_storage_fail(t, "cannot remove a statement");
  rc = icx_postings_table_remove(t->nums, p, key, e);
  return rc < 0 ? nums_fail(t, rc, "cannot remove a statement") : 0;
}

int
icx_storage_nums_build(sqlite3 *db, int from_index, char *err, size_t n)
{
  /* The table scanned and the numeric quads sorted, as CREATE INDEX
   * quads_num did: left to itself, SQLite would rather read quads_pos
   * (p, o, s) for the order of p and look every quad's number up by key
   * (14 s against 2.6 at a million clouds; NOT INDEXED does not keep it
   * off an index of a table WITHOUT ROWID, the unary + does).  An
   * upgrade reads quads_num, which is in the order wanted. */
  const char *sql = from_index
    ? "SELECT p, num, s, o FROM quads INDEXED BY quads_num WHERE num IS NOT NULL"
      " ORDER BY p, num, s, o"
    : "SELECT p, num, s, o FROM quads WHERE num IS NOT NULL ORDER BY +p, num, s, o";
  icx_postings_table *pt = NULL;
  sqlite3_stmt *st = NULL;
  icx_posting last = { 0, 0 };
  icx_id last_p = 0, last_key = 0;
  int rc = SQLITE_OK, prc = 0;

  /* Read in the key's order (by num, which icx_postings_num_key() keeps). */
  if (sqlite3_exec(db, "DELETE FROM postings_num", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
      !(pt = icx_postings_table_new(db, &nums_layout)))
    goto failed;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    icx_id p = sqlite3_column_int64(st, 0), key;
    icx_posting e = { sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3) };
    if (icx_postings_num_key(sqlite3_column_double(st, 1), &key))
      continue;
    /* One pair for the copies of (s, p, o) in several graphs. */
    if (p == last_p && key == last_key && !icx_posting_cmp(e, last))
      continue;
    if ((prc = icx_postings_table_append(pt, p, key, e)) < 0)
      goto failed;
    last_p = p, last_key = key, last = e;
  }
  if (rc != SQLITE_DONE || (prc = icx_postings_table_flush(pt)) < 0)
    goto failed;
  sqlite3_finalize(st);
  icx_postings_table_free(pt);
  return 0;
failed:
  if (n)
    snprintf(err, n, "cannot build the postings by number: %s",
             prc == ICX_POSTINGS_ERR_DAMAGED ? "a quad with an id below 1"
             : prc == ICX_POSTINGS_ERR_ORDER ? "the quads came out of order"
             : sqlite3_errmsg(db));
  sqlite3_finalize(st);
  icx_postings_table_free(pt);
  return -1;
}

/* A walk's callback: each pair's subject to the caller's id_fn, or its
 * number and subject to number_fn. */
typedef struct nums_walk {
  icx_storage_id_fn id_fn;
  icx_storage_number_fn number_fn;
  void *ud;
} nums_walk;

static int
nums_each(void *ud, icx_id b, const icx_posting *v, size_t n)
{
  nums_walk *w = ud;
  double num = w->number_fn ? icx_postings_num_value(b) : 0;
  size_t i;

  for (i = 0; i < n; i++)
    if (w->number_fn ? w->number_fn(w->ud, num, v[i].x) : w->id_fn(w->ud, v[i].x))
      return 1;
  return 0;
}

int
icx_storage_subjects_in_range(icx_storage_inst *t, icx_id p, double lo, double hi,
                              icx_storage_id_fn fn, void *ud)
{
  nums_walk w = { fn, NULL, ud };
  icx_id klo, khi;
  int rc;

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  if (icx_postings_num_key(lo, &klo) || icx_postings_num_key(hi, &khi) || klo > khi)
    return 0;                 /* NaN or an empty range: no number lies in it */
  rc = icx_postings_table_walk_range(t->nums, p, klo, khi, nums_each, &w);
  return rc < 0 ? nums_fail(t, rc, "cannot read subjects") : 0;
}

int
icx_storage_predicate_numbers(icx_storage_inst *t, icx_id p, icx_storage_number_fn fn,
                              void *ud)
{
  nums_walk w = { NULL, fn, ud };
  int rc;

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  rc = icx_postings_table_walk(t->nums, p, 0, nums_each, &w);
  return rc < 0 ? nums_fail(t, rc, "cannot read a predicate") : 0;
}

int
icx_storage_nums_vtab(icx_storage_inst *t)
{
  if (!t || t->magic != icx_storage_magic)
    return -1;
  if (t->nums_vtab)
    return 0;
  if (icx_postings_vtab_register(t->db) != SQLITE_OK ||
      icx_storage_exec(t, ICX_SCHEMA_NUMS_VTAB_SQL))
    return icx_storage_fail(t, "cannot read the postings by number through SQL");
  t->nums_vtab = 1;
  return 0;
}

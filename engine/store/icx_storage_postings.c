/* icx_storage_postings.c - the icx storage's postings (icx_schema.h):
 * postings_po, every quad by predicate and object, and postings_num, the
 * numeric quads by predicate and number; kept as quads are written, built
 * whole from the quads after a first load or by an upgrade, and walked.
 *
 * A quad (s, p, o, g) is the pair (s, g) under the key (p, o) in
 * postings_po: one pair a quad, added with it and removed with it.  A
 * quad whose object has a number is also the pair (s, o) under (p,
 * icx_postings_num_key(num)) in postings_num, where every graph's copy of
 * (s, p, o) is one pair, added with the first and removed with the last.
 * Adds are idempotent, so a writer adds the pairs of every quad it
 * writes, new or not; a remove from postings_num first asks whether
 * another graph still holds the quad (Q_CONTAINS).
 *
 * Each kind of walk reads its own table handle (t->walks), so that a walk
 * may run another kind from inside its callback, as the statements by
 * slot of icx_storage_ids.c may; the same kind from inside itself is
 * refused (ICX_POSTINGS_ERR_BUSY).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "icx_postings_sort.h"
#include "icx_postings_vtab.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"

static const icx_postings_layout pos_layout = ICX_SCHEMA_POS_LAYOUT;
static const icx_postings_layout nums_layout = ICX_SCHEMA_NUMS_LAYOUT;

/* What a postings call's error code says, recorded as icx_storage_fail()
 * does; -1. */
static int
postings_fail(icx_storage_inst *t, int rc, const char *what)
{
  if (rc == ICX_POSTINGS_ERR_DAMAGED) {
    t->damaged = 1;
    snprintf(t->errmsg, sizeof t->errmsg, "%s: a row of the postings is not a chunk (%s)",
             what, ICX_STORAGE_DAMAGED_NOTE);
    return -1;
  }
  if (rc == ICX_POSTINGS_ERR_BUSY) {
    snprintf(t->errmsg, sizeof t->errmsg, "%s: a walk from inside a walk of its kind", what);
    return -1;
  }
  return icx_storage_fail(t, what);
}

/* t->pos and t->nums prepared, on the first write of a posting (a
 * reader never needs them).  0, or -1 after icx_storage_fail(). */
static int
postings_tables(icx_storage_inst *t)
{
  if (t->pos && t->nums)
    return 0;
  if ((!t->pos && !(t->pos = icx_postings_table_new(t->db, &pos_layout))) ||
      (!t->nums && !(t->nums = icx_postings_table_new(t->db, &nums_layout))))
    return icx_storage_fail(t, "cannot prepare the postings");
  return 0;
}

void
icx_storage_postings_close(icx_storage_inst *t)
{
  int i;

  icx_postings_table_free(t->pos);
  icx_postings_table_free(t->nums);
  for (i = 0; i < W_COUNT; i++)
    icx_postings_table_free(t->walks[i]);
}

int
icx_storage_postings_add(icx_storage_inst *t, sqlite3_int64 s, sqlite3_int64 p,
                         sqlite3_int64 o, sqlite3_int64 g, int has_num, double num)
{
  icx_posting by_o = { s, g }, by_num = { s, o };
  icx_id key;
  int rc;

  if (t->indexes_dropped)
    return 0;                 /* built whole when they are restored */
  if (postings_tables(t))
    return -1;
  if ((rc = icx_postings_table_add(t->pos, p, o, by_o)) < 0)
    return postings_fail(t, rc, "cannot add a statement");
  if (!has_num || icx_postings_num_key(num, &key))
    return 0;                 /* no number (NaN is never a term's) */
  rc = icx_postings_table_add(t->nums, p, key, by_num);
  return rc < 0 ? postings_fail(t, rc, "cannot add a statement") : 0;
}

int
icx_storage_postings_remove(icx_storage_inst *t, sqlite3_int64 s, sqlite3_int64 p,
                            sqlite3_int64 o, sqlite3_int64 g, int has_num, double num)
{
  sqlite3_stmt *st;
  icx_posting by_o = { s, g }, by_num = { s, o };
  icx_id key;
  int rc;

  if (t->indexes_dropped)
    return 0;
  if (postings_tables(t) || !(st = icx_storage_q(t, Q_CONTAINS)))
    return -1;
  if ((rc = icx_postings_table_remove(t->pos, p, o, by_o)) < 0)
    return postings_fail(t, rc, "cannot remove a statement");
  if (!has_num || icx_postings_num_key(num, &key))
    return 0;
  /* Another graph's copy keeps the pair by number. */
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
  rc = icx_postings_table_remove(t->nums, p, key, by_num);
  return rc < 0 ? postings_fail(t, rc, "cannot remove a statement") : 0;
}

/* The table being made again: pairs come sorted, a copy of the pair
 * before them (a quad's number in another graph) taken once. */
typedef struct build_sink {
  icx_postings_table *pt;
  icx_id a, b;
  icx_posting last;
  int prc;                    /* what the table said, when it refused */
} build_sink;

static int
build_append(void *ud, icx_id a, icx_id b, icx_posting e)
{
  build_sink *k = ud;

  if (a == k->a && b == k->b && !icx_posting_cmp(e, k->last))
    return 0;
  if ((k->prc = icx_postings_table_append(k->pt, a, b, e)) < 0)
    return -1;
  k->a = a, k->b = b, k->last = e;
  return 0;
}

/* The table of layout emptied, and its handle for build_append(); NULL
 * with why in err. */
static icx_postings_table *
build_start(sqlite3 *db, const icx_postings_layout *layout, char *err, size_t n)
{
  icx_postings_table *pt;
  char del[64];

  snprintf(del, sizeof del, "DELETE FROM %s", layout->table);
  if (sqlite3_exec(db, del, NULL, NULL, NULL) == SQLITE_OK &&
      (pt = icx_postings_table_new(db, layout)))
    return pt;
  if (n)
    snprintf(err, n, "cannot build %s: %s", layout->table, sqlite3_errmsg(db));
  return NULL;
}

/* Flushes k's table, frees it, and says why a build failed in err: 0
 * when it did not (failed 0), else -1. */
static int
build_end(sqlite3 *db, const icx_postings_layout *layout, build_sink *k, int failed, int sorter,
          char *err, size_t n)
{
  if (!failed && (k->prc = icx_postings_table_flush(k->pt)) < 0)
    failed = 1;
  /* Said before the table's statements are finalized, which would take
   * SQLite's message away. */
  if (failed && n)
    snprintf(err, n, "cannot build %s: %s", layout->table,
             k->prc == ICX_POSTINGS_ERR_DAMAGED ? "a quad with an id below 1"
             : k->prc == ICX_POSTINGS_ERR_ORDER ? "the quads came out of order"
             : sorter && !k->prc ? strerror(errno)
             : sqlite3_errmsg(db));
  icx_postings_table_free(k->pt);
  k->pt = NULL;
  return failed ? -1 : 0;
}

/* An upgrade's build: the table of layout made again from sql's rows
 * (four ids, or with numbers an id, a number and two ids), which come in
 * its key's order from the index the table replaces.  0, or -1 with why
 * in err (n bytes). */
static int
postings_from_index(sqlite3 *db, const icx_postings_layout *layout, const char *sql, int numbers,
                    char *err, size_t n)
{
  build_sink k = { 0 };
  sqlite3_stmt *st = NULL;
  int rc = SQLITE_OK;

  if (!(k.pt = build_start(db, layout, err, n)))
    return -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return build_end(db, layout, &k, 1, 0, err, n);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    icx_id a = sqlite3_column_int64(st, 0), b = sqlite3_column_int64(st, 1);
    icx_posting e = { sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3) };
    if (numbers && icx_postings_num_key(sqlite3_column_double(st, 1), &b))
      continue;
    if (build_append(&k, a, b, e))
      break;
  }
  rc = build_end(db, layout, &k, rc != SQLITE_DONE, 0, err, n);
  sqlite3_finalize(st);
  return rc;
}

int
icx_storage_pos_build(sqlite3 *db, char *err, size_t n)
{
  return postings_from_index(db, &pos_layout, "SELECT p, o, s, g FROM quads INDEXED BY quads_pos"
                             " ORDER BY p, o, s, g", 0, err, n);
}

int
icx_storage_nums_build(sqlite3 *db, char *err, size_t n)
{
  return postings_from_index(db, &nums_layout, "SELECT p, num, s, o FROM quads INDEXED BY"
                             " quads_num WHERE num IS NOT NULL ORDER BY p, num, s, o", 1, err, n);
}

/* One table made again from its sorter. */
static int
build_from_sorter(sqlite3 *db, const icx_postings_layout *layout, icx_postings_sort *ps,
                  char *err, size_t n)
{
  build_sink k = { 0 };
  int rc;

  if (!(k.pt = build_start(db, layout, err, n)))
    return -1;
  errno = 0;
  rc = icx_postings_sort_walk(ps, build_append, &k);
  return build_end(db, layout, &k, rc != 0, 1, err, n);
}

int
icx_storage_postings_build(icx_storage_inst *t)
{
  /* The quads in their key's order (s, p, o, g) give the pairs of each
   * key of both tables in order: the sorters gather them by key
   * (icx_postings_sort.h). */
  icx_postings_sort *pos = icx_postings_sort_new(0),
                    *nums = icx_postings_sort_new(ICX_POSTINGS_SORT_RUN / 4);
  sqlite3_stmt *st = NULL;
  int rc = SQLITE_OK, failed = !pos || !nums;

  if (!failed && sqlite3_prepare_v2(t->db, "SELECT s, p, o, g, num FROM quads"
                                    " ORDER BY s, p, o, g", -1, &st, NULL) != SQLITE_OK)
    failed = 2;
  while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    icx_id s = sqlite3_column_int64(st, 0), p = sqlite3_column_int64(st, 1),
           o = sqlite3_column_int64(st, 2), key;
    icx_posting sg = { s, sqlite3_column_int64(st, 3) }, so = { s, o };
    if (icx_postings_sort_add(pos, p, o, sg) ||
        (sqlite3_column_type(st, 4) != SQLITE_NULL &&
         !icx_postings_num_key(sqlite3_column_double(st, 4), &key) &&
         icx_postings_sort_add(nums, p, key, so)))
      failed = 1;
  }
  if (!failed && rc != SQLITE_DONE)
    failed = 2;
  if (failed == 1)
    snprintf(t->errmsg, sizeof t->errmsg, "cannot build the postings: %s", strerror(errno));
  else if (failed)
    snprintf(t->errmsg, sizeof t->errmsg, "cannot build the postings: %s",
             sqlite3_errmsg(t->db));
  sqlite3_finalize(st);
  if (!failed && build_from_sorter(t->db, &pos_layout, pos, t->errmsg, sizeof t->errmsg))
    failed = 3;
  icx_postings_sort_free(pos);
  if (!failed && build_from_sorter(t->db, &nums_layout, nums, t->errmsg, sizeof t->errmsg))
    failed = 3;
  icx_postings_sort_free(nums);
  return failed ? -1 : 0;
}

/* --- walks ------------------------------------------------------------------------ */

/* The handle of one kind of walk, made at its first use.  NULL after
 * icx_storage_fail(). */
static icx_postings_table *
postings_walker(icx_storage_inst *t, enum walk_kind k)
{
  if (!t->walks[k] &&
      !(t->walks[k] = icx_postings_table_new(t->db, k == W_NUMBERS || k == W_NUMS_RANGE
                                                      ? &nums_layout : &pos_layout)))
    icx_storage_fail(t, "cannot prepare a walk of the postings");
  return t->walks[k];
}

/* A walk's callback: each pair to one of the caller's functions. */
typedef struct postings_walk {
  icx_storage_id_fn id_fn;           /* the pair's x: a subject */
  icx_storage_number_fn number_fn;   /* the key's number and the subject */
  icx_storage_ids_fn ids_fn;         /* (s, p, o) of the pairs of graph g */
  icx_storage_pair_fn pair_fn;       /* (o, s): the key's b and the subject */
  icx_id p, g;
  void *ud;
} postings_walk;

static int
postings_each(void *ud, icx_id b, const icx_posting *v, size_t n)
{
  postings_walk *w = ud;
  double num = w->number_fn ? icx_postings_num_value(b) : 0;
  size_t i;

  for (i = 0; i < n; i++) {
    int stop = w->number_fn ? w->number_fn(w->ud, num, v[i].x)
               : w->pair_fn ? w->pair_fn(w->ud, b, v[i].x)
               : w->ids_fn ? (v[i].y == w->g && w->ids_fn(w->ud, v[i].x, w->p, b))
               : w->id_fn(w->ud, v[i].x);
    if (stop)
      return 1;
  }
  return 0;
}

/* Runs walk k under (a, b) (b 0: every b), or of [lo, hi] for
 * W_NUMS_RANGE.  0 or -1. */
static int
postings_walk_run(icx_storage_inst *t, enum walk_kind k, icx_id a, icx_id b, icx_id hi,
                  postings_walk *w, const char *what)
{
  icx_postings_table *pt = postings_walker(t, k);
  int rc;

  if (!pt)
    return -1;
  rc = k == W_NUMS_RANGE ? icx_postings_table_walk_range(pt, a, b, hi, postings_each, w)
                         : icx_postings_table_walk(pt, a, b, postings_each, w);
  return rc < 0 ? postings_fail(t, rc, what) : 0;
}

int
icx_storage_subjects_in_range(icx_storage_inst *t, icx_id p, double lo, double hi,
                              icx_storage_id_fn fn, void *ud)
{
  postings_walk w = { .id_fn = fn, .ud = ud };
  icx_id klo, khi;

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  if (icx_postings_num_key(lo, &klo) || icx_postings_num_key(hi, &khi) || klo > khi)
    return 0;                 /* NaN or an empty range: no number lies in it */
  return postings_walk_run(t, W_NUMS_RANGE, p, klo, khi, &w, "cannot read subjects");
}

int
icx_storage_predicate_numbers(icx_storage_inst *t, icx_id p, icx_storage_number_fn fn,
                              void *ud)
{
  postings_walk w = { .number_fn = fn, .ud = ud };

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  return postings_walk_run(t, W_NUMBERS, p, 0, 0, &w, "cannot read a predicate");
}

int
icx_storage_subjects_with(icx_storage_inst *t, icx_id p, icx_id o, icx_storage_id_fn fn,
                          void *ud)
{
  postings_walk w = { .id_fn = fn, .ud = ud };

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  if (p <= 0 || o <= 0)
    return 0;                 /* 0 would walk every object */
  return postings_walk_run(t, W_SUBJECTS_WITH, p, o, 0, &w, "cannot read subjects");
}

int
icx_storage_predicate_pairs(icx_storage_inst *t, icx_id p, icx_storage_pair_fn fn, void *ud)
{
  postings_walk w = { .pair_fn = fn, .ud = ud };

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  return postings_walk_run(t, W_PAIRS, p, 0, 0, &w, "cannot read a predicate");
}

int
icx_storage_predicate_object_ids(icx_storage_inst *t, icx_id g, icx_id p, icx_id o,
                                 icx_storage_ids_fn fn, void *ud)
{
  postings_walk w = { .ids_fn = fn, .p = p, .g = g, .ud = ud };

  if (p <= 0 || o <= 0)
    return 0;
  return postings_walk_run(t, W_GRAPH_PO, p, o, 0, &w, "cannot read a graph");
}

/* Made when the connection opens (storage_open_db()); later calls find
 * them made. */
int
icx_storage_vtabs(icx_storage_inst *t)
{
  if (!t || t->magic != icx_storage_magic)
    return -1;
  if (t->vtabs)
    return 0;
  if (icx_postings_vtab_register(t->db) != SQLITE_OK ||
      icx_storage_exec(t, ICX_SCHEMA_VTABS_SQL))
    return icx_storage_fail(t, "cannot read the postings through SQL");
  t->vtabs = 1;
  return 0;
}

/* icx_storage_bulk.c - the icx storage's bulk path: adding an array of
 * librdf statements (icx_storage_context_add_array) and streaming loads of
 * plain terms (icx_storage_bulk_*), with the term cache, sorted multi-row
 * inserts and, for a large load into a small store, the secondary indexes
 * dropped and built again.  This is the load path: hundreds of thousands
 * of statements a second.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"

#define PROGRESS_EVERY 65536
/* A bulk load of at least this many statements, and at least as many as
 * the store holds, drops the secondary indexes of quads and builds them
 * again after: sorting once beats a million random B-tree inserts
 * (measured: 1M statements into an empty store, 2.7 s with the indexes
 * kept, 1.1 s dropped and rebuilt). */
#define REINDEX_MIN 100000

/* A bulk load resolves each statement's terms first, then writes the
 * quads sorted by primary key, so that the B-trees grow mostly at their
 * right edge.  A quad's term ids; num is the object's number when has_num
 * is 1. */
typedef struct storage_id3 {
  sqlite3_int64 s, p, o;
  double num;
  int has_num;
} storage_id3;

static int
storage_cmp_id3(const void *a, const void *b)
{
  const storage_id3 *x = a, *y = b;

  if (x->s != y->s)
    return x->s < y->s ? -1 : 1;
  if (x->p != y->p)
    return x->p < y->p ? -1 : 1;
  if (x->o != y->o)
    return x->o < y->o ? -1 : 1;
  return 0;
}

/* Node pointer -> id, for one bulk call: the statements are borrowed for
 * the whole call, so a pointer names one term throughout, and parsers
 * share one node among the statements that repeat it. */
#define PMEMO_SIZE 4096

typedef struct storage_pmemo {
  const void *ptr[PMEMO_SIZE];
  sqlite3_int64 id[PMEMO_SIZE];
} storage_pmemo;

static sqlite3_int64
storage_memo_term_id(icx_storage_inst *t, storage_pmemo *m, librdf_node *n)
{
  size_t k = ((uintptr_t)n >> 4) & (PMEMO_SIZE - 1);
  sqlite3_int64 id;

  if (n && m->ptr[k] == n)
    return m->id[k];
  id = icx_storage_term_id(t, n, 1);
  if (id > 0) {
    m->ptr[k] = n;
    m->id[k] = id;
  }
  return id;
}

/* Quads a bulk insert writes per statement: one INSERT of many rows keeps
 * its cursors on the three B-trees where the last row went, which in
 * sorted order is next to where the next one goes (measured: 2M quads,
 * 4.5 s one row at a time, 2.7 s 32 at a time). */
#define INSERT_ROWS 32

/* The statement inserting rows quads (INSERT_ROWS or 1), each row's
 * number a parameter, prepared on first use. */
static sqlite3_stmt *
storage_insert_stmt(icx_storage_inst *t, size_t rows)
{
  sqlite3_stmt **slot = rows > 1 ? &t->ins_rows_num : &t->ins_num;
  char sql[80 + 48 * INSERT_ROWS];
  size_t k, len;

  if (*slot)
    return *slot;
  len = (size_t)snprintf(sql, sizeof sql,
                         "INSERT OR IGNORE INTO quads (s, p, o, g, num) VALUES ");
  for (k = 0; k < rows; k++)
    len += (size_t)snprintf(sql + len, sizeof sql - len, "%s(?%zu,?%zu,?%zu,?%zu,?%zu)",
                            k ? "," : "", 5 * k + 1, 5 * k + 2, 5 * k + 3, 5 * k + 4,
                            5 * k + 5);
  if (sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
    icx_storage_fail(t, "cannot prepare the bulk insert");
    return NULL;
  }
  return *slot;
}

/* Writes the quads ids[0..n-1] (sorted by storage_cmp_id3; duplicates are dropped
 * in place) into g; *count grows by the number that were new.  Each
 * quad's number is its has_num/num, as the terms row of its object has
 * it (the caller worked it out).  Progress, when given, runs over the
 * second half of n.  0 or -1. */
static int
storage_insert_ids(icx_storage_inst *t, storage_id3 *ids, size_t n, sqlite3_int64 g,
                   size_t *count, icx_storage_progress_fn progress, void *userdata)
{
  sqlite3_stmt *st;
  size_t i, k, u = 0;
  int rc;

  for (i = 0; i < n; i++)
    if (!u || storage_cmp_id3(&ids[i], &ids[u - 1]))
      ids[u++] = ids[i];
  for (i = 0; i < u;) {
    size_t rows = u - i >= INSERT_ROWS ? INSERT_ROWS : 1;
    if (!(st = storage_insert_stmt(t, rows)))
      return -1;
    for (k = 0; k < rows; k++, i++) {
      int at = (int)k * 5;
      sqlite3_bind_int64(st, at + 1, ids[i].s);
      sqlite3_bind_int64(st, at + 2, ids[i].p);
      sqlite3_bind_int64(st, at + 3, ids[i].o);
      sqlite3_bind_int64(st, at + 4, g);
      if (ids[i].has_num)
        sqlite3_bind_double(st, at + 5, ids[i].num);
      else
        sqlite3_bind_null(st, at + 5);
      if (progress && i % PROGRESS_EVERY == PROGRESS_EVERY - 1)
        progress(userdata, n / 2 + (i + 1) * n / u / 2, n);
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      return icx_storage_fail(t, "cannot add a statement");
    *count += (size_t)sqlite3_changes(t->db);
  }
  /* Their postings, new or not (adds are idempotent); nothing while
   * they are set aside (icx_storage_postings.c). */
  for (i = 0; !t->indexes_dropped && i < u; i++)
    if (icx_storage_postings_add(t, ids[i].s, ids[i].p, ids[i].o, g, ids[i].has_num,
                                 ids[i].num))
      return -1;
  /* The graph's subjects: one row a subject, not a trigger a quad
   * (icx_schema.h); rows sorted by subject come in runs. */
  if (!(st = icx_storage_q(t, Q_SUBJ_INS)))
    return -1;
  for (i = 0; i < u; i++) {
    if (i && ids[i].s == ids[i - 1].s)
      continue;
    sqlite3_bind_int64(st, 1, g);
    sqlite3_bind_int64(st, 2, ids[i].s);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      return icx_storage_fail(t, "cannot add a statement");
  }
  return 0;
}

/* The number of a quad's object, as its terms row has it (x->o resolved):
 * x->has_num and x->num set.  0 or -1. */
static int
storage_object_num(icx_storage_inst *t, librdf_node *o, storage_id3 *x)
{
  sqlite3_stmt *st;
  int rc;

  x->has_num = 0;
  if (!librdf_node_is_literal(o))
    return 0;
  if (!(st = icx_storage_q(t, Q_TERM_NUM)))
    return -1;
  sqlite3_bind_int64(st, 1, x->o);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    x->has_num = 1;
    x->num = sqlite3_column_double(st, 0);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : icx_storage_fail(t, "cannot add a statement");
}

int
icx_storage_context_add_array(librdf_storage *storage, librdf_node *context,
                              librdf_statement *const *v, size_t n, size_t *added,
                              icx_storage_progress_fn progress, void *userdata)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_int64 g;
  storage_id3 *ids = NULL;
  storage_pmemo *memo = NULL;
  size_t i, count = 0;
  int own, ok = 1, reindex = 0;

  if (added)
    *added = 0;
  if (!t || t->magic != icx_storage_magic || (n && !v))
    return 1;
  ids = malloc((n ? n : 1) * sizeof *ids);
  memo = calloc(1, sizeof *memo);
  if (!ids || !memo) {
    free(ids);
    free(memo);
    snprintf(t->errmsg, sizeof t->errmsg, "out of memory");
    return 1;
  }
  if (icx_storage_batch_begin(t, &own)) {
    free(ids);
    free(memo);
    return 1;
  }
  g = icx_storage_context_id(t, context, 1);
  if (g < 0 || icx_storage_note_write(t))
    ok = 0;
  for (i = 0; ok && i < n; i++) {
    if (!icx_storage_valid_statement(v[i])) {
      snprintf(t->errmsg, sizeof t->errmsg, "a statement needs an IRI or blank subject and "
               "an IRI predicate");
      ok = 0;
      break;
    }
    ids[i].s = storage_memo_term_id(t, memo, librdf_statement_get_subject(v[i]));
    ids[i].p = storage_memo_term_id(t, memo, librdf_statement_get_predicate(v[i]));
    ids[i].o = storage_memo_term_id(t, memo, librdf_statement_get_object(v[i]));
    if (ids[i].s <= 0 || ids[i].p <= 0 || ids[i].o <= 0 ||
        storage_object_num(t, librdf_statement_get_object(v[i]), &ids[i]))
      ok = 0;
    if (progress && (i + 1) % PROGRESS_EVERY == 0)
      progress(userdata, (i + 1) / 2, n);
  }
  if (ok && n > 1)
    qsort(ids, n, sizeof *ids, storage_cmp_id3);
  /* librdf_storage_size() is this module's size method. */
  if (ok && n >= REINDEX_MIN && (size_t)librdf_storage_size(storage) <= n) {
    if (icx_storage_schema_drop_indexes(t))
      ok = 0;
    else
      reindex = 1;
  }
  if (ok && storage_insert_ids(t, ids, n, g, &count, progress, userdata))
    ok = 0;
  if (ok && reindex && icx_storage_schema_build_indexes(t))
    ok = 0;
  if (ok && progress)
    progress(userdata, n, n);
  free(ids);
  free(memo);
  if (icx_storage_batch_end(t, own, ok))
    return 1;
  if (added)
    *added = count;
  return 0;
}

/* --- streaming bulk loads ------------------------------------------------------ */

/* A streaming load into a store without quads (a first load) drops the
 * secondary indexes of quads, to build them again once, sorted, when the
 * adds end (icx_storage_bulk_end(), or the commit): 19 s against 25 s
 * for the 20M quads of a million clouds (doc/performance.md, "Indexes
 * built after a first load").  How many quads will come is not known
 * here; into an empty store, dropping and building is cheap whatever
 * the size.  0 or -1. */
static int
storage_bulk_set_aside(icx_storage_inst *t)
{
  sqlite3_stmt *st = NULL;
  int rc, empty;

  if (t->indexes_dropped)
    return 0;
  if (sqlite3_prepare_v2(t->db, "SELECT 1 FROM quads LIMIT 1", -1, &st, NULL) != SQLITE_OK)
    return icx_storage_fail(t, "cannot read the quads");
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return icx_storage_fail(t, "cannot read the quads");
  empty = rc == SQLITE_DONE;
  if (!empty)
    return 0;
  if (icx_storage_schema_drop_indexes(t))
    return -1;
  t->indexes_dropped = 1;
  return 0;
}

/* The last IRI or blank node resolved in one position of a statement:
 * Turtle repeats a subject over consecutive statements. */
typedef struct storage_last_term {
  int kind;                   /* 0: none yet */
  sqlite3_int64 id;
  unsigned char *lex;
  size_t len, cap;
} storage_last_term;

struct icx_storage_bulk {
  icx_ctx *ctx;              /* whose allocator holds the batch */
  icx_storage_inst *t;
  sqlite3_int64 g;
  storage_id3 *ids;
  size_t cap;
  size_t added;
  int failed;
  storage_last_term last[3];
};

icx_storage_bulk *
icx_storage_bulk_new(icx_ctx *ctx, librdf_storage *storage, librdf_node *context)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  icx_storage_bulk *b;

  if (!t || t->magic != icx_storage_magic)
    return NULL;
  if (!t->in_tx) {
    snprintf(t->errmsg, sizeof t->errmsg, "a bulk load needs an open transaction");
    return NULL;
  }
  if (icx_storage_note_write(t))
    return NULL;
  if (!(b = icx_calloc(ctx, 1, sizeof *b))) {
    snprintf(t->errmsg, sizeof t->errmsg, "out of memory");
    return NULL;
  }
  b->ctx = ctx;
  b->t = t;
  b->g = icx_storage_context_id(t, context, 1);
  if (b->g < 0 || storage_bulk_set_aside(t)) {
    icx_free(ctx, b);
    return NULL;
  }
  return b;
}

int
icx_storage_bulk_end(icx_storage_bulk *b)
{
  if (!b || b->failed)
    return 1;
  return icx_storage_indexes_restore(b->t) ? 1 : 0;
}

int
icx_storage_indexes_restore(icx_storage_inst *t)
{
  if (!t->indexes_dropped)
    return 0;
  if (icx_storage_schema_build_indexes(t))
    return -1;
  t->indexes_dropped = 0;
  return 0;
}

int
icx_storage_indexes_ready(icx_storage_inst *t)
{
  return t && t->magic == icx_storage_magic ? icx_storage_indexes_restore(t) : -1;
}

void
icx_storage_bulk_free(icx_storage_bulk *b)
{
  icx_ctx *ctx = b ? b->ctx : NULL;
  int i;

  if (!b)
    return;
  for (i = 0; i < 3; i++)
    icx_free(ctx, b->last[i].lex);
  icx_free(ctx, b->ids);
  icx_free(ctx, b);
}

size_t
icx_storage_bulk_added(const icx_storage_bulk *b)
{
  return b ? b->added : 0;
}

/* The id of a plain term, created when missing; -1 on error. */
static sqlite3_int64
storage_plain_term_id(icx_ctx *ctx, icx_storage_inst *t, storage_last_term *last, const icx_storage_term *x)
{
  sqlite3_int64 dt = 0, id;

  if (x->kind == 3) {
    const char *dt_iri = icx_schema_literal_dt(x->dt);
    if (dt_iri) {
      dt = icx_storage_term_lookup(t, 1, (const unsigned char *)dt_iri, strlen(dt_iri), 0, NULL,
                                   NULL, 1);
      if (dt <= 0)
        return -1;
    }
    id = icx_storage_term_lookup(t, 3, (const unsigned char *)x->lex, x->len, dt, x->lang, dt_iri,
                                 1);
    return id > 0 ? id : -1;
  }
  if (last->kind == x->kind && last->len == x->len && !memcmp(last->lex, x->lex, x->len))
    return last->id;
  id = icx_storage_term_lookup(t, x->kind, (const unsigned char *)x->lex, x->len, 0, NULL, NULL, 1);
  if (id <= 0)
    return -1;
  if (x->len > last->cap) {
    unsigned char *nb = icx_realloc(ctx, last->lex, x->len * 2);
    if (!nb) {
      last->kind = 0;
      return id;              /* not remembering is not an error */
    }
    last->lex = nb;
    last->cap = x->len * 2;
  }
  memcpy(last->lex, x->lex, x->len);
  last->len = x->len;
  last->kind = x->kind;
  last->id = id;
  return id;
}

int
icx_storage_bulk_add(icx_storage_bulk *b, const icx_storage_term *v, size_t n)
{
  icx_ctx *ctx = b ? b->ctx : NULL;
  icx_storage_inst *t;
  size_t i, j;
  int ok = 1;

  if (!b || b->failed || (n && !v))
    return 1;
  t = b->t;
  if (n > b->cap) {
    storage_id3 *ni = icx_realloc(ctx, b->ids, n * sizeof *ni);
    if (!ni) {
      snprintf(t->errmsg, sizeof t->errmsg, "out of memory");
      b->failed = 1;
      return 1;
    }
    b->ids = ni;
    b->cap = n;
  }
  t->quiet = 1;
  for (i = 0; ok && i < n; i++) {
    const icx_storage_term *x = v + 3 * i;
    sqlite3_int64 *id[3];
    if ((x[0].kind != 1 && x[0].kind != 2) || x[1].kind != 1 || x[2].kind < 1 ||
        x[2].kind > 3) {
      snprintf(t->errmsg, sizeof t->errmsg, "a statement needs an IRI or blank subject and "
               "an IRI predicate");
      ok = 0;
      break;
    }
    id[0] = &b->ids[i].s;
    id[1] = &b->ids[i].p;
    id[2] = &b->ids[i].o;
    for (j = 0; ok && j < 3; j++)
      if ((*id[j] = storage_plain_term_id(b->ctx, t, &b->last[j], &x[j])) <= 0)
        ok = 0;
    /* The number terms.num holds for the object, worked out here rather
     * than read back with a seek per quad. */
    b->ids[i].has_num = x[2].kind == 3 && x[2].dt &&
                        icx_storage_numeric_value(x[2].dt, x[2].lex, &b->ids[i].num);
  }
  if (ok && n > 1)
    qsort(b->ids, n, sizeof *b->ids, storage_cmp_id3);
  if (ok && storage_insert_ids(t, b->ids, n, b->g, &b->added, NULL, NULL))
    ok = 0;
  t->quiet = 0;
  if (!ok)
    b->failed = 1;
  return ok ? 0 : 1;
}

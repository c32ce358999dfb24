/* icx_store_ids.c - the store's calls by term id (icx_store_ids.h): term
 * lookups, walks and the open document's writer, on the icx storage. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_schema.h"
#include "icx_storage.h"
#include "icx_store_ids.h"
#include "icx_store_internal.h"
#include "icx_util.h"

/* How many virtual-machine steps SQLite runs between two calls of an
 * interrupt test (a few tens of microseconds). */
#define STORE_INTERRUPT_STEPS 10000

icx_id
icx_store_iri_id(icx_store *store, const char *iri)
{
  return icx_storage_iri_id(icx_store_inst(store), iri);
}

char *
icx_store_term_text(icx_store *store, icx_id id)
{
  return icx_storage_term_text(icx_store_inst(store), id);
}

typedef struct store_id_at {
  icx_id id;
  size_t at;
} store_id_at;

static int
store_cmp_id_at(const void *a, const void *b)
{
  const store_id_at *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

icx_rc
icx_store_lex(icx_store *store, const icx_id *ids, size_t n, char **out)
{
  sqlite3 *db = icx_store_db(store);
  icx_ctx *ctx;
  sqlite3_stmt *st = NULL;
  icx_rc result = ICX_OK;
  store_id_at *order;
  size_t i;

  if (!store || !db || (n && (!ids || !out)))
    return ICX_ERR_MISUSE;
  ctx = icx_store_ctx(store);
  for (i = 0; i < n; i++)
    out[i] = NULL;
  /* In id order: consecutive lookups then walk the terms table forward,
   * mostly within pages already read (28k names at 100k clouds: 24 ms in
   * the order given, 20 ms sorted). */
  if (!(order = icx_malloc(ctx, (n + 1) * sizeof *order)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (i = 0; i < n; i++) {
    order[i].id = ids[i];
    order[i].at = i;
  }
  qsort(order, n, sizeof *order, store_cmp_id_at);
  if (!(st = icx_store_stmt_get(store, "SELECT lex FROM terms WHERE id = ?1"))) {
    icx_free(ctx, order);
    return icx_fail(ctx, ICX_ERR_STORE, "SQL path: %s", sqlite3_errmsg(db));
  }
  for (i = 0; i < n && result == ICX_OK; i++) {
    int rc;
    sqlite3_bind_int64(st, 1, order[i].id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW &&
        !(out[order[i].at] = icx_strdup(ctx, (const char *)sqlite3_column_text(st, 0))))
      result = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      result = icx_fail(ctx, ICX_ERR_STORE, "SQL path: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
  icx_store_stmt_put(store, st);
  icx_free(ctx, order);
  return result;
}

icx_id
icx_store_max_id(icx_store *store)
{
  sqlite3 *db = icx_store_db(store);
  sqlite3_stmt *st = NULL;
  icx_id top = -1;

  if (!db)
    return -1;
  if (sqlite3_prepare_v2(db, "SELECT max(id) FROM terms", -1, &st, NULL) == SQLITE_OK) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      top = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
      top = 0;
  }
  sqlite3_finalize(st);
  return top;
}

int
icx_store_walk(icx_store *store, icx_id g, icx_id s, icx_id p, icx_id o, icx_store_quad_fn fn,
               void *userdata)
{
  return icx_storage_context_ids(icx_store_inst(store), g, s, p, o, fn, userdata);
}

int
icx_store_subjects_in_range(icx_store *store, icx_id p, double lo, double hi,
                            icx_store_id_fn fn, void *userdata)
{
  return icx_storage_subjects_in_range(icx_store_inst(store), p, lo, hi, fn, userdata);
}

int
icx_store_subjects_with(icx_store *store, icx_id p, icx_id o, icx_store_id_fn fn,
                        void *userdata)
{
  return icx_storage_subjects_with(icx_store_inst(store), p, o, fn, userdata);
}

struct icx_store_writer {
  icx_ctx *ctx;
  icx_storage_bulk *bulk;
};

icx_store_writer *
icx_store_writer_new(icx_store *store)
{
  icx_ctx *ctx = icx_store_ctx(store);
  icx_store_writer *w;
  librdf_node *doc = icx_store_document_node(store);

  if (!doc || !(w = icx_calloc(ctx, 1, sizeof *w)))
    return NULL;
  w->ctx = ctx;
  if (!(w->bulk = icx_storage_bulk_new(ctx, icx_store_storage(store), doc))) {
    icx_free(ctx, w);
    return NULL;
  }
  return w;
}

int
icx_store_writer_add(icx_store_writer *w, const icx_term *v, size_t n)
{
  return w && !icx_storage_bulk_add(w->bulk, v, n) ? 0 : -1;
}

size_t
icx_store_writer_added(const icx_store_writer *w)
{
  return w ? icx_storage_bulk_added(w->bulk) : 0;
}

int
icx_store_writer_end(icx_store_writer *w)
{
  return w && !icx_storage_bulk_end(w->bulk) ? 0 : -1;
}

void
icx_store_writer_free(icx_store_writer *w)
{
  icx_ctx *ctx = w ? w->ctx : NULL;

  if (!w)
    return;
  icx_storage_bulk_free(w->bulk);
  icx_free(ctx, w);
}

int
icx_store_read_begin(icx_store *store)
{
  sqlite3 *db = icx_store_db(store);

  return db && sqlite3_get_autocommit(db) &&
         sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

icx_rc
icx_store_read_end(icx_store *store, int began, icx_rc rc)
{
  sqlite3 *db = icx_store_db(store);

  if (!began || !db)
    return rc;
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
    return rc;
  if (rc != ICX_OK) {          /* the reads' failure is the one to report */
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
  }
  icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "cannot end a read transaction: %s",
           sqlite3_errmsg(db));
  sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return ICX_ERR_STORE;
}

void
icx_store_set_interrupt(icx_store *store, int (*stop)(void *userdata), void *userdata)
{
  sqlite3 *db = icx_store_db(store);

  if (db)
    sqlite3_progress_handler(db, stop ? STORE_INTERRUPT_STEPS : 0, stop, stop ? userdata : NULL);
}

const char *
icx_store_errmsg(icx_store *store)
{
  return icx_storage_errmsg(icx_store_inst(store));
}

icx_id
icx_store_hidden_graph(icx_store *store)
{
  return icx_storage_hidden_graph(icx_store_inst(store));
}

void
icx_store_hide_bookkeeping(icx_store *store, int on)
{
  icx_storage_hide_named(icx_store_inst(store), on);
}

int
icx_store_text_terms(icx_store *store, const char *text, icx_store_id_fn fn, void *userdata)
{
  sqlite3 *db = store ? icx_store_db(store) : NULL;
  sqlite3_stmt *st;
  int rc;

  if (!store || !text || !fn)
    return -1;
  /* term_rows_key gives them from two index ranges at most. */
  if (!db || !(st = icx_store_stmt_get(store, "SELECT id FROM term_rows WHERE id IN "
                                       ICX_SCHEMA_TEXT_IDS("?1") " AND kind != 2"))) {
    icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "cannot read terms: %s",
             db ? sqlite3_errmsg(db) : "no store");
    return -1;
  }
  sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(userdata, sqlite3_column_int64(st, 0)))
      break;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "cannot read terms: %s", sqlite3_errmsg(db));
    icx_store_stmt_put(store, st);
    return -1;
  }
  icx_store_stmt_put(store, st);
  return 0;
}

int
icx_store_predicate_pairs(icx_store *store, icx_id p, icx_store_pair_fn fn, void *userdata)
{
  if (icx_storage_predicate_pairs(icx_store_inst(store), p, fn, userdata) == 0)
    return 0;
  icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "%s",
           icx_storage_errmsg(icx_store_inst(store)));
  return -1;
}

int
icx_store_predicate_numbers(icx_store *store, icx_id p, icx_store_number_fn fn, void *userdata)
{
  if (icx_storage_predicate_numbers(icx_store_inst(store), p, fn, userdata) == 0)
    return 0;
  icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "%s",
           icx_storage_errmsg(icx_store_inst(store)));
  return -1;
}

int
icx_store_generation(icx_store *store, icx_store_gen *gen)
{
  sqlite3 *db = icx_store_db(store);
  int rc;

  if (!db || !gen)
    return -1;
  if (!store->gen_st &&
      sqlite3_prepare_v3(db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
                         &store->gen_st, NULL) != SQLITE_OK) {
    icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "cannot read the store's version: %s",
             sqlite3_errmsg(db));
    return -1;
  }
  rc = sqlite3_step(store->gen_st);
  gen->version = rc == SQLITE_ROW ? sqlite3_column_int64(store->gen_st, 0) : -1;
  sqlite3_reset(store->gen_st);
  if (rc != SQLITE_ROW) {
    icx_fail(icx_store_ctx(store), ICX_ERR_STORE, "cannot read the store's version: %s",
             sqlite3_errmsg(db));
    return -1;
  }
  gen->changes = sqlite3_total_changes(db);   /* compared for equality only */
  return 0;
}

void
icx_store_attach(icx_store *store, void *p, void (*free_fn)(void *p))
{
  if (!store)
    return;
  if (store->attached && store->attached_free)
    store->attached_free(store->attached);
  store->attached = p;
  store->attached_free = p ? free_fn : NULL;
}

void *
icx_store_attached(const icx_store *store)
{
  return store ? store->attached : NULL;
}

/* icx_storage.c - icx's librdf storage module on SQLite: the factory and
 * librdf's storage methods (open, close, size, add, remove, contains,
 * transactions, features); find and contexts are icx_storage_find.c, the
 * term dictionary icx_storage_terms.c, the bulk path icx_storage_bulk.c,
 * reads by id icx_storage_ids.c and the schema icx_storage_schema.c
 * (icx_storage_internal.h lists them; the schema is icx_schema.h).
 *
 * Outline.  init() opens the connection and creates or checks the schema;
 * every SQL statement is a fixed text with bound parameters, prepared once
 * per storage.  Terms are looked up through an in-memory cache while a
 * transaction is open (the term cache: it is emptied when the transaction
 * ends, so rolled-back ids never outlive it).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icx_ctx_internal.h"
#include "icx_storage_internal.h"
#include "icx_util.h"

/* get_feature() answers this feature with "1" on an icx storage only: how
 * icx_storage_db() tells an icx storage from any other. */
#define FEATURE_ICX "urn:icx:storage#icx"

const char icx_storage_magic[] = "icx-storage";

static const char *const fixed_sql[Q_COUNT] = {
  /* A term by its namespace's id ?5 and the rest of its text ?1. */
  "SELECT id FROM term_rows WHERE local = ?1 AND ns = ?5 AND kind = ?2 AND dt = ?3"
  " AND lang = ?4",
  "INSERT OR IGNORE INTO term_rows (kind, ns, local, dt, lang, num)"
  " VALUES (?2, ?5, ?1, ?3, ?4, ?6)",
  "SELECT id FROM namespaces WHERE iri = ?1",
  "INSERT OR IGNORE INTO namespaces (iri) VALUES (?1)",
  /* A row back when the quad is new (with its number for postings_num). */
  "INSERT OR IGNORE INTO quads (s, p, o, g, num) VALUES (?1, ?2, ?3, ?4,"
  " (SELECT num FROM term_rows WHERE id = ?3)) RETURNING num",
  "DELETE FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4 RETURNING num",
  /* A graph's quads: its subjects, each one's range of the primary key. */
  "DELETE FROM quads WHERE s IN (SELECT s FROM graph_subjects WHERE g = ?1) AND g = ?1",
  /* graph_subjects, kept as quads are written (icx_schema.h). */
  "INSERT OR IGNORE INTO graph_subjects (g, s) VALUES (?1, ?2)",
  "DELETE FROM graph_subjects WHERE g = ?1 AND s = ?2"
  " AND NOT EXISTS (SELECT 1 FROM quads WHERE s = ?2 AND g = ?1)",
  "DELETE FROM graph_subjects WHERE g = ?1",
  /* A graph's quads, before they go (the postings). */
  "SELECT s, p, o, num FROM quads WHERE s IN (SELECT s FROM graph_subjects WHERE g = ?1)"
  " AND g = ?1",
  "SELECT 1 FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g <> ?4 LIMIT 1",
  "SELECT count(*) FROM quads WHERE g <> ?1",
  "SELECT num FROM term_rows WHERE id = ?1"
};

static const char *const sync_names[] = { "off", "normal", "full", NULL };

/* --- the module's shared helpers -------------------------------------------- */

int
icx_storage_fail(icx_storage_inst *t, const char *what)
{
  int code = t->db ? sqlite3_errcode(t->db) & 0xff : SQLITE_OK;

  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    t->damaged = 1;
  snprintf(t->errmsg, sizeof t->errmsg, "%s: %s%s", what,
           t->db ? sqlite3_errmsg(t->db) : "no connection",
           code == SQLITE_CORRUPT || code == SQLITE_NOTADB
             ? " (" ICX_STORAGE_DAMAGED_NOTE ")" : "");
  if (!t->quiet && t->world)
    librdf_log(t->world, 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE, NULL,
               "icx storage %s: %s", t->path ? t->path : "", t->errmsg);
  return -1;
}

int
icx_storage_exec(icx_storage_inst *t, const char *sql)
{
  if (sqlite3_exec(t->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return icx_storage_fail(t, sql);
  return 0;
}

static void
storage_cache_off(icx_storage_inst *t)
{
  icx_storage_cache_clear(&t->cache);
  t->cache_on = 0;
}

/* --- transactions ----------------------------------------------------------- */

/* Opens a unit of work: a savepoint inside the caller's transaction, else a
 * transaction of its own (*own set).  0 or -1. */
int
icx_storage_batch_begin(icx_storage_inst *t, int *own)
{
  *own = !t->in_tx;
  if (!*own)
    return icx_storage_exec(t, "SAVEPOINT icx_batch");
  if (icx_storage_exec(t, "BEGIN IMMEDIATE"))
    return -1;
  t->cache_on = 1;
  return 0;
}

/* Ends the unit: kept when ok, else undone.  0 or -1. */
int
icx_storage_batch_end(icx_storage_inst *t, int own, int ok)
{
  int rc = 0;

  if (own) {
    if (ok && (icx_storage_indexes_restore(t) || icx_storage_exec(t, "COMMIT")))
      ok = 0, rc = -1;
    if (!ok && !sqlite3_get_autocommit(t->db))
      sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
    t->indexes_dropped = 0;
    storage_cache_off(t);
    return ok ? 0 : -1;
  }
  if (ok)
    return icx_storage_exec(t, "RELEASE icx_batch");
  if (!sqlite3_get_autocommit(t->db)) {
    sqlite3_exec(t->db, "ROLLBACK TO icx_batch", NULL, NULL, NULL);
    sqlite3_exec(t->db, "RELEASE icx_batch", NULL, NULL, NULL);
  }
  icx_storage_cache_clear(&t->cache);    /* ids added since the savepoint are gone */
  return rc ? rc : -1;
}

static int
storage_transaction_start(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);

  if (t->in_tx)
    return 1;
  if (icx_storage_exec(t, "BEGIN IMMEDIATE"))
    return 1;
  t->in_tx = 1;
  t->cache_on = 1;
  return 0;
}

static int
storage_transaction_commit(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);

  if (!t->in_tx)
    return 1;
  /* A bulk load's indexes, if its end was not called. */
  if (icx_storage_indexes_restore(t) || icx_storage_exec(t, "COMMIT"))
    return 1;                 /* still open: the caller rolls back */
  t->in_tx = 0;
  storage_cache_off(t);
  return 0;
}

static int
storage_transaction_rollback(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  int rc = 0;

  if (!t->in_tx)
    return 1;
  /* SQLite may have rolled back already (I/O error, full disk). */
  if (!sqlite3_get_autocommit(t->db) && icx_storage_exec(t, "ROLLBACK"))
    rc = 1;
  t->in_tx = 0;
  t->indexes_dropped = 0;     /* the drop is undone with the rest */
  storage_cache_off(t);
  return rc;
}

/* --- init / terminate --------------------------------------------------------- */

sqlite3_stmt *
icx_storage_q(icx_storage_inst *t, int which)
{
  if (!t->q[which] && sqlite3_prepare_v3(t->db, fixed_sql[which], -1,
                                         SQLITE_PREPARE_PERSISTENT, &t->q[which],
                                         NULL) != SQLITE_OK) {
    sqlite3_finalize(t->q[which]);
    t->q[which] = NULL;
    icx_storage_fail(t, "cannot prepare the storage's statements");
  }
  return t->q[which];
}

/* SQLite's busy handler: waits for another connection's lock, in growing
 * naps, up to t->wait_ms in all; says so through wait_fn once the wait
 * has lasted ICX_STORAGE_WAIT_SAY_MS.  1 to try again, 0 to give up. */
static int
storage_busy(void *ud, int count)
{
  static const long naps_ms[] = { 1, 2, 5, 10, 20, 50, 100 };
  icx_storage_inst *t = ud;
  double now = icx_now_ms(), left;
  long nap = naps_ms[count < 6 ? count : 6];
  struct timespec ts;

  if (count == 0) {
    t->wait_start = now;
    t->wait_said = 0;
  }
  left = (double)t->wait_ms - (now - t->wait_start);
  if (left <= 0)
    return 0;
  if (!t->wait_said && t->wait_fn && now - t->wait_start >= ICX_STORAGE_WAIT_SAY_MS) {
    t->wait_said = 1;
    t->wait_fn(t->wait_ud, t->wait_ms);
  }
  if ((double)nap > left)
    nap = (long)left + 1;
  ts.tv_sec = nap / 1000;
  ts.tv_nsec = (nap % 1000) * 1000000L;
  nanosleep(&ts, NULL);
  return 1;
}

void
icx_storage_set_wait(icx_storage_inst *t, long timeout_ms, icx_storage_wait_fn fn,
                     void *userdata)
{
  if (!t)
    return;
  t->wait_ms = timeout_ms > 0 ? timeout_ms : 0;
  t->wait_fn = fn;
  t->wait_ud = fn ? userdata : NULL;
}

int
icx_storage_vacuum(icx_storage_inst *t)
{
  if (!t || t->magic != icx_storage_magic)
    return -1;
  if (t->in_tx || t->cache_on) {
    snprintf(t->errmsg, sizeof t->errmsg, "cannot vacuum inside a transaction");
    return -1;
  }
  return icx_storage_exec(t, "VACUUM");
}

int
icx_storage_damaged(icx_storage_inst *t)
{
  return t ? t->damaged : 0;
}

static int
storage_open_db(icx_storage_inst *t)
{
  int flags = (t->readonly && !t->is_new ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
              SQLITE_OPEN_NOMUTEX | (t->is_new ? SQLITE_OPEN_CREATE : 0);
  char pragma[64];
  int persist = 1, adopted = t->db != NULL;

  if (!adopted && sqlite3_open_v2(t->path, &t->db, flags, NULL) != SQLITE_OK)
    return icx_storage_fail(t, "cannot open");
  sqlite3_extended_result_codes(t->db, 1);
  /* A writer leaves the -wal and -shm files in place when it closes: a
   * reader of another account, without write access to the folder, needs
   * them there (it cannot create them), and never makes them itself with
   * an owner the writer cannot write as (doc/architecture.md,
   * "Deployment"). */
  if (!(flags & SQLITE_OPEN_READONLY))
    sqlite3_file_control(t->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_busy_handler(t->db, storage_busy, t);
  snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s", sync_names[t->synchronous]);
  if (icx_storage_exec(t, pragma) || icx_storage_exec(t, "PRAGMA foreign_keys = OFF"))
    return -1;
  snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", t->cache_mb * 1024);
  if (icx_storage_exec(t, pragma))
    return -1;
  /* A connection taken over from the probe has had its icx_meta read. */
  if (t->is_new ? icx_storage_schema_create(t) : !adopted && icx_storage_schema_check(t))
    return -1;
  /* The postings read by SQL (temp.icx_pos, temp.icx_nums), made now,
   * outside any transaction: made inside one, a rollback would take them
   * away.  The fixed statements and the postings' are prepared when first
   * used (icx_storage_q()): a reader that matches on the saved index uses
   * few of them, and preparing all 32 took 0.3 to 0.4 ms of its cold
   * start (doc/performance.md). */
  return icx_storage_vtabs(t);
}

/* The storage icx_storage_wrap() is making on this thread, which
 * storage_init() adopts instead of opening a connection of its own. */
static _Thread_local icx_storage_inst *storage_adopting;

icx_storage_inst *
icx_storage_open(const char *path, const icx_storage_options *o, char *err, size_t n)
{
  icx_storage_inst *t = calloc(1, sizeof *t);
  int i;

  if (n)
    *err = '\0';
  if (!t || !path || !(t->path = strdup(path))) {
    free(t);
    if (o && o->db)
      sqlite3_close(o->db);
    if (n)
      snprintf(err, n, "out of memory");
    return NULL;
  }
  t->magic = icx_storage_magic;
  t->synchronous = 1;
  t->cache_mb = o && o->cache_mb > 0 ? o->cache_mb : 64;
  t->cache_max = (size_t)(o && o->term_cache_mb > 0 ? o->term_cache_mb : 64) << 20;
  t->wait_ms = ICX_STORAGE_WAIT_MS;
  t->is_new = o && o->is_new;
  t->readonly = o && o->readonly;
  if (o && o->db && t->readonly && !t->is_new)
    t->db = o->db;
  else if (o && o->db)
    sqlite3_close(o->db);     /* only a reader takes one over */
  for (i = 0; o && o->synchronous && sync_names[i]; i++)
    if (!strcmp(o->synchronous, sync_names[i]))
      t->synchronous = i;
  if (storage_open_db(t)) {
    if (n)
      snprintf(err, n, "%s", t->errmsg);
    icx_storage_close(t);
    return NULL;
  }
  return t;
}

void
icx_storage_close(icx_storage_inst *t)
{
  int i;

  if (!t)
    return;
  if (t->db && !sqlite3_get_autocommit(t->db))
    sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
  for (i = 0; i < Q_COUNT; i++)
    sqlite3_finalize(t->q[i]);
  for (i = 0; i < N_SHAPES; i++)
    sqlite3_finalize(t->find[i]);
  for (i = 0; i < (int)(sizeof t->ids_q / sizeof t->ids_q[0]); i++)
    sqlite3_finalize(t->ids_q[i]);
  sqlite3_finalize(t->ins_rows_num);
  sqlite3_finalize(t->ins_num);
  icx_storage_postings_close(t);
  if (t->db)
    sqlite3_close(t->db);
  icx_storage_cache_clear(&t->cache);
  free(t->kbuf);
  free(t->path);
  free(t->hidden_iri);
  free(t);
}

librdf_storage *
icx_storage_wrap(librdf_world *world, icx_storage_inst *t)
{
  librdf_storage *storage;

  if (!world || !t || t->storage || icx_storage_register(world))
    return NULL;
  storage_adopting = t;
  storage = librdf_new_storage(world, ICX_STORAGE_NAME, t->path, NULL);
  storage_adopting = NULL;
  return storage;
}

static int
storage_init(librdf_storage *storage, const char *name, librdf_hash *options)
{
  icx_storage_options o = { 0 };
  icx_storage_inst *t = storage_adopting;
  char *sync = NULL, *cache, err[sizeof t->errmsg];

  storage_adopting = NULL;
  if (t) {                              /* icx_storage_wrap(): the caller's */
    if (options)
      librdf_free_hash(options);
    t->adopted = 1;
  } else {
    if (options) {
      if ((cache = librdf_hash_get(options, "term-cache-mb"))) {
        o.term_cache_mb = icx_parse_mib(cache, 64);
        librdf_free_memory(cache);
      }
      o.is_new = librdf_hash_get_as_boolean(options, "new") > 0;
      o.readonly = librdf_hash_get_as_boolean(options, "readonly") > 0;
      if ((cache = librdf_hash_get(options, "cache-mb"))) {
        o.cache_mb = icx_parse_mib(cache, 64);
        librdf_free_memory(cache);
      }
      sync = librdf_hash_get(options, "synchronous");
      o.synchronous = sync;
    }
    t = name ? icx_storage_open(name, &o, err, sizeof err) : NULL;
    if (sync)
      librdf_free_memory(sync);
    if (options)
      librdf_free_hash(options);
    if (!t) {
      librdf_log(librdf_storage_get_world(storage), 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE,
                 NULL, "icx storage %s: %s", name ? name : "", name ? err : "no file named");
      return 1;
    }
  }
  librdf_storage_set_instance(storage, t);
  t->storage = storage;
  t->world = librdf_storage_get_world(storage);
  return 0;
}

static void
storage_terminate(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);

  librdf_storage_set_instance(storage, NULL);
  if (!t)
    return;
  t->storage = NULL;
  t->world = NULL;
  if (!t->adopted)
    icx_storage_close(t);
}

static int
storage_open(librdf_storage *storage, librdf_model *model)
{
  (void)storage;
  (void)model;
  return 0;
}

static int
storage_close(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);

  if (t && t->in_tx)
    storage_transaction_rollback(storage);
  return 0;
}

static int
storage_size(librdf_storage *storage)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_stmt *st = icx_storage_q(t, Q_SIZE);
  sqlite3_int64 n = -1;

  if (!st)
    return -1;
  sqlite3_bind_int64(st, 1, icx_storage_hidden(t));
  if (sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  else
    icx_storage_fail(t, "cannot count statements");
  sqlite3_reset(st);
  return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* --- adding and removing (one quad: icx_storage_quads.c) ----------------------- */

static int
storage_context_add_statement(librdf_storage *storage, librdf_node *context,
                              librdf_statement *statement)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_int64 g;
  int own, ok;

  if (icx_storage_batch_begin(t, &own))
    return 1;
  g = icx_storage_context_id(t, context, 1);
  ok = g >= 0 && !icx_storage_note_write(t) && icx_storage_add_quad(t, statement, g) >= 0;
  return icx_storage_batch_end(t, own, ok) ? 1 : 0;
}

static int
storage_add_statement(librdf_storage *storage, librdf_statement *statement)
{
  return storage_context_add_statement(storage, NULL, statement);
}

static int
storage_context_add_statements(librdf_storage *storage, librdf_node *context,
                               librdf_stream *stream)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_int64 g;
  int own, ok = 1;

  if (!stream)
    return 1;
  if (icx_storage_batch_begin(t, &own))
    return 1;
  g = icx_storage_context_id(t, context, 1);
  if (g < 0 || icx_storage_note_write(t))
    ok = 0;
  for (; ok && !librdf_stream_end(stream); librdf_stream_next(stream)) {
    librdf_statement *x = librdf_stream_get_object(stream);
    if (!x || icx_storage_add_quad(t, x, g) < 0)
      ok = 0;
  }
  return icx_storage_batch_end(t, own, ok) ? 1 : 0;
}

static int
storage_add_statements(librdf_storage *storage, librdf_stream *stream)
{
  return storage_context_add_statements(storage, NULL, stream);
}

static int
storage_context_remove_statement(librdf_storage *storage, librdf_node *context,
                                 librdf_statement *statement)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_int64 g = icx_storage_context_id(t, context, 0);
  int own, ok;

  if (g < 0)
    return 1;
  if (context && g == 0)
    return 0;                 /* an unknown context holds nothing */
  if (icx_storage_batch_begin(t, &own))
    return 1;
  ok = !icx_storage_note_write(t) && !icx_storage_remove_quad(t, statement, g);
  return icx_storage_batch_end(t, own, ok) ? 1 : 0;
}

static int
storage_remove_statement(librdf_storage *storage, librdf_statement *statement)
{
  return storage_context_remove_statement(storage, NULL, statement);
}

static int
storage_context_remove_statements(librdf_storage *storage, librdf_node *context)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_int64 g = icx_storage_context_id(t, context, 0);
  int own, ok;

  if (g < 0)
    return 1;
  if (context && g == 0)
    return 0;
  if (icx_storage_batch_begin(t, &own))
    return 1;
  /* The quads first: they are found through the graph's subjects. */
  ok = !icx_storage_note_write(t) && !icx_storage_remove_graph(t, g);
  return icx_storage_batch_end(t, own, ok) ? 1 : 0;
}

static int
storage_contains_statement(librdf_storage *storage, librdf_statement *statement)
{
  icx_storage_inst *t = icx_storage_inst_of(storage);
  sqlite3_stmt *st = icx_storage_q(t, Q_CONTAINS);
  sqlite3_int64 s, p, o;
  int rc;

  if (!st || !icx_storage_valid_statement(statement))
    return 0;
  s = icx_storage_term_id(t, librdf_statement_get_subject(statement), 0);
  p = icx_storage_term_id(t, librdf_statement_get_predicate(statement), 0);
  o = icx_storage_term_id(t, librdf_statement_get_object(statement), 0);
  if (s <= 0 || p <= 0 || o <= 0)
    return 0;
  sqlite3_bind_int64(st, 1, s);
  sqlite3_bind_int64(st, 2, p);
  sqlite3_bind_int64(st, 3, o);
  sqlite3_bind_int64(st, 4, icx_storage_hidden(t));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    icx_storage_fail(t, "cannot look up a statement");
  return rc == SQLITE_ROW;
}

/* --- finding (icx_storage_find.c) and features ------------------------------------- */

static librdf_stream *
storage_serialise(librdf_storage *storage)
{
  return icx_storage_find(storage, NULL, 0, NULL);
}

static librdf_stream *
storage_find_statements(librdf_storage *storage, librdf_statement *statement)
{
  return icx_storage_find(storage, statement, 0, NULL);
}

static librdf_stream *
storage_context_serialise(librdf_storage *storage, librdf_node *context)
{
  return icx_storage_find(storage, NULL, 1, context);
}

static librdf_stream *
storage_find_statements_in_context(librdf_storage *storage, librdf_statement *statement,
                                   librdf_node *context)
{
  return icx_storage_find(storage, statement, 1, context);
}

static librdf_node *
storage_get_feature(librdf_storage *storage, librdf_uri *feature)
{
  const char *f = feature ? (const char *)librdf_uri_as_string(feature) : NULL;

  if (f && (!strcmp(f, LIBRDF_MODEL_FEATURE_CONTEXTS) || !strcmp(f, FEATURE_ICX)))
    return librdf_new_node_from_typed_literal(librdf_storage_get_world(storage),
                                              (const unsigned char *)"1", NULL, NULL);
  return NULL;
}

/* --- registration and the module's own calls ---------------------------------------- */

static void
storage_factory(librdf_storage_factory *f)
{
  f->version = LIBRDF_STORAGE_INTERFACE_VERSION;
  f->init = storage_init;
  f->terminate = storage_terminate;
  f->open = storage_open;
  f->close = storage_close;
  f->size = storage_size;
  f->add_statement = storage_add_statement;
  f->add_statements = storage_add_statements;
  f->remove_statement = storage_remove_statement;
  f->contains_statement = storage_contains_statement;
  f->serialise = storage_serialise;
  f->find_statements = storage_find_statements;
  f->context_add_statement = storage_context_add_statement;
  f->context_add_statements = storage_context_add_statements;
  f->context_remove_statement = storage_context_remove_statement;
  f->context_remove_statements = storage_context_remove_statements;
  f->context_serialise = storage_context_serialise;
  f->find_statements_in_context = storage_find_statements_in_context;
  f->get_contexts = icx_storage_contexts;
  f->get_feature = storage_get_feature;
  f->transaction_start = storage_transaction_start;
  f->transaction_commit = storage_transaction_commit;
  f->transaction_rollback = storage_transaction_rollback;
}

int
icx_storage_register(librdf_world *world)
{
  if (!world)
    return 1;
  return librdf_storage_register_factory(world, ICX_STORAGE_NAME, "icx SQLite storage",
                                         storage_factory);
}

icx_storage_inst *
icx_storage_instance(librdf_storage *storage)
{
  return icx_storage_db(storage) ? icx_storage_inst_of(storage) : NULL;
}

sqlite3 *
icx_storage_inst_db(icx_storage_inst *t)
{
  return t ? t->db : NULL;
}

sqlite3 *
icx_storage_db(librdf_storage *storage)
{
  librdf_uri *u;
  librdf_node *v = NULL;
  icx_storage_inst *t;

  if (!storage)
    return NULL;
  u = librdf_new_uri(librdf_storage_get_world(storage), (const unsigned char *)FEATURE_ICX);
  if (u) {
    v = librdf_storage_get_feature(storage, u);
    librdf_free_uri(u);
  }
  if (!v)
    return NULL;
  librdf_free_node(v);
  t = icx_storage_inst_of(storage);
  return t && t->magic == icx_storage_magic ? t->db : NULL;
}

const char *
icx_storage_errmsg(icx_storage_inst *t)
{
  return t ? t->errmsg : "";
}

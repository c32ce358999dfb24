/* icx_storage.c - icx's librdf storage module on SQLite: a term dictionary
 * and a quad table with the indexes matching needs (schema: icx_storage.h).
 *
 * Outline.  init() opens the connection and creates or checks the schema;
 * every SQL statement is a fixed text with bound parameters, prepared once
 * per storage (find_statements has one text per shape of pattern: which of
 * s, p, o, g are bound).  Terms are looked up through an in-memory hash map
 * while a transaction is open (the term cache: it is emptied when the
 * transaction ends, so rolled-back ids never outlive it).  Streams and
 * iterators hold a reference on the storage and their own step of SQL.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_storage.h"
#include "icx_util.h"

/* get_feature() answers this feature with "1" on an icx storage only: how
 * icx_storage_db() tells an icx storage from any other. */
#define FEATURE_ICX "urn:icx:storage#icx"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define BUSY_TIMEOUT_MS 10000
/* The term cache empties itself when its keys and slots pass this many
 * bytes, so that a load of any size keeps a bounded cache (about 600k
 * terms fit). */
#define CACHE_MAX_BYTES ((size_t)64 << 20)
#define PROGRESS_EVERY 65536
/* A bulk load of at least this many statements, and at least as many as
 * the store holds, drops the secondary indexes of quads and builds them
 * again after: sorting once beats a million random B-tree inserts
 * (measured: 1M statements into an empty store, 2.7 s with the indexes
 * kept, 1.1 s dropped and rebuilt). */
#define REINDEX_MIN 100000

static const char icx_storage_magic[] = "icx-storage";

#define QUADS_POS_SQL "CREATE INDEX quads_pos ON quads (p, o, s)"
#define QUADS_G_SQL "CREATE INDEX quads_g ON quads (g)"
/* Numeric objects only: a comparison such as availability >= 99.999 reads
 * a range of it (icx_sql.c). */
#define QUADS_NUM_SQL "CREATE INDEX quads_num ON quads (p, num, s) WHERE num IS NOT NULL"

static const char *const schema_sql =
  "CREATE TABLE icx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE terms ("
  "  id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, lex TEXT NOT NULL,"
  "  dt INTEGER NOT NULL DEFAULT 0, lang TEXT NOT NULL DEFAULT '', num REAL);"
  "CREATE UNIQUE INDEX terms_key ON terms (lex, kind, dt, lang);"
  "CREATE TABLE quads ("
  "  s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL,"
  "  num REAL, PRIMARY KEY (s, p, o, g)) WITHOUT ROWID;"
  QUADS_POS_SQL ";" QUADS_G_SQL ";" QUADS_NUM_SQL ";"
  "INSERT INTO icx_meta (key, value) VALUES ('format', '" ICX_STORAGE_FORMAT "'),"
  "  ('version', '" ICX_STORAGE_VERSION "');";

enum {
  Q_TERM_GET,
  Q_TERM_INS,
  Q_QUAD_INS,
  Q_QUAD_DEL,
  Q_QUAD_DEL_G,
  Q_CONTAINS,
  Q_SIZE,
  Q_COUNT
};

static const char *const fixed_sql[Q_COUNT] = {
  "SELECT id FROM terms WHERE lex = ?1 AND kind = ?2 AND dt = ?3 AND lang = ?4",
  "INSERT OR IGNORE INTO terms (kind, lex, dt, lang, num) VALUES (?2, ?1, ?3, ?4, ?5)",
  "INSERT OR IGNORE INTO quads (s, p, o, g, num) VALUES (?1, ?2, ?3, ?4,"
  " (SELECT num FROM terms WHERE id = ?3))",
  "DELETE FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4",
  "DELETE FROM quads WHERE g = ?1",
  "SELECT 1 FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 LIMIT 1",
  "SELECT count(*) FROM quads"
};

/* Shapes of find patterns: which parts are bound. */
enum { BOUND_S = 1, BOUND_P = 2, BOUND_O = 4, BOUND_G = 8, N_SHAPES = 16 };

/* Every find returns the quad's terms, joined in from quads outwards. */
static const char find_head[] =
  "SELECT q.g, ts.kind, ts.lex, tp.lex, tob.kind, tob.lex, tob.lang,"
  " (SELECT d.lex FROM terms d WHERE d.id = tob.dt), tg.lex"
  " FROM quads q CROSS JOIN terms ts ON ts.id = q.s CROSS JOIN terms tp ON tp.id = q.p"
  " CROSS JOIN terms tob ON tob.id = q.o LEFT JOIN terms tg ON tg.id = q.g";

/* --- the term cache: (kind, dt, lang, lex) -> id ------------------------- */

typedef struct tc_slot {
  uint64_t h;
  sqlite3_int64 id;
  const unsigned char *key;   /* in a block; NULL: empty slot */
  size_t len;
} tc_slot;

typedef struct tc_block {
  struct tc_block *next;
  size_t used, cap;
  unsigned char data[];
} tc_block;

typedef struct tcache {
  tc_slot *slots;
  size_t mask;                /* slots - 1; 0 when no table yet */
  size_t count;
  size_t bytes;               /* blocks' capacity, slots not counted */
  tc_block *blocks;
} tcache;

static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  size_t i;

  for (i = 0; i < n; i++) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h ^ (h >> 29);
}

static void
tcache_clear(tcache *c)
{
  tc_block *b = c->blocks, *next;

  for (; b; b = next) {
    next = b->next;
    free(b);
  }
  free(c->slots);
  memset(c, 0, sizeof *c);
}

static sqlite3_int64
tcache_get(const tcache *c, uint64_t h, const unsigned char *key, size_t len)
{
  size_t i;

  if (!c->mask)
    return 0;
  for (i = (size_t)h & c->mask; c->slots[i].key; i = (i + 1) & c->mask)
    if (c->slots[i].h == h && c->slots[i].len == len && !memcmp(c->slots[i].key, key, len))
      return c->slots[i].id;
  return 0;
}

static int
tcache_grow(tcache *c)
{
  size_t n = c->mask ? (c->mask + 1) * 2 : 4096, i, j;
  tc_slot *s = calloc(n, sizeof *s);

  if (!s)
    return -1;
  for (i = 0; c->mask && i <= c->mask; i++) {
    if (!c->slots[i].key)
      continue;
    for (j = (size_t)c->slots[i].h & (n - 1); s[j].key; j = (j + 1) & (n - 1))
      ;
    s[j] = c->slots[i];
  }
  free(c->slots);
  c->slots = s;
  c->mask = n - 1;
  return 0;
}

/* Remembers key -> id.  Failing to remember is not an error. */
static void
tcache_put(tcache *c, size_t max_bytes, uint64_t h, const unsigned char *key, size_t len,
           sqlite3_int64 id)
{
  tc_block *b;
  unsigned char *copy;
  size_t i;

  if (c->bytes + (c->mask + 1) * sizeof *c->slots >= max_bytes)
    tcache_clear(c);          /* frees the blocks: read c->blocks after */
  if ((c->count + 1) * 2 > c->mask + 1 && tcache_grow(c))
    return;
  b = c->blocks;
  if (!b || b->cap - b->used < len) {
    size_t block = max_bytes / 8 < ((size_t)1 << 20) ? max_bytes / 8 : ((size_t)1 << 20);
    size_t cap = len > block ? len : block;
    b = malloc(sizeof *b + cap);
    if (!b)
      return;
    b->used = 0;
    b->cap = cap;
    b->next = c->blocks;
    c->blocks = b;
    c->bytes += cap;
  }
  copy = b->data + b->used;
  memcpy(copy, key, len);
  b->used += len;
  for (i = (size_t)h & c->mask; c->slots[i].key; i = (i + 1) & c->mask)
    ;
  c->slots[i].h = h;
  c->slots[i].id = id;
  c->slots[i].key = copy;
  c->slots[i].len = len;
  c->count++;
}

/* --- the storage instance ------------------------------------------------- */

typedef struct inst {
  const char *magic;          /* icx_storage_magic */
  librdf_storage *storage;
  librdf_world *world;
  char *path;
  int is_new;
  int synchronous;            /* index into sync_names */
  int cache_mb;               /* SQLite page cache, MiB */
  sqlite3 *db;
  sqlite3_stmt *q[Q_COUNT];
  sqlite3_stmt *find[N_SHAPES];
  int find_busy[N_SHAPES];    /* a stream is stepping find[shape] */
  int in_tx;                  /* a librdf transaction is open */
  int cache_on;               /* a transaction of ours or the caller's is open */
  int quiet;                  /* fail() records but does not log (bulk adds) */
  sqlite3_stmt *ids_q[5];     /* icx_storage_context_ids(), by shape; subject walks */
  sqlite3_stmt *ins_rows;     /* INSERT_ROWS quads in one statement */
  sqlite3_stmt *ins_rows_num; /* the same, each number given */
  sqlite3_stmt *ins_num;      /* one quad, its number given */
  tcache cache;
  size_t cache_max;           /* its bound in bytes (term-cache-mb) */
  unsigned char *kbuf;        /* scratch key for the cache */
  size_t kcap;
  char errmsg[512];
} inst;

static const char *const sync_names[] = { "off", "normal", "full", NULL };

static inst *
get_inst(librdf_storage *storage)
{
  return storage ? (inst *)librdf_storage_get_instance(storage) : NULL;
}

/* Records and logs a failure; returns -1. */
static int
fail(inst *t, const char *what)
{
  snprintf(t->errmsg, sizeof t->errmsg, "%s: %s", what,
           t->db ? sqlite3_errmsg(t->db) : "no connection");
  if (!t->quiet)
    librdf_log(t->world, 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE, NULL,
               "icx storage %s: %s", t->path ? t->path : "", t->errmsg);
  return -1;
}

static int
exec_sql(inst *t, const char *sql)
{
  if (sqlite3_exec(t->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return fail(t, sql);
  return 0;
}

static void
cache_off(inst *t)
{
  tcache_clear(&t->cache);
  t->cache_on = 0;
}

/* --- terms ------------------------------------------------------------------ */

/* 1 and *out set when dt is a numeric XSD type and lex a valid lexical form
 * of it; else 0. */
static int
numeric_value(const char *dt, const char *lex, double *out)
{
  static const char *const integers[] = {
    "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "positiveInteger", NULL
  };
  const char *local;
  int is_int = 0, is_float = 0, i;
  char *end;

  if (!dt || strncmp(dt, XSD, sizeof XSD - 1) != 0)
    return 0;
  local = dt + sizeof XSD - 1;
  for (i = 0; integers[i]; i++)
    if (!strcmp(local, integers[i]))
      is_int = 1;
  if (!strcmp(local, "double") || !strcmp(local, "float"))
    is_float = 1;
  if (!is_int && !is_float && strcmp(local, "decimal") != 0)
    return 0;
  if (is_float && (!strcmp(lex, "INF") || !strcmp(lex, "+INF") || !strcmp(lex, "-INF"))) {
    *out = lex[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    return 1;
  }
  /* The XSD lexical forms, checked strictly: strtod alone would also take
   * hex, "inf", "nan" and leading space. */
  if (!icx_lexical_number(lex, !is_int, is_float))
    return 0;
  *out = strtod(lex, &end);
  return *end == '\0';
}

/* The id of the term (kind, lex, dt, lang); with create, added when
 * missing.  Returns the id, 0 when missing and !create, -1 on error. */
static sqlite3_int64
term_id_raw(inst *t, int kind, const unsigned char *lex, size_t lexlen, sqlite3_int64 dt,
            const char *lang, const char *dt_iri, int create)
{
  size_t langlen = lang ? strlen(lang) : 0, klen = 1 + sizeof dt + langlen + 1 + lexlen;
  uint64_t h = 0;
  sqlite3_int64 id = 0;
  sqlite3_stmt *st;
  int rc;

  if (!lang)
    lang = "";
  if (t->cache_on) {
    if (klen > t->kcap) {
      size_t ncap = klen * 2;
      unsigned char *nb = realloc(t->kbuf, ncap);
      if (!nb)
        return -1;
      t->kbuf = nb;
      t->kcap = ncap;
    }
    t->kbuf[0] = (unsigned char)kind;
    memcpy(t->kbuf + 1, &dt, sizeof dt);
    memcpy(t->kbuf + 1 + sizeof dt, lang, langlen + 1);
    memcpy(t->kbuf + 2 + sizeof dt + langlen, lex, lexlen);
    h = hash_bytes(t->kbuf, klen);
    if ((id = tcache_get(&t->cache, h, t->kbuf, klen)) > 0)
      return id;
  }
  if (create) {
    double num = 0;
    st = t->q[Q_TERM_INS];
    sqlite3_bind_text(st, 1, (const char *)lex, (int)lexlen, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, dt);
    sqlite3_bind_text(st, 4, lang, (int)langlen, SQLITE_STATIC);
    if (kind == 3 && dt && numeric_value(dt_iri, (const char *)lex, &num))
      sqlite3_bind_double(st, 5, num);
    else
      sqlite3_bind_null(st, 5);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
      return fail(t, "cannot add a term");
    if (sqlite3_changes(t->db) > 0)
      id = sqlite3_last_insert_rowid(t->db);
  }
  if (!id) {
    st = t->q[Q_TERM_GET];
    sqlite3_bind_text(st, 1, (const char *)lex, (int)lexlen, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, dt);
    sqlite3_bind_text(st, 4, lang, (int)langlen, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return fail(t, "cannot look up a term");
    if (!id && create)
      return fail(t, "a term vanished while being added");
  }
  if (id > 0 && t->cache_on)
    tcache_put(&t->cache, t->cache_max, h, t->kbuf, klen, id);
  return id;
}

/* The id of node n (see term_id_raw); -1 also for a node of no known kind. */
static sqlite3_int64
term_id(inst *t, librdf_node *n, int create)
{
  const unsigned char *s;
  size_t len = 0;

  if (!n)
    return -1;
  switch (librdf_node_get_type(n)) {
  case LIBRDF_NODE_TYPE_RESOURCE:
    s = librdf_uri_as_counted_string(librdf_node_get_uri(n), &len);
    return s ? term_id_raw(t, 1, s, len, 0, NULL, NULL, create) : -1;
  case LIBRDF_NODE_TYPE_BLANK:
    s = librdf_node_get_blank_identifier(n);
    return s ? term_id_raw(t, 2, s, strlen((const char *)s), 0, NULL, NULL, create) : -1;
  case LIBRDF_NODE_TYPE_LITERAL: {
    librdf_uri *dtu = librdf_node_get_literal_value_datatype_uri(n);
    const char *dt_iri = NULL;
    sqlite3_int64 dt = 0;
    if (dtu) {
      size_t dlen = 0;
      dt_iri = (const char *)librdf_uri_as_counted_string(dtu, &dlen);
      dt = term_id_raw(t, 1, (const unsigned char *)dt_iri, dlen, 0, NULL, NULL, create);
      if (dt <= 0)
        return dt;
    }
    s = librdf_node_get_literal_value_as_counted_string(n, &len);
    if (!s)
      return -1;
    return term_id_raw(t, 3, s, len, dt, librdf_node_get_literal_value_language(n), dt_iri,
                       create);
  }
  case LIBRDF_NODE_TYPE_UNKNOWN:
  default:
    return -1;
  }
}

/* A new node from a term's columns; NULL when out of memory. */
static librdf_node *
make_node(inst *t, int kind, const unsigned char *lex, int len, const unsigned char *lang,
          const unsigned char *dt)
{
  librdf_uri *dtu = NULL;
  librdf_node *n;

  if (!lex)
    return NULL;
  if (kind == 1)
    return librdf_new_node_from_uri_string(t->world, lex);
  if (kind == 2)
    return librdf_new_node_from_blank_identifier(t->world, lex);
  if (dt && !(dtu = librdf_new_uri(t->world, dt)))
    return NULL;
  n = librdf_new_node_from_typed_counted_literal(t->world, lex, (size_t)len,
                                                 lang && *lang ? (const char *)lang : NULL,
                                                 lang ? strlen((const char *)lang) : 0, dtu);
  if (dtu)
    librdf_free_uri(dtu);
  return n;
}

/* --- transactions ----------------------------------------------------------- */

/* Opens a unit of work: a savepoint inside the caller's transaction, else a
 * transaction of its own (*own set).  0 or -1. */
static int
batch_begin(inst *t, int *own)
{
  *own = !t->in_tx;
  if (!*own)
    return exec_sql(t, "SAVEPOINT icx_batch");
  if (exec_sql(t, "BEGIN IMMEDIATE"))
    return -1;
  t->cache_on = 1;
  return 0;
}

/* Ends the unit: kept when ok, else undone.  0 or -1. */
static int
batch_end(inst *t, int own, int ok)
{
  int rc = 0;

  if (own) {
    if (ok && exec_sql(t, "COMMIT"))
      ok = 0, rc = -1;
    if (!ok && !sqlite3_get_autocommit(t->db))
      sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
    cache_off(t);
    return ok ? 0 : -1;
  }
  if (ok)
    return exec_sql(t, "RELEASE icx_batch");
  if (!sqlite3_get_autocommit(t->db)) {
    sqlite3_exec(t->db, "ROLLBACK TO icx_batch", NULL, NULL, NULL);
    sqlite3_exec(t->db, "RELEASE icx_batch", NULL, NULL, NULL);
  }
  tcache_clear(&t->cache);    /* ids added since the savepoint are gone */
  return rc ? rc : -1;
}

static int
icx_tx_start(librdf_storage *storage)
{
  inst *t = get_inst(storage);

  if (t->in_tx)
    return 1;
  if (exec_sql(t, "BEGIN IMMEDIATE"))
    return 1;
  t->in_tx = 1;
  t->cache_on = 1;
  return 0;
}

static int
icx_tx_commit(librdf_storage *storage)
{
  inst *t = get_inst(storage);

  if (!t->in_tx)
    return 1;
  if (exec_sql(t, "COMMIT"))
    return 1;                 /* still open: the caller rolls back */
  t->in_tx = 0;
  cache_off(t);
  return 0;
}

static int
icx_tx_rollback(librdf_storage *storage)
{
  inst *t = get_inst(storage);
  int rc = 0;

  if (!t->in_tx)
    return 1;
  /* SQLite may have rolled back already (I/O error, full disk). */
  if (!sqlite3_get_autocommit(t->db) && exec_sql(t, "ROLLBACK"))
    rc = 1;
  t->in_tx = 0;
  cache_off(t);
  return rc;
}

/* --- init / terminate --------------------------------------------------------- */

static int
prepare_all(inst *t)
{
  int i;

  for (i = 0; i < Q_COUNT; i++)
    if (sqlite3_prepare_v3(t->db, fixed_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &t->q[i],
                           NULL) != SQLITE_OK)
      return fail(t, "cannot prepare the storage's statements");
  return 0;
}

/* Reads icx_meta; 0 when format and version are ours. */
static int
check_schema(inst *t)
{
  sqlite3_stmt *st = NULL;
  char format[64] = "", version[64] = "";
  int rc;

  if (sqlite3_prepare_v2(t->db, "SELECT key, value FROM icx_meta", -1, &st, NULL) != SQLITE_OK) {
    snprintf(t->errmsg, sizeof t->errmsg, "not an icx store (no icx_meta table)");
    goto bad;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *k = (const char *)sqlite3_column_text(st, 0);
    const char *v = (const char *)sqlite3_column_text(st, 1);
    if (k && v && !strcmp(k, "format"))
      snprintf(format, sizeof format, "%s", v);
    else if (k && v && !strcmp(k, "version"))
      snprintf(version, sizeof version, "%s", v);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return fail(t, "cannot read icx_meta");
  if (strcmp(format, ICX_STORAGE_FORMAT) != 0) {
    snprintf(t->errmsg, sizeof t->errmsg, "not an icx store (format \"%s\")", format);
    goto bad;
  }
  if (strcmp(version, ICX_STORAGE_VERSION) != 0) {
    snprintf(t->errmsg, sizeof t->errmsg,
             "an icx store of format version %s; this storage reads version %s", version,
             ICX_STORAGE_VERSION);
    goto bad;
  }
  return 0;
bad:
  librdf_log(t->world, 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE, NULL,
             "icx storage %s: %s", t->path, t->errmsg);
  return -1;
}

static int
open_db(inst *t)
{
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (t->is_new ? SQLITE_OPEN_CREATE : 0);
  char pragma[64];

  if (sqlite3_open_v2(t->path, &t->db, flags, NULL) != SQLITE_OK)
    return fail(t, "cannot open");
  sqlite3_extended_result_codes(t->db, 1);
  sqlite3_busy_timeout(t->db, BUSY_TIMEOUT_MS);
  snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s", sync_names[t->synchronous]);
  if (exec_sql(t, pragma) || exec_sql(t, "PRAGMA foreign_keys = OFF"))
    return -1;
  snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", t->cache_mb * 1024);
  if (exec_sql(t, pragma))
    return -1;
  if (t->is_new) {
    if (exec_sql(t, "PRAGMA journal_mode = WAL") || exec_sql(t, "BEGIN IMMEDIATE"))
      return -1;
    if (exec_sql(t, "DROP TABLE IF EXISTS quads; DROP TABLE IF EXISTS terms;"
                 "DROP TABLE IF EXISTS icx_meta") || exec_sql(t, schema_sql)) {
      sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
    if (exec_sql(t, "COMMIT"))
      return -1;
  } else if (check_schema(t)) {
    return -1;
  }
  return prepare_all(t);
}

static int
icx_init(librdf_storage *storage, const char *name, librdf_hash *options)
{
  inst *t;
  char *sync = NULL;
  int i;

  t = calloc(1, sizeof *t);
  if (!t || !name || !(t->path = strdup(name))) {
    if (t)
      free(t);
    if (options)
      librdf_free_hash(options);
    return 1;
  }
  librdf_storage_set_instance(storage, t);
  t->magic = icx_storage_magic;
  t->storage = storage;
  t->world = librdf_storage_get_world(storage);
  t->synchronous = 1;
  t->cache_mb = 64;
  t->cache_max = CACHE_MAX_BYTES;
  if (options) {
    char *cache;
    if ((cache = librdf_hash_get(options, "term-cache-mb"))) {
      t->cache_max = (size_t)icx_parse_mib(cache, 64) << 20;
      librdf_free_memory(cache);
    }
    t->is_new = librdf_hash_get_as_boolean(options, "new") > 0;
    if ((cache = librdf_hash_get(options, "cache-mb"))) {
      t->cache_mb = (int)icx_parse_mib(cache, 64);
      librdf_free_memory(cache);
    }
    if ((sync = librdf_hash_get(options, "synchronous"))) {
      for (i = 0; sync_names[i]; i++)
        if (!strcmp(sync, sync_names[i]))
          t->synchronous = i;
      librdf_free_memory(sync);
    }
    librdf_free_hash(options);
  }
  return open_db(t) ? 1 : 0;
}

static void
icx_terminate(librdf_storage *storage)
{
  inst *t = get_inst(storage);
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
  sqlite3_finalize(t->ins_rows);
  sqlite3_finalize(t->ins_rows_num);
  sqlite3_finalize(t->ins_num);
  if (t->db)
    sqlite3_close(t->db);
  tcache_clear(&t->cache);
  free(t->kbuf);
  free(t->path);
  free(t);
  librdf_storage_set_instance(storage, NULL);
}

static int
icx_open(librdf_storage *storage, librdf_model *model)
{
  (void)storage;
  (void)model;
  return 0;
}

static int
icx_close(librdf_storage *storage)
{
  inst *t = get_inst(storage);

  if (t && t->in_tx)
    icx_tx_rollback(storage);
  return 0;
}

static int
icx_size(librdf_storage *storage)
{
  inst *t = get_inst(storage);
  sqlite3_stmt *st = t->q[Q_SIZE];
  sqlite3_int64 n = -1;

  if (sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  else
    fail(t, "cannot count statements");
  sqlite3_reset(st);
  return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* --- adding and removing ------------------------------------------------------ */

static int
valid_statement(librdf_statement *st)
{
  librdf_node *s, *p, *o;

  if (!st)
    return 0;
  s = librdf_statement_get_subject(st);
  p = librdf_statement_get_predicate(st);
  o = librdf_statement_get_object(st);
  return s && p && o && (librdf_node_is_resource(s) || librdf_node_is_blank(s)) &&
         librdf_node_is_resource(p);
}

/* Adds one quad.  1 if new, 0 if it was there, -1 on error. */
static int
add_quad(inst *t, librdf_statement *x, sqlite3_int64 g)
{
  sqlite3_stmt *st = t->q[Q_QUAD_INS];
  sqlite3_int64 s, p, o;
  int rc;

  if (!valid_statement(x)) {
    snprintf(t->errmsg, sizeof t->errmsg, "a statement needs an IRI or blank subject and an "
             "IRI predicate");
    librdf_log(t->world, 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE, NULL, "icx storage %s: %s",
               t->path, t->errmsg);
    return -1;
  }
  if ((s = term_id(t, librdf_statement_get_subject(x), 1)) <= 0 ||
      (p = term_id(t, librdf_statement_get_predicate(x), 1)) <= 0 ||
      (o = term_id(t, librdf_statement_get_object(x), 1)) <= 0)
    return -1;
  sqlite3_bind_int64(st, 1, s);
  sqlite3_bind_int64(st, 2, p);
  sqlite3_bind_int64(st, 3, o);
  sqlite3_bind_int64(st, 4, g);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return fail(t, "cannot add a statement");
  return sqlite3_changes(t->db) > 0;
}

/* The id of a context node, created when missing; 0 for NULL; -1 on error. */
static sqlite3_int64
context_id(inst *t, librdf_node *context, int create)
{
  if (!context)
    return 0;
  if (!librdf_node_is_resource(context)) {
    snprintf(t->errmsg, sizeof t->errmsg, "a context must be an IRI");
    return -1;
  }
  return term_id(t, context, create);
}

static int
icx_context_add_statement(librdf_storage *storage, librdf_node *context,
                          librdf_statement *statement)
{
  inst *t = get_inst(storage);
  sqlite3_int64 g;
  int own, ok;

  if (batch_begin(t, &own))
    return 1;
  g = context_id(t, context, 1);
  ok = g >= 0 && add_quad(t, statement, g) >= 0;
  return batch_end(t, own, ok) ? 1 : 0;
}

static int
icx_add_statement(librdf_storage *storage, librdf_statement *statement)
{
  return icx_context_add_statement(storage, NULL, statement);
}

static int
icx_context_add_statements(librdf_storage *storage, librdf_node *context,
                           librdf_stream *stream)
{
  inst *t = get_inst(storage);
  sqlite3_int64 g;
  int own, ok = 1;

  if (!stream)
    return 1;
  if (batch_begin(t, &own))
    return 1;
  g = context_id(t, context, 1);
  if (g < 0)
    ok = 0;
  for (; ok && !librdf_stream_end(stream); librdf_stream_next(stream)) {
    librdf_statement *x = librdf_stream_get_object(stream);
    if (!x || add_quad(t, x, g) < 0)
      ok = 0;
  }
  return batch_end(t, own, ok) ? 1 : 0;
}

static int
icx_add_statements(librdf_storage *storage, librdf_stream *stream)
{
  return icx_context_add_statements(storage, NULL, stream);
}

/* A bulk load resolves each statement's terms first, then writes the
 * quads sorted by primary key, so that the B-trees grow mostly at their
 * right edge.  A quad's term ids; num is the object's number when has_num
 * is 1. */
typedef struct id3 {
  sqlite3_int64 s, p, o;
  double num;
  int has_num;
} id3;

static int
cmp_id3(const void *a, const void *b)
{
  const id3 *x = a, *y = b;

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

typedef struct pmemo {
  const void *ptr[PMEMO_SIZE];
  sqlite3_int64 id[PMEMO_SIZE];
} pmemo;

static sqlite3_int64
memo_term_id(inst *t, pmemo *m, librdf_node *n)
{
  size_t k = ((uintptr_t)n >> 4) & (PMEMO_SIZE - 1);
  sqlite3_int64 id;

  if (n && m->ptr[k] == n)
    return m->id[k];
  id = term_id(t, n, 1);
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

/* The statement inserting rows quads (INSERT_ROWS or 1), prepared on
 * first use.  With nums, each row's number is a parameter; else it is
 * copied from terms, as Q_QUAD_INS does (store format 3). */
static sqlite3_stmt *
insert_stmt(inst *t, size_t rows, int nums)
{
  sqlite3_stmt **slot = rows > 1 ? (nums ? &t->ins_rows_num : &t->ins_rows) : &t->ins_num;
  char sql[80 + 96 * INSERT_ROWS];
  size_t k, len;

  if (rows == 1 && !nums)
    return t->q[Q_QUAD_INS];
  if (*slot)
    return *slot;
  len = (size_t)snprintf(sql, sizeof sql,
                         "INSERT OR IGNORE INTO quads (s, p, o, g, num) VALUES ");
  for (k = 0; k < rows; k++) {
    if (nums)
      len += (size_t)snprintf(sql + len, sizeof sql - len, "%s(?%zu,?%zu,?%zu,?%zu,?%zu)",
                              k ? "," : "", 5 * k + 1, 5 * k + 2, 5 * k + 3, 5 * k + 4,
                              5 * k + 5);
    else
      len += (size_t)snprintf(sql + len, sizeof sql - len,
                              "%s(?%zu,?%zu,?%zu,?%zu,(SELECT num FROM terms WHERE id = ?%zu))",
                              k ? "," : "", 5 * k + 1, 5 * k + 2, 5 * k + 3, 5 * k + 4,
                              5 * k + 3);
  }
  if (sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
    fail(t, "cannot prepare the bulk insert");
    return NULL;
  }
  return *slot;
}

/* Writes the quads ids[0..n-1] (sorted by cmp_id3; duplicates are dropped
 * in place) into g; *count grows by the number that were new.  With nums,
 * each quad's number is its has_num/num (the caller worked it out from the
 * literal, as the terms row has it); else it is read from terms, a seek per
 * quad.  Progress, when given, runs over the second half of n.  0 or -1. */
static int
insert_ids(inst *t, id3 *ids, size_t n, sqlite3_int64 g, int nums, size_t *count,
           icx_storage_progress_fn progress, void *userdata)
{
  sqlite3_stmt *st;
  size_t i, k, u = 0;
  int rc;

  for (i = 0; i < n; i++)
    if (!u || cmp_id3(&ids[i], &ids[u - 1]))
      ids[u++] = ids[i];
  for (i = 0; i < u;) {
    size_t rows = u - i >= INSERT_ROWS ? INSERT_ROWS : 1;
    int base = rows > 1 || nums ? 5 : 4;    /* Q_QUAD_INS has 4 parameters a row */
    if (!(st = insert_stmt(t, rows, nums)))
      return -1;
    for (k = 0; k < rows; k++, i++) {
      int at = (int)k * base;
      sqlite3_bind_int64(st, at + 1, ids[i].s);
      sqlite3_bind_int64(st, at + 2, ids[i].p);
      sqlite3_bind_int64(st, at + 3, ids[i].o);
      sqlite3_bind_int64(st, at + 4, g);
      if (nums && ids[i].has_num)
        sqlite3_bind_double(st, at + 5, ids[i].num);
      else if (nums)
        sqlite3_bind_null(st, at + 5);
      if (progress && i % PROGRESS_EVERY == PROGRESS_EVERY - 1)
        progress(userdata, n / 2 + (i + 1) * n / u / 2, n);
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      return fail(t, "cannot add a statement");
    *count += (size_t)sqlite3_changes(t->db);
  }
  return 0;
}

int
icx_storage_context_add_array(librdf_storage *storage, librdf_node *context,
                              librdf_statement *const *v, size_t n, size_t *added,
                              icx_storage_progress_fn progress, void *userdata)
{
  inst *t = get_inst(storage);
  sqlite3_int64 g;
  id3 *ids = NULL;
  pmemo *memo = NULL;
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
  if (batch_begin(t, &own)) {
    free(ids);
    free(memo);
    return 1;
  }
  g = context_id(t, context, 1);
  if (g < 0)
    ok = 0;
  for (i = 0; ok && i < n; i++) {
    if (!valid_statement(v[i])) {
      snprintf(t->errmsg, sizeof t->errmsg, "a statement needs an IRI or blank subject and "
               "an IRI predicate");
      ok = 0;
      break;
    }
    ids[i].s = memo_term_id(t, memo, librdf_statement_get_subject(v[i]));
    ids[i].p = memo_term_id(t, memo, librdf_statement_get_predicate(v[i]));
    ids[i].o = memo_term_id(t, memo, librdf_statement_get_object(v[i]));
    if (ids[i].s <= 0 || ids[i].p <= 0 || ids[i].o <= 0)
      ok = 0;
    if (progress && (i + 1) % PROGRESS_EVERY == 0)
      progress(userdata, (i + 1) / 2, n);
  }
  if (ok && n > 1)
    qsort(ids, n, sizeof *ids, cmp_id3);
  if (ok && n >= REINDEX_MIN && (size_t)icx_size(storage) <= n) {
    if (exec_sql(t, "DROP INDEX quads_pos") || exec_sql(t, "DROP INDEX quads_g") ||
        exec_sql(t, "DROP INDEX quads_num"))
      ok = 0;
    else
      reindex = 1;
  }
  if (ok && insert_ids(t, ids, n, g, 0, &count, progress, userdata))
    ok = 0;
  if (ok && reindex && (exec_sql(t, QUADS_POS_SQL) || exec_sql(t, QUADS_G_SQL) ||
                        exec_sql(t, QUADS_NUM_SQL)))
    ok = 0;
  if (ok && progress)
    progress(userdata, n, n);
  free(ids);
  free(memo);
  if (batch_end(t, own, ok))
    return 1;
  if (added)
    *added = count;
  return 0;
}

/* --- streaming bulk loads ------------------------------------------------------ */

/* The last IRI or blank node resolved in one position of a statement:
 * Turtle repeats a subject over consecutive statements. */
typedef struct last_term {
  int kind;                   /* 0: none yet */
  sqlite3_int64 id;
  unsigned char *lex;
  size_t len, cap;
} last_term;

struct icx_storage_bulk {
  inst *t;
  sqlite3_int64 g;
  id3 *ids;
  size_t cap;
  size_t added;
  int failed;
  last_term last[3];
};

icx_storage_bulk *
icx_storage_bulk_new(librdf_storage *storage, librdf_node *context)
{
  inst *t = get_inst(storage);
  icx_storage_bulk *b;

  if (!t || t->magic != icx_storage_magic)
    return NULL;
  if (!t->in_tx) {
    snprintf(t->errmsg, sizeof t->errmsg, "a bulk load needs an open transaction");
    return NULL;
  }
  if (!(b = calloc(1, sizeof *b))) {
    snprintf(t->errmsg, sizeof t->errmsg, "out of memory");
    return NULL;
  }
  b->t = t;
  b->g = context_id(t, context, 1);
  if (b->g < 0) {
    free(b);
    return NULL;
  }
  return b;
}

void
icx_storage_bulk_free(icx_storage_bulk *b)
{
  int i;

  if (!b)
    return;
  for (i = 0; i < 3; i++)
    free(b->last[i].lex);
  free(b->ids);
  free(b);
}

size_t
icx_storage_bulk_added(const icx_storage_bulk *b)
{
  return b ? b->added : 0;
}

/* The id of a plain term, created when missing; -1 on error. */
static sqlite3_int64
plain_term_id(inst *t, last_term *last, const icx_storage_term *x)
{
  sqlite3_int64 dt = 0, id;

  if (x->kind == 3) {
    if (x->dt) {
      dt = term_id_raw(t, 1, (const unsigned char *)x->dt, strlen(x->dt), 0, NULL, NULL, 1);
      if (dt <= 0)
        return -1;
    }
    id = term_id_raw(t, 3, (const unsigned char *)x->lex, x->len, dt, x->lang, x->dt, 1);
    return id > 0 ? id : -1;
  }
  if (last->kind == x->kind && last->len == x->len && !memcmp(last->lex, x->lex, x->len))
    return last->id;
  id = term_id_raw(t, x->kind, (const unsigned char *)x->lex, x->len, 0, NULL, NULL, 1);
  if (id <= 0)
    return -1;
  if (x->len > last->cap) {
    unsigned char *nb = realloc(last->lex, x->len * 2);
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
  inst *t;
  size_t i, j;
  int ok = 1;

  if (!b || b->failed || (n && !v))
    return 1;
  t = b->t;
  if (n > b->cap) {
    id3 *ni = realloc(b->ids, n * sizeof *ni);
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
      if ((*id[j] = plain_term_id(t, &b->last[j], &x[j])) <= 0)
        ok = 0;
    /* The number terms.num holds for the object, worked out here rather
     * than read back with a seek per quad. */
    b->ids[i].has_num = x[2].kind == 3 && x[2].dt &&
                        numeric_value(x[2].dt, x[2].lex, &b->ids[i].num);
  }
  if (ok && n > 1)
    qsort(b->ids, n, sizeof *b->ids, cmp_id3);
  if (ok && insert_ids(t, b->ids, n, b->g, 1, &b->added, NULL, NULL))
    ok = 0;
  t->quiet = 0;
  if (!ok)
    b->failed = 1;
  return ok ? 0 : 1;
}

/* --- term ids, for checking what a load wrote ------------------------------------ */

sqlite3_int64
icx_storage_iri_id(librdf_storage *storage, const char *iri)
{
  inst *t = get_inst(storage);

  if (!t || t->magic != icx_storage_magic || !iri)
    return -1;
  return term_id_raw(t, 1, (const unsigned char *)iri, strlen(iri), 0, NULL, NULL, 0);
}

char *
icx_storage_term_text(librdf_storage *storage, sqlite3_int64 id)
{
  inst *t = get_inst(storage);
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  if (!t || t->magic != icx_storage_magic)
    return NULL;
  if (sqlite3_prepare_v2(t->db, "SELECT kind, lex FROM terms WHERE id = ?1", -1, &st, NULL) !=
      SQLITE_OK) {
    fail(t, "cannot prepare a term lookup");
    return NULL;
  }
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    int kind = sqlite3_column_int(st, 0);
    const char *lex = (const char *)sqlite3_column_text(st, 1);
    icx_buf b;
    icx_buf_init(&b);
    icx_buf_appendf(&b, kind == 1 ? "<%s>" : kind == 2 ? "_:%s" : "\"%s\"", lex ? lex : "");
    out = icx_buf_take(&b);
  }
  sqlite3_finalize(st);
  return out;
}

int
icx_storage_context_ids(librdf_storage *storage, sqlite3_int64 g, sqlite3_int64 s,
                        sqlite3_int64 p, sqlite3_int64 o, icx_storage_ids_fn fn, void *ud)
{
  /* Without statistics SQLite took quads_g (g = ?) for the third shape
   * too, reading the whole graph for one subject: the + keeps it on
   * quads_pos (p, o, s), and g is checked on the rows found. */
  static const char *const sql[3] = {
    "SELECT s, p, o FROM quads WHERE g = ?1 ORDER BY s, p, o",
    "SELECT s, p, o FROM quads WHERE s = ?2 AND p = ?3 AND g = ?1",
    "SELECT s, p, o FROM quads WHERE p = ?3 AND o = ?4 AND +g = ?1"
  };
  inst *t = get_inst(storage);
  sqlite3_stmt *st;
  int shape, rc;

  if (!t || t->magic != icx_storage_magic || !fn)
    return -1;
  if (!s && !p && !o)
    shape = 0;
  else if (s && p && !o)
    shape = 1;
  else if (!s && p && o)
    shape = 2;
  else
    return -1;
  if (!t->ids_q[shape] &&
      sqlite3_prepare_v3(t->db, sql[shape], -1, SQLITE_PREPARE_PERSISTENT, &t->ids_q[shape],
                         NULL) != SQLITE_OK)
    return fail(t, "cannot prepare a scan");
  st = t->ids_q[shape];
  if (sqlite3_stmt_busy(st))
    return -1;                /* the same shape from inside its own callback */
  sqlite3_bind_int64(st, 1, g);
  if (shape == 1)
    sqlite3_bind_int64(st, 2, s);
  if (shape >= 1)
    sqlite3_bind_int64(st, 3, p);
  if (shape == 2)
    sqlite3_bind_int64(st, 4, o);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           sqlite3_column_int64(st, 2)))
      break;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail(t, "cannot read a graph");
  return 0;
}

/* Steps st, bound, handing column 0 of each row to fn.  0 or -1. */
static int
walk_subjects(inst *t, sqlite3_stmt *st, icx_storage_id_fn fn, void *ud)
{
  int rc;

  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn(ud, sqlite3_column_int64(st, 0)))
      break;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail(t, "cannot read subjects");
  return 0;
}

/* The prepared statement of subject walk k (3: a range, 4: an object).
 * Ranges read quads_num (p, num, s), objects quads_pos (p, o, s): both
 * cover the subject, so SQLite reads the index alone.  NULL when it cannot
 * be prepared or runs already (a walk from inside its own callback). */
static sqlite3_stmt *
subjects_query(inst *t, int k)
{
  static const char *const sql[2] = {
    "SELECT s FROM quads WHERE p = ?1 AND num >= ?2 AND num <= ?3",
    "SELECT s FROM quads WHERE p = ?1 AND o = ?2"
  };

  if (!t->ids_q[k] &&
      sqlite3_prepare_v3(t->db, sql[k - 3], -1, SQLITE_PREPARE_PERSISTENT, &t->ids_q[k],
                         NULL) != SQLITE_OK) {
    fail(t, "cannot prepare a subject walk");
    return NULL;
  }
  return sqlite3_stmt_busy(t->ids_q[k]) ? NULL : t->ids_q[k];
}

int
icx_storage_subjects_in_range(librdf_storage *storage, icx_id p, double lo, double hi,
                              icx_storage_id_fn fn, void *ud)
{
  inst *t = get_inst(storage);
  sqlite3_stmt *st;

  if (!t || t->magic != icx_storage_magic || !fn || !(st = subjects_query(t, 3)))
    return -1;
  sqlite3_bind_int64(st, 1, p);
  sqlite3_bind_double(st, 2, lo);
  sqlite3_bind_double(st, 3, hi);
  return walk_subjects(t, st, fn, ud);
}

int
icx_storage_subjects_with(librdf_storage *storage, icx_id p, icx_id o,
                          icx_storage_id_fn fn, void *ud)
{
  inst *t = get_inst(storage);
  sqlite3_stmt *st;

  if (!t || t->magic != icx_storage_magic || !fn || !(st = subjects_query(t, 4)))
    return -1;
  sqlite3_bind_int64(st, 1, p);
  sqlite3_bind_int64(st, 2, o);
  return walk_subjects(t, st, fn, ud);
}

/* Removes the quad (statement, g).  0 or -1. */
static int
remove_quad(inst *t, librdf_statement *x, sqlite3_int64 g)
{
  sqlite3_stmt *st = t->q[Q_QUAD_DEL];
  sqlite3_int64 s, p, o;
  int rc;

  if (!valid_statement(x))
    return -1;
  s = term_id(t, librdf_statement_get_subject(x), 0);
  p = term_id(t, librdf_statement_get_predicate(x), 0);
  o = term_id(t, librdf_statement_get_object(x), 0);
  if (s < 0 || p < 0 || o < 0)
    return -1;
  if (!s || !p || !o)
    return 0;                 /* an unknown term: nothing to remove */
  sqlite3_bind_int64(st, 1, s);
  sqlite3_bind_int64(st, 2, p);
  sqlite3_bind_int64(st, 3, o);
  sqlite3_bind_int64(st, 4, g);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : fail(t, "cannot remove a statement");
}

static int
icx_context_remove_statement(librdf_storage *storage, librdf_node *context,
                             librdf_statement *statement)
{
  inst *t = get_inst(storage);
  sqlite3_int64 g = context_id(t, context, 0);

  if (g < 0)
    return 1;
  if (context && g == 0)
    return 0;                 /* an unknown context holds nothing */
  return remove_quad(t, statement, g) ? 1 : 0;
}

static int
icx_remove_statement(librdf_storage *storage, librdf_statement *statement)
{
  return icx_context_remove_statement(storage, NULL, statement);
}

static int
icx_context_remove_statements(librdf_storage *storage, librdf_node *context)
{
  inst *t = get_inst(storage);
  sqlite3_stmt *st = t->q[Q_QUAD_DEL_G];
  sqlite3_int64 g = context_id(t, context, 0);
  int rc;

  if (g < 0)
    return 1;
  if (context && g == 0)
    return 0;
  sqlite3_bind_int64(st, 1, g);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : (fail(t, "cannot remove a context"), 1);
}

static int
icx_contains_statement(librdf_storage *storage, librdf_statement *statement)
{
  inst *t = get_inst(storage);
  sqlite3_stmt *st = t->q[Q_CONTAINS];
  sqlite3_int64 s, p, o;
  int rc;

  if (!valid_statement(statement))
    return 0;
  s = term_id(t, librdf_statement_get_subject(statement), 0);
  p = term_id(t, librdf_statement_get_predicate(statement), 0);
  o = term_id(t, librdf_statement_get_object(statement), 0);
  if (s <= 0 || p <= 0 || o <= 0)
    return 0;
  sqlite3_bind_int64(st, 1, s);
  sqlite3_bind_int64(st, 2, p);
  sqlite3_bind_int64(st, 3, o);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    fail(t, "cannot look up a statement");
  return rc == SQLITE_ROW;
}

/* --- finding: streams of statements ---------------------------------------------- */

typedef struct find_ctx {
  inst *t;
  librdf_storage *storage;
  sqlite3_stmt *st;
  int shape;                  /* the cached statement's slot; -1: st is ours */
  librdf_statement *cur;
  librdf_node *cur_context;
  int done;
} find_ctx;

/* The statement for a shape: the cached one when free, else a new one. */
static sqlite3_stmt *
find_stmt(inst *t, int shape, int *slot)
{
  char sql[1024];
  sqlite3_stmt *st = NULL;
  size_t n;

  if (t->find[shape] && !t->find_busy[shape]) {
    t->find_busy[shape] = 1;
    *slot = shape;
    return t->find[shape];
  }
  n = (size_t)snprintf(sql, sizeof sql, "%s", find_head);
  if (shape)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " WHERE 1");
  if (shape & BOUND_S)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND q.s = ?1");
  if (shape & BOUND_P)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND q.p = ?2");
  if (shape & BOUND_O)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND q.o = ?3");
  /* g is checked on the rows a subject, or a predicate and object, find;
   * left to itself SQLite may read the whole graph on quads_g instead. */
  if (shape & BOUND_G)
    snprintf(sql + n, sizeof sql - n, " AND %sq.g = ?4",
             (shape & BOUND_S) || ((shape & BOUND_P) && (shape & BOUND_O)) ? "+" : "");
  if (sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    fail(t, "cannot prepare a search");
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
find_fetch(find_ctx *f)
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
      fail(f->t, "cannot read statements");
    f->done = 1;
    return 1;
  }
  s = make_node(f->t, sqlite3_column_int(st, 1), sqlite3_column_text(st, 2),
                sqlite3_column_bytes(st, 2), NULL, NULL);
  p = make_node(f->t, 1, sqlite3_column_text(st, 3), sqlite3_column_bytes(st, 3), NULL, NULL);
  o = make_node(f->t, sqlite3_column_int(st, 4), sqlite3_column_text(st, 5),
                sqlite3_column_bytes(st, 5), sqlite3_column_text(st, 6),
                sqlite3_column_text(st, 7));
  if (sqlite3_column_int64(st, 0) != 0)
    g = make_node(f->t, 1, sqlite3_column_text(st, 8), sqlite3_column_bytes(st, 8), NULL, NULL);
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
find_end(void *ud)
{
  find_ctx *f = ud;

  return f->cur == NULL;
}

static int
find_next(void *ud)
{
  return find_fetch(ud);
}

static void *
find_get(void *ud, int flags)
{
  find_ctx *f = ud;

  if (flags == LIBRDF_ITERATOR_GET_METHOD_GET_OBJECT)
    return f->cur;
  if (flags == LIBRDF_ITERATOR_GET_METHOD_GET_CONTEXT)
    return f->cur_context;
  return NULL;
}

static void
find_finished(void *ud)
{
  find_ctx *f = ud;

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

/* Statements matching pattern (NULL parts are wildcards, NULL: all) in
 * context: has_context 0 searches every context, 1 only context (NULL: the
 * statements without context). */
static librdf_stream *
find_in(librdf_storage *storage, librdf_statement *pattern, int has_context,
        librdf_node *context)
{
  inst *t = get_inst(storage);
  librdf_node *part[3] = { NULL, NULL, NULL };
  sqlite3_int64 id[4] = { 0, 0, 0, 0 };
  find_ctx *f;
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
    id[i] = term_id(t, part[i], 0);
    if (id[i] < 0)
      return NULL;
    if (id[i] == 0)
      return librdf_new_empty_stream(t->world);   /* an unknown term matches nothing */
  }
  if (has_context) {
    shape |= BOUND_G;
    if (context) {
      id[3] = context_id(t, context, 0);
      if (id[3] < 0)
        return NULL;
      if (id[3] == 0)
        return librdf_new_empty_stream(t->world);
    }
  }
  f = calloc(1, sizeof *f);
  if (!f)
    return NULL;
  f->t = t;
  f->st = find_stmt(t, shape, &f->shape);
  if (!f->st) {
    free(f);
    return NULL;
  }
  f->storage = storage;
  librdf_storage_add_reference(storage);
  for (i = 0; i < 4; i++)
    if (shape & (1 << i))
      sqlite3_bind_int64(f->st, i + 1, id[i]);
  find_fetch(f);
  stream = librdf_new_stream(t->world, f, find_end, find_next, find_get, find_finished);
  if (!stream)
    find_finished(f);
  return stream;
}

static librdf_stream *
icx_serialise(librdf_storage *storage)
{
  return find_in(storage, NULL, 0, NULL);
}

static librdf_stream *
icx_find_statements(librdf_storage *storage, librdf_statement *statement)
{
  return find_in(storage, statement, 0, NULL);
}

static librdf_stream *
icx_context_serialise(librdf_storage *storage, librdf_node *context)
{
  return find_in(storage, NULL, 1, context);
}

static librdf_stream *
icx_find_statements_in_context(librdf_storage *storage, librdf_statement *statement,
                               librdf_node *context)
{
  return find_in(storage, statement, 1, context);
}

/* --- contexts ------------------------------------------------------------------------- */

typedef struct ctx_iter {
  inst *t;
  librdf_storage *storage;
  sqlite3_stmt *st;
  librdf_node *cur;
} ctx_iter;

static void
ctx_fetch(ctx_iter *c)
{
  if (c->cur) {
    librdf_free_node(c->cur);
    c->cur = NULL;
  }
  if (c->st && sqlite3_step(c->st) == SQLITE_ROW)
    c->cur = librdf_new_node_from_uri_string(c->t->world, sqlite3_column_text(c->st, 0));
}

static int
ctx_end(void *ud)
{
  return ((ctx_iter *)ud)->cur == NULL;
}

static int
ctx_next(void *ud)
{
  ctx_fetch(ud);
  return ((ctx_iter *)ud)->cur == NULL;
}

static void *
ctx_get(void *ud, int flags)
{
  ctx_iter *c = ud;

  return flags == LIBRDF_ITERATOR_GET_METHOD_GET_OBJECT ? c->cur : NULL;
}

static void
ctx_finished(void *ud)
{
  ctx_iter *c = ud;

  if (c->cur)
    librdf_free_node(c->cur);
  sqlite3_finalize(c->st);
  if (c->storage)
    librdf_storage_remove_reference(c->storage);
  free(c);
}

static librdf_iterator *
icx_get_contexts(librdf_storage *storage)
{
  inst *t = get_inst(storage);
  ctx_iter *c = calloc(1, sizeof *c);
  librdf_iterator *it;

  if (!c)
    return NULL;
  c->t = t;
  if (sqlite3_prepare_v2(t->db, "SELECT t.lex FROM (SELECT DISTINCT g FROM quads WHERE g <> 0) x"
                         " CROSS JOIN terms t ON t.id = x.g ORDER BY t.lex", -1, &c->st,
                         NULL) != SQLITE_OK) {
    fail(t, "cannot list contexts");
    free(c);
    return NULL;
  }
  c->storage = storage;
  librdf_storage_add_reference(storage);
  ctx_fetch(c);
  it = librdf_new_iterator(t->world, c, ctx_end, ctx_next, ctx_get, ctx_finished);
  if (!it)
    ctx_finished(c);
  return it;
}

static librdf_node *
icx_get_feature(librdf_storage *storage, librdf_uri *feature)
{
  const char *f = feature ? (const char *)librdf_uri_as_string(feature) : NULL;

  if (f && (!strcmp(f, LIBRDF_MODEL_FEATURE_CONTEXTS) || !strcmp(f, FEATURE_ICX)))
    return librdf_new_node_from_typed_literal(librdf_storage_get_world(storage),
                                              (const unsigned char *)"1", NULL, NULL);
  return NULL;
}

/* --- registration and the module's own calls ---------------------------------------- */

static void
icx_factory(librdf_storage_factory *f)
{
  f->version = LIBRDF_STORAGE_INTERFACE_VERSION;
  f->init = icx_init;
  f->terminate = icx_terminate;
  f->open = icx_open;
  f->close = icx_close;
  f->size = icx_size;
  f->add_statement = icx_add_statement;
  f->add_statements = icx_add_statements;
  f->remove_statement = icx_remove_statement;
  f->contains_statement = icx_contains_statement;
  f->serialise = icx_serialise;
  f->find_statements = icx_find_statements;
  f->context_add_statement = icx_context_add_statement;
  f->context_add_statements = icx_context_add_statements;
  f->context_remove_statement = icx_context_remove_statement;
  f->context_remove_statements = icx_context_remove_statements;
  f->context_serialise = icx_context_serialise;
  f->find_statements_in_context = icx_find_statements_in_context;
  f->get_contexts = icx_get_contexts;
  f->get_feature = icx_get_feature;
  f->transaction_start = icx_tx_start;
  f->transaction_commit = icx_tx_commit;
  f->transaction_rollback = icx_tx_rollback;
}

int
icx_storage_register(librdf_world *world)
{
  if (!world)
    return 1;
  return librdf_storage_register_factory(world, ICX_STORAGE_NAME, "icx SQLite storage",
                                         icx_factory);
}

sqlite3 *
icx_storage_db(librdf_storage *storage)
{
  librdf_uri *u;
  librdf_node *v = NULL;
  inst *t;

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
  t = get_inst(storage);
  return t && t->magic == icx_storage_magic ? t->db : NULL;
}

const char *
icx_storage_errmsg(librdf_storage *storage)
{
  inst *t = icx_storage_db(storage) ? get_inst(storage) : NULL;

  return t ? t->errmsg : "";
}

icx_storage_probe_result
icx_storage_probe(const char *path, char *version, size_t n)
{
  static const char head_ok[16] = "SQLite format 3";
  char head[16];
  FILE *fp;
  size_t got;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int redland = 0, meta = 0, rc;
  icx_storage_probe_result res = ICX_STORAGE_PROBE_FOREIGN;

  if (version && n)
    version[0] = '\0';
  fp = fopen(path, "rb");
  if (!fp)
    return ICX_STORAGE_PROBE_EMPTY;
  got = fread(head, 1, sizeof head, fp);
  fclose(fp);
  if (got == 0)
    return ICX_STORAGE_PROBE_EMPTY;
  if (got < sizeof head || memcmp(head, head_ok, sizeof head) != 0)
    return ICX_STORAGE_PROBE_NOT_SQLITE;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    goto unreadable;
  sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
  if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st,
                         NULL) != SQLITE_OK)
    goto unreadable;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (!name)
      continue;
    if (!strcmp(name, "icx_meta"))
      meta = 1;
    else if (!strcmp(name, "uris") || !strcmp(name, "blanks") || !strcmp(name, "literals") ||
             !strcmp(name, "triples"))
      redland++;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (rc != SQLITE_DONE)
    goto unreadable;
  if (redland == 4 && !meta) {
    res = ICX_STORAGE_PROBE_REDLAND;
  } else if (meta) {
    char format[64] = "", ver[64] = "";
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM icx_meta", -1, &st, NULL) != SQLITE_OK)
      goto unreadable;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *k = (const char *)sqlite3_column_text(st, 0);
      const char *v = (const char *)sqlite3_column_text(st, 1);
      if (k && v && !strcmp(k, "format"))
        snprintf(format, sizeof format, "%s", v);
      else if (k && v && !strcmp(k, "version"))
        snprintf(ver, sizeof ver, "%s", v);
    }
    if (strcmp(format, ICX_STORAGE_FORMAT) != 0)
      res = ICX_STORAGE_PROBE_FOREIGN;
    else if (strcmp(ver, ICX_STORAGE_VERSION) != 0)
      res = ICX_STORAGE_PROBE_VERSION;
    else
      res = ICX_STORAGE_PROBE_OK;
    if (version && n)
      snprintf(version, n, "%s", ver);
  } else {
    /* An empty SQLite file (no tables at all) is no one's yet. */
    sqlite3_stmt *cnt = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &cnt, NULL) ==
          SQLITE_OK && sqlite3_step(cnt) == SQLITE_ROW && sqlite3_column_int(cnt, 0) == 0)
      res = ICX_STORAGE_PROBE_EMPTY;
    sqlite3_finalize(cnt);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return res;
unreadable:
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ICX_STORAGE_PROBE_UNREADABLE;
}

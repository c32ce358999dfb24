/* icx_store.c - the persistent store, on icx's own librdf storage module
 * (icx_storage.c: SQLite, a term dictionary and indexed quads): opening
 * and closing a store, and what it lends.  Writing documents is
 * icx_store_docs.c, listing them icx_store_list.c, the calls by term id
 * icx_store_ids.c; icx_store_internal.h holds what they share.
 *
 * Each document is a librdf context named by its URI; the bookkeeping graph
 * <urn:icx:meta> records every document (icxm:Document, source, format,
 * load time, triple count).  The store's format and version live in the
 * storage's icx_meta table.  The query path reaches the triples through
 * icx_store_model() (rasqal) or, for SQL, through the storage's
 * connection, cached here (icx_store_db(), icx_schema.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"   /* icx_storage_db() */
#include "icx_store_internal.h"
#include "icx_util.h"

/* SQLite's page cache for a store opened read-only, MiB; $ICX_READ_CACHE_MB
 * (1 to 4096) overrides it.  Writable stores keep the storage's default. */
#define ICX_STORE_READ_CACHE_MB 4

/* --- node helpers ------------------------------------------------------- */

librdf_node *
icx_store_uri_node(icx_store *s, const char *iri)
{
  if (icx_store_rdf(s) != ICX_OK)
    return NULL;
  return librdf_new_node_from_uri_string(icx_ctx_world(s->ctx), (const unsigned char *)iri);
}

librdf_node *
icx_store_match_node(icx_store *s, const char *local)
{
  char iri[128];

  snprintf(iri, sizeof iri, "%s%s", ICX_MATCH_NS, local);
  return icx_store_uri_node(s, iri);
}

/* --- open / close --------------------------------------------------------- */

static int
store_mkdir_parents(icx_ctx *ctx, const char *path)
{
  char *dup = icx_strdup(ctx, path), *p;
  int rc = 0;

  if (!dup)
    return -1;
  for (p = dup + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dup, 0700) != 0 && errno != EEXIST)
      rc = -1;
    *p = '/';
  }
  icx_free(ctx, dup);
  return rc;
}

/* Removes the file a failed create left at path, unless another
 * writer has made a store there meanwhile (its write-ahead log exists,
 * or the file has content). */
static void
store_unlink_unused(const char *path)
{
  struct stat sb;
  char wal[4096];

  if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal || stat(wal, &sb) == 0)
    return;
  if (stat(path, &sb) == 0 && sb.st_size == 0)
    unlink(path);
}

/* Why the file at path cannot be opened as a store: ICX_OK when it can
 * (*is_new set when a new store goes there), else the failure, with its
 * message set.  With keep (a reader), the probe's connection of a store
 * that opens as it is goes to *keep (NULL otherwise). */
static icx_rc
store_check_file(icx_ctx *ctx, const char *path, int *is_new, sqlite3 **keep)
{
  char version[256], old[256];

  *is_new = 0;
  switch (icx_storage_probe_keep(path, version, sizeof version, keep)) {
  case ICX_STORAGE_PROBE_OK:
    return ICX_OK;
  case ICX_STORAGE_PROBE_EMPTY:
    *is_new = 1;
    return ICX_OK;
  case ICX_STORAGE_PROBE_NOT_SQLITE:
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (not an SQLite file)", path);
  case ICX_STORAGE_PROBE_FOREIGN:
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (an SQLite file of "
                    "another schema)", path);
  case ICX_STORAGE_PROBE_REDLAND:
    return icx_fail(ctx, ICX_ERR_STORE,
                    "store %s has format version 1 (Redland's sqlite storage); this icx "
                    "reads version %s (reload the documents into a new store)", path,
                    ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_OLD:
    /* Upgraded in place by whoever may write it; a reader that may not
     * is told who can. */
    if (access(path, W_OK) != 0)
      return icx_fail(ctx, ICX_ERR_STORE,
                      "store %s has format version %s; this icx reads version %s (run any "
                      "icx command on it once as an account that may write it, e.g. icx "
                      "stats as its owner: it upgrades the store in place)", path,
                      version, ICX_STORAGE_VERSION);
    snprintf(old, sizeof old, "%s", version);
    if (icx_storage_upgrade(path, version, sizeof version) != 0)
      return icx_fail(ctx, ICX_ERR_STORE, "cannot upgrade store %s from format version %s to "
                      "%s: %s", path, old, ICX_STORAGE_VERSION, version);
    return ICX_OK;
  case ICX_STORAGE_PROBE_VERSION:
    /* A later version is a newer icx's store, whose documents are fine:
     * this program is what is too old. */
    if (strtol(version, NULL, 10) > strtol(ICX_STORAGE_VERSION, NULL, 10))
      return icx_fail(ctx, ICX_ERR_STORE,
                      "store %s has format version %s, written by a newer icx; this icx "
                      "reads version %s (use the icx that wrote it, or a newer one)", path,
                      version, ICX_STORAGE_VERSION);
    return icx_fail(ctx, ICX_ERR_STORE,
                    "store %s has format version %s; this icx reads version %s "
                    "(reload the documents into a new store)", path,
                    *version ? version : "(none)", ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_DAMAGED:
    return icx_fail(ctx, ICX_ERR_DAMAGED, "store %s is truncated or damaged (%s); run icx check",
                    path, version);
  case ICX_STORAGE_PROBE_LOCKED:
    return icx_fail(ctx, ICX_ERR_STORE, "cannot read store %s: %s (another program holds a "
                    "lock on it)", path, version);
  case ICX_STORAGE_PROBE_UNREADABLE:
    return icx_fail(ctx, ICX_ERR_IO, "cannot read store %s: %s", path, version);
  }
  return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store", path);
}

/* A reader of another account than the store's owner opens the store only
 * when its -wal and -shm files are there: SQLite would otherwise make them
 * (when the folder lets it), owned by the reader, and the owner's next
 * write would fail with "attempt to write a readonly database"; without
 * write access to the folder it could not open the store at all.  Every
 * icx writer leaves them in place (icx_storage.c), so one run of any icx
 * command by the owner makes them.  root is exempt: SQLite gives the files
 * it makes as root to the store's owner. */
static icx_rc
store_check_side_files(icx_ctx *ctx, const char *path, const struct stat *db)
{
  static const char *const sfx[] = { "-wal", "-shm" };
  struct stat sb;
  size_t i;
  icx_buf b;

  if (geteuid() == 0 || geteuid() == db->st_uid)
    return ICX_OK;
  for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
    icx_buf_init(&b, ctx);
    icx_buf_appendf(&b, "%s%s", path, sfx[i]);
    if (icx_buf_failed(&b) || !b.data) {
      icx_buf_free(&b);
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    }
    if (stat(b.data, &sb) != 0) {
      icx_buf_free(&b);
      return icx_fail(ctx, ICX_ERR_IO,
                      "cannot read store %s as another account than its owner: %s%s is "
                      "missing (run any icx command on the store as its owner once, e.g. "
                      "icx stats, to make it)", path, path, sfx[i]);
    }
    icx_buf_free(&b);
  }
  return ICX_OK;
}

icx_rc
icx_store_open(icx_ctx *ctx, const char *path, int flags, icx_store **out)
{
  icx_store *s;
  struct stat sb;
  int exists, is_new = 0;
  icx_storage_options o = { 0 };
  char why[600];
  icx_rc rc = ICX_OK;

  if (!ctx || !path || !out || !*path)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  exists = stat(path, &sb) == 0;
  if (!exists && !(flags & ICX_STORE_CREATE))
    return icx_fail(ctx, ICX_ERR_NOT_FOUND, "no store at %s (load documents first)", path);
  if (exists && !S_ISREG(sb.st_mode))
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not a regular file", path);
  if (exists && access(path, (flags & ICX_STORE_READONLY) ? R_OK : R_OK | W_OK) != 0)
    return icx_fail(ctx, ICX_ERR_IO, "cannot open store %s: %s", path, strerror(errno));
  if (exists && (flags & ICX_STORE_READONLY) && (rc = store_check_side_files(ctx, path, &sb)))
    return rc;
  if (exists && (rc = store_check_file(ctx, path, &is_new,
                                       (flags & ICX_STORE_READONLY) ? &o.db : NULL)))
    return rc;
  if (exists && is_new && !(flags & ICX_STORE_CREATE))
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (an empty file)", path);
  if (!exists && store_mkdir_parents(ctx, path) != 0)
    return icx_fail(ctx, ICX_ERR_IO, "cannot create the folder of store %s: %s", path,
                    strerror(errno));

  s = icx_calloc(ctx, 1, sizeof *s);
  if (!s || !(s->path = icx_strdup(ctx, path))) {
    icx_free(ctx, s);
    sqlite3_close(o.db);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  s->ctx = ctx;
  s->flags = flags;
  /* Loads want a large page cache.  A reader keeps its memory down with a
   * small one: at 1M clouds no cache holds the working set and the time is
   * the same; at 100k a 64 MiB one is about a fifth faster
   * (doc/performance.md). */
  o.is_new = !exists || is_new;
  o.readonly = (flags & ICX_STORE_READONLY) != 0;
  o.synchronous = "normal";
  if (flags & ICX_STORE_READONLY)
    o.cache_mb = icx_parse_mib(getenv("ICX_READ_CACHE_MB"), ICX_STORE_READ_CACHE_MB);
  s->inst = icx_storage_open(path, &o, why, sizeof why);
  if (!s->inst) {
    rc = icx_fail(ctx, strstr(why, ICX_STORAGE_DAMAGED_NOTE) ? ICX_ERR_DAMAGED : ICX_ERR_STORE,
                  "cannot open store %s: %s", path, why);
    if (!exists)
      store_unlink_unused(path);
    goto fail;
  }
  s->db = icx_storage_inst_db(s->inst);
  if (stat(path, &sb) != 0) {
    rc = icx_fail(ctx, ICX_ERR_IO, "cannot open store %s: %s", path, strerror(errno));
    goto fail;
  }
  s->dev = (unsigned long long)sb.st_dev;
  s->ino = (unsigned long long)sb.st_ino;
  /* The bookkeeping graph is read by name only: a query over the default
   * graph or GRAPH ?g sees the documents alone. */
  if (icx_storage_set_hidden(s->inst, ICX_STORE_META_GRAPH)) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  *out = s;
  return ICX_OK;
fail:
  icx_store_free(s);
  return rc;
}

/* The librdf side of a store: its world, a librdf storage on the open
 * file and a model over it, made when a call first needs them, so that a
 * process that only reads by id and matches on the index never starts
 * librdf (doc/architecture.md, "Starting light"). */
icx_rc
icx_store_rdf(icx_store *s)
{
  librdf_world *world;
  icx_diag diag;

  if (s->model)
    return ICX_OK;
  if (!(world = icx_ctx_world(s->ctx)))
    return icx_rdf_failure(s->ctx);
  if (!s->storage) {
    icx_diag_begin(s->ctx, &diag);
    s->storage = icx_storage_wrap(world, s->inst);
    icx_diag_end(s->ctx);
    if (!s->storage)
      return icx_fail(s->ctx, ICX_ERR_STORE, "cannot open store %s with librdf%s%s", s->path,
                      diag.errors ? ": " : "", diag.errors ? diag.first : "");
  }
  if (!s->meta && !(s->meta = librdf_new_node_from_uri_string(
                        world, (const unsigned char *)ICX_STORE_META_GRAPH)))
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  if (!(s->model = librdf_new_model(world, s->storage, NULL)))
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  return ICX_OK;
}

int
icx_store_replaced(const icx_store *s)
{
  struct stat sb;

  if (!s)
    return 0;
  if (stat(s->path, &sb) != 0)
    return errno == ENOENT || errno == ENOTDIR;
  return (unsigned long long)sb.st_dev != s->dev || (unsigned long long)sb.st_ino != s->ino;
}

/* The bytes of the file at path, or -1. */
static long long
store_file_bytes(const char *path)
{
  struct stat sb;

  return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* The value of PRAGMA name (a number), or -1. */
static long long
store_pragma_num(icx_store *s, const char *name)
{
  char sql[64];
  sqlite3_stmt *st;
  long long v = -1;

  snprintf(sql, sizeof sql, "PRAGMA %s", name);
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

icx_rc
icx_store_file_size(icx_store *s, long long *bytes, long long *free_bytes)
{
  long long size, pages, free_pages;

  if (!s || !bytes || !free_bytes)
    return ICX_ERR_MISUSE;
  if ((size = store_pragma_num(s, "page_size")) < 0 ||
      (pages = store_pragma_num(s, "page_count")) < 0 ||
      (free_pages = store_pragma_num(s, "freelist_count")) < 0)
    return icx_store_failed(s, icx_fail(s->ctx, ICX_ERR_STORE, "cannot read the size of %s: %s",
                                        s->path, sqlite3_errmsg(s->db)));
  *bytes = size * pages;
  *free_bytes = size * free_pages;
  return ICX_OK;
}

icx_rc
icx_store_vacuum(icx_store *s, long long *before, long long *after)
{
  if (before)
    *before = -1;
  if (after)
    *after = -1;
  if (!s)
    return ICX_ERR_MISUSE;
  if (s->flags & ICX_STORE_READONLY)
    return icx_fail(s->ctx, ICX_ERR_MISUSE, "store %s is open read-only", s->path);
  if (s->doc)
    return icx_fail(s->ctx, ICX_ERR_MISUSE, "a document is being written to %s", s->path);
  if (before)
    *before = store_file_bytes(s->path);
  if (icx_storage_vacuum(s->inst))
    return icx_store_failed(s, icx_fail(s->ctx, ICX_ERR_STORE, "cannot vacuum store %s: %s",
                                        s->path, icx_storage_errmsg(s->inst)));
  /* The rewrite went through the write-ahead log, as big as the file by
   * now: emptied when no reader is inside it (else at a later write). */
  if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
      SQLITE_OK)
    icx_log(s->ctx, ICX_LOG_WARN, "store", "%s: its write-ahead log is emptied by a later "
            "write (%s)", s->path, sqlite3_errmsg(s->db));
  if (after)
    *after = store_file_bytes(s->path);
  return ICX_OK;
}

void
icx_store_free(icx_store *s)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  size_t i;
  if (!s)
    return;
  icx_store_document_abort(s);
  if (s->attached && s->attached_free)   /* icx_store_attach() */
    s->attached_free(s->attached);
  if (s->gen_st)
    sqlite3_finalize(s->gen_st);
  /* A writer leaves the WAL empty when it can (no reader is inside it):
   * the store's file is then whole by itself, and a store file renamed
   * over this one later is not read through this one's WAL (SQLite names
   * the -wal and -shm files after the path, and keeps them when the file
   * has moved).  Busy readers: the WAL stays, as before. */
  if (s->db && !(s->flags & ICX_STORE_READONLY))
    sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  for (i = 0; i < ICX_STORE_STMTS; i++) {
    sqlite3_finalize(s->stmts[i].st);
    icx_free(ctx, s->stmts[i].sql);
  }
  if (s->meta)
    librdf_free_node(s->meta);
  if (s->model)
    librdf_free_model(s->model);
  if (s->storage)
    librdf_free_storage(s->storage);
  icx_storage_close(s->inst);
  icx_free(ctx, s->name_property);
  icx_free(ctx, s->before);
  icx_free(ctx, s->path);
  icx_free(ctx, s);
}

sqlite3_stmt *
icx_store_stmt_get(icx_store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;
  size_t i, slot = ICX_STORE_STMTS;
  char *copy;

  if (!s || !s->db || !sql)
    return NULL;
  for (i = 0; i < ICX_STORE_STMTS; i++)
    if (s->stmts[i].sql && !s->stmts[i].busy && !strcmp(s->stmts[i].sql, sql)) {
      s->stmts[i].busy = 1;
      s->stmts[i].used = ++s->stmt_clock;
      return s->stmts[i].st;
    }
  if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return NULL;
  }
  /* A free slot, else the least recently lent one not lent now. */
  for (i = 0; i < ICX_STORE_STMTS; i++) {
    if (s->stmts[i].busy)
      continue;
    if (!s->stmts[i].sql) {
      slot = i;
      break;
    }
    if (slot == ICX_STORE_STMTS || s->stmts[i].used < s->stmts[slot].used)
      slot = i;
  }
  if (slot == ICX_STORE_STMTS || !(copy = icx_strdup(s->ctx, sql)))
    return st;                          /* lent once, finalized when put */
  sqlite3_finalize(s->stmts[slot].st);
  icx_free(s->ctx, s->stmts[slot].sql);
  s->stmts[slot].sql = copy;
  s->stmts[slot].st = st;
  s->stmts[slot].busy = 1;
  s->stmts[slot].used = ++s->stmt_clock;
  return st;
}

void
icx_store_stmt_put(icx_store *s, sqlite3_stmt *st)
{
  size_t i;

  if (!st)
    return;
  for (i = 0; s && i < ICX_STORE_STMTS; i++)
    if (s->stmts[i].st == st) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      s->stmts[i].busy = 0;
      return;
    }
  sqlite3_finalize(st);
}

int
icx_store_table_have(icx_store *s, unsigned bit, const char *name)
{
  sqlite3_stmt *st;
  int rc;

  if (s->tables & bit)
    return 1;
  st = icx_store_stmt_get(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  if (!st)
    return -1;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  icx_store_stmt_put(s, st);
  /* Inside a transaction it may be this handle's own, not committed. */
  if (rc == SQLITE_ROW && sqlite3_get_autocommit(s->db))
    s->tables |= bit;
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

char *
icx_store_default_path(void)
{
  const char *env = getenv("ICX_STORE");
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  icx_buf b;

  if (env && *env)
    return icx_strdup(NULL, env);      /* the caller free()s it: no context here */
  icx_buf_init(&b, NULL);
  if (xdg && *xdg == '/')
    icx_buf_appendf(&b, "%s/icx/store.db", xdg);
  else if (home && *home)
    icx_buf_appendf(&b, "%s/.local/share/icx/store.db", home);
  else
    return NULL;
  return icx_buf_take(&b);
}

/* Relays a storage's wait to the store's wait callback, with the path. */
static void
store_relay_wait(void *ud, long timeout_ms)
{
  icx_store *s = ud;

  if (s->wait_fn)
    s->wait_fn(s->wait_ud, s->path, timeout_ms);
}

void
icx_store_set_wait(icx_store *s, long timeout_ms, icx_store_wait_fn fn, void *userdata)
{
  if (!s)
    return;
  s->wait_fn = fn;
  s->wait_ud = fn ? userdata : NULL;
  icx_storage_set_wait(s->inst, timeout_ms < 0 ? ICX_STORE_WAIT_MS : timeout_ms,
                       fn ? store_relay_wait : NULL, s);
}

int
icx_store_damaged(icx_store *s)
{
  return s ? icx_storage_damaged(s->inst) : 0;
}

icx_rc
icx_store_failed(icx_store *s, icx_rc rc)
{
  char *why;

  if (!s || !rc || rc == ICX_ERR_DAMAGED || !icx_storage_damaged(s->inst))
    return rc;
  why = strdup(*icx_ctx_errmsg(s->ctx) ? icx_ctx_errmsg(s->ctx) : icx_storage_errmsg(s->inst));
  rc = icx_fail(s->ctx, ICX_ERR_DAMAGED, "store %s is damaged; run icx check (%s)", s->path,
                why ? why : "");
  free(why);
  return rc;
}

librdf_model *icx_store_model(icx_store *s) { return s && !icx_store_rdf(s) ? s->model : NULL; }
librdf_storage *icx_store_storage(icx_store *s) { return s && !icx_store_rdf(s) ? s->storage : NULL; }
icx_storage_inst *icx_store_inst(icx_store *s) { return s ? s->inst : NULL; }
sqlite3 *icx_store_db(icx_store *s) { return s ? s->db : NULL; }

void
icx_store_set_progress(icx_store *s, icx_store_progress_fn fn, void *userdata)
{
  if (!s)
    return;
  s->progress = fn;
  s->progress_ud = fn ? userdata : NULL;
}
icx_ctx *icx_store_ctx(icx_store *s) { return s ? s->ctx : NULL; }
const char *icx_store_path(const icx_store *s) { return s->path; }


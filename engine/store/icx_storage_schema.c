/* icx_storage_schema.c - the icx storage's schema on disk: creating it in
 * a new store, checking an existing store's format and version, dropping
 * and building again the secondary indexes of quads, and probing what a
 * file holds without changing it.  The schema's text is icx_schema.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "icx_schema.h"
#include "icx_storage_internal.h"

static int schema_upgradable(const char *ver);

int
icx_storage_schema_create(icx_storage_inst *t)
{
  if (icx_storage_exec(t, "PRAGMA journal_mode = WAL") || icx_storage_exec(t, "BEGIN IMMEDIATE"))
    return -1;
  if (icx_storage_exec(t, "DROP TABLE IF EXISTS quads; DROP VIEW IF EXISTS terms;"
                       "DROP TABLE IF EXISTS term_rows; DROP TABLE IF EXISTS namespaces;"
                       "DROP TABLE IF EXISTS icx_meta; DROP TABLE IF EXISTS icx_changes;"
                       "DROP TABLE IF EXISTS graph_subjects; DROP TABLE IF EXISTS postings_num;"
                       "DROP TABLE IF EXISTS postings_po") ||
      icx_storage_exec(t, ICX_SCHEMA_SQL)) {
    sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  return icx_storage_exec(t, "COMMIT");
}

int
icx_storage_schema_check(icx_storage_inst *t)
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
    return icx_storage_fail(t, "cannot read icx_meta");
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
  if (t->world)
    librdf_log(t->world, 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE, NULL,
             "icx storage %s: %s", t->path, t->errmsg);
  return -1;
}

int
icx_storage_schema_drop_indexes(icx_storage_inst *t)
{
  /* The quads have no index but their key: the postings are left as they
   * are, unread and unwritten, until the build makes them again. */
  t->indexes_dropped = 1;
  return 0;
}

int
icx_storage_schema_build_indexes(icx_storage_inst *t)
{
  if (icx_storage_postings_build(t))
    return -1;
  t->indexes_dropped = 0;
  return 0;
}

/* What a failed SQLite call on the probe's connection says of the file;
 * SQLite's message goes to msg (n bytes). */
static icx_storage_probe_result
schema_probe_failure(sqlite3 *db, int rc, char *msg, size_t n)
{
  if (msg && n)
    snprintf(msg, n, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return ICX_STORAGE_PROBE_DAMAGED;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return ICX_STORAGE_PROBE_LOCKED;
  }
  return ICX_STORAGE_PROBE_UNREADABLE;
}

/* The first and the last entry of every table and index of the schema:
 * reads the pages on both edges of each b-tree, so that a zeroed,
 * truncated or overwritten root or edge page is found when the store
 * opens, at the cost of a few pages per tree.  Damage deeper inside a
 * large tree is found when a read reaches it, or by icx check. */
static const char *const schema_edges[] = {
  "SELECT key FROM icx_meta ORDER BY key",
  "SELECT key FROM icx_meta ORDER BY key DESC",
  "SELECT id FROM term_rows ORDER BY id",
  "SELECT id FROM term_rows ORDER BY id DESC",
  "SELECT local FROM term_rows INDEXED BY term_rows_key ORDER BY local, ns, kind, dt, lang",
  "SELECT local FROM term_rows INDEXED BY term_rows_key"
  " ORDER BY local DESC, ns DESC, kind DESC, dt DESC, lang DESC",
  "SELECT id FROM namespaces ORDER BY id",
  "SELECT id FROM namespaces ORDER BY id DESC",
  "SELECT iri FROM namespaces ORDER BY iri",
  "SELECT iri FROM namespaces ORDER BY iri DESC",
  "SELECT s FROM quads ORDER BY s, p, o, g",
  "SELECT s FROM quads ORDER BY s DESC, p DESC, o DESC, g DESC",
  "SELECT p FROM postings_po ORDER BY p, o, s0, g0",
  "SELECT p FROM postings_po ORDER BY p DESC, o DESC, s0 DESC, g0 DESC",
  "SELECT g FROM graph_subjects ORDER BY g, s",
  "SELECT g FROM graph_subjects ORDER BY g DESC, s DESC",
  "SELECT p FROM postings_num ORDER BY p, n, s0, o0",
  "SELECT p FROM postings_num ORDER BY p DESC, n DESC, s0 DESC, o0 DESC",
  NULL
};

static const char *const schema_log_edges[] = {
  "SELECT subjects FROM icx_changes ORDER BY seq",
  "SELECT subjects FROM icx_changes ORDER BY seq DESC",
  NULL
};

/* 0 when every edge reads, else the failing SQLite result.  The edges
 * are read by one statement, each a scalar subquery: one prepare where
 * twenty took a quarter of a millisecond of every cold start.  has_log:
 * the store has the change log (made by its first logged write; a store
 * made before it has none). */
static int
schema_probe_edges(sqlite3 *db, int has_log)
{
  const char *const *lists[2] = { schema_edges, schema_log_edges };
  sqlite3_str *sql = sqlite3_str_new(db);
  sqlite3_stmt *st;
  char *text;
  int i, k, rc;

  for (k = 0; k < (has_log ? 2 : 1); k++)
    for (i = 0; lists[k][i]; i++)
      sqlite3_str_appendf(sql, "%s(%s LIMIT 1)", k || i ? ", " : "SELECT ", lists[k][i]);
  if (!(text = sqlite3_str_finish(sql)))
    return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, text, -1, &st, NULL);
  sqlite3_free(text);
  if (rc != SQLITE_OK)
    return (rc & 0xff) == SQLITE_ERROR ? SQLITE_CORRUPT : rc;   /* a table or index gone */
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : rc;
}

icx_storage_probe_result
icx_storage_probe(const char *path, char *version, size_t n)
{
  return icx_storage_probe_keep(path, version, n, NULL);
}

icx_storage_probe_result
icx_storage_probe_keep(const char *path, char *version, size_t n, sqlite3 **keep)
{
  static const char head_ok[16] = "SQLite format 3";
  char head[100];
  size_t got;
  struct stat sb;
  sqlite3_file *file = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int redland = 0, meta = 0, has_log = 0, rc;
  icx_storage_probe_result res = ICX_STORAGE_PROBE_FOREIGN;

  if (version && n)
    version[0] = '\0';
  if (keep)
    *keep = NULL;
  /* The file is never opened here but through SQLite: closing any other
   * descriptor of it would drop every POSIX lock this process holds on it
   * (the locks of the process's other connections, icxd's workers), and a
   * writer elsewhere would then checkpoint and delete the WAL under them.
   * SQLite keeps its own descriptors open while a lock is held. */
  if (stat(path, &sb) != 0 || sb.st_size == 0)
    return ICX_STORAGE_PROBE_EMPTY;
  /* NOMUTEX as the storage opens its own: a kept connection is its. */
  if ((rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)) !=
      SQLITE_OK)
    goto failed;
  sqlite3_extended_result_codes(db, 1);
  if ((rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file)) != SQLITE_OK)
    goto failed;
  if (!file || !file->pMethods) {
    rc = SQLITE_CANTOPEN;
    goto failed;
  }
  got = sb.st_size < (off_t)sizeof head ? (size_t)sb.st_size : sizeof head;
  if ((rc = file->pMethods->xRead(file, head, (int)got, 0)) != SQLITE_OK)
    goto failed;
  if (got < sizeof head_ok || memcmp(head, head_ok, sizeof head_ok) != 0) {
    sqlite3_close(db);
    return ICX_STORAGE_PROBE_NOT_SQLITE;
  }
  if (got < sizeof head) {
    if (version && n)
      snprintf(version, n, "%zu bytes, shorter than SQLite's header", got);
    sqlite3_close(db);
    return ICX_STORAGE_PROBE_DAMAGED;
  }
  sqlite3_busy_timeout(db, ICX_STORAGE_BUSY_TIMEOUT_MS);
  if ((rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                               &st, NULL)) != SQLITE_OK)
    goto failed;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (!name)
      continue;
    if (!strcmp(name, "icx_meta"))
      meta = 1;
    else if (!strcmp(name, "icx_changes"))
      has_log = 1;
    else if (!strcmp(name, "uris") || !strcmp(name, "blanks") || !strcmp(name, "literals") ||
             !strcmp(name, "triples"))
      redland++;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (rc != SQLITE_DONE)
    goto failed;
  if (redland == 4 && !meta) {
    res = ICX_STORAGE_PROBE_REDLAND;
  } else if (meta) {
    char format[64] = "", ver[64] = "";
    if ((rc = sqlite3_prepare_v2(db, "SELECT key, value FROM icx_meta", -1, &st, NULL)) !=
        SQLITE_OK)
      goto failed;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char *k = (const char *)sqlite3_column_text(st, 0);
      const char *v = (const char *)sqlite3_column_text(st, 1);
      if (k && v && !strcmp(k, "format"))
        snprintf(format, sizeof format, "%s", v);
      else if (k && v && !strcmp(k, "version"))
        snprintf(ver, sizeof ver, "%s", v);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
      goto failed;
    if (strcmp(format, ICX_STORAGE_FORMAT) != 0)
      res = ICX_STORAGE_PROBE_FOREIGN;
    else if (schema_upgradable(ver))
      res = ICX_STORAGE_PROBE_OLD;
    else if (strcmp(ver, ICX_STORAGE_VERSION) != 0)
      res = ICX_STORAGE_PROBE_VERSION;
    else if ((rc = schema_probe_edges(db, has_log)) != 0)
      goto failed;
    else
      res = ICX_STORAGE_PROBE_OK;
    if (version && n && res != ICX_STORAGE_PROBE_OK)
      snprintf(version, n, "%s", ver);
  } else {
    /* An empty SQLite file (no tables at all) is no one's yet. */
    sqlite3_stmt *cnt = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &cnt, NULL) ==
          SQLITE_OK && sqlite3_step(cnt) == SQLITE_ROW && sqlite3_column_int(cnt, 0) == 0)
      res = ICX_STORAGE_PROBE_EMPTY;
    sqlite3_finalize(cnt);
  }
  if (keep && res == ICX_STORAGE_PROBE_OK)
    *keep = db;
  else
    sqlite3_close(db);
  return res;
failed:
  res = schema_probe_failure(db, rc, version, n);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return res;
}

/* --- upgrading a store of an older version -------------------------------- */

/* 5 -> 6's build: postings_num from quads_num, in its order; 6 -> 7's:
 * postings_po from quads_pos. */
static int
schema_nums_from_index(sqlite3 *db, char *err, size_t n)
{
  return icx_storage_nums_build(db, err, n);
}

static int
schema_pos_from_index(sqlite3 *db, char *err, size_t n)
{
  return icx_storage_pos_build(db, err, n);
}

/* Each step makes a store of one version one of the next, run in order
 * from the store's version in one transaction; pages a step frees go to
 * the file's free list (VACUUM gives them back to the file system). */
static const struct {
  const char *from;
  const char *sql;
  int (*build)(sqlite3 *db, char *err, size_t n);   /* after sql, when not NULL */
  const char *sql_after;                            /* after build, when not NULL */
} upgrade_steps[] = {
  /* 3 -> 4: graph_subjects from the index it replaces, read in its
   * order, and the index dropped. */
  { "3",
    ICX_SCHEMA_SUBJECTS_SQL
    "INSERT INTO graph_subjects (g, s) SELECT DISTINCT g, s FROM quads INDEXED BY quads_g"
    " ORDER BY g, s;"
    "DROP INDEX quads_g;", NULL, NULL },
  /* 4 -> 5: the term dictionary split into namespaces and the rest, in
   * SQL with the split writers make in C (ICX_SCHEMA_NS_OF()), ids kept;
   * the old table dropped and its view put where it was. */
  { "4",
    ICX_SCHEMA_TERM_TABLES_SQL
    "INSERT INTO namespaces (iri) SELECT DISTINCT " ICX_SCHEMA_NS_OF("lex") " AS x FROM terms"
    " WHERE kind = 1 AND x != '' ORDER BY x;"
    "INSERT INTO term_rows (id, kind, ns, local, dt, lang, num)"
    " SELECT t.id, t.kind, coalesce(n.id, 0),"
    " CASE WHEN n.id IS NULL THEN t.lex ELSE substr(t.lex, length(n.iri) + 1) END,"
    " t.dt, t.lang, t.num FROM terms t LEFT JOIN namespaces n ON t.kind = 1"
    " AND n.iri = " ICX_SCHEMA_NS_OF("t.lex") " ORDER BY t.id;"
    "DROP TABLE terms;"
    ICX_SCHEMA_TERMS_VIEW_SQL, NULL, NULL },
  /* 5 -> 6: postings_num built from the quads, read in the order of the
   * index it replaces, which is then dropped. */
  { "5", ICX_SCHEMA_NUMS_SQL, schema_nums_from_index, "DROP INDEX quads_num" },
  /* 6 -> 7: postings_po built from the quads, read in the order of the
   * index it replaces, which is then dropped. */
  { "6", ICX_SCHEMA_POS_SQL, schema_pos_from_index, "DROP INDEX quads_pos" },
};

/* 1 when icx_storage_upgrade() makes a store of version ver this one. */
static int
schema_upgradable(const char *ver)
{
  size_t i;

  for (i = 0; i < sizeof upgrade_steps / sizeof upgrade_steps[0]; i++)
    if (!strcmp(ver, upgrade_steps[i].from))
      return 1;
  return 0;
}

int
icx_storage_upgrade(const char *path, char *err, size_t n)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char *msg = NULL;
  char verbuf[64];
  const char *ver;
  size_t i;
  int rc, persist = 1, done = 0, from = 0;

  if (n)
    *err = '\0';
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK)
    goto failed;
  /* Like every writer, it leaves the -wal and -shm files in place. */
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_busy_timeout(db, ICX_STORAGE_BUSY_TIMEOUT_MS);
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
    goto failed;
  /* Another process may have upgraded it since the probe. */
  if (sqlite3_prepare_v2(db, "SELECT value FROM icx_meta WHERE key = 'version'", -1, &st,
                         NULL) != SQLITE_OK)
    goto failed;
  rc = sqlite3_step(st);
  /* Copied: the steps below may not run while st reads icx_meta. */
  snprintf(verbuf, sizeof verbuf, "%s",
           rc == SQLITE_ROW && sqlite3_column_text(st, 0)
             ? (const char *)sqlite3_column_text(st, 0) : "");
  ver = *verbuf ? verbuf : NULL;
  sqlite3_finalize(st);
  st = NULL;
  if (ver && !strcmp(ver, ICX_STORAGE_VERSION))
    done = 1;
  else if (!ver || !schema_upgradable(ver)) {
    if (n)
      snprintf(err, n, "format version %s, not one from %s to %s", ver ? ver : "(none)",
               ICX_STORAGE_VERSION_OLD, ICX_STORAGE_VERSION);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return -1;
  }
  for (i = 0; !done && i < sizeof upgrade_steps / sizeof upgrade_steps[0]; i++) {
    if (!from && strcmp(ver, upgrade_steps[i].from) != 0)
      continue;
    from = 1;
    if (sqlite3_exec(db, upgrade_steps[i].sql, NULL, NULL, &msg) != SQLITE_OK)
      goto failed;
    if (upgrade_steps[i].build && upgrade_steps[i].build(db, err, n))
      goto built;
    if (upgrade_steps[i].sql_after &&
        sqlite3_exec(db, upgrade_steps[i].sql_after, NULL, NULL, &msg) != SQLITE_OK)
      goto failed;
  }
  if (!done && sqlite3_exec(db, "UPDATE icx_meta SET value = '" ICX_STORAGE_VERSION "'"
                            " WHERE key = 'version'", NULL, NULL, &msg) != SQLITE_OK)
    goto failed;
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
    goto failed;
  /* Emptied, as every writer leaves it (icx_store_free()): a reader that
   * opens the store alone would otherwise read the whole upgrade back
   * from the WAL at every open. */
  sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  sqlite3_close(db);
  return 0;
failed:
  if (n)
    snprintf(err, n, "%s", msg ? msg : db ? sqlite3_errmsg(db) : "out of memory");
built:                        /* a build step said why in err */
  sqlite3_free(msg);
  sqlite3_finalize(st);
  if (db && !sqlite3_get_autocommit(db))
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close(db);
  return -1;
}

/* --- the change log ------------------------------------------------------------ */

static int
schema_cmp_id(const void *a, const void *b)
{
  icx_id x = *(const icx_id *)a, y = *(const icx_id *)b;

  return (x > y) - (x < y);
}

/* A change's token (icx_schema.h): never 0.  Seeded once per handle from
 * the kernel's random source (the clock and the process when it has
 * none), then one splitmix64 step a change: tokens need to differ between
 * writers and lineages, not to be secret. */
static unsigned long long
schema_token(icx_storage_inst *t)
{
  unsigned long long z;

  if (!t->token_state &&
      getrandom(&t->token_state, sizeof t->token_state, GRND_NONBLOCK) != sizeof t->token_state)
    t->token_state = (unsigned long long)time(NULL) * 0x9E3779B97F4A7C15ULL ^
                     (unsigned long long)getpid() << 32 ^ (unsigned long long)(uintptr_t)t;
  z = (t->token_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z ? z : 1;
}

/* Prepares the insert of a change row, adding the token column to a log
 * made before it. */
static int
schema_log_prepare(icx_storage_inst *t, sqlite3_stmt **st)
{
  static const char sql[] = "INSERT INTO icx_changes (g, kind, subjects, token)"
                            " VALUES (?1, ?2, ?3, ?4)";

  if (sqlite3_prepare_v2(t->db, sql, -1, st, NULL) == SQLITE_OK)
    return 0;
  if (t->token_col || icx_storage_exec(t, ICX_SCHEMA_CHANGES_TOKEN_SQL))
    return -1;
  t->token_col = 1;
  return sqlite3_prepare_v2(t->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : -1;
}

/* The row of one change, in the unit of work the caller has open (or one
 * of its own). */
static int
schema_log(icx_storage_inst *t, icx_id g, int kind, const icx_id *subjects, size_t n)
{
  sqlite3_stmt *st = NULL;
  unsigned char *blob = NULL;
  icx_id *sorted = NULL;
  sqlite3_int64 seq;
  size_t i;
  int own, ok = 0, b;

  if (n) {
    blob = malloc(n * 8);
    sorted = malloc(n * sizeof *sorted);
    if (!blob || !sorted) {
      free(blob);
      free(sorted);
      snprintf(t->errmsg, sizeof t->errmsg, "out of memory");
      return -1;
    }
    memcpy(sorted, subjects, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, schema_cmp_id);
    for (i = 0; i < n; i++)
      for (b = 0; b < 8; b++)
        blob[8 * i + b] = (unsigned char)((unsigned long long)sorted[i] >> (8 * b));
    free(sorted);
  }
  /* Inside whatever the caller has open (a librdf transaction, a batch
   * of its own), else in a transaction of its own. */
  own = sqlite3_get_autocommit(t->db);
  if (icx_storage_exec(t, own ? "BEGIN IMMEDIATE" : "SAVEPOINT icx_log")) {
    free(blob);
    return -1;
  }
  if (icx_storage_exec(t, ICX_SCHEMA_CHANGES_SQL))
    goto done;
  if (schema_log_prepare(t, &st)) {
    icx_storage_fail(t, "cannot log a change");
    goto done;
  }
  sqlite3_bind_int64(st, 1, g);
  sqlite3_bind_int(st, 2, kind);
  if (n)
    sqlite3_bind_blob(st, 3, blob, (int)(n * 8), SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)schema_token(t));
  if (sqlite3_step(st) != SQLITE_DONE) {
    icx_storage_fail(t, "cannot log a change");
    goto done;
  }
  sqlite3_finalize(st);
  st = NULL;
  seq = sqlite3_last_insert_rowid(t->db);
  if (seq > ICX_SCHEMA_CHANGES_KEEP) {
    if (sqlite3_prepare_v2(t->db, "DELETE FROM icx_changes WHERE seq <= ?1", -1, &st, NULL) !=
        SQLITE_OK) {
      icx_storage_fail(t, "cannot prune the change log");
      goto done;
    }
    sqlite3_bind_int64(st, 1, seq - ICX_SCHEMA_CHANGES_KEEP);
    if (sqlite3_step(st) != SQLITE_DONE) {
      icx_storage_fail(t, "cannot prune the change log");
      goto done;
    }
  }
  ok = 1;
done:
  sqlite3_finalize(st);
  free(blob);
  if (ok)
    return icx_storage_exec(t, own ? "COMMIT" : "RELEASE icx_log") ? -1 : 0;
  if (!sqlite3_get_autocommit(t->db))
    sqlite3_exec(t->db, own ? "ROLLBACK" : "ROLLBACK TO icx_log; RELEASE icx_log", NULL, NULL,
                 NULL);
  return -1;
}

int
icx_storage_log_change(icx_storage_inst *t, icx_id g, int kind, const icx_id *subjects,
                       size_t n)
{

  if (!t || t->magic != icx_storage_magic || (n && !subjects))
    return -1;
  return schema_log(t, g, kind, subjects, n);
}

void
icx_storage_set_logged(icx_storage_inst *t, int on)
{

  if (t && t->magic == icx_storage_magic)
    t->logged = on;
}

int
icx_storage_note_write(icx_storage_inst *t)
{
  return t->logged ? 0 : schema_log(t, 0, ICX_SCHEMA_CHANGE_OTHER, NULL, 0);
}

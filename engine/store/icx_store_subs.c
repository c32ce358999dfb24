/* icx_store_subs.c - the subscriptions table: standing requests with the
 * answer each last gave (icx_store_subs.h). */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icx_ctx_internal.h"
#include "icx_schema.h"
#include "icx_store_internal.h"
#include "icx_store_subs.h"

#define SUBS_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS subscriptions (" \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL," \
  "  request TEXT NOT NULL, options TEXT NOT NULL DEFAULT ''," \
  "  answer TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);" \
  "CREATE INDEX IF NOT EXISTS subscriptions_jid ON subscriptions (jid)"

/* The subscriptions' version: one row whose n moves by one with every
 * subscription added, removed or rewritten (answers aside), bumped by
 * triggers in the statement that makes the change, whichever program
 * makes it.  It starts at a random value, so that a store put in the
 * place of another reads as changed too. */
#define SUBS_VERSION_SQL \
  "CREATE TABLE IF NOT EXISTS subscription_version (" \
  "  one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL);" \
  "INSERT OR IGNORE INTO subscription_version (one, n)" \
  "  VALUES (1, (random() & 0x3fffffffffffffff) + 1);" \
  "CREATE TRIGGER IF NOT EXISTS subscriptions_added AFTER INSERT ON subscriptions" \
  "  BEGIN UPDATE subscription_version SET n = n + 1; END;" \
  "CREATE TRIGGER IF NOT EXISTS subscriptions_removed AFTER DELETE ON subscriptions" \
  "  BEGIN UPDATE subscription_version SET n = n + 1; END;" \
  "CREATE TRIGGER IF NOT EXISTS subscriptions_rewritten AFTER UPDATE OF id, jid," \
  "  request, options ON subscriptions" \
  "  BEGIN UPDATE subscription_version SET n = n + 1; END"

/* The answers as rows: one per (subscription, cloud), so that a change
 * writes the clouds that entered and left, never a whole answer. */
#define SUBS_CLOUDS_SQL \
  "CREATE TABLE IF NOT EXISTS subscription_clouds (" \
  "  sub INTEGER NOT NULL, cloud TEXT NOT NULL, PRIMARY KEY (sub, cloud)" \
  ") WITHOUT ROWID"

/* One cloud entering an answer. */
#define SUBS_CLOUD_ADD_SQL "INSERT OR IGNORE INTO subscription_clouds (sub, cloud) VALUES (?, ?)"

/* A failure of SQLite on s, as ICX_ERR_STORE with its message. */
static icx_rc
store_subs_fail(icx_store *s, const char *what)
{
  return icx_fail(s->ctx, ICX_ERR_STORE, "subscriptions: cannot %s: %s", what,
                  sqlite3_errmsg(s->db));
}

/* 1 when the table of bit (ICX_STORE_TABLE_SUBS*) exists, 0 when not,
 * -1 on error (remembered on the handle once seen). */
static int
store_subs_have(icx_store *s, unsigned bit)
{
  return icx_store_table_have(s, bit,
                              bit == ICX_STORE_TABLE_SUBS           ? "subscriptions"
                              : bit == ICX_STORE_TABLE_SUBS_VERSION ? "subscription_version"
                                                                    : "subscription_clouds");
}

/* Runs sql, a statement without parameters or rows (a savepoint), kept
 * on the handle. */
static int
store_subs_run(icx_store *s, const char *sql)
{
  sqlite3_stmt *st = icx_store_stmt_get(s, sql);
  int rc;

  if (!st)
    return SQLITE_ERROR;
  rc = sqlite3_step(st);
  icx_store_stmt_put(s, st);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Makes the table of bit by sql when missing (a write is coming); what
 * names it in the message. */
static icx_rc
store_subs_table_make(icx_store *s, unsigned bit, const char *sql, const char *what)
{
  int have = store_subs_have(s, bit);

  if (have < 0)
    return store_subs_fail(s, "read the schema");
  if (!have && sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return store_subs_fail(s, what);
  return ICX_OK;
}

/* Savepoints: a write of several statements is whole or nothing, in or
 * out of a transaction of the caller's (icx_store_subs_begin()). */
static icx_rc
store_subs_save(icx_store *s)
{
  if (store_subs_run(s, "SAVEPOINT icx_subs") != SQLITE_OK)
    return store_subs_fail(s, "begin a savepoint");
  return ICX_OK;
}

static icx_rc
store_subs_release(icx_store *s, icx_rc rc)
{
  if (rc != ICX_OK)
    (void)store_subs_run(s, "ROLLBACK TO icx_subs");
  if (store_subs_run(s, "RELEASE icx_subs") != SQLITE_OK &&
      rc == ICX_OK)
    rc = store_subs_fail(s, "end a savepoint");
  return rc;
}

/* Makes the table and its version when missing (a change of the
 * subscriptions is coming): a store whose table was made before the
 * version gets it with its first change here. */
static icx_rc
store_subs_make(icx_store *s)
{
  int have = store_subs_have(s, ICX_STORE_TABLE_SUBS_VERSION);
  icx_rc rc;

  if (have < 0)
    return store_subs_fail(s, "read the schema");
  if (have)
    return ICX_OK;
  if ((rc = store_subs_save(s)) != ICX_OK)
    return rc;
  if (sqlite3_exec(s->db, SUBS_TABLE_SQL ";" SUBS_VERSION_SQL, NULL, NULL, NULL) != SQLITE_OK)
    rc = store_subs_fail(s, "make the table");
  return store_subs_release(s, rc);
}

static icx_rc
store_subs_clouds_make(icx_store *s)
{
  return store_subs_table_make(s, ICX_STORE_TABLE_SUBS_CLOUDS, SUBS_CLOUDS_SQL,
                               "make the answers' table");
}

/* The statement of sql kept on the handle (icx_store_stmt_get()), given
 * back with icx_store_stmt_put(); NULL with the context's message set. */
static sqlite3_stmt *
store_subs_prepare(icx_store *s, const char *sql)
{
  sqlite3_stmt *st = icx_store_stmt_get(s, sql);

  if (!st)
    store_subs_fail(s, "prepare a statement");
  return st;
}

icx_rc
icx_store_subs_add(icx_store *s, const char *jid, const char *request, const char *options,
                   const char *answer, long long *id)
{
  sqlite3_stmt *st;
  char when[32];
  time_t t = time(NULL);
  struct tm tm;
  icx_rc rc;

  if (!s || !jid || !request || !id)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((rc = store_subs_make(s)))
    return rc;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  st = store_subs_prepare(s, "INSERT INTO subscriptions (jid, request, options, answer, "
                             "created) VALUES (?, ?, ?, ?, ?)");
  if (!st)
    return ICX_ERR_STORE;
  sqlite3_bind_text(st, 1, jid, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, request, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, options ? options : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, answer ? answer : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, when, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) {
    rc = store_subs_fail(s, "add a subscription");
  } else {
    *id = (long long)sqlite3_last_insert_rowid(s->db);
    rc = ICX_OK;
  }
  icx_store_stmt_put(s, st);
  return rc;
}

/* Runs st (bound), a statement that changes rows; ICX_ERR_NOT_FOUND when
 * it changed none.  *changed (may be NULL) gets how many it changed. */
static icx_rc
store_subs_change(icx_store *s, sqlite3_stmt *st, const char *what, size_t *changed)
{
  icx_rc rc = ICX_OK;
  int n;

  if (sqlite3_step(st) != SQLITE_DONE)
    rc = store_subs_fail(s, what);
  n = rc == ICX_OK ? sqlite3_changes(s->db) : 0;
  icx_store_stmt_put(s, st);
  if (changed)
    *changed = (size_t)n;
  if (rc == ICX_OK && n == 0 && !changed)
    rc = ICX_ERR_NOT_FOUND;
  return rc;
}

/* Runs the one-parameter statement sql on id. */
static icx_rc
store_subs_exec_id(icx_store *s, const char *sql, long long id, const char *what)
{
  sqlite3_stmt *st = store_subs_prepare(s, sql);
  size_t changed;

  if (!st)
    return ICX_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  return store_subs_change(s, st, what, &changed);
}

/* Adds (add 1) or removes the rows (id, names[i]) for n names. */
static icx_rc
store_subs_rows(icx_store *s, long long id, const char *const *names, size_t n, int add)
{
  sqlite3_stmt *st;
  icx_rc rc = ICX_OK;
  size_t i;

  if (!n)
    return ICX_OK;
  st = store_subs_prepare(s, add ? SUBS_CLOUD_ADD_SQL
                                 : "DELETE FROM subscription_clouds WHERE sub = ? AND "
                                   "cloud = ?");
  if (!st)
    return ICX_ERR_STORE;
  for (i = 0; i < n && rc == ICX_OK; i++) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, names[i], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = store_subs_fail(s, "keep an answer");
    sqlite3_reset(st);
  }
  icx_store_stmt_put(s, st);
  return rc;
}

icx_rc
icx_store_subs_set_answer(icx_store *s, long long id, const char *answer)
{
  sqlite3_stmt *st;
  const char *p, *nl;
  int have;
  icx_rc rc;

  if (!s)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_ERR_NOT_FOUND;
  if ((rc = store_subs_clouds_make(s)) != ICX_OK || (rc = store_subs_save(s)) != ICX_OK)
    return rc;
  /* The text column is left empty: the rows are the answer. */
  if (!(st = store_subs_prepare(s, "UPDATE subscriptions SET answer = '' WHERE id = ?"))) {
    rc = ICX_ERR_STORE;
    goto done;
  }
  sqlite3_bind_int64(st, 1, id);
  if ((rc = store_subs_change(s, st, "keep an answer", NULL)) != ICX_OK)
    goto done;
  rc = store_subs_exec_id(s, "DELETE FROM subscription_clouds WHERE sub = ?", id,
                          "keep an answer");
  if (rc != ICX_OK || !answer || !*answer)
    goto done;
  if (!(st = store_subs_prepare(s, SUBS_CLOUD_ADD_SQL))) {
    rc = ICX_ERR_STORE;
    goto done;
  }
  /* Each line bound as it lies in answer: nothing copied. */
  for (p = answer; rc == ICX_OK && *p; p = *nl ? nl + 1 : nl) {
    if (!(nl = strchr(p, '\n')))
      nl = p + strlen(p);
    if (nl == p)
      continue;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, p, (int)(nl - p), SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = store_subs_fail(s, "keep an answer");
    sqlite3_reset(st);
  }
  icx_store_stmt_put(s, st);
done:
  return store_subs_release(s, rc);
}

icx_rc
icx_store_subs_answer_edit(icx_store *s, long long id, const char *const *add, size_t n_add,
                           const char *const *del, size_t n_del)
{
  icx_rc rc;

  if (!s || (!add && n_add) || (!del && n_del))
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if (!n_add && !n_del)
    return ICX_OK;
  if ((rc = store_subs_clouds_make(s)) != ICX_OK || (rc = store_subs_save(s)) != ICX_OK)
    return rc;
  rc = store_subs_rows(s, id, del, n_del, 0);
  if (rc == ICX_OK)
    rc = store_subs_rows(s, id, add, n_add, 1);
  return store_subs_release(s, rc);
}

icx_rc
icx_store_subs_answer_move(icx_store *s, long long from, long long to)
{
  sqlite3_stmt *st;
  int have;
  icx_rc rc;

  if (!s)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS_CLOUDS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_OK;
  if ((rc = store_subs_save(s)) != ICX_OK)
    return rc;
  rc = store_subs_exec_id(s, "DELETE FROM subscription_clouds WHERE sub = ?", to,
                          "move an answer");
  if (rc == ICX_OK)
    rc = store_subs_exec_id(s, "UPDATE subscriptions SET answer = '' WHERE id = ?", to,
                            "move an answer");
  if (rc == ICX_OK &&
      (st = store_subs_prepare(s, "UPDATE subscription_clouds SET sub = ? WHERE sub = ?"))) {
    size_t changed;
    sqlite3_bind_int64(st, 1, to);
    sqlite3_bind_int64(st, 2, from);
    rc = store_subs_change(s, st, "move an answer", &changed);
  } else if (rc == ICX_OK) {
    rc = ICX_ERR_STORE;
  }
  return store_subs_release(s, rc);
}

icx_rc
icx_store_subs_remove(icx_store *s, long long id, const char *jid)
{
  sqlite3_stmt *st;
  int have;
  icx_rc rc;

  if (!s)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_ERR_NOT_FOUND;
  if ((rc = store_subs_make(s)) != ICX_OK)
    return rc;
  st = store_subs_prepare(s, jid ? "DELETE FROM subscriptions WHERE id = ? AND jid = ?"
                                 : "DELETE FROM subscriptions WHERE id = ?");
  if (!st)
    return ICX_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  if (jid)
    sqlite3_bind_text(st, 2, jid, -1, SQLITE_STATIC);
  if ((rc = store_subs_change(s, st, "remove a subscription", NULL)) != ICX_OK)
    return rc;
  /* Its answer's rows (a statement on its own: the subscription is gone
   * whatever this says, and rows of no subscription are never read). */
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS_CLOUDS)) > 0)
    rc = store_subs_exec_id(s, "DELETE FROM subscription_clouds WHERE sub = ?", id,
                            "remove an answer");
  return rc;
}

icx_rc
icx_store_subs_remove_jid(icx_store *s, const char *jid, size_t *removed)
{
  sqlite3_stmt *st;
  size_t n = 0;
  int have;
  icx_rc rc;

  if (removed)
    *removed = 0;
  if (!s || !jid)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_OK;
  if ((rc = store_subs_make(s)) != ICX_OK)
    return rc;
  if (store_subs_have(s, ICX_STORE_TABLE_SUBS_CLOUDS) > 0 &&
      (st = store_subs_prepare(s, "DELETE FROM subscription_clouds WHERE sub IN "
                                  "(SELECT id FROM subscriptions WHERE jid = ?)"))) {
    size_t gone;
    sqlite3_bind_text(st, 1, jid, -1, SQLITE_STATIC);
    if ((rc = store_subs_change(s, st, "remove answers", &gone)) != ICX_OK)
      return rc;
  }
  if (!(st = store_subs_prepare(s, "DELETE FROM subscriptions WHERE jid = ?")))
    return ICX_ERR_STORE;
  sqlite3_bind_text(st, 1, jid, -1, SQLITE_STATIC);
  rc = store_subs_change(s, st, "remove subscriptions", &n);
  if (removed)
    *removed = n;
  return rc;
}

/* Column i of st's row as a new string on the store's allocator. */
static char *
store_subs_col(icx_store *s, sqlite3_stmt *st, int i)
{
  const char *t = (const char *)sqlite3_column_text(st, i);

  return icx_strdup(s->ctx, t ? t : "");
}

void
icx_store_subs_free_rows(icx_store *s, icx_sub_row *rows, size_t n)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  size_t i;

  for (i = 0; rows && i < n; i++) {
    icx_free(ctx, rows[i].jid);
    icx_free(ctx, rows[i].request);
    icx_free(ctx, rows[i].options);
    icx_free(ctx, rows[i].answer);
    icx_free(ctx, rows[i].created);
  }
  icx_free(ctx, rows);
}

/* The answers kept as rows replace the text of rows[0..n-1] that have
 * any (a subscription with none keeps its text: a store written before
 * the rows, or an answer that is empty). */
static icx_rc
store_subs_answers(icx_store *s, icx_sub_row *rows, size_t n)
{
  sqlite3_stmt *st;
  icx_rc rc = ICX_OK;
  size_t i;
  int have = store_subs_have(s, ICX_STORE_TABLE_SUBS_CLOUDS);

  if (have <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_OK;
  st = store_subs_prepare(s, "SELECT cloud FROM subscription_clouds WHERE sub = ? "
                             "ORDER BY cloud");
  if (!st)
    return ICX_ERR_STORE;
  for (i = 0; i < n && rc == ICX_OK; i++) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int step;
    sqlite3_bind_int64(st, 1, rows[i].id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      const char *c = (const char *)sqlite3_column_text(st, 0);
      size_t cl = c ? strlen(c) : 0;
      if (len + cl + 2 > cap) {
        size_t ncap = (len + cl + 2) * 2;
        char *nb = icx_realloc(s->ctx, buf, ncap);
        if (!nb) {
          rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
          break;
        }
        buf = nb;
        cap = ncap;
      }
      if (len)
        buf[len++] = '\n';
      memcpy(buf + len, c ? c : "", cl);
      len += cl;
      buf[len] = '\0';
    }
    if (rc == ICX_OK && step != SQLITE_DONE)
      rc = store_subs_fail(s, "read an answer");
    sqlite3_reset(st);
    if (buf && rc == ICX_OK) {
      icx_free(s->ctx, rows[i].answer);
      rows[i].answer = buf;
      rows[i].answer_rows = 1;
    } else {
      icx_free(s->ctx, buf);
    }
  }
  icx_store_stmt_put(s, st);
  return rc;
}

icx_rc
icx_store_subs_list(icx_store *s, const char *jid, icx_sub_row **rows, size_t *n)
{
  sqlite3_stmt *st;
  icx_sub_row *v = NULL;
  size_t cnt = 0, cap = 0;
  int have, step;
  icx_rc rc = ICX_OK;

  if (!s || !rows || !n)
    return ICX_ERR_MISUSE;
  *rows = NULL;
  *n = 0;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_OK;
  st = store_subs_prepare(s, jid ? "SELECT id, jid, request, options, answer, created FROM "
                                   "subscriptions WHERE jid = ? ORDER BY id"
                                 : "SELECT id, jid, request, options, answer, created FROM "
                                   "subscriptions ORDER BY id");
  if (!st)
    return ICX_ERR_STORE;
  if (jid)
    sqlite3_bind_text(st, 1, jid, -1, SQLITE_STATIC);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    icx_sub_row *r;
    if (cnt == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      icx_sub_row *nv = icx_realloc(s->ctx, v, ncap * sizeof *nv);
      if (!nv) {
        rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
        break;
      }
      v = nv;
      cap = ncap;
    }
    r = &v[cnt++];
    memset(r, 0, sizeof *r);
    r->id = (long long)sqlite3_column_int64(st, 0);
    r->jid = store_subs_col(s, st, 1);
    r->request = store_subs_col(s, st, 2);
    r->options = store_subs_col(s, st, 3);
    r->answer = store_subs_col(s, st, 4);
    r->created = store_subs_col(s, st, 5);
    if (!r->jid || !r->request || !r->options || !r->answer || !r->created) {
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
  }
  if (rc == ICX_OK && step != SQLITE_DONE)
    rc = store_subs_fail(s, "list subscriptions");
  icx_store_stmt_put(s, st);
  if (rc == ICX_OK)
    rc = store_subs_answers(s, v, cnt);
  if (rc != ICX_OK) {
    icx_store_subs_free_rows(s, v, cnt);
    return rc;
  }
  *rows = v;
  *n = cnt;
  return ICX_OK;
}

icx_rc
icx_store_subs_count(icx_store *s, const char *jid, size_t *n)
{
  sqlite3_stmt *st;
  int have;
  icx_rc rc = ICX_OK;

  if (!s || !n)
    return ICX_ERR_MISUSE;
  *n = 0;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_OK;
  st = store_subs_prepare(s, jid ? "SELECT count(*) FROM subscriptions WHERE jid = ?"
                                 : "SELECT count(*) FROM subscriptions");
  if (!st)
    return ICX_ERR_STORE;
  if (jid)
    sqlite3_bind_text(st, 1, jid, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW)
    *n = (size_t)sqlite3_column_int64(st, 0);
  else
    rc = store_subs_fail(s, "count subscriptions");
  icx_store_stmt_put(s, st);
  return rc;
}

icx_rc
icx_store_subs_begin(icx_store *s)
{
  if (!s)
    return ICX_ERR_MISUSE;
  if (store_subs_run(s, "BEGIN IMMEDIATE") != SQLITE_OK)
    return store_subs_fail(s, "begin a transaction");
  return ICX_OK;
}

icx_rc
icx_store_subs_end(icx_store *s, int commit)
{
  if (!s)
    return ICX_ERR_MISUSE;
  if (sqlite3_get_autocommit(s->db))
    return ICX_OK;
  if (commit && store_subs_run(s, "COMMIT") == SQLITE_OK)
    return ICX_OK;
  if (commit) {
    icx_rc rc = store_subs_fail(s, "commit");
    (void)store_subs_run(s, "ROLLBACK");
    return rc;
  }
  (void)store_subs_run(s, "ROLLBACK");
  return ICX_OK;
}

icx_rc
icx_store_subs_version(icx_store *s, long long *version)
{
  sqlite3_stmt *st;
  int counter, table;
  icx_rc rc = ICX_OK;

  if (!s || !version)
    return ICX_ERR_MISUSE;
  *version = 0;
  icx_clear_error(s->ctx);
  if ((counter = store_subs_have(s, ICX_STORE_TABLE_SUBS_VERSION)) < 0 ||
      (table = counter ? 1 : store_subs_have(s, ICX_STORE_TABLE_SUBS)) < 0)
    return store_subs_fail(s, "read the schema");
  if (!table)
    return ICX_OK;
  /* A table older than its version: its count and the sum of its ids
   * folded into a negative number (a counter is never one). */
  st = store_subs_prepare(s, counter ? "SELECT n FROM subscription_version WHERE one = 1"
                                     : "SELECT -1 - ((count(*) * 1000003 + coalesce(sum(id),"
                                       " 0)) & 0x3fffffffffffffff) FROM subscriptions");
  if (!st)
    return ICX_ERR_STORE;
  if (sqlite3_step(st) == SQLITE_ROW)
    *version = sqlite3_column_int64(st, 0);
  else
    rc = store_subs_fail(s, "read the version");
  icx_store_stmt_put(s, st);
  return rc;
}

/* The answer of id as a row of its own (icx_store_subs_list()'s). */
static icx_rc
store_subs_one(icx_store *s, long long id, icx_sub_row **row)
{
  sqlite3_stmt *st;
  icx_sub_row *r;
  icx_rc rc = ICX_OK;
  int step;

  *row = NULL;
  if (!(st = store_subs_prepare(s, "SELECT answer FROM subscriptions WHERE id = ?")))
    return ICX_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    if (!(r = icx_calloc(s->ctx, 1, sizeof *r)) || !(r->answer = store_subs_col(s, st, 0))) {
      icx_free(s->ctx, r);
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
    } else {
      r->id = id;
      *row = r;
    }
  } else {
    rc = step == SQLITE_DONE ? ICX_ERR_NOT_FOUND : store_subs_fail(s, "read an answer");
  }
  icx_store_stmt_put(s, st);
  if (rc == ICX_OK && (rc = store_subs_answers(s, *row, 1)) != ICX_OK) {
    icx_store_subs_free_rows(s, *row, 1);
    *row = NULL;
  }
  return rc;
}

icx_rc
icx_store_subs_answer(icx_store *s, long long id, char **answer)
{
  icx_sub_row *r;
  icx_rc rc;
  int have;

  if (!s || !answer)
    return ICX_ERR_MISUSE;
  *answer = NULL;
  icx_clear_error(s->ctx);
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_ERR_NOT_FOUND;
  if ((rc = store_subs_one(s, id, &r)) != ICX_OK)
    return rc;
  *answer = r->answer;
  r->answer = NULL;
  icx_store_subs_free_rows(s, r, 1);
  return ICX_OK;
}

icx_rc
icx_store_subs_answer_has(icx_store *s, long long id, const char *const *names, size_t n,
                          int *has)
{
  sqlite3_stmt *st;
  icx_sub_row *r = NULL;
  icx_rc rc = ICX_OK;
  size_t i;
  int have;

  if (!s || (n && (!names || !has)))
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  for (i = 0; i < n; i++)
    has[i] = 0;
  if (!n)
    return ICX_OK;
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS)) <= 0)
    return have < 0 ? store_subs_fail(s, "read the schema") : ICX_OK;
  if ((have = store_subs_have(s, ICX_STORE_TABLE_SUBS_CLOUDS)) < 0)
    return store_subs_fail(s, "read the schema");
  if (have && (st = store_subs_prepare(s, "SELECT EXISTS (SELECT 1 FROM subscription_clouds"
                                          " WHERE sub = ?1), EXISTS (SELECT 1 FROM"
                                          " subscription_clouds WHERE sub = ?1 AND"
                                          " cloud = ?2)"))) {
    int rows = 0;
    for (i = 0; i < n && rc == ICX_OK; i++) {
      sqlite3_bind_int64(st, 1, id);
      sqlite3_bind_text(st, 2, names[i], -1, SQLITE_STATIC);
      if (sqlite3_step(st) == SQLITE_ROW) {
        rows = sqlite3_column_int(st, 0);
        has[i] = sqlite3_column_int(st, 1);
      } else {
        rc = store_subs_fail(s, "read an answer");
      }
      sqlite3_reset(st);
    }
    icx_store_stmt_put(s, st);
    if (rc != ICX_OK || rows)
      return rc;
  } else if (have) {
    return ICX_ERR_STORE;
  }
  /* No rows: the answer is the text (or empty). */
  if ((rc = store_subs_one(s, id, &r)) != ICX_OK)
    return rc == ICX_ERR_NOT_FOUND ? ICX_OK : rc;
  for (i = 0; i < n; i++) {
    const char *p = r->answer;
    size_t len = strlen(names[i]);
    while (p && *p && !has[i]) {
      const char *e = strchr(p, '\n');
      size_t l = e ? (size_t)(e - p) : strlen(p);
      has[i] = l == len && strncmp(p, names[i], len) == 0;
      p = e ? e + 1 : NULL;
    }
  }
  icx_store_subs_free_rows(s, r, 1);
  return ICX_OK;
}

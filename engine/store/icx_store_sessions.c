/* icx_store_sessions.c - the sessions and instances tables: what several
 * processes serving one address share of their multi-step requests
 * (icx_store_sessions.h). */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_schema.h"
#include "icx_store_internal.h"
#include "icx_store_sessions.h"

#define SESS_TABLES_SQL \
  "CREATE TABLE IF NOT EXISTS icx_sessions (" \
  "  id TEXT PRIMARY KEY, owner TEXT NOT NULL, node TEXT NOT NULL," \
  "  stage INTEGER NOT NULL, output INTEGER NOT NULL DEFAULT 0," \
  "  instance TEXT NOT NULL, started INTEGER NOT NULL, expires INTEGER NOT NULL," \
  "  request TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL DEFAULT ''" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE IF NOT EXISTS icx_instances (" \
  "  name TEXT PRIMARY KEY, seen INTEGER NOT NULL) WITHOUT ROWID"

static icx_rc
store_sess_fail(icx_store *s, const char *what)
{
  return icx_fail(s->ctx, ICX_ERR_STORE, "sessions: cannot %s: %s", what,
                  sqlite3_errmsg(s->db));
}

/* 1 when both tables exist, 0 when not, -1 on error (remembered on the
 * handle once seen). */
static int
store_sess_have(icx_store *s)
{
  int a = icx_store_table_have(s, ICX_STORE_TABLE_SESSIONS, "icx_sessions");

  return a <= 0 ? a : icx_store_table_have(s, ICX_STORE_TABLE_INSTANCES, "icx_instances");
}

/* Makes the tables when missing (a write is coming). */
static icx_rc
store_sess_make(icx_store *s)
{
  int have = store_sess_have(s);

  if (have < 0)
    return store_sess_fail(s, "read the schema");
  if (!have && sqlite3_exec(s->db, SESS_TABLES_SQL, NULL, NULL, NULL) != SQLITE_OK)
    return store_sess_fail(s, "make the tables");
  return ICX_OK;
}

/* The statement of sql kept on the handle (icx_store_stmt_get(); given
 * back by store_sess_run() or icx_store_stmt_put()) once the tables
 * exist (make: made when missing); NULL with *rc set (ICX_ERR_NOT_FOUND:
 * no tables and make is 0). */
static sqlite3_stmt *
store_sess_prepare(icx_store *s, const char *sql, int make, icx_rc *rc)
{
  sqlite3_stmt *st;
  int have;

  *rc = ICX_OK;
  if (make) {
    if ((*rc = store_sess_make(s)) != ICX_OK)
      return NULL;
  } else if ((have = store_sess_have(s)) <= 0) {
    *rc = have < 0 ? store_sess_fail(s, "read the schema") : ICX_ERR_NOT_FOUND;
    return NULL;
  }
  if (!(st = icx_store_stmt_get(s, sql)))
    *rc = store_sess_fail(s, "prepare a statement");
  return st;
}

/* Steps st (bound, a statement that changes rows) and gives it back;
 * ICX_ERR_NOT_FOUND when it changed none and none_is_error. */
static icx_rc
store_sess_run(icx_store *s, sqlite3_stmt *st, const char *what, int none_is_error,
               size_t *changed)
{
  icx_rc rc = ICX_OK;
  int n = 0;

  if (sqlite3_step(st) != SQLITE_DONE)
    rc = store_sess_fail(s, what);
  else
    n = sqlite3_changes(s->db);
  icx_store_stmt_put(s, st);
  if (changed)
    *changed = (size_t)n;
  if (rc == ICX_OK && n == 0 && none_is_error)
    rc = ICX_ERR_NOT_FOUND;
  return rc;
}

void
icx_store_sess_clear(icx_store *s, icx_sess_row *row)
{
  icx_ctx *ctx = s ? s->ctx : NULL;

  if (!row)
    return;
  icx_free(ctx, row->id);
  icx_free(ctx, row->owner);
  icx_free(ctx, row->node);
  icx_free(ctx, row->instance);
  icx_free(ctx, row->request);
  icx_free(ctx, row->answer);
  memset(row, 0, sizeof *row);
}

icx_rc
icx_store_sess_put(icx_store *s, const icx_sess_row *row)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (!s || !row || !row->id || !row->owner || !row->node || !row->instance)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "INSERT OR REPLACE INTO icx_sessions (id, owner, node, stage, "
                             "output, instance, started, expires, request, answer) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 1, &rc);
  if (!st)
    return rc;
  sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, row->owner, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, row->node, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, row->stage);
  sqlite3_bind_int(st, 5, row->output);
  sqlite3_bind_text(st, 6, row->instance, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, row->started);
  sqlite3_bind_int64(st, 8, row->expires);
  sqlite3_bind_text(st, 9, row->request ? row->request : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, row->answer ? row->answer : "", -1, SQLITE_STATIC);
  return store_sess_run(s, st, "keep a session", 0, NULL);
}

/* Column i of st's row as a new string on the store's allocator. */
static char *
store_sess_col(icx_store *s, sqlite3_stmt *st, int i)
{
  const char *t = (const char *)sqlite3_column_text(st, i);

  return icx_strdup(s->ctx, t ? t : "");
}

icx_rc
icx_store_sess_get(icx_store *s, const char *id, icx_sess_row *row)
{
  sqlite3_stmt *st;
  icx_rc rc;
  int step;

  if (!s || !id || !row)
    return ICX_ERR_MISUSE;
  memset(row, 0, sizeof *row);
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "SELECT id, owner, node, stage, output, instance, started, "
                             "expires, request, answer FROM icx_sessions WHERE id = ?", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    row->id = store_sess_col(s, st, 0);
    row->owner = store_sess_col(s, st, 1);
    row->node = store_sess_col(s, st, 2);
    row->stage = sqlite3_column_int(st, 3);
    row->output = sqlite3_column_int(st, 4);
    row->instance = store_sess_col(s, st, 5);
    row->started = sqlite3_column_int64(st, 6);
    row->expires = sqlite3_column_int64(st, 7);
    row->request = store_sess_col(s, st, 8);
    row->answer = store_sess_col(s, st, 9);
    if (!row->id || !row->owner || !row->node || !row->instance || !row->request ||
        !row->answer) {
      icx_store_sess_clear(s, row);
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
    }
  } else if (step == SQLITE_DONE) {
    rc = ICX_ERR_NOT_FOUND;
  } else {
    rc = store_sess_fail(s, "read a session");
  }
  icx_store_stmt_put(s, st);
  return rc;
}

icx_rc
icx_store_sess_claim(icx_store *s, const char *id, int from, const char *from_instance,
                     int to, const char *instance, long long now, long long expires)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (!s || !id || !instance)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "UPDATE icx_sessions SET stage = ?1, instance = ?2, started = ?3,"
                             " expires = ?4 WHERE id = ?5 AND stage = ?6 AND"
                             " (?7 IS NULL OR instance = ?7)", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_int(st, 1, to);
  sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_int64(st, 4, expires);
  sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, from);
  if (from_instance)
    sqlite3_bind_text(st, 7, from_instance, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 7);
  return store_sess_run(s, st, "claim a session", 1, NULL);
}

icx_rc
icx_store_sess_finish(icx_store *s, const char *id, const char *instance, const char *answer,
                      long long expires)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (!s || !id || !instance || !answer)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "UPDATE icx_sessions SET stage = ?1, answer = ?2, expires = ?3"
                             " WHERE id = ?4 AND instance = ?5 AND stage = ?6", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_int(st, 1, ICX_SESS_STAGE_DONE);
  sqlite3_bind_text(st, 2, answer, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, expires);
  sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, instance, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, ICX_SESS_STAGE_RUNNING);
  return store_sess_run(s, st, "keep an answer", 1, NULL);
}

icx_rc
icx_store_sess_remove(icx_store *s, const char *id, int stage)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (!s || !id)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "DELETE FROM icx_sessions WHERE id = ?1 AND"
                             " (?2 < 0 OR stage = ?2)", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, stage);
  return store_sess_run(s, st, "remove a session", 1, NULL);
}

icx_rc
icx_store_sess_lose(icx_store *s, const char *id, const char *instance, long long now,
                    long long until)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (!s || !id || !instance)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "UPDATE icx_sessions SET stage = ?1, started = ?2, expires = ?3,"
                             " request = '', answer = '' WHERE id = ?4 AND instance = ?5 AND"
                             " stage = ?6", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_int(st, 1, ICX_SESS_STAGE_LOST);
  sqlite3_bind_int64(st, 2, now);
  sqlite3_bind_int64(st, 3, until);
  sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, instance, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, ICX_SESS_STAGE_RUNNING);
  return store_sess_run(s, st, "mark a session lost", 1, NULL);
}

/* The instances seen at ?3 or later: alive. */
#define SESS_ALIVE_SQL "(SELECT name FROM icx_instances WHERE seen >= ?3)"

icx_rc
icx_store_sess_prune(icx_store *s, long long now, long long alive_since, long long gone_before,
                     long long lost_until, size_t *removed, size_t *lost)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (removed)
    *removed = 0;
  if (lost)
    *lost = 0;
  if (!s)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  /* Tombstones first: what the next statement would remove of a stopped
   * instance's running sessions is kept, small, until lost_until. */
  st = store_sess_prepare(s, "UPDATE icx_sessions SET stage = ?4, started = ?1, expires = ?5,"
                             " request = '', answer = '' WHERE expires < ?1 AND stage = ?2 AND"
                             " instance NOT IN " SESS_ALIVE_SQL, 0, &rc);
  if (!st)
    return rc == ICX_ERR_NOT_FOUND ? ICX_OK : rc;
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int(st, 2, ICX_SESS_STAGE_RUNNING);
  sqlite3_bind_int64(st, 3, alive_since);
  sqlite3_bind_int(st, 4, ICX_SESS_STAGE_LOST);
  sqlite3_bind_int64(st, 5, lost_until);
  if ((rc = store_sess_run(s, st, "mark sessions lost", 0, lost)) != ICX_OK)
    return rc;
  st = store_sess_prepare(s, "DELETE FROM icx_sessions WHERE expires < ?1 AND (stage != ?2 OR"
                             " instance NOT IN " SESS_ALIVE_SQL ")", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int(st, 2, ICX_SESS_STAGE_RUNNING);
  sqlite3_bind_int64(st, 3, alive_since);
  if ((rc = store_sess_run(s, st, "prune sessions", 0, removed)) != ICX_OK)
    return rc;
  st = store_sess_prepare(s, "DELETE FROM icx_instances WHERE seen < ?", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_int64(st, 1, gone_before);
  return store_sess_run(s, st, "prune instances", 0, NULL);
}

icx_rc
icx_store_sess_beat(icx_store *s, const char *name, long long now)
{
  sqlite3_stmt *st;
  icx_rc rc;

  if (!s || !name)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, now < 0 ? "DELETE FROM icx_instances WHERE name = ?1"
                                     : "INSERT OR REPLACE INTO icx_instances (name, seen)"
                                       " VALUES (?1, ?2)", now >= 0, &rc);
  if (!st)
    return rc == ICX_ERR_NOT_FOUND ? ICX_OK : rc;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  if (now >= 0)
    sqlite3_bind_int64(st, 2, now);
  return store_sess_run(s, st, "say an instance is alive", 0, NULL);
}

icx_rc
icx_store_sess_seen(icx_store *s, const char *name, long long *seen)
{
  sqlite3_stmt *st;
  icx_rc rc;
  int step;

  if (!s || !name || !seen)
    return ICX_ERR_MISUSE;
  *seen = 0;
  icx_clear_error(s->ctx);
  st = store_sess_prepare(s, "SELECT seen FROM icx_instances WHERE name = ?", 0, &rc);
  if (!st)
    return rc;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    *seen = sqlite3_column_int64(st, 0);
    rc = ICX_OK;
  } else {
    rc = step == SQLITE_DONE ? ICX_ERR_NOT_FOUND : store_sess_fail(s, "read an instance");
  }
  icx_store_stmt_put(s, st);
  return rc;
}

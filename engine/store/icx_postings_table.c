/* icx_postings_table.c - posting chunks kept in an SQLite table: one row
 * a chunk, found by a seek on its key, decoded, edited and written back
 * (icx_postings_table.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_postings_table.h"

enum {
  T_FLOOR, T_FIRST, T_INSERT, T_DELETE, T_SET, T_WALK_AB, T_WALK_A, T_WALK_RANGE, T_ALL, T_COUNT
};

/* Each statement's text: @T the table, @A @B the key's ids, @X @Y the
 * first pair's columns (icx_postings_layout).  ?1 a, ?2 b, ?3 x0, ?4 y0,
 * ?5 rest; in T_WALK_RANGE ?2 and ?3 the first and last b. */
static const char *const table_sql[T_COUNT] = {
  /* The chunk a pair (?3, ?4) belongs to: the last whose key is not
   * after it. */
  ("SELECT @X, @Y, rest FROM @T WHERE @A = ?1 AND @B = ?2 AND (@X, @Y) <= (?3, ?4)"
   " ORDER BY @X DESC, @Y DESC LIMIT 1"),
  "SELECT @X, @Y, rest FROM @T WHERE @A = ?1 AND @B = ?2 ORDER BY @X, @Y LIMIT 1",
  "INSERT INTO @T (@A, @B, @X, @Y, rest) VALUES (?1, ?2, ?3, ?4, ?5)",
  "DELETE FROM @T WHERE @A = ?1 AND @B = ?2 AND @X = ?3 AND @Y = ?4",
  "UPDATE @T SET rest = ?5 WHERE @A = ?1 AND @B = ?2 AND @X = ?3 AND @Y = ?4",
  "SELECT @B, @X, @Y, rest FROM @T WHERE @A = ?1 AND @B = ?2 ORDER BY @X, @Y",
  "SELECT @B, @X, @Y, rest FROM @T WHERE @A = ?1 ORDER BY @B, @X, @Y",
  /* One seek to (a, first b), then in key order to past the last b. */
  "SELECT @B, @X, @Y, rest FROM @T WHERE @A = ?1 AND @B >= ?2 AND @B <= ?3 ORDER BY @B, @X, @Y",
  "SELECT @A, @B, @X, @Y, rest FROM @T ORDER BY @A, @B, @X, @Y",
};

char *
icx_postings_layout_sql(const char *tmpl, const icx_postings_layout *l)
{
  sqlite3_str *out = sqlite3_str_new(NULL);
  const char *c;

  for (c = tmpl; *c; c++) {
    const char *name = NULL;
    if (c[0] == '@')
      switch (c[1]) {
      case 'T': name = l->table; break;
      case 'A': name = l->a; break;
      case 'B': name = l->b; break;
      case 'X': name = l->x0; break;
      case 'Y': name = l->y0; break;
      }
    if (name) {
      sqlite3_str_appendall(out, name);
      c++;
    } else {
      sqlite3_str_appendchar(out, 1, *c);
    }
  }
  return sqlite3_str_finish(out);
}

struct icx_postings_table {
  sqlite3 *db;
  sqlite3_stmt *q[T_COUNT];
  /* The chunk icx_postings_table_append() builds: n pairs under (a, b),
   * the last appended (flushed or not) last; started once anything was
   * appended. */
  icx_posting chunk[ICX_POSTINGS_CHUNK], last;
  size_t n;
  icx_id a, b;
  int started;
};

icx_postings_table *
icx_postings_table_new(sqlite3 *db, const icx_postings_layout *layout)
{
  icx_postings_table *t = calloc(1, sizeof *t);
  int i;

  if (!t)
    return NULL;
  t->db = db;
  for (i = 0; i < T_COUNT; i++) {
    char *sql = icx_postings_layout_sql(table_sql[i], layout);
    int rc = sql ? sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &t->q[i], NULL)
                 : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
      icx_postings_table_free(t);
      return NULL;
    }
  }
  return t;
}

void
icx_postings_table_free(icx_postings_table *t)
{
  int i;

  if (!t)
    return;
  for (i = 0; i < T_COUNT; i++)
    sqlite3_finalize(t->q[i]);
  free(t);
}

/* Statement k, reset, with the parameters it has of ?1 to ?4 bound: the
 * key's a and b, and a pair. */
static sqlite3_stmt *
table_bind(icx_postings_table *t, int k, icx_id a, icx_id b, icx_posting e)
{
  sqlite3_stmt *st = t->q[k];

  sqlite3_reset(st);
  if (k == T_ALL)
    return st;
  sqlite3_bind_int64(st, 1, a);
  if (k != T_WALK_A)
    sqlite3_bind_int64(st, 2, b);
  if (k != T_FIRST && k != T_WALK_AB && k != T_WALK_A && k != T_WALK_RANGE) {
    sqlite3_bind_int64(st, 3, e.x);
    sqlite3_bind_int64(st, 4, e.y);
  }
  return st;
}

int
icx_postings_row_chunk(sqlite3_stmt *st, int col, icx_posting *v)
{
  icx_posting first = { sqlite3_column_int64(st, col), sqlite3_column_int64(st, col + 1) };
  int type = sqlite3_column_type(st, col + 2), n;
  const unsigned char *rest = sqlite3_column_blob(st, col + 2);
  int len = sqlite3_column_bytes(st, col + 2);

  if (type != SQLITE_NULL && type != SQLITE_BLOB)
    return ICX_POSTINGS_ERR_DAMAGED;
  n = icx_postings_decode(first, len ? rest : NULL, (size_t)len, v);
  return n < 0 ? ICX_POSTINGS_ERR_DAMAGED : n;
}

/* Reads the chunk under (a, b) that e belongs to into v and its first
 * entry, as stored, into *key: its size, 0 when (a, b) has none, or
 * ICX_POSTINGS_ERR_*. */
static int
table_find(icx_postings_table *t, icx_id a, icx_id b, icx_posting e, icx_posting *v,
           icx_posting *key, int or_first)
{
  sqlite3_stmt *st = table_bind(t, T_FLOOR, a, b, e);
  int rc = sqlite3_step(st), n;

  if (rc == SQLITE_DONE && or_first) {
    sqlite3_reset(st);
    st = table_bind(t, T_FIRST, a, b, e);
    rc = sqlite3_step(st);
  }
  if (rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return 0;
  }
  if (rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return ICX_POSTINGS_ERR_SQL;
  }
  n = icx_postings_row_chunk(st, 0, v);
  key->x = sqlite3_column_int64(st, 0);
  key->y = sqlite3_column_int64(st, 1);
  sqlite3_reset(st);
  return n;
}

/* Runs a write statement to its end: 0 or ICX_POSTINGS_ERR_SQL. */
static int
table_run(sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);

  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : ICX_POSTINGS_ERR_SQL;
}

/* Writes chunk v[0..n-1] of (a, b) in place of the row keyed by *old
 * (none when old is NULL): deleted when n is 0, its rest rewritten when
 * its first entry is still old's, else deleted and inserted under the
 * new key.  0 or ICX_POSTINGS_ERR_*. */
static int
table_write(icx_postings_table *t, icx_id a, icx_id b, const icx_posting *old,
            const icx_posting *v, size_t n)
{
  unsigned char rest[ICX_POSTINGS_REST_MAX];
  sqlite3_stmt *st;
  int len;

  if (n == 0 || (old && icx_posting_cmp(*old, v[0]) != 0)) {
    if (old && table_run(table_bind(t, T_DELETE, a, b, *old)))
      return ICX_POSTINGS_ERR_SQL;
    old = NULL;
  }
  if (n == 0)
    return 0;
  if ((len = icx_postings_encode(v, n, rest)) < 0)
    return ICX_POSTINGS_ERR_DAMAGED;   /* not reached: v came from a chunk */
  st = table_bind(t, old ? T_SET : T_INSERT, a, b, v[0]);
  if (len)
    sqlite3_bind_blob(st, 5, rest, len, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 5);
  return table_run(st);
}

int
icx_postings_table_add(icx_postings_table *t, icx_id a, icx_id b, icx_posting e)
{
  icx_posting v[ICX_POSTINGS_CHUNK], right[ICX_POSTINGS_CHUNK], key;
  size_t n, m, k;
  int got, rc;

  if (e.x < 1 || e.y < 0)
    return ICX_POSTINGS_ERR_DAMAGED;
  if ((got = table_find(t, a, b, e, v, &key, 1)) < 0)
    return got;
  if (got == 0)
    return table_write(t, a, b, NULL, &e, 1) ? ICX_POSTINGS_ERR_SQL : 1;
  n = (size_t)got;
  rc = icx_postings_add(v, &n, ICX_POSTINGS_CHUNK, e);
  if (rc == 0)
    return 0;
  if (rc == 1)
    return (rc = table_write(t, a, b, &key, v, n)) ? rc : 1;
  /* Full: cut in two, e into the half it sorts in. */
  k = icx_postings_split(v, n, e);
  m = n - k;
  memcpy(right, v + k, m * sizeof *v);
  n = k;
  if (m == 0)
    right[m++] = e;
  else if (icx_posting_cmp(e, right[0]) < 0)
    icx_postings_add(v, &n, ICX_POSTINGS_CHUNK, e);
  else
    icx_postings_add(right, &m, ICX_POSTINGS_CHUNK, e);
  /* A pair after the last leaves the full chunk as it is. */
  if ((k < ICX_POSTINGS_CHUNK && (rc = table_write(t, a, b, &key, v, n))) ||
      (rc = table_write(t, a, b, NULL, right, m)))
    return rc;
  return 1;
}

int
icx_postings_table_remove(icx_postings_table *t, icx_id a, icx_id b, icx_posting e)
{
  icx_posting v[ICX_POSTINGS_CHUNK], key;
  size_t n;
  int got, rc;

  if ((got = table_find(t, a, b, e, v, &key, 0)) <= 0)
    return got;
  n = (size_t)got;
  if (!icx_postings_remove(v, &n, e))
    return 0;
  return (rc = table_write(t, a, b, &key, v, n)) ? rc : 1;
}

/* Calls fn for every chunk st reads (b, x0, y0, rest a row), then
 * resets st: icx_postings_table_walk()'s result. */
static int
table_walk_rows(sqlite3_stmt *st, icx_postings_fn fn, void *ud)
{
  icx_posting v[ICX_POSTINGS_CHUNK];
  int rc = SQLITE_DONE, n, stop = 0;

  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((n = icx_postings_row_chunk(st, 1, v)) < 0) {
      sqlite3_reset(st);
      return n;
    }
    stop = fn(ud, sqlite3_column_int64(st, 0), v, (size_t)n);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? 0 : ICX_POSTINGS_ERR_SQL;
}

int
icx_postings_table_walk(icx_postings_table *t, icx_id a, icx_id b, icx_postings_fn fn,
                        void *ud)
{
  icx_posting none = { 0, 0 };
  int k = b ? T_WALK_AB : T_WALK_A;

  /* A walk of this kind from inside its own callback would reset it. */
  if (sqlite3_stmt_busy(t->q[k]))
    return ICX_POSTINGS_ERR_BUSY;
  return table_walk_rows(table_bind(t, k, a, b, none), fn, ud);
}

int
icx_postings_table_walk_range(icx_postings_table *t, icx_id a, icx_id b_lo, icx_id b_hi,
                              icx_postings_fn fn, void *ud)
{
  icx_posting none = { 0, 0 };
  sqlite3_stmt *st;

  if (sqlite3_stmt_busy(t->q[T_WALK_RANGE]))
    return ICX_POSTINGS_ERR_BUSY;
  st = table_bind(t, T_WALK_RANGE, a, b_lo, none);

  sqlite3_bind_int64(st, 3, b_hi);
  return table_walk_rows(st, fn, ud);
}

int
icx_postings_table_append(icx_postings_table *t, icx_id a, icx_id b, icx_posting e)
{
  int rc;

  if (e.x < 1 || e.y < 0)
    return ICX_POSTINGS_ERR_DAMAGED;
  if (t->started &&
      (a < t->a || (a == t->a && (b < t->b || (b == t->b && icx_posting_cmp(e, t->last) <= 0)))))
    return ICX_POSTINGS_ERR_ORDER;
  if (t->started && (a != t->a || b != t->b || t->n == ICX_POSTINGS_CHUNK) &&
      (rc = icx_postings_table_flush(t)))
    return rc;
  t->started = 1;
  t->a = a;
  t->b = b;
  t->last = e;
  t->chunk[t->n++] = e;
  return 0;
}

int
icx_postings_table_flush(icx_postings_table *t)
{
  int rc;

  if (!t->n)
    return 0;
  rc = table_write(t, t->a, t->b, NULL, t->chunk, t->n);
  t->n = 0;
  return rc ? ICX_POSTINGS_ERR_SQL : 0;
}

long long
icx_postings_table_check(icx_postings_table *t, char *why, size_t len)
{
  icx_posting v[ICX_POSTINGS_CHUNK], last = { 0, 0 }, none = { 0, 0 };
  sqlite3_stmt *st = table_bind(t, T_ALL, 0, 0, none);
  icx_id a = 0, b = 0;
  long long pairs = 0;
  int rc, n, any = 0;

  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    icx_id ra = sqlite3_column_int64(st, 0), rb = sqlite3_column_int64(st, 1);
    if ((n = icx_postings_row_chunk(st, 2, v)) < 0) {
      if (why && len)
        snprintf(why, len, "the chunk (%lld, %lld, %lld, %lld) is not a posting chunk", ra, rb,
                 sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
      sqlite3_reset(st);
      return ICX_POSTINGS_ERR_DAMAGED;
    }
    if (any && ra == a && rb == b && icx_posting_cmp(last, v[0]) >= 0) {
      if (why && len)
        snprintf(why, len, "the chunk (%lld, %lld, %lld, %lld) starts before the end of the one "
                 "before it (%lld, %lld)", ra, rb, v[0].x, v[0].y, last.x, last.y);
      sqlite3_reset(st);
      return ICX_POSTINGS_ERR_DAMAGED;
    }
    any = 1;
    a = ra;
    b = rb;
    last = v[n - 1];
    pairs += n;
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? pairs : ICX_POSTINGS_ERR_SQL;
}

/* icx_sql_run.c - running a translated statement (icx_sql.h): its
 * subject sets filled, its parameters bound, its rows streamed as term ids
 * (icx_sql_each()) or collected as text (icx_sql_run()).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_rows_internal.h"
#include "icx_schema.h"
#include "icx_sql_internal.h"

void
icx_sql_free(icx_sql *q)
{
  icx_ctx *ctx = q ? q->ctx : NULL;
  size_t i;

  if (!q)
    return;
  for (i = 0; i < q->n_params; i++)
    icx_free(ctx, q->params[i].s);
  icx_free(ctx, q->params);
  for (i = 0; i < q->width; i++)
    icx_free(ctx, q->names[i]);
  icx_free(ctx, q->names);
  icx_free(ctx, q->sql);
  icx_semi_free(q->semi);
  icx_free(ctx, q);
}

const char *
icx_sql_text(const icx_sql *q)
{
  return q->sql;
}

size_t icx_sql_width(const icx_sql *q) { return q->width; }

const char *
icx_sql_var(const icx_sql *q, size_t j)
{
  return j < q->width ? q->names[j] : NULL;
}

/* The statement of q, prepared, its parameters bound, its subject sets
 * filled.  Call it inside the read transaction the statement runs in
 * (sql_begin_read()). */
static icx_rc
sql_prepare_bound(icx_ctx *ctx, const icx_sql *q, sqlite3_stmt **st)
{
  icx_rc rc;
  size_t i;

  if (q->semi) {
    double t0 = icx_now_ms();
    if ((rc = icx_semi_fill(ctx, q->semi, q->store)))
      return rc;
    icx_log(ctx, ICX_LOG_DEBUG, "sql", "%d subject sets filled in %.1f ms",
            icx_semi_count(q->semi), icx_now_ms() - t0);
  }
  if (!(*st = icx_store_stmt_get(q->store, q->sql)))
    return icx_fail(ctx, ICX_ERR_QUERY, "SQL path: %s", sqlite3_errmsg(q->db));
  for (i = 0; i < q->n_params; i++) {
    const param *p = &q->params[i];
    int k = (int)i + 1;
    if (p->kind == 0)
      sqlite3_bind_int64(*st, k, p->i);
    else if (p->kind == 1)
      sqlite3_bind_double(*st, k, p->d);
    else if (p->kind == 2)
      sqlite3_bind_text(*st, k, p->s, -1, SQLITE_STATIC);
    else
      icx_semi_bind(q->semi, (int)p->i, *st, k);
  }
  return ICX_OK;
}

/* A statement with subject sets reads the store twice (the sets, then the
 * rows): outside a transaction, a load committing in between could give
 * rows the sets did not see.  1 when this began a read transaction. */
/* The failure of a step that returned rc: ICX_ERR_DAMAGED when SQLite
 * found the file corrupt, else ICX_ERR_QUERY. */
static icx_rc
sql_step_failed(icx_ctx *ctx, const icx_sql *q, int rc)
{
  if (icx_schema_damage(rc))
    return icx_fail(ctx, ICX_ERR_DAMAGED, "SQL path: %s (the store is damaged; run icx check)",
                    sqlite3_errmsg(q->db));
  return icx_fail(ctx, ICX_ERR_QUERY, "SQL path: %s", sqlite3_errmsg(q->db));
}

static int
sql_begin_read(const icx_sql *q)
{
  return q->semi && sqlite3_get_autocommit(q->db) &&
         sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void
sql_end_read(const icx_sql *q, int began)
{
  if (began && sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

icx_rc
icx_sql_each(icx_ctx *ctx, icx_sql *q, icx_sql_row_fn fn, void *userdata)
{
  sqlite3_stmt *st = NULL;
  sqlite3_int64 *ids;
  icx_rc result;
  size_t i;
  int rc, began;

  if (!ctx || !q || !fn || !q->ids)
    return ICX_ERR_MISUSE;
  if (!(ids = icx_calloc(ctx, q->width + 1, sizeof *ids)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  began = sql_begin_read(q);
  if ((result = sql_prepare_bound(ctx, q, &st)))
    goto done;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (i = 0; i < q->width; i++)
      ids[i] = sqlite3_column_int64(st, (int)i);     /* NULL reads as 0 */
    if ((result = fn(userdata, ids)))
      goto done;
  }
  if (rc != SQLITE_DONE)
    result = sql_step_failed(ctx, q, rc);
done:
  icx_store_stmt_put(q->store, st);
  sql_end_read(q, began);
  icx_free(ctx, ids);
  return result;
}


icx_rc
icx_sql_run(icx_ctx *ctx, icx_sql *q, icx_rows **out)
{
  sqlite3_stmt *st = NULL;
  icx_rows *rows = NULL;
  const char **cells = NULL;
  size_t i;
  int rc, began;
  icx_rc result = ICX_OK;

  if (!ctx || !q || !out || q->ids)
    return ICX_ERR_MISUSE;
  *out = NULL;
  began = sql_begin_read(q);
  if ((result = sql_prepare_bound(ctx, q, &st)))
    goto done;
  rows = icx_rows_new(ctx, q->width, (const char *const *)q->names, "sql");
  cells = icx_calloc(ctx, q->width + 1, sizeof *cells);
  if (!rows || !cells) {
    result = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (i = 0; i < q->width; i++)
      cells[i] = (const char *)sqlite3_column_text(st, (int)(2 * i + 1));
    if (icx_rows_append(rows, cells)) {
      result = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
  }
  if (rc != SQLITE_DONE) {
    result = sql_step_failed(ctx, q, rc);
    goto done;
  }
  *out = rows;
  rows = NULL;
done:
  icx_free(ctx, cells);
  icx_rows_free(rows);
  icx_store_stmt_put(q->store, st);
  sql_end_read(q, began);
  return result;
}

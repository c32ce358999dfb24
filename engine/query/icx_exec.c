/* icx_exec.c - SELECT queries on the store: as one SQL statement over the
 * icx storage's tables when the query is in icx_sql's subset, else through
 * librdf and rasqal.  icx_rows_path() says which path answered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_exec.h"
#include "icx_exec_internal.h"
#include "icx_sql.h"
#include "icx_storage.h"
#include "icx_store.h"
#include "icx_util.h"

struct icx_rows {
  char **vars;
  size_t width;
  char **cells;        /* count * width, NULL for unbound */
  size_t count;
  size_t cap;
  const char *path;
};

void
icx_rows_free(icx_rows *r)
{
  size_t i;

  if (!r)
    return;
  for (i = 0; i < r->width; i++)
    free(r->vars[i]);
  free(r->vars);
  for (i = 0; i < r->count * r->width; i++)
    free(r->cells[i]);
  free(r->cells);
  free(r);
}

size_t icx_rows_count(const icx_rows *r) { return r->count; }
size_t icx_rows_width(const icx_rows *r) { return r->width; }
const char *icx_rows_path(const icx_rows *r) { return r->path; }

const char *
icx_rows_var(const icx_rows *r, size_t j)
{
  return j < r->width ? r->vars[j] : NULL;
}

const char *
icx_rows_get(const icx_rows *r, size_t i, size_t j)
{
  return i < r->count && j < r->width ? r->cells[i * r->width + j] : NULL;
}

long
icx_rows_column(const icx_rows *r, const char *name)
{
  size_t j;

  for (j = 0; j < r->width; j++)
    if (strcmp(r->vars[j], name) == 0)
      return (long)j;
  return -1;
}

icx_rows *
icx_rows_new(size_t width, const char *const *vars, const char *path)
{
  icx_rows *r = calloc(1, sizeof *r);
  size_t j;

  if (!r)
    return NULL;
  r->path = path;
  r->vars = calloc(width + 1, sizeof *r->vars);
  if (!r->vars) {
    free(r);
    return NULL;
  }
  for (j = 0; j < width; j++) {
    if (!(r->vars[j] = icx_strdup(vars[j] ? vars[j] : ""))) {
      icx_rows_free(r);
      return NULL;
    }
    r->width++;
  }
  return r;
}

int
icx_rows_append(icx_rows *r, const char *const *cells)
{
  size_t j;

  if (r->count == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 16;
    size_t w = r->width ? r->width : 1;
    char **nc;
    if (ncap > (size_t)-1 / sizeof *nc / w)
      return -1;
    nc = realloc(r->cells, ncap * w * sizeof *nc);
    if (!nc)
      return -1;
    r->cells = nc;
    r->cap = ncap;
  }
  for (j = 0; j < r->width; j++) {
    char *c = NULL;
    if (cells[j] && !(c = strdup(cells[j]))) {
      while (j > 0)
        free(r->cells[r->count * r->width + --j]);
      return -1;
    }
    r->cells[r->count * r->width + j] = c;
  }
  r->count++;
  return 0;
}

static char *
node_text(librdf_node *n)
{
  if (!n)
    return NULL;
  if (librdf_node_is_resource(n))
    return icx_strdup((const char *)librdf_uri_as_string(librdf_node_get_uri(n)));
  if (librdf_node_is_literal(n))
    return icx_strdup((const char *)librdf_node_get_literal_value(n));
  return icx_strdup((const char *)librdf_node_get_blank_identifier(n));
}

static icx_rc rasqal_select(icx_store *store, const char *sparql, icx_rows **out);

/* The SQLite connection behind the store when its storage is an icx
 * storage (always, for stores icx_store_open made), else NULL. */
static sqlite3 *
store_db(icx_store *store)
{
  return icx_storage_db(icx_store_storage(store));
}

icx_rc
icx_exec_select(icx_store *store, const char *sparql, icx_rows **out)
{
  return icx_exec_select_path(store, sparql, ICX_EXEC_AUTO, out);
}

icx_rc
icx_exec_select_path(icx_store *store, const char *sparql, icx_exec_path path, icx_rows **out)
{
  icx_ctx *ctx;
  sqlite3 *db;
  icx_sql *q = NULL;
  const char *why = NULL;
  icx_rc rc;

  if (!store || !sparql || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  ctx = icx_store_ctx(store);
  icx_clear_error(ctx);
  if (path == ICX_EXEC_RASQAL)
    return rasqal_select(store, sparql, out);
  db = store_db(store);
  if (!db) {
    if (path == ICX_EXEC_SQL)
      return icx_fail(ctx, ICX_ERR_QUERY, "this store has no SQL path");
    return rasqal_select(store, sparql, out);
  }
  if ((rc = icx_sql_translate(ctx, db, sparql, &q, &why)))
    return rc;
  if (!q) {
    if (path == ICX_EXEC_SQL)
      return icx_fail(ctx, ICX_ERR_QUERY, "outside the SQL subset: %s", why);
    icx_log(ctx, ICX_LOG_DEBUG, "exec", "rasqal path: %s", why);
    return rasqal_select(store, sparql, out);
  }
  icx_log(ctx, ICX_LOG_DEBUG, "exec", "sql path: %s", icx_sql_text(q));
  rc = icx_sql_run(ctx, q, out);
  icx_sql_free(q);
  return rc;
}

static icx_rc
rasqal_select(icx_store *store, const char *sparql, icx_rows **out)
{
  icx_ctx *ctx;
  librdf_query *q = NULL;
  librdf_query_results *res = NULL;
  icx_rows *r = NULL;
  icx_diag diag;
  icx_rc rc = ICX_OK;
  int width, j;

  if (!store || !sparql || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  ctx = icx_store_ctx(store);
  icx_clear_error(ctx);
  icx_diag_begin(ctx, &diag);
  if (!icx_ctx_world(ctx)) {
    icx_diag_end(ctx);
    rc = icx_rdf_failure(ctx);
    goto done;
  }
  q = librdf_new_query(icx_ctx_world(ctx), "sparql", NULL, (const unsigned char *)sparql, NULL);
  if (!q) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the query does not parse: %s",
                  diag.errors ? diag.first : "(no detail)");
    goto done;
  }
  res = librdf_query_execute(q, icx_store_model(store));
  if (!res || diag.errors) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the query failed: %s",
                  diag.errors ? diag.first : "(no detail)");
    goto done;
  }
  if (!librdf_query_results_is_bindings(res)) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "only SELECT queries are supported");
    goto done;
  }
  r = calloc(1, sizeof *r);
  if (!r) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  r->path = "rasqal";
  width = librdf_query_results_get_bindings_count(res);
  if (width < 0) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the query has no result variables");
    goto done;
  }
  r->vars = calloc((size_t)width + 1, sizeof *r->vars);
  if (!r->vars) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (j = 0; j < width; j++) {
    const char *name = librdf_query_results_get_binding_name(res, j);
    if (!(r->vars[j] = icx_strdup(name ? name : ""))) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    r->width++;
  }
  while (!librdf_query_results_finished(res)) {
    if (r->count == r->cap) {
      size_t ncap = r->cap ? r->cap * 2 : 16;
      char **nc;
      if (r->width && ncap > (size_t)-1 / sizeof *nc / r->width) {
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
        goto done;
      }
      nc = realloc(r->cells, ncap * (r->width ? r->width : 1) * sizeof *nc);
      if (!nc) {
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
        goto done;
      }
      r->cells = nc;
      r->cap = ncap;
    }
    for (j = 0; j < width; j++) {
      librdf_node *n = librdf_query_results_get_binding_value(res, j);
      r->cells[r->count * r->width + (size_t)j] = node_text(n);
      if (n)
        librdf_free_node(n);
    }
    r->count++;
    librdf_query_results_next(res);
  }
  if (diag.errors) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the query failed: %s", diag.first);
    goto done;
  }
  *out = r;
  r = NULL;
done:
  icx_diag_end(ctx);
  icx_rows_free(r);
  if (res)
    librdf_free_query_results(res);
  if (q)
    librdf_free_query(q);
  return rc;
}

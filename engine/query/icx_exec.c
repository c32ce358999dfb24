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
#include "icx_rows_internal.h"
#include "icx_sql.h"
#include "icx_store.h"
#include "icx_store_rdf.h"
#include "icx_util.h"

static char *
exec_node_text(icx_ctx *ctx, librdf_node *n)
{
  if (!n)
    return NULL;
  if (librdf_node_is_resource(n))
    return icx_strdup(ctx, (const char *)librdf_uri_as_string(librdf_node_get_uri(n)));
  if (librdf_node_is_literal(n))
    return icx_strdup(ctx, (const char *)librdf_node_get_literal_value(n));
  return icx_strdup(ctx, (const char *)librdf_node_get_blank_identifier(n));
}

static icx_rc exec_rasqal(icx_store *store, const char *sparql, icx_rows **out);

icx_rc
icx_exec_select(icx_store *store, const char *sparql, icx_rows **out)
{
  return icx_exec_select_path(store, sparql, ICX_EXEC_AUTO, out);
}

icx_rc
icx_exec_select_path(icx_store *store, const char *sparql, icx_exec_path path, icx_rows **out)
{
  icx_ctx *ctx;
  icx_sql *q = NULL;
  const char *why = NULL;
  icx_rc rc;

  if (!store || !sparql || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  ctx = icx_store_ctx(store);
  icx_clear_error(ctx);
  if (path == ICX_EXEC_RASQAL)
    return exec_rasqal(store, sparql, out);
  if (!icx_sql_available(store)) {
    if (path == ICX_EXEC_SQL)
      return icx_fail(ctx, ICX_ERR_QUERY, "this store has no SQL path");
    return exec_rasqal(store, sparql, out);
  }
  if ((rc = icx_sql_translate(ctx, store, sparql, &q, &why)))
    return rc;
  if (!q) {
    if (path == ICX_EXEC_SQL)
      return icx_fail(ctx, ICX_ERR_QUERY, "outside the SQL subset: %s", why);
    icx_log(ctx, ICX_LOG_DEBUG, "exec", "rasqal path: %s", why);
    return exec_rasqal(store, sparql, out);
  }
  icx_log(ctx, ICX_LOG_DEBUG, "exec", "sql path: %s", icx_sql_text(q));
  rc = icx_sql_run(ctx, q, out);
  icx_sql_free(q);
  return rc;
}

static icx_rc
exec_rasqal(icx_store *store, const char *sparql, icx_rows **out)
{
  icx_ctx *ctx;
  librdf_query *q = NULL;
  librdf_query_results *res = NULL;
  icx_rows *r = NULL;
  const char **names = NULL;
  char **cells = NULL;
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
  width = librdf_query_results_get_bindings_count(res);
  if (width < 0) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the query has no result variables");
    goto done;
  }
  names = icx_calloc(ctx, (size_t)width + 1, sizeof *names);
  cells = icx_calloc(ctx, (size_t)width + 1, sizeof *cells);
  if (!names || !cells) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (j = 0; j < width; j++)
    names[j] = librdf_query_results_get_binding_name(res, j);
  if (!(r = icx_rows_new(ctx, (size_t)width, names, "rasqal"))) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  while (!librdf_query_results_finished(res)) {
    for (j = 0; j < width; j++) {
      librdf_node *n = librdf_query_results_get_binding_value(res, j);
      cells[j] = exec_node_text(ctx, n);
      if (n)
        librdf_free_node(n);
    }
    if (icx_rows_append_owned(r, cells)) {
      for (j = 0; j < width; j++)
        icx_free(ctx, cells[j]);
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
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
  icx_free(ctx, names);
  icx_free(ctx, cells);
  icx_rows_free(r);
  if (res)
    librdf_free_query_results(res);
  if (q)
    librdf_free_query(q);
  return rc;
}

/* icx_exec.c - SELECT queries on the store: as one SQL statement over the
 * icx storage's tables when the query is in icx_sql's subset, else through
 * librdf and rasqal.  icx_rows_path() says which path answered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_exec.h"
#include "icx_exec_internal.h"
#include "icx_rows_internal.h"
#include "icx_sql.h"
#include "icx_store.h"
#include "icx_store_ids.h"
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

static icx_rc exec_rasqal(icx_store *store, const char *sparql, int any_form, icx_rows **out);
static icx_rc exec_path(icx_store *store, const char *sparql, icx_exec_path path, int any_form,
                        icx_rows **out);

icx_rc
icx_exec_select(icx_store *store, const char *sparql, icx_rows **out)
{
  return exec_path(store, sparql, ICX_EXEC_AUTO, 0, out);
}

icx_rc
icx_exec_select_path(icx_store *store, const char *sparql, icx_exec_path path, icx_rows **out)
{
  return exec_path(store, sparql, path, 0, out);
}

icx_rc
icx_exec_query(icx_store *store, const char *sparql, icx_exec_path path, icx_rows **out)
{
  return exec_path(store, sparql, path, 1, out);
}

static icx_rc exec_path_run(icx_store *store, const char *sparql, icx_exec_path path,
                            int any_form, icx_rows **out);

/* No query sees the store's bookkeeping, not even by naming its graph
 * (icx_store_hide_bookkeeping()). */
static icx_rc
exec_path(icx_store *store, const char *sparql, icx_exec_path path, int any_form,
          icx_rows **out)
{
  icx_rc rc;

  if (!store)
    return ICX_ERR_MISUSE;
  icx_store_hide_bookkeeping(store, 1);
  rc = exec_path_run(store, sparql, path, any_form, out);
  icx_store_hide_bookkeeping(store, 0);
  return rc;
}

/* 1 when sparql parses with a FROM or FROM NAMED clause.  Neither path
 * can honour one (the store is the one dataset, and icx fetches nothing):
 * both would answer over the whole store instead.  Only a query whose
 * text holds the word is parsed. */
static int
exec_names_dataset(icx_ctx *ctx, const char *sparql)
{
  rasqal_world *rw = icx_ctx_world(ctx) ? librdf_world_get_rasqal(icx_ctx_world(ctx)) : NULL;
  rasqal_query *q;
  const char *p;
  int named = 0;

  for (p = sparql; *p && strncasecmp(p, "from", 4) != 0; p++)
    ;
  if (!*p || !rw || !(q = rasqal_new_query(rw, "sparql", NULL)))
    return 0;
  if (!rasqal_query_prepare(q, (const unsigned char *)sparql, NULL))
    named = rasqal_query_get_data_graph(q, 0) != NULL;
  rasqal_free_query(q);
  return named;
}

static icx_rc
exec_path_run(icx_store *store, const char *sparql, icx_exec_path path, int any_form,
              icx_rows **out)
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
  if (exec_names_dataset(ctx, sparql))
    return icx_fail(ctx, ICX_ERR_QUERY, "FROM and FROM NAMED are not supported: a query runs "
                    "over the store's graphs (name one with GRAPH <iri> { ... })");
  if (any_form) {
    int handled;
    rc = icx_exec_describe(store, sparql, &handled, out);
    if (handled || rc != ICX_OK)
      return rc;
  }
  if (path == ICX_EXEC_RASQAL)
    return exec_rasqal(store, sparql, any_form, out);
  if (!icx_sql_available(store)) {
    if (path == ICX_EXEC_SQL)
      return icx_fail(ctx, ICX_ERR_QUERY, "this store has no SQL path");
    return exec_rasqal(store, sparql, any_form, out);
  }
  if ((rc = icx_sql_translate(ctx, store, sparql, &q, &why)))
    return rc;
  if (!q) {
    if (path == ICX_EXEC_SQL)
      return icx_fail(ctx, ICX_ERR_QUERY, "outside the SQL subset: %s", why);
    icx_log(ctx, ICX_LOG_DEBUG, "exec", "rasqal path: %s", why);
    return exec_rasqal(store, sparql, any_form, out);
  }
  icx_log(ctx, ICX_LOG_DEBUG, "exec", "sql path: %s", icx_sql_text(q));
  rc = icx_sql_run(ctx, q, out);
  icx_sql_free(q);
  return rc;
}

char *
icx_exec_term_text(icx_ctx *ctx, librdf_node *n)
{
  unsigned char *text = n ? raptor_term_to_string(n) : NULL;
  char *copy;

  if (!text)
    return NULL;
  copy = icx_strdup(ctx, (const char *)text);
  raptor_free_memory(text);
  return copy;
}

/* The answer of an ASK: one column, one row. */
static icx_rc
exec_boolean(icx_ctx *ctx, librdf_query_results *res, icx_rows **out)
{
  static const char *const var[1] = { "boolean" };
  const char *cell[1];
  int v = librdf_query_results_get_boolean(res);
  icx_rows *r;

  if (v < 0)
    return icx_fail(ctx, ICX_ERR_QUERY, "the query failed: no boolean answer");
  cell[0] = v ? "true" : "false";
  if (!(r = icx_rows_new(ctx, 1, var, "rasqal")) || icx_rows_append(r, cell)) {
    icx_rows_free(r);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  icx_rows_set_form(r, ICX_ROWS_ASK);
  *out = r;
  return ICX_OK;
}

int
icx_exec_add_triple(icx_ctx *ctx, icx_rows *r, librdf_statement *st)
{
  char *cells[3];
  int j;

  cells[0] = icx_exec_term_text(ctx, librdf_statement_get_subject(st));
  cells[1] = icx_exec_term_text(ctx, librdf_statement_get_predicate(st));
  cells[2] = icx_exec_term_text(ctx, librdf_statement_get_object(st));
  if (!cells[0] || !cells[1] || !cells[2] || icx_rows_append_owned(r, cells)) {
    for (j = 0; j < 3; j++)
      icx_free(ctx, cells[j]);
    return -1;
  }
  return 0;
}

/* The answer of a CONSTRUCT or DESCRIBE: a row per triple. */
static icx_rc
exec_graph(icx_ctx *ctx, librdf_query_results *res, icx_rows **out)
{
  static const char *const vars[3] = { "subject", "predicate", "object" };
  librdf_stream *st;
  icx_rows *r = icx_rows_new(ctx, 3, vars, "rasqal");

  if (!r)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  icx_rows_set_form(r, ICX_ROWS_GRAPH);
  st = librdf_query_results_as_stream(res);
  for (; st && !librdf_stream_end(st); librdf_stream_next(st)) {
    if (icx_exec_add_triple(ctx, r, librdf_stream_get_object(st))) {
      librdf_free_stream(st);
      icx_rows_free(r);
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    }
  }
  if (st)
    librdf_free_stream(st);
  *out = r;
  return ICX_OK;
}

static icx_rc
exec_rasqal(icx_store *store, const char *sparql, int any_form, icx_rows **out)
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
    if (!any_form)
      rc = icx_fail(ctx, ICX_ERR_QUERY, "only SELECT queries are supported");
    else if (librdf_query_results_is_boolean(res))
      rc = exec_boolean(ctx, res, out);
    else if (librdf_query_results_is_graph(res))
      rc = exec_graph(ctx, res, out);
    else
      rc = icx_fail(ctx, ICX_ERR_QUERY, "the query gives no answer icx can show");
    if (rc == ICX_OK && diag.errors) {
      icx_rows_free(*out);
      *out = NULL;
      rc = icx_fail(ctx, ICX_ERR_QUERY, "the query failed: %s", diag.first);
    }
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

/* icx_store_docs.c - writing a store's documents: replacing one
 * document's graph in one transaction (in steps, icx_store_document_*, or
 * at once from a model or an array of statements), removing one, and the
 * bookkeeping graph <urn:icx:meta> that records each.
 *
 * Every change runs inside one storage transaction and is rolled back on
 * any failure.  Before a document commits, its clouds are checked against
 * the other documents' (icx_store_set_name_property(),
 * icx_store_claims.c): a name or a named subject belongs to one document.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"
#include "icx_storage.h"
#include "icx_store_internal.h"
#include "icx_util.h"

#define XSD "http://www.w3.org/2001/XMLSchema#"

static librdf_node *
store_literal(icx_store *s, const char *value, const char *xsd_local)
{
  librdf_uri *dt = NULL;
  librdf_node *n;
  char iri[128];

  if (xsd_local) {
    snprintf(iri, sizeof iri, "%s%s", XSD, xsd_local);
    dt = librdf_new_uri(icx_ctx_world(s->ctx), (const unsigned char *)iri);
    if (!dt)
      return NULL;
  }
  n = librdf_new_node_from_typed_literal(icx_ctx_world(s->ctx), (const unsigned char *)value, NULL,
                                         dt);
  if (dt)
    librdf_free_uri(dt);
  return n;
}

/* Adds (subj, pred, obj) to context; takes ownership of all three nodes
 * (NULL ones make it fail).  Returns 0 or -1. */
static int
store_add3(icx_store *s, librdf_node *context, librdf_node *subj, librdf_node *pred,
           librdf_node *obj)
{
  librdf_statement *st;
  int rc;

  if (!subj || !pred || !obj) {
    if (subj) librdf_free_node(subj);
    if (pred) librdf_free_node(pred);
    if (obj) librdf_free_node(obj);
    return -1;
  }
  st = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), subj, pred, obj);
  if (!st)
    return -1;
  rc = librdf_model_context_add_statement(s->model, context, st);
  librdf_free_statement(st);
  return rc ? -1 : 0;
}

icx_rc
icx_store_set_name_property(icx_store *s, const char *iri)
{
  char *copy = NULL;

  if (!s)
    return ICX_ERR_MISUSE;
  if (iri && !(copy = icx_strdup(s->ctx, iri)))
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  icx_free(s->ctx, s->name_property);
  s->name_property = copy;
  return ICX_OK;
}

icx_rc
icx_store_document_check(icx_store *s, const char *source)
{
  if (!s || !s->doc || !source)
    return ICX_ERR_MISUSE;
  return icx_store_check_claims(s, source);
}

/* --- the change log ---------------------------------------------------------
 *
 * Each document written or removed logs one change in its own transaction
 * (icx_store_ids.h, "The change log"): the graph, what happened, and the
 * subjects the graph held before, read here before the graph is emptied.
 * While a document is open, the storage's own writes are marked as part of
 * it (icx_storage_set_logged()), so they log nothing of their own. */

/* Reads the distinct subjects of graph doc_uri into s->before and marks
 * the storage's writes as logged.  ICX_OK, ICX_ERR_STORE, ICX_ERR_NOMEM. */
static icx_rc
store_log_begin(icx_store *s, const char *doc_uri)
{
  sqlite3_stmt *st = NULL;
  icx_id g = icx_storage_iri_id(s->inst, doc_uri);
  size_t cap = 0;
  int rc;

  icx_free(s->ctx, s->before);
  s->before = NULL;
  s->n_before = 0;
  icx_storage_set_logged(s->inst, 1);
  if (g < 0) {
    return icx_fail(s->ctx, ICX_ERR_STORE, "%s", icx_storage_errmsg(s->inst));
  }
  if (g == 0)
    return ICX_OK;
  if (sqlite3_prepare_v2(s->db, ICX_STORE_GRAPH_SUBJECTS_SQL, -1, &st, NULL) !=
      SQLITE_OK) {
    return icx_fail(s->ctx, ICX_ERR_STORE, "%s", sqlite3_errmsg(s->db));
  }
  sqlite3_bind_int64(st, 1, g);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (s->n_before == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      icx_id *nb = icx_realloc(s->ctx, s->before, ncap * sizeof *nb);
      if (!nb) {
        sqlite3_finalize(st);
        return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
      }
      s->before = nb;
      cap = ncap;
    }
    s->before[s->n_before++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    return icx_fail(s->ctx, ICX_ERR_STORE, "%s", sqlite3_errmsg(s->db));
  }
  return ICX_OK;
}

/* Logs the change of doc_uri (kind), in the open transaction.  0 or -1. */
static int
store_log_change(icx_store *s, const char *doc_uri, int kind)
{
  icx_id g = icx_storage_iri_id(s->inst, doc_uri);

  return g < 0 || icx_storage_log_change(s->inst, g, kind, s->before, s->n_before) ? -1 : 0;
}

/* The end of a document's change, committed or not. */
static void
store_log_end(icx_store *s)
{
  icx_storage_set_logged(s->inst, 0);
  icx_free(s->ctx, s->before);
  s->before = NULL;
  s->n_before = 0;
}

/* --- documents -------------------------------------------------------------- */

/* Removes every bookkeeping statement about doc_uri.  0 or -1. */
static int
store_remove_meta(icx_store *s, const char *doc_uri)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  librdf_node *subj = icx_store_uri_node(s, doc_uri);
  librdf_statement *pattern = NULL;
  librdf_stream *st = NULL;
  librdf_statement **found = NULL;
  size_t n = 0, cap = 0, i;
  int rc = -1;

  if (!subj)
    return -1;
  pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), subj, NULL, NULL);
  if (!pattern)
    return -1;
  st = librdf_model_find_statements_in_context(s->model, pattern, s->meta);
  if (!st)
    goto done;
  for (; !librdf_stream_end(st); librdf_stream_next(st)) {
    librdf_statement *x = librdf_stream_get_object(st);
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      librdf_statement **nf = icx_realloc(ctx, found, ncap * sizeof *nf);
      if (!nf)
        goto done;
      found = nf;
      cap = ncap;
    }
    if (!(found[n] = librdf_new_statement_from_statement(x)))
      goto done;
    n++;
  }
  librdf_free_stream(st);
  st = NULL;
  for (i = 0; i < n; i++)
    if (librdf_model_context_remove_statement(s->model, s->meta, found[i]))
      goto done;
  rc = 0;
done:
  if (st)
    librdf_free_stream(st);
  for (i = 0; i < n; i++)
    librdf_free_statement(found[i]);
  icx_free(ctx, found);
  librdf_free_statement(pattern);
  return rc;
}

static void
store_now_utc(char *buf, size_t n)
{
  time_t t = time(NULL);
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct store_progress_relay {
  icx_store *s;
  const char *doc_uri;
} store_progress_relay;

static void
store_relay_progress(void *ud, size_t done, size_t total)
{
  store_progress_relay *r = ud;

  r->s->progress(r->s->progress_ud, r->doc_uri, done, total);
}

icx_rc
icx_store_document_begin(icx_store *s, const char *doc_uri)
{
  icx_ctx *ctx;
  icx_diag diag;
  icx_rc rc = ICX_OK;

  if (!s || !doc_uri)
    return ICX_ERR_MISUSE;
  ctx = s->ctx;
  if (s->doc)
    return icx_fail(ctx, ICX_ERR_MISUSE, "a document is already being loaded into %s",
                    s->path);
  if (s->flags & ICX_STORE_READONLY)
    return icx_fail(ctx, ICX_ERR_MISUSE, "store %s is open read-only", s->path);
  if ((rc = icx_store_rdf(s)) != ICX_OK)
    return rc;
  if (strcmp(doc_uri, ICX_STORE_META_GRAPH) == 0)
    return icx_fail(ctx, ICX_ERR_MISUSE, "<%s> is reserved for bookkeeping", ICX_STORE_META_GRAPH);
  if (!(s->doc = icx_store_uri_node(s, doc_uri)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  /* The storage's failures come back in the message below: collected,
   * not printed a second time. */
  icx_diag_begin(ctx, &diag);
  if (librdf_model_transaction_start(s->model)) {
    librdf_free_node(s->doc);
    s->doc = NULL;
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot start a transaction on %s: %s", s->path,
                  icx_storage_errmsg(s->inst));
  } else if ((rc = store_log_begin(s, doc_uri))) {
    icx_store_document_abort(s);
  } else if (librdf_model_context_remove_statements(s->model, s->doc) ||
             store_remove_meta(s, doc_uri)) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot remove the earlier load of %s: %s",
                  doc_uri, icx_storage_errmsg(s->inst));
    icx_store_document_abort(s);
  }
  icx_diag_end(ctx);
  return icx_store_failed(s, rc);
}

librdf_node *
icx_store_document_node(icx_store *s)
{
  return s ? s->doc : NULL;
}

icx_rc
icx_store_document_commit(icx_store *s, const char *source, const char *format,
                          size_t triples)
{
  icx_ctx *ctx;
  const char *doc_uri;
  char when[32], num[32];
  icx_rc rc = ICX_OK;
  icx_diag diag;

  if (!s || !s->doc)
    return ICX_ERR_MISUSE;
  ctx = s->ctx;
  if (!source || !format) {   /* a failed commit rolls back, as promised */
    icx_store_document_abort(s);
    return icx_fail(ctx, ICX_ERR_MISUSE, "a document needs a source and a format");
  }
  doc_uri = (const char *)librdf_uri_as_string(librdf_node_get_uri(s->doc));
  if ((rc = icx_store_check_claims(s, source))) {
    icx_store_document_abort(s);
    return rc;
  }
  store_now_utc(when, sizeof when);
  snprintf(num, sizeof num, "%zu", triples);
  icx_diag_begin(ctx, &diag);
  if (store_add3(s, s->meta, icx_store_uri_node(s, doc_uri),
                 icx_store_uri_node(s, ICX_STORE_RDF_TYPE), icx_store_match_node(s, "Document")) ||
      store_add3(s, s->meta, icx_store_uri_node(s, doc_uri), icx_store_match_node(s, "source"),
                 store_literal(s, source, NULL)) ||
      store_add3(s, s->meta, icx_store_uri_node(s, doc_uri), icx_store_match_node(s, "format"),
                 store_literal(s, format, NULL)) ||
      store_add3(s, s->meta, icx_store_uri_node(s, doc_uri), icx_store_match_node(s, "loadedAt"),
                 store_literal(s, when, "dateTime")) ||
      store_add3(s, s->meta, icx_store_uri_node(s, doc_uri), icx_store_match_node(s, "triples"),
                 store_literal(s, num, "integer")) ||
      (s->doc_owner &&
       store_add3(s, s->meta, icx_store_uri_node(s, doc_uri), icx_store_match_node(s, "owner"),
                  store_literal(s, s->doc_owner, NULL)))) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot record document %s: %s", doc_uri,
                  icx_storage_errmsg(s->inst));
  } else if (store_log_change(s, doc_uri, ICX_SCHEMA_CHANGE_PUT)) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot log the change of document %s: %s", doc_uri,
                  icx_storage_errmsg(s->inst));
  } else if (librdf_model_transaction_commit(s->model)) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot commit document %s to %s: %s", doc_uri, s->path,
                  icx_storage_errmsg(s->inst));
  }
  icx_diag_end(ctx);
  if (rc) {
    icx_store_document_abort(s);
    return icx_store_failed(s, rc);
  }
  icx_log(ctx, ICX_LOG_INFO, "store", "stored %s (%zu triples)", doc_uri, triples);
  store_log_end(s);
  librdf_free_node(s->doc);
  s->doc = NULL;
  icx_free(s->ctx, s->doc_owner);
  s->doc_owner = NULL;
  return ICX_OK;
}

void
icx_store_document_abort(icx_store *s)
{
  if (!s || !s->doc)
    return;
  librdf_model_transaction_rollback(s->model);
  store_log_end(s);
  librdf_free_node(s->doc);
  s->doc = NULL;
  icx_free(s->ctx, s->doc_owner);
  s->doc_owner = NULL;
}

icx_rc
icx_store_document_set_owner(icx_store *s, const char *owner)
{
  char *copy = NULL;

  if (!s || !s->doc)
    return ICX_ERR_MISUSE;
  if (owner && !(copy = icx_strdup(s->ctx, owner)))
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  icx_free(s->ctx, s->doc_owner);
  s->doc_owner = copy;
  return ICX_OK;
}

/* Replaces the graph doc_uri by v[0..n-1] and records it, in one
 * transaction. */
static icx_rc
store_put_statements(icx_store *s, const char *doc_uri, const char *source, const char *format,
                     librdf_statement *const *v, size_t n)
{
  size_t count = 0;
  icx_rc rc;
  store_progress_relay relay = { s, doc_uri };

  if ((rc = icx_store_document_begin(s, doc_uri)))
    return rc;
  if (icx_storage_context_add_array(s->storage, s->doc, v, n, &count,
                                    s->progress ? store_relay_progress : NULL, &relay)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot write the triples of %s: %s", doc_uri,
                  icx_storage_errmsg(s->inst));
    icx_store_document_abort(s);
    return rc;
  }
  return icx_store_document_commit(s, source, format, count);
}

icx_rc
icx_store_put_statements(icx_store *s, const char *doc_uri, const char *source,
                         const char *format, librdf_statement *const *statements, size_t n)
{
  icx_rc rc;

  if (!s || !doc_uri || !source || !format || (n && !statements))
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((rc = icx_store_rdf(s)) != ICX_OK)
    return rc;
  return store_put_statements(s, doc_uri, source, format, statements, n);
}

icx_rc
icx_store_put_document(icx_store *s, const char *doc_uri, const char *source,
                       const char *format, librdf_model *graph)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  librdf_stream *st = NULL;
  librdf_statement **v = NULL;
  size_t n = 0, cap = 0, i;
  icx_rc rc = ICX_OK;

  if (!s || !doc_uri || !source || !format || !graph)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  st = librdf_model_as_stream(graph);
  if (!st)
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  /* Copies share the nodes (reference counts), so this costs little. */
  for (; !librdf_stream_end(st); librdf_stream_next(st)) {
    librdf_statement *x = librdf_stream_get_object(st);
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 256;
      librdf_statement **nv = icx_realloc(ctx, v, ncap * sizeof *nv);
      if (!nv) {
        rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
        goto done;
      }
      v = nv;
      cap = ncap;
    }
    if (!(v[n] = librdf_new_statement_from_statement(x))) {
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    n++;
  }
  rc = store_put_statements(s, doc_uri, source, format, v, n);
done:
  librdf_free_stream(st);
  for (i = 0; i < n; i++)
    librdf_free_statement(v[i]);
  icx_free(ctx, v);
  return rc;
}

icx_rc
icx_store_remove_document(icx_store *s, const char *doc_uri)
{
  librdf_node *ctxnode;
  icx_rc rc = ICX_OK;
  icx_diag diag;

  if (!s || !doc_uri)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if (s->flags & ICX_STORE_READONLY)
    return icx_fail(s->ctx, ICX_ERR_MISUSE, "store %s is open read-only", s->path);
  if ((rc = icx_store_rdf(s)) != ICX_OK)
    return rc;
  if (!icx_store_has_document(s, doc_uri)) {
    if (icx_storage_damaged(s->inst))
      return icx_store_failed(s, icx_fail(s->ctx, ICX_ERR_STORE, "cannot read %s: %s", s->path,
                                          icx_storage_errmsg(s->inst)));
    return icx_fail(s->ctx, ICX_ERR_NOT_FOUND, "no document %s in the store", doc_uri);
  }
  if (!(ctxnode = icx_store_uri_node(s, doc_uri)))
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  icx_diag_begin(s->ctx, &diag);
  if (librdf_model_transaction_start(s->model)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot start a transaction on %s: %s", s->path,
                  icx_storage_errmsg(s->inst));
  } else if ((rc = store_log_begin(s, doc_uri))) {
    librdf_model_transaction_rollback(s->model);
  } else if (librdf_model_context_remove_statements(s->model, ctxnode) ||
             store_remove_meta(s, doc_uri) ||
             store_log_change(s, doc_uri, ICX_SCHEMA_CHANGE_REMOVE)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot remove %s: %s", doc_uri,
                  icx_storage_errmsg(s->inst));
    librdf_model_transaction_rollback(s->model);
  } else if (librdf_model_transaction_commit(s->model)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot commit the removal of %s: %s", doc_uri,
                  icx_storage_errmsg(s->inst));
    librdf_model_transaction_rollback(s->model);
  }
  icx_diag_end(s->ctx);
  store_log_end(s);
  librdf_free_node(ctxnode);
  return icx_store_failed(s, rc);
}


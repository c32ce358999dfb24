/* icx_store.c - the persistent store, on icx's own librdf storage module
 * (icx_storage.c: SQLite, a term dictionary and indexed quads).
 *
 * Each document is a librdf context named by its URI; the bookkeeping graph
 * <urn:icx:meta> records every document (icxm:Document, source, format,
 * load time, triple count).  The store's format and version live in the
 * storage's icx_meta table.  Every change runs inside one storage
 * transaction and is rolled back on any failure.  The query path reaches
 * the triples through icx_store_model() (rasqal) or, for SQL, through the
 * storage's connection, cached here (icx_store_db(), icx_schema.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"   /* icx_storage_db() */
#include "icx_store.h"
#include "icx_util.h"

/* SQLite's page cache for a store opened read-only, MiB; $ICX_READ_CACHE_MB
 * (1 to 4096) overrides it.  Writable stores keep the storage's default. */
#define ICX_STORE_READ_CACHE_MB 16

#define META_GRAPH "urn:icx:meta"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define XSD "http://www.w3.org/2001/XMLSchema#"

struct icx_store {
  icx_ctx *ctx;
  char *path;
  int flags;
  librdf_storage *storage;
  sqlite3 *db;                /* the storage's connection (icx_schema.h) */
  librdf_model *model;
  librdf_node *meta;          /* the bookkeeping context */
  icx_store_progress_fn progress;
  void *progress_ud;
  librdf_node *doc;           /* the document being written, between
                                 icx_store_document_begin() and its end */
};

/* --- node helpers ------------------------------------------------------- */

static librdf_node *
uri_node(icx_store *s, const char *iri)
{
  return librdf_new_node_from_uri_string(icx_ctx_world(s->ctx), (const unsigned char *)iri);
}

static librdf_node *
term(icx_store *s, const char *local)
{
  char iri[128];

  snprintf(iri, sizeof iri, "%s%s", ICX_MATCH_NS, local);
  return uri_node(s, iri);
}

static librdf_node *
literal(icx_store *s, const char *value, const char *xsd_local)
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
  n = librdf_new_node_from_typed_literal(icx_ctx_world(s->ctx), (const unsigned char *)value, NULL, dt);
  if (dt)
    librdf_free_uri(dt);
  return n;
}

/* Adds (subj, pred, obj) to context; takes ownership of all three nodes
 * (NULL ones make it fail).  Returns 0 or -1. */
static int
add3(icx_store *s, librdf_node *context, librdf_node *subj, librdf_node *pred, librdf_node *obj)
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

/* The first object of (subj, pred) in the whole store, as a new string. */
static char *
get_one(icx_store *s, const char *subj_iri, librdf_node *pred_owned)
{
  librdf_node *subj = uri_node(s, subj_iri);
  librdf_node *obj = NULL;
  char *out = NULL;

  if (subj && pred_owned)
    obj = librdf_model_get_target(s->model, subj, pred_owned);
  if (obj) {
    if (librdf_node_is_literal(obj))
      out = icx_strdup((const char *)librdf_node_get_literal_value(obj));
    else if (librdf_node_is_resource(obj))
      out = icx_strdup((const char *)librdf_uri_as_string(librdf_node_get_uri(obj)));
    librdf_free_node(obj);
  }
  if (subj)
    librdf_free_node(subj);
  if (pred_owned)
    librdf_free_node(pred_owned);
  return out;
}

/* --- open / close --------------------------------------------------------- */

static int
mkdir_parents(const char *path)
{
  char *dup = strdup(path), *p;
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
  free(dup);
  return rc;
}

/* Why the file at path cannot be opened as a store: ICX_OK when it can
 * (*is_new set when a new store goes there), else the failure, with its
 * message set. */
static icx_rc
check_file(icx_ctx *ctx, const char *path, int *is_new)
{
  char version[64];

  *is_new = 0;
  switch (icx_storage_probe(path, version, sizeof version)) {
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
  case ICX_STORAGE_PROBE_VERSION:
    return icx_fail(ctx, ICX_ERR_STORE,
                    "store %s has format version %s; this icx reads version %s "
                    "(reload the documents into a new store)", path,
                    *version ? version : "(none)", ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_UNREADABLE:
    return icx_fail(ctx, ICX_ERR_IO, "cannot read store %s (locked, or an I/O error)", path);
  }
  return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store", path);
}

icx_rc
icx_store_open(icx_ctx *ctx, const char *path, int flags, icx_store **out)
{
  icx_store *s;
  struct stat sb;
  int exists, is_new = 0;
  char options[96];
  icx_rc rc = ICX_OK;
  icx_diag diag;

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
  if (exists && (rc = check_file(ctx, path, &is_new)))
    return rc;
  if (exists && is_new && !(flags & ICX_STORE_CREATE))
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (an empty file)", path);
  if (!exists && mkdir_parents(path) != 0)
    return icx_fail(ctx, ICX_ERR_IO, "cannot create the folder of store %s: %s", path,
                    strerror(errno));

  s = calloc(1, sizeof *s);
  if (!s || !(s->path = strdup(path))) {
    free(s);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  s->ctx = ctx;
  s->flags = flags;
  /* Loads want a large page cache.  A reader keeps its memory down with a
   * small one: at 1M clouds no cache holds the working set and the time is
   * the same; at 100k a 64 MiB one is about a fifth faster
   * (doc/performance.md). */
  if (flags & ICX_STORE_READONLY)
    snprintf(options, sizeof options, "new='%s',synchronous='normal',cache-mb='%ld'",
             !exists || is_new ? "yes" : "no",
             icx_parse_mib(getenv("ICX_READ_CACHE_MB"), ICX_STORE_READ_CACHE_MB));
  else
    snprintf(options, sizeof options, "new='%s',synchronous='normal'",
             !exists || is_new ? "yes" : "no");
  if (!icx_ctx_world(ctx) || icx_storage_register(icx_ctx_world(ctx))) {
    rc = icx_rdf_failure(ctx);
    goto fail;
  }
  icx_diag_begin(ctx, &diag);
  s->storage = librdf_new_storage(icx_ctx_world(ctx), ICX_STORAGE_NAME, path, options);
  icx_diag_end(ctx);
  if (!s->storage) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot open store %s%s%s", path,
                  diag.errors ? ": " : "", diag.errors ? diag.first : "");
    if (!exists)
      unlink(path);
    goto fail;
  }
  s->db = icx_storage_db(s->storage);
  s->model = librdf_new_model(icx_ctx_world(ctx), s->storage, NULL);
  s->meta = uri_node(s, META_GRAPH);
  if (!s->model || !s->meta) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  *out = s;
  return ICX_OK;
fail:
  icx_store_free(s);
  return rc;
}

void
icx_store_free(icx_store *s)
{
  if (!s)
    return;
  icx_store_document_abort(s);
  if (s->meta)
    librdf_free_node(s->meta);
  if (s->model)
    librdf_free_model(s->model);
  if (s->storage)
    librdf_free_storage(s->storage);
  free(s->path);
  free(s);
}

char *
icx_store_default_path(void)
{
  const char *env = getenv("ICX_STORE");
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  icx_buf b;

  if (env && *env)
    return strdup(env);
  icx_buf_init(&b);
  if (xdg && *xdg == '/')
    icx_buf_appendf(&b, "%s/icx/store.db", xdg);
  else if (home && *home)
    icx_buf_appendf(&b, "%s/.local/share/icx/store.db", home);
  else
    return NULL;
  return icx_buf_take(&b);
}

librdf_model *icx_store_model(icx_store *s) { return s->model; }
librdf_storage *icx_store_storage(icx_store *s) { return s ? s->storage : NULL; }
sqlite3 *icx_store_db(icx_store *s) { return s ? s->db : NULL; }

void
icx_store_set_progress(icx_store *s, icx_store_progress_fn fn, void *userdata)
{
  if (!s)
    return;
  s->progress = fn;
  s->progress_ud = fn ? userdata : NULL;
}
icx_ctx *icx_store_ctx(icx_store *s) { return s->ctx; }
const char *icx_store_path(const icx_store *s) { return s->path; }

/* --- documents -------------------------------------------------------------- */

/* Removes every bookkeeping statement about doc_uri.  0 or -1. */
static int
remove_meta(icx_store *s, const char *doc_uri)
{
  librdf_node *subj = uri_node(s, doc_uri);
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
      librdf_statement **nf = realloc(found, ncap * sizeof *nf);
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
  free(found);
  librdf_free_statement(pattern);
  return rc;
}

int
icx_store_has_document(icx_store *s, const char *doc_uri)
{
  librdf_node *subj = uri_node(s, doc_uri);
  librdf_node *pred = uri_node(s, RDF_TYPE);
  librdf_node *obj = term(s, "Document");
  librdf_statement *pattern;
  librdf_stream *st;
  int has = 0;

  if (!subj || !pred || !obj) {
    if (subj) librdf_free_node(subj);
    if (pred) librdf_free_node(pred);
    if (obj) librdf_free_node(obj);
    return 0;
  }
  /* contains_statement would find it in any graph: search the bookkeeping
   * graph only. */
  pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), subj, pred, obj);
  if (!pattern)
    return 0;
  st = librdf_model_find_statements_in_context(s->model, pattern, s->meta);
  if (st) {
    has = !librdf_stream_end(st);
    librdf_free_stream(st);
  }
  librdf_free_statement(pattern);
  return has;
}

static void
now_utc(char *buf, size_t n)
{
  time_t t = time(NULL);
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct progress_relay {
  icx_store *s;
  const char *doc_uri;
} progress_relay;

static void
relay_progress(void *ud, size_t done, size_t total)
{
  progress_relay *r = ud;

  r->s->progress(r->s->progress_ud, r->doc_uri, done, total);
}

icx_rc
icx_store_document_begin(icx_store *s, const char *doc_uri)
{
  icx_ctx *ctx;

  if (!s || !doc_uri)
    return ICX_ERR_MISUSE;
  ctx = s->ctx;
  if (s->doc)
    return icx_fail(ctx, ICX_ERR_MISUSE, "a document is already being loaded into %s",
                    s->path);
  if (s->flags & ICX_STORE_READONLY)
    return icx_fail(ctx, ICX_ERR_MISUSE, "store %s is open read-only", s->path);
  if (strcmp(doc_uri, META_GRAPH) == 0)
    return icx_fail(ctx, ICX_ERR_MISUSE, "<%s> is reserved for bookkeeping", META_GRAPH);
  if (!(s->doc = uri_node(s, doc_uri)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (librdf_model_transaction_start(s->model)) {
    librdf_free_node(s->doc);
    s->doc = NULL;
    return icx_fail(ctx, ICX_ERR_STORE, "cannot start a transaction on %s: %s", s->path,
                    icx_storage_errmsg(s->storage));
  }
  if (librdf_model_context_remove_statements(s->model, s->doc) || remove_meta(s, doc_uri)) {
    icx_rc rc = icx_fail(ctx, ICX_ERR_STORE, "cannot remove the earlier load of %s: %s",
                         doc_uri, icx_storage_errmsg(s->storage));
    icx_store_document_abort(s);
    return rc;
  }
  return ICX_OK;
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
  icx_rc rc;

  if (!s || !s->doc)
    return ICX_ERR_MISUSE;
  ctx = s->ctx;
  if (!source || !format) {   /* a failed commit rolls back, as promised */
    icx_store_document_abort(s);
    return icx_fail(ctx, ICX_ERR_MISUSE, "a document needs a source and a format");
  }
  doc_uri = (const char *)librdf_uri_as_string(librdf_node_get_uri(s->doc));
  now_utc(when, sizeof when);
  snprintf(num, sizeof num, "%zu", triples);
  if (add3(s, s->meta, uri_node(s, doc_uri), uri_node(s, RDF_TYPE), term(s, "Document")) ||
      add3(s, s->meta, uri_node(s, doc_uri), term(s, "source"), literal(s, source, NULL)) ||
      add3(s, s->meta, uri_node(s, doc_uri), term(s, "format"), literal(s, format, NULL)) ||
      add3(s, s->meta, uri_node(s, doc_uri), term(s, "loadedAt"), literal(s, when, "dateTime")) ||
      add3(s, s->meta, uri_node(s, doc_uri), term(s, "triples"), literal(s, num, "integer"))) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot record document %s", doc_uri);
    icx_store_document_abort(s);
    return rc;
  }
  if (librdf_model_transaction_commit(s->model)) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot commit document %s to %s: %s", doc_uri, s->path,
                  icx_storage_errmsg(s->storage));
    icx_store_document_abort(s);
    return rc;
  }
  icx_log(ctx, ICX_LOG_INFO, "store", "stored %s (%zu triples)", doc_uri, triples);
  librdf_free_node(s->doc);
  s->doc = NULL;
  return ICX_OK;
}

void
icx_store_document_abort(icx_store *s)
{
  if (!s || !s->doc)
    return;
  librdf_model_transaction_rollback(s->model);
  librdf_free_node(s->doc);
  s->doc = NULL;
}

/* Replaces the graph doc_uri by v[0..n-1] and records it, in one
 * transaction. */
static icx_rc
put_statements(icx_store *s, const char *doc_uri, const char *source, const char *format,
               librdf_statement *const *v, size_t n)
{
  size_t count = 0;
  icx_rc rc;
  progress_relay relay = { s, doc_uri };

  if ((rc = icx_store_document_begin(s, doc_uri)))
    return rc;
  if (icx_storage_context_add_array(s->storage, s->doc, v, n, &count,
                                    s->progress ? relay_progress : NULL, &relay)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot write the triples of %s: %s", doc_uri,
                  icx_storage_errmsg(s->storage));
    icx_store_document_abort(s);
    return rc;
  }
  return icx_store_document_commit(s, source, format, count);
}

icx_rc
icx_store_put_statements(icx_store *s, const char *doc_uri, const char *source,
                         const char *format, librdf_statement *const *statements, size_t n)
{
  if (!s || !doc_uri || !source || !format || (n && !statements))
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  return put_statements(s, doc_uri, source, format, statements, n);
}

icx_rc
icx_store_put_document(icx_store *s, const char *doc_uri, const char *source,
                       const char *format, librdf_model *graph)
{
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
      librdf_statement **nv = realloc(v, ncap * sizeof *nv);
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
  rc = put_statements(s, doc_uri, source, format, v, n);
done:
  librdf_free_stream(st);
  for (i = 0; i < n; i++)
    librdf_free_statement(v[i]);
  free(v);
  return rc;
}

icx_rc
icx_store_remove_document(icx_store *s, const char *doc_uri)
{
  librdf_node *ctxnode;
  icx_rc rc = ICX_OK;

  if (!s || !doc_uri)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if (s->flags & ICX_STORE_READONLY)
    return icx_fail(s->ctx, ICX_ERR_MISUSE, "store %s is open read-only", s->path);
  if (!icx_store_has_document(s, doc_uri))
    return icx_fail(s->ctx, ICX_ERR_NOT_FOUND, "no document %s in the store", doc_uri);
  if (!(ctxnode = uri_node(s, doc_uri)))
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  if (librdf_model_transaction_start(s->model)) {
    librdf_free_node(ctxnode);
    return icx_fail(s->ctx, ICX_ERR_STORE, "cannot start a transaction on %s", s->path);
  }
  if (librdf_model_context_remove_statements(s->model, ctxnode) || remove_meta(s, doc_uri)) {
    librdf_model_transaction_rollback(s->model);
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot remove %s", doc_uri);
  } else if (librdf_model_transaction_commit(s->model)) {
    librdf_model_transaction_rollback(s->model);
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot commit the removal of %s", doc_uri);
  }
  librdf_free_node(ctxnode);
  return rc;
}

/* --- listing --------------------------------------------------------------- */

/* Subjects of (?, p, o) in context (NULL: whole store); p and o borrowed. */
static int
collect_subjects(icx_store *s, librdf_node *context, librdf_node *p, librdf_node *o,
                 char ***out, size_t *n)
{
  librdf_statement *pattern;
  librdf_stream *st;
  char **v = NULL;
  size_t cnt = 0;
  int rc = 0;

  *out = NULL;
  *n = 0;
  pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), NULL,
                                            librdf_new_node_from_node(p),
                                            librdf_new_node_from_node(o));
  if (!pattern)
    return -1;
  st = context ? librdf_model_find_statements_in_context(s->model, pattern, context)
               : librdf_model_find_statements(s->model, pattern);
  if (!st) {
    librdf_free_statement(pattern);
    return -1;
  }
  for (; !librdf_stream_end(st); librdf_stream_next(st)) {
    librdf_node *subj = librdf_statement_get_subject(librdf_stream_get_object(st));
    const char *id;
    char **nv;
    if (librdf_node_is_resource(subj))
      id = (const char *)librdf_uri_as_string(librdf_node_get_uri(subj));
    else
      id = (const char *)librdf_node_get_blank_identifier(subj);
    nv = realloc(v, (cnt + 1) * sizeof *v);
    if (!nv || !(nv[cnt] = strdup(id ? id : ""))) {
      if (nv)
        v = nv;
      rc = -1;
      break;
    }
    v = nv;
    cnt++;
  }
  librdf_free_stream(st);
  librdf_free_statement(pattern);
  if (rc) {
    while (cnt)
      free(v[--cnt]);
    free(v);
    return -1;
  }
  if (cnt > 1) {
    size_t i, o2 = 1;
    qsort(v, cnt, sizeof *v, icx_cmp_strp);
    for (i = 1; i < cnt; i++) {
      if (strcmp(v[i], v[o2 - 1]) == 0)
        free(v[i]);
      else
        v[o2++] = v[i];
    }
    cnt = o2;
  }
  *out = v;
  *n = cnt;
  return 0;
}

static void
free_strv(char **v, size_t n)
{
  size_t i;

  if (!v)
    return;
  for (i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void
icx_doc_info_free_array(icx_doc_info *docs, size_t n)
{
  size_t i;

  if (!docs)
    return;
  for (i = 0; i < n; i++) {
    free(docs[i].uri);
    free(docs[i].source);
    free(docs[i].format);
    free(docs[i].loaded_at);
    free_strv(docs[i].clouds, docs[i].n_clouds);
  }
  free(docs);
}

/* Appends the names of things typed cls in context to *names. */
static int
names_of_type(icx_store *s, librdf_node *context, librdf_node *name_p, const char *cls,
              char ***names, size_t *k)
{
  librdf_statement *pattern;
  librdf_stream *st;
  int rc = 0;

  pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), NULL, uri_node(s, RDF_TYPE),
                                            uri_node(s, cls));
  if (!pattern)
    return -1;
  st = librdf_model_find_statements_in_context(s->model, pattern, context);
  librdf_free_statement(pattern);
  if (!st)
    return -1;
  for (; !librdf_stream_end(st) && !rc; librdf_stream_next(st)) {
    librdf_node *subj = librdf_statement_get_subject(librdf_stream_get_object(st));
    librdf_node *name = librdf_model_get_target(s->model, subj, name_p);
    if (!name)
      continue;
    if (librdf_node_is_literal(name)) {
      char **nv = realloc(*names, (*k + 1) * sizeof *nv);
      if (nv)
        *names = nv;
      if (!nv || !(nv[*k] = icx_strdup((const char *)librdf_node_get_literal_value(name))))
        rc = -1;
      else
        (*k)++;
    }
    librdf_free_node(name);
  }
  librdf_free_stream(st);
  return rc;
}

/* Names of the clouds described in the graph of doc_uri (things typed with
 * the cloud class or a subclass of it), sorted and unique. */
static int
doc_clouds(icx_store *s, const icx_vocab *vocab, const char *doc_uri, char ***out, size_t *n)
{
  librdf_node *context = NULL, *name_p = NULL;
  const char *const *classes;
  char **names = NULL;
  size_t k = 0, i;
  int rc = -1;

  *out = NULL;
  *n = 0;
  if (!vocab)
    return 0;
  classes = icx_vocab_subclasses(vocab, icx_vocab_cloud_class(vocab));
  context = uri_node(s, doc_uri);
  name_p = uri_node(s, icx_vocab_name_property(vocab));
  if (!classes || !context || !name_p)
    goto done;
  for (i = 0; classes[i]; i++)
    if (names_of_type(s, context, name_p, classes[i], &names, &k))
      goto done;
  if (k > 1) {
    size_t o = 1;
    qsort(names, k, sizeof *names, icx_cmp_strp);
    for (i = 1; i < k; i++) {
      if (strcmp(names[i], names[o - 1]) == 0)
        free(names[i]);
      else
        names[o++] = names[i];
    }
    k = o;
  }
  *out = names;
  *n = k;
  names = NULL;
  rc = 0;
done:
  free_strv(names, k);
  if (context) librdf_free_node(context);
  if (name_p) librdf_free_node(name_p);
  return rc;
}

static icx_rc
list_documents(icx_store *s, const icx_vocab *vocab, icx_doc_info **docs, size_t *n)
{
  librdf_node *type = uri_node(s, RDF_TYPE), *doc = term(s, "Document");
  char **uris = NULL;
  size_t n_uris = 0, i;
  icx_doc_info *d = NULL;
  icx_rc rc = ICX_OK;

  *docs = NULL;
  *n = 0;
  if (!type || !doc || collect_subjects(s, s->meta, type, doc, &uris, &n_uris)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot list documents of %s", s->path);
    goto done;
  }
  d = calloc(n_uris ? n_uris : 1, sizeof *d);
  if (!d) {
    rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < n_uris; i++) {
    char *triples;
    d[i].uri = uris[i];
    uris[i] = NULL;
    d[i].source = get_one(s, d[i].uri, term(s, "source"));
    d[i].format = get_one(s, d[i].uri, term(s, "format"));
    d[i].loaded_at = get_one(s, d[i].uri, term(s, "loadedAt"));
    triples = get_one(s, d[i].uri, term(s, "triples"));
    d[i].triples = triples ? strtol(triples, NULL, 10) : 0;
    free(triples);
    if (doc_clouds(s, vocab, d[i].uri, &d[i].clouds, &d[i].n_clouds)) {
      icx_doc_info_free_array(d, i + 1);
      d = NULL;
      rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot read document %s", uris[i] ? uris[i] : "");
      goto done;
    }
  }
  *docs = d;
  *n = n_uris;
done:
  free_strv(uris, n_uris);
  if (type) librdf_free_node(type);
  if (doc) librdf_free_node(doc);
  return rc;
}

icx_rc
icx_store_list_documents(icx_store *s, const icx_vocab *vocab, icx_doc_info **docs, size_t *n)
{
  if (!s || !docs || !n)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  return list_documents(s, vocab, docs, n);
}

icx_rc
icx_store_stats_get(icx_store *s, const icx_vocab *vocab, icx_store_stats *stats)
{
  icx_doc_info *docs = NULL;
  size_t n = 0, i;
  icx_rc rc;
  librdf_node *offers;
  char **subjects = NULL;
  size_t n_subjects = 0;
  librdf_statement *pattern;
  librdf_stream *st;

  if (!s || !vocab || !stats)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  memset(stats, 0, sizeof *stats);
  if ((rc = list_documents(s, vocab, &docs, &n)))
    return rc;
  stats->documents = (long)n;
  for (i = 0; i < n; i++) {
    stats->triples += docs[i].triples;
    stats->clouds += (long)docs[i].n_clouds;
  }
  icx_doc_info_free_array(docs, n);
  /* Services: distinct objects of the offers property. */
  offers = uri_node(s, icx_vocab_offers_property(vocab));
  pattern = offers ? librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), NULL, offers, NULL) : NULL;
  if (!pattern)
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  st = librdf_model_find_statements(s->model, pattern);
  if (!st) {
    librdf_free_statement(pattern);
    return icx_fail(s->ctx, ICX_ERR_STORE, "cannot count services in %s", s->path);
  }
  for (; !librdf_stream_end(st); librdf_stream_next(st)) {
    librdf_node *o = librdf_statement_get_object(librdf_stream_get_object(st));
    const char *id = librdf_node_is_resource(o)
      ? (const char *)librdf_uri_as_string(librdf_node_get_uri(o))
      : (const char *)librdf_node_get_blank_identifier(o);
    char **nv = realloc(subjects, (n_subjects + 1) * sizeof *nv);
    if (!nv || !(nv[n_subjects] = strdup(id ? id : ""))) {
      if (nv)
        subjects = nv;
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
    subjects = nv;
    n_subjects++;
  }
  librdf_free_stream(st);
  librdf_free_statement(pattern);
  if (!rc && n_subjects) {
    stats->services = 1;
    qsort(subjects, n_subjects, sizeof *subjects, icx_cmp_strp);
    for (i = 1; i < n_subjects; i++)
      if (strcmp(subjects[i], subjects[i - 1]) != 0)
        stats->services++;
  }
  free_strv(subjects, n_subjects);
  return rc;
}

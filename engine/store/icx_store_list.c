/* icx_store_list.c - reading a store's bookkeeping: the loaded documents
 * with the clouds each describes, whether one is loaded, and the store's
 * counts (documents, clouds, services, triples).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"
#include "icx_storage.h"
#include "icx_store_internal.h"
#include "icx_util.h"

/* The first object of (subj, pred) in the bookkeeping graph, as a new
 * string (what a document's own graph says of its IRI is not read, and
 * the bookkeeping is hidden from reads that name no graph). */
static char *
store_get_one(icx_store *s, const char *subj_iri, librdf_node *pred_owned)
{
  librdf_node *subj = icx_store_uri_node(s, subj_iri);
  librdf_statement *pattern = NULL;
  librdf_stream *st = NULL;
  char *out = NULL;

  if (subj && pred_owned) {
    pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), subj, pred_owned, NULL);
    subj = pred_owned = NULL;   /* the pattern owns them, or freed them */
  }
  if (pattern)
    st = librdf_model_find_statements_in_context(s->model, pattern, s->meta);
  if (st && !librdf_stream_end(st)) {
    librdf_node *obj = librdf_statement_get_object(librdf_stream_get_object(st));
    if (librdf_node_is_literal(obj))
      out = icx_strdup(NULL, (const char *)librdf_node_get_literal_value(obj));
    else if (librdf_node_is_resource(obj))
      out = icx_strdup(NULL, (const char *)librdf_uri_as_string(librdf_node_get_uri(obj)));
  }
  if (st)
    librdf_free_stream(st);
  if (pattern)
    librdf_free_statement(pattern);
  if (subj)
    librdf_free_node(subj);
  if (pred_owned)
    librdf_free_node(pred_owned);
  return out;
}

/* --- is it loaded ---------------------------------------------------------- */

static int
store_has_document(icx_store *s, const char *doc_uri)
{
  librdf_node *subj = icx_store_uri_node(s, doc_uri);
  librdf_node *pred = icx_store_uri_node(s, ICX_STORE_RDF_TYPE);
  librdf_node *obj = icx_store_match_node(s, "Document");
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

int
icx_store_has_document(icx_store *s, const char *doc_uri)
{
  return s && icx_store_rdf(s) == ICX_OK && store_has_document(s, doc_uri);
}

/* The owner the bookkeeping graph records for doc_uri (never what a
 * document's own graph says about its IRI).  0, or -1 on ENOMEM or a store
 * error. */
static int
store_meta_owner(icx_store *s, const char *doc_uri, char **owner)
{
  librdf_statement *pattern;
  librdf_stream *st;
  int rc = 0;

  pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), icx_store_uri_node(s, doc_uri),
                                            icx_store_match_node(s, "owner"), NULL);
  if (!pattern)
    return -1;
  st = librdf_model_find_statements_in_context(s->model, pattern, s->meta);
  if (!st)
    rc = -1;
  else if (!librdf_stream_end(st)) {
    librdf_node *o = librdf_statement_get_object(librdf_stream_get_object(st));
    if (librdf_node_is_literal(o) &&
        !(*owner = strdup((const char *)librdf_node_get_literal_value(o))))
      rc = -1;
  }
  if (st)
    librdf_free_stream(st);
  librdf_free_statement(pattern);
  return rc;
}

icx_rc
icx_store_document_owner(icx_store *s, const char *doc_uri, char **owner)
{
  if (!s || !doc_uri || !owner)
    return ICX_ERR_MISUSE;
  *owner = NULL;
  icx_clear_error(s->ctx);
  if (!icx_store_has_document(s, doc_uri))
    return ICX_ERR_NOT_FOUND;
  if (store_meta_owner(s, doc_uri, owner))
    return icx_fail(s->ctx, ICX_ERR_STORE, "cannot read the owner of %s", doc_uri);
  return ICX_OK;
}

/* --- listing --------------------------------------------------------------- */

/* Subjects of (?, p, o) in context (NULL: whole store); p and o borrowed. */
static int
store_collect_subjects(icx_store *s, librdf_node *context, librdf_node *p, librdf_node *o,
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
store_free_strv(char **v, size_t n)
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
    free(docs[i].owner);
    store_free_strv(docs[i].clouds, docs[i].n_clouds);
  }
  free(docs);
}

/* Appends the names of things typed cls in context to *names. */
static int
store_names_of_type(icx_store *s, librdf_node *context, librdf_node *name_p, const char *cls,
                    char ***names, size_t *k)
{
  librdf_statement *pattern;
  librdf_stream *st;
  int rc = 0;

  pattern = librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), NULL,
                                            icx_store_uri_node(s, ICX_STORE_RDF_TYPE),
                                            icx_store_uri_node(s, cls));
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
      if (!nv || !(nv[*k] = icx_strdup(NULL, (const char *)librdf_node_get_literal_value(name))))
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
store_doc_clouds(icx_store *s, const icx_vocab *vocab, const char *doc_uri, char ***out, size_t *n)
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
  context = icx_store_uri_node(s, doc_uri);
  name_p = icx_store_uri_node(s, icx_vocab_name_property(vocab));
  if (!classes || !context || !name_p)
    goto done;
  for (i = 0; classes[i]; i++)
    if (store_names_of_type(s, context, name_p, classes[i], &names, &k))
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
  store_free_strv(names, k);
  if (context) librdf_free_node(context);
  if (name_p) librdf_free_node(name_p);
  return rc;
}

/* Fills what d (its uri set) says of its document.  0, or -1. */
static int
store_fill_info(icx_store *s, const icx_vocab *vocab, icx_doc_info *d)
{
  char *triples;

  d->source = store_get_one(s, d->uri, icx_store_match_node(s, "source"));
  d->format = store_get_one(s, d->uri, icx_store_match_node(s, "format"));
  d->loaded_at = store_get_one(s, d->uri, icx_store_match_node(s, "loadedAt"));
  if (store_meta_owner(s, d->uri, &d->owner))
    return -1;
  triples = store_get_one(s, d->uri, icx_store_match_node(s, "triples"));
  d->triples = triples ? strtol(triples, NULL, 10) : 0;
  free(triples);
  return store_doc_clouds(s, vocab, d->uri, &d->clouds, &d->n_clouds);
}

icx_rc
icx_store_get_document(icx_store *s, const icx_vocab *vocab, const char *doc_uri,
                       icx_doc_info **doc)
{
  icx_doc_info *d;

  if (!s || !doc_uri || !doc)
    return ICX_ERR_MISUSE;
  *doc = NULL;
  icx_clear_error(s->ctx);
  if (!icx_store_has_document(s, doc_uri))
    return icx_fail(s->ctx, ICX_ERR_NOT_FOUND, "no document %s in the store", doc_uri);
  if (!(d = calloc(1, sizeof *d)) || !(d->uri = strdup(doc_uri))) {
    free(d);
    return icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  if (store_fill_info(s, vocab, d)) {
    icx_doc_info_free_array(d, 1);
    return icx_fail(s->ctx, ICX_ERR_STORE, "cannot read document %s", doc_uri);
  }
  *doc = d;
  return ICX_OK;
}

static icx_rc
store_list_documents(icx_store *s, const icx_vocab *vocab, icx_doc_info **docs, size_t *n)
{
  librdf_node *type = icx_store_uri_node(s, ICX_STORE_RDF_TYPE);
  librdf_node *doc = icx_store_match_node(s, "Document");
  char **uris = NULL;
  size_t n_uris = 0, i;
  icx_doc_info *d = NULL;
  icx_rc rc = ICX_OK;

  *docs = NULL;
  *n = 0;
  if (!type || !doc || store_collect_subjects(s, s->meta, type, doc, &uris, &n_uris)) {
    rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot list documents of %s", s->path);
    goto done;
  }
  d = calloc(n_uris ? n_uris : 1, sizeof *d);
  if (!d) {
    rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < n_uris; i++) {
    d[i].uri = uris[i];
    uris[i] = NULL;
    if (store_fill_info(s, vocab, &d[i])) {
      rc = icx_fail(s->ctx, ICX_ERR_STORE, "cannot read document %s", d[i].uri);
      icx_doc_info_free_array(d, i + 1);
      d = NULL;
      goto done;
    }
  }
  *docs = d;
  *n = n_uris;
done:
  store_free_strv(uris, n_uris);
  if (type) librdf_free_node(type);
  if (doc) librdf_free_node(doc);
  return rc;
}

/* librdf's streams end quietly on a read error: a damaged file would
 * read as a smaller store.  ICX_ERR_DAMAGED when the storage found it
 * corrupt, else rc. */
static icx_rc
store_read_result(icx_store *s, icx_rc rc)
{
  if (!icx_storage_damaged(s->inst))
    return rc;
  return icx_store_failed(s, rc ? rc : icx_fail(s->ctx, ICX_ERR_STORE, "cannot read %s: %s",
                                                s->path, icx_storage_errmsg(s->inst)));
}

icx_rc
icx_store_list_documents(icx_store *s, const icx_vocab *vocab, icx_doc_info **docs, size_t *n)
{
  icx_rc rc;

  if (!s || !docs || !n)
    return ICX_ERR_MISUSE;
  icx_clear_error(s->ctx);
  if ((rc = icx_store_rdf(s)) != ICX_OK)
    return rc;
  rc = store_read_result(s, store_list_documents(s, vocab, docs, n));
  if (rc && *docs) {
    icx_doc_info_free_array(*docs, *n);
    *docs = NULL;
    *n = 0;
  }
  return rc;
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
  if ((rc = icx_store_rdf(s)) != ICX_OK)
    return rc;
  if ((rc = store_list_documents(s, vocab, &docs, &n)))
    return store_read_result(s, rc);
  stats->documents = (long)n;
  for (i = 0; i < n; i++) {
    stats->triples += docs[i].triples;
    stats->clouds += (long)docs[i].n_clouds;
  }
  icx_doc_info_free_array(docs, n);
  /* Services: distinct objects of the offers property. */
  offers = icx_store_uri_node(s, icx_vocab_offers_property(vocab));
  pattern = offers ? librdf_new_statement_from_nodes(icx_ctx_world(s->ctx), NULL, offers, NULL)
                   : NULL;
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
  store_free_strv(subjects, n_subjects);
  return store_read_result(s, rc);
}


/* --- owners ---------------------------------------------------------------- */

/* The owners the bookkeeping graph records: ?1 the owner property, ?2 the
 * bookkeeping graph.  The postings by object give the owner quads by
 * predicate. */
#define STORE_OWNERS_SQL \
  "SELECT DISTINCT t.lex FROM " ICX_SCHEMA_POS_VTAB " q JOIN terms t ON t.id = q.o " \
  "WHERE q.p = ?1 AND q.g = ?2 AND t.kind = 3 ORDER BY t.lex"
/* The owner of the document naming a cloud ?3 (by the text of the name
 * property ?4): the name's term first (term_rows_key: a literal has no
 * namespace), its quads by (p, o) (the postings by object), the
 * document's owner by its primary key. */
#define STORE_CLOUD_OWNER_SQL \
  "SELECT tw.lex FROM term_rows t CROSS JOIN " ICX_SCHEMA_POS_VTAB " q" \
  " ON q.p = ?4 AND q.o = t.id " \
  "JOIN quads qo ON qo.s = q.g AND qo.p = ?1 AND qo.g = ?2 " \
  "JOIN terms tw ON tw.id = qo.o " \
  "WHERE t.local = ?3 AND t.ns = 0 AND t.kind = 3 AND q.g <> ?2 LIMIT 1"

/* Prepares sql with ?1 (the owner property) and ?2 (the bookkeeping
 * graph) bound.  ICX_OK with *st set, or *st NULL and ICX_OK when the
 * store has no owner at all (the property was never written). */
static icx_rc
store_owner_stmt(icx_store *s, const char *sql, sqlite3_stmt **st)
{
  icx_id owner_p = icx_storage_iri_id(s->inst, ICX_MATCH_NS "owner");
  icx_id meta = icx_storage_iri_id(s->inst, ICX_STORE_META_GRAPH);
  sqlite3 *db = icx_store_db(s);

  *st = NULL;
  if (owner_p < 0 || meta < 0 || !db)
    return icx_fail(s->ctx, ICX_ERR_STORE, "cannot read the owners in %s: %s", s->path,
                    icx_storage_errmsg(s->inst));
  if (owner_p == 0 || meta == 0)
    return ICX_OK;
  if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
    icx_rc rc = icx_fail(s->ctx, icx_schema_damage(sqlite3_errcode(db)) ? ICX_ERR_DAMAGED
                                                                         : ICX_ERR_STORE,
                         "cannot read the owners in %s: %s", s->path, sqlite3_errmsg(db));
    *st = NULL;
    return rc;
  }
  sqlite3_bind_int64(*st, 1, owner_p);
  sqlite3_bind_int64(*st, 2, meta);
  return ICX_OK;
}

static icx_rc
store_owner_step_error(icx_store *s, int step)
{
  sqlite3 *db = icx_store_db(s);

  return icx_fail(s->ctx, icx_schema_damage(step) ? ICX_ERR_DAMAGED : ICX_ERR_STORE,
                  "cannot read the owners in %s: %s", s->path, sqlite3_errmsg(db));
}

icx_rc
icx_store_list_owners(icx_store *s, char ***owners, size_t *n)
{
  sqlite3_stmt *st = NULL;
  char **v = NULL;
  size_t len = 0;
  icx_rc rc;
  int step;

  if (!s || !owners || !n)
    return ICX_ERR_MISUSE;
  *owners = NULL;
  *n = 0;
  icx_clear_error(s->ctx);
  if ((rc = store_owner_stmt(s, STORE_OWNERS_SQL, &st)) != ICX_OK || !st)
    return rc;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *lex = (const char *)sqlite3_column_text(st, 0);
    char **grown = realloc(v, (len + 1) * sizeof *grown);
    if (grown)
      v = grown;
    if (!lex || !grown || !(v[len] = strdup(lex))) {
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
    len++;
  }
  if (rc == ICX_OK && step != SQLITE_DONE)
    rc = store_owner_step_error(s, step);
  sqlite3_finalize(st);
  if (rc != ICX_OK) {
    store_free_strv(v, len);
    return rc;
  }
  *owners = v;
  *n = len;
  return ICX_OK;
}

void
icx_store_free_owners(char **owners, size_t n)
{
  store_free_strv(owners, n);
}

icx_rc
icx_store_cloud_owner(icx_store *s, const icx_vocab *vocab, const char *cloud, char **owner)
{
  const char *name_iri = vocab ? icx_vocab_name_property(vocab) : NULL;
  sqlite3_stmt *st = NULL;
  icx_id name_p;
  icx_rc rc;
  int step;

  if (!s || !vocab || !cloud || !owner)
    return ICX_ERR_MISUSE;
  *owner = NULL;
  icx_clear_error(s->ctx);
  if (!name_iri)
    return ICX_OK;
  name_p = icx_storage_iri_id(s->inst, name_iri);
  if (name_p < 0)
    return icx_fail(s->ctx, ICX_ERR_STORE, "cannot read the owners in %s: %s", s->path,
                    icx_storage_errmsg(s->inst));
  if (name_p == 0)
    return ICX_OK;
  if ((rc = store_owner_stmt(s, STORE_CLOUD_OWNER_SQL, &st)) != ICX_OK || !st)
    return rc;
  sqlite3_bind_text(st, 3, cloud, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, name_p);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    const char *lex = (const char *)sqlite3_column_text(st, 0);
    if (!lex || !(*owner = strdup(lex)))
      rc = icx_fail(s->ctx, ICX_ERR_NOMEM, "out of memory");
  } else if (step != SQLITE_DONE) {
    rc = store_owner_step_error(s, step);
  }
  sqlite3_finalize(st);
  return rc;
}

/* icx_store_docs.c - writing a store's documents: replacing one
 * document's graph in one transaction (in steps, icx_store_document_*, or
 * at once from a model or an array of statements), removing one, and the
 * bookkeeping graph <urn:icx:meta> that records each.
 *
 * Every change runs inside one storage transaction and is rolled back on
 * any failure.  Before a document commits, its clouds are checked against
 * the other documents' (icx_store_set_name_property()): a name or a named
 * subject belongs to one document.
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

/* --- clouds' names ----------------------------------------------------------
 *
 * Read straight from the tables inside the document's transaction, by
 * index: the document's quads through its subjects (graph_subjects) and
 * the primary key, a name's other holders
 * through terms_key (lex) and quads_pos (p, o), a subject's other graphs
 * through the primary key (s, p, ...).  Blank nodes are the loader's own
 * per document, so they never meet another document's. */

/* The document's names, with their subjects. */
#define CLAIM_NAMES_SQL \
  "SELECT q.s, t.lex FROM graph_subjects x CROSS JOIN quads q ON q.s = x.s AND q.p = ?2" \
  " AND q.g = x.g JOIN terms t ON t.id = q.o WHERE x.g = ?1"
/* A document other than ?1 (and the bookkeeping graph ?4) giving the name
 * ?3, as text.  CROSS JOIN keeps the terms first: without statistics the
 * planner would rather read every name quad (quads_pos by p alone) and
 * look each one's text up, a scan of all the store's clouds per name. */
#define CLAIM_NAME_ELSEWHERE_SQL \
  "SELECT q.g FROM terms t CROSS JOIN quads q ON q.p = ?2 AND q.o = t.id " \
  "WHERE t.lex = ?3 AND q.g <> ?1 AND q.g <> ?4 LIMIT 1"
/* Another subject of the document giving the name ?3, as text (a subject
 * other than ?5), the same way: by quads_pos (the unary + keeps g a
 * check on the rows found, whatever the planner would make of it). */
#define CLAIM_NAME_TWICE_SQL \
  "SELECT q.s FROM terms t CROSS JOIN quads q ON q.p = ?2 AND q.o = t.id " \
  "WHERE t.lex = ?3 AND +q.g = ?1 AND q.s <> ?5 LIMIT 1"
/* The document's subjects, each once. */
#define CLAIM_SUBJECTS_SQL "SELECT s FROM graph_subjects WHERE g = ?1"
/* Another document naming subject ?3. */
#define CLAIM_NAMED_ELSEWHERE_SQL \
  "SELECT g FROM quads WHERE s = ?3 AND p = ?2 AND g <> ?1 AND g <> ?4 LIMIT 1"
/* Whether the document names subject ?3. */
#define CLAIM_NAMED_HERE_SQL "SELECT 1 FROM quads WHERE s = ?3 AND p = ?2 AND g = ?1 LIMIT 1"
/* Another document saying anything of subject ?3. */
#define CLAIM_SAID_ELSEWHERE_SQL \
  "SELECT g FROM quads WHERE s = ?3 AND g <> ?1 AND g <> ?4 LIMIT 1"
/* The first graph after ?3 that lists a subject: one seek. */
#define CLAIM_NEXT_GRAPH_SQL "SELECT min(g) FROM graph_subjects WHERE g > ?3"

enum { CLAIM_NAMES, CLAIM_NAME_ELSEWHERE, CLAIM_NAME_TWICE, CLAIM_SUBJECTS,
       CLAIM_NAMED_ELSEWHERE, CLAIM_NAMED_HERE, CLAIM_SAID_ELSEWHERE, CLAIM_NEXT_GRAPH,
       CLAIM_N };

typedef struct store_claims {
  icx_store *s;
  const char *source;
  sqlite3 *db;
  sqlite3_stmt *q[CLAIM_N];
  icx_id g, name, meta;
  int alone;                  /* no other document has a subject: nothing
                                 can be found elsewhere */
} store_claims;

/* Binds the ids every statement may use. */
static sqlite3_stmt *
store_claim_stmt(store_claims *c, int which)
{
  sqlite3_stmt *st = c->q[which];
  int i, n = sqlite3_bind_parameter_count(st);

  sqlite3_reset(st);
  for (i = 1; i <= n; i++) {
    const char *name = sqlite3_bind_parameter_name(st, i);
    if (!name)
      continue;
    if (!strcmp(name, "?1"))
      sqlite3_bind_int64(st, i, c->g);
    else if (!strcmp(name, "?2"))
      sqlite3_bind_int64(st, i, c->name);
    else if (!strcmp(name, "?4"))
      sqlite3_bind_int64(st, i, c->meta);
  }
  return st;
}

static icx_rc
store_claim_sql_error(store_claims *c)
{
  return icx_fail(c->s->ctx, ICX_ERR_STORE, "%s: cannot check its clouds: %s", c->source,
                  sqlite3_errmsg(c->db));
}

/* Runs st (bound) for one row: 1 and *id set (column 0), 0 for none, -1 on
 * an error. */
static int
store_claim_one(sqlite3_stmt *st, icx_id *id)
{
  int rc = sqlite3_step(st);

  if (rc == SQLITE_ROW) {
    *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 1;
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* The text of a term for a message ("<iri>", "_:id"), as a new string. */
static char *
store_claim_text(store_claims *c, icx_id id)
{
  char *t = id > 0 ? icx_storage_term_text(c->s->inst, id) : NULL;

  return t ? t : strdup("(a graph without a name)");   /* free()d: as the storage's */
}

/* The failure for subject (or name, when subj is 0) also held by other. */
static icx_rc
store_claim_refuse(store_claims *c, icx_id subj, const char *name, icx_id other)
{
  char *what = subj ? store_claim_text(c, subj) : NULL;
  char *doc = store_claim_text(c, other);
  icx_rc rc;

  if (subj && !what)
    rc = icx_fail(c->s->ctx, ICX_ERR_NOMEM, "out of memory");
  else if (!doc)
    rc = icx_fail(c->s->ctx, ICX_ERR_NOMEM, "out of memory");
  else if (name)
    rc = icx_fail(c->s->ctx, ICX_ERR_INVALID,
                  "%s: the cloud name \"%s\" is taken by document %s (remove that "
                  "document first, or choose another name)", c->source, name, doc);
  else
    rc = icx_fail(c->s->ctx, ICX_ERR_INVALID,
                  "%s: the cloud %s is described by document %s (remove that document "
                  "first, or describe it there)", c->source, what, doc);
  free(what);
  free(doc);
  return rc;
}

/* The failure for name given by both subj and other, two clouds of the
 * document. */
static icx_rc
store_claim_refuse_twice(store_claims *c, const char *name, icx_id subj, icx_id other)
{
  char *one = store_claim_text(c, subj), *two = store_claim_text(c, other);
  icx_rc rc;

  if (!one || !two)
    rc = icx_fail(c->s->ctx, ICX_ERR_NOMEM, "out of memory");
  else
    rc = icx_fail(c->s->ctx, ICX_ERR_INVALID,
                  "%s: the cloud name \"%s\" is given to two clouds of the document, %s "
                  "and %s (a name belongs to one cloud)", c->source, name, one, two);
  free(one);
  free(two);
  return rc;
}

/* The hashes of the names passed so far (open addressing; 0 is kept as
 * 1): a name whose hash is new cannot be another cloud's of the document,
 * so only a repeated hash costs the query that says (a cloud's second
 * name of the same text, or two clouds' names). */
typedef struct claim_seen {
  uint64_t *slot;
  size_t cap, n;
} claim_seen;

/* 1 when h was in the set, 0 when added, -1 out of memory. */
static int
claim_seen_add(icx_ctx *ctx, claim_seen *set, uint64_t h)
{
  size_t i;

  h = h ? h : 1;
  if (2 * (set->n + 1) > set->cap) {
    size_t cap = set->cap ? 2 * set->cap : 1024, k;
    uint64_t *slot = icx_calloc(ctx, cap, sizeof *slot);
    if (!slot)
      return -1;
    for (k = 0; k < set->cap; k++)
      if (set->slot[k]) {
        for (i = (size_t)set->slot[k] & (cap - 1); slot[i]; i = (i + 1) & (cap - 1))
          ;
        slot[i] = set->slot[k];
      }
    icx_free(ctx, set->slot);
    set->slot = slot;
    set->cap = cap;
  }
  for (i = (size_t)h & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
    if (set->slot[i] == h)
      return 1;
  set->slot[i] = h;
  set->n++;
  return 0;
}

/* The names of the document: no control characters, each given to one
 * cloud of it, and no other document's. */
static icx_rc
store_claim_names(store_claims *c)
{
  sqlite3_stmt *st = store_claim_stmt(c, CLAIM_NAMES);
  claim_seen seen = { NULL, 0, 0 };
  icx_rc rc = ICX_OK;
  int step;

  while (rc == ICX_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
    icx_id subj = sqlite3_column_int64(st, 0), other = 0;
    const char *lex = (const char *)sqlite3_column_text(st, 1);
    size_t len = (size_t)sqlite3_column_bytes(st, 1), at;
    unsigned cp = 0;
    sqlite3_stmt *q;
    int found;

    if (!lex) {
      rc = icx_fail(c->s->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
    if ((at = icx_control_char(lex, len, &cp)) < len) {
      char *what = store_claim_text(c, subj);
      rc = icx_fail(c->s->ctx, ICX_ERR_INVALID,
                    "%s: the name of %s holds a control character (U+%04X) at byte %zu",
                    c->source, what ? what : "a cloud", cp, at);
      free(what);
      break;
    }
    if ((found = claim_seen_add(c->s->ctx, &seen, icx_hash_bytes(lex, len))) < 0) {
      rc = icx_fail(c->s->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
    if (found) {
      q = store_claim_stmt(c, CLAIM_NAME_TWICE);
      sqlite3_bind_text(q, 3, lex, (int)len, SQLITE_TRANSIENT);
      sqlite3_bind_int64(q, 5, subj);
      if ((found = store_claim_one(q, &other)) < 0) {
        rc = store_claim_sql_error(c);
        break;
      }
      if (found) {              /* the one met first named first */
        rc = store_claim_refuse_twice(c, lex, other, subj);
        break;
      }
    }
    if (c->alone)
      continue;
    q = store_claim_stmt(c, CLAIM_NAME_ELSEWHERE);
    sqlite3_bind_text(q, 3, lex, (int)len, SQLITE_TRANSIENT);
    if ((found = store_claim_one(q, &other)) < 0)
      rc = store_claim_sql_error(c);
    else if (found)
      rc = store_claim_refuse(c, 0, lex, other);
  }
  if (rc == ICX_OK && step != SQLITE_DONE)
    rc = store_claim_sql_error(c);
  sqlite3_reset(st);
  icx_free(c->s->ctx, seen.slot);
  return rc;
}

/* Whether a graph other than the document's and the bookkeeping one
 * lists a subject (a seek per graph passed, three at most): c->alone set
 * when none does.  0, or -1 on an error. */
static int
store_claim_alone(store_claims *c)
{
  icx_id after = 0, g = 0;
  int i, found;

  for (i = 0; i < 3; i++) {
    sqlite3_stmt *q = store_claim_stmt(c, CLAIM_NEXT_GRAPH);
    sqlite3_bind_int64(q, 3, after);
    if ((found = store_claim_one(q, &g)) < 0)
      return -1;
    if (!found || g == 0) {     /* min() of nothing: NULL, read as 0 */
      c->alone = 1;
      return 0;
    }
    if (g != c->g && g != c->meta)
      return 0;
    after = g;
  }
  return 0;
}

/* The subjects of the document: none named by another document, and
 * none it names said anything of by another. */
static icx_rc
store_claim_subjects(store_claims *c)
{
  sqlite3_stmt *st;
  icx_rc rc = ICX_OK;
  int step;

  if (c->alone)
    return ICX_OK;
  st = store_claim_stmt(c, CLAIM_SUBJECTS);
  while (rc == ICX_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
    icx_id subj = sqlite3_column_int64(st, 0), other = 0, named = 0, one = 0;
    sqlite3_stmt *q = store_claim_stmt(c, CLAIM_SAID_ELSEWHERE);
    int found;

    /* Most subjects are in no other document: one lookup settles them. */
    sqlite3_bind_int64(q, 3, subj);
    if ((found = store_claim_one(q, &other)) == 1) {
      q = store_claim_stmt(c, CLAIM_NAMED_ELSEWHERE);
      sqlite3_bind_int64(q, 3, subj);
      if ((found = store_claim_one(q, &named)) == 1) {
        other = named;
      } else if (found == 0) {
        q = store_claim_stmt(c, CLAIM_NAMED_HERE);
        sqlite3_bind_int64(q, 3, subj);
        found = store_claim_one(q, &one);
      }
    }
    if (found < 0)
      rc = store_claim_sql_error(c);
    else if (found)
      rc = store_claim_refuse(c, subj, NULL, other);
  }
  if (rc == ICX_OK && step != SQLITE_DONE)
    rc = store_claim_sql_error(c);
  sqlite3_reset(st);
  return rc;
}

/* The checks of the open document's clouds (icx_store.h, "Clouds'
 * names"). */
static icx_rc
store_check_claims(icx_store *s, const char *source)
{
  static const char *const sql[CLAIM_N] = {
    CLAIM_NAMES_SQL, CLAIM_NAME_ELSEWHERE_SQL, CLAIM_NAME_TWICE_SQL, CLAIM_SUBJECTS_SQL,
    CLAIM_NAMED_ELSEWHERE_SQL, CLAIM_NAMED_HERE_SQL, CLAIM_SAID_ELSEWHERE_SQL,
    CLAIM_NEXT_GRAPH_SQL
  };
  store_claims c;
  icx_rc rc = ICX_OK;
  double t0 = icx_now_ms();
  int i;

  if (!s->name_property)
    return ICX_OK;
  memset(&c, 0, sizeof c);
  c.s = s;
  c.source = source;
  c.db = icx_store_db(s);
  c.g = icx_storage_iri_id(s->inst,
                           (const char *)librdf_uri_as_string(librdf_node_get_uri(s->doc)));
  c.name = icx_storage_iri_id(s->inst, s->name_property);
  c.meta = icx_storage_iri_id(s->inst, ICX_STORE_META_GRAPH);
  if (!c.db || c.g < 0 || c.name < 0 || c.meta < 0)
    return icx_fail(s->ctx, ICX_ERR_STORE, "%s: cannot check its clouds: %s", source,
                    icx_storage_errmsg(s->inst));
  if (c.g == 0)                 /* an empty document: nothing of it to check */
    return ICX_OK;
  for (i = 0; i < CLAIM_N && rc == ICX_OK; i++)
    if (sqlite3_prepare_v2(c.db, sql[i], -1, &c.q[i], NULL) != SQLITE_OK)
      rc = store_claim_sql_error(&c);
  if (rc == ICX_OK && store_claim_alone(&c))
    rc = store_claim_sql_error(&c);
  if (rc == ICX_OK && c.name > 0)
    rc = store_claim_names(&c);
  if (rc == ICX_OK && c.name > 0)
    rc = store_claim_subjects(&c);
  for (i = 0; i < CLAIM_N; i++)
    sqlite3_finalize(c.q[i]);
  icx_log(s->ctx, ICX_LOG_DEBUG, "store", "%s: its clouds checked against the other "
          "documents in %.0f ms%s", source, icx_now_ms() - t0,
          c.alone ? " (none has a subject: its names checked among themselves)" : "");
  return rc;
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
  return store_check_claims(s, source);
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
  if (sqlite3_prepare_v2(s->db, CLAIM_SUBJECTS_SQL, -1, &st, NULL) !=
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
  if ((rc = store_check_claims(s, source))) {
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


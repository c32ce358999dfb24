/* icx_store_claims.c - a document's clouds checked before it commits
 * (icx_store.h, "Clouds' names"): each name belongs to one cloud of one
 * document, and a named subject to one document; a name holds no
 * control character.  Read straight from the tables inside the
 * document's transaction. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"
#include "icx_storage.h"
#include "icx_store_internal.h"
#include "icx_util.h"

/*
 * Read straight from the tables inside the document's transaction, by
 * index: the document's quads through its subjects (graph_subjects) and
 * the primary key, a name's other holders
 * through term_rows_key (ICX_SCHEMA_TEXT_IDS()) and the postings by
 * object (ICX_SCHEMA_POS_VTAB, seeking on p and o), a subject's other graphs
 * through the primary key (s, p, ...).  Blank nodes are the loader's own
 * per document, so they never meet another document's. */

/* The document's names, with their subjects. */
#define CLAIM_NAMES_SQL \
  "SELECT q.s, t.lex FROM graph_subjects x CROSS JOIN quads q ON q.s = x.s AND q.p = ?2" \
  " AND q.g = x.g JOIN terms t ON t.id = q.o WHERE x.g = ?1"
/* The same when no other document has a subject (store_claims.alone):
 * every name quad of graph ?1 is one of its names, read from the
 * postings of the name property instead of a seek per subject (a first
 * load of a million clouds: 0.3 s against 1.1).  The caller has the
 * postings built (a first load sets them aside until its writes end). */
#define CLAIM_NAMES_ALONE_SQL \
  "SELECT q.s, t.lex FROM " ICX_SCHEMA_POS_VTAB " q JOIN terms t ON t.id = q.o" \
  " WHERE q.p = ?2 AND +q.g = ?1"
/* A document other than ?1 (and the bookkeeping graph ?4) giving the name
 * ?3, as text.  CROSS JOIN keeps the terms first: the postings of the
 * name and its text's term, not every name looked up. */
#define CLAIM_NAME_ELSEWHERE_SQL \
  "SELECT q.g FROM " ICX_SCHEMA_TEXT_IDS("?3") " t CROSS JOIN " ICX_SCHEMA_POS_VTAB " q" \
  " ON q.p = ?2 AND q.o = t.id WHERE q.g <> ?1 AND q.g <> ?4 LIMIT 1"
/* Another subject of the document giving the name ?3, as text (a subject
 * other than ?5), the same way. */
#define CLAIM_NAME_TWICE_SQL \
  "SELECT q.s FROM " ICX_SCHEMA_TEXT_IDS("?3") " t CROSS JOIN " ICX_SCHEMA_POS_VTAB " q" \
  " ON q.p = ?2 AND q.o = t.id WHERE +q.g = ?1 AND q.s <> ?5 LIMIT 1"
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

enum { CLAIM_NAMES, CLAIM_NAMES_ALONE, CLAIM_NAME_ELSEWHERE, CLAIM_NAME_TWICE, CLAIM_SUBJECTS,
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

/* The names of the document: no control characters, at most
 * ICX_NAME_MAX bytes, each given to one cloud of it, and no other
 * document's. */
static icx_rc
store_claim_names(store_claims *c)
{
  sqlite3_stmt *st = store_claim_stmt(c, c->alone ? CLAIM_NAMES_ALONE : CLAIM_NAMES);
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
    if ((at = icx_control_char(lex, len, &cp)) < len || len > ICX_NAME_MAX) {
      char *what = store_claim_text(c, subj);
      if (at < len)
        rc = icx_fail(c->s->ctx, ICX_ERR_INVALID,
                      "%s: the name of %s holds a control character (U+%04X) at byte %zu",
                      c->source, what ? what : "a cloud", cp, at);
      else
        rc = icx_fail(c->s->ctx, ICX_ERR_INVALID,
                      "%s: the name of %s is %zu bytes long; at most %d",
                      c->source, what ? what : "a cloud", len, ICX_NAME_MAX);
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

icx_rc
icx_store_check_claims(icx_store *s, const char *source)
{
  static const char *const sql[CLAIM_N] = {
    CLAIM_NAMES_SQL, CLAIM_NAMES_ALONE_SQL, CLAIM_NAME_ELSEWHERE_SQL, CLAIM_NAME_TWICE_SQL,
    ICX_STORE_GRAPH_SUBJECTS_SQL, CLAIM_NAMED_ELSEWHERE_SQL, CLAIM_NAMED_HERE_SQL,
    CLAIM_SAID_ELSEWHERE_SQL, CLAIM_NEXT_GRAPH_SQL
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
  /* Built now if a first load set them aside (else at the commit). */
  if (icx_storage_indexes_ready(s->inst))
    return icx_fail(s->ctx, ICX_ERR_STORE, "%s: cannot check its clouds: %s", source,
                    icx_storage_errmsg(s->inst));
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

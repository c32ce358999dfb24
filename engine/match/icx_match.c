/* icx_match.c - compile, execute, collect: the engine's one front door.
 *
 * The compiled query returns one row per way a cloud meets the required
 * constraints, with the value each constraint matched (or nothing, for a
 * soft or negated constraint whose pattern found nothing).  Here every row
 * is scored (the weights of the soft constraints it meets) and graded
 * (exact or narrower per constraint); each cloud keeps its best row.
 *
 * Rows come from the SQL path as term ids, streamed (icx_sql_each()): a
 * value is graded by comparing ids, a cloud's rows meet in a hash table
 * keyed by the id of its name, and only the names of the clouds kept are
 * read as text, once each.  Memory follows the clouds that match, not the
 * rows.  The scoring is icx_match_collect.c's; matching on the index,
 * icx_match_index.c's, and warming the index for a vocabulary is here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_plan_cache.h"
#include "icx_ctx_internal.h"
#include "icx_index.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

void
icx_match_free(icx_match *m)
{
  icx_ctx *ctx = m ? m->ctx : NULL;
  size_t i;

  if (!m)
    return;
  for (i = 0; !m->pool && i < m->n; i++) {
    icx_free(ctx, m->hits[i].name);
    icx_free(ctx, m->hits[i].degrees);
  }
  icx_free(ctx, m->pool);
  icx_free(ctx, m->hits);
  icx_free(ctx, m->sparql);
  icx_free(ctx, m);
}

size_t icx_match_count(const icx_match *m) { return m->n; }
const char *icx_match_sparql(const icx_match *m) { return m->sparql; }
size_t icx_match_constraint_count(const icx_match *m) { return m->n_constraints; }

const char *
icx_match_cloud(const icx_match *m, size_t i)
{
  return i < m->n ? m->hits[i].name : NULL;
}

int
icx_match_score(const icx_match *m, size_t i)
{
  return i < m->n ? m->hits[i].score : 0;
}

icx_degree
icx_match_degree(const icx_match *m, size_t i)
{
  if (i >= m->n)
    return ICX_DEGREE_NONE;
  return m->hits[i].narrower ? ICX_DEGREE_NARROWER : ICX_DEGREE_EXACT;
}

icx_degree
icx_match_constraint_degree(const icx_match *m, size_t i, size_t c)
{
  return i < m->n && c < m->n_constraints ? m->hits[i].degrees[c] : ICX_DEGREE_NONE;
}

const char *
icx_degree_name(icx_degree d)
{
  switch (d) {
  case ICX_DEGREE_NONE: return "none";
  case ICX_DEGREE_EXACT: return "exact";
  case ICX_DEGREE_NARROWER: return "narrower";
  }
  return "none";
}

static int
match_cmp_hit(const void *a, const void *b)
{
  const match_hit *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int
match_cmp_hit_name(const void *a, const void *b)
{
  return strcmp(((const match_hit *)a)->name, ((const match_hit *)b)->name);
}

/* The store's interrupt test while a deadline runs: non-0 stops the read
 * in progress. */
static int
match_past_deadline(void *ud)
{
  return icx_deadline_passed(ud);
}

/* Runs the compiled query on the SQL path into m->hits, named. */
static icx_rc
match_query(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match *m)
{
  icx_sql *q = NULL;
  const char *why = NULL;
  match_collect cl;
  icx_id *ids = NULL;
  char **names = NULL;
  size_t i;
  int own_tx = 0;
  double t0 = icx_now_ms(), t1 = t0, t2 = t0;
  icx_rc rc;

  memset(&cl, 0, sizeof cl);
  cl.set = set;
  cl.n_c = m->n_constraints;
  cl.m = m;
  if (!icx_sql_available(store))
    return icx_fail(ctx, ICX_ERR_QUERY, "this store has no SQL path");
  if (icx_deadline_passed(ctx))
    return ICX_ERR_LIMIT;
  if (ctx->deadline_ms > 0)
    icx_store_set_interrupt(store, match_past_deadline, ctx);
  /* One read transaction, from the translation's term lookups and
   * estimates to the names: the ids, the rows and the names they are given
   * come from one snapshot (a load committing in between cannot leave an
   * id unnamed), and the many small reads of a request do not each take
   * and drop the file locks (on a small store, most of its cost). */
  own_tx = icx_store_read_begin(store);
  if ((rc = icx_sql_translate_ids(ctx, store, m->sparql, &q, &why)))
    goto done;
  if (!q) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "outside the SQL subset: %s", why);
    goto done;
  }
  t1 = icx_now_ms();
  icx_log(ctx, ICX_LOG_DEBUG, "match", "sql path (translated in %.1f ms): %s", t1 - t0,
          icx_sql_text(q));
  if ((rc = icx_match_collect_prepare(ctx, store, q, &cl)) ||
      (rc = icx_sql_each(ctx, q, icx_match_collect_row, &cl)))
    goto done;
  t2 = icx_now_ms();
  ids = icx_malloc(ctx, (m->n + 1) * sizeof *ids);
  names = icx_calloc(ctx, m->n + 1, sizeof *names);
  if (!ids || !names) {
    rc = ICX_ERR_NOMEM;
    goto done;
  }
  for (i = 0; i < m->n; i++)
    ids[i] = m->hits[i].name_id;
  rc = icx_store_lex(store, ids, m->n, names);
  for (i = 0; i < m->n; i++)
    m->hits[i].name = names[i];
  for (i = 0; rc == ICX_OK && i < m->n; i++)
    if (!names[i])
      rc = icx_fail(ctx, ICX_ERR_STORE, "a matching cloud's name has no term");
  if (rc == ICX_OK)
    icx_log(ctx, ICX_LOG_DEBUG, "match", "rows in %.1f ms, %zu clouds named in %.1f ms",
            t2 - t1, m->n, icx_now_ms() - t2);
done:
  rc = icx_store_read_end(store, own_tx, rc);
  if (ctx->deadline_ms > 0)
    icx_store_set_interrupt(store, NULL, NULL);
  if (rc == ICX_ERR_NOMEM)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (rc != ICX_OK && icx_deadline_passed(ctx))
    rc = ICX_ERR_LIMIT;         /* the outermost call says so (icx_deadline_failure()) */
  icx_free(ctx, ids);
  icx_free(ctx, names);
  icx_match_collect_clear(&cl);
  icx_sql_free(q);
  return rc;
}

icx_match_path
icx_match_answered_by(const icx_match *m)
{
  return m->answered_by;
}

icx_rc
icx_match_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match **out)
{
  return icx_match_run_path(ctx, store, set, ICX_MATCH_PATH_AUTO, out);
}

icx_rc
icx_match_run_once(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match **out)
{
  icx_index *ix = NULL;
  int own_tx, index = 0;

  /* The index is attached to the handle when first read; a new handle's
   * starts from the saved file, when there is one it can use. */
  if (store && !icx_store_attached(store)) {
    own_tx = icx_store_read_begin(store);
    if (icx_index_get(ctx, store, &ix) == ICX_OK)
      index = icx_index_started(ix);
    icx_store_read_end(store, own_tx, ICX_OK);
    icx_clear_error(ctx);
  } else if (store) {
    index = icx_index_started(icx_store_attached(store));
  }
  return icx_match_run_path(ctx, store, set, index ? ICX_MATCH_PATH_AUTO : ICX_MATCH_PATH_SQL,
                            out);
}

icx_rc
icx_match_run_path(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                   icx_match_path path, icx_match **out)
{
  icx_match *m;
  const icx_plan *plan = NULL;
  const char *sparql = NULL;
  icx_rc rc;
  size_t i, o;
  int timed, answered = 0;

  if (!ctx || !store || !set || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  m = icx_calloc(ctx, 1, sizeof *m);
  if (!m)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  m->ctx = ctx;
  timed = icx_deadline_start(ctx);
  m->n_constraints = icx_constraints_count(set);
  m->extended = icx_constraints_extended(set);
  /* The compiled query and the typed plan of the request's shape, from
   * the context's plan cache when this shape came before. */
  if ((rc = icx_plan_cache_get(ctx, set, &plan, &sparql)))
    goto fail;
  if (!(m->sparql = icx_strdup(ctx, sparql))) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  /* The index first: the typed plan, no query text read.  It answers
   * every plan of numbers, individuals, places, exists and absent. */
  if (path != ICX_MATCH_PATH_SQL) {
    if ((rc = icx_match_index_query(ctx, store, plan, m, &answered))) {
      if (rc == ICX_ERR_LIMIT && timed)
        icx_deadline_failure(ctx);
      goto fail;
    }
    if (!answered && path == ICX_MATCH_PATH_INDEX) {
      rc = icx_fail(ctx, ICX_ERR_QUERY, "the matching index cannot answer this request");
      goto fail;
    }
  }
  /* Else the SQL path: every compiled query lies in its subset, and the
   * alternative, rasqal 0.9.33, answers OPTIONALs wrongly and takes minutes
   * on large stores.  A query it refuses is an error, never a slow or wrong
   * answer. */
  m->answered_by = answered ? ICX_MATCH_PATH_INDEX : ICX_MATCH_PATH_SQL;
  if (!answered && (rc = match_query(ctx, store, set, m))) {
    if (rc == ICX_ERR_LIMIT && timed)
      icx_deadline_failure(ctx);
    goto fail;
  }
  /* One hit per name (two clouds may share one), its best; then by score
   * and name (the index gives them so). */
  if (m->n > 1 && !m->ordered) {
    qsort(m->hits, m->n, sizeof *m->hits, match_cmp_hit_name);
    for (i = 1, o = 1; i < m->n; i++) {
      match_hit *last = &m->hits[o - 1];
      if (!strcmp(m->hits[i].name, last->name)) {
        if (icx_match_better(&m->hits[i], last)) {
          match_hit tmp = *last;
          *last = m->hits[i];
          m->hits[i] = tmp;
        }
        icx_free(ctx, m->hits[i].name);
        icx_free(ctx, m->hits[i].degrees);
      } else {
        m->hits[o++] = m->hits[i];
      }
    }
    m->n = o;
    qsort(m->hits, m->n, sizeof *m->hits, match_cmp_hit);
  }
  icx_log(ctx, ICX_LOG_DEBUG, "match", "%zu constraints, %zu clouds match", m->n_constraints,
          m->n);
  *out = m;
  icx_deadline_stop(ctx, timed);
  return ICX_OK;
fail:
  icx_deadline_stop(ctx, timed);
  icx_match_free(m);
  return icx_store_failed(store, rc);
}

icx_rc
icx_match_count_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set, size_t *count,
                    const icx_match_lookfor *look)
{
  const icx_plan *plan = NULL;
  const char *sparql = NULL;
  icx_match *m = NULL;
  icx_rc rc;
  size_t i, k;
  int timed, answered = 0;

  if (!ctx || !store || !set || !count || (look && look->n && (!look->names || !look->has)) ||
      (look && look->n_first && !look->first))
    return ICX_ERR_MISUSE;
  *count = 0;
  if (look && look->n)
    memset(look->has, 0, look->n);
  if (look && look->n_first)
    memset(look->first, 0, look->n_first * sizeof *look->first);
  icx_clear_error(ctx);
  timed = icx_deadline_start(ctx);
  if (!(rc = icx_plan_cache_get(ctx, set, &plan, &sparql)))
    rc = icx_match_index_count(ctx, store, plan, count, look, &answered);
  if (rc == ICX_ERR_LIMIT && timed)
    icx_deadline_failure(ctx);
  icx_deadline_stop(ctx, timed);
  if (rc)
    return icx_store_failed(store, rc);
  if (answered)
    return ICX_OK;
  if ((rc = icx_match_run(ctx, store, set, &m)))   /* not the index's: the whole answer */
    return rc;
  *count = icx_match_count(m);
  for (k = 0; look && k < look->n; k++)
    for (i = 0; i < m->n && !look->has[k]; i++)
      look->has[k] = look->names[k] && !strcmp(icx_match_cloud(m, i), look->names[k]);
  if (look && look->n_first && m->n) {
    /* In name order, whatever the answer's (scores first). */
    const char **names = icx_malloc(ctx, m->n * sizeof *names);
    for (i = 0; names && i < m->n; i++)
      names[i] = icx_match_cloud(m, i);
    if (names)
      qsort(names, m->n, sizeof *names, icx_cmp_strp);
    for (k = 0; names && k < look->n_first && k < m->n; k++)
      if (!(look->first[k] = icx_strdup(ctx, names[k])))
        break;
    if (!names || (k < look->n_first && k < m->n)) {
      icx_free(ctx, names);
      icx_match_free(m);
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    }
    icx_free(ctx, names);
  }
  icx_match_free(m);
  return ICX_OK;
}

char *
icx_match_to_xml(const icx_match *m, int indent)
{
  icx_ctx *ctx = m ? m->ctx : NULL;
  icx_buf b;
  size_t i;

  if (!m)
    return NULL;
  icx_buf_init(&b, ctx);
  icx_buf_append(&b, "<matchingClouds xmlns='" ICX_CONSTRAINTS_NS "'>");
  for (i = 0; i < m->n; i++) {
    if (indent > 0)
      icx_buf_appendf(&b, "\n%*s", indent, "");
    if (m->extended)
      icx_buf_appendf(&b, "<cloudName score='%d' degree='%s'>", m->hits[i].score,
                      icx_degree_name(icx_match_degree(m, i)));
    else
      icx_buf_append(&b, "<cloudName>");
    icx_buf_append_xml(&b, m->hits[i].name);
    icx_buf_append(&b, "</cloudName>");
  }
  if (indent > 0 && m->n)
    icx_buf_append(&b, "\n");
  icx_buf_append(&b, "</matchingClouds>");
  return icx_buf_take(&b);
}

/* One predicate of the vocabulary into the index (an IRI the store does
 * not hold is nothing to read). */
static icx_rc
match_warm_pred(icx_ctx *ctx, icx_index *ix, const char *iri)
{
  const icx_index_pred *pred;
  icx_id p = iri ? icx_index_iri_id(ctx, ix, iri) : 0;

  if (p < 0)
    return ICX_ERR_STORE;
  return p > 0 ? icx_index_pred_get(ctx, ix, p, &pred) : ICX_OK;
}

icx_rc
icx_match_warm(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store)
{
  icx_index *ix;
  icx_id name_p, offers_p;
  size_t i;
  int own_tx;
  icx_rc rc;

  if (!ctx || !vocab || !store)
    return ICX_ERR_MISUSE;
  own_tx = icx_store_read_begin(store);
  rc = icx_index_get(ctx, store, &ix);
  if (rc == ICX_ERR_LIMIT) {   /* the SQL path answers: nothing to warm */
    rc = ICX_OK;
    goto done;
  }
  if (rc)
    goto done;
  if ((name_p = icx_index_iri_id(ctx, ix, icx_vocab_name_property(vocab))) < 0 ||
      (offers_p = icx_index_iri_id(ctx, ix, icx_vocab_offers_property(vocab))) < 0) {
    rc = ICX_ERR_STORE;
    goto done;
  }
  /* Every cloud's name, in text order (first, as match_index_run() does),
   * then every predicate. */
  if ((rc = icx_index_clouds(ctx, ix, name_p, offers_p)) ||
      (rc = icx_index_names_order(ctx, ix)) ||
      (rc = match_warm_pred(ctx, ix, ICX_PLAN_RDF_TYPE)))
    goto done;
  for (i = 0; i < icx_vocab_attribute_count(vocab) && !rc; i++)
    rc = match_warm_pred(ctx, ix, icx_attribute_iri(icx_vocab_attribute(vocab, i)));
done:
  return icx_store_read_end(store, own_tx, rc);
}

icx_rc
icx_match_save_index(icx_ctx *ctx, icx_store *store, double min_ms, int *saved)
{
  icx_index *ix;
  int own_tx;
  icx_rc rc;

  if (saved)
    *saved = 0;
  if (!ctx || !store)
    return ICX_ERR_MISUSE;
  if (!icx_store_attached(store))
    return ICX_OK;              /* nothing read: nothing to save */
  own_tx = icx_store_read_begin(store);
  rc = icx_index_get(ctx, store, &ix);
  if (rc == ICX_OK)
    rc = icx_index_save(ctx, ix, min_ms, saved);
  else if (rc == ICX_ERR_LIMIT)
    rc = ICX_OK;
  return icx_store_read_end(store, own_tx, rc);
}

icx_rc
icx_match_keep_index(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store, int *saved)
{
  icx_rc rc;

  if (saved)
    *saved = 0;
  if (!ctx || !vocab || !store)
    return ICX_ERR_MISUSE;
  if ((rc = icx_match_warm(ctx, vocab, store)))
    return rc;
  return icx_match_save_index(ctx, store, 0, saved);
}

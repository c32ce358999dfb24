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
 * rows. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_match.h"
#include "icx_sql.h"
#include "icx_store_ids.h"
#include "icx_util.h"

typedef struct match_hit {
  char *name;
  icx_id name_id;
  int score;
  int narrower;              /* constraints met narrower */
  icx_degree *degrees;       /* one per constraint */
} match_hit;

struct icx_match {
  char *sparql;
  match_hit *hits;
  size_t n;
  size_t n_constraints;
  int extended;
};

void
icx_match_free(icx_match *m)
{
  size_t i;

  if (!m)
    return;
  for (i = 0; i < m->n; i++) {
    free(m->hits[i].name);
    free(m->hits[i].degrees);
  }
  free(m->hits);
  free(m->sparql);
  free(m);
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

/* What scoring needs of the query and the constraints, and the clouds
 * collected so far. */
typedef struct match_collect {
  const icx_constraints *set;
  size_t n_c;
  long name_col;
  long *cols;                /* per constraint, the first column of its variables */
  icx_id **asked;     /* per constraint, the term ids of the individuals asked
                              * (NULL when it asks none: every value is exact) */
  size_t *n_asked;
  icx_match *m;
  size_t *slots;             /* hash of name id -> 1 + index in m->hits; 0 empty */
  size_t mask;               /* slots - 1 */
  size_t cap;                /* m->hits allocated */
  match_hit row;             /* the row being scored */
} match_collect;

/* Degree of a matched value (a term id): exact if it is one of the
 * individuals asked for. */
static icx_degree
match_grade(const match_collect *cl, size_t c, icx_id value)
{
  size_t k;

  if (!cl->asked[c])
    return ICX_DEGREE_EXACT;
  for (k = 0; k < cl->n_asked[c]; k++)
    if (cl->asked[c][k] == value)
      return ICX_DEGREE_EXACT;
  return ICX_DEGREE_NARROWER;
}

/* Scores one row (term ids, 0 unbound) into h (degrees sized for every
 * constraint). */
static void
match_score_row(const match_collect *cl, const icx_id *ids, match_hit *h)
{
  const icx_constraints *set = cl->set;
  const long *cols = cl->cols;
  size_t c, n = cl->n_c;

  h->score = 0;
  h->narrower = 0;
  for (c = 0; c < n; c++) {
    icx_op op = icx_constraint_op(set, c);
    size_t parts = op == ICX_OP_ALL_OF ? icx_constraint_value_count(set, c) : 1, k;
    int bound = 1, met;
    icx_degree d = ICX_DEGREE_EXACT;

    for (k = 0; k < parts; k++) {
      icx_id v = cols[c] >= 0 ? ids[cols[c] + (long)k] : 0;
      if (!v) {
        bound = 0;
        continue;
      }
      if (!icx_op_is_negative(op) && match_grade(cl, c, v) == ICX_DEGREE_NARROWER)
        d = ICX_DEGREE_NARROWER;
    }
    met = icx_op_is_negative(op) ? !bound : bound;
    if (!met) {
      h->degrees[c] = ICX_DEGREE_NONE;
      continue;
    }
    h->degrees[c] = d;
    if (d == ICX_DEGREE_NARROWER)
      h->narrower++;
    if (!icx_constraint_required(set, c))
      h->score += icx_constraint_weight(set, c);
  }
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

/* 1 if a is a better way for a cloud to match than b. */
static int
match_better(const match_hit *a, const match_hit *b)
{
  if (a->score != b->score)
    return a->score > b->score;
  return a->narrower < b->narrower;
}

static uint64_t
match_hash_id(icx_id id)
{
  uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;

  return h ^ (h >> 32);
}

/* Doubles the hash table (or makes its first); 0 or -1. */
static int
match_grow_slots(match_collect *cl)
{
  size_t n = cl->mask ? (cl->mask + 1) * 2 : 1024, i;
  size_t *slots = calloc(n, sizeof *slots);

  if (!slots)
    return -1;
  for (i = 0; i < cl->m->n; i++) {
    size_t j = (size_t)match_hash_id(cl->m->hits[i].name_id) & (n - 1);
    while (slots[j])
      j = (j + 1) & (n - 1);
    slots[j] = i + 1;
  }
  free(cl->slots);
  cl->slots = slots;
  cl->mask = n - 1;
  return 0;
}

/* One row of the query: scored, then kept when it is its cloud's first or
 * a better way for it to match. */
static icx_rc
match_collect_row(void *userdata, const icx_id *ids)
{
  match_collect *cl = userdata;
  icx_match *m = cl->m;
  icx_id name = ids[cl->name_col];
  size_t j;
  match_hit *h;

  if (!name)
    return ICX_OK;
  match_score_row(cl, ids, &cl->row);
  if (2 * (m->n + 1) > cl->mask && match_grow_slots(cl))
    return ICX_ERR_NOMEM;
  for (j = (size_t)match_hash_id(name) & cl->mask; cl->slots[j]; j = (j + 1) & cl->mask) {
    h = &m->hits[cl->slots[j] - 1];
    if (h->name_id != name)
      continue;
    if (match_better(&cl->row, h)) {
      icx_degree *d = h->degrees;
      memcpy(d, cl->row.degrees, cl->n_c * sizeof *d);
      *h = cl->row;
      h->degrees = d;
      h->name_id = name;
    }
    return ICX_OK;
  }
  if (m->n == cl->cap) {
    size_t ncap = cl->cap ? cl->cap * 2 : 64;
    match_hit *nh = realloc(m->hits, ncap * sizeof *nh);
    if (!nh)
      return ICX_ERR_NOMEM;
    m->hits = nh;
    cl->cap = ncap;
  }
  h = &m->hits[m->n];
  *h = cl->row;
  h->name_id = name;
  if (!(h->degrees = malloc((cl->n_c + 1) * sizeof *h->degrees)))
    return ICX_ERR_NOMEM;
  memcpy(h->degrees, cl->row.degrees, cl->n_c * sizeof *h->degrees);
  cl->slots[j] = ++m->n;
  return ICX_OK;
}

/* The query's columns and the ids of the individuals asked, into cl. */
static icx_rc
match_collect_prepare(icx_ctx *ctx, icx_store *store, const icx_sql *q, match_collect *cl)
{
  const icx_constraints *set = cl->set;
  size_t c, k, j;

  cl->name_col = -1;
  for (j = 0; j < icx_sql_width(q); j++)
    if (!strcmp(icx_sql_var(q, j), ICX_COMPILE_NAME_VAR))
      cl->name_col = (long)j;
  if (cl->name_col < 0)
    return icx_fail(ctx, ICX_ERR_QUERY, "the compiled query returns no ?%s",
                    ICX_COMPILE_NAME_VAR);
  cl->cols = calloc(cl->n_c + 1, sizeof *cl->cols);
  cl->asked = calloc(cl->n_c + 1, sizeof *cl->asked);
  cl->n_asked = calloc(cl->n_c + 1, sizeof *cl->n_asked);
  cl->row.degrees = calloc(cl->n_c + 1, sizeof *cl->row.degrees);
  if (!cl->cols || !cl->asked || !cl->n_asked || !cl->row.degrees)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (c = 0; c < cl->n_c; c++) {
    char var[48];
    size_t nv = icx_constraint_value_count(set, c);
    icx_compile_var_name(var, sizeof var, c,
                         icx_constraint_op(set, c) == ICX_OP_ALL_OF ? 0 : (size_t)-1);
    cl->cols[c] = -1;
    for (j = 0; j < icx_sql_width(q); j++)
      if (!strcmp(icx_sql_var(q, j), var))
        cl->cols[c] = (long)j;
    if (cl->cols[c] >= 0 && icx_constraint_op(set, c) == ICX_OP_ALL_OF &&
        (size_t)cl->cols[c] + nv > icx_sql_width(q))
      return icx_fail(ctx, ICX_ERR_QUERY, "the compiled query lacks values of constraint %zu",
                      c);
    if (!icx_constraint_individual_at(set, c, 0))
      continue;
    if (!(cl->asked[c] = calloc(nv + 1, sizeof *cl->asked[c])))
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    cl->n_asked[c] = nv;
    for (k = 0; k < nv; k++)
      if ((cl->asked[c][k] = icx_store_iri_id(store, icx_constraint_value_at(set, c, k))) < 0)
        return icx_fail(ctx, ICX_ERR_STORE, "cannot look up <%s> in the store",
                        icx_constraint_value_at(set, c, k));
  }
  return ICX_OK;
}

static void
match_collect_clear(match_collect *cl)
{
  size_t c;

  for (c = 0; cl->asked && c < cl->n_c; c++)
    free(cl->asked[c]);
  free(cl->asked);
  free(cl->n_asked);
  free(cl->cols);
  free(cl->slots);
  free(cl->row.degrees);
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
  icx_rc rc, end_rc;

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
  if ((rc = icx_sql_translate_ids(ctx, store, m->sparql, &q, &why)))
    goto done;
  if (!q) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "outside the SQL subset: %s", why);
    goto done;
  }
  t1 = icx_now_ms();
  icx_log(ctx, ICX_LOG_DEBUG, "match", "sql path (translated in %.1f ms): %s", t1 - t0,
          icx_sql_text(q));
  /* One read transaction: the rows and the names they are given come from
   * one snapshot (a load committing in between cannot leave an id
   * unnamed), and the name lookups do not each take the file locks. */
  own_tx = icx_store_read_begin(store);
  if ((rc = match_collect_prepare(ctx, store, q, &cl)) ||
      (rc = icx_sql_each(ctx, q, match_collect_row, &cl)))
    goto done;
  t2 = icx_now_ms();
  ids = malloc((m->n + 1) * sizeof *ids);
  names = calloc(m->n + 1, sizeof *names);
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
  if ((end_rc = icx_store_read_end(store, own_tx)) && rc == ICX_OK)
    rc = end_rc;
  if (ctx->deadline_ms > 0)
    icx_store_set_interrupt(store, NULL, NULL);
  if (rc == ICX_ERR_NOMEM)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (rc != ICX_OK && icx_deadline_passed(ctx))
    rc = ICX_ERR_LIMIT;         /* the outermost call says so (icx_deadline_failure()) */
  free(ids);
  free(names);
  match_collect_clear(&cl);
  icx_sql_free(q);
  return rc;
}

icx_rc
icx_match_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match **out)
{
  icx_match *m;
  icx_rc rc;
  size_t i, o;
  int timed;

  if (!ctx || !store || !set || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  m = calloc(1, sizeof *m);
  if (!m)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  timed = icx_deadline_start(ctx);
  m->n_constraints = icx_constraints_count(set);
  m->extended = icx_constraints_extended(set);
  if ((rc = icx_compile_sparql(ctx, set, &m->sparql)))
    goto fail;
  /* The SQL path only: every compiled query lies in its subset, and the
   * alternative, rasqal 0.9.33, answers OPTIONALs wrongly and takes minutes
   * on large stores.  A query it refuses is an error, never a slow or wrong
   * answer. */
  if ((rc = match_query(ctx, store, set, m))) {
    if (rc == ICX_ERR_LIMIT && timed)
      icx_deadline_failure(ctx);
    goto fail;
  }
  /* One hit per name (two clouds may share one), its best; then by score
   * and name. */
  if (m->n > 1) {
    qsort(m->hits, m->n, sizeof *m->hits, match_cmp_hit_name);
    for (i = 1, o = 1; i < m->n; i++) {
      match_hit *last = &m->hits[o - 1];
      if (!strcmp(m->hits[i].name, last->name)) {
        if (match_better(&m->hits[i], last)) {
          match_hit tmp = *last;
          *last = m->hits[i];
          m->hits[i] = tmp;
        }
        free(m->hits[i].name);
        free(m->hits[i].degrees);
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
  return rc;
}

char *
icx_match_to_xml(const icx_match *m, int indent)
{
  icx_buf b;
  size_t i;

  if (!m)
    return NULL;
  icx_buf_init(&b);
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

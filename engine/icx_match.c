/* icx_match.c - compile, execute, collect: the engine's one front door.
 *
 * The compiled query returns one row per way a cloud meets the required
 * constraints, with the value each constraint matched (or nothing, for a
 * soft or negated constraint whose pattern found nothing).  Here every row
 * is scored (the weights of the soft constraints it meets) and graded
 * (exact or narrower per constraint); each cloud keeps its best row. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_exec.h"
#include "icx_match.h"
#include "icx_util.h"

typedef struct hit {
  char *name;
  int score;
  int narrower;              /* constraints met narrower */
  icx_degree *degrees;       /* one per constraint */
} hit;

struct icx_match {
  char *sparql;
  hit *hits;
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

/* Degree of a matched value: exact if it is one of the values asked for. */
static icx_degree
grade(const icx_constraints *set, size_t c, const char *value)
{
  size_t k;

  if (!icx_constraint_individual_at(set, c, 0))
    return ICX_DEGREE_EXACT;
  for (k = 0; k < icx_constraint_value_count(set, c); k++)
    if (!strcmp(icx_constraint_value_at(set, c, k), value))
      return ICX_DEGREE_EXACT;
  return ICX_DEGREE_NARROWER;
}

/* Scores one row into h (degrees sized for every constraint).  cols holds,
 * per constraint, the first column of its variables. */
static void
score_row(const icx_constraints *set, const icx_rows *rows, size_t r, const long *cols,
          hit *h)
{
  size_t c, n = icx_constraints_count(set);

  h->score = 0;
  h->narrower = 0;
  for (c = 0; c < n; c++) {
    icx_op op = icx_constraint_op(set, c);
    size_t parts = op == ICX_OP_ALL_OF ? icx_constraint_value_count(set, c) : 1, k;
    int bound = 1, met;
    icx_degree d = ICX_DEGREE_EXACT;

    for (k = 0; k < parts; k++) {
      const char *v = cols[c] >= 0 ? icx_rows_get(rows, r, (size_t)cols[c] + k) : NULL;
      if (!v) {
        bound = 0;
        continue;
      }
      if (!icx_op_is_negative(op) && grade(set, c, v) == ICX_DEGREE_NARROWER)
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
cmp_hit(const void *a, const void *b)
{
  const hit *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int
cmp_hit_name(const void *a, const void *b)
{
  return strcmp(((const hit *)a)->name, ((const hit *)b)->name);
}

/* 1 if a is a better way for a cloud to match than b. */
static int
better(const hit *a, const hit *b)
{
  if (a->score != b->score)
    return a->score > b->score;
  return a->narrower < b->narrower;
}

icx_rc
icx_match_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match **out)
{
  icx_match *m;
  icx_rows *rows = NULL;
  icx_rc rc;
  long col, *cols = NULL;
  size_t i, c, n_c, o;

  if (!ctx || !store || !set || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  n_c = icx_constraints_count(set);
  m = calloc(1, sizeof *m);
  if (!m)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  m->n_constraints = n_c;
  m->extended = icx_constraints_extended(set);
  if ((rc = icx_compile_sparql(ctx, set, &m->sparql)))
    goto fail;
  /* The SQL path only: every compiled query lies in its subset, and the
   * alternative, rasqal 0.9.33, answers OPTIONALs wrongly and takes minutes
   * on large stores.  A query it refuses is an error, never a slow or wrong
   * answer. */
  if ((rc = icx_exec_select_path(store, m->sparql, ICX_EXEC_SQL, &rows)))
    goto fail;
  /* librdf names no variables for an empty result: nothing matched. */
  col = icx_rows_column(rows, ICX_COMPILE_NAME_VAR);
  if (col < 0 && icx_rows_count(rows) > 0) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the compiled query returned no ?%s", ICX_COMPILE_NAME_VAR);
    goto fail;
  }
  cols = calloc(n_c + 1, sizeof *cols);
  m->hits = calloc(icx_rows_count(rows) + 1, sizeof *m->hits);
  if (!cols || !m->hits) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  for (c = 0; c < n_c; c++) {
    char var[48];
    icx_compile_var_name(var, sizeof var, c,
                         icx_constraint_op(set, c) == ICX_OP_ALL_OF ? 0 : (size_t)-1);
    cols[c] = icx_rows_column(rows, var);
  }
  for (i = 0; i < icx_rows_count(rows); i++) {
    const char *name = icx_rows_get(rows, i, (size_t)col);
    hit *h = &m->hits[m->n];
    if (!name)
      continue;
    h->name = strdup(name);
    h->degrees = calloc(n_c + 1, sizeof *h->degrees);
    if (!h->name || !h->degrees) {
      free(h->name);
      free(h->degrees);
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto fail;
    }
    score_row(set, rows, i, cols, h);
    m->n++;
  }
  /* One hit per cloud, its best; then by score and name. */
  if (m->n > 1) {
    qsort(m->hits, m->n, sizeof *m->hits, cmp_hit_name);
    for (i = 1, o = 1; i < m->n; i++) {
      hit *last = &m->hits[o - 1];
      if (!strcmp(m->hits[i].name, last->name)) {
        if (better(&m->hits[i], last)) {
          hit tmp = *last;
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
    qsort(m->hits, m->n, sizeof *m->hits, cmp_hit);
  }
  free(cols);
  icx_rows_free(rows);
  icx_log(ctx, ICX_LOG_DEBUG, "match", "%zu constraints, %zu clouds match", n_c, m->n);
  *out = m;
  return ICX_OK;
fail:
  free(cols);
  icx_rows_free(rows);
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

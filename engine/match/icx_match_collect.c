/* icx_match_collect.c - from the rows of the compiled query to each
 * cloud's best way to match: every row scored (the weights of the soft
 * constraints it meets) and graded (exact or narrower per constraint by
 * comparing term ids), a cloud's rows meeting in a hash table keyed by the
 * id of its name.  The row callback reads nothing from the store. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"

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

/* 1 if a is a better way for a cloud to match than b. */
int
icx_match_better(const match_hit *a, const match_hit *b)
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
  icx_ctx *ctx = cl->m->ctx;
  size_t n = cl->mask ? (cl->mask + 1) * 2 : 1024, i;
  size_t *slots = icx_calloc(ctx, n, sizeof *slots);

  if (!slots)
    return -1;
  for (i = 0; i < cl->m->n; i++) {
    size_t j = (size_t)match_hash_id(cl->m->hits[i].name_id) & (n - 1);
    while (slots[j])
      j = (j + 1) & (n - 1);
    slots[j] = i + 1;
  }
  icx_free(ctx, cl->slots);
  cl->slots = slots;
  cl->mask = n - 1;
  return 0;
}

/* One row of the query: scored, then kept when it is its cloud's first or
 * a better way for it to match. */
icx_rc
icx_match_collect_row(void *userdata, const icx_id *ids)
{
  match_collect *cl = userdata;
  icx_ctx *ctx = cl->m->ctx;
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
    if (icx_match_better(&cl->row, h)) {
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
    match_hit *nh = icx_realloc(ctx, m->hits, ncap * sizeof *nh);
    if (!nh)
      return ICX_ERR_NOMEM;
    m->hits = nh;
    cl->cap = ncap;
  }
  h = &m->hits[m->n];
  *h = cl->row;
  h->name_id = name;
  if (!(h->degrees = icx_malloc(ctx, (cl->n_c + 1) * sizeof *h->degrees)))
    return ICX_ERR_NOMEM;
  memcpy(h->degrees, cl->row.degrees, cl->n_c * sizeof *h->degrees);
  cl->slots[j] = ++m->n;
  return ICX_OK;
}

/* The query's columns and the ids of the individuals asked, into cl. */
icx_rc
icx_match_collect_prepare(icx_ctx *ctx, icx_store *store, const icx_sql *q, match_collect *cl)
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
  cl->cols = icx_calloc(ctx, cl->n_c + 1, sizeof *cl->cols);
  cl->asked = icx_calloc(ctx, cl->n_c + 1, sizeof *cl->asked);
  cl->n_asked = icx_calloc(ctx, cl->n_c + 1, sizeof *cl->n_asked);
  cl->row.degrees = icx_calloc(ctx, cl->n_c + 1, sizeof *cl->row.degrees);
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
    if (!(cl->asked[c] = icx_calloc(ctx, nv + 1, sizeof *cl->asked[c])))
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    cl->n_asked[c] = nv;
    for (k = 0; k < nv; k++)
      if ((cl->asked[c][k] = icx_store_iri_id(store, icx_constraint_value_at(set, c, k))) < 0)
        return icx_fail(ctx, ICX_ERR_STORE, "cannot look up <%s> in the store",
                        icx_constraint_value_at(set, c, k));
  }
  return ICX_OK;
}

void
icx_match_collect_clear(match_collect *cl)
{
  icx_ctx *ctx = cl->m->ctx;
  size_t c;

  for (c = 0; cl->asked && c < cl->n_c; c++)
    icx_free(ctx, cl->asked[c]);
  icx_free(ctx, cl->asked);
  icx_free(ctx, cl->n_asked);
  icx_free(ctx, cl->cols);
  icx_free(ctx, cl->slots);
  icx_free(ctx, cl->row.degrees);
}

/* icxd_subs_index.c - which shapes of standing requests a change can
 * touch (icxd_subs_internal.h).
 *
 * A cloud enters a shape's answer only when it meets every hard
 * constraint of it, so one of them is enough to find the shape by: each
 * shape with a typed plan is keyed by one required, positive constraint
 * (an IRI of its list, a number of its list, its range, or any value of
 * its attribute), and the values the changed documents hold now are
 * looked up among the keys.  Shapes without such a constraint are always
 * candidates.  A cloud that leaves an answer need not meet the key any
 * more: the caller finds those in the shapes' last answers
 * (icxd_subs_eval.c).  The keys are sorted by kind, attribute and value:
 * a probe costs a binary search per value and the shapes it hits (plus,
 * for ranges, the keys whose lower bound the value passes). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_subs_internal.h"

typedef struct subs_index_key {
  icx_plan_kind kind;        /* ANY, RANGE, NUMBERS or IRIS */
  const char *pred;          /* lent by the vocabulary */
  const char *iri;           /* IRIS */
  double v;                  /* NUMBERS: the number; RANGE: the lower bound */
  const icx_plan_part *part; /* RANGE: the bounds */
  icxd_subs_shape *shape;
} subs_index_key;

struct icxd_subs_index {
  subs_index_key *keys;
  size_t n, cap;
  icxd_subs_shape **rest;    /* always candidates */
  size_t n_rest;
};

static int subs_index_cmp(const void *a, const void *b)
{
  const subs_index_key *x = a, *y = b;
  int c;

  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  if ((c = strcmp(x->pred, y->pred)) != 0)
    return c;
  if (x->kind == ICX_PLAN_IRIS)
    return strcmp(x->iri, y->iri);
  return (x->v > y->v) - (x->v < y->v);
}

static int subs_index_add(icxd_subs_index *ix, const subs_index_key *k)
{
  if (ix->n == ix->cap) {
    size_t ncap = ix->cap ? ix->cap * 2 : 64;
    subs_index_key *nv = realloc(ix->keys, ncap * sizeof *nv);
    if (!nv)
      return -1;
    ix->keys = nv;
    ix->cap = ncap;
  }
  ix->keys[ix->n++] = *k;
  return 0;
}

/* How good a key item is: lower is more selective; -1 when it cannot
 * serve (soft, negative, untyped, no parts). */
static int subs_index_rank(const icx_plan_item *it)
{
  if (!it->required || it->negative || !it->n_parts || !it->predicate)
    return -1;
  switch (it->parts[0].kind) {
  case ICX_PLAN_IRIS:
    return it->parts[0].n_iris ? 0 : -1;
  case ICX_PLAN_NUMBERS:
    return it->parts[0].n_nums ? 1 : -1;
  case ICX_PLAN_RANGE:
    return 2;
  case ICX_PLAN_ANY:
    return 3;
  case ICX_PLAN_OTHER:
    break;
  }
  return -1;
}

/* Adds sh's keys (or sh to the rest).  0, or -1 on ENOMEM. */
static int subs_index_shape(icxd_subs_index *ix, icxd_subs_shape *sh)
{
  const icx_plan_item *best = NULL;
  subs_index_key k;
  size_t i;
  int r, best_r = -1;

  if (sh->set && sh->plan && icx_plan_typed(sh->plan)) {
    for (i = 0; i < icx_plan_count(sh->plan); i++) {
      const icx_plan_item *it = icx_plan_item_at(sh->plan, i);
      r = subs_index_rank(it);
      if (r >= 0 && (best_r < 0 || r < best_r)) {
        best = it;
        best_r = r;
      }
    }
  }
  if (!best) {
    ix->rest[ix->n_rest++] = sh;
    return 0;
  }
  memset(&k, 0, sizeof k);
  k.kind = best->parts[0].kind;
  k.pred = best->predicate;
  k.shape = sh;
  k.part = &best->parts[0];
  switch (k.kind) {
  case ICX_PLAN_IRIS:
    for (i = 0; i < k.part->n_iris; i++) {
      k.iri = k.part->iris[i];
      if (subs_index_add(ix, &k) != 0)
        return -1;
    }
    return 0;
  case ICX_PLAN_NUMBERS:
    for (i = 0; i < k.part->n_nums; i++) {
      k.v = k.part->nums[i];
      if (subs_index_add(ix, &k) != 0)
        return -1;
    }
    return 0;
  case ICX_PLAN_RANGE:
    k.v = k.part->lo;
    return subs_index_add(ix, &k);
  default:
    return subs_index_add(ix, &k);
  }
}

icxd_subs_index *icxd_subs_index_new(icxd_subs *subs)
{
  icxd_subs_index *ix = calloc(1, sizeof *ix);
  size_t i;

  if (!ix || !(ix->rest = calloc(subs->n_shapes + 1, sizeof *ix->rest))) {
    free(ix);
    return NULL;
  }
  for (i = 0; i < subs->n_shapes; i++)
    if (subs_index_shape(ix, subs->shapes[i]) != 0) {
      icxd_subs_index_free(ix);
      return NULL;
    }
  if (ix->n)
    qsort(ix->keys, ix->n, sizeof *ix->keys, subs_index_cmp);
  return ix;
}

void icxd_subs_index_free(icxd_subs_index *ix)
{
  if (!ix)
    return;
  free(ix->keys);
  free(ix->rest);
  free(ix);
}

/* The first key not below probe. */
static size_t subs_index_lower(const icxd_subs_index *ix, const subs_index_key *probe)
{
  size_t lo = 0, hi = ix->n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (subs_index_cmp(&ix->keys[mid], probe) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* 1 if num is in part's range (as icx_scope.c reads a RANGE part). */
static int subs_index_in_range(const icx_plan_part *pt, double num)
{
  return (pt->lo_open ? num > pt->lo : num >= pt->lo) &&
         (pt->hi_open ? num < pt->hi : num <= pt->hi);
}

static int subs_index_value(void *ud, const char *pred, const char *text, int iri,
                            int has_num, double num)
{
  const icxd_subs_index *ix = ud;
  subs_index_key probe;
  size_t i;

  memset(&probe, 0, sizeof probe);
  probe.pred = pred;
  /* Any value of the attribute. */
  probe.kind = ICX_PLAN_ANY;
  for (i = subs_index_lower(ix, &probe);
       i < ix->n && ix->keys[i].kind == ICX_PLAN_ANY && !strcmp(ix->keys[i].pred, pred); i++)
    ix->keys[i].shape->cand = 1;
  if (iri) {
    probe.kind = ICX_PLAN_IRIS;
    probe.iri = text;
    for (i = subs_index_lower(ix, &probe);
         i < ix->n && ix->keys[i].kind == ICX_PLAN_IRIS && !strcmp(ix->keys[i].pred, pred) &&
         !strcmp(ix->keys[i].iri, text);
         i++)
      ix->keys[i].shape->cand = 1;
  }
  if (has_num) {
    probe.kind = ICX_PLAN_NUMBERS;
    probe.v = num;
    for (i = subs_index_lower(ix, &probe);
         i < ix->n && ix->keys[i].kind == ICX_PLAN_NUMBERS && !strcmp(ix->keys[i].pred, pred) &&
         ix->keys[i].v == num;
         i++)
      ix->keys[i].shape->cand = 1;
    /* Ranges: from the lowest lower bound while it is not above num. */
    probe.kind = ICX_PLAN_RANGE;
    probe.v = -HUGE_VAL;
    for (i = subs_index_lower(ix, &probe);
         i < ix->n && ix->keys[i].kind == ICX_PLAN_RANGE && !strcmp(ix->keys[i].pred, pred) &&
         ix->keys[i].v <= num;
         i++)
      if (subs_index_in_range(ix->keys[i].part, num))
        ix->keys[i].shape->cand = 1;
  }
  return 0;
}

void icxd_subs_index_probe(const icxd_subs_index *ix, const icx_scope *sc)
{
  size_t i;

  for (i = 0; i < ix->n_rest; i++)
    ix->rest[i]->cand = 1;
  icx_scope_values(sc, subs_index_value, (void *)ix);
}

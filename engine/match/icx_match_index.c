/* icx_match_index.c - matching on the index: the typed plan (icx_plan.h)
 * run over the matching index (icx_index.h) without any query text.
 *
 * It gives what the SQL path gives for the compiled query, cloud for
 * cloud.  The query's rows are the ways to pick, for a cloud, one service
 * per service slot (the cloud itself for slot 0) meeting the slot's
 * required constraints; a soft or negated constraint's OPTIONAL binds
 * whenever the service has a value that meets it, so on a given service
 * whether it is met is fixed, and its degree is exact when one of its
 * values met is one asked for.  A cloud keeps its best row (score, then
 * fewest narrower): the slots are independent, and both counts are sums
 * over slots, so the best row is each slot's best service together.
 *
 * Per slot: the services meeting every required constraint (bitmaps of
 * subjects intersected, those of required negations subtracted), or, when
 * no required, positive constraint binds the service, those of the slot's
 * classes (rdf:type); then each service is scored and graded, walking
 * the graded items' bitmaps in step with the slot's subjects, and the
 * clouds offering it keep their best.  A slot without soft constraints
 * or individuals to grade needs no scores: the clouds that offer one of
 * its services are all it gives.
 *
 * About 870 lines, and one file because it is one run over structures of
 * its own (xrun, its slots and items, their cursors) that every step
 * reads and fills, from the items' bitmaps to the answer's hits; split,
 * they would need a header and an API for no reader's gain. */
#define _GNU_SOURCE 1               /* qsort_r() */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_index.h"
#include "icx_match_internal.h"
#include "icx_sort.h"
#include "icx_store_ids.h"
#include "icx_util.h"

typedef struct xitem {
  const icx_plan_item *it;
  const icx_index_pred *pred; /* NULL: a predicate the store lacks */
  size_t c;                   /* its index in the set */
  roaring_bitmap_t **sat;     /* per part: subjects with a value meeting it */
  roaring_bitmap_t **exact;   /* per part, graded only: ... with an asked value */
} xitem;

/* A walk, in step with the slot's subjects, over those of them meeting
 * one part of an item (or with an asked value): the subjects come in
 * ascending order, so whether one is met is a comparison with where the
 * walk stands, not a look-up in the part's bitmap. */
typedef struct xcursor {
  roaring_bitmap_t *bm;       /* the part's bitmap met with the slot's subjects */
  roaring_uint32_iterator_t it;
} xcursor;

/* A cloud's best service in a slot that scores. */
typedef struct xbest {
  uint32_t c;                 /* dense cloud number */
  int score, narrow;
} xbest;

typedef struct xslot {
  size_t *items;              /* indices into x->items */
  size_t n_items;
  int simple;                 /* no soft constraint and none graded */
  roaring_bitmap_t *subjects; /* services (slot 0: clouds) meeting the required ones */
  int bound;                  /* something bound subjects before the deferred parts */
  roaring_bitmap_t *clouds;   /* dense numbers of the clouds with such a service */
  /* Not simple: each cloud with a service and its best, by cloud (as
   * the services come, then settled), and n_items degrees per entry.
   * Only the clouds met are held, not an array of every cloud. */
  xbest *best;
  unsigned char *deg;
  size_t n_best, cap_best;
  size_t walk;                /* match_index_collect()'s place in best */
  /* Not simple: per item, where its parts' cursors start in sat and
   * exact (a cursor with no bitmap is not looked at). */
  size_t *part0;
  xcursor *sat, *exact;
  size_t n_cursors;
} xslot;

typedef struct xrun {
  icx_ctx *ctx;
  icx_index *ix;
  const icx_plan *plan;
  size_t n_items;
  xitem *items;
  size_t n_slots;
  xslot *slots;
  xslot *cur;                 /* the slot being scored */
  unsigned char *tmp_deg;
  int count_only;             /* only how many clouds: no scores, no names */
  icx_rc rc;                  /* why a step returned -1 (0: out of memory) */
} xrun;

/* The term ids of n IRIs, into a new array (0 for those the store lacks). */
static icx_id *
match_index_ids(xrun *x, const char *const *iris, size_t n)
{
  icx_id *ids = icx_calloc(x->ctx, n + 1, sizeof *ids);
  size_t k;

  if (!ids)
    return NULL;
  for (k = 0; k < n; k++)
    if ((ids[k] = icx_index_iri_id(x->ctx, x->ix, iris[k])) < 0) {
      x->rc = ICX_ERR_STORE;
      icx_free(x->ctx, ids);
      return NULL;
    }
  return ids;
}

/* Subjects of pred (NULL: a predicate the store lacks) whose object is one
 * of the IRIs, added to out. */
static int
match_index_iris(xrun *x, const icx_index_pred *pred, const char *const *iris, size_t n,
                 roaring_bitmap_t *out)
{
  icx_id *ids;

  if (!pred || !n)
    return 0;
  if (!(ids = match_index_ids(x, iris, n)))
    return -1;
  icx_index_subjects_of(pred, ids, n, out);
  icx_free(x->ctx, ids);
  return 0;
}

/* A part whose subjects only narrow its slot's (a required, positive
 * item's "any value"): not copied whole from the predicate, but met with
 * the slot's subjects when it comes to them (match_index_slot()).
 * Numbers are made whole: meeting each value's bitmap with the slot's
 * subjects cost more than joining them (paper's request at 1M: 15.4
 * against 10.7 ms), array containers being intersected one by one. */
static int
match_index_deferred(const icx_plan_item *it, size_t k)
{
  return it->required && !it->negative && it->parts[k].kind == ICX_PLAN_ANY;
}

/* Part k of item xi: its subjects added to out, or (keep) those of out
 * without it taken out of out. */
static int
match_index_part(xrun *x, const xitem *xi, size_t k, roaring_bitmap_t *out, int keep)
{
  const icx_plan_part *pt = &xi->it->parts[k];
  const icx_index_pred *pred = xi->pred;

  if (!pred) {
    if (keep)
      roaring_bitmap_and_inplace(out, xi->sat[k]);   /* empty */
    return 0;
  }
  switch (pt->kind) {
  case ICX_PLAN_ANY:
    if (keep)
      roaring_bitmap_and_inplace(out, icx_index_subjects_all(pred));
    else
      roaring_bitmap_or_inplace(out, icx_index_subjects_all(pred));
    return 0;
  case ICX_PLAN_RANGE:           /* the kinds below are never deferred */
    if (keep)
      return -1;
    icx_index_subjects_in_range(pred, pt->lo, pt->lo_open, pt->hi, pt->hi_open, out);
    return 0;
  case ICX_PLAN_NUMBERS:
    if (keep)
      return -1;
    icx_index_subjects_equal(pred, pt->nums, pt->n_nums, out);
    return 0;
  case ICX_PLAN_IRIS:
    return keep ? -1 : match_index_iris(x, pred, pt->iris, pt->n_iris, out);
  case ICX_PLAN_OTHER:
    break;                      /* refused before: icx_plan_typed() */
  }
  return -1;
}

/* The bitmaps of constraint item i (but for the parts deferred). */
static int
match_index_item(xrun *x, xitem *xi)
{
  const icx_plan_item *it = xi->it;
  icx_id p;
  size_t k;

  xi->sat = icx_calloc(x->ctx, it->n_parts + 1, sizeof *xi->sat);
  xi->exact = icx_calloc(x->ctx, it->n_parts + 1, sizeof *xi->exact);
  if (!xi->sat || !xi->exact)
    return -1;
  if ((p = icx_index_iri_id(x->ctx, x->ix, it->predicate)) < 0) {
    x->rc = ICX_ERR_STORE;
    return -1;
  }
  if (p > 0 && (x->rc = icx_index_pred_get(x->ctx, x->ix, p, &xi->pred)))
    return -1;
  for (k = 0; k < it->n_parts; k++) {
    const icx_plan_part *pt = &it->parts[k];
    if (!(xi->sat[k] = roaring_bitmap_create()))
      return -1;
    if (it->graded && !(xi->exact[k] = roaring_bitmap_create()))
      return -1;
    if (match_index_deferred(it, k))
      continue;
    if (match_index_part(x, xi, k, xi->sat[k], 0) ||
        (it->graded && xi->pred && pt->kind == ICX_PLAN_IRIS &&
         match_index_iris(x, xi->pred, pt->exact, pt->n_exact, xi->exact[k])))
      return -1;
  }
  return 0;
}

/* 1 when the walk c, at or before id, meets id (and it stays there). */
static int
match_index_cursor_has(xcursor *c, uint32_t id)
{
  while (c->it.has_value && c->it.current_value < id)
    roaring_advance_uint32_iterator(&c->it);
  return c->it.has_value && c->it.current_value == id;
}

/* Scores and grades subject id (one of slot s's subjects, which come in
 * ascending order) on s's items: deg gets one degree per item; *score
 * and *narrow the sums. */
static void
match_index_grade(const xrun *x, xslot *s, uint32_t id, int *score, int *narrow,
                  unsigned char *deg)
{
  size_t j, k;

  *score = 0;
  *narrow = 0;
  for (j = 0; j < s->n_items; j++) {
    const xitem *xi = &x->items[s->items[j]];
    const icx_plan_item *it = xi->it;
    xcursor *sat = s->sat + s->part0[j], *exact = s->exact + s->part0[j];
    /* The slot's subjects meet every part of a required, positive item
     * (match_index_slot() intersected them): only its grade to look up. */
    int met = 1, narrower = 0, known = it->required && !it->negative;
    for (k = 0; k < it->n_parts; k++) {
      if (!known && !match_index_cursor_has(&sat[k], id))
        met = 0;
      else if (it->graded && !match_index_cursor_has(&exact[k], id))
        narrower = 1;
    }
    if (it->negative)
      met = !met, narrower = 0;
    if (!met) {
      deg[j] = ICX_DEGREE_NONE;
      continue;
    }
    deg[j] = narrower ? ICX_DEGREE_NARROWER : ICX_DEGREE_EXACT;
    *narrow += narrower;
    if (!it->required)
      *score += it->weight;
  }
}

/* The cursors of scoring slot s, over its subjects as they now are.  -1
 * when out of memory. */
static int
match_index_cursors(xrun *x, xslot *s)
{
  size_t j, k, n = 0;

  if (!(s->part0 = icx_calloc(x->ctx, s->n_items + 1, sizeof *s->part0)))
    return -1;
  for (j = 0; j < s->n_items; j++) {
    s->part0[j] = n;
    n += x->items[s->items[j]].it->n_parts;
  }
  s->sat = icx_calloc(x->ctx, n + 1, sizeof *s->sat);
  s->exact = icx_calloc(x->ctx, n + 1, sizeof *s->exact);
  if (!s->sat || !s->exact)
    return -1;
  s->n_cursors = n;
  for (j = 0; j < s->n_items; j++) {
    const xitem *xi = &x->items[s->items[j]];
    const icx_plan_item *it = xi->it;
    for (k = 0; k < it->n_parts; k++) {
      xcursor *c[2] = {&s->sat[s->part0[j] + k], &s->exact[s->part0[j] + k]};
      roaring_bitmap_t *from[2] = {
          it->required && !it->negative ? NULL : xi->sat[k],   /* known: never looked at */
          it->graded ? xi->exact[k] : NULL};
      int w;
      for (w = 0; w < 2; w++) {
        if (!from[w])
          continue;
        if (!(c[w]->bm = roaring_bitmap_and(from[w], s->subjects)))
          return -1;
        roaring_init_iterator(c[w]->bm, &c[w]->it);
      }
    }
  }
  return 0;
}

/* 1 when (score, narrow) is better than b's. */
static int
match_index_better(int score, int narrow, const xbest *b)
{
  return score > b->score || (score == b->score && narrow < b->narrow);
}

/* A service (or, slot 0, the cloud itself) for dense cloud c.  A cloud's
 * services mostly come one after the other (a document's terms have
 * neighbouring ids): the one before is kept or replaced here, and a cloud
 * met again later gets a second entry, settled by
 * match_index_settle().  Non-0 (out of memory) stops. */
static int
match_index_offer(void *ud, uint32_t service, size_t c)
{
  xrun *x = ud;
  xslot *s = x->cur;
  xbest *b;
  int score, narrow;

  if (s->simple) {
    roaring_bitmap_add(s->clouds, (uint32_t)c);
    return 0;
  }
  match_index_grade(x, s, service, &score, &narrow, x->tmp_deg);
  if (s->n_best && s->best[s->n_best - 1].c == c) {
    b = &s->best[s->n_best - 1];
    if (!match_index_better(score, narrow, b))
      return 0;
  } else {
    if (s->n_best == s->cap_best) {
      size_t ncap = s->cap_best ? s->cap_best * 2 : 1024;
      xbest *nb = icx_realloc(x->ctx, s->best, ncap * sizeof *nb);
      unsigned char *nd = nb ? icx_realloc(x->ctx, s->deg, ncap * s->n_items + 1) : NULL;
      s->best = nb ? nb : s->best;
      s->deg = nd ? nd : s->deg;
      if (!nd)
        return 1;
      s->cap_best = ncap;
    }
    b = &s->best[s->n_best++];
    b->c = (uint32_t)c;
  }
  b->score = score;
  b->narrow = narrow;
  memcpy(s->deg + (size_t)(b - s->best) * s->n_items, x->tmp_deg, s->n_items);
  return 0;
}

/* Orders entries i, j of a slot's best: by cloud, then as they came. */
static int
match_index_cmp_best(const void *a, const void *b, void *ud)
{
  const xbest *best = ud;
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

  if (best[i].c != best[j].c)
    return best[i].c < best[j].c ? -1 : 1;
  return (i > j) - (i < j);
}

/* A scoring slot's entries by cloud, one per cloud (of one cloud's, the
 * first of the best, as they came), and its clouds' bitmap from them.
 * -1 when out of memory. */
static int
match_index_settle(xrun *x, xslot *s)
{
  size_t i, n = 0;
  uint32_t *order = NULL, *cs;
  xbest *best = NULL;
  unsigned char *deg = NULL;
  int sorted = 1;

  for (i = 1; i < s->n_best && sorted; i++)
    sorted = s->best[i - 1].c < s->best[i].c;
  if (!sorted) {
    order = icx_malloc(x->ctx, s->n_best * sizeof *order);
    best = icx_malloc(x->ctx, s->n_best * sizeof *best);
    deg = icx_malloc(x->ctx, s->n_best * s->n_items + 1);
    if (!order || !best || !deg) {
      icx_free(x->ctx, order);
      icx_free(x->ctx, best);
      icx_free(x->ctx, deg);
      return -1;
    }
    for (i = 0; i < s->n_best; i++)
      order[i] = (uint32_t)i;
    qsort_r(order, s->n_best, sizeof *order, match_index_cmp_best, s->best);
    for (i = 0; i < s->n_best; i++) {
      const xbest *e = &s->best[order[i]];
      if (n && best[n - 1].c == e->c) {
        if (!match_index_better(e->score, e->narrow, &best[n - 1]))
          continue;
        n--;
      }
      best[n] = *e;
      memcpy(deg + n * s->n_items, s->deg + (size_t)order[i] * s->n_items, s->n_items);
      n++;
    }
    icx_free(x->ctx, order);
    icx_free(x->ctx, s->best);
    icx_free(x->ctx, s->deg);
    s->best = best;
    s->deg = deg;
    s->n_best = s->cap_best = n;
  }
  /* The clouds, ascending, into the slot's bitmap. */
  if (!(cs = icx_malloc(x->ctx, (s->n_best + 1) * sizeof *cs)))
    return -1;
  for (i = 0; i < s->n_best; i++)
    cs[i] = s->best[i].c;
  roaring_bitmap_add_many(s->clouds, s->n_best, cs);
  icx_free(x->ctx, cs);
  return 0;
}

/* -1, 0 or 1 as bitmap a has fewer, as many or more members than b
 * (qsort() over pointers to them). */
static int
match_index_by_size(const void *a, const void *b)
{
  uint64_t na = roaring_bitmap_get_cardinality(*(roaring_bitmap_t *const *)a);
  uint64_t nb = roaring_bitmap_get_cardinality(*(roaring_bitmap_t *const *)b);

  return (na > nb) - (na < nb);
}

/* Slot si's subjects from what binds them before the deferred parts:
 * the clouds (slot 0) and the bitmaps of its required, positive parts,
 * met smallest first, the first two into a new bitmap (nothing copied
 * whole); s->subjects stays NULL and s->bound 0 when nothing binds it.
 * 0, or -1 when memory runs out. */
static int
match_index_bind(xrun *x, size_t si)
{
  xslot *s = &x->slots[si];
  const roaring_bitmap_t **bm;
  size_t j, k, n = 0, cap = 1;

  for (j = 0; j < s->n_items; j++)
    cap += x->items[s->items[j]].it->n_parts;
  if (!(bm = icx_calloc(x->ctx, cap, sizeof *bm)))
    return -1;
  if (si == 0)
    bm[n++] = icx_index_cloud_ids(x->ix);
  for (j = 0; j < s->n_items; j++) {
    const xitem *xi = &x->items[s->items[j]];
    if (!xi->it->required || xi->it->negative)
      continue;
    for (k = 0; k < xi->it->n_parts; k++)
      if (!match_index_deferred(xi->it, k))
        bm[n++] = xi->sat[k];
  }
  qsort(bm, n, sizeof *bm, match_index_by_size);
  s->bound = n > 0;
  if (n == 1)
    s->subjects = roaring_bitmap_copy(bm[0]);
  else if (n > 1)
    s->subjects = roaring_bitmap_and(bm[0], bm[1]);
  for (k = 2; s->subjects && k < n; k++)
    roaring_bitmap_and_inplace(s->subjects, bm[k]);
  icx_free(x->ctx, bm);
  return n > 0 && !s->subjects ? -1 : 0;
}

/* Slot si: its services, then the clouds with one and their best. */
static int
match_index_slot(xrun *x, size_t si)
{
  xslot *s = &x->slots[si];
  size_t j, k, nc = icx_index_cloud_count(x->ix);
  int bound;

  if (!(s->clouds = roaring_bitmap_create()) || match_index_bind(x, si) ||
      (!s->subjects && !(s->subjects = roaring_bitmap_create())))
    return -1;
  bound = s->bound;
  s->simple = 1;
  for (j = 0; j < s->n_items; j++) {
    const xitem *xi = &x->items[s->items[j]];
    if (!xi->it->required || xi->it->graded)
      s->simple = 0;
  }
  /* The deferred parts meet what the others left (the first made whole
   * when nothing else binds the slot). */
  for (j = 0; j < s->n_items; j++) {
    const xitem *xi = &x->items[s->items[j]];
    for (k = 0; k < xi->it->n_parts; k++) {
      if (!match_index_deferred(xi->it, k))
        continue;
      if (match_index_part(x, xi, k, s->subjects, bound))
        return -1;
      bound = 1;
    }
  }
  if (!bound || (si == 0 && icx_plan_slot_types(x->plan, 0))) {
    /* The type pattern binds the service (or, with no constraints, types
     * the cloud). */
    const char *const *types = icx_plan_slot_types(x->plan, si);
    roaring_bitmap_t *typed;
    icx_id t = icx_index_iri_id(x->ctx, x->ix, ICX_PLAN_RDF_TYPE);
    const icx_index_pred *tp = NULL;
    size_t n = 0;
    if (t < 0) {
      x->rc = ICX_ERR_STORE;
      return -1;
    }
    if (t > 0 && (x->rc = icx_index_pred_get(x->ctx, x->ix, t, &tp)))
      return -1;
    while (types && types[n])
      n++;
    typed = roaring_bitmap_create();
    if (!typed || match_index_iris(x, tp, types, n, typed)) {
      if (typed)
        roaring_bitmap_free(typed);
      return -1;
    }
    if (bound)
      roaring_bitmap_and_inplace(s->subjects, typed);
    else
      roaring_bitmap_or_inplace(s->subjects, typed);
    roaring_bitmap_free(typed);
  }
  for (j = 0; j < s->n_items; j++) {
    const xitem *xi = &x->items[s->items[j]];
    if (xi->it->required && xi->it->negative)
      roaring_bitmap_andnot_inplace(s->subjects, xi->sat[0]);
  }
  if (x->count_only)           /* which clouds, not how well */
    s->simple = 1;
  if (!s->simple && match_index_cursors(x, s))
    return -1;
  x->cur = s;
  if (si == 0 && !s->n_items && !icx_plan_slot_types(x->plan, 0)) {
    if (nc)                     /* nothing asked of the cloud itself: every one */
      roaring_bitmap_add_range_closed(s->clouds, 0, (uint32_t)(nc - 1));
  } else if (si == 0) {
    /* The subjects are named clouds, in id order: their dense numbers
     * come in step. */
    roaring_uint32_iterator_t it;
    size_t pos = 0;
    roaring_init_iterator(s->subjects, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
      pos = icx_index_cloud_seek(x->ix, it.current_value, pos);
      if (pos < nc && match_index_offer(x, it.current_value, pos))
        return -1;
    }
  } else if (icx_index_each_offer(x->ix, s->subjects, match_index_offer, x)) {
    return -1;
  }
  return s->simple ? 0 : match_index_settle(x, s);
}

static void
match_index_clear(xrun *x)
{
  size_t i, k;

  for (i = 0; x->items && i < x->n_items; i++) {
    xitem *xi = &x->items[i];
    for (k = 0; xi->it && k < xi->it->n_parts; k++) {
      if (xi->sat && xi->sat[k])
        roaring_bitmap_free(xi->sat[k]);
      if (xi->exact && xi->exact[k])
        roaring_bitmap_free(xi->exact[k]);
    }
    icx_free(x->ctx, xi->sat);
    icx_free(x->ctx, xi->exact);
  }
  for (i = 0; x->slots && i < x->n_slots; i++) {
    xslot *s = &x->slots[i];
    if (s->subjects)
      roaring_bitmap_free(s->subjects);
    if (s->clouds)
      roaring_bitmap_free(s->clouds);
    for (k = 0; k < s->n_cursors; k++) {
      if (s->sat[k].bm)
        roaring_bitmap_free(s->sat[k].bm);
      if (s->exact[k].bm)
        roaring_bitmap_free(s->exact[k].bm);
    }
    icx_free(x->ctx, s->sat);
    icx_free(x->ctx, s->exact);
    icx_free(x->ctx, s->part0);
    icx_free(x->ctx, s->items);
    icx_free(x->ctx, s->best);
    icx_free(x->ctx, s->deg);
  }
  icx_free(x->ctx, x->items);
  icx_free(x->ctx, x->slots);
  icx_free(x->ctx, x->tmp_deg);
}

/* A matching cloud under one of its names, before the best of each name
 * is kept. */
typedef struct xcand {
  uint32_t k;                 /* the cloud's place among those answering */
  uint32_t name_id;           /* the name's term */
  int score, narrow;
} xcand;

/* The clouds every slot gives, as hits of m: one per name text, its best,
 * in the answer's order (score, then name), without comparing a string:
 * a name's rank orders as its text (icx_index_names_order()). */
static icx_rc
match_index_collect(xrun *x, icx_match *m)
{
  icx_ctx *ctx = x->ctx;
  roaring_bitmap_t *all;
  roaring_uint32_iterator_t it;
  xcand *cand = NULL;
  uint64_t *key = NULL;
  uint32_t *val = NULL, *lens = NULL, *at = NULL;
  const char **texts = NULL;
  size_t si, j, n = 0, cap, i, o, len, k = 0, n_all;
  uint32_t blk[256], bi, bn;
  icx_degree *degrees;
  char *text;
  int scored = 0;
  icx_rc rc = ICX_OK;

  if ((rc = icx_index_names_order(ctx, x->ix)))
    return rc;
  if (!(all = roaring_bitmap_copy(x->slots[0].clouds)))
    return ICX_ERR_NOMEM;
  for (si = 1; si < x->n_slots; si++)
    roaring_bitmap_and_inplace(all, x->slots[si].clouds);
  for (si = 0; si < x->n_slots; si++)
    scored |= !x->slots[si].simple;
  n_all = (size_t)roaring_bitmap_get_cardinality(all);
  cap = n_all + 16;
  cand = icx_malloc(ctx, cap * sizeof *cand);
  key = icx_malloc(ctx, cap * sizeof *key);
  val = icx_malloc(ctx, cap * sizeof *val);
  /* at: per answering cloud and scoring slot, its entry in the slot's
   * best (both ascend by cloud: walked in step). */
  at = scored ? icx_malloc(ctx, (n_all * x->n_slots + 1) * sizeof *at) : NULL;
  if (!cand || !key || !val || (scored && !at))
    goto nomem;
  for (si = 0; si < x->n_slots; si++)
    x->slots[si].walk = 0;
  roaring_init_iterator(all, &it);
  for (bi = bn = 0;; bi++, k++) {
    size_t c, first, nn;
    const uint32_t *names;
    int score = 0, narrow = 0;
    if (bi == bn) {
      /* The next block of clouds: where their names are, then the names,
       * asked for ahead (misses in arrays of a million, overlapped). */
      if (!(bn = roaring_read_uint32_iterator(&it, blk, 256)))
        break;
      bi = 0;
      for (j = 0; j < bn; j++)
        icx_index_cloud_names_ahead(x->ix, blk[j], 1);
      for (j = 0; j < bn; j++)
        icx_index_cloud_names_ahead(x->ix, blk[j], 2);
    }
    c = blk[bi];
    nn = icx_index_cloud_names(x->ix, c, &names, &first);
    for (si = 0; scored && si < x->n_slots; si++) {
      xslot *s = &x->slots[si];
      if (s->simple)
        continue;
      while (s->best[s->walk].c < c)    /* c is among them: the walk stops */
        s->walk++;
      at[k * x->n_slots + si] = (uint32_t)s->walk;
      score += s->best[s->walk].score;
      narrow += s->best[s->walk].narrow;
    }
    if (n + nn > cap) {         /* a cloud of several names */
      size_t ncap = (n + nn) * 2;
      xcand *nc = icx_realloc(ctx, cand, ncap * sizeof *nc);
      uint64_t *nk = nc ? icx_realloc(ctx, key, ncap * sizeof *nk) : NULL;
      uint32_t *nv = nk ? icx_realloc(ctx, val, ncap * sizeof *nv) : NULL;
      cand = nc ? nc : cand;
      key = nk ? nk : key;
      val = nv ? nv : val;
      if (!nv)
        goto nomem;
      cap = ncap;
    }
    for (j = 0; j < nn; j++) {
      cand[n].k = (uint32_t)k;
      cand[n].name_id = names[j];
      cand[n].score = score;
      cand[n].narrow = narrow;
      key[n] = icx_index_name_rank(x->ix, first + j);
      val[n] = (uint32_t)n;
      n++;
    }
  }
  /* By name; of one name (two clouds, or two terms of one text), the
   * best. */
  if (icx_sort_pairs(ctx, key, val, n))
    goto nomem;
  for (i = 0, o = 0; i < n; i++) {
    const xcand *a = &cand[val[i]];
    if (o && key[o - 1] == key[i]) {
      const xcand *b = &cand[val[o - 1]];
      if (a->score > b->score || (a->score == b->score && a->narrow < b->narrow))
        val[o - 1] = val[i];
      continue;
    }
    key[o] = key[i];
    val[o++] = val[i];
  }
  n = o;
  /* Then by score, highest first (the rank below keeps names in order). */
  if (scored) {
    for (i = 0; i < n; i++)
      key[i] |= (uint64_t)(~((uint32_t)cand[val[i]].score ^ 0x80000000u)) << 32;
    if (icx_sort_pairs(ctx, key, val, n))
      goto nomem;
  }
  /* The hits' degrees, then their names, in one block (m->pool). */
  texts = icx_malloc(ctx, (n + 1) * sizeof *texts);
  lens = icx_malloc(ctx, (n + 1) * sizeof *lens);
  if (!texts || !lens)
    goto nomem;
  len = icx_index_rank_texts(x->ix, key, n, texts, lens) + n;
  m->hits = icx_calloc(ctx, n + 1, sizeof *m->hits);
  degrees = m->pool = icx_malloc(ctx, n * m->n_constraints * sizeof *degrees + len + 1);
  if (!m->hits || !m->pool)
    goto nomem;
  text = (char *)(degrees + n * m->n_constraints);
  for (i = 0; i < n; i++) {
    const xcand *a = &cand[val[i]];
    match_hit *h = &m->hits[i];
    size_t nlen = (size_t)lens[i] + 1;
    if (i + 8 < n)
      ICX_PREFETCH(texts[i + 8]);
    h->score = a->score;
    h->narrower = a->narrow;
    h->name_id = a->name_id;
    h->name = memcpy(text, texts[i], nlen);
    text += nlen;
    h->degrees = degrees;
    degrees += m->n_constraints;
    m->n++;
    for (si = 0; si < x->n_slots; si++) {
      const xslot *s = &x->slots[si];
      for (j = 0; j < s->n_items; j++)
        h->degrees[x->items[s->items[j]].c] =
          s->simple ? ICX_DEGREE_EXACT
                    : (icx_degree)s->deg[(size_t)at[a->k * x->n_slots + si] * s->n_items + j];
    }
  }
  m->ordered = 1;
  goto done;
nomem:
  rc = ICX_ERR_NOMEM;
done:
  roaring_bitmap_free(all);
  icx_free(ctx, cand);
  icx_free(ctx, key);
  icx_free(ctx, val);
  icx_free(ctx, texts);
  icx_free(ctx, lens);
  icx_free(ctx, at);
  return rc;
}

/* How many answers the clouds every slot gives make: their names' distinct
 * texts, as the answer would list them. */
static icx_rc
match_index_count(xrun *x, size_t *count, const icx_match_lookfor *look)
{
  roaring_bitmap_t *all, *ranks;
  roaring_uint32_iterator_t it;
  size_t si, j;
  uint32_t r;
  icx_rc rc;

  if ((rc = icx_index_names_order(x->ctx, x->ix)))
    return rc;
  if (!(all = roaring_bitmap_copy(x->slots[0].clouds)))
    return ICX_ERR_NOMEM;
  for (si = 1; si < x->n_slots; si++)
    roaring_bitmap_and_inplace(all, x->slots[si].clouds);
  if (!(ranks = roaring_bitmap_create())) {
    roaring_bitmap_free(all);
    return ICX_ERR_NOMEM;
  }
  for (roaring_init_iterator(all, &it); it.has_value; roaring_advance_uint32_iterator(&it)) {
    const uint32_t *ids;
    size_t first, nn = icx_index_cloud_names(x->ix, it.current_value, &ids, &first);
    for (j = 0; j < nn; j++)
      roaring_bitmap_add(ranks, icx_index_name_rank(x->ix, first + j));
  }
  roaring_bitmap_free(all);
  *count = (size_t)roaring_bitmap_get_cardinality(ranks);
  /* A name is among the answer's when its text's rank is; ranks order as
   * the texts. */
  for (j = 0; look && j < look->n; j++)
    look->has[j] = look->names[j] && icx_index_rank_of(x->ix, look->names[j], &r) &&
                   roaring_bitmap_contains(ranks, r);
  j = 0;
  if (look && look->n_first)
    for (roaring_init_iterator(ranks, &it); it.has_value && j < look->n_first;
         roaring_advance_uint32_iterator(&it), j++)
      if (!(look->first[j] = icx_strdup(x->ctx, icx_index_rank_text(x->ix, it.current_value)))) {
        roaring_bitmap_free(ranks);
        return ICX_ERR_NOMEM;
      }
  roaring_bitmap_free(ranks);
  return ICX_OK;
}

/* The plan on the index: the answer into m, or (count not NULL) only how
 * many clouds it would hold and (look not NULL) which of look's names. */
static icx_rc
match_index_run(icx_ctx *ctx, icx_store *store, const icx_plan *plan, icx_match *m,
                size_t *count, const icx_match_lookfor *look, int *answered)
{
  xrun x;
  icx_id name_p, offers_p;
  size_t i;
  int own_tx;
  double t0 = icx_now_ms();
  icx_rc rc;

  *answered = 0;
  if (!icx_plan_typed(plan))
    return ICX_OK;
  memset(&x, 0, sizeof x);
  x.ctx = ctx;
  x.plan = plan;
  x.count_only = count != NULL;
  own_tx = icx_store_read_begin(store);
  rc = icx_index_get(ctx, store, &x.ix);
  if (rc == ICX_ERR_LIMIT) {   /* ids the index cannot hold: the SQL path answers */
    rc = ICX_OK;
    goto done;
  }
  if (rc)
    goto done;
  if ((name_p = icx_index_iri_id(ctx, x.ix, icx_plan_name_property(plan))) < 0 ||
      (offers_p = icx_index_iri_id(ctx, x.ix, icx_plan_offers_property(plan))) < 0) {
    rc = ICX_ERR_STORE;
    goto done;
  }
  /* The names in text order now, before the predicates and the slots'
   * arrays: what ordering them needs for a while (every text read, then
   * laid out again) is freed before those arrays are made, and they reuse
   * it, which keeps a cold first request's peak lower. */
  if ((rc = icx_index_clouds(ctx, x.ix, name_p, offers_p)) ||
      (rc = icx_index_names_order(ctx, x.ix)))
    goto done;
  x.n_items = icx_plan_count(plan);
  x.n_slots = icx_plan_slot_count(plan);
  x.items = icx_calloc(ctx, x.n_items + 1, sizeof *x.items);
  x.slots = icx_calloc(ctx, x.n_slots + 1, sizeof *x.slots);
  x.tmp_deg = icx_calloc(ctx, x.n_items + 1, 1);
  if (!x.items || !x.slots || !x.tmp_deg)
    goto nomem;
  for (i = 0; i < x.n_slots; i++)
    if (!(x.slots[i].items = icx_calloc(ctx, x.n_items + 1, sizeof *x.slots[i].items)))
      goto nomem;
  for (i = 0; i < x.n_items; i++) {
    xslot *s;
    x.items[i].it = icx_plan_item_at(plan, i);
    x.items[i].c = i;
    s = &x.slots[x.items[i].it->slot];
    s->items[s->n_items++] = i;
    if (match_index_item(&x, &x.items[i]))
      goto failed;
  }
  for (i = 0; i < x.n_slots; i++) {
    if (icx_deadline_passed(ctx)) {
      rc = ICX_ERR_LIMIT;
      goto done;
    }
    if (match_index_slot(&x, i))
      goto failed;
  }
  if ((rc = count ? match_index_count(&x, count, look) : match_index_collect(&x, m)))
    goto done;
  *answered = 1;
  icx_log(ctx, ICX_LOG_DEBUG, "match", "index path: %zu clouds%s in %.2f ms",
          count ? *count : m->n, count ? " counted" : "", icx_now_ms() - t0);
  goto done;
nomem:
  rc = ICX_ERR_NOMEM;
  goto done;
failed:
  rc = x.rc ? x.rc : ICX_ERR_NOMEM;
done:
  if (rc == ICX_ERR_NOMEM)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  rc = icx_store_read_end(store, own_tx, rc);
  match_index_clear(&x);
  return rc;
}

icx_rc
icx_match_index_query(icx_ctx *ctx, icx_store *store, const icx_plan *plan, icx_match *m,
                      int *answered)
{
  return match_index_run(ctx, store, plan, m, NULL, NULL, answered);
}

icx_rc
icx_match_index_count(icx_ctx *ctx, icx_store *store, const icx_plan *plan, size_t *count,
                      const icx_match_lookfor *look, int *answered)
{
  return match_index_run(ctx, store, plan, NULL, count, look, answered);
}

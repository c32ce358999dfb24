/* icx_index_apply.c - keeping the matching index current change by change
 * (icx_index.h): the store's change log says which documents changed
 * since the index was read; the subjects those documents held before
 * and hold now are taken out of every predicate, the clouds and the
 * offers, and put back as the store now has them.
 *
 * Why by subject: what the index holds of a predicate is every quad of
 * it, in every graph, as (object, subject) and (number, subject).  A
 * document's change touches only quads in its own graph, whose subjects
 * are the graph's subjects before (logged with the change) and after
 * (read from the graph now) and the graph's own IRI (the subject of its
 * bookkeeping).  Dropping every entry of those subjects and reading their
 * quads again (one range of the store's primary key each, in every graph)
 * leaves exactly what a rebuild would read.  Term ids are never reused,
 * so every other entry stays right.
 *
 * Each predicate is rebuilt by one merge of its old arrays (less the
 * changed subjects, tested in a bitset) with the changed subjects' new
 * statements, sorted: linear in what the predicate holds, with no store
 * reads.  An object's or a value's bitmap is kept when its subjects did
 * not change, and edited (changed subjects out, new ones in) when they
 * did.  The clouds
 * keep their id order, so the dense numbers of the clouds that stay move
 * by a monotone map and the offers are merged the same way.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_index_internal.h"
#include "icx_store_ids.h"

/* Past this many changed subjects (plus one in 16 of what the index
 * holds), reading everything again costs less than applying. */
#define APPLY_SUBJECTS_MIN 4096
/* The widest span of changed ids tested in a bitset (32 MiB of it). */
#define APPLY_MASK_MAX (1u << 28)

/* One statement of a changed subject, as the store has it now. */
typedef struct apply_rec {
  uint32_t p, o, s;
  double num;                 /* NAN: the object has no number */
} apply_rec;

typedef struct apply_run {
  icx_ctx *ctx;               /* for scratch memory */
  icx_index *ix;
  roaring_bitmap_t *changed;  /* the subjects to take out and read again */
  icx_index_u32s graphs;      /* the graphs of the changes */
  uint64_t *mask;             /* changed, as a bitset over ids mask_lo .. mask_top */
  uint32_t mask_lo, mask_top;
  apply_rec *recs;
  size_t n_recs, cap_recs;
  int give_up;                /* 1: the changes cannot be applied */
} apply_run;

static int
apply_masked(const apply_run *r, uint32_t id)
{
  return id >= r->mask_lo && id <= r->mask_top &&
         (r->mask[(id - r->mask_lo) >> 6] >> ((id - r->mask_lo) & 63)) & 1;
}

/* --- what changed ------------------------------------------------------------ */

static int
apply_add_id(apply_run *r, icx_id id)
{
  if (id <= 0 || id > UINT32_MAX) {
    r->give_up = 1;
    return 1;
  }
  roaring_bitmap_add(r->changed, (uint32_t)id);
  return 0;
}

static int
apply_change(void *ud, const icx_store_change *c)
{
  apply_run *r = ud;
  size_t i;

  if (c->kind == ICX_STORE_CHANGE_OTHER || c->graph <= 0) {
    r->give_up = 1;             /* anything may have changed */
    return 1;
  }
  if (apply_add_id(r, c->graph))
    return 1;
  for (i = 0; i < c->n_before; i++)
    if (apply_add_id(r, c->before[i]))
      return 1;
  if (icx_index_push(r->ctx, &r->graphs, (uint32_t)c->graph)) {
    r->give_up = 1;
    return 1;
  }
  return 0;
}

static int
apply_graph_quad(void *ud, icx_id s, icx_id p, icx_id o)
{
  (void)p;
  (void)o;
  return apply_add_id(ud, s);
}

/* 1 when the index holds predicate p (or reads it for its clouds). */
static int
apply_wanted(const icx_index *ix, uint32_t p)
{
  size_t i;

  if (ix->clouds_read && (p == (uint32_t)ix->name_p || p == (uint32_t)ix->offers_p))
    return 1;
  for (i = 0; i < ix->n_preds; i++)
    if ((uint32_t)ix->preds[i]->p == p)
      return 1;
  return 0;
}

typedef struct apply_subject {
  apply_run *r;
  uint32_t s;
} apply_subject;

static int
apply_subject_quad(void *ud, icx_id p, icx_id o, double num)
{
  apply_subject *a = ud;
  apply_run *r = a->r;

  if (p <= 0 || o <= 0 || p > UINT32_MAX || o > UINT32_MAX) {
    r->give_up = 1;
    return 1;
  }
  if (!apply_wanted(r->ix, (uint32_t)p))
    return 0;
  if (r->n_recs == r->cap_recs) {
    size_t ncap = r->cap_recs ? r->cap_recs * 2 : 256;
    apply_rec *nv = icx_realloc(r->ctx, r->recs, ncap * sizeof *nv);
    if (!nv) {
      r->give_up = 1;
      return 1;
    }
    r->recs = nv;
    r->cap_recs = ncap;
  }
  r->recs[r->n_recs].p = (uint32_t)p;
  r->recs[r->n_recs].o = (uint32_t)o;
  r->recs[r->n_recs].s = a->s;
  r->recs[r->n_recs].num = num;
  r->n_recs++;
  return 0;
}

static int
apply_cmp_pos(const void *x, const void *y)
{
  const apply_rec *a = x, *b = y;

  if (a->p != b->p)
    return a->p < b->p ? -1 : 1;
  if (a->o != b->o)
    return a->o < b->o ? -1 : 1;
  return (a->s > b->s) - (a->s < b->s);
}

/* The first record of predicate p (recs sorted by p, o, s). */
static size_t
apply_first_of(const apply_run *r, uint32_t p)
{
  size_t lo = 0, hi = r->n_recs;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r->recs[mid].p < p)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* --- a predicate ----------------------------------------------------------------- */

typedef struct apply_num {
  double num;
  uint32_t s;
} apply_num;

static int
apply_cmp_num(const void *x, const void *y)
{
  const apply_num *a = x, *b = y;

  if (a->num != b->num)
    return a->num < b->num ? -1 : 1;
  return (a->s > b->s) - (a->s < b->s);
}

/* One key's subjects (an object's or a value's) after the changes: its
 * bitmap bm (NULL: none), edited in place when anything of it changed, or
 * its old run[0 .. n_old) less the changed subjects merged with add[0 ..
 * n_add) (ascending).  The result is appended to subj at *n (a run) or
 * put in *out (INDEX_BITMAP_MIN subjects or more); bm is the caller's no
 * more.  How many subjects the key has now, or -1 when out of memory. */
static long
apply_key(const apply_run *r, roaring_bitmap_t *bm, const uint32_t *run, size_t n_old,
          const uint32_t *add, size_t n_add, uint32_t *subj, size_t *n, roaring_bitmap_t **out)
{
  size_t start = *n, x = 0, y = 0, count;

  *out = NULL;
  if (bm) {
    if (n_add || roaring_bitmap_intersect(bm, r->changed)) {
      roaring_bitmap_andnot_inplace(bm, r->changed);
      roaring_bitmap_add_many(bm, n_add, add);
    }
    count = (size_t)roaring_bitmap_get_cardinality(bm);
    if (count >= INDEX_BITMAP_MIN) {
      *out = bm;
    } else {                    /* fallen below: a run */
      roaring_bitmap_to_uint32_array(bm, subj + start);
      *n += count;
      roaring_bitmap_free(bm);
    }
    return (long)count;
  }
  while (x < n_old || y < n_add) {
    if (x < n_old && (y == n_add || run[x] <= add[y])) {
      if (!apply_masked(r, run[x]))
        subj[(*n)++] = run[x];
      x++;
    } else {
      subj[(*n)++] = add[y++];
    }
  }
  count = *n - start;
  if (count >= INDEX_BITMAP_MIN) {
    if (!(*out = roaring_bitmap_of_ptr(count, subj + start)))
      return -1;
    roaring_bitmap_run_optimize(*out);
    *n = start;
  }
  return (long)count;
}

/* Room for the runs of keys after the changes: the runs now, what is
 * added, and every bitmap falling below the threshold. */
static size_t
apply_run_room(size_t n_run, size_t n_add, roaring_bitmap_t *const *bm, size_t n_keys)
{
  size_t k, room = n_run + n_add + 1;

  for (k = 0; k < n_keys; k++)
    room += bm[k] ? INDEX_BITMAP_MIN : 0;
  return room;
}

/* The numbers of pr: each value's subjects less the changed ones, merged
 * with the records' (recs[a .. b), all of pr's predicate). */
static int
apply_numbers(apply_run *r, icx_index_pred *pr, size_t a, size_t b)
{
  icx_ctx *mem = r->ix->mem;
  apply_num *add;
  uint32_t *tmp, *subj = NULL, *off = NULL;
  double *val = NULL;
  roaring_bitmap_t **bm = NULL;
  size_t k = 0, i, j = 0, m = 0, n = 0, cap = 0, total = 0;
  int rc = -1;

  add = icx_malloc(r->ctx, (b - a + 1) * sizeof *add);
  tmp = icx_malloc(r->ctx, (b - a + 1) * sizeof *tmp);
  if (!add || !tmp)
    goto done;
  for (i = a; i < b; i++)
    if (!isnan(r->recs[i].num)) {
      add[k].num = r->recs[i].num;
      add[k++].s = r->recs[i].s;
    }
  qsort(add, k, sizeof *add, apply_cmp_num);
  cap = pr->n_val + k + 1;
  val = icx_malloc(mem, cap * sizeof *val);
  off = icx_malloc(mem, (cap + 1) * sizeof *off);
  bm = icx_calloc(mem, cap, sizeof *bm);
  subj = icx_malloc(mem, apply_run_room(pr->n_num_run, k, pr->val_bm, pr->n_val) * sizeof *subj);
  if (!val || !off || !bm || !subj)
    goto done;
  i = 0;
  while (i < pr->n_val || j < k) {
    double v = i < pr->n_val && (j == k || pr->val[i] <= add[j].num) ? pr->val[i] : add[j].num;
    int had = i < pr->n_val && pr->val[i] == v;
    size_t j0 = j, start = n;
    long count;

    while (j < k && add[j].num == v) {
      tmp[j - j0] = add[j].s;
      j++;
    }
    count = apply_key(r, had ? pr->val_bm[i] : NULL, had ? pr->num_subj + pr->val_off[i] : NULL,
                      had ? pr->val_off[i + 1] - pr->val_off[i] : 0, tmp, j - j0, subj, &n,
                      &bm[m]);
    if (had)
      pr->val_bm[i++] = NULL;
    if (count < 0)
      goto done;
    if (count) {
      val[m] = v;
      off[m++] = (uint32_t)start;
      total += (size_t)count;
    }
  }
  off[m] = (uint32_t)n;
  for (i = 0; i < pr->n_val; i++)
    if (pr->val_bm[i])
      roaring_bitmap_free(pr->val_bm[i]);
  icx_index_pred_release(mem, pr, pr->val);
  icx_index_pred_release(mem, pr, pr->val_off);
  icx_free(mem, pr->val_bm);
  icx_index_pred_release(mem, pr, pr->num_subj);
  pr->val = val;
  pr->val_off = off;
  pr->val_bm = bm;
  pr->num_subj = subj;
  pr->n_val = m;
  pr->n_num = total;
  pr->n_num_run = n;
  val = NULL, off = NULL, bm = NULL, subj = NULL;
  rc = 0;
done:
  for (i = 0; bm && i < cap; i++)
    if (bm[i])
      roaring_bitmap_free(bm[i]);
  icx_free(mem, bm);
  icx_free(mem, val);
  icx_free(mem, off);
  icx_free(mem, subj);
  icx_free(r->ctx, add);
  icx_free(r->ctx, tmp);
  return rc;
}

/* Predicate pr: each object's subjects less the changed ones, with the
 * records of its predicate added; then its numbers.  A bitmap is edited
 * in place, a run merged; an object that crosses INDEX_BITMAP_MIN moves
 * between the two. */
/* Copies pr's bitmaps out of the saved file's map (frozen views, read
 * only) before a change edits them.  0, or -1 when out of memory (those
 * copied stay copied; the rest are copied next time). */
static int
apply_thaw(icx_index_pred *pr)
{
  roaring_bitmap_t **bm[2] = { pr->obj_bm, pr->val_bm }, *c;
  size_t n[2] = { pr->n_obj, pr->n_val }, i, k;

  if (!(c = roaring_bitmap_copy(pr->all)))
    return -1;
  roaring_bitmap_free(pr->all);
  pr->all = c;
  for (i = 0; i < 2; i++)
    for (k = 0; k < n[i]; k++) {
      if (!bm[i][k])
        continue;
      if (!(c = roaring_bitmap_copy(bm[i][k])))
        return -1;
      roaring_bitmap_free(bm[i][k]);
      bm[i][k] = c;
    }
  pr->frozen = 0;
  return 0;
}

static int
apply_pred(apply_run *r, icx_index_pred *pr)
{
  icx_ctx *mem = r->ix->mem;
  uint32_t p = (uint32_t)pr->p;
  size_t a = apply_first_of(r, p), b = a, i = 0, j, m = 0, n = 0, k, total = 0;
  size_t cap_obj;
  uint32_t *subj, *obj_id, *obj_off, *tmp;
  roaring_bitmap_t **obj_bm;

  while (b < r->n_recs && r->recs[b].p == p)
    b++;
  if (a == b && !roaring_bitmap_intersect(pr->all, r->changed))
    return 0;                   /* none of its subjects changed */
  if (pr->frozen && apply_thaw(pr))
    return -1;
  cap_obj = pr->n_obj + (b - a) + 1;
  subj = icx_malloc(mem, apply_run_room(pr->n_run, b - a, pr->obj_bm, pr->n_obj) * sizeof *subj);
  obj_id = icx_malloc(mem, cap_obj * sizeof *obj_id);
  obj_off = icx_malloc(mem, (cap_obj + 1) * sizeof *obj_off);
  obj_bm = icx_calloc(mem, cap_obj, sizeof *obj_bm);
  tmp = icx_malloc(r->ctx, (b - a + 1) * sizeof *tmp);
  if (!subj || !obj_id || !obj_off || !obj_bm || !tmp)
    goto failed;
  i = 0;
  j = a;
  while (i < pr->n_obj || j < b) {
    uint32_t o = i < pr->n_obj && (j == b || pr->obj_id[i] <= r->recs[j].o) ? pr->obj_id[i]
                                                                             : r->recs[j].o;
    int had = i < pr->n_obj && pr->obj_id[i] == o;
    size_t j0 = j, start = n;
    long count;

    while (j < b && r->recs[j].o == o) {
      tmp[j - j0] = r->recs[j].s;
      j++;
    }
    count = apply_key(r, had ? pr->obj_bm[i] : NULL, had ? pr->subj + pr->obj_off[i] : NULL,
                      had ? pr->obj_off[i + 1] - pr->obj_off[i] : 0, tmp, j - j0, subj, &n,
                      &obj_bm[m]);
    if (had)
      pr->obj_bm[i++] = NULL;
    if (count < 0)
      goto failed;
    if (count) {
      obj_id[m] = o;
      obj_off[m++] = (uint32_t)start;
      total += (size_t)count;
    }
  }
  obj_off[m] = (uint32_t)n;
  icx_free(r->ctx, tmp);
  roaring_bitmap_andnot_inplace(pr->all, r->changed);
  for (k = a; k < b; k++)
    roaring_bitmap_add(pr->all, r->recs[k].s);
  for (k = 0; k < pr->n_obj; k++)
    if (pr->obj_bm[k])
      roaring_bitmap_free(pr->obj_bm[k]);
  icx_free(mem, pr->obj_bm);
  icx_index_pred_release(mem, pr, pr->subj);
  icx_index_pred_release(mem, pr, pr->obj_id);
  icx_index_pred_release(mem, pr, pr->obj_off);
  pr->subj = subj;
  pr->obj_id = obj_id;
  pr->obj_off = obj_off;
  pr->obj_bm = obj_bm;
  pr->n = total;
  pr->n_run = n;
  pr->n_obj = m;
  return apply_numbers(r, pr, a, b);
failed:
  for (k = 0; obj_bm && k < cap_obj; k++)
    if (obj_bm[k])
      roaring_bitmap_free(obj_bm[k]);
  icx_free(mem, obj_bm);
  icx_free(mem, subj);
  icx_free(mem, obj_id);
  icx_free(mem, obj_off);
  icx_free(r->ctx, tmp);
  return -1;
}

/* --- clouds and offers ------------------------------------------------------------ */

typedef struct apply_pair {
  uint32_t a, b;
} apply_pair;

static int
apply_cmp_pair(const void *x, const void *y)
{
  const apply_pair *u = x, *v = y;

  if (u->a != v->a)
    return u->a < v->a ? -1 : 1;
  return (u->b > v->b) - (u->b < v->b);
}

/* The (a, b) of the records of predicate p, as (o, s) or, by_subject, as
 * (s, o); sorted, each once.  *n gets how many. */
static apply_pair *
apply_pairs(apply_run *r, uint32_t p, int by_subject, size_t *n)
{
  size_t a = apply_first_of(r, p), b = a, k, m = 0;
  apply_pair *v;

  while (b < r->n_recs && r->recs[b].p == p)
    b++;
  if (!(v = icx_malloc(r->ctx, (b - a + 1) * sizeof *v)))
    return NULL;
  for (k = a; k < b; k++) {
    v[k - a].a = by_subject ? r->recs[k].s : r->recs[k].o;
    v[k - a].b = by_subject ? r->recs[k].o : r->recs[k].s;
  }
  qsort(v, b - a, sizeof *v, apply_cmp_pair);
  for (k = 0; k < b - a; k++)
    if (!m || v[k].a != v[m - 1].a || v[k].b != v[m - 1].b)
      v[m++] = v[k];
  *n = m;
  return v;
}

/* The clouds: those that stay (in id order, their names and name texts
 * kept) merged with the changed subjects that have names now.  remap gets,
 * per old dense number, the new one (UINT32_MAX: gone). */
static int
apply_clouds(apply_run *r, uint32_t *remap)
{
  icx_index *ix = r->ix;
  icx_ctx *mem = ix->mem;
  apply_pair *add;
  size_t n_add = 0, i = 0, j = 0, c = 0, nn = 0, k;
  uint32_t *cloud_id, *name_off, *name_id, *name_rank;

  if (!(add = apply_pairs(r, (uint32_t)ix->name_p, 1, &n_add)))
    return -1;
  cloud_id = icx_malloc(mem, (ix->n_clouds + n_add + 1) * sizeof *cloud_id);
  name_off = icx_malloc(mem, (ix->n_clouds + n_add + 2) * sizeof *name_off);
  name_id = icx_malloc(mem, (ix->n_names + n_add + 1) * sizeof *name_id);
  name_rank = icx_malloc(mem, (ix->n_names + n_add + 1) * sizeof *name_rank);
  if (!cloud_id || !name_off || !name_id || !name_rank) {
    icx_free(mem, cloud_id);
    icx_free(mem, name_off);
    icx_free(mem, name_id);
    icx_free(mem, name_rank);
    icx_free(r->ctx, add);
    return -1;
  }
  while (i < ix->n_clouds || j < n_add) {
    int old = i < ix->n_clouds && (j == n_add || ix->cloud_id[i] < add[j].a);
    if (old) {
      if (apply_masked(r, ix->cloud_id[i])) {
        remap[i++] = UINT32_MAX;
        continue;
      }
      cloud_id[c] = ix->cloud_id[i];
      name_off[c] = (uint32_t)nn;
      for (k = ix->name_off[i]; k < ix->name_off[i + 1]; k++) {
        name_id[nn] = ix->name_id[k];
        name_rank[nn++] = ix->name_rank[k];
      }
      remap[i++] = (uint32_t)c++;
    } else {
      uint32_t s = add[j].a;
      cloud_id[c] = s;
      name_off[c++] = (uint32_t)nn;
      for (; j < n_add && add[j].a == s; j++) {
        name_id[nn] = add[j].b;
        name_rank[nn++] = INDEX_RANK_NONE;   /* placed when next asked for */
        ix->names_pending = ix->names_ordered;
      }
    }
  }
  name_off[c] = (uint32_t)nn;
  icx_free(r->ctx, add);
  icx_index_release(ix, ix->name_rank);
  icx_index_release(ix, ix->cloud_id);
  icx_index_release(ix, ix->name_off);
  icx_index_release(ix, ix->name_id);
  ix->cloud_id = cloud_id;
  ix->name_off = name_off;
  ix->name_id = name_id;
  ix->name_rank = name_rank;
  ix->n_clouds = c;
  ix->n_names = nn;

  if (ix->cloud_bm_frozen) {    /* a view of the saved file: changed as a copy */
    roaring_bitmap_t *copy = roaring_bitmap_copy(ix->cloud_bm);
    if (!copy)
      return -1;
    roaring_bitmap_free(ix->cloud_bm);
    ix->cloud_bm = copy;
    ix->cloud_bm_frozen = 0;
  }
  roaring_bitmap_andnot_inplace(ix->cloud_bm, r->changed);
  for (k = 0; k < c; k++)
    if (apply_masked(r, cloud_id[k]))
      roaring_bitmap_add(ix->cloud_bm, cloud_id[k]);
  return 0;
}

/* Who offers what: the old entries of the clouds that stay (renumbered)
 * merged with the changed clouds' offers. */
static int
apply_offers(apply_run *r, const uint32_t *remap)
{
  icx_index *ix = r->ix;
  icx_ctx *mem = ix->mem;
  apply_pair *add;
  size_t n_add = 0, k, m = 0, i = 0, j = 0, e = 0;
  uint32_t *offer;

  if (!(add = apply_pairs(r, (uint32_t)ix->offers_p, 0, &n_add)))   /* (service, cloud id) */
    return -1;
  for (k = 0; k < n_add; k++) {           /* only named clouds offer */
    long c = icx_index_cloud_of(ix, add[k].b);
    if (c >= 0) {
      add[m].a = add[k].a;
      add[m++].b = (uint32_t)c;
    }
  }
  n_add = m;
  qsort(add, n_add, sizeof *add, apply_cmp_pair);   /* by service, then dense number */
  if (!(offer = icx_malloc(mem, (2 * (ix->n_offer + n_add) + 2) * sizeof *offer))) {
    icx_free(r->ctx, add);
    return -1;
  }
  /* The pairs kept (their clouds renumbered: remap keeps the order)
   * merged with those added, by service then cloud, once each. */
  ix->n_svc = 0;
  while (i < ix->n_offer || j < n_add) {
    uint32_t sv, c;
    if (i < ix->n_offer && remap[ix->offer[2 * i + 1]] == UINT32_MAX) {
      i++;                      /* a cloud changed or gone */
      continue;
    }
    if (i < ix->n_offer &&
        (j == n_add || ix->offer[2 * i] < add[j].a ||
         (ix->offer[2 * i] == add[j].a && remap[ix->offer[2 * i + 1]] <= add[j].b))) {
      sv = ix->offer[2 * i];
      c = remap[ix->offer[2 * i + 1]];
      i++;
    } else {
      sv = add[j].a;
      c = add[j++].b;
    }
    if (e && offer[2 * e - 2] == sv && offer[2 * e - 1] == c)
      continue;
    ix->n_svc += !e || offer[2 * e - 2] != sv;
    offer[2 * e] = sv;
    offer[2 * e + 1] = c;
    e++;
  }
  icx_free(r->ctx, add);
  icx_index_release(ix, ix->offer);
  ix->offer = offer;
  ix->n_offer = e;
  icx_index_offers_skip(ix);
  return 0;
}

/* --- the whole -------------------------------------------------------------------- */

static void
apply_run_free(apply_run *r)
{
  if (r->changed)
    roaring_bitmap_free(r->changed);
  icx_free(r->ctx, r->graphs.v);
  icx_free(r->ctx, r->mask);
  icx_free(r->ctx, r->recs);
}

/* What the index holds, roughly: the work a rebuild would do. */
static size_t
apply_held(const icx_index *ix)
{
  size_t i, n = ix->n_clouds + ix->n_offer;

  for (i = 0; i < ix->n_preds; i++)
    n += ix->preds[i]->n + ix->preds[i]->n_num;
  return n;
}

int
icx_index_apply(icx_ctx *ctx, icx_index *ix, long long last)
{
  apply_run r;
  roaring_uint32_iterator_t it;
  uint32_t *remap = NULL;
  size_t i, n_changed;
  int rc = 1;

  if (last <= ix->seq)
    return 1;                   /* the store changed, and the log says nothing */
  memset(&r, 0, sizeof r);
  r.ctx = ctx;
  r.ix = ix;
  if (!(r.changed = roaring_bitmap_create()))
    return 1;
  /* Which subjects: the changed graphs', before and now. */
  if (icx_store_changes_since(ix->store, ix->seq, apply_change, &r) || r.give_up)
    goto done;
  for (i = 0; i < r.graphs.n; i++)
    if (icx_store_walk(ix->store, r.graphs.v[i], 0, 0, 0, apply_graph_quad, &r) || r.give_up)
      goto done;
  icx_index_iris_clear(ix);     /* an IRI the store lacked may be there now */
  if (!ix->n_preds && !ix->clouds_read) {
    rc = 0;                     /* nothing read yet: nothing to change */
    goto done;
  }
  n_changed = (size_t)roaring_bitmap_get_cardinality(r.changed);
  if (n_changed > APPLY_SUBJECTS_MIN + apply_held(ix) / 16)
    goto done;
  r.mask_lo = roaring_bitmap_minimum(r.changed);
  r.mask_top = roaring_bitmap_maximum(r.changed);
  if (r.mask_top - r.mask_lo > APPLY_MASK_MAX ||
      !(r.mask = icx_calloc(ctx, (r.mask_top - r.mask_lo) / 64 + 1, sizeof *r.mask)))
    goto done;
  /* Their statements now, in every graph. */
  roaring_init_iterator(r.changed, &it);
  for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
    apply_subject a = { &r, it.current_value };
    uint32_t d = it.current_value - r.mask_lo;
    r.mask[d >> 6] |= (uint64_t)1 << (d & 63);
    if (icx_store_subject_quads(ix->store, it.current_value, apply_subject_quad, &a) ||
        r.give_up)
      goto done;
  }
  if (r.n_recs)
    qsort(r.recs, r.n_recs, sizeof *r.recs, apply_cmp_pos);
  for (i = 0; i < ix->n_preds; i++)
    if (apply_pred(&r, ix->preds[i]))
      goto done;
  if (ix->clouds_read) {
    if (!(remap = icx_malloc(ctx, (ix->n_clouds + 1) * sizeof *remap)) ||
        apply_clouds(&r, remap) || apply_offers(&r, remap))
      goto done;
  }
  rc = 0;
done:
  icx_free(ctx, remap);
  apply_run_free(&r);
  return rc;
}

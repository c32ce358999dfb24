/* icx_index.c - the matching index (icx_index.h): predicates read whole
 * into sorted runs and bitmaps, and the generation check that, when the
 * store changed, applies the store's changes (icx_index_apply.c) or
 * empties it all.  The clouds, their names and who offers what are read
 * in icx_index_clouds.c. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_index_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

/* --- growing arrays ------------------------------------------------------- */

int
icx_index_push(icx_ctx *mem, icx_index_u32s *a, uint32_t x)
{
  if (a->n == a->cap) {
    size_t ncap = a->cap ? a->cap * 2 : 1024;
    uint32_t *nv = icx_realloc(mem, a->v, ncap * sizeof *nv);
    if (!nv)
      return -1;
    a->v = nv;
    a->cap = ncap;
  }
  a->v[a->n++] = x;
  return 0;
}

/* First position in v[from .. n) whose value is >= x, searched by
 * doubling steps from from (cheap when the answer is near). */
size_t
icx_index_gallop_stride(const uint32_t *v, size_t stride, size_t from, size_t n, uint32_t x)
{
  size_t step = 1, lo = from, hi;

  while (lo + step < n && v[(lo + step) * stride] < x) {
    lo += step;
    step *= 2;
  }
  hi = lo + step < n ? lo + step + 1 : n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid * stride] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t
icx_index_gallop(const uint32_t *v, size_t from, size_t n, uint32_t x)
{
  return icx_index_gallop_stride(v, 1, from, n, x);
}

icx_rc
icx_index_pass(icx_ctx *ctx, icx_ctx *mem, icx_rc rc)
{
  if (ctx != mem)
    icx_fail(ctx, rc, "%s", icx_ctx_errmsg(mem));
  return rc;
}

/* --- predicates ----------------------------------------------------------- */

void
icx_index_pred_free(icx_ctx *mem, icx_index_pred *pr)
{
  size_t i;

  if (!pr)
    return;
  for (i = 0; pr->obj_bm && i < pr->n_obj; i++)
    if (pr->obj_bm[i])
      roaring_bitmap_free(pr->obj_bm[i]);
  for (i = 0; pr->val_bm && i < pr->n_val; i++)
    if (pr->val_bm[i])
      roaring_bitmap_free(pr->val_bm[i]);
  if (pr->all)
    roaring_bitmap_free(pr->all);
  icx_free(mem, pr->obj_bm);
  icx_free(mem, pr->val_bm);
  icx_index_pred_release(mem, pr, pr->subj);
  icx_index_pred_release(mem, pr, pr->obj_id);
  icx_index_pred_release(mem, pr, pr->obj_off);
  icx_index_pred_release(mem, pr, pr->val);
  icx_index_pred_release(mem, pr, pr->val_off);
  icx_index_pred_release(mem, pr, pr->num_subj);
  icx_free(mem, pr);
}

void
icx_index_pred_release(icx_ctx *mem, const icx_index_pred *pr, void *p)
{
  if (!pr->map_lo || (const char *)p < (const char *)pr->map_lo ||
      (const char *)p >= (const char *)pr->map_hi)
    icx_free(mem, p);
}

void
icx_index_release(icx_index *ix, void *p)
{
  if (!icx_index_mapped(ix, p))
    icx_free(ix->mem, p);
}

typedef struct index_reader {
  icx_ctx *mem;
  icx_index_u32s objs, subj, offs;  /* offs: of objects, then of values */
  double *val;
  size_t n_val, cap_val;
  int failed;                 /* 1: out of memory; 2: an id past 32 bits */
} index_reader;

static int
index_read_pair(void *ud, icx_id o, icx_id s)
{
  index_reader *r = ud;

  if (o <= 0 || s <= 0 || o > UINT32_MAX || s > UINT32_MAX) {
    r->failed = 2;
    return 1;
  }
  if (!r->objs.n || r->objs.v[r->objs.n - 1] != (uint32_t)o)
    if (icx_index_push(r->mem, &r->objs, (uint32_t)o) ||
        icx_index_push(r->mem, &r->offs, (uint32_t)r->subj.n)) {
      r->failed = 1;
      return 1;
    }
  if (icx_index_push(r->mem, &r->subj, (uint32_t)s)) {
    r->failed = 1;
    return 1;
  }
  return 0;
}

static int
index_read_number(void *ud, double num, icx_id s)
{
  index_reader *r = ud;

  if (s <= 0 || s > UINT32_MAX) {
    r->failed = 2;
    return 1;
  }
  if (!r->n_val || r->val[r->n_val - 1] != num) {
    if (r->n_val == r->cap_val) {
      size_t ncap = r->cap_val ? r->cap_val * 2 : 64;
      double *nv = icx_realloc(r->mem, r->val, ncap * sizeof *nv);
      if (!nv) {
        r->failed = 1;
        return 1;
      }
      r->val = nv;
      r->cap_val = ncap;
    }
    r->val[r->n_val++] = num;
    if (icx_index_push(r->mem, &r->offs, (uint32_t)r->subj.n)) {
      r->failed = 1;
      return 1;
    }
  }
  if (icx_index_push(r->mem, &r->subj, (uint32_t)s)) {
    r->failed = 1;
    return 1;
  }
  return 0;
}

static icx_rc
index_reader_failed(icx_ctx *ctx, index_reader *r)
{
  return r->failed == 2 ? icx_fail(ctx, ICX_ERR_LIMIT, "term ids past 32 bits: the matching "
                                   "index cannot hold this store")
                        : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
}

int
icx_index_split_runs(uint32_t *subj, uint32_t *off, size_t n_keys, roaring_bitmap_t **bm,
                     size_t *n_run)
{
  size_t i, w;

  for (i = 0, w = 0; i < n_keys; i++) {
    size_t a = off[i], b = off[i + 1];
    off[i] = (uint32_t)w;
    if (b - a >= INDEX_BITMAP_MIN) {
      if (!(bm[i] = roaring_bitmap_of_ptr(b - a, subj + a)))
        return -1;
      roaring_bitmap_run_optimize(bm[i]);
    } else {
      memmove(subj + w, subj + a, (b - a) * sizeof *subj);
      w += b - a;
    }
  }
  off[n_keys] = (uint32_t)w;
  *n_run = w;
  return 0;
}

/* Reads predicate p whole into a new index_pred. */
static icx_rc
index_pred_read(icx_ctx *ctx, icx_index *ix, icx_id p, icx_index_pred **out)
{
  icx_ctx *mem = ix->mem;
  index_reader r;
  icx_index_pred *pr;
  uint32_t *shrunk;

  *out = NULL;
  memset(&r, 0, sizeof r);
  r.mem = mem;
  if (!(pr = icx_calloc(mem, 1, sizeof *pr)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  pr->p = p;
  if (icx_store_predicate_pairs(ix->store, p, index_read_pair, &r)) {
    icx_index_pass(ctx, mem, ICX_ERR_STORE);
    goto store_failed;
  }
  if (r.failed)
    goto failed;
  if (icx_index_push(mem, &r.offs, (uint32_t)r.subj.n))
    goto nomem;
  pr->n = r.subj.n;
  pr->subj = r.subj.v;
  pr->n_obj = r.objs.n;
  pr->obj_id = r.objs.v;
  pr->obj_off = r.offs.v;
  memset(&r.subj, 0, sizeof r.subj);
  memset(&r.objs, 0, sizeof r.objs);
  memset(&r.offs, 0, sizeof r.offs);
  if (!(pr->obj_bm = icx_calloc(mem, pr->n_obj + 1, sizeof *pr->obj_bm)) ||
      !(pr->all = roaring_bitmap_create()))
    goto nomem;
  roaring_bitmap_add_many(pr->all, pr->n, pr->subj);
  roaring_bitmap_run_optimize(pr->all);
  /* Objects with many subjects to bitmaps, and the array cut to the runs
   * left. */
  if (icx_index_split_runs(pr->subj, pr->obj_off, pr->n_obj, pr->obj_bm, &pr->n_run))
    goto nomem;
  if ((shrunk = icx_realloc(mem, pr->subj, (pr->n_run + 1) * sizeof *pr->subj)))
    pr->subj = shrunk;
  if (icx_store_predicate_numbers(ix->store, p, index_read_number, &r)) {
    icx_index_pass(ctx, mem, ICX_ERR_STORE);
    goto store_failed;
  }
  if (r.failed)
    goto failed;
  if (icx_index_push(mem, &r.offs, (uint32_t)r.subj.n))
    goto nomem;
  pr->n_num = r.subj.n;
  pr->num_subj = r.subj.v;
  pr->n_val = r.n_val;
  pr->val = r.val;
  pr->val_off = r.offs.v;
  memset(&r.subj, 0, sizeof r.subj);
  memset(&r.offs, 0, sizeof r.offs);
  r.val = NULL;
  /* Values likewise. */
  if (!(pr->val_bm = icx_calloc(mem, pr->n_val + 1, sizeof *pr->val_bm)) ||
      icx_index_split_runs(pr->num_subj, pr->val_off, pr->n_val, pr->val_bm, &pr->n_num_run))
    goto nomem;
  if ((shrunk = icx_realloc(mem, pr->num_subj, (pr->n_num_run + 1) * sizeof *shrunk)))
    pr->num_subj = shrunk;
  *out = pr;
  return ICX_OK;
nomem:
  r.failed = 1;
failed:
  index_reader_failed(ctx, &r);
store_failed:
  icx_free(mem, r.subj.v);
  icx_free(mem, r.objs.v);
  icx_free(mem, r.offs.v);
  icx_free(mem, r.val);
  icx_index_pred_free(mem, pr);
  return r.failed == 2 ? ICX_ERR_LIMIT : r.failed ? ICX_ERR_NOMEM : ICX_ERR_STORE;
}

icx_rc
icx_index_pred_get(icx_ctx *ctx, icx_index *ix, icx_id p, const icx_index_pred **out)
{
  icx_index_pred *pr;
  size_t i;
  double t0;
  icx_rc rc;

  *out = NULL;
  for (i = 0; i < ix->n_preds; i++)
    if (ix->preds[i]->p == p) {
      *out = ix->preds[i];
      return ICX_OK;
    }
  if (ix->n_preds == ix->cap_preds) {
    size_t ncap = ix->cap_preds ? ix->cap_preds * 2 : 16;
    icx_index_pred **np = icx_realloc(ix->mem, ix->preds, ncap * sizeof *np);
    if (!np)
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    ix->preds = np;
    ix->cap_preds = ncap;
  }
  t0 = icx_now_ms();
  if (icx_index_file_pred(ctx, ix, p, &pr)) {
    if ((rc = index_pred_read(ctx, ix, p, &pr)))
      return rc;
    ix->store_ms += icx_now_ms() - t0;
    icx_log(ctx, ICX_LOG_DEBUG, "index", "predicate %lld: %zu pairs, %zu numbers in %.1f ms", p,
            pr->n, pr->n_num, icx_now_ms() - t0);
  }
  ix->build_ms += icx_now_ms() - t0;
  ix->preds[ix->n_preds++] = pr;
  *out = pr;
  return ICX_OK;
}

/* Position of object o in pr's objects, or -1. */
static long
index_find_obj(const icx_index_pred *pr, icx_id o)
{
  size_t i;

  if (o <= 0 || o > UINT32_MAX || !pr->n_obj)
    return -1;
  i = icx_index_gallop(pr->obj_id, 0, pr->n_obj, (uint32_t)o);
  return i < pr->n_obj && pr->obj_id[i] == (uint32_t)o ? (long)i : -1;
}

/* From this many bitmaps joined into one result on, they are joined
 * lazily: cardinalities counted once at the end instead of at every
 * join, for the price of a pass over the result.  Counted in
 * instructions (callgrind, 1M clouds, the matching only): the paper's
 * request 8.7% fewer, subsumption's (a region's countries) 18% fewer,
 * the selective request's (two values each) the same; lazy from two
 * bitmaps on cost that one 10% more, from eight on saved the paper's
 * nothing. */
#define LAZY_MIN 4

/* bm joined into out, lazily or not (LAZY_MIN). */
static void
index_or(roaring_bitmap_t *out, const roaring_bitmap_t *bm, int lazy)
{
  if (lazy)
    roaring_bitmap_lazy_or_inplace(out, bm, false);
  else
    roaring_bitmap_or_inplace(out, bm);
}

void
icx_index_subjects_of(const icx_index_pred *pr, const icx_id *objs, size_t n,
                      roaring_bitmap_t *out)
{
  size_t k, n_bm = 0;
  int lazy;

  if (n < LAZY_MIN) {           /* no lazy join: one pass, in any order */
    for (k = 0; k < n; k++) {
      long i = index_find_obj(pr, objs[k]);
      if (i >= 0 && pr->obj_bm[i])
        roaring_bitmap_or_inplace(out, pr->obj_bm[i]);
      else if (i >= 0)
        roaring_bitmap_add_many(out, pr->obj_off[i + 1] - pr->obj_off[i],
                                pr->subj + pr->obj_off[i]);
    }
    return;
  }
  /* The runs first: an add after a lazy join would need the counts. */
  for (k = 0; k < n; k++) {
    long i = index_find_obj(pr, objs[k]);
    if (i >= 0 && !pr->obj_bm[i])
      roaring_bitmap_add_many(out, pr->obj_off[i + 1] - pr->obj_off[i],
                              pr->subj + pr->obj_off[i]);
    n_bm += i >= 0 && pr->obj_bm[i];
  }
  lazy = n_bm >= LAZY_MIN;
  for (k = 0; k < n; k++) {
    long i = index_find_obj(pr, objs[k]);
    if (i >= 0 && pr->obj_bm[i])
      index_or(out, pr->obj_bm[i], lazy);
  }
  if (lazy)
    roaring_bitmap_repair_after_lazy(out);
}

/* The first value >= x (after: > x). */
static size_t
index_num_bound(const icx_index_pred *pr, double x, int after)
{
  size_t lo = 0, hi = pr->n_val;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (after ? pr->val[mid] <= x : pr->val[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The subjects of values a .. b into out: the runs between them are one
 * slice of num_subj (a bitmap's run is empty), the bitmaps joined. */
static void
index_values_to(const icx_index_pred *pr, size_t a, size_t b, roaring_bitmap_t *out)
{
  size_t v, n_bm = 0;
  int lazy;

  if (a >= b)
    return;
  if (pr->val_off[b] > pr->val_off[a])
    roaring_bitmap_add_many(out, pr->val_off[b] - pr->val_off[a], pr->num_subj + pr->val_off[a]);
  for (v = a; v < b; v++)
    n_bm += pr->val_bm[v] != NULL;
  lazy = n_bm >= LAZY_MIN;
  for (v = a; v < b; v++)
    if (pr->val_bm[v])
      index_or(out, pr->val_bm[v], lazy);
  if (lazy)
    roaring_bitmap_repair_after_lazy(out);
}

void
icx_index_subjects_in_range(const icx_index_pred *pr, double lo, int lo_open, double hi,
                            int hi_open, roaring_bitmap_t *out)
{
  size_t a = lo == -HUGE_VAL ? 0 : index_num_bound(pr, lo, lo_open);
  size_t b = hi == HUGE_VAL ? pr->n_val : index_num_bound(pr, hi, !hi_open);

  index_values_to(pr, a, b, out);
}

void
icx_index_subjects_equal(const icx_index_pred *pr, const double *nums, size_t n,
                         roaring_bitmap_t *out)
{
  size_t k;

  for (k = 0; k < n; k++)
    index_values_to(pr, index_num_bound(pr, nums[k], 0), index_num_bound(pr, nums[k], 1), out);
}

const roaring_bitmap_t *
icx_index_subjects_all(const icx_index_pred *pr)
{
  return pr->all;
}

/* --- IRIs ----------------------------------------------------------------- */

icx_id
icx_index_iri_id(icx_ctx *ctx, icx_index *ix, const char *iri)
{
  size_t j;
  icx_id id;

  if (ix->iri_mask)
    for (j = (size_t)icx_hash_str(iri) & ix->iri_mask; ix->iris[j].iri;
         j = (j + 1) & ix->iri_mask)
      if (!strcmp(ix->iris[j].iri, iri))
        return ix->iris[j].id;
  if ((id = icx_store_iri_id(ix->store, iri)) < 0) {
    icx_fail(ctx, ICX_ERR_STORE, "cannot look up <%s> in the store", iri);
    return -1;
  }
  if (2 * (ix->n_iris + 1) > ix->iri_mask) {     /* grow (or make) the table */
    size_t n = ix->iri_mask ? (ix->iri_mask + 1) * 2 : 256, i;
    icx_index_iri *t = icx_calloc(ix->mem, n, sizeof *t);
    if (!t)
      return id;                /* not kept: looked up again next time */
    for (i = 0; ix->iri_mask && i <= ix->iri_mask; i++) {
      if (!ix->iris[i].iri)
        continue;
      for (j = (size_t)icx_hash_str(ix->iris[i].iri) & (n - 1); t[j].iri; j = (j + 1) & (n - 1))
        ;
      t[j] = ix->iris[i];
    }
    icx_free(ix->mem, ix->iris);
    ix->iris = t;
    ix->iri_mask = n - 1;
  }
  for (j = (size_t)icx_hash_str(iri) & ix->iri_mask; ix->iris[j].iri; j = (j + 1) & ix->iri_mask)
    ;
  if ((ix->iris[j].iri = icx_strdup(ix->mem, iri))) {
    ix->iris[j].id = id;
    ix->n_iris++;
  }
  return id;
}

/* --- the index as a whole ---------------------------------------------------- */

void
icx_index_iris_clear(icx_index *ix)
{
  size_t i;

  for (i = 0; ix->iri_mask && i <= ix->iri_mask; i++)
    icx_free(ix->mem, ix->iris[i].iri);
  icx_free(ix->mem, ix->iris);
  ix->iris = NULL;
  ix->n_iris = ix->iri_mask = 0;
}

void
icx_index_clear(icx_index *ix)
{
  size_t i;

  icx_index_file_close(ix);
  for (i = 0; i < ix->n_preds; i++)
    icx_index_pred_free(ix->mem, ix->preds[i]);
  ix->n_preds = 0;
  icx_index_iris_clear(ix);
  icx_index_clouds_clear(ix);
  icx_index_file_unmap(ix);   /* nothing points into it now */
  ix->build_ms = 0;
}

static void
index_free(void *p)
{
  icx_index *ix = p;

  if (!ix)
    return;
  icx_index_clear(ix);
  icx_free(ix->mem, ix->preds);
  icx_free(ix->mem, ix);
}

icx_rc
icx_index_get(icx_ctx *ctx, icx_store *store, icx_index **out)
{
  icx_index *ix;
  icx_store_gen gen;
  icx_id max;
  long long seq = 0;
  unsigned long long token = 0;
  double t0;
  int written = 0;

  if (!ctx || !store || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  if (icx_store_generation(store, &gen))
    return icx_index_pass(ctx, icx_store_ctx(store), ICX_ERR_STORE);
  ix = icx_store_attached(store);
  if (ix && ix->store == store && icx_index_map_written(ix)) {
    /* The saved file was written in place under the map (a copy over
     * it, not the rename icx makes): nothing read from it is to be
     * trusted, and pages past a new end cannot be touched.  Emptied
     * below, and the file opened again as at first. */
    icx_log(ctx, ICX_LOG_WARN, "index", "the saved index beside %s was written in place while "
            "mapped: let go, read again", icx_store_path(store));
    ix->seq_known = 0;
    written = 1;
  }
  if (ix && ix->store == store && !written && ix->gen.version == gen.version &&
      ix->gen.changes == gen.changes) {
    *out = ix;
    return ICX_OK;
  }
  if (icx_store_change_last(store, &seq))
    return icx_index_pass(ctx, icx_store_ctx(store), icx_store_failed(store, ICX_ERR_STORE));
  if ((max = icx_store_max_id(store)) < 0)
    return icx_fail(ctx, ICX_ERR_STORE, "cannot read the store's largest term id");
  if (max > UINT32_MAX)
    return icx_fail(ctx, ICX_ERR_LIMIT, "term ids past 32 bits: the matching index cannot "
                    "hold this store");
  if (ix && ix->store == store && !written && ix->seq_known && seq > 0 && seq == ix->seq &&
      max == ix->max_id && ix->seq_token && !icx_store_change_token(store, seq, &token) &&
      token == ix->seq_token) {
    /* Commits since, but the log ends at the same change: none wrote a
     * document (every write of quads through icx logs one), only other
     * rows of the store (icxd's sessions and subscriptions).  The index
     * stands.  (A write in SQL that bypasses the log is not seen unless
     * it adds a term: the store's format is icx's to write.) */
    ix->gen = gen;
    *out = ix;
    return ICX_OK;
  }
  if (!ix || ix->store != store) {
    if (!(ix = icx_calloc(icx_store_ctx(store), 1, sizeof *ix)))
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    ix->mem = icx_store_ctx(store);
    ix->store = store;
    icx_store_attach(store, ix, index_free);
  } else {
    t0 = icx_now_ms();
    icx_index_file_close(ix);   /* its sections are of the change before */
    if (ix->seq_known && !icx_index_apply(ctx, ix, seq)) {
      /* Commits since the index was read, each logged: applied in place. */
      ix->applies++;
      ix->apply_ms += icx_now_ms() - t0;
      icx_log(ctx, ICX_LOG_DEBUG, "index", "changes %lld to %lld applied in %.2f ms",
              ix->seq + 1, seq, icx_now_ms() - t0);
    } else {
      /* Changes the log cannot tell: everything goes, and is read again
       * as requests ask for it. */
      icx_index_clear(ix);
      ix->refreshes++;
      if (!written)
        icx_log(ctx, ICX_LOG_DEBUG, "index", "the store changed: the index is read again");
    }
  }
  if (!ix->seq_known) {
    ix->seq = seq;
    ix->seq_known = 1;
    icx_index_file_open(ctx, ix, seq);
  }
  ix->gen = gen;
  ix->seq = seq;
  ix->max_id = max;
  /* The change's token tells it from another of the same number (a log
   * made again); none known, the next commit reads the index again. */
  if (seq <= 0 || icx_store_change_token(store, seq, &ix->seq_token))
    ix->seq_token = 0;
  *out = ix;
  return ICX_OK;
}

void
icx_index_get_stats(const icx_index *ix, icx_index_stats *out)
{
  size_t i;

  memset(out, 0, sizeof *out);
  if (!ix)
    return;
  out->predicates = ix->n_preds;
  out->clouds = ix->n_clouds;
  out->services = ix->n_svc;
  out->build_ms = ix->build_ms;
  out->refreshes = ix->refreshes;
  out->applies = ix->applies;
  out->apply_ms = ix->apply_ms;
  out->file = ix->file != NULL;
  out->file_trusted = icx_index_file_trusted(ix);
  for (i = 0; i < ix->n_preds; i++) {
    const icx_index_pred *pr = ix->preds[i];
    size_t k;
    out->pairs += pr->n;
    out->numbers += pr->n_num;
    out->bytes += pr->n_run * 4 + pr->n_obj * 16 + pr->n_num_run * 4 + pr->n_val * 20 +
                  roaring_bitmap_size_in_bytes(pr->all);
    for (k = 0; k < pr->n_obj; k++)
      if (pr->obj_bm[k])
        out->bytes += roaring_bitmap_size_in_bytes(pr->obj_bm[k]);
    for (k = 0; k < pr->n_val; k++)
      if (pr->val_bm[k])
        out->bytes += roaring_bitmap_size_in_bytes(pr->val_bm[k]);
  }
  out->bytes += ix->n_clouds * 8 + ix->n_names * 12 + ix->n_offer * 8 + ix->n_skip * 4 + ix->cap_txt +
                ix->n_rank * 4;
}

/* icx_index_clouds.c - the clouds of the matching index (icx_index.h):
 * each cloud's id and names read from the name property's pairs, the
 * names' order, and who offers each service as sorted (service, cloud)
 * pairs with a skip table per block of service ids, walked for a bitmap
 * of services by icx_index_each_offer(). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_index_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

typedef struct index_pairs {
  icx_ctx *mem;
  icx_index_u32s a, b;            /* (object, subject) as read */
  int failed;
} index_pairs;

static int
clouds_read_pair(void *ud, icx_id o, icx_id s)
{
  index_pairs *r = ud;

  if (o <= 0 || s <= 0 || o > UINT32_MAX || s > UINT32_MAX) {
    r->failed = 2;
    return 1;
  }
  if (icx_index_push(r->mem, &r->a, (uint32_t)o) || icx_index_push(r->mem, &r->b, (uint32_t)s)) {
    r->failed = 1;
    return 1;
  }
  return 0;
}

static int
index_cmp_pair(const void *x, const void *y)
{
  const uint32_t *a = x, *b = y;

  if (a[0] != b[0])
    return a[0] < b[0] ? -1 : 1;
  return (a[1] > b[1]) - (a[1] < b[1]);
}

void
icx_index_clouds_clear(icx_index *ix)
{
  icx_index_release(ix, ix->name_rank);
  icx_index_release(ix, ix->cloud_id);
  icx_index_release(ix, ix->name_off);
  icx_index_release(ix, ix->name_id);
  icx_index_release(ix, ix->offer);
  icx_index_release(ix, ix->offer_skip);
  if (ix->cloud_bm)
    roaring_bitmap_free(ix->cloud_bm);
  ix->name_rank = NULL;
  ix->cloud_id = ix->name_off = ix->name_id = NULL;
  ix->offer = NULL;
  ix->offer_skip = NULL;
  ix->cloud_bm = NULL;
  ix->cloud_bm_frozen = 0;
  ix->n_clouds = ix->n_names = ix->n_svc = ix->n_offer = ix->n_skip = 0;
  ix->clouds_read = 0;
  icx_index_names_clear(ix);
}

/* The clouds and their names, from the name property's (name, cloud)
 * pairs. */
static icx_rc
index_read_clouds(icx_ctx *ctx, icx_index *ix, index_pairs *r)
{
  icx_ctx *mem = ix->mem;
  uint32_t *pairs;
  size_t n = r->a.n, i, c = 0;

  if (!(pairs = icx_malloc(mem, (2 * n + 1) * sizeof *pairs)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (i = 0; i < n; i++) {
    pairs[2 * i] = r->b.v[i];
    pairs[2 * i + 1] = r->a.v[i];
  }
  qsort(pairs, n, 2 * sizeof *pairs, index_cmp_pair);   /* by cloud, then name */
  ix->cloud_id = icx_malloc(mem, (n + 1) * sizeof *ix->cloud_id);
  ix->name_off = icx_malloc(mem, (n + 2) * sizeof *ix->name_off);
  ix->name_id = icx_malloc(mem, (n + 1) * sizeof *ix->name_id);
  ix->name_rank = icx_malloc(mem, (n + 1) * sizeof *ix->name_rank);
  ix->cloud_bm = roaring_bitmap_create();
  if (!ix->cloud_id || !ix->name_off || !ix->name_id || !ix->name_rank || !ix->cloud_bm) {
    icx_free(mem, pairs);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  for (i = 0; i < n; i++) {
    if (i && pairs[2 * i] == pairs[2 * i - 2] && pairs[2 * i + 1] == pairs[2 * i - 1])
      continue;                 /* the same name stated in two graphs */
    if (!c || ix->cloud_id[c - 1] != pairs[2 * i]) {
      ix->cloud_id[c] = pairs[2 * i];
      ix->name_off[c++] = (uint32_t)ix->n_names;
    }
    ix->name_rank[ix->n_names] = INDEX_RANK_NONE;
    ix->name_id[ix->n_names++] = pairs[2 * i + 1];
  }
  ix->name_off[c] = (uint32_t)ix->n_names;
  ix->n_clouds = c;
  roaring_bitmap_add_many(ix->cloud_bm, c, ix->cloud_id);
  icx_free(mem, pairs);
  return ICX_OK;
}

/* Who offers what, from the offers property's (service, cloud) pairs
 * (ordered by service, then cloud): only named clouds count.  Kept as
 * (service, dense cloud) pairs side by side, so that finding a service
 * finds its cloud in the same cache line. */
static icx_rc
index_read_offers(icx_ctx *ctx, icx_index *ix, index_pairs *r)
{
  icx_ctx *mem = ix->mem;
  size_t n = r->a.n, i, k = 0;

  if (!(ix->offer = icx_malloc(mem, (2 * n + 2) * sizeof *ix->offer)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  ix->n_svc = 0;
  for (i = 0; i < n; i++) {
    long c = icx_index_cloud_of(ix, r->b.v[i]);
    if (c < 0)
      continue;
    if (k && ix->offer[2 * k - 2] == r->a.v[i] && ix->offer[2 * k - 1] == (uint32_t)c)
      continue;                 /* stated in two graphs */
    ix->n_svc += !k || ix->offer[2 * k - 2] != r->a.v[i];
    ix->offer[2 * k] = r->a.v[i];
    ix->offer[2 * k + 1] = (uint32_t)c;
    k++;
  }
  ix->n_offer = k;
  icx_index_offers_skip(ix);
  return ICX_OK;
}

/* About four pairs a block: at a million clouds, 2 MB that spare a
 * request's gallop through 16 MB of pairs (a few cache misses) for
 * each service it keeps. */
void
icx_index_offers_skip(icx_index *ix)
{
  size_t n, b, i, top;
  unsigned shift = 0;

  icx_index_release(ix, ix->offer_skip);
  ix->offer_skip = NULL;
  ix->n_skip = 0;
  if (!ix->n_offer)
    return;
  top = ix->offer[2 * (ix->n_offer - 1)];
  while ((top >> shift) > ix->n_offer / 4)
    shift++;
  n = (top >> shift) + 1;
  if (!(ix->offer_skip = icx_malloc(ix->mem, n * sizeof *ix->offer_skip)))
    return;
  for (i = 0, b = 0; i < ix->n_offer; i++)
    while (b <= (size_t)(ix->offer[2 * i] >> shift))
      ix->offer_skip[b++] = (uint32_t)i;
  ix->n_skip = n;
  ix->skip_shift = shift;
}

icx_rc
icx_index_clouds(icx_ctx *ctx, icx_index *ix, icx_id name_p, icx_id offers_p)
{
  index_pairs r;
  icx_rc rc = ICX_OK;
  double t0 = icx_now_ms();
  int pass;

  if (ix->clouds_read && ix->name_p == name_p && ix->offers_p == offers_p)
    return ICX_OK;
  icx_index_clouds_clear(ix);
  if (!icx_index_file_clouds(ctx, ix, name_p, offers_p)) {
    ix->build_ms += icx_now_ms() - t0;
    icx_log(ctx, ICX_LOG_DEBUG, "index", "%zu clouds, %zu services from the saved index in "
            "%.1f ms", ix->n_clouds, ix->n_svc, icx_now_ms() - t0);
    return ICX_OK;
  }
  icx_index_clouds_clear(ix);
  for (pass = 0; pass < 2 && rc == ICX_OK; pass++) {
    memset(&r, 0, sizeof r);
    r.mem = ix->mem;
    if (icx_store_predicate_pairs(ix->store, pass ? offers_p : name_p, clouds_read_pair, &r))
      rc = icx_index_pass(ctx, ix->mem, ICX_ERR_STORE);
    else if (r.failed)
      rc = r.failed == 2 ? icx_fail(ctx, ICX_ERR_LIMIT, "term ids past 32 bits")
                         : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    else
      rc = pass ? index_read_offers(ctx, ix, &r) : index_read_clouds(ctx, ix, &r);
    icx_free(ix->mem, r.a.v);
    icx_free(ix->mem, r.b.v);
  }
  if (rc) {
    icx_index_clouds_clear(ix);
    return rc;
  }
  ix->clouds_read = 1;
  ix->name_p = name_p;
  ix->offers_p = offers_p;
  ix->build_ms += icx_now_ms() - t0;
  ix->store_ms += icx_now_ms() - t0;
  icx_log(ctx, ICX_LOG_DEBUG, "index", "%zu clouds, %zu services read in %.1f ms", ix->n_clouds,
          ix->n_svc, icx_now_ms() - t0);
  return ICX_OK;
}

size_t icx_index_cloud_count(const icx_index *ix) { return ix->n_clouds; }
const roaring_bitmap_t *icx_index_cloud_ids(const icx_index *ix) { return ix->cloud_bm; }

long
icx_index_cloud_of(const icx_index *ix, uint32_t id)
{
  size_t i;

  if (!ix->n_clouds)
    return -1;
  i = icx_index_gallop(ix->cloud_id, 0, ix->n_clouds, id);
  return i < ix->n_clouds && ix->cloud_id[i] == id ? (long)i : -1;
}

size_t
icx_index_cloud_seek(const icx_index *ix, uint32_t id, size_t from)
{
  return from >= ix->n_clouds ? ix->n_clouds : icx_index_gallop(ix->cloud_id, from, ix->n_clouds, id);
}

void
icx_index_cloud_names_ahead(const icx_index *ix, size_t c, int stage)
{
  if (c >= ix->n_clouds)
    return;
  if (stage == 1) {
    ICX_PREFETCH(&ix->name_off[c]);
  } else {
    ICX_PREFETCH(&ix->name_id[ix->name_off[c]]);
    if (ix->name_rank)
      ICX_PREFETCH(&ix->name_rank[ix->name_off[c]]);
  }
}

size_t
icx_index_cloud_names(const icx_index *ix, size_t c, const uint32_t **ids, size_t *first)
{
  *first = ix->name_off[c];
  *ids = ix->name_id + ix->name_off[c];
  return ix->name_off[c + 1] - ix->name_off[c];
}

int
icx_index_each_offer(const icx_index *ix, const roaring_bitmap_t *svcs, icx_index_offer_fn fn,
                     void *userdata)
{
  roaring_uint32_iterator_t it;
  uint32_t buf[256], at[256], got, i, k;
  size_t pos = 0;
  int stop;

  roaring_init_iterator(svcs, &it);
  /* Read in blocks: one call per 256 services, not one per service; each
   * block's skip entries, then its pairs, asked for ahead. */
  while (pos < ix->n_offer && (got = roaring_read_uint32_iterator(&it, buf, 256)) > 0) {
    for (i = 0; ix->n_skip && i < got; i++)
      if ((buf[i] >> ix->skip_shift) < ix->n_skip)
        ICX_PREFETCH(&ix->offer_skip[buf[i] >> ix->skip_shift]);
    for (i = 0; ix->n_skip && i < got; i++) {
      size_t blk = buf[i] >> ix->skip_shift;
      at[i] = blk < ix->n_skip ? ix->offer_skip[blk] : (uint32_t)ix->n_offer;
      /* The block's pairs, and the line after: a block's few pairs
       * often run into it (asking for it too took the paper's request's
       * walk at 1M from 3.9 to 2.9 ms). */
      if (at[i] < ix->n_offer)
        ICX_PREFETCH(&ix->offer[2 * (size_t)at[i]]);
      if ((size_t)at[i] + 7 < ix->n_offer)
        ICX_PREFETCH(&ix->offer[2 * ((size_t)at[i] + 7)]);
    }
    for (i = 0; i < got; i++) {
      if (ix->n_skip) {
        if (at[i] >= ix->n_offer)
          return 0;             /* past every service offered */
        if (at[i] > pos)
          pos = at[i];
      }
      /* A block holds a few pairs: looked at in turn (in the lines asked
       * for above), then galloped when there are more. */
      for (k = 0; k < 8 && pos < ix->n_offer && ix->offer[2 * pos] < buf[i]; k++)
        pos++;
      if (k == 8)
        pos = icx_index_gallop_stride(ix->offer, 2, pos, ix->n_offer, buf[i]);
      for (; pos < ix->n_offer && ix->offer[2 * pos] == buf[i]; pos++)
        if ((stop = fn(userdata, buf[i], ix->offer[2 * pos + 1])))
          return stop;
      if (pos == ix->n_offer)
        return 0;
    }
  }
  return 0;
}

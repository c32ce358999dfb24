/* icx_index_names.c - the texts of the clouds' names in the matching
 * index (icx_index.h), kept in text order: read whole the first time a
 * name is asked for, and a name a change brings in placed among them by
 * binary search.  A name's rank orders answers and tells equal texts
 * apart without comparing strings again. */
#define _GNU_SOURCE 1               /* qsort_r() */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_index_internal.h"
#include "icx_sort.h"
#include "icx_store_ids.h"
#include "icx_util.h"

/* Name texts are read this many at a time. */
#define NAME_BATCH 65536

void
icx_index_names_clear(icx_index *ix)
{
  icx_index_release(ix, ix->txt);
  icx_index_release(ix, ix->rank_off);
  ix->txt = NULL;
  ix->rank_off = NULL;
  ix->n_txt = ix->cap_txt = ix->n_rank = 0;
  ix->names_ordered = 0;
  ix->names_pending = 0;
}

/* Appends text s to the texts; its offset into *off.  0, -1 when out of
 * memory, -2 past what 32-bit offsets reach. */
static int
names_append(icx_index *ix, const char *s, uint32_t *off)
{
  size_t len = strlen(s) + 1;

  if (ix->n_txt + len > UINT32_MAX)
    return -2;
  if (ix->n_txt + len > ix->cap_txt) {
    size_t cap = ix->cap_txt ? ix->cap_txt * 2 : 4096;
    char *t;
    while (cap < ix->n_txt + len)
      cap *= 2;
    if (icx_index_mapped(ix, ix->txt)) {   /* read from the saved file: copied out */
      if (!(t = icx_malloc(ix->mem, cap)))
        return -1;
      memcpy(t, ix->txt, ix->n_txt);
    } else if (!(t = icx_realloc(ix->mem, ix->txt, cap))) {
      return -1;
    }
    ix->txt = t;
    ix->cap_txt = cap;
  }
  memcpy(ix->txt + ix->n_txt, s, len);
  *off = (uint32_t)ix->n_txt;
  ix->n_txt += len;
  return 0;
}

/* Reads the texts of ids[0 .. n) in batches and appends them: off[i]
 * gets id i's offset.  A term without a text is an error. */
static icx_rc
names_read(icx_ctx *ctx, icx_index *ix, const uint32_t *ids, size_t n, uint32_t *off)
{
  icx_id *batch;
  char **texts;
  size_t i, j, m;
  int bad;
  icx_rc rc = ICX_OK;

  batch = icx_malloc(ctx, NAME_BATCH * sizeof *batch);
  texts = icx_calloc(ctx, NAME_BATCH, sizeof *texts);
  if (!batch || !texts) {
    icx_free(ctx, batch);
    icx_free(ctx, texts);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  for (i = 0; i < n && rc == ICX_OK; i += m) {
    m = n - i < NAME_BATCH ? n - i : NAME_BATCH;
    for (j = 0; j < m; j++)
      batch[j] = ids[i + j];
    /* icx_store_lex() makes its strings with the store's context, the
     * index's own. */
    if ((rc = icx_store_lex(ix->store, batch, m, texts)) != ICX_OK)
      rc = icx_index_pass(ctx, ix->mem, rc);
    for (j = 0; j < m; j++) {
      if (rc == ICX_OK && !texts[j])
        rc = icx_fail(ctx, ICX_ERR_STORE, "a cloud's name has no term");
      if (rc == ICX_OK && (bad = names_append(ix, texts[j], &off[i + j])) != 0)
        rc = bad == -1 ? icx_fail(ctx, ICX_ERR_NOMEM, "out of memory")
                       : icx_fail(ctx, ICX_ERR_LIMIT, "the clouds' names take more than 4 GiB");
      icx_free(ix->mem, texts[j]);
      texts[j] = NULL;
    }
  }
  icx_free(ctx, batch);
  icx_free(ctx, texts);
  return rc;
}

/* The distinct name ids of names ks[0 .. n),
 * ascending, into *ids; for each name, which of them it is into at[k]
 * (at may be NULL).  How many, or (size_t)-1 when out of memory. */
static size_t
names_distinct(icx_ctx *ctx, const icx_index *ix, const size_t *ks, size_t n, uint32_t **ids,
               uint32_t *at)
{
  uint64_t *key = icx_malloc(ctx, (n + 1) * sizeof *key);
  uint32_t *val = icx_malloc(ctx, (n + 1) * sizeof *val), *out;
  size_t i, d = 0;

  out = icx_malloc(ctx, (n + 1) * sizeof *out);
  if (!key || !val || !out) {
    d = (size_t)-1;
    goto done;
  }
  for (i = 0; i < n; i++) {
    key[i] = ix->name_id[ks[i]];
    val[i] = (uint32_t)i;
  }
  if (icx_sort_pairs(ctx, key, val, n)) {
    d = (size_t)-1;
    goto done;
  }
  for (i = 0; i < n; i++) {
    if (!d || out[d - 1] != (uint32_t)key[i])
      out[d++] = (uint32_t)key[i];
    if (at)
      at[val[i]] = (uint32_t)(d - 1);
  }
  *ids = out;
  out = NULL;
done:
  icx_free(ctx, key);
  icx_free(ctx, val);
  icx_free(ctx, out);
  return d;
}

/* Orders name numbers by their texts (then by number): qsort_r()'s
 * comparison, the index its context. */
static int
name_cmp_k(const void *a, const void *b, void *arg)
{
  const icx_index *ix = arg;
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  int c = strcmp(ix->txt + ix->rank_off[x], ix->txt + ix->rank_off[y]);

  return c ? c : (x > y) - (x < y);
}

/* Every name's text read (in name order, which is about id order) and
 * sorted; ranks given; the texts kept once each, in rank order. */
static icx_rc
names_build(icx_ctx *ctx, icx_index *ix)
{
  uint32_t *order = NULL, *off = NULL;
  size_t n = ix->n_names, i, r = 0;
  icx_rc rc = ICX_OK;

  icx_index_names_clear(ix);
  order = icx_malloc(ctx, (n + 1) * sizeof *order);
  off = icx_malloc(ix->mem, (n + 1) * sizeof *off);
  if (!order || !off) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((rc = names_read(ctx, ix, ix->name_id, n, off)))
    goto done;
  /* The texts' offsets by name, for the sort; then, in place, by rank. */
  ix->rank_off = off;
  for (i = 0; i < n; i++)
    order[i] = (uint32_t)i;
  qsort_r(order, n, sizeof *order, name_cmp_k, ix);
  /* Walking the names in text order, each new text a rank; order[r]
   * (read already) takes the rank's text. */
  for (i = 0; i < n; i++) {
    uint32_t k = order[i];
    if (!r || strcmp(ix->txt + order[r - 1], ix->txt + off[k]))
      order[r++] = off[k];
    ix->name_rank[k] = (uint32_t)(r - 1);
  }
  /* The texts again, once each and in rank order: answers list names in
   * that order, and read them in step. */
  {
    char *old = ix->txt, *t = icx_malloc(ix->mem, ix->n_txt + 1);
    size_t len = 0;
    if (!t) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (i = 0; i < r; i++) {
      size_t l = strlen(old + order[i]) + 1;
      memcpy(t + len, old + order[i], l);
      off[i] = (uint32_t)len;
      len += l;
    }
    ix->txt = t;
    ix->n_txt = len;
    ix->cap_txt = ix->n_txt + 1;
    icx_index_release(ix, old);
  }
  off = NULL;                   /* ix->rank_off */
  ix->n_rank = r;
  ix->names_ordered = 1;
done:
  if (rc) {
    if (ix->rank_off == off)
      off = NULL;
    icx_index_names_clear(ix);
  }
  icx_free(ctx, order);
  icx_free(ix->mem, off);
  return rc;
}

/* A new text: it goes before old rank pos. */
typedef struct name_ins {
  uint32_t pos;
  uint32_t off;               /* its text, appended */
  const char *t;              /* the same, once every text is appended */
  uint32_t i;                 /* the distinct new id it is of */
} name_ins;

static int
name_cmp_ins(const void *a, const void *b)
{
  const name_ins *x = a, *y = b;
  int c;

  if (x->pos != y->pos)
    return x->pos < y->pos ? -1 : 1;
  c = strcmp(x->t, y->t);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The first rank whose text is >= s; *eq set when equal. */
static uint32_t
names_search(const icx_index *ix, const char *s, int *eq)
{
  size_t lo = 0, hi = ix->n_rank;

  *eq = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(ix->txt + ix->rank_off[mid], s);
    if (c < 0) {
      lo = mid + 1;
    } else {
      if (!c)
        *eq = 1;
      hi = mid;
    }
  }
  return (uint32_t)lo;
}

/* Where old rank r goes once the m insertions (by place) are in: up by
 * those at or before it. */
static uint32_t
names_shift(const name_ins *ins, size_t m, uint32_t r)
{
  size_t lo = 0, hi = m;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ins[mid].pos <= r)
      lo = mid + 1;
    else
      hi = mid;
  }
  return r + (uint32_t)lo;
}

/* The names a change brought in, placed among the others: each new text
 * found by binary search, the new ones inserted in one merge, the older
 * ranks moved up past them. */
static icx_rc
names_place(icx_ctx *ctx, icx_index *ix)
{
  size_t *ks = NULL, n = 0, d, i, j, n_ins = 0, m = 0, start = ix->n_txt, len;
  uint32_t *ids = NULL, *at = NULL, *off = NULL, *rank = NULL, *roff = NULL;
  unsigned char *is_new = NULL;       /* per distinct id: 1 a new text, 2 the one kept */
  name_ins *ins = NULL;
  icx_rc rc = ICX_OK;

  for (i = 0; i < ix->n_names; i++)
    n += ix->name_rank[i] == INDEX_RANK_NONE;
  /* Many new names, or as many texts no name has as names: read all. */
  if (n > ix->n_names / 4 + 1024 || ix->n_rank > 2 * ix->n_names + 4096)
    return names_build(ctx, ix);
  ks = icx_malloc(ctx, (n + 1) * sizeof *ks);
  at = icx_malloc(ctx, (n + 1) * sizeof *at);
  if (!ks || !at)
    goto nomem;
  for (i = 0, j = 0; i < ix->n_names; i++)
    if (ix->name_rank[i] == INDEX_RANK_NONE)
      ks[j++] = i;
  if ((d = names_distinct(ctx, ix, ks, n, &ids, at)) == (size_t)-1)
    goto nomem;
  off = icx_malloc(ctx, (d + 1) * sizeof *off);
  rank = icx_malloc(ctx, (d + 1) * sizeof *rank);
  is_new = icx_calloc(ctx, d + 1, 1);
  ins = icx_malloc(ctx, (d + 1) * sizeof *ins);
  if (!off || !rank || !is_new || !ins)
    goto nomem;
  if ((rc = names_read(ctx, ix, ids, d, off)))
    goto done;
  for (i = 0; i < d; i++) {
    int eq;
    uint32_t pos = names_search(ix, ix->txt + off[i], &eq);
    rank[i] = pos;              /* an old rank, or where the text goes */
    if (eq)
      continue;
    is_new[i] = 1;
    ins[n_ins].pos = pos;
    ins[n_ins].off = off[i];
    ins[n_ins].t = NULL;
    ins[n_ins++].i = (uint32_t)i;
  }
  for (i = 0; i < n_ins; i++)   /* the texts stay put from here */
    ins[i].t = ix->txt + ins[i].off;
  qsort(ins, n_ins, sizeof *ins, name_cmp_ins);
  /* Equal new texts merged: insertion g (by place) gets rank pos + g. */
  for (i = 0; i < n_ins; i++) {
    if (!m || ins[i].pos != ins[m - 1].pos || strcmp(ins[i].t, ins[m - 1].t)) {
      ins[m++] = ins[i];
      is_new[ins[i].i] = 2;
    }
    rank[ins[i].i] = ins[m - 1].pos + (uint32_t)(m - 1);
  }
  for (i = 0; i < d; i++)
    if (!is_new[i])
      rank[i] = names_shift(ins, m, rank[i]);
  /* Only the inserted texts stay: the others (a text held already, a
   * second copy of a new one) are taken out of what this read appended,
   * the kept ones moved down in the order they were read. */
  for (i = 0, len = start; i < d; i++) {
    if (is_new[i] == 2) {
      size_t l = strlen(ix->txt + off[i]) + 1;
      memmove(ix->txt + len, ix->txt + off[i], l);
      off[i] = (uint32_t)len;
      len += l;
    }
  }
  ix->n_txt = len;
  for (i = 0; i < m; i++)
    ins[i].off = off[ins[i].i];
  if (!m)
    goto placed;
  if (!(roff = icx_malloc(ix->mem, (ix->n_rank + m + 1) * sizeof *roff)))
    goto nomem;
  for (i = 0, j = 0, n_ins = 0; i <= ix->n_rank; i++) {
    for (; j < m && ins[j].pos == i; j++)
      roff[n_ins++] = ins[j].off;
    if (i < ix->n_rank)
      roff[n_ins++] = ix->rank_off[i];
  }
  for (i = 0; m && i < ix->n_names; i++)
    if (ix->name_rank[i] != INDEX_RANK_NONE)
      ix->name_rank[i] = names_shift(ins, m, ix->name_rank[i]);
  icx_index_release(ix, ix->rank_off);
  ix->rank_off = roff;
  ix->n_rank += m;
  roff = NULL;
placed:
  for (i = 0; i < n; i++)
    ix->name_rank[ks[i]] = rank[at[i]];
  ix->names_pending = 0;
  goto done;
nomem:
  rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
done:
  if (rc)
    icx_index_names_clear(ix);   /* read whole when next asked for */
  icx_free(ctx, ks);
  icx_free(ctx, ids);
  icx_free(ctx, at);
  icx_free(ctx, off);
  icx_free(ctx, rank);
  icx_free(ctx, is_new);
  icx_free(ctx, ins);
  icx_free(ix->mem, roff);
  return rc;
}

icx_rc
icx_index_names_order(icx_ctx *ctx, icx_index *ix)
{
  double t0 = icx_now_ms();
  icx_rc rc;

  if (!ix->names_ordered) {
    rc = names_build(ctx, ix);
    ix->store_ms += icx_now_ms() - t0;   /* every text read from the store */
    return rc;
  }
  return ix->names_pending ? names_place(ctx, ix) : ICX_OK;
}

uint32_t
icx_index_name_rank(const icx_index *ix, size_t k)
{
  return ix->name_rank[k];
}

int
icx_index_rank_of(const icx_index *ix, const char *text, uint32_t *rank)
{
  int eq;

  *rank = names_search(ix, text, &eq);
  return eq;
}

const char *
icx_index_rank_text(const icx_index *ix, uint32_t r)
{
  return ix->txt + ix->rank_off[r];
}

/* Looked up this many ahead: a rank's offset, then (half as far) its
 * text. */
#define NAMES_AHEAD 16

size_t
icx_index_rank_texts(const icx_index *ix, const uint64_t *keys, size_t n, const char **texts,
                     uint32_t *lens)
{
  size_t i, sum = 0;

  for (i = 0; i < n && i < NAMES_AHEAD; i++)
    ICX_PREFETCH(&ix->rank_off[(uint32_t)keys[i]]);
  for (i = 0; i < n; i++) {
    if (i + NAMES_AHEAD < n)
      ICX_PREFETCH(&ix->rank_off[(uint32_t)keys[i + NAMES_AHEAD]]);
    texts[i] = ix->txt + ix->rank_off[(uint32_t)keys[i]];
  }
  for (i = 0; i < n && i < NAMES_AHEAD / 2; i++)
    ICX_PREFETCH(texts[i]);
  for (i = 0; i < n; i++) {
    if (i + NAMES_AHEAD / 2 < n)
      ICX_PREFETCH(texts[i + NAMES_AHEAD / 2]);
    lens[i] = (uint32_t)strlen(texts[i]);
    sum += lens[i];
  }
  return sum;
}

size_t
icx_index_rank_count(const icx_index *ix)
{
  return ix->n_rank;
}

const char *
icx_index_name(icx_ctx *ctx, icx_index *ix, size_t k)
{
  if (k >= ix->n_names || icx_index_names_order(ctx, ix))
    return NULL;
  return icx_index_rank_text(ix, ix->name_rank[k]);
}

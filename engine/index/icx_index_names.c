/* icx_index_names.c - the texts of the clouds' names in the matching
 * index (icx_index.h): read from the store when first asked for and kept,
 * and which names share one text, for counting answers without reading
 * them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_index_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

icx_rc
icx_index_names_load(icx_ctx *ctx, icx_index *ix, const size_t *ks, size_t n)
{
  icx_id *ids;
  char **out;
  size_t i, m = 0;
  icx_rc rc;

  ids = icx_malloc(ctx, (n + 1) * sizeof *ids);
  out = icx_calloc(ctx, n + 1, sizeof *out);
  if (!ids || !out) {
    icx_free(ctx, ids);
    icx_free(ctx, out);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  for (i = 0; i < n; i++)
    if (!ix->name_lex[ks[i]])
      ids[m++] = ix->name_id[ks[i]];
  /* icx_store_lex() makes its strings with the store's context, the
   * index's own. */
  rc = icx_store_lex(ix->store, ids, m, out);
  for (i = 0, m = 0; i < n; i++) {
    if (ix->name_lex[ks[i]])
      continue;
    if (out[m] && !ix->name_lex[ks[i]])
      ix->name_lex[ks[i]] = out[m];
    else
      icx_free(ix->mem, out[m]);
    m++;
  }
  if (rc != ICX_OK)
    icx_index_pass(ctx, ix->mem, rc);
  icx_free(ctx, ids);
  icx_free(ctx, out);
  return rc;
}

const char *
icx_index_name(icx_ctx *ctx, icx_index *ix, size_t k)
{
  if (k >= ix->n_names)
    return NULL;
  if (!ix->name_lex[k] && icx_index_names_load(ctx, ix, &k, 1))
    return NULL;
  return ix->name_lex[k];
}

/* --- names sharing a text ------------------------------------------------ */

/* Name texts are read this many at a time while hashing them. */
#define NAME_BATCH 65536

typedef struct name_hash {
  uint64_t h;
  uint32_t id;
} name_hash;

static int
name_cmp_hash(const void *a, const void *b)
{
  const name_hash *x = a, *y = b;

  if (x->h != y->h)
    return x->h < y->h ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int
name_cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

  return (x > y) - (x < y);
}

void
icx_index_name_classes_clear(icx_index *ix)
{
  icx_free(ix->mem, ix->name_alias);
  ix->name_alias = NULL;
  ix->n_name_alias = 0;
  ix->name_alias_known = 0;
}

/* Reads the texts of ids[0 .. n) (the store's context makes them) into
 * texts; ICX_OK or the store's error. */
static icx_rc
name_texts(icx_ctx *ctx, icx_index *ix, const uint32_t *ids, size_t n, icx_id *tmp,
           char **texts)
{
  size_t i;
  icx_rc rc;

  for (i = 0; i < n; i++) {
    tmp[i] = ids[i];
    texts[i] = NULL;
  }
  if ((rc = icx_store_lex(ix->store, tmp, n, texts)) != ICX_OK)
    icx_index_pass(ctx, ix->mem, rc);
  return rc;
}

static void
name_texts_free(icx_index *ix, char **texts, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    icx_free(ix->mem, texts[i]);
    texts[i] = NULL;
  }
}

/* Works out which distinct name ids share a text with a smaller one:
 * every name's text hashed (read in batches, not kept), then the texts of
 * equal hashes compared.  ix->name_alias gets (id, smallest id of its
 * text) pairs, by id; usually none. */
static icx_rc
name_classes(icx_ctx *ctx, icx_index *ix)
{
  icx_ctx *mem = ix->mem;
  uint32_t *ids = NULL, *alias = NULL, *run = NULL;
  name_hash *hs = NULL;
  icx_id *tmp = NULL;
  char **texts = NULL;
  size_t n = 0, i, j, k, n_alias = 0;
  icx_rc rc = ICX_OK;

  ids = icx_malloc(mem, (ix->n_names + 1) * sizeof *ids);
  hs = icx_malloc(mem, (ix->n_names + 1) * sizeof *hs);
  tmp = icx_malloc(mem, NAME_BATCH * sizeof *tmp);
  texts = icx_calloc(mem, NAME_BATCH, sizeof *texts);
  run = icx_malloc(mem, NAME_BATCH * sizeof *run);
  alias = icx_malloc(mem, (ix->n_names + 1) * 2 * sizeof *alias);
  if (!ids || !hs || !tmp || !texts || !run || !alias) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  memcpy(ids, ix->name_id, ix->n_names * sizeof *ids);
  qsort(ids, ix->n_names, sizeof *ids, name_cmp_u32);
  for (i = 0; i < ix->n_names; i++)   /* distinct ids, ascending */
    if (!n || ids[n - 1] != ids[i])
      ids[n++] = ids[i];
  for (i = 0; i < n; i += NAME_BATCH) {
    size_t m = n - i < NAME_BATCH ? n - i : NAME_BATCH;
    if ((rc = name_texts(ctx, ix, ids + i, m, tmp, texts)))
      goto done;
    for (j = 0; j < m; j++) {
      hs[i + j].h = texts[j] ? icx_hash_str(texts[j]) : 0;
      hs[i + j].id = ids[i + j];
    }
    name_texts_free(ix, texts, m);
  }
  qsort(hs, n, sizeof *hs, name_cmp_hash);
  for (i = 0; i < n; i = j) {
    size_t m;
    for (j = i + 1; j < n && hs[j].h == hs[i].h; j++)
      ;
    if (j - i < 2)
      continue;
    /* Equal hashes: compare the texts (a run longer than a batch is
     * compared in batches; it does not happen with a 64-bit hash). */
    m = j - i < NAME_BATCH ? j - i : NAME_BATCH;
    for (k = 0; k < m; k++)
      run[k] = hs[i + k].id;
    if ((rc = name_texts(ctx, ix, run, m, tmp, texts)))
      goto done;
    for (k = 1; k < m; k++) {
      size_t e;
      for (e = 0; e < k; e++)
        if (texts[e] && texts[k] && !strcmp(texts[e], texts[k]))
          break;
      if (e < k) {   /* the run is by id: e, the first of its text, is the smallest */
        alias[2 * n_alias] = run[k];
        alias[2 * n_alias + 1] = run[e];
        n_alias++;
      }
    }
    name_texts_free(ix, texts, m);
  }
  qsort(alias, n_alias, 2 * sizeof *alias, name_cmp_u32);   /* by id */
  icx_index_name_classes_clear(ix);
  ix->name_alias = alias;
  ix->n_name_alias = n_alias;
  ix->name_alias_known = 1;
  alias = NULL;
done:
  icx_free(mem, ids);
  icx_free(mem, hs);
  icx_free(mem, tmp);
  icx_free(mem, texts);
  icx_free(mem, run);
  icx_free(mem, alias);
  return rc;
}

icx_rc
icx_index_count_texts(icx_ctx *ctx, icx_index *ix, const roaring_bitmap_t *name_ids,
                      size_t *count)
{
  roaring_bitmap_t *classes;
  size_t i;
  icx_rc rc;

  if (!ix->name_alias_known && (rc = name_classes(ctx, ix)))
    return rc;
  if (!ix->n_name_alias) {
    *count = (size_t)roaring_bitmap_get_cardinality(name_ids);
    return ICX_OK;
  }
  if (!(classes = roaring_bitmap_copy(name_ids)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (i = 0; i < ix->n_name_alias; i++)
    if (roaring_bitmap_contains(name_ids, ix->name_alias[2 * i])) {
      roaring_bitmap_remove(classes, ix->name_alias[2 * i]);
      roaring_bitmap_add(classes, ix->name_alias[2 * i + 1]);
    }
  *count = (size_t)roaring_bitmap_get_cardinality(classes);
  roaring_bitmap_free(classes);
  return ICX_OK;
}

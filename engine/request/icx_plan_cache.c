/* icx_plan_cache.c - the plans of recent request shapes (icx_plan_cache.h):
 * a small table of (canonical key, plan, SPARQL), looked up by the key's
 * hash, the least recently used entry replaced when full.  The key
 * (icx_constraints_key_append()) is built in a scratch buffer the cache
 * keeps, so a hit allocates nothing. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_constraint_internal.h"
#include "icx_ctx_internal.h"
#include "icx_plan_cache.h"
#include "icx_util.h"
#include "icx_vocab.h"

typedef struct plan_cache_entry {
  char *key;                  /* NULL: a free slot */
  size_t key_len;
  uint64_t hash;
  unsigned long used;         /* the tick of its last hit */
  icx_plan *plan;
  char *sparql;
} plan_cache_entry;

typedef struct plan_cache {
  icx_ctx *ctx;               /* made with; frees everything here */
  unsigned long long vocab;   /* icx_vocab_serial() of the entries' vocabulary */
  plan_cache_entry entries[ICX_PLAN_CACHE_SIZE];
  size_t n;
  unsigned long tick;
  icx_buf scratch;            /* the key being looked up */
  icx_plan_cache_stats stats;
} plan_cache;

static void
plan_cache_entry_clear(icx_ctx *ctx, plan_cache_entry *e)
{
  icx_free(ctx, e->key);
  icx_free(ctx, e->sparql);
  icx_plan_free(e->plan);
  memset(e, 0, sizeof *e);
}

static void
plan_cache_empty(plan_cache *c)
{
  size_t i;

  for (i = 0; i < ICX_PLAN_CACHE_SIZE; i++)
    if (c->entries[i].key)
      plan_cache_entry_clear(c->ctx, &c->entries[i]);
  c->n = 0;
}

static void
plan_cache_free(void *p)
{
  plan_cache *c = p;

  if (!c)
    return;
  plan_cache_empty(c);
  icx_buf_free(&c->scratch);
  icx_free(c->ctx, c);
}

/* --- lookups ------------------------------------------------------------------ */

static plan_cache *
plan_cache_of(icx_ctx *ctx)
{
  plan_cache *c;

  if (ctx->plan_cache)
    return ctx->plan_cache;
  if (!(c = icx_calloc(ctx, 1, sizeof *c)))
    return NULL;
  c->ctx = ctx;
  icx_buf_init(&c->scratch, ctx);
  ctx->plan_cache = c;
  ctx->plan_cache_free = plan_cache_free;
  return c;
}

icx_rc
icx_plan_cache_get(icx_ctx *ctx, const icx_constraints *set, const icx_plan **plan,
                   const char **sparql)
{
  plan_cache *c;
  plan_cache_entry *e;
  unsigned long long vocab;
  uint64_t h;
  size_t i, victim = 0, len;
  icx_plan *p = NULL;
  char *q = NULL;
  const char *key;
  icx_rc rc;

  if (!ctx || !set || !plan || !sparql)
    return ICX_ERR_MISUSE;
  *plan = NULL;
  *sparql = NULL;
  if (!(c = plan_cache_of(ctx)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  vocab = icx_vocab_serial(icx_constraints_vocab(set));
  if (c->n && c->vocab != vocab) {
    plan_cache_empty(c);        /* another vocabulary: nothing here is its */
    c->stats.flushes++;
  }
  c->vocab = vocab;
  icx_buf_reset(&c->scratch);
  icx_buf_append(&c->scratch, "");
  icx_constraints_key_append(&c->scratch, set);
  if (icx_buf_failed(&c->scratch))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  key = c->scratch.data;
  len = c->scratch.len;
  h = icx_hash_bytes(key, len);
  for (i = 0; i < ICX_PLAN_CACHE_SIZE; i++) {
    e = &c->entries[i];
    if (e->key && e->hash == h && e->key_len == len && !memcmp(e->key, key, len)) {
      e->used = ++c->tick;
      c->stats.hits++;
      *plan = e->plan;
      *sparql = e->sparql;
      return ICX_OK;
    }
  }
  c->stats.misses++;
  if ((rc = icx_compile_sparql(ctx, set, &q)) || (rc = icx_plan_new(ctx, set, &p))) {
    icx_free(ctx, q);
    return rc;
  }
  /* A free slot, else the least recently used. */
  for (i = 0; i < ICX_PLAN_CACHE_SIZE; i++) {
    if (!c->entries[i].key) {
      victim = i;
      break;
    }
    if (c->entries[i].used < c->entries[victim].used)
      victim = i;
  }
  e = &c->entries[victim];
  if (e->key) {
    plan_cache_entry_clear(ctx, e);
    c->n--;
  }
  if (!(e->key = icx_malloc(ctx, len + 1))) {
    icx_free(ctx, q);
    icx_plan_free(p);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  memcpy(e->key, key, len + 1);
  e->key_len = len;
  e->hash = h;
  e->used = ++c->tick;
  e->plan = p;
  e->sparql = q;
  c->n++;
  *plan = p;
  *sparql = q;
  return ICX_OK;
}

void
icx_plan_cache_clear(icx_ctx *ctx)
{
  if (ctx && ctx->plan_cache)
    plan_cache_empty(ctx->plan_cache);
}

void
icx_plan_cache_get_stats(icx_ctx *ctx, icx_plan_cache_stats *out)
{
  plan_cache *c = ctx ? ctx->plan_cache : NULL;

  memset(out, 0, sizeof *out);
  if (!c)
    return;
  *out = c->stats;
  out->entries = c->n;
}

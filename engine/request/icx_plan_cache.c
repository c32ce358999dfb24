/* icx_plan_cache.c - the plans of recent request shapes (icx_plan_cache.h):
 * a small table of (canonical key, plan, SPARQL), looked up by the key's
 * hash, the least recently used entry replaced when full.  The key is
 * built in a scratch buffer the cache keeps, so a hit allocates nothing. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "icx_compile.h"
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
  char *scratch;              /* the key being looked up */
  size_t len, cap;
  int oom;                    /* the scratch could not grow */
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
  icx_free(c->ctx, c->scratch);
  icx_free(c->ctx, c);
}

/* --- the key ---------------------------------------------------------------- */

static void
plan_cache_put(plan_cache *c, const char *s, size_t n)
{
  if (c->oom)
    return;
  if (c->len + n + 1 > c->cap) {
    size_t ncap = c->cap ? c->cap : 256;
    char *nb;
    while (c->len + n + 1 > ncap)
      ncap *= 2;
    if (!(nb = icx_realloc(c->ctx, c->scratch, ncap))) {
      c->oom = 1;
      return;
    }
    c->scratch = nb;
    c->cap = ncap;
  }
  memcpy(c->scratch + c->len, s, n);
  c->len += n;
  c->scratch[c->len] = '\0';
}

/* A field: its text, then a separator no IRI or canonical value holds. */
static void
plan_cache_field(plan_cache *c, const char *s)
{
  if (s)
    plan_cache_put(c, s, strlen(s));
  plan_cache_put(c, "\x1f", 1);
}

static void
plan_cache_number(plan_cache *c, long v)
{
  char b[32];
  int n = snprintf(b, sizeof b, "%ld", v);

  plan_cache_put(c, b, (size_t)n);
  plan_cache_put(c, "\x1f", 1);
}

static void
plan_cache_key(plan_cache *c, const icx_constraints *set)
{
  size_t n = icx_constraints_count(set), i, k, m;

  c->len = 0;
  c->oom = 0;
  plan_cache_put(c, "", 0);
  for (i = 0; i < n; i++) {
    const icx_individual *from = icx_constraint_from(set, i);
    plan_cache_field(c, icx_attribute_iri(icx_constraint_stated_attribute(set, i)));
    plan_cache_field(c, icx_attribute_iri(icx_constraint_attribute(set, i)));
    plan_cache_number(c, (long)icx_constraint_op(set, i));
    plan_cache_number(c, icx_constraint_required(set, i));
    plan_cache_number(c, icx_constraint_weight(set, i));
    plan_cache_field(c, from ? icx_individual_iri(from) : NULL);
    m = icx_constraint_value_count(set, i);
    plan_cache_number(c, (long)m);
    for (k = 0; k < m; k++) {
      const icx_individual *ind = icx_constraint_individual_at(set, i, k);
      plan_cache_field(c, icx_constraint_value_at(set, i, k));
      plan_cache_field(c, ind ? icx_individual_iri(ind) : NULL);
    }
    plan_cache_put(c, "\x1e", 1);
  }
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
  size_t i, victim = 0;
  icx_plan *p = NULL;
  char *q = NULL;
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
  plan_cache_key(c, set);
  if (c->oom)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  h = icx_hash_bytes(c->scratch, c->len);
  for (i = 0; i < ICX_PLAN_CACHE_SIZE; i++) {
    e = &c->entries[i];
    if (e->key && e->hash == h && e->key_len == c->len && !memcmp(e->key, c->scratch, c->len)) {
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
  if (!(e->key = icx_malloc(ctx, c->len + 1))) {
    icx_free(ctx, q);
    icx_plan_free(p);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  memcpy(e->key, c->scratch, c->len + 1);
  e->key_len = c->len;
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

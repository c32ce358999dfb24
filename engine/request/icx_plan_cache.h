/* icx_plan_cache.h - the plans and compiled SPARQL of recent request
 * shapes, kept with a context so that a request of a shape seen before
 * compiles nothing (internal).
 *
 * A request's shape is its constraint set in canonical form: per
 * constraint, in the set's order, the attribute (as stated and as read),
 * the operator, required or soft with its weight, the values as icx
 * formatted them (units already converted), the individuals they name and
 * the place a distance is counted from.  Two sets with the same canonical
 * form compile to the same SPARQL and the same plan, which is what the
 * cache relies on.  The key also holds the vocabulary's identity
 * (icx_vocab_serial()): a lookup with another vocabulary than the one the
 * entries were made with empties the cache first, so a plan is never used
 * with a vocabulary it was not made from (its strings are that
 * vocabulary's).
 *
 * The cache is bounded (ICX_PLAN_CACHE_SIZE entries; the least recently
 * used goes first), made on first use, and freed with its context
 * (icx_ctx_free()); its memory is the context's.  Like the context, it is
 * used by one thread at a time: each icxd worker has its own.
 */
#ifndef ICX_PLAN_CACHE_H
#define ICX_PLAN_CACHE_H

#include <stddef.h>
#include "icx_constraint.h"
#include "icx_plan.h"

#define ICX_PLAN_CACHE_SIZE 64

/* The plan and the compiled SPARQL (icx_compile_sparql()) of set, from
 * ctx's cache, or made and kept there.  Both lent: valid until the next
 * call on ctx's cache or icx_ctx_free(), whichever comes first.  The plan
 * holds no pointer into set (only into its vocabulary).  Errors: those of
 * icx_compile_sparql() and icx_plan_new(); nothing is kept then. */
icx_rc icx_plan_cache_get(icx_ctx *ctx, const icx_constraints *set, const icx_plan **plan,
                          const char **sparql);

/* Empties ctx's cache (a no-op when it has none). */
void icx_plan_cache_clear(icx_ctx *ctx);

typedef struct icx_plan_cache_stats {
  size_t entries;             /* held now */
  unsigned long hits, misses; /* lookups answered from the cache, and not */
  unsigned long flushes;      /* times a new vocabulary emptied it */
} icx_plan_cache_stats;

/* ctx's figures (all 0 when it has no cache yet). */
void icx_plan_cache_get_stats(icx_ctx *ctx, icx_plan_cache_stats *out);

#endif

/* icx_sort.h - sorting keys with what they stand for (internal).
 *
 * A least-significant-digit radix sort of (64-bit key, 32-bit value)
 * pairs: eight passes of one byte each at most, a pass skipped when every
 * key has the same byte there, so 32-bit keys cost four.  Stable.  For
 * the hundreds of thousands of answers a broad request gives, where a
 * comparison sort's calls dominate. */
#ifndef ICX_SORT_H
#define ICX_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "icx_ctx.h"

/* Sorts the n pairs (key[i], val[i]) by key, ascending, keeping the order
 * of equal keys.  0, or -1 when out of memory (the pairs untouched). */
int icx_sort_pairs(icx_ctx *ctx, uint64_t *key, uint32_t *val, size_t n);

#endif

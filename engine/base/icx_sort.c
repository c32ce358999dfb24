/* icx_sort.c - sorting keys with what they stand for (icx_sort.h). */
#include "config.h"

#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_sort.h"

int
icx_sort_pairs(icx_ctx *ctx, uint64_t *key, uint32_t *val, size_t n)
{
  size_t (*count)[256], i;
  uint64_t *k2, *ksrc = key, *kdst;
  uint32_t *v2, *vsrc = val, *vdst;
  int b;

  if (n < 2)
    return 0;
  count = icx_calloc(ctx, 8, sizeof *count);
  k2 = icx_malloc(ctx, n * sizeof *k2);
  v2 = icx_malloc(ctx, n * sizeof *v2);
  if (!count || !k2 || !v2) {
    icx_free(ctx, count);
    icx_free(ctx, k2);
    icx_free(ctx, v2);
    return -1;
  }
  for (i = 0; i < n; i++)       /* every pass's counts in one read */
    for (b = 0; b < 8; b++)
      count[b][(key[i] >> (8 * b)) & 0xff]++;
  kdst = k2;
  vdst = v2;
  for (b = 0; b < 8; b++) {
    size_t sum = 0, c, *pos = count[b];
    unsigned d;
    if (pos[(ksrc[0] >> (8 * b)) & 0xff] == n)
      continue;                 /* one byte for every key: nothing to move */
    for (d = 0; d < 256; d++) {
      c = pos[d];
      pos[d] = sum;
      sum += c;
    }
    for (i = 0; i < n; i++) {
      size_t to = pos[(ksrc[i] >> (8 * b)) & 0xff]++;
      kdst[to] = ksrc[i];
      vdst[to] = vsrc[i];
    }
    kdst = ksrc;
    vdst = vsrc;
    ksrc = kdst == key ? k2 : key;
    vsrc = vdst == val ? v2 : val;
  }
  if (ksrc != key) {
    memcpy(key, ksrc, n * sizeof *key);
    memcpy(val, vsrc, n * sizeof *val);
  }
  icx_free(ctx, count);
  icx_free(ctx, k2);
  icx_free(ctx, v2);
  return 0;
}

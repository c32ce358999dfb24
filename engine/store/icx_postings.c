/* icx_postings.c - posting chunks: encoding, decoding and editing one
 * chunk of (s, g) entries in memory (icx_postings.h says the format).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "icx_postings.h"

enum { MODE_ONE_GRAPH = 1, MODE_GRAPHS = 2 };

int
icx_posting_cmp(icx_posting a, icx_posting b)
{
  if (a.x != b.x)
    return a.x < b.x ? -1 : 1;
  return a.y < b.y ? -1 : a.y > b.y;
}

size_t
icx_postings_varint_put(unsigned char *out, uint64_t x)
{
  size_t n = 0;

  while (x >= 0x80) {
    out[n++] = (unsigned char)(x | 0x80);
    x >>= 7;
  }
  out[n++] = (unsigned char)x;
  return n;
}

/* Reads a minimal varint from p[*at..len) into *x: 0, or -1 when the
 * bytes end inside it, it is longer than 10 bytes or past 64 bits, or it
 * ends in a needless zero group. */
int
icx_postings_varint_get(const unsigned char *p, size_t len, size_t *at, uint64_t *x)
{
  uint64_t v = 0;
  unsigned shift = 0;
  size_t i = *at;

  for (;;) {
    unsigned char b;
    if (i >= len || shift > 63)
      return -1;
    b = p[i++];
    if (shift == 63 && b > 1)
      return -1;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (b == 0 && shift > 0)
        return -1;
      break;
    }
    shift += 7;
  }
  *at = i;
  *x = v;
  return 0;
}

int
icx_postings_encode(const icx_posting *v, size_t n, unsigned char *out)
{
  size_t i, len = 0;
  int mode = MODE_ONE_GRAPH;

  if (!v || n < 1 || n > ICX_POSTINGS_CHUNK || !out)
    return -1;
  for (i = 0; i < n; i++) {
    if (v[i].x < 1 || v[i].y < 0 || (i > 0 && icx_posting_cmp(v[i - 1], v[i]) >= 0))
      return -1;
    if (v[i].y != v[0].y)
      mode = MODE_GRAPHS;
  }
  if (n == 1)
    return 0;
  out[len++] = (unsigned char)mode;
  for (i = 1; i < n; i++) {
    len += icx_postings_varint_put(out + len, (uint64_t)(v[i].x - v[i - 1].x));
    if (mode == MODE_GRAPHS)
      len += icx_postings_varint_put(out + len,
                                     icx_postings_zigzag((uint64_t)(v[i].y - v[i - 1].y)));
  }
  return (int)len;
}

int
icx_postings_decode(icx_posting first, const unsigned char *rest, size_t len,
                    icx_posting *out)
{
  size_t at = 1, n = 1;
  int mode, other_graph = 0;

  if (first.x < 1 || first.y < 0 || !out || (len && !rest))
    return -1;
  out[0] = first;
  if (len == 0)
    return 1;
  mode = rest[0];
  if ((mode != MODE_ONE_GRAPH && mode != MODE_GRAPHS) || len < 2)
    return -1;
  while (at < len) {
    icx_posting e, prev = out[n - 1];
    uint64_t gap, z;
    int64_t d;

    if (n == ICX_POSTINGS_CHUNK || icx_postings_varint_get(rest, len, &at, &gap) ||
        gap > (uint64_t)(INT64_MAX - prev.x))
      return -1;
    e.x = prev.x + (icx_id)gap;
    e.y = prev.y;
    if (mode == MODE_GRAPHS) {
      if (icx_postings_varint_get(rest, len, &at, &z))
        return -1;
      d = (int64_t)icx_postings_unzigzag(z);
      /* prev.y is in [0, 2^63 - 1]: the sum must be too. */
      if ((d > 0 && d > INT64_MAX - prev.y) || (d < 0 && prev.y + d < 0))
        return -1;
      e.y = prev.y + d;
      if (e.y != first.y)
        other_graph = 1;
    }
    if (icx_posting_cmp(prev, e) >= 0)
      return -1;
    out[n++] = e;
  }
  if (mode == MODE_GRAPHS && !other_graph)
    return -1;
  return (int)n;
}

/* The index in v[0..n-1] (ascending) of the first entry not before e. */
static size_t
postings_lower(const icx_posting *v, size_t n, icx_posting e)
{
  size_t lo = 0, hi = n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (icx_posting_cmp(v[mid], e) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int
icx_postings_add(icx_posting *v, size_t *n, size_t cap, icx_posting e)
{
  size_t at = postings_lower(v, *n, e);

  if (at < *n && icx_posting_cmp(v[at], e) == 0)
    return 0;
  if (*n >= cap)
    return -1;
  memmove(v + at + 1, v + at, (*n - at) * sizeof *v);
  v[at] = e;
  (*n)++;
  return 1;
}

int
icx_postings_remove(icx_posting *v, size_t *n, icx_posting e)
{
  size_t at = postings_lower(v, *n, e);

  if (at >= *n || icx_posting_cmp(v[at], e) != 0)
    return 0;
  memmove(v + at, v + at + 1, (*n - at - 1) * sizeof *v);
  (*n)--;
  return 1;
}

size_t
icx_postings_split(const icx_posting *v, size_t n, icx_posting e)
{
  if (n == 0 || icx_posting_cmp(v[n - 1], e) < 0)
    return n;
  return n / 2;
}

/* IEEE 754 doubles order as their bits do once negative ones have every
 * bit flipped and the others their sign bit set; then the top bit is
 * flipped to order them as signed integers. */
int
icx_postings_num_key(double v, icx_id *key)
{
  uint64_t bits;

  if (v != v)
    return -1;
  if (v == 0)
    v = 0;                      /* -0 is 0 */
  memcpy(&bits, &v, sizeof bits);
  bits = bits >> 63 ? ~bits : bits | (UINT64_C(1) << 63);
  bits ^= UINT64_C(1) << 63;
  memcpy(key, &bits, sizeof bits);
  return 0;
}

double
icx_postings_num_value(icx_id key)
{
  uint64_t bits;
  double v;

  memcpy(&bits, &key, sizeof bits);
  bits ^= UINT64_C(1) << 63;
  bits = bits >> 63 ? bits & ~(UINT64_C(1) << 63) : ~bits;
  memcpy(&v, &bits, sizeof v);
  return v;
}

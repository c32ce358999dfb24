/* fuzz_postings.c - libFuzzer target: a posting chunk's bytes as a store
 * would read them (engine/store/icx_postings.h).
 *
 * An input's first 16 bytes are the chunk's first entry as its row's key
 * would hold it (s, then g, 8 bytes each, little-endian, the top bit
 * dropped; shorter inputs are padded with zeros); the rest is the chunk's
 * rest.  Decoding must refuse it or read a chunk that encodes back to
 * exactly those bytes (one rest a chunk).  A chunk read is then edited:
 * each entry removed and added back gives the same chunk, and a full
 * chunk cut where icx_postings_split() says keeps every entry on the side
 * it sorts.  Any difference aborts. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "icx_postings.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  return 0;
}

static icx_id fp_id(const uint8_t *data, size_t size, size_t at)
{
  uint64_t x = 0;
  size_t i;

  for (i = 0; i < 8; i++)
    if (at + i < size)
      x |= (uint64_t)data[at + i] << (8 * i);
  return (icx_id)(x & INT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  icx_posting first = { fp_id(data, size, 0), fp_id(data, size, 8) };
  icx_posting v[ICX_POSTINGS_CHUNK], w[ICX_POSTINGS_CHUNK];
  unsigned char out[ICX_POSTINGS_REST_MAX];
  const uint8_t *rest = size > 16 ? data + 16 : NULL;
  size_t len = size > 16 ? size - 16 : 0, n, m, i;
  int got = icx_postings_decode(first, rest, len, v), enc;

  if (got < 0)
    return 0;
  n = (size_t)got;
  if (n < 1 || n > ICX_POSTINGS_CHUNK || v[0].x != first.x || v[0].y != first.y)
    abort();
  enc = icx_postings_encode(v, n, out);
  if (enc < 0 || (size_t)enc != len || (len && memcmp(out, rest, len)))
    abort();
  for (i = 0; i < n; i++) {
    memcpy(w, v, n * sizeof *v);
    m = n;
    if (icx_postings_remove(w, &m, v[i]) != 1 || m != n - 1 ||
        icx_postings_remove(w, &m, v[i]) != 0 ||
        icx_postings_add(w, &m, ICX_POSTINGS_CHUNK, v[i]) != 1 || m != n ||
        memcmp(w, v, n * sizeof *v) || icx_postings_add(w, &m, ICX_POSTINGS_CHUNK, v[i]) != 0)
      abort();
  }
  if (n == ICX_POSTINGS_CHUNK && v[n - 1].y < INT64_MAX) {
    /* Full: an entry after the last starts a chunk alone; one before
     * the first moves half of the entries. */
    icx_posting after = { v[n - 1].x, v[n - 1].y + 1 }, before = { v[0].x, v[0].y - 1 };
    m = n;
    if (icx_postings_add(v, &m, ICX_POSTINGS_CHUNK, after) != -1 || m != n ||
        icx_postings_split(v, n, after) != n ||
        (before.y >= 0 && icx_postings_split(v, n, before) != n / 2))
      abort();
  }
  return 0;
}

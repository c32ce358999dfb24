/* icx_postings.h - posting chunks: sorted pairs of term ids that share
 * a key of two ids, packed into a few bytes (internal).
 *
 * The layout that would bring a store under 35 bytes a triple
 * (doc/architecture.md, "Posting lists") keeps its quads not as one
 * SQLite row per quad in each order but as rows of up to
 * ICX_POSTINGS_CHUNK pairs under a key, twice:
 *
 *   postings      (p, o, s0, g0) -> rest   pairs (s, g): the subjects,
 *                                          with their graphs, that have
 *                                          predicate p and object o
 *   subject rows  (s, g, p0, o0) -> rest   pairs (p, o): what subject s
 *                                          says in graph g
 *
 * where the third and fourth ids of the key are the chunk's first pair,
 * kept in the row's key so that a chunk is found by a seek, and rest the
 * others, encoded here.  This module is that encoding and the edits of
 * one chunk in memory; it knows nothing of SQLite (icx_postings_table.h
 * keeps chunks in a table).  The store keeps its quads so by object
 * (postings_po, pairs (s, g) under (p, o)) and by number (postings_num,
 * pairs (s, o) under (p, a number's key)); subject rows are the format
 * planned next.
 *
 * A chunk is n pairs (x, y), 1 <= n <= ICX_POSTINGS_CHUNK, x >= 1 and
 * y >= 0 (a graph's id, 0 for a quad of no graph), strictly ascending by x then y (a subject may come twice in postings,
 * in two graphs; a predicate many times in a subject row).  Its rest is
 * empty when n is 1, else one mode byte and n - 1 pairs:
 *
 *   mode 1  every pair has the first's y (a chunk of postings in one
 *           graph): each pair is the varint gap x - x_before (>= 1)
 *   mode 2  the y differ: each pair is the varint gap x - x_before
 *           (>= 0), then y - y_before zigzagged into a varint (not 0 when
 *           the gap is 0)
 *
 * Varints are LEB128: 7 bits a byte, lowest first, the high bit set on
 * every byte but the last, at most 10 bytes, no needless trailing zero
 * group.  The encoding is canonical: a chunk has one rest, and
 * icx_postings_decode() refuses any other bytes (a store's check can
 * tell damage from data by decoding alone).
 *
 * Measured on copies (tests/bench/layout_estimate.py, 50k clouds
 * published one document each): postings 5.45 bytes a triple, subject
 * rows in this encoding 5.90 (an encoding of their own, o whole after
 * each new p, would take 4.91: not worth a second codec).
 */
#ifndef ICX_POSTINGS_H
#define ICX_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "icx_id.h"

/* The most pairs a chunk holds: large enough that a row's key weighs
 * little against its pairs (postings: 3.96 bytes a triple appended at 1M
 * clouds with 128), small enough that an edit rewrites a small row. */
#define ICX_POSTINGS_CHUNK 128

/* The most bytes a chunk's rest takes: the mode byte, then per pair a
 * gap and a delta of at most 10 bytes each. */
#define ICX_POSTINGS_REST_MAX (1 + (ICX_POSTINGS_CHUNK - 1) * 20)

/* One pair of a chunk: (s, g) in postings, (p, o) in subject rows. */
typedef struct icx_posting {
  icx_id x, y;
} icx_posting;

/* A difference of two ids, taken modulo 2^64, as an unsigned value that
 * is small when the difference is small of either sign (0, -1, 1, -2
 * ... as 0, 1, 2, 3 ...); and back. */
static inline uint64_t
icx_postings_zigzag(uint64_t d)
{
  return d << 1 ^ (uint64_t)-(int64_t)(d >> 63);
}

static inline uint64_t
icx_postings_unzigzag(uint64_t z)
{
  return z >> 1 ^ (uint64_t)-(int64_t)(z & 1);
}

/* Writes x as a varint at out (room for 10 bytes); the bytes written. */
size_t icx_postings_varint_put(unsigned char *out, uint64_t x);
/* Reads the varint at p[*at..len) into *x and moves *at past it: 0, or
 * -1 when the bytes end inside it, it is longer than 10 bytes or past 64
 * bits, or it ends in a needless zero group. */
int icx_postings_varint_get(const unsigned char *p, size_t len, size_t *at, uint64_t *x);

/* -1, 0 or 1 as a sorts before, with or after b (by x, then y). */
int icx_posting_cmp(icx_posting a, icx_posting b);

/* Writes the rest of chunk v[0..n-1] to out, which has room for
 * ICX_POSTINGS_REST_MAX bytes; v[0] is the row's key and is not written.
 * Returns the bytes written (0 when n is 1), or -1 when v is not a chunk
 * (n out of range, an x < 1 or a y < 0, entries not strictly ascending). */
int icx_postings_encode(const icx_posting *v, size_t n, unsigned char *out);

/* Reads the chunk whose first entry is first and whose rest is the len
 * bytes at rest (NULL when len is 0) into out, which has room for
 * ICX_POSTINGS_CHUNK entries.  Returns the number of entries, or -1 when
 * the bytes are not a rest icx_postings_encode() writes for any chunk
 * starting at first: an unknown mode, a varint longer than 10 bytes or
 * not minimal, an id past 2^63 - 1, an x below 1 or a y below 0, entries
 * not ascending,
 * mode 2 where every graph is first's, more than ICX_POSTINGS_CHUNK
 * entries, a mode byte and no entry, a byte left over.  Such bytes in a
 * store are damage. */
int icx_postings_decode(icx_posting first, const unsigned char *rest, size_t len,
                        icx_posting *out);

/* Adds e to the chunk v[0..*n-1], kept ascending; v has room for cap
 * entries.  1 when added (*n grows by one), 0 when e is there already,
 * -1 when it is not and *n is cap (the caller splits first:
 * icx_postings_split()). */
int icx_postings_add(icx_posting *v, size_t *n, size_t cap, icx_posting e);

/* Removes e from the chunk v[0..*n-1]: 1 when removed (*n shrinks by
 * one; when it was v[0], the chunk's key changes with it), 0 when e is
 * not there. */
int icx_postings_remove(icx_posting *v, size_t *n, icx_posting e);

/* Where a full chunk v[0..n-1] that must take e (not in it) is cut in
 * two: the first k entries stay, the rest start a new chunk, and e goes
 * to the half it sorts in.  When e sorts after every entry, k is n (e
 * starts the new chunk alone), so that entries added in order fill
 * chunks whole; else half of the entries move. */
size_t icx_postings_split(const icx_posting *v, size_t n, icx_posting e);

/* The key that stands for the number v in postings by number (p, num):
 * an integer whose order is v's (-0 and 0 one key, infinities at the
 * ends), so that a range of numbers is a range of keys and the table
 * layer needs no REAL.  0 and *key set, or -1 when v is NaN. */
int icx_postings_num_key(double v, icx_id *key);
/* The number a key of icx_postings_num_key() stands for. */
double icx_postings_num_value(icx_id key);

#endif

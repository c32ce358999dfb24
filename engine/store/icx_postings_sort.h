/* icx_postings_sort.h - pairs taken in the order of a scan of quads by
 * subject, given back in the order of their keys, for a first load's
 * postings (internal).
 *
 * A first load builds postings_po and postings_num from every quad it
 * wrote (icx_storage_postings.c).  SQLite's sort of 20M quads by (p, o,
 * s, g) took 10 of the 14 s that build took at a million clouds: a merge
 * sort comparing records field by field.  A scan of the table quads in
 * its key's order (s, p, o, g) already gives each key's pairs in order,
 * so what is left is to gather the pairs by key keeping the order they
 * came in: a stable sort on the key alone, done here by radix on its
 * bytes, in runs of a bounded size.  A run that fills is sorted and
 * written, packed (3.3 bytes a pair at a million clouds), to an unnamed
 * temporary file where SQLite keeps its own ($TMPDIR, else /var/tmp,
 * else /tmp); the runs are then merged by key, a key's pairs taken from
 * the earlier run first.
 *
 * The caller's promise: under any one key, pairs are added in the order
 * wanted back.  The sorter does not look (icx_postings_table_append(),
 * which takes its output, refuses pairs out of order).
 */
#ifndef ICX_POSTINGS_SORT_H
#define ICX_POSTINGS_SORT_H

#include <stddef.h>

#include "icx_postings.h"

typedef struct icx_postings_sort icx_postings_sort;

/* The pairs a run holds by default: 32 bytes each in memory, twice while
 * it is sorted (64 MiB). */
#define ICX_POSTINGS_SORT_RUN (1u << 20)

/* A sorter whose runs hold at most run pairs (0: ICX_POSTINGS_SORT_RUN),
 * or NULL when memory runs out. */
icx_postings_sort *icx_postings_sort_new(size_t run);
/* Frees ps, its memory and its temporary file.  NULL is a no-op. */
void icx_postings_sort_free(icx_postings_sort *ps);

/* Adds pair e under the key (a, b).  0, or -1 when memory runs out or
 * the temporary file cannot be written (errno says). */
int icx_postings_sort_add(icx_postings_sort *ps, icx_id a, icx_id b, icx_posting e);

/* Called for each pair in turn; anything but 0 stops the walk. */
typedef int (*icx_postings_sort_fn)(void *ud, icx_id a, icx_id b, icx_posting e);

/* Calls fn for every pair added, by (a, b) ascending, a key's pairs in
 * the order they were added; once, after the last add.  0, fn's value
 * when it stopped the walk, or -1 when memory runs out or the temporary
 * file cannot be read (errno says). */
int icx_postings_sort_walk(icx_postings_sort *ps, icx_postings_sort_fn fn, void *ud);

/* The runs written to the temporary file so far (0 while every pair is
 * in memory). */
size_t icx_postings_sort_runs(const icx_postings_sort *ps);

#endif

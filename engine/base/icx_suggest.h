/* icx_suggest.h - "did you mean": the known names a request could have
 * meant, nearest first, for the error that refuses an unknown one.
 *
 * A caller offers every spelling of every known name (its label, its
 * aliases, notations, symbols), then appends the labels to its message in
 * order of edit distance to what was asked (case folded, whitespace
 * normalised as in icx_norm_name()), ties in the order offered.  A label
 * offered several times counts its nearest spelling.  Not installed.
 */
#ifndef ICX_SUGGEST_H
#define ICX_SUGGEST_H

#include <stddef.h>

#include "icx_ctx.h"
#include "icx_util.h"

/* Names longer than this are compared by their first ICX_SUGGEST_MAXLEN
 * bytes. */
#define ICX_SUGGEST_MAXLEN 128

typedef struct icx_suggest_item {
  const char *label;           /* lent by the caller until the append */
  unsigned dist;
  size_t order;
} icx_suggest_item;

typedef struct icx_suggest {
  icx_ctx *ctx;
  char want[ICX_SUGGEST_MAXLEN + 1];
  icx_suggest_item *items;
  size_t n, cap;
  int failed;                  /* an allocation failed: icx_buf gets it too */
} icx_suggest;

/* The optimal-string-alignment distance (insertions, deletions,
 * substitutions, swaps of neighbours) between the comparison forms of a
 * and b. */
unsigned icx_name_distance(const char *a, const char *b);

void icx_suggest_init(icx_suggest *s, icx_ctx *ctx, const char *want);
/* Offers name, one spelling of the known name shown as label; offer a
 * label's spellings one after another. */
void icx_suggest_offer(icx_suggest *s, const char *label, const char *name);
/* Appends to b: `did you mean "X"? ` when the nearest is close to what
 * was asked (at most a third of its letters, and 3, wrong), then `known
 * NOUN, nearest first: ` and the labels separated by sep, stopping after
 * a whole label once max_len bytes are written, with a pointer to `icx
 * vocab` for the rest.  An allocation failure marks b failed. */
void icx_suggest_append(icx_suggest *s, icx_buf *b, const char *noun, const char *sep,
                        size_t max_len);
void icx_suggest_free(icx_suggest *s);

#endif

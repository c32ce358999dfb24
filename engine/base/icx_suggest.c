/* icx_suggest.c - known names ordered by edit distance to a mistyped one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_suggest.h"

/* The comparison form of s in out, cut to ICX_SUGGEST_MAXLEN bytes. */
static size_t
suggest_form(const char *s, char out[ICX_SUGGEST_MAXLEN + 1])
{
  char full[4 * ICX_SUGGEST_MAXLEN], start[2 * ICX_SUGGEST_MAXLEN];
  size_t n;

  if (icx_norm_name(s, full, sizeof full)) {
    /* Longer than any name worth comparing: its start will do. */
    n = strlen(s) < sizeof start - 1 ? strlen(s) : sizeof start - 1;
    memcpy(start, s, n);
    start[n] = '\0';
    if (icx_norm_name(start, full, sizeof full))
      full[0] = '\0';
  }
  n = strlen(full);
  if (n > ICX_SUGGEST_MAXLEN)
    n = ICX_SUGGEST_MAXLEN;
  memcpy(out, full, n);
  out[n] = '\0';
  return n;
}

static unsigned
suggest_distance_forms(const char *a, size_t la, const char *b, size_t lb)
{
  /* Three rows of the dynamic programme: i-2, i-1, i. */
  unsigned rows[3][ICX_SUGGEST_MAXLEN + 1];
  size_t i, j;

  for (j = 0; j <= lb; j++)
    rows[1][j] = (unsigned)j;
  for (i = 1; i <= la; i++) {
    unsigned *cur = rows[(i + 1) % 3], *up = rows[i % 3], *up2 = rows[(i + 2) % 3];
    cur[0] = (unsigned)i;
    for (j = 1; j <= lb; j++) {
      unsigned cost = a[i - 1] != b[j - 1];
      unsigned d = up[j] + 1;
      if (cur[j - 1] + 1 < d)
        d = cur[j - 1] + 1;
      if (up[j - 1] + cost < d)
        d = up[j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          up2[j - 2] + 1 < d)
        d = up2[j - 2] + 1;
      cur[j] = d;
    }
  }
  return rows[(la + 1) % 3][lb];
}

unsigned
icx_name_distance(const char *a, const char *b)
{
  char fa[ICX_SUGGEST_MAXLEN + 1], fb[ICX_SUGGEST_MAXLEN + 1];
  size_t la = suggest_form(a, fa), lb = suggest_form(b, fb);

  return suggest_distance_forms(fa, la, fb, lb);
}

void
icx_suggest_init(icx_suggest *s, icx_ctx *ctx, const char *want)
{
  memset(s, 0, sizeof *s);
  s->ctx = ctx;
  suggest_form(want ? want : "", s->want);
}

void
icx_suggest_offer(icx_suggest *s, const char *label, const char *name)
{
  char form[ICX_SUGGEST_MAXLEN + 1];
  size_t n;
  unsigned d;

  if (s->failed || !label || !name)
    return;
  n = suggest_form(name, form);
  d = suggest_distance_forms(s->want, strlen(s->want), form, n);
  if (s->n) {                    /* the spellings of one label come together */
    icx_suggest_item *last = &s->items[s->n - 1];
    if (last->label == label || !strcmp(last->label, label)) {
      if (d < last->dist)
        last->dist = d;
      return;
    }
  }
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 32;
    icx_suggest_item *items = icx_realloc(s->ctx, s->items, cap * sizeof *items);
    if (!items) {
      s->failed = 1;
      return;
    }
    s->items = items;
    s->cap = cap;
  }
  s->items[s->n].label = label;
  s->items[s->n].dist = d;
  s->items[s->n].order = s->n;
  s->n++;
}

static int
suggest_cmp(const void *pa, const void *pb)
{
  const icx_suggest_item *a = pa, *b = pb;

  if (a->dist != b->dist)
    return a->dist < b->dist ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

void
icx_suggest_append(icx_suggest *s, icx_buf *b, const char *noun, const char *sep,
                   size_t max_len)
{
  size_t i, start = b->len, len = strlen(s->want);
  unsigned close = len / 3 < 3 ? (unsigned)(len / 3) : 3;

  if (s->failed) {
    b->failed = 1;
    return;
  }
  if (s->n > 1)                /* qsort wants a non-null array, even of 0 */
    qsort(s->items, s->n, sizeof *s->items, suggest_cmp);
  if (close == 0)
    close = 1;
  if (s->n && s->items[0].dist <= close)
    icx_buf_appendf(b, "did you mean \"%s\"? ", s->items[0].label);
  icx_buf_appendf(b, "known %s, nearest first: ", noun);
  for (i = 0; i < s->n; i++) {
    if (i && b->len - start > max_len) {
      icx_buf_appendf(b, "%s... (%zu more: icx vocab lists them all)", sep, s->n - i);
      return;
    }
    if (i)
      icx_buf_append(b, sep);
    icx_buf_append(b, s->items[i].label);
  }
}

void
icx_suggest_free(icx_suggest *s)
{
  icx_free(s->ctx, s->items);
  memset(s, 0, sizeof *s);
}

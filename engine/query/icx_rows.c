/* icx_rows.c - the result table of a SELECT query (icx_rows.h): growing
 * it row by row, and reading it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_rows_internal.h"
#include "icx_util.h"

struct icx_rows {
  icx_ctx *ctx;        /* made with; its allocator holds the rest */
  char **vars;
  size_t width;
  char **cells;        /* count * width, NULL for unbound */
  size_t count;
  size_t cap;
  const char *path;
  icx_rows_form form;
};

void
icx_rows_free(icx_rows *r)
{
  icx_ctx *ctx = r ? r->ctx : NULL;
  size_t i;

  if (!r)
    return;
  for (i = 0; i < r->width; i++)
    icx_free(ctx, r->vars[i]);
  icx_free(ctx, r->vars);
  for (i = 0; i < r->count * r->width; i++)
    icx_free(ctx, r->cells[i]);
  icx_free(ctx, r->cells);
  icx_free(ctx, r);
}

size_t icx_rows_count(const icx_rows *r) { return r->count; }
size_t icx_rows_width(const icx_rows *r) { return r->width; }
const char *icx_rows_path(const icx_rows *r) { return r->path; }

const char *
icx_rows_var(const icx_rows *r, size_t j)
{
  return j < r->width ? r->vars[j] : NULL;
}

const char *
icx_rows_get(const icx_rows *r, size_t i, size_t j)
{
  return i < r->count && j < r->width ? r->cells[i * r->width + j] : NULL;
}

long
icx_rows_column(const icx_rows *r, const char *name)
{
  size_t j;

  for (j = 0; j < r->width; j++)
    if (strcmp(r->vars[j], name) == 0)
      return (long)j;
  return -1;
}

icx_rows *
icx_rows_new(icx_ctx *ctx, size_t width, const char *const *vars, const char *path)
{
  icx_rows *r = icx_calloc(ctx, 1, sizeof *r);
  size_t j;

  if (!r)
    return NULL;
  r->ctx = ctx;
  r->path = path;
  r->vars = icx_calloc(ctx, width + 1, sizeof *r->vars);
  if (!r->vars) {
    icx_free(ctx, r);
    return NULL;
  }
  for (j = 0; j < width; j++) {
    if (!(r->vars[j] = icx_strdup(ctx, vars[j] ? vars[j] : ""))) {
      icx_rows_free(r);
      return NULL;
    }
    r->width++;
  }
  return r;
}

/* Room for one more row; 0, or -1 on ENOMEM. */
static int
rows_reserve(icx_rows *r)
{
  icx_ctx *ctx = r ? r->ctx : NULL;
  size_t ncap, w;
  char **nc;

  if (r->count < r->cap)
    return 0;
  ncap = r->cap ? r->cap * 2 : 16;
  w = r->width ? r->width : 1;
  if (ncap > (size_t)-1 / sizeof *nc / w)
    return -1;
  nc = icx_realloc(ctx, r->cells, ncap * w * sizeof *nc);
  if (!nc)
    return -1;
  r->cells = nc;
  r->cap = ncap;
  return 0;
}

int
icx_rows_append(icx_rows *r, const char *const *cells)
{
  icx_ctx *ctx = r ? r->ctx : NULL;
  size_t j;

  if (rows_reserve(r))
    return -1;
  for (j = 0; j < r->width; j++) {
    char *c = NULL;
    if (cells[j] && !(c = icx_strdup(ctx, cells[j]))) {
      while (j > 0)
        icx_free(ctx, r->cells[r->count * r->width + --j]);
      return -1;
    }
    r->cells[r->count * r->width + j] = c;
  }
  r->count++;
  return 0;
}

int
icx_rows_append_owned(icx_rows *r, char *const *cells)
{
  if (rows_reserve(r))
    return -1;
  if (r->width)
    memcpy(&r->cells[r->count * r->width], cells, r->width * sizeof *cells);
  r->count++;
  return 0;
}

icx_rows_form
icx_rows_get_form(const icx_rows *r)
{
  return r ? r->form : ICX_ROWS_SELECT;
}

void
icx_rows_set_form(icx_rows *r, icx_rows_form form)
{
  if (r)
    r->form = form;
}

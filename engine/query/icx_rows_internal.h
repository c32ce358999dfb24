/* icx_rows_internal.h - building result tables (icx_rows.h), for the query
 * paths inside the engine (not installed). */
#ifndef ICX_ROWS_INTERNAL_H
#define ICX_ROWS_INTERNAL_H

#include "icx_ctx.h"
#include "icx_rows.h"

/* A table with width columns named vars (copied; NULL reads as ""); path
 * is static.  NULL on ENOMEM. */
icx_rows *icx_rows_new(icx_ctx *ctx, size_t width, const char *const *vars, const char *path);

/* Appends one row of width cells; each cell is copied (NULL for unbound).
 * Returns 0, or -1 on ENOMEM (the table is unchanged). */
int icx_rows_append(icx_rows *rows, const char *const *cells);

/* Appends one row of width cells, taking the strings (malloc()ed, NULL for
 * unbound): on success the table owns them.  Returns 0, or -1 on ENOMEM
 * (the table is unchanged and the caller still owns the strings). */
int icx_rows_append_owned(icx_rows *rows, char *const *cells);

/* Sets the form of query the table answers (ICX_ROWS_SELECT when made). */
void icx_rows_set_form(icx_rows *rows, icx_rows_form form);

#endif

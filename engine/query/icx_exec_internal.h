/* icx_exec_internal.h - building result tables, for the query paths inside
 * the engine (not installed). */
#ifndef ICX_EXEC_INTERNAL_H
#define ICX_EXEC_INTERNAL_H

#include "icx_exec.h"

/* A table with width columns named vars (copied); path is static.  NULL
 * on ENOMEM. */
icx_rows *icx_rows_new(size_t width, const char *const *vars, const char *path);

/* Appends one row of width cells; each cell is copied (NULL for unbound).
 * Returns 0, or -1 on ENOMEM (the table is unchanged). */
int icx_rows_append(icx_rows *rows, const char *const *cells);

#endif

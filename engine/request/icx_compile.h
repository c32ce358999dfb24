/* icx_compile.h - constraints to SPARQL.
 *
 * The query selects ?name (possibly more than once: callers remove
 * duplicates), the name of each cloud that offers, for every
 * domain class the constraints touch, one thing of that class meeting all
 * the constraints on it.  Its text holds only IRIs from the vocabulary and
 * literals icx formatted from parsed values.  Subsumption is expanded here
 * into IN lists (the rasqal in use has no property paths).
 */
#ifndef ICX_COMPILE_H
#define ICX_COMPILE_H

#include "icx_constraint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The variable every compiled query projects first. */
#define ICX_COMPILE_NAME_VAR "name"

/* After ?name, the query projects one variable per constraint (v0, v1,
 * ...; for allOf one per value: v2_0, v2_1, ...), bound to the value that
 * met the constraint, or unbound where a soft or negated constraint's
 * pattern found nothing.  Writes the name of constraint's variable (part:
 * the allOf value, or (size_t)-1) into buf. */
void icx_compile_var_name(char *buf, size_t n, size_t constraint, size_t part);

/* The most triple patterns a compiled query may have: SQLite joins at
 * most 64 tables, and the SQL path gives each pattern one.  A query has 2
 * patterns for the cloud, 2 per class of service the constraints touch,
 * and 1 per constraint (allOf: per value). */
#define ICX_COMPILE_MAX_PATTERNS 64

/* On success *sparql is a new NUL-terminated string the caller frees with
 * icx_free(ctx, ...) (free() with the default allocator).
 * Errors: ICX_ERR_CONSTRAINT (the query would need more than
 * ICX_COMPILE_MAX_PATTERNS patterns; the message says how many),
 * ICX_ERR_NOMEM, ICX_ERR_MISUSE (NULL arguments). */
icx_rc icx_compile_sparql(icx_ctx *ctx, const icx_constraints *set, char **sparql);

/* The check icx_compile_sparql() starts with, alone: ICX_OK, or
 * ICX_ERR_CONSTRAINT when the query would need more than
 * ICX_COMPILE_MAX_PATTERNS patterns (the message says how many). */
icx_rc icx_compile_check(icx_ctx *ctx, const icx_constraints *set);

#ifdef __cplusplus
}
#endif
#endif

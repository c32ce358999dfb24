/* icx_match.h - from constraints to the names of matching clouds.
 *
 * The one call the front ends make: compile, execute, collect.  Results are
 * plain data, sorted by cloud name, without duplicates.
 */
#ifndef ICX_MATCH_H
#define ICX_MATCH_H

#include <stddef.h>
#include "icx_constraint.h"
#include "icx_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_match icx_match;

/* Matches set against store.  On success *out owns the result; free it with
 * icx_match_free().  An empty answer is success with a count of 0.
 * Errors: those of icx_compile_sparql() and icx_exec_select(). */
icx_rc icx_match_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                     icx_match **out);

void icx_match_free(icx_match *m);
size_t icx_match_count(const icx_match *m);
/* Name of the i-th matching cloud.  Lent. */
const char *icx_match_cloud(const icx_match *m, size_t i);
/* The SPARQL the match ran.  Lent. */
const char *icx_match_sparql(const icx_match *m);

/* The paper's answer element:
 *   <matchingClouds xmlns='http://www.csp/resOntology'>
 *     <cloudName>cloud2</cloudName> ...
 *   </matchingClouds>
 * with names XML-escaped.  indent > 0 pretty-prints with that many spaces.
 * Returns a new string the caller free()s, or NULL when out of memory. */
char *icx_match_to_xml(const icx_match *m, int indent);

#ifdef __cplusplus
}
#endif
#endif

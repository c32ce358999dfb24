/* icx_constraint.h - a request's constraints, parsed and resolved.
 *
 * Input is the paper's XML: a <constraints xmlns='http://www.csp/resOntology'>
 * element holding <constraint><attribute/><value/></constraint> items,
 * either bare or anywhere inside a larger document (the whole <iq> of an
 * ad-hoc command).  Names and values are trimmed and resolved through the
 * vocabulary; numbers are parsed and re-formatted by icx itself, so the
 * compiled query never carries requester text.
 */
#ifndef ICX_CONSTRAINT_H
#define ICX_CONSTRAINT_H

#include <stddef.h>
#include "icx_vocab.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ICX_CONSTRAINTS_NS "http://www.csp/resOntology"

/* Limits on untrusted input; exceeding one is ICX_ERR_LIMIT. */
#define ICX_CONSTRAINT_MAX_COUNT 256     /* constraints in one request */
#define ICX_CONSTRAINT_MAX_TEXT 1024     /* bytes in one name or value */
#define ICX_CONSTRAINT_MAX_DEPTH 64      /* element nesting */
#define ICX_CONSTRAINT_MAX_INPUT (1024 * 1024) /* bytes of XML */

typedef struct icx_constraints icx_constraints;

/* Parses xml (len bytes, need not be NUL-terminated).  On success *out owns
 * a new set bound to vocab (which must outlive it); free with
 * icx_constraints_free().  Errors: ICX_ERR_XML (not well-formed, no
 * <constraints> element, a <constraint> without <attribute> or <value>;
 * the message has line and column), ICX_ERR_CONSTRAINT (unknown attribute
 * or value, a value of the wrong datatype: the message names it and lists
 * what is known), ICX_ERR_LIMIT, ICX_ERR_NOMEM. */
icx_rc icx_constraints_parse(icx_ctx *ctx, const icx_vocab *vocab,
                             const char *xml, size_t len, icx_constraints **out);

/* An empty set, to be filled with icx_constraints_add().  NULL on ENOMEM. */
icx_constraints *icx_constraints_new(const icx_vocab *vocab);

/* Resolves one (name, value) pair and appends it.  Both strings are copied.
 * Errors as for icx_constraints_parse(). */
icx_rc icx_constraints_add(icx_ctx *ctx, icx_constraints *set,
                           const char *name, const char *value);

/* NULL is a no-op. */
void icx_constraints_free(icx_constraints *set);

size_t icx_constraints_count(const icx_constraints *set);
const icx_vocab *icx_constraints_vocab(const icx_constraints *set);
const icx_attribute *icx_constraint_attribute(const icx_constraints *set, size_t i);
/* ICX_TYPE_INDIVIDUAL: the requested individual; NULL otherwise. */
const icx_individual *icx_constraint_individual(const icx_constraints *set, size_t i);
/* The value in canonical form, as icx formatted it ("99.999", "5",
 * "true", or the individual's IRI).  Lent. */
const char *icx_constraint_value(const icx_constraints *set, size_t i);

#ifdef __cplusplus
}
#endif
#endif

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
#define ICX_CONSTRAINT_MAX_VALUES 64     /* <value>s in one constraint */
#define ICX_CONSTRAINT_MAX_TEXT 1024     /* bytes in one name or value */
#define ICX_CONSTRAINT_MAX_DEPTH 64      /* element nesting */
#define ICX_CONSTRAINT_MAX_INPUT (1024 * 1024) /* bytes of XML */

typedef struct icx_constraints icx_constraints;

/* What a constraint asks of an attribute's values.  A constraint without
 * op='...' takes its attribute's rule (at least, at most, equals -> EQUAL,
 * includes -> ANY_OF).  Individuals match themselves and every narrower
 * individual, except under EQUAL and NOT_EQUAL, which are exact. */
typedef enum icx_op {
  ICX_OP_AT_LEAST = 0,   /* some value >= v            op='atLeast'  (also ge, >=) */
  ICX_OP_AT_MOST = 1,    /* some value <= v            op='atMost'   (le, <=) */
  ICX_OP_GREATER = 2,    /* some value > v             op='greater'  (gt, >) */
  ICX_OP_LESS = 3,       /* some value < v             op='less'     (lt, <) */
  ICX_OP_EQUAL = 4,      /* some value is v            op='equal'    (eq, =) */
  ICX_OP_NOT_EQUAL = 5,  /* no value is v              op='notEqual' (ne, !=) */
  ICX_OP_ANY_OF = 6,     /* some value is one of v...  op='anyOf'    (in) */
  ICX_OP_ALL_OF = 7,     /* each of v... is a value    op='allOf' */
  ICX_OP_NONE_OF = 8,    /* no value is one of v...    op='noneOf'   (notIn) */
  ICX_OP_EXISTS = 9,     /* the attribute has a value  op='exists' */
  ICX_OP_ABSENT = 10     /* the attribute has no value op='absent' */
} icx_op;

/* Static names ("atLeast", ...) and the parser of op='...' values (names
 * above, case and spaces ignored); -1 for an unknown name. */
const char *icx_op_name(icx_op op);
int icx_op_from_name(const char *name);
/* 1 for NOT_EQUAL, NONE_OF and ABSENT: met when nothing matches. */
int icx_op_is_negative(icx_op op);

/* Parses xml (len bytes, need not be NUL-terminated).  On success *out owns
 * a new set bound to vocab (which must outlive it); free with
 * icx_constraints_free().  Errors: ICX_ERR_XML (not well-formed, no
 * <constraints> element, a <constraint> without <attribute> or <value>;
 * the message has line and column), ICX_ERR_CONSTRAINT (unknown attribute
 * or value, a value of the wrong datatype: the message names it and lists
 * what is known), ICX_ERR_LIMIT, ICX_ERR_NOMEM. */
icx_rc icx_constraints_parse(icx_ctx *ctx, const icx_vocab *vocab,
                             const char *xml, size_t len, icx_constraints **out);

/* An empty set, to be filled with icx_constraints_add().  NULL on ENOMEM.
 * The set's memory, and what each add puts in it, comes from the
 * vocabulary's context (its allocator); the ctx given to an add only gets
 * its messages, so any thread's context may add to it. */
icx_constraints *icx_constraints_new(const icx_vocab *vocab);

/* Resolves one (name, value) pair and appends it with the attribute's rule,
 * as a required constraint.  Both strings are copied.  Errors as for
 * icx_constraints_parse(). */
icx_rc icx_constraints_add(icx_ctx *ctx, icx_constraints *set,
                           const char *name, const char *value);

/* The general form: op is an op name or NULL (the attribute's rule);
 * values has n entries (0 for exists and absent, 1 for the comparisons,
 * 1 or more for anyOf, allOf, noneOf).  A constraint that is not required
 * is soft: it never excludes a cloud, and a cloud that meets it gains
 * weight (-100..100) in its score.  Strings are copied.  Errors:
 * ICX_ERR_CONSTRAINT (unknown op, wrong number or type of values, a weight
 * out of range or on a required constraint), plus those of
 * icx_constraints_add(). */
icx_rc icx_constraints_add_op(icx_ctx *ctx, icx_constraints *set, const char *name,
                              const char *op, const char *const *values, size_t n,
                              int required, int weight);

/* NULL is a no-op. */
void icx_constraints_free(icx_constraints *set);

/* A new set with the constraints i of set whose keep[i] is nonzero, in
 * order (keep has icx_constraints_count(set) entries).  With
 * all_required, soft constraints become required.  NULL on ENOMEM; free
 * with icx_constraints_free(). */
icx_constraints *icx_constraints_select(const icx_constraints *set,
                                        const unsigned char *keep, int all_required);

size_t icx_constraints_count(const icx_constraints *set);
const icx_vocab *icx_constraints_vocab(const icx_constraints *set);

/* The canonical form of set, as text: per constraint, in order, the
 * attribute (as stated and as read), the operator, required or soft with
 * its weight, the values as icx formatted them (units converted), the
 * individuals they name and the place a distance is counted from.  Two
 * sets of the same vocabulary with the same form ask the same question
 * (the plan cache and icxd's kept answers rely on it).  The vocabulary is
 * not in it.  A new string of ctx's allocator (icx_free() it), its length
 * in *len (not NULL); NULL when out of memory. */
char *icx_constraints_key(icx_ctx *ctx, const icx_constraints *set, size_t *len);
const icx_attribute *icx_constraint_attribute(const icx_constraints *set, size_t i);
/* ICX_TYPE_INDIVIDUAL: the requested individual; NULL otherwise. */
const icx_individual *icx_constraint_individual(const icx_constraints *set, size_t i);
/* As icx_constraints_add_op(), with a unit per value (units may be NULL,
 * and so may any of its entries): numbers are converted from that unit into
 * the attribute's (icxm:unit).  Errors: ICX_ERR_CONSTRAINT for a unit on an
 * attribute without one, an unknown unit (the message lists the units that
 * fit), or a unit of another kind (TB for a price). */
icx_rc icx_constraints_add_units(icx_ctx *ctx, icx_constraints *set, const char *name,
                                 const char *op, const char *const *values,
                                 const char *const *units, size_t n, int required,
                                 int weight);

/* A constraint on a distance attribute (icx_attribute_place(), such as
 * latency): value is one number (in unit, if not NULL), from the place it
 * is counted from (a value of the place attribute: "Germany"), op one of
 * atMost, less, atLeast, greater or NULL (the rule).  Errors as
 * icx_constraints_add_units(), and ICX_ERR_CONSTRAINT for a missing or
 * unknown place, another op, or from on an ordinary attribute. */
icx_rc icx_constraints_add_distance(icx_ctx *ctx, icx_constraints *set, const char *name,
                                    const char *op, const char *value, const char *unit,
                                    const char *from, int required, int weight);

/* The place a distance constraint is counted from; NULL for others. */
const icx_individual *icx_constraint_from(const icx_constraints *set, size_t i);
/* The places (values of the place attribute) that meet distance
 * constraint i, in the place attribute's label order; none for others. */
size_t icx_constraint_place_count(const icx_constraints *set, size_t i);
const icx_individual *icx_constraint_place_at(const icx_constraints *set, size_t i, size_t k);
/* The attribute whose statements constraint i reads: the place attribute
 * of a distance constraint, else its own attribute. */
const icx_attribute *icx_constraint_stated_attribute(const icx_constraints *set, size_t i);

/* The (first) value in canonical form, as icx formatted it ("99.999", "5",
 * "true", or the individual's IRI); NULL for exists and absent.  Lent. */
const char *icx_constraint_value(const icx_constraints *set, size_t i);

icx_op icx_constraint_op(const icx_constraints *set, size_t i);
int icx_constraint_required(const icx_constraints *set, size_t i);
int icx_constraint_weight(const icx_constraints *set, size_t i);
size_t icx_constraint_value_count(const icx_constraints *set, size_t i);
const char *icx_constraint_value_at(const icx_constraints *set, size_t i, size_t k);
const icx_individual *icx_constraint_individual_at(const icx_constraints *set, size_t i,
                                                   size_t k);
/* 1 if any constraint uses more than the paper's format (an op, a soft
 * constraint): answers then carry scores and degrees. */
int icx_constraints_extended(const icx_constraints *set);

#ifdef __cplusplus
}
#endif
#endif

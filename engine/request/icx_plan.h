/* icx_plan.h - a request as typed data: what the compiled SPARQL asks,
 * for an executor that runs it without reading any query text.
 *
 * A plan says, per constraint, which predicate it reads, on which subject
 * (the cloud itself, or one offered service per class of service), the
 * operator, and what meets it: a numeric range, a list of numbers, or a
 * list of IRIs (subsumption already expanded from the vocabulary, exactly
 * as icx_compile_sparql() writes its IN lists), with the IRIs graded as
 * exact.  Its meaning is the compiled query's, row for row: an executor
 * that follows it must give icx_match_run() the same answers, scores and
 * degrees as the SQL path.  Constraints the plan cannot type (strings and
 * booleans compared with a value) are marked ICX_PLAN_OTHER; an executor
 * then hands the whole request to the SQL path.
 *
 * Every string in a plan is lent by the vocabulary the constraint set was
 * made with, which must outlive the plan.
 */
#ifndef ICX_PLAN_H
#define ICX_PLAN_H

#include <stddef.h>
#include "icx_constraint.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_plan icx_plan;

/* What meets one part of a constraint (a value of allOf, or the whole
 * constraint), on the attribute's values. */
typedef enum icx_plan_kind {
  ICX_PLAN_ANY = 0,       /* any value (exists, absent) */
  ICX_PLAN_RANGE = 1,     /* a number in a range (atLeast, atMost, greater, less) */
  ICX_PLAN_NUMBERS = 2,   /* a number equal to one of nums (equal, anyOf, ... on numbers) */
  ICX_PLAN_IRIS = 3,      /* one of iris (individuals with their narrower ones; places) */
  ICX_PLAN_OTHER = 4      /* not typed here: strings, booleans */
} icx_plan_kind;

typedef struct icx_plan_part {
  icx_plan_kind kind;
  /* RANGE: lo < value (lo_open) or lo <= value; value < hi (hi_open) or
   * value <= hi; -HUGE_VAL and HUGE_VAL for no bound. */
  double lo, hi;
  int lo_open, hi_open;
  const double *nums;         /* NUMBERS */
  size_t n_nums;
  const char *const *iris;    /* IRIS: lent by the vocabulary */
  size_t n_iris;
  /* IRIS of a graded constraint: the IRIs among iris that are asked for
   * (a value met by one of them is exact, by another narrower). */
  const char *const *exact;
  size_t n_exact;
} icx_plan_part;

typedef struct icx_plan_item {
  const char *predicate;      /* the attribute's IRI (a distance: the place attribute's) */
  size_t slot;                /* 0: the cloud itself; k > 0: service slot k */
  icx_op op;
  int required;               /* 0: soft, with weight */
  int negative;               /* icx_op_is_negative(op): met when no part matches */
  int weight;
  int graded;                 /* individuals asked: a value may be narrower */
  size_t n_parts;             /* allOf: one per value; else 1 */
  const icx_plan_part *parts;
} icx_plan_item;

/* A plan for set, whose vocabulary must outlive it (the plan holds no
 * pointer into set itself, so a plan cache may keep it).  On success
 * *out is a new plan, freed with icx_plan_free(); its memory comes from
 * ctx's allocator.  Errors: ICX_ERR_NOMEM, ICX_ERR_VOCAB (a domain that is
 * not a class), ICX_ERR_MISUSE. */
icx_rc icx_plan_new(icx_ctx *ctx, const icx_constraints *set, icx_plan **out);

/* NULL is a no-op. */
void icx_plan_free(icx_plan *plan);

/* 1 when every constraint is typed (no ICX_PLAN_OTHER part): an executor
 * can run it whole. */
int icx_plan_typed(const icx_plan *plan);

size_t icx_plan_count(const icx_plan *plan);
/* Constraint i, in the set's order.  Lent by the plan. */
const icx_plan_item *icx_plan_item_at(const icx_plan *plan, size_t i);

/* Slots: 0 is the cloud, bound by its name (icx_plan_name_property());
 * slots 1 .. icx_plan_slot_count() - 1 are services the cloud offers
 * (icx_plan_offers_property()), one per class of service. */
size_t icx_plan_slot_count(const icx_plan *plan);
/* For a service slot no required, positive constraint reads: the classes
 * (the domain and its subclasses) one of which the service must have as
 * rdf:type, NULL-ended; NULL when a constraint's pattern binds the
 * service.  For slot 0 (the cloud), NULL unless the plan has no
 * constraints: then the cloud's classes (the cloud class and those under
 * it), as the compiled query types the cloud. */
const char *const *icx_plan_slot_types(const icx_plan *plan, size_t slot);

const char *icx_plan_name_property(const icx_plan *plan);
const char *icx_plan_offers_property(const icx_plan *plan);

#define ICX_PLAN_RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#ifdef __cplusplus
}
#endif
#endif

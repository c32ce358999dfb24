/* icx_plan.c - a constraint set as typed data (icx_plan.h).
 *
 * The slots and parts follow icx_compile.c's choices one for one: the
 * same domain classes in the same order of first use (those the cloud
 * class subsumes read ?cloud itself), the same IN lists (an individual and
 * every narrower one, except under equal and notEqual, which are exact; a
 * distance's places exactly), the same type patterns (only for a class of
 * service that no required, positive constraint reads).  The numbers are
 * the canonical values icx_constraint.c formatted, parsed back. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_plan.h"

struct icx_plan {
  icx_ctx *ctx;               /* made with; its allocator holds the rest */
  size_t n;
  icx_plan_item *items;
  size_t n_slots;
  const char ***slot_types;   /* per slot; NULL when bound by a pattern */
  const char *name_property;
  const char *offers_property;
  int typed;
};

static void
plan_free_part(icx_ctx *ctx, icx_plan_part *p)
{
  icx_free(ctx, (void *)p->nums);
  icx_free(ctx, (void *)p->iris);
  icx_free(ctx, (void *)p->exact);
}

void
icx_plan_free(icx_plan *plan)
{
  icx_ctx *ctx = plan ? plan->ctx : NULL;
  size_t i, k;

  if (!plan)
    return;
  for (i = 0; plan->items && i < plan->n; i++) {
    icx_plan_part *parts = (icx_plan_part *)plan->items[i].parts;
    for (k = 0; parts && k < plan->items[i].n_parts; k++)
      plan_free_part(ctx, &parts[k]);
    icx_free(ctx, parts);
  }
  for (k = 0; plan->slot_types && k < plan->n_slots; k++)
    icx_free(ctx, plan->slot_types[k]);
  icx_free(ctx, plan->slot_types);
  icx_free(ctx, plan->items);
  icx_free(ctx, plan);
}

int icx_plan_typed(const icx_plan *plan) { return plan && plan->typed; }
size_t icx_plan_count(const icx_plan *plan) { return plan ? plan->n : 0; }
size_t icx_plan_slot_count(const icx_plan *plan) { return plan ? plan->n_slots : 0; }
const char *icx_plan_name_property(const icx_plan *plan) { return plan->name_property; }
const char *icx_plan_offers_property(const icx_plan *plan) { return plan->offers_property; }

const icx_plan_item *
icx_plan_item_at(const icx_plan *plan, size_t i)
{
  return plan && i < plan->n ? &plan->items[i] : NULL;
}

const char *const *
icx_plan_slot_types(const icx_plan *plan, size_t slot)
{
  return plan && slot < plan->n_slots ? (const char *const *)plan->slot_types[slot] : NULL;
}

/* Appends the IRIs of ind's closure (itself and every narrower one), or
 * ind alone (exact), to the list at *iris (n used, *cap allocated). */
static int
plan_add_iris(icx_ctx *ctx, const char ***iris, size_t *n, size_t *cap,
              const icx_individual *ind, int exact)
{
  const icx_individual *const *nar = icx_individual_narrower(ind);
  size_t j, add = 1;

  if (!exact)
    for (add = 0; nar[add]; add++)
      ;
  if (*n + add + 1 > *cap) {
    size_t ncap = (*n + add + 1) * 2;
    const char **m = icx_realloc(ctx, (void *)*iris, ncap * sizeof *m);
    if (!m)
      return -1;
    *iris = m;
    *cap = ncap;
  }
  if (exact)
    (*iris)[(*n)++] = icx_individual_iri(ind);
  else
    for (j = 0; j < add; j++)
      (*iris)[(*n)++] = icx_individual_iri(nar[j]);
  (*iris)[*n] = NULL;
  return 0;
}

/* The part of constraint i for value k (k < 0: all values), into p. */
static int
plan_fill_part(icx_ctx *ctx, const icx_constraints *set, size_t i, long part, icx_plan_part *p,
               int graded)
{
  const icx_attribute *a = icx_constraint_attribute(set, i);
  icx_op op = icx_constraint_op(set, i);
  size_t n = icx_constraint_value_count(set, i), k, from = 0, to = n, cap = 0, j;
  const char **iris = NULL;

  if (part >= 0) {
    from = (size_t)part;
    to = from + 1;
  }
  memset(p, 0, sizeof *p);
  p->lo = -HUGE_VAL;
  p->hi = HUGE_VAL;
  if (icx_constraint_from(set, i)) {           /* a distance: its places, exactly */
    p->kind = ICX_PLAN_IRIS;
    n = icx_constraint_place_count(set, i);
    for (k = 0; k < n; k++) {
      int failed = plan_add_iris(ctx, &iris, &p->n_iris, &cap,
                                 icx_constraint_place_at(set, i, k), 1);
      p->iris = iris;           /* the plan frees it, filled or not */
      if (failed)
        return -1;
    }
    return 0;
  }
  if (op == ICX_OP_EXISTS || op == ICX_OP_ABSENT) {
    p->kind = ICX_PLAN_ANY;
    return 0;
  }
  switch (icx_attribute_type(a)) {
  case ICX_TYPE_DECIMAL:
  case ICX_TYPE_INTEGER:
    if (op == ICX_OP_AT_LEAST || op == ICX_OP_GREATER || op == ICX_OP_AT_MOST ||
        op == ICX_OP_LESS) {
      double v = strtod(icx_constraint_value_at(set, i, 0), NULL);
      p->kind = ICX_PLAN_RANGE;
      if (op == ICX_OP_AT_LEAST || op == ICX_OP_GREATER) {
        p->lo = v;
        p->lo_open = op == ICX_OP_GREATER;
      } else {
        p->hi = v;
        p->hi_open = op == ICX_OP_LESS;
      }
      return 0;
    }
    p->kind = ICX_PLAN_NUMBERS;
    if (!(p->nums = icx_calloc(ctx, to - from + 1, sizeof *p->nums)))
      return -1;
    for (k = from; k < to; k++)
      ((double *)p->nums)[p->n_nums++] = strtod(icx_constraint_value_at(set, i, k), NULL);
    return 0;
  case ICX_TYPE_INDIVIDUAL:
    p->kind = ICX_PLAN_IRIS;
    for (k = from; k < to; k++) {
      int failed = plan_add_iris(ctx, &iris, &p->n_iris, &cap,
                                 icx_constraint_individual_at(set, i, k),
                                 op == ICX_OP_EQUAL || op == ICX_OP_NOT_EQUAL);
      p->iris = iris;           /* the plan frees it, filled or not */
      if (failed)
        return -1;
    }
    if (!graded)
      return 0;
    /* The values asked for that this part's list holds: met by one of
     * them, the part is exact (icx_match_collect.c grades a value against
     * every value of the constraint). */
    if (!(p->exact = icx_calloc(ctx, n + 1, sizeof *p->exact)))
      return -1;
    for (k = 0; k < n; k++) {
      const char *asked = icx_constraint_value_at(set, i, k);
      for (j = 0; j < p->n_iris && strcmp(p->iris[j], asked); j++)
        ;
      if (j < p->n_iris)          /* the vocabulary's string, not the set's */
        ((const char **)p->exact)[p->n_exact++] = p->iris[j];
    }
    return 0;
  case ICX_TYPE_BOOLEAN:
  case ICX_TYPE_STRING:
    break;
  }
  p->kind = ICX_PLAN_OTHER;
  return 0;
}

icx_rc
icx_plan_new(icx_ctx *ctx, const icx_constraints *set, icx_plan **out)
{
  const icx_vocab *v;
  const char **domains = NULL;
  size_t *slot_of_domain = NULL, n, i, j, k, n_domains = 0;
  icx_plan *plan;
  icx_rc rc = ICX_ERR_NOMEM;

  if (!ctx || !set || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  v = icx_constraints_vocab(set);
  n = icx_constraints_count(set);
  if (!(plan = icx_calloc(ctx, 1, sizeof *plan)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  plan->ctx = ctx;
  plan->name_property = icx_vocab_name_property(v);
  plan->offers_property = icx_vocab_offers_property(v);
  plan->typed = 1;
  plan->n_slots = 1;
  domains = icx_calloc(ctx, n + 1, sizeof *domains);
  slot_of_domain = icx_calloc(ctx, n + 1, sizeof *slot_of_domain);
  plan->items = icx_calloc(ctx, n + 1, sizeof *plan->items);
  if (!domains || !slot_of_domain || !plan->items)
    goto fail;
  plan->n = n;
  for (i = 0; i < n; i++) {
    icx_plan_item *it = &plan->items[i];
    const char *d = icx_attribute_domain(icx_constraint_stated_attribute(set, i));
    icx_plan_part *parts;
    for (j = 0; j < n_domains && strcmp(domains[j], d); j++)
      ;
    if (j == n_domains) {
      domains[n_domains] = d;
      slot_of_domain[n_domains++] =
        icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), d) ? 0 : plan->n_slots++;
    }
    it->slot = slot_of_domain[j];
    it->predicate = icx_attribute_iri(icx_constraint_stated_attribute(set, i));
    it->op = icx_constraint_op(set, i);
    it->required = icx_constraint_required(set, i);
    it->negative = icx_op_is_negative(it->op);
    it->weight = icx_constraint_weight(set, i);
    it->graded = icx_constraint_individual_at(set, i, 0) && !it->negative;
    it->n_parts = it->op == ICX_OP_ALL_OF ? icx_constraint_value_count(set, i) : 1;
    if (!(parts = icx_calloc(ctx, it->n_parts + 1, sizeof *parts)))
      goto fail;
    it->parts = parts;
    for (k = 0; k < it->n_parts; k++) {
      if (plan_fill_part(ctx, set, i, it->op == ICX_OP_ALL_OF ? (long)k : -1, &parts[k],
                         it->graded))
        goto fail;
      if (parts[k].kind == ICX_PLAN_OTHER)
        plan->typed = 0;
    }
  }
  /* The type patterns of the service slots no required, positive
   * constraint binds. */
  if (!(plan->slot_types = icx_calloc(ctx, plan->n_slots + 1, sizeof *plan->slot_types)))
    goto fail;
  for (j = 0; j < n_domains; j++) {
    size_t s = slot_of_domain[j], m;
    const char *const *subs;
    if (!s)
      continue;
    for (i = 0; i < n; i++)
      if (plan->items[i].slot == s && plan->items[i].required && !plan->items[i].negative)
        break;
    if (i < n)
      continue;
    if (!(subs = icx_vocab_subclasses(v, domains[j]))) {
      rc = icx_fail(ctx, ICX_ERR_VOCAB, "domain <%s> is not a class", domains[j]);
      goto fail;
    }
    for (m = 0; subs[m]; m++)
      ;
    if (!(plan->slot_types[s] = icx_calloc(ctx, m + 2, sizeof **plan->slot_types)))
      goto fail;
    if (m <= 1)                  /* no subclasses: the class itself */
      plan->slot_types[s][0] = domains[j];
    else
      memcpy(plan->slot_types[s], subs, m * sizeof *subs);
  }
  /* No constraints (an explanation's "without all of them"): the compiled
   * query types the cloud, with the cloud class or one under it. */
  if (!n) {
    const char *const *subs = icx_vocab_subclasses(v, icx_vocab_cloud_class(v));
    size_t m = 0;
    while (subs && subs[m])
      m++;
    if (subs) {
      if (!(plan->slot_types[0] = icx_calloc(ctx, m + 1, sizeof **plan->slot_types)))
        goto fail;
      memcpy(plan->slot_types[0], subs, m * sizeof *subs);
    }
  }
  icx_free(ctx, domains);
  icx_free(ctx, slot_of_domain);
  *out = plan;
  return ICX_OK;
fail:
  icx_free(ctx, domains);
  icx_free(ctx, slot_of_domain);
  icx_plan_free(plan);
  if (rc == ICX_ERR_NOMEM)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  return rc;
}

/* icx_constraint.c - the constraint set: ops, lifecycle, adding a constraint, accessors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_constraint_internal.h"
#include "icx_suggest.h"
#include "icx_ctx_internal.h"
#include "icx_util.h"

/* Values are resolved in icx_constraint_values.c, the XML is read in
 * icx_constraint_xml.c; both end up in icx_constraint_add_item(). */

/* --- ops ------------------------------------------------------------------ */

static const struct {
  const char *name;
  icx_op op;
} op_names[] = {
  { "atleast", ICX_OP_AT_LEAST }, { "ge", ICX_OP_AT_LEAST }, { ">=", ICX_OP_AT_LEAST },
  { "atmost", ICX_OP_AT_MOST }, { "le", ICX_OP_AT_MOST }, { "<=", ICX_OP_AT_MOST },
  { "greater", ICX_OP_GREATER }, { "greaterthan", ICX_OP_GREATER }, { "gt", ICX_OP_GREATER },
  { ">", ICX_OP_GREATER },
  { "less", ICX_OP_LESS }, { "lessthan", ICX_OP_LESS }, { "lt", ICX_OP_LESS }, { "<", ICX_OP_LESS },
  { "equal", ICX_OP_EQUAL }, { "equals", ICX_OP_EQUAL }, { "eq", ICX_OP_EQUAL },
  { "=", ICX_OP_EQUAL },
  { "notequal", ICX_OP_NOT_EQUAL }, { "ne", ICX_OP_NOT_EQUAL }, { "!=", ICX_OP_NOT_EQUAL },
  { "anyof", ICX_OP_ANY_OF }, { "in", ICX_OP_ANY_OF },
  { "allof", ICX_OP_ALL_OF },
  { "noneof", ICX_OP_NONE_OF }, { "notin", ICX_OP_NONE_OF },
  { "exists", ICX_OP_EXISTS },
  { "absent", ICX_OP_ABSENT }, { "doesnotexist", ICX_OP_ABSENT },
};

const char *
icx_op_name(icx_op op)
{
  switch (op) {
  case ICX_OP_AT_LEAST: return "atLeast";
  case ICX_OP_AT_MOST: return "atMost";
  case ICX_OP_GREATER: return "greater";
  case ICX_OP_LESS: return "less";
  case ICX_OP_EQUAL: return "equal";
  case ICX_OP_NOT_EQUAL: return "notEqual";
  case ICX_OP_ANY_OF: return "anyOf";
  case ICX_OP_ALL_OF: return "allOf";
  case ICX_OP_NONE_OF: return "noneOf";
  case ICX_OP_EXISTS: return "exists";
  case ICX_OP_ABSENT: return "absent";
  }
  return "unknown";
}

int
icx_op_from_name(const char *name)
{
  char norm[64], squeezed[64];
  size_t i, o = 0;

  if (!name || icx_norm_name(name, norm, sizeof norm))
    return -1;
  for (i = 0; norm[i]; i++)
    if (norm[i] != ' ' && norm[i] != '_' && norm[i] != '-')
      squeezed[o++] = norm[i];
  squeezed[o] = '\0';
  for (i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
    if (!strcmp(squeezed, op_names[i].name))
      return (int)op_names[i].op;
  return -1;
}

/* The error for an op nobody knows, nearest ops first. */
static icx_rc
constraint_unknown_op(icx_ctx *ctx, const icx_attribute *a, const char *op_name)
{
  icx_suggest s;
  icx_buf b;
  size_t i;
  char *known;
  icx_rc rc;

  icx_suggest_init(&s, ctx, op_name);
  for (i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
    icx_suggest_offer(&s, icx_op_name(op_names[i].op), op_names[i].name);
  icx_buf_init(&b, ctx);
  icx_suggest_append(&s, &b, "ops", ", ", 400);
  icx_suggest_free(&s);
  known = icx_buf_take(&b);
  rc = known ? icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: unknown op \"%.40s\"; %s",
                        icx_attribute_label(a), op_name, known)
             : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  icx_free(ctx, known);
  return rc;
}

int
icx_op_is_negative(icx_op op)
{
  return op == ICX_OP_NOT_EQUAL || op == ICX_OP_NONE_OF || op == ICX_OP_ABSENT;
}

/* --- the set and its accessors -------------------------------------------- */

icx_constraints *
icx_constraint_set_new(icx_ctx *ctx, const icx_vocab *vocab)
{
  icx_constraints *set;

  if (!vocab)
    return NULL;
  set = icx_calloc(ctx, 1, sizeof *set);
  if (set) {
    set->vocab = vocab;
    set->ctx = ctx;
  }
  return set;
}

icx_constraints *
icx_constraints_new(const icx_vocab *vocab)
{
  return vocab ? icx_constraint_set_new(icx_vocab_ctx(vocab), vocab) : NULL;
}

void
icx_constraints_free(icx_constraints *set)
{
  icx_ctx *ctx = set ? set->ctx : NULL;
  size_t i;

  if (!set)
    return;
  for (i = 0; i < set->n; i++) {
    size_t k;
    for (k = 0; k < set->items[i].n_values; k++)
      icx_free(ctx, set->items[i].values[k]);
    icx_free(ctx, set->items[i].values);
    icx_free(ctx, set->items[i].inds);
    icx_free(ctx, set->items[i].places);
  }
  icx_free(ctx, set->items);
  icx_free(ctx, set);
}

icx_constraints *
icx_constraints_select(const icx_constraints *set, const unsigned char *keep, int all_required)
{
  icx_ctx *ctx = set ? set->ctx : NULL;
  icx_constraints *out;
  size_t i, k;

  if (!set || !keep || !(out = icx_constraint_set_new(ctx, set->vocab)))
    return NULL;
  out->items = icx_calloc(ctx, set->n + 1, sizeof *out->items);
  if (!out->items) {
    icx_free(ctx, out);
    return NULL;
  }
  out->cap = set->n + 1;
  for (i = 0; i < set->n; i++) {
    const constraint_item *from = &set->items[i];
    constraint_item *to;
    if (!keep[i])
      continue;
    to = &out->items[out->n++];
    *to = *from;
    to->n_values = 0;
    to->values = icx_calloc(ctx, from->n_values + 1, sizeof *to->values);
    to->inds = icx_calloc(ctx, from->n_values + 1, sizeof *to->inds);
    to->places = icx_calloc(ctx, from->n_places + 1, sizeof *to->places);
    if (!to->values || !to->inds || !to->places) {
      icx_constraints_free(out);
      return NULL;
    }
    if (from->n_places)
      memcpy(to->places, from->places, from->n_places * sizeof *to->places);
    for (k = 0; k < from->n_values; k++) {
      if (!(to->values[k] = icx_strdup(ctx, from->values[k]))) {
        icx_constraints_free(out);
        return NULL;
      }
      to->inds[k] = from->inds[k];
      to->n_values++;
    }
    if (all_required) {
      to->required = 1;
      to->weight = 0;
    }
  }
  return out;
}

size_t icx_constraints_count(const icx_constraints *set) { return set->n; }

const icx_individual *
icx_constraint_from(const icx_constraints *set, size_t i)
{
  return i < set->n ? set->items[i].from : NULL;
}

size_t
icx_constraint_place_count(const icx_constraints *set, size_t i)
{
  return i < set->n ? set->items[i].n_places : 0;
}

const icx_individual *
icx_constraint_place_at(const icx_constraints *set, size_t i, size_t k)
{
  return i < set->n && k < set->items[i].n_places ? set->items[i].places[k] : NULL;
}

const icx_attribute *
icx_constraint_stated_attribute(const icx_constraints *set, size_t i)
{
  const icx_attribute *a = icx_constraint_attribute(set, i);
  const icx_attribute *place = a ? icx_attribute_place(a) : NULL;

  return place ? place : a;
}
const icx_vocab *icx_constraints_vocab(const icx_constraints *set) { return set->vocab; }

/* A field of the key: its text, then a separator no IRI or canonical
 * value holds. */
static void
key_field(icx_buf *b, const char *s)
{
  if (s)
    icx_buf_append(b, s);
  icx_buf_append_len(b, "\x1f", 1);
}

/* A number of the key, then the separator: one snprintf(), for the plan
 * cache looks a key up on every request. */
static void
key_number(icx_buf *b, long v)
{
  char s[32];
  int n = snprintf(s, sizeof s, "%ld\x1f", v);

  icx_buf_append_len(b, s, (size_t)n);
}

void
icx_constraints_key_append(icx_buf *b, const icx_constraints *set)
{
  size_t n = icx_constraints_count(set), i, k, m;

  for (i = 0; i < n; i++) {
    const icx_individual *from = icx_constraint_from(set, i);
    key_field(b, icx_attribute_iri(icx_constraint_stated_attribute(set, i)));
    key_field(b, icx_attribute_iri(icx_constraint_attribute(set, i)));
    key_number(b, (long)icx_constraint_op(set, i));
    key_number(b, icx_constraint_required(set, i));
    key_number(b, icx_constraint_weight(set, i));
    key_field(b, from ? icx_individual_iri(from) : NULL);
    m = icx_constraint_value_count(set, i);
    key_number(b, (long)m);
    for (k = 0; k < m; k++) {
      const icx_individual *ind = icx_constraint_individual_at(set, i, k);
      key_field(b, icx_constraint_value_at(set, i, k));
      key_field(b, ind ? icx_individual_iri(ind) : NULL);
    }
    icx_buf_append_len(b, "\x1e", 1);
  }
}

char *
icx_constraints_key(icx_ctx *ctx, const icx_constraints *set, size_t *len)
{
  icx_buf b;
  char *key;

  icx_buf_init(&b, ctx);
  icx_buf_append(&b, "");
  icx_constraints_key_append(&b, set);
  *len = b.len;
  if (!(key = icx_buf_take(&b)))
    *len = 0;
  return key;
}

const icx_attribute *
icx_constraint_attribute(const icx_constraints *set, size_t i)
{
  return i < set->n ? set->items[i].attr : NULL;
}

const icx_individual *
icx_constraint_individual(const icx_constraints *set, size_t i)
{
  return icx_constraint_individual_at(set, i, 0);
}

const char *
icx_constraint_value(const icx_constraints *set, size_t i)
{
  return icx_constraint_value_at(set, i, 0);
}

icx_op icx_constraint_op(const icx_constraints *set, size_t i) { return set->items[i].op; }
int icx_constraint_required(const icx_constraints *set, size_t i) { return set->items[i].required; }
int icx_constraint_weight(const icx_constraints *set, size_t i) { return set->items[i].weight; }

size_t
icx_constraint_value_count(const icx_constraints *set, size_t i)
{
  return i < set->n ? set->items[i].n_values : 0;
}

const char *
icx_constraint_value_at(const icx_constraints *set, size_t i, size_t k)
{
  return i < set->n && k < set->items[i].n_values ? set->items[i].values[k] : NULL;
}

const icx_individual *
icx_constraint_individual_at(const icx_constraints *set, size_t i, size_t k)
{
  return i < set->n && k < set->items[i].n_values ? set->items[i].inds[k] : NULL;
}

int
icx_constraints_extended(const icx_constraints *set)
{
  size_t i;

  for (i = 0; i < set->n; i++)
    if (set->items[i].explicit_op || !set->items[i].required)
      return 1;
  return 0;
}

/* --- adding a constraint ------------------------------------------------- */

static icx_op
constraint_default_op(const icx_attribute *a)
{
  switch (icx_attribute_rule(a)) {
  case ICX_RULE_AT_LEAST: return ICX_OP_AT_LEAST;
  case ICX_RULE_AT_MOST: return ICX_OP_AT_MOST;
  case ICX_RULE_EQUALS: return ICX_OP_EQUAL;
  case ICX_RULE_INCLUDES: return ICX_OP_ANY_OF;
  }
  return ICX_OP_EQUAL;
}

static int
constraint_too_long(const char *s)
{
  return strlen(s) > ICX_CONSTRAINT_MAX_TEXT;
}

static icx_rc
constraint_fail_too_long(icx_ctx *ctx)
{
  return icx_fail(ctx, ICX_ERR_LIMIT, "an attribute name or value is longer than %d bytes",
                  ICX_CONSTRAINT_MAX_TEXT);
}

icx_rc
icx_constraints_add_op(icx_ctx *ctx, icx_constraints *set, const char *name, const char *op_name,
                       const char *const *values, size_t n, int required, int weight)
{
  return icx_constraints_add_units(ctx, set, name, op_name, values, NULL, n, required, weight);
}

icx_rc
icx_constraints_add_units(icx_ctx *ctx, icx_constraints *set, const char *name,
                          const char *op_name, const char *const *values,
                          const char *const *units, size_t n, int required, int weight)
{
  return icx_constraint_add_item(ctx, set, name, op_name, values, units, NULL, n, required, weight);
}

icx_rc
icx_constraints_add_distance(icx_ctx *ctx, icx_constraints *set, const char *name,
                             const char *op_name, const char *value, const char *unit,
                             const char *from, int required, int weight)
{
  return icx_constraint_add_item(ctx, set, name, op_name, &value, &unit, from, 1, required, weight);
}

icx_rc
icx_constraint_add_item(icx_ctx *ctx, icx_constraints *set, const char *name,
                        const char *op_name, const char *const *values,
                        const char *const *units, const char *from, size_t n, int required,
                        int weight)
{
  const icx_attribute *a;
  char *tname = NULL;
  icx_rc rc = ICX_OK;
  constraint_item it;
  size_t k;
  int numeric;

  if (!ctx || !set || !name || (n && !values))
    return ICX_ERR_MISUSE;
  memset(&it, 0, sizeof it);
  if (set->n >= ICX_CONSTRAINT_MAX_COUNT)
    return icx_fail(ctx, ICX_ERR_LIMIT, "more than %d constraints in one request",
                    ICX_CONSTRAINT_MAX_COUNT);
  if (n > ICX_CONSTRAINT_MAX_VALUES)
    return icx_fail(ctx, ICX_ERR_LIMIT, "more than %d values in one constraint",
                    ICX_CONSTRAINT_MAX_VALUES);
  if (constraint_too_long(name) || (from && constraint_too_long(from)))
    return constraint_fail_too_long(ctx);
  for (k = 0; k < n; k++) {
    if (!values[k])
      return ICX_ERR_MISUSE;
    if (constraint_too_long(values[k]))
      return constraint_fail_too_long(ctx);
  }
  if (!(tname = icx_trim_dup(ctx, name, strlen(name))))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (!*tname) {
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "a constraint has an empty attribute name");
    goto done;
  }
  a = icx_vocab_find_attribute(set->vocab, tname);
  if (!a) {
    char *known = icx_vocab_suggest_attributes(set->vocab, ctx, tname);
    rc = known ? icx_fail(ctx, ICX_ERR_CONSTRAINT, "unknown attribute \"%.80s\"; %s", tname, known)
               : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    icx_free(ctx, known);
    goto done;
  }
  it.attr = a;
  it.required = required;
  it.weight = weight;
  if (op_name) {
    int op = icx_op_from_name(op_name);
    if (op < 0) {
      rc = constraint_unknown_op(ctx, a, op_name);
      goto done;
    }
    it.op = (icx_op)op;
    it.explicit_op = 1;
  } else {
    it.op = constraint_default_op(a);
  }
  if (required && weight != 0) {
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT,
                  "attribute %s: a weight only applies to a constraint with required='false'",
                  icx_attribute_label(a));
    goto done;
  }
  if (weight < -100 || weight > 100) {
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: weight %d is outside -100..100",
                  icx_attribute_label(a), weight);
    goto done;
  }
  numeric = icx_attribute_type(a) == ICX_TYPE_DECIMAL || icx_attribute_type(a) == ICX_TYPE_INTEGER;
  switch (it.op) {
  case ICX_OP_AT_LEAST:
  case ICX_OP_AT_MOST:
  case ICX_OP_GREATER:
  case ICX_OP_LESS:
    if (!numeric) {
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s is %s: op %s needs a number",
                    icx_attribute_label(a), icx_datatype_name(icx_attribute_type(a)),
                    icx_op_name(it.op));
      goto done;
    }
    /* fall through */
  case ICX_OP_EQUAL:
  case ICX_OP_NOT_EQUAL:
    if (n != 1) {
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: op %s takes exactly one value, not %zu",
                    icx_attribute_label(a), icx_op_name(it.op), n);
      goto done;
    }
    break;
  case ICX_OP_ANY_OF:
  case ICX_OP_ALL_OF:
  case ICX_OP_NONE_OF:
    if (n < 1) {
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: op %s needs at least one value",
                    icx_attribute_label(a), icx_op_name(it.op));
      goto done;
    }
    break;
  case ICX_OP_EXISTS:
  case ICX_OP_ABSENT:
    if (n != 0) {
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: op %s takes no value",
                    icx_attribute_label(a), icx_op_name(it.op));
      goto done;
    }
    break;
  }
  it.values = icx_calloc(set->ctx, n + 1, sizeof *it.values);
  it.inds = icx_calloc(set->ctx, n + 1, sizeof *it.inds);
  if (!it.values || !it.inds) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (k = 0; k < n; k++) {
    if ((rc = icx_constraint_resolve_value(ctx, set->ctx, set->vocab, a, values[k],
                                           units ? units[k] : NULL, &it.values[k],
                                           &it.inds[k])))
      goto done;
    it.n_values++;
  }
  if ((rc = icx_constraint_resolve_distance(ctx, set->ctx, a, from, &it)))
    goto done;
  if (set->n == set->cap) {
    size_t ncap = set->cap ? set->cap * 2 : 8;
    constraint_item *ni = icx_realloc(set->ctx, set->items, ncap * sizeof *ni);
    if (!ni) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    set->items = ni;
    set->cap = ncap;
  }
  set->items[set->n++] = it;
  memset(&it, 0, sizeof it);
done:
  for (k = 0; k < it.n_values; k++)
    icx_free(set->ctx, it.values[k]);
  icx_free(set->ctx, it.values);
  icx_free(set->ctx, it.inds);
  icx_free(set->ctx, it.places);
  icx_free(ctx, tname);
  return rc;
}

icx_rc
icx_constraints_add(icx_ctx *ctx, icx_constraints *set, const char *name, const char *value)
{
  if (!value)
    return ICX_ERR_MISUSE;
  return icx_constraints_add_op(ctx, set, name, NULL, &value, 1, 1, 0);
}

/* icx_constraint.c - constraint XML to resolved, typed constraints.
 *
 * The XML is read with raptor's SAX2 reader (libxml2 underneath).  Input
 * that declares a DTD is refused before parsing, so no entity is ever
 * expanded.  Values are validated and re-formatted here: decimals and
 * integers keep only digits, a sign and a point, so that the compiler can
 * put them in a query as they are.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_constraint.h"
#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_util.h"

typedef struct item {
  const icx_attribute *attr;
  icx_op op;
  int required;
  int weight;
  int explicit_op;           /* op='...' was given */
  size_t n_values;
  char **values;             /* canonical forms */
  const icx_individual **inds;  /* per value; NULL unless individual-valued */
  /* A distance constraint (icx_attribute_place): the place it is counted
   * from, and the places of the place attribute that meet it. */
  const icx_individual *from;
  const icx_individual **places;
  size_t n_places;
} item;

struct icx_constraints {
  const icx_vocab *vocab;
  item *items;
  size_t n;
  size_t cap;
};

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

int
icx_op_is_negative(icx_op op)
{
  return op == ICX_OP_NOT_EQUAL || op == ICX_OP_NONE_OF || op == ICX_OP_ABSENT;
}

icx_constraints *
icx_constraints_new(const icx_vocab *vocab)
{
  icx_constraints *set;

  if (!vocab)
    return NULL;
  set = calloc(1, sizeof *set);
  if (set)
    set->vocab = vocab;
  return set;
}

void
icx_constraints_free(icx_constraints *set)
{
  size_t i;

  if (!set)
    return;
  for (i = 0; i < set->n; i++) {
    size_t k;
    for (k = 0; k < set->items[i].n_values; k++)
      free(set->items[i].values[k]);
    free(set->items[i].values);
    free(set->items[i].inds);
    free(set->items[i].places);
  }
  free(set->items);
  free(set);
}

icx_constraints *
icx_constraints_select(const icx_constraints *set, const unsigned char *keep, int all_required)
{
  icx_constraints *out;
  size_t i, k;

  if (!set || !keep || !(out = icx_constraints_new(set->vocab)))
    return NULL;
  out->items = calloc(set->n + 1, sizeof *out->items);
  if (!out->items) {
    free(out);
    return NULL;
  }
  out->cap = set->n + 1;
  for (i = 0; i < set->n; i++) {
    const item *from = &set->items[i];
    item *to;
    if (!keep[i])
      continue;
    to = &out->items[out->n++];
    *to = *from;
    to->n_values = 0;
    to->values = calloc(from->n_values + 1, sizeof *to->values);
    to->inds = calloc(from->n_values + 1, sizeof *to->inds);
    to->places = calloc(from->n_places + 1, sizeof *to->places);
    if (!to->values || !to->inds || !to->places) {
      icx_constraints_free(out);
      return NULL;
    }
    if (from->n_places)
      memcpy(to->places, from->places, from->n_places * sizeof *to->places);
    for (k = 0; k < from->n_values; k++) {
      if (!(to->values[k] = strdup(from->values[k]))) {
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

/* --- values ------------------------------------------------------------- */

#define MAX_DIGITS 40

/* Canonical decimal: [-]digits[.digits], no leading zeros but one, no
 * trailing fraction zeros.  Returns a new string, NULL if s is not a plain
 * decimal (exponents, NaN and infinities are not). */
static char *
canon_decimal(const char *s, int integer_only)
{
  const char *ip, *fp = NULL;
  size_t il = 0, fl = 0;
  int neg = 0;
  icx_buf b;

  if (*s == '+' || *s == '-')
    neg = *s++ == '-';
  ip = s;
  while (*s >= '0' && *s <= '9') {
    s++;
    il++;
  }
  if (*s == '.' && !integer_only) {
    fp = ++s;
    while (*s >= '0' && *s <= '9') {
      s++;
      fl++;
    }
  }
  if (*s != '\0' || (il == 0 && fl == 0) || il + fl > MAX_DIGITS)
    return NULL;
  while (il > 1 && *ip == '0') {
    ip++;
    il--;
  }
  while (fl > 0 && fp[fl - 1] == '0')
    fl--;
  icx_buf_init(&b);
  if (neg && !((il == 0 || (il == 1 && *ip == '0')) && fl == 0))
    icx_buf_append(&b, "-");
  if (il == 0)
    icx_buf_append(&b, "0");
  else
    icx_buf_append_len(&b, ip, il);
  if (fl > 0) {
    icx_buf_append(&b, ".");
    icx_buf_append_len(&b, fp, fl);
  }
  return icx_buf_take(&b);
}

/* A list short enough for one error message, cut after a whole item (items
 * end at sep). */
static void
append_known(icx_buf *b, const char *list, char sep)
{
  size_t n = strlen(list);

  if (n <= 400) {
    icx_buf_append(b, list);
    return;
  }
  n = 400;
  while (n > 0 && list[n] != sep)
    n--;
  icx_buf_append_len(b, list, n);
  icx_buf_appendf(b, "%c ... (icx vocab lists them all)", sep);
}

/* Converts the canonical number *canon from unit `unit` into the
 * attribute's unit, replacing *canon. */
static icx_rc
convert_unit(icx_ctx *ctx, const icx_vocab *vocab, const icx_attribute *a, const char *unit,
             char **canon)
{
  const icx_unit *to = icx_attribute_unit(a), *from;
  char buf[128];
  char *out;
  double v;

  if (!to)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s has no unit: drop unit='%.40s'",
                    icx_attribute_label(a), unit);
  from = icx_vocab_find_unit(vocab, unit);
  if (!from)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: unknown unit \"%.40s\"; "
                    "units for it: %s", icx_attribute_label(a), unit, icx_unit_peers(to));
  if (strcmp(icx_unit_kind(from), icx_unit_kind(to)))
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s is in %s; %s does not convert to it "
                    "(units for it: %s)", icx_attribute_label(a), icx_unit_label(to),
                    icx_unit_label(from), icx_unit_peers(to));
  if (from == to)
    return ICX_OK;
  v = strtod(*canon, NULL) * (icx_unit_factor(from) / icx_unit_factor(to));
  snprintf(buf, sizeof buf, "%.15g", v);
  if (strchr(buf, 'e') || strchr(buf, 'n') || strchr(buf, 'i'))
    snprintf(buf, sizeof buf, "%.12f", v);
  out = canon_decimal(buf, icx_attribute_type(a) == ICX_TYPE_INTEGER);
  if (!out)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: %s %s is %s %s, which is not %s",
                    icx_attribute_label(a), *canon, icx_unit_label(from), buf,
                    icx_unit_label(to), icx_attribute_type(a) == ICX_TYPE_INTEGER
                    ? "a whole number" : "a number icx can compare");
  free(*canon);
  *canon = out;
  return ICX_OK;
}

/* Resolves one requested value of attribute a (in unit, if not NULL):
 * *canon gets a new string, *ind the individual for individual-valued
 * attributes. */
static icx_rc
resolve_value(icx_ctx *ctx, const icx_vocab *vocab, const icx_attribute *a, const char *raw,
              const char *unit, char **canon, const icx_individual **ind)
{
  char *tval = icx_trim_dup(raw, strlen(raw));
  icx_rc rc = ICX_OK;

  *canon = NULL;
  *ind = NULL;
  if (!tval)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (!*tval) {
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: the value is empty",
                  icx_attribute_label(a));
    goto done;
  }
  switch (icx_attribute_type(a)) {
  case ICX_TYPE_DECIMAL:
  case ICX_TYPE_INTEGER: {
    int integer = icx_attribute_type(a) == ICX_TYPE_INTEGER;
    *canon = canon_decimal(tval, integer);
    if (!*canon)
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT,
                    "attribute %s: \"%.80s\" is not %s (at most %d digits)",
                    icx_attribute_label(a), tval,
                    integer ? "an integer" : "a decimal number", MAX_DIGITS);
    break;
  }
  case ICX_TYPE_BOOLEAN:
    if (icx_name_eq(tval, "true") || strcmp(tval, "1") == 0)
      *canon = strdup("true");
    else if (icx_name_eq(tval, "false") || strcmp(tval, "0") == 0)
      *canon = strdup("false");
    else
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT,
                    "attribute %s: \"%.80s\" is not a boolean (true or false)",
                    icx_attribute_label(a), tval);
    break;
  case ICX_TYPE_STRING: {
    /* Inner runs of whitespace become one space: no control characters
     * reach the query, even escaped. */
    char *p, *o;
    for (p = o = tval; *p; p++) {
      if (icx_is_space((unsigned char)*p)) {
        if (o > tval && o[-1] != ' ')
          *o++ = ' ';
      } else if ((unsigned char)*p >= 0x20) {
        *o++ = *p;
      }
    }
    *o = '\0';
    *canon = strdup(tval);
    break;
  }
  case ICX_TYPE_INDIVIDUAL:
    *ind = icx_attribute_find_value(a, tval);
    if (*ind) {
      *canon = strdup(icx_individual_iri(*ind));
    } else {
      icx_buf msg;
      icx_buf_init(&msg);
      icx_buf_appendf(&msg, "attribute %s: unknown value \"%.80s\"; known values: ",
                      icx_attribute_label(a), tval);
      append_known(&msg, icx_attribute_value_names(a), ';');
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "%s", msg.data ? msg.data : "unknown value");
      icx_buf_free(&msg);
    }
    break;
  }
  if (!rc && !*canon)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (!rc && unit && (icx_attribute_type(a) == ICX_TYPE_DECIMAL ||
                      icx_attribute_type(a) == ICX_TYPE_INTEGER))
    rc = convert_unit(ctx, vocab, a, unit, canon);
  else if (!rc && unit)
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s is not a quantity: drop unit='%.40s'",
                  icx_attribute_label(a), unit);
done:
  if (rc) {
    /* A value that resolved but then failed (a unit that does not convert)
     * leaves nothing behind: the caller frees only what succeeded. */
    free(*canon);
    *canon = NULL;
    *ind = NULL;
  }
  free(tval);
  return rc;
}

static icx_op
default_op(const icx_attribute *a)
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
too_long(const char *s)
{
  return strlen(s) > ICX_CONSTRAINT_MAX_TEXT;
}

static icx_rc
fail_too_long(icx_ctx *ctx)
{
  return icx_fail(ctx, ICX_ERR_LIMIT, "an attribute name or value is longer than %d bytes",
                  ICX_CONSTRAINT_MAX_TEXT);
}

static icx_rc add_item(icx_ctx *ctx, icx_constraints *set, const char *name,
                       const char *op_name, const char *const *values,
                       const char *const *units, const char *from, size_t n, int required,
                       int weight);

icx_rc
icx_constraints_add_op(icx_ctx *ctx, icx_constraints *set, const char *name, const char *op_name,
                       const char *const *values, size_t n, int required, int weight)
{
  return icx_constraints_add_units(ctx, set, name, op_name, values, NULL, n, required, weight);
}

/* Works out which places meet distance constraint it (op, one value
 * already converted to the attribute's unit) counted from it->from. */
static icx_rc
resolve_places(icx_ctx *ctx, const icx_attribute *a, item *it)
{
  const icx_attribute *place = icx_attribute_place(a);
  size_t i, n = icx_attribute_value_count(place);
  double want = strtod(it->values[0], NULL);

  it->places = calloc(n + 1, sizeof *it->places);
  if (!it->places)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (i = 0; i < n; i++) {
    const icx_individual *p = icx_attribute_value(place, i);
    double least, most;
    int met = 0;
    if (!icx_attribute_distance(a, it->from, p, &least, &most))
      continue;
    switch (it->op) {
    case ICX_OP_AT_MOST: met = most <= want; break;
    case ICX_OP_LESS: met = most < want; break;
    case ICX_OP_AT_LEAST: met = least >= want; break;
    case ICX_OP_GREATER: met = least > want; break;
    default: break;
    }
    if (met)
      it->places[it->n_places++] = p;
  }
  return ICX_OK;
}

/* The checks and resolution a distance attribute adds (from='...'). */
static icx_rc
resolve_distance(icx_ctx *ctx, const icx_attribute *a, const char *from, item *it)
{
  const icx_attribute *place = icx_attribute_place(a);
  char *tfrom;

  if (!place) {
    if (from)
      return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: from='%.80s' applies only to "
                      "attributes worked out between two places (such as latency)",
                      icx_attribute_label(a), from);
    return ICX_OK;
  }
  if (it->op != ICX_OP_AT_MOST && it->op != ICX_OP_LESS && it->op != ICX_OP_AT_LEAST &&
      it->op != ICX_OP_GREATER)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: op %s does not apply to it; "
                    "use atMost, less, atLeast or greater", icx_attribute_label(a),
                    icx_op_name(it->op));
  if (!from)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s is counted from a place: give it "
                    "on the value, as in <value from='Germany'>50</value> (any %s value)",
                    icx_attribute_label(a), icx_attribute_label(place));
  if (!(tfrom = icx_trim_dup(from, strlen(from))))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  it->from = icx_attribute_find_value(place, tfrom);
  if (!it->from) {
    icx_rc rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: unknown place \"%.80s\" in "
                         "from='...'; it must be a value of %s (a country or region: see "
                         "icx vocab)", icx_attribute_label(a), tfrom, icx_attribute_label(place));
    free(tfrom);
    return rc;
  }
  free(tfrom);
  return resolve_places(ctx, a, it);
}

icx_rc
icx_constraints_add_units(icx_ctx *ctx, icx_constraints *set, const char *name,
                          const char *op_name, const char *const *values,
                          const char *const *units, size_t n, int required, int weight)
{
  return add_item(ctx, set, name, op_name, values, units, NULL, n, required, weight);
}

icx_rc
icx_constraints_add_distance(icx_ctx *ctx, icx_constraints *set, const char *name,
                             const char *op_name, const char *value, const char *unit,
                             const char *from, int required, int weight)
{
  return add_item(ctx, set, name, op_name, &value, &unit, from, 1, required, weight);
}

static icx_rc
add_item(icx_ctx *ctx, icx_constraints *set, const char *name, const char *op_name,
         const char *const *values, const char *const *units, const char *from, size_t n,
         int required, int weight)
{
  const icx_attribute *a;
  char *tname = NULL;
  icx_rc rc = ICX_OK;
  item it;
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
  if (too_long(name) || (from && too_long(from)))
    return fail_too_long(ctx);
  for (k = 0; k < n; k++) {
    if (!values[k])
      return ICX_ERR_MISUSE;
    if (too_long(values[k]))
      return fail_too_long(ctx);
  }
  if (!(tname = icx_trim_dup(name, strlen(name))))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (!*tname) {
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "a constraint has an empty attribute name");
    goto done;
  }
  a = icx_vocab_find_attribute(set->vocab, tname);
  if (!a) {
    icx_buf msg;
    icx_buf_init(&msg);
    icx_buf_appendf(&msg, "unknown attribute \"%s\"; known attributes: ", tname);
    append_known(&msg, icx_vocab_attribute_names(set->vocab), ',');
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "%s", msg.data ? msg.data : "unknown attribute");
    icx_buf_free(&msg);
    goto done;
  }
  it.attr = a;
  it.required = required;
  it.weight = weight;
  if (op_name) {
    int op = icx_op_from_name(op_name);
    if (op < 0) {
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT,
                    "attribute %s: unknown op \"%.40s\"; known: atLeast, atMost, greater, less, "
                    "equal, notEqual, anyOf, allOf, noneOf, exists, absent",
                    icx_attribute_label(a), op_name);
      goto done;
    }
    it.op = (icx_op)op;
    it.explicit_op = 1;
  } else {
    it.op = default_op(a);
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
  it.values = calloc(n + 1, sizeof *it.values);
  it.inds = calloc(n + 1, sizeof *it.inds);
  if (!it.values || !it.inds) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (k = 0; k < n; k++) {
    if ((rc = resolve_value(ctx, set->vocab, a, values[k], units ? units[k] : NULL,
                            &it.values[k], &it.inds[k])))
      goto done;
    it.n_values++;
  }
  if ((rc = resolve_distance(ctx, a, from, &it)))
    goto done;
  if (set->n == set->cap) {
    size_t ncap = set->cap ? set->cap * 2 : 8;
    item *ni = realloc(set->items, ncap * sizeof *ni);
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
    free(it.values[k]);
  free(it.values);
  free(it.inds);
  free(it.places);
  free(tname);
  return rc;
}

icx_rc
icx_constraints_add(icx_ctx *ctx, icx_constraints *set, const char *name, const char *value)
{
  if (!value)
    return ICX_ERR_MISUSE;
  return icx_constraints_add_op(ctx, set, name, NULL, &value, 1, 1, 0);
}

/* --- XML ------------------------------------------------------------------ */

#define PARSE_CHUNK 64

typedef enum {
  IN_NOTHING = 0,   /* outside <constraints> */
  IN_CONSTRAINTS,   /* directly inside <constraints> */
  IN_CONSTRAINT,    /* directly inside <constraint> */
  IN_ATTRIBUTE,     /* inside <attribute> */
  IN_VALUE          /* inside <value> */
} where;

typedef struct pstate {
  icx_ctx *ctx;
  icx_constraints *set;
  raptor_locator locator;  /* raptor's SAX2 does not fill it in; kept for its API */
  int line, column;        /* start of the chunk being parsed (1-based) */
  int depth;
  where at;
  int constraints_depth;   /* depth of <constraints>, 0 if not open */
  int seen_constraints;    /* a <constraints> element was read completely */
  int n_constraint;        /* <constraint> elements seen */
  icx_buf text;            /* text of the current <attribute>/<value> */
  char *attr;              /* current constraint's attribute text */
  char *values[ICX_CONSTRAINT_MAX_VALUES]; /* its <value> texts */
  char *units[ICX_CONSTRAINT_MAX_VALUES];  /* their unit='...', or NULL */
  char *from;              /* the first from='...' of its values, or NULL */
  char *op;                /* its op='...', NULL if none */
  int required, weight;    /* its required='...' and weight='...' */
  int n_attr, n_value;     /* how many of each the constraint had */
  icx_rc rc;               /* first failure */
} pstate;

static void
p_fail(pstate *ps, icx_rc rc, const char *fmt, const char *a, const char *b)
{
  char msg[4096];

  if (ps->rc)
    return;
  snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
  icx_fail(ps->ctx, rc, "near line %d, column %d: %s", ps->line, ps->column, msg);
  ps->rc = rc;
}

static const char *
el_local(raptor_xml_element *el)
{
  return (const char *)raptor_qname_get_local_name(raptor_xml_element_get_name(el));
}

/* The element's namespace URI, or "" when it has none. */
static const char *
el_ns(raptor_xml_element *el)
{
  const raptor_namespace *ns = raptor_qname_get_namespace(raptor_xml_element_get_name(el));
  raptor_uri *u = ns ? raptor_namespace_get_uri(ns) : NULL;

  return u ? (const char *)raptor_uri_as_string(u) : "";
}

/* The constraints namespace, tolerating the stray spaces the paper's own
 * answer has around it (xmlns=' http://www.csp/resOntology'). */
static int
is_constraints_ns(const char *ns)
{
  size_t n = strlen(ICX_CONSTRAINTS_NS);

  while (icx_is_space((unsigned char)*ns))
    ns++;
  if (strncmp(ns, ICX_CONSTRAINTS_NS, n) != 0)
    return 0;
  for (ns += n; *ns; ns++)
    if (!icx_is_space((unsigned char)*ns))
      return 0;
  return 1;
}

/* The value of the element's attribute named local, or NULL.  Lent. */
static const char *
attribute_value(raptor_xml_element *el, const char *local)
{
  raptor_qname **attrs = raptor_xml_element_get_attributes(el);
  int n = raptor_xml_element_get_attributes_count(el), i;

  for (i = 0; attrs && i < n; i++)
    if (!strcmp((const char *)raptor_qname_get_local_name(attrs[i]), local)) {
      const char *v = (const char *)raptor_qname_get_value(attrs[i]);
      return v ? v : "";
    }
  return NULL;
}

/* op='...', required='true|false', weight='-100..100' of <constraint>. */
static void
read_constraint_attributes(pstate *ps, raptor_xml_element *el)
{
  raptor_qname **attrs = raptor_xml_element_get_attributes(el);
  int n = raptor_xml_element_get_attributes_count(el), i, weight_given = 0;

  free(ps->op);
  ps->op = NULL;
  ps->required = 1;
  ps->weight = 0;
  for (i = 0; attrs && i < n && !ps->rc; i++) {
    const char *name = (const char *)raptor_qname_get_local_name(attrs[i]);
    const char *value = (const char *)raptor_qname_get_value(attrs[i]);
    if (!value)
      value = "";
    if (!strcmp(name, "op")) {
      if (!(ps->op = strdup(value)))
        p_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    } else if (!strcmp(name, "required")) {
      if (icx_name_eq(value, "true") || !strcmp(value, "1"))
        ps->required = 1;
      else if (icx_name_eq(value, "false") || !strcmp(value, "0"))
        ps->required = 0;
      else
        p_fail(ps, ICX_ERR_XML, "required='%.40s' must be true or false%s", value, "");
    } else if (!strcmp(name, "weight")) {
      char *end;
      long w = strtol(value, &end, 10);
      while (icx_is_space((unsigned char)*end))
        end++;
      if (end == value || *end || w < -100 || w > 100)
        p_fail(ps, ICX_ERR_XML, "weight='%.40s' must be an integer from -100 to 100%s", value, "");
      ps->weight = (int)w;
      weight_given = 1;
    }
  }
  if (!ps->rc && weight_given && ps->required)
    p_fail(ps, ICX_ERR_XML, "weight='...' needs required='false'%s%s", "", "");
}

static void
on_start(void *ud, raptor_xml_element *el)
{
  pstate *ps = ud;
  const char *name = el_local(el);

  ps->depth++;
  if (ps->rc)
    return;
  if (ps->depth > ICX_CONSTRAINT_MAX_DEPTH) {
    p_fail(ps, ICX_ERR_LIMIT, "elements nest deeper than %s levels%s", "64", "");
    return;
  }
  switch (ps->at) {
  case IN_NOTHING:
    if (strcmp(name, "constraints") != 0)
      return;
    if (!is_constraints_ns(el_ns(el))) {
      p_fail(ps, ICX_ERR_XML, "<constraints> is in namespace \"%s\", expected \"%s\"",
             el_ns(el), ICX_CONSTRAINTS_NS);
      return;
    }
    if (ps->seen_constraints) {
      p_fail(ps, ICX_ERR_XML, "more than one <constraints> element%s%s", "", "");
      return;
    }
    ps->at = IN_CONSTRAINTS;
    ps->constraints_depth = ps->depth;
    return;
  case IN_CONSTRAINTS:
    if (strcmp(name, "constraint") != 0) {
      p_fail(ps, ICX_ERR_XML, "unexpected <%s> in <constraints>; expected <constraint>%s",
             name, "");
      return;
    }
    ps->at = IN_CONSTRAINT;
    ps->n_constraint++;
    ps->n_attr = ps->n_value = 0;
    read_constraint_attributes(ps, el);
    return;
  case IN_CONSTRAINT:
    if (strcmp(name, "attribute") == 0) {
      ps->at = IN_ATTRIBUTE;
      ps->n_attr++;
    } else if (strcmp(name, "value") == 0) {
      if (ps->n_value >= ICX_CONSTRAINT_MAX_VALUES) {
        p_fail(ps, ICX_ERR_LIMIT, "a constraint has more than %s values%s", "64", "");
        return;
      }
      ps->at = IN_VALUE;
      ps->n_value++;
      free(ps->units[ps->n_value - 1]);
      ps->units[ps->n_value - 1] = NULL;
      if (attribute_value(el, "unit") &&
          !(ps->units[ps->n_value - 1] = strdup(attribute_value(el, "unit"))))
        p_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
      if (attribute_value(el, "from") && !ps->from &&
          !(ps->from = strdup(attribute_value(el, "from"))))
        p_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    } else {
      p_fail(ps, ICX_ERR_XML,
             "unexpected <%s> in <constraint>; expected <attribute> and <value>%s", name, "");
      return;
    }
    icx_buf_free(&ps->text);
    return;
  case IN_ATTRIBUTE:
  case IN_VALUE:
    p_fail(ps, ICX_ERR_XML, "unexpected element <%s> inside <%s>", name,
           ps->at == IN_ATTRIBUTE ? "attribute" : "value");
    return;
  }
}

static void
on_chars(void *ud, raptor_xml_element *el, const unsigned char *s, int len)
{
  pstate *ps = ud;

  if (ps->rc || (ps->at != IN_ATTRIBUTE && ps->at != IN_VALUE) || len <= 0)
    return;
  if (ps->text.len + (size_t)len > ICX_CONSTRAINT_MAX_TEXT) {
    p_fail(ps, ICX_ERR_LIMIT, "the text of <%s> is longer than %s bytes",
           ps->at == IN_ATTRIBUTE ? "attribute" : "value", "1024");
    return;
  }
  icx_buf_append_len(&ps->text, (const char *)s, (size_t)len);
}

static void
on_end(void *ud, raptor_xml_element *el)
{
  pstate *ps = ud;

  ps->depth--;
  if (ps->rc)
    return;
  switch (ps->at) {
  case IN_NOTHING:
    return;
  case IN_CONSTRAINTS:
    ps->at = IN_NOTHING;
    ps->seen_constraints = 1;
    return;
  case IN_ATTRIBUTE:
  case IN_VALUE: {
    char **slot = ps->at == IN_ATTRIBUTE ? &ps->attr : &ps->values[ps->n_value - 1];
    free(*slot);
    *slot = icx_strdup(ps->text.data ? ps->text.data : "");
    if (!*slot || icx_buf_failed(&ps->text))
      p_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    icx_buf_free(&ps->text);
    ps->at = IN_CONSTRAINT;
    return;
  }
  case IN_CONSTRAINT: {
    char num[24];
    icx_rc rc;
    int k;
    ps->at = IN_CONSTRAINTS;
    snprintf(num, sizeof num, "%d", ps->n_constraint);
    if (ps->n_attr != 1) {
      p_fail(ps, ICX_ERR_XML, "constraint %s must have exactly one <attribute>%s", num, "");
      return;
    }
    if (ps->n_value == 0 && !ps->op) {
      p_fail(ps, ICX_ERR_XML, "constraint %s has no <value> (only op='exists' and op='absent' "
             "need none)%s", num, "");
      return;
    }
    if (ps->n_value > 1 && !ps->op) {
      p_fail(ps, ICX_ERR_XML, "constraint %s must have exactly one <value> without "
             "op='anyOf', 'allOf' or 'noneOf'%s", num, "");
      return;
    }
    rc = add_item(ps->ctx, ps->set, ps->attr, ps->op, (const char *const *)ps->values,
                  (const char *const *)ps->units, ps->from, (size_t)ps->n_value,
                  ps->required, ps->weight);
    if (rc) {
      char detail[2048];
      snprintf(detail, sizeof detail, "%s", icx_ctx_errmsg(ps->ctx));
      p_fail(ps, rc, "constraint %s: %s", num, detail);
    }
    free(ps->attr);
    ps->attr = NULL;
    for (k = 0; k < ps->n_value; k++) {
      free(ps->values[k]);
      free(ps->units[k]);
      ps->values[k] = NULL;
      ps->units[k] = NULL;
    }
    free(ps->op);
    ps->op = NULL;
    free(ps->from);
    ps->from = NULL;
    return;
  }
  }
}

/* raptor reports XML errors through the librdf logger, which the context
 * routes into an icx_diag while parsing. */
static int
declares_dtd(const char *xml, size_t len)
{
  static const char *const bad[] = { "<!DOCTYPE", "<!ENTITY" };
  size_t i, k;

  for (i = 0; i + 2 < len; i++) {
    if (xml[i] != '<' || xml[i + 1] != '!')
      continue;
    for (k = 0; k < 2; k++) {
      size_t n = strlen(bad[k]);
      if (i + n <= len && memcmp(xml + i, bad[k], n) == 0)
        return 1;
    }
  }
  return 0;
}

icx_rc
icx_constraints_parse(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                      icx_constraints **out)
{
  pstate ps;
  raptor_world *rw;
  raptor_sax2 *sax = NULL;
  icx_diag diag;
  icx_rc rc;
  int k;

  if (!ctx || !vocab || !xml || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  if (len > ICX_CONSTRAINT_MAX_INPUT)
    return icx_fail(ctx, ICX_ERR_LIMIT, "the request is larger than %d bytes",
                    ICX_CONSTRAINT_MAX_INPUT);
  if (declares_dtd(xml, len))
    return icx_fail(ctx, ICX_ERR_XML, "the request declares a DTD or entity; "
                    "constraint XML must not");
  if (memchr(xml, '\0', len))
    return icx_fail(ctx, ICX_ERR_XML, "the request contains a NUL byte");
  memset(&ps, 0, sizeof ps);
  ps.ctx = ctx;
  icx_buf_init(&ps.text);
  ps.set = icx_constraints_new(vocab);
  rw = icx_ctx_world(ctx) ? librdf_world_get_raptor(icx_ctx_world(ctx)) : NULL;
  if (ps.set && rw)
    sax = raptor_new_sax2(rw, &ps.locator, &ps);
  if (!ps.set || !sax) {
    icx_constraints_free(ps.set);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  raptor_sax2_set_start_element_handler(sax, on_start);
  raptor_sax2_set_end_element_handler(sax, on_end);
  raptor_sax2_set_characters_handler(sax, on_chars);
  raptor_sax2_set_cdata_handler(sax, on_chars);
  /* raptor's SAX2 reports no positions, so the text goes in small chunks
   * that end at line ends: a problem is placed within the chunk where it
   * showed up. */
  icx_diag_begin(ctx, &diag);
  raptor_sax2_parse_start(sax, NULL);
  ps.line = ps.column = 1;
  {
    size_t off = 0;
    int err_line = 0, err_col = 0;
    while (off < len && !ps.rc && !diag.errors) {
      size_t n = 0;
      while (off + n < len && n < PARSE_CHUNK && xml[off + n] != '\n')
        n++;
      if (off + n < len && xml[off + n] == '\n')
        n++;
      raptor_sax2_parse_chunk(sax, (const unsigned char *)xml + off, n, 0);
      if (diag.errors && !err_line) {
        err_line = ps.line;
        err_col = ps.column;
      }
      if (n && xml[off + n - 1] == '\n') {
        ps.line++;
        ps.column = 1;
      } else {
        ps.column += (int)n;
      }
      off += n;
    }
    if (!ps.rc && !diag.errors)
      raptor_sax2_parse_chunk(sax, NULL, 0, 1);
    if (diag.errors && !err_line) {
      err_line = ps.line;
      err_col = ps.column;
    }
    icx_diag_end(ctx);
    raptor_free_sax2(sax);

    if (diag.errors && (!ps.rc || ps.rc == ICX_ERR_XML)) {
      const char *m = diag.first;
      if (!strncmp(m, "XML parser error: ", 18))
        m += 18;
      rc = icx_fail(ctx, ICX_ERR_XML, "near line %d, column %d: malformed XML: %s",
                    err_line, err_col, m);
    } else if (ps.rc) {
      rc = ps.rc;
    } else if (!ps.seen_constraints) {
      rc = icx_fail(ctx, ICX_ERR_XML, "no complete <constraints xmlns='%s'> element in the request",
                    ICX_CONSTRAINTS_NS);
    } else if (ps.set->n == 0) {
      rc = icx_fail(ctx, ICX_ERR_XML, "<constraints> holds no <constraint>");
    } else {
      rc = ICX_OK;
    }
  }
  free(ps.attr);
  for (k = 0; k < ICX_CONSTRAINT_MAX_VALUES; k++) {
    free(ps.values[k]);
    free(ps.units[k]);
  }
  free(ps.op);
  free(ps.from);
  icx_buf_free(&ps.text);
  if (rc) {
    icx_constraints_free(ps.set);
    return rc;
  }
  *out = ps.set;
  return ICX_OK;
}

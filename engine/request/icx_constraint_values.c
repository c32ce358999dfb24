/* icx_constraint_values.c - checks and re-formats requested numbers, units and individuals. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_constraint_internal.h"
#include "icx_ctx_internal.h"
#include "icx_util.h"

/* Decimals and integers keep only digits, a sign and a point, so that the
 * compiler can put them in a query as they are. */

#define MAX_DIGITS 40

/* Canonical decimal: [-]digits[.digits], no leading zeros but one, no
 * trailing fraction zeros.  Returns a new string, NULL if s is not a plain
 * decimal (exponents, NaN and infinities are not) or, with *oom set, when
 * memory ran out. */
static char *
constraint_canon_decimal(icx_ctx *ctx, const char *s, int integer_only, int *oom)
{
  char *out;
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
  icx_buf_init(&b, ctx);
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
  if (!(out = icx_buf_take(&b)))
    *oom = 1;
  return out;
}

/* Converts the canonical number *canon from unit `unit` into the
 * attribute's unit, replacing *canon. */
static icx_rc
constraint_convert_unit(icx_ctx *ctx, icx_ctx *mem, const icx_vocab *vocab,
                        const icx_attribute *a, const char *unit, char **canon)
{
  const icx_unit *to = icx_attribute_unit(a), *from;
  char buf[128];
  char *out;
  double v;
  int oom = 0;

  if (!to)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s has no unit: drop unit='%.40s'",
                    icx_attribute_label(a), unit);
  from = icx_vocab_find_unit(vocab, unit);
  if (!from) {
    char *known = icx_vocab_suggest_units(vocab, to, ctx, unit);
    icx_rc rc = known ? icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: unknown unit "
                                 "\"%.40s\"; %s", icx_attribute_label(a), unit, known)
                      : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    icx_free(ctx, known);
    return rc;
  }
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
  out = constraint_canon_decimal(mem, buf, icx_attribute_type(a) == ICX_TYPE_INTEGER, &oom);
  if (oom)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (!out)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: %s %s is %s %s, which is not %s",
                    icx_attribute_label(a), *canon, icx_unit_label(from), buf,
                    icx_unit_label(to), icx_attribute_type(a) == ICX_TYPE_INTEGER
                    ? "a whole number" : "a number icx can compare");
  icx_free(mem, *canon);
  *canon = out;
  return ICX_OK;
}

/* Resolves one requested value of attribute a (in unit, if not NULL):
 * *canon gets a new string, *ind the individual for individual-valued
 * attributes. */
icx_rc
icx_constraint_resolve_value(icx_ctx *ctx, icx_ctx *mem, const icx_vocab *vocab,
                             const icx_attribute *a,
                             const char *raw, const char *unit, char **canon,
                             const icx_individual **ind)
{
  char *tval = icx_trim_dup(ctx, raw, strlen(raw));
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
    int integer = icx_attribute_type(a) == ICX_TYPE_INTEGER, oom = 0;
    *canon = constraint_canon_decimal(mem, tval, integer, &oom);
    if (!*canon && !oom)      /* out of memory: said below */
      rc = icx_fail(ctx, ICX_ERR_CONSTRAINT,
                    "attribute %s: \"%.80s\" is not %s (at most %d digits)",
                    icx_attribute_label(a), tval,
                    integer ? "an integer" : "a decimal number", MAX_DIGITS);
    break;
  }
  case ICX_TYPE_BOOLEAN:
    if (icx_name_eq(tval, "true") || strcmp(tval, "1") == 0)
      *canon = icx_strdup(mem, "true");
    else if (icx_name_eq(tval, "false") || strcmp(tval, "0") == 0)
      *canon = icx_strdup(mem, "false");
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
    *canon = icx_strdup(mem, tval);
    break;
  }
  case ICX_TYPE_INDIVIDUAL:
    *ind = icx_attribute_find_value(a, tval);
    if (*ind) {
      *canon = icx_strdup(mem, icx_individual_iri(*ind));
    } else {
      char *known = icx_attribute_suggest_values(a, ctx, tval);
      rc = known ? icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: unknown value \"%.80s\"; %s",
                            icx_attribute_label(a), tval, known)
                 : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      icx_free(ctx, known);
    }
    break;
  }
  if (!rc && !*canon)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (!rc && unit && (icx_attribute_type(a) == ICX_TYPE_DECIMAL ||
                      icx_attribute_type(a) == ICX_TYPE_INTEGER))
    rc = constraint_convert_unit(ctx, mem, vocab, a, unit, canon);
  else if (!rc && unit)
    rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s is not a quantity: drop unit='%.40s'",
                  icx_attribute_label(a), unit);
done:
  if (rc) {
    /* A value that resolved but then failed (a unit that does not convert)
     * leaves nothing behind: the caller frees only what succeeded. */
    icx_free(mem, *canon);
    *canon = NULL;
    *ind = NULL;
  }
  icx_free(ctx, tval);
  return rc;
}

/* --- distance constraints (from a place) -------------------------------- */

/* Works out which places meet distance constraint it (op, one value
 * already converted to the attribute's unit) counted from it->from. */
static icx_rc
constraint_resolve_places(icx_ctx *ctx, icx_ctx *mem, const icx_attribute *a,
                          constraint_item *it)
{
  const icx_attribute *place = icx_attribute_place(a);
  size_t i, n = icx_attribute_value_count(place);
  double want = strtod(it->values[0], NULL);

  it->places = icx_calloc(mem, n + 1, sizeof *it->places);
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
icx_rc
icx_constraint_resolve_distance(icx_ctx *ctx, icx_ctx *mem, const icx_attribute *a,
                                const char *from,
                                constraint_item *it)
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
  if (!(tfrom = icx_trim_dup(ctx, from, strlen(from))))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  it->from = icx_attribute_find_value(place, tfrom);
  if (!it->from) {
    icx_rc rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "attribute %s: unknown place \"%.80s\" in "
                         "from='...'; it must be a value of %s (a country or region: see "
                         "icx vocab)", icx_attribute_label(a), tfrom, icx_attribute_label(place));
    icx_free(ctx, tfrom);
    return rc;
  }
  icx_free(ctx, tfrom);
  return constraint_resolve_places(ctx, mem, a, it);
}

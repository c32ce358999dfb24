/* icx_compile.c - resolved constraints to one SPARQL SELECT.
 *
 * Shape of the output (the golden files in tests/golden show real ones):
 *
 *   SELECT ?name ?v0 ?v1 ... WHERE {
 *     ?cloud <cloudName> ?name .
 *     ?cloud <offers> ?s0 .                              one per domain class
 *     ?s0 rdf:type <Class> .                             only if no required
 *                                                        constraint reads ?s0
 *     ?s0 <attribute> ?v0 .                              one per required constraint
 *     FILTER (?v0 >= 99.999)                             op, or rule of the attribute
 *     FILTER (?v2 IN (<value and narrower values>))      subsumption expanded
 *     FILTER (?v3 IN (<places within the distance>))     latency from a place
 *   } ORDER BY ?name
 *
 * and when some constraints are negations or soft, the part above goes in a
 * group of its own, followed by their OPTIONALs:
 *
 *   SELECT ... WHERE {
 *     { the required patterns and their FILTERs, as above }
 *     OPTIONAL { ?s0 <attribute> ?v1 . FILTER (...) }    negations and soft ones
 *     FILTER (!BOUND(?v1))                               a required negation
 *   } ORDER BY ?name
 *
 * The inner group is for rasqal 0.9.33: given the flat form it joins the
 * OPTIONALs before applying any FILTER, and its time grows with the fourth
 * power of the data (a random query of the differential tests: 2 s at 40
 * clouds, 33 s at 80, over 5 minutes at 120, on Redland's hashes storage
 * as on icx's); grouped, the same query takes 0.15 s at 120.  The answers
 * are the same: the FILTERs moved inside read only variables the inner
 * patterns bind.
 *
 * IRIs come from the vocabulary and are checked to need no escaping;
 * numbers and booleans were re-formatted by icx_constraint.c; strings are
 * escaped here (icx_sparql_append_string(): no librdf call, so that
 * compiling a request never loads it).  FILTERs come last in their group
 * because rasqal 0.9 evaluates them after the patterns whatever their
 * position.  There is no
 * DISTINCT: rasqal 0.9.33 leaks the rows of every DISTINCT query (roqet
 * shows it under valgrind), and icx_match removes duplicates anyway.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_compile_internal.h"
#include "icx_ctx_internal.h"
#include "icx_util.h"

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

/* 1 if iri can stand between < and > in SPARQL as it is. */
static int
compile_iri_is_safe(const char *iri)
{
  const unsigned char *p = (const unsigned char *)iri;

  if (!*p)
    return 0;
  for (; *p; p++)
    if (*p <= 0x20 || strchr("<>\"{}|^`\\", *p))
      return 0;
  return 1;
}

int
icx_sparql_append_iri(icx_ctx *ctx, icx_buf *b, const char *iri, icx_rc *rc)
{
  if (!compile_iri_is_safe(iri)) {
    *rc = icx_fail(ctx, ICX_ERR_VOCAB, "vocabulary IRI <%s> cannot be written into a query", iri);
    return -1;
  }
  icx_buf_append(b, "<");
  icx_buf_append(b, iri);
  icx_buf_append(b, ">");
  return 0;
}

/* The length of the UTF-8 sequence at s (1 to 4), or 0 when none starts
 * there: a bad lead byte, a missing or bad continuation byte, an overlong
 * form, a surrogate or a code point past U+10FFFF. */
static size_t
sparql_utf8_len(const unsigned char *s)
{
  unsigned c = s[0], cp, n, i;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, cp = c & 0x07;
  else
    return 0;
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}

/* A SPARQL string literal in double quotes: the quote, the backslash, line
 * feed and carriage return (which the grammar allows only escaped) and tab,
 * backspace and form feed as their ECHAR escapes; every other character as
 * it is (\u escapes are not used: SPARQL expands them before it reads the
 * string, so \u000A would be a raw line feed).  Text that is not UTF-8 is
 * refused. */
int
icx_sparql_append_string(icx_ctx *ctx, icx_buf *b, const char *s, icx_rc *rc)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t n;

  icx_buf_append(b, "\"");
  while (*p) {
    const char *esc = NULL;
    switch (*p) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    case '\b': esc = "\\b"; break;
    case '\f': esc = "\\f"; break;
    default: break;
    }
    if (esc) {
      icx_buf_append(b, esc);
      p++;
      continue;
    }
    if (!(n = sparql_utf8_len(p))) {
      *rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "a string value is not UTF-8 (byte 0x%02x at "
                     "offset %zu)", *p, (size_t)(p - (const unsigned char *)s));
      return -1;
    }
    icx_buf_append_len(b, (const char *)p, n);
    p += n;
  }
  icx_buf_append(b, "\"");
  if (icx_buf_failed(b)) {
    *rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    return -1;
  }
  return 0;
}

/* Appends "?var IN (<a>, <b>)" for a NULL-ended IRI list. */
static int
compile_append_in_iris(icx_ctx *ctx, icx_buf *b, const char *var, const char *const *iris,
                       icx_rc *rc)
{
  size_t i;

  icx_buf_appendf(b, "?%s IN (", var);
  for (i = 0; iris[i]; i++) {
    if (i)
      icx_buf_append(b, ", ");
    if (icx_sparql_append_iri(ctx, b, iris[i], rc))
      return -1;
  }
  icx_buf_append(b, ")");
  return 0;
}

void
icx_compile_var_name(char *buf, size_t n, size_t constraint, size_t part)
{
  if (part == (size_t)-1)
    snprintf(buf, n, "v%zu", constraint);
  else
    snprintf(buf, n, "v%zu_%zu", constraint, part);
}

static const char *
compile_op_symbol(icx_op op)
{
  switch (op) {
  case ICX_OP_AT_LEAST: return ">=";
  case ICX_OP_AT_MOST: return "<=";
  case ICX_OP_GREATER: return ">";
  case ICX_OP_LESS: return "<";
  default: return "=";
  }
}

/* One requested value as a SPARQL term (numbers and booleans as icx
 * formatted them, IRIs checked, strings escaped). */
static int
compile_append_value(icx_ctx *ctx, icx_buf *b, const icx_constraints *set, size_t i, size_t k,
                     icx_rc *rc)
{
  const char *val = icx_constraint_value_at(set, i, k);

  switch (icx_attribute_type(icx_constraint_attribute(set, i))) {
  case ICX_TYPE_DECIMAL:
  case ICX_TYPE_INTEGER:
  case ICX_TYPE_BOOLEAN:
    icx_buf_append(b, val);
    return 0;
  case ICX_TYPE_STRING:
    return icx_sparql_append_string(ctx, b, val, rc);
  case ICX_TYPE_INDIVIDUAL:
    return icx_sparql_append_iri(ctx, b, val, rc);
  }
  return 0;
}

/* The positive condition of constraint i on ?var (for allOf, of its value
 * part; part < 0: all values).  Nothing for exists and absent.  Negative
 * ops get the condition of their positive twin: the caller negates. */
static int
compile_append_condition(icx_ctx *ctx, icx_buf *b, const icx_constraints *set, size_t i,
                         long part, const char *var, icx_rc *rc)
{
  const icx_attribute *a = icx_constraint_attribute(set, i);
  icx_op op = icx_constraint_op(set, i);
  size_t n = icx_constraint_value_count(set, i), k, from = 0, to = n;
  int first = 1;

  if (part >= 0) {
    from = (size_t)part;
    to = from + 1;
  }
  if (icx_constraint_from(set, i)) {
    /* A distance: the places that meet it were worked out from the
     * vocabulary's table, exactly (no narrower places added: a region can
     * meet it while a country in it does not). */
    n = icx_constraint_place_count(set, i);
    icx_buf_appendf(b, "?%s IN (", var);
    for (k = 0; k < n; k++) {
      if (k)
        icx_buf_append(b, ", ");
      if (icx_sparql_append_iri(ctx, b, icx_individual_iri(icx_constraint_place_at(set, i, k)),
                                rc))
        return -1;
    }
    icx_buf_append(b, ")");
    return 0;
  }
  switch (op) {
  case ICX_OP_EXISTS:
  case ICX_OP_ABSENT:
    return 0;
  case ICX_OP_AT_LEAST:
  case ICX_OP_AT_MOST:
  case ICX_OP_GREATER:
  case ICX_OP_LESS:
    icx_buf_appendf(b, "?%s %s ", var, compile_op_symbol(op));
    return compile_append_value(ctx, b, set, i, 0, rc);
  case ICX_OP_EQUAL:
  case ICX_OP_NOT_EQUAL:
    if (icx_attribute_type(a) == ICX_TYPE_STRING)
      icx_buf_appendf(b, "STR(?%s) = ", var);
    else
      icx_buf_appendf(b, "?%s = ", var);
    return compile_append_value(ctx, b, set, i, 0, rc);
  case ICX_OP_ANY_OF:
  case ICX_OP_ALL_OF:
  case ICX_OP_NONE_OF:
    if (icx_attribute_type(a) == ICX_TYPE_STRING) {
      for (k = from; k < to; k++) {
        icx_buf_appendf(b, "%sSTR(?%s) = ", first ? "(" : " || ", var);
        if (compile_append_value(ctx, b, set, i, k, rc))
          return -1;
        first = 0;
      }
      icx_buf_append(b, ")");
      return 0;
    }
    icx_buf_appendf(b, "?%s IN (", var);
    for (k = from; k < to; k++) {
      const icx_individual *ind = icx_constraint_individual_at(set, i, k);
      if (ind) {
        /* Subsumption: the value and everything narrower. */
        const icx_individual *const *nar = icx_individual_narrower(ind);
        size_t j;
        for (j = 0; nar[j]; j++) {
          if (!first)
            icx_buf_append(b, ", ");
          if (icx_sparql_append_iri(ctx, b, icx_individual_iri(nar[j]), rc))
            return -1;
          first = 0;
        }
      } else {
        if (!first)
          icx_buf_append(b, ", ");
        if (compile_append_value(ctx, b, set, i, k, rc))
          return -1;
        first = 0;
      }
    }
    icx_buf_append(b, ")");
    return 0;
  }
  return 0;
}

/* Appends text to b with indent before every line. */
static void
compile_append_indented(icx_buf *b, const char *text, const char *indent)
{
  const char *nl;

  while (*text) {
    nl = strchr(text, '\n');
    icx_buf_append(b, indent);
    if (!nl) {
      icx_buf_append(b, text);
      return;
    }
    icx_buf_append_len(b, text, (size_t)(nl - text + 1));
    text = nl + 1;
  }
}

/* Type patterns the loader makes redundant.  Every document in a store
 * passed the loader's graph checks (loaders/icx_loader_graph.c, icx_loader_check_graph):
 * a subject with an attribute is typed with the attribute's domain or a
 * class under it, and only clouds have a name or offer services.  So
 * "?cloud <cloudName> ?name" implies "?cloud a <Cloud>", and a required
 * pattern "?sJ <attribute> ?v" implies "?sJ a <its domain>" (or one of its
 * subclasses).  Leaving those type patterns out saves SQLite two index
 * seeks per candidate row (about a quarter of the broad bench shape's
 * time); the answers on a checked store are the same, which the
 * differential tests confirm against rasqal.  A class of service whose
 * constraints are all soft or negated keeps its type pattern: nothing
 * else requires the service to be of that class. */

/* 1 if a required, positive constraint reads a service of domain j. */
static int
compile_typed_by_pattern(const icx_constraints *set, const size_t *dom_of, size_t j)
{
  size_t i, n = icx_constraints_count(set);

  for (i = 0; i < n; i++)
    if (dom_of[i] == j && icx_constraint_required(set, i) &&
        !icx_op_is_negative(icx_constraint_op(set, i)))
      return 1;
  return 0;
}

icx_rc
icx_compile_check(icx_ctx *ctx, const icx_constraints *set)
{
  const icx_vocab *v;
  size_t n, i, j, patterns = 2;

  if (!ctx || !set)
    return ICX_ERR_MISUSE;
  v = icx_constraints_vocab(set);
  n = icx_constraints_count(set);
  for (i = 0; i < n; i++) {
    const char *d = icx_attribute_domain(icx_constraint_stated_attribute(set, i));
    for (j = 0; j < i; j++)     /* 2 for each kind of service, first seen at i */
      if (!strcmp(d, icx_attribute_domain(icx_constraint_stated_attribute(set, j))))
        break;
    if (j == i && !icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), d))
      patterns += 2;
    patterns += icx_constraint_op(set, i) == ICX_OP_ALL_OF ?
                icx_constraint_value_count(set, i) : 1;
  }
  if (patterns > ICX_COMPILE_MAX_PATTERNS)
    return icx_fail(ctx, ICX_ERR_CONSTRAINT, "this request needs %zu triple patterns; icx "
                    "matches with at most %d in one query (2 for the cloud, 2 per kind of "
                    "service, 1 per constraint and allOf value): ask with fewer constraints",
                    patterns, ICX_COMPILE_MAX_PATTERNS);
  return ICX_OK;
}

icx_rc
icx_compile_sparql(icx_ctx *ctx, const icx_constraints *set, char **sparql)
{
  const icx_vocab *v;
  size_t n, i, j, n_domains = 0;
  const char **domains = NULL;
  size_t *dom_of = NULL;
  icx_buf q, filters, optionals, negations, select;
  icx_rc rc = ICX_OK;
  const char *const *cloud_classes;

  if (!ctx || !set || !sparql)
    return ICX_ERR_MISUSE;
  *sparql = NULL;
  icx_clear_error(ctx);
  v = icx_constraints_vocab(set);
  n = icx_constraints_count(set);
  icx_buf_init(&q, ctx);
  icx_buf_init(&filters, ctx);
  icx_buf_init(&optionals, ctx);
  icx_buf_init(&negations, ctx);
  icx_buf_init(&select, ctx);
  domains = icx_calloc(ctx, n ? n : 1, sizeof *domains);
  dom_of = icx_calloc(ctx, n ? n : 1, sizeof *dom_of);
  if (!domains || !dom_of) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* One subject variable per domain class, in order of first use. */
  for (i = 0; i < n; i++) {
    const char *d = icx_attribute_domain(icx_constraint_stated_attribute(set, i));
    for (j = 0; j < n_domains; j++)
      if (strcmp(domains[j], d) == 0)
        break;
    if (j == n_domains)
      domains[n_domains++] = d;
    dom_of[i] = j;
  }

  /* Refuse what SQLite could not join, before writing anything. */
  if ((rc = icx_compile_check(ctx, set)))
    goto done;
  icx_buf_appendf(&select, "SELECT ?%s", ICX_COMPILE_NAME_VAR);
  /* The name pattern implies the cloud's type
   * (compile_typed_by_pattern()); a request of no constraints (an
   * explanation's "without all of them") keeps it all the same, or ?cloud
   * would appear once and rasqal warn on stderr that it is unused. */
  cloud_classes = n ? NULL : icx_vocab_subclasses(v, icx_vocab_cloud_class(v));
  if (cloud_classes && cloud_classes[0] && !cloud_classes[1]) {
    icx_buf_append(&q, "  ?cloud <" RDF_TYPE "> ");
    if (icx_sparql_append_iri(ctx, &q, icx_vocab_cloud_class(v), &rc))
      goto done;
    icx_buf_append(&q, " .\n");
  } else if (cloud_classes) {
    icx_buf_append(&q, "  ?cloud <" RDF_TYPE "> ?ctype .\n");
    icx_buf_append(&filters, "  FILTER (");
    if (compile_append_in_iris(ctx, &filters, "ctype", cloud_classes, &rc))
      goto done;
    icx_buf_append(&filters, ")\n");
  }
  icx_buf_append(&q, "  ?cloud ");
  if (icx_sparql_append_iri(ctx, &q, icx_vocab_name_property(v), &rc))
    goto done;
  icx_buf_appendf(&q, " ?%s .\n", ICX_COMPILE_NAME_VAR);

  for (j = 0; j < n_domains; j++) {
    const char *const *subs;
    char tvar[32];
    if (icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), domains[j]))
      continue;                 /* attributes of the cloud itself */
    icx_buf_append(&q, "  ?cloud ");
    if (icx_sparql_append_iri(ctx, &q, icx_vocab_offers_property(v), &rc))
      goto done;
    icx_buf_appendf(&q, " ?s%zu .\n", j);
    if (compile_typed_by_pattern(set, dom_of, j))
      continue;
    subs = icx_vocab_subclasses(v, domains[j]);
    if (!subs) {
      rc = icx_fail(ctx, ICX_ERR_VOCAB, "domain <%s> is not a class", domains[j]);
      goto done;
    }
    if (!subs[1]) {             /* no subclasses: the class itself */
      icx_buf_appendf(&q, "  ?s%zu <" RDF_TYPE "> ", j);
      if (icx_sparql_append_iri(ctx, &q, domains[j], &rc))
        goto done;
      icx_buf_append(&q, " .\n");
      continue;
    }
    icx_buf_appendf(&q, "  ?s%zu <" RDF_TYPE "> ?t%zu .\n", j, j);
    snprintf(tvar, sizeof tvar, "t%zu", j);
    icx_buf_append(&filters, "  FILTER (");
    if (compile_append_in_iris(ctx, &filters, tvar, subs, &rc))
      goto done;
    icx_buf_append(&filters, ")\n");
  }

  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_constraint_stated_attribute(set, i);
    icx_op op = icx_constraint_op(set, i);
    int required = icx_constraint_required(set, i);
    const char *subj;
    char subjbuf[32], var[32];
    size_t k, parts = op == ICX_OP_ALL_OF ? icx_constraint_value_count(set, i) : 1;

    if (icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), domains[dom_of[i]])) {
      subj = "?cloud";
    } else {
      snprintf(subjbuf, sizeof subjbuf, "?s%zu", dom_of[i]);
      subj = subjbuf;
    }
    for (k = 0; k < parts; k++) {
      icx_buf cond;
      if (op == ICX_OP_ALL_OF)
        icx_compile_var_name(var, sizeof var, i, k);
      else
        icx_compile_var_name(var, sizeof var, i, (size_t)-1);
      icx_buf_appendf(&select, " ?%s", var);
      icx_buf_init(&cond, ctx);
      if (compile_append_condition(ctx, &cond, set, i, op == ICX_OP_ALL_OF ? (long)k : -1, var,
                                   &rc)) {
        icx_buf_free(&cond);
        goto done;
      }
      if (icx_buf_failed(&cond)) {   /* else the condition would be lost, or cut short */
        icx_buf_free(&cond);
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
        goto done;
      }
      if (required && !icx_op_is_negative(op)) {
        icx_buf_appendf(&q, "  %s ", subj);
        if (icx_sparql_append_iri(ctx, &q, icx_attribute_iri(a), &rc)) {
          icx_buf_free(&cond);
          goto done;
        }
        icx_buf_appendf(&q, " ?%s .\n", var);
        if (cond.data)
          icx_buf_appendf(&filters, "  FILTER (%s)\n", cond.data);
      } else {
        /* Negations and soft constraints: the pattern is optional; whether
         * it bound tells (FILTER(!BOUND) for required negations). */
        icx_buf_appendf(&optionals, "  OPTIONAL { %s ", subj);
        if (icx_sparql_append_iri(ctx, &optionals, icx_attribute_iri(a), &rc)) {
          icx_buf_free(&cond);
          goto done;
        }
        icx_buf_appendf(&optionals, " ?%s .", var);
        if (cond.data)
          icx_buf_appendf(&optionals, " FILTER (%s)", cond.data);
        icx_buf_append(&optionals, " }\n");
        if (required)
          icx_buf_appendf(&negations, "  FILTER (!BOUND(?%s))\n", var);
      }
      icx_buf_free(&cond);
    }
  }
  if (filters.data)
    icx_buf_append(&q, filters.data);
  icx_buf_append(&select, "\nWHERE {\n");
  if (optionals.data) {
    icx_buf_append(&select, "  {\n");
    compile_append_indented(&select, q.data ? q.data : "", "  ");
    icx_buf_append(&select, "  }\n");
    icx_buf_append(&select, optionals.data);
    if (negations.data)
      icx_buf_append(&select, negations.data);
  } else {
    icx_buf_append(&select, q.data ? q.data : "");
  }
  icx_buf_appendf(&select, "}\nORDER BY ?%s\n", ICX_COMPILE_NAME_VAR);
  if (icx_buf_failed(&q) || icx_buf_failed(&filters) || icx_buf_failed(&select) ||
      icx_buf_failed(&optionals) || icx_buf_failed(&negations)) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (!(*sparql = icx_buf_take(&select)))
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
done:
  icx_buf_free(&q);
  icx_buf_free(&filters);
  icx_buf_free(&optionals);
  icx_buf_free(&negations);
  icx_buf_free(&select);
  icx_free(ctx, domains);
  icx_free(ctx, dom_of);
  return rc;
}

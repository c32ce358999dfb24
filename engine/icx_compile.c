/* icx_compile.c - resolved constraints to one SPARQL SELECT.
 *
 * Shape of the output (the golden files in tests/golden show real ones):
 *
 *   SELECT ?name WHERE {
 *     ?cloud rdf:type <Cloud> . ?cloud <cloudName> ?name .
 *     ?cloud <offers> ?s0 . ?s0 rdf:type ?t0 .          one per domain class
 *     ?s0 <attribute> ?v0 .                              one per constraint
 *     FILTER (?t0 IN (<class and subclasses>))
 *     FILTER (?v0 >= 99.999)                             rule of the attribute
 *     FILTER (?v2 IN (<value and narrower values>))      subsumption expanded
 *   } ORDER BY ?name
 *
 * IRIs come from the vocabulary and are checked to need no escaping;
 * numbers and booleans were re-formatted by icx_constraint.c; strings go
 * through raptor's SPARQL escaping.  FILTERs come last because rasqal 0.9
 * evaluates them after the patterns whatever their position.  There is no
 * DISTINCT: rasqal 0.9.33 leaks the rows of every DISTINCT query (roqet
 * shows it under valgrind), and icx_match removes duplicates anyway.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_util.h"

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

/* 1 if iri can stand between < and > in SPARQL as it is. */
static int
iri_is_safe(const char *iri)
{
  const unsigned char *p = (const unsigned char *)iri;

  if (!*p)
    return 0;
  for (; *p; p++)
    if (*p <= 0x20 || strchr("<>\"{}|^`\\", *p))
      return 0;
  return 1;
}

static int
append_iri(icx_ctx *ctx, icx_buf *b, const char *iri, icx_rc *rc)
{
  if (!iri_is_safe(iri)) {
    *rc = icx_fail(ctx, ICX_ERR_VOCAB, "vocabulary IRI <%s> cannot be written into a query", iri);
    return -1;
  }
  icx_buf_append(b, "<");
  icx_buf_append(b, iri);
  icx_buf_append(b, ">");
  return 0;
}

static int
append_string_literal(icx_ctx *ctx, icx_buf *b, const char *s, icx_rc *rc)
{
  raptor_world *rw = librdf_world_get_raptor(ctx->world);
  void *str = NULL;
  size_t len = 0;
  raptor_iostream *io = raptor_new_iostream_to_string(rw, &str, &len, malloc);

  if (!io) {
    *rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    return -1;
  }
  raptor_iostream_write_byte('"', io);
  if (raptor_string_escaped_write((const unsigned char *)s, strlen(s), '"',
                                  RAPTOR_ESCAPED_WRITE_SPARQL_LITERAL, io)) {
    raptor_free_iostream(io);
    free(str);
    *rc = icx_fail(ctx, ICX_ERR_CONSTRAINT, "a string value cannot be escaped for SPARQL");
    return -1;
  }
  raptor_iostream_write_byte('"', io);
  raptor_free_iostream(io);          /* finishes the string */
  if (!str) {
    *rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    return -1;
  }
  icx_buf_append_len(b, str, len);
  free(str);
  return 0;
}

/* Appends "?var IN (<a>, <b>)" for a NULL-ended IRI list. */
static int
append_in_iris(icx_ctx *ctx, icx_buf *b, const char *var, const char *const *iris, icx_rc *rc)
{
  size_t i;

  icx_buf_appendf(b, "?%s IN (", var);
  for (i = 0; iris[i]; i++) {
    if (i)
      icx_buf_append(b, ", ");
    if (append_iri(ctx, b, iris[i], rc))
      return -1;
  }
  icx_buf_append(b, ")");
  return 0;
}

static const char *
op_of(icx_rule r)
{
  switch (r) {
  case ICX_RULE_AT_LEAST: return ">=";
  case ICX_RULE_AT_MOST: return "<=";
  case ICX_RULE_EQUALS: return "=";
  case ICX_RULE_INCLUDES: return "=";
  }
  return "=";
}

icx_rc
icx_compile_sparql(icx_ctx *ctx, const icx_constraints *set, char **sparql)
{
  const icx_vocab *v;
  size_t n, i, j, n_domains = 0;
  const char **domains = NULL;
  size_t *dom_of = NULL;
  icx_buf q, filters;
  icx_rc rc = ICX_OK;
  const char *const *cloud_classes;

  if (!ctx || !set || !sparql)
    return ICX_ERR_MISUSE;
  *sparql = NULL;
  icx_clear_error(ctx);
  v = icx_constraints_vocab(set);
  n = icx_constraints_count(set);
  icx_buf_init(&q);
  icx_buf_init(&filters);
  domains = calloc(n ? n : 1, sizeof *domains);
  dom_of = calloc(n ? n : 1, sizeof *dom_of);
  if (!domains || !dom_of) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* One subject variable per domain class, in order of first use. */
  for (i = 0; i < n; i++) {
    const char *d = icx_attribute_domain(icx_constraint_attribute(set, i));
    for (j = 0; j < n_domains; j++)
      if (strcmp(domains[j], d) == 0)
        break;
    if (j == n_domains)
      domains[n_domains++] = d;
    dom_of[i] = j;
  }

  icx_buf_appendf(&q, "SELECT ?%s\nWHERE {\n", ICX_COMPILE_NAME_VAR);
  cloud_classes = icx_vocab_subclasses(v, icx_vocab_cloud_class(v));
  if (cloud_classes && cloud_classes[0] && !cloud_classes[1]) {
    icx_buf_append(&q, "  ?cloud <" RDF_TYPE "> ");
    if (append_iri(ctx, &q, icx_vocab_cloud_class(v), &rc))
      goto done;
    icx_buf_append(&q, " .\n");
  } else if (cloud_classes) {
    icx_buf_append(&q, "  ?cloud <" RDF_TYPE "> ?ctype .\n");
    icx_buf_append(&filters, "  FILTER (");
    if (append_in_iris(ctx, &filters, "ctype", cloud_classes, &rc))
      goto done;
    icx_buf_append(&filters, ")\n");
  }
  icx_buf_append(&q, "  ?cloud ");
  if (append_iri(ctx, &q, icx_vocab_name_property(v), &rc))
    goto done;
  icx_buf_appendf(&q, " ?%s .\n", ICX_COMPILE_NAME_VAR);

  for (j = 0; j < n_domains; j++) {
    const char *const *subs;
    char tvar[32];
    if (icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), domains[j]))
      continue;                 /* attributes of the cloud itself */
    icx_buf_append(&q, "  ?cloud ");
    if (append_iri(ctx, &q, icx_vocab_offers_property(v), &rc))
      goto done;
    icx_buf_appendf(&q, " ?s%zu .\n", j);
    subs = icx_vocab_subclasses(v, domains[j]);
    if (!subs) {
      rc = icx_fail(ctx, ICX_ERR_VOCAB, "domain <%s> is not a class", domains[j]);
      goto done;
    }
    if (!subs[1]) {             /* no subclasses: the class itself */
      icx_buf_appendf(&q, "  ?s%zu <" RDF_TYPE "> ", j);
      if (append_iri(ctx, &q, domains[j], &rc))
        goto done;
      icx_buf_append(&q, " .\n");
      continue;
    }
    icx_buf_appendf(&q, "  ?s%zu <" RDF_TYPE "> ?t%zu .\n", j, j);
    snprintf(tvar, sizeof tvar, "t%zu", j);
    icx_buf_append(&filters, "  FILTER (");
    if (append_in_iris(ctx, &filters, tvar, subs, &rc))
      goto done;
    icx_buf_append(&filters, ")\n");
  }

  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_constraint_attribute(set, i);
    const char *subj;
    char subjbuf[32], var[32];

    if (icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), domains[dom_of[i]])) {
      subj = "?cloud";
    } else {
      snprintf(subjbuf, sizeof subjbuf, "?s%zu", dom_of[i]);
      subj = subjbuf;
    }
    snprintf(var, sizeof var, "v%zu", i);
    icx_buf_appendf(&q, "  %s ", subj);
    if (append_iri(ctx, &q, icx_attribute_iri(a), &rc))
      goto done;
    icx_buf_appendf(&q, " ?%s .\n", var);

    icx_buf_append(&filters, "  FILTER (");
    switch (icx_attribute_type(a)) {
    case ICX_TYPE_DECIMAL:
    case ICX_TYPE_INTEGER:
      icx_buf_appendf(&filters, "?%s %s %s", var, op_of(icx_attribute_rule(a)),
                      icx_constraint_value(set, i));
      break;
    case ICX_TYPE_BOOLEAN:
      icx_buf_appendf(&filters, "?%s = %s", var, icx_constraint_value(set, i));
      break;
    case ICX_TYPE_STRING:
      icx_buf_appendf(&filters, "STR(?%s) = ", var);
      if (append_string_literal(ctx, &filters, icx_constraint_value(set, i), &rc))
        goto done;
      break;
    case ICX_TYPE_INDIVIDUAL: {
      const icx_individual *ind = icx_constraint_individual(set, i);
      if (icx_attribute_rule(a) == ICX_RULE_INCLUDES) {
        const icx_individual *const *nar = icx_individual_narrower(ind);
        size_t k;
        icx_buf_appendf(&filters, "?%s IN (", var);
        for (k = 0; nar[k]; k++) {
          if (k)
            icx_buf_append(&filters, ", ");
          if (append_iri(ctx, &filters, icx_individual_iri(nar[k]), &rc))
            goto done;
        }
        icx_buf_append(&filters, ")");
      } else {
        icx_buf_appendf(&filters, "?%s = ", var);
        if (append_iri(ctx, &filters, icx_individual_iri(ind), &rc))
          goto done;
      }
      break;
    }
    }
    icx_buf_append(&filters, ")\n");
  }
  if (filters.data)
    icx_buf_append(&q, filters.data);
  icx_buf_appendf(&q, "}\nORDER BY ?%s\n", ICX_COMPILE_NAME_VAR);
  if (icx_buf_failed(&q) || icx_buf_failed(&filters)) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  *sparql = icx_buf_take(&q);
done:
  icx_buf_free(&q);
  icx_buf_free(&filters);
  free(domains);
  free(dom_of);
  return rc;
}

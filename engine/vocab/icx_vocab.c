/* icx_vocab.c - loads a vocabulary (steps in icx_vocab_*.c), frees it, and lends its tables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

/* The .ttl files are parsed into a temporary in-memory librdf model; the
 * terms the matcher needs are copied out into arrays, and the model is
 * freed, so a loaded vocabulary holds no RDF-library state and can be read
 * by several threads. */

#ifndef ICX_ONTOLOGY_DIR
#define ICX_ONTOLOGY_DIR "/usr/local/share/icx/ontology"
#endif

icx_rc
icx_vocab_load(icx_ctx *ctx, const char *dir, icx_vocab **out)
{
  vocab_loadstate ls;
  icx_vocab *v = NULL;
  size_t i;
  int model_failed;
  icx_rc rc;
  icx_buf names;

  if (!ctx || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  if (!dir)
    dir = icx_vocab_default_dir();
  model_failed = icx_vocab_model_open(&ls, ctx);
  v = icx_calloc(ctx, 1, sizeof *v);
  if (model_failed || !v) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  v->ctx = ctx;
  v->serial = icx_vocab_next_serial();
  if ((rc = icx_vocab_parse_folder(&ls, dir)))
    goto done;
  if ((rc = icx_vocab_read_defined(&ls, v)) || (rc = icx_vocab_build_classes(&ls, v)) ||
      (rc = icx_vocab_build_individuals(&ls, v)))
    goto done;
  if ((rc = icx_vocab_build_units(&ls, v)))
    goto done;
  if ((rc = icx_vocab_build_structural(&ls, v)) || (rc = icx_vocab_build_namespaces(&ls, v)))
    goto done;
  if ((rc = icx_vocab_build_attributes(&ls, v, dir)))
    goto done;
  if ((rc = icx_vocab_check_names(ctx, v)) || (rc = icx_vocab_build_equivalences(&ls, v)))
    goto done;
  for (i = 0; i < v->n_attrs; i++)
    if ((rc = icx_vocab_build_distance(&ls, v, &v->attrs[i])))
      goto done;
  icx_buf_init(&names, ctx);
  for (i = 0; i < v->n_attrs; i++) {
    if (i)
      icx_buf_append(&names, ", ");
    icx_buf_append(&names, v->attrs[i].label);
  }
  if (!(v->attribute_names = icx_buf_take(&names))) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  icx_log(ctx, ICX_LOG_INFO, "vocab", "loaded %zu attributes, %zu individuals, %zu classes from %s",
          v->n_attrs, v->n_inds, v->n_classes, dir);
  *out = v;
  v = NULL;
done:
  icx_vocab_free(v);
  icx_vocab_model_close(&ls);
  return rc;
}

unsigned long long
icx_vocab_next_serial(void)
{
  static unsigned long long last;

  return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

unsigned long long
icx_vocab_serial(const icx_vocab *v)
{
  return v ? v->serial : 0;
}

void
icx_vocab_free(icx_vocab *v)
{
  icx_ctx *ctx = v ? v->ctx : NULL;
  size_t i;

  if (!v)
    return;
  for (i = 0; i < v->n_attrs; i++) {
    icx_attribute *a = &v->attrs[i];
    icx_free(ctx, a->iri);
    icx_free(ctx, a->label);
    icx_free(ctx, a->comment);
    icx_vocab_strv_free(ctx, a->aliases, a->n_aliases);
    icx_free(ctx, a->domain);
    icx_free(ctx, a->range);
    icx_free(ctx, a->values);
    icx_free(ctx, a->by_iri);
    icx_free(ctx, a->value_names);
    icx_free(ctx, a->place_iri);
    icx_free(ctx, a->figure_class);
    icx_free(ctx, a->zones);
    icx_free(ctx, a->figures);
    icx_free(ctx, a->zone_masks);
  }
  icx_free(ctx, v->attrs);
  for (i = 0; i < v->n_inds; i++) {
    icx_individual *ind = &v->inds[i];
    icx_free(ctx, ind->iri);
    icx_free(ctx, ind->label);
    icx_vocab_strv_free(ctx, ind->names, ind->n_names);
    icx_vocab_strv_free(ctx, ind->norms, ind->n_names);
    icx_vocab_strv_free(ctx, ind->types, ind->n_types);
    icx_vocab_strv_free(ctx, ind->broader, ind->n_broader);
    icx_free(ctx, ind->narrower);
  }
  icx_free(ctx, v->inds);
  for (i = 0; i < v->n_classes; i++) {
    icx_free(ctx, v->classes[i].iri);
    icx_vocab_strv_free(ctx, v->classes[i].supers, v->classes[i].n_supers);
    icx_free(ctx, v->classes[i].subs);
  }
  icx_free(ctx, v->classes);
  for (i = 0; i < v->n_units; i++) {
    icx_free(ctx, v->units[i].iri);
    icx_free(ctx, v->units[i].label);
    icx_vocab_strv_free(ctx, v->units[i].names, v->units[i].n_names);
    icx_free(ctx, v->units[i].kind);
    icx_free(ctx, v->units[i].peers);
  }
  icx_free(ctx, v->units);
  for (i = 0; i < v->n_equivs; i++) {
    icx_free(ctx, v->equivs[i].outer);
    icx_free(ctx, v->equivs[i].inner);
  }
  icx_free(ctx, v->equivs);
  icx_vocab_strv_free(ctx, v->namespaces, v->n_namespaces);
  icx_vocab_strv_free(ctx, v->defined, v->n_defined);
  icx_free(ctx, v->cloud_class);
  icx_free(ctx, v->offers);
  icx_free(ctx, v->name_prop);
  icx_free(ctx, v->attribute_names);
  icx_free(ctx, v);
}

icx_ctx *
icx_vocab_ctx(const icx_vocab *v)
{
  return v ? v->ctx : NULL;
}

const char *
icx_vocab_default_dir(void)
{
  const char *env = getenv("ICX_ONTOLOGY");

  return env && *env ? env : ICX_ONTOLOGY_DIR;
}

size_t icx_vocab_attribute_count(const icx_vocab *v) { return v->n_attrs; }

const icx_attribute *
icx_vocab_attribute(const icx_vocab *v, size_t i)
{
  return i < v->n_attrs ? &v->attrs[i] : NULL;
}

const icx_attribute *
icx_vocab_find_attribute(const icx_vocab *v, const char *name)
{
  char want[1100], have[1100];
  size_t i, k;

  if (!name || icx_norm_name(name, want, sizeof want))
    return NULL;
  for (i = 0; i < v->n_attrs; i++) {
    const icx_attribute *a = &v->attrs[i];
    if (strcmp(a->iri, name) == 0)
      return a;
    if (!icx_norm_name(a->label, have, sizeof have) && strcmp(want, have) == 0)
      return a;
    for (k = 0; k < a->n_aliases; k++)
      if (!icx_norm_name(a->aliases[k], have, sizeof have) && strcmp(want, have) == 0)
        return a;
  }
  /* A property of another vocabulary declared equivalent to an attribute. */
  {
    const char *inner = icx_vocab_equivalent_property(v, name);
    return inner ? icx_vocab_attr_by_iri(v, inner) : NULL;
  }
}

const char *icx_vocab_attribute_names(const icx_vocab *v) { return v->attribute_names; }

const icx_attribute *icx_attribute_place(const icx_attribute *a) { return a->place; }

const char *icx_vocab_cloud_class(const icx_vocab *v) { return v->cloud_class; }
const char *icx_vocab_offers_property(const icx_vocab *v) { return v->offers; }
const char *icx_vocab_name_property(const icx_vocab *v) { return v->name_prop; }
size_t icx_vocab_namespace_count(const icx_vocab *v) { return v->n_namespaces; }

const char *
icx_vocab_namespace(const icx_vocab *v, size_t i)
{
  return i < v->n_namespaces ? v->namespaces[i] : NULL;
}

int
icx_vocab_in_namespace(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_namespaces; i++)
    if (strncmp(iri, v->namespaces[i], strlen(v->namespaces[i])) == 0)
      return 1;
  return 0;
}

int
icx_vocab_defines(const icx_vocab *v, const char *iri)
{
  return v->n_defined &&
         bsearch(&iri, v->defined, v->n_defined, sizeof *v->defined, icx_cmp_strp) != NULL;
}

int
icx_vocab_class_subsumes(const icx_vocab *v, const char *class_iri, const char *sub_iri)
{
  return icx_vocab_class_reaches(v, sub_iri, class_iri, 0);
}

const char *const *
icx_vocab_subclasses(const icx_vocab *v, const char *class_iri)
{
  vocab_class *c = icx_vocab_find_class(v, class_iri);

  return c ? c->subs : NULL;
}

const char *icx_attribute_iri(const icx_attribute *a) { return a->iri; }
const char *icx_attribute_label(const icx_attribute *a) { return a->label; }
const char *icx_attribute_comment(const icx_attribute *a) { return a->comment; }
size_t icx_attribute_alias_count(const icx_attribute *a) { return a->n_aliases; }

const char *
icx_attribute_alias(const icx_attribute *a, size_t i)
{
  return i < a->n_aliases ? a->aliases[i] : NULL;
}

icx_datatype icx_attribute_type(const icx_attribute *a) { return a->type; }
icx_rule icx_attribute_rule(const icx_attribute *a) { return a->rule; }
const char *icx_attribute_domain(const icx_attribute *a) { return a->domain; }
const char *icx_attribute_range(const icx_attribute *a) { return a->range; }
size_t icx_attribute_value_count(const icx_attribute *a) { return a->n_values; }

const icx_individual *
icx_attribute_value(const icx_attribute *a, size_t i)
{
  return i < a->n_values ? a->values[i] : NULL;
}

const icx_individual *
icx_attribute_find_value(const icx_attribute *a, const char *name)
{
  char want[1100];
  size_t i, k, at;

  if (!name)
    return NULL;
  if ((at = icx_vocab_value_index(a, name)) != (size_t)-1)   /* what documents use */
    return a->by_iri[at];
  if (icx_norm_name(name, want, sizeof want) || !*want)
    return NULL;
  for (i = 0; i < a->n_values; i++) {
    const icx_individual *ind = a->values[i];
    for (k = 0; k < ind->n_names; k++)
      if (!strcmp(want, ind->norms[k]))
        return ind;
  }
  return NULL;
}

const char *icx_attribute_value_names(const icx_attribute *a) { return a->value_names; }
const char *icx_individual_iri(const icx_individual *ind) { return ind->iri; }
const char *icx_individual_label(const icx_individual *ind) { return ind->label; }

const icx_individual *const *
icx_individual_narrower(const icx_individual *ind)
{
  return ind->narrower;
}

const char *
icx_datatype_name(icx_datatype t)
{
  switch (t) {
  case ICX_TYPE_DECIMAL: return "decimal";
  case ICX_TYPE_INTEGER: return "integer";
  case ICX_TYPE_BOOLEAN: return "boolean";
  case ICX_TYPE_STRING: return "string";
  case ICX_TYPE_INDIVIDUAL: return "individual";
  }
  return "unknown";
}

const char *
icx_rule_name(icx_rule r)
{
  switch (r) {
  case ICX_RULE_AT_LEAST: return "at least";
  case ICX_RULE_AT_MOST: return "at most";
  case ICX_RULE_EQUALS: return "equals";
  case ICX_RULE_INCLUDES: return "includes";
  }
  return "unknown";
}

const icx_unit *icx_attribute_unit(const icx_attribute *a) { return a->unit; }
const char *icx_unit_iri(const icx_unit *u) { return u->iri; }
const char *icx_unit_label(const icx_unit *u) { return u->label; }
const char *icx_unit_kind(const icx_unit *u) { return u->kind; }
double icx_unit_factor(const icx_unit *u) { return u->factor; }
const char *icx_unit_peers(const icx_unit *u) { return u->peers; }

/* --- lookups the loading steps share ------------------------------------------------ */

/* The index in a->by_iri of the value whose IRI is iri, or (size_t)-1. */
size_t
icx_vocab_value_index(const icx_attribute *a, const char *iri)
{
  size_t lo = 0, hi = a->n_values;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(a->by_iri[mid]->iri, iri);
    if (c == 0)
      return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return (size_t)-1;
}

/* The attribute whose IRI is iri, or NULL. */
icx_attribute *
icx_vocab_attr_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_attrs; i++)
    if (!strcmp(v->attrs[i].iri, iri))
      return &v->attrs[i];
  return NULL;
}

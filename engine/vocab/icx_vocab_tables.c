/* icx_vocab_tables.c - the tables of classes, individuals, structural terms and attributes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

/* --- classes and individuals, with their closures ------------------------------ */

vocab_class *
icx_vocab_find_class(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_classes; i++)
    if (strcmp(v->classes[i].iri, iri) == 0)
      return &v->classes[i];
  return NULL;
}

/* 1 if sub reaches sup through rdfs:subClassOf (or is it). */
int
icx_vocab_class_reaches(const icx_vocab *v, const char *sub, const char *sup, int depth)
{
  vocab_class *c;
  size_t i;

  if (strcmp(sub, sup) == 0)
    return 1;
  if (depth > 64 || !(c = icx_vocab_find_class(v, sub)))
    return 0;
  for (i = 0; i < c->n_supers; i++)
    if (icx_vocab_class_reaches(v, c->supers[i], sup, depth + 1))
      return 1;
  return 0;
}

icx_rc
icx_vocab_build_classes(vocab_loadstate *ls, icx_vocab *v)
{
  icx_ctx *ctx = ls->ctx;
  char **owl = NULL, **rdfs = NULL, **all = NULL;
  size_t n_owl = 0, n_rdfs = 0, n_all = 0, i, j;
  icx_rc rc = ICX_ERR_NOMEM;

  if (icx_vocab_subjects_of_type(ls, NS_OWL "Class", &owl, &n_owl) ||
      icx_vocab_subjects_of_type(ls, NS_RDFS "Class", &rdfs, &n_rdfs))
    goto done;
  for (i = 0; i < n_owl; i++)
    if (icx_vocab_strv_add_unique(ctx, &all, &n_all, owl[i]))
      goto done;
  for (i = 0; i < n_rdfs; i++)
    if (icx_vocab_strv_add_unique(ctx, &all, &n_all, rdfs[i]))
      goto done;
  v->classes = icx_calloc(ctx, n_all ? n_all : 1, sizeof *v->classes);
  if (!v->classes)
    goto done;
  for (i = 0; i < n_all; i++) {
    v->classes[i].iri = all[i];
    all[i] = NULL;
    v->n_classes++;
    if (icx_vocab_objects(ls, v->classes[i].iri, NS_RDFS "subClassOf", 1,
                          &v->classes[i].supers, &v->classes[i].n_supers))
      goto done;
  }
  for (i = 0; i < v->n_classes; i++) {
    size_t k = 0;
    v->classes[i].subs = icx_calloc(ctx, v->n_classes + 1, sizeof(char *));
    if (!v->classes[i].subs)
      goto done;
    v->classes[i].subs[k++] = v->classes[i].iri;
    for (j = 0; j < v->n_classes; j++)
      if (j != i && icx_vocab_class_reaches(v, v->classes[j].iri, v->classes[i].iri, 0))
        v->classes[i].subs[k++] = v->classes[j].iri;
  }
  rc = ICX_OK;
done:
  icx_vocab_strv_free(ctx, owl, n_owl);
  icx_vocab_strv_free(ctx, rdfs, n_rdfs);
  icx_vocab_strv_free(ctx, all, n_all);
  if (rc)
    icx_fail(ls->ctx, rc, "out of memory");
  return rc;
}

static int
vocab_cmp_ind_label(const void *a, const void *b)
{
  const icx_individual *x = *(const icx_individual *const *)a;
  const icx_individual *y = *(const icx_individual *const *)b;
  int c = strcmp(x->label, y->label);

  return c ? c : strcmp(x->iri, y->iri);
}

/* Individuals are kept sorted by IRI (built from a sorted list). */
static int
vocab_cmp_ind_iri(const void *a, const void *b)
{
  return strcmp((*(const icx_individual *const *)a)->iri, (*(const icx_individual *const *)b)->iri);
}

static icx_individual *
vocab_find_individual(const icx_vocab *v, const char *iri)
{
  size_t lo = 0, hi = v->n_inds;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(v->inds[mid].iri, iri);
    if (c == 0)
      return &v->inds[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* Adds ind and everything narrower (children first found through the
 * broader links of others) to out, once each; seen marks by index. */
static void
vocab_collect_narrower(const icx_vocab *v, const size_t *child_start, const size_t *children,
                       size_t at, unsigned char *seen, const icx_individual **out, size_t *k)
{
  size_t c;

  if (seen[at])
    return;
  seen[at] = 1;
  out[(*k)++] = &v->inds[at];
  for (c = child_start[at]; c < child_start[at + 1]; c++)
    vocab_collect_narrower(v, child_start, children, children[c], seen, out, k);
}

/* The narrower closure of every individual, through the reverse of
 * skos:broader (children lists), depth first; cycles are cut by marks. */
static int
vocab_build_narrower(icx_vocab *v)
{
  icx_ctx *ctx = v->ctx;
  size_t n = v->n_inds, i, b, e = 0;
  size_t *child_start = icx_calloc(ctx, n + 2, sizeof *child_start);
  size_t *fill = icx_calloc(ctx, n + 1, sizeof *fill);
  size_t *children = NULL;
  unsigned char *seen = icx_calloc(ctx, n + 1, 1);
  const icx_individual **tmp = icx_calloc(ctx, n + 1, sizeof *tmp);
  int rc = -1;

  if (!child_start || !fill || !seen || !tmp)
    goto done;
  for (i = 0; i < n; i++)
    for (b = 0; b < v->inds[i].n_broader; b++) {
      icx_individual *p = vocab_find_individual(v, v->inds[i].broader[b]);
      if (p)
        child_start[(size_t)(p - v->inds) + 1]++;
      e++;
    }
  for (i = 0; i < n; i++)
    child_start[i + 1] += child_start[i];
  children = icx_calloc(ctx, e + 1, sizeof *children);
  if (!children)
    goto done;
  for (i = 0; i < n; i++)
    for (b = 0; b < v->inds[i].n_broader; b++) {
      icx_individual *p = vocab_find_individual(v, v->inds[i].broader[b]);
      if (p) {
        size_t pi = (size_t)(p - v->inds);
        children[child_start[pi] + fill[pi]++] = i;
      }
    }
  for (i = 0; i < n; i++) {
    size_t k = 0;
    memset(seen, 0, n);
    vocab_collect_narrower(v, child_start, children, i, seen, tmp, &k);
    v->inds[i].narrower = icx_calloc(ctx, k + 1, sizeof *v->inds[i].narrower);
    if (!v->inds[i].narrower)
      goto done;
    memcpy(v->inds[i].narrower, tmp, k * sizeof *tmp);
  }
  rc = 0;
done:
  icx_free(ctx, child_start);
  icx_free(ctx, fill);
  icx_free(ctx, children);
  icx_free(ctx, seen);
  icx_free(ctx, tmp);
  return rc;
}

/* Individuals: everything typed with a class the vocabulary defines, other
 * than the classes and properties themselves. */
icx_rc
icx_vocab_build_individuals(vocab_loadstate *ls, icx_vocab *v)
{
  icx_ctx *ctx = ls->ctx;
  char **subj = NULL;
  size_t n_subj = 0, i, j;
  static const char *const name_preds[] = {
    NS_RDFS "label", NS_SKOS "notation", ICX_MATCH_NS "alias", NS_SKOS "altLabel", NULL
  };

  for (i = 0; i < v->n_classes; i++) {
    char **members;
    size_t n_members;
    if (icx_vocab_subjects_of_type(ls, v->classes[i].iri, &members, &n_members))
      goto oom;
    for (j = 0; j < n_members; j++)
      if (!icx_vocab_find_class(v, members[j]) &&
          icx_vocab_strv_add_unique(ctx, &subj, &n_subj, members[j])) {
        icx_vocab_strv_free(ctx, members, n_members);
        goto oom;
      }
    icx_vocab_strv_free(ctx, members, n_members);
  }
  if (n_subj > 1)
    qsort(subj, n_subj, sizeof *subj, icx_cmp_strp);
  v->inds = icx_calloc(ctx, n_subj ? n_subj : 1, sizeof *v->inds);
  if (!v->inds)
    goto oom;
  for (i = 0; i < n_subj; i++) {
    icx_individual *ind = &v->inds[i];
    int oom = 0;
    size_t p;

    ind->iri = subj[i];
    subj[i] = NULL;
    v->n_inds++;
    ind->label = icx_vocab_one_object(ls, ind->iri, NS_RDFS "label", 2, &oom);
    if (oom)
      goto oom;
    if (!ind->label) {
      const char *tail = strrchr(ind->iri, '#');
      if (!tail)
        tail = strrchr(ind->iri, '/');
      ind->label = icx_strdup(ctx, tail && tail[1] ? tail + 1 : ind->iri);
      if (!ind->label)
        goto oom;
    }
    for (p = 0; name_preds[p]; p++) {
      char **names;
      size_t n_names, k;
      if (icx_vocab_objects(ls, ind->iri, name_preds[p], 2, &names, &n_names))
        goto oom;
      for (k = 0; k < n_names; k++)
        if (icx_vocab_strv_add_unique(ctx, &ind->names, &ind->n_names, names[k])) {
          icx_vocab_strv_free(ctx, names, n_names);
          goto oom;
        }
      icx_vocab_strv_free(ctx, names, n_names);
    }
    if (icx_vocab_objects(ls, ind->iri, NS_RDF "type", 1, &ind->types, &ind->n_types) ||
        icx_vocab_objects(ls, ind->iri, NS_SKOS "broader", 1, &ind->broader, &ind->n_broader))
      goto oom;
    ind->norms = icx_calloc(ctx, ind->n_names + 1, sizeof *ind->norms);
    if (!ind->norms)
      goto oom;
    for (p = 0; p < ind->n_names; p++) {
      char norm[1100];
      if (icx_norm_name(ind->names[p], norm, sizeof norm))
        norm[0] = '\0';       /* too long to be asked for */
      if (!(ind->norms[p] = icx_strdup(ctx, norm)))
        goto oom;
    }
  }
  if (vocab_build_narrower(v))
    goto oom;
  icx_vocab_strv_free(ctx, subj, n_subj);
  return ICX_OK;
oom:
  icx_vocab_strv_free(ctx, subj, n_subj);
  return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
}

/* --- structural terms and namespaces -------------------------------------------- */

static icx_rc
vocab_find_structural(vocab_loadstate *ls, const char *type_local, char **out)
{
  icx_ctx *ctx = ls->ctx;
  char **v;
  size_t n;
  icx_buf t;
  icx_rc rc = ICX_OK;

  icx_buf_init(&t, ctx);
  icx_buf_appendf(&t, "%s%s", ICX_MATCH_NS, type_local);
  if (icx_buf_failed(&t) || icx_vocab_subjects_of_type(ls, t.data, &v, &n)) {
    icx_buf_free(&t);
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  icx_buf_free(&t);
  if (n != 1) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                  "the vocabulary must declare exactly one icxm:%s (found %zu)", type_local, n);
    icx_vocab_strv_free(ctx, v, n);
    return rc;
  }
  *out = v[0];
  icx_free(ctx, v);
  return ICX_OK;
}

icx_rc
icx_vocab_build_structural(vocab_loadstate *ls, icx_vocab *v)
{
  icx_rc rc;

  if ((rc = vocab_find_structural(ls, "CloudClass", &v->cloud_class)) ||
      (rc = vocab_find_structural(ls, "OffersProperty", &v->offers)) ||
      (rc = vocab_find_structural(ls, "NameProperty", &v->name_prop)))
    return rc;
  if (!icx_vocab_find_class(v, v->cloud_class))
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "icxm:CloudClass <%s> is not an owl:Class",
                    v->cloud_class);
  return ICX_OK;
}

icx_rc
icx_vocab_build_namespaces(vocab_loadstate *ls, icx_vocab *v)
{
  icx_ctx *ctx = ls->ctx;
  char **ns_lits;
  size_t n_ns;
  char **onts;
  size_t n_onts, k;

  if (icx_vocab_subjects_of_type(ls, NS_OWL "Ontology", &onts, &n_onts))
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  for (k = 0; k < n_onts; k++) {
    size_t m;
    if (icx_vocab_objects(ls, onts[k], NS_VANN "preferredNamespaceUri", 0, &ns_lits, &n_ns)) {
      icx_vocab_strv_free(ctx, onts, n_onts);
      return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    }
    for (m = 0; m < n_ns; m++)
      if (icx_vocab_strv_add_unique(ctx, &v->namespaces, &v->n_namespaces, ns_lits[m])) {
        icx_vocab_strv_free(ctx, ns_lits, n_ns);
        icx_vocab_strv_free(ctx, onts, n_onts);
        return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      }
    icx_vocab_strv_free(ctx, ns_lits, n_ns);
  }
  icx_vocab_strv_free(ctx, onts, n_onts);
  return ICX_OK;
}

/* --- attributes -------------------------------------------------------------------- */

static int
vocab_datatype_of(const char *iri, icx_datatype *t)
{
  static const struct { const char *local; icx_datatype t; } map[] = {
    { "decimal", ICX_TYPE_DECIMAL }, { "double", ICX_TYPE_DECIMAL },
    { "float", ICX_TYPE_DECIMAL }, { "integer", ICX_TYPE_INTEGER },
    { "int", ICX_TYPE_INTEGER }, { "long", ICX_TYPE_INTEGER },
    { "short", ICX_TYPE_INTEGER }, { "nonNegativeInteger", ICX_TYPE_INTEGER },
    { "positiveInteger", ICX_TYPE_INTEGER }, { "unsignedInt", ICX_TYPE_INTEGER },
    { "unsignedLong", ICX_TYPE_INTEGER }, { "boolean", ICX_TYPE_BOOLEAN },
    { "string", ICX_TYPE_STRING },
  };
  size_t i, n = strlen(NS_XSD);

  if (strncmp(iri, NS_XSD, n) != 0)
    return -1;
  for (i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(iri + n, map[i].local) == 0) {
      *t = map[i].t;
      return 0;
    }
  return -1;
}

static int
vocab_rule_of(const char *iri, icx_rule *r)
{
  static const struct { const char *local; icx_rule r; } map[] = {
    { "atLeast", ICX_RULE_AT_LEAST }, { "atMost", ICX_RULE_AT_MOST },
    { "equals", ICX_RULE_EQUALS }, { "includes", ICX_RULE_INCLUDES },
  };
  size_t i, n = strlen(ICX_MATCH_NS);

  if (strncmp(iri, ICX_MATCH_NS, n) != 0)
    return -1;
  for (i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(iri + n, map[i].local) == 0) {
      *r = map[i].r;
      return 0;
    }
  return -1;
}

static int
vocab_ind_has_type_under(const icx_vocab *v, const icx_individual *ind, const char *cls)
{
  size_t i;

  for (i = 0; i < ind->n_types; i++)
    if (icx_vocab_class_reaches(v, ind->types[i], cls, 0))
      return 1;
  return 0;
}

/* Comma-separated labels; NULL on ENOMEM. */
static char *
vocab_join_labels(icx_ctx *ctx, const icx_individual *const *v, size_t n)
{
  icx_buf b;
  size_t i;

  icx_buf_init(&b, ctx);
  for (i = 0; i < n; i++) {
    if (i)
      icx_buf_append(&b, "; ");
    icx_buf_append(&b, v[i]->label);
  }
  return icx_buf_take(&b);
}

static icx_rc
vocab_build_attribute(vocab_loadstate *ls, icx_vocab *v, icx_attribute *a)
{
  icx_ctx *ctx = ls->ctx;
  int oom = 0;
  char *rule_iri = NULL;
  size_t i;
  icx_rc rc = ICX_OK;

  a->label = icx_vocab_one_object(ls, a->iri, NS_RDFS "label", 2, &oom);
  a->comment = icx_vocab_one_object(ls, a->iri, NS_RDFS "comment", 2, &oom);
  a->domain = icx_vocab_one_object(ls, a->iri, NS_RDFS "domain", 1, &oom);
  a->range = icx_vocab_one_object(ls, a->iri, NS_RDFS "range", 1, &oom);
  rule_iri = icx_vocab_one_object(ls, a->iri, ICX_MATCH_NS "rule", 1, &oom);
  a->place_iri = icx_vocab_one_object(ls, a->iri, ICX_MATCH_NS "placeAttribute", 1, &oom);
  a->figure_class = icx_vocab_one_object(ls, a->iri, ICX_MATCH_NS "figureClass", 1, &oom);
  if (oom || icx_vocab_objects(ls, a->iri, ICX_MATCH_NS "alias", 2, &a->aliases, &a->n_aliases)) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (!a->comment && !(a->comment = icx_strdup(ctx, ""))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (!a->label) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute <%s> has no rdfs:label", a->iri);
    goto done;
  }
  if (!a->domain || !icx_vocab_find_class(v, a->domain)) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                  "attribute %s: rdfs:domain %s%s%s is not a class of the vocabulary",
                  a->label, a->domain ? "<" : "(missing)", a->domain ? a->domain : "",
                  a->domain ? ">" : "");
    goto done;
  }
  if (!a->range) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s has no rdfs:range", a->label);
    goto done;
  }
  if (vocab_datatype_of(a->range, &a->type) != 0) {
    if (!icx_vocab_find_class(v, a->range)) {
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                    "attribute %s: rdfs:range <%s> is neither a supported XSD datatype "
                    "nor a class of the vocabulary", a->label, a->range);
      goto done;
    }
    a->type = ICX_TYPE_INDIVIDUAL;
  }
  if (!rule_iri || vocab_rule_of(rule_iri, &a->rule) != 0) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                  "attribute %s: icxm:rule must be one of icxm:atLeast, icxm:atMost, "
                  "icxm:equals, icxm:includes", a->label);
    goto done;
  }
  if ((a->rule == ICX_RULE_AT_LEAST || a->rule == ICX_RULE_AT_MOST) &&
      a->type != ICX_TYPE_DECIMAL && a->type != ICX_TYPE_INTEGER) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: rule %s needs a numeric range",
                  a->label, icx_rule_name(a->rule));
    goto done;
  }
  if (a->rule == ICX_RULE_INCLUDES && a->type != ICX_TYPE_INDIVIDUAL) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                  "attribute %s: rule includes needs a class as range", a->label);
    goto done;
  }
  if (a->type == ICX_TYPE_INDIVIDUAL) {
    a->values = icx_calloc(ctx, v->n_inds ? v->n_inds : 1, sizeof *a->values);
    if (!a->values) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (i = 0; i < v->n_inds; i++)
      if (vocab_ind_has_type_under(v, &v->inds[i], a->range))
        a->values[a->n_values++] = &v->inds[i];
    if (a->n_values > 1)
      qsort(a->values, a->n_values, sizeof *a->values, vocab_cmp_ind_label);
    a->by_iri = icx_calloc(ctx, a->n_values + 1, sizeof *a->by_iri);
    if (!a->by_iri) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    memcpy(a->by_iri, a->values, a->n_values * sizeof *a->values);
    if (a->n_values > 1)
      qsort(a->by_iri, a->n_values, sizeof *a->by_iri, vocab_cmp_ind_iri);
  }
  {
    char *unit = icx_vocab_one_object(ls, a->iri, ICX_MATCH_NS "unit", 1, &oom);
    if (oom) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    if (unit) {
      a->unit = icx_vocab_unit_by_iri(v, unit);
      if (!a->unit || (a->type != ICX_TYPE_DECIMAL && a->type != ICX_TYPE_INTEGER)) {
        rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: icxm:unit <%s> %s", a->label, unit,
                      a->unit ? "needs a numeric range" : "is not an icxm:Unit");
        icx_free(ctx, unit);
        goto done;
      }
      icx_free(ctx, unit);
    }
  }
  a->value_names = vocab_join_labels(ls->ctx, a->values, a->n_values);
  if (!a->value_names)
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
done:
  icx_free(ctx, rule_iri);
  return rc;
}

typedef struct vocab_named {
  const char *norm;
  const char *shown;
  const icx_individual *ind;
} vocab_named;

static int
vocab_cmp_named(const void *a, const void *b)
{
  return strcmp(((const vocab_named *)a)->norm, ((const vocab_named *)b)->norm);
}

/* Two values of a that share a name: sorting every (name, value) pair puts
 * clashes side by side.  Returns 0, or -1 with the message set. */
static int
vocab_check_value_names(icx_ctx *ctx, const icx_attribute *a)
{
  size_t n = 0, i, k;
  vocab_named *all;
  int rc = 0;

  for (i = 0; i < a->n_values; i++)
    n += a->values[i]->n_names;
  all = icx_calloc(ctx, n + 1, sizeof *all);
  if (!all) {
    icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    return -1;
  }
  n = 0;
  for (i = 0; i < a->n_values; i++)
    for (k = 0; k < a->values[i]->n_names; k++) {
      all[n].norm = a->values[i]->norms[k];
      all[n].shown = a->values[i]->names[k];
      all[n].ind = a->values[i];
      n++;
    }
  qsort(all, n, sizeof *all, vocab_cmp_named);
  for (i = 1; i < n && !rc; i++)
    if (*all[i].norm && !strcmp(all[i].norm, all[i - 1].norm) && all[i].ind != all[i - 1].ind) {
      icx_fail(ctx, ICX_ERR_VOCAB, "values <%s> and <%s> of attribute %s share the name \"%s\"",
               all[i - 1].ind->iri, all[i].ind->iri, a->label, all[i].shown);
      rc = -1;
    }
  icx_free(ctx, all);
  return rc;
}

/* Two things a requester can name the same way would make a request
 * ambiguous: refuse such a vocabulary. */
icx_rc
icx_vocab_check_names(icx_ctx *ctx, const icx_vocab *v)
{
  size_t i, j, k, l;

  for (i = 0; i < v->n_attrs; i++) {
    const icx_attribute *a = &v->attrs[i];
    for (j = i + 1; j < v->n_attrs; j++) {
      const icx_attribute *b = &v->attrs[j];
      if (icx_name_eq(a->label, b->label))
        return icx_fail(ctx, ICX_ERR_VOCAB, "attributes <%s> and <%s> share the name \"%s\"",
                        a->iri, b->iri, a->label);
      for (k = 0; k < b->n_aliases; k++)
        if (icx_name_eq(a->label, b->aliases[k]))
          return icx_fail(ctx, ICX_ERR_VOCAB, "attributes <%s> and <%s> share the name \"%s\"",
                          a->iri, b->iri, a->label);
      for (k = 0; k < a->n_aliases; k++) {
        if (icx_name_eq(a->aliases[k], b->label))
          return icx_fail(ctx, ICX_ERR_VOCAB, "attributes <%s> and <%s> share the name \"%s\"",
                          a->iri, b->iri, a->aliases[k]);
        for (l = 0; l < b->n_aliases; l++)
          if (icx_name_eq(a->aliases[k], b->aliases[l]))
            return icx_fail(ctx, ICX_ERR_VOCAB,
                            "attributes <%s> and <%s> share the name \"%s\"",
                            a->iri, b->iri, a->aliases[k]);
      }
    }
    if (vocab_check_value_names(ctx, a))
      return ICX_ERR_VOCAB;
  }
  return ICX_OK;
}

icx_rc
icx_vocab_build_attributes(vocab_loadstate *ls, icx_vocab *v, const char *dir)
{
  icx_ctx *ctx = ls->ctx;
  char **attr_iris = NULL;
  size_t n_attr_iris = 0, i;
  icx_rc rc = ICX_OK;

  if (icx_vocab_subjects_of_type(ls, ICX_MATCH_NS "Attribute", &attr_iris, &n_attr_iris))
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  if (n_attr_iris == 0) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "the vocabulary in %s declares no icxm:Attribute", dir);
    goto done;
  }
  v->attrs = icx_calloc(ctx, n_attr_iris, sizeof *v->attrs);
  if (!v->attrs) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < n_attr_iris; i++) {
    v->attrs[i].iri = attr_iris[i];
    attr_iris[i] = NULL;
    v->n_attrs++;
    if ((rc = vocab_build_attribute(ls, v, &v->attrs[i])))
      goto done;
  }
done:
  icx_vocab_strv_free(ctx, attr_iris, n_attr_iris);
  return rc;
}

/* icx_vocab.c - reads the ontology folder into plain C tables.
 *
 * The .ttl files are parsed into a temporary in-memory librdf model; the
 * terms the matcher needs are copied out into arrays, and the model is
 * freed, so a loaded vocabulary holds no RDF-library state and can be read
 * by several threads.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_util.h"
#include "icx_vocab.h"

#ifndef ICX_ONTOLOGY_DIR
#define ICX_ONTOLOGY_DIR "/usr/local/share/icx/ontology"
#endif

#define NS_RDF  "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define NS_OWL  "http://www.w3.org/2002/07/owl#"
#define NS_XSD  "http://www.w3.org/2001/XMLSchema#"
#define NS_SKOS "http://www.w3.org/2004/02/skos/core#"
#define NS_VANN "http://purl.org/vocab/vann/"

struct icx_individual {
  char *iri;
  char *label;
  char **names;            /* label(s), notations, aliases */
  char **norms;            /* the same, in comparison form (icx_norm_name) */
  size_t n_names;
  char **types;            /* rdf:type IRIs */
  size_t n_types;
  char **broader;          /* skos:broader IRIs */
  size_t n_broader;
  const icx_individual **narrower;  /* NULL-ended, self first */
};

struct icx_attribute {
  char *iri;
  char *label;
  char *comment;
  char **aliases;
  size_t n_aliases;
  icx_datatype type;
  icx_rule rule;
  char *domain;
  char *range;
  const icx_individual **values;    /* sorted by label */
  const icx_individual **by_iri;    /* the same, sorted by IRI */
  size_t n_values;
  const icx_unit *unit;
  char *value_names;
  /* A distance attribute (icxm:placeAttribute): worked out from where the
   * place attribute puts a service and a table of figures between zones. */
  char *place_iri, *figure_class;   /* as read */
  const icx_attribute *place;
  const icx_individual **zones;
  size_t n_zones;                   /* at most 64 */
  double *figures;                  /* n_zones x n_zones; NAN: no figure */
  uint64_t *zone_masks;             /* per value of place, in its by_iri
                                       order: the zones it counts by */
};

struct icx_unit {
  char *iri;
  char *label;
  char **names;
  size_t n_names;
  char *kind;              /* NULL until resolved */
  double factor;
  char *peers;
  int resolving;           /* cycle guard */
};

static icx_unit *unit_by_iri(const icx_vocab *v, const char *iri);

/* An equivalence read from owl:equivalentProperty / owl:equivalentClass:
 * a term of another vocabulary (outer) that means a term of this one. */
typedef struct vequiv {
  char *outer;
  char *inner;             /* the vocabulary's own term */
  int is_class;
} vequiv;

typedef struct vclass {
  char *iri;
  char **supers;           /* direct rdfs:subClassOf */
  size_t n_supers;
  const char **subs;       /* NULL-ended closure, self included */
} vclass;

struct icx_vocab {
  icx_attribute *attrs;
  size_t n_attrs;
  icx_individual *inds;
  size_t n_inds;
  vclass *classes;
  size_t n_classes;
  char **namespaces;
  size_t n_namespaces;
  char **defined;          /* sorted subject IRIs */
  size_t n_defined;
  char *cloud_class;
  char *offers;
  char *name_prop;
  char *attribute_names;
  icx_unit *units;
  size_t n_units;
  vequiv *equivs;          /* sorted by outer IRI */
  size_t n_equivs;
};

/* --- small helpers over the temporary model ------------------------------ */

typedef struct loadstate {
  icx_ctx *ctx;
  librdf_world *world;
  librdf_model *model;
} loadstate;

static void
free_strv(char **v, size_t n)
{
  size_t i;

  if (!v)
    return;
  for (i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static char *
node_string(librdf_node *node)
{
  if (!node)
    return NULL;
  if (librdf_node_is_resource(node))
    return icx_strdup((const char *)librdf_uri_as_string(librdf_node_get_uri(node)));
  if (librdf_node_is_literal(node))
    return icx_strdup((const char *)librdf_node_get_literal_value(node));
  return icx_strdup((const char *)librdf_node_get_blank_identifier(node));
}

/* Every object of (subject, predicate), as new strings, sorted.  Returns 0,
 * or -1 when out of memory.  want: 1 IRIs only, 2 literals only, 0 both. */
static int
objects(loadstate *ls, const char *subject, const char *predicate, int want,
        char ***out, size_t *n)
{
  librdf_node *s, *p;
  librdf_iterator *it;
  char **v = NULL;
  size_t cnt = 0;
  int rc = 0;

  *out = NULL;
  *n = 0;
  s = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)subject);
  p = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)predicate);
  if (!s || !p) {
    rc = -1;
    goto done;
  }
  it = librdf_model_get_targets(ls->model, s, p);
  if (!it) {
    rc = -1;
    goto done;
  }
  for (; !librdf_iterator_end(it); librdf_iterator_next(it)) {
    librdf_node *o = librdf_iterator_get_object(it);
    char **nv;
    if (!o)
      continue;
    if ((want == 1 && !librdf_node_is_resource(o)) || (want == 2 && !librdf_node_is_literal(o)))
      continue;
    nv = realloc(v, (cnt + 1) * sizeof *v);
    if (!nv) {
      rc = -1;
      break;
    }
    v = nv;
    v[cnt] = node_string(o);
    if (!v[cnt]) {
      rc = -1;
      break;
    }
    cnt++;
  }
  librdf_free_iterator(it);
  if (rc) {
    free_strv(v, cnt);
    goto done;
  }
  if (cnt > 1)
    qsort(v, cnt, sizeof *v, icx_cmp_strp);
  *out = v;
  *n = cnt;
done:
  if (s)
    librdf_free_node(s);
  if (p)
    librdf_free_node(p);
  return rc;
}

/* The first (in sort order) object, or NULL; *oom set on ENOMEM. */
static char *
one_object(loadstate *ls, const char *subject, const char *predicate, int want, int *oom)
{
  char **v;
  size_t n, i;
  char *first;

  if (objects(ls, subject, predicate, want, &v, &n)) {
    *oom = 1;
    return NULL;
  }
  if (n == 0)
    return NULL;
  first = v[0];
  for (i = 1; i < n; i++)
    free(v[i]);
  free(v);
  return first;
}

/* Subjects that have (rdf:type, type_iri), sorted, as new strings. */
static int
subjects_of_type(loadstate *ls, const char *type_iri, char ***out, size_t *n)
{
  librdf_node *p, *o;
  librdf_iterator *it;
  char **v = NULL;
  size_t cnt = 0;
  int rc = 0;

  *out = NULL;
  *n = 0;
  p = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)(NS_RDF "type"));
  o = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)type_iri);
  if (!p || !o) {
    rc = -1;
    goto done;
  }
  it = librdf_model_get_sources(ls->model, p, o);
  if (!it) {
    rc = -1;
    goto done;
  }
  for (; !librdf_iterator_end(it); librdf_iterator_next(it)) {
    librdf_node *s = librdf_iterator_get_object(it);
    char **nv;
    if (!s || !librdf_node_is_resource(s))
      continue;
    nv = realloc(v, (cnt + 1) * sizeof *v);
    if (!nv) {
      rc = -1;
      break;
    }
    v = nv;
    if (!(v[cnt] = node_string(s))) {
      rc = -1;
      break;
    }
    cnt++;
  }
  librdf_free_iterator(it);
  if (rc) {
    free_strv(v, cnt);
    goto done;
  }
  if (cnt > 1)
    qsort(v, cnt, sizeof *v, icx_cmp_strp);
  *out = v;
  *n = cnt;
done:
  if (p)
    librdf_free_node(p);
  if (o)
    librdf_free_node(o);
  return rc;
}

static int
strv_contains(char *const *v, size_t n, const char *s)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return 1;
  return 0;
}

/* Appends a copy of s to a sorted-later, de-duplicated vector. */
static int
strv_add_unique(char ***v, size_t *n, const char *s)
{
  char **nv;

  if (strv_contains(*v, *n, s))
    return 0;
  nv = realloc(*v, (*n + 1) * sizeof **v);
  if (!nv)
    return -1;
  *v = nv;
  if (!(nv[*n] = strdup(s)))
    return -1;
  (*n)++;
  return 0;
}

/* --- parsing the folder ---------------------------------------------------- */

static int
has_ttl_suffix(const char *name)
{
  size_t n = strlen(name);

  return n > 4 && strcmp(name + n - 4, ".ttl") == 0 && name[0] != '.';
}

static icx_rc
parse_folder(loadstate *ls, const char *dir)
{
  DIR *d;
  struct dirent *de;
  char **files = NULL;
  size_t n_files = 0, i;
  icx_rc rc = ICX_OK;
  librdf_parser *parser = NULL;

  d = opendir(dir);
  if (!d)
    return icx_fail(ls->ctx, ICX_ERR_IO, "cannot read ontology folder %s: %s", dir, strerror(errno));
  while ((de = readdir(d))) {
    if (!has_ttl_suffix(de->d_name))
      continue;
    if (strv_add_unique(&files, &n_files, de->d_name)) {
      closedir(d);
      free_strv(files, n_files);
      return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    }
  }
  closedir(d);
  if (n_files == 0) {
    free_strv(files, n_files);
    return icx_fail(ls->ctx, ICX_ERR_IO, "ontology folder %s has no .ttl file", dir);
  }
  qsort(files, n_files, sizeof *files, icx_cmp_strp);

  parser = librdf_new_parser(ls->world, "turtle", NULL, NULL);
  if (!parser) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "cannot create a Turtle parser");
    goto done;
  }
  for (i = 0; i < n_files && rc == ICX_OK; i++) {
    icx_buf path;
    librdf_uri *uri = NULL;
    unsigned char *uri_s;
    icx_diag diag;
    int prc;

    icx_buf_init(&path);
    icx_buf_appendf(&path, "%s/%s", dir, files[i]);
    if (icx_buf_failed(&path)) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
    uri_s = raptor_uri_filename_to_uri_string(path.data);
    if (uri_s) {
      uri = librdf_new_uri(ls->world, uri_s);
      raptor_free_memory(uri_s);
    }
    if (!uri) {
      icx_buf_free(&path);
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      break;
    }
    icx_diag_begin(ls->ctx, &diag);
    prc = librdf_parser_parse_into_model(parser, uri, uri, ls->model);
    icx_diag_end(ls->ctx);
    if (prc || diag.errors)
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "%s: %s", path.data,
                    diag.errors ? diag.first : "does not parse as Turtle");
    librdf_free_uri(uri);
    icx_buf_free(&path);
  }
done:
  if (parser)
    librdf_free_parser(parser);
  free_strv(files, n_files);
  return rc;
}

/* --- building the tables ---------------------------------------------------- */

static vclass *
find_class(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_classes; i++)
    if (strcmp(v->classes[i].iri, iri) == 0)
      return &v->classes[i];
  return NULL;
}

/* 1 if sub reaches sup through rdfs:subClassOf (or is it). */
static int
class_reaches(const icx_vocab *v, const char *sub, const char *sup, int depth)
{
  vclass *c;
  size_t i;

  if (strcmp(sub, sup) == 0)
    return 1;
  if (depth > 64 || !(c = find_class(v, sub)))
    return 0;
  for (i = 0; i < c->n_supers; i++)
    if (class_reaches(v, c->supers[i], sup, depth + 1))
      return 1;
  return 0;
}

static icx_rc
build_classes(loadstate *ls, icx_vocab *v)
{
  char **owl = NULL, **rdfs = NULL, **all = NULL;
  size_t n_owl = 0, n_rdfs = 0, n_all = 0, i, j;
  icx_rc rc = ICX_ERR_NOMEM;

  if (subjects_of_type(ls, NS_OWL "Class", &owl, &n_owl) ||
      subjects_of_type(ls, NS_RDFS "Class", &rdfs, &n_rdfs))
    goto done;
  for (i = 0; i < n_owl; i++)
    if (strv_add_unique(&all, &n_all, owl[i]))
      goto done;
  for (i = 0; i < n_rdfs; i++)
    if (strv_add_unique(&all, &n_all, rdfs[i]))
      goto done;
  v->classes = calloc(n_all ? n_all : 1, sizeof *v->classes);
  if (!v->classes)
    goto done;
  for (i = 0; i < n_all; i++) {
    v->classes[i].iri = all[i];
    all[i] = NULL;
    v->n_classes++;
    if (objects(ls, v->classes[i].iri, NS_RDFS "subClassOf", 1,
                &v->classes[i].supers, &v->classes[i].n_supers))
      goto done;
  }
  for (i = 0; i < v->n_classes; i++) {
    size_t k = 0;
    v->classes[i].subs = calloc(v->n_classes + 1, sizeof(char *));
    if (!v->classes[i].subs)
      goto done;
    v->classes[i].subs[k++] = v->classes[i].iri;
    for (j = 0; j < v->n_classes; j++)
      if (j != i && class_reaches(v, v->classes[j].iri, v->classes[i].iri, 0))
        v->classes[i].subs[k++] = v->classes[j].iri;
  }
  rc = ICX_OK;
done:
  free_strv(owl, n_owl);
  free_strv(rdfs, n_rdfs);
  free_strv(all, n_all);
  if (rc)
    icx_fail(ls->ctx, rc, "out of memory");
  return rc;
}

static int
cmp_ind_label(const void *a, const void *b)
{
  const icx_individual *x = *(const icx_individual *const *)a;
  const icx_individual *y = *(const icx_individual *const *)b;
  int c = strcmp(x->label, y->label);

  return c ? c : strcmp(x->iri, y->iri);
}

/* Individuals are kept sorted by IRI (built from a sorted list). */
static int
cmp_ind_iri(const void *a, const void *b)
{
  return strcmp((*(const icx_individual *const *)a)->iri, (*(const icx_individual *const *)b)->iri);
}

static icx_individual *
find_individual(const icx_vocab *v, const char *iri)
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
collect_narrower(const icx_vocab *v, const size_t *child_start, const size_t *children,
                 size_t at, unsigned char *seen, const icx_individual **out, size_t *k)
{
  size_t c;

  if (seen[at])
    return;
  seen[at] = 1;
  out[(*k)++] = &v->inds[at];
  for (c = child_start[at]; c < child_start[at + 1]; c++)
    collect_narrower(v, child_start, children, children[c], seen, out, k);
}

/* The narrower closure of every individual, through the reverse of
 * skos:broader (children lists), depth first; cycles are cut by marks. */
static int
build_narrower(icx_vocab *v)
{
  size_t n = v->n_inds, i, b, e = 0;
  size_t *child_start = calloc(n + 2, sizeof *child_start);
  size_t *fill = calloc(n + 1, sizeof *fill);
  size_t *children = NULL;
  unsigned char *seen = calloc(n + 1, 1);
  const icx_individual **tmp = calloc(n + 1, sizeof *tmp);
  int rc = -1;

  if (!child_start || !fill || !seen || !tmp)
    goto done;
  for (i = 0; i < n; i++)
    for (b = 0; b < v->inds[i].n_broader; b++) {
      icx_individual *p = find_individual(v, v->inds[i].broader[b]);
      if (p)
        child_start[(size_t)(p - v->inds) + 1]++;
      e++;
    }
  for (i = 0; i < n; i++)
    child_start[i + 1] += child_start[i];
  children = calloc(e + 1, sizeof *children);
  if (!children)
    goto done;
  for (i = 0; i < n; i++)
    for (b = 0; b < v->inds[i].n_broader; b++) {
      icx_individual *p = find_individual(v, v->inds[i].broader[b]);
      if (p) {
        size_t pi = (size_t)(p - v->inds);
        children[child_start[pi] + fill[pi]++] = i;
      }
    }
  for (i = 0; i < n; i++) {
    size_t k = 0;
    memset(seen, 0, n);
    collect_narrower(v, child_start, children, i, seen, tmp, &k);
    v->inds[i].narrower = calloc(k + 1, sizeof *v->inds[i].narrower);
    if (!v->inds[i].narrower)
      goto done;
    memcpy(v->inds[i].narrower, tmp, k * sizeof *tmp);
  }
  rc = 0;
done:
  free(child_start);
  free(fill);
  free(children);
  free(seen);
  free(tmp);
  return rc;
}

/* Individuals: everything typed with a class the vocabulary defines, other
 * than the classes and properties themselves. */
static icx_rc
build_individuals(loadstate *ls, icx_vocab *v)
{
  char **subj = NULL;
  size_t n_subj = 0, i, j;
  static const char *const name_preds[] = {
    NS_RDFS "label", NS_SKOS "notation", ICX_MATCH_NS "alias", NS_SKOS "altLabel", NULL
  };

  for (i = 0; i < v->n_classes; i++) {
    char **members;
    size_t n_members;
    if (subjects_of_type(ls, v->classes[i].iri, &members, &n_members))
      goto oom;
    for (j = 0; j < n_members; j++)
      if (!find_class(v, members[j]) && strv_add_unique(&subj, &n_subj, members[j])) {
        free_strv(members, n_members);
        goto oom;
      }
    free_strv(members, n_members);
  }
  if (n_subj > 1)
    qsort(subj, n_subj, sizeof *subj, icx_cmp_strp);
  v->inds = calloc(n_subj ? n_subj : 1, sizeof *v->inds);
  if (!v->inds)
    goto oom;
  for (i = 0; i < n_subj; i++) {
    icx_individual *ind = &v->inds[i];
    int oom = 0;
    size_t p;

    ind->iri = subj[i];
    subj[i] = NULL;
    v->n_inds++;
    ind->label = one_object(ls, ind->iri, NS_RDFS "label", 2, &oom);
    if (oom)
      goto oom;
    if (!ind->label) {
      const char *tail = strrchr(ind->iri, '#');
      if (!tail)
        tail = strrchr(ind->iri, '/');
      ind->label = strdup(tail && tail[1] ? tail + 1 : ind->iri);
      if (!ind->label)
        goto oom;
    }
    for (p = 0; name_preds[p]; p++) {
      char **names;
      size_t n_names, k;
      if (objects(ls, ind->iri, name_preds[p], 2, &names, &n_names))
        goto oom;
      for (k = 0; k < n_names; k++)
        if (strv_add_unique(&ind->names, &ind->n_names, names[k])) {
          free_strv(names, n_names);
          goto oom;
        }
      free_strv(names, n_names);
    }
    if (objects(ls, ind->iri, NS_RDF "type", 1, &ind->types, &ind->n_types) ||
        objects(ls, ind->iri, NS_SKOS "broader", 1, &ind->broader, &ind->n_broader))
      goto oom;
    ind->norms = calloc(ind->n_names + 1, sizeof *ind->norms);
    if (!ind->norms)
      goto oom;
    for (p = 0; p < ind->n_names; p++) {
      char norm[1100];
      if (icx_norm_name(ind->names[p], norm, sizeof norm))
        norm[0] = '\0';       /* too long to be asked for */
      if (!(ind->norms[p] = strdup(norm)))
        goto oom;
    }
  }
  if (build_narrower(v))
    goto oom;
  free_strv(subj, n_subj);
  return ICX_OK;
oom:
  free_strv(subj, n_subj);
  return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
}

static int
datatype_of(const char *iri, icx_datatype *t)
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
rule_of(const char *iri, icx_rule *r)
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
ind_has_type_under(const icx_vocab *v, const icx_individual *ind, const char *cls)
{
  size_t i;

  for (i = 0; i < ind->n_types; i++)
    if (class_reaches(v, ind->types[i], cls, 0))
      return 1;
  return 0;
}

/* Comma-separated labels; NULL on ENOMEM. */
static char *
join_labels(const icx_individual *const *v, size_t n)
{
  icx_buf b;
  size_t i;

  icx_buf_init(&b);
  for (i = 0; i < n; i++) {
    if (i)
      icx_buf_append(&b, "; ");
    icx_buf_append(&b, v[i]->label);
  }
  return icx_buf_take(&b);
}

static icx_rc
build_attribute(loadstate *ls, icx_vocab *v, icx_attribute *a)
{
  int oom = 0;
  char *rule_iri = NULL;
  size_t i;
  icx_rc rc = ICX_OK;

  a->label = one_object(ls, a->iri, NS_RDFS "label", 2, &oom);
  a->comment = one_object(ls, a->iri, NS_RDFS "comment", 2, &oom);
  a->domain = one_object(ls, a->iri, NS_RDFS "domain", 1, &oom);
  a->range = one_object(ls, a->iri, NS_RDFS "range", 1, &oom);
  rule_iri = one_object(ls, a->iri, ICX_MATCH_NS "rule", 1, &oom);
  a->place_iri = one_object(ls, a->iri, ICX_MATCH_NS "placeAttribute", 1, &oom);
  a->figure_class = one_object(ls, a->iri, ICX_MATCH_NS "figureClass", 1, &oom);
  if (oom || objects(ls, a->iri, ICX_MATCH_NS "alias", 2, &a->aliases, &a->n_aliases)) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (!a->comment && !(a->comment = strdup(""))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (!a->label) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute <%s> has no rdfs:label", a->iri);
    goto done;
  }
  if (!a->domain || !find_class(v, a->domain)) {
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
  if (datatype_of(a->range, &a->type) != 0) {
    if (!find_class(v, a->range)) {
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                    "attribute %s: rdfs:range <%s> is neither a supported XSD datatype "
                    "nor a class of the vocabulary", a->label, a->range);
      goto done;
    }
    a->type = ICX_TYPE_INDIVIDUAL;
  }
  if (!rule_iri || rule_of(rule_iri, &a->rule) != 0) {
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
    a->values = calloc(v->n_inds ? v->n_inds : 1, sizeof *a->values);
    if (!a->values) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (i = 0; i < v->n_inds; i++)
      if (ind_has_type_under(v, &v->inds[i], a->range))
        a->values[a->n_values++] = &v->inds[i];
    if (a->n_values > 1)
      qsort(a->values, a->n_values, sizeof *a->values, cmp_ind_label);
    a->by_iri = calloc(a->n_values + 1, sizeof *a->by_iri);
    if (!a->by_iri) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    memcpy(a->by_iri, a->values, a->n_values * sizeof *a->values);
    if (a->n_values > 1)
      qsort(a->by_iri, a->n_values, sizeof *a->by_iri, cmp_ind_iri);
  }
  {
    char *unit = one_object(ls, a->iri, ICX_MATCH_NS "unit", 1, &oom);
    if (oom) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    if (unit) {
      a->unit = unit_by_iri(v, unit);
      if (!a->unit || (a->type != ICX_TYPE_DECIMAL && a->type != ICX_TYPE_INTEGER)) {
        rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: icxm:unit <%s> %s", a->label, unit,
                      a->unit ? "needs a numeric range" : "is not an icxm:Unit");
        free(unit);
        goto done;
      }
      free(unit);
    }
  }
  a->value_names = join_labels(a->values, a->n_values);
  if (!a->value_names)
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
done:
  free(rule_iri);
  return rc;
}

typedef struct named {
  const char *norm;
  const char *shown;
  const icx_individual *ind;
} named;

static int
cmp_named(const void *a, const void *b)
{
  return strcmp(((const named *)a)->norm, ((const named *)b)->norm);
}

/* Two values of a that share a name: sorting every (name, value) pair puts
 * clashes side by side.  Returns 0, or -1 with the message set. */
static int
check_value_names(icx_ctx *ctx, const icx_attribute *a)
{
  size_t n = 0, i, k;
  named *all;
  int rc = 0;

  for (i = 0; i < a->n_values; i++)
    n += a->values[i]->n_names;
  all = calloc(n + 1, sizeof *all);
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
  qsort(all, n, sizeof *all, cmp_named);
  for (i = 1; i < n && !rc; i++)
    if (*all[i].norm && !strcmp(all[i].norm, all[i - 1].norm) && all[i].ind != all[i - 1].ind) {
      icx_fail(ctx, ICX_ERR_VOCAB, "values <%s> and <%s> of attribute %s share the name \"%s\"",
               all[i - 1].ind->iri, all[i].ind->iri, a->label, all[i].shown);
      rc = -1;
    }
  free(all);
  return rc;
}

/* Two things a requester can name the same way would make a request
 * ambiguous: refuse such a vocabulary. */
static icx_rc
check_names(icx_ctx *ctx, const icx_vocab *v)
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
    if (check_value_names(ctx, a))
      return ICX_ERR_VOCAB;
  }
  return ICX_OK;
}

static icx_unit *
unit_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_units; i++)
    if (!strcmp(v->units[i].iri, iri))
      return &v->units[i];
  return NULL;
}

/* Kind and factor of a unit, following numerator and denominators. */
static icx_rc
resolve_unit(loadstate *ls, icx_vocab *v, icx_unit *u, int depth)
{
  char *kind = NULL, *num = NULL, *factor = NULL;
  char **dens = NULL;
  size_t n_dens = 0, i;
  int oom = 0;
  icx_rc rc = ICX_OK;
  icx_buf k;

  if (u->kind)
    return ICX_OK;
  if (u->resolving || depth > 8)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "unit <%s> is defined through itself", u->iri);
  u->resolving = 1;
  icx_buf_init(&k);
  kind = one_object(ls, u->iri, ICX_MATCH_NS "quantityKind", 1, &oom);
  factor = one_object(ls, u->iri, ICX_MATCH_NS "factor", 2, &oom);
  num = one_object(ls, u->iri, ICX_MATCH_NS "numerator", 1, &oom);
  if (oom || objects(ls, u->iri, ICX_MATCH_NS "denominator", 1, &dens, &n_dens)) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (kind && factor && !num) {
    char *end;
    u->factor = strtod(factor, &end);
    if (*end || !(u->factor > 0)) {
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "unit %s: icxm:factor \"%s\" is not a positive number",
                    u->label, factor);
      goto done;
    }
    icx_buf_append(&k, kind);
  } else if (num && n_dens > 0 && !kind) {
    icx_unit *nu = unit_by_iri(v, num);
    if (!nu || (rc = resolve_unit(ls, v, nu, depth + 1))) {
      if (!rc)
        rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "unit %s: numerator <%s> is not a unit", u->label, num);
      goto done;
    }
    u->factor = nu->factor;
    icx_buf_append(&k, nu->kind);
    for (i = 0; i < n_dens; i++) {
      icx_unit *du = unit_by_iri(v, dens[i]);
      if (!du || (rc = resolve_unit(ls, v, du, depth + 1))) {
        if (!rc)
          rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "unit %s: denominator <%s> is not a unit",
                        u->label, dens[i]);
        goto done;
      }
      u->factor /= du->factor;
      icx_buf_appendf(&k, " per %s", du->kind);
    }
  } else {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "unit %s needs icxm:quantityKind and icxm:factor, or "
                  "icxm:numerator and icxm:denominator", u->label);
    goto done;
  }
  if (!(u->kind = icx_buf_take(&k)))
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
done:
  icx_buf_free(&k);
  u->resolving = 0;
  free(kind);
  free(num);
  free(factor);
  free_strv(dens, n_dens);
  return rc;
}

static icx_rc
build_units(loadstate *ls, icx_vocab *v)
{
  char **iris = NULL;
  size_t n = 0, i, j;
  icx_rc rc = ICX_OK;

  if (subjects_of_type(ls, ICX_MATCH_NS "Unit", &iris, &n))
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  v->units = calloc(n + 1, sizeof *v->units);
  if (!v->units) {
    free_strv(iris, n);
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  for (i = 0; i < n; i++) {
    icx_unit *u = &v->units[v->n_units++];
    int oom = 0;
    char **names;
    size_t n_names, k;
    u->iri = iris[i];
    iris[i] = NULL;
    u->label = one_object(ls, u->iri, NS_RDFS "label", 2, &oom);
    if (oom || (!u->label && !(u->label = strdup(u->iri))))
      goto oom;
    if (strv_add_unique(&u->names, &u->n_names, u->label))
      goto oom;
    if (objects(ls, u->iri, ICX_MATCH_NS "alias", 2, &names, &n_names))
      goto oom;
    for (k = 0; k < n_names; k++)
      if (strv_add_unique(&u->names, &u->n_names, names[k])) {
        free_strv(names, n_names);
        goto oom;
      }
    free_strv(names, n_names);
  }
  free_strv(iris, n);
  for (i = 0; i < v->n_units && !rc; i++)
    rc = resolve_unit(ls, v, &v->units[i], 0);
  for (i = 0; i < v->n_units && !rc; i++) {
    icx_buf peers;
    icx_buf_init(&peers);
    for (j = 0; j < v->n_units; j++)
      if (!strcmp(v->units[j].kind, v->units[i].kind))
        icx_buf_appendf(&peers, "%s%s", peers.len ? "; " : "", v->units[j].label);
    if (!(v->units[i].peers = icx_buf_take(&peers)))
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  return rc;
oom:
  free_strv(iris, n);
  return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
}

static icx_rc
find_structural(loadstate *ls, const char *type_local, char **out)
{
  char **v;
  size_t n;
  icx_buf t;
  icx_rc rc = ICX_OK;

  icx_buf_init(&t);
  icx_buf_appendf(&t, "%s%s", ICX_MATCH_NS, type_local);
  if (icx_buf_failed(&t) || subjects_of_type(ls, t.data, &v, &n)) {
    icx_buf_free(&t);
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  icx_buf_free(&t);
  if (n != 1) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                  "the vocabulary must declare exactly one icxm:%s (found %zu)", type_local, n);
    free_strv(v, n);
    return rc;
  }
  *out = v[0];
  free(v);
  return ICX_OK;
}

static icx_rc
build_defined(loadstate *ls, icx_vocab *v)
{
  librdf_stream *st;
  size_t cap = 0;

  st = librdf_model_as_stream(ls->model);
  if (!st)
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  for (; !librdf_stream_end(st); librdf_stream_next(st)) {
    librdf_statement *s = librdf_stream_get_object(st);
    librdf_node *subj = librdf_statement_get_subject(s);
    const char *iri;
    if (!librdf_node_is_resource(subj))
      continue;
    iri = (const char *)librdf_uri_as_string(librdf_node_get_uri(subj));
    if (v->n_defined && strcmp(v->defined[v->n_defined - 1], iri) == 0)
      continue;
    if (v->n_defined == cap) {
      size_t ncap = cap ? cap * 2 : 256;
      char **nv = realloc(v->defined, ncap * sizeof *nv);
      if (!nv)
        goto oom;
      v->defined = nv;
      cap = ncap;
    }
    if (!(v->defined[v->n_defined] = strdup(iri)))
      goto oom;
    v->n_defined++;
  }
  librdf_free_stream(st);
  if (v->n_defined > 1) {
    size_t i, o = 1;
    qsort(v->defined, v->n_defined, sizeof *v->defined, icx_cmp_strp);
    for (i = 1; i < v->n_defined; i++) {
      if (strcmp(v->defined[i], v->defined[o - 1]) == 0)
        free(v->defined[i]);
      else
        v->defined[o++] = v->defined[i];
    }
    v->n_defined = o;
  }
  return ICX_OK;
oom:
  librdf_free_stream(st);
  return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
}

/* The index in a->by_iri of the value whose IRI is iri, or (size_t)-1. */
static size_t
value_index_by_iri(const icx_attribute *a, const char *iri)
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
static icx_attribute *
attr_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_attrs; i++)
    if (!strcmp(v->attrs[i].iri, iri))
      return &v->attrs[i];
  return NULL;
}

/* --- distance attributes (icxm:placeAttribute; doc/ontology.md) ------------------ */

/* 1 if y is x or narrower than x. */
static int
within(const icx_individual *y, const icx_individual *x)
{
  const icx_individual *const *n;

  for (n = x->narrower; *n; n++)
    if (*n == y)
      return 1;
  return 0;
}

/* The index of zone z in a's table, adding it if new; (size_t)-1 on ENOMEM. */
static size_t
zone_slot(icx_attribute *a, const icx_individual *z)
{
  const icx_individual **nz;
  size_t i;

  for (i = 0; i < a->n_zones; i++)
    if (a->zones[i] == z)
      return i;
  nz = realloc(a->zones, (a->n_zones + 1) * sizeof *nz);
  if (!nz)
    return (size_t)-1;
  a->zones = nz;
  nz[a->n_zones] = z;
  return a->n_zones++;
}

typedef struct figure {
  size_t x, y;
  double d;
  const char *iri;
} figure;

/* Reads one figure individual into *f (zones added to a's table). */
static icx_rc
read_figure(loadstate *ls, icx_attribute *a, const char *iri, figure *f)
{
  char **between = NULL, **nums = NULL;
  size_t n_between = 0, n_nums = 0, k, at[2] = { 0, 0 };
  icx_rc rc = ICX_OK;

  f->iri = iri;
  if (objects(ls, iri, ICX_MATCH_NS "between", 1, &between, &n_between) ||
      objects(ls, iri, ICX_MATCH_NS "figure", 2, &nums, &n_nums)) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (n_between < 1 || n_between > 2 || n_nums != 1 || !icx_lexical_number(nums[0], 1, 0) ||
      (f->d = strtod(nums[0], NULL)) < 0) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB,
                  "attribute %s: <%s> needs one or two icxm:between regions and one "
                  "icxm:figure, a number of 0 or more", a->label, iri);
    goto done;
  }
  for (k = 0; k < n_between; k++) {
    size_t at_value = value_index_by_iri(a->place, between[k]);
    const icx_individual *z = at_value != (size_t)-1 ? a->place->by_iri[at_value] : NULL;
    if (!z) {
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: <%s> is between <%s>, which is "
                    "not a value of %s", a->label, iri, between[k], a->place->label);
      goto done;
    }
    if ((at[k] = zone_slot(a, z)) == (size_t)-1) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
  }
  f->x = at[0];
  f->y = n_between == 2 ? at[1] : at[0];
done:
  free_strv(between, n_between);
  free_strv(nums, n_nums);
  return rc;
}

/* The zones place p counts by, as a bit mask: the table's zones it lies
 * in (or is), else the zones that the places in it lie in. */
static uint64_t
zones_of(const icx_attribute *a, const icx_individual *p)
{
  uint64_t m = 0;
  size_t i;
  const icx_individual *const *q;

  for (i = 0; i < a->n_zones; i++)
    if (within(p, a->zones[i]))
      m |= (uint64_t)1 << i;
  if (m == 0)   /* wider than any zone (EMEA), or across them (Middle East) */
    for (i = 0; i < a->n_zones; i++)
      for (q = p->narrower; *q; q++)
        if (within(*q, a->zones[i])) {
          m |= (uint64_t)1 << i;
          break;
        }
  return m;
}

/* Resolves attribute a's icxm:placeAttribute and reads its figure table.
 * Runs once every attribute is built. */
static icx_rc
build_distance(loadstate *ls, icx_vocab *v, icx_attribute *a)
{
  char **figs = NULL;
  size_t n_figs = 0, i, k;
  figure *f = NULL;
  icx_rc rc = ICX_OK;

  if (!a->place_iri && !a->figure_class)
    return ICX_OK;
  if (!a->place_iri || !a->figure_class)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s needs both icxm:placeAttribute and "
                    "icxm:figureClass, or neither", a->label);
  a->place = attr_by_iri(v, a->place_iri);
  if (!a->place || a->place == a || a->place->type != ICX_TYPE_INDIVIDUAL ||
      a->place->place_iri || strcmp(a->place->domain, a->domain) != 0)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: icxm:placeAttribute <%s> must be "
                    "another attribute, valued with individuals, of the same rdfs:domain",
                    a->label, a->place_iri);
  if (a->type != ICX_TYPE_DECIMAL && a->type != ICX_TYPE_INTEGER)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: a distance needs a numeric range",
                    a->label);
  if (!find_class(v, a->figure_class))
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: icxm:figureClass <%s> is not a "
                    "class of the vocabulary", a->label, a->figure_class);
  if (subjects_of_type(ls, a->figure_class, &figs, &n_figs))
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  if (n_figs == 0) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: no <%s> figure is declared",
                  a->label, a->figure_class);
    goto done;
  }
  if (!(f = calloc(n_figs, sizeof *f))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < n_figs; i++)
    if ((rc = read_figure(ls, a, figs[i], &f[i])))
      goto done;
  if (a->n_zones > 64) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: the figure table has %zu regions; "
                  "at most 64", a->label, a->n_zones);
    goto done;
  }
  if (!(a->figures = malloc(a->n_zones * a->n_zones * sizeof *a->figures))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (k = 0; k < a->n_zones * a->n_zones; k++)
    a->figures[k] = NAN;
  for (i = 0; i < n_figs; i++) {
    double *xy = &a->figures[f[i].x * a->n_zones + f[i].y];
    if (!isnan(*xy) && *xy != f[i].d) {
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: two different figures between "
                    "%s and %s (<%s> is one)", a->label, a->zones[f[i].x]->label,
                    a->zones[f[i].y]->label, f[i].iri);
      goto done;
    }
    *xy = a->figures[f[i].y * a->n_zones + f[i].x] = f[i].d;
  }
  /* A zone must not lie in another: a place would count twice. */
  for (i = 0; i < a->n_zones; i++)
    for (k = 0; k < a->n_zones; k++)
      if (i != k && within(a->zones[i], a->zones[k])) {
        rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: the figure table has both %s "
                      "and %s, which lies in it", a->label, a->zones[k]->label,
                      a->zones[i]->label);
        goto done;
      }
  /* Each place's zones, worked out once here rather than per request. */
  if (!(a->zone_masks = calloc(a->place->n_values + 1, sizeof *a->zone_masks))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < a->place->n_values; i++)
    a->zone_masks[i] = zones_of(a, a->place->by_iri[i]);
done:
  free(f);
  free_strv(figs, n_figs);
  return rc;
}

/* --- alignment ----------------------------------------------------------------- */

static int
cmp_equiv(const void *a, const void *b)
{
  return strcmp(((const vequiv *)a)->outer, ((const vequiv *)b)->outer);
}

/* 1 if iri names a property of this vocabulary (an attribute or a
 * structural property), 0 otherwise. */
static int
is_own_property(const icx_vocab *v, const char *iri)
{
  return !strcmp(iri, v->offers) || !strcmp(iri, v->name_prop) || attr_by_iri(v, iri);
}

/* Adds one equivalence statement (a equiv b) to v->equivs: one side must be
 * a term of this vocabulary (of the right kind), the other a term outside
 * its namespaces.  Statements between two foreign terms are not icx's
 * business and are skipped. */
static icx_rc
add_equivalence(loadstate *ls, icx_vocab *v, const char *a, const char *b, int is_class)
{
  const char *what = is_class ? "owl:equivalentClass" : "owl:equivalentProperty";
  int own_a = icx_vocab_in_namespace(v, a), own_b = icx_vocab_in_namespace(v, b);
  const char *inner = own_a ? a : b, *outer = own_a ? b : a;
  vequiv *nv;
  size_t i;

  if (!own_a && !own_b)
    return ICX_OK;
  if (own_a && own_b)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB,
                    "%s between <%s> and <%s>: both are terms of this vocabulary "
                    "(give one as an icxm:alias of the other instead)", what, a, b);
  if (is_class ? !find_class(v, inner) : !is_own_property(v, inner))
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "%s names <%s>, which is not %s of the vocabulary",
                    what, inner, is_class ? "a class" : "an attribute or structural property");
  for (i = 0; i < v->n_equivs; i++)
    if (!strcmp(v->equivs[i].outer, outer)) {
      if (!strcmp(v->equivs[i].inner, inner) && v->equivs[i].is_class == is_class)
        return ICX_OK;
      return icx_fail(ls->ctx, ICX_ERR_VOCAB,
                      "<%s> is declared equivalent to both <%s> and <%s>; it may mean one term only",
                      outer, v->equivs[i].inner, inner);
    }
  nv = realloc(v->equivs, (v->n_equivs + 1) * sizeof *nv);
  if (!nv)
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  v->equivs = nv;
  nv[v->n_equivs].outer = strdup(outer);
  nv[v->n_equivs].inner = strdup(inner);
  nv[v->n_equivs].is_class = is_class;
  v->n_equivs++;
  if (!nv[v->n_equivs - 1].outer || !nv[v->n_equivs - 1].inner)
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  return ICX_OK;
}

/* Reads every owl:equivalentProperty and owl:equivalentClass statement.
 * Needs the classes, attributes and namespaces built first. */
static icx_rc
build_equivalences(loadstate *ls, icx_vocab *v)
{
  static const char *const preds[2] = { NS_OWL "equivalentProperty", NS_OWL "equivalentClass" };
  icx_rc rc = ICX_OK;
  int k;

  for (k = 0; k < 2 && rc == ICX_OK; k++) {
    librdf_node *p = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)preds[k]);
    librdf_statement *want = p ? librdf_new_statement_from_nodes(ls->world, NULL, p, NULL) : NULL;
    librdf_stream *st = want ? librdf_model_find_statements(ls->model, want) : NULL;

    if (!st) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    } else {
      for (; rc == ICX_OK && !librdf_stream_end(st); librdf_stream_next(st)) {
        librdf_statement *s = librdf_stream_get_object(st);
        librdf_node *a = librdf_statement_get_subject(s), *b = librdf_statement_get_object(s);
        if (!librdf_node_is_resource(a) || !librdf_node_is_resource(b)) {
          rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "%s needs an IRI on both sides",
                        k ? "owl:equivalentClass" : "owl:equivalentProperty");
          break;
        }
        rc = add_equivalence(ls, v,
                             (const char *)librdf_uri_as_string(librdf_node_get_uri(a)),
                             (const char *)librdf_uri_as_string(librdf_node_get_uri(b)), k);
      }
      librdf_free_stream(st);
    }
    if (want)
      librdf_free_statement(want);   /* owns p (and freed it on failure) */
  }
  if (rc == ICX_OK && v->n_equivs > 1)
    qsort(v->equivs, v->n_equivs, sizeof *v->equivs, cmp_equiv);
  return rc;
}

icx_rc
icx_vocab_load(icx_ctx *ctx, const char *dir, icx_vocab **out)
{
  loadstate ls;
  librdf_storage *storage = NULL;
  icx_vocab *v = NULL;
  char **attr_iris = NULL;
  size_t n_attr_iris = 0, i;
  icx_rc rc;
  icx_buf names;

  if (!ctx || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  if (!dir)
    dir = icx_vocab_default_dir();
  memset(&ls, 0, sizeof ls);
  ls.ctx = ctx;
  ls.world = icx_ctx_world(ctx);
  storage = ls.world ? librdf_new_storage(ls.world, "hashes", "vocab", "hash-type='memory'")
                     : NULL;
  if (storage)
    ls.model = librdf_new_model(ls.world, storage, NULL);
  v = calloc(1, sizeof *v);
  if (!storage || !ls.model || !v) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((rc = parse_folder(&ls, dir)))
    goto done;
  if ((rc = build_defined(&ls, v)) || (rc = build_classes(&ls, v)) ||
      (rc = build_individuals(&ls, v)))
    goto done;
  if ((rc = build_units(&ls, v)))
    goto done;
  if ((rc = find_structural(&ls, "CloudClass", &v->cloud_class)) ||
      (rc = find_structural(&ls, "OffersProperty", &v->offers)) ||
      (rc = find_structural(&ls, "NameProperty", &v->name_prop)))
    goto done;
  if (!find_class(v, v->cloud_class)) {
    rc = icx_fail(ctx, ICX_ERR_VOCAB, "icxm:CloudClass <%s> is not an owl:Class", v->cloud_class);
    goto done;
  }
  {
    char **ns_lits;
    size_t n_ns;
    char **onts;
    size_t n_onts, k;
    if (subjects_of_type(&ls, NS_OWL "Ontology", &onts, &n_onts)) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (k = 0; k < n_onts; k++) {
      size_t m;
      if (objects(&ls, onts[k], NS_VANN "preferredNamespaceUri", 0, &ns_lits, &n_ns)) {
        free_strv(onts, n_onts);
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
        goto done;
      }
      for (m = 0; m < n_ns; m++)
        if (strv_add_unique(&v->namespaces, &v->n_namespaces, ns_lits[m])) {
          free_strv(ns_lits, n_ns);
          free_strv(onts, n_onts);
          rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
          goto done;
        }
      free_strv(ns_lits, n_ns);
    }
    free_strv(onts, n_onts);
  }
  if (subjects_of_type(&ls, ICX_MATCH_NS "Attribute", &attr_iris, &n_attr_iris)) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (n_attr_iris == 0) {
    rc = icx_fail(ctx, ICX_ERR_VOCAB, "the vocabulary in %s declares no icxm:Attribute", dir);
    goto done;
  }
  v->attrs = calloc(n_attr_iris, sizeof *v->attrs);
  if (!v->attrs) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < n_attr_iris; i++) {
    v->attrs[i].iri = attr_iris[i];
    attr_iris[i] = NULL;
    v->n_attrs++;
    if ((rc = build_attribute(&ls, v, &v->attrs[i])))
      goto done;
  }
  if ((rc = check_names(ctx, v)) || (rc = build_equivalences(&ls, v)))
    goto done;
  for (i = 0; i < v->n_attrs; i++)
    if ((rc = build_distance(&ls, v, &v->attrs[i])))
      goto done;
  icx_buf_init(&names);
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
  free_strv(attr_iris, n_attr_iris);
  icx_vocab_free(v);
  if (ls.model)
    librdf_free_model(ls.model);
  if (storage)
    librdf_free_storage(storage);
  return rc;
}

void
icx_vocab_free(icx_vocab *v)
{
  size_t i;

  if (!v)
    return;
  for (i = 0; i < v->n_attrs; i++) {
    icx_attribute *a = &v->attrs[i];
    free(a->iri);
    free(a->label);
    free(a->comment);
    free_strv(a->aliases, a->n_aliases);
    free(a->domain);
    free(a->range);
    free(a->values);
    free(a->by_iri);
    free(a->value_names);
    free(a->place_iri);
    free(a->figure_class);
    free(a->zones);
    free(a->figures);
    free(a->zone_masks);
  }
  free(v->attrs);
  for (i = 0; i < v->n_inds; i++) {
    icx_individual *ind = &v->inds[i];
    free(ind->iri);
    free(ind->label);
    free_strv(ind->names, ind->n_names);
    free_strv(ind->norms, ind->n_names);
    free_strv(ind->types, ind->n_types);
    free_strv(ind->broader, ind->n_broader);
    free(ind->narrower);
  }
  free(v->inds);
  for (i = 0; i < v->n_classes; i++) {
    free(v->classes[i].iri);
    free_strv(v->classes[i].supers, v->classes[i].n_supers);
    free(v->classes[i].subs);
  }
  free(v->classes);
  for (i = 0; i < v->n_units; i++) {
    free(v->units[i].iri);
    free(v->units[i].label);
    free_strv(v->units[i].names, v->units[i].n_names);
    free(v->units[i].kind);
    free(v->units[i].peers);
  }
  free(v->units);
  for (i = 0; i < v->n_equivs; i++) {
    free(v->equivs[i].outer);
    free(v->equivs[i].inner);
  }
  free(v->equivs);
  free_strv(v->namespaces, v->n_namespaces);
  free_strv(v->defined, v->n_defined);
  free(v->cloud_class);
  free(v->offers);
  free(v->name_prop);
  free(v->attribute_names);
  free(v);
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
    return inner ? attr_by_iri(v, inner) : NULL;
  }
}

static const char *
equivalent(const icx_vocab *v, const char *iri, int is_class)
{
  vequiv key, *e;

  if (!iri || !v->n_equivs)
    return NULL;
  key.outer = (char *)iri;
  e = bsearch(&key, v->equivs, v->n_equivs, sizeof *v->equivs, cmp_equiv);
  return e && e->is_class == is_class ? e->inner : NULL;
}

const char *
icx_vocab_equivalent_property(const icx_vocab *v, const char *iri)
{
  return equivalent(v, iri, 0);
}

const char *
icx_vocab_equivalent_class(const icx_vocab *v, const char *iri)
{
  return equivalent(v, iri, 1);
}

const char *icx_vocab_attribute_names(const icx_vocab *v) { return v->attribute_names; }

const icx_attribute *icx_attribute_place(const icx_attribute *a) { return a->place; }

/* The zone mask of place p (a value of a's place attribute), or 0. */
static uint64_t
zone_mask(const icx_attribute *a, const icx_individual *p)
{
  size_t at = value_index_by_iri(a->place, p->iri);

  return at != (size_t)-1 ? a->zone_masks[at] : 0;
}

int
icx_attribute_distance(const icx_attribute *a, const icx_individual *x, const icx_individual *y,
                       double *least, double *most)
{
  uint64_t mx, my;
  double lo = INFINITY, hi = -INFINITY;
  size_t i, j;

  if (!a->place || !x || !y)
    return 0;
  mx = zone_mask(a, x);
  my = zone_mask(a, y);
  if (!mx || !my)
    return 0;
  for (i = 0; i < a->n_zones; i++)
    for (j = 0; mx >> i & 1 && j < a->n_zones; j++) {
      double d;
      if (!(my >> j & 1))
        continue;
      d = a->figures[i * a->n_zones + j];
      if (isnan(d))
        return 0;
      if (d < lo)
        lo = d;
      if (d > hi)
        hi = d;
    }
  if (least)
    *least = lo;
  if (most)
    *most = hi;
  return 1;
}
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
  return class_reaches(v, sub_iri, class_iri, 0);
}

const char *const *
icx_vocab_subclasses(const icx_vocab *v, const char *class_iri)
{
  vclass *c = find_class(v, class_iri);

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
  if ((at = value_index_by_iri(a, name)) != (size_t)-1)   /* what documents use */
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

const icx_unit *
icx_vocab_find_unit(const icx_vocab *v, const char *name)
{
  const icx_unit *folded = NULL;
  int n_folded = 0;
  char *t;
  size_t i, k;

  if (!name || !(t = icx_trim_dup(name, strlen(name))))
    return NULL;
  for (i = 0; i < v->n_units; i++) {
    const icx_unit *u = &v->units[i];
    if (!strcmp(u->iri, t)) {
      free(t);
      return u;
    }
    for (k = 0; k < u->n_names; k++) {
      if (!strcmp(u->names[k], t)) {
        free(t);
        return u;
      }
      /* Words fold case ("Gibibytes"); symbols (up to 3 characters:
       * MB, Mb, ms, Ms) never do. */
      if (strlen(t) > 3 && icx_name_eq(u->names[k], t) && folded != u) {
        folded = u;
        n_folded++;
      }
    }
  }
  free(t);
  return n_folded == 1 ? folded : NULL;
}

/* icx_loader_graph.c - the checks over a document's whole graph, run at
 * its end on the term ids its transaction wrote, subject by subject:
 * types of subjects, names and offers only on clouds, services offered by
 * a cloud, at least one cloud.  File-local names begin graph_. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_loader_internal.h"

/* Services recently seen offered by a cloud, checked without a query. */
#define OFFERED_WINDOW 65536

/* A class of the vocabulary that things in the graph are typed with. */
typedef struct cls {
  icx_id id;
  const char *iri;
  int cloud, service;
} cls;

typedef struct attr_id {
  icx_id id;
  const icx_attribute *a;
  int of_service;             /* its domain is not a class of clouds */
} attr_id;

typedef struct gcheck {
  icx_loader_doc *d;
  icx_store *store;
  icx_id g, type, name, offers;
  cls *cls;
  size_t n_cls;
  attr_id *attrs;
  size_t n_attrs;
  /* typed[k * n_attrs + i]: whether class k is under attribute i's
   * domain, worked out once (0 not yet, 1 yes, 2 no): millions of
   * subjects would otherwise compare IRIs for each attribute they use */
  unsigned char *typed;
  /* the subject being read, and what it has */
  icx_id subj;
  int names;
  const cls **types;
  const attr_id **used;
  icx_id *offered;
  size_t n_types, n_used, n_offered, cap_types, cap_used, cap_offered;
  /* services recently offered by a cloud: an open-addressing set */
  icx_id *window;
  size_t in_window;
  long clouds;
  int found;
  icx_rc rc;                  /* why the walk stopped */
} gcheck;

static int
graph_cmp_cls(const void *a, const void *b)
{
  const cls *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static int
graph_cmp_attr_id(const void *a, const void *b)
{
  const attr_id *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static const cls *
graph_find_cls(const gcheck *c, icx_id id)
{
  cls key;

  key.id = id;
  return c->n_cls ? bsearch(&key, c->cls, c->n_cls, sizeof key, graph_cmp_cls) : NULL;
}

/* Grows *v (elements of size sz) to hold one more.  0 or -1. */
static int
graph_grow(icx_ctx *ctx, void **v, size_t *cap, size_t n, size_t sz)
{
  void *nv;
  size_t ncap;

  if (n < *cap)
    return 0;
  ncap = *cap ? *cap * 2 : 16;
  if (!(nv = icx_realloc(ctx, *v, ncap * sz)))
    return -1;
  *v = nv;
  *cap = ncap;
  return 0;
}

static void
graph_window_add(gcheck *c, icx_id id)
{
  size_t i, mask = 2 * OFFERED_WINDOW - 1;

  if (c->in_window >= OFFERED_WINDOW) {
    memset(c->window, 0, 2 * OFFERED_WINDOW * sizeof *c->window);
    c->in_window = 0;
  }
  for (i = (size_t)id * 0x9E3779B97F4A7C15ULL >> 40 & mask; c->window[i]; i = (i + 1) & mask)
    if (c->window[i] == id)
      return;
  c->window[i] = id;
  c->in_window++;
}

static int
graph_window_has(const gcheck *c, icx_id id)
{
  size_t i, mask = 2 * OFFERED_WINDOW - 1;

  for (i = (size_t)id * 0x9E3779B97F4A7C15ULL >> 40 & mask; c->window[i]; i = (i + 1) & mask)
    if (c->window[i] == id)
      return 1;
  return 0;
}

/* Walking the types of a subject that offers the service: a cloud? */
static int
graph_offerer_type(void *ud, icx_id s, icx_id p, icx_id o)
{
  gcheck *c = ud;
  const cls *k = graph_find_cls(c, o);

  (void)s;
  (void)p;
  c->found = k && k->cloud;
  return c->found;
}

static int
graph_offerer(void *ud, icx_id s, icx_id p, icx_id o)
{
  gcheck *c = ud;

  (void)p;
  (void)o;
  if (icx_store_walk(c->store, c->g, s, c->type, 0, graph_offerer_type, c))
    c->rc = ICX_ERR_STORE;
  return c->found || c->rc;
}

/* 1 if a cloud of the graph offers id. */
static int
graph_offered_by_cloud(gcheck *c, icx_id id)
{
  if (graph_window_has(c, id))
    return 1;
  c->found = 0;
  if (c->offers > 0 && icx_store_walk(c->store, c->g, 0, c->offers, id, graph_offerer, c))
    c->rc = ICX_ERR_STORE;
  return c->found;
}

/* The checks on the subject just read.  0, or -1 with the message set. */
static int
graph_subject_done(gcheck *c)
{
  const icx_vocab *v = c->d->l->vocab;
  icx_ctx *ctx = c->d->l->ctx;
  const char *cloud = icx_vocab_cloud_class(v);
  int is_cloud = 0, is_service = 0, rc = 0;
  size_t i, j;
  char *shown = NULL;

  if (!c->subj)
    return 0;
  for (i = 0; i < c->n_types; i++) {
    is_cloud |= c->types[i]->cloud;
    is_service |= c->types[i]->service;
  }
  if (is_cloud) {
    c->clouds++;
    if (c->names != 1) {
      shown = icx_store_term_text(c->store, c->subj);
      icx_fail(ctx, ICX_ERR_INVALID, "%s: cloud %s has %d names (<%s>); it needs exactly one",
               c->d->source, shown ? shown : "?", c->names, icx_vocab_name_property(v));
      rc = -1;
      goto done;
    }
    for (i = 0; i < c->n_offered; i++)
      graph_window_add(c, c->offered[i]);
  } else if (c->names || c->n_offered) {
    /* The compiled queries rely on it (icx_compile.c, compile_typed_by_pattern). */
    shown = icx_store_term_text(c->store, c->subj);
    icx_fail(ctx, ICX_ERR_INVALID, "%s: %s has <%s> but is not typed <%s> or a class under it",
             c->d->source, shown ? shown : "?",
             c->names ? icx_vocab_name_property(v) : icx_vocab_offers_property(v), cloud);
    rc = -1;
    goto done;
  }
  /* Every attribute it has needs its domain among the subject's types. */
  for (i = 0; i < c->n_used; i++) {
    const attr_id *a = c->used[i];
    const char *dom = icx_attribute_domain(a->a);
    int typed = 0;
    for (j = 0; j < c->n_types && !typed; j++) {
      unsigned char *m = &c->typed[(size_t)(c->types[j] - c->cls) * c->n_attrs +
                                   (size_t)(a - c->attrs)];
      if (!*m)
        *m = icx_vocab_class_subsumes(v, dom, c->types[j]->iri) ? 1 : 2;
      typed = *m == 1;
    }
    if (!typed) {
      shown = icx_store_term_text(c->store, c->subj);
      icx_fail(ctx, ICX_ERR_INVALID, "%s: %s has %s but is not typed <%s>", c->d->source,
               shown ? shown : "?", icx_attribute_label(a->a), dom);
      rc = -1;
      goto done;
    }
    is_service |= a->of_service;
  }
  if (is_service && !graph_offered_by_cloud(c, c->subj) && !c->rc) {
    shown = icx_store_term_text(c->store, c->subj);
    icx_fail(ctx, ICX_ERR_INVALID,
             "%s: service %s belongs to no cloud (no <%s> links a cloud to it)",
             c->d->source, shown ? shown : "?", icx_vocab_offers_property(v));
    rc = -1;
  }
done:
  free(shown);                /* icx_store_term_text()'s, from the C library */
  if (rc && !c->rc)
    c->rc = ICX_ERR_INVALID;
  c->subj = 0;
  c->names = 0;
  c->n_types = c->n_used = c->n_offered = 0;
  return rc;
}

static int
graph_quad(void *ud, icx_id s, icx_id p, icx_id o)
{
  gcheck *c = ud;
  attr_id key;
  const attr_id *a;
  const cls *k;
  int nomem = 0;

  if (s != c->subj) {
    if (graph_subject_done(c) || c->rc)
      return 1;
    c->subj = s;
  }
  if (p == c->type && (k = graph_find_cls(c, o)))
    nomem = graph_grow(c->d->l->ctx, (void **)&c->types, &c->cap_types, c->n_types, sizeof *c->types) ||
            !(c->types[c->n_types++] = k);
  if (p == c->name)
    c->names++;
  if (p == c->offers)
    nomem |= graph_grow(c->d->l->ctx, (void **)&c->offered, &c->cap_offered, c->n_offered, sizeof *c->offered) ||
             !(c->offered[c->n_offered++] = o);
  key.id = p;
  if (c->n_attrs && (a = bsearch(&key, c->attrs, c->n_attrs, sizeof key, graph_cmp_attr_id)) &&
      (!c->n_used || c->used[c->n_used - 1] != a))
    nomem |= graph_grow(c->d->l->ctx, (void **)&c->used, &c->cap_used, c->n_used, sizeof *c->used) ||
             !(c->used[c->n_used++] = a);
  if (nomem)
    c->rc = icx_fail(c->d->l->ctx, ICX_ERR_NOMEM, "out of memory");
  return c->rc != ICX_OK;
}

/* Adds the classes of iris (NULL-ended; may be NULL) to c's table. */
static icx_rc
graph_add_classes(gcheck *c, const char *const *iris, int cloud, int service)
{
  size_t i;

  for (i = 0; iris && iris[i]; i++) {
    icx_id id = icx_store_iri_id(c->store, iris[i]);
    cls *nv;
    if (id < 0)
      return ICX_ERR_STORE;   /* the caller says so, with the store's message */
    if (id == 0)
      continue;               /* no statement can use it */
    if (!(nv = icx_realloc(c->d->l->ctx, c->cls, (c->n_cls + 1) * sizeof *nv)))
      return icx_fail(c->d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    c->cls = nv;
    nv[c->n_cls].id = id;
    nv[c->n_cls].iri = iris[i];
    nv[c->n_cls].cloud = cloud;
    nv[c->n_cls].service = service;
    c->n_cls++;
  }
  return 0;
}

/* Graph checks: clouds have one name; things described by attributes are
 * typed with the attributes' domain and offered by a cloud; only clouds
 * have a name or offer services; there is a cloud.  Reads the graph the
 * load wrote, subject by subject.  ICX_OK or the failure, with its
 * message set. */
icx_rc
icx_loader_check_graph(icx_loader_doc *d, const char *doc_uri)
{
  icx_loader *l = d->l;
  const icx_vocab *v = l->vocab;
  const char *cloud = icx_vocab_cloud_class(v);
  size_t i, n = icx_vocab_attribute_count(v), k;
  gcheck c;
  icx_rc rc = ICX_OK;
  icx_ctx *ctx = l->ctx;

  memset(&c, 0, sizeof c);
  c.d = d;
  c.store = l->store;
  c.g = icx_store_iri_id(c.store, doc_uri);
  c.type = icx_store_iri_id(c.store, ICX_LOADER_RDF_TYPE);
  c.name = icx_store_iri_id(c.store, icx_vocab_name_property(v));
  c.offers = icx_store_iri_id(c.store, icx_vocab_offers_property(v));
  c.attrs = icx_calloc(ctx, n ? n : 1, sizeof *c.attrs);
  c.window = icx_calloc(ctx, 2 * OFFERED_WINDOW, sizeof *c.window);
  if (!c.attrs || !c.window) {
    rc = icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (c.g < 0 || c.type < 0 || c.name < 0 || c.offers < 0)
    goto store_failed;
  if ((rc = graph_add_classes(&c, icx_vocab_subclasses(v, cloud), 1, 0)))
    goto classes_failed;
  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_vocab_attribute(v, i);
    const char *dom = icx_attribute_domain(a);
    icx_id id = icx_store_iri_id(c.store, icx_attribute_iri(a));
    if (id < 0)
      goto store_failed;
    if ((rc = graph_add_classes(&c, icx_vocab_subclasses(v, dom), 0,
                          !icx_vocab_class_subsumes(v, cloud, dom))))
      goto classes_failed;
    if (id > 0) {
      c.attrs[c.n_attrs].id = id;
      c.attrs[c.n_attrs].of_service = !icx_vocab_class_subsumes(v, cloud, dom);
      c.attrs[c.n_attrs++].a = a;
    }
  }
  if (c.n_attrs > 1)
    qsort(c.attrs, c.n_attrs, sizeof *c.attrs, graph_cmp_attr_id);
  if (c.n_cls > 1)
    qsort(c.cls, c.n_cls, sizeof *c.cls, graph_cmp_cls);
  for (i = 0, k = 0; i < c.n_cls; i++) {       /* one entry per class */
    if (k && c.cls[k - 1].id == c.cls[i].id) {
      c.cls[k - 1].cloud |= c.cls[i].cloud;
      c.cls[k - 1].service |= c.cls[i].service;
    } else {
      c.cls[k++] = c.cls[i];
    }
  }
  c.n_cls = k;
  if (!(c.typed = icx_calloc(ctx, c.n_cls * c.n_attrs + 1, 1))) {
    rc = icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (c.g > 0) {
    if (icx_store_walk(c.store, c.g, 0, 0, 0, graph_quad, &c))
      goto store_failed;
    if (!c.rc)
      graph_subject_done(&c);
    if (c.rc == ICX_ERR_STORE)
      goto store_failed;
    if (c.rc) {
      rc = c.rc;
      goto done;
    }
  }
  if (c.clouds == 0)
    rc = icx_fail(l->ctx, ICX_ERR_INVALID, "%s: describes no cloud (nothing is typed <%s>)",
                  d->source, cloud);
  goto done;
classes_failed:
  if (rc != ICX_ERR_STORE)
    goto done;                /* out of memory, said */
store_failed:
  rc = icx_fail(l->ctx, ICX_ERR_STORE, "%s: cannot check the graph: %s", d->source,
                icx_store_errmsg(c.store));
done:
  icx_free(ctx, c.cls);
  icx_free(ctx, c.attrs);
  icx_free(ctx, c.typed);
  icx_free(ctx, c.types);
  icx_free(ctx, c.used);
  icx_free(ctx, c.offered);
  icx_free(ctx, c.window);
  return rc;
}

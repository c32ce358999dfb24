/* icx_scope.c - a plan run on the statements of a few documents
 * (icx_scope.h).
 *
 * The statements are kept sorted by subject, predicate and object term
 * id; each term's text, whether it is an IRI, and its number (a literal
 * whose text parses whole as one) are kept beside.  A plan item on a
 * subject is then a binary search for the subject's run and a look at
 * each value, as icx_match_index.c looks up bitmaps: a required item must
 * be met by each of its parts, a required negation must not be met by its
 * first part, a slot no required positive item binds is bound by its
 * classes (rdf:type), and a cloud is in the answer when it meets slot 0
 * and offers, for every other slot, one service meeting that slot. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_scope.h"
#include "icx_store_ids.h"

typedef struct scope_quad {
  icx_id s, p, o;
} scope_quad;

typedef struct scope_term {
  icx_id id;
  char *text;      /* IRI, or the literal's lexical form; NULL for a blank node */
  int iri;
  int has_num;
  double num;
} scope_term;

struct icx_scope {
  icx_ctx *ctx;
  scope_quad *q;
  size_t n, cap;
  scope_term *t;   /* sorted by id */
  size_t n_t;
};

static int
scope_quad_add(void *ud, icx_id s, icx_id p, icx_id o)
{
  icx_scope *sc = ud;

  if (sc->n == sc->cap) {
    size_t ncap = sc->cap ? sc->cap * 2 : 64;
    scope_quad *nq = icx_realloc(sc->ctx, sc->q, ncap * sizeof *nq);
    if (!nq)
      return 1;
    sc->q = nq;
    sc->cap = ncap;
  }
  sc->q[sc->n].s = s;
  sc->q[sc->n].p = p;
  sc->q[sc->n].o = o;
  sc->n++;
  return 0;
}

static int
scope_cmp_quad(const void *a, const void *b)
{
  const scope_quad *x = a, *y = b;

  if (x->s != y->s)
    return x->s < y->s ? -1 : 1;
  if (x->p != y->p)
    return x->p < y->p ? -1 : 1;
  return (x->o > y->o) - (x->o < y->o);
}

static int
scope_cmp_id(const void *a, const void *b)
{
  icx_id x = *(const icx_id *)a, y = *(const icx_id *)b;

  return (x > y) - (x < y);
}

void
icx_scope_free(icx_scope *sc)
{
  size_t i;

  if (!sc)
    return;
  for (i = 0; i < sc->n_t; i++)
    icx_free(sc->ctx, sc->t[i].text);
  icx_free(sc->ctx, sc->t);
  icx_free(sc->ctx, sc->q);
  icx_free(sc->ctx, sc);
}

size_t
icx_scope_size(const icx_scope *sc)
{
  return sc ? sc->n : 0;
}

/* The terms of the quads: ids, kinds, texts and numbers. */
static icx_rc
scope_terms(icx_ctx *ctx, icx_store *store, icx_scope *sc)
{
  icx_id *ids = icx_malloc(ctx, (3 * sc->n + 1) * sizeof *ids);
  char **lex = NULL;
  size_t i, n = 0, o;
  icx_rc rc = ICX_OK;

  if (!ids)
    return ICX_ERR_NOMEM;
  for (i = 0; i < sc->n; i++) {
    ids[n++] = sc->q[i].s;
    ids[n++] = sc->q[i].p;
    ids[n++] = sc->q[i].o;
  }
  qsort(ids, n, sizeof *ids, scope_cmp_id);
  for (i = 1, o = n ? 1 : 0; i < n; i++)
    if (ids[i] != ids[o - 1])
      ids[o++] = ids[i];
  n = o;
  sc->t = icx_calloc(ctx, n + 1, sizeof *sc->t);
  lex = icx_calloc(ctx, n + 1, sizeof *lex);
  if (!sc->t || !lex) {
    rc = ICX_ERR_NOMEM;
    goto done;
  }
  if ((rc = icx_store_lex(store, ids, n, lex)) != ICX_OK)
    goto done;
  for (i = 0; i < n; i++) {
    scope_term *t = &sc->t[i];
    char *shown = icx_store_term_text(store, ids[i]);
    t->id = ids[i];
    t->text = lex[i];
    lex[i] = NULL;
    sc->n_t = i + 1;
    if (!shown || !t->text) {
      free(shown);
      rc = icx_fail(ctx, ICX_ERR_STORE, "a statement's term %lld has no text",
                    (long long)ids[i]);
      goto done;
    }
    t->iri = shown[0] == '<';
    if (shown[0] == '"' && *t->text) {
      char *end = NULL;
      double v = strtod(t->text, &end);
      if (end && !*end && !isnan(v)) {
        t->has_num = 1;
        t->num = v;
      }
    }
    free(shown);
  }
done:
  for (i = 0; lex && i < n; i++)
    icx_free(ctx, lex[i]);
  icx_free(ctx, lex);
  icx_free(ctx, ids);
  return rc;
}

icx_rc
icx_scope_new(icx_ctx *ctx, icx_store *store, const char *const *doc_uris, size_t n,
              icx_scope **out)
{
  icx_scope *sc;
  icx_rc rc = ICX_OK;
  size_t i;
  int own;

  if (!ctx || !store || (!doc_uris && n) || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  if (!(sc = icx_calloc(ctx, 1, sizeof *sc)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  sc->ctx = ctx;
  own = icx_store_read_begin(store);
  for (i = 0; i < n && rc == ICX_OK; i++) {
    icx_id g = icx_store_iri_id(store, doc_uris[i]);
    if (g < 0)
      rc = icx_fail(ctx, ICX_ERR_STORE, "cannot look %s up", doc_uris[i]);
    else if (g > 0 && icx_store_walk(store, g, 0, 0, 0, scope_quad_add, sc) != 0)
      rc = icx_fail(ctx, sc->n == sc->cap ? ICX_ERR_NOMEM : ICX_ERR_STORE,
                    "cannot read the document %s", doc_uris[i]);
  }
  if (rc == ICX_OK) {
    if (sc->n)
      qsort(sc->q, sc->n, sizeof *sc->q, scope_cmp_quad);
    rc = scope_terms(ctx, store, sc);
  }
  rc = icx_store_read_end(store, own, rc);
  if (rc != ICX_OK) {
    icx_scope_free(sc);
    return rc == ICX_ERR_NOMEM ? icx_fail(ctx, ICX_ERR_NOMEM, "out of memory") : rc;
  }
  *out = sc;
  return ICX_OK;
}

/* --- matching -------------------------------------------------------------- */

static const scope_term *
scope_term_of(const icx_scope *sc, icx_id id)
{
  size_t lo = 0, hi = sc->n_t;

  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (sc->t[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < sc->n_t && sc->t[lo].id == id ? &sc->t[lo] : NULL;
}

/* The id of the IRI iri among the scope's terms, or 0. */
static icx_id
scope_iri(const icx_scope *sc, const char *iri)
{
  size_t i;

  for (i = 0; i < sc->n_t; i++)
    if (sc->t[i].iri && !strcmp(sc->t[i].text, iri))
      return sc->t[i].id;
  return 0;
}

/* The first quad of (s, p), and *end past the last. */
static size_t
scope_run(const icx_scope *sc, icx_id s, icx_id p, size_t *end)
{
  size_t lo = 0, hi = sc->n, e;

  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const scope_quad *q = &sc->q[mid];
    if (q->s < s || (q->s == s && q->p < p))
      lo = mid + 1;
    else
      hi = mid;
  }
  for (e = lo; e < sc->n && sc->q[e].s == s && sc->q[e].p == p; e++)
    ;
  *end = e;
  return lo;
}

static int
scope_in_list(const char *text, const char *const *list, size_t n)
{
  size_t k;

  for (k = 0; k < n; k++)
    if (!strcmp(text, list[k]))
      return 1;
  return 0;
}

/* 1 if a value of subject x for predicate p meets part. */
static int
scope_part_met(const icx_scope *sc, icx_id x, icx_id p, const icx_plan_part *pt)
{
  size_t i, end, k;

  if (!p)
    return 0;
  for (i = scope_run(sc, x, p, &end); i < end; i++) {
    const scope_term *v = scope_term_of(sc, sc->q[i].o);
    if (!v)
      continue;
    switch (pt->kind) {
    case ICX_PLAN_ANY:
      return 1;
    case ICX_PLAN_RANGE:
      if (v->has_num && (pt->lo_open ? v->num > pt->lo : v->num >= pt->lo) &&
          (pt->hi_open ? v->num < pt->hi : v->num <= pt->hi))
        return 1;
      break;
    case ICX_PLAN_NUMBERS:
      for (k = 0; v->has_num && k < pt->n_nums; k++)
        if (v->num == pt->nums[k])
          return 1;
      break;
    case ICX_PLAN_IRIS:
      if (v->iri && scope_in_list(v->text, pt->iris, pt->n_iris))
        return 1;
      break;
    case ICX_PLAN_OTHER:
      break;
    }
  }
  return 0;
}

/* 1 if subject x has an rdf:type among types (NULL-ended). */
static int
scope_typed(const icx_scope *sc, icx_id x, icx_id type_p, const char *const *types)
{
  size_t i, end;

  if (!type_p)
    return 0;
  for (i = scope_run(sc, x, type_p, &end); i < end; i++) {
    const scope_term *v = scope_term_of(sc, sc->q[i].o);
    size_t k;
    for (k = 0; v && v->iri && types[k]; k++)
      if (!strcmp(v->text, types[k]))
        return 1;
  }
  return 0;
}

/* 1 if x may fill slot si: its required items met, or its classes when
 * no required positive item binds it. */
static int
scope_slot_ok(const icx_scope *sc, const icx_plan *plan, const icx_id *preds, size_t si,
              icx_id x, icx_id type_p)
{
  size_t i, k, n = icx_plan_count(plan);
  int bound = si == 0;
  const char *const *types = icx_plan_slot_types(plan, si);

  for (i = 0; i < n; i++) {
    const icx_plan_item *it = icx_plan_item_at(plan, i);
    if (it->slot != si || !it->required)
      continue;
    if (it->negative) {
      if (it->n_parts && scope_part_met(sc, x, preds[i], &it->parts[0]))
        return 0;
      continue;
    }
    for (k = 0; k < it->n_parts; k++)
      if (!scope_part_met(sc, x, preds[i], &it->parts[k]))
        return 0;
    bound = 1;
  }
  if ((!bound || si == 0) && types)
    return scope_typed(sc, x, type_p, types);
  return bound || !types ? bound : 0;
}

icx_rc
icx_scope_match(icx_ctx *ctx, const icx_scope *sc, const icx_plan *plan, icx_scope_fn fn,
                void *userdata)
{
  size_t n_items, n_slots, i, j, end, e2, k;
  icx_id name_p, offers_p, type_p, *preds;
  icx_id last = 0;

  if (!ctx || !sc || !plan || !fn)
    return ICX_ERR_MISUSE;
  if (!icx_plan_typed(plan))
    return icx_fail(ctx, ICX_ERR_QUERY, "the plan is not typed: match the whole store");
  n_items = icx_plan_count(plan);
  n_slots = icx_plan_slot_count(plan);
  name_p = scope_iri(sc, icx_plan_name_property(plan));
  offers_p = scope_iri(sc, icx_plan_offers_property(plan));
  type_p = scope_iri(sc, ICX_PLAN_RDF_TYPE);
  if (!name_p)
    return ICX_OK;              /* no cloud in scope */
  if (!(preds = icx_calloc(ctx, n_items + 1, sizeof *preds)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (i = 0; i < n_items; i++)
    preds[i] = scope_iri(sc, icx_plan_item_at(plan, i)->predicate);
  /* Clouds: the subjects of the name property, in order. */
  for (i = 0; i < sc->n; i++) {
    icx_id c = sc->q[i].s;
    int ok = 1;
    if (sc->q[i].p != name_p || c == last)
      continue;
    last = c;
    if (!scope_slot_ok(sc, plan, preds, 0, c, type_p))
      continue;
    for (j = 1; ok && j < n_slots; j++) {
      int found = 0;
      for (k = scope_run(sc, c, offers_p, &end); !found && offers_p && k < end; k++)
        found = scope_slot_ok(sc, plan, preds, j, sc->q[k].o, type_p);
      ok = found;
    }
    if (!ok)
      continue;
    for (k = scope_run(sc, c, name_p, &e2); k < e2; k++) {
      const scope_term *nm = scope_term_of(sc, sc->q[k].o);
      if (nm && nm->text && fn(userdata, nm->text)) {
        icx_free(ctx, preds);
        return ICX_OK;
      }
    }
  }
  icx_free(ctx, preds);
  return ICX_OK;
}

void
icx_scope_values(const icx_scope *sc, icx_scope_value_fn fn, void *userdata)
{
  size_t i;

  if (!sc || !fn)
    return;
  for (i = 0; i < sc->n; i++) {
    const scope_term *p = scope_term_of(sc, sc->q[i].p);
    const scope_term *o = scope_term_of(sc, sc->q[i].o);
    if (!p || !p->text || !o || !o->text)
      continue;
    if (fn(userdata, p->text, o->text, o->iri, o->has_num, o->num))
      return;
  }
}

/* icx_explain.c - explanations, built from matches of constraint subsets
 * and from the values each cloud offers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_explain.h"
#include "icx_explain_internal.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

void
icx_explain_free(icx_explain *e)
{
  icx_ctx *ctx = e ? e->ctx : NULL;
  size_t i, k;

  if (!e)
    return;
  for (i = 0; i < e->n_clouds; i++) {
    for (k = 0; k < e->clouds[i].n_failures; k++)
      icx_free(ctx, e->clouds[i].failures[k].detail);
    icx_free(ctx, e->clouds[i].failures);
    icx_free(ctx, e->clouds[i].name);
  }
  icx_free(ctx, e->clouds);
  for (i = 0; i < e->n_relax; i++)
    icx_free(ctx, e->relax[i].clouds);
  icx_free(ctx, e->alone);
  icx_free(ctx, e->remaining);
  icx_free(ctx, e);
}

/* Counts the clouds meeting the constraints with keep[i] set (all
 * required) into *count, on the index without the answer's names when it
 * can; look (not NULL) learns more of them (icx_match_lookfor). */
static icx_rc
explain_run_subset(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                   const unsigned char *keep, long *count, const icx_match_lookfor *look)
{
  icx_constraints *sub = icx_constraints_select(set, keep, 1);
  size_t k = 0;
  icx_rc rc;

  if (!sub)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  rc = icx_match_count_run(ctx, store, sub, &k, look);
  *count = (long)k;
  icx_constraints_free(sub);
  return rc;
}

/* The values a named cloud offers for one attribute: texts (IRIs, and
 * literals' lexical forms), one per statement. */
typedef struct explain_offer {
  icx_ctx *ctx;
  icx_id type_p, cloud_class, offers_p, attr_p;
  int direct;                   /* the attribute is the cloud's own */
  int typed;                    /* the cloud walked is of the cloud class */
  int failed;                   /* 1: the store failed, 2: out of memory */
  icx_id *names, *clouds, *svcs, *vals;
  size_t n_names, n_clouds, n_svcs, n_vals;
  size_t cap_names, cap_clouds, cap_svcs, cap_vals;
  char **text;                  /* the values' texts, n_vals of them */
} explain_offer;

static int
offered_push(explain_offer *o, icx_id **v, size_t *n, size_t *cap, icx_id id)
{
  if (*n == *cap) {
    size_t ncap = *cap ? 2 * *cap : 16;
    icx_id *nv = icx_realloc(o->ctx, *v, ncap * sizeof *nv);
    if (!nv) {
      o->failed = 2;
      return 1;
    }
    *v = nv;
    *cap = ncap;
  }
  (*v)[(*n)++] = id;
  return 0;
}

static int
offered_name(void *ud, icx_id id)
{
  explain_offer *o = ud;

  return offered_push(o, &o->names, &o->n_names, &o->cap_names, id);
}

static int
offered_cloud(void *ud, icx_id s)
{
  explain_offer *o = ud;

  return offered_push(o, &o->clouds, &o->n_clouds, &o->cap_clouds, s);
}

/* A quad of a cloud: its type, its services, its own values. */
static int
offered_cloud_quad(void *ud, icx_id p, icx_id obj, double num)
{
  explain_offer *o = ud;

  (void)num;
  if (p == o->type_p && obj == o->cloud_class)
    o->typed = 1;
  if (!o->direct && p == o->offers_p)
    return offered_push(o, &o->svcs, &o->n_svcs, &o->cap_svcs, obj);
  if (o->direct && p == o->attr_p)
    return offered_push(o, &o->vals, &o->n_vals, &o->cap_vals, obj);
  return 0;
}

static int
offered_service_quad(void *ud, icx_id p, icx_id obj, double num)
{
  explain_offer *o = ud;

  (void)num;
  return p == o->attr_p ? offered_push(o, &o->vals, &o->n_vals, &o->cap_vals, obj) : 0;
}

/* The terms of the name's text, the clouds (of the vocabulary's cloud
 * class) bearing one as their name, their services (unless the attribute
 * is the cloud's own), then the attribute's values: what "?cloud a Cloud
 * ; name ?n ; offers ?s . ?s attribute ?v FILTER (STR(?n) = name)" gives,
 * read from index and primary-key ranges of the store without a query
 * text, so without the RDF libraries (loading them was most of a whole
 * `icx explain --cloud` at 10k clouds). */
static void
offered_read(explain_offer *o, icx_store *store, icx_id name_p, const char *cloud)
{
  size_t i, svcs0, vals0, n_svcs;

  if (icx_store_text_terms(store, cloud, offered_name, o))
    o->failed = o->failed ? o->failed : 1;
  for (i = 0; i < o->n_names && !o->failed; i++)
    if (icx_store_subjects_with(store, name_p, o->names[i], offered_cloud, o))
      o->failed = o->failed ? o->failed : 1;
  for (i = 0; i < o->n_clouds && !o->failed; i++) {
    svcs0 = o->n_svcs;
    vals0 = o->n_vals;
    o->typed = 0;
    if (icx_store_subject_quads(store, o->clouds[i], offered_cloud_quad, o))
      o->failed = o->failed ? o->failed : 1;
    else if (!o->typed) {       /* not a cloud: what it gave goes */
      o->n_svcs = svcs0;
      o->n_vals = vals0;
    }
  }
  n_svcs = o->n_svcs;
  for (i = 0; i < n_svcs && !o->failed; i++)
    if (icx_store_subject_quads(store, o->svcs[i], offered_service_quad, o))
      o->failed = o->failed ? o->failed : 1;
}

static void
offered_clear(explain_offer *o)
{
  size_t i;

  for (i = 0; o->text && i < o->n_vals; i++)
    icx_free(o->ctx, o->text[i]);
  icx_free(o->ctx, o->text);
  icx_free(o->ctx, o->names);
  icx_free(o->ctx, o->clouds);
  icx_free(o->ctx, o->svcs);
  icx_free(o->ctx, o->vals);
}

/* The values the named cloud offers for constraint c's attribute into o
 * (o->text, o->n_vals; offered_clear() it after, whatever the result).
 * ICX_OK, or the failure with its message set. */
static icx_rc
explain_offered_values(icx_ctx *ctx, icx_store *store, const icx_constraints *set, size_t c,
                       const char *cloud, explain_offer *o)
{
  const icx_vocab *v = icx_constraints_vocab(set);
  const icx_attribute *a = icx_constraint_stated_attribute(set, c);
  icx_id name_p;
  icx_rc rc;
  int own;

  memset(o, 0, sizeof *o);
  o->ctx = ctx;
  o->direct = icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), icx_attribute_domain(a));
  own = icx_store_read_begin(store);   /* one snapshot for every read */
  o->type_p = icx_store_iri_id(store, RDF_TYPE);
  o->cloud_class = icx_store_iri_id(store, icx_vocab_cloud_class(v));
  o->offers_p = icx_store_iri_id(store, icx_vocab_offers_property(v));
  o->attr_p = icx_store_iri_id(store, icx_attribute_iri(a));
  name_p = icx_store_iri_id(store, icx_vocab_name_property(v));
  if (o->type_p < 0 || o->cloud_class < 0 || o->offers_p < 0 || o->attr_p < 0 || name_p < 0)
    o->failed = 1;
  else if (o->type_p && o->cloud_class && o->attr_p && name_p && (o->direct || o->offers_p))
    offered_read(o, store, name_p, cloud);   /* else a term no statement has: no value */
  if (!o->failed && o->n_vals) {
    if (!(o->text = icx_calloc(ctx, o->n_vals + 1, sizeof *o->text)))
      o->failed = 2;
    else if ((rc = icx_store_lex(store, o->vals, o->n_vals, o->text)))
      o->failed = rc == ICX_ERR_NOMEM ? 2 : 1;
  }
  if (o->failed == 2) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  } else if (o->failed) {
    /* The store's message, copied: it may be ctx's own buffer. */
    char why[256];
    snprintf(why, sizeof why, "%s", icx_ctx_errmsg(icx_store_ctx(store)));
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot read what %s offers: %s", cloud, why);
  } else {
    rc = ICX_OK;
  }
  return icx_store_read_end(store, own, rc);
}

/* A value as people read it: an individual's label, else as it is. */
static const char *
explain_shown(const icx_attribute *a, const char *value)
{
  const icx_individual *ind = icx_attribute_type(a) == ICX_TYPE_INDIVIDUAL
    ? icx_attribute_find_value(a, value) : NULL;

  return ind ? icx_individual_label(ind) : value;
}

static void
explain_append_asked(icx_buf *b, const icx_constraints *set, size_t c)
{
  const icx_attribute *a = icx_constraint_attribute(set, c);
  size_t k, n = icx_constraint_value_count(set, c);

  icx_buf_appendf(b, "asked %s", icx_op_name(icx_constraint_op(set, c)));
  for (k = 0; k < n && k < ICX_EXPLAIN_LABELS; k++)
    icx_buf_appendf(b, "%s%s", k ? ", " : " ",
                    explain_shown(a, icx_constraint_value_at(set, c, k)));
  if (n > ICX_EXPLAIN_LABELS)
    icx_buf_append(b, ", ...");
  if (icx_constraint_from(set, c))
    icx_buf_appendf(b, " from %s", icx_individual_label(icx_constraint_from(set, c)));
}

/* How a cloud fails a distance constraint: its place that comes closest
 * to meeting it, and that place's figure ("nearest Japan, 180"). */
static void
explain_append_distance_detail(icx_buf *b, const icx_constraints *set, size_t c,
                               const explain_offer *offered)
{
  const icx_attribute *a = icx_constraint_attribute(set, c);
  const icx_attribute *place = icx_attribute_place(a);
  icx_op op = icx_constraint_op(set, c);
  int want_far = op == ICX_OP_AT_LEAST || op == ICX_OP_GREATER;
  const icx_individual *best = NULL;
  double best_d = 0;
  size_t i, unknown = 0;

  for (i = 0; i < offered->n_vals; i++) {
    const char *iri = offered->text[i];
    const icx_individual *p = iri ? icx_attribute_find_value(place, iri) : NULL;
    double least, most, d;
    if (!p || !icx_attribute_distance(a, icx_constraint_from(set, c), p, &least, &most)) {
      unknown++;
      continue;
    }
    d = want_far ? least : most;
    if (!best || (want_far ? d > best_d : d < best_d) ||
        (d == best_d && strcmp(icx_individual_label(p), icx_individual_label(best)) < 0)) {
      best = p;
      best_d = d;
    }
  }
  if (best)
    icx_buf_appendf(b, "%s %s, %g%s%s; ", want_far ? "farthest" : "nearest",
                    icx_individual_label(best), best_d, icx_attribute_unit(a) ? " " : "",
                    icx_attribute_unit(a) ? icx_unit_label(icx_attribute_unit(a)) : "");
  if (unknown)
    icx_buf_appendf(b, "%zu %s with no figure; ", unknown, unknown == 1 ? "place" : "places");
}

/* One sentence on how the cloud fails constraint c. */
static char *
explain_failure_detail(icx_ctx *ctx, const icx_constraints *set, size_t c, const explain_offer *offered)
{
  const icx_attribute *a = icx_constraint_attribute(set, c);
  icx_op op = icx_constraint_op(set, c);
  size_t i, n = offered->n_vals;
  icx_buf b;

  icx_buf_init(&b, ctx);
  icx_buf_appendf(&b, "%s: ", icx_attribute_label(a));
  if (n == 0 && icx_constraint_from(set, c)) {
    icx_buf_appendf(&b, "no %s; ", icx_attribute_label(icx_constraint_stated_attribute(set, c)));
    explain_append_asked(&b, set, c);
    return icx_buf_take(&b);
  }
  if (n == 0) {
    icx_buf_append(&b, "no value; ");
    explain_append_asked(&b, set, c);
    return icx_buf_take(&b);
  }
  if (icx_constraint_from(set, c)) {
    explain_append_distance_detail(&b, set, c, offered);
    explain_append_asked(&b, set, c);
    return icx_buf_take(&b);
  }
  if (op == ICX_OP_AT_LEAST || op == ICX_OP_GREATER || op == ICX_OP_AT_MOST ||
      op == ICX_OP_LESS) {
    int want_max = op == ICX_OP_AT_LEAST || op == ICX_OP_GREATER;
    const char *best = NULL;
    double bv = 0;
    for (i = 0; i < n; i++) {
      const char *val = offered->text[i];
      double d = val ? strtod(val, NULL) : 0;
      if (val && (!best || (want_max ? d > bv : d < bv))) {
        best = val;
        bv = d;
      }
    }
    icx_buf_appendf(&b, "best offer %s, ", best ? best : "?");
    explain_append_asked(&b, set, c);
    return icx_buf_take(&b);
  }
  {
    /* Labels sorted and each once, so that the sentence is stable. */
    const char **labels = icx_calloc(ctx, n + 1, sizeof *labels);
    size_t m = 0;
    if (!labels) {
      icx_buf_free(&b);
      return NULL;
    }
    for (i = 0; i < n; i++)
      if (offered->text[i])
        labels[m++] = explain_shown(a, offered->text[i]);
    qsort(labels, m, sizeof *labels, icx_cmp_strp);
    icx_buf_append(&b, "offers ");
    for (i = 0; i < m && i < ICX_EXPLAIN_LABELS; i++)
      if (i == 0 || strcmp(labels[i], labels[i - 1]))
        icx_buf_appendf(&b, "%s%s", i ? "; " : "", labels[i]);
    if (m > ICX_EXPLAIN_LABELS)
      icx_buf_append(&b, "; ...");
    icx_free(ctx, labels);
  }
  icx_buf_append(&b, "; ");
  explain_append_asked(&b, set, c);
  if (icx_attribute_type(a) == ICX_TYPE_INDIVIDUAL && op != ICX_OP_EQUAL &&
      op != ICX_OP_NOT_EQUAL && op != ICX_OP_EXISTS && op != ICX_OP_ABSENT)
    icx_buf_append(&b, " (or narrower)");
  return icx_buf_take(&b);
}

/* Cloud i of the n_clouds named: known, in the whole answer (in_all),
 * in constraint c's alone (in_alone[c * n_clouds + i]). */
static icx_rc
explain_cloud(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
              const unsigned char *in_alone, int in_all, int known, size_t i, size_t n_clouds,
              explain_cloud_note *note)
{
  size_t c, n = icx_constraints_count(set);
  icx_rc rc = ICX_OK;

  note->known = known;
  note->matches = in_all;
  if (!note->known || note->matches)
    return ICX_OK;
  note->failures = icx_calloc(ctx, n + 1, sizeof *note->failures);
  if (!note->failures)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (c = 0; c < n; c++) {
    explain_offer o;
    char *detail;
    if (in_alone[c * n_clouds + i])
      continue;
    if ((rc = explain_offered_values(ctx, store, set, c, note->name, &o))) {
      offered_clear(&o);
      return rc;
    }
    detail = explain_failure_detail(ctx, set, c, &o);
    offered_clear(&o);
    if (!detail)
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    note->failures[note->n_failures].constraint = c;
    note->failures[note->n_failures].detail = detail;
    note->n_failures++;
  }
  return ICX_OK;
}

/* names[0 .. n), up to the first NULL, comma-separated; NULL on ENOMEM. */
static char *
explain_join_names(icx_ctx *ctx, char *const *names, size_t n)
{
  icx_buf b;
  size_t i;

  icx_buf_init(&b, ctx);
  for (i = 0; i < n && names[i]; i++)
    icx_buf_appendf(&b, "%s%s", i ? ", " : "", names[i]);
  return icx_buf_take(&b);
}

/* Tries every way to remove k constraints (indices ascending from
 * start); records the removals that give a match. */
static icx_rc
explain_relax(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_explain *e,
              unsigned char *keep, size_t *removed, size_t depth, size_t k, size_t start)
{
  size_t n = icx_constraints_count(set), c;
  icx_rc rc;

  if (depth == k) {
    /* Counted, and its first names copied: not the whole answer. */
    char *first[ICX_EXPLAIN_RELAXATION_NAMES] = { NULL };
    icx_match_lookfor look = { NULL, 0, NULL, ICX_EXPLAIN_RELAXATION_NAMES, first };
    long count = 0;
    size_t j;
    rc = explain_run_subset(ctx, store, set, keep, &count, &look);
    if (!rc && count > 0 && e->n_relax < EXPLAIN_MAX_RELAXATIONS) {
      explain_relaxation *r = &e->relax[e->n_relax];
      memcpy(r->removed, removed, k * sizeof *removed);
      r->size = k;
      r->matching = count;
      if ((r->clouds = explain_join_names(ctx, first, ICX_EXPLAIN_RELAXATION_NAMES)))
        e->n_relax++;
      else
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    }
    for (j = 0; j < ICX_EXPLAIN_RELAXATION_NAMES; j++)
      icx_free(ctx, first[j]);
    return rc;
  }
  for (c = start; c < n; c++) {
    keep[c] = 0;
    removed[depth] = c;
    rc = explain_relax(ctx, store, set, e, keep, removed, depth + 1, k, c + 1);
    keep[c] = 1;
    if (rc)
      return rc;
  }
  return ICX_OK;
}

icx_rc
icx_explain_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                const char *const *clouds, size_t n_clouds, icx_explain **out)
{
  icx_explain *e;
  size_t n, c, i;
  unsigned char *keep = NULL, *in_alone = NULL, *in_all = NULL, *known = NULL;
  icx_match_lookfor look = { clouds, n_clouds, NULL, 0, NULL };
  icx_rc rc = ICX_OK;
  int timed;

  if (!ctx || !store || !set || !out || (n_clouds && !clouds))
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  n = icx_constraints_count(set);
  /* A request the compiler refuses whole (too many patterns) is refused
   * before any query runs, with the whole request's count. */
  if ((rc = icx_compile_check(ctx, set)))
    return rc;
  if (n && n_clouds > ((size_t)-1 - 1) / n)
    return icx_fail(ctx, ICX_ERR_LIMIT, "too many clouds named");
  timed = icx_deadline_start(ctx);     /* one budget for all its queries */
  if ((e = icx_calloc(ctx, 1, sizeof *e)))
    e->ctx = ctx;
  keep = icx_calloc(ctx, n + 1, 1);
  /* Where each cloud named is: every subset is only counted, the names
   * looked for in it (no answer is made, whatever its size). */
  in_alone = icx_calloc(ctx, n * n_clouds + 1, 1);
  in_all = icx_calloc(ctx, n_clouds + 1, 1);
  known = icx_calloc(ctx, n_clouds + 1, 1);
  if (!e || !keep || !in_alone || !in_all || !known ||
      !(e->alone = icx_calloc(ctx, n + 1, sizeof *e->alone)) ||
      !(e->remaining = icx_calloc(ctx, n + 1, sizeof *e->remaining)) ||
      !(e->clouds = icx_calloc(ctx, n_clouds + 1, sizeof *e->clouds))) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  e->set = set;
  e->n = n;
  for (c = 0; c < n; c++) {
    memset(keep, 0, n);
    keep[c] = 1;
    look.has = in_alone + c * n_clouds;
    if ((rc = explain_run_subset(ctx, store, set, keep, &e->alone[c],
                                 n_clouds ? &look : NULL)))
      goto done;
    memset(keep, 1, c + 1);
    look.has = in_all;            /* the last subset is the whole request */
    if ((rc = explain_run_subset(ctx, store, set, keep, &e->remaining[c],
                                 n_clouds ? &look : NULL)))
      goto done;
  }
  memset(keep, 0, n + 1);
  if (!n) {
    look.has = in_all;
    if ((rc = explain_run_subset(ctx, store, set, keep, &e->matching,
                                 n_clouds ? &look : NULL)))
      goto done;
  } else {
    e->matching = e->remaining[n - 1];
  }
  if (n_clouds) {   /* every cloud there is, for "known" */
    long every = 0;
    look.has = known;
    if ((rc = explain_run_subset(ctx, store, set, keep, &every, &look)))
      goto done;
  }
  for (i = 0; i < n_clouds; i++) {
    explain_cloud_note *note = &e->clouds[e->n_clouds];
    if (!(note->name = icx_strdup(ctx, clouds[i] ? clouds[i] : ""))) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    e->n_clouds++;
    if ((rc = explain_cloud(ctx, store, set, in_alone, in_all[i], known[i], i, n_clouds, note)))
      goto done;
  }
  e->skipped_relax = e->matching == 0 && n > ICX_EXPLAIN_MAX_CONSTRAINTS;
  if (e->matching == 0 && n > 0 && n <= ICX_EXPLAIN_MAX_CONSTRAINTS) {
    size_t k, removed[ICX_EXPLAIN_MAX_REMOVED];
    for (k = 1; k <= ICX_EXPLAIN_MAX_REMOVED && k <= n && e->n_relax == 0; k++) {
      memset(keep, 1, n);
      if ((rc = explain_relax(ctx, store, set, e, keep, removed, 0, k, 0)))
        goto done;
    }
  }
  *out = e;
  e = NULL;
done:
  if (rc == ICX_ERR_LIMIT && timed)
    icx_deadline_failure(ctx);
  icx_deadline_stop(ctx, timed);
  icx_free(ctx, in_alone);
  icx_free(ctx, in_all);
  icx_free(ctx, known);
  icx_free(ctx, keep);
  icx_explain_free(e);
  return rc;
}

size_t icx_explain_constraint_count(const icx_explain *e) { return e->n; }
int icx_explain_relaxations_skipped(const icx_explain *e) { return e->skipped_relax; }
long icx_explain_alone(const icx_explain *e, size_t c) { return c < e->n ? e->alone[c] : 0; }
long icx_explain_matching(const icx_explain *e) { return e->matching; }
size_t icx_explain_cloud_count(const icx_explain *e) { return e->n_clouds; }
size_t icx_explain_relaxation_count(const icx_explain *e) { return e->n_relax; }

long
icx_explain_remaining(const icx_explain *e, size_t c)
{
  return c < e->n ? e->remaining[c] : 0;
}

const char *
icx_explain_cloud(const icx_explain *e, size_t i)
{
  return i < e->n_clouds ? e->clouds[i].name : NULL;
}

int
icx_explain_cloud_known(const icx_explain *e, size_t i)
{
  return i < e->n_clouds && e->clouds[i].known;
}

int
icx_explain_cloud_matches(const icx_explain *e, size_t i)
{
  return i < e->n_clouds && e->clouds[i].matches;
}

size_t
icx_explain_failure_count(const icx_explain *e, size_t i)
{
  return i < e->n_clouds ? e->clouds[i].n_failures : 0;
}

size_t
icx_explain_failure_constraint(const icx_explain *e, size_t i, size_t k)
{
  return e->clouds[i].failures[k].constraint;
}

const char *
icx_explain_failure_detail(const icx_explain *e, size_t i, size_t k)
{
  return e->clouds[i].failures[k].detail;
}

size_t
icx_explain_relaxation_size(const icx_explain *e, size_t r)
{
  return r < e->n_relax ? e->relax[r].size : 0;
}

size_t
icx_explain_relaxation_removed(const icx_explain *e, size_t r, size_t k)
{
  return e->relax[r].removed[k];
}

long
icx_explain_relaxation_matching(const icx_explain *e, size_t r)
{
  return r < e->n_relax ? e->relax[r].matching : 0;
}

const char *
icx_explain_relaxation_clouds(const icx_explain *e, size_t r)
{
  return r < e->n_relax ? e->relax[r].clouds : NULL;
}

/* icx_vocab_distance.c - distance attributes (such as latency): figure tables between zones. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

/* icxm:placeAttribute and icxm:figureClass; doc/ontology.md, "Network latency". */

/* --- building the figure table ---------------------------------------------------- */

/* 1 if y is x or narrower than x. */
static int
vocab_within(const icx_individual *y, const icx_individual *x)
{
  const icx_individual *const *n;

  for (n = x->narrower; *n; n++)
    if (*n == y)
      return 1;
  return 0;
}

/* The index of zone z in a's table, adding it if new; (size_t)-1 on ENOMEM. */
static size_t
vocab_zone_slot(icx_ctx *ctx, icx_attribute *a, const icx_individual *z)
{
  const icx_individual **nz;
  size_t i;

  for (i = 0; i < a->n_zones; i++)
    if (a->zones[i] == z)
      return i;
  nz = icx_realloc(ctx, a->zones, (a->n_zones + 1) * sizeof *nz);
  if (!nz)
    return (size_t)-1;
  a->zones = nz;
  nz[a->n_zones] = z;
  return a->n_zones++;
}

typedef struct vocab_figure {
  size_t x, y;
  double d;
  const char *iri;
} vocab_figure;

/* Reads one figure individual into *f (zones added to a's table). */
static icx_rc
vocab_read_figure(vocab_loadstate *ls, icx_attribute *a, const char *iri, vocab_figure *f)
{
  icx_ctx *ctx = ls->ctx;
  char **between = NULL, **nums = NULL;
  size_t n_between = 0, n_nums = 0, k, at[2] = { 0, 0 };
  icx_rc rc = ICX_OK;

  f->iri = iri;
  if (icx_vocab_objects(ls, iri, ICX_MATCH_NS "between", 1, &between, &n_between) ||
      icx_vocab_objects(ls, iri, ICX_MATCH_NS "figure", 2, &nums, &n_nums)) {
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
    size_t at_value = icx_vocab_value_index(a->place, between[k]);
    const icx_individual *z = at_value != (size_t)-1 ? a->place->by_iri[at_value] : NULL;
    if (!z) {
      rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: <%s> is between <%s>, which is "
                    "not a value of %s", a->label, iri, between[k], a->place->label);
      goto done;
    }
    if ((at[k] = vocab_zone_slot(ls->ctx, a, z)) == (size_t)-1) {
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
  }
  f->x = at[0];
  f->y = n_between == 2 ? at[1] : at[0];
done:
  icx_vocab_strv_free(ctx, between, n_between);
  icx_vocab_strv_free(ctx, nums, n_nums);
  return rc;
}

/* The zones place p counts by, as a bit mask: the table's zones it lies
 * in (or is), else the zones that the places in it lie in. */
static uint64_t
vocab_zones_of(const icx_attribute *a, const icx_individual *p)
{
  uint64_t m = 0;
  size_t i;
  const icx_individual *const *q;

  for (i = 0; i < a->n_zones; i++)
    if (vocab_within(p, a->zones[i]))
      m |= (uint64_t)1 << i;
  if (m == 0)   /* wider than any zone (EMEA), or across them (Middle East) */
    for (i = 0; i < a->n_zones; i++)
      for (q = p->narrower; *q; q++)
        if (vocab_within(*q, a->zones[i])) {
          m |= (uint64_t)1 << i;
          break;
        }
  return m;
}

/* Resolves attribute a's icxm:placeAttribute and reads its figure table.
 * Runs once every attribute is built. */
icx_rc
icx_vocab_build_distance(vocab_loadstate *ls, icx_vocab *v, icx_attribute *a)
{
  icx_ctx *ctx = ls->ctx;
  char **figs = NULL;
  size_t n_figs = 0, i, k;
  vocab_figure *f = NULL;
  icx_rc rc = ICX_OK;

  if (!a->place_iri && !a->figure_class)
    return ICX_OK;
  if (!a->place_iri || !a->figure_class)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s needs both icxm:placeAttribute and "
                    "icxm:figureClass, or neither", a->label);
  a->place = icx_vocab_attr_by_iri(v, a->place_iri);
  if (!a->place || a->place == a || a->place->type != ICX_TYPE_INDIVIDUAL ||
      a->place->place_iri || strcmp(a->place->domain, a->domain) != 0)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: icxm:placeAttribute <%s> must be "
                    "another attribute, valued with individuals, of the same rdfs:domain",
                    a->label, a->place_iri);
  if (a->type != ICX_TYPE_DECIMAL && a->type != ICX_TYPE_INTEGER)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: a distance needs a numeric range",
                    a->label);
  if (!icx_vocab_find_class(v, a->figure_class))
    return icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: icxm:figureClass <%s> is not a "
                    "class of the vocabulary", a->label, a->figure_class);
  if (icx_vocab_subjects_of_type(ls, a->figure_class, &figs, &n_figs))
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  if (n_figs == 0) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: no <%s> figure is declared",
                  a->label, a->figure_class);
    goto done;
  }
  if (!(f = icx_calloc(ctx, n_figs, sizeof *f))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < n_figs; i++)
    if ((rc = vocab_read_figure(ls, a, figs[i], &f[i])))
      goto done;
  if (a->n_zones > 64) {
    rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: the figure table has %zu regions; "
                  "at most 64", a->label, a->n_zones);
    goto done;
  }
  if (!(a->figures = icx_malloc(ctx, a->n_zones * a->n_zones * sizeof *a->figures))) {
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
      if (i != k && vocab_within(a->zones[i], a->zones[k])) {
        rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "attribute %s: the figure table has both %s "
                      "and %s, which lies in it", a->label, a->zones[k]->label,
                      a->zones[i]->label);
        goto done;
      }
  /* Each place's zones, worked out once here rather than per request. */
  if (!(a->zone_masks = icx_calloc(ctx, a->place->n_values + 1, sizeof *a->zone_masks))) {
    rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < a->place->n_values; i++)
    a->zone_masks[i] = vocab_zones_of(a, a->place->by_iri[i]);
done:
  icx_free(ctx, f);
  icx_vocab_strv_free(ctx, figs, n_figs);
  return rc;
}

/* --- looking a distance up ------------------------------------------------------- */

/* The zone mask of place p (a value of a's place attribute), or 0. */
static uint64_t
vocab_zone_mask(const icx_attribute *a, const icx_individual *p)
{
  size_t at = icx_vocab_value_index(a->place, p->iri);

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
  mx = vocab_zone_mask(a, x);
  my = vocab_zone_mask(a, y);
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

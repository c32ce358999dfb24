/* icx_vocab_suggest.c - the vocabulary's side of "did you mean": every
 * spelling of every attribute, value and unit offered to icx_suggest. */
#include "config.h"

#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_suggest.h"
#include "icx_vocab_internal.h"

/* Enough for the right name and its neighbours; the rest is in icx vocab. */
#define VOCAB_SUGGEST_MAX 400

static char *
vocab_suggest_finish(icx_suggest *s, icx_ctx *ctx, const char *noun)
{
  icx_buf b;

  icx_buf_init(&b, ctx);
  icx_suggest_append(s, &b, noun, "; ", VOCAB_SUGGEST_MAX);
  icx_suggest_free(s);
  return icx_buf_take(&b);
}

char *
icx_vocab_suggest_attributes(const icx_vocab *v, icx_ctx *ctx, const char *name)
{
  icx_suggest s;
  size_t i, k;

  icx_suggest_init(&s, ctx, name);
  for (i = 0; i < v->n_attrs; i++) {
    const icx_attribute *a = &v->attrs[i];
    icx_suggest_offer(&s, a->label, a->label);
    for (k = 0; k < a->n_aliases; k++)
      icx_suggest_offer(&s, a->label, a->aliases[k]);
  }
  return vocab_suggest_finish(&s, ctx, "attributes");
}

char *
icx_attribute_suggest_values(const icx_attribute *a, icx_ctx *ctx, const char *name)
{
  icx_suggest s;
  size_t i, k;

  icx_suggest_init(&s, ctx, name);
  for (i = 0; i < a->n_values; i++) {
    const icx_individual *ind = a->values[i];
    icx_suggest_offer(&s, ind->label, ind->label);
    for (k = 0; k < ind->n_names; k++)
      icx_suggest_offer(&s, ind->label, ind->names[k]);
  }
  return vocab_suggest_finish(&s, ctx, "values");
}

char *
icx_vocab_suggest_units(const icx_vocab *v, const icx_unit *unit, icx_ctx *ctx,
                        const char *name)
{
  icx_suggest s;
  size_t i, k;

  icx_suggest_init(&s, ctx, name);
  for (i = 0; i < v->n_units; i++) {
    const icx_unit *u = &v->units[i];
    if (!u->kind || !unit->kind || strcmp(u->kind, unit->kind))
      continue;
    icx_suggest_offer(&s, u->label, u->label);
    for (k = 0; k < u->n_names; k++)
      icx_suggest_offer(&s, u->label, u->names[k]);
  }
  return vocab_suggest_finish(&s, ctx, "units for it");
}

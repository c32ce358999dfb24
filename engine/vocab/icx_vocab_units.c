/* icx_vocab_units.c - the units (icxm:Unit): kinds, factors, and finding one by name. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

icx_unit *
icx_vocab_unit_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_units; i++)
    if (!strcmp(v->units[i].iri, iri))
      return &v->units[i];
  return NULL;
}

/* Kind and factor of a unit, following numerator and denominators. */
static icx_rc
vocab_resolve_unit(vocab_loadstate *ls, icx_vocab *v, icx_unit *u, int depth)
{
  icx_ctx *ctx = ls->ctx;
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
  icx_buf_init(&k, ctx);
  kind = icx_vocab_one_object(ls, u->iri, ICX_MATCH_NS "quantityKind", 1, &oom);
  factor = icx_vocab_one_object(ls, u->iri, ICX_MATCH_NS "factor", 2, &oom);
  num = icx_vocab_one_object(ls, u->iri, ICX_MATCH_NS "numerator", 1, &oom);
  if (oom || icx_vocab_objects(ls, u->iri, ICX_MATCH_NS "denominator", 1, &dens, &n_dens)) {
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
    icx_unit *nu = icx_vocab_unit_by_iri(v, num);
    if (!nu || (rc = vocab_resolve_unit(ls, v, nu, depth + 1))) {
      if (!rc)
        rc = icx_fail(ls->ctx, ICX_ERR_VOCAB, "unit %s: numerator <%s> is not a unit", u->label, num);
      goto done;
    }
    u->factor = nu->factor;
    icx_buf_append(&k, nu->kind);
    for (i = 0; i < n_dens; i++) {
      icx_unit *du = icx_vocab_unit_by_iri(v, dens[i]);
      if (!du || (rc = vocab_resolve_unit(ls, v, du, depth + 1))) {
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
  icx_free(ctx, kind);
  icx_free(ctx, num);
  icx_free(ctx, factor);
  icx_vocab_strv_free(ctx, dens, n_dens);
  return rc;
}

icx_rc
icx_vocab_build_units(vocab_loadstate *ls, icx_vocab *v)
{
  icx_ctx *ctx = ls->ctx;
  char **iris = NULL;
  size_t n = 0, i, j;
  icx_rc rc = ICX_OK;

  if (icx_vocab_subjects_of_type(ls, ICX_MATCH_NS "Unit", &iris, &n))
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  v->units = icx_calloc(ctx, n + 1, sizeof *v->units);
  if (!v->units) {
    icx_vocab_strv_free(ctx, iris, n);
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  for (i = 0; i < n; i++) {
    icx_unit *u = &v->units[v->n_units++];
    int oom = 0;
    char **names;
    size_t n_names, k;
    u->iri = iris[i];
    iris[i] = NULL;
    u->label = icx_vocab_one_object(ls, u->iri, NS_RDFS "label", 2, &oom);
    if (oom || (!u->label && !(u->label = icx_strdup(ctx, u->iri))))
      goto oom;
    if (icx_vocab_strv_add_unique(ctx, &u->names, &u->n_names, u->label))
      goto oom;
    if (icx_vocab_objects(ls, u->iri, ICX_MATCH_NS "alias", 2, &names, &n_names))
      goto oom;
    for (k = 0; k < n_names; k++)
      if (icx_vocab_strv_add_unique(ctx, &u->names, &u->n_names, names[k])) {
        icx_vocab_strv_free(ctx, names, n_names);
        goto oom;
      }
    icx_vocab_strv_free(ctx, names, n_names);
  }
  icx_vocab_strv_free(ctx, iris, n);
  for (i = 0; i < v->n_units && !rc; i++)
    rc = vocab_resolve_unit(ls, v, &v->units[i], 0);
  for (i = 0; i < v->n_units && !rc; i++) {
    icx_buf peers;
    icx_buf_init(&peers, ctx);
    for (j = 0; j < v->n_units; j++)
      if (!strcmp(v->units[j].kind, v->units[i].kind))
        icx_buf_appendf(&peers, "%s%s", peers.len ? "; " : "", v->units[j].label);
    if (!(v->units[i].peers = icx_buf_take(&peers)))
      rc = icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  }
  return rc;
oom:
  icx_vocab_strv_free(ctx, iris, n);
  return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
}

const icx_unit *
icx_vocab_find_unit(const icx_vocab *v, const char *name)
{
  const icx_unit *folded = NULL;
  int n_folded = 0;
  char t[1100];                 /* no allocation: a lookup cannot run out of memory */
  size_t i, k, len;

  if (!name)
    return NULL;
  while (icx_is_space((unsigned char)*name))
    name++;
  len = strlen(name);
  while (len > 0 && icx_is_space((unsigned char)name[len - 1]))
    len--;
  if (len >= sizeof t)
    return NULL;              /* longer than any unit's name */
  memcpy(t, name, len);
  t[len] = '\0';
  for (i = 0; i < v->n_units; i++) {
    const icx_unit *u = &v->units[i];
    if (!strcmp(u->iri, t))
      return u;
    for (k = 0; k < u->n_names; k++) {
      if (!strcmp(u->names[k], t))
        return u;
      /* Words fold case ("Gibibytes"); symbols (up to 3 characters:
       * MB, Mb, ms, Ms) never do. */
      if (strlen(t) > 3 && icx_name_eq(u->names[k], t) && folded != u) {
        folded = u;
        n_folded++;
      }
    }
  }
  return n_folded == 1 ? folded : NULL;
}

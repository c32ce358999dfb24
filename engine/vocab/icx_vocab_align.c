/* icx_vocab_align.c - owl:equivalentProperty / equivalentClass with other vocabularies. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

static int
vocab_cmp_equiv(const void *a, const void *b)
{
  return strcmp(((const vocab_equiv *)a)->outer, ((const vocab_equiv *)b)->outer);
}

/* 1 if iri names a property of this vocabulary (an attribute or a
 * structural property), 0 otherwise. */
static int
vocab_is_own_property(const icx_vocab *v, const char *iri)
{
  return !strcmp(iri, v->offers) || !strcmp(iri, v->name_prop) || icx_vocab_attr_by_iri(v, iri);
}

/* Adds one equivalence statement (a equiv b) to v->equivs: one side must be
 * a term of this vocabulary (of the right kind), the other a term outside
 * its namespaces.  Statements between two foreign terms are not icx's
 * business and are skipped. */
static icx_rc
vocab_add_equivalence(vocab_loadstate *ls, icx_vocab *v, const char *a, const char *b, int is_class)
{
  icx_ctx *ctx = ls->ctx;
  const char *what = is_class ? "owl:equivalentClass" : "owl:equivalentProperty";
  int own_a = icx_vocab_in_namespace(v, a), own_b = icx_vocab_in_namespace(v, b);
  const char *inner = own_a ? a : b, *outer = own_a ? b : a;
  vocab_equiv *nv;
  size_t i;

  if (!own_a && !own_b)
    return ICX_OK;
  if (own_a && own_b)
    return icx_fail(ls->ctx, ICX_ERR_VOCAB,
                    "%s between <%s> and <%s>: both are terms of this vocabulary "
                    "(give one as an icxm:alias of the other instead)", what, a, b);
  if (is_class ? !icx_vocab_find_class(v, inner) : !vocab_is_own_property(v, inner))
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
  nv = icx_realloc(ctx, v->equivs, (v->n_equivs + 1) * sizeof *nv);
  if (!nv)
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  v->equivs = nv;
  nv[v->n_equivs].outer = icx_strdup(ctx, outer);
  nv[v->n_equivs].inner = icx_strdup(ctx, inner);
  nv[v->n_equivs].is_class = is_class;
  v->n_equivs++;
  if (!nv[v->n_equivs - 1].outer || !nv[v->n_equivs - 1].inner)
    return icx_fail(ls->ctx, ICX_ERR_NOMEM, "out of memory");
  return ICX_OK;
}

/* Reads every owl:equivalentProperty and owl:equivalentClass statement.
 * Needs the classes, attributes and namespaces built first. */
icx_rc
icx_vocab_build_equivalences(vocab_loadstate *ls, icx_vocab *v)
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
        rc = vocab_add_equivalence(ls, v,
                                   (const char *)librdf_uri_as_string(librdf_node_get_uri(a)),
                                   (const char *)librdf_uri_as_string(librdf_node_get_uri(b)), k);
      }
      librdf_free_stream(st);
    }
    if (want)
      librdf_free_statement(want);   /* owns p (and freed it on failure) */
  }
  if (rc == ICX_OK && v->n_equivs > 1)
    qsort(v->equivs, v->n_equivs, sizeof *v->equivs, vocab_cmp_equiv);
  return rc;
}

static const char *
vocab_equivalent(const icx_vocab *v, const char *iri, int is_class)
{
  vocab_equiv key, *e;

  if (!iri || !v->n_equivs)
    return NULL;
  key.outer = (char *)iri;
  e = bsearch(&key, v->equivs, v->n_equivs, sizeof *v->equivs, vocab_cmp_equiv);
  return e && e->is_class == is_class ? e->inner : NULL;
}

const char *
icx_vocab_equivalent_property(const icx_vocab *v, const char *iri)
{
  return vocab_equivalent(v, iri, 0);
}

const char *
icx_vocab_equivalent_class(const icx_vocab *v, const char *iri)
{
  return vocab_equivalent(v, iri, 1);
}

/* icx_exec_describe.c - SPARQL DESCRIBE, which rasqal 0.9.33 parses but
 * answers with an empty graph.  The described resources are the IRIs the
 * query names and the values its variables take in its WHERE clause (run
 * as a SELECT of those variables); each is described by the
 * triples it is the subject of, and, through blank-node objects, those
 * of the blank nodes it reaches (each blank node once). */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "icx_ctx_internal.h"
#include "icx_exec_internal.h"
#include "icx_rdf.h"
#include "icx_rows_internal.h"
#include "icx_store_rdf.h"
#include "icx_util.h"

/* The nodes to describe, in the order found, each once: a vector and an
 * open-addressing table of indexes into it, keyed by the node's
 * N-Triples text (a described resource set can be the whole store). */
typedef struct describe_set {
  icx_ctx *ctx;               /* whose allocator holds the rest */
  librdf_node **v;
  char **key;
  size_t n, cap;
  size_t *slot;               /* 1 + index into v, 0 empty; nslot a power of 2 */
  size_t nslot;
} describe_set;

/* Rehashes into twice the slots.  0, or -1 out of memory. */
static int
describe_grow(describe_set *d)
{
  size_t nslot = d->nslot ? d->nslot * 2 : 64, i;
  size_t *slot = icx_calloc(d->ctx, nslot, sizeof *slot);

  if (!slot)
    return -1;
  for (i = 0; i < d->n; i++) {
    size_t h = (size_t)icx_hash_str(d->key[i]) & (nslot - 1);
    while (slot[h])
      h = (h + 1) & (nslot - 1);
    slot[h] = i + 1;
  }
  icx_free(d->ctx, d->slot);
  d->slot = slot;
  d->nslot = nslot;
  return 0;
}

/* Adds a copy of node unless it is there.  0, or -1 out of memory. */
static int
describe_add(describe_set *d, librdf_node *node)
{
  unsigned char *text = raptor_term_to_string(node);
  size_t h;

  if (!text)
    return -1;
  if ((d->n + 1) * 2 > d->nslot && describe_grow(d)) {
    raptor_free_memory(text);
    return -1;
  }
  for (h = (size_t)icx_hash_str((char *)text) & (d->nslot - 1); d->slot[h]; h = (h + 1) & (d->nslot - 1))
    if (!strcmp(d->key[d->slot[h] - 1], (char *)text)) {
      raptor_free_memory(text);
      return 0;
    }
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    librdf_node **v = icx_realloc(d->ctx, d->v, cap * sizeof *v);
    char **key = v ? icx_realloc(d->ctx, d->key, cap * sizeof *key) : NULL;
    if (v)
      d->v = v;
    if (!key) {
      raptor_free_memory(text);
      return -1;
    }
    d->key = key;
    d->cap = cap;
  }
  d->key[d->n] = icx_strdup(d->ctx, (char *)text);
  raptor_free_memory(text);
  if (!d->key[d->n] || !(d->v[d->n] = librdf_new_node_from_node(node))) {
    icx_free(d->ctx, d->key[d->n]);
    return -1;
  }
  d->slot[h] = ++d->n;
  return 0;
}

static void
describe_set_free(describe_set *d)
{
  size_t i;

  for (i = 0; i < d->n; i++) {
    librdf_free_node(d->v[i]);
    icx_free(d->ctx, d->key[i]);
  }
  icx_free(d->ctx, d->v);
  icx_free(d->ctx, d->key);
  icx_free(d->ctx, d->slot);
}

/* Where the DESCRIBE keyword starts in text, past the prologue (BASE and
 * PREFIX with their IRIs, comments), or NULL. */
static const char *
describe_keyword(const char *text)
{
  const char *p = text;

  while (*p) {
    if (*p == '<') {
      const char *e = strchr(p, '>');
      if (!e)
        return NULL;
      p = e + 1;
    } else if (*p == '#') {
      while (*p && *p != '\n')
        p++;
    } else if (!strncasecmp(p, "DESCRIBE", 8) && (p == text || !isalnum((unsigned char)p[-1])) &&
               !isalnum((unsigned char)p[8])) {
      return p;
    } else {
      p++;
    }
  }
  return NULL;
}

/* The SELECT that gives the described variables' values (not DISTINCT:
 * rasqal 0.9.33 leaks the rows of a DISTINCT query, and describe_add()
 * keeps each resource once anyway): the
 * query with its DESCRIBE clause replaced, from its WHERE group on (FROM
 * clauses are dropped: the store is the dataset).  A new string, or NULL
 * (out of memory, or no group: *nogroup set). */
static char *
describe_select(icx_ctx *ctx, const char *text, rasqal_query *q, int *nogroup)
{
  raptor_sequence *seq = rasqal_query_get_describe_sequence(q);
  const char *kw = describe_keyword(text), *group;
  icx_buf b;
  int i, n = seq ? raptor_sequence_size(seq) : 0, vars = 0;

  *nogroup = 0;
  group = kw ? strchr(kw, '{') : NULL;
  if (!group) {
    *nogroup = 1;
    return NULL;
  }
  icx_buf_init(&b, ctx);
  icx_buf_appendf(&b, "%.*sSELECT", (int)(kw - text), text);
  for (i = 0; i < n; i++) {
    rasqal_literal *l = raptor_sequence_get_at(seq, i);
    if (l && l->type == RASQAL_LITERAL_VARIABLE) {
      icx_buf_appendf(&b, " ?%s", (const char *)l->value.variable->name);
      vars++;
    }
  }
  if (!vars)
    icx_buf_append(&b, " *");
  icx_buf_appendf(&b, " WHERE %s", group);
  return icx_buf_take(&b);
}

/* Collects the resources the WHERE clause binds to the described variables. */
static icx_rc
describe_bound(icx_store *store, const char *select, describe_set *todo)
{
  icx_ctx *ctx = icx_store_ctx(store);
  librdf_query *q;
  librdf_query_results *res;
  icx_rc rc = ICX_OK;
  int j, width;

  q = librdf_new_query(icx_ctx_world(ctx), "sparql", NULL, (const unsigned char *)select, NULL);
  if (!q)
    return icx_fail(ctx, ICX_ERR_QUERY, "the DESCRIBE's WHERE clause does not parse");
  res = librdf_query_execute(q, icx_store_model(store));
  if (!res) {
    librdf_free_query(q);
    return icx_fail(ctx, ICX_ERR_QUERY, "the DESCRIBE's WHERE clause failed");
  }
  width = librdf_query_results_get_bindings_count(res);
  while (rc == ICX_OK && !librdf_query_results_finished(res)) {
    for (j = 0; j < width && rc == ICX_OK; j++) {
      librdf_node *n = librdf_query_results_get_binding_value(res, j);
      if (n && !librdf_node_is_literal(n) && describe_add(todo, n))
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      if (n)
        librdf_free_node(n);
    }
    librdf_query_results_next(res);
  }
  librdf_free_query_results(res);
  librdf_free_query(q);
  return rc;
}

/* Appends the triples of subject to r and queues its blank objects. */
static icx_rc
describe_one(icx_store *store, librdf_node *subject, describe_set *todo, icx_rows *r)
{
  icx_ctx *ctx = icx_store_ctx(store);
  librdf_statement *pattern;
  librdf_stream *st;
  icx_rc rc = ICX_OK;

  pattern = librdf_new_statement_from_nodes(icx_ctx_world(ctx), librdf_new_node_from_node(subject),
                                            NULL, NULL);
  if (!pattern)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  st = librdf_model_find_statements(icx_store_model(store), pattern);
  for (; st && rc == ICX_OK && !librdf_stream_end(st); librdf_stream_next(st)) {
    librdf_statement *s = librdf_stream_get_object(st);
    librdf_node *o = librdf_statement_get_object(s);

    if (icx_exec_add_triple(ctx, r, s) || (librdf_node_is_blank(o) && describe_add(todo, o)))
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  if (st)
    librdf_free_stream(st);
  else
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot read the store");
  librdf_free_statement(pattern);
  return rc;
}

icx_rc
icx_exec_describe(icx_store *store, const char *sparql, int *handled, icx_rows **out)
{
  static const char *const vars[3] = { "subject", "predicate", "object" };
  icx_ctx *ctx = icx_store_ctx(store);
  rasqal_world *rw = icx_ctx_world(ctx) ? librdf_world_get_rasqal(icx_ctx_world(ctx)) : NULL;
  rasqal_query *q;
  raptor_sequence *seq;
  describe_set todo = { NULL, NULL, NULL, 0, 0, NULL, 0 };
  icx_rows *r = NULL;
  icx_rc rc = ICX_OK;
  char *select = NULL;
  size_t i;
  int k, n, nogroup, vars_named = 0;

  *handled = 0;
  *out = NULL;
  todo.ctx = ctx;
  q = rw ? rasqal_new_query(rw, "sparql", NULL) : NULL;
  if (!q)
    return icx_rdf_failure(ctx);
  if (rasqal_query_prepare(q, (const unsigned char *)sparql, NULL) ||
      rasqal_query_get_verb(q) != RASQAL_QUERY_VERB_DESCRIBE) {
    rasqal_free_query(q);
    return ICX_OK;              /* not a DESCRIBE: the caller runs it */
  }
  *handled = 1;
  seq = rasqal_query_get_describe_sequence(q);
  n = seq ? raptor_sequence_size(seq) : 0;
  for (k = 0; k < n && rc == ICX_OK; k++) {
    rasqal_literal *l = raptor_sequence_get_at(seq, k);
    if (l && l->type == RASQAL_LITERAL_URI) {
      librdf_node *node = librdf_new_node_from_uri_string(
        icx_ctx_world(ctx), (const unsigned char *)raptor_uri_as_string(l->value.uri));
      if (!node || describe_add(&todo, node))
        rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      if (node)
        librdf_free_node(node);
    } else if (l && l->type == RASQAL_LITERAL_VARIABLE) {
      vars_named++;
    }
  }
  if (rc == ICX_OK && (vars_named || !n)) {
    select = describe_select(ctx, sparql, q, &nogroup);
    if (!select)
      rc = nogroup ? icx_fail(ctx, ICX_ERR_QUERY, "DESCRIBE of a variable needs a WHERE clause")
                   : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    else
      rc = describe_bound(store, select, &todo);
  }
  rasqal_free_query(q);
  if (rc == ICX_OK && !(r = icx_rows_new(ctx, 3, vars, "rasqal")))
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if (r)
    icx_rows_set_form(r, ICX_ROWS_GRAPH);
  /* todo grows as blank nodes are reached; each is described once. */
  for (i = 0; rc == ICX_OK && i < todo.n; i++)
    rc = describe_one(store, todo.v[i], &todo, r);
  describe_set_free(&todo);
  icx_free(ctx, select);
  if (rc != ICX_OK) {
    icx_rows_free(r);
    return rc;
  }
  *out = r;
  return ICX_OK;
}

/* icx_vocab_read.c - the .ttl files into a temporary librdf model, and terms read out of it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

/* --- the temporary model ----------------------------------------------------- */

int
icx_vocab_model_open(vocab_loadstate *ls, icx_ctx *ctx)
{
  memset(ls, 0, sizeof *ls);
  ls->ctx = ctx;
  ls->world = icx_ctx_world(ctx);
  ls->storage = ls->world ? librdf_new_storage(ls->world, "hashes", "vocab",
                                               "hash-type='memory'")
                          : NULL;
  if (ls->storage)
    ls->model = librdf_new_model(ls->world, ls->storage, NULL);
  return ls->storage && ls->model ? 0 : -1;
}

void
icx_vocab_model_close(vocab_loadstate *ls)
{
  if (ls->model)
    librdf_free_model(ls->model);
  if (ls->storage)
    librdf_free_storage(ls->storage);
  ls->model = NULL;
  ls->storage = NULL;
}

/* --- reading terms ------------------------------------------------------------ */

void
icx_vocab_strv_free(icx_ctx *ctx, char **v, size_t n)
{
  size_t i;

  if (!v)
    return;
  for (i = 0; i < n; i++)
    icx_free(ctx, v[i]);
  icx_free(ctx, v);
}

static char *
vocab_node_string(icx_ctx *ctx, librdf_node *node)
{
  if (!node)
    return NULL;
  if (librdf_node_is_resource(node))
    return icx_strdup(ctx, (const char *)librdf_uri_as_string(librdf_node_get_uri(node)));
  if (librdf_node_is_literal(node))
    return icx_strdup(ctx, (const char *)librdf_node_get_literal_value(node));
  return icx_strdup(ctx, (const char *)librdf_node_get_blank_identifier(node));
}

/* The nodes of it (consumed; NULL counts as out of memory) as new strings,
 * sorted, into *out and *n.  want: 1 IRIs only, 2 literals only, 0 any.
 * Returns 0, or -1 when out of memory (nothing returned). */
static int
vocab_collect(icx_ctx *ctx, librdf_iterator *it, int want, char ***out, size_t *n)
{
  char **v = NULL;
  size_t cnt = 0;
  int rc = 0;

  if (!it)
    return -1;
  for (; !librdf_iterator_end(it); librdf_iterator_next(it)) {
    librdf_node *o = librdf_iterator_get_object(it);
    char **nv;
    if (!o)
      continue;
    if ((want == 1 && !librdf_node_is_resource(o)) || (want == 2 && !librdf_node_is_literal(o)))
      continue;
    nv = icx_realloc(ctx, v, (cnt + 1) * sizeof *v);
    if (!nv) {
      rc = -1;
      break;
    }
    v = nv;
    if (!(v[cnt] = vocab_node_string(ctx, o))) {
      rc = -1;
      break;
    }
    cnt++;
  }
  librdf_free_iterator(it);
  if (rc) {
    icx_vocab_strv_free(ctx, v, cnt);
    return -1;
  }
  if (cnt > 1)
    qsort(v, cnt, sizeof *v, icx_cmp_strp);
  *out = v;
  *n = cnt;
  return 0;
}

/* Every object of (subject, predicate), as new strings, sorted.  Returns 0,
 * or -1 when out of memory.  want: 1 IRIs only, 2 literals only, 0 both. */
int
icx_vocab_objects(vocab_loadstate *ls, const char *subject, const char *predicate, int want,
                  char ***out, size_t *n)
{
  librdf_node *s, *p;
  int rc = -1;

  *out = NULL;
  *n = 0;
  s = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)subject);
  p = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)predicate);
  if (s && p)
    rc = vocab_collect(ls->ctx, librdf_model_get_targets(ls->model, s, p), want, out, n);
  if (s)
    librdf_free_node(s);
  if (p)
    librdf_free_node(p);
  return rc;
}

/* The first (in sort order) object, or NULL; *oom set on ENOMEM. */
char *
icx_vocab_one_object(vocab_loadstate *ls, const char *subject, const char *predicate, int want,
                     int *oom)
{
  icx_ctx *ctx = ls->ctx;
  char **v;
  size_t n, i;
  char *first;

  if (icx_vocab_objects(ls, subject, predicate, want, &v, &n)) {
    *oom = 1;
    return NULL;
  }
  if (n == 0)
    return NULL;
  first = v[0];
  for (i = 1; i < n; i++)
    icx_free(ctx, v[i]);
  icx_free(ctx, v);
  return first;
}

/* Subjects that have (rdf:type, type_iri), sorted, as new strings. */
int
icx_vocab_subjects_of_type(vocab_loadstate *ls, const char *type_iri, char ***out, size_t *n)
{
  librdf_node *p, *o;
  int rc = -1;

  *out = NULL;
  *n = 0;
  p = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)(NS_RDF "type"));
  o = librdf_new_node_from_uri_string(ls->world, (const unsigned char *)type_iri);
  if (p && o)
    rc = vocab_collect(ls->ctx, librdf_model_get_sources(ls->model, p, o), 1, out, n);
  if (p)
    librdf_free_node(p);
  if (o)
    librdf_free_node(o);
  return rc;
}

static int
vocab_strv_contains(char *const *v, size_t n, const char *s)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return 1;
  return 0;
}

/* Appends a copy of s to a sorted-later, de-duplicated vector. */
int
icx_vocab_strv_add_unique(icx_ctx *ctx, char ***v, size_t *n, const char *s)
{
  char **nv;

  if (vocab_strv_contains(*v, *n, s))
    return 0;
  nv = icx_realloc(ctx, *v, (*n + 1) * sizeof **v);
  if (!nv)
    return -1;
  *v = nv;
  if (!(nv[*n] = icx_strdup(ctx, s)))
    return -1;
  (*n)++;
  return 0;
}

/* --- parsing the folder ---------------------------------------------------- */

static int
vocab_has_ttl_suffix(const char *name)
{
  size_t n = strlen(name);

  return n > 4 && strcmp(name + n - 4, ".ttl") == 0 && name[0] != '.';
}

icx_rc
icx_vocab_list_files(icx_ctx *ctx, const char *dir, char ***files, size_t *n_files)
{
  DIR *d;
  struct dirent *de;

  *files = NULL;
  *n_files = 0;
  d = opendir(dir);
  if (!d)
    return icx_fail(ctx, ICX_ERR_IO, "cannot read ontology folder %s: %s", dir, strerror(errno));
  while ((de = readdir(d))) {
    if (!vocab_has_ttl_suffix(de->d_name))
      continue;
    if (icx_vocab_strv_add_unique(ctx, files, n_files, de->d_name)) {
      closedir(d);
      icx_vocab_strv_free(ctx, *files, *n_files);
      *files = NULL;
      *n_files = 0;
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    }
  }
  closedir(d);
  if (*n_files == 0)
    return icx_fail(ctx, ICX_ERR_IO, "ontology folder %s has no .ttl file", dir);
  qsort(*files, *n_files, sizeof **files, icx_cmp_strp);
  return ICX_OK;
}

icx_rc
icx_vocab_parse_folder(vocab_loadstate *ls, const char *dir)
{
  icx_ctx *ctx = ls->ctx;
  char **files = NULL;
  size_t n_files = 0, i;
  icx_rc rc = ICX_OK;
  librdf_parser *parser = NULL;

  if ((rc = icx_vocab_list_files(ctx, dir, &files, &n_files)))
    return rc;

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

    icx_buf_init(&path, ctx);
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
  icx_vocab_strv_free(ctx, files, n_files);
  return rc;
}

/* --- every subject (icx_vocab_defines) -------------------------------------- */

icx_rc
icx_vocab_read_defined(vocab_loadstate *ls, icx_vocab *v)
{
  icx_ctx *ctx = ls->ctx;
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
      char **nv = icx_realloc(ctx, v->defined, ncap * sizeof *nv);
      if (!nv)
        goto oom;
      v->defined = nv;
      cap = ncap;
    }
    if (!(v->defined[v->n_defined] = icx_strdup(ctx, iri)))
      goto oom;
    v->n_defined++;
  }
  librdf_free_stream(st);
  if (v->n_defined > 1) {
    size_t i, o = 1;
    qsort(v->defined, v->n_defined, sizeof *v->defined, icx_cmp_strp);
    for (i = 1; i < v->n_defined; i++) {
      if (strcmp(v->defined[i], v->defined[o - 1]) == 0)
        icx_free(ctx, v->defined[i]);
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

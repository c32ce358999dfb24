/* icx_loader.c - the loader's public calls (icx_loader.h): formats by
 * name, a loader's life and settings, and the entry points that load a
 * path, a buffer or a stream.  How the loader works, and which file does
 * what: icx_loader_internal.h.  File-local names begin loader_. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_loader_internal.h"
#include "icx_util.h"

int
icx_format_from_name(const char *name)
{
  if (!name)
    return -1;
  if (!strcmp(name, "auto"))
    return ICX_FORMAT_AUTO;
  if (!strcmp(name, "turtle") || !strcmp(name, "ttl"))
    return ICX_FORMAT_TURTLE;
  if (!strcmp(name, "rdfxml") || !strcmp(name, "rdf") || !strcmp(name, "xml"))
    return ICX_FORMAT_RDFXML;
  if (!strcmp(name, "ntriples") || !strcmp(name, "nt"))
    return ICX_FORMAT_NTRIPLES;
  return -1;
}

const char *
icx_format_name(icx_format f)
{
  switch (f) {
  case ICX_FORMAT_AUTO: return "auto";
  case ICX_FORMAT_TURTLE: return "turtle";
  case ICX_FORMAT_RDFXML: return "rdfxml";
  case ICX_FORMAT_NTRIPLES: return "ntriples";
  }
  return "auto";
}

icx_loader *
icx_loader_new(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store)
{
  icx_loader *l;

  if (!ctx || !vocab || !store)
    return NULL;
  l = icx_calloc(ctx, 1, sizeof *l);
  if (!l)
    return NULL;
  if (!(l->rw = raptor_new_world()) || raptor_world_open(l->rw)) {
    raptor_free_world(l->rw);
    icx_free(ctx, l);
    return NULL;
  }
  l->ctx = ctx;
  l->vocab = vocab;
  l->store = store;
  return l;
}

void
icx_loader_free(icx_loader *l)
{
  icx_ctx *ctx = l ? l->ctx : NULL;
  if (!l)
    return;
  raptor_free_world(l->rw);
  icx_free(ctx, l->owner);
  icx_free(ctx, l);
}

icx_rc
icx_loader_set_owner(icx_loader *l, const char *owner)
{
  char *copy = NULL;

  if (!l)
    return ICX_ERR_MISUSE;
  if (owner && !(copy = icx_strdup(l->ctx, owner)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  icx_free(l->ctx, l->owner);
  l->owner = copy;
  return ICX_OK;
}

void icx_loader_set_format(icx_loader *l, icx_format f) { l->format = f; }
void icx_loader_set_dry_run(icx_loader *l, int dry_run) { l->dry_run = dry_run; }

void
icx_loader_set_report(icx_loader *l, icx_load_report_fn fn, void *ud)
{
  l->report = fn;
  l->report_ud = ud;
}

void
icx_loader_set_progress(icx_loader *l, icx_load_progress_fn fn, void *ud)
{
  l->progress = fn;
  l->progress_ud = fn ? ud : NULL;
}

char *
icx_loader_doc_uri_for_path(const char *path)
{
  char *real = realpath(path, NULL);
  unsigned char *uri;
  char *out;

  if (!real)
    return NULL;
  uri = raptor_uri_filename_to_uri_string(real);
  free(real);
  if (!uri)
    return NULL;
  out = strdup((const char *)uri);     /* the caller free()s it: no context here */
  raptor_free_memory(uri);
  return out;
}

icx_rc
icx_loader_load_path(icx_loader *l, const char *path)
{
  if (!l || !path)
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  return icx_loader_walk(l, path);
}

/* The graph a named buffer or stream loads into: the name when it is an
 * absolute IRI, else "urn:icx:doc:" + the name, percent-encoded. */
static char *
loader_doc_uri_for_name(icx_ctx *ctx, const char *name)
{
  const char *colon = strchr(name, ':');
  icx_buf b;

  if (colon && colon > name && !strpbrk(name, " <>\"{}|^`\\")) {
    const char *c;
    for (c = name; c < colon; c++)
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (c > name && ((*c >= '0' && *c <= '9') || *c == '+' || *c == '-' || *c == '.'))))
        break;
    if (c == colon)
      return icx_strdup(ctx, name);
  }
  icx_buf_init(&b, ctx);
  icx_buf_append(&b, "urn:icx:doc:");
  for (; *name; name++) {
    unsigned char ch = (unsigned char)*name;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        strchr("-._~", ch))
      icx_buf_append_len(&b, (const char *)&ch, 1);
    else
      icx_buf_appendf(&b, "%%%02X", ch);
  }
  return icx_buf_take(&b);
}

icx_rc
icx_loader_load_buffer(icx_loader *l, const char *name, const unsigned char *buf, size_t len)
{
  icx_ctx *ctx = l ? l->ctx : NULL;
  icx_format fmt;
  char *uri;
  icx_rc rc;

  if (!l || !name || !*name || (!buf && len))
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  fmt = l->format != ICX_FORMAT_AUTO ? l->format : icx_loader_format_of_name(name);
  if (fmt == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_RDF,
                    "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", name);
  if (!(uri = loader_doc_uri_for_name(l->ctx, name)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  rc = icx_loader_document(l, name, uri, uri, fmt, NULL, buf ? buf : (const unsigned char *)"",
                           len);
  icx_free(ctx, uri);
  return rc;
}

icx_rc
icx_loader_load_into(icx_loader *l, const char *doc_uri, const char *source,
                     const unsigned char *buf, size_t len)
{
  if (!l || !doc_uri || !*doc_uri || !source || (!buf && len))
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  if (l->format == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_MISUSE, "%s: no format given", source);
  return icx_loader_document(l, source, doc_uri, doc_uri, l->format, NULL,
                             buf ? buf : (const unsigned char *)"", len);
}

icx_rc
icx_loader_load_stream(icx_loader *l, const char *name, FILE *fp)
{
  icx_ctx *ctx = l ? l->ctx : NULL;
  icx_format fmt;
  char *uri;
  icx_rc rc;

  if (!l || !name || !*name || !fp)
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  fmt = l->format != ICX_FORMAT_AUTO ? l->format : icx_loader_format_of_name(name);
  if (fmt == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_RDF,
                    "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", name);
  if (!(uri = loader_doc_uri_for_name(l->ctx, name)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  rc = icx_loader_document(l, name, uri, uri, fmt, fp, NULL, 0);
  icx_free(ctx, uri);
  return rc;
}

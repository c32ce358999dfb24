/* icx_store.c - the persistent store, on icx's own librdf storage module
 * (icx_storage.c: SQLite, a term dictionary and indexed quads): opening
 * and closing a store, and what it lends.  Writing documents is
 * icx_store_docs.c, listing them icx_store_list.c, the calls by term id
 * icx_store_ids.c; icx_store_internal.h holds what they share.
 *
 * Each document is a librdf context named by its URI; the bookkeeping graph
 * <urn:icx:meta> records every document (icxm:Document, source, format,
 * load time, triple count).  The store's format and version live in the
 * storage's icx_meta table.  The query path reaches the triples through
 * icx_store_model() (rasqal) or, for SQL, through the storage's
 * connection, cached here (icx_store_db(), icx_schema.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"   /* icx_storage_db() */
#include "icx_store_internal.h"
#include "icx_util.h"

/* SQLite's page cache for a store opened read-only, MiB; $ICX_READ_CACHE_MB
 * (1 to 4096) overrides it.  Writable stores keep the storage's default. */
#define ICX_STORE_READ_CACHE_MB 16

/* --- node helpers ------------------------------------------------------- */

librdf_node *
icx_store_uri_node(icx_store *s, const char *iri)
{
  return librdf_new_node_from_uri_string(icx_ctx_world(s->ctx), (const unsigned char *)iri);
}

librdf_node *
icx_store_match_node(icx_store *s, const char *local)
{
  char iri[128];

  snprintf(iri, sizeof iri, "%s%s", ICX_MATCH_NS, local);
  return icx_store_uri_node(s, iri);
}

/* --- open / close --------------------------------------------------------- */

static int
store_mkdir_parents(icx_ctx *ctx, const char *path)
{
  char *dup = icx_strdup(ctx, path), *p;
  int rc = 0;

  if (!dup)
    return -1;
  for (p = dup + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dup, 0700) != 0 && errno != EEXIST)
      rc = -1;
    *p = '/';
  }
  icx_free(ctx, dup);
  return rc;
}

/* Why the file at path cannot be opened as a store: ICX_OK when it can
 * (*is_new set when a new store goes there), else the failure, with its
 * message set. */
static icx_rc
store_check_file(icx_ctx *ctx, const char *path, int *is_new)
{
  char version[64];

  *is_new = 0;
  switch (icx_storage_probe(path, version, sizeof version)) {
  case ICX_STORAGE_PROBE_OK:
    return ICX_OK;
  case ICX_STORAGE_PROBE_EMPTY:
    *is_new = 1;
    return ICX_OK;
  case ICX_STORAGE_PROBE_NOT_SQLITE:
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (not an SQLite file)", path);
  case ICX_STORAGE_PROBE_FOREIGN:
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (an SQLite file of "
                    "another schema)", path);
  case ICX_STORAGE_PROBE_REDLAND:
    return icx_fail(ctx, ICX_ERR_STORE,
                    "store %s has format version 1 (Redland's sqlite storage); this icx "
                    "reads version %s (reload the documents into a new store)", path,
                    ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_VERSION:
    return icx_fail(ctx, ICX_ERR_STORE,
                    "store %s has format version %s; this icx reads version %s "
                    "(reload the documents into a new store)", path,
                    *version ? version : "(none)", ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_UNREADABLE:
    return icx_fail(ctx, ICX_ERR_IO, "cannot read store %s (locked, or an I/O error)", path);
  }
  return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store", path);
}

icx_rc
icx_store_open(icx_ctx *ctx, const char *path, int flags, icx_store **out)
{
  icx_store *s;
  struct stat sb;
  int exists, is_new = 0;
  char options[96];
  icx_rc rc = ICX_OK;
  icx_diag diag;

  if (!ctx || !path || !out || !*path)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  exists = stat(path, &sb) == 0;
  if (!exists && !(flags & ICX_STORE_CREATE))
    return icx_fail(ctx, ICX_ERR_NOT_FOUND, "no store at %s (load documents first)", path);
  if (exists && !S_ISREG(sb.st_mode))
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not a regular file", path);
  if (exists && access(path, (flags & ICX_STORE_READONLY) ? R_OK : R_OK | W_OK) != 0)
    return icx_fail(ctx, ICX_ERR_IO, "cannot open store %s: %s", path, strerror(errno));
  if (exists && (rc = store_check_file(ctx, path, &is_new)))
    return rc;
  if (exists && is_new && !(flags & ICX_STORE_CREATE))
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store (an empty file)", path);
  if (!exists && store_mkdir_parents(ctx, path) != 0)
    return icx_fail(ctx, ICX_ERR_IO, "cannot create the folder of store %s: %s", path,
                    strerror(errno));

  s = icx_calloc(ctx, 1, sizeof *s);
  if (!s || !(s->path = icx_strdup(ctx, path))) {
    icx_free(ctx, s);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  s->ctx = ctx;
  s->flags = flags;
  /* Loads want a large page cache.  A reader keeps its memory down with a
   * small one: at 1M clouds no cache holds the working set and the time is
   * the same; at 100k a 64 MiB one is about a fifth faster
   * (doc/performance.md). */
  if (flags & ICX_STORE_READONLY)
    snprintf(options, sizeof options, "new='%s',synchronous='normal',cache-mb='%ld'",
             !exists || is_new ? "yes" : "no",
             icx_parse_mib(getenv("ICX_READ_CACHE_MB"), ICX_STORE_READ_CACHE_MB));
  else
    snprintf(options, sizeof options, "new='%s',synchronous='normal'",
             !exists || is_new ? "yes" : "no");
  if (!icx_ctx_world(ctx) || icx_storage_register(icx_ctx_world(ctx))) {
    rc = icx_rdf_failure(ctx);
    goto fail;
  }
  icx_diag_begin(ctx, &diag);
  s->storage = librdf_new_storage(icx_ctx_world(ctx), ICX_STORAGE_NAME, path, options);
  icx_diag_end(ctx);
  if (!s->storage) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "cannot open store %s%s%s", path,
                  diag.errors ? ": " : "", diag.errors ? diag.first : "");
    if (!exists)
      unlink(path);
    goto fail;
  }
  s->db = icx_storage_db(s->storage);
  s->model = librdf_new_model(icx_ctx_world(ctx), s->storage, NULL);
  s->meta = icx_store_uri_node(s, ICX_STORE_META_GRAPH);
  if (!s->model || !s->meta) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  *out = s;
  return ICX_OK;
fail:
  icx_store_free(s);
  return rc;
}

void
icx_store_free(icx_store *s)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  if (!s)
    return;
  icx_store_document_abort(s);
  if (s->meta)
    librdf_free_node(s->meta);
  if (s->model)
    librdf_free_model(s->model);
  if (s->storage)
    librdf_free_storage(s->storage);
  icx_free(ctx, s->path);
  icx_free(ctx, s);
}

char *
icx_store_default_path(void)
{
  const char *env = getenv("ICX_STORE");
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  icx_buf b;

  if (env && *env)
    return icx_strdup(NULL, env);      /* the caller free()s it: no context here */
  icx_buf_init(&b, NULL);
  if (xdg && *xdg == '/')
    icx_buf_appendf(&b, "%s/icx/store.db", xdg);
  else if (home && *home)
    icx_buf_appendf(&b, "%s/.local/share/icx/store.db", home);
  else
    return NULL;
  return icx_buf_take(&b);
}

librdf_model *icx_store_model(icx_store *s) { return s->model; }
librdf_storage *icx_store_storage(icx_store *s) { return s ? s->storage : NULL; }
sqlite3 *icx_store_db(icx_store *s) { return s ? s->db : NULL; }

void
icx_store_set_progress(icx_store *s, icx_store_progress_fn fn, void *userdata)
{
  if (!s)
    return;
  s->progress = fn;
  s->progress_ud = fn ? userdata : NULL;
}
icx_ctx *icx_store_ctx(icx_store *s) { return s ? s->ctx : NULL; }
const char *icx_store_path(const icx_store *s) { return s->path; }


/* icx_loader_walk.c - where documents come from: a file, or every file
 * under a folder, each in the format its name's extension says.  File-local
 * names begin walk_. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "icx_ctx_internal.h"
#include "icx_loader_internal.h"
#include "icx_util.h"

#define MAX_FOLDER_DEPTH 32

icx_format
icx_loader_format_of_name(const char *path)
{
  static const struct { const char *ext; icx_format f; } map[] = {
    { ".ttl", ICX_FORMAT_TURTLE }, { ".turtle", ICX_FORMAT_TURTLE },
    { ".rdf", ICX_FORMAT_RDFXML }, { ".xml", ICX_FORMAT_RDFXML },
    { ".owl", ICX_FORMAT_RDFXML }, { ".nt", ICX_FORMAT_NTRIPLES },
  };
  size_t n = strlen(path), i;

  for (i = 0; i < sizeof map / sizeof map[0]; i++) {
    size_t e = strlen(map[i].ext);
    if (n > e && strcmp(path + n - e, map[i].ext) == 0)
      return map[i].f;
  }
  return ICX_FORMAT_AUTO;
}

/* 1 for a file named *.xml whose first 4 KiB do not name the RDF
 * namespace: other XML (constraint requests beside the documents, say),
 * which a folder walk skips rather than reporting as broken RDF/XML.  A
 * file named on its own is always loaded. */
static int
walk_is_xml_not_rdf(const char *path)
{
  static const char rdf_ns[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  size_t n = strlen(path), got;
  char head[4097];
  FILE *fp;

  if (n < 4 || strcmp(path + n - 4, ".xml") != 0 || !(fp = fopen(path, "rb")))
    return 0;
  got = fread(head, 1, sizeof head - 1, fp);
  fclose(fp);
  head[got] = '\0';
  if (memchr(head, '\0', got))
    return 0;                 /* not text: let the parser say what it is */
  return strstr(head, rdf_ns) == NULL;
}

static icx_rc
walk_file(icx_loader *l, const char *path, icx_format fmt)
{
  char *doc_uri;
  FILE *fp;
  icx_rc rc;

  if (fmt == ICX_FORMAT_AUTO) {
    rc = icx_fail(l->ctx, ICX_ERR_RDF,
                  "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", path);
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  fp = fopen(path, "rb");
  doc_uri = fp ? icx_loader_doc_uri_for_path(path) : NULL;
  if (!fp || !doc_uri) {
    rc = icx_fail(l->ctx, ICX_ERR_IO, "%s: %s", path, strerror(errno));
    if (fp)
      fclose(fp);
    free(doc_uri);
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  rc = icx_loader_document(l, path, doc_uri, doc_uri, fmt, fp, NULL, 0);
  fclose(fp);
  free(doc_uri);
  return rc;
}

static icx_rc walk_tree(icx_loader *l, const char *path, int depth);

static icx_rc
walk_folder(icx_loader *l, const char *dir, int depth)
{
  icx_ctx *ctx = l ? l->ctx : NULL;
  DIR *d;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;
  icx_rc rc = ICX_OK, first = ICX_OK;

  if (depth > MAX_FOLDER_DEPTH)
    return icx_fail(l->ctx, ICX_ERR_LIMIT, "%s: folders nest deeper than %d", dir,
                    MAX_FOLDER_DEPTH);
  if (!(d = opendir(dir))) {
    rc = icx_fail(l->ctx, ICX_ERR_IO, "%s: %s", dir, strerror(errno));
    if (l->report)
      l->report(l->report_ud, dir, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  while ((de = readdir(d))) {
    char **nv;
    if (de->d_name[0] == '.')
      continue;
    nv = icx_realloc(ctx, names, (n + 1) * sizeof *nv);
    if (!nv || !(nv[n] = icx_strdup(ctx, de->d_name))) {
      if (nv)
        names = nv;
      closedir(d);
      while (n)
        icx_free(ctx, names[--n]);
      icx_free(ctx, names);
      return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    }
    names = nv;
    n++;
  }
  closedir(d);
  if (n > 1)
    qsort(names, n, sizeof *names, icx_cmp_strp);
  for (i = 0; i < n; i++) {
    icx_buf path;
    icx_buf_init(&path, ctx);
    icx_buf_appendf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
    if (icx_buf_failed(&path)) {
      rc = icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    } else {
      struct stat sb;
      int by_name = l->format == ICX_FORMAT_AUTO && stat(path.data, &sb) == 0 &&
                    S_ISREG(sb.st_mode);
      if (by_name && icx_loader_format_of_name(path.data) == ICX_FORMAT_AUTO) {
        icx_log(l->ctx, ICX_LOG_INFO, "loader", "skipping %s: not an RDF file name", path.data);
        rc = ICX_OK;
      } else if (by_name && walk_is_xml_not_rdf(path.data)) {
        icx_log(l->ctx, ICX_LOG_INFO, "loader", "skipping %s: XML, but not RDF/XML", path.data);
        rc = ICX_OK;
      } else {
        rc = walk_tree(l, path.data, depth + 1);
      }
    }
    icx_buf_free(&path);
    if (rc && !first)
      first = rc;
    if (rc == ICX_ERR_NOMEM)
      break;
  }
  for (i = 0; i < n; i++)
    icx_free(ctx, names[i]);
  icx_free(ctx, names);
  return first;
}

static icx_rc
walk_tree(icx_loader *l, const char *path, int depth)
{
  struct stat sb;
  icx_rc rc;

  if (stat(path, &sb) != 0) {
    rc = icx_fail(l->ctx, errno == ENOENT ? ICX_ERR_NOT_FOUND : ICX_ERR_IO, "%s: %s", path,
                  strerror(errno));
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  if (S_ISDIR(sb.st_mode))
    return walk_folder(l, path, depth);
  return walk_file(l, path,
                   l->format != ICX_FORMAT_AUTO ? l->format : icx_loader_format_of_name(path));
}

icx_rc
icx_loader_walk(icx_loader *l, const char *path)
{
  return walk_tree(l, path, 0);
}

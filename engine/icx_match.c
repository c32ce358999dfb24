/* icx_match.c - compile, execute, collect: the engine's one front door. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_exec.h"
#include "icx_match.h"
#include "icx_util.h"

struct icx_match {
  char *sparql;
  char **clouds;
  size_t n;
};

void
icx_match_free(icx_match *m)
{
  size_t i;

  if (!m)
    return;
  for (i = 0; i < m->n; i++)
    free(m->clouds[i]);
  free(m->clouds);
  free(m->sparql);
  free(m);
}

size_t icx_match_count(const icx_match *m) { return m->n; }
const char *icx_match_sparql(const icx_match *m) { return m->sparql; }

const char *
icx_match_cloud(const icx_match *m, size_t i)
{
  return i < m->n ? m->clouds[i] : NULL;
}

icx_rc
icx_match_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match **out)
{
  icx_match *m;
  icx_rows *rows = NULL;
  icx_rc rc;
  long col;
  size_t i;

  if (!ctx || !store || !set || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  m = calloc(1, sizeof *m);
  if (!m)
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  if ((rc = icx_compile_sparql(ctx, set, &m->sparql)))
    goto fail;
  if ((rc = icx_exec_select(store, m->sparql, &rows)))
    goto fail;
  /* librdf names no variables for an empty result: nothing matched. */
  col = icx_rows_column(rows, ICX_COMPILE_NAME_VAR);
  if (col < 0 && icx_rows_count(rows) > 0) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the compiled query returned no ?%s", ICX_COMPILE_NAME_VAR);
    goto fail;
  }
  m->clouds = calloc(icx_rows_count(rows) + 1, sizeof *m->clouds);
  if (!m->clouds) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  for (i = 0; i < icx_rows_count(rows); i++) {
    const char *name = icx_rows_get(rows, i, (size_t)col);
    if (!name)
      continue;
    if (!(m->clouds[m->n] = strdup(name))) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto fail;
    }
    m->n++;
  }
  /* Sorted and unique whatever the query path did. */
  if (m->n > 1) {
    size_t o = 1;
    qsort(m->clouds, m->n, sizeof *m->clouds, icx_cmp_strp);
    for (i = 1; i < m->n; i++) {
      if (strcmp(m->clouds[i], m->clouds[o - 1]) == 0)
        free(m->clouds[i]);
      else
        m->clouds[o++] = m->clouds[i];
    }
    m->n = o;
  }
  icx_rows_free(rows);
  icx_log(ctx, ICX_LOG_DEBUG, "match", "%zu constraints, %zu clouds match",
          icx_constraints_count(set), m->n);
  *out = m;
  return ICX_OK;
fail:
  icx_rows_free(rows);
  icx_match_free(m);
  return rc;
}

char *
icx_match_to_xml(const icx_match *m, int indent)
{
  icx_buf b;
  size_t i;

  if (!m)
    return NULL;
  icx_buf_init(&b);
  icx_buf_append(&b, "<matchingClouds xmlns='" ICX_CONSTRAINTS_NS "'>");
  for (i = 0; i < m->n; i++) {
    if (indent > 0)
      icx_buf_appendf(&b, "\n%*s", indent, "");
    icx_buf_append(&b, "<cloudName>");
    icx_buf_append_xml(&b, m->clouds[i]);
    icx_buf_append(&b, "</cloudName>");
  }
  if (indent > 0 && m->n)
    icx_buf_append(&b, "\n");
  icx_buf_append(&b, "</matchingClouds>");
  return icx_buf_take(&b);
}

/* icx_explain_write.c - an explanation written out: as text for people,
 * and as the <explanation> element, whole or within a size (an answer
 * that must stay under a server's stanza size limit). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_explain.h"
#include "icx_explain_internal.h"
#include "icx_util.h"

static const char *
explain_label_of(const icx_explain *e, size_t c)
{
  return icx_attribute_label(icx_constraint_attribute(e->set, c));
}

char *
icx_explain_to_text(const icx_explain *e)
{
  icx_ctx *ctx = e ? e->ctx : NULL;
  icx_buf b;
  size_t c, i, k;

  icx_buf_init(&b, ctx);
  icx_buf_appendf(&b, "%ld cloud%s meet%s every constraint.\n", e->matching,
                  e->matching == 1 ? "" : "s", e->matching == 1 ? "s" : "");
  icx_buf_append(&b, "constraint                 alone  remaining\n");
  for (c = 0; c < e->n; c++)
    icx_buf_appendf(&b, "%2zu %-22s %6ld %10ld\n", c + 1, explain_label_of(e, c), e->alone[c],
                    e->remaining[c]);
  for (i = 0; i < e->n_clouds; i++) {
    const explain_cloud_note *cn = &e->clouds[i];
    if (!cn->known) {
      icx_buf_appendf(&b, "%s: no cloud of that name in the store\n", cn->name);
      continue;
    }
    if (cn->matches) {
      icx_buf_appendf(&b, "%s: meets every constraint\n", cn->name);
      continue;
    }
    if (cn->n_failures == 0) {
      icx_buf_appendf(&b, "%s: meets each constraint alone, but no single service of it "
                      "meets them all together\n", cn->name);
      continue;
    }
    icx_buf_appendf(&b, "%s: fails %zu constraint%s\n", cn->name, cn->n_failures,
                    cn->n_failures == 1 ? "" : "s");
    for (k = 0; k < cn->n_failures; k++)
      icx_buf_appendf(&b, "  %zu %s\n", cn->failures[k].constraint + 1, cn->failures[k].detail);
  }
  for (i = 0; i < e->n_relax; i++) {
    icx_buf_append(&b, i ? "  or without " : "Nothing matches. Without ");
    for (k = 0; k < e->relax[i].size; k++)
      icx_buf_appendf(&b, "%s%zu (%s)", k ? " and " : "", e->relax[i].removed[k] + 1,
                      explain_label_of(e, e->relax[i].removed[k]));
    icx_buf_appendf(&b, ": %s%s\n", e->relax[i].clouds,
                    e->relax[i].matching > ICX_EXPLAIN_RELAXATION_NAMES ? ", ..." : "");
    if (e->relax[i].matching > ICX_EXPLAIN_RELAXATION_NAMES)
      icx_buf_appendf(&b, "    (%ld clouds; the first %d by name)\n", e->relax[i].matching,
                      ICX_EXPLAIN_RELAXATION_NAMES);
  }
  return icx_buf_take(&b);
}

/* Cloud i's element; with its failures unless bare (then with their
 * count). */
static void
explain_xml_cloud(icx_buf *b, const explain_cloud_note *cn, int bare, const char *nl, int in1, int in2)
{
  size_t k;

  icx_buf_appendf(b, "%*s<cloud name='", in1, "");
  icx_buf_append_xml(b, cn->name);
  icx_buf_appendf(b, "' known='%s' matches='%s'", cn->known ? "true" : "false",
                  cn->matches ? "true" : "false");
  if (bare && cn->n_failures)
    icx_buf_appendf(b, " failures='%zu'", cn->n_failures);
  if (bare || !cn->n_failures) {
    icx_buf_appendf(b, "/>%s", nl);
    return;
  }
  icx_buf_appendf(b, ">%s", nl);
  for (k = 0; k < cn->n_failures; k++) {
    icx_buf_appendf(b, "%*s<fails constraint='%zu'>", in2, "", cn->failures[k].constraint + 1);
    icx_buf_append_xml(b, cn->failures[k].detail);
    icx_buf_appendf(b, "</fails>%s", nl);
  }
  icx_buf_appendf(b, "%*s</cloud>%s", in1, "", nl);
}

static void
explain_xml_relaxation(icx_buf *b, const explain_relaxation *r, const char *nl, int in1)
{
  size_t k;

  icx_buf_appendf(b, "%*s<relaxation without='", in1, "");
  for (k = 0; k < r->size; k++)
    icx_buf_appendf(b, "%s%zu", k ? " " : "", r->removed[k] + 1);
  icx_buf_appendf(b, "' matching='%ld' clouds='", r->matching);
  icx_buf_append_xml(b, r->clouds);
  icx_buf_appendf(b, "'/>%s", nl);
}

/* The explanation's element, its parts past max_bytes (0: none) left out
 * as icx_explain_to_xml_within() says. */
static char *
explain_xml(const icx_explain *e, int indent, size_t max_bytes, int *cut)
{
  static const char end[] = "</explanation>";
  icx_ctx *ctx = e ? e->ctx : NULL;
  icx_buf b, body, part;
  size_t c, i, room, bare_rest = 0;
  const char *nl = indent > 0 ? "\n" : "";
  int in1 = indent > 0 ? indent : 0, in2 = indent > 0 ? 2 * indent : 0;
  int left_out = 0;

  if (cut)
    *cut = 0;
  icx_buf_init(&b, ctx);
  icx_buf_init(&body, ctx);
  icx_buf_init(&part, ctx);
  for (c = 0; c < e->n; c++) {
    icx_buf_appendf(&body, "%*s<constraint index='%zu' attribute='", in1, "", c + 1);
    icx_buf_append_xml(&body, explain_label_of(e, c));
    icx_buf_appendf(&body, "' alone='%ld' remaining='%ld'/>%s", e->alone[c], e->remaining[c],
                    nl);
  }
  /* Room for the start and end tags, with the attributes a cut adds. */
  room = max_bytes > sizeof end + 192 ? max_bytes - sizeof end - 192 : 0;
  /* Room is kept for the later clouds' bare elements: every cloud named
   * keeps its name and state before any keeps its sentences. */
  for (i = 0; max_bytes && i < e->n_clouds; i++) {
    part.len = 0;
    explain_xml_cloud(&part, &e->clouds[i], 1, nl, in1, in2);
    bare_rest += part.len;
  }
  for (i = 0; i < e->n_clouds; i++) {
    size_t bare = 0;
    if (max_bytes) {
      part.len = 0;
      explain_xml_cloud(&part, &e->clouds[i], 1, nl, in1, in2);
      bare = part.len;
      bare_rest -= bare;
    }
    part.len = 0;
    explain_xml_cloud(&part, &e->clouds[i], 0, nl, in1, in2);
    if (max_bytes && body.len + part.len + bare_rest > room) {
      left_out = 1;
      part.len = 0;
      explain_xml_cloud(&part, &e->clouds[i], 1, nl, in1, in2);
      if (body.len + bare > room)
        continue;               /* not even its name fits */
    }
    if (part.len)
      icx_buf_append_len(&body, part.data, part.len);
  }
  for (i = 0; i < e->n_relax; i++) {
    part.len = 0;
    explain_xml_relaxation(&part, &e->relax[i], nl, in1);
    if (max_bytes && body.len + part.len > room) {
      left_out = 1;
      continue;
    }
    if (part.len)
      icx_buf_append_len(&body, part.data, part.len);
  }
  icx_buf_appendf(&b, "<explanation xmlns='" ICX_CONSTRAINTS_NS "' matching='%ld'", e->matching);
  if (left_out)
    icx_buf_appendf(&b, " cut='true' relaxations='%zu'", e->n_relax);
  icx_buf_appendf(&b, ">%s", nl);
  if (icx_buf_failed(&part) || icx_buf_failed(&body))
    b.failed = 1;
  else if (body.len)
    icx_buf_append_len(&b, body.data, body.len);
  icx_buf_append(&b, end);
  icx_buf_free(&part);
  icx_buf_free(&body);
  if (cut)
    *cut = left_out;
  return icx_buf_take(&b);
}

char *
icx_explain_to_xml(const icx_explain *e, int indent)
{
  return explain_xml(e, indent, 0, NULL);
}

char *
icx_explain_to_xml_within(const icx_explain *e, size_t max_bytes, int *cut)
{
  return explain_xml(e, 0, max_bytes ? max_bytes : 1, cut);
}

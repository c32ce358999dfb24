/* icx_loader_guard.c - a document's bytes looked at before raptor reads
 * them, for what raptor would take too long over or lose without a word:
 * in RDF/XML, elements nested deeper than ICX_LOADER_MAX_DEPTH (raptor
 * looks up an element's base IRI through every enclosing element, so its
 * work grows with the square of the depth), DTDs (a DTD declares entities,
 * external ones among them) and NUL bytes (XML is read as UTF-8 only); in
 * Turtle and N-Triples, the escapes \u0000 and \U00000000, where raptor
 * ends the string without a word ("a\u0000b" arrives as "a").  One pass
 * over the bytes, fed in pieces as they are read.  File-local names begin
 * guard_. */
#include "config.h"

#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_loader_internal.h"

enum {
  G_TEXT = 0,    /* XML: character data */
  G_LT,          /* after '<' */
  G_OPEN,        /* in a start tag */
  G_CLOSE,       /* in an end tag */
  G_PI,          /* in a processing instruction or the XML declaration */
  G_BANG,        /* after "<!" */
  G_COMMENT,     /* in a comment */
  G_CDATA,       /* in a CDATA section */
  G_BACKSLASH,   /* Turtle: after a backslash that is not itself escaped */
  G_ZEROS        /* Turtle: in \u or \U, counting zeros */
};

void
icx_loader_guard_init(icx_loader_guard *g, icx_format fmt)
{
  memset(g, 0, sizeof *g);
  g->xml = fmt == ICX_FORMAT_RDFXML;
  g->line = 1;
}

static icx_rc
guard_refuse_nul(icx_loader_doc *d, long line)
{
  return icx_fail(d->l->ctx, ICX_ERR_RDF, "%s:%ld: a NUL byte; a document is text in UTF-8",
                  d->source, line);
}

/* Turtle and N-Triples. */
static icx_rc
guard_turtle(icx_loader_doc *d, icx_loader_guard *g, const unsigned char *p, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (c == '\n')
      g->line++;
    if (c == 0)
      return guard_refuse_nul(d, g->line);
    switch (g->state) {
    case G_BACKSLASH:
      if (c == 'u' || c == 'U') {
        g->state = G_ZEROS;
        g->count = c == 'u' ? 4 : 8;
      } else {
        g->state = G_TEXT;    /* an escaped character, a backslash among them */
      }
      break;
    case G_ZEROS:
      if (c == '0' && --g->count == 0)
        return icx_fail(d->l->ctx, ICX_ERR_RDF,
                        "%s:%ld: the escape of a NUL character (\\u0000); a document may "
                        "not hold one", d->source, g->line);
      if (c != '0')
        g->state = c == '\\' ? G_BACKSLASH : G_TEXT;
      break;
    default:
      if (c == '\\')
        g->state = G_BACKSLASH;
      break;
    }
  }
  return ICX_OK;
}

/* RDF/XML. */
static icx_rc
guard_xml(icx_loader_doc *d, icx_loader_guard *g, const unsigned char *p, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (c == '\n')
      g->line++;
    if (c == 0)
      return guard_refuse_nul(d, g->line);
    switch (g->state) {
    case G_TEXT:
      if (c == '<')
        g->state = G_LT;
      break;
    case G_LT:
      if (c == '/') {
        g->state = G_CLOSE;
        if (g->depth)
          g->depth--;
      } else if (c == '?') {
        g->state = G_PI;
        g->last = 0;
      } else if (c == '!') {
        g->state = G_BANG;
      } else {
        if (++g->depth > ICX_LOADER_MAX_DEPTH)
          return icx_fail(d->l->ctx, ICX_ERR_LIMIT,
                          "%s:%ld: elements nested more than %d deep; icx reads RDF/XML "
                          "nested %d deep at most", d->source, g->line, ICX_LOADER_MAX_DEPTH,
                          ICX_LOADER_MAX_DEPTH);
        g->state = G_OPEN;
        g->quote = 0;
        g->last = c;
      }
      break;
    case G_OPEN:
      if (g->quote) {
        if (c == g->quote)
          g->quote = 0;
      } else if (c == '"' || c == '\'') {
        g->quote = c;
      } else if (c == '>') {
        if (g->last == '/' && g->depth)
          g->depth--;
        g->state = G_TEXT;
      }
      g->last = c;
      break;
    case G_CLOSE:
      if (c == '>')
        g->state = G_TEXT;
      break;
    case G_PI:
      if (c == '>' && g->last == '?')
        g->state = G_TEXT;
      g->last = c;
      break;
    case G_BANG:
      if (c == '-') {
        g->state = G_COMMENT;
        g->count = 0;
      } else if (c == '[') {
        g->state = G_CDATA;
        g->count = 0;
      } else {
        return icx_fail(d->l->ctx, ICX_ERR_RDF,
                        "%s:%ld: a DTD or markup declaration (<!%c...); icx reads no DTD, "
                        "so no entity, internal or external", d->source, g->line,
                        c >= 0x21 && c < 0x7f ? c : '?');
      }
      break;
    case G_COMMENT:
    case G_CDATA:
      if (c == (g->state == G_COMMENT ? '-' : ']'))
        g->count++;
      else if (c == '>' && g->count >= 2)
        g->state = G_TEXT;
      else
        g->count = 0;
      break;
    default:
      g->state = G_TEXT;
      break;
    }
  }
  return ICX_OK;
}

icx_rc
icx_loader_guard_scan(icx_loader_doc *d, const unsigned char *p, size_t n)
{
  icx_loader_guard *g = &d->guard;

  return g->xml ? guard_xml(d, g, p, n) : guard_turtle(d, g, p, n);
}

/* icxd_rsm_index.c - the items of a list answer found once in its text. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icx_util.h"
#include "icxd_rsm_index.h"

struct icxd_rsm_index {
  size_t n;
  size_t head;          /* xml[0 .. head): the list's start tag (and the
                           one element's around it) */
  size_t tail;          /* xml[tail ..]: its end tag (and the other's) */
  size_t *start, *end;  /* item i: xml[start[i] .. end[i]) */
  size_t *sizes;        /* as icxd_rsm_page() counts them */
  char **keys;          /* each item's text, unescaped, in pool */
  char *pool;
};

/* A scan of one text: where it is, and where the decoded keys go. */
typedef struct rsm_scan {
  const char *xml, *p;
  char *out;            /* the pool's next byte */
} rsm_scan;

static int rsm_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void rsm_skip_space(rsm_scan *s)
{
  while (rsm_space(*s->p))
    s->p++;
}

/* Writes code point cp as UTF-8 at *out.  0, or -1 for no character. */
static int rsm_utf8(unsigned long cp, char **out)
{
  unsigned char *o = (unsigned char *)*out;

  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  if (cp < 0x80) {
    *o++ = (unsigned char)cp;
  } else if (cp < 0x800) {
    *o++ = (unsigned char)(0xC0 | (cp >> 6));
    *o++ = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (unsigned char)(0xE0 | (cp >> 12));
    *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (unsigned char)(0xF0 | (cp >> 18));
    *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (unsigned char)(0x80 | (cp & 0x3F));
  }
  *out = (char *)o;
  return 0;
}

/* Decodes the text at s->p up to the first stop byte (not consumed) into
 * *out (NULL: counted only), adding its escaped size to *size.  -1 for
 * what a tree would read otherwise than byte for byte: a character or
 * entity reference of another kind, a '<', or (raw) a carriage return
 * or, in an attribute, a tab or newline (a parser normalizes those). */
static int rsm_decode(rsm_scan *s, char stop, int attr, char **out,
                      size_t *size)
{
  static const struct {
    const char *ref;
    char c;
  } named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'},
               {"quot;", '"'}, {"apos;", '\''}};
  char buf[4], *w, *from;
  size_t k;

  for (; *s->p != stop; s->p++) {
    char c = *s->p;
    if (!c || c == '<' || c == '\r' || (attr && (c == '\t' || c == '\n')))
      return -1;
    w = out ? *out : buf;
    from = w;
    if (c != '&') {
      *w++ = c;
    } else if (s->p[1] == '#') {
      int hex = s->p[2] == 'x';
      const char *d = s->p + 2 + hex;
      char *end;
      unsigned long cp;
      if (!(hex ? isxdigit((unsigned char)*d) : isdigit((unsigned char)*d)))
        return -1;
      cp = strtoul(d, &end, hex ? 16 : 10);
      if (*end != ';' || rsm_utf8(cp, &w))
        return -1;
      s->p = end;
    } else {
      for (k = 0; k < sizeof named / sizeof named[0]; k++)
        if (strncmp(s->p + 1, named[k].ref, strlen(named[k].ref)) == 0)
          break;
      if (k == sizeof named / sizeof named[0])
        return -1;
      *w++ = named[k].c;
      s->p += strlen(named[k].ref);
    }
    for (; size && from < w; from++)
      *size += icxd_rsm_char_size(*from);
    if (out)
      *out = w;
  }
  return 0;
}

/* 1 when s->p starts with '<' (or "</" with close) name and then a space,
 * '>' or '/'; s->p is then past the name. */
static int rsm_tag(rsm_scan *s, const char *name, int close)
{
  size_t len = strlen(name);
  const char *q = s->p + 1 + (close != 0);

  if (s->p[0] != '<' || (close && s->p[1] != '/') || strncmp(q, name, len) != 0 ||
      !(rsm_space(q[len]) || q[len] == '>' || q[len] == '/'))
    return 0;
  s->p = q + len;
  return 1;
}

/* A start tag's attributes, to its '>' (consumed): each adds its name's
 * length and 4, and its value escaped, to *size.  The value of the one
 * named key (when key is not NULL) is decoded into s->out, and *kv
 * points to it.  1 for "/>", 0 for '>', -1 for anything else, and for a
 * namespace declaration or a prefixed name (a tree counts neither as
 * the text does). */
static int rsm_attributes(rsm_scan *s, size_t *size, const char *key,
                          const char **kv)
{
  for (;;) {
    const char *name;
    size_t nlen;
    char quote, **out = NULL;
    rsm_skip_space(s);
    if (*s->p == '>') {
      s->p++;
      return 0;
    }
    if (s->p[0] == '/' && s->p[1] == '>') {
      s->p += 2;
      return 1;
    }
    for (name = s->p; *s->p && !rsm_space(*s->p) && !strchr("=/><'\"", *s->p); s->p++)
      if (*s->p == ':' && size)
        return -1;
    nlen = (size_t)(s->p - name);
    if (!nlen || (size && nlen >= 5 && strncmp(name, "xmlns", 5) == 0))
      return -1;
    if (size)
      *size += nlen + 4;
    if (key && kv && !*kv && strlen(key) == nlen && strncmp(name, key, nlen) == 0) {
      *kv = s->out;
      out = &s->out;
    }
    rsm_skip_space(s);
    if (*s->p++ != '=')
      return -1;
    rsm_skip_space(s);
    quote = *s->p++;
    if ((quote != '\'' && quote != '"') || rsm_decode(s, quote, 1, out, size))
      return -1;
    if (out)
      *s->out++ = '\0';
    s->p++;
  }
}

/* Reads the item at s->p (past its name) into slot i of ix: its key the
 * value of attribute key, or (key NULL) its text.  0 or -1. */
static int rsm_item(rsm_scan *s, icxd_rsm_index *ix, const char *child,
                    const char *key, size_t i)
{
  size_t size = icxd_rsm_item_size(child, "");
  const char *kv = NULL;
  int empty = rsm_attributes(s, &size, key, &kv);

  if (empty < 0)
    return -1;
  if (!key)
    kv = s->out;
  if (!empty) {
    if (rsm_decode(s, '<', 0, key ? NULL : &s->out, &size) || !rsm_tag(s, child, 1))
      return -1;
    rsm_skip_space(s);
    if (*s->p++ != '>')
      return -1;
  }
  if (!key)
    *s->out++ = '\0';
  else if (!kv) {               /* no such attribute: named "" */
    kv = s->out;
    *s->out++ = '\0';
  }
  ix->keys[i] = (char *)kv;
  ix->sizes[i] = size;
  ix->end[i] = (size_t)(s->p - s->xml);
  return 0;
}

void icxd_rsm_index_free(icxd_rsm_index *ix)
{
  if (!ix)
    return;
  free(ix->start);
  free(ix->end);
  free(ix->sizes);
  free(ix->keys);
  free(ix->pool);
  free(ix);
}

icxd_rsm_index *icxd_rsm_index_new(const char *xml, const char *list,
                                   const char *child, const char *key)
{
  icxd_rsm_index *ix = calloc(1, sizeof *ix);
  rsm_scan s;
  size_t len = strlen(xml), cap = 0;
  char *outer = NULL;
  const char *q;

  /* At most one item per '<' of the text. */
  for (q = xml; (q = strchr(q, '<')) != NULL; q++)
    cap++;
  if (!ix || !(ix->start = malloc((cap + 1) * sizeof *ix->start)) ||
      !(ix->end = malloc((cap + 1) * sizeof *ix->end)) ||
      !(ix->sizes = malloc((cap + 1) * sizeof *ix->sizes)) ||
      !(ix->keys = malloc((cap + 1) * sizeof *ix->keys)) ||
      !(ix->pool = malloc(len + cap + 1)))
    goto fail;
  memset(&s, 0, sizeof s);
  s.xml = s.p = xml;
  s.out = ix->pool;
  rsm_skip_space(&s);
  if (!rsm_tag(&s, list, 0)) {
    /* The list inside one other element, as its only child (where a tree
     * looks for it: icxd_rsm_page_answer()). */
    if (*s.p != '<' || !(isalpha((unsigned char)s.p[1]) || s.p[1] == '_'))
      goto fail;
    for (q = s.p + 1; *q && !rsm_space(*q) && !strchr("/>", *q); q++)
      ;
    if (!(outer = strndup(s.p + 1, (size_t)(q - s.p - 1))))
      goto fail;
    s.p = q;
    if (rsm_attributes(&s, NULL, NULL, NULL) != 0 || !rsm_tag(&s, list, 0))
      goto fail;
  }
  if (rsm_attributes(&s, NULL, NULL, NULL) != 0)
    goto fail;
  ix->head = (size_t)(s.p - xml);
  /* Items back to back: text between them (space) would be the tree's
   * too, on every page. */
  for (;;) {
    ix->tail = (size_t)(s.p - xml);
    if (rsm_tag(&s, list, 1))
      break;
    ix->start[ix->n] = (size_t)(s.p - xml);
    if (ix->n == cap || !rsm_tag(&s, child, 0) || rsm_item(&s, ix, child, key, ix->n))
      goto fail;
    ix->n++;
  }
  rsm_skip_space(&s);
  if (*s.p++ != '>')
    goto fail;
  if (outer) {
    if (!rsm_tag(&s, outer, 1))
      goto fail;
    rsm_skip_space(&s);
    if (*s.p++ != '>')
      goto fail;
  }
  rsm_skip_space(&s);
  if (*s.p)
    goto fail;
  free(outer);
  return ix;
fail:
  free(outer);
  icxd_rsm_index_free(ix);
  return NULL;
}

size_t icxd_rsm_index_count(const icxd_rsm_index *ix)
{
  return ix ? ix->n : 0;
}

xmpp_stanza_t *icxd_rsm_page_indexed(xmpp_ctx_t *ctx, const char *xml,
                                     const icxd_rsm_index *ix,
                                     const icxd_rsm_req *req, size_t max_items,
                                     size_t max_bytes, char *err,
                                     size_t errlen)
{
  xmpp_stanza_t *out = NULL;
  size_t first = 0, count = 0;
  icx_buf t;
  char *text;

  if (icxd_rsm_page(req, (const char *const *)ix->keys, ix->sizes, ix->n,
                    max_items, max_bytes, &first, &count, err, errlen) != 0)
    return NULL;
  icx_buf_init(&t, NULL);
  icx_buf_append_len(&t, xml, ix->head);
  if (count)
    icx_buf_append_len(&t, xml + ix->start[first],
                       ix->end[first + count - 1] - ix->start[first]);
  icxd_rsm_set_append(&t, count ? ix->keys[first] : NULL, first,
                      count ? ix->keys[first + count - 1] : NULL, ix->n);
  icx_buf_append(&t, xml + ix->tail);
  if ((text = icx_buf_take(&t)) != NULL)
    out = xmpp_stanza_new_from_string(ctx, text);
  free(text);
  if (!out)
    snprintf(err, errlen, "out of memory");
  return out;
}

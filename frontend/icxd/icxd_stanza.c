/* icxd_stanza.c - element helpers over libstrophe. */
/* New elements, text children, adoption, child lookup. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_stanza.h"

xmpp_stanza_t *icxd_elem(xmpp_ctx_t *ctx, const char *name, const char *ns)
{
  xmpp_stanza_t *s = xmpp_stanza_new(ctx);

  if (!s)
    return NULL;
  if (xmpp_stanza_set_name(s, name) != XMPP_EOK ||
      (ns && xmpp_stanza_set_ns(s, ns) != XMPP_EOK)) {
    xmpp_stanza_release(s);
    return NULL;
  }
  return s;
}

int icxd_adopt(xmpp_stanza_t *parent, xmpp_stanza_t *child)
{
  if (!parent || !child) {
    if (child)
      xmpp_stanza_release(child);
    return -1;
  }
  if (xmpp_stanza_add_child_ex(parent, child, 0) != XMPP_EOK) {
    xmpp_stanza_release(child);
    return -1;
  }
  return 0;
}

xmpp_stanza_t *icxd_add_text_child(xmpp_ctx_t *ctx, xmpp_stanza_t *parent,
                                   const char *name, const char *text)
{
  xmpp_stanza_t *el = icxd_elem(ctx, name, NULL);
  xmpp_stanza_t *tx;

  if (!el)
    return NULL;
  tx = xmpp_stanza_new(ctx);
  if (!tx || xmpp_stanza_set_text(tx, text ? text : "") != XMPP_EOK) {
    if (tx)
      xmpp_stanza_release(tx);
    xmpp_stanza_release(el);
    return NULL;
  }
  if (icxd_adopt(el, tx) != 0) {
    xmpp_stanza_release(el);
    return NULL;
  }
  if (icxd_adopt(parent, el) != 0)
    return NULL;
  return el;
}

xmpp_stanza_t *icxd_child(xmpp_stanza_t *parent, const char *name,
                          const char *ns)
{
  xmpp_stanza_t *c;
  const char *cn, *cns;

  if (!parent)
    return NULL;
  for (c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c))
      continue;
    cn = xmpp_stanza_get_name(c);
    cns = xmpp_stanza_get_ns(c);
    if (name && (!cn || strcmp(cn, name) != 0))
      continue;
    if (ns && (!cns || strcmp(cns, ns) != 0))
      continue;
    return c;
  }
  return NULL;
}

int icxd_count_children(xmpp_stanza_t *parent)
{
  xmpp_stanza_t *c;
  int n = 0;

  for (c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c))
      n++;
  return n;
}

int icxd_is(const char *a, const char *b)
{
  return a && b && strcmp(a, b) == 0;
}

long icxd_count_of(const char *text)
{
  char *end;
  long v;

  if (!text)
    return 0;
  errno = 0;
  v = strtol(text, &end, 10);
  if (end == text || v < 0)
    return 0;
  return errno == ERANGE ? LONG_MAX : v;
}

long icxd_count_add(long a, long b)
{
  return a > LONG_MAX - b ? LONG_MAX : a + b;
}

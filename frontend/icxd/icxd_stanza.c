/* icxd_stanza.c - building replies and error stanzas with from and to. */
#include "config.h"

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

xmpp_stanza_t *icxd_iq_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *req,
                             const char *type, const char *self,
                             const char *fallback_to)
{
  const char *id = xmpp_stanza_get_id(req);
  const char *from = xmpp_stanza_get_from(req);
  xmpp_stanza_t *iq = xmpp_iq_new(ctx, type, id);

  if (!iq)
    return NULL;
  if (!from || !*from)
    from = fallback_to;
  if (xmpp_stanza_set_from(iq, self) != XMPP_EOK ||
      (from && xmpp_stanza_set_to(iq, from) != XMPP_EOK)) {
    xmpp_stanza_release(iq);
    return NULL;
  }
  return iq;
}

xmpp_stanza_t *icxd_iq_error(xmpp_ctx_t *ctx, xmpp_stanza_t *req,
                             const char *self, const char *fallback_to,
                             const char *etype, const char *condition,
                             const char *app_ns, const char *app,
                             const char *text)
{
  xmpp_stanza_t *iq = icxd_iq_reply(ctx, req, "error", self, fallback_to);
  xmpp_stanza_t *err, *t;

  if (!iq)
    return NULL;
  err = icxd_elem(ctx, "error", NULL);
  if (!err || xmpp_stanza_set_type(err, etype) != XMPP_EOK)
    goto fail_err;
  if (icxd_adopt(err, icxd_elem(ctx, condition, ICXD_NS_STANZAS)) != 0)
    goto fail_err;
  if (app && app_ns && icxd_adopt(err, icxd_elem(ctx, app, app_ns)) != 0)
    goto fail_err;
  if (text) {
    t = icxd_add_text_child(ctx, err, "text", text);
    if (!t || xmpp_stanza_set_ns(t, ICXD_NS_STANZAS) != XMPP_EOK)
      goto fail_err;
  }
  if (icxd_adopt(iq, err) != 0)
    goto fail_iq;
  return iq;
fail_err:
  if (err)
    xmpp_stanza_release(err);
fail_iq:
  xmpp_stanza_release(iq);
  return NULL;
}

int icxd_is(const char *a, const char *b)
{
  return a && b && strcmp(a, b) == 0;
}

/* icxd_reply.c - answers to a received stanza, built and sent. */
/* IQ results and errors with 'from' and 'to' set, sent on the
 * connection. */
#include "config.h"

#include "icxd_reply.h"
#include "icxd_stanza.h"

xmpp_stanza_t *icxd_reply_iq_new(xmpp_ctx_t *ctx, xmpp_stanza_t *req,
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

xmpp_stanza_t *icxd_reply_error_elem(xmpp_ctx_t *ctx, const char *etype,
                                     const char *condition,
                                     const char *app_ns, const char *app,
                                     const char *text)
{
  xmpp_stanza_t *err = icxd_elem(ctx, "error", NULL), *t;

  if (!err || xmpp_stanza_set_type(err, etype) != XMPP_EOK)
    goto fail;
  if (icxd_adopt(err, icxd_elem(ctx, condition, ICXD_NS_STANZAS)) != 0)
    goto fail;
  if (app && app_ns && icxd_adopt(err, icxd_elem(ctx, app, app_ns)) != 0)
    goto fail;
  if (text) {
    t = icxd_add_text_child(ctx, err, "text", text);
    if (!t || xmpp_stanza_set_ns(t, ICXD_NS_STANZAS) != XMPP_EOK)
      goto fail;
  }
  return err;
fail:
  if (err)
    xmpp_stanza_release(err);
  return NULL;
}

xmpp_stanza_t *icxd_reply_iq_error_new(xmpp_ctx_t *ctx, xmpp_stanza_t *req,
                                       const char *self,
                                       const char *fallback_to,
                                       const char *etype,
                                       const char *condition,
                                       const char *app_ns, const char *app,
                                       const char *text)
{
  xmpp_stanza_t *iq = icxd_reply_iq_new(ctx, req, "error", self, fallback_to);

  if (!iq)
    return NULL;
  if (icxd_adopt(iq, icxd_reply_error_elem(ctx, etype, condition, app_ns, app,
                                           text)) != 0) {
    xmpp_stanza_release(iq);
    return NULL;
  }
  return iq;
}

const char *icxd_reply_from(icxd_conn *c, xmpp_stanza_t *req)
{
  const char *to = xmpp_stanza_get_to(req);

  return to && *to ? to : icxd_conn_self(c);
}

void icxd_reply_result(icxd_conn *c, xmpp_stanza_t *req,
                       xmpp_stanza_t *payload)
{
  xmpp_stanza_t *r = icxd_reply_iq_new(icxd_conn_xmpp_ctx(c), req, "result",
                                       icxd_reply_from(c, req),
                                       icxd_conn_domain(c));

  if (!r || (payload && icxd_adopt(r, payload) != 0)) {
    if (r)
      xmpp_stanza_release(r);
    else if (payload)
      xmpp_stanza_release(payload);
    icxd_reply_error(c, req, "wait", "resource-constraint", NULL, NULL,
                     "out of memory");
    return;
  }
  icxd_conn_send(c, r);
}

void icxd_reply_error(icxd_conn *c, xmpp_stanza_t *req, const char *etype,
                      const char *condition, const char *app_ns,
                      const char *app, const char *text)
{
  const char *from = xmpp_stanza_get_from(req);

  icxd_log(icxd_conn_log(c), ICXD_LOG_DEBUG, "xmpp", "error %s/%s%s%s to %s",
           etype, condition, app ? "/" : "", app ? app : "",
           from ? from : "?");
  icxd_conn_send(c, icxd_reply_iq_error_new(icxd_conn_xmpp_ctx(c), req,
                                            icxd_reply_from(c, req),
                                            icxd_conn_domain(c), etype,
                                            condition, app_ns, app, text));
}

void icxd_reply_forbidden(icxd_conn *c, xmpp_stanza_t *req, const char *what,
                          const char *text)
{
  const char *from = xmpp_stanza_get_from(req);

  icxd_log(icxd_conn_log(c), ICXD_LOG_INFO, "access", "%s refused to %s", what,
           from ? from : "(no sender)");
  icxd_reply_error(c, req, "auth", "forbidden", NULL, NULL, text);
}

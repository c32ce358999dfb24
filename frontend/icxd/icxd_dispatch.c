/* icxd_dispatch.c - hands received stanzas to their handlers. */
/* A gate and a fallback around libstrophe's stanza handlers, so that
 * every IQ get or set is answered exactly once, and the handlers of
 * messages and presence. */
#include "config.h"

#include <stdlib.h>

#include "icxd_dispatch.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

struct icxd_dispatch {
  icxd_conn *conn;              /* borrowed */
  const xmpp_stanza_t *claimed; /* the IQ being dispatched, once taken */
  xmpp_handler *added;          /* handlers from icxd_dispatch_add_iq() */
  size_t n_added;
};

/* First handler of every IQ: takes answers and malformed IQs. */
static int dispatch_on_iq_first(xmpp_conn_t *conn, xmpp_stanza_t *st,
                                void *ud)
{
  icxd_dispatch *d = ud;
  icxd_conn *c = d->conn;
  const char *type = xmpp_stanza_get_type(st);
  xmpp_stanza_t *payload;
  const char *name, *ns;

  (void)conn;
  d->claimed = NULL;
  /* Answers are never answered (and libstrophe's own bind/session results
   * pass through here too). */
  if (icxd_is(type, "result") || icxd_is(type, "error")) {
    d->claimed = st;
    return 1;
  }
  if (!icxd_is(type, "get") && !icxd_is(type, "set")) {
    d->claimed = st;
    icxd_reply_error(c, st, "modify", "bad-request", NULL, NULL,
                     "an iq needs type get, set, result or error");
    return 1;
  }
  if (icxd_count_children(st) != 1) {
    d->claimed = st;
    icxd_reply_error(c, st, "modify", "bad-request", NULL, NULL,
                     "an iq get or set carries exactly one payload element");
    return 1;
  }
  payload = icxd_child(st, NULL, NULL);
  name = xmpp_stanza_get_name(payload);
  ns = xmpp_stanza_get_ns(payload);
  icxd_log(icxd_conn_log(c), ICXD_LOG_DEBUG, "xmpp",
           "iq %s %s {%s}%s from %s", type,
           xmpp_stanza_get_id(st) ? xmpp_stanza_get_id(st) : "(no id)",
           ns ? ns : "", name ? name : "",
           xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "?");
  return 1;
}

/* Last handler of every IQ: answers what nobody took. */
static int dispatch_on_iq_last(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
  icxd_dispatch *d = ud;

  (void)conn;
  if (d->claimed != st)
    icxd_reply_error(d->conn, st, "cancel", "service-unavailable", NULL, NULL,
                     NULL);
  d->claimed = NULL;
  return 1;
}

static int dispatch_on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
  icxd_dispatch *d = ud;

  (void)conn;
  /* icxd takes requests only as ad-hoc commands; messages (including
   * errors bouncing back from pushed results) are logged and dropped. */
  icxd_log(icxd_conn_log(d->conn), ICXD_LOG_DEBUG, "xmpp",
           "message (%s) from %s ignored",
           xmpp_stanza_get_type(st) ? xmpp_stanza_get_type(st) : "normal",
           xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "?");
  return 1;
}

static int dispatch_on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st,
                                void *ud)
{
  icxd_dispatch *d = ud;
  icxd_conn *c = d->conn;
  const char *type = xmpp_stanza_get_type(st);
  const char *from = xmpp_stanza_get_from(st);
  xmpp_stanza_t *pres;

  (void)conn;
  /* In client mode, accept subscription requests so a person's roster shows
   * the exchange online (and their client offers its commands). */
  if (icxd_conn_config(c)->mode == ICXD_MODE_CLIENT &&
      icxd_is(type, "subscribe") && from) {
    pres = xmpp_presence_new(icxd_conn_xmpp_ctx(c));
    if (pres && xmpp_stanza_set_type(pres, "subscribed") == XMPP_EOK &&
        xmpp_stanza_set_to(pres, from) == XMPP_EOK &&
        xmpp_stanza_set_from(pres, icxd_conn_self(c)) == XMPP_EOK) {
      icxd_conn_send(c, pres);
    } else if (pres) {
      xmpp_stanza_release(pres);
    }
    icxd_log(icxd_conn_log(c), ICXD_LOG_INFO, "xmpp",
             "accepted subscription of %s", from);
  }
  return 1;
}

icxd_dispatch *icxd_dispatch_new(icxd_conn *c)
{
  icxd_dispatch *d = calloc(1, sizeof *d);

  if (!d)
    return NULL;
  d->conn = c;
  icxd_conn_handler_add(c, dispatch_on_iq_first, NULL, "iq", NULL, d);
  icxd_conn_handler_add(c, dispatch_on_message, NULL, "message", NULL, d);
  icxd_conn_handler_add(c, dispatch_on_presence, NULL, "presence", NULL, d);
  icxd_conn_handler_add(c, dispatch_on_iq_last, NULL, "iq", NULL, d);
  return d;
}

void icxd_dispatch_free(icxd_dispatch *d)
{
  size_t i;

  if (!d)
    return;
  icxd_conn_handler_delete(d->conn, dispatch_on_iq_first);
  icxd_conn_handler_delete(d->conn, dispatch_on_message);
  icxd_conn_handler_delete(d->conn, dispatch_on_presence);
  icxd_conn_handler_delete(d->conn, dispatch_on_iq_last);
  for (i = 0; i < d->n_added; i++)
    icxd_conn_handler_delete(d->conn, d->added[i]);
  free(d->added);
  free(d);
}

int icxd_dispatch_add_iq(icxd_dispatch *d, xmpp_handler handler,
                         const char *ns, const char *type, void *ud)
{
  xmpp_handler *grown = realloc(d->added, (d->n_added + 1) * sizeof *grown);

  if (!grown)
    return -1;
  d->added = grown;
  d->added[d->n_added++] = handler;
  /* The fallback goes back to the end of libstrophe's list. */
  icxd_conn_handler_delete(d->conn, dispatch_on_iq_last);
  icxd_conn_handler_add(d->conn, handler, ns, "iq", type, ud);
  icxd_conn_handler_add(d->conn, dispatch_on_iq_last, NULL, "iq", NULL, d);
  return 0;
}

int icxd_dispatch_claim(icxd_dispatch *d, xmpp_stanza_t *iq)
{
  if (d->claimed == iq)
    return 0;
  d->claimed = iq;
  return 1;
}

icxd_conn *icxd_dispatch_conn(const icxd_dispatch *d)
{
  return d->conn;
}

/* icxd_router.c - the stanza handlers: every IQ get/set is answered, by
 * disco, ping or the command, else with service-unavailable. */
#include "config.h"

#include <string.h>

#include "icxd_service_internal.h"
#include "icxd_stanza.h"

int icxd_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
  icxd_service *svc = ud;
  const char *type = xmpp_stanza_get_type(st);
  xmpp_stanza_t *payload, *reply;
  const char *name, *ns;

  (void)conn;
  /* Answers are never answered (and libstrophe's own bind/session results
   * pass through here too). */
  if (icxd_is(type, "result") || icxd_is(type, "error"))
    return 1;
  if (!icxd_is(type, "get") && !icxd_is(type, "set")) {
    icxd_reply_error(svc, st, "modify", "bad-request", NULL, NULL,
                     "an iq needs type get, set, result or error");
    return 1;
  }
  if (icxd_count_children(st) != 1) {
    icxd_reply_error(svc, st, "modify", "bad-request", NULL, NULL,
                     "an iq get or set carries exactly one payload element");
    return 1;
  }
  payload = icxd_child(st, NULL, NULL);
  name = xmpp_stanza_get_name(payload);
  ns = xmpp_stanza_get_ns(payload);
  icxd_log(svc->log, ICXD_LOG_DEBUG, "xmpp", "iq %s %s {%s}%s from %s", type,
           xmpp_stanza_get_id(st) ? xmpp_stanza_get_id(st) : "(no id)",
           ns ? ns : "", name ? name : "",
           xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "?");

  if (icxd_is(ns, ICXD_NS_DISCO_INFO) || icxd_is(ns, ICXD_NS_DISCO_ITEMS)) {
    if (icxd_disco_handle(svc, st, payload) == 0)
      return 1;
  } else if (icxd_is(ns, ICXD_NS_PING) && icxd_is(name, "ping") && icxd_is(type, "get")) {
    reply = icxd_iq_reply(svc->xctx, st, "result", icxd_self_for(svc, st),
                          svc->domain);
    icxd_send(svc, reply);
    return 1;
  } else if (icxd_is(ns, ICXD_NS_COMMANDS) && icxd_is(name, "command")) {
    icxd_command_handle(svc, st, payload);
    return 1;
  }
  icxd_reply_error(svc, st, "cancel", "service-unavailable", NULL, NULL, NULL);
  return 1;
}

int icxd_on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
  icxd_service *svc = ud;

  (void)conn;
  /* icxd takes requests only as ad-hoc commands; messages (including
   * errors bouncing back from pushed results) are logged and dropped. */
  icxd_log(svc->log, ICXD_LOG_DEBUG, "xmpp", "message (%s) from %s ignored",
           xmpp_stanza_get_type(st) ? xmpp_stanza_get_type(st) : "normal",
           xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "?");
  return 1;
}

int icxd_on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
  icxd_service *svc = ud;
  const char *type = xmpp_stanza_get_type(st);
  const char *from = xmpp_stanza_get_from(st);
  xmpp_stanza_t *pres;

  (void)conn;
  /* In client mode, accept subscription requests so a person's roster shows
   * the exchange online (and their client offers its commands). */
  if (svc->cfg->mode == ICXD_MODE_CLIENT && icxd_is(type, "subscribe") && from) {
    pres = xmpp_presence_new(svc->xctx);
    if (pres && xmpp_stanza_set_type(pres, "subscribed") == XMPP_EOK &&
        xmpp_stanza_set_to(pres, from) == XMPP_EOK &&
        xmpp_stanza_set_from(pres, svc->self) == XMPP_EOK) {
      icxd_send(svc, pres);
    } else if (pres) {
      xmpp_stanza_release(pres);
    }
    icxd_log(svc->log, ICXD_LOG_INFO, "xmpp", "accepted subscription of %s",
             from);
  }
  return 1;
}

/* icxd_disco.c - service discovery (XEP-0030) for the service, its command
 * list and its command nodes. */
#include "config.h"

#include <string.h>

#include "icxd_service_internal.h"
#include "icxd_stanza.h"

static const char *const service_features[] = {
  ICXD_NS_DISCO_INFO, ICXD_NS_DISCO_ITEMS, ICXD_NS_COMMANDS, ICXD_NS_IODATA,
  ICXD_NS_DATA, ICXD_NS_PING, NULL
};

static const char *const command_features[] = {
  ICXD_NS_COMMANDS, ICXD_NS_IODATA, ICXD_NS_DATA, NULL
};

/* explain_constraints takes IO Data only (no data form). */
static const char *const explain_features[] = {
  ICXD_NS_COMMANDS, ICXD_NS_IODATA, NULL
};

/* The command list, in the order disco#items gives it. */
static const struct {
  const char *node, *name;
  const char *const *features;
} commands[] = {
  { ICXD_NODE, ICXD_NODE_NAME, command_features },
  { ICXD_NODE_EXPLAIN, ICXD_NODE_EXPLAIN_NAME, explain_features },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static int add_identity(xmpp_ctx_t *ctx, xmpp_stanza_t *query,
                        const char *category, const char *type,
                        const char *name)
{
  xmpp_stanza_t *id = icxd_elem(ctx, "identity", NULL);

  if (!id || xmpp_stanza_set_attribute(id, "category", category) ||
      xmpp_stanza_set_attribute(id, "type", type) ||
      xmpp_stanza_set_attribute(id, "name", name)) {
    if (id)
      xmpp_stanza_release(id);
    return -1;
  }
  return icxd_adopt(query, id);
}

static int add_features(xmpp_ctx_t *ctx, xmpp_stanza_t *query,
                        const char *const *features)
{
  xmpp_stanza_t *f;

  for (; *features; features++) {
    f = icxd_elem(ctx, "feature", NULL);
    if (!f || xmpp_stanza_set_attribute(f, "var", *features)) {
      if (f)
        xmpp_stanza_release(f);
      return -1;
    }
    if (icxd_adopt(query, f))
      return -1;
  }
  return 0;
}

/* The index of node in commands[], or -1. */
static int command_index(const char *node)
{
  size_t i;

  for (i = 0; i < N_COMMANDS; i++)
    if (icxd_is(node, commands[i].node))
      return (int)i;
  return -1;
}

/* Appends <item jid=self node=... name=.../> for every command. */
static int add_command_items(xmpp_ctx_t *ctx, xmpp_stanza_t *query,
                             const char *self)
{
  xmpp_stanza_t *item;
  size_t i;

  for (i = 0; i < N_COMMANDS; i++) {
    item = icxd_elem(ctx, "item", NULL);
    if (!item || xmpp_stanza_set_attribute(item, "jid", self) ||
        xmpp_stanza_set_attribute(item, "node", commands[i].node) ||
        xmpp_stanza_set_attribute(item, "name", commands[i].name)) {
      if (item)
        xmpp_stanza_release(item);
      return -1;
    }
    if (icxd_adopt(query, item))
      return -1;
  }
  return 0;
}

int icxd_disco_handle(icxd_service *svc, xmpp_stanza_t *iq,
                      xmpp_stanza_t *payload)
{
  xmpp_ctx_t *ctx = svc->xctx;
  const char *self = icxd_self_for(svc, iq);
  const char *ns = xmpp_stanza_get_ns(payload);
  const char *node = xmpp_stanza_get_attribute(payload, "node");
  xmpp_stanza_t *reply, *query;
  int info = icxd_is(ns, ICXD_NS_DISCO_INFO), bad = 0, cmd = command_index(node);

  if (!icxd_is(xmpp_stanza_get_name(payload), "query") ||
      !icxd_is(xmpp_stanza_get_type(iq), "get"))
    return -1;
  if (node && *node && !icxd_is(node, ICXD_NS_COMMANDS) && cmd < 0) {
    icxd_reply_error(svc, iq, "cancel", "item-not-found", NULL, NULL,
                     "no such node");
    return 0;
  }
  if (node && !*node)
    node = NULL;
  reply = icxd_iq_reply(ctx, iq, "result", self, svc->domain);
  query = icxd_elem(ctx, "query", ns);
  if (!reply || !query)
    goto nomem;
  if (node && xmpp_stanza_set_attribute(query, "node", node))
    goto nomem;

  if (info && !node) {
    bad |= svc->cfg->mode == ICXD_MODE_COMPONENT
               ? add_identity(ctx, query, "component", "generic",
                              "Intercloud Exchange")
               : add_identity(ctx, query, "client", "bot",
                              "Intercloud Exchange");
    bad |= add_identity(ctx, query, "automation", "command-list",
                        "Intercloud Exchange commands");
    bad |= add_features(ctx, query, service_features);
  } else if (info && icxd_is(node, ICXD_NS_COMMANDS)) {
    bad |= add_identity(ctx, query, "automation", "command-list",
                        "Intercloud Exchange commands");
    bad |= add_features(ctx, query, (const char *const[]){ ICXD_NS_DISCO_INFO,
                                                            ICXD_NS_DISCO_ITEMS,
                                                            NULL });
  } else if (info) {
    bad |= add_identity(ctx, query, "automation", "command-node",
                        commands[cmd].name);
    bad |= add_features(ctx, query, commands[cmd].features);
  } else if (icxd_is(node, ICXD_NS_COMMANDS)) {
    bad |= add_command_items(ctx, query, self);
  }
  /* disco#items on the service itself or on a command node: empty. */
  if (bad)
    goto nomem;
  if (icxd_adopt(reply, query)) {
    query = NULL;
    goto nomem;
  }
  icxd_send(svc, reply);
  return 0;
nomem:
  if (query)
    xmpp_stanza_release(query);
  if (reply)
    xmpp_stanza_release(reply);
  icxd_reply_error(svc, iq, "wait", "resource-constraint", NULL, NULL,
                   "out of memory");
  return 0;
}

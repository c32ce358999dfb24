/* icxd_disco.c - service discovery (XEP-0030) of icxd. */
/* The service, its command list and its command nodes, from the spec the
 * service gives (this file names no command). */
#include "config.h"

#include <stdlib.h>

#include "icxd_disco.h"
#include "icxd_reply.h"
#include "icxd_stanza.h"

struct icxd_disco {
  icxd_dispatch *dispatch;     /* borrowed */
  icxd_disco_spec spec;
};

static int disco_add_identity(xmpp_ctx_t *ctx, xmpp_stanza_t *query,
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

static int disco_add_features(xmpp_ctx_t *ctx, xmpp_stanza_t *query,
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

/* The command at node, or NULL. */
static const icxd_disco_command *disco_command(const icxd_disco_spec *spec,
                                               const char *node)
{
  size_t i;

  for (i = 0; i < spec->n_commands; i++)
    if (icxd_is(node, spec->commands[i].node))
      return &spec->commands[i];
  return NULL;
}

/* Appends <item jid=self node=... name=.../> for every command. */
static int disco_add_command_items(xmpp_ctx_t *ctx, xmpp_stanza_t *query,
                                   const icxd_disco_spec *spec,
                                   const char *self)
{
  const icxd_disco_command *commands = spec->commands;
  xmpp_stanza_t *item;
  size_t i;

  for (i = 0; i < spec->n_commands; i++) {
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

/* Answers a disco#info (info = 1) or disco#items query; a payload other
 * than <query/> is left to the fallback (service-unavailable). */
static void disco_answer(icxd_disco *disco, xmpp_stanza_t *iq, int info)
{
  const icxd_disco_spec *spec = &disco->spec;
  icxd_conn *c = icxd_dispatch_conn(disco->dispatch);
  xmpp_ctx_t *ctx = icxd_conn_xmpp_ctx(c);
  const char *self = icxd_reply_from(c, iq);
  xmpp_stanza_t *payload = icxd_child(iq, "query", info ? ICXD_NS_DISCO_INFO
                                                        : ICXD_NS_DISCO_ITEMS);
  const icxd_disco_command *cmd;
  const char *node;
  xmpp_stanza_t *query;
  int bad = 0;

  if (!payload || !icxd_dispatch_claim(disco->dispatch, iq))
    return;
  node = xmpp_stanza_get_attribute(payload, "node");
  cmd = disco_command(spec, node);
  if (node && *node && !icxd_is(node, ICXD_NS_COMMANDS) && !cmd) {
    icxd_reply_error(c, iq, "cancel", "item-not-found", NULL, NULL,
                     "no such node");
    return;
  }
  if (node && !*node)
    node = NULL;
  query = icxd_elem(ctx, "query", xmpp_stanza_get_ns(payload));
  if (!query)
    goto nomem;
  if (node && xmpp_stanza_set_attribute(query, "node", node))
    goto nomem;

  if (info && !node) {
    bad |= disco_add_identity(ctx, query, spec->category, spec->type,
                              spec->name);
    bad |= disco_add_identity(ctx, query, "automation", "command-list",
                              spec->commands_name);
    bad |= disco_add_features(ctx, query, spec->features);
  } else if (info && icxd_is(node, ICXD_NS_COMMANDS)) {
    bad |= disco_add_identity(ctx, query, "automation", "command-list",
                              spec->commands_name);
    bad |= disco_add_features(ctx, query,
                              (const char *const[]){ ICXD_NS_DISCO_INFO,
                                                     ICXD_NS_DISCO_ITEMS,
                                                     NULL });
  } else if (info) {
    bad |= disco_add_identity(ctx, query, "automation", "command-node",
                              cmd->name);
    bad |= disco_add_features(ctx, query, cmd->features);
  } else if (icxd_is(node, ICXD_NS_COMMANDS)) {
    bad |= disco_add_command_items(ctx, query, spec, self);
  } else if (!node && spec->items) {
    bad |= spec->items(spec->items_ud, ctx, query);
  }
  /* disco#items on a command node, or on the service without an items
   * callback: empty. */
  if (bad)
    goto nomem;
  icxd_reply_result(c, iq, query);
  return;
nomem:
  if (query)
    xmpp_stanza_release(query);
  icxd_reply_error(c, iq, "wait", "resource-constraint", NULL, NULL,
                   "out of memory");
}

static int disco_on_info(xmpp_conn_t *conn, xmpp_stanza_t *iq, void *ud)
{
  (void)conn;
  disco_answer(ud, iq, 1);
  return 1;
}

static int disco_on_items(xmpp_conn_t *conn, xmpp_stanza_t *iq, void *ud)
{
  (void)conn;
  disco_answer(ud, iq, 0);
  return 1;
}

icxd_disco *icxd_disco_new(icxd_dispatch *d, const icxd_disco_spec *spec)
{
  icxd_disco *disco = calloc(1, sizeof *disco);

  if (!disco)
    return NULL;
  disco->dispatch = d;
  disco->spec = *spec;
  if (icxd_dispatch_add_iq(d, disco_on_info, ICXD_NS_DISCO_INFO, "get",
                           disco) != 0 ||
      icxd_dispatch_add_iq(d, disco_on_items, ICXD_NS_DISCO_ITEMS, "get",
                           disco) != 0) {
    free(disco);
    return NULL;
  }
  return disco;
}

void icxd_disco_free(icxd_disco *disco)
{
  free(disco);
}

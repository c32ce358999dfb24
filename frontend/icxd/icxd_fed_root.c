/* icxd_fed_root.c - the root's directory of exchanges, and registering. */
/* An exchange sends register_exchange to each of its roots at every new
 * connection and every register_interval_s; a root keeps the senders in
 * memory (icxd_fed.h says why), pings each every ping_interval_s and
 * drops the ones that answer with an error or not in time.  An exchange
 * registers under the name its instances share (the directory lists the
 * exchange, not one instance); a root pings from its own instance's
 * address, which the answer must reach.  An instance with an
 * instance_jid pings that name once per connection, to see that the
 * server routes it to this connection (the log says what it found). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "icxd_fed_internal.h"
#include "icxd_session.h"
#include "icxd_stanza.h"

static fed_member *fed_root_find(const icxd_fed *f, const char *jid)
{
  fed_member *m;

  for (m = f->members; m; m = m->next)
    if (icxd_fed_same_exchange(m->jid, jid))
      return m;
  return NULL;
}

int icxd_fed_register(icxd_fed *f, const char *jid, int64_t now_ms)
{
  fed_member *m = fed_root_find(f, jid), **tail;

  if (m) {
    m->seen_ms = now_ms;
    if (strcasecmp(m->jid, jid) != 0) {   /* a new resource (client mode) */
      char *copy = strdup(jid);
      if (!copy)
        return -1;
      free(m->jid);
      m->jid = copy;
    }
    return 0;
  }
  if (f->n_members >= ICXD_FED_MAX_MEMBERS)
    return -1;
  m = calloc(1, sizeof *m);
  if (!m || !(m->jid = strdup(jid))) {
    free(m);
    return -1;
  }
  m->since_ms = m->seen_ms = now_ms;
  for (tail = &f->members; *tail; tail = &(*tail)->next)
    ;
  *tail = m;
  f->n_members++;
  icxd_log(f->log, ICXD_LOG_INFO, "fed", "exchange %s registered (%zu in "
           "the directory)", jid, f->n_members);
  return 1;
}

size_t icxd_fed_member_count(const icxd_fed *f)
{
  return f->n_members;
}

const char *icxd_fed_member(const icxd_fed *f, size_t i)
{
  const fed_member *m = f->members;

  while (m && i--)
    m = m->next;
  return m ? m->jid : NULL;
}

int icxd_fed_disco_items(void *ud, xmpp_ctx_t *ctx, xmpp_stanza_t *query)
{
  const icxd_fed *f = ud;
  const fed_member *m;

  for (m = f->members; m; m = m->next) {
    xmpp_stanza_t *item = icxd_elem(ctx, "item", NULL);
    if (!item || xmpp_stanza_set_attribute(item, "jid", m->jid) ||
        xmpp_stanza_set_attribute(item, "name", "registered exchange")) {
      if (item)
        xmpp_stanza_release(item);
      return -1;
    }
    if (icxd_adopt(query, item))
      return -1;
  }
  return 0;
}

/* Removes m from the directory, saying why. */
static void fed_root_drop(icxd_fed *f, fed_member *m, const char *why)
{
  fed_member **link;

  for (link = &f->members; *link && *link != m; link = &(*link)->next)
    ;
  if (!*link)
    return;
  *link = m->next;
  f->n_members--;
  icxd_log(f->log, ICXD_LOG_INFO, "fed", "exchange %s dropped from the "
           "directory: %s (%zu left)", m->jid, why, f->n_members);
  free(m->jid);
  free(m);
}

void icxd_fed_root_free(icxd_fed *f)
{
  fed_member *m, *next;

  for (m = f->members; m; m = next) {
    next = m->next;
    free(m->jid);
    free(m);
  }
  f->members = NULL;
  f->n_members = 0;
}

/* The text of the first child of the <error> of iq (its condition). */
static const char *fed_root_condition(xmpp_stanza_t *iq)
{
  xmpp_stanza_t *e = icxd_child(iq, "error", NULL), *c;

  for (c = e ? xmpp_stanza_get_children(e) : NULL; c;
       c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && !icxd_is(xmpp_stanza_get_name(c), "text"))
      return xmpp_stanza_get_name(c);
  return "an error";
}

int icxd_fed_root_answer(icxd_fed *f, xmpp_stanza_t *iq)
{
  const char *id = xmpp_stanza_get_id(iq);
  const char *from = xmpp_stanza_get_from(iq);
  int error = icxd_is(xmpp_stanza_get_type(iq), "error");
  fed_member *m;
  char why[160];
  size_t i;

  if (!id || !(error || icxd_is(xmpp_stanza_get_type(iq), "result")))
    return 0;
  if (!strncmp(id, "fedself-", 8)) {
    if (strcmp(f->self_ping_id, id) != 0)
      return 1;   /* late, or an earlier connection's */
    f->self_ping_id[0] = '\0';
    if (error)
      icxd_log(f->log, ICXD_LOG_WARN, "fed", "[xmpp] instance_jid %s "
               "answered a ping to itself with %s: answers to this "
               "instance's fan-outs may not reach it", from ? from : "",
               fed_root_condition(iq));
    else
      icxd_log(f->log, ICXD_LOG_INFO, "fed", "[xmpp] instance_jid %s "
               "reaches this instance (a ping to itself answered in %lld "
               "ms)", from ? from : "",
               (long long)(icxd_now_ms() - f->self_ping_ms));
    return 1;
  }
  if (!strncmp(id, "fedping-", 8)) {
    for (m = f->members; m; m = m->next)
      if (!strcmp(m->ping_id, id))
        break;
    if (!m || !icxd_fed_same_exchange(from, m->jid))
      return 1;   /* late, or not from whom it was sent to */
    m->ping_id[0] = '\0';
    if (error) {
      snprintf(why, sizeof why, "it answered a ping with %s",
               fed_root_condition(iq));
      fed_root_drop(f, m, why);
    } else {
      m->seen_ms = icxd_now_ms();
    }
    return 1;
  }
  if (!strncmp(id, "fedreg-", 7)) {
    for (i = 0; i < f->cfg->n_fed_roots; i++)
      if (icxd_fed_same_exchange(from, f->cfg->fed_roots[i]))
        break;
    if (i == f->cfg->n_fed_roots)
      return 1;
    if (error)
      icxd_log(f->log, ICXD_LOG_WARN, "fed", "root %s refused the "
               "registration: %s", from, fed_root_condition(iq));
    else
      icxd_log(f->log, ICXD_LOG_INFO, "fed", "registered with root %s",
               from);
    return 1;
  }
  return 0;
}

/* An IQ get/set from from to jid with id and payload (consumed). */
static void fed_root_send(icxd_fed *f, const char *type, const char *from,
                          const char *jid, const char *id,
                          xmpp_stanza_t *payload)
{
  xmpp_stanza_t *iq = icxd_elem(f->xctx, "iq", NULL);

  if (!iq || !payload || xmpp_stanza_set_type(iq, type) ||
      xmpp_stanza_set_id(iq, id) || xmpp_stanza_set_to(iq, jid) ||
      xmpp_stanza_set_from(iq, from) ||
      icxd_adopt(iq, payload)) {
    if (iq)
      xmpp_stanza_release(iq);
    icxd_log(f->log, ICXD_LOG_ERROR, "fed", "out of memory writing to %s",
             jid);
    return;
  }
  icxd_conn_send(f->conn, iq);
}

static void fed_root_new_id(const char *prefix, char *id, size_t len)
{
  char hex[33];

  if (icxd_random_hex(hex, sizeof hex) != 0)
    snprintf(hex, sizeof hex, "%lld", (long long)icxd_now_ms());
  snprintf(id, len, "%s%.32s", prefix, hex);
}

/* Registers with every root of [federation] roots. */
static void fed_root_register_all(icxd_fed *f)
{
  char id[48];
  size_t i;

  for (i = 0; i < f->cfg->n_fed_roots; i++) {
    xmpp_stanza_t *cmd = icxd_elem(f->xctx, "command", ICXD_NS_COMMANDS);
    if (cmd && (xmpp_stanza_set_attribute(cmd, "node", FED_NODE_REGISTER) ||
                xmpp_stanza_set_attribute(cmd, "action", "execute"))) {
      xmpp_stanza_release(cmd);
      cmd = NULL;
    }
    fed_root_new_id("fedreg-", id, sizeof id);
    fed_root_send(f, "set", icxd_conn_self(f->conn), f->cfg->fed_roots[i],
                  id, cmd);
  }
}

/* With an instance_jid: pings it once per connection (its answer says
 * the server routes the name here), and says when no answer came. */
static void fed_self_check(icxd_fed *f, int64_t now_ms)
{
  const char *me = icxd_conn_instance(f->conn);

  if (!strcmp(me, icxd_conn_self(f->conn)))
    return;
  if (f->self_generation != icxd_conn_generation(f->conn)) {
    f->self_generation = icxd_conn_generation(f->conn);
    fed_root_new_id("fedself-", f->self_ping_id, sizeof f->self_ping_id);
    f->self_ping_ms = now_ms;
    fed_root_send(f, "get", me, me, f->self_ping_id,
                  icxd_elem(f->xctx, "ping", ICXD_NS_PING));
  } else if (f->self_ping_id[0] &&
             now_ms - f->self_ping_ms >= (int64_t)f->cfg->fed_peer_timeout_ms) {
    f->self_ping_id[0] = '\0';
    icxd_log(f->log, ICXD_LOG_WARN, "fed", "[xmpp] instance_jid %s: no "
             "answer to a ping to itself in %u ms: the server may not route "
             "that name to this instance, and answers to its fan-outs may "
             "not reach it", me, f->cfg->fed_peer_timeout_ms);
  }
}

void icxd_fed_tick(icxd_fed *f, int64_t now_ms)
{
  const icxd_config *cfg = f->cfg;
  fed_member *m, *next;
  char why[96];

  if (!icxd_conn_connected(f->conn))
    return;
  fed_self_check(f, now_ms);
  if (cfg->n_fed_roots &&
      (f->generation != icxd_conn_generation(f->conn) ||
       now_ms >= f->next_register_ms)) {
    f->generation = icxd_conn_generation(f->conn);
    f->next_register_ms = now_ms + (int64_t)cfg->fed_register_interval_s * 1000;
    fed_root_register_all(f);
  }
  for (m = f->members; m; m = next) {
    next = m->next;
    if (m->ping_id[0]) {
      if (now_ms - m->ping_ms >= (int64_t)cfg->fed_peer_timeout_ms) {
        snprintf(why, sizeof why, "no answer to a ping in %u ms",
                 cfg->fed_peer_timeout_ms);
        fed_root_drop(f, m, why);
      }
    } else if (now_ms - m->seen_ms >=
               (int64_t)cfg->fed_ping_interval_s * 1000) {
      fed_root_new_id("fedping-", m->ping_id, sizeof m->ping_id);
      m->ping_ms = now_ms;
      fed_root_send(f, "get", icxd_conn_instance(f->conn), m->jid,
                    m->ping_id, icxd_elem(f->xctx, "ping", ICXD_NS_PING));
    }
  }
}

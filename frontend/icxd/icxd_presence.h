/* icxd_presence.h - the presence of publishing clouds: a table in memory
 * of the bare JIDs that own a published document and the presence each
 * shows, the presence a request asks for (doc/protocol.md, "Presence"),
 * and the tracker that keeps the table from the XMPP connection.
 *
 * Presence is live state, never capability data: it is kept here, never
 * in the store, and learnt again after every reconnect.  The table tracks
 * owners only (a presence from any other JID is ignored), at most a
 * configured number of them, each counted once however many resources it
 * has (at most ICXD_PRESENCE_MAX_RESOURCES each).  A cloud shows the most
 * available state of its resources, in the order chat, available, away,
 * xa, dnd, unavailable.
 *
 * Whoever needs to hear of changes (standing requests, later) registers a
 * listener: it is called on the loop thread each time an owner's shown
 * state changes.  Loop thread only; the table itself knows no XMPP.
 */
#ifndef ICXD_PRESENCE_H
#define ICXD_PRESENCE_H

#include <stddef.h>
#include <time.h>

#include "icxd_dispatch.h"

/* XMPP's show values (RFC 6121 4.7.2.1), plus available (no <show>) and
 * unavailable; ordered from least to most available. */
typedef enum icxd_show {
  ICXD_SHOW_UNAVAILABLE = 0,
  ICXD_SHOW_DND = 1,
  ICXD_SHOW_XA = 2,
  ICXD_SHOW_AWAY = 3,
  ICXD_SHOW_AVAILABLE = 4,
  ICXD_SHOW_CHAT = 5
} icxd_show;
#define ICXD_SHOW_COUNT 6

/* Resources remembered per owner; presence from more is ignored. */
#define ICXD_PRESENCE_MAX_RESOURCES 16

/* "unavailable", "dnd", "xa", "away", "available", "chat".  Static. */
const char *icxd_show_name(icxd_show show);
/* The value named name (exactly one of the names above).  0, or -1. */
int icxd_show_parse(const char *name, icxd_show *show);

typedef struct icxd_presence icxd_presence;

/* Called when an owner's shown state changes (was -> now, since when),
 * and with was == now == ICXD_SHOW_UNAVAILABLE when an owner stops being
 * tracked (then no longer in the table, which the listener may read).
 * bare is lent for the call. */
typedef void (*icxd_presence_fn)(void *ud, const char *bare, icxd_show was,
                                 icxd_show now, time_t since);

/* A table that tracks at most max owners (0: none).  NULL on ENOMEM. */
icxd_presence *icxd_presence_new(size_t max);
/* NULL is a no-op. */
void icxd_presence_free(icxd_presence *p);
/* A new cap; owners beyond it are dropped from the end of the JID order. */
void icxd_presence_set_max(icxd_presence *p, size_t max);
size_t icxd_presence_max(const icxd_presence *p);
void icxd_presence_set_listener(icxd_presence *p, icxd_presence_fn fn,
                                void *ud);

typedef enum icxd_presence_add {
  ICXD_PRESENCE_ADDED = 0,   /* tracked from now on, unavailable until seen */
  ICXD_PRESENCE_KNOWN = 1,   /* already tracked */
  ICXD_PRESENCE_FULL = 2,    /* the cap is reached: not tracked */
  ICXD_PRESENCE_NOMEM = 3
} icxd_presence_add;

/* Tracks the owner bare (a bare JID, compared without regard to ASCII
 * case) from now on. */
icxd_presence_add icxd_presence_add_owner(icxd_presence *p, const char *bare,
                                          time_t now);
/* Stops tracking bare.  1 if it was tracked, else 0. */
int icxd_presence_remove_owner(icxd_presence *p, const char *bare);
/* Makes the tracked owners exactly owners[0..n-1] (the store's list; as
 * many as the cap allows, in that order): drops the others, adds the new
 * ones and calls added(ud, bare) for each one added.  Returns how many
 * could not be tracked (cap), or -1 on ENOMEM (the table is then a subset
 * of owners). */
long icxd_presence_sync_owners(icxd_presence *p, const char *const *owners,
                               size_t n, time_t now,
                               void (*added)(void *ud, const char *bare),
                               void *ud);

/* A presence received from jid (full or bare): available (with show) or
 * not (type unavailable).  An unavailable presence from a bare JID, or a
 * presence error, ends every resource.  Returns 1 if taken, 0 if ignored
 * (jid owns no document, or too many resources), -1 on ENOMEM. */
int icxd_presence_update(icxd_presence *p, const char *jid, int available,
                         icxd_show show, time_t now);
/* The owner's presence is no longer known (the connection went away):
 * every owner becomes unavailable since now. */
void icxd_presence_forget_all(icxd_presence *p, time_t now);

/* The shown state of bare and since when it holds (the time tracking
 * started, if nothing was received since).  *seen is 1 once a presence
 * was received.  0, or -1 when bare is not tracked (then unavailable;
 * p NULL tracks nobody). */
int icxd_presence_get(const icxd_presence *p, const char *bare,
                      icxd_show *show, time_t *since, int *seen);

size_t icxd_presence_count(const icxd_presence *p);
/* The i-th tracked owner, sorted by JID: its JID (lent), state, since,
 * seen and number of resources online. */
const char *icxd_presence_at(const icxd_presence *p, size_t i,
                             icxd_show *show, time_t *since, int *seen,
                             size_t *resources);

/* --- what a request asks for ------------------------------------------- */

typedef struct icxd_presence_req {
  int on;             /* the request names a presence */
  unsigned accept;    /* bit (1u << show) for each accepted state */
  int required;       /* 1: other clouds are dropped; 0: preferred */
  int weight;         /* preferred: added to the score of clouds that meet it */
  int jids;           /* answers carry each cloud's JID */
} icxd_presence_req;

/* The weight a preferred presence has when none is given. */
#define ICXD_PRESENCE_DEFAULT_WEIGHT 10

/* Reads the attributes of a request's <constraints> (any may be NULL):
 * presence='STATE ...' (show values, separated by spaces),
 * presenceRequired='true|false' (default true), presenceWeight='-100..100'
 * (needs presenceRequired='false'; default ICXD_PRESENCE_DEFAULT_WEIGHT)
 * and jid='true|false' (default: true when presence is given).  0, or -1
 * with a message naming the attribute in err. */
int icxd_presence_req_parse(const char *presence, const char *required,
                            const char *weight, const char *jids,
                            icxd_presence_req *req, char *err, size_t errlen);

/* 1 if the owner bare (NULL: a cloud without an owner, which has no
 * presence and counts as unavailable) meets req.  p may be NULL. */
int icxd_presence_meets(const icxd_presence *p, const char *bare,
                        const icxd_presence_req *req);

/* t as xsd:dateTime in UTC ("2026-12-02T22:40:00Z") into buf (>= 21). */
void icxd_presence_time(time_t t, char *buf, size_t len);

/* --- the tracker: the table kept from the connection ------------------- */

typedef struct icxd_presence_tracker icxd_presence_tracker;

/* Follows the presence of the owners of the documents in the store at
 * store_path (borrowed, as d), tracking at most max: registers a presence
 * handler on d's connection, and reads the owners from the store.  It
 * subscribes to each new owner from its own JID (the service's in
 * component mode; in client mode through its account's roster); after
 * each (re)connect, in component mode it probes every owner, and in client
 * mode its server sends the presence of its contacts.  NULL on ENOMEM. */
icxd_presence_tracker *icxd_presence_tracker_new(icxd_dispatch *d,
                                                 const char *store_path,
                                                 size_t max);
/* Removes the handler, frees the table.  NULL is a no-op. */
void icxd_presence_tracker_free(icxd_presence_tracker *t);
/* The table.  Lent. */
icxd_presence *icxd_presence_tracker_table(icxd_presence_tracker *t);
/* A document of bare was published: track it and subscribe to it. */
void icxd_presence_tracker_published(icxd_presence_tracker *t,
                                     const char *bare);
/* The owners may have changed (a withdrawal): read them again from the
 * store at the next tick. */
void icxd_presence_tracker_resync(icxd_presence_tracker *t);
/* Called by the loop after every turn: after a (re)connect, reads the
 * owners from the store and asks each again (a probe in component mode,
 * then the subscription); after a
 * disconnect, forgets every presence; every ICXD_PRESENCE_RESYNC_S seconds
 * reads the owners again (documents loaded or removed with the CLI). */
void icxd_presence_tracker_tick(icxd_presence_tracker *t);

#define ICXD_PRESENCE_RESYNC_S 60

#endif

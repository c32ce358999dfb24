/* check_icxd_presence.c - unit tests of icxd_presence: the table of
 * publishers' presence (owners only, resources, the cap, since when, the
 * listener), and the presence a request asks for. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixture.h"
#include "icxd_presence.h"

static icxd_presence *p;

static void setup(void) { p = icxd_presence_new(4); }
static void teardown(void) { icxd_presence_free(p); }

static icxd_show show_of(const char *bare)
{
  icxd_show show;
  time_t since;
  int seen;

  icxd_presence_get(p, bare, &show, &since, &seen);
  return show;
}

static time_t since_of(const char *bare)
{
  icxd_show show;
  time_t since;
  int seen;

  ck_assert_int_eq(icxd_presence_get(p, bare, &show, &since, &seen), 0);
  return since;
}

START_TEST(show_names)
{
  static const char *const names[] = { "unavailable", "dnd", "xa", "away",
                                       "available", "chat" };
  icxd_show s;
  int i;

  for (i = 0; i < ICXD_SHOW_COUNT; i++) {
    ck_assert_int_eq(icxd_show_parse(names[i], &s), 0);
    ck_assert_int_eq(s, i);
    ck_assert_str_eq(icxd_show_name(s), names[i]);
  }
  ck_assert_int_eq(icxd_show_parse("online", &s), -1);
  ck_assert_int_eq(icxd_show_parse("Away", &s), -1);
  ck_assert_int_eq(icxd_show_parse(NULL, &s), -1);
}
END_TEST

START_TEST(owners_only)
{
  icxd_show show;
  time_t since;
  int seen;

  ck_assert_int_eq(icxd_presence_add_owner(p, "cloud@a.test", 100),
                   ICXD_PRESENCE_ADDED);
  ck_assert_int_eq(icxd_presence_add_owner(p, "cloud@a.test", 101),
                   ICXD_PRESENCE_KNOWN);
  /* A JID that owns nothing cannot put itself in the table. */
  ck_assert_int_eq(icxd_presence_update(p, "mallory@a.test/x", 1,
                                        ICXD_SHOW_CHAT, 110), 0);
  ck_assert_int_eq(icxd_presence_get(p, "mallory@a.test", &show, &since,
                                     &seen), -1);
  ck_assert_int_eq(icxd_presence_count(p), 1);
  /* Nor by a JID that only starts like an owner's. */
  ck_assert_int_eq(icxd_presence_update(p, "cloud@a.test.evil/x", 1,
                                        ICXD_SHOW_CHAT, 110), 0);
  ck_assert_int_eq(icxd_presence_update(p, "cloud@a.tes/x", 1,
                                        ICXD_SHOW_CHAT, 110), 0);
  ck_assert_int_eq(show_of("cloud@a.test"), ICXD_SHOW_UNAVAILABLE);
  /* Unseen so far: unavailable since tracking began. */
  ck_assert_int_eq(icxd_presence_get(p, "cloud@a.test", &show, &since,
                                     &seen), 0);
  ck_assert_int_eq(seen, 0);
  ck_assert_int_eq(since, 100);
  /* The owner's own presence is taken, whatever the case of its JID. */
  ck_assert_int_eq(icxd_presence_update(p, "Cloud@A.test/r1", 1,
                                        ICXD_SHOW_AVAILABLE, 120), 1);
  ck_assert_int_eq(show_of("cloud@a.test"), ICXD_SHOW_AVAILABLE);
  ck_assert_int_eq(since_of("cloud@a.test"), 120);
  ck_assert_int_eq(icxd_presence_remove_owner(p, "cloud@a.test"), 1);
  ck_assert_int_eq(icxd_presence_remove_owner(p, "cloud@a.test"), 0);
  ck_assert_int_eq(icxd_presence_update(p, "cloud@a.test/r1", 1,
                                        ICXD_SHOW_AVAILABLE, 130), 0);
}
END_TEST

START_TEST(resources_and_since)
{
  icxd_presence_add_owner(p, "c@a.test", 0);
  ck_assert_int_eq(icxd_presence_update(p, "c@a.test/one", 1,
                                        ICXD_SHOW_AWAY, 10), 1);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_AWAY);
  ck_assert_int_eq(since_of("c@a.test"), 10);
  /* A second resource more available: the cloud shows it. */
  icxd_presence_update(p, "c@a.test/two", 1, ICXD_SHOW_CHAT, 20);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_CHAT);
  ck_assert_int_eq(since_of("c@a.test"), 20);
  /* The same state again does not move since. */
  icxd_presence_update(p, "c@a.test/two", 1, ICXD_SHOW_CHAT, 25);
  ck_assert_int_eq(since_of("c@a.test"), 20);
  /* It goes: the first one's state shows again. */
  icxd_presence_update(p, "c@a.test/two", 0, ICXD_SHOW_UNAVAILABLE, 30);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_AWAY);
  ck_assert_int_eq(since_of("c@a.test"), 30);
  icxd_presence_update(p, "c@a.test/one", 1, ICXD_SHOW_XA, 40);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_XA);
  icxd_presence_update(p, "c@a.test/one", 1, ICXD_SHOW_DND, 45);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_DND);
  icxd_presence_update(p, "c@a.test/one", 0, ICXD_SHOW_UNAVAILABLE, 50);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_UNAVAILABLE);
  ck_assert_int_eq(since_of("c@a.test"), 50);
  /* An unavailable from the bare JID ends every resource. */
  icxd_presence_update(p, "c@a.test/x", 1, ICXD_SHOW_AVAILABLE, 60);
  icxd_presence_update(p, "c@a.test/y", 1, ICXD_SHOW_AVAILABLE, 60);
  icxd_presence_update(p, "c@a.test", 0, ICXD_SHOW_UNAVAILABLE, 70);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_UNAVAILABLE);
  ck_assert_int_eq(since_of("c@a.test"), 70);
  /* Presence from the bare JID itself counts as a resource. */
  icxd_presence_update(p, "c@a.test", 1, ICXD_SHOW_AVAILABLE, 80);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_AVAILABLE);
  /* A connection lost: everyone unavailable since then. */
  icxd_presence_forget_all(p, 90);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_UNAVAILABLE);
  ck_assert_int_eq(since_of("c@a.test"), 90);
}
END_TEST

START_TEST(resource_cap)
{
  char jid[64];
  int i;

  icxd_presence_add_owner(p, "c@a.test", 0);
  for (i = 0; i < ICXD_PRESENCE_MAX_RESOURCES; i++) {
    snprintf(jid, sizeof jid, "c@a.test/r%d", i);
    ck_assert_int_eq(icxd_presence_update(p, jid, 1, ICXD_SHOW_AWAY, 1), 1);
  }
  ck_assert_int_eq(icxd_presence_update(p, "c@a.test/more", 1,
                                        ICXD_SHOW_CHAT, 2), 0);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_AWAY);
  /* A known resource still updates. */
  ck_assert_int_eq(icxd_presence_update(p, "c@a.test/r3", 1,
                                        ICXD_SHOW_CHAT, 3), 1);
  ck_assert_int_eq(show_of("c@a.test"), ICXD_SHOW_CHAT);
}
END_TEST

START_TEST(owner_cap)
{
  const char *owners[] = { "e@a.test", "a@a.test", "d@a.test", "c@a.test",
                     "b@a.test", "f@a.test" };
  icxd_show show;
  time_t since;
  int seen;
  size_t res;

  /* Counted per publisher: many resources of one count once. */
  icxd_presence_add_owner(p, "a@a.test", 0);
  icxd_presence_update(p, "a@a.test/1", 1, ICXD_SHOW_AWAY, 0);
  icxd_presence_update(p, "a@a.test/2", 1, ICXD_SHOW_AWAY, 0);
  ck_assert_int_eq(icxd_presence_count(p), 1);
  ck_assert_int_eq(icxd_presence_add_owner(p, "b@a.test", 0),
                   ICXD_PRESENCE_ADDED);
  ck_assert_int_eq(icxd_presence_add_owner(p, "c@a.test", 0),
                   ICXD_PRESENCE_ADDED);
  ck_assert_int_eq(icxd_presence_add_owner(p, "d@a.test", 0),
                   ICXD_PRESENCE_ADDED);
  ck_assert_int_eq(icxd_presence_add_owner(p, "e@a.test", 0),
                   ICXD_PRESENCE_FULL);
  ck_assert_int_eq(icxd_presence_count(p), 4);
  /* Sorted by JID. */
  ck_assert_str_eq(icxd_presence_at(p, 0, &show, &since, &seen, &res),
                   "a@a.test");
  ck_assert_int_eq(res, 2);
  ck_assert_str_eq(icxd_presence_at(p, 3, &show, &since, &seen, &res),
                   "d@a.test");
  ck_assert_ptr_null(icxd_presence_at(p, 4, &show, &since, &seen, &res));
  /* The store's list: two beyond the cap are left out, a@ keeps its
   * presence. */
  ck_assert_int_eq(icxd_presence_sync_owners(p, owners, 6, 5, NULL, NULL), 2);
  ck_assert_int_eq(icxd_presence_count(p), 4);
  ck_assert_int_eq(show_of("a@a.test"), ICXD_SHOW_AWAY);
  ck_assert_int_eq(icxd_presence_sync_owners(p, owners, 2, 6, NULL, NULL), 0);
  ck_assert_int_eq(icxd_presence_count(p), 2);
  ck_assert_int_eq(icxd_presence_get(p, "e@a.test", &show, &since, &seen), 0);
  ck_assert_int_eq(icxd_presence_get(p, "b@a.test", &show, &since, &seen), -1);
  /* A smaller cap drops from the end. */
  icxd_presence_set_max(p, 1);
  ck_assert_int_eq(icxd_presence_count(p), 1);
  ck_assert_int_eq(icxd_presence_get(p, "a@a.test", &show, &since, &seen), 0);
  icxd_presence_set_max(p, 0);
  ck_assert_int_eq(icxd_presence_add_owner(p, "a@a.test", 0),
                   ICXD_PRESENCE_FULL);
}
END_TEST

/* Many owners, found whatever case their JIDs come in, after each way the
 * owners change: added one by one, removed, the store's list, a smaller
 * cap (the table's lookups go through a hash kept beside its sorted
 * array). */
START_TEST(many_owners_found)
{
  enum { N = 3000 };
  icxd_presence *q = icxd_presence_new(N);
  const char **list = calloc(N, sizeof *list);
  char jid[64], up[64];
  icxd_show show;
  time_t since;
  int seen;
  size_t i, k;

  for (i = 0; i < N; i++) {
    snprintf(jid, sizeof jid, "owner%zu@clouds.test", (i * 7919) % N);
    ck_assert_int_eq(icxd_presence_add_owner(q, jid, 0), ICXD_PRESENCE_ADDED);
    ck_assert_int_eq(icxd_presence_update(q, jid, 1, i % 2 ? ICXD_SHOW_AWAY
                                                           : ICXD_SHOW_CHAT, 0), 1);
  }
  ck_assert_int_eq(icxd_presence_count(q), N);
  for (i = 0; i < N; i++) {
    snprintf(up, sizeof up, "OWNER%zu@Clouds.TEST", i);
    ck_assert_int_eq(icxd_presence_get(q, up, &show, &since, &seen), 0);
    ck_assert(show == ICXD_SHOW_AWAY || show == ICXD_SHOW_CHAT);
  }
  ck_assert_int_eq(icxd_presence_get(q, "owner3000@clouds.test", &show, &since, &seen), -1);
  ck_assert_int_eq(icxd_presence_get(q, "owner1@clouds.tes", &show, &since, &seen), -1);
  /* Every third one removed: gone, the others still found. */
  for (i = 0; i < N; i += 3) {
    snprintf(jid, sizeof jid, "owner%zu@clouds.test", i);
    ck_assert_int_eq(icxd_presence_remove_owner(q, jid), 1);
  }
  for (i = 0; i < N; i++) {
    snprintf(up, sizeof up, "Owner%zu@clouds.test", i);
    ck_assert_int_eq(icxd_presence_get(q, up, &show, &since, &seen), i % 3 ? 0 : -1);
  }
  /* The store's list: the even ones only. */
  for (i = 0, k = 0; i < N; i += 2) {
    snprintf(jid, sizeof jid, "owner%zu@clouds.test", i);
    list[k++] = strdup(jid);
  }
  ck_assert_int_eq(icxd_presence_sync_owners(q, list, k, 1, NULL, NULL), 0);
  ck_assert_int_eq(icxd_presence_count(q), k);
  for (i = 0; i < N; i++) {
    snprintf(jid, sizeof jid, "owner%zu@clouds.test", i);
    ck_assert_int_eq(icxd_presence_get(q, jid, &show, &since, &seen), i % 2 ? -1 : 0);
    /* An owner the table had kept its presence; one added again has none. */
    if (i % 2 == 0)
      ck_assert_int_eq(seen, i % 3 != 0);
  }
  /* A smaller cap drops from the end of the JID order. */
  icxd_presence_set_max(q, 10);
  ck_assert_int_eq(icxd_presence_count(q), 10);
  for (i = 0; i < 10; i++) {
    size_t res;
    const char *kept = icxd_presence_at(q, i, &show, &since, &seen, &res);
    ck_assert_int_eq(icxd_presence_get(q, kept, &show, &since, &seen), 0);
  }
  ck_assert_int_eq(icxd_presence_get(q, "owner998@clouds.test", &show, &since, &seen), -1);
  for (i = 0; i < k; i++)
    free((char *)list[i]);
  free(list);
  icxd_presence_free(q);
}
END_TEST

/* Owners added and removed in a random order, one at a time, the table
 * checked against a plain list after every step: each owner found or not
 * as it should be, and the JID order whole.  The hash is changed entry by
 * entry (an owner's removal moves the entries after it in its run), so
 * this is what a wrong move would break: an owner no longer found, or one
 * found after its removal. */
START_TEST(owners_come_and_go)
{
  enum { NAMES = 600, STEPS = 12000 };
  icxd_presence *q = icxd_presence_new(NAMES);
  char in[NAMES] = { 0 }, jid[64], prev[64];
  unsigned long long seed = 0x9e3779b97f4a7c15ULL;
  icxd_show show;
  time_t since;
  int seen;
  size_t step, i, n = 0, res;

  for (step = 0; step < STEPS; step++) {
    size_t k;
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    k = (size_t)(seed >> 33) % NAMES;
    snprintf(jid, sizeof jid, "c%zu@Owners.test", k);
    if (in[k]) {
      ck_assert_int_eq(icxd_presence_remove_owner(q, jid), 1);
      in[k] = 0;
      n--;
    } else {
      ck_assert_int_eq(icxd_presence_add_owner(q, jid, 0), ICXD_PRESENCE_ADDED);
      in[k] = 1;
      n++;
    }
    ck_assert_uint_eq(icxd_presence_count(q), n);
    if (step % 97 && step < STEPS - 1)
      continue;
    for (i = 0; i < NAMES; i++) {
      snprintf(jid, sizeof jid, "C%zu@owners.TEST", i);
      ck_assert_msg((icxd_presence_get(q, jid, &show, &since, &seen) == 0) == in[i],
                    "step %zu: %s %s", step, jid, in[i] ? "lost" : "found after removal");
    }
    for (i = 0, *prev = '\0'; i < n; i++) {
      const char *at = icxd_presence_at(q, i, &show, &since, &seen, &res);
      ck_assert_ptr_nonnull(at);
      ck_assert_int_lt(strcasecmp(prev, at), 0);
      snprintf(prev, sizeof prev, "%s", at);
    }
  }
  icxd_presence_free(q);
}
END_TEST

struct heard {
  int calls;
  char last[64];
  icxd_show was, now;
  time_t since;
};

static void on_change(void *ud, const char *bare, icxd_show was,
                      icxd_show now, time_t since)
{
  struct heard *h = ud;

  h->calls++;
  snprintf(h->last, sizeof h->last, "%s", bare);
  h->was = was;
  h->now = now;
  h->since = since;
}

static void on_added(void *ud, const char *bare)
{
  struct heard *h = ud;

  h->calls++;
  snprintf(h->last, sizeof h->last, "%s", bare);
}

START_TEST(listener)
{
  struct heard h, added;
  const char *owners[] = { "b@a.test" };

  memset(&h, 0, sizeof h);
  memset(&added, 0, sizeof added);
  icxd_presence_set_listener(p, on_change, &h);
  icxd_presence_add_owner(p, "a@a.test", 0);
  ck_assert_int_eq(h.calls, 0);
  icxd_presence_update(p, "a@a.test/r", 1, ICXD_SHOW_AVAILABLE, 5);
  ck_assert_int_eq(h.calls, 1);
  ck_assert_str_eq(h.last, "a@a.test");
  ck_assert_int_eq(h.was, ICXD_SHOW_UNAVAILABLE);
  ck_assert_int_eq(h.now, ICXD_SHOW_AVAILABLE);
  ck_assert_int_eq(h.since, 5);
  /* No change, no call. */
  icxd_presence_update(p, "a@a.test/r", 1, ICXD_SHOW_AVAILABLE, 6);
  ck_assert_int_eq(h.calls, 1);
  icxd_presence_update(p, "a@a.test/r", 1, ICXD_SHOW_AWAY, 7);
  ck_assert_int_eq(h.calls, 2);
  ck_assert_int_eq(h.now, ICXD_SHOW_AWAY);
  /* Ignored presence, no call. */
  icxd_presence_update(p, "z@a.test/r", 1, ICXD_SHOW_AWAY, 8);
  ck_assert_int_eq(h.calls, 2);
  /* An owner that leaves is reported once, as unavailable. */
  ck_assert_int_eq(icxd_presence_sync_owners(p, owners, 1, 9, on_added,
                                             &added), 0);
  ck_assert_int_eq(h.calls, 3);
  ck_assert_str_eq(h.last, "a@a.test");
  ck_assert_int_eq(h.now, ICXD_SHOW_UNAVAILABLE);
  ck_assert_int_eq(added.calls, 1);
  ck_assert_str_eq(added.last, "b@a.test");
}
END_TEST

/* What a listener reads of the table while a sync tells it of owners
 * that left. */
struct whole {
  const icxd_presence *p;
  int calls, torn;
};

static void on_left_read_table(void *ud, const char *bare, icxd_show was,
                               icxd_show now, time_t since)
{
  struct whole *w = ud;
  size_t i, n = icxd_presence_count(w->p), res;
  const char *prev = NULL;
  icxd_show sh;
  time_t t;
  int sn;

  (void)was;
  (void)now;
  (void)since;
  w->calls++;
  for (i = 0; i < n; i++) {
    const char *jid = icxd_presence_at(w->p, i, &sh, &t, &sn, &res);
    /* Sorted and each owner once; the one that left no longer there. */
    if (strcmp(jid, bare) == 0 || (prev && strcmp(prev, jid) >= 0))
      w->torn++;
    prev = jid;
  }
}

START_TEST(listener_reads_a_whole_table)
{
  icxd_presence *q = icxd_presence_new(100);
  const char *all[] = { "a@a.test", "b@a.test", "c@a.test", "d@a.test", "e@a.test" };
  const char *kept[] = { "b@a.test", "d@a.test", "f@a.test" };
  struct whole w;
  icxd_show show;
  time_t since;
  int seen;

  ck_assert_ptr_nonnull(q);
  memset(&w, 0, sizeof w);
  w.p = q;
  ck_assert_int_eq(icxd_presence_sync_owners(q, all, 5, 1, NULL, NULL), 0);
  icxd_presence_set_listener(q, on_left_read_table, &w);
  ck_assert_int_eq(icxd_presence_sync_owners(q, kept, 3, 2, NULL, NULL), 0);
  ck_assert_int_eq(w.calls, 3);
  ck_assert_int_eq(w.torn, 0);
  ck_assert_uint_eq(icxd_presence_count(q), 3);
  ck_assert_int_eq(icxd_presence_get(q, "c@a.test", &show, &since, &seen), -1);
  ck_assert_int_eq(icxd_presence_get(q, "f@a.test", &show, &since, &seen), 0);
  /* The same when an owner is removed, or is beyond a new cap. */
  ck_assert_int_eq(icxd_presence_remove_owner(q, "d@a.test"), 1);
  icxd_presence_set_max(q, 1);
  ck_assert_int_eq(w.calls, 5);
  ck_assert_int_eq(w.torn, 0);
  ck_assert_uint_eq(icxd_presence_count(q), 1);
  icxd_presence_free(q);
}
END_TEST

START_TEST(requests)
{
  icxd_presence_req r;
  char err[256];

  /* Nothing said: nothing asked. */
  ck_assert_int_eq(icxd_presence_req_parse(NULL, NULL, NULL, NULL, &r, err,
                                           sizeof err), 0);
  ck_assert_int_eq(r.on, 0);
  ck_assert_int_eq(r.jids, 0);
  ck_assert_int_eq(icxd_presence_req_parse(NULL, NULL, NULL, "true", &r, err,
                                           sizeof err), 0);
  ck_assert_int_eq(r.on, 0);
  ck_assert_int_eq(r.jids, 1);
  ck_assert_int_eq(icxd_presence_req_parse(" available  chat ", NULL, NULL,
                                           NULL, &r, err, sizeof err), 0);
  ck_assert_int_eq(r.on, 1);
  ck_assert_int_eq(r.required, 1);
  ck_assert_int_eq(r.jids, 1);
  ck_assert_uint_eq(r.accept, (1u << ICXD_SHOW_AVAILABLE) |
                                  (1u << ICXD_SHOW_CHAT));
  ck_assert_int_eq(icxd_presence_req_parse("away", "false", NULL, "false",
                                           &r, err, sizeof err), 0);
  ck_assert_int_eq(r.required, 0);
  ck_assert_int_eq(r.weight, ICXD_PRESENCE_DEFAULT_WEIGHT);
  ck_assert_int_eq(r.jids, 0);
  ck_assert_int_eq(icxd_presence_req_parse("available", "false", "-5", NULL,
                                           &r, err, sizeof err), 0);
  ck_assert_int_eq(r.weight, -5);
  /* Refusals, each naming what was wrong. */
  ck_assert_int_eq(icxd_presence_req_parse("online", NULL, NULL, NULL, &r,
                                           err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "unknown state 'online'"));
  ck_assert_int_eq(icxd_presence_req_parse("  ", NULL, NULL, NULL, &r, err,
                                           sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "names no state"));
  ck_assert_int_eq(icxd_presence_req_parse("availableavailable", NULL, NULL,
                                           NULL, &r, err, sizeof err), -1);
  ck_assert_int_eq(icxd_presence_req_parse("away", "maybe", NULL, NULL, &r,
                                           err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "presenceRequired"));
  ck_assert_int_eq(icxd_presence_req_parse(NULL, "false", NULL, NULL, &r,
                                           err, sizeof err), -1);
  ck_assert_int_eq(icxd_presence_req_parse("away", NULL, "5", NULL, &r, err,
                                           sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "presenceRequired='false'"));
  ck_assert_int_eq(icxd_presence_req_parse("away", "false", "101", NULL, &r,
                                           err, sizeof err), -1);
  ck_assert_int_eq(icxd_presence_req_parse("away", "false", "x", NULL, &r,
                                           err, sizeof err), -1);
  ck_assert_int_eq(icxd_presence_req_parse("away", NULL, NULL, "yes", &r,
                                           err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "jid="));
}
END_TEST

START_TEST(meets)
{
  icxd_presence_req r;
  char err[128];

  icxd_presence_add_owner(p, "a@a.test", 0);
  icxd_presence_add_owner(p, "b@a.test", 0);
  icxd_presence_update(p, "a@a.test/r", 1, ICXD_SHOW_AVAILABLE, 1);
  icxd_presence_update(p, "b@a.test/r", 1, ICXD_SHOW_AWAY, 1);
  ck_assert_int_eq(icxd_presence_req_parse("available", NULL, NULL, NULL, &r,
                                           err, sizeof err), 0);
  ck_assert(icxd_presence_meets(p, "a@a.test", &r));
  ck_assert(!icxd_presence_meets(p, "b@a.test", &r));
  /* No owner, or not tracked: unavailable. */
  ck_assert(!icxd_presence_meets(p, NULL, &r));
  ck_assert(!icxd_presence_meets(p, "z@a.test", &r));
  ck_assert(!icxd_presence_meets(NULL, "a@a.test", &r));
  ck_assert_int_eq(icxd_presence_req_parse("unavailable away", NULL, NULL,
                                           NULL, &r, err, sizeof err), 0);
  ck_assert(!icxd_presence_meets(p, "a@a.test", &r));
  ck_assert(icxd_presence_meets(p, "b@a.test", &r));
  ck_assert(icxd_presence_meets(p, NULL, &r));
}
END_TEST

START_TEST(times)
{
  char buf[32];

  icxd_presence_time(0, buf, sizeof buf);
  ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
  icxd_presence_time(1796169600, buf, sizeof buf);
  ck_assert_str_eq(buf, "2026-12-02T00:00:00Z");
}
END_TEST

static Suite *presence_suite(void)
{
  Suite *s = suite_create("icxd_presence");
  TCase *tc = tcase_create("core");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, show_names);
  tcase_add_test(tc, owners_only);
  tcase_add_test(tc, resources_and_since);
  tcase_add_test(tc, resource_cap);
  tcase_add_test(tc, owner_cap);
  tcase_add_test(tc, many_owners_found);
  tcase_add_test(tc, owners_come_and_go);
  tcase_add_test(tc, listener);
  tcase_add_test(tc, listener_reads_a_whole_table);
  tcase_add_test(tc, requests);
  tcase_add_test(tc, meets);
  tcase_add_test(tc, times);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(presence_suite());
}

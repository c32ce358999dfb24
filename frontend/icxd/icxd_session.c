/* icxd_session.c - the table of live ad-hoc command sessions. */
#include "config.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_session.h"

struct icxd_sessions {
  icxd_session *head;
  size_t count;
  size_t max;
  size_t max_per_owner;     /* 0: no per-account limit */
  int64_t timeout_ms;
};

int icxd_random_hex(char *buf, size_t len)
{
  unsigned char raw[16];
  size_t i;

  if (len < 2 * sizeof raw + 1 || RAND_bytes(raw, sizeof raw) != 1)
    return -1;
  for (i = 0; i < sizeof raw; i++)
    snprintf(buf + 2 * i, 3, "%02x", raw[i]);
  return 0;
}

icxd_sessions *icxd_sessions_new(size_t max, int64_t timeout_ms)
{
  icxd_sessions *tab = calloc(1, sizeof *tab);

  if (!tab)
    return NULL;
  tab->max = max;
  tab->timeout_ms = timeout_ms;
  return tab;
}

void icxd_sessions_set_limits(icxd_sessions *tab, size_t max,
                              size_t max_per_owner, int64_t timeout_ms)
{
  tab->max = max;
  tab->max_per_owner = max_per_owner;
  tab->timeout_ms = timeout_ms;
}

/* The length of a JID's bare part (up to its resource). */
static size_t session_bare_len(const char *jid)
{
  return strcspn(jid, "/");
}

size_t icxd_sessions_count_owner(const icxd_sessions *tab, const char *owner,
                                 int running_only)
{
  const icxd_session *s;
  size_t len, n = 0;

  if (!owner)
    return 0;
  len = session_bare_len(owner);
  for (s = tab->head; s; s = s->next) {
    if (running_only && s->state != ICXD_SESS_RUNNING)
      continue;
    if (session_bare_len(s->owner) == len &&
        strncmp(s->owner, owner, len) == 0)
      n++;
  }
  return n;
}

icxd_sess_refusal icxd_sessions_admit(const icxd_sessions *tab,
                                      const char *owner)
{
  if (tab->max_per_owner &&
      icxd_sessions_count_owner(tab, owner ? owner : "", 0) >=
          tab->max_per_owner)
    return ICXD_SESS_OWNER_FULL;
  if (tab->count >= tab->max)
    return ICXD_SESS_FULL;
  return ICXD_SESS_ADMITTED;
}

static void session_free(icxd_session *s)
{
  if (s->state == ICXD_SESS_DONE)
    icxd_job_free(s->job);
  free(s->owner);
  free(s->self);
  free(s->pending_iq);
  icxd_rsm_req_clear(&s->rsm);
  free(s);
}

void icxd_sessions_free(icxd_sessions *tab)
{
  icxd_session *s, *next;

  if (!tab)
    return;
  for (s = tab->head; s; s = next) {
    next = s->next;
    session_free(s);
  }
  free(tab);
}

/* A new session named id, at the end of the table; NULL on ENOMEM. */
static icxd_session *session_add(icxd_sessions *tab, const char *id,
                                 const char *owner, const char *self)
{
  icxd_session *s, **tail;

  s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  icxd_rsm_req_clear(&s->rsm);
  snprintf(s->id, sizeof s->id, "%s", id);
  s->owner = strdup(owner ? owner : "");
  s->self = strdup(self ? self : "");
  if (!s->owner || !s->self) {
    session_free(s);
    return NULL;
  }
  s->last_used_ms = icxd_now_ms();
  for (tail = &tab->head; *tail; tail = &(*tail)->next)
    ;
  *tail = s;
  tab->count++;
  return s;
}

icxd_session *icxd_sessions_create(icxd_sessions *tab, const char *owner,
                                   const char *self)
{
  char hex[33], id[40];

  if (icxd_sessions_admit(tab, owner) != ICXD_SESS_ADMITTED ||
      icxd_random_hex(hex, sizeof hex) != 0)
    return NULL;
  snprintf(id, sizeof id, "icx-%s", hex);
  return session_add(tab, id, owner, self);
}

icxd_session *icxd_sessions_adopt(icxd_sessions *tab, const char *id,
                                  const char *owner, const char *self)
{
  if (!id || strlen(id) >= sizeof ((icxd_session *)0)->id ||
      icxd_sessions_find(tab, id, owner ? owner : ""))
    return NULL;
  return session_add(tab, id, owner, self);
}

icxd_session *icxd_sessions_find(icxd_sessions *tab, const char *id,
                                 const char *owner)
{
  icxd_session *s;

  if (!id || !owner)
    return NULL;
  for (s = tab->head; s; s = s->next)
    if (strcmp(s->id, id) == 0)
      return strcmp(s->owner, owner) == 0 && !s->canceled ? s : NULL;
  return NULL;
}

icxd_session *icxd_sessions_find_job(icxd_sessions *tab, uint64_t job_id)
{
  icxd_session *s;

  for (s = tab->head; s; s = s->next)
    if (s->state == ICXD_SESS_RUNNING && s->job_id == job_id)
      return s;
  return NULL;
}

void icxd_sessions_remove(icxd_sessions *tab, icxd_session *victim)
{
  icxd_session **pp;

  for (pp = &tab->head; *pp; pp = &(*pp)->next) {
    if (*pp == victim) {
      *pp = victim->next;
      tab->count--;
      session_free(victim);
      return;
    }
  }
}

size_t icxd_sessions_expire(icxd_sessions *tab, int64_t now_ms)
{
  icxd_session **pp = &tab->head, *s;
  size_t dropped = 0;

  while ((s = *pp)) {
    if (s->state != ICXD_SESS_RUNNING &&
        now_ms - s->last_used_ms > tab->timeout_ms) {
      *pp = s->next;
      tab->count--;
      session_free(s);
      dropped++;
    } else {
      pp = &s->next;
    }
  }
  return dropped;
}

void icxd_sessions_each(icxd_sessions *tab,
                        void (*fn)(icxd_session *s, void *ud), void *ud)
{
  icxd_session *s;

  for (s = tab->head; s; s = s->next)
    fn(s, ud);
}

size_t icxd_sessions_count(const icxd_sessions *tab)
{
  return tab->count;
}

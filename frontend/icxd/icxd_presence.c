/* icxd_presence.c - the presence table and the presence a request asks
 * for.  Each owner is a block of its own; the table keeps pointers to
 * them sorted by JID (the order list_presence pages in) and, beside, a
 * hash of their JIDs for lookups (a ranked answer looks up the owner of
 * each of its clouds: 280,000 binary searches of 10,000 owners took about
 * 110 ms of the loop thread).  An owner added or dropped moves pointers
 * in the sorted array and changes one entry of the hash, so that a
 * publish by a new owner costs the same at the cap of a million owners
 * as at ten.  Each owner has a few resources, searched linearly. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "icxd_presence.h"

typedef struct presence_resource {
  char *name;              /* "" for presence from the bare JID */
  icxd_show show;
} presence_resource;

typedef struct presence_owner {
  char *bare;              /* in the same block, after the struct */
  size_t len;              /* strlen(bare) */
  uint64_t hash;           /* presence_hash(bare) */
  icxd_show show;          /* the most available of its resources */
  time_t since;            /* when show last changed */
  int seen;                /* a presence was received */
  int mark;                /* icxd_presence_sync_owners() */
  struct presence_owner *gone; /* the same: its list of owners that left */
  presence_resource res[ICXD_PRESENCE_MAX_RESOURCES];
  size_t n_res;
} presence_owner;

struct icxd_presence {
  presence_owner **owners; /* sorted by bare, ASCII case ignored */
  size_t n, cap, max;
  icxd_presence_fn fn;
  void *ud;
  /* The hash of owners' JIDs, ASCII case folded: open addressing with
   * linear probing, each slot an owner or NULL, at most half of them
   * used; kept as owners come and go.  hashed 0 when memory to grow it
   * was missing: lookups then search the sorted array, and the next
   * change tries to make it again. */
  presence_owner **slots;
  size_t mask;
  int hashed;
};

static const char *const presence_names[ICXD_SHOW_COUNT] = {
  "unavailable", "dnd", "xa", "away", "available", "chat"
};

const char *icxd_show_name(icxd_show show)
{
  return (unsigned)show < ICXD_SHOW_COUNT ? presence_names[show] : "unknown";
}

int icxd_show_parse(const char *name, icxd_show *show)
{
  int i;

  for (i = 0; name && i < ICXD_SHOW_COUNT; i++)
    if (strcmp(name, presence_names[i]) == 0) {
      *show = (icxd_show)i;
      return 0;
    }
  return -1;
}

icxd_presence *icxd_presence_new(size_t max)
{
  icxd_presence *p = calloc(1, sizeof *p);

  if (p)
    p->max = max;
  return p;
}

static void presence_owner_free(presence_owner *o)
{
  size_t i;

  for (i = 0; i < o->n_res; i++)
    free(o->res[i].name);
  free(o);
}

void icxd_presence_free(icxd_presence *p)
{
  size_t i;

  if (!p)
    return;
  for (i = 0; i < p->n; i++)
    presence_owner_free(p->owners[i]);
  free(p->owners);
  free(p->slots);
  free(p);
}

void icxd_presence_set_listener(icxd_presence *p, icxd_presence_fn fn,
                                void *ud)
{
  p->fn = fn;
  p->ud = ud;
}

/* FNV-1a of the len bytes at s, ASCII case folded. */
static uint64_t presence_hash(const char *s, size_t len)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t i;

  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 0x100000001b3ULL;
  }
  return h;
}

/* Puts o into the hash's first free slot from its home. */
static void presence_slot_put(icxd_presence *p, presence_owner *o)
{
  size_t j;

  for (j = (size_t)o->hash & p->mask; p->slots[j]; j = (j + 1) & p->mask)
    ;
  p->slots[j] = o;
}

/* The hash made again, with room for p->n owners and one more; without
 * memory, lookups search the array (hashed 0). */
static void presence_rehash(icxd_presence *p)
{
  size_t want = 16, i;
  presence_owner **s;

  p->hashed = 0;
  while (want < 2 * (p->n + 1))
    want *= 2;
  if (!(s = calloc(want, sizeof *s)))
    return;
  free(p->slots);
  p->slots = s;
  p->mask = want - 1;
  for (i = 0; i < p->n; i++)
    presence_slot_put(p, p->owners[i]);
  p->hashed = 1;
}

/* o has joined p->owners: into the hash, which grows (is made again)
 * when more than half of it would be used. */
static void presence_hash_add(icxd_presence *p, presence_owner *o)
{
  if (!p->hashed || 2 * p->n > p->mask + 1)
    presence_rehash(p);     /* with o, which is in owners already */
  else
    presence_slot_put(p, o);
}

/* o leaves the hash: its slot emptied, and the entries after it in its
 * run moved back where a lookup would no longer reach them (deletion
 * for linear probing, without markers). */
static void presence_hash_drop(icxd_presence *p, const presence_owner *o)
{
  size_t i, j, home;

  if (!p->hashed)
    return;
  for (i = (size_t)o->hash & p->mask; p->slots[i] != o; i = (i + 1) & p->mask)
    if (!p->slots[i])
      return;               /* not there: cannot happen */
  p->slots[i] = NULL;
  for (j = (i + 1) & p->mask; p->slots[j]; j = (j + 1) & p->mask) {
    home = (size_t)p->slots[j]->hash & p->mask;
    /* The entry at j may fill the hole at i unless its home lies in
     * (i, j], cyclically. */
    if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
      continue;
    p->slots[i] = p->slots[j];
    p->slots[j] = NULL;
    i = j;
  }
}

/* The position of bare (len bytes) in the sorted array: *found 1 there;
 * else *found 0 and where it would go. */
static size_t presence_pos(const icxd_presence *p, const char *bare,
                           size_t len, int *found)
{
  size_t lo = 0, hi = p->n;

  *found = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *k = p->owners[mid]->bare;
    int c = strncasecmp(k, bare, len);
    if (c == 0)
      c = k[len] ? 1 : 0;
    if (c == 0) {
      *found = 1;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The owner bare (len bytes), or NULL. */
static presence_owner *presence_lookup(const icxd_presence *p,
                                       const char *bare, size_t len)
{
  size_t j;
  int found;

  if (!p->hashed) {
    j = presence_pos(p, bare, len, &found);
    return found ? p->owners[j] : NULL;
  }
  for (j = (size_t)presence_hash(bare, len) & p->mask; p->slots[j];
       j = (j + 1) & p->mask) {
    presence_owner *o = p->slots[j];
    if (o->len == len && strncasecmp(o->bare, bare, len) == 0)
      return o;
  }
  return NULL;
}

/* o, already out of the array and the hash, stops being tracked: the
 * listener told (it may read the table, whole without o), o freed. */
static void presence_left(icxd_presence *p, presence_owner *o)
{
  if (p->fn)
    p->fn(p->ud, o->bare, ICXD_SHOW_UNAVAILABLE, ICXD_SHOW_UNAVAILABLE,
          o->since);
  presence_owner_free(o);
}

static void presence_drop_at(icxd_presence *p, size_t i)
{
  presence_owner *o = p->owners[i];

  presence_hash_drop(p, o);
  memmove(&p->owners[i], &p->owners[i + 1], (p->n - i - 1) * sizeof *p->owners);
  p->n--;
  presence_left(p, o);
}

void icxd_presence_set_max(icxd_presence *p, size_t max)
{
  p->max = max;
  while (p->n > max)
    presence_drop_at(p, p->n - 1);
}

size_t icxd_presence_max(const icxd_presence *p)
{
  return p->max;
}

icxd_presence_add icxd_presence_add_owner(icxd_presence *p, const char *bare,
                                          time_t now)
{
  size_t len = strlen(bare), at;
  presence_owner *o = presence_lookup(p, bare, len);
  int found;

  if (o) {
    o->mark = 1;
    return ICXD_PRESENCE_KNOWN;
  }
  if (p->n >= p->max)
    return ICXD_PRESENCE_FULL;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    presence_owner **grown = realloc(p->owners, cap * sizeof *grown);
    if (!grown)
      return ICXD_PRESENCE_NOMEM;
    p->owners = grown;
    p->cap = cap;
  }
  if (!(o = calloc(1, sizeof *o + len + 1)))
    return ICXD_PRESENCE_NOMEM;
  o->bare = memcpy(o + 1, bare, len + 1);
  o->len = len;
  o->hash = presence_hash(bare, len);
  o->show = ICXD_SHOW_UNAVAILABLE;
  o->since = now;
  o->mark = 1;
  at = presence_pos(p, bare, len, &found);
  memmove(&p->owners[at + 1], &p->owners[at], (p->n - at) * sizeof *p->owners);
  p->owners[at] = o;
  p->n++;
  presence_hash_add(p, o);
  return ICXD_PRESENCE_ADDED;
}

int icxd_presence_remove_owner(icxd_presence *p, const char *bare)
{
  int found;
  size_t at = presence_pos(p, bare, strlen(bare), &found);

  if (!found)
    return 0;
  presence_drop_at(p, at);
  return 1;
}

long icxd_presence_sync_owners(icxd_presence *p, const char *const *owners,
                               size_t n, time_t now,
                               void (*added)(void *ud, const char *bare),
                               void *ud)
{
  presence_owner *o, *gone = NULL, **tail = &gone;
  size_t i, k;
  long left = 0;
  int nomem = 0;

  /* Drop the owners that are gone first, so that they leave room under
   * the cap for the new ones (in one pass over the array).  The listener
   * hears of them once the array is whole again: it may read the table. */
  for (i = 0; i < p->n; i++)
    p->owners[i]->mark = 0;
  for (i = 0; i < n; i++)
    if ((o = presence_lookup(p, owners[i], strlen(owners[i]))))
      o->mark = 1;
  for (i = 0, k = 0; i < p->n; i++) {
    o = p->owners[i];
    if (o->mark) {
      p->owners[k++] = o;
    } else {
      presence_hash_drop(p, o);
      o->gone = NULL;
      *tail = o;
      tail = &o->gone;
    }
  }
  p->n = k;
  while ((o = gone)) {
    gone = o->gone;
    presence_left(p, o);
  }
  for (i = 0; i < n; i++) {
    switch (icxd_presence_add_owner(p, owners[i], now)) {
    case ICXD_PRESENCE_ADDED:
      if (added)
        added(ud, owners[i]);
      break;
    case ICXD_PRESENCE_KNOWN:
      break;
    case ICXD_PRESENCE_FULL:
      left++;
      break;
    case ICXD_PRESENCE_NOMEM:
      nomem = 1;
      break;
    }
  }
  return nomem ? -1 : left;
}

/* Recomputes o's shown state from its resources; tells the listener. */
static void presence_settle(icxd_presence *p, presence_owner *o, time_t now)
{
  icxd_show best = ICXD_SHOW_UNAVAILABLE, was = o->show;
  size_t i;

  for (i = 0; i < o->n_res; i++)
    if (o->res[i].show > best)
      best = o->res[i].show;
  if (best == was)
    return;
  o->show = best;
  o->since = now;
  if (p->fn)
    p->fn(p->ud, o->bare, was, best, now);
}

static void presence_clear_resources(presence_owner *o)
{
  size_t i;

  for (i = 0; i < o->n_res; i++)
    free(o->res[i].name);
  o->n_res = 0;
}

int icxd_presence_update(icxd_presence *p, const char *jid, int available,
                         icxd_show show, time_t now)
{
  const char *slash = strchr(jid, '/');
  const char *resource = slash ? slash + 1 : "";
  size_t len = slash ? (size_t)(slash - jid) : strlen(jid), i;
  presence_owner *o = presence_lookup(p, jid, len);

  if (!o)
    return 0;
  o->seen = 1;
  if (!available && !slash) {
    presence_clear_resources(o);
    presence_settle(p, o, now);
    return 1;
  }
  if (!available)
    show = ICXD_SHOW_UNAVAILABLE;
  for (i = 0; i < o->n_res; i++)
    if (strcmp(o->res[i].name, resource) == 0)
      break;
  if (i == o->n_res) {
    if (!available)
      return 1;   /* a resource we never saw went away */
    if (o->n_res == ICXD_PRESENCE_MAX_RESOURCES)
      return 0;
    o->res[i].name = strdup(resource);
    if (!o->res[i].name)
      return -1;
    o->n_res++;
  }
  if (available) {
    o->res[i].show = show == ICXD_SHOW_UNAVAILABLE ? ICXD_SHOW_AVAILABLE
                                                   : show;
  } else {
    free(o->res[i].name);
    o->res[i] = o->res[--o->n_res];
  }
  presence_settle(p, o, now);
  return 1;
}

void icxd_presence_forget_all(icxd_presence *p, time_t now)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    presence_clear_resources(p->owners[i]);
    presence_settle(p, p->owners[i], now);
  }
}

int icxd_presence_get(const icxd_presence *p, const char *bare,
                      icxd_show *show, time_t *since, int *seen)
{
  const presence_owner *o = p ? presence_lookup(p, bare, strlen(bare)) : NULL;

  *show = ICXD_SHOW_UNAVAILABLE;
  *since = 0;
  *seen = 0;
  if (!o)
    return -1;
  *show = o->show;
  *since = o->since;
  *seen = o->seen;
  return 0;
}

size_t icxd_presence_count(const icxd_presence *p)
{
  return p->n;
}

const char *icxd_presence_at(const icxd_presence *p, size_t i,
                             icxd_show *show, time_t *since, int *seen,
                             size_t *resources)
{
  const presence_owner *o;

  if (i >= p->n)
    return NULL;
  o = p->owners[i];
  *show = o->show;
  *since = o->since;
  *seen = o->seen;
  *resources = o->n_res;
  return o->bare;
}

/* --- requests ------------------------------------------------------------ */

static int presence_bool(const char *v, int *out)
{
  if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
    *out = 1;
  else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
    *out = 0;
  else
    return -1;
  return 0;
}

int icxd_presence_req_parse(const char *presence, const char *required,
                            const char *weight, const char *jids,
                            icxd_presence_req *req, char *err, size_t errlen)
{
  char word[16];
  const char *s;
  icxd_show show;

  memset(req, 0, sizeof *req);
  req->required = 1;
  if (presence) {
    req->on = 1;
    for (s = presence; *s;) {
      size_t n = 0;
      while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
      if (!*s)
        break;
      while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' &&
             s[n] != '\r')
        n++;
      if (n >= sizeof word) {
        snprintf(err, errlen, "presence='%.40s': a state is one of "
                 "available, chat, away, xa, dnd, unavailable", presence);
        return -1;
      }
      memcpy(word, s, n);
      word[n] = '\0';
      if (icxd_show_parse(word, &show) != 0) {
        snprintf(err, errlen, "presence='%.40s': unknown state '%s'; a state "
                 "is one of available, chat, away, xa, dnd, unavailable",
                 presence, word);
        return -1;
      }
      req->accept |= 1u << show;
      s += n;
    }
    if (!req->accept) {
      snprintf(err, errlen, "presence='' names no state; give one or more "
               "of available, chat, away, xa, dnd, unavailable");
      return -1;
    }
  }
  if (required) {
    if (!presence) {
      snprintf(err, errlen, "presenceRequired='...' needs presence='...'");
      return -1;
    }
    if (presence_bool(required, &req->required) != 0) {
      snprintf(err, errlen, "presenceRequired='%.40s' must be true or false",
               required);
      return -1;
    }
  }
  if (weight) {
    char *end;
    long w = strtol(weight, &end, 10);
    if (!presence || req->required) {
      snprintf(err, errlen, "presenceWeight='...' needs presence='...' and "
               "presenceRequired='false'");
      return -1;
    }
    if (end == weight || *end || w < -100 || w > 100) {
      snprintf(err, errlen, "presenceWeight='%.40s' must be an integer from "
               "-100 to 100", weight);
      return -1;
    }
    req->weight = (int)w;
  } else if (presence && !req->required) {
    req->weight = ICXD_PRESENCE_DEFAULT_WEIGHT;
  }
  req->jids = req->on;
  if (jids && presence_bool(jids, &req->jids) != 0) {
    snprintf(err, errlen, "jid='%.40s' must be true or false", jids);
    return -1;
  }
  return 0;
}

int icxd_presence_meets(const icxd_presence *p, const char *bare,
                        const icxd_presence_req *req)
{
  icxd_show show = ICXD_SHOW_UNAVAILABLE;
  time_t since;
  int seen;

  if (bare)
    icxd_presence_get(p, bare, &show, &since, &seen);
  return (req->accept & (1u << show)) != 0;
}

void icxd_presence_time(time_t t, char *buf, size_t len)
{
  struct tm tm;

  if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, len, "1970-01-01T00:00:00Z");
}

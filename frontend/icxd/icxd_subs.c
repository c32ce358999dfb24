/* icxd_subs.c - standing requests: the subscriptions held by the writer
 * thread, their evaluation after each change, and the outbox of
 * notifications (icxd_subs.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "icx_store_subs.h"
#include "icxd_subs_internal.h"

/* --- small helpers -------------------------------------------------------- */

int icxd_subs_cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void icxd_subs_names_free(char **v, size_t n)
{
  size_t i;

  for (i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

/* 1 if name is among the sorted v[0..n-1]. */
int icxd_subs_names_has(char *const *v, size_t n, const char *name)
{
  return n && bsearch(&name, v, n, sizeof *v, icxd_subs_cmp_names) != NULL;
}

/* Sorts v and drops repeats (freeing them); returns the new count. */
size_t icxd_subs_names_unique(char **v, size_t n)
{
  size_t i, o;

  if (n < 2)
    return n;
  qsort(v, n, sizeof *v, icxd_subs_cmp_names);
  for (i = 1, o = 1; i < n; i++) {
    if (strcmp(v[i], v[o - 1]) == 0)
      free(v[i]);
    else
      v[o++] = v[i];
  }
  return o;
}

/* The answer as the store keeps it: names one per line.  NULL on ENOMEM. */
char *icxd_subs_names_join(char *const *v, size_t n)
{
  size_t i, len = 1, at = 0;
  char *s;

  for (i = 0; i < n; i++)
    len += strlen(v[i]) + 1;
  if (!(s = malloc(len)))
    return NULL;
  for (i = 0; i < n; i++) {
    size_t l = strlen(v[i]);
    if (i)
      s[at++] = '\n';
    memcpy(s + at, v[i], l);
    at += l;
  }
  s[at] = '\0';
  return s;
}

/* The names of text (one per line) into a new sorted array.  0 or -1. */
int icxd_subs_names_split(const char *text, char ***out, size_t *n)
{
  char **v = NULL;
  size_t cnt = 0, cap = 0;
  const char *p = text;

  *out = NULL;
  *n = 0;
  while (p && *p) {
    const char *e = strchr(p, '\n');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (l) {
      if (cnt == cap) {
        char **nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *nv);
        if (!nv)
          goto nomem;
        v = nv;
      }
      if (!(v[cnt] = strndup(p, l)))
        goto nomem;
      cnt++;
    }
    p = e ? e + 1 : NULL;
  }
  *out = v;
  *n = icxd_subs_names_unique(v, cnt);
  return 0;
nomem:
  icxd_subs_names_free(v, cnt);
  return -1;
}

void icxd_subs_xml_escape(FILE *f, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '\'': fputs("&apos;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*s, f);
    }
  }
}

/* --- the registry --------------------------------------------------------- */

/* The shape, if any, is the registry's: not freed here. */
void icxd_subs_entry_clear(icxd_sub *e)
{
  free(e->jid);
  free(e->created);
  memset(e, 0, sizeof *e);
}

void icxd_subs_shape_free(icxd_subs_shape *sh)
{
  size_t i;

  if (!sh)
    return;
  free(sh->request);
  icx_plan_free(sh->plan);
  icx_constraints_free(sh->set);
  icxd_subs_names_free(sh->answer, sh->n_answer);
  for (i = 0; i < sh->n_left; i++)
    free(sh->left[i]);
  free(sh->left);
  free(sh->entered);
  /* NULL outside an evaluation (the outbox holds its own references). */
  if (sh->tail) {
    free(sh->tail->xml);
    free(sh->tail->body);
    free(sh->tail);
  }
  free(sh);
}

void icxd_subs_shapes_clear(icxd_subs *subs)
{
  size_t i;

  for (i = 0; i < subs->n_shapes; i++)
    icxd_subs_shape_free(subs->shapes[i]);
  subs->n_shapes = 0;
  icxd_subs_index_free(subs->index);
  subs->index = NULL;
}

icxd_subs *icxd_subs_new(const char *store_path, icxd_logger *log)
{
  icxd_subs *subs = calloc(1, sizeof *subs);

  if (!subs)
    return NULL;
  subs->store_path = store_path;
  subs->log = log;
  subs->out_max = ICXD_SUBS_OUTBOX_MAX;
  subs->out_wait_ms = ICXD_SUBS_OUTBOX_WAIT_MS;
  pthread_mutex_init(&subs->lock, NULL);
  pthread_cond_init(&subs->out_room, NULL);
  return subs;
}

void icxd_subs_free(icxd_subs *subs)
{
  size_t i;
  icxd_subs_note n;

  if (!subs)
    return;
  for (i = 0; i < subs->n; i++)
    icxd_subs_entry_clear(&subs->v[i]);
  free(subs->v);
  icxd_subs_shapes_clear(subs);
  free(subs->shapes);
  icxd_subs_log_drop(subs);
  for (i = 0; i < subs->n_presence; i++)
    free(subs->presence[i].bare);
  free(subs->presence);
  while (icxd_subs_take(subs, &n))
    icxd_subs_note_clear(&n);
  icx_store_free(subs->watch);
  pthread_cond_destroy(&subs->out_room);
  pthread_mutex_destroy(&subs->lock);
  free(subs);
}

void icxd_subs_release(icxd_subs *subs)
{
  size_t i;

  /* The compiled sets and plans are on the writer's context too: drop
   * every subscription held (the store keeps them; a next job reads them
   * again). */
  for (i = 0; i < subs->n; i++)
    icxd_subs_entry_clear(&subs->v[i]);
  subs->n = 0;
  icxd_subs_shapes_clear(subs);
  icxd_subs_log_drop(subs);
  subs->loaded = 0;
  icx_store_free(subs->watch);
  subs->watch = NULL;
}

void icxd_subs_set_limits(icxd_subs *subs, unsigned max_total,
                          unsigned max_per_jid)
{
  pthread_mutex_lock(&subs->lock);
  subs->max_total = max_total;
  subs->max_per_jid = max_per_jid;
  pthread_mutex_unlock(&subs->lock);
}

void icxd_subs_set_outbox(icxd_subs *subs, size_t max, unsigned wait_ms)
{
  pthread_mutex_lock(&subs->lock);
  subs->out_max = max ? max : 1;
  subs->out_wait_ms = wait_ms;
  pthread_cond_broadcast(&subs->out_room);
  pthread_mutex_unlock(&subs->lock);
}

void icxd_subs_set_presence(icxd_subs *subs, const char *bare, icxd_show show)
{
  size_t i;

  pthread_mutex_lock(&subs->lock);
  for (i = 0; i < subs->n_presence; i++)
    if (strcasecmp(subs->presence[i].bare, bare) == 0)
      break;
  if (i == subs->n_presence) {
    struct icxd_subs_presence *nv =
        realloc(subs->presence, (i + 1) * sizeof *nv);
    char *copy = strdup(bare);
    if (nv)
      subs->presence = nv;
    if (!nv || !copy) {
      free(copy);
      pthread_mutex_unlock(&subs->lock);
      return;   /* out of memory: the owner stays unknown (unavailable) */
    }
    subs->presence[i].bare = copy;
    subs->n_presence++;
  }
  subs->presence[i].show = show;
  pthread_mutex_unlock(&subs->lock);
}

/* The presence of owner bare (NULL: none, unavailable). */
icxd_show icxd_subs_presence_of(icxd_subs *subs, const char *bare)
{
  icxd_show show = ICXD_SHOW_UNAVAILABLE;
  size_t i;

  if (!bare)
    return show;
  pthread_mutex_lock(&subs->lock);
  for (i = 0; i < subs->n_presence; i++)
    if (strcasecmp(subs->presence[i].bare, bare) == 0) {
      show = subs->presence[i].show;
      break;
    }
  pthread_mutex_unlock(&subs->lock);
  return show;
}

size_t icxd_subs_count(icxd_subs *subs)
{
  return subs->n;
}

void icxd_subs_figures(icxd_subs *subs, unsigned long *scoped,
                       unsigned long *full)
{
  *scoped = subs->scoped;
  *full = subs->full;
}

unsigned long icxd_subs_notes_queued(icxd_subs *subs)
{
  unsigned long n;

  pthread_mutex_lock(&subs->lock);
  n = subs->queued;
  pthread_mutex_unlock(&subs->lock);
  return n;
}

size_t icxd_subs_pending(icxd_subs *subs)
{
  size_t n;

  pthread_mutex_lock(&subs->lock);
  n = subs->out_n;
  pthread_mutex_unlock(&subs->lock);
  return n;
}

size_t icxd_subs_outbox_peak(icxd_subs *subs)
{
  size_t n;

  pthread_mutex_lock(&subs->lock);
  n = subs->out_peak;
  pthread_mutex_unlock(&subs->lock);
  return n;
}

unsigned long icxd_subs_notes_dropped(icxd_subs *subs)
{
  unsigned long n;

  pthread_mutex_lock(&subs->lock);
  n = subs->dropped;
  pthread_mutex_unlock(&subs->lock);
  return n;
}

/* --- the outbox ----------------------------------------------------------- */

void icxd_subs_note_clear(icxd_subs_note *note)
{
  free(note->jid);
  free(note->id);
  free(note->payload);
  free(note->body);
  memset(note, 0, sizeof *note);
}

void icxd_subs_tail_release(icxd_subs *subs, struct icxd_subs_tail *tail)
{
  int last;

  if (!tail)
    return;
  pthread_mutex_lock(&subs->lock);
  last = --tail->refs == 0;
  pthread_mutex_unlock(&subs->lock);
  if (!last)
    return;
  free(tail->xml);
  free(tail->body);
  free(tail);
}

/* The whole text of o: the element's start with the subscription id (and
 * missed), then the shared tail.  0, or -1 on ENOMEM. */
static int subs_note_make(const struct icxd_subs_out *o, icxd_subs_note *note)
{
  char id[64], head[160], bhead[200];
  const char *txml = o->tail ? o->tail->xml : "", *tbody = o->tail ? o->tail->body : ".";
  size_t lh, lt, lbh, lbt;

  snprintf(id, sizeof id, ICXD_SUBS_MSG_ID_PREFIX "%lld-%lu", o->sub, o->seq);
  if (o->missed)
    snprintf(head, sizeof head, "<matches xmlns='" ICXD_NS_MATCHES
             "' subscription='%lld' missed='%lu'%s", o->sub, o->missed,
             o->tail ? ">" : "/>");
  else
    snprintf(head, sizeof head, "<matches xmlns='" ICXD_NS_MATCHES
             "' subscription='%lld'>", o->sub);
  if (o->missed)
    snprintf(bhead, sizeof bhead, "Subscription %lld (%lu notification%s "
             "before this one lost: list_subscriptions has the whole answer)%s",
             o->sub, o->missed, o->missed == 1 ? "" : "s", o->tail ? ":" : "");
  else
    snprintf(bhead, sizeof bhead, "Subscription %lld:", o->sub);
  lh = strlen(head), lt = strlen(txml), lbh = strlen(bhead), lbt = strlen(tbody);
  memset(note, 0, sizeof *note);
  note->payload = malloc(lh + lt + 1);
  note->body = malloc(lbh + lbt + 1);
  note->id = strdup(id);
  note->jid = strdup(o->jid);
  if (!note->payload || !note->body || !note->id || !note->jid) {
    icxd_subs_note_clear(note);
    return -1;
  }
  memcpy(note->payload, head, lh);
  memcpy(note->payload + lh, txml, lt + 1);
  memcpy(note->body, bhead, lbh);
  memcpy(note->body + lbh, tbody, lbt + 1);
  return 0;
}

int icxd_subs_take(icxd_subs *subs, icxd_subs_note *note)
{
  struct icxd_subs_out *o;
  int made;

  for (;;) {
    pthread_mutex_lock(&subs->lock);
    o = subs->out_head;
    if (o) {
      subs->out_head = o->next;
      if (!subs->out_head)
        subs->out_tail = NULL;
      subs->out_n--;
      subs->out_stalled = 0;
      pthread_cond_signal(&subs->out_room);
    }
    pthread_mutex_unlock(&subs->lock);
    if (!o)
      return 0;
    made = subs_note_make(o, note);
    if (made != 0)
      icxd_log(subs->log, ICXD_LOG_ERROR, "subs",
               "out of memory: a notification of subscription %lld is lost",
               o->sub);
    icxd_subs_tail_release(subs, o->tail);
    free(o->jid);
    free(o);
    if (made == 0)
      return 1;
  }
}

/* Writes up to k of the n names of v (sorted) as an element named el
 * (count='n' when not all fit) to f, and to b for people. */
static void subs_tail_list(FILE *f, FILE *b, const char *el, char *const *v,
                           size_t n, size_t k)
{
  size_t i;

  if (k < n)
    fprintf(f, "<%s count='%zu'>", el, n);
  else
    fprintf(f, "<%s>", el);
  fprintf(b, " %s", el);
  for (i = 0; i < k; i++) {
    fputs("<cloudName>", f);
    icxd_subs_xml_escape(f, v[i]);
    fputs("</cloudName>", f);
    fprintf(b, "%s %s", i ? "," : "", v[i]);
  }
  if (k < n)
    fprintf(b, "%s %zu more", k ? " and" : "", n - k);
  fprintf(f, "</%s>", el);
}

struct icxd_subs_tail *icxd_subs_tail_new(char *const *entered, size_t n_entered,
                                          char *const *left, size_t n_left)
{
  const size_t max = ICXD_SUBS_NOTE_MAX_NAMES;
  struct icxd_subs_tail *t = calloc(1, sizeof *t);
  size_t len = 0, blen = 0, k_e, k_l;
  FILE *f, *b;

  if (!t)
    return NULL;
  /* At most max names: each list keeps at least half of them when it has
   * that many, the other takes what is left. */
  k_e = n_entered < max ? n_entered : max;
  k_l = n_left < max - k_e ? n_left : max - k_e;
  if (k_l < n_left && k_l < max / 2) {
    k_l = n_left < max / 2 ? n_left : max / 2;
    k_e = n_entered < max - k_l ? n_entered : max - k_l;
  }
  f = open_memstream(&t->xml, &len);
  b = f ? open_memstream(&t->body, &blen) : NULL;
  if (!f || !b) {
    if (f)
      fclose(f);
    free(t->xml);
    free(t);
    return NULL;
  }
  if (n_entered)
    subs_tail_list(f, b, "entered", entered, n_entered, k_e);
  if (n_left) {
    if (n_entered)
      fputc(';', b);
    subs_tail_list(f, b, "left", left, n_left, k_l);
  }
  if (k_e < n_entered || k_l < n_left)
    fputs(" (list_subscriptions has the whole answer)", b);
  fputs("</matches>", f);
  fputc('.', b);
  if (fclose(f) != 0 || fclose(b) != 0) {
    free(t->xml);
    free(t->body);
    free(t);
    return NULL;
  }
  t->refs = 1;
  return t;
}

void icxd_subs_notify(icxd_subs *subs, icxd_sub *e, struct icxd_subs_tail *tail,
                      int wait)
{
  struct icxd_subs_out *o = calloc(1, sizeof *o);
  int room;

  if (!o || !(o->jid = strdup(e->jid))) {
    free(o);
    icxd_log(subs->log, ICXD_LOG_ERROR, "subs",
             "out of memory: a notification of subscription %lld is lost",
             e->id);
    o = NULL;
  }
  pthread_mutex_lock(&subs->lock);
  if (o && wait && subs->out_n >= subs->out_max && !subs->out_stalled) {
    struct timespec until = icxd_deadline(CLOCK_REALTIME, subs->out_wait_ms);
    while (subs->out_n >= subs->out_max &&
           pthread_cond_timedwait(&subs->out_room, &subs->lock, &until) == 0)
      ;
    /* Still full: the loop is not taking; the rest of this change (and
     * what follows until it takes one) is dropped without waiting. */
    if (subs->out_n >= subs->out_max)
      subs->out_stalled = 1;
  }
  room = o && subs->out_n < subs->out_max;
  if (room) {
    o->sub = e->id;
    o->seq = subs->seq++;
    o->missed = e->missed;
    o->tail = tail;
    if (tail)
      tail->refs++;
    if (subs->out_tail)
      subs->out_tail->next = o;
    else
      subs->out_head = o;
    subs->out_tail = o;
    subs->queued++;
    if (++subs->out_n > subs->out_peak)
      subs->out_peak = subs->out_n;
  } else if (tail) {
    subs->dropped++;
  }
  pthread_mutex_unlock(&subs->lock);
  if (room) {
    if (e->missed)
      subs->n_missed--;
    e->missed = 0;
    return;
  }
  if (o) {
    free(o->jid);
    free(o);
  }
  if (!tail)
    return;   /* a missed notice that did not fit: it stays owed */
  if (!e->missed++)
    subs->n_missed++;
  icxd_log(subs->log, ICXD_LOG_WARN, "subs",
           "outbox full: a notification of subscription %lld dropped "
           "(%lu owed to %s)", e->id, e->missed, e->jid);
}

void icxd_subs_tell_missed(icxd_subs *subs)
{
  size_t i, owed = 0;

  if (!subs->n_missed)
    return;
  for (i = 0; i < subs->n; i++)
    if (subs->v[i].missed) {
      icxd_subs_notify(subs, &subs->v[i], NULL, 0);
      owed += subs->v[i].missed != 0;
    }
  /* Recounted: an unsubscribe may have ended one that was owed. */
  subs->n_missed = owed;
}

/* icxd_subs.c - standing requests: the subscriptions held by the writer
 * thread, their evaluation after each change, and the outbox of
 * notifications (icxd_subs.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
  free(sh->tail_xml);
  free(sh->tail_body);
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
  pthread_mutex_init(&subs->lock, NULL);
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

/* --- the outbox ----------------------------------------------------------- */

void icxd_subs_note_clear(icxd_subs_note *note)
{
  free(note->jid);
  free(note->id);
  free(note->payload);
  free(note->body);
  memset(note, 0, sizeof *note);
}

int icxd_subs_take(icxd_subs *subs, icxd_subs_note *note)
{
  struct icxd_subs_out *o;

  pthread_mutex_lock(&subs->lock);
  o = subs->out_head;
  if (o) {
    subs->out_head = o->next;
    if (!subs->out_head)
      subs->out_tail = NULL;
  }
  pthread_mutex_unlock(&subs->lock);
  if (!o)
    return 0;
  *note = o->note;
  free(o);
  return 1;
}

/* What follows the subscription's id in a notification of entered and
 * left (sorted names), as XML (*xml) and for people (*body): the same for
 * every subscriber of a shape.  0, or -1 on ENOMEM. */
int icxd_subs_note_tails(char *const *entered, size_t n_entered, char *const *left,
                         size_t n_left, char **xml, char **body)
{
  char *buf = NULL, *bbuf = NULL;
  size_t len = 0, blen = 0, i;
  FILE *f, *b;

  *xml = *body = NULL;
  f = open_memstream(&buf, &len);
  b = f ? open_memstream(&bbuf, &blen) : NULL;
  if (!f || !b) {
    if (f)
      fclose(f);
    free(buf);
    return -1;
  }
  if (n_entered) {
    fputs("<entered>", f);
    fputs(" entered", b);
    for (i = 0; i < n_entered; i++) {
      fputs("<cloudName>", f);
      icxd_subs_xml_escape(f, entered[i]);
      fputs("</cloudName>", f);
      fprintf(b, "%s %s", i ? "," : "", entered[i]);
    }
    fputs("</entered>", f);
  }
  if (n_left) {
    fputs("<left>", f);
    fprintf(b, "%s left", n_entered ? ";" : "");
    for (i = 0; i < n_left; i++) {
      fputs("<cloudName>", f);
      icxd_subs_xml_escape(f, left[i]);
      fputs("</cloudName>", f);
      fprintf(b, "%s %s", i ? "," : "", left[i]);
    }
    fputs("</left>", f);
  }
  fputs("</matches>", f);
  fputc('.', b);
  if (fclose(f) != 0 || fclose(b) != 0) {
    free(buf);
    free(bbuf);
    return -1;
  }
  *xml = buf;
  *body = bbuf;
  return 0;
}

/* Queues the notification of e with the tails of icxd_subs_note_tails(). */
void icxd_subs_notify_tails(icxd_subs *subs, const icxd_sub *e, const char *xml,
                            const char *body)
{
  struct icxd_subs_out *o = calloc(1, sizeof *o);
  char id[64];
  size_t n;

  if (!o)
    goto nomem;
  snprintf(id, sizeof id, ICXD_SUBS_MSG_ID_PREFIX "%lld-%lu", e->id, subs->seq++);
  n = strlen(xml) + sizeof "<matches xmlns='" ICXD_NS_MATCHES "' subscription=''>" + 24;
  if ((o->note.payload = malloc(n)))
    snprintf(o->note.payload, n, "<matches xmlns='" ICXD_NS_MATCHES "' subscription='%lld'>%s",
             e->id, xml);
  n = strlen(body) + sizeof "Subscription :" + 24;
  if ((o->note.body = malloc(n)))
    snprintf(o->note.body, n, "Subscription %lld:%s", e->id, body);
  o->note.jid = strdup(e->jid);
  o->note.id = strdup(id);
  if (!o->note.payload || !o->note.body || !o->note.jid || !o->note.id) {
    icxd_subs_note_clear(&o->note);
    goto nomem;
  }
  pthread_mutex_lock(&subs->lock);
  if (subs->out_tail)
    subs->out_tail->next = o;
  else
    subs->out_head = o;
  subs->out_tail = o;
  subs->queued++;
  pthread_mutex_unlock(&subs->lock);
  return;
nomem:
  free(o);
  icxd_log(subs->log, ICXD_LOG_ERROR, "subs",
           "out of memory: a notification of subscription %lld is lost",
           e->id);
}

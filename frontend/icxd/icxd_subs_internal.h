/* icxd_subs_internal.h - what the files of the subscriptions module share:
 * the registry's structure.  icxd_subs.c keeps the registry, the presence
 * copy and the outbox; icxd_subs_eval.c runs the jobs and evaluates. */
#ifndef ICXD_SUBS_INTERNAL_H
#define ICXD_SUBS_INTERNAL_H

#include <pthread.h>
#include <stdio.h>

#include "icx_plan.h"
#include "icxd_subs.h"

/* One subscription, as the writer thread holds it. */
typedef struct icxd_sub {
  long long id;
  char *jid;                 /* bare */
  char *request;             /* the IO Data <in>, as kept in the store */
  char *created;
  unsigned presence;         /* accepted states (1u << icxd_show); 0: none asked */
  icx_constraints *set;      /* compiled against subs->vocab; NULL: failed */
  icx_plan *plan;            /* set as typed data (icx_scope_match()), or NULL */
  char **answer;             /* the last answer: sorted cloud names */
  size_t n_answer;
} icxd_sub;

struct icxd_subs_presence {
  char *bare;
  icxd_show show;
};

struct icxd_subs_out {
  icxd_subs_note note;
  struct icxd_subs_out *next;
};

struct icxd_subs {
  const char *store_path;    /* borrowed */
  icxd_logger *log;          /* borrowed */
  /* the writer thread's */
  int loaded;
  const icx_vocab *vocab;    /* the sets were compiled with it */
  icxd_sub *v;
  size_t n, cap;
  icx_store *watch;          /* read-only: the generation other writers move */
  long long seen;            /* the watch's data version after our last write */
  int have_seen;
  unsigned long seq;         /* message ids */
  /* figures (the writer thread's): evaluations on a scope, in full */
  unsigned long scoped, full;
  /* under lock */
  pthread_mutex_t lock;
  unsigned max_total, max_per_jid;
  struct icxd_subs_presence *presence;
  size_t n_presence;
  struct icxd_subs_out *out_head, *out_tail;
  unsigned long queued;
};

/* qsort/bsearch order of names (char * elements). */
int icxd_subs_cmp_names(const void *a, const void *b);
void icxd_subs_names_free(char **v, size_t n);
int icxd_subs_names_has(char *const *v, size_t n, const char *name);
int icxd_subs_names_split(const char *text, char ***out, size_t *n);
size_t icxd_subs_names_unique(char **v, size_t n);
char *icxd_subs_names_join(char *const *v, size_t n);
void icxd_subs_entry_clear(icxd_sub *e);
icxd_show icxd_subs_presence_of(icxd_subs *subs, const char *bare);
void icxd_subs_notify(icxd_subs *subs, const icxd_sub *e,
                      char *const *entered, size_t n_entered,
                      char *const *left, size_t n_left);
void icxd_subs_xml_escape(FILE *f, const char *s);

#endif

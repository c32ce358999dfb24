/* icxd_subs_internal.h - what the files of the subscriptions module share:
 * the registry's structure.  icxd_subs.c keeps the registry, the presence
 * copy and the outbox; icxd_subs_eval.c runs the jobs and evaluates;
 * icxd_subs_index.c finds the shapes a change can touch. */
#ifndef ICXD_SUBS_INTERNAL_H
#define ICXD_SUBS_INTERNAL_H

#include <pthread.h>
#include <stdio.h>

#include "icx_plan.h"
#include "icx_scope.h"
#include "icxd_subs.h"

/* A shape: what one or more subscriptions ask, alike to the letter (the
 * same request text and the same presence asked for).  It is evaluated
 * once per change and its answer kept once; its subscribers are told
 * each.  The store keeps the answer under one of them, the keeper (the
 * one with the lowest id: icx_store_subs.h's rows). */
typedef struct icxd_subs_shape {
  char *request;             /* the IO Data <in>, as kept in the store */
  unsigned long hash;        /* of request and presence: found fast */
  unsigned presence;         /* accepted states (1u << icxd_show); 0: none asked */
  icx_constraints *set;      /* compiled against subs->vocab; NULL: failed */
  icx_plan *plan;            /* set as typed data (icx_scope_match()), or NULL */
  char **answer;             /* the last answer: sorted cloud names */
  size_t n_answer;
  long long keeper;          /* the subscription whose rows hold the answer */
  size_t members;
  /* one change's (icxd_subs_eval.c): a candidate, and what entered (lent
   * by answer) and left (owned until the change is told) */
  int cand;
  char **entered, **left;
  size_t n_entered, n_left;
  struct icxd_subs_tail *tail; /* the notification's text after the id */
} icxd_subs_shape;

/* The text of a notification after its subscription id, shared by the
 * notifications of one shape's subscribers (refs under the lock). */
struct icxd_subs_tail {
  char *xml;                 /* <entered>...</left></matches> */
  char *body;                /* " entered a, b; left c." */
  unsigned long refs;
};

/* One subscription, as the writer thread holds it. */
typedef struct icxd_sub {
  long long id;
  char *jid;                 /* bare */
  char *created;
  icxd_subs_shape *shape;    /* shared; the registry's */
  unsigned long missed;      /* notifications dropped, not told yet */
} icxd_sub;

/* What one change may have changed (icxd_subs_eval.c says more). */
typedef struct icxd_subs_change {
  int full;
  int presence_only;
  char **clouds;             /* sorted, unique; owned */
  size_t n_clouds;
  icx_scope *scope;          /* the documents now describing them, or NULL */
} icxd_subs_change;

/* The index of shapes by a hard constraint each has (icxd_subs_index.c). */
typedef struct icxd_subs_index icxd_subs_index;

struct icxd_subs_presence {
  char *bare;
  icxd_show show;
};

/* One notification in the outbox: made whole by icxd_subs_take(). */
struct icxd_subs_out {
  long long sub;
  char *jid;
  unsigned long seq;         /* of its message id */
  unsigned long missed;      /* dropped before it (missed='N'); 0: none */
  struct icxd_subs_tail *tail;  /* NULL: it only tells missed */
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
  icxd_subs_shape **shapes;
  size_t n_shapes, cap_shapes;
  icxd_subs_index *index;    /* NULL: to build again before the next probe */
  /* The store's subscriptions version (icx_store_subs_version()) the
   * registry is a copy of, and how many adds and removes of our own
   * moved it since: the version then reads version + own. */
  long long version;
  unsigned long own;
  int have_version;
  icx_store *watch;          /* read-only: the generation other writers move */
  long long seen;            /* the watch's data version after our last write */
  int have_seen;
  /* the store's change log (icxd_subs_log.c): the last change the
   * answers reflect, and the clouds of every document */
  long long log_seq;
  int have_log;
  int held;                  /* the job's store is held (icxd_subs_hold()) */
  int pending;               /* shapes moved, not told yet (icxd_subs_tell()) */
  struct icxd_subs_doc *docs;
  size_t n_docs, cap_docs;
  unsigned long seq;         /* message ids */
  /* figures (the writer thread's): shape evaluations on a scope, in full */
  unsigned long scoped, full;
  /* under lock */
  pthread_mutex_t lock;
  unsigned max_total, max_per_jid;
  struct icxd_subs_presence *presence;
  size_t n_presence;
  struct icxd_subs_out *out_head, *out_tail;
  unsigned long queued;
  size_t out_n, out_max, out_peak;
  unsigned out_wait_ms;
  int out_stalled;           /* a wait for room timed out: drop at once */
  unsigned long dropped;
  pthread_cond_t out_room;
  /* the writer's: subscriptions with missed > 0 */
  size_t n_missed;
};

/* qsort/bsearch order of names (char * elements). */
int icxd_subs_cmp_names(const void *a, const void *b);
void icxd_subs_names_free(char **v, size_t n);
int icxd_subs_names_has(char *const *v, size_t n, const char *name);
int icxd_subs_names_split(const char *text, char ***out, size_t *n);
size_t icxd_subs_names_unique(char **v, size_t n);
char *icxd_subs_names_join(char *const *v, size_t n);
void icxd_subs_entry_clear(icxd_sub *e);
void icxd_subs_shape_free(icxd_subs_shape *sh);
void icxd_subs_shapes_clear(icxd_subs *subs);

/* icxd_subs_eval.c, for icxd_subs_jobs.c. */
void icxd_subs_fail(icxd_job *job, icx_rc rc, const char *msg);
void icxd_subs_compile(icxd_subs *subs, icx_ctx *ctx, const icx_vocab *vocab,
                       icxd_subs_shape *sh);
icxd_subs_shape *icxd_subs_shape_find(icxd_subs *subs, const char *request,
                                      unsigned presence);
icxd_subs_shape *icxd_subs_shape_add(icxd_subs *subs, const char *request,
                                     unsigned presence);
void icxd_subs_shape_drop(icxd_subs *subs, icxd_subs_shape *sh);
void icxd_subs_options(unsigned presence, char *buf, size_t len);
unsigned icxd_subs_options_presence(const char *options);
int icxd_subs_change_clouds(icxd_subs_change *c, char *const *before,
                            size_t n_before, char *const *after, size_t n_after);
icx_rc icxd_subs_answer(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                        const icx_vocab *vocab, const icxd_subs_shape *e,
                        const icxd_subs_change *c, char ***out, size_t *n_out);
void icxd_subs_eval(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                    const icx_vocab *vocab, const icxd_subs_change *c);

/* Holds store's write lock (icx_store_subs_begin()) until
 * icxd_subs_unhold(), so that what is read between (the change log, the
 * documents, the subscriptions' answers) and what is evaluated and kept
 * are of one state of the store, which no other writer moves meanwhile.
 * What a registry knows of each document must be of the state its
 * notifications were told from: a cloud told as entered from a newer
 * state than the one it knows the document's clouds at would never be
 * told as left, when the document then changes again before the next
 * look (changes read together name only the clouds before and after).
 * Nested holds are one.  Returns 1 when this call took the lock (give it
 * to icxd_subs_unhold()); 0 when it was held already, or could not be
 * taken (each write is then its own transaction, as without a hold). */
int icxd_subs_hold(icxd_subs *subs, icx_store *store);
/* Lets the lock go when took, then (when no hold is left) tells what the
 * evaluations in it moved: the outbox's wait for room never holds the
 * store. */
void icxd_subs_unhold(icxd_subs *subs, icx_store *store, int took);
/* Tells what evaluations moved and has not been told yet (a no-op when
 * nothing is pending). */
void icxd_subs_tell(icxd_subs *subs);

/* The change log (icxd_subs_log.c).  _start reads the last change and
 * the clouds of every document (0, or -1: no log to use); _drop forgets
 * them; _note tells the clouds a document has now (icxd's own write);
 * _catch_up evaluates every change after the last one read, but those of
 * skip_uri (NULL: none), on the documents they changed: 0, or -1 when
 * the log cannot say (the caller evaluates in full and starts again). */
int icxd_subs_log_start(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                        const icx_vocab *vocab);
void icxd_subs_log_drop(icxd_subs *subs);
void icxd_subs_log_note(icxd_subs *subs, const char *uri, char *const *clouds, size_t n);
int icxd_subs_log_catch_up(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                           const icx_vocab *vocab, const char *skip_uri);

/* The index: built from subs->shapes (NULL on ENOMEM: every shape is then
 * a candidate); freed with icxd_subs_index_free() (NULL: a no-op), and
 * again whenever shapes come, go or are compiled again. */
icxd_subs_index *icxd_subs_index_new(icxd_subs *subs);
void icxd_subs_index_free(icxd_subs_index *ix);
/* Sets cand on every shape whose key a value of sc meets, and on every
 * shape without a key (untyped, not compiled, or no hard constraint that
 * can serve as one). */
void icxd_subs_index_probe(const icxd_subs_index *ix, const icx_scope *sc);
icxd_show icxd_subs_presence_of(icxd_subs *subs, const char *bare);
/* A new tail (refs 1) for entered and left (sorted names), at most
 * ICXD_SUBS_NOTE_MAX_NAMES of them named; NULL on ENOMEM. */
struct icxd_subs_tail *icxd_subs_tail_new(char *const *entered, size_t n_entered,
                                          char *const *left, size_t n_left);
/* Drops a reference to tail (NULL: a no-op); frees it at the last. */
void icxd_subs_tail_release(icxd_subs *subs, struct icxd_subs_tail *tail);
/* Queues e's notification with tail (NULL: it only tells what e
 * missed), waiting for room when wait is set (icxd_subs.h says how
 * long); counts it as missed on e when it cannot. */
void icxd_subs_notify(icxd_subs *subs, icxd_sub *e, struct icxd_subs_tail *tail,
                      int wait);
/* Tells every subscription that missed notifications, as room allows
 * (without waiting). */
void icxd_subs_tell_missed(icxd_subs *subs);
void icxd_subs_xml_escape(FILE *f, const char *s);

#endif

/* icxd_worker_answers.c - large match answers kept for the pages that
 * follow (icxd_worker_internal.h): a few shared, counted answers under
 * one lock, the least recently used going first, and the match that
 * takes or keeps them. */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_store_ids.h"
#include "icx_util.h"
#include "icxd_rsm_index.h"
#include "icxd_worker_internal.h"

struct icxd_answer {
  unsigned refs;              /* the table's and each job's; atomic */
  char *key;
  size_t key_len;
  uint64_t hash;
  icxd_store_state state;
  unsigned long used;         /* the table's tick of its last take */
  size_t bytes;               /* about what it holds */
  char *xml;
  struct icxd_rsm_index *index;
  char **clouds;
  char **owners;              /* with want_owners, else NULL */
  int *scores, *degrees;      /* the same */
  size_t n;
  int beyond_paper;
};

struct icxd_answers {
  pthread_mutex_t lock;
  icxd_answer *v[ICXD_ANSWERS_MAX];
  size_t n, bytes;
  size_t max_bytes;           /* the bound of bytes; 0: nothing is kept */
  unsigned long tick;
  icxd_answers_stats stats;
};

/* Frees an answer's strings and their array. */
static void answers_free_strings(char **v, size_t n)
{
  size_t i;

  for (i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

static void answer_free(icxd_answer *a)
{
  answers_free_strings(a->clouds, a->n);
  answers_free_strings(a->owners, a->owners ? a->n : 0);
  free(a->scores);
  free(a->degrees);
  free(a->xml);
  icxd_rsm_index_free(a->index);
  free(a->key);
  free(a);
}

void icxd_answer_release(icxd_answer *a)
{
  if (a && __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) == 0)
    answer_free(a);
}

icxd_answers *icxd_answers_new(void)
{
  icxd_answers *t = calloc(1, sizeof *t);

  if (t && pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t);
    return NULL;
  }
  if (t)
    t->max_bytes = ICXD_ANSWERS_DEFAULT_BYTES;
  return t;
}

/* Lets the table's answer i go.  Lock held. */
static void answers_drop(icxd_answers *t, size_t i)
{
  icxd_answer *a = t->v[i];

  t->bytes -= a->bytes;
  t->v[i] = t->v[--t->n];
  t->v[t->n] = NULL;
  icxd_answer_release(a);
}

void icxd_answers_clear(icxd_answers *t)
{
  if (!t)
    return;
  pthread_mutex_lock(&t->lock);
  while (t->n)
    answers_drop(t, t->n - 1);
  pthread_mutex_unlock(&t->lock);
}

/* The least recently used answer of t's.  t->n > 0; lock held. */
static size_t answers_oldest(const icxd_answers *t)
{
  size_t i, old = 0;

  for (i = 1; i < t->n; i++)
    if (t->v[i]->used < t->v[old]->used)
      old = i;
  return old;
}

void icxd_answers_set_max(icxd_answers *t, size_t max_bytes)
{
  if (!t)
    return;
  pthread_mutex_lock(&t->lock);
  t->max_bytes = max_bytes;
  while (t->n && t->bytes > max_bytes)
    answers_drop(t, answers_oldest(t));
  pthread_mutex_unlock(&t->lock);
}

void icxd_answers_free(icxd_answers *t)
{
  if (!t)
    return;
  icxd_answers_clear(t);
  pthread_mutex_destroy(&t->lock);
  free(t);
}

/* n pointers copied (the strings they point to are not); NULL on
 * ENOMEM. */
static char **answers_copy_pointers(char *const *v, size_t n)
{
  char **c = malloc((n ? n : 1) * sizeof *c);

  if (c && n)
    memcpy(c, v, n * sizeof *c);
  return c;
}

/* n ints copied; NULL on ENOMEM. */
static int *answers_copy_ints(const int *v, size_t n)
{
  int *c = malloc((n ? n : 1) * sizeof *c);

  if (c && n)
    memcpy(c, v, n * sizeof *c);
  return c;
}

int icxd_answers_take(icxd_answers *t, const char *key, size_t key_len,
                      const icxd_store_state *state, icxd_job *job)
{
  uint64_t h = icx_hash_bytes(key, key_len);
  icxd_answer *a = NULL;
  char **clouds = NULL, **owners = NULL;
  int *scores = NULL, *degrees = NULL;
  size_t i;

  if (!t || !state->token)
    return 0;
  pthread_mutex_lock(&t->lock);
  for (i = 0; i < t->n; i++) {
    icxd_answer *e = t->v[i];
    if (e->hash == h && e->key_len == key_len &&
        e->state.seq == state->seq && e->state.token == state->token &&
        e->state.max_id == state->max_id && memcmp(e->key, key, key_len) == 0) {
      a = e;
      a->used = ++t->tick;
      __atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
      break;
    }
  }
  if (a)
    t->stats.hits++;
  else
    t->stats.misses++;
  pthread_mutex_unlock(&t->lock);
  if (!a)
    return 0;
  /* The names (and owners) are lent, with a reference of their own: the
   * job's answer may be replaced (a federated one) while they are still
   * its clouds.  The arrays are the job's own, which the loop reorders
   * and cuts when it applies presence. */
  if (!(clouds = answers_copy_pointers(a->clouds, a->n)) ||
      (a->owners && (!(owners = answers_copy_pointers(a->owners, a->n)) ||
                     !(scores = answers_copy_ints(a->scores, a->n)) ||
                     !(degrees = answers_copy_ints(a->degrees, a->n))))) {
    free(clouds);
    free(owners);
    free(scores);
    free(degrees);
    icxd_answer_release(a);
    return 0;
  }
  __atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
  job->clouds_ref = a;
  icxd_job_set_answer(job, NULL);
  job->answer_xml = a->xml;
  job->answer_index = a->index;
  job->answer_ref = a;
  job->clouds = clouds;
  job->owners = owners;
  job->scores = scores;
  job->degrees = degrees;
  job->n_clouds = a->n;
  job->beyond_paper = a->beyond_paper;
  job->taken = 1;
  job->rc = ICX_OK;
  return 1;
}

void icxd_answers_keep(icxd_answers *t, const char *key, size_t key_len,
                       const icxd_store_state *state, icxd_job *job)
{
  icxd_answer *a;
  size_t i, bytes;

  if (!t || !state->token || job->rc != ICX_OK || job->kind != ICXD_JOB_MATCH ||
      job->n_clouds < ICXD_ANSWERS_MIN_CLOUDS || !job->answer_xml ||
      !job->answer_index || job->answer_ref || (job->want_owners && !job->owners))
    return;
  bytes = 2 * strlen(job->answer_xml) + key_len + job->n_clouds * (5 * sizeof(void *));
  for (i = 0; i < job->n_clouds; i++)
    bytes += strlen(job->clouds[i]) + 1 + 2 * sizeof(void *);
  if (bytes > __atomic_load_n(&t->max_bytes, __ATOMIC_RELAXED) ||
      !(a = calloc(1, sizeof *a)))
    return;
  a->state = *state;
  a->bytes = bytes;
  a->beyond_paper = job->beyond_paper;
  a->key_len = key_len;
  a->hash = icx_hash_bytes(key, key_len);
  /* The names (and owners) move in and are lent back to the job (as to
   * the jobs that take the answer), in arrays of the answer's own: the
   * job's, the loop may reorder and cut (presence). */
  if (!(a->key = malloc(key_len + 1)) ||
      !(a->clouds = answers_copy_pointers(job->clouds, job->n_clouds)) ||
      (job->owners && (!(a->owners = answers_copy_pointers(job->owners, job->n_clouds)) ||
                       !(a->scores = answers_copy_ints(job->scores, job->n_clouds)) ||
                       !(a->degrees = answers_copy_ints(job->degrees, job->n_clouds))))) {
    free(a->clouds);
    free(a->owners);
    a->clouds = a->owners = NULL;
    answer_free(a);           /* n is 0: frees the rest */
    return;
  }
  a->n = job->n_clouds;
  memcpy(a->key, key, key_len);
  a->key[key_len] = '\0';
  /* The answer's text and index move into it; the job refers to them. */
  a->xml = job->answer_xml;
  a->index = job->answer_index;
  pthread_mutex_lock(&t->lock);
  if (bytes > t->max_bytes) {   /* the bound went down meanwhile: undone */
    pthread_mutex_unlock(&t->lock);
    a->xml = NULL;
    a->index = NULL;
    free(a->clouds);            /* the strings stay the job's */
    free(a->owners);
    a->clouds = a->owners = NULL;
    a->n = 0;
    answer_free(a);             /* nobody else has seen it */
    return;
  }
  a->refs = 3;                  /* the table's, the job's answer's, and its
                                   clouds' */
  job->answer_ref = a;
  job->clouds_ref = a;
  while (t->n && (t->n == ICXD_ANSWERS_MAX || t->bytes + bytes > t->max_bytes))
    answers_drop(t, answers_oldest(t));
  a->used = ++t->tick;
  t->v[t->n++] = a;
  t->bytes += bytes;
  pthread_mutex_unlock(&t->lock);
}

void icxd_answers_get_stats(icxd_answers *t, icxd_answers_stats *out)
{
  memset(out, 0, sizeof *out);
  if (!t)
    return;
  pthread_mutex_lock(&t->lock);
  *out = t->stats;
  out->kept = t->n;
  out->bytes = t->bytes;
  pthread_mutex_unlock(&t->lock);
}

/* The store's state for kept answers: 0, or -1 when it cannot be read
 * (nothing is then taken or kept). */
static int answers_store_state(icx_store *store, icxd_store_state *st)
{
  memset(st, 0, sizeof *st);
  if (icx_store_change_last(store, &st->seq) || st->seq <= 0 ||
      icx_store_change_token(store, st->seq, &st->token) || !st->token ||
      (st->max_id = icx_store_max_id(store)) < 0)
    return -1;
  return 0;
}

void icxd_answers_match(icxd_answers *t, int *wanted, icx_ctx *ctx, icx_store *store,
                        const icx_constraints *set, icxd_job *job)
{
  icxd_store_state st;
  char *key = NULL, *text;
  size_t len = 0;
  icx_buf b;
  int known = 0;

  if (__atomic_load_n(wanted, __ATOMIC_RELAXED) &&
      !answers_store_state(store, &st) &&
      (text = icx_constraints_key(ctx, set, &len)) != NULL) {
    /* What else shapes the outputs: the vocabulary, and the owners. */
    icx_buf_init(&b, NULL);
    icx_buf_appendf(&b, "%llu\x1f%d\x1f",
                    (unsigned long long)icx_vocab_serial(icx_constraints_vocab(set)),
                    job->want_owners);
    icx_buf_append_len(&b, text, len);
    icx_free(ctx, text);
    len = b.len;
    known = (key = icx_buf_take(&b)) != NULL;
  }
  if (known && icxd_answers_take(t, key, len, &st, job)) {
    free(key);
    return;
  }
  icxd_job_run(ctx, store, set, job);
  if (job->rc == ICX_OK && job->n_clouds >= ICXD_ANSWERS_MIN_CLOUDS)
    __atomic_store_n(wanted, 1, __ATOMIC_RELAXED);
  if (known)
    icxd_answers_keep(t, key, len, &st, job);
  free(key);
}

/* icxd_subs_eval.c - standing requests on the writer thread: the jobs
 * (subscribe, unsubscribe, list, evaluate) and the evaluation of the
 * subscriptions a change may touch (icxd_subs.h).
 *
 * Subscriptions that ask the same are one shape (icxd_subs_internal.h):
 * a change evaluates each shape it can touch once, on the changed
 * documents alone, and tells every subscriber of the shapes whose answer
 * moved.  The shapes a change can touch are those the index finds by the
 * values the changed documents hold now (a cloud entering meets every
 * hard constraint) and those whose last answer holds a changed cloud (a
 * cloud leaving may meet none any more); the others are skipped. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <time.h>

#include "icx_store_ids.h"
#include "icx_scope.h"
#include "icx_store_subs.h"
#include "icxd_subs_internal.h"

void icxd_subs_fail(icxd_job *job, icx_rc rc, const char *msg)
{
  job->rc = rc;
  free(job->errmsg);
  job->errmsg = strdup(msg && *msg ? msg : icx_strerror(rc));
}

/* Compiles sh's request against vocab (sh->set NULL when it no longer
 * parses: it then answers nothing until the vocabulary takes it again). */
void icxd_subs_compile(icxd_subs *subs, icx_ctx *ctx, const icx_vocab *vocab,
                         icxd_subs_shape *sh)
{
  icxd_job tmp;

  icx_plan_free(sh->plan);
  sh->plan = NULL;
  icx_constraints_free(sh->set);
  sh->set = NULL;
  memset(&tmp, 0, sizeof tmp);
  tmp.xml = sh->request;
  tmp.xml_len = strlen(sh->request);
  if (icxd_job_constraints(ctx, vocab, &tmp, &sh->set) != ICX_OK)
    icxd_log(subs->log, ICXD_LOG_WARN, "subs",
             "subscription %lld no longer compiles: %s", sh->keeper,
             tmp.errmsg ? tmp.errmsg : "");
  free(tmp.errmsg);
  /* Without a plan (out of memory), the shape is matched whole. */
  if (sh->set && icx_plan_new(ctx, sh->set, &sh->plan) != ICX_OK)
    sh->plan = NULL;
  icxd_subs_index_free(subs->index);
  subs->index = NULL;
}

/* FNV-1a of request and presence. */
static unsigned long subs_shape_hash(const char *request, unsigned presence)
{
  unsigned long h = 2166136261ul ^ presence;

  for (; *request; request++)
    h = (h ^ (unsigned char)*request) * 16777619ul;
  return h;
}

/* The shape asking request with presence, or NULL. */
icxd_subs_shape *icxd_subs_shape_find(icxd_subs *subs, const char *request,
                                        unsigned presence)
{
  unsigned long h = subs_shape_hash(request, presence);
  size_t i;

  for (i = 0; i < subs->n_shapes; i++)
    if (subs->shapes[i]->hash == h && subs->shapes[i]->presence == presence &&
        strcmp(subs->shapes[i]->request, request) == 0)
      return subs->shapes[i];
  return NULL;
}

/* A new shape, registered (request copied), not compiled; NULL on ENOMEM. */
icxd_subs_shape *icxd_subs_shape_add(icxd_subs *subs, const char *request,
                                       unsigned presence)
{
  icxd_subs_shape *sh;

  if (subs->n_shapes == subs->cap_shapes) {
    size_t ncap = subs->cap_shapes ? subs->cap_shapes * 2 : 16;
    icxd_subs_shape **nv = realloc(subs->shapes, ncap * sizeof *nv);
    if (!nv)
      return NULL;
    subs->shapes = nv;
    subs->cap_shapes = ncap;
  }
  if (!(sh = calloc(1, sizeof *sh)) || !(sh->request = strdup(request))) {
    free(sh);
    return NULL;
  }
  sh->presence = presence;
  sh->hash = subs_shape_hash(request, presence);
  subs->shapes[subs->n_shapes++] = sh;
  icxd_subs_index_free(subs->index);
  subs->index = NULL;
  return sh;
}

/* Drops sh from the registry and frees it. */
void icxd_subs_shape_drop(icxd_subs *subs, icxd_subs_shape *sh)
{
  size_t i;

  for (i = 0; i < subs->n_shapes; i++)
    if (subs->shapes[i] == sh) {
      subs->shapes[i] = subs->shapes[--subs->n_shapes];
      break;
    }
  icxd_subs_shape_free(sh);
  icxd_subs_index_free(subs->index);
  subs->index = NULL;
}

/* The options column: the presence a subscription requires. */
void icxd_subs_options(unsigned presence, char *buf, size_t len)
{
  if (presence)
    snprintf(buf, len, "presence=%u", presence);
  else
    buf[0] = '\0';
}

unsigned icxd_subs_options_presence(const char *options)
{
  unsigned v = 0;

  if (options && sscanf(options, "presence=%u", &v) == 1)
    return v;
  return 0;
}

/* --- which clouds a change touches -------------------------------------- */

/* What one change may have changed (icxd_subs_change): every cloud
 * (full), or the clouds named (those of the written documents before and
 * after), and whether only presence changed (then only shapes asking for
 * one can change).  Another process's writes (icx load, icx remove) are
 * read from the store's change log (icxd_subs_log.c); they count as full
 * only when the log cannot say which documents changed. */

int icxd_subs_change_clouds(icxd_subs_change *c, char *const *before,
                              size_t n_before, char *const *after,
                              size_t n_after)
{
  size_t i, n = 0;

  memset(c, 0, sizeof *c);
  c->clouds = calloc(n_before + n_after + 1, sizeof *c->clouds);
  if (!c->clouds)
    return -1;
  for (i = 0; i < n_before + n_after; i++) {
    const char *name = i < n_before ? before[i] : after[i - n_before];
    if (!(c->clouds[n] = strdup(name))) {
      icxd_subs_names_free(c->clouds, n);
      c->clouds = NULL;
      return -1;
    }
    n++;
  }
  c->n_clouds = icxd_subs_names_unique(c->clouds, n);
  return 0;
}

/* --- evaluation ------------------------------------------------------------ */

/* 1 if cloud's owner shows a state sh accepts. */
static int subs_present(icxd_subs *subs, icx_store *store,
                        const icx_vocab *vocab, const icxd_subs_shape *e,
                        const char *cloud)
{
  char *owner = NULL;
  icxd_show show;

  if (icx_store_cloud_owner(store, vocab, cloud, &owner) != ICX_OK)
    return 0;
  show = icxd_subs_presence_of(subs, owner);
  free(owner);
  return (e->presence & (1u << show)) != 0;
}

typedef struct subs_names {
  char **v;
  size_t n, cap;
  int nomem;
} subs_names;

static int subs_names_add(void *ud, const char *name)
{
  subs_names *ns = ud;

  if (ns->n == ns->cap) {
    size_t ncap = ns->cap ? ns->cap * 2 : 8;
    char **nv = realloc(ns->v, (ncap + 1) * sizeof *nv);
    if (!nv) {
      ns->nomem = 1;
      return 1;
    }
    ns->v = nv;
    ns->cap = ncap;
  }
  if (!(ns->v[ns->n] = strdup(name))) {
    ns->nomem = 1;
    return 1;
  }
  ns->n++;
  return 0;
}

/* The clouds of c's scope in e's answer (the plan run on the changed
 * documents alone), into ns.  ICX_OK, or ICX_ERR_QUERY when e has no
 * typed plan (match the whole store instead). */
static icx_rc subs_answer_scoped(icx_ctx *ctx, const icxd_subs_shape *e,
                                 const icxd_subs_change *c, subs_names *ns)
{
  icx_rc rc;

  if (!e->plan || !icx_plan_typed(e->plan))
    return ICX_ERR_QUERY;
  rc = icx_scope_match(ctx, c->scope, e->plan, subs_names_add, ns);
  if (rc == ICX_OK && ns->nomem)
    rc = ICX_ERR_NOMEM;
  return rc;
}

/* The clouds in e's answer now, among the clouds of c (all when c->full),
 * into a new sorted array.  ICX_OK, or the engine's error. */
icx_rc icxd_subs_answer(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                          const icx_vocab *vocab, const icxd_subs_shape *e,
                          const icxd_subs_change *c, char ***out, size_t *n_out)
{
  icx_match *m = NULL;
  char **v = NULL;
  size_t i, n = 0;
  icx_rc rc;

  *out = NULL;
  *n_out = 0;
  if (!e->set)
    return ICX_OK;
  if (!c->full && c->scope) {
    subs_names ns;
    memset(&ns, 0, sizeof ns);
    rc = subs_answer_scoped(ctx, e, c, &ns);
    if (rc == ICX_OK) {
      subs->scoped++;
      for (i = 0; i < ns.n; i++) {
        if (!icxd_subs_names_has(c->clouds, c->n_clouds, ns.v[i]) ||
            (e->presence && !subs_present(subs, store, vocab, e, ns.v[i]))) {
          free(ns.v[i]);
          continue;
        }
        ns.v[n++] = ns.v[i];
      }
      if (!ns.v && !(ns.v = calloc(1, sizeof *ns.v)))
        return ICX_ERR_NOMEM;
      *out = ns.v;
      *n_out = icxd_subs_names_unique(ns.v, n);
      return ICX_OK;
    }
    icxd_subs_names_free(ns.v, ns.n);
    if (rc != ICX_ERR_QUERY)
      return rc;
  }
  subs->full++;
  if ((rc = icx_match_run(ctx, store, e->set, &m)) != ICX_OK)
    return rc;
  v = calloc(icx_match_count(m) + 1, sizeof *v);
  if (!v) {
    icx_match_free(m);
    return ICX_ERR_NOMEM;
  }
  for (i = 0; i < icx_match_count(m); i++) {
    const char *name = icx_match_cloud(m, i);
    if (!c->full && !icxd_subs_names_has(c->clouds, c->n_clouds, name))
      continue;
    if (e->presence && !subs_present(subs, store, vocab, e, name))
      continue;
    if (!(v[n] = strdup(name))) {
      icxd_subs_names_free(v, n);
      icx_match_free(m);
      return ICX_ERR_NOMEM;
    }
    n++;
  }
  icx_match_free(m);
  *out = v;
  *n_out = icxd_subs_names_unique(v, n);
  return ICX_OK;
}

/* Makes e's answer in memory the one the store keeps (under its keeper)
 * for the clouds change c can move (all of them when c is full): another
 * instance serving the same store may have evaluated this change first,
 * written the answer and told the subscribers; then nothing is left to
 * tell here.  Called inside the evaluation's transaction, so that no
 * other writer comes between this read and the write that follows.  On a
 * failure the answer in memory stays (logged). */
static void subs_eval_sync(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                           icxd_subs_shape *e, const icxd_subs_change *c)
{
  char **v = NULL, *text = NULL;
  size_t n = 0, i, k;
  int *has = NULL;
  icx_rc rc;

  if (c->full) {
    rc = icx_store_subs_answer(store, e->keeper, &text);
    if (rc == ICX_OK && icxd_subs_names_split(text, &v, &n) == 0) {
      icxd_subs_names_free(e->answer, e->n_answer);
      e->answer = v;
      e->n_answer = n;
    }
    icx_free(ctx, text);   /* the store's context */
    goto done;
  }
  if (!c->n_clouds)
    return;
  if (!(has = calloc(c->n_clouds, sizeof *has)) ||
      !(v = calloc(e->n_answer + c->n_clouds + 1, sizeof *v))) {
    rc = ICX_ERR_NOMEM;
    goto done;
  }
  rc = icx_store_subs_answer_has(store, e->keeper, (const char *const *)c->clouds,
                                 c->n_clouds, has);
  if (rc != ICX_OK)
    goto done;
  /* Kept: the answer's names but those the store no longer has; added:
   * those it has that the answer lacks. */
  for (i = 0; i < e->n_answer; i++) {
    char **hit = bsearch(&e->answer[i], c->clouds, c->n_clouds, sizeof *hit,
                         icxd_subs_cmp_names);
    if (hit && !has[hit - c->clouds])
      free(e->answer[i]);
    else
      v[n++] = e->answer[i];
  }
  for (k = 0; k < c->n_clouds; k++)
    if (has[k] && !icxd_subs_names_has(e->answer, e->n_answer, c->clouds[k])) {
      if (!(v[n] = strdup(c->clouds[k])))
        break;
      n++;
    }
  free(e->answer);
  e->answer = v;
  e->n_answer = icxd_subs_names_unique(v, n);
  v = NULL;
done:
  if (rc != ICX_OK)
    icxd_log(subs->log, ICXD_LOG_WARN, "subs",
             "subscription %lld: cannot read its answer kept in the store "
             "(another instance may tell this change too): %s", e->keeper,
             rc == ICX_ERR_NOMEM ? "out of memory"
             : *icx_ctx_errmsg(ctx) ? icx_ctx_errmsg(ctx) : icx_strerror(rc));
  if (!c->full)
    free(v);
  free(has);
}

/* Evaluates shape e for change c: the clouds of c that entered and left
 * its answer go to e->entered (lent by the new answer) and e->left
 * (owned), for its subscribers to be told, and the new answer is kept (in
 * memory and, as rows of its keeper, in the store). */
static void subs_eval_shape(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                            const icx_vocab *vocab, icxd_subs_shape *e,
                            const icxd_subs_change *c)
{
  char **now = NULL, **entered = NULL, **left = NULL, **next = NULL;
  size_t n_now = 0, n_entered = 0, n_left = 0, n_next = 0, i, j, l;
  icx_rc rc;

  subs_eval_sync(subs, ctx, store, e, c);
  rc = icxd_subs_answer(subs, ctx, store, vocab, e, c, &now, &n_now);
  if (rc != ICX_OK) {
    icxd_log(subs->log, ICXD_LOG_WARN, "subs",
             "subscription %lld: evaluation failed: %s", e->keeper,
             *icx_ctx_errmsg(ctx) ? icx_ctx_errmsg(ctx) : icx_strerror(rc));
    return;
  }
  entered = calloc(n_now + 1, sizeof *entered);
  left = calloc((c->full ? e->n_answer : c->n_clouds) + 1, sizeof *left);
  if (!entered || !left)
    goto nomem;
  /* Entered: now, not before.  Left: before, among the clouds the change
   * touched, not now; looked for among those clouds only (a scoped
   * change costs its clouds, not the answer's size), in the answer's
   * order. */
  for (i = 0; i < n_now; i++)
    if (!icxd_subs_names_has(e->answer, e->n_answer, now[i]))
      entered[n_entered++] = now[i];
  if (c->full) {
    for (i = 0; i < e->n_answer; i++)
      if (!icxd_subs_names_has(now, n_now, e->answer[i]))
        left[n_left++] = e->answer[i];
  } else {
    for (i = 0; i < c->n_clouds; i++) {
      char **hit;
      if (icxd_subs_names_has(now, n_now, c->clouds[i]) || !e->n_answer)
        continue;
      hit = bsearch(&c->clouds[i], e->answer, e->n_answer, sizeof *hit,
                    icxd_subs_cmp_names);
      if (hit)
        left[n_left++] = *hit;
    }
  }
  if (!n_entered && !n_left) {
    free(entered);
    free(left);
    icxd_subs_names_free(now, n_now);
    return;
  }
  /* The next answer: the old one without those that left, merged with
   * those that entered (both sorted); strings move, none is copied. */
  next = malloc((e->n_answer + n_entered + 1) * sizeof *next);
  if (!next)
    goto nomem;
  for (i = 0, j = 0, l = 0; i < e->n_answer || j < n_entered;) {
    if (i < e->n_answer && l < n_left && e->answer[i] == left[l]) {
      i++, l++;
    } else if (j >= n_entered ||
               (i < e->n_answer && strcmp(e->answer[i], entered[j]) < 0)) {
      next[n_next++] = e->answer[i++];
    } else {
      next[n_next++] = entered[j++];
    }
  }
  if (icx_store_subs_answer_edit(store, e->keeper,
                                 (const char *const *)entered, n_entered,
                                 (const char *const *)left, n_left) != ICX_OK)
    icxd_log(subs->log, ICXD_LOG_WARN, "subs",
             "subscription %lld: cannot keep its answer: %s", e->keeper,
             icx_ctx_errmsg(ctx));
  /* Strings: those of now that did not enter were already in the answer
   * (the answer's copy stays); the left ones stay until told. */
  for (i = 0, j = 0; i < n_now; i++) {
    if (j < n_entered && now[i] == entered[j])
      j++;
    else
      free(now[i]);
  }
  free(now);
  free(e->answer);
  e->answer = next;
  e->n_answer = n_next;
  e->entered = entered;
  e->n_entered = n_entered;
  e->left = left;
  e->n_left = n_left;
  return;
nomem:
  icxd_log(subs->log, ICXD_LOG_ERROR, "subs",
           "subscription %lld: out of memory evaluating it", e->keeper);
  free(entered);
  free(left);
  free(next);
  icxd_subs_names_free(now, n_now);
}

/* Marks the shapes change c can touch (cand). */
static void subs_candidates(icxd_subs *subs, const icxd_subs_change *c)
{
  size_t i, k;

  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    sh->cand = c->presence_only ? sh->presence != 0 : c->full;
  }
  if (c->full || c->presence_only)
    return;
  if (!c->scope) {
    /* No scope: matched whole, every shape. */
    for (i = 0; i < subs->n_shapes; i++)
      subs->shapes[i]->cand = 1;
    return;
  }
  if (!subs->index)
    subs->index = icxd_subs_index_new(subs);
  if (subs->index) {
    icxd_subs_index_probe(subs->index, c->scope);
  } else {
    for (i = 0; i < subs->n_shapes; i++)
      subs->shapes[i]->cand = 1;
  }
  /* Leaving: a changed cloud in a shape's last answer. */
  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    for (k = 0; !sh->cand && sh->n_answer && k < c->n_clouds; k++)
      sh->cand = icxd_subs_names_has(sh->answer, sh->n_answer, c->clouds[k]);
  }
}

/* Tells the subscribers of every shape an evaluation moved, and forgets
 * what it moved. */
void icxd_subs_tell(icxd_subs *subs)
{
  size_t i;

  if (!subs->pending)
    return;
  subs->pending = 0;
  /* Told in the subscriptions' order, each handed to the loop as it is
   * made (waiting for room in the outbox); the text after the id is made
   * once per shape and shared. */
  for (i = 0; i < subs->n; i++) {
    icxd_subs_shape *sh = subs->v[i].shape;
    if (!sh->n_entered && !sh->n_left)
      continue;
    if (!sh->tail &&
        !(sh->tail = icxd_subs_tail_new(sh->entered, sh->n_entered, sh->left,
                                        sh->n_left))) {
      icxd_log(subs->log, ICXD_LOG_ERROR, "subs",
               "out of memory: a notification of subscription %lld is lost",
               subs->v[i].id);
      continue;
    }
    icxd_subs_notify(subs, &subs->v[i], sh->tail, 1);
  }
  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    size_t l;
    icxd_subs_tail_release(subs, sh->tail);
    sh->tail = NULL;
    for (l = 0; l < sh->n_left; l++)
      free(sh->left[l]);
    free(sh->left);
    free(sh->entered);
    sh->left = sh->entered = NULL;
    sh->n_left = sh->n_entered = 0;
  }
}

int icxd_subs_hold(icxd_subs *subs, icx_store *store)
{
  if (subs->held || icx_store_subs_begin(store) != ICX_OK)
    return 0;
  subs->held = 1;
  return 1;
}

void icxd_subs_unhold(icxd_subs *subs, icx_store *store, int took)
{
  if (took) {
    subs->held = 0;
    if (icx_store_subs_end(store, 1) != ICX_OK)
      icxd_log(subs->log, ICXD_LOG_WARN, "subs",
               "the answers of this change are not kept: %s",
               icx_ctx_errmsg(icx_store_ctx(store)));
  }
  /* Told once the lock is let go: waiting for room in the outbox never
   * holds another writer back. */
  if (!subs->held)
    icxd_subs_tell(subs);
}

/* Evaluates every shape c may touch, and tells their subscribers (once
 * the store is let go, icxd_subs_unhold()). */
void icxd_subs_eval(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                      const icx_vocab *vocab, const icxd_subs_change *c)
{
  size_t i, moved = 0;
  int tx;

  /* What earlier changes could not tell goes first; so does what an
   * evaluation in this hold moved and has not told yet (never the case
   * in icxd's jobs: one evaluation per hold). */
  icxd_subs_tell_missed(subs);
  icxd_subs_tell(subs);
  subs_candidates(subs, c);
  /* The answers kept after this change: one commit for all of them
   * (the caller's, when it holds the store). */
  tx = icxd_subs_hold(subs, store);
  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    if (!sh->cand)
      continue;
    subs_eval_shape(subs, ctx, store, vocab, sh, c);
    moved += sh->n_entered || sh->n_left;
  }
  if (moved)
    subs->pending = 1;
  icxd_subs_unhold(subs, store, tx);
}


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

static void subs_fail(icxd_job *job, icx_rc rc, const char *msg)
{
  job->rc = rc;
  free(job->errmsg);
  job->errmsg = strdup(msg && *msg ? msg : icx_strerror(rc));
}

/* Compiles sh's request against vocab (sh->set NULL when it no longer
 * parses: it then answers nothing until the vocabulary takes it again). */
static void subs_compile(icxd_subs *subs, icx_ctx *ctx, const icx_vocab *vocab,
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
static icxd_subs_shape *subs_shape_find(icxd_subs *subs, const char *request,
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
static icxd_subs_shape *subs_shape_add(icxd_subs *subs, const char *request,
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
static void subs_shape_drop(icxd_subs *subs, icxd_subs_shape *sh)
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
static void subs_options(unsigned presence, char *buf, size_t len)
{
  if (presence)
    snprintf(buf, len, "presence=%u", presence);
  else
    buf[0] = '\0';
}

static unsigned subs_options_presence(const char *options)
{
  unsigned v = 0;

  if (options && sscanf(options, "presence=%u", &v) == 1)
    return v;
  return 0;
}

/* --- which clouds a change touches -------------------------------------- */

/* What one change may have changed: every cloud (full), or the clouds
 * named (the clouds of a document before and after a write), and whether
 * only presence changed (then only subscriptions asking for one can
 * change).  The CLI's writes (icx load, icx remove) are seen only as a
 * new store generation, which says nothing of which documents changed:
 * they count as full.  This is the one place that decides it. */
typedef struct subs_change {
  int full;
  int presence_only;
  char **clouds;             /* sorted, unique; owned */
  size_t n_clouds;
  icx_scope *scope;          /* the documents now describing them, or NULL */
} subs_change;

static int subs_change_clouds(subs_change *c, char *const *before,
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
                                 const subs_change *c, subs_names *ns)
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
static icx_rc subs_answer(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                          const icx_vocab *vocab, const icxd_subs_shape *e,
                          const subs_change *c, char ***out, size_t *n_out)
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

/* Evaluates shape e for change c: the clouds of c that entered and left
 * its answer go to e->entered (lent by the new answer) and e->left
 * (owned), for its subscribers to be told, and the new answer is kept (in
 * memory and, as rows of its keeper, in the store). */
static void subs_eval_shape(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                            const icx_vocab *vocab, icxd_subs_shape *e,
                            const subs_change *c)
{
  char **now = NULL, **entered = NULL, **left = NULL, **next = NULL;
  size_t n_now = 0, n_entered = 0, n_left = 0, n_next = 0, i, j, l;
  icx_rc rc;

  rc = subs_answer(subs, ctx, store, vocab, e, c, &now, &n_now);
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
static void subs_candidates(icxd_subs *subs, const subs_change *c)
{
  size_t i, k;

  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    sh->cand = c->full || (c->presence_only && sh->presence);
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

/* Evaluates every shape c may touch, and tells their subscribers. */
static void subs_eval(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                      const icx_vocab *vocab, const subs_change *c)
{
  size_t i, moved = 0;
  int tx;

  subs_candidates(subs, c);
  /* The answers kept after this change: one commit for all of them. */
  tx = icx_store_subs_begin(store) == ICX_OK;
  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    if (!sh->cand)
      continue;
    subs_eval_shape(subs, ctx, store, vocab, sh, c);
    moved += sh->n_entered || sh->n_left;
  }
  if (tx && icx_store_subs_end(store, 1) != ICX_OK)
    icxd_log(subs->log, ICXD_LOG_WARN, "subs",
             "the answers of this change are not kept: %s",
             icx_ctx_errmsg(ctx));
  if (!moved)
    return;
  /* Told in the subscriptions' order. */
  for (i = 0; i < subs->n; i++) {
    const icxd_subs_shape *sh = subs->v[i].shape;
    if (sh->n_entered || sh->n_left)
      icxd_subs_notify(subs, &subs->v[i], sh->entered, sh->n_entered, sh->left,
                       sh->n_left);
  }
  for (i = 0; i < subs->n_shapes; i++) {
    icxd_subs_shape *sh = subs->shapes[i];
    size_t l;
    for (l = 0; l < sh->n_left; l++)
      free(sh->left[l]);
    free(sh->left);
    free(sh->entered);
    sh->left = sh->entered = NULL;
    sh->n_left = sh->n_entered = 0;
  }
}

/* --- the store's generation, for writers outside icxd -------------------- */

/* The data version the watch handle reads now; -1 when unknown. */
static long long subs_generation(icxd_subs *subs, icx_ctx *ctx)
{
  icx_store_gen g;
  int began;

  if (!subs->watch &&
      icx_store_open(ctx, subs->store_path, ICX_STORE_READONLY,
                     &subs->watch) != ICX_OK) {
    subs->watch = NULL;
    return -1;
  }
  began = icx_store_read_begin(subs->watch);
  if (icx_store_generation(subs->watch, &g) != 0)
    g.version = -1;
  (void)icx_store_read_end(subs->watch, began, ICX_OK);
  return g.version;
}

/* After a write of our own: what the watch reads now is ours.  (A commit
 * of another process landing between our commit and this read is taken
 * for ours: the store's change log, when there is one, closes that gap.) */
static void subs_absorb(icxd_subs *subs, icx_ctx *ctx)
{
  long long g = subs_generation(subs, ctx);

  subs->seen = g;
  subs->have_seen = g >= 0;
}

/* --- loading --------------------------------------------------------------- */

static icxd_sub *subs_append(icxd_subs *subs)
{
  if (subs->n == subs->cap) {
    size_t ncap = subs->cap ? subs->cap * 2 : 16;
    icxd_sub *nv = realloc(subs->v, ncap * sizeof *nv);
    if (!nv)
      return NULL;
    subs->v = nv;
    subs->cap = ncap;
  }
  memset(&subs->v[subs->n], 0, sizeof subs->v[subs->n]);
  return &subs->v[subs->n++];
}

/* Drops every subscription and shape held (not the store's). */
static void subs_forget(icxd_subs *subs)
{
  size_t i;

  for (i = 0; i < subs->n; i++)
    icxd_subs_entry_clear(&subs->v[i]);
  subs->n = 0;
  icxd_subs_shapes_clear(subs);
}

/* Reads the subscriptions from store on first use, groups them in shapes,
 * compiles those, and evaluates them all (the store may have changed
 * while icxd was down); compiles them again when the vocabulary changed
 * (a reload).  A shape's answer is its keeper's (the first of its
 * subscriptions by id); one kept as text by an older icxd becomes rows.
 * 0, or -1 with job failed. */
static int subs_ready(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                      const icx_vocab *vocab, icxd_job *job)
{
  icx_sub_row *rows = NULL;
  size_t n = 0, i;
  icx_rc rc;

  if (subs->loaded) {
    if (subs->vocab != vocab) {
      for (i = 0; i < subs->n_shapes; i++)
        subs_compile(subs, ctx, vocab, subs->shapes[i]);
      subs->vocab = vocab;
    }
    return 0;
  }
  if ((rc = icx_store_subs_list(store, NULL, &rows, &n)) != ICX_OK) {
    if (job)
      subs_fail(job, rc, icx_ctx_errmsg(ctx));
    return -1;
  }
  subs->vocab = vocab;
  for (i = 0; i < n; i++) {
    unsigned presence = subs_options_presence(rows[i].options);
    icxd_subs_shape *sh = subs_shape_find(subs, rows[i].request, presence);
    icxd_sub *e;
    if (!sh && (sh = subs_shape_add(subs, rows[i].request, presence))) {
      sh->keeper = rows[i].id;
      if (icxd_subs_names_split(rows[i].answer, &sh->answer, &sh->n_answer) != 0) {
        sh->answer = NULL;
        sh->n_answer = 0;
      }
      subs_compile(subs, ctx, vocab, sh);
      if (!rows[i].answer_rows && sh->n_answer &&
          icx_store_subs_set_answer(store, sh->keeper, rows[i].answer) != ICX_OK)
        icxd_log(subs->log, ICXD_LOG_WARN, "subs",
                 "subscription %lld: its answer stays as text: %s", sh->keeper,
                 icx_ctx_errmsg(ctx));
    }
    if (!sh || !(e = subs_append(subs))) {
      icx_store_subs_free_rows(rows, n);
      subs_forget(subs);
      if (job)
        subs_fail(job, ICX_ERR_NOMEM, NULL);
      return -1;
    }
    e->id = rows[i].id;
    e->jid = rows[i].jid;
    e->created = rows[i].created;
    rows[i].jid = rows[i].created = NULL;
    e->shape = sh;
    sh->members++;
  }
  icx_store_subs_free_rows(rows, n);
  subs->loaded = 1;
  if (subs->n) {
    subs_change all;
    memset(&all, 0, sizeof all);
    all.full = 1;
    icxd_log(subs->log, ICXD_LOG_INFO, "subs",
             "%zu subscriptions in %zu shapes read from the store", subs->n,
             subs->n_shapes);
    subs_eval(subs, ctx, store, vocab, &all);
  }
  return 0;
}

/* --- jobs ----------------------------------------------------------------- */

static size_t subs_count_jid(icxd_subs *subs, const char *jid)
{
  size_t i, n = 0;

  for (i = 0; i < subs->n; i++)
    n += strcasecmp(subs->v[i].jid, jid) == 0;
  return n;
}

/* The answer of a subscribe: the paper's <matchingClouds> inside ours. */
static char *subs_subscribed_xml(const icxd_sub *e)
{
  char *buf = NULL;
  size_t len = 0, i;
  FILE *f = open_memstream(&buf, &len);

  if (!f)
    return NULL;
  fprintf(f, "<subscribed xmlns='" ICXD_NS_MATCHES "' subscription='%lld'>"
             "<matchingClouds xmlns='" ICX_CONSTRAINTS_NS "'>", e->id);
  for (i = 0; i < e->shape->n_answer; i++) {
    fputs("<cloudName>", f);
    icxd_subs_xml_escape(f, e->shape->answer[i]);
    fputs("</cloudName>", f);
  }
  fputs("</matchingClouds></subscribed>", f);
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

static void subs_subscribe(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                           const icx_vocab *vocab, icxd_job *job)
{
  unsigned max_total, max_per_jid, presence;
  char msg[300], options[64];
  icx_constraints *set = NULL;
  icxd_subs_shape *sh;
  icxd_sub tmp, *e;
  char *request;
  int fresh = 0;
  icx_rc rc;

  pthread_mutex_lock(&subs->lock);
  max_total = subs->max_total;
  max_per_jid = subs->max_per_jid;
  pthread_mutex_unlock(&subs->lock);
  if (max_per_jid && subs_count_jid(subs, job->actor) >= max_per_jid) {
    snprintf(msg, sizeof msg, "too many subscriptions of this account: at "
             "most %u per account (max_subscriptions_per_jid); unsubscribe "
             "one first", max_per_jid);
    subs_fail(job, ICX_ERR_LIMIT, msg);
    return;
  }
  if (max_total && subs->n >= max_total) {
    snprintf(msg, sizeof msg, "too many subscriptions at the exchange: at "
             "most %u (max_subscriptions)", max_total);
    subs_fail(job, ICX_ERR_LIMIT, msg);
    return;
  }
  /* Compiled to say what is wrong with it; kept only for a new shape. */
  if (icxd_job_constraints(ctx, vocab, job, &set) != ICX_OK)
    return;   /* job->rc and errmsg say why */
  presence = job->presence_on && job->presence_required ? job->presence_accept : 0;
  memset(&tmp, 0, sizeof tmp);
  request = strndup(job->xml, job->xml_len);
  tmp.jid = strdup(job->actor);
  if (!request || !tmp.jid) {
    icx_constraints_free(set);
    free(request);
    icxd_subs_entry_clear(&tmp);
    subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  /* A shape asked already has its answer, current: every change was
   * evaluated on it.  A new one is matched on the whole store. */
  if (!(sh = subs_shape_find(subs, request, presence))) {
    subs_change all;
    memset(&all, 0, sizeof all);
    all.full = 1;
    if (!(sh = subs_shape_add(subs, request, presence))) {
      icx_constraints_free(set);
      free(request);
      icxd_subs_entry_clear(&tmp);
      subs_fail(job, ICX_ERR_NOMEM, NULL);
      return;
    }
    fresh = 1;
    sh->set = set;
    set = NULL;
    if (icx_plan_new(ctx, sh->set, &sh->plan) != ICX_OK)
      sh->plan = NULL;   /* matched whole at each change */
    rc = subs_answer(subs, ctx, store, vocab, sh, &all, &sh->answer, &sh->n_answer);
    if (rc != ICX_OK)
      goto fail;
  }
  icx_constraints_free(set);
  free(request);
  subs_options(presence, options, sizeof options);
  if ((rc = icx_store_subs_add(store, tmp.jid, sh->request, options, NULL, &tmp.id)) !=
      ICX_OK)
    goto fail;
  if (fresh) {
    char *joined = icxd_subs_names_join(sh->answer, sh->n_answer);
    sh->keeper = tmp.id;
    rc = joined ? icx_store_subs_set_answer(store, tmp.id, joined) : ICX_ERR_NOMEM;
    free(joined);
    if (rc != ICX_OK) {
      (void)icx_store_subs_remove(store, tmp.id, NULL);
      goto fail;
    }
  }
  {
    /* As the store wrote it (icx_store_subs.c), for listing. */
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    tmp.created = strdup(when);
  }
  if (!(e = subs_append(subs))) {
    /* Kept in the store: read again at the next start. */
    subs_fail(job, ICX_ERR_NOMEM, NULL);
    icxd_subs_entry_clear(&tmp);
    if (fresh)
      subs_shape_drop(subs, sh);
    return;
  }
  tmp.shape = sh;
  sh->members++;
  *e = tmp;
  job->answer_xml = subs_subscribed_xml(e);
  if (!job->answer_xml) {
    subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  job->n_clouds = 0;
  job->rc = ICX_OK;
  icxd_log(subs->log, ICXD_LOG_INFO, "subs",
           "%s subscribed: subscription %lld, %zu clouds now", e->jid, e->id,
           sh->n_answer);
  return;
fail:
  subs_fail(job, rc, icx_ctx_errmsg(ctx));
  icxd_subs_entry_clear(&tmp);
  if (fresh)
    subs_shape_drop(subs, sh);
}

/* Removes subscription e (of the registry) from the store: its shape's
 * answer moves to another subscriber first when e keeps it. */
static icx_rc subs_remove_one(icxd_subs *subs, icx_store *store, const icxd_sub *e)
{
  icxd_subs_shape *sh = e->shape;
  icx_rc rc;
  size_t i;

  if (sh->keeper == e->id && sh->members > 1) {
    long long next = 0;
    for (i = 0; i < subs->n; i++)
      if (subs->v[i].shape == sh && subs->v[i].id != e->id &&
          (!next || subs->v[i].id < next))
        next = subs->v[i].id;
    if ((rc = icx_store_subs_answer_move(store, e->id, next)) != ICX_OK)
      return rc;
    sh->keeper = next;
  }
  rc = icx_store_subs_remove(store, e->id, NULL);
  return rc == ICX_ERR_NOT_FOUND ? ICX_OK : rc;
}

static void subs_unsubscribe(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                             icxd_job *job)
{
  size_t i, o, removed = 0;
  char msg[200];
  icx_rc rc;

  if (job->sub_id > 0) {
    for (i = 0; i < subs->n; i++)
      if (subs->v[i].id == job->sub_id &&
          strcasecmp(subs->v[i].jid, job->actor) == 0)
        break;
    if (i == subs->n) {
      snprintf(msg, sizeof msg, "no subscription %lld of yours",
               job->sub_id);
      subs_fail(job, ICX_ERR_NOT_FOUND, msg);
      return;
    }
  }
  /* Each one in the store first (as the store spells the JID), then out
   * of the registry: a failure leaves the registry as the store is. */
  for (i = 0, o = 0; i < subs->n; i++) {
    icxd_sub *e = &subs->v[i];
    if (strcasecmp(e->jid, job->actor) == 0 &&
        (job->sub_id <= 0 || e->id == job->sub_id)) {
      if ((rc = subs_remove_one(subs, store, e)) != ICX_OK) {
        subs_fail(job, rc, icx_ctx_errmsg(ctx));
        for (; i < subs->n; i++)
          subs->v[o++] = subs->v[i];
        subs->n = o;
        return;
      }
      if (--e->shape->members == 0)
        subs_shape_drop(subs, e->shape);
      e->shape = NULL;
      icxd_subs_entry_clear(e);
      removed++;
    } else {
      subs->v[o++] = *e;
    }
  }
  subs->n = o;
  job->answer_xml = malloc(120);
  if (job->answer_xml)
    snprintf(job->answer_xml, 120,
             "<unsubscribed xmlns='" ICXD_NS_MATCHES "' count='%zu'/>",
             removed);
  else {
    subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  job->rc = ICX_OK;
  icxd_log(subs->log, ICXD_LOG_INFO, "subs", "%s: %zu subscription%s ended",
           job->actor, removed, removed == 1 ? "" : "s");
}

static void subs_list(icxd_subs *subs, icxd_job *job)
{
  char *buf = NULL;
  size_t len = 0, i, k;
  FILE *f = open_memstream(&buf, &len);

  if (!f) {
    subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  fputs("<subscriptions xmlns='" ICXD_NS_MATCHES "'>", f);
  for (i = 0; i < subs->n; i++) {
    const icxd_sub *e = &subs->v[i];
    if (strcasecmp(e->jid, job->actor) != 0)
      continue;
    fprintf(f, "<subscription id='%lld' created='%s' clouds='%zu'>", e->id,
            e->created ? e->created : "", e->shape->n_answer);
    for (k = 0; k < e->shape->n_answer; k++) {
      fputs("<cloudName>", f);
      icxd_subs_xml_escape(f, e->shape->answer[k]);
      fputs("</cloudName>", f);
    }
    fputs("</subscription>", f);
  }
  fputs("</subscriptions>", f);
  if (fclose(f) != 0) {
    free(buf);
    subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  job->answer_xml = buf;
  job->rc = ICX_OK;
}

void icxd_subs_run(icxd_subs *subs, icx_ctx *ctx, const icx_vocab *vocab,
                   icxd_job *job)
{
  icx_store *store = NULL;
  icx_rc rc;

  if (job->kind == ICXD_JOB_SUBS_EVAL && subs->loaded &&
      subs->vocab == vocab && !(job->subs_eval & ICXD_SUBS_EVAL_PRESENCE)) {
    /* A look at the generation alone: the store is opened for writing
     * only when another process wrote. */
    long long g = subs_generation(subs, ctx);
    if (!subs->n || (subs->have_seen && g == subs->seen)) {
      job->rc = ICX_OK;
      return;
    }
  }
  if (job->kind == ICXD_JOB_SUBS_EVAL && access(subs->store_path, F_OK) != 0) {
    /* No store, so no subscription to evaluate: an evaluation never
     * makes the file (a root with no clouds of its own has none, and
     * an exchange whose account may not write must not need one). */
    job->rc = ICX_OK;
    return;
  }
  rc = icx_store_open(ctx, subs->store_path, ICX_STORE_CREATE, &store);
  if (rc != ICX_OK) {
    subs_fail(job, rc, icx_ctx_errmsg(ctx));
    return;
  }
  if (subs_ready(subs, ctx, store, vocab, job) != 0)
    goto done;
  switch (job->kind) {
  case ICXD_JOB_SUBSCRIBE:
    subs_subscribe(subs, ctx, store, vocab, job);
    break;
  case ICXD_JOB_UNSUBSCRIBE:
    subs_unsubscribe(subs, ctx, store, job);
    break;
  case ICXD_JOB_SUBS_LIST:
    subs_list(subs, job);
    break;
  case ICXD_JOB_SUBS_EVAL: {
    subs_change c;
    memset(&c, 0, sizeof c);
    c.full = 1;
    if (job->subs_eval & ICXD_SUBS_EVAL_STORE) {
      long long g = subs_generation(subs, ctx);
      if (!subs->have_seen || g != subs->seen)
        subs_eval(subs, ctx, store, vocab, &c);
    }
    if (job->subs_eval & ICXD_SUBS_EVAL_PRESENCE) {
      c.presence_only = 1;
      subs_eval(subs, ctx, store, vocab, &c);
    }
    job->rc = ICX_OK;
    break;
  }
  default:
    subs_fail(job, ICX_ERR_MISUSE, "not a subscription job");
  }
done:
  icx_store_free(store);
  subs_absorb(subs, ctx);
}

void icxd_subs_changed(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                       const icx_vocab *vocab, const char *doc_uri,
                       char *const *before, size_t n_before,
                       char *const *after, size_t n_after)
{
  subs_change c;

  if (subs_ready(subs, ctx, store, vocab, NULL) != 0 || !subs->n) {
    subs_absorb(subs, ctx);
    return;
  }
  if (subs_change_clouds(&c, before, n_before, after, n_after) != 0) {
    memset(&c, 0, sizeof c);
    c.full = 1;
  } else if (icx_scope_new(ctx, store, &doc_uri, 1, &c.scope) != ICX_OK) {
    c.scope = NULL;   /* each subscription is then matched whole */
  }
  subs_eval(subs, ctx, store, vocab, &c);
  icx_scope_free(c.scope);
  icxd_subs_names_free(c.clouds, c.n_clouds);
  subs_absorb(subs, ctx);
}

/* icxd_subs_jobs.c - standing requests on the writer thread: reading the
 * subscriptions from the store, the jobs (subscribe, unsubscribe, list,
 * evaluate), the changes of other processes read from the store's change
 * log, and the entry point of icxd's own writes (icxd_subs.h). */
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
#include "icxd_rsm.h"
#include "icxd_subs_internal.h"

/* --- the store's generation, for writers outside icxd -------------------- */

/* A file put in the store's place: the watch handle, which reads the
 * old one, closes (before any handle opens the new one: the -wal and -shm
 * files go by the path), and the next look opens it again; the old
 * file's change log says nothing of the new one, so the next evaluation
 * is in full. */
static void subs_watch_check(icxd_subs *subs)
{
  if (subs && subs->watch && icx_store_replaced(subs->watch)) {
    icx_store_free(subs->watch);
    subs->watch = NULL;
    subs->have_seen = 0;
    icxd_subs_log_drop(subs);
  }
}

/* The data version the watch handle reads now; -1 when unknown.  *seq
 * (may be NULL) gets the last change of its log (-1 when unknown). */
static long long subs_generation(icxd_subs *subs, icx_ctx *ctx, long long *seq)
{
  icx_store_gen g;
  int began;

  if (seq)
    *seq = -1;
  subs_watch_check(subs);
  if (!subs->watch &&
      icx_store_open(ctx, subs->store_path, ICX_STORE_READONLY,
                     &subs->watch) != ICX_OK) {
    subs->watch = NULL;
    return -1;
  }
  began = icx_store_read_begin(subs->watch);
  if (icx_store_generation(subs->watch, &g) != 0)
    g.version = -1;
  if (seq && icx_store_change_last(subs->watch, seq) != 0)
    *seq = -1;
  (void)icx_store_read_end(subs->watch, began, ICX_OK);
  return g.version;
}

/* After a write or an evaluation of our own: what the watch reads now is
 * seen, unless its log holds a change the answers do not reflect yet (a
 * commit of another process landing after the last change read): then
 * the next look at the generation evaluates again. */
static void subs_absorb(icxd_subs *subs, icx_ctx *ctx)
{
  long long seq, g = subs_generation(subs, ctx, &seq);

  subs->seen = g;
  subs->have_seen = g >= 0 && (!subs->have_log || seq == subs->log_seq);
}

/* Another process's writes since the last change read: on the documents
 * they changed, or, when the log cannot say, every shape in full (and
 * the log read from there on). */
static void subs_other_writes(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                              const icx_vocab *vocab, const char *skip_uri)
{
  icxd_subs_change c;
  int held;

  if (icxd_subs_log_catch_up(subs, ctx, store, vocab, skip_uri) == 0)
    return;
  icxd_log(subs->log, ICXD_LOG_DEBUG, "subs",
           "the change log cannot say what changed: every subscription "
           "evaluated");
  /* The log started at the state evaluated (icxd_subs_hold()). */
  held = icxd_subs_hold(subs, store);
  (void)icxd_subs_log_start(subs, ctx, store, vocab);
  memset(&c, 0, sizeof c);
  c.full = 1;
  icxd_subs_eval(subs, ctx, store, vocab, &c);
  icxd_subs_unhold(subs, store, held);
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
        icxd_subs_compile(subs, ctx, vocab, subs->shapes[i]);
      subs->vocab = vocab;
    }
    return 0;
  }
  /* The version first: a change after it is read again at the next
   * look. */
  if ((rc = icx_store_subs_version(store, &subs->version)) != ICX_OK ||
      (rc = icx_store_subs_list(store, NULL, &rows, &n)) != ICX_OK) {
    if (job)
      icxd_subs_fail(job, rc, icx_ctx_errmsg(ctx));
    return -1;
  }
  subs->own = 0;
  subs->have_version = 1;
  subs->vocab = vocab;
  for (i = 0; i < n; i++) {
    unsigned presence = icxd_subs_options_presence(rows[i].options);
    icxd_subs_shape *sh = icxd_subs_shape_find(subs, rows[i].request, presence);
    icxd_sub *e;
    if (!sh && (sh = icxd_subs_shape_add(subs, rows[i].request, presence))) {
      sh->keeper = rows[i].id;
      if (icxd_subs_names_split(rows[i].answer, &sh->answer, &sh->n_answer) != 0) {
        sh->answer = NULL;
        sh->n_answer = 0;
      }
      icxd_subs_compile(subs, ctx, vocab, sh);
      if (!rows[i].answer_rows && sh->n_answer &&
          icx_store_subs_set_answer(store, sh->keeper, rows[i].answer) != ICX_OK)
        icxd_log(subs->log, ICXD_LOG_WARN, "subs",
                 "subscription %lld: its answer stays as text: %s", sh->keeper,
                 icx_ctx_errmsg(ctx));
    }
    /* Copied: the rows are on the store's allocator, the registry on
     * icxd's. */
    if (!sh || !(e = subs_append(subs)) || !(e->jid = strdup(rows[i].jid)) ||
        !(e->created = strdup(rows[i].created))) {
      icx_store_subs_free_rows(store, rows, n);
      subs_forget(subs);
      if (job)
        icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
      return -1;
    }
    e->id = rows[i].id;
    e->shape = sh;
    sh->members++;
  }
  icx_store_subs_free_rows(store, rows, n);
  subs->loaded = 1;
  if (subs->n) {
    icxd_subs_change all;
    /* The log started at the state evaluated (icxd_subs_hold()). */
    int held = icxd_subs_hold(subs, store);
    (void)icxd_subs_log_start(subs, ctx, store, vocab);
    memset(&all, 0, sizeof all);
    all.full = 1;
    icxd_log(subs->log, ICXD_LOG_INFO, "subs",
             "%zu subscriptions read from the store (%zu shapes)", subs->n,
             subs->n_shapes);
    icxd_subs_eval(subs, ctx, store, vocab, &all);
    icxd_subs_unhold(subs, store, held);
  }
  return 0;
}

/* 1 when the store's subscriptions version now is the one the registry
 * copies, moved by our own adds and removes alone: every change of
 * another process moves it by one more (icx_store_subs.h).  A counter
 * only counts up from a positive start; a table older than its counter
 * reads the same number while nobody changes it. */
static int subs_version_same(const icxd_subs *subs, long long now)
{
  if (!subs->have_version)
    return 0;
  if (!subs->own)
    return now == subs->version;
  return subs->version > 0 && now == subs->version + (long long)subs->own;
}

/* Follows the subscriptions other processes added and removed (another
 * icxd instance on the same store): the store is the one list, and the
 * registry is made its copy again, without evaluating anything (a shape
 * new here takes the answer its keeper has in the store; the other
 * instance evaluated it).  A look at the table's version alone when
 * nothing changed.  0, or -1 (the registry stays as it was). */
static int subs_sync(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                     const icx_vocab *vocab)
{
  icx_sub_row *rows = NULL;
  size_t n = 0, i, k, o, added = 0, gone = 0, skipped = 0;
  long long now;
  icxd_sub *v;

  if (!subs->loaded)
    return 0;
  if (icx_store_subs_version(store, &now) != ICX_OK)
    return -1;
  if (subs_version_same(subs, now)) {
    subs->version = now;
    subs->own = 0;
    return 0;
  }
  /* The version was read first: a change after it is read again. */
  if (icx_store_subs_list(store, NULL, &rows, &n) != ICX_OK)
    return -1;
  if (!(v = calloc(n + 1, sizeof *v))) {
    icx_store_subs_free_rows(store, rows, n);
    return -1;
  }
  /* Both by id: a merge. */
  for (i = 0, k = 0, o = 0; i < subs->n || k < n;) {
    if (k >= n || (i < subs->n && subs->v[i].id < rows[k].id)) {
      icxd_subs_shape *sh = subs->v[i].shape;   /* removed elsewhere */
      subs->v[i].shape = NULL;
      icxd_subs_entry_clear(&subs->v[i++]);
      if (--sh->members == 0)
        icxd_subs_shape_drop(subs, sh);
      gone++;
    } else if (i < subs->n && subs->v[i].id == rows[k].id) {
      v[o++] = subs->v[i++];
      k++;
    } else {
      icx_sub_row *r = &rows[k++];   /* added elsewhere */
      unsigned presence = icxd_subs_options_presence(r->options);
      icxd_subs_shape *sh;
      char *jid = strdup(r->jid), *created = strdup(r->created);
      if (!jid || !created) {
        free(jid);
        free(created);
        skipped++;   /* out of memory: read at the next look */
        continue;
      }
      sh = icxd_subs_shape_find(subs, r->request, presence);
      if (!sh && (sh = icxd_subs_shape_add(subs, r->request, presence))) {
        sh->keeper = r->id;
        if (icxd_subs_names_split(r->answer, &sh->answer, &sh->n_answer) != 0) {
          sh->answer = NULL;
          sh->n_answer = 0;
        }
        icxd_subs_compile(subs, ctx, vocab, sh);
      }
      if (!sh) {
        free(jid);
        free(created);
        skipped++;
        continue;
      }
      v[o].id = r->id;
      v[o].jid = jid;
      v[o].created = created;
      v[o++].shape = sh;
      sh->members++;
      added++;
    }
  }
  icx_store_subs_free_rows(store, rows, n);
  free(subs->v);
  subs->v = v;
  subs->n = o;
  subs->cap = n + 1;
  subs->version = now;
  subs->own = 0;
  subs->have_version = !skipped;
  /* A shape's keeper is its first subscription (the rows moved to it
   * when the old one went: subs_remove_one()). */
  for (i = 0; i < subs->n_shapes; i++)
    subs->shapes[i]->keeper = 0;
  for (i = 0; i < subs->n; i++)
    if (!subs->v[i].shape->keeper || subs->v[i].id < subs->v[i].shape->keeper)
      subs->v[i].shape->keeper = subs->v[i].id;
  icxd_subs_index_free(subs->index);
  subs->index = NULL;
  icxd_log(subs->log, ICXD_LOG_DEBUG, "subs",
           "%zu subscriptions added and %zu removed by another process", added,
           gone);
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

/* The answer of a subscribe: the paper's <matchingClouds> inside ours,
 * every cloud; the loop cuts the first page (icxd_command_completed()). */
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
    icxd_subs_fail(job, ICX_ERR_LIMIT, msg);
    return;
  }
  if (max_total && subs->n >= max_total) {
    snprintf(msg, sizeof msg, "too many subscriptions at the exchange: at "
             "most %u (max_subscriptions)", max_total);
    icxd_subs_fail(job, ICX_ERR_LIMIT, msg);
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
    icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  /* A shape asked already has its answer, current: every change was
   * evaluated on it.  A new one is matched on the whole store. */
  if (!(sh = icxd_subs_shape_find(subs, request, presence))) {
    icxd_subs_change all;
    memset(&all, 0, sizeof all);
    all.full = 1;
    if (!(sh = icxd_subs_shape_add(subs, request, presence))) {
      icx_constraints_free(set);
      free(request);
      icxd_subs_entry_clear(&tmp);
      icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
      return;
    }
    fresh = 1;
    sh->set = set;
    set = NULL;
    if (icx_plan_new(ctx, sh->set, &sh->plan) != ICX_OK)
      sh->plan = NULL;   /* matched whole at each change */
    rc = icxd_subs_answer(subs, ctx, store, vocab, sh, &all, &sh->answer, &sh->n_answer);
    if (rc != ICX_OK)
      goto fail;
  }
  icx_constraints_free(set);
  free(request);
  icxd_subs_options(presence, options, sizeof options);
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
    icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
    icxd_subs_entry_clear(&tmp);
    if (fresh)
      icxd_subs_shape_drop(subs, sh);
    return;
  }
  tmp.shape = sh;
  sh->members++;
  *e = tmp;
  subs->own++;   /* the registry has it: our add moved the version */
  icxd_job_set_answer(job, subs_subscribed_xml(e));
  if (!job->answer_xml) {
    icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  job->n_clouds = 0;
  job->rc = ICX_OK;
  icxd_log(subs->log, ICXD_LOG_INFO, "subs",
           "%s subscribed: subscription %lld, %zu clouds now", e->jid, e->id,
           sh->n_answer);
  return;
fail:
  icxd_subs_fail(job, rc, icx_ctx_errmsg(ctx));
  icxd_subs_entry_clear(&tmp);
  if (fresh)
    icxd_subs_shape_drop(subs, sh);
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
  if (rc == ICX_OK)
    subs->own++;   /* ours moved the version (not found: another's did) */
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
      icxd_subs_fail(job, ICX_ERR_NOT_FOUND, msg);
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
        icxd_subs_fail(job, rc, icx_ctx_errmsg(ctx));
        for (; i < subs->n; i++)
          subs->v[o++] = subs->v[i];
        subs->n = o;
        return;
      }
      if (--e->shape->members == 0)
        icxd_subs_shape_drop(subs, e->shape);
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
    icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  job->rc = ICX_OK;
  icxd_log(subs->log, ICXD_LOG_INFO, "subs", "%s: %zu subscription%s ended",
           job->actor, removed, removed == 1 ? "" : "s");
}

/* 1 when e is one of the subscriptions the listing job asks for. */
static int subs_listed(const icxd_job *job, const icxd_sub *e)
{
  return strcasecmp(e->jid, job->actor) == 0 &&
         (job->sub_id <= 0 || e->id == job->sub_id);
}

/* How many of e's clouds its first page holds under max_items and
 * max_bytes, cut by icxd_rsm_page() as a request without a <set> is;
 * (size_t)-1 when out of memory. */
static size_t subs_first_page(const icxd_sub *e, size_t max_items,
                              size_t max_bytes)
{
  size_t k, n = e->shape->n_answer, first = 0, count = 0, *sizes;
  char err[64];

  n = n < max_items ? n : max_items;     /* no more can be on the page */
  if (!(sizes = malloc((n ? n : 1) * sizeof *sizes)))
    return (size_t)-1;
  for (k = 0; k < n; k++)
    sizes[k] = icxd_rsm_item_size("cloudName", e->shape->answer[k]);
  if (icxd_rsm_page(NULL, (const char *const *)e->shape->answer, sizes, n,
                    max_items, max_bytes, &first, &count, err, sizeof err))
    count = (size_t)-1;         /* not without a <set> */
  free(sizes);
  return count;
}

/* Every subscription of the job's actor (or the one job->sub_id names)
 * with the clouds of its answer.  One subscription named: every cloud,
 * the loop cuts the page asked for (icxd_command_completed()).  Every
 * one (with job->page_max_items): each one's first page and its <set>,
 * the limits shared among them, written here, the answer sent as it is
 * (job->paged): a requester's 16 subscriptions to a broad answer at a
 * million clouds would otherwise be some 160 MB of text, then read
 * whole by the loop thread. */
static void subs_list(icxd_subs *subs, icxd_job *job)
{
  char *buf = NULL, msg[200];
  size_t len = 0, i, k, listed = 0, lists = 0, per_items = 0, per_bytes = 0;
  int first_pages = job->sub_id <= 0 && job->page_max_items > 0;
  FILE *f;

  if (first_pages) {
    for (i = 0; i < subs->n; i++)
      lists += subs_listed(job, &subs->v[i]);
    per_items = lists > 1 ? job->page_max_items / lists : job->page_max_items;
    per_bytes = lists > 1 ? job->page_max_bytes / lists : job->page_max_bytes;
    per_items = per_items ? per_items : 1;
    per_bytes = per_bytes ? per_bytes : 1;
  }
  if (!(f = open_memstream(&buf, &len))) {
    icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
    return;
  }
  fputs("<subscriptions xmlns='" ICXD_NS_MATCHES "'>", f);
  for (i = 0; i < subs->n; i++) {
    const icxd_sub *e = &subs->v[i];
    size_t n = e->shape->n_answer, shown = n;
    if (!subs_listed(job, e))
      continue;
    listed++;
    fprintf(f, "<subscription id='%lld' created='%s' clouds='%zu'>", e->id,
            e->created ? e->created : "", n);
    if (first_pages &&
        (shown = subs_first_page(e, per_items, per_bytes)) == (size_t)-1)
      goto nomem;
    for (k = 0; k < shown; k++) {
      fputs("<cloudName>", f);
      icxd_subs_xml_escape(f, e->shape->answer[k]);
      fputs("</cloudName>", f);
    }
    if (first_pages) {
      icx_buf set;
      char *text;

      icx_buf_init(&set, NULL);
      icxd_rsm_set_append(&set, shown ? e->shape->answer[0] : NULL, 0,
                          shown ? e->shape->answer[shown - 1] : NULL, n);
      if (!(text = icx_buf_take(&set)))
        goto nomem;
      fputs(text, f);
      free(text);
    }
    fputs("</subscription>", f);
  }
  fputs("</subscriptions>", f);
  if (fclose(f) != 0) {
    f = NULL;
    goto nomem;
  }
  if (job->sub_id > 0 && !listed) {
    free(buf);
    snprintf(msg, sizeof msg, "no subscription %lld of yours", job->sub_id);
    icxd_subs_fail(job, ICX_ERR_NOT_FOUND, msg);
    return;
  }
  job->paged = first_pages;
  icxd_job_set_answer(job, buf);
  job->rc = ICX_OK;
  return;
nomem:
  if (f)
    fclose(f);
  free(buf);
  icxd_subs_fail(job, ICX_ERR_NOMEM, NULL);
}

void icxd_subs_run(icxd_subs *subs, icx_ctx *ctx, const icx_vocab *vocab,
                   icxd_job *job)
{
  icx_store *store = NULL;
  icx_rc rc;

  subs_watch_check(subs);
  /* Notifications dropped earlier (the outbox was full) are owed first. */
  if (subs->loaded)
    icxd_subs_tell_missed(subs);
  if (job->kind == ICXD_JOB_SUBS_EVAL && subs->loaded &&
      subs->vocab == vocab && !(job->subs_eval & ICXD_SUBS_EVAL_PRESENCE)) {
    /* A look at the generation alone: the store is opened for writing
     * only when another process wrote. */
    long long g = subs_generation(subs, ctx, NULL);
    size_t count = 0;
    /* None held here: unless another process subscribed meanwhile (an
     * instance on the same store), nothing to evaluate. */
    if (!subs->n && (!subs->watch ||
                     icx_store_subs_count(subs->watch, NULL, &count) != ICX_OK ||
                     !count)) {
      icxd_subs_log_drop(subs);
      job->rc = ICX_OK;
      return;
    }
    if (subs->n && subs->have_seen && g == subs->seen) {
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
    icxd_subs_fail(job, rc, icx_ctx_errmsg(ctx));
    return;
  }
  if (subs_ready(subs, ctx, store, vocab, job) != 0)
    goto done;
  if (subs_sync(subs, ctx, store, vocab) != 0)
    icxd_log(subs->log, ICXD_LOG_WARN, "subs",
             "cannot read the subscriptions other processes changed: %s",
             icx_ctx_errmsg(ctx));
  switch (job->kind) {
  case ICXD_JOB_SUBSCRIBE: {
    /* A shape asked already answers at once: every other write
     * evaluated first.  The first subscription starts the log.  The new
     * answer is of the state the log is at (icxd_subs_hold()). */
    int held = icxd_subs_hold(subs, store);
    if (!subs->n)
      (void)icxd_subs_log_start(subs, ctx, store, vocab);
    else
      subs_other_writes(subs, ctx, store, vocab, NULL);
    /* Told before the new subscription joins a shape those changes
     * moved: its answer already holds them. */
    icxd_subs_tell(subs);
    subs_subscribe(subs, ctx, store, vocab, job);
    icxd_subs_unhold(subs, store, held);
    break;
  }
  case ICXD_JOB_UNSUBSCRIBE:
    subs_unsubscribe(subs, ctx, store, job);
    break;
  case ICXD_JOB_SUBS_LIST:
    subs_list(subs, job);
    break;
  case ICXD_JOB_SUBS_EVAL: {
    icxd_subs_change c;
    memset(&c, 0, sizeof c);
    c.full = 1;
    if (job->subs_eval & ICXD_SUBS_EVAL_STORE) {
      long long g = subs_generation(subs, ctx, NULL);
      if (subs->n && (!subs->have_seen || g != subs->seen)) {
        icxd_log(subs->log, ICXD_LOG_DEBUG, "subs",
                 "the store moved (version %lld, last seen %lld%s): "
                 "reading the changes after %lld", g, subs->seen,
                 subs->have_seen ? "" : ", not all read", subs->log_seq);
        subs_other_writes(subs, ctx, store, vocab, NULL);
      }
    }
    if (job->subs_eval & ICXD_SUBS_EVAL_PRESENCE) {
      c.presence_only = 1;
      icxd_subs_eval(subs, ctx, store, vocab, &c);
    }
    job->rc = ICX_OK;
    break;
  }
  default:
    icxd_subs_fail(job, ICX_ERR_MISUSE, "not a subscription job");
  }
done:
  icx_store_free(store);
  subs_absorb(subs, ctx);
}

void icxd_subs_check_replaced(icxd_subs *subs)
{
  subs_watch_check(subs);
}

void icxd_subs_changed(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                       const icx_vocab *vocab, const char *doc_uri,
                       char *const *before, size_t n_before,
                       char *const *after, size_t n_after)
{
  icxd_subs_change c;
  long long prev;

  if (subs_ready(subs, ctx, store, vocab, NULL) == 0)
    (void)subs_sync(subs, ctx, store, vocab);
  if (!subs->loaded || !subs->n) {
    icxd_subs_log_drop(subs);
    subs_absorb(subs, ctx);
    return;
  }
  prev = subs->log_seq;
  if (icxd_subs_change_clouds(&c, before, n_before, after, n_after) != 0) {
    memset(&c, 0, sizeof c);
    c.full = 1;
  } else if (icx_scope_new(ctx, store, &doc_uri, 1, &c.scope) != ICX_OK) {
    c.scope = NULL;   /* each subscription is then matched whole */
  }
  icxd_subs_eval(subs, ctx, store, vocab, &c);
  icx_scope_free(c.scope);
  icxd_subs_names_free(c.clouds, c.n_clouds);
  /* Ours is told; the log from before it says whether another process
   * wrote meanwhile (its changes of this document were read with ours). */
  icxd_subs_log_note(subs, doc_uri, after, n_after);
  if (subs->have_log) {
    subs->log_seq = prev;
    subs_other_writes(subs, ctx, store, vocab, doc_uri);
  }
  subs_absorb(subs, ctx);
}

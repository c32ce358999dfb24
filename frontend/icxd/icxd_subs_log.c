/* icxd_subs_log.c - another process's writes (icx load, icx remove), read
 * from the store's change log (icx_store_ids.h) and evaluated on the
 * documents they changed, as icxd's own writes are (icxd_subs_internal.h).
 *
 * The log names each changed document (its graph) but not the clouds it
 * described before: a cloud that left with a removed or replaced document
 * is known by name only from what the document held before.  So the
 * module keeps the names of the clouds of every document, read once when
 * the log is first used and kept up to date by every write icxd makes or
 * reads from the log.  A document it does not know was not there.  When
 * the log cannot say (pruned past the last change read, or a write
 * outside the document calls), the caller evaluates in full and starts
 * the log again. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icx_store_ids.h"
#include "icxd_subs_internal.h"

struct icxd_subs_doc {
  char *uri;
  char **clouds;             /* sorted */
  size_t n_clouds;
};

void icxd_subs_log_drop(icxd_subs *subs)
{
  size_t i;

  for (i = 0; i < subs->n_docs; i++) {
    free(subs->docs[i].uri);
    icxd_subs_names_free(subs->docs[i].clouds, subs->docs[i].n_clouds);
  }
  free(subs->docs);
  subs->docs = NULL;
  subs->n_docs = subs->cap_docs = 0;
  subs->have_log = 0;
}

static int subs_log_cmp_doc(const void *a, const void *b)
{
  return strcmp(((const struct icxd_subs_doc *)a)->uri,
                ((const struct icxd_subs_doc *)b)->uri);
}

/* The entry of uri, or NULL; *at (may be NULL) gets where it goes. */
static struct icxd_subs_doc *subs_log_find(icxd_subs *subs, const char *uri, size_t *at)
{
  size_t lo = 0, hi = subs->n_docs;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(subs->docs[mid].uri, uri);
    if (c == 0)
      return &subs->docs[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (at)
    *at = lo;
  return NULL;
}

/* Copies n names into a new sorted array; -1 on ENOMEM. */
static int subs_log_copy(char *const *names, size_t n, char ***out, size_t *n_out)
{
  char **v = calloc(n + 1, sizeof *v);
  size_t i;

  *out = NULL;
  *n_out = 0;
  if (!v)
    return -1;
  for (i = 0; i < n; i++)
    if (!(v[i] = strdup(names[i]))) {
      icxd_subs_names_free(v, i);
      return -1;
    }
  *out = v;
  *n_out = icxd_subs_names_unique(v, n);
  return 0;
}

void icxd_subs_log_note(icxd_subs *subs, const char *uri, char *const *clouds, size_t n)
{
  struct icxd_subs_doc *d;
  char **v;
  size_t at = 0, nv;

  if (!subs->have_log)
    return;
  if (subs_log_copy(clouds, n, &v, &nv) != 0)
    goto nomem;
  if ((d = subs_log_find(subs, uri, &at))) {
    icxd_subs_names_free(d->clouds, d->n_clouds);
    d->clouds = v;
    d->n_clouds = nv;
    return;
  }
  if (subs->n_docs == subs->cap_docs) {
    size_t ncap = subs->cap_docs ? subs->cap_docs * 2 : 64;
    struct icxd_subs_doc *nd = realloc(subs->docs, ncap * sizeof *nd);
    if (!nd) {
      icxd_subs_names_free(v, nv);
      goto nomem;
    }
    subs->docs = nd;
    subs->cap_docs = ncap;
  }
  memmove(&subs->docs[at + 1], &subs->docs[at], (subs->n_docs - at) * sizeof *subs->docs);
  subs->docs[at].uri = strdup(uri);
  subs->docs[at].clouds = v;
  subs->docs[at].n_clouds = nv;
  subs->n_docs++;
  if (!subs->docs[at].uri)
    goto nomem;
  return;
nomem:
  /* Not knowing a document's clouds, the log cannot be trusted. */
  icxd_subs_log_drop(subs);
}

int icxd_subs_log_start(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                        const icx_vocab *vocab)
{
  icx_doc_info *docs = NULL;
  size_t n = 0, i;
  long long seq = 0;
  int own;
  icx_rc rc;

  icxd_subs_log_drop(subs);
  /* The sequence first: a change after it is read again, never missed. */
  own = icx_store_read_begin(store);
  if (icx_store_change_last(store, &seq) != 0) {
    (void)icx_store_read_end(store, own, ICX_ERR_STORE);
    return -1;
  }
  rc = icx_store_list_documents(store, vocab, &docs, &n);
  (void)icx_store_read_end(store, own, rc);
  if (rc != ICX_OK)
    return -1;
  if (!(subs->docs = calloc(n + 1, sizeof *subs->docs))) {
    icx_doc_info_free_array(docs, n);
    return -1;
  }
  subs->cap_docs = n + 1;
  for (i = 0; i < n; i++) {
    struct icxd_subs_doc *d = &subs->docs[subs->n_docs];
    /* Listed sorted by URI: moved, not copied. */
    d->uri = docs[i].uri;
    d->clouds = docs[i].clouds;
    d->n_clouds = icxd_subs_names_unique(d->clouds, docs[i].n_clouds);
    docs[i].uri = NULL;
    docs[i].clouds = NULL;
    docs[i].n_clouds = 0;
    subs->n_docs++;
  }
  icx_doc_info_free_array(docs, n);
  qsort(subs->docs, subs->n_docs, sizeof *subs->docs, subs_log_cmp_doc);
  subs->log_seq = seq;
  subs->have_log = 1;
  return 0;
}

typedef struct subs_log_walk {
  icx_id *graphs;
  size_t n, cap;
  int other;                 /* a change the log cannot name */
  int nomem;
} subs_log_walk;

static int subs_log_change(void *ud, const icx_store_change *ch)
{
  subs_log_walk *w = ud;

  if (ch->kind == ICX_STORE_CHANGE_OTHER || ch->graph <= 0) {
    w->other = 1;
    return 1;
  }
  if (w->n == w->cap) {
    size_t ncap = w->cap ? w->cap * 2 : 16;
    icx_id *nv = realloc(w->graphs, ncap * sizeof *nv);
    if (!nv) {
      w->nomem = 1;
      return 1;
    }
    w->graphs = nv;
    w->cap = ncap;
  }
  w->graphs[w->n++] = ch->graph;
  return 0;
}

int icxd_subs_log_catch_up(icxd_subs *subs, icx_ctx *ctx, icx_store *store,
                           const icx_vocab *vocab, const char *skip_uri)
{
  subs_log_walk w;
  icxd_subs_change c;
  char **uris = NULL, **lex = NULL, **names = NULL;
  size_t i, n_uris = 0, n_names = 0, cap_names = 0;
  long long last = 0;
  int held, r, ret = -1;

  if (!subs->have_log)
    return -1;
  memset(&w, 0, sizeof w);
  memset(&c, 0, sizeof c);
  /* Nothing logged since (the store moved by sessions or answers
   * only): no lock needed. */
  if (!subs->held) {
    int own = icx_store_read_begin(store);
    r = icx_store_change_last(store, &last);
    (void)icx_store_read_end(store, own, ICX_OK);
    if (r == 0 && last == subs->log_seq)
      return 0;
  }
  /* The log, the documents and the evaluation: one state of the store
   * (icxd_subs_hold() says why). */
  held = icxd_subs_hold(subs, store);
  r = icx_store_change_last(store, &last);
  if (r == 0)
    r = icx_store_changes_since(store, subs->log_seq, subs_log_change, &w);
  if (r == 0 && !w.other && !w.nomem && w.n) {
    if (!(lex = calloc(w.n + 1, sizeof *lex)) ||
        icx_store_lex(store, w.graphs, w.n, lex) != ICX_OK)
      r = -1;
  }
  if (r != 0 || w.other || w.nomem)
    goto done;
  if (!w.n) {
    subs->log_seq = last;
    ret = 0;
    goto done;
  }
  /* The documents, each once, with their clouds before (what the module
   * knew) and now (what the store says). */
  if (!(uris = calloc(w.n + 1, sizeof *uris)))
    goto done;
  for (i = 0; i < w.n; i++) {
    size_t k;
    if (!lex[i] || (skip_uri && !strcmp(lex[i], skip_uri)))
      continue;
    for (k = 0; k < n_uris && strcmp(uris[k], lex[i]); k++)
      ;
    if (k == n_uris)
      uris[n_uris++] = lex[i];
  }
  for (i = 0; i < n_uris; i++) {
    struct icxd_subs_doc *d = subs_log_find(subs, uris[i], NULL);
    icx_doc_info *now = NULL;
    icx_rc rc = icx_store_get_document(store, vocab, uris[i], &now);
    size_t k, add;
    int bad = 0;
    if (rc != ICX_OK && rc != ICX_ERR_NOT_FOUND)
      goto done;
    if (rc != ICX_OK)
      now = NULL;
    add = (d ? d->n_clouds : 0) + (now ? now->n_clouds : 0);
    if (n_names + add + 1 > cap_names) {
      size_t ncap = (n_names + add + 1) * 2;
      char **nv = realloc(names, ncap * sizeof *nv);
      if (!nv) {
        icx_doc_info_free_array(now, now ? 1 : 0);
        goto done;
      }
      names = nv;
      cap_names = ncap;
    }
    for (k = 0; d && k < d->n_clouds && !bad; k++)
      bad = !(names[n_names++] = strdup(d->clouds[k]));
    for (k = 0; now && k < now->n_clouds && !bad; k++)
      bad = !(names[n_names++] = strdup(now->clouds[k]));
    if (bad)
      n_names--;
    if (!bad)
      icxd_subs_log_note(subs, uris[i], now ? now->clouds : NULL, now ? now->n_clouds : 0);
    icx_doc_info_free_array(now, now ? 1 : 0);
    if (bad || !subs->have_log)
      goto done;
  }
  if (!n_uris) {
    subs->log_seq = last;   /* only the changes skipped */
    ret = 0;
    goto done;
  }
  if (icxd_subs_change_clouds(&c, names, n_names, NULL, 0) != 0)
    goto done;
  icxd_log(subs->log, ICXD_LOG_DEBUG, "subs",
           "changes %lld to %lld of another process: %zu documents, %zu "
           "clouds", subs->log_seq + 1, last, n_uris, c.n_clouds);
  if (icx_scope_new(ctx, store, (const char *const *)uris, n_uris, &c.scope) != ICX_OK)
    c.scope = NULL;   /* every shape is then matched whole */
  icxd_subs_eval(subs, ctx, store, vocab, &c);
  icx_scope_free(c.scope);
  icxd_subs_names_free(c.clouds, c.n_clouds);
  subs->log_seq = last;
  ret = 0;
done:
  icxd_subs_unhold(subs, store, held);
  icxd_subs_names_free(names, n_names);
  for (i = 0; lex && i < w.n; i++)
    icx_free(icx_store_ctx(store), lex[i]);
  free(lex);
  free(uris);
  free(w.graphs);
  return ret;
}

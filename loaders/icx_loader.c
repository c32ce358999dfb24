/* icx_loader.c - capability documents: parse, check against the
 * vocabulary, and store, in one transaction, as the statements arrive.
 *
 * Outline.  A document is written while raptor parses it: each statement
 * is checked alone as it arrives (its line is known then), copied as plain
 * bytes into a batch, and the full batch goes to the store's writer
 * (icx_store_ids.h), on a writer thread fed by a bounded queue once the
 * document outgrows one batch.  The checks that need the whole graph
 * (clouds have one name, attributes' subjects are typed, services belong
 * to a cloud) run at the end, over the term ids the transaction wrote, in
 * subject order.  Any failure rolls the transaction back, so the store is
 * as it was; a dry run always rolls back.  Memory holds the queue's
 * batches, the store's term cache and one subject's statements, whatever
 * the document's size.
 *
 * Blank node ids are made unique per document (raptor numbers them from 1
 * in every parse), or two documents' blank services would merge.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <raptor2.h>

#include "icx_ctx_internal.h"
#include "icx_loader.h"
#include "icx_pieces.h"
#include "icx_store_ids.h"
#include "icx_util.h"

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define MAX_FOLDER_DEPTH 32
#define READ_CHUNK 65536
/* A batch is written when it holds this many statements or bytes. */
#define BATCH_STATEMENTS 16384
#define BATCH_BYTES ((size_t)2 << 20)
/* Batches filled or being written at once: the loader's memory bound. */
#define QUEUE_BATCHES 4
/* Services recently seen offered by a cloud, checked without a query. */
#define OFFERED_WINDOW 65536

struct icx_loader {
  icx_ctx *ctx;
  const icx_vocab *vocab;
  icx_store *store;
  icx_format format;
  icx_load_report_fn report;
  void *report_ud;
  icx_load_progress_fn progress;
  void *progress_ud;
  int dry_run;
  /* A raptor world of the loader's own, not librdf's: its blank node ids
   * and its errors are the loader's to handle (see on_bnodeid). */
  raptor_world *rw;
};

int
icx_format_from_name(const char *name)
{
  if (!name)
    return -1;
  if (!strcmp(name, "auto"))
    return ICX_FORMAT_AUTO;
  if (!strcmp(name, "turtle") || !strcmp(name, "ttl"))
    return ICX_FORMAT_TURTLE;
  if (!strcmp(name, "rdfxml") || !strcmp(name, "rdf") || !strcmp(name, "xml"))
    return ICX_FORMAT_RDFXML;
  if (!strcmp(name, "ntriples") || !strcmp(name, "nt"))
    return ICX_FORMAT_NTRIPLES;
  return -1;
}

const char *
icx_format_name(icx_format f)
{
  switch (f) {
  case ICX_FORMAT_AUTO: return "auto";
  case ICX_FORMAT_TURTLE: return "turtle";
  case ICX_FORMAT_RDFXML: return "rdfxml";
  case ICX_FORMAT_NTRIPLES: return "ntriples";
  }
  return "auto";
}

static icx_format
format_of_name(const char *path)
{
  static const struct { const char *ext; icx_format f; } map[] = {
    { ".ttl", ICX_FORMAT_TURTLE }, { ".turtle", ICX_FORMAT_TURTLE },
    { ".rdf", ICX_FORMAT_RDFXML }, { ".xml", ICX_FORMAT_RDFXML },
    { ".owl", ICX_FORMAT_RDFXML }, { ".nt", ICX_FORMAT_NTRIPLES },
  };
  size_t n = strlen(path), i;

  for (i = 0; i < sizeof map / sizeof map[0]; i++) {
    size_t e = strlen(map[i].ext);
    if (n > e && strcmp(path + n - e, map[i].ext) == 0)
      return map[i].f;
  }
  return ICX_FORMAT_AUTO;
}

static const char *
raptor_name(icx_format f)
{
  switch (f) {
  case ICX_FORMAT_TURTLE: return "turtle";
  case ICX_FORMAT_RDFXML: return "rdfxml";
  case ICX_FORMAT_NTRIPLES: return "ntriples";
  case ICX_FORMAT_AUTO: break;
  }
  return NULL;
}

icx_loader *
icx_loader_new(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store)
{
  icx_loader *l;

  if (!ctx || !vocab || !store)
    return NULL;
  l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  if (!(l->rw = raptor_new_world()) || raptor_world_open(l->rw)) {
    raptor_free_world(l->rw);
    free(l);
    return NULL;
  }
  l->ctx = ctx;
  l->vocab = vocab;
  l->store = store;
  return l;
}

void
icx_loader_free(icx_loader *l)
{
  if (!l)
    return;
  raptor_free_world(l->rw);
  free(l);
}

void icx_loader_set_format(icx_loader *l, icx_format f) { l->format = f; }
void icx_loader_set_dry_run(icx_loader *l, int dry_run) { l->dry_run = dry_run; }

void
icx_loader_set_report(icx_loader *l, icx_load_report_fn fn, void *ud)
{
  l->report = fn;
  l->report_ud = ud;
}

void
icx_loader_set_progress(icx_loader *l, icx_load_progress_fn fn, void *ud)
{
  l->progress = fn;
  l->progress_ud = fn ? ud : NULL;
}

char *
icx_loader_doc_uri_for_path(const char *path)
{
  char *real = realpath(path, NULL);
  unsigned char *uri;
  char *out;

  if (!real)
    return NULL;
  uri = raptor_uri_filename_to_uri_string(real);
  free(real);
  if (!uri)
    return NULL;
  out = strdup((const char *)uri);
  raptor_free_memory(uri);
  return out;
}

/* --- batches, and the writer thread that empties them -------------------- */

/* Statements as plain bytes: three terms each, pointing into the arena. */
typedef struct batch {
  icx_term *terms;
  size_t n;                   /* statements */
  char *arena;
  size_t used, cap;
} batch;

/* A bounded queue of batches between the parser (the caller's thread) and
 * the store.  The parser fills q[fill]; the writer writes q[head].  head
 * and count change under the lock; fill belongs to the parser alone (it
 * is (head + count) % QUEUE_BATCHES whenever the parser looks, but reading
 * head and count for it would race with the writer).  Until a document
 * outgrows one batch there is no thread: the batch is written by the
 * parser's thread at the end. */
typedef struct writer {
  icx_store_writer *out;
  batch q[QUEUE_BATCHES];
  size_t head, count;         /* under mu once threaded */
  size_t fill;                /* the parser's */
  int threaded, no_thread, done, cancel, failed;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} writer;

static batch *
writer_current(writer *w)
{
  return &w->q[w->fill];
}

static void *
writer_main(void *ud)
{
  writer *w = ud;

  pthread_mutex_lock(&w->mu);
  for (;;) {
    batch *b;
    int rc;
    while (!w->count && !w->done && !w->cancel)
      pthread_cond_wait(&w->cv, &w->mu);
    if (!w->count || w->cancel)
      break;
    b = &w->q[w->head];
    pthread_mutex_unlock(&w->mu);
    rc = icx_store_writer_add(w->out, b->terms, b->n);
    pthread_mutex_lock(&w->mu);
    if (rc) {
      w->failed = 1;
      pthread_cond_broadcast(&w->cv);
      break;
    }
    b->n = 0;
    b->used = 0;
    w->head = (w->head + 1) % QUEUE_BATCHES;
    w->count--;
    pthread_cond_broadcast(&w->cv);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Hands the current (full) batch over.  0, or -1 when the store failed. */
static int
writer_push(writer *w)
{
  int failed;

  if (!w->threaded && !w->no_thread) {
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
      w->no_thread = 1;
    } else if (pthread_cond_init(&w->cv, NULL) != 0) {
      pthread_mutex_destroy(&w->mu);
      w->no_thread = 1;
    } else if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
      pthread_cond_destroy(&w->cv);
      pthread_mutex_destroy(&w->mu);
      w->no_thread = 1;
    } else {
      w->threaded = 1;
    }
  }
  if (!w->threaded) {         /* no thread to be had: write it here */
    batch *b = writer_current(w);
    if (icx_store_writer_add(w->out, b->terms, b->n))
      return w->failed = 1, -1;
    b->n = 0;
    b->used = 0;
    return 0;
  }
  pthread_mutex_lock(&w->mu);
  w->count++;
  pthread_cond_broadcast(&w->cv);
  while (w->count == QUEUE_BATCHES && !w->failed)
    pthread_cond_wait(&w->cv, &w->mu);
  failed = w->failed;
  pthread_mutex_unlock(&w->mu);
  w->fill = (w->fill + 1) % QUEUE_BATCHES;   /* free: count < QUEUE_BATCHES */
  return failed ? -1 : 0;
}

/* Writes what is left (when ok; else drops it) and stops the thread.
 * 0, or -1 when the store failed. */
static int
writer_finish(writer *w, int ok)
{
  batch *b = writer_current(w);

  if (!w->threaded) {
    if (ok && !w->failed && b->n && icx_store_writer_add(w->out, b->terms, b->n))
      w->failed = 1;
    return w->failed ? -1 : 0;
  }
  pthread_mutex_lock(&w->mu);
  if (ok && b->n)
    w->count++;
  if (!ok)
    w->cancel = 1;
  w->done = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  w->threaded = 0;
  w->no_thread = 1;           /* finished: never again */
  return w->failed ? -1 : 0;
}

static void
writer_free(writer *w)
{
  size_t i;

  for (i = 0; i < QUEUE_BATCHES; i++) {
    free(w->q[i].terms);
    free(w->q[i].arena);
  }
  icx_store_writer_free(w->out);
}

/* --- one document ---------------------------------------------------------- */

/* Turtle is read in pieces that end at a statement's final '.'
 * (icx_pieces.h): raptor's Turtle parser keeps the whole text it is given
 * until the end, so one piece at a time bounds its memory.  Each piece is
 * parsed after the @prefix and @base directives seen so far. */
#define PIECE_BYTES ((size_t)1 << 20)

/* What the checks of one statement need to know of an IRI, remembered by
 * the raptor_uri (raptor interns IRIs, so a predicate is one pointer in
 * every statement); each slot holds a reference, so no pointer is reused
 * while it is remembered. */
#define IRI_MEMO 64

typedef struct iri_info {
  int undefined;              /* in a vocabulary namespace, not defined by it */
  int is_name;                /* the name property */
  const icx_attribute *attr;  /* the attribute it is, or NULL */
  const icx_attribute *value_of;   /* last attribute it was found a value of */
} iri_info;

typedef struct doc {
  icx_loader *l;
  const char *source;
  raptor_parser *parser;
  raptor_world *rw;
  raptor_uri *base;
  char blank_prefix[24];
  size_t prefix_len;
  writer w;
  size_t parsed;              /* statements delivered by raptor */
  icx_rc rc;                  /* a check or the store failed (message set) */
  unsigned long anon;         /* blank nodes without a label so far */
  raptor_uri *memo_uri[IRI_MEMO];
  iri_info memo[IRI_MEMO];
  int errors;                 /* raptor's errors; the first one: */
  long err_line;
  int err_column;
  char err_text[400];
  /* the text not yet parsed, and the Turtle scanner over it */
  int split;
  char *text;
  size_t len, cap;
  icx_pieces pieces;
  long line0;                 /* the document line of text[0] */
  long line_adjust;           /* document line = raptor's line - this */
} doc;

/* Bytes a term takes in the arena. */
static size_t
term_bytes(const doc *d, const raptor_term *t)
{
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI: {
    size_t n = 0;
    raptor_uri_as_counted_string(t->value.uri, &n);
    return n + 1;
  }
  case RAPTOR_TERM_TYPE_BLANK:
    return d->prefix_len + t->value.blank.string_len + 1;
  case RAPTOR_TERM_TYPE_LITERAL: {
    size_t n = t->value.literal.string_len + 1 + t->value.literal.language_len + 1;
    if (t->value.literal.datatype) {
      size_t k = 0;
      raptor_uri_as_counted_string(t->value.literal.datatype, &k);
      n += k + 1;
    }
    return n;
  }
  case RAPTOR_TERM_TYPE_UNKNOWN:
    break;
  }
  return 0;
}

static char *
arena_put(batch *b, const char *a, size_t alen, const char *c, size_t clen)
{
  char *out = b->arena + b->used;

  if (alen)
    memcpy(out, a, alen);
  if (clen)
    memcpy(out + alen, c, clen);
  out[alen + clen] = '\0';
  b->used += alen + clen + 1;
  return out;
}

/* Copies t into b (which has room) as x. */
static void
term_put(const doc *d, batch *b, icx_term *x, const raptor_term *t)
{
  size_t n = 0;
  const char *s;

  memset(x, 0, sizeof *x);
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI:
    s = (const char *)raptor_uri_as_counted_string(t->value.uri, &n);
    x->kind = ICX_TERM_IRI;
    x->lex = arena_put(b, s, n, NULL, 0);
    x->len = n;
    break;
  case RAPTOR_TERM_TYPE_BLANK:
    x->kind = ICX_TERM_BLANK;
    x->lex = arena_put(b, d->blank_prefix, d->prefix_len,
                       (const char *)t->value.blank.string, t->value.blank.string_len);
    x->len = d->prefix_len + t->value.blank.string_len;
    break;
  case RAPTOR_TERM_TYPE_LITERAL:
    x->kind = ICX_TERM_LITERAL;
    x->len = t->value.literal.string_len;
    x->lex = arena_put(b, (const char *)t->value.literal.string, x->len, NULL, 0);
    if (t->value.literal.language && t->value.literal.language_len)
      x->lang = arena_put(b, (const char *)t->value.literal.language,
                          t->value.literal.language_len, NULL, 0);
    if (t->value.literal.datatype) {
      s = (const char *)raptor_uri_as_counted_string(t->value.literal.datatype, &n);
      x->dt = arena_put(b, s, n, NULL, 0);
    }
    break;
  case RAPTOR_TERM_TYPE_UNKNOWN:
    break;
  }
}

/* Appends a statement to the current batch, handing full batches to the
 * writer.  ICX_OK, or the failure with its message set. */
static icx_rc
batch_add(doc *d, const raptor_statement *s)
{
  writer *w = &d->w;
  batch *b = writer_current(w);
  size_t need = term_bytes(d, s->subject) + term_bytes(d, s->predicate) +
                term_bytes(d, s->object);

  if (b->n && (b->n == BATCH_STATEMENTS || b->used + need > b->cap)) {
    if (writer_push(w))
      return icx_fail(d->l->ctx, ICX_ERR_STORE, "%s: cannot write the triples: %s", d->source,
                      icx_store_errmsg(d->l->store));
    b = writer_current(w);
  }
  if (!b->terms && !(b->terms = malloc(3 * BATCH_STATEMENTS * sizeof *b->terms)))
    return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
  if (b->cap < need) {        /* the batch is empty: grow its arena */
    size_t cap = need > BATCH_BYTES ? need : BATCH_BYTES;
    char *na = realloc(b->arena, cap);
    if (!na)
      return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    b->arena = na;
    b->cap = cap;
  }
  term_put(d, b, &b->terms[3 * b->n], s->subject);
  term_put(d, b, &b->terms[3 * b->n + 1], s->predicate);
  term_put(d, b, &b->terms[3 * b->n + 2], s->object);
  b->n++;
  return ICX_OK;
}

static const char *
term_iri(const raptor_term *t)
{
  return t && t->type == RAPTOR_TERM_TYPE_URI
    ? (const char *)raptor_uri_as_string(t->value.uri) : NULL;
}

/* A printable id for a term: <IRI>, _:id for a blank node, "literal". */
static void
term_show(const doc *d, const raptor_term *t, char *buf, size_t n)
{
  if (t->type == RAPTOR_TERM_TYPE_URI)
    snprintf(buf, n, "<%s>", (const char *)raptor_uri_as_string(t->value.uri));
  else if (t->type == RAPTOR_TERM_TYPE_BLANK)
    snprintf(buf, n, "_:%s%s", d->blank_prefix, (const char *)t->value.blank.string);
  else
    snprintf(buf, n, "\"%s\"", (const char *)t->value.literal.string);
}
/* 1 if the literal's lexical form fits the attribute's datatype. */
static int
lexical_ok(icx_datatype t, const char *s)
{
  switch (t) {
  case ICX_TYPE_BOOLEAN:
    return !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "1") || !strcmp(s, "0");
  case ICX_TYPE_STRING:
  case ICX_TYPE_INDIVIDUAL:
    return 1;
  case ICX_TYPE_INTEGER:
    return icx_lexical_number(s, 0, 0);
  case ICX_TYPE_DECIMAL:
    return icx_lexical_number(s, 1, 1);   /* decimals, and doubles' forms */
  }
  return 0;
}

/* 1 if the literal's datatype IRI is acceptable for the attribute type. */
static int
datatype_ok(icx_datatype t, const char *dt)
{
  static const char *const ints[] = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte", NULL
  };
  size_t n = strlen(XSD), i;
  const char *local;

  if (!dt)
    return t == ICX_TYPE_STRING;
  if (strncmp(dt, XSD, n) != 0)
    return 0;
  local = dt + n;
  switch (t) {
  case ICX_TYPE_STRING:
    return !strcmp(local, "string");
  case ICX_TYPE_BOOLEAN:
    return !strcmp(local, "boolean");
  case ICX_TYPE_DECIMAL:
    if (!strcmp(local, "decimal") || !strcmp(local, "double") || !strcmp(local, "float"))
      return 1;
    for (i = 0; ints[i]; i++)       /* integers are decimals too */
      if (!strcmp(local, ints[i]))
        return 1;
    return 0;
  case ICX_TYPE_INTEGER:
    for (i = 0; ints[i]; i++)
      if (!strcmp(local, ints[i]))
        return 1;
    return 0;
  case ICX_TYPE_INDIVIDUAL:
    return 0;
  }
  return 0;
}

static const icx_attribute *
attribute_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i, n = icx_vocab_attribute_count(v);

  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_vocab_attribute(v, i);
    if (!strcmp(icx_attribute_iri(a), iri))
      return a;
  }
  return NULL;
}

/* What the checks need to know of the IRI of t (a URI term). */
static iri_info
iri_info_of(doc *d, const raptor_term *t)
{
  raptor_uri *u = t->value.uri;
  size_t k = ((uintptr_t)u >> 4) % IRI_MEMO;
  const icx_vocab *v = d->l->vocab;
  const char *iri;
  iri_info info;

  if (d->memo_uri[k] == u)
    return d->memo[k];
  iri = (const char *)raptor_uri_as_string(u);
  info.undefined = icx_vocab_in_namespace(v, iri) && !icx_vocab_defines(v, iri);
  info.is_name = !strcmp(iri, icx_vocab_name_property(v));
  info.attr = attribute_by_iri(v, iri);
  info.value_of = NULL;
  if (d->memo_uri[k])
    raptor_free_uri(d->memo_uri[k]);
  d->memo_uri[k] = raptor_uri_copy(u);
  d->memo[k] = info;
  return info;
}

/* Remembers that the IRI of t is a value of attribute a. */
static void
iri_value_of(doc *d, const raptor_term *t, const icx_attribute *a)
{
  size_t k = ((uintptr_t)t->value.uri >> 4) % IRI_MEMO;

  if (d->memo_uri[k] == t->value.uri)
    d->memo[k].value_of = a;
}

static void
memo_free(doc *d)
{
  size_t k;

  for (k = 0; k < IRI_MEMO; k++)
    if (d->memo_uri[k])
      raptor_free_uri(d->memo_uri[k]);
}

/* A subject as error messages show it; for a statement derived by
 * alignment, with the foreign term the document used. */
static void
show_subject(const doc *d, const raptor_term *t, const char *via, char *buf, size_t n)
{
  term_show(d, t, buf, n);
  if (via)
    snprintf(buf + strlen(buf), n - strlen(buf), ", stated with <%.200s>,", via);
}

/* Checks one statement alone (via: see show_subject).  Returns 0, or -1
 * with the message set. */
static int
check_statement(doc *d, const raptor_statement *s, int line, const char *via)
{
  icx_loader *l = d->l;
  const char *source = d->source;
  const char *p = term_iri(s->predicate);
  const raptor_term *o = s->object;
  const char *oi = term_iri(o);
  iri_info pinfo = { 0, 0, NULL, NULL }, oinfo = { 0, 0, NULL, NULL };
  const icx_attribute *a;
  char subj[300];

  if (p)
    pinfo = iri_info_of(d, s->predicate);
  if (oi)
    oinfo = iri_info_of(d, o);
  if (pinfo.undefined) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: property <%s> is not defined by the vocabulary",
             source, line, p);
    return -1;
  }
  if (oinfo.undefined) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: <%s> is not defined by the vocabulary",
             source, line, oi);
    return -1;
  }
  if (!p)
    return 0;
  if (pinfo.is_name && o->type != RAPTOR_TERM_TYPE_LITERAL) {
    show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: the name of %s must be a literal",
             source, line, subj);
    return -1;
  }
  if (!(a = pinfo.attr))
    return 0;
  if (icx_attribute_place(a)) {
    show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID,
             "%s:%d: %s of %s: icx works %s out from %s; a document does not state it",
             source, line, icx_attribute_label(a), subj, icx_attribute_label(a),
             icx_attribute_label(icx_attribute_place(a)));
    return -1;
  }
  if (icx_attribute_type(a) == ICX_TYPE_INDIVIDUAL) {
    if (oi && oinfo.value_of == a)
      return 0;
    if (!oi || !icx_attribute_find_value(a, oi)) {
      char shown[300];
      show_subject(d, s->subject, via, subj, sizeof subj);
      term_show(d, o, shown, sizeof shown);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: %s of %s is %s, which is not a <%s> of the vocabulary",
               source, line, icx_attribute_label(a), subj, shown, icx_attribute_range(a));
      return -1;
    }
    iri_value_of(d, o, a);
    return 0;
  }
  if (o->type != RAPTOR_TERM_TYPE_LITERAL) {
    show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: %s of %s must be a %s literal",
             source, line, icx_attribute_label(a), subj,
             icx_datatype_name(icx_attribute_type(a)));
    return -1;
  }
  {
    const char *lex = (const char *)o->value.literal.string;
    const char *dt = o->value.literal.datatype
      ? (const char *)raptor_uri_as_string(o->value.literal.datatype) : NULL;
    if (!datatype_ok(icx_attribute_type(a), dt) || !lexical_ok(icx_attribute_type(a), lex)) {
      show_subject(d, s->subject, via, subj, sizeof subj);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: %s of %s is \"%.60s\"%s%s%s; expected a value of type <%s>",
               source, line, icx_attribute_label(a), subj, lex,
               dt ? "^^<" : " (no datatype)", dt ? dt : "", dt ? ">" : "",
               icx_attribute_range(a));
      return -1;
    }
  }
  return 0;
}

/* Blank node ids.  librdf's world would map labels to fresh ids anew in
 * every parse (and not at all unless a librdf parser reset its map), so
 * _:x twice in one document would be two nodes.  Labels are kept as they
 * are written (the document's prefix makes them its own in term_put);
 * nodes without a label are numbered "-N", which no label can be. */
static unsigned char *
on_bnodeid(void *ud, unsigned char *user_bnodeid)
{
  doc *d = ud;
  char id[32];
  unsigned char *out;

  if (user_bnodeid)
    return user_bnodeid;      /* raptor hands it over; it is ours to return */
  snprintf(id, sizeof id, "-%lu", ++d->anon);
  if ((out = malloc(strlen(id) + 1)))   /* raptor frees it with free() */
    memcpy(out, id, strlen(id) + 1);
  return out;
}

static void
on_log(void *ud, raptor_log_message *m)
{
  doc *d = ud;
  long line = m->locator && m->locator->line > 0 ? m->locator->line - d->line_adjust : 0;

  if (m->level >= RAPTOR_LOG_LEVEL_ERROR) {
    if (d->errors++ == 0) {
      d->err_line = line;
      d->err_column = m->locator ? m->locator->column : -1;
      snprintf(d->err_text, sizeof d->err_text, "%s", m->text ? m->text : "(no message)");
    }
  } else if (m->level == RAPTOR_LOG_LEVEL_WARN) {
    icx_log(d->l->ctx, ICX_LOG_WARN, "rdf", "%s:%ld: %s", d->source, line,
            m->text ? m->text : "");
  }
}

/* Alignment: a statement in another vocabulary's term declared
 * equivalent to one of ours (owl:equivalentProperty, owl:equivalentClass)
 * is also stored in ours, checked as ours; the original is stored too. */
static icx_rc
add_aligned(doc *d, const raptor_statement *s, int line)
{
  const icx_vocab *v = d->l->vocab;
  const char *p = term_iri(s->predicate), *mapped;
  raptor_statement derived = *s;
  raptor_term *t = NULL;
  const char *via = NULL;
  icx_rc rc;

  if ((mapped = icx_vocab_equivalent_property(v, p))) {
    via = p;
    if (!(t = raptor_new_term_from_uri_string(d->rw, (const unsigned char *)mapped)))
      return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    derived.predicate = t;
  } else if (p && !strcmp(p, RDF_TYPE) &&
             (mapped = icx_vocab_equivalent_class(v, term_iri(s->object)))) {
    via = term_iri(s->object);
    if (!(t = raptor_new_term_from_uri_string(d->rw, (const unsigned char *)mapped)))
      return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    derived.object = t;
  } else {
    return ICX_OK;
  }
  rc = check_statement(d, &derived, line, via) ? ICX_ERR_INVALID : batch_add(d, &derived);
  raptor_free_term(t);
  return rc;
}

static void
on_statement(void *ud, raptor_statement *s)
{
  doc *d = ud;
  int line;

  if (d->rc)
    return;
  line = raptor_locator_line(raptor_parser_get_locator(d->parser));
  if (line > 0)
    line = (int)(line - d->line_adjust);
  if (check_statement(d, s, line, NULL))
    d->rc = ICX_ERR_INVALID;
  else
    d->rc = batch_add(d, s);
  if (!d->rc)
    d->rc = add_aligned(d, s, line);
  if (d->rc)
    raptor_parser_parse_abort(d->parser);
  else
    d->parsed++;
}

/* --- the checks over the whole graph, on the ids the load wrote ------------ */

/* A class of the vocabulary that things in the graph are typed with. */
typedef struct cls {
  icx_id id;
  const char *iri;
  int cloud, service;
} cls;

typedef struct attr_id {
  icx_id id;
  const icx_attribute *a;
} attr_id;

typedef struct gcheck {
  doc *d;
  icx_store *store;
  icx_id g, type, name, offers;
  cls *cls;
  size_t n_cls;
  attr_id *attrs;
  size_t n_attrs;
  /* the subject being read, and what it has */
  icx_id subj;
  int names;
  const cls **types;
  const icx_attribute **used;
  icx_id *offered;
  size_t n_types, n_used, n_offered, cap_types, cap_used, cap_offered;
  /* services recently offered by a cloud: an open-addressing set */
  icx_id *window;
  size_t in_window;
  long clouds;
  int found;
  icx_rc rc;                  /* why the walk stopped */
} gcheck;

static int
cmp_cls(const void *a, const void *b)
{
  const cls *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static int
cmp_attr_id(const void *a, const void *b)
{
  const attr_id *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static const cls *
find_cls(const gcheck *c, icx_id id)
{
  cls key;

  key.id = id;
  return c->n_cls ? bsearch(&key, c->cls, c->n_cls, sizeof key, cmp_cls) : NULL;
}

/* Grows *v (elements of size sz) to hold one more.  0 or -1. */
static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
  void *nv;
  size_t ncap;

  if (n < *cap)
    return 0;
  ncap = *cap ? *cap * 2 : 16;
  if (!(nv = realloc(*v, ncap * sz)))
    return -1;
  *v = nv;
  *cap = ncap;
  return 0;
}

static void
window_add(gcheck *c, icx_id id)
{
  size_t i, mask = 2 * OFFERED_WINDOW - 1;

  if (c->in_window >= OFFERED_WINDOW) {
    memset(c->window, 0, 2 * OFFERED_WINDOW * sizeof *c->window);
    c->in_window = 0;
  }
  for (i = (size_t)id * 0x9E3779B97F4A7C15ULL >> 40 & mask; c->window[i]; i = (i + 1) & mask)
    if (c->window[i] == id)
      return;
  c->window[i] = id;
  c->in_window++;
}

static int
window_has(const gcheck *c, icx_id id)
{
  size_t i, mask = 2 * OFFERED_WINDOW - 1;

  for (i = (size_t)id * 0x9E3779B97F4A7C15ULL >> 40 & mask; c->window[i]; i = (i + 1) & mask)
    if (c->window[i] == id)
      return 1;
  return 0;
}

/* Walking the types of a subject that offers the service: a cloud? */
static int
offerer_type(void *ud, icx_id s, icx_id p, icx_id o)
{
  gcheck *c = ud;
  const cls *k = find_cls(c, o);

  (void)s;
  (void)p;
  c->found = k && k->cloud;
  return c->found;
}

static int
offerer(void *ud, icx_id s, icx_id p, icx_id o)
{
  gcheck *c = ud;

  (void)p;
  (void)o;
  if (icx_store_walk(c->store, c->g, s, c->type, 0, offerer_type, c))
    c->rc = ICX_ERR_STORE;
  return c->found || c->rc;
}

/* 1 if a cloud of the graph offers id. */
static int
offered_by_cloud(gcheck *c, icx_id id)
{
  if (window_has(c, id))
    return 1;
  c->found = 0;
  if (c->offers > 0 && icx_store_walk(c->store, c->g, 0, c->offers, id, offerer, c))
    c->rc = ICX_ERR_STORE;
  return c->found;
}

/* The checks on the subject just read.  0, or -1 with the message set. */
static int
subject_done(gcheck *c)
{
  const icx_vocab *v = c->d->l->vocab;
  icx_ctx *ctx = c->d->l->ctx;
  const char *cloud = icx_vocab_cloud_class(v);
  int is_cloud = 0, is_service = 0, rc = 0;
  size_t i, j;
  char *shown = NULL;

  if (!c->subj)
    return 0;
  for (i = 0; i < c->n_types; i++) {
    is_cloud |= c->types[i]->cloud;
    is_service |= c->types[i]->service;
  }
  if (is_cloud) {
    c->clouds++;
    if (c->names != 1) {
      shown = icx_store_term_text(c->store, c->subj);
      icx_fail(ctx, ICX_ERR_INVALID, "%s: cloud %s has %d names (<%s>); it needs exactly one",
               c->d->source, shown ? shown : "?", c->names, icx_vocab_name_property(v));
      rc = -1;
      goto done;
    }
    for (i = 0; i < c->n_offered; i++)
      window_add(c, c->offered[i]);
  } else if (c->names || c->n_offered) {
    /* The compiled queries rely on it (icx_compile.c, typed_by_pattern). */
    shown = icx_store_term_text(c->store, c->subj);
    icx_fail(ctx, ICX_ERR_INVALID, "%s: %s has <%s> but is not typed <%s> or a class under it",
             c->d->source, shown ? shown : "?",
             c->names ? icx_vocab_name_property(v) : icx_vocab_offers_property(v), cloud);
    rc = -1;
    goto done;
  }
  /* Every attribute it has needs its domain among the subject's types. */
  for (i = 0; i < c->n_used; i++) {
    const char *dom = icx_attribute_domain(c->used[i]);
    int typed = 0;
    for (j = 0; j < c->n_types && !typed; j++)
      typed = icx_vocab_class_subsumes(v, dom, c->types[j]->iri);
    if (!typed) {
      shown = icx_store_term_text(c->store, c->subj);
      icx_fail(ctx, ICX_ERR_INVALID, "%s: %s has %s but is not typed <%s>", c->d->source,
               shown ? shown : "?", icx_attribute_label(c->used[i]), dom);
      rc = -1;
      goto done;
    }
    if (!icx_vocab_class_subsumes(v, cloud, dom))
      is_service = 1;
  }
  if (is_service && !offered_by_cloud(c, c->subj) && !c->rc) {
    shown = icx_store_term_text(c->store, c->subj);
    icx_fail(ctx, ICX_ERR_INVALID,
             "%s: service %s belongs to no cloud (no <%s> links a cloud to it)",
             c->d->source, shown ? shown : "?", icx_vocab_offers_property(v));
    rc = -1;
  }
done:
  free(shown);
  if (rc && !c->rc)
    c->rc = ICX_ERR_INVALID;
  c->subj = 0;
  c->names = 0;
  c->n_types = c->n_used = c->n_offered = 0;
  return rc;
}

static int
graph_quad(void *ud, icx_id s, icx_id p, icx_id o)
{
  gcheck *c = ud;
  attr_id key;
  const attr_id *a;
  const cls *k;
  int nomem = 0;

  if (s != c->subj) {
    if (subject_done(c) || c->rc)
      return 1;
    c->subj = s;
  }
  if (p == c->type && (k = find_cls(c, o)))
    nomem = grow((void **)&c->types, &c->cap_types, c->n_types, sizeof *c->types) ||
            !(c->types[c->n_types++] = k);
  if (p == c->name)
    c->names++;
  if (p == c->offers)
    nomem |= grow((void **)&c->offered, &c->cap_offered, c->n_offered, sizeof *c->offered) ||
             !(c->offered[c->n_offered++] = o);
  key.id = p;
  if (c->n_attrs && (a = bsearch(&key, c->attrs, c->n_attrs, sizeof key, cmp_attr_id)) &&
      (!c->n_used || c->used[c->n_used - 1] != a->a))
    nomem |= grow((void **)&c->used, &c->cap_used, c->n_used, sizeof *c->used) ||
             !(c->used[c->n_used++] = a->a);
  if (nomem)
    c->rc = icx_fail(c->d->l->ctx, ICX_ERR_NOMEM, "out of memory");
  return c->rc != ICX_OK;
}

/* Adds the classes of iris (NULL-ended; may be NULL) to c's table. */
static icx_rc
add_classes(gcheck *c, const char *const *iris, int cloud, int service)
{
  size_t i;

  for (i = 0; iris && iris[i]; i++) {
    icx_id id = icx_store_iri_id(c->store, iris[i]);
    cls *nv;
    if (id < 0)
      return ICX_ERR_STORE;   /* the caller says so, with the store's message */
    if (id == 0)
      continue;               /* no statement can use it */
    if (!(nv = realloc(c->cls, (c->n_cls + 1) * sizeof *nv)))
      return icx_fail(c->d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    c->cls = nv;
    nv[c->n_cls].id = id;
    nv[c->n_cls].iri = iris[i];
    nv[c->n_cls].cloud = cloud;
    nv[c->n_cls].service = service;
    c->n_cls++;
  }
  return 0;
}

/* Graph checks: clouds have one name; things described by attributes are
 * typed with the attributes' domain and offered by a cloud; only clouds
 * have a name or offer services; there is a cloud.  Reads the graph the
 * load wrote, subject by subject.  ICX_OK or the failure, with its
 * message set. */
static icx_rc
check_graph(doc *d, const char *doc_uri)
{
  icx_loader *l = d->l;
  const icx_vocab *v = l->vocab;
  const char *cloud = icx_vocab_cloud_class(v);
  size_t i, n = icx_vocab_attribute_count(v), k;
  gcheck c;
  icx_rc rc = ICX_OK;

  memset(&c, 0, sizeof c);
  c.d = d;
  c.store = l->store;
  c.g = icx_store_iri_id(c.store, doc_uri);
  c.type = icx_store_iri_id(c.store, RDF_TYPE);
  c.name = icx_store_iri_id(c.store, icx_vocab_name_property(v));
  c.offers = icx_store_iri_id(c.store, icx_vocab_offers_property(v));
  c.attrs = calloc(n ? n : 1, sizeof *c.attrs);
  c.window = calloc(2 * OFFERED_WINDOW, sizeof *c.window);
  if (!c.attrs || !c.window) {
    rc = icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (c.g < 0 || c.type < 0 || c.name < 0 || c.offers < 0)
    goto store_failed;
  if ((rc = add_classes(&c, icx_vocab_subclasses(v, cloud), 1, 0)))
    goto classes_failed;
  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_vocab_attribute(v, i);
    const char *dom = icx_attribute_domain(a);
    icx_id id = icx_store_iri_id(c.store, icx_attribute_iri(a));
    if (id < 0)
      goto store_failed;
    if ((rc = add_classes(&c, icx_vocab_subclasses(v, dom), 0,
                          !icx_vocab_class_subsumes(v, cloud, dom))))
      goto classes_failed;
    if (id > 0) {
      c.attrs[c.n_attrs].id = id;
      c.attrs[c.n_attrs++].a = a;
    }
  }
  if (c.n_attrs > 1)
    qsort(c.attrs, c.n_attrs, sizeof *c.attrs, cmp_attr_id);
  if (c.n_cls > 1)
    qsort(c.cls, c.n_cls, sizeof *c.cls, cmp_cls);
  for (i = 0, k = 0; i < c.n_cls; i++) {       /* one entry per class */
    if (k && c.cls[k - 1].id == c.cls[i].id) {
      c.cls[k - 1].cloud |= c.cls[i].cloud;
      c.cls[k - 1].service |= c.cls[i].service;
    } else {
      c.cls[k++] = c.cls[i];
    }
  }
  c.n_cls = k;
  if (c.g > 0) {
    if (icx_store_walk(c.store, c.g, 0, 0, 0, graph_quad, &c))
      goto store_failed;
    if (!c.rc)
      subject_done(&c);
    if (c.rc == ICX_ERR_STORE)
      goto store_failed;
    if (c.rc) {
      rc = c.rc;
      goto done;
    }
  }
  if (c.clouds == 0)
    rc = icx_fail(l->ctx, ICX_ERR_INVALID, "%s: describes no cloud (nothing is typed <%s>)",
                  d->source, cloud);
  goto done;
classes_failed:
  if (rc != ICX_ERR_STORE)
    goto done;                /* out of memory, said */
store_failed:
  rc = icx_fail(l->ctx, ICX_ERR_STORE, "%s: cannot check the graph: %s", d->source,
                icx_store_errmsg(c.store));
done:
  free(c.cls);
  free(c.attrs);
  free(c.types);
  free(c.used);
  free(c.offered);
  free(c.window);
  return rc;
}

/* --- parsing, in pieces for Turtle --------------------------------------- */

static uint64_t
fnv1a(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

/* Parses text[0..upto) (after the prologue, for a piece) as a whole.
 * Returns raptor's result. */
static int
parse_piece(doc *d, size_t upto)
{
  size_t plen = 0, i;
  const char *prologue = icx_pieces_prologue(&d->pieces, &plen);
  long lines = 0, prologue_lines = 0;
  int prc;

  if (!prologue) {
    d->rc = icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    return 1;
  }
  for (i = 0; i < plen; i++)
    prologue_lines += prologue[i] == '\n';
  d->line_adjust = prologue_lines - (d->line0 - 1);
  if (raptor_parser_parse_start(d->parser, d->base))
    return 1;
  prc = plen ? raptor_parser_parse_chunk(d->parser, (const unsigned char *)prologue, plen, 0)
             : 0;
  if (!prc)
    prc = raptor_parser_parse_chunk(d->parser, (const unsigned char *)d->text, upto, 1);
  for (i = 0; i < upto; i++)
    lines += d->text[i] == '\n';
  d->line0 += lines;
  memmove(d->text, d->text + upto, d->len - upto);
  d->len -= upto;
  icx_pieces_consumed(&d->pieces, upto);
  return prc;
}

/* Takes n more bytes of the document (n == 0 at the end).  Turtle is
 * parsed piece by piece, anything else as it comes.  Returns raptor's
 * result. */
static int
feed(doc *d, const unsigned char *p, size_t n, int end)
{
  if (!d->split) {
    return raptor_parser_parse_chunk(d->parser, p, n, end);
  }
  if (d->len + n > d->cap) {
    size_t cap = d->cap ? d->cap : PIECE_BYTES + READ_CHUNK;
    char *nt;
    while (cap < d->len + n)
      cap *= 2;
    if (!(nt = realloc(d->text, cap))) {
      d->rc = icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
      return 1;
    }
    d->text = nt;
    d->cap = cap;
  }
  if (n)
    memcpy(d->text + d->len, p, n);
  d->len += n;
  if (end)
    return parse_piece(d, d->len);
  if (icx_pieces_scan(&d->pieces, d->text, d->len) >= PIECE_BYTES)
    return parse_piece(d, icx_pieces_cut(&d->pieces));
  return 0;
}

/* Reads from fp, or from buf/len when fp is NULL. */
static icx_rc
load_document(icx_loader *l, const char *source, const char *doc_uri, const char *base,
              icx_format fmt, FILE *fp, const unsigned char *buf, size_t len)
{
  icx_ctx *ctx = l->ctx;
  icx_store *store = l->store;
  doc d;
  icx_rc rc = ICX_OK;
  size_t total = 0, done = 0, count = 0;
  int prc = 0, begun = 0;
  struct stat sb;
  double t0 = icx_now_ms(), t1, t2, t3;

  memset(&d, 0, sizeof d);
  d.l = l;
  d.source = source;
  d.line0 = 1;
  d.split = fmt == ICX_FORMAT_TURTLE;
  icx_pieces_init(&d.pieces);
  d.rw = l->rw;
  raptor_world_set_log_handler(d.rw, &d, on_log);
  raptor_world_set_generate_bnodeid_handler(d.rw, &d, on_bnodeid);
  snprintf(d.blank_prefix, sizeof d.blank_prefix, "d%016llx_",
           (unsigned long long)fnv1a(doc_uri));
  d.prefix_len = strlen(d.blank_prefix);
  d.parser = raptor_new_parser(d.rw, raptor_name(fmt));
  d.base = raptor_new_uri(d.rw, (const unsigned char *)base);
  if (!d.parser || !d.base) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  raptor_parser_set_option(d.parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(d.parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(d.parser, &d, on_statement);
  if ((rc = icx_store_document_begin(store, doc_uri)))
    goto done;
  begun = 1;
  if (!(d.w.out = icx_store_writer_new(store))) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "%s: cannot write to the store: %s", source,
                  icx_store_errmsg(store));
    goto done;
  }
  if (fp)
    total = fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) ? (size_t)sb.st_size : 0;
  else
    total = len;
  if (raptor_parser_parse_start(d.parser, d.base) == 0) {
    unsigned char chunk[READ_CHUNK];
    for (;;) {
      const unsigned char *piece = fp ? chunk : buf + done;
      size_t got = fp ? fread(chunk, 1, sizeof chunk, fp)
                      : (len - done < READ_CHUNK ? len - done : READ_CHUNK);
      if (!got)
        break;
      done += got;
      prc = feed(&d, piece, got, 0);
      if (prc || d.errors || d.rc)
        break;
      if (l->progress)
        l->progress(l->progress_ud, source, done, total, d.parsed, 0);
    }
    if (fp && ferror(fp)) {
      rc = icx_fail(ctx, ICX_ERR_IO, "%s: read error: %s", source, strerror(errno));
      goto done;
    }
    if (prc == 0 && !d.errors && !d.rc)
      prc = feed(&d, NULL, 0, 1);
  } else {
    prc = 1;
  }
  if (d.rc) {
    rc = d.rc;
    goto done;
  }
  if (prc || d.errors) {
    if (!d.errors)
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s: does not parse", source);
    else if (d.err_line > 0 && d.err_column > 0)
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s:%ld:%d: %s", source, d.err_line, d.err_column,
                    d.err_text);
    else if (d.err_line > 0)
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s:%ld: %s", source, d.err_line, d.err_text);
    else
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s: %s", source, d.err_text);
    goto done;
  }
  t1 = icx_now_ms();
  if (writer_finish(&d.w, 1)) {
    rc = icx_fail(ctx, ICX_ERR_STORE, "%s: cannot write the triples: %s", source,
                  icx_store_errmsg(store));
    goto done;
  }
  t2 = icx_now_ms();
  if ((rc = check_graph(&d, doc_uri)))
    goto done;
  t3 = icx_now_ms();
  count = icx_store_writer_added(d.w.out);
  if (!l->dry_run) {
    rc = icx_store_document_commit(store, source, icx_format_name(fmt), count);
    begun = 0;
  }
  icx_log(ctx, ICX_LOG_DEBUG, "loader", "%s: parsed in %.0f ms, writes done %.0f ms later, "
          "graph checks %.0f ms, commit %.0f ms", source, t1 - t0, t2 - t1, t3 - t2,
          icx_now_ms() - t3);
done:
  writer_finish(&d.w, 0);
  if (begun)
    icx_store_document_abort(store);
  if (l->progress)
    l->progress(l->progress_ud, source, done, total, rc ? d.parsed : count, 1);
  if (l->report)
    l->report(l->report_ud, source, rc, rc ? icx_ctx_errmsg(ctx) : "", rc ? 0 : (long)count);
  writer_free(&d.w);
  memo_free(&d);
  free(d.text);
  icx_pieces_free(&d.pieces);
  if (d.base)
    raptor_free_uri(d.base);
  if (d.parser)
    raptor_free_parser(d.parser);
  raptor_world_set_log_handler(l->rw, NULL, NULL);
  raptor_world_set_generate_bnodeid_handler(l->rw, NULL, NULL);
  return rc;
}

/* 1 for a file named *.xml whose first 4 KiB do not name the RDF
 * namespace: other XML (constraint requests beside the documents, say),
 * which a folder walk skips rather than reporting as broken RDF/XML.  A
 * file named on its own is always loaded. */
static int
is_xml_not_rdf(const char *path)
{
  static const char rdf_ns[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  size_t n = strlen(path), got;
  char head[4097];
  FILE *fp;

  if (n < 4 || strcmp(path + n - 4, ".xml") != 0 || !(fp = fopen(path, "rb")))
    return 0;
  got = fread(head, 1, sizeof head - 1, fp);
  fclose(fp);
  head[got] = '\0';
  if (memchr(head, '\0', got))
    return 0;                 /* not text: let the parser say what it is */
  return strstr(head, rdf_ns) == NULL;
}

static icx_rc
load_file(icx_loader *l, const char *path, icx_format fmt)
{
  char *doc_uri;
  FILE *fp;
  icx_rc rc;

  if (fmt == ICX_FORMAT_AUTO) {
    rc = icx_fail(l->ctx, ICX_ERR_RDF,
                  "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", path);
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  fp = fopen(path, "rb");
  doc_uri = fp ? icx_loader_doc_uri_for_path(path) : NULL;
  if (!fp || !doc_uri) {
    rc = icx_fail(l->ctx, ICX_ERR_IO, "%s: %s", path, strerror(errno));
    if (fp)
      fclose(fp);
    free(doc_uri);
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  rc = load_document(l, path, doc_uri, doc_uri, fmt, fp, NULL, 0);
  fclose(fp);
  free(doc_uri);
  return rc;
}

static icx_rc load_tree(icx_loader *l, const char *path, int depth);

static icx_rc
load_folder(icx_loader *l, const char *dir, int depth)
{
  DIR *d;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;
  icx_rc rc = ICX_OK, first = ICX_OK;

  if (depth > MAX_FOLDER_DEPTH)
    return icx_fail(l->ctx, ICX_ERR_LIMIT, "%s: folders nest deeper than %d", dir,
                    MAX_FOLDER_DEPTH);
  if (!(d = opendir(dir))) {
    rc = icx_fail(l->ctx, ICX_ERR_IO, "%s: %s", dir, strerror(errno));
    if (l->report)
      l->report(l->report_ud, dir, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  while ((de = readdir(d))) {
    char **nv;
    if (de->d_name[0] == '.')
      continue;
    nv = realloc(names, (n + 1) * sizeof *nv);
    if (!nv || !(nv[n] = strdup(de->d_name))) {
      if (nv)
        names = nv;
      closedir(d);
      while (n)
        free(names[--n]);
      free(names);
      return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    }
    names = nv;
    n++;
  }
  closedir(d);
  if (n > 1)
    qsort(names, n, sizeof *names, icx_cmp_strp);
  for (i = 0; i < n; i++) {
    icx_buf path;
    icx_buf_init(&path);
    icx_buf_appendf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
    if (icx_buf_failed(&path)) {
      rc = icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    } else {
      struct stat sb;
      int by_name = l->format == ICX_FORMAT_AUTO && stat(path.data, &sb) == 0 &&
                    S_ISREG(sb.st_mode);
      if (by_name && format_of_name(path.data) == ICX_FORMAT_AUTO) {
        icx_log(l->ctx, ICX_LOG_INFO, "loader", "skipping %s: not an RDF file name", path.data);
        rc = ICX_OK;
      } else if (by_name && is_xml_not_rdf(path.data)) {
        icx_log(l->ctx, ICX_LOG_INFO, "loader", "skipping %s: XML, but not RDF/XML", path.data);
        rc = ICX_OK;
      } else {
        rc = load_tree(l, path.data, depth + 1);
      }
    }
    icx_buf_free(&path);
    if (rc && !first)
      first = rc;
    if (rc == ICX_ERR_NOMEM)
      break;
  }
  for (i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return first;
}

static icx_rc
load_tree(icx_loader *l, const char *path, int depth)
{
  struct stat sb;
  icx_rc rc;

  if (stat(path, &sb) != 0) {
    rc = icx_fail(l->ctx, errno == ENOENT ? ICX_ERR_NOT_FOUND : ICX_ERR_IO, "%s: %s", path,
                  strerror(errno));
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  if (S_ISDIR(sb.st_mode))
    return load_folder(l, path, depth);
  return load_file(l, path, l->format != ICX_FORMAT_AUTO ? l->format : format_of_name(path));
}

icx_rc
icx_loader_load_path(icx_loader *l, const char *path)
{
  if (!l || !path)
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  return load_tree(l, path, 0);
}

static char *
doc_uri_for_name(const char *name)
{
  const char *colon = strchr(name, ':');
  icx_buf b;

  if (colon && colon > name && !strpbrk(name, " <>\"{}|^`\\")) {
    const char *c;
    for (c = name; c < colon; c++)
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (c > name && ((*c >= '0' && *c <= '9') || *c == '+' || *c == '-' || *c == '.'))))
        break;
    if (c == colon)
      return strdup(name);
  }
  icx_buf_init(&b);
  icx_buf_append(&b, "urn:icx:doc:");
  for (; *name; name++) {
    unsigned char ch = (unsigned char)*name;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        strchr("-._~", ch))
      icx_buf_append_len(&b, (const char *)&ch, 1);
    else
      icx_buf_appendf(&b, "%%%02X", ch);
  }
  return icx_buf_take(&b);
}

icx_rc
icx_loader_load_buffer(icx_loader *l, const char *name, const unsigned char *buf, size_t len)
{
  icx_format fmt;
  char *uri;
  icx_rc rc;

  if (!l || !name || !*name || (!buf && len))
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  fmt = l->format != ICX_FORMAT_AUTO ? l->format : format_of_name(name);
  if (fmt == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_RDF,
                    "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", name);
  if (!(uri = doc_uri_for_name(name)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  rc = load_document(l, name, uri, uri, fmt, NULL, buf ? buf : (const unsigned char *)"", len);
  free(uri);
  return rc;
}

icx_rc
icx_loader_load_stream(icx_loader *l, const char *name, FILE *fp)
{
  icx_format fmt;
  char *uri;
  icx_rc rc;

  if (!l || !name || !*name || !fp)
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  fmt = l->format != ICX_FORMAT_AUTO ? l->format : format_of_name(name);
  if (fmt == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_RDF,
                    "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", name);
  if (!(uri = doc_uri_for_name(name)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  rc = load_document(l, name, uri, uri, fmt, fp, NULL, 0);
  free(uri);
  return rc;
}

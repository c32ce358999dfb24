/* icx_loader_internal.h - what the loader's files share (internal to
 * loaders/).
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
 *
 * The files, one job each:
 *   icx_loader.c            the public calls (icx_loader.h)
 *   icx_loader_walk.c       files, folders and formats by extension
 *   icx_loader_doc.c        one document: raptor fed in pieces, inside one
 *                           store transaction, from first byte to commit
 *   icx_loader_statement.c  each statement as raptor hands it over: its
 *                           checks against the vocabulary and its copy as
 *                           icx_term into the current batch
 *   icx_loader_writer.c     the batches' bounded queue and writer thread
 *   icx_loader_graph.c      the checks over the whole graph, at the end
 *   icx_loader_guard.c      the document's bytes before raptor reads them:
 *                           RDF/XML's depth and DTDs, NULs
 *   icx_pieces.c            where a Turtle text may be cut (icx_pieces.h)
 * The loader reaches the store only through icx_store.h and
 * icx_store_ids.h: by term ids and icx_term, never by the store's tables.
 */
#ifndef ICX_LOADER_INTERNAL_H
#define ICX_LOADER_INTERNAL_H

#include <pthread.h>
#include <stdio.h>
#include <raptor2.h>

#include "icx_id.h"
#include "icx_loader.h"
#include "icx_pieces.h"
#include "icx_store.h"
#include "icx_store_ids.h"
#include "icx_vocab.h"

#define ICX_LOADER_RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
/* A batch is written when it holds this many statements or bytes. */
#define ICX_LOADER_BATCH_STATEMENTS 16384
#define ICX_LOADER_BATCH_BYTES ((size_t)2 << 20)
/* Batches filled or being written at once: the loader's memory bound. */
#define ICX_LOADER_QUEUE_BATCHES 4
/* What the checks of one statement need to know of an IRI, remembered by
 * the raptor_uri (raptor interns IRIs, so a predicate is one pointer in
 * every statement); each slot holds a reference, so no pointer is reused
 * while it is remembered. */
#define ICX_LOADER_IRI_MEMO 64

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
  char *owner;                /* recorded with each document, or NULL */
  /* A raptor world of the loader's own, not librdf's: its blank node ids
   * and its errors are the loader's to handle (see icx_loader_on_bnodeid). */
  raptor_world *rw;
};

/* --- batches, and the writer thread that empties them (icx_loader_writer.c) */

/* Statements as plain bytes: three terms each, pointing into the arena. */
typedef struct icx_loader_batch {
  icx_term *terms;
  size_t n;                   /* statements */
  char *arena;
  size_t used, cap;
} icx_loader_batch;

/* A bounded queue of batches between the parser (the caller's thread) and
 * the store.  The parser fills q[fill]; the writer writes q[head].  head
 * and count change under the lock; fill belongs to the parser alone (it
 * is (head + count) % ICX_LOADER_QUEUE_BATCHES whenever the parser looks,
 * but reading head and count for it would race with the writer).  Until a
 * document outgrows one batch there is no thread: the batch is written by
 * the parser's thread at the end.  All zero is a writer not yet open. */
typedef struct icx_loader_writer {
  icx_ctx *ctx;               /* the store's: its allocator holds the batches */
  icx_store_writer *out;
  icx_loader_batch q[ICX_LOADER_QUEUE_BATCHES];
  size_t head, count;         /* under mu once threaded */
  size_t fill;                /* the parser's */
  int threaded, no_thread, done, cancel, failed;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} icx_loader_writer;

/* The batch the parser fills.  Inline: it is asked for every statement. */
static inline icx_loader_batch *
icx_loader_writer_current(icx_loader_writer *w)
{
  return &w->q[w->fill];
}

/* Opens w (all zero) on the open document of store.  0, or -1
 * (icx_store_errmsg()). */
int icx_loader_writer_open(icx_loader_writer *w, icx_store *store);

/* Hands the current (full) batch over.  0, or -1 when the store failed
 * (icx_store_errmsg()). */
int icx_loader_writer_push(icx_loader_writer *w);

/* Writes what is left (when ok; else drops it), stops the thread and,
 * when ok, ends the store writer's adds (icx_store_writer_end()).  0, or
 * -1 when the store failed. */
int icx_loader_writer_finish(icx_loader_writer *w, int ok);

/* How many statements the writes found new in the document. */
size_t icx_loader_writer_added(const icx_loader_writer *w);

/* The code of a failed store write: ICX_ERR_NOMEM when the store ran out
 * of memory (its storage says "out of memory", or a writer could not be
 * allocated and says nothing), else ICX_ERR_STORE. */
icx_rc icx_loader_store_rc(icx_store *store);

/* Frees the batches and the store's writer; w must be finished. */
void icx_loader_writer_free(icx_loader_writer *w);

/* --- the bytes before raptor (icx_loader_guard.c) ------------------------- */

/* RDF/XML nested deeper than this is refused (raptor's work on it grows
 * with the square of the depth: 100,000 deep took over 15 minutes). */
#define ICX_LOADER_MAX_DEPTH 256

/* Where the scan of a document's bytes is; all zero but for init. */
typedef struct icx_loader_guard {
  int xml;                    /* RDF/XML, else Turtle or N-Triples */
  int state, quote, last, count;
  long depth;
  long line;
} icx_loader_guard;

struct icx_loader_doc;

void icx_loader_guard_init(icx_loader_guard *g, icx_format fmt);

/* Looks at the next n bytes of d's document.  ICX_OK, or the failure
 * (ICX_ERR_RDF, ICX_ERR_LIMIT) with its message set, naming the line. */
icx_rc icx_loader_guard_scan(struct icx_loader_doc *d, const unsigned char *p, size_t n);

/* --- one document (icx_loader_doc.c) --------------------------------------- */

typedef struct icx_loader_iri_info {
  int vocabulary;             /* in a vocabulary namespace, or defined by it */
  int undefined;              /* in a vocabulary namespace, not defined by it */
  int is_name;                /* the name property */
  const icx_attribute *attr;  /* the attribute it is, or NULL */
  const icx_attribute *value_of;   /* last attribute it was found a value of */
} icx_loader_iri_info;

typedef struct icx_loader_doc {
  icx_loader *l;
  const char *source;
  raptor_parser *parser;
  raptor_world *rw;
  raptor_uri *base;
  char blank_prefix[24];
  size_t prefix_len;
  icx_loader_writer w;
  icx_loader_guard guard;
  size_t parsed;              /* statements delivered by raptor */
  icx_rc rc;                  /* a check or the store failed (message set) */
  unsigned long anon;         /* blank nodes without a label so far */
  raptor_uri *memo_uri[ICX_LOADER_IRI_MEMO];
  icx_loader_iri_info memo[ICX_LOADER_IRI_MEMO];
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
} icx_loader_doc;

/* Loads one document named source into graph doc_uri, parsed against base
 * in format fmt (not ICX_FORMAT_AUTO), read from fp, or from buf/len when
 * fp is NULL; reports it (icx_loader_set_report, icx_loader_set_progress).
 * ICX_OK, or the failure with its message set. */
icx_rc icx_loader_document(icx_loader *l, const char *source, const char *doc_uri,
                           const char *base, icx_format fmt, FILE *fp,
                           const unsigned char *buf, size_t len);

/* --- raptor's callbacks for a document (icx_loader_statement.c) -----------
 * Each takes the icx_loader_doc as its user data. */

/* The statement handler: checks the statement, and its aligned copy, and
 * adds them to the current batch; on a failure sets d->rc and aborts the
 * parse. */
void icx_loader_on_statement(void *ud, raptor_statement *s);

/* The blank node id handler: labels kept, unlabelled nodes "-N". */
unsigned char *icx_loader_on_bnodeid(void *ud, unsigned char *user_bnodeid);

/* The log handler: keeps the first error, logs warnings. */
void icx_loader_on_log(void *ud, raptor_log_message *m);

/* Drops the IRIs the statement checks remembered. */
void icx_loader_memo_free(icx_loader_doc *d);

/* --- the checks over the whole graph (icx_loader_graph.c) ----------------- */

/* Checks graph doc_uri as d's transaction wrote it.  ICX_OK, or the
 * failure with its message set. */
icx_rc icx_loader_check_graph(icx_loader_doc *d, const char *doc_uri);

/* --- files and folders (icx_loader_walk.c) --------------------------------- */

/* The format a file name's extension says; ICX_FORMAT_AUTO for none. */
icx_format icx_loader_format_of_name(const char *path);

/* Loads the file or folder at path, as icx_loader_load_path() says. */
icx_rc icx_loader_walk(icx_loader *l, const char *path);

#endif

/* icx_store_ids.h - the store's calls by term id (internal).
 *
 * What the layers above the store (the loader, the query path's subject
 * sets, matching and explaining) use to read and write a store without
 * knowing how it keeps its triples.  Terms are icx_id values (icx_id.h);
 * nothing here names a table, a column or SQLite.  Only engine/store
 * writes the schema, and only it and engine/query read it (icx_schema.h).
 *
 * Calls that return int give 0 on success, or -1 after a store error whose
 * text icx_store_errmsg() gives; calls that return icx_rc set the message
 * of the store's context.
 */
#ifndef ICX_STORE_IDS_H
#define ICX_STORE_IDS_H

#include <stddef.h>
#include "icx_id.h"
#include "icx_store.h"

/* --- terms ----------------------------------------------------------------- */

/* The id of an IRI: > 0, 0 when the store has no such term, -1 on error. */
icx_id icx_store_iri_id(icx_store *store, const char *iri);

/* A term for messages: "<iri>", "_:id" or "\"lexical form\"".  New string,
 * caller free()s; NULL when there is no such term or memory ran out. */
char *icx_store_term_text(icx_store *store, icx_id id);

/* The lexical form (IRI, blank node id or literal's text) of each of the n
 * ids: out[i] a new string the caller frees with icx_free() on the store's
 * context (icx_store_ctx(); free() with the default allocator), NULL for an id the store
 * does not have.  The ids are looked up in ascending order, so a caller
 * reading many (the names of matching clouds) walks the dictionary
 * forward; call it inside icx_store_read_begin() so that the lookups share
 * one snapshot and one set of file locks.  Errors: ICX_ERR_STORE,
 * ICX_ERR_NOMEM (the strings read before the failure stay set, the others
 * NULL: the caller frees them), ICX_ERR_MISUSE. */
icx_rc icx_store_lex(icx_store *store, const icx_id *ids, size_t n, char **out);

/* The largest term id in use (0 for an empty store), -1 on error: the
 * size of a bitmap indexed by term id. */
icx_id icx_store_max_id(icx_store *store);

/* --- walks ----------------------------------------------------------------- */

/* Called with each quad's term ids; non-0 stops the walk. */
typedef int (*icx_store_quad_fn)(void *userdata, icx_id s, icx_id p, icx_id o);

/* Walks the quads of graph g (a term id) that match the non-0 ids among s,
 * p, o, in one of three shapes: none (every quad of g, ordered by s, p,
 * o), s and p (the objects), p and o (the subjects).  fn may walk another
 * shape but not its own.  0, or -1 (another shape, or an error). */
int icx_store_walk(icx_store *store, icx_id g, icx_id s, icx_id p, icx_id o,
                   icx_store_quad_fn fn, void *userdata);

/* Called with each subject id of a subject walk; non-0 stops it. */
typedef int (*icx_store_id_fn)(void *userdata, icx_id id);

/* The subjects, in every graph, of the quads of predicate p whose object
 * is a number in [lo, hi] (-HUGE_VAL and HUGE_VAL: no bound), read from
 * one range of the postings by number; a subject comes once per object
 * (the quads of one subject and object in several graphs once).  0 or -1. */
int icx_store_subjects_in_range(icx_store *store, icx_id p, double lo, double hi,
                                icx_store_id_fn fn, void *userdata);

/* The subjects, in every graph, of the quads of predicate p and object o,
 * read from one index range.  0 or -1. */
int icx_store_subjects_with(icx_store *store, icx_id p, icx_id o, icx_store_id_fn fn,
                            void *userdata);

/* The terms whose text (IRI or literal's lexical form, of any datatype
 * or language) is text: what STR() of them gives.  0, or -1 with the
 * message of the store's context set. */
int icx_store_text_terms(icx_store *store, const char *text, icx_store_id_fn fn,
                         void *userdata);

/* --- writing the open document ----------------------------------------------
 *
 * Between icx_store_document_begin() and its commit or abort: a writer,
 * any number of adds, icx_store_writer_end() before the document is read
 * (its checks), then icx_store_writer_free() before the commit.
 * Terms go through the term cache of that transaction (bounded in bytes).
 * After a failed add the document must be aborted.
 *
 * Threads: between icx_store_writer_new() and icx_store_writer_free() only
 * one thread at a time may use the store, but it need not be the thread
 * that made the writer: icx_store_writer_add() makes no librdf call and
 * logs nothing (a failure's text is in icx_store_errmsg()), so a loader
 * may run it on a writer thread of its own. */

typedef struct icx_store_writer icx_store_writer;

/* A writer into the open document.  NULL when none is open, or on failure
 * (icx_store_errmsg()). */
icx_store_writer *icx_store_writer_new(icx_store *store);

/* Adds n statements, v[3i], v[3i+1], v[3i+2] being subject, predicate and
 * object of the i-th; a statement already in the document is not added
 * again.  0, or -1 (and every later call fails too). */
int icx_store_writer_add(icx_store_writer *w, const icx_term *v, size_t n);

/* How many statements the adds so far found new in the document. */
size_t icx_store_writer_added(const icx_store_writer *w);

/* Ends the adds: a writer into a store without quads (a first load) kept
 * the store's secondary indexes out of the way and builds them now, once.
 * 0, or -1 (icx_store_errmsg(); the document must be aborted).  The
 * commit builds them too when this was not called, but reads between
 * would go without them. */
int icx_store_writer_end(icx_store_writer *w);

/* Frees the writer (not what it wrote).  NULL is a no-op. */
void icx_store_writer_free(icx_store_writer *w);

/* --- reading --------------------------------------------------------------- */

/* Opens a read transaction when none is open on this handle, so that the
 * reads until icx_store_read_end() see one snapshot.  Returns 1 when it
 * opened one (pass it to icx_store_read_end()), 0 when one was open
 * already or it could not (the reads then each see the latest commit). */
int icx_store_read_begin(icx_store *store);

/* Ends the read transaction icx_store_read_begin() opened (began 1); a
 * no-op for 0.  rc is the result of the reads: a failure there is the one
 * returned, its message kept even if ending fails too.  With rc ICX_OK:
 * ICX_OK, or ICX_ERR_STORE when the transaction cannot end. */
icx_rc icx_store_read_end(icx_store *store, int began, icx_rc rc);

/* While set, stop(userdata) is called every few thousand steps of a read;
 * non-0 interrupts it (the call in progress fails).  NULL clears it. */
void icx_store_set_interrupt(icx_store *store, int (*stop)(void *userdata), void *userdata);

/* The text of the last store error on this handle ("" when none).  Lent. */
const char *icx_store_errmsg(icx_store *store);

/* The id of the store's bookkeeping graph, or 0 while it does not exist.
 * Queries never see it: the librdf model leaves it out of every read that
 * names no graph, GRAPH ?g lists document graphs only, and the SQL path
 * adds "g <> id" to each pattern that could reach it. */
icx_id icx_store_hidden_graph(icx_store *store);
/* While on, GRAPH <urn:icx:meta> finds nothing either: the query runner
 * (icx_exec.c) sets it around a query it runs through librdf. */
void icx_store_hide_bookkeeping(icx_store *store, int on);

/* --- a predicate whole, and the store's generation (the matching index) ---- */

/* Called with each (object, subject) of a predicate walk; non-0 stops it. */
typedef int (*icx_store_pair_fn)(void *userdata, icx_id o, icx_id s);

/* Every quad of predicate p, in every graph, as (object, subject), ordered
 * by object then subject (one walk of the postings by object); a pair
 * stated in two graphs comes twice.  0, or -1 with the message of the store's context
 * set. */
int icx_store_predicate_pairs(icx_store *store, icx_id p, icx_store_pair_fn fn, void *userdata);

/* Called with each (number, subject) of a numeric walk; non-0 stops it. */
typedef int (*icx_store_number_fn)(void *userdata, double num, icx_id s);

/* Every quad of predicate p whose object is a number, as (number,
 * subject), ordered by number then subject (one walk of the postings by
 * number; the quads of one subject and object in several graphs come
 * once).  0, or -1 with the message of the store's context set. */
int icx_store_predicate_numbers(icx_store *store, icx_id p, icx_store_number_fn fn,
                                void *userdata);

/* What a handle's reads see: two values that change whenever a commit
 * (of any connection, or this one's own writes) may have changed the
 * store.  Equal generations mean the same data. */
typedef struct icx_store_gen {
  long long version;          /* SQLite's data_version: other connections' commits */
  long long changes;          /* this connection's own changes (sqlite3_total_changes) */
} icx_store_gen;

/* The generation of the snapshot this handle reads: call it inside
 * icx_store_read_begin() (it starts the snapshot when none has started),
 * and the generation stays that of every read until
 * icx_store_read_end().  0, or -1 with the message of the store's context
 * set. */
int icx_store_generation(icx_store *store, icx_store_gen *gen);

/* --- the change log -----------------------------------------------------------
 *
 * Every document written (icx_store_document_commit() and the calls built
 * on it) or removed (icx_store_remove_document()) appends one change to
 * the store's log, in the transaction that makes it, so that any handle,
 * in any process, can ask what changed since a change it knows: its
 * sequence number (ascending, never reused), the document's graph (the
 * term id of its IRI, which is also the subject of the document's
 * bookkeeping statements), what happened, and the subjects (term ids) the
 * graph held before the change; what it holds after is in the store
 * (icx_store_walk() on the graph).  Term ids are never reused, so the
 * subjects before name the same terms after.
 *
 * A write through librdf's storage methods outside those calls (on
 * icx_store_model()) logs a change of kind ICX_STORE_CHANGE_OTHER before
 * it writes: a reader must then assume anything changed.  The log keeps
 * the last 4096 changes; a reader further behind is told so.  A store made
 * before the log has no log table until its first write (which makes it;
 * the format version stays 3, and older icx programs read such a store
 * as before, but write to it without logging: do not mix them with this
 * one's long-lived readers). */

typedef enum icx_store_change_kind {
  ICX_STORE_CHANGE_PUT = 1,   /* a document written (new, or replacing its earlier load) */
  ICX_STORE_CHANGE_REMOVE = 2, /* a document removed */
  ICX_STORE_CHANGE_OTHER = 3  /* a write outside the document calls: anything */
} icx_store_change_kind;

typedef struct icx_store_change {
  long long seq;              /* its sequence number */
  icx_id graph;               /* the document's graph; 0 for ICX_STORE_CHANGE_OTHER */
  icx_store_change_kind kind;
  const icx_id *before;       /* the graph's distinct subjects before, ascending; lent
                                 for the call */
  size_t n_before;
} icx_store_change;

/* Called with each change; non-0 stops the walk. */
typedef int (*icx_store_change_fn)(void *userdata, const icx_store_change *change);

/* The sequence number of the last change the handle's snapshot holds (0
 * when none, or the store has no log yet) into *seq: call it inside
 * icx_store_read_begin(), with the generation (icx_store_generation()), so
 * that both describe one snapshot.  0, or -1 with the message of the
 * store's context set. */
int icx_store_change_last(icx_store *store, long long *seq);

/* Calls fn for each change after since (as icx_store_change_last() gave
 * it), in order, up to the last of the handle's snapshot.  Returns 0 when
 * every such change was given (or fn stopped the walk), 1 when the log
 * cannot say (changes after since were pruned, or since is past the last
 * change: the caller must assume anything changed), -1 on an error (the
 * message of the store's context set). */
int icx_store_changes_since(icx_store *store, long long since, icx_store_change_fn fn,
                            void *userdata);

/* The token of change seq (a random value its writer drew: icx_schema.h),
 * so that (seq, token) names one state of one store and not merely a
 * count of changes.  0 with *token set when the log holds the change and
 * its token; 1 when it does not (pruned, not made yet, or written by a
 * program older than the token); -1 on an error (the message of the
 * store's context set). */
int icx_store_change_token(icx_store *store, long long seq, unsigned long long *token);

/* Called with each quad of a subject walk: predicate, object, and the
 * object's number (NAN when it has none); non-0 stops the walk. */
typedef int (*icx_store_po_fn)(void *userdata, icx_id p, icx_id o, double num);

/* Every quad of subject s, in every graph, ordered by predicate then
 * object (one range of the primary key); a statement in two graphs comes
 * twice.  0, or -1 with the message of the store's context set. */
int icx_store_subject_quads(icx_store *store, icx_id s, icx_store_po_fn fn, void *userdata);

/* Something a layer above keeps with this handle (the matching index),
 * freed with free_fn(p) when the store is freed or another is attached.
 * NULL p detaches (and frees) it. */
void icx_store_attach(icx_store *store, void *p, void (*free_fn)(void *p));
/* What icx_store_attach() attached, or NULL.  Lent. */
void *icx_store_attached(const icx_store *store);

#endif

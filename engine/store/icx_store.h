/* icx_store.h - the persistent RDF store: one SQLite file.
 *
 * Every loaded document is its own named graph (librdf context), so a
 * reload replaces exactly that document's triples, in one transaction.
 * Bookkeeping (where a document came from, when, in which format) lives in
 * a graph of its own.  This module is the only one that knows how triples
 * are kept; the query path reaches them through icx_store_model()
 * (icx_store_rdf.h).  Installed: it names no Redland type.
 */
#ifndef ICX_STORE_H
#define ICX_STORE_H

#include <stddef.h>
#include <stdio.h>
#include "icx_vocab.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_store icx_store;

enum {
  ICX_STORE_READONLY = 1 << 0,  /* never write; fail if the file is missing */
  ICX_STORE_CREATE = 1 << 1     /* create the file (and its folder) if missing */
};

/* Opens the store at path.  On success *out owns it; close with
 * icx_store_free().  Before it opens, it looks at the file: its header,
 * schema and format, and the first and last entry of every table and
 * index (a few pages each, whatever the store's size).  Errors:
 * ICX_ERR_NOT_FOUND (missing, no CREATE), ICX_ERR_STORE (not an icx
 * store, or a store of another format version: the message says which),
 * ICX_ERR_DAMAGED (truncated, or SQLite found it corrupt: the message
 * says to run icx check), ICX_ERR_IO, ICX_ERR_NOMEM. */
icx_rc icx_store_open(icx_ctx *ctx, const char *path, int flags, icx_store **out);

/* 1 when the file at the store's path is no longer the file store opened
 * (another file was renamed over it, or it was removed), else 0 (also for
 * NULL, and when the path cannot be examined for another reason).  A
 * handle keeps reading the file it opened, and every commit to that file
 * is seen by its next read; a file put in its place is seen only by a
 * handle opened again: long-lived readers (icxd) ask before each query
 * and reopen. */
int icx_store_replaced(const icx_store *store);

/* Closes the store.  NULL is a no-op. */
void icx_store_free(icx_store *store);

/* How long a write waits for another writer's lock (one writer at a time
 * per store), ms, unless set; readers never wait for writers. */
#define ICX_STORE_WAIT_MS 300000L

/* Called once per wait that lasts past a quarter of a second: another
 * connection holds the lock this handle needs.  path is lent for the
 * call; timeout_ms is how long the wait may last in all. */
typedef void (*icx_store_wait_fn)(void *userdata, const char *path, long timeout_ms);

/* How long store waits for another writer before the write fails with
 * ICX_ERR_STORE ("database is locked"): timeout_ms (0: not at all; < 0:
 * ICX_STORE_WAIT_MS); fn (NULL: none) is told when a wait lasts. */
void icx_store_set_wait(icx_store *store, long timeout_ms, icx_store_wait_fn fn,
                        void *userdata);

/* 1 when SQLite has found the file corrupt on this handle since it
 * opened (a read or write reached a damaged page), else 0. */
int icx_store_damaged(icx_store *store);

/* For a caller that failed with rc on store: ICX_ERR_DAMAGED (the
 * context's message saying so, and to run icx check) when the failure
 * came from a damaged file, else rc unchanged. */
icx_rc icx_store_failed(icx_store *store, icx_rc rc);

/* Writes the store file anew, packed: every table and index rewritten in
 * key order with full pages, the free pages left by removals and
 * upgrades given back, what it holds unchanged (and the matching index
 * saved beside it still good).  Waits for another writer as a write does
 * (icx_store_set_wait()); readers go on meanwhile.  While it runs it
 * needs free space of about twice the file (SQLite's temporary copy, then
 * the write-ahead log, emptied at the end when no reader is inside it).
 * *before and *after (NULL: not wanted) get the file's bytes.  A failure
 * leaves the store as it was.  ICX_OK; ICX_ERR_MISUSE (read-only, or a
 * document being written); ICX_ERR_STORE (locked past the wait, or no
 * room: the message says which); ICX_ERR_DAMAGED. */
icx_rc icx_store_vacuum(icx_store *store, long long *before, long long *after);

/* Called with each problem icx_store_check() finds; text lent for the
 * call. */
typedef void (*icx_store_problem_fn)(void *userdata, const char *text);

/* Checks the store file at path whole, without librdf and without
 * changing what it holds: SQLite's integrity check (with quick set, its
 * quick check, which skips comparing indexes with their tables), the
 * format, and the store's own invariants: every quad's terms exist and
 * are of the right kind; every literal's number is the one its lexical
 * form gives and every quad's number its object's; every document graph
 * has its bookkeeping in <urn:icx:meta> and every bookkeeping entry its
 * graph, with one source, format, load time and triple count each, the
 * count being that of the graph's quads; the bookkeeping graph describes
 * documents only.  fn is called once per problem (at most a few per kind).
 * Returns ICX_OK (nothing wrong), ICX_ERR_DAMAGED (problems found; the
 * context's message counts them), ICX_ERR_NOT_FOUND (no file),
 * ICX_ERR_STORE (not an icx store), ICX_ERR_IO, ICX_ERR_NOMEM. */
icx_rc icx_store_check(icx_ctx *ctx, const char *path, int quick, icx_store_problem_fn fn,
                       void *userdata);

/* Where the store lives when nobody says: $ICX_STORE, else
 * $XDG_DATA_HOME/icx/store.db, else $HOME/.local/share/icx/store.db.
 * Returns a new string the caller free()s, or NULL if none can be made. */
char *icx_store_default_path(void);

/* What is known of one loaded document. */
typedef struct icx_doc_info {
  char *uri;          /* the document's graph name */
  char *source;       /* where it was read from, as given */
  char *format;       /* "turtle", "rdfxml", "ntriples" */
  char *loaded_at;    /* xsd:dateTime, UTC */
  long triples;       /* triples in its graph */
  char *owner;        /* the bare JID it was published by over XMPP, or NULL:
                         the operator's (loaded with the CLI) */
  char **clouds;      /* names of the clouds it describes, sorted */
  size_t n_clouds;
} icx_doc_info;

/* Replacing a document in steps, for loaders that write as they parse:
 * icx_store_document_begin() opens a transaction and removes the earlier
 * load of doc_uri; the caller then writes the new statements into the
 * context icx_store_document_node() through the storage
 * (icx_store_storage(), both in icx_store_rdf.h; the bulk calls of
 * icx_storage.h) or by id (icx_store_writer_add(), icx_store_ids.h), and
 * ends with
 * icx_store_document_commit(), which records source, format and the count
 * of triples and commits, or icx_store_document_abort(), which rolls back:
 * the store is then as it was before begin.  One document at a time per
 * store; icx_store_free() aborts one left open.
 * Errors of begin: ICX_ERR_MISUSE (a document is open, read-only store,
 * the reserved graph urn:icx:meta), ICX_ERR_STORE, ICX_ERR_NOMEM.  A
 * commit that fails has rolled back. */
icx_rc icx_store_document_begin(icx_store *store, const char *doc_uri);
icx_rc icx_store_document_commit(icx_store *store, const char *source, const char *format,
                                 size_t triples);
/* Rolls the open document back; no-op when none is open. */
void icx_store_document_abort(icx_store *store);

/* A cloud's name is at most this many bytes (UTF-8): every answer that
 * lists the cloud carries its name, and a page of an answer takes one
 * cloud at least, so a name must fit well inside a stanza. */
#define ICX_NAME_MAX 1024

/* Clouds' names.  With a name property set (the vocabulary's
 * icxm:NameProperty, icx_vocab_name_property()), icx_store_document_commit()
 * and the calls built on it refuse a document that
 *   - gives a name holding a control character (icx_control_char():
 *     NUL, CR, LF, other C0 and C1 controls, bidirectional controls), or
 *     longer than ICX_NAME_MAX bytes;
 *   - gives one name (compared by its text, whatever its datatype or
 *     language) to two clouds (subjects) of its own;
 *   - gives a name (compared the same way) that another document gives;
 *   - says anything of a subject that another document names (the cloud
 *     is that document's), or names a subject another document says
 *     anything of;
 * with ICX_ERR_INVALID and a message naming the document, the name or the
 * subject, and the other document (or both subjects of a name given
 * twice); the store is then as it was.  A new
 * version of the same document replaces the old one, so it may keep its
 * names; icx_store_remove_document() frees them.  The checks read indexes only:
 * a few lookups per subject and per name of the document, whatever the
 * store's size.  iri is copied; NULL clears it (nothing is checked then).
 * ICX_OK, ICX_ERR_NOMEM or ICX_ERR_MISUSE. */
icx_rc icx_store_set_name_property(icx_store *store, const char *iri);

/* Runs the checks of icx_store_document_commit() (above) on the open
 * document without ending it, for a dry run; source names the document in
 * messages.  ICX_OK, ICX_ERR_INVALID, ICX_ERR_STORE, ICX_ERR_NOMEM,
 * ICX_ERR_MISUSE (no document open).  A failure does not end the
 * document: abort it. */
icx_rc icx_store_document_check(icx_store *store, const char *source);
/* Records owner (copied; NULL: none) as the owner of the open document:
 * the commit writes it to the bookkeeping graph (icxm:owner) with the rest.
 * A document without an owner belongs to the operator.  Errors:
 * ICX_ERR_MISUSE (no document open), ICX_ERR_NOMEM. */
icx_rc icx_store_document_set_owner(icx_store *store, const char *owner);

/* The owner recorded for doc_uri: ICX_OK with *owner a new string the
 * caller free()s, or NULL when the document has no owner (the operator's);
 * ICX_ERR_NOT_FOUND when no such document is loaded; ICX_ERR_NOMEM. */
icx_rc icx_store_document_owner(icx_store *store, const char *doc_uri, char **owner);

/* The distinct owners (bare JIDs) recorded for the loaded documents,
 * sorted: *owners is a new array of *n new strings (free it with
 * icx_store_free_owners(); NULL and 0 when none).  Reads an index, in time
 * proportional to the documents that have an owner.  Errors:
 * ICX_ERR_STORE, ICX_ERR_DAMAGED, ICX_ERR_NOMEM. */
icx_rc icx_store_list_owners(icx_store *store, char ***owners, size_t *n);
void icx_store_free_owners(char **owners, size_t n);

/* The owner of the document that names cloud (by the text of vocab's name
 * property, as a match answers it): ICX_OK with *owner a new string the
 * caller free()s, or NULL when no document names it or its document has
 * no owner (the operator's).  A few index lookups.  Errors: ICX_ERR_STORE,
 * ICX_ERR_DAMAGED, ICX_ERR_NOMEM. */
icx_rc icx_store_cloud_owner(icx_store *store, const icx_vocab *vocab, const char *cloud,
                             char **owner);

/* Called while a document's statements are written: done of total so far,
 * every few thousand statements and once at the end.  doc_uri is lent for
 * the call. */
typedef void (*icx_store_progress_fn)(void *userdata, const char *doc_uri,
                                      size_t done, size_t total);

/* Sets (fn NULL: clears) the progress callback of store. */
void icx_store_set_progress(icx_store *store, icx_store_progress_fn fn, void *userdata);

/* Removes the document's graph and bookkeeping in one transaction.
 * Errors: ICX_ERR_NOT_FOUND, ICX_ERR_STORE, ICX_ERR_MISUSE. */
icx_rc icx_store_remove_document(icx_store *store, const char *doc_uri);

/* 1 if a document of that graph name is loaded. */
int icx_store_has_document(icx_store *store, const char *doc_uri);

/* Lists loaded documents, sorted by URI.  *docs is a new array of *n
 * entries; free it with icx_doc_info_free_array().  With a vocabulary,
 * each entry names the clouds its document describes; with NULL, none. */
icx_rc icx_store_list_documents(icx_store *store, const icx_vocab *vocab,
                                icx_doc_info **docs, size_t *n);
void icx_doc_info_free_array(icx_doc_info *docs, size_t n);

/* What is known of the one document doc_uri, as an entry of
 * icx_store_list_documents() would say: *doc is a new array of one entry
 * (free it with icx_doc_info_free_array(*doc, 1)).  Errors:
 * ICX_ERR_NOT_FOUND, ICX_ERR_STORE, ICX_ERR_NOMEM. */
icx_rc icx_store_get_document(icx_store *store, const icx_vocab *vocab, const char *doc_uri,
                              icx_doc_info **doc);

/* Writes the document doc_uri as Turtle on out (absolute IRIs, no base),
 * as it is stored: what icx load read, less nothing.  Errors:
 * ICX_ERR_NOT_FOUND (no such document), ICX_ERR_MISUSE (the bookkeeping
 * graph), ICX_ERR_IO, ICX_ERR_STORE, ICX_ERR_NOMEM. */
icx_rc icx_store_export_document(icx_store *store, const char *doc_uri, FILE *out);

typedef struct icx_store_stats {
  long documents;
  long clouds;
  long services;      /* things a cloud offers */
  long triples;       /* in document graphs, bookkeeping excluded */
} icx_store_stats;

icx_rc icx_store_stats_get(icx_store *store, const icx_vocab *vocab,
                           icx_store_stats *stats);

/* The store file's size as SQLite counts it (pages times page size, the
 * write-ahead log aside), and how much of it is free pages: left by
 * removals and upgrades, reused by later writes, given back to the file
 * system by icx_store_vacuum().  Bytes.  ICX_OK, or ICX_ERR_STORE. */
icx_rc icx_store_file_size(icx_store *store, long long *bytes, long long *free_bytes);

icx_ctx *icx_store_ctx(icx_store *store);
const char *icx_store_path(const icx_store *store);

#ifdef __cplusplus
}
#endif
#endif

/* icx_loader.h - reading capability documents into the store.
 *
 * A document is parsed with raptor (Turtle, RDF/XML or N-Triples) and
 * written to the store as its statements arrive, inside one transaction
 * that replaces any earlier load of the same document; each statement is
 * checked against the vocabulary as it arrives, the graph as a whole at the
 * end.  A document that fails anywhere is rolled back: the store is
 * exactly as it was.  Memory stays bounded whatever the document's size
 * (Turtle is parsed in pieces that end at a statement's final '.').
 *
 * Checks: every predicate and class in a vocabulary namespace is defined by
 * it; every value of an attribute has the attribute's datatype (or is an
 * individual of its range); whatever has an attribute is typed with the
 * attribute's domain; every service (a thing typed with the domain of an
 * attribute of non-clouds, or having such an attribute) is offered by a
 * cloud; every cloud has exactly one name (and, checked by the store, no
 * other cloud has it: icx_store.h, "Clouds' names"); the document
 * describes at least one cloud.  Errors name the file, and the line for the checks of one
 * statement and for syntax errors; the checks over the whole graph name
 * the subject at fault instead.
 */
#ifndef ICX_LOADER_H
#define ICX_LOADER_H

#include <stdio.h>
#include "icx_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum icx_format {
  ICX_FORMAT_AUTO = 0,     /* from the file name: .ttl, .rdf/.xml/.owl, .nt */
  ICX_FORMAT_TURTLE = 1,
  ICX_FORMAT_RDFXML = 2,
  ICX_FORMAT_NTRIPLES = 3
} icx_format;

/* Parses "turtle", "rdfxml", "ntriples" (and "ttl", "rdf", "nt", "auto").
 * Returns -1 for an unknown name. */
int icx_format_from_name(const char *name);
const char *icx_format_name(icx_format f);

typedef struct icx_loader icx_loader;

/* Called once per document tried.  rc is ICX_OK or the failure; message
 * is the detailed error ("" on success); triples is the count loaded.
 * All strings are lent for the duration of the call. */
typedef void (*icx_load_report_fn)(void *userdata, const char *source,
                                   icx_rc rc, const char *message, long triples);

/* A loader writing into store, checking against vocab; both are borrowed
 * and must outlive it.  NULL when out of memory. */
icx_loader *icx_loader_new(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store);
void icx_loader_free(icx_loader *loader);

void icx_loader_set_format(icx_loader *loader, icx_format format);
void icx_loader_set_report(icx_loader *loader, icx_load_report_fn fn, void *userdata);

/* Called while a document loads, after every 64 KiB read, and once more
 * with finished set when it is done (stored, checked or failed): bytes of
 * the document read so far, its size (0 when unknown, as for a pipe), and
 * statements parsed so far (when finished: the triples stored).  source is
 * lent for the call. */
typedef void (*icx_load_progress_fn)(void *userdata, const char *source, size_t done,
                                     size_t total, size_t statements, int finished);
/* Sets (fn NULL: clears) the progress callback. */
void icx_loader_set_progress(icx_loader *loader, icx_load_progress_fn fn, void *userdata);
/* With dry_run set, documents are parsed, written and checked, then
 * rolled back: nothing is stored. */
void icx_loader_set_dry_run(icx_loader *loader, int dry_run);

/* Documents loaded from now on belong to owner (copied; NULL: the
 * operator, the default): it is recorded with each in the store
 * (icx_store_document_set_owner()).  ICX_OK or ICX_ERR_NOMEM. */
icx_rc icx_loader_set_owner(icx_loader *loader, const char *owner);

/* Loads a file, or every file under a folder (recursively, in name order,
 * skipping names that start with '.'), each as its own document.  In a
 * folder, files of unknown extension are skipped unless a format was set.
 * Every file is reported; good files load even when others fail.  Returns
 * ICX_OK when all loaded, else the first failure's code. */
icx_rc icx_loader_load_path(icx_loader *loader, const char *path);

/* Loads len bytes as one document named name (its graph is
 * "urn:icx:doc:" + name unless name is already an absolute IRI).  format
 * must not be ICX_FORMAT_AUTO unless name has a known extension. */
icx_rc icx_loader_load_buffer(icx_loader *loader, const char *name,
                              const unsigned char *buf, size_t len);

/* Loads len bytes as one document into the graph doc_uri (an absolute
 * IRI, also the base of relative IRIs), recording source as where it came
 * from; messages name source.  The format must be set
 * (icx_loader_set_format()). */
icx_rc icx_loader_load_into(icx_loader *loader, const char *doc_uri, const char *source,
                            const unsigned char *buf, size_t len);

/* Reads all of fp (stdin) and loads it as icx_loader_load_buffer(). */
icx_rc icx_loader_load_stream(icx_loader *loader, const char *name, FILE *fp);

/* The graph name a file path loads into: "file://" + its absolute, resolved
 * path.  New string, caller free()s; NULL if the path cannot be resolved. */
char *icx_loader_doc_uri_for_path(const char *path);

#ifdef __cplusplus
}
#endif
#endif

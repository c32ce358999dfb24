/* icx_storage.h - icx's own librdf storage module, on SQLite (internal).
 *
 * Registered per librdf world under the factory name "icx"; a store is
 * opened with librdf_new_storage(world, "icx", path, options), options
 * "new='yes|no'" (create an empty store, or open an existing one),
 * "synchronous='off|normal|full'" (default normal), "cache-mb='N'"
 * (SQLite's page cache, 1 to 4096 MiB; default 64) and "term-cache-mb='N'"
 * (the bound of the bulk path's term cache, 1 to 4096 MiB; default 64)
 * and "readonly='yes'" (an existing store, opened SQLITE_OPEN_READONLY).  Every storage has its
 * own SQLite connection (WAL journal, busy timeout), so any number of
 * worlds, in any threads, may open the same file.
 *
 * The schema (tables terms and quads, icx_meta) is documented, and created,
 * in icx_schema.h; the SPARQL-to-SQL path reads the tables directly
 * through icx_store_db().  The module's files share icx_storage_internal.h.
 *
 * librdf semantics: a statement is added once per context (duplicates are
 * no-ops); contains_statement finds a statement in any context;
 * remove_statement and the NULL context of the context_* calls mean the
 * statements added without a context (g = 0); find_statements searches
 * every context and reports each match with its context.
 */
#ifndef ICX_STORAGE_H
#define ICX_STORAGE_H

#include <stddef.h>
#include <librdf.h>
#include "icx_ctx.h"
#include "icx_id.h"

#define ICX_STORAGE_NAME "icx"

/* One open store file: its SQLite connection, prepared statements, term
 * cache and state.  It is the storage's instance once a librdf storage
 * wraps it, but opens, reads by id and logs changes without any librdf
 * world: a reader that only matches on the index never loads librdf
 * (icx_store.c makes the librdf storage on first need). */
typedef struct icx_storage_inst icx_storage_inst;

/* How icx_storage_open() opens a file: the "new", "readonly",
 * "synchronous", "cache-mb" and "term-cache-mb" options below. */
typedef struct icx_storage_options {
  int is_new;                 /* an empty file: create the schema */
  int readonly;               /* an existing store, SQLITE_OPEN_READONLY */
  const char *synchronous;    /* "off", "normal" or "full"; NULL: normal */
  long cache_mb;              /* SQLite's page cache, MiB; 0: 64 */
  long term_cache_mb;         /* the bulk path's term cache, MiB; 0: 64 */
  struct sqlite3 *db;         /* readonly: the connection icx_storage_probe_keep()
                               * kept, which the storage takes over (closed by it
                               * on failure too); NULL: open one */
} icx_storage_options;

/* Opens the store file at path (o NULL: the defaults) with no librdf
 * world.  NULL on failure, with why in err (n bytes). */
icx_storage_inst *icx_storage_open(const char *path, const icx_storage_options *o, char *err,
                                   size_t n);
/* Closes what icx_storage_open() opened, after every storage wrapping it
 * is freed.  NULL is a no-op. */
void icx_storage_close(icx_storage_inst *t);
/* A librdf storage of world on t, which stays the caller's (freeing the
 * storage leaves t open).  NULL when librdf refuses it or t is wrapped
 * already. */
librdf_storage *icx_storage_wrap(librdf_world *world, icx_storage_inst *t);
/* The instance of an icx storage; NULL for NULL or another module's. */
icx_storage_inst *icx_storage_instance(librdf_storage *storage);
/* t's SQLite connection, lent for the life of t (NULL for NULL). */
struct sqlite3 *icx_storage_inst_db(icx_storage_inst *t);

/* Registers the "icx" storage factory with world (once per world; again is
 * a no-op).  Returns 0, or non-0 when librdf refuses it. */
int icx_storage_register(librdf_world *world);

/* Leaves the graph named iri (copied; NULL: none) out of every read that
 * names no context: find_statements, serialise, contains_statement, size,
 * get_contexts.  A read that names it (find_statements_in_context,
 * context_serialise) still sees it.  The store hides its bookkeeping this
 * way, so that a user's SPARQL sees the documents only.  0, or -1 out of
 * memory. */
int icx_storage_set_hidden(icx_storage_inst *t, const char *iri);
/* While on, a read that names the hidden graph finds nothing either:
 * set around a user's query, so that GRAPH <iri> cannot reach it. */
void icx_storage_hide_named(icx_storage_inst *t, int on);
/* The hidden graph's id, or 0 when none is set or it does not exist. */
icx_id icx_storage_hidden_graph(icx_storage_inst *t);

/* What a file holds, as far as opening it as a store is concerned. */
typedef enum icx_storage_probe_result {
  ICX_STORAGE_PROBE_EMPTY = 0,     /* missing or empty: a new store may go there */
  ICX_STORAGE_PROBE_OK = 1,        /* an icx store of ICX_STORAGE_VERSION */
  ICX_STORAGE_PROBE_NOT_SQLITE = 2,
  ICX_STORAGE_PROBE_FOREIGN = 3,   /* SQLite, but of another schema */
  ICX_STORAGE_PROBE_REDLAND = 4,   /* Redland's stock sqlite storage (icx format 1) */
  ICX_STORAGE_PROBE_VERSION = 5,   /* an icx store of another version */
  ICX_STORAGE_PROBE_UNREADABLE = 6, /* cannot be opened or read (an I/O error) */
  ICX_STORAGE_PROBE_DAMAGED = 7,   /* SQLite's header, but truncated or corrupt */
  ICX_STORAGE_PROBE_LOCKED = 8,    /* another connection holds a lock it cannot wait out */
  ICX_STORAGE_PROBE_OLD = 9        /* an icx store of an older version (its
                                    * version in version) that
                                    * icx_storage_upgrade() upgrades */
} icx_storage_probe_result;

/* Looks at the file at path without changing it: its header, its schema,
 * icx_meta, and the first and last entry of every table and index (a few
 * pages each: what is cheap enough for every open).  For PROBE_VERSION,
 * and PROBE_OLD, version (n bytes) receives the version found; for PROBE_DAMAGED,
 * PROBE_LOCKED and PROBE_UNREADABLE, SQLite's message. */
icx_storage_probe_result icx_storage_probe(const char *path, char *version, size_t n);
/* As icx_storage_probe(), and for PROBE_OK the read-only connection it
 * looked through is kept in *db (else *db is NULL), for a read-only
 * icx_storage_open() to take over (icx_storage_options.db): SQLite then
 * reads the schema once, not once for the probe and again for the
 * store (about a millisecond of a reader's cold start at 1M clouds,
 * doc/performance.md).  A writer probes with icx_storage_probe(): a
 * connection that may write has to be opened only once the file is
 * known to be an icx store. */
icx_storage_probe_result icx_storage_probe_keep(const char *path, char *version, size_t n,
                                                struct sqlite3 **db);

/* Upgrades the store at path, of an older version (PROBE_OLD), in place
 * and in one transaction, waiting for other writers as a write does; a
 * store another process upgraded meanwhile is left as it is.  At 1M
 * clouds it takes seconds (format 4: about 20).  0, or -1 with why in err (n bytes). */
int icx_storage_upgrade(const char *path, char *err, size_t n);

/* Called every few thousand statements while statements are added in bulk,
 * and once at the end; done counts statements handled so far. */
typedef void (*icx_storage_progress_fn)(void *userdata, size_t done, size_t total);

/* Adds the n statements v[0..n-1] (borrowed) to context (an IRI node; NULL
 * for no context), as context_add_statements does but from an array, with
 * the term cache and prepared statements of a bulk load.  Runs inside the
 * caller's transaction when one is open (librdf_storage_transaction_start),
 * else in one of its own.  *added (if not NULL) receives how many were new
 * in that context.  Returns 0, or non-0 after logging the failure through
 * librdf (nothing of it stays when it ran in its own transaction). */
int icx_storage_context_add_array(librdf_storage *storage, librdf_node *context,
                                  librdf_statement *const *v, size_t n, size_t *added,
                                  icx_storage_progress_fn progress, void *userdata);

/* --- streaming bulk loads -------------------------------------------------
 *
 * A load that arrives in pieces: icx_storage_bulk_new() inside a transaction
 * the caller opened (librdf_storage_transaction_start), any number of
 * icx_storage_bulk_add() calls, icx_storage_bulk_end(), then the caller
 * commits or rolls back.
 * Terms go through the term cache of that transaction (bounded in bytes).
 * After a failed add, the caller must roll the transaction back.
 *
 * Threads: between icx_storage_bulk_new() and icx_storage_bulk_free() only
 * one thread at a time may use the storage, but it need not be the thread
 * that made the handle: icx_storage_bulk_add() makes no librdf call and
 * logs nothing (a failure's text is in icx_storage_errmsg()), so a loader
 * may run it on a writer thread of its own. */

/* A term as plain bytes (icx_id.h). */
typedef icx_term icx_storage_term;

typedef struct icx_storage_bulk icx_storage_bulk;

/* A bulk load into context (an IRI node, borrowed; NULL for no context),
 * its batch in ctx's allocator's memory (NULL: the C library's).  NULL when no transaction is open, or on failure (icx_storage_errmsg()). */
icx_storage_bulk *icx_storage_bulk_new(icx_ctx *ctx, librdf_storage *storage,
                                       librdf_node *context);

/* Adds n statements, v[3i], v[3i+1], v[3i+2] being subject, predicate and
 * object of the i-th; a statement already in the context is not added
 * again.  Returns 0, or non-0 (and every later call fails too). */
int icx_storage_bulk_add(icx_storage_bulk *bulk, const icx_storage_term *v, size_t n);

/* How many statements the adds so far found new in the context. */
size_t icx_storage_bulk_added(const icx_storage_bulk *bulk);

/* Ends the adds: builds again what a load into a store without quads put
 * aside (the secondary indexes of quads, built once sorted rather than
 * kept up quad by quad).  Call it before reading what was written; the
 * commit does it too.  0, or non-0 (roll the transaction back). */
int icx_storage_bulk_end(icx_storage_bulk *bulk);

/* Frees the handle (not what it wrote).  NULL is a no-op. */
void icx_storage_bulk_free(icx_storage_bulk *bulk);

/* Builds now what a load into a store without quads put aside, if one
 * did and nobody has built it since (icx_storage_bulk_end() and the
 * commit do it too): for a reader inside the transaction that needs the
 * secondary indexes.  0, or -1 (roll the transaction back). */
int icx_storage_indexes_ready(icx_storage_inst *t);

/* Term ids, for checking a graph in the transaction that wrote it.  The id
 * of an IRI: > 0, 0 when the store has no such term, -1 on error. */
icx_id icx_storage_iri_id(icx_storage_inst *t, const char *iri);

/* A term for messages: "<iri>", "_:id" or "\"lexical form\"".  New string,
 * caller free()s; NULL when there is no such term or memory ran out. */
char *icx_storage_term_text(icx_storage_inst *t, icx_id id);

/* Called with each quad's term ids; non-0 stops the walk. */
typedef int (*icx_storage_ids_fn)(void *userdata, icx_id s, icx_id p,
                                  icx_id o);

/* Walks the quads of graph g (a term id) that match the non-0 ids among s,
 * p, o, in one of three shapes: none (every quad of g, ordered by s, p, o),
 * s and p (the objects), p and o (the subjects).  fn may walk another
 * shape but not its own.  Returns 0, or -1 (another shape, or an error). */
int icx_storage_context_ids(icx_storage_inst *t, icx_id g, icx_id s,
                            icx_id p, icx_id o, icx_storage_ids_fn fn,
                            void *userdata);

/* Called with each subject id of a subject walk; non-0 stops it. */
typedef int (*icx_storage_id_fn)(void *userdata, icx_id id);

/* The subjects, in every graph, of the quads of predicate p whose number
 * lies in [lo, hi] (postings_num: a subject once for each object in the
 * range), or whose object is o (postings_po: a subject once for each
 * graph).  0, or -1 on an error. */
int icx_storage_subjects_in_range(icx_storage_inst *t, icx_id p, double lo, double hi,
                                  icx_storage_id_fn fn, void *userdata);
int icx_storage_subjects_with(icx_storage_inst *t, icx_id p, icx_id o,
                              icx_storage_id_fn fn, void *userdata);

/* Called with each (object, subject) of a predicate's walk; non-0 stops it. */
typedef int (*icx_storage_pair_fn)(void *userdata, icx_id o, icx_id s);

/* Every quad of predicate p, in every graph, as (object, subject), in
 * that order (a walk of postings_po: a pair stated in two graphs comes
 * twice).  0, or -1 on an error. */
int icx_storage_predicate_pairs(icx_storage_inst *t, icx_id p, icx_storage_pair_fn fn,
                                void *userdata);

/* Called with each number and subject of a walk by number; non-0 stops it. */
typedef int (*icx_storage_number_fn)(void *userdata, double num, icx_id s);

/* The numbers of the quads of predicate p and their subjects, ascending
 * by number, then subject; from postings_num, so the quads of one subject
 * and object in several graphs come once.  0, or -1 on an error. */
int icx_storage_predicate_numbers(icx_storage_inst *t, icx_id p, icx_storage_number_fn fn,
                                  void *userdata);

/* Makes the tables postings_po and postings_num readable by SQL on t's
 * connection, as temp.icx_pos and temp.icx_nums (ICX_SCHEMA_VTABS_SQL,
 * icx_schema.h): called as the connection opens, since made inside a
 * transaction they would go with its rollback; later calls do nothing.
 * 0, or -1. */
int icx_storage_vtabs(icx_storage_inst *t);

/* Called once a storage has waited ICX_STORAGE_WAIT_SAY_MS for a lock
 * (another writer), once per wait; timeout_ms is how long it will wait in
 * all. */
typedef void (*icx_storage_wait_fn)(void *userdata, long timeout_ms);

/* How long storage waits for a lock held by another connection before
 * failing with "database is locked" (ms; 0: not at all; default
 * ICX_STORAGE_WAIT_MS, 5 minutes), and what it calls when a wait lasts
 * (fn NULL: nothing). */
void icx_storage_set_wait(icx_storage_inst *t, long timeout_ms, icx_storage_wait_fn fn,
                          void *userdata);

/* Writes the file anew (SQLite's VACUUM): every table and index in key
 * order, full pages, free pages given back; the ids and rows the same.
 * Waits for another writer as a write does; not inside a transaction.
 * 0, or -1 (icx_storage_errmsg()). */
int icx_storage_vacuum(icx_storage_inst *t);

/* 1 when SQLite has reported the file corrupt (SQLITE_CORRUPT,
 * SQLITE_NOTADB) on this storage's connection since it opened, else 0. */
int icx_storage_damaged(icx_storage_inst *t);

/* --- the change log (icx_schema.h: icx_changes; read by icx_store_ids.h) --- */

/* Appends a change to the log: the graph g (term id; 0 for kind
 * ICX_SCHEMA_CHANGE_OTHER), its kind, and the n distinct subjects the
 * graph held before (any order; copied), inside the open transaction when
 * there is one (else in one of its own); makes the table when the store
 * has none, and prunes all but the last ICX_SCHEMA_CHANGES_KEEP changes.
 * 0, or -1 (icx_storage_errmsg()). */
int icx_storage_log_change(icx_storage_inst *t, icx_id g, int kind, const icx_id *subjects,
                           size_t n);

/* While on, writes through the storage belong to a change its caller logs
 * (the store facade's documents).  While off (the default), each write
 * through librdf's storage methods, the array and the bulk path first
 * logs a change of kind ICX_SCHEMA_CHANGE_OTHER. */
void icx_storage_set_logged(icx_storage_inst *t, int on);

/* The text of the last SQLite error on this storage ("" when none).  Lent. */
const char *icx_storage_errmsg(icx_storage_inst *t);

#endif

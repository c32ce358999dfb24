/* icx_storage_internal.h - what the files of the icx storage module share
 * (internal to engine/store): the storage instance, its prepared
 * statements, and the calls one file of the module makes into another.
 *
 * The module's files:
 *   icx_storage.c         the factory and librdf's storage methods: open,
 *                         close, size, add, remove, contains, transactions
 *   icx_storage_quads.c   a quad added or removed, a graph's quads removed
 *   icx_storage_find.c    find_statements, serialise and get_contexts:
 *                         streams and iterators over SQL
 *   icx_storage_terms.c   the term dictionary and its bounded cache
 *   icx_storage_bulk.c    the bulk path: context_add_array and streaming
 *                         bulk loads, index drop and rebuild
 *   icx_storage_ids.c     reads by term id: iri_id, term_text, context_ids,
 *                         subject walks
 *   icx_storage_schema.c  creating and checking the schema, the secondary
 *                         indexes, and probing a file
 *   icx_storage_postings.c    the postings by number: kept as quads are
 *                         written, built whole, walked by range
 * The schema itself (documentation and DDL) is icx_schema.h.
 */
#ifndef ICX_STORAGE_INTERNAL_H
#define ICX_STORAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <librdf.h>
#include <sqlite3.h>
#include "icx_postings_table.h"
#include "icx_storage.h"

/* The module's own cross-file calls stay inside the library (libicx.so
 * exports icx_*, and these are no API): hidden, a call among them is a
 * direct call that the compiler may inline within a file, as it did when
 * they were all static in one file. */
#if defined(__GNUC__) && !defined(_WIN32)
#define ICX_STORAGE_LOCAL __attribute__((visibility("hidden")))
#else
#define ICX_STORAGE_LOCAL
#endif

/* SQLite's busy timeout for a probe's connection (a reader: in WAL mode
 * it waits only while another connection recovers the log). */
#define ICX_STORAGE_BUSY_TIMEOUT_MS 10000
/* How long a storage's connection waits for a lock when nobody says
 * (icx_storage_set_wait()), and after how long of waiting it says so. */
#define ICX_STORAGE_WAIT_MS 300000L
#define ICX_STORAGE_WAIT_SAY_MS 250
/* What icx_storage_fail() adds to the message of a corruption error. */
#define ICX_STORAGE_DAMAGED_NOTE "the store is damaged; run icx check"
/* The term cache empties itself when its keys and slots pass this many
 * bytes, so that a load of any size keeps a bounded cache (about 600k
 * terms fit). */
#define ICX_STORAGE_CACHE_MAX_BYTES ((size_t)64 << 20)

/* The fixed statements of a storage, each prepared when first used
 * (icx_storage_q(); their text is in icx_storage.c). */
enum {
  Q_TERM_GET,
  Q_TERM_INS,
  Q_NS_GET,
  Q_NS_INS,
  Q_QUAD_INS,
  Q_QUAD_DEL,
  Q_QUAD_DEL_G,
  Q_SUBJ_INS,
  Q_SUBJ_DEL,
  Q_SUBJ_DEL_G,
  Q_QUADS_G,
  Q_CONTAINS,
  Q_SIZE,
  Q_TERM_NUM,
  Q_COUNT
};

/* The statements icx_storage_ids.c prepares when first used (their text
 * is there): a graph's quads read subject by subject, in one scan, and
 * the probe that chooses; a subject's quads with a predicate. */
enum ids_slot {
  IDS_GRAPH_BY_SUBJECT,
  IDS_GRAPH_SCAN,
  IDS_GRAPH_PROBE,
  IDS_SUBJECT_PREDICATE,
  IDS_COUNT
};

/* The walks of the postings (icx_storage_postings.c), each with a table
 * handle of its own: a graph's quads with a predicate and object, the
 * subjects with an object, a predicate's (object, subject) pairs, its
 * numbers, the subjects with a number in a range. */
enum walk_kind { W_GRAPH_PO, W_SUBJECTS_WITH, W_PAIRS, W_NUMBERS, W_NUMS_RANGE, W_COUNT };

/* Shapes of find patterns: which parts are bound. */
enum { BOUND_S = 1, BOUND_P = 2, BOUND_O = 4, BOUND_G = 8, N_SHAPES = 16 };

/* The term cache: (kind, dt, lang, lex) -> id, an open-addressing table
 * whose keys live in blocks (icx_storage_terms.c). */
typedef struct icx_storage_cache {
  struct icx_storage_cache_slot *slots;
  size_t mask;                /* slots - 1; 0 when no table yet */
  size_t count;
  size_t bytes;               /* blocks' capacity, slots not counted */
  struct icx_storage_cache_block *blocks;
} icx_storage_cache;

/* The instance of one icx storage (librdf_storage_get_instance). */
struct icx_storage_inst {
  const char *magic;          /* icx_storage_magic */
  librdf_storage *storage;    /* the librdf storage wrapping it, or NULL */
  librdf_world *world;        /* its world (NULL: failures are not logged) */
  int adopted;                /* made by icx_storage_open() for icx_storage_wrap():
                                 freeing the storage leaves it open */
  char *path;
  int is_new;
  int readonly;               /* "readonly='yes'": SQLITE_OPEN_READONLY */
  int synchronous;            /* index into sync_names (icx_storage.c) */
  int cache_mb;               /* SQLite page cache, MiB */
  sqlite3 *db;
  sqlite3_stmt *q[Q_COUNT];
  sqlite3_stmt *find[N_SHAPES];
  int find_busy[N_SHAPES];    /* a stream is stepping find[shape] */
  int in_tx;                  /* a librdf transaction is open */
  int indexes_dropped;        /* a bulk load dropped the secondary indexes
                                 of quads in the open transaction: built
                                 again before it commits (icx_storage_bulk_end()),
                                 postings_num with them */
  int cache_on;               /* a transaction of ours or the caller's is open */
  int quiet;                  /* icx_storage_fail() records, does not log (bulk adds) */
  sqlite3_stmt *ids_q[IDS_COUNT]; /* icx_storage_ids.c's statements, by ids_slot */
  icx_postings_table *pos;    /* postings_po and postings_num, written */
  icx_postings_table *nums;
  icx_postings_table *walks[W_COUNT]; /* the same, walked (made at first use) */
  int vtabs;                  /* temp.icx_pos and icx_nums made on db (icx_storage_vtabs()) */
  sqlite3_stmt *ins_rows_num; /* INSERT_ROWS quads in one statement, numbers given */
  sqlite3_stmt *ins_num;      /* one quad, its number given */
  icx_storage_cache cache;
  size_t cache_max;           /* its bound in bytes (term-cache-mb) */
  unsigned char *kbuf;        /* scratch key for the cache */
  size_t kcap;
  char errmsg[512];
  int damaged;                /* SQLite said the file is corrupt (icx_storage_damaged()) */
  int logged;                 /* writes belong to a change the store facade logs
                                 (icx_storage_set_logged()) */
  int token_col;              /* icx_changes is known to have its token column */
  unsigned long long token_state; /* draws the changes' tokens (0: not seeded yet) */
  char *hidden_iri;           /* the graph left out of context-free reads
                                 (icx_storage_set_hidden()), or NULL */
  sqlite3_int64 hidden_g;     /* its term id once it exists, else 0 */
  int hide_named;             /* reads naming it find nothing too */
  long wait_ms;               /* how long a lock is waited for (storage_busy) */
  double wait_start;          /* when the present wait began, icx_now_ms() */
  int wait_said;              /* wait_fn was called for the present wait */
  icx_storage_wait_fn wait_fn;
  void *wait_ud;
};

/* The id to bind for "g <> ?" in reads without a context: the hidden
 * graph's (icx_storage_set_hidden()), or -1, which no graph has. */
sqlite3_int64 icx_storage_hidden(icx_storage_inst *t);

/* What every instance's magic points to: how the module's own calls tell
 * an icx storage from another module's. */
ICX_STORAGE_LOCAL
extern const char icx_storage_magic[];

/* The instance of storage (NULL for NULL; not checked to be ours). */
static inline icx_storage_inst *
icx_storage_inst_of(librdf_storage *storage)
{
  return storage ? (icx_storage_inst *)librdf_storage_get_instance(storage) : NULL;
}

/* The SQLite connection of an icx storage, lent for the life of storage;
 * NULL when storage is NULL or not an icx storage. */
sqlite3 *icx_storage_db(librdf_storage *storage);

/* Before a write through librdf's storage methods: unless the facade
 * logs the change it belongs to (t->logged), logs one of kind
 * ICX_SCHEMA_CHANGE_OTHER first, so that readers of the log know anything
 * may have changed.  0 or -1 (icx_storage_schema.c). */
ICX_STORAGE_LOCAL
int icx_storage_note_write(icx_storage_inst *t);

/* --- icx_storage.c ----------------------------------------------------------- */

/* Records the failure what (with SQLite's message) in t->errmsg and logs
 * it through librdf unless t->quiet; returns -1.  When SQLite's error is
 * SQLITE_CORRUPT or SQLITE_NOTADB, marks the storage damaged and says so
 * in the message. */
ICX_STORAGE_LOCAL
int icx_storage_fail(icx_storage_inst *t, const char *what);
/* Fixed statement which (Q_*), prepared on t's connection when first
 * asked for and kept until the storage closes; NULL after
 * icx_storage_fail() when SQLite refuses it. */
ICX_STORAGE_LOCAL
sqlite3_stmt *icx_storage_q(icx_storage_inst *t, int which);

/* Runs sql (fixed text) on t's connection.  0, or -1 after
 * icx_storage_fail(). */
ICX_STORAGE_LOCAL
int icx_storage_exec(icx_storage_inst *t, const char *sql);


/* A unit of work: a savepoint inside the caller's transaction, else a
 * transaction of its own (*own set).  0 or -1.  batch_end keeps it when
 * ok, else undoes it; 0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_batch_begin(icx_storage_inst *t, int *own);
ICX_STORAGE_LOCAL
int icx_storage_batch_end(icx_storage_inst *t, int own, int ok);

/* --- icx_storage_terms.c -------------------------------------------------------- */

/* Empties the term cache (ids it holds may have been rolled back). */
ICX_STORAGE_LOCAL
void icx_storage_cache_clear(icx_storage_cache *c);

/* 1 and *out set when dt is a numeric XSD type and lex a valid lexical form
 * of it; else 0. */
ICX_STORAGE_LOCAL
int icx_storage_numeric_value(const char *dt, const char *lex, double *out);

/* The id of the term (kind, lex, dt, lang), through the term cache while a
 * transaction is open; dt_iri is the datatype's IRI (for terms.num); with
 * create, added when missing.  Returns the id, 0 when missing and !create,
 * -1 on error. */
ICX_STORAGE_LOCAL
sqlite3_int64 icx_storage_term_lookup(icx_storage_inst *t, int kind, const unsigned char *lex,
                                      size_t lexlen, sqlite3_int64 dt, const char *lang,
                                      const char *dt_iri, int create);

/* The id of node n (see icx_storage_term_lookup); -1 also for a node of no
 * known kind. */
ICX_STORAGE_LOCAL
sqlite3_int64 icx_storage_term_id(icx_storage_inst *t, librdf_node *n, int create);

/* A new node from a term's columns; NULL when out of memory. */
ICX_STORAGE_LOCAL
librdf_node *icx_storage_node_new(icx_storage_inst *t, int kind, const unsigned char *lex,
                                  int len, const unsigned char *lang, const unsigned char *dt);

/* --- icx_storage_quads.c --------------------------------------------------------- */

/* 1 when st has an IRI or blank subject, an IRI predicate and an object. */
ICX_STORAGE_LOCAL
int icx_storage_valid_statement(librdf_statement *st);

/* The id of a context node (an IRI), created when missing with create; 0
 * for NULL; -1 on error. */
ICX_STORAGE_LOCAL
sqlite3_int64 icx_storage_context_id(icx_storage_inst *t, librdf_node *context, int create);

/* Adds statement x to graph g (a term id, 0 for none), its terms made
 * when missing, graph_subjects and postings_num kept.  1 if new, 0 if it
 * was there, -1 on error (t->errmsg). */
ICX_STORAGE_LOCAL
int icx_storage_add_quad(icx_storage_inst *t, librdf_statement *x, sqlite3_int64 g);

/* Removes statement x from graph g, with what is kept beside it.  0
 * (also when a term is unknown: nothing to remove) or -1. */
ICX_STORAGE_LOCAL
int icx_storage_remove_quad(icx_storage_inst *t, librdf_statement *x, sqlite3_int64 g);

/* Removes every quad of graph g, with what is kept beside them.  0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_remove_graph(icx_storage_inst *t, sqlite3_int64 g);

/* --- icx_storage_ids.c ------------------------------------------------------------ */

/* Whether graph g is (nearly) the whole store: the other graphs list
 * fewer than 64 subjects between them, as during a first load.  1, 0,
 * or -1. */
ICX_STORAGE_LOCAL
int icx_storage_graph_is_store(icx_storage_inst *t, sqlite3_int64 g);

/* --- icx_storage_postings.c ---------------------------------------------------------- */

/* Frees t->pos and t->nums (prepared by the first write of a posting)
 * and the walks' handles. */
ICX_STORAGE_LOCAL
void icx_storage_postings_close(icx_storage_inst *t);

/* After the quad (s, p, o, g) was written (new or there already): its
 * pair added to postings_po and, when it has a number num (has_num), to
 * postings_num.  Nothing while a bulk load has set the postings aside
 * (t->indexes_dropped).  0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_postings_add(icx_storage_inst *t, sqlite3_int64 s, sqlite3_int64 p,
                             sqlite3_int64 o, sqlite3_int64 g, int has_num, double num);

/* When the quad (s, p, o, g) is removed (before or after its row goes):
 * its pair removed from postings_po, and from postings_num unless
 * another graph holds (s, p, o).  0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_postings_remove(icx_storage_inst *t, sqlite3_int64 s, sqlite3_int64 p,
                                sqlite3_int64 o, sqlite3_int64 g, int has_num, double num);

/* Makes postings_po, or postings_num, again on db in the caller's
 * transaction from the index it replaces (quads_pos, quads_num): an
 * upgrade's step.  0, or -1 with why in err (n bytes). */
ICX_STORAGE_LOCAL
int icx_storage_pos_build(sqlite3 *db, char *err, size_t n);
ICX_STORAGE_LOCAL
int icx_storage_nums_build(sqlite3 *db, char *err, size_t n);

/* Both again on t's connection from one scan of the quads, gathered by
 * icx_postings_sort.h: a first load's end, or a graph's removal that
 * took most of the store (icx_storage_schema_build_indexes()).  0 or
 * -1. */
ICX_STORAGE_LOCAL
int icx_storage_postings_build(icx_storage_inst *t);

/* The quads of graph g with predicate p and object o, as (s, p, o) to
 * fn (a walk of postings_po).  0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_predicate_object_ids(icx_storage_inst *t, icx_id g, icx_id p, icx_id o,
                                     icx_storage_ids_fn fn, void *ud);

/* --- icx_storage_find.c ---------------------------------------------------------- */

/* librdf's find_statements and its kin: statements matching pattern (NULL
 * parts are wildcards, NULL: all) in context: has_context 0 searches every
 * context, 1 only context (NULL: the statements without context). */
ICX_STORAGE_LOCAL
librdf_stream *icx_storage_find(librdf_storage *storage, librdf_statement *pattern,
                                int has_context, librdf_node *context);

/* librdf's get_contexts: every context IRI, in order. */
ICX_STORAGE_LOCAL
librdf_iterator *icx_storage_contexts(librdf_storage *storage);

/* --- icx_storage_schema.c -------------------------------------------------------- */

/* Creates the schema in t's new database (WAL journal, one transaction).
 * 0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_schema_create(icx_storage_inst *t);

/* Reads icx_meta; 0 when format and version are ours, else -1 (logged). */
ICX_STORAGE_LOCAL
int icx_storage_schema_check(icx_storage_inst *t);

/* Builds again the indexes a bulk load dropped in the open transaction
 * (t->indexes_dropped), before anything reads or commits it.  0 or -1. */
ICX_STORAGE_LOCAL
int icx_storage_indexes_restore(icx_storage_inst *t);

/* Drops, and builds again, the secondary indexes of quads.  0 or -1.
 * The build sorts in pieces of a small page cache, on helper threads
 * (SQLite's "threads"), then sets both back. */
ICX_STORAGE_LOCAL
int icx_storage_schema_drop_indexes(icx_storage_inst *t);
ICX_STORAGE_LOCAL
int icx_storage_schema_build_indexes(icx_storage_inst *t);

#endif

/* icx_store_internal.h - what the files of the store facade share
 * (internal to engine/store): the store's struct and the nodes they all
 * make.  icx_store.c opens and closes a store, icx_store_docs.c writes
 * its documents, icx_store_claims.c checks a document's clouds before it
 * commits, icx_store_list.c lists them.
 */
#ifndef ICX_STORE_INTERNAL_H
#define ICX_STORE_INTERNAL_H

#include <librdf.h>
#include "icx_id.h"
#include "icx_store.h"
#include "icx_store_rdf.h"

/* Graph ?1's subjects, each once (the claims and the change log). */
#define ICX_STORE_GRAPH_SUBJECTS_SQL "SELECT s FROM graph_subjects WHERE g = ?1"

/* The bookkeeping graph, and rdf:type. */
#define ICX_STORE_META_GRAPH "urn:icx:meta"
#define ICX_STORE_RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#if defined(__GNUC__) && !defined(_WIN32)
#define ICX_STORE_LOCAL __attribute__((visibility("hidden")))
#else
#define ICX_STORE_LOCAL
#endif

/* How many prepared statements a handle keeps: a match needs five or
 * six (the query, its term lookup, estimates, the names). */
#define ICX_STORE_STMTS 16

struct icx_store {
  icx_ctx *ctx;
  char *path;
  int flags;
  unsigned long long dev, ino;  /* the file opened (icx_store_replaced()) */
  struct icx_storage_inst *inst; /* the open file (icx_storage.h) */
  struct sqlite3 *db;         /* its connection (icx_store_db(), icx_schema.h) */
  /* The librdf side, NULL until icx_store_rdf() makes it: */
  librdf_storage *storage;    /* a librdf storage wrapping inst */
  librdf_model *model;
  librdf_node *meta;          /* the bookkeeping context */
  icx_store_progress_fn progress;
  void *progress_ud;
  librdf_node *doc;           /* the document being written, between
                                 icx_store_document_begin() and its end */
  icx_store_wait_fn wait_fn;  /* icx_store_set_wait() */
  void *wait_ud;
  char *name_property;        /* clouds' names: icx_store_set_name_property() */
  char *doc_owner;            /* its owner (icx_store_document_set_owner()) */
  icx_id *before;             /* the subjects the document's graph held before
                                 (the change log, icx_store_ids.h) */
  size_t n_before;
  struct sqlite3_stmt *gen_st; /* PRAGMA data_version (icx_store_generation()) */
  void *attached;             /* icx_store_attach() */
  void (*attached_free)(void *);
  /* Prepared statements kept for the connection (icx_store_stmt_get(),
   * icx_schema.h): statements only, never data. */
  struct {
    char *sql;
    struct sqlite3_stmt *st;
    int busy;                 /* lent out */
    unsigned long used;       /* when last lent: the least recent goes */
  } stmts[ICX_STORE_STMTS];
  unsigned long stmt_clock;
  unsigned tables;            /* ICX_STORE_TABLE_* seen (icx_store_table_have()) */
};

/* The tables the store's modules make with their first write, one bit
 * each (icx_store_table_have()). */
#define ICX_STORE_TABLE_SUBS 0x1u           /* subscriptions (icx_store_subs.c) */
#define ICX_STORE_TABLE_SUBS_VERSION 0x2u   /* subscription_version */
#define ICX_STORE_TABLE_SUBS_CLOUDS 0x4u    /* subscription_clouds */
#define ICX_STORE_TABLE_SESSIONS 0x8u       /* icx_sessions (icx_store_sessions.c) */
#define ICX_STORE_TABLE_INSTANCES 0x10u     /* icx_instances */

/* 1 when the table name (of bit) exists, 0 when not, -1 on error
 * (sqlite3_errmsg() of the connection says why).  Tables are never
 * dropped, so a table seen with no transaction open on the handle (made
 * and committed, by any process) is remembered on the handle; a missing
 * one is asked again at each call (another process may make it): one
 * step of a kept statement. */
ICX_STORE_LOCAL
int icx_store_table_have(icx_store *s, unsigned bit, const char *name);


/* Makes the store's librdf world, storage, model and bookkeeping node
 * when they are not made yet (icx_store_open() makes none of them).  Every
 * function that reaches s->storage, s->model or s->meta calls it first.
 * ICX_OK, or the failure, with its message set. */
ICX_STORE_LOCAL
icx_rc icx_store_rdf(icx_store *s);

/* The open store file (icx_storage.h), lent for the life of s. */
ICX_STORE_LOCAL
struct icx_storage_inst *icx_store_inst(icx_store *s);

/* A new node for iri (making the librdf side first); NULL when out of
 * memory or librdf fails. */
ICX_STORE_LOCAL
librdf_node *icx_store_uri_node(icx_store *s, const char *iri);

/* A new node for the term local of icx's match vocabulary (ICX_MATCH_NS,
 * the bookkeeping graph's terms); NULL when out of memory. */
ICX_STORE_LOCAL
librdf_node *icx_store_match_node(icx_store *s, const char *local);

/* The open document's clouds checked against the other documents' and
 * among themselves (icx_store.h, "Clouds' names"; icx_store_claims.c),
 * inside its transaction: ICX_OK, or ICX_ERR_INVALID saying which name or
 * cloud and which document has it, ICX_ERR_STORE, ICX_ERR_NOMEM. */
ICX_STORE_LOCAL
icx_rc icx_store_check_claims(icx_store *s, const char *source);

#endif

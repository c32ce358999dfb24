/* fixture.h - fixtures shared by the Check suites (tests/unit/fixture.c). */
#ifndef ICX_TEST_FIXTURE_H
#define ICX_TEST_FIXTURE_H

#include <stddef.h>
#include "icx.h"

/* Source tree (ICX_SRCDIR, else "..") and the shipped ontology folder. */
const char *tu_srcdir(void);
const char *tu_ontology(void);

/* A new empty temporary folder (removed by tu_rmtree).  Aborts the test on
 * failure.  Returns a new string to free(). */
char *tu_tmpdir(void);
void tu_rmtree(const char *dir);

/* dir/name, as a new string. */
char *tu_path(const char *dir, const char *name);
void tu_write(const char *path, const char *text);
/* Whole file as a new NUL-terminated string, or NULL. */
char *tu_read(const char *path, size_t *len);

/* Copies every .ttl of the shipped ontology into dir. */
void tu_copy_ontology(const char *dir);
/* A new folder dir/onto holding the shipped ontology and one more
 * attribute, the string `tier` of storage services (rule equals).  Returns
 * its path (free it). */
char *tu_ontology_with_tier(const char *dir);

/* An allocator for contexts of the suites (icx_mem's userdata is a
 * tu_mem).  Each block carries a header of its own, so that a block of
 * the context freed with free(), or a block of the C library freed through
 * the context, is an invalid free that the build (ASan, or glibc's checks)
 * reports.  It counts the allocations (alloc and realloc calls) made while
 * armed, and fails the fail_at-th of them (1-based; 0: none) and, when
 * fail_rest is set, every one after it. */
typedef struct tu_mem {
  int armed;
  unsigned long count;          /* allocations while armed */
  unsigned long fail_at;
  int fail_rest;
  unsigned long failed;         /* allocations refused */
  long live;                    /* blocks not yet freed, armed or not */
} tu_mem;
extern const icx_mem tu_mem_table;   /* its userdata is NULL: use tu_mem_of() */
/* A table whose userdata is m. */
icx_mem tu_mem_of(tu_mem *m);

/* A context that keeps quiet (log level error, to a sink that drops), on
 * the suites' allocator (never armed). */
icx_ctx *tu_ctx(void);
/* As tu_ctx(), on the allocator m (armed as the test decides). */
icx_ctx *tu_ctx_mem(tu_mem *m);

/* Loads the shipped vocabulary or fails the test. */
icx_vocab *tu_vocab(icx_ctx *ctx);

/* Parses xml against vocab, matches on store, and returns the names joined
 * by spaces ("cloud2 cloud5"), or "ERROR: <message>".  New string. */
char *tu_match(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store, const char *xml);

/* The cells of rows as "a|b c|d": cells of a row joined by '|', rows by
 * spaces, an unbound cell "-".  New string. */
char *tu_rows_text(const icx_rows *rows);

/* A <constraints> document with one constraint per (name, value) pair in a
 * NULL-ended list.  New string. */
char *tu_constraints(const char *first_name, ...);

/* A new store dir/store.db holding the Turtle text ttl as one document
 * ("doc"), checked against vocab; fails the test on error.  Free it with
 * icx_store_free(). */
icx_store *tu_store_turtle(icx_ctx *ctx, const icx_vocab *vocab, const char *dir,
                           const char *ttl);

/* What most suites start from: a quiet context, a new temporary folder,
 * and, once loaded, a vocabulary and a store in that folder. */
typedef struct tu_world {
  icx_ctx *ctx;
  icx_vocab *vocab;             /* NULL until loaded */
  icx_store *store;             /* NULL until loaded */
  char *dir;
  char *db;                     /* the store's path (tu_world_empty()), else NULL */
} tu_world;

/* A context and a temporary folder; nothing loaded. */
void tu_world_open(tu_world *w);
/* The vocabulary of the folder ontology, and a new store dir/store.db
 * holding the documents at path (a file or a folder); fails the test on
 * error. */
void tu_world_load(tu_world *w, const char *ontology, const char *path);
/* tu_world_open(), then the shipped vocabulary and a store holding the
 * Turtle text ttl as one document (tu_store_turtle()). */
void tu_world_turtle(tu_world *w, const char *ttl);
/* tu_world_open(), then the shipped vocabulary and a store holding the
 * shipped data/clouds (the paper's clouds). */
void tu_world_shipped(tu_world *w);
/* tu_world_open(), then a new empty store dir/name (its path in w->db);
 * no vocabulary. */
void tu_world_empty(tu_world *w, const char *name);
/* Frees what w holds and removes its folder. */
void tu_world_close(tu_world *w);

/* Three clouds of one storage service each, for the query path's suites
 * (exec, sql, semi): c1 (availability 99.9, 3 replicas, NFS), c2 (99.999,
 * 5, NFS), c3 (99.0, 5, no access protocol); subjects in TU_EX. */
#define TU_RES "http://www.csp/resOntology#"
#define TU_EX "http://ex.example/ns#"
extern const char tu_three_clouds[];

/* Records that the running test cannot run here, and why (a program or
 * library module the machine lacks, a build that cannot measure it); the
 * test then returns.  Prints "SKIP: why".  Works in Check's forked
 * children as in no-fork mode. */
void tu_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs every test of s, frees it, and returns the process exit status:
 * EXIT_FAILURE when a test failed, else 77 (the test driver's SKIP) when a
 * test called tu_skip(), listing each reason, else EXIT_SUCCESS.  A skipped
 * test never reads as a pass. */
struct Suite;
int tu_run(struct Suite *s);

#endif

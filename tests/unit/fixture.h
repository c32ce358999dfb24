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

/* A context that keeps quiet (log level error, to a sink that drops). */
icx_ctx *tu_ctx(void);

/* Loads the shipped vocabulary or fails the test. */
icx_vocab *tu_vocab(icx_ctx *ctx);

/* Parses xml against vocab, matches on store, and returns the names joined
 * by spaces ("cloud2 cloud5"), or "ERROR: <message>".  New string. */
char *tu_match(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store, const char *xml);

/* A <constraints> document with one constraint per (name, value) pair in a
 * NULL-ended list.  New string. */
char *tu_constraints(const char *first_name, ...);

/* A new store dir/store.db holding the Turtle text ttl as one document
 * ("doc"), checked against vocab; fails the test on error.  Free it with
 * icx_store_free(). */
icx_store *tu_store_turtle(icx_ctx *ctx, const icx_vocab *vocab, const char *dir,
                           const char *ttl);

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

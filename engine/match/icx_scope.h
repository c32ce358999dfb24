/* icx_scope.h - matching on a few documents only: the seam that lets a
 * standing request be evaluated on the clouds a change touched, never on
 * the whole store (internal, not installed).
 *
 * A scope is the statements of some documents (named graphs), read from
 * the store once with their terms.  icx_scope_match() runs a typed plan
 * (icx_plan.h) on the clouds those documents name, with the meaning
 * icx_match_run() gives the plan on the whole store: a cloud of the scope
 * is in the answer exactly when the whole store's answer has it (a
 * cloud's statements and those of the services it offers all live in its
 * document: the loader refuses a document naming a cloud or subject that
 * another document names).  Scores and degrees are not computed: a
 * standing request asks which clouds are in an answer.  The cost follows
 * the documents' size and the plan's, not the store's.
 *
 * Memory comes from ctx's allocator.  A scope reads nothing after
 * icx_scope_new(): it may outlive the read transaction and the store.
 */
#ifndef ICX_SCOPE_H
#define ICX_SCOPE_H

#include <stddef.h>

#include "icx_plan.h"
#include "icx_store.h"

typedef struct icx_scope icx_scope;

/* Reads the statements of the n documents doc_uris (graph IRIs; those the
 * store lacks add nothing) into *out, in one read transaction.  Errors:
 * ICX_ERR_STORE, ICX_ERR_NOMEM, ICX_ERR_MISUSE. */
icx_rc icx_scope_new(icx_ctx *ctx, icx_store *store, const char *const *doc_uris, size_t n,
                     icx_scope **out);
/* NULL is a no-op. */
void icx_scope_free(icx_scope *sc);

/* Statements held. */
size_t icx_scope_size(const icx_scope *sc);

/* Called with the name of each cloud of the scope that plan's answer has
 * (a cloud with two names, twice); non-0 stops. */
typedef int (*icx_scope_fn)(void *userdata, const char *cloud_name);

/* Runs plan on the scope's clouds.  ICX_OK, ICX_ERR_QUERY when the plan is
 * not typed (icx_plan_typed(): match the whole store instead). */
icx_rc icx_scope_match(icx_ctx *ctx, const icx_scope *sc, const icx_plan *plan, icx_scope_fn fn,
                       void *userdata);

/* Called with each statement of the scope: its predicate's IRI and its
 * object (text: an IRI or a literal's lexical form; iri 1 for an IRI;
 * has_num 1 when the literal parses whole as the number num).  Blank
 * objects are skipped.  Non-0 stops. */
typedef int (*icx_scope_value_fn)(void *userdata, const char *predicate, const char *text,
                                  int iri, int has_num, double num);

/* Walks the scope's statements in subject order: what a standing request's
 * index probes with (the values the changed documents hold now). */
void icx_scope_values(const icx_scope *sc, icx_scope_value_fn fn, void *userdata);

#endif

/* icx_match.h - from constraints to the names of matching clouds.
 *
 * The one call the front ends make: compile, execute, collect.  Results are
 * plain data: each matching cloud once, with its score and degrees, sorted
 * by score (highest first), then by name.
 */
#ifndef ICX_MATCH_H
#define ICX_MATCH_H

#include <stddef.h>
#include "icx_constraint.h"
#include "icx_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_match icx_match;

/* Matches set against store.  On success *out owns the result; free it with
 * icx_match_free().  An empty answer is success with a count of 0.
 * Errors: those of icx_compile_sparql() and icx_exec_select(), and
 * ICX_ERR_LIMIT past the context's time limit (icx_ctx_set_time_limit()). */
icx_rc icx_match_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                     icx_match **out);

/* icx_match_run() for a process that asks one question and exits (the
 * CLI): while store's matching index has not been read (nothing matched
 * on this handle yet, no icx_match_warm(), no saved index beside the
 * store at a state it can use: icx_match_save_index()), the SQL path answers instead
 * of reading the index for one request; at every size and request shape
 * doc/performance.md measures, that costs a first request less (at a
 * million clouds 0.2 to 2.4 s against 2.5 to 3.7 s).  The answer is the
 * same on either path.  Errors as icx_match_run(). */
icx_rc icx_match_run_once(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                          icx_match **out);

/* Reads into store's matching index what requests over vocab's
 * attributes read on first use: the clouds, their names and the services
 * they offer, and every attribute's values.  A long-lived process (icxd's
 * workers) calls it before taking requests, so that the first request
 * costs what the others do; matching works without it.  The index follows
 * later changes of the store by itself.  ICX_OK (also for a store the
 * index cannot hold, which the SQL path answers), ICX_ERR_STORE,
 * ICX_ERR_NOMEM. */
icx_rc icx_match_warm(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store);

/* Saves store's matching index beside the store ("<store>-index",
 * icx_index.h) when reading the store for it cost at least min_ms since
 * the handle's index was made or last saved (0: whenever it holds
 * anything), first bringing it up to the store's present state.  A new
 * handle then starts from the file instead of reading the store; for
 * icx_match_run_once() a usable file means the index answers.  Not
 * saving (no write access to the folder, a store no icx of this version
 * wrote to) is not an error: *saved (when not NULL) says whether the
 * file was written.  ICX_OK, ICX_ERR_STORE, ICX_ERR_NOMEM. */
icx_rc icx_match_save_index(icx_ctx *ctx, icx_store *store, double min_ms, int *saved);

/* After a process changed store (the CLI's load and remove): brings the
 * index saved beside the store to the store's state, so that the next
 * process maps it and reads nothing else.  Reads the index for vocab
 * (icx_match_warm(): from the saved file and the changes since when the
 * log reaches back to it, else from the store) and saves it.  A file
 * left behind would cost every later process the whole file read and the
 * changes applied (at a million clouds about 280 ms a match against 160
 * from a current file); bringing it forward here costs the same read
 * once, and the write (doc/performance.md).  *saved as for
 * icx_match_save_index().  ICX_OK, ICX_ERR_STORE, ICX_ERR_NOMEM. */
icx_rc icx_match_keep_index(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store,
                            int *saved);

void icx_match_free(icx_match *m);
size_t icx_match_count(const icx_match *m);
/* Name of the i-th matching cloud.  Lent. */
const char *icx_match_cloud(const icx_match *m, size_t i);
/* The SPARQL the match ran.  Lent. */
const char *icx_match_sparql(const icx_match *m);

/* How a cloud met a constraint: EXACT (the value asked for, a number, a
 * negation or exists held), NARROWER (a narrower individual than the one
 * asked for), NONE (a soft constraint it does not meet). */
typedef enum icx_degree {
  ICX_DEGREE_NONE = 0,
  ICX_DEGREE_EXACT = 1,
  ICX_DEGREE_NARROWER = 2
} icx_degree;

/* The sum of the weights of the soft constraints cloud i meets.  Clouds
 * come ordered by score, highest first, then by name. */
int icx_match_score(const icx_match *m, size_t i);
/* NARROWER if any constraint matched narrower, else EXACT. */
icx_degree icx_match_degree(const icx_match *m, size_t i);
/* Degree of constraint c (index in the constraint set) for cloud i. */
icx_degree icx_match_constraint_degree(const icx_match *m, size_t i, size_t c);
size_t icx_match_constraint_count(const icx_match *m);
const char *icx_degree_name(icx_degree d);

/* The paper's answer element:
 *   <matchingClouds xmlns='http://www.csp/resOntology'>
 *     <cloudName>cloud2</cloudName> ...
 *   </matchingClouds>
 * with names XML-escaped.  When the request went beyond the paper's format
 * (an op, a soft constraint), each <cloudName> also carries score='N' and
 * degree='exact|narrower'; the paper's own request gets the paper's own
 * answer.  indent > 0 pretty-prints with that many spaces.
 * Returns a new string of the allocator of the context m was made with
 * (free it with icx_free() on that context; free() with the default
 * allocator), or NULL when out of memory. */
char *icx_match_to_xml(const icx_match *m, int indent);

#ifdef __cplusplus
}
#endif
#endif

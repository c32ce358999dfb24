/* icx_explain.h - why clouds match or do not.
 *
 * For a constraint set: how many clouds meet each constraint alone, and how
 * many remain after each constraint taken in order; for each cloud asked
 * about, every constraint it fails and by how much ("availability: best
 * offer 99.99, asked at least 99.999"); and when nothing matches, the
 * smallest sets of constraints whose removal gives a match, with the
 * clouds each would give.  Soft constraints are explained as if required.
 * Each figure comes from matching a subset of the constraints on the store.
 */
#ifndef ICX_EXPLAIN_H
#define ICX_EXPLAIN_H

#include <stddef.h>
#include "icx_match.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct icx_explain icx_explain;

/* Relaxations are searched for up to this many constraints removed, in
 * requests of at most ICX_EXPLAIN_MAX_CONSTRAINTS constraints. */
#define ICX_EXPLAIN_MAX_REMOVED 3
#define ICX_EXPLAIN_MAX_CONSTRAINTS 16
/* A relaxation names at most this many of the clouds it gives. */
#define ICX_EXPLAIN_RELAXATION_NAMES 10
/* A failure's sentence lists at most this many of the values the cloud
 * offers, and of the values asked, each list then ending in "...". */
#define ICX_EXPLAIN_LABELS 12

/* Explains set on store; clouds (n names, may be 0) are the clouds to
 * explain one by one.  On success *out owns the result; free it with
 * icx_explain_free().  Errors: those of icx_match_run(). */
icx_rc icx_explain_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                       const char *const *clouds, size_t n, icx_explain **out);
void icx_explain_free(icx_explain *e);

size_t icx_explain_constraint_count(const icx_explain *e);
/* Clouds meeting constraint c alone; clouds meeting constraints 0..c. */
long icx_explain_alone(const icx_explain *e, size_t c);
long icx_explain_remaining(const icx_explain *e, size_t c);
/* Clouds meeting every constraint. */
long icx_explain_matching(const icx_explain *e);

size_t icx_explain_cloud_count(const icx_explain *e);
const char *icx_explain_cloud(const icx_explain *e, size_t i);
/* 0 if no cloud of that name is in the store. */
int icx_explain_cloud_known(const icx_explain *e, size_t i);
/* 1 if the cloud meets every constraint. */
int icx_explain_cloud_matches(const icx_explain *e, size_t i);
/* The constraints cloud i fails alone, each with a sentence saying how.
 * Lent strings. */
size_t icx_explain_failure_count(const icx_explain *e, size_t i);
size_t icx_explain_failure_constraint(const icx_explain *e, size_t i, size_t k);
const char *icx_explain_failure_detail(const icx_explain *e, size_t i, size_t k);

/* Minimal sets of constraints whose removal gives a match (only searched
 * when nothing matches). */
size_t icx_explain_relaxation_count(const icx_explain *e);
/* 1 when nothing matched but the request had more than
 * ICX_EXPLAIN_MAX_CONSTRAINTS constraints, so removals were not searched
 * (no relaxation then does not mean there is none). */
int icx_explain_relaxations_skipped(const icx_explain *e);
size_t icx_explain_relaxation_size(const icx_explain *e, size_t r);
size_t icx_explain_relaxation_removed(const icx_explain *e, size_t r, size_t k);
/* How many clouds that relaxation would give. */
long icx_explain_relaxation_matching(const icx_explain *e, size_t r);
/* The first of them by name, at most ICX_EXPLAIN_RELAXATION_NAMES,
 * comma-separated: a relaxation may give most of a million clouds, and an
 * answer stays under a server's stanza size limit.  Lent. */
const char *icx_explain_relaxation_clouds(const icx_explain *e, size_t r);

/* The whole explanation as text for people, or as an <explanation>
 * element in the constraints namespace.  New strings of the allocator of
 * the context e was made with: free them with icx_free() on that context
 * (free() with the default allocator); NULL on ENOMEM. */
char *icx_explain_to_text(const icx_explain *e);
char *icx_explain_to_xml(const icx_explain *e, int indent);

/* The <explanation> element (unindented) in at most max_bytes bytes, for
 * an answer that must stay under a server's stanza size limit: whole when
 * it fits.  When not, it carries cut='true' and relaxations='N' (how many
 * there were); every constraint's line is kept; every cloud named keeps
 * its element (name and state) before any keeps its sentences: the first
 * ones whole while they fit, the others without their <fails> and with
 * failures='N', their count (a cloud whose element does not fit even so
 * is left out); relaxations follow while they fit.  The constraints'
 * lines alone may exceed a very small max_bytes.  *cut (when not NULL)
 * gets 1 when anything was left out.  As icx_explain_to_xml(); NULL on
 * ENOMEM. */
char *icx_explain_to_xml_within(const icx_explain *e, size_t max_bytes, int *cut);

#ifdef __cplusplus
}
#endif
#endif

/* icx_explain_internal.h - what an explanation holds, shared by the file
 * that builds it (icx_explain.c) and the one that writes it as text and
 * XML (icx_explain_write.c).  Not installed. */
#ifndef ICX_EXPLAIN_INTERNAL_H
#define ICX_EXPLAIN_INTERNAL_H

#include <stddef.h>

#include "icx_constraint.h"
#include "icx_explain.h"

#define EXPLAIN_MAX_RELAXATIONS 20

typedef struct explain_failure {
  size_t constraint;
  char *detail;
} explain_failure;

typedef struct explain_cloud_note {
  char *name;
  int known;
  int matches;
  explain_failure *failures;
  size_t n_failures;
} explain_cloud_note;

typedef struct explain_relaxation {
  size_t removed[ICX_EXPLAIN_MAX_REMOVED];
  size_t size;
  long matching;                /* the clouds it gives */
  char *clouds;                 /* the first of them by name */
} explain_relaxation;

struct icx_explain {
  icx_ctx *ctx;                 /* made with; its allocator holds the rest */
  const icx_constraints *set;   /* borrowed: labels for the text forms */
  size_t n;
  long *alone;
  long *remaining;
  long matching;
  explain_cloud_note *clouds;
  size_t n_clouds;
  explain_relaxation relax[EXPLAIN_MAX_RELAXATIONS];
  size_t n_relax;
  int skipped_relax;            /* nothing matched, too many constraints to search */
};

#endif

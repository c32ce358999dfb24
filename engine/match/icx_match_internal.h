/* icx_match_internal.h - what the files of the match module share (not
 * installed; included by engine/match/icx_match*.c only).
 *
 * icx_match.c runs the compiled query and shapes the answer;
 * icx_match_collect.c scores and grades each row the query streams and
 * keeps each cloud's best.
 */
#ifndef ICX_MATCH_INTERNAL_H
#define ICX_MATCH_INTERNAL_H

#include "icx_id.h"
#include "icx_match.h"
#include "icx_sql.h"

typedef struct match_hit {
  char *name;
  icx_id name_id;
  int score;
  int narrower;              /* constraints met narrower */
  icx_degree *degrees;       /* one per constraint */
} match_hit;

struct icx_match {
  icx_ctx *ctx;          /* made with; its allocator holds the rest */
  char *sparql;
  match_hit *hits;
  size_t n;
  size_t n_constraints;
  int extended;
};

/* What scoring needs of the query and the constraints, and the clouds
 * collected so far. */
typedef struct match_collect {
  const icx_constraints *set;
  size_t n_c;
  long name_col;
  long *cols;                /* per constraint, the first column of its variables */
  icx_id **asked;     /* per constraint, the term ids of the individuals asked
                              * (NULL when it asks none: every value is exact) */
  size_t *n_asked;
  icx_match *m;
  size_t *slots;             /* hash of name id -> 1 + index in m->hits; 0 empty */
  size_t mask;               /* slots - 1 */
  size_t cap;                /* m->hits allocated */
  match_hit row;             /* the row being scored */
} match_collect;

/* The query's columns and the ids of the individuals asked, into cl (set,
 * n_c and m set by the caller).  ICX_OK, ICX_ERR_QUERY (the query lacks a
 * column), ICX_ERR_NOMEM, ICX_ERR_STORE; cl is cleared by
 * icx_match_collect_clear() either way. */
icx_rc icx_match_collect_prepare(icx_ctx *ctx, icx_store *store, const icx_sql *q,
                                 match_collect *cl);

/* One row of the query (an icx_sql_row_fn, userdata a match_collect):
 * scored, then kept when it is its cloud's first or a better way for it
 * to match.  ICX_OK or ICX_ERR_NOMEM. */
icx_rc icx_match_collect_row(void *userdata, const icx_id *ids);

/* Frees what icx_match_collect_prepare() and the rows allocated in cl
 * (not the hits, which belong to cl->m). */
void icx_match_collect_clear(match_collect *cl);

/* 1 if a is a better way for a cloud to match than b. */
int icx_match_better(const match_hit *a, const match_hit *b);

#endif

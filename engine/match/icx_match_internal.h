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
#include "icx_plan.h"
#include "icx_sql.h"

/* Which path answers a match: the index when the plan is typed, else
 * SQL (AUTO); the index or an error (INDEX); SQL only (SQL). */
typedef enum icx_match_path {
  ICX_MATCH_PATH_AUTO = 0,
  ICX_MATCH_PATH_INDEX = 1,
  ICX_MATCH_PATH_SQL = 2
} icx_match_path;

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
  icx_match_path answered_by;  /* INDEX or SQL */
  int ordered;           /* the hits are one per name, in the answer's order */
  void *pool;            /* when set, holds every hit's name and degrees */
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

/* icx_match_run() on the path asked for.  With ICX_MATCH_PATH_INDEX, a
 * request the index cannot answer is ICX_ERR_QUERY.  Errors as
 * icx_match_run(). */
icx_rc icx_match_run_path(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                          icx_match_path path, icx_match **out);

/* The path that answered m: ICX_MATCH_PATH_INDEX or ICX_MATCH_PATH_SQL. */
icx_match_path icx_match_answered_by(const icx_match *m);

/* icx_match_index.c: plan run on the store's matching index, into m's
 * hits (named, one per name id, unsorted).  *answered is 0 when the index
 * cannot run it (a plan not typed, term ids past 32 bits): m is then
 * untouched and the SQL path should answer.  ICX_OK, ICX_ERR_STORE,
 * ICX_ERR_NOMEM, ICX_ERR_LIMIT (the deadline). */
icx_rc icx_match_index_query(icx_ctx *ctx, icx_store *store, const icx_plan *plan,
                             icx_match *m, int *answered);

/* What to learn of an answer that is only counted: has[i] is set to 1
 * when a cloud of the answer goes by names[i] (its text, as
 * icx_match_cloud() gives it), else 0; and the answer's first n_first
 * names in name order are copied into first[] (allocated with the
 * context's allocator, the caller's to free; NULL past the answer's
 * end). */
typedef struct icx_match_lookfor {
  const char *const *names;
  size_t n;
  unsigned char *has;
  size_t n_first;
  char **first;
} icx_match_lookfor;

/* icx_match_index.c: how many clouds plan's answer holds (names of one
 * text counted once, as icx_match_count() would), on the index without
 * scoring or naming them; with look (not NULL), which of its names are
 * among them.  *answered as icx_match_index_query(). */
icx_rc icx_match_index_count(icx_ctx *ctx, icx_store *store, const icx_plan *plan,
                             size_t *count, const icx_match_lookfor *look, int *answered);
/* icx_match.c: icx_match_count() of what icx_match_run() would answer for
 * set, and (look not NULL) which of look's names it holds, on the index
 * when it can answer, else by running the match.  Errors as
 * icx_match_run(). */
icx_rc icx_match_count_run(icx_ctx *ctx, icx_store *store, const icx_constraints *set,
                           size_t *count, const icx_match_lookfor *look);
#endif

/* icx_sql_plan.c - the join order of a translated query: cost estimates
 * from cheap index probes, a greedy order of the required patterns, and
 * the choice of the subject sets (icx_semi.h) its first rows are tested
 * against.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_postings.h"
#include "icx_schema.h"
#include "icx_sql_internal.h"

/* Join order: a probe counts the quads of one (p, o) pair up to PROBE_CAP
 * through the virtual table over postings_po; past it, the chunks of the
 * pair, read on the table's key alone, times PROBE_PER_CHUNK (chunks an
 * append filled hold 128 pairs, chunks a split made 64 to 128).  Cost: a
 * few hundred pairs decoded, or one range of chunk keys, whatever the
 * size of the store. */
#define PROBE_CAP 1024
#define PROBE_CHUNKS_CAP 65536
#define PROBE_PER_CHUNK 100
#define EST_P_ONLY 1e12       /* a pattern with only its predicate fixed */
#define EST_NOTHING 1e15      /* no constant at all */


/* Once a pattern shares a variable with those already joined, it costs a
 * few index lookups per row, and what matters is how many rows survive it.
 * A numeric comparison first (two lookups: the quad, then the number by
 * the term's primary key; the bench's thresholds drop most services), an
 * IN list next (one lookup per value), a constant object such as the
 * rdf:type of a class after (nearly every subject has it), and a pattern
 * with nothing on its object last (it prunes nothing).  Measured on 100k
 * clouds, warm: the paper's query 121 ms with the numeric patterns joined
 * last, 104 ms after the IN lists, 69 ms right after the first pattern;
 * the broad shape 664 ms last, 428 ms first. */
enum { TIER_NUMERIC = 0, TIER_IN = 1, TIER_CONSTANT = 2, TIER_FREE = 3 };
/* Among free patterns, one that binds a variable others wait for (?cloud
 * offers ?s0) goes before a dead end (?cloud cloudName ?name). */
#define TIER_DEAD_END 4
/* A pattern in a subject set prunes no row the set has not removed: it
 * only binds its value, and may multiply rows (a service with two of the
 * protocols asked), so it is joined last. */
#define TIER_IN_SET 5

/* Quads with predicate p and object o, counted up to PROBE_CAP (chunks:
 * their chunks, up to PROBE_CHUNKS_CAP). */
static double
sql_probe_count(tr *t, sqlite3_int64 p, sqlite3_int64 o, int chunks)
{
  static const char *const sql[2] = {
    "SELECT count(*) FROM (SELECT 1 FROM " ICX_SCHEMA_POS_VTAB " WHERE p = ?1 AND o = ?2"
    " LIMIT ?3)",
    "SELECT count(*) FROM (SELECT 1 FROM postings_po WHERE p = ?1 AND o = ?2 LIMIT ?3)"
  };
  sqlite3_stmt *st;
  double n = PROBE_CAP;

  if (!t->probes[chunks] &&
      !(t->probes[chunks] = icx_store_stmt_get(t->store, sql[chunks]))) {
    t->failed = 1;
    return n;
  }
  st = t->probes[chunks];
  sqlite3_bind_int64(st, 1, p);
  sqlite3_bind_int64(st, 2, o);
  sqlite3_bind_int(st, 3, chunks ? PROBE_CHUNKS_CAP : PROBE_CAP);
  if (sqlite3_step(st) == SQLITE_ROW)
    n = (double)sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return n;
}

/* The largest term id, read once per translation. */
static sqlite3_int64
sql_max_id(tr *t)
{
  if (!t->max_id) {
    sqlite3_stmt *st = NULL;
    if ((st = icx_store_stmt_get(t->store, "SELECT max(id) FROM terms")) &&
        sqlite3_step(st) == SQLITE_ROW)
      t->max_id = sqlite3_column_int64(st, 0);
    icx_store_stmt_put(t->store, st);
    if (t->max_id < 1)
      t->max_id = 1;
  }
  return t->max_id;
}

/* About how many quads have predicate p and object o. */
static double
sql_probe(tr *t, sqlite3_int64 p, sqlite3_int64 o)
{
  double n;

  if (p < 0 || o < 0)
    return 0;               /* a term the store does not have: no quad */
  n = sql_probe_count(t, p, o, 0);
  if (n < PROBE_CAP)
    return n;
  /* Never less than counted: the pairs of the last chunks may be few. */
  n = sql_probe_count(t, p, o, 1) * PROBE_PER_CHUNK;
  return n > PROBE_CAP ? n : PROBE_CAP;
}

/* The keys of postings_num (icx_postings_num_key()) from lo's to hi's,
 * for a range of numbers read through ICX_SCHEMA_NUMS_VTAB.  0, or -1
 * (t->failed set). */
static int
sql_range_keys(tr *t, double lo, double hi, icx_id *klo, icx_id *khi)
{
  if (icx_postings_num_key(lo, klo) || icx_postings_num_key(hi, khi)) {
    t->failed = 1;
    return -1;
  }
  return 0;
}

/* Quads with predicate p whose number lies in [lo, hi] and whose subject
 * id lies in [s_min, s_max), counted up to cap: without s_max, pairs of
 * postings_num (a subject and object in several graphs once); with it,
 * the slice of subjects read on the primary key. */
static double
sql_range_count(tr *t, sqlite3_int64 p, double lo, double hi, sqlite3_int64 s_min,
                sqlite3_int64 s_max, double cap)
{
  static const char *const sql[2] = {
    "SELECT count(*) FROM (SELECT 1 FROM " ICX_SCHEMA_NUMS_VTAB " WHERE p = ?1 "
    "AND n >= ?2 AND n <= ?3 LIMIT ?4)",
    "SELECT count(*) FROM (SELECT 1 FROM quads WHERE s >= ?6 AND s < ?5 AND +p = ?1 "
    "AND +num >= ?2 AND +num <= ?3 LIMIT ?4)"
  };
  int sliced = s_max < INT64_MAX;
  icx_id klo = 0, khi = 0;
  sqlite3_stmt *st;
  double n = cap;

  if (!sliced && sql_range_keys(t, lo, hi, &klo, &khi))
    return n;
  if (!t->ranges[sliced] && !(t->ranges[sliced] = icx_store_stmt_get(t->store, sql[sliced]))) {
    t->failed = 1;
    return n;
  }
  st = t->ranges[sliced];
  sqlite3_bind_int64(st, 1, p);
  if (sliced) {
    sqlite3_bind_double(st, 2, lo);
    sqlite3_bind_double(st, 3, hi);
  } else {
    sqlite3_bind_int64(st, 2, klo);
    sqlite3_bind_int64(st, 3, khi);
  }
  sqlite3_bind_int64(st, 4, (sqlite3_int64)cap);
  if (s_max < INT64_MAX) {
    sqlite3_bind_int64(st, 5, s_max);
    sqlite3_bind_int64(st, 6, s_min);
  }
  if (sqlite3_step(st) == SQLITE_ROW)
    n = (double)sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return n;
}

/* About how many quads have predicate p and a number in [lo, hi]: counted
 * on postings_num up to PROBE_CAP; past it, counted among the quads of the
 * subjects in RANGE_SLICES slices of RANGE_SLICE_IDS ids spread over the
 * id range (read on the primary key: every quad of those subjects, a few
 * times as many as the ids) and scaled up, as sql_probe() does.  Cost: some
 * thousands of index entries, whatever the size of the store.  The count
 * is known to be at least PROBE_CAP, so the estimate is never less. */
#define RANGE_SLICES 4
#define RANGE_SLICE_IDS 256
static double
sql_probe_range(tr *t, sqlite3_int64 p, double lo, double hi)
{
  double n, sampled = 0;
  sqlite3_int64 top = sql_max_id(t);
  int k;

  if (p < 0)
    return 0;
  n = sql_range_count(t, p, lo, hi, 0, INT64_MAX, PROBE_CAP);
  if (n < PROBE_CAP || top <= 4 * RANGE_SLICES * RANGE_SLICE_IDS)
    return n;
  for (k = 0; k < RANGE_SLICES; k++) {
    sqlite3_int64 from = top / RANGE_SLICES * k + top / RANGE_SLICES / 2;
    sampled += sql_range_count(t, p, lo, hi, from, from + RANGE_SLICE_IDS, 1e9);
  }
  n = sampled * (double)top / (RANGE_SLICES * RANGE_SLICE_IDS);
  return n > PROBE_CAP ? n : PROBE_CAP;
}

static void
sql_estimate(tr *t, pat *x)
{
  int i, k;

  x->tier = TIER_FREE;
  if (x->var[1] >= 0) {
    x->est = EST_NOTHING;
    return;
  }
  if (x->var[2] < 0) {
    x->est = sql_probe(t, x->p, x->o);
    x->tier = TIER_CONSTANT;
    return;
  }
  x->est = EST_P_ONLY;
  for (i = 0; i < t->n_ins; i++) {
    if (t->ins[i].var != x->var[2])
      continue;
    x->est = 0;
    for (k = 0; k < t->ins[i].n; k++)
      x->est += sql_probe(t, x->p, t->ins[i].ids[k]);
    x->tier = TIER_IN;
    x->in = i;
    return;
  }
  if (t->numeric[x->var[2]])
    x->tier = TIER_NUMERIC;
}

/* Numeric patterns may start the join too, from postings_num, when their
 * range holds fewer quads than the other patterns' estimates. */
static void
sql_estimate_ranges(tr *t)
{
  int i;

  for (i = 0; i < t->n_pats; i++) {
    pat *x = &t->pats[i];
    int v = x->var[2];
    if (x->tier == TIER_NUMERIC)
      x->est = sql_probe_range(t, x->p, t->lo[v], t->hi[v]);
  }
}

/* A candidate for the next place in the join. */
typedef struct cand {
  int i;                    /* index in t->pats, -1 for none yet */
  int linked;               /* shares a variable with the patterns placed */
  int tier;
  double est;
} cand;

/* 1 if pattern i binds a variable that another unplaced pattern uses. */
static int
sql_opens(const tr *t, const unsigned char *placed, const unsigned char *bound, int i)
{
  int j, a, b;

  for (a = 0; a < 3; a++) {
    int v = t->pats[i].var[a];
    if (v < 0 || bound[v])
      continue;
    for (j = 0; j < t->n_pats; j++)
      for (b = 0; j != i && !placed[j] && b < 3; b++)
        if (t->pats[j].var[b] == v)
          return 1;
  }
  return 0;
}

static int
sql_better(const cand *x, const cand *best)
{
  if (best->i < 0)
    return 1;
  if (x->linked != best->linked)
    return x->linked > best->linked;
  if (x->linked && x->tier != best->tier)
    return x->tier < best->tier;
  return x->est < best->est;
}

/* A numeric pattern that starts the join reads its range from
 * postings_num, through the virtual table (qnN): the keys of the numbers
 * the FILTERs imply, then each pair's quads by primary key (qN), whose
 * number the FILTERs test as before.  Written after "quads qN" in FROM. */
static void
sql_drive_range(tr *t, const pat *x, icx_buf *from)
{
  int v = x->var[2];
  icx_id klo, khi;

  if (sql_range_keys(t, t->lo[v], t->hi[v], &klo, &khi))
    return;
  icx_buf_appendf(from, " CROSS JOIN quads q%d", x->alias);
  icx_buf_appendf(&t->where, "%sqn%d.p = ", t->where.len ? " AND " : "", x->alias);
  icx_sql_append_int_param(t, &t->where, x->p);
  if (t->lo[v] > -HUGE_VAL) {
    icx_buf_appendf(&t->where, " AND qn%d.n >= ", x->alias);
    icx_sql_append_int_param(t, &t->where, klo);
  }
  if (t->hi[v] < HUGE_VAL) {
    icx_buf_appendf(&t->where, " AND qn%d.n <= ", x->alias);
    icx_sql_append_int_param(t, &t->where, khi);
  }
  icx_buf_appendf(&t->where, " AND q%d.s = qn%d.s AND q%d.p = qn%d.p AND q%d.o = qn%d.o",
                  x->alias, x->alias, x->alias, x->alias, x->alias, x->alias);
}

/* The values an IN pattern that starts the join reads from postings_po,
 * as conditions on the alias qN, or qpN (prefix "q" or "qp"). */
static void
sql_drive_in(tr *t, const pat *x, const char *prefix)
{
  const in_ids *in = &t->ins[x->in];
  int k;

  icx_buf_appendf(&t->where, "%s%s%d.o IN (", t->where.len ? " AND " : "", prefix, x->alias);
  for (k = 0; k < in->n; k++) {
    if (k)
      icx_buf_append(&t->where, ", ");
    icx_sql_append_int_param(t, &t->where, in->ids[k]);
  }
  icx_buf_append(&t->where, ")");
}

/* A pattern whose subject the join has not bound where it comes (step of
 * order; bound: the variables bound before it) reads postings_po through
 * the virtual table (qpN) by its predicate and, when known there, its
 * object: a constant, a variable an earlier pattern bound (its column
 * there), or the IN list of a pattern that starts the join; then its quad
 * by primary key (qN), on which the other conditions are written. */
static void
sql_drive_postings(tr *t, const pat *x, const int *order, int step, const unsigned char *bound)
{
  static const char cols[] = "spo";
  int v = x->var[2], k, a;

  icx_buf_appendf(&t->where, "%sqp%d.p = ", t->where.len ? " AND " : "", x->alias);
  icx_sql_append_int_param(t, &t->where, x->p);
  if (v < 0) {
    icx_buf_appendf(&t->where, " AND qp%d.o = ", x->alias);
    icx_sql_append_int_param(t, &t->where, x->o);
  } else if (bound[v]) {
    for (k = 0; k < step; k++)
      for (a = 0; a < 3; a++)
        if (t->pats[order[k]].var[a] == v) {
          icx_buf_appendf(&t->where, " AND qp%d.o = q%d.%c", x->alias,
                          t->pats[order[k]].alias, cols[a]);
          k = step;
          break;
        }
  } else if (step == 0 && x->tier == TIER_IN) {
    sql_drive_in(t, x, "qp");
  }
  icx_buf_appendf(&t->where, " AND q%d.s = qp%d.s AND q%d.p = qp%d.p AND q%d.o = qp%d.o"
                  " AND q%d.g = qp%d.g", x->alias, x->alias, x->alias, x->alias, x->alias,
                  x->alias, x->alias, x->alias);
}

/* What streaming one index entry into a set costs, in index seeks
 * (measured at 100k clouds, warm: about a quarter). */
#define SET_SCAN_COST 0.25

static int
sql_cmp_est(const void *a, const void *b)
{
  const pat *const *x = a, *const *y = b;

  return (*x)->est < (*y)->est ? -1 : (*x)->est > (*y)->est;
}

/* The set of variable v (icx_semi.h): the required patterns with v as
 * subject, a constant predicate and a constrained object (a numeric
 * range, an IN list, a constant), other than the first pattern of the
 * join, that are worth reading whole.  Without the set, a pattern is
 * sought once per row that reaches it; with it, reading the pattern's
 * range costs SET_SCAN_COST seeks per entry and spares the seeks of the
 * rows it removes.  So, fewest quads first, a pattern goes in while its
 * range costs less than the rows still expected, each pattern keeping
 * est / n of them, n the largest count of any of v's patterns (a lower
 * bound on v's subjects, so a pattern is never thought more selective
 * than it is).  The index of the set, -1 for none, -2 out of memory. */
static int
sql_subject_set(tr *t, const pat *first, int v)
{
  pat *cands[SQL_MAX_PATTERNS];
  double rows = first->est, n = first->est;
  int n_cand = 0, i, k = -1, rc = 0;

  for (i = 0; i < t->n_pats; i++) {
    pat *y = &t->pats[i];
    if (y == first || y->var[0] != v || y->var[1] != -1 ||
        (y->tier != TIER_NUMERIC && y->tier != TIER_IN && y->tier != TIER_CONSTANT))
      continue;
    cands[n_cand++] = y;
    if (y->est > n)
      n = y->est;
  }
  qsort(cands, (size_t)n_cand, sizeof *cands, sql_cmp_est);
  for (i = 0; i < n_cand && !rc; i++) {
    pat *y = cands[i];
    if (SET_SCAN_COST * y->est >= rows)
      break;
    y->in_set = 1;
    rows *= n > 0 ? y->est / n : 0;
    if (!t->semi && !(t->semi = icx_semi_new(t->ctx)))
      return -2;
    if (k < 0 && (k = icx_semi_add_set(t->semi)) < 0)
      return -2;
    if (y->tier == TIER_NUMERIC)
      rc = icx_semi_add_range(t->semi, k, y->p, t->lo[y->var[2]], t->hi[y->var[2]]);
    else if (y->tier == TIER_IN)
      rc = icx_semi_add_objects(t->semi, k, y->p, t->ins[y->in].ids, t->ins[y->in].n);
    else
      rc = icx_semi_add_objects(t->semi, k, y->p, &y->o, 1);
  }
  return rc ? -2 : k;
}

/* The subject sets of every variable, for the join that starts with
 * pattern first: t->set_of and the patterns' in_set. */
static void
sql_choose_sets(tr *t, const pat *first)
{
  int v, k;

  for (v = 0; v < (int)t->n_vars; v++) {
    if ((k = sql_subject_set(t, first, v)) == -2) {
      t->failed = 1;
      return;
    }
    t->set_of[v] = k + 1;
  }
}

/* Each set's test, where the join first binds its variable.  order: the
 * join order. */
static void
sql_test_sets(tr *t, const int *order)
{
  static const char cols[] = "spo";
  unsigned char seen[SQL_MAX_VARS] = { 0 };
  int step, a;

  for (step = 0; step < t->n_pats; step++) {
    const pat *x = &t->pats[order[step]];
    for (a = 0; a < 3; a++) {
      int v = x->var[a];
      char col[24];
      if (v < 0 || seen[v])
        continue;
      seen[v] = 1;
      if (!t->set_of[v])
        continue;
      snprintf(col, sizeof col, "q%d.%c", x->alias, cols[a]);
      icx_sql_append_in_set(t, &t->where, t->set_of[v] - 1, col);
    }
  }
}

/* Writes the FROM clause: the required patterns in the order they are
 * joined, then the OPTIONALs.  SQLite has no statistics on values (and
 * Debian's has no STAT4), so left to itself it may start from every cloud
 * and, per cloud, scan every service with one protocol: quadratic.  The
 * order here is greedy: first the pattern that matches fewest quads alone
 * (sql_probe()), then, again and again, among the patterns sharing a variable
 * with those already placed (so that every step is an index lookup), the
 * one that prunes most (TIER_*, then fewest quads); CROSS JOIN makes
 * SQLite keep it.  Once the first pattern is chosen, the patterns worth
 * reading whole become subject sets (sql_choose_sets()), tested where their
 * variable is first bound; being known to hold, they are joined last. */
void
icx_sql_write_from(tr *t, icx_buf *from)
{
  unsigned char placed[SQL_MAX_PATTERNS] = { 0 }, bound[SQL_MAX_VARS] = { 0 };
  int order[SQL_MAX_PATTERNS];
  int step, i, j;
  pat *chosen;

  for (i = 0; i < t->n_pats; i++)
    sql_estimate(t, &t->pats[i]);
  sql_estimate_ranges(t);
  for (step = 0; step < t->n_pats; step++) {
    cand c, bestc = { -1, 0, 0, 0 };
    int best;
    for (i = 0; i < t->n_pats; i++) {
      pat *x = &t->pats[i];
      if (placed[i])
        continue;
      c.i = i;
      c.linked = 0;
      for (j = 0; j < 3; j++)
        if (x->var[j] >= 0 && bound[x->var[j]])
          c.linked = 1;
      c.tier = x->in_set ? TIER_IN_SET : x->tier;
      if (c.tier == TIER_FREE && !sql_opens(t, placed, bound, i))
        c.tier = TIER_DEAD_END;
      c.est = x->est;
      if (sql_better(&c, &bestc))
        bestc = c;
    }
    best = bestc.i;
    chosen = &t->pats[best];
    order[step] = best;
    if (step == 0 && chosen->tier == TIER_NUMERIC) {
      icx_buf_appendf(from, ICX_SCHEMA_NUMS_VTAB " qn%d", chosen->alias);
      sql_drive_range(t, chosen, from);
    } else if (chosen->var[1] < 0 && chosen->p > 0 && chosen->var[0] >= 0 &&
               !bound[chosen->var[0]]) {
      /* Its subject unknown where the join reaches it: by predicate (and
       * object) from postings_po. */
      icx_buf_appendf(from, "%s" ICX_SCHEMA_POS_VTAB " qp%d CROSS JOIN quads q%d",
                      step ? " CROSS JOIN " : "", chosen->alias, chosen->alias);
      sql_drive_postings(t, chosen, order, step, bound);
    } else
      icx_buf_appendf(from, "%squads q%d", step ? " CROSS JOIN " : "", chosen->alias);
    placed[best] = 1;
    for (j = 0; j < 3; j++)
      if (chosen->var[j] >= 0)
        bound[chosen->var[j]] = 1;
    if (step == 0 && chosen->tier == TIER_IN)
      sql_drive_in(t, chosen, "q");
    if (step == 0)
      sql_choose_sets(t, chosen);
  }
  if (t->n_pats)
    sql_test_sets(t, order);
  if (t->ljoins.len)
    icx_buf_append(from, t->ljoins.data);
}

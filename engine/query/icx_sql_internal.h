/* icx_sql_internal.h - what the files of the SQL translator share (not
 * installed; included by engine/query/icx_sql*.c only).
 *
 * icx_sql.c walks rasqal's parsed query into patterns, conditions and
 * parameters (a translation, tr); icx_sql_plan.c orders the joins of its
 * required patterns and chooses their subject sets; icx_sql_run.c prepares,
 * binds and runs the statement that results (icx_sql).
 */
#ifndef ICX_SQL_INTERNAL_H
#define ICX_SQL_INTERNAL_H

#include <sqlite3.h>

#include "icx_compile.h"
#include "icx_rdf.h"
#include "icx_semi.h"
#include "icx_sql.h"
#include "icx_util.h"

#define SQL_MAX_VARS 256
#define SQL_MAX_PATTERNS ICX_COMPILE_MAX_PATTERNS   /* SQLite joins at most 64 tables */
#define SQL_MAX_INS 32
#define SQL_MAX_IN_IDS 64

typedef struct param {
  int kind;                 /* 0 integer, 1 double, 2 text, 3 subject set i */
  sqlite3_int64 i;
  double d;
  char *s;
} param;

typedef struct var {
  const char *name;         /* lent from rasqal */
  char col[24];             /* "q3.o" */
} var;

struct icx_sql {
  icx_ctx *ctx;          /* made with; its allocator holds the rest */
  char *sql;
  param *params;
  size_t n_params;
  char **names;             /* projected variable names */
  size_t width;
  icx_store *store;
  sqlite3 *db;              /* icx_store_db(store) */
  icx_semi *semi;           /* subject sets the statement tests, or NULL */
  int ids;                  /* from icx_sql_translate_ids(): term ids only */
};

/* A required triple pattern (alias qN of quads), for the join order. */
typedef struct pat {
  int alias;
  sqlite3_int64 p, o;       /* constant term ids; 0 for a variable */
  int var[3];               /* s, p, o: index in tr.vars, -1 for a constant */
  double est;               /* estimated quads it matches alone */
  int in;                   /* TIER_IN: its IN list in tr.ins */
  int tier;                 /* what constrains its object: TIER_* */
  int in_set;               /* read into a subject set (sql_subject_set()) */
} pat;

/* FILTER (?x IN (<a>, <b>)) or FILTER (STR(?x) = "text") at the top of a
 * group: ?x's possible values. */
typedef struct in_ids {
  const rasqal_expression *expr;   /* the IN, so sql_in_list() reuses the ids */
  int var;
  sqlite3_int64 ids[SQL_MAX_IN_IDS];
  int n;
} in_ids;

typedef struct tr {
  icx_ctx *ctx;
  icx_store *store;         /* its kept statements: icx_store_stmt_get() */
  sqlite3 *db;
  sqlite3_stmt *lookup;
  sqlite3_stmt *probes[2];  /* sql_probe_count(): pairs, chunks */
  sqlite3_stmt *ranges[2];  /* sql_range_count(): whole range, slice of subjects */
  sqlite3_int64 max_id;     /* largest term id, 0 until a probe needs it */
  icx_buf ljoins;           /* the OPTIONALs' LEFT JOINs, in order */
  icx_buf where;
  pat pats[SQL_MAX_PATTERNS];
  int n_pats;
  in_ids ins[SQL_MAX_INS];
  int n_ins;
  unsigned char numeric[SQL_MAX_VARS];  /* variables compared with a number */
  int set_of[SQL_MAX_VARS];     /* 1 + the subject set of a variable, 0 for none */
  double lo[SQL_MAX_VARS], hi[SQL_MAX_VARS]; /* ... and the range those comparisons require */
  param *params;
  size_t n_params, cap;
  icx_semi *semi;
  var vars[SQL_MAX_VARS];
  size_t n_vars;
  int n_quads;
  const char *why;          /* set when outside the subset */
  int failed;               /* ENOMEM or SQLite error */
} tr;

/* --- icx_sql.c: parameters ------------------------------------------------ */

/* Appends "?N" to b for a new parameter: an integer, a double.  On ENOMEM
 * t->failed is set and nothing is appended. */
void icx_sql_append_int_param(tr *t, icx_buf *b, sqlite3_int64 v);
void icx_sql_append_double_param(tr *t, icx_buf *b, double v);

/* Appends "icx_in(?N, col)" to b (after " AND " when b is not empty): col's
 * term is in subject set k of t->semi (icx_semi.h). */
void icx_sql_append_in_set(tr *t, icx_buf *b, int k, const char *col);

/* --- icx_sql_plan.c: the join order ---------------------------------------- */

/* Writes into from the FROM clause of t's required patterns in the order
 * they are joined, then the OPTIONALs' LEFT JOINs; adds to t->where the
 * conditions that let the first pattern read an index range and the tests
 * of the subject sets it chooses (t->semi).  Errors set t->failed. */
void icx_sql_write_from(tr *t, icx_buf *from);

#endif

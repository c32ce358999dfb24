/* icx_sql.c - SPARQL (icx's subset) to one SQL statement over the icx
 * storage schema, by walking the query rasqal parsed.
 *
 *   terms(id, kind 1 IRI | 2 blank | 3 literal, lex, dt, lang, num)
 *   quads(s, p, o, g, num)    num: terms.num of o
 *
 * Every triple pattern becomes an alias qN of quads; a variable is the
 * column where it first appears; constants are looked up in terms once,
 * here, and bound as parameters (an unknown constant becomes id -1, which
 * matches nothing).  Literal values are reached through scalar subqueries
 * on terms' primary key, so FROM holds only quads and SQLite is free to
 * order the joins.  Each projected variable yields two columns, its term id
 * (so that DISTINCT works on terms) and its text.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_compile.h"
#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_exec_internal.h"
#include "icx_semi.h"
#include "icx_sql.h"
#include "icx_util.h"

#define MAX_VARS 256
#define MAX_PATTERNS ICX_COMPILE_MAX_PATTERNS   /* SQLite joins at most 64 tables */
#define MAX_INS 32
#define MAX_IN_IDS 64
/* Join order: a probe counts the quads of one (p, o) pair up to PROBE_CAP;
 * past it, those whose subject id lies in the first 1/16, 1/256, ... of
 * the id range, scaled up (ids are handed out in load order, so any slice
 * of them is a fair sample).  Cost: a few index ranges of at most
 * PROBE_CAP entries, whatever the size of the store. */
#define PROBE_CAP 1024
#define PROBE_SLICES 5          /* down to 1/16^5 of the ids */
#define EST_P_ONLY 1e12       /* a pattern with only its predicate fixed */
#define EST_NOTHING 1e15      /* no constant at all */

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
  char *sql;
  param *params;
  size_t n_params;
  char **names;             /* projected variable names */
  size_t width;
  sqlite3 *db;
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
  int in_set;               /* read into a subject set (subject_set()) */
} pat;

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

/* FILTER (?x IN (<a>, <b>)) at the top of a group: ?x's possible values. */
typedef struct in_ids {
  const rasqal_expression *expr;   /* the IN, so in_list() reuses the ids */
  int var;
  sqlite3_int64 ids[MAX_IN_IDS];
  int n;
} in_ids;

typedef struct tr {
  icx_ctx *ctx;
  sqlite3 *db;
  sqlite3_stmt *lookup;
  sqlite3_stmt *probe;
  sqlite3_stmt *ranges[2];  /* range_count(): whole range, slice of subjects */
  sqlite3_int64 max_id;     /* largest term id, 0 until a probe needs it */
  icx_buf ljoins;           /* the OPTIONALs' LEFT JOINs, in order */
  icx_buf where;
  pat pats[MAX_PATTERNS];
  int n_pats;
  in_ids ins[MAX_INS];
  int n_ins;
  unsigned char numeric[MAX_VARS];  /* variables compared with a number */
  int set_of[MAX_VARS];     /* 1 + the subject set of a variable, 0 for none */
  double lo[MAX_VARS], hi[MAX_VARS]; /* ... and the range those comparisons require */
  param *params;
  size_t n_params, cap;
  icx_semi *semi;
  var vars[MAX_VARS];
  size_t n_vars;
  int n_quads;
  const char *why;          /* set when outside the subset */
  int failed;               /* ENOMEM or SQLite error */
} tr;

static int
unsupported(tr *t, const char *why)
{
  if (!t->why)
    t->why = why;
  return -1;
}

static int
add_param(tr *t, param p)
{
  if (t->n_params == t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 16;
    param *np = realloc(t->params, ncap * sizeof *np);
    if (!np) {
      free(p.s);
      t->failed = 1;
      return -1;
    }
    t->params = np;
    t->cap = ncap;
  }
  t->params[t->n_params++] = p;
  return (int)t->n_params;   /* ?N is 1-based */
}

static void
append_int_param(tr *t, icx_buf *b, sqlite3_int64 v)
{
  param p = { 0, v, 0, NULL };
  int k = add_param(t, p);

  if (k > 0)
    icx_buf_appendf(b, "?%d", k);
}

static void
append_double_param(tr *t, icx_buf *b, double v)
{
  param p = { 1, 0, v, NULL };
  int k = add_param(t, p);

  if (k > 0)
    icx_buf_appendf(b, "?%d", k);
}

/* icx_in(?N, col): col's term is in subject set k (icx_semi.h). */
static void
append_in_set(tr *t, icx_buf *b, int k, const char *col)
{
  param p = { 3, k, 0, NULL };
  int n = add_param(t, p);

  if (n > 0)
    icx_buf_appendf(b, "%sicx_in(?%d, %s)", b->len ? " AND " : "", n, col);
}

static void
append_text_param(tr *t, icx_buf *b, const char *s)
{
  param p = { 2, 0, 0, strdup(s) };
  int k;

  if (!p.s) {
    t->failed = 1;
    return;
  }
  k = add_param(t, p);
  if (k > 0)
    icx_buf_appendf(b, "?%d", k);
}

/* The id of a term, -1 when the store does not have it. */
static sqlite3_int64
term_id(tr *t, int kind, const char *lex, sqlite3_int64 dt, const char *lang)
{
  sqlite3_int64 id = -1;
  int rc;

  if (!t->lookup &&
      sqlite3_prepare_v2(t->db, "SELECT id FROM terms WHERE lex = ?1 AND kind = ?2 AND dt = ?3 "
                         "AND lang = ?4", -1, &t->lookup, NULL) != SQLITE_OK) {
    t->failed = 1;
    return -1;
  }
  sqlite3_reset(t->lookup);
  sqlite3_bind_text(t->lookup, 1, lex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(t->lookup, 2, kind);
  sqlite3_bind_int64(t->lookup, 3, dt);
  sqlite3_bind_text(t->lookup, 4, lang ? lang : "", -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(t->lookup);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64(t->lookup, 0);
  else if (rc != SQLITE_DONE)
    t->failed = 1;
  sqlite3_reset(t->lookup);
  return id;
}

static int
is_numeric_literal(const rasqal_literal *l)
{
  return l->type == RASQAL_LITERAL_INTEGER || l->type == RASQAL_LITERAL_DECIMAL ||
         l->type == RASQAL_LITERAL_DOUBLE || l->type == RASQAL_LITERAL_FLOAT;
}

/* A constant of a triple pattern as a term id; -2 when it cannot be one. */
static sqlite3_int64
constant_id(tr *t, rasqal_literal *l)
{
  raptor_uri *dt;
  sqlite3_int64 dt_id = 0;

  switch (l->type) {
  case RASQAL_LITERAL_URI:
    return term_id(t, 1, (const char *)raptor_uri_as_string(l->value.uri), 0, "");
  case RASQAL_LITERAL_STRING:
  case RASQAL_LITERAL_XSD_STRING:
  case RASQAL_LITERAL_INTEGER:
  case RASQAL_LITERAL_DECIMAL:
  case RASQAL_LITERAL_DOUBLE:
  case RASQAL_LITERAL_FLOAT:
  case RASQAL_LITERAL_BOOLEAN:
  case RASQAL_LITERAL_DATETIME:
  case RASQAL_LITERAL_UDT:
    dt = rasqal_literal_datatype(l);
    if (dt) {
      dt_id = term_id(t, 1, (const char *)raptor_uri_as_string(dt), 0, "");
      if (dt_id < 0)
        return -1;
    }
    return term_id(t, 3, (const char *)l->string, dt_id, l->language ? l->language : "");
  default:
    unsupported(t, "a blank node or pattern in a triple pattern");
    return -2;
  }
}

static var *
find_var(tr *t, const char *name)
{
  size_t i;

  for (i = 0; i < t->n_vars; i++)
    if (!strcmp(t->vars[i].name, name))
      return &t->vars[i];
  return NULL;
}

/* Appends the numeric value of variable v: qN.num when v is first bound
 * as an object (quads carry their object's number), else the term's.  The
 * unary + keeps SQLite from reading quads_num (p, num, s) to join qN, which
 * would scan the whole range for every row: the pattern is joined by its
 * subject, and only a pattern that starts the join reads that index
 * (write_from()). */
static void
append_num(icx_buf *b, const var *v)
{
  size_t len = strlen(v->col);

  if (len > 2 && !strcmp(v->col + len - 2, ".o"))
    icx_buf_appendf(b, "+%.*snum", (int)(len - 1), v->col);
  else
    icx_buf_appendf(b, "(SELECT num FROM terms WHERE id = %s)", v->col);
}

/* Adds the conditions of one triple pattern on alias qN to cond; binds
 * variables seen for the first time. */
static int
triple(tr *t, rasqal_triple *tp, icx_buf *cond, int *first, pat *rec)
{
  static const char *const cols[3] = { "s", "p", "o" };
  rasqal_literal *parts[3];
  int n = t->n_quads, i;

  if (rec) {
    memset(rec, 0, sizeof *rec);
    rec->alias = n;
  }
  parts[0] = tp->subject;
  parts[1] = tp->predicate;
  parts[2] = tp->object;
  if (tp->origin)
    return unsupported(t, "GRAPH");
  for (i = 0; i < 3; i++) {
    rasqal_literal *l = parts[i];
    char col[24];
    snprintf(col, sizeof col, "q%d.%s", n, cols[i]);
    if (l->type == RASQAL_LITERAL_VARIABLE) {
      const char *name = (const char *)l->value.variable->name;
      var *v = find_var(t, name);
      if (!v) {
        if (t->n_vars == MAX_VARS)
          return unsupported(t, "too many variables");
        v = &t->vars[t->n_vars++];
        v->name = name;
        snprintf(v->col, sizeof v->col, "%s", col);
        if (rec)
          rec->var[i] = (int)(v - t->vars);
        continue;
      }
      if (rec)
        rec->var[i] = (int)(v - t->vars);
      icx_buf_appendf(cond, "%s%s = %s", *first ? "" : " AND ", col, v->col);
    } else {
      sqlite3_int64 id = constant_id(t, l);
      if (id == -2)
        return -1;
      if (rec) {
        rec->var[i] = -1;
        if (i == 1)
          rec->p = id;
        else if (i == 2)
          rec->o = id;
      }
      icx_buf_appendf(cond, "%s%s = ", *first ? "" : " AND ", col);
      append_int_param(t, cond, id);
    }
    *first = 0;
  }
  t->n_quads++;
  return 0;
}

/* --- expressions -------------------------------------------------------- */

static int expr(tr *t, rasqal_expression *e, icx_buf *b);

/* The variable an operand names (?v), or NULL. */
static var *
operand_var(tr *t, rasqal_expression *e)
{
  if (e && e->op == RASQAL_EXPR_LITERAL && e->literal &&
      e->literal->type == RASQAL_LITERAL_VARIABLE)
    return find_var(t, (const char *)e->literal->value.variable->name);
  return NULL;
}

static int
is_var_operand(rasqal_expression *e)
{
  return e && e->op == RASQAL_EXPR_LITERAL && e->literal &&
         e->literal->type == RASQAL_LITERAL_VARIABLE;
}

static rasqal_literal *
operand_constant(rasqal_expression *e)
{
  if (e && e->op == RASQAL_EXPR_LITERAL && e->literal &&
      e->literal->type != RASQAL_LITERAL_VARIABLE)
    return e->literal;
  return NULL;
}

static const char *
sql_op(rasqal_op op)
{
  switch (op) {
  case RASQAL_EXPR_EQ: return "=";
  case RASQAL_EXPR_NEQ: return "!=";
  case RASQAL_EXPR_LT: return "<";
  case RASQAL_EXPR_GT: return ">";
  case RASQAL_EXPR_LE: return "<=";
  case RASQAL_EXPR_GE: return ">=";
  default: return NULL;
  }
}

static rasqal_op
flip(rasqal_op op)
{
  switch (op) {
  case RASQAL_EXPR_LT: return RASQAL_EXPR_GT;
  case RASQAL_EXPR_GT: return RASQAL_EXPR_LT;
  case RASQAL_EXPR_LE: return RASQAL_EXPR_GE;
  case RASQAL_EXPR_GE: return RASQAL_EXPR_LE;
  default: return op;
  }
}

static double
literal_double(rasqal_literal *l)
{
  return strtod((const char *)l->string, NULL);
}

static int
comparison(tr *t, rasqal_op op, rasqal_expression *a, rasqal_expression *c, icx_buf *b)
{
  rasqal_literal *k;
  var *v;
  int str = 0;

  if (operand_constant(a) && !operand_constant(c)) {
    rasqal_expression *x = a;
    a = c;
    c = x;
    op = flip(op);
  }
  k = operand_constant(c);
  if (a && a->op == RASQAL_EXPR_STR && is_var_operand(a->arg1)) {
    str = 1;
    a = a->arg1;
  }
  if (!k || !is_var_operand(a))
    return unsupported(t, "a comparison that is not between a variable and a constant");
  v = operand_var(t, a);
  if (!v) {
    icx_buf_append(b, "NULL");      /* never bound: an error in SPARQL */
    return 0;
  }
  if (str) {
    if ((op != RASQAL_EXPR_EQ && op != RASQAL_EXPR_NEQ) ||
        (k->type != RASQAL_LITERAL_STRING) || (k->language && *k->language))
      return unsupported(t, "STR() compared other than = or != with a plain string");
    icx_buf_appendf(b, "((SELECT lex FROM terms WHERE id = %s AND kind != 2) %s ", v->col,
                    sql_op(op));
    append_text_param(t, b, (const char *)k->string);
    icx_buf_append(b, ")");
    return 0;
  }
  if (is_numeric_literal(k)) {
    if (op == RASQAL_EXPR_EQ || op == RASQAL_EXPR_NEQ) {
      /* Numbers compare by value; an IRI or blank is simply unequal; a
       * non-numeric literal is a type error. */
      icx_buf_appendf(b, "(SELECT CASE WHEN kind != 3 THEN %d WHEN num IS NULL THEN NULL "
                      "ELSE num %s ", op == RASQAL_EXPR_NEQ, sql_op(op));
      append_double_param(t, b, literal_double(k));
      icx_buf_appendf(b, " END FROM terms WHERE id = %s)", v->col);
    } else {
      icx_buf_append(b, "(");
      append_num(b, v);
      icx_buf_appendf(b, " %s ", sql_op(op));
      append_double_param(t, b, literal_double(k));
      icx_buf_append(b, ")");
    }
    return 0;
  }
  if (k->type == RASQAL_LITERAL_URI) {
    if (op != RASQAL_EXPR_EQ && op != RASQAL_EXPR_NEQ)
      return unsupported(t, "an IRI compared other than = or !=");
    icx_buf_appendf(b, "(%s %s ", v->col, sql_op(op));
    append_int_param(t, b, constant_id(t, k));
    icx_buf_append(b, ")");
    return 0;
  }
  if (k->type == RASQAL_LITERAL_STRING && !(k->language && *k->language) &&
      (op == RASQAL_EXPR_EQ || op == RASQAL_EXPR_NEQ)) {
    icx_buf_appendf(b, "(SELECT CASE WHEN kind != 3 THEN %d WHEN dt != 0 OR lang != '' THEN NULL "
                    "ELSE lex %s ", op == RASQAL_EXPR_NEQ, sql_op(op));
    append_text_param(t, b, (const char *)k->string);
    icx_buf_appendf(b, " END FROM terms WHERE id = %s)", v->col);
    return 0;
  }
  return unsupported(t, "a comparison with a constant of this kind");
}

static int
in_list(tr *t, rasqal_expression *e, icx_buf *b)
{
  int n = e->args ? raptor_sequence_size(e->args) : 0, i, j, iris = 0, nums = 0;
  const char *neg = e->op == RASQAL_EXPR_NOT_IN ? "NOT " : "";
  const in_ids *noted;
  var *v;

  if (!is_var_operand(e->arg1))
    return unsupported(t, "IN on something other than a variable");
  for (i = 0; i < n; i++) {
    rasqal_literal *k = operand_constant(raptor_sequence_get_at(e->args, i));
    if (k && k->type == RASQAL_LITERAL_URI)
      iris++;
    else if (k && is_numeric_literal(k))
      nums++;
    else
      return unsupported(t, "IN with members other than IRIs and numbers");
  }
  if (iris && nums)
    return unsupported(t, "IN mixing IRIs and numbers");
  v = operand_var(t, e->arg1);
  if (!v) {
    icx_buf_append(b, "NULL");
    return 0;
  }
  if (n == 0) {
    icx_buf_appendf(b, "(CASE WHEN %s IS NULL THEN NULL ELSE %d END)", v->col, *neg ? 1 : 0);
    return 0;
  }
  for (j = 0; iris && j < t->n_ins && t->ins[j].expr != e; j++)
    ;
  noted = iris && j < t->n_ins ? &t->ins[j] : NULL;   /* ids looked up already */
  if (iris) {
    /* A required IN list on an object: the + keeps SQLite from seeking
     * (p, o, s) once per value when the pattern is joined by its subject
     * (one seek on the primary key does); a pattern that starts the join
     * gets an indexable copy (drive_in()). */
    size_t len = strlen(v->col);
    int plus = noted && len > 2 && !strcmp(v->col + len - 2, ".o");
    icx_buf_appendf(b, "(%s%s %sIN (", plus ? "+" : "", v->col, neg);
  } else {
    icx_buf_append(b, "(");
    append_num(b, v);
    icx_buf_appendf(b, " %sIN (", neg);
  }
  for (i = 0; i < n; i++) {
    rasqal_literal *k = operand_constant(raptor_sequence_get_at(e->args, i));
    if (i)
      icx_buf_append(b, ", ");
    if (iris)
      append_int_param(t, b, noted ? noted->ids[i] : constant_id(t, k));
    else
      append_double_param(t, b, literal_double(k));
  }
  icx_buf_append(b, "))");
  return 0;
}

static int
expr(tr *t, rasqal_expression *e, icx_buf *b)
{
  var *v;

  if (!e)
    return unsupported(t, "an empty expression");
  switch (e->op) {
  case RASQAL_EXPR_AND:
  case RASQAL_EXPR_OR:
    icx_buf_append(b, "(");
    if (expr(t, e->arg1, b))
      return -1;
    icx_buf_append(b, e->op == RASQAL_EXPR_AND ? " AND " : " OR ");
    if (expr(t, e->arg2, b))
      return -1;
    icx_buf_append(b, ")");
    return 0;
  case RASQAL_EXPR_BANG:
    icx_buf_append(b, "(NOT ");
    if (expr(t, e->arg1, b))
      return -1;
    icx_buf_append(b, ")");
    return 0;
  case RASQAL_EXPR_BOUND:
    if (!is_var_operand(e->arg1))
      return unsupported(t, "BOUND of something other than a variable");
    v = operand_var(t, e->arg1);
    if (v)
      icx_buf_appendf(b, "(%s IS NOT NULL)", v->col);
    else
      icx_buf_append(b, "0");
    return 0;
  case RASQAL_EXPR_EQ:
  case RASQAL_EXPR_NEQ:
  case RASQAL_EXPR_LT:
  case RASQAL_EXPR_GT:
  case RASQAL_EXPR_LE:
  case RASQAL_EXPR_GE:
    return comparison(t, e->op, e->arg1, e->arg2, b);
  case RASQAL_EXPR_IN:
  case RASQAL_EXPR_NOT_IN:
    return in_list(t, e, b);
  default:
    return unsupported(t, "a FILTER function or operator outside the subset");
  }
}

/* --- graph patterns ------------------------------------------------------ */

/* OPTIONAL { one triple pattern . FILTER... } as a LEFT JOIN. */
static int
optional_block(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *inner = rasqal_graph_pattern_get_sub_graph_pattern(gp, 0);
  rasqal_graph_pattern *basic = NULL, *sub;
  rasqal_triple *tp;
  icx_buf cond;
  int first = 1, i, n_triples = 0, rc = 0;

  if (!inner || rasqal_graph_pattern_get_sub_graph_pattern(gp, 1))
    return unsupported(t, "an OPTIONAL of several groups");
  if (t->n_quads >= MAX_PATTERNS)
    return unsupported(t, "too many triple patterns");
  if (rasqal_graph_pattern_get_operator(inner) == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC) {
    basic = inner;
    inner = NULL;
  } else if (rasqal_graph_pattern_get_operator(inner) != RASQAL_GRAPH_PATTERN_OPERATOR_GROUP) {
    return unsupported(t, "an OPTIONAL block of this shape");
  }
  for (i = 0; inner && (sub = rasqal_graph_pattern_get_sub_graph_pattern(inner, i)); i++) {
    rasqal_graph_pattern_operator op = rasqal_graph_pattern_get_operator(sub);
    if (op == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC && !basic)
      basic = sub;
    else if (op != RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
      return unsupported(t, "an OPTIONAL block of this shape");
  }
  if (!basic)
    return unsupported(t, "an OPTIONAL without a triple pattern");
  while ((tp = rasqal_graph_pattern_get_triple(basic, n_triples)))
    n_triples++;
  if (n_triples != 1)
    return unsupported(t, "an OPTIONAL of more than one triple pattern");
  icx_buf_init(&cond);
  icx_buf_appendf(&t->ljoins, " LEFT JOIN quads q%d ON ", t->n_quads);
  if (triple(t, rasqal_graph_pattern_get_triple(basic, 0), &cond, &first, NULL)) {
    rc = -1;
    goto done;
  }
  if (first)
    icx_buf_append(&cond, "1");
  for (i = 0; inner && (sub = rasqal_graph_pattern_get_sub_graph_pattern(inner, i)); i++) {
    if (rasqal_graph_pattern_get_operator(sub) != RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
      continue;
    icx_buf_append(&cond, " AND ");
    if (expr(t, rasqal_graph_pattern_get_filter_expression(sub), &cond)) {
      rc = -1;
      goto done;
    }
  }
  icx_buf_appendf(&t->ljoins, "(%s)", cond.data ? cond.data : "1");
done:
  icx_buf_free(&cond);
  return rc;
}

static int
basic_block(tr *t, rasqal_graph_pattern *gp, int after_optional)
{
  rasqal_triple *tp;
  int i;

  for (i = 0; (tp = rasqal_graph_pattern_get_triple(gp, i)); i++) {
    int first = 1;
    icx_buf cond;
    if (after_optional)
      return unsupported(t, "triple patterns after an OPTIONAL");
    if (t->n_quads >= MAX_PATTERNS)
      return unsupported(t, "too many triple patterns");
    icx_buf_init(&cond);
    if (triple(t, tp, &cond, &first, &t->pats[t->n_pats])) {
      icx_buf_free(&cond);
      return -1;
    }
    t->n_pats++;
    if (cond.data) {
      icx_buf_appendf(&t->where, "%s%s", t->where.len ? " AND " : "", cond.data);
    }
    icx_buf_free(&cond);
  }
  return 0;
}

/* Records the IN lists of IRIs that e requires (e itself, or under &&):
 * what the join order knows of a variable's values. */
static void
note_in_lists(tr *t, rasqal_expression *e)
{
  in_ids *in;
  var *v;
  int n, i;

  if (!e)
    return;
  if (e->op == RASQAL_EXPR_AND) {
    note_in_lists(t, e->arg1);
    note_in_lists(t, e->arg2);
    return;
  }
  if ((e->op == RASQAL_EXPR_GE || e->op == RASQAL_EXPR_GT || e->op == RASQAL_EXPR_LE ||
       e->op == RASQAL_EXPR_LT || e->op == RASQAL_EXPR_EQ) && is_var_operand(e->arg1) &&
      operand_constant(e->arg2) && is_numeric_literal(operand_constant(e->arg2)) &&
      (v = operand_var(t, e->arg1))) {
    size_t k = (size_t)(v - t->vars);
    double d = literal_double(operand_constant(e->arg2));
    if (!t->numeric[k]) {
      t->lo[k] = -HUGE_VAL;
      t->hi[k] = HUGE_VAL;
    }
    t->numeric[k] = 1;
    if (e->op != RASQAL_EXPR_LE && e->op != RASQAL_EXPR_LT && d > t->lo[k])
      t->lo[k] = d;
    if (e->op != RASQAL_EXPR_GE && e->op != RASQAL_EXPR_GT && d < t->hi[k])
      t->hi[k] = d;
    return;
  }
  if (e->op != RASQAL_EXPR_IN || !is_var_operand(e->arg1) || t->n_ins == MAX_INS ||
      !(v = operand_var(t, e->arg1)))
    return;
  n = e->args ? raptor_sequence_size(e->args) : 0;
  if (n > MAX_IN_IDS)
    return;
  in = &t->ins[t->n_ins];
  in->expr = e;
  in->var = (int)(v - t->vars);
  in->n = 0;
  for (i = 0; i < n; i++) {
    rasqal_literal *k = operand_constant(raptor_sequence_get_at(e->args, i));
    if (!k || k->type != RASQAL_LITERAL_URI)
      return;
    in->ids[in->n++] = constant_id(t, k);
  }
  t->n_ins++;
}

/* FILTERs of group gp (the others are skipped) ANDed into t->where. */
static int
group_filters(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  int i;

  for (i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)); i++) {
    if (rasqal_graph_pattern_get_operator(sub) != RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
      continue;
    if (t->where.len)
      icx_buf_append(&t->where, " AND ");
    note_in_lists(t, rasqal_graph_pattern_get_filter_expression(sub));
    if (expr(t, rasqal_graph_pattern_get_filter_expression(sub), &t->where))
      return -1;
  }
  return 0;
}

/* { triple patterns FILTER... } first in the WHERE group: the compiler's
 * required part when OPTIONALs follow.  Its FILTERs are translated before
 * anything outside binds a variable, so a variable the group does not bind
 * reads as unbound, as SPARQL's scoping says. */
static int
inner_group(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  int i;

  for (i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)); i++) {
    switch (rasqal_graph_pattern_get_operator(sub)) {
    case RASQAL_GRAPH_PATTERN_OPERATOR_BASIC:
      if (basic_block(t, sub, 0))
        return -1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_FILTER:
      break;
    default:
      return unsupported(t, "a nested group of other than triple patterns and FILTERs");
    }
  }
  return group_filters(t, gp);
}

static int
group(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  int i, seen_optional = 0;
  rasqal_graph_pattern_operator op = rasqal_graph_pattern_get_operator(gp);

  if (op == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC)
    return basic_block(t, gp, 0);
  if (op != RASQAL_GRAPH_PATTERN_OPERATOR_GROUP)
    return unsupported(t, "a graph pattern outside the subset (UNION, GRAPH, ...)");
  /* Triples and OPTIONALs first, in order; FILTERs apply to the group. */
  for (i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)); i++) {
    switch (rasqal_graph_pattern_get_operator(sub)) {
    case RASQAL_GRAPH_PATTERN_OPERATOR_BASIC:
      if (basic_block(t, sub, seen_optional))
        return -1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_OPTIONAL:
      if (optional_block(t, sub))
        return -1;
      seen_optional = 1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_GROUP:
      if (i != 0)
        return unsupported(t, "a nested group other than first in the WHERE group");
      if (inner_group(t, sub))
        return -1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_FILTER:
      break;
    default:
      return unsupported(t, "a graph pattern outside the subset (UNION, GRAPH, ...)");
    }
  }
  return group_filters(t, gp);
}

/* --- join order ------------------------------------------------------------ */

/* Quads with predicate p, object o and subject id below s_max, counted up
 * to PROBE_CAP. */
static double
probe_count(tr *t, sqlite3_int64 p, sqlite3_int64 o, sqlite3_int64 s_max)
{
  double n = PROBE_CAP;

  if (!t->probe &&
      sqlite3_prepare_v2(t->db, "SELECT count(*) FROM (SELECT 1 FROM quads WHERE p = ?1 "
                         "AND o = ?2 AND s < ?3 LIMIT ?4)", -1, &t->probe, NULL) != SQLITE_OK) {
    t->failed = 1;
    return n;
  }
  sqlite3_bind_int64(t->probe, 1, p);
  sqlite3_bind_int64(t->probe, 2, o);
  sqlite3_bind_int64(t->probe, 3, s_max);
  sqlite3_bind_int(t->probe, 4, PROBE_CAP);
  if (sqlite3_step(t->probe) == SQLITE_ROW)
    n = (double)sqlite3_column_int64(t->probe, 0);
  sqlite3_reset(t->probe);
  return n;
}

/* The largest term id, read once per translation. */
static sqlite3_int64
max_id(tr *t)
{
  if (!t->max_id) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(t->db, "SELECT max(id) FROM terms", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      t->max_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (t->max_id < 1)
      t->max_id = 1;
  }
  return t->max_id;
}

/* About how many quads have predicate p and object o. */
static double
probe(tr *t, sqlite3_int64 p, sqlite3_int64 o)
{
  double n, scale = 1;
  int k;

  if (p < 0 || o < 0)
    return 0;               /* a term the store does not have: no quad */
  n = probe_count(t, p, o, INT64_MAX);
  if (n < PROBE_CAP)
    return n;
  max_id(t);
  for (k = 0; k < PROBE_SLICES; k++) {
    scale *= 16;
    n = probe_count(t, p, o, (sqlite3_int64)((double)t->max_id / scale) + 1);
    if (n < PROBE_CAP)
      return n * scale;
  }
  return PROBE_CAP * scale;
}

/* Quads with predicate p whose number lies in [lo, hi] and whose subject
 * id lies in [s_min, s_max), counted up to cap.  With s_max, the slice of
 * subjects is read on the primary key (the + keep SQLite off quads_num,
 * whose whole range it would read). */
static double
range_count(tr *t, sqlite3_int64 p, double lo, double hi, sqlite3_int64 s_min,
            sqlite3_int64 s_max, double cap)
{
  static const char *const sql[2] = {
    "SELECT count(*) FROM (SELECT 1 FROM quads WHERE p = ?1 "
    "AND num >= ?2 AND num <= ?3 LIMIT ?4)",
    "SELECT count(*) FROM (SELECT 1 FROM quads WHERE s >= ?6 AND s < ?5 AND +p = ?1 "
    "AND +num >= ?2 AND +num <= ?3 LIMIT ?4)"
  };
  int sliced = s_max < INT64_MAX;
  sqlite3_stmt *st;
  double n = cap;

  if (!t->ranges[sliced] &&
      sqlite3_prepare_v2(t->db, sql[sliced], -1, &t->ranges[sliced], NULL) != SQLITE_OK) {
    t->failed = 1;
    return n;
  }
  st = t->ranges[sliced];
  sqlite3_bind_int64(st, 1, p);
  sqlite3_bind_double(st, 2, lo);
  sqlite3_bind_double(st, 3, hi);
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
 * on quads_num up to PROBE_CAP; past it, counted among the quads of the
 * subjects in RANGE_SLICES slices of RANGE_SLICE_IDS ids spread over the
 * id range (read on the primary key: every quad of those subjects, a few
 * times as many as the ids) and scaled up, as probe() does.  Cost: some
 * thousands of index entries, whatever the size of the store.  The count
 * is known to be at least PROBE_CAP, so the estimate is never less. */
#define RANGE_SLICES 4
#define RANGE_SLICE_IDS 256
static double
probe_range(tr *t, sqlite3_int64 p, double lo, double hi)
{
  double n, sampled = 0;
  sqlite3_int64 top = max_id(t);
  int k;

  if (p < 0)
    return 0;
  n = range_count(t, p, lo, hi, 0, INT64_MAX, PROBE_CAP);
  if (n < PROBE_CAP || top <= 4 * RANGE_SLICES * RANGE_SLICE_IDS)
    return n;
  for (k = 0; k < RANGE_SLICES; k++) {
    sqlite3_int64 from = top / RANGE_SLICES * k + top / RANGE_SLICES / 2;
    sampled += range_count(t, p, lo, hi, from, from + RANGE_SLICE_IDS, 1e9);
  }
  n = sampled * (double)top / (RANGE_SLICES * RANGE_SLICE_IDS);
  return n > PROBE_CAP ? n : PROBE_CAP;
}

static void
estimate(tr *t, pat *x)
{
  int i, k;

  x->tier = TIER_FREE;
  if (x->var[1] >= 0) {
    x->est = EST_NOTHING;
    return;
  }
  if (x->var[2] < 0) {
    x->est = probe(t, x->p, x->o);
    x->tier = TIER_CONSTANT;
    return;
  }
  x->est = EST_P_ONLY;
  for (i = 0; i < t->n_ins; i++) {
    if (t->ins[i].var != x->var[2])
      continue;
    x->est = 0;
    for (k = 0; k < t->ins[i].n; k++)
      x->est += probe(t, x->p, t->ins[i].ids[k]);
    x->tier = TIER_IN;
    x->in = i;
    return;
  }
  if (t->numeric[x->var[2]])
    x->tier = TIER_NUMERIC;
}

/* Numeric patterns may start the join too, from quads_num, when their
 * range holds fewer quads than the other patterns' estimates. */
static void
estimate_ranges(tr *t)
{
  int i;

  for (i = 0; i < t->n_pats; i++) {
    pat *x = &t->pats[i];
    int v = x->var[2];
    if (x->tier == TIER_NUMERIC)
      x->est = probe_range(t, x->p, t->lo[v], t->hi[v]);
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
opens(const tr *t, const unsigned char *placed, const unsigned char *bound, int i)
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
better(const cand *x, const cand *best)
{
  if (best->i < 0)
    return 1;
  if (x->linked != best->linked)
    return x->linked > best->linked;
  if (x->linked && x->tier != best->tier)
    return x->tier < best->tier;
  return x->est < best->est;
}

/* The range a numeric pattern that starts the join reads from quads_num:
 * conditions the FILTERs imply, written so that the index serves them. */
static void
drive_range(tr *t, const pat *x)
{
  int v = x->var[2];

  if (t->lo[v] > -HUGE_VAL) {
    icx_buf_appendf(&t->where, "%sq%d.num >= ", t->where.len ? " AND " : "", x->alias);
    append_double_param(t, &t->where, t->lo[v]);
  }
  if (t->hi[v] < HUGE_VAL) {
    icx_buf_appendf(&t->where, "%sq%d.num <= ", t->where.len ? " AND " : "", x->alias);
    append_double_param(t, &t->where, t->hi[v]);
  }
}

/* The values an IN pattern that starts the join reads from quads_pos. */
static void
drive_in(tr *t, const pat *x)
{
  const in_ids *in = &t->ins[x->in];
  int k;

  icx_buf_appendf(&t->where, "%sq%d.o IN (", t->where.len ? " AND " : "", x->alias);
  for (k = 0; k < in->n; k++) {
    if (k)
      icx_buf_append(&t->where, ", ");
    append_int_param(t, &t->where, in->ids[k]);
  }
  icx_buf_append(&t->where, ")");
}

/* What streaming one index entry into a set costs, in index seeks
 * (measured at 100k clouds, warm: about a quarter). */
#define SET_SCAN_COST 0.25

static int
cmp_est(const void *a, const void *b)
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
subject_set(tr *t, const pat *first, int v)
{
  pat *cands[MAX_PATTERNS];
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
  qsort(cands, (size_t)n_cand, sizeof *cands, cmp_est);
  for (i = 0; i < n_cand && !rc; i++) {
    pat *y = cands[i];
    if (SET_SCAN_COST * y->est >= rows)
      break;
    y->in_set = 1;
    rows *= n > 0 ? y->est / n : 0;
    if (!t->semi && !(t->semi = icx_semi_new()))
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
choose_sets(tr *t, const pat *first)
{
  int v, k;

  for (v = 0; v < (int)t->n_vars; v++) {
    if ((k = subject_set(t, first, v)) == -2) {
      t->failed = 1;
      return;
    }
    t->set_of[v] = k + 1;
  }
}

/* Each set's test, where the join first binds its variable.  order: the
 * join order. */
static void
test_sets(tr *t, const int *order)
{
  static const char cols[] = "spo";
  unsigned char seen[MAX_VARS] = { 0 };
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
      append_in_set(t, &t->where, t->set_of[v] - 1, col);
    }
  }
}

/* Writes the FROM clause: the required patterns in the order they are
 * joined, then the OPTIONALs.  SQLite has no statistics on values (and
 * Debian's has no STAT4), so left to itself it may start from every cloud
 * and, per cloud, scan every service with one protocol: quadratic.  The
 * order here is greedy: first the pattern that matches fewest quads alone
 * (probe()), then, again and again, among the patterns sharing a variable
 * with those already placed (so that every step is an index lookup), the
 * one that prunes most (TIER_*, then fewest quads); CROSS JOIN makes
 * SQLite keep it.  Once the first pattern is chosen, the patterns worth
 * reading whole become subject sets (choose_sets()), tested where their
 * variable is first bound; being known to hold, they are joined last. */
static void
write_from(tr *t, icx_buf *from)
{
  unsigned char placed[MAX_PATTERNS] = { 0 }, bound[MAX_VARS] = { 0 };
  int order[MAX_PATTERNS];
  int step, i, j;

  for (i = 0; i < t->n_pats; i++)
    estimate(t, &t->pats[i]);
  estimate_ranges(t);
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
      if (c.tier == TIER_FREE && !opens(t, placed, bound, i))
        c.tier = TIER_DEAD_END;
      c.est = x->est;
      if (better(&c, &bestc))
        bestc = c;
    }
    best = bestc.i;
    order[step] = best;
    placed[best] = 1;
    for (j = 0; j < 3; j++)
      if (t->pats[best].var[j] >= 0)
        bound[t->pats[best].var[j]] = 1;
    icx_buf_appendf(from, "%squads q%d", step ? " CROSS JOIN " : "", t->pats[best].alias);
    if (step == 0 && t->pats[best].tier == TIER_NUMERIC)
      drive_range(t, &t->pats[best]);
    if (step == 0 && t->pats[best].tier == TIER_IN)
      drive_in(t, &t->pats[best]);
    if (step == 0)
      choose_sets(t, &t->pats[best]);
  }
  if (t->n_pats)
    test_sets(t, order);
  if (t->ljoins.len)
    icx_buf_append(from, t->ljoins.data);
}

/* --- the statement ---------------------------------------------------------- */

void
icx_sql_free(icx_sql *q)
{
  size_t i;

  if (!q)
    return;
  for (i = 0; i < q->n_params; i++)
    free(q->params[i].s);
  free(q->params);
  for (i = 0; i < q->width; i++)
    free(q->names[i]);
  free(q->names);
  free(q->sql);
  icx_semi_free(q->semi);
  free(q);
}

const char *
icx_sql_text(const icx_sql *q)
{
  return q->sql;
}

static int
order_by(tr *t, rasqal_query *query, icx_buf *b)
{
  rasqal_expression *oc;
  int i;

  for (i = 0; (oc = rasqal_query_get_order_condition(query, i)); i++) {
    rasqal_expression *x = oc;
    const char *dir = "ASC";
    var *v;
    if (oc->op == RASQAL_EXPR_ORDER_COND_ASC || oc->op == RASQAL_EXPR_ORDER_COND_DESC) {
      dir = oc->op == RASQAL_EXPR_ORDER_COND_DESC ? "DESC" : "ASC";
      x = oc->arg1;
    }
    if (!is_var_operand(x))
      return unsupported(t, "ORDER BY something other than a variable");
    icx_buf_append(b, i ? ", " : " ORDER BY ");
    v = operand_var(t, x);
    if (!v) {
      icx_buf_append(b, "NULL");
      continue;
    }
    /* Numbers by value, then everything else by text. */
    append_num(b, v);
    icx_buf_appendf(b, " %s, (SELECT lex FROM terms WHERE id = %s) %s", dir, v->col, dir);
  }
  return 0;
}

/* Translates sparql; with ids, the statement projects term ids only and
 * orders rows only when LIMIT or OFFSET needs it. */
static icx_rc
translate(icx_ctx *ctx, sqlite3 *db, const char *sparql, int ids, icx_sql **out,
          const char **why)
{
  rasqal_world *rw;
  rasqal_query *query = NULL;
  raptor_sequence *proj;
  tr t;
  icx_buf sql, from;
  icx_sql *q = NULL;
  icx_diag diag;
  icx_rc rc = ICX_OK;
  int i, width, limit, offset;

  if (!ctx || !db || !sparql || !out || !why)
    return ICX_ERR_MISUSE;
  *out = NULL;
  *why = NULL;
  memset(&t, 0, sizeof t);
  t.ctx = ctx;
  t.db = db;
  icx_buf_init(&t.ljoins);
  icx_buf_init(&from);
  icx_buf_init(&t.where);
  icx_buf_init(&sql);
  rw = icx_ctx_world(ctx) ? librdf_world_get_rasqal(icx_ctx_world(ctx)) : NULL;
  query = rw ? rasqal_new_query(rw, "sparql", NULL) : NULL;
  if (!query) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "cannot create a SPARQL parser");
    goto done;
  }
  icx_diag_begin(ctx, &diag);
  i = rasqal_query_prepare(query, (const unsigned char *)sparql, NULL);
  icx_diag_end(ctx);
  if (i || diag.errors) {
    rc = icx_fail(ctx, ICX_ERR_QUERY, "the query does not parse: %s",
                  diag.errors ? diag.first : "(no detail)");
    goto done;
  }
  if (rasqal_query_get_verb(query) != RASQAL_QUERY_VERB_SELECT) {
    *why = "not a SELECT query";
    goto done;
  }
  if (group(&t, rasqal_query_get_query_graph_pattern(query)))
    goto outside;
  if (t.n_quads == 0) {
    unsupported(&t, "no triple pattern");
    goto outside;
  }
  if (t.n_pats == 0) {        /* OPTIONALs alone: nothing to LEFT JOIN them to */
    unsupported(&t, "no required triple pattern");
    goto outside;
  }

  proj = rasqal_query_get_bound_variable_sequence(query);
  width = proj ? raptor_sequence_size(proj) : 0;
  q = calloc(1, sizeof *q);
  if (!q || !(q->names = calloc((size_t)width + 1, sizeof *q->names))) {
    t.failed = 1;
    goto done;
  }
  q->db = db;
  q->ids = ids;
  icx_buf_appendf(&sql, "SELECT %s", rasqal_query_get_distinct(query) ? "DISTINCT " : "");
  for (i = 0; i < width; i++) {
    rasqal_variable *rv = raptor_sequence_get_at(proj, i);
    var *v = find_var(&t, (const char *)rv->name);
    if (rv->expression)
      {
        unsupported(&t, "a projected expression");
        goto outside;
      }
    if (!(q->names[i] = strdup((const char *)rv->name))) {
      t.failed = 1;
      goto done;
    }
    q->width++;
    if (v && ids)
      icx_buf_appendf(&sql, "%s%s", i ? ", " : "", v->col);
    else if (v)
      icx_buf_appendf(&sql, "%s%s, (SELECT lex FROM terms WHERE id = %s)", i ? ", " : "",
                      v->col, v->col);
    else
      icx_buf_appendf(&sql, "%sNULL%s", i ? ", " : "", ids ? "" : ", NULL");
  }
  if (width == 0)
    icx_buf_append(&sql, "1");
  write_from(&t, &from);
  if (t.semi && icx_semi_register(db) != SQLITE_OK)
    t.failed = 1;
  icx_buf_appendf(&sql, " FROM %s", from.data ? from.data : "");
  if (t.where.len)
    icx_buf_appendf(&sql, " WHERE %s", t.where.data);
  limit = rasqal_query_get_limit(query);
  offset = rasqal_query_get_offset(query);
  if ((!ids || limit >= 0 || offset > 0) && order_by(&t, query, &sql))
    goto outside;
  if (limit >= 0 || offset > 0) {
    icx_buf_append(&sql, " LIMIT ");
    append_int_param(&t, &sql, limit >= 0 ? limit : -1);
    if (offset > 0) {
      icx_buf_append(&sql, " OFFSET ");
      append_int_param(&t, &sql, offset);
    }
  }
  if (t.failed || icx_buf_failed(&sql) || icx_buf_failed(&from) ||
      icx_buf_failed(&t.ljoins) || icx_buf_failed(&t.where))
    goto done;
  q->sql = icx_buf_take(&sql);
  q->params = t.params;
  q->n_params = t.n_params;
  q->semi = t.semi;
  t.params = NULL;
  t.n_params = 0;
  t.semi = NULL;
  *out = q;
  q = NULL;
  goto done;
outside:
  *why = t.why ? t.why : "outside the SQL subset";
done:
  if (t.failed && rc == ICX_OK)
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "cannot translate the query (%s)", sqlite3_errmsg(db));
  if (t.lookup)
    sqlite3_finalize(t.lookup);
  sqlite3_finalize(t.probe);
  sqlite3_finalize(t.ranges[0]);
  sqlite3_finalize(t.ranges[1]);
  {
    size_t k;
    for (k = 0; k < t.n_params; k++)
      free(t.params[k].s);
    free(t.params);
  }
  icx_semi_free(t.semi);
  icx_buf_free(&t.ljoins);
  icx_buf_free(&from);
  icx_buf_free(&t.where);
  icx_buf_free(&sql);
  icx_sql_free(q);
  if (query)
    rasqal_free_query(query);
  return rc;
}

icx_rc
icx_sql_translate(icx_ctx *ctx, sqlite3 *db, const char *sparql, icx_sql **out, const char **why)
{
  return translate(ctx, db, sparql, 0, out, why);
}

icx_rc
icx_sql_translate_ids(icx_ctx *ctx, sqlite3 *db, const char *sparql, icx_sql **out,
                      const char **why)
{
  return translate(ctx, db, sparql, 1, out, why);
}

size_t icx_sql_width(const icx_sql *q) { return q->width; }

const char *
icx_sql_var(const icx_sql *q, size_t j)
{
  return j < q->width ? q->names[j] : NULL;
}

/* The statement of q, prepared, its parameters bound, its subject sets
 * filled.  Call it inside the read transaction the statement runs in
 * (begin_read()). */
static icx_rc
prepare_bound(icx_ctx *ctx, const icx_sql *q, sqlite3_stmt **st)
{
  icx_rc rc;
  size_t i;

  if (q->semi) {
    double t0 = icx_now_ms();
    if ((rc = icx_semi_fill(ctx, q->semi, q->db)))
      return rc;
    icx_log(ctx, ICX_LOG_DEBUG, "sql", "%d subject sets filled in %.1f ms",
            icx_semi_count(q->semi), icx_now_ms() - t0);
  }
  if (sqlite3_prepare_v2(q->db, q->sql, -1, st, NULL) != SQLITE_OK)
    return icx_fail(ctx, ICX_ERR_QUERY, "SQL path: %s", sqlite3_errmsg(q->db));
  for (i = 0; i < q->n_params; i++) {
    const param *p = &q->params[i];
    int k = (int)i + 1;
    if (p->kind == 0)
      sqlite3_bind_int64(*st, k, p->i);
    else if (p->kind == 1)
      sqlite3_bind_double(*st, k, p->d);
    else if (p->kind == 2)
      sqlite3_bind_text(*st, k, p->s, -1, SQLITE_STATIC);
    else
      icx_semi_bind(q->semi, (int)p->i, *st, k);
  }
  return ICX_OK;
}

/* A statement with subject sets reads the store twice (the sets, then the
 * rows): outside a transaction, a load committing in between could give
 * rows the sets did not see.  1 when this began a read transaction. */
static int
begin_read(const icx_sql *q)
{
  return q->semi && sqlite3_get_autocommit(q->db) &&
         sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void
end_read(const icx_sql *q, int began)
{
  if (began && sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

icx_rc
icx_sql_each(icx_ctx *ctx, icx_sql *q, icx_sql_row_fn fn, void *userdata)
{
  sqlite3_stmt *st = NULL;
  sqlite3_int64 *ids;
  icx_rc result;
  size_t i;
  int rc, began;

  if (!ctx || !q || !fn || !q->ids)
    return ICX_ERR_MISUSE;
  if (!(ids = calloc(q->width + 1, sizeof *ids)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  began = begin_read(q);
  if ((result = prepare_bound(ctx, q, &st)))
    goto done;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (i = 0; i < q->width; i++)
      ids[i] = sqlite3_column_int64(st, (int)i);     /* NULL reads as 0 */
    if ((result = fn(userdata, ids)))
      goto done;
  }
  if (rc != SQLITE_DONE)
    result = icx_fail(ctx, ICX_ERR_QUERY, "SQL path: %s", sqlite3_errmsg(q->db));
done:
  sqlite3_finalize(st);
  end_read(q, began);
  free(ids);
  return result;
}

/* An id and where its name goes, sorted by id. */
typedef struct id_at {
  sqlite3_int64 id;
  size_t at;
} id_at;

static int
cmp_id_at(const void *a, const void *b)
{
  const id_at *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

icx_rc
icx_sql_names(icx_ctx *ctx, sqlite3 *db, const sqlite3_int64 *ids, size_t n, char **out)
{
  sqlite3_stmt *st = NULL;
  icx_rc result = ICX_OK;
  id_at *order;
  size_t i;

  if (!ctx || !db || (n && (!ids || !out)))
    return ICX_ERR_MISUSE;
  for (i = 0; i < n; i++)
    out[i] = NULL;
  /* In id order: consecutive lookups then walk the terms table forward,
   * mostly within pages already read (28k names at 100k clouds: 24 ms in
   * the order given, 20 ms sorted). */
  if (!(order = malloc((n + 1) * sizeof *order)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  for (i = 0; i < n; i++) {
    order[i].id = ids[i];
    order[i].at = i;
  }
  qsort(order, n, sizeof *order, cmp_id_at);
  if (sqlite3_prepare_v2(db, "SELECT lex FROM terms WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
    free(order);
    return icx_fail(ctx, ICX_ERR_STORE, "SQL path: %s", sqlite3_errmsg(db));
  }
  for (i = 0; i < n && result == ICX_OK; i++) {
    int rc;
    sqlite3_bind_int64(st, 1, order[i].id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW &&
        !(out[order[i].at] = icx_strdup((const char *)sqlite3_column_text(st, 0))))
      result = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      result = icx_fail(ctx, ICX_ERR_STORE, "SQL path: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  free(order);
  return result;
}

icx_rc
icx_sql_run(icx_ctx *ctx, icx_sql *q, icx_rows **out)
{
  sqlite3_stmt *st = NULL;
  icx_rows *rows = NULL;
  const char **cells = NULL;
  size_t i;
  int rc, began;
  icx_rc result = ICX_OK;

  if (!ctx || !q || !out || q->ids)
    return ICX_ERR_MISUSE;
  *out = NULL;
  began = begin_read(q);
  if ((result = prepare_bound(ctx, q, &st)))
    goto done;
  rows = icx_rows_new(q->width, (const char *const *)q->names, "sql");
  cells = calloc(q->width + 1, sizeof *cells);
  if (!rows || !cells) {
    result = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (i = 0; i < q->width; i++)
      cells[i] = (const char *)sqlite3_column_text(st, (int)(2 * i + 1));
    if (icx_rows_append(rows, cells)) {
      result = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
  }
  if (rc != SQLITE_DONE) {
    result = icx_fail(ctx, ICX_ERR_QUERY, "SQL path: %s", sqlite3_errmsg(q->db));
    goto done;
  }
  *out = rows;
  rows = NULL;
done:
  free(cells);
  icx_rows_free(rows);
  sqlite3_finalize(st);
  end_read(q, began);
  return result;
}

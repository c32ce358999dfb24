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
 *
 * The join order is icx_sql_plan.c's, the running icx_sql_run.c's.  About
 * 900 lines, and one file because it is one walk of rasqal's query (triple
 * patterns, FILTER expressions, graph patterns, projection) whose parts
 * all share the term lookups, variables and parameters at its top;
 * cutting the walk in two would export a dozen helpers for no reader's
 * gain.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_schema.h"
#include "icx_sql_internal.h"
#include "icx_store_ids.h"

static int
sql_unsupported(tr *t, const char *why)
{
  if (!t->why)
    t->why = why;
  return -1;
}

static int
sql_add_param(tr *t, param p)
{
  icx_ctx *ctx = t ? t->ctx : NULL;
  if (t->n_params == t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 16;
    param *np = icx_realloc(ctx, t->params, ncap * sizeof *np);
    if (!np) {
      icx_free(ctx, p.s);
      t->failed = 1;
      return -1;
    }
    t->params = np;
    t->cap = ncap;
  }
  t->params[t->n_params++] = p;
  return (int)t->n_params;   /* ?N is 1-based */
}

void
icx_sql_append_int_param(tr *t, icx_buf *b, sqlite3_int64 v)
{
  param p = { 0, v, 0, NULL };
  int k = sql_add_param(t, p);

  if (k > 0)
    icx_buf_appendf(b, "?%d", k);
}

void
icx_sql_append_double_param(tr *t, icx_buf *b, double v)
{
  param p = { 1, 0, v, NULL };
  int k = sql_add_param(t, p);

  if (k > 0)
    icx_buf_appendf(b, "?%d", k);
}

/* icx_in(?N, col): col's term is in subject set k (icx_semi.h). */
void
icx_sql_append_in_set(tr *t, icx_buf *b, int k, const char *col)
{
  param p = { 3, k, 0, NULL };
  int n = sql_add_param(t, p);

  if (n > 0)
    icx_buf_appendf(b, "%sicx_in(?%d, %s)", b->len ? " AND " : "", n, col);
}

static void
sql_append_text_param(tr *t, icx_buf *b, const char *s)
{
  icx_ctx *ctx = t ? t->ctx : NULL;
  param p = { 2, 0, 0, icx_strdup(ctx, s) };
  int k;

  if (!p.s) {
    t->failed = 1;
    return;
  }
  k = sql_add_param(t, p);
  if (k > 0)
    icx_buf_appendf(b, "?%d", k);
}

/* The id of a term, -1 when the store does not have it. */
static sqlite3_int64
sql_term_id(tr *t, int kind, const char *lex, sqlite3_int64 dt, const char *lang)
{
  sqlite3_int64 id = -1;
  int rc;

  if (!t->lookup &&
      !(t->lookup = icx_store_stmt_get(t->store, ICX_SCHEMA_TERM_ID_SQL))) {
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
sql_is_numeric_literal(const rasqal_literal *l)
{
  return l->type == RASQAL_LITERAL_INTEGER || l->type == RASQAL_LITERAL_DECIMAL ||
         l->type == RASQAL_LITERAL_DOUBLE || l->type == RASQAL_LITERAL_FLOAT;
}

/* 1 for a string without language tag, plain or typed xsd:string: one
 * literal in RDF 1.1, stored plain (icx_schema_literal_dt()). */
static int
sql_is_string_literal(const rasqal_literal *l)
{
  return (l->type == RASQAL_LITERAL_STRING || l->type == RASQAL_LITERAL_XSD_STRING) &&
         !(l->language && *l->language);
}

/* A constant of a triple pattern as a term id; -2 when it cannot be one. */
static sqlite3_int64
sql_constant_id(tr *t, rasqal_literal *l)
{
  raptor_uri *dt;
  sqlite3_int64 dt_id = 0;

  switch (l->type) {
  case RASQAL_LITERAL_URI:
    return sql_term_id(t, 1, (const char *)raptor_uri_as_string(l->value.uri), 0, "");
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
    /* "x"^^xsd:string is stored as "x" (icx_schema_literal_dt()). */
    if (dt && icx_schema_literal_dt((const char *)raptor_uri_as_string(dt))) {
      dt_id = sql_term_id(t, 1, (const char *)raptor_uri_as_string(dt), 0, "");
      if (dt_id < 0)
        return -1;
    }
    return sql_term_id(t, 3, (const char *)l->string, dt_id, l->language ? l->language : "");
  default:
    sql_unsupported(t, "a blank node or pattern in a triple pattern");
    return -2;
  }
}

static var *
sql_find_var(tr *t, const char *name)
{
  size_t i;

  for (i = 0; i < t->n_vars; i++)
    if (!strcmp(t->vars[i].name, name))
      return &t->vars[i];
  return NULL;
}

/* Appends the numeric value of variable v: qN.num when v is first bound
 * as an object (quads carry their object's number), else the term's.  The
 * unary + keeps SQLite from reading an index by number to join qN, which
 * would scan the whole range for every row: the pattern is joined by its
 * subject, and only a pattern that starts the join reads its range, from
 * postings_num (icx_sql_write_from()). */
static void
sql_append_num(icx_buf *b, const var *v)
{
  size_t len = strlen(v->col);

  if (len > 2 && !strcmp(v->col + len - 2, ".o"))
    icx_buf_appendf(b, "+%.*snum", (int)(len - 1), v->col);
  else
    icx_buf_appendf(b, "(SELECT num FROM terms WHERE id = %s)", v->col);
}

/* 1 when a pattern could match the store's bookkeeping, which a query
 * never sees (icx_store_hidden_graph()): its triples all have rdf:type or
 * a predicate of ICX_MATCH_NS, and their types are of ICX_MATCH_NS too. */
static int
sql_may_read_bookkeeping(rasqal_triple *tp)
{
  static const char rdf_type[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  const char *p, *o;

  if (tp->predicate->type != RASQAL_LITERAL_URI)
    return 1;
  p = (const char *)rasqal_literal_as_string(tp->predicate);
  if (!p || !strncmp(p, ICX_MATCH_NS, strlen(ICX_MATCH_NS)))
    return 1;
  if (strcmp(p, rdf_type))
    return 0;
  if (tp->object->type != RASQAL_LITERAL_URI)
    return 1;
  o = (const char *)rasqal_literal_as_string(tp->object);
  return !o || !strncmp(o, ICX_MATCH_NS, strlen(ICX_MATCH_NS));
}

/* Adds the conditions of one triple pattern on alias qN to cond; binds
 * variables seen for the first time. */
static int
sql_triple(tr *t, rasqal_triple *tp, icx_buf *cond, int *first, pat *rec)
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
    return sql_unsupported(t, "GRAPH");
  for (i = 0; i < 3; i++) {
    rasqal_literal *l = parts[i];
    char col[24];
    snprintf(col, sizeof col, "q%d.%s", n, cols[i]);
    if (l->type == RASQAL_LITERAL_VARIABLE) {
      const char *name = (const char *)l->value.variable->name;
      var *v = sql_find_var(t, name);
      if (!v) {
        if (t->n_vars == SQL_MAX_VARS)
          return sql_unsupported(t, "too many variables");
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
      sqlite3_int64 id = sql_constant_id(t, l);
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
      icx_sql_append_int_param(t, cond, id);
    }
    *first = 0;
  }
  if (sql_may_read_bookkeeping(tp)) {
    icx_id meta = icx_store_hidden_graph(t->store);
    if (meta > 0) {
      icx_buf_appendf(cond, "%sq%d.g <> ", *first ? "" : " AND ", n);
      icx_sql_append_int_param(t, cond, meta);
      *first = 0;
    }
  }
  t->n_quads++;
  return 0;
}

/* --- expressions -------------------------------------------------------- */

static int sql_expr(tr *t, rasqal_expression *e, icx_buf *b);

/* The variable an operand names (?v), or NULL. */
static var *
sql_operand_var(tr *t, rasqal_expression *e)
{
  if (e && e->op == RASQAL_EXPR_LITERAL && e->literal &&
      e->literal->type == RASQAL_LITERAL_VARIABLE)
    return sql_find_var(t, (const char *)e->literal->value.variable->name);
  return NULL;
}

static int
sql_is_var_operand(rasqal_expression *e)
{
  return e && e->op == RASQAL_EXPR_LITERAL && e->literal &&
         e->literal->type == RASQAL_LITERAL_VARIABLE;
}

static rasqal_literal *
sql_operand_constant(rasqal_expression *e)
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
sql_flip(rasqal_op op)
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
sql_literal_double(rasqal_literal *l)
{
  return strtod((const char *)l->string, NULL);
}

static int
sql_comparison(tr *t, rasqal_op op, rasqal_expression *a, rasqal_expression *c, icx_buf *b)
{
  rasqal_literal *k;
  var *v;
  int str = 0;

  if (sql_operand_constant(a) && !sql_operand_constant(c)) {
    rasqal_expression *x = a;
    a = c;
    c = x;
    op = sql_flip(op);
  }
  k = sql_operand_constant(c);
  if (a && a->op == RASQAL_EXPR_STR && sql_is_var_operand(a->arg1)) {
    str = 1;
    a = a->arg1;
  }
  if (!k || !sql_is_var_operand(a))
    return sql_unsupported(t, "a comparison that is not between a variable and a constant");
  v = sql_operand_var(t, a);
  if (!v) {
    icx_buf_append(b, "NULL");      /* never bound: an error in SPARQL */
    return 0;
  }
  if (str) {
    if ((op != RASQAL_EXPR_EQ && op != RASQAL_EXPR_NEQ) || !sql_is_string_literal(k))
      return sql_unsupported(t, "STR() compared other than = or != with a plain string");
    icx_buf_appendf(b, "((SELECT lex FROM terms WHERE id = %s AND kind != 2) %s ", v->col,
                    sql_op(op));
    sql_append_text_param(t, b, (const char *)k->string);
    icx_buf_append(b, ")");
    return 0;
  }
  if (sql_is_numeric_literal(k)) {
    if (op == RASQAL_EXPR_EQ || op == RASQAL_EXPR_NEQ) {
      /* Numbers compare by value; an IRI or blank is simply unequal; a
       * non-numeric literal is a type error. */
      icx_buf_appendf(b, "(SELECT CASE WHEN kind != 3 THEN %d WHEN num IS NULL THEN NULL "
                      "ELSE num %s ", op == RASQAL_EXPR_NEQ, sql_op(op));
      icx_sql_append_double_param(t, b, sql_literal_double(k));
      icx_buf_appendf(b, " END FROM terms WHERE id = %s)", v->col);
    } else {
      icx_buf_append(b, "(");
      sql_append_num(b, v);
      icx_buf_appendf(b, " %s ", sql_op(op));
      icx_sql_append_double_param(t, b, sql_literal_double(k));
      icx_buf_append(b, ")");
    }
    return 0;
  }
  if (k->type == RASQAL_LITERAL_URI) {
    if (op != RASQAL_EXPR_EQ && op != RASQAL_EXPR_NEQ)
      return sql_unsupported(t, "an IRI compared other than = or !=");
    icx_buf_appendf(b, "(%s %s ", v->col, sql_op(op));
    icx_sql_append_int_param(t, b, sql_constant_id(t, k));
    icx_buf_append(b, ")");
    return 0;
  }
  if (sql_is_string_literal(k) && (op == RASQAL_EXPR_EQ || op == RASQAL_EXPR_NEQ)) {
    /* As rasqal: a language-tagged literal is unequal to a string (a
     * typed literal of another datatype is a type error). */
    icx_buf_appendf(b, "(SELECT CASE WHEN kind != 3 THEN %d WHEN dt != 0 THEN NULL "
                    "WHEN lang != '' THEN %d ELSE lex %s ", op == RASQAL_EXPR_NEQ,
                    op == RASQAL_EXPR_NEQ, sql_op(op));
    sql_append_text_param(t, b, (const char *)k->string);
    icx_buf_appendf(b, " END FROM terms WHERE id = %s)", v->col);
    return 0;
  }
  return sql_unsupported(t, "a comparison with a constant of this kind");
}

static int
sql_in_list(tr *t, rasqal_expression *e, icx_buf *b)
{
  int n = e->args ? raptor_sequence_size(e->args) : 0, i, j, iris = 0, nums = 0;
  const char *neg = e->op == RASQAL_EXPR_NOT_IN ? "NOT " : "";
  const in_ids *noted;
  var *v;

  if (!sql_is_var_operand(e->arg1))
    return sql_unsupported(t, "IN on something other than a variable");
  for (i = 0; i < n; i++) {
    rasqal_literal *k = sql_operand_constant(raptor_sequence_get_at(e->args, i));
    if (k && k->type == RASQAL_LITERAL_URI)
      iris++;
    else if (k && sql_is_numeric_literal(k))
      nums++;
    else
      return sql_unsupported(t, "IN with members other than IRIs and numbers");
  }
  if (iris && nums)
    return sql_unsupported(t, "IN mixing IRIs and numbers");
  v = sql_operand_var(t, e->arg1);
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
     * gets an indexable copy (sql_drive_in()). */
    size_t len = strlen(v->col);
    int plus = noted && len > 2 && !strcmp(v->col + len - 2, ".o");
    icx_buf_appendf(b, "(%s%s %sIN (", plus ? "+" : "", v->col, neg);
  } else {
    icx_buf_append(b, "(");
    sql_append_num(b, v);
    icx_buf_appendf(b, " %sIN (", neg);
  }
  for (i = 0; i < n; i++) {
    rasqal_literal *k = sql_operand_constant(raptor_sequence_get_at(e->args, i));
    if (i)
      icx_buf_append(b, ", ");
    if (iris)
      icx_sql_append_int_param(t, b, noted ? noted->ids[i] : sql_constant_id(t, k));
    else
      icx_sql_append_double_param(t, b, sql_literal_double(k));
  }
  icx_buf_append(b, "))");
  return 0;
}

static int
sql_expr(tr *t, rasqal_expression *e, icx_buf *b)
{
  var *v;

  if (!e)
    return sql_unsupported(t, "an empty expression");
  switch (e->op) {
  case RASQAL_EXPR_AND:
  case RASQAL_EXPR_OR:
    icx_buf_append(b, "(");
    if (sql_expr(t, e->arg1, b))
      return -1;
    icx_buf_append(b, e->op == RASQAL_EXPR_AND ? " AND " : " OR ");
    if (sql_expr(t, e->arg2, b))
      return -1;
    icx_buf_append(b, ")");
    return 0;
  case RASQAL_EXPR_BANG:
    icx_buf_append(b, "(NOT ");
    if (sql_expr(t, e->arg1, b))
      return -1;
    icx_buf_append(b, ")");
    return 0;
  case RASQAL_EXPR_BOUND:
    if (!sql_is_var_operand(e->arg1))
      return sql_unsupported(t, "BOUND of something other than a variable");
    v = sql_operand_var(t, e->arg1);
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
    return sql_comparison(t, e->op, e->arg1, e->arg2, b);
  case RASQAL_EXPR_IN:
  case RASQAL_EXPR_NOT_IN:
    return sql_in_list(t, e, b);
  default:
    return sql_unsupported(t, "a FILTER function or operator outside the subset");
  }
}

/* --- graph patterns ------------------------------------------------------ */

/* OPTIONAL { one triple pattern . FILTER... } as a LEFT JOIN. */
static int
sql_optional_block(tr *t, rasqal_graph_pattern *gp)
{
  icx_ctx *ctx = t ? t->ctx : NULL;
  rasqal_graph_pattern *inner = rasqal_graph_pattern_get_sub_graph_pattern(gp, 0);
  rasqal_graph_pattern *basic = NULL, *sub;
  rasqal_triple *tp;
  icx_buf cond;
  int first = 1, i, n_triples = 0, rc = 0;

  if (!inner || rasqal_graph_pattern_get_sub_graph_pattern(gp, 1))
    return sql_unsupported(t, "an OPTIONAL of several groups");
  if (t->n_quads >= SQL_MAX_PATTERNS)
    return sql_unsupported(t, "too many triple patterns");
  if (rasqal_graph_pattern_get_operator(inner) == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC) {
    basic = inner;
    inner = NULL;
  } else if (rasqal_graph_pattern_get_operator(inner) != RASQAL_GRAPH_PATTERN_OPERATOR_GROUP) {
    return sql_unsupported(t, "an OPTIONAL block of this shape");
  }
  for (i = 0; inner && (sub = rasqal_graph_pattern_get_sub_graph_pattern(inner, i)); i++) {
    rasqal_graph_pattern_operator op = rasqal_graph_pattern_get_operator(sub);
    if (op == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC && !basic)
      basic = sub;
    else if (op != RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
      return sql_unsupported(t, "an OPTIONAL block of this shape");
  }
  if (!basic)
    return sql_unsupported(t, "an OPTIONAL without a triple pattern");
  while ((tp = rasqal_graph_pattern_get_triple(basic, n_triples)))
    n_triples++;
  if (n_triples != 1)
    return sql_unsupported(t, "an OPTIONAL of more than one triple pattern");
  icx_buf_init(&cond, ctx);
  icx_buf_appendf(&t->ljoins, " LEFT JOIN quads q%d ON ", t->n_quads);
  if (sql_triple(t, rasqal_graph_pattern_get_triple(basic, 0), &cond, &first, NULL)) {
    rc = -1;
    goto done;
  }
  if (first)
    icx_buf_append(&cond, "1");
  for (i = 0; inner && (sub = rasqal_graph_pattern_get_sub_graph_pattern(inner, i)); i++) {
    if (rasqal_graph_pattern_get_operator(sub) != RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
      continue;
    icx_buf_append(&cond, " AND ");
    if (sql_expr(t, rasqal_graph_pattern_get_filter_expression(sub), &cond)) {
      rc = -1;
      goto done;
    }
  }
  if (icx_buf_failed(&cond))
    t->failed = 1;            /* not "1": the condition would be lost */
  icx_buf_appendf(&t->ljoins, "(%s)", cond.data ? cond.data : "1");
done:
  icx_buf_free(&cond);
  return rc;
}

static int
sql_basic_block(tr *t, rasqal_graph_pattern *gp, int after_optional)
{
  icx_ctx *ctx = t ? t->ctx : NULL;
  rasqal_triple *tp;
  int i;

  for (i = 0; (tp = rasqal_graph_pattern_get_triple(gp, i)); i++) {
    int first = 1;
    icx_buf cond;
    if (after_optional)
      return sql_unsupported(t, "triple patterns after an OPTIONAL");
    if (t->n_quads >= SQL_MAX_PATTERNS)
      return sql_unsupported(t, "too many triple patterns");
    icx_buf_init(&cond, ctx);
    if (sql_triple(t, tp, &cond, &first, &t->pats[t->n_pats])) {
      icx_buf_free(&cond);
      return -1;
    }
    t->n_pats++;
    if (icx_buf_failed(&cond))
      t->failed = 1;          /* the pattern's condition would be lost */
    if (cond.data) {
      icx_buf_appendf(&t->where, "%s%s", t->where.len ? " AND " : "", cond.data);
    }
    icx_buf_free(&cond);
  }
  return 0;
}

/* Gathers a text's term ids into an IN list; one more than fits stops
 * the walk, the list then being too long to be worth writing. */
static int
sql_take_text_term(void *userdata, icx_id id)
{
  in_ids *in = userdata;

  if (in->n == SQL_MAX_IN_IDS) {
    in->n++;
    return 1;
  }
  in->ids[in->n++] = id;
  return 0;
}

/* FILTER (STR(?x) = "text"): ?x is one of the terms of that text (IRIs,
 * and literals of any datatype or language), noted as an IN list of
 * their ids when there are few, so that the pattern binding ?x may start
 * the join (explain asks so for one cloud's values among a million).  The
 * comparison itself is still written as it is (sql_compare()).  1 when
 * e is such a comparison, 0 when not. */
static int
sql_note_str_equal(tr *t, rasqal_expression *e)
{
  rasqal_expression *a = e->arg1, *c = e->arg2;
  rasqal_literal *k;
  in_ids *in;
  var *v;

  if (sql_operand_constant(a)) {
    a = e->arg2;
    c = e->arg1;
  }
  k = sql_operand_constant(c);
  if (!k || !sql_is_string_literal(k) || !a || a->op != RASQAL_EXPR_STR ||
      !sql_is_var_operand(a->arg1))
    return 0;
  if (t->n_ins == SQL_MAX_INS || !(v = sql_operand_var(t, a->arg1)))
    return 1;
  in = &t->ins[t->n_ins];
  in->expr = e;
  in->var = (int)(v - t->vars);
  in->n = 0;
  if (icx_store_text_terms(t->store, (const char *)k->string, sql_take_text_term, in) < 0) {
    t->failed = 1;
    return 1;
  }
  if (in->n > SQL_MAX_IN_IDS)
    return 1;
  if (in->n == 0)
    in->ids[in->n++] = 0;       /* no such term: an id no quad has */
  t->n_ins++;
  return 1;
}

/* Records the IN lists of IRIs that e requires (e itself, or under &&):
 * what the join order knows of a variable's values. */
static void
sql_note_in_lists(tr *t, rasqal_expression *e)
{
  in_ids *in;
  var *v;
  int n, i;

  if (!e)
    return;
  if (e->op == RASQAL_EXPR_AND) {
    sql_note_in_lists(t, e->arg1);
    sql_note_in_lists(t, e->arg2);
    return;
  }
  if (e->op == RASQAL_EXPR_EQ && sql_note_str_equal(t, e))
    return;
  if ((e->op == RASQAL_EXPR_GE || e->op == RASQAL_EXPR_GT || e->op == RASQAL_EXPR_LE ||
       e->op == RASQAL_EXPR_LT || e->op == RASQAL_EXPR_EQ) && sql_is_var_operand(e->arg1) &&
      sql_operand_constant(e->arg2) && sql_is_numeric_literal(sql_operand_constant(e->arg2)) &&
      (v = sql_operand_var(t, e->arg1))) {
    size_t k = (size_t)(v - t->vars);
    double d = sql_literal_double(sql_operand_constant(e->arg2));
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
  if (e->op != RASQAL_EXPR_IN || !sql_is_var_operand(e->arg1) || t->n_ins == SQL_MAX_INS ||
      !(v = sql_operand_var(t, e->arg1)))
    return;
  n = e->args ? raptor_sequence_size(e->args) : 0;
  if (n > SQL_MAX_IN_IDS)
    return;
  in = &t->ins[t->n_ins];
  in->expr = e;
  in->var = (int)(v - t->vars);
  in->n = 0;
  for (i = 0; i < n; i++) {
    rasqal_literal *k = sql_operand_constant(raptor_sequence_get_at(e->args, i));
    if (!k || k->type != RASQAL_LITERAL_URI)
      return;
    in->ids[in->n++] = sql_constant_id(t, k);
  }
  t->n_ins++;
}

/* FILTERs of group gp (the others are skipped) ANDed into t->where. */
static int
sql_group_filters(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  int i;

  for (i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)); i++) {
    if (rasqal_graph_pattern_get_operator(sub) != RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
      continue;
    if (t->where.len)
      icx_buf_append(&t->where, " AND ");
    sql_note_in_lists(t, rasqal_graph_pattern_get_filter_expression(sub));
    if (sql_expr(t, rasqal_graph_pattern_get_filter_expression(sub), &t->where))
      return -1;
  }
  return 0;
}

/* { triple patterns FILTER... } first in the WHERE group: the compiler's
 * required part when OPTIONALs follow.  Its FILTERs are translated before
 * anything outside binds a variable, so a variable the group does not bind
 * reads as unbound, as SPARQL's scoping says. */
static int
sql_inner_group(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  int i;

  for (i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)); i++) {
    switch (rasqal_graph_pattern_get_operator(sub)) {
    case RASQAL_GRAPH_PATTERN_OPERATOR_BASIC:
      if (sql_basic_block(t, sub, 0))
        return -1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_FILTER:
      break;
    default:
      return sql_unsupported(t, "a nested group of other than triple patterns and FILTERs");
    }
  }
  return sql_group_filters(t, gp);
}

static int
sql_group(tr *t, rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  int i, seen_optional = 0;
  rasqal_graph_pattern_operator op = rasqal_graph_pattern_get_operator(gp);

  if (op == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC)
    return sql_basic_block(t, gp, 0);
  if (op != RASQAL_GRAPH_PATTERN_OPERATOR_GROUP)
    return sql_unsupported(t, "a graph pattern outside the subset (UNION, GRAPH, ...)");
  /* Triples and OPTIONALs first, in order; FILTERs apply to the group. */
  for (i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)); i++) {
    switch (rasqal_graph_pattern_get_operator(sub)) {
    case RASQAL_GRAPH_PATTERN_OPERATOR_BASIC:
      if (sql_basic_block(t, sub, seen_optional))
        return -1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_OPTIONAL:
      if (sql_optional_block(t, sub))
        return -1;
      seen_optional = 1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_GROUP:
      if (i != 0)
        return sql_unsupported(t, "a nested group other than first in the WHERE group");
      if (sql_inner_group(t, sub))
        return -1;
      break;
    case RASQAL_GRAPH_PATTERN_OPERATOR_FILTER:
      break;
    default:
      return sql_unsupported(t, "a graph pattern outside the subset (UNION, GRAPH, ...)");
    }
  }
  return sql_group_filters(t, gp);
}

static int
sql_order_by(tr *t, rasqal_query *query, icx_buf *b)
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
    if (!sql_is_var_operand(x))
      return sql_unsupported(t, "ORDER BY something other than a variable");
    icx_buf_append(b, i ? ", " : " ORDER BY ");
    v = sql_operand_var(t, x);
    if (!v) {
      icx_buf_append(b, "NULL");
      continue;
    }
    /* Numbers by value, then everything else by text. */
    sql_append_num(b, v);
    icx_buf_appendf(b, " %s, (SELECT lex FROM terms WHERE id = %s) %s", dir, v->col, dir);
  }
  return 0;
}

/* Translates sparql; with ids, the statement projects term ids only and
 * orders rows only when LIMIT or OFFSET needs it. */
static icx_rc
sql_translate(icx_ctx *ctx, icx_store *store, const char *sparql, int ids, icx_sql **out,
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
  sqlite3 *db = icx_store_db(store);

  if (!ctx || !db || !sparql || !out || !why)
    return ICX_ERR_MISUSE;
  *out = NULL;
  *why = NULL;
  memset(&t, 0, sizeof t);
  t.ctx = ctx;
  t.db = db;
  t.store = store;
  icx_buf_init(&t.ljoins, ctx);
  icx_buf_init(&from, ctx);
  icx_buf_init(&t.where, ctx);
  icx_buf_init(&sql, ctx);
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
  if (sql_group(&t, rasqal_query_get_query_graph_pattern(query)))
    goto outside;
  if (t.n_quads == 0) {
    sql_unsupported(&t, "no triple pattern");
    goto outside;
  }
  if (t.n_pats == 0) {        /* OPTIONALs alone: nothing to LEFT JOIN them to */
    sql_unsupported(&t, "no required triple pattern");
    goto outside;
  }

  proj = rasqal_query_get_bound_variable_sequence(query);
  width = proj ? raptor_sequence_size(proj) : 0;
  if ((q = icx_calloc(ctx, 1, sizeof *q)))
    q->ctx = ctx;
  if (!q || !(q->names = icx_calloc(ctx, (size_t)width + 1, sizeof *q->names))) {
    t.failed = 1;
    goto done;
  }
  q->store = store;
  q->db = db;
  q->ids = ids;
  icx_buf_appendf(&sql, "SELECT %s", rasqal_query_get_distinct(query) ? "DISTINCT " : "");
  for (i = 0; i < width; i++) {
    rasqal_variable *rv = raptor_sequence_get_at(proj, i);
    var *v = sql_find_var(&t, (const char *)rv->name);
    if (rv->expression)
      {
        sql_unsupported(&t, "a projected expression");
        goto outside;
      }
    if (!(q->names[i] = icx_strdup(ctx, (const char *)rv->name))) {
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
  icx_sql_write_from(&t, &from);
  if (t.semi && icx_semi_register(db) != SQLITE_OK)
    t.failed = 1;
  icx_buf_appendf(&sql, " FROM %s", from.data ? from.data : "");
  if (t.where.len)
    icx_buf_appendf(&sql, " WHERE %s", t.where.data);
  limit = rasqal_query_get_limit(query);
  offset = rasqal_query_get_offset(query);
  if ((!ids || limit >= 0 || offset > 0) && sql_order_by(&t, query, &sql))
    goto outside;
  if (limit >= 0 || offset > 0) {
    icx_buf_append(&sql, " LIMIT ");
    icx_sql_append_int_param(&t, &sql, limit >= 0 ? limit : -1);
    if (offset > 0) {
      icx_buf_append(&sql, " OFFSET ");
      icx_sql_append_int_param(&t, &sql, offset);
    }
  }
  if (t.failed || icx_buf_failed(&sql) || icx_buf_failed(&from) ||
      icx_buf_failed(&t.ljoins) || icx_buf_failed(&t.where) || !(q->sql = icx_buf_take(&sql))) {
    t.failed = 1;
    goto done;
  }
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
  icx_store_stmt_put(store, t.lookup);
  icx_store_stmt_put(store, t.probes[0]);
  icx_store_stmt_put(store, t.probes[1]);
  icx_store_stmt_put(store, t.ranges[0]);
  icx_store_stmt_put(store, t.ranges[1]);
  {
    size_t k;
    for (k = 0; k < t.n_params; k++)
      icx_free(ctx, t.params[k].s);
    icx_free(ctx, t.params);
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
icx_sql_translate(icx_ctx *ctx, icx_store *store, const char *sparql, icx_sql **out,
                  const char **why)
{
  return sql_translate(ctx, store, sparql, 0, out, why);
}

icx_rc
icx_sql_translate_ids(icx_ctx *ctx, icx_store *store, const char *sparql, icx_sql **out,
                      const char **why)
{
  return sql_translate(ctx, store, sparql, 1, out, why);
}

int
icx_sql_available(icx_store *store)
{
  return icx_store_db(store) != NULL;
}

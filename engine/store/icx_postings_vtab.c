/* icx_postings_vtab.c - the virtual table icx_postings: a table of
 * posting chunks read by SQL as one row a pair (icx_postings_vtab.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_postings_table.h"
#include "icx_postings_vtab.h"

/* The plans xBestIndex chooses from (idxNum): which of a, b and x are
 * bound by equality, or a bound and b's range by a lower bound (B_GT,
 * B_GE), an upper (B_LT, B_LE) or both. */
enum { BOUND_A = 1, BOUND_B = 2, BOUND_X = 4, B_GT = 8, B_GE = 16, B_LT = 32, B_LE = 64 };
#define B_LOWER (B_GT | B_GE)
#define B_UPPER (B_LT | B_LE)

/* The statements a cursor keeps: one for each plan of ids bound, in
 * the slot of its bits; SLOT_X_RANGE, a plan xBestIndex never gives, for
 * the chunks that may hold a bound x when the chunk the first seek found
 * starts at x (x's pairs may begin in the chunk before); one for every
 * plan of a range of b. */
#define SLOT_X_RANGE (BOUND_A | BOUND_X)
#define SLOT_B_RANGE 8
#define PV_SLOTS 9

typedef struct pv_table {
  sqlite3_vtab base;
  sqlite3 *db;
  char *name[5];                /* table, a, b, x0, y0 */
  icx_postings_layout layout;   /* the same names */
} pv_table;

typedef struct pv_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *st;             /* the chunks, in key order: one of by_plan */
  /* Each plan's statement, prepared by the first xFilter that needs it:
   * a join calls xFilter once a row of the other side, and preparing
   * costs more than a seek. */
  sqlite3_stmt *by_plan[PV_SLOTS];
  int plan;
  icx_id a, b, x;               /* the row's key; x the bound one */
  icx_id lo, hi;                /* b's range, both included, under a plan of one */
  icx_posting v[ICX_POSTINGS_CHUNK];
  size_t n, i;
  sqlite3_int64 rowid;
  int eof;
  int pending;                  /* st stands on a row pv_fill() has not read */
} pv_cursor;

static int
pv_ident(const char *s)
{
  const char *c;

  if (!s || !*s || (*s >= '0' && *s <= '9'))
    return 0;
  for (c = s; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '_'))
      return 0;
  return 1;
}

static void
pv_table_free(pv_table *t)
{
  int i;

  if (!t)
    return;
  for (i = 0; i < 5; i++)
    sqlite3_free(t->name[i]);
  sqlite3_free(t);
}

static int
pv_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
           char **err)
{
  pv_table *t;
  char *decl;
  int i, rc;

  (void)aux;
  if (argc != 10) {
    *err = sqlite3_mprintf("icx_postings: give the table, its key's four columns and the "
                           "pair's two names");
    return SQLITE_ERROR;
  }
  for (i = 3; i < 10; i++)
    if (!pv_ident(argv[i])) {
      *err = sqlite3_mprintf("icx_postings: \"%s\" is not a plain identifier", argv[i]);
      return SQLITE_ERROR;
    }
  if (!(t = sqlite3_malloc(sizeof *t)))
    return SQLITE_NOMEM;
  memset(t, 0, sizeof *t);
  t->db = db;
  for (i = 0; i < 5; i++)
    if (!(t->name[i] = sqlite3_mprintf("%s", argv[3 + i]))) {
      pv_table_free(t);
      return SQLITE_NOMEM;
    }
  t->layout.table = t->name[0];
  t->layout.a = t->name[1];
  t->layout.b = t->name[2];
  t->layout.x0 = t->name[3];
  t->layout.y0 = t->name[4];
  decl = sqlite3_mprintf("CREATE TABLE x(%s INTEGER, %s INTEGER, %s INTEGER, %s INTEGER)",
                         argv[4], argv[5], argv[8], argv[9]);
  rc = decl ? sqlite3_declare_vtab(db, decl) : SQLITE_NOMEM;
  sqlite3_free(decl);
  if (rc != SQLITE_OK) {
    pv_table_free(t);
    return rc;
  }
  *out = &t->base;
  return SQLITE_OK;
}

static int
pv_disconnect(sqlite3_vtab *vt)
{
  pv_table_free((pv_table *)vt);
  return SQLITE_OK;
}

static int
pv_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
  int use[3] = { -1, -1, -1 }, lower = -1, upper = -1, plan = 0, argv = 0, i;

  (void)vt;
  for (i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (!c->usable || c->iColumn < 0 || c->iColumn >= 3)
      continue;
    if (c->op == SQLITE_INDEX_CONSTRAINT_EQ)
      use[c->iColumn] = i;
    else if (c->iColumn == 1 && (c->op == SQLITE_INDEX_CONSTRAINT_GT ||
                                 c->op == SQLITE_INDEX_CONSTRAINT_GE))
      lower = i;
    else if (c->iColumn == 1 && (c->op == SQLITE_INDEX_CONSTRAINT_LT ||
                                 c->op == SQLITE_INDEX_CONSTRAINT_LE))
      upper = i;
  }
  if (use[0] >= 0) {
    plan |= BOUND_A;
    if (use[1] >= 0) {
      plan |= BOUND_B;
      if (use[2] >= 0)
        plan |= BOUND_X;
    } else {
      /* One bound a side (a second one SQLite checks); each is checked
       * exactly (pv_bound()), so SQLite need not. */
      if (lower >= 0)
        plan |= info->aConstraint[lower].op == SQLITE_INDEX_CONSTRAINT_GT ? B_GT : B_GE;
      if (upper >= 0)
        plan |= info->aConstraint[upper].op == SQLITE_INDEX_CONSTRAINT_LT ? B_LT : B_LE;
    }
  }
  for (i = 0; i < 3; i++)
    if (plan & (1 << i)) {
      info->aConstraintUsage[use[i]].argvIndex = ++argv;
      info->aConstraintUsage[use[i]].omit = 1;
    }
  if (plan & B_LOWER) {
    info->aConstraintUsage[lower].argvIndex = ++argv;
    info->aConstraintUsage[lower].omit = 1;
  }
  if (plan & B_UPPER) {
    info->aConstraintUsage[upper].argvIndex = ++argv;
    info->aConstraintUsage[upper].omit = 1;
  }
  info->idxNum = plan;
  /* A range of b: a part of a's rows, a smaller one when closed, more
   * than one b's. */
  info->estimatedRows = plan & BOUND_X ? 2
                        : plan & BOUND_B ? 1000
                        : (plan & B_LOWER) && (plan & B_UPPER) ? 5000
                        : plan & (B_LOWER | B_UPPER) ? 25000
                        : plan & BOUND_A ? 100000
                        : 10000000;
  info->estimatedCost = (double)info->estimatedRows;
  /* Rows come in (a, b, x, y) order: an ORDER BY on a prefix, ascending. */
  info->orderByConsumed = info->nOrderBy > 0;
  for (i = 0; i < info->nOrderBy; i++)
    if (info->aOrderBy[i].iColumn != i || info->aOrderBy[i].desc)
      info->orderByConsumed = 0;
  return SQLITE_OK;
}

static int
pv_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
  pv_cursor *c = sqlite3_malloc(sizeof *c);

  (void)vt;
  if (!c)
    return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  c->eof = 1;
  *out = &c->base;
  return SQLITE_OK;
}

static int
pv_close(sqlite3_vtab_cursor *cur)
{
  pv_cursor *c = (pv_cursor *)cur;
  int i;

  for (i = 0; i < PV_SLOTS; i++)
    sqlite3_finalize(c->by_plan[i]);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* Reads chunks until one has a pair to give (under the plan's x when x
 * is bound), or the chunks end. */
static int
pv_fill(pv_cursor *c)
{
  pv_table *t = (pv_table *)c->base.pVtab;

  for (;;) {
    int rc, n;

    while (c->i < c->n) {
      if (!(c->plan & BOUND_X) || c->v[c->i].x == c->x)
        return SQLITE_OK;
      if (c->v[c->i].x > c->x)
        break;
      c->i++;
    }
    if (c->i < c->n) {          /* past the bound x: nothing more */
      c->eof = 1;
      return SQLITE_OK;
    }
    rc = c->pending ? SQLITE_ROW : sqlite3_step(c->st);
    c->pending = 0;
    if (rc == SQLITE_DONE) {
      c->eof = 1;
      return SQLITE_OK;
    }
    if (rc != SQLITE_ROW) {
      sqlite3_free(t->base.zErrMsg);
      t->base.zErrMsg = sqlite3_mprintf("%s", sqlite3_errmsg(t->db));
      return rc;
    }
    c->a = sqlite3_column_int64(c->st, 0);
    c->b = sqlite3_column_int64(c->st, 1);
    n = icx_postings_row_chunk(c->st, 2, c->v);
    if (n < 0) {
      sqlite3_free(t->base.zErrMsg);
      t->base.zErrMsg = sqlite3_mprintf("%s: a row is not a posting chunk", t->name[0]);
      return SQLITE_CORRUPT;
    }
    c->n = (size_t)n;
    c->i = 0;
  }
}

/* Each slot's statement (icx_postings_layout_sql()'s tokens), every one
 * reading the columns a, b, x0, y0, rest of the chunks in key order. */
static const char *
pv_sql(int slot)
{
  switch (slot) {
  case BOUND_A | BOUND_B | BOUND_X:
    /* The chunk holding the last pair not after (x, any y): x's pairs
     * are in it unless it starts at x. */
    return "SELECT @A, @B, @X, @Y, rest FROM @T WHERE @A = ?1 AND @B = ?2 AND (@X, @Y)"
           " <= (?3, 9223372036854775807) ORDER BY @X DESC, @Y DESC LIMIT 1";
  case SLOT_X_RANGE:
    /* From the last chunk starting before x to those starting at x. */
    return "SELECT @A, @B, @X, @Y, rest FROM @T WHERE @A = ?1 AND @B = ?2 AND @X <= ?3"
           " AND @X >= coalesce((SELECT @X FROM @T WHERE @A = ?1 AND @B = ?2 AND @X < ?3"
           " ORDER BY @X DESC LIMIT 1), ?3) ORDER BY @X, @Y";
  case SLOT_B_RANGE:
    /* One seek to (a, lo), then in key order to past hi. */
    return "SELECT @A, @B, @X, @Y, rest FROM @T WHERE @A = ?1 AND @B >= ?2 AND @B <= ?3"
           " ORDER BY @B, @X, @Y";
  case BOUND_A | BOUND_B:
    return "SELECT @A, @B, @X, @Y, rest FROM @T WHERE @A = ?1 AND @B = ?2 ORDER BY @X, @Y";
  case BOUND_A:
    return "SELECT @A, @B, @X, @Y, rest FROM @T WHERE @A = ?1 ORDER BY @B, @X, @Y";
  default:
    return "SELECT @A, @B, @X, @Y, rest FROM @T ORDER BY @A, @B, @X, @Y";
  }
}

/* Slot's statement, reset, with the cursor's bound ids bound; prepared
 * by the first call that needs it.  NULL when SQLite refuses it (the
 * message on the table). */
static sqlite3_stmt *
pv_stmt(pv_cursor *c, int slot)
{
  pv_table *t = (pv_table *)c->base.pVtab;
  sqlite3_stmt *st = c->by_plan[slot];

  if (!st) {
    char *sql = icx_postings_layout_sql(pv_sql(slot), &t->layout);
    int rc = sql ? sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)
                 : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
      sqlite3_free(t->base.zErrMsg);
      t->base.zErrMsg = sqlite3_mprintf("%s", sqlite3_errmsg(t->db));
      return NULL;
    }
    c->by_plan[slot] = st;
  }
  sqlite3_reset(st);
  if (c->plan & BOUND_A)
    sqlite3_bind_int64(st, 1, c->a);
  if (c->plan & BOUND_B)
    sqlite3_bind_int64(st, 2, c->b);
  if (c->plan & BOUND_X)
    sqlite3_bind_int64(st, 3, c->x);
  if (c->plan & (B_LOWER | B_UPPER)) {
    sqlite3_bind_int64(st, 2, c->lo);
    sqlite3_bind_int64(st, 3, c->hi);
  }
  return st;
}

/* The number of values xFilter takes for plan, or -1 when xBestIndex
 * gives no such plan. */
static int
pv_plan_args(int plan)
{
  int lower = plan & B_LOWER, upper = plan & B_UPPER;

  switch (plan & ~(B_LOWER | B_UPPER)) {
  case 0: return lower || upper ? -1 : 0;
  case BOUND_A: return lower == B_LOWER || upper == B_UPPER ? -1 : 1 + !!lower + !!upper;
  case BOUND_A | BOUND_B: return lower || upper ? -1 : 2;
  case BOUND_A | BOUND_B | BOUND_X: return lower || upper ? -1 : 3;
  default: return -1;
  }
}

/* The id v is, in *id; 0 when v is no whole number, which matches no
 * id. */
static int
pv_id(sqlite3_value *v, icx_id *id)
{
  int type = sqlite3_value_numeric_type(v);
  double d = sqlite3_value_double(v);

  if (type != SQLITE_INTEGER &&
      (type != SQLITE_FLOAT || !(d >= -9.2e18 && d <= 9.2e18) || d != (double)(icx_id)d))
    return 0;
  *id = type == SQLITE_INTEGER ? sqlite3_value_int64(v) : (icx_id)d;
  return 1;
}

/* Sets *at to the first id b may be under a lower bound v (upper 0:
 * b > v when strict, else b >= v) or the last under an upper one
 * (upper 1: b < v, b <= v), comparing as SQLite does for an INTEGER
 * column, so that SQLite need not check again: a text that reads as a
 * number is that number, a REAL between two ids stands for the next one
 * inward, any other text or a blob sorts after every number, NULL
 * matches nothing.  0 when no b can be; 1 when *at is set, or when every
 * b can be (*at left as it is). */
static int
pv_bound(sqlite3_value *v, int upper, int strict, icx_id *at)
{
  int type = sqlite3_value_numeric_type(v);
  icx_id n;

  if (type == SQLITE_NULL)
    return 0;
  if (type == SQLITE_TEXT || type == SQLITE_BLOB)
    return upper;
  if (type == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v);
    /* Past either end of the ids, b is on one side of v whatever it
     * is; else v is converted without overflow. */
    if (d >= 9223372036854775808.0)
      return upper;
    if (!(d >= -9223372036854775808.0))   /* or NaN, which SQLite keeps as NULL */
      return !upper;
    n = (icx_id)d;
    if ((double)n != d) {       /* a fraction: the bound itself is no id */
      if (upper && d < 0)
        n--;
      else if (!upper && d > 0)
        n++;
      strict = 0;
    }
  } else {
    n = sqlite3_value_int64(v);
  }
  if (strict) {
    if (n == (upper ? INT64_MIN : INT64_MAX))
      return 0;
    n += upper ? -1 : 1;
  }
  *at = n;
  return 1;
}

static int
pv_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx, int argc, sqlite3_value **argv)
{
  pv_cursor *c = (pv_cursor *)cur;
  icx_id *id[3] = { &c->a, &c->b, &c->x };
  int rc, i, k = 0;

  (void)idx;
  if (pv_plan_args(plan) != argc)
    return SQLITE_INTERNAL;
  c->plan = plan;
  c->n = c->i = 0;
  c->rowid = 0;
  c->eof = 0;
  c->pending = 0;
  c->lo = INT64_MIN;
  c->hi = INT64_MAX;
  for (i = 0; i < 3; i++)
    if ((plan & (1 << i)) && !pv_id(argv[k++], id[i]))
      c->eof = 1;
  if ((plan & B_LOWER) && !pv_bound(argv[k++], 0, plan & B_GT, &c->lo))
    c->eof = 1;
  if ((plan & B_UPPER) && !pv_bound(argv[k++], 1, plan & B_LT, &c->hi))
    c->eof = 1;
  if (c->eof)
    return SQLITE_OK;
  if (!(c->st = pv_stmt(c, plan & (B_LOWER | B_UPPER) ? SLOT_B_RANGE : plan)))
    return SQLITE_ERROR;
  if (plan & BOUND_X) {
    /* One seek; the range of chunks only when x's pairs may begin in
     * the chunk before the one found. */
    rc = sqlite3_step(c->st);
    if (rc == SQLITE_ROW && sqlite3_column_int64(c->st, 2) == c->x) {
      if (!(c->st = pv_stmt(c, SLOT_X_RANGE)))
        return SQLITE_ERROR;
    } else if (rc == SQLITE_ROW) {
      c->pending = 1;
    } else if (rc == SQLITE_DONE) {
      c->eof = 1;
      return SQLITE_OK;
    } else {
      return rc;
    }
  }
  return pv_fill(c);
}

static int
pv_next(sqlite3_vtab_cursor *cur)
{
  pv_cursor *c = (pv_cursor *)cur;

  c->i++;
  c->rowid++;
  return pv_fill(c);
}

static int
pv_eof(sqlite3_vtab_cursor *cur)
{
  return ((pv_cursor *)cur)->eof;
}

static int
pv_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
  pv_cursor *c = (pv_cursor *)cur;

  switch (col) {
  case 0: sqlite3_result_int64(ctx, c->a); break;
  case 1: sqlite3_result_int64(ctx, c->b); break;
  case 2: sqlite3_result_int64(ctx, c->v[c->i].x); break;
  default: sqlite3_result_int64(ctx, c->v[c->i].y); break;
  }
  return SQLITE_OK;
}

static int
pv_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
  *rowid = ((pv_cursor *)cur)->rowid;
  return SQLITE_OK;
}

static const sqlite3_module pv_module = {
  .iVersion = 0,
  .xCreate = pv_connect,
  .xConnect = pv_connect,
  .xBestIndex = pv_best_index,
  .xDisconnect = pv_disconnect,
  .xDestroy = pv_disconnect,
  .xOpen = pv_open,
  .xClose = pv_close,
  .xFilter = pv_filter,
  .xNext = pv_next,
  .xEof = pv_eof,
  .xColumn = pv_column,
  .xRowid = pv_rowid,
};

int
icx_postings_vtab_register(sqlite3 *db)
{
  return sqlite3_create_module_v2(db, "icx_postings", &pv_module, NULL, NULL);
}

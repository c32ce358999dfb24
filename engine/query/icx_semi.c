/* icx_semi.c - subject sets for the SQL path (see icx_semi.h). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_semi.h"

/* The pointer type icx_in() accepts (sqlite3_bind_pointer). */
#define SET_TYPE "icx-subject-set"

/* One pattern of a set: a range of numbers, or a list of objects. */
typedef struct part {
  sqlite3_int64 p;
  int range;
  double lo, hi;
  sqlite3_int64 *o;
  int n;
} part;

typedef struct set {
  part *parts;
  int n_parts;
  uint64_t *bits;           /* filled: bit id set when the subject can match */
  sqlite3_int64 n_bits;
} set;

struct icx_semi {
  set *sets;
  int n_sets;
};

icx_semi *
icx_semi_new(void)
{
  return calloc(1, sizeof(icx_semi));
}

void
icx_semi_free(icx_semi *s)
{
  int k, i;

  if (!s)
    return;
  for (k = 0; k < s->n_sets; k++) {
    for (i = 0; i < s->sets[k].n_parts; i++)
      free(s->sets[k].parts[i].o);
    free(s->sets[k].parts);
    free(s->sets[k].bits);
  }
  free(s->sets);
  free(s);
}

int
icx_semi_add_set(icx_semi *s)
{
  set *nv = realloc(s->sets, (size_t)(s->n_sets + 1) * sizeof *nv);

  if (!nv)
    return -1;
  s->sets = nv;
  memset(&nv[s->n_sets], 0, sizeof *nv);
  return s->n_sets++;
}

static part *
new_part(icx_semi *s, int k)
{
  set *t = &s->sets[k];
  part *nv = realloc(t->parts, (size_t)(t->n_parts + 1) * sizeof *nv);

  if (!nv)
    return NULL;
  t->parts = nv;
  memset(&nv[t->n_parts], 0, sizeof *nv);
  return &nv[t->n_parts++];
}

int
icx_semi_add_range(icx_semi *s, int k, sqlite3_int64 p, double lo, double hi)
{
  part *x = new_part(s, k);

  if (!x)
    return -1;
  x->p = p;
  x->range = 1;
  x->lo = lo;
  x->hi = hi;
  return 0;
}

int
icx_semi_add_objects(icx_semi *s, int k, sqlite3_int64 p, const sqlite3_int64 *o, int n)
{
  part *x = new_part(s, k);

  if (!x || !(x->o = malloc((size_t)(n + 1) * sizeof *x->o)))
    return -1;
  x->p = p;
  memcpy(x->o, o, (size_t)n * sizeof *o);
  x->n = n;
  return 0;
}

int
icx_semi_count(const icx_semi *s)
{
  return s ? s->n_sets : 0;
}

/* The statements a fill reads with, prepared once per fill. */
typedef struct readers {
  sqlite3_stmt *range, *object;
} readers;

/* Sets in bits the subject of every quad part x matches (ids past n_bits,
 * written after the size was read, are left out: they cannot be in the
 * statement's snapshot either).  0, or -1 on a SQLite error. */
static int
read_part(readers *r, const part *x, uint64_t *bits, sqlite3_int64 n_bits)
{
  int i, rc = SQLITE_DONE;

  if (x->p < 0)
    return 0;
  for (i = 0; i < (x->range ? 1 : x->n); i++) {
    sqlite3_stmt *st = x->range ? r->range : r->object;
    if (!x->range && x->o[i] < 0)
      continue;
    sqlite3_bind_int64(st, 1, x->p);
    if (x->range) {
      sqlite3_bind_double(st, 2, x->lo);
      sqlite3_bind_double(st, 3, x->hi);
    } else {
      sqlite3_bind_int64(st, 2, x->o[i]);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      sqlite3_int64 id = sqlite3_column_int64(st, 0);
      if (id >= 0 && id < n_bits)
        bits[id >> 6] |= (uint64_t)1 << (id & 63);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      return -1;
  }
  return 0;
}

icx_rc
icx_semi_fill(icx_ctx *ctx, icx_semi *s, sqlite3 *db)
{
  readers r = { NULL, NULL };
  sqlite3_stmt *top = NULL;
  sqlite3_int64 n_bits = 1;
  uint64_t *scratch = NULL;
  size_t words;
  icx_rc rc = ICX_OK;
  int k, i;

  if (!s || !s->n_sets)
    return ICX_OK;
  /* Ranges on quads_num (p, num, s), objects on quads_pos (p, o, s): both
   * cover the subject, so SQLite reads the index alone. */
  if (sqlite3_prepare_v2(db, "SELECT max(id) FROM terms", -1, &top, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT s FROM quads WHERE p = ?1 AND num >= ?2 AND num <= ?3",
                         -1, &r.range, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT s FROM quads WHERE p = ?1 AND o = ?2", -1, &r.object,
                         NULL) != SQLITE_OK)
    goto store_failed;
  if (sqlite3_step(top) == SQLITE_ROW)
    n_bits = sqlite3_column_int64(top, 0) + 1;
  if (n_bits < 1)
    n_bits = 1;
  words = (size_t)((n_bits + 63) / 64);
  if (!(scratch = malloc(words * sizeof *scratch))) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (k = 0; k < s->n_sets; k++) {
    set *t = &s->sets[k];
    free(t->bits);
    t->n_bits = n_bits;
    if (!(t->bits = calloc(words, sizeof *t->bits))) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (i = 0; i < t->n_parts; i++) {
      uint64_t *into = i ? scratch : t->bits, any = 0;
      size_t w;
      if (i)
        memset(scratch, 0, words * sizeof *scratch);
      if (read_part(&r, &t->parts[i], into, n_bits))
        goto store_failed;
      if (!i)
        continue;
      for (w = 0; w < words; w++)
        any |= t->bits[w] &= scratch[w];
      if (!any)
        break;                /* empty: the rest cannot add a subject */
    }
  }
  goto done;
store_failed:
  rc = icx_fail(ctx, ICX_ERR_STORE, "SQL path: subject sets: %s", sqlite3_errmsg(db));
done:
  sqlite3_finalize(top);
  sqlite3_finalize(r.range);
  sqlite3_finalize(r.object);
  free(scratch);
  return rc;
}

int
icx_semi_bind(const icx_semi *s, int k, sqlite3_stmt *st, int param)
{
  return sqlite3_bind_pointer(st, param, &s->sets[k], SET_TYPE, NULL);
}

static void
fn_in(sqlite3_context *c, int argc, sqlite3_value **argv)
{
  const set *t = sqlite3_value_pointer(argv[0], SET_TYPE);
  sqlite3_int64 id = sqlite3_value_int64(argv[1]);

  (void)argc;
  if (!t || !t->bits)
    sqlite3_result_int(c, 1);
  else
    sqlite3_result_int(c, id >= 0 && id < t->n_bits && (t->bits[id >> 6] >> (id & 63) & 1));
}

int
icx_semi_register(sqlite3 *db)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2(db, "SELECT icx_in(NULL, 0)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_finalize(st);
    return SQLITE_OK;
  }
  return sqlite3_create_function_v2(db, "icx_in", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL,
                                    fn_in, NULL, NULL, NULL);
}

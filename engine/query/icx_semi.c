/* icx_semi.c - subject sets for the SQL path (see icx_semi.h). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_semi.h"
#include "icx_store_ids.h"

/* The pointer type icx_in() accepts (sqlite3_bind_pointer). */
#define SET_TYPE "icx-subject-set"

/* One pattern of a set: a range of numbers, or a list of objects. */
typedef struct part {
  icx_id p;
  int range;
  double lo, hi;
  icx_id *o;
  int n;
} part;

typedef struct set {
  part *parts;
  int n_parts;
  uint64_t *bits;           /* filled: bit id set when the subject can match */
  icx_id n_bits;
} set;

struct icx_semi {
  icx_ctx *ctx;
  set *sets;
  int n_sets;
};

icx_semi *
icx_semi_new(icx_ctx *ctx)
{
  icx_semi *s = icx_calloc(ctx, 1, sizeof(icx_semi));

  if (s)
    s->ctx = ctx;
  return s;
}

void
icx_semi_free(icx_semi *s)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  int k, i;

  if (!s)
    return;
  for (k = 0; k < s->n_sets; k++) {
    for (i = 0; i < s->sets[k].n_parts; i++)
      icx_free(ctx, s->sets[k].parts[i].o);
    icx_free(ctx, s->sets[k].parts);
    icx_free(ctx, s->sets[k].bits);
  }
  icx_free(ctx, s->sets);
  icx_free(ctx, s);
}

int
icx_semi_add_set(icx_semi *s)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  set *nv = icx_realloc(ctx, s->sets, (size_t)(s->n_sets + 1) * sizeof *nv);

  if (!nv)
    return -1;
  s->sets = nv;
  memset(&nv[s->n_sets], 0, sizeof *nv);
  return s->n_sets++;
}

static part *
semi_new_part(icx_semi *s, int k)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  set *t = &s->sets[k];
  part *nv = icx_realloc(ctx, t->parts, (size_t)(t->n_parts + 1) * sizeof *nv);

  if (!nv)
    return NULL;
  t->parts = nv;
  memset(&nv[t->n_parts], 0, sizeof *nv);
  return &nv[t->n_parts++];
}

int
icx_semi_add_range(icx_semi *s, int k, icx_id p, double lo, double hi)
{
  part *x = semi_new_part(s, k);

  if (!x)
    return -1;
  x->p = p;
  x->range = 1;
  x->lo = lo;
  x->hi = hi;
  return 0;
}

int
icx_semi_add_objects(icx_semi *s, int k, icx_id p, const icx_id *o, int n)
{
  icx_ctx *ctx = s ? s->ctx : NULL;
  part *x = semi_new_part(s, k);

  if (!x || !(x->o = icx_malloc(ctx, (size_t)(n + 1) * sizeof *x->o)))
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

/* Where a fill sets the bits of the subjects it reads. */
typedef struct semi_into {
  uint64_t *bits;
  icx_id n_bits;
} semi_into;

/* Sets the bit of a subject id (ids past n_bits, written after the size
 * was read, are left out: they cannot be in the statement's snapshot
 * either). */
static int
semi_set_bit(void *userdata, icx_id id)
{
  const semi_into *into = userdata;

  if (id >= 0 && id < into->n_bits)
    into->bits[id >> 6] |= (uint64_t)1 << (id & 63);
  return 0;
}

/* Sets in into the subject of every quad part x matches, each read as one
 * walk of the store's postings: ranges from postings_num, objects from
 * postings_po.  0, or -1 on a store error. */
static int
semi_read_part(icx_store *store, const part *x, semi_into *into)
{
  int i;

  if (x->p < 0)
    return 0;
  if (x->range)
    return icx_store_subjects_in_range(store, x->p, x->lo, x->hi, semi_set_bit, into);
  for (i = 0; i < x->n; i++)
    if (x->o[i] >= 0 && icx_store_subjects_with(store, x->p, x->o[i], semi_set_bit, into))
      return -1;
  return 0;
}

icx_rc
icx_semi_fill(icx_ctx *ctx, icx_semi *s, icx_store *store)
{
  icx_id n_bits;
  uint64_t *scratch = NULL;
  size_t words;
  icx_rc rc = ICX_OK;
  int k, i;

  if (!s || !s->n_sets)
    return ICX_OK;
  if ((n_bits = icx_store_max_id(store)) < 0)
    goto store_failed;
  n_bits++;
  words = (size_t)((n_bits + 63) / 64);
  if (!(scratch = icx_malloc(ctx, words * sizeof *scratch))) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (k = 0; k < s->n_sets; k++) {
    set *t = &s->sets[k];
    icx_free(s->ctx, t->bits);
    t->n_bits = n_bits;
    if (!(t->bits = icx_calloc(s->ctx, words, sizeof *t->bits))) {
      rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (i = 0; i < t->n_parts; i++) {
      semi_into into;
      uint64_t any = 0;
      size_t w;
      into.bits = i ? scratch : t->bits;
      into.n_bits = n_bits;
      if (i)
        memset(scratch, 0, words * sizeof *scratch);
      if (semi_read_part(store, &t->parts[i], &into))
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
  rc = icx_fail(ctx, ICX_ERR_STORE, "SQL path: subject sets: %s", icx_store_errmsg(store));
done:
  icx_free(ctx, scratch);
  return rc;
}

int
icx_semi_bind(const icx_semi *s, int k, sqlite3_stmt *st, int param)
{
  return sqlite3_bind_pointer(st, param, &s->sets[k], SET_TYPE, NULL);
}

static void
semi_fn_in(sqlite3_context *c, int argc, sqlite3_value **argv)
{
  const set *t = sqlite3_value_pointer(argv[0], SET_TYPE);
  icx_id id = sqlite3_value_int64(argv[1]);

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
                                    semi_fn_in, NULL, NULL, NULL);
}

/* fuzz_postings_table.c - libFuzzer target: edits of a table of posting
 * chunks (engine/store/icx_postings_table.h) against a model.
 *
 * An input is a run of edits, four bytes each, on a new in-memory table:
 * the first byte's low bit says add or remove, its next bits the key
 * (a in 1..2, b in 1..3), the second byte the pair's x (1..256), the
 * third its y (1..4, from its low bits) and, when the fourth byte is 0xff,
 * the rest of the input replaces the rest of the row the edit would
 * touch (damage).  Until damage, each call must answer as the model says
 * (1 or 0), and after the edits every key's walk must give exactly the
 * model's pairs, each row a chunk keyed by its first pair, the chunks of
 * a key in order, and the table's check must count the model's pairs.
 * After damage (which may well be another valid chunk)
 * every call must return a count or ICX_POSTINGS_ERR_DAMAGED, never
 * crash.  Any difference aborts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "icx_postings_table.h"

enum { FA = 2, FB = 3, FX = 256, FY = 4 };

static unsigned char model[FA][FB][FX][FY];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  return 0;
}

typedef struct walked {
  icx_posting v[FB * FX * FY];
  icx_id b[FB * FX * FY];
  size_t n;
} walked;

static int fp_gather(void *ud, icx_id b, const icx_posting *v, size_t n)
{
  walked *w = ud;
  size_t i;

  if (n < 1 || n > ICX_POSTINGS_CHUNK || w->n + n > sizeof w->v / sizeof *w->v)
    abort();
  for (i = 0; i < n; i++) {
    w->b[w->n] = b;
    w->v[w->n++] = v[i];
  }
  return 0;
}

/* The walk of key a against the model; aborts when they differ. */
static void fp_check(icx_postings_table *t, int a)
{
  static walked w;
  size_t k = 0;
  int b, x, y, rc;

  w.n = 0;
  rc = icx_postings_table_walk(t, a + 1, 0, fp_gather, &w);
  if (rc != 0)
    abort();
  for (b = 0; b < FB; b++)
    for (x = 0; x < FX; x++)
      for (y = 0; y < FY; y++)
        if (model[a][b][x][y]) {
          if (k >= w.n || w.b[k] != b + 1 || w.v[k].x != x + 1 || w.v[k].y != y + 1)
            abort();
          k++;
        }
  if (k != w.n)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const icx_postings_layout layout = ICX_POSTINGS_BY_PO;
  icx_postings_table *t;
  sqlite3 *db;
  size_t i;
  int damaged = 0, a;

  memset(model, 0, sizeof model);
  if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
      sqlite3_exec(db, ICX_POSTINGS_TABLE_SQL("postings", "p", "o", "s0", "g0"), NULL, NULL,
                   NULL) != SQLITE_OK ||
      !(t = icx_postings_table_new(db, &layout)))
    abort();
  for (i = 0; i + 4 <= size; i += 4) {
    int add = data[i] & 1, ka = (data[i] >> 1) % FA, kb = (data[i] >> 2) % FB;
    icx_posting e = { (icx_id)data[i + 1] + 1, (icx_id)(data[i + 2] % FY) + 1 };
    int rc;

    if (data[i + 3] == 0xff && !damaged) {
      /* The rest of the input becomes the rest of the row e is in. */
      sqlite3_stmt *st;
      if (sqlite3_prepare_v2(db, "UPDATE postings SET rest = ?3 WHERE p = ?1 AND o = ?2 AND"
                             " (s0, g0) = (SELECT s0, g0 FROM postings WHERE p = ?1 AND"
                             " o = ?2 AND (s0, g0) <= (?4, ?5) ORDER BY s0 DESC, g0 DESC"
                             " LIMIT 1)", -1, &st, NULL) != SQLITE_OK)
        abort();
      sqlite3_bind_int64(st, 1, ka + 1);
      sqlite3_bind_int64(st, 2, kb + 1);
      sqlite3_bind_blob(st, 3, data + i + 4, (int)(size - i - 4), SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 4, e.x);
      sqlite3_bind_int64(st, 5, e.y);
      if (sqlite3_step(st) != SQLITE_DONE)
        abort();
      sqlite3_finalize(st);
      damaged = sqlite3_changes(db) > 0;
      break;
    }
    rc = add ? icx_postings_table_add(t, ka + 1, kb + 1, e)
             : icx_postings_table_remove(t, ka + 1, kb + 1, e);
    if (rc != (add ? !model[ka][kb][e.x - 1][e.y - 1] : model[ka][kb][e.x - 1][e.y - 1]))
      abort();
    model[ka][kb][e.x - 1][e.y - 1] = (unsigned char)add;
  }
  for (a = 0; !damaged && a < FA; a++)
    fp_check(t, a);
  {
    /* The table's own check: the model's count, or damage said. */
    long long pairs = 0, got;
    char why[256];
    for (i = 0; i < sizeof model; i++)
      pairs += ((unsigned char *)model)[i];
    got = icx_postings_table_check(t, why, sizeof why);
    if (damaged ? got < 0 && got != ICX_POSTINGS_ERR_DAMAGED : got != pairs)
      abort();
  }
  if (damaged) {
    /* Every call still answers: edits on every key, then the walks. */
    for (i = 0; i < 64; i++) {
      icx_posting e = { (icx_id)(i * 5 % FX) + 1, (icx_id)(i % FY) + 1 };
      int rc = i % 2 ? icx_postings_table_add(t, i % FA + 1, i % FB + 1, e)
                     : icx_postings_table_remove(t, i % FA + 1, i % FB + 1, e);
      if (rc != 0 && rc != 1 && rc != ICX_POSTINGS_ERR_DAMAGED)
        abort();
    }
    for (a = 0; a < FA; a++) {
      static walked w;
      int rc;
      w.n = 0;
      rc = icx_postings_table_walk(t, a + 1, 0, fp_gather, &w);
      if (rc != 0 && rc != ICX_POSTINGS_ERR_DAMAGED)
        abort();
    }
  }
  icx_postings_table_free(t);
  sqlite3_close(db);
  return 0;
}

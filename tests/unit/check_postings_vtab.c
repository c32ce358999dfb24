/* check_postings_vtab.c - the virtual table icx_postings
 * (engine/store/icx_postings_vtab.h): every query shape the SQL path
 * would send, on chunks and on a plain table of the same rows, gives the
 * same rows; ranges of the second id, with bounds of every type, and the
 * plan that seeks them; values that are no ids, damage, bad arguments. */
#include "config.h"

#include <check.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_postings_table.h"
#include "icx_postings_vtab.h"

#define P(s, g) ((icx_posting){ (s), (g) })

static sqlite3 *tdb;
static icx_postings_table *tt;

static void
table_setup(void)
{
  static const icx_postings_layout by_po = ICX_POSTINGS_BY_PO;

  ck_assert_int_eq(sqlite3_open(":memory:", &tdb), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(tdb, ICX_POSTINGS_TABLE_SQL("postings", "p", "o", "s0", "g0"),
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_ptr_nonnull(tt = icx_postings_table_new(tdb, &by_po));
}

static void
table_teardown(void)
{
  icx_postings_table_free(tt);
  sqlite3_close(tdb);
}

/* The rows of sql (params bound from v, n of them) as text, one row a
 * line; NULL when the statement fails (its code in *rc). */
static char *
rows_of(const char *sql, const sqlite3_int64 *v, int n, int *rc)
{
  sqlite3_str *out = sqlite3_str_new(tdb);
  sqlite3_stmt *st;
  int i, step;

  sqlite3_str_appendall(out, "rows:\n");       /* never empty: finish gives NULL for "" */
  ck_assert_int_eq(sqlite3_prepare_v2(tdb, sql, -1, &st, NULL), SQLITE_OK);
  for (i = 0; i < n; i++)
    sqlite3_bind_int64(st, i + 1, v[i]);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    for (i = 0; i < sqlite3_column_count(st); i++)
      sqlite3_str_appendf(out, "%lld ", sqlite3_column_int64(st, i));
    sqlite3_str_appendchar(out, 1, '\n');
  }
  sqlite3_finalize(st);
  *rc = step;
  if (step != SQLITE_DONE) {
    sqlite3_free(sqlite3_str_finish(out));
    return NULL;
  }
  return sqlite3_str_finish(out);
}

/* sql on the virtual table pos and on the plain table plain (the same
 * text, "pos" replaced) give the same rows. */
static void
same_rows(const char *sql, const sqlite3_int64 *v, int n)
{
  char *plain = sqlite3_mprintf("%s", sql), *p, *a, *b, values[80] = "";
  int rc, i;

  while ((p = strstr(plain, "pos ")))
    memcpy(p, "qpl ", 4);
  a = rows_of(sql, v, n, &rc);
  ck_assert_msg(a != NULL, "%s: %d %s", sql, rc, sqlite3_errmsg(tdb));
  b = rows_of(plain, v, n, &rc);
  ck_assert_ptr_nonnull(b);
  for (i = 0; i < n; i++)
    snprintf(values + strlen(values), sizeof values - strlen(values), " %lld", v[i]);
  /* The rows cut short: Check loses a message too long to pass on. */
  ck_assert_msg(!strcmp(a, b), "%s with%s differs:\n%.1500s\nagainst\n%.1500s", sql, values, a,
                b);
  sqlite3_free(a);
  sqlite3_free(b);
  sqlite3_free(plain);
}

/* The plan SQLite chose for sql, as EXPLAIN QUERY PLAN says it: the
 * virtual table's idxNum, or -1. */
static int
plan_of(const char *sql)
{
  char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
  sqlite3_stmt *st;
  const char *at;
  int plan = -1;

  ck_assert_int_eq(sqlite3_prepare_v2(tdb, eqp, -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW)
    if ((at = strstr((const char *)sqlite3_column_text(st, 3), "VIRTUAL TABLE INDEX ")))
      plan = atoi(at + strlen("VIRTUAL TABLE INDEX "));
  sqlite3_finalize(st);
  sqlite3_free(eqp);
  return plan;
}

/* The queries of a range of o under p = ?1, from ?2 to ?3, bounds of
 * each kind and type (a REAL, a text, a blob, NULL), against the plain
 * table. */
static void
ranges_agree(const sqlite3_int64 *v)
{
  static const char *const where[] = {
    "o >= ?2 AND o <= ?3", "o > ?2 AND o < ?3", "o > ?2", "o >= ?2", "o < ?3", "o <= ?3",
    "o > ?2 AND o <= ?3", "o > ?2 AND o >= ?3",    /* two lower bounds: SQLite checks one */
    "o >= ?2 + 0.5 AND o <= ?3 - 0.5", "o > ?2 - 0.5 AND o < ?3 + 0.5", "o > ?2 * 1.0",
    "o < ?3 * 1.0", "o >= ?2 * 1.0", "o <= ?3 * 1.0", "o > ?2 + 0.5", "o < ?3 - 0.5",
    "o > CAST(?2 AS TEXT)", "o < CAST(?3 + 0.5 AS TEXT)", "o >= CAST(?2 AS TEXT) || 'x'",
    "o < 'x'", "o > x'00'", "o <= x'00'", "o > NULL", "o < NULL",
    "o < 1e300", "o > 1e300", "o > -1e300", "o < -1e300", "o <= 9223372036854775807.0",
    "o >= 9223372036854775807.0", "o < -9223372036854775808.0", "o >= -9223372036854775808.0",
  };
  size_t i;

  for (i = 0; i < sizeof where / sizeof *where; i++) {
    char *sql = sqlite3_mprintf("SELECT p, o, s, g FROM pos WHERE p = ?1 AND %s"
                                " ORDER BY p, o, s, g", where[i]);
    same_rows(sql, v, 3);
    sqlite3_free(sql);
  }
}

START_TEST(sql_reads_chunks_as_rows)
{
  unsigned seed = 21 + (unsigned)_i;
  sqlite3_stmt *ins;
  int round, rc;

  ck_assert_int_eq(icx_postings_vtab_register(tdb), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(tdb, "CREATE VIRTUAL TABLE temp.pos USING icx_postings"
                                "(postings, p, o, s0, g0, s, g);"
                                "CREATE TABLE qpl (p INTEGER, o INTEGER, s INTEGER, g INTEGER,"
                                " PRIMARY KEY (p, o, s, g))",
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_prepare_v2(tdb, "INSERT OR IGNORE INTO qpl VALUES (?, ?, ?, ?)", -1,
                                      &ins, NULL), SQLITE_OK);
  for (round = 0; round < 3000; round++) {
    /* Objects below 1 too, as keys of negative numbers are. */
    icx_id p = 1 + rand_r(&seed) % 2, o = rand_r(&seed) % 5 - 1;
    icx_posting e = P(1 + rand_r(&seed) % 400, 1 + rand_r(&seed) % 3);
    ck_assert_int_ge(icx_postings_table_add(tt, p, o, e), 0);
    sqlite3_bind_int64(ins, 1, p);
    sqlite3_bind_int64(ins, 2, o);
    sqlite3_bind_int64(ins, 3, e.x);
    sqlite3_bind_int64(ins, 4, e.y);
    ck_assert_int_eq(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  same_rows("SELECT p, o, s, g FROM pos ORDER BY p, o, s, g", NULL, 0);
  same_rows("SELECT count(*), sum(s), sum(g) FROM pos ", NULL, 0);
  for (round = 0; round < 60; round++) {
    sqlite3_int64 v[3] = { 1 + rand_r(&seed) % 3, 1 + rand_r(&seed) % 4, 1 + rand_r(&seed) % 410 };
    same_rows("SELECT o, s, g FROM pos WHERE p = ?1 ORDER BY o, s, g", v, 1);
    same_rows("SELECT s, g FROM pos WHERE p = ?1 AND o = ?2 ORDER BY s, g", v, 2);
    same_rows("SELECT g FROM pos WHERE p = ?1 AND o = ?2 AND s = ?3 ORDER BY g", v, 3);
    same_rows("SELECT o, g FROM pos WHERE s = ?3 AND p = ?1 ORDER BY o, g", v, 3);
    same_rows("SELECT a.s, a.g, b.o FROM pos a JOIN pos b ON b.s = a.s AND b.g = a.g"
              " WHERE a.p = ?1 AND a.o = ?2 AND b.p = 3 - ?1 ORDER BY a.s, a.g, b.o", v, 2);
    /* Ranges of o, from anywhere around the objects -1 to 3. */
    v[1] = rand_r(&seed) % 8 - 3;
    v[2] = rand_r(&seed) % 8 - 3;
    ranges_agree(v);
    same_rows("SELECT a.s, a.g, b.o, b.g FROM pos a JOIN pos b ON b.p = 3 - a.p AND b.o > a.o"
              " AND b.s = a.s WHERE a.p = ?1 AND a.o = ?2 ORDER BY a.s, a.g, b.o, b.g", v, 2);
  }
  /* Bounds at the ends of the integers: a strict one past them is no
   * id, not one at the other end. */
  {
    sqlite3_int64 v[3] = { 1, INT64_MAX, INT64_MIN };
    ranges_agree(v);
    v[1] = INT64_MIN;
    v[2] = INT64_MAX;
    ranges_agree(v);
  }
  /* A range of o is a seek: a plan of its own, not p's with SQLite
   * checking o. */
  {
    int all = plan_of("SELECT s FROM pos WHERE p = 1"),
        both = plan_of("SELECT s FROM pos WHERE p = 1 AND o >= 2 AND o < 3"),
        lower = plan_of("SELECT s FROM pos WHERE p = 1 AND o > 2.5"),
        upper = plan_of("SELECT s FROM pos WHERE p = ?1 AND o <= ?2");
    ck_assert_int_eq(all, 1);
    ck_assert(both > 1 && lower > 1 && upper > 1 && both != lower && both != upper &&
              lower != upper);
    ck_assert_int_eq(plan_of("SELECT s FROM pos WHERE p = 1 AND o = 2 AND o > 1"), 3);
    ck_assert_int_eq(plan_of("SELECT s FROM pos WHERE o > 1"), 0);
  }
  /* Each chunk's first subject, where a subject's pairs may begin in
   * the chunk before. */
  {
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(tdb, "SELECT p, o, s0 FROM postings", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      sqlite3_int64 v[3] = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                             sqlite3_column_int64(st, 2) };
      same_rows("SELECT g FROM pos WHERE p = ?1 AND o = ?2 AND s = ?3 ORDER BY g", v, 3);
      v[2]--;
      same_rows("SELECT g FROM pos WHERE p = ?1 AND o = ?2 AND s = ?3 ORDER BY g", v, 3);
    }
    sqlite3_finalize(st);
  }
  /* Values that are no ids match nothing, as in the plain table. */
  same_rows("SELECT count(*) FROM pos WHERE p = 1.5 ", NULL, 0);
  same_rows("SELECT count(*) FROM pos WHERE p = 1.0 AND o = '2' ", NULL, 0);
  /* A row that is not a chunk fails the statement. */
  ck_assert_int_eq(sqlite3_exec(tdb, "UPDATE postings SET rest = x'02' WHERE rest IS NOT NULL",
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_ptr_null(rows_of("SELECT count(*) FROM pos", NULL, 0, &rc));
  ck_assert_int_eq(rc & 0xff, SQLITE_CORRUPT);
  /* Arguments that are not plain identifiers, or too few. */
  ck_assert_int_ne(sqlite3_exec(tdb, "CREATE VIRTUAL TABLE temp.bad USING icx_postings"
                                "(postings, p, o)", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(tdb, "CREATE VIRTUAL TABLE temp.bad USING icx_postings"
                                "(postings, p, \"o; DROP TABLE x\", s0, g0, s, g)", NULL, NULL,
                                NULL), SQLITE_OK);
}
END_TEST

static Suite *
postings_vtab_suite(void)
{
  Suite *s = suite_create("postings_vtab");
  TCase *tc = tcase_create("sql");

  tcase_add_checked_fixture(tc, table_setup, table_teardown);
  tcase_add_loop_test(tc, sql_reads_chunks_as_rows, 0, 3);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(postings_vtab_suite());
}

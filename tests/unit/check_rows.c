/* check_rows.c - the result table (icx_rows.h): columns, copied and
 * taken cells, unbound values, growth, and reads out of range. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_rows_internal.h"

START_TEST(columns_are_named_and_found)
{
  static const char *const vars[] = { "cloud", NULL, "name" };
  icx_rows *r = icx_rows_new(NULL, 3, vars, "sql");

  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(icx_rows_width(r), 3);
  ck_assert_uint_eq(icx_rows_count(r), 0);
  ck_assert_str_eq(icx_rows_var(r, 0), "cloud");
  ck_assert_str_eq(icx_rows_var(r, 1), "");       /* a NULL name reads as "" */
  ck_assert_str_eq(icx_rows_var(r, 2), "name");
  ck_assert_ptr_null(icx_rows_var(r, 3));
  ck_assert_int_eq(icx_rows_column(r, "name"), 2);
  ck_assert_int_eq(icx_rows_column(r, "cloud"), 0);
  ck_assert_int_eq(icx_rows_column(r, "nosuch"), -1);
  ck_assert_str_eq(icx_rows_path(r), "sql");
  icx_rows_free(r);
}
END_TEST

START_TEST(cells_are_copied_and_unbound_is_null)
{
  static const char *const vars[] = { "a", "b" };
  icx_rows *r = icx_rows_new(NULL, 2, vars, "rasqal");
  char one[] = "one";
  const char *cells[2];

  ck_assert_ptr_nonnull(r);
  cells[0] = one;
  cells[1] = NULL;
  ck_assert_int_eq(icx_rows_append(r, cells), 0);
  one[0] = 'X';                                   /* the table kept its own copy */
  cells[0] = "two";
  cells[1] = "three";
  ck_assert_int_eq(icx_rows_append(r, cells), 0);
  ck_assert_uint_eq(icx_rows_count(r), 2);
  ck_assert_str_eq(icx_rows_get(r, 0, 0), "one");
  ck_assert_ptr_null(icx_rows_get(r, 0, 1));
  ck_assert_str_eq(icx_rows_get(r, 1, 0), "two");
  ck_assert_str_eq(icx_rows_get(r, 1, 1), "three");
  ck_assert_ptr_null(icx_rows_get(r, 2, 0));      /* past the last row */
  ck_assert_ptr_null(icx_rows_get(r, 0, 2));      /* past the last column */
  ck_assert_str_eq(icx_rows_path(r), "rasqal");
  icx_rows_free(r);
}
END_TEST

START_TEST(owned_cells_are_taken)
{
  static const char *const vars[] = { "a", "b" };
  icx_rows *r = icx_rows_new(NULL, 2, vars, "rasqal");
  char *cells[2];

  ck_assert_ptr_nonnull(r);
  cells[0] = strdup("kept");
  cells[1] = NULL;
  ck_assert_ptr_nonnull(cells[0]);
  ck_assert_int_eq(icx_rows_append_owned(r, cells), 0);
  ck_assert_ptr_eq(icx_rows_get(r, 0, 0), cells[0]);
  ck_assert_ptr_null(icx_rows_get(r, 0, 1));
  icx_rows_free(r);                               /* frees "kept" (ASan would say) */
}
END_TEST

START_TEST(tables_grow)
{
  static const char *const vars[] = { "n" };
  icx_rows *r = icx_rows_new(NULL, 1, vars, "sql");
  char buf[32];
  const char *cell = buf;
  size_t i;

  ck_assert_ptr_nonnull(r);
  for (i = 0; i < 1000; i++) {
    snprintf(buf, sizeof buf, "%zu", i);
    ck_assert_int_eq(icx_rows_append(r, &cell), 0);
  }
  ck_assert_uint_eq(icx_rows_count(r), 1000);
  for (i = 0; i < 1000; i += 97) {
    snprintf(buf, sizeof buf, "%zu", i);
    ck_assert_str_eq(icx_rows_get(r, i, 0), buf);
  }
  icx_rows_free(r);
}
END_TEST

/* A result without variables still counts its rows (a SELECT of no
 * variable that matched). */
START_TEST(rows_without_columns)
{
  icx_rows *r = icx_rows_new(NULL, 0, NULL, "sql");
  size_t i;

  ck_assert_ptr_nonnull(r);
  for (i = 0; i < 40; i++)
    ck_assert_int_eq(icx_rows_append(r, NULL), 0);
  ck_assert_uint_eq(icx_rows_count(r), 40);
  ck_assert_uint_eq(icx_rows_width(r), 0);
  ck_assert_ptr_null(icx_rows_get(r, 0, 0));
  ck_assert_ptr_null(icx_rows_var(r, 0));
  icx_rows_free(r);
  icx_rows_free(NULL);
}
END_TEST

static Suite *
rows_suite(void)
{
  Suite *s = suite_create("rows");
  TCase *tc = tcase_create("table");

  tcase_add_test(tc, columns_are_named_and_found);
  tcase_add_test(tc, cells_are_copied_and_unbound_is_null);
  tcase_add_test(tc, owned_cells_are_taken);
  tcase_add_test(tc, tables_grow);
  tcase_add_test(tc, rows_without_columns);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(rows_suite());
}

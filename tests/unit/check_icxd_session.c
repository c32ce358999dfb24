/* check_icxd_session.c - unit tests of icxd_session. */
/* Sessions are private to their owner, limited in number, and expire. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icxd_session.h"

START_TEST(sessions_are_private_and_expire)
{
  icxd_sessions *tab = icxd_sessions_new(2, 1000);
  icxd_session *a, *b;

  a = icxd_sessions_create(tab, "u@x.test/1", "svc.test");
  b = icxd_sessions_create(tab, "u@x.test/2", "svc.test");
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(b);
  ck_assert_str_ne(a->id, b->id);
  ck_assert_uint_eq(strlen(a->id), 36);
  ck_assert_ptr_null(icxd_sessions_create(tab, "u@x.test/3", "svc.test"));
  ck_assert_ptr_eq(icxd_sessions_find(tab, a->id, "u@x.test/1"), a);
  ck_assert_ptr_null(icxd_sessions_find(tab, a->id, "u@x.test/2"));
  ck_assert_ptr_null(icxd_sessions_find(tab, "icx-nope", "u@x.test/1"));
  b->last_used_ms = a->last_used_ms - 5000;
  ck_assert_uint_eq(icxd_sessions_expire(tab, a->last_used_ms + 10), 1);
  ck_assert_uint_eq(icxd_sessions_count(tab), 1);
  icxd_sessions_remove(tab, a);
  ck_assert_uint_eq(icxd_sessions_count(tab), 0);
  icxd_sessions_free(tab);
}
END_TEST

static Suite *icxd_session_suite(void)
{
  Suite *s = suite_create("icxd_session");
  TCase *tc = tcase_create("session");

  tcase_add_test(tc, sessions_are_private_and_expire);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_session_suite());
}

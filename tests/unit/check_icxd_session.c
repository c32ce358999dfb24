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

/* Fair limits: one bare JID, whatever its resources, holds at most
 * max_per_owner sessions and leaves room for every other account. */
START_TEST(sessions_per_owner_limit)
{
  icxd_sessions *tab = icxd_sessions_new(5, 1000);
  icxd_session *s;
  int i;

  icxd_sessions_set_limits(tab, 5, 2, 1000);
  ck_assert_ptr_nonnull(icxd_sessions_create(tab, "greedy@x.test/a", "svc"));
  ck_assert_ptr_nonnull(icxd_sessions_create(tab, "greedy@x.test/b", "svc"));
  ck_assert_int_eq(icxd_sessions_admit(tab, "greedy@x.test/c"),
                   ICXD_SESS_OWNER_FULL);
  ck_assert_ptr_null(icxd_sessions_create(tab, "greedy@x.test/c", "svc"));
  /* A bare JID sharing a prefix is another account. */
  ck_assert_int_eq(icxd_sessions_admit(tab, "greedy@x.test.evil/a"),
                   ICXD_SESS_ADMITTED);
  ck_assert_uint_eq(icxd_sessions_count_owner(tab, "greedy@x.test", 0), 2);
  for (i = 0; i < 3; i++) {
    s = icxd_sessions_create(tab, i == 2 ? "c@x.test/r" : "b@x.test/r", "svc");
    ck_assert_ptr_nonnull(s);
  }
  s->state = ICXD_SESS_RUNNING;
  ck_assert_uint_eq(icxd_sessions_count_owner(tab, "c@x.test/other", 1), 1);
  ck_assert_uint_eq(icxd_sessions_count_owner(tab, "b@x.test", 1), 0);
  /* Now the table is full: the global limit speaks. */
  ck_assert_int_eq(icxd_sessions_admit(tab, "d@x.test/r"), ICXD_SESS_FULL);
  /* No per-owner limit: only the global one. */
  icxd_sessions_set_limits(tab, 6, 0, 1000);
  ck_assert_ptr_nonnull(icxd_sessions_create(tab, "greedy@x.test/c", "svc"));
  s->state = ICXD_SESS_DONE;
  icxd_sessions_free(tab);
}
END_TEST

/* A session read from the store (another instance opened it) is taken
 * up under its own id, for its owner only, once, whatever the limits. */
START_TEST(sessions_adopted_keep_their_id)
{
  icxd_sessions *tab = icxd_sessions_new(1, 1000);
  icxd_session *a, *b;
  char longid[64];

  a = icxd_sessions_create(tab, "u@x.test/1", "svc.test");
  ck_assert_ptr_nonnull(a);
  ck_assert_int_eq(icxd_sessions_admit(tab, "v@x.test/1"), ICXD_SESS_FULL);
  b = icxd_sessions_adopt(tab, "icx-00ff", "v@x.test/1", "svc.test");
  ck_assert_ptr_nonnull(b);
  ck_assert_str_eq(b->id, "icx-00ff");
  ck_assert_str_eq(b->owner, "v@x.test/1");
  ck_assert_ptr_eq(icxd_sessions_find(tab, "icx-00ff", "v@x.test/1"), b);
  ck_assert_ptr_null(icxd_sessions_find(tab, "icx-00ff", "u@x.test/1"));
  /* Not twice, and no id longer than a session id. */
  ck_assert_ptr_null(icxd_sessions_adopt(tab, "icx-00ff", "v@x.test/1", "s"));
  memset(longid, 'a', sizeof longid - 1);
  longid[sizeof longid - 1] = '\0';
  ck_assert_ptr_null(icxd_sessions_adopt(tab, longid, "v@x.test/1", "s"));
  ck_assert_uint_eq(icxd_sessions_count(tab), 2);
  ck_assert_int_eq(b->shared, 0);
  icxd_sessions_free(tab);
}
END_TEST

static Suite *icxd_session_suite(void)
{
  Suite *s = suite_create("icxd_session");
  TCase *tc = tcase_create("session");

  tcase_add_test(tc, sessions_are_private_and_expire);
  tcase_add_test(tc, sessions_per_owner_limit);
  tcase_add_test(tc, sessions_adopted_keep_their_id);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_session_suite());
}

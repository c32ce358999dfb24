/* check_store_sessions.c - sessions kept in the store
 * (icx_store_sessions.h): a store without the tables, a session put and
 * read back, claims and finishes that only one of two processes wins, a
 * DONE answer taken once, pruning (expired sessions, RUNNING ones of live
 * instances kept, those of stopped instances kept as LOST tombstones until
 * they expire in turn, dead instances dropped), a running session marked
 * lost by the instance that finds its instance stopped, the instances'
 * beats, a second
 * handle on the same file seeing the first one's writes (and the tables
 * another handle made after it looked), rows on the context's allocator,
 * and misuse. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_store_sessions.h"

static tu_world fx;
static icx_ctx *ctx;
static char *db;
static icx_store *store;   /* a test may close and reopen it */

static void
setup(void)
{
  tu_world_empty(&fx, "sess.db");
  ctx = fx.ctx;
  db = fx.db;
  store = fx.store;
}

static void
teardown(void)
{
  fx.store = store;
  tu_world_close(&fx);
  store = NULL;
}

/* A row with id, stage and instance; the rest fixed. */
static icx_sess_row
row_of(const char *id, int stage, const char *instance, long long expires)
{
  icx_sess_row r;

  memset(&r, 0, sizeof r);
  r.id = (char *)id;
  r.owner = (char *)"a@x.test/r1";
  r.node = (char *)"constraint_catalog_resources";
  r.stage = stage;
  r.output = 1;
  r.instance = (char *)instance;
  r.started = 1000;
  r.expires = expires;
  r.request = (char *)"<in/>";
  return r;
}

START_TEST(test_empty_store)
{
  icx_sess_row r;
  long long seen = 7;
  size_t n = 7, lost = 7;

  ck_assert_int_eq(icx_store_sess_get(store, "s1", &r), ICX_ERR_NOT_FOUND);
  ck_assert_ptr_null(r.id);
  ck_assert_int_eq(icx_store_sess_claim(store, "s1", 0, NULL, 1, "i1", 1, 2),
                   ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_finish(store, "s1", "i1", "<a/>", 2), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_remove(store, "s1", -1), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_prune(store, 10, 10, 10, 20, &n, &lost), ICX_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_uint_eq(lost, 0);
  ck_assert_int_eq(icx_store_sess_lose(store, "s1", "i1", 1, 2), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_seen(store, "i1", &seen), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_beat(store, "i1", -1), ICX_OK);
}
END_TEST

START_TEST(test_put_get_claim_finish)
{
  icx_sess_row w = row_of("s1", ICX_SESS_STAGE_FORM, "i1", 5000), r;
  icx_store *other;

  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  /* Another handle (another process) reads it. */
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_CREATE, &other), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(other, "s1", &r), ICX_OK);
  ck_assert_str_eq(r.owner, "a@x.test/r1");
  ck_assert_str_eq(r.node, "constraint_catalog_resources");
  ck_assert_str_eq(r.instance, "i1");
  ck_assert_str_eq(r.request, "<in/>");
  ck_assert_str_eq(r.answer, "");
  ck_assert_int_eq(r.stage, ICX_SESS_STAGE_FORM);
  ck_assert_int_eq(r.output, 1);
  ck_assert(r.started == 1000 && r.expires == 5000);
  icx_store_sess_clear(other, &r);

  /* Two claim the form: one wins. */
  ck_assert_int_eq(icx_store_sess_claim(other, "s1", ICX_SESS_STAGE_FORM, NULL,
                                        ICX_SESS_STAGE_RUNNING, "i2", 2000, 9000), ICX_OK);
  ck_assert_int_eq(icx_store_sess_claim(store, "s1", ICX_SESS_STAGE_FORM, NULL,
                                        ICX_SESS_STAGE_RUNNING, "i1", 2000, 9000),
                   ICX_ERR_NOT_FOUND);
  /* Only the instance running it finishes it. */
  ck_assert_int_eq(icx_store_sess_finish(store, "s1", "i1", "<x/>", 9500), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_finish(other, "s1", "i2", "<command/>", 9500), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(store, "s1", &r), ICX_OK);
  ck_assert_int_eq(r.stage, ICX_SESS_STAGE_DONE);
  ck_assert_str_eq(r.answer, "<command/>");
  ck_assert_str_eq(r.instance, "i2");
  ck_assert(r.expires == 9500 && r.started == 2000);
  icx_store_sess_clear(store, &r);
  /* Finished once: a second finish (after a cancel elsewhere) fails. */
  ck_assert_int_eq(icx_store_sess_finish(other, "s1", "i2", "<y/>", 9500), ICX_ERR_NOT_FOUND);
  /* Taken once. */
  ck_assert_int_eq(icx_store_sess_remove(store, "s1", ICX_SESS_STAGE_RUNNING),
                   ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_remove(store, "s1", ICX_SESS_STAGE_DONE), ICX_OK);
  ck_assert_int_eq(icx_store_sess_remove(other, "s1", ICX_SESS_STAGE_DONE), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_get(other, "s1", &r), ICX_ERR_NOT_FOUND);
  icx_store_free(other);
}
END_TEST

START_TEST(test_claim_from_instance)
{
  icx_sess_row w = row_of("s2", ICX_SESS_STAGE_RUNNING, "i1", 5000);

  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  ck_assert_int_eq(icx_store_sess_claim(store, "s2", ICX_SESS_STAGE_RUNNING, "i9",
                                        ICX_SESS_STAGE_DONE, "i2", 1, 2), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_claim(store, "s2", ICX_SESS_STAGE_RUNNING, "i1",
                                        ICX_SESS_STAGE_FORM, "i2", 1, 2), ICX_OK);
  /* put replaces. */
  w = row_of("s2", ICX_SESS_STAGE_DONE, "i3", 7000);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  ck_assert_int_eq(icx_store_sess_remove(store, "s2", -1), ICX_OK);
}
END_TEST

/* What a stanza of session id finds: its stage and instance, or -1 when
 * there is no row. */
static int
stage_of(const char *id, const char *instance)
{
  icx_sess_row r;
  int stage;

  if (icx_store_sess_get(store, id, &r) != ICX_OK)
    return -1;
  stage = r.stage;
  if (instance)
    ck_assert_str_eq(r.instance, instance);
  icx_store_sess_clear(store, &r);
  return stage;
}

START_TEST(test_prune_and_beat)
{
  icx_sess_row w;
  icx_sess_row r;
  long long seen;
  size_t n, lost;

  ck_assert_int_eq(icx_store_sess_beat(store, "live", 900), ICX_OK);
  ck_assert_int_eq(icx_store_sess_beat(store, "dead", 100), ICX_OK);
  ck_assert_int_eq(icx_store_sess_seen(store, "live", &seen), ICX_OK);
  ck_assert(seen == 900);
  ck_assert_int_eq(icx_store_sess_beat(store, "live", 950), ICX_OK);
  ck_assert_int_eq(icx_store_sess_seen(store, "live", &seen), ICX_OK);
  ck_assert(seen == 950);
  w = row_of("form-old", ICX_SESS_STAGE_FORM, "live", 500);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  w = row_of("form-new", ICX_SESS_STAGE_FORM, "live", 2000);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  w = row_of("run-live", ICX_SESS_STAGE_RUNNING, "live", 500);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  w = row_of("run-dead", ICX_SESS_STAGE_RUNNING, "dead", 500);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  w = row_of("run-gone", ICX_SESS_STAGE_RUNNING, "never", 500);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  w = row_of("run-dead-new", ICX_SESS_STAGE_RUNNING, "dead", 2000);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  /* At 1000: alive means seen since 800; instances seen before 200 go;
   * tombstones last until 3000. */
  ck_assert_int_eq(icx_store_sess_prune(store, 1000, 800, 200, 3000, &n, &lost), ICX_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(lost, 2);
  ck_assert_int_eq(stage_of("form-new", "live"), ICX_SESS_STAGE_FORM);
  ck_assert_int_eq(stage_of("run-live", "live"), ICX_SESS_STAGE_RUNNING);
  ck_assert_int_eq(stage_of("form-old", NULL), -1);
  /* The running sessions of stopped instances are not gone: a tombstone
   * says which instance lost them, and when, and keeps nothing else. */
  ck_assert_int_eq(icx_store_sess_get(store, "run-dead", &r), ICX_OK);
  ck_assert_int_eq(r.stage, ICX_SESS_STAGE_LOST);
  ck_assert_str_eq(r.instance, "dead");
  ck_assert_str_eq(r.owner, "a@x.test/r1");
  ck_assert_str_eq(r.request, "");
  ck_assert(r.started == 1000 && r.expires == 3000);
  icx_store_sess_clear(store, &r);
  ck_assert_int_eq(stage_of("run-gone", "never"), ICX_SESS_STAGE_LOST);
  /* Not yet expired: left to the stanza that finds it (or a later prune). */
  ck_assert_int_eq(stage_of("run-dead-new", "dead"), ICX_SESS_STAGE_RUNNING);
  ck_assert_int_eq(icx_store_sess_seen(store, "dead", &seen), ICX_ERR_NOT_FOUND);
  /* A tombstone is not a running session: no finish, no second loss. */
  ck_assert_int_eq(icx_store_sess_finish(store, "run-dead", "dead", "<a/>", 9000),
                   ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_beat(store, "live", 2400), ICX_OK);
  ck_assert_int_eq(icx_store_sess_prune(store, 2500, 2300, 200, 4500, &n, &lost), ICX_OK);
  ck_assert_uint_eq(lost, 1);            /* run-dead-new */
  ck_assert_int_eq(stage_of("run-dead", "dead"), ICX_SESS_STAGE_LOST);
  /* Tombstones expire in turn. */
  ck_assert_int_eq(icx_store_sess_beat(store, "live", 3400), ICX_OK);
  ck_assert_int_eq(icx_store_sess_prune(store, 3500, 3300, 200, 5500, &n, &lost), ICX_OK);
  ck_assert_uint_eq(lost, 0);
  ck_assert_int_eq(stage_of("run-dead", NULL), -1);
  ck_assert_int_eq(stage_of("run-gone", NULL), -1);
  ck_assert_int_eq(stage_of("run-dead-new", "dead"), ICX_SESS_STAGE_LOST);
  ck_assert_int_eq(stage_of("run-live", "live"), ICX_SESS_STAGE_RUNNING);
  /* An instance that stops says so. */
  ck_assert_int_eq(icx_store_sess_beat(store, "live", -1), ICX_OK);
  ck_assert_int_eq(icx_store_sess_seen(store, "live", &seen), ICX_ERR_NOT_FOUND);
}
END_TEST

/* The instance that finds a running session's instance stopped marks it
 * lost: once, and only while it runs there. */
START_TEST(test_lose)
{
  icx_sess_row w = row_of("s6", ICX_SESS_STAGE_RUNNING, "i1", 5000), r;

  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  ck_assert_int_eq(icx_store_sess_lose(store, "s6", "i2", 100, 200), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_lose(store, "s6", "i1", 1500, 7000), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(store, "s6", &r), ICX_OK);
  ck_assert_int_eq(r.stage, ICX_SESS_STAGE_LOST);
  ck_assert_str_eq(r.instance, "i1");
  ck_assert_str_eq(r.request, "");
  ck_assert(r.started == 1500 && r.expires == 7000);
  icx_store_sess_clear(store, &r);
  ck_assert_int_eq(icx_store_sess_lose(store, "s6", "i1", 1600, 7100), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_claim(store, "s6", ICX_SESS_STAGE_RUNNING, "i1",
                                        ICX_SESS_STAGE_DONE, "i1", 1, 2), ICX_ERR_NOT_FOUND);
  /* A cancel removes a tombstone like any session. */
  ck_assert_int_eq(icx_store_sess_remove(store, "s6", -1), ICX_OK);
}
END_TEST

START_TEST(test_readonly)
{
  icx_sess_row w = row_of("s3", ICX_SESS_STAGE_FORM, "i1", 5000), r;
  icx_store *ro;

  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_READONLY, &ro), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(ro, "s3", &r), ICX_OK);
  icx_store_sess_clear(ro, &r);
  ck_assert_int_eq(icx_store_sess_remove(ro, "s3", -1), ICX_ERR_STORE);
  ck_assert(strstr(icx_ctx_errmsg(ctx), "sessions: cannot") != NULL);
  icx_store_free(ro);
}
END_TEST

/* A handle that found no tables finds them once another handle (another
 * process) made them: a missing table is not remembered. */
START_TEST(test_tables_made_elsewhere)
{
  icx_sess_row w = row_of("s4", ICX_SESS_STAGE_FORM, "i1", 5000), r;
  icx_store *other;
  long long seen;

  ck_assert_int_eq(icx_store_open(ctx, db, 0, &other), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(other, "s4", &r), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_seen(other, "i1", &seen), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  ck_assert_int_eq(icx_store_sess_beat(store, "i1", 1200), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(other, "s4", &r), ICX_OK);
  ck_assert_str_eq(r.id, "s4");
  icx_store_sess_clear(other, &r);
  ck_assert_int_eq(icx_store_sess_seen(other, "i1", &seen), ICX_OK);
  ck_assert(seen == 1200);
  icx_store_free(other);
}
END_TEST

/* A row read is on the context's allocator: refused, the read fails
 * whole; given, icx_store_sess_clear() returns every block. */
START_TEST(test_row_on_context_allocator)
{
  icx_sess_row w = row_of("s5", ICX_SESS_STAGE_FORM, "i1", 5000), r;
  tu_mem m;
  icx_ctx *mc;
  icx_store *ms;
  long live;

  memset(&m, 0, sizeof m);
  mc = tu_ctx_mem(&m);
  ck_assert_int_eq(icx_store_sess_put(store, &w), ICX_OK);
  ck_assert_int_eq(icx_store_open(mc, db, 0, &ms), ICX_OK);
  ck_assert_int_eq(icx_store_sess_get(ms, "s5", &r), ICX_OK);   /* statements kept */
  icx_store_sess_clear(ms, &r);
  live = m.live;
  m.fail_at = 1;
  m.fail_rest = 1;
  m.armed = 1;
  ck_assert_int_eq(icx_store_sess_get(ms, "s5", &r), ICX_ERR_NOMEM);
  m.armed = 0;
  ck_assert(m.failed > 0);
  ck_assert_ptr_null(r.id);
  ck_assert_int_eq(m.live, live);
  ck_assert_int_eq(icx_store_sess_get(ms, "s5", &r), ICX_OK);
  ck_assert_int_gt(m.live, live);
  icx_store_sess_clear(ms, &r);
  ck_assert_int_eq(m.live, live);
  icx_store_free(ms);
  icx_ctx_free(mc);
  ck_assert_int_eq(m.live, 0);
}
END_TEST

START_TEST(test_misuse)
{
  icx_sess_row r;
  long long seen;

  memset(&r, 0, sizeof r);
  ck_assert_int_eq(icx_store_sess_put(NULL, &r), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_put(store, &r), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_get(store, NULL, &r), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_claim(store, "s", 0, NULL, 1, NULL, 0, 0), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_finish(store, "s", "i", NULL, 0), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_remove(store, NULL, -1), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_prune(NULL, 0, 0, 0, 0, NULL, NULL), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_lose(store, "s", NULL, 0, 0), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_beat(store, NULL, 0), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_sess_seen(store, "i", NULL), ICX_ERR_MISUSE);
  (void)seen;
  icx_store_sess_clear(store, NULL);
  icx_store_sess_clear(NULL, NULL);
}
END_TEST

static Suite *
store_sessions_suite(void)
{
  Suite *s = suite_create("store_sessions");
  TCase *tc = tcase_create("core");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_empty_store);
  tcase_add_test(tc, test_put_get_claim_finish);
  tcase_add_test(tc, test_claim_from_instance);
  tcase_add_test(tc, test_prune_and_beat);
  tcase_add_test(tc, test_lose);
  tcase_add_test(tc, test_readonly);
  tcase_add_test(tc, test_tables_made_elsewhere);
  tcase_add_test(tc, test_row_on_context_allocator);
  tcase_add_test(tc, test_misuse);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(store_sessions_suite());
}

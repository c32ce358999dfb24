/* check_store_subs.c - the subscriptions table (icx_store_subs.h): a store
 * without one, adding, listing per JID and all, answers kept, removal by
 * id (only the owner's) and by JID, ids never used twice, what survives a
 * reopen, writes refused on a read-only handle, answers kept as rows
 * (set, edited, moved, removed with their subscription), and the version
 * other processes follow: moved by every add and remove, changed when
 * another store takes the file's place, made for a table older than it. */
#include "config.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_schema.h"
#include "icx_store_subs.h"

static tu_world fx;
static icx_ctx *ctx;
static char *db;
static icx_store *store;   /* a test may close and reopen it */

static void
setup(void)
{
  tu_world_empty(&fx, "subs.db");
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

START_TEST(test_empty_store)
{
  icx_sub_row *rows = (icx_sub_row *)1;
  size_t n = 7, removed = 7;

  ck_assert_int_eq(icx_store_subs_list(store, NULL, &rows, &n), ICX_OK);
  ck_assert_ptr_null(rows);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(icx_store_subs_count(store, "a@x.test", &n), ICX_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(icx_store_subs_remove(store, 1, NULL), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_subs_set_answer(store, 1, "c1"), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_subs_remove_jid(store, "a@x.test", &removed), ICX_OK);
  ck_assert_uint_eq(removed, 0);
}
END_TEST

START_TEST(test_add_list_remove)
{
  icx_sub_row *rows;
  size_t n, removed;
  long long a, b, c, d;

  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<constraints/>", NULL, "cloud2\ncloud5",
                                      &a), ICX_OK);
  ck_assert_int_eq(icx_store_subs_add(store, "b@x.test", "<c2/>", "presence=1", NULL, &b),
                   ICX_OK);
  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<c3/>", "", "", &c), ICX_OK);
  ck_assert(a > 0 && b > a && c > b);

  ck_assert_int_eq(icx_store_subs_count(store, NULL, &n), ICX_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_int_eq(icx_store_subs_count(store, "a@x.test", &n), ICX_OK);
  ck_assert_uint_eq(n, 2);

  ck_assert_int_eq(icx_store_subs_list(store, "a@x.test", &rows, &n), ICX_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert(rows[0].id == a && rows[1].id == c);
  ck_assert_str_eq(rows[0].request, "<constraints/>");
  ck_assert_str_eq(rows[0].answer, "cloud2\ncloud5");
  ck_assert_str_eq(rows[0].options, "");
  ck_assert_uint_eq(strlen(rows[0].created), 20);
  icx_store_subs_free_rows(store, rows, n);

  ck_assert_int_eq(icx_store_subs_set_answer(store, b, "cloud9"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, "b@x.test", &rows, &n), ICX_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(rows[0].answer, "cloud9");
  ck_assert_str_eq(rows[0].options, "presence=1");
  icx_store_subs_free_rows(store, rows, n);

  /* Only the owner removes its own. */
  ck_assert_int_eq(icx_store_subs_remove(store, b, "a@x.test"), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_subs_remove(store, b, "b@x.test"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_remove(store, b, NULL), ICX_ERR_NOT_FOUND);

  ck_assert_int_eq(icx_store_subs_remove_jid(store, "a@x.test", &removed), ICX_OK);
  ck_assert_uint_eq(removed, 2);
  ck_assert_int_eq(icx_store_subs_count(store, NULL, &n), ICX_OK);
  ck_assert_uint_eq(n, 0);

  /* Several answers in one transaction; a rolled back one is not kept. */
  ck_assert_int_eq(icx_store_subs_add(store, "e@x.test", "<c5/>", NULL, "old", &b), ICX_OK);
  ck_assert_int_eq(icx_store_subs_begin(store), ICX_OK);
  ck_assert_int_eq(icx_store_subs_set_answer(store, b, "new"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_end(store, 0), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, "e@x.test", &rows, &n), ICX_OK);
  ck_assert_str_eq(rows[0].answer, "old");
  icx_store_subs_free_rows(store, rows, n);
  ck_assert_int_eq(icx_store_subs_begin(store), ICX_OK);
  ck_assert_int_eq(icx_store_subs_set_answer(store, b, "new"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_end(store, 1), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, "e@x.test", &rows, &n), ICX_OK);
  ck_assert_str_eq(rows[0].answer, "new");
  icx_store_subs_free_rows(store, rows, n);
  ck_assert_int_eq(icx_store_subs_remove_jid(store, "e@x.test", NULL), ICX_OK);

  /* The last id is not handed out again. */
  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<c4/>", NULL, NULL, &d), ICX_OK);
  ck_assert(d > b);
}
END_TEST

START_TEST(test_reopen_and_readonly)
{
  icx_store *ro = NULL;
  icx_sub_row *rows;
  size_t n;
  long long a, b;

  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<k/>", NULL, "c1", &a), ICX_OK);
  icx_store_free(store);
  store = NULL;
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_READONLY, &ro), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(ro, NULL, &rows, &n), ICX_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert(rows[0].id == a);
  ck_assert_str_eq(rows[0].jid, "a@x.test");
  ck_assert_str_eq(rows[0].answer, "c1");
  icx_store_subs_free_rows(ro, rows, n);
  ck_assert_int_eq(icx_store_subs_add(ro, "b@x.test", "<k/>", NULL, NULL, &b), ICX_ERR_STORE);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "subscriptions"));
  icx_store_free(ro);
  ck_assert_int_eq(icx_store_open(ctx, db, 0, &store), ICX_OK);
}
END_TEST

START_TEST(test_answer_rows)
{
  icx_sub_row *rows = NULL;
  size_t n = 0;
  long long a, b;
  const char *add[] = { "c2", "c0" }, *del[] = { "c1" };

  /* An answer given as text when added (as an older icxd kept them) is
   * the text, not rows. */
  ck_assert_int_eq(icx_store_subs_add(store, "w@x", "<in/>", NULL, "c1\nc3", &a), ICX_OK);
  ck_assert_int_eq(icx_store_subs_add(store, "v@x", "<in/>", NULL, NULL, &b), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, NULL, &rows, &n), ICX_OK);
  ck_assert_str_eq(rows[0].answer, "c1\nc3");
  ck_assert_int_eq(rows[0].answer_rows, 0);
  icx_store_subs_free_rows(store, rows, n);
  /* Rows: set, then edited by what entered and left. */
  ck_assert_int_eq(icx_store_subs_set_answer(store, a, "c1\nc3"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_answer_edit(store, a, add, 2, del, 1), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, "w@x", &rows, &n), ICX_OK);
  ck_assert_str_eq(rows[0].answer, "c0\nc2\nc3");
  ck_assert_int_eq(rows[0].answer_rows, 1);
  icx_store_subs_free_rows(store, rows, n);
  /* Moved to b, which keeps it when a goes. */
  ck_assert_int_eq(icx_store_subs_answer_move(store, a, b), ICX_OK);
  ck_assert_int_eq(icx_store_subs_remove(store, a, NULL), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, NULL, &rows, &n), ICX_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(rows[0].answer, "c0\nc2\nc3");
  icx_store_subs_free_rows(store, rows, n);
  /* Its removal takes its rows: a new subscription starts empty. */
  ck_assert_int_eq(icx_store_subs_remove_jid(store, "v@x", &n), ICX_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(icx_store_subs_add(store, "v@x", "<in/>", NULL, NULL, &b), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, NULL, &rows, &n), ICX_OK);
  ck_assert_str_eq(rows[0].answer, "");
  icx_store_subs_free_rows(store, rows, n);
}
END_TEST

/* What another process reads to follow the table and the answers. */
START_TEST(test_version_and_answer_reads)
{
  const char *names[] = { "cloud1", "cloud2", "cloud5", "cloud9" };
  const char *add[] = { "cloud9" };
  int has[4];
  char *answer;
  long long v0, v1, v2, a, b, c;

  ck_assert_int_eq(icx_store_subs_version(store, &v0), ICX_OK);
  ck_assert(v0 == 0);
  ck_assert_int_eq(icx_store_subs_answer(store, 1, &answer), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_subs_answer_has(store, 1, names, 4, has), ICX_OK);
  ck_assert(!has[0] && !has[1] && !has[2] && !has[3]);

  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<r/>", NULL, "cloud2\ncloud5", &a),
                   ICX_OK);
  ck_assert_int_eq(icx_store_subs_add(store, "b@x.test", "<r/>", NULL, NULL, &b), ICX_OK);
  ck_assert_int_eq(icx_store_subs_version(store, &v1), ICX_OK);
  ck_assert(v1 > 0);
  /* An add and a remove: by one each. */
  ck_assert_int_eq(icx_store_subs_add(store, "c@x.test", "<r/>", NULL, NULL, &c), ICX_OK);
  ck_assert_int_eq(icx_store_subs_remove(store, b, NULL), ICX_OK);
  ck_assert_int_eq(icx_store_subs_version(store, &v2), ICX_OK);
  ck_assert(v2 == v1 + 2);
  /* Removing nothing, and keeping answers, do not move it. */
  ck_assert_int_eq(icx_store_subs_remove(store, b, NULL), ICX_ERR_NOT_FOUND);
  ck_assert_int_eq(icx_store_subs_set_answer(store, c, "cloud1"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_set_answer(store, c, ""), ICX_OK);
  ck_assert_int_eq(icx_store_subs_version(store, &v1), ICX_OK);
  ck_assert(v1 == v2);

  /* An answer kept as text (a store of an older icxd). */
  ck_assert_int_eq(icx_store_subs_answer(store, a, &answer), ICX_OK);
  ck_assert_str_eq(answer, "cloud2\ncloud5");
  icx_free(ctx, answer);
  ck_assert_int_eq(icx_store_subs_answer_has(store, a, names, 4, has), ICX_OK);
  ck_assert(!has[0] && has[1] && has[2] && !has[3]);
  /* As rows, edited. */
  ck_assert_int_eq(icx_store_subs_set_answer(store, a, "cloud2\ncloud5"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_answer_edit(store, a, add, 1, names + 1, 1), ICX_OK);
  ck_assert_int_eq(icx_store_subs_answer_has(store, a, names, 4, has), ICX_OK);
  ck_assert(!has[0] && !has[1] && has[2] && has[3]);
  ck_assert_int_eq(icx_store_subs_answer(store, a, &answer), ICX_OK);
  ck_assert_str_eq(answer, "cloud5\ncloud9");
  icx_free(ctx, answer);
  /* An empty answer of another subscription. */
  ck_assert_int_eq(icx_store_subs_answer(store, c, &answer), ICX_OK);
  ck_assert_str_eq(answer, "");
  icx_free(ctx, answer);
  ck_assert_int_eq(icx_store_subs_answer_has(store, c, names, 4, has), ICX_OK);
  ck_assert(!has[0] && !has[1] && !has[2] && !has[3]);
  ck_assert_int_eq(icx_store_subs_version(store, NULL), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_version(NULL, &v1), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_answer(store, a, NULL), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_answer_has(store, a, NULL, 1, has), ICX_ERR_MISUSE);
}
END_TEST

/* Adds n subscriptions of jid to st, then removes those whose bit is
 * set in drop (bit i: the i-th added). */
static void
subs_make(icx_store *st, const char *jid, int n, unsigned drop)
{
  long long id[8];
  int i;

  for (i = 0; i < n; i++)
    ck_assert_int_eq(icx_store_subs_add(st, jid, "<r/>", NULL, NULL, &id[i]), ICX_OK);
  for (i = 0; i < n; i++)
    if (drop & (1u << i))
      ck_assert_int_eq(icx_store_subs_remove(st, id[i], NULL), ICX_OK);
}

/* Another file put in the store's place, holding as many subscriptions
 * with ids of the same sum (1 and 4 here, 2 and 3 there): a reader that
 * opens the path again must see a change. */
START_TEST(test_version_replaced_store)
{
  char *other = tu_path(fx.dir, "other.db");
  icx_store *o = NULL;
  long long before, after;
  icx_sub_row *rows;
  size_t n;

  subs_make(store, "a@x.test", 4, 0x6);          /* ids 1 and 4 */
  ck_assert_int_eq(icx_store_subs_version(store, &before), ICX_OK);
  ck_assert_int_eq(icx_store_open(ctx, other, ICX_STORE_CREATE, &o), ICX_OK);
  subs_make(o, "b@x.test", 3, 0x1);              /* ids 2 and 3 */
  icx_store_free(o);
  icx_store_free(store);
  store = NULL;
  ck_assert_int_eq(rename(other, db), 0);
  ck_assert_int_eq(icx_store_open(ctx, db, 0, &store), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(store, NULL, &rows, &n), ICX_OK);
  ck_assert(n == 2 && rows[0].id + rows[1].id == 5 && !strcmp(rows[0].jid, "b@x.test"));
  icx_store_subs_free_rows(store, rows, n);
  ck_assert_int_eq(icx_store_subs_version(store, &after), ICX_OK);
  ck_assert(after != before);
  free(other);
}
END_TEST

/* A store whose subscriptions table was made before its version (as an
 * older icx made it): it reads, its version does not move while nobody
 * writes, and its first change makes the version and moves it. */
START_TEST(test_version_older_table)
{
  sqlite3 *h = icx_store_db(store);
  long long v0, v1, v2, id;
  icx_sub_row *rows;
  size_t n;

  ck_assert_int_eq(sqlite3_exec(h,
                                "CREATE TABLE subscriptions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                " jid TEXT NOT NULL, request TEXT NOT NULL, options TEXT NOT NULL"
                                " DEFAULT '', answer TEXT NOT NULL DEFAULT '', created TEXT NOT"
                                " NULL); CREATE INDEX subscriptions_jid ON subscriptions (jid);"
                                "INSERT INTO subscriptions (jid, request, answer, created) VALUES"
                                " ('a@x.test', '<r/>', 'c1', '2026-01-01T00:00:00Z'),"
                                " ('b@x.test', '<r/>', '', '2026-01-01T00:00:00Z')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(icx_store_subs_version(store, &v0), ICX_OK);
  ck_assert(v0 < 0);
  ck_assert_int_eq(icx_store_subs_version(store, &v1), ICX_OK);
  ck_assert(v1 == v0);
  ck_assert_int_eq(icx_store_subs_list(store, NULL, &rows, &n), ICX_OK);
  ck_assert(n == 2 && !strcmp(rows[0].answer, "c1"));
  icx_store_subs_free_rows(store, rows, n);
  ck_assert_int_eq(icx_store_subs_remove(store, 2, NULL), ICX_OK);
  ck_assert_int_eq(icx_store_subs_version(store, &v1), ICX_OK);
  ck_assert(v1 > 0);
  ck_assert_int_eq(icx_store_subs_add(store, "c@x.test", "<r/>", NULL, NULL, &id), ICX_OK);
  ck_assert(id == 3);
  ck_assert_int_eq(icx_store_subs_version(store, &v2), ICX_OK);
  ck_assert(v2 == v1 + 1);
}
END_TEST

/* Tables: one made inside a transaction rolled back is made again; one
 * another handle made after this one looked is found. */
START_TEST(test_tables_seen)
{
  icx_store *other;
  long long id, v;
  size_t n;

  ck_assert_int_eq(icx_store_open(ctx, db, 0, &other), ICX_OK);
  ck_assert_int_eq(icx_store_subs_version(other, &v), ICX_OK);
  ck_assert(v == 0);
  ck_assert_int_eq(icx_store_subs_begin(store), ICX_OK);
  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<r/>", NULL, NULL, &id), ICX_OK);
  ck_assert_int_eq(icx_store_subs_set_answer(store, id, "c1"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_end(store, 0), ICX_OK);
  ck_assert_int_eq(icx_store_subs_count(store, NULL, &n), ICX_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(icx_store_subs_add(store, "a@x.test", "<r/>", NULL, NULL, &id), ICX_OK);
  ck_assert_int_eq(icx_store_subs_set_answer(store, id, "c1"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_count(other, NULL, &n), ICX_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(icx_store_subs_version(other, &v), ICX_OK);
  ck_assert(v > 0);
  icx_store_free(other);
}
END_TEST

/* Rows are on the context's allocator: each allocation of a listing
 * refused in turn fails it whole, and the rows given back return every
 * block. */
START_TEST(test_rows_on_context_allocator)
{
  tu_mem m;
  icx_ctx *mc;
  icx_store *ms;
  icx_sub_row *rows;
  unsigned long k;
  long long id;
  size_t n;
  long live;
  icx_rc rc;

  memset(&m, 0, sizeof m);
  mc = tu_ctx_mem(&m);
  ck_assert_int_eq(icx_store_open(mc, db, 0, &ms), ICX_OK);
  ck_assert_int_eq(icx_store_subs_add(ms, "a@x.test", "<r/>", NULL, NULL, &id), ICX_OK);
  ck_assert_int_eq(icx_store_subs_set_answer(ms, id, "c1\nc2"), ICX_OK);
  ck_assert_int_eq(icx_store_subs_list(ms, NULL, &rows, &n), ICX_OK);   /* statements kept */
  icx_store_subs_free_rows(ms, rows, n);
  live = m.live;
  for (k = 1; k < 100; k++) {
    m.count = m.failed = 0;
    m.fail_at = k;
    m.armed = 1;
    rc = icx_store_subs_list(ms, NULL, &rows, &n);
    m.armed = 0;
    if (rc == ICX_OK)
      break;
    ck_assert_int_eq(rc, ICX_ERR_NOMEM);
    ck_assert(rows == NULL && n == 0);
    ck_assert_int_eq(m.live, live);
  }
  ck_assert_uint_gt(k, 1);
  ck_assert(n == 1 && !strcmp(rows[0].answer, "c1\nc2"));
  icx_store_subs_free_rows(ms, rows, n);
  ck_assert_int_eq(m.live, live);
  icx_store_free(ms);
  icx_ctx_free(mc);
  ck_assert_int_eq(m.live, 0);
}
END_TEST

START_TEST(test_misuse)
{
  long long id;
  size_t n;

  ck_assert_int_eq(icx_store_subs_add(NULL, "a", "r", NULL, NULL, &id), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_add(store, NULL, "r", NULL, NULL, &id), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_add(store, "a", NULL, NULL, NULL, &id), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_count(store, NULL, NULL), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_remove_jid(store, NULL, &n), ICX_ERR_MISUSE);
  ck_assert_int_eq(icx_store_subs_list(store, NULL, NULL, &n), ICX_ERR_MISUSE);
  icx_store_subs_free_rows(store, NULL, 0);
}
END_TEST

static Suite *
store_subs_suite(void)
{
  Suite *s = suite_create("store_subs");
  TCase *tc = tcase_create("core");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_empty_store);
  tcase_add_test(tc, test_add_list_remove);
  tcase_add_test(tc, test_reopen_and_readonly);
  tcase_add_test(tc, test_answer_rows);
  tcase_add_test(tc, test_version_and_answer_reads);
  tcase_add_test(tc, test_version_replaced_store);
  tcase_add_test(tc, test_version_older_table);
  tcase_add_test(tc, test_tables_seen);
  tcase_add_test(tc, test_rows_on_context_allocator);
  tcase_add_test(tc, test_misuse);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(store_subs_suite());
}

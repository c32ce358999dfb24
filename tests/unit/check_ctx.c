/* check_ctx.c - the context and the result codes of engine/base
 * (icx_ctx.h, icx_ctx_internal.h, icx_error.h): log sinks and levels, the
 * detailed message, diagnostics, time limits, icx_strerror(). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "icx_ctx_internal.h"
#include "icx_error.h"

typedef struct seen {
  int calls;
  icx_log_level level;
  char area[32];
  char msg[256];
} seen;

static void
remember(void *ud, icx_log_level level, const char *area, const char *msg)
{
  seen *s = ud;

  s->calls++;
  s->level = level;
  snprintf(s->area, sizeof s->area, "%s", area);
  snprintf(s->msg, sizeof s->msg, "%s", msg);
}

START_TEST(free_of_null_is_a_no_op)
{
  icx_ctx_free(NULL);
  ck_assert_str_eq(icx_ctx_errmsg(NULL), "");
}
END_TEST

START_TEST(logger_gets_what_its_level_lets_through)
{
  icx_ctx *ctx = icx_ctx_new();
  seen s;

  memset(&s, 0, sizeof s);
  ck_assert_ptr_nonnull(ctx);
  ck_assert_int_eq(icx_ctx_log_level(ctx), ICX_LOG_WARN);
  icx_ctx_set_logger(ctx, remember, &s);
  icx_log(ctx, ICX_LOG_INFO, "test", "hidden %d", 1);
  ck_assert_int_eq(s.calls, 0);
  icx_log(ctx, ICX_LOG_WARN, "test", "shown %d", 2);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(s.level, ICX_LOG_WARN);
  ck_assert_str_eq(s.area, "test");
  ck_assert_str_eq(s.msg, "shown 2");
  icx_ctx_set_log_level(ctx, ICX_LOG_DEBUG);
  icx_log(ctx, ICX_LOG_DEBUG, "test", "now shown");
  ck_assert_int_eq(s.calls, 2);
  icx_ctx_set_log_level(ctx, (icx_log_level)42);       /* out of range: ignored */
  ck_assert_int_eq(icx_ctx_log_level(ctx), ICX_LOG_DEBUG);
  icx_ctx_set_logger(ctx, NULL, NULL);                 /* back to stderr */
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  icx_log(ctx, ICX_LOG_WARN, "test", "to nobody");
  ck_assert_int_eq(s.calls, 2);
  icx_log(NULL, ICX_LOG_ERROR, "test", "no context: dropped");
  icx_ctx_free(ctx);
}
END_TEST

START_TEST(failure_message_is_kept_until_cleared)
{
  icx_ctx *ctx = icx_ctx_new();

  ck_assert_str_eq(icx_ctx_errmsg(ctx), "");
  ck_assert_int_eq(icx_fail(ctx, ICX_ERR_STORE, "cannot open %s", "x.db"), ICX_ERR_STORE);
  ck_assert_str_eq(icx_ctx_errmsg(ctx), "cannot open x.db");
  icx_clear_error(ctx);
  ck_assert_str_eq(icx_ctx_errmsg(ctx), "");
  icx_ctx_free(ctx);
}
END_TEST

START_TEST(diagnostics_collect_only_while_asked)
{
  icx_ctx *ctx = icx_ctx_new();
  icx_diag d;

  ck_assert_int_eq(icx_diag_collect(ctx, "nobody listens"), 0);
  icx_diag_begin(ctx, &d);
  ck_assert_int_eq(icx_diag_collect(ctx, "line 3: first"), 1);
  ck_assert_int_eq(icx_diag_collect(ctx, "line 9: second"), 1);
  icx_diag_end(ctx);
  ck_assert_int_eq(d.errors, 2);
  ck_assert_str_eq(d.first, "line 3: first");
  ck_assert_int_eq(icx_diag_collect(ctx, "after the end"), 0);
  icx_ctx_free(ctx);
}
END_TEST

START_TEST(deadlines_follow_the_time_limit)
{
  icx_ctx *ctx = icx_ctx_new();
  int outer, inner;

  ck_assert_uint_eq(icx_ctx_time_limit(ctx), 0);
  ck_assert_int_eq(icx_deadline_start(ctx), 0);        /* no limit, no deadline */
  ck_assert_int_eq(icx_deadline_passed(ctx), 0);
  icx_ctx_set_time_limit(ctx, 30);
  ck_assert_uint_eq(icx_ctx_time_limit(ctx), 30);
  outer = icx_deadline_start(ctx);
  inner = icx_deadline_start(ctx);                     /* an outer call set it */
  ck_assert_int_eq(outer, 1);
  ck_assert_int_eq(inner, 0);
  ck_assert_int_eq(icx_deadline_passed(ctx), 0);
  usleep(60 * 1000);
  ck_assert_int_eq(icx_deadline_passed(ctx), 1);
  icx_deadline_stop(ctx, inner);                       /* the inner stop keeps it */
  ck_assert_int_eq(icx_deadline_passed(ctx), 1);
  ck_assert_int_eq(icx_deadline_failure(ctx), ICX_ERR_LIMIT);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "time limit of 30 ms"));
  icx_deadline_stop(ctx, outer);
  ck_assert_int_eq(icx_deadline_passed(ctx), 0);
  icx_ctx_free(ctx);
}
END_TEST

START_TEST(every_code_has_its_own_sentence)
{
  int i, j;

  for (i = ICX_OK; i <= ICX_ERR_LIMIT; i++) {
    const char *a = icx_strerror((icx_rc)i);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_gt(strlen(a), 0);
    for (j = ICX_OK; j < i; j++)
      ck_assert_str_ne(a, icx_strerror((icx_rc)j));
  }
  ck_assert_ptr_nonnull(icx_strerror((icx_rc)999));
}
END_TEST

static Suite *
ctx_suite(void)
{
  Suite *s = suite_create("ctx");
  TCase *tc = tcase_create("ctx");

  tcase_add_test(tc, free_of_null_is_a_no_op);
  tcase_add_test(tc, logger_gets_what_its_level_lets_through);
  tcase_add_test(tc, failure_message_is_kept_until_cleared);
  tcase_add_test(tc, diagnostics_collect_only_while_asked);
  tcase_add_test(tc, deadlines_follow_the_time_limit);
  tcase_add_test(tc, every_code_has_its_own_sentence);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(ctx_suite());
}

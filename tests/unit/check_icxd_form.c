/* check_icxd_form.c - unit tests of icxd_form. */
/* The request form follows the vocabulary, submitted forms become pairs,
 * the result form lists clouds. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_form.h"
#include "icxd_stanza.h"
#include "icxd_worker.h"

START_TEST(form_follows_the_vocabulary)
{
  icx_ctx *ctx = tu_ctx();
  icx_vocab *vocab = tu_vocab(ctx);
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *form = icxd_form_request(x, vocab), *sub, *f;
  icxd_job *job = icxd_job_new(1);
  char err[128];

  ck_assert_ptr_nonnull(form);
  /* One field per attribute but distances (they need a place too: IO Data
   * only), plus FORM_TYPE. */
  {
    size_t i, fields = 1;
    for (i = 0; i < icx_vocab_attribute_count(vocab); i++)
      fields += !icx_attribute_place(icx_vocab_attribute(vocab, i));
    ck_assert_int_eq(tu_icxd_count_named(form, "field"), (int)fields);
    ck_assert_uint_lt(fields, icx_vocab_attribute_count(vocab) + 1);   /* latency */
  }
  for (f = xmpp_stanza_get_children(form); f; f = xmpp_stanza_get_next(f)) {
    const char *type = xmpp_stanza_get_attribute(f, "type");
    if (type && strcmp(type, "list-single") == 0)
      ck_assert_int_gt(tu_icxd_count_named(f, "option"), 0);
  }
  sub = xmpp_stanza_new_from_string(x,
      "<x xmlns='jabber:x:data' type='submit'>"
      "<field var='FORM_TYPE'><value>urn:icx:constraints</value></field>"
      "<field var='replicas'><value>5</value></field>"
      "<field var='availability'><value> </value></field>"
      "<field var='country'><value>Japan</value><value>France</value></field>"
      "</x>");
  ck_assert_int_eq(icxd_form_collect(x, sub, job, err, sizeof err), 0);
  ck_assert_uint_eq(job->n_pairs, 3);     /* blank value and FORM_TYPE skipped */
  ck_assert_str_eq(job->names[0], "replicas");
  ck_assert_str_eq(job->values[2], "France");
  xmpp_stanza_release(sub);
  sub = xmpp_stanza_new_from_string(x,
      "<x xmlns='jabber:x:data' type='submit'><field><value>1</value></field></x>");
  ck_assert_int_eq(icxd_form_collect(x, sub, job, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "no var"));
  xmpp_stanza_release(sub);
  icxd_job_free(job);
  xmpp_stanza_release(form);
  xmpp_ctx_free(x);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
}
END_TEST

/* The result form lists one item per cloud. */
START_TEST(form_result_lists_clouds)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *s;
  char c2[] = "cloud2", c5[] = "cloud5";
  char *clouds[] = { c2, c5 };

  size_t listed = 0;

  s = icxd_form_result(x, clouds, 2, 500, 48 * 1024, &listed);
  ck_assert_int_eq(tu_icxd_count_named(s, "item"), 2);
  ck_assert_uint_eq(listed, 2);
  xmpp_stanza_release(s);
  xmpp_ctx_free(x);
}
END_TEST

/* A result form stays under the answer's limits: it lists the first
 * clouds that fit, its title still counts them all. */
START_TEST(form_result_within_limits)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *s;
  char *clouds[300], *text;
  size_t k, listed = 0, len;

  for (k = 0; k < 300; k++) {
    clouds[k] = malloc(220);
    ck_assert_ptr_nonnull(clouds[k]);
    snprintf(clouds[k], 220, "cloud-%03zu-%0200d&", k, 0);
  }
  /* By count. */
  s = icxd_form_result(x, clouds, 300, 10, 1 << 20, &listed);
  ck_assert_uint_eq(listed, 10);
  ck_assert_int_eq(tu_icxd_count_named(s, "item"), 10);
  text = xmpp_stanza_get_text(icxd_child(s, "title", NULL));
  ck_assert_str_eq(text, "300 matching clouds");
  xmpp_free(x, text);
  xmpp_stanza_release(s);
  /* By bytes, escaping counted: some 250 bytes an item. */
  s = icxd_form_result(x, clouds, 300, 500, 8192, &listed);
  ck_assert_uint_gt(listed, 10);
  ck_assert_uint_lt(listed, 40);
  ck_assert_int_eq(tu_icxd_count_named(s, "item"), (int)listed);
  ck_assert_int_eq(xmpp_stanza_to_text(s, &text, &len), XMPP_EOK);
  ck_assert_uint_le(len, 8192 + 512);
  xmpp_free(x, text);
  xmpp_stanza_release(s);
  /* One item at least, however small the limit. */
  s = icxd_form_result(x, clouds, 300, 500, 16, &listed);
  ck_assert_uint_eq(listed, 1);
  xmpp_stanza_release(s);
  for (k = 0; k < 300; k++)
    free(clouds[k]);
  xmpp_ctx_free(x);
}
END_TEST

static Suite *icxd_form_suite(void)
{
  Suite *s = suite_create("icxd_form");
  TCase *tc = tcase_create("form");

  tcase_add_test(tc, form_follows_the_vocabulary);
  tcase_add_test(tc, form_result_lists_clouds);
  tcase_add_test(tc, form_result_within_limits);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_form_suite());
}

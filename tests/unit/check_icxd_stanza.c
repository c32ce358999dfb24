/* check_icxd_stanza.c - unit tests of icxd_stanza. */
/* The element helpers: comparison, child lookup, counting, adoption, text
 * children. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "icxd_stanza.h"

START_TEST(stanza_is_needs_both)
{
  ck_assert_int_eq(icxd_is("get", "get"), 1);
  ck_assert_int_eq(icxd_is("get", "set"), 0);
  ck_assert_int_eq(icxd_is(NULL, "get"), 0);
  ck_assert_int_eq(icxd_is("get", NULL), 0);
  ck_assert_int_eq(icxd_is(NULL, NULL), 0);
}
END_TEST

START_TEST(stanza_children)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *iq = xmpp_stanza_new_from_string(x,
      "<iq type='get'> text <a xmlns='urn:a'/><b xmlns='urn:b'/>"
      "<a xmlns='urn:c'/></iq>");
  xmpp_stanza_t *c;

  ck_assert_ptr_nonnull(iq);
  ck_assert_int_eq(icxd_count_children(iq), 3);      /* text is no element */
  c = icxd_child(iq, NULL, NULL);
  ck_assert_str_eq(xmpp_stanza_get_name(c), "a");
  c = icxd_child(iq, "a", "urn:c");
  ck_assert_str_eq(xmpp_stanza_get_ns(c), "urn:c");
  c = icxd_child(iq, NULL, "urn:b");
  ck_assert_str_eq(xmpp_stanza_get_name(c), "b");
  ck_assert_ptr_null(icxd_child(iq, "b", "urn:a"));
  ck_assert_ptr_null(icxd_child(NULL, "a", NULL));
  xmpp_stanza_release(iq);
  xmpp_ctx_free(x);
}
END_TEST

START_TEST(stanza_build)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *e = icxd_elem(x, "note", "urn:n"), *t;
  char *text;
  size_t len;

  ck_assert_ptr_nonnull(e);
  t = icxd_add_text_child(x, e, "text", "a < b & c");
  ck_assert_ptr_nonnull(t);
  ck_assert_int_eq(icxd_adopt(e, icxd_elem(x, "empty", NULL)), 0);
  ck_assert_int_eq(xmpp_stanza_to_text(e, &text, &len), XMPP_EOK);
  ck_assert_str_eq(text, "<note xmlns=\"urn:n\"><text>a &lt; b &amp; c</text>"
                         "<empty/></note>");
  xmpp_free(x, text);
  /* A failed adoption releases the child (no leak under ASan). */
  ck_assert_int_eq(icxd_adopt(NULL, icxd_elem(x, "lost", NULL)), -1);
  ck_assert_int_eq(icxd_adopt(e, NULL), -1);
  xmpp_stanza_release(e);
  xmpp_ctx_free(x);
}
END_TEST

static Suite *icxd_stanza_suite(void)
{
  Suite *s = suite_create("icxd_stanza");
  TCase *tc = tcase_create("stanza");

  tcase_add_test(tc, stanza_is_needs_both);
  tcase_add_test(tc, stanza_children);
  tcase_add_test(tc, stanza_build);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_stanza_suite());
}

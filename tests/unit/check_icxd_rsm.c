/* check_icxd_rsm.c - unit tests of icxd_rsm. */
/* Pages of a ranked answer (XEP-0059): forwards, backwards, by index, by
 * size; the <set> of a request read and refused; <matchingClouds> cut. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_rsm.h"
#include "icxd_stanza.h"

static const char *const items[] = { "a", "b", "c", "d", "e" };
static const size_t sizes[] = { 10, 10, 10, 10, 10 };

/* The page of req over the five items: "first+count", or "err". */
static const char *page(const icxd_rsm_req *req, size_t max_items,
                        size_t max_bytes)
{
  static char out[32];
  char err[128];
  size_t first, count;

  if (icxd_rsm_page(req, items, sizes, 5, max_items, max_bytes, &first,
                    &count, err, sizeof err) != 0)
    return "err";
  snprintf(out, sizeof out, "%zu+%zu", first, count);
  return out;
}

START_TEST(rsm_pages)
{
  icxd_rsm_req r;
  char err[128];
  size_t first, count;

  /* No <set>: the default maximum, from the top, ranked order kept. */
  ck_assert_str_eq(page(NULL, 3, 1000), "0+3");
  ck_assert_str_eq(page(NULL, 500, 1000), "0+5");
  /* The byte budget cuts a page too (at least one item). */
  ck_assert_str_eq(page(NULL, 500, 25), "0+2");
  ck_assert_str_eq(page(NULL, 500, 5), "0+1");
  r = tu_icxd_rsm_req(2, -1, "b", NULL);
  ck_assert_str_eq(page(&r, 500, 1000), "2+2");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(2, -1, "e", NULL);            /* past the end: empty page */
  ck_assert_str_eq(page(&r, 500, 1000), "5+0");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(2, -1, NULL, "");             /* <before/>: the last page */
  ck_assert_str_eq(page(&r, 500, 1000), "3+2");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(2, -1, NULL, "d");
  ck_assert_str_eq(page(&r, 500, 1000), "1+2");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(5, -1, NULL, "b");            /* fewer than max before it */
  ck_assert_str_eq(page(&r, 500, 1000), "0+1");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(10, 4, NULL, NULL);
  ck_assert_str_eq(page(&r, 500, 1000), "4+1");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(10, 99, NULL, NULL);
  ck_assert_str_eq(page(&r, 500, 1000), "5+0");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(0, -1, NULL, NULL);           /* max 0: the count only */
  ck_assert_str_eq(page(&r, 500, 1000), "0+0");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(100, -1, NULL, NULL);         /* max above the default */
  ck_assert_str_eq(page(&r, 3, 1000), "0+3");
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(2, -1, "zz", NULL);
  ck_assert_int_eq(icxd_rsm_page(&r, items, sizes, 5, 10, 1000, &first,
                                 &count, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "no cloud named 'zz'"));
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(2, -1, NULL, "zz");
  ck_assert_str_eq(page(&r, 500, 1000), "err");
  icxd_rsm_req_clear(&r);
}
END_TEST

static int parse(xmpp_ctx_t *x, const char *xml, icxd_rsm_req *r, char *err)
{
  xmpp_stanza_t *s = xmpp_stanza_new_from_string(x, xml);
  int rc;

  ck_assert_ptr_nonnull(s);
  icxd_rsm_req_clear(r);    /* what the last parse read */
  rc = icxd_rsm_parse(s, r, err, 256);
  xmpp_stanza_release(s);
  return rc;
}

#define RSM "xmlns='http://jabber.org/protocol/rsm'"

START_TEST(rsm_parse_set)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_rsm_req r;
  char err[256];

  memset(&r, 0, sizeof r);
  ck_assert_int_eq(parse(x, "<in><constraints/></in>", &r, err), 0);
  ck_assert_int_eq(r.present, 0);
  ck_assert_int_eq(r.max, -1);
  ck_assert_int_eq(parse(x, "<in><set " RSM "><max>10</max><after>cloud2"
                         "</after></set></in>", &r, err), 0);
  ck_assert_int_eq(r.present, 1);
  ck_assert_int_eq(r.max, 10);
  ck_assert_str_eq(r.after, "cloud2");
  ck_assert_ptr_null(r.before);
  ck_assert_int_eq(parse(x, "<in><set " RSM "><before/></set></in>", &r, err),
                   0);
  ck_assert_str_eq(r.before, "");
  ck_assert_int_eq(parse(x, "<in><set " RSM "><index>3</index></set></in>",
                         &r, err), 0);
  ck_assert_int_eq(r.index, 3);
  /* A <set> in another namespace is not ours. */
  ck_assert_int_eq(parse(x, "<in><set xmlns='urn:x'><max>x</max></set></in>",
                         &r, err), 0);
  ck_assert_int_eq(r.present, 0);
  ck_assert_int_eq(parse(x, "<in><set " RSM "/><set " RSM "/></in>", &r, err),
                   -1);
  ck_assert_ptr_nonnull(strstr(err, "more than one <set>"));
  ck_assert_int_eq(parse(x, "<in><set " RSM "><max>-1</max></set></in>", &r,
                         err), -1);
  ck_assert_ptr_nonnull(strstr(err, "<max> of <set> must be a number"));
  ck_assert_int_eq(parse(x, "<in><set " RSM "><max>ten</max></set></in>", &r,
                         err), -1);
  ck_assert_int_eq(parse(x, "<in><set " RSM "><after>a</after><before>b"
                         "</before></set></in>", &r, err), -1);
  ck_assert_ptr_nonnull(strstr(err, "both <after> and <before>"));
  ck_assert_int_eq(parse(x, "<in><set " RSM "><after/></set></in>", &r, err),
                   -1);
  ck_assert_int_eq(parse(x, "<in><set " RSM "><index>1</index><after>a"
                         "</after></set></in>", &r, err), -1);
  icxd_rsm_req_clear(&r);
  xmpp_ctx_free(x);
}
END_TEST

#define CSP "xmlns='http://www.csp/resOntology'"

START_TEST(rsm_matching_page)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *pg, *set, *c;
  icxd_rsm_req r = tu_icxd_rsm_req(2, -1, NULL, NULL);
  char err[256], *text;
  size_t len;

  static const char all[] = "<matchingClouds " CSP ">"
                            "<cloudName score='9' degree='exact'>c3"
                            "</cloudName><cloudName score='5' "
                            "degree='narrower'>a1</cloudName>"
                            "<cloudName score='5' degree='exact'>b2"
                            "</cloudName></matchingClouds>";

  pg = icxd_rsm_page_answer(x, all, "matchingClouds", &r, 500, 48 * 1024, err,
                            sizeof err);
  ck_assert_ptr_nonnull(pg);
  ck_assert_int_eq(xmpp_stanza_to_text(pg, &text, &len), XMPP_EOK);
  /* Ranked order kept, attributes kept, the set after the items. */
  ck_assert_ptr_nonnull(strstr(text, "c3</cloudName><cloudName"));
  ck_assert_ptr_nonnull(strstr(text, "a1</cloudName><set"));
  ck_assert_ptr_nonnull(strstr(text, "score=\"9\""));
  ck_assert_ptr_nonnull(strstr(text, "degree=\"narrower\""));
  ck_assert_ptr_null(strstr(text, "b2</cloudName>"));
  xmpp_free(x, text);
  set = icxd_child(pg, "set", ICXD_NS_RSM);
  ck_assert_ptr_nonnull(set);
  c = icxd_child(set, "first", NULL);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "index"), "0");
  text = xmpp_stanza_get_text(c);
  ck_assert_str_eq(text, "c3");
  xmpp_free(x, text);
  text = xmpp_stanza_get_text(icxd_child(set, "last", NULL));
  ck_assert_str_eq(text, "a1");
  xmpp_free(x, text);
  text = xmpp_stanza_get_text(icxd_child(set, "count", NULL));
  ck_assert_str_eq(text, "3");
  xmpp_free(x, text);
  xmpp_stanza_release(pg);
  icxd_rsm_req_clear(&r);

  /* After the last one: no items, no first/last, the count. */
  r = tu_icxd_rsm_req(-1, -1, "b2", NULL);
  pg = icxd_rsm_page_answer(x, all, "matchingClouds", &r, 500, 48 * 1024, err,
                            sizeof err);
  ck_assert_ptr_nonnull(pg);
  ck_assert_ptr_null(icxd_child(pg, "cloudName", NULL));
  set = icxd_child(pg, "set", ICXD_NS_RSM);
  ck_assert_ptr_null(icxd_child(set, "first", NULL));
  ck_assert_ptr_nonnull(icxd_child(set, "count", NULL));
  xmpp_stanza_release(pg);
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(-1, -1, "nope", NULL);
  ck_assert_ptr_null(icxd_rsm_page_answer(x, all, "matchingClouds", &r, 500,
                                          48 * 1024, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "'nope'"));
  icxd_rsm_req_clear(&r);
  xmpp_ctx_free(x);
}
END_TEST

/* list_presence's pages: publishers named by their jid attribute, the
 * list's own attributes on every page, and at most max_bytes of them. */
START_TEST(rsm_page_by_attribute)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *all, *pg, *set, *c;
  icxd_rsm_req r = tu_icxd_rsm_req(-1, -1, "p00@x", NULL);
  char err[256], *text, list[8192];
  size_t len = 0, n;
  int i;

  len += (size_t)snprintf(list + len, sizeof list - len,
                          "<presenceList " CSP " followed='40' max='10000'>");
  for (i = 0; i < 40; i++)
    len += (size_t)snprintf(list + len, sizeof list - len,
                            "<publisher jid='p%02d@x' show='available' seen='true'/>",
                            i);
  snprintf(list + len, sizeof list - len, "</presenceList>");
  all = xmpp_stanza_new_from_string(x, list);
  ck_assert_ptr_nonnull(all);
  pg = icxd_rsm_page_of(x, all, "publisher", "jid", &r, 500, 48 * 1024, err,
                        sizeof err);
  ck_assert_ptr_nonnull(pg);
  ck_assert_str_eq(xmpp_stanza_get_name(pg), "presenceList");
  ck_assert_str_eq(xmpp_stanza_get_attribute(pg, "followed"), "40");
  ck_assert_str_eq(xmpp_stanza_get_attribute(pg, "max"), "10000");
  ck_assert_str_eq(xmpp_stanza_get_ns(pg), "http://www.csp/resOntology");
  c = icxd_child(pg, "publisher", NULL);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "jid"), "p01@x");
  set = icxd_child(pg, "set", ICXD_NS_RSM);
  text = xmpp_stanza_get_text(icxd_child(set, "count", NULL));
  ck_assert_str_eq(text, "40");
  xmpp_free(x, text);
  xmpp_stanza_release(pg);
  icxd_rsm_req_clear(&r);
  /* A byte bound of about three elements: three on the page. */
  r = tu_icxd_rsm_req(-1, -1, NULL, NULL);
  ck_assert_int_eq(xmpp_stanza_to_text(icxd_child(all, "publisher", NULL), &text, &len),
                   XMPP_EOK);
  xmpp_free(x, text);
  pg = icxd_rsm_page_of(x, all, "publisher", "jid", &r, 500, 3 * len + 1, err,
                        sizeof err);
  ck_assert_ptr_nonnull(pg);
  for (n = 0, c = icxd_child(pg, "publisher", NULL); c; c = xmpp_stanza_get_next(c))
    n += icxd_is(xmpp_stanza_get_name(c), "publisher");
  ck_assert_uint_eq(n, 3);
  xmpp_stanza_release(pg);
  xmpp_stanza_release(all);
  xmpp_ctx_free(x);
}
END_TEST

/* Several lists in one answer (list_subscriptions): each gets its page,
 * the limits shared; other children and the attributes stay. */
START_TEST(rsm_page_lists_share)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *pg, *c, *set;
  icxd_rsm_req r = tu_icxd_rsm_req(-1, -1, NULL, NULL);
  char err[256], *text, doc[16384];
  size_t len = 0;
  int i, k, lists = 0;

  len += (size_t)snprintf(doc + len, sizeof doc - len,
                          "<subscriptions xmlns='urn:icx:matches:0' n='2'>");
  for (k = 0; k < 2; k++) {
    len += (size_t)snprintf(doc + len, sizeof doc - len,
                            "<subscription id='%d' clouds='30'>", k + 1);
    for (i = 0; i < 30; i++)
      len += (size_t)snprintf(doc + len, sizeof doc - len,
                              "<cloudName>s%d-c%02d</cloudName>", k, i);
    len += (size_t)snprintf(doc + len, sizeof doc - len, "</subscription>");
  }
  snprintf(doc + len, sizeof doc - len, "<other/></subscriptions>");
  pg = icxd_rsm_page_answer(x, doc, "subscription", &r, 20, 48 * 1024, err,
                            sizeof err);
  ck_assert_msg(pg != NULL, "%s", err);
  ck_assert_str_eq(xmpp_stanza_get_name(pg), "subscriptions");
  ck_assert_str_eq(xmpp_stanza_get_attribute(pg, "n"), "2");
  ck_assert_ptr_nonnull(icxd_child(pg, "other", NULL));
  for (c = xmpp_stanza_get_children(pg); c; c = xmpp_stanza_get_next(c)) {
    if (!icxd_is(xmpp_stanza_get_name(c), "subscription"))
      continue;
    lists++;
    ck_assert_str_eq(xmpp_stanza_get_attribute(c, "clouds"), "30");
    ck_assert_int_eq(icxd_count_children(c), 10 + 1);   /* a half, and <set> */
    set = icxd_child(c, "set", ICXD_NS_RSM);
    text = xmpp_stanza_get_text(icxd_child(set, "count", NULL));
    ck_assert_str_eq(text, "30");
    xmpp_free(x, text);
  }
  ck_assert_int_eq(lists, 2);
  xmpp_stanza_release(pg);
  /* One list named by after=: a page after a name it does not hold. */
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(-1, -1, "nope", NULL);
  ck_assert_ptr_null(icxd_rsm_page_answer(x, doc, "subscription", &r, 20,
                                          48 * 1024, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "nope"));
  icxd_rsm_req_clear(&r);
  xmpp_ctx_free(x);
}
END_TEST

/* A whole answer of 20,000 clouds, escapes in the names: the page
 * after a name, cut by bytes, names unescaped for after= and in <set>.
 * (libstrophe alone took a second or two to read one so large.) */
START_TEST(rsm_page_of_a_large_answer)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *pg, *set;
  icxd_rsm_req r = tu_icxd_rsm_req(-1, -1, "c&<00041>", NULL);
  size_t n = 20000, k, len = 0, cap = n * 64 + 128;
  char err[256], *doc = malloc(cap), *text;

  ck_assert_ptr_nonnull(doc);
  len += (size_t)snprintf(doc, cap, "<matchingClouds " CSP ">");
  for (k = 0; k < n; k++)
    len += (size_t)snprintf(doc + len, cap - len,
                            "<cloudName score='0'>c&amp;&lt;%05zu&gt;</cloudName>", k);
  snprintf(doc + len, cap - len, "</matchingClouds>");
  pg = icxd_rsm_page_answer(x, doc, "matchingClouds", &r, 500, 4096, err,
                            sizeof err);
  ck_assert_msg(pg != NULL, "%s", err);
  ck_assert_int_eq(tu_icxd_count_named(pg, "cloudName") > 0, 1);
  ck_assert_int_lt(tu_icxd_count_named(pg, "cloudName"), 500);
  set = icxd_child(pg, "set", ICXD_NS_RSM);
  text = xmpp_stanza_get_text(icxd_child(set, "first", NULL));
  ck_assert_str_eq(text, "c&<00042>");
  xmpp_free(x, text);
  ck_assert_str_eq(xmpp_stanza_get_attribute(icxd_child(set, "first", NULL), "index"),
                   "42");
  text = xmpp_stanza_get_text(icxd_child(set, "count", NULL));
  ck_assert_str_eq(text, "20000");
  xmpp_free(x, text);
  xmpp_stanza_release(pg);
  icxd_rsm_req_clear(&r);
  free(doc);
  xmpp_ctx_free(x);
}
END_TEST

static Suite *icxd_rsm_suite(void)
{
  Suite *s = suite_create("icxd_rsm");
  TCase *tc = tcase_create("rsm");

  tcase_add_test(tc, rsm_pages);
  tcase_add_test(tc, rsm_parse_set);
  tcase_add_test(tc, rsm_matching_page);
  tcase_add_test(tc, rsm_page_by_attribute);
  tcase_add_test(tc, rsm_page_lists_share);
  tcase_add_test(tc, rsm_page_of_a_large_answer);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_rsm_suite());
}

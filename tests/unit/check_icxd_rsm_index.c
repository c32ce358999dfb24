/* check_icxd_rsm_index.c - unit tests of icxd_rsm_index. */
/* A page cut from an answer's index is the page the tree cuts, for every
 * kind of <set>, on answers with escapes, character references, empty
 * items and both quotes; a text of another shape is not indexed. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_rsm.h"
#include "icxd_rsm_index.h"
#include "icxd_stanza.h"

#define CSP "xmlns='http://www.csp/resOntology'"

/* A page as text, or "error: ..." */
static char *page_text(xmpp_ctx_t *x, xmpp_stanza_t *pg, const char *err)
{
  char *text, *out;
  size_t len;

  if (!pg) {
    out = malloc(strlen(err) + 8);
    sprintf(out, "error: %s", err);
    return out;
  }
  ck_assert_int_eq(xmpp_stanza_to_text(pg, &text, &len), XMPP_EOK);
  out = strdup(text);
  xmpp_free(x, text);
  xmpp_stanza_release(pg);
  return out;
}

/* The page of req both ways: the same text, or the same error. */
static void same_page(xmpp_ctx_t *x, const char *xml, const char *list,
                      const icxd_rsm_index *ix, const icxd_rsm_req *req,
                      size_t max_items, size_t max_bytes)
{
  char err1[256] = "", err2[256] = "", *a, *b;

  a = page_text(x, icxd_rsm_page_answer(x, xml, list, req,
                                        max_items, max_bytes, err1,
                                        sizeof err1), err1);
  b = page_text(x, icxd_rsm_page_indexed(x, xml, ix, req, max_items,
                                         max_bytes, err2, sizeof err2), err2);
  ck_assert_msg(strcmp(a, b) == 0, "tree: %s\nindex: %s\n(of %s)", a, b, xml);
  free(a);
  free(b);
}

/* Every kind of page of xml, a list of <cloudName> items whose keys are
 * keys[0..n). */
static void every_page_of(xmpp_ctx_t *x, const char *xml, const char *list,
                          const char *const *keys, size_t n)
{
  icxd_rsm_index *ix = icxd_rsm_index_new(xml, list, "cloudName", NULL);
  static const size_t limits[][2] = {{500, 48 * 1024}, {2, 48 * 1024},
                                     {500, 60}, {1, 1}, {3, 150}};
  size_t l, k;
  icxd_rsm_req r;

  ck_assert_msg(ix != NULL, "not indexed: %s", xml);
  ck_assert_uint_eq(icxd_rsm_index_count(ix), n);
  for (l = 0; l < sizeof limits / sizeof limits[0]; l++) {
    size_t mi = limits[l][0], mb = limits[l][1];
    same_page(x, xml, list, ix, NULL, mi, mb);
    for (k = 0; k <= n + 1; k++) {
      r = tu_icxd_rsm_req((long)k, -1, NULL, NULL);
      same_page(x, xml, list, ix, &r, mi, mb);
      icxd_rsm_req_clear(&r);
      r = tu_icxd_rsm_req(-1, (long)k, NULL, NULL);
      same_page(x, xml, list, ix, &r, mi, mb);
      icxd_rsm_req_clear(&r);
    }
    for (k = 0; k < n; k++) {
      r = tu_icxd_rsm_req(-1, -1, keys[k], NULL);
      same_page(x, xml, list, ix, &r, mi, mb);
      icxd_rsm_req_clear(&r);
      r = tu_icxd_rsm_req(2, -1, NULL, keys[k]);
      same_page(x, xml, list, ix, &r, mi, mb);
      icxd_rsm_req_clear(&r);
    }
    r = tu_icxd_rsm_req(-1, -1, NULL, "");
    same_page(x, xml, list, ix, &r, mi, mb);
    icxd_rsm_req_clear(&r);
    r = tu_icxd_rsm_req(-1, -1, "no such cloud", NULL);
    same_page(x, xml, list, ix, &r, mi, mb);
    icxd_rsm_req_clear(&r);
    r = tu_icxd_rsm_req(-1, -1, NULL, "no such cloud");
    same_page(x, xml, list, ix, &r, mi, mb);
    icxd_rsm_req_clear(&r);
  }
  icxd_rsm_index_free(ix);
}

static void every_page(xmpp_ctx_t *x, const char *xml, const char *const *keys,
                       size_t n)
{
  every_page_of(x, xml, "matchingClouds", keys, n);
}

START_TEST(index_pages_as_the_tree)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  static const char *const k1[] = {"c3", "a1", "b2"};
  static const char *const k2[] = {"a&b", "<x>", "it's \"q\"", "\xc3\xa9t\xc3\xa9",
                                   "A\xe2\x82\xac", ""};
  static const char *const k3[] = {"only"};

  every_page(x, "<matchingClouds " CSP "><cloudName score='9' degree='exact'>c3"
                "</cloudName><cloudName score='5' degree='narrower'>a1"
                "</cloudName><cloudName score='5' degree='exact'>b2"
                "</cloudName></matchingClouds>", k1, 3);
  /* Escapes, character references, a double-quoted attribute with an
   * escape in it, an empty item, space in tags and around the list. */
  every_page(x, " <matchingClouds " CSP "><cloudName>a&amp;b</cloudName>"
                "<cloudName score=\"1\" note=\"&quot;x&lt;\">&lt;x&gt;</cloudName >"
                "<cloudName>it&apos;s &quot;q&quot;</cloudName>"
                "<cloudName score = '2'>&#233;t&#xe9;</cloudName>"
                "<cloudName>A&#x20AC;</cloudName><cloudName/>"
                "</matchingClouds >\n", k2, 6);
  every_page(x, "<matchingClouds " CSP "><cloudName>only</cloudName></matchingClouds>",
             k3, 1);
  every_page(x, "<matchingClouds " CSP "></matchingClouds>", NULL, 0);
  /* A subscription's answer, and one subscription listed: the list
   * inside one other element. */
  every_page(x, "<subscribed xmlns='urn:icx:matches:0' subscription='4'>"
                "<matchingClouds " CSP "><cloudName>c3</cloudName><cloudName>a1"
                "</cloudName><cloudName>b2</cloudName></matchingClouds></subscribed>",
             k1, 3);
  every_page_of(x, "<subscriptions xmlns='urn:icx:matches:0'><subscription id='7' "
                   "created='2026-12-06T04:00:00Z' clouds='3'><cloudName>c3</cloudName>"
                   "<cloudName>a1</cloudName><cloudName>b2</cloudName></subscription>"
                   "</subscriptions>", "subscription", k1, 3);
  every_page_of(x, "<subscriptions xmlns='urn:icx:matches:0'><subscription id='7' "
                   "clouds='0'></subscription></subscriptions>", "subscription", NULL, 0);
  xmpp_ctx_free(x);
}
END_TEST

/* Random answers: names of letters, escapes and spaces, scores, pages
 * of every kind, against the tree. */
START_TEST(index_pages_as_the_tree_random)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  static const char *const bits[] = {"a", "b", "&amp;", "&lt;", "&gt;", " ", "z9",
                                     "&#65;", "&apos;"};
  static const char *const plain[] = {"a", "b", "&", "<", ">", " ", "z9", "A", "'"};
  unsigned seed = 13;
  int round;

  for (round = 0; round < 40; round++) {
    size_t n = (size_t)(rand_r(&seed) % 12), i, len = 0, cap = 8192;
    char *xml = malloc(cap), **keys = calloc(n + 1, sizeof *keys);
    len += (size_t)snprintf(xml, cap, "<matchingClouds " CSP ">");
    for (i = 0; i < n; i++) {
      size_t parts = 1 + (size_t)(rand_r(&seed) % 4), p, kl = 0;
      keys[i] = calloc(64, 1);
      /* a unique prefix: pages name items by key */
      kl += (size_t)snprintf(keys[i], 64, "n%zu", i);
      len += (size_t)snprintf(xml + len, cap - len,
                              "<cloudName score='%d' degree='%s'>n%zu",
                              rand_r(&seed) % 100 - 50,
                              rand_r(&seed) % 2 ? "exact" : "narrower", i);
      for (p = 0; p < parts; p++) {
        int b = rand_r(&seed) % 9;
        len += (size_t)snprintf(xml + len, cap - len, "%s", bits[b]);
        kl += (size_t)snprintf(keys[i] + kl, 64 - kl, "%s", plain[b]);
      }
      len += (size_t)snprintf(xml + len, cap - len, "</cloudName>");
    }
    snprintf(xml + len, cap - len, "</matchingClouds>");
    every_page(x, xml, (const char *const *)keys, n);
    for (i = 0; i < n; i++)
      free(keys[i]);
    free(keys);
    free(xml);
  }
  xmpp_ctx_free(x);
}
END_TEST

/* Texts a tree reads otherwise than byte for byte, or of another shape,
 * are not indexed (the tree cuts them). */
START_TEST(index_refuses_other_shapes)
{
  static const char *const bad[] = {
      "<other " CSP "><cloudName>a</cloudName></other>",
      "<matchingClouds " CSP "><cloudName>a<b/></cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>a</cloudName><presence/></matchingClouds>",
      "<matchingClouds " CSP "><!-- c --><cloudName>a</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName><![CDATA[a]]></cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>&nbsp;</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>&#0;</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>&#x;</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>&# 65;</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>a\r\nb</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName a='x\ny'>a</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>a</cloudName></matchingClouds>tail",
      "<matchingClouds " CSP "> <cloudName>a</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName>a</cloudName>\n</matchingClouds>",
      "<matchingClouds " CSP "><cloudName>a</cloudName>",
      "<matchingClouds " CSP "><cloudName>a</matchingClouds>",
      "<matchingClouds " CSP "/>",
      "<matchingClouds " CSP "><cloudNames>a</cloudNames></matchingClouds>",
      "<matchingClouds " CSP "><cloudName a=x>a</cloudName></matchingClouds>",
      "<matchingClouds " CSP "><cloudName a='x>a</cloudName></matchingClouds>",
      "",
      /* several lists (their pages share the limits: the tree cuts them) */
      "<subscriptions><subscription id='1'><cloudName>a</cloudName></subscription>"
      "<subscription id='2'><cloudName>b</cloudName></subscription></subscriptions>",
      /* deeper than one element around it, or beside another child */
      "<a><subscribed><matchingClouds><cloudName>a</cloudName></matchingClouds>"
      "</subscribed></a>",
      "<subscribed><matchingClouds><cloudName>a</cloudName></matchingClouds><x/>"
      "</subscribed>",
      "<subscribed><x/><matchingClouds><cloudName>a</cloudName></matchingClouds>"
      "</subscribed>",
      "<subscribed><matchingClouds><cloudName>a</cloudName></matchingClouds>"
      "</other>",
      "<!-- c --><matchingClouds><cloudName>a</cloudName></matchingClouds>",
      "<?xml version='1.0'?><matchingClouds><cloudName>a</cloudName></matchingClouds>",
      /* what a tree counts otherwise: a namespace declared, a prefix */
      "<matchingClouds><cloudName xmlns='x'>a</cloudName></matchingClouds>",
      "<matchingClouds><cloudName x:y='1'>a</cloudName></matchingClouds>",
  };
  size_t i;

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(!icxd_rsm_index_new(bad[i], "matchingClouds", "cloudName", NULL),
                  "indexed: %s", bad[i]);
    ck_assert_msg(!icxd_rsm_index_new(bad[i], "subscription", "cloudName", NULL),
                  "indexed: %s", bad[i]);
  }
}
END_TEST

/* The jids of a page's <publisher> elements and its <set>, as one text. */
static char *publishers_of(xmpp_ctx_t *x, xmpp_stanza_t *pg)
{
  xmpp_stanza_t *c, *set;
  char *out = calloc(1, 4096), *t;

  ck_assert_ptr_nonnull(pg);
  for (c = xmpp_stanza_get_children(pg); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && strcmp(xmpp_stanza_get_name(c), "publisher") == 0) {
      strcat(out, xmpp_stanza_get_attribute(c, "jid"));
      strcat(out, " ");
    }
  set = icxd_child(pg, "set", ICXD_NS_RSM);
  ck_assert_ptr_nonnull(set);
  for (c = xmpp_stanza_get_children(set); c; c = xmpp_stanza_get_next(c)) {
    t = xmpp_stanza_get_text(c);
    strcat(out, xmpp_stanza_get_name(c));
    strcat(out, "=");
    strcat(out, t ? t : "");
    strcat(out, " ");
    if (t)
      xmpp_free(x, t);
  }
  strcat(out, xmpp_stanza_get_attribute(pg, "followed"));
  xmpp_stanza_release(pg);
  return out;
}

/* list_presence's pages: publishers named by their jid attribute, the
 * list's attributes kept; the pages of icxd_rsm_page_of()'s tree when
 * only the count of items cuts them. */
START_TEST(index_by_attribute)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  static const char *const jids[] = {"p0@x", "a&b@x", "p2@x", "p'3@x", "p4@x"};
  static const char text[] =
      "<presenceList " CSP " followed='5' max='10'>"
      "<publisher jid='p0@x' show='chat' seen='true' resources='1'/>"
      "<publisher show='away' jid=\"a&amp;b@x\" seen='true' resources='2'/>"
      "<publisher jid='p2@x' show='xa' seen='false' resources='0'/>"
      "<publisher jid='p&apos;3@x' show='dnd' seen='true' resources='1'/>"
      "<publisher jid='p4@x' show='unavailable' seen='true' resources='0'/>"
      "</presenceList>";
  xmpp_stanza_t *tree = xmpp_stanza_new_from_string(x, text);
  icxd_rsm_index *ix = icxd_rsm_index_new(text, "presenceList", "publisher", "jid");
  char err[256], *a, *b;
  size_t k;

  ck_assert_ptr_nonnull(tree);
  ck_assert_ptr_nonnull(ix);
  ck_assert_uint_eq(icxd_rsm_index_count(ix), 5);
  for (k = 0; k < 10; k++) {   /* after each, then before each */
    icxd_rsm_req r = tu_icxd_rsm_req(2, -1, k < 5 ? jids[k] : NULL,
                                     k < 5 ? NULL : jids[k - 5]);
    a = publishers_of(x, icxd_rsm_page_of(x, tree, "publisher", "jid", &r, 500,
                                          1 << 20, err, sizeof err));
    b = publishers_of(x, icxd_rsm_page_indexed(x, text, ix, &r, 500, 1 << 20, err,
                                               sizeof err));
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    icxd_rsm_req_clear(&r);
  }
  a = publishers_of(x, icxd_rsm_page_indexed(x, text, ix, NULL, 3, 1 << 20, err,
                                             sizeof err));
  ck_assert_str_eq(a, "p0@x a&b@x p2@x first=p0@x last=p2@x count=5 5");
  free(a);
  icxd_rsm_index_free(ix);
  xmpp_stanza_release(tree);
  xmpp_ctx_free(x);
}
END_TEST

/* A broad answer: 200,000 clouds indexed once, then pages deep into it,
 * each as the tree cuts it. */
START_TEST(index_large_answer)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  size_t n = 200000, k, len = 0, cap = n * 64 + 128;
  char *doc = malloc(cap), name[32];
  icxd_rsm_index *ix;
  icxd_rsm_req r;

  ck_assert_ptr_nonnull(doc);
  len += (size_t)snprintf(doc, cap, "<matchingClouds " CSP ">");
  for (k = 0; k < n; k++)
    len += (size_t)snprintf(doc + len, cap - len,
                            "<cloudName score='%zu'>c&amp;%06zu</cloudName>", n - k, k);
  snprintf(doc + len, cap - len, "</matchingClouds>");
  ix = icxd_rsm_index_new(doc, "matchingClouds", "cloudName", NULL);
  ck_assert_ptr_nonnull(ix);
  ck_assert_uint_eq(icxd_rsm_index_count(ix), n);
  snprintf(name, sizeof name, "c&%06zu", n - 7);
  r = tu_icxd_rsm_req(-1, -1, name, NULL);
  same_page(x, doc, "matchingClouds", ix, &r, 500, 4096);
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(100, -1, NULL, "");
  same_page(x, doc, "matchingClouds", ix, &r, 500, 48 * 1024);
  icxd_rsm_req_clear(&r);
  r = tu_icxd_rsm_req(-1, 123456, NULL, NULL);
  same_page(x, doc, "matchingClouds", ix, &r, 500, 48 * 1024);
  icxd_rsm_req_clear(&r);
  icxd_rsm_index_free(ix);
  free(doc);
  xmpp_ctx_free(x);
}
END_TEST

static Suite *icxd_rsm_index_suite(void)
{
  Suite *s = suite_create("icxd_rsm_index");
  TCase *tc = tcase_create("rsm_index");

  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, index_pages_as_the_tree);
  tcase_add_test(tc, index_pages_as_the_tree_random);
  tcase_add_test(tc, index_refuses_other_shapes);
  tcase_add_test(tc, index_by_attribute);
  tcase_add_test(tc, index_large_answer);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_rsm_index_suite());
}

/* check_icxd_fed.c - unit tests of icxd_fed. */
/* The federation part of a request read and refused; the copy sent to
 * peers; answers merged (ranked, tagged, duplicates dropped); fan-outs
 * over a connection that is not up: who is asked, hops and budget, a
 * deadline that fails the silent peers and names them in the warning. */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icx.h"
#include "icxd_config.h"
#include "icxd_conn.h"
#include "icxd_fed.h"
#include "icxd_log.h"
#include "icxd_stanza.h"

#define CSP "xmlns='http://www.csp/resOntology'"
#define FED "xmlns='" ICXD_NS_FEDERATION "'"
#define CONSTRAINT "<constraint><attribute>replicationFactor</attribute>" \
                   "<value>5</value></constraint>"

/* icxd_fed_read() of the <in> given as text: 0 or -1, err filled. */
static int read_in(xmpp_ctx_t *x, const char *text, icxd_fed_req *req,
                   char *err, size_t errlen)
{
  xmpp_stanza_t *in = xmpp_stanza_new_from_string(x, text);
  int rc;

  ck_assert_ptr_nonnull(in);
  err[0] = '\0';
  rc = icxd_fed_read(in, req, err, errlen);
  xmpp_stanza_release(in);
  return rc;
}

START_TEST(fed_read_request)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_req r;
  char err[256];

  /* The paper's request: local only. */
  ck_assert_int_eq(read_in(x, "<in><constraints " CSP ">" CONSTRAINT
                           "</constraints></in>", &r, err, sizeof err), 0);
  ck_assert_int_eq(r.federated, 0);
  ck_assert_uint_eq(r.hops, 0);
  icxd_fed_req_clear(&r);
  ck_assert_int_eq(read_in(x, "<in><constraints " CSP " scope='local'>"
                           CONSTRAINT "</constraints></in>", &r, err,
                           sizeof err), 0);
  ck_assert_int_eq(r.federated, 0);
  icxd_fed_req_clear(&r);
  ck_assert_int_eq(read_in(x, "<in><constraints " CSP " scope='federation'>"
                           CONSTRAINT "</constraints></in>", &r, err,
                           sizeof err), 0);
  ck_assert_int_eq(r.federated, 1);
  ck_assert_uint_eq(r.n_visited, 0);
  icxd_fed_req_clear(&r);
  /* A forwarded request: hops, budget, visited (trimmed). */
  ck_assert_int_eq(read_in(x, "<in><constraints " CSP " scope='federation'>"
                           CONSTRAINT "</constraints><federation " FED
                           " hops='2' budget='750'><visited> a.test "
                           "</visited><visited>b.test</visited></federation>"
                           "</in>", &r, err, sizeof err), 0);
  ck_assert_int_eq(r.federated, 1);
  ck_assert_uint_eq(r.hops, 2);
  ck_assert_uint_eq(r.budget_ms, 750);
  ck_assert_uint_eq(r.n_visited, 2);
  ck_assert_str_eq(r.visited[0], "a.test");
  ck_assert_str_eq(r.visited[1], "b.test");
  icxd_fed_req_clear(&r);
  /* A <federation> in another namespace is not ours (left alone). */
  ck_assert_int_eq(read_in(x, "<in><constraints " CSP ">" CONSTRAINT
                           "</constraints><federation xmlns='urn:other' "
                           "hops='x'/></in>", &r, err, sizeof err), 0);
  icxd_fed_req_clear(&r);
  xmpp_ctx_free(x);
}
END_TEST

START_TEST(fed_read_refuses)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_req r;
  char err[256], text[8192];
  int i;

  ck_assert_int_eq(read_in(x, "<in><constraints " CSP " scope='world'>"
                           CONSTRAINT "</constraints></in>", &r, err,
                           sizeof err), -1);
  ck_assert_str_eq(err, "scope='world' must be local or federation");
  ck_assert_int_eq(read_in(x, "<in><constraints " CSP ">" CONSTRAINT
                           "</constraints><federation " FED " hops='-1'/>"
                           "</in>", &r, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "hops='-1'"));
  ck_assert_int_eq(read_in(x, "<in><federation " FED " hops='101'/></in>",
                           &r, err, sizeof err), -1);
  ck_assert_int_eq(read_in(x, "<in><federation " FED " budget='9x'/></in>",
                           &r, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "budget='9x'"));
  ck_assert_int_eq(read_in(x, "<in><federation " FED "><visited> </visited>"
                           "</federation></in>", &r, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "<visited>"));
  ck_assert_int_eq(read_in(x, "<in><federation " FED "><via>a</via>"
                           "</federation></in>", &r, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "unexpected <via>"));
  /* One visited exchange too many. */
  strcpy(text, "<in><federation " FED ">");
  for (i = 0; i <= ICXD_FED_MAX_VISITED; i++)
    snprintf(text + strlen(text), sizeof text - strlen(text),
             "<visited>x%d.test</visited>", i);
  strcat(text, "</federation></in>");
  ck_assert_int_eq(read_in(x, text, &r, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "more than 64"));
  ck_assert_ptr_null(r.visited);
  xmpp_ctx_free(x);
}
END_TEST

START_TEST(fed_same_exchange)
{
  ck_assert_int_eq(icxd_fed_same_exchange("icx.a.test", "ICX.A.test"), 1);
  ck_assert_int_eq(icxd_fed_same_exchange("bot@a.test/icxd", "bot@a.test"), 1);
  ck_assert_int_eq(icxd_fed_same_exchange("icx.a.test", "icx.a.tes"), 0);
  ck_assert_int_eq(icxd_fed_same_exchange("icx.a.test", NULL), 0);
}
END_TEST

START_TEST(fed_forward_copy)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  xmpp_stanza_t *in = xmpp_stanza_new_from_string(
      x, "<in><constraints " CSP " scope='federation'>" CONSTRAINT
         "</constraints><set xmlns='http://jabber.org/protocol/rsm'><max>1"
         "</max></set><federation " FED " hops='1'><visited>old.test"
         "</visited></federation></in>");
  const char *visited[] = { "old.test", "me.test", "peer.test" };
  xmpp_stanza_t *out, *f;
  icxd_fed_req r;
  char err[256], *text;
  size_t len;

  ck_assert_ptr_nonnull(in);
  out = icxd_fed_forward_in(x, in, 2, 3000, visited, 3);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(xmpp_stanza_to_text(out, &text, &len), XMPP_EOK);
  /* The constraints go unchanged; one <federation>, the new one. */
  ck_assert_ptr_nonnull(strstr(text, "scope=\"federation\""));
  ck_assert_ptr_nonnull(strstr(text, "<value>5</value>"));
  ck_assert_int_eq(tu_icxd_count_named(out, "federation"), 1);
  /* The requester's page is cut from the merged answer, not by peers. */
  ck_assert_int_eq(tu_icxd_count_named(out, "set"), 0);
  xmpp_free(x, text);
  f = icxd_child(out, "federation", ICXD_NS_FEDERATION);
  ck_assert_str_eq(xmpp_stanza_get_attribute(f, "hops"), "2");
  ck_assert_str_eq(xmpp_stanza_get_attribute(f, "budget"), "3000");
  /* And it reads back. */
  ck_assert_int_eq(icxd_fed_read(out, &r, err, sizeof err), 0);
  ck_assert_uint_eq(r.n_visited, 3);
  ck_assert_str_eq(r.visited[2], "peer.test");
  icxd_fed_req_clear(&r);
  xmpp_stanza_release(out);
  xmpp_stanza_release(in);
  xmpp_ctx_free(x);
}
END_TEST

/* A merged answer as "name@exchange:score:degree:jid ..." in order. */
static const char *listed(xmpp_ctx_t *x, const char *xml)
{
  static char out[1024];
  xmpp_stanza_t *top = xmpp_stanza_new_from_string(x, xml), *el;

  ck_assert_ptr_nonnull(top);
  out[0] = '\0';
  for (el = xmpp_stanza_get_children(top); el; el = xmpp_stanza_get_next(el)) {
    char *name = xmpp_stanza_get_text(el);
    const char *jid = xmpp_stanza_get_attribute(el, "jid");

    snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s@%s:%s:%s:%s",
             out[0] ? " " : "", name,
             xmpp_stanza_get_attribute(el, "exchange"),
             xmpp_stanza_get_attribute(el, "score"),
             xmpp_stanza_get_attribute(el, "degree"), jid ? jid : "");
    xmpp_free(x, name);
  }
  xmpp_stanza_release(top);
  return out;
}

START_TEST(fed_merge_answers)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_part parts[3];
  char err[256], *m;

  /* The paper's answers (no scores): by name, each tagged. */
  parts[0].exchange = "icx.root.test";
  parts[0].answer_xml = "<matchingClouds " CSP "/>";
  parts[1].exchange = "icx.b.test";
  parts[1].answer_xml = "<matchingClouds " CSP "><cloudName>cloud5"
                        "</cloudName></matchingClouds>";
  parts[2].exchange = "icx.a.test";
  parts[2].answer_xml = "<matchingClouds " CSP "><cloudName>cloud2"
                        "</cloudName></matchingClouds>";
  m = icxd_fed_merge(parts, 3, err, sizeof err);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(m, "<matchingClouds xmlns=\"http://www.csp/resOntology\">"
                   "<cloudName exchange=\"icx.a.test\">cloud2</cloudName>"
                   "<cloudName exchange=\"icx.b.test\">cloud5</cloudName>"
                   "</matchingClouds>");
  free(m);
  /* Scores rank first; an entry tagged by a further exchange keeps its
   * tag; the same cloud of one exchange twice is kept once; the same
   * name at two exchanges is two offers. */
  parts[0].answer_xml = "<matchingClouds " CSP "><cloudName score='3' "
                        "degree='narrower'>c1</cloudName></matchingClouds>";
  parts[1].answer_xml = "<matchingClouds " CSP "><cloudName score='7' "
                        "degree='exact' jid='c@x.test'>c9</cloudName>"
                        "<cloudName score='3' degree='narrower' "
                        "exchange='icx.d.test'>c4</cloudName></matchingClouds>";
  parts[2].answer_xml = "<matchingClouds " CSP "><cloudName score='3' "
                        "degree='narrower' exchange='icx.d.test'>c4"
                        "</cloudName><cloudName>c1</cloudName>"
                        "</matchingClouds>";
  m = icxd_fed_merge(parts, 3, err, sizeof err);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(listed(x, m), "c9@icx.b.test:7:exact:c@x.test "
                   "c1@icx.root.test:3:narrower: c4@icx.d.test:3:narrower: "
                   "c1@icx.a.test:0:exact:");
  free(m);
  /* An answer that is not one. */
  parts[2].answer_xml = "<explanation " CSP " matching='0'/>";
  ck_assert_ptr_null(icxd_fed_merge(parts, 3, err, sizeof err));
  ck_assert_str_eq(err, "the answer of icx.a.test is not a <matchingClouds>");
  parts[2].answer_xml = "<matchingClouds";
  ck_assert_ptr_null(icxd_fed_merge(parts, 3, err, sizeof err));
  xmpp_ctx_free(x);
}
END_TEST

START_TEST(fed_merge_explanations)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_part parts[2];
  xmpp_stanza_t *e, *c;
  char err[256], *m;

  parts[0].exchange = "icx.root.test";
  parts[0].answer_xml =
      "<explanation " CSP " matching='1'><constraint index='1' "
      "attribute='a' alone='3' remaining='3'/><constraint index='2' "
      "attribute='b' alone='2' remaining='1'/><cloud name='c5' known='false' "
      "matches='false'/><cloud name='c1' known='true' matches='true'/>"
      "<relaxation without='2' clouds='c1'/></explanation>";
  parts[1].exchange = "icx.b.test";
  parts[1].answer_xml =
      "<explanation " CSP " matching='2'><constraint index='1' "
      "attribute='a' alone='4' remaining='4'/><constraint index='2' "
      "attribute='b' alone='2' remaining='2'/><cloud name='c5' known='true' "
      "matches='false'><fails constraint='2'>too low</fails></cloud>"
      "<cloud name='c1' known='false' matches='false'/></explanation>";
  m = icxd_fed_merge_explain(x, parts, 2, 0, err, sizeof err);
  ck_assert_msg(m != NULL, "%s", err);
  e = xmpp_stanza_new_from_string(x, m);
  ck_assert_str_eq(xmpp_stanza_get_attribute(e, "matching"), "3");
  c = icxd_child(e, "constraint", NULL);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "alone"), "7");
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "remaining"), "7");
  /* c5 is explained by b, c1 by this exchange. */
  c = icxd_child(e, "cloud", NULL);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "name"), "c5");
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "known"), "true");
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "exchange"), "icx.b.test");
  ck_assert_ptr_nonnull(icxd_child(c, "fails", NULL));
  ck_assert_int_eq(tu_icxd_count_named(e, "cloud"), 2);
  ck_assert_int_eq(tu_icxd_count_named(e, "exchange"), 2);
  /* Something matches across the exchanges: no relaxation to offer. */
  ck_assert_int_eq(tu_icxd_count_named(e, "relaxation"), 0);
  ck_assert_ptr_nonnull(strstr(m, "exchange=\"icx.root.test\""));
  c = icxd_child(e, "exchange", NULL);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "jid"), "icx.root.test");
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "matching"), "1");
  xmpp_stanza_release(e);
  free(m);
  parts[1].answer_xml = "<matchingClouds " CSP "/>";
  ck_assert_ptr_null(icxd_fed_merge_explain(x, parts, 2, 0, err, sizeof err));
  ck_assert_str_eq(err, "the answer of icx.b.test is not an <explanation>");
  xmpp_ctx_free(x);
}
END_TEST

/* A whole local answer of 20,000 clouds and a peer's page: each cloud of
 * each exchange once, at its best rank, in rank order (the merge was
 * quadratic in the clouds, twice over). */
START_TEST(fed_merge_large_answers)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_part parts[2];
  size_t n = 20000, k, len = 0, cap = n * 80 + 256;
  char err[256], *local = malloc(cap), *m, *p;
  int count = 0;

  ck_assert_ptr_nonnull(local);
  len += (size_t)snprintf(local, cap, "<matchingClouds " CSP ">");
  for (k = 0; k < n; k++)
    len += (size_t)snprintf(local + len, cap - len,
                            "<cloudName score='%zu' degree='exact'>c%05zu</cloudName>",
                            k % 7, k);
  /* c00006 again, ranked lower: kept once, at score 6. */
  snprintf(local + len, cap - len, "<cloudName score='1' degree='narrower'>"
           "c00006</cloudName></matchingClouds>");
  parts[0].exchange = "icx.root.test";
  parts[0].answer_xml = local;
  parts[1].exchange = "icx.b.test";
  parts[1].answer_xml = "<matchingClouds " CSP "><cloudName score='9' "
                        "degree='exact'>c00006</cloudName></matchingClouds>";
  m = icxd_fed_merge(parts, 2, err, sizeof err);
  ck_assert_msg(m != NULL, "%s", err);
  /* The peer's c00006 (9) first, then this exchange's c00006 (6). */
  ck_assert_ptr_nonnull(strstr(m, "<cloudName score=\"9\" degree=\"exact\" "
                                  "exchange=\"icx.b.test\">c00006</cloudName>"
                                  "<cloudName score=\"6\" degree=\"exact\" "
                                  "exchange=\"icx.root.test\">c00006</cloudName>"
                                  "<cloudName score=\"6\" degree=\"exact\" "
                                  "exchange=\"icx.root.test\">c00013</cloudName>"));
  for (p = m; (p = strstr(p, "<cloudName")); p++)
    count++;
  ck_assert_int_eq(count, (int)n + 1);
  free(m);
  free(local);
  xmpp_ctx_free(x);
}
END_TEST

/* A peer's counts are its word, not ours: past what a long holds, below
 * zero or not a number, they are read as the nearest count there is, and
 * their sum stops at the largest (the fuzzer found the overflow). */
START_TEST(fed_merge_explanations_hostile_counts)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_part parts[2];
  xmpp_stanza_t *e, *c;
  char err[256], *m, big[32];

  snprintf(big, sizeof big, "%ld", LONG_MAX);
  parts[0].exchange = "icx.root.test";
  parts[0].answer_xml =
      "<explanation " CSP " matching='9223372036854775807'><constraint "
      "index='1' attribute='a' alone='9223372036854775807' "
      "remaining='-5'/></explanation>";
  parts[1].exchange = "icx.b.test";
  parts[1].answer_xml =
      "<explanation " CSP " matching='99999999999999999999999'><constraint "
      "index='1' attribute='a' alone='12' remaining='x7'/></explanation>";
  m = icxd_fed_merge_explain(x, parts, 2, 0, err, sizeof err);
  ck_assert_msg(m != NULL, "%s", err);
  e = xmpp_stanza_new_from_string(x, m);
  ck_assert_str_eq(xmpp_stanza_get_attribute(e, "matching"), big);
  c = icxd_child(e, "constraint", NULL);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "alone"), big);
  ck_assert_str_eq(xmpp_stanza_get_attribute(c, "remaining"), "0");
  xmpp_stanza_release(e);
  free(m);
  xmpp_ctx_free(x);
}
END_TEST

/* Each exchange keeps its explanation under explain_max_bytes, but the
 * clouds the merge takes from several may add up past it: the merge cuts
 * again, as the engine does (icx_explain_to_xml_within()). */
START_TEST(fed_merge_explanations_within_a_size)
{
  xmpp_ctx_t *x = xmpp_ctx_new(NULL, NULL);
  icxd_fed_part parts[2];
  xmpp_stanza_t *e, *c;
  char err[256], *m, *a, *b, *p, *q;
  size_t k, whole = 0, bare = 0;

  /* Six clouds of this exchange's, each failing 20 constraints in long
   * sentences, nothing matching; the peer knows two more. */
  a = malloc(65536);
  b = malloc(65536);
  ck_assert(a && b);
  p = a + sprintf(a, "<explanation " CSP " matching='0'><constraint index='1' "
                  "attribute='a' alone='0' remaining='0'/>");
  q = b + sprintf(b, "<explanation " CSP " matching='0' cut='true' relaxations='0'>"
                  "<constraint index='1' attribute='a' alone='0' remaining='0'/>");
  for (k = 0; k < 8; k++) {
    size_t f;
    int mine = k < 6;
    p += sprintf(p, "<cloud name='c%zu' known='%s' matches='false'>", k,
                 mine ? "true" : "false");
    q += sprintf(q, "<cloud name='c%zu' known='%s' matches='false'>", k,
                 mine ? "false" : "true");
    for (f = 0; mine && f < 20; f++)
      p += sprintf(p, "<fails constraint='1'>%0200d</fails>", 0);
    for (f = 0; !mine && f < 20; f++)
      q += sprintf(q, "<fails constraint='1'>%0200d</fails>", 0);
    p += sprintf(p, "</cloud>");
    q += sprintf(q, "</cloud>");
  }
  sprintf(p, "<relaxation without='1' matching='3' clouds='c1'/></explanation>");
  sprintf(q, "</explanation>");
  parts[0].exchange = "icx.root.test";
  parts[0].answer_xml = a;
  parts[1].exchange = "icx.b.test";
  parts[1].answer_xml = b;
  /* Room for three clouds whole. */
  m = icxd_fed_merge_explain(x, parts, 2, 16384, err, sizeof err);
  ck_assert_msg(m != NULL, "%s", err);
  ck_assert_uint_le(strlen(m), 16384);
  e = xmpp_stanza_new_from_string(x, m);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(xmpp_stanza_get_attribute(e, "cut"), "true");
  ck_assert_str_eq(xmpp_stanza_get_attribute(e, "relaxations"), "1");
  ck_assert_int_eq(tu_icxd_count_named(e, "cloud"), 8);
  for (c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c) || strcmp(xmpp_stanza_get_name(c), "cloud"))
      continue;
    if (icxd_child(c, "fails", NULL)) {
      ck_assert_ptr_null(xmpp_stanza_get_attribute(c, "failures"));
      whole++;
    } else {
      ck_assert_str_eq(xmpp_stanza_get_attribute(c, "failures"), "20");
      ck_assert_str_eq(xmpp_stanza_get_attribute(c, "known"), "true");
      bare++;
    }
  }
  ck_assert_uint_ge(whole, 1);
  ck_assert_uint_ge(bare, 1);
  ck_assert_int_eq(tu_icxd_count_named(e, "exchange"), 2);
  xmpp_stanza_release(e);
  free(m);
  /* No limit: every cloud whole; cut only because the peer's was. */
  m = icxd_fed_merge_explain(x, parts, 2, 0, err, sizeof err);
  ck_assert_msg(m != NULL, "%s", err);
  e = xmpp_stanza_new_from_string(x, m);
  ck_assert_str_eq(xmpp_stanza_get_attribute(e, "cut"), "true");
  ck_assert_int_eq(tu_icxd_count_named(e, "relaxation"), 1);
  ck_assert_int_eq(tu_icxd_count_named(e, "fails"), 0);   /* children of clouds */
  ck_assert_ptr_null(strstr(m, "failures="));
  xmpp_stanza_release(e);
  free(m);
  free(a);
  free(b);
  xmpp_ctx_free(x);
}
END_TEST

/* A federation over a connection that is never started: what is sent is
 * dropped, so every peer stays silent. */
typedef struct fed_world {
  icxd_config *cfg;
  icxd_logger log;
  icxd_conn *conn;
  icxd_fed *fed;
  xmpp_ctx_t *x;
} fed_world;

static void world_new(fed_world *w, const char *peers)
{
  char err[256];
  char *list, *tok, *save = NULL;

  memset(w, 0, sizeof *w);
  w->cfg = icxd_config_new();
  ck_assert_ptr_nonnull(w->cfg);
  w->cfg->jid = strdup("icx.me.test");
  w->cfg->host = strdup("127.0.0.1");
  w->cfg->port = 9;
  w->cfg->secret = strdup("s");
  list = strdup(peers);
  for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    w->cfg->fed_peers = realloc(w->cfg->fed_peers,
                                (w->cfg->n_fed_peers + 1) * sizeof(char *));
    w->cfg->fed_peers[w->cfg->n_fed_peers++] = strdup(tok);
  }
  free(list);
  icxd_logger_init(&w->log, ICXD_LOG_ERROR, 0);
  w->conn = icxd_conn_new(w->cfg, &w->log, err, sizeof err);
  ck_assert_msg(w->conn != NULL, "%s", err);
  w->fed = icxd_fed_new(w->conn, w->cfg, &w->log);
  ck_assert_ptr_nonnull(w->fed);
  w->x = icxd_conn_xmpp_ctx(w->conn);
}

static void world_free(fed_world *w)
{
  icxd_fed_free(w->fed);
  icxd_conn_free(w->conn);
  icxd_logger_close(&w->log);
  icxd_config_free(w->cfg);
}

/* Starts a fan-out of job id for the <in> given as text. */
static int world_start(fed_world *w, uint64_t id, const char *text)
{
  xmpp_stanza_t *in = xmpp_stanza_new_from_string(w->x, text);
  icxd_fed_req r;
  char err[256];
  int n;

  ck_assert_ptr_nonnull(in);
  ck_assert_int_eq(icxd_fed_read(in, &r, err, sizeof err), 0);
  n = icxd_fed_start(w->fed, id, ICXD_JOB_MATCH, in, &r);
  icxd_fed_req_clear(&r);
  xmpp_stanza_release(in);
  return n;
}

#define FEDERATED "<in><constraints " CSP " scope='federation'>" \
                  CONSTRAINT "</constraints>"

START_TEST(fed_fanout_peers)
{
  fed_world w;

  world_new(&w, "icx.a.test icx.b.test ICX.A.test icx.me.test");
  /* Without the scope: nobody is asked. */
  ck_assert_int_eq(world_start(&w, 1, "<in><constraints " CSP ">" CONSTRAINT
                               "</constraints></in>"), 0);
  /* With it: each peer once, never itself. */
  ck_assert_int_eq(world_start(&w, 2, FEDERATED "</in>"), 2);
  ck_assert_int_eq(icxd_fed_pending(w.fed, 2), 1);
  ck_assert_int_eq(icxd_fed_pending(w.fed, 1), 0);
  /* Visited peers are skipped; none left: local only. */
  ck_assert_int_eq(world_start(&w, 3, FEDERATED "<federation " FED " hops='1'"
                               " budget='4000'><visited>icx.a.test</visited>"
                               "</federation></in>"), 1);
  ck_assert_int_eq(world_start(&w, 4, FEDERATED "<federation " FED " hops='1'"
                               "><visited>icx.a.test</visited><visited>"
                               "icx.b.test</visited></federation></in>"), 0);
  /* max_hops reached, or a budget too small to share: local only. */
  ck_assert_int_eq(world_start(&w, 5, FEDERATED "<federation " FED
                               " hops='3'/></in>"), 0);
  ck_assert_int_eq(world_start(&w, 6, FEDERATED "<federation " FED
                               " hops='1' budget='60'/></in>"), 0);
  w.cfg->fed_max_hops = 0;
  ck_assert_int_eq(world_start(&w, 7, FEDERATED "</in>"), 0);
  ck_assert_uint_eq(icxd_fed_count(w.fed), 2);
  world_free(&w);
}
END_TEST

START_TEST(fed_fanout_deadline)
{
  fed_world w;
  icxd_job *job = icxd_job_new(2), *back;

  world_new(&w, "icx.a.test icx.b.test");
  w.cfg->fed_peer_timeout_ms = 1000;
  ck_assert_int_eq(world_start(&w, 2, FEDERATED "</in>"), 2);
  /* The local answer, the paper's. */
  job->kind = ICXD_JOB_MATCH;
  job->rc = ICX_OK;
  job->answer_xml = strdup("<matchingClouds " CSP "><cloudName>cloud2"
                           "</cloudName></matchingClouds>");
  /* Nothing is done before the local answer is parked ... */
  ck_assert_ptr_null(icxd_fed_take_done(w.fed, icxd_now_ms()));
  icxd_fed_park(w.fed, job);
  ck_assert_int_eq(icxd_fed_pending(w.fed, 2), 0);
  /* ... nor before the deadline while peers are silent. */
  ck_assert_ptr_null(icxd_fed_take_done(w.fed, icxd_now_ms()));
  back = icxd_fed_take_done(w.fed, icxd_now_ms() + 1500);
  ck_assert_ptr_eq(back, job);
  ck_assert_int_eq(job->rc, ICX_OK);
  ck_assert_str_eq(job->answer_xml,
                   "<matchingClouds xmlns=\"http://www.csp/resOntology\">"
                   "<cloudName exchange=\"icx.me.test\">cloud2</cloudName>"
                   "</matchingClouds>");
  ck_assert_ptr_nonnull(job->warn);
  ck_assert_str_eq(job->warn, "partial answer: icx.a.test timed out after "
                   "1000 ms; icx.b.test timed out after 1000 ms");
  ck_assert_uint_eq(icxd_fed_count(w.fed), 0);
  icxd_job_free(job);
  /* A failed local answer comes back as it was. */
  ck_assert_int_eq(world_start(&w, 3, FEDERATED "</in>"), 2);
  job = icxd_job_new(3);
  job->kind = ICXD_JOB_MATCH;
  job->rc = ICX_ERR_CONSTRAINT;
  job->errmsg = strdup("unknown attribute");
  icxd_fed_park(w.fed, job);
  back = icxd_fed_take_done(w.fed, icxd_now_ms() + 1500);
  ck_assert_ptr_eq(back, job);
  ck_assert_int_eq(job->rc, ICX_ERR_CONSTRAINT);
  ck_assert_ptr_null(job->warn);
  icxd_job_free(job);
  /* A fan-out whose local answer never came is freed with the rest. */
  ck_assert_int_eq(world_start(&w, 4, FEDERATED "</in>"), 2);
  world_free(&w);
}
END_TEST

START_TEST(fed_directory)
{
  fed_world w;
  xmpp_stanza_t *q;
  char *text;
  size_t len;

  world_new(&w, "icx.a.test");
  w.cfg->fed_root = 1;
  ck_assert_int_eq(icxd_fed_register(w.fed, "icx.b.test", 1000), 1);
  ck_assert_int_eq(icxd_fed_register(w.fed, "bot@c.test/icxd", 1000), 1);
  /* Renewed, not doubled; a new resource replaces the old one. */
  ck_assert_int_eq(icxd_fed_register(w.fed, "ICX.B.test", 2000), 0);
  ck_assert_int_eq(icxd_fed_register(w.fed, "bot@c.test/other", 2000), 0);
  ck_assert_uint_eq(icxd_fed_member_count(w.fed), 2);
  ck_assert_str_eq(icxd_fed_member(w.fed, 0), "icx.b.test");
  ck_assert_str_eq(icxd_fed_member(w.fed, 1), "bot@c.test/other");
  ck_assert_ptr_null(icxd_fed_member(w.fed, 2));
  /* disco#items lists them. */
  q = icxd_elem(w.x, "query", ICXD_NS_DISCO_ITEMS);
  ck_assert_int_eq(icxd_fed_disco_items(w.fed, w.x, q), 0);
  ck_assert_int_eq(tu_icxd_count_named(q, "item"), 2);
  ck_assert_int_eq(xmpp_stanza_to_text(q, &text, &len), XMPP_EOK);
  ck_assert_ptr_nonnull(strstr(text, "jid=\"icx.b.test\""));
  xmpp_free(w.x, text);
  xmpp_stanza_release(q);
  /* A federated request goes to the peers and the registered exchanges,
   * each once, the visited ones left out. */
  ck_assert_int_eq(world_start(&w, 1, FEDERATED "</in>"), 3);
  ck_assert_int_eq(world_start(&w, 2, FEDERATED "<federation " FED
                               " hops='1'><visited>icx.b.test</visited>"
                               "</federation></in>"), 2);
  /* A full directory refuses more. */
  while (icxd_fed_member_count(w.fed) < ICXD_FED_MAX_MEMBERS) {
    char jid[64];
    snprintf(jid, sizeof jid, "icx.x%zu.test", icxd_fed_member_count(w.fed));
    ck_assert_int_eq(icxd_fed_register(w.fed, jid, 3000), 1);
  }
  ck_assert_int_eq(icxd_fed_register(w.fed, "icx.more.test", 3000), -1);
  ck_assert_int_eq(icxd_fed_register(w.fed, "icx.b.test", 3000), 0);
  world_free(&w);
}
END_TEST

static Suite *icxd_fed_suite(void)
{
  Suite *s = suite_create("icxd_fed");
  TCase *tc = tcase_create("fed");

  tcase_add_test(tc, fed_read_request);
  tcase_add_test(tc, fed_read_refuses);
  tcase_add_test(tc, fed_same_exchange);
  tcase_add_test(tc, fed_forward_copy);
  tcase_add_test(tc, fed_merge_answers);
  tcase_add_test(tc, fed_merge_explanations);
  tcase_add_test(tc, fed_merge_large_answers);
  tcase_add_test(tc, fed_merge_explanations_within_a_size);
  tcase_add_test(tc, fed_merge_explanations_hostile_counts);
  tcase_add_test(tc, fed_fanout_peers);
  tcase_add_test(tc, fed_fanout_deadline);
  tcase_add_test(tc, fed_directory);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(icxd_fed_suite());
}

/* check_match.c - matching on the shipped clouds: the paper's answer, why
 * each other cloud misses, subsumption, and a new attribute added by an
 * ontology file alone. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static char *dir;

static void
open_loaded(const char *ontology, const char *data)
{
  icx_loader *l;
  char *db = tu_path(dir, "store.db");

  ck_assert_int_eq(icx_vocab_load(ctx, ontology, &vocab), ICX_OK);
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_CREATE, &store), ICX_OK);
  l = icx_loader_new(ctx, vocab, store);
  ck_assert_msg(icx_loader_load_path(l, data) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  icx_loader_free(l);
  free(db);
}

static void
setup(void)
{
  char *data;

  ctx = tu_ctx();
  dir = tu_tmpdir();
  data = tu_path(tu_srcdir(), "data/clouds");
  open_loaded(tu_ontology(), data);
  free(data);
}

static void
teardown(void)
{
  icx_store_free(store);
  icx_vocab_free(vocab);
  tu_rmtree(dir);
  free(dir);
  icx_ctx_free(ctx);
}

static void
expect(const char *xml, const char *names)
{
  char *got = tu_match(ctx, vocab, store, xml);

  ck_assert_msg(!strcmp(got, names), "expected \"%s\", got \"%s\" for %.300s", names, got, xml);
  free(got);
}

START_TEST(paper_request_gives_cloud2_and_cloud5)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);

  expect(xml, "cloud2 cloud5");
  free(xml);
  free(path);
}
END_TEST

/* Relaxing one constraint of the paper's request brings in exactly the
 * cloud that failed on it: each cloud fails for its own reason. */
START_TEST(each_other_cloud_misses_for_its_own_reason)
{
  static const struct { const char *a, *r, *c, *m, *s, *names; } cases[] = {
    { "99.99", "5", "JAPAN", "AMQP", "NFS", "cloud1 cloud2 cloud5" },
    { "99.999", "4", "JAPAN", "AMQP", "NFS", "cloud2 cloud3 cloud5" },
    { "99.999", "5", "GERMANY", "AMQP", "NFS", "cloud4" },
    { "99.999", "5", "JAPAN", "rsync", "NFS", "cloud5 cloud6" },
    { "99.999", "5", "JAPAN", "AMQP", "SMB", "cloud7" },
    { "99.999", "5", "JAPAN", "AMQP", "CIFS", "cloud7" },
    { "99.999", "5", "JAPAN", "AMQP", "NFSv4", "cloud5" },
    { "99.999", "5", "JAPAN", "AMQP", "NFSv3", "" },  /* cloud3 has NFSv3 but 4 copies */
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *xml = tu_constraints("availabilityQuanity", cases[i].a, "replicationFactor", cases[i].r,
                               "tierCountries", cases[i].c, "StorageReplicationMethod", cases[i].m,
                               "InterCloudStorageAccess", cases[i].s, NULL);
    expect(xml, cases[i].names);
    free(xml);
  }
}
END_TEST

START_TEST(constraints_hold_on_one_service)
{
  /* cloud8 has a fast AMQP/NFSv4 service and a durable rsync/S3 one. */
  char *xml = tu_constraints("availability", "99.99999", "accessProtocol", "NFS", NULL);

  expect(xml, "");
  free(xml);
  xml = tu_constraints("availability", "99.99999", NULL);
  expect(xml, "cloud8");
  free(xml);
  xml = tu_constraints("accessProtocol", "S3", "replicationMethod", "rsync", NULL);
  expect(xml, "cloud5 cloud8");
  free(xml);
}
END_TEST

START_TEST(subsumption_and_numbers)
{
  char *xml = tu_constraints("StorageReplicationMethod", "AMQP", NULL);

  /* cloud4 replicates over AMQP 1.0, a kind of AMQP. */
  expect(xml, "cloud1 cloud2 cloud3 cloud4 cloud5 cloud7 cloud8");
  free(xml);
  xml = tu_constraints("StorageReplicationMethod", "AMQP 1.0", NULL);
  expect(xml, "cloud4");
  free(xml);
  xml = tu_constraints("replicationFactor", "8", NULL);
  expect(xml, "cloud4 cloud8");
  free(xml);
  xml = tu_constraints("availability", "100", NULL);
  expect(xml, "");
  free(xml);
  xml = tu_constraints("availability", "0", NULL);
  expect(xml, "cloud1 cloud2 cloud3 cloud4 cloud5 cloud6 cloud7 cloud8");
  free(xml);
}
END_TEST

START_TEST(xml_answer_has_the_paper_shape)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  char *out;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_match_run(ctx, store, set, &m), ICX_OK);
  out = icx_match_to_xml(m, 0);
  ck_assert_str_eq(out, "<matchingClouds xmlns='http://www.csp/resOntology'>"
                        "<cloudName>cloud2</cloudName><cloudName>cloud5</cloudName>"
                        "</matchingClouds>");
  free(out);
  ck_assert_ptr_nonnull(strstr(icx_match_sparql(m), "SELECT ?name"));
  icx_match_free(m);
  icx_match_free(NULL);
  icx_constraints_free(set);
  free(xml);
  free(path);
}
END_TEST

START_TEST(names_are_escaped_in_xml)
{
  static const char *doc =
    "@prefix res: <http://www.csp/resOntology#> .\n"
    "<http://e.example/c> a res:Cloud ; res:cloudName \"a<b>&'c\\\"\" ;"
    " res:offers <http://e.example/s> .\n"
    "<http://e.example/s> a res:StorageService ; res:replicationFactor 42 .\n";
  icx_loader *l = icx_loader_new(ctx, vocab, store);
  char *xml = tu_constraints("replicationFactor", "42", NULL);
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  char *out;

  ck_assert_int_eq(icx_loader_load_buffer(l, "odd.ttl", (const unsigned char *)doc, strlen(doc)),
                   ICX_OK);
  icx_loader_free(l);
  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_match_run(ctx, store, set, &m), ICX_OK);
  out = icx_match_to_xml(m, 0);
  ck_assert_str_eq(out, "<matchingClouds xmlns='http://www.csp/resOntology'>"
                        "<cloudName>a&lt;b&gt;&amp;&apos;c&quot;</cloudName></matchingClouds>");
  free(out);
  icx_match_free(m);
  icx_constraints_free(set);
  free(xml);
}
END_TEST

/* An ontology author adds an attribute with a .ttl file; documents use it;
 * requesters match on it.  No C changes. */
START_TEST(new_attribute_without_code)
{
  char *onto = tu_path(dir, "onto"), *data = tu_path(dir, "data");
  char *f;
  char cmd[4096];

  icx_store_free(store);
  icx_vocab_free(vocab);
  store = NULL;
  vocab = NULL;
  snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s' && rm -f '%s/store.db'", onto, data, dir);
  ck_assert_int_eq(system(cmd), 0);
  tu_copy_ontology(onto);
  f = tu_path(onto, "encryption.ttl");
  tu_write(f,
    "@prefix res: <http://www.csp/resOntology#> .\n"
    "@prefix icxm: <urn:icx:match#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "res:encryption a owl:ObjectProperty, icxm:Attribute ; rdfs:label \"encryption\" ;\n"
    "  icxm:alias \"encryptionAtRest\" ; rdfs:domain res:StorageService ;\n"
    "  rdfs:range res:Cipher ; icxm:rule icxm:includes .\n"
    "res:maxLatencyMs a owl:DatatypeProperty, icxm:Attribute ; rdfs:label \"maxLatencyMs\" ;\n"
    "  rdfs:domain res:StorageService ; rdfs:range xsd:decimal ; icxm:rule icxm:atMost .\n"
    "res:Cipher a owl:Class .\n"
    "res:AES a res:Cipher ; rdfs:label \"AES\" .\n"
    "res:AES256 a res:Cipher ; rdfs:label \"AES-256\" ; skos:broader res:AES .\n"
    "res:ChaCha20 a res:Cipher ; rdfs:label \"ChaCha20\" .\n");
  free(f);
  f = tu_path(data, "x.ttl");
  tu_write(f,
    "@prefix res: <http://www.csp/resOntology#> .\n"
    "<http://x.example/c> a res:Cloud ; res:cloudName \"x\" ; res:offers <http://x.example/s> .\n"
    "<http://x.example/s> a res:StorageService ; res:encryption res:AES256 ;"
    " res:maxLatencyMs 12.5 .\n");
  free(f);
  f = tu_path(data, "y.ttl");
  tu_write(f,
    "@prefix res: <http://www.csp/resOntology#> .\n"
    "<http://y.example/c> a res:Cloud ; res:cloudName \"y\" ; res:offers <http://y.example/s> .\n"
    "<http://y.example/s> a res:StorageService ; res:encryption res:ChaCha20 ;"
    " res:maxLatencyMs 3 .\n");
  free(f);
  open_loaded(onto, data);
  {
    char *xml = tu_constraints("encryptionAtRest", "aes", NULL);
    expect(xml, "x");
    free(xml);
    xml = tu_constraints("maxLatencyMs", "10", NULL);
    expect(xml, "y");
    free(xml);
    xml = tu_constraints("maxLatencyMs", "20", "encryption", "chacha20", NULL);
    expect(xml, "y");
    free(xml);
  }
  free(onto);
  free(data);
}
END_TEST

static Suite *
match_suite(void)
{
  Suite *s = suite_create("match");
  TCase *tc = tcase_create("shipped");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, paper_request_gives_cloud2_and_cloud5);
  tcase_add_test(tc, each_other_cloud_misses_for_its_own_reason);
  tcase_add_test(tc, constraints_hold_on_one_service);
  tcase_add_test(tc, subsumption_and_numbers);
  tcase_add_test(tc, xml_answer_has_the_paper_shape);
  tcase_add_test(tc, names_are_escaped_in_xml);
  tcase_add_test(tc, new_attribute_without_code);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(match_suite());
}

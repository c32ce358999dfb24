/* check_match.c - matching on the shipped clouds: the paper's answer, why
 * each other cloud misses, subsumption, and a new attribute added by an
 * ontology file alone. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "icx_match_internal.h"

static tu_world w;
static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static char *dir;

/* The vocabulary of ontology and a new store holding data (a path). */
static void
open_loaded(const char *ontology, const char *data)
{
  tu_world_load(&w, ontology, data);
  vocab = w.vocab;
  store = w.store;
}

static void
setup(void)
{
  tu_world_shipped(&w);
  ctx = w.ctx;
  dir = w.dir;
  vocab = w.vocab;
  store = w.store;
}

static void
teardown(void)
{
  tu_world_close(&w);
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

/* One question on a new handle: the SQL path answers, the index is not
 * read; once it is, the index answers; the same clouds and scores. */
START_TEST(run_once_spares_a_cold_index)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);
  icx_constraints *set = NULL;
  icx_match *once = NULL, *warm = NULL;
  size_t i;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_int_eq(icx_match_run_once(ctx, store, set, &once), ICX_OK);
  ck_assert_int_eq(icx_match_answered_by(once), ICX_MATCH_PATH_SQL);
  ck_assert_int_eq(icx_match_warm(ctx, vocab, store), ICX_OK);
  ck_assert_int_eq(icx_match_run_once(ctx, store, set, &warm), ICX_OK);
  ck_assert_int_eq(icx_match_answered_by(warm), ICX_MATCH_PATH_INDEX);
  ck_assert_uint_eq(icx_match_count(once), 2);
  ck_assert_uint_eq(icx_match_count(warm), icx_match_count(once));
  for (i = 0; i < icx_match_count(once); i++) {
    ck_assert_str_eq(icx_match_cloud(warm, i), icx_match_cloud(once, i));
    ck_assert_int_eq(icx_match_score(warm, i), icx_match_score(once, i));
  }
  icx_match_free(once);
  icx_match_free(warm);
  icx_constraints_free(set);
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
  icx_free(ctx, out);
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
  icx_free(ctx, out);
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

/* One constraint with an op, as XML. */
static char *
op_constraint(const char *op, const char *attr, const char *v1, const char *v2)
{
  char *x = malloc(1024);

  snprintf(x, 1024, "<constraints xmlns='http://www.csp/resOntology'><constraint op='%s'>"
           "<attribute>%s</attribute>%s%s%s%s%s%s</constraint></constraints>", op, attr,
           v1 ? "<value>" : "", v1 ? v1 : "", v1 ? "</value>" : "",
           v2 ? "<value>" : "", v2 ? v2 : "", v2 ? "</value>" : "");
  return x;
}

START_TEST(operators)
{
  static const struct { const char *op, *attr, *v1, *v2, *names; } cases[] = {
    { "noneOf", "storageAccess", "NFS", NULL, "cloud7 cloud8" },
    { "absent", "availability", NULL, NULL, "" },
    { "allOf", "tierCountry", "JP", "US", "cloud1 cloud2" },
    { "equal", "storageAccess", "NFS", NULL, "cloud1 cloud2 cloud6" },
    { "less", "replicationFactor", "5", NULL, "cloud3 cloud8" },
    { "greater", "availability", "99.999", NULL, "cloud4 cloud5 cloud7 cloud8" },
    { "exists", "replicationMethod", NULL, NULL,
      "cloud1 cloud2 cloud3 cloud4 cloud5 cloud6 cloud7 cloud8" },
    { "notEqual", "replicationMethod", "AMQP", NULL, "cloud4 cloud6 cloud8" },
    { "anyOf", "tierCountry", "Germany", "Korea, Republic of", "cloud4 cloud7" },
    { "atMost", "availability", "99.9", NULL, "cloud8" },
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *xml = op_constraint(cases[i].op, cases[i].attr, cases[i].v1, cases[i].v2);
    expect(xml, cases[i].names);
    free(xml);
  }
}
END_TEST

START_TEST(soft_constraints_rank)
{
  char *path = tu_path(tu_srcdir(), "tests/golden/soft.xml");
  char *xml = tu_read(path, NULL);
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  static const char *const order[] = { "cloud7", "cloud2", "cloud3", "cloud5", "cloud8",
                                       "cloud6", "cloud1" };
  static const int scores[] = { 35, 30, 30, 15, 15, 10, 0 };
  size_t i;
  char *out;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert(icx_constraints_extended(set));
  ck_assert_int_eq(icx_match_run(ctx, store, set, &m), ICX_OK);
  /* By hand: a Japanese tier is required (cloud4 has none); +30 for five
   * nines, -20 for rsync, +10 for no replication factor (nobody), +5 for
   * S3 or CIFS: cloud7 30+5, cloud2 30, cloud3 30, cloud5 30-20+5, cloud8
   * (its archive) 30-20+5, cloud6 30-20, cloud1 0; ties by name. */
  ck_assert_int_eq(icx_match_count(m), 7);
  for (i = 0; i < 7; i++) {
    ck_assert_str_eq(icx_match_cloud(m, i), order[i]);
    ck_assert_int_eq(icx_match_score(m, i), scores[i]);
  }
  /* Soft constraints not met have no degree; met ones do. */
  ck_assert_int_eq(icx_match_constraint_degree(m, 6, 1), ICX_DEGREE_NONE);
  ck_assert_int_eq(icx_match_constraint_degree(m, 0, 1), ICX_DEGREE_EXACT);
  out = icx_match_to_xml(m, 0);
  ck_assert_ptr_nonnull(strstr(out, "<cloudName score='35' degree='exact'>cloud7</cloudName>"));
  ck_assert_ptr_nonnull(strstr(out, "<cloudName score='0' degree='exact'>cloud1</cloudName>"));
  icx_free(ctx, out);
  icx_match_free(m);
  icx_constraints_free(set);
  free(xml);
  free(path);
}
END_TEST

START_TEST(degrees)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);
  icx_constraints *set = NULL;
  icx_match *m = NULL;

  ck_assert_int_eq(icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert(!icx_constraints_extended(set));
  ck_assert_int_eq(icx_match_run(ctx, store, set, &m), ICX_OK);
  ck_assert_int_eq(icx_match_count(m), 2);
  ck_assert_str_eq(icx_match_cloud(m, 0), "cloud2");
  ck_assert_int_eq(icx_match_degree(m, 0), ICX_DEGREE_EXACT);
  /* cloud5 offers NFSv4 for the NFS asked for, and AMQP exactly. */
  ck_assert_str_eq(icx_match_cloud(m, 1), "cloud5");
  ck_assert_int_eq(icx_match_degree(m, 1), ICX_DEGREE_NARROWER);
  ck_assert_int_eq(icx_match_constraint_degree(m, 1, 4), ICX_DEGREE_NARROWER);
  ck_assert_int_eq(icx_match_constraint_degree(m, 1, 3), ICX_DEGREE_EXACT);
  ck_assert_int_eq(icx_match_constraint_degree(m, 1, 0), ICX_DEGREE_EXACT);
  ck_assert_int_eq(icx_match_score(m, 1), 0);
  icx_match_free(m);
  icx_constraints_free(set);
  free(xml);
  free(path);
}
END_TEST

/* --- always the current data ---------------------------------------------- */

/* A second handle on the store file, read-only, as icxd's workers open it. */
static icx_store *
open_reader(void)
{
  icx_store *reader = NULL;

  ck_assert_int_eq(icx_store_open(ctx, icx_store_path(store), ICX_STORE_READONLY, &reader),
                   ICX_OK);
  return reader;
}

static void
expect_on(icx_store *on, const char *xml, const char *names)
{
  char *got = tu_match(ctx, vocab, on, xml);

  ck_assert_msg(!strcmp(got, names), "expected \"%s\", got \"%s\"", names, got);
  free(got);
}

static char *
paper_xml(void)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);

  free(path);
  return xml;
}

/* One handle writes, the other's next match sees it: a removal, a load
 * again, each committed between two matches of a reader that stays open
 * (icxd's workers keep theirs for their whole life). */
START_TEST(a_reader_sees_what_another_handle_commits)
{
  char *xml = paper_xml();
  char *file = tu_path(tu_srcdir(), "data/clouds/cloud5.ttl");
  char *uri = icx_loader_doc_uri_for_path(file);
  icx_store *reader = open_reader();
  icx_loader *l;
  int i;

  ck_assert_ptr_nonnull(uri);
  /* A few matches first: whatever a match keeps between runs is warm. */
  for (i = 0; i < 3; i++)
    expect_on(reader, xml, "cloud2 cloud5");
  ck_assert_int_eq(icx_store_remove_document(store, uri), ICX_OK);
  expect_on(reader, xml, "cloud2");
  expect_on(reader, xml, "cloud2");
  l = icx_loader_new(ctx, vocab, store);
  ck_assert_ptr_nonnull(l);
  ck_assert_msg(icx_loader_load_path(l, file) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  icx_loader_free(l);
  expect_on(reader, xml, "cloud2 cloud5");
  /* And the other way round: the writer's own handle sees its commits. */
  ck_assert_int_eq(icx_store_remove_document(store, uri), ICX_OK);
  expect_on(store, xml, "cloud2");
  expect_on(reader, xml, "cloud2");
  icx_store_free(reader);
  free(uri);
  free(file);
  free(xml);
}
END_TEST

/* Runs the icx CLI of this build on the store: a writer in another
 * process, as an operator's shell is.  Skips when there is no CLI. */
static int
run_cli(const char *args)
{
  const char *bdir = getenv("ICX_BUILDDIR");
  char cmd[4096];

  if (!bdir || !*bdir)
    return -1;
  snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=detect_leaks=0 '%s/icx' -q --store '%s' %s",
           bdir, icx_store_path(store), args);
  return system(cmd);
}

/* icxd's workers: several handles on the store in one process, a writer in
 * another.  Opening the second handle once closed a descriptor of the file
 * outside SQLite (the store's probe), which dropped every lock the process
 * held on it; the writer then took the file as unused, checkpointed and
 * deleted the WAL under the readers, and they answered from the deleted one
 * for good ("cloud2 cloud5" after icx remove cloud5.ttl and a load). */
START_TEST(readers_in_one_process_see_another_process_commit)
{
  char *xml = paper_xml();
  char *file = tu_path(tu_srcdir(), "data/clouds/cloud5.ttl");
  char args[4096];
  icx_store *r1 = open_reader(), *r2 = open_reader();

  if (!getenv("ICX_BUILDDIR")) {
    tu_skip("ICX_BUILDDIR is not set: no icx CLI to write from another process");
    icx_store_free(r1);
    icx_store_free(r2);
    free(file);
    free(xml);
    return;
  }
  expect_on(r1, xml, "cloud2 cloud5");
  expect_on(r2, xml, "cloud2 cloud5");
  snprintf(args, sizeof args, "remove '%s'", file);
  ck_assert_int_eq(run_cli(args), 0);
  expect_on(r1, xml, "cloud2");
  expect_on(r2, xml, "cloud2");
  snprintf(args, sizeof args, "load '%s'", file);
  ck_assert_int_eq(run_cli(args), 0);
  expect_on(r1, xml, "cloud2 cloud5");
  expect_on(r2, xml, "cloud2 cloud5");
  snprintf(args, sizeof args, "remove '%s'", file);
  ck_assert_int_eq(run_cli(args), 0);
  expect_on(r2, xml, "cloud2");
  expect_on(r1, xml, "cloud2");
  icx_store_free(r1);
  icx_store_free(r2);
  free(file);
  free(xml);
}
END_TEST

/* A store rebuilt elsewhere and renamed over the file: the open handle
 * says it was replaced (it still reads the old file, which is gone from
 * the folder), and a handle opened again reads the new one. */
START_TEST(a_reader_knows_its_file_was_replaced)
{
  char *xml = paper_xml();
  char *fresh = tu_path(dir, "rebuilt.db");
  char *cloud2 = tu_path(tu_srcdir(), "data/clouds/cloud2.ttl");
  char *path = strdup(icx_store_path(store));
  icx_store *reader = open_reader(), *rebuilt = NULL;
  icx_loader *l;

  expect_on(reader, xml, "cloud2 cloud5");
  ck_assert_int_eq(icx_store_replaced(reader), 0);
  ck_assert_int_eq(icx_store_open(ctx, fresh, ICX_STORE_CREATE, &rebuilt), ICX_OK);
  l = icx_loader_new(ctx, vocab, rebuilt);
  ck_assert_msg(icx_loader_load_path(l, cloud2) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  icx_loader_free(l);
  icx_store_free(rebuilt);
  ck_assert_int_eq(icx_store_replaced(reader), 0);
  ck_assert_int_eq(rename(fresh, path), 0);
  ck_assert_int_eq(icx_store_replaced(reader), 1);
  ck_assert_int_eq(icx_store_replaced(store), 1);
  /* Every handle on the old file closes before the new one opens (as
   * icxd's workers do): the -wal and -shm files are named after the path,
   * and the last handle of the old file takes its own away. */
  icx_store_free(reader);
  icx_store_free(store);
  store = w.store = NULL;
  rebuilt = NULL;
  ck_assert_int_eq(icx_store_open(ctx, path, ICX_STORE_READONLY, &reader), ICX_OK);
  ck_assert_int_eq(icx_store_replaced(reader), 0);
  expect_on(reader, xml, "cloud2");
  /* A file that is gone counts as replaced too: the handle is stale. */
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(icx_store_replaced(reader), 1);
  ck_assert_int_eq(icx_store_replaced(NULL), 0);
  icx_store_free(reader);
  free(path);
  free(cloud2);
  free(fresh);
  free(xml);
}
END_TEST

static Suite *
match_suite(void)
{
  Suite *s = suite_create("match");
  TCase *tc = tcase_create("shipped");
  TCase *fresh = tcase_create("fresh");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, paper_request_gives_cloud2_and_cloud5);
  tcase_add_test(tc, run_once_spares_a_cold_index);
  tcase_add_test(tc, each_other_cloud_misses_for_its_own_reason);
  tcase_add_test(tc, constraints_hold_on_one_service);
  tcase_add_test(tc, subsumption_and_numbers);
  tcase_add_test(tc, xml_answer_has_the_paper_shape);
  tcase_add_test(tc, names_are_escaped_in_xml);
  tcase_add_test(tc, new_attribute_without_code);
  tcase_add_test(tc, operators);
  tcase_add_test(tc, soft_constraints_rank);
  tcase_add_test(tc, degrees);
  suite_add_tcase(s, tc);
  tcase_add_checked_fixture(fresh, setup, teardown);
  tcase_add_test(fresh, a_reader_sees_what_another_handle_commits);
  tcase_add_test(fresh, a_reader_knows_its_file_was_replaced);
  tcase_add_test(fresh, readers_in_one_process_see_another_process_commit);
  suite_add_tcase(s, fresh);
  return s;
}

int
main(void)
{
  return tu_run(match_suite());
}

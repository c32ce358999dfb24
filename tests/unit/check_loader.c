/* check_loader.c - capability documents: formats, validation with file and
 * line, atomic replacement, folders with good and bad files; large
 * documents: a failure at the end leaves the store as it was, Turtle read
 * in pieces means what it says, memory stays bounded (built alone as
 * check_loader_memory); hostile documents (clouds of another document,
 * names with control characters, deep RDF/XML, DTDs, numbers out of
 * range, the vocabulary's own terms).  The cutter of Turtle pieces has
 * check_pieces.c.  One file because each module has one Check suite. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "icx_loader_internal.h"   /* ICX_LOADER_MAX_DEPTH */
#include "icx_store_ids.h"
#include "icx_util.h"

static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static icx_loader *loader;
static char *dir;

typedef struct tally {
  int ok, failed;
  char last_error[2048];
} tally;
static tally seen;

static void
report(void *ud, const char *source, icx_rc rc, const char *message, long triples)
{
  tally *t = ud;

  (void)source;
  (void)triples;
  if (rc) {
    t->failed++;
    snprintf(t->last_error, sizeof t->last_error, "%s", message);
  } else {
    t->ok++;
  }
}

static void
setup(void)
{
  char *db;

  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
  dir = tu_tmpdir();
  db = tu_path(dir, "store.db");
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_CREATE, &store), ICX_OK);
  free(db);
  loader = icx_loader_new(ctx, vocab, store);
  ck_assert_ptr_nonnull(loader);
  memset(&seen, 0, sizeof seen);
  icx_loader_set_report(loader, report, &seen);
}

static void
teardown(void)
{
  icx_loader_free(loader);
  icx_store_free(store);
  tu_rmtree(dir);
  free(dir);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
}

#define RES "http://www.csp/resOntology#"

static const char *HEAD =
  "@prefix res: <" RES "> .\n"
  "@prefix ex: <http://ex.example/> .\n";

/* Writes HEAD + body to dir/name and returns the path (free it). */
static char *
doc(const char *name, const char *body)
{
  char *path = tu_path(dir, name);
  char *text = malloc(strlen(HEAD) + strlen(body) + 1);

  strcpy(text, HEAD);
  strcat(text, body);
  tu_write(path, text);
  free(text);
  return path;
}

/* Counts the ids a subject walk hands it (userdata: an int). */
static int
count_id(void *userdata, icx_id id)
{
  (void)id;
  ++*(int *)userdata;
  return 0;
}

/* How many IRIs of the store begin with prefix: every term's text, read
 * through the store's calls. */
static int
iris_with_prefix(const char *prefix)
{
  icx_id top = icx_store_max_id(store), i;
  icx_id *ids;
  char **lex;
  int n = 0, began;

  ck_assert_int_ge(top, 0);
  ids = malloc((size_t)(top + 1) * sizeof *ids);
  lex = malloc((size_t)(top + 1) * sizeof *lex);
  ck_assert(ids && lex);
  for (i = 0; i < top; i++)
    ids[i] = i + 1;
  began = icx_store_read_begin(store);
  ck_assert_int_eq(icx_store_lex(store, ids, (size_t)top, lex), ICX_OK);
  ck_assert_int_eq(icx_store_read_end(store, began, ICX_OK), ICX_OK);
  for (i = 0; i < top; i++) {
    if (lex[i] && !strncmp(lex[i], prefix, strlen(prefix))) {
      char *text = icx_store_term_text(store, i + 1);   /* "<iri>" for an IRI */
      ck_assert_ptr_nonnull(text);
      n += text[0] == '<';
      free(text);
    }
    icx_free(icx_store_ctx(store), lex[i]);
  }
  free(lex);
  free(ids);
  return n;
}

static const char *GOOD =
  "ex:c a res:Cloud ; res:cloudName \"good\" ; res:offers ex:s .\n"
  "ex:s a res:StorageService ; res:availability 99.9 ; res:replicationFactor 3 ;\n"
  "  res:tierCountry res:JP ; res:replicationMethod res:AMQP ; res:storageAccess res:NFSv4 .\n";

static long
triples_in_store(void)
{
  icx_store_stats st;

  ck_assert_int_eq(icx_store_stats_get(store, vocab, &st), ICX_OK);
  return st.triples;
}

/* Loading body must fail with rc and a message holding both needles. */
static void
expect_rejected(const char *body, icx_rc rc, const char *needle1, const char *needle2)
{
  char *path = doc("bad.ttl", body);
  icx_rc got = icx_loader_load_path(loader, path);

  ck_assert_msg(got == rc, "expected %s, got %s: %s", icx_strerror(rc), icx_strerror(got),
                icx_ctx_errmsg(ctx));
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "bad.ttl") != NULL, "%s", icx_ctx_errmsg(ctx));
  if (needle1)
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), needle1), "\"%s\" not in: %s", needle1,
                  icx_ctx_errmsg(ctx));
  if (needle2)
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), needle2), "\"%s\" not in: %s", needle2,
                  icx_ctx_errmsg(ctx));
  ck_assert_str_eq(seen.last_error, icx_ctx_errmsg(ctx));
  free(path);
}

START_TEST(shipped_data_loads_in_all_three_formats)
{
  char *data = tu_path(tu_srcdir(), "data/clouds");
  icx_doc_info *docs = NULL;
  size_t n = 0, i;
  int rdfxml = 0, nt = 0;

  ck_assert_msg(icx_loader_load_path(loader, data) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  ck_assert_int_eq(seen.ok, 8);
  ck_assert_int_eq(seen.failed, 0);
  ck_assert_int_eq(icx_store_list_documents(store, vocab, &docs, &n), ICX_OK);
  ck_assert_int_eq(n, 8);
  for (i = 0; i < n; i++) {
    ck_assert_msg(docs[i].n_clouds == 1, "%s describes %zu clouds", docs[i].uri, docs[i].n_clouds);
    ck_assert_str_eq(docs[i].uri, docs[i].uri);
    ck_assert(!strncmp(docs[i].uri, "file:///", 8));
    rdfxml |= !strcmp(docs[i].format, "rdfxml") && !strcmp(docs[i].clouds[0], "cloud3");
    nt |= !strcmp(docs[i].format, "ntriples") && !strcmp(docs[i].clouds[0], "cloud4");
  }
  ck_assert(rdfxml && nt);
  icx_doc_info_free_array(docs, n);
  free(data);
}
END_TEST

START_TEST(undefined_property_names_file_and_line)
{
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ;\n  res:availabilty 99.9 .\n",
                  ICX_ERR_INVALID, "bad.ttl:5", "availabilty");
}
END_TEST

START_TEST(wrong_datatypes_are_rejected)
{
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:availability \"high\" .\n",
                  ICX_ERR_INVALID, "availability", "decimal");
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:replicationFactor 2.5 .\n",
                  ICX_ERR_INVALID, "replicationFactor", "integer");
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:tierCountry \"Japan\" .\n",
                  ICX_ERR_INVALID, "tierCountry", "Country");
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:tierCountry res:NFS .\n",
                  ICX_ERR_INVALID, "tierCountry", "NFS");
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:tierCountry res:Atlantis .\n",
                  ICX_ERR_INVALID, "Atlantis", "not defined");
}
END_TEST

START_TEST(structure_is_checked)
{
  expect_rejected("ex:s a res:StorageService ; res:availability 99.9 .\n"
                  "ex:c a res:Cloud ; res:cloudName \"x\" .\n",
                  ICX_ERR_INVALID, "belongs to no cloud", "ex.example/s");
  expect_rejected("ex:c a res:Cloud ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:availability 99.9 .\n",
                  ICX_ERR_INVALID, "0 names", NULL);
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\", \"y\" .\n",
                  ICX_ERR_INVALID, "2 names", NULL);
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s res:availability 99.9 .\n",
                  ICX_ERR_INVALID, "not typed", "StorageService");
  expect_rejected("ex:x a <http://other.example/Thing> .\n", ICX_ERR_INVALID,
                  "describes no cloud", NULL);
  /* Only clouds have a name or offer services: the compiled queries leave
   * the cloud's type pattern out on that ground (icx_compile.c). */
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:cloudName \"y\" .\n",
                  ICX_ERR_INVALID, "has <http://www.csp/resOntology#cloudName> but is not typed",
                  "ex.example/s");
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:offers ex:t .\n"
                  "ex:t a res:StorageService .\n",
                  ICX_ERR_INVALID, "has <http://www.csp/resOntology#offers> but is not typed",
                  "ex.example/s");
  expect_rejected("ex:c res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:availability 99.9 .\n",
                  ICX_ERR_INVALID, "is not typed <http://www.csp/resOntology#Cloud>", NULL);
  /* A service with no attributes still needs a cloud. */
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" .\nex:s a res:StorageService .\n",
                  ICX_ERR_INVALID, "belongs to no cloud", NULL);
  /* Every attribute's domain is checked, not just the first one's. */
  expect_rejected("ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; res:availability 99 .\n"
                  "ex:c res:replicationFactor 3 .\n",
                  ICX_ERR_INVALID, "replicationFactor", "not typed");
}
END_TEST

START_TEST(syntax_errors_name_the_line)
{
  expect_rejected("ex:c a res:Cloud ;\n res:cloudName \"x\" \n res:offers ex:s .\n",
                  ICX_ERR_RDF, "bad.ttl:5", NULL);
  expect_rejected("", ICX_ERR_INVALID, "describes no cloud", NULL);
}
END_TEST

START_TEST(failed_reload_keeps_the_old_document)
{
  char *path = doc("cloud.ttl", GOOD);
  long before;

  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_OK);
  before = triples_in_store();
  ck_assert_int_eq(before, 9);
  /* The same file, now broken: the store keeps the earlier load whole. */
  free(doc("cloud.ttl", "ex:c a res:Cloud ; res:cloudName \"good\" ; res:offers ex:s .\n"
                        "ex:s a res:StorageService ; res:availability \"oops\" .\n"));
  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_ERR_INVALID);
  ck_assert_int_eq(triples_in_store(), before);
  /* And fixed again: replaced, not added. */
  free(doc("cloud.ttl", "ex:c a res:Cloud ; res:cloudName \"good\" .\n"));
  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_OK);
  ck_assert_int_eq(triples_in_store(), 2);
  free(path);
}
END_TEST

START_TEST(folder_loads_good_files_and_reports_bad_ones)
{
  char *sub = tu_path(dir, "docs");
  char *deeper = tu_path(dir, "docs/more");
  char *a, *b, *c;
  char cmd[4096];

  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", deeper);
  ck_assert_int_eq(system(cmd), 0);
  a = doc("docs/a.ttl", GOOD);
  b = doc("docs/more/b.ttl", "ex:c a res:Cloud ; res:cloudName \"b\" ; res:bogus 1 .\n");
  c = doc("docs/more/c.ttl", "ex:c3 a res:Cloud ; res:cloudName \"c\" .\n");
  free(doc("docs/README", "not RDF, skipped by its name\n"));
  free(doc("docs/.hidden.ttl", "garbage"));
  ck_assert_int_eq(icx_loader_load_path(loader, sub), ICX_ERR_INVALID);
  ck_assert_int_eq(seen.ok, 2);
  ck_assert_int_eq(seen.failed, 1);
  ck_assert_ptr_nonnull(strstr(seen.last_error, "b.ttl"));
  ck_assert_int_eq(triples_in_store(), 11);
  free(a);
  free(b);
  free(c);
  free(sub);
  free(deeper);
}
END_TEST

START_TEST(blank_node_services_stay_apart)
{
  static const char *blank =
    "@prefix res: <http://www.csp/resOntology#> .\n"
    "[] a res:Cloud ; res:cloudName \"%s\" ;\n"
    "   res:offers [ a res:StorageService ; res:replicationFactor %d ] .\n";
  char text[512];
  icx_store_stats st;
  char *xml = tu_constraints("replicationFactor", "5", NULL);
  char *got;

  icx_loader_set_format(loader, ICX_FORMAT_TURTLE);
  snprintf(text, sizeof text, blank, "one", 9);
  ck_assert_int_eq(icx_loader_load_buffer(loader, "one", (const unsigned char *)text,
                                          strlen(text)), ICX_OK);
  snprintf(text, sizeof text, blank, "two", 1);
  ck_assert_int_eq(icx_loader_load_buffer(loader, "two", (const unsigned char *)text,
                                          strlen(text)), ICX_OK);
  ck_assert_int_eq(icx_store_stats_get(store, vocab, &st), ICX_OK);
  ck_assert_int_eq(st.clouds, 2);
  ck_assert_int_eq(st.services, 2);
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "one");
  free(got);
  free(xml);
  ck_assert(icx_store_has_document(store, "urn:icx:doc:one"));
}
END_TEST

START_TEST(buffers_streams_and_formats)
{
  static const char *nt =
    "<http://n.example/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<http://www.csp/resOntology#Cloud> .\n"
    "<http://n.example/c> <http://www.csp/resOntology#cloudName> \"n\" .\n";
  static const char *nt2 =   /* another cloud: a cloud is one document's */
    "<http://n2.example/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<http://www.csp/resOntology#Cloud> .\n"
    "<http://n2.example/c> <http://www.csp/resOntology#cloudName> \"n2\" .\n";
  FILE *fp = tmpfile();

  /* No format and no extension: refused with a hint. */
  ck_assert_int_eq(icx_loader_load_buffer(loader, "noext", (const unsigned char *)nt, strlen(nt)),
                   ICX_ERR_RDF);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "format"));
  ck_assert_int_eq(icx_loader_load_buffer(loader, "n.nt", (const unsigned char *)nt, strlen(nt)),
                   ICX_OK);
  fputs(nt2, fp);
  rewind(fp);
  icx_loader_set_format(loader, ICX_FORMAT_NTRIPLES);
  ck_assert_int_eq(icx_loader_load_stream(loader, "piped", fp), ICX_OK);
  fclose(fp);
  ck_assert(icx_store_has_document(store, "urn:icx:doc:n.nt"));
  ck_assert(icx_store_has_document(store, "urn:icx:doc:piped"));
  ck_assert_int_eq(icx_format_from_name("rdfxml"), ICX_FORMAT_RDFXML);
  ck_assert_int_eq(icx_format_from_name("json"), -1);
  ck_assert_int_eq(icx_loader_load_path(loader, "/nonexistent/file.ttl"), ICX_ERR_NOT_FOUND);
}
END_TEST

START_TEST(dry_run_stores_nothing)
{
  char *path = doc("cloud.ttl", GOOD);

  icx_loader_set_dry_run(loader, 1);
  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_OK);
  ck_assert_int_eq(seen.ok, 1);
  ck_assert_int_eq(triples_in_store(), 0);
  free(path);
}
END_TEST

/* Loading len bytes as name must fail with rc, naming the document and
 * needle, and leave the store empty. */
static void
expect_buffer_rejected(const char *name, const char *text, size_t len, icx_rc rc,
                       const char *needle)
{
  icx_rc got = icx_loader_load_buffer(loader, name, (const unsigned char *)text, len);

  ck_assert_msg(got == rc, "%s: expected %s, got %s: %s", name, icx_strerror(rc),
                icx_strerror(got), icx_ctx_errmsg(ctx));
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), name) != NULL, "%s", icx_ctx_errmsg(ctx));
  if (needle)
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), needle), "\"%s\" not in: %s", needle,
                  icx_ctx_errmsg(ctx));
  ck_assert_int_eq(triples_in_store(), 0);
}

/* A DTD is refused whatever it declares: an external entity (which would
 * be read as empty, or worse, from the machine's files), an internal one
 * (a billion laughs), or none. */
START_TEST(rdfxml_with_a_dtd_is_refused)
{
  static const char *const dtds[] = {
    "<!DOCTYPE r [<!ENTITY secret SYSTEM 'file:///etc/hostname'>]>\n",
    "<!DOCTYPE r [<!ENTITY a 'ha'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>\n",
    "<!DOCTYPE rdf:RDF SYSTEM 'http://127.0.0.1:9/rdf.dtd'>\n",
  };
  size_t i;

  for (i = 0; i < sizeof dtds / sizeof dtds[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text,
             "<?xml version='1.0'?>\n%s"
             "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'\n"
             "         xmlns:res='http://www.csp/resOntology#'>\n"
             "  <res:Cloud rdf:about='http://x.example/c'><res:cloudName>x%s</res:cloudName>"
             "</res:Cloud>\n</rdf:RDF>\n", dtds[i], i == 0 ? "&secret;" : i == 1 ? "&b;" : "");
    expect_buffer_rejected("x.rdf", text, strlen(text), ICX_ERR_RDF, "x.rdf:2: a DTD");
  }
  /* XML is read as UTF-8: a NUL byte (UTF-16 has many) is refused. */
  {
    static const char nul[] = "<?xml version='1.0'?>\n<rdf:RDF\0/>\n";
    static const char nul_ttl[] = "ex:a ex:b \"x\0y\" .\n";
    expect_buffer_rejected("nul.rdf", nul, sizeof nul - 1, ICX_ERR_RDF, "nul.rdf:2: a NUL byte");
    expect_buffer_rejected("nul.ttl", nul_ttl, sizeof nul_ttl - 1, ICX_ERR_RDF,
                           "nul.ttl:1: a NUL byte");
  }
  /* Comments, CDATA and processing instructions are no DTD. */
  {
    static const char *ok =
      "<?xml version='1.0'?>\n<!-- a comment with <!DOCTYPE> in it -->\n"
      "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'\n"
      "         xmlns:res='http://www.csp/resOntology#'>\n<?icx a processing instruction?>\n"
      "  <res:Cloud rdf:about='http://x.example/c'>"
      "<res:cloudName><![CDATA[x<!y>]]></res:cloudName></res:Cloud>\n</rdf:RDF>\n";
    ck_assert_msg(icx_loader_load_buffer(loader, "ok.rdf", (const unsigned char *)ok,
                                         strlen(ok)) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  }
}
END_TEST

/* 100,000 elements deep: raptor alone took over 15 minutes on it. */
START_TEST(deeply_nested_rdfxml_is_refused_at_once)
{
  static const char head[] =
    "<?xml version='1.0'?>\n"
    "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'\n"
    "         xmlns:ex='http://ex.example/'>\n";
  static const char open[] = "<rdf:Description><ex:p>", close[] = "</ex:p></rdf:Description>";
  size_t n = 100000, i, len = 0;
  char *text = malloc(sizeof head + n * (sizeof open + sizeof close) + 16);
  icx_buf b;

  ck_assert_ptr_nonnull(text);
  memcpy(text, head, sizeof head - 1);
  len = sizeof head - 1;
  for (i = 0; i < n; i++, len += sizeof open - 1)
    memcpy(text + len, open, sizeof open - 1);
  for (i = 0; i < n; i++, len += sizeof close - 1)
    memcpy(text + len, close, sizeof close - 1);
  memcpy(text + len, "</rdf:RDF>\n", 11);
  len += 11;
  expect_buffer_rejected("deep.rdf", text, len, ICX_ERR_LIMIT, "deep.rdf:4: elements nested");
  /* Nesting to the limit is read (and found to describe no cloud). */
  icx_buf_init(&b, NULL);
  icx_buf_append_len(&b, head, sizeof head - 1);
  for (i = 0; i < (ICX_LOADER_MAX_DEPTH - 1) / 2; i++)
    icx_buf_append(&b, open);
  for (i = 0; i < (ICX_LOADER_MAX_DEPTH - 1) / 2; i++)
    icx_buf_append(&b, close);
  icx_buf_append(&b, "</rdf:RDF>\n");
  ck_assert(!icx_buf_failed(&b));
  free(text);
  text = icx_buf_take(&b);
  expect_buffer_rejected("limit.rdf", text, strlen(text), ICX_ERR_INVALID, "describes no cloud");
  free(text);
}
END_TEST

/* UBSan saw a NULL pointer handed to memmove for an empty Turtle text. */
START_TEST(empty_documents_get_their_error)
{
  expect_buffer_rejected("empty.ttl", "", 0, ICX_ERR_INVALID, "describes no cloud");
  expect_buffer_rejected("empty.nt", "", 0, ICX_ERR_INVALID, "describes no cloud");
  expect_buffer_rejected("empty.rdf", "", 0, ICX_ERR_RDF, NULL);
  expect_rejected("", ICX_ERR_INVALID, "describes no cloud", NULL);
}
END_TEST

START_TEST(numbers_out_of_range_are_refused)
{
  static const char *const values[] = {
    "\"1e400\"^^xsd:double", "1e400", "-1e400", "\"INF\"^^xsd:double", "\"-INF\"^^xsd:double",
    "\"NaN\"^^xsd:double", "\"1e39\"^^xsd:float", "\"NaN\"^^xsd:float",
  };
  size_t i;
  char body[1024];

  for (i = 0; i < sizeof values / sizeof values[0]; i++) {
    snprintf(body, sizeof body,
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
             "ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
             "ex:s a res:StorageService ; res:availability %s .\n", values[i]);
    expect_rejected(body, ICX_ERR_INVALID, "bad.ttl:5", "out of range");
    ck_assert_int_eq(triples_in_store(), 0);
  }
  /* Whatever the property: the store would hold the number. */
  snprintf(body, sizeof body,
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
           "ex:c a res:Cloud ; res:cloudName \"x\" ; <http://other.example/size> %s1 .\n",
           "1000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "0000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "0000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "0000000000000000000000000000000000000000000000000000000000000000000000000000000");
  expect_rejected(body, ICX_ERR_INVALID, "bad.ttl:4", "out of range");
  /* Large but finite is a number. */
  free(doc("big.ttl", "ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                      "ex:s a res:StorageService ; res:availability 1e300 .\n"));
  {
    char *path = tu_path(dir, "big.ttl");
    ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
    free(path);
  }
}
END_TEST

START_TEST(the_vocabularys_terms_are_not_a_documents_to_define)
{
  static const char *const bodies[] = {
    "res:availability rdfs:range rdfs:Literal .\n",
    "res:JP skos:broader res:US .\n",
    "res:Cloud rdfs:subClassOf <http://other.example/Thing> .\n",
    "res:NoSuchTerm rdfs:label \"new\" .\n",
    "<http://www.w3.org/2001/XMLSchema#decimal> rdfs:label \"x\" .\n",
  };
  size_t i;
  char body[1024];

  for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    snprintf(body, sizeof body,
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
             "ex:c a res:Cloud ; res:cloudName \"x\" .\n%s", bodies[i]);
    if (i == 4) {   /* not the vocabulary's term: stored */
      char *path = doc("ok.ttl", body);
      ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
      free(path);
      continue;
    }
    expect_rejected(body, ICX_ERR_INVALID, "bad.ttl:6", "is a term of the vocabulary");
    ck_assert_int_eq(triples_in_store(), 0);
  }
}
END_TEST

START_TEST(names_with_control_characters_are_refused)
{
  static const struct {
    const char *name, *needle;
  } cases[] = {
    { "cloud1\\u0000-evil", "NUL" },
    { "cloud1\\U00000000-evil", "NUL" },
    { "two\\nlines", "U+000A" },
    { "a\\rb", "U+000D" },
    { "tab\\tbed", "U+0009" },
    { "bell\x07", "U+0007" },
    { "nel\xc2\x85", "U+0085" },
    { "\xe2\x80\xae" "evil", "U+202E" },
    { "x\xe2\x81\xa6y", "U+2066" },
    { "x\xe2\x80\x8fy", "U+200F" },
    { "", "is empty" },
  };
  size_t i;
  char body[512];

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(body, sizeof body, "ex:c a res:Cloud ;\n  res:cloudName \"%s\" .\n", cases[i].name);
    expect_rejected(body, i < 2 ? ICX_ERR_RDF : ICX_ERR_INVALID, "bad.ttl:4", cases[i].needle);
    ck_assert_int_eq(triples_in_store(), 0);
  }
  /* A name longer than ICX_NAME_MAX bytes: every answer that lists its
   * cloud would carry it, and a page takes one cloud at least. */
  {
    size_t cap = ICX_NAME_MAX + 128;
    char *name = malloc(ICX_NAME_MAX + 2), *text = malloc(cap), *path;
    ck_assert(name && text);
    memset(name, 'n', ICX_NAME_MAX + 1);
    name[ICX_NAME_MAX + 1] = '\0';
    snprintf(text, cap, "ex:m a res:Cloud ;\n  res:cloudName \"%s\" .\n", name);
    expect_rejected(text, ICX_ERR_INVALID, "bad.ttl:4", "is 1025 bytes long; at most 1024");
    ck_assert_int_eq(triples_in_store(), 0);
    name[ICX_NAME_MAX] = '\0';
    snprintf(text, cap, "ex:m a res:Cloud ;\n  res:cloudName \"%s\" .\n", name);
    path = doc("max.ttl", text);
    ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
    free(path);
    free(name);
    free(text);
  }
  /* An escaped backslash before u0000 is text, not an escape. */
  free(doc("ok.ttl", "ex:c a res:Cloud ; res:cloudName \"back\\\\u0000slash\" .\n"));
  {
    char *path = tu_path(dir, "ok.ttl");
    ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
    free(path);
  }
  /* In RDF/XML, as a character reference. */
  {
    static const char *nl =
      "<?xml version='1.0'?>\n"
      "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'\n"
      "         xmlns:res='http://www.csp/resOntology#'>\n"
      "  <res:Cloud rdf:about='http://y.example/c'><res:cloudName>a&#10;b</res:cloudName>"
      "</res:Cloud>\n</rdf:RDF>\n";
    icx_rc rc = icx_loader_load_buffer(loader, "nl.rdf", (const unsigned char *)nl, strlen(nl));
    ck_assert_int_eq(rc, ICX_ERR_INVALID);
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "nl.rdf") && strstr(icx_ctx_errmsg(ctx), "U+000A"),
                  "%s", icx_ctx_errmsg(ctx));
  }
}
END_TEST

/* Reads the paper's request from the source tree (new string). */
static char *
paper_request(void)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");
  char *xml = tu_read(path, NULL);

  ck_assert_ptr_nonnull(xml);
  free(path);
  return xml;
}

/* A second document naming itself cloud1, and meeting the paper's request
 * where the real cloud1 does not, made the request answer "cloud1 cloud2
 * cloud5". */
START_TEST(a_cloud_name_belongs_to_one_document)
{
  char *clouds = tu_path(tu_srcdir(), "data/clouds");
  char *cloud1 = tu_path(tu_srcdir(), "data/clouds/cloud1.ttl");
  char *uri1 = icx_loader_doc_uri_for_path(cloud1);
  char *xml = paper_request(), *got, *evil;
  static const char *EVIL =
    "ex:cloud a res:Cloud ; res:cloudName \"cloud1\" ; res:offers ex:storage .\n"
    "ex:storage a res:StorageService ; res:availability 99.9999 ; res:replicationFactor 5 ;\n"
    "  res:tierCountry res:JP ; res:replicationMethod res:AMQP ; res:storageAccess res:NFS .\n";

  ck_assert_int_eq(icx_loader_load_path(loader, clouds), ICX_OK);
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "cloud2 cloud5");
  free(got);
  evil = doc("evil.ttl", EVIL);
  ck_assert_int_eq(icx_loader_load_path(loader, evil), ICX_ERR_INVALID);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "evil.ttl") &&
                strstr(icx_ctx_errmsg(ctx), "\"cloud1\"") &&
                strstr(icx_ctx_errmsg(ctx), uri1), "%s", icx_ctx_errmsg(ctx));
  {
    char *evil_uri = icx_loader_doc_uri_for_path(evil);
    ck_assert(!icx_store_has_document(store, evil_uri));
    free(evil_uri);
  }
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "cloud2 cloud5");
  free(got);
  /* A dry run says so too. */
  icx_loader_set_dry_run(loader, 1);
  ck_assert_int_eq(icx_loader_load_path(loader, evil), ICX_ERR_INVALID);
  icx_loader_set_dry_run(loader, 0);
  /* The owner may load its document again... */
  ck_assert_msg(icx_loader_load_path(loader, cloud1) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  /* ...and once it is removed, the name is free. */
  ck_assert_int_eq(icx_store_remove_document(store, uri1), ICX_OK);
  ck_assert_msg(icx_loader_load_path(loader, evil) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "cloud1 cloud2 cloud5");
  free(got);
  /* Now the real cloud1 is the one refused. */
  ck_assert_int_eq(icx_loader_load_path(loader, cloud1), ICX_ERR_INVALID);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "evil.ttl"), "%s", icx_ctx_errmsg(ctx));
  free(evil);
  free(xml);
  free(uri1);
  free(cloud1);
  free(clouds);
}
END_TEST

/* A name belongs to one cloud within a document too: two subjects giving
 * one name (compared as text, whatever the language tag) are refused
 * whole, the error naming the name and both; nothing is stored. */
START_TEST(a_cloud_name_belongs_to_one_cloud_of_a_document)
{
  long before = triples_in_store();
  char *path, *uri;

  expect_rejected("ex:a a res:Cloud ; res:cloudName \"twin\" .\n"
                  "ex:b a res:Cloud ; res:cloudName \"twin\" .\n",
                  ICX_ERR_INVALID, "the cloud name \"twin\" is given to two clouds",
                  "<http://ex.example/a>");
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "<http://ex.example/b>"), "%s",
                icx_ctx_errmsg(ctx));
  expect_rejected("ex:a a res:Cloud ; res:cloudName \"twin\" .\n"
                  "_:b a res:Cloud ; res:cloudName \"twin\"@en .\n",
                  ICX_ERR_INVALID, "\"twin\" is given to two clouds", "<http://ex.example/a>");
  path = tu_path(dir, "bad.ttl");
  uri = icx_loader_doc_uri_for_path(path);
  ck_assert(!icx_store_has_document(store, uri));
  ck_assert_int_eq(triples_in_store(), before);
  /* A dry run says so too. */
  icx_loader_set_dry_run(loader, 1);
  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_ERR_INVALID);
  ck_assert(strstr(icx_ctx_errmsg(ctx), "is given to two clouds") != NULL);
  icx_loader_set_dry_run(loader, 0);
  free(uri);
  free(path);
  /* Two names of two clouds, each once: fine. */
  path = doc("pair.ttl", "ex:a a res:Cloud ; res:cloudName \"one\" .\n"
                         "ex:b a res:Cloud ; res:cloudName \"two\" .\n");
  ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  free(path);
}
END_TEST

/* A cloud's IRI is its document's too: another document may neither name
 * it nor add to it. */
START_TEST(a_cloud_iri_belongs_to_one_document)
{
  char *a = doc("a.ttl", "ex:c a res:Cloud ; res:cloudName \"a\" .\n");
  char *b;

  ck_assert_int_eq(icx_loader_load_path(loader, a), ICX_OK);
  b = doc("b.ttl", "ex:c a res:Cloud ; res:cloudName \"b\" .\n");
  ck_assert_int_eq(icx_loader_load_path(loader, b), ICX_ERR_INVALID);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "b.ttl: the cloud <http://ex.example/c> is "
                       "described by document") && strstr(icx_ctx_errmsg(ctx), "a.ttl"),
                "%s", icx_ctx_errmsg(ctx));
  free(b);
  /* Adding a service to another document's cloud. */
  b = doc("b.ttl", "ex:d a res:Cloud ; res:cloudName \"d\" .\n"
                   "ex:c res:offers ex:s .\n"
                   "ex:s a res:StorageService ; res:availability 99.99999 .\n");
  ck_assert_int_eq(icx_loader_load_path(loader, b), ICX_ERR_INVALID);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "<http://ex.example/c>"), "%s",
                icx_ctx_errmsg(ctx));
  ck_assert_int_eq(triples_in_store(), 2);
  free(b);
  free(a);
}
END_TEST


/* Writes a Turtle document of n clouds, each with one storage service
 * (8 triples a cloud), then tail (may be ""), to path.  Returns the count
 * of lines written before tail. */
static long
big_doc(const char *path, long n, const char *tail)
{
  FILE *fp = fopen(path, "w");
  long i, lines = 2;

  ck_assert_ptr_nonnull(fp);
  fputs("@prefix res: <http://www.csp/resOntology#> .\n@prefix b: <http://big.example/> .\n", fp);
  for (i = 0; i < n; i++) {
    fprintf(fp, "b:c%ld a res:Cloud ; res:cloudName \"big%ld\" ; res:offers b:c%lds .\n"
            "b:c%lds a res:StorageService ; res:availability %ld.9 ;\n"
            "  res:replicationFactor %ld ; res:tierCountry res:JP ; res:storageAccess res:NFS .\n",
            i, i, i, i, 90 + i % 10, 1 + i % 7);
    lines += 3;
  }
  fputs(tail, fp);
  ck_assert_int_eq(fclose(fp), 0);
  return lines;
}

START_TEST(a_bad_end_of_a_large_document_leaves_the_store_unchanged)
{
  static const struct {
    const char *tail;
    icx_rc rc;
    const char *needle;
  } bad[] = {
    { "b:c1s res:availabilty 99.9 .\n", ICX_ERR_INVALID, "availabilty" },
    { "b:c1s res:replicationFactor \"many\" .\n", ICX_ERR_INVALID, "replicationFactor" },
    { "b:c1s res:tierCountry res:Atlantis .\n", ICX_ERR_INVALID, "Atlantis" },
    { "b:c1 res:cloudName \"again\" .\n", ICX_ERR_INVALID, "2 names" },
    { "b:c1s res:availability 99.9 ;\n", ICX_ERR_RDF, NULL },
    { "b:c1s res:availability \"unterminated .\n", ICX_ERR_RDF, NULL },
  };
  char *keep = doc("keep.ttl", GOOD);
  char *big = tu_path(dir, "big.ttl");
  icx_doc_info *docs = NULL;
  size_t n = 0, i;
  long before, lines;
  char where[64];

  ck_assert_int_eq(icx_loader_load_path(loader, keep), ICX_OK);
  /* The large document loads once, good, so that every failure below is
   * a failed reload too: the earlier load must stay whole. */
  big_doc(big, 12000, "");
  ck_assert_msg(icx_loader_load_path(loader, big) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  before = triples_in_store();
  ck_assert_int_eq(before, 9 + 12000 * 8);
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    icx_rc got;
    lines = big_doc(big, 12000, bad[i].tail);
    got = icx_loader_load_path(loader, big);
    ck_assert_msg(got == bad[i].rc, "case %zu: %s", i, icx_ctx_errmsg(ctx));
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "big.ttl"), "%s", icx_ctx_errmsg(ctx));
    if (bad[i].needle)
      ck_assert_msg(strstr(icx_ctx_errmsg(ctx), bad[i].needle), "case %zu: %s", i,
                    icx_ctx_errmsg(ctx));
    if (bad[i].rc == ICX_ERR_RDF || strstr(bad[i].needle, "names") == NULL) {
      /* The line of the bad statement (a syntax error may be found on the
       * line after, at the end of the text). */
      snprintf(where, sizeof where, "big.ttl:%ld", lines + 1);
      ck_assert_msg(strstr(icx_ctx_errmsg(ctx), where) ||
                    (bad[i].rc == ICX_ERR_RDF &&
                     (snprintf(where, sizeof where, "big.ttl:%ld", lines + 2),
                      strstr(icx_ctx_errmsg(ctx), where))),
                    "case %zu: no line %ld in %s", i, lines + 1, icx_ctx_errmsg(ctx));
    }
    ck_assert_int_eq(triples_in_store(), before);
  }
  ck_assert_int_eq(icx_store_list_documents(store, vocab, &docs, &n), ICX_OK);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(docs[0].triples + docs[1].triples, before);
  icx_doc_info_free_array(docs, n);
  free(keep);
  free(big);
}
END_TEST

/* Turtle is parsed in pieces of about 1 MiB: prefixes declared late, blank
 * node labels, long strings and comments holding " . " must mean the same
 * across the cuts, and errors must name the document's own lines. */
/* A prefix declared again part way through a later piece applies from
 * where it stands: the statements before it in that piece keep the old
 * namespace (the pieces' prologue holds only directives already parsed). */
/* The loader gives each quad its object's number itself (not read back
 * from terms): it must be the number terms holds, and none for what is
 * not a number, whatever the numeric datatype. */
START_TEST(quads_carry_their_objects_numbers)
{
  static const char *const preds[] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", RES "cloudName", RES "offers",
    RES "availability", RES "replicationFactor", RES "tierCountry"
  };
  char *path = doc("numbers.ttl",
                   "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                   "ex:c a res:Cloud ; res:cloudName \"5\" ; res:offers ex:s, ex:t .\n"
                   "ex:s a res:StorageService ; res:availability \"99.5\"^^xsd:decimal ;\n"
                   "  res:replicationFactor \"03\"^^xsd:int .\n"
                   "ex:t a res:StorageService ; res:availability \"9.95E1\"^^xsd:double ;\n"
                   "  res:replicationFactor 4 ; res:tierCountry res:JP .\n");
  icx_id rf;
  int numbers = 0, at_99_5 = 0, n;
  size_t i;

  ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  ck_assert_int_gt(triples_in_store(), 10);
  /* Numbers are what the subject walks read (quads.num): the four of the
   * document, not "5"; 99.5 and 9.95E1 the same.  That each equals its
   * term's number is check_storage's bulk_quads_carry_their_objects_numbers. */
  for (i = 0; i < sizeof preds / sizeof preds[0]; i++) {
    icx_id p = icx_store_iri_id(store, preds[i]);
    ck_assert_int_gt(p, 0);
    n = 0;
    ck_assert_int_eq(icx_store_subjects_in_range(store, p, -HUGE_VAL, HUGE_VAL, count_id, &n), 0);
    numbers += n;
    n = 0;
    ck_assert_int_eq(icx_store_subjects_in_range(store, p, 99.5, 99.5, count_id, &n), 0);
    at_99_5 += n;
  }
  ck_assert_int_eq(numbers, 4);
  ck_assert_int_eq(at_99_5, 2);
  rf = icx_store_iri_id(store, RES "replicationFactor");
  n = 0;
  ck_assert_int_eq(icx_store_subjects_in_range(store, rf, 3, 3, count_id, &n), 0);
  ck_assert_int_eq(n, 1);   /* "03"^^xsd:int */
  free(path);
}
END_TEST

START_TEST(a_redefined_prefix_applies_from_where_it_stands)
{
  char *path = tu_path(dir, "redefined.ttl");
  long n = 10000;   /* about 1.5 MiB: several pieces */
  icx_store_stats st;

  big_doc(path, n, "@prefix b: <http://other.example/> .\n"
                   "b:late a res:Cloud ; res:cloudName \"late\" .\n");
  ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  ck_assert_int_eq(icx_store_stats_get(store, vocab, &st), ICX_OK);
  ck_assert_int_eq(st.clouds, n + 1);
  /* Exactly one subject in the second namespace, and the last cloud of
   * the big part still in the first. */
  ck_assert_int_eq(iris_with_prefix("http://other.example/"), 1);
  ck_assert_int_gt(icx_store_iri_id(store, "http://big.example/c9999"), 0);
  free(path);
}
END_TEST

START_TEST(turtle_pieces_mean_what_the_document_says)
{
  char *path = tu_path(dir, "pieces.ttl");
  FILE *fp = fopen(path, "w");
  char *xml = tu_constraints("replicationFactor", "9", NULL);
  char *got;
  long i, lines = 0;
  icx_store_stats st;

  ck_assert_ptr_nonnull(fp);
  fputs("@prefix res: <http://www.csp/resOntology#> .\n"
        "<http://p.example/first> a res:Cloud ; <http://p.example/note> \"\"\"first . of\n"
        " . all\"\"\" ; res:cloudName 'first' ; res:offers _:shared .   # a comment . with dots\n",
        fp);
  lines = 3;
  for (i = 0; i < 30000; i++, lines++)
    fprintf(fp, "<http://p.example/c%ld> a res:Cloud ; res:cloudName 'c . %ld' .\n", i, i);
  fputs("@prefix late: <http://late.example/> .\n"
        "late:c a res:Cloud ; res:cloudName \"late\" .\n"
        "_:shared a res:StorageService ; res:replicationFactor 9 .\n", fp);
  ck_assert_int_eq(fclose(fp), 0);
  ck_assert_msg(icx_loader_load_path(loader, path) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  ck_assert_int_eq(icx_store_stats_get(store, vocab, &st), ICX_OK);
  ck_assert_int_eq(st.clouds, 30002);
  ck_assert_int_eq(st.services, 1);
  ck_assert_int_eq(st.triples, 4 + 30000 * 2 + 2 + 2);
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "first");
  free(got);
  /* A syntax error far past the first piece names its own line. */
  fp = fopen(path, "a");
  fputs("late:c res:cloudName .\n", fp);
  fclose(fp);
  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_ERR_RDF);
  {
    char where[64];
    snprintf(where, sizeof where, "pieces.ttl:%ld", lines + 4);
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), where), "no %s in %s", where,
                  icx_ctx_errmsg(ctx));
  }
  ck_assert_int_eq(triples_in_store(), st.triples);
  free(xml);
  free(path);
}
END_TEST

/* Peak memory of loading a document of about a million triples (30 MB of
 * Turtle), in a child so that the figure is its own.  The loader used to
 * hold every statement (about 450 bytes each); now the page cache, the term
 * cache and the queue are bounded, whatever the size.  Not under the
 * sanitizers, whose allocator keeps freed memory. */
START_TEST(memory_stays_bounded_on_a_large_document)
{
#if defined(__SANITIZE_ADDRESS__)
  tu_skip("memory_stays_bounded_on_a_large_document: AddressSanitizer's allocator keeps "
          "freed memory, so the peak RSS says nothing");
#else
  char *path = tu_path(dir, "huge.ttl");
  pid_t pid;
  int status;
  struct rusage ru;

  big_doc(path, 130000, "");
  fflush(NULL);
  pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {           /* a context and store of its own: none crosses fork() */
    char *db = tu_path(dir, "child.db");
    icx_ctx *c2 = icx_ctx_new();
    icx_vocab *v2 = NULL;
    icx_store *s2 = NULL;
    icx_loader *l2 = NULL;
    int ok = c2 && icx_vocab_load(c2, tu_ontology(), &v2) == ICX_OK &&
             icx_store_open(c2, db, ICX_STORE_CREATE, &s2) == ICX_OK &&
             (l2 = icx_loader_new(c2, v2, s2)) && icx_loader_load_path(l2, path) == ICX_OK;
    _exit(ok ? 0 : 1);
  }
  ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the load failed");
  ck_assert_msg(ru.ru_maxrss < 256 * 1024, "peak RSS %ld KiB for 1040000 triples",
                ru.ru_maxrss);
  free(path);
#endif
}
END_TEST


/* alignment.ttl: OCCI's compute kind means res:ComputeService, OMN's
 * hasCores (both namespaces) means res:cores.  A document in those terms is
 * stored as written and in icx's terms, is checked as icx's terms are, and
 * matches. */
#define ALIGNED_PREFIXES \
  "@prefix occi: <http://schemas.ogf.org/occi/infrastructure#> .\n" \
  "@prefix omn: <https://github.com/w3c/omn/blob/master/omnlib/ontologies/omn-component#> .\n" \
  "@prefix omn16: <http://open-multinet.info/ontology/omn-component#> .\n"

START_TEST(aligned_terms_are_understood)
{
  char *path = doc("occi.ttl", ALIGNED_PREFIXES
    "ex:c a res:Cloud ; res:cloudName \"occi\" ; res:offers ex:vm1, ex:vm2 .\n"
    "ex:vm1 a occi:compute ; omn:hasCores 16 .\n"
    "ex:vm2 a occi:compute ; omn16:hasCores 64 ; res:memory 256 .\n");
  char *xml, *got;

  ck_assert_int_eq(icx_loader_load_path(loader, path), ICX_OK);
  /* 9 statements as written, plus two types and two core counts in ours. */
  ck_assert_int_eq(triples_in_store(), 13);
  xml = tu_constraints("cores", "32", NULL);
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "occi");
  free(got);
  free(xml);
  xml = tu_constraints("cores", "65", NULL);
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "");
  free(got);
  free(xml);
  /* Requesters may use the foreign name of the attribute too. */
  xml = tu_constraints("http://open-multinet.info/ontology/omn-component#hasCores", "64",
                       "memory", "256", NULL);
  got = tu_match(ctx, vocab, store, xml);
  ck_assert_str_eq(got, "occi");
  free(got);
  free(xml);
  free(path);
}
END_TEST

START_TEST(aligned_terms_are_checked)
{
  /* The equivalent's datatype applies, and the message names the line. */
  expect_rejected(ALIGNED_PREFIXES
                  "ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:vm .\n"
                  "ex:vm a occi:compute ;\n omn:hasCores \"many\" .\n",
                  ICX_ERR_INVALID, "bad.ttl:8: cores of <http://ex.example/vm>, stated with <https://github.com/w3c/omn/blob/master/omnlib/ontologies/omn-component#hasCores>, is \"many\"", NULL);
  /* An OCCI compute resource is a service: it needs a cloud. */
  expect_rejected(ALIGNED_PREFIXES
                  "ex:c a res:Cloud ; res:cloudName \"x\" .\n"
                  "ex:vm a occi:compute ; omn:hasCores 4 .\n",
                  ICX_ERR_INVALID, "belongs to no cloud", NULL);
  /* hasCores on something that is not a compute service. */
  expect_rejected(ALIGNED_PREFIXES
                  "ex:c a res:Cloud ; res:cloudName \"x\" ; res:offers ex:s .\n"
                  "ex:s a res:StorageService ; omn:hasCores 4 .\n",
                  ICX_ERR_INVALID, "not typed", "ComputeService");
  ck_assert_int_eq(triples_in_store(), 0);
}
END_TEST

static Suite *
loader_suite(void)
{
  Suite *s = suite_create("loader");
  TCase *tc = tcase_create("load");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, shipped_data_loads_in_all_three_formats);
  tcase_add_test(tc, undefined_property_names_file_and_line);
  tcase_add_test(tc, wrong_datatypes_are_rejected);
  tcase_add_test(tc, structure_is_checked);
  tcase_add_test(tc, syntax_errors_name_the_line);
  tcase_add_test(tc, failed_reload_keeps_the_old_document);
  tcase_add_test(tc, folder_loads_good_files_and_reports_bad_ones);
  tcase_add_test(tc, blank_node_services_stay_apart);
  tcase_add_test(tc, buffers_streams_and_formats);
  tcase_add_test(tc, dry_run_stores_nothing);
  tcase_add_test(tc, rdfxml_with_a_dtd_is_refused);
  tcase_add_test(tc, deeply_nested_rdfxml_is_refused_at_once);
  tcase_add_test(tc, empty_documents_get_their_error);
  tcase_add_test(tc, numbers_out_of_range_are_refused);
  tcase_add_test(tc, the_vocabularys_terms_are_not_a_documents_to_define);
  tcase_add_test(tc, names_with_control_characters_are_refused);
  tcase_add_test(tc, a_cloud_name_belongs_to_one_document);
  tcase_add_test(tc, a_cloud_name_belongs_to_one_cloud_of_a_document);
  tcase_add_test(tc, a_cloud_iri_belongs_to_one_document);
  tcase_add_test(tc, aligned_terms_are_understood);
  tcase_add_test(tc, aligned_terms_are_checked);
  suite_add_tcase(s, tc);
  tc = tcase_create("large");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, a_bad_end_of_a_large_document_leaves_the_store_unchanged);
  tcase_add_test(tc, turtle_pieces_mean_what_the_document_says);
  tcase_add_test(tc, quads_carry_their_objects_numbers);
  tcase_add_test(tc, a_redefined_prefix_applies_from_where_it_stands);
  suite_add_tcase(s, tc);
  return s;
}

/* The peak memory of a load, alone: built as check_loader_memory
 * (tests/unit/unit.am), so that where it cannot be measured it says SKIP
 * without hiding the passes of the loader's other tests. */
static Suite *
loader_memory_suite(void)
{
  Suite *s = suite_create("loader_memory");
  TCase *tc = tcase_create("memory");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, memory_stays_bounded_on_a_large_document);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
#ifdef ICX_CHECK_LOADER_MEMORY
  (void)loader_suite;
  return tu_run(loader_memory_suite());
#else
  (void)loader_memory_suite;
  return tu_run(loader_suite());
#endif
}

/* check_vocab.c - the vocabulary reader, and its compiled cache. */
#define _GNU_SOURCE 1               /* memmem() */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "icx_ctx_internal.h"
#include "icx_vocab_internal.h"

static icx_ctx *ctx;
static icx_vocab *vocab;

static void
setup(void)
{
  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
}

static void
teardown(void)
{
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
}

START_TEST(paper_names_resolve)
{
  static const struct { const char *name, *label; } cases[] = {
    { "availabilityQuanity ", "availability" },
    { "availabilityQuantity", "availability" },
    { "replicationFactor", "replicationFactor" },
    { "tierCountries", "tierCountry" },
    { "StorageReplicationMethod\n         ", "replicationMethod" },
    { "InterCloudStorageAccess\n         ", "storageAccess" },
    { "  intercloudstorageaccess", "storageAccess" },
    { "http://www.csp/resOntology#availability", "availability" },
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const icx_attribute *a = icx_vocab_find_attribute(vocab, cases[i].name);
    ck_assert_msg(a != NULL, "\"%s\" does not resolve", cases[i].name);
    ck_assert_str_eq(icx_attribute_label(a), cases[i].label);
  }
  ck_assert_ptr_null(icx_vocab_find_attribute(vocab, "availabilityQuantityX"));
  ck_assert_ptr_null(icx_vocab_find_attribute(vocab, ""));
}
END_TEST

START_TEST(attribute_descriptions)
{
  const icx_attribute *a = icx_vocab_find_attribute(vocab, "availability");

  ck_assert_int_eq(icx_vocab_attribute_count(vocab), 14);
  ck_assert_int_eq(icx_attribute_type(a), ICX_TYPE_DECIMAL);
  ck_assert_int_eq(icx_attribute_rule(a), ICX_RULE_AT_LEAST);
  ck_assert_str_eq(icx_attribute_domain(a), "http://www.csp/resOntology#StorageService");
  a = icx_vocab_find_attribute(vocab, "replicationFactor");
  ck_assert_int_eq(icx_attribute_type(a), ICX_TYPE_INTEGER);
  a = icx_vocab_find_attribute(vocab, "tierCountry");
  ck_assert_int_eq(icx_attribute_type(a), ICX_TYPE_INDIVIDUAL);
  ck_assert_int_eq(icx_attribute_rule(a), ICX_RULE_INCLUDES);
  ck_assert_uint_ge(icx_attribute_value_count(a), 240);
  ck_assert_str_eq(icx_vocab_cloud_class(vocab), "http://www.csp/resOntology#Cloud");
  ck_assert_str_eq(icx_vocab_offers_property(vocab), "http://www.csp/resOntology#offers");
  ck_assert_str_eq(icx_vocab_name_property(vocab), "http://www.csp/resOntology#cloudName");
}
END_TEST

START_TEST(values_resolve_by_label_code_alias)
{
  const icx_attribute *country = icx_vocab_find_attribute(vocab, "tierCountry");
  const icx_attribute *access = icx_vocab_find_attribute(vocab, "storageAccess");
  static const char *const japan[] = { "JAPAN", "Japan", " japan\n", "JP", "jpn",
                                       "http://www.csp/resOntology#JP" };
  size_t i;

  for (i = 0; i < sizeof japan / sizeof japan[0]; i++) {
    const icx_individual *ind = icx_attribute_find_value(country, japan[i]);
    ck_assert_msg(ind != NULL, "\"%s\" is not Japan", japan[i]);
    ck_assert_str_eq(icx_individual_iri(ind), "http://www.csp/resOntology#JP");
  }
  ck_assert_ptr_null(icx_attribute_find_value(country, "Atlantis"));
  /* A value of another attribute is not a value of this one. */
  ck_assert_ptr_null(icx_attribute_find_value(country, "NFS"));
  ck_assert_ptr_nonnull(icx_attribute_find_value(access, "nfs version 4"));
}
END_TEST

START_TEST(narrower_closure)
{
  const icx_attribute *access = icx_vocab_find_attribute(vocab, "storageAccess");
  const icx_individual *nfs = icx_attribute_find_value(access, "NFS");
  const icx_individual *v4 = icx_attribute_find_value(access, "NFSv4");
  const icx_individual *const *n;
  int seen41 = 0, seen4 = 0, seen3 = 0, seencifs = 0, count = 0;

  for (n = icx_individual_narrower(nfs); *n; n++, count++) {
    const char *label = icx_individual_label(*n);
    seen41 |= !strcmp(label, "NFSv4.1");
    seen4 |= !strcmp(label, "NFSv4");
    seen3 |= !strcmp(label, "NFSv3");
    seencifs |= !strcmp(label, "CIFS");
  }
  ck_assert_ptr_eq(icx_individual_narrower(nfs)[0], nfs);
  ck_assert(seen41 && seen4 && seen3 && !seencifs);
  ck_assert_int_eq(count, 4);
  /* Transitive, and only downwards. */
  n = icx_individual_narrower(v4);
  ck_assert_str_eq(icx_individual_label(n[0]), "NFSv4");
  ck_assert_str_eq(icx_individual_label(n[1]), "NFSv4.1");
  ck_assert_ptr_null(n[2]);
}
END_TEST

START_TEST(classes_and_namespaces)
{
  const char *const *subs = icx_vocab_subclasses(vocab, "http://www.csp/resOntology#Service");
  int storage = 0;

  ck_assert_ptr_nonnull(subs);
  for (; *subs; subs++)
    storage |= !strcmp(*subs, "http://www.csp/resOntology#StorageService");
  ck_assert(storage);
  ck_assert(icx_vocab_class_subsumes(vocab, "http://www.csp/resOntology#Service",
                                     "http://www.csp/resOntology#StorageService"));
  ck_assert(!icx_vocab_class_subsumes(vocab, "http://www.csp/resOntology#StorageService",
                                      "http://www.csp/resOntology#Service"));
  ck_assert(icx_vocab_in_namespace(vocab, "http://www.csp/resOntology#anything"));
  ck_assert(!icx_vocab_in_namespace(vocab, "http://example.org/x"));
  ck_assert(icx_vocab_defines(vocab, "http://www.csp/resOntology#availability"));
  ck_assert(!icx_vocab_defines(vocab, "http://www.csp/resOntology#availabilty"));
}
END_TEST

/* --- broken vocabularies --------------------------------------------------- */

static const char *PREFIXES =
  "@prefix res: <http://www.csp/resOntology#> .\n"
  "@prefix icxm: <urn:icx:match#> .\n"
  "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
  "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
  "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";

/* Loads the shipped ontology plus one extra file; returns rc, message in ctx. */
static icx_rc
load_with_extra(const char *name, const char *body)
{
  char *dir = tu_tmpdir(), *path = tu_path(dir, name);
  char *text = malloc(strlen(PREFIXES) + strlen(body) + 1);
  icx_vocab *v = NULL;
  icx_rc rc;

  tu_copy_ontology(dir);
  strcpy(text, PREFIXES);
  strcat(text, body);
  tu_write(path, text);
  rc = icx_vocab_load(ctx, dir, &v);
  icx_vocab_free(v);
  tu_rmtree(dir);
  free(text);
  free(path);
  free(dir);
  return rc;
}

/* Each extra file body must make the vocabulary fail with want in the
 * message. */
typedef struct bad_case {
  const char *body, *want;
} bad_case;

static void
expect_vocab_errors(const char *file, const bad_case *cases, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    icx_rc rc = load_with_extra(file, cases[i].body);
    ck_assert_int_eq(rc, ICX_ERR_VOCAB);
    ck_assert_msg(strstr(icx_ctx_errmsg(ctx), cases[i].want) != NULL, "case %zu: %s", i,
                  icx_ctx_errmsg(ctx));
  }
}

START_TEST(broken_turtle_names_file_and_line)
{
  icx_rc rc = load_with_extra("zz-broken.ttl", "res:x a owl:Class ;\n  rdfs:label \"x\" \n res:y .\n");

  ck_assert_int_eq(rc, ICX_ERR_VOCAB);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "zz-broken.ttl") != NULL, "%s", icx_ctx_errmsg(ctx));
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "line 8") != NULL, "%s", icx_ctx_errmsg(ctx));
}
END_TEST

START_TEST(attribute_without_rule)
{
  icx_rc rc = load_with_extra("extra.ttl",
    "res:price a icxm:Attribute ; rdfs:label \"price\" ; rdfs:domain res:StorageService ;"
    " rdfs:range xsd:decimal .\n");

  ck_assert_int_eq(rc, ICX_ERR_VOCAB);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "price") && strstr(icx_ctx_errmsg(ctx), "icxm:rule"),
                "%s", icx_ctx_errmsg(ctx));
}
END_TEST

START_TEST(attribute_with_unknown_range)
{
  icx_rc rc = load_with_extra("extra.ttl",
    "res:price a icxm:Attribute ; rdfs:label \"price\" ; rdfs:domain res:StorageService ;"
    " rdfs:range xsd:dateTime ; icxm:rule icxm:atMost .\n");

  ck_assert_int_eq(rc, ICX_ERR_VOCAB);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "dateTime") != NULL, "%s", icx_ctx_errmsg(ctx));
}
END_TEST

START_TEST(rule_that_does_not_fit_the_type)
{
  icx_rc rc = load_with_extra("extra.ttl",
    "res:region a icxm:Attribute ; rdfs:label \"region\" ; rdfs:domain res:StorageService ;"
    " rdfs:range res:Country ; icxm:rule icxm:atLeast .\n");

  ck_assert_int_eq(rc, ICX_ERR_VOCAB);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "numeric") != NULL, "%s", icx_ctx_errmsg(ctx));
}
END_TEST

START_TEST(alias_collision_is_refused)
{
  icx_rc rc = load_with_extra("extra.ttl",
    "res:uptime a icxm:Attribute ; rdfs:label \"uptime\" ; icxm:alias \"AVAILABILITY\" ;"
    " rdfs:domain res:StorageService ; rdfs:range xsd:decimal ; icxm:rule icxm:atLeast .\n");

  ck_assert_int_eq(rc, ICX_ERR_VOCAB);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "share the name") != NULL, "%s", icx_ctx_errmsg(ctx));
}
END_TEST

START_TEST(missing_and_empty_folders)
{
  icx_vocab *v = NULL;
  char *dir = tu_tmpdir();

  ck_assert_int_eq(icx_vocab_load(ctx, "/nonexistent/icx/ontology", &v), ICX_ERR_IO);
  ck_assert_ptr_null(v);
  ck_assert_int_eq(icx_vocab_load(ctx, dir, &v), ICX_ERR_IO);
  ck_assert_msg(strstr(icx_ctx_errmsg(ctx), "no .ttl") != NULL, "%s", icx_ctx_errmsg(ctx));
  tu_rmtree(dir);
  free(dir);
}
END_TEST

START_TEST(new_attribute_from_a_file)
{
  char *dir = tu_tmpdir(), *path = tu_path(dir, "zz-maxlatency.ttl");
  icx_vocab *v = NULL;
  const icx_attribute *a;
  char text[2048];

  tu_copy_ontology(dir);
  snprintf(text, sizeof text, "%s%s", PREFIXES,
           "res:maxLatency a owl:DatatypeProperty, icxm:Attribute ;\n"
           "  rdfs:label \"maxLatency\" ; icxm:alias \"latencyMs\" ;\n"
           "  rdfs:domain res:StorageService ; rdfs:range xsd:decimal ;\n"
           "  icxm:rule icxm:atMost .\n");
  tu_write(path, text);
  ck_assert_int_eq(icx_vocab_load(ctx, dir, &v), ICX_OK);
  ck_assert_int_eq(icx_vocab_attribute_count(v), 15);
  a = icx_vocab_find_attribute(v, "LATENCYMS");
  ck_assert_ptr_nonnull(a);
  ck_assert_int_eq(icx_attribute_rule(a), ICX_RULE_AT_MOST);
  icx_vocab_free(v);
  tu_rmtree(dir);
  free(path);
  free(dir);
}
END_TEST

/* 1 if label is among what ind includes (itself and everything narrower). */
static int
includes_label(const icx_individual *ind, const char *label)
{
  const icx_individual *const *n;

  for (n = icx_individual_narrower(ind); *n; n++)
    if (!strcmp(icx_individual_label(*n), label))
      return 1;
  return 0;
}

START_TEST(regions_contain_countries)
{
  const icx_attribute *tier = icx_vocab_find_attribute(vocab, "tierRegion");
  const icx_individual *asia, *europe, *eu, *americas, *antarctic, *jp;

  ck_assert_ptr_nonnull(tier);
  ck_assert_str_eq(icx_attribute_label(tier), "tierCountry");
  asia = icx_attribute_find_value(tier, "ASIA");
  europe = icx_attribute_find_value(tier, "europe");
  eu = icx_attribute_find_value(tier, "EU");
  americas = icx_attribute_find_value(tier, "the Americas");
  antarctic = icx_attribute_find_value(tier, "Antarctic region");
  ck_assert(asia && europe && eu && americas && antarctic);
  ck_assert_str_eq(icx_individual_iri(asia), "http://www.csp/resOntology#Asia");
  /* Codes stay the countries': AS is American Samoa, NA Namibia, AQ and
   * "Antarctica" the country; GB the United Kingdom (not a unit). */
  ck_assert_str_eq(icx_individual_label(icx_attribute_find_value(tier, "AS")), "American Samoa");
  ck_assert_str_eq(icx_individual_label(icx_attribute_find_value(tier, "NA")), "Namibia");
  ck_assert_str_eq(icx_individual_iri(icx_attribute_find_value(tier, "Antarctica")),
                   "http://www.csp/resOntology#AQ");
  ck_assert_str_eq(icx_individual_label(icx_attribute_find_value(tier, "GB")), "United Kingdom");
  /* Countries lie in their continents, transitively in groupings. */
  ck_assert(includes_label(asia, "Japan") && includes_label(asia, "Singapore"));
  ck_assert(!includes_label(asia, "France"));
  ck_assert(includes_label(europe, "France") && includes_label(europe, "United Kingdom"));
  ck_assert(includes_label(europe, "European Union"));
  ck_assert(includes_label(eu, "Germany") && !includes_label(eu, "United Kingdom"));
  ck_assert(!includes_label(eu, "Switzerland") && !includes_label(eu, "Norway"));
  ck_assert(includes_label(americas, "Brazil") && includes_label(americas, "Canada"));
  ck_assert(includes_label(americas, "Mexico") && includes_label(americas, "South America"));
  ck_assert(includes_label(antarctic, "Antarctica"));
  /* Russia spans two continents; Hawaii does not put the US in Oceania. */
  ck_assert(includes_label(asia, "Russian Federation") && includes_label(europe, "Russian Federation"));
  ck_assert(!includes_label(icx_attribute_find_value(tier, "Oceania"), "United States"));
  /* A country includes only itself: asking for Japan does not find Asia. */
  jp = icx_attribute_find_value(tier, "Japan");
  ck_assert(!includes_label(jp, "Asia"));
  ck_assert_ptr_null(icx_individual_narrower(jp)[1]);
}
END_TEST

START_TEST(compute_price_and_compliance)
{
  const icx_attribute *gpu = icx_vocab_find_attribute(vocab, "gpu");
  const icx_attribute *arch = icx_vocab_find_attribute(vocab, "arch");
  const icx_attribute *cert = icx_vocab_find_attribute(vocab, "compliance");
  const icx_attribute *a;
  const icx_individual *nvidia, *instinct;

  ck_assert(gpu && arch && cert);
  ck_assert_str_eq(icx_attribute_domain(gpu), "http://www.csp/resOntology#ComputeService");
  ck_assert_int_eq(icx_attribute_rule(gpu), ICX_RULE_INCLUDES);
  nvidia = icx_attribute_find_value(gpu, "NVIDIA");
  instinct = icx_attribute_find_value(gpu, "AMD Instinct");
  ck_assert(includes_label(nvidia, "NVIDIA A100") && includes_label(nvidia, "NVIDIA H100"));
  ck_assert(!includes_label(nvidia, "AMD Instinct MI250"));
  ck_assert(includes_label(instinct, "AMD Instinct MI250"));
  ck_assert_str_eq(icx_individual_label(icx_attribute_find_value(arch, "amd64")), "x86-64");
  ck_assert_str_eq(icx_individual_label(icx_attribute_find_value(arch, "ARM64")), "AArch64");
  ck_assert(includes_label(icx_attribute_find_value(arch, "ARM"), "AArch64"));

  a = icx_vocab_find_attribute(vocab, "occi.compute.cores");
  ck_assert(a && icx_attribute_type(a) == ICX_TYPE_INTEGER && icx_attribute_rule(a) == ICX_RULE_AT_LEAST);
  a = icx_vocab_find_attribute(vocab, "RAM");
  ck_assert(a && icx_attribute_type(a) == ICX_TYPE_DECIMAL && icx_attribute_rule(a) == ICX_RULE_AT_LEAST);
  a = icx_vocab_find_attribute(vocab, "gpus");
  ck_assert(a && icx_attribute_type(a) == ICX_TYPE_INTEGER);
  a = icx_vocab_find_attribute(vocab, "pricePerHour");
  ck_assert(a && icx_attribute_rule(a) == ICX_RULE_AT_MOST);
  ck_assert_str_eq(icx_attribute_domain(a), "http://www.csp/resOntology#ComputeService");
  a = icx_vocab_find_attribute(vocab, "storagePrice");
  ck_assert(a && icx_attribute_rule(a) == ICX_RULE_AT_MOST);
  ck_assert_str_eq(icx_attribute_domain(a), "http://www.csp/resOntology#StorageService");

  ck_assert_str_eq(icx_attribute_domain(cert), "http://www.csp/resOntology#Cloud");
  ck_assert(includes_label(icx_attribute_find_value(cert, "SOC2"), "SOC 2 Type II"));
  ck_assert(!includes_label(icx_attribute_find_value(cert, "SOC 2 Type 2"), "SOC 2 Type I"));
  ck_assert_str_eq(icx_individual_label(icx_attribute_find_value(cert, "iso 27001")), "ISO/IEC 27001");
  /* Units are not values of anything, and no attribute is named after one. */
  ck_assert_ptr_null(icx_vocab_find_attribute(vocab, "GiB"));
  ck_assert_ptr_null(icx_attribute_find_value(icx_vocab_find_attribute(vocab, "memory"), "GiB"));
}
END_TEST

/* --- alignment (alignment.ttl) -------------------------------------------- */

#define OMN_2018 "https://github.com/w3c/omn/blob/master/omnlib/ontologies/omn-component#"
#define OMN_2016 "http://open-multinet.info/ontology/omn-component#"
#define OCCI_INFRA "http://schemas.ogf.org/occi/infrastructure#"
#define RES "http://www.csp/resOntology#"

START_TEST(alignment_is_read)
{
  const icx_attribute *cores = icx_vocab_find_attribute(vocab, "cores");

  ck_assert_ptr_nonnull(cores);
  ck_assert_str_eq(icx_vocab_equivalent_property(vocab, OMN_2018 "hasCores"), RES "cores");
  ck_assert_str_eq(icx_vocab_equivalent_property(vocab, OMN_2016 "hasCores"), RES "cores");
  ck_assert_str_eq(icx_vocab_equivalent_class(vocab, OCCI_INFRA "compute"), RES "ComputeService");
  /* A property is not a class, and the other way round. */
  ck_assert_ptr_null(icx_vocab_equivalent_class(vocab, OMN_2018 "hasCores"));
  ck_assert_ptr_null(icx_vocab_equivalent_property(vocab, OCCI_INFRA "compute"));
  ck_assert_ptr_null(icx_vocab_equivalent_property(vocab, OMN_2018 "hasModelType"));
  ck_assert_ptr_null(icx_vocab_equivalent_property(vocab, NULL));
  /* Requesters may name the attribute by the foreign IRI too. */
  ck_assert_ptr_eq(icx_vocab_find_attribute(vocab, OMN_2016 "hasCores"), cores);
}
END_TEST

START_TEST(alignment_either_way_round)
{
  char *dir = tu_tmpdir(), *path = tu_path(dir, "zz-extra.ttl");
  icx_vocab *v = NULL;
  char text[1024];

  tu_copy_ontology(dir);
  snprintf(text, sizeof text, "%s%s", PREFIXES,
           "<http://example.org/sla#uptime> owl:equivalentProperty res:availability .\n"
           "res:availability owl:equivalentProperty <http://example.org/sla#avail> .\n"
           "<http://example.org/a#x> owl:equivalentProperty <http://example.org/b#x> .\n");
  tu_write(path, text);
  ck_assert_int_eq(icx_vocab_load(ctx, dir, &v), ICX_OK);
  ck_assert_str_eq(icx_vocab_equivalent_property(v, "http://example.org/sla#uptime"),
                   RES "availability");
  ck_assert_str_eq(icx_vocab_equivalent_property(v, "http://example.org/sla#avail"),
                   RES "availability");
  /* Between two foreign terms: none of icx's business. */
  ck_assert_ptr_null(icx_vocab_equivalent_property(v, "http://example.org/a#x"));
  ck_assert_ptr_null(icx_vocab_equivalent_property(v, "http://example.org/b#x"));
  icx_vocab_free(v);
  tu_rmtree(dir);
  free(path);
  free(dir);
}
END_TEST

START_TEST(alignment_errors)
{
  static const bad_case cases[] = {
    { "res:availability owl:equivalentProperty res:replicationFactor .\n", "both are terms" },
    { "<http://example.org/x#p> owl:equivalentProperty res:availability, res:cores .\n",
      "equivalent to both" },
    { "<http://example.org/x#C> owl:equivalentProperty res:ComputeService .\n",
      "not an attribute or structural property" },
    { "<http://example.org/x#p> owl:equivalentClass res:availability .\n", "not a class" },
    { "res:cores owl:equivalentProperty \"hasCores\" .\n", "IRI on both sides" },
  };

  expect_vocab_errors("zz-align.ttl", cases, sizeof cases / sizeof *cases);
}
END_TEST

/* --- distances (latency.ttl) ------------------------------------------------ */

/* Figure between two tierCountry values named by requesters; -1 if none. */
static void
distance(const char *x, const char *y, double *least, double *most)
{
  const icx_attribute *lat = icx_vocab_find_attribute(vocab, "latency");
  const icx_attribute *place = icx_attribute_place(lat);
  const icx_individual *a = icx_attribute_find_value(place, x);
  const icx_individual *b = icx_attribute_find_value(place, y);

  ck_assert_msg(a && b, "%s or %s unknown", x, y);
  *least = *most = -1;
  icx_attribute_distance(lat, a, b, least, most);
}

START_TEST(latency_table)
{
  const icx_attribute *lat = icx_vocab_find_attribute(vocab, "rtt");
  double lo, hi;

  ck_assert_ptr_nonnull(lat);
  ck_assert_str_eq(icx_attribute_label(icx_attribute_place(lat)), "tierCountry");
  ck_assert_ptr_null(icx_attribute_place(icx_vocab_find_attribute(vocab, "tierCountry")));
  distance("Germany", "France", &lo, &hi);        /* both in Europe */
  ck_assert(lo == 30 && hi == 30);
  distance("JP", "DE", &lo, &hi);                 /* Asia - Europe, either way round */
  ck_assert(lo == 180 && hi == 180);
  distance("DE", "JP", &lo, &hi);
  ck_assert(lo == 180 && hi == 180);
  distance("Russian Federation", "Germany", &lo, &hi);   /* Europe and Asia */
  ck_assert(lo == 30 && hi == 180);
  distance("EU", "Germany", &lo, &hi);            /* a region in a zone counts by it */
  ck_assert(lo == 30 && hi == 30);
  /* EMEA holds Europe, Africa and (the Middle East's countries) Asia. */
  distance("EMEA", "Japan", &lo, &hi);
  ck_assert_msg(lo == 80 && hi == 250, "%g %g", lo, hi);
  distance("Americas", "Brazil", &lo, &hi);       /* North and South America */
  ck_assert(lo == 70 && hi == 140);
  distance("Antarctica", "Germany", &lo, &hi);    /* no zone: no figure */
  ck_assert(lo == -1 && hi == -1);
}
END_TEST

START_TEST(latency_vocabulary_errors)
{
  static const bad_case cases[] = {
    { "res:d a icxm:Attribute ; rdfs:label \"d\" ; rdfs:domain res:StorageService ;"
      " rdfs:range xsd:decimal ; icxm:rule icxm:atMost ; icxm:placeAttribute res:tierCountry .\n",
      "needs both" },
    { "res:d a icxm:Attribute ; rdfs:label \"d\" ; rdfs:domain res:StorageService ;"
      " rdfs:range xsd:decimal ; icxm:rule icxm:atMost ; icxm:placeAttribute res:availability ;"
      " icxm:figureClass res:RoundTrip .\n", "valued with individuals" },
    { "res:d a icxm:Attribute ; rdfs:label \"d\" ; rdfs:domain res:ComputeService ;"
      " rdfs:range xsd:decimal ; icxm:rule icxm:atMost ; icxm:placeAttribute res:tierCountry ;"
      " icxm:figureClass res:RoundTrip .\n", "same rdfs:domain" },
    { "res:rttX a res:RoundTrip ; icxm:between res:Europe, res:Asia ; icxm:figure 10 .\n",
      "two different figures" },
    { "res:rttX a res:RoundTrip ; icxm:between res:Europe, res:NFS ; icxm:figure 10 .\n",
      "not a value of tierCountry" },
    { "res:rttX a res:RoundTrip ; icxm:between res:Europe ; icxm:figure -3 .\n",
      "a number of 0 or more" },
    { "res:rttX a res:RoundTrip ; icxm:between res:EuropeanUnion ; icxm:figure 20 .\n",
      "which lies in it" },
  };

  expect_vocab_errors("zz-latency.ttl", cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(free_null_is_noop)
{
  icx_vocab_free(NULL);
  icx_ctx_free(NULL);
}
END_TEST


/* --- the compiled cache (icx_vocab_load_cached) ------------------------------ */

/* What the cache said, one line per message of level info or worse. */
typedef struct vc_log {
  char text[16384];
} vc_log;

static void
vc_sink(void *userdata, icx_log_level level, const char *area, const char *msg)
{
  vc_log *l = userdata;
  size_t n = strlen(l->text);

  (void)area;
  snprintf(l->text + n, sizeof l->text - n, "%s: %s\n", level == ICX_LOG_WARN ? "warn" : "info",
           msg);
}

static void
vc_listen(icx_ctx *c, vc_log *l)
{
  l->text[0] = '\0';
  icx_ctx_set_logger(c, vc_sink, l);
  icx_ctx_set_log_level(c, ICX_LOG_INFO);
}

/* Loads dir through the cache in cache and returns the vocabulary; the log
 * of that load is in l. */
static icx_vocab *
vc_load(icx_ctx *c, const char *dir, const char *cache, vc_log *l)
{
  icx_vocab *v = NULL;
  icx_rc rc;

  vc_listen(c, l);
  rc = icx_vocab_load_cached(c, dir, cache, &v);
  ck_assert_msg(rc == ICX_OK, "cached load: %s (log: %s)", icx_ctx_errmsg(c), l->text);
  return v;
}

#define VC_HAS(l, s) ck_assert_msg(strstr((l)->text, (s)) != NULL, "log lacks \"%s\": %s", (s), (l)->text)

/* The one cache file in folder cache, as a new path. */
static char *
vc_file(const char *cache)
{
  char cmd[1024], line[1024];
  FILE *p;

  snprintf(cmd, sizeof cmd, "ls '%s'/vocab-*.bin", cache);
  p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
  pclose(p);
  line[strcspn(line, "\n")] = '\0';
  return strdup(line);
}

static void
vc_same_tables(const icx_vocab *a, const icx_vocab *b)
{
  char *ea = NULL, *eb = NULL;
  size_t la = 0, lb = 0;

  ck_assert_int_eq(icx_vocab_cache_encode(ctx, a, &ea, &la), ICX_OK);
  ck_assert_int_eq(icx_vocab_cache_encode(ctx, b, &eb, &lb), ICX_OK);
  ck_assert_uint_eq(la, lb);
  ck_assert_msg(memcmp(ea, eb, la) == 0, "the tables differ");
  icx_free(ctx, ea);
  icx_free(ctx, eb);
}

START_TEST(cache_miss_then_hit_gives_the_same_tables)
{
  char *dir = tu_tmpdir(), *cache = tu_path(dir, "cache");
  vc_log l;
  icx_vocab *first, *second;
  const icx_attribute *a;
  const icx_individual *nfs;
  struct stat st;

  first = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "no vocabulary cache at");
  VC_HAS(&l, "wrote the vocabulary cache");
  ck_assert_int_eq(stat(cache, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0700);
  second = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "read from its cache");
  ck_assert_ptr_null(strstr(l.text, "loaded 14 attributes"));   /* no Turtle read */
  vc_same_tables(vocab, first);
  vc_same_tables(vocab, second);
  /* The copy works through the public calls, closures and all. */
  a = icx_vocab_find_attribute(second, "InterCloudStorageAccess\n ");
  ck_assert_ptr_nonnull(a);
  nfs = icx_attribute_find_value(a, "nfs");
  ck_assert_ptr_nonnull(nfs);
  ck_assert_ptr_nonnull(icx_individual_narrower(nfs)[1]);
  ck_assert_ptr_eq(icx_vocab_find_attribute(second, "availabilityQuanity "),
                   icx_vocab_find_attribute(second, "availability"));
  ck_assert_int_eq(icx_vocab_class_subsumes(second, "http://www.csp/resOntology#StorageService",
                                            "http://www.csp/resOntology#StorageService"), 1);
  icx_vocab_free(first);
  icx_vocab_free(second);
  tu_rmtree(dir);
  free(cache);
  free(dir);
}
END_TEST

START_TEST(cache_sees_every_change_of_the_folder)
{
  char *dir = tu_tmpdir(), *onto = tu_path(dir, "onto"), *cache = tu_path(dir, "cache");
  char *core, *text, *edited, *at;
  vc_log l;
  icx_vocab *v;
  struct stat st;
  struct timespec times[2];

  ck_assert_int_eq(mkdir(onto, 0755), 0);
  tu_copy_ontology(onto);
  icx_vocab_free(vc_load(ctx, onto, cache, &l));
  v = vc_load(ctx, onto, cache, &l);
  VC_HAS(&l, "read from its cache");
  icx_vocab_free(v);

  /* An edit of the same length, with the old modification time put back:
   * the bytes tell. */
  core = tu_path(onto, "storage.ttl");
  text = tu_read(core, NULL);
  ck_assert_int_eq(stat(core, &st), 0);
  at = strstr(text, "\"replicas\"");
  ck_assert_msg(at != NULL, "storage.ttl has no alias \"replicas\"");
  edited = strdup(text);
  memcpy(edited + (at - text), "\"replicaZ\"", 10);
  tu_write(core, edited);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  ck_assert_int_eq(utimensat(AT_FDCWD, core, times, 0), 0);
  v = vc_load(ctx, onto, cache, &l);
  VC_HAS(&l, "out of date (the ontology folder changed");
  ck_assert_ptr_nonnull(icx_vocab_find_attribute(v, "replicaZ"));
  ck_assert_ptr_null(icx_vocab_find_attribute(v, "replicas"));
  icx_vocab_free(v);
  v = vc_load(ctx, onto, cache, &l);
  VC_HAS(&l, "read from its cache");
  ck_assert_ptr_nonnull(icx_vocab_find_attribute(v, "replicaZ"));
  icx_vocab_free(v);

  /* A new file, then the same file removed. */
  snprintf(edited, strlen(text), "%s%s", PREFIXES,
           "res:maxLatency a owl:DatatypeProperty, icxm:Attribute ;\n"
           "  rdfs:label \"maxLatency\" ;\n"
           "  rdfs:domain res:StorageService ; rdfs:range xsd:decimal ;\n"
           "  icxm:rule icxm:atMost .\n");
  free(core);
  core = tu_path(onto, "zz-new.ttl");
  tu_write(core, edited);
  v = vc_load(ctx, onto, cache, &l);
  VC_HAS(&l, "out of date");
  ck_assert_int_eq(icx_vocab_attribute_count(v), 15);
  icx_vocab_free(v);
  ck_assert_int_eq(unlink(core), 0);
  v = vc_load(ctx, onto, cache, &l);
  VC_HAS(&l, "out of date");
  ck_assert_int_eq(icx_vocab_attribute_count(v), 14);
  icx_vocab_free(v);

  /* A file that no longer parses is the loader's error, cache or not. */
  tu_write(core, "this is not Turtle");
  v = NULL;
  vc_listen(ctx, &l);
  ck_assert_int_eq(icx_vocab_load_cached(ctx, onto, cache, &v), ICX_ERR_VOCAB);
  ck_assert_ptr_null(v);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "zz-new.ttl"));
  tu_rmtree(dir);
  free(core);
  free(text);
  free(edited);
  free(onto);
  free(cache);
  free(dir);
}
END_TEST

/* Writes len bytes of data to path. */
static void
vc_put(const char *path, const char *data, size_t len)
{
  FILE *f = fopen(path, "wb");

  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(damaged_cache_is_refused_and_rebuilt)
{
  char *dir = tu_tmpdir(), *cache = tu_path(dir, "cache"), *file, *good, *bad;
  size_t len;
  vc_log l;
  icx_vocab *v;
  static const struct { long at; int truncate; const char *why; } cases[] = {
    { 0, 0, "not a vocabulary cache" },     /* the magic */
    { -20, 0, "checksum does not match" },   /* a byte of the tables */
    { -1, 0, "checksum does not match" },    /* a byte of the checksum */
    { -100, 1, "length is wrong" },          /* cut short */
    { 30, 1, "ends early" },                 /* cut in the header */
  };
  size_t i;

  icx_vocab_free(vc_load(ctx, tu_ontology(), cache, &l));
  file = vc_file(cache);
  good = tu_read(file, &len);
  ck_assert_ptr_nonnull(good);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t at = cases[i].at < 0 ? len + (size_t)cases[i].at : (size_t)cases[i].at;
    bad = malloc(len);
    memcpy(bad, good, len);
    if (cases[i].truncate) {
      vc_put(file, bad, at);
    } else {
      bad[at] ^= 0x55;
      vc_put(file, bad, len);
    }
    v = vc_load(ctx, tu_ontology(), cache, &l);
    VC_HAS(&l, "warn: vocab");
    VC_HAS(&l, "is refused (");
    VC_HAS(&l, cases[i].why);
    VC_HAS(&l, "rebuilding it from the Turtle files");
    VC_HAS(&l, "wrote the vocabulary cache");
    vc_same_tables(vocab, v);
    icx_vocab_free(v);
    v = vc_load(ctx, tu_ontology(), cache, &l);
    VC_HAS(&l, "read from its cache");
    icx_vocab_free(v);
    free(bad);
  }
  /* A file others may write is not trusted. */
  ck_assert_int_eq(chmod(file, 0666), 0);
  v = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "another account owns it or may write it");
  icx_vocab_free(v);
  v = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "read from its cache");
  icx_vocab_free(v);
  tu_rmtree(dir);
  free(good);
  free(file);
  free(cache);
  free(dir);
}
END_TEST

START_TEST(cache_of_another_build_is_not_used)
{
  char *dir = tu_tmpdir(), *cache = tu_path(dir, "cache"), *file, *data, *at;
  size_t len;
  vc_log l;
  icx_vocab *v;

  icx_vocab_free(vc_load(ctx, tu_ontology(), cache, &l));
  file = vc_file(cache);
  data = tu_read(file, &len);
  /* The version of icx that wrote it. */
  at = memmem(data, len, PACKAGE_VERSION, strlen(PACKAGE_VERSION));
  ck_assert_ptr_nonnull(at);
  at[0] = at[0] == '9' ? '8' : '9';
  vc_put(file, data, len);
  v = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "out of date (it was written by another build of icx)");
  ck_assert_ptr_null(strstr(l.text, "warn:"));
  VC_HAS(&l, "wrote the vocabulary cache");
  icx_vocab_free(v);
  /* The cache format (the four bytes after the magic). */
  free(data);
  data = tu_read(file, &len);
  data[8] ^= 0x7f;
  vc_put(file, data, len);
  v = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "out of date (it was written by another version of icx)");
  icx_vocab_free(v);
  v = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "read from its cache");
  vc_same_tables(vocab, v);
  icx_vocab_free(v);
  tu_rmtree(dir);
  free(data);
  free(file);
  free(cache);
  free(dir);
}
END_TEST

START_TEST(unwritable_cache_falls_back_to_turtle)
{
  char *dir = tu_tmpdir(), *plain = tu_path(dir, "plain"), *cache, *locked, *inner;
  vc_log l;
  icx_vocab *v;

  /* A path through a regular file. */
  tu_write(plain, "not a folder");
  cache = tu_path(plain, "icx");
  v = vc_load(ctx, tu_ontology(), cache, &l);
  VC_HAS(&l, "no vocabulary cache at");
  VC_HAS(&l, "cannot write the vocabulary cache");
  VC_HAS(&l, "the vocabulary was read from its Turtle files");
  vc_same_tables(vocab, v);
  icx_vocab_free(v);

  /* A folder of another account (as root), or one we may not write. */
  locked = tu_path(dir, "locked");
  ck_assert_int_eq(mkdir(locked, 0755), 0);
  if (geteuid() == 0)
    ck_assert_int_eq(chown(locked, 65534, 65534), 0);
  else
    ck_assert_int_eq(chmod(locked, 0555), 0);
  inner = tu_path(locked, "icx");
  v = vc_load(ctx, tu_ontology(), inner, &l);
  VC_HAS(&l, "cannot write the vocabulary cache");
  ck_assert_int_ne(access(inner, F_OK), 0);        /* nothing made there */
  vc_same_tables(vocab, v);
  icx_vocab_free(v);
  /* The folder itself someone else's: not used either. */
  if (geteuid() == 0) {
    ck_assert_int_eq(chown(locked, 0, 0), 0);
    ck_assert_int_eq(mkdir(inner, 0700), 0);
    ck_assert_int_eq(chown(inner, 65534, 65534), 0);
    v = vc_load(ctx, tu_ontology(), inner, &l);
    VC_HAS(&l, "belongs to another account");
    icx_vocab_free(v);
  } else {
    ck_assert_int_eq(chmod(locked, 0755), 0);
  }

  /* No folder at all: neither XDG_CACHE_HOME nor HOME. */
  {
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    unsetenv("HOME");
    setenv("XDG_CACHE_HOME", "relative/not/used", 1);
    v = vc_load(ctx, tu_ontology(), NULL, &l);
    VC_HAS(&l, "no vocabulary cache (neither XDG_CACHE_HOME nor HOME");
    icx_vocab_free(v);
    if (home)
      setenv("HOME", home, 1);
    if (xdg)
      setenv("XDG_CACHE_HOME", xdg, 1);
    else
      unsetenv("XDG_CACHE_HOME");
    free(home);
    free(xdg);
  }
  tu_rmtree(dir);
  free(inner);
  free(locked);
  free(cache);
  free(plain);
  free(dir);
}
END_TEST

/* The decoder on tables cut short or with bytes changed: an error, never a
 * read past the block (the sanitizer build watches). */
START_TEST(decoder_refuses_damaged_tables)
{
  char *data = NULL, *copy;
  size_t len = 0, cut, i;
  icx_vocab *v;
  const char *why;
  icx_rc rc;

  ck_assert_int_eq(icx_vocab_cache_encode(ctx, vocab, &data, &len), ICX_OK);
  ck_assert_int_eq(icx_vocab_cache_decode(ctx, data, len, &v, &why), ICX_OK);
  icx_vocab_free(v);
  for (cut = 0; cut < len; cut += 1 + cut / 4) {
    copy = malloc(cut + 1);
    memcpy(copy, data, cut);
    ck_assert_int_eq(icx_vocab_cache_decode(ctx, copy, cut, &v, &why), ICX_ERR_DAMAGED);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(why);
    free(copy);
  }
  copy = malloc(len);
  for (i = 0; i < len; i += 1 + i / 8) {
    memcpy(copy, data, len);
    copy[i] ^= (char)0xa5;
    rc = icx_vocab_cache_decode(ctx, copy, len, &v, &why);
    ck_assert(rc == ICX_OK || rc == ICX_ERR_DAMAGED);
    icx_vocab_free(v);
  }
  free(copy);
  icx_free(ctx, data);
}
END_TEST

/* The allocations of a load from the cache refused from the nth on, for
 * each n in turn (every one up to 32, then a sample): out of memory or a
 * good vocabulary, nothing leaked (the suite's allocator counts the
 * blocks). */
START_TEST(cache_load_out_of_memory)
{
  char *dir = tu_tmpdir(), *cache = tu_path(dir, "cache");
  tu_mem m;
  icx_ctx *c;
  icx_vocab *v;
  vc_log l;
  unsigned long n;
  icx_rc rc;

  icx_vocab_free(vc_load(ctx, tu_ontology(), cache, &l));
  for (n = 1;; n += n < 32 ? 1 : 151) {
    memset(&m, 0, sizeof m);
    c = tu_ctx_mem(&m);
    m.fail_at = n;
    m.fail_rest = 1;          /* and every one after: the Turtle fallback fails fast too */
    m.armed = 1;
    v = NULL;
    rc = icx_vocab_load_cached(c, tu_ontology(), cache, &v);
    m.armed = 0;
    ck_assert_msg(rc == ICX_OK || rc == ICX_ERR_NOMEM, "allocation %lu: %s", n,
                  icx_strerror(rc));
    if (rc == ICX_OK)
      vc_same_tables(vocab, v);
    icx_vocab_free(v);
    icx_ctx_free(c);
    ck_assert_int_eq(m.live, 0);
    if (!m.failed)
      break;
  }
  tu_rmtree(dir);
  free(cache);
  free(dir);
}
END_TEST

static Suite *
vocab_suite(void)
{
  Suite *s = suite_create("vocab");
  TCase *tc = tcase_create("shipped");
  TCase *bad = tcase_create("broken");
  TCase *cache = tcase_create("cache");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, paper_names_resolve);
  tcase_add_test(tc, attribute_descriptions);
  tcase_add_test(tc, values_resolve_by_label_code_alias);
  tcase_add_test(tc, narrower_closure);
  tcase_add_test(tc, classes_and_namespaces);
  tcase_add_test(tc, new_attribute_from_a_file);
  tcase_add_test(tc, regions_contain_countries);
  tcase_add_test(tc, compute_price_and_compliance);
  tcase_add_test(tc, alignment_is_read);
  tcase_add_test(tc, alignment_either_way_round);
  tcase_add_test(tc, latency_table);
  tcase_add_test(tc, free_null_is_noop);
  suite_add_tcase(s, tc);
  tcase_add_checked_fixture(bad, setup, teardown);
  tcase_add_test(bad, broken_turtle_names_file_and_line);
  tcase_add_test(bad, attribute_without_rule);
  tcase_add_test(bad, attribute_with_unknown_range);
  tcase_add_test(bad, rule_that_does_not_fit_the_type);
  tcase_add_test(bad, alias_collision_is_refused);
  tcase_add_test(bad, missing_and_empty_folders);
  tcase_add_test(bad, alignment_errors);
  tcase_add_test(bad, latency_vocabulary_errors);
  suite_add_tcase(s, bad);
  tcase_add_checked_fixture(cache, setup, teardown);
  tcase_add_test(cache, cache_miss_then_hit_gives_the_same_tables);
  tcase_add_test(cache, cache_sees_every_change_of_the_folder);
  tcase_add_test(cache, damaged_cache_is_refused_and_rebuilt);
  tcase_add_test(cache, cache_of_another_build_is_not_used);
  tcase_add_test(cache, unwritable_cache_falls_back_to_turtle);
  tcase_add_test(cache, decoder_refuses_damaged_tables);
  tcase_add_test(cache, cache_load_out_of_memory);
  suite_add_tcase(s, cache);
  return s;
}

int
main(void)
{
  return tu_run(vocab_suite());
}

/* icx_cli_json.c - --format json for match, explain, vocab, list and
 * stats.  jansson builds the documents; each is printed on stdout with
 * two-space indentation and a final newline.  The shapes are icx.1's
 * (OUTPUT FORMATS); a field is added there before it is added here. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>

#include "icx_cli.h"

/* jansson's constructors return NULL on ENOMEM, and its _new setters
 * take the reference of the value even when they fail: an object or
 * array is checked once, by counting its members (cli_json_push(),
 * cli_json_full()). */
static int
cli_json_print(icx_ctx *ctx, json_t *doc)
{
  int bad;

  if (!doc)
    return icx_cli_fail(ctx, ICX_ERR_NOMEM);
  bad = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (bad || fputc('\n', stdout) == EOF || fflush(stdout)) {
    fprintf(stderr, "icx: error: cannot write the answer\n");
    return EXIT_FAILURE_SYS;
  }
  return EXIT_OK;
}

/* Appends o to arr when o has its want members; o is released either
 * way.  0, or -1 (an allocation failed somewhere below o). */
static int
cli_json_push(json_t *arr, json_t *o, size_t want)
{
  if (json_object_size(o) != want) {
    json_decref(o);
    return -1;
  }
  return json_array_append_new(arr, o) ? -1 : 0;
}

/* arr when it holds n items, else NULL (arr released): an append failed. */
static json_t *
cli_json_full(json_t *arr, size_t n)
{
  if (json_array_size(arr) == n)
    return arr;
  json_decref(arr);
  return NULL;
}

/* A string, or JSON null for NULL. */
static json_t *
cli_json_str(const char *s)
{
  return s ? json_string(s) : json_null();
}

/* The request's constraints: attribute, op, values, required, weight. */
static json_t *
cli_json_constraints(const icx_constraints *set)
{
  json_t *arr = json_array();
  size_t i, k;

  for (i = 0; arr && i < icx_constraints_count(set); i++) {
    json_t *c = json_object(), *values = json_array();
    for (k = 0; values && k < icx_constraint_value_count(set, i); k++)
      json_array_append_new(values, cli_json_str(icx_constraint_value_at(set, i, k)));
    json_object_set_new(c, "attribute",
                        json_string(icx_attribute_label(icx_constraint_attribute(set, i))));
    json_object_set_new(c, "op", json_string(icx_op_name(icx_constraint_op(set, i))));
    json_object_set_new(c, "values", cli_json_full(values, k));
    json_object_set_new(c, "required", json_boolean(icx_constraint_required(set, i)));
    json_object_set_new(c, "weight", json_integer(icx_constraint_weight(set, i)));
    if (cli_json_push(arr, c, 5)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

int
icx_cli_json_match(icx_ctx *ctx, const icx_match *m, const icx_constraints *set, int sparql)
{
  json_t *doc = json_object(), *clouds = json_array();
  size_t i, k;
  int failed = !doc || !clouds;

  for (i = 0; !failed && i < icx_match_count(m); i++) {
    json_t *c = json_object(), *degrees = json_array();
    for (k = 0; degrees && k < icx_match_constraint_count(m); k++)
      json_array_append_new(degrees,
                            json_string(icx_degree_name(icx_match_constraint_degree(m, i, k))));
    json_object_set_new(c, "name", json_string(icx_match_cloud(m, i)));
    json_object_set_new(c, "score", json_integer(icx_match_score(m, i)));
    json_object_set_new(c, "degree", json_string(icx_degree_name(icx_match_degree(m, i))));
    json_object_set_new(c, "constraints", cli_json_full(degrees, k));
    failed = cli_json_push(clouds, c, 4);
  }
  if (!failed) {
    json_object_set_new(doc, "count", json_integer((json_int_t)icx_match_count(m)));
    json_object_set_new(doc, "constraints", cli_json_constraints(set));
    json_object_set(doc, "clouds", clouds);
    if (sparql)
      json_object_set_new(doc, "sparql", json_string(icx_match_sparql(m)));
    failed = json_object_size(doc) != 3u + (sparql != 0);
  }
  json_decref(clouds);
  if (failed) {
    json_decref(doc);
    doc = NULL;
  }
  return cli_json_print(ctx, doc);
}

int
icx_cli_json_explain(icx_ctx *ctx, const icx_explain *e, const icx_constraints *set)
{
  json_t *doc = json_object(), *counts = json_array(), *clouds = json_array(),
         *relax = json_array();
  size_t i, k, n_c = icx_explain_constraint_count(e);
  int failed = !doc || !counts || !clouds || !relax;

  for (i = 0; !failed && i < n_c; i++) {
    json_t *c = json_object();
    json_object_set_new(c, "attribute",
                        json_string(icx_attribute_label(icx_constraint_attribute(set, i))));
    json_object_set_new(c, "alone", json_integer(icx_explain_alone(e, i)));
    json_object_set_new(c, "remaining", json_integer(icx_explain_remaining(e, i)));
    failed = cli_json_push(counts, c, 3);
  }
  for (i = 0; !failed && i < icx_explain_cloud_count(e); i++) {
    json_t *c = json_object(), *fails = json_array();
    for (k = 0; fails && k < icx_explain_failure_count(e, i); k++) {
      size_t at = icx_explain_failure_constraint(e, i, k);
      json_t *f = json_object();
      json_object_set_new(f, "constraint", json_integer((json_int_t)at + 1));
      json_object_set_new(f, "attribute",
                          json_string(icx_attribute_label(icx_constraint_attribute(set, at))));
      json_object_set_new(f, "detail", cli_json_str(icx_explain_failure_detail(e, i, k)));
      if (cli_json_push(fails, f, 3))
        break;
    }
    json_object_set_new(c, "name", json_string(icx_explain_cloud(e, i)));
    json_object_set_new(c, "known", json_boolean(icx_explain_cloud_known(e, i)));
    json_object_set_new(c, "matches", json_boolean(icx_explain_cloud_matches(e, i)));
    json_object_set_new(c, "fails", cli_json_full(fails, icx_explain_failure_count(e, i)));
    failed = cli_json_push(clouds, c, 4);
  }
  for (i = 0; !failed && i < icx_explain_relaxation_count(e); i++) {
    json_t *r = json_object(), *removed = json_array();
    for (k = 0; removed && k < icx_explain_relaxation_size(e, i); k++) {
      size_t at = icx_explain_relaxation_removed(e, i, k);
      json_array_append_new(removed,
                            json_string(icx_attribute_label(icx_constraint_attribute(set, at))));
    }
    json_object_set_new(r, "remove", cli_json_full(removed, k));
    json_object_set_new(r, "matching", json_integer(icx_explain_relaxation_matching(e, i)));
    json_object_set_new(r, "clouds", cli_json_str(icx_explain_relaxation_clouds(e, i)));
    failed = cli_json_push(relax, r, 2);
  }
  if (!failed) {
    json_object_set_new(doc, "matching", json_integer(icx_explain_matching(e)));
    json_object_set(doc, "constraints", counts);
    json_object_set(doc, "clouds", clouds);
    json_object_set(doc, "relaxations", relax);
    json_object_set_new(doc, "relaxationsSkipped",
                        json_boolean(icx_explain_relaxations_skipped(e)));
    failed = json_object_size(doc) != 5;
  }
  json_decref(counts);
  json_decref(clouds);
  json_decref(relax);
  if (failed) {
    json_decref(doc);
    doc = NULL;
  }
  return cli_json_print(ctx, doc);
}

int
icx_cli_json_vocab(icx_ctx *ctx, const icx_vocab *vocab)
{
  json_t *doc = json_array();
  size_t i, k;
  int failed = !doc;

  for (i = 0; !failed && i < icx_vocab_attribute_count(vocab); i++) {
    const icx_attribute *a = icx_vocab_attribute(vocab, i);
    json_t *o = json_object(), *aliases = json_array(), *values = json_array();
    size_t want = 9;
    for (k = 0; aliases && k < icx_attribute_alias_count(a); k++)
      json_array_append_new(aliases, json_string(icx_attribute_alias(a, k)));
    for (k = 0; values && k < icx_attribute_value_count(a); k++)
      json_array_append_new(values,
                            json_string(icx_individual_label(icx_attribute_value(a, k))));
    json_object_set_new(o, "label", json_string(icx_attribute_label(a)));
    json_object_set_new(o, "iri", json_string(icx_attribute_iri(a)));
    json_object_set_new(o, "aliases", cli_json_full(aliases, icx_attribute_alias_count(a)));
    json_object_set_new(o, "type", json_string(icx_datatype_name(icx_attribute_type(a))));
    json_object_set_new(o, "range", cli_json_str(icx_attribute_range(a)));
    json_object_set_new(o, "rule", json_string(icx_rule_name(icx_attribute_rule(a))));
    json_object_set_new(o, "of", cli_json_str(icx_attribute_domain(a)));
    json_object_set_new(o, "values", cli_json_full(values, icx_attribute_value_count(a)));
    json_object_set_new(o, "about", json_string(icx_attribute_comment(a)));
    if (icx_attribute_unit(a)) {
      json_object_set_new(o, "unit", json_string(icx_unit_label(icx_attribute_unit(a))));
      want++;
    }
    if (icx_attribute_place(a)) {
      json_object_set_new(o, "from", json_string(icx_attribute_label(icx_attribute_place(a))));
      want++;
    }
    failed = cli_json_push(doc, o, want);
  }
  if (failed) {
    json_decref(doc);
    doc = NULL;
  }
  return cli_json_print(ctx, doc);
}

int
icx_cli_json_list(icx_ctx *ctx, const icx_doc_info *docs, size_t n)
{
  json_t *doc = json_array();
  size_t i, k;
  int failed = !doc;

  for (i = 0; !failed && i < n; i++) {
    json_t *o = json_object(), *clouds = json_array();
    for (k = 0; clouds && k < docs[i].n_clouds; k++)
      json_array_append_new(clouds, json_string(docs[i].clouds[k]));
    json_object_set_new(o, "uri", json_string(docs[i].uri));
    json_object_set_new(o, "source", cli_json_str(docs[i].source));
    json_object_set_new(o, "owner", cli_json_str(docs[i].owner));
    json_object_set_new(o, "format", cli_json_str(docs[i].format));
    json_object_set_new(o, "triples", json_integer(docs[i].triples));
    json_object_set_new(o, "loaded", cli_json_str(docs[i].loaded_at));
    json_object_set_new(o, "clouds", cli_json_full(clouds, docs[i].n_clouds));
    failed = cli_json_push(doc, o, 7);
  }
  if (failed) {
    json_decref(doc);
    doc = NULL;
  }
  return cli_json_print(ctx, doc);
}

int
icx_cli_json_stats(icx_ctx *ctx, const char *store_path, const icx_store_stats *st,
                   long long bytes, long long free_bytes)
{
  json_t *doc = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I}", "store", store_path,
                          "documents", (json_int_t)st->documents, "clouds",
                          (json_int_t)st->clouds, "services", (json_int_t)st->services,
                          "triples", (json_int_t)st->triples, "bytes", (json_int_t)bytes,
                          "free_bytes", (json_int_t)free_bytes);

  return cli_json_print(ctx, doc);
}

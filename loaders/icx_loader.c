/* icx_loader.c - capability documents: parse, check against the
 * vocabulary, then store in one transaction.
 *
 * Statements are collected with the line they ended on, so that every
 * error can name file and line.  Blank node ids are made unique per
 * document (raptor numbers them from 1 in every parse), or two documents'
 * blank services would merge in the store.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "icx_ctx_internal.h"
#include "icx_loader.h"
#include "icx_util.h"

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define MAX_FOLDER_DEPTH 32

struct icx_loader {
  icx_ctx *ctx;
  const icx_vocab *vocab;
  icx_store *store;
  icx_format format;
  icx_load_report_fn report;
  void *report_ud;
  int dry_run;
};

int
icx_format_from_name(const char *name)
{
  if (!name)
    return -1;
  if (!strcmp(name, "auto"))
    return ICX_FORMAT_AUTO;
  if (!strcmp(name, "turtle") || !strcmp(name, "ttl"))
    return ICX_FORMAT_TURTLE;
  if (!strcmp(name, "rdfxml") || !strcmp(name, "rdf") || !strcmp(name, "xml"))
    return ICX_FORMAT_RDFXML;
  if (!strcmp(name, "ntriples") || !strcmp(name, "nt"))
    return ICX_FORMAT_NTRIPLES;
  return -1;
}

const char *
icx_format_name(icx_format f)
{
  switch (f) {
  case ICX_FORMAT_AUTO: return "auto";
  case ICX_FORMAT_TURTLE: return "turtle";
  case ICX_FORMAT_RDFXML: return "rdfxml";
  case ICX_FORMAT_NTRIPLES: return "ntriples";
  }
  return "auto";
}

static icx_format
format_of_name(const char *path)
{
  static const struct { const char *ext; icx_format f; } map[] = {
    { ".ttl", ICX_FORMAT_TURTLE }, { ".turtle", ICX_FORMAT_TURTLE },
    { ".rdf", ICX_FORMAT_RDFXML }, { ".xml", ICX_FORMAT_RDFXML },
    { ".owl", ICX_FORMAT_RDFXML }, { ".nt", ICX_FORMAT_NTRIPLES },
  };
  size_t n = strlen(path), i;

  for (i = 0; i < sizeof map / sizeof map[0]; i++) {
    size_t e = strlen(map[i].ext);
    if (n > e && strcmp(path + n - e, map[i].ext) == 0)
      return map[i].f;
  }
  return ICX_FORMAT_AUTO;
}

static const char *
raptor_name(icx_format f)
{
  switch (f) {
  case ICX_FORMAT_TURTLE: return "turtle";
  case ICX_FORMAT_RDFXML: return "rdfxml";
  case ICX_FORMAT_NTRIPLES: return "ntriples";
  case ICX_FORMAT_AUTO: break;
  }
  return NULL;
}

icx_loader *
icx_loader_new(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store)
{
  icx_loader *l;

  if (!ctx || !vocab || !store)
    return NULL;
  l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  l->ctx = ctx;
  l->vocab = vocab;
  l->store = store;
  return l;
}

void
icx_loader_free(icx_loader *l)
{
  free(l);
}

void icx_loader_set_format(icx_loader *l, icx_format f) { l->format = f; }
void icx_loader_set_dry_run(icx_loader *l, int dry_run) { l->dry_run = dry_run; }

void
icx_loader_set_report(icx_loader *l, icx_load_report_fn fn, void *ud)
{
  l->report = fn;
  l->report_ud = ud;
}

char *
icx_loader_doc_uri_for_path(const char *path)
{
  char *real = realpath(path, NULL);
  unsigned char *uri;
  char *out;

  if (!real)
    return NULL;
  uri = raptor_uri_filename_to_uri_string(real);
  free(real);
  if (!uri)
    return NULL;
  out = strdup((const char *)uri);
  raptor_free_memory(uri);
  return out;
}

/* --- one document ---------------------------------------------------------- */

typedef struct stmt {
  raptor_statement *st;
  int line;
  const char *via;         /* for a statement derived by alignment: the
                              foreign term the document used (lent from
                              the statement before it) */
} stmt;

typedef struct parse {
  icx_loader *l;
  raptor_parser *parser;
  raptor_world *rw;
  char blank_prefix[24];
  stmt *v;
  size_t n, cap;
  int oom;
} parse;

static const char *term_iri(const raptor_term *t);

static raptor_term *
rename_blank(parse *p, raptor_term *t)
{
  char id[256];

  if (!t || t->type != RAPTOR_TERM_TYPE_BLANK)
    return t ? raptor_term_copy(t) : NULL;
  snprintf(id, sizeof id, "%s%.200s", p->blank_prefix,
           (const char *)t->value.blank.string);
  return raptor_new_term_from_blank(p->rw, (const unsigned char *)id);
}

/* Appends (subj, pred, obj), taking the three terms (freed on failure). */
static void
push_statement(parse *p, raptor_term *subj, raptor_term *pred, raptor_term *obj)
{
  raptor_statement *copy;

  if (p->n == p->cap && !p->oom) {
    size_t ncap = p->cap ? p->cap * 2 : 64;
    stmt *nv = realloc(p->v, ncap * sizeof *nv);
    if (nv) {
      p->v = nv;
      p->cap = ncap;
    } else {
      p->oom = 1;
    }
  }
  copy = (!p->oom && subj && pred && obj)
    ? raptor_new_statement_from_nodes(p->rw, subj, pred, obj, NULL) : NULL;
  if (!copy) {
    if (p->oom || !subj || !pred || !obj) {   /* else raptor freed them */
      if (subj) raptor_free_term(subj);
      if (pred) raptor_free_term(pred);
      if (obj) raptor_free_term(obj);
    }
    p->oom = 1;
    return;
  }
  p->v[p->n].st = copy;
  p->v[p->n].line = raptor_locator_line(raptor_parser_get_locator(p->parser));
  p->v[p->n].via = NULL;
  p->n++;
}

static raptor_term *
iri_term(parse *p, const char *iri)
{
  return raptor_new_term_from_uri_string(p->rw, (const unsigned char *)iri);
}

static void
on_statement(void *ud, raptor_statement *s)
{
  parse *p = ud;
  const icx_vocab *v = p->l->vocab;
  const char *pi = term_iri(s->predicate), *mapped;

  if (p->oom)
    return;
  push_statement(p, rename_blank(p, s->subject), raptor_term_copy(s->predicate),
                 rename_blank(p, s->object));
  /* Alignment: a statement in another vocabulary's terms declared
   * equivalent to ours (owl:equivalentProperty / owl:equivalentClass) is
   * also stored in ours, so that it matches; the original stays too. */
  if ((mapped = icx_vocab_equivalent_property(v, pi))) {
    push_statement(p, rename_blank(p, s->subject), iri_term(p, mapped),
                   rename_blank(p, s->object));
    if (!p->oom)
      p->v[p->n - 1].via = term_iri(p->v[p->n - 2].st->predicate);
  }
  if (pi && !strcmp(pi, RDF_TYPE) && (mapped = icx_vocab_equivalent_class(v, term_iri(s->object)))) {
    push_statement(p, rename_blank(p, s->subject), raptor_term_copy(s->predicate),
                   iri_term(p, mapped));
    if (!p->oom)
      p->v[p->n - 1].via = term_iri(p->v[p->n - 2].st->object);
  }
}

static void
parse_free(parse *p)
{
  size_t i;

  for (i = 0; i < p->n; i++)
    raptor_free_statement(p->v[i].st);
  free(p->v);
  if (p->parser)
    raptor_free_parser(p->parser);
}

static const char *
term_iri(const raptor_term *t)
{
  return t && t->type == RAPTOR_TERM_TYPE_URI
    ? (const char *)raptor_uri_as_string(t->value.uri) : NULL;
}

/* A printable id for a subject: its IRI, or _:id for a blank node. */
static void
term_show(const raptor_term *t, char *buf, size_t n)
{
  if (t->type == RAPTOR_TERM_TYPE_URI)
    snprintf(buf, n, "<%s>", (const char *)raptor_uri_as_string(t->value.uri));
  else if (t->type == RAPTOR_TERM_TYPE_BLANK)
    snprintf(buf, n, "_:%s", (const char *)t->value.blank.string);
  else
    snprintf(buf, n, "\"%s\"", (const char *)t->value.literal.string);
}

/* 1 if the literal's lexical form fits the attribute's datatype. */
static int
lexical_ok(icx_datatype t, const char *s)
{
  switch (t) {
  case ICX_TYPE_BOOLEAN:
    return !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "1") || !strcmp(s, "0");
  case ICX_TYPE_STRING:
  case ICX_TYPE_INDIVIDUAL:
    return 1;
  case ICX_TYPE_INTEGER:
    return icx_lexical_number(s, 0, 0);
  case ICX_TYPE_DECIMAL:
    return icx_lexical_number(s, 1, 1);   /* decimals, and doubles' forms */
  }
  return 0;
}

/* 1 if the literal's datatype IRI is acceptable for the attribute type. */
static int
datatype_ok(icx_datatype t, const char *dt)
{
  static const char *const ints[] = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte", NULL
  };
  size_t n = strlen(XSD), i;
  const char *local;

  if (!dt)
    return t == ICX_TYPE_STRING;
  if (strncmp(dt, XSD, n) != 0)
    return 0;
  local = dt + n;
  switch (t) {
  case ICX_TYPE_STRING:
    return !strcmp(local, "string");
  case ICX_TYPE_BOOLEAN:
    return !strcmp(local, "boolean");
  case ICX_TYPE_DECIMAL:
    if (!strcmp(local, "decimal") || !strcmp(local, "double") || !strcmp(local, "float"))
      return 1;
    for (i = 0; ints[i]; i++)       /* integers are decimals too */
      if (!strcmp(local, ints[i]))
        return 1;
    return 0;
  case ICX_TYPE_INTEGER:
    for (i = 0; ints[i]; i++)
      if (!strcmp(local, ints[i]))
        return 1;
    return 0;
  case ICX_TYPE_INDIVIDUAL:
    return 0;
  }
  return 0;
}

static const icx_attribute *
attribute_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i, n = icx_vocab_attribute_count(v);

  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_vocab_attribute(v, i);
    if (!strcmp(icx_attribute_iri(a), iri))
      return a;
  }
  return NULL;
}

/* Checks one statement alone.  Returns 0, or -1 with the message set. */
static int
check_statement(icx_loader *l, const char *source, const stmt *s)
{
  const icx_vocab *v = l->vocab;
  const char *p = term_iri(s->st->predicate);
  const raptor_term *o = s->st->object;
  const char *oi = term_iri(o);
  const icx_attribute *a;
  char subj[300];

  term_show(s->st->subject, subj, sizeof subj);
  if (s->via)   /* "cores of <x>, stated with <omn...#hasCores>, is ..." */
    snprintf(subj + strlen(subj), sizeof subj - strlen(subj), ", stated with <%.200s>,", s->via);
  if (p && icx_vocab_in_namespace(v, p) && !icx_vocab_defines(v, p)) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: property <%s> is not defined by the vocabulary",
             source, s->line, p);
    return -1;
  }
  if (oi && icx_vocab_in_namespace(v, oi) && !icx_vocab_defines(v, oi)) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: <%s> is not defined by the vocabulary",
             source, s->line, oi);
    return -1;
  }
  if (!p)
    return 0;
  if (!strcmp(p, icx_vocab_name_property(v)) && o->type != RAPTOR_TERM_TYPE_LITERAL) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: the name of %s must be a literal",
             source, s->line, subj);
    return -1;
  }
  a = attribute_by_iri(v, p);
  if (!a)
    return 0;
  if (icx_attribute_place(a)) {
    icx_fail(l->ctx, ICX_ERR_INVALID,
             "%s:%d: %s of %s: icx works %s out from %s; a document does not state it",
             source, s->line, icx_attribute_label(a), subj, icx_attribute_label(a),
             icx_attribute_label(icx_attribute_place(a)));
    return -1;
  }
  if (icx_attribute_type(a) == ICX_TYPE_INDIVIDUAL) {
    if (!oi || !icx_attribute_find_value(a, oi)) {
      char shown[300];
      term_show(o, shown, sizeof shown);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: %s of %s is %s, which is not a <%s> of the vocabulary",
               source, s->line, icx_attribute_label(a), subj, shown, icx_attribute_range(a));
      return -1;
    }
    return 0;
  }
  if (o->type != RAPTOR_TERM_TYPE_LITERAL) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: %s of %s must be a %s literal",
             source, s->line, icx_attribute_label(a), subj,
             icx_datatype_name(icx_attribute_type(a)));
    return -1;
  }
  {
    const char *lex = (const char *)o->value.literal.string;
    const char *dt = o->value.literal.datatype
      ? (const char *)raptor_uri_as_string(o->value.literal.datatype) : NULL;
    if (!datatype_ok(icx_attribute_type(a), dt) || !lexical_ok(icx_attribute_type(a), lex)) {
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: %s of %s is \"%.60s\"%s%s%s; expected a value of type <%s>",
               source, s->line, icx_attribute_label(a), subj, lex,
               dt ? "^^<" : " (no datatype)", dt ? dt : "", dt ? ">" : "",
               icx_attribute_range(a));
      return -1;
    }
  }
  return 0;
}

/* 1 if cls is (a subclass of) the domain of an attribute of things other
 * than clouds: a service class. */
static int
is_service_class(const icx_vocab *v, const char *cls)
{
  size_t i, n = icx_vocab_attribute_count(v);

  for (i = 0; i < n; i++) {
    const char *dom = icx_attribute_domain(icx_vocab_attribute(v, i));
    if (!icx_vocab_class_subsumes(v, icx_vocab_cloud_class(v), dom) &&
        icx_vocab_class_subsumes(v, dom, cls))
      return 1;
  }
  return 0;
}

/* Sorting statements by subject lets the graph checks walk each subject's
 * statements together. */
static int
cmp_subject(const void *a, const void *b)
{
  const stmt *x = a, *y = b;
  int c = raptor_term_compare(x->st->subject, y->st->subject);

  return c ? c : (x->line - y->line);
}

static int
cmp_term_ptr(const void *a, const void *b)
{
  return raptor_term_compare(*(raptor_term *const *)a, *(raptor_term *const *)b);
}

/* Graph checks: clouds have one name; things described by attributes are
 * typed with the attributes' domain and offered by a cloud. */
static int
check_graph(icx_loader *l, const char *source, parse *p)
{
  const icx_vocab *v = l->vocab;
  const char *cloud = icx_vocab_cloud_class(v);
  const char *offers = icx_vocab_offers_property(v);
  const char *namep = icx_vocab_name_property(v);
  raptor_term **offered = NULL, **clouds = NULL;
  size_t n_offered = 0, n_clouds = 0, i, j;
  int rc = -1;

  offered = calloc(p->n + 1, sizeof *offered);
  clouds = calloc(p->n + 1, sizeof *clouds);
  if (!offered || !clouds) {
    icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (p->n > 1)
    qsort(p->v, p->n, sizeof *p->v, cmp_subject);
  for (i = 0; i < p->n; i++) {
    const char *pi = term_iri(p->v[i].st->predicate), *oi = term_iri(p->v[i].st->object);
    if (pi && !strcmp(pi, RDF_TYPE) && oi && icx_vocab_class_subsumes(v, cloud, oi))
      clouds[n_clouds++] = p->v[i].st->subject;
  }
  if (n_clouds > 1)
    qsort(clouds, n_clouds, sizeof *clouds, cmp_term_ptr);
  for (i = 0; i < p->n; i++) {
    const char *pi = term_iri(p->v[i].st->predicate);
    if (pi && !strcmp(pi, offers) &&
        bsearch(&p->v[i].st->subject, clouds, n_clouds, sizeof *clouds, cmp_term_ptr))
      offered[n_offered++] = p->v[i].st->object;
  }
  if (n_offered > 1)
    qsort(offered, n_offered, sizeof *offered, cmp_term_ptr);

  for (i = 0; i < p->n; i = j) {
    raptor_term *subj = p->v[i].st->subject;
    int names = 0, is_cloud, is_service = 0;
    int first_line = p->v[i].line;
    size_t k, m;
    char shown[300];

    for (j = i; j < p->n && raptor_term_equals(p->v[j].st->subject, subj); j++) {
      const char *pi = term_iri(p->v[j].st->predicate), *oi = term_iri(p->v[j].st->object);
      if (pi && !strcmp(pi, namep))
        names++;
      if (pi && !strcmp(pi, RDF_TYPE) && oi && is_service_class(v, oi))
        is_service = 1;
    }
    term_show(subj, shown, sizeof shown);
    is_cloud = bsearch(&subj, clouds, n_clouds, sizeof *clouds, cmp_term_ptr) != NULL;
    if (is_cloud && names != 1) {
      icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: cloud %s has %d names (<%s>); it needs exactly one",
               source, first_line, shown, names, namep);
      goto done;
    }
    /* Every attribute it has needs its domain among the subject's types. */
    for (k = i; k < j; k++) {
      const char *pk = term_iri(p->v[k].st->predicate);
      const icx_attribute *a = pk ? attribute_by_iri(v, pk) : NULL;
      const char *dom;
      int typed = 0;
      if (!a)
        continue;
      dom = icx_attribute_domain(a);
      for (m = i; m < j && !typed; m++) {
        const char *pm = term_iri(p->v[m].st->predicate), *om = term_iri(p->v[m].st->object);
        typed = pm && !strcmp(pm, RDF_TYPE) && om && icx_vocab_class_subsumes(v, dom, om);
      }
      if (!typed) {
        icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: %s has %s but is not typed <%s>",
                 source, p->v[k].line, shown, icx_attribute_label(a), dom);
        goto done;
      }
      if (!icx_vocab_class_subsumes(v, cloud, dom))
        is_service = 1;
    }
    if (is_service && !bsearch(&subj, offered, n_offered, sizeof *offered, cmp_term_ptr)) {
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: service %s belongs to no cloud (no <%s> links a cloud to it)",
               source, first_line, shown, offers);
      goto done;
    }
  }
  if (n_clouds == 0) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s: describes no cloud (nothing is typed <%s>)",
             source, cloud);
    goto done;
  }
  rc = 0;
done:
  free(offered);
  free(clouds);
  return rc;
}

static uint64_t
fnv1a(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

/* Reads from fp, or from buf/len when fp is NULL. */
static icx_rc
load_document(icx_loader *l, const char *source, const char *doc_uri, const char *base,
              icx_format fmt, FILE *fp, const unsigned char *buf, size_t len)
{
  icx_ctx *ctx = l->ctx;
  parse p;
  raptor_uri *base_uri = NULL;
  librdf_statement **sts = NULL;
  icx_diag diag;
  icx_rc rc = ICX_OK;
  size_t i;
  int prc = 0;

  memset(&p, 0, sizeof p);
  p.l = l;
  p.rw = librdf_world_get_raptor(ctx->world);
  snprintf(p.blank_prefix, sizeof p.blank_prefix, "d%016llx_",
           (unsigned long long)fnv1a(doc_uri));
  p.parser = raptor_new_parser(p.rw, raptor_name(fmt));
  base_uri = raptor_new_uri(p.rw, (const unsigned char *)base);
  if (!p.parser || !base_uri) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  raptor_parser_set_option(p.parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(p.parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(p.parser, &p, on_statement);
  icx_diag_begin(ctx, &diag);
  if (raptor_parser_parse_start(p.parser, base_uri) == 0) {
    if (fp) {
      unsigned char chunk[65536];
      size_t got;
      while (prc == 0 && !diag.errors && (got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        prc = raptor_parser_parse_chunk(p.parser, chunk, got, 0);
      if (ferror(fp)) {
        icx_diag_end(ctx);
        rc = icx_fail(ctx, ICX_ERR_IO, "%s: read error: %s", source, strerror(errno));
        goto done;
      }
      if (prc == 0 && !diag.errors)
        prc = raptor_parser_parse_chunk(p.parser, NULL, 0, 1);
    } else {
      prc = raptor_parser_parse_chunk(p.parser, buf, len, 1);
    }
  } else {
    prc = 1;
  }
  icx_diag_end(ctx);
  if (p.oom) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (prc || diag.errors) {
    rc = icx_fail(ctx, ICX_ERR_RDF, "%s: %s", source,
                  diag.errors ? diag.first : "does not parse");
    if (diag.errors && !strncmp(diag.first, "line ", 5)) {
      /* "line N, column M: msg" reads better as "file:N:M: msg". */
      int line = 0, col = 0, off = 0;
      if (sscanf(diag.first, "line %d, column %d: %n", &line, &col, &off) >= 2 && off > 0)
        icx_fail(ctx, ICX_ERR_RDF, "%s:%d:%d: %s", source, line, col, diag.first + off);
      else if (sscanf(diag.first, "line %d: %n", &line, &off) >= 1 && off > 0)
        icx_fail(ctx, ICX_ERR_RDF, "%s:%d: %s", source, line, diag.first + off);
    }
    goto done;
  }
  for (i = 0; i < p.n; i++)
    if (check_statement(l, source, &p.v[i])) {
      rc = ICX_ERR_INVALID;
      goto done;
    }
  if (check_graph(l, source, &p)) {
    rc = ICX_ERR_INVALID;
    goto done;
  }
  if (l->dry_run)
    goto done;
  /* The store takes the statements as they are (librdf_statement is
   * raptor_statement); a librdf memory model would cost O(n^2). */
  sts = malloc((p.n ? p.n : 1) * sizeof *sts);
  if (!sts) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < p.n; i++)
    sts[i] = (librdf_statement *)p.v[i].st;
  rc = icx_store_put_statements(l->store, doc_uri, source, icx_format_name(fmt), sts, p.n);
done:
  free(sts);
  if (l->report)
    l->report(l->report_ud, source, rc, rc ? icx_ctx_errmsg(ctx) : "", rc ? 0 : (long)p.n);
  if (base_uri)
    raptor_free_uri(base_uri);
  parse_free(&p);
  return rc;
}

static icx_rc
load_file(icx_loader *l, const char *path, icx_format fmt)
{
  char *doc_uri;
  FILE *fp;
  icx_rc rc;

  if (fmt == ICX_FORMAT_AUTO) {
    rc = icx_fail(l->ctx, ICX_ERR_RDF,
                  "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", path);
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  fp = fopen(path, "rb");
  doc_uri = fp ? icx_loader_doc_uri_for_path(path) : NULL;
  if (!fp || !doc_uri) {
    rc = icx_fail(l->ctx, ICX_ERR_IO, "%s: %s", path, strerror(errno));
    if (fp)
      fclose(fp);
    free(doc_uri);
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  rc = load_document(l, path, doc_uri, doc_uri, fmt, fp, NULL, 0);
  fclose(fp);
  free(doc_uri);
  return rc;
}

static icx_rc load_tree(icx_loader *l, const char *path, int depth);

static icx_rc
load_folder(icx_loader *l, const char *dir, int depth)
{
  DIR *d;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;
  icx_rc rc = ICX_OK, first = ICX_OK;

  if (depth > MAX_FOLDER_DEPTH)
    return icx_fail(l->ctx, ICX_ERR_LIMIT, "%s: folders nest deeper than %d", dir,
                    MAX_FOLDER_DEPTH);
  if (!(d = opendir(dir))) {
    rc = icx_fail(l->ctx, ICX_ERR_IO, "%s: %s", dir, strerror(errno));
    if (l->report)
      l->report(l->report_ud, dir, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  while ((de = readdir(d))) {
    char **nv;
    if (de->d_name[0] == '.')
      continue;
    nv = realloc(names, (n + 1) * sizeof *nv);
    if (!nv || !(nv[n] = strdup(de->d_name))) {
      if (nv)
        names = nv;
      closedir(d);
      while (n)
        free(names[--n]);
      free(names);
      return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    }
    names = nv;
    n++;
  }
  closedir(d);
  if (n > 1)
    qsort(names, n, sizeof *names, icx_cmp_strp);
  for (i = 0; i < n; i++) {
    icx_buf path;
    icx_buf_init(&path);
    icx_buf_appendf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
    if (icx_buf_failed(&path)) {
      rc = icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
    } else {
      struct stat sb;
      if (stat(path.data, &sb) == 0 && S_ISREG(sb.st_mode) && l->format == ICX_FORMAT_AUTO &&
          format_of_name(path.data) == ICX_FORMAT_AUTO) {
        icx_log(l->ctx, ICX_LOG_INFO, "loader", "skipping %s: not an RDF file name", path.data);
        rc = ICX_OK;
      } else {
        rc = load_tree(l, path.data, depth + 1);
      }
    }
    icx_buf_free(&path);
    if (rc && !first)
      first = rc;
    if (rc == ICX_ERR_NOMEM)
      break;
  }
  for (i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return first;
}

static icx_rc
load_tree(icx_loader *l, const char *path, int depth)
{
  struct stat sb;
  icx_rc rc;

  if (stat(path, &sb) != 0) {
    rc = icx_fail(l->ctx, errno == ENOENT ? ICX_ERR_NOT_FOUND : ICX_ERR_IO, "%s: %s", path,
                  strerror(errno));
    if (l->report)
      l->report(l->report_ud, path, rc, icx_ctx_errmsg(l->ctx), 0);
    return rc;
  }
  if (S_ISDIR(sb.st_mode))
    return load_folder(l, path, depth);
  return load_file(l, path, l->format != ICX_FORMAT_AUTO ? l->format : format_of_name(path));
}

icx_rc
icx_loader_load_path(icx_loader *l, const char *path)
{
  if (!l || !path)
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  return load_tree(l, path, 0);
}

static char *
doc_uri_for_name(const char *name)
{
  const char *colon = strchr(name, ':');
  icx_buf b;

  if (colon && colon > name && !strpbrk(name, " <>\"{}|^`\\")) {
    const char *c;
    for (c = name; c < colon; c++)
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (c > name && ((*c >= '0' && *c <= '9') || *c == '+' || *c == '-' || *c == '.'))))
        break;
    if (c == colon)
      return strdup(name);
  }
  icx_buf_init(&b);
  icx_buf_append(&b, "urn:icx:doc:");
  for (; *name; name++) {
    unsigned char ch = (unsigned char)*name;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        strchr("-._~", ch))
      icx_buf_append_len(&b, (const char *)&ch, 1);
    else
      icx_buf_appendf(&b, "%%%02X", ch);
  }
  return icx_buf_take(&b);
}

icx_rc
icx_loader_load_buffer(icx_loader *l, const char *name, const unsigned char *buf, size_t len)
{
  icx_format fmt;
  char *uri;
  icx_rc rc;

  if (!l || !name || !*name || (!buf && len))
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  fmt = l->format != ICX_FORMAT_AUTO ? l->format : format_of_name(name);
  if (fmt == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_RDF,
                    "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", name);
  if (!(uri = doc_uri_for_name(name)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  rc = load_document(l, name, uri, uri, fmt, NULL, buf ? buf : (const unsigned char *)"", len);
  free(uri);
  return rc;
}

icx_rc
icx_loader_load_stream(icx_loader *l, const char *name, FILE *fp)
{
  icx_format fmt;
  char *uri;
  icx_rc rc;

  if (!l || !name || !*name || !fp)
    return ICX_ERR_MISUSE;
  icx_clear_error(l->ctx);
  fmt = l->format != ICX_FORMAT_AUTO ? l->format : format_of_name(name);
  if (fmt == ICX_FORMAT_AUTO)
    return icx_fail(l->ctx, ICX_ERR_RDF,
                    "%s: cannot tell the format from the name (.ttl, .rdf, .nt); give one", name);
  if (!(uri = doc_uri_for_name(name)))
    return icx_fail(l->ctx, ICX_ERR_NOMEM, "out of memory");
  rc = load_document(l, name, uri, uri, fmt, fp, NULL, 0);
  free(uri);
  return rc;
}

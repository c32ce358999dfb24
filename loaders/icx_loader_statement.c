/* icx_loader_statement.c - each statement as raptor hands it over: checked
 * alone against the vocabulary, aligned, and copied as icx_term into the
 * current batch; and raptor's other callbacks for a document (blank node
 * ids, log messages).  File-local names begin stmt_. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_loader_internal.h"
#include "icx_util.h"

#define XSD "http://www.w3.org/2001/XMLSchema#"

/* --- raptor terms as icx_term, in the current batch ------------------------ */

/* Bytes a term takes in the arena. */
static size_t
stmt_term_bytes(const icx_loader_doc *d, const raptor_term *t)
{
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI: {
    size_t n = 0;
    raptor_uri_as_counted_string(t->value.uri, &n);
    return n + 1;
  }
  case RAPTOR_TERM_TYPE_BLANK:
    return d->prefix_len + t->value.blank.string_len + 1;
  case RAPTOR_TERM_TYPE_LITERAL: {
    size_t n = t->value.literal.string_len + 1 + t->value.literal.language_len + 1;
    if (t->value.literal.datatype) {
      size_t k = 0;
      raptor_uri_as_counted_string(t->value.literal.datatype, &k);
      n += k + 1;
    }
    return n;
  }
  case RAPTOR_TERM_TYPE_UNKNOWN:
    break;
  }
  return 0;
}

static char *
stmt_arena_put(icx_loader_batch *b, const char *a, size_t alen, const char *c, size_t clen)
{
  char *out = b->arena + b->used;

  if (alen)
    memcpy(out, a, alen);
  if (clen)
    memcpy(out + alen, c, clen);
  out[alen + clen] = '\0';
  b->used += alen + clen + 1;
  return out;
}

/* Copies t into b (which has room) as x. */
static void
stmt_term_put(const icx_loader_doc *d, icx_loader_batch *b, icx_term *x, const raptor_term *t)
{
  size_t n = 0;
  const char *s;

  memset(x, 0, sizeof *x);
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI:
    s = (const char *)raptor_uri_as_counted_string(t->value.uri, &n);
    x->kind = ICX_TERM_IRI;
    x->lex = stmt_arena_put(b, s, n, NULL, 0);
    x->len = n;
    break;
  case RAPTOR_TERM_TYPE_BLANK:
    x->kind = ICX_TERM_BLANK;
    x->lex = stmt_arena_put(b, d->blank_prefix, d->prefix_len,
                       (const char *)t->value.blank.string, t->value.blank.string_len);
    x->len = d->prefix_len + t->value.blank.string_len;
    break;
  case RAPTOR_TERM_TYPE_LITERAL:
    x->kind = ICX_TERM_LITERAL;
    x->len = t->value.literal.string_len;
    x->lex = stmt_arena_put(b, (const char *)t->value.literal.string, x->len, NULL, 0);
    if (t->value.literal.language && t->value.literal.language_len)
      x->lang = stmt_arena_put(b, (const char *)t->value.literal.language,
                          t->value.literal.language_len, NULL, 0);
    if (t->value.literal.datatype) {
      s = (const char *)raptor_uri_as_counted_string(t->value.literal.datatype, &n);
      x->dt = stmt_arena_put(b, s, n, NULL, 0);
    }
    break;
  case RAPTOR_TERM_TYPE_UNKNOWN:
    break;
  }
}

/* Appends a statement to the current batch, handing full batches to the
 * writer.  ICX_OK, or the failure with its message set. */
static icx_rc
stmt_batch_add(icx_loader_doc *d, const raptor_statement *s)
{
  icx_loader_writer *w = &d->w;
  icx_loader_batch *b = icx_loader_writer_current(w);
  size_t need = stmt_term_bytes(d, s->subject) + stmt_term_bytes(d, s->predicate) +
                stmt_term_bytes(d, s->object);

  if (b->n && (b->n == ICX_LOADER_BATCH_STATEMENTS || b->used + need > b->cap)) {
    if (icx_loader_writer_push(w))
      return icx_fail(d->l->ctx, icx_loader_store_rc(d->l->store),
                      "%s: cannot write the triples: %s", d->source,
                      icx_store_errmsg(d->l->store));
    b = icx_loader_writer_current(w);
  }
  if (!b->terms && !(b->terms = icx_malloc(w->ctx, 3 * ICX_LOADER_BATCH_STATEMENTS * sizeof *b->terms)))
    return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
  if (b->cap < need) {        /* the batch is empty: grow its arena */
    size_t cap = need > ICX_LOADER_BATCH_BYTES ? need : ICX_LOADER_BATCH_BYTES;
    char *na = icx_realloc(w->ctx, b->arena, cap);
    if (!na)
      return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    b->arena = na;
    b->cap = cap;
  }
  stmt_term_put(d, b, &b->terms[3 * b->n], s->subject);
  stmt_term_put(d, b, &b->terms[3 * b->n + 1], s->predicate);
  stmt_term_put(d, b, &b->terms[3 * b->n + 2], s->object);
  b->n++;
  return ICX_OK;
}

static const char *
stmt_term_iri(const raptor_term *t)
{
  return t && t->type == RAPTOR_TERM_TYPE_URI
    ? (const char *)raptor_uri_as_string(t->value.uri) : NULL;
}

/* A printable id for a term: <IRI>, _:id for a blank node, "literal". */
static void
stmt_term_show(const icx_loader_doc *d, const raptor_term *t, char *buf, size_t n)
{
  if (t->type == RAPTOR_TERM_TYPE_URI)
    snprintf(buf, n, "<%s>", (const char *)raptor_uri_as_string(t->value.uri));
  else if (t->type == RAPTOR_TERM_TYPE_BLANK)
    snprintf(buf, n, "_:%s%s", d->blank_prefix, (const char *)t->value.blank.string);
  else
    snprintf(buf, n, "\"%s\"", (const char *)t->value.literal.string);
}

/* --- the checks of one statement ------------------------------------------- */

/* 1 if the literal's lexical form fits the attribute's datatype. */
static int
stmt_lexical_ok(icx_datatype t, const char *s)
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
stmt_datatype_ok(icx_datatype t, const char *dt)
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

/* 0 if the literal is a number of an XSD numeric type that the store
 * could not hold as a finite double: beyond the type's range ("1e400"),
 * or XSD's special values (INF, -INF, NaN), which no comparison means;
 * else 1. */
static int
stmt_number_in_range(const char *dt, const char *lex)
{
  size_t n = strlen(XSD);
  const char *local;
  double v;

  if (!dt || strncmp(dt, XSD, n) != 0)
    return 1;
  local = dt + n;
  if (!strcmp(local, "double") || !strcmp(local, "float")) {
    if (!strcmp(lex, "INF") || !strcmp(lex, "+INF") || !strcmp(lex, "-INF") ||
        !strcmp(lex, "NaN"))
      return 0;
  } else if (!stmt_datatype_ok(ICX_TYPE_DECIMAL, dt)) {
    return 1;                 /* not a number */
  }
  if (!icx_lexical_number(lex, 1, 1))
    return 1;                 /* not a number's form: the datatype checks say so */
  v = strtod(lex, NULL);
  if (!isfinite(v))
    return 0;
  return strcmp(local, "float") != 0 || fabs(v) <= FLT_MAX;
}

static const icx_attribute *
stmt_attribute_by_iri(const icx_vocab *v, const char *iri)
{
  size_t i, n = icx_vocab_attribute_count(v);

  for (i = 0; i < n; i++) {
    const icx_attribute *a = icx_vocab_attribute(v, i);
    if (!strcmp(icx_attribute_iri(a), iri))
      return a;
  }
  return NULL;
}

/* What the checks need to know of the IRI of t (a URI term). */
static icx_loader_iri_info
stmt_iri_info(icx_loader_doc *d, const raptor_term *t)
{
  raptor_uri *u = t->value.uri;
  size_t k = ((uintptr_t)u >> 4) % ICX_LOADER_IRI_MEMO;
  const icx_vocab *v = d->l->vocab;
  const char *iri;
  icx_loader_iri_info info;
  int in_ns, defined;

  if (d->memo_uri[k] == u)
    return d->memo[k];
  iri = (const char *)raptor_uri_as_string(u);
  in_ns = icx_vocab_in_namespace(v, iri);
  defined = icx_vocab_defines(v, iri);
  info.vocabulary = in_ns || defined;
  info.undefined = in_ns && !defined;
  /* The name property and every attribute are subjects of the
   * vocabulary's statements, so defined: the millions of clouds' and
   * services' own IRIs of a large load skip the scan of the attributes. */
  info.is_name = defined && !strcmp(iri, icx_vocab_name_property(v));
  info.attr = defined ? stmt_attribute_by_iri(v, iri) : NULL;
  info.value_of = NULL;
  if (d->memo_uri[k])
    raptor_free_uri(d->memo_uri[k]);
  d->memo_uri[k] = raptor_uri_copy(u);
  d->memo[k] = info;
  return info;
}

/* Remembers that the IRI of t is a value of attribute a. */
static void
stmt_iri_value_of(icx_loader_doc *d, const raptor_term *t, const icx_attribute *a)
{
  size_t k = ((uintptr_t)t->value.uri >> 4) % ICX_LOADER_IRI_MEMO;

  if (d->memo_uri[k] == t->value.uri)
    d->memo[k].value_of = a;
}

void
icx_loader_memo_free(icx_loader_doc *d)
{
  size_t k;

  for (k = 0; k < ICX_LOADER_IRI_MEMO; k++)
    if (d->memo_uri[k])
      raptor_free_uri(d->memo_uri[k]);
}

/* A subject as error messages show it; for a statement derived by
 * alignment, with the foreign term the document used. */
static void
stmt_show_subject(const icx_loader_doc *d, const raptor_term *t, const char *via, char *buf,
                  size_t n)
{
  stmt_term_show(d, t, buf, n);
  if (via)
    snprintf(buf + strlen(buf), n - strlen(buf), ", stated with <%.200s>,", via);
}

/* Checks one statement alone (via: see stmt_show_subject).  Returns 0, or
 * -1 with the message set. */
static int
stmt_check(icx_loader_doc *d, const raptor_statement *s, int line, const char *via)
{
  icx_loader *l = d->l;
  const char *source = d->source;
  const char *p = stmt_term_iri(s->predicate);
  const raptor_term *o = s->object;
  const char *oi = stmt_term_iri(o);
  icx_loader_iri_info pinfo = { 0, 0, 0, NULL, NULL }, oinfo = { 0, 0, 0, NULL, NULL };
  const icx_attribute *a;
  char subj[300];

  if (s->subject->type == RAPTOR_TERM_TYPE_URI && stmt_iri_info(d, s->subject).vocabulary) {
    /* The vocabulary's terms mean what the ontology says, not a document. */
    icx_fail(l->ctx, ICX_ERR_INVALID,
             "%s:%d: <%s> is a term of the vocabulary; a document may not make statements "
             "about it", source, line, stmt_term_iri(s->subject));
    return -1;
  }
  if (p)
    pinfo = stmt_iri_info(d, s->predicate);
  if (oi)
    oinfo = stmt_iri_info(d, o);
  if (pinfo.undefined) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: property <%s> is not defined by the vocabulary",
             source, line, p);
    return -1;
  }
  if (oinfo.undefined) {
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: <%s> is not defined by the vocabulary",
             source, line, oi);
    return -1;
  }
  if (o->type == RAPTOR_TERM_TYPE_LITERAL && o->value.literal.datatype &&
      !stmt_number_in_range((const char *)raptor_uri_as_string(o->value.literal.datatype),
                            (const char *)o->value.literal.string)) {
    stmt_show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID,
             "%s:%d: the value \"%.60s\"^^<%s> of %s is out of range (a number must be "
             "finite, and within its type)", source, line, (const char *)o->value.literal.string,
             (const char *)raptor_uri_as_string(o->value.literal.datatype), subj);
    return -1;
  }
  if (!p)
    return 0;
  if (pinfo.is_name && o->type != RAPTOR_TERM_TYPE_LITERAL) {
    stmt_show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: the name of %s must be a literal",
             source, line, subj);
    return -1;
  }
  if (pinfo.is_name) {
    const char *name = (const char *)o->value.literal.string;
    size_t len = o->value.literal.string_len, at;
    unsigned cp = 0;
    if ((at = icx_control_char(name, len, &cp)) < len) {
      stmt_show_subject(d, s->subject, via, subj, sizeof subj);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: the name of %s holds a control character (U+%04X) at byte %zu; "
               "names are shown as text and may not", source, line, subj, cp, at);
      return -1;
    }
    if (!len) {
      stmt_show_subject(d, s->subject, via, subj, sizeof subj);
      icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: the name of %s is empty", source, line, subj);
      return -1;
    }
    if (len > ICX_NAME_MAX) {
      stmt_show_subject(d, s->subject, via, subj, sizeof subj);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: the name of %s is %zu bytes long; at most %d (every answer "
               "that lists the cloud carries its name)", source, line, subj, len,
               ICX_NAME_MAX);
      return -1;
    }
  }
  if (!(a = pinfo.attr))
    return 0;
  if (icx_attribute_place(a)) {
    stmt_show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID,
             "%s:%d: %s of %s: icx works %s out from %s; a document does not state it",
             source, line, icx_attribute_label(a), subj, icx_attribute_label(a),
             icx_attribute_label(icx_attribute_place(a)));
    return -1;
  }
  if (icx_attribute_type(a) == ICX_TYPE_INDIVIDUAL) {
    if (oi && oinfo.value_of == a)
      return 0;
    if (!oi || !icx_attribute_find_value(a, oi)) {
      char shown[300];
      stmt_show_subject(d, s->subject, via, subj, sizeof subj);
      stmt_term_show(d, o, shown, sizeof shown);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: %s of %s is %s, which is not a <%s> of the vocabulary",
               source, line, icx_attribute_label(a), subj, shown, icx_attribute_range(a));
      return -1;
    }
    stmt_iri_value_of(d, o, a);
    return 0;
  }
  if (o->type != RAPTOR_TERM_TYPE_LITERAL) {
    stmt_show_subject(d, s->subject, via, subj, sizeof subj);
    icx_fail(l->ctx, ICX_ERR_INVALID, "%s:%d: %s of %s must be a %s literal",
             source, line, icx_attribute_label(a), subj,
             icx_datatype_name(icx_attribute_type(a)));
    return -1;
  }
  {
    const char *lex = (const char *)o->value.literal.string;
    const char *dt = o->value.literal.datatype
      ? (const char *)raptor_uri_as_string(o->value.literal.datatype) : NULL;
    if (!stmt_datatype_ok(icx_attribute_type(a), dt) ||
        !stmt_lexical_ok(icx_attribute_type(a), lex)) {
      stmt_show_subject(d, s->subject, via, subj, sizeof subj);
      icx_fail(l->ctx, ICX_ERR_INVALID,
               "%s:%d: %s of %s is \"%.60s\"%s%s%s; expected a value of type <%s>",
               source, line, icx_attribute_label(a), subj, lex,
               dt ? "^^<" : " (no datatype)", dt ? dt : "", dt ? ">" : "",
               icx_attribute_range(a));
      return -1;
    }
  }
  return 0;
}

/* --- raptor's callbacks ---------------------------------------------------- */

/* Blank node ids.  librdf's world would map labels to fresh ids anew in
 * every parse (and not at all unless a librdf parser reset its map), so
 * _:x twice in one document would be two nodes.  Labels are kept as they
 * are written (the document's prefix makes them its own in stmt_term_put);
 * nodes without a label are numbered "-N", which no label can be. */
unsigned char *
icx_loader_on_bnodeid(void *ud, unsigned char *user_bnodeid)
{
  icx_loader_doc *d = ud;
  char id[32];
  unsigned char *out;

  if (user_bnodeid)
    return user_bnodeid;      /* raptor hands it over; it is ours to return */
  snprintf(id, sizeof id, "-%lu", ++d->anon);
  if ((out = malloc(strlen(id) + 1)))   /* raptor frees it with free(): not the context's */
    memcpy(out, id, strlen(id) + 1);
  return out;
}

void
icx_loader_on_log(void *ud, raptor_log_message *m)
{
  icx_loader_doc *d = ud;
  long line = m->locator && m->locator->line > 0 ? m->locator->line - d->line_adjust : 0;

  if (m->level >= RAPTOR_LOG_LEVEL_ERROR) {
    if (d->errors++ == 0) {
      d->err_line = line;
      d->err_column = m->locator ? m->locator->column : -1;
      snprintf(d->err_text, sizeof d->err_text, "%s", m->text ? m->text : "(no message)");
    }
  } else if (m->level == RAPTOR_LOG_LEVEL_WARN) {
    icx_log(d->l->ctx, ICX_LOG_WARN, "rdf", "%s:%ld: %s", d->source, line,
            m->text ? m->text : "");
  }
}

/* Alignment: a statement in another vocabulary's term declared
 * equivalent to one of ours (owl:equivalentProperty, owl:equivalentClass)
 * is also stored in ours, checked as ours; the original is stored too. */
static icx_rc
stmt_add_aligned(icx_loader_doc *d, const raptor_statement *s, int line)
{
  const icx_vocab *v = d->l->vocab;
  const char *p = stmt_term_iri(s->predicate), *mapped;
  raptor_statement derived = *s;
  raptor_term *t = NULL;
  const char *via = NULL;
  icx_rc rc;

  if ((mapped = icx_vocab_equivalent_property(v, p))) {
    via = p;
    if (!(t = raptor_new_term_from_uri_string(d->rw, (const unsigned char *)mapped)))
      return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    derived.predicate = t;
  } else if (p && !strcmp(p, ICX_LOADER_RDF_TYPE) &&
             (mapped = icx_vocab_equivalent_class(v, stmt_term_iri(s->object)))) {
    via = stmt_term_iri(s->object);
    if (!(t = raptor_new_term_from_uri_string(d->rw, (const unsigned char *)mapped)))
      return icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    derived.object = t;
  } else {
    return ICX_OK;
  }
  rc = stmt_check(d, &derived, line, via) ? ICX_ERR_INVALID : stmt_batch_add(d, &derived);
  raptor_free_term(t);
  return rc;
}

void
icx_loader_on_statement(void *ud, raptor_statement *s)
{
  icx_loader_doc *d = ud;
  int line;

  if (d->rc)
    return;
  line = raptor_locator_line(raptor_parser_get_locator(d->parser));
  if (line > 0)
    line = (int)(line - d->line_adjust);
  if (stmt_check(d, s, line, NULL))
    d->rc = ICX_ERR_INVALID;
  else
    d->rc = stmt_batch_add(d, s);
  if (!d->rc)
    d->rc = stmt_add_aligned(d, s, line);
  if (d->rc)
    raptor_parser_parse_abort(d->parser);
  else
    d->parsed++;
}


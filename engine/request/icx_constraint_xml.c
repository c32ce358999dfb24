/* icx_constraint_xml.c - the constraint XML, read into a set.
 *
 * Two readers feed the same handlers.  A request is first read by
 * libxml2's SAX2 parser directly, in one piece: fast, and silent about
 * where a problem is.  A request that fails there is read again by
 * raptor's SAX2 reader (libxml2 underneath too) in chunks that end at
 * line ends, which places the problem, and whose verdict is the one
 * given: messages and positions are those of the raptor reader alone.
 * The fast reader is at least as strict (any libxml2 error or warning
 * fails it), so it never accepts what the placed reader refuses;
 * fuzz_constraint checks that on every input. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "icx_constraint_internal.h"
#include "icx_ctx_internal.h"
#include "icx_rdf.h"
#include "icx_util.h"

/* raptor's SAX2 reader has libxml2 underneath.  Input that declares a DTD
 * is refused before parsing, so no entity is ever expanded. */

#define PARSE_CHUNK 64

typedef enum {
  IN_NOTHING = 0,   /* outside <constraints> */
  IN_CONSTRAINTS,   /* directly inside <constraints> */
  IN_CONSTRAINT,    /* directly inside <constraint> */
  IN_ATTRIBUTE,     /* inside <attribute> */
  IN_VALUE          /* inside <value> */
} constraint_where;

typedef struct constraint_pstate {
  icx_ctx *ctx;
  icx_constraints *set;
  raptor_locator locator;  /* raptor's SAX2 does not fill it in; kept for its API */
  int line, column;        /* start of the chunk being parsed (1-based) */
  int depth;
  constraint_where at;
  int constraints_depth;   /* depth of <constraints>, 0 if not open */
  int seen_constraints;    /* a <constraints> element was read completely */
  int n_constraint;        /* <constraint> elements seen */
  icx_buf text;            /* text of the current <attribute>/<value> */
  char *attr;              /* current constraint's attribute text */
  char *values[ICX_CONSTRAINT_MAX_VALUES]; /* its <value> texts */
  char *units[ICX_CONSTRAINT_MAX_VALUES];  /* their unit='...', or NULL */
  char *from;              /* the first from='...' of its values, or NULL */
  char *op;                /* its op='...', NULL if none */
  int required, weight;    /* its required='...' and weight='...' */
  int n_attr, n_value;     /* how many of each the constraint had */
  icx_rc rc;               /* first failure */
  const char **pairs;      /* an element's attributes: name, value, ... */
  size_t pairs_cap;
  icx_buf attr_text;       /* the fast reader's attribute values, NUL-ended */
  xmlParserCtxtPtr xctxt;  /* the fast reader's parser, to stop it */
} constraint_pstate;

/* An element as the handlers see it, whichever reader read it. */
typedef struct constraint_el {
  const char *name;          /* local name */
  const char *ns;            /* namespace IRI, "" when none */
  size_t n_attrs;
  const char *const *pairs;  /* n_attrs (local name, value) pairs */
} constraint_el;

static void
constraint_xml_fail(constraint_pstate *ps, icx_rc rc, const char *fmt, const char *a, const char *b)
{
  char msg[4096];

  if (ps->rc)
    return;
  snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
  icx_fail(ps->ctx, rc, "near line %d, column %d: %s", ps->line, ps->column, msg);
  ps->rc = rc;
}

/* The constraints namespace, tolerating the stray spaces the paper's own
 * answer has around it (xmlns=' http://www.csp/resOntology'). */
static int
constraint_is_ns(const char *ns)
{
  size_t n = strlen(ICX_CONSTRAINTS_NS);

  while (icx_is_space((unsigned char)*ns))
    ns++;
  if (strncmp(ns, ICX_CONSTRAINTS_NS, n) != 0)
    return 0;
  for (ns += n; *ns; ns++)
    if (!icx_is_space((unsigned char)*ns))
      return 0;
  return 1;
}

/* The value of the element's attribute named local, or NULL.  Lent. */
static const char *
constraint_xml_attribute(const constraint_el *el, const char *local)
{
  size_t i;

  for (i = 0; i < el->n_attrs; i++)
    if (!strcmp(el->pairs[2 * i], local))
      return el->pairs[2 * i + 1];
  return NULL;
}

/* op='...', required='true|false', weight='-100..100' of <constraint>. */
static void
constraint_read_attributes(constraint_pstate *ps, const constraint_el *el)
{
  icx_ctx *ctx = ps->ctx;
  size_t i;
  int weight_given = 0;

  icx_free(ctx, ps->op);
  ps->op = NULL;
  ps->required = 1;
  ps->weight = 0;
  for (i = 0; i < el->n_attrs && !ps->rc; i++) {
    const char *name = el->pairs[2 * i];
    const char *value = el->pairs[2 * i + 1];
    if (!strcmp(name, "op")) {
      if (!(ps->op = icx_strdup(ctx, value)))
        constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    } else if (!strcmp(name, "required")) {
      if (icx_name_eq(value, "true") || !strcmp(value, "1"))
        ps->required = 1;
      else if (icx_name_eq(value, "false") || !strcmp(value, "0"))
        ps->required = 0;
      else
        constraint_xml_fail(ps, ICX_ERR_XML, "required='%.40s' must be true or false%s", value, "");
    } else if (!strcmp(name, "weight")) {
      char *end;
      long w = strtol(value, &end, 10);
      while (icx_is_space((unsigned char)*end))
        end++;
      if (end == value || *end || w < -100 || w > 100)
        constraint_xml_fail(ps, ICX_ERR_XML,
                            "weight='%.40s' must be an integer from -100 to 100%s", value, "");
      ps->weight = (int)w;
      weight_given = 1;
    }
  }
  if (!ps->rc && weight_given && ps->required)
    constraint_xml_fail(ps, ICX_ERR_XML, "weight='...' needs required='false'%s%s", "", "");
}

static void
constraint_start(constraint_pstate *ps, const constraint_el *el)
{
  icx_ctx *ctx = ps->ctx;
  const char *name = el->name;

  ps->depth++;
  if (ps->rc)
    return;
  if (ps->depth > ICX_CONSTRAINT_MAX_DEPTH) {
    constraint_xml_fail(ps, ICX_ERR_LIMIT, "elements nest deeper than %s levels%s", "64", "");
    return;
  }
  switch (ps->at) {
  case IN_NOTHING:
    if (strcmp(name, "constraints") != 0)
      return;
    if (!constraint_is_ns(el->ns)) {
      constraint_xml_fail(ps, ICX_ERR_XML, "<constraints> is in namespace \"%s\", expected \"%s\"",
                          el->ns, ICX_CONSTRAINTS_NS);
      return;
    }
    if (ps->seen_constraints) {
      constraint_xml_fail(ps, ICX_ERR_XML, "more than one <constraints> element%s%s", "", "");
      return;
    }
    ps->at = IN_CONSTRAINTS;
    ps->constraints_depth = ps->depth;
    return;
  case IN_CONSTRAINTS:
    if (strcmp(name, "constraint") != 0) {
      constraint_xml_fail(ps, ICX_ERR_XML,
                          "unexpected <%s> in <constraints>; expected <constraint>%s", name, "");
      return;
    }
    ps->at = IN_CONSTRAINT;
    ps->n_constraint++;
    ps->n_attr = ps->n_value = 0;
    constraint_read_attributes(ps, el);
    return;
  case IN_CONSTRAINT:
    if (strcmp(name, "attribute") == 0) {
      ps->at = IN_ATTRIBUTE;
      ps->n_attr++;
    } else if (strcmp(name, "value") == 0) {
      if (ps->n_value >= ICX_CONSTRAINT_MAX_VALUES) {
        constraint_xml_fail(ps, ICX_ERR_LIMIT, "a constraint has more than %s values%s", "64", "");
        return;
      }
      ps->at = IN_VALUE;
      ps->n_value++;
      icx_free(ctx, ps->units[ps->n_value - 1]);
      ps->units[ps->n_value - 1] = NULL;
      if (constraint_xml_attribute(el, "unit") &&
          !(ps->units[ps->n_value - 1] = icx_strdup(ctx, constraint_xml_attribute(el, "unit"))))
        constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
      if (constraint_xml_attribute(el, "from") && !ps->from &&
          !(ps->from = icx_strdup(ctx, constraint_xml_attribute(el, "from"))))
        constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    } else {
      constraint_xml_fail(ps, ICX_ERR_XML,
                          "unexpected <%s> in <constraint>; expected <attribute> and <value>%s",
                          name, "");
      return;
    }
    icx_buf_free(&ps->text);
    return;
  case IN_ATTRIBUTE:
  case IN_VALUE:
    constraint_xml_fail(ps, ICX_ERR_XML, "unexpected element <%s> inside <%s>", name,
                        ps->at == IN_ATTRIBUTE ? "attribute" : "value");
    return;
  }
}

static void
constraint_text(constraint_pstate *ps, const unsigned char *s, int len)
{
  if (ps->rc || (ps->at != IN_ATTRIBUTE && ps->at != IN_VALUE) || len <= 0)
    return;
  if (ps->text.len + (size_t)len > ICX_CONSTRAINT_MAX_TEXT) {
    constraint_xml_fail(ps, ICX_ERR_LIMIT, "the text of <%s> is longer than %s bytes",
                        ps->at == IN_ATTRIBUTE ? "attribute" : "value", "1024");
    return;
  }
  icx_buf_append_len(&ps->text, (const char *)s, (size_t)len);
}

static void
constraint_end(constraint_pstate *ps)
{
  icx_ctx *ctx = ps->ctx;

  ps->depth--;
  if (ps->rc)
    return;
  switch (ps->at) {
  case IN_NOTHING:
    return;
  case IN_CONSTRAINTS:
    ps->at = IN_NOTHING;
    ps->seen_constraints = 1;
    return;
  case IN_ATTRIBUTE:
  case IN_VALUE: {
    char **slot = ps->at == IN_ATTRIBUTE ? &ps->attr : &ps->values[ps->n_value - 1];
    icx_free(ctx, *slot);
    *slot = icx_strdup(ctx, ps->text.data ? ps->text.data : "");
    if (!*slot || icx_buf_failed(&ps->text))
      constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    icx_buf_free(&ps->text);
    ps->at = IN_CONSTRAINT;
    return;
  }
  case IN_CONSTRAINT: {
    char num[24];
    icx_rc rc;
    int k;
    ps->at = IN_CONSTRAINTS;
    snprintf(num, sizeof num, "%d", ps->n_constraint);
    if (ps->n_attr != 1) {
      constraint_xml_fail(ps, ICX_ERR_XML, "constraint %s must have exactly one <attribute>%s",
                          num, "");
      return;
    }
    if (ps->n_value == 0 && !ps->op) {
      constraint_xml_fail(ps, ICX_ERR_XML, "constraint %s has no <value> (only op='exists' and "
                          "op='absent' need none)%s", num, "");
      return;
    }
    if (ps->n_value > 1 && !ps->op) {
      constraint_xml_fail(ps, ICX_ERR_XML, "constraint %s must have exactly one <value> without "
                          "op='anyOf', 'allOf' or 'noneOf'%s", num, "");
      return;
    }
    rc = icx_constraint_add_item(ps->ctx, ps->set, ps->attr, ps->op,
                                 (const char *const *)ps->values,
                                 (const char *const *)ps->units, ps->from,
                                 (size_t)ps->n_value, ps->required, ps->weight);
    if (rc) {
      char detail[2048];
      snprintf(detail, sizeof detail, "%s", icx_ctx_errmsg(ps->ctx));
      constraint_xml_fail(ps, rc, "constraint %s: %s", num, detail);
    }
    icx_free(ctx, ps->attr);
    ps->attr = NULL;
    for (k = 0; k < ps->n_value; k++) {
      icx_free(ctx, ps->values[k]);
      icx_free(ctx, ps->units[k]);
      ps->values[k] = NULL;
      ps->units[k] = NULL;
    }
    icx_free(ctx, ps->op);
    ps->op = NULL;
    icx_free(ctx, ps->from);
    ps->from = NULL;
    return;
  }
  }
}

/* Room for n (name, value) pairs in ps->pairs: 0, or -1 (failed). */
static int
constraint_pairs_room(constraint_pstate *ps, size_t n)
{
  const char **p;

  if (2 * n <= ps->pairs_cap)
    return 0;
  if (!(p = icx_realloc(ps->ctx, ps->pairs, 2 * n * sizeof *p))) {
    constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    return -1;
  }
  ps->pairs = p;
  ps->pairs_cap = 2 * n;
  return 0;
}

/* --- the placed reader: raptor's SAX2 ------------------------------------ */

static void
constraint_raptor_start(void *ud, raptor_xml_element *el)
{
  constraint_pstate *ps = ud;
  raptor_qname *qn = raptor_xml_element_get_name(el);
  const raptor_namespace *ns = raptor_qname_get_namespace(qn);
  raptor_uri *u = ns ? raptor_namespace_get_uri(ns) : NULL;
  raptor_qname **attrs = raptor_xml_element_get_attributes(el);
  int n = raptor_xml_element_get_attributes_count(el), i;
  constraint_el view;

  view.name = (const char *)raptor_qname_get_local_name(qn);
  view.ns = u ? (const char *)raptor_uri_as_string(u) : "";
  view.n_attrs = 0;
  view.pairs = NULL;
  if (attrs && n > 0 && !ps->rc && !constraint_pairs_room(ps, (size_t)n)) {
    for (i = 0; i < n; i++) {
      const char *v = (const char *)raptor_qname_get_value(attrs[i]);
      ps->pairs[2 * i] = (const char *)raptor_qname_get_local_name(attrs[i]);
      ps->pairs[2 * i + 1] = v ? v : "";
    }
    view.n_attrs = (size_t)n;
    view.pairs = ps->pairs;
  }
  constraint_start(ps, &view);
}

static void
constraint_raptor_chars(void *ud, raptor_xml_element *el, const unsigned char *s, int len)
{
  (void)el;
  constraint_text(ud, s, len);
}

static void
constraint_raptor_end(void *ud, raptor_xml_element *el)
{
  (void)el;
  constraint_end(ud);
}

/* --- the fast reader: libxml2's SAX2, in one piece ------------------------ */

static void
constraint_fast_stop(constraint_pstate *ps)
{
  if (ps->rc && ps->xctxt)
    xmlStopParser(ps->xctxt);
}

static void
constraint_fast_start(void *ud, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar **attrs)
{
  constraint_pstate *ps = ud;
  constraint_el view;
  size_t *at = NULL;
  int i;

  (void)prefix;
  (void)nb_namespaces;
  (void)namespaces;
  (void)nb_defaulted;
  view.name = (const char *)localname;
  view.ns = uri ? (const char *)uri : "";
  view.n_attrs = 0;
  view.pairs = NULL;
  /* Values come as (begin, end) pointers: copied, NUL-ended, into one
   * buffer, their offsets kept until the buffer stops moving. */
  if (nb_attributes > 0 && !ps->rc && !constraint_pairs_room(ps, (size_t)nb_attributes) &&
      (at = icx_malloc(ps->ctx, (size_t)nb_attributes * sizeof *at))) {
    ps->attr_text.len = 0;
    for (i = 0; i < nb_attributes; i++) {
      at[i] = ps->attr_text.len;
      icx_buf_append_len(&ps->attr_text, (const char *)attrs[5 * i + 3],
                         (size_t)(attrs[5 * i + 4] - attrs[5 * i + 3]));
      icx_buf_append_len(&ps->attr_text, "", 1);
    }
    if (icx_buf_failed(&ps->attr_text)) {
      constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
    } else {
      for (i = 0; i < nb_attributes; i++) {
        ps->pairs[2 * i] = (const char *)attrs[5 * i];
        ps->pairs[2 * i + 1] = ps->attr_text.data + at[i];
      }
      view.n_attrs = (size_t)nb_attributes;
      view.pairs = ps->pairs;
    }
  } else if (nb_attributes > 0 && !ps->rc && !at) {
    constraint_xml_fail(ps, ICX_ERR_NOMEM, "out of memory%s%s", "", "");
  }
  icx_free(ps->ctx, at);
  constraint_start(ps, &view);
  constraint_fast_stop(ps);
}

static void
constraint_fast_end(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
  (void)localname;
  (void)prefix;
  (void)uri;
  constraint_end(ud);
  constraint_fast_stop(ud);
}

static void
constraint_fast_chars(void *ud, const xmlChar *s, int len)
{
  constraint_text(ud, s, len);
  constraint_fast_stop(ud);
}

/* Any error fails the fast reading (the placed one then says what and
 * where); warnings, such as the paper's xmlns with a leading space, do
 * not change what is read. */
static void
constraint_fast_error(void *ud, xmlErrorPtr err)
{
  constraint_pstate *ps = ud;

  if (err && err->level == XML_ERR_WARNING)
    return;
  if (!ps->rc)
    ps->rc = ICX_ERR_XML;
  constraint_fast_stop(ps);
}

/* raptor reports XML errors through the librdf logger, which the context
 * routes into an icx_diag while parsing. */
static int
constraint_declares_dtd(const char *xml, size_t len)
{
  static const char *const bad[] = { "<!DOCTYPE", "<!ENTITY" };
  size_t i, k;

  for (i = 0; i + 2 < len; i++) {
    if (xml[i] != '<' || xml[i + 1] != '!')
      continue;
    for (k = 0; k < 2; k++) {
      size_t n = strlen(bad[k]);
      if (i + n <= len && memcmp(xml + i, bad[k], n) == 0)
        return 1;
    }
  }
  return 0;
}

/* A reading's state, ready for the handlers; NULL set on ENOMEM. */
static void
constraint_pstate_init(constraint_pstate *ps, icx_ctx *ctx, const icx_vocab *vocab)
{
  memset(ps, 0, sizeof *ps);
  ps->ctx = ctx;
  icx_buf_init(&ps->text, ctx);
  icx_buf_init(&ps->attr_text, ctx);
  ps->set = icx_constraint_set_new(ctx, vocab);
}

/* Ends a reading: *out gets the set on ICX_OK, else it is freed. */
static icx_rc
constraint_pstate_end(constraint_pstate *ps, icx_rc rc, icx_constraints **out)
{
  icx_ctx *ctx = ps->ctx;
  int k;

  icx_free(ctx, ps->attr);
  for (k = 0; k < ICX_CONSTRAINT_MAX_VALUES; k++) {
    icx_free(ctx, ps->values[k]);
    icx_free(ctx, ps->units[k]);
  }
  icx_free(ctx, ps->op);
  icx_free(ctx, ps->from);
  icx_free(ctx, ps->pairs);
  icx_buf_free(&ps->text);
  icx_buf_free(&ps->attr_text);
  if (rc) {
    icx_constraints_free(ps->set);
    return rc;
  }
  *out = ps->set;
  return ICX_OK;
}

/* The verdict of a reading that met no XML error. */
static icx_rc
constraint_verdict(constraint_pstate *ps)
{
  if (ps->rc)
    return ps->rc;
  if (!ps->seen_constraints)
    return icx_fail(ps->ctx, ICX_ERR_XML, "no complete <constraints xmlns='%s'> element in the "
                    "request", ICX_CONSTRAINTS_NS);
  if (ps->set->n == 0)
    return icx_fail(ps->ctx, ICX_ERR_XML, "<constraints> holds no <constraint>");
  return ICX_OK;
}

/* 1 when a comment opens at i with "<!-->" or "<!--->". */
static int
constraint_odd_comment(const char *xml, size_t len, size_t i)
{
  return len - i >= 5 && !memcmp(xml + i, "<!--", 4) &&
         (xml[i + 4] == '>' || (len - i >= 6 && xml[i + 4] == '-' && xml[i + 5] == '>'));
}

/* The length of the placed reading's chunk that starts at off: up to the
 * line end, PARSE_CHUNK bytes at most; but a comment opened "<!-->" or
 * "<!--->" goes whole into one chunk, up to its end ("-->" after the
 * opener) or the document's.  libxml2 2.9's push parser looks for a
 * comment's end from the "<!--", so there it finds the "-->" that
 * overlaps the opener and, when the real end has not arrived yet, calls
 * the comment unterminated.  A document without such a comment is cut
 * where it always was, so its errors keep their positions. */
static size_t
constraint_chunk_len(const char *xml, size_t len, size_t off)
{
  size_t n = 0, i;

  while (off + n < len && n < PARSE_CHUNK && xml[off + n] != '\n')
    n++;
  if (off + n < len && xml[off + n] == '\n')
    n++;
  for (i = off; i < off + n; i++) {
    size_t e;
    if (!constraint_odd_comment(xml, len, i))
      continue;
    for (e = i + 4; e + 3 <= len && memcmp(xml + e, "-->", 3) != 0; e++)
      ;
    e = e + 3 <= len ? e + 3 : len;
    if (e > off + n)
      n = e - off;
    i = e - 1;
  }
  return n;
}

/* The placed reading: raptor's SAX2 fed chunks that end at line ends
 * (constraint_chunk_len()), so that a problem is placed within the chunk
 * where it showed up (raptor reports no positions). */
static icx_rc
constraint_read_placed(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                       icx_constraints **out)
{
  constraint_pstate ps;
  raptor_world *rw;
  raptor_sax2 *sax = NULL;
  icx_diag diag;
  size_t off = 0;
  int err_line = 0, err_col = 0;
  icx_rc rc;

  constraint_pstate_init(&ps, ctx, vocab);
  rw = icx_ctx_world(ctx) ? librdf_world_get_raptor(icx_ctx_world(ctx)) : NULL;
  if (ps.set && rw)
    sax = raptor_new_sax2(rw, &ps.locator, &ps);
  if (!sax)
    return constraint_pstate_end(&ps, icx_fail(ctx, ICX_ERR_NOMEM, "out of memory"), out);
  raptor_sax2_set_start_element_handler(sax, constraint_raptor_start);
  raptor_sax2_set_end_element_handler(sax, constraint_raptor_end);
  raptor_sax2_set_characters_handler(sax, constraint_raptor_chars);
  raptor_sax2_set_cdata_handler(sax, constraint_raptor_chars);
  icx_diag_begin(ctx, &diag);
  raptor_sax2_parse_start(sax, NULL);
  ps.line = ps.column = 1;
  while (off < len && !ps.rc && !diag.errors) {
    size_t n = constraint_chunk_len(xml, len, off), i;
    raptor_sax2_parse_chunk(sax, (const unsigned char *)xml + off, n, 0);
    if (diag.errors && !err_line) {
      err_line = ps.line;
      err_col = ps.column;
    }
    for (i = off; i < off + n; i++) {
      if (xml[i] == '\n') {
        ps.line++;
        ps.column = 1;
      } else {
        ps.column++;
      }
    }
    off += n;
  }
  if (!ps.rc && !diag.errors)
    raptor_sax2_parse_chunk(sax, NULL, 0, 1);
  if (diag.errors && !err_line) {
    err_line = ps.line;
    err_col = ps.column;
  }
  icx_diag_end(ctx);
  raptor_free_sax2(sax);
  if (diag.errors && (!ps.rc || ps.rc == ICX_ERR_XML)) {
    const char *m = diag.first;
    if (!strncmp(m, "XML parser error: ", 18))
      m += 18;
    rc = icx_fail(ctx, ICX_ERR_XML, "near line %d, column %d: malformed XML: %s",
                  err_line, err_col, m);
  } else {
    rc = constraint_verdict(&ps);
  }
  return constraint_pstate_end(&ps, rc, out);
}

/* The fast reading: libxml2's SAX2 in one piece, entities of the five
 * predefined kinds and character references replaced (no DTD gets this
 * far), nothing fetched.  Any failure but memory is ICX_ERR_XML, its
 * message not to be shown (the placed reading gives it). */
static icx_rc
constraint_read_fast(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                     icx_constraints **out)
{
  constraint_pstate ps;
  xmlSAXHandler sax;
  icx_rc rc;

  constraint_pstate_init(&ps, ctx, vocab);
  if (!ps.set || len > INT32_MAX)
    return constraint_pstate_end(&ps, ps.set ? ICX_ERR_XML
                                 : icx_fail(ctx, ICX_ERR_NOMEM, "out of memory"), out);
  memset(&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = constraint_fast_start;
  sax.endElementNs = constraint_fast_end;
  sax.characters = constraint_fast_chars;
  sax.ignorableWhitespace = constraint_fast_chars;
  sax.cdataBlock = constraint_fast_chars;
  sax.serror = constraint_fast_error;
  ps.xctxt = xmlCreatePushParserCtxt(&sax, &ps, NULL, 0, NULL);
  if (!ps.xctxt)
    return constraint_pstate_end(&ps, icx_fail(ctx, ICX_ERR_NOMEM, "out of memory"), out);
  xmlCtxtUseOptions(ps.xctxt, XML_PARSE_NOENT | XML_PARSE_NONET);
  xmlParseChunk(ps.xctxt, xml, (int)len, 1);
  if (!ps.xctxt->wellFormed && !ps.rc)
    ps.rc = ICX_ERR_XML;
  xmlFreeParserCtxt(ps.xctxt);
  ps.xctxt = NULL;
  rc = constraint_verdict(&ps);
  if (rc != ICX_OK && rc != ICX_ERR_NOMEM)
    rc = ICX_ERR_XML;
  return constraint_pstate_end(&ps, rc, out);
}

icx_rc
icx_constraints_parse_reader(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                             icx_constraint_reader reader, icx_constraints **out)
{
  icx_rc rc;

  if (!ctx || !vocab || !xml || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  if (len > ICX_CONSTRAINT_MAX_INPUT)
    return icx_fail(ctx, ICX_ERR_LIMIT, "the request is larger than %d bytes",
                    ICX_CONSTRAINT_MAX_INPUT);
  if (constraint_declares_dtd(xml, len))
    return icx_fail(ctx, ICX_ERR_XML, "the request declares a DTD or entity; "
                    "constraint XML must not");
  if (memchr(xml, '\0', len))
    return icx_fail(ctx, ICX_ERR_XML, "the request contains a NUL byte");
  if (reader == ICX_CONSTRAINT_READ_PLACED)
    return constraint_read_placed(ctx, vocab, xml, len, out);
  rc = constraint_read_fast(ctx, vocab, xml, len, out);
  if (reader == ICX_CONSTRAINT_READ_FAST || rc == ICX_OK || rc == ICX_ERR_NOMEM)
    return rc;
  icx_clear_error(ctx);
  return constraint_read_placed(ctx, vocab, xml, len, out);
}

icx_rc
icx_constraints_parse(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                      icx_constraints **out)
{
  return icx_constraints_parse_reader(ctx, vocab, xml, len, ICX_CONSTRAINT_READ_BOTH, out);
}

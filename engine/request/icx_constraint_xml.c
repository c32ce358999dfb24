/* icx_constraint_xml.c - the constraint XML, read with raptor's SAX2 reader into a set. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
} constraint_pstate;

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

static const char *
constraint_el_local(raptor_xml_element *el)
{
  return (const char *)raptor_qname_get_local_name(raptor_xml_element_get_name(el));
}

/* The element's namespace URI, or "" when it has none. */
static const char *
constraint_el_ns(raptor_xml_element *el)
{
  const raptor_namespace *ns = raptor_qname_get_namespace(raptor_xml_element_get_name(el));
  raptor_uri *u = ns ? raptor_namespace_get_uri(ns) : NULL;

  return u ? (const char *)raptor_uri_as_string(u) : "";
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
constraint_xml_attribute(raptor_xml_element *el, const char *local)
{
  raptor_qname **attrs = raptor_xml_element_get_attributes(el);
  int n = raptor_xml_element_get_attributes_count(el), i;

  for (i = 0; attrs && i < n; i++)
    if (!strcmp((const char *)raptor_qname_get_local_name(attrs[i]), local)) {
      const char *v = (const char *)raptor_qname_get_value(attrs[i]);
      return v ? v : "";
    }
  return NULL;
}

/* op='...', required='true|false', weight='-100..100' of <constraint>. */
static void
constraint_read_attributes(constraint_pstate *ps, raptor_xml_element *el)
{
  icx_ctx *ctx = ps->ctx;
  raptor_qname **attrs = raptor_xml_element_get_attributes(el);
  int n = raptor_xml_element_get_attributes_count(el), i, weight_given = 0;

  icx_free(ctx, ps->op);
  ps->op = NULL;
  ps->required = 1;
  ps->weight = 0;
  for (i = 0; attrs && i < n && !ps->rc; i++) {
    const char *name = (const char *)raptor_qname_get_local_name(attrs[i]);
    const char *value = (const char *)raptor_qname_get_value(attrs[i]);
    if (!value)
      value = "";
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
constraint_on_start(void *ud, raptor_xml_element *el)
{
  icx_ctx *ctx = ((constraint_pstate *)ud)->ctx;
  constraint_pstate *ps = ud;
  const char *name = constraint_el_local(el);

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
    if (!constraint_is_ns(constraint_el_ns(el))) {
      constraint_xml_fail(ps, ICX_ERR_XML, "<constraints> is in namespace \"%s\", expected \"%s\"",
                          constraint_el_ns(el), ICX_CONSTRAINTS_NS);
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
constraint_on_chars(void *ud, raptor_xml_element *el, const unsigned char *s, int len)
{
  constraint_pstate *ps = ud;

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
constraint_on_end(void *ud, raptor_xml_element *el)
{
  icx_ctx *ctx = ((constraint_pstate *)ud)->ctx;
  constraint_pstate *ps = ud;

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

/* One reading of xml into *out.  placed: in chunks that end at line ends
 * (PARSE_CHUNK bytes at most), so that a problem is placed within the
 * chunk where it showed up (raptor's SAX2 reports no positions); else in
 * one piece, much faster, with every position reported as line 1. */
static icx_rc
constraint_xml_pass(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                    int placed, icx_constraints **out)
{
  constraint_pstate ps;
  raptor_world *rw;
  raptor_sax2 *sax = NULL;
  icx_diag diag;
  icx_rc rc;
  int k;

  memset(&ps, 0, sizeof ps);
  ps.ctx = ctx;
  icx_buf_init(&ps.text, ctx);
  ps.set = icx_constraint_set_new(ctx, vocab);
  rw = icx_ctx_world(ctx) ? librdf_world_get_raptor(icx_ctx_world(ctx)) : NULL;
  if (ps.set && rw)
    sax = raptor_new_sax2(rw, &ps.locator, &ps);
  if (!ps.set || !sax) {
    icx_constraints_free(ps.set);
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  }
  raptor_sax2_set_start_element_handler(sax, constraint_on_start);
  raptor_sax2_set_end_element_handler(sax, constraint_on_end);
  raptor_sax2_set_characters_handler(sax, constraint_on_chars);
  raptor_sax2_set_cdata_handler(sax, constraint_on_chars);
  icx_diag_begin(ctx, &diag);
  raptor_sax2_parse_start(sax, NULL);
  ps.line = ps.column = 1;
  {
    size_t off = 0;
    int err_line = 0, err_col = 0;
    while (off < len && !ps.rc && !diag.errors) {
      size_t n = 0;
      if (!placed)
        n = len;
      while (off + n < len && n < PARSE_CHUNK && xml[off + n] != '\n')
        n++;
      if (off + n < len && xml[off + n] == '\n')
        n++;
      raptor_sax2_parse_chunk(sax, (const unsigned char *)xml + off, n, 0);
      if (diag.errors && !err_line) {
        err_line = ps.line;
        err_col = ps.column;
      }
      if (n && xml[off + n - 1] == '\n') {
        ps.line++;
        ps.column = 1;
      } else {
        ps.column += (int)n;
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
    } else if (ps.rc) {
      rc = ps.rc;
    } else if (!ps.seen_constraints) {
      rc = icx_fail(ctx, ICX_ERR_XML, "no complete <constraints xmlns='%s'> element in the request",
                    ICX_CONSTRAINTS_NS);
    } else if (ps.set->n == 0) {
      rc = icx_fail(ctx, ICX_ERR_XML, "<constraints> holds no <constraint>");
    } else {
      rc = ICX_OK;
    }
  }
  icx_free(ctx, ps.attr);
  for (k = 0; k < ICX_CONSTRAINT_MAX_VALUES; k++) {
    icx_free(ctx, ps.values[k]);
    icx_free(ctx, ps.units[k]);
  }
  icx_free(ctx, ps.op);
  icx_free(ctx, ps.from);
  icx_buf_free(&ps.text);
  if (rc) {
    icx_constraints_free(ps.set);
    return rc;
  }
  *out = ps.set;
  return ICX_OK;
}

icx_rc
icx_constraints_parse(icx_ctx *ctx, const icx_vocab *vocab, const char *xml, size_t len,
                      icx_constraints **out)
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
  /* Read in one piece; a request that fails is read again line by line,
   * to say where (the second reading gives the same verdict, placed).
   * Out of memory is not read again. */
  rc = constraint_xml_pass(ctx, vocab, xml, len, 0, out);
  if (rc != ICX_OK && rc != ICX_ERR_NOMEM) {
    icx_clear_error(ctx);
    rc = constraint_xml_pass(ctx, vocab, xml, len, 1, out);
  }
  return rc;
}

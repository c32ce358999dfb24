/* icxd_publish.c - the payloads of publish_capabilities and
 * withdraw_capabilities: requests read into writer jobs, inline RDF/XML
 * serialised back to text, loader messages turned into places in the
 * sender's document, and the answers and schemata. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_access.h"
#include "icxd_iodata.h"
#include "icxd_publish.h"
#include "icxd_stanza.h"

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* --- a growable string -------------------------------------------------- */

typedef struct publish_buf {
  char *s;
  size_t len, cap;
  int failed;
} publish_buf;

static void publish_put(publish_buf *b, const char *p, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *grown;
    while (cap < b->len + n + 1)
      cap *= 2;
    if (!(grown = realloc(b->s, cap))) {
      b->failed = 1;
      return;
    }
    b->s = grown;
    b->cap = cap;
  }
  memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void publish_puts(publish_buf *b, const char *s)
{
  publish_put(b, s, strlen(s));
}

/* s escaped for XML text or a quoted attribute value. */
static void publish_put_escaped(publish_buf *b, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '&': publish_puts(b, "&amp;"); break;
    case '<': publish_puts(b, "&lt;"); break;
    case '>': publish_puts(b, "&gt;"); break;
    case '\'': publish_puts(b, "&apos;"); break;
    case '"': publish_puts(b, "&quot;"); break;
    default: publish_put(b, s, 1);
    }
  }
}

/* --- names and graphs --------------------------------------------------- */

int icxd_publish_name_ok(const char *name)
{
  size_t n = name ? strlen(name) : 0;

  if (n == 0 || n > ICXD_DOC_NAME_MAX)
    return 0;
  for (; *name; name++)
    if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
          (*name >= '0' && *name <= '9') || strchr("._-", *name)))
      return 0;
  return 1;
}

char *icxd_publish_doc_uri(const char *owner, const char *name)
{
  publish_buf b = { 0 };
  const unsigned char *p;
  char hex[4];

  publish_puts(&b, "xmpp:");
  for (p = (const unsigned char *)owner; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || strchr("-._~@", *p)) {
      publish_put(&b, (const char *)p, 1);
    } else {
      snprintf(hex, sizeof hex, "%%%02X", *p);
      publish_puts(&b, hex);
    }
  }
  publish_puts(&b, "?icx-capabilities;name=");
  publish_puts(&b, name);
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* --- reading requests --------------------------------------------------- */

/* The one element of <in>, which must be <name> in icx's namespace.  NULL
 * with err set otherwise. */
static xmpp_stanza_t *publish_only_child(xmpp_stanza_t *in, const char *name,
                                         const char *node, char *err,
                                         size_t errlen)
{
  xmpp_stanza_t *c = icxd_child(in, NULL, NULL);
  const char *ns = c ? xmpp_stanza_get_ns(c) : NULL;

  if (icxd_count_children(in) != 1 || !icxd_is(xmpp_stanza_get_name(c), name) ||
      !icxd_is(ns, ICX_CONSTRAINTS_NS)) {
    snprintf(err, errlen, "%s takes one <%s xmlns='%s'> in <in>", node, name,
             ICX_CONSTRAINTS_NS);
    return NULL;
  }
  return c;
}

/* Reads name= and owner= of req into job (owner defaults to actor).
 * ICX_OK, or an error with err set. */
static icx_rc publish_read_target(xmpp_stanza_t *req, const char *actor,
                                  int admin, icxd_job *job, char *err,
                                  size_t errlen)
{
  const char *name = xmpp_stanza_get_attribute(req, "name");
  const char *owner = xmpp_stanza_get_attribute(req, "owner");
  char *bare;

  if (!name)
    name = ICXD_DOC_DEFAULT_NAME;
  if (!icxd_publish_name_ok(name)) {
    snprintf(err, errlen, "bad document name '%.80s': a name is 1 to %d "
             "letters, digits, '.', '_' or '-'", name, ICXD_DOC_NAME_MAX);
    return ICX_ERR_XML;
  }
  bare = owner ? icxd_bare_jid(owner) : strdup(actor);
  if (!bare) {
    snprintf(err, errlen, owner ? "owner '%.80s' is not a bare JID" : "out of memory",
             owner);
    return owner ? ICX_ERR_XML : ICX_ERR_NOMEM;
  }
  if (strcmp(bare, actor) != 0 && !admin) {
    free(bare);
    job->forbidden = 1;
    snprintf(err, errlen, "only an administrator of this exchange may act on "
             "documents of another JID");
    return ICX_ERR_INVALID;
  }
  job->doc_owner = bare;
  job->doc_name = strdup(name);
  job->actor = strdup(actor);
  job->actor_admin = admin;
  job->doc_uri = job->doc_name ? icxd_publish_doc_uri(bare, name) : NULL;
  if (!job->doc_name || !job->actor || !job->doc_uri) {
    snprintf(err, errlen, "out of memory");
    return ICX_ERR_NOMEM;
  }
  return ICX_OK;
}

/* 1 if s holds only XML white space. */
static int publish_blank(const char *s)
{
  return s[strspn(s, " \t\r\n")] == '\0';
}

icx_rc icxd_publish_read(xmpp_ctx_t *ctx, xmpp_stanza_t *in, const char *actor,
                         int admin, size_t max_size, icxd_job *job, char *err,
                         size_t errlen)
{
  xmpp_stanza_t *cap = publish_only_child(in, "capabilities",
                                          ICXD_NODE_PUBLISH, err, errlen);
  xmpp_stanza_t *root, *c;
  const char *format;
  char *text = NULL;
  size_t len = 0;
  int fmt, n_elems;
  icx_rc rc;

  if (!cap)
    return ICX_ERR_XML;
  job->kind = ICXD_JOB_PUBLISH;
  if ((rc = publish_read_target(cap, actor, admin, job, err, errlen)))
    return rc;
  format = xmpp_stanza_get_attribute(cap, "format");
  fmt = format ? icx_format_from_name(format) : ICX_FORMAT_RDFXML;
  if (fmt < 0 || fmt == ICX_FORMAT_AUTO) {
    snprintf(err, errlen, "unknown format '%.40s': give turtle, ntriples or "
             "rdfxml", format);
    return ICX_ERR_XML;
  }
  n_elems = icxd_count_children(cap);
  root = icxd_child(cap, NULL, NULL);
  if (n_elems > 1) {
    snprintf(err, errlen, "<capabilities> holds %d elements: inline RDF/XML "
             "is one element (rdf:RDF)", n_elems);
    return ICX_ERR_XML;
  }
  if (root) {
    if (fmt != ICX_FORMAT_RDFXML) {
      snprintf(err, errlen, "format '%s' is sent as text; an element inside "
               "<capabilities> is RDF/XML", format);
      return ICX_ERR_XML;
    }
    for (c = xmpp_stanza_get_children(cap); c; c = xmpp_stanza_get_next(c)) {
      const char *t = xmpp_stanza_is_text(c) ? xmpp_stanza_get_text_ptr(c) : NULL;
      if (t && !publish_blank(t)) {
        snprintf(err, errlen, "<capabilities> holds both text and an "
                 "element: send the document either inline as RDF/XML or "
                 "as text with a format");
        return ICX_ERR_XML;
      }
    }
    if ((rc = icxd_publish_rdfxml_text(root, &text, &len, err, errlen)))
      return rc;
  } else {
    char *t;
    if (!format) {
      snprintf(err, errlen, "a document sent as text needs format='turtle', "
               "'ntriples' or 'rdfxml'");
      return ICX_ERR_XML;
    }
    t = xmpp_stanza_get_text(cap);
    if (!t || publish_blank(t)) {
      if (t)
        xmpp_free(ctx, t);
      snprintf(err, errlen, "<capabilities> holds no document");
      return ICX_ERR_XML;
    }
    len = strlen(t);
    text = malloc(len + 1);
    if (text)
      memcpy(text, t, len + 1);
    xmpp_free(ctx, t);
    if (!text) {
      snprintf(err, errlen, "out of memory");
      return ICX_ERR_NOMEM;
    }
  }
  if (len > max_size) {
    free(text);
    snprintf(err, errlen, "the document is %zu bytes; this exchange takes "
             "at most %zu bytes in one document: publish the clouds in "
             "several documents under different names, or ask the exchange's "
             "operator to load it", len, max_size);
    return ICX_ERR_LIMIT;
  }
  job->xml = text;
  job->xml_len = len;
  job->doc_format = fmt;
  return ICX_OK;
}

icx_rc icxd_withdraw_read(xmpp_ctx_t *ctx, xmpp_stanza_t *in, const char *actor,
                          int admin, icxd_job *job, char *err, size_t errlen)
{
  xmpp_stanza_t *w = publish_only_child(in, "withdraw", ICXD_NODE_WITHDRAW,
                                        err, errlen);
  const char *doc;

  (void)ctx;
  if (!w)
    return ICX_ERR_XML;
  job->kind = ICXD_JOB_WITHDRAW;
  if (icxd_count_children(w) > 0) {
    snprintf(err, errlen, "<withdraw> is empty: it names the document with "
             "its attributes");
    return ICX_ERR_XML;
  }
  doc = xmpp_stanza_get_attribute(w, "document");
  if (!doc)
    return publish_read_target(w, actor, admin, job, err, errlen);
  if (xmpp_stanza_get_attribute(w, "name") ||
      xmpp_stanza_get_attribute(w, "owner")) {
    snprintf(err, errlen, "<withdraw> names a document either by document= "
             "or by name= (and owner=), not both");
    return ICX_ERR_XML;
  }
  if (!*doc || strlen(doc) > 2048 || strpbrk(doc, " <>\"{}|^`\\\t\r\n")) {
    snprintf(err, errlen, "document='%.80s' is not an IRI", doc);
    return ICX_ERR_XML;
  }
  job->doc_uri = strdup(doc);
  job->actor = strdup(actor);
  job->actor_admin = admin;
  if (!job->doc_uri || !job->actor) {
    snprintf(err, errlen, "out of memory");
    return ICX_ERR_NOMEM;
  }
  return ICX_OK;
}

/* --- inline RDF/XML back to text ---------------------------------------- */

static const char *const publish_rdf_attrs[] = {
  "about", "resource", "ID", "nodeID", "datatype", "parseType", NULL
};

static icx_rc publish_serialise(xmpp_stanza_t *e, const char *parent_ns,
                                int root, publish_buf *b, char *err,
                                size_t errlen)
{
  const char *name = xmpp_stanza_get_name(e);
  const char *ns = xmpp_stanza_get_ns(e);
  const char *attrs[64];
  int n, i, k;
  xmpp_stanza_t *c;
  icx_rc rc;

  n = xmpp_stanza_get_attribute_count(e);
  if (n > 32) {
    snprintf(err, errlen, "<%s> has %d attributes", name, n);
    return ICX_ERR_XML;
  }
  n = xmpp_stanza_get_attributes(e, attrs, 64);
  publish_puts(b, "<");
  publish_puts(b, name);
  if (ns && (root || !parent_ns || strcmp(ns, parent_ns) != 0)) {
    publish_puts(b, " xmlns=\"");
    publish_put_escaped(b, ns);
    publish_puts(b, "\"");
  }
  if (root)
    publish_puts(b, " xmlns:rdf=\"" RDF_NS "\"");
  for (i = 0; i + 1 < n; i += 2) {
    const char *a = attrs[i];
    if (strcmp(a, "xmlns") == 0)
      continue;
    for (k = 0; publish_rdf_attrs[k] && strcmp(a, publish_rdf_attrs[k]); k++)
      ;
    if (publish_rdf_attrs[k])
      publish_puts(b, " rdf:");
    else if (!strcmp(a, "lang") || !strcmp(a, "base") || !strcmp(a, "space"))
      publish_puts(b, " xml:");
    else {
      snprintf(err, errlen, "attribute '%.60s' of <%.60s>: inline RDF/XML "
               "cannot carry property attributes (the exchange's XMPP "
               "library drops attribute prefixes); write the property as "
               "an element, or send the document as text with "
               "format='rdfxml'", a, name);
      return ICX_ERR_XML;
    }
    publish_puts(b, a);
    publish_puts(b, "=\"");
    publish_put_escaped(b, attrs[i + 1]);
    publish_puts(b, "\"");
  }
  c = xmpp_stanza_get_children(e);
  if (!c) {
    publish_puts(b, "/>");
    return ICX_OK;
  }
  publish_puts(b, ">");
  for (; c; c = xmpp_stanza_get_next(c)) {
    if (xmpp_stanza_is_tag(c)) {
      if ((rc = publish_serialise(c, ns, 0, b, err, errlen)))
        return rc;
    } else if (xmpp_stanza_get_text_ptr(c)) {
      publish_put_escaped(b, xmpp_stanza_get_text_ptr(c));
    }
  }
  publish_puts(b, "</");
  publish_puts(b, name);
  publish_puts(b, ">");
  return ICX_OK;
}

icx_rc icxd_publish_rdfxml_text(xmpp_stanza_t *elem, char **out, size_t *len,
                                char *err, size_t errlen)
{
  publish_buf b = { 0 };
  icx_rc rc;

  *out = NULL;
  *len = 0;
  rc = publish_serialise(elem, NULL, 1, &b, err, errlen);
  if (!rc && b.failed) {
    snprintf(err, errlen, "out of memory");
    rc = ICX_ERR_NOMEM;
  }
  if (rc) {
    free(b.s);
    return rc;
  }
  *out = b.s;
  *len = b.len;
  return ICX_OK;
}

/* --- loader messages ---------------------------------------------------- */

/* Reads digits then ':' at *p; the number, or -1 (p unmoved). */
static long publish_number_colon(const char **p)
{
  const char *q = *p;
  long v = 0;

  if (*q < '0' || *q > '9')
    return -1;
  while (*q >= '0' && *q <= '9' && v < 100000000)
    v = v * 10 + (*q++ - '0');
  if (*q != ':')
    return -1;
  *p = q + 1;
  return v;
}

const char *icxd_publish_locate(const char *msg, const char *source,
                                long *line, long *column)
{
  size_t n = strlen(source);
  const char *p;
  long v;

  *line = *column = 0;
  if (strncmp(msg, source, n) != 0 || msg[n] != ':')
    return msg;
  p = msg + n + 1;
  if ((v = publish_number_colon(&p)) >= 0) {
    *line = v;
    if ((v = publish_number_colon(&p)) >= 0)
      *column = v;
  }
  return p + strspn(p, " ");
}

char *icxd_publish_redact(const char *msg, const char *owner)
{
  publish_buf b = { 0 };
  const char *p = msg, *hit;
  size_t olen = owner ? strlen(owner) : 0;

  while ((hit = strstr(p, "xmpp:"))) {
    size_t n = strcspn(hit, " \t\r\n<>\"'(),");
    const char *q = memchr(hit, '?', n);
    size_t jlen = q ? (size_t)(q - hit) - 5 : n - 5;

    publish_put(&b, p, (size_t)(hit - p));
    if (owner && jlen == olen && strncmp(hit + 5, owner, olen) == 0)
      publish_put(&b, hit, n);
    else
      publish_puts(&b, "another publisher's document");
    p = hit + n;
  }
  publish_puts(&b, p);
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* --- answers ------------------------------------------------------------ */

char *icxd_publish_answer(const char *element, const char *doc_uri,
                          const char *name, const char *owner,
                          const char *format, long triples,
                          char *const *clouds, size_t n_clouds)
{
  publish_buf b = { 0 };
  char num[32];
  size_t i;

  publish_puts(&b, "<");
  publish_puts(&b, element);
  publish_puts(&b, " xmlns='" ICX_CONSTRAINTS_NS "' document='");
  publish_put_escaped(&b, doc_uri);
  if (name) {
    publish_puts(&b, "' name='");
    publish_put_escaped(&b, name);
  }
  if (owner) {
    publish_puts(&b, "' owner='");
    publish_put_escaped(&b, owner);
  }
  if (format) {
    publish_puts(&b, "' format='");
    publish_put_escaped(&b, format);
  }
  snprintf(num, sizeof num, "%ld", triples);
  publish_puts(&b, "' triples='");
  publish_puts(&b, num);
  if (n_clouds > ICXD_PUBLISH_MAX_NAMES) {
    snprintf(num, sizeof num, "%zu", n_clouds);
    publish_puts(&b, "' clouds='");
    publish_puts(&b, num);
  }
  publish_puts(&b, "'>");
  for (i = 0; i < n_clouds && i < ICXD_PUBLISH_MAX_NAMES; i++) {
    publish_puts(&b, "<cloudName>");
    publish_put_escaped(&b, clouds[i]);
    publish_puts(&b, "</cloudName>");
  }
  publish_puts(&b, "</");
  publish_puts(&b, element);
  publish_puts(&b, ">");
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* --- schemata ------------------------------------------------------------ */

/* Written as icxd_iodata.c writes its own: XML Schema as the default
 * namespace, no QNames into the target namespace. */
#define SCHEMA_OPEN \
  "<schema xmlns='http://www.w3.org/2001/XMLSchema'" \
  " targetNamespace='" ICX_CONSTRAINTS_NS "' elementFormDefault='qualified'>"

#define NAME_TYPE \
  "<simpleType><restriction base='string'><pattern value='[A-Za-z0-9._\\-]{1,64}'/>" \
  "</restriction></simpleType>"

static const char schema_publish_input[] =
  SCHEMA_OPEN
  "<annotation><documentation>A capability document to publish: RDF/XML"
  " inline (one rdf:RDF element, without property attributes), or Turtle,"
  " N-Triples or RDF/XML as text with format. It replaces the document of"
  " the same name and owner, atomically. name defaults to 'default'; owner"
  " (administrators only) defaults to the sender's bare JID. Line numbers in"
  " errors count from the first character after the opening tag (text), or"
  " from the line of the rdf:RDF start tag (inline)."
  "</documentation></annotation>"
  "<element name='capabilities'><complexType mixed='true'><sequence>"
  "<any namespace='##other' processContents='lax' minOccurs='0' maxOccurs='1'/>"
  "</sequence>"
  "<attribute name='name' use='optional'>" NAME_TYPE "</attribute>"
  "<attribute name='owner' type='string' use='optional'/>"
  "<attribute name='format' use='optional'><simpleType>"
  "<restriction base='string'><enumeration value='turtle'/>"
  "<enumeration value='ntriples'/><enumeration value='rdfxml'/>"
  "</restriction></simpleType></attribute>"
  "</complexType></element>"
  "</schema>";

#define STORED_ELEMENT(el) \
  "<element name='" el "'><complexType><sequence>" \
  "<element name='cloudName' type='string' minOccurs='0' maxOccurs='unbounded'/>" \
  "</sequence>" \
  "<attribute name='document' type='anyURI' use='required'/>" \
  "<attribute name='name' type='string' use='optional'/>" \
  "<attribute name='owner' type='string' use='optional'/>" \
  "<attribute name='format' type='string' use='optional'/>" \
  "<attribute name='triples' type='nonNegativeInteger' use='required'/>" \
  "<attribute name='clouds' type='nonNegativeInteger' use='optional'/>" \
  "</complexType></element>"

static const char schema_publish_output[] =
  SCHEMA_OPEN
  "<annotation><documentation>What was stored: the document's graph, name,"
  " owner, format and number of triples, and the clouds it describes (the"
  " first 100 by name, with clouds: how many, when there are more)."
  "</documentation></annotation>"
  STORED_ELEMENT("published")
  "</schema>";

static const char schema_withdraw_input[] =
  SCHEMA_OPEN
  "<annotation><documentation>The document to withdraw: by name (default"
  " 'default') and owner (administrators only; default the sender), or by"
  " its graph's IRI in document."
  "</documentation></annotation>"
  "<element name='withdraw'><complexType>"
  "<attribute name='name' use='optional'>" NAME_TYPE "</attribute>"
  "<attribute name='owner' type='string' use='optional'/>"
  "<attribute name='document' type='anyURI' use='optional'/>"
  "</complexType></element>"
  "</schema>";

static const char schema_withdraw_output[] =
  SCHEMA_OPEN
  "<annotation><documentation>What was withdrawn: the document's graph,"
  " owner and number of triples, and the clouds it described (the first"
  " 100 by name, with clouds: how many, when there were more)."
  "</documentation></annotation>"
  STORED_ELEMENT("withdrawn")
  "</schema>";

const char *icxd_schema_publish_input(void) { return schema_publish_input; }
const char *icxd_schema_publish_output(void) { return schema_publish_output; }
const char *icxd_schema_withdraw_input(void) { return schema_withdraw_input; }
const char *icxd_schema_withdraw_output(void) { return schema_withdraw_output; }

xmpp_stanza_t *icxd_publish_schemata(xmpp_ctx_t *ctx)
{
  return icxd_iodata_schemata_of(ctx,
                                 "Publishes a capability document of the "
                                 "sender's cloud. Input: a <capabilities> "
                                 "element; output: a <published> element.",
                                 schema_publish_input, schema_publish_output);
}

xmpp_stanza_t *icxd_withdraw_schemata(xmpp_ctx_t *ctx)
{
  return icxd_iodata_schemata_of(ctx,
                                 "Withdraws a capability document the sender "
                                 "published. Input: a <withdraw> element; "
                                 "output: a <withdrawn> element.",
                                 schema_withdraw_input, schema_withdraw_output);
}

/* icxd_iodata.c - IO Data (XEP-0244) payloads of icxd's commands. */
/* Output, error, status, the XML Schemas of the commands' input and
 * output, and the clouds an explanation request names. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icxd_iodata.h"
#include "icxd_rsm.h"
#include "icxd_stanza.h"

/* The schemas are written without namespace prefixes on purpose: the
 * stanza layer (libstrophe) keeps each element's namespace but drops
 * prefix declarations, so a QName such as xs:string would arrive unbound.
 * With XML Schema as the default namespace, base='string' stays valid,
 * and every type is anonymous (no QName into the target namespace). */
#define TEXT_1K \
  "<simpleType><restriction base='string'><minLength value='1'/>" \
  "<maxLength value='1024'/></restriction></simpleType>"

#define SCHEMA_OPEN \
  "<schema xmlns='http://www.w3.org/2001/XMLSchema'" \
  " targetNamespace='" ICX_CONSTRAINTS_NS "' elementFormDefault='qualified'>"

/* A cloud's presence: XMPP's show values, available and unavailable. */
#define SHOW_TYPE \
  "<simpleType><restriction base='string'>" \
  "<enumeration value='available'/><enumeration value='chat'/>" \
  "<enumeration value='away'/><enumeration value='xa'/>" \
  "<enumeration value='dnd'/><enumeration value='unavailable'/>" \
  "</restriction></simpleType>"

/* What icxd adds to <constraints> itself (doc/protocol.md, "Presence"):
 * the presence wanted, required or preferred with a weight, and whether
 * the answer names each cloud's JID.  The engine ignores them. */
#define PRESENCE_ATTRIBUTES \
  "<attribute name='presence' use='optional'><simpleType>" \
  "<list>" SHOW_TYPE "</list></simpleType></attribute>" \
  "<attribute name='presenceRequired' type='boolean' use='optional'/>" \
  "<attribute name='presenceWeight' use='optional'><simpleType>" \
  "<restriction base='integer'><minInclusive value='-100'/>" \
  "<maxInclusive value='100'/></restriction></simpleType></attribute>" \
  "<attribute name='jid' type='boolean' use='optional'/>"

/* The scope of a request (doc/federation.md): local (the default) or
 * federation, which sends it on to the exchange's peers too.  Also read
 * by icxd alone. */
#define SCOPE_ATTRIBUTE \
  "<attribute name='scope' use='optional'><simpleType>" \
  "<restriction base='string'><enumeration value='local'/>" \
  "<enumeration value='federation'/></restriction></simpleType>" \
  "</attribute>"

/* The paper's <constraints> element, with what icx adds to it (icx(1)):
 * op, required and weight on <constraint>; no <value> (exists, absent)
 * or several (anyOf, allOf, noneOf); unit and from on <value>.  Names and
 * values are free text here; the vocabulary (not the schema) decides what
 * they may be, and the engine trims surrounding whitespace and enforces
 * the 1024-byte limit on values too. */
#define CONSTRAINTS_ELEMENT \
  "<element name='constraints'><complexType><sequence>" \
  "<element name='constraint' minOccurs='1' maxOccurs='256'>" \
  "<complexType><sequence>" \
  "<element name='attribute'>" TEXT_1K "</element>" \
  "<element name='value' minOccurs='0' maxOccurs='64'><complexType>" \
  "<simpleContent><extension base='string'>" \
  "<attribute name='unit' use='optional'>" TEXT_1K "</attribute>" \
  "<attribute name='from' use='optional'>" TEXT_1K "</attribute>" \
  "</extension></simpleContent></complexType></element>" \
  "</sequence>" \
  "<attribute name='op' type='string' use='optional'/>" \
  "<attribute name='required' type='boolean' use='optional'/>" \
  "<attribute name='weight' use='optional'><simpleType>" \
  "<restriction base='integer'><minInclusive value='-100'/>" \
  "<maxInclusive value='100'/></restriction></simpleType></attribute>" \
  "</complexType></element>" \
  "</sequence>" \
  PRESENCE_ATTRIBUTES \
  SCOPE_ATTRIBUTE \
  "</complexType></element>"

/* The input of constraint_catalog_resources. */
static const char schema_constraints[] =
  SCHEMA_OPEN
  "<annotation><documentation>A request for clouds: every constraint"
  " names an attribute of the exchange's vocabulary (by label or alias)"
  " and the value wanted; a cloud matches when it satisfies all of them."
  "</documentation></annotation>"
  CONSTRAINTS_ELEMENT
  "</schema>";

static const char schema_matching[] =
  SCHEMA_OPEN
  "<annotation><documentation>The answer: the names of the clouds that"
  " satisfy every constraint, ranked (highest score first, then by name),"
  " without duplicates (none when no cloud matches); in the answer to a"
  " request with scope='federation', each tagged with the exchange that"
  " holds it (exchange=), and ranked across exchanges; then a set element"
  " (XEP-0059) with the page's first (and its index) and last cloud and"
  " the count of all matching clouds.</documentation></annotation>"
  "<element name='matchingClouds'><complexType><sequence>"
  "<element name='cloudName' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType><simpleContent><extension base='string'>"
  "<attribute name='score' type='integer' use='optional'/>"
  "<attribute name='degree' type='string' use='optional'/>"
  "<attribute name='jid' type='string' use='optional'/>"
  "<attribute name='exchange' type='string' use='optional'/>"
  "</extension></simpleContent></complexType></element>"
  "<any namespace='" ICXD_NS_RSM "' processContents='skip' minOccurs='0'/>"
  "</sequence></complexType></element>"
  "</schema>";

/* The input of explain_constraints: the <in> element holds one
 * <constraints> and any number of <cloudName> elements. */
static const char schema_explain_input[] =
  SCHEMA_OPEN
  "<annotation><documentation>A request for an explanation: the"
  " constraints of a match request, followed by up to "
  ICXD_STR(ICXD_EXPLAIN_MAX_CLOUDS) " cloudName"
  " elements, each naming a cloud whose failures are wanted."
  "</documentation></annotation>"
  CONSTRAINTS_ELEMENT
  "<element name='cloudName'>" TEXT_1K "</element>"
  "</schema>";

/* The engine's <explanation> (icx_explain_to_xml()).  Constraints are
 * numbered from 1 in the order of the request. */
static const char schema_explanation[] =
  SCHEMA_OPEN
  "<annotation><documentation>The explanation: how many clouds meet every"
  " constraint; for each constraint, how many clouds meet it alone and how"
  " many remain after it and the ones before it; for each cloud named,"
  " whether it is known and matches, and every constraint it fails with a"
  " sentence saying how; when nothing matches, the smallest sets of"
  " constraints whose removal would give a match (up to "
  ICXD_STR(ICX_EXPLAIN_MAX_REMOVED) " removed, in requests of up to "
  ICXD_STR(ICX_EXPLAIN_MAX_CONSTRAINTS) " constraints), with the clouds each"
  " gives; when the request names a presence, the clouds that meet every"
  " constraint but not the presence (up to "
  ICXD_STR(ICXD_EXPLAIN_MAX_CLOUDS) "), each with its state and since when"
  " it holds.  With scope='federation', the counts add up over the"
  " exchanges that answered, a named cloud is explained by the exchange"
  " that holds it (exchange=), and one exchange element per exchange"
  " gives its own count; relaxations (this exchange's) only when nothing"
  " matches at any exchange.  An explanation longer than the exchange's"
  " explain_max_bytes carries cut='true' and relaxations= (how many there"
  " were): the clouds past the limit keep their element without their fails"
  " (failures= says how many they are), the relaxations past it are left"
  " out."
  "</documentation></annotation>"
  "<element name='explanation'><complexType><sequence>"
  "<element name='constraint' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType>"
  "<attribute name='index' type='positiveInteger' use='required'/>"
  "<attribute name='attribute' type='string' use='required'/>"
  "<attribute name='alone' type='nonNegativeInteger' use='required'/>"
  "<attribute name='remaining' type='nonNegativeInteger' use='required'/>"
  "</complexType></element>"
  "<element name='cloud' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType><sequence>"
  "<element name='fails' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType><simpleContent><extension base='string'>"
  "<attribute name='constraint' type='positiveInteger' use='required'/>"
  "</extension></simpleContent></complexType></element>"
  "</sequence>"
  "<attribute name='name' type='string' use='required'/>"
  "<attribute name='known' type='boolean' use='required'/>"
  "<attribute name='matches' type='boolean' use='required'/>"
  "<attribute name='exchange' type='string' use='optional'/>"
  "<attribute name='failures' type='positiveInteger' use='optional'/>"
  "</complexType></element>"
  "<element name='relaxation' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType>"
  "<attribute name='without' use='required'><simpleType>"
  "<list itemType='positiveInteger'/></simpleType></attribute>"
  "<attribute name='matching' type='nonNegativeInteger' use='required'/>"
  "<attribute name='clouds' type='string' use='required'/>"
  "</complexType></element>"
  "<element name='presence' minOccurs='0'><complexType><sequence>"
  "<element name='cloud' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType>"
  "<attribute name='name' type='string' use='required'/>"
  "<attribute name='jid' type='string' use='optional'/>"
  "<attribute name='show' use='required'>" SHOW_TYPE "</attribute>"
  "<attribute name='since' type='dateTime' use='optional'/>"
  "</complexType></element>"
  "</sequence>"
  "<attribute name='accepted' use='required'><simpleType>"
  "<list>" SHOW_TYPE "</list></simpleType></attribute>"
  "<attribute name='required' type='boolean' use='required'/>"
  "<attribute name='failing' type='nonNegativeInteger' use='required'/>"
  "</complexType></element>"
  "<element name='exchange' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType>"
  "<attribute name='jid' type='string' use='required'/>"
  "<attribute name='matching' type='nonNegativeInteger' use='required'/>"
  "</complexType></element>"
  "</sequence>"
  "<attribute name='matching' type='nonNegativeInteger' use='required'/>"
  "<attribute name='cut' type='boolean' use='optional'/>"
  "<attribute name='relaxations' type='nonNegativeInteger' use='optional'/>"
  "</complexType></element>"
  "</schema>";

/* list_presence takes nothing. */
static const char schema_presence_input[] =
  SCHEMA_OPEN
  "<annotation><documentation>list_presence takes no input (no IO Data,"
  " or an empty in element), or an in element holding a set element"
  " (XEP-0059) that asks for a page of the publishers: max, after or"
  " before (a JID), index.</documentation></annotation>"
  "</schema>";

static const char schema_presence_output[] =
  SCHEMA_OPEN
  "<annotation><documentation>The publishers whose presence the exchange"
  " follows (the owners of documents published over XMPP, at most max),"
  " sorted by JID: each with the state it shows (the most available of"
  " its resources), since when, whether any presence was received from it"
  " since the exchange connected, and how many resources are online;"
  " one page of them at a time (as a match's answer: the first without a"
  " set in the input), then a set element (XEP-0059) with the page's first"
  " (and its index) and last JID and the count of all publishers."
  "</documentation></annotation>"
  "<element name='presenceList'><complexType><sequence>"
  "<element name='publisher' minOccurs='0' maxOccurs='unbounded'>"
  "<complexType>"
  "<attribute name='jid' type='string' use='required'/>"
  "<attribute name='show' use='required'>" SHOW_TYPE "</attribute>"
  "<attribute name='since' type='dateTime' use='required'/>"
  "<attribute name='seen' type='boolean' use='required'/>"
  "<attribute name='resources' type='nonNegativeInteger' use='required'/>"
  "</complexType></element>"
  "<any namespace='" ICXD_NS_RSM "' processContents='skip' minOccurs='0'/>"
  "</sequence>"
  "<attribute name='followed' type='nonNegativeInteger' use='required'/>"
  "<attribute name='max' type='nonNegativeInteger' use='required'/>"
  "</complexType></element>"
  "</schema>";

const char *icxd_schema_presence_input(void)
{
  return schema_presence_input;
}

const char *icxd_schema_presence_output(void)
{
  return schema_presence_output;
}

const char *icxd_schema_constraints(void)
{
  return schema_constraints;
}

const char *icxd_schema_matching(void)
{
  return schema_matching;
}

const char *icxd_schema_explain_input(void)
{
  return schema_explain_input;
}

const char *icxd_schema_explanation(void)
{
  return schema_explanation;
}

const char *icxd_rc_code(icx_rc rc)
{
  switch (rc) {
  case ICX_OK: return "ok";
  case ICX_ERR_NOMEM: return "nomem";
  case ICX_ERR_IO: return "io";
  case ICX_ERR_XML: return "xml";
  case ICX_ERR_CONSTRAINT: return "constraint";
  case ICX_ERR_VOCAB: return "vocab";
  case ICX_ERR_RDF: return "rdf";
  case ICX_ERR_INVALID: return "invalid";
  case ICX_ERR_STORE: return "store";
  case ICX_ERR_DAMAGED: return "store";
  case ICX_ERR_QUERY: return "query";
  case ICX_ERR_NOT_FOUND: return "not-found";
  case ICX_ERR_MISUSE: return "misuse";
  case ICX_ERR_LIMIT: return "limit";
  }
  return "unknown";
}

int icxd_rc_is_requester_fault(icx_rc rc)
{
  return rc == ICX_ERR_XML || rc == ICX_ERR_CONSTRAINT || rc == ICX_ERR_LIMIT;
}

int icxd_iodata_find(xmpp_stanza_t *command, xmpp_stanza_t **out, char *err,
                     size_t errlen)
{
  xmpp_stanza_t *c;
  const char *ns;
  size_t n = 0;

  *out = NULL;
  for (c = xmpp_stanza_get_children(command); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c) || !icxd_is(xmpp_stanza_get_name(c), "iodata"))
      continue;
    ns = xmpp_stanza_get_ns(c);
    if (!icxd_is(ns, ICXD_NS_IODATA)) {
      snprintf(err, errlen, "<iodata> in namespace \"%s\": IO Data is \"%s\"",
               ns ? ns : "", ICXD_NS_IODATA);
      *out = NULL;
      return -1;
    }
    if (++n > 1) {
      snprintf(err, errlen, "the command carries more than one <iodata>: "
               "send one payload per command");
      *out = NULL;
      return -1;
    }
    *out = c;
  }
  return 0;
}

static xmpp_stanza_t *iodata_new(xmpp_ctx_t *ctx, const char *type)
{
  xmpp_stanza_t *io = icxd_elem(ctx, "iodata", ICXD_NS_IODATA);

  if (io && xmpp_stanza_set_type(io, type) != XMPP_EOK) {
    xmpp_stanza_release(io);
    return NULL;
  }
  return io;
}

/* <name> holding the parsed xml, appended to parent.  0 or -1. */
static int iodata_add_wrapped_xml(xmpp_ctx_t *ctx, xmpp_stanza_t *parent,
                                  const char *name, const char *xml)
{
  xmpp_stanza_t *wrap = icxd_elem(ctx, name, NULL);
  xmpp_stanza_t *body;

  if (!wrap)
    return -1;
  body = xmpp_stanza_new_from_string(ctx, xml);
  if (icxd_adopt(wrap, body) != 0) {
    xmpp_stanza_release(wrap);
    return -1;
  }
  return icxd_adopt(parent, wrap);
}

xmpp_stanza_t *icxd_iodata_output(xmpp_ctx_t *ctx, const char *answer_xml)
{
  xmpp_stanza_t *io = iodata_new(ctx, "output");

  if (!io)
    return NULL;
  if (iodata_add_wrapped_xml(ctx, io, "out", answer_xml) != 0) {
    xmpp_stanza_release(io);
    return NULL;
  }
  return io;
}

xmpp_stanza_t *icxd_iodata_output_elem(xmpp_ctx_t *ctx, xmpp_stanza_t *answer)
{
  xmpp_stanza_t *io = iodata_new(ctx, "output");
  xmpp_stanza_t *out = icxd_elem(ctx, "out", NULL);

  if (!io || !out || icxd_adopt(out, answer) != 0) {
    if (!io || !out)
      xmpp_stanza_release(answer);
    if (out)
      xmpp_stanza_release(out);
    if (io)
      xmpp_stanza_release(io);
    return NULL;
  }
  if (icxd_adopt(io, out) != 0) {
    xmpp_stanza_release(io);
    return NULL;
  }
  return io;
}

xmpp_stanza_t *icxd_iodata_error(xmpp_ctx_t *ctx, icx_rc rc,
                                 const char *message)
{
  xmpp_stanza_t *io = iodata_new(ctx, "error");
  xmpp_stanza_t *out = icxd_elem(ctx, "out", NULL);
  xmpp_stanza_t *err;

  if (!io || !out)
    goto fail;
  err = icxd_add_text_child(ctx, out, "error", message);
  if (!err || xmpp_stanza_set_ns(err, ICX_CONSTRAINTS_NS) ||
      xmpp_stanza_set_attribute(err, "code", icxd_rc_code(rc)))
    goto fail;
  if (icxd_adopt(io, out) != 0) {
    out = NULL;
    goto fail;
  }
  return io;
fail:
  if (out)
    xmpp_stanza_release(out);
  if (io)
    xmpp_stanza_release(io);
  return NULL;
}

static xmpp_stanza_t *iodata_schemata(xmpp_ctx_t *ctx, const char *desc,
                                      const char *in, const char *out)
{
  xmpp_stanza_t *io = iodata_new(ctx, "io-schemata-result");

  if (!io)
    return NULL;
  if (!icxd_add_text_child(ctx, io, "desc", desc) ||
      iodata_add_wrapped_xml(ctx, io, "in", in) != 0 ||
      iodata_add_wrapped_xml(ctx, io, "out", out) != 0) {
    xmpp_stanza_release(io);
    return NULL;
  }
  return io;
}

xmpp_stanza_t *icxd_iodata_schemata_of(xmpp_ctx_t *ctx, const char *desc,
                                       const char *in_xsd, const char *out_xsd)
{
  return iodata_schemata(ctx, desc, in_xsd, out_xsd);
}

xmpp_stanza_t *icxd_iodata_schemata(xmpp_ctx_t *ctx)
{
  return iodata_schemata(ctx,
                         "Finds the clouds whose published capabilities "
                         "satisfy every given constraint. Input: a "
                         "<constraints> element; output: a "
                         "<matchingClouds> element.",
                         schema_constraints, schema_matching);
}

xmpp_stanza_t *icxd_iodata_schemata_explain(xmpp_ctx_t *ctx)
{
  return iodata_schemata(ctx,
                         "Explains a match: how many clouds each constraint "
                         "leaves, why each named cloud fails, and what to "
                         "drop when nothing matches. Input: a <constraints> "
                         "element and any number of <cloudName> elements; "
                         "output: an <explanation> element.",
                         schema_explain_input, schema_explanation);
}

/* Reads one <cloudName> (the n-th) into job. */
static icx_rc iodata_explain_cloud(xmpp_ctx_t *ctx, xmpp_stanza_t *c, size_t n,
                                   icxd_job *job, char *err, size_t errlen)
{
  const char *ns = xmpp_stanza_get_ns(c);
  char *text, *start, *end;
  icx_rc rc = ICX_OK;

  if (!ns || strcmp(ns, ICX_CONSTRAINTS_NS) != 0) {
    snprintf(err, errlen, "<cloudName> %zu is in namespace \"%s\", expected "
             "\"%s\"", n, ns ? ns : "", ICX_CONSTRAINTS_NS);
    return ICX_ERR_XML;
  }
  if (icxd_count_children(c) > 0) {
    snprintf(err, errlen, "<cloudName> %zu holds an element; it holds the "
             "name of a cloud only", n);
    return ICX_ERR_XML;
  }
  if (job->n_explain >= ICXD_EXPLAIN_MAX_CLOUDS) {
    snprintf(err, errlen, "more than %d <cloudName> elements: explain at "
             "most %d clouds at once", ICXD_EXPLAIN_MAX_CLOUDS,
             ICXD_EXPLAIN_MAX_CLOUDS);
    return ICX_ERR_LIMIT;
  }
  text = xmpp_stanza_get_text(c);
  start = text ? text + strspn(text, " \t\r\n") : NULL;
  end = start ? start + strlen(start) : NULL;
  while (end && end > start && strchr(" \t\r\n", end[-1]))
    *--end = '\0';
  if (!start || !*start) {
    snprintf(err, errlen, "<cloudName> %zu is empty", n);
    rc = ICX_ERR_XML;
  } else if ((size_t)(end - start) > ICX_CONSTRAINT_MAX_TEXT) {
    snprintf(err, errlen, "the text of <cloudName> %zu is longer than %d "
             "bytes", n, ICX_CONSTRAINT_MAX_TEXT);
    rc = ICX_ERR_LIMIT;
  } else if (icxd_job_add_explain(job, start) != 0) {
    snprintf(err, errlen, "out of memory");
    rc = ICX_ERR_NOMEM;
  }
  if (text)
    xmpp_free(ctx, text);
  return rc;
}

icx_rc icxd_iodata_explain_clouds(xmpp_ctx_t *ctx, xmpp_stanza_t *in,
                                  icxd_job *job, char *err, size_t errlen)
{
  xmpp_stanza_t *c;
  const char *name, *ns;
  size_t n = 0;
  icx_rc rc;

  for (c = xmpp_stanza_get_children(in); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c))
      continue;
    name = xmpp_stanza_get_name(c);
    ns = xmpp_stanza_get_ns(c);
    if (name && strcmp(name, "cloudName") == 0) {
      rc = iodata_explain_cloud(ctx, c, ++n, job, err, errlen);
      if (rc != ICX_OK)
        return rc;
    } else if (name && strcmp(name, "constraints") != 0 && ns &&
               strcmp(ns, ICX_CONSTRAINTS_NS) == 0) {
      snprintf(err, errlen, "unexpected <%s> in <in>: explain_constraints "
               "takes one <constraints> and any number of <cloudName>", name);
      return ICX_ERR_XML;
    }
  }
  return ICX_OK;
}

xmpp_stanza_t *icxd_iodata_status(xmpp_ctx_t *ctx, const char *state,
                                  long elapsed_ms, long ahead)
{
  xmpp_stanza_t *io = iodata_new(ctx, "status");
  xmpp_stanza_t *status = icxd_elem(ctx, "status", NULL);
  char num[32];

  if (!io || !status)
    goto fail;
  if (!icxd_add_text_child(ctx, status, "state", state))
    goto fail;
  snprintf(num, sizeof num, "%ld", elapsed_ms);
  if (!icxd_add_text_child(ctx, status, "elapsed", num))
    goto fail;
  snprintf(num, sizeof num, "%ld", ahead);
  if (!icxd_add_text_child(ctx, status, "queued-before", num))
    goto fail;
  if (icxd_adopt(io, status) != 0) {
    status = NULL;
    goto fail;
  }
  return io;
fail:
  if (status)
    xmpp_stanza_release(status);
  if (io)
    xmpp_stanza_release(io);
  return NULL;
}

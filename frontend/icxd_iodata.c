/* icxd_iodata.c - IO Data (XEP-0244) payloads: output, error, status and
 * the XML Schemas of the constraint command's input and output. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icxd_iodata.h"
#include "icxd_stanza.h"

/* The schemas are written without namespace prefixes on purpose: the
 * stanza layer (libstrophe) keeps each element's namespace but drops
 * prefix declarations, so a QName such as xs:string would arrive unbound.
 * With XML Schema as the default namespace, base='string' stays valid,
 * and every type is anonymous (no QName into the target namespace). */
#define TEXT_1K \
  "<simpleType><restriction base='string'><minLength value='1'/>" \
  "<maxLength value='1024'/></restriction></simpleType>"

/* The input: the paper's <constraints> element.  Names and values are
 * free text here; the vocabulary (not the schema) decides what they may
 * be, and the engine trims surrounding whitespace. */
static const char schema_constraints[] =
  "<schema xmlns='http://www.w3.org/2001/XMLSchema'"
  " targetNamespace='" ICX_CONSTRAINTS_NS "' elementFormDefault='qualified'>"
  "<annotation><documentation>A request for clouds: every constraint"
  " names an attribute of the exchange's vocabulary (by label or alias)"
  " and the value wanted; a cloud matches when it satisfies all of them."
  "</documentation></annotation>"
  "<element name='constraints'><complexType><sequence>"
  "<element name='constraint' minOccurs='1' maxOccurs='256'>"
  "<complexType><sequence>"
  "<element name='attribute'>" TEXT_1K "</element>"
  "<element name='value'>" TEXT_1K "</element>"
  "</sequence></complexType></element>"
  "</sequence></complexType></element>"
  "</schema>";

static const char schema_matching[] =
  "<schema xmlns='http://www.w3.org/2001/XMLSchema'"
  " targetNamespace='" ICX_CONSTRAINTS_NS "' elementFormDefault='qualified'>"
  "<annotation><documentation>The answer: the names of the clouds that"
  " satisfy every constraint, sorted, without duplicates (none when no"
  " cloud matches).</documentation></annotation>"
  "<element name='matchingClouds'><complexType><sequence>"
  "<element name='cloudName' type='string' minOccurs='0'"
  " maxOccurs='unbounded'/>"
  "</sequence></complexType></element>"
  "</schema>";

const char *icxd_schema_constraints(void)
{
  return schema_constraints;
}

const char *icxd_schema_matching(void)
{
  return schema_matching;
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
static int add_wrapped_xml(xmpp_ctx_t *ctx, xmpp_stanza_t *parent,
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
  if (add_wrapped_xml(ctx, io, "out", answer_xml) != 0) {
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

xmpp_stanza_t *icxd_iodata_schemata(xmpp_ctx_t *ctx)
{
  xmpp_stanza_t *io = iodata_new(ctx, "io-schemata-result");

  if (!io)
    return NULL;
  if (!icxd_add_text_child(ctx, io, "desc",
                           "Finds the clouds whose published capabilities "
                           "satisfy every given constraint. Input: a "
                           "<constraints> element; output: a "
                           "<matchingClouds> element.") ||
      add_wrapped_xml(ctx, io, "in", schema_constraints) != 0 ||
      add_wrapped_xml(ctx, io, "out", schema_matching) != 0) {
    xmpp_stanza_release(io);
    return NULL;
  }
  return io;
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

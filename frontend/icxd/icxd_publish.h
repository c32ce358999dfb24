/* icxd_publish.h - the payloads of publish_capabilities and
 * withdraw_capabilities (doc/protocol.md, "Publishing"): reading a
 * request into a writer job, the graph a published document goes to, the
 * answers, and where a sender's document went wrong.
 *
 * A publish carries, in <iodata type='input'><in>, one
 * <capabilities xmlns='http://www.csp/resOntology'> with the document:
 * RDF/XML inline as XML (one element, rdf:RDF), or Turtle, N-Triples or
 * RDF/XML as text, with format='turtle' | 'ntriples' | 'rdfxml'; name=''
 * names the document among its owner's (default "default"); owner='' (an
 * administrator only) publishes for another JID.  A withdrawal carries one
 * <withdraw> with name='' and owner='' the same way, or document='' (the
 * graph's IRI).  Pure functions of the stanza: loop thread, no store.
 */
#ifndef ICXD_PUBLISH_H
#define ICXD_PUBLISH_H

#include <stddef.h>
#include <strophe.h>

#include "icx.h"
#include "icxd_worker.h"

#define ICXD_NODE_PUBLISH "publish_capabilities"
#define ICXD_NODE_PUBLISH_NAME "Publish this cloud's capability document"
#define ICXD_NODE_WITHDRAW "withdraw_capabilities"
#define ICXD_NODE_WITHDRAW_NAME "Withdraw a capability document"

/* The name a document gets when the publisher gives none. */
#define ICXD_DOC_DEFAULT_NAME "default"
/* A document name: 1 to 64 of A-Z a-z 0-9 . _ - */
#define ICXD_DOC_NAME_MAX 64

/* The graph a document named name of owner (a bare JID) goes to:
 * "xmpp:" owner "?icx-capabilities;name=" name, the JID percent-encoded
 * where an IRI needs it.  New string (free()), NULL on ENOMEM. */
char *icxd_publish_doc_uri(const char *owner, const char *name);

/* 1 if name is a valid document name. */
int icxd_publish_name_ok(const char *name);

/* Reads the <in> of a publish sent by actor (a bare JID; admin set when
 * it is an administrator) into job: kind, the document (xml, xml_len),
 * doc_format, doc_name, doc_owner, doc_uri, actor, actor_admin.  A
 * document over max_size bytes is refused.  Returns ICX_OK, or with a
 * message in err: ICX_ERR_XML (the payload is not as above), ICX_ERR_LIMIT
 * (too large), ICX_ERR_INVALID with job->forbidden set (owner names
 * another JID and actor is no administrator), ICX_ERR_NOMEM. */
icx_rc icxd_publish_read(xmpp_ctx_t *ctx, xmpp_stanza_t *in, const char *actor,
                         int admin, size_t max_size, icxd_job *job, char *err,
                         size_t errlen);

/* The same for the <in> of a withdrawal: kind, doc_name, doc_owner (NULL
 * when the request names the graph), doc_uri, actor, actor_admin. */
icx_rc icxd_withdraw_read(xmpp_ctx_t *ctx, xmpp_stanza_t *in, const char *actor,
                          int admin, icxd_job *job, char *err, size_t errlen);

/* Serialises an inline RDF/XML element as RDF/XML text, keeping its text
 * (and so its line ends) as received; attributes in the RDF syntax
 * (about, resource, ID, nodeID, datatype, parseType) and xml:lang,
 * xml:base get their prefixes back (the XMPP library drops attribute
 * prefixes); any other attribute is refused.  *out is a new string
 * (free()).  ICX_OK, ICX_ERR_XML with err set, ICX_ERR_NOMEM. */
icx_rc icxd_publish_rdfxml_text(xmpp_stanza_t *elem, char **out, size_t *len,
                                char *err, size_t errlen);

/* Where a loader message about source names a place in the document:
 * "source:LINE:COLUMN: text" or "source:LINE: text" set *line (and
 * *column; else 0) and return text; otherwise both are 0 and the message
 * (without a leading "source: ") is returned.  Lent (points into msg). */
const char *icxd_publish_locate(const char *msg, const char *source,
                                long *line, long *column);

/* msg with every xmpp: IRI of a document that is not owner's replaced by
 * "another publisher's document", so that no note names another account.
 * New string (free()), NULL on ENOMEM. */
char *icxd_publish_redact(const char *msg, const char *owner);

/* The answers, as XML text for <out> (new strings, NULL on ENOMEM):
 * <published document= name= owner= format= triples=> and <withdrawn
 * document= name= owner= triples=>, each with a <cloudName> per cloud;
 * past ICXD_PUBLISH_MAX_NAMES clouds, the first that many (in the order
 * given) and clouds='N', the whole number, so that the answer stays
 * under a server's stanza limit whatever the document. */
#define ICXD_PUBLISH_MAX_NAMES 100
char *icxd_publish_answer(const char *element, const char *doc_uri,
                          const char *name, const char *owner,
                          const char *format, long triples,
                          char *const *clouds, size_t n_clouds);

/* io-schemata-result for each node.  New stanzas, NULL on ENOMEM. */
xmpp_stanza_t *icxd_publish_schemata(xmpp_ctx_t *ctx);
xmpp_stanza_t *icxd_withdraw_schemata(xmpp_ctx_t *ctx);

/* The XML Schema texts, for tests and docs.  Static. */
const char *icxd_schema_publish_input(void);
const char *icxd_schema_publish_output(void);
const char *icxd_schema_withdraw_input(void);
const char *icxd_schema_withdraw_output(void);

#endif

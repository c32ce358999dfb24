/* icxd_iodata.h - XEP-0244 IO Data payloads of icxd's commands: reading
 * the input, building output, error, status and schemata.
 *
 * Builders return a new <iodata xmlns='urn:xmpp:tmp:io-data'> stanza the
 * caller releases, or NULL when out of memory (or, for output, when the
 * engine's XML does not parse, which would be an engine bug).
 */
#ifndef ICXD_IODATA_H
#define ICXD_IODATA_H

#include <strophe.h>
#include "icx.h"
#include "icxd_worker.h"

/* The IO Data payload of a <command>: *out is set to its one <iodata
 * xmlns='urn:xmpp:tmp:io-data'> child, or to NULL when it has none.
 * Returns 0, or -1 with a message in err when the command carries more
 * than one <iodata> child, or an <iodata> in any other namespace (both are
 * answered bad-payload: nothing is dropped or guessed). */
int icxd_iodata_find(xmpp_stanza_t *command, xmpp_stanza_t **out, char *err,
                     size_t errlen);

/* <iodata type='output'><out>answer_xml</out></iodata>.  answer_xml is the
 * engine's <matchingClouds> or <explanation> element. */
xmpp_stanza_t *icxd_iodata_output(xmpp_ctx_t *ctx, const char *answer_xml);

/* The same with the answer element given as a stanza, which the output
 * adopts (released on failure). */
xmpp_stanza_t *icxd_iodata_output_elem(xmpp_ctx_t *ctx, xmpp_stanza_t *answer);

/* <iodata type='error'><out><error xmlns='http://www.csp/resOntology'
 * code='constraint'>message</error></out></iodata>. */
xmpp_stanza_t *icxd_iodata_error(xmpp_ctx_t *ctx, icx_rc rc,
                                 const char *message);

/* <iodata type='io-schemata-result'> with <desc>, and XML Schemas for the
 * input (<constraints>) in <in> and the output (<matchingClouds>) in
 * <out>. */
xmpp_stanza_t *icxd_iodata_schemata(xmpp_ctx_t *ctx);

/* The same for explain_constraints: <constraints> and <cloudName> in
 * <in>, <explanation> in <out>. */
xmpp_stanza_t *icxd_iodata_schemata_explain(xmpp_ctx_t *ctx);

/* <iodata type='io-schemata-result'> with <desc>desc</desc> and the XML
 * Schema texts in_xsd in <in> and out_xsd in <out>. */
xmpp_stanza_t *icxd_iodata_schemata_of(xmpp_ctx_t *ctx, const char *desc,
                                       const char *in_xsd, const char *out_xsd);

/* Reads the clouds an explain_constraints request names: every
 * <cloudName xmlns='http://www.csp/resOntology'> child of in, its text
 * trimmed, is appended to job (icxd_job_add_explain()).  The <constraints>
 * child and children in other namespaces are left to the engine.  Returns
 * ICX_OK, or with a message in err: ICX_ERR_XML (a <cloudName> in another
 * namespace, empty or holding elements; another element of the
 * constraints namespace), ICX_ERR_LIMIT (more than ICXD_EXPLAIN_MAX_CLOUDS
 * clouds, a name longer than ICX_CONSTRAINT_MAX_TEXT bytes),
 * ICX_ERR_NOMEM. */
icx_rc icxd_iodata_explain_clouds(xmpp_ctx_t *ctx, xmpp_stanza_t *in,
                                  icxd_job *job, char *err, size_t errlen);

/* <iodata type='status'><status><state>running</state>
 * <elapsed>ms</elapsed><queued-before>n</queued-before></status>. */
xmpp_stanza_t *icxd_iodata_status(xmpp_ctx_t *ctx, const char *state,
                                  long elapsed_ms, long ahead);

/* A short stable name for an error code ("xml", "constraint", "limit",
 * "store", ...), used in code='' attributes. */
const char *icxd_rc_code(icx_rc rc);

/* 1 if rc is the requester's fault (bad XML, unknown names, limits). */
int icxd_rc_is_requester_fault(icx_rc rc);

/* The XML Schema texts, for tests and docs.  Static. */
const char *icxd_schema_constraints(void);
const char *icxd_schema_matching(void);
const char *icxd_schema_explain_input(void);
const char *icxd_schema_explanation(void);
const char *icxd_schema_presence_input(void);
const char *icxd_schema_presence_output(void);

#endif

/* icxd_iodata.h - XEP-0244 IO Data payloads of the constraint command:
 * reading the input, building output, error, status and schemata.
 *
 * Builders return a new <iodata xmlns='urn:xmpp:tmp:io-data'> stanza the
 * caller releases, or NULL when out of memory (or, for output, when the
 * engine's XML does not parse, which would be an engine bug).
 */
#ifndef ICXD_IODATA_H
#define ICXD_IODATA_H

#include <strophe.h>
#include "icx.h"

/* <iodata type='output'><out>answer_xml</out></iodata>.  answer_xml is the
 * engine's <matchingClouds> element. */
xmpp_stanza_t *icxd_iodata_output(xmpp_ctx_t *ctx, const char *answer_xml);

/* <iodata type='error'><out><error xmlns='http://www.csp/resOntology'
 * code='constraint'>message</error></out></iodata>. */
xmpp_stanza_t *icxd_iodata_error(xmpp_ctx_t *ctx, icx_rc rc,
                                 const char *message);

/* <iodata type='io-schemata-result'> with <desc>, and XML Schemas for the
 * input (<constraints>) in <in> and the output (<matchingClouds>) in
 * <out>. */
xmpp_stanza_t *icxd_iodata_schemata(xmpp_ctx_t *ctx);

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

#endif

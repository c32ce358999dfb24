/* icxd_fed.h - federation: a match request sent on to peer exchanges over
 * ordinary XMPP, and their answers merged with the local one.
 *
 * A request asks for the federation with scope='federation' on its
 * <constraints> (without it only local clouds answer).  The exchange that
 * takes it runs it locally, as any request, and at the same time sends
 * the same XEP-0050 command (node constraint_catalog_resources, the same
 * IO Data <in>) to each peer of [federation] peers, as any requester
 * would, over the XMPP network (s2s between domains).  The copy it sends
 * carries a <federation xmlns='urn:icx:federation:0' hops='n'
 * budget='ms'> child of <in>, listing in <visited> every exchange already
 * asked (itself, the peers it asks, and those listed before): a peer
 * forwards only to exchanges not listed, and not at all once hops
 * reaches its max_hops, so cyclic peer lists end.  Each peer has
 * peer_timeout (or less, what the asking exchange's budget leaves) to
 * answer; then the answers that came are merged: one ranked
 * <matchingClouds>, each <cloudName> tagged exchange='...' with the
 * exchange that holds it, duplicates dropped, and a warning naming the
 * peers that timed out or failed.  doc/federation.md has the whole
 * picture.
 *
 * A root ([federation] role = root) also keeps a directory of the
 * exchanges that registered with it (the command register_exchange,
 * allowed by [access] federate), in memory: registration is live state,
 * renewed by each exchange every register_interval_s and at each
 * reconnection, so a root that restarts has its directory back within
 * one interval and the store stays the clouds' alone.  The root pings
 * each exchange every ping_interval_s (XEP-0199) and drops one that
 * answers with an error or not within peer_timeout_ms; disco#items on
 * the root lists the directory, and a federated request to the root
 * goes to its peers and to every registered exchange.
 *
 * Requests to peers and a root's pings go out from the instance's own
 * address (icxd_conn_instance(): [xmpp] instance_jid when several
 * instances serve one name), so that their answers come back to it;
 * registrations, answers and <visited> use the shared name.
 *
 * The loop never waits: requests to peers are IQs tracked by id, each
 * fan-out with a deadline checked between two turns
 * (icxd_fed_take_done()).  Loop thread only.
 */
#ifndef ICXD_FED_H
#define ICXD_FED_H

#include <stddef.h>
#include <stdint.h>
#include <strophe.h>

#include "icxd_config.h"
#include "icxd_conn.h"
#include "icxd_log.h"
#include "icxd_worker.h"

/* The namespace of the <federation> element a forwarded request carries. */
#define ICXD_NS_FEDERATION "urn:icx:federation:0"

/* The command a federated explanation runs at the peers. */
#define ICXD_FED_NODE_EXPLAIN "explain_constraints"

/* The command node an exchange registers with at a root. */
#define ICXD_NODE_REGISTER "register_exchange"
#define ICXD_NODE_REGISTER_NAME "Register an exchange with this root"

/* At most this many exchanges in a request's <visited> list. */
#define ICXD_FED_MAX_VISITED 64

/* What a request says of the federation. */
typedef struct icxd_fed_req {
  int federated;       /* scope='federation' on <constraints> */
  unsigned hops;       /* hops travelled (0: straight from a requester) */
  unsigned budget_ms;  /* time the asking exchange gives; 0: not given */
  char **visited;      /* exchanges already asked (C strings, owned) */
  size_t n_visited;
} icxd_fed_req;

/* Reads the scope of the <constraints> child of in (an IO Data <in>) and
 * its <federation> child (ICXD_NS_FEDERATION) into req (cleared first;
 * free with icxd_fed_req_clear()).  Returns 0, or -1 with a message in
 * err naming what is wrong: a scope other than local or federation, hops
 * or budget not a number in range, more than ICXD_FED_MAX_VISITED
 * visited exchanges, an empty or overlong <visited>; or out of memory. */
int icxd_fed_read(xmpp_stanza_t *in, icxd_fed_req *req, char *err,
                  size_t errlen);
void icxd_fed_req_clear(icxd_fed_req *req);

/* 1 if jids a and b name the same bare JID (case-insensitive). */
int icxd_fed_same_exchange(const char *a, const char *b);

/* The <in> to send to peers: a copy of in without its <federation>
 * child and without the requester's <set> (XEP-0059: the page asked for
 * is cut from the merged answer), plus a new <federation> with hops,
 * budget_ms and visited.  NULL on ENOMEM.  The caller releases it. */
xmpp_stanza_t *icxd_fed_forward_in(xmpp_ctx_t *ctx, xmpp_stanza_t *in,
                                   unsigned hops, unsigned budget_ms,
                                   const char *const *visited,
                                   size_t n_visited);

/* One answer to merge: the exchange that gave it (its tag) and its
 * <matchingClouds> as text (<cloudName> elements that already carry
 * exchange='...' keep it). */
typedef struct icxd_fed_part {
  const char *exchange;
  const char *answer_xml;
} icxd_fed_part;

/* Merges the answers into one <matchingClouds> (a new string, free()),
 * ranked as the engine ranks (highest score first, a missing score
 * counting 0, then by name, then by exchange), each <cloudName> tagged
 * exchange='...', a cloud named twice by one exchange kept once; score=
 * and degree= appear when any answer had them.  NULL with err set when
 * an answer does not parse, or out of memory. */
char *icxd_fed_merge(const icxd_fed_part *parts, size_t n,
                     char *err, size_t errlen);

/* Merges explanations (parts[0]: this exchange's) into one <explanation>
 * (a new string, free()): matching, and each constraint's alone and
 * remaining, summed over the exchanges (each counts its own clouds); a
 * named cloud this exchange does not know explained by the first exchange
 * that does, tagged exchange='...' (as is a known one of this exchange);
 * presence this exchange's, and its relaxations only when no exchange
 * has a match; then one <exchange jid=...
 * matching=...> per answer.  At most max_bytes (0: no limit) as
 * icx_explain_to_xml_within() says: past it, clouds lose their <fails>
 * (failures= counts them), relaxations are left out, and the explanation
 * carries cut='true' (as it does when an answer merged was cut).  NULL
 * with err set when an answer is not an <explanation>, or out of
 * memory. */
char *icxd_fed_merge_explain(xmpp_ctx_t *ctx, const icxd_fed_part *parts,
                             size_t n, size_t max_bytes, char *err,
                             size_t errlen);

typedef struct icxd_fed icxd_fed;

/* Federation over c (borrowed) with the settings of cfg (borrowed: read
 * at each request, so a reload applies to the next one).  Registers its
 * handler of IQ answers.  NULL on ENOMEM.  Free with icxd_fed_free(). */
icxd_fed *icxd_fed_new(icxd_conn *c, const icxd_config *cfg,
                       icxd_logger *log);

/* Removes the handler, frees every fan-out and the local answers it
 * holds.  NULL is a no-op. */
void icxd_fed_free(icxd_fed *f);

/* Starts the fan-out of the request in (an IO Data <in>, read into req)
 * whose local answer is job_id, a match or (kind ICXD_JOB_EXPLAIN) an
 * explanation: sends it to every peer not visited,
 * unless req->hops reached max_hops or the budget is spent.  Returns the
 * number of peers asked (0: the answer is local only), or -1 on ENOMEM
 * (nothing sent). */
int icxd_fed_start(icxd_fed *f, uint64_t job_id, icxd_job_kind kind,
                   xmpp_stanza_t *in, const icxd_fed_req *req);

/* 1 if job_id has a fan-out that still waits for its local answer. */
int icxd_fed_pending(const icxd_fed *f, uint64_t job_id);

/* Hands the finished local answer of a pending fan-out to it (the
 * fan-out owns job until icxd_fed_take_done() gives it back). */
void icxd_fed_park(icxd_fed *f, icxd_job *job);

/* Fails the peers whose time is up, then returns the local answer of a
 * finished fan-out (now the caller's) with the merged answer in
 * answer_xml and, when peers are missing, the warning in warn; NULL when
 * none is finished.  A failed local answer comes back untouched. */
icxd_job *icxd_fed_take_done(icxd_fed *f, int64_t now_ms);

/* Fan-outs in progress (for tests and the log). */
size_t icxd_fed_count(const icxd_fed *f);

/* The root's directory: registers jid (the sender of a register_exchange)
 * at now_ms.  1 when new, 0 when renewed, -1 on ENOMEM or when the
 * directory holds ICXD_FED_MAX_MEMBERS exchanges already. */
#define ICXD_FED_MAX_MEMBERS 1024
int icxd_fed_register(icxd_fed *f, const char *jid, int64_t now_ms);

/* Registered exchanges, and the i-th (in registration order; lent). */
size_t icxd_fed_member_count(const icxd_fed *f);
const char *icxd_fed_member(const icxd_fed *f, size_t i);

/* The disco#items callback (icxd_disco_spec.items; ud: the icxd_fed):
 * an <item jid=... name='registered exchange'/> per registered exchange.
 * 0, or -1 on ENOMEM. */
int icxd_fed_disco_items(void *ud, xmpp_ctx_t *ctx, xmpp_stanza_t *query);

/* Between two turns, at now_ms: an exchange registers with its roots (at
 * each new connection, then every register_interval_s); a root pings its
 * exchanges every ping_interval_s and drops those that did not answer
 * within peer_timeout_ms. */
void icxd_fed_tick(icxd_fed *f, int64_t now_ms);

#endif

/* icxd_fed_internal.h - what the files of the federation module share:
 * the fan-outs of icxd_fed.c and the root's directory of icxd_fed_root.c.
 * Loop thread only.
 */
#ifndef ICXD_FED_INTERNAL_H
#define ICXD_FED_INTERNAL_H

#include <stdint.h>
#include <strophe.h>

#include "icxd_fed.h"

/* The command a fan-out runs at the peers (icxd_command_internal.h's
 * ICXD_NODE: this module stays below the command module), and the one an
 * exchange registers with at a root. */
#define FED_NODE "constraint_catalog_resources"
#define FED_NODE_REGISTER ICXD_NODE_REGISTER
/* The longest JID a request's <visited> may name. */
#define FED_MAX_JID 1023

typedef enum fed_state {
  FED_WAITING = 0,
  FED_ANSWERED = 1,
  FED_FAILED = 2
} fed_state;

typedef struct fed_peer {
  char *jid;
  char id[48];          /* the IQ's id */
  fed_state state;
  char *answer_xml;     /* ANSWERED: its <matchingClouds> */
  char *why;            /* FAILED: why; ANSWERED: its own warning, if any */
} fed_peer;

typedef struct fed_fanout {
  uint64_t job_id;
  icxd_job *job;        /* the local answer, once parked */
  int64_t started_ms;
  int64_t deadline_ms;
  fed_peer *peers;
  size_t n_peers;
  size_t waiting;
  int explain;          /* an explanation: explain_constraints at peers */
  struct fed_fanout *next;
} fed_fanout;

/* An exchange registered with this root. */
typedef struct fed_member {
  char *jid;
  int64_t since_ms;     /* registered first */
  int64_t seen_ms;      /* registered or answered a ping last */
  char ping_id[48];     /* the ping in flight, or "" */
  int64_t ping_ms;      /* when it was sent */
  struct fed_member *next;
} fed_member;

struct icxd_fed {
  icxd_conn *conn;          /* borrowed */
  xmpp_ctx_t *xctx;         /* borrowed: the connection's */
  const icxd_config *cfg;   /* borrowed */
  icxd_logger *log;         /* borrowed */
  fed_fanout *head;
  fed_member *members;      /* the root's directory, in registration order */
  size_t n_members;
  int64_t next_register_ms; /* when registrations are renewed */
  unsigned generation;      /* of the connection they were sent on */
  char self_ping_id[48];    /* the ping to [xmpp] instance_jid, or "" */
  int64_t self_ping_ms;     /* when it was sent */
  unsigned self_generation; /* of the connection it was sent on */
};

/* An answer (IQ result or error) to a ping or registration this module
 * sent (the root's pings, registrations, the ping an instance sends its
 * own instance_jid): handled and 1, or 0 when its id is not one of
 * those. */
int icxd_fed_root_answer(icxd_fed *f, xmpp_stanza_t *iq);

/* Frees the directory. */
void icxd_fed_root_free(icxd_fed *f);


#endif

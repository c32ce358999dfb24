/* icxd_answer.h - building the answers of the constraint command.
 *
 * Builders return new stanzas the caller releases (or hands to icxd_send),
 * or NULL when out of memory.  Loop thread only.
 */
#ifndef ICXD_ANSWER_H
#define ICXD_ANSWER_H

#include <strophe.h>

#include "icxd_service_internal.h"

/* <command xmlns=commands node=node sessionid=sid status=status>;
 * sid may be NULL. */
xmpp_stanza_t *icxd_command_new(icxd_service *svc, const char *node,
                                const char *sid, const char *status);

/* Appends <note type=type>text</note> to cmd.  0, or -1 on ENOMEM. */
int icxd_command_note(icxd_service *svc, xmpp_stanza_t *cmd, const char *type,
                      const char *text);

/* Sends an IQ result carrying cmd (consumed; NULL answers
 * resource-constraint) in answer to iq. */
void icxd_reply_command(icxd_service *svc, xmpp_stanza_t *iq,
                        xmpp_stanza_t *cmd);

/* A stanza (iq or message) of the given type from the session's address to
 * its owner, with id (NULL or "" for none). */
xmpp_stanza_t *icxd_session_stanza(icxd_service *svc, icxd_session *s,
                                   const char *name, const char *type,
                                   const char *id);

/* An IQ error for the IQ s still owes: <error type=etype><condition/>
 * <text>text</text></error> (text may be NULL). */
xmpp_stanza_t *icxd_owed_error(icxd_service *svc, icxd_session *s,
                               const char *etype, const char *condition,
                               const char *text);

/* The completed <command> of a finished session (s->job is done): IO Data
 * output or a result form, or a note of type error (plus iodata type
 * error for IO Data sessions). */
xmpp_stanza_t *icxd_completed_command(icxd_service *svc, icxd_session *s);

/* <command status='executing'> with an optional info note and the
 * session's <iodata type='status'>. */
xmpp_stanza_t *icxd_status_command(icxd_service *svc, icxd_session *s,
                                   const char *note);

#endif

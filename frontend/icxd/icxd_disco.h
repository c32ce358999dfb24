/* icxd_disco.h - service discovery (XEP-0030) of the service, of its
 * command list (the XEP-0050 node) and of each command node.
 *
 * What disco shows comes from the caller (icxd_disco_spec): this module
 * names no command.  Loop thread only.
 */
#ifndef ICXD_DISCO_H
#define ICXD_DISCO_H

#include <stddef.h>

#include <strophe.h>

#include "icxd_dispatch.h"

/* A command as disco shows it. */
typedef struct icxd_disco_command {
  const char *node;               /* its node */
  const char *name;               /* its human-readable name */
  const char *const *features;    /* its features, NULL-ended */
} icxd_disco_command;

/* What disco#info and disco#items answer.  Every string and array is
 * borrowed and must outlive the registration (static data, usually). */
typedef struct icxd_disco_spec {
  const char *category, *type, *name;  /* the service's identity */
  const char *const *features;         /* the service's features, NULL-ended */
  const char *commands_name;           /* name of the command-list identity */
  const icxd_disco_command *commands;  /* in the order disco#items lists them */
  size_t n_commands;
  /* Optional: appends the <item/>s of disco#items on the service itself
   * (no node) to query; 0, or -1 on ENOMEM.  NULL: no items. */
  int (*items)(void *ud, xmpp_ctx_t *ctx, xmpp_stanza_t *query);
  void *items_ud;
} icxd_disco_spec;

typedef struct icxd_disco icxd_disco;

/* Registers disco#info and disco#items handlers on d answering from spec
 * (copied; what it points to is borrowed).  NULL on ENOMEM.  Free with
 * icxd_disco_free() after the dispatch's last turn. */
icxd_disco *icxd_disco_new(icxd_dispatch *d, const icxd_disco_spec *spec);

/* NULL is a no-op. */
void icxd_disco_free(icxd_disco *disco);

#endif

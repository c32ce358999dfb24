/* icxd_form.h - XEP-0004 data forms for people: the request form is
 * generated from the vocabulary (one field per attribute), a submitted
 * form becomes (name, value) pairs, and the answer is a result form.
 * No attribute is named in C: everything comes from the icx_vocab.
 */
#ifndef ICXD_FORM_H
#define ICXD_FORM_H

#include <stddef.h>
#include <strophe.h>

#include "icx.h"
#include "icxd_worker.h"

/* Submitted forms may carry at most this many fields. */
#define ICXD_FORM_MAX_FIELDS 512

/* The request form: <x xmlns='jabber:x:data' type='form'>.  New stanza,
 * caller releases; NULL on ENOMEM. */
xmpp_stanza_t *icxd_form_request(xmpp_ctx_t *ctx, const icx_vocab *vocab);

/* Copies the non-empty fields of a submitted form (type='submit') into
 * job as (var, value) pairs, one pair per value.  Returns 0, or -1 with a
 * message in err (too many fields, a field without var). */
int icxd_form_collect(xmpp_ctx_t *ctx, xmpp_stanza_t *x, icxd_job *job,
                      char *err, size_t errlen);

/* The answer: <x type='result'> titled with the number of the n clouds,
 * and a table of the first of them: at most max_items, their <item>s at
 * most max_bytes as written (at least one when n > 0), so that the form
 * stays under a server's stanza limit as a page of IO Data does (a form
 * has no XEP-0059 paging).  *listed: how many the table holds.  NULL on
 * ENOMEM. */
xmpp_stanza_t *icxd_form_result(xmpp_ctx_t *ctx, char *const *clouds,
                                size_t n, size_t max_items, size_t max_bytes,
                                size_t *listed);

#endif

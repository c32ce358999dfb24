/* icx_store_subs.h - standing requests kept in the store (internal).
 *
 * A standing request (a subscription) is a requester's constraint set kept
 * with the answer it last gave, so that a change to the store can be told
 * to the requester as the clouds that entered and left that answer.  The
 * store keeps them in a table of their own, `subscriptions`, beside the
 * capability data but outside every graph: they are no RDF, no query
 * reads them, and `icx list` does not show them.  The table is made by the
 * first write (a store without one has no subscriptions), so stores made
 * before it keep their format version.
 *
 *   subscriptions (id, jid, request, options, answer, created)
 *     id       >= 1, never used twice in a file (AUTOINCREMENT)
 *     jid      the subscriber's bare JID
 *     request  the constraint set as the subscriber sent it (XML text):
 *              the canonical form, compiled again at each start against
 *              the vocabulary of the day
 *     options  what the front end adds to it (icxd: the presence asked
 *              for), opaque here; '' when none
 *     answer   the names of the clouds of the last answer, sorted, one
 *              per line ('' when none), as stores written before the
 *              table below kept it; '' once the rows hold the answer
 *     created  UTC xsd:dateTime
 *
 *   subscription_version (one, n)
 *     one row (one = 1): the version below, n; made with the table, or
 *     by the first change of a table made before it, with the triggers
 *     subscriptions_added, _removed and _rewritten that move it
 *
 *   subscription_clouds (sub, cloud)
 *     one row per cloud of subscription sub's last answer: a change
 *     writes the clouds that entered and left it, never a whole answer.
 *     When the rows of a subscription exist they are its answer; a
 *     subscription with none has the text above.  Made by the first
 *     write of an answer, so older stores open as they are.  A front end
 *     may keep one answer for several subscriptions that ask the same
 *     (icxd keeps it under the first of them): it says so itself.
 *
 * Writers are the store's ordinary writers (icxd's writer thread); each
 * call is one statement, its own transaction.  Strings handed out are on
 * the store's context's allocator (icx_free() them on that context, or
 * use the free functions here).  Statements are the handle's kept ones,
 * and a table once seen is remembered on the handle (icx_store_internal.h).
 * Errors: ICX_ERR_MISUSE, ICX_ERR_NOMEM, ICX_ERR_STORE (with
 * SQLite's message on the store's context; also a write on a store opened
 * read-only), ICX_ERR_NOT_FOUND where said.
 */
#ifndef ICX_STORE_SUBS_H
#define ICX_STORE_SUBS_H

#include <stddef.h>

#include "icx_store.h"

typedef struct icx_sub_row {
  long long id;
  char *jid;
  char *request;
  char *options;
  char *answer;
  char *created;
  int answer_rows;   /* 1: answer came from the rows; 0: from the text */
} icx_sub_row;

/* Adds a subscription; *id gets its id.  jid, request, options (NULL:
 * '') and answer (NULL: '') are copied. */
icx_rc icx_store_subs_add(icx_store *store, const char *jid, const char *request,
                          const char *options, const char *answer, long long *id);

/* Replaces the answer kept for subscription id (names one per line; NULL:
 * none): its rows become exactly those, its text ''.  ICX_ERR_NOT_FOUND
 * when there is no such subscription. */
icx_rc icx_store_subs_set_answer(icx_store *store, long long id, const char *answer);

/* Edits the answer rows of subscription id: the n_del names of del leave
 * it, the n_add names of add enter it (the ones it has already, or lacks,
 * are no error).  The subscription's existence is not checked: the
 * caller holds it. */
icx_rc icx_store_subs_answer_edit(icx_store *store, long long id, const char *const *add,
                                  size_t n_add, const char *const *del, size_t n_del);

/* Moves the answer rows of subscription from to subscription to (whose
 * own rows and text are dropped first): to keeps the answer when from is
 * removed. */
icx_rc icx_store_subs_answer_move(icx_store *store, long long from, long long to);

/* Removes subscription id when it belongs to jid (NULL: to anyone), with
 * its answer's rows.
 * ICX_ERR_NOT_FOUND when there is no such subscription of jid. */
icx_rc icx_store_subs_remove(icx_store *store, long long id, const char *jid);

/* Removes every subscription of jid with their answers' rows; *removed
 * (may be NULL) gets how many. */
icx_rc icx_store_subs_remove_jid(icx_store *store, const char *jid, size_t *removed);

/* The subscriptions of jid (NULL: all), by id: *rows is a new array of *n
 * rows (NULL and 0 when none), freed with icx_store_subs_free_rows() on
 * the same store (or one of the same context). */
icx_rc icx_store_subs_list(icx_store *store, const char *jid, icx_sub_row **rows, size_t *n);
void icx_store_subs_free_rows(icx_store *store, icx_sub_row *rows, size_t n);

/* Groups the writes that follow (answers kept after one change) into one
 * transaction, so that they cost one commit: icx_store_subs_begin(), the
 * writes, then icx_store_subs_end() with commit 1 (or 0: roll back). */
icx_rc icx_store_subs_begin(icx_store *store);
icx_rc icx_store_subs_end(icx_store *store, int commit);

/* The subscriptions' version, which tells another process's changes of
 * the table: *version moves with every subscription added, removed or
 * rewritten, by any program (triggers bump it in the statement that
 * makes the change), and by exactly one for each; answers kept do not
 * move it.  It starts at a random value >= 1 when the table is made, so
 * that a store put in the place of another reads as changed.  0 without
 * a table.  A table made before the version (an older icx) reads as a
 * negative number folded from the count and sum of its ids, until its
 * first change here makes the version. */
icx_rc icx_store_subs_version(icx_store *store, long long *version);

/* Which of the n names are in the answer kept for subscription id (its
 * rows, else its text): has[i] gets 1 or 0.  Read inside the caller's
 * transaction (icx_store_subs_begin()), this is the answer every other
 * process sees, so that of two processes evaluating one change the
 * first writes and tells it, the second finds nothing left to tell. */
icx_rc icx_store_subs_answer_has(icx_store *store, long long id, const char *const *names,
                                 size_t n, int *has);

/* The answer kept for subscription id, names one per line ('' when
 * none), into *answer (icx_free() on the store's context).  ICX_ERR_NOT_FOUND: no such
 * subscription. */
icx_rc icx_store_subs_answer(icx_store *store, long long id, char **answer);

/* How many subscriptions jid (NULL: anyone) has. */
icx_rc icx_store_subs_count(icx_store *store, const char *jid, size_t *n);

#endif

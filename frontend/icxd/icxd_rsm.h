/* icxd_rsm.h - Result Set Management (XEP-0059) on icxd's answers: the
 * <set> of a request read, a page of <matchingClouds> cut in ranked
 * order, and the <set> that says where the page lies (first with its
 * index, last, and always the total count).
 *
 * Without a <set>, and whatever max a requester asks for, a page holds at
 * most max_items clouds and max_bytes bytes of <cloudName> elements, so
 * that an answer stays under a server's stanza size limit; list_presence's
 * <publisher> elements are paged the same way.
 */
#ifndef ICXD_RSM_H
#define ICXD_RSM_H

#include <stddef.h>
#include <strophe.h>

#include "icx_util.h"

#define ICXD_NS_RSM "http://jabber.org/protocol/rsm"

/* What a request's <set> asks for. */
typedef struct icxd_rsm_req {
  int present;      /* a <set> came with the request */
  long max;         /* <max>, or -1 */
  long index;       /* <index>, or -1 */
  char *after;      /* <after>: the page starts after this item, or NULL */
  char *before;     /* <before>: ends before this item; "" (an empty
                     * <before/>) asks for the last page; NULL: not given */
} icxd_rsm_req;

/* Frees the strings of req (not req itself) and clears it. */
void icxd_rsm_req_clear(icxd_rsm_req *req);

/* Reads the <set xmlns='http://jabber.org/protocol/rsm'> child of parent
 * into req, which is overwritten, not freed (req->present 0 when there is
 * none; on success the caller clears it with icxd_rsm_req_clear()).  Returns 0,
 * or -1 with a message in err for a <set> the requester got wrong: two of
 * them, <max> or <index> not a number from 0, <after> with <before>,
 * <index> with <after> or <before>.  Out of memory: -1, "out of memory". */
int icxd_rsm_parse(xmpp_stanza_t *parent, icxd_rsm_req *req, char *err,
                   size_t errlen);

/* Cuts a page out of n items (in their order) of the given sizes: sets
 * *first and *count.  The page follows req (or starts at item 0) and
 * holds at most min(req->max, max_items) items whose sizes add up to at
 * most max_bytes (but at least one item when any is asked for).  Returns
 * 0, or -1 with err set when req->after or req->before names no item
 * (item-not-found). */
int icxd_rsm_page(const icxd_rsm_req *req, const char *const *items,
                  const size_t *sizes, size_t n, size_t max_items,
                  size_t max_bytes, size_t *first, size_t *count, char *err,
                  size_t errlen);
/* As icxd_rsm_page(), with item i's size given by size_of(ud, i), asked
 * only for the items the page may hold: a page of a long answer whose
 * sizes are not at hand costs the page, not the answer. */
int icxd_rsm_page_sized(const icxd_rsm_req *req, const char *const *items,
                        size_t (*size_of)(void *ud, size_t i), void *ud,
                        size_t n, size_t max_items, size_t max_bytes,
                        size_t *first, size_t *count, char *err, size_t errlen);

/* The bytes icxd_rsm_page_answer() counts for an item <child>text</child>
 * without attributes: its tags, and its text with each escape counted as
 * 6 bytes (the longest). */
size_t icxd_rsm_item_size(const char *child, const char *text);

/* The bytes an attribute name='value' adds to an item's size: its name,
 * a space, '=', two quotes and its value with each escape counted as 6
 * bytes (icxd_rsm_item_size()'s rule). */
size_t icxd_rsm_attr_size(const char *name, const char *value);

/* The bytes that item sizes count for one character c of a text: 6 for
 * one written as an escape, else 1 (the rule of icxd_rsm_item_size(), for
 * a text read one character at a time).  Inline, with no search of a
 * string: called for every byte of an answer, a call to strchr() each
 * was a seventh of icxd's time paging through 280,000 clouds. */
static inline size_t icxd_rsm_char_size(char c)
{
  switch (c) {
  case '&': case '<': case '>': case '\'': case '"':
    return 6;
  default:
    return 1;
  }
}

/* Appends to b, as text, the <set> of a page of total items that starts
 * at item first: <first index='first'>first_key</first><last>last_key
 * </last> when the page holds any (first_key not NULL), and <count>. */
void icxd_rsm_set_append(icx_buf *b, const char *first_key, size_t first,
                         const char *last_key, size_t total);

/* A new element named as list, with list's attributes, holding the page
 * of list's children named child (copied whole) and the <set> that
 * describes it; the page's items are named by their attribute key, or by
 * their text when key is NULL (after= and before= name them).  NULL with
 * err set when the page cannot be cut (-1 of icxd_rsm_page()), or "out of
 * memory". */
xmpp_stanza_t *icxd_rsm_page_of(xmpp_ctx_t *ctx, xmpp_stanza_t *list,
                                const char *child, const char *key,
                                const icxd_rsm_req *req, size_t max_items,
                                size_t max_bytes, char *err, size_t errlen);

/* The page req asks for of an answer given as XML text (a job's
 * answer_xml): when its top element is named list (<matchingClouds>),
 * its <cloudName> children are cut to the page and a <set> says where it
 * lies, as icxd_rsm_page_of() does; else each child of the top named list
 * (<subscribed>'s <matchingClouds>, <subscriptions>' <subscription>) is
 * cut so, max_items and max_bytes shared evenly among them, and other
 * children are kept.  Attributes and namespaces are kept.  A new stanza;
 * NULL with err set when the page cannot be cut (-1 of icxd_rsm_page()),
 * or "out of memory".
 *
 * The text is read with libxml2, whose tree takes a child in constant
 * time: libstrophe's (xmpp_stanza_new_from_string()) walks a child's
 * siblings to append it, which made a whole answer of 20,000 clouds cost
 * the loop thread seconds; only the page is made a stanza. */
xmpp_stanza_t *icxd_rsm_page_answer(xmpp_ctx_t *ctx, const char *xml,
                                    const char *list, const icxd_rsm_req *req,
                                    size_t max_items, size_t max_bytes,
                                    char *err, size_t errlen);

#endif

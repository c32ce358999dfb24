/* icxd_rsm_index.h - where the items of a list answer lie in its text,
 * found once, so that every page of it is cut without reading it again.
 *
 * icxd_rsm_page_answer() (icxd_rsm.h) reads a whole answer into a tree
 * to cut one page of it: for a broad request at a million clouds, some
 * 280,000 <cloudName> elements, that cost the XMPP loop thread 0.6 to
 * 3.3 s a page, while every other account waited.  An answer that icxd
 * wrote itself has a plain shape, a list element holding nothing but its
 * items, back to back, each a text element:
 *
 *   <matchingClouds xmlns='...'><cloudName score='2'>a</cloudName>...
 *   </matchingClouds>
 *
 * or the same inside one other element, as its only child (a
 * subscription's answer: <subscribed><matchingClouds>...).
 *
 * An index of such a text holds each item's place, its key (its text,
 * unescaped) and its size as icxd_rsm_page() counts it (the same rule as
 * the tree's, so a page holds the same items either way); a page is then
 * the start tags, the page's items copied as they are, a <set> and the
 * end tags, made a stanza.  A text of any other shape is not
 * indexed (the tree cuts it as before).
 */
#ifndef ICXD_RSM_INDEX_H
#define ICXD_RSM_INDEX_H

#include <stddef.h>
#include <strophe.h>

#include "icxd_rsm.h"

typedef struct icxd_rsm_index icxd_rsm_index;

/* The index of xml, a <list> element of <child> items (none or more),
 * alone or inside one other element, each named by its attribute key,
 * or by its text when key is NULL (after= and before= name them); NULL
 * when the text is not of the shape above, or out of memory.
 * The index keeps no pointer into xml, but is only good for that text. */
icxd_rsm_index *icxd_rsm_index_new(const char *xml, const char *list,
                                   const char *child, const char *key);

void icxd_rsm_index_free(icxd_rsm_index *ix);

/* How many items ix holds. */
size_t icxd_rsm_index_count(const icxd_rsm_index *ix);

/* The page req asks for of xml (the text ix was made of), as
 * icxd_rsm_page_answer() gives it: a new stanza, or NULL with err set
 * when the page cannot be cut (after or before naming no item), or "out
 * of memory".  Costs the page's items, and a search of the keys for
 * after= or before=. */
xmpp_stanza_t *icxd_rsm_page_indexed(xmpp_ctx_t *ctx, const char *xml,
                                     const icxd_rsm_index *ix,
                                     const icxd_rsm_req *req, size_t max_items,
                                     size_t max_bytes, char *err,
                                     size_t errlen);

#endif

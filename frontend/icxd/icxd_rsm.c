/* icxd_rsm.c - Result Set Management (XEP-0059) on icxd's answers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "icxd_rsm.h"
#include "icxd_stanza.h"

void icxd_rsm_req_clear(icxd_rsm_req *req)
{
  free(req->after);
  free(req->before);
  memset(req, 0, sizeof *req);
  req->max = -1;
  req->index = -1;
}

/* A number from 0 (up to 9 digits) in the text of el.  0 or -1. */
static int rsm_number(xmpp_ctx_t *ctx, xmpp_stanza_t *el, long *out)
{
  char *text = xmpp_stanza_get_text(el), *end;
  long v;
  int rc = -1;

  if (text) {
    errno = 0;
    v = strtol(text, &end, 10);
    if (*text >= '0' && *text <= '9' && !*end && !errno && v < 1000000000L) {
      *out = v;
      rc = 0;
    }
    xmpp_free(ctx, text);
  }
  return rc;
}

/* A copy of the text of el ("" when it has none).  NULL on ENOMEM. */
static char *rsm_text(xmpp_ctx_t *ctx, xmpp_stanza_t *el)
{
  char *text = xmpp_stanza_get_text(el), *copy;

  copy = strdup(text ? text : "");
  if (text)
    xmpp_free(ctx, text);
  return copy;
}

int icxd_rsm_parse(xmpp_stanza_t *parent, icxd_rsm_req *req, char *err,
                   size_t errlen)
{
  xmpp_stanza_t *c, *set = NULL;
  xmpp_ctx_t *ctx = xmpp_stanza_get_context(parent);
  const char *name;

  memset(req, 0, sizeof *req);   /* not freed: it may be uninitialised */
  req->max = -1;
  req->index = -1;
  for (c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c) || !icxd_is(xmpp_stanza_get_name(c), "set") ||
        !icxd_is(xmpp_stanza_get_ns(c), ICXD_NS_RSM))
      continue;
    if (set) {
      snprintf(err, errlen, "more than one <set> (XEP-0059) in the request");
      return -1;
    }
    set = c;
  }
  if (!set)
    return 0;
  req->present = 1;
  for (c = xmpp_stanza_get_children(set); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c))
      continue;
    name = xmpp_stanza_get_name(c);
    if (icxd_is(name, "max") || icxd_is(name, "index")) {
      if (rsm_number(ctx, c, icxd_is(name, "max") ? &req->max
                                                  : &req->index) != 0) {
        snprintf(err, errlen, "<%s> of <set> must be a number from 0", name);
        goto fail;
      }
    } else if (icxd_is(name, "after") || icxd_is(name, "before")) {
      char **slot = icxd_is(name, "after") ? &req->after : &req->before;

      free(*slot);
      *slot = rsm_text(ctx, c);
      if (!*slot) {
        snprintf(err, errlen, "out of memory");
        goto fail;
      }
    }
  }
  if (req->after && !*req->after) {
    snprintf(err, errlen, "<after> of <set> is empty: it names the last item "
             "of the page before");
    goto fail;
  }
  if (req->after && req->before) {
    snprintf(err, errlen, "<set> has both <after> and <before>");
    goto fail;
  }
  if (req->index >= 0 && (req->after || req->before)) {
    snprintf(err, errlen, "<set> has <index> with <after> or <before>");
    goto fail;
  }
  return 0;
fail:
  icxd_rsm_req_clear(req);
  return -1;
}

/* The position of name in items, or n. */
static size_t rsm_find(const char *const *items, size_t n, const char *name)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp(items[i], name) == 0)
      return i;
  return n;
}

int icxd_rsm_page_sized(const icxd_rsm_req *req, const char *const *items,
                        size_t (*size_of)(void *ud, size_t i), void *ud,
                        size_t n, size_t max_items, size_t max_bytes,
                        size_t *first, size_t *count, char *err, size_t errlen)
{
  size_t limit = max_items, start = 0, end = n, bytes = 0, k = 0, at, size;
  int backwards = 0;

  if (req && req->max >= 0 && (size_t)req->max < limit)
    limit = (size_t)req->max;
  if (req && req->after) {
    at = rsm_find(items, n, req->after);
    if (at == n) {
      snprintf(err, errlen, "no cloud named '%s' in the answer (<after>)",
               req->after);
      return -1;
    }
    start = at + 1;
  } else if (req && req->before) {
    backwards = 1;
    if (*req->before) {
      end = rsm_find(items, n, req->before);
      if (end == n) {
        snprintf(err, errlen, "no cloud named '%s' in the answer (<before>)",
                 req->before);
        return -1;
      }
    }
  } else if (req && req->index >= 0) {
    start = (size_t)req->index < n ? (size_t)req->index : n;
  }
  /* At least one item when any is asked for, then while they fit. */
  if (!backwards) {
    for (; start + k < n && k < limit; k++) {
      size = size_of(ud, start + k);
      if (k > 0 && bytes + size > max_bytes)
        break;
      bytes += size;
    }
    *first = start;
  } else {
    for (; k < end && k < limit; k++) {
      size = size_of(ud, end - 1 - k);
      if (k > 0 && bytes + size > max_bytes)
        break;
      bytes += size;
    }
    *first = end - k;
  }
  *count = k;
  return 0;
}

static size_t rsm_size_at(void *ud, size_t i)
{
  return ((const size_t *)ud)[i];
}

int icxd_rsm_page(const icxd_rsm_req *req, const char *const *items,
                  const size_t *sizes, size_t n, size_t max_items,
                  size_t max_bytes, size_t *first, size_t *count, char *err,
                  size_t errlen)
{
  return icxd_rsm_page_sized(req, items, rsm_size_at, (void *)sizes, n,
                             max_items, max_bytes, first, count, err, errlen);
}

/* Appends <name>text</name> to parent, with attribute index=idx when idx
 * is not NULL.  0 or -1. */
static int rsm_add(xmpp_ctx_t *ctx, xmpp_stanza_t *parent, const char *name,
                   const char *text, const char *idx)
{
  xmpp_stanza_t *el = icxd_add_text_child(ctx, parent, name, text);

  return el && (!idx || !xmpp_stanza_set_attribute(el, "index", idx)) ? 0
                                                                       : -1;
}

/* Every attribute of from (its xmlns too) set on to.  0, or -1 when out
 * of memory. */
static int rsm_copy_attributes(xmpp_stanza_t *from, xmpp_stanza_t *to)
{
  int n = xmpp_stanza_get_attribute_count(from), got, i;
  const char **pairs;

  if (n <= 0)
    return 0;
  if (!(pairs = calloc((size_t)n * 2, sizeof *pairs)))
    return -1;
  got = xmpp_stanza_get_attributes(from, pairs, n * 2);
  for (i = 0; i + 1 < got; i += 2)
    if (xmpp_stanza_set_attribute(to, pairs[i], pairs[i + 1]) != XMPP_EOK) {
      free(pairs);
      return -1;
    }
  free(pairs);
  return 0;
}

xmpp_stanza_t *icxd_rsm_page_of(xmpp_ctx_t *ctx, xmpp_stanza_t *list,
                                const char *child, const char *key,
                                const icxd_rsm_req *req, size_t max_items,
                                size_t max_bytes, char *err, size_t errlen)
{
  xmpp_stanza_t *c, **els = NULL, *out = NULL, *set = NULL;
  char **names = NULL, *text, num[32];
  const char *attr;
  size_t *sizes = NULL, n = 0, cap = 0, first = 0, count = 0, i, len;
  int ok = 0;

  for (c = xmpp_stanza_get_children(list); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && icxd_is(xmpp_stanza_get_name(c), child))
      cap++;
  els = calloc(cap ? cap : 1, sizeof *els);
  names = calloc(cap ? cap : 1, sizeof *names);
  sizes = calloc(cap ? cap : 1, sizeof *sizes);
  if (!els || !names || !sizes)
    goto nomem;
  for (c = xmpp_stanza_get_children(list); c; c = xmpp_stanza_get_next(c)) {
    if (!xmpp_stanza_is_tag(c) || !icxd_is(xmpp_stanza_get_name(c), child))
      continue;
    if (key) {
      attr = xmpp_stanza_get_attribute(c, key);
      names[n] = strdup(attr ? attr : "");
    } else {
      text = xmpp_stanza_get_text(c);
      names[n] = strdup(text ? text : "");
      if (text)
        xmpp_free(ctx, text);
    }
    if (!names[n])
      goto nomem;
    if (xmpp_stanza_to_text(c, &text, &len) != XMPP_EOK)
      goto nomem;
    xmpp_free(ctx, text);
    sizes[n] = len;
    els[n++] = c;
  }
  if (icxd_rsm_page(req, (const char *const *)names, sizes, n, max_items,
                    max_bytes, &first, &count, err, errlen) != 0)
    goto cleanup;
  /* The list's own attributes go with every page (presenceList's
   * followed= and max=); <matchingClouds> has none. */
  out = xmpp_stanza_new(ctx);
  set = icxd_elem(ctx, "set", ICXD_NS_RSM);
  if (!out || !set || xmpp_stanza_set_name(out, xmpp_stanza_get_name(list)))
    goto nomem;
  if (rsm_copy_attributes(list, out) != 0)
    goto nomem;
  for (i = first; i < first + count; i++)
    if (icxd_adopt(out, xmpp_stanza_copy(els[i])) != 0)
      goto nomem;
  snprintf(num, sizeof num, "%zu", first);
  if (count && (rsm_add(ctx, set, "first", names[first], num) != 0 ||
                rsm_add(ctx, set, "last", names[first + count - 1], NULL)))
    goto nomem;
  snprintf(num, sizeof num, "%zu", n);
  if (rsm_add(ctx, set, "count", num, NULL) != 0)
    goto nomem;
  ok = icxd_adopt(out, set) == 0;
  set = NULL;
  if (!ok)
    goto nomem;
  goto cleanup;
nomem:
  snprintf(err, errlen, "out of memory");
cleanup:
  if (set)
    xmpp_stanza_release(set);
  if (!ok && out) {
    xmpp_stanza_release(out);
    out = NULL;
  }
  for (i = 0; names && i < n; i++)
    free(names[i]);
  free(names);
  free(sizes);
  free(els);
  return out;
}

/* --- answers given as text ---------------------------------------------- */

/* Bytes of text as written escaped. */
static size_t rsm_escaped_len(const char *text)
{
  size_t n = 0;

  for (; *text; text++)
    n += icxd_rsm_char_size(*text);
  return n;
}

void icxd_rsm_set_append(icx_buf *b, const char *first_key, size_t first,
                         const char *last_key, size_t total)
{
  icx_buf_append(b, "<set xmlns='" ICXD_NS_RSM "'>");
  if (first_key) {
    icx_buf_appendf(b, "<first index='%zu'>", first);
    icx_buf_append_xml(b, first_key);
    icx_buf_append(b, "</first><last>");
    icx_buf_append_xml(b, last_key);
    icx_buf_append(b, "</last>");
  }
  icx_buf_appendf(b, "<count>%zu</count></set>", total);
}

/* Bytes of element el (text: its content) as written: its tags, its
 * attributes and its text, escapes counted (an escape as 6 bytes, the
 * longest); measured without writing it, which for every cloud of a
 * large answer cost more than reading the answer. */
size_t icxd_rsm_item_size(const char *child, const char *text)
{
  return 2 * strlen(child) + 5 + rsm_escaped_len(text);
}

size_t icxd_rsm_attr_size(const char *name, const char *value)
{
  return strlen(name) + 4 + (value ? rsm_escaped_len(value) : 0);
}

static size_t rsm_xml_size(xmlNodePtr el, const char *text)
{
  size_t n = icxd_rsm_item_size((const char *)el->name, text);
  xmlAttrPtr a;

  for (a = el->properties; a; a = a->next)
    n += icxd_rsm_attr_size((const char *)a->name,
                            a->children ? (const char *)a->children->content : NULL);
  return n;
}

/* The <cloudName> children of list cut to the page req asks for: the
 * others unlinked and freed, a <set> appended.  0, or -1 with err set. */
static int rsm_xml_cut(xmlNodePtr list, const icxd_rsm_req *req,
                       size_t max_items, size_t max_bytes, char *err,
                       size_t errlen)
{
  xmlNodePtr c, *els = NULL, set = NULL;
  xmlNsPtr ns;
  char **names = NULL, num[32];
  size_t *sizes = NULL, n = 0, cap = 0, first = 0, count = 0, i;
  int rc = -1;

  for (c = list->children; c; c = c->next)
    cap += c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "cloudName");
  els = calloc(cap ? cap : 1, sizeof *els);
  names = calloc(cap ? cap : 1, sizeof *names);
  sizes = calloc(cap ? cap : 1, sizeof *sizes);
  if (!els || !names || !sizes)
    goto nomem;
  for (c = list->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "cloudName"))
      continue;
    if (!(names[n] = (char *)xmlNodeGetContent(c)))
      goto nomem;
    sizes[n] = rsm_xml_size(c, names[n]);
    els[n++] = c;
  }
  if (icxd_rsm_page(req, (const char *const *)names, sizes, n, max_items,
                    max_bytes, &first, &count, err, errlen) != 0)
    goto done;
  for (i = 0; i < n; i++)
    if (i < first || i >= first + count) {
      xmlUnlinkNode(els[i]);
      xmlFreeNode(els[i]);
    }
  /* The <set> in its own namespace, its texts escaped by libxml2. */
  if (!(set = xmlNewNode(NULL, BAD_CAST "set")))
    goto nomem;
  xmlAddChild(list, set);
  if (!(ns = xmlNewNs(set, BAD_CAST ICXD_NS_RSM, NULL)))
    goto nomem;
  xmlSetNs(set, ns);
  snprintf(num, sizeof num, "%zu", first);
  if (count && (!(c = xmlNewTextChild(set, set->ns, BAD_CAST "first",
                                      BAD_CAST names[first])) ||
                !xmlSetProp(c, BAD_CAST "index", BAD_CAST num) ||
                !xmlNewTextChild(set, set->ns, BAD_CAST "last",
                                 BAD_CAST names[first + count - 1])))
    goto nomem;
  snprintf(num, sizeof num, "%zu", n);
  if (!xmlNewTextChild(set, set->ns, BAD_CAST "count", BAD_CAST num))
    goto nomem;
  rc = 0;
  goto done;
nomem:
  snprintf(err, errlen, "out of memory");
done:
  for (i = 0; names && i < n; i++)
    xmlFree(names[i]);
  free(names);
  free(sizes);
  free(els);
  return rc;
}

xmpp_stanza_t *icxd_rsm_page_answer(xmpp_ctx_t *ctx, const char *xml,
                                    const char *list, const icxd_rsm_req *req,
                                    size_t max_items, size_t max_bytes,
                                    char *err, size_t errlen)
{
  xmlDocPtr doc;
  xmlNodePtr root, c;
  xmlBufferPtr buf = NULL;
  xmpp_stanza_t *out = NULL;
  size_t lists = 0;
  int bad = 0;

  doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root) {
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  if (xmlStrEqual(root->name, BAD_CAST list)) {
    bad = rsm_xml_cut(root, req, max_items, max_bytes, err, errlen);
  } else {
    for (c = root->children; c; c = c->next)
      lists += c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST list);
    if (lists > 1) {
      max_items = max_items / lists ? max_items / lists : 1;
      max_bytes = max_bytes / lists ? max_bytes / lists : 1;
    }
    for (c = root->children; !bad && c; c = c->next)
      if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST list))
        bad = rsm_xml_cut(c, req, max_items, max_bytes, err, errlen);
  }
  if (bad)
    goto done;
  if (!(buf = xmlBufferCreate()) || xmlNodeDump(buf, doc, root, 0, 0) < 0 ||
      !(out = xmpp_stanza_new_from_string(ctx, (const char *)xmlBufferContent(buf))))
    snprintf(err, errlen, "out of memory");
done:
  if (buf)
    xmlBufferFree(buf);
  if (doc)
    xmlFreeDoc(doc);
  return out;
}

/* icxd_fed_request.c - a request's federation part, and merging answers. */
/* Pure stanza work, with no connection: the scope and <federation> of a
 * request read, the copy sent to peers built, the answers merged into one
 * ranked <matchingClouds>. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "icx.h"
#include "icxd_fed_internal.h"
#include "icxd_rsm.h"
#include "icxd_stanza.h"
#include "icx_util.h"

/* --- the request ------------------------------------------------------ */

void icxd_fed_req_clear(icxd_fed_req *req)
{
  size_t i;

  for (i = 0; i < req->n_visited; i++)
    free(req->visited[i]);
  free(req->visited);
  memset(req, 0, sizeof *req);
}

static int fed_parse_uint(const char *v, unsigned max, unsigned *out)
{
  char *end;
  unsigned long n;

  if (!v || *v < '0' || *v > '9')
    return -1;
  n = strtoul(v, &end, 10);
  if (*end || n > max)
    return -1;
  *out = (unsigned)n;
  return 0;
}

int icxd_fed_read(xmpp_stanza_t *in, icxd_fed_req *req, char *err,
                  size_t errlen)
{
  xmpp_stanza_t *c = icxd_child(in, "constraints", NULL);
  xmpp_stanza_t *f = icxd_child(in, "federation", ICXD_NS_FEDERATION);
  xmpp_stanza_t *v;
  const char *scope = c ? xmpp_stanza_get_attribute(c, "scope") : NULL;

  memset(req, 0, sizeof *req);
  if (scope && !icxd_is(scope, "local") && !icxd_is(scope, "federation")) {
    snprintf(err, errlen, "scope='%.40s' must be local or federation",
             scope);
    return -1;
  }
  req->federated = icxd_is(scope, "federation");
  if (!f)
    return 0;
  if (xmpp_stanza_get_attribute(f, "hops") &&
      fed_parse_uint(xmpp_stanza_get_attribute(f, "hops"), 100,
                     &req->hops) != 0) {
    snprintf(err, errlen, "<federation hops='%.40s'> must be a number from "
             "0 to 100", xmpp_stanza_get_attribute(f, "hops"));
    return -1;
  }
  if (xmpp_stanza_get_attribute(f, "budget") &&
      fed_parse_uint(xmpp_stanza_get_attribute(f, "budget"), 3600000,
                     &req->budget_ms) != 0) {
    snprintf(err, errlen, "<federation budget='%.40s'> must be a number of "
             "milliseconds up to 3600000",
             xmpp_stanza_get_attribute(f, "budget"));
    return -1;
  }
  for (v = xmpp_stanza_get_children(f); v; v = xmpp_stanza_get_next(v)) {
    char *text, *t, *e, **grown;

    if (!xmpp_stanza_is_tag(v))
      continue;
    if (!icxd_is(xmpp_stanza_get_name(v), "visited")) {
      snprintf(err, errlen, "unexpected <%.40s> in <federation>; expected "
               "<visited>", xmpp_stanza_get_name(v));
      goto fail;
    }
    if (req->n_visited >= ICXD_FED_MAX_VISITED) {
      snprintf(err, errlen, "<federation> lists more than %d visited "
               "exchanges", ICXD_FED_MAX_VISITED);
      goto fail;
    }
    text = xmpp_stanza_get_text(v);
    t = text;
    while (t && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
      t++;
    e = t ? t + strlen(t) : NULL;
    while (e && e > t && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
                          e[-1] == '\r'))
      *--e = '\0';
    if (!t || !*t || strlen(t) > FED_MAX_JID) {
      if (text)
        xmpp_free(xmpp_stanza_get_context(v), text);
      snprintf(err, errlen, "a <visited> in <federation> must name an "
               "exchange's JID (1 to %d bytes)", FED_MAX_JID);
      goto fail;
    }
    grown = realloc(req->visited, (req->n_visited + 1) * sizeof *grown);
    if (grown)
      req->visited = grown;
    if (!grown || !(req->visited[req->n_visited] = strdup(t))) {
      xmpp_free(xmpp_stanza_get_context(v), text);
      snprintf(err, errlen, "out of memory");
      goto fail;
    }
    req->n_visited++;
    xmpp_free(xmpp_stanza_get_context(v), text);
  }
  return 0;
fail:
  icxd_fed_req_clear(req);
  return -1;
}

int icxd_fed_same_exchange(const char *a, const char *b)
{
  size_t la, lb;

  if (!a || !b)
    return 0;
  la = strcspn(a, "/");
  lb = strcspn(b, "/");
  return la == lb && strncasecmp(a, b, la) == 0;
}

xmpp_stanza_t *icxd_fed_forward_in(xmpp_ctx_t *ctx, xmpp_stanza_t *in,
                                   unsigned hops, unsigned budget_ms,
                                   const char *const *visited,
                                   size_t n_visited)
{
  xmpp_stanza_t *out = icxd_elem(ctx, "in", xmpp_stanza_get_ns(in));
  xmpp_stanza_t *f, *child;
  char num[24];
  size_t i;

  if (!out)
    return NULL;
  for (child = xmpp_stanza_get_children(in); child;
       child = xmpp_stanza_get_next(child)) {
    /* Our own <federation> is replaced; the requester's paging (RSM) is
     * for the merged answer, not for each peer's. */
    if (xmpp_stanza_is_tag(child) &&
        ((icxd_is(xmpp_stanza_get_name(child), "federation") &&
          icxd_is(xmpp_stanza_get_ns(child), ICXD_NS_FEDERATION)) ||
         (icxd_is(xmpp_stanza_get_name(child), "set") &&
          icxd_is(xmpp_stanza_get_ns(child), ICXD_NS_RSM))))
      continue;
    if (icxd_adopt(out, xmpp_stanza_copy(child)))
      goto fail;
  }
  f = icxd_elem(ctx, "federation", ICXD_NS_FEDERATION);
  snprintf(num, sizeof num, "%u", hops);
  if (!f || xmpp_stanza_set_attribute(f, "hops", num)) {
    if (f)
      xmpp_stanza_release(f);
    goto fail;
  }
  snprintf(num, sizeof num, "%u", budget_ms);
  if (xmpp_stanza_set_attribute(f, "budget", num) || icxd_adopt(out, f))
    goto fail;   /* icxd_adopt released f on failure */
  for (i = 0; i < n_visited; i++)
    if (!icxd_add_text_child(ctx, f, "visited", visited[i]))
      goto fail;
  return out;
fail:
  xmpp_stanza_release(out);
  return NULL;
}

/* --- merging ---------------------------------------------------------- */

typedef struct fed_entry {
  char *name;
  const char *exchange;   /* lent: the part's tag or the attribute */
  char *exchange_own;     /* the attribute's copy, when given */
  int score;
  char *degree;
  char *jid;
} fed_entry;

/* Rank order: score (highest first), name, exchange. */
static int fed_entry_cmp(const void *a, const void *b)
{
  const fed_entry *x = a, *y = b;
  int c;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->exchange, y->exchange);
}

/* One cloud of one exchange together, its best rank first. */
static int fed_entry_cmp_cloud(const void *a, const void *b)
{
  const fed_entry *x = a, *y = b;
  int c = strcmp(x->name, y->name);

  if (!c)
    c = strcmp(x->exchange, y->exchange);
  if (!c && x->score != y->score)
    c = x->score > y->score ? -1 : 1;
  return c;
}

static void fed_entry_clear(fed_entry *e)
{
  free(e->name);
  free(e->exchange_own);
  free(e->degree);
  free(e->jid);
}

static void fed_entries_free(fed_entry *e, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    fed_entry_clear(&e[i]);
  free(e);
}

/* A copy of libxml2's string s (freed), in the C library's memory; NULL
 * for NULL, and *bad set when out of memory. */
static char *fed_take(xmlChar *s, int *bad)
{
  char *copy;

  if (!s)
    return NULL;
  if (!(copy = strdup((const char *)s)))
    *bad = 1;
  xmlFree(s);
  return copy;
}

/* A peer's score= (weights may be negative): held in an int, whatever
 * it wrote. */
static int fed_score(const char *text)
{
  long v = strtol(text, NULL, 10);

  return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

/* Appends the <cloudName> children of one answer to *entries.  Read with
 * libxml2, as icxd_rsm_page_answer() reads an answer: this exchange's
 * part is its whole answer, and libstrophe's tree reads one in a time
 * that grows with the square of its clouds. */
static int fed_collect(const icxd_fed_part *part, fed_entry **entries,
                       size_t *n, size_t *cap, int *scores, char *err,
                       size_t errlen)
{
  xmlDocPtr doc = xmlReadMemory(part->answer_xml, (int)strlen(part->answer_xml),
                                NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                XML_PARSE_NOWARNING);
  xmlNodePtr top = doc ? xmlDocGetRootElement(doc) : NULL, el;
  int bad = 0;

  if (!top || !xmlStrEqual(top->name, BAD_CAST "matchingClouds")) {
    snprintf(err, errlen, "the answer of %s is not a <matchingClouds>",
             part->exchange);
    if (doc)
      xmlFreeDoc(doc);
    return -1;
  }
  for (el = top->children; el && !bad; el = el->next) {
    fed_entry *e;
    xmlChar *score;

    if (el->type != XML_ELEMENT_NODE ||
        !xmlStrEqual(el->name, BAD_CAST "cloudName"))
      continue;
    if (*n == *cap) {
      size_t ncap = *cap ? *cap * 2 : 16;
      fed_entry *grown = realloc(*entries, ncap * sizeof *grown);
      if (!grown) {
        bad = 1;
        break;
      }
      *entries = grown;
      *cap = ncap;
    }
    e = &(*entries)[*n];
    memset(e, 0, sizeof *e);
    e->name = fed_take(xmlNodeGetContent(el), &bad);
    e->exchange_own = fed_take(xmlGetProp(el, BAD_CAST "exchange"), &bad);
    e->exchange = e->exchange_own ? e->exchange_own : part->exchange;
    e->degree = fed_take(xmlGetProp(el, BAD_CAST "degree"), &bad);
    e->jid = fed_take(xmlGetProp(el, BAD_CAST "jid"), &bad);
    if ((score = xmlGetProp(el, BAD_CAST "score"))) {
      e->score = fed_score((const char *)score);
      xmlFree(score);
      *scores = 1;
    }
    (*n)++;
    if (!e->name)
      bad = 1;
  }
  xmlFreeDoc(doc);
  if (bad)
    snprintf(err, errlen, "out of memory");
  return bad ? -1 : 0;
}

char *icxd_fed_merge(const icxd_fed_part *parts, size_t n,
                     char *err, size_t errlen)
{
  fed_entry *entries = NULL;
  size_t count = 0, cap = 0, kept = 0, i;
  char num[24], *out = NULL;
  int scores = 0;
  icx_buf b;

  for (i = 0; i < n; i++)
    if (fed_collect(&parts[i], &entries, &count, &cap, &scores, err,
                    errlen) != 0)
      goto done;
  /* One cloud of one exchange once, where it ranks best; then in rank
   * order.  Written as text: libstrophe's tree appends in linear time. */
  if (count)
    qsort(entries, count, sizeof *entries, fed_entry_cmp_cloud);
  for (i = 0; i < count; i++) {
    if (kept && !strcmp(entries[kept - 1].name, entries[i].name) &&
        !strcmp(entries[kept - 1].exchange, entries[i].exchange)) {
      fed_entry_clear(&entries[i]);
      continue;
    }
    entries[kept++] = entries[i];
  }
  count = kept;
  if (count)
    qsort(entries, count, sizeof *entries, fed_entry_cmp);
  icx_buf_init(&b, NULL);
  icx_buf_append(&b, "<matchingClouds xmlns=\"" ICX_CONSTRAINTS_NS "\">");
  for (i = 0; i < count; i++) {
    icx_buf_append(&b, "<cloudName");
    if (scores) {
      snprintf(num, sizeof num, "%d", entries[i].score);
      icx_buf_append_attr(&b, "score", num);
      icx_buf_append_attr(&b, "degree", entries[i].degree ? entries[i].degree : "exact");
    }
    if (entries[i].jid)
      icx_buf_append_attr(&b, "jid", entries[i].jid);
    icx_buf_append_attr(&b, "exchange", entries[i].exchange);
    icx_buf_append(&b, ">");
    icx_buf_append_xml(&b, entries[i].name);
    icx_buf_append(&b, "</cloudName>");
  }
  icx_buf_append(&b, "</matchingClouds>");
  if (!(out = icx_buf_take(&b)))
    snprintf(err, errlen, "out of memory");
done:
  fed_entries_free(entries, count);
  return out;
}


/* --- explanations ----------------------------------------------------- */

/* The count in attribute name of el (icxd_count_of()). */
static long fed_attr_long(xmpp_stanza_t *el, const char *name)
{
  return icxd_count_of(xmpp_stanza_get_attribute(el, name));
}

static int fed_set_long(xmpp_stanza_t *el, const char *name, long v)
{
  char num[24];

  snprintf(num, sizeof num, "%ld", v);
  return xmpp_stanza_set_attribute(el, name, num) == XMPP_EOK ? 0 : -1;
}

/* The first child of top named name whose attribute attr is value. */
static xmpp_stanza_t *fed_child_with(xmpp_stanza_t *top, const char *name,
                                     const char *attr, const char *value)
{
  xmpp_stanza_t *c;

  for (c = xmpp_stanza_get_children(top); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && icxd_is(xmpp_stanza_get_name(c), name) &&
        icxd_is(xmpp_stanza_get_attribute(c, attr), value))
      return c;
  return NULL;
}

/* How long el is as text; SIZE_MAX when it cannot be written. */
static size_t fed_text_len(xmpp_ctx_t *ctx, xmpp_stanza_t *el)
{
  char *text = NULL;
  size_t len = 0;

  if (xmpp_stanza_to_text(el, &text, &len) != XMPP_EOK || !text)
    return SIZE_MAX;
  xmpp_free(ctx, text);
  return len;
}

/* A <cloud> as src is, without its <fails>: failures= counts them (or
 * is src's own, when a peer had cut it already).  NULL on ENOMEM. */
static xmpp_stanza_t *fed_bare_cloud(xmpp_ctx_t *ctx, xmpp_stanza_t *src)
{
  static const char *const keep[] = { "name", "known", "matches", "exchange" };
  xmpp_stanza_t *el = icxd_elem(ctx, "cloud", NULL), *c;
  long fails = fed_attr_long(src, "failures");
  size_t k;
  int bad = !el;

  for (k = 0; !bad && k < sizeof keep / sizeof keep[0]; k++) {
    const char *v = xmpp_stanza_get_attribute(src, keep[k]);
    bad = v && xmpp_stanza_set_attribute(el, keep[k], v) != XMPP_EOK;
  }
  for (c = xmpp_stanza_get_children(src); c; c = xmpp_stanza_get_next(c))
    fails = icxd_count_add(fails, xmpp_stanza_is_tag(c) &&
                                      icxd_is(xmpp_stanza_get_name(c), "fails"));
  if (!bad && fails > 0)
    bad = fed_set_long(el, "failures", fails);
  if (bad && el) {
    xmpp_stanza_release(el);
    el = NULL;
  }
  return el;
}

char *icxd_fed_merge_explain(xmpp_ctx_t *ctx, const icxd_fed_part *parts,
                             size_t n, size_t max_bytes, char *err,
                             size_t errlen)
{
  xmpp_stanza_t **tops = calloc(n ? n : 1, sizeof *tops);
  xmpp_stanza_t *out = NULL, *c, *copy;
  char *text = NULL, *res = NULL;
  size_t i, k, len, size = 256;
  long total = 0, relaxations = 0;
  int bad = !tops, cut = 0;

  for (i = 0; !bad && i < n; i++) {
    tops[i] = xmpp_stanza_new_from_string(ctx, parts[i].answer_xml);
    if (!tops[i] ||
        !icxd_is(xmpp_stanza_get_name(tops[i]), "explanation")) {
      snprintf(err, errlen, "the answer of %s is not an <explanation>",
               parts[i].exchange);
      goto done;
    }
    total = icxd_count_add(total, fed_attr_long(tops[i], "matching"));
    cut |= icxd_is(xmpp_stanza_get_attribute(tops[i], "cut"), "true");
    /* Room kept for the <exchange> elements written last. */
    size += strlen(parts[i].exchange) + 48;
  }
  if (bad || !n)
    goto nomem;
  out = icxd_elem(ctx, "explanation", ICX_CONSTRAINTS_NS);
  bad = !out || fed_set_long(out, "matching", total);
  /* The first answer (this exchange's) gives the shape; counts add up
   * (each exchange counts its own clouds); a cloud this exchange does not
   * know is explained by the exchange that does. */
  for (c = xmpp_stanza_get_children(tops[0]); !bad && c;
       c = xmpp_stanza_get_next(c)) {
    const char *name = xmpp_stanza_get_name(c);

    if (!xmpp_stanza_is_tag(c))
      continue;
    copy = NULL;
    if (icxd_is(name, "constraint")) {
      long alone = 0, remaining = 0;
      const char *idx = xmpp_stanza_get_attribute(c, "index");
      for (k = 0; k < n; k++) {
        xmpp_stanza_t *o = k ? fed_child_with(tops[k], "constraint", "index",
                                              idx) : c;
        alone = icxd_count_add(alone, o ? fed_attr_long(o, "alone") : 0);
        remaining = icxd_count_add(remaining,
                                   o ? fed_attr_long(o, "remaining") : 0);
      }
      copy = xmpp_stanza_copy(c);
      bad = !copy || fed_set_long(copy, "alone", alone) ||
            fed_set_long(copy, "remaining", remaining);
    } else if (icxd_is(name, "cloud")) {
      const char *cloud = xmpp_stanza_get_attribute(c, "name");
      size_t from = 0;
      xmpp_stanza_t *src = c;
      for (k = 1; !icxd_is(xmpp_stanza_get_attribute(c, "known"), "true") &&
                  k < n; k++) {
        xmpp_stanza_t *o = fed_child_with(tops[k], "cloud", "name", cloud);
        if (o && icxd_is(xmpp_stanza_get_attribute(o, "known"), "true")) {
          src = o;
          from = k;
          break;
        }
      }
      copy = xmpp_stanza_copy(src);
      bad = !copy;
      if (!bad && icxd_is(xmpp_stanza_get_attribute(src, "known"), "true"))
        bad = xmpp_stanza_set_attribute(copy, "exchange",
                                        parts[from].exchange) != XMPP_EOK;
    } else if (icxd_is(name, "relaxation") && total > 0) {
      continue;   /* what to drop when nothing matches: something does */
    } else {
      copy = xmpp_stanza_copy(c);   /* relaxations, presence: local */
      bad = !copy;
      relaxations += icxd_is(name, "relaxation");
    }
    /* Every part counts towards max_bytes; past it a cloud goes without
     * its sentences (or whole) and a relaxation is left out; constraints
     * and presence are kept. */
    if (!bad && copy && max_bytes) {
      int cuttable = icxd_is(name, "cloud") || icxd_is(name, "relaxation");
      len = fed_text_len(ctx, copy);
      bad = len == SIZE_MAX;
      if (!bad && cuttable && size + len > max_bytes && icxd_is(name, "cloud")) {
        xmpp_stanza_t *bare = fed_bare_cloud(ctx, copy);
        xmpp_stanza_release(copy);
        copy = bare;
        bad = !copy || (len = fed_text_len(ctx, copy)) == SIZE_MAX;
        cut = 1;
      }
      if (!bad && cuttable && size + len > max_bytes) {
        xmpp_stanza_release(copy);
        cut = 1;
        continue;
      }
      size += len;
    }
    if (copy && (bad || icxd_adopt(out, copy))) {
      if (bad)
        xmpp_stanza_release(copy);
      bad = 1;
    }
  }
  if (!bad && cut) {
    /* How many relaxations there were: this exchange's (its own cut
     * counted them), and only when nothing matches anywhere. */
    const char *had = xmpp_stanza_get_attribute(tops[0], "relaxations");
    bad = xmpp_stanza_set_attribute(out, "cut", "true") != XMPP_EOK ||
          fed_set_long(out, "relaxations",
                       total > 0 ? 0 : had ? fed_attr_long(tops[0], "relaxations")
                                           : relaxations);
  }
  for (k = 0; !bad && k < n; k++) {
    xmpp_stanza_t *ex = icxd_elem(ctx, "exchange", NULL);
    bad = !ex || xmpp_stanza_set_attribute(ex, "jid", parts[k].exchange) ||
          fed_set_long(ex, "matching", fed_attr_long(tops[k], "matching"));
    if (ex && (bad || icxd_adopt(out, ex))) {
      if (bad)
        xmpp_stanza_release(ex);
      bad = 1;
    }
  }
  if (!bad && xmpp_stanza_to_text(out, &text, &len) == XMPP_EOK && text) {
    res = strdup(text);
    xmpp_free(ctx, text);
  }
nomem:
  if (!res)
    snprintf(err, errlen, "out of memory");
done:
  if (out)
    xmpp_stanza_release(out);
  for (i = 0; tops && i < n; i++)
    if (tops[i])
      xmpp_stanza_release(tops[i]);
  free(tops);
  return res;
}

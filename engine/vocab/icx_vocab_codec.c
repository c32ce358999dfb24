/* icx_vocab_codec.c - the vocabulary cache's bytes: a loaded vocabulary's
 * tables written as one block and read back, and the file around them
 * (icx_vocab_cache.c says where the file lives and when it is used).
 *
 * Layout (integers little-endian):
 *   "ICXVOCAB"  u32 format  str build  str fingerprint  u64 payload length
 *   payload     u64 FNV-1a hash of every byte before it
 * where a str is a u32 length (0xffffffff: none) and the bytes.  The
 * payload is the vocabulary's tables, pointers written as indexes into the
 * table they point into.  Reading checks every length and index against
 * the block, so a damaged file is refused, never followed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

/* Bump when the payload changes shape.  The build identity also changes
 * with every rebuild, so this guards against code that is the same size
 * and age only, but keep it honest. */
#define VCACHE_FORMAT 1u
#define VCACHE_MAGIC "ICXVOCAB"
#define VCACHE_NONE 0xffffffffu

#if defined(__x86_64__) || defined(__aarch64__)
/* A tripwire for whoever adds a field to the vocabulary's tables: the
 * cache writes and reads every field by hand, so add it to vcache_put_*
 * and vcache_get_* below, bump VCACHE_FORMAT, then update these sizes.
 * (icx_vocab's serial is the one field not written: it is the process's,
 * set anew when the copy is read.) */
_Static_assert(sizeof(struct icx_vocab) == 160, "icx_vocab changed: update the cache");
_Static_assert(sizeof(struct icx_attribute) == 160, "icx_attribute changed: update the cache");
_Static_assert(sizeof(struct icx_individual) == 80, "icx_individual changed: update the cache");
_Static_assert(sizeof(struct icx_unit) == 64, "icx_unit changed: update the cache");
_Static_assert(sizeof(vocab_class) == 32, "vocab_class changed: update the cache");
_Static_assert(sizeof(vocab_equiv) == 24, "vocab_equiv changed: update the cache");
#endif

/* --- hashing ---------------------------------------------------------------------- */

uint64_t
icx_vocab_hash(uint64_t h, const void *p, size_t n)
{
  const unsigned char *b = p;
  size_t i;

  for (i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

/* --- writing ----------------------------------------------------------------------- */

static void
vcache_put_u32(icx_buf *b, uint32_t x)
{
  unsigned char c[4];
  int i;

  for (i = 0; i < 4; i++)
    c[i] = (unsigned char)(x >> (8 * i));
  icx_buf_append_len(b, (const char *)c, 4);
}

static void
vcache_put_u64(icx_buf *b, uint64_t x)
{
  unsigned char c[8];
  int i;

  for (i = 0; i < 8; i++)
    c[i] = (unsigned char)(x >> (8 * i));
  icx_buf_append_len(b, (const char *)c, 8);
}

static void
vcache_put_double(icx_buf *b, double d)
{
  uint64_t x;

  memcpy(&x, &d, sizeof x);
  vcache_put_u64(b, x);
}

static void
vcache_put_str(icx_buf *b, const char *s)
{
  size_t n = s ? strlen(s) : 0;

  if (!s || n >= VCACHE_NONE) {
    vcache_put_u32(b, VCACHE_NONE);
    return;
  }
  vcache_put_u32(b, (uint32_t)n);
  icx_buf_append_len(b, s, n);
}

static void
vcache_put_strv(icx_buf *b, char **v, size_t n)
{
  size_t i;

  vcache_put_u32(b, (uint32_t)n);
  for (i = 0; i < n; i++)
    vcache_put_str(b, v[i]);
}

static uint32_t
vcache_ind_index(const icx_vocab *v, const icx_individual *ind)
{
  return ind ? (uint32_t)(ind - v->inds) : VCACHE_NONE;
}

static void
vcache_put_inds(icx_buf *b, const icx_vocab *v, const icx_individual *const *p, size_t n)
{
  size_t i;

  vcache_put_u32(b, (uint32_t)n);
  for (i = 0; i < n; i++)
    vcache_put_u32(b, vcache_ind_index(v, p[i]));
}

static size_t
vcache_count_null_ended(const void *const *p)
{
  size_t n = 0;

  while (p && p[n])
    n++;
  return n;
}

static uint32_t
vcache_class_index(const icx_vocab *v, const char *iri)
{
  size_t i;

  for (i = 0; i < v->n_classes; i++)
    if (v->classes[i].iri == iri)
      return (uint32_t)i;
  return VCACHE_NONE;
}

/* The tables of v, appended to b. */
static void
vcache_put_payload(icx_buf *b, const icx_vocab *v)
{
  size_t i, k;

  vcache_put_u32(b, (uint32_t)v->n_inds);
  vcache_put_u32(b, (uint32_t)v->n_units);
  vcache_put_u32(b, (uint32_t)v->n_classes);
  vcache_put_u32(b, (uint32_t)v->n_attrs);
  for (i = 0; i < v->n_inds; i++) {
    const icx_individual *ind = &v->inds[i];
    vcache_put_str(b, ind->iri);
    vcache_put_str(b, ind->label);
    vcache_put_strv(b, ind->names, ind->n_names);
    for (k = 0; k < ind->n_names; k++)
      vcache_put_str(b, ind->norms[k]);
    vcache_put_strv(b, ind->types, ind->n_types);
    vcache_put_strv(b, ind->broader, ind->n_broader);
    vcache_put_inds(b, v, ind->narrower,
                    vcache_count_null_ended((const void *const *)ind->narrower));
  }
  for (i = 0; i < v->n_units; i++) {
    const icx_unit *u = &v->units[i];
    vcache_put_str(b, u->iri);
    vcache_put_str(b, u->label);
    vcache_put_strv(b, u->names, u->n_names);
    vcache_put_str(b, u->kind);
    vcache_put_double(b, u->factor);
    vcache_put_str(b, u->peers);
  }
  for (i = 0; i < v->n_classes; i++) {
    const vocab_class *c = &v->classes[i];
    size_t n = vcache_count_null_ended((const void *const *)c->subs);
    vcache_put_str(b, c->iri);
    vcache_put_strv(b, c->supers, c->n_supers);
    vcache_put_u32(b, (uint32_t)n);
    for (k = 0; k < n; k++)
      vcache_put_u32(b, vcache_class_index(v, c->subs[k]));
  }
  for (i = 0; i < v->n_attrs; i++) {
    const icx_attribute *a = &v->attrs[i];
    vcache_put_str(b, a->iri);
    vcache_put_str(b, a->label);
    vcache_put_str(b, a->comment);
    vcache_put_strv(b, a->aliases, a->n_aliases);
    vcache_put_u32(b, (uint32_t)a->type);
    vcache_put_u32(b, (uint32_t)a->rule);
    vcache_put_str(b, a->domain);
    vcache_put_str(b, a->range);
    vcache_put_inds(b, v, a->values, a->n_values);
    vcache_put_inds(b, v, a->by_iri, a->values ? a->n_values : 0);
    vcache_put_u32(b, a->unit ? (uint32_t)(a->unit - v->units) : VCACHE_NONE);
    vcache_put_str(b, a->value_names);
    vcache_put_str(b, a->place_iri);
    vcache_put_str(b, a->figure_class);
    vcache_put_u32(b, a->place ? (uint32_t)(a->place - v->attrs) : VCACHE_NONE);
    vcache_put_inds(b, v, a->zones, a->n_zones);
    vcache_put_u32(b, a->figures ? 1 : 0);
    if (a->figures)
      for (k = 0; k < a->n_zones * a->n_zones; k++)
        vcache_put_double(b, a->figures[k]);
    /* zone_masks has one entry per value of the place attribute. */
    k = a->zone_masks && a->place ? a->place->n_values : 0;
    vcache_put_u32(b, a->zone_masks ? (uint32_t)k : VCACHE_NONE);
    if (a->zone_masks) {
      size_t j;
      for (j = 0; j < k; j++)
        vcache_put_u64(b, a->zone_masks[j]);
    }
  }
  vcache_put_strv(b, v->namespaces, v->n_namespaces);
  vcache_put_strv(b, v->defined, v->n_defined);
  vcache_put_u32(b, (uint32_t)v->n_equivs);
  for (i = 0; i < v->n_equivs; i++) {
    vcache_put_str(b, v->equivs[i].outer);
    vcache_put_str(b, v->equivs[i].inner);
    vcache_put_u32(b, (uint32_t)v->equivs[i].is_class);
  }
  vcache_put_str(b, v->cloud_class);
  vcache_put_str(b, v->offers);
  vcache_put_str(b, v->name_prop);
  vcache_put_str(b, v->attribute_names);
}

icx_rc
icx_vocab_cache_encode(icx_ctx *ctx, const icx_vocab *v, char **out, size_t *len)
{
  icx_buf b;

  icx_buf_init(&b, ctx);
  vcache_put_payload(&b, v);
  *len = b.len;
  if (!(*out = icx_buf_take(&b)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  return ICX_OK;
}

/* --- reading ----------------------------------------------------------------------- */

typedef struct vcache_in {
  icx_ctx *ctx;
  const unsigned char *p, *end;
  const char *bad;          /* what was wrong, first failure only */
  int oom;
} vcache_in;

static int
vcache_failed(const vcache_in *in)
{
  return in->bad || in->oom;
}

static void
vcache_bad(vcache_in *in, const char *why)
{
  if (!in->bad)
    in->bad = why;
}

static uint32_t
vcache_get_u32(vcache_in *in)
{
  uint32_t x = 0;
  int i;

  if (vcache_failed(in) || in->end - in->p < 4) {
    vcache_bad(in, "it ends early");
    return 0;
  }
  for (i = 0; i < 4; i++)
    x |= (uint32_t)in->p[i] << (8 * i);
  in->p += 4;
  return x;
}

static uint64_t
vcache_get_u64(vcache_in *in)
{
  uint64_t x = 0;
  int i;

  if (vcache_failed(in) || in->end - in->p < 8) {
    vcache_bad(in, "it ends early");
    return 0;
  }
  for (i = 0; i < 8; i++)
    x |= (uint64_t)in->p[i] << (8 * i);
  in->p += 8;
  return x;
}

static double
vcache_get_double(vcache_in *in)
{
  uint64_t x = vcache_get_u64(in);
  double d;

  memcpy(&d, &x, sizeof d);
  return d;
}

/* A count of items of at least min_size bytes each: refused when the rest
 * of the file could not hold them (so no count allocates past the file). */
static size_t
vcache_get_count(vcache_in *in, size_t min_size)
{
  uint32_t n = vcache_get_u32(in);

  if (vcache_failed(in))
    return 0;
  if ((size_t)n * min_size > (size_t)(in->end - in->p)) {
    vcache_bad(in, "a count runs past its end");
    return 0;
  }
  return n;
}

/* A new string, or NULL (none, or failure: see in). */
static char *
vcache_get_str(vcache_in *in)
{
  uint32_t n = vcache_get_u32(in);
  char *s;

  if (vcache_failed(in) || n == VCACHE_NONE)
    return NULL;
  if ((size_t)(in->end - in->p) < n) {
    vcache_bad(in, "a string runs past its end");
    return NULL;
  }
  if (memchr(in->p, '\0', n)) {
    vcache_bad(in, "a string holds a NUL");
    return NULL;
  }
  if (!(s = icx_malloc(in->ctx, (size_t)n + 1))) {
    in->oom = 1;
    return NULL;
  }
  memcpy(s, in->p, n);
  s[n] = '\0';
  in->p += n;
  return s;
}

/* A string that must be there. */
static char *
vcache_get_str_req(vcache_in *in)
{
  char *s = vcache_get_str(in);

  if (!s)
    vcache_bad(in, "a required string is missing");
  return s;
}

/* A zeroed array of n + 1 elements (so NULL-ended arrays end), or NULL. */
static void *
vcache_array(vcache_in *in, size_t n, size_t size)
{
  void *p;

  if (vcache_failed(in))
    return NULL;
  if (!(p = icx_calloc(in->ctx, n + 1, size)))
    in->oom = 1;
  return p;
}

static void
vcache_get_strv(vcache_in *in, char ***v, size_t *n)
{
  size_t cnt = vcache_get_count(in, 4), i;

  if (!(*v = vcache_array(in, cnt, sizeof **v)))
    return;
  *n = cnt;
  for (i = 0; i < cnt && !vcache_failed(in); i++)
    (*v)[i] = vcache_get_str_req(in);
}

/* An index below limit. */
static size_t
vcache_get_index(vcache_in *in, size_t limit)
{
  uint32_t x = vcache_get_u32(in);

  if (!vcache_failed(in) && x >= limit) {
    vcache_bad(in, "an index is out of range");
    return 0;
  }
  return x;
}

/* An index below limit, or VCACHE_NONE. */
static size_t
vcache_get_opt_index(vcache_in *in, size_t limit)
{
  uint32_t x = vcache_get_u32(in);

  if (x == VCACHE_NONE)
    return (size_t)VCACHE_NONE;
  if (!vcache_failed(in) && x >= limit) {
    vcache_bad(in, "an index is out of range");
    return 0;
  }
  return x;
}

/* An array of pointers to individuals, NULL-ended; *n its count if n. */
static const icx_individual **
vcache_get_inds(vcache_in *in, icx_vocab *v, size_t *n)
{
  size_t cnt = vcache_get_count(in, 4), i;
  const icx_individual **p = vcache_array(in, cnt, sizeof *p);

  if (!p)
    return NULL;
  for (i = 0; i < cnt && !vcache_failed(in); i++)
    p[i] = &v->inds[vcache_get_index(in, v->n_inds)];
  if (n)
    *n = cnt;
  return p;
}

static void
vcache_get_payload(vcache_in *in, icx_vocab *v)
{
  size_t n_inds = vcache_get_count(in, 4), n_units = vcache_get_count(in, 4);
  size_t n_classes = vcache_get_count(in, 4), n_attrs = vcache_get_count(in, 4);
  size_t i, k, n, *mask_n;

  /* Allocate every table first, so that indexes into them are pointers. */
  if ((v->inds = vcache_array(in, n_inds, sizeof *v->inds)))
    v->n_inds = n_inds;
  if ((v->units = vcache_array(in, n_units, sizeof *v->units)))
    v->n_units = n_units;
  if ((v->classes = vcache_array(in, n_classes, sizeof *v->classes)))
    v->n_classes = n_classes;
  if ((v->attrs = vcache_array(in, n_attrs, sizeof *v->attrs)))
    v->n_attrs = n_attrs;
  for (i = 0; i < v->n_inds && !vcache_failed(in); i++) {
    icx_individual *ind = &v->inds[i];
    ind->iri = vcache_get_str_req(in);
    ind->label = vcache_get_str(in);
    vcache_get_strv(in, &ind->names, &ind->n_names);
    if (ind->names && (ind->norms = vcache_array(in, ind->n_names, sizeof *ind->norms)))
      for (k = 0; k < ind->n_names && !vcache_failed(in); k++)
        ind->norms[k] = vcache_get_str_req(in);
    vcache_get_strv(in, &ind->types, &ind->n_types);
    vcache_get_strv(in, &ind->broader, &ind->n_broader);
    ind->narrower = vcache_get_inds(in, v, NULL);
  }
  for (i = 0; i < v->n_units && !vcache_failed(in); i++) {
    icx_unit *u = &v->units[i];
    u->iri = vcache_get_str_req(in);
    u->label = vcache_get_str(in);
    vcache_get_strv(in, &u->names, &u->n_names);
    u->kind = vcache_get_str(in);
    u->factor = vcache_get_double(in);
    u->peers = vcache_get_str(in);
  }
  /* A class's subs point at the IRIs of classes: read every IRI first. */
  {
    size_t **subs = vcache_array(in, v->n_classes, sizeof *subs);
    size_t *n_subs = vcache_array(in, v->n_classes, sizeof *n_subs);
    for (i = 0; subs && n_subs && i < v->n_classes && !vcache_failed(in); i++) {
      vocab_class *c = &v->classes[i];
      c->iri = vcache_get_str_req(in);
      vcache_get_strv(in, &c->supers, &c->n_supers);
      n_subs[i] = vcache_get_count(in, 4);
      if ((subs[i] = vcache_array(in, n_subs[i], sizeof **subs)))
        for (k = 0; k < n_subs[i] && !vcache_failed(in); k++)
          subs[i][k] = vcache_get_index(in, v->n_classes);
    }
    for (i = 0; subs && n_subs && i < v->n_classes && !vcache_failed(in); i++)
      if ((v->classes[i].subs = vcache_array(in, n_subs[i], sizeof(char *))))
        for (k = 0; k < n_subs[i]; k++)
          v->classes[i].subs[k] = v->classes[subs[i][k]].iri;
    for (i = 0; subs && i < v->n_classes; i++)
      icx_free(in->ctx, subs[i]);
    icx_free(in->ctx, subs);
    icx_free(in->ctx, n_subs);
  }
  mask_n = vcache_array(in, v->n_attrs, sizeof *mask_n);
  for (i = 0; i < v->n_attrs && !vcache_failed(in); i++) {
    icx_attribute *a = &v->attrs[i];
    uint32_t type, rule;
    size_t at;
    a->iri = vcache_get_str_req(in);
    a->label = vcache_get_str_req(in);
    a->comment = vcache_get_str(in);
    vcache_get_strv(in, &a->aliases, &a->n_aliases);
    type = vcache_get_u32(in);
    rule = vcache_get_u32(in);
    if (type > ICX_TYPE_INDIVIDUAL || rule > ICX_RULE_INCLUDES)
      vcache_bad(in, "an attribute has an unknown type or rule");
    a->type = (icx_datatype)type;
    a->rule = (icx_rule)rule;
    a->domain = vcache_get_str(in);
    a->range = vcache_get_str(in);
    a->values = vcache_get_inds(in, v, &a->n_values);
    a->by_iri = vcache_get_inds(in, v, &n);
    if (!vcache_failed(in) && n != a->n_values)
      vcache_bad(in, "an attribute's value lists differ in length");
    if ((at = vcache_get_opt_index(in, v->n_units)) != VCACHE_NONE)
      a->unit = &v->units[at];
    a->value_names = vcache_get_str(in);
    a->place_iri = vcache_get_str(in);
    a->figure_class = vcache_get_str(in);
    if ((at = vcache_get_opt_index(in, v->n_attrs)) != VCACHE_NONE)
      a->place = &v->attrs[at];
    a->zones = vcache_get_inds(in, v, &a->n_zones);
    if (a->n_zones > 64)
      vcache_bad(in, "an attribute has more than 64 zones");
    if (vcache_get_u32(in) && !vcache_failed(in)) {
      n = a->n_zones * a->n_zones;
      if (n * 8 > (size_t)(in->end - in->p))
        vcache_bad(in, "a figure table runs past its end");
      else if ((a->figures = vcache_array(in, n, sizeof *a->figures)))
        for (k = 0; k < n; k++)
          a->figures[k] = vcache_get_double(in);
    }
    if ((n = vcache_get_u32(in)) != VCACHE_NONE && !vcache_failed(in)) {
      if (mask_n)
        mask_n[i] = n;
      if (n * 8 > (size_t)(in->end - in->p))
        vcache_bad(in, "a zone table runs past its end");
      else if ((a->zone_masks = vcache_array(in, n, sizeof *a->zone_masks)))
        for (k = 0; k < n; k++)
          a->zone_masks[k] = vcache_get_u64(in);
    }
  }
  /* zone_masks is indexed by the place attribute's values. */
  for (i = 0; mask_n && i < v->n_attrs && !vcache_failed(in); i++) {
    const icx_attribute *a = &v->attrs[i];
    if (a->zone_masks && (!a->place || mask_n[i] != a->place->n_values))
      vcache_bad(in, "a zone table does not fit its place attribute");
  }
  icx_free(in->ctx, mask_n);
  vcache_get_strv(in, &v->namespaces, &v->n_namespaces);
  vcache_get_strv(in, &v->defined, &v->n_defined);
  n = vcache_get_count(in, 12);
  if ((v->equivs = vcache_array(in, n, sizeof *v->equivs)))
    v->n_equivs = n;
  for (i = 0; i < v->n_equivs && !vcache_failed(in); i++) {
    v->equivs[i].outer = vcache_get_str_req(in);
    v->equivs[i].inner = vcache_get_str_req(in);
    v->equivs[i].is_class = vcache_get_u32(in) != 0;
  }
  v->cloud_class = vcache_get_str_req(in);
  v->offers = vcache_get_str_req(in);
  v->name_prop = vcache_get_str_req(in);
  v->attribute_names = vcache_get_str_req(in);
  if (!vcache_failed(in) && in->p != in->end)
    vcache_bad(in, "it has bytes after its tables");
}

icx_rc
icx_vocab_cache_decode(icx_ctx *ctx, const char *data, size_t len, icx_vocab **out,
                       const char **why)
{
  vcache_in in;
  icx_vocab *v;

  *out = NULL;
  *why = NULL;
  if (!(v = icx_calloc(ctx, 1, sizeof *v)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  v->ctx = ctx;
  v->serial = icx_vocab_next_serial();      /* this process's, not the file's */
  memset(&in, 0, sizeof in);
  in.ctx = ctx;
  in.p = (const unsigned char *)data;
  in.end = in.p + len;
  vcache_get_payload(&in, v);
  if (vcache_failed(&in)) {
    icx_vocab_free(v);
    if (in.oom)
      return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    *why = in.bad;
    return ICX_ERR_DAMAGED;
  }
  *out = v;
  return ICX_OK;
}

/* --- the whole file -------------------------------------------------------------- */

icx_rc
icx_vocab_cache_pack(icx_ctx *ctx, const icx_vocab *v, const char *build, const char *print,
                     char **out, size_t *len)
{
  icx_buf b;
  size_t at, start;

  icx_buf_init(&b, ctx);
  icx_buf_append(&b, VCACHE_MAGIC);
  vcache_put_u32(&b, VCACHE_FORMAT);
  vcache_put_str(&b, build);
  vcache_put_str(&b, print);
  at = b.len;
  vcache_put_u64(&b, 0);
  start = b.len;
  vcache_put_payload(&b, v);
  if (!icx_buf_failed(&b)) {
    uint64_t size = b.len - start;
    int i;
    for (i = 0; i < 8; i++)
      b.data[at + i] = (char)(unsigned char)(size >> (8 * i));
    vcache_put_u64(&b, icx_vocab_hash(ICX_VOCAB_HASH_INIT, b.data, b.len));
  }
  *len = b.len;
  if (!(*out = icx_buf_take(&b)))
    return icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
  return ICX_OK;
}

int
icx_vocab_cache_check(const char *data, size_t len, const char *build, const char *print,
             const char **payload, size_t *plen, const char **why)
{
  vcache_in in;
  uint32_t format, n;
  uint64_t size, sum;

  memset(&in, 0, sizeof in);
  in.p = (const unsigned char *)data;
  in.end = in.p + len;
  if (len < 8 || memcmp(data, VCACHE_MAGIC, 8)) {
    *why = "it is not a vocabulary cache";
    return -1;
  }
  in.p += 8;
  format = vcache_get_u32(&in);
  if (!vcache_failed(&in) && format != VCACHE_FORMAT) {
    *why = "it was written by another version of icx";
    return 1;
  }
  n = vcache_get_u32(&in);
  if (vcache_failed(&in) || n > (size_t)(in.end - in.p)) {
    *why = "it ends early";
    return -1;
  }
  if (n != strlen(build) || memcmp(in.p, build, n)) {
    *why = "it was written by another build of icx";
    return 1;
  }
  in.p += n;
  n = vcache_get_u32(&in);
  if (vcache_failed(&in) || n > (size_t)(in.end - in.p)) {
    *why = "it ends early";
    return -1;
  }
  if (n != strlen(print) || memcmp(in.p, print, n)) {
    *why = "the ontology folder changed since it was written";
    return 1;
  }
  in.p += n;
  size = vcache_get_u64(&in);
  if (vcache_failed(&in) || size + 8 != (uint64_t)(in.end - in.p)) {
    *why = "its length is wrong";
    return -1;
  }
  *payload = (const char *)in.p;
  *plen = (size_t)size;
  in.p += size;
  sum = vcache_get_u64(&in);
  if (sum != icx_vocab_hash(ICX_VOCAB_HASH_INIT, data, len - 8)) {
    *why = "its checksum does not match";
    return -1;
  }
  return 0;
}

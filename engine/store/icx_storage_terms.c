/* icx_storage_terms.c - the icx storage's term dictionary: a term's id,
 * looked up or added in the terms table through a bounded in-memory cache
 * that lives while a transaction is open, and nodes made from a term's
 * columns (schema: icx_schema.h).
 *
 * The cache is emptied when the transaction ends, so rolled-back ids
 * never outlive it; it empties itself too when it passes its bound in
 * bytes (term-cache-mb).  The bulk path (icx_storage_bulk.c) resolves
 * every term of a load here.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icx_schema.h"
#include "icx_storage_internal.h"
#include "icx_util.h"

#define XSD "http://www.w3.org/2001/XMLSchema#"

/* --- the term cache: (kind, dt, lang, lex) -> id ------------------------- */

typedef struct icx_storage_cache_slot {
  uint64_t h;
  sqlite3_int64 id;
  const unsigned char *key;   /* in a block; NULL: empty slot */
  size_t len;
} icx_storage_cache_slot;

typedef struct icx_storage_cache_block {
  struct icx_storage_cache_block *next;
  size_t used, cap;
  unsigned char data[];
} icx_storage_cache_block;

static uint64_t
storage_hash_bytes(const unsigned char *p, size_t n)
{
  uint64_t h = icx_hash_bytes(p, n);

  return h ^ (h >> 29);
}

/* The blocks holding the keys, freed (the slots still point into them). */
static void
storage_cache_free_blocks(icx_storage_cache *c)
{
  icx_storage_cache_block *b = c->blocks, *next;

  for (; b; b = next) {
    next = b->next;
    free(b);
  }
}

void
icx_storage_cache_clear(icx_storage_cache *c)
{
  storage_cache_free_blocks(c);
  free(c->slots);
  memset(c, 0, sizeof *c);
}

/* Every key forgotten, the table kept at its size: a load past the bound
 * empties the cache again and again, and a table made anew each time grew
 * back through every size, each a fresh allocation whose pages a process
 * first touches at a price (at 200k clouds storage_cache_grow() and its
 * page faults were 7% of a load's samples; peak RSS 242 MB, 180 now). */
static void
storage_cache_forget(icx_storage_cache *c)
{
  storage_cache_free_blocks(c);
  c->blocks = NULL;
  c->bytes = 0;
  c->count = 0;
  if (c->slots)
    memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
}

static sqlite3_int64
storage_cache_get(const icx_storage_cache *c, uint64_t h, const unsigned char *key, size_t len)
{
  size_t i;

  if (!c->mask)
    return 0;
  for (i = (size_t)h & c->mask; c->slots[i].key; i = (i + 1) & c->mask)
    if (c->slots[i].h == h && c->slots[i].len == len && !memcmp(c->slots[i].key, key, len))
      return c->slots[i].id;
  return 0;
}

static int
storage_cache_grow(icx_storage_cache *c)
{
  size_t n = c->mask ? (c->mask + 1) * 2 : 4096, i, j;
  icx_storage_cache_slot *s = calloc(n, sizeof *s);

  if (!s)
    return -1;
  for (i = 0; c->mask && i <= c->mask; i++) {
    if (!c->slots[i].key)
      continue;
    for (j = (size_t)c->slots[i].h & (n - 1); s[j].key; j = (j + 1) & (n - 1))
      ;
    s[j] = c->slots[i];
  }
  free(c->slots);
  c->slots = s;
  c->mask = n - 1;
  return 0;
}

/* Remembers key -> id.  Failing to remember is not an error. */
static void
storage_cache_put(icx_storage_cache *c, size_t max_bytes, uint64_t h, const unsigned char *key,
                  size_t len, sqlite3_int64 id)
{
  icx_storage_cache_block *b;
  unsigned char *copy;
  size_t i;

  if (c->bytes + (c->mask + 1) * sizeof *c->slots >= max_bytes)
    storage_cache_forget(c);             /* frees the blocks: read c->blocks after */
  if ((c->count + 1) * 2 > c->mask + 1) {
    /* The table takes half the bound at most; full at that size, it is
     * emptied instead. */
    if (c->mask && (c->mask + 1) * 2 * sizeof *c->slots > max_bytes / 2)
      storage_cache_forget(c);
    else if (storage_cache_grow(c))
      return;
  }
  b = c->blocks;
  if (!b || b->cap - b->used < len) {
    size_t block = max_bytes / 8 < ((size_t)1 << 20) ? max_bytes / 8 : ((size_t)1 << 20);
    size_t cap = len > block ? len : block;
    b = malloc(sizeof *b + cap);
    if (!b)
      return;
    b->used = 0;
    b->cap = cap;
    b->next = c->blocks;
    c->blocks = b;
    c->bytes += cap;
  }
  copy = b->data + b->used;
  memcpy(copy, key, len);
  b->used += len;
  for (i = (size_t)h & c->mask; c->slots[i].key; i = (i + 1) & c->mask)
    ;
  c->slots[i].h = h;
  c->slots[i].id = id;
  c->slots[i].key = copy;
  c->slots[i].len = len;
  c->count++;
}

/* --- terms ------------------------------------------------------------------ */

/* 1 and *out set when dt is a numeric XSD type and lex a valid lexical form
 * of it; else 0. */
int
icx_storage_numeric_value(const char *dt, const char *lex, double *out)
{
  static const char *const integers[] = {
    "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "positiveInteger", NULL
  };
  const char *local;
  int is_int = 0, is_float = 0, i;
  char *end;

  if (!dt || strncmp(dt, XSD, sizeof XSD - 1) != 0)
    return 0;
  local = dt + sizeof XSD - 1;
  for (i = 0; integers[i]; i++)
    if (!strcmp(local, integers[i]))
      is_int = 1;
  if (!strcmp(local, "double") || !strcmp(local, "float"))
    is_float = 1;
  if (!is_int && !is_float && strcmp(local, "decimal") != 0)
    return 0;
  if (is_float && (!strcmp(lex, "INF") || !strcmp(lex, "+INF") || !strcmp(lex, "-INF"))) {
    *out = lex[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    return 1;
  }
  /* The XSD lexical forms, checked strictly: strtod alone would also take
   * hex, "inf", "nan" and leading space. */
  if (!icx_lexical_number(lex, !is_int, is_float))
    return 0;
  *out = strtod(lex, &end);
  return *end == '\0';
}

/* Puts the term cache's key of (kind, dt, lang, text) in t->kbuf: *klen
 * bytes, hashed into *h.  Kind 0 is a namespace's text (dt 0, no lang).
 * 0, or -1 when out of memory. */
static int
storage_cache_key(icx_storage_inst *t, int kind, sqlite3_int64 dt, const char *lang,
                  size_t langlen, const unsigned char *text, size_t len, size_t *klen,
                  uint64_t *h)
{
  size_t n = 1 + sizeof dt + langlen + 1 + len;

  if (n > t->kcap) {
    size_t ncap = n * 2;
    unsigned char *nb = realloc(t->kbuf, ncap);
    if (!nb)
      return -1;
    t->kbuf = nb;
    t->kcap = ncap;
  }
  t->kbuf[0] = (unsigned char)kind;
  memcpy(t->kbuf + 1, &dt, sizeof dt);
  memcpy(t->kbuf + 1 + sizeof dt, lang, langlen + 1);
  memcpy(t->kbuf + 2 + sizeof dt + langlen, text, len);
  *klen = n;
  *h = storage_hash_bytes(t->kbuf, n);
  return 0;
}

/* Steps st, which selects one id or inserts one row, and resets it.  The
 * id selected (an insert: the row's, when it added one), 0 for none, -1
 * on error. */
static sqlite3_int64
storage_step_id(icx_storage_inst *t, sqlite3_stmt *st, int insert, const char *what)
{
  sqlite3_int64 id = 0;
  int rc = sqlite3_step(st);

  if (rc == SQLITE_ROW && !insert)
    id = sqlite3_column_int64(st, 0);
  else if (rc == SQLITE_DONE && insert && sqlite3_changes(t->db) > 0)
    id = sqlite3_last_insert_rowid(t->db);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_DONE && (insert || rc != SQLITE_ROW))
    return icx_storage_fail(t, what);
  return id;
}

/* The id of the namespace whose text is the len (> 0) bytes at iri; with
 * create, added when missing.  The id, 0 when missing and !create, -1 on
 * error.  Namespaces are few: the term cache keeps them as keys of kind 0. */
static sqlite3_int64
storage_ns_lookup(icx_storage_inst *t, const unsigned char *iri, size_t len, int create)
{
  sqlite3_int64 id = 0;
  sqlite3_stmt *st;
  uint64_t h = 0;
  size_t klen = 0;

  if (t->cache_on) {
    if (storage_cache_key(t, 0, 0, "", 0, iri, len, &klen, &h))
      return -1;
    if ((id = storage_cache_get(&t->cache, h, t->kbuf, klen)) > 0)
      return id;
  }
  if (create) {
    if (!(st = icx_storage_q(t, Q_NS_INS)))
      return -1;
    sqlite3_bind_text(st, 1, (const char *)iri, (int)len, SQLITE_STATIC);
    if ((id = storage_step_id(t, st, 1, "cannot add a namespace")) < 0)
      return -1;
  }
  if (!id) {
    if (!(st = icx_storage_q(t, Q_NS_GET)))
      return -1;
    sqlite3_bind_text(st, 1, (const char *)iri, (int)len, SQLITE_STATIC);
    if ((id = storage_step_id(t, st, 0, "cannot look up a namespace")) < 0)
      return -1;
    if (!id && create)
      return icx_storage_fail(t, "a namespace vanished while being added");
  }
  if (id > 0 && t->cache_on)
    storage_cache_put(&t->cache, t->cache_max, h, t->kbuf, klen, id);
  return id;
}

/* The id of the term (kind, lex, dt, lang); with create, added when
 * missing.  Returns the id, 0 when missing and !create, -1 on error.  An
 * IRI is kept as its namespace's id and the rest of its text
 * (icx_schema.h). */
sqlite3_int64
icx_storage_term_lookup(icx_storage_inst *t, int kind, const unsigned char *lex, size_t lexlen,
                        sqlite3_int64 dt, const char *lang, const char *dt_iri, int create)
{
  size_t langlen = lang ? strlen(lang) : 0, klen = 0;
  size_t nslen = kind == 1 ? icx_schema_ns_len((const char *)lex, lexlen) : 0;
  uint64_t h = 0;
  sqlite3_int64 id = 0, ns = 0;
  sqlite3_stmt *st;
  double num = 0;
  int pass;

  if (!lang)
    lang = "";
  if (t->cache_on) {
    if (storage_cache_key(t, kind, dt, lang, langlen, lex, lexlen, &klen, &h))
      return -1;
    if ((id = storage_cache_get(&t->cache, h, t->kbuf, klen)) > 0)
      return id;
  }
  if (nslen && (ns = storage_ns_lookup(t, lex, nslen, create)) <= 0)
    return ns;                  /* an error, or a namespace (so a term) not there */
  /* The insert first (ignored when the term is there), then the select;
   * both take the same parameters, the insert a number too. */
  for (pass = create ? 0 : 1; !id && pass < 2; pass++) {
    if (!(st = icx_storage_q(t, pass == 0 ? Q_TERM_INS : Q_TERM_GET)))
      return -1;
    sqlite3_bind_text(st, 1, (const char *)lex + nslen, (int)(lexlen - nslen), SQLITE_STATIC);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, dt);
    sqlite3_bind_text(st, 4, lang, (int)langlen, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, ns);
    if (pass == 0 && kind == 3 && dt &&
        icx_storage_numeric_value(dt_iri, (const char *)lex, &num))
      sqlite3_bind_double(st, 6, num);
    if ((id = storage_step_id(t, st, pass == 0, pass == 0 ? "cannot add a term"
                                                          : "cannot look up a term")) < 0)
      return -1;
    if (!id && create && pass == 1)
      return icx_storage_fail(t, "a term vanished while being added");
  }
  /* The namespace's lookup used the key's buffer: the term's key again. */
  if (id > 0 && t->cache_on &&
      (!nslen || !storage_cache_key(t, kind, dt, lang, langlen, lex, lexlen, &klen, &h)))
    storage_cache_put(&t->cache, t->cache_max, h, t->kbuf, klen, id);
  return id;
}

/* The id of node n (see icx_storage_term_lookup); -1 also for a node of no known kind. */
sqlite3_int64
icx_storage_term_id(icx_storage_inst *t, librdf_node *n, int create)
{
  const unsigned char *s;
  size_t len = 0;

  if (!n)
    return -1;
  switch (librdf_node_get_type(n)) {
  case LIBRDF_NODE_TYPE_RESOURCE:
    s = librdf_uri_as_counted_string(librdf_node_get_uri(n), &len);
    return s ? icx_storage_term_lookup(t, 1, s, len, 0, NULL, NULL, create) : -1;
  case LIBRDF_NODE_TYPE_BLANK:
    s = librdf_node_get_blank_identifier(n);
    return s ? icx_storage_term_lookup(t, 2, s, strlen((const char *)s), 0, NULL, NULL, create)
             : -1;
  case LIBRDF_NODE_TYPE_LITERAL: {
    librdf_uri *dtu = librdf_node_get_literal_value_datatype_uri(n);
    const char *dt_iri = NULL;
    sqlite3_int64 dt = 0;
    if (dtu)
      dt_iri = icx_schema_literal_dt((const char *)librdf_uri_as_string(dtu));
    if (dt_iri) {
      dt = icx_storage_term_lookup(t, 1, (const unsigned char *)dt_iri, strlen(dt_iri), 0, NULL,
                                   NULL, create);
      if (dt <= 0)
        return dt;
    }
    s = librdf_node_get_literal_value_as_counted_string(n, &len);
    if (!s)
      return -1;
    return icx_storage_term_lookup(t, 3, s, len, dt, librdf_node_get_literal_value_language(n),
                                   dt_iri, create);
  }
  case LIBRDF_NODE_TYPE_UNKNOWN:
  default:
    return -1;
  }
}

/* A new node from a term's columns; NULL when out of memory. */
librdf_node *
icx_storage_node_new(icx_storage_inst *t, int kind, const unsigned char *lex, int len,
                     const unsigned char *lang, const unsigned char *dt)
{
  librdf_uri *dtu = NULL;
  librdf_node *n;

  if (!lex)
    return NULL;
  if (kind == 1)
    return librdf_new_node_from_uri_string(t->world, lex);
  if (kind == 2)
    return librdf_new_node_from_blank_identifier(t->world, lex);
  if (dt && !(dtu = librdf_new_uri(t->world, dt)))
    return NULL;
  n = librdf_new_node_from_typed_counted_literal(t->world, lex, (size_t)len,
                                                 lang && *lang ? (const char *)lang : NULL,
                                                 lang ? strlen((const char *)lang) : 0, dtu);
  if (dtu)
    librdf_free_uri(dtu);
  return n;
}

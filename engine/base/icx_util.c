/* icx_util.c - string buffer, name normalisation, XML escaping. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "icx_ctx_internal.h"
#include "icx_util.h"

void
icx_buf_init(icx_buf *b, icx_ctx *ctx)
{
  memset(b, 0, sizeof *b);
  b->ctx = ctx;
}

static int
buf_reserve(icx_buf *b, size_t extra)
{
  size_t need, cap;
  char *p;

  if (b->failed)
    return -1;
  if (extra > (size_t)-1 / 2 - b->len) {
    b->failed = 1;
    return -1;
  }
  need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  p = icx_realloc(b->ctx, b->data, cap);
  if (!p) {
    b->failed = 1;
    return -1;
  }
  if (!b->data)
    p[0] = '\0';               /* a new buffer is the empty string */
  b->data = p;
  b->cap = cap;
  return 0;
}

void
icx_buf_append_len(icx_buf *b, const char *s, size_t n)
{
  if (buf_reserve(b, n))
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void
icx_buf_append(icx_buf *b, const char *s)
{
  icx_buf_append_len(b, s, strlen(s));
}

void
icx_buf_appendf(icx_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if (buf_reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void
icx_buf_append_xml(icx_buf *b, const char *s)
{
  const char *run = s;

  for (; *s; s++) {
    const char *rep = NULL;
    switch (*s) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '\'': rep = "&apos;"; break;
    case '"': rep = "&quot;"; break;
    default: break;
    }
    if (rep) {
      icx_buf_append_len(b, run, (size_t)(s - run));
      icx_buf_append(b, rep);
      run = s + 1;
    }
  }
  icx_buf_append_len(b, run, (size_t)(s - run));
}

void
icx_buf_append_attr(icx_buf *b, const char *name, const char *value)
{
  icx_buf_append(b, " ");
  icx_buf_append(b, name);
  icx_buf_append(b, "=\"");
  icx_buf_append_xml(b, value);
  icx_buf_append(b, "\"");
}

int
icx_buf_failed(const icx_buf *b)
{
  return b->failed;
}

char *
icx_buf_take(icx_buf *b)
{
  char *s;

  if (b->failed) {
    icx_buf_free(b);
    return NULL;
  }
  if (!b->data && buf_reserve(b, 0))
    return NULL;
  s = b->data;
  icx_buf_init(b, b->ctx);
  return s;
}

void
icx_buf_reset(icx_buf *b)
{
  b->len = 0;
  b->failed = 0;
  if (b->data)
    b->data[0] = '\0';
}

void
icx_buf_free(icx_buf *b)
{
  icx_free(b->ctx, b->data);
  icx_buf_init(b, b->ctx);
}

int
icx_is_space(int c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
icx_norm_name(const char *in, char *out, size_t outsz)
{
  size_t o = 0;
  int pending_space = 0;

  if (outsz == 0)
    return -1;
  while (*in && icx_is_space((unsigned char)*in))
    in++;
  for (; *in; in++) {
    unsigned char c = (unsigned char)*in;
    if (icx_is_space(c)) {
      pending_space = 1;
      continue;
    }
    if (pending_space) {
      if (o + 1 >= outsz)
        return -1;
      out[o++] = ' ';
      pending_space = 0;
    }
    if (o + 1 >= outsz)
      return -1;
    out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  out[o] = '\0';
  return 0;
}

int
icx_name_eq(const char *a, const char *b)
{
  char na[1100], nb[1100];

  if (icx_norm_name(a, na, sizeof na) || icx_norm_name(b, nb, sizeof nb))
    return 0;
  return strcmp(na, nb) == 0;
}

char *
icx_trim_dup(icx_ctx *ctx, const char *s, size_t len)
{
  while (len > 0 && icx_is_space((unsigned char)*s)) {
    s++;
    len--;
  }
  while (len > 0 && icx_is_space((unsigned char)s[len - 1]))
    len--;
  return icx_strndup(ctx, s, len);
}

int
icx_cmp_strp(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
icx_lexical_number(const char *s, int fraction, int exponent)
{
  const char *p = s;
  int digits = 0;

  if (*p == '+' || *p == '-')
    p++;
  for (; *p >= '0' && *p <= '9'; p++)
    digits++;
  if (fraction && *p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++)
      digits++;
  if (!digits)
    return 0;
  if (exponent && (*p == 'e' || *p == 'E')) {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    if (!(*p >= '0' && *p <= '9'))
      return 0;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  return *p == '\0';
}

size_t
icx_control_char(const char *s, size_t len, unsigned *cp)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t i;

  for (i = 0; i < len; i++) {
    unsigned c = u[i];
    if (c < 0x20 || c == 0x7f) {
      *cp = c;
      return i;
    }
    if (c == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f) {
      *cp = u[i + 1];
      return i;
    }
    if (c == 0xe2 && i + 2 < len && (u[i + 1] == 0x80 || u[i + 1] == 0x81)) {
      unsigned x = 0x2000 + ((unsigned)(u[i + 1] & 0x3f) << 6) + (u[i + 2] & 0x3f);
      if (x == 0x200e || x == 0x200f || (x >= 0x2028 && x <= 0x202e) ||
          (x >= 0x2066 && x <= 0x2069)) {
        *cp = x;
        return i;
      }
    }
  }
  return len;
}

long
icx_parse_mib(const char *s, long dflt)
{
  char *end;
  long mb;

  if (!s || !*s)
    return dflt;
  mb = strtol(s, &end, 10);
  return *end == '\0' && mb >= 1 && mb <= 4096 ? mb : dflt;
}


uint64_t
icx_hash_bytes(const void *p, size_t n)
{
  const unsigned char *b = p;
  uint64_t h = 1469598103934665603ULL;
  size_t i;

  for (i = 0; i < n; i++)
    h = (h ^ b[i]) * 1099511628211ULL;
  return h;
}

uint64_t
icx_hash_str(const char *s)
{
  return icx_hash_bytes(s, strlen(s));
}

void
icx_malloc_tune(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
  const uintptr_t huge = (uintptr_t)2 << 20;
  uintptr_t lo, end;
  char *p;

  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);   /* glibc's largest */
  mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
  /* A block from the heap, with the heap grown past it by a pad: the
   * whole stretch, kept when the block is freed (under the trim
   * threshold), marked for huge pages. */
  mallopt(M_TOP_PAD, 96 * 1024 * 1024);
  p = malloc(31 * 1024 * 1024);
  end = (uintptr_t)sbrk(0);
  if (p && end != (uintptr_t)-1 && (uintptr_t)p < end && end - (uintptr_t)p < (uintptr_t)256 << 20) {
    lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    if (lo < (end & ~(huge - 1)))
      madvise((void *)lo, (end & ~(huge - 1)) - lo, MADV_HUGEPAGE);   /* a hint: failure is fine */
  }
  free(p);
  mallopt(M_TOP_PAD, 128 * 1024);                  /* glibc's default */
#endif
}

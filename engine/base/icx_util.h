/* icx_util.h - small helpers shared by icx modules (not installed):
 * a growable string buffer, name normalisation, XML escaping. */
#ifndef ICX_UTIL_H
#define ICX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "icx_ctx.h"

/* A hint that the cache line at p is wanted soon: look-ups in arrays of
 * millions are cache misses, which overlap when asked for ahead instead
 * of waited for one by one. */
#if defined(__GNUC__)
#define ICX_PREFETCH(p) __builtin_prefetch(p)
#else
#define ICX_PREFETCH(p) ((void)(p))
#endif

/* A growable NUL-terminated string in ctx's allocator's memory.  Once an append fails, every later
 * append is a no-op and icx_buf_failed() says so; check once at the end. */
typedef struct icx_buf {
  char *data;
  size_t len;
  size_t cap;
  int failed;
  icx_ctx *ctx;          /* whose allocator holds data (NULL: the C library's) */
} icx_buf;

void icx_buf_init(icx_buf *b, icx_ctx *ctx);
void icx_buf_append(icx_buf *b, const char *s);
void icx_buf_append_len(icx_buf *b, const char *s, size_t n);
void icx_buf_appendf(icx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, ' and " escaped for XML text and attributes. */
void icx_buf_append_xml(icx_buf *b, const char *s);
/* Appends an attribute of the start tag being written: a space, name,
 * and value in double quotes, escaped. */
void icx_buf_append_attr(icx_buf *b, const char *name, const char *value);
int icx_buf_failed(const icx_buf *b);
/* Empties b for reuse, keeping its memory, and forgets a failed append. */
void icx_buf_reset(icx_buf *b);
/* Hands the string to the caller (icx_free(b->ctx, ...) it) and resets b;
 * NULL if any append failed. */
char *icx_buf_take(icx_buf *b);
void icx_buf_free(icx_buf *b);

/* Writes the comparison form of a name into out (size outsz): surrounding
 * whitespace trimmed, inner runs of whitespace made one space, ASCII
 * letters lowered.  Returns 0, or -1 if it does not fit. */
int icx_norm_name(const char *in, char *out, size_t outsz);
/* 1 if a and b have the same comparison form. */
int icx_name_eq(const char *a, const char *b);

/* Returns s with surrounding whitespace trimmed, as a new string of ctx's
 * allocator; NULL on ENOMEM. */
char *icx_trim_dup(icx_ctx *ctx, const char *s, size_t len);

/* 1 if s is a whitespace character of XML (space, tab, CR, LF). */
int icx_is_space(int c);

/* 1 if s is, in whole, an XSD numeric lexical form: an optional sign and
 * digits, then (with fraction) '.' and digits, then (with exponent) 'e' or
 * 'E', an optional sign and digits; at least one digit before any
 * exponent.  Nothing else: no space, hex, "inf" or "nan". */
int icx_lexical_number(const char *s, int fraction, int exponent);

/* The first character of s[0..len) that has no place in a name shown to
 * people: a C0 or C1 control (NUL, CR, LF, ... U+007F, U+0080-U+009F),
 * a bidirectional control (U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069) or a line or paragraph separator (U+2028, U+2029).
 * Returns its byte offset and sets *cp to its code point, or returns len
 * when there is none.  s is UTF-8; other bytes are passed over. */
size_t icx_control_char(const char *s, size_t len, unsigned *cp);

/* A size in MiB from s (a decimal number, 1 to 4096), else dflt (for s
 * NULL, empty, not a number or out of range). */
long icx_parse_mib(const char *s, long dflt);

/* FNV-1a (64 bits) of the n bytes at p, and of the C string s: for hash
 * tables and short fingerprints, never for anything an adversary could
 * aim at where collisions would cost more than a longer probe. */
uint64_t icx_hash_bytes(const void *p, size_t n);
uint64_t icx_hash_str(const char *s);

/* For icx's programs (icx, icxd, the benchmarks), called first in main():
 * keeps the C library's allocator from handing each large block (a broad
 * answer's arrays, a few MiB) back to the kernel when freed and mapping a
 * fresh one for the next request, whose first touch of every page then
 * faults (costly in a virtual machine: 60 of a 1M-cloud broad request's
 * 120 ms).  Large blocks come from the heap, and up to 128 MiB freed stays
 * there for the next request.  The heap is then made 128 MiB long at once
 * (address space only) and asked for transparent huge pages
 * (MADV_HUGEPAGE; a kernel in "madvise" mode gives them only on request),
 * so that a new process's first request takes its memory in 2 MiB
 * faults, not 4 KiB ones: at a million clouds the ranked shape's first
 * request faulted 8,800 times, now 1,900.  A page is still only made
 * when touched.  A library must not call it: it changes the whole
 * process.  Nothing on a C library other than glibc, nor under a
 * sanitizer's allocator (the block it probes is then not the heap's). */
void icx_malloc_tune(void);

/* qsort comparator for arrays of char*. */
int icx_cmp_strp(const void *a, const void *b);

#endif

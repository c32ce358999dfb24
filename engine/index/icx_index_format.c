/* icx_index_format.c - what the reader and the writer of the saved index
 * share (icx_index_format.h): its sections' hash, its path, and the
 * record that a file is still the one its writer checked. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <roaring/roaring.h>

#include "icx_ctx_internal.h"
#include "icx_index_format.h"
#include "icx_util.h"

#define HASH_M 0x9E3779B97F4A7C15ULL

/* The hash of n bytes at p, in four independent lanes so that the
 * multiplies overlap. */
static uint64_t
hash_piece(const void *p, size_t n)
{
  const unsigned char *b = p;
  uint64_t a[4] = { n, 0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL, 0xA4093822299F31D0ULL }, w;
  size_t i = 0, k;

  for (; i + 32 <= n; i += 32)
    for (k = 0; k < 4; k++) {
      memcpy(&w, b + i + 8 * k, 8);
      a[k] = (a[k] ^ w) * HASH_M;
      a[k] ^= a[k] >> 29;
    }
  for (; i + 8 <= n; i += 8) {
    memcpy(&w, b + i, 8);
    a[0] = (a[0] ^ w) * HASH_M;
    a[0] ^= a[0] >> 29;
  }
  for (w = 0, k = 0; i < n; i++, k++)
    w |= (uint64_t)b[i] << (8 * k);
  a[1] = (a[1] ^ w) * HASH_M;
  for (k = 1; k < 4; k++)
    a[0] = ((a[0] ^ a[k]) * HASH_M) ^ (a[0] >> 31);
  return a[0];
}

uint64_t
icx_index_format_hash(uint64_t h, const void *p, size_t n)
{
  h = (h ^ hash_piece(p, n)) * HASH_M;
  return h ^ (h >> 32);
}

char *
icx_index_format_path(icx_ctx *mem, icx_store *store)
{
  const char *p = icx_store_path(store);
  size_t n;
  char *s;

  if (!p || !*p || !strcmp(p, ":memory:"))
    return NULL;
  n = strlen(p);
  if (!(s = icx_malloc(mem, n + sizeof "-index")))
    return NULL;
  memcpy(s, p, n);
  memcpy(s + n, "-index", sizeof "-index");
  return s;
}

/* --- the record of a checked file ------------------------------------------ */

/* Version 1 held the change time too (words 5 and 6, 0 now). */
#define MARK_MAGIC "icx-ixc\2"
#define MARK_WORDS 12

/* The record of file sb at seq (token).  Not its change time: that
 * moves with its owner, mode or links too (an operator's chown -R over
 * the data folder), which leave the bytes as written; a write moves the
 * modification time. */
static void
mark_words(uint64_t m[MARK_WORDS], const struct stat *sb, long long seq, unsigned long long token)
{
  memcpy(m, MARK_MAGIC, 8);
  m[1] = FILE_BOM;
  m[2] = (uint64_t)sb->st_dev;
  m[3] = (uint64_t)sb->st_ino;
  m[4] = (uint64_t)sb->st_size;
  m[5] = 0;
  m[6] = 0;
  m[7] = (uint64_t)sb->st_mtim.tv_sec;
  m[8] = (uint64_t)sb->st_mtim.tv_nsec;
  m[9] = (uint64_t)seq;
  m[10] = token;
  m[11] = FILE_ROARING;
}

/* "<path>.checked", or with a writer's suffix; NULL when too long. */
static int
mark_path(char *out, size_t cap, const char *path, const char *tail)
{
  int n = snprintf(out, cap, "%s.checked%s", path, tail);

  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void
icx_index_format_mark(const char *path, ino_t ino, long long seq, unsigned long long token)
{
  char rec[4096], tmp[4096 + 32], tail[32];
  uint64_t m[MARK_WORDS];
  struct stat sb;
  int fd, ok;

  snprintf(tail, sizeof tail, ".%ld.tmp", (long)getpid());
  if (mark_path(rec, sizeof rec, path, "") || mark_path(tmp, sizeof tmp, path, tail))
    return;
  if (!ino || stat(path, &sb) || sb.st_ino != ino) {
    unlink(rec);                /* the old file's record: its inode may come again */
    return;
  }
  mark_words(m, &sb, seq, token);
  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, sb.st_mode & 0644)) < 0)
    return;
  ok = write(fd, m, sizeof m) == (ssize_t)sizeof m;
  if (close(fd) || !ok || rename(tmp, rec))
    unlink(tmp);
}

int
icx_index_format_checked(const char *path, const struct stat *sb, long long seq,
                         unsigned long long token, uid_t owner)
{
  char rec[4096];
  uint64_t want[MARK_WORDS], got[MARK_WORDS];
  struct stat rb;
  int fd, ok;

  if (mark_path(rec, sizeof rec, path, "") ||
      (fd = open(rec, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
    return 0;
  ok = !fstat(fd, &rb) && S_ISREG(rb.st_mode) && rb.st_size == (off_t)sizeof got &&
       (rb.st_uid == owner || rb.st_uid == geteuid()) &&
       pread(fd, got, sizeof got, 0) == (ssize_t)sizeof got;
  close(fd);
  mark_words(want, sb, seq, token);
  return ok && !memcmp(want, got, sizeof want);
}

/* icx_postings_sort.c - pairs gathered by key in runs sorted by radix,
 * merged from a temporary file (icx_postings_sort.h says why).
 */
#define _GNU_SOURCE 1               /* mkostemp() */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "icx_postings_sort.h"

/* A key's ids with the sign bit flipped: their order as unsigned numbers
 * is the ids' order. */
#define FLIP ((uint64_t)1 << 63)
/* What one run's reader holds of the file at a time. */
#define READ_BUF (64 * 1024)
/* The most bytes a packed pair takes: its tag and four varints. */
#define PACKED_MAX (1 + 4 * 10)

enum { TAG_SAME_KEY, TAG_NEW_B, TAG_NEW_A };

typedef struct rec {
  uint64_t a, b;
  icx_id x, y;
} rec;

typedef struct span {
  off_t off, len;
} span;

struct icx_postings_sort {
  rec *v, *tmp;               /* the run being filled; room to sort it */
  size_t n, cap, max;
  FILE *f;                    /* the runs written, NULL before the first */
  span *runs;
  size_t n_runs, cap_runs;
  off_t end;
};

icx_postings_sort *
icx_postings_sort_new(size_t run)
{
  icx_postings_sort *ps = calloc(1, sizeof *ps);

  if (ps)
    ps->max = run ? run : ICX_POSTINGS_SORT_RUN;
  return ps;
}

void
icx_postings_sort_free(icx_postings_sort *ps)
{
  if (!ps)
    return;
  free(ps->v);
  free(ps->tmp);
  free(ps->runs);
  if (ps->f)
    fclose(ps->f);
  free(ps);
}

size_t
icx_postings_sort_runs(const icx_postings_sort *ps)
{
  return ps ? ps->n_runs : 0;
}

/* Sorts ps->v[0..n) by (a, b), stably: least significant byte first, a
 * byte the same in every pair skipped (a key's ids rarely use all eight).
 * The sorted pairs end in ps->v. */
static int
sort_run(icx_postings_sort *ps)
{
  size_t (*count)[256], i, d;
  rec *src = ps->v, *dst;

  if (ps->n < 2)
    return 0;
  if (!ps->tmp && !(ps->tmp = malloc(ps->cap * sizeof *ps->tmp)))
    return -1;
  if (!(count = calloc(16, sizeof *count))) {
    errno = ENOMEM;
    return -1;
  }
  dst = ps->tmp;
  for (i = 0; i < ps->n; i++)
    for (d = 0; d < 8; d++) {
      count[d][(src[i].b >> (8 * d)) & 0xff]++;
      count[8 + d][(src[i].a >> (8 * d)) & 0xff]++;
    }
  for (d = 0; d < 16; d++) {
    unsigned sh = 8 * (unsigned)(d & 7);
    size_t at = 0, k, *c = count[d];
    rec *t;

    if (c[((d < 8 ? src[0].b : src[0].a) >> sh) & 0xff] == ps->n)
      continue;
    for (k = 0; k < 256; k++) {
      size_t here = c[k];
      c[k] = at;
      at += here;
    }
    for (i = 0; i < ps->n; i++)
      dst[c[((d < 8 ? src[i].b : src[i].a) >> sh) & 0xff]++] = src[i];
    t = src, src = dst, dst = t;
  }
  free(count);
  ps->v = src;
  ps->tmp = dst;
  return 0;
}

/* Writes the pair r packed after prev: a tag (same key, a new b under
 * the same a, a new a), what changed of the key, then the changes of x
 * and y zigzagged.  The bytes written to out. */
static size_t
pack(unsigned char *out, const rec *prev, const rec *r)
{
  size_t n = 1;

  if (r->a != prev->a) {
    out[0] = TAG_NEW_A;
    n += icx_postings_varint_put(out + n, r->a - prev->a);
    n += icx_postings_varint_put(out + n, r->b);
  } else if (r->b != prev->b) {
    out[0] = TAG_NEW_B;
    n += icx_postings_varint_put(out + n, r->b - prev->b);
  } else {
    out[0] = TAG_SAME_KEY;
  }
  n += icx_postings_varint_put(out + n, icx_postings_zigzag((uint64_t)r->x - (uint64_t)prev->x));
  n += icx_postings_varint_put(out + n, icx_postings_zigzag((uint64_t)r->y - (uint64_t)prev->y));
  return n;
}

/* An unnamed file for the runs, where SQLite puts its own temporary
 * files: $TMPDIR, else /var/tmp, else /tmp.  NULL with errno set. */
static FILE *
temp_file(void)
{
  static const char *const dirs[] = { NULL, "/var/tmp", "/tmp" };
  char path[4096];
  size_t i;
  int fd = -1, err = ENOENT;
  FILE *f;

  for (i = 0; i < sizeof dirs / sizeof *dirs && fd < 0; i++) {
    const char *dir = i ? dirs[i] : getenv("TMPDIR");
    if (!dir || !*dir ||
        (size_t)snprintf(path, sizeof path, "%s/icx-sort-XXXXXX", dir) >= sizeof path)
      continue;
    if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
      err = errno;
    else
      unlink(path);
  }
  if (fd < 0) {
    errno = err;
    return NULL;
  }
  if (!(f = fdopen(fd, "w+"))) {
    err = errno;
    close(fd);
    errno = err;
  }
  return f;
}

/* Sorts the run in memory and writes it, packed, after the runs before
 * it.  0, or -1. */
static int
spill(icx_postings_sort *ps)
{
  unsigned char buf[READ_BUF];
  size_t i, used = 0;
  rec prev = { 0, 0, 0, 0 };
  span *sp;
  off_t len = 0;

  if (sort_run(ps))
    return -1;
  if (!ps->f && !(ps->f = temp_file()))
    return -1;
  if (ps->n_runs == ps->cap_runs) {
    size_t cap = ps->cap_runs ? 2 * ps->cap_runs : 16;
    if (!(sp = realloc(ps->runs, cap * sizeof *sp)))
      return -1;
    ps->runs = sp;
    ps->cap_runs = cap;
  }
  for (i = 0; i < ps->n; i++) {
    if (sizeof buf - used < PACKED_MAX) {
      if (fwrite(buf, 1, used, ps->f) != used)
        return -1;
      len += (off_t)used;
      used = 0;
    }
    used += pack(buf + used, &prev, &ps->v[i]);
    prev = ps->v[i];
  }
  if (fwrite(buf, 1, used, ps->f) != used)
    return -1;
  len += (off_t)used;
  ps->runs[ps->n_runs].off = ps->end;
  ps->runs[ps->n_runs++].len = len;
  ps->end += len;
  ps->n = 0;
  return 0;
}

int
icx_postings_sort_add(icx_postings_sort *ps, icx_id a, icx_id b, icx_posting e)
{
  rec *r;

  if (ps->n == ps->cap) {
    if (ps->cap == ps->max) {
      if (spill(ps))
        return -1;
    } else {
      size_t cap = ps->cap ? 2 * ps->cap : 1024;
      if (cap > ps->max)
        cap = ps->max;
      if (!(r = realloc(ps->v, cap * sizeof *r)))
        return -1;
      ps->v = r;
      ps->cap = cap;
      free(ps->tmp);          /* sized to the run: made again when sorted */
      ps->tmp = NULL;
    }
  }
  r = &ps->v[ps->n++];
  r->a = (uint64_t)a ^ FLIP;
  r->b = (uint64_t)b ^ FLIP;
  r->x = e.x;
  r->y = e.y;
  return 0;
}

/* --- the merge ----------------------------------------------------------------- */

typedef struct reader {
  off_t at, end;              /* the run's bytes not read yet */
  unsigned char *buf;
  size_t pos, len;
  rec cur;                    /* the pair read last, when has */
  int has;
} reader;

/* The run's next pair into r->cur: 1, 0 at its end, or -1 (the file
 * cannot be read, or holds what spill() did not write). */
static int
reader_next(FILE *f, reader *r)
{
  size_t at;
  uint64_t d;
  rec c = r->cur;

  if (r->len - r->pos < PACKED_MAX && r->at < r->end) {
    size_t keep = r->len - r->pos, want = READ_BUF - keep;
    ssize_t got;
    if ((off_t)want > r->end - r->at)
      want = (size_t)(r->end - r->at);
    memmove(r->buf, r->buf + r->pos, keep);
    if ((got = pread(fileno(f), r->buf + keep, want, r->at)) <= 0) {
      errno = got < 0 ? errno : EIO;
      return -1;
    }
    r->at += got;
    r->pos = 0;
    r->len = keep + (size_t)got;
  }
  if (r->pos == r->len)
    return r->has = 0;
  at = r->pos + 1;
  switch (r->buf[r->pos]) {
  case TAG_NEW_A:
    if (icx_postings_varint_get(r->buf, r->len, &at, &d))
      goto bad;
    c.a += d;
    if (icx_postings_varint_get(r->buf, r->len, &at, &c.b))
      goto bad;
    break;
  case TAG_NEW_B:
    if (icx_postings_varint_get(r->buf, r->len, &at, &d))
      goto bad;
    c.b += d;
    break;
  case TAG_SAME_KEY:
    break;
  default:
    goto bad;
  }
  if (icx_postings_varint_get(r->buf, r->len, &at, &d))
    goto bad;
  c.x = (icx_id)((uint64_t)c.x + icx_postings_unzigzag(d));
  if (icx_postings_varint_get(r->buf, r->len, &at, &d))
    goto bad;
  c.y = (icx_id)((uint64_t)c.y + icx_postings_unzigzag(d));
  r->pos = at;
  r->cur = c;
  return r->has = 1;
bad:
  errno = EIO;
  return -1;
}

/* 1 when reader i's pair comes before reader j's: by key, then by run. */
static int
before(const reader *rd, size_t i, size_t j)
{
  const rec *p = &rd[i].cur, *q = &rd[j].cur;

  if (p->a != q->a)
    return p->a < q->a;
  if (p->b != q->b)
    return p->b < q->b;
  return i < j;
}

static void
sift_down(const reader *rd, size_t *heap, size_t n, size_t at)
{
  for (;;) {
    size_t l = 2 * at + 1, m = at, t;
    if (l < n && before(rd, heap[l], heap[m]))
      m = l;
    if (l + 1 < n && before(rd, heap[l + 1], heap[m]))
      m = l + 1;
    if (m == at)
      return;
    t = heap[at], heap[at] = heap[m], heap[m] = t;
    at = m;
  }
}

static int
emit(icx_postings_sort_fn fn, void *ud, const rec *r)
{
  icx_posting e = { r->x, r->y };

  return fn(ud, (icx_id)(r->a ^ FLIP), (icx_id)(r->b ^ FLIP), e);
}

/* Merges the runs written: the reader whose pair comes first gives every
 * pair it has under that key, then goes back into the heap. */
static int
merge(icx_postings_sort *ps, icx_postings_sort_fn fn, void *ud)
{
  reader *rd = calloc(ps->n_runs, sizeof *rd);
  size_t *heap = calloc(ps->n_runs, sizeof *heap), n = 0, i;
  int rc = -1;

  if (!rd || !heap || fflush(ps->f))
    goto done;
  for (i = 0; i < ps->n_runs; i++) {
    rd[i].at = ps->runs[i].off;
    rd[i].end = ps->runs[i].off + ps->runs[i].len;
    if (!(rd[i].buf = malloc(READ_BUF)))
      goto done;
    switch (reader_next(ps->f, &rd[i])) {
    case 1:
      heap[n++] = i;
      break;
    case 0:
      break;
    default:
      goto done;
    }
  }
  for (i = n / 2; i-- > 0;)
    sift_down(rd, heap, n, i);
  while (n) {
    reader *r = &rd[heap[0]];
    uint64_t a = r->cur.a, b = r->cur.b;
    int got;

    do {
      if ((rc = emit(fn, ud, &r->cur)) != 0)
        goto done;
      rc = -1;
    } while ((got = reader_next(ps->f, r)) == 1 && r->cur.a == a && r->cur.b == b);
    if (got < 0)
      goto done;
    if (!got)
      heap[0] = heap[--n];
    sift_down(rd, heap, n, 0);
  }
  rc = 0;
done:
  for (i = 0; rd && i < ps->n_runs; i++)
    free(rd[i].buf);
  free(rd);
  free(heap);
  return rc;
}

int
icx_postings_sort_walk(icx_postings_sort *ps, icx_postings_sort_fn fn, void *ud)
{
  size_t i;
  int rc;

  if (ps->f)
    return ps->n && spill(ps) ? -1 : merge(ps, fn, ud);
  if (sort_run(ps))
    return -1;
  for (i = 0; i < ps->n; i++)
    if ((rc = emit(fn, ud, &ps->v[i])) != 0)
      return rc;
  return 0;
}

/* icx_index_file_write.c - the matching index written beside its store
 * (icx_index_save(); the layout: icx_index_format.h).  The file is
 * written to a temporary name, synced and renamed over the old one, then
 * recorded as checked. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_index_format.h"
#include "icx_index_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

/* The file goes down in pieces of WR_PIECE bytes, each at an offset
 * that is a multiple of it: a file system with large folios (ext4 and
 * XFS on Linux 6.x) then keeps the file in the page cache as folios of
 * that size, and a reader's map of it gets huge page mappings instead of
 * one mapping per 4 KiB page.  A new process's first touch of a page is
 * its largest cold cost (doc/performance.md, "Cold start in huge
 * pages"); written through stdio's 4 KiB buffer the file was cached in
 * 4 KiB folios. */
#define WR_PIECE (2u << 20)

typedef struct file_wr {
  int fd;
  char *buf;                  /* WR_PIECE bytes */
  size_t fill;
  uint64_t pos;
  uint64_t hash;              /* of the present section's data */
  int bad;
} file_wr;

/* n bytes of p written whole to fd at its offset.  0 or -1 (errno). */
static int
wr_all(int fd, const char *p, size_t n)
{
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* bytes of p into the file, a piece written when one is full. */
static void
wr_raw(file_wr *w, const void *p, size_t bytes)
{
  const char *c = p;

  w->pos += bytes;
  while (!w->bad && bytes) {
    size_t k = WR_PIECE - w->fill < bytes ? WR_PIECE - w->fill : bytes;
    memcpy(w->buf + w->fill, c, k);
    w->fill += k;
    c += k;
    bytes -= k;
    if (w->fill == WR_PIECE) {
      w->bad = wr_all(w->fd, w->buf, WR_PIECE) != 0;
      w->fill = 0;
    }
  }
}

static void
wr_zero(file_wr *w, size_t bytes)
{
  static const char zero[32];

  wr_raw(w, zero, bytes);
}

static void
wr_put(file_wr *w, const void *p, size_t bytes)
{
  wr_raw(w, p, bytes);
  wr_zero(w, pad8(bytes) - bytes);
  w->hash = icx_index_format_hash(w->hash, p, bytes);
}

static void
wr_bitmap(file_wr *w, uint32_t where, uint32_t k, const roaring_bitmap_t *b)
{
  uint32_t head[2] = { where, k };
  uint64_t sz[2];
  size_t bytes = roaring_bitmap_frozen_size_in_bytes(b);
  char *buf;

  if (w->bad || !(buf = aligned_alloc(32, (bytes + 31) & ~(size_t)31))) {
    w->bad = 1;
    return;
  }
  sz[0] = roaring_bitmap_get_cardinality(b);
  sz[1] = bytes;
  roaring_bitmap_frozen_serialize(b, buf);
  wr_put(w, head, sizeof head);
  wr_put(w, sz, sizeof sz);
  wr_zero(w, (size_t)((32 - w->pos % 32) % 32));   /* the view needs 32-aligned data */
  wr_put(w, buf, bytes);
  free(buf);
}

static void
wr_pred(file_wr *w, const icx_index_pred *pr)
{
  uint64_t c[PRED_COUNTS] = { (uint64_t)pr->p, pr->n, pr->n_run, pr->n_obj,
                              pr->n_num, pr->n_num_run, pr->n_val, 1 };
  size_t k;

  for (k = 0; k < pr->n_obj; k++)
    c[7] += pr->obj_bm[k] != NULL;
  for (k = 0; k < pr->n_val; k++)
    c[7] += pr->val_bm[k] != NULL;
  wr_put(w, c, sizeof c);
  wr_put(w, pr->subj, pr->n_run * 4);
  wr_put(w, pr->obj_id, pr->n_obj * 4);
  wr_put(w, pr->obj_off, (pr->n_obj + 1) * 4);
  wr_put(w, pr->val, pr->n_val * 8);
  wr_put(w, pr->val_off, (pr->n_val + 1) * 4);
  wr_put(w, pr->num_subj, pr->n_num_run * 4);
  wr_bitmap(w, BM_ALL, 0, pr->all);
  for (k = 0; k < pr->n_obj; k++)
    if (pr->obj_bm[k])
      wr_bitmap(w, BM_OBJ, (uint32_t)k, pr->obj_bm[k]);
  for (k = 0; k < pr->n_val; k++)
    if (pr->val_bm[k])
      wr_bitmap(w, BM_VAL, (uint32_t)k, pr->val_bm[k]);
}

static void
wr_clouds(file_wr *w, const icx_index *ix)
{
  int ordered = ix->names_ordered && !ix->names_pending;
  uint64_t c[CLOUD_COUNTS] = { (uint64_t)ix->name_p, (uint64_t)ix->offers_p, ix->n_clouds,
                               ix->n_names, ix->n_offer, ix->n_svc, (uint64_t)ordered,
                               ordered ? ix->n_txt : 0, ordered ? ix->n_rank : 0,
                               ix->cloud_bm && ix->n_skip };
  uint64_t t[2] = { ix->skip_shift, ix->n_skip };

  wr_put(w, c, sizeof c);
  wr_put(w, ix->cloud_id, ix->n_clouds * 4);
  wr_put(w, ix->name_off, (ix->n_clouds + 1) * 4);
  wr_put(w, ix->name_id, ix->n_names * 4);
  wr_put(w, ix->offer, ix->n_offer * 8);
  if (ordered) {
    wr_put(w, ix->name_rank, ix->n_names * 4);
    wr_put(w, ix->txt, ix->n_txt);
    wr_put(w, ix->rank_off, ix->n_rank * 4);
  }
  if (c[9]) {                   /* what a reader would make again */
    wr_put(w, t, sizeof t);
    wr_put(w, ix->offer_skip, ix->n_skip * 4);
    wr_bitmap(w, BM_ALL, 0, ix->cloud_bm);
  }
}

/* Writes ix at change seq (token) to the open file fd, empty. */
static int
file_write(int fd, const icx_index *ix, long long seq, unsigned long long token)
{
  file_wr w = { fd, NULL, 0, 0, 0, 0 };
  size_t n_sect = ix->n_preds + (ix->clouds_read ? 1 : 0), i, t = 0;
  uint64_t h[FILE_HEADER / 8] = { 0 }, *toc;

  if (!(toc = calloc(n_sect + 1, FILE_TOC_ENTRY)) || !(w.buf = malloc(WR_PIECE))) {
    free(toc);
    return -1;
  }
  memcpy(h, FILE_MAGIC, 8);
  h[1] = FILE_BOM;
  h[2] = (uint64_t)seq;
  h[3] = token;
  h[4] = n_sect;
  h[6] = FILE_ROARING;
  wr_put(&w, h, sizeof h);
  wr_put(&w, toc, n_sect * FILE_TOC_ENTRY);
  for (i = 0; i <= ix->n_preds; i++) {
    uint64_t *e = toc + 5 * t;
    if (i == ix->n_preds && !ix->clouds_read)
      break;
    e[0] = i < ix->n_preds ? SECT_PRED : SECT_CLOUDS;
    e[1] = i < ix->n_preds ? (uint64_t)ix->preds[i]->p : (uint64_t)ix->name_p;
    e[2] = w.pos;
    w.hash = 0;
    if (i < ix->n_preds)
      wr_pred(&w, ix->preds[i]);
    else
      wr_clouds(&w, ix);
    e[3] = w.pos - e[2];
    e[4] = w.hash;
    t++;
  }
  h[5] = w.pos;
  if (!w.bad && w.fill)
    w.bad = wr_all(fd, w.buf, w.fill) != 0;
  /* The header and the table last, in the first piece's folio. */
  if (!w.bad && (pwrite(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
                 pwrite(fd, toc, n_sect * FILE_TOC_ENTRY, sizeof h) !=
                   (ssize_t)(n_sect * FILE_TOC_ENTRY)))
    w.bad = 1;
  free(w.buf);
  free(toc);
  return w.bad ? -1 : 0;
}

/* The written file's modification time set to the fine clock's reading
 * (a write after it gets the coarse clock's: icx_index_format.h), and
 * its inode into *ino; *ino 0 (no record made) when the file system did
 * not keep the reading to the nanosecond (a file system of coarse times
 * would give a later write the same time) or refused it. */
static void
file_stamp(int fd, ino_t *ino)
{
  struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
  struct stat sb;

  *ino = 0;
  if (clock_gettime(CLOCK_REALTIME, &ts[1]))
    return;
  if (ts[1].tv_nsec % 1000 == 0)   /* never a time a coarser one could keep */
    ts[1].tv_nsec += 1;
  if (!futimens(fd, ts) && !fstat(fd, &sb) && sb.st_mtim.tv_sec == ts[1].tv_sec &&
      sb.st_mtim.tv_nsec == ts[1].tv_nsec)
    *ino = sb.st_ino;
}

icx_rc
icx_index_save(icx_ctx *ctx, icx_index *ix, double min_ms, int *saved)
{
  unsigned long long token;
  char *path, *tmp = NULL;
  struct stat db;
  double t0 = icx_now_ms();
  int fd = -1, has;
  ino_t ino;
  size_t n;

  if (saved)
    *saved = 0;
  if (!ctx || !ix)
    return ICX_ERR_MISUSE;
  if (ix->store_ms < min_ms || !ix->seq_known || ix->seq <= 0 ||
      !(path = icx_index_format_path(ix->mem, ix->store)))
    return ICX_OK;
  if ((has = icx_store_change_token(ix->store, ix->seq, &token)) != 0) {
    icx_free(ix->mem, path);
    if (has < 0)
      return icx_index_pass(ctx, ix->mem, ICX_ERR_STORE);
    icx_log(ctx, ICX_LOG_DEBUG, "index", "change %lld has no token: the index is not saved",
            ix->seq);
    return ICX_OK;
  }
  /* What the old file holds and this process did not ask for, first. */
  if (icx_index_file_read_all(ctx, ix)) {
    icx_free(ix->mem, path);
    return ICX_OK;
  }
  n = strlen(path);
  if (stat(icx_store_path(ix->store), &db) ||
      !(tmp = icx_malloc(ix->mem, n + 48)))
    goto failed;
  snprintf(tmp, n + 48, "%s.%ld.%llx.tmp", path, (long)getpid(), token & 0xffffffULL);
  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, db.st_mode & 0644)) < 0 ||
      file_write(fd, ix, ix->seq, token))
    goto failed;
  file_stamp(fd, &ino);
  if (fsync(fd))
    goto failed;
  if (close(fd)) {
    fd = -1;
    goto failed;
  }
  fd = -1;
  if (rename(tmp, path))
    goto failed;
  icx_index_format_mark(path, ino, ix->seq, token);
  ix->store_ms = 0;
  if (saved)
    *saved = 1;
  icx_log(ctx, ICX_LOG_DEBUG, "index", "saved at change %lld to %s in %.1f ms", ix->seq, path,
          icx_now_ms() - t0);
  icx_free(ix->mem, tmp);
  icx_free(ix->mem, path);
  return ICX_OK;
failed:
  /* A cache: a folder without room or without write access costs the
   * next process a read of the store, nothing else. */
  icx_log(ctx, ICX_LOG_DEBUG, "index", "cannot save the index to %s: %s", path, strerror(errno));
  if (fd >= 0)
    close(fd);
  if (tmp)
    unlink(tmp);
  icx_free(ix->mem, tmp);
  icx_free(ix->mem, path);
  return ICX_OK;
}

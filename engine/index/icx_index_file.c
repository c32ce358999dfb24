/* icx_index_file.c - the matching index saved beside its store read back
 * (icx_index.h, "Saved beside the store"; the layout, and why a file its
 * writer recorded as checked is not checked again: icx_index_format.h;
 * doc/architecture.md says why it is keyed by a change's token). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_index_format.h"
#include "icx_index_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

/* The file is mapped privately (copy on write) and what a section holds
 * is used where it lies: nothing is copied, and a page is read from the
 * page cache only when touched.  A mapped array is never freed or grown
 * (icx_index_mapped()); the map goes when the index is emptied or freed. */
int
icx_index_mapped(const icx_index *ix, const void *p)
{
  return ix->map && (const char *)p >= (const char *)ix->map &&
         (const char *)p < (const char *)ix->map + ix->map_len;
}

/* A cursor over one section of the map: every read is bounded by it. */
typedef struct file_rd {
  const char *base;
  uint64_t pos, end;
  uint64_t hash;              /* of the data passed so far */
  int bad;
  int check;                  /* hash what is passed (the file not trusted) */
} file_rd;

/* n items of size at the cursor (8-aligned after): their place in the
 * map, hashed, or NULL (r->bad set). */
static void *
rd_map(file_rd *r, size_t n, size_t size)
{
  const char *p;
  size_t bytes;

  if (r->bad || (size && n > (r->end - r->pos) / size))
    return r->bad = 1, NULL;
  bytes = n * size;
  if (pad8(bytes) > r->end - r->pos)
    return r->bad = 1, NULL;
  p = r->base + r->pos;
  r->pos += pad8(bytes);
  if (r->check)
    r->hash = icx_index_format_hash(r->hash, p, bytes);
  return (void *)(uintptr_t)p;
}

/* n items of size copied out (the counts that open a section). */
static int
rd_take(file_rd *r, void *dst, size_t n, size_t size)
{
  const void *p = rd_map(r, n, size);

  if (!p)
    return -1;
  memcpy(dst, p, n * size);
  return 0;
}

/* off[0 .. n] starts at 0, never falls and ends at total. */
static int
offsets_ok(const uint32_t *off, size_t n, size_t total)
{
  size_t i;

  if (off[0] != 0 || off[n] != total)
    return 0;
  for (i = 0; i < n; i++)
    if (off[i] > off[i + 1])
      return 0;
  return 1;
}

/* v[0 .. n) strictly ascending. */
static int
ascending_ok(const uint32_t *v, size_t n)
{
  size_t i;

  for (i = 1; i < n; i++)
    if (v[i - 1] >= v[i])
      return 0;
  return 1;
}

/* Each key's run of subj ascending, and a key with a bitmap has no run. */
static int
runs_ok(const uint32_t *subj, const uint32_t *off, size_t n_keys, roaring_bitmap_t *const *bm)
{
  size_t k;

  for (k = 0; k < n_keys; k++) {
    if (bm[k] && off[k + 1] != off[k])
      return 0;
    if (!ascending_ok(subj + off[k], off[k + 1] - off[k]))
      return 0;
  }
  return 1;
}

/* The bitmaps that end a predicate's section: their layout walked and
 * the section's hash checked (want) before CRoaring reads any of them;
 * each then a frozen view of the map. */
static int
rd_bitmaps(file_rd *r, icx_index_pred *pr, size_t n_bm, uint64_t want)
{
  const char *buf = r->base + r->pos;
  size_t len = (size_t)(r->end - r->pos), at = 0, i;

  if (r->bad)
    return -1;
  for (i = 0; i < n_bm; i++) {
    uint64_t sz[2];
    if (len - at < 24)
      return -1;
    memcpy(sz, buf + at + 8, 16);
    if (r->check) {
      r->hash = icx_index_format_hash(r->hash, buf + at, 8);
      r->hash = icx_index_format_hash(r->hash, buf + at + 8, 16);
    }
    at += 24;
    at += (size_t)((32 - (r->pos + at) % 32) % 32);
    if (at > len || !sz[1] || sz[1] > len - at || pad8((size_t)sz[1]) > len - at)
      return -1;
    if (r->check)
      r->hash = icx_index_format_hash(r->hash, buf + at, (size_t)sz[1]);
    at += pad8((size_t)sz[1]);
  }
  if (at != len || (r->check && r->hash != want))
    return -1;
  for (i = 0, at = 0; i < n_bm; i++) {
    uint32_t head[2];
    uint64_t sz[2];
    roaring_bitmap_t *b, **slot;

    memcpy(head, buf + at, 8);
    memcpy(sz, buf + at + 8, 16);
    at += 24;
    at += (size_t)((32 - (r->pos + at) % 32) % 32);
    if (head[0] == BM_ALL && head[1] == 0)
      slot = &pr->all;
    else if (head[0] == BM_OBJ && head[1] < pr->n_obj)
      slot = &pr->obj_bm[head[1]];
    else if (head[0] == BM_VAL && head[1] < pr->n_val)
      slot = &pr->val_bm[head[1]];
    else
      return -1;
    /* A view of the map, used in place (frozen: copied before a change,
     * icx_index_apply.c). */
    if (*slot || !(b = (roaring_bitmap_t *)(uintptr_t)roaring_bitmap_frozen_view(buf + at,
                                                                                  (size_t)sz[1])))
      return -1;
    *slot = b;
    if (roaring_bitmap_get_cardinality(b) != sz[0] || roaring_bitmap_is_empty(b))
      return -1;
    at += pad8((size_t)sz[1]);
  }
  r->pos = r->end;
  return 0;
}

/* The orders and bounds of a predicate read from an unchecked file. */
static int
pred_sound(const icx_index_pred *pr)
{
  size_t i;

  if (!offsets_ok(pr->obj_off, pr->n_obj, pr->n_run) ||
      !offsets_ok(pr->val_off, pr->n_val, pr->n_num_run) || !ascending_ok(pr->obj_id, pr->n_obj) ||
      (pr->n_obj && pr->obj_id[0] == 0) || !runs_ok(pr->subj, pr->obj_off, pr->n_obj, pr->obj_bm) ||
      !runs_ok(pr->num_subj, pr->val_off, pr->n_val, pr->val_bm))
    return 0;
  for (i = 0; i < pr->n_val; i++)
    if (isnan(pr->val[i]) || (i && pr->val[i - 1] >= pr->val[i]))
      return 0;
  return 1;
}

/* Section s as a predicate, checked whole unless the file is. */
static icx_index_pred *
file_read_pred(icx_index *ix, const file_sect *s)
{
  icx_ctx *mem = ix->mem;
  file_rd r = { ix->map, s->off, s->off + s->len, 0, 0, !ix->file->checked };
  uint64_t c[PRED_COUNTS];
  icx_index_pred *pr;

  if (rd_take(&r, c, PRED_COUNTS, 8) || c[0] != s->key || c[2] > c[1] || c[5] > c[4] ||
      c[1] > UINT32_MAX || c[4] > UINT32_MAX || c[3] > UINT32_MAX || c[6] > UINT32_MAX ||
      c[7] > 1 + c[3] + c[6] || !(pr = icx_calloc(mem, 1, sizeof *pr)))
    return NULL;
  pr->p = (icx_id)c[0];
  pr->n = c[1];
  pr->n_run = c[2];
  pr->n_obj = c[3];
  pr->n_num = c[4];
  pr->n_num_run = c[5];
  pr->n_val = c[6];
  pr->frozen = 1;
  pr->map_lo = ix->map;
  pr->map_hi = (const char *)ix->map + ix->map_len;
  if ((pr->subj = rd_map(&r, pr->n_run, 4)) && (pr->obj_id = rd_map(&r, pr->n_obj, 4)) &&
      (pr->obj_off = rd_map(&r, pr->n_obj + 1, 4)) && (pr->val = rd_map(&r, pr->n_val, 8)) &&
      (pr->val_off = rd_map(&r, pr->n_val + 1, 4)) &&
      (pr->num_subj = rd_map(&r, pr->n_num_run, 4)) &&
      (pr->obj_bm = icx_calloc(mem, pr->n_obj + 1, sizeof *pr->obj_bm)) &&
      (pr->val_bm = icx_calloc(mem, pr->n_val + 1, sizeof *pr->val_bm)) &&
      !rd_bitmaps(&r, pr, c[7], s->hash) && pr->all && (!r.check || pred_sound(pr)))
    return pr;
  icx_index_pred_free(mem, pr);
  return NULL;
}

/* What the clouds' section ends with when its writer had them: the
 * offers' skip table and the clouds' bitmap (a frozen view), taken into
 * ix when the file is trusted, else only passed (and hashed): the reader
 * then makes them again from what it checked.  0, or -1 (damaged). */
static int
rd_made(file_rd *r, icx_index *ix)
{
  uint64_t t[2], sz[2];
  uint32_t head[2];
  const uint32_t *skip;
  const char *data;
  size_t pad;
  roaring_bitmap_t *bm;

  if (rd_take(r, t, 2, 8) || t[0] > 31 || !(skip = rd_map(r, t[1], 4)) ||
      rd_take(r, head, 2, 4) || rd_take(r, sz, 2, 8) || head[0] != BM_ALL || head[1] ||
      sz[0] != ix->n_clouds)
    return -1;
  pad = (size_t)((32 - r->pos % 32) % 32);   /* not hashed: the writer's alignment */
  if (pad > r->end - r->pos)
    return -1;
  r->pos += pad;
  if (!sz[1] || !(data = rd_map(r, (size_t)sz[1], 1)))
    return -1;
  if (r->check || !t[1])
    return 0;
  if (!(bm = (roaring_bitmap_t *)(uintptr_t)roaring_bitmap_frozen_view(data, (size_t)sz[1])))
    return -1;
  if (roaring_bitmap_get_cardinality(bm) != ix->n_clouds) {
    roaring_bitmap_free(bm);
    return -1;
  }
  ix->cloud_bm = bm;
  ix->cloud_bm_frozen = 1;
  ix->offer_skip = (uint32_t *)(uintptr_t)skip;
  ix->n_skip = (size_t)t[1];
  ix->skip_shift = (unsigned)t[0];
  return 0;
}

/* Section s as the clouds, names and offers, into ix when whole. */
static int
file_read_clouds(icx_index *ix, const file_sect *s)
{
  file_rd r = { ix->map, s->off, s->off + s->len, 0, 0, !ix->file->checked };
  uint64_t c[CLOUD_COUNTS];
  size_t i, k;

  if (rd_take(&r, c, CLOUD_COUNTS, 8) || c[0] != s->key || c[0] > INT64_MAX ||
      c[1] > INT64_MAX || c[2] > UINT32_MAX || c[3] > UINT32_MAX || c[4] > UINT32_MAX ||
      c[6] > 1 || c[7] > UINT32_MAX || c[8] > UINT32_MAX || ix->clouds_read)
    return -1;
  ix->n_clouds = c[2];
  ix->n_names = c[3];
  if (!(ix->cloud_id = rd_map(&r, ix->n_clouds, 4)) ||
      !(ix->name_off = rd_map(&r, ix->n_clouds + 1, 4)) ||
      !(ix->name_id = rd_map(&r, ix->n_names, 4)) || !(ix->offer = rd_map(&r, 2 * (size_t)c[4], 4)) ||
      (r.check && (!ascending_ok(ix->cloud_id, ix->n_clouds) ||
                   !offsets_ok(ix->name_off, ix->n_clouds, ix->n_names))))
    goto bad;
  ix->n_offer = c[4];
  ix->n_svc = c[5];             /* as written; counted below when not trusted */
  for (i = 0, k = 0; r.check && i < ix->n_offer; i++) {
    const uint32_t *o = ix->offer + 2 * i;
    if (o[1] >= ix->n_clouds || (i && (o[-2] > o[0] || (o[-2] == o[0] && o[-1] >= o[1]))))
      goto bad;
    k += !i || o[-2] != o[0];
  }
  if (r.check)
    ix->n_svc = k;
  if (c[6]) {                  /* the names' texts, in text order */
    ix->n_txt = ix->cap_txt = c[7];
    ix->n_rank = c[8];
    if (!(ix->name_rank = rd_map(&r, ix->n_names, 4)) || !(ix->txt = rd_map(&r, ix->n_txt, 1)) ||
        !(ix->rank_off = rd_map(&r, ix->n_rank, 4)) ||
        (ix->n_txt && ix->txt[ix->n_txt - 1] != '\0') || (ix->n_rank && !ix->n_txt))
      goto bad;
    for (i = 0; r.check && i < ix->n_rank; i++)
      if (ix->rank_off[i] >= ix->n_txt)
        goto bad;
    for (i = 0; r.check && i < ix->n_names; i++)
      if (ix->name_rank[i] >= ix->n_rank)   /* a name not placed too: saved placed */
        goto bad;
    ix->names_ordered = 1;
  } else if (!(ix->name_rank = icx_malloc(ix->mem, (ix->n_names + 1) * sizeof *ix->name_rank))) {
    goto bad;
  } else {
    for (i = 0; i < ix->n_names; i++)
      ix->name_rank[i] = INDEX_RANK_NONE;
  }
  if ((c[9] && rd_made(&r, ix)) || r.pos != r.end || (r.check && r.hash != s->hash))
    goto bad;
  if (!ix->cloud_bm) {          /* made again: the file not trusted, or without them */
    if (!(ix->cloud_bm = roaring_bitmap_create()))
      goto bad;
    roaring_bitmap_add_many(ix->cloud_bm, ix->n_clouds, ix->cloud_id);
    icx_index_offers_skip(ix);
  }
  ix->name_p = (icx_id)c[0];
  ix->offers_p = (icx_id)c[1];
  ix->clouds_read = 1;
  return 0;
bad:
  icx_index_clouds_clear(ix);
  return -1;
}

void
icx_index_file_close(icx_index *ix)
{
  if (!ix->file)
    return;
  icx_free(ix->mem, ix->file->sect);
  icx_free(ix->mem, ix->file);
  ix->file = NULL;
}

/* The file's section of kind and key not read yet, or NULL. */
static file_sect *
file_find(icx_index *ix, uint64_t kind, uint64_t key)
{
  size_t i;

  if (!ix->file || ix->file->seq != ix->seq)
    return NULL;
  for (i = 0; i < ix->file->n_sect; i++)
    if (ix->file->sect[i].kind == kind && ix->file->sect[i].key == key && !ix->file->sect[i].loaded)
      return &ix->file->sect[i];
  return NULL;
}

/* The offers property a clouds section was saved for (0: it cannot say). */
static icx_id
sect_offers(const icx_index *ix, const file_sect *s)
{
  uint64_t o;

  if (s->len < 16)
    return 0;
  memcpy(&o, (const char *)ix->map + s->off + 8, 8);
  return o <= INT64_MAX ? (icx_id)o : 0;
}

int
icx_index_file_pred(icx_ctx *ctx, icx_index *ix, icx_id p, icx_index_pred **out)
{
  file_sect *s = file_find(ix, SECT_PRED, (uint64_t)p);
  double t0;

  *out = NULL;
  if (!s)
    return 1;
  t0 = icx_now_ms();
  s->loaded = 1;
  if (!(*out = file_read_pred(ix, s))) {
    icx_log(ctx, ICX_LOG_DEBUG, "index", "predicate %lld: the saved index's section is damaged;"
            " read from the store", p);
    icx_index_file_close(ix);
    return 1;
  }
  icx_log(ctx, ICX_LOG_DEBUG, "index", "predicate %lld from the saved index in %.1f ms", p,
          icx_now_ms() - t0);
  return 0;
}

int
icx_index_file_trusted(const icx_index *ix)
{
  return ix->file && ix->file->checked;
}

int
icx_index_file_clouds(icx_ctx *ctx, icx_index *ix, icx_id name_p, icx_id offers_p)
{
  file_sect *s = file_find(ix, SECT_CLOUDS, (uint64_t)name_p);

  if (!s || offers_p <= 0 || sect_offers(ix, s) != offers_p)
    return 1;
  s->loaded = 1;
  if (file_read_clouds(ix, s)) {
    icx_log(ctx, ICX_LOG_DEBUG, "index", "the saved index's clouds are damaged; read from the "
            "store");
    icx_index_file_close(ix);
    return 1;
  }
  return 0;
}

int
icx_index_file_read_all(icx_ctx *ctx, icx_index *ix)
{
  size_t i;

  for (i = 0; ix->file && i < ix->file->n_sect; i++) {
    file_sect *s = &ix->file->sect[i];
    const icx_index_pred *have;

    if (s->loaded || (s->kind == SECT_CLOUDS && ix->clouds_read))
      continue;
    /* A predicate: icx_index_pred_get() takes it from the file. */
    if (s->kind == SECT_CLOUDS ? icx_index_file_clouds(ctx, ix, (icx_id)s->key, sect_offers(ix, s))
                               : s->key <= INT64_MAX &&
                                 (icx_index_pred_get(ctx, ix, (icx_id)s->key, &have) || !ix->file))
      return -1;
  }
  return 0;
}

/* Opens the file at path for ix when it belongs to the store's state at
 * a change at or before last.  0 when opened (ix->file), 1 when not. */
static int
file_open(icx_ctx *ctx, icx_index *ix, const char *path, long long last)
{
  uint64_t h[FILE_HEADER / 8], *toc = NULL;
  unsigned long long token;
  struct stat sb, db;
  void *map;
  size_t i;
  int fd;

  if (ix->map || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return 1;
  if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || stat(icx_store_path(ix->store), &db) ||
      (sb.st_uid != db.st_uid && sb.st_uid != geteuid()) ||
      pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h, FILE_MAGIC, 8) ||
      h[1] != FILE_BOM || h[6] != FILE_ROARING || (long long)h[2] <= 0 || (long long)h[2] > last ||
      h[4] > FILE_MAX_SECTIONS || h[5] != (uint64_t)sb.st_size ||
      FILE_HEADER + h[4] * FILE_TOC_ENTRY > h[5])
    goto ignore;
  if (icx_store_change_token(ix->store, (long long)h[2], &token) || token != h[3])
    goto ignore;
  if (!(ix->file = icx_calloc(ix->mem, 1, sizeof *ix->file)) ||
      !(ix->file->sect = icx_calloc(ix->mem, h[4] + 1, sizeof *ix->file->sect)) ||
      !(toc = icx_malloc(ix->mem, h[4] * FILE_TOC_ENTRY + 1)) ||
      pread(fd, toc, h[4] * FILE_TOC_ENTRY, FILE_HEADER) != (ssize_t)(h[4] * FILE_TOC_ENTRY))
    goto ignore;
  for (i = 0; i < h[4]; i++) {
    file_sect *s = &ix->file->sect[i];
    s->kind = toc[5 * i];
    s->key = toc[5 * i + 1];
    s->off = toc[5 * i + 2];
    s->len = toc[5 * i + 3];
    s->hash = toc[5 * i + 4];
    if ((s->kind != SECT_PRED && s->kind != SECT_CLOUDS) || s->off % 8 ||
        s->off < FILE_HEADER + h[4] * FILE_TOC_ENTRY || s->off > h[5] || s->len > h[5] - s->off)
      goto ignore;
  }
  icx_free(ix->mem, toc);
  toc = NULL;
  /* Readable and writable, privately: a change applied in place later
   * copies the page it writes, the file never changes. */
  if ((map = mmap(NULL, (size_t)h[5], PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
    goto ignore;
  /* Kept open: each request looks whether the file was written under
   * the map (icx_index_map_written()). */
  ix->map_fd = fd;
  ix->map_watched = 1;
  ix->map_mtime = sb.st_mtim;
#ifdef MADV_HUGEPAGE
  /* Pages read from disk for it come in huge folios (a hint). */
  madvise(map, (size_t)h[5], MADV_HUGEPAGE);
#endif
  ix->map = map;
  ix->map_len = (size_t)h[5];
  ix->file->seq = (long long)h[2];
  ix->file->n_sect = h[4];
  ix->file->checked = icx_index_format_checked(path, &sb, (long long)h[2], h[3], db.st_uid);
  return 0;
ignore:
  icx_free(ix->mem, toc);
  if (ix->file) {
    icx_free(ix->mem, ix->file->sect);
    icx_free(ix->mem, ix->file);
    ix->file = NULL;
  }
  close(fd);
  icx_log(ctx, ICX_LOG_DEBUG, "index", "%s is not a saved index of this store's state: not used",
          path);
  return 1;
}

void
icx_index_file_open(icx_ctx *ctx, icx_index *ix, long long last)
{
  char *path = icx_index_format_path(ix->mem, ix->store);
  long long at;
  double t0 = icx_now_ms();

  if (!path || last <= 0 || file_open(ctx, ix, path, last)) {
    icx_free(ix->mem, path);
    return;
  }
  icx_free(ix->mem, path);
  at = ix->file->seq;
  if (at == last)
    return;                     /* sections read as requests ask */
  /* The store moved on: everything at the file's change, then the
   * changes since, as a running process would. */
  ix->seq = at;
  if (icx_index_file_read_all(ctx, ix) || icx_index_apply(ctx, ix, last)) {
    icx_log(ctx, ICX_LOG_DEBUG, "index", "the saved index at change %lld cannot be brought to "
            "%lld: read from the store", at, last);
    icx_index_file_close(ix);
    icx_index_clear(ix);
  } else {
    icx_log(ctx, ICX_LOG_DEBUG, "index", "the saved index at change %lld brought to %lld in "
            "%.1f ms", at, last, icx_now_ms() - t0);
    icx_index_file_close(ix);
  }
  ix->seq = last;
}

void
icx_index_file_unmap(icx_index *ix)
{
  icx_index_file_close(ix);
  if (ix->map)
    munmap(ix->map, ix->map_len);
  if (ix->map_watched)
    close(ix->map_fd);
  ix->map = NULL;
  ix->map_len = 0;
  ix->map_watched = 0;
}

int
icx_index_map_written(const icx_index *ix)
{
  struct stat sb;

  if (!ix->map || !ix->map_watched)
    return 0;
  return fstat(ix->map_fd, &sb) != 0 || sb.st_size != (off_t)ix->map_len ||
         sb.st_mtim.tv_sec != ix->map_mtime.tv_sec || sb.st_mtim.tv_nsec != ix->map_mtime.tv_nsec;
}

int
icx_index_started(const icx_index *ix)
{
  return ix && (ix->file || ix->n_preds || ix->clouds_read);
}

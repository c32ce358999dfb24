/* icx_index_format.h - the layout of the matching index saved beside its
 * store as "<store>-index", shared by its reader (icx_index_file.c) and
 * its writer (icx_index_file_write.c); not installed.
 *
 * Layout (host byte order, checked by a mark; every field 8-aligned):
 *   header   magic "icx-ixf\3", byte-order mark, seq, token, section
 *            count, file length, CRoaring's version, a zero word
 *   table    per section: kind, key, offset, length, hash (5 x u64)
 *   sections a predicate (kind 1, key its id): its counts, its arrays as
 *            the index holds them, its bitmaps in CRoaring's frozen
 *            form (32-aligned, used in place: icx_index_pred.frozen);
 *            the clouds (kind 2, key the name property): ids, names,
 *            offers pairs, the names' texts and ranks when read, and
 *            (a flag, the tenth count) the offers' skip table and the
 *            clouds' bitmap (frozen), which a reader that checks the file
 *            makes again instead.
 * A section's hash (icx_index_format_hash(): it finds a damaged file, it
 * does not stop a forged one) and every count, offset, order and bound
 * are checked before anything read is used, unless the file is the one
 * its writer recorded as checked (below): a damaged or hostile file is
 * ignored (logged at debug level) and the store read instead, never
 * trusted into a read out of bounds.
 *
 * The writer knows every byte it wrote is sound; a reader need not hash
 * and walk them all again while the file is still the one written.  So
 * the writer sets the file's modification time to a reading of the fine
 * clock and records, in "<store>-index.checked", the file's identity as
 * the file system gives it after the rename (device, inode, size and
 * modification time to the nanosecond) with its change and token.
 * A write to the file stamps it with the coarse clock (a tick of some
 * milliseconds), which is not the fine reading; a copy over it or a new
 * file in its place is another inode.  Not the change time, which a new
 * owner or mode moves too (chown -R over the data folder) while the
 * bytes stay as written; setting the modification time back to the
 * recorded nanosecond after a write takes the file's owner, who can
 * change the store itself (below).  The record then
 * no longer matches, and the reader checks every section it reads, as
 * without a record.  A file system that does not keep the reading to
 * the nanosecond (times in seconds, say) could give a later write the
 * same time: the writer then makes no record.  What
 * the record does not cover: a disk that changes data under an unchanged
 * inode, and someone who may write beside the store (who can change the
 * store itself). */
#ifndef ICX_INDEX_FORMAT_H
#define ICX_INDEX_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "icx_ctx.h"
#include "icx_store.h"

#define FILE_MAGIC "icx-ixf\3"
/* CRoaring's frozen format follows its in-memory layout: a file is read
 * only by the CRoaring version that wrote it. */
#define FILE_ROARING \
  ((uint64_t)ROARING_VERSION_MAJOR << 32 | (uint64_t)ROARING_VERSION_MINOR << 16 | \
   (uint64_t)ROARING_VERSION_REVISION)
#define FILE_BOM 0x0102030405060708ULL
#define FILE_HEADER 64
#define FILE_TOC_ENTRY 40
#define FILE_MAX_SECTIONS 65536
#define SECT_PRED 1
#define SECT_CLOUDS 2
#define PRED_COUNTS 8
#define CLOUD_COUNTS 10
#define BM_ALL 0
#define BM_OBJ 1
#define BM_VAL 2

typedef struct file_sect {
  uint64_t kind, key, off, len, hash;
  int loaded;
} file_sect;

struct icx_index_file {
  long long seq;
  file_sect *sect;
  size_t n_sect;
  int checked;                /* the writer's record matches: trusted whole */
};

static inline size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* A section's hash h after one more piece of its data (n bytes at p);
 * a section's starts from 0. */
uint64_t icx_index_format_hash(uint64_t h, const void *p, size_t n);

/* "<store>-index" (memory of mem), or NULL for a store without a file. */
char *icx_index_format_path(icx_ctx *mem, icx_store *store);

/* Records that the file at path, written whole at change seq (token),
 * is the inode ino: "<path>.checked", replaced atomically.  With ino 0
 * (the writer could not stamp the file), or when path is no longer that
 * inode (another writer's file came in its place), the old record is
 * removed instead; a record that cannot be written leaves none that
 * matches (a reader then checks). */
void icx_index_format_mark(const char *path, ino_t ino, long long seq, unsigned long long token);

/* 1 when the record beside path says the open file sb (header at seq,
 * token) is the one its writer wrote and has not changed since, else 0.
 * owner: the store's owner (the record must be its or this process's). */
int icx_index_format_checked(const char *path, const struct stat *sb, long long seq,
                             unsigned long long token, uid_t owner);

#endif

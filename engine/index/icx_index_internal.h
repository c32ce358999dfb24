/* icx_index_internal.h - what the files of the matching index share
 * (internal to engine/index): the index's structures, read whole
 * (icx_index.c) or changed in place as the store's change log says
 * (icx_index_apply.c). */
#ifndef ICX_INDEX_INTERNAL_H
#define ICX_INDEX_INTERNAL_H

#include <time.h>
#include "icx_index.h"
#include "icx_store_ids.h"
#include "icx_util.h"

/* An object shared by at least this many subjects gets a bitmap of its
 * own; fewer are added from their sorted run when asked for. */
#define INDEX_BITMAP_MIN 64

/* An object's subjects are either a run in subj or a bitmap, never both:
 * most pairs of a predicate with few objects (a storage access protocol,
 * a class) are in bitmaps, which take a fraction of 4 bytes a subject. */
struct icx_index_pred {
  icx_id p;
  size_t n;                   /* pairs */
  size_t n_run;               /* of which in subj (objects without a bitmap) */
  uint32_t *subj;             /* those subjects, by object then subject */
  size_t n_obj;
  uint32_t *obj_id;           /* distinct objects, ascending */
  uint32_t *obj_off;          /* n_obj + 1 offsets into subj (a bitmap's: empty) */
  roaring_bitmap_t **obj_bm;  /* per object, NULL below INDEX_BITMAP_MIN */
  roaring_bitmap_t *all;      /* every subject */
  /* Numbers: each distinct value once, with its subjects as objects
   * have theirs, a run or a bitmap (most numeric attributes take few
   * values: availability, a replication factor; a range over them is a
   * few bitmaps joined, not a million subjects added one by one). */
  size_t n_num;               /* (number, subject) pairs */
  size_t n_num_run;           /* of which in num_subj (values without a bitmap) */
  size_t n_val;
  double *val;                /* distinct values, ascending */
  uint32_t *val_off;          /* n_val + 1 offsets into num_subj (a bitmap's: empty) */
  roaring_bitmap_t **val_bm;  /* per value, NULL below INDEX_BITMAP_MIN */
  uint32_t *num_subj;         /* those subjects, by value then subject */
  /* the saved file's map when the arrays above were read from it (they
   * are then never freed: icx_index_pred_release()) */
  const void *map_lo, *map_hi;
  int frozen;                 /* its bitmaps are read-only views of the map */
};

typedef struct icx_index_iri {
  char *iri;
  icx_id id;
} icx_index_iri;

struct icx_index {
  icx_ctx *mem;               /* the store's context: holds everything here */
  icx_store *store;
  icx_store_gen gen;
  icx_index_pred **preds;
  size_t n_preds, cap_preds;
  icx_index_iri *iris;        /* open addressing, iri_mask + 1 slots */
  size_t n_iris, iri_mask;
  /* clouds */
  int clouds_read;
  icx_id name_p, offers_p;
  size_t n_clouds;
  uint32_t *cloud_id;         /* ascending */
  roaring_bitmap_t *cloud_bm;
  int cloud_bm_frozen;        /* a view of the saved file: copied before a change */
  uint32_t *name_off;         /* n_clouds + 1 offsets into name_id */
  uint32_t *name_id;
  size_t n_names;
  /* the names' texts in text order (icx_index_names.c) */
  uint32_t *name_rank;        /* per name, its text's rank (INDEX_RANK_NONE: not placed) */
  int names_ordered;          /* the texts below were read */
  int names_pending;          /* some names have no rank yet */
  char *txt;                  /* the texts, each ended by a NUL */
  size_t n_txt, cap_txt;
  uint32_t *rank_off;         /* per rank, in text order: its text's offset in txt */
  size_t n_rank;
  /* offers */
  size_t n_offer;             /* (service, cloud) pairs */
  uint32_t *offer;            /* 2 n_offer: service id, dense cloud number; by both */
  size_t n_svc;               /* distinct services among them */
  uint32_t *offer_skip;       /* per block of 2^skip_shift service ids, its first pair */
  size_t n_skip;              /* blocks (0: none made, found by galloping) */
  unsigned skip_shift;
  double build_ms;
  unsigned long refreshes;
  /* following the store's change log (icx_index_apply.c) */
  long long seq;              /* the last change the index reflects */
  int seq_known;              /* seq was read with gen */
  unsigned long long seq_token; /* that change's token (0: not known) */
  icx_id max_id;              /* the store's largest term id then */
  unsigned long applies;      /* changes applied in place, in batches */
  double apply_ms;            /* time spent applying them */
  /* the index saved beside the store (icx_index_file.c) */
  struct icx_index_file *file; /* open while its sections are at seq, else NULL */
  void *map;                  /* the file, mapped privately; arrays point into it */
  size_t map_len;
  int map_fd;                 /* the mapped file, kept open to see it written */
  int map_watched;            /* 1 while map_fd and map_mtime are the map's */
  struct timespec map_mtime;  /* its modification time when mapped */
  double store_ms;            /* time spent reading the store since loaded or saved */
};

/* A growing array of 32-bit ids. */
typedef struct icx_index_u32s {
  uint32_t *v;
  size_t n, cap;
} icx_index_u32s;

/* Appends x to a (memory of mem).  0, or -1 when out of memory. */
int icx_index_push(icx_ctx *mem, icx_index_u32s *a, uint32_t x);

/* First position in v[from .. n) whose value is >= x: v[i * stride] is
 * the i-th value (stride 1 for a plain array, 2 for the offers' pairs). */
size_t icx_index_gallop_stride(const uint32_t *v, size_t stride, size_t from, size_t n,
                               uint32_t x);
/* The same with stride 1. */
size_t icx_index_gallop(const uint32_t *v, size_t from, size_t n, uint32_t x);

/* Keys 0 .. n_keys (objects or values), key k's subjects in
 * subj[off[k] .. off[k + 1]): those with INDEX_BITMAP_MIN or more into
 * bitmaps (bm[k]), the runs of the others moved down over theirs and off
 * rewritten to match; *n_run gets what is left in subj.  0, or -1 when
 * out of memory (bm then holds what was made, for the caller to free). */
int icx_index_split_runs(uint32_t *subj, uint32_t *off, size_t n_keys, roaring_bitmap_t **bm,
                         size_t *n_run);

/* Makes the blocks that take a service to its pairs in one step
 * (ix->offer_skip), after the offers change.  Out of memory makes none:
 * services are then found by galloping, as before. */
void icx_index_offers_skip(icx_index *ix);

/* Frees a predicate and what it holds.  NULL is a no-op. */
void icx_index_pred_free(icx_ctx *mem, icx_index_pred *pr);

/* Passes the message the store left on its context (the index's) to the
 * caller's context, when they differ; returns rc. */
icx_rc icx_index_pass(icx_ctx *ctx, icx_ctx *mem, icx_rc rc);

/* A name whose text has no rank yet. */
#define INDEX_RANK_NONE UINT32_MAX

/* Forgets the names' texts and ranks (icx_index_names.c). */
void icx_index_names_clear(icx_index *ix);

/* Forgets the clouds, their names and the offers (icx_index_clouds.c). */
void icx_index_clouds_clear(icx_index *ix);

/* Empties the index (every predicate, the clouds, the IRIs, the saved
 * file): what it held is read again on demand. */
void icx_index_clear(icx_index *ix);

/* --- saved beside the store (icx_index_file.c) --- */

/* Opens the saved index of a new ix when it belongs to the store's state
 * at a change at or before last (the snapshot's last change): at last,
 * its sections are read as they are asked for; before it, all are read
 * at once and the changes since applied (or, when they cannot be, the
 * index emptied).  Nothing is reported: a file that does not fit is
 * ignored (logged at debug level). */
void icx_index_file_open(icx_ctx *ctx, icx_index *ix, long long last);
/* Predicate p from the saved file into *out: 0 when read, 1 when the
 * file has no (sound) section for it at ix->seq. */
int icx_index_file_pred(icx_ctx *ctx, icx_index *ix, icx_id p, icx_index_pred **out);
/* The clouds, names and offers from the saved file into ix: 0 when read,
 * 1 when the file has no (sound) section for them at ix->seq. */
int icx_index_file_clouds(icx_ctx *ctx, icx_index *ix, icx_id name_p, icx_id offers_p);
/* 1 when ix reads an open file its writer's record vouches for (its
 * sections are not hashed as they are read). */
int icx_index_file_trusted(const icx_index *ix);
/* Every section of ix's open file not read yet: 0, or -1 when one could
 * not be (the file is then closed, and what it held read from the store
 * on demand).  The writer reads them first, so that nothing the file
 * held is lost. */
int icx_index_file_read_all(icx_ctx *ctx, icx_index *ix);
/* Closes the saved file (its sections no longer at ix->seq); its map
 * stays while arrays point into it.  No-op when none is open. */
void icx_index_file_close(icx_index *ix);
/* Closes the file and unmaps it: call it when no array points into the
 * map any more (the index emptied or freed). */
void icx_index_file_unmap(icx_index *ix);
/* 1 when the mapped file has been written since it was mapped (cut short,
 * written over in place, or its time set): the map may no longer hold
 * what was read from it, and a page past a new end would stop the
 * process (SIGBUS) when touched.  The caller empties the index before
 * it reads anything more (icx_index_get()). */
int icx_index_map_written(const icx_index *ix);
/* 1 when p lies in the saved file's map. */
int icx_index_mapped(const icx_index *ix, const void *p);
/* Frees p (memory of the index) unless it lies in the map. */
void icx_index_release(icx_index *ix, void *p);
/* Frees p, an array of pr (memory of mem), unless pr read it from a map. */
void icx_index_pred_release(icx_ctx *mem, const icx_index_pred *pr, void *p);

/* Forgets the IRIs looked up (their ids may have come into the store). */
void icx_index_iris_clear(icx_index *ix);

/* Applies the store's changes after ix->seq up to last (the snapshot's
 * last change) to what ix holds.  0 when applied; 1 when they cannot be
 * applied (the log cannot say, a write outside the documents, too many
 * subjects changed, a failure half way): the caller then empties the
 * index, which is read again on demand.  Nothing is reported on ctx. */
int icx_index_apply(icx_ctx *ctx, icx_index *ix, long long last);

#endif

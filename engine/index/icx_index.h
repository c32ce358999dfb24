/* icx_index.h - the matching index: a store's statements held in memory in
 * the shapes matching reads (internal).
 *
 * Derived from the store, never stored: per predicate, the subjects of
 * each object (a sorted run of ids, and a compressed bitmap for an object
 * many subjects share: a country, a protocol, a class) and the numbers in
 * one sorted column; the clouds (the subjects of the name property) with
 * their names; which clouds offer each service.  A predicate is read from
 * the store the first time a request asks for it (two index scans), the
 * clouds and offers the first time matching runs.
 *
 * The index is kept with the store handle (icx_store_attach()) and records
 * the store generation it was read at (icx_store_generation()) and the
 * last change of the store's change log (icx_store_ids.h) it reflects.
 * icx_index_get() compares the generation with that of the snapshot the
 * caller reads and, when commits came in between (from this handle or any
 * other process), reads the changes since from the log and applies them
 * before answering: the subjects of each changed document, before and
 * after, are taken out of what the index holds and their statements read
 * again from the store (a few index seeks each), predicate by predicate,
 * and the clouds, names and offers likewise.  When the log cannot say
 * (pruned past the index, a write outside the document calls, an older
 * program's write that logged nothing) or too many subjects changed,
 * everything is dropped and each predicate read again when next asked
 * for.  Either way the index never answers from older data than the SQL
 * path would.
 *
 * Saved beside the store.  What a process read from the store can be
 * saved (icx_index_save()) to "<store>-index", keyed by the last change
 * it reflects and that change's token (icx_store_change_token()); a new
 * handle's index then starts from that file when the store's log still
 * holds that change with that token: at that change, each predicate and
 * the clouds are taken from the file, mapped privately (arrays and
 * CRoaring's frozen bitmaps used where they lie, checked first), instead
 * of the store as requests ask for them; after it, everything the file holds is read and the changes
 * since applied as above.  A file of another store, another lineage of
 * this one, another owner, or damaged is ignored and the store read.  It
 * is a cache: deleting it costs the next process a read of the store.
 *
 * Ids are term ids (icx_id.h) held as 32-bit integers; a store with larger
 * ids is refused (ICX_ERR_LIMIT) and matching takes the SQL path.
 * Memory comes from the store's context (roaring's bitmaps from malloc).
 * An index belongs to its handle, and like the handle is used by one
 * thread at a time.
 */
#ifndef ICX_INDEX_H
#define ICX_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <roaring/roaring.h>

#include "icx_id.h"
#include "icx_store.h"

typedef struct icx_index icx_index;
typedef struct icx_index_pred icx_index_pred;

/* The index of store, current for the snapshot of the read transaction the
 * caller has open (icx_store_read_begin(); call it inside one, or the
 * snapshot may move on before the reads that follow).  Made on first use,
 * emptied when the store changed since.  Lent: it lives until the store
 * is freed.  Errors (on ctx): ICX_ERR_STORE, ICX_ERR_NOMEM, ICX_ERR_LIMIT
 * (term ids past 32 bits). */
icx_rc icx_index_get(icx_ctx *ctx, icx_store *store, icx_index **out);

/* The term id of iri (cached until the store changes): > 0, 0 when the
 * store has none, -1 on error (ctx's message set). */
icx_id icx_index_iri_id(icx_ctx *ctx, icx_index *ix, const char *iri);

/* Predicate p into *out, read from the store on first use (lent by the
 * index).  ICX_OK, ICX_ERR_STORE, ICX_ERR_NOMEM, ICX_ERR_LIMIT. */
icx_rc icx_index_pred_get(icx_ctx *ctx, icx_index *ix, icx_id p, const icx_index_pred **out);

/* The subjects of pred whose object is one of objs (n ids; 0s are
 * skipped), into out (added, not replaced). */
void icx_index_subjects_of(const icx_index_pred *pred, const icx_id *objs, size_t n,
                           roaring_bitmap_t *out);
/* The subjects of pred with a number in the range (lo, hi; open ends
 * exclude the bound; -HUGE_VAL and HUGE_VAL: none), into out. */
void icx_index_subjects_in_range(const icx_index_pred *pred, double lo, int lo_open, double hi,
                                 int hi_open, roaring_bitmap_t *out);
/* The subjects of pred with a number equal to one of nums, into out. */
void icx_index_subjects_equal(const icx_index_pred *pred, const double *nums, size_t n,
                              roaring_bitmap_t *out);
/* Every subject of pred.  Lent. */
const roaring_bitmap_t *icx_index_subjects_all(const icx_index_pred *pred);

/* --- clouds and the services they offer ------------------------------------
 * Clouds are the subjects of the name property, numbered 0 .. count - 1
 * in id order (the "dense" number). */

/* Reads the clouds (subjects of the term name_p) and the services they
 * offer (offers_p) on first use.  ICX_OK, ICX_ERR_STORE, ICX_ERR_NOMEM. */
icx_rc icx_index_clouds(icx_ctx *ctx, icx_index *ix, icx_id name_p, icx_id offers_p);
size_t icx_index_cloud_count(const icx_index *ix);
/* The dense number of cloud id, or -1 when it is not a named cloud. */
long icx_index_cloud_of(const icx_index *ix, uint32_t id);
/* The first dense number at or after from whose cloud id is >= id (the
 * cloud count when there is none): walks ascending ids in step. */
size_t icx_index_cloud_seek(const icx_index *ix, uint32_t id, size_t from);
/* Every named cloud's term id.  Lent. */
const roaring_bitmap_t *icx_index_cloud_ids(const icx_index *ix);
/* Cloud c's names: *ids gets its name term ids (lent), the result is how
 * many; first is the number of its first name among all names (for
 * icx_index_name_rank()). */
size_t icx_index_cloud_names(const icx_index *ix, size_t c, const uint32_t **ids, size_t *first);
/* Hints that cloud c's names will be asked for soon: stage 1 asks for
 * where they are, stage 2 (after stage 1's line came) for the names'
 * ids and ranks. */
void icx_index_cloud_names_ahead(const icx_index *ix, size_t c, int stage);

/* --- the names' texts, in text order ---------------------------------------
 * Every name's text is read from the store the first time one is asked
 * for (in batches, in id order) and kept, sorted: a name's rank is its
 * text's place among the texts, so that ranks order as strcmp() orders
 * the texts and two names of one text (a plain literal and one with a
 * language tag) share a rank.  Ranks may leave gaps.  A name a change
 * brings in is placed among the others when next asked for (its text and
 * a binary search); the texts no name has any more are dropped when they
 * are as many as the names. */

/* Reads the texts of the names not placed yet (every name, the first
 * time).  ICX_OK, ICX_ERR_STORE, ICX_ERR_NOMEM, ICX_ERR_LIMIT (texts past
 * 4 GiB). */
icx_rc icx_index_names_order(icx_ctx *ctx, icx_index *ix);
/* Name k's rank; call icx_index_names_order() first. */
uint32_t icx_index_name_rank(const icx_index *ix, size_t k);
/* 1 when text is a rank's text (that rank into *rank), else 0; call
 * icx_index_names_order() first. */
int icx_index_rank_of(const icx_index *ix, const char *text, uint32_t *rank);
/* The text of rank r (r below icx_index_rank_count()).  Lent. */
const char *icx_index_rank_text(const icx_index *ix, uint32_t r);
/* The texts (and their lengths, without the NUL) of the ranks in the low
 * 32 bits of keys[0 .. n), into texts and lens, the store's pages asked
 * for ahead; returns the lengths' sum.  Lent. */
size_t icx_index_rank_texts(const icx_index *ix, const uint64_t *keys, size_t n,
                            const char **texts, uint32_t *lens);
/* One more than the largest rank. */
size_t icx_index_rank_count(const icx_index *ix);
/* The text of name k (icx_index_names_order(), then its rank's text).
 * NULL on error (ctx's message set).  Lent. */
const char *icx_index_name(icx_ctx *ctx, icx_index *ix, size_t k);

/* Called for each (service, cloud's dense number) of the services in
 * svcs offered by a named cloud, in service order; non-0 stops. */
typedef int (*icx_index_offer_fn)(void *userdata, uint32_t service, size_t cloud);
/* 0, or what fn returned to stop. */
int icx_index_each_offer(const icx_index *ix, const roaring_bitmap_t *svcs,
                         icx_index_offer_fn fn, void *userdata);

/* --- saved beside the store ------------------------------------------------ */

/* Writes what ix holds (with what the file it started from holds and
 * this process did not ask for) to "<store>-index", through a temporary
 * file renamed over the old one, when reading the store cost at least
 * min_ms since ix was made or last saved (0: whenever there is anything
 * to save).  Not saving is not an error: a store in memory, a log
 * without tokens (a store no icx of this version wrote), a folder
 * without write access or room (logged at debug level).  *saved (when
 * not NULL) gets 1 when the file was written.  ICX_OK, or ICX_ERR_STORE
 * when the store cannot be read. */
icx_rc icx_index_save(icx_ctx *ctx, icx_index *ix, double min_ms, int *saved);

/* 1 when ix holds something or has a saved file to read it from: a
 * request would not have to read the store whole first. */
int icx_index_started(const icx_index *ix);

/* --- figures ------------------------------------------------------------- */

typedef struct icx_index_stats {
  size_t predicates;          /* predicates read */
  size_t pairs;               /* (object, subject) pairs held */
  size_t numbers;             /* numbers held */
  size_t clouds, services;    /* clouds named, services offered */
  size_t bytes;               /* memory held, roughly */
  double build_ms;            /* time spent reading the store since the last refresh */
  unsigned long refreshes;    /* times the store changed and the index was emptied */
  unsigned long applies;      /* times the store changed and its changes were applied */
  double apply_ms;            /* time spent applying them */
  int file;                   /* 1: sections are read from the saved file */
  int file_trusted;           /* 1: ... its writer's record matched, so they
                                 are not hashed as they are read */
} icx_index_stats;

void icx_index_get_stats(const icx_index *ix, icx_index_stats *out);

#endif

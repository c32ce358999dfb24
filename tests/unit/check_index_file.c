/* check_index_file.c - the matching index saved beside its store: a new
 * handle answers from the file, reading nothing of the store, as the SQL
 * path does; a file behind the store is brought forward by the change
 * log; a file of another lineage of the store (made again at the same
 * path, the same number of changes) is not used; a damaged file, cut
 * anywhere or with any byte changed, is never trusted: every answer is
 * still the SQL path's, and nothing reads out of bounds (run under
 * AddressSanitizer in CI); the file its writer recorded is taken without
 * checks only while nothing has written to it. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "icx_index.h"
#include "icx_index_format.h"
#include "icx_index_internal.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"

static tu_world w;
static char *db, *saved;

static void
setup(void)
{
  tu_world_turtle(&w, tu_three_clouds);
  db = tu_path(w.dir, "store.db");
  saved = tu_path(w.dir, "store.db-index");
}

static void
teardown(void)
{
  free(db);
  free(saved);
  tu_world_close(&w);
}

static void
load(icx_store *store, const char *name, const char *ttl)
{
  icx_loader *l = icx_loader_new(w.ctx, w.vocab, store);

  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  ck_assert_msg(icx_loader_load_buffer(l, name, (const unsigned char *)ttl, strlen(ttl)) ==
                ICX_OK, "%s", icx_ctx_errmsg(w.ctx));
  icx_loader_free(l);
}

/* n clouds named "<tag>N", one storage service each: availabilities of
 * four values and access protocols of three, so that both have bitmaps
 * (64 or more subjects) and runs. */
static char *
clouds_doc(const char *tag, unsigned n, unsigned shift)
{
  static const char *const avail[] = { "99.0", "99.9", "99.99", "99.999" };
  static const char *const access[] = { "NFS", "SMB", "NFSv4" };
  size_t cap = 256 + (size_t)n * 256, len = 0;
  char *out = malloc(cap);
  unsigned i;

  ck_assert_ptr_nonnull(out);
  len += (size_t)snprintf(out, cap, "@prefix res: <" TU_RES "> .\n@prefix ex: <" TU_EX "> .\n");
  for (i = 0; i < n; i++)
    len += (size_t)snprintf(out + len, cap - len,
                            "ex:%s%u a res:Cloud ; res:cloudName \"%s%u\" ; res:offers ex:%s%us .\n"
                            "ex:%s%us a res:StorageService ; res:availability %s ;"
                            " res:replicationFactor %u ; res:storageAccess res:%s .\n",
                            tag, i, tag, i, tag, i, tag, i, avail[(i + shift) % 4],
                            3 + (i + shift) % 3, access[(i * 7 + shift) % 3 == 2 ? 2 : i % 2]);
  return out;
}

static char **
queries(size_t *n)
{
  static char *q[6];

  if (!q[0]) {
    q[0] = tu_constraints("storageAccess", "NFS", NULL);
    q[1] = tu_constraints("availability", "99.99", NULL);
    q[2] = tu_constraints("replicationFactor", "5", "storageAccess", "NFSv4", NULL);
    q[3] = tu_constraints("availability", "99.9", "storageAccess", "SMB", NULL);
    q[4] = tu_constraints("availability", "99.0", "replicationFactor", "4", NULL);
    q[5] = strdup("<constraints xmlns='http://www.csp/resOntology'><constraint required='false'"
                  " weight='7'><attribute>storageAccess</attribute><value>NFS</value>"
                  "</constraint><constraint required='false' weight='3'><attribute>"
                  "availability</attribute><value>99.99</value></constraint></constraints>");
  }
  *n = sizeof q / sizeof q[0];
  return q;
}

/* The answer of xml on store along path, as "name:score" each, in order. */
static char *
answer(icx_store *store, const char *xml, icx_match_path path)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  size_t cap = 1 << 16, len = 0, i;
  char *out = malloc(cap);

  ck_assert_ptr_nonnull(out);
  out[0] = 0;
  ck_assert_int_eq(icx_constraints_parse(w.ctx, w.vocab, xml, strlen(xml), &set), ICX_OK);
  ck_assert_msg(icx_match_run_path(w.ctx, store, set, path, &m) == ICX_OK, "%s",
                icx_ctx_errmsg(w.ctx));
  ck_assert_int_eq(icx_match_answered_by(m), path);
  for (i = 0; i < icx_match_count(m); i++) {
    const char *name = icx_match_cloud(m, i);
    ck_assert_uint_lt(len + strlen(name) + 32, cap);
    len += (size_t)snprintf(out + len, cap - len, "%s%s:%d", i ? " " : "", name,
                            icx_match_score(m, i));
  }
  icx_match_free(m);
  icx_constraints_free(set);
  return out;
}

/* Every query on handle h's index, as on its SQL path. */
static void
compare_on(icx_store *h, const char *why)
{
  size_t nq, q;
  char **qs = queries(&nq);

  for (q = 0; q < nq; q++) {
    char *ix = answer(h, qs[q], ICX_MATCH_PATH_INDEX);
    char *sql = answer(h, qs[q], ICX_MATCH_PATH_SQL);
    ck_assert_msg(!strcmp(ix, sql), "%s, query %zu: index %s, SQL %s", why, q, ix, sql);
    free(ix);
    free(sql);
  }
}

/* Every query on a new handle's index, as on the SQL path; returns the
 * new handle's index's time reading the store (0: all from the file). */
static double
compare_new_handle(const char *why)
{
  icx_store *h = NULL;
  double store_ms;

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &h), ICX_OK);
  compare_on(h, why);
  store_ms = ((icx_index *)icx_store_attached(h))->store_ms;
  icx_store_free(h);
  return store_ms;
}

/* Reads every query into w.store's index, then saves it. */
static void
save_all(void)
{
  size_t nq, q;
  char **qs = queries(&nq);
  int ok = 0;

  for (q = 0; q < nq; q++)
    free(answer(w.store, qs[q], ICX_MATCH_PATH_INDEX));
  ck_assert_int_eq(icx_match_save_index(w.ctx, w.store, 0, &ok), ICX_OK);
  ck_assert_int_eq(ok, 1);
  ck_assert_int_eq(access(saved, R_OK), 0);
}

/* 1 when a new handle's index starts from something (the saved file);
 * *trusted (when not NULL) 1 when it takes the file without checks. */
static int
on_new_handle(int *trusted)
{
  icx_store *h = NULL;
  icx_index *ix = NULL;
  icx_index_stats st;
  int own, started;

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &h), ICX_OK);
  own = icx_store_read_begin(h);
  ck_assert_int_eq(icx_index_get(w.ctx, h, &ix), ICX_OK);
  started = icx_index_started(ix);
  /* What the figures say (the bench prints them) is what the file is. */
  icx_index_get_stats(ix, &st);
  ck_assert_int_eq(st.file, ix->file != NULL);
  ck_assert_int_eq(st.file_trusted, ix->file && ix->file->checked);
  ck_assert_int_le(st.file_trusted, st.file);
  if (trusted)
    *trusted = st.file_trusted;
  icx_store_read_end(h, own, ICX_OK);
  icx_store_free(h);
  return started;
}

START_TEST(saved_index_answers_without_the_store)
{
  char *doc = clouds_doc("a", 200, 0);

  load(w.store, "a", doc);
  free(doc);
  ck_assert_int_eq(on_new_handle(NULL), 0);    /* nothing saved yet */
  save_all();
  ck_assert_int_eq(on_new_handle(NULL), 1);
  /* Every predicate, the clouds and their names from the file. */
  ck_assert(compare_new_handle("from the file") == 0.0);
}
END_TEST

START_TEST(saved_index_behind_is_brought_forward)
{
  char *a = clouds_doc("a", 200, 0), *b = clouds_doc("b", 70, 1), *a2 = clouds_doc("a", 150, 2);
  icx_store *h = NULL;
  icx_index *ix = NULL;
  long long last = 0;
  int own;

  load(w.store, "a", a);
  save_all();
  load(w.store, "b", b);                              /* new clouds */
  load(w.store, "a", a2);                             /* a replaced, 50 clouds fewer */
  ck_assert_int_eq(icx_store_remove_document(w.store, "urn:icx:doc:b"), ICX_OK);
  load(w.store, "b", b);
  /* Read from the file, then the four changes applied: nothing read
   * whole from the store. */
  ck_assert(compare_new_handle("behind") == 0.0);
  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &h), ICX_OK);
  own = icx_store_read_begin(h);
  ck_assert_int_eq(icx_index_get(w.ctx, h, &ix), ICX_OK);
  ck_assert_int_eq(icx_store_change_last(h, &last), 0);
  ck_assert_int_eq(ix->seq, last);
  ck_assert_uint_gt(ix->n_preds, 0);
  icx_store_read_end(h, own, ICX_OK);
  icx_store_free(h);
  free(a);
  free(a2);
  free(b);
}
END_TEST

START_TEST(saved_index_of_another_lineage_is_ignored)
{
  char *a = clouds_doc("a", 200, 0), *x = clouds_doc("x", 90, 3), *keep = tu_path(w.dir, "keep");
  char *side;
  long long seq1 = 0, seq2 = 0;
  int own;

  load(w.store, "a", a);
  own = icx_store_read_begin(w.store);
  ck_assert_int_eq(icx_store_change_last(w.store, &seq1), 0);
  icx_store_read_end(w.store, own, ICX_OK);
  save_all();
  ck_assert_int_eq(rename(saved, keep), 0);
  /* The store made again at the same path, with as many changes. */
  icx_store_free(w.store);
  w.store = NULL;
  ck_assert_int_eq(unlink(db), 0);
  side = tu_path(w.dir, "store.db-wal");
  unlink(side);
  free(side);
  side = tu_path(w.dir, "store.db-shm");
  unlink(side);
  free(side);
  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_CREATE, &w.store), ICX_OK);
  load(w.store, "three", tu_three_clouds);
  load(w.store, "a", x);
  own = icx_store_read_begin(w.store);
  ck_assert_int_eq(icx_store_change_last(w.store, &seq2), 0);
  icx_store_read_end(w.store, own, ICX_OK);
  ck_assert_int_eq(seq1, seq2);
  ck_assert_int_eq(rename(keep, saved), 0);
  ck_assert_int_eq(on_new_handle(NULL), 0);
  ck_assert(compare_new_handle("another lineage") > 0.0);
  free(a);
  free(x);
  free(keep);
}
END_TEST

/* The file as bytes. */
static unsigned char *
slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  unsigned char *b;
  long len;

  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
  len = ftell(f);
  ck_assert_int_gt(len, 0);
  rewind(f);
  ck_assert_ptr_nonnull(b = malloc((size_t)len));
  ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return b;
}

static void
spill(const char *path, const unsigned char *b, size_t n)
{
  FILE *f = fopen(path, "wb");

  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(b, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

/* 1 when a new handle takes the saved file without checking it. */
static int
trusted_on_new_handle(void)
{
  int trusted = 0;

  on_new_handle(&trusted);
  return trusted;
}

/* The writer's record: a new handle takes the file as written without
 * checking it, and checks it again once anything wrote to it, even a
 * write in the same tick of the clock as the file's rename; a change of
 * its owner or mode is not a write (a kernel
 * that gives a file changed after a stat() a fine time, as 6.13 on do,
 * cannot show that case; one with coarse times only can). */
START_TEST(saved_index_trusted_only_as_written)
{
  char *doc = clouds_doc("a", 200, 0), *rec = tu_path(w.dir, "store.db-index.checked");
  unsigned char b;
  off_t at;
  int fd;

  load(w.store, "a", doc);
  free(doc);
  save_all();
  ck_assert_int_eq(access(rec, R_OK), 0);
  ck_assert_int_eq(trusted_on_new_handle(), 1);
  ck_assert(compare_new_handle("as written") == 0.0);
  /* Its owner and mode set again (chown -R, chmod), which changes only
   * its change time: still the bytes written, still trusted. */
  ck_assert_int_eq(chmod(saved, 0640), 0);
  ck_assert_int_eq(chown(saved, geteuid(), getegid()), 0);
  ck_assert_int_eq(trusted_on_new_handle(), 1);
  /* Saved again, then at once one byte of the last section's bitmap
   * changed in place: the same inode, likely the same coarse time. */
  save_all();
  ck_assert_int_ge(fd = open(saved, O_RDWR), 0);
  at = lseek(fd, 0, SEEK_END) - 3;
  ck_assert_int_eq(pread(fd, &b, 1, at), 1);
  b ^= 0x10;
  ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(trusted_on_new_handle(), 0);
  compare_new_handle("changed in place after its record");
  /* A damaged record: never taken. */
  save_all();
  ck_assert_int_eq(trusted_on_new_handle(), 1);
  ck_assert_int_eq(unlink(saved), 0);
  save_all();
  spill(rec, (const unsigned char *)"not a record", 12);
  ck_assert_int_eq(trusted_on_new_handle(), 0);
  free(rec);
}
END_TEST

/* The SQL path's answers to every query, on w.store (free with
 * answers_free()). */
static char **
sql_answers(size_t *nq)
{
  char **qs = queries(nq), **out = calloc(*nq + 1, sizeof *out);
  size_t q;

  ck_assert_ptr_nonnull(out);
  for (q = 0; q < *nq; q++)
    out[q] = answer(w.store, qs[q], ICX_MATCH_PATH_SQL);
  return out;
}

static void
answers_free(char **a, size_t n)
{
  size_t q;

  for (q = 0; q < n; q++)
    free(a[q]);
  free(a);
}

/* Every query on a new handle's index answers as want (the SQL path's,
 * worked out once: the store does not change, only the saved file). */
static void
compare_new_handle_to(char **want, const char *why)
{
  icx_store *h = NULL;
  size_t nq, q;
  char **qs = queries(&nq);

  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &h), ICX_OK);
  for (q = 0; q < nq; q++) {
    char *ix = answer(h, qs[q], ICX_MATCH_PATH_INDEX);
    ck_assert_msg(!strcmp(ix, want[q]), "%s, query %zu: index %s, SQL %s", why, q, ix,
                  want[q]);
    free(ix);
  }
  icx_store_free(h);
}

START_TEST(damaged_saved_index_is_never_trusted)
{
  char *doc = clouds_doc("a", 200, 0), why[64], **want;
  unsigned char *good, *bad;
  size_t n, nq, at, cuts[] = { 0, 7, 8, 63, 64, 100, 0, 0, 0 }, k;
  unsigned long r = 7;

  load(w.store, "a", doc);
  free(doc);
  save_all();
  want = sql_answers(&nq);
  good = slurp(saved, &n);
  ck_assert_ptr_nonnull(bad = malloc(n));
  cuts[6] = n / 2;
  cuts[7] = n - 8;
  cuts[8] = n - 1;
  for (k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
    spill(saved, good, cuts[k]);
    snprintf(why, sizeof why, "cut at %zu of %zu", cuts[k], n);
    compare_new_handle_to(want, why);
  }
  /* One byte changed: every byte of the header and table, and bytes
   * through the sections. */
  for (at = 0; at < n; at += at < 512 ? 1 : 1 + (r = r * 6364136223846793005UL + 1) % 613) {
    memcpy(bad, good, n);
    bad[at] ^= (unsigned char)(1u << (at % 8));
    spill(saved, bad, n);
    snprintf(why, sizeof why, "byte %zu of %zu changed", at, n);
    compare_new_handle_to(want, why);
  }
  /* The good file again is used again. */
  spill(saved, good, n);
  ck_assert(compare_new_handle("restored") == 0.0);
  answers_free(want, nq);
  free(good);
  free(bad);
}
END_TEST

/* A saved file written in place (cut short, or its bytes put back, as
 * `cp` over it does) while a handle maps it: the handle's next request
 * lets the map go instead of reading pages that are gone (SIGBUS) or
 * changed, and answers as the SQL path does. */
START_TEST(saved_index_written_in_place_is_let_go)
{
  char *doc = clouds_doc("a", 200, 0);
  unsigned char *good;
  icx_store *h = NULL;
  size_t n;

  load(w.store, "a", doc);
  free(doc);
  save_all();
  good = slurp(saved, &n);
  ck_assert_int_eq(icx_store_open(w.ctx, db, ICX_STORE_READONLY, &h), ICX_OK);
  compare_on(h, "from the file");
  ck_assert(((icx_index *)icx_store_attached(h))->store_ms == 0.0);
  ck_assert_int_eq(truncate(saved, 64), 0);    /* the header's first bytes */
  compare_on(h, "the file cut short under the map");
  spill(saved, good, n);                         /* the same bytes, in place */
  compare_on(h, "the file's bytes put back under the map");
  icx_store_free(h);
  free(good);
}
END_TEST

START_TEST(nothing_to_save_without_a_change)
{
  icx_store *h = NULL;
  char *empty = tu_path(w.dir, "empty.db"), *side = tu_path(w.dir, "empty.db-index");
  int ok = 1;

  /* A store with no change logged has no state to key a file by. */
  ck_assert_int_eq(icx_store_open(w.ctx, empty, ICX_STORE_CREATE, &h), ICX_OK);
  {
    size_t nq;
    char **qs = queries(&nq);
    free(answer(h, qs[0], ICX_MATCH_PATH_INDEX));
  }
  ck_assert_int_eq(icx_match_save_index(w.ctx, h, 0, &ok), ICX_OK);
  ck_assert_int_eq(ok, 0);
  ck_assert_int_ne(access(side, F_OK), 0);
  icx_store_free(h);
  free(empty);
  free(side);
}
END_TEST

static Suite *
index_file_suite(void)
{
  Suite *s = suite_create("index_file");
  TCase *tc = tcase_create("index_file");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, saved_index_answers_without_the_store);
  tcase_add_test(tc, saved_index_behind_is_brought_forward);
  tcase_add_test(tc, saved_index_of_another_lineage_is_ignored);
  tcase_add_test(tc, damaged_saved_index_is_never_trusted);
  tcase_add_test(tc, saved_index_trusted_only_as_written);
  tcase_add_test(tc, nothing_to_save_without_a_change);
  tcase_add_test(tc, saved_index_written_in_place_is_let_go);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(index_file_suite());
}

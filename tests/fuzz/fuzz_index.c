/* fuzz_index.c - libFuzzer target: the matching index saved beside a
 * store (engine/index/icx_index_file.c), read by a new handle.
 *
 * Each input is written, through a temporary name renamed over it, as the
 * saved index of a store holding data/clouds, and a new read-only handle
 * answers five requests with icx_match_run_once(), which starts from the
 * file when it can use it.  Whatever the file holds, every answer must be
 * the one computed without a file: a file that is not exactly a saved
 * index of this store's state is ignored, never trusted (the answers
 * without a file come from the SQL path, a handle each).  So that inputs
 * get past the first check, three fields of the header are set to the
 * store's before the file is written: the change it reflects and that
 * change's token (drawn at random when the store was made) and the file's
 * size (bytes 16 to 31 and 40 to 47; shorter inputs are written as they
 * are).  The checked-in corpus starts from a real file (saved by icx load
 * of data/clouds, which gives the same term ids as this program's store)
 * and pieces of it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define FI_REQUESTS 5

static icx_ctx *fi_ctx;
static icx_vocab *fi_vocab;
static icx_constraints *fi_set[FI_REQUESTS];
static char *fi_want[FI_REQUESTS];       /* each answer's names, one per line */
static char fi_path[4352], fi_file[4400], fi_tmp[4400];
static unsigned char fi_header[48];       /* the real file's first bytes */

static const char *const fi_requests[FI_REQUESTS] = {
  "data/constraints/paper.xml", "tests/bench/selective.xml", "tests/bench/broad.xml",
  "tests/bench/subsumption.xml", "tests/bench/ranked.xml"
};

static void fi_die(const char *what)
{
  fprintf(stderr, "fuzz_index: %s: %s\n", what, icx_ctx_errmsg(fi_ctx));
  exit(2);
}

/* The names of the answer to request i on store, one per line. */
static char *fi_answer(icx_store *store, size_t i)
{
  icx_match *m = NULL;
  char *out = NULL;
  size_t k, len = 0;

  if (icx_match_run_once(fi_ctx, store, fi_set[i], &m) != ICX_OK)
    fi_die(fi_requests[i]);
  for (k = 0; k < icx_match_count(m); k++)
    len += strlen(icx_match_cloud(m, k)) + 1;
  if (!(out = calloc(1, len + 1)))
    fi_die("out of memory");
  for (k = 0; k < icx_match_count(m); k++) {
    strcat(out, icx_match_cloud(m, k));
    strcat(out, "\n");
  }
  icx_match_free(m);
  return out;
}

static icx_store *fi_open(void)
{
  icx_store *store = NULL;

  if (icx_store_open(fi_ctx, fi_path, ICX_STORE_READONLY, &store) != ICX_OK)
    fi_die("cannot open the store");
  return store;
}

static void fi_write(const uint8_t *data, size_t size)
{
  FILE *f = fopen(fi_tmp, "wb");

  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0 ||
      rename(fi_tmp, fi_file) != 0) {
    perror("fuzz_index: cannot write the file");
    exit(2);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  icx_store *store;
  char path[4352];
  FILE *f;
  size_t i;
  int saved = 0;

  (void)argc;
  (void)argv;
  fi_ctx = fuzz_ctx(0);
  fi_vocab = fuzz_vocab(fi_ctx);
  icx_store_free(fuzz_store_clouds(fi_ctx, fi_vocab));
  snprintf(fi_path, sizeof fi_path, "%s/clouds.db", fuzz_tmpdir());
  snprintf(fi_file, sizeof fi_file, "%s-index", fi_path);
  snprintf(fi_tmp, sizeof fi_tmp, "%s-index.fuzz", fi_path);
  for (i = 0; i < FI_REQUESTS; i++) {
    char *xml;
    long n;
    snprintf(path, sizeof path, "%s/%s", fuzz_srcdir(), fi_requests[i]);
    if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) || !(xml = calloc(1, (size_t)n + 1)) ||
        fread(xml, 1, (size_t)n, f) != (size_t)n) {
      perror(path);
      exit(2);
    }
    fclose(f);
    if (icx_constraints_parse(fi_ctx, fi_vocab, xml, (size_t)n, &fi_set[i]) != ICX_OK)
      fi_die(fi_requests[i]);
    free(xml);
  }
  /* The answers without a file (the SQL path), then a real file. */
  unlink(fi_file);
  for (i = 0; i < FI_REQUESTS; i++) {
    store = fi_open();            /* a handle each: the SQL path answers */
    fi_want[i] = fi_answer(store, i);
    icx_store_free(store);
  }
  store = fi_open();
  if (icx_match_keep_index(fi_ctx, fi_vocab, store, &saved) != ICX_OK || !saved)
    fi_die("cannot save the index");
  icx_store_free(store);
  if (!(f = fopen(fi_file, "rb")) || fread(fi_header, 1, sizeof fi_header, f) !=
      sizeof fi_header) {
    perror(fi_file);
    exit(2);
  }
  fclose(f);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t *buf = malloc(size ? size : 1);
  icx_store *store;
  size_t i;

  if (!buf)
    return 0;
  memcpy(buf, data, size);
  if (size >= 32)
    memcpy(buf + 16, fi_header + 16, 16);
  if (size >= 48) {
    uint64_t n = size;
    for (i = 0; i < 8; i++)
      buf[40 + i] = (uint8_t)(n >> (8 * i));
  }
  fi_write(buf, size);
  free(buf);
  /* One new handle: its first request starts its index from the file (or
   * from the store when the file is refused), the others use what it
   * read. */
  store = fi_open();
  for (i = 0; i < FI_REQUESTS; i++) {
    char *got = fi_answer(store, i);
    if (strcmp(got, fi_want[i]) != 0) {
      fprintf(stderr, "fuzz_index: %s answered differently from the file:\n%s\nagainst\n%s\n",
              fi_requests[i], got, fi_want[i]);
      abort();
    }
    free(got);
  }
  icx_store_free(store);
  return 0;
}

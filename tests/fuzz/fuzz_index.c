/* fuzz_index.c - libFuzzer target: the matching index saved beside a
 * store (engine/index/icx_index_file.c), read by a new handle.
 *
 * The program makes a store holding data/clouds and saves its index
 * once; each input is a way to damage that real file: its first two bytes
 * (little-endian, modulo the file's size + 65) give the length the file
 * is cut or grown to (grown with zero bytes), and each following group of
 * three bytes an edit, a two-byte offset (modulo that length) and a byte
 * XORed in there.  An empty input leaves the file whole.  So that damage
 * gets past the first check, the header's change and token are set back
 * to the real file's and its size field to the new length.  The result
 * is written through a temporary name renamed over the store's
 * "-index", and one new read-only handle answers five requests with
 * icx_match_run_once(), which starts from the file when it can use it.
 * Every answer must be the one computed without a file (a handle each,
 * the SQL path): damage is detected and the file ignored, never trusted.
 *
 * Inputs are edits of this run's own file, not files: the term ids of a
 * store of data/clouds depend on when its documents were loaded (their
 * load times are terms), so a file saved from another store, forged to
 * this store's token, is a valid index of other data and may rightly
 * give other answers. */
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
static unsigned char *fi_real;            /* the real file */
static size_t fi_real_len;

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
  long n;
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
  if (!(f = fopen(fi_file, "rb")) || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 48 ||
      fseek(f, 0, SEEK_SET) || !(fi_real = malloc((size_t)n)) ||
      fread(fi_real, 1, (size_t)n, f) != (size_t)n) {
    perror(fi_file);
    exit(2);
  }
  fi_real_len = (size_t)n;
  fclose(f);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t len = fi_real_len, i;
  icx_store *store;
  uint8_t *buf;

  if (size >= 2)
    len = (data[0] | (size_t)data[1] << 8) % (fi_real_len + 65);
  if (!(buf = calloc(1, len + 1)))
    return 0;
  memcpy(buf, fi_real, len < fi_real_len ? len : fi_real_len);
  for (i = 2; len && i + 3 <= size; i += 3)
    buf[(data[i] | (size_t)data[i + 1] << 8) % len] ^= data[i + 2];
  if (len >= 32)
    memcpy(buf + 16, fi_real + 16, 16);
  if (len >= 48) {
    uint64_t n = len;
    for (i = 0; i < 8; i++)
      buf[40 + i] = (uint8_t)(n >> (8 * i));
  }
  fi_write(buf, len);
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

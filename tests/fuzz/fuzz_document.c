/* fuzz_document.c - libFuzzer target: capability documents, through the
 * loader, into a store. */
/* The first byte of an input chooses the format (its value modulo 3:
 * Turtle, RDF/XML, N-Triples); the rest is the document.  It is loaded as
 * the one document "fuzz" of a store in a temporary folder, so each load
 * replaces the last; a document that loads is removed again, so every
 * input meets an empty store; that it is empty again afterwards, whether
 * the load succeeded or failed, is checked.  The store is made anew every
 * FD_RESET_EVERY inputs, so that nothing (free pages, a journal) can grow
 * with the length of the run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

#define FD_RESET_EVERY 10000

static icx_ctx *fd_ctx;
static icx_vocab *fd_vocab;
static icx_store *fd_store;
static char fd_path[4352];
static unsigned long fd_runs;

static const icx_format fd_formats[3] = {
  ICX_FORMAT_TURTLE, ICX_FORMAT_RDFXML, ICX_FORMAT_NTRIPLES
};

static void fd_open(void)
{
  icx_store_free(fd_store);
  fd_store = NULL;
  unlink(fd_path);
  if (icx_store_open(fd_ctx, fd_path, ICX_STORE_CREATE, &fd_store) != ICX_OK) {
    fprintf(stderr, "fuzz: cannot make the store: %s\n", icx_ctx_errmsg(fd_ctx));
    exit(2);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fd_ctx = fuzz_ctx(0);
  fd_vocab = fuzz_vocab(fd_ctx);
  snprintf(fd_path, sizeof fd_path, "%s/document.db", fuzz_tmpdir());
  fd_open();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  icx_loader *loader;
  icx_store_stats stats = { 0, 0, 0, 0 };
  icx_rc rc;

  if (size < 1)
    return 0;
  if (++fd_runs % FD_RESET_EVERY == 0)
    fd_open();
  loader = icx_loader_new(fd_ctx, fd_vocab, fd_store);
  if (!loader)
    return 0;
  icx_loader_set_format(loader, fd_formats[data[0] % 3]);
  rc = icx_loader_load_buffer(loader, "fuzz", data + 1, size - 1);
  icx_loader_free(loader);
  if (rc == ICX_OK &&
      icx_store_remove_document(fd_store, "urn:icx:doc:fuzz") != ICX_OK) {
    fprintf(stderr, "fuzz: a loaded document cannot be removed: %s\n",
            icx_ctx_errmsg(fd_ctx));
    abort();
  }
  /* Whether it loaded or failed, the store is empty again: a failed load
   * leaves nothing behind. */
  if (icx_store_stats_get(fd_store, fd_vocab, &stats) != ICX_OK ||
      stats.documents != 0 || stats.triples != 0) {
    fprintf(stderr, "fuzz: the store is not empty after a load (%s): "
            "%ld documents, %ld triples\n", icx_strerror(rc), stats.documents,
            stats.triples);
    abort();
  }
  return 0;
}

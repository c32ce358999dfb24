/* fuzz.h - what the libFuzzer targets of tests/fuzz share: finding the
 * source tree, a quiet context, the shipped vocabulary, a temporary store
 * holding the paper's clouds, and the entry points libFuzzer calls (which
 * fuzz_replay.c calls too, in builds without libFuzzer). */
#ifndef ICX_FUZZ_H
#define ICX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "icx.h"

/* libFuzzer's entry points, defined by each target. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The source tree: $ICX_SRCDIR, else the one the build was configured
 * from.  Lent. */
const char *fuzz_srcdir(void);

/* A context whose sink drops every message (a fuzzer's output is its own
 * statistics), with a time limit of ms for matching and explaining.
 * Exits the process if none can be made. */
icx_ctx *fuzz_ctx(unsigned long ms);

/* The shipped vocabulary ($ICX_ONTOLOGY, else the tree's ontology/);
 * exits the process, saying why, if it does not load. */
icx_vocab *fuzz_vocab(icx_ctx *ctx);

/* A new temporary folder, removed with everything in it when the process
 * exits normally.  Lent. */
const char *fuzz_tmpdir(void);

/* A new store in fuzz_tmpdir() holding data/clouds (the paper's clouds
 * and the others shipped), reopened read-only as icxd's workers open it;
 * exits the process if that fails. */
icx_store *fuzz_store_clouds(icx_ctx *ctx, const icx_vocab *vocab);

/* data[0..size) as a new NUL-terminated string (the targets that hand
 * text to libraries wanting C strings).  Exits on ENOMEM. */
char *fuzz_cstring(const uint8_t *data, size_t size);

#endif

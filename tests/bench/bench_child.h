/* bench_child.h - the processes of `make bench`, internal to icx_bench:
 * the program runs itself again as a child for each measurement (with
 * "match", "explain" or "load" first), under a time cap, and reads back
 * the report file the child writes ("key value", one a line).
 *
 *   icx_bench match ENGINE STORE SHAPE REPORT NAMES
 *       ENGINE (icx, icx-sql, rasqal or sql) answers shape SHAPE (an
 *       index into bench_shapes) on STORE (for sql: the baseline
 *       database): open + first query (cold), then warm repetitions;
 *       the answer goes to NAMES (bench_names.h).
 *   icx_bench explain STORE SHAPE REPORT
 *       icx_explain_run() with no cloud named, timed the same way; the
 *       report's count is the clouds meeting every constraint.
 *   icx_bench load STORE TTL REPORT
 *       a fresh store, one Turtle document loaded with the loader.
 *
 * Repetitions and their cap come from ICX_BENCH_REPS and
 * ICX_BENCH_WARM_CAP, the request files from under ICX_SRCDIR.
 */
#ifndef BENCH_CHILD_H
#define BENCH_CHILD_H

#include <stddef.h>

#include "icx_vocab.h"

/* The children: argv as main() has it (argv[1] names the child).  Each
 * returns its exit status: 0, 1 on failure (a message on stderr), 2 on a
 * bad shape index. */
int bench_child_match(char **argv);
int bench_child_explain(char **argv);
int bench_child_load(char **argv);
int bench_child_index(char **argv);

/* The tier lists of the shapes that ask for a region: each region's
 * closure in vocab (the region and every individual narrower than it), as
 * local names, kept for the life of the process.  0, or -1 with a message
 * on stderr.  Children call it themselves; the parent before generating. */
int bench_shapes_init(const icx_vocab *vocab);

/* What bench_spawn() returns for a child it killed at its time cap. */
#define BENCH_CHILD_TIMEOUT (-2)

/* Runs args (args[0] found on PATH) in a child process in a process group
 * of its own, and kills the group after timeout seconds; *elapsed gets the
 * seconds it ran.  Returns its exit status (128 + the signal when one
 * ended it), BENCH_CHILD_TIMEOUT, or -1 when it could not be run. */
int bench_spawn(char *const args[], double timeout, double *elapsed);
/* bench_spawn() of a child whose cold start alone is wanted: it runs one
 * warm repetition, not ICX_BENCH_REPS. */
int bench_spawn_cold(char *const args[], double timeout, double *elapsed);

/* Asks the kernel to drop path's pages from the page cache (they are on
 * disk: the files were written and closed), so that the next process to
 * read it reads it from disk.  0, or -1 when path cannot be opened (a
 * missing file is not an error: 0). */
int bench_drop_cached(const char *path);

/* The median of the figures of v[0..n-1] that are not NAN, NAN when
 * none are; moves those figures, sorted, to the front of v. */
double bench_median(double *v, size_t n);

/* The number under key in report file, or NAN. */
double bench_report_num(const char *file, const char *key);
/* The text under key in report file into out (n bytes), or "?". */
void bench_report_str(const char *file, const char *key, char *out, size_t n);

#endif

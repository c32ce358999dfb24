/* bench_names.h - an answer of `make bench` as a list of names: what a
 * child process collects, writes to its names file (one a line), and the
 * parent reads back to compare with the generator's answer.
 */
#ifndef BENCH_NAMES_H
#define BENCH_NAMES_H

#include <stddef.h>

/* A growable list of owned names; all zero is the empty list. */
typedef struct bench_names {
  char **v;
  size_t n, cap;
} bench_names;

/* Appends a copy of s.  0, or -1 when out of memory. */
int bench_names_add(bench_names *l, const char *s);
/* Frees every name and the array; l is the empty list again. */
void bench_names_clear(bench_names *l);
/* Sorts l and drops duplicates. */
void bench_names_unique(bench_names *l);
/* Writes l to path, one name a line.  0 or -1. */
int bench_names_write(const bench_names *l, const char *path);
/* Reads path (one name a line) into l, which it empties first.  0, or -1
 * with l empty. */
int bench_names_read(bench_names *l, const char *path);

#endif

/* fuzz_replay.c - a main for the fuzz targets in builds without libFuzzer
 * (gcc, or clang without --enable-fuzzing): runs the target on every file
 * named, or in every folder named, or, given nothing, in the target's
 * checked-in corpus (tests/fuzz/corpus/<target>), once each, as a test.
 * A crash or a sanitizer report fails it, as in a fuzzing run. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef ICX_FUZZ_TARGET
#error "ICX_FUZZ_TARGET names the target (constraint, document, command, index)"
#endif

static int replay_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t len = 0, cap = 0, n;

  if (!f) {
    fprintf(stderr, "fuzz_replay: cannot open %s\n", path);
    return 1;
  }
  for (;;) {
    if (len == cap) {
      unsigned char *grown = realloc(buf, cap ? cap * 2 : 4096);
      if (!grown) {
        fclose(f);
        free(buf);
        return 1;
      }
      buf = grown;
      cap = cap ? cap * 2 : 4096;
    }
    n = fread(buf + len, 1, cap - len, f);
    if (n == 0)
      break;
    len += n;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

static int replay_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order.  Returns the count run, or -1. */
static long replay_dir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL, path[4352];
  size_t n = 0, i;
  long runs = 0;
  struct stat st;

  if (!d)
    return -1;
  while ((e = readdir(d)) != NULL) {
    char **grown;
    if (e->d_name[0] == '.')
      continue;
    grown = realloc(names, (n + 1) * sizeof *names);
    if (!grown || !(grown[n] = strdup(e->d_name))) {
      free(grown ? grown : names);
      closedir(d);
      return -1;
    }
    names = grown;
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, replay_cmp);
  for (i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay_file(path) == 0)
      runs++;
    free(names[i]);
  }
  free(names);
  return runs;
}

int main(int argc, char **argv)
{
  char corpus[4352];
  struct stat st;
  long runs = 0, r;
  int i;

  LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus/%s", fuzz_srcdir(),
             ICX_FUZZ_TARGET);
    r = replay_dir(corpus);
    if (r <= 0) {
      fprintf(stderr, "fuzz_replay: no inputs in %s\n", corpus);
      return 1;
    }
    printf("%s: %ld inputs replayed from %s\n", ICX_FUZZ_TARGET, r, corpus);
    return 0;
  }
  for (i = 1; i < argc; i++) {
    if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      r = replay_dir(argv[i]);
      if (r < 0)
        return 1;
      runs += r;
    } else {
      if (replay_file(argv[i]) != 0)
        return 1;
      runs++;
    }
  }
  printf("%s: %ld inputs replayed\n", ICX_FUZZ_TARGET, runs);
  return 0;
}

/* bench_names.c - an answer of `make bench` as a list of names
 * (bench_names.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_gen.h"
#include "bench_names.h"

static int
names_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int
bench_names_add(bench_names *l, const char *s)
{
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 256;
    char **nv = realloc(l->v, ncap * sizeof *nv);
    if (!nv)
      return -1;
    l->v = nv;
    l->cap = ncap;
  }
  if (!(l->v[l->n] = strdup(s)))
    return -1;
  l->n++;
  return 0;
}

void
bench_names_clear(bench_names *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

void
bench_names_unique(bench_names *l)
{
  size_t i, j = 0;

  if (!l->n)   /* an empty answer has no array (and qsort wants one) */
    return;
  qsort(l->v, l->n, sizeof *l->v, names_cmp);
  for (i = 0; i < l->n; i++) {
    if (j > 0 && !strcmp(l->v[j - 1], l->v[i]))
      free(l->v[i]);
    else
      l->v[j++] = l->v[i];
  }
  l->n = j;
}

int
bench_names_write(const bench_names *l, const char *path)
{
  FILE *fp = fopen(path, "w");
  size_t i;

  if (!fp)
    return -1;
  for (i = 0; i < l->n; i++)
    fprintf(fp, "%s\n", l->v[i]);
  return fclose(fp) == 0 ? 0 : -1;
}

int
bench_names_read(bench_names *l, const char *path)
{
  char *buf = bench_read_file(path, NULL), *p, *nl;

  memset(l, 0, sizeof *l);
  if (!buf)
    return -1;
  for (p = buf; *p; p = nl + 1) {
    if (!(nl = strchr(p, '\n')))
      break;
    *nl = '\0';
    if (bench_names_add(l, p)) {
      bench_names_clear(l);
      free(buf);
      return -1;
    }
  }
  free(buf);
  return 0;
}

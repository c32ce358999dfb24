/* page_bench.c - what one page of a large answer costs icxd's loop
 * thread: cut from a tree of the whole answer (icxd_rsm_page_answer())
 * against cut from the answer's index (icxd_rsm_page_indexed()), the
 * index made once (icxd_rsm_index_new(), on a worker).
 *
 *   page_bench ANSWER.xml [ROUNDS]
 *
 * ANSWER.xml is a <matchingClouds> answer, as `icx match --format xml`
 * prints it (its line breaks and indents are taken out, as icxd writes
 * it).  Prints, per way and page (the first, the one after the middle
 * cloud, the last), the median of ROUNDS (default 5) in ms; both ways
 * must give the same page. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>
#include <time.h>

#include "icxd_rsm.h"
#include "icxd_rsm_index.h"

static double now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* The file's text without the space between tags. */
static char *read_answer(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *buf, *o;
  const char *p;
  long len;

  if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
      !(buf = malloc((size_t)len + 1)) || fread(buf, 1, (size_t)len, f) != (size_t)len) {
    fprintf(stderr, "page_bench: cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  buf[len] = '\0';
  for (p = o = buf; *p; p++) {
    if (*p == '\n') {
      while (p[1] == ' ')
        p++;
      continue;
    }
    *o++ = *p;
  }
  *o = '\0';
  return buf;
}

/* The text of item k's key: the k-th <cloudName>'s text. */
static char *key_at(const char *xml, size_t k)
{
  const char *p = xml, *e;
  char *out;

  while (k-- + 1 && p)
    if ((p = strstr(p + 1, "<cloudName")))
      p = strchr(p, '>');
  if (!p || !(e = strchr(p, '<')))
    return NULL;
  out = strndup(p + 1, (size_t)(e - p - 1));
  return out;
}

int main(int argc, char **argv)
{
  xmpp_ctx_t *x;
  char *xml, *mid, err[256], *ta, *tb;
  icxd_rsm_index *ix;
  size_t n, rounds = argc > 2 ? (size_t)atoi(argv[2]) : 5, r, w, len;
  double t, tree[3][64], idx[3][64], build[64];
  static const char *const what[3] = {"first page", "after the middle", "last page"};

  if (argc < 2 || rounds < 1 || rounds > 64) {
    fprintf(stderr, "usage: page_bench ANSWER.xml [ROUNDS (1-64)]\n");
    return 2;
  }
  xmpp_initialize();
  x = xmpp_ctx_new(NULL, NULL);
  xml = read_answer(argv[1]);
  for (r = 0; r < rounds; r++) {
    t = now_ms();
    ix = icxd_rsm_index_new(xml, "matchingClouds", "cloudName", NULL);
    build[r] = now_ms() - t;
    if (!ix) {
      fprintf(stderr, "page_bench: %s is not an answer icxd would index\n", argv[1]);
      return 1;
    }
    n = icxd_rsm_index_count(ix);
    mid = key_at(xml, n / 2);
    for (w = 0; w < 3; w++) {
      icxd_rsm_req req;
      xmpp_stanza_t *a, *b;
      memset(&req, 0, sizeof req);
      req.max = req.index = -1;
      if (w == 1)
        req.after = mid;
      if (w == 2)
        req.before = (char *)"";
      t = now_ms();
      a = icxd_rsm_page_answer(x, xml, "matchingClouds", &req, 500, 48 * 1024, err, sizeof err);
      tree[w][r] = now_ms() - t;
      t = now_ms();
      b = icxd_rsm_page_indexed(x, xml, ix, &req, 500, 48 * 1024, err, sizeof err);
      idx[w][r] = now_ms() - t;
      if (!a || !b || xmpp_stanza_to_text(a, &ta, &len) || xmpp_stanza_to_text(b, &tb, &len) ||
          strcmp(ta, tb) != 0) {
        fprintf(stderr, "page_bench: the two ways differ (%s)\n", what[w]);
        return 1;
      }
      xmpp_free(x, ta);
      xmpp_free(x, tb);
      xmpp_stanza_release(a);
      xmpp_stanza_release(b);
    }
    free(mid);
    icxd_rsm_index_free(ix);
  }
  printf("answer: %zu clouds, %zu bytes; median of %zu rounds, ms\n", n, strlen(xml), rounds);
  qsort(build, rounds, sizeof build[0], cmp_double);
  printf("%-18s %10s %10s\n", "page", "tree", "index");
  printf("%-18s %10s %10.2f\n", "index made once", "-", build[rounds / 2]);
  for (w = 0; w < 3; w++) {
    qsort(tree[w], rounds, sizeof tree[w][0], cmp_double);
    qsort(idx[w], rounds, sizeof idx[w][0], cmp_double);
    printf("%-18s %10.2f %10.2f\n", what[w], tree[w][rounds / 2], idx[w][rounds / 2]);
  }
  free(xml);
  xmpp_ctx_free(x);
  xmpp_shutdown();
  return 0;
}

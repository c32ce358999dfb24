/* icx_publish.c - `make bench-publish`: what one publish costs the next
 * query on the matching index, applied from the store's change log
 * against the index read again whole, side by side in one run; and cold
 * start (open + first query) against a warm query (doc/performance.md).
 *
 * The store: N generated clouds (bench_gen.c, seed 1) in one document,
 * made once under $ICX_BENCH_DIR and kept for the next run.  A reader
 * (read-only handle, as an icxd worker) answers the paper's request; a
 * writer (another connection, as icxd's writer or `icx load` from a
 * shell) publishes one small document with one cloud, each time a new
 * version of it, which meets the request every other time.  After each
 * publish the reader answers again: in turn with its index kept (the
 * change applied) and with its index dropped first (read again whole, as
 * before the change log).  Every answer's count is checked.
 *
 * Environment: ICX_BENCH_PUBLISH_N (clouds, default 100000),
 * ICX_BENCH_PUBLISH_REPS (publishes of each kind, default 15),
 * ICX_BENCH_DIR (where the data goes), ICX_ONTOLOGY, ICX_SRCDIR.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_gen.h"
#include "icx.h"
#include "icx_index.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return n ? v[n / 2] : 0;
}

static double
p90(double *v, size_t n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return n ? v[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1] : 0;
}

static long
rss_kb(const char *field)
{
  FILE *fp = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;

  if (!fp)
    return -1;
  while (fgets(line, sizeof line, fp))
    if (!strncmp(line, field, strlen(field)))
      kb = strtol(line + strlen(field), NULL, 10);
  fclose(fp);
  return kb;
}

/* The ISO codes of the countries the vocabulary knows (lent strings). */
static const char **
vocab_countries(const icx_vocab *vocab, size_t *n)
{
  const icx_attribute *a = icx_vocab_find_attribute(vocab, "tierCountry");
  const char **v;
  size_t i;

  *n = a ? icx_attribute_value_count(a) : 0;
  if (!*n || !(v = calloc(*n + 1, sizeof *v)))
    return NULL;
  for (i = 0; i < *n; i++) {
    const char *iri = icx_individual_iri(icx_attribute_value(a, i));
    const char *hash = strrchr(iri, '#');
    v[i] = hash ? hash + 1 : iri;
  }
  return v;
}

/* The matches of set on store; -1 on failure. */
static long
match_count(icx_ctx *ctx, icx_store *store, const icx_constraints *set)
{
  icx_match *m = NULL;
  long n;

  if (icx_match_run(ctx, store, set, &m) != ICX_OK) {
    fprintf(stderr, "bench: match: %s\n", icx_ctx_errmsg(ctx));
    return -1;
  }
  if (icx_match_answered_by(m) != ICX_MATCH_PATH_INDEX) {
    fprintf(stderr, "bench: the request was not answered on the index\n");
    icx_match_free(m);
    return -1;
  }
  n = (long)icx_match_count(m);
  icx_match_free(m);
  return n;
}

/* Publishes version v of the small document through writer: one cloud,
 * meeting the paper's request when v is even. */
static int
publish(icx_ctx *ctx, const icx_vocab *vocab, icx_store *writer, unsigned v)
{
  char ttl[1024];
  icx_loader *l = icx_loader_new(ctx, vocab, writer);
  int n, rc;

  n = snprintf(ttl, sizeof ttl,
               "@prefix res: <http://www.csp/resOntology#> .\n"
               "<http://bench.example/published> a res:Cloud ;\n"
               "  res:cloudName \"published\" ; res:offers <http://bench.example/published-s%u> .\n"
               "<http://bench.example/published-s%u> a res:StorageService ;\n"
               "  res:availability %s ; res:replicationFactor 5 ; res:tierCountry res:JP ;\n"
               "  res:replicationMethod res:AMQP ; res:storageAccess res:NFS .\n",
               v, v, v % 2 ? "99.0" : "99.999");
  if (!l || n <= 0 || (size_t)n >= sizeof ttl)
    return -1;
  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  rc = icx_loader_load_buffer(l, "published", (const unsigned char *)ttl, (size_t)n);
  if (rc != ICX_OK)
    fprintf(stderr, "bench: publish: %s\n", icx_ctx_errmsg(ctx));
  icx_loader_free(l);
  return rc == ICX_OK ? 0 : -1;
}

int
main(void)
{
  long n = (long)bench_env_num("ICX_BENCH_PUBLISH_N", 100000, 1),
       reps = (long)bench_env_num("ICX_BENCH_PUBLISH_REPS", 15, 1);
  const char *dir = getenv("ICX_BENCH_DIR"), *srcdir = getenv("ICX_SRCDIR");
  char ttl[4096], db[4096], xml_path[4096];
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  icx_store *reader = NULL, *writer = NULL;
  icx_constraints *set = NULL;
  const char **countries = NULL;
  size_t n_countries = 0, len = 0;
  char *xml = NULL;
  double *warm = NULL, *pub[2] = { NULL, NULL }, *query[2] = { NULL, NULL };
  double t, cold_open, cold_query;
  long base, got, rss_cold, rss_end;
  unsigned long applies = 0, wholes = 0;
  double apply_ms = 0;
  struct stat sb;
  long i;
  int mode, rc = 1;

  if (!dir)
    dir = "bench-data";
  if (!srcdir)
    srcdir = ".";
  if (n < 1 || reps < 1 || !ctx)
    return 2;
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  mkdir(dir, 0700);
  if (icx_vocab_load(ctx, icx_vocab_default_dir(), &vocab) != ICX_OK ||
      !(countries = vocab_countries(vocab, &n_countries))) {
    fprintf(stderr, "bench: vocabulary: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  snprintf(ttl, sizeof ttl, "%s/publish-%ld.ttl", dir, n);
  snprintf(db, sizeof db, "%s/publish-%ld.db", dir, n);
  snprintf(xml_path, sizeof xml_path, "%s/data/constraints/paper.xml", srcdir);
  if (stat(db, &sb) != 0) {
    bench_data d;
    icx_store *s = NULL;
    icx_loader *l = NULL;
    memset(&d, 0, sizeof d);
    printf("making the store: %ld clouds ...\n", n);
    fflush(stdout);
    if (bench_generate((unsigned long)n, 1, countries, n_countries, ttl, NULL, &d))
      goto done;
    bench_data_free(&d);
    if (icx_store_open(ctx, db, ICX_STORE_CREATE, &s) != ICX_OK ||
        !(l = icx_loader_new(ctx, vocab, s)) || icx_loader_load_path(l, ttl) != ICX_OK) {
      fprintf(stderr, "bench: load: %s\n", icx_ctx_errmsg(ctx));
      icx_loader_free(l);
      icx_store_free(s);
      unlink(db);
      goto done;
    }
    icx_loader_free(l);
    icx_store_free(s);
    unlink(ttl);
  }
  if (!(xml = bench_read_file(xml_path, &len))) {
    fprintf(stderr, "bench: %s: %s\n", xml_path, strerror(errno));
    goto done;
  }
  if (icx_constraints_parse(ctx, vocab, xml, len, &set) != ICX_OK) {
    fprintf(stderr, "bench: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  warm = calloc((size_t)reps, sizeof *warm);
  for (mode = 0; mode < 2; mode++) {
    pub[mode] = calloc((size_t)reps, sizeof *pub[mode]);
    query[mode] = calloc((size_t)reps, sizeof *query[mode]);
    if (!pub[mode] || !query[mode])
      goto done;
  }
  if (!warm)
    goto done;

  /* Cold start: the store opened, the first request answered (the index
   * read from the store on the way).  The file is in the OS's cache. */
  t = bench_now();
  if (icx_store_open(ctx, db, ICX_STORE_READONLY, &reader) != ICX_OK) {
    fprintf(stderr, "bench: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  cold_open = (bench_now() - t) * 1e3;
  t = bench_now();
  if ((base = match_count(ctx, reader, set)) < 0)
    goto done;
  cold_query = (bench_now() - t) * 1e3;
  rss_cold = rss_kb("VmRSS:");
  for (i = 0; i < reps; i++) {
    t = bench_now();
    if (match_count(ctx, reader, set) != base)
      goto done;
    warm[i] = (bench_now() - t) * 1e3;
  }

  /* Publishes, the two kinds in turn. */
  if (icx_store_open(ctx, db, 0, &writer) != ICX_OK) {
    fprintf(stderr, "bench: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  if (publish(ctx, vocab, writer, 1) || (base = match_count(ctx, reader, set)) < 0)
    goto done;                  /* the published cloud there, not matching */
  for (i = 0; i < reps; i++)
    for (mode = 0; mode < 2; mode++) {
      unsigned v = (unsigned)(2 * (i * 2 + mode) + (i % 2 ? 1 : 2));
      t = bench_now();
      if (publish(ctx, vocab, writer, v))
        goto done;
      pub[mode][i] = (bench_now() - t) * 1e3;
      if (mode == 1) {
        icx_index_stats st;
        icx_index_get_stats(icx_store_attached(reader), &st);
        applies += st.applies;
        apply_ms += st.apply_ms;
        wholes += st.refreshes;
        icx_store_attach(reader, NULL, NULL);   /* the index dropped: read again whole */
      }
      t = bench_now();
      got = match_count(ctx, reader, set);
      query[mode][i] = (bench_now() - t) * 1e3;
      if (got != base + (v % 2 ? 0 : 1)) {
        fprintf(stderr, "bench: after publish %u: %ld matches, expected %ld\n", v, got,
                base + (v % 2 ? 0 : 1));
        goto done;
      }
    }
  rss_end = rss_kb("VmRSS:");
  {
    printf("\n%ld clouds, paper's request (%ld matches), %ld publishes of each kind; ms\n", n,
           base, reps);
    printf("| N | cold: open + first query | warm query (median / p90) | cold / warm |"
           " publish (writer) | query after publish, applied (median / p90) |"
           " query after publish, read whole (median / p90) | whole / applied |"
           " RSS MB after cold / end |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    {
      double wm = median(warm, (size_t)reps), w9 = p90(warm, (size_t)reps);
      double am = median(query[0], (size_t)reps), a9 = p90(query[0], (size_t)reps);
      double fm = median(query[1], (size_t)reps), f9 = p90(query[1], (size_t)reps);
      double pm = median(pub[0], (size_t)reps);
      printf("| %ld | %.1f + %.1f | %.2f / %.2f | %.0fx | %.1f | %.2f / %.2f | %.1f / %.1f |"
             " %.0fx | %.0f / %.0f |\n", n, cold_open, cold_query, wm, w9,
             (cold_open + cold_query) / wm, pm, am, a9, fm, f9, fm / am, rss_cold / 1024.0,
             rss_end / 1024.0);
    }
    printf("index: %lu changes applied, %.2f ms each on average; emptied by a change the log"
           " could not give %lu times; peak RSS %ld MB\n", applies,
           applies ? apply_ms / (double)applies : 0.0, wholes, rss_kb("VmHWM:") / 1024);
  }
  rc = 0;
done:
  for (mode = 0; mode < 2; mode++) {
    free(pub[mode]);
    free(query[mode]);
  }
  free(warm);
  free(xml);
  free(countries);
  icx_constraints_free(set);
  icx_store_free(writer);
  icx_store_free(reader);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return rc;
}

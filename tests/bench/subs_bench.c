/* subs_bench.c - `make bench`, standing requests (issue 14, item 4): the
 * time from a publish's commit to the last notification queued, with N
 * clouds in the store and S subscriptions, beside the naive baseline that
 * matches every subscription again on the whole store.
 *
 * In process, no XMPP: the store holds N synthetic clouds (bench_gen.c,
 * one document); S subscriptions with thresholds spread over the data
 * (replicas at least r, one of 12; availability at least a, one of 100:
 * many requesters ask the same, at most 112 shapes) are made by subscribe
 * jobs, as requesters make them (timed: each new shape is matched once on
 * the whole store).  Then, P times: a new
 * one-cloud document is written (as icxd's writer writes a publish) and
 * the clock runs from its commit to the return of icxd_subs_changed(),
 * which has queued every notification; the baseline then runs
 * icx_match_run() for each of the S subscriptions on the same store, for
 * at most ICX_BENCH_SUBS_BASELINE_S seconds per publish: past it, its
 * time is the time per subscription so far times S (the row says how
 * many subscriptions it ran), and only the first 3 publishes run it.
 * Median and 90th percentile of both, side by side, per S.
 *
 * Environment: ICX_BENCH_SUBS_CLOUDS (default 10000), ICX_BENCH_SUBS
 * (the S values, default "100 1000 10000"), ICX_BENCH_SUBS_PUBLISHES
 * (P, default 15), ICX_BENCH_DIR, ICX_ONTOLOGY,
 * ICX_BENCH_SUBS_BASELINE_S (default 20). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_gen.h"
#include "icx.h"
#include "icx_store_subs.h"
#include "icxd_log.h"
#include "icxd_publish.h"
#include "icxd_subs.h"
#include "icxd_writer.h"

static int
subs_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* The p-th percentile of v[0..n-1] (sorted in place). */
static double
subs_pct(double *v, size_t n, double p)
{
  size_t i;

  if (!n)
    return 0;
  qsort(v, n, sizeof *v, subs_cmp_double);
  i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i];
}

/* Subscription k's request: a threshold on replicas or availability. */
static void
subs_request(char *buf, size_t len, long k)
{
  if (k % 2)
    snprintf(buf, len,
             "<in><constraints xmlns='http://www.csp/resOntology'><constraint>"
             "<attribute>replicationFactor</attribute><value>%ld</value>"
             "</constraint></constraints></in>", 1 + (k / 2) % 12);
  else
    snprintf(buf, len,
             "<in><constraints xmlns='http://www.csp/resOntology'><constraint>"
             "<attribute>availability</attribute><value>%.3f</value>"
             "</constraint></constraints></in>", 99.0 + (double)((k / 2) % 100) / 100.0);
}

/* One new cloud's document, as a publish sends it. */
static char *
subs_cloud_doc(long i)
{
  char *t = malloc(1024);

  snprintf(t, 1024,
           "@prefix res: <http://www.csp/resOntology#> .\n"
           "<http://new%ld.example/c> a res:Cloud ; res:cloudName \"new%ld\" ;\n"
           "  res:offers <http://new%ld.example/s> .\n"
           "<http://new%ld.example/s> a res:StorageService ;\n"
           "  res:availability %.3f ; res:replicationFactor %ld ;\n"
           "  res:tierCountry res:DE ; res:storageAccess res:NFS .\n",
           i, i, i, i, 99.0 + (double)(i % 1000) / 1000.0, 1 + i % 12);
  return t;
}

static int
subs_bench_one(icx_ctx *ctx, const icx_vocab *vocab, const char *db, long n_subs,
               long publishes, double cap_s, icxd_logger *log)
{
  icx_store *store = NULL;
  icxd_subs *subs;
  icx_constraints **sets;
  double *t_inc, *t_base, t_load;
  long k, p, done_base = 0, base_subs = 0;
  char req[512];
  unsigned long before, scoped, full;
  icxd_job *job;
  int rc = 0;

  if (icx_store_open(ctx, db, 0, &store) != ICX_OK) {
    fprintf(stderr, "subs_bench: cannot open %s: %s\n", db, icx_ctx_errmsg(ctx));
    return -1;
  }
  /* The subscriptions, as requesters make them (a shape asked already is
   * answered without matching); none is told anything yet. */
  {
    size_t removed;
    icx_store_subs_remove_jid(store, "bench@example.org", &removed);
  }
  sets = calloc((size_t)n_subs + 1, sizeof *sets);
  subs = icxd_subs_new(db, log);
  icxd_subs_set_limits(subs, 0, 0);
  t_load = bench_now();
  for (k = 0; k < n_subs; k++) {
    subs_request(req, sizeof req, k);
    job = icxd_job_new(1);
    job->kind = ICXD_JOB_SUBSCRIBE;
    job->actor = strdup("bench@example.org");
    job->xml = strdup(req);
    job->xml_len = strlen(req);
    icxd_subs_run(subs, ctx, vocab, job);
    if (job->rc != ICX_OK ||
        icx_constraints_parse(ctx, vocab, req, strlen(req), &sets[k]) != ICX_OK) {
      fprintf(stderr, "subs_bench: subscription %ld: %s\n", k,
              job->errmsg ? job->errmsg : icx_ctx_errmsg(ctx));
      return -1;
    }
    icxd_job_free(job);
  }
  t_load = bench_now() - t_load;
  {
    icxd_subs_note n;
    while (icxd_subs_take(subs, &n))
      icxd_subs_note_clear(&n);
  }
  icxd_subs_figures(subs, &before, &full);

  t_inc = calloc((size_t)publishes + 1, sizeof *t_inc);
  t_base = calloc((size_t)publishes + 1, sizeof *t_base);
  for (p = 0; p < publishes; p++) {
    char *doc = subs_cloud_doc(p + 1000000L * n_subs);
    char *uri = icxd_publish_doc_uri("cloud@example.org", "bench");
    char name[64];
    char *after[1];
    icx_loader *l = icx_loader_new(ctx, vocab, store);
    double t0;
    icx_loader_set_format(l, ICX_FORMAT_TURTLE);
    icx_loader_set_owner(l, "cloud@example.org");
    snprintf(name, sizeof name, "new%ld", p + 1000000L * n_subs);
    after[0] = name;
    if (icx_loader_load_into(l, uri, "bench", (const unsigned char *)doc, strlen(doc)) !=
        ICX_OK) {
      fprintf(stderr, "subs_bench: publish: %s\n", icx_ctx_errmsg(ctx));
      rc = -1;
    }
    icx_loader_free(l);
    /* Committed: from here to the last notification queued. */
    t0 = bench_now();
    icxd_subs_changed(subs, ctx, store, vocab, uri, NULL, 0, after, 1);
    t_inc[p] = (bench_now() - t0) * 1000.0;
    {
      icxd_subs_note n;
      while (icxd_subs_take(subs, &n))
        icxd_subs_note_clear(&n);
    }
    /* The baseline: every subscription matched again on the whole store
     * (past the cap, extrapolated from those matched). */
    if (done_base < 3) {
      t0 = bench_now();
      for (k = 0; k < n_subs && bench_now() - t0 < cap_s; k++) {
        icx_match *m = NULL;
        if (icx_match_run(ctx, store, sets[k], &m) != ICX_OK)
          rc = -1;
        icx_match_free(m);
      }
      base_subs = k;
      t_base[done_base++] = (bench_now() - t0) * 1000.0 * (double)n_subs / (double)k;
    }
    free(doc);
    free(uri);
  }
  icxd_subs_figures(subs, &scoped, &full);
  printf("%8ld %8ld %10.1f | %10.2f %10.2f (%2ld) | %12.1f %12.1f (%2ld%s) | %6lu %8.1f\n",
         n_subs, (long)icxd_subs_count(subs), t_load * 1000.0,
         subs_pct(t_inc, (size_t)publishes, 0.5), subs_pct(t_inc, (size_t)publishes, 0.9),
         publishes, subs_pct(t_base, (size_t)done_base, 0.5),
         subs_pct(t_base, (size_t)done_base, 0.9), done_base,
         base_subs < n_subs ? ", extrapolated" : "", scoped - before,
         (double)(scoped - before) / (double)publishes);
  fflush(stdout);
  for (k = 0; k < n_subs; k++)
    icx_constraints_free(sets[k]);
  free(sets);
  free(t_inc);
  free(t_base);
  icxd_subs_release(subs);
  icxd_subs_free(subs);
  icx_store_free(store);
  return rc;
}

int
main(void)
{
  long n = (long)bench_env_num("ICX_BENCH_SUBS_CLOUDS", 10000, 1);
  long publishes = (long)bench_env_num("ICX_BENCH_SUBS_PUBLISHES", 15, 1);
  double cap = (double)(long)bench_env_num("ICX_BENCH_SUBS_BASELINE_S", 20, 1);
  const char *sizes = getenv("ICX_BENCH_SUBS");
  const char *dir = getenv("ICX_BENCH_DIR");
  const char *onto = getenv("ICX_ONTOLOGY");
  static const char *const countries[] = { "JP", "DE", "FR", "US", "BR", "IN" };
  char ttl[4096], db[4096], *list, *tok, *save = NULL;
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_loader *l;
  icxd_logger log;
  bench_data data;
  int rc = 0;

  if (!dir || !*dir)
    dir = "bench-data";
  mkdir(dir, 0755);
  snprintf(ttl, sizeof ttl, "%s/subs-%ld.ttl", dir, n);
  snprintf(db, sizeof db, "%s/subs-%ld.db", dir, n);
  icxd_logger_init(&log, ICXD_LOG_ERROR, 0);
  if (icx_vocab_load(ctx, onto ? onto : icx_vocab_default_dir(), &vocab) != ICX_OK) {
    fprintf(stderr, "subs_bench: vocabulary: %s\n", icx_ctx_errmsg(ctx));
    return 1;
  }
  memset(&data, 0, sizeof data);
  remove(db);
  if (bench_generate((unsigned long)n, 14, countries, sizeof countries / sizeof *countries,
                     ttl, NULL, &data) != 0)
    return 1;
  if (icx_store_open(ctx, db, ICX_STORE_CREATE, &store) != ICX_OK ||
      !(l = icx_loader_new(ctx, vocab, store)) ||
      icx_loader_load_path(l, ttl) != ICX_OK) {
    fprintf(stderr, "subs_bench: load: %s\n", icx_ctx_errmsg(ctx));
    return 1;
  }
  icx_loader_free(l);
  icx_store_free(store);
  printf("# standing requests: %ld clouds (%ld triples); per publish, from its commit to "
         "the last notification queued\n", data.clouds, data.triples);
  printf("# incremental: icxd_subs on the published document alone; baseline: every "
         "subscription matched again on the whole store (icx_match_run)\n");
  printf("# (times in ms; publishes timed in parentheses; subscribe = the S subscribe jobs; "
         "scoped = shape evaluations on a scope, in all and per publish)\n");
  printf("%8s %8s %10s | %10s %10s %4s | %12s %12s %4s | %6s %8s\n", "S", "held", "subscribe",
         "inc med", "inc p90", "(n)", "naive med", "naive p90", "(n)", "scoped", "/publish");
  list = strdup(sizes && *sizes ? sizes : "100 1000 10000");
  for (tok = strtok_r(list, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
    if (subs_bench_one(ctx, vocab, db, atol(tok), publishes, cap, &log) != 0)
      rc = 1;
  free(list);
  bench_data_free(&data);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return rc;
}

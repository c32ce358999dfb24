/* subs_bench.c - `make bench`, standing requests (issue 14, item 4): the
 * time from a publish's commit to the last notification taken from the
 * outbox, with N clouds in the store and S subscriptions, beside the
 * naive baseline that matches every subscription again on the whole
 * store.
 *
 * In process, no XMPP: the store holds N synthetic clouds (bench_gen.c,
 * one document); S subscriptions with thresholds spread over the data
 * (replicas at least r, one of 12; availability at least a, one of 100:
 * many requesters ask the same, at most 112 shapes) are written in one
 * transaction, each shape's current answer (matched once on the whole
 * store) beside its first subscription, as icxd keeps it; then icxd's
 * registry reads them (a first job: the subscriptions are read and
 * evaluated once in full, which must tell nothing: the answers were
 * true).  Then, P times: a new one-cloud document is written (as icxd's
 * writer writes a publish) and the clock runs from its commit until a
 * taker thread (icxd's loop, without the network) has taken the last
 * notification of that change from the outbox, made whole; the
 * writer hands them over as it makes them (icxd_subs.h, the outbox's
 * bound).  The baseline then runs
 * icx_match_run() for each of the S subscriptions on the same store, for
 * at most ICX_BENCH_SUBS_BASELINE_S seconds per publish: past it, its
 * time is the time per subscription so far times S (the row says how
 * many subscriptions it ran), and only the first 3 publishes run it.
 * Median and 90th percentile of both, side by side, per S.
 *
 * Environment: ICX_BENCH_SUBS_CLOUDS (default 10000), ICX_BENCH_SUBS
 * (the S values, default "100 1000 10000"), ICX_BENCH_SUBS_PUBLISHES
 * (P, default 15), ICX_BENCH_DIR, ICX_ONTOLOGY,
 * ICX_BENCH_SUBS_BASELINE_S (default 20), ICX_BENCH_SUBS_EMPTY (1: the
 * subscriptions are written without their answers, so that reading them
 * tells every subscriber its whole answer: the case that once took all
 * the memory; the rows then show the outbox's peak and the process's
 * size). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_gen.h"
#include "icx.h"
#include "icx_store_subs.h"
#include "icxd_log.h"
#include "icxd_publish.h"
#include "icxd_subs.h"
#include "icxd_writer.h"
#include "icx_util.h"

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

/* The loop's side: takes notifications as they come, counting them and
 * the time of the last one. */
typedef struct subs_taker {
  icxd_subs *subs;
  pthread_t thread;
  pthread_mutex_t lock;
  int stop;
  unsigned long taken;
  double last;
} subs_taker;

static void *
subs_taker_run(void *ud)
{
  subs_taker *t = ud;
  icxd_subs_note n;
  int stop;

  for (;;) {
    if (icxd_subs_take(t->subs, &n)) {
      double now = bench_now();
      icxd_subs_note_clear(&n);
      pthread_mutex_lock(&t->lock);
      t->taken++;
      t->last = now;
      pthread_mutex_unlock(&t->lock);
      continue;
    }
    pthread_mutex_lock(&t->lock);
    stop = t->stop;
    pthread_mutex_unlock(&t->lock);
    if (stop)
      break;
    usleep(50);
  }
  return NULL;
}

/* Waits until the taker has taken n notifications in all; the time of
 * the last one taken. */
static double
subs_taker_wait(subs_taker *t, unsigned long n)
{
  double last;
  unsigned long taken;

  for (;;) {
    pthread_mutex_lock(&t->lock);
    taken = t->taken;
    last = t->last;
    pthread_mutex_unlock(&t->lock);
    if (taken >= n)
      return last;
    usleep(50);
  }
}

/* The process's peak resident size so far, in MB. */
static long
subs_rss_mb(void)
{
  struct rusage ru;

  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return -1;
  return ru.ru_maxrss / 1024;
}

static int
subs_cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Subscription k's shape (its request text's index among those made
 * so far): the same text is the same shape. */
#define SUBS_SHAPES_MAX 256

/* Writes the S subscriptions of bench@example.org in one transaction:
 * the first of each shape with the shape's current answer (its rows),
 * as icxd keeps it.  0 or -1. */
static int
subs_make(icx_ctx *ctx, icx_store *store, icx_constraints **sets, long n_subs,
          int empty)
{
  char *seen[SUBS_SHAPES_MAX];
  size_t n_seen = 0, i;
  char req[512];
  long k;
  int rc = 0;

  if (icx_store_subs_begin(store) != ICX_OK)
    return -1;
  for (k = 0; k < n_subs && rc == 0; k++) {
    long long id;
    int fresh = 1;
    subs_request(req, sizeof req, k);
    for (i = 0; i < n_seen && fresh; i++)
      fresh = strcmp(seen[i], req) != 0;
    if (icx_store_subs_add(store, "bench@example.org", req, "", NULL, &id) != ICX_OK) {
      rc = -1;
      break;
    }
    if (fresh && !empty && n_seen < SUBS_SHAPES_MAX) {
      icx_match *m = NULL;
      char **names, *joined;
      size_t c, len = 1, at = 0;
      seen[n_seen++] = strdup(req);
      if (icx_match_run(ctx, store, sets[k], &m) != ICX_OK) {
        rc = -1;
        break;
      }
      c = icx_match_count(m);
      names = calloc(c + 1, sizeof *names);
      for (i = 0; i < c; i++) {
        names[i] = (char *)icx_match_cloud(m, i);
        len += strlen(names[i]) + 1;
      }
      qsort(names, c, sizeof *names, subs_cmp_str);
      joined = malloc(len);
      for (i = 0; i < c; i++) {
        size_t l = strlen(names[i]);
        if (i)
          joined[at++] = '\n';
        memcpy(joined + at, names[i], l);
        at += l;
      }
      joined[at] = '\0';
      if (icx_store_subs_set_answer(store, id, joined) != ICX_OK)
        rc = -1;
      free(joined);
      free(names);
      icx_match_free(m);
    }
  }
  if (icx_store_subs_end(store, rc == 0) != ICX_OK)
    rc = -1;
  for (i = 0; i < n_seen; i++)
    free(seen[i]);
  if (rc != 0)
    fprintf(stderr, "subs_bench: making the subscriptions: %s\n", icx_ctx_errmsg(ctx));
  return rc;
}

static int
subs_bench_one(icx_ctx *ctx, const icx_vocab *vocab, const char *db, long n_subs,
               long publishes, double cap_s, int empty, icxd_logger *log)
{
  icx_store *store = NULL;
  icxd_subs *subs;
  icx_constraints **sets;
  double *t_inc, *t_base, t_load, t_ready, t_made = 0;
  unsigned long told_at_start, notes = 0, q0;
  subs_taker taker;
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
  for (k = 0; k < n_subs; k++) {
    subs_request(req, sizeof req, k);
    if (icx_constraints_parse(ctx, vocab, req, strlen(req), &sets[k]) != ICX_OK) {
      fprintf(stderr, "subs_bench: subscription %ld: %s\n", k, icx_ctx_errmsg(ctx));
      return -1;
    }
  }
  t_load = bench_now();
  if (subs_make(ctx, store, sets, n_subs, empty) != 0)
    return -1;
  t_load = bench_now() - t_load;
  subs = icxd_subs_new(db, log);
  icxd_subs_set_limits(subs, 0, 0);
  memset(&taker, 0, sizeof taker);
  taker.subs = subs;
  pthread_mutex_init(&taker.lock, NULL);
  pthread_create(&taker.thread, NULL, subs_taker_run, &taker);
  /* icxd's first job reads them (and evaluates every shape in full). */
  t_ready = bench_now();
  job = icxd_job_new(1);
  job->kind = ICXD_JOB_SUBS_LIST;
  job->actor = strdup("nobody@example.org");
  icxd_subs_run(subs, ctx, vocab, job);
  if (job->rc != ICX_OK) {
    fprintf(stderr, "subs_bench: reading them: %s\n", job->errmsg ? job->errmsg : "");
    return -1;
  }
  icxd_job_free(job);
  t_ready = bench_now() - t_ready;
  told_at_start = icxd_subs_notes_queued(subs);
  (void)subs_taker_wait(&taker, told_at_start);
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
    /* Committed: from here to the last notification taken. */
    q0 = icxd_subs_notes_queued(subs);
    t0 = bench_now();
    icxd_subs_changed(subs, ctx, store, vocab, uri, NULL, 0, after, 1);
    {
      double t1 = bench_now(), last;
      unsigned long q = icxd_subs_notes_queued(subs);
      last = q > q0 ? subs_taker_wait(&taker, q) : t1;
      if (last < t1)
        last = t1;
      t_inc[p] = (last - t0) * 1000.0;
      t_made += (t1 - t0) * 1000.0;
      notes += q - q0;
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
  pthread_mutex_lock(&taker.lock);
  taker.stop = 1;
  pthread_mutex_unlock(&taker.lock);
  pthread_join(taker.thread, NULL);
  pthread_mutex_destroy(&taker.lock);
  icxd_subs_figures(subs, &scoped, &full);
  printf("%8ld %8ld %8.1f %8.1f %5lu | %10.2f %10.2f %8.2f (%2ld) | %12.1f %12.1f (%2ld%s) | "
         "%6lu %8.1f | %7.0f %5zu %4lu %6ld\n",
         n_subs, (long)icxd_subs_count(subs), t_load, t_ready, told_at_start,
         subs_pct(t_inc, (size_t)publishes, 0.5), subs_pct(t_inc, (size_t)publishes, 0.9),
         t_made / (double)publishes, publishes, subs_pct(t_base, (size_t)done_base, 0.5),
         subs_pct(t_base, (size_t)done_base, 0.9), done_base,
         base_subs < n_subs ? ", extrapolated" : "", scoped - before,
         (double)(scoped - before) / (double)publishes,
         (double)notes / (double)publishes, icxd_subs_outbox_peak(subs),
         icxd_subs_notes_dropped(subs), subs_rss_mb());
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
  int empty = (long)bench_env_num("ICX_BENCH_SUBS_EMPTY", 0, 0) != 0;
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

  icx_malloc_tune();
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
         "the last notification taken from the outbox\n", data.clouds, data.triples);
  printf("# incremental: icxd_subs on the published document alone, notifications taken "
         "by a thread as icxd's loop takes them; baseline: every subscription matched "
         "again on the whole store (icx_match_run)\n");
  printf("# (make = the S subscriptions written in one transaction with their answers, s; "
         "read = icxd's first job reading and evaluating them, s; told = notifications "
         "that reading made (0: the answers were true); times per publish in ms; made = "
         "until icxd_subs_changed() returned; (n) = publishes timed; scoped = shape "
         "evaluations on a scope, in all and per publish; notes = notifications per "
         "publish; peak = most held by the outbox; drop = dropped; rss = the process's "
         "peak resident size so far)\n");
  printf("%8s %8s %8s %8s %5s | %10s %10s %8s %4s | %12s %12s %4s | %6s %8s | %7s %5s %4s %6s\n",
         "S", "held", "make", "read", "told", "inc med", "inc p90", "made", "(n)", "naive med",
         "naive p90", "(n)", "scoped", "/publish", "notes", "peak", "drop", "rss MB");
  list = strdup(sizes && *sizes ? sizes : "100 1000 10000");
  for (tok = strtok_r(list, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
    if (subs_bench_one(ctx, vocab, db, atol(tok), publishes, cap, empty, &log) != 0)
      rc = 1;
  free(list);
  bench_data_free(&data);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return rc;
}

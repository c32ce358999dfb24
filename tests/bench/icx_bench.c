/* icx_bench.c - `make bench`: icx against a hand-written SQL baseline, on
 * the same synthetic data, in one run (doc/performance.md).
 *
 * For each size N it generates N clouds (bench_gen.c), loads the Turtle
 * document into a fresh icx store with the loader, and answers the three
 * constraint shapes four ways: icx_match_run() (whatever path the engine
 * takes: the matching index for these shapes), icx's SQL path alone
 * (icx_match_run_path(), ICX_MATCH_PATH_SQL, "icx-sql"), rasqal through
 * librdf on the same store, and hand-written SQL over plain SQLite
 * tables.  Every answer is compared with the others and
 * with the generator's own; any difference fails the run.
 *
 * Loading and each engine's matching run in child processes (this program
 * again, with "load" or "match" as first argument): the parent enforces the
 * time caps by killing a child that overruns, and each child's peak RSS
 * (getrusage) and cold start are its own.
 *
 * Environment (defaults in brackets):
 *   ICX_BENCH_SIZES        cloud counts to run ["10000 100000"]
 *   ICX_BENCH_SEED         generator seed [1]
 *   ICX_BENCH_REPS         warm repetitions per engine and shape [30]
 *   ICX_BENCH_WARM_CAP     seconds of warm repetitions per engine and shape [20]
 *   ICX_BENCH_QUERY_CAP    seconds a child may take for open + first query [60];
 *                          past it the engine is "skipped (cap)" for this and larger N
 *   ICX_BENCH_RASQAL_CAP   the same for rasqal [30]; 0 does not run rasqal at all
 *   ICX_BENCH_LOAD_CAP     seconds for loading one size into icx [420]; a load
 *                          predicted (from the last rate) to take longer is skipped
 *   ICX_BENCH_DIR          where data and stores go [./bench-data], removed
 *                          afterwards unless ICX_BENCH_KEEP=1
 *   ICX_ONTOLOGY, ICX_SRCDIR  the vocabulary and the source tree (set by make)
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdf.h>
#include <sqlite3.h>

#include "icx_compile.h"
#include "icx_constraint.h"
#include "icx_ctx.h"
#include "icx_exec.h"
#include "icx_loader.h"
#include "icx_match.h"
#include "icx_match_internal.h"
#include "icx_store.h"
#include "icx_store_rdf.h"
#include "icx_vocab.h"

#include "bench_gen.h"

#define CHILD_TIMEOUT (-2)

static char self_exe[PATH_MAX];

/* --- small helpers ----------------------------------------------------------- */

static const char *
env_str(const char *name, const char *dflt)
{
  const char *v = getenv(name);

  return v && *v ? v : dflt;
}

static long
peak_rss_kb(void)
{
  struct rusage ru;

  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* A growable list of owned names. */
typedef struct names {
  char **v;
  size_t n, cap;
} names;

static int
names_add(names *l, const char *s)
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

static void
names_clear(names *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

/* Sorts and drops duplicates. */
static void
names_unique(names *l)
{
  size_t i, j = 0;

  qsort(l->v, l->n, sizeof *l->v, cmp_str);
  for (i = 0; i < l->n; i++) {
    if (j > 0 && !strcmp(l->v[j - 1], l->v[i]))
      free(l->v[i]);
    else
      l->v[j++] = l->v[i];
  }
  l->n = j;
}

static int
names_write(const names *l, const char *path)
{
  FILE *fp = fopen(path, "w");
  size_t i;

  if (!fp)
    return -1;
  for (i = 0; i < l->n; i++)
    fprintf(fp, "%s\n", l->v[i]);
  return fclose(fp) == 0 ? 0 : -1;
}

static int
names_read(names *l, const char *path)
{
  char *buf = bench_read_file(path, NULL), *p, *nl;

  memset(l, 0, sizeof *l);
  if (!buf)
    return -1;
  for (p = buf; *p; p = nl + 1) {
    if (!(nl = strchr(p, '\n')))
      break;
    *nl = '\0';
    if (names_add(l, p)) {
      free(buf);
      return -1;
    }
  }
  free(buf);
  return 0;
}

/* --- the children: timing loop and its report ---------------------------------- */

typedef struct timing {
  double *ms;
  size_t n, cap;
} timing;

static int
timing_add(timing *t, double ms)
{
  if (t->n == t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 64;
    double *nv = realloc(t->ms, ncap * sizeof *nv);
    if (!nv)
      return -1;
    t->ms = nv;
    t->cap = ncap;
  }
  t->ms[t->n++] = ms;
  return 0;
}

/* Writes the child's report: one "key value" a line. */
static int
report(const char *path, const char *engine_path, double vocab_ms, double cold_ms,
       timing *t, size_t count)
{
  FILE *fp = fopen(path, "w");
  double med = 0, p99 = 0;

  if (!fp)
    return -1;
  if (t->n) {
    size_t k = (size_t)ceil(0.99 * (double)t->n);
    qsort(t->ms, t->n, sizeof *t->ms, cmp_double);
    med = t->n % 2 ? t->ms[t->n / 2] : (t->ms[t->n / 2 - 1] + t->ms[t->n / 2]) / 2;
    p99 = t->ms[(k ? k : 1) - 1];
  }
  fprintf(fp, "path %s\nvocab_ms %.3f\ncold_ms %.3f\nreps %zu\nmedian_ms %.3f\n"
          "p99_ms %.3f\ncount %zu\nrss_kb %ld\n", engine_path, vocab_ms, cold_ms, t->n, med,
          p99, count, peak_rss_kb());
  return fclose(fp) == 0 ? 0 : -1;
}

typedef struct run_opts {
  size_t reps;
  double warm_cap;
} run_opts;

static int
keep_going(const run_opts *o, const timing *t, double t_warm0)
{
  return t->n < o->reps && (t->n == 0 || bench_now() - t_warm0 < o->warm_cap);
}

/* icx_match_run() as the front ends call it (AUTO), or on one path; *by
 * gets the path that answered. */
static int
icx_once(icx_ctx *ctx, icx_store *store, const icx_constraints *set, icx_match_path path,
         const char **by, names *out)
{
  icx_match *m = NULL;
  size_t i;

  if (icx_match_run_path(ctx, store, set, path, &m) != ICX_OK) {
    fprintf(stderr, "bench: icx_match_run: %s\n", icx_ctx_errmsg(ctx));
    return -1;
  }
  *by = icx_match_answered_by(m) == ICX_MATCH_PATH_INDEX ? "index" : "sql";
  names_clear(out);
  for (i = 0; i < icx_match_count(m); i++)
    if (names_add(out, icx_match_cloud(m, i))) {
      icx_match_free(m);
      return -1;
    }
  icx_match_free(m);
  names_unique(out);
  return 0;
}

/* The compiled query, straight on rasqal through librdf, on the store's own
 * model: what "rasqal on the same store" means whatever path icx takes. */
static int
rasqal_once(librdf_world *world, librdf_model *model, const char *sparql, names *out)
{
  librdf_query *q = librdf_new_query(world, "sparql", NULL, (const unsigned char *)sparql,
                                     NULL);
  librdf_query_results *res = NULL;
  int rc = -1;

  names_clear(out);
  if (!q || !(res = librdf_query_execute(q, model)) || !librdf_query_results_is_bindings(res))
    goto done;
  while (!librdf_query_results_finished(res)) {
    librdf_node *n = librdf_query_results_get_binding_value_by_name(res, ICX_COMPILE_NAME_VAR);
    if (n) {
      int bad = !librdf_node_is_literal(n) ||
                names_add(out, (const char *)librdf_node_get_literal_value(n));
      librdf_free_node(n);
      if (bad)
        goto done;
    }
    librdf_query_results_next(res);
  }
  names_unique(out);
  rc = 0;
done:
  if (rc)
    fprintf(stderr, "bench: rasqal query failed\n");
  if (res)
    librdf_free_query_results(res);
  if (q)
    librdf_free_query(q);
  return rc;
}

/* The hand-written SQL, prepared, bound and run as an application would
 * for each request. */
static int
sql_once(sqlite3 *db, const char *sql, const bench_shape *shape, names *out)
{
  sqlite3_stmt *st = NULL;
  int rc;

  names_clear(out);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || bench_sql_bind(st, shape)) {
    fprintf(stderr, "bench: SQL: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -1;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (names_add(out, (const char *)sqlite3_column_text(st, 0))) {
      rc = SQLITE_NOMEM;
      break;
    }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "bench: SQL: %s\n", sqlite3_errstr(rc));
    return -1;
  }
  names_unique(out);
  return 0;
}

/* icx_bench match ENGINE STORE SHAPE REPORT NAMES
 * ENGINE is icx, rasqal or sql; STORE the icx store (or, for sql, the
 * baseline database); SHAPE an index into bench_shapes. */
static int
child_match(char **argv)
{
  const char *engine = argv[2], *store_path = argv[3];
  int shape_i = atoi(argv[4]);
  const bench_shape *shape;
  const char *srcdir = env_str("ICX_SRCDIR", ".");
  run_opts o;
  timing t = { NULL, 0, 0 };
  names got = { NULL, 0, 0 };
  icx_ctx *ctx = NULL;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_constraints *set = NULL;
  sqlite3 *db = NULL;
  char *xml = NULL, *sparql = NULL, *sql = NULL, path[PATH_MAX];
  const char *engine_path = engine;
  double t0, t1, t2, tw;
  size_t len = 0;
  int rc = 1;

  if (shape_i < 0 || shape_i >= BENCH_SHAPES)
    return 2;
  shape = &bench_shapes[shape_i];
  o.reps = (size_t)bench_env_num("ICX_BENCH_REPS", 30, 0);
  o.warm_cap = bench_env_num("ICX_BENCH_WARM_CAP", 20, 0);
  if (o.reps < 1)
    o.reps = 1;

  t0 = bench_now();
  if (!strcmp(engine, "sql")) {
    static const char *const form_names[BENCH_SQL_FORMS] = {
      "numbers-first", "tier-first", "method-first", "access-first"
    };
    double best = -1;
    int f, k;
    t1 = bench_now();
    if (!(sql = bench_sql_query(shape, 0)))
      goto done;
    if (sqlite3_open_v2(store_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
      fprintf(stderr, "bench: %s: %s\n", store_path, sqlite3_errmsg(db));
      goto done;
    }
    if (sql_once(db, sql, shape, &got))
      goto done;
    t2 = bench_now();
    /* Every hand-written form, best of three runs each; the fastest is
     * the baseline. */
    engine_path = form_names[0];
    for (f = 0; f < BENCH_SQL_FORMS; f++) {
      char *q = bench_sql_query(shape, f);
      double fbest = -1;
      if (!q)
        continue;
      for (k = 0; k < 3; k++) {
        double a = bench_now(), ms;
        if (sql_once(db, q, shape, &got)) {
          free(q);
          goto done;
        }
        ms = (bench_now() - a) * 1e3;
        if (fbest < 0 || ms < fbest)
          fbest = ms;
      }
      if (best < 0 || fbest < best) {
        best = fbest;
        engine_path = form_names[f];
        free(sql);
        sql = q;
      } else {
        free(q);
      }
    }
    tw = bench_now();
    while (keep_going(&o, &t, tw)) {
      double a = bench_now();
      if (sql_once(db, sql, shape, &got) || timing_add(&t, (bench_now() - a) * 1e3))
        goto done;
    }
    rc = report(argv[5], engine_path, 0, (t2 - t1) * 1e3, &t, got.n) || names_write(&got, argv[6]);
    goto done;
  }

  /* icx and rasqal: context and vocabulary first (not part of cold start:
   * a service has them before it opens a store), then open + first query. */
  if (!(ctx = icx_ctx_new()))
    goto done;
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  if (icx_vocab_load(ctx, icx_vocab_default_dir(), &vocab) != ICX_OK) {
    fprintf(stderr, "bench: vocabulary: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  snprintf(path, sizeof path, "%s/%s", srcdir, shape->xml);
  if (!(xml = bench_read_file(path, &len))) {
    fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
    goto done;
  }
  t1 = bench_now();
  if (icx_store_open(ctx, store_path, ICX_STORE_READONLY, &store) != ICX_OK ||
      icx_constraints_parse(ctx, vocab, xml, len, &set) != ICX_OK) {
    fprintf(stderr, "bench: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  if (!strcmp(engine, "icx") || !strcmp(engine, "icx-sql")) {
    icx_match_path mpath = strcmp(engine, "icx") ? ICX_MATCH_PATH_SQL : ICX_MATCH_PATH_AUTO;
    if (icx_once(ctx, store, set, mpath, &engine_path, &got))
      goto done;
    t2 = bench_now();
    tw = bench_now();
    while (keep_going(&o, &t, tw)) {
      double a = bench_now();
      if (icx_once(ctx, store, set, mpath, &engine_path, &got) ||
          timing_add(&t, (bench_now() - a) * 1e3))
        goto done;
    }
  } else if (!strcmp(engine, "rasqal")) {
    librdf_model *model = icx_store_model(store);
    librdf_world *world = librdf_storage_get_world(librdf_model_get_storage(model));
    if (icx_compile_sparql(ctx, set, &sparql) != ICX_OK) {
      fprintf(stderr, "bench: compile: %s\n", icx_ctx_errmsg(ctx));
      goto done;
    }
    if (rasqal_once(world, model, sparql, &got))
      goto done;
    t2 = bench_now();
    tw = bench_now();
    while (keep_going(&o, &t, tw)) {
      double a = bench_now();
      if (rasqal_once(world, model, sparql, &got) || timing_add(&t, (bench_now() - a) * 1e3))
        goto done;
    }
  } else {
    fprintf(stderr, "bench: unknown engine %s\n", engine);
    goto done;
  }
  rc = report(argv[5], engine_path, (t1 - t0) * 1e3, (t2 - t1) * 1e3, &t, got.n) ||
       names_write(&got, argv[6]);
done:
  free(t.ms);
  names_clear(&got);
  free(xml);
  free(sql);
  free(sparql);
  if (db)
    sqlite3_close(db);
  icx_constraints_free(set);
  icx_store_free(store);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return rc;
}

/* icx_bench load STORE TTL REPORT: a fresh store, one document. */
static int
child_load(char **argv)
{
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_loader *loader = NULL;
  icx_store_stats stats;
  FILE *fp;
  double t0;
  int rc = 1;

  if (!ctx)
    return 1;
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  remove(argv[2]);
  if (icx_vocab_load(ctx, icx_vocab_default_dir(), &vocab) != ICX_OK)
    goto fail;
  t0 = bench_now();
  if (icx_store_open(ctx, argv[2], ICX_STORE_CREATE, &store) != ICX_OK ||
      !(loader = icx_loader_new(ctx, vocab, store)) ||
      icx_loader_load_path(loader, argv[3]) != ICX_OK)
    goto fail;
  icx_loader_free(loader);
  loader = NULL;
  icx_store_free(store);   /* closing is part of a load: it flushes */
  store = NULL;
  t0 = bench_now() - t0;
  if (icx_store_open(ctx, argv[2], ICX_STORE_READONLY, &store) != ICX_OK ||
      icx_store_stats_get(store, vocab, &stats) != ICX_OK)
    goto fail;
  if (!(fp = fopen(argv[4], "w")))
    goto done;
  fprintf(fp, "seconds %.3f\ntriples %ld\nclouds %ld\nrss_kb %ld\n", t0, stats.triples,
          stats.clouds, peak_rss_kb());
  rc = fclose(fp) != 0;
  goto done;
fail:
  fprintf(stderr, "bench: load: %s\n", icx_ctx_errmsg(ctx));
done:
  icx_loader_free(loader);
  icx_store_free(store);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return rc;
}

/* --- the parent ----------------------------------------------------------------- */

/* Runs this program with args in a child; kills it after timeout seconds.
 * Returns its exit status, CHILD_TIMEOUT, or -1. */
static int
spawn(char *const args[], double timeout, double *elapsed)
{
  double t0 = bench_now();
  pid_t pid;
  int status;

  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    execv(self_exe, args);
    _exit(127);
  }
  for (;;) {
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid)
      break;
    if (w < 0 && errno != EINTR)
      return -1;
    if (bench_now() - t0 > timeout) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      *elapsed = bench_now() - t0;
      return CHILD_TIMEOUT;
    }
    nanosleep(&ts, NULL);
  }
  *elapsed = bench_now() - t0;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* The value of key in a report file, or NAN. */
static double
stat_num(const char *file, const char *key)
{
  char *buf = bench_read_file(file, NULL), *p;
  size_t kl = strlen(key);
  double v = NAN;

  if (!buf)
    return NAN;
  for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (!strncmp(p, key, kl) && p[kl] == ' ') {
      v = strtod(p + kl + 1, NULL);
      break;
    }
  free(buf);
  return v;
}

static void
stat_str(const char *file, const char *key, char *out, size_t n)
{
  char *buf = bench_read_file(file, NULL), *p;
  size_t kl = strlen(key);

  snprintf(out, n, "?");
  if (!buf)
    return;
  for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (!strncmp(p, key, kl) && p[kl] == ' ') {
      size_t l = strcspn(p + kl + 1, "\n");
      snprintf(out, n, "%.*s", (int)(l < n - 1 ? l : n - 1), p + kl + 1);
      break;
    }
  free(buf);
}

/* What one engine did for one shape. */
typedef struct result {
  int state;           /* 0 not run, 1 ok, 2 skipped (cap), 3 failed */
  double median, p99, cold, vocab;
  long rss_kb;
  size_t reps, count;
  char path[32];
} result;

enum { ST_NONE = 0, ST_OK = 1, ST_CAP = 2, ST_FAIL = 3 };

/* icx (the index), rasqal, the SQL baseline, icx's own SQL path. */
#define ENGINES 4
static const char *const engines[ENGINES] = { "icx", "rasqal", "sql", "icx-sql" };

/* Compares an engine's names with the generator's; prints the first
 * difference.  0 when equal. */
static int
check_names(const char *file, const bench_data *d, int shape, const char *engine,
            unsigned long n)
{
  names got;
  size_t i;
  char want[32];
  int bad = 0;

  if (names_read(&got, file)) {
    fprintf(stderr, "bench: FAIL: cannot read %s\n", file);
    return -1;
  }
  for (i = 0; i < got.n || i < d->n_truth[shape]; i++) {
    if (i < d->n_truth[shape])
      bench_cloud_name(want, sizeof want, d->truth[shape][i]);
    if (i >= got.n || i >= d->n_truth[shape] || strcmp(got.v[i], want)) {
      fprintf(stderr, "bench: FAIL: N=%lu shape %s: %s answered %zu clouds, the generator "
              "%zu; first difference at %zu: %s has %s, generator has %s\n", n,
              bench_shapes[shape].name, engine, got.n, d->n_truth[shape], i, engine,
              i < got.n ? got.v[i] : "(nothing)", i < d->n_truth[shape] ? want : "(nothing)");
      bad = -1;
      break;
    }
  }
  names_clear(&got);
  return bad;
}

static void
fmt_ms(char *buf, size_t n, const result *r, int p99)
{
  if (r->state == ST_OK)
    snprintf(buf, n, "%.3g", p99 ? r->p99 : r->median);
  else
    snprintf(buf, n, "%s", r->state == ST_CAP ? "skipped (cap)"
             : r->state == ST_FAIL ? "FAILED" : "not run");
}

static void
fmt_mb(char *buf, size_t n, const result *r)
{
  if (r->state == ST_OK)
    snprintf(buf, n, "%.0f", (double)r->rss_kb / 1024.0);
  else
    snprintf(buf, n, "-");
}

static char *
path_in(const char *dir, const char *fmt, unsigned long n, const char *extra)
{
  char *p = malloc(PATH_MAX);

  if (p) {
    int len = snprintf(p, PATH_MAX, "%s/", dir);
    snprintf(p + len, PATH_MAX - (size_t)len, fmt, n, extra ? extra : "");
  }
  return p;
}

/* The ISO codes of every country the vocabulary knows (new array of lent
 * strings), from tierCountry's values. */
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

/* 0 when every name the generator draws is an individual of the vocabulary. */
static int
check_vocab(const icx_vocab *vocab)
{
  const char *const *lists[2] = { bench_methods, bench_protocols };
  const char *attrs[2] = { "replicationMethod", "storageAccess" };
  int i;

  for (i = 0; i < 2; i++) {
    const icx_attribute *a = icx_vocab_find_attribute(vocab, attrs[i]);
    const char *const *p;
    for (p = lists[i]; *p; p++) {
      char iri[256];
      snprintf(iri, sizeof iri, "http://www.csp/resOntology#%s", *p);
      if (!a || !icx_attribute_find_value(a, iri)) {
        fprintf(stderr, "bench: the vocabulary has no %s value %s\n", attrs[i], iri);
        return -1;
      }
    }
  }
  return 0;
}

static int
run(void)
{
  const char *sizes = env_str("ICX_BENCH_SIZES", "10000 100000");
  const char *dir = env_str("ICX_BENCH_DIR", "bench-data");
  uint64_t seed = (uint64_t)bench_env_num("ICX_BENCH_SEED", 1, 0);
  double query_cap = bench_env_num("ICX_BENCH_QUERY_CAP", 60, 0);
  double rasqal_cap = bench_env_num("ICX_BENCH_RASQAL_CAP", 30, 0);
  double warm_cap = bench_env_num("ICX_BENCH_WARM_CAP", 20, 0);
  double load_cap = bench_env_num("ICX_BENCH_LOAD_CAP", 420, 0);
  size_t reps = (size_t)bench_env_num("ICX_BENCH_REPS", 30, 0);
  int keep = bench_env_num("ICX_BENCH_KEEP", 0, 0) > 0;
  int capped[ENGINES][BENCH_SHAPES] = { { 0 } };   /* skipped at a smaller N */
  double load_rate = 0;                       /* triples/s of the last load */
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  const char **countries = NULL;
  size_t n_countries = 0;
  char *list = NULL, *tok, *save = NULL;
  int failures = 0;
  double t_run = bench_now();

  /* Rows of the final tables, kept to print them together at the end. */
  char summary[64][1024];
  char loads[16][256];
  int n_summary = 0, n_loads = 0, i;

  if (!ctx || icx_vocab_load(ctx, icx_vocab_default_dir(), &vocab) != ICX_OK) {
    fprintf(stderr, "bench: vocabulary: %s\n", ctx ? icx_ctx_errmsg(ctx) : "no context");
    goto done;
  }
  if (!(countries = vocab_countries(vocab, &n_countries)) || check_vocab(vocab))
    goto done;
  if (rasqal_cap <= 0)
    for (i = 0; i < BENCH_SHAPES; i++)
      capped[1][i] = 1;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    perror(dir);
    goto done;
  }
  printf("icx bench: sizes \"%s\", seed %llu, %zu warm reps (cap %gs), query cap %gs, "
         "rasqal cap %gs, load cap %gs\n", sizes, (unsigned long long)seed, reps, warm_cap,
         query_cap, rasqal_cap, load_cap);
  if (!(list = strdup(sizes)))
    goto done;
  for (tok = strtok_r(list, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
    unsigned long n = strtoul(tok, NULL, 10);
    char *ttl = path_in(dir, "clouds-%lu%s.ttl", n, NULL);
    char *sqldb = path_in(dir, "baseline-%lu%s.sqlite", n, NULL);
    char *store = path_in(dir, "icx-%lu%s.db", n, NULL);
    char *rep = path_in(dir, "report-%lu%s", n, NULL);
    char *nm = path_in(dir, "names-%lu%s", n, NULL);
    bench_data d;
    int loaded = 0, s, e;
    double el = 0;

    if (!ttl || !sqldb || !store || !rep || !nm || n == 0) {
      fprintf(stderr, "bench: bad size %s\n", tok);
      failures++;
      goto next;
    }
    printf("\n== N = %lu clouds\n", n);
    if (bench_generate(n, seed, countries, n_countries, ttl, sqldb, &d)) {
      failures++;
      goto next;
    }
    printf("generated %ld clouds, %ld services, %ld triples in %.2f s (Turtle + answers); "
           "baseline tables and indexes in %.2f s\n", d.clouds, d.services, d.triples,
           d.gen_seconds, d.sql_seconds);
    for (s = 0; s < BENCH_SHAPES; s++)
      printf("  shape %-9s: %zu clouds match (%.3f%%)\n", bench_shapes[s].name, d.n_truth[s],
             100.0 * (double)d.n_truth[s] / (double)n);

    /* Load into a fresh icx store. */
    if (load_rate > 0 && (double)d.triples / load_rate > load_cap) {
      printf("icx load: skipped (cap): %ld triples at %.0f triples/s would take %.0f s > %g s\n",
             d.triples, load_rate, (double)d.triples / load_rate, load_cap);
      snprintf(loads[n_loads++ % 16], sizeof loads[0], "| %lu | %ld | skipped (cap: ~%.0f s "
               "predicted) | | |", n, d.triples, (double)d.triples / load_rate);
    } else {
      char *args[] = { self_exe, (char *)"load", store, ttl, rep, NULL };
      int st = spawn(args, load_cap, &el);
      if (st == 0) {
        double secs = stat_num(rep, "seconds"), tr = stat_num(rep, "triples");
        load_rate = tr / secs;
        loaded = 1;
        printf("icx load: %.0f triples in %.1f s = %.0f triples/s (peak RSS %.0f MB)\n", tr,
               secs, load_rate, stat_num(rep, "rss_kb") / 1024);
        if ((long)tr != d.triples) {
          fprintf(stderr, "bench: FAIL: the store holds %.0f triples, the document %ld\n", tr,
                  d.triples);
          failures++;
        }
        snprintf(loads[n_loads++ % 16], sizeof loads[0], "| %lu | %ld | %.1f | %.0f | %.0f |",
                 n, d.triples, secs, load_rate, stat_num(rep, "rss_kb") / 1024);
      } else {
        printf("icx load: %s after %.0f s\n", st == CHILD_TIMEOUT ? "skipped (cap)" : "FAILED",
               el);
        if (st != CHILD_TIMEOUT)
          failures++;
        load_rate = st == CHILD_TIMEOUT ? (double)d.triples / el / 2 : 0;
        snprintf(loads[n_loads++ % 16], sizeof loads[0], "| %lu | %ld | %s | | |", n, d.triples,
                 st == CHILD_TIMEOUT ? "skipped (cap)" : "FAILED");
      }
    }

    for (s = 0; s < BENCH_SHAPES; s++) {
      result r[ENGINES];
      char sh[8], a[ENGINES][32], b[ENGINES][32], mb[ENGINES][16], ratio[32], ratio2[32],
           cold[48];

      memset(r, 0, sizeof r);
      snprintf(sh, sizeof sh, "%d", s);
      for (e = 0; e < ENGINES; e++) {
        char *args[] = { self_exe, (char *)"match", (char *)engines[e],
                         e == 2 ? sqldb : store, sh, rep, nm, NULL };
        double cap = e == 1 ? rasqal_cap : query_cap;
        int st;
        if (e != 2 && (!loaded || capped[e][s])) {
          r[e].state = loaded ? ST_CAP : (load_rate > 0 ? ST_CAP : ST_NONE);
          continue;
        }
        remove(rep);
        st = spawn(args, cap + warm_cap + 30, &el);
        if (st == CHILD_TIMEOUT || (st == 0 && stat_num(rep, "cold_ms") > cap * 1e3)) {
          r[e].state = ST_CAP;
          capped[e][s] = 1;
          printf("  %-9s %-6s: skipped (cap: %s after %.0f s)\n", bench_shapes[s].name,
                 engines[e], st == CHILD_TIMEOUT ? "killed" : "first query over the cap", el);
          continue;
        }
        if (st != 0) {
          r[e].state = ST_FAIL;
          failures++;
          fprintf(stderr, "bench: FAIL: %s on shape %s at N=%lu exited with %d\n", engines[e],
                  bench_shapes[s].name, n, st);
          continue;
        }
        r[e].state = ST_OK;
        r[e].median = stat_num(rep, "median_ms");
        r[e].p99 = stat_num(rep, "p99_ms");
        r[e].cold = stat_num(rep, "cold_ms");
        r[e].vocab = stat_num(rep, "vocab_ms");
        r[e].rss_kb = (long)stat_num(rep, "rss_kb");
        r[e].reps = (size_t)stat_num(rep, "reps");
        r[e].count = (size_t)stat_num(rep, "count");
        stat_str(rep, "path", r[e].path, sizeof r[e].path);
        printf("  %-9s %-6s: %zu clouds; cold %.1f ms; warm median %.3f ms, p99 %.3f ms "
               "(%zu reps); peak RSS %.0f MB%s%s\n", bench_shapes[s].name, engines[e],
               r[e].count, r[e].cold, r[e].median, r[e].p99, r[e].reps,
               (double)r[e].rss_kb / 1024, e != 1 ? "; path " : "", e != 1 ? r[e].path : "");
        if (check_names(nm, &d, s, engines[e], n))
          failures++;
      }
      for (e = 0; e < ENGINES; e++) {
        fmt_ms(a[e], sizeof a[e], &r[e], 0);
        fmt_ms(b[e], sizeof b[e], &r[e], 1);
        fmt_mb(mb[e], sizeof mb[e], &r[e]);
      }
      if (r[0].state == ST_OK && r[2].state == ST_OK && r[2].median > 0)
        snprintf(ratio, sizeof ratio, "%.1f", r[0].median / r[2].median);
      else
        snprintf(ratio, sizeof ratio, "-");
      if (r[0].state == ST_OK && r[3].state == ST_OK && r[0].median > 0)
        snprintf(ratio2, sizeof ratio2, "%.1f", r[3].median / r[0].median);
      else
        snprintf(ratio2, sizeof ratio2, "-");
      if (r[0].state == ST_OK)
        snprintf(cold, sizeof cold, "%.3g (%.1fx)", r[0].cold,
                 r[0].median > 0 ? r[0].cold / r[0].median : 0);
      else
        snprintf(cold, sizeof cold, "-");
      if (n_summary < 64)
        snprintf(summary[n_summary++], sizeof summary[0],
                 "| %lu | %s | %zu | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s | %s | "
                 "%s / %s | %s |",
                 n, bench_shapes[s].name, d.n_truth[s], r[0].state == ST_OK ? r[0].path : "-",
                 a[0], b[0], a[3], b[3], a[1], b[1], a[2], b[2],
                 r[2].state == ST_OK ? r[2].path : "-", ratio, ratio2, mb[0], mb[2], cold);
    }
    bench_data_free(&d);
    if (!keep) {
      remove(ttl);
      remove(sqldb);
      remove(store);
    }
  next:
    if (rep) remove(rep);
    if (nm) remove(nm);
    free(ttl);
    free(sqldb);
    free(store);
    free(rep);
    free(nm);
  }

  printf("\nLoad into icx (loader, one Turtle document, fresh store):\n\n"
         "| N clouds | triples | seconds | triples/s | peak RSS MB |\n"
         "|---:|---:|---:|---:|---:|\n");
  for (i = 0; i < n_loads && i < 16; i++)
    printf("%s\n", loads[i]);
  printf("\nMatching (ms, warm median / p99; RSS = peak of the matching process; "
         "cold = open store + first query, and its ratio to the warm median):\n\n"
         "| N | shape | matches | icx path | icx | icx SQL path | rasqal, same store | "
         "SQL baseline | SQL form | icx/SQL | icx SQL path/icx | RSS MB icx / SQL | "
         "icx cold ms |\n"
         "|---:|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
  for (i = 0; i < n_summary; i++)
    printf("%s\n", summary[i]);
  printf("\nwhole run: %.0f s; %s\n", bench_now() - t_run,
         failures ? "FAILED (see the messages above)" : "every answer agreed");
done:
  if (!keep)
    rmdir(dir);
  free(list);
  free(countries);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return failures || !vocab ? 1 : 0;
}

int
main(int argc, char **argv)
{
  ssize_t len = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);

  if (len <= 0) {
    perror("/proc/self/exe");
    return 2;
  }
  self_exe[len] = '\0';
  if (argc == 7 && !strcmp(argv[1], "match"))
    return child_match(argv);
  if (argc == 5 && !strcmp(argv[1], "load"))
    return child_load(argv);
  if (argc != 1) {
    fprintf(stderr, "usage: %s   (configured by ICX_BENCH_* variables; see doc/performance.md)\n",
            argv[0]);
    return 2;
  }
  return run();
}

/* icx_bench.c - `make bench`: icx against a hand-written SQL baseline and
 * two peers, on the same synthetic data, in one run (doc/performance.md).
 * One file because the parent's table and its children's timing loops
 * share the result format and the engines' list; the peers' own set-up is
 * in bench_peers.c and peers.mjs.
 *
 * For each size N it generates N clouds (bench_gen.c), loads the Turtle
 * document into a fresh icx store with the loader, and answers the five
 * constraint shapes (paper, selective, broad, subsumption, ranked) six
 * ways: icx_match_run() (whatever path the engine takes: the matching
 * index for these shapes), icx's SQL path alone (icx_match_run_path(),
 * ICX_MATCH_PATH_SQL, "icx-sql"), rasqal through librdf on the same store
 * (not for the ranked shape: it returns rows, icx scores them),
 * hand-written SQL over plain SQLite tables, DuckDB over the same tables
 * (loaded from CSV files of their rows; tests/bench/peers.mjs, through
 * Node.js and the npm package @duckdb/node-api, installed on demand into
 * the bench's folder), and a private Virtuoso on loopback loaded with the
 * same Turtle, asked hand-written SPARQL over HTTP.  A peer whose program
 * is missing is skipped with a message.  Every answer (for the ranked
 * shape: the order and each cloud's score) is compared with the
 * generator's own; any difference fails the run.  At the end the warm
 * medians go to a data file and, through gnuplot, to an SVG plot.
 *
 * Loading and each engine's matching run in child processes (this program
 * again, with "load" or "match" as first argument, or node): the parent
 * enforces the time caps by killing a child (and its process group) that
 * overruns, and each child's peak RSS (getrusage) and cold start are its
 * own (Virtuoso's: its server's).
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
 *                          predicted (from the last rate) to take longer is skipped;
 *                          also the cap of each peer's load
 *   ICX_BENCH_DUCKDB       0 to leave DuckDB out [1]
 *   ICX_BENCH_NODE_DIR     where @duckdb/node-api is installed [ICX_BENCH_DIR/node]
 *   ICX_BENCH_DUCKDB_PACKAGE  the npm package to install [@duckdb/node-api@1.5.6-r.1]
 *   ICX_BENCH_VIRTUOSO_RUN 0 to leave Virtuoso out [1]
 *   ICX_BENCH_VIRTUOSO     the Virtuoso server program [virtuoso-t on PATH]
 *   ICX_BENCH_SVG          where gnuplot draws the plot (make: doc/bench-latency.svg);
 *                          empty: no plot (the data stays in ICX_BENCH_DIR/latency.dat)
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
#include "icx_explain.h"
#include "icx_loader.h"
#include "icx_match.h"
#include "icx_match_internal.h"
#include "icx_store.h"
#include "icx_store_rdf.h"
#include "icx_vocab.h"

#include "bench_gen.h"
#include "bench_peers.h"
#include "icx_util.h"

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

  if (!l->n)   /* an empty answer has no array (and qsort wants one) */
    return;
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
  double med = 0, p90 = 0, p99 = 0;

  if (!fp)
    return -1;
  if (t->n) {
    size_t k = (size_t)ceil(0.99 * (double)t->n), k90 = (size_t)ceil(0.9 * (double)t->n);
    qsort(t->ms, t->n, sizeof *t->ms, cmp_double);
    med = t->n % 2 ? t->ms[t->n / 2] : (t->ms[t->n / 2 - 1] + t->ms[t->n / 2]) / 2;
    p90 = t->ms[(k90 ? k90 : 1) - 1];
    p99 = t->ms[(k ? k : 1) - 1];
  }
  fprintf(fp, "path %s\nvocab_ms %.3f\ncold_ms %.3f\nreps %zu\nmedian_ms %.3f\n"
          "p90_ms %.3f\np99_ms %.3f\ncount %zu\nrss_kb %ld\n", engine_path, vocab_ms, cold_ms,
          t->n, med, p90, p99, count, peak_rss_kb());
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
         int ranked, const char **by, names *out)
{
  icx_match *m = NULL;
  size_t i;
  char line[64];

  if (icx_match_run_path(ctx, store, set, path, &m) != ICX_OK) {
    fprintf(stderr, "bench: icx_match_run: %s\n", icx_ctx_errmsg(ctx));
    return -1;
  }
  *by = icx_match_answered_by(m) == ICX_MATCH_PATH_INDEX ? "index" : "sql";
  names_clear(out);
  for (i = 0; i < icx_match_count(m); i++) {
    /* A ranked answer is kept in icx's order, each name with its score. */
    if (ranked)
      snprintf(line, sizeof line, "%s %d", icx_match_cloud(m, i), icx_match_score(m, i));
    if (names_add(out, ranked ? line : icx_match_cloud(m, i))) {
      icx_match_free(m);
      return -1;
    }
  }
  icx_match_free(m);
  if (!ranked)
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
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    char line[64];
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (shape->n_soft)
      snprintf(line, sizeof line, "%s %d", name ? name : "", sqlite3_column_int(st, 1));
    if (names_add(out, shape->n_soft ? line : name)) {
      rc = SQLITE_NOMEM;
      break;
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "bench: SQL: %s\n", sqlite3_errstr(rc));
    return -1;
  }
  if (!shape->n_soft)
    names_unique(out);
  return 0;
}

/* The tier lists of the shapes that ask for a region: each region's
 * closure in vocab (the region and every individual narrower than it), as
 * local names; kept for the life of the process.  0 or -1. */
static int
shapes_init(const icx_vocab *vocab)
{
  const icx_attribute *a = icx_vocab_find_attribute(vocab, "tierCountry");
  int k;

  for (k = 0; k < BENCH_SHAPES; k++) {
    const icx_individual *ind, *const *nar;
    const char **list;
    char iri[256];
    size_t n = 0, i;

    if (!bench_shapes[k].region || bench_shapes[k].tiers)
      continue;
    snprintf(iri, sizeof iri, "http://www.csp/resOntology#%s", bench_shapes[k].region);
    if (!a || !(ind = icx_attribute_find_value(a, iri)) || !(nar = icx_individual_narrower(ind))) {
      fprintf(stderr, "bench: the vocabulary has no tierCountry value %s\n", iri);
      return -1;
    }
    while (nar[n])
      n++;
    if (!(list = calloc(n + 1, sizeof *list)))
      return -1;
    for (i = 0; i < n; i++) {
      const char *v = icx_individual_iri(nar[i]), *hash = strrchr(v, '#');
      list[i] = hash ? hash + 1 : v;
    }
    bench_shape_set_tiers(bench_shapes[k].region, list);
  }
  return 0;
}

/* icx_bench match ENGINE STORE SHAPE REPORT NAMES
 * ENGINE is icx, rasqal or sql; STORE the icx store (or, for sql, the
 * baseline database); SHAPE an index into bench_shapes. */
/* What every timing child starts with: its repetitions, and a quiet
 * context with the vocabulary (not part of cold start: a service has it
 * before it opens a store; the shapes that ask for a region need its
 * closure).  0, or -1 with a message on stderr. */
static int
child_begin(run_opts *o, icx_ctx **ctx, icx_vocab **vocab)
{
  o->reps = (size_t)bench_env_num("ICX_BENCH_REPS", 30, 0);
  o->warm_cap = bench_env_num("ICX_BENCH_WARM_CAP", 20, 0);
  if (o->reps < 1)
    o->reps = 1;
  if (!(*ctx = icx_ctx_new()))
    return -1;
  icx_ctx_set_log_level(*ctx, ICX_LOG_ERROR);
  if (icx_vocab_load(*ctx, icx_vocab_default_dir(), vocab) != ICX_OK) {
    fprintf(stderr, "bench: vocabulary: %s\n", icx_ctx_errmsg(*ctx));
    return -1;
  }
  return shapes_init(*vocab);
}

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
  t0 = bench_now();
  if (child_begin(&o, &ctx, &vocab))
    goto done;
  if (!strcmp(engine, "sql")) {
    static const char *const form_names[BENCH_SQL_FORMS] = {
      "numbers-first", "tier-first", "method-first", "access-first",
      "numbers-first+scan", "tier-first+scan", "method-first+scan", "access-first+scan"
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

  /* icx and rasqal: open + first query. */
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
    if (icx_once(ctx, store, set, mpath, shape->n_soft > 0, &engine_path, &got))
      goto done;
    t2 = bench_now();
    tw = bench_now();
    while (keep_going(&o, &t, tw)) {
      double a = bench_now();
      if (icx_once(ctx, store, set, mpath, shape->n_soft > 0, &engine_path, &got) ||
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

/* icx_bench explain STORE SHAPE REPORT: icx_explain_run() with no cloud
 * named (what `icx explain FILE` runs): open + first explanation, then
 * warm repetitions; the report's count is the clouds meeting every
 * constraint, which the parent checks against the generator. */
static int
child_explain(char **argv)
{
  const bench_shape *shape;
  int shape_i = atoi(argv[3]);
  const char *srcdir = env_str("ICX_SRCDIR", ".");
  run_opts o;
  timing t = { NULL, 0, 0 };
  icx_ctx *ctx = NULL;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_constraints *set = NULL;
  icx_explain *e = NULL;
  char *xml = NULL, path[PATH_MAX];
  double t0, t1, t2, tw;
  size_t len = 0;
  long matching = 0;
  int rc = 1;

  if (shape_i < 0 || shape_i >= BENCH_SHAPES)
    return 2;
  shape = &bench_shapes[shape_i];
  t0 = bench_now();
  if (child_begin(&o, &ctx, &vocab))
    goto done;
  snprintf(path, sizeof path, "%s/%s", srcdir, shape->xml);
  if (!(xml = bench_read_file(path, &len))) {
    fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
    goto done;
  }
  t1 = bench_now();
  if (icx_store_open(ctx, argv[2], ICX_STORE_READONLY, &store) != ICX_OK ||
      icx_constraints_parse(ctx, vocab, xml, len, &set) != ICX_OK ||
      icx_explain_run(ctx, store, set, NULL, 0, &e) != ICX_OK)
    goto fail;
  t2 = bench_now();
  matching = icx_explain_matching(e);
  icx_explain_free(e);
  e = NULL;
  tw = bench_now();
  while (keep_going(&o, &t, tw)) {
    double a = bench_now();
    if (icx_explain_run(ctx, store, set, NULL, 0, &e) != ICX_OK)
      goto fail;
    if (timing_add(&t, (bench_now() - a) * 1e3))
      goto done;
    icx_explain_free(e);
    e = NULL;
  }
  rc = report(argv[4], "explain", (t1 - t0) * 1e3, (t2 - t1) * 1e3, &t, (size_t)matching);
  goto done;
fail:
  fprintf(stderr, "bench: explain: %s\n", icx_ctx_errmsg(ctx));
done:
  free(t.ms);
  free(xml);
  icx_explain_free(e);
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
    setpgid(0, 0);   /* its own group: a cap kills what it started too */
    execvp(args[0], args);
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
      kill(-pid, SIGKILL);
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
  double median, p90, p99, cold, vocab;
  long rss_kb;
  size_t reps, count;
  char path[32];
} result;

enum { ST_NONE = 0, ST_OK = 1, ST_CAP = 2, ST_FAIL = 3 };

/* icx (the index), rasqal, the SQL baseline, icx's own SQL path, and the
 * peers: DuckDB (tests/bench/peers.mjs) and Virtuoso over HTTP. */
#define ENGINES 6
enum { E_ICX, E_RASQAL, E_SQL, E_ICX_SQL, E_DUCKDB, E_VIRTUOSO };
static const char *const engines[ENGINES] = {
  "icx", "rasqal", "sql", "icx-sql", "duckdb", "virtuoso"
};

/* Compares an engine's answer with the generator's: the names, sorted;
 * for a ranked shape, "name score" in rank order.  Prints the first
 * difference.  0 when equal. */
static int
check_names(const char *file, const bench_data *d, int shape, const char *engine,
            unsigned long n)
{
  names got;
  size_t i, *order = NULL;
  char want[64];
  int bad = 0;

  if (names_read(&got, file)) {
    fprintf(stderr, "bench: FAIL: cannot read %s\n", file);
    return -1;
  }
  if (d->score[shape] && !(order = bench_ranked_order(d, shape))) {
    names_clear(&got);
    return -1;
  }
  for (i = 0; i < got.n || i < d->n_truth[shape]; i++) {
    if (i < d->n_truth[shape]) {
      size_t j = order ? order[i] : i;
      bench_cloud_name(want, sizeof want, d->truth[shape][j]);
      if (order)
        snprintf(want + strlen(want), sizeof want - strlen(want), " %d", d->score[shape][j]);
    }
    if (i >= got.n || i >= d->n_truth[shape] || strcmp(got.v[i], want)) {
      fprintf(stderr, "bench: FAIL: N=%lu shape %s: %s answered %zu clouds, the generator "
              "%zu; first difference at %zu: %s has %s, generator has %s\n", n,
              bench_shapes[shape].name, engine, got.n, d->n_truth[shape], i, engine,
              i < got.n ? got.v[i] : "(nothing)", i < d->n_truth[shape] ? want : "(nothing)");
      bad = -1;
      break;
    }
  }
  free(order);
  names_clear(&got);
  return bad;
}

static void
fmt_ms(char *buf, size_t n, const result *r, int p90)
{
  if (r->state == ST_OK)
    snprintf(buf, n, "%.3g", p90 ? r->p90 : r->median);
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

/* The Virtuoso server of this size (its pid is set as soon as it is
 * forked, so on_signal() can stop it during the load too). */
static bench_virtuoso virt;

/* Interrupted: stop the Virtuoso server (in a process group of its own, so
 * a ^C at the terminal does not reach it), then leave. */
static void
on_signal(int sig)
{
  if (virt.pid > 0) {
    kill(-virt.pid, SIGKILL);
    kill(virt.pid, SIGKILL);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/* "a/b" of two warm medians, or "-". */
static void
ratio_of(char *buf, size_t n, const result *a, const result *b)
{
  if (a->state == ST_OK && b->state == ST_OK && b->median > 0)
    snprintf(buf, n, a->median / b->median < 0.095 ? "%.2g" : "%.1f", a->median / b->median);
  else
    snprintf(buf, n, "-");
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
  int explain_capped[BENCH_SHAPES] = { 0 };
  char explain_rows[64][160];
  int n_explain = 0;
  double load_rate = 0;                       /* triples/s of the last load */
  icx_ctx *ctx = icx_ctx_new();
  icx_vocab *vocab = NULL;
  const char **countries = NULL;
  size_t n_countries = 0;
  char *list = NULL, *tok, *save = NULL;
  int failures = 0;
  double t_run = bench_now();

  /* The peers: on unless turned off, skipped with a message when their
   * programs are missing. */
  int use_duckdb = bench_env_num("ICX_BENCH_DUCKDB", 1, 0) > 0;
  int use_virtuoso = bench_env_num("ICX_BENCH_VIRTUOSO_RUN", 1, 0) > 0;
  const char *srcdir = env_str("ICX_SRCDIR", ".");
  const char *svg = env_str("ICX_BENCH_SVG", "");
  char peers_js[PATH_MAX], shapes_json[PATH_MAX], node_dir[PATH_MAX], csv_dir[PATH_MAX],
       duckdb_file[PATH_MAX], virt_dir[PATH_MAX], plot_dat[PATH_MAX], virt_url[128] = "";
  FILE *plot = NULL;
  double lat[16][BENCH_SHAPES][ENGINES];   /* warm medians per size, for the plot */
  unsigned long lat_n[16];
  int n_lat = 0;
  char ncols[16] = "6";   /* the plot's engine columns */

  /* Rows of the final tables, kept to print them together at the end. */
  char summary[64][1024];
  char loads[16][256];
  int n_summary = 0, n_loads = 0, i, s, e;

  if (!ctx || icx_vocab_load(ctx, icx_vocab_default_dir(), &vocab) != ICX_OK) {
    fprintf(stderr, "bench: vocabulary: %s\n", ctx ? icx_ctx_errmsg(ctx) : "no context");
    goto done;
  }
  if (!(countries = vocab_countries(vocab, &n_countries)) || check_vocab(vocab) ||
      shapes_init(vocab))
    goto done;
  memset(&virt, 0, sizeof virt);
  snprintf(peers_js, sizeof peers_js, "%s/tests/bench/peers.mjs", srcdir);
  snprintf(shapes_json, sizeof shapes_json, "%s/shapes.json", dir);
  snprintf(node_dir, sizeof node_dir, "%s", env_str("ICX_BENCH_NODE_DIR", ""));
  if (!node_dir[0])
    snprintf(node_dir, sizeof node_dir, "%s/node", dir);
  snprintf(csv_dir, sizeof csv_dir, "%s/csv", dir);
  snprintf(duckdb_file, sizeof duckdb_file, "%s/peer.duckdb", dir);
  snprintf(virt_dir, sizeof virt_dir, "%s/virtuoso", dir);
  snprintf(plot_dat, sizeof plot_dat, "%s/latency.dat", dir);
  if (use_duckdb && system("node --version >/dev/null 2>&1") != 0) {
    printf("duckdb: skipped: no node on PATH (Node.js runs tests/bench/peers.mjs)\n");
    use_duckdb = 0;
  }
  if (use_virtuoso && !bench_virtuoso_program()) {
    printf("virtuoso: skipped: no virtuoso-t on PATH (Debian: virtuoso-opensource)\n");
    use_virtuoso = 0;
  }
  if (use_virtuoso && system("node --version >/dev/null 2>&1") != 0) {
    printf("virtuoso: skipped: no node on PATH (its client is tests/bench/peers.mjs)\n");
    use_virtuoso = 0;
  }
  if (rasqal_cap <= 0)
    for (i = 0; i < BENCH_SHAPES; i++)
      capped[1][i] = 1;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    perror(dir);
    goto done;
  }
  if ((use_duckdb || use_virtuoso) && bench_write_shapes_json(shapes_json)) {
    perror(shapes_json);
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
    int loaded = 0, duck_ok, virt_ok;
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

    /* The peers' set-up for this N: DuckDB's database from the baseline's
     * rows, Virtuoso started and loaded. */
    duck_ok = 0;
    if (use_duckdb && loaded) {
      char *args[] = { (char *)"node", peers_js, (char *)"duckdb-load", node_dir, csv_dir,
                       duckdb_file, rep, NULL };
      int st;
      if ((mkdir(csv_dir, 0700) != 0 && errno != EEXIST) || bench_export_csv(sqldb, csv_dir)) {
        failures++;
      } else if ((st = spawn(args, load_cap, &el)) == 0) {
        duck_ok = 1;
        printf("duckdb load: %.1f s from CSV (peak RSS %.0f MB)\n", stat_num(rep, "seconds"),
               stat_num(rep, "rss_kb") / 1024);
      } else if (st == 77) {
        printf("duckdb: skipped (see the message above)\n");
        use_duckdb = 0;
      } else {
        printf("duckdb load: %s\n", st == CHILD_TIMEOUT ? "skipped (cap)" : "FAILED");
        if (st != CHILD_TIMEOUT)
          failures++;
      }
    }
    virt_ok = 0;
    if (use_virtuoso && loaded) {
      double ls = 0;
      signal(SIGINT, on_signal);
      signal(SIGTERM, on_signal);
      signal(SIGHUP, on_signal);
      if (bench_virtuoso_start(&virt, virt_dir, ttl, load_cap, &ls) == 0) {
        virt_ok = 1;
        snprintf(virt_url, sizeof virt_url, "http://127.0.0.1:%d/sparql", virt.http_port);
        printf("virtuoso: up on 127.0.0.1:%d (SQL %d), %ld triples loaded in %.1f s "
               "(%.0f triples/s)\n", virt.http_port, virt.sql_port, d.triples, ls,
               (double)d.triples / ls);
      } else {
        printf("virtuoso: FAILED to start or load at N=%lu (the shapes are not run on it)\n",
               n);
        failures++;
      }
    }

    for (s = 0; s < BENCH_SHAPES; s++) {
      result r[ENGINES];
      char sh[8], a[ENGINES][32], b[ENGINES][32], mb[ENGINES][16], ratio[32], ratio2[32],
           ratio3[32], ratio4[32], cold[ENGINES][32];

      memset(r, 0, sizeof r);
      snprintf(sh, sizeof sh, "%d", s);
      for (e = 0; e < ENGINES; e++) {
        char *self_args[] = { self_exe, (char *)"match", (char *)engines[e],
                              e == E_SQL ? sqldb : store, sh, rep, nm, NULL };
        char *duck_args[] = { (char *)"node", peers_js, (char *)"duckdb-match", node_dir,
                              duckdb_file, shapes_json, sh, rep, nm, NULL };
        char *virt_args[] = { (char *)"node", peers_js, (char *)"virtuoso-match", virt_url,
                              shapes_json, sh, rep, nm, NULL };
        char **args = e == E_DUCKDB ? duck_args : e == E_VIRTUOSO ? virt_args : self_args;
        double cap = e == E_RASQAL ? rasqal_cap : query_cap;
        int st;
        if ((e == E_DUCKDB && !duck_ok) || (e == E_VIRTUOSO && !virt_ok) ||
            (e == E_RASQAL && bench_shapes[s].n_soft))   /* rasqal does not rank */
          continue;
        if (e != E_SQL && e != E_DUCKDB && e != E_VIRTUOSO && (!loaded || capped[e][s])) {
          r[e].state = loaded ? ST_CAP : (load_rate > 0 ? ST_CAP : ST_NONE);
          continue;
        }
        if (capped[e][s]) {
          r[e].state = ST_CAP;
          continue;
        }
        remove(rep);
        st = spawn(args, cap + warm_cap + 30, &el);
        if (st == CHILD_TIMEOUT || (st == 0 && stat_num(rep, "cold_ms") > cap * 1e3)) {
          r[e].state = ST_CAP;
          capped[e][s] = 1;
          printf("  %-11s %-8s: skipped (cap: %s after %.0f s)\n", bench_shapes[s].name,
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
        r[e].p90 = stat_num(rep, "p90_ms");
        r[e].p99 = stat_num(rep, "p99_ms");
        r[e].cold = stat_num(rep, "cold_ms");
        r[e].vocab = stat_num(rep, "vocab_ms");
        r[e].rss_kb = e == E_VIRTUOSO ? bench_virtuoso_rss_kb(&virt)
                                      : (long)stat_num(rep, "rss_kb");
        r[e].reps = (size_t)stat_num(rep, "reps");
        r[e].count = (size_t)stat_num(rep, "count");
        stat_str(rep, "path", r[e].path, sizeof r[e].path);
        printf("  %-11s %-8s: %zu clouds; cold %.1f ms; warm median %.3f ms, p90 %.3f ms, "
               "p99 %.3f ms (%zu reps); peak RSS %.0f MB%s%s\n", bench_shapes[s].name,
               engines[e], r[e].count, r[e].cold, r[e].median, r[e].p90, r[e].p99, r[e].reps,
               (double)r[e].rss_kb / 1024, e != E_RASQAL ? "; path " : "",
               e != E_RASQAL ? r[e].path : "");
        if (check_names(nm, &d, s, engines[e], n))
          failures++;
      }
      /* icx explain, no cloud named, on icx's store. */
      if (loaded && !explain_capped[s]) {
        char *ex_args[] = { self_exe, (char *)"explain", store, sh, rep, NULL };
        int st;
        remove(rep);
        st = spawn(ex_args, query_cap + warm_cap + 30, &el);
        if (st == CHILD_TIMEOUT || (st == 0 && stat_num(rep, "cold_ms") > query_cap * 1e3)) {
          explain_capped[s] = 1;
          printf("  %-11s explain : skipped (cap: %s after %.0f s)\n", bench_shapes[s].name,
                 st == CHILD_TIMEOUT ? "killed" : "first explanation over the cap", el);
        } else if (st != 0) {
          failures++;
          fprintf(stderr, "bench: FAIL: explain on shape %s at N=%lu exited with %d\n",
                  bench_shapes[s].name, n, st);
        } else {
          size_t count = (size_t)stat_num(rep, "count");
          printf("  %-11s explain : %zu clouds meet all; cold %.1f ms; warm median %.3f ms, "
                 "p90 %.3f ms (%zu reps); peak RSS %.0f MB\n", bench_shapes[s].name, count,
                 stat_num(rep, "cold_ms"), stat_num(rep, "median_ms"), stat_num(rep, "p90_ms"),
                 (size_t)stat_num(rep, "reps"), stat_num(rep, "rss_kb") / 1024);
          /* Explaining takes soft constraints as required: only a shape
           * without them has the generator's count. */
          if (!bench_shapes[s].n_soft && count != d.n_truth[s]) {
            failures++;
            fprintf(stderr, "bench: FAIL: N=%lu shape %s: explain says %zu clouds meet every "
                    "constraint, the generator %zu\n", n, bench_shapes[s].name, count,
                    d.n_truth[s]);
          }
          if (n_explain < 64)
            snprintf(explain_rows[n_explain++], sizeof explain_rows[0],
                     "| %lu | %s | %zu | %.3g | %.3g | %.3g | %.0f |", n, bench_shapes[s].name,
                     count, stat_num(rep, "cold_ms"), stat_num(rep, "median_ms"),
                     stat_num(rep, "p90_ms"), stat_num(rep, "rss_kb") / 1024);
        }
      }
      for (e = 0; e < ENGINES; e++) {
        fmt_ms(a[e], sizeof a[e], &r[e], 0);
        fmt_ms(b[e], sizeof b[e], &r[e], 1);
        fmt_mb(mb[e], sizeof mb[e], &r[e]);
        if (r[e].state == ST_OK)
          snprintf(cold[e], sizeof cold[e], "%.3g", r[e].cold);
        else
          snprintf(cold[e], sizeof cold[e], "-");
        if (n_lat < 16)
          lat[n_lat][s][e] = r[e].state == ST_OK ? r[e].median : NAN;
      }
      ratio_of(ratio, sizeof ratio, &r[E_ICX], &r[E_SQL]);
      ratio_of(ratio2, sizeof ratio2, &r[E_ICX], &r[E_DUCKDB]);
      ratio_of(ratio3, sizeof ratio3, &r[E_ICX], &r[E_VIRTUOSO]);
      ratio_of(ratio4, sizeof ratio4, &r[E_ICX_SQL], &r[E_ICX]);
      if (n_summary < 64)
        snprintf(summary[n_summary++], sizeof summary[0],
                 "| %lu | %s | %zu | %s / %s | %s / %s | %s / %s | %s / %s (%s) | %s / %s | "
                 "%s / %s | %s | %s | %s | %s | %s / %s / %s / %s | %s / %s / %s / %s |",
                 n, bench_shapes[s].name, d.n_truth[s], a[E_ICX], b[E_ICX], a[E_ICX_SQL],
                 b[E_ICX_SQL], a[E_RASQAL], b[E_RASQAL], a[E_SQL], b[E_SQL],
                 r[E_SQL].state == ST_OK ? r[E_SQL].path : "-", a[E_DUCKDB], b[E_DUCKDB],
                 a[E_VIRTUOSO], b[E_VIRTUOSO], ratio, ratio2, ratio3, ratio4, mb[E_ICX],
                 mb[E_SQL], mb[E_DUCKDB], mb[E_VIRTUOSO], cold[E_ICX], cold[E_SQL],
                 cold[E_DUCKDB], cold[E_VIRTUOSO]);
    }
    if (n_lat < 16)
      lat_n[n_lat++] = n;
    if (virt_ok) {
      bench_virtuoso_stop(&virt);
    }
    if (duck_ok || use_duckdb) {
      static const char *const csvs[] = {
        "clouds", "services", "service_tier", "service_method", "service_access"
      };
      size_t c;
      for (c = 0; c < sizeof csvs / sizeof *csvs; c++) {
        char pth[PATH_MAX + 32];
        snprintf(pth, sizeof pth, "%s/%s.csv", csv_dir, csvs[c]);
        remove(pth);
      }
      if (!keep) {
        remove(duckdb_file);
        rmdir(csv_dir);
      }
    }
    bench_data_free(&d);
    if (!keep) {
      char side[PATH_MAX + 8];
      remove(ttl);
      remove(sqldb);
      remove(store);
      snprintf(side, sizeof side, "%s-wal", store);
      remove(side);
      snprintf(side, sizeof side, "%s-shm", store);
      remove(side);
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
  printf("\nMatching (ms, warm median / p90; RSS = peak of the matching process (Virtuoso: "
         "its server); cold = open + first query (Virtuoso: first query on the loaded "
         "server); ratios of warm medians, below 1 when icx is faster):\n\n"
         "| N | shape | matches | icx | icx SQL path | rasqal, same store | SQL baseline (form) | "
         "DuckDB | Virtuoso | icx/SQL | icx/DuckDB | icx/Virtuoso | icx SQL path/icx | "
         "RSS MB icx / SQL / DuckDB / Virtuoso | cold ms icx / SQL / DuckDB / Virtuoso |\n"
         "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (i = 0; i < n_summary; i++)
    printf("%s\n", summary[i]);
  printf("\nExplanations (icx explain with no cloud named: each constraint alone and "
         "the constraints in turn; ms; cold = open + first explanation):\n\n"
         "| N | shape | clouds meeting all | cold | warm median | p90 | peak RSS MB |\n"
         "|---:|---|---:|---:|---:|---:|---:|\n");
  for (i = 0; i < n_explain; i++)
    printf("%s\n", explain_rows[i]);
  /* The plot: per shape a block of warm medians by N, one column per
   * engine ("-" where it did not run), drawn by tests/bench/latency.gp. */
  if (n_lat && (plot = fopen(plot_dat, "w"))) {
    int used[ENGINES] = { 0 }, n_used = 0;
    for (e = 0; e < ENGINES; e++) {
      for (i = 0; i < n_lat; i++)
        for (s = 0; s < BENCH_SHAPES; s++)
          used[e] |= !isnan(lat[i][s][e]);
      n_used += used[e];
    }
    for (s = 0; s < BENCH_SHAPES; s++) {
      fprintf(plot, "%s# %s\nN", s ? "\n\n" : "", bench_shapes[s].name);
      for (e = 0; e < ENGINES; e++)
        if (used[e])
          fprintf(plot, " %s", engines[e]);
      fputc('\n', plot);
      for (i = 0; i < n_lat; i++) {
        fprintf(plot, "%lu", lat_n[i]);
        for (e = 0; e < ENGINES; e++)
          if (used[e])
            fprintf(plot, isnan(lat[i][s][e]) ? " -" : " %.6g", lat[i][s][e]);
        fputc('\n', plot);
      }
    }
    snprintf(ncols, sizeof ncols, "%d", n_used);
    if (fclose(plot) != 0)
      perror(plot_dat);
    else if (*svg && system("gnuplot --version >/dev/null 2>&1") != 0)
      printf("\nplot: skipped: no gnuplot on PATH (Debian: gnuplot-nox); data in %s\n",
             plot_dat);
    else if (*svg) {
      char cmd[4 * PATH_MAX];
      snprintf(cmd, sizeof cmd, "gnuplot -e \"datafile='%s'; outfile='%s'; shapes=%d; "
               "engines=%s\" '%s/tests/bench/latency.gp'", plot_dat, svg, BENCH_SHAPES,
               ncols, srcdir);
      if (system(cmd) == 0)
        printf("\nplot: %s (data %s)\n", svg, plot_dat);
      else
        printf("\nplot: gnuplot FAILED (data %s)\n", plot_dat);
    }
  }
  printf("\nwhole run: %.0f s; %s\n", bench_now() - t_run,
         failures ? "FAILED (see the messages above)" : "every answer agreed");
done:
  if (!keep) {
    remove(shapes_json);
    rmdir(dir);
  }
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

  icx_malloc_tune();
  if (len <= 0) {
    perror("/proc/self/exe");
    return 2;
  }
  self_exe[len] = '\0';
  if (argc == 7 && !strcmp(argv[1], "match"))
    return child_match(argv);
  if (argc == 5 && !strcmp(argv[1], "load"))
    return child_load(argv);
  if (argc == 5 && !strcmp(argv[1], "explain"))
    return child_explain(argv);
  if (argc != 1) {
    fprintf(stderr, "usage: %s   (configured by ICX_BENCH_* variables; see doc/performance.md)\n",
            argv[0]);
    return 2;
  }
  return run();
}

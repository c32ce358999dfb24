/* bench_child.c - the processes of `make bench` (bench_child.h): each
 * child times one engine on one shape, or loads one size, and writes its
 * report; the parent runs it under a cap and reads the report back.
 *
 * Every timing child does the same: its context and the vocabulary (not
 * part of cold start: a service has them before it opens a store), then
 * cold start (open + first query), then warm repetitions of the same
 * query; child_job says what "the query" is for each engine. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include "icx_explain.h"
#include "icx_index.h"
#include "icx_store_ids.h"
#include "icx_loader.h"
#include "icx_match.h"
#include "icx_match_internal.h"
#include "icx_store.h"
#include "icx_store_rdf.h"
#include "icx_vocab.h"

#include "bench_child.h"
#include "bench_gen.h"
#include "bench_names.h"

/* --- timing and the report ------------------------------------------------ */

static long
child_peak_rss_kb(void)
{
  struct rusage ru;

  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int
child_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* The warm repetitions' times (ms) and how many to take. */
typedef struct child_timing {
  double *ms;
  size_t n, cap;
  size_t reps;       /* at most this many */
  double warm_cap;   /* seconds: no more started after this (one at least) */
} child_timing;

static int
child_timing_add(child_timing *t, double ms)
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

double
bench_median(double *v, size_t n)
{
  size_t i, k = 0;

  for (i = 0; i < n; i++)
    if (!isnan(v[i]))
      v[k++] = v[i];
  qsort(v, k, sizeof *v, child_cmp_double);
  return k ? (k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2) : NAN;
}

/* Writes the child's report: one "key value" a line. */
static int
child_report(const char *path, const char *engine_path, double vocab_ms, double cold_ms,
             child_timing *t, size_t count, const char *index_file)
{
  FILE *fp = fopen(path, "w");
  double med = 0, p90 = 0, p99 = 0;

  if (!fp)
    return -1;
  if (t->n) {
    size_t k = (size_t)ceil(0.99 * (double)t->n), k90 = (size_t)ceil(0.9 * (double)t->n);
    med = bench_median(t->ms, t->n);
    p90 = t->ms[(k90 ? k90 : 1) - 1];
    p99 = t->ms[(k ? k : 1) - 1];
  }
  fprintf(fp, "path %s\nvocab_ms %.3f\ncold_ms %.3f\nreps %zu\nmedian_ms %.3f\n"
          "p90_ms %.3f\np99_ms %.3f\ncount %zu\nrss_kb %ld\nindex_file %s\n", engine_path,
          vocab_ms, cold_ms, t->n, med, p90, p99, count, child_peak_rss_kb(), index_file);
  return fclose(fp) == 0 ? 0 : -1;
}

/* --- one query, for each engine --------------------------------------------- */

typedef enum { JOB_ICX, JOB_RASQAL, JOB_SQL, JOB_EXPLAIN } child_job_kind;

/* What a timing child runs again and again, and everything it holds. */
typedef struct child_job {
  child_job_kind kind;
  const bench_shape *shape;
  icx_ctx *ctx;
  icx_vocab *vocab;
  char *xml;                 /* the shape's request */
  icx_store *store;
  icx_constraints *set;
  icx_match_path mpath;      /* JOB_ICX: AUTO or one path */
  const char *by;            /* JOB_ICX: the path that answered ("index", "sql") */
  const char *query;         /* JOB_RASQAL: SPARQL; JOB_SQL: the SQL */
  librdf_world *world;       /* JOB_RASQAL: the store's own model */
  librdf_model *model;
  sqlite3 *db;               /* JOB_SQL: the baseline database */
  bench_names got;           /* the answer (JOB_EXPLAIN: none) */
  long matching;             /* JOB_EXPLAIN: the clouds meeting every constraint */
} child_job;

static void
child_job_clear(child_job *j)
{
  bench_names_clear(&j->got);
  free(j->xml);
  if (j->db)
    sqlite3_close(j->db);
  icx_constraints_free(j->set);
  icx_store_free(j->store);
  icx_vocab_free(j->vocab);
  icx_ctx_free(j->ctx);
}

/* icx_match_run() as the front ends call it (AUTO), or on one path; a
 * ranked answer is kept in icx's order, each name with its score. */
static int
child_icx_once(child_job *j)
{
  int ranked = j->shape->n_soft > 0;
  icx_match *m = NULL;
  size_t i;
  char line[64];

  /* The last run's names go first, as the other engines' do: a peak
   * RSS holding two answers would be the bench's, not icx's. */
  bench_names_clear(&j->got);
  if (icx_match_run_path(j->ctx, j->store, j->set, j->mpath, &m) != ICX_OK) {
    fprintf(stderr, "bench: icx_match_run: %s\n", icx_ctx_errmsg(j->ctx));
    return -1;
  }
  j->by = icx_match_answered_by(m) == ICX_MATCH_PATH_INDEX ? "index" : "sql";
  for (i = 0; i < icx_match_count(m); i++) {
    if (ranked)
      snprintf(line, sizeof line, "%s %d", icx_match_cloud(m, i), icx_match_score(m, i));
    if (bench_names_add(&j->got, ranked ? line : icx_match_cloud(m, i))) {
      icx_match_free(m);
      return -1;
    }
  }
  icx_match_free(m);
  return 0;
}

/* The compiled query, straight on rasqal through librdf, on the store's own
 * model: what "rasqal on the same store" means whatever path icx takes. */
static int
child_rasqal_once(child_job *j)
{
  librdf_query *q = librdf_new_query(j->world, "sparql", NULL,
                                     (const unsigned char *)j->query, NULL);
  librdf_query_results *res = NULL;
  int rc = -1;

  bench_names_clear(&j->got);
  if (!q || !(res = librdf_query_execute(q, j->model)) || !librdf_query_results_is_bindings(res))
    goto done;
  while (!librdf_query_results_finished(res)) {
    librdf_node *n = librdf_query_results_get_binding_value_by_name(res, ICX_COMPILE_NAME_VAR);
    if (n) {
      int bad = !librdf_node_is_literal(n) ||
                bench_names_add(&j->got, (const char *)librdf_node_get_literal_value(n));
      librdf_free_node(n);
      if (bad)
        goto done;
    }
    librdf_query_results_next(res);
  }
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
child_sql_once(sqlite3 *db, const char *sql, const bench_shape *shape, bench_names *out)
{
  sqlite3_stmt *st = NULL;
  int rc;

  bench_names_clear(out);
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
    if (bench_names_add(out, shape->n_soft ? line : name)) {
      rc = SQLITE_NOMEM;
      break;
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "bench: SQL: %s\n", sqlite3_errstr(rc));
    return -1;
  }
  return 0;
}

/* icx_explain_run() with no cloud named (what `icx explain FILE` runs). */
static int
child_explain_once(child_job *j)
{
  icx_explain *e = NULL;

  if (icx_explain_run(j->ctx, j->store, j->set, NULL, 0, &e) != ICX_OK) {
    fprintf(stderr, "bench: explain: %s\n", icx_ctx_errmsg(j->ctx));
    return -1;
  }
  j->matching = icx_explain_matching(e);
  icx_explain_free(e);
  return 0;
}

static int
child_job_run(child_job *j)
{
  switch (j->kind) {
  case JOB_ICX:
    return child_icx_once(j);
  case JOB_RASQAL:
    return child_rasqal_once(j);
  case JOB_SQL:
    return child_sql_once(j->db, j->query, j->shape, &j->got);
  case JOB_EXPLAIN:
    return child_explain_once(j);
  }
  return -1;
}

/* Puts the names an unranked answer gave in one order, once each, for
 * comparing engines: after the clock stops, since every engine gives
 * them ordered and distinct already but rasqal (icx and the SQL by
 * name, ORDER BY), and this is the bench's own work. */
static void
child_job_settle(child_job *j)
{
  if (j->kind != JOB_EXPLAIN && !(j->shape->n_soft > 0 && j->kind != JOB_RASQAL))
    bench_names_unique(&j->got);
}

/* One run of the job, timed into *ms when ms is not NULL (the names put
 * in order after).  0 or -1. */
static int
child_job_once_timed(child_job *j, double *ms)
{
  double a = bench_now();

  if (child_job_run(j))
    return -1;
  if (ms)
    *ms = (bench_now() - a) * 1e3;
  child_job_settle(j);
  return 0;
}

static int
child_job_once(child_job *j)
{
  return child_job_once_timed(j, NULL);
}

/* The warm repetitions: the job again, each run timed, until t has its
 * repetitions or its time is up.  0 or -1. */
static int
child_warm(child_job *j, child_timing *t)
{
  double t0 = bench_now();

  while (t->n < t->reps && (t->n == 0 || bench_now() - t0 < t->warm_cap)) {
    double ms;
    if (child_job_once_timed(j, &ms) || child_timing_add(t, ms))
      return -1;
  }
  return 0;
}

/* --- the children ------------------------------------------------------------- */

int
bench_shapes_init(const icx_vocab *vocab)
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

/* A quiet context with the vocabulary.  0, or -1 with a message. */
static int
child_context(icx_ctx **ctx, icx_vocab **vocab)
{
  if (!(*ctx = icx_ctx_new()))
    return -1;
  icx_ctx_set_log_level(*ctx, ICX_LOG_ERROR);
  if (icx_vocab_load(*ctx, icx_vocab_default_dir(), vocab) != ICX_OK) {
    fprintf(stderr, "bench: vocabulary: %s\n", icx_ctx_errmsg(*ctx));
    return -1;
  }
  return 0;
}

/* What every timing child starts with: job j for shape argument arg
 * (kind still to set), its repetitions in t, its context and vocabulary
 * (the shapes that ask for a region need its closure).  0; 2 for a bad
 * shape; 1 with a message on stderr. */
static int
child_begin(child_job *j, const char *arg, child_timing *t)
{
  int shape_i = atoi(arg);

  memset(j, 0, sizeof *j);
  memset(t, 0, sizeof *t);
  if (shape_i < 0 || shape_i >= BENCH_SHAPES)
    return 2;
  j->shape = &bench_shapes[shape_i];
  t->reps = (size_t)bench_env_num("ICX_BENCH_REPS", 30, 0);
  t->warm_cap = bench_env_num("ICX_BENCH_WARM_CAP", 20, 0);
  if (t->reps < 1)
    t->reps = 1;
  return child_context(&j->ctx, &j->vocab) || bench_shapes_init(j->vocab) ? 1 : 0;
}

/* The shape's request, read from the source tree; then, from *t1 on (cold
 * start begins there), the store opened read-only and the request parsed.
 * 0, or -1 with a message. */
static int
child_open(child_job *j, const char *store_path, double *t1)
{
  char path[PATH_MAX];
  size_t len = 0;

  snprintf(path, sizeof path, "%s/%s", bench_env_str("ICX_SRCDIR", "."), j->shape->xml);
  if (!(j->xml = bench_read_file(path, &len))) {
    fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
    return -1;
  }
  *t1 = bench_now();
  if (icx_store_open(j->ctx, store_path, ICX_STORE_READONLY, &j->store) != ICX_OK ||
      icx_constraints_parse(j->ctx, j->vocab, j->xml, len, &j->set) != ICX_OK) {
    fprintf(stderr, "bench: %s\n", icx_ctx_errmsg(j->ctx));
    return -1;
  }
  return 0;
}

/* Every hand-written SQL form of the job's shape, best of three runs
 * each: the fastest becomes the job's query (the baseline; *sql owns it).
 * Its name, or NULL on failure. */
static const char *
child_sql_fastest(child_job *j, char **sql)
{
  static const char *const form_names[BENCH_SQL_FORMS] = {
    "numbers-first", "tier-first", "method-first", "access-first",
    "numbers-first+scan", "tier-first+scan", "method-first+scan", "access-first+scan"
  };
  const char *name = form_names[0];
  double best = -1;
  int f, k;

  for (f = 0; f < BENCH_SQL_FORMS; f++) {
    char *q = bench_sql_query(j->shape, f);
    double fbest = -1;
    if (!q)
      continue;
    for (k = 0; k < 3; k++) {
      double a = bench_now(), ms;
      if (child_sql_once(j->db, q, j->shape, &j->got)) {
        free(q);
        return NULL;
      }
      ms = (bench_now() - a) * 1e3;
      if (fbest < 0 || ms < fbest)
        fbest = ms;
    }
    if (best < 0 || fbest < best) {
      best = fbest;
      name = form_names[f];
      free(*sql);
      *sql = q;
    } else {
      free(q);
    }
  }
  j->query = *sql;
  return name;
}

/* What the cold start read the matching index from: "trusted" (the saved
 * file, its writer's record matching), "hashed" (the saved file, each
 * section hashed as read: a record that no longer matches, some 4x the
 * cold start at 1M), "store" (no saved file at the store's state), "-"
 * (no index: another engine). */
static const char *
child_index_file(const child_job *j)
{
  icx_index_stats st;

  if ((j->kind != JOB_ICX && j->kind != JOB_EXPLAIN) || !j->store || !icx_store_attached(j->store))
    return "-";
  icx_index_get_stats(icx_store_attached(j->store), &st);
  return !st.file ? "store" : st.file_trusted ? "trusted" : "hashed";
}

int
bench_child_match(char **argv)
{
  const char *engine = argv[2], *store_path = argv[3];
  const char *engine_path = engine, *index_file = "-";
  child_timing t;
  child_job j;
  char *sparql = NULL, *sql = NULL;
  double t0 = bench_now(), t1 = 0, t2, vocab_ms = 0;
  int rc = child_begin(&j, argv[4], &t);

  if (rc)
    goto done;
  rc = 1;
  if (!strcmp(engine, "sql")) {
    j.kind = JOB_SQL;
    t1 = bench_now();
    if (!(j.query = sql = bench_sql_query(j.shape, 0)))
      goto done;
    if (sqlite3_open_v2(store_path, &j.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
      fprintf(stderr, "bench: %s: %s\n", store_path, sqlite3_errmsg(j.db));
      goto done;
    }
  } else if (child_open(&j, store_path, &t1)) {
    goto done;
  } else if (!strcmp(engine, "icx") || !strcmp(engine, "icx-sql")) {
    j.kind = JOB_ICX;
    j.mpath = strcmp(engine, "icx") ? ICX_MATCH_PATH_SQL : ICX_MATCH_PATH_AUTO;
    vocab_ms = (t1 - t0) * 1e3;
  } else if (!strcmp(engine, "rasqal")) {
    j.kind = JOB_RASQAL;
    vocab_ms = (t1 - t0) * 1e3;
    j.model = icx_store_model(j.store);
    j.world = librdf_storage_get_world(librdf_model_get_storage(j.model));
    if (icx_compile_sparql(j.ctx, j.set, &sparql) != ICX_OK) {
      fprintf(stderr, "bench: compile: %s\n", icx_ctx_errmsg(j.ctx));
      goto done;
    }
    j.query = sparql;
  } else {
    fprintf(stderr, "bench: unknown engine %s\n", engine);
    goto done;
  }
  if (child_job_once(&j))   /* the end of cold start */
    goto done;
  t2 = bench_now();
  index_file = child_index_file(&j);
  if (j.kind == JOB_SQL && !(engine_path = child_sql_fastest(&j, &sql)))
    goto done;
  if (child_warm(&j, &t))
    goto done;
  if (j.kind == JOB_ICX)
    engine_path = j.by;
  rc = child_report(argv[5], engine_path, vocab_ms, (t2 - t1) * 1e3, &t, j.got.n, index_file) ||
       bench_names_write(&j.got, argv[6]);
done:
  free(t.ms);
  free(sql);
  free(sparql);
  child_job_clear(&j);
  return rc;
}

int
bench_child_explain(char **argv)
{
  child_timing t;
  child_job j;
  double t0 = bench_now(), t1 = 0, t2;
  const char *index_file = "-";
  int rc = child_begin(&j, argv[3], &t);

  if (rc)
    goto done;
  rc = 1;
  j.kind = JOB_EXPLAIN;
  if (child_open(&j, argv[2], &t1) || child_job_once(&j))
    goto done;
  t2 = bench_now();
  index_file = child_index_file(&j);
  if (child_warm(&j, &t))
    goto done;
  rc = child_report(argv[4], "explain", (t1 - t0) * 1e3, (t2 - t1) * 1e3, &t,
                    (size_t)j.matching, index_file);
done:
  free(t.ms);
  child_job_clear(&j);
  return rc;
}

int
bench_child_load(char **argv)
{
  icx_ctx *ctx = NULL;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  icx_loader *loader = NULL;
  icx_store_stats stats;
  FILE *fp;
  double t0;
  int rc = 1;

  remove(argv[2]);
  if (child_context(&ctx, &vocab))
    goto done;
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
          stats.clouds, child_peak_rss_kb());
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

/* "index STORE REPORT": the matching index read whole and saved beside
 * the store (what `icx index` does), timed. */
int
bench_child_index(char **argv)
{
  icx_ctx *ctx = NULL;
  icx_vocab *vocab = NULL;
  icx_store *store = NULL;
  struct stat sb;
  char side[PATH_MAX];
  FILE *fp;
  double t0, t1;
  int rc = 1, saved = 0;

  if (child_context(&ctx, &vocab))
    goto done;
  snprintf(side, sizeof side, "%s-index", argv[2]);
  remove(side);
  t0 = bench_now();
  if (icx_store_open(ctx, argv[2], ICX_STORE_READONLY, &store) != ICX_OK ||
      icx_match_warm(ctx, vocab, store) != ICX_OK)
    goto fail;
  t1 = bench_now();
  if (icx_match_save_index(ctx, store, 0, &saved) != ICX_OK || !saved || stat(side, &sb))
    goto fail;
  if (!(fp = fopen(argv[3], "w")))
    goto done;
  fprintf(fp, "read_ms %.3f\nsave_ms %.3f\nbytes %lld\nrss_kb %ld\n", (t1 - t0) * 1e3,
          (bench_now() - t1) * 1e3, (long long)sb.st_size, child_peak_rss_kb());
  rc = fclose(fp) != 0;
  goto done;
fail:
  fprintf(stderr, "bench: index: %s\n", *icx_ctx_errmsg(ctx) ? icx_ctx_errmsg(ctx) : "not saved");
done:
  icx_store_free(store);
  icx_vocab_free(vocab);
  icx_ctx_free(ctx);
  return rc;
}

/* --- the parent's side ------------------------------------------------------- */

int
bench_drop_cached(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  /* Dirty pages are not dropped: written out first. */
  rc = fdatasync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) ? -1 : 0;
  close(fd);
  return rc;
}

/* bench_spawn(), the child's ICX_BENCH_REPS set to 1 when one_rep. */
static int
spawn_child(char *const args[], double timeout, double *elapsed, int one_rep)
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
    if (one_rep && setenv("ICX_BENCH_REPS", "1", 1))
      _exit(127);
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
      return BENCH_CHILD_TIMEOUT;
    }
    nanosleep(&ts, NULL);
  }
  *elapsed = bench_now() - t0;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int
bench_spawn(char *const args[], double timeout, double *elapsed)
{
  return spawn_child(args, timeout, elapsed, 0);
}

int
bench_spawn_cold(char *const args[], double timeout, double *elapsed)
{
  return spawn_child(args, timeout, elapsed, 1);
}

/* The line of report file (read into *buf, to free()) that holds key: a
 * pointer to its value, or NULL. */
static const char *
child_report_find(const char *file, const char *key, char **buf)
{
  size_t kl = strlen(key);
  char *p;

  if (!(*buf = bench_read_file(file, NULL)))
    return NULL;
  for (p = *buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (!strncmp(p, key, kl) && p[kl] == ' ')
      return p + kl + 1;
  return NULL;
}

double
bench_report_num(const char *file, const char *key)
{
  char *buf = NULL;
  const char *v = child_report_find(file, key, &buf);
  double d = v ? strtod(v, NULL) : NAN;

  free(buf);
  return d;
}

void
bench_report_str(const char *file, const char *key, char *out, size_t n)
{
  char *buf = NULL;
  const char *v = child_report_find(file, key, &buf);

  snprintf(out, n, "?");
  if (v) {
    size_t l = strcspn(v, "\n");
    snprintf(out, n, "%.*s", (int)(l < n - 1 ? l : n - 1), v);
  }
  free(buf);
}

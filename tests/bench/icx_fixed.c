/* icx_fixed.c - `make bench`, first part: the fixed cost of one request
 * in-process, on the paper's small store (data/clouds, the request
 * data/constraints/paper.xml), beside the same request's hand-written SQL
 * over plain tables holding the same clouds, in one run.
 *
 * The store is loaded from data/clouds with the loader; the plain tables
 * (bench_gen's schema) are filled from that store by SPARQL, so both sides
 * hold the same data.  Each step runs in a loop on one context and one
 * store handle (as an icxd worker does); the figures are the median and
 * 90th percentile of single runs, in microseconds:
 *
 *   parse            icx_constraints_parse() of the request's XML
 *   compile          icx_compile_sparql() of the parsed request
 *   match            icx_match_run() of the parsed request (its plan and
 *                    compiled query from the context's plan cache), and
 *                    the same with the cache emptied before each run
 *   request          parse + match: what a request costs before XMPP (and
 *                    the same with the plan cache emptied)
 *   sql (prepare)    the hand-written SQL prepared, bound, run, finalized
 *   sql (prepared)   the same statement kept prepared: bound, run, reset
 *
 * Every answer is checked: icx and both SQL forms must give cloud2 and
 * cloud5 in the same order, or the run fails.
 *
 * Environment: ICX_BENCH_FIXED_REPS runs per step [3000], capped at
 * ICX_BENCH_FIXED_CAP seconds per step [10]; ICX_BENCH_DIR as icx_bench;
 * ICX_ONTOLOGY, ICX_SRCDIR (set by make).
 */
#define _GNU_SOURCE 1               /* asprintf() */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "icx_compile.h"
#include "icx_constraint.h"
#include "icx_ctx.h"
#include "icx_exec.h"
#include "icx_loader.h"
#include "icx_match.h"
#include "icx_plan_cache.h"
#include "icx_rows.h"
#include "icx_store.h"
#include "icx_vocab.h"

#include "bench_gen.h"
#include "icx_util.h"

#define FIXED_RES "http://www.csp/resOntology#"

typedef struct fixed_env {
  icx_ctx *ctx;
  icx_vocab *vocab;
  icx_store *store;
  sqlite3 *db;
  sqlite3_stmt *kept;
  char *xml, *sql;
  size_t xml_len;
  icx_constraints *set;
  char answer[256];            /* the last answer, names joined by spaces */
} fixed_env;

typedef int (*fixed_step)(fixed_env *e);

static int
fixed_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* --- the steps ----------------------------------------------------------------- */

static int
step_parse(fixed_env *e)
{
  icx_constraints *set = NULL;
  int rc = icx_constraints_parse(e->ctx, e->vocab, e->xml, e->xml_len, &set);

  icx_constraints_free(set);
  return rc;
}

static int
step_compile(fixed_env *e)
{
  char *sparql = NULL;
  int rc = icx_compile_sparql(e->ctx, e->set, &sparql);

  icx_free(e->ctx, sparql);
  return rc;
}

static int
fixed_names(fixed_env *e, const icx_match *m)
{
  size_t i, n = 0;

  e->answer[0] = '\0';
  for (i = 0; i < icx_match_count(m); i++)
    n += (size_t)snprintf(e->answer + n, n < sizeof e->answer ? sizeof e->answer - n : 0, "%s%s",
                          i ? " " : "", icx_match_cloud(m, i));
  return n < sizeof e->answer ? 0 : -1;
}

static int
step_match(fixed_env *e)
{
  icx_match *m = NULL;
  int rc = icx_match_run(e->ctx, e->store, e->set, &m);

  if (!rc)
    rc = fixed_names(e, m);
  icx_match_free(m);
  return rc;
}

/* The same with the plan cache emptied first: compile and plan every
 * time, as before the cache. */
static int
step_match_uncached(fixed_env *e)
{
  icx_plan_cache_clear(e->ctx);
  return step_match(e);
}

static int
step_request(fixed_env *e)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  int rc = icx_constraints_parse(e->ctx, e->vocab, e->xml, e->xml_len, &set);

  if (!rc)
    rc = icx_match_run(e->ctx, e->store, set, &m);
  if (!rc)
    rc = fixed_names(e, m);
  icx_match_free(m);
  icx_constraints_free(set);
  return rc;
}

static int
step_request_uncached(fixed_env *e)
{
  icx_plan_cache_clear(e->ctx);
  return step_request(e);
}

/* Runs st to its end, the names (column 0) into e->answer. */
static int
fixed_sql_rows(fixed_env *e, sqlite3_stmt *st)
{
  size_t n = 0;
  int rc;

  e->answer[0] = '\0';
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    n += (size_t)snprintf(e->answer + n, n < sizeof e->answer ? sizeof e->answer - n : 0,
                          "%s%s", n ? " " : "", (const char *)sqlite3_column_text(st, 0));
  return rc == SQLITE_DONE && n < sizeof e->answer ? 0 : -1;
}

static int
step_sql_prepare(fixed_env *e)
{
  sqlite3_stmt *st = NULL;
  int rc = -1;

  if (sqlite3_prepare_v2(e->db, e->sql, -1, &st, NULL) == SQLITE_OK &&
      !bench_sql_bind(st, &bench_shapes[0]))
    rc = fixed_sql_rows(e, st);
  sqlite3_finalize(st);
  return rc;
}

static int
step_sql_kept(fixed_env *e)
{
  int rc = bench_sql_bind(e->kept, &bench_shapes[0]) ? -1 : fixed_sql_rows(e, e->kept);

  sqlite3_reset(e->kept);
  return rc;
}

/* --- setting up ------------------------------------------------------------------ */

/* The plain tables, filled from the icx store. */
static int
fixed_baseline(fixed_env *e, const char *path)
{
  static const char *const lists[3][2] = {
    { "tierCountry", "INSERT INTO service_tier VALUES (?, ?)" },
    { "replicationMethod", "INSERT INTO service_method VALUES (?, ?)" },
    { "storageAccess", "INSERT INTO service_access VALUES (?, ?)" },
  };
  icx_rows *svc = NULL, *vals = NULL;
  sqlite3_stmt *st = NULL;
  char q[512];
  size_t i, k, j;
  int rc = -1;

  remove(path);
  if (sqlite3_open(path, &e->db) != SQLITE_OK ||
      sqlite3_exec(e->db, bench_sql_schema, NULL, NULL, NULL) != SQLITE_OK)
    goto done;
  /* Services in a fixed order; the row number is the service's id. */
  if (icx_exec_select(e->store,
                      "PREFIX res: <" FIXED_RES ">\n"
                      "SELECT ?name ?svc ?a ?r WHERE { ?c res:cloudName ?name ; res:offers ?svc .\n"
                      "  ?svc res:availability ?a ; res:replicationFactor ?r } ORDER BY ?svc",
                      &svc) != ICX_OK)
    goto done;
  for (i = 0; i < icx_rows_count(svc); i++) {
    snprintf(q, sizeof q, "INSERT INTO clouds VALUES (%zu, ?)", i + 1);
    if (sqlite3_prepare_v2(e->db, q, -1, &st, NULL) != SQLITE_OK)
      goto done;
    sqlite3_bind_text(st, 1, icx_rows_get(svc, i, 0), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
      goto done;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(e->db, "INSERT INTO services VALUES (?, ?, ?, ?)", -1, &st, NULL))
      goto done;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
    sqlite3_bind_double(st, 3, strtod(icx_rows_get(svc, i, 2), NULL));
    sqlite3_bind_int64(st, 4, strtoll(icx_rows_get(svc, i, 3), NULL, 10));
    if (sqlite3_step(st) != SQLITE_DONE)
      goto done;
    sqlite3_finalize(st);
    st = NULL;
  }
  for (k = 0; k < 3; k++) {
    snprintf(q, sizeof q, "PREFIX res: <" FIXED_RES ">\nSELECT ?svc ?v WHERE { ?svc res:%s ?v }",
             lists[k][0]);
    if (icx_exec_select(e->store, q, &vals) != ICX_OK ||
        sqlite3_prepare_v2(e->db, lists[k][1], -1, &st, NULL) != SQLITE_OK)
      goto done;
    for (j = 0; j < icx_rows_count(vals); j++) {
      const char *v = icx_rows_get(vals, j, 1), *hash = strrchr(v, '#');
      for (i = 0; i < icx_rows_count(svc); i++)
        if (!strcmp(icx_rows_get(svc, i, 1), icx_rows_get(vals, j, 0)))
          break;
      if (i == icx_rows_count(svc))
        continue;                       /* a service of no cloud */
      sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
      sqlite3_bind_text(st, 2, hash ? hash + 1 : v, -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st) != SQLITE_DONE)
        goto done;
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    icx_rows_free(vals);
    vals = NULL;
  }
  if (sqlite3_exec(e->db, bench_sql_indexes, NULL, NULL, NULL) != SQLITE_OK)
    goto done;
  printf("plain tables: %zu services copied from the icx store\n", icx_rows_count(svc));
  rc = 0;
done:
  if (rc)
    fprintf(stderr, "icx_fixed: baseline tables: %s\n",
            e->db ? sqlite3_errmsg(e->db) : icx_ctx_errmsg(e->ctx));
  sqlite3_finalize(st);
  icx_rows_free(svc);
  icx_rows_free(vals);
  return rc;
}

static int
fixed_setup(fixed_env *e, const char *dir)
{
  const char *src = getenv("ICX_SRCDIR") ? getenv("ICX_SRCDIR") : ".";
  char path[PATH_MAX], *xml_path = NULL;
  icx_loader *loader = NULL;
  FILE *f;
  long n;
  int best = -1, form;
  double best_t = 0;

  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/fixed-icx.db", dir);
  remove(path);
  if (!(e->ctx = icx_ctx_new()) || icx_vocab_load(e->ctx, NULL, &e->vocab) ||
      icx_store_open(e->ctx, path, ICX_STORE_CREATE, &e->store))
    goto fail;
  snprintf(path, sizeof path, "%s/data/clouds", src);
  if (!(loader = icx_loader_new(e->ctx, e->vocab, e->store)) ||
      icx_loader_load_path(loader, path)) {
    icx_loader_free(loader);
    goto fail;
  }
  icx_loader_free(loader);
  snprintf(path, sizeof path, "%s/fixed-plain.db", dir);
  if (fixed_baseline(e, path))
    return -1;
  /* The request. */
  if (asprintf(&xml_path, "%s/%s", src, bench_shapes[0].xml) < 0 || !(f = fopen(xml_path, "rb"))) {
    fprintf(stderr, "icx_fixed: cannot read %s\n", xml_path ? xml_path : "the request");
    free(xml_path);
    return -1;
  }
  free(xml_path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  e->xml = malloc((size_t)n + 1);
  if (!e->xml || fread(e->xml, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    return -1;
  }
  fclose(f);
  e->xml[n] = '\0';
  e->xml_len = (size_t)n;
  if (icx_constraints_parse(e->ctx, e->vocab, e->xml, e->xml_len, &e->set))
    goto fail;
  /* The hand-written form that runs fastest here, as for icx_bench. */
  for (form = 0; form < BENCH_SQL_FORMS; form++) {
    char *q = bench_sql_query(&bench_shapes[0], form);
    double t0, t;
    int k;
    if (!q)
      continue;
    free(e->sql);
    e->sql = q;
    t0 = bench_now();
    for (k = 0; k < 200; k++)
      if (step_sql_prepare(e))
        break;
    t = bench_now() - t0;
    if (k == 200 && (best < 0 || t < best_t)) {
      best = form;
      best_t = t;
    }
  }
  free(e->sql);
  e->sql = best >= 0 ? bench_sql_query(&bench_shapes[0], best) : NULL;
  if (!e->sql || sqlite3_prepare_v2(e->db, e->sql, -1, &e->kept, NULL) != SQLITE_OK) {
    fprintf(stderr, "icx_fixed: no hand-written form runs\n");
    return -1;
  }
  return 0;
fail:
  fprintf(stderr, "icx_fixed: %s\n", e->ctx ? icx_ctx_errmsg(e->ctx) : "no context");
  return -1;
}

/* Runs step reps times (at most cap seconds); prints median and p90. */
static int
fixed_time(fixed_env *e, const char *name, fixed_step step, size_t reps, double cap,
           const char *want, double base_median, double *median)
{
  double *t = malloc(reps * sizeof *t), start = bench_now();
  size_t i, n = 0;

  if (!t)
    return -1;
  for (i = 0; i < 20; i++)                /* warm up */
    if (step(e)) {
      fprintf(stderr, "icx_fixed: %s failed: %s\n", name, icx_ctx_errmsg(e->ctx));
      free(t);
      return -1;
    }
  if (want && strcmp(e->answer, want)) {
    fprintf(stderr, "icx_fixed: %s answered \"%s\", expected \"%s\"\n", name, e->answer, want);
    free(t);
    return -1;
  }
  for (n = 0; n < reps && bench_now() - start < cap; n++) {
    double t0 = bench_now();
    if (step(e)) {
      free(t);
      return -1;
    }
    t[n] = (bench_now() - t0) * 1e6;
  }
  qsort(t, n, sizeof *t, fixed_cmp);
  *median = t[n / 2];
  if (base_median > 0)
    printf("| %s | %.1f | %.1f | %zu | %.1fx |\n", name, t[n / 2], t[(n * 9) / 10], n,
           t[n / 2] / base_median);
  else
    printf("| %s | %.1f | %.1f | %zu | |\n", name, t[n / 2], t[(n * 9) / 10], n);
  free(t);
  return 0;
}

int
main(void)
{
  fixed_env e;
  const char *dir = getenv("ICX_BENCH_DIR") ? getenv("ICX_BENCH_DIR") : "bench-data";
  size_t reps = (size_t)bench_env_num("ICX_BENCH_FIXED_REPS", 3000, 1);
  double cap = bench_env_num("ICX_BENCH_FIXED_CAP", 10, 1), base = 0, m;
  char want[256];
  int rc = 1;

  icx_malloc_tune();
  memset(&e, 0, sizeof e);
  printf("icx fixed cost: the paper's request on data/clouds, in-process, %zu runs per step "
         "(cap %.0f s)\n", reps, cap);
  if (fixed_setup(&e, dir))
    goto done;
  /* What SQL answers is what every icx step must answer. */
  if (step_sql_prepare(&e))
    goto done;
  snprintf(want, sizeof want, "%s", e.answer);
  printf("answer: %s\n\n", want);
  printf("| step | median us | p90 us | runs | to SQL (prepare) |\n|---|---:|---:|---:|---:|\n");
  if (fixed_time(&e, "sql (prepare)", step_sql_prepare, reps, cap, want, 0, &base) ||
      fixed_time(&e, "sql (prepared)", step_sql_kept, reps, cap, want, base, &m) ||
      fixed_time(&e, "icx parse", step_parse, reps, cap, NULL, base, &m) ||
      fixed_time(&e, "icx compile", step_compile, reps, cap, NULL, base, &m) ||
      fixed_time(&e, "icx match, plan cache emptied", step_match_uncached, reps, cap, want, base,
                 &m) ||
      fixed_time(&e, "icx match", step_match, reps, cap, want, base, &m) ||
      fixed_time(&e, "icx request, plan cache emptied", step_request_uncached, reps, cap, want,
                 base, &m) ||
      fixed_time(&e, "icx request (parse + match)", step_request, reps, cap, want, base, &m))
    goto done;
  printf("\nfixed cost of a request: %.1f us; target 50 us (%s)\n\n", m,
         m <= 50 ? "met" : "missed");
  rc = 0;
done:
  sqlite3_finalize(e.kept);
  sqlite3_close(e.db);
  icx_constraints_free(e.set);
  icx_store_free(e.store);
  icx_vocab_free(e.vocab);
  icx_ctx_free(e.ctx);
  free(e.xml);
  free(e.sql);
  return rc;
}

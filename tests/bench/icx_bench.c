/* icx_bench.c - `make bench`: icx against a hand-written SQL baseline and
 * two peers, on the same synthetic data, in one run (doc/performance.md).
 * This file is the parent: sizes, caps, checks and the tables.  The
 * children it runs (timing loops, loading) and their reports are in
 * bench_child.c, the answers' name lists in bench_names.c, the peers' own
 * set-up in bench_peers.c and peers.mjs.
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
 * again, with "load", "index", "match" or "explain" as first argument, or
 * node): the parent
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
#include <sys/stat.h>
#include <unistd.h>

#include "icx_ctx.h"
#include "icx_vocab.h"

#include "bench_child.h"
#include "bench_gen.h"
#include "bench_names.h"
#include "bench_peers.h"
#include "icx_util.h"

/* This program, run again for each child. */
static char self_exe[PATH_MAX];

/* icx's cold starts from the page cache a shape: one such start strays
 * 2x to 3x now and then on the bench's machine (doc/performance.md,
 * "Cold start from disk and from the page cache"), so the table gives
 * the median of these. */
#define ICX_COLDS 3

/* What one engine did for one shape. */
typedef struct result {
  int state;           /* 0 not run, 1 ok, 2 skipped (cap), 3 failed */
  double median, p90, p99, cold, vocab;
  double disk_cold;    /* icx: cold start with its files read from disk; 0 not run */
  double colds[ICX_COLDS]; /* icx: the cold starts from the page cache; cold their median */
  long rss_kb;
  size_t reps, count;
  char path[32];
  char index_file[16]; /* icx: what the cold start read its index from */
} result;

enum { ST_NONE = 0, ST_OK = 1, ST_CAP = 2, ST_FAIL = 3 };

/* icx (the index), rasqal, the SQL baseline, icx's own SQL path, and the
 * peers: DuckDB (tests/bench/peers.mjs) and Virtuoso over HTTP. */
#define ENGINES 6
enum { E_ICX, E_RASQAL, E_SQL, E_ICX_SQL, E_DUCKDB, E_VIRTUOSO };

/* The words after an icx line for what its cold start read the index
 * from (the child's index_file): a saved file whose record no longer
 * matches is hashed section by section, some 4x the cold start at 1M,
 * and the figures would say so without a word otherwise. */
static const char *
index_file_words(const char *state)
{
  if (!strcmp(state, "trusted"))
    return "; index from the saved file";
  if (!strcmp(state, "hashed"))
    return "; index from the saved file, HASHED as read (its record no longer matches)";
  if (!strcmp(state, "store"))
    return "; index read from the store (no saved file at its state)";
  return "";
}
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
  bench_names got;
  size_t i, *order = NULL;
  char want[64];
  int bad = 0;

  if (bench_names_read(&got, file)) {
    fprintf(stderr, "bench: FAIL: cannot read %s\n", file);
    return -1;
  }
  if (d->score[shape] && !(order = bench_ranked_order(d, shape))) {
    bench_names_clear(&got);
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
  bench_names_clear(&got);
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

/* "a/b" of two warm medians, or "-": two significant digits under 1, so
 * that a ratio against a 0.1 or 0.33 target reads as what it is (0.128
 * printed as "0.1" once hid a miss), one decimal above. */
static void
ratio_of(char *buf, size_t n, const result *a, const result *b)
{
  if (a->state == ST_OK && b->state == ST_OK && b->median > 0)
    snprintf(buf, n, a->median / b->median < 1 ? "%.2g" : "%.1f", a->median / b->median);
  else
    snprintf(buf, n, "-");
}

static int
run(void)
{
  const char *sizes = bench_env_str("ICX_BENCH_SIZES", "10000 100000");
  const char *dir = bench_env_str("ICX_BENCH_DIR", "bench-data");
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
  const char *srcdir = bench_env_str("ICX_SRCDIR", ".");
  const char *svg = bench_env_str("ICX_BENCH_SVG", "");
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
      bench_shapes_init(vocab))
    goto done;
  memset(&virt, 0, sizeof virt);
  snprintf(peers_js, sizeof peers_js, "%s/tests/bench/peers.mjs", srcdir);
  snprintf(shapes_json, sizeof shapes_json, "%s/shapes.json", dir);
  snprintf(node_dir, sizeof node_dir, "%s", bench_env_str("ICX_BENCH_NODE_DIR", ""));
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
               "predicted) | | | |", n, d.triples, (double)d.triples / load_rate);
    } else {
      char *args[] = { self_exe, (char *)"load", store, ttl, rep, NULL };
      int st = bench_spawn(args, load_cap, &el);
      if (st == 0) {
        double secs = bench_report_num(rep, "seconds"), tr = bench_report_num(rep, "triples");
        struct stat sb;
        /* The store as the load left it (its log emptied at the close). */
        double per_triple = stat(store, &sb) == 0 && tr > 0 ? (double)sb.st_size / tr : NAN;
        load_rate = tr / secs;
        loaded = 1;
        printf("icx load: %.0f triples in %.1f s = %.0f triples/s (peak RSS %.0f MB); "
               "the store %.1f bytes a triple\n", tr, secs, load_rate,
               bench_report_num(rep, "rss_kb") / 1024, per_triple);
        if ((long)tr != d.triples) {
          fprintf(stderr, "bench: FAIL: the store holds %.0f triples, the document %ld\n", tr,
                  d.triples);
          failures++;
        }
        snprintf(loads[n_loads++ % 16], sizeof loads[0],
                 "| %lu | %ld | %.1f | %.0f | %.0f | %.1f |", n, d.triples, secs, load_rate,
                 bench_report_num(rep, "rss_kb") / 1024, per_triple);
      } else {
        printf("icx load: %s after %.0f s\n", st == BENCH_CHILD_TIMEOUT ? "skipped (cap)" : "FAILED",
               el);
        if (st != BENCH_CHILD_TIMEOUT)
          failures++;
        load_rate = st == BENCH_CHILD_TIMEOUT ? (double)d.triples / el / 2 : 0;
        snprintf(loads[n_loads++ % 16], sizeof loads[0], "| %lu | %ld | %s | | | |", n, d.triples,
                 st == BENCH_CHILD_TIMEOUT ? "skipped (cap)" : "FAILED");
      }
    }

    /* icx's cold start without the saved index (the paper's shape: the
     * index read from the store), then the index saved beside the store
     * (icx index), from which every icx child below starts. */
    if (loaded) {
      char *cold_args[] = { self_exe, (char *)"match", (char *)"icx", store, (char *)"0", rep,
                            nm, NULL };
      char *ix_args[] = { self_exe, (char *)"index", store, rep, NULL };
      int st;
      remove(rep);
      if ((st = bench_spawn(cold_args, query_cap + warm_cap + 30, &el)) == 0)
        printf("icx without a saved index: paper cold %.1f ms (index read from the store), "
               "warm median %.3f ms\n", bench_report_num(rep, "cold_ms"),
               bench_report_num(rep, "median_ms"));
      else
        printf("icx without a saved index: %s\n",
               st == BENCH_CHILD_TIMEOUT ? "skipped (cap)" : "FAILED");
      remove(rep);
      if ((st = bench_spawn(ix_args, load_cap, &el)) == 0) {
        printf("icx index: read whole in %.1f s, saved beside the store in %.1f s "
               "(%.1f MB; peak RSS %.0f MB)\n", bench_report_num(rep, "read_ms") / 1e3,
               bench_report_num(rep, "save_ms") / 1e3, bench_report_num(rep, "bytes") / 1e6,
               bench_report_num(rep, "rss_kb") / 1024);
      } else {
        printf("icx index: FAILED (icx starts from the store below)\n");
        failures++;
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
      } else if ((st = bench_spawn(args, load_cap, &el)) == 0) {
        duck_ok = 1;
        printf("duckdb load: %.1f s from CSV (peak RSS %.0f MB)\n", bench_report_num(rep, "seconds"),
               bench_report_num(rep, "rss_kb") / 1024);
      } else if (st == 77) {
        printf("duckdb: skipped (see the message above)\n");
        use_duckdb = 0;
      } else {
        printf("duckdb load: %s\n", st == BENCH_CHILD_TIMEOUT ? "skipped (cap)" : "FAILED");
        if (st != BENCH_CHILD_TIMEOUT)
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
           ratio3[32], ratio4[32], cold[ENGINES][32], dcold[96], disk[32];

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
        /* icx's cold start twice: first with the store and its saved
         * index dropped from the page cache (read from disk), then the
         * child whose figures the table gives, whose cold start finds in
         * the page cache what the first one read.  Which of the two a
         * cold start would otherwise be depends on how long ago the
         * files were last read (doc/performance.md, "Cold start from
         * disk and from the page cache"). */
        if (e == E_ICX) {
          char side[PATH_MAX + 16];
          snprintf(side, sizeof side, "%s-index", store);
          remove(rep);
          if (bench_drop_cached(store) || bench_drop_cached(side))
            printf("  %-11s icx     : the files could not be dropped from the page cache: "
                   "no cold start from disk\n", bench_shapes[s].name);
          else if ((st = bench_spawn_cold(args, cap + warm_cap + 30, &el)) == 0)
            r[e].disk_cold = bench_report_num(rep, "cold_ms");
          else
            printf("  %-11s icx     : cold start from disk %s\n", bench_shapes[s].name,
                   st == BENCH_CHILD_TIMEOUT ? "killed at the cap" : "FAILED");
        }
        remove(rep);
        st = bench_spawn(args, cap + warm_cap + 30, &el);
        if (st == BENCH_CHILD_TIMEOUT || (st == 0 && bench_report_num(rep, "cold_ms") > cap * 1e3)) {
          r[e].state = ST_CAP;
          capped[e][s] = 1;
          printf("  %-11s %-8s: skipped (cap: %s after %.0f s)\n", bench_shapes[s].name,
                 engines[e], st == BENCH_CHILD_TIMEOUT ? "killed" : "first query over the cap", el);
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
        r[e].median = bench_report_num(rep, "median_ms");
        r[e].p90 = bench_report_num(rep, "p90_ms");
        r[e].p99 = bench_report_num(rep, "p99_ms");
        r[e].cold = bench_report_num(rep, "cold_ms");
        r[e].vocab = bench_report_num(rep, "vocab_ms");
        r[e].rss_kb = e == E_VIRTUOSO ? bench_virtuoso_rss_kb(&virt)
                                      : (long)bench_report_num(rep, "rss_kb");
        r[e].reps = (size_t)bench_report_num(rep, "reps");
        r[e].count = (size_t)bench_report_num(rep, "count");
        bench_report_str(rep, "path", r[e].path, sizeof r[e].path);
        bench_report_str(rep, "index_file", r[e].index_file, sizeof r[e].index_file);
        *dcold = '\0';
        if (e == E_ICX) {
          /* More cold starts from the page cache, reporting into files
           * of their own: the first child's answer in nm is the one
           * check_names() reads below. */
          char rep2[PATH_MAX + 8], nm2[PATH_MAX + 8];
          char *again[] = { self_exe, (char *)"match", (char *)engines[e], store, sh, rep2,
                            nm2, NULL };
          size_t k, len;
          snprintf(rep2, sizeof rep2, "%s.again", rep);
          snprintf(nm2, sizeof nm2, "%s.again", nm);
          r[e].colds[0] = r[e].cold;
          for (k = 1; k < ICX_COLDS; k++) {
            remove(rep2);
            r[e].colds[k] = bench_spawn_cold(again, cap + warm_cap + 30, &el) == 0
                              ? bench_report_num(rep2, "cold_ms") : NAN;
          }
          remove(rep2);
          remove(nm2);
          len = (size_t)snprintf(dcold, sizeof dcold, " (");
          for (k = 0; k < ICX_COLDS && len < sizeof dcold; k++)
            len += (size_t)snprintf(dcold + len, sizeof dcold - len, "%s%.1f", k ? ", " : "",
                                    r[e].colds[k]);
          if (len < sizeof dcold && r[e].disk_cold > 0)
            len += (size_t)snprintf(dcold + len, sizeof dcold - len, "; %.1f from disk",
                                    r[e].disk_cold);
          if (len < sizeof dcold)
            snprintf(dcold + len, sizeof dcold - len, ")");
          r[e].cold = bench_median(r[e].colds, ICX_COLDS);
        }
        printf("  %-11s %-8s: %zu clouds; cold %.1f ms%s; warm median %.3f ms, p90 %.3f ms, "
               "p99 %.3f ms (%zu reps); peak RSS %.0f MB%s%s%s\n", bench_shapes[s].name,
               engines[e], r[e].count, r[e].cold, dcold, r[e].median, r[e].p90, r[e].p99,
               r[e].reps, (double)r[e].rss_kb / 1024, e != E_RASQAL ? "; path " : "",
               e != E_RASQAL ? r[e].path : "", index_file_words(r[e].index_file));
        if (check_names(nm, &d, s, engines[e], n))
          failures++;
      }
      /* icx explain, no cloud named, on icx's store. */
      if (loaded && !explain_capped[s]) {
        char *ex_args[] = { self_exe, (char *)"explain", store, sh, rep, NULL };
        int st;
        remove(rep);
        st = bench_spawn(ex_args, query_cap + warm_cap + 30, &el);
        if (st == BENCH_CHILD_TIMEOUT || (st == 0 && bench_report_num(rep, "cold_ms") > query_cap * 1e3)) {
          explain_capped[s] = 1;
          printf("  %-11s explain : skipped (cap: %s after %.0f s)\n", bench_shapes[s].name,
                 st == BENCH_CHILD_TIMEOUT ? "killed" : "first explanation over the cap", el);
        } else if (st != 0) {
          failures++;
          fprintf(stderr, "bench: FAIL: explain on shape %s at N=%lu exited with %d\n",
                  bench_shapes[s].name, n, st);
        } else {
          size_t count = (size_t)bench_report_num(rep, "count");
          char ixf[16];
          bench_report_str(rep, "index_file", ixf, sizeof ixf);
          printf("  %-11s explain : %zu clouds meet all; cold %.1f ms; warm median %.3f ms, "
                 "p90 %.3f ms (%zu reps); peak RSS %.0f MB%s\n", bench_shapes[s].name, count,
                 bench_report_num(rep, "cold_ms"), bench_report_num(rep, "median_ms"), bench_report_num(rep, "p90_ms"),
                 (size_t)bench_report_num(rep, "reps"), bench_report_num(rep, "rss_kb") / 1024,
                 index_file_words(ixf));
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
                     count, bench_report_num(rep, "cold_ms"), bench_report_num(rep, "median_ms"),
                     bench_report_num(rep, "p90_ms"), bench_report_num(rep, "rss_kb") / 1024);
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
      if (r[E_ICX].state == ST_OK && r[E_ICX].disk_cold > 0)
        snprintf(disk, sizeof disk, "%.3g", r[E_ICX].disk_cold);
      else
        snprintf(disk, sizeof disk, "-");
      ratio_of(ratio, sizeof ratio, &r[E_ICX], &r[E_SQL]);
      ratio_of(ratio2, sizeof ratio2, &r[E_ICX], &r[E_DUCKDB]);
      ratio_of(ratio3, sizeof ratio3, &r[E_ICX], &r[E_VIRTUOSO]);
      ratio_of(ratio4, sizeof ratio4, &r[E_ICX_SQL], &r[E_ICX]);
      if (n_summary < 64)
        snprintf(summary[n_summary++], sizeof summary[0],
                 "| %lu | %s | %zu | %s / %s | %s / %s | %s / %s | %s / %s (%s) | %s / %s | "
                 "%s / %s | %s | %s | %s | %s | %s / %s / %s / %s | %s / %s / %s / %s | %s |",
                 n, bench_shapes[s].name, d.n_truth[s], a[E_ICX], b[E_ICX], a[E_ICX_SQL],
                 b[E_ICX_SQL], a[E_RASQAL], b[E_RASQAL], a[E_SQL], b[E_SQL],
                 r[E_SQL].state == ST_OK ? r[E_SQL].path : "-", a[E_DUCKDB], b[E_DUCKDB],
                 a[E_VIRTUOSO], b[E_VIRTUOSO], ratio, ratio2, ratio3, ratio4, mb[E_ICX],
                 mb[E_SQL], mb[E_DUCKDB], mb[E_VIRTUOSO], cold[E_ICX], cold[E_SQL],
                 cold[E_DUCKDB], cold[E_VIRTUOSO], disk);
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
      char side[PATH_MAX + 16];
      remove(ttl);
      remove(sqldb);
      remove(store);
      snprintf(side, sizeof side, "%s-wal", store);
      remove(side);
      snprintf(side, sizeof side, "%s-shm", store);
      remove(side);
      snprintf(side, sizeof side, "%s-index", store);
      remove(side);
      snprintf(side, sizeof side, "%s-index.checked", store);
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
         "| N clouds | triples | seconds | triples/s | peak RSS MB | store, bytes a triple |\n"
         "|---:|---:|---:|---:|---:|---:|\n");
  for (i = 0; i < n_loads && i < 16; i++)
    printf("%s\n", loads[i]);
  printf("\nMatching (ms, warm median / p90; RSS = peak of the matching process (Virtuoso: "
         "its server); cold = open + first query (Virtuoso: first query on the loaded "
         "server), the files as the page cache holds them after the child before (icx: "
         "the median of three children after one that read them from disk); icx from "
         "disk = icx's cold start with "
         "its store and saved index dropped from the page cache first; ratios of warm "
         "medians, below 1 when icx is faster):\n\n"
         "| N | shape | matches | icx | icx SQL path | rasqal, same store | SQL baseline (form) | "
         "DuckDB | Virtuoso | icx/SQL | icx/DuckDB | icx/Virtuoso | icx SQL path/icx | "
         "RSS MB icx / SQL / DuckDB / Virtuoso | cold ms icx / SQL / DuckDB / Virtuoso | "
         "cold ms icx from disk |\n"
         "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
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
    return bench_child_match(argv);
  if (argc == 5 && !strcmp(argv[1], "load"))
    return bench_child_load(argv);
  if (argc == 5 && !strcmp(argv[1], "explain"))
    return bench_child_explain(argv);
  if (argc == 4 && !strcmp(argv[1], "index"))
    return bench_child_index(argv);
  if (argc != 1) {
    fprintf(stderr, "usage: %s   (configured by ICX_BENCH_* variables; see doc/performance.md)\n",
            argv[0]);
    return 2;
  }
  return run();
}

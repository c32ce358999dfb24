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
 * It also says where the cold start goes (the vocabulary, opening the
 * store, the index read from the store, the rest of the first query), and
 * measures the other option issue 13 allows: the same index written to
 * SQLite as blobs and read back (checked equal), timed as a new process
 * would read it.
 *
 * Environment: ICX_BENCH_PUBLISH_N (clouds, default 100000),
 * ICX_BENCH_PUBLISH_REPS (publishes of each kind, default 15),
 * ICX_BENCH_DIR (where the data goes), ICX_ONTOLOGY, ICX_SRCDIR.
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_gen.h"
#include "icx.h"
#include "icx_index.h"
#include "icx_index_internal.h"
#include "icx_match_internal.h"
#include "icx_store_ids.h"
#include "icx_util.h"

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

/* --- the persisted alternative, measured ------------------------------------
 *
 * What reading the index from the store instead of building it would
 * cost: after the cold start, every predicate the index read and its
 * clouds and offers are written as one blob each (arrays as they are,
 * bitmaps in CRoaring's portable form) into a table of a scratch SQLite
 * file; that file is then opened anew and the blobs read back into fresh
 * arrays and bitmaps, which must equal what the index holds.  Not what
 * icx does (doc/performance.md): a measurement of the option. */

typedef struct probe_buf {
  unsigned char *p;
  size_t n, cap;
} probe_buf;

static void
probe_put(probe_buf *b, const void *v, size_t n)
{
  if (b->n + n > b->cap) {
    size_t ncap = b->cap ? b->cap : 4096;
    while (b->n + n > ncap)
      ncap *= 2;
    if (!(b->p = realloc(b->p, ncap)))
      abort();
    b->cap = ncap;
  }
  memcpy(b->p + b->n, v, n);
  b->n += n;
}

static void
probe_put_u64(probe_buf *b, uint64_t v)
{
  probe_put(b, &v, sizeof v);
}

static void
probe_put_bitmap(probe_buf *b, const roaring_bitmap_t *bm)
{
  size_t n = roaring_bitmap_portable_size_in_bytes(bm);
  char *tmp = malloc(n ? n : 1);

  if (!tmp)
    abort();
  roaring_bitmap_portable_serialize(bm, tmp);
  probe_put_u64(b, n);
  probe_put(b, tmp, n);
  free(tmp);
}

static void
probe_pred(probe_buf *b, const icx_index_pred *pr)
{
  size_t k;

  probe_put_u64(b, pr->n_run);
  probe_put_u64(b, pr->n_obj);
  probe_put_u64(b, pr->n_num_run);
  probe_put_u64(b, pr->n_val);
  probe_put(b, pr->subj, pr->n_run * 4);
  probe_put(b, pr->obj_id, pr->n_obj * 4);
  probe_put(b, pr->obj_off, (pr->n_obj + 1) * 4);
  probe_put(b, pr->val, pr->n_val * 8);
  probe_put(b, pr->val_off, (pr->n_val + 1) * 4);
  probe_put(b, pr->num_subj, pr->n_num_run * 4);
  probe_put_bitmap(b, pr->all);
  /* The bitmaps of objects, then of values (their positions offset by
   * n_obj). */
  for (k = 0; k < pr->n_obj; k++)
    if (pr->obj_bm[k]) {
      probe_put_u64(b, k);
      probe_put_bitmap(b, pr->obj_bm[k]);
    }
  for (k = 0; k < pr->n_val; k++)
    if (pr->val_bm[k]) {
      probe_put_u64(b, pr->n_obj + k);
      probe_put_bitmap(b, pr->val_bm[k]);
    }
  probe_put_u64(b, UINT64_MAX);
}

typedef struct probe_in {
  const unsigned char *p, *end;
  int bad;
} probe_in;

static const void *
probe_take(probe_in *in, size_t n)
{
  const void *v = in->p;

  if ((size_t)(in->end - in->p) < n) {
    in->bad = 1;
    return NULL;
  }
  in->p += n;
  return v;
}

static uint64_t
probe_u64(probe_in *in)
{
  uint64_t v = 0;
  const void *p = probe_take(in, 8);

  if (p)
    memcpy(&v, p, 8);
  return v;
}

static void *
probe_array(probe_in *in, size_t n)
{
  const void *src = probe_take(in, n);
  void *v = malloc(n ? n : 1);

  if (!v)
    abort();
  if (src)
    memcpy(v, src, n);
  return v;
}

static roaring_bitmap_t *
probe_bitmap(probe_in *in)
{
  size_t n = (size_t)probe_u64(in);
  const void *src = probe_take(in, n);
  roaring_bitmap_t *bm = src ? roaring_bitmap_portable_deserialize_safe(src, n) : NULL;

  if (!bm)
    in->bad = 1;
  return bm;
}

/* Reads one predicate's blob back and compares it with pr: 0 when equal. */
static int
probe_read_pred(probe_in *in, const icx_index_pred *pr)
{
  size_t n = (size_t)probe_u64(in), n_obj = (size_t)probe_u64(in),
         n_num = (size_t)probe_u64(in), n_val = (size_t)probe_u64(in), k;
  uint32_t *subj = probe_array(in, n * 4), *obj_id = probe_array(in, n_obj * 4),
           *obj_off = probe_array(in, (n_obj + 1) * 4);
  double *val = probe_array(in, n_val * 8);
  uint32_t *val_off = probe_array(in, (n_val + 1) * 4), *num_subj = probe_array(in, n_num * 4);
  roaring_bitmap_t *all = probe_bitmap(in), **bms = calloc(n_obj + n_val + 1, sizeof *bms);
  int differ = in->bad || n != pr->n_run || n_obj != pr->n_obj || n_num != pr->n_num_run ||
               n_val != pr->n_val;
  uint64_t at;

  while (!in->bad && (at = probe_u64(in)) != UINT64_MAX && at < n_obj + n_val)
    bms[at] = probe_bitmap(in);
  if (!differ)
    differ = memcmp(subj, pr->subj, n * 4) || memcmp(obj_id, pr->obj_id, n_obj * 4) ||
             memcmp(obj_off, pr->obj_off, (n_obj + 1) * 4) || memcmp(val, pr->val, n_val * 8) ||
             memcmp(val_off, pr->val_off, (n_val + 1) * 4) ||
             memcmp(num_subj, pr->num_subj, n_num * 4) || !all ||
             !roaring_bitmap_equals(all, pr->all);
  for (k = 0; k < n_obj + n_val; k++) {
    const roaring_bitmap_t *own = k < n_obj ? pr->obj_bm[k] : pr->val_bm[k - n_obj];
    if (!differ && (!bms[k] != !own || (bms[k] && !roaring_bitmap_equals(bms[k], own))))
      differ = 1;
    if (bms[k])
      roaring_bitmap_free(bms[k]);
  }
  if (all)
    roaring_bitmap_free(all);
  free(bms);
  free(subj);
  free(obj_id);
  free(obj_off);
  free(val);
  free(val_off);
  free(num_subj);
  return differ || in->bad;
}

/* Writes the index ix to path, reads it back: *ms the read's time, *bytes
 * the blobs' size.  0, or -1 (a failure, or what was read differs). */
static int
probe_persisted(const icx_index *ix, const char *path, double *ms, size_t *bytes)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  probe_buf b;
  size_t i;
  double t;
  int rc = -1, row;

  memset(&b, 0, sizeof b);
  *bytes = 0;
  unlink(path);
  if (sqlite3_open(path, &db) != SQLITE_OK ||
      sqlite3_exec(db, "CREATE TABLE ix(k INTEGER PRIMARY KEY, data BLOB); BEGIN", NULL, NULL,
                   NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO ix VALUES(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
    goto done;
  for (i = 0; i <= ix->n_preds; i++) {
    b.n = 0;
    if (i < ix->n_preds) {
      probe_pred(&b, ix->preds[i]);
    } else {                    /* the clouds and offers */
      probe_put_u64(&b, ix->n_clouds);
      probe_put_u64(&b, ix->n_names);
      probe_put_u64(&b, ix->n_offer);
      probe_put(&b, ix->cloud_id, ix->n_clouds * 4);
      probe_put(&b, ix->name_off, (ix->n_clouds + 1) * 4);
      probe_put(&b, ix->name_id, ix->n_names * 4);
      probe_put(&b, ix->offer, ix->n_offer * 8);
      probe_put_bitmap(&b, ix->cloud_bm);
    }
    *bytes += b.n;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
    sqlite3_bind_blob(st, 2, b.p, (int)b.n, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      goto done;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  st = NULL;
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    goto done;
  sqlite3_close(db);
  db = NULL;

  /* Read back: a new connection, as a process starting. */
  t = bench_now();
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT data FROM ix ORDER BY k", -1, &st, NULL) != SQLITE_OK)
    goto done;
  for (i = 0; (row = sqlite3_step(st)) == SQLITE_ROW; i++) {
    probe_in in;
    in.p = sqlite3_column_blob(st, 0);
    in.end = in.p + sqlite3_column_bytes(st, 0);
    in.bad = 0;
    if (i < ix->n_preds) {
      if (probe_read_pred(&in, ix->preds[i]))
        goto done;
    } else {
      size_t nc = (size_t)probe_u64(&in), nn = (size_t)probe_u64(&in),
             ns = (size_t)probe_u64(&in);
      uint32_t *a = probe_array(&in, nc * 4), *o = probe_array(&in, (nc + 1) * 4),
               *nm = probe_array(&in, nn * 4), *of = probe_array(&in, ns * 8);
      roaring_bitmap_t *bm;
      int differ;
      bm = probe_bitmap(&in);
      differ = in.bad || nc != ix->n_clouds || nn != ix->n_names || ns != ix->n_offer ||
               memcmp(a, ix->cloud_id, nc * 4) || memcmp(nm, ix->name_id, nn * 4) ||
               memcmp(of, ix->offer, ns * 8) || !bm || !roaring_bitmap_equals(bm, ix->cloud_bm);
      if (bm)
        roaring_bitmap_free(bm);
      free(a);
      free(o);
      free(nm);
      free(of);
      if (differ)
        goto done;
    }
  }
  *ms = (bench_now() - t) * 1e3;
  rc = row == SQLITE_DONE && i == ix->n_preds + 1 ? 0 : -1;
done:
  if (rc)
    fprintf(stderr, "bench: the persisted index probe failed%s%s\n", db ? ": " : "",
            db ? sqlite3_errmsg(db) : "");
  sqlite3_finalize(st);
  sqlite3_close(db);
  free(b.p);
  unlink(path);
  return rc;
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
  double t, cold_open, cold_query, vocab_ms, probe_ms = 0;
  size_t probe_bytes = 0;
  icx_index_stats cold_st;
  char probe_path[4096];
  long base, got, rss_cold, rss_end;
  unsigned long applies = 0, wholes = 0;
  double apply_ms = 0;
  struct stat sb;
  long i;
  int mode, rc = 1;

  icx_malloc_tune();
  if (!dir)
    dir = "bench-data";
  if (!srcdir)
    srcdir = ".";
  if (n < 1 || reps < 1 || !ctx)
    return 2;
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  mkdir(dir, 0700);
  t = bench_now();
  if (icx_vocab_load(ctx, icx_vocab_default_dir(), &vocab) != ICX_OK ||
      !(countries = vocab_countries(vocab, &n_countries))) {
    fprintf(stderr, "bench: vocabulary: %s\n", icx_ctx_errmsg(ctx));
    goto done;
  }
  vocab_ms = (bench_now() - t) * 1e3;
  snprintf(probe_path, sizeof probe_path, "%s/publish-%ld-probe.db", dir, n);
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
  icx_index_get_stats(icx_store_attached(reader), &cold_st);
  if (probe_persisted(icx_store_attached(reader), probe_path, &probe_ms, &probe_bytes))
    goto done;
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
    printf("cold start, where it goes (ms): vocabulary load %.1f (not in the cold figure:"
           " a process loads it before opening the store); store open %.1f; first query"
           " %.1f, of which the index read from the store %.1f (%zu predicates, %zu pairs,"
           " %zu numbers, %zu clouds, %zu services; about %.1f MB) and the rest %.1f\n",
           vocab_ms, cold_open, cold_query, cold_st.build_ms, cold_st.predicates, cold_st.pairs,
           cold_st.numbers, cold_st.clouds, cold_st.services, cold_st.bytes / 1048576.0,
           cold_query - cold_st.build_ms);
    printf("persisted instead (measured, not used): the same index as %.1f MB of blobs in"
           " SQLite, opened and read back whole in %.1f ms (%.0fx less than reading it from"
           " the store); cold start would be about %.1f ms, %.1fx a warm query\n",
           probe_bytes / 1048576.0, probe_ms, probe_ms > 0 ? cold_st.build_ms / probe_ms : 0,
           cold_open + cold_query - cold_st.build_ms + probe_ms,
           (cold_open + cold_query - cold_st.build_ms + probe_ms) /
             median(warm, (size_t)reps));
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

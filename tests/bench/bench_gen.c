/* bench_gen.c - seeded synthetic capability data for `make bench`, written
 * as one Turtle document (for icx) and as plain SQLite tables (for the
 * hand-written SQL baseline), with the answer of every shape computed in C
 * on the way.
 *
 * Each cloud offers 1-3 storage services.  Each service has an
 * availability from a fixed list of decimals, a replication factor 1..9,
 * 1-3 distinct tier countries (Japan drawn for a slot with probability
 * 7%, otherwise any ISO code), 1-2 distinct replication methods and 1-2
 * distinct access protocols, narrower ones (NFSv4, NFSv4.1, AMQP 1.0)
 * included so that subsumption matters.  With these weights about 2% of
 * clouds meet the paper's request, <0.1% the selective shape, ~30% the
 * broad one, a few percent the subsumption shape (a tier anywhere in
 * Europe) and ~15% the ranked one; the bench prints the real share of
 * each run.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bench_gen.h"

#define RES "http://www.csp/resOntology#"

/* --- the shapes ------------------------------------------------------------ */

static const char *const jp[] = { "JP", NULL };
static const char *const amqp_all[] = { "AMQP", "AMQP_0_9_1", "AMQP_1_0", NULL };
static const char *const amqp_1_0[] = { "AMQP_1_0", NULL };
static const char *const nfs_all[] = { "NFS", "NFSv3", "NFSv4", "NFSv4_1", NULL };
static const char *const nfs_v4[] = { "NFSv4", "NFSv4_1", NULL };

static const char *const smb_all[] = { "SMB", "CIFS", NULL };

bench_shape bench_shapes[BENCH_SHAPES] = {
  /* data/constraints/paper.xml: 99.999, 5, JAPAN, AMQP, NFS */
  { "paper", "data/constraints/paper.xml", 99.999, 5, jp, amqp_all, nfs_all, NULL,
    { { 0, NULL, 0 } }, 0 },
  /* tests/bench/selective.xml: 99.9999, 8, Japan, AMQP 1.0, NFSv4 */
  { "selective", "tests/bench/selective.xml", 99.9999, 8, jp, amqp_1_0, nfs_v4, NULL,
    { { 0, NULL, 0 } }, 0 },
  /* tests/bench/broad.xml: 99.999, 4, NFS */
  { "broad", "tests/bench/broad.xml", 99.999, 4, NULL, NULL, nfs_all, NULL,
    { { 0, NULL, 0 } }, 0 },
  /* tests/bench/subsumption.xml: 99.999, a tier in Europe, AMQP, SMB */
  { "subsumption", "tests/bench/subsumption.xml", 99.999, 0, NULL, amqp_all, smb_all,
    "Europe", { { 0, NULL, 0 } }, 0 },
  /* tests/bench/ranked.xml: 99.9999, 5; soft: Japan 3, AMQP 2, NFS 1 */
  { "ranked", "tests/bench/ranked.xml", 99.9999, 5, NULL, NULL, NULL, NULL,
    { { 0, jp, 3 }, { 1, amqp_all, 2 }, { 2, nfs_all, 1 } }, 3 },
};

void
bench_shape_set_tiers(const char *region, const char *const *list)
{
  int k;

  for (k = 0; k < BENCH_SHAPES; k++)
    if (bench_shapes[k].region && !strcmp(bench_shapes[k].region, region))
      bench_shapes[k].tiers = list;
}

int
bench_shape_ready(const bench_shape *s)
{
  return !s->region || s->tiers;
}

const char *const bench_methods[] = {
  "AMQP", "AMQP_0_9_1", "AMQP_1_0", "XMPP", "Rsync", "HTTP", "DRBD", NULL
};
const char *const bench_protocols[] = {
  "NFS", "NFSv3", "NFSv4", "NFSv4_1", "SMB", "CIFS", "iSCSI", "S3", "WebDAV", NULL
};
#define N_METHODS 7
#define N_PROTOCOLS 9

/* Availability values (as written in the document) and their weights in
 * percent: P(>= 99.99) = 75%, P(>= 99.999) = 40%, P(>= 99.9999) = 15%. */
static const struct {
  const char *text;
  double value;
  int weight;
} avail[] = {
  { "99.9", 99.9, 15 },      { "99.95", 99.95, 10 },   { "99.99", 99.99, 20 },
  { "99.995", 99.995, 15 },  { "99.999", 99.999, 15 }, { "99.9995", 99.9995, 10 },
  { "99.9999", 99.9999, 10 }, { "99.99999", 99.99999, 5 },
};
#define N_AVAIL (sizeof avail / sizeof avail[0])
#define JP_PERMILLE 70

/* --- random numbers: splitmix64 -------------------------------------------- */

static uint64_t
next(uint64_t *s)
{
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static unsigned
below(uint64_t *s, unsigned n)
{
  return (unsigned)(next(s) % n);
}

/* --- one service, drawn ------------------------------------------------------ */

typedef struct service {
  unsigned avail;             /* index into avail[] */
  int replication;
  unsigned tiers[3], n_tiers; /* indexes into countries */
  unsigned methods[2], n_methods;
  unsigned access[2], n_access;
} service;

static int
has(const unsigned *v, unsigned n, unsigned x)
{
  unsigned i;

  for (i = 0; i < n; i++)
    if (v[i] == x)
      return 1;
  return 0;
}

/* Draws k distinct values below n into v. */
static void
distinct(uint64_t *s, unsigned *v, unsigned k, unsigned n)
{
  unsigned i = 0;

  while (i < k) {
    unsigned x = below(s, n);
    if (!has(v, i, x))
      v[i++] = x;
  }
}

static void
draw(uint64_t *s, service *sv, size_t n_countries, unsigned jp_index)
{
  unsigned w = below(s, 100), acc = 0, i;

  for (i = 0; i < N_AVAIL; i++) {
    acc += (unsigned)avail[i].weight;
    if (w < acc)
      break;
  }
  sv->avail = i < N_AVAIL ? i : (unsigned)N_AVAIL - 1;
  sv->replication = 1 + (int)below(s, 9);
  sv->n_tiers = 1 + below(s, 3);
  i = 0;
  while (i < sv->n_tiers) {
    unsigned c = below(s, 1000) < JP_PERMILLE ? jp_index : below(s, (unsigned)n_countries);
    if (!has(sv->tiers, i, c))
      sv->tiers[i++] = c;
  }
  sv->n_methods = 1 + below(s, 2);
  distinct(s, sv->methods, sv->n_methods, N_METHODS);
  sv->n_access = 1 + below(s, 2);
  distinct(s, sv->access, sv->n_access, N_PROTOCOLS);
}

static int
in_list(const char *const *list, const char *x)
{
  for (; *list; list++)
    if (!strcmp(*list, x))
      return 1;
  return 0;
}

/* 1 when some value of list k of sv is in want. */
static int
service_has(const service *sv, int k, const char *const *want, const char *const *countries)
{
  unsigned i;

  if (k == 0) {
    for (i = 0; i < sv->n_tiers; i++)
      if (in_list(want, countries[sv->tiers[i]]))
        return 1;
  } else if (k == 1) {
    for (i = 0; i < sv->n_methods; i++)
      if (in_list(want, bench_methods[sv->methods[i]]))
        return 1;
  } else {
    for (i = 0; i < sv->n_access; i++)
      if (in_list(want, bench_protocols[sv->access[i]]))
        return 1;
  }
  return 0;
}

/* The C oracle: -1 when sv misses a hard constraint of shape, else the
 * sum of the weights of the soft constraints it meets. */
static int
meets(const bench_shape *sh, const service *sv, const char *const *countries)
{
  int score = 0, k;

  if (avail[sv->avail].value < sh->min_availability || sv->replication < sh->min_replication)
    return -1;
  if ((sh->tiers && !service_has(sv, 0, sh->tiers, countries)) ||
      (sh->methods && !service_has(sv, 1, sh->methods, countries)) ||
      (sh->access && !service_has(sv, 2, sh->access, countries)))
    return -1;
  for (k = 0; k < sh->n_soft; k++)
    if (service_has(sv, sh->soft[k].list, sh->soft[k].values, countries))
      score += sh->soft[k].weight;
  return score;
}

/* --- the baseline database ---------------------------------------------------- */

const char *const bench_sql_schema =
  "PRAGMA journal_mode = OFF;"
  "PRAGMA synchronous = OFF;"
  "CREATE TABLE clouds (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
  "CREATE TABLE services (id INTEGER PRIMARY KEY, cloud_id INTEGER NOT NULL,"
  "  availability REAL NOT NULL, replication INTEGER NOT NULL);"
  "CREATE TABLE service_tier (service_id INTEGER NOT NULL, country TEXT NOT NULL,"
  "  PRIMARY KEY (service_id, country)) WITHOUT ROWID;"
  "CREATE TABLE service_method (service_id INTEGER NOT NULL, method TEXT NOT NULL,"
  "  PRIMARY KEY (service_id, method)) WITHOUT ROWID;"
  "CREATE TABLE service_access (service_id INTEGER NOT NULL, protocol TEXT NOT NULL,"
  "  PRIMARY KEY (service_id, protocol)) WITHOUT ROWID;"
  "BEGIN;";

/* Built after the rows: a covering index for the numeric filters (the
 * cloud id rides along so the join needs no table lookup), and value-first
 * indexes on each multi-valued attribute so a selective IN list can drive
 * the plan; the WITHOUT ROWID primary keys already serve the
 * (service_id, value) probes of EXISTS. */
const char *const bench_sql_indexes =
  "COMMIT;"
  "CREATE INDEX services_numbers ON services (availability, replication, cloud_id);"
  "CREATE INDEX services_cloud ON services (cloud_id);"
  "CREATE INDEX service_tier_value ON service_tier (country, service_id);"
  "CREATE INDEX service_method_value ON service_method (method, service_id);"
  "CREATE INDEX service_access_value ON service_access (protocol, service_id);"
  "ANALYZE;";

typedef struct sqlout {
  sqlite3 *db;
  sqlite3_stmt *cloud, *svc, *tier, *method, *access;
} sqlout;

static int
sql_fail(sqlout *o, const char *what)
{
  fprintf(stderr, "bench: baseline database: %s: %s\n", what,
          o->db ? sqlite3_errmsg(o->db) : "cannot open");
  return -1;
}

static int
sql_open(sqlout *o, const char *path)
{
  memset(o, 0, sizeof *o);
  remove(path);
  if (sqlite3_open(path, &o->db) != SQLITE_OK)
    return sql_fail(o, path);
  if (sqlite3_exec(o->db, bench_sql_schema, NULL, NULL, NULL) != SQLITE_OK)
    return sql_fail(o, "schema");
  if (sqlite3_prepare_v2(o->db, "INSERT INTO clouds VALUES (?, ?)", -1, &o->cloud, NULL) ||
      sqlite3_prepare_v2(o->db, "INSERT INTO services VALUES (?, ?, ?, ?)", -1, &o->svc,
                         NULL) ||
      sqlite3_prepare_v2(o->db, "INSERT INTO service_tier VALUES (?, ?)", -1, &o->tier,
                         NULL) ||
      sqlite3_prepare_v2(o->db, "INSERT INTO service_method VALUES (?, ?)", -1, &o->method,
                         NULL) ||
      sqlite3_prepare_v2(o->db, "INSERT INTO service_access VALUES (?, ?)", -1, &o->access,
                         NULL))
    return sql_fail(o, "prepare");
  return 0;
}

static int
step(sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);

  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int
pair(sqlite3_stmt *st, long id, const char *value)
{
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  return step(st);
}

static void
sql_close(sqlout *o)
{
  sqlite3_finalize(o->cloud);
  sqlite3_finalize(o->svc);
  sqlite3_finalize(o->tier);
  sqlite3_finalize(o->method);
  sqlite3_finalize(o->access);
  sqlite3_close(o->db);
  memset(o, 0, sizeof *o);
}

/* --- the query ------------------------------------------------------------------ */

static const char *const list_table[3] = { "service_tier", "service_method", "service_access" };
static const char *const list_column[3] = { "country", "method", "protocol" };

static const char *const *
shape_list(const bench_shape *s, int k)
{
  return k == 0 ? s->tiers : k == 1 ? s->methods : s->access;
}

/* Appends the parameters of list k of s: ?first, ?first+1, ... */
static void
append_params(char *buf, size_t n, const char *const *list, int first)
{
  size_t len = strlen(buf);
  const char *const *p;
  int k = first;

  for (p = list; *p && len < n; p++)
    len += (size_t)snprintf(buf + len, n - len, "%s?%d", p == list ? "" : ", ", k++);
}

/* Number of the first parameter of list k (0-2 the hard lists, 3 and on
 * the soft constraints'): after ?1 (availability), ?2 (replication) and
 * the lists before k. */
static int
first_param(const bench_shape *s, int k)
{
  int first = 3, i;
  const char *const *p;

  for (i = 0; i < k; i++)
    for (p = i < 3 ? shape_list(s, i) : s->soft[i - 3].values; p && *p; p++)
      first++;
  return first;
}

/* Appends to buf (of size n) what printf makes of fmt. */
static void
append(char *buf, size_t n, const char *fmt, ...)
{
  size_t len = strlen(buf);
  va_list ap;

  va_start(ap, fmt);
  if (len < n)
    vsnprintf(buf + len, n - len, fmt, ap);
  va_end(ap);
}

char *
bench_sql_query(const bench_shape *s, int driver)
{
  size_t n = 8192;
  char *buf;
  int k, scan = driver / 4;
  const char *plus = scan ? "+" : "";

  if (driver < 0 || driver >= BENCH_SQL_FORMS || !bench_shape_ready(s))
    return NULL;
  driver %= 4;
  if (driver > 0 && !shape_list(s, driver - 1))
    return NULL;
  if (!(buf = malloc(n)))
    return NULL;
  buf[0] = '\0';
  if (s->n_soft) {
    append(buf, n, "SELECT c.name, MAX(");
    for (k = 0; k < s->n_soft; k++) {
      append(buf, n, "%s(CASE WHEN EXISTS (SELECT 1 FROM %s x WHERE x.service_id = s.id AND "
             "%sx.%s IN (", k ? "\n    + " : "", list_table[s->soft[k].list], plus,
             list_column[s->soft[k].list]);
      append_params(buf, n, s->soft[k].values, first_param(s, 3 + k));
      append(buf, n, ")) THEN %d ELSE 0 END)", s->soft[k].weight);
    }
    append(buf, n, ") AS score\n");
  } else {
    append(buf, n, "SELECT DISTINCT c.name\n");
  }
  if (driver == 0) {
    append(buf, n, "FROM services s JOIN clouds c ON c.id = s.cloud_id\n"
           "WHERE s.availability >= ?1 AND s.replication >= ?2");
  } else {
    k = driver - 1;
    append(buf, n, "FROM %s d CROSS JOIN services s CROSS JOIN clouds c\n"
           "WHERE d.%s IN (", list_table[k], list_column[k]);
    append_params(buf, n, shape_list(s, k), first_param(s, k));
    append(buf, n, ") AND s.id = d.service_id AND c.id = s.cloud_id"
           "\n  AND s.availability >= ?1 AND s.replication >= ?2");
  }
  for (k = 0; k < 3; k++) {
    if (!shape_list(s, k) || k == driver - 1)
      continue;
    append(buf, n, "\n  AND EXISTS (SELECT 1 FROM %s x WHERE x.service_id = s.id AND %sx.%s IN (",
           list_table[k], plus, list_column[k]);
    append_params(buf, n, shape_list(s, k), first_param(s, k));
    append(buf, n, "))");
  }
  if (s->n_soft)
    append(buf, n, "\nGROUP BY c.id\nORDER BY score DESC, c.name");
  else
    append(buf, n, "\nORDER BY c.name");
  return buf;
}

int
bench_sql_bind(sqlite3_stmt *st, const bench_shape *s)
{
  const char *const *lists[6];
  int k = 1, i;

  lists[0] = s->tiers;
  lists[1] = s->methods;
  lists[2] = s->access;
  for (i = 0; i < 3; i++)
    lists[3 + i] = i < s->n_soft ? s->soft[i].values : NULL;
  if (sqlite3_bind_double(st, k++, s->min_availability) ||
      sqlite3_bind_int(st, k++, s->min_replication))
    return -1;
  for (i = 0; i < 6; i++) {
    const char *const *p;
    for (p = lists[i]; p && *p; p++)
      if (sqlite3_bind_text(st, k++, *p, -1, SQLITE_STATIC))
        return -1;
  }
  return 0;
}

/* --- generation ---------------------------------------------------------------- */

void
bench_cloud_name(char *buf, size_t n, unsigned long i)
{
  snprintf(buf, n, "cloud%07lu", i);
}

double
bench_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
bench_env_num(const char *name, double dflt, double lowest)
{
  const char *v = getenv(name);
  char *end;
  double d;

  if (!v || !*v)
    return dflt;
  d = strtod(v, &end);
  if (*end || !(d >= lowest)) {
    fprintf(stderr, "bench: %s=%s is not a number of at least %g; using %g\n",
            name, v, lowest, dflt);
    return dflt;
  }
  return d;
}

const char *
bench_env_str(const char *name, const char *dflt)
{
  const char *v = getenv(name);

  return v && *v ? v : dflt;
}

static int
push(bench_data *d, int k, size_t *cap, uint32_t id, int score)
{
  if (d->n_truth[k] == cap[k]) {
    size_t ncap = cap[k] ? cap[k] * 2 : 1024;
    uint32_t *nv = realloc(d->truth[k], ncap * sizeof *nv);
    int *ns;
    if (!nv)
      return -1;
    d->truth[k] = nv;
    if (bench_shapes[k].n_soft) {
      if (!(ns = realloc(d->score[k], ncap * sizeof *ns)))
        return -1;
      d->score[k] = ns;
    }
    cap[k] = ncap;
  }
  if (d->score[k])
    d->score[k][d->n_truth[k]] = score;
  d->truth[k][d->n_truth[k]++] = id;
  return 0;
}

static const bench_data *order_data;
static int order_shape;

static int
order_cmp(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  int sx = order_data->score[order_shape][x], sy = order_data->score[order_shape][y];

  if (sx != sy)
    return sx > sy ? -1 : 1;
  return x < y ? -1 : x > y;
}

size_t *
bench_ranked_order(const bench_data *d, int k)
{
  size_t *v, i;

  if (!d->score[k] || !(v = malloc((d->n_truth[k] + 1) * sizeof *v)))
    return NULL;
  for (i = 0; i < d->n_truth[k]; i++)
    v[i] = i;
  order_data = d;
  order_shape = k;
  qsort(v, d->n_truth[k], sizeof *v, order_cmp);
  return v;
}

/* Writes a comma-separated list of res: individuals. */
static void
objects(FILE *fp, const char *pred, const unsigned *v, unsigned n, const char *const *names)
{
  unsigned i;

  fprintf(fp, " ;\n    res:%s ", pred);
  for (i = 0; i < n; i++)
    fprintf(fp, "%sres:%s", i ? ", " : "", names[v[i]]);
}

int
bench_generate(unsigned long n, uint64_t seed, const char *const *countries,
               size_t n_countries, const char *ttl_path, const char *sql_path,
               bench_data *d)
{
  uint64_t rng = seed;
  FILE *fp = NULL;
  sqlout o;
  size_t cap[BENCH_SHAPES] = { 0 };
  unsigned jp_index = 0, found_jp = 0;
  unsigned long c;
  long sid = 0;
  double t0 = bench_now(), t_sql = 0;
  int rc = -1, k;
  char name[32];

  memset(d, 0, sizeof *d);
  memset(&o, 0, sizeof o);
  for (jp_index = 0; jp_index < n_countries; jp_index++)
    if (!strcmp(countries[jp_index], "JP")) {
      found_jp = 1;
      break;
    }
  if (!found_jp || n > 9999999UL) {
    fprintf(stderr, "bench: %s\n", found_jp ? "at most 9999999 clouds"
            : "the vocabulary has no country JP");
    return -1;
  }
  if (ttl_path) {
    static char iobuf[1 << 20];
    if (!(fp = fopen(ttl_path, "w"))) {
      perror(ttl_path);
      return -1;
    }
    setvbuf(fp, iobuf, _IOFBF, sizeof iobuf);
    fprintf(fp, "# Synthetic capability data for `make bench` (tests/bench/bench_gen.c):\n"
            "# %lu clouds, seed %llu.\n"
            "@prefix res: <" RES "> .\n"
            "@prefix b: <http://bench.example/> .\n", n, (unsigned long long)seed);
  }
  if (sql_path) {
    double t = bench_now();
    if (sql_open(&o, sql_path))
      goto done;
    t_sql += bench_now() - t;
  }
  for (c = 1; c <= n; c++) {
    service sv[3];
    unsigned ns = 1 + below(&rng, 3), i, j;
    int hit[BENCH_SHAPES];

    bench_cloud_name(name, sizeof name, c);
    for (k = 0; k < BENCH_SHAPES; k++)
      hit[k] = -1;
    for (i = 0; i < ns; i++) {
      draw(&rng, &sv[i], n_countries, jp_index);
      for (k = 0; k < BENCH_SHAPES; k++) {
        int m = bench_shape_ready(&bench_shapes[k]) ? meets(&bench_shapes[k], &sv[i], countries)
                                                    : -1;
        if (m > hit[k])
          hit[k] = m;
      }
    }
    for (k = 0; k < BENCH_SHAPES; k++)
      if (hit[k] >= 0 && push(d, k, cap, (uint32_t)c, hit[k])) {
        fprintf(stderr, "bench: out of memory\n");
        goto done;
      }
    d->clouds++;
    d->services += ns;
    d->triples += 2 + ns;
    for (i = 0; i < ns; i++)
      d->triples += 3 + sv[i].n_tiers + sv[i].n_methods + sv[i].n_access;
    if (fp) {
      fprintf(fp, "\nb:c%lu a res:Cloud ;\n    res:cloudName \"%s\" ;\n    res:offers ", c, name);
      for (i = 0; i < ns; i++)
        fprintf(fp, "%sb:c%lus%u", i ? ", " : "", c, i + 1);
      fputs(" .\n", fp);
      for (i = 0; i < ns; i++) {
        fprintf(fp, "b:c%lus%u a res:StorageService ;\n    res:availability %s ;\n"
                "    res:replicationFactor %d", c, i + 1, avail[sv[i].avail].text,
                sv[i].replication);
        objects(fp, "tierCountry", sv[i].tiers, sv[i].n_tiers, countries);
        objects(fp, "replicationMethod", sv[i].methods, sv[i].n_methods, bench_methods);
        objects(fp, "storageAccess", sv[i].access, sv[i].n_access, bench_protocols);
        fputs(" .\n", fp);
      }
    }
    if (o.db) {
      double t = bench_now();
      sqlite3_bind_int64(o.cloud, 1, (sqlite3_int64)c);
      sqlite3_bind_text(o.cloud, 2, name, -1, SQLITE_STATIC);
      if (step(o.cloud))
        goto sqlerr;
      for (i = 0; i < ns; i++) {
        sid++;
        sqlite3_bind_int64(o.svc, 1, sid);
        sqlite3_bind_int64(o.svc, 2, (sqlite3_int64)c);
        sqlite3_bind_double(o.svc, 3, avail[sv[i].avail].value);
        sqlite3_bind_int(o.svc, 4, sv[i].replication);
        if (step(o.svc))
          goto sqlerr;
        for (j = 0; j < sv[i].n_tiers; j++)
          if (pair(o.tier, sid, countries[sv[i].tiers[j]]))
            goto sqlerr;
        for (j = 0; j < sv[i].n_methods; j++)
          if (pair(o.method, sid, bench_methods[sv[i].methods[j]]))
            goto sqlerr;
        for (j = 0; j < sv[i].n_access; j++)
          if (pair(o.access, sid, bench_protocols[sv[i].access[j]]))
            goto sqlerr;
      }
      t_sql += bench_now() - t;
    }
  }
  if (fp) {
    if (fclose(fp) != 0) {
      fp = NULL;
      perror(ttl_path);
      goto done;
    }
    fp = NULL;
  }
  if (o.db) {
    double t = bench_now();
    if (sqlite3_exec(o.db, bench_sql_indexes, NULL, NULL, NULL) != SQLITE_OK)
      goto sqlerr;
    t_sql += bench_now() - t;
  }
  d->sql_seconds = t_sql;
  d->gen_seconds = bench_now() - t0 - t_sql;
  rc = 0;
  goto done;
sqlerr:
  sql_fail(&o, "insert");
done:
  if (fp)
    fclose(fp);
  sql_close(&o);
  if (rc)
    bench_data_free(d);
  return rc;
}

void
bench_data_free(bench_data *d)
{
  int k;

  for (k = 0; k < BENCH_SHAPES; k++) {
    free(d->truth[k]);
    free(d->score[k]);
    d->truth[k] = NULL;
    d->score[k] = NULL;
    d->n_truth[k] = 0;
  }
}

char *
bench_read_file(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  char *buf = NULL;
  long n;

  if (!fp)
    return NULL;
  if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)n + 1)) != NULL) {
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
      free(buf);
      buf = NULL;
    } else {
      buf[n] = '\0';
      if (len)
        *len = (size_t)n;
    }
  }
  fclose(fp);
  return buf;
}

/* bench_gen.h - the benchmark's data: seeded synthetic clouds, the five
 * constraint shapes, and the ground truth for each.
 *
 * One pass writes the same clouds twice: as one Turtle document for icx,
 * and as rows of a plain SQLite schema for the hand-written SQL baseline
 * (clouds, services, service_tier, service_method, service_access).  While
 * it writes, it evaluates every shape in C, so each engine's answer is
 * checked against a fourth, independent one.
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

/* A soft constraint of a shape: a list (0 tier, 1 method, 2 access) and
 * the values (closure expanded) that earn its weight. */
typedef struct bench_soft {
  int list;
  const char *const *values;
  int weight;
} bench_soft;

/* A constraint shape: the XML icx gets (file under the source tree), and
 * the same constraints written by hand for SQL and for the C oracle.  IN
 * lists are the subsumption closure expanded by hand (NFS -> NFS, NFSv3,
 * NFSv4, NFSv4_1).  NULL lists mean "not constrained".  A shape with a
 * region asks for a tier in that region: its tier list is the region's
 * closure in the vocabulary, set with bench_shape_set_tiers() before the
 * shape is used (until then the generator computes no answer for it).  A
 * shape with soft constraints is ranked: a cloud's score is the best, over
 * its services that meet the hard constraints, of the weights of the soft
 * constraints the service meets; the answer is ordered by score (highest
 * first), then by name. */
typedef struct bench_shape {
  const char *name;
  const char *xml;               /* relative to the source tree */
  double min_availability;
  int min_replication;
  const char *const *tiers;      /* ISO codes (local names), NULL-ended */
  const char *const *methods;    /* local names of res: individuals */
  const char *const *access;
  const char *region;            /* local name of the region asked for, or NULL */
  bench_soft soft[3];
  int n_soft;
} bench_shape;

#define BENCH_SHAPES 5
extern bench_shape bench_shapes[BENCH_SHAPES];

/* Sets the tier list of every shape asking for region to list (local
 * names, NULL-ended, kept by reference). */
void bench_shape_set_tiers(const char *region, const char *const *list);
/* 1 when shape s can be answered (its region, if any, expanded). */
int bench_shape_ready(const bench_shape *s);

/* What one generation produced. */
typedef struct bench_data {
  long clouds;
  long services;
  long triples;                  /* in the Turtle document */
  uint32_t *truth[BENCH_SHAPES]; /* matching cloud numbers, ascending */
  int *score[BENCH_SHAPES];      /* each one's score (ranked shapes), else NULL */
  size_t n_truth[BENCH_SHAPES];
  double gen_seconds;            /* Turtle + truth */
  double sql_seconds;            /* baseline rows and indexes */
} bench_data;

/* Cloud number i is named "cloud%07lu" (names sort like numbers). */
void bench_cloud_name(char *buf, size_t n, unsigned long i);
/* Monotonic time in seconds. */
double bench_now(void);

/* The number in the environment variable name, or dflt when it is unset
 * or empty; a value that is not a number or is below lowest is reported on
 * stderr and dflt used instead. */
double bench_env_num(const char *name, double dflt, double lowest);

/* The value of the environment variable name (lent), or dflt when it is
 * unset or empty. */
const char *bench_env_str(const char *name, const char *dflt);

/* The whole file at path as a new NUL-terminated string (free() it), its
 * length in *len when len is not NULL; NULL when it cannot be read. */
char *bench_read_file(const char *path, size_t *len);

/* Generates n clouds from seed, writing the Turtle document ttl_path and
 * the baseline database sql_path (either may be NULL to skip it).
 * countries are the ISO codes icx knows (from the vocabulary); JP must be
 * one.  Returns 0, or -1 with a message on stderr. */
int bench_generate(unsigned long n, uint64_t seed, const char *const *countries,
                   size_t n_countries, const char *ttl_path, const char *sql_path,
                   bench_data *out);
void bench_data_free(bench_data *d);

/* A hand-written query of shape s for the baseline schema, and its
 * parameters in order (numbers are bound as such).  form % 4 says where
 * the query starts: 0 from the numbers (index services_numbers), 1, 2, 3
 * from the tier, method or access list (their value indexes), the rest
 * checked with EXISTS; form / 4 how an EXISTS checks its list: 0 by one
 * primary-key seek per value, 1 by reading the service's few rows and
 * testing each against the list (`+x.country IN (...)`: better for long
 * lists such as a region's countries).  The baseline times every form
 * and keeps the fastest, as someone writing the query by hand for this
 * data would.  Returns a new
 * string the caller free()s, or NULL when the shape has no such list.
 * A ranked shape's query returns (name, score) in the answer's order;
 * every other shape's returns the names, ordered. */
#define BENCH_SQL_FORMS 8
char *bench_sql_query(const bench_shape *s, int driver);
struct sqlite3_stmt;
int bench_sql_bind(struct sqlite3_stmt *st, const bench_shape *s);

/* The generator's ranked answer of shape k of d: order[i] is an index
 * into d->truth[k], by score (highest first), then by cloud number.  A new
 * array (free() it), or NULL when out of memory or not ranked. */
size_t *bench_ranked_order(const bench_data *d, int k);

/* The baseline schema: the tables (ends inside an open transaction, for
 * the rows), then the indexes (commits first).  For sqlite3_exec(). */
extern const char *const bench_sql_schema;
extern const char *const bench_sql_indexes;

/* The replication methods and access protocols the generator draws from
 * (local names of res: individuals), NULL-ended. */
extern const char *const bench_methods[];
extern const char *const bench_protocols[];

#endif

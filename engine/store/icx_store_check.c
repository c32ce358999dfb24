/* icx_store_check.c - checking a store file whole (icx check): SQLite's
 * integrity check, then the store's own invariants, read with SQL over
 * the schema (icx_schema.h) on a connection of its own, so that a store
 * too damaged for librdf to open can still be checked.  Nothing is
 * written.
 *
 * The invariants: every quad's terms exist and are of the right kind;
 * literals' numbers are those their lexical forms give, and every quad
 * carries its object's number; the postings by object and by number
 * hold chunks, which hold the quads' pairs and nothing else; the bookkeeping graph <urn:icx:meta> and
 * the document graphs agree (each graph has its entry, each entry its
 * graph, with one source, format, load time and triple count, the count
 * that of the graph's quads); the bookkeeping describes documents only.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_postings_vtab.h"
#include "icx_schema.h"
#include "icx_storage_internal.h"
#include "icx_store_internal.h"
#include "icx_vocab.h"

/* At most this many problems of one kind are told one by one. */
#define CHECK_SHOW 5

typedef struct check_run {
  sqlite3 *db;
  icx_store_problem_fn fn;
  void *ud;
  long problems;
  int unreadable;              /* SQLite cannot read the file: the invariants are skipped */
  icx_id meta, type, doc;      /* term ids; 0 when the store has none */
} check_run;

static void
check_say(check_run *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check_say(check_run *c, const char *fmt, ...)
{
  char text[1024];
  va_list ap;

  c->problems++;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (c->fn)
    c->fn(c->ud, text);
}

/* A statement that could not run is a problem too (of a damaged file, or
 * of a schema that is not the store's). */
static sqlite3_stmt *
check_prepare(check_run *c, const char *what, const char *sql)
{
  sqlite3_stmt *st = NULL;

  if (c->unreadable)
    return NULL;
  if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
    c->unreadable = icx_schema_damage(sqlite3_errcode(c->db));
    check_say(c, "cannot check %s: %s%s", what, sqlite3_errmsg(c->db),
              c->unreadable ? " (the store's own invariants are not checked)" : "");
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

static void
check_step_failed(check_run *c, const char *what, int rc)
{
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    c->unreadable = icx_schema_damage(rc);
    check_say(c, "cannot check %s: %s%s", what, sqlite3_errmsg(c->db),
              c->unreadable ? " (the store's own invariants are not checked)" : "");
  }
}

/* The id of an IRI term, 0 when there is none. */
static icx_id
check_iri(check_run *c, const char *iri)
{
  sqlite3_stmt *st = check_prepare(c, "the term dictionary", ICX_SCHEMA_TERM_ID_SQL);
  icx_id id = 0;
  int rc;

  if (!st)
    return 0;
  sqlite3_bind_text(st, 1, iri, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, 1);          /* an IRI: no datatype, no language */
  sqlite3_bind_int64(st, 3, 0);
  sqlite3_bind_text(st, 4, "", 0, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW)
    id = sqlite3_column_int64(st, 0);
  check_step_failed(c, "the term dictionary", rc);
  sqlite3_finalize(st);
  return id;
}

/* SQLite's own check: every row it returns other than "ok" is a problem. */
static void
check_sqlite(check_run *c, int quick)
{
  sqlite3_stmt *st = check_prepare(c, "the file", quick ? "PRAGMA quick_check(100)"
                                                        : "PRAGMA integrity_check(100)");
  int rc;

  if (!st)
    return;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *row = (const char *)sqlite3_column_text(st, 0);
    if (row && strcmp(row, "ok") != 0)
      check_say(c, "SQLite: %s", row);
  }
  check_step_failed(c, "the file", rc);
  sqlite3_finalize(st);
}

/* Runs sql, whose rows are (count, example), with ?1, ?2, ?3 the ids of
 * the bookkeeping graph, rdf:type and icxm:Document and ?4 the text arg,
 * and tells each row through fmt (given the count and the example as
 * text): every row with every set, else the rows whose count is above 0. */
static void
check_rows_arg(check_run *c, const char *what, const char *sql, const char *arg, int every,
               const char *fmt)
{
  sqlite3_stmt *st = check_prepare(c, what, sql);
  int rc, shown = 0;

  if (!st)
    return;
  sqlite3_bind_int64(st, 1, c->meta);
  sqlite3_bind_int64(st, 2, c->type);
  sqlite3_bind_int64(st, 3, c->doc);
  if (arg)
    sqlite3_bind_text(st, 4, arg, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    sqlite3_int64 n = sqlite3_column_int64(st, 0);
    const char *ex = (const char *)sqlite3_column_text(st, 1);
    if (n <= 0 && !every)
      continue;
    if (shown++ < CHECK_SHOW) {
      char text[900];
      snprintf(text, sizeof text, fmt, (long long)n, ex ? ex : "?");
      check_say(c, "%s", text);
    } else {
      c->problems++;
    }
  }
  check_step_failed(c, what, rc);
  sqlite3_finalize(st);
}

static void
check_rows(check_run *c, const char *what, const char *sql, const char *fmt)
{
  check_rows_arg(c, what, sql, NULL, 0, fmt);
}

static void
check_format(check_run *c)
{
  sqlite3_stmt *st = check_prepare(c, "icx_meta", "SELECT "
                                   "(SELECT value FROM icx_meta WHERE key = 'format'),"
                                   "(SELECT value FROM icx_meta WHERE key = 'version')");
  int rc;

  if (!st)
    return;
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *f = (const char *)sqlite3_column_text(st, 0);
    const char *v = (const char *)sqlite3_column_text(st, 1);
    if (!f || strcmp(f, ICX_STORAGE_FORMAT) != 0 || !v || strcmp(v, ICX_STORAGE_VERSION) != 0)
      check_say(c, "icx_meta says format \"%s\" version \"%s\"; an icx store of this icx has "
                "\"%s\" version \"%s\"", f ? f : "", v ? v : "", ICX_STORAGE_FORMAT,
                ICX_STORAGE_VERSION);
  }
  check_step_failed(c, "icx_meta", rc);
  sqlite3_finalize(st);
}

/* Terms: each kept as the writers split it (icx_schema.h), a quad's
 * terms exist and have the right kind. */
static void
check_terms(check_run *c)
{
  check_rows(c, "the term dictionary",
             "SELECT count(*), min(iri) FROM namespaces"
             " WHERE iri = '' OR " ICX_SCHEMA_NS_OF("iri") " != iri",
             "%lld namespaces do not end with '/', '#' or ':', such as \"%s\"");
  check_rows(c, "the term dictionary",
             "SELECT count(*), min(local) FROM term_rows t WHERE t.ns != 0"
             " AND NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.id = t.ns)",
             "%lld terms are in a namespace that does not exist, such as \"%s\"");
  check_rows(c, "the term dictionary",
             "SELECT count(*), min(local) FROM term_rows"
             " WHERE (kind = 1 AND " ICX_SCHEMA_NS_OF("local") " != '') OR (kind != 1 AND ns != 0)",
             "%lld terms are not split into namespace and rest as writers look them up, "
             "such as \"%s\"");
  check_rows(c, "the quads' terms",
             "SELECT count(*), min(printf('(%d %d %d %d)', s, p, o, g)) FROM quads q"
             " WHERE NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = q.s)"
             " OR NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = q.p)"
             " OR NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = q.o)"
             " OR (q.g != 0 AND NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = q.g))",
             "%lld quads name a term that does not exist, such as %s (s p o g ids)");
  check_rows(c, "the quads' terms",
             "SELECT count(*), min(t.lex) FROM quads q JOIN terms t ON t.id = q.s"
             " WHERE t.kind NOT IN (1, 2)",
             "%lld quads have a literal as subject, such as \"%s\"");
  check_rows(c, "the quads' terms",
             "SELECT count(*), min(t.lex) FROM quads q JOIN terms t ON t.id = q.p"
             " WHERE t.kind != 1",
             "%lld quads have a predicate that is not an IRI, such as \"%s\"");
  check_rows(c, "the quads' terms",
             "SELECT count(*), min(t.lex) FROM quads q JOIN terms t ON t.id = q.g"
             " WHERE t.kind != 1",
             "%lld quads are in a graph whose name is not an IRI, such as \"%s\"");
  check_rows(c, "the quads' graphs",
             "SELECT count(*), 'no graph' FROM quads WHERE g = 0",
             "%lld quads are in no graph (%s): every document has one");
  check_rows(c, "the graphs' subjects",
             "SELECT count(*), min(printf('(%d %d %d %d)', s, p, o, g)) FROM quads q"
             " WHERE NOT EXISTS (SELECT 1 FROM graph_subjects x WHERE x.g = q.g AND x.s = q.s)",
             "%lld quads have a subject their graph does not list, such as %s (s p o g ids)");
  check_rows(c, "the graphs' subjects",
             "SELECT count(*), min(printf('(%d %d)', g, s)) FROM graph_subjects x"
             " WHERE NOT EXISTS (SELECT 1 FROM quads q WHERE q.s = x.s AND q.g = x.g)",
             "%lld subjects listed for a graph have no quad there, such as %s (g s ids)");
  check_rows(c, "the literals' datatypes",
             "SELECT count(*), min(t.lex) FROM terms t WHERE t.kind = 3 AND t.dt != 0"
             " AND NOT EXISTS (SELECT 1 FROM terms d WHERE d.id = t.dt AND d.kind = 1)",
             "%lld literals have a datatype that is not an IRI term, such as \"%s\"");
}

/* Numbers: terms.num is what the lexical form gives; quads.num is the
 * object's terms.num. */
static void
check_numbers(check_run *c)
{
  sqlite3_stmt *st;
  int rc;
  long bad = 0;

  check_rows(c, "the quads' numbers",
             "SELECT count(*), min(t.lex) FROM quads q JOIN terms t ON t.id = q.o"
             " WHERE q.num IS NOT t.num",
             "%lld quads carry a number other than their object's, such as the quad of \"%s\"");
  check_rows(c, "the quads' numbers",
             "SELECT count(*), min(printf('(%d %d %d %d)', s, p, o, g)) FROM quads q"
             " WHERE q.num IS NOT NULL AND NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = q.o)",
             "%lld quads carry a number for an object that does not exist, such as %s");
  st = check_prepare(c, "the literals' numbers",
                     "SELECT t.lex, t.num, d.lex FROM terms t LEFT JOIN terms d ON d.id = t.dt"
                     " WHERE t.kind = 3");
  if (!st)
    return;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *lex = (const char *)sqlite3_column_text(st, 0);
    const char *dt = (const char *)sqlite3_column_text(st, 2);
    int has = sqlite3_column_type(st, 1) != SQLITE_NULL;
    double num = sqlite3_column_double(st, 1), want = 0;
    int numeric = dt && lex && icx_storage_numeric_value(dt, lex, &want);
    if (numeric == has && (!has || num == want))
      continue;
    if (bad++ < CHECK_SHOW) {
      if (has)
        check_say(c, "the literal \"%s\"%s%s carries the number %.17g, its lexical form %s%.17g",
                  lex ? lex : "", dt ? "^^" : "", dt ? dt : "", num,
                  numeric ? "gives " : "gives no number", numeric ? want : 0.0);
      else
        check_say(c, "the literal \"%s\"^^%s carries no number; its lexical form gives %.17g",
                  lex ? lex : "", dt ? dt : "", want);
    } else {
      c->problems++;
    }
  }
  check_step_failed(c, "the literals' numbers", rc);
  sqlite3_finalize(st);
}

/* Key order of postings_num's rows (p, key, s, o): -1, 0 or 1. */
static int
check_cmp4(const icx_id *a, const icx_id *b)
{
  int i;

  for (i = 0; i < 4; i++)
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  return 0;
}

/* A key's second id as text: the number it stands for with numbers. */
static const char *
check_key(icx_id b, int numbers, char *out, size_t n)
{
  if (numbers)
    snprintf(out, n, "number %.17g", icx_postings_num_value(b));
  else
    snprintf(out, n, "%lld", (long long)b);
  return out;
}

/* A table of postings: every row a chunk, no two overlapping
 * (icx_postings_table_check()), and its pairs exactly those of the quads
 * that quads_sql gives in the table's key order (four ids, or with
 * numbers an id, a number keyed by icx_postings_num_key() and two ids):
 * both read in that order and merged.  vtab_sql reads the table through
 * the virtual table.  what names it in the problems told. */
static void
check_postings(check_run *c, const icx_postings_layout *layout, const char *quads_sql,
               const char *vtab_sql, int numbers)
{
  const char *what = layout->table;
  icx_postings_table *pt;
  sqlite3_stmt *q = NULL, *n = NULL;
  icx_id a[4] = { 0 }, b[4] = { 0 };
  long long got;
  long missing = 0, extra = 0;
  int qrc, nrc, cmp, i;
  char why[256], key[40];

  if (c->unreadable)
    return;
  if (!(pt = icx_postings_table_new(c->db, layout))) {
    check_say(c, "cannot check %s: %s", what, sqlite3_errmsg(c->db));
    return;
  }
  got = icx_postings_table_check(pt, why, sizeof why);
  icx_postings_table_free(pt);
  if (got == ICX_POSTINGS_ERR_DAMAGED) {
    check_say(c, "%s: %s", what, why);
    return;                   /* the merge would read the same damage */
  }
  if (got < 0) {
    check_step_failed(c, what, sqlite3_errcode(c->db));
    return;
  }
  q = check_prepare(c, what, quads_sql);
  n = check_prepare(c, what, vtab_sql);
  if (!q || !n)
    goto done;
  qrc = sqlite3_step(q);
  nrc = sqlite3_step(n);
  while (qrc == SQLITE_ROW || nrc == SQLITE_ROW) {
    for (i = 0; qrc == SQLITE_ROW && i < 4; i++)
      a[i] = sqlite3_column_int64(q, i);
    if (qrc == SQLITE_ROW && numbers &&
        icx_postings_num_key(sqlite3_column_double(q, 1), &a[1])) {
      qrc = sqlite3_step(q);    /* NaN: no term has it (check_numbers()) */
      continue;
    }
    for (i = 0; nrc == SQLITE_ROW && i < 4; i++)
      b[i] = sqlite3_column_int64(n, i);
    cmp = qrc != SQLITE_ROW ? 1 : nrc != SQLITE_ROW ? -1 : check_cmp4(a, b);
    if (cmp < 0 && missing++ < CHECK_SHOW)
      check_say(c, "%s lacks the pair (%lld %lld) of key (%lld %s)", what, (long long)a[2],
                (long long)a[3], (long long)a[0], check_key(a[1], numbers, key, sizeof key));
    else if (cmp > 0 && extra++ < CHECK_SHOW)
      check_say(c, "%s holds the pair (%lld %lld) of key (%lld %s), which no quad has", what,
                (long long)b[2], (long long)b[3], (long long)b[0],
                check_key(b[1], numbers, key, sizeof key));
    else if (cmp)
      c->problems++;
    if (cmp <= 0)
      qrc = sqlite3_step(q);
    if (cmp >= 0)
      nrc = sqlite3_step(n);
  }
  check_step_failed(c, what, qrc);
  if (!c->unreadable)
    check_step_failed(c, what, nrc);
done:
  sqlite3_finalize(q);
  sqlite3_finalize(n);
}

/* Both tables of postings, as icx_schema.h has them, read through the virtual
 * tables made on the check's connection. */
static void
check_postings_both(check_run *c)
{
  static const icx_postings_layout pos = ICX_SCHEMA_POS_LAYOUT, nums = ICX_SCHEMA_NUMS_LAYOUT;

  if (c->unreadable)
    return;
  if (icx_postings_vtab_register(c->db) != SQLITE_OK ||
      sqlite3_exec(c->db, ICX_SCHEMA_VTABS_SQL, NULL, NULL, NULL) != SQLITE_OK) {
    check_say(c, "cannot check the postings: %s", sqlite3_errmsg(c->db));
    return;
  }
  check_postings(c, &pos, "SELECT p, o, s, g FROM quads ORDER BY p, o, s, g",
                 "SELECT p, o, s, g FROM " ICX_SCHEMA_POS_VTAB, 0);
  check_postings(c, &nums, "SELECT DISTINCT p, num, s, o FROM quads WHERE num IS NOT NULL"
                 " ORDER BY p, num, s, o", "SELECT p, n, s, o FROM " ICX_SCHEMA_NUMS_VTAB, 1);
}

static void check_counts(check_run *c);

/* Documents: graphs and bookkeeping agree. */
static void
check_documents(check_run *c)
{
  static const char *const props[] = { "source", "format", "loadedAt", "triples" };
  size_t i;

  if (!c->meta) {
    check_rows(c, "the document graphs",
               "SELECT count(DISTINCT g), min(t.lex) FROM graph_subjects q JOIN terms t ON t.id = q.g",
               "%lld graphs hold triples but the store has no bookkeeping graph, such as <%s>");
    return;
  }
  /* ?1 meta, ?2 rdf:type, ?3 icxm:Document (0 when missing: no entry
   * then matches). */
  check_rows(c, "the document graphs",
             "SELECT x.n, t.lex FROM (SELECT y.g AS gid, count(*) AS n FROM graph_subjects y"
             " CROSS JOIN quads q ON q.s = y.s AND q.g = y.g"
             " WHERE y.g != ?1 AND y.g != 0 GROUP BY y.g) x JOIN terms t ON t.id = x.gid"
             " WHERE NOT EXISTS (SELECT 1 FROM quads b WHERE b.g = ?1 AND b.s = x.gid"
             " AND b.p = ?2 AND b.o = ?3) ORDER BY t.lex",
             "%lld triples in graph <%s>, which has no bookkeeping entry");
  check_rows(c, "the bookkeeping",
             "SELECT count(*), min(t.lex) FROM (SELECT s FROM graph_subjects WHERE g = ?1) b"
             " JOIN terms t ON t.id = b.s WHERE NOT EXISTS (SELECT 1 FROM quads d"
             " WHERE d.g = ?1 AND d.s = b.s AND d.p = ?2 AND d.o = ?3)",
             "%lld subjects of the bookkeeping graph are no document, such as <%s>");
  for (i = 0; i < sizeof props / sizeof props[0]; i++) {
    char iri[128], fmt[160];
    snprintf(iri, sizeof iri, "%s%s", ICX_MATCH_NS, props[i]);
    snprintf(fmt, sizeof fmt, "%%lld %s values (one expected) in the bookkeeping of <%%s>",
             props[i]);
    check_rows_arg(c, "the bookkeeping",
                   "SELECT count(v.o) AS n, t.lex FROM quads d JOIN terms t ON t.id = d.s"
                   " LEFT JOIN term_rows pt ON pt.id IN " ICX_SCHEMA_TEXT_IDS("?4")
                   " AND pt.kind = 1 AND pt.dt = 0 AND pt.lang = ''"
                   " LEFT JOIN quads v ON v.g = ?1 AND v.s = d.s AND v.p = pt.id"
                   " WHERE d.g = ?1 AND d.p = ?2 AND d.o = ?3 GROUP BY d.s"
                   " HAVING n != 1 ORDER BY t.lex", iri, 1, fmt);
  }
  check_counts(c);
}

/* Each document's recorded count of triples is its graph's. */
static void
check_counts(check_run *c)
{
  char iri[128];
  sqlite3_stmt *st;
  int rc, bad = 0;

  snprintf(iri, sizeof iri, "%striples", ICX_MATCH_NS);
  st = check_prepare(c, "the triple counts",
                     "SELECT t.lex, nt.lex, (SELECT count(*) FROM graph_subjects y CROSS JOIN quads x"
                     " ON x.s = y.s AND x.g = y.g WHERE y.g = d.s)"
                     " FROM quads d JOIN terms t ON t.id = d.s"
                     " JOIN term_rows pt ON pt.id IN " ICX_SCHEMA_TEXT_IDS("?4")
                     " AND pt.kind = 1 AND pt.dt = 0 AND pt.lang = ''"
                     " JOIN quads v ON v.g = ?1 AND v.s = d.s AND v.p = pt.id"
                     " JOIN terms nt ON nt.id = v.o"
                     " WHERE d.g = ?1 AND d.p = ?2 AND d.o = ?3 ORDER BY t.lex");
  if (!st)
    return;
  sqlite3_bind_int64(st, 1, c->meta);
  sqlite3_bind_int64(st, 2, c->type);
  sqlite3_bind_int64(st, 3, c->doc);
  sqlite3_bind_text(st, 4, iri, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *doc = (const char *)sqlite3_column_text(st, 0);
    const char *said = (const char *)sqlite3_column_text(st, 1);
    sqlite3_int64 have = sqlite3_column_int64(st, 2);
    char *end = NULL;
    long long n;
    errno = 0;
    n = said ? strtoll(said, &end, 10) : -1;
    if (said && end != said && !*end && !errno && n == have)
      continue;
    if (bad++ < CHECK_SHOW)
      check_say(c, "the bookkeeping of <%s> counts \"%s\" triples; its graph holds %lld",
                doc ? doc : "?", said ? said : "", (long long)have);
    else
      c->problems++;
  }
  check_step_failed(c, "the triple counts", rc);
  sqlite3_finalize(st);
}

icx_rc
icx_store_check(icx_ctx *ctx, const char *path, int quick, icx_store_problem_fn fn,
                void *userdata)
{
  check_run c;
  struct stat sb;
  char why[256];
  int flags;

  if (!ctx || !path || !*path)
    return ICX_ERR_MISUSE;
  icx_clear_error(ctx);
  if (stat(path, &sb) != 0)
    return icx_fail(ctx, errno == ENOENT ? ICX_ERR_NOT_FOUND : ICX_ERR_IO, "no store at %s: %s",
                    path, strerror(errno));
  switch (icx_storage_probe(path, why, sizeof why)) {
  case ICX_STORAGE_PROBE_OK:
  case ICX_STORAGE_PROBE_DAMAGED:     /* the checks below say what is wrong */
    break;
  case ICX_STORAGE_PROBE_EMPTY:
  case ICX_STORAGE_PROBE_NOT_SQLITE:
  case ICX_STORAGE_PROBE_FOREIGN:
  case ICX_STORAGE_PROBE_REDLAND:
  case ICX_STORAGE_PROBE_VERSION:
    return icx_fail(ctx, ICX_ERR_STORE, "%s is not an icx store of format version %s "
                    "(icx list says more)", path, ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_OLD:
    return icx_fail(ctx, ICX_ERR_STORE, "store %s has format version %s; icx check reads "
                    "version %s (any other icx command on it, e.g. icx stats, upgrades it "
                    "in place)", path, why, ICX_STORAGE_VERSION);
  case ICX_STORAGE_PROBE_LOCKED:
  case ICX_STORAGE_PROBE_UNREADABLE:
    return icx_fail(ctx, ICX_ERR_IO, "cannot read store %s: %s", path, why);
  }
  memset(&c, 0, sizeof c);
  c.fn = fn;
  c.ud = userdata;
  /* Read-write when allowed, so that SQLite can use (and recover) the
   * write-ahead log a killed writer left; nothing is written. */
  flags = access(path, W_OK) == 0 ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &c.db, flags, NULL) != SQLITE_OK) {
    icx_rc rc = icx_fail(ctx, ICX_ERR_IO, "cannot open store %s: %s", path,
                         c.db ? sqlite3_errmsg(c.db) : "out of memory");
    sqlite3_close(c.db);
    return rc;
  }
  sqlite3_busy_timeout(c.db, ICX_STORAGE_BUSY_TIMEOUT_MS);
  /* One snapshot for every check, so that a writer's commit in between
   * does not make the counts disagree. */
  if (sqlite3_exec(c.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    check_say(&c, "cannot start a read: %s", sqlite3_errmsg(c.db));
  check_sqlite(&c, quick);
  check_format(&c);
  c.meta = check_iri(&c, ICX_STORE_META_GRAPH);
  c.type = check_iri(&c, ICX_STORE_RDF_TYPE);
  c.doc = check_iri(&c, ICX_MATCH_NS "Document");
  check_terms(&c);
  check_numbers(&c);
  check_postings_both(&c);
  check_documents(&c);
  sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close(c.db);
  if (c.problems)
    return icx_fail(ctx, ICX_ERR_DAMAGED, "store %s is damaged: %ld problem%s found", path,
                    c.problems, c.problems == 1 ? "" : "s");
  return ICX_OK;
}

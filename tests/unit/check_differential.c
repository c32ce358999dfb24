/* check_differential.c - the SQL path and the matching index against
 * rasqal, the oracle.
 *
 * A seeded generator writes random, vocabulary-valid clouds and random
 * constraint sets; every compiled query runs on both query paths and the
 * answers must be identical; every constraint set is matched on the index
 * (icx_match_run_path(), ICX_MATCH_PATH_INDEX) and on the SQL path, and
 * both must give the oracle's clouds, scores and degrees in its order, and
 * the index's count alone (icx_match_count_run()) their number.  A few
 * hand-written queries cover the rest of the SQL
 * subset (OPTIONAL with !BOUND, DISTINCT, ORDER BY with LIMIT, STR, !=).
 * The same again after documents are replaced, added and removed, through
 * the handle that matches and another, with the index kept and the
 * changes applied from the store's change log.
 * ICX_DIFF_SEED and ICX_DIFF_CASES change the seed and the number of
 * constraint sets (DEFAULT_CASES). */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "icx_index.h"
#include "icx_match_internal.h"
#include "icx_sql.h"
#include "icx_store_ids.h"

static icx_ctx *ctx;
static icx_vocab *vocab;
static icx_store *store;
static char *dir;
static uint64_t rng;
static int by_index, by_sql;      /* matches each path answered */

static uint32_t
rnd(uint32_t n)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng % n);
}

static const char *const COUNTRIES[] = { "JP", "US", "DE", "FR", "SG", "KR", "BR" };
static const char *const METHODS[] = { "AMQP", "AMQP_0_9_1", "AMQP_1_0", "XMPP", "Rsync", "HTTP",
                                       "DRBD" };
static const char *const ACCESS[] = { "NFS", "NFSv3", "NFSv4", "NFSv4_1", "SMB", "CIFS", "iSCSI",
                                      "S3", "WebDAV" };
static const char *const CERTS[] = { "ISO27001", "SOC2", "SOC2Type1", "SOC2Type2", "SOC1" };
static const char *const AVAIL[] = { "99", "99.5", "99.9", "99.95", "99.99", "99.995", "99.999",
                                     "99.9999", "100" };
#define N(a) (sizeof a / sizeof a[0])

/* Constraint sets per run.  Under AddressSanitizer (CI's second build,
 * with fast_unwind_on_malloc=0) rasqal's allocations make each case about
 * 30 times slower: fewer cases keep that build quick. */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_CASES 60
#else
#define DEFAULT_CASES 300
#endif

/* Appends n distinct random picks from list, as res: IRIs, to b. */
static void
picks(char *b, size_t cap, const char *pred, const char *const *list, size_t len, int n)
{
  int used[16] = { 0 }, k;

  for (k = 0; k < n; k++) {
    uint32_t i = rnd((uint32_t)len);
    if (used[i])
      continue;
    used[i] = 1;
    snprintf(b + strlen(b), cap - strlen(b), " res:%s res:%s ;", pred, list[i]);
  }
}

/* Turtle for clouds first .. first+clouds-1. */
static char *
generate(int first, int clouds)
{
  size_t cap = (size_t)clouds * 2048 + 256;
  char *b = malloc(cap);
  int c, s;

  ck_assert_ptr_nonnull(b);
  snprintf(b, cap, "@prefix res: <http://www.csp/resOntology#> .\n"
                   "@prefix g: <http://gen.example/> .\n");
  for (c = first; c < first + clouds; c++) {
    int services = 1 + (int)rnd(3);
    snprintf(b + strlen(b), cap - strlen(b), "g:c%d a res:Cloud ; res:cloudName \"gen%03d\"", c, c);
    for (s = 0; s < services; s++)
      snprintf(b + strlen(b), cap - strlen(b), " ; res:offers g:c%ds%d", c, s);
    snprintf(b + strlen(b), cap - strlen(b), " ;");
    picks(b, cap, "certification", CERTS, N(CERTS), (int)rnd(2));   /* on the cloud itself */
    b[strlen(b) - 1] = '.';
    snprintf(b + strlen(b), cap - strlen(b), "\n");
    for (s = 0; s < services; s++) {
      snprintf(b + strlen(b), cap - strlen(b), "g:c%ds%d a res:StorageService ;", c, s);
      if (rnd(8))
        snprintf(b + strlen(b), cap - strlen(b), " res:availability %s ;", AVAIL[rnd(N(AVAIL))]);
      if (rnd(8))
        snprintf(b + strlen(b), cap - strlen(b), " res:replicationFactor %u ;", 1 + rnd(9));
      picks(b, cap, "tierCountry", COUNTRIES, N(COUNTRIES), (int)rnd(4));
      picks(b, cap, "replicationMethod", METHODS, N(METHODS), (int)rnd(3));
      picks(b, cap, "storageAccess", ACCESS, N(ACCESS), (int)rnd(3));
      snprintf(b + strlen(b), cap - strlen(b), " res:replicationFactor %u .\n", 1 + rnd(9));
    }
  }
  return b;
}

static void
setup(void)
{
  const char *seed = getenv("ICX_DIFF_SEED");
  char *db, *doc;
  icx_loader *l;

  rng = seed && *seed ? strtoull(seed, NULL, 10) : 20261122;
  if (!rng)
    rng = 1;
  ctx = tu_ctx();
  vocab = tu_vocab(ctx);
  dir = tu_tmpdir();
  db = tu_path(dir, "store.db");
  ck_assert_int_eq(icx_store_open(ctx, db, ICX_STORE_CREATE, &store), ICX_OK);
  free(db);
  l = icx_loader_new(ctx, vocab, store);
  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  doc = generate(0, 80);
  if (getenv("ICX_DIFF_DUMP"))
    tu_write(getenv("ICX_DIFF_DUMP"), doc);
  ck_assert_msg(icx_loader_load_buffer(l, "gen-a", (const unsigned char *)doc, strlen(doc)) ==
                ICX_OK, "%s", icx_ctx_errmsg(ctx));
  free(doc);
  /* A second document, so that answers come from several graphs.  Its
   * clouds are others: a triple stated in two graphs is found once per
   * graph, and rasqal 0.9.33's joins over such duplicates take minutes
   * where they take milliseconds without (on Redland's storages too). */
  doc = generate(80, 40);
  if (getenv("ICX_DIFF_DUMP"))
    tu_write(getenv("ICX_DIFF_DUMP_B"), doc);
  ck_assert_msg(icx_loader_load_buffer(l, "gen-b", (const unsigned char *)doc, strlen(doc)) ==
                ICX_OK, "%s", icx_ctx_errmsg(ctx));
  free(doc);
  icx_loader_free(l);
}

static void
teardown(void)
{
  icx_store_free(store);
  icx_vocab_free(vocab);
  tu_rmtree(dir);
  free(dir);
  icx_ctx_free(ctx);
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A result as lines "value|value|...|" ("(unbound)" for no value). */
typedef struct lines {
  char **v;
  size_t n, cap;
} lines;

static void
lines_add(lines *l, const char *s)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    ck_assert_ptr_nonnull(l->v);
  }
  l->v[l->n] = strdup(s);
  ck_assert_ptr_nonnull(l->v[l->n]);
  l->n++;
}

static void
lines_free(lines *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

/* The lines joined, one a line; sorted unless ordered. */
static char *
lines_text(lines *l, int ordered)
{
  size_t i, len = 1;
  char *out;

  if (!ordered && l->n > 1)
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
  for (i = 0; i < l->n; i++)
    len += strlen(l->v[i]) + 1;
  out = calloc(1, len);
  ck_assert_ptr_nonnull(out);
  for (i = 0; i < l->n; i++) {
    strcat(out, l->v[i]);
    strcat(out, "\n");
  }
  return out;
}

static void
append_cell(char *buf, size_t cap, const char *v)
{
  snprintf(buf + strlen(buf), cap - strlen(buf), "%s|", v ? v : "(unbound)");
}

/* Every row of r, every column, in order. */
static void
rows_lines(const icx_rows *r, lines *out)
{
  size_t n = icx_rows_count(r), w = icx_rows_width(r), i, j;

  for (i = 0; i < n; i++) {
    char buf[4096] = "";
    for (j = 0; j < w; j++)
      append_cell(buf, sizeof buf, icx_rows_get(r, i, j));
    lines_add(out, buf);
  }
}

static icx_rows *
rasqal(const char *sparql)
{
  icx_rows *r = NULL;

  ck_assert_msg(icx_exec_select_path(store, sparql, ICX_EXEC_RASQAL, &r) == ICX_OK,
                "rasqal: %s\n%.1500s", icx_ctx_errmsg(ctx), sparql);
  return r;
}

/* --- the oracle for compiled queries with OPTIONALs ------------------------
 *
 * rasqal 0.9.33 (with Redland's own storages as with icx's) answers
 * OPTIONAL wrongly once the required part has more than one triple
 * pattern: "?s a StorageService . ?s storageAccess ?a . OPTIONAL { ?s
 * replicationFactor ?r }" gives 2980 rows where there are 134, binding ?r
 * to other services' values.  Basic graph patterns with FILTERs it answers
 * right.  So for a compiled query with OPTIONALs the oracle asks rasqal
 * only those: the required group, and each OPTIONAL's triple pattern with
 * its FILTER on its own; the left joins and the FILTER (!BOUND(...)) are
 * done here.  This reads the compiler's layout (icx_compile.c; the golden
 * files pin it). */

#define MAX_OPT 32
#define MAX_COLS 64

typedef struct opt {
  char subj[32], var[32];
  icx_rows *rows;             /* subj, var */
} opt;

typedef struct join {
  const icx_rows *inner;
  opt opts[MAX_OPT];
  size_t n_opts;
  char *select[MAX_COLS];     /* projected variables, without '?' */
  size_t n_select;
  char *unbound[MAX_OPT];     /* FILTER (!BOUND(?x)) */
  size_t n_unbound;
  const char *val[MAX_OPT];   /* the row being built: the OPTIONALs' values */
  lines *out;
} join;

/* The value of variable name in inner row i or among the OPTIONALs' values. */
static const char *
join_value(join *j, size_t i, const char *name, int *known)
{
  long c = icx_rows_column(j->inner, name);
  size_t k;

  *known = 1;
  if (c >= 0)
    return icx_rows_get(j->inner, i, (size_t)c);
  for (k = 0; k < j->n_opts; k++)
    if (!strcmp(j->opts[k].var + 1, name))
      return j->val[k];
  *known = 0;
  return NULL;
}

static void
join_expand(join *j, size_t i, size_t k)
{
  size_t m, n, found = 0;
  int known;

  if (k == j->n_opts) {
    char buf[4096] = "";
    for (m = 0; m < j->n_unbound; m++)
      if (join_value(j, i, j->unbound[m], &known))
        return;
    for (m = 0; m < j->n_select; m++)
      append_cell(buf, sizeof buf, join_value(j, i, j->select[m], &known));
    lines_add(j->out, buf);
    return;
  }
  n = icx_rows_count(j->opts[k].rows);
  for (m = 0; m < n; m++) {
    const char *subj = join_value(j, i, j->opts[k].subj + 1, &known);
    ck_assert_msg(known && subj, "OPTIONAL subject %s not bound by the required group",
                  j->opts[k].subj);
    if (strcmp(subj, icx_rows_get(j->opts[k].rows, m, 0)))
      continue;
    found = 1;
    j->val[k] = icx_rows_get(j->opts[k].rows, m, 1);
    join_expand(j, i, k + 1);
  }
  if (!found) {
    j->val[k] = NULL;
    join_expand(j, i, k + 1);
  }
}

static char *
dup_range(const char *from, const char *to)
{
  char *s = malloc((size_t)(to - from) + 1);

  ck_assert_ptr_nonnull(s);
  memcpy(s, from, (size_t)(to - from));
  s[to - from] = '\0';
  return s;
}

static void
oracle_compiled(const char *sparql, lines *out)
{
  join j;
  char *inner_q, *sel_end, *tok;
  const char *p, *open, *close;
  icx_rows *inner;
  size_t i, n;

  memset(&j, 0, sizeof j);
  j.out = out;
  /* SELECT ?name ?v0 ... */
  ck_assert(!strncmp(sparql, "SELECT ", 7));
  sel_end = strchr(sparql, '\n');
  tok = dup_range(sparql + 7, sel_end);
  for (p = strtok(tok, " "); p; p = strtok(NULL, " ")) {
    ck_assert(*p == '?' && j.n_select < MAX_COLS);
    j.select[j.n_select++] = strdup(p + 1);
  }
  free(tok);
  /* The required group. */
  open = strstr(sparql, "\n  {\n");
  close = strstr(sparql, "\n  }\n");
  ck_assert(open && close && open < close);
  tok = dup_range(open + 5, close + 1);
  inner_q = malloc(strlen(tok) + 32);
  sprintf(inner_q, "SELECT * WHERE {\n%s}\n", tok);
  free(tok);
  inner = rasqal(inner_q);
  free(inner_q);
  j.inner = inner;
  /* Each OPTIONAL, and the FILTER (!BOUND(...)) after them. */
  for (p = close + 5; *p; p = strchr(p, '\n') + 1) {
    const char *eol = strchr(p, '\n');
    ck_assert_ptr_nonnull(eol);
    if (!strncmp(p, "  OPTIONAL { ", 13)) {
      opt *o = &j.opts[j.n_opts++];
      char *body = dup_range(p + 13, eol - 2), *q;       /* drops the final " }" */
      ck_assert(j.n_opts <= MAX_OPT);
      ck_assert_int_eq(sscanf(body, "%31s %*s %31s", o->subj, o->var), 2);
      q = malloc(strlen(body) + 128);
      sprintf(q, "SELECT %s %s WHERE { %s }", o->subj, o->var, body);
      o->rows = rasqal(q);
      free(q);
      free(body);
    } else if (!strncmp(p, "  FILTER (!BOUND(?", 18)) {
      const char *e = strchr(p + 18, ')');
      ck_assert(e && j.n_unbound < MAX_OPT);
      j.unbound[j.n_unbound++] = dup_range(p + 18, e);
    } else {
      break;                /* "}" and ORDER BY */
    }
  }
  n = icx_rows_count(inner);
  for (i = 0; i < n; i++)
    join_expand(&j, i, 0);
  icx_rows_free(inner);
  for (i = 0; i < j.n_opts; i++)
    icx_rows_free(j.opts[i].rows);
  for (i = 0; i < j.n_select; i++)
    free(j.select[i]);
  for (i = 0; i < j.n_unbound; i++)
    free(j.unbound[i]);
}

/* --- comparing -------------------------------------------------------------- */

/* --- the ids path: what icx_match runs ---------------------------------------- */

typedef struct id_rows {
  icx_store *store;
  size_t width;
  lines *out;
} id_rows;

static icx_rc
id_row(void *userdata, const icx_id *ids)
{
  id_rows *r = userdata;
  char buf[4096] = "";
  size_t j;

  for (j = 0; j < r->width; j++) {
    char *text = NULL;
    if (ids[j])
      ck_assert_int_eq(icx_store_lex(r->store, &ids[j], 1, &text), ICX_OK);
    ck_assert_msg(!ids[j] || text, "term %lld has no text", (long long)ids[j]);
    append_cell(buf, sizeof buf, text);
    icx_free(icx_store_ctx(r->store), text);
  }
  lines_add(r->out, buf);
  return ICX_OK;
}

/* Statements the ids path ran with subject sets (icx_semi.h), and without. */
static int with_sets, without_sets;

/* Runs sparql as term ids, streamed (icx_sql_translate_ids, icx_sql_each),
 * names every cell, and compares with expected (in order when ordered). */
static void
check_ids(const char *sparql, lines *expected, int ordered)
{
  lines got = { 0 };
  id_rows r;
  icx_sql *q = NULL;
  const char *why = NULL;
  char *ta, *tb;

  r.store = store;
  r.out = &got;
  ck_assert(icx_sql_available(r.store));
  ck_assert_int_eq(icx_sql_translate_ids(ctx, r.store, sparql, &q, &why), ICX_OK);
  ck_assert_msg(q != NULL, "ids path refused: %s\n%s", why, sparql);
  {
    /* No text in the projection: it ends where FROM begins. */
    const char *from = strstr(icx_sql_text(q), " FROM ");
    const char *lex = strstr(icx_sql_text(q), "lex");
    ck_assert_ptr_nonnull(from);
    ck_assert_msg(!lex || lex > from, "%s", icx_sql_text(q));
  }
  r.width = icx_sql_width(q);
  if (strstr(icx_sql_text(q), "icx_in("))
    with_sets++;
  else
    without_sets++;
  ck_assert_int_eq(icx_sql_each(ctx, q, id_row, &r), ICX_OK);
  icx_sql_free(q);
  ta = lines_text(expected, ordered);
  tb = lines_text(&got, ordered);
  if (strcmp(ta, tb))
    fprintf(stderr, "ids path disagrees on\n%s\noracle:\n%s\nids:\n%s", sparql, ta, tb);
  ck_assert_msg(!strcmp(ta, tb), "ids path disagrees (%zu rows from the oracle, %zu) on\n"
                "%.1500s", expected->n, got.n, sparql);
  free(ta);
  free(tb);
  lines_free(&got);
}

/* Runs sparql on the SQL path; its rows must be the expected ones (in
 * order when ordered).  Returns the row count. */
static size_t
check_sql(const char *sparql, lines *expected, int ordered)
{
  icx_rows *b = NULL;
  lines got = { 0 };
  char *ta, *tb;
  size_t n;

  ck_assert_msg(icx_exec_select_path(store, sparql, ICX_EXEC_SQL, &b) == ICX_OK,
                "SQL path refused: %s\n%s", icx_ctx_errmsg(ctx), sparql);
  ck_assert_str_eq(icx_rows_path(b), "sql");
  if (getenv("ICX_DIFF_VERBOSE"))
    fprintf(stderr, "--- %zu rows on SQL:\n%s\n", icx_rows_count(b), sparql);
  rows_lines(b, &got);
  ta = lines_text(expected, ordered);
  tb = lines_text(&got, ordered);
  if (strcmp(ta, tb))      /* in full here: Check cuts long messages */
    fprintf(stderr, "paths disagree on\n%s\noracle:\n%s\nsql:\n%s", sparql, ta, tb);
  ck_assert_msg(!strcmp(ta, tb), "paths disagree (%zu rows from the oracle, %zu on SQL) on\n"
                "%.1500s", expected->n, got.n, sparql);
  n = got.n;
  free(ta);
  free(tb);
  lines_free(&got);
  icx_rows_free(b);
  check_ids(sparql, expected, ordered);
  return n;
}

/* --- matching: icx_match_run against the oracle's rows, scored here -------- */

/* A cloud as the oracle ranks it. */
/* Names check_match() looks for in a counted answer: gen000 .. and one
 * that no cloud has. */
#define LOOK_NAMES 100
/* ... and how many of its first names by name it asks for. */
#define LOOK_FIRST 4

typedef struct want {
  char name[64];
  int score, narrower;
} want;

static int
cmp_want(const void *a, const void *b)
{
  const want *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* Cell j of a line "a|b|...|" into buf; 0 when "(unbound)". */
static int
line_cell(const char *line, size_t j, char *buf, size_t n)
{
  size_t len;

  while (j--)
    line = strchr(line, '|') + 1;
  len = strcspn(line, "|");
  snprintf(buf, n, "%.*s", (int)len, line);
  return strcmp(buf, "(unbound)") != 0;
}

/* What icx_match promises, worked out from the oracle's rows: each row is
 * scored (weights of the soft constraints met) and graded (a value other
 * than the individuals asked is narrower); each name keeps its best row
 * (score, then fewest narrower); names by score, then name. */
static void
check_match(const icx_constraints *set, const char *sparql, const lines *rows)
{
  size_t n_c = icx_constraints_count(set), i, c, k, n = 0, vars = 0;
  want *w = calloc(rows->n + 1, sizeof *w);
  char select[64][32], *line0, *tok;
  int path;

  ck_assert_ptr_nonnull(w);
  line0 = dup_range(sparql + 7, strchr(sparql, '\n'));
  for (tok = strtok(line0, " "); tok && vars < 64; tok = strtok(NULL, " "))
    snprintf(select[vars++], sizeof select[0], "%s", tok + 1);
  free(line0);
  for (i = 0; i < rows->n; i++) {
    want r;
    size_t k2;
    memset(&r, 0, sizeof r);
    if (!line_cell(rows->v[i], 0, r.name, sizeof r.name))
      continue;
    for (c = 0; c < n_c; c++) {
      icx_op op = icx_constraint_op(set, c);
      size_t parts = op == ICX_OP_ALL_OF ? icx_constraint_value_count(set, c) : 1;
      int bound = 1, narrower = 0, met;
      for (k = 0; k < parts; k++) {
        char var[48], val[512];
        size_t j;
        icx_compile_var_name(var, sizeof var, c, op == ICX_OP_ALL_OF ? k : (size_t)-1);
        for (j = 0; j < vars && strcmp(select[j], var); j++)
          ;
        if (j == vars || !line_cell(rows->v[i], j, val, sizeof val)) {
          bound = 0;
          continue;
        }
        if (icx_constraint_individual_at(set, c, 0) && !icx_op_is_negative(op)) {
          int asked = 0;
          for (k2 = 0; k2 < icx_constraint_value_count(set, c); k2++)
            asked |= !strcmp(icx_constraint_value_at(set, c, k2), val);
          narrower |= !asked;
        }
      }
      met = icx_op_is_negative(op) ? !bound : bound;
      if (met && narrower)
        r.narrower++;
      if (met && !icx_constraint_required(set, c))
        r.score += icx_constraint_weight(set, c);
    }
    for (k = 0; k < n && strcmp(w[k].name, r.name); k++)
      ;
    if (k == n)
      w[n++] = r;
    else if (r.score > w[k].score || (r.score == w[k].score && r.narrower < w[k].narrower))
      w[k] = r;
  }
  qsort(w, n, sizeof *w, cmp_want);
  {
    /* Counted on the index, no answer made (what explain uses), and
     * which names are among the clouds: every generated one, and one
     * no cloud has. */
    char names[LOOK_NAMES][16];
    const char *look_names[LOOK_NAMES];
    unsigned char has[LOOK_NAMES];
    char *first[LOOK_FIRST];
    icx_match_lookfor look = { look_names, LOOK_NAMES, has, LOOK_FIRST, first };
    const char *sorted[LOOK_FIRST + 1];
    size_t counted = 0, j, n_sorted = 0;
    for (j = 0; j < LOOK_NAMES; j++) {
      snprintf(names[j], sizeof names[j], j + 1 < LOOK_NAMES ? "gen%03zu" : "none", j);
      look_names[j] = names[j];
    }
    ck_assert_msg(icx_match_count_run(ctx, store, set, &counted, &look) == ICX_OK, "count: %s",
                  icx_ctx_errmsg(ctx));
    ck_assert_msg(counted == n, "counted %zu clouds, the oracle %zu\n%s", counted, n, sparql);
    for (j = 0; j < LOOK_NAMES; j++) {
      for (k = 0; k < n && strcmp(w[k].name, names[j]); k++)
        ;
      ck_assert_msg(has[j] == (k < n), "%s is%s among the counted clouds, the oracle says%s\n%s",
                    names[j], has[j] ? "" : " not", k < n ? " it is" : " not", sparql);
    }
    /* ... and its first names by name: the oracle's smallest. */
    for (k = 0; k < n; k++) {
      for (j = n_sorted; j > 0 && strcmp(sorted[j - 1], w[k].name) > 0; j--)
        if (j < LOOK_FIRST)
          sorted[j] = sorted[j - 1];
      if (j < LOOK_FIRST)
        sorted[j] = w[k].name;
      if (n_sorted < LOOK_FIRST)
        n_sorted++;
    }
    for (j = 0; j < LOOK_FIRST; j++) {
      ck_assert_msg(j < n_sorted ? first[j] && !strcmp(first[j], sorted[j]) : !first[j],
                    "first name %zu: %s, the oracle's %s\n%s", j, first[j] ? first[j] : "none",
                    j < n_sorted ? sorted[j] : "none", sparql);
      icx_free(ctx, first[j]);
    }
  }
  for (path = ICX_MATCH_PATH_INDEX; path <= ICX_MATCH_PATH_SQL; path++) {
    icx_match *m = NULL;
    const char *pname = path == ICX_MATCH_PATH_INDEX ? "index" : "SQL";
    ck_assert_msg(icx_match_run_path(ctx, store, set, path, &m) == ICX_OK, "%s path: %s", pname,
                  icx_ctx_errmsg(ctx));
    ck_assert_int_eq(icx_match_answered_by(m), path);
    if (path == ICX_MATCH_PATH_INDEX)
      by_index++;
    else
      by_sql++;
    ck_assert_msg(icx_match_count(m) == n, "%s path: %zu clouds, the oracle %zu\n%s", pname,
                  icx_match_count(m), n, sparql);
    for (i = 0; i < n; i++) {
      ck_assert_msg(!strcmp(icx_match_cloud(m, i), w[i].name),
                    "%s path, match %zu: %s, the oracle %s\n%s", pname, i,
                    icx_match_cloud(m, i), w[i].name, sparql);
      ck_assert_msg(icx_match_score(m, i) == w[i].score, "%s path, %s: score %d, the oracle %d\n%s",
                    pname, w[i].name, icx_match_score(m, i), w[i].score, sparql);
      ck_assert_msg(icx_match_degree(m, i) ==
                    (w[i].narrower ? ICX_DEGREE_NARROWER : ICX_DEGREE_EXACT),
                    "%s path, %s: degree %s\n%s", pname, w[i].name,
                    icx_degree_name(icx_match_degree(m, i)), sparql);
      /* Per constraint: met or not is the same on every row a cloud
       * keeps; and a cloud with no narrower value has every constraint
       * met exactly (which row it kept cannot change that). */
      for (c = 0; c < n_c; c++) {
        icx_degree d = icx_match_constraint_degree(m, i, c);
        if (icx_constraint_required(set, c))
          ck_assert_msg(d != ICX_DEGREE_NONE, "%s path, %s: required constraint %zu unmet",
                        pname, w[i].name, c);
        if (!w[i].narrower)
          ck_assert_msg(d != ICX_DEGREE_NARROWER, "%s path, %s: constraint %zu narrower",
                        pname, w[i].name, c);
      }
    }
    icx_match_free(m);
  }
  free(w);
}

/* A query the compiler wrote: rasqal is the oracle, with OPTIONALs
 * decomposed (oracle_compiled); with set, icx_match_run too. */
static size_t
check_compiled(const char *sparql, const icx_constraints *set)
{
  lines expected = { 0 };
  size_t n;

  if (strstr(sparql, "OPTIONAL")) {
    oracle_compiled(sparql, &expected);
  } else {
    icx_rows *a = rasqal(sparql);
    rows_lines(a, &expected);
    icx_rows_free(a);
  }
  n = check_sql(sparql, &expected, 0);
  if (set)
    check_match(set, sparql, &expected);
  lines_free(&expected);
  return n;
}

/* A hand-written query, against rasqal on oracle_q: the same query without
 * DISTINCT, LIMIT and OFFSET (rasqal 0.9.33 leaks the rows of every
 * DISTINCT query), whose rows are made distinct and cut here. */
static size_t
check_hand(const char *sparql, const char *oracle_q, int distinct, size_t offset,
           size_t limit, int ordered)
{
  icx_rows *a = rasqal(oracle_q);
  lines all = { 0 }, expected = { 0 };
  size_t i, k, kept = 0, n;

  rows_lines(a, &all);
  icx_rows_free(a);
  for (i = 0; i < all.n; i++) {
    int dup = 0;
    for (k = 0; distinct && k < i && !dup; k++)
      dup = !strcmp(all.v[k], all.v[i]);
    if (dup)
      continue;
    if (kept++ < offset)
      continue;
    if (expected.n < limit)
      lines_add(&expected, all.v[i]);
  }
  n = check_sql(sparql, &expected, ordered);
  lines_free(&all);
  lines_free(&expected);
  return n;
}

/* Runs cases random constraint sets through check_compiled(): counts the
 * non-empty and empty answers. */
static void
random_cases(int cases, int *nonempty_out, int *empty_out)
{
  static const char *const attrs[] = { "availability", "replicationFactor", "tierCountry",
                                       "replicationMethod", "storageAccess", "latency",
                                       "certification" };
  static const char *const latencies[] = { "30", "60", "80", "90", "140", "180", "200", "250" };
  static const char *const dist_ops[] = { "atMost", "less", "atLeast", "greater" };
  static const char *const country_names[] = { "Japan", "US", "Germany", "France", "SG",
                                               "Korea, Republic of", "Brazil", "Italy" };
  static const char *const method_names[] = { "AMQP", "AMQP 1.0", "AMQP 0-9-1", "XMPP",
                                              "rsync", "HTTP", "DRBD" };
  static const char *const cert_names[] = { "ISO/IEC 27001", "SOC 2", "SOC 2 Type I",
                                            "SOC 2 Type II", "SOC1" };
  static const char *const access_names[] = { "NFS", "NFSv3", "NFSv4", "NFSv4.1", "SMB", "CIFS",
                                              "iSCSI", "S3", "WebDAV" };
  int c, nonempty = 0, empty = 0;

  for (c = 0; c < cases; c++) {
    icx_constraints *set = icx_constraints_new(vocab);
    char *sparql = NULL, value[32], value2[32];
    int k, n = 1 + (int)rnd(4);
    for (k = 0; k < n; k++) {
      int a = (int)rnd(N(attrs)), numeric = a < 2;
      const char *vals[2] = { value, value2 };
      size_t nv = 1;
      const char *op = NULL;
      int required = rnd(4) != 0, weight = required ? 0 : (int)rnd(201) - 100;
      if (a == 5) {   /* a distance: an exact IN list of the places within it */
        const char *from = country_names[rnd(N(country_names))];
        const char *lat = latencies[rnd(N(latencies))], *unit = NULL;
        char secs[32];
        op = rnd(2) ? dist_ops[rnd(N(dist_ops))] : NULL;
        if (rnd(3) == 0) {      /* the same bound in seconds: converted to ms */
          snprintf(secs, sizeof secs, "%g", strtod(lat, NULL) / 1000);
          lat = secs;
          unit = "s";
        }
        ck_assert_msg(icx_constraints_add_distance(ctx, set, "latency", op, lat, unit, from,
                                                   required, weight) == ICX_OK,
                      "%s", icx_ctx_errmsg(ctx));
        continue;
      }
      switch (a) {
      case 0: snprintf(value, sizeof value, "%s", AVAIL[rnd(N(AVAIL))]); break;
      case 1: snprintf(value, sizeof value, "%u", rnd(10)); break;
      case 2: vals[0] = country_names[rnd(N(country_names))];
              vals[1] = country_names[rnd(N(country_names))]; break;
      case 3: vals[0] = method_names[rnd(N(method_names))];
              vals[1] = method_names[rnd(N(method_names))]; break;
      case 6: vals[0] = cert_names[rnd(N(cert_names))];     /* the cloud's own */
              vals[1] = cert_names[rnd(N(cert_names))]; break;
      default: vals[0] = access_names[rnd(N(access_names))];
               vals[1] = access_names[rnd(N(access_names))]; break;
      }
      snprintf(value2, sizeof value2, "%u", rnd(10));
      if (a == 0)
        snprintf(value2, sizeof value2, "%s", AVAIL[rnd(N(AVAIL))]);
      if (rnd(2)) {
        static const char *const num_ops[] = { "atLeast", "atMost", "greater", "less", "equal",
                                               "notEqual", "anyOf", "noneOf", "exists", "absent" };
        static const char *const ind_ops[] = { "equal", "notEqual", "anyOf", "allOf", "noneOf",
                                               "exists", "absent" };
        op = numeric ? num_ops[rnd(N(num_ops))] : ind_ops[rnd(N(ind_ops))];
        if (!strcmp(op, "exists") || !strcmp(op, "absent"))
          nv = 0;
        else if (!strcmp(op, "anyOf") || !strcmp(op, "allOf") || !strcmp(op, "noneOf"))
          nv = 1 + rnd(2);
      }
      if (a == 0 && rnd(3) == 0) {
        /* Availability as a ratio (unit "1"): icx converts it to percent. */
        static const char *const ones[2] = { "1", "1" };
        snprintf(value, sizeof value, "%g", strtod(value, NULL) / 100);
        snprintf(value2, sizeof value2, "%g", strtod(value2, NULL) / 100);
        ck_assert_msg(icx_constraints_add_units(ctx, set, attrs[a], op, vals, ones, nv, required,
                                                weight) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
        continue;
      }
      ck_assert_msg(icx_constraints_add_op(ctx, set, attrs[a], op, vals, nv, required, weight)
                    == ICX_OK, "%s", icx_ctx_errmsg(ctx));
    }
    ck_assert_int_eq(icx_compile_sparql(ctx, set, &sparql), ICX_OK);
    if (check_compiled(sparql, set))
      nonempty++;
    else
      empty++;
    icx_free(ctx, sparql);
    icx_constraints_free(set);
  }
  *nonempty_out = nonempty;
  *empty_out = empty;
}

START_TEST(random_constraint_sets)
{
  const char *env = getenv("ICX_DIFF_CASES");
  int cases = env && *env ? atoi(env) : DEFAULT_CASES, nonempty = 0, empty = 0;

  random_cases(cases, &nonempty, &empty);
  /* The generator must exercise both outcomes, or the comparison says little. */
  ck_assert_msg(nonempty > cases / 10 && empty > cases / 10, "%d non-empty, %d empty answers",
                nonempty, empty);
  /* ... and the ids path with and without subject sets. */
  ck_assert_msg(with_sets > cases / 10 && without_sets > cases / 10,
                "%d statements with subject sets, %d without", with_sets, without_sets);
  /* ... and every set matched on the index and on SQL. */
  ck_assert_int_eq(by_index, cases);
  ck_assert_int_eq(by_sql, cases);
}
END_TEST

/* Loads generated clouds first .. first+clouds-1 as document name through
 * handle into. */
static void
load_generated(icx_store *into, const char *name, int first, int clouds)
{
  icx_loader *l = icx_loader_new(ctx, vocab, into);
  char *doc = generate(first, clouds);

  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  ck_assert_msg(icx_loader_load_buffer(l, name, (const unsigned char *)doc, strlen(doc)) ==
                ICX_OK, "%s", icx_ctx_errmsg(ctx));
  free(doc);
  icx_loader_free(l);
}

START_TEST(random_sets_after_changes)
{
  /* The index kept across documents replaced, added and removed (through
   * this handle and another, as another process would), the changes
   * applied from the store's change log: every answer is still the SQL
   * path's and rasqal's. */
  const char *env = getenv("ICX_DIFF_CASES");
  int cases = (env && *env ? atoi(env) : DEFAULT_CASES) / 6 + 1, step, nonempty = 0, empty = 0;
  int all_nonempty = 0, all_empty = 0;
  char *db = tu_path(dir, "store.db");
  icx_store *other = NULL;
  icx_index_stats st;

  ck_assert_int_eq(icx_store_open(ctx, db, 0, &other), ICX_OK);
  random_cases(cases, &nonempty, &empty);         /* the index read */
  for (step = 0; step < 5; step++) {
    switch (step) {
    case 0: load_generated(store, "gen-b", 80, 30); break;     /* replaced, fewer clouds */
    case 1: load_generated(other, "gen-c", 120, 12); break;    /* a new one, elsewhere */
    case 2: ck_assert_int_eq(icx_store_remove_document(other, "urn:icx:doc:gen-a"), ICX_OK);
            break;
    case 3: load_generated(store, "gen-a", 0, 50); break;      /* back, other content */
    default: load_generated(other, "gen-c", 120, 20); break;   /* replaced, more clouds */
    }
    random_cases(cases, &nonempty, &empty);
    all_nonempty += nonempty;
    all_empty += empty;
  }
  ck_assert_msg(all_nonempty > 0 && all_empty > 0, "%d non-empty, %d empty answers",
                all_nonempty, all_empty);
  icx_index_get_stats(icx_store_attached(store), &st);
  ck_assert_uint_eq(st.refreshes, 0);
  ck_assert_uint_eq(st.applies, 5);
  icx_store_free(other);
  free(db);
}
END_TEST

#define RES "PREFIX res: <http://www.csp/resOntology#>\n"

START_TEST(hand_written_shapes)
{
  /* Single-pattern required parts: rasqal answers their OPTIONALs right. */
  static const char *const unordered[] = {
    /* OPTIONAL + !BOUND: services without any NFS-family access */
    RES "SELECT ?name ?s WHERE { ?c res:cloudName ?name ; res:offers ?s .\n"
    "  OPTIONAL { ?s res:storageAccess ?a . FILTER(?a IN (res:NFS, res:NFSv3, res:NFSv4, res:NFSv4_1)) }\n"
    "  FILTER(!BOUND(?a)) }",
    RES "SELECT ?c WHERE { ?c res:cloudName ?n . FILTER(STR(?n) = \"gen007\" || ?n = \"gen011\") }",
    RES "SELECT ?s ?v WHERE { ?s res:availability ?v . FILTER(?v IN (99.9, 100, 99.999)) }",
    RES "SELECT ?s WHERE { ?s res:tierCountry res:JP ; res:tierCountry res:US . }",
    RES "SELECT ?s WHERE { ?s res:tierCountry res:Atlantis . }",
    RES "SELECT ?s ?x WHERE { ?s res:replicationFactor 7 . OPTIONAL { ?s res:availability ?x } }",
    RES "SELECT * WHERE { ?c res:cloudName ?n . FILTER(?n != \"gen001\" && !(?n = \"gen002\")) }",
  };
  size_t i;

  for (i = 0; i < N(unordered); i++)
    check_hand(unordered[i], unordered[i], 0, 0, (size_t)-1, 0);
  check_hand(RES "SELECT DISTINCT ?name WHERE { ?c res:cloudName ?name ; res:offers ?s . "
             "?s res:replicationFactor ?r .\n  FILTER(?r != 5 && (?r < 3 || ?r >= 8)) }",
             RES "SELECT ?name WHERE { ?c res:cloudName ?name ; res:offers ?s . "
             "?s res:replicationFactor ?r .\n  FILTER(?r != 5 && (?r < 3 || ?r >= 8)) }",
             1, 0, (size_t)-1, 0);
  ck_assert_uint_eq(
    check_hand(RES "SELECT DISTINCT ?name ?r WHERE { ?c res:cloudName ?name ; res:offers ?s . "
               "?s res:replicationFactor ?r }\nORDER BY DESC(?r) ?name LIMIT 25 OFFSET 3",
               RES "SELECT ?name ?r WHERE { ?c res:cloudName ?name ; res:offers ?s . "
               "?s res:replicationFactor ?r }\nORDER BY DESC(?r) ?name", 1, 3, 25, 1), 25);
  ck_assert_uint_eq(
    check_hand(RES "SELECT ?name WHERE { ?c res:cloudName ?name } ORDER BY ?name LIMIT 10",
               RES "SELECT ?name WHERE { ?c res:cloudName ?name } ORDER BY ?name", 0, 0, 10, 1),
    10);
}
END_TEST

START_TEST(outside_the_subset_falls_back)
{
  icx_rows *r = NULL;
  static const char *q =
    "PREFIX res: <http://www.csp/resOntology#>\n"
    "SELECT ?n WHERE { { ?c res:cloudName ?n } UNION { ?c res:cloudName ?n } }";

  ck_assert_int_eq(icx_exec_select_path(store, q, ICX_EXEC_SQL, &r), ICX_ERR_QUERY);
  ck_assert_ptr_nonnull(strstr(icx_ctx_errmsg(ctx), "UNION"));
  ck_assert_int_eq(icx_exec_select(store, q, &r), ICX_OK);
  ck_assert_str_eq(icx_rows_path(r), "rasqal");
  ck_assert_int_eq(icx_rows_count(r), 240);
  icx_rows_free(r);
  ck_assert_int_eq(icx_exec_select(store, "SELECT nonsense {", &r), ICX_ERR_QUERY);
}
END_TEST

static Suite *
differential_suite(void)
{
  Suite *s = suite_create("differential");
  TCase *tc = tcase_create("sql-vs-rasqal");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, random_constraint_sets);
  tcase_add_test(tc, random_sets_after_changes);
  tcase_add_test(tc, hand_written_shapes);
  tcase_add_test(tc, outside_the_subset_falls_back);
  suite_add_tcase(s, tc);
  return s;
}

int
main(void)
{
  return tu_run(differential_suite());
}

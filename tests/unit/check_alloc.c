/* check_alloc.c - allocation failures along the paper's path: the context's
 * allocator (icx_ctx_new_mem()) refuses the Nth allocation, for every N
 * from 1 to the count a successful run takes, in each step: vocabulary
 * load, constraint parse, compile, match (with its plan cached, and with
 * the plan cache emptied first, so that compiling, planning and keeping
 * the plan are refused too), explain, loading a small
 * document into a store that holds the paper's clouds, and the match
 * after such a load (the change applied to the matching index).  Each run ends in
 * ICX_ERR_NOMEM (or success when the refused block was optional), every
 * block of the allocator is back when the run's objects are freed, and a
 * failed load leaves the store as it was.  Leaks of other memory are
 * LeakSanitizer's to find (the sanitizer build). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "icx_plan_cache.h"

#if defined(__has_include)
#if __has_include(<sanitizer/lsan_interface.h>) && defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define ALLOC_LSAN 1
#endif
#endif

/* The most allocations a step may take before the suite calls it a
 * runaway rather than stepping through every one. */
#define ALLOC_MAX_STEPS 200000UL

static const char extra_ttl[] =
  "@prefix res: <" TU_RES "> .\n"
  "@prefix ex: <" TU_EX "> .\n"
  "ex:extra a res:Cloud ; res:cloudName \"extra\" ; res:offers ex:extra_s .\n"
  "ex:extra_s a res:StorageService ; res:availability 99.9999 ; res:replicationFactor 5 ;\n"
  "  res:storageAccess res:NFS .\n";

static tu_mem mem;

static double
now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static icx_ctx *ctx;
static char *paper;

static void
setup(void)
{
  char *path = tu_path(tu_srcdir(), "data/constraints/paper.xml");

  memset(&mem, 0, sizeof mem);
  ctx = tu_ctx_mem(&mem);
  paper = tu_read(path, NULL);
  ck_assert_ptr_nonnull(paper);
  free(path);
}

static void
teardown(void)
{
  icx_ctx_free(ctx);
  ck_assert_int_eq(mem.live, 0);
  free(paper);
}

/* Arms the allocator to refuse the n-th allocation from now. */
static void
arm(unsigned long n)
{
  mem.count = 0;
  mem.failed = 0;
  mem.fail_at = n;
  mem.armed = 1;
}

static void
disarm(void)
{
  mem.armed = 0;
}

/* After a run that refused its n-th allocation: rc is ICX_ERR_NOMEM with
 * a message, or ICX_OK (a refused block the call could do without).
 * Returns 1 while the run reached its n-th allocation (so n + 1 is worth
 * trying), 0 once n passed the run's count. */
static int
check_run(const char *step, unsigned long n, icx_rc rc)
{
  if (n % 500 == 0)
    fprintf(stderr, "%s: %lu\n", step, n);
  if (mem.count < n) {
    ck_assert_msg(rc == ICX_OK, "%s: a run with no refusal failed: %s", step, icx_ctx_errmsg(ctx));
    return 0;
  }
  ck_assert_msg(rc == ICX_OK || rc == ICX_ERR_NOMEM,
                "%s: allocation %lu refused: code %d (%s), not ICX_ERR_NOMEM", step, n, (int)rc,
                icx_ctx_errmsg(ctx));
  if (rc != ICX_OK)
    ck_assert_msg(icx_ctx_errmsg(ctx)[0] != '\0', "%s: allocation %lu: no message", step, n);
  ck_assert_msg(n < ALLOC_MAX_STEPS, "%s: more than %lu allocations", step, ALLOC_MAX_STEPS);
  return 1;
}

/* The blocks live before a run must be the blocks live after it, once
 * what it made is freed. */
static void
check_live(const char *step, unsigned long n, long before)
{
  ck_assert_msg(mem.live == before, "%s: allocation %lu refused: %ld blocks leaked", step, n,
                mem.live - before);
#ifdef ALLOC_LSAN
  /* ICX_ALLOC_LEAKCHECK=1: LeakSanitizer after every run, to name the N
   * of a leak of the libraries' memory (slow; the whole run is checked at
   * exit in any case). */
  if (getenv("ICX_ALLOC_LEAKCHECK") && __lsan_do_recoverable_leak_check())
    ck_abort_msg("%s: allocation %lu refused: LeakSanitizer found a leak", step, n);
#endif
}

/* One step refused each of its allocations in turn: run() makes the
 * step's call once (the allocator armed around it), settle() checks and
 * frees what it made (the allocator unarmed).  The blocks live before the
 * first run must be live after each.  Returns the step's allocation
 * count. */
typedef icx_rc (*step_run_fn)(void *userdata);
typedef void (*step_settle_fn)(void *userdata, icx_rc rc);

static unsigned long
refuse_in_turn(const char *step, step_run_fn run, step_settle_fn settle, void *userdata)
{
  long before = mem.live;
  unsigned long n;

  for (n = 1;; n++) {
    icx_rc rc;
    int more;
    arm(n);
    rc = run(userdata);
    disarm();
    more = check_run(step, n, rc);
    settle(userdata, rc);
    check_live(step, n, before);
    if (!more)
      break;
  }
  printf("%s: %lu allocations, each refused in turn\n", step, n - 1);
  return n - 1;
}

static icx_vocab *
load_vocab(void)
{
  icx_vocab *v = NULL;

  ck_assert_int_eq(icx_vocab_load(ctx, tu_ontology(), &v), ICX_OK);
  return v;
}

static icx_constraints *
parse_paper(const icx_vocab *v)
{
  icx_constraints *set = NULL;

  ck_assert_msg(icx_constraints_parse(ctx, v, paper, strlen(paper), &set) == ICX_OK, "%s",
                icx_ctx_errmsg(ctx));
  return set;
}

START_TEST(vocabulary_load)
{
  unsigned long n, total, step = 1, runs = 0;
  long before = mem.live;
  double t0 = now_s(), each;

  {
    icx_vocab *v = NULL;
    arm(0);
    ck_assert_int_eq(icx_vocab_load(ctx, tu_ontology(), &v), ICX_OK);
    disarm();
    icx_vocab_free(v);
  }
  total = mem.count;
  each = now_s() - t0;
  /* The one step where every N cannot be tried in a suite: the shipped
   * ontology takes some 12,800 allocations, and a load about 1 s (10 s
   * under the sanitizers), so every N would take hours.  Unless
   * ICX_ALLOC_ALL is set, the suite refuses the first 8 and the last 4
   * allocations and every (total / 16)th between, and says so. */
  if (!getenv("ICX_ALLOC_ALL") && total > 32)
    step = total / 16;
  fprintf(stderr, "vocabulary load: %lu allocations, %.2f s a run; refusing %s\n", total, each,
          step == 1 ? "every one" : "1-8, the last 4, and every (count / 16)th between "
          "(ICX_ALLOC_ALL=1: every one)");
  for (n = 1;; n++) {
    icx_vocab *v = NULL;
    icx_rc rc;
    int more;
    if (step > 1 && n > 8 && n + 4 <= total && (n - 8) % step)
      continue;
    arm(n);
    rc = icx_vocab_load(ctx, tu_ontology(), &v);
    disarm();
    runs++;
    more = check_run("vocabulary load", n, rc);
    ck_assert(rc == ICX_OK ? v != NULL : v == NULL);
    icx_vocab_free(v);
    check_live("vocabulary load", n, before);
    if (!more)
      break;
  }
  printf("vocabulary load: %lu allocations, %lu of them refused in turn\n", n - 1, runs - 1);
}
END_TEST

struct parse_step {
  const icx_vocab *vocab;
  icx_constraints *set;
};

static icx_rc
parse_run(void *userdata)
{
  struct parse_step *p = userdata;

  p->set = NULL;
  return icx_constraints_parse(ctx, p->vocab, paper, strlen(paper), &p->set);
}

static void
parse_settle(void *userdata, icx_rc rc)
{
  struct parse_step *p = userdata;

  if (rc == ICX_OK)
    ck_assert_int_eq(icx_constraints_count(p->set), 5);
  else
    ck_assert_ptr_null(p->set);
  icx_constraints_free(p->set);
}

START_TEST(constraint_parse)
{
  struct parse_step p = { load_vocab(), NULL };

  refuse_in_turn("constraint parse", parse_run, parse_settle, &p);
  icx_vocab_free((icx_vocab *)p.vocab);
}
END_TEST

struct compile_step {
  const icx_constraints *set;
  const char *want;
  char *sparql;
};

static icx_rc
compile_run(void *userdata)
{
  struct compile_step *c = userdata;

  c->sparql = NULL;
  return icx_compile_sparql(ctx, c->set, &c->sparql);
}

static void
compile_settle(void *userdata, icx_rc rc)
{
  struct compile_step *c = userdata;

  if (rc == ICX_OK)
    ck_assert_str_eq(c->sparql, c->want);
  else
    ck_assert_ptr_null(c->sparql);
  icx_free(ctx, c->sparql);
}

START_TEST(compile)
{
  icx_vocab *v = load_vocab();
  icx_constraints *set = parse_paper(v);
  char *want = NULL;
  struct compile_step c = { set, NULL, NULL };

  ck_assert_int_eq(icx_compile_sparql(ctx, set, &want), ICX_OK);
  c.want = want;
  refuse_in_turn("compile", compile_run, compile_settle, &c);
  icx_free(ctx, want);
  icx_constraints_free(set);
  icx_vocab_free(v);
}
END_TEST

/* A folder with a store holding the paper's clouds, on ctx. */
static void
open_shipped(tu_world *w)
{
  char *data = tu_path(tu_srcdir(), "data/clouds");

  tu_world_open(w);
  icx_ctx_free(w->ctx);
  w->ctx = ctx;
  tu_world_load(w, tu_ontology(), data);
  free(data);
}

static void
close_shipped(tu_world *w)
{
  w->ctx = NULL;               /* ctx is the teardown's to free */
  tu_world_close(w);
}

/* The names of a match, joined by spaces, as a new string (free()). */
static char *
match_names(const icx_match *m)
{
  char buf[1024] = "";
  size_t i;

  for (i = 0; i < icx_match_count(m); i++) {
    if (i)
      strncat(buf, " ", sizeof buf - strlen(buf) - 1);
    strncat(buf, icx_match_cloud(m, i), sizeof buf - strlen(buf) - 1);
  }
  return strdup(buf);
}

static char *
match_paper(tu_world *w, const icx_constraints *set)
{
  icx_match *m = NULL;
  char *names;

  ck_assert_msg(icx_match_run(ctx, w->store, set, &m) == ICX_OK, "%s", icx_ctx_errmsg(ctx));
  names = match_names(m);
  icx_match_free(m);
  return names;
}

/* A match (or an explanation) of set, whose answer must be want. */
struct match_step {
  tu_world *w;
  const icx_constraints *set;
  const char *want;
  int uncached;                 /* empties the plan cache after each run */
  icx_match *m;
  const char *const *who;       /* explain: the clouds named */
  size_t n_who;
  icx_explain *e;
};

static icx_rc
match_run(void *userdata)
{
  struct match_step *s = userdata;

  s->m = NULL;
  return icx_match_run(ctx, s->w->store, s->set, &s->m);
}

static void
match_settle(void *userdata, icx_rc rc)
{
  struct match_step *s = userdata;

  if (rc == ICX_OK) {
    char *got = match_names(s->m);
    ck_assert_str_eq(got, s->want);
    free(got);
  } else {
    ck_assert_ptr_null(s->m);
  }
  icx_match_free(s->m);
  if (s->uncached)
    icx_plan_cache_clear(ctx);
}

START_TEST(match)
{
  tu_world w;
  icx_constraints *set;
  char *want;

  open_shipped(&w);
  set = parse_paper(w.vocab);
  want = match_paper(&w, set);
  ck_assert_str_eq(want, "cloud2 cloud5");
  {
    struct match_step s = { &w, set, want, 0, NULL, NULL, 0, NULL };
    refuse_in_turn("match", match_run, match_settle, &s);
  }
  free(want);
  icx_constraints_free(set);
  close_shipped(&w);
}
END_TEST

/* The same with the plan cache emptied before each run: the compile, the
 * plan and the cache's entry are on the refused path too.  A failed run
 * keeps nothing in the cache. */
START_TEST(match_uncached)
{
  tu_world w;
  icx_constraints *set;
  char *want;

  open_shipped(&w);
  set = parse_paper(w.vocab);
  want = match_paper(&w, set);
  icx_plan_cache_clear(ctx);
  {
    struct match_step s = { &w, set, want, 1, NULL, NULL, 0, NULL };
    refuse_in_turn("match, plan cache emptied", match_run, match_settle, &s);
  }
  free(want);
  icx_constraints_free(set);
  close_shipped(&w);
}
END_TEST

static icx_rc
explain_run(void *userdata)
{
  struct match_step *s = userdata;

  s->e = NULL;
  return icx_explain_run(ctx, s->w->store, s->set, s->who, s->n_who, &s->e);
}

static void
explain_settle(void *userdata, icx_rc rc)
{
  struct match_step *s = userdata;

  if (rc == ICX_OK) {
    char *got = icx_explain_to_text(s->e);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, s->want);
    icx_free(ctx, got);
  } else {
    ck_assert_ptr_null(s->e);
  }
  icx_explain_free(s->e);
}

START_TEST(explain)
{
  static const char *const who[] = { "cloud1", "cloud2", "nosuch" };
  tu_world w;
  icx_constraints *set;
  icx_explain *e = NULL;
  int round;

  open_shipped(&w);
  set = parse_paper(w.vocab);
  /* The paper's request, then with a constraint no cloud meets: nothing
   * matches, and the relaxations are searched and counted too. */
  for (round = 0; round < 2; round++) {
    struct match_step s = { &w, set, NULL, 0, NULL, who, 3, NULL };
    char *want;
    if (round)
      ck_assert_int_eq(icx_constraints_add(ctx, set, "replicationFactor", "40"), ICX_OK);
    ck_assert_int_eq(icx_explain_run(ctx, w.store, set, who, 3, &e), ICX_OK);
    ck_assert_int_eq(icx_explain_relaxation_count(e) > 0, round);
    ck_assert_ptr_nonnull(want = icx_explain_to_text(e));
    icx_explain_free(e);
    s.want = want;
    refuse_in_turn(round ? "explain (nothing matches)" : "explain", explain_run,
                   explain_settle, &s);
    icx_free(ctx, want);
  }
  icx_constraints_free(set);
  close_shipped(&w);
}
END_TEST

/* The store's documents (uri, triples, clouds) and triple count, as one
 * string (free()). */
static char *
store_state(tu_world *w)
{
  icx_doc_info *docs = NULL;
  icx_store_stats st;
  size_t n = 0, i, k;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);

  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(icx_store_list_documents(w->store, w->vocab, &docs, &n), ICX_OK);
  for (i = 0; i < n; i++) {
    fprintf(f, "%s %ld", docs[i].uri, docs[i].triples);
    for (k = 0; k < docs[i].n_clouds; k++)
      fprintf(f, " %s", docs[i].clouds[k]);
    fprintf(f, "\n");
  }
  icx_doc_info_free_array(docs, n);
  ck_assert_int_eq(icx_store_stats_get(w->store, w->vocab, &st), ICX_OK);
  fprintf(f, "documents %ld clouds %ld services %ld triples %ld\n", st.documents, st.clouds,
          st.services, st.triples);
  fclose(f);
  return out;
}

START_TEST(document_load)
{
  tu_world w;
  icx_constraints *set;
  char *state0, *answer0;
  long before;
  unsigned long n;

  open_shipped(&w);
  set = parse_paper(w.vocab);
  state0 = store_state(&w);
  answer0 = match_paper(&w, set);
  before = mem.live;
  for (n = 1;; n++) {
    icx_loader *l;
    icx_rc rc;
    int more;
    arm(n);
    if (!(l = icx_loader_new(ctx, w.vocab, w.store))) {
      disarm();                /* NULL, and no message: its documented failure */
      ck_assert_uint_ge(mem.count, n);
      check_live("document load", n, before);
      continue;
    }
    rc = icx_loader_load_buffer(l, "extra.ttl", (const unsigned char *)extra_ttl,
                                strlen(extra_ttl));
    icx_loader_free(l);
    disarm();
    more = check_run("document load", n, rc);
    check_live("document load", n, before);
    if (rc != ICX_OK) {
      char *state = store_state(&w), *answer = match_paper(&w, set);
      ck_assert_msg(!strcmp(state, state0), "allocation %lu refused: the store changed:\n%s"
                    "\nwas\n%s", n, state, state0);
      ck_assert_str_eq(answer, answer0);
      free(state);
      free(answer);
      /* The match kept what it may keep with the store (the matching
       * index, applying the changes since its last use; statements):
       * counted from here, so that the next run counts its load alone. */
      before = mem.live;
      continue;
    }
    /* Loaded: the cloud is there (the store changed as it should), and
     * taking it out again restores the state the next N starts from. */
    {
      char *state = store_state(&w);
      ck_assert_ptr_nonnull(strstr(state, " extra\n"));
      free(state);
    }
    if (!more)
      break;
    ck_assert_int_eq(icx_store_remove_document(w.store, "urn:icx:doc:extra.ttl"), ICX_OK);
    {
      char *state = store_state(&w);
      ck_assert_str_eq(state, state0);
      free(state);
    }
    before = mem.live;
  }
  printf("document load: %lu allocations, each refused in turn\n", n - 1);
  free(state0);
  free(answer0);
  icx_constraints_free(set);
  close_shipped(&w);
}
END_TEST

START_TEST(match_after_a_change)
{
  /* A document loaded between two matches: the index applies the change
   * from the store's change log (icx_index_apply.c) inside the second
   * match.  A refusal there empties the index instead, or ends the match
   * with ICX_ERR_NOMEM; either way the next match answers right. */
  tu_world w;
  icx_constraints *set;
  char *want;
  unsigned long n;

  open_shipped(&w);
  set = parse_paper(w.vocab);
  want = match_paper(&w, set);
  for (n = 1;; n++) {
    icx_loader *l = icx_loader_new(ctx, w.vocab, w.store);
    icx_match *m = NULL;
    icx_rc rc;
    int more;
    ck_assert_int_eq(icx_loader_load_buffer(l, "extra.ttl", (const unsigned char *)extra_ttl,
                                            strlen(extra_ttl)), ICX_OK);
    icx_loader_free(l);
    arm(n);
    rc = icx_match_run(ctx, w.store, set, &m);
    disarm();
    more = check_run("match after a change", n, rc);
    if (rc == ICX_OK) {
      char *got = match_names(m);
      ck_assert_str_eq(got, want);
      free(got);
    }
    icx_match_free(m);
    {
      char *again = match_paper(&w, set);
      ck_assert_str_eq(again, want);
      free(again);
    }
    ck_assert_int_eq(icx_store_remove_document(w.store, "urn:icx:doc:extra.ttl"), ICX_OK);
    {
      char *again = match_paper(&w, set);
      ck_assert_str_eq(again, want);
      free(again);
    }
    if (!more)
      break;
  }
  printf("match after a change: %lu allocations, each refused in turn\n", n - 1);
  free(want);
  icx_constraints_free(set);
  close_shipped(&w);
}
END_TEST

/* The default allocator and a table missing a function. */
START_TEST(constructor)
{
  icx_mem bad = tu_mem_of(&mem);
  icx_ctx *c = icx_ctx_new_mem(NULL);

  ck_assert_ptr_nonnull(c);
  icx_free(c, NULL);
  icx_ctx_free(c);
  bad.realloc = NULL;
  ck_assert_ptr_null(icx_ctx_new_mem(&bad));
  arm(1);
  ck_assert_ptr_null(tu_mem_table.alloc(1, &mem));
  disarm();
  {
    icx_mem t = tu_mem_of(&mem);
    arm(1);
    ck_assert_ptr_null(icx_ctx_new_mem(&t));   /* the context itself is refused */
    disarm();
  }
}
END_TEST

/* One case per step, so that CK_RUN_CASE=<step> runs one. */
static void
add_case(Suite *s, const char *name, const TTest *test)
{
  TCase *tc = tcase_create(name);

  tcase_add_checked_fixture(tc, setup, teardown);
  /* Every N of the step, under the sanitizers on a shared machine. */
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test);
  suite_add_tcase(s, tc);
}

static Suite *
alloc_suite(void)
{
  Suite *s = suite_create("alloc");

  add_case(s, "ctx", constructor);
  add_case(s, "vocab", vocabulary_load);
  add_case(s, "parse", constraint_parse);
  add_case(s, "compile", compile);
  add_case(s, "match", match);
  add_case(s, "match_uncached", match_uncached);
  add_case(s, "explain", explain);
  add_case(s, "load", document_load);
  add_case(s, "change", match_after_a_change);
  return s;
}

int
main(void)
{
  return tu_run(alloc_suite());
}

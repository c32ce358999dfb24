/* fixture.c - fixtures shared by the Check suites. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

const char *
tu_srcdir(void)
{
  const char *s = getenv("ICX_SRCDIR");

  return s && *s ? s : "..";
}

const char *
tu_ontology(void)
{
  static char buf[4096];
  const char *s = getenv("ICX_ONTOLOGY");

  if (s && *s)
    return s;
  snprintf(buf, sizeof buf, "%s/ontology", tu_srcdir());
  return buf;
}

char *
tu_tmpdir(void)
{
  const char *base = getenv("TMPDIR");
  char *p = malloc(4096);

  ck_assert_ptr_nonnull(p);
  snprintf(p, 4096, "%s/icx-check-XXXXXX", base && *base ? base : "/tmp");
  ck_assert_msg(mkdtemp(p) != NULL, "mkdtemp failed");
  return p;
}

void
tu_rmtree(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *de;

  if (!d)
    return;
  while ((de = readdir(d))) {
    char *p;
    struct stat sb;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    p = tu_path(dir, de->d_name);
    if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
      tu_rmtree(p);
    else
      unlink(p);
    free(p);
  }
  closedir(d);
  rmdir(dir);
}

char *
tu_path(const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);

  ck_assert_ptr_nonnull(p);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

void
tu_write(const char *path, const char *text)
{
  FILE *fp = fopen(path, "wb");

  ck_assert_msg(fp != NULL, "cannot write %s", path);
  fputs(text, fp);
  fclose(fp);
}

char *
tu_read(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  char *buf;
  long n;

  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(fp);
  if (buf) {
    buf[n] = '\0';
    if (len)
      *len = (size_t)n;
  }
  return buf;
}

void
tu_copy_ontology(const char *dir)
{
  DIR *d = opendir(tu_ontology());
  struct dirent *de;

  ck_assert_msg(d != NULL, "cannot read %s", tu_ontology());
  while ((de = readdir(d))) {
    size_t n = strlen(de->d_name);
    char *from, *to, *text;
    if (n < 5 || strcmp(de->d_name + n - 4, ".ttl"))
      continue;
    from = tu_path(tu_ontology(), de->d_name);
    to = tu_path(dir, de->d_name);
    text = tu_read(from, NULL);
    ck_assert_ptr_nonnull(text);
    tu_write(to, text);
    free(text);
    free(from);
    free(to);
  }
  closedir(d);
}

char *
tu_ontology_with_tier(const char *dir)
{
  char *onto = tu_path(dir, "onto"), *f;

  ck_assert_int_eq(mkdir(onto, 0700), 0);
  tu_copy_ontology(onto);
  f = tu_path(onto, "tier.ttl");
  tu_write(f, "@prefix res: <" TU_RES "> .\n@prefix icxm: <urn:icx:match#> .\n"
              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
              "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
              "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
              "res:tier a owl:DatatypeProperty, icxm:Attribute ; rdfs:label \"tier\" ;\n"
              "  rdfs:domain res:StorageService ; rdfs:range xsd:string ;\n"
              "  icxm:rule icxm:equals .\n");
  free(f);
  return onto;
}

static void
drop(void *ud, icx_log_level level, const char *area, const char *msg)
{
  (void)ud; (void)level; (void)area; (void)msg;
}

/* The header before each block: a mark and the block's size (the mark
 * catches a block freed by the wrong allocator where ASan does not). */
#define TU_MEM_HEAD 16
#define TU_MEM_MARK 0x1c7a110cUL

static tu_mem tu_quiet_mem;           /* tu_ctx()'s: never armed */

static int
tu_mem_refuse(tu_mem *m)
{
  unsigned long k;

  if (!m || !m->armed)
    return 0;
  k = __atomic_add_fetch(&m->count, 1, __ATOMIC_SEQ_CST);
  if (m->fail_at && (k == m->fail_at || (m->fail_rest && k > m->fail_at))) {
    __atomic_add_fetch(&m->failed, 1, __ATOMIC_SEQ_CST);
    return 1;
  }
  return 0;
}

static void *
tu_mem_alloc(size_t size, void *ud)
{
  tu_mem *m = ud;
  unsigned char *p;

  if (tu_mem_refuse(m) || size > (size_t)-1 - TU_MEM_HEAD || !(p = malloc(size + TU_MEM_HEAD)))
    return NULL;
  ((unsigned long *)p)[0] = TU_MEM_MARK;
  if (m)
    __atomic_add_fetch(&m->live, 1, __ATOMIC_SEQ_CST);
  return p + TU_MEM_HEAD;
}

static void
tu_mem_free(void *ptr, void *ud)
{
  tu_mem *m = ud;
  unsigned char *p = (unsigned char *)ptr - TU_MEM_HEAD;

  if (((unsigned long *)p)[0] != TU_MEM_MARK)
    abort();                  /* not a block of this allocator */
  ((unsigned long *)p)[0] = 0;
  if (m)
    __atomic_sub_fetch(&m->live, 1, __ATOMIC_SEQ_CST);
  free(p);
}

static void *
tu_mem_realloc(void *ptr, size_t size, void *ud)
{
  unsigned char *p, *np;

  if (!ptr)
    return tu_mem_alloc(size, ud);
  p = (unsigned char *)ptr - TU_MEM_HEAD;
  if (((unsigned long *)p)[0] != TU_MEM_MARK)
    abort();
  if (tu_mem_refuse(ud) || size > (size_t)-1 - TU_MEM_HEAD ||
      !(np = realloc(p, size + TU_MEM_HEAD)))
    return NULL;
  return np + TU_MEM_HEAD;
}

const icx_mem tu_mem_table = { tu_mem_alloc, tu_mem_free, tu_mem_realloc, NULL };

icx_mem
tu_mem_of(tu_mem *m)
{
  icx_mem t = tu_mem_table;

  t.userdata = m;
  return t;
}

icx_ctx *
tu_ctx(void)
{
  return tu_ctx_mem(&tu_quiet_mem);
}

icx_ctx *
tu_ctx_mem(tu_mem *m)
{
  icx_mem t = tu_mem_of(m);
  icx_ctx *ctx = icx_ctx_new_mem(&t);

  ck_assert_ptr_nonnull(ctx);
  icx_ctx_set_logger(ctx, drop, NULL);
  icx_ctx_set_log_level(ctx, ICX_LOG_ERROR);
  return ctx;
}

icx_vocab *
tu_vocab(icx_ctx *ctx)
{
  icx_vocab *v = NULL;
  icx_rc rc = icx_vocab_load(ctx, tu_ontology(), &v);

  ck_assert_msg(rc == ICX_OK, "vocabulary: %s", icx_ctx_errmsg(ctx));
  return v;
}

char *
tu_match(icx_ctx *ctx, const icx_vocab *vocab, icx_store *store, const char *xml)
{
  icx_constraints *set = NULL;
  icx_match *m = NULL;
  icx_rc rc;
  char *out;
  size_t cap = 4096, i, len = 0;

  out = malloc(cap);
  ck_assert_ptr_nonnull(out);
  out[0] = '\0';
  rc = icx_constraints_parse(ctx, vocab, xml, strlen(xml), &set);
  if (!rc)
    rc = icx_match_run(ctx, store, set, &m);
  if (rc) {
    snprintf(out, cap, "ERROR: %s", icx_ctx_errmsg(ctx));
  } else {
    for (i = 0; i < icx_match_count(m); i++)
      len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", icx_match_cloud(m, i));
  }
  icx_match_free(m);
  icx_constraints_free(set);
  return out;
}

char *
tu_rows_text(const icx_rows *rows)
{
  size_t i, j, len = 0, cap = 256;
  char *out = malloc(cap);

  ck_assert_ptr_nonnull(out);
  out[0] = '\0';
  for (i = 0; i < icx_rows_count(rows); i++)
    for (j = 0; j < icx_rows_width(rows); j++) {
      const char *v = icx_rows_get(rows, i, j);
      size_t need = strlen(v ? v : "-") + 2;
      if (len + need > cap) {
        cap = 2 * (len + need);
        out = realloc(out, cap);
        ck_assert_ptr_nonnull(out);
      }
      len += (size_t)snprintf(out + len, cap - len, "%s%s", j ? "|" : i ? " " : "",
                              v ? v : "-");
    }
  return out;
}

char *
tu_constraints(const char *first_name, ...)
{
  va_list ap;
  const char *name = first_name;
  size_t cap = 65536, len = 0;
  char *out = malloc(cap);

  ck_assert_ptr_nonnull(out);
  len += (size_t)snprintf(out, cap, "<constraints xmlns='http://www.csp/resOntology'>");
  va_start(ap, first_name);
  while (name) {
    const char *value = va_arg(ap, const char *);
    len += (size_t)snprintf(out + len, cap - len,
                            "<constraint><attribute>%s</attribute><value>%s</value></constraint>",
                            name, value);
    name = va_arg(ap, const char *);
  }
  va_end(ap);
  snprintf(out + len, cap - len, "</constraints>");
  return out;
}

icx_store *
tu_store_turtle(icx_ctx *ctx, const icx_vocab *vocab, const char *dir, const char *ttl)
{
  char *path = tu_path(dir, "store.db");
  icx_store *store = NULL;
  icx_loader *l;

  ck_assert_int_eq(icx_store_open(ctx, path, ICX_STORE_CREATE, &store), ICX_OK);
  free(path);
  l = icx_loader_new(ctx, vocab, store);
  ck_assert_ptr_nonnull(l);
  icx_loader_set_format(l, ICX_FORMAT_TURTLE);
  ck_assert_msg(icx_loader_load_buffer(l, "doc", (const unsigned char *)ttl, strlen(ttl)) ==
                ICX_OK, "%s", icx_ctx_errmsg(ctx));
  icx_loader_free(l);
  return store;
}

void
tu_world_open(tu_world *w)
{
  memset(w, 0, sizeof *w);
  w->ctx = tu_ctx();
  w->dir = tu_tmpdir();
}

void
tu_world_load(tu_world *w, const char *ontology, const char *path)
{
  icx_loader *l;
  char *db = tu_path(w->dir, "store.db");

  ck_assert_int_eq(icx_vocab_load(w->ctx, ontology, &w->vocab), ICX_OK);
  ck_assert_int_eq(icx_store_open(w->ctx, db, ICX_STORE_CREATE, &w->store), ICX_OK);
  l = icx_loader_new(w->ctx, w->vocab, w->store);
  ck_assert_msg(icx_loader_load_path(l, path) == ICX_OK, "%s", icx_ctx_errmsg(w->ctx));
  icx_loader_free(l);
  free(db);
}

void
tu_world_turtle(tu_world *w, const char *ttl)
{
  tu_world_open(w);
  w->vocab = tu_vocab(w->ctx);
  w->store = tu_store_turtle(w->ctx, w->vocab, w->dir, ttl);
}

void
tu_world_shipped(tu_world *w)
{
  char *data = tu_path(tu_srcdir(), "data/clouds");

  tu_world_open(w);
  tu_world_load(w, tu_ontology(), data);
  free(data);
}

void
tu_world_empty(tu_world *w, const char *name)
{
  tu_world_open(w);
  w->db = tu_path(w->dir, name);
  ck_assert_int_eq(icx_store_open(w->ctx, w->db, ICX_STORE_CREATE, &w->store), ICX_OK);
}

void
tu_world_close(tu_world *w)
{
  icx_store_free(w->store);
  free(w->db);
  icx_vocab_free(w->vocab);
  if (w->dir)
    tu_rmtree(w->dir);
  free(w->dir);
  icx_ctx_free(w->ctx);
  memset(w, 0, sizeof *w);
}

const char tu_three_clouds[] =
  "@prefix res: <" TU_RES "> .\n"
  "@prefix ex: <" TU_EX "> .\n"
  "ex:c1 a res:Cloud ; res:cloudName \"c1\" ; res:offers ex:s1 .\n"
  "ex:s1 a res:StorageService ; res:availability 99.9 ; res:replicationFactor 3 ;\n"
  "  res:storageAccess res:NFS .\n"
  "ex:c2 a res:Cloud ; res:cloudName \"c2\" ; res:offers ex:s2 .\n"
  "ex:s2 a res:StorageService ; res:availability 99.999 ; res:replicationFactor 5 ;\n"
  "  res:storageAccess res:NFS .\n"
  "ex:c3 a res:Cloud ; res:cloudName \"c3\" ; res:offers ex:s3 .\n"
  "ex:s3 a res:StorageService ; res:availability 99.0 ; res:replicationFactor 5 .\n";

/* Where tu_skip() writes its reasons: a file, because Check runs each test
 * in a child process of its own. */
#define TU_SKIP_ENV "ICX_TU_SKIP_FILE"

void
tu_skip(const char *fmt, ...)
{
  const char *path = getenv(TU_SKIP_ENV);
  char why[1024];
  va_list ap;
  FILE *fp;

  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  printf("SKIP: %s\n", why);
  fflush(stdout);
  ck_assert_msg(path && (fp = fopen(path, "a")), "tu_skip outside tu_run: %s", why);
  fprintf(fp, "%s\n", why);
  fclose(fp);
}

int
tu_run(Suite *s)
{
  SRunner *sr = srunner_create(s);
  const char *base = getenv("TMPDIR");
  char path[4096], line[1024];
  int fd, failed, skipped = 0;
  FILE *fp;

  snprintf(path, sizeof path, "%s/icx-skips.XXXXXX", base && *base ? base : "/tmp");
  if ((fd = mkstemp(path)) < 0) {
    fprintf(stderr, "cannot make a temporary file in %s\n", base && *base ? base : "/tmp");
    return EXIT_FAILURE;
  }
  close(fd);
  setenv(TU_SKIP_ENV, path, 1);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  unsetenv(TU_SKIP_ENV);
  if ((fp = fopen(path, "r"))) {
    while (fgets(line, sizeof line, fp)) {
      printf("SKIP: %s", line);
      skipped++;
    }
    fclose(fp);
  }
  unlink(path);
  if (failed)
    return EXIT_FAILURE;
  return skipped ? 77 : EXIT_SUCCESS;
}

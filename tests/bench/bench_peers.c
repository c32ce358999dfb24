/* bench_peers.c - the bench's peers: the shapes as JSON and the baseline's
 * rows as CSV for tests/bench/peers.mjs (DuckDB), and a private Virtuoso
 * started on loopback, loaded with the bench's Turtle, and stopped.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_gen.h"
#include "bench_peers.h"

/* --- shapes as JSON ------------------------------------------------------------ */

static void
peers_json_list(FILE *fp, const char *const *list)
{
  const char *const *p;

  if (!list) {
    fputs("null", fp);
    return;
  }
  fputc('[', fp);
  for (p = list; *p; p++)   /* local names: letters, digits, '_' */
    fprintf(fp, "%s\"%s\"", p == list ? "" : ", ", *p);
  fputc(']', fp);
}

int
bench_write_shapes_json(const char *path)
{
  FILE *fp = fopen(path, "w");
  int k, i;

  if (!fp)
    return -1;
  fputs("{\"ns\": \"http://www.csp/resOntology#\", \"shapes\": [\n", fp);
  for (k = 0; k < BENCH_SHAPES; k++) {
    const bench_shape *s = &bench_shapes[k];
    fprintf(fp, "  {\"name\": \"%s\", \"min_availability\": %.17g, \"min_replication\": %d,\n"
            "   \"tiers\": ", s->name, s->min_availability, s->min_replication);
    peers_json_list(fp, s->tiers);
    fputs(", \"methods\": ", fp);
    peers_json_list(fp, s->methods);
    fputs(", \"access\": ", fp);
    peers_json_list(fp, s->access);
    fputs(",\n   \"soft\": [", fp);
    for (i = 0; i < s->n_soft; i++) {
      fprintf(fp, "%s{\"list\": %d, \"weight\": %d, \"values\": ", i ? ", " : "",
              s->soft[i].list, s->soft[i].weight);
      peers_json_list(fp, s->soft[i].values);
      fputc('}', fp);
    }
    fprintf(fp, "]}%s\n", k + 1 < BENCH_SHAPES ? "," : "");
  }
  fputs("]}\n", fp);
  return fclose(fp) == 0 ? 0 : -1;
}

/* --- the baseline's rows as CSV ------------------------------------------------ */

int
bench_export_csv(const char *sqldb, const char *dir)
{
  static const char *const tables[] = {
    "clouds", "services", "service_tier", "service_method", "service_access"
  };
  sqlite3 *db = NULL;
  size_t t;
  int rc = -1;

  if (sqlite3_open_v2(sqldb, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    goto done;
  for (t = 0; t < sizeof tables / sizeof *tables; t++) {
    char path[PATH_MAX], sql[128];
    sqlite3_stmt *st = NULL;
    FILE *fp;
    int c, n, r;

    snprintf(path, sizeof path, "%s/%s.csv", dir, tables[t]);
    snprintf(sql, sizeof sql, "SELECT * FROM %s", tables[t]);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
      goto done;
    if (!(fp = fopen(path, "w"))) {
      perror(path);
      sqlite3_finalize(st);
      goto done;
    }
    n = sqlite3_column_count(st);
    for (c = 0; c < n; c++)
      fprintf(fp, "%s%s", c ? "," : "", sqlite3_column_name(st, c));
    fputc('\n', fp);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
      for (c = 0; c < n; c++) {
        if (c)
          fputc(',', fp);
        if (sqlite3_column_type(st, c) == SQLITE_FLOAT)
          fprintf(fp, "%.17g", sqlite3_column_double(st, c));
        else   /* ids, numbers, names and codes: no comma or quote in any */
          fputs((const char *)sqlite3_column_text(st, c), fp);
      }
      fputc('\n', fp);
    }
    sqlite3_finalize(st);
    if (fclose(fp) != 0 || r != SQLITE_DONE)
      goto done;
  }
  rc = 0;
done:
  if (rc)
    fprintf(stderr, "bench: CSV export of %s: %s\n", sqldb, db ? sqlite3_errmsg(db) : "cannot open");
  sqlite3_close(db);
  return rc;
}

/* --- a private Virtuoso ----------------------------------------------------------- */

static double
peers_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loopback port nobody listens on now (the kernel's pick), or -1. */
static int
peers_free_port(void)
{
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

  if (fd < 0)
    return -1;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

static int
peers_port_open(int port)
{
  struct sockaddr_in a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

  if (fd < 0)
    return 0;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((unsigned short)port);
  ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  close(fd);
  return ok;
}

static int
peers_on_path(const char *prog, char *out, size_t n)
{
  const char *path = getenv("PATH"), *p, *e;

  if (strchr(prog, '/')) {
    snprintf(out, n, "%s", prog);
    return access(out, X_OK) == 0;
  }
  for (p = path ? path : "/usr/bin:/bin"; *p; p = *e ? e + 1 : e) {
    e = strchr(p, ':');
    if (!e)
      e = p + strlen(p);
    snprintf(out, n, "%.*s/%s", (int)(e - p), p, prog);
    if (access(out, X_OK) == 0)
      return 1;
  }
  return 0;
}

const char *
bench_virtuoso_program(void)
{
  static char prog[PATH_MAX];
  const char *v = getenv("ICX_BENCH_VIRTUOSO");

  return peers_on_path(v && *v ? v : "virtuoso-t", prog, sizeof prog) ? prog : NULL;
}

/* Runs argv with stdout and stderr to log, killed after timeout seconds.
 * Its exit status, or -1. */
static int
peers_run(char *const argv[], const char *log, double timeout)
{
  double t0 = peers_now();
  pid_t pid = fork();
  int status;

  if (pid < 0)
    return -1;
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    setpgid(0, 0);
    execvp(argv[0], argv);
    _exit(127);
  }
  for (;;) {
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (w < 0 && errno != EINTR)
      return -1;
    if (peers_now() - t0 > timeout) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      fprintf(stderr, "bench: %s: killed after %.0f s\n", argv[0], timeout);
      return -1;
    }
    nanosleep(&ts, NULL);
  }
}

static void
peers_rm_tree(const char *dir)
{
  static const char *const files[] = {
    "virtuoso.ini", "virtuoso.db", "virtuoso.log", "virtuoso.lck", "virtuoso.trx",
    "virtuoso.pxa", "virtuoso-temp.db", "virtuoso-temp.trx", "virtuoso.out", "isql.out",
    "virtuoso.tdb", "load.sql", NULL
  };
  const char *const *f;
  char path[PATH_MAX];

  for (f = files; *f; f++) {
    snprintf(path, sizeof path, "%s/%s", dir, *f);
    remove(path);
  }
  snprintf(path, sizeof path, "%s/www", dir);
  rmdir(path);
  rmdir(dir);
}

void
bench_virtuoso_stop(bench_virtuoso *v)
{
  if (v->pid > 0) {
    int status, i;
    kill(-v->pid, SIGTERM);
    kill(v->pid, SIGTERM);
    for (i = 0; i < 100 && waitpid(v->pid, &status, WNOHANG) == 0; i++) {
      struct timespec ts = { 0, 100 * 1000 * 1000 };
      nanosleep(&ts, NULL);
    }
    if (i == 100) {
      kill(-v->pid, SIGKILL);
      kill(v->pid, SIGKILL);
      waitpid(v->pid, &status, 0);
    }
    v->pid = 0;
  }
  if (v->dir[0] && !getenv("ICX_BENCH_KEEP_VIRTUOSO"))
    peers_rm_tree(v->dir);
}

long
bench_virtuoso_rss_kb(const bench_virtuoso *v)
{
  char path[64], line[256];
  FILE *fp;
  long kb = -1;

  snprintf(path, sizeof path, "/proc/%ld/status", (long)v->pid);
  if (!(fp = fopen(path, "r")))
    return -1;
  while (fgets(line, sizeof line, fp))
    if (!strncmp(line, "VmHWM:", 6)) {
      kb = strtol(line + 6, NULL, 10);
      break;
    }
  fclose(fp);
  return kb;
}

int
bench_virtuoso_start(bench_virtuoso *v, const char *dir, const char *ttl, double cap,
                     double *load_s)
{
  const char *prog = bench_virtuoso_program();
  char path[PATH_MAX], ttl_dir[PATH_MAX], port[16], isql[PATH_MAX];
  const char *slash = strrchr(ttl, '/');
  double t0 = peers_now();
  FILE *fp;

  memset(v, 0, sizeof *v);
  if (!prog)
    return -1;
  if (!peers_on_path("isql-vt", isql, sizeof isql) && !peers_on_path("isql", isql, sizeof isql)) {
    fprintf(stderr, "bench: virtuoso: no isql-vt on PATH\n");
    return -1;
  }
  snprintf(v->dir, sizeof v->dir, "%s", dir);
  peers_rm_tree(dir);
  snprintf(path, sizeof path, "%s/www", dir);
  if ((mkdir(dir, 0700) && errno != EEXIST) || (mkdir(path, 0700) && errno != EEXIST)) {
    perror(dir);
    return -1;
  }
  if (!slash || !realpath(ttl, ttl_dir)) {
    fprintf(stderr, "bench: virtuoso: %s: not a path with a folder\n", ttl);
    return -1;
  }
  *strrchr(ttl_dir, '/') = '\0';
  v->sql_port = peers_free_port();
  v->http_port = peers_free_port();
  if (v->sql_port <= 0 || v->http_port <= 0 || v->sql_port == v->http_port) {
    fprintf(stderr, "bench: virtuoso: no free loopback port\n");
    return -1;
  }
  snprintf(path, sizeof path, "%s/virtuoso.ini", dir);
  if (!(fp = fopen(path, "w"))) {
    perror(path);
    return -1;
  }
  /* Buffers: 8 kB pages; 170000 is the size its own documentation gives
   * for 2 GB of memory. */
  fprintf(fp,
          "[Database]\nDatabaseFile = %1$s/virtuoso.db\nErrorLogFile = %1$s/virtuoso.log\n"
          "LockFile = %1$s/virtuoso.lck\nTransactionFile = %1$s/virtuoso.trx\n"
          "xa_persistent_file = %1$s/virtuoso.pxa\nMaxCheckpointRemap = 2000\nStriping = 0\n"
          "TempStorage = TempDatabase\n\n"
          "[TempDatabase]\nDatabaseFile = %1$s/virtuoso-temp.db\n"
          "TransactionFile = %1$s/virtuoso-temp.trx\nMaxCheckpointRemap = 2000\nStriping = 0\n\n"
          "[Parameters]\nServerPort = 127.0.0.1:%2$d\nServerThreads = 4\n"
          "CheckpointInterval = 0\nNumberOfBuffers = 170000\nMaxDirtyBuffers = 130000\n"
          "DirsAllowed = %1$s, %3$s\nVADInstallDir = %1$s\n\n"
          "[HTTPServer]\nServerPort = 127.0.0.1:%4$d\nServerRoot = %1$s/www\n"
          "ServerThreads = 4\nMaxClientConnections = 4\nEnabledDavVSP = 0\n\n"
          "[SPARQL]\nResultSetMaxRows = 100000000\nMaxQueryCostEstimationTime = 0\n"
          "MaxQueryExecutionTime = 0\nDefaultGraph = http://bench.example/\n",
          dir, v->sql_port, ttl_dir, v->http_port);
  if (fclose(fp) != 0) {
    perror(path);
    return -1;
  }
  v->pid = fork();
  if (v->pid < 0) {
    v->pid = 0;
    return -1;
  }
  if (v->pid == 0) {
    char out[PATH_MAX];
    int fd;
    snprintf(out, sizeof out, "%s/virtuoso.out", dir);
    if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    setpgid(0, 0);
    if (chdir(dir) == 0)
      execl(prog, prog, "+foreground", "+configfile", path, (char *)NULL);
    _exit(127);
  }
  /* Up when both ports answer and isql gets through. */
  snprintf(port, sizeof port, "%d", v->sql_port);
  for (;;) {
    struct timespec ts = { 0, 200 * 1000 * 1000 };
    int status;
    if (waitpid(v->pid, &status, WNOHANG) == v->pid) {
      v->pid = 0;
      fprintf(stderr, "bench: virtuoso exited at start (see %s/virtuoso.out, virtuoso.log)\n",
              dir);
      return -1;
    }
    if (peers_port_open(v->sql_port) && peers_port_open(v->http_port))
      break;
    if (peers_now() - t0 > cap) {
      fprintf(stderr, "bench: virtuoso did not start in %.0f s\n", cap);
      bench_virtuoso_stop(v);
      return -1;
    }
    nanosleep(&ts, NULL);
  }
  {
    char stmt[3 * PATH_MAX], log[PATH_MAX];
    char *argv[] = { isql, port, (char *)"dba", (char *)"dba", stmt, NULL };
    double t1 = peers_now();
    snprintf(log, sizeof log, "%s/isql.out", dir);
    snprintf(stmt, sizeof stmt, "exec=ld_dir('%s', '%s', 'http://bench.example/'); "
             "rdf_loader_run(); checkpoint; "
             "SELECT 'bench-loaded', COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_state = 2 "
             "AND ll_error IS NULL;", ttl_dir, slash + 1);
    if (peers_run(argv, log, cap - (t1 - t0)) != 0) {
      fprintf(stderr, "bench: virtuoso: the load failed (see %s)\n", log);
      bench_virtuoso_stop(v);
      return -1;
    }
    *load_s = peers_now() - t1;
  }
  return 0;
}

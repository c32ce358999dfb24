/* bench_peers.h - what `make bench` needs to run its peers: the shapes
 * and the baseline's rows written for other programs (DuckDB through
 * tests/bench/peers.mjs), and a private Virtuoso on loopback.
 */
#ifndef BENCH_PEERS_H
#define BENCH_PEERS_H

#include <sys/types.h>

/* Writes every shape (bench_shapes, regions expanded) as JSON to path, for
 * peers.mjs: the numbers, the hard lists, the soft constraints.  0 or -1. */
int bench_write_shapes_json(const char *path);

/* Writes the baseline database's five tables as CSV files <table>.csv
 * (a header line, then the rows) into dir.  0 or -1 with a message. */
int bench_export_csv(const char *sqldb, const char *dir);

/* A private Virtuoso: its own folder, virtuoso.ini and database, on two
 * free loopback ports, started by bench_virtuoso_start() and stopped
 * (process killed, folder removed) by bench_virtuoso_stop(). */
typedef struct bench_virtuoso {
  pid_t pid;
  int sql_port, http_port;
  char dir[4096];
} bench_virtuoso;

/* The Virtuoso server program (ICX_BENCH_VIRTUOSO, else virtuoso-t on
 * PATH), or NULL when there is none.  Lent. */
const char *bench_virtuoso_program(void);

/* Starts Virtuoso in dir (made, and emptied first) and loads the Turtle
 * document ttl into the graph http://bench.example/ with its bulk loader;
 * *load_s gets the load's seconds.  Gives up after cap seconds.  0, or -1
 * with a message (the server stopped). */
int bench_virtuoso_start(bench_virtuoso *v, const char *dir, const char *ttl, double cap,
                         double *load_s);
/* The server's peak resident size in kB so far, or -1. */
long bench_virtuoso_rss_kb(const bench_virtuoso *v);
void bench_virtuoso_stop(bench_virtuoso *v);

#endif

/* icx_schema.h - the store's schema: its tables and indexes, the SQL that
 * creates them, and the store's SQLite connection for the query path
 * (internal; included by engine/store and engine/query only).
 *
 * engine/query translates SPARQL into SQL over these tables and runs it on
 * icx_store_db(); nothing else above the store reads the schema, and only
 * engine/store writes it (the DDL below is run by icx_storage_schema.c
 * alone).  tests/tree.test checks that no other folder includes sqlite3.h.
 *
 *   icx_meta (key, value)          ('format', 'icx-store'), ('version', '7')
 *   namespaces (id, iri)           the leading parts of IRIs, each once
 *     iri  an IRI's text up to and including its last '/', '#' or ':'
 *          (icx_schema_ns_len()); never empty; unique
 *   term_rows (id, kind, ns, local, dt, lang, num)   the term dictionary
 *     id   >= 1, stable for the life of the file (terms are never deleted)
 *     kind 1 IRI, 2 blank node, 3 literal
 *     ns   IRI: the id of its namespace row, 0 when its text has no '/',
 *          '#' or ':'; blank nodes and literals: 0
 *     local IRI: the rest of its text after the namespace; else the blank
 *          node id or the literal's lexical form
 *     dt   literal: term id of its datatype IRI, 0 when none; a literal
 *          typed xsd:string is stored as the plain literal it is in RDF
 *          1.1 (dt 0: icx_schema_literal_dt())
 *     lang literal: language tag, '' when none
 *     num  literal of a numeric XSD type whose lexical form parses: its
 *          value; else NULL
 *     unique index term_rows_key (local, ns, kind, dt, lang)
 *   terms (id, kind, lex, dt, lang, num)   a view of term_rows with each
 *     term's whole text as lex: what every reader of terms by id reads.
 *     A term is found by its text through term_rows_key
 *     (ICX_SCHEMA_TEXT_IDS()); a lookup of the view by lex reads every
 *     term.  Only engine/store writes term_rows and namespaces.
 *   quads (s, p, o, g, num)        g = term id of the context IRI, 0 = none
 *     num  terms.num of o, copied when the quad is added (the insert reads
 *          it from term_rows), so that numeric comparisons read the quad alone
 *     primary key (s, p, o, g), the only index of the quads: a quad
 *     is found by anything else through the postings below
 *   postings_po (p, o, s0, g0, rest)   every quad by predicate and
 *     object: chunks of up to 128 pairs (s, g) under the key (p, o)
 *     (engine/store/icx_postings.h, the encoding; icx_postings_table.h,
 *     the rows), a pair a quad.  Kept by the storage as it writes quads
 *     (icx_storage_postings.c), like graph_subjects; a program writing
 *     quads by itself must keep it too.
 *   postings_num (p, n, s0, o0, rest)   the quads whose num is not NULL,
 *     by predicate and number: chunks of pairs (s, o) under the key
 *     (p, n), n = icx_postings_num_key(num), an integer in the number's
 *     order.  A pair stands for the quads (s, p, o, g) of every graph g:
 *     it leaves with the last of them.  Kept as postings_po is.
 *   graph_subjects (g, s)          the distinct subjects of each graph
 *     primary key (g, s); kept by the storage as it writes quads (see
 *     ICX_SCHEMA_SUBJECTS_SQL).  A graph's quads are read
 *     through it: its subjects, then each one's range of the primary key
 *     (or, for a graph that is nearly the whole store, one scan of the
 *     quads: icx_storage_context_ids()).
 *     It stands for an index quads_g (g), which held a copy of every
 *     quad's four ids (15 bytes a quad at 1M clouds; this table takes
 *     about 2 a quad, one row per subject).
 *   icx_changes (seq, g, kind, subjects, token)   the change log (icx_store_ids.h)
 *     seq      ascending, never reused (the last row is never pruned)
 *     g        term id of the document's graph; 0 for kind 3
 *     kind     1 a document written, 2 one removed, 3 a write outside the
 *              document calls (anything may have changed)
 *     subjects the distinct subjects of the graph before the change, as
 *              ascending 8-byte little-endian term ids; NULL for none
 *     token    a random 64-bit value drawn by the writer for this change, so
 *              that (seq, token) names one state of one store: a store made
 *              again, or restored from a copy and written since, reaches
 *              the same seq with another token (the saved matching index,
 *              engine/index/icx_index_file.c, is keyed by it); NULL in rows
 *              of programs older than the column, which a log made before
 *              it gets by ALTER TABLE at the next write
 *     Made by the first write that logs a change, so that a store made
 *     before the log opens and reads as it is (format version 3 still);
 *     icx_storage_log_change() keeps the last ICX_SCHEMA_CHANGES_KEEP rows.
 *
 * Version 6 had, instead of postings_po, an index quads_pos (p, o, s) of
 * quads: 13.5 bytes a triple of the 1M bench store, where the chunks
 * take about 4.  Version 5 had, instead of postings_num, an index
 * quads_num (p, num, s) of quads WHERE num IS NOT NULL: 3.7 bytes a
 * triple, where the chunks take about 0.3.  Version 4 had a table terms (id, kind, lex, dt, lang, num) with a
 * unique index terms_key (lex, kind, dt, lang): every IRI's whole text
 * twice, 16 bytes a triple of the 1M bench store where term_rows and its
 * key take about 9 (doc/performance.md, "Namespaces out of the term
 * dictionary").  Version 3 had, besides, the index quads_g (g) instead of
 * graph_subjects.  Both are upgraded in place when first opened by an
 * account that may write them (icx_storage_upgrade()).  Version 2 had no
 * quads.num; such stores are refused (reload them).
 */
#ifndef ICX_SCHEMA_H
#define ICX_SCHEMA_H

#include <sqlite3.h>
#include <string.h>
#include "icx_id.h"
#include "icx_postings_table.h"

struct icx_store;

/* What icx_meta says of a store of this schema. */
#define ICX_STORAGE_FORMAT "icx-store"
#define ICX_STORAGE_VERSION "7"
/* The oldest version icx_storage_upgrade() makes a store of this version
 * from (the versions between are upgraded too). */
#define ICX_STORAGE_VERSION_OLD "3"

/* The quads by predicate and object: a constraint such as tierCountry =
 * JP reads the chunks of one key (icx_storage_postings.c; the SQL path
 * and a few statements of engine/store through the virtual table
 * ICX_SCHEMA_POS_VTAB). */
#define ICX_SCHEMA_POS_SQL ICX_POSTINGS_TABLE_SQL("postings_po", "p", "o", "s0", "g0")
#define ICX_SCHEMA_POS_LAYOUT { "postings_po", "p", "o", "s0", "g0" }
/* Numeric objects only: a comparison such as availability >= 99.999 reads
 * a range of it (icx_storage_postings.c; icx_sql_plan.c through the virtual
 * table ICX_SCHEMA_NUMS_VTAB). */
#define ICX_SCHEMA_NUMS_SQL ICX_POSTINGS_TABLE_SQL("postings_num", "p", "n", "s0", "o0")
#define ICX_SCHEMA_NUMS_LAYOUT { "postings_num", "p", "n", "s0", "o0" }
/* The two read by SQL, one row (p, o, s, g) or (p, n, s, o) a pair
 * (icx_postings_vtab.h): made in a connection's temp schema as it
 * opens, outside any transaction (icx_storage_vtabs()). */
#define ICX_SCHEMA_POS_VTAB "icx_pos"
#define ICX_SCHEMA_NUMS_VTAB "icx_nums"
#define ICX_SCHEMA_VTABS_SQL \
  "CREATE VIRTUAL TABLE IF NOT EXISTS temp." ICX_SCHEMA_POS_VTAB \
  " USING icx_postings(postings_po, p, o, s0, g0, s, g);" \
  "CREATE VIRTUAL TABLE IF NOT EXISTS temp." ICX_SCHEMA_NUMS_VTAB \
  " USING icx_postings(postings_num, p, n, s0, o0, s, o)"

/* The subjects of each graph.  The storage keeps it as it writes quads
 * (icx_storage.c, icx_storage_bulk.c): an insert of the rows of one
 * subject, the quads' removal with their graph or with the last quad of
 * their subject there.  Not triggers: a trigger runs once a quad, which
 * in a bulk load of one subject's rows doubled the time of the quads'
 * insert (measured, 4M rows: 2.1 s, 4.2 s with an insert trigger).  A
 * program writing quads by itself must keep it too; icx check finds
 * where they disagree. */
#define ICX_SCHEMA_SUBJECTS_SQL \
  "CREATE TABLE graph_subjects (g INTEGER NOT NULL, s INTEGER NOT NULL," \
  " PRIMARY KEY (g, s)) WITHOUT ROWID;"

/* The change log's table, made when missing by the first write that logs. */
#define ICX_SCHEMA_CHANGES_SQL \
  "CREATE TABLE IF NOT EXISTS icx_changes (seq INTEGER PRIMARY KEY, g INTEGER NOT NULL," \
  " kind INTEGER NOT NULL, subjects BLOB, token INTEGER)"
/* A log made before the token column gets it at its next write. */
#define ICX_SCHEMA_CHANGES_TOKEN_SQL "ALTER TABLE icx_changes ADD COLUMN token INTEGER"
/* How many changes the log keeps: a reader further behind rebuilds what
 * it derived from the store. */
#define ICX_SCHEMA_CHANGES_KEEP 4096
/* The values of icx_changes.kind (icx_store_change_kind mirrors them). */
#define ICX_SCHEMA_CHANGE_PUT 1
#define ICX_SCHEMA_CHANGE_REMOVE 2
#define ICX_SCHEMA_CHANGE_OTHER 3

/* The term dictionary (icx_schema.h's outline): its tables and key, and
 * the view terms that gives each term's whole text. */
#define ICX_SCHEMA_TERM_TABLES_SQL \
  "CREATE TABLE namespaces (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);" \
  "CREATE TABLE term_rows (" \
  "  id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, ns INTEGER NOT NULL DEFAULT 0," \
  "  local TEXT NOT NULL, dt INTEGER NOT NULL DEFAULT 0, lang TEXT NOT NULL DEFAULT ''," \
  "  num REAL);" \
  "CREATE UNIQUE INDEX term_rows_key ON term_rows (local, ns, kind, dt, lang);"
#define ICX_SCHEMA_TERMS_VIEW_SQL \
  "CREATE VIEW terms (id, kind, lex, dt, lang, num) AS SELECT id, kind," \
  "  CASE WHEN ns = 0 THEN local" \
  "  ELSE (SELECT n.iri FROM namespaces n WHERE n.id = ns) || local END," \
  "  dt, lang, num FROM term_rows;"

/* A new store: the tables and icx_meta's rows. */
#define ICX_SCHEMA_SQL \
  "CREATE TABLE icx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;" \
  ICX_SCHEMA_TERM_TABLES_SQL ICX_SCHEMA_TERMS_VIEW_SQL \
  "CREATE TABLE quads (" \
  "  s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL," \
  "  num REAL, PRIMARY KEY (s, p, o, g)) WITHOUT ROWID;" \
  ICX_SCHEMA_POS_SQL ";" ICX_SCHEMA_NUMS_SQL ";" ICX_SCHEMA_SUBJECTS_SQL \
  "INSERT INTO icx_meta (key, value) VALUES ('format', '" ICX_STORAGE_FORMAT "')," \
  "  ('version', '" ICX_STORAGE_VERSION "');"

/* The namespace of a text t (an SQL expression): its leading part up to
 * and including its last '/', '#' or ':', '' when it has none.  The same
 * split as icx_schema_ns_len(), in SQL (rtrim() drops every trailing
 * character other than the three). */
#define ICX_SCHEMA_NS_OF(t) "rtrim(" t ", replace(replace(replace(" t ", '/', ''), '#', ''), ':', ''))"

/* The ids of the terms whose whole text is t (an SQL expression, used
 * three times: a parameter or a column), through term_rows_key: those
 * kept without namespace (literals, blank nodes, IRIs without '/', '#'
 * or ':'), and the IRI kept as t's namespace and the rest.  For
 * "id IN" or a join. */
#define ICX_SCHEMA_TEXT_IDS(t) \
  "(SELECT id FROM term_rows WHERE local = " t " AND ns = 0" \
  " UNION ALL SELECT r.id FROM namespaces n CROSS JOIN term_rows r ON r.ns = n.id" \
  " AND r.local = substr(" t ", length(n.iri) + 1) WHERE n.iri = " ICX_SCHEMA_NS_OF(t) ")"

/* The id of the term of text ?1, kind ?2, datatype id ?3 and language ?4:
 * at most one row. */
#define ICX_SCHEMA_TERM_ID_SQL \
  "SELECT id FROM term_rows WHERE id IN " ICX_SCHEMA_TEXT_IDS("?1") \
  " AND kind = ?2 AND dt = ?3 AND lang = ?4"

/* How many leading bytes of an IRI's text (len bytes) are its namespace:
 * up to and including its last '/', '#' or ':', 0 when it has none
 * (ICX_SCHEMA_NS_OF() in SQL).  The split only shares the leading part
 * between terms; any rule would do as long as writers and readers use
 * this one. */
static inline size_t
icx_schema_ns_len(const char *iri, size_t len)
{
  while (len > 0 && iri[len - 1] != '/' && iri[len - 1] != '#' && iri[len - 1] != ':')
    len--;
  return len;
}

/* 1 when an SQLite result code says the file is corrupt (the store is
 * damaged: ICX_ERR_DAMAGED), else 0. */
static inline int
icx_schema_damage(int sqlite_rc)
{
  return (sqlite_rc & 0xff) == SQLITE_CORRUPT || (sqlite_rc & 0xff) == SQLITE_NOTADB;
}

/* The datatype IRI a literal of datatype dt (NULL: none) is stored and
 * looked up with: NULL for none and for xsd:string, whose literals are
 * the plain ones in RDF 1.1 ("x"^^xsd:string and "x" are one term); dt
 * otherwise.  A language-tagged literal keeps its tag: "x"@en is another
 * term (string constraints compare the text: doc/ontology.md). */
static inline const char *
icx_schema_literal_dt(const char *dt)
{
  return dt && !strcmp(dt, "http://www.w3.org/2001/XMLSchema#string") ? NULL : dt;
}

/* The SQLite connection of store, lent for the life of store. */
sqlite3 *icx_store_db(struct icx_store *store);

/* A prepared statement for sql on the store's connection, from the few
 * the handle keeps: on a small store, preparing a query's statement costs
 * more than running it, and a request of the same shape has the same
 * text.  Only statements are kept, never data: a kept statement reads the
 * store as it is when it runs (SQLite re-prepares it when the schema
 * changes).  Give it back with icx_store_stmt_put(), never
 * sqlite3_finalize().  NULL when SQLite refuses sql (sqlite3_errmsg() of
 * the connection says why); a statement lent out is not lent twice. */
sqlite3_stmt *icx_store_stmt_get(struct icx_store *store, const char *sql);
/* Resets st and clears its bindings for the next caller, or finalizes it
 * when the handle did not keep it.  NULL is a no-op. */
void icx_store_stmt_put(struct icx_store *store, sqlite3_stmt *st);

#endif

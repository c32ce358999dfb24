/* icx_postings_vtab.h - a table of posting chunks (icx_postings_table.h)
 * read by SQL as one row a pair: an SQLite virtual table, so that SQL
 * written for an index of rows can read chunks instead (internal): the
 * store's SQL reads its postings so (temp.icx_pos, temp.icx_nums,
 * icx_schema.h).
 *
 *   CREATE VIRTUAL TABLE temp.pos USING icx_postings(postings, p, o, s0, g0, s, g)
 *
 * reads the table postings, whose key is (p, o, s0, g0), as rows
 * (p, o, s, g).  The arguments are the table, its key's four columns
 * (icx_postings_layout) and the names of the pair's two columns; each a
 * plain identifier.  Read only.  A seek is used for p = ?, p = ? AND
 * o = ?, p = ? AND o = ? AND s = ?, and p = ? with a range of o (o > ?,
 * o >= ?, o < ?, o <= ?, one a side or two; numbers by
 * icx_postings_num_key() are such ranges): that one seeks to the range's
 * first chunk and stops past its last, and its bounds, of whatever type,
 * are compared as SQLite would, so SQLite does not check them again.
 * Rows come in (p, o, s, g) order, which an ORDER BY on a prefix of it
 * is told.  A row that is not a chunk fails the statement with
 * SQLITE_CORRUPT.
 */
#ifndef ICX_POSTINGS_VTAB_H
#define ICX_POSTINGS_VTAB_H

#include <sqlite3.h>

/* Makes the module icx_postings known to db.  An SQLite result code. */
int icx_postings_vtab_register(sqlite3 *db);

#endif

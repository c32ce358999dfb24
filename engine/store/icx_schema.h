/* icx_schema.h - the store's SQLite connection, for the query path
 * (internal; included by engine/store and engine/query only).
 *
 * engine/query translates SPARQL into SQL over the tables that
 * icx_storage.h documents (terms, quads) and runs it on this connection;
 * nothing else above the store reads the schema, and only engine/store
 * writes it.  tests/tree.test checks that no other folder includes
 * sqlite3.h.
 */
#ifndef ICX_SCHEMA_H
#define ICX_SCHEMA_H

#include <sqlite3.h>
#include "icx_id.h"
#include "icx_store.h"

/* The SQLite connection of store, lent for the life of store. */
sqlite3 *icx_store_db(icx_store *store);

#endif

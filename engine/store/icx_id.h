/* icx_id.h - the id of a term in a store (internal).
 *
 * Every IRI, blank node and literal a store holds has one id, >= 1 and
 * stable for the life of the store file; 0 means "no term" (an unbound
 * variable, a term the store does not have).  Code outside engine/store
 * and engine/query handles terms by id through the store's calls and never
 * sees the schema behind them.
 */
#ifndef ICX_ID_H
#define ICX_ID_H

/* The width of SQLite's integers, so that an array of ids is an array of
 * what the store reads and writes. */
typedef long long icx_id;

#endif

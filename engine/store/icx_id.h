/* icx_id.h - terms of a store: their ids, and terms as plain bytes
 * (internal).
 *
 * Every IRI, blank node and literal a store holds has one id, >= 1 and
 * stable for the life of the store file; 0 means "no term" (an unbound
 * variable, a term the store does not have).  Code outside engine/store
 * and engine/query handles terms by id through the store's calls and never
 * sees the schema behind them.
 */
#ifndef ICX_ID_H
#define ICX_ID_H

#include <stddef.h>

/* The width of SQLite's integers, so that an array of ids is an array of
 * what the store reads and writes. */
typedef long long icx_id;

enum { ICX_TERM_IRI = 1, ICX_TERM_BLANK = 2, ICX_TERM_LITERAL = 3 };

/* A term as plain bytes, as the loader hands it to the store.  Strings are
 * borrowed for the call they are passed to. */
typedef struct icx_term {
  int kind;                   /* ICX_TERM_IRI, ICX_TERM_BLANK or ICX_TERM_LITERAL */
  const char *lex;            /* the IRI, blank node id or lexical form (NUL at len) */
  size_t len;                 /* bytes of lex */
  const char *dt;             /* literal: datatype IRI, or NULL */
  const char *lang;           /* literal: language tag, or NULL */
} icx_term;

#endif

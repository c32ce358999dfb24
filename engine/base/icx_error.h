/* icx_error.h - result codes shared by every icx module.
 *
 * Codes are stable: never renumber, only append.  icx_strerror() gives one
 * static sentence per code; the detailed message for the last failure is on
 * the context (icx_ctx_errmsg()).
 */
#ifndef ICX_ERROR_H
#define ICX_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum icx_rc {
  ICX_OK = 0,
  ICX_ERR_NOMEM = 1,       /* out of memory */
  ICX_ERR_IO = 2,          /* a file could not be read or written */
  ICX_ERR_XML = 3,         /* XML input is not well-formed or has the wrong shape */
  ICX_ERR_CONSTRAINT = 4,  /* a constraint names an unknown attribute or value, or has a bad value */
  ICX_ERR_VOCAB = 5,       /* the vocabulary is missing, broken or inconsistent */
  ICX_ERR_RDF = 6,         /* an RDF document does not parse */
  ICX_ERR_INVALID = 7,     /* an RDF document parses but breaks the vocabulary */
  ICX_ERR_STORE = 8,       /* the store could not be opened, read or written */
  ICX_ERR_QUERY = 9,       /* a query could not be prepared or run */
  ICX_ERR_NOT_FOUND = 10,  /* the named thing does not exist */
  ICX_ERR_MISUSE = 11,     /* the API was called with bad arguments */
  ICX_ERR_LIMIT = 12,      /* input exceeds a configured limit */
  ICX_ERR_DAMAGED = 13     /* the store file is damaged (SQLite found corruption, or the
                              store's own invariants fail): run icx check */
} icx_rc;

/* Returns a static, never-NULL sentence describing rc. */
const char *icx_strerror(icx_rc rc);

#ifdef __cplusplus
}
#endif
#endif

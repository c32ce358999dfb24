/* icx_error.c - one static message per result code. */
#include "config.h"
#include "icx_error.h"

const char *
icx_strerror(icx_rc rc)
{
  /* No default: the compiler reports a code without a message. */
  switch (rc) {
  case ICX_OK:             return "success";
  case ICX_ERR_NOMEM:      return "out of memory";
  case ICX_ERR_IO:         return "input/output error";
  case ICX_ERR_XML:        return "malformed XML input";
  case ICX_ERR_CONSTRAINT: return "invalid constraint";
  case ICX_ERR_VOCAB:      return "vocabulary error";
  case ICX_ERR_RDF:        return "RDF document does not parse";
  case ICX_ERR_INVALID:    return "RDF document breaks the vocabulary";
  case ICX_ERR_STORE:      return "store error";
  case ICX_ERR_QUERY:      return "query error";
  case ICX_ERR_NOT_FOUND:  return "not found";
  case ICX_ERR_MISUSE:     return "API misuse";
  case ICX_ERR_LIMIT:      return "input exceeds a limit";
  case ICX_ERR_DAMAGED:    return "store is damaged; run icx check";
  }
  return "unknown result code";
}

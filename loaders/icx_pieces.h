/* icx_pieces.h - where a Turtle text may be cut into pieces that parse
 * alone (internal to the loader).
 *
 * raptor 2.0.15's Turtle parser keeps all the text it is given until the
 * end of the document, so the loader hands it one piece at a time, each
 * ending just after a statement's final '.' and each parsed after the
 * prologue: the @prefix and @base directives met so far, in order.  The
 * scanner knows just enough Turtle for that: IRIs, the four kinds of
 * string, comments, escapes, and the nesting of [] and ().
 */
#ifndef ICX_PIECES_H
#define ICX_PIECES_H

#include <stddef.h>
#include "icx_util.h"

typedef struct icx_pieces {
  icx_ctx *ctx;               /* whose allocator holds prologue and marks */
  size_t scan;                /* scanned up to here */
  size_t stmt;                /* where the statement being scanned began */
  size_t cut;                 /* just after the last statement's '.'; 0: none */
  int state, depth;
  int nosplit;                /* SPARQL-style PREFIX or BASE seen: no more cuts */
  icx_buf prologue;           /* every directive scanned, in order */
  size_t given;               /* prologue[0..given): those in parsed text */
  struct icx_piece_mark {     /* each directive not yet parsed: */
    size_t end;               /* where it ends in the text */
    size_t len;               /* prologue's length with it */
  } *marks;
  size_t n_marks, cap_marks;
  int oom;
} icx_pieces;

void icx_pieces_init(icx_pieces *p, icx_ctx *ctx);
void icx_pieces_free(icx_pieces *p);

/* Scans text[0..n) from where the last scan stopped (text may have grown
 * since, and moved) and returns the cut: text[0..cut) is whole statements.
 * Stops short of what it cannot decide yet (a '.' or a quote at the end).
 * A statement that is a SPARQL-style PREFIX or BASE (no final '.') stops
 * the cutting for good: the rest is one piece. */
size_t icx_pieces_scan(icx_pieces *p, const char *text, size_t n);

/* The last cut (0: none). */
size_t icx_pieces_cut(const icx_pieces *p);

/* Says that text[0..upto) (upto being the cut) was parsed and removed. */
void icx_pieces_consumed(icx_pieces *p, size_t upto);

/* The directives to parse before the next piece: those in the text
 * already consumed, in order (a directive inside the next piece takes
 * effect where it stands, not before).  Lent; *len gets its length.  NULL
 * when memory ran out. */
const char *icx_pieces_prologue(const icx_pieces *p, size_t *len);

#endif

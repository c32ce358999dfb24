/* icx_pieces.c - where a Turtle text may be cut into pieces that parse
 * alone (icx_pieces.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "icx_ctx_internal.h"
#include "icx_pieces.h"

enum { PS_TOP, PS_IRI, PS_STR1, PS_STR2, PS_LONG1, PS_LONG2, PS_COMMENT };

void
icx_pieces_init(icx_pieces *p, icx_ctx *ctx)
{
  memset(p, 0, sizeof *p);
  p->ctx = ctx;
  icx_buf_init(&p->prologue, ctx);
}

void
icx_pieces_free(icx_pieces *p)
{
  icx_buf_free(&p->prologue);
  icx_free(p->ctx, p->marks);
}

size_t
icx_pieces_cut(const icx_pieces *p)
{
  return p->cut;
}

void
icx_pieces_consumed(icx_pieces *p, size_t upto)
{
  size_t k = 0, j;

  /* Directives in the consumed text now precede every later piece. */
  while (k < p->n_marks && p->marks[k].end <= upto)
    p->given = p->marks[k++].len;
  for (j = k; j < p->n_marks; j++) {
    p->marks[j - k] = p->marks[j];
    p->marks[j - k].end -= upto;
  }
  p->n_marks -= k;
  p->scan -= upto;
  p->stmt -= upto;
  p->cut = 0;
}

const char *
icx_pieces_prologue(const icx_pieces *p, size_t *len)
{
  if (p->oom || icx_buf_failed(&p->prologue))
    return NULL;
  *len = p->given;
  return p->given ? p->prologue.data : "";
}

/* Appends the directive text[from..to) to the prologue, marked as ending
 * at `to` in the text. */
static void
add_directive(icx_pieces *p, const char *t, size_t from, size_t to)
{
  if (p->n_marks == p->cap_marks) {
    size_t ncap = p->cap_marks ? p->cap_marks * 2 : 8;
    struct icx_piece_mark *nm = icx_realloc(p->ctx, p->marks, ncap * sizeof *nm);
    if (!nm) {
      p->oom = 1;
      return;
    }
    p->marks = nm;
    p->cap_marks = ncap;
  }
  icx_buf_append_len(&p->prologue, t + from, to - from);
  icx_buf_append(&p->prologue, "\n");
  p->marks[p->n_marks].end = to;
  p->marks[p->n_marks].len = p->prologue.len;
  p->n_marks++;
}


/* 1 if the statement text[from..to) is a directive that must be repeated
 * before every later piece (@prefix, @base); 2 if it starts with a
 * SPARQL-style PREFIX or BASE, which has no final '.'.  *start receives
 * where it starts, past white space and comments. */
static int
directive_kind(const char *t, size_t from, size_t to, size_t *start)
{
  while (from < to) {
    if (icx_is_space((unsigned char)t[from])) {
      from++;
    } else if (t[from] == '#') {
      while (from < to && t[from] != '\n')
        from++;
    } else {
      break;
    }
  }
  *start = from;
  if (to - from > 7 && (!strncmp(t + from, "@prefix", 7) || !strncmp(t + from, "@base", 5)))
    return 1;
  if ((to - from > 6 && !strncasecmp(t + from, "prefix", 6) &&
       icx_is_space((unsigned char)t[from + 6])) ||
      (to - from > 4 && !strncasecmp(t + from, "base", 4) &&
       icx_is_space((unsigned char)t[from + 4])))
    return 2;
  return 0;
}

size_t
icx_pieces_scan(icx_pieces *p, const char *t, size_t n)
{
  size_t i = p->scan;

  while (i < n && !p->nosplit) {
    char ch = t[i];
    switch (p->state) {
    case PS_TOP:
      if (ch == '<') {
        p->state = PS_IRI;
      } else if (ch == '"' || ch == '\'') {
        if (i + 2 >= n)
          goto out;
        if (t[i + 1] == ch && t[i + 2] == ch) {
          p->state = ch == '"' ? PS_LONG2 : PS_LONG1;
          i += 2;
        } else {
          p->state = ch == '"' ? PS_STR2 : PS_STR1;
        }
      } else if (ch == '#') {
        p->state = PS_COMMENT;
      } else if (ch == '[' || ch == '(') {
        p->depth++;
      } else if (ch == ']' || ch == ')') {
        p->depth--;
      } else if (ch == '\\') {
        if (i + 1 >= n)
          goto out;
        i++;
      } else if (ch == '.' && p->depth == 0) {
        int kind;
        size_t start;
        if (i + 1 >= n)
          goto out;
        if (!icx_is_space((unsigned char)t[i + 1]) && t[i + 1] != '#')
          break;
        kind = directive_kind(t, p->stmt, i + 1, &start);
        if (kind == 2) {
          p->nosplit = 1;       /* PREFIX ... lumped with what follows */
          goto out;
        }
        if (kind == 1)
          add_directive(p, t, start, i + 1);
        p->stmt = p->cut = i + 1;
      }
      break;
    case PS_IRI:
      if (ch == '>')
        p->state = PS_TOP;
      else if (ch == '\\' && ++i >= n)
        goto out;
      break;
    case PS_STR1:
    case PS_STR2:
      if (ch == '\\') {
        if (i + 1 >= n)
          goto out;
        i++;
      } else if (ch == (p->state == PS_STR2 ? '"' : '\'')) {
        p->state = PS_TOP;
      }
      break;
    case PS_LONG1:
    case PS_LONG2: {
      char q = p->state == PS_LONG2 ? '"' : '\'';
      if (ch == '\\') {
        if (i + 1 >= n)
          goto out;
        i++;
      } else if (ch == q) {
        if (i + 2 >= n)
          goto out;
        if (t[i + 1] == q && t[i + 2] == q) {
          p->state = PS_TOP;
          i += 2;
        }
      }
      break;
    }
    case PS_COMMENT:
      if (ch == '\n' || ch == '\r')
        p->state = PS_TOP;
      break;
    }
    i++;
  }
out:
  p->scan = i;
  return p->cut;
}


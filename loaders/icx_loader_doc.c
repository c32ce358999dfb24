/* icx_loader_doc.c - one document, from its first byte to the commit:
 * raptor fed in pieces (for Turtle), inside one store transaction, the
 * writer drained and the graph checked at the end.  File-local names
 * begin doc_. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "icx_ctx_internal.h"
#include "icx_loader_internal.h"
#include "icx_util.h"

#define READ_CHUNK 65536

/* Turtle is read in pieces that end at a statement's final '.'
 * (icx_pieces.h): raptor's Turtle parser keeps the whole text it is given
 * until the end, so one piece at a time bounds its memory.  Each piece is
 * parsed after the @prefix and @base directives seen so far. */
#define PIECE_BYTES ((size_t)1 << 20)

static const char *
doc_raptor_name(icx_format f)
{
  switch (f) {
  case ICX_FORMAT_TURTLE: return "turtle";
  case ICX_FORMAT_RDFXML: return "rdfxml";
  case ICX_FORMAT_NTRIPLES: return "ntriples";
  case ICX_FORMAT_AUTO: break;
  }
  return NULL;
}

/* Parses text[0..upto) (after the prologue, for a piece) as a whole.
 * Returns raptor's result. */
static int
doc_parse_piece(icx_loader_doc *d, size_t upto)
{
  size_t plen = 0, i;
  const char *prologue = icx_pieces_prologue(&d->pieces, &plen);
  long lines = 0, prologue_lines = 0;
  int prc;

  if (!prologue) {
    d->rc = icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
    return 1;
  }
  for (i = 0; i < plen; i++)
    prologue_lines += prologue[i] == '\n';
  d->line_adjust = prologue_lines - (d->line0 - 1);
  if (raptor_parser_parse_start(d->parser, d->base))
    return 1;
  prc = plen ? raptor_parser_parse_chunk(d->parser, (const unsigned char *)prologue, plen, 0)
             : 0;
  if (!prc)
    prc = raptor_parser_parse_chunk(d->parser, (const unsigned char *)d->text, upto, 1);
  for (i = 0; i < upto; i++)
    lines += d->text[i] == '\n';
  d->line0 += lines;
  if (upto < d->len)        /* an empty document has no text at all */
    memmove(d->text, d->text + upto, d->len - upto);
  d->len -= upto;
  icx_pieces_consumed(&d->pieces, upto);
  return prc;
}

/* Takes n more bytes of the document (n == 0 at the end).  Turtle is
 * parsed piece by piece, anything else as it comes.  Returns raptor's
 * result. */
static int
doc_feed(icx_loader_doc *d, const unsigned char *p, size_t n, int end)
{
  if (n && (d->rc = icx_loader_guard_scan(d, p, n)))
    return 1;
  if (!d->split) {
    return raptor_parser_parse_chunk(d->parser, p, n, end);
  }
  if (d->len + n > d->cap) {
    size_t cap = d->cap ? d->cap : PIECE_BYTES + READ_CHUNK;
    char *nt;
    while (cap < d->len + n)
      cap *= 2;
    if (!(nt = icx_realloc(d->l->ctx, d->text, cap))) {
      d->rc = icx_fail(d->l->ctx, ICX_ERR_NOMEM, "out of memory");
      return 1;
    }
    d->text = nt;
    d->cap = cap;
  }
  if (n)
    memcpy(d->text + d->len, p, n);
  d->len += n;
  if (end)
    return doc_parse_piece(d, d->len);
  if (icx_pieces_scan(&d->pieces, d->text, d->len) >= PIECE_BYTES)
    return doc_parse_piece(d, icx_pieces_cut(&d->pieces));
  return 0;
}

/* Reads from fp, or from buf/len when fp is NULL. */
icx_rc
icx_loader_document(icx_loader *l, const char *source, const char *doc_uri, const char *base,
                    icx_format fmt, FILE *fp, const unsigned char *buf, size_t len)
{
  icx_ctx *ctx = l->ctx;
  icx_store *store = l->store;
  icx_loader_doc d;
  icx_rc rc = ICX_OK;
  size_t total = 0, done = 0, count = 0;
  int prc = 0, begun = 0;
  struct stat sb;
  double t0 = icx_now_ms(), t1, t2, t3;

  memset(&d, 0, sizeof d);
  d.l = l;
  d.source = source;
  d.line0 = 1;
  d.split = fmt == ICX_FORMAT_TURTLE;
  icx_loader_guard_init(&d.guard, fmt);
  icx_pieces_init(&d.pieces, l->ctx);
  d.rw = l->rw;
  raptor_world_set_log_handler(d.rw, &d, icx_loader_on_log);
  raptor_world_set_generate_bnodeid_handler(d.rw, &d, icx_loader_on_bnodeid);
  snprintf(d.blank_prefix, sizeof d.blank_prefix, "d%016llx_",
           (unsigned long long)icx_hash_str(doc_uri));
  d.prefix_len = strlen(d.blank_prefix);
  d.parser = raptor_new_parser(d.rw, doc_raptor_name(fmt));
  d.base = raptor_new_uri(d.rw, (const unsigned char *)base);
  if (!d.parser || !d.base) {
    rc = icx_fail(ctx, ICX_ERR_NOMEM, "out of memory");
    goto done;
  }
  raptor_parser_set_option(d.parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(d.parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(d.parser, &d, icx_loader_on_statement);
  /* The store refuses a cloud another document has (icx_store.h). */
  if ((rc = icx_store_set_name_property(store, icx_vocab_name_property(l->vocab))))
    goto done;
  if ((rc = icx_store_document_begin(store, doc_uri)))
    goto done;
  begun = 1;
  if ((rc = icx_store_document_set_owner(store, l->owner)))
    goto done;
  if (icx_loader_writer_open(&d.w, store)) {
    rc = icx_fail(ctx, icx_loader_store_rc(store), "%s: cannot write to the store: %s", source,
                  icx_store_errmsg(store));
    goto done;
  }
  if (fp)
    total = fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) ? (size_t)sb.st_size : 0;
  else
    total = len;
  if (raptor_parser_parse_start(d.parser, d.base) == 0) {
    unsigned char chunk[READ_CHUNK];
    for (;;) {
      const unsigned char *piece = fp ? chunk : buf + done;
      size_t got = fp ? fread(chunk, 1, sizeof chunk, fp)
                      : (len - done < READ_CHUNK ? len - done : READ_CHUNK);
      if (!got)
        break;
      done += got;
      prc = doc_feed(&d, piece, got, 0);
      if (prc || d.errors || d.rc)
        break;
      if (l->progress)
        l->progress(l->progress_ud, source, done, total, d.parsed, 0);
    }
    if (fp && ferror(fp)) {
      rc = icx_fail(ctx, ICX_ERR_IO, "%s: read error: %s", source, strerror(errno));
      goto done;
    }
    if (prc == 0 && !d.errors && !d.rc)
      prc = doc_feed(&d, NULL, 0, 1);
  } else {
    prc = 1;
  }
  if (d.rc) {
    rc = d.rc;
    goto done;
  }
  if (prc || d.errors) {
    if (!d.errors)
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s: does not parse", source);
    else if (d.err_line > 0 && d.err_column > 0)
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s:%ld:%d: %s", source, d.err_line, d.err_column,
                    d.err_text);
    else if (d.err_line > 0)
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s:%ld: %s", source, d.err_line, d.err_text);
    else
      rc = icx_fail(ctx, ICX_ERR_RDF, "%s: %s", source, d.err_text);
    goto done;
  }
  t1 = icx_now_ms();
  if (icx_loader_writer_finish(&d.w, 1)) {
    rc = icx_fail(ctx, icx_loader_store_rc(store), "%s: cannot write the triples: %s", source,
                  icx_store_errmsg(store));
    goto done;
  }
  t2 = icx_now_ms();
  if ((rc = icx_loader_check_graph(&d, doc_uri)))
    goto done;
  t3 = icx_now_ms();
  count = icx_loader_writer_added(&d.w);
  if (!l->dry_run) {
    rc = icx_store_document_commit(store, source, icx_format_name(fmt), count);
    begun = 0;
  } else if ((rc = icx_store_document_check(store, source))) {
    goto done;
  }
  icx_log(ctx, ICX_LOG_DEBUG, "loader", "%s: parsed in %.0f ms, writes done %.0f ms later, "
          "graph checks %.0f ms, commit %.0f ms", source, t1 - t0, t2 - t1, t3 - t2,
          icx_now_ms() - t3);
done:
  icx_loader_writer_finish(&d.w, 0);
  if (begun)
    icx_store_document_abort(store);
  if (l->progress)
    l->progress(l->progress_ud, source, done, total, rc ? d.parsed : count, 1);
  if (l->report)
    l->report(l->report_ud, source, rc, rc ? icx_ctx_errmsg(ctx) : "", rc ? 0 : (long)count);
  icx_loader_writer_free(&d.w);
  icx_loader_memo_free(&d);
  icx_free(ctx, d.text);
  icx_pieces_free(&d.pieces);
  if (d.base)
    raptor_free_uri(d.base);
  if (d.parser)
    raptor_free_parser(d.parser);
  raptor_world_set_log_handler(l->rw, NULL, NULL);
  raptor_world_set_generate_bnodeid_handler(l->rw, NULL, NULL);
  return rc;
}

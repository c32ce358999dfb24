/* icx_storage_quads.c - the icx storage's writes of quads one at a time:
 * a statement added to or removed from a graph, a graph's quads removed,
 * with what is kept beside the quads (graph_subjects, the postings:
 * icx_schema.h).  The bulk path (icx_storage_bulk.c) writes many at once;
 * librdf's methods that call these are icx_storage.c's.
 */
#include "config.h"

#include <stdio.h>

#include "icx_storage_internal.h"

/* Runs the fixed statement q with ?1 = a and ?2 = b (when q has it).
 * 0, or -1 with the failure said as what. */
static int
quads_run2(icx_storage_inst *t, int q, sqlite3_int64 a, sqlite3_int64 b, const char *what)
{
  sqlite3_stmt *st = icx_storage_q(t, q);
  int rc;

  if (!st)
    return -1;
  sqlite3_bind_int64(st, 1, a);
  if (sqlite3_bind_parameter_count(st) > 1)
    sqlite3_bind_int64(st, 2, b);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : icx_storage_fail(t, what);
}

int
icx_storage_valid_statement(librdf_statement *st)
{
  librdf_node *s, *p, *o;

  if (!st)
    return 0;
  s = librdf_statement_get_subject(st);
  p = librdf_statement_get_predicate(st);
  o = librdf_statement_get_object(st);
  return s && p && o && (librdf_node_is_resource(s) || librdf_node_is_blank(s)) &&
         librdf_node_is_resource(p);
}

/* Runs st, Q_QUAD_INS or Q_QUAD_DEL on the quad (s, p, o, g), which gives
 * a row back, the quad's number, when it wrote one.  1 with *has_num and
 * *num set when it did, 0 when it changed nothing, -1 on failure (said
 * as what). */
static int
quads_write(icx_storage_inst *t, int q, sqlite3_int64 s, sqlite3_int64 p, sqlite3_int64 o,
            sqlite3_int64 g, int *has_num, double *num, const char *what)
{
  sqlite3_stmt *st = icx_storage_q(t, q);
  int rc;

  if (!st)
    return -1;
  sqlite3_bind_int64(st, 1, s);
  sqlite3_bind_int64(st, 2, p);
  sqlite3_bind_int64(st, 3, o);
  sqlite3_bind_int64(st, 4, g);
  if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : icx_storage_fail(t, what);
  }
  *has_num = sqlite3_column_type(st, 0) != SQLITE_NULL;
  *num = sqlite3_column_double(st, 0);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 1 : icx_storage_fail(t, what);
}

int
icx_storage_add_quad(icx_storage_inst *t, librdf_statement *x, sqlite3_int64 g)
{
  sqlite3_int64 s, p, o;
  double num = 0;
  int rc, has_num = 0;

  if (!icx_storage_valid_statement(x)) {
    snprintf(t->errmsg, sizeof t->errmsg, "a statement needs an IRI or blank subject and an "
             "IRI predicate");
    librdf_log(t->world, 0, LIBRDF_LOG_ERROR, LIBRDF_FROM_STORAGE, NULL, "icx storage %s: %s",
               t->path, t->errmsg);
    return -1;
  }
  if ((s = icx_storage_term_id(t, librdf_statement_get_subject(x), 1)) <= 0 ||
      (p = icx_storage_term_id(t, librdf_statement_get_predicate(x), 1)) <= 0 ||
      (o = icx_storage_term_id(t, librdf_statement_get_object(x), 1)) <= 0)
    return -1;
  if ((rc = quads_write(t, Q_QUAD_INS, s, p, o, g, &has_num, &num,
                        "cannot add a statement")) <= 0)
    return rc;
  if (icx_storage_postings_add(t, s, p, o, g, has_num, num))
    return -1;
  return quads_run2(t, Q_SUBJ_INS, g, s, "cannot add a statement") ? -1 : 1;
}

/* The id of a context node, created when missing; 0 for NULL; -1 on error. */
sqlite3_int64
icx_storage_context_id(icx_storage_inst *t, librdf_node *context, int create)
{
  if (!context)
    return 0;
  if (!librdf_node_is_resource(context)) {
    snprintf(t->errmsg, sizeof t->errmsg, "a context must be an IRI");
    return -1;
  }
  return icx_storage_term_id(t, context, create);
}

int
icx_storage_remove_quad(icx_storage_inst *t, librdf_statement *x, sqlite3_int64 g)
{
  sqlite3_int64 s, p, o;
  double num = 0;
  int rc, has_num = 0;

  if (!icx_storage_valid_statement(x))
    return -1;
  s = icx_storage_term_id(t, librdf_statement_get_subject(x), 0);
  p = icx_storage_term_id(t, librdf_statement_get_predicate(x), 0);
  o = icx_storage_term_id(t, librdf_statement_get_object(x), 0);
  if (s < 0 || p < 0 || o < 0)
    return -1;
  if (!s || !p || !o)
    return 0;                 /* an unknown term: nothing to remove */
  if ((rc = quads_write(t, Q_QUAD_DEL, s, p, o, g, &has_num, &num,
                        "cannot remove a statement")) <= 0)
    return rc;
  if (icx_storage_postings_remove(t, s, p, o, g, has_num, num))
    return -1;
  /* s leaves the graph's subjects with its last quad there. */
  return quads_run2(t, Q_SUBJ_DEL, g, s, "cannot remove a statement");
}

int
icx_storage_remove_graph(icx_storage_inst *t, sqlite3_int64 g)
{
  sqlite3_stmt *st;
  int rc, whole;

  /* A graph that is (nearly) the whole store, as one large document: its
   * quads go, then the postings are made again from the few left (a
   * chunk edit a quad would take minutes for millions). */
  if ((whole = icx_storage_graph_is_store(t, g)) < 0)
    return -1;
  if (whole || t->indexes_dropped)   /* set aside: built at the end anyway */
    return quads_run2(t, Q_QUAD_DEL_G, g, 0, "cannot remove a context") ||
           quads_run2(t, Q_SUBJ_DEL_G, g, 0, "cannot remove a context") ||
           (!t->indexes_dropped && icx_storage_postings_build(t)) ? -1 : 0;
  /* Else first the pairs of its quads leave the postings
   * (icx_storage_postings_remove() keeps a pair by number that another
   * graph holds), then the quads, then the subjects through which they
   * were found. */
  if (!(st = icx_storage_q(t, Q_QUADS_G)))
    return -1;
  sqlite3_bind_int64(st, 1, g);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (icx_storage_postings_remove(t, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                    sqlite3_column_int64(st, 2), g,
                                    sqlite3_column_type(st, 3) != SQLITE_NULL,
                                    sqlite3_column_double(st, 3)))
      break;
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return -1;
  if (rc != SQLITE_DONE)
    return icx_storage_fail(t, "cannot remove a context");
  return quads_run2(t, Q_QUAD_DEL_G, g, 0, "cannot remove a context") ||
         quads_run2(t, Q_SUBJ_DEL_G, g, 0, "cannot remove a context") ? -1 : 0;
}

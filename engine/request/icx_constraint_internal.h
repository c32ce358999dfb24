/* icx_constraint_internal.h - the constraint set's layout and the functions
 * its files share (not installed; only engine/request includes it).
 *
 * icx_constraint.c holds the set (ops, lifecycle, adding a constraint,
 * accessors); icx_constraint_values.c parses, checks and re-formats the
 * requested values; icx_constraint_xml.c reads the constraint XML.
 */
#ifndef ICX_CONSTRAINT_INTERNAL_H
#define ICX_CONSTRAINT_INTERNAL_H

#include <stddef.h>

#include "icx_constraint.h"
#include "icx_util.h"

/* Appends set's canonical form (icx_constraints_key()) to b. */
void icx_constraints_key_append(icx_buf *b, const icx_constraints *set);

typedef struct constraint_item {
  const icx_attribute *attr;
  icx_op op;
  int required;
  int weight;
  int explicit_op;           /* op='...' was given */
  size_t n_values;
  char **values;             /* canonical forms */
  const icx_individual **inds;  /* per value; NULL unless individual-valued */
  /* A distance constraint (icx_attribute_place): the place it is counted
   * from, and the places of the place attribute that meet it. */
  const icx_individual *from;
  const icx_individual **places;
  size_t n_places;
} constraint_item;

struct icx_constraints {
  icx_ctx *ctx;                /* made with; its allocator holds the items */
  const icx_vocab *vocab;
  constraint_item *items;
  size_t n;
  size_t cap;
};

/* icx_constraint.c: the general add, behind every icx_constraints_add_*
 * and the XML reader: resolves the attribute name, checks op, weight and
 * the number of values, resolves each value (in units[k], if units and
 * units[k] are not NULL) and, for a distance attribute, the place it is
 * counted from (from, or NULL).  Strings are copied.  Errors as for
 * icx_constraints_add_distance(). */
/* A new empty set on vocab whose memory comes from ctx's allocator; NULL
 * when out of memory. */
icx_constraints *icx_constraint_set_new(icx_ctx *ctx, const icx_vocab *vocab);

icx_rc icx_constraint_add_item(icx_ctx *ctx, icx_constraints *set, const char *name,
                               const char *op_name, const char *const *values,
                               const char *const *units, const char *from, size_t n,
                               int required, int weight);

/* icx_constraint_values.c. */
/* Resolves one requested value of attribute a (in unit, if not NULL):
 * *canon gets a new string made with mem (the set's context: the set
 * owns it), *ind the individual for individual-valued attributes.  On
 * failure both are NULL and ctx's message is set. */
icx_rc icx_constraint_resolve_value(icx_ctx *ctx, icx_ctx *mem, const icx_vocab *vocab,
                                    const icx_attribute *a, const char *raw,
                                    const char *unit, char **canon,
                                    const icx_individual **ind);
/* The checks and resolution a distance attribute adds (from='...'):
 * it->from and the places that meet it (it->op and it->values[0] set),
 * it->places made with mem. */
icx_rc icx_constraint_resolve_distance(icx_ctx *ctx, icx_ctx *mem, const icx_attribute *a,
                                       const char *from, constraint_item *it);

/* Which reader icx_constraints_parse_reader() uses (icx_constraint_xml.c):
 * BOTH is icx_constraints_parse() (fast, then placed on failure); FAST
 * alone answers ICX_ERR_XML with no useful message on any failure but
 * memory; PLACED alone is the reader whose verdict counts.  For tests and
 * fuzz_constraint, which check that FAST never accepts what PLACED
 * refuses and reads the same set when both accept. */
typedef enum icx_constraint_reader {
  ICX_CONSTRAINT_READ_BOTH = 0,
  ICX_CONSTRAINT_READ_FAST = 1,
  ICX_CONSTRAINT_READ_PLACED = 2
} icx_constraint_reader;

icx_rc icx_constraints_parse_reader(icx_ctx *ctx, const icx_vocab *vocab, const char *xml,
                                    size_t len, icx_constraint_reader reader,
                                    icx_constraints **out);

#endif

/* icx_vocab.h - the vocabulary: what requesters may constrain, and how.
 *
 * A vocabulary is read from every .ttl file of one folder (the ontology).
 * Nothing about attributes is compiled into icx: names, aliases, datatypes,
 * comparison rules, individuals and their broader/narrower relations all
 * come from those files.  doc/ontology.md describes the terms it reads.
 *
 * A loaded vocabulary is immutable and may be shared read-only by several
 * threads.  Every pointer it hands out is lent and lives as long as it.
 */
#ifndef ICX_VOCAB_H
#define ICX_VOCAB_H

#include <stddef.h>
#include "icx_ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Namespace of the annotation terms icx reads (icxm:alias, icxm:rule...). */
#define ICX_MATCH_NS "urn:icx:match#"

typedef struct icx_vocab icx_vocab;
typedef struct icx_attribute icx_attribute;
typedef struct icx_individual icx_individual;
typedef struct icx_unit icx_unit;

typedef enum icx_datatype {
  ICX_TYPE_DECIMAL = 0,     /* xsd:decimal (and xsd:double/float in data) */
  ICX_TYPE_INTEGER = 1,     /* xsd:integer and its derived types */
  ICX_TYPE_BOOLEAN = 2,     /* xsd:boolean */
  ICX_TYPE_STRING = 3,      /* xsd:string */
  ICX_TYPE_INDIVIDUAL = 4   /* an individual of the attribute's range class */
} icx_datatype;

typedef enum icx_rule {
  ICX_RULE_AT_LEAST = 0,    /* the offer is >= the requested value */
  ICX_RULE_AT_MOST = 1,     /* the offer is <= the requested value */
  ICX_RULE_EQUALS = 2,      /* the offer equals the requested value */
  ICX_RULE_INCLUDES = 3     /* some offered value is the requested one or narrower */
} icx_rule;

/* Loads every *.ttl file of dir (not recursively, in name order).
 * On success *out owns a new vocabulary; free it with icx_vocab_free().
 * Errors: ICX_ERR_IO (folder unreadable, no .ttl file), ICX_ERR_VOCAB
 * (a file does not parse, or a term is incomplete: the message names the
 * file and term), ICX_ERR_NOMEM. */
icx_rc icx_vocab_load(icx_ctx *ctx, const char *dir, icx_vocab **out);

/* As icx_vocab_load(), through a compiled copy of the vocabulary kept in
 * a file of the user's cache, for programs that start often (the CLI).
 * cache_dir: the folder of that file; NULL for $XDG_CACHE_HOME/icx, else
 * $HOME/.cache/icx.  The copy is used only when it was written by this
 * very build of icx for the folder dir as it is now (every .ttl file's
 * name, size, times, inode and bytes); otherwise the Turtle files are read
 * and the copy written again (atomically, by rename).  A damaged copy is
 * refused with a warning and rewritten; a copy that cannot be written is
 * reported at level info.  Folders and files are made only inside folders
 * the effective user owns, and a copy is read only when the effective user
 * owns it and no one else may write it.  The cache never makes a load
 * fail: the errors are those of icx_vocab_load(). */
icx_rc icx_vocab_load_cached(icx_ctx *ctx, const char *dir, const char *cache_dir,
                             icx_vocab **out);

/* NULL is a no-op. */
void icx_vocab_free(icx_vocab *vocab);

/* The context vocab was loaded with (its allocator holds the vocabulary;
 * icx_constraints_new() allocates with it too).  Lent. */
icx_ctx *icx_vocab_ctx(const icx_vocab *vocab);

/* The vocabulary's identity within this process: a number > 0 that no
 * other vocabulary loaded (or decoded from the cache) by this process
 * had, so that what was worked out from one (a cached plan) is never
 * taken for another's, even at the same address.  0 for NULL. */
unsigned long long icx_vocab_serial(const icx_vocab *vocab);

/* The folder given to the default icx_vocab_load() callers: the value of
 * $ICX_ONTOLOGY if set, else the installed ontology folder.  Lent. */
const char *icx_vocab_default_dir(void);

size_t icx_vocab_attribute_count(const icx_vocab *vocab);
const icx_attribute *icx_vocab_attribute(const icx_vocab *vocab, size_t i);

/* Finds an attribute by its IRI, label or alias, or by the IRI of a
 * foreign property declared equivalent to it.  Names are compared after
 * trimming surrounding whitespace and folding ASCII case.  NULL if none. */
const icx_attribute *icx_vocab_find_attribute(const icx_vocab *vocab, const char *name);

/* A sentence-ready, comma-separated list of every attribute label, for
 * error messages ("availability, replicationFactor, ...").  Lent. */
const char *icx_vocab_attribute_names(const icx_vocab *vocab);

/* Structural terms (declared in the ontology with icxm:CloudClass,
 * icxm:OffersProperty, icxm:NameProperty).  Lent IRIs. */
const char *icx_vocab_cloud_class(const icx_vocab *vocab);
const char *icx_vocab_offers_property(const icx_vocab *vocab);
const char *icx_vocab_name_property(const icx_vocab *vocab);

/* The vocabulary's namespaces (vann:preferredNamespaceUri). */
size_t icx_vocab_namespace_count(const icx_vocab *vocab);
const char *icx_vocab_namespace(const icx_vocab *vocab, size_t i);
/* 1 if iri starts with one of the vocabulary's namespaces. */
int icx_vocab_in_namespace(const icx_vocab *vocab, const char *iri);
/* 1 if iri is a class, property or individual the vocabulary defines. */
int icx_vocab_defines(const icx_vocab *vocab, const char *iri);

/* Alignment (owl:equivalentProperty, owl:equivalentClass): the term of
 * this vocabulary that iri, a term of another vocabulary, is declared to
 * mean, or NULL.  Each foreign term means one term at most (checked at
 * load).  Lent. */
const char *icx_vocab_equivalent_property(const icx_vocab *vocab, const char *iri);
const char *icx_vocab_equivalent_class(const icx_vocab *vocab, const char *iri);

/* Classes: 1 if class_iri is sub_iri or a (transitive) superclass of it. */
int icx_vocab_class_subsumes(const icx_vocab *vocab, const char *class_iri,
                             const char *sub_iri);
/* Every class that class_iri subsumes, itself included, as a NULL-ended
 * array of lent IRIs (NULL if class_iri is unknown).  Lent. */
const char *const *icx_vocab_subclasses(const icx_vocab *vocab, const char *class_iri);

/* Attributes. */
const char *icx_attribute_iri(const icx_attribute *a);
const char *icx_attribute_label(const icx_attribute *a);
const char *icx_attribute_comment(const icx_attribute *a);   /* "" if none */
size_t icx_attribute_alias_count(const icx_attribute *a);
const char *icx_attribute_alias(const icx_attribute *a, size_t i);
icx_datatype icx_attribute_type(const icx_attribute *a);
icx_rule icx_attribute_rule(const icx_attribute *a);
/* The class of the things the attribute describes (rdfs:domain). */
const char *icx_attribute_domain(const icx_attribute *a);
/* The datatype IRI, or the class of individuals for ICX_TYPE_INDIVIDUAL. */
const char *icx_attribute_range(const icx_attribute *a);
/* Individuals that are values of the attribute (ICX_TYPE_INDIVIDUAL only;
 * 0 otherwise), in label order. */
size_t icx_attribute_value_count(const icx_attribute *a);
const icx_individual *icx_attribute_value(const icx_attribute *a, size_t i);
/* Resolves a requested value to an individual of the attribute's range by
 * IRI, label, notation or alias (trimmed, ASCII case folded).  NULL if
 * none. */
const icx_individual *icx_attribute_find_value(const icx_attribute *a, const char *name);
/* Labels of every value separated by "; " (labels may hold commas), for
 * error messages and listings.  Lent. */
const char *icx_attribute_value_names(const icx_attribute *a);

/* Distance attributes (icxm:placeAttribute, icxm:figureClass;
 * doc/ontology.md, "Network latency"): not stated by documents but worked
 * out from the place attribute's values and a table of figures between
 * zones.  The place attribute, or NULL for an ordinary attribute. */
const icx_attribute *icx_attribute_place(const icx_attribute *a);
/* The figure between places x and y (values of the place attribute): each
 * counts by the table's zones it lies in (or is), or if none, the zones
 * the places in it lie in (EMEA: Europe, Africa and, through the Middle
 * East, Asia); *least and *most get the smallest and largest figure over those
 * pairs of zones.  Returns 1, or 0 when a place has no zone or a pair has
 * no figure (nothing is written then). */
int icx_attribute_distance(const icx_attribute *a, const icx_individual *x,
                           const icx_individual *y, double *least, double *most);

/* Individuals. */
const char *icx_individual_iri(const icx_individual *ind);
const char *icx_individual_label(const icx_individual *ind);
/* The individual and every individual narrower than it (transitively, via
 * skos:broader), as a NULL-ended array.  Lent. */
const icx_individual *const *icx_individual_narrower(const icx_individual *ind);

/* Units (icxm:Unit individuals; doc/ontology.md, "Units").  A simple unit
 * has a quantity kind and a factor (how many of the kind's base unit one of
 * it is); a derived unit is a numerator unit per one or more denominator
 * units, its kind and factor derived from theirs. */
/* The unit an attribute's numbers are in (icxm:unit), or NULL. */
const icx_unit *icx_attribute_unit(const icx_attribute *a);
/* Finds a unit by IRI, label or alias: exactly, or for names longer than
 * three characters ignoring case when that finds one unit only (symbols are
 * case-sensitive: MB is not Mb).  NULL if none. */
const icx_unit *icx_vocab_find_unit(const icx_vocab *vocab, const char *name);
const char *icx_unit_iri(const icx_unit *u);
const char *icx_unit_label(const icx_unit *u);
/* The kind, as the kind IRIs of numerator and denominators joined by
 * " per ": two units convert into each other when their kinds are equal. */
const char *icx_unit_kind(const icx_unit *u);
double icx_unit_factor(const icx_unit *u);
/* Labels of the units of the same kind as u, "; "-separated.  Lent. */
const char *icx_unit_peers(const icx_unit *u);

/* "Did you mean": for an error that refuses the unknown name, a sentence
 * listing the known attributes / values of a / units of unit's kind,
 * nearest to name first (edit distance over labels, aliases, notations and
 * symbols, case folded), led by `did you mean "X"? ` when one is close.
 * Cut after a whole label past about 400 bytes.  A new string of ctx's
 * allocator (icx_free()), or NULL on ENOMEM. */
char *icx_vocab_suggest_attributes(const icx_vocab *vocab, icx_ctx *ctx, const char *name);
char *icx_attribute_suggest_values(const icx_attribute *a, icx_ctx *ctx, const char *name);
char *icx_vocab_suggest_units(const icx_vocab *vocab, const icx_unit *unit, icx_ctx *ctx,
                              const char *name);

/* Static names for enums ("decimal", "at least", ...). */
const char *icx_datatype_name(icx_datatype t);
const char *icx_rule_name(icx_rule r);

#ifdef __cplusplus
}
#endif
#endif

/* icx_vocab_internal.h - the vocabulary's tables and the functions its
 * files share while loading (not installed; only engine/vocab includes it).
 *
 * Loading runs in steps, each in a file of its own: icx_vocab_read.c
 * parses the .ttl files into a temporary librdf model and reads terms out
 * of it; icx_vocab_tables.c builds classes, individuals and attributes;
 * icx_vocab_units.c the units; icx_vocab_distance.c the figure tables of
 * distance attributes; icx_vocab_align.c the equivalences with other
 * vocabularies.  icx_vocab.c runs the steps and holds the accessors.
 */
#ifndef ICX_VOCAB_INTERNAL_H
#define ICX_VOCAB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "icx_ctx.h"
#include "icx_rdf.h"
#include "icx_vocab.h"

#define NS_RDF  "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define NS_OWL  "http://www.w3.org/2002/07/owl#"
#define NS_XSD  "http://www.w3.org/2001/XMLSchema#"
#define NS_SKOS "http://www.w3.org/2004/02/skos/core#"
#define NS_VANN "http://purl.org/vocab/vann/"

struct icx_individual {
  char *iri;
  char *label;
  char **names;            /* label(s), notations, aliases */
  char **norms;            /* the same, in comparison form (icx_norm_name) */
  size_t n_names;
  char **types;            /* rdf:type IRIs */
  size_t n_types;
  char **broader;          /* skos:broader IRIs */
  size_t n_broader;
  const icx_individual **narrower;  /* NULL-ended, self first */
};

struct icx_attribute {
  char *iri;
  char *label;
  char *comment;
  char **aliases;
  size_t n_aliases;
  icx_datatype type;
  icx_rule rule;
  char *domain;
  char *range;
  const icx_individual **values;    /* sorted by label */
  const icx_individual **by_iri;    /* the same, sorted by IRI */
  size_t n_values;
  const icx_unit *unit;
  char *value_names;
  /* A distance attribute (icxm:placeAttribute): worked out from where the
   * place attribute puts a service and a table of figures between zones. */
  char *place_iri, *figure_class;   /* as read */
  const icx_attribute *place;
  const icx_individual **zones;
  size_t n_zones;                   /* at most 64 */
  double *figures;                  /* n_zones x n_zones; NAN: no figure */
  uint64_t *zone_masks;             /* per value of place, in its by_iri
                                       order: the zones it counts by */
};

struct icx_unit {
  char *iri;
  char *label;
  char **names;
  size_t n_names;
  char *kind;              /* NULL until resolved */
  double factor;
  char *peers;
  int resolving;           /* cycle guard */
};

/* An equivalence read from owl:equivalentProperty / owl:equivalentClass:
 * a term of another vocabulary (outer) that means a term of this one. */
typedef struct vocab_equiv {
  char *outer;
  char *inner;             /* the vocabulary's own term */
  int is_class;
} vocab_equiv;

typedef struct vocab_class {
  char *iri;
  char **supers;           /* direct rdfs:subClassOf */
  size_t n_supers;
  const char **subs;       /* NULL-ended closure, self included */
} vocab_class;

struct icx_vocab {
  icx_ctx *ctx;            /* made with; its allocator holds every table */
  icx_attribute *attrs;
  size_t n_attrs;
  icx_individual *inds;
  size_t n_inds;
  vocab_class *classes;
  size_t n_classes;
  char **namespaces;
  size_t n_namespaces;
  char **defined;          /* sorted subject IRIs */
  size_t n_defined;
  char *cloud_class;
  char *offers;
  char *name_prop;
  char *attribute_names;
  icx_unit *units;
  size_t n_units;
  vocab_equiv *equivs;          /* sorted by outer IRI */
  size_t n_equivs;
  unsigned long long serial;    /* icx_vocab_serial(): set when made, never cached */
};

/* A serial number no other vocabulary of this process had (icx_vocab.c). */
unsigned long long icx_vocab_next_serial(void);

/* --- loading --------------------------------------------------------------- */

/* The temporary model the .ttl files are parsed into; freed once the
 * tables are built, so a loaded vocabulary holds no RDF-library state. */
typedef struct vocab_loadstate {
  icx_ctx *ctx;
  librdf_world *world;
  librdf_storage *storage;
  librdf_model *model;
} vocab_loadstate;

/* icx_vocab_read.c: the model and reading terms out of it. */

/* Opens an empty in-memory model on the context's world.  Returns 0, or -1
 * (no message set) when out of memory; close it in any case. */
int icx_vocab_model_open(vocab_loadstate *ls, icx_ctx *ctx);
/* Frees the model; a zeroed or half-opened state is fine. */
void icx_vocab_model_close(vocab_loadstate *ls);
/* The names of the *.ttl files of dir (not hidden ones), sorted, as new
 * strings: what icx_vocab_parse_folder() reads.  ICX_ERR_IO (the folder
 * cannot be read or has no .ttl file), ICX_ERR_NOMEM; *files is NULL then. */
icx_rc icx_vocab_list_files(icx_ctx *ctx, const char *dir, char ***files, size_t *n_files);
/* Parses every *.ttl file of dir, in name order, into the model.
 * ICX_ERR_IO, ICX_ERR_VOCAB (the message names the file), ICX_ERR_NOMEM. */
icx_rc icx_vocab_parse_folder(vocab_loadstate *ls, const char *dir);
/* Every object of (subject, predicate), as new strings, sorted.  Returns 0,
 * or -1 when out of memory.  want: 1 IRIs only, 2 literals only, 0 both. */
int icx_vocab_objects(vocab_loadstate *ls, const char *subject, const char *predicate,
                      int want, char ***out, size_t *n);
/* The first (in sort order) object, or NULL; *oom set on ENOMEM. */
char *icx_vocab_one_object(vocab_loadstate *ls, const char *subject, const char *predicate,
                           int want, int *oom);
/* Subjects that have (rdf:type, type_iri), sorted, as new strings.  0, or
 * -1 when out of memory. */
int icx_vocab_subjects_of_type(vocab_loadstate *ls, const char *type_iri, char ***out,
                               size_t *n);
/* v->defined: every subject IRI of the model, sorted, once each. */
icx_rc icx_vocab_read_defined(vocab_loadstate *ls, icx_vocab *v);
/* Frees n strings and the vector; NULL is a no-op. */
void icx_vocab_strv_free(icx_ctx *ctx, char **v, size_t n);
/* Appends a copy of s unless the vector holds it already.  0, or -1 when
 * out of memory. */
int icx_vocab_strv_add_unique(icx_ctx *ctx, char ***v, size_t *n, const char *s);

/* icx_vocab_tables.c: classes, individuals, structural terms, namespaces,
 * attributes, in that order (each step needs the ones before). */
icx_rc icx_vocab_build_classes(vocab_loadstate *ls, icx_vocab *v);
icx_rc icx_vocab_build_individuals(vocab_loadstate *ls, icx_vocab *v);
/* cloud_class, offers, name_prop: exactly one of each must be declared. */
icx_rc icx_vocab_build_structural(vocab_loadstate *ls, icx_vocab *v);
/* v->namespaces from every owl:Ontology's vann:preferredNamespaceUri. */
icx_rc icx_vocab_build_namespaces(vocab_loadstate *ls, icx_vocab *v);
/* Every icxm:Attribute (needs classes, individuals and units); dir is for
 * the message when there is none. */
icx_rc icx_vocab_build_attributes(vocab_loadstate *ls, icx_vocab *v, const char *dir);
/* Refuses two attributes, or two values of one attribute, that share a
 * name.  ICX_OK or ICX_ERR_VOCAB (ICX_ERR_NOMEM), with the message set. */
icx_rc icx_vocab_check_names(icx_ctx *ctx, const icx_vocab *v);
/* The class whose IRI is iri, or NULL. */
vocab_class *icx_vocab_find_class(const icx_vocab *v, const char *iri);
/* 1 if sub reaches sup through rdfs:subClassOf (or is it). */
int icx_vocab_class_reaches(const icx_vocab *v, const char *sub, const char *sup, int depth);

/* icx_vocab_units.c. */
icx_rc icx_vocab_build_units(vocab_loadstate *ls, icx_vocab *v);
icx_unit *icx_vocab_unit_by_iri(const icx_vocab *v, const char *iri);

/* icx_vocab_distance.c: resolves attribute a's icxm:placeAttribute and
 * reads its figure table.  Runs once every attribute is built. */
icx_rc icx_vocab_build_distance(vocab_loadstate *ls, icx_vocab *v, icx_attribute *a);

/* icx_vocab_align.c: reads every owl:equivalentProperty and
 * owl:equivalentClass statement.  Needs the classes, attributes and
 * namespaces built first. */
icx_rc icx_vocab_build_equivalences(vocab_loadstate *ls, icx_vocab *v);

/* icx_vocab_codec.c: the vocabulary cache's bytes (icx_vocab_cache.c
 * keeps the file).  FNV-1a, 64 bits: h is ICX_VOCAB_HASH_INIT or the hash
 * so far. */
#define ICX_VOCAB_HASH_INIT 0xcbf29ce484222325ull
uint64_t icx_vocab_hash(uint64_t h, const void *p, size_t n);
/* The tables of v as bytes (the file's payload): *out a new block on ctx
 * of *len bytes.  ICX_OK or ICX_ERR_NOMEM. */
icx_rc icx_vocab_cache_encode(icx_ctx *ctx, const icx_vocab *v, char **out, size_t *len);
/* The payload back into a new vocabulary on ctx.  ICX_OK, ICX_ERR_NOMEM
 * (message set), or ICX_ERR_DAMAGED with *why saying what was wrong (no
 * message set: the caller decides what to say). */
icx_rc icx_vocab_cache_decode(icx_ctx *ctx, const char *data, size_t len, icx_vocab **out,
                              const char **why);
/* The whole cache file for v, written by build for the folder whose
 * fingerprint is print: *out a new block on ctx.  ICX_OK, ICX_ERR_NOMEM. */
icx_rc icx_vocab_cache_pack(icx_ctx *ctx, const icx_vocab *v, const char *build,
                            const char *print, char **out, size_t *len);
/* Checks a cache file's frame against build and print.  0: usable, its
 * payload is (*payload, *plen), lent from data; 1: another format or
 * build, or another state of the folder (*why); -1: damaged (*why). */
int icx_vocab_cache_check(const char *data, size_t len, const char *build, const char *print,
                          const char **payload, size_t *plen, const char **why);

/* icx_vocab.c: lookups. */
/* The index in a->by_iri of the value whose IRI is iri, or (size_t)-1. */
size_t icx_vocab_value_index(const icx_attribute *a, const char *iri);
/* The attribute whose IRI is iri, or NULL. */
icx_attribute *icx_vocab_attr_by_iri(const icx_vocab *v, const char *iri);

#endif

/* icxd_access.h - who may do what at the exchange: the access lists of
 * icxd.conf's [access] section (who may query, who may publish, who is an
 * administrator, which exchanges may register with a root), and the bare
 * JIDs they are matched against.
 *
 * An access list is a list of entries separated by spaces or commas; an
 * entry is a bare JID (user@domain: that account), a domain (domain, or
 * *@domain: every account of that domain, and the domain itself, e.g. a
 * component), or * (every JID).  Matching ignores ASCII case and the
 * resource of the JID asked about.  An empty list matches nobody.
 * Immutable once parsed: threads may share one.
 */
#ifndef ICXD_ACCESS_H
#define ICXD_ACCESS_H

#include <stddef.h>

typedef struct icxd_acl icxd_acl;

/* Parses text (NULL or "": an empty list).  NULL with err set (naming the
 * entry at fault) when an entry is not a bare JID, a domain or *, or when
 * out of memory.  Free with icxd_acl_free(). */
icxd_acl *icxd_acl_parse(const char *text, char *err, size_t errlen);

/* NULL is a no-op. */
void icxd_acl_free(icxd_acl *acl);

/* 1 if jid (full or bare; NULL or "" never matches) is on acl (NULL: an
 * empty list), else 0. */
int icxd_acl_matches(const icxd_acl *acl, const char *jid);

/* The list as it was given, normalised (entries lower-cased, one space
 * between them); "" for an empty list.  Lent. */
const char *icxd_acl_text(const icxd_acl *acl);

/* What a JID may be allowed. */
typedef enum icxd_right {
  ICXD_RIGHT_QUERY = 0,     /* run a match or an explanation */
  ICXD_RIGHT_PUBLISH = 1,   /* publish and withdraw its own documents */
  ICXD_RIGHT_ADMIN = 2,     /* also replace or withdraw anyone's published
                               documents (never the operator's) */
  ICXD_RIGHT_FEDERATE = 3   /* register as an exchange with a root
                               (icxd_fed.h) */
} icxd_right;

/* The lists.  An administrator may also publish, query and register. */
typedef struct icxd_access {
  icxd_acl *query;          /* default: * */
  icxd_acl *publish;        /* default: nobody */
  icxd_acl *admin;          /* default: nobody */
  icxd_acl *federate;       /* exchanges that may register: default nobody */
} icxd_access;

/* Sets the defaults (query: *; the others: nobody) in a, which
 * must not hold lists yet.  0, or -1 on ENOMEM. */
int icxd_access_defaults(icxd_access *a);

/* Frees the lists of a (not a itself) and clears them. */
void icxd_access_clear(icxd_access *a);

/* 1 if jid holds right under a, else 0. */
int icxd_access_allows(const icxd_access *a, const char *jid, icxd_right right);

/* The bare JID of jid, lower-cased (ASCII): a new string the caller
 * free()s; NULL when jid is NULL or empty, has an empty local part or
 * domain, or when out of memory. */
char *icxd_bare_jid(const char *jid);

#endif

/* icxd_access.c - the access lists of icxd.conf and their matching. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icxd_access.h"

/* An entry: "*", "user@domain" or "domain". */
struct icxd_acl {
  char **entries;
  size_t n;
  char *text;               /* the normalised list */
};

static void access_lower(char *s)
{
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z')
      *s = (char)(*s - 'A' + 'a');
}

char *icxd_bare_jid(const char *jid)
{
  const char *slash, *at;
  size_t len;
  char *bare;

  if (!jid || !*jid)
    return NULL;
  slash = strchr(jid, '/');
  len = slash ? (size_t)(slash - jid) : strlen(jid);
  at = memchr(jid, '@', len);
  if (len == 0 || (at && (at == jid || at + 1 == jid + len)))
    return NULL;
  bare = malloc(len + 1);
  if (!bare)
    return NULL;
  memcpy(bare, jid, len);
  bare[len] = '\0';
  access_lower(bare);
  return bare;
}

/* Checks one entry (lower-cased, "*@" already dropped).  0, or -1 with err
 * set. */
static int access_check_entry(const char *e, const char *given, char *err,
                              size_t errlen)
{
  const char *at = strchr(e, '@');
  const char *c;

  if (strcmp(e, "*") == 0)
    return 0;
  for (c = e; *c; c++) {
    if (*c == '/' || *c == '*' || *c == '"' || *c == '\'' || *c == '<' ||
        *c == '>' || *c == '&' || (unsigned char)*c < 0x21) {
      snprintf(err, errlen, "access list entry '%s' is not a bare JID, a "
               "domain or *%s", given,
               *c == '/' ? " (drop the resource)" : "");
      return -1;
    }
  }
  if (at && (at == e || !at[1] || strchr(at + 1, '@'))) {
    snprintf(err, errlen, "access list entry '%s' is not a bare JID, a "
             "domain or *", given);
    return -1;
  }
  return 0;
}

icxd_acl *icxd_acl_parse(const char *text, char *err, size_t errlen)
{
  icxd_acl *acl = calloc(1, sizeof *acl);
  const char *p = text ? text : "";
  size_t tlen = 0;

  if (!acl)
    goto nomem;
  if (!(acl->text = calloc(1, strlen(p) + 1)))
    goto nomem;
  while (*p) {
    size_t len = strcspn(p, " \t,");
    char *e, *given, **grown;

    if (len == 0) {
      p++;
      continue;
    }
    if (!(given = malloc(len + 1)))
      goto nomem;
    memcpy(given, p, len);
    given[len] = '\0';
    p += len;
    e = strncmp(given, "*@", 2) == 0 ? strdup(given + 2) : strdup(given);
    if (!e) {
      free(given);
      goto nomem;
    }
    access_lower(e);
    if (access_check_entry(e, given, err, errlen) != 0) {
      free(e);
      free(given);
      icxd_acl_free(acl);
      return NULL;
    }
    free(given);
    grown = realloc(acl->entries, (acl->n + 1) * sizeof *grown);
    if (!grown) {
      free(e);
      goto nomem;
    }
    acl->entries = grown;
    acl->entries[acl->n++] = e;
    if (tlen)
      acl->text[tlen++] = ' ';
    memcpy(acl->text + tlen, e, strlen(e) + 1);
    tlen += strlen(e);
  }
  return acl;
nomem:
  snprintf(err, errlen, "out of memory");
  icxd_acl_free(acl);
  return NULL;
}

void icxd_acl_free(icxd_acl *acl)
{
  size_t i;

  if (!acl)
    return;
  for (i = 0; i < acl->n; i++)
    free(acl->entries[i]);
  free(acl->entries);
  free(acl->text);
  free(acl);
}

const char *icxd_acl_text(const icxd_acl *acl)
{
  return acl && acl->text ? acl->text : "";
}

int icxd_acl_matches(const icxd_acl *acl, const char *jid)
{
  char *bare;
  const char *domain;
  size_t i;
  int hit = 0;

  if (!acl || acl->n == 0 || !(bare = icxd_bare_jid(jid)))
    return 0;
  domain = strchr(bare, '@') ? strchr(bare, '@') + 1 : bare;
  for (i = 0; i < acl->n && !hit; i++) {
    const char *e = acl->entries[i];
    if (strcmp(e, "*") == 0 || strcmp(e, bare) == 0)
      hit = 1;
    else if (!strchr(e, '@') && strcmp(e, domain) == 0)
      hit = 1;
  }
  free(bare);
  return hit;
}

int icxd_access_defaults(icxd_access *a)
{
  char err[64];

  a->query = icxd_acl_parse("*", err, sizeof err);
  a->publish = icxd_acl_parse("", err, sizeof err);
  a->admin = icxd_acl_parse("", err, sizeof err);
  a->federate = icxd_acl_parse("", err, sizeof err);
  if (!a->query || !a->publish || !a->admin || !a->federate) {
    icxd_access_clear(a);
    return -1;
  }
  return 0;
}

void icxd_access_clear(icxd_access *a)
{
  icxd_acl_free(a->query);
  icxd_acl_free(a->publish);
  icxd_acl_free(a->admin);
  icxd_acl_free(a->federate);
  a->query = a->publish = a->admin = a->federate = NULL;
}

int icxd_access_allows(const icxd_access *a, const char *jid, icxd_right right)
{
  if (icxd_acl_matches(a->admin, jid))
    return 1;
  switch (right) {
  case ICXD_RIGHT_QUERY:
    return icxd_acl_matches(a->query, jid);
  case ICXD_RIGHT_PUBLISH:
    return icxd_acl_matches(a->publish, jid);
  case ICXD_RIGHT_ADMIN:
    return 0;
  case ICXD_RIGHT_FEDERATE:
    return icxd_acl_matches(a->federate, jid);
  }
  return 0;
}

/* fixture_icxd.c - fixtures shared by the suites of icxd's modules. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fixture_icxd.h"

char *tu_icxd_tmp;

void tu_icxd_tmp_setup(void)
{
  tu_icxd_tmp = tu_tmpdir();
}

void tu_icxd_tmp_teardown(void)
{
  tu_rmtree(tu_icxd_tmp);
  free(tu_icxd_tmp);
  tu_icxd_tmp = NULL;
}

int tu_icxd_count_named(xmpp_stanza_t *parent, const char *name)
{
  xmpp_stanza_t *c;
  int n = 0;

  for (c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c))
    if (xmpp_stanza_is_tag(c) && strcmp(xmpp_stanza_get_name(c), name) == 0)
      n++;
  return n;
}

icxd_rsm_req tu_icxd_rsm_req(long max, long index, const char *after,
                             const char *before)
{
  icxd_rsm_req r;

  memset(&r, 0, sizeof r);
  r.present = 1;
  r.max = max;
  r.index = index;
  r.after = after ? strdup(after) : NULL;
  r.before = before ? strdup(before) : NULL;
  return r;
}

/* fixture_icxd.h - fixtures shared by the suites of icxd's modules
 * (check_icxd_*.c), beside the common ones of fixture.h. */
#ifndef ICX_TEST_FIXTURE_ICXD_H
#define ICX_TEST_FIXTURE_ICXD_H

#include <strophe.h>

#include "icxd_rsm.h"

/* A fresh temporary folder for each test: tu_icxd_tmp is set by
 * tu_icxd_tmp_setup() and removed by tu_icxd_tmp_teardown() (a checked
 * fixture). */
extern char *tu_icxd_tmp;
void tu_icxd_tmp_setup(void);
void tu_icxd_tmp_teardown(void);

/* How many element children of parent are named name. */
int tu_icxd_count_named(xmpp_stanza_t *parent, const char *name);

/* A request's <set> as read: max and index (-1: not given), after and
 * before (copied; NULL: not given).  Clear it with icxd_rsm_req_clear(). */
icxd_rsm_req tu_icxd_rsm_req(long max, long index, const char *after,
                             const char *before);

#endif

/* fixture_icxd.h - fixtures shared by the suites of icxd's modules
 * (check_icxd_*.c), beside the common ones of fixture.h. */
#ifndef ICX_TEST_FIXTURE_ICXD_H
#define ICX_TEST_FIXTURE_ICXD_H

#include <strophe.h>

/* A fresh temporary folder for each test: tu_icxd_tmp is set by
 * tu_icxd_tmp_setup() and removed by tu_icxd_tmp_teardown() (a checked
 * fixture). */
extern char *tu_icxd_tmp;
void tu_icxd_tmp_setup(void);
void tu_icxd_tmp_teardown(void);

/* How many element children of parent are named name. */
int tu_icxd_count_named(xmpp_stanza_t *parent, const char *name);

#endif

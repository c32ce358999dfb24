/* icxd_preflight.h - icxd --check-config: everything icxd would meet at
 * start, tried without connecting anywhere.
 *
 * The settings have been read and validated already (icxd_config.h);
 * this loads the vocabulary, opens the store read-only (or, when it does
 * not exist yet, checks that icxd could create it where publishing needs
 * it), and checks every file the configuration names can be read or
 * written as icxd will.  Each problem is one line on err; a summary of
 * what was found goes to out.
 */
#ifndef ICXD_PREFLIGHT_H
#define ICXD_PREFLIGHT_H

#include <stdio.h>

#include "icxd_config.h"

/* The number of problems found (0: icxd can start), or -1 when out of
 * memory. */
int icxd_preflight(const icxd_config *cfg, FILE *out, FILE *err);

#endif

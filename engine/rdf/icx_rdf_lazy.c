/* icx_rdf_lazy.c - librdf, raptor and rasqal loaded on first use, for
 * the icx program.
 *
 * Debian's librdf pulls in some forty shared libraries (raptor's curl
 * with GnuTLS, Kerberos and LDAP; ICU; libxslt; ...): mapping and
 * relocating them costs a process about 15 ms before main(), more than
 * the whole of an `icx match` that answers on the saved index, which
 * never calls librdf (the store opens without it: icx_store_rdf()).  So
 * icx is linked without them.  Each function of theirs that the engine
 * calls (icx_rdf_lazy.h) is a stub (icx_rdf_lazy_x86_64.S) that
 * jumps through a slot; every slot starts at a resolver, and the first
 * call through any of them lands in icx_rdf_lazy_bind(), which opens
 * librdf (and with it raptor and rasqal) and points every slot at its
 * function.  From then on a call costs one indirect jump.
 *
 * The library (libicx), icxd and the tests link the libraries as usual;
 * only the program is built this way, and only where the stubs exist
 * (x86-64; configure --disable-lazy-rdf turns it off).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The soname the program would have been linked against: raptor and
 * rasqal come with it as its dependencies. */
#define ICX_RDF_LAZY_LIBRARY "librdf.so.0"

__attribute__((visibility("hidden"))) void icx_rdf_lazy_bind(void);

/* The slots, one per name below and in the same order (the stubs'
 * file includes the same list). */
extern void *icx_rdf_lazy_slots[];
extern void *icx_rdf_lazy_slots_end[];

static const char *const lazy_names[] = {
#define ICX_RDF_LAZY_SYM(name) #name,
#include "icx_rdf_lazy.h"
#undef ICX_RDF_LAZY_SYM
};

static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;

static void
lazy_fail(const char *what, const char *why)
{
  /* What the command printed before its first librdf call goes out; no
   * atexit handler runs from inside a call that cannot return. */
  fflush(stdout);
  fprintf(stderr, "icx: error: cannot load %s: %s\n", what, why ? why : "unknown error");
  _exit(1);
}

static void
lazy_load(void)
{
  size_t n = (size_t)(icx_rdf_lazy_slots_end - icx_rdf_lazy_slots), i;
  void *h, *f;

  if (n != sizeof lazy_names / sizeof lazy_names[0])
    lazy_fail(ICX_RDF_LAZY_LIBRARY, "the program's stubs and names disagree");
  /* Global, as when linked: librdf's modules find its symbols. */
  if (!(h = dlopen(ICX_RDF_LAZY_LIBRARY, RTLD_NOW | RTLD_GLOBAL)))
    lazy_fail(ICX_RDF_LAZY_LIBRARY, dlerror());
  for (i = 0; i < n; i++) {
    dlerror();
    if (!(f = dlsym(h, lazy_names[i])))
      lazy_fail(lazy_names[i], dlerror());
    /* An aligned pointer store: another thread reads the resolver or
     * the function, and either one gets it there. */
    __atomic_store_n(&icx_rdf_lazy_slots[i], f, __ATOMIC_RELEASE);
  }
}

/* Called by the resolvers, with the caller's arguments saved: binds every
 * slot once, whichever thread gets here first; exits the program when the
 * libraries cannot be loaded (there is no way to fail the call). */
void
icx_rdf_lazy_bind(void)
{
  pthread_once(&lazy_once, lazy_load);
}

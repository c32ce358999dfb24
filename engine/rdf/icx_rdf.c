/* icx_rdf.c - the context's librdf world: made on first use, its messages
 * routed to the context's sink or diagnostics. */
#include "config.h"

#include <stdio.h>
#include <pthread.h>

#include "icx_rdf.h"

/* librdf (and through it raptor and rasqal) report here. */
static int
rdf_logger(void *user_data, librdf_log_message *message)
{
  icx_ctx *ctx = user_data;
  int lvl = librdf_log_message_level(message);
  const char *text = librdf_log_message_message(message);
  raptor_locator *loc = librdf_log_message_locator(message);
  char where[96] = "";
  char full[640];
  icx_log_level ours;

  if (!text)
    text = "(no message)";
  if (loc && loc->line > 0) {
    if (loc->column > 0)
      snprintf(where, sizeof where, "line %d, column %d: ", loc->line, loc->column);
    else
      snprintf(where, sizeof where, "line %d: ", loc->line);
  }
  ours = lvl >= LIBRDF_LOG_ERROR ? ICX_LOG_ERROR
       : lvl == LIBRDF_LOG_WARN ? ICX_LOG_WARN : ICX_LOG_DEBUG;
  if (ours == ICX_LOG_ERROR) {
    snprintf(full, sizeof full, "%s%s", where, text);
    if (icx_diag_collect(ctx, full))
      return 1;                 /* collected: the caller reports it */
  }
  icx_log(ctx, ours, "rdf", "%s%s", where, text);
  return 1;
}

/* rasqal reports here: librdf 1.0.17 routes raptor's messages to its
 * logger but leaves its rasqal world printing to stderr, which a query
 * prepared by the SQL path (icx_sql.c) reaches. */
static void
rdf_rasqal_logger(void *user_data, raptor_log_message *message)
{
  icx_ctx *ctx = user_data;
  const char *text = message && message->text ? message->text : "(no message)";
  raptor_locator *loc = message ? message->locator : NULL;
  char where[96] = "";

  if (loc && loc->line > 0)
    snprintf(where, sizeof where, "line %d: ", loc->line);
  if (message && message->level >= RAPTOR_LOG_LEVEL_ERROR) {
    char full[640];
    snprintf(full, sizeof full, "%s%s", where, text);
    if (!icx_diag_collect(ctx, full))
      icx_log(ctx, ICX_LOG_ERROR, "rdf", "%s%s", where, text);
    return;
  }
  icx_log(ctx, message && message->level == RAPTOR_LOG_LEVEL_WARN ? ICX_LOG_WARN : ICX_LOG_DEBUG,
          "rdf", "%s%s", where, text);
}

/* The one piece of process-wide state: librdf 1.0.17 sets libltdl's
 * module search path (a global of libltdl) when a world is made, and
 * resets it when one is freed.  Two threads doing that at once race; LSan
 * caught the search path string of one of them lost (check_storage's
 * worlds_in_threads).  Worlds are made and freed one at a time; using them
 * needs no lock. */
static pthread_mutex_t rdf_world_lock = PTHREAD_MUTEX_INITIALIZER;

static void
rdf_world_free(void *world)
{
  pthread_mutex_lock(&rdf_world_lock);
  librdf_free_world(world);
  pthread_mutex_unlock(&rdf_world_lock);
}

librdf_world *
icx_ctx_world(icx_ctx *ctx)
{
  librdf_world *world;

  if (ctx->rdf_world)
    return ctx->rdf_world;
  pthread_mutex_lock(&rdf_world_lock);
  world = librdf_new_world();
  if (world) {
    librdf_world_set_logger(world, ctx, rdf_logger);
    librdf_world_open(world);
    if (librdf_world_get_rasqal(world))
      rasqal_world_set_log_handler(librdf_world_get_rasqal(world), ctx, rdf_rasqal_logger);
  }
  pthread_mutex_unlock(&rdf_world_lock);
  if (!world)
    return NULL;
  ctx->rdf_world = world;
  ctx->rdf_world_free = rdf_world_free;
  return world;
}

icx_rc
icx_rdf_failure(icx_ctx *ctx)
{
  return icx_fail(ctx, ICX_ERR_NOMEM, "the RDF libraries could not be set up "
                  "(out of memory)");
}

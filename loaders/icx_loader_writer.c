/* icx_loader_writer.c - the loader's batches on their way to the store: a
 * bounded queue, emptied by a writer thread once a document outgrows one
 * batch (icx_loader_internal.h).  File-local names begin writer_. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "icx_loader_internal.h"

static void *
writer_main(void *ud)
{
  icx_loader_writer *w = ud;

  pthread_mutex_lock(&w->mu);
  for (;;) {
    icx_loader_batch *b;
    int rc;
    while (!w->count && !w->done && !w->cancel)
      pthread_cond_wait(&w->cv, &w->mu);
    if (!w->count || w->cancel)
      break;
    b = &w->q[w->head];
    pthread_mutex_unlock(&w->mu);
    rc = icx_store_writer_add(w->out, b->terms, b->n);
    pthread_mutex_lock(&w->mu);
    if (rc) {
      w->failed = 1;
      pthread_cond_broadcast(&w->cv);
      break;
    }
    b->n = 0;
    b->used = 0;
    w->head = (w->head + 1) % ICX_LOADER_QUEUE_BATCHES;
    w->count--;
    pthread_cond_broadcast(&w->cv);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

int
icx_loader_writer_open(icx_loader_writer *w, icx_store *store)
{
  w->ctx = icx_store_ctx(store);
  return (w->out = icx_store_writer_new(store)) ? 0 : -1;
}

int
icx_loader_writer_push(icx_loader_writer *w)
{
  int failed;

  if (!w->threaded && !w->no_thread) {
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
      w->no_thread = 1;
    } else if (pthread_cond_init(&w->cv, NULL) != 0) {
      pthread_mutex_destroy(&w->mu);
      w->no_thread = 1;
    } else if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
      pthread_cond_destroy(&w->cv);
      pthread_mutex_destroy(&w->mu);
      w->no_thread = 1;
    } else {
      w->threaded = 1;
    }
  }
  if (!w->threaded) {         /* no thread to be had: write it here */
    icx_loader_batch *b = icx_loader_writer_current(w);
    if (icx_store_writer_add(w->out, b->terms, b->n))
      return w->failed = 1, -1;
    b->n = 0;
    b->used = 0;
    return 0;
  }
  pthread_mutex_lock(&w->mu);
  w->count++;
  pthread_cond_broadcast(&w->cv);
  while (w->count == ICX_LOADER_QUEUE_BATCHES && !w->failed)
    pthread_cond_wait(&w->cv, &w->mu);
  failed = w->failed;
  pthread_mutex_unlock(&w->mu);
  w->fill = (w->fill + 1) % ICX_LOADER_QUEUE_BATCHES;   /* free: count < QUEUE_BATCHES */
  return failed ? -1 : 0;
}

int
icx_loader_writer_finish(icx_loader_writer *w, int ok)
{
  icx_loader_batch *b = icx_loader_writer_current(w);

  if (!w->threaded) {
    if (ok && !w->failed && b->n && icx_store_writer_add(w->out, b->terms, b->n))
      w->failed = 1;
    if (ok && !w->failed && icx_store_writer_end(w->out))
      w->failed = 1;
    return w->failed ? -1 : 0;
  }
  pthread_mutex_lock(&w->mu);
  if (ok && b->n)
    w->count++;
  if (!ok)
    w->cancel = 1;
  w->done = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  w->threaded = 0;
  w->no_thread = 1;           /* finished: never again */
  if (ok && !w->failed && icx_store_writer_end(w->out))
    w->failed = 1;
  return w->failed ? -1 : 0;
}

size_t
icx_loader_writer_added(const icx_loader_writer *w)
{
  return icx_store_writer_added(w->out);
}

void
icx_loader_writer_free(icx_loader_writer *w)
{
  size_t i;

  for (i = 0; i < ICX_LOADER_QUEUE_BATCHES; i++) {
    icx_free(w->ctx, w->q[i].terms);
    icx_free(w->ctx, w->q[i].arena);
  }
  icx_store_writer_free(w->out);
}

icx_rc
icx_loader_store_rc(icx_store *store)
{
  const char *msg = icx_store_errmsg(store);

  return !msg || !*msg || !strcmp(msg, "out of memory") ? ICX_ERR_NOMEM : ICX_ERR_STORE;
}

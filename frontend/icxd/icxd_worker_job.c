/* icxd_worker_job.c - a job of the workers or the writer: made, given
 * its inputs, given an answer (indexed for its pages, or a kept answer's,
 * shared: icxd_worker_internal.h), freed; the queues jobs wait in. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icxd_rsm_index.h"
#include "icxd_worker.h"
#include "icxd_worker_internal.h"

icxd_job *icxd_job_new(uint64_t id)
{
  icxd_job *job = calloc(1, sizeof *job);

  if (job)
    job->id = id;
  return job;
}

void icxd_job_free(icxd_job *job)
{
  size_t i;

  if (!job)
    return;
  free(job->xml);
  for (i = 0; i < job->n_pairs; i++) {
    free(job->names[i]);
    free(job->values[i]);
  }
  free(job->names);
  free(job->values);
  for (i = 0; i < job->n_explain; i++)
    free(job->explain[i]);
  free(job->explain);
  free(job->doc_uri);
  free(job->doc_name);
  free(job->doc_owner);
  free(job->actor);
  free(job->errmsg);
  for (i = 0; !job->clouds_ref && i < job->n_clouds; i++) {
    free(job->clouds[i]);
    if (job->owners)
      free(job->owners[i]);
  }
  if (job->clouds_ref)
    icxd_answer_release(job->clouds_ref);
  free(job->clouds);
  free(job->owners);
  free(job->scores);
  free(job->degrees);
  icxd_job_set_answer(job, NULL);
  free(job->warn);
  free(job->info);
  free(job);
}

void icxd_job_set_answer(icxd_job *job, char *xml)
{
  if (job->answer_ref) {
    icxd_answer_release(job->answer_ref);
    job->answer_ref = NULL;
  } else {
    free(job->answer_xml);
    icxd_rsm_index_free(job->answer_index);
  }
  job->answer_xml = xml;
  job->answer_index = NULL;
  if (!xml || job->paged)
    return;
  if (job->kind == ICXD_JOB_MATCH || job->kind == ICXD_JOB_SUBSCRIBE)
    job->answer_index = icxd_rsm_index_new(xml, "matchingClouds", "cloudName", NULL);
  else if (job->kind == ICXD_JOB_SUBS_LIST)
    job->answer_index = icxd_rsm_index_new(xml, "subscription", "cloudName", NULL);
}

int icxd_job_add_pair(icxd_job *job, const char *name, const char *value)
{
  char **nn, **vv;
  char *n = strdup(name), *v = strdup(value);

  if (!n || !v)
    goto fail;
  nn = realloc(job->names, (job->n_pairs + 1) * sizeof *nn);
  if (!nn)
    goto fail;
  job->names = nn;
  vv = realloc(job->values, (job->n_pairs + 1) * sizeof *vv);
  if (!vv)
    goto fail;
  job->values = vv;
  job->names[job->n_pairs] = n;
  job->values[job->n_pairs] = v;
  job->n_pairs++;
  return 0;
fail:
  free(n);
  free(v);
  return -1;
}

int icxd_job_add_explain(icxd_job *job, const char *cloud)
{
  char **cc;
  char *c = strdup(cloud);

  if (!c)
    return -1;
  cc = realloc(job->explain, (job->n_explain + 1) * sizeof *cc);
  if (!cc) {
    free(c);
    return -1;
  }
  job->explain = cc;
  job->explain[job->n_explain++] = c;
  return 0;
}

int icxd_job_queue_push(icxd_job_queue *q, icxd_job *job)
{
  icxd_job_node *n = malloc(sizeof *n);

  if (!n)
    return -1;
  n->job = job;
  n->next = NULL;
  if (q->tail)
    q->tail->next = n;
  else
    q->head = n;
  q->tail = n;
  q->len++;
  return 0;
}

icxd_job *icxd_job_queue_pop(icxd_job_queue *q)
{
  icxd_job_node *n = q->head;
  icxd_job *job;

  if (!n)
    return NULL;
  q->head = n->next;
  if (!q->head)
    q->tail = NULL;
  q->len--;
  job = n->job;
  free(n);
  return job;
}

void icxd_job_progress(const icxd_job *job, const icxd_job_queue *todo,
                       icxd_job_state *state, int64_t *running_ms,
                       size_t *ahead)
{
  const icxd_job_node *n;
  size_t pos = 0;

  *state = job->state;
  *running_ms = 0;
  if (job->state == ICXD_JOB_RUNNING)
    *running_ms = icxd_now_ms() - job->started_ms;
  else if (job->state == ICXD_JOB_DONE)
    *running_ms = job->finished_ms - job->started_ms;
  for (n = todo->head; n && n->job != job; n = n->next)
    pos++;
  *ahead = job->state == ICXD_JOB_QUEUED ? pos : 0;
}

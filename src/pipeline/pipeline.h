/* pipeline.h - the only module that knows the order of the stages:
 * ingest -> extract (logs) | core (dumps) -> normalize -> cluster -> race.
 * Reports are rendered by the caller from the results. */
#ifndef CS_PIPELINE_H
#define CS_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../ingest/ingest.h"
#include "../model/model.h"

typedef void (*cs_progress_fn)(void *user, uint64_t members, uint64_t bytes, bool done);

typedef struct cs_run_opts {
    cs_limits limits;
    int jobs;                 /* worker threads; output does not depend on it */
    cs_progress_fn progress;  /* may be NULL */
    void *progress_user;
} cs_run_opts;

void cs_run_opts_default(cs_run_opts *o);

/* Lists every member with its kind and size, and every error entry. */
int cs_pipeline_inventory(const cs_run_opts *o, const char *const *paths, size_t n,
                          cs_results *out);
/* The whole triage. Results are sorted: same input, same order. */
int cs_pipeline_triage(const cs_run_opts *o, const char *const *paths, size_t n,
                       cs_results *out);

#endif

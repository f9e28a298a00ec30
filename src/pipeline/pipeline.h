/* pipeline.h - the only module that knows the order of the stages:
 * ingest -> extract (logs) | core (dumps) -> normalize -> cluster -> race
 * -> flaky (test outcomes across the pile).
 * Reports are rendered by the caller from the results. */
#ifndef CS_PIPELINE_H
#define CS_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../cluster/cluster.h"
#include "../core/core.h"
#include "../flaky/flaky.h"
#include "../ingest/ingest.h"
#include "../model/model.h"
#include "../normalize/rules.h"
#include "../race/race.h"
#include "../shard/shard.h"

typedef void (*cs_progress_fn)(void *user, uint64_t members, uint64_t bytes, bool done);

typedef struct cs_run_opts {
    cs_limits limits;
    int jobs;                /* worker threads; output does not depend on it */
    cs_progress_fn progress; /* may be NULL */
    void *progress_user;
    const char
        *rules_dir; /* built-in rules; NULL: cs_rules_default_dir(), else the compiled-in copy */
    const char *user_rules[8]; /* --rules DIR, loaded after the built-in ones */
    int n_user_rules;
    int sig_frames;         /* K frames in a signature */
    double merge_threshold; /* 0 disables merging of close groups */
    const char *source_dir; /* --source: a checkout, for map evidence */
    cs_core_opts core;      /* --debug-dir, --sysroot, --core-in-process */
} cs_run_opts;

/* Everything a triage produces; reports read it. */
typedef struct cs_triage {
    cs_results res;
    cs_rules rules;
    cs_clusters clusters;
    cs_races races;
    cs_tests tests; /* every test's runs, flaky verdict, linked clusters and pairs */
    char sig_version[40];
} cs_triage;

void cs_triage_dispose(cs_triage *t);

void cs_run_opts_default(cs_run_opts *o);

/* Lists every member with its kind and size, and every error entry. */
int cs_pipeline_inventory(const cs_run_opts *o, const char *const *paths, size_t n,
                          cs_results *out);
/* The whole triage. Results are sorted: same input, same order. Fails
 * (CS_E_USAGE, with diagnostics in out->res) only when the rules cannot be
 * loaded. */
int cs_pipeline_triage(const cs_run_opts *o, const char *const *paths, size_t n, cs_triage *out);
/* crashsift extract: the triage up to normalization (no clusters, no race
 * analysis): what a shard holds. */
int cs_pipeline_extract_shard(const cs_run_opts *o, const char *const *paths, size_t n,
                              cs_triage *out);
/* crashsift merge: reads the shards (what is wrong inside one becomes error
 * entries naming it), normalizes every trace again with o's rules, then
 * clusters and runs the race analysis: the triage of all the shards'
 * inputs, whatever the order or grouping of the shards. headers[i] (n of
 * them; dispose each) says what shard i was made with. Fails with
 * CS_E_USAGE when the rules cannot be loaded, CS_E_IO when shard *failed
 * cannot be opened (headers are then disposed). */
int cs_pipeline_merge(const cs_run_opts *o, const char *const *shards, size_t n, cs_triage *out,
                      cs_shard_header *headers, size_t *failed);
/* Extraction only, with no normalization (inventory-like tools, tests). */
int cs_pipeline_extract(const cs_run_opts *o, const char *const *paths, size_t n, cs_results *out);
/* Loads the built-in and user rules of o into rules (diagnostics to diags). */
int cs_pipeline_load_rules(const cs_run_opts *o, cs_rules *rules, cs_results *diags);

#endif

/* flaky.h - every test's record across the pile: how many runs passed,
 * failed and were skipped, whether it is flaky, and which clusters and race
 * pairs its failures belong to.
 *
 * Counts come from the test records of every member (model.h): outcome
 * lines of logs, go test -json events, JUnit testcases. One run can be seen
 * twice - a job log and the go test -json or JUnit file of the same job, an
 * Actions job log and its step log - and then counts once. Two records are
 * copies of the same runs when all of these hold:
 *   - same test (package and name; a record whose member did not say the
 *     package takes the only package that name has elsewhere in the pile),
 *   - same artifact: the same top-level archive (the part of the source
 *     before its first '!'), or for plain files the same folder,
 *   - different kinds of evidence: different formats (text, json, junit),
 *     or two text logs one of which sits in a sub-folder of the other's
 *     (an Actions job log beside its step logs),
 *   - the same numbers of passes, failures and skips (not necessarily in
 *     the same order: gotestsum's JUnit lists failed testcases first); a
 *     log that prints only failures (go test without -v) matches when it
 *     shows the same number of failures.
 * Occurrences (traces) stay per source; only run counts merge copies.
 * Cost: records are sorted once by test and artifact; copies are looked
 * for only among the few records of one test in one artifact (capped). */
#ifndef CS_FLAKY_H
#define CS_FLAKY_H

#include <stdbool.h>
#include <stddef.h>

#include "../cluster/cluster.h"
#include "../model/model.h"
#include "../race/race.h"

/* Copies looked for among at most this many run sets of one test in one
 * artifact; past it, records count as runs of their own. */
#define CS_FLAKY_MAX_SETS 64

typedef struct cs_test_summary {
    const char *package; /* not owned (points into a record); NULL unknown */
    const char *name;
    size_t runs, passes, failures, skips;
    bool flaky;          /* passed and failed in the pile */
    double failure_rate; /* failures / runs; 0 without runs */
    size_t *clusters;    /* indices into clusters->v, sorted, distinct */
    size_t n_clusters;
    size_t *races; /* indices into races->v, sorted, distinct */
    size_t n_races;
    const char *first_failure, *last_failure; /* smallest/largest source path of a failure */
} cs_test_summary;

typedef struct cs_tests {
    cs_test_summary *v; /* flaky first, then by failures, then package, name */
    size_t n, cap;
} cs_tests;

/* Builds the summaries of every test with a recorded outcome. */
void cs_flaky_run(const cs_results *r, const cs_clusters *c, const cs_races *races, cs_tests *out);
void cs_tests_dispose(cs_tests *t);

#endif

/* cluster.h - groups traces into clusters of recurring failures.
 *
 * Traces with equal signatures form a cluster, whose id is a hash of that
 * signature alone: the same bug gets the same id in every batch, whatever
 * else the batch holds. Clusters whose significant-frame sequences are
 * close are linked (cs_merge: "from" is close to "into"), never folded
 * together, so a link cannot move an id: a weighted edit distance in which
 * the top frame weighs 1, the next 1/2, then 1/4 ... (the top of a stack
 * says most about a bug), normalized to 0..1. Only clusters of the same
 * kind, failure class and top frame are compared (the bucket), so the work
 * is linear in the number of traces and small per bucket; races are never
 * linked (their pair is exact).
 *
 * Clusters are ordered by count then id, so the output does not depend on
 * input order or thread count. This module reads signatures; it never
 * computes them. */
#ifndef CS_CLUSTER_H
#define CS_CLUSTER_H

#include <stddef.h>

#include "../model/model.h"

#define CS_DEFAULT_MERGE_THRESHOLD 0.2
#define CS_CLUSTER_CMP_FRAMES 8 /* frames compared when merging */
#define CS_CLUSTER_MAX_ROOTS 64 /* roots a group is compared with per bucket */

typedef struct cs_cluster {
    char id[16];           /* "C" + 10 hex digits */
    const char *signature; /* the representative trace's (not owned) */
    size_t rep;            /* index of the representative trace */
    size_t *traces;        /* indices into results->traces, sorted */
    size_t n_traces, cap_traces;
} cs_cluster;

/* A link: cluster "from" is close to cluster "into" (the larger, or the
 * first by signature at equal size); both keep their own id and traces. */
typedef struct cs_merge {
    char from[16];
    char into[16];
    const char *from_signature;
    double distance;
} cs_merge;

typedef struct cs_clusters {
    cs_cluster *v;
    size_t n, cap;
    cs_merge *merges;
    size_t n_merges, cap_merges;
    size_t *of_trace; /* cluster index of each trace */
} cs_clusters;

typedef struct cs_cluster_opts {
    double threshold; /* 0 disables linking */
} cs_cluster_opts;

/* Clusters the normalized traces of r (all must have signatures). */
void cs_cluster_run(const cs_results *r, const cs_cluster_opts *o, cs_clusters *out);
void cs_clusters_dispose(cs_clusters *c);
/* Why two normalized traces are in different clusters, as one line naming
 * what differs first: the kind, the failure class, the first significant
 * frame that differs (with its file:line) or the number of frames, then
 * whether they were compared for a link and at what distance. NULL when
 * their signatures are equal. The caller frees the result. */
char *cs_cluster_why_apart(const cs_trace *a, const cs_trace *b, double threshold);
/* Distance of two frame sequences (exposed for tests and explain). */
double cs_cluster_distance(const char *const *a, size_t na, const char *const *b, size_t nb);

#endif

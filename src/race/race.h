/* race.h - finds the pairs of concurrent access sites behind the failures
 * and links every failure that points at them, each link labelled with its
 * evidence:
 *   direct    a race report (Go race detector, ThreadSanitizer) naming both
 *   runtime   "fatal error: concurrent map ..." - the throwing goroutine is
 *             one site; the other comes from a goroutine of the same dump
 *             caught inside the map or a user frame, or from a known pair
 *   core      a core dump with two or more threads inside map code at once
 *   same-test a failure without a crash trace of its own (a flaky assertion)
 *             in a test that has a known pair
 * A site is the first significant frame (normalize decided which frames
 * are the program's own): function, repository-relative file, and every
 * line seen. The pair key is {function+file, function+file} unordered, so
 * line drift does not split a pair. A pair is a map race when the racing
 * accesses run inside map implementation frames (map rules), or a map
 * fatal error was seen at one of its sites. Reads normalized traces;
 * computes nothing of theirs. */
#ifndef CS_RACE_H
#define CS_RACE_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"

typedef enum cs_evidence {
    CS_EV_DIRECT,
    CS_EV_RUNTIME,
    CS_EV_CORE,
    CS_EV_SAME_TEST,
    CS_EV_COUNT
} cs_evidence;

const char *cs_evidence_name(cs_evidence e);

typedef struct cs_site {
    char *function;
    char *file;
    int *lines; /* sorted, distinct */
    size_t n_lines, cap_lines;
    char *access; /* "write", "read", ... as first seen; NULL unknown */
} cs_site;

typedef struct cs_race_link {
    size_t trace;  /* index into results->traces */
    cs_evidence evidence;
} cs_race_link;

typedef struct cs_race {
    char id[16];      /* "R" + 10 hex digits of the key */
    cs_site sites[2]; /* ordered by key */
    bool map_race;
    char *map_evidence; /* why map_race, or NULL */
    cs_race_link *links;
    size_t n_links, cap_links;
    size_t n_by[CS_EV_COUNT];
} cs_race;

typedef struct cs_races {
    cs_race *v;
    size_t n, cap;
} cs_races;

/* source_dir: a checkout of the program (--source), or NULL. */
void cs_race_run(const cs_results *r, const char *source_dir, cs_races *out);
void cs_races_dispose(cs_races *races);
/* "write/write", "read/write" ... (static buffer per call slot). */
const char *cs_race_access_types(const cs_race *race);
/* A short root-cause note in plain words (the caller frees it). */
char *cs_race_note(const cs_race *race);

#endif

/* race.h - finds the pairs of concurrent access sites behind the failures
 * and links every failure that points at them, each link labelled with its
 * evidence:
 *   direct    a race report (Go race detector, ThreadSanitizer)
 *   runtime   "fatal error: concurrent map ..." thrown at a site
 *   core      a core dump with threads inside map code at a site
 *   sanitizer a sanitizer crash (ASan, ...) inside map code at a site
 *   same-test a failure without a crash trace of its own (a flaky assertion)
 *             in a test where the race was seen
 *
 * A pair needs two known accesses: the two stacks of a race report, or a
 * dump/core in which a second goroutine or thread is shown inside map code.
 * Everything else is one-sided: it joins the full pair that has its site,
 * or (race reports with one stack, Go map fatal errors) stands as a partial
 * race with one site; a lone stack is never completed by a guess.
 *
 * A site is the first significant frame (normalize decided which frames are
 * the program's own; when none is, the first frame below the runtime and
 * race internals): function, file compared by base name, and every line
 * seen. The pair key is {function+file, function+file} unordered, so line
 * drift does not split a pair. A pair is a map race when the racing
 * accesses run inside map implementation frames (map rules), or a map fatal
 * error, core or sanitizer crash in map code was seen at one of its sites.
 * Reads normalized traces; computes nothing of theirs. */
#ifndef CS_RACE_H
#define CS_RACE_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"

typedef enum cs_evidence {
    CS_EV_DIRECT,
    CS_EV_RUNTIME,
    CS_EV_CORE,
    CS_EV_SANITIZER,
    CS_EV_SAME_TEST,
    CS_EV_COUNT
} cs_evidence;

const char *cs_evidence_name(cs_evidence e);

typedef struct cs_site {
    char *function; /* normalized: what sites compare and ids hash by */
    /* The name the first report of the site printed, where it differs
     * (rename-key rules: "main::$_0::operator()" for "main::$::operator()");
     * NULL: function. Reports show cs_site_name(). */
    char *shown;
    char *file;
    int *lines; /* sorted, distinct */
    size_t n_lines, cap_lines;
    char *access; /* "write", "read", "iteration", ... as first seen; NULL unknown */
} cs_site;

typedef struct cs_race_link {
    size_t trace; /* index into results->traces */
    cs_evidence evidence;
} cs_race_link;

typedef struct cs_race {
    char id[16];      /* "R" + 10 hex digits of the key */
    cs_site sites[2]; /* ordered by key; a partial race has sites[0] only */
    bool partial;     /* one access known, the other not shown anywhere */
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
/* What links failures of evidence e to the race, as one phrase for the
 * reports ("Go runtime map fatal errors thrown at a site of this pair"). */
const char *cs_race_evidence_sentence(const cs_race *race, cs_evidence e);
static inline const char *cs_site_name(const cs_site *s)
{
    return s->shown ? s->shown : s->function;
}

/* Number of known sites: 1 for a partial race, else 2. */
static inline int cs_race_n_sites(const cs_race *race)
{
    return race->partial ? 1 : 2;
}
/* The partial race's missing side in words: "an unknown writer" when the
 * known access must have met a write (it only read, or the Go runtime saw
 * the map's writing flag), else "an unknown access". */
const char *cs_race_unknown_side(const cs_race *race);
/* "write/write", "read/write" ... (static buffer per call slot). */
const char *cs_race_access_types(const cs_race *race);
/* A short root-cause note in plain words (the caller frees it). */
char *cs_race_note(const cs_race *race);

#endif

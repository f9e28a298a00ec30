/* history.h - recurring-crash history: remembers every cluster and race pair
 * across batches, so a report can say whether a failure is new, recurring or
 * regressed. Two engines behind one vtable (history_db.h): an SQLite file
 * (any --db value that is a path) and a PostgreSQL server (a
 * postgresql:// or postgres:// URL, through libpq), with the same schema
 * version, statuses and re-feed rule.
 *
 * Guarantees (docs/history.md):
 *   - one transaction per batch: a run killed midway leaves the database
 *     exactly as it was before that batch;
 *   - concurrent runs on one database serialize their batches, none is
 *     lost (SQLite: WAL, BEGIN IMMEDIATE and a busy timeout; PostgreSQL: an
 *     advisory lock around a SERIALIZABLE transaction, and the whole batch
 *     run again on a serialization failure or deadlock);
 *   - the schema is versioned and forward migrations run on open; a
 *     database written by a newer crashsift is refused;
 *   - a database that is not ours or is damaged is refused and never
 *     written (SQLite: not SQLite, or PRAGMA quick_check fails; PostgreSQL:
 *     other tables and no crashsift_schema, or a table missing);
 *   - SQLite: the database path (and its -wal/-shm) is the only file written.
 *
 * An occurrence is a trace in a cluster, or a trace linked to a race pair.
 * It is counted once per (id, source path, content hash): re-feeding the
 * same artifacts adds nothing. Library code never prints; errors come back
 * as codes and a one-line message naming the database. */
#ifndef CS_HISTORY_H
#define CS_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cluster/cluster.h"
#include "../flaky/flaky.h"
#include "../model/model.h"
#include "../race/race.h"

#define CS_HISTORY_SCHEMA_VERSION 2
#define CS_HISTORY_BUSY_TIMEOUT_MS 10000
#define CS_HISTORY_DEFAULT_REGRESS_AFTER 3
#define CS_HISTORY_TREND 16 /* batches in a trend */
#define CS_HISTORY_MAX_REGRESS_AFTER 100000
#define CS_HISTORY_MAX_RETRIES 8         /* attempts of a batch that hit serialization failures */
#define CS_HISTORY_PG_LOCK_TIMEOUT_S 300 /* PostgreSQL: wait for other writers this long */
#define CS_HISTORY_PG_CONNECT_TIMEOUT_S 30

typedef struct cs_history cs_history; /* an open database */

typedef enum cs_history_state {
    CS_HISTORY_NEW,       /* first seen in this batch */
    CS_HISTORY_RECURRING, /* seen before */
    CS_HISTORY_REGRESSED, /* seen, absent for N batches or more, now back */
} cs_history_state;

const char *cs_history_state_name(cs_history_state s);

/* Opens (create: or creates) the database at target (a file path or a
 * postgresql:// URL), checks it and applies migrations. On failure returns
 * CS_E_CORRUPT (not ours, or damaged), CS_E_UNSUPPORTED (newer schema),
 * CS_E_NOTFOUND (missing or empty and not create) or CS_E_IO, and sets
 * *errmsg to a one-line message naming the database (the caller frees it).
 * *out is set only on success. */
int cs_history_open(cs_history **out, const char *target, bool create, char **errmsg);
/* "sqlite" or "postgresql". */
const char *cs_history_engine(const cs_history *h);
/* The database as messages name it: the path, or the URL without its
 * password. */
const char *cs_history_display(const cs_history *h);
void cs_history_free(cs_history *h);
/* The message of the last failed call on h (never NULL). */
const char *cs_history_errmsg(const cs_history *h);

/* The batch clock: $CRASHSIFT_NOW (unix seconds, for tests) or time(NULL). */
int64_t cs_history_now(void);

/* A test's standing after a batch (cs_history_batch.test_marks). */
typedef struct cs_history_test_mark {
    uint64_t prior_batches;  /* earlier batches that ran it */
    uint64_t prior_runs;     /* ... their runs */
    uint64_t prior_failures; /* ... and failed runs */
    /* It failed in this batch and never before, though earlier batches ran
     * it and it passed there: it became flaky (or broke) now. */
    bool became_failing;
} cs_history_test_mark;

/* One batch to record; everything is borrowed. */
typedef struct cs_history_batch {
    const cs_results *res;
    const cs_clusters *clusters;
    const cs_races *races;
    const char *sig_version;
    const char *tool_version;
    const char *const *inputs;
    size_t n_inputs;
    int64_t time;      /* unix seconds */
    int regress_after; /* N: absent for N batches or more, then back = regressed */
    /* Every test's runs in this batch (NULL: none recorded). Runs are
     * counted per batch: unlike occurrences, a re-fed artifact's runs count
     * again (a test record has no content of its own to recognise). */
    const cs_tests *tests;
    cs_history_test_mark *test_marks; /* optional out: parallel to tests->v */
} cs_history_batch;

/* The standing of one cluster or pair after a batch. */
typedef struct cs_history_mark {
    cs_history_state state;
    int64_t first_seen; /* unix seconds of the first batch that counted it */
    int64_t last_seen;  /* ... of the last (this batch, when it counted any) */
    uint64_t batches;   /* batches that counted an occurrence of it */
    uint64_t total;     /* occurrences counted, re-fed ones once */
    uint64_t n_new;     /* occurrences this batch added */
} cs_history_mark;

/* Records b in one transaction. On success fills *clusters_out and
 * *races_out (arrays parallel to b->clusters->v and b->races->v; the caller
 * frees them) and *batch_id. Nothing is written on failure. */
int cs_history_record(cs_history *h, const cs_history_batch *b, cs_history_mark **clusters_out,
                      cs_history_mark **races_out, int64_t *batch_id);

/* ---- reading ---------------------------------------------------------- */
typedef struct cs_history_query {
    int64_t since;  /* batches at or after (unix seconds); INT64_MIN: all */
    int64_t until;  /* at or before; INT64_MAX: all */
    const char *id; /* one cluster or pair, or NULL */
} cs_history_query;

typedef struct cs_history_row {
    char id[16];
    bool race;
    char *signature;
    char *kind; /* trace kind, or "map-race"/"data-race" */
    char *headline;
    cs_history_state last_state; /* in its last batch of the window */
    int64_t first_seen, last_seen;
    uint64_t batches, total;
    uint64_t trend[CS_HISTORY_TREND]; /* counts in the window's last batches, oldest first */
} cs_history_row;

typedef struct cs_history_occ {
    int64_t batch;
    int64_t time;
    char *source;
    uint64_t line; /* 0: none */
    char *test;
    char *artifact;
    char *kind;
    char *evidence; /* race links; NULL for clusters */
    char *hash;
} cs_history_occ;

/* A test with a failure in the window: its runs over the window, and when
 * it first failed after passing. */
typedef struct cs_history_test_row {
    char *package; /* NULL: unknown */
    char *name;
    uint64_t batches, runs, passes, failures, skips; /* in the window */
    uint64_t failing_batches;                        /* batches with a failure */
    int64_t first_failure, last_failure;             /* times of those batches */
    int64_t first_failure_batch;
    /* Before its first failing batch (all history): batches that ran it
     * and their passing runs. became_flaky when those passed. */
    uint64_t passing_batches_before, passes_before;
    bool became_flaky;
    bool flaky_last; /* passed and failed in its last batch of the window */
} cs_history_test_row;

typedef struct cs_history_list {
    int64_t n_batches;                    /* batches in the window */
    size_t n_trend;                       /* how many of trend[] are used */
    int64_t trend_time[CS_HISTORY_TREND]; /* time of each trend batch */
    cs_history_row *rows;                 /* by last seen (newest first), then id */
    size_t n_rows;
    cs_history_occ *occs; /* q->id only: its occurrences by batch, source, line */
    size_t n_occs;
    cs_history_test_row *tests; /* no q->id: tests that failed in the window,
                                   newest first failure first, then name */
    size_t n_tests;
} cs_history_list;

/* Lists what q selects into out (initialised here; dispose it). */
int cs_history_query_run(cs_history *h, const cs_history_query *q, cs_history_list *out);
void cs_history_list_dispose(cs_history_list *l);

#endif

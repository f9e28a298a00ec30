/* extract_internal.h - what the extract module's own files share: the
 * member context dialects write into (cs_xctx) and the extractor that feeds
 * them (cs_extractor). Not for other modules: they use extract.h.
 *   extract.c         the line loop and the dispatcher (which dialect owns a
 *                     line), the dialect-facing calls, patterns per process
 *   extract_clean.c   line cleaning (ANSI, CRs, CI timestamps)
 *   prefilter.c       the declared literals of the dialects, found in one
 *                     pass per line
 *   extract_tests.c   test attribution and outcomes of a text member, the
 *                     tentative messages a test's outcome settles, and the
 *                     links of failures to the crashes that explain them */
#ifndef CS_EXTRACT_INTERNAL_H
#define CS_EXTRACT_INTERNAL_H

#include "../base/lines.h"
#include "extract.h"
#include "prefix.h"

/* Spare test records a member keeps (their buffers reused): as many as one
 * package's tests. */
#define CS_X_MAX_SPARE 4096

struct cs_xctx {
    const char *source;
    cs_results *out;
    cs_share *share;  /* cs_extract_opts.share */
    char *test;       /* from === RUN / pytest headers, or set by readers */
    bool test_pinned; /* set by a reader: log headers do not override it */
    char *handoff;    /* a header line a dialect gave up (cs_xctx_hand_off) */
    uint64_t handoff_line;
    uint64_t seq;
    /* The trace emitted last (index in out->traces + 1, 0 none): a
     * frameless headline waiting for the report that may follow it. */
    size_t last_emitted;
    const cs_trace *last;
    uint64_t sep_line, cur_line;
    size_t n_emitted;       /* kept traces, toward CS_MAX_TRACES_PER_MEMBER */
    size_t n_tentative;     /* tentative traces waiting for their test's fate */
    size_t first_tentative; /* index in out->traces where they may start */
    /* Index of the pending tentative traces by test (open addressing on
     * the test's hash): a test's outcome line settles its own traces, not
     * a scan of every trace since the first pending one (that scan was 87%
     * of a 1 GB log's time). Settled traces leave NULL holes in out->traces
     * until compact_tentative() closes them. */
    struct tent *tents;
    size_t cap_tents, n_tents;
    size_t n_holes;
    /* Closed records of this member by (package, name): a test met again
     * (another go test run in the same log) adds its runs to its record,
     * so a member has one record per test, not one per run (a 1 GB log of
     * repeated go test -v output made millions, sorted and compared). */
    struct closed {
        uint64_t hash;
        cs_test_record *r;
    } * closed;
    size_t cap_closed, n_closed;
    bool capped;
    /* Test outcomes of a text member (readers record their own). Records
     * whose package is not known yet are open, indexed by name in `slots`
     * (open addressing, index + 1, 0 empty); a package line closes them. */
    bool reader;
    bool verbose;      /* the log prints passing runs too (=== RUN, --- PASS) */
    bool gotestsum;    /* gotestsum's own PASS/FAIL lines are the record */
    bool in_summary;   /* inside gotestsum's "=== Failed" section */
    size_t first_test; /* index in out->tests of this member's first record */
    cs_test_record **open;
    size_t n_open, cap_open;
    /* Records merged away, kept for reuse (at most CS_X_MAX_SPARE). */
    cs_test_record **spare;
    size_t n_spare, cap_spare;
    uint32_t *slots;
    size_t n_slots;
    size_t n_runs;
    bool runs_capped;
    /* Outcomes of the other frameworks (pytest, cargo test, Ginkgo,
     * Surefire): records by (package, name) in `ix`; a member in which no
     * passing run is named prints only failures (fails_only). */
    cs_test_index ix;
    bool ix_ready, ix_saw_pass;
    bool pytest_verbose; /* -v lines: the short summary only restates them */
    /* The line of the last pytest -v outcome: a teardown's ERROR comes
     * right after its test's own line and is that run's, not another. */
    uint64_t pytest_v_line;
    /* pytest's "=== FAILURES ===" section; with --tb=line it holds one
     * "file:line: message" per failure and no test headers. */
    bool in_pytest_failures, pytest_headers;
    /* Traces that could not say their test (--tb=line) in order, for the
     * summary lines that name the failures in the same order. */
    /* The last failure an outcome line recorded: a panic right after it
     * is that run's crash, not a run of its own (cs_x_crash_run). */
    char *last_fail;
    uint64_t last_fail_line;
    cs_trace **unnamed;
    size_t n_unnamed, cap_unnamed, next_unnamed;
};

struct cs_extractor {
    cs_xctx x;
    cs_lines lines;
    size_t first_trace; /* index in out->traces of this member's first */
    const cs_dialect *active;
    void *state;
    uint64_t active_lines;
    char *clean; /* scratch for the cleaned line */
    size_t clean_cap;
    /* Per-line prefixes (prefix.h) need the next line to decide: one
     * cleaned line is held back, with the scan of the one released before
     * it. The buffers are reused, so holding costs a copy, not a malloc. */
    struct held {
        char *buf;
        size_t len, cap;
        uint64_t no;
        bool overlong, cut;
        cs_pfx_scan scan;
    } held[2];
    int cur; /* held[cur] is the pending line when has_pending */
    bool has_pending;
    /* Empty lines after the pending one: they are nobody's neighbour when
     * prefixes are learned (logs that double-space every line would agree
     * on nothing), and are dispatched, in order, after it. */
    uint64_t blank_first, blank_n;
    bool has_prev; /* prev_scan is the line released last */
    cs_pfx_scan prev_scan;
    cs_pfx_state pfx;
    char *tabs; /* scratch for a line whose "#011" escapes are restored */
    size_t tabs_cap;
};

/* The pending tentative traces of one test (extract_tests.c). */
typedef struct tent {
    char *test; /* NULL: an empty slot */
    uint64_t hash;
    size_t *idx; /* in out->traces, in emit order */
    size_t n, cap;
} tent;

/* extract_clean.c */
void cs_x_clean_line(cs_extractor *e, const char *p, size_t n, const char **outp, size_t *outn);

/* extract_tests.c */
void cs_x_tests_init(void);
void cs_x_tests_cleanup(void);
void cs_x_tents_clear(cs_xctx *x);
tent *cs_x_tent_find(cs_xctx *x, const char *test, size_t n, bool create);
void cs_x_settle_tentative(cs_xctx *x, const char *test, size_t n, bool failed);
void cs_x_compact_tentative(cs_xctx *x);
void cs_x_set_test(cs_xctx *x, const char *p, size_t n);
void cs_x_track_test(cs_extractor *e, const cs_xline *l);
void cs_x_note_outcome(cs_extractor *e, const cs_xline *l);
void cs_x_close_records(cs_xctx *x, const char *pkg, size_t n);
void cs_x_drop_unsettled(cs_extractor *e);
void cs_x_crash_run(cs_xctx *x, const cs_trace *t);
/* Says once per member that its test runs passed the cap. */
void cs_x_runs_capped(cs_xctx *x);

/* prefilter.c: builds the literal set from the dialect table (once, in
 * cs_extract_global_init) and returns the bits of the dialects that
 * declare literals; scan returns the bits in `want` whose literal the line
 * holds. */
uint32_t cs_x_prefilter_init(void);
uint32_t cs_x_prefilter_scan(const char *p, size_t n, uint32_t want);

/* extract.c */
void cs_x_close_active(cs_extractor *e, bool eof);

#endif

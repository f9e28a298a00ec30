#define _GNU_SOURCE
#include "extract.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/lines.h"
#include "../base/util.h"
#include "dialects.h"
#include "prefix.h"

struct cs_xctx {
    const char *source;
    cs_results *out;
    char *test;       /* from === RUN / pytest headers, or set by readers */
    bool test_pinned; /* set by a reader: log headers do not override it */
    uint64_t seq;
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
    /* pytest's "=== FAILURES ===" section; with --tb=line it holds one
     * "file:line: message" per failure and no test headers. */
    bool in_pytest_failures, pytest_headers;
    /* Traces that could not say their test (--tb=line) in order, for the
     * summary lines that name the failures in the same order. */
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

/* ---- tentative traces by test ------------------------------------------ */

typedef struct tent {
    char *test; /* NULL: an empty slot */
    uint64_t hash;
    size_t *idx; /* in out->traces, in emit order */
    size_t n, cap;
} tent;

static tent *tent_find(cs_xctx *x, const char *test, size_t n, bool create)
{
    uint64_t h = cs_hash64(test, n, CS_HASH_SEED);
    if (create && (x->n_tents + 1) * 2 > x->cap_tents) {
        tent *old = x->tents;
        size_t old_cap = x->cap_tents;
        x->cap_tents = old_cap ? old_cap * 2 : 64;
        x->tents = cs_xcalloc(x->cap_tents, sizeof *x->tents);
        for (size_t i = 0; i < old_cap; i++) {
            if (!old[i].test) continue;
            size_t j = (size_t)old[i].hash & (x->cap_tents - 1);
            while (x->tents[j].test)
                j = (j + 1) & (x->cap_tents - 1);
            x->tents[j] = old[i];
        }
        free(old);
    }
    if (!x->cap_tents) return NULL;
    size_t j = (size_t)h & (x->cap_tents - 1);
    for (; x->tents[j].test; j = (j + 1) & (x->cap_tents - 1)) {
        tent *e = &x->tents[j];
        if (e->hash == h && strlen(e->test) == n && memcmp(e->test, test, n) == 0) return e;
    }
    if (!create) return NULL;
    tent *e = &x->tents[j];
    e->test = cs_xstrndup(test, n);
    e->hash = h;
    x->n_tents++;
    return e;
}

static void tents_clear(cs_xctx *x)
{
    for (size_t i = 0; i < x->cap_tents; i++) {
        free(x->tents[i].test);
        free(x->tents[i].idx);
    }
    free(x->tents);
    x->tents = NULL;
    x->cap_tents = x->n_tents = 0;
}

/* Closes the holes settled traces left from first_tentative on, and files
 * the pending ones again at their new places. Called when the holes are at
 * least half of that range (or nothing is pending), so its cost is paid
 * for by the traces it removes. */
static void compact_tentative(cs_xctx *x)
{
    cs_results *r = x->out;
    size_t w = x->first_tentative;
    for (size_t i = x->first_tentative; i < r->n_traces; i++)
        if (r->traces[i]) r->traces[w++] = r->traces[i];
    r->n_traces = w;
    x->n_holes = 0;
    tents_clear(x);
    for (size_t i = x->first_tentative; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        if (!t->tentative) continue;
        tent *e = tent_find(x, t->test, strlen(t->test), true);
        *CS_PUSH(e->idx, e->n, e->cap) = i;
    }
}

/* ---- dialect-facing --------------------------------------------------- */

const char *cs_xctx_source(const cs_xctx *x)
{
    return x->source;
}

/* The log says run of `test` ended (a "--- PASS/FAIL/SKIP" line): its
 * pending tentative traces (assertion messages printed while it ran) are
 * settled now, so each failing run keeps its own first message and passing
 * runs release theirs at once (memory stays bounded on long passing logs;
 * found by bench/: a 1 GB log of passing tests hid every crash after the
 * 100,000th message). */
static void settle_tentative(cs_xctx *x, const char *test, size_t n, bool failed)
{
    if (!x->n_tentative) return;
    cs_results *r = x->out;
    tent *e = tent_find(x, test, n, false);
    if (!e || !e->n) return;
    bool kept = false;
    for (size_t k = 0; k < e->n; k++) {
        cs_trace *t = r->traces[e->idx[k]];
        if (x->n_tentative) x->n_tentative--;
        if (failed && !kept && x->n_emitted < CS_MAX_TRACES_PER_MEMBER) {
            t->tentative = false;
            x->n_emitted++;
            kept = true;
            continue;
        }
        cs_trace_free(t);
        r->traces[e->idx[k]] = NULL;
        x->n_holes++;
    }
    e->n = 0;
    if (x->n_holes && (!x->n_tentative || x->n_holes * 2 > r->n_traces - x->first_tentative))
        compact_tentative(x);
    else if (!x->n_tentative)
        tents_clear(x);
}

void cs_xctx_mark_failed(cs_xctx *x, const char *test, size_t n)
{
    settle_tentative(x, test, n, true);
}

uint64_t cs_xctx_sep_line(const cs_xctx *x)
{
    return x->sep_line && x->sep_line + 1 == x->cur_line ? x->sep_line : 0;
}

const char *cs_xctx_test(const cs_xctx *x)
{
    return x->test;
}

void cs_xctx_emit(cs_xctx *x, cs_trace *t)
{
    if (!t->test && x->test) t->test = cs_xstrdup(x->test);
    /* gotestsum replays failed tests' output (race reports too) in its
     * summary: restatements, kept only where nothing else shows them. */
    if (x->in_summary) t->summary = true;
    if (t->tentative && !t->test) {
        /* Kept only for a test seen failing: without a test, never. */
        cs_trace_free(t);
        return;
    }
    size_t *count = t->tentative ? &x->n_tentative : &x->n_emitted;
    /* Tentative traces (assertion messages of go test -v, most of them from
     * tests that pass) have their own count: a long passing log must not use
     * up the cap of real traces. */
    if (*count >= CS_MAX_TRACES_PER_MEMBER) {
        /* Amplification guard: a member that is nothing but trace headers
         * must not grow the model without bound. */
        if (!x->capped)
            cs_results_add_diag(x->out, x->source,
                                "more than %d traces in one member; the rest were skipped",
                                CS_MAX_TRACES_PER_MEMBER);
        x->capped = true;
        cs_trace_free(t);
        return;
    }
    if (t->tentative && x->n_tentative == 0) x->first_tentative = x->out->n_traces;
    t->seq = x->seq++;
    (*count)++;
    cs_results_add_trace(x->out, t);
    if (t->tentative) {
        tent *e = tent_find(x, t->test, strlen(t->test), true);
        *CS_PUSH(e->idx, e->n, e->cap) = x->out->n_traces - 1;
    }
}

void cs_xctx_outcome(cs_xctx *x, const char *package, const char *name, cs_outcome o, uint64_t line)
{
    /* Readers count their own events (a JUnit <testcase>): the text of a
     * failure body restates that outcome. */
    if (x->reader) return;
    if (!x->ix_ready) {
        cs_test_index_init(&x->ix, x->out, x->source, CS_TF_TEXT);
        x->ix_ready = true;
    }
    if (x->n_runs >= CS_MAX_TEST_RUNS_PER_MEMBER ||
        !cs_test_index_add(&x->ix, package, name, o, line)) {
        if (!x->runs_capped)
            cs_results_add_diag(x->out, x->source,
                                "more than %d test runs in one member; the rest were not counted",
                                CS_MAX_TEST_RUNS_PER_MEMBER);
        x->runs_capped = true;
        return;
    }
    x->n_runs++;
    if (o == CS_OUT_PASS) x->ix_saw_pass = true;
}

void cs_xctx_emit_unnamed(cs_xctx *x, cs_trace *t)
{
    size_t before = x->out->n_traces;
    uint64_t seq = x->seq;
    free(t->test);
    t->test = NULL;
    char *keep = x->test;
    x->test = NULL; /* the running test is not this failure's */
    cs_xctx_emit(x, t);
    x->test = keep;
    if (x->out->n_traces > before && x->seq > seq)
        *CS_PUSH(x->unnamed, x->n_unnamed, x->cap_unnamed) = t;
}

bool cs_xctx_claim_unnamed(cs_xctx *x, const char *test)
{
    if (x->next_unnamed >= x->n_unnamed) return false;
    cs_trace *t = x->unnamed[x->next_unnamed++];
    t->test = cs_xstrdup(test);
    return true;
}

bool cs_xctx_pytest_line_section(const cs_xctx *x)
{
    return x->in_pytest_failures && !x->pytest_headers;
}

/* ---- patterns, once per process --------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static cs_regex *re_run, *re_pytest_hdr, *re_go_outcome, *re_go_package, *re_gotestsum;
static cs_regex *re_pytest_v, *re_pytest_sum, *re_pytest_section, *re_cargo_outcome,
    *re_cargo_section, *re_surefire2, *re_surefire3, *re_go_inline, *re_go_bench;
/* Bit i of starts[c]: dialect i may start a trace on a line whose first
 * non-blank byte is c (built once from the dialects' first_chars). */
static uint32_t starts[256];

static void global_init(void)
{
    re_run = cs_xre("^=== (?:RUN|CONT|NAME)\\s+(\\S+)");
    re_pytest_hdr = cs_xre("^_{3,} (\\S*test\\S*) _{3,}$");
    /* gotestsum --format testname: "PASS pkg.TestX (0.00s)", "FAIL TestX
     * (re-run 1) (0.01s)" (pkg relative, left out for the package itself). */
    re_gotestsum = cs_xre("^(PASS|FAIL|SKIP) (\\S+)(?: \\(re-run \\d+\\))? \\([0-9.]+s\\)\\s*$");
    re_go_outcome = cs_xre("^\\s*--- (PASS|FAIL|SKIP): (\\S+)");
    /* "ok  \tpkg\t0.1s", "FAIL\tpkg\t0.2s", "ok  \tpkg\t(cached)",
     * "FAIL\tpkg [build failed]" */
    re_go_package =
        cs_xre("^(?:ok|FAIL)\\s+(\\S+)(?:\\s+(?:\\(cached\\)|[0-9.]+s)|\\s+\\[[^\\]]*\\])");
    /* pytest -v: "test_x.py::TestC::test_y[1] PASSED    [ 14%]" */
    re_pytest_v = cs_xre("^(\\S+?\\.py::\\S+) (PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)(?:\\s|$)");
    /* the short test summary (-rA, and FAILED/ERROR by default):
     * "FAILED test_x.py::test_y - msg" */
    re_pytest_sum = cs_xre("^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\\S+?\\.py::\\S+?)(?: - .*)?$");
    /* "==== FAILURES ====", "=== short test summary info ===" */
    re_pytest_section = cs_xre("^={3,} (.*?) ={3,}$");
    /* cargo test: "test m::t ... ok", "test m::t - should panic ... ok",
     * "test m::t ... ignored, reason", "test m::t ... FAILED" */
    re_cargo_outcome =
        cs_xre("^test (\\S+)(?: - should panic)? \\.\\.\\. (ok|FAILED|ignored)(?:,.*)?$");
    re_cargo_section = cs_xre("^---- (\\S+) std(?:out|err) ----$");
    /* Maven Surefire 2.x "[ERROR] method(pkg.Class)  Time elapsed: 0.01 s  <<< FAILURE!"
     * and 3.x "[ERROR] pkg.Class.method -- Time elapsed: 0.01 s <<< ERROR!"
     * (the level tag may be gone with a learned prefix; the .txt report
     * has none). */
    re_surefire2 = cs_xre("^(?:\\[[A-Z]+\\] )?([^\\s(]+)\\(([^\\s)]+)\\)\\s+Time elapsed: "
                          "[0-9.,]+ s(?:ec)?\\s+<<< (FAILURE|ERROR)!");
    /* A test that printed without a final newline: "text--- PASS: TestZ
     * (0.06 seconds)"; only with its duration, which proves the shape. */
    re_go_inline = cs_xre("\\S--- (PASS|FAIL|SKIP): (\\S+) \\([0-9.]+ ?s(?:econds)?\\)\\s*$");
    /* A benchmark's result line is its passing run: "BenchmarkOne-8
     * 1000000000  0.2642 ns/op" (the -N is GOMAXPROCS, not the name). */
    re_go_bench = cs_xre("^(Benchmark\\S*?)(?:-\\d+)?\\s+\\d+\\s+[0-9.]+ ns/op");
    re_surefire3 = cs_xre("^(?:\\[[A-Z]+\\] )?(\\S+)\\.([^.\\s]+) -- Time elapsed: "
                          "[0-9.,]+ s(?:ec)?\\s+<<< (FAILURE|ERROR)!");
    assert(cs_n_dialects <= 32);
    for (size_t i = 0; i < cs_n_dialects; i++) {
        const cs_dialect *d = cs_dialects[i];
        for (const cs_xpattern *p = d->patterns; p && p->re; p++)
            if (!*p->re) *p->re = cs_xre(p->pattern);
        for (int c = 1; c < 256; c++)
            if (!d->first_chars || strchr(d->first_chars, c)) starts[c] |= 1u << i;
    }
}

void cs_extract_global_init(void)
{
    pthread_once(&init_once, global_init);
}

void cs_extract_global_cleanup(void)
{
    for (size_t i = 0; i < cs_n_dialects; i++)
        for (const cs_xpattern *p = cs_dialects[i]->patterns; p && p->re; p++) {
            cs_regex_free(*p->re);
            *p->re = NULL;
        }
    cs_regex_free(re_run);
    cs_regex_free(re_pytest_hdr);
    cs_regex_free(re_go_outcome);
    cs_regex_free(re_go_package);
    cs_regex_free(re_gotestsum);
    cs_regex_free(re_pytest_v);
    cs_regex_free(re_pytest_sum);
    cs_regex_free(re_pytest_section);
    cs_regex_free(re_cargo_outcome);
    cs_regex_free(re_cargo_section);
    cs_regex_free(re_surefire2);
    cs_regex_free(re_surefire3);
    cs_regex_free(re_go_inline);
    cs_regex_free(re_go_bench);
    re_surefire2 = re_surefire3 = re_go_inline = re_go_bench = NULL;
    re_run = re_pytest_hdr = re_go_outcome = re_go_package = re_gotestsum = NULL;
    re_pytest_v = re_pytest_sum = re_pytest_section = re_cargo_outcome = re_cargo_section = NULL;
}

cs_regex *cs_xre(const char *pattern)
{
    cs_regex *re = NULL;
    char *err = NULL;
    if (cs_regex_new(&re, pattern, 0, &err) != 0) {
        fprintf(stderr, "crashsift: built-in pattern /%s/: %s\n", pattern, err);
        abort();
    }
    return re;
}

/* ---- line cleaning ---------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* GitHub Actions' downloaded logs put an ISO-8601 timestamp before each line:
 * "2024-05-01T12:34:56.1234567Z ". */
static size_t gha_timestamp_len(const char *p, size_t n)
{
    if (n < 21 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':')
        return 0;
    static const int digits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (size_t i = 0; i < CS_ARRAY_LEN(digits); i++)
        if (!is_digit(p[digits[i]])) return 0;
    size_t i = 19;
    if (i < n && p[i] == '.')
        for (i++; i < n && is_digit(p[i]); i++)
            ;
    if (i < n && p[i] == 'Z')
        i++;
    else if (i + 6 <= n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':')
        i += 6;
    else
        return 0;
    if (i < n && p[i] == ' ') return i + 1;
    return i == n ? i : 0;
}

/* Copies the line into e->clean without ANSI escapes, keeping only what
 * follows the last carriage return (terminal semantics: a CR rewinds the
 * line, which is how GitLab section markers and progress bars are drawn). */
static void clean_line(cs_extractor *e, const char *p, size_t n, const char **outp, size_t *outn)
{
    size_t ts = gha_timestamp_len(p, n);
    p += ts;
    n -= ts;
    if (!memchr(p, '\x1b', n) && !memchr(p, '\r', n) && !(n > 3 && p[0] == '#' && p[1] == '#')) {
        *outp = p;
        *outn = n;
        return;
    }
    if (n + 1 > e->clean_cap) {
        e->clean_cap = n + 1;
        e->clean = cs_xrealloc(e->clean, e->clean_cap);
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\x1b' && i + 1 < n && p[i + 1] == '[') {
            /* CSI: parameters and intermediates, then a final byte. */
            i += 2;
            while (i < n && !((unsigned char)p[i] >= 0x40 && (unsigned char)p[i] <= 0x7e))
                i++;
            continue;
        }
        if (c == '\x1b' && i + 1 < n && p[i + 1] == ']') {
            /* OSC: up to BEL or ESC \ */
            i += 2;
            while (i < n && p[i] != '\a' && !(p[i] == '\x1b' && i + 1 < n && p[i + 1] == '\\'))
                i++;
            if (i < n && p[i] == '\x1b') i++;
            continue;
        }
        if (c == '\x1b' && i + 1 < n && p[i + 1] == '_') {
            /* APC: Buildkite's "\x1b_bk;t=1700000000000\a" timestamps. */
            i += 2;
            while (i < n && p[i] != '\a' && !(p[i] == '\x1b' && i + 1 < n && p[i + 1] == '\\'))
                i++;
            if (i < n && p[i] == '\x1b') i++;
            continue;
        }
        if (c == '\r') {
            o = 0;
            continue;
        }
        e->clean[o++] = c;
    }
    const char *q = e->clean;
    /* GitHub workflow commands: "##[group]", "##[error]" and friends. */
    if (o > 3 && q[0] == '#' && q[1] == '#' && q[2] == '[') {
        const char *rb = memchr(q, ']', o < 32 ? o : 32);
        if (rb) {
            o -= (size_t)(rb + 1 - q);
            q = rb + 1;
        }
    }
    /* GitLab section markers that carry no text. */
    if (cs_starts_with(q, o, "section_start:") || cs_starts_with(q, o, "section_end:")) o = 0;
    *outp = q;
    *outn = o;
}

/* ---- test outcomes of a text member ----------------------------------- */

static void close_active(cs_extractor *e, bool eof);

static uint32_t name_slot(const cs_xctx *x, const char *name, size_t n)
{
    return (uint32_t)(cs_hash64(name, n, CS_HASH_SEED) & (x->n_slots - 1));
}

/* The open record of `name` (package not yet known), made if need be.
 * The index is a hash table: a member of many tests must not pay a scan of
 * all its tests per outcome line. */
static cs_test_record *open_record(cs_xctx *x, const char *name, size_t n)
{
    if (x->n_open * 2 >= x->n_slots) {
        size_t ns = x->n_slots ? x->n_slots * 2 : 64;
        free(x->slots);
        x->slots = cs_xcalloc(ns, sizeof *x->slots);
        x->n_slots = ns;
        for (size_t i = 0; i < x->n_open; i++) {
            uint32_t h = name_slot(x, x->open[i]->name, strlen(x->open[i]->name));
            while (x->slots[h])
                h = (h + 1) & (uint32_t)(ns - 1);
            x->slots[h] = (uint32_t)i + 1;
        }
    }
    uint32_t h = name_slot(x, name, n);
    for (; x->slots[h]; h = (h + 1) & (uint32_t)(x->n_slots - 1)) {
        cs_test_record *r = x->open[x->slots[h] - 1];
        if (strlen(r->name) == n && memcmp(r->name, name, n) == 0) return r;
    }
    cs_test_record *r = cs_test_record_new(x->source, NULL, name, n, CS_TF_TEXT);
    x->slots[h] = (uint32_t)x->n_open + 1;
    *CS_PUSH(x->open, x->n_open, x->cap_open) = r;
    return r;
}

static void record_outcome(cs_xctx *x, const char *name, size_t n, cs_outcome o, uint64_t line)
{
    if (x->n_runs >= CS_MAX_TEST_RUNS_PER_MEMBER) {
        if (!x->runs_capped)
            cs_results_add_diag(x->out, x->source,
                                "more than %d test runs in one member; the rest were not counted",
                                CS_MAX_TEST_RUNS_PER_MEMBER);
        x->runs_capped = true;
        return;
    }
    x->n_runs++;
    cs_test_record_add(open_record(x, name, n), o, line);
}

/* A package line ("ok  pkg 0.1s") ends that package's output: its open
 * records get the package and go to the results. */
static uint64_t record_hash(const cs_test_record *r)
{
    uint64_t h = r->package ? cs_hash64(r->package, strlen(r->package) + 1, CS_HASH_SEED) : 1;
    return cs_hash64(r->name, strlen(r->name), h);
}

static bool same_record(const cs_test_record *a, const cs_test_record *b)
{
    return (a->package ? b->package && strcmp(a->package, b->package) == 0 : !b->package) &&
           strcmp(a->name, b->name) == 0 && a->format == b->format &&
           a->fails_only == b->fails_only;
}

static void closed_put(cs_xctx *x, uint64_t h, cs_test_record *r)
{
    if ((x->n_closed + 1) * 2 > x->cap_closed) {
        struct closed *old = x->closed;
        size_t old_cap = x->cap_closed;
        x->cap_closed = old_cap ? old_cap * 2 : 64;
        x->closed = cs_xcalloc(x->cap_closed, sizeof *x->closed);
        x->n_closed = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].r) closed_put(x, old[i].hash, old[i].r);
        free(old);
    }
    size_t j = (size_t)h & (x->cap_closed - 1);
    while (x->closed[j].r)
        j = (j + 1) & (x->cap_closed - 1);
    x->closed[j].hash = h;
    x->closed[j].r = r;
    x->n_closed++;
}

static void close_records(cs_xctx *x, const char *pkg, size_t n)
{
    for (size_t i = 0; i < x->n_open; i++) {
        cs_test_record *r = x->open[i];
        if (pkg) r->package = cs_xstrndup(pkg, n);
        r->fails_only = !x->verbose;
        uint64_t h = record_hash(r);
        cs_test_record *had = NULL;
        for (size_t j = x->cap_closed ? (size_t)h & (x->cap_closed - 1) : 0;
             x->cap_closed && x->closed[j].r; j = (j + 1) & (x->cap_closed - 1))
            if (x->closed[j].hash == h && same_record(x->closed[j].r, r)) {
                had = x->closed[j].r;
                break;
            }
        if (had) {
            for (size_t k = 0; k < r->n; k++)
                cs_test_record_add(had, (cs_outcome)r->outcomes[k], r->lines[k]);
            cs_test_record_free(r);
            continue;
        }
        cs_results_add_test(x->out, r);
        closed_put(x, h, r);
    }
    x->n_open = 0;
    if (x->slots) memset(x->slots, 0, x->n_slots * sizeof *x->slots);
}

/* A gotestsum line. gotestsum prints go's own "--- FAIL" lines for the
 * failed tests only, so where its lines are, they are the record: the open
 * records of "---" lines go, and later "---" lines only settle tentative
 * traces. Its package is relative ("internal/x.TestY"): the name is what
 * follows the package, and the package is left to the pile (flaky.h). */
static void gotestsum_outcome(cs_xctx *x, char c, const char *name, size_t k, uint64_t line)
{
    if (!x->gotestsum) {
        x->gotestsum = true;
        for (size_t i = 0; i < x->n_open; i++) {
            x->n_runs -= x->n_runs >= x->open[i]->n ? x->open[i]->n : x->n_runs;
            cs_test_record_free(x->open[i]);
        }
        x->n_open = 0;
        if (x->slots) memset(x->slots, 0, x->n_slots * sizeof *x->slots);
    }
    static const char *const prefixes[] = {".Test", ".Benchmark", ".Example", ".Fuzz"};
    if (!cs_starts_with(name, k, "Test") && !cs_starts_with(name, k, "Benchmark") &&
        !cs_starts_with(name, k, "Example") && !cs_starts_with(name, k, "Fuzz")) {
        const char *best = NULL;
        for (size_t i = 0; i < CS_ARRAY_LEN(prefixes); i++) {
            const char *h = cs_memmem(name, k, prefixes[i], strlen(prefixes[i]));
            if (h && (!best || h < best)) best = h;
        }
        if (best) {
            k -= (size_t)(best + 1 - name);
            name = best + 1;
        }
    }
    x->verbose = true;
    cs_outcome o = c == 'P' ? CS_OUT_PASS : c == 'F' ? CS_OUT_FAIL : CS_OUT_SKIP;
    settle_tentative(x, name, k, o == CS_OUT_FAIL);
    record_outcome(x, name, k, o, line);
}

static cs_outcome outcome_word(const char *w, size_t n)
{
    if ((n == 6 && memcmp(w, "PASSED", 6) == 0) || (n == 2 && memcmp(w, "ok", 2) == 0) ||
        (n == 5 && memcmp(w, "XPASS", 5) == 0))
        return CS_OUT_PASS;
    if ((n == 6 && memcmp(w, "FAILED", 6) == 0) || (n == 5 && memcmp(w, "ERROR", 5) == 0))
        return CS_OUT_FAIL;
    return CS_OUT_SKIP; /* SKIPPED, XFAIL (an expected failure), ignored */
}

static void outcome_group(cs_xctx *x, const cs_match *m, int name_g, int word_g, uint64_t line)
{
    const char *name, *w;
    size_t k, wn;
    if (!cs_match_group(m, name_g, &name, &k) || !cs_match_group(m, word_g, &w, &wn)) return;
    char *nm = cs_xstrndup(name, k);
    cs_xctx_outcome(x, NULL, nm, outcome_word(w, wn), line);
    free(nm);
}

/* pytest's and cargo test's outcome lines (unindented). pytest -v prints
 * one line per test, and -rA restates each in the short summary: where the
 * -v lines are, the summary is not counted again. Without -v only the
 * summary names tests (failures by default). */
static bool other_outcome(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (p[0] == 't' && n > 12 && cs_starts_with(p, n, "test ") && cs_memmem(p, n, " ... ", 5) &&
        cs_regex_match(re_cargo_outcome, p, n, &m)) {
        outcome_group(x, &m, 1, 2, l->no);
        return true;
    }
    if (n > 30 && cs_memmem(p, n, "<<< ", 4)) {
        bool v2 = cs_regex_match(re_surefire2, p, n, &m);
        if (v2 || cs_regex_match(re_surefire3, p, n, &m)) {
            /* Named as Surefire's JUnit names it: classname and method;
             * the exception below is this test's. */
            char *method = cs_match_dup(&m, v2 ? 1 : 2), *cls = cs_match_dup(&m, v2 ? 2 : 1);
            cs_xctx_outcome(x, cls, method, CS_OUT_FAIL, l->no);
            if (!x->test_pinned) {
                free(x->test);
                x->test = method;
                method = NULL;
            }
            free(method);
            free(cls);
            return true;
        }
        return false;
    }
    if (!cs_memmem(p, n, ".py::", 5)) return false;
    if ((p[0] == 'P' || p[0] == 'F' || p[0] == 'E' || p[0] == 'X') &&
        cs_regex_match(re_pytest_sum, p, n, &m)) {
        /* Cut short, its node id may be too ("FAILED x.py::test_lend_mis"). */
        if (!x->pytest_verbose && !l->cut) outcome_group(x, &m, 2, 1, l->no);
        return true;
    }
    if (cs_regex_match(re_pytest_v, p, n, &m)) {
        x->pytest_verbose = true;
        outcome_group(x, &m, 1, 2, l->no);
        return true;
    }
    return false;
}

/* "--- PASS: TestX (0.00s)" (FAIL, SKIP; indented for subtests) and package
 * lines. Checked on every line, whatever trace is open: an outcome line is
 * never part of a trace. Readers (test2json, JUnit) record outcomes from
 * their own events and use these lines only to settle tentative traces. */
static void note_outcome(cs_extractor *e, const cs_xline *l)
{
    cs_xctx *x = &e->x;
    size_t ind = cs_xindent(l->ptr, l->len);
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    cs_match m;
    const char *name;
    size_t k;
    /* A half-written last line ("--- FAIL: TestBal") names no test: go
     * ends every outcome line with its duration, so only a whole one counts. */
    if (n > 10 && p[0] == '-' && p[1] == '-' && p[2] == '-' && p[3] == ' ' &&
        (!l->cut || p[n - 1] == ')') && cs_regex_match(re_go_outcome, l->ptr, l->len, &m) &&
        cs_match_group(&m, 2, &name, &k)) {
        const char *what;
        size_t wn;
        cs_match_group(&m, 1, &what, &wn);
        char c = what[0];
        cs_outcome o = c == 'P' ? CS_OUT_PASS : c == 'F' ? CS_OUT_FAIL : CS_OUT_SKIP;
        if (o != CS_OUT_FAIL) x->verbose = true;
        /* An outcome line is never part of a trace: whatever is open ended
         * before it (and must be emitted before its run is settled). */
        close_active(e, false);
        settle_tentative(x, name, k, o == CS_OUT_FAIL);
        if (!x->reader && !x->gotestsum) record_outcome(x, name, k, o, l->no);
        return;
    }
    if (!x->reader && !x->gotestsum && n > 16 && !l->cut && p[0] != '-' &&
        cs_memmem(p, n, "--- ", 4) && cs_regex_match(re_go_inline, l->ptr, l->len, &m) &&
        cs_match_group(&m, 2, &name, &k)) {
        const char *what;
        size_t wn;
        cs_match_group(&m, 1, &what, &wn);
        cs_outcome o = what[0] == 'P' ? CS_OUT_PASS : what[0] == 'F' ? CS_OUT_FAIL : CS_OUT_SKIP;
        close_active(e, false);
        settle_tentative(x, name, k, o == CS_OUT_FAIL);
        record_outcome(x, name, k, o, l->no);
        return;
    }
    if (x->reader || ind || n < 4) return;
    if (p[0] == 'B' && !x->gotestsum && cs_starts_with(p, n, "Benchmark") &&
        cs_memmem(p, n, " ns/op", 6) && cs_regex_match(re_go_bench, p, n, &m) &&
        cs_match_group(&m, 1, &name, &k)) {
        record_outcome(x, name, k, CS_OUT_PASS, l->no);
        return;
    }
    if (other_outcome(x, l)) return;
    if (p[0] != 'o' && p[0] != 'F' && p[0] != 'P' && p[0] != 'S') return;
    if (p[0] != 'o' && p[4] == ' ' && cs_regex_match(re_gotestsum, l->ptr, l->len, &m) &&
        cs_match_group(&m, 2, &name, &k)) {
        gotestsum_outcome(x, p[0], name, k, l->no);
        return;
    }
    if ((p[0] == 'o' || p[0] == 'F') && cs_regex_match(re_go_package, l->ptr, l->len, &m) &&
        cs_match_group(&m, 1, &name, &k))
        close_records(x, name, k);
}

/* ---- the dispatcher --------------------------------------------------- */

static void set_test(cs_xctx *x, const char *p, size_t n)
{
    free(x->test);
    x->test = p ? cs_xstrndup(p, n) : NULL;
}

static void track_test(cs_extractor *e, const cs_xline *l)
{
    if (l->len < 8) return;
    cs_match m;
    const char *p;
    size_t n;
    if (l->ptr[0] == '=' && (cs_starts_with(l->ptr, l->len, "=== Failed") ||
                             cs_starts_with(l->ptr, l->len, "=== Errors"))) {
        e->x.in_summary = true;
        return;
    }
    if (e->x.in_summary && l->ptr[0] == 'D' && cs_starts_with(l->ptr, l->len, "DONE ")) {
        e->x.in_summary = false;
        return;
    }
    if (l->ptr[0] == '=' && cs_starts_with(l->ptr, l->len, "=== FAIL: ")) {
        /* gotestsum summary header "=== FAIL: pkg TestX (0.00s)": the
         * output below is TestX's. */
        const char *q = memchr(l->ptr + 10, ' ', l->len - 10);
        if (q && !e->x.test_pinned) {
            const char *t = q + 1;
            const char *end = memchr(t, ' ', l->len - (size_t)(t - l->ptr));
            set_test(&e->x, t, end ? (size_t)(end - t) : l->len - (size_t)(t - l->ptr));
        }
        return;
    }
    if (l->ptr[0] == '=' && l->len > 8 && l->ptr[1] == '=' && l->ptr[2] == '=' &&
        l->ptr[l->len - 1] == '=' && cs_regex_match(re_pytest_section, l->ptr, l->len, &m) &&
        cs_match_group(&m, 1, &p, &n)) {
        e->x.in_pytest_failures = n == 8 && memcmp(p, "FAILURES", 8) == 0;
        e->x.pytest_headers = false;
        return;
    }
    if (l->ptr[0] == '-' && cs_starts_with(l->ptr, l->len, "---- ") &&
        cs_regex_match(re_cargo_section, l->ptr, l->len, &m) && cs_match_group(&m, 1, &p, &n)) {
        /* cargo test: the captured output of one failed test. */
        if (!e->x.test_pinned) set_test(&e->x, p, n);
        return;
    }
    if (!e->x.test_pinned && ((l->len == 9 && memcmp(l->ptr, "failures:", 9) == 0) ||
                              cs_starts_with(l->ptr, l->len, "test result: "))) {
        set_test(&e->x, NULL, 0); /* cargo's lists after the sections */
        return;
    }
    if (l->ptr[0] == 'B' && !e->x.test_pinned && cs_starts_with(l->ptr, l->len, "Benchmark") &&
        !memchr(l->ptr, ' ', l->len) && !memchr(l->ptr, '\t', l->len)) {
        /* go test -bench names each benchmark alone on a line as it starts
         * (no === RUN): its messages and --- FAIL line follow. */
        set_test(&e->x, l->ptr, l->len);
        return;
    }
    if (l->ptr[0] == '=' && cs_regex_match(re_run, l->ptr, l->len, &m) &&
        cs_match_group(&m, 1, &p, &n)) {
        e->x.verbose = true;
        if (!e->x.test_pinned) set_test(&e->x, p, n);
    } else if (e->x.test_pinned) {
        return;
    } else if (l->ptr[0] == '_' && cs_regex_match(re_pytest_hdr, l->ptr, l->len, &m) &&
               cs_match_group(&m, 1, &p, &n)) {
        set_test(&e->x, p, n);
        e->x.pytest_headers = true;
    }
}

static void close_active(cs_extractor *e, bool eof)
{
    if (!e->active) return;
    const cs_dialect *d = e->active;
    e->active = NULL;
    d->finish(e->state, &e->x, eof);
    e->state = NULL;
}

static void probe(cs_extractor *e, const cs_xline *l)
{
    size_t ind = cs_xindent(l->ptr, l->len);
    char c = ind < l->len ? l->ptr[ind] : '\0';
    if (c == '\0') return;
    for (uint32_t m = starts[(unsigned char)c]; m; m &= m - 1) {
        const cs_dialect *d = cs_dialects[__builtin_ctz(m)];
        void *st = d->start(&e->x, l);
        if (st) {
            e->active = d;
            e->state = st;
            e->active_lines = 1;
            return;
        }
    }
}

static bool is_separator(const cs_xline *l)
{
    if (l->len < 10 || l->ptr[0] != '=') return false;
    for (size_t i = 0; i < l->len; i++)
        if (l->ptr[i] != '=') return false;
    return true;
}

static void dispatch(cs_extractor *e, const cs_xline *l)
{
    e->x.cur_line = l->no;
    note_outcome(e, l);
    if (e->active) {
        int r = e->active->feed(e->state, &e->x, l);
        if (r == CS_X_MORE) {
            uint64_t max = e->active->max_lines ? e->active->max_lines : CS_MAX_LINES_PER_TRACE;
            if (++e->active_lines >= max) close_active(e, false);
            return;
        }
        if (r == CS_X_DONE) {
            close_active(e, false);
            return;
        }
        close_active(e, false);
    }
    track_test(e, l);
    probe(e, l);
    if (!e->active && is_separator(l)) e->x.sep_line = l->no;
}

void cs_extractor_line(cs_extractor *e, const char *p, size_t n, uint64_t no)
{
    cs_xline l;
    clean_line(e, p, n, &l.ptr, &l.len);
    l.no = no;
    l.overlong = false;
    l.cut = false;
    dispatch(e, &l);
}

/* Dispatches n empty lines numbered from `first`. */
static void release_blank(cs_extractor *e, uint64_t first, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        cs_xline l = {"", 0, first + i, false, false};
        dispatch(e, &l);
    }
}

/* Strips the learned prefix and suffix of the held line, restores the tabs
 * syslog writes as "#011", and dispatches it with its own line number. */
static void release(cs_extractor *e, const cs_pfx_scan *next)
{
    struct held *h = &e->held[e->cur];
    size_t pre, suf;
    cs_pfx_decide(&e->pfx, e->has_prev ? &e->prev_scan : NULL, &h->scan, next, &pre, &suf);
    if (pre + suf > h->len) suf = 0;
    if (pre > h->len) pre = h->len;
    e->prev_scan = h->scan;
    e->has_prev = true;
    e->has_pending = false;
    uint64_t bf = e->blank_first, bn = e->blank_n;
    e->blank_n = 0;
    cs_xline l = {h->buf + pre, h->len - pre - suf, h->no, h->overlong, h->cut};
    if (pre && memmem(l.ptr, l.len, "#011", 4)) {
        if (l.len + 1 > e->tabs_cap) {
            e->tabs_cap = l.len + 1;
            e->tabs = cs_xrealloc(e->tabs, e->tabs_cap);
        }
        size_t o = 0;
        for (size_t i = 0; i < l.len; i++) {
            if (i + 4 <= l.len && memcmp(l.ptr + i, "#011", 4) == 0) {
                e->tabs[o++] = '\t';
                i += 3;
                continue;
            }
            e->tabs[o++] = l.ptr[i];
        }
        l.ptr = e->tabs;
        l.len = o;
    }
    /* Jenkins pipeline step lines ("[Pipeline] sh", "[Pipeline] }") are
     * interleaved with the steps' output: they neither start nor end a trace. */
    if (!cs_starts_with(l.ptr, l.len, "[Pipeline] ") &&
        !(l.len == 10 && memcmp(l.ptr, "[Pipeline]", 10) == 0))
        dispatch(e, &l);
    release_blank(e, bf, bn);
}

static int on_line(void *ctx, const cs_line *line)
{
    cs_extractor *e = ctx;
    const char *p;
    size_t n;
    clean_line(e, line->ptr, line->len, &p, &n);
    int slot = e->has_pending ? 1 - e->cur : e->cur;
    struct held *h = &e->held[slot];
    if (n + 1 > h->cap) {
        h->cap = n + 1 > 2 * h->cap ? n + 1 : 2 * h->cap;
        h->buf = cs_xrealloc(h->buf, h->cap);
    }
    if (n == 0 && e->has_pending) {
        if (!e->blank_n) e->blank_first = line->no;
        e->blank_n++;
        return 0;
    }
    memcpy(h->buf, p, n);
    h->len = n;
    h->no = line->no;
    h->overlong = (line->flags & CS_LINE_OVERLONG) != 0;
    h->cut = (line->flags & CS_LINE_UNTERMINATED) != 0;
    cs_pfx_scan_line(h->buf, h->len, &h->scan);
    if (e->has_pending) {
        release(e, &h->scan);
        e->cur = slot;
    }
    e->has_pending = n > 0;
    if (n == 0) release_blank(e, line->no, 1);
    return 0;
}

cs_extractor *cs_extractor_new(const char *source, const cs_extract_opts *opts, cs_results *out)
{
    cs_extract_global_init();
    cs_extractor *e = cs_xcalloc(1, sizeof *e);
    e->x.source = source;
    e->x.out = out;
    e->first_trace = out->n_traces;
    e->x.first_test = out->n_tests;
    cs_lines_init(&e->lines, opts && opts->max_line ? opts->max_line : 1 << 20, on_line, e);
    return e;
}

int cs_extractor_feed(cs_extractor *e, const void *data, size_t n)
{
    return cs_lines_feed(&e->lines, data, n);
}

void cs_extractor_test_failed(cs_extractor *e)
{
    close_active(e, false);
    if (e->x.test) settle_tentative(&e->x, e->x.test, strlen(e->x.test), true);
}

void cs_extractor_set_reader(cs_extractor *e)
{
    e->x.reader = true;
}

void cs_extractor_set_test(cs_extractor *e, const char *test)
{
    set_test(&e->x, test, test ? strlen(test) : 0);
    e->x.test_pinned = test != NULL;
}

/* A test failure and the crash of the same test run (a panic, fatal error
 * or race report printed while that run went on) are two pieces of
 * evidence: both are kept, and the failure is linked to the crash as its
 * explanation (cause_line/cause_kind).
 *
 * The run of a trace is the number of outcome lines ("--- PASS/FAIL/SKIP",
 * test2json pass/fail/skip events) of its test in this member before the
 * trace starts: with go test -count=N or retries one member holds many runs
 * of a test, and a race reported in run 1 explains run 1's failure, not
 * run 7's. All lookups go through sorted arrays (outcome lines by test,
 * causes by test and run), so a member of many failures stays O(n log n). */
typedef struct run_line {
    const char *test;
    uint64_t line;
} run_line;

static int cmp_run_line(const void *a, const void *b)
{
    const run_line *x = a, *y = b;
    int c = strcmp(x->test, y->test);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Index of the first element not less than (test, line). */
static size_t lower_bound(const run_line *v, size_t n, const char *test, uint64_t line)
{
    run_line key = {test, line};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_run_line(&v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct cause_ref {
    const char *test;
    size_t run;
    size_t i; /* position in the member's traces */
} cause_ref;

static int cmp_cause(const void *a, const void *b)
{
    const cause_ref *x = a, *y = b;
    int c = strcmp(x->test, y->test);
    if (c) return c;
    if (x->run != y->run) return x->run < y->run ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static void link_cause(cs_trace *failure, const cs_trace *cause)
{
    failure->cause_line = cause->line_start;
    failure->cause_kind = cause->kind;
}

/* pytest node ids "dir/test_x.py::TestC::test_y": the part after the file,
 * and whether `a`'s file is `b`'s or a path suffix of it (--tb=native names
 * the file absolutely, the summary relative to the rootdir). */
static const char *node_tail(const char *id)
{
    const char *sep = strstr(id, ".py::");
    return sep ? sep + 5 : NULL;
}

static bool same_node(const char *full, const char *summary)
{
    const char *ft = node_tail(full), *st = node_tail(summary);
    if (!ft || !st || strcmp(ft, st) != 0) return false;
    size_t fn = (size_t)(ft - full), sn = (size_t)(st - summary);
    if (sn > fn || memcmp(full + fn - sn, summary, sn) != 0) return false;
    return sn == fn || full[fn - sn - 1] == '/';
}

typedef struct full_ref {
    const char *key; /* the test, or the node id's tail */
    cs_trace *t;
} full_ref;

static int cmp_full(const void *a, const void *b)
{
    return strcmp(((const full_ref *)a)->key, ((const full_ref *)b)->key);
}

/* Summary lines restate a failure printed in full above them: where their
 * test has another trace in the member they are that trace, not a second
 * failure. A pytest summary also matches a full trace whose node id names
 * the same test through a longer path; that trace then takes the summary's
 * node id, the name the outcome lines use. Full traces are looked up in
 * arrays sorted by test and by node id tail. */
static void drop_summaries(cs_results *r, size_t first)
{
    size_t n = r->n_traces - first, n_full = 0, n_tail = 0;
    cs_trace **t = r->traces + first;
    full_ref *full = cs_xmalloc((n ? n : 1) * sizeof *full);
    full_ref *tail = cs_xmalloc((n ? n : 1) * sizeof *tail);
    for (size_t i = 0; i < n; i++) {
        if (!t[i]->test || t[i]->summary) continue;
        full[n_full++] = (full_ref){t[i]->test, t[i]};
        const char *k = node_tail(t[i]->test);
        if (k) tail[n_tail++] = (full_ref){k, t[i]};
    }
    qsort(full, n_full, sizeof *full, cmp_full);
    qsort(tail, n_tail, sizeof *tail, cmp_full);
    char **old = cs_xmalloc((n ? n : 1) * sizeof *old);
    size_t w = 0, n_old = 0;
    for (size_t i = 0; i < n; i++) {
        bool drop = false;
        if (t[i]->summary && t[i]->test) {
            full_ref key = {t[i]->test, NULL};
            drop = bsearch(&key, full, n_full, sizeof *full, cmp_full) != NULL;
            const char *k = drop ? NULL : node_tail(t[i]->test);
            if (k) {
                size_t lo = 0, hi = n_tail;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (strcmp(tail[mid].key, k) < 0)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                for (; lo < n_tail && strcmp(tail[lo].key, k) == 0 && !drop; lo++)
                    if (same_node(tail[lo].t->test, t[i]->test)) {
                        /* The old name is still a key of `full`: freed
                         * after the loop, never while it can be compared. */
                        old[n_old++] = tail[lo].t->test;
                        tail[lo].t->test = cs_xstrdup(t[i]->test);
                        tail[lo].key = node_tail(tail[lo].t->test);
                        drop = true;
                    }
            }
        }
        if (drop)
            cs_trace_free(t[i]);
        else
            t[w++] = t[i];
    }
    for (size_t i = 0; i < n_old; i++)
        free(old[i]);
    free(old);
    free(full);
    free(tail);
    r->n_traces = first + w;
}

void cs_extract_merge_failures(cs_results *r, size_t first, size_t first_test)
{
    if (r->n_traces <= first) return;
    size_t n = r->n_traces - first;
    cs_trace **t = r->traces + first;
    drop_summaries(r, first);
    n = r->n_traces - first;
    /* "race detected during execution of test" with the race report just
     * before it but outside any === RUN header: the report is that test's,
     * and explains the failure. */
    for (size_t i = 0; i < n; i++) {
        if (t[i]->kind != CS_TK_TEST_FAILURE || !t[i]->test || !t[i]->headline ||
            !strstr(t[i]->headline, "race detected during execution"))
            continue;
        for (size_t j = i; j-- > 0;) {
            if (t[j]->kind != CS_TK_GO_RACE && t[j]->kind != CS_TK_TSAN) break;
            if (!t[j]->test) t[j]->test = cs_xstrdup(t[i]->test);
            if (strcmp(t[j]->test, t[i]->test) == 0 && !t[i]->cause_line) link_cause(t[i], t[j]);
        }
    }
    size_t n_lines = 0;
    for (size_t k = first_test; k < r->n_tests; k++)
        n_lines += r->tests[k]->n;
    run_line *lines = cs_xmalloc((n_lines ? n_lines : 1) * sizeof *lines);
    size_t w = 0;
    for (size_t k = first_test; k < r->n_tests; k++)
        for (size_t j = 0; j < r->tests[k]->n; j++)
            lines[w++] = (run_line){r->tests[k]->name, r->tests[k]->lines[j]};
    qsort(lines, n_lines, sizeof *lines, cmp_run_line);
    cause_ref *causes = cs_xmalloc(n * sizeof *causes);
    size_t *runs = cs_xmalloc(n * sizeof *runs);
    size_t n_causes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!t[i]->test) continue;
        runs[i] = lower_bound(lines, n_lines, t[i]->test, t[i]->line_start) -
                  lower_bound(lines, n_lines, t[i]->test, 0);
        if (t[i]->kind != CS_TK_TEST_FAILURE)
            causes[n_causes++] = (cause_ref){t[i]->test, runs[i], i};
    }
    qsort(causes, n_causes, sizeof *causes, cmp_cause);
    for (size_t i = 0; i < n; i++) {
        if (t[i]->kind != CS_TK_TEST_FAILURE || !t[i]->test || t[i]->cause_line) continue;
        cause_ref key = {t[i]->test, runs[i], 0};
        size_t lo = 0, hi = n_causes;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_cause(&causes[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n_causes && strcmp(causes[lo].test, key.test) == 0 && causes[lo].run == key.run)
            link_cause(t[i], t[causes[lo].i]);
    }
    free(lines);
    free(causes);
    free(runs);
}

/* Assertion messages printed while a test ran (go test -v) whose run never
 * ended with a FAIL line (a log cut mid-test, a test still running when the
 * binary died) are not failures anyone saw: they go. */
static void drop_unsettled(cs_extractor *e)
{
    if (e->x.n_holes) compact_tentative(&e->x);
    tents_clear(&e->x);
    cs_results *r = e->x.out;
    size_t w = e->first_trace;
    for (size_t i = e->first_trace; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        if (t->tentative)
            cs_trace_free(t);
        else
            r->traces[w++] = t;
    }
    r->n_traces = w;
    e->x.n_tentative = 0;
}

void cs_extractor_finish(cs_extractor *e)
{
    cs_lines_finish(&e->lines);
    if (e->has_pending) release(e, NULL);
    close_active(e, true);
    drop_unsettled(e);
    close_records(&e->x, NULL, 0);
    if (e->x.ix_ready) {
        for (size_t i = 0; i < e->x.ix.n; i++)
            e->x.ix.v[i]->fails_only = !e->x.ix_saw_pass;
        cs_test_index_dispose(&e->x.ix);
        e->x.ix_ready = false;
    }
    e->x.n_unnamed = e->x.next_unnamed = 0;
    cs_extract_merge_failures(e->x.out, e->first_trace, e->x.first_test);
    if (e->lines.n_overlong)
        cs_results_add_diag(e->x.out, e->x.source,
                            "%llu line(s) longer than %zu bytes were cut; raise --max-line to "
                            "read them whole",
                            (unsigned long long)e->lines.n_overlong, e->lines.max);
}

void cs_extractor_free(cs_extractor *e)
{
    if (!e) return;
    if (e->active) close_active(e, true);
    cs_lines_dispose(&e->lines);
    free(e->clean);
    free(e->held[0].buf);
    free(e->held[1].buf);
    free(e->tabs);
    free(e->x.test);
    for (size_t i = 0; i < e->x.n_open; i++)
        cs_test_record_free(e->x.open[i]);
    free(e->x.open);
    free(e->x.slots);
    if (e->x.ix_ready) cs_test_index_dispose(&e->x.ix);
    free(e->x.unnamed);
    free(e->x.closed);
    tents_clear(&e->x);
    free(e);
}

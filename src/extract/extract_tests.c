/* extract_tests.c - which test a line belongs to and what the log says
 * of its runs (outcome lines of go test, gotestsum, pytest, cargo, Ginkgo,
 * Surefire), the tentative messages a test's outcome settles, and the
 * links of failures to the crashes of the same run. */
#define _GNU_SOURCE
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/strset.h"
#include "../base/util.h"
#include "extract_internal.h"

/* The outcome lines' patterns, compiled once per process with the
 * dialects' (extract.c). */
static cs_regex *re_run, *re_pytest_hdr, *re_go_outcome, *re_go_package, *re_gotestsum;
static cs_regex *re_pytest_v, *re_pytest_sum, *re_pytest_section, *re_cargo_outcome,
    *re_cargo_section, *re_surefire2, *re_surefire3, *re_go_inline, *re_go_bench;

void cs_x_tests_init(void)
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
}

void cs_x_tests_cleanup(void)
{
    cs_regex *const all[] = {re_run,           re_pytest_hdr,    re_go_outcome, re_go_package,
                             re_gotestsum,     re_pytest_v,      re_pytest_sum, re_pytest_section,
                             re_cargo_outcome, re_cargo_section, re_surefire2,  re_surefire3,
                             re_go_inline,     re_go_bench};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        cs_regex_free(all[i]);
    re_run = re_pytest_hdr = re_go_outcome = re_go_package = re_gotestsum = NULL;
    re_pytest_v = re_pytest_sum = re_pytest_section = re_cargo_outcome = NULL;
    re_cargo_section = re_surefire2 = re_surefire3 = re_go_inline = re_go_bench = NULL;
}

/* ---- tentative traces by test ------------------------------------------ */

tent *cs_x_tent_find(cs_xctx *x, const char *test, size_t n, bool create)
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

void cs_x_tents_clear(cs_xctx *x)
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
void cs_x_compact_tentative(cs_xctx *x)
{
    cs_results *r = x->out;
    size_t w = x->first_tentative;
    for (size_t i = x->first_tentative; i < r->n_traces; i++)
        if (r->traces[i]) r->traces[w++] = r->traces[i];
    r->n_traces = w;
    x->n_holes = 0;
    cs_x_tents_clear(x);
    for (size_t i = x->first_tentative; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        if (!t->tentative) continue;
        tent *e = cs_x_tent_find(x, t->test, strlen(t->test), true);
        *CS_PUSH(e->idx, e->n, e->cap) = i;
    }
}

/* ---- test outcomes of a text member ----------------------------------- */

void cs_x_close_active(cs_extractor *e, bool eof);

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
    cs_test_record *r;
    if (x->n_spare) {
        /* A record merged into its closed twin (cs_x_close_records) keeps
         * its buffers for the next: a repeated go test -v log would
         * otherwise allocate and free five blocks per outcome line. */
        r = x->spare[--x->n_spare];
        free(r->name);
        r->name = cs_xstrndup(name, n);
        r->n = 0;
        r->outcomes[0] = '\0';
        r->fails_only = false;
    } else {
        r = cs_test_record_new(x->source, NULL, name, n, CS_TF_TEXT);
    }
    x->slots[h] = (uint32_t)x->n_open + 1;
    *CS_PUSH(x->open, x->n_open, x->cap_open) = r;
    return r;
}

void cs_x_runs_capped(cs_xctx *x)
{
    if (!x->runs_capped)
        cs_results_add_diag(x->out, x->source,
                            "more than %d test runs in one member; the rest were not counted",
                            CS_MAX_TEST_RUNS_PER_MEMBER);
    x->runs_capped = true;
}

static void record_outcome(cs_xctx *x, const char *name, size_t n, cs_outcome o, uint64_t line)
{
    if (x->n_runs >= CS_MAX_TEST_RUNS_PER_MEMBER) {
        cs_x_runs_capped(x);
        return;
    }
    x->n_runs++;
    cs_test_record_add(open_record(x, name, n), o, line);
    if (o == CS_OUT_FAIL) {
        free(x->last_fail);
        x->last_fail = cs_xstrndup(name, n);
        x->last_fail_line = line;
    }
}

/* A Go panic or fatal error ends the test binary in the middle of a test's
 * run. When the test's goroutine panicked, go test printed "--- FAIL" just
 * before the panic; when another goroutine did (or the runtime threw), no
 * outcome line is ever printed for that run, yet it failed: count it once,
 * at the crash's line. */
void cs_x_crash_run(cs_xctx *x, const cs_trace *t)
{
    if (x->reader || !t->test || t->tentative || t->summary || t->survived) return;
    if (t->kind != CS_TK_GO_PANIC && t->kind != CS_TK_GO_FATAL) return;
    /* The run's own --- FAIL line is the last failure recorded, printed
     * right before the panic (its record may be closed by now: the package
     * line can end the trace). */
    if (x->last_fail && strcmp(x->last_fail, t->test) == 0 &&
        x->last_fail_line + 3 >= t->line_start)
        return;
    record_outcome(x, t->test, strlen(t->test), CS_OUT_FAIL, t->line_start);
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

void cs_x_close_records(cs_xctx *x, const char *pkg, size_t n)
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
            free(r->package);
            r->package = NULL;
            if (r->cap && x->n_spare < CS_X_MAX_SPARE)
                *CS_PUSH(x->spare, x->n_spare, x->cap_spare) = r;
            else
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
    cs_x_settle_tentative(x, name, k, o == CS_OUT_FAIL);
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

/* pytest -v prints "x.py::t PASSED" and, on the next line, "x.py::t ERROR"
 * when t's teardown failed: one run that failed (a test that failed and
 * then errored in teardown stays one failed run). True when the ERROR line
 * amended the run before it. */
static bool teardown_error(cs_xctx *x, const cs_match *m, uint64_t line)
{
    const char *name, *w;
    size_t k, wn;
    if (!x->ix_ready || !x->pytest_v_line || x->pytest_v_line + 1 != line ||
        !cs_match_group(m, 2, &w, &wn) || wn != 5 || memcmp(w, "ERROR", 5) != 0 ||
        !cs_match_group(m, 1, &name, &k))
        return false;
    char *nm = cs_xstrndup(name, k);
    cs_test_record *r = cs_test_index_find(&x->ix, NULL, nm);
    free(nm);
    if (!r || !r->n || r->lines[r->n - 1] != x->pytest_v_line) return false;
    if (r->outcomes[r->n - 1] == CS_OUT_PASS) r->outcomes[r->n - 1] = CS_OUT_FAIL;
    return true;
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
        if (!teardown_error(x, &m, l->no)) outcome_group(x, &m, 1, 2, l->no);
        x->pytest_v_line = l->no;
        return true;
    }
    return false;
}

/* PCRE2's \s without UCP. */
static bool re_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The \S+ run at p[i..n): its end, or i when empty; *ascii says whether
 * it is all ASCII (else only the regex says where invalid UTF-8 ends it). */
static size_t re_word(const char *p, size_t n, size_t i, bool *ascii)
{
    *ascii = true;
    for (; i < n && !re_space(p[i]); i++)
        if ((unsigned char)p[i] >= 0x80) *ascii = false;
    return i;
}

/* What re_go_outcome ("^\s*--- (PASS|FAIL|SKIP): (\S+)") matches, by
 * hand: half of a go test -v log's lines are outcome or RUN lines, and the
 * regex cost more than the rest of their handling. p is past the line's
 * blanks; a non-ASCII name goes to the regex. */
static bool go_outcome(const cs_xline *l, const char *p, size_t n, char *verb, const char **name,
                       size_t *k)
{
    if (n < 11 || memcmp(p, "--- ", 4) != 0) return false;
    if (memcmp(p + 4, "PASS: ", 6) != 0 && memcmp(p + 4, "FAIL: ", 6) != 0 &&
        memcmp(p + 4, "SKIP: ", 6) != 0)
        return false;
    bool ascii;
    size_t end = re_word(p, n, 10, &ascii);
    if (!ascii) {
        cs_match m;
        const char *w;
        size_t wn;
        if (!cs_regex_match(re_go_outcome, l->ptr, l->len, &m) || !cs_match_group(&m, 2, name, k))
            return false;
        cs_match_group(&m, 1, &w, &wn);
        *verb = w[0];
        return true;
    }
    if (end == 10) return false;
    *verb = p[4];
    *name = p + 10;
    *k = end - 10;
    return true;
}

/* What re_run ("^=== (?:RUN|CONT|NAME)\s+(\S+)") matches, by hand. */
static bool go_run(const cs_xline *l, const char **name, size_t *k)
{
    const char *p = l->ptr;
    size_t n = l->len, i;
    if (n < 8 || memcmp(p, "=== ", 4) != 0) return false;
    if (memcmp(p + 4, "RUN", 3) == 0)
        i = 7;
    else if (n > 8 && (memcmp(p + 4, "CONT", 4) == 0 || memcmp(p + 4, "NAME", 4) == 0))
        i = 8;
    else
        return false;
    size_t s = i;
    while (i < n && re_space(p[i]))
        i++;
    if (i == s) return false;
    bool ascii;
    size_t end = re_word(p, n, i, &ascii);
    if (!ascii) {
        cs_match m;
        return cs_regex_match(re_run, p, n, &m) && cs_match_group(&m, 1, name, k);
    }
    if (end == i) return false;
    *name = p + i;
    *k = end - i;
    return true;
}

/* "--- PASS: TestX (0.00s)" (FAIL, SKIP; indented for subtests) and package
 * lines. Checked on every line, whatever trace is open: an outcome line is
 * never part of a trace. Readers (test2json, JUnit) record outcomes from
 * their own events and use these lines only to settle tentative traces. */
void cs_x_note_outcome(cs_extractor *e, const cs_xline *l)
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
    char c;
    if (n > 10 && p[0] == '-' && p[1] == '-' && p[2] == '-' && p[3] == ' ' &&
        (!l->cut || p[n - 1] == ')') && go_outcome(l, p, n, &c, &name, &k)) {
        cs_outcome o = c == 'P' ? CS_OUT_PASS : c == 'F' ? CS_OUT_FAIL : CS_OUT_SKIP;
        if (o != CS_OUT_FAIL) x->verbose = true;
        /* An outcome line is never part of a trace: whatever is open ended
         * before it (and must be emitted before its run is settled). */
        cs_x_close_active(e, false);
        cs_x_settle_tentative(x, name, k, o == CS_OUT_FAIL);
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
        cs_x_close_active(e, false);
        cs_x_settle_tentative(x, name, k, o == CS_OUT_FAIL);
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
        cs_x_close_records(x, name, k);
}

void cs_x_set_test(cs_xctx *x, const char *p, size_t n)
{
    free(x->test);
    x->test = p ? cs_xstrndup(p, n) : NULL;
}

void cs_x_track_test(cs_extractor *e, const cs_xline *l)
{
    if (l->len < 8) return;
    cs_match m;
    const char *p;
    size_t n;
    /* First bytes before the comparisons: this runs on every line. */
    bool eq_fe = l->ptr[0] == '=' && (l->ptr[4] == 'F' || l->ptr[4] == 'E');
    if (eq_fe && (cs_starts_with(l->ptr, l->len, "=== Failed") ||
                  cs_starts_with(l->ptr, l->len, "=== Errors"))) {
        e->x.in_summary = true;
        return;
    }
    if (e->x.in_summary && l->ptr[0] == 'D' && cs_starts_with(l->ptr, l->len, "DONE ")) {
        e->x.in_summary = false;
        return;
    }
    if (eq_fe && cs_starts_with(l->ptr, l->len, "=== FAIL: ")) {
        /* gotestsum summary header "=== FAIL: pkg TestX (0.00s)": the
         * output below is TestX's. */
        const char *q = memchr(l->ptr + 10, ' ', l->len - 10);
        if (q && !e->x.test_pinned) {
            const char *t = q + 1;
            const char *end = memchr(t, ' ', l->len - (size_t)(t - l->ptr));
            cs_x_set_test(&e->x, t, end ? (size_t)(end - t) : l->len - (size_t)(t - l->ptr));
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
        if (!e->x.test_pinned) cs_x_set_test(&e->x, p, n);
        return;
    }
    if (!e->x.test_pinned &&
        ((l->len == 9 && memcmp(l->ptr, "failures:", 9) == 0) ||
         (l->ptr[0] == 't' && cs_starts_with(l->ptr, l->len, "test result: ")))) {
        cs_x_set_test(&e->x, NULL, 0); /* cargo's lists after the sections */
        return;
    }
    if (l->ptr[0] == 'B' && !e->x.test_pinned && cs_starts_with(l->ptr, l->len, "Benchmark") &&
        !memchr(l->ptr, ' ', l->len) && !memchr(l->ptr, '\t', l->len)) {
        /* go test -bench names each benchmark alone on a line as it starts
         * (no === RUN): its messages and --- FAIL line follow. */
        cs_x_set_test(&e->x, l->ptr, l->len);
        return;
    }
    if (l->ptr[0] == '=' && go_run(l, &p, &n)) {
        e->x.verbose = true;
        if (!e->x.test_pinned) cs_x_set_test(&e->x, p, n);
    } else if (e->x.test_pinned) {
        return;
    } else if (l->ptr[0] == '_' && cs_regex_match(re_pytest_hdr, l->ptr, l->len, &m) &&
               cs_match_group(&m, 1, &p, &n)) {
        cs_x_set_test(&e->x, p, n);
        e->x.pytest_headers = true;
    }
}

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
    return cs_lower_bound(v, n, sizeof *v, &(run_line){test, line}, cmp_run_line);
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
                size_t lo =
                    cs_lower_bound(tail, n_tail, sizeof *tail, &(full_ref){k, NULL}, cmp_full);
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
    /* Only failures find a cause, and only in their own test: with no
     * failure or no cause to link, or for a test no trace names, the run
     * counts are not needed (a long passing go test -v log sorted millions
     * of outcome lines at its end for nothing). */
    size_t n_fail = 0, n_cause = 0;
    cs_strset named;
    cs_strset_init(&named);
    for (size_t i = 0; i < n; i++) {
        if (!t[i]->test) continue;
        if (t[i]->kind != CS_TK_TEST_FAILURE)
            n_cause++;
        else if (!t[i]->cause_line)
            n_fail++;
    }
    if (!n_fail || !n_cause) {
        cs_strset_dispose(&named);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (t[i]->test) cs_strset_add(&named, t[i]->test);
    size_t n_lines = 0;
    for (size_t k = first_test; k < r->n_tests; k++)
        if (cs_strset_has(&named, r->tests[k]->name)) n_lines += r->tests[k]->n;
    run_line *lines = cs_xmalloc((n_lines ? n_lines : 1) * sizeof *lines);
    size_t w = 0;
    for (size_t k = first_test; k < r->n_tests; k++)
        if (cs_strset_has(&named, r->tests[k]->name))
            for (size_t j = 0; j < r->tests[k]->n; j++)
                lines[w++] = (run_line){r->tests[k]->name, r->tests[k]->lines[j]};
    cs_strset_dispose(&named);
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
        size_t lo = cs_lower_bound(causes, n_causes, sizeof *causes, &key, cmp_cause);
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
void cs_x_drop_unsettled(cs_extractor *e)
{
    if (e->x.n_holes) cs_x_compact_tentative(&e->x);
    cs_x_tents_clear(&e->x);
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

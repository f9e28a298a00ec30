/* extract.c - the line loop of a text member and its dispatcher: each line
 * cleaned (extract_clean.c), its learned prefix stripped (prefix.c), its
 * test tracked (extract_tests.c), then offered to the active dialect or to
 * every dialect that may start on its first byte or on a literal it holds
 * (prefilter.c); plus the calls dialects
 * make on their member context and the patterns compiled once per process. */
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
#include "extract_internal.h"
#include "prefix.h"

/* ---- dialect-facing --------------------------------------------------- */

const char *cs_xctx_source(const cs_xctx *x)
{
    return x->source;
}

void cs_xctx_hand_off(cs_xctx *x, uint64_t line_no, const char *p, size_t n)
{
    free(x->handoff);
    x->handoff = cs_xstrndup(p, n);
    x->handoff_line = line_no;
}

char *cs_xctx_take_handoff(cs_xctx *x, uint64_t line_no, uint64_t within, uint64_t *at)
{
    if (!x->handoff || x->handoff_line >= line_no || line_no - x->handoff_line > within)
        return NULL;
    char *h = x->handoff;
    x->handoff = NULL;
    *at = x->handoff_line;
    return h;
}

/* The log says run of `test` ended (a "--- PASS/FAIL/SKIP" line): its
 * pending tentative traces (assertion messages printed while it ran) are
 * settled now, so each failing run keeps its own first message and passing
 * runs release theirs at once (memory stays bounded on long passing logs;
 * found by bench/: a 1 GB log of passing tests hid every crash after the
 * 100,000th message). */
void cs_x_settle_tentative(cs_xctx *x, const char *test, size_t n, bool failed)
{
    if (!x->n_tentative) return;
    cs_results *r = x->out;
    tent *e = cs_x_tent_find(x, test, n, false);
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
        cs_x_compact_tentative(x);
    else if (!x->n_tentative)
        cs_x_tents_clear(x);
}

void cs_xctx_mark_failed(cs_xctx *x, const char *test, size_t n)
{
    cs_x_settle_tentative(x, test, n, true);
}

uint64_t cs_xctx_sep_line(const cs_xctx *x)
{
    return x->sep_line && x->sep_line + 1 == x->cur_line ? x->sep_line : 0;
}

const char *cs_xctx_test(const cs_xctx *x)
{
    return x->test;
}

/* Frames that name code (a function or a module): not a bare pc, not an
 * unknown function, not the file:line a message named (a Rust panic's
 * location). */
static size_t n_frames(const cs_trace *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_threads; i++)
        for (size_t j = 0; j < t->threads[i].n_frames; j++) {
            const cs_frame *f = &t->threads[i].frames[j];
            bool fn = f->function && strcmp(f->function, "<unknown>") != 0 &&
                      strcmp(f->function, "?") != 0 && strcmp(f->function, "??") != 0;
            n += fn || f->module;
        }
    return n;
}

/* A stack report a frameless headline may be the message of. */
static bool is_stack_report(cs_trace_kind k)
{
    return k == CS_TK_ASAN || k == CS_TK_MSAN || k == CS_TK_UBSAN || k == CS_TK_FUZZER;
}

/* A message with no frames (Chromium's "Check failed:", V8's "Fatal
 * error", a Rust panic without RUST_BACKTRACE, a bare "Segmentation
 * fault") and the sanitizer or libFuzzer report that the same process
 * prints right after it are one crash: the report has the stack, the
 * message says what went wrong. When `t` is such a report and the trace
 * emitted just before it (nothing in between) is such a message ending at
 * most CS_X_STACK_WINDOW lines before it, the message's trace takes the
 * report's threads and lines and says where they came from (stack_line,
 * stack_kind); the report is not counted again. */
static bool merge_into_headline(cs_xctx *x, cs_trace *t)
{
    if (!x->last_emitted || t->tentative || t->summary || !is_stack_report(t->kind)) return false;
    size_t i = x->last_emitted - 1;
    /* Settling tentative traces may have moved it (cs_x_compact_tentative). */
    cs_trace *h = i < x->out->n_traces ? x->out->traces[i] : NULL;
    if (h != x->last) return false;
    if (!h || h->tentative || h->summary || h->stack_line || h->kind == t->kind) return false;
    /* A panic a web framework recovered is no message of the next report:
     * its own stack (files without functions) is the one it had. */
    if (h->survived) return false;
    /* A test failure is linked to the crash that explains it, not merged
     * (cs_extract_merge_failures). */
    if (h->kind == CS_TK_TEST_FAILURE || is_stack_report(h->kind) || n_frames(h) || !n_frames(t))
        return false;
    if (h->line_end > t->line_start || h->line_end + CS_X_STACK_WINDOW < t->line_start)
        return false;
    if ((h->test == NULL) != (t->test == NULL) || (h->test && strcmp(h->test, t->test) != 0))
        return false;
    /* The message's own frames (bare pcs) stay, as other threads after the
     * report's. */
    for (size_t k = 0; k < h->n_threads; k++) {
        if (!h->threads[k].n_frames) {
            cs_thread_dispose(&h->threads[k]);
            continue;
        }
        h->threads[k].role = CS_ROLE_OTHER;
        *CS_PUSH(t->threads, t->n_threads, t->cap_threads) = h->threads[k];
    }
    free(h->threads);
    h->threads = t->threads;
    h->n_threads = t->n_threads;
    h->cap_threads = t->cap_threads;
    h->n_dropped_threads = t->n_dropped_threads;
    t->threads = NULL;
    t->n_threads = t->cap_threads = 0;
    h->stack_line = t->line_start;
    h->stack_kind = t->kind;
    h->line_end = t->line_end;
    h->truncated |= t->truncated;
    cs_trace_free(t);
    return true;
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
    if (merge_into_headline(x, t)) {
        x->last_emitted = 0;
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
    x->last_emitted = t->tentative ? 0 : x->out->n_traces;
    x->last = t->tentative ? NULL : t;
    cs_x_crash_run(x, t);
    /* A trace is final here unless it is tentative or a summary (both may
     * still be dropped: a dropped trace must never own shared threads) or
     * a frameless headline (it may take the next report's threads). A
     * member of 100,000 identical panics then holds one stack, not 100,000. */
    if (x->share && !t->tentative && !t->summary && n_frames(t))
        cs_share_threads(x->share, x->out, x->out->n_traces - 1);
    if (t->tentative) {
        tent *e = cs_x_tent_find(x, t->test, strlen(t->test), true);
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
        cs_x_runs_capped(x);
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
/* Bit i of starts[c]: dialect i may start a trace on a line whose first
 * non-blank byte is c (built once from the dialects' first_chars). Bit i
 * of by_literal: dialect i may also start on a line that holds one of its
 * declared literals (prefilter.c). */
static uint32_t starts[256];
static uint32_t by_literal;

static void global_init(void)
{
    cs_x_tests_init();
    assert(cs_n_dialects <= 32);
    /* The correctness guard of the prefilter (tests/prefilter.sh): with
     * it off, a dialect that declares literals is offered every line, as
     * before they were declared, and the report must not change. */
    const char *off = getenv("CRASHSIFT_NO_PREFILTER");
    bool prefilter = !off || !*off || strcmp(off, "0") == 0;
    uint32_t with = cs_x_prefilter_init();
    by_literal = prefilter ? with : 0;
    for (size_t i = 0; i < cs_n_dialects; i++) {
        const cs_dialect *d = cs_dialects[i];
        for (const cs_xpattern *p = d->patterns; p && p->re; p++)
            if (!*p->re) *p->re = cs_xre(p->pattern);
        bool every = d->literals ? !prefilter : !d->first_chars;
        for (int c = 1; c < 256; c++)
            if (every || (d->first_chars && strchr(d->first_chars, c))) starts[c] |= 1u << i;
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
    cs_x_tests_cleanup();
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

/* ---- the dispatcher --------------------------------------------------- */

void cs_x_close_active(cs_extractor *e, bool eof)
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
    uint32_t m = starts[(unsigned char)c];
    uint32_t want = by_literal & ~m;
    if (want) m |= cs_x_prefilter_scan(l->ptr, l->len, want);
    for (; m; m &= m - 1) {
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
    cs_x_note_outcome(e, l);
    if (e->active) {
        int r = e->active->feed(e->state, &e->x, l);
        if (r == CS_X_MORE) {
            uint64_t max = e->active->max_lines ? e->active->max_lines : CS_MAX_LINES_PER_TRACE;
            if (++e->active_lines >= max) cs_x_close_active(e, false);
            return;
        }
        if (r == CS_X_DONE) {
            cs_x_close_active(e, false);
            return;
        }
        cs_x_close_active(e, false);
    }
    cs_x_track_test(e, l);
    probe(e, l);
    if (!e->active && is_separator(l)) e->x.sep_line = l->no;
}

void cs_extractor_line(cs_extractor *e, const char *p, size_t n, uint64_t no)
{
    cs_xline l;
    cs_x_clean_line(e, p, n, &l.ptr, &l.len);
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
    bool step = l.len >= 10 && l.ptr[0] == '[' &&
                (cs_starts_with(l.ptr, l.len, "[Pipeline] ") ||
                 (l.len == 10 && memcmp(l.ptr, "[Pipeline]", 10) == 0));
    if (!step) dispatch(e, &l);
    release_blank(e, bf, bn);
}

static int on_line(void *ctx, const cs_line *line)
{
    cs_extractor *e = ctx;
    const char *p;
    size_t n;
    cs_x_clean_line(e, line->ptr, line->len, &p, &n);
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
    e->x.share = opts ? opts->share : NULL;
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
    cs_x_close_active(e, false);
    if (e->x.test) cs_x_settle_tentative(&e->x, e->x.test, strlen(e->x.test), true);
}

void cs_extractor_set_reader(cs_extractor *e)
{
    e->x.reader = true;
}

void cs_extractor_set_test(cs_extractor *e, const char *test)
{
    cs_x_set_test(&e->x, test, test ? strlen(test) : 0);
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
void cs_extractor_finish(cs_extractor *e)
{
    cs_lines_finish(&e->lines);
    if (e->has_pending) release(e, NULL);
    cs_x_close_active(e, true);
    cs_x_drop_unsettled(e);
    cs_x_close_records(&e->x, NULL, 0);
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
    if (e->active) cs_x_close_active(e, true);
    cs_lines_dispose(&e->lines);
    free(e->clean);
    free(e->held[0].buf);
    free(e->held[1].buf);
    free(e->tabs);
    free(e->x.test);
    free(e->x.handoff);
    for (size_t i = 0; i < e->x.n_open; i++)
        cs_test_record_free(e->x.open[i]);
    free(e->x.open);
    for (size_t i = 0; i < e->x.n_spare; i++)
        cs_test_record_free(e->x.spare[i]);
    free(e->x.spare);
    free(e->x.slots);
    if (e->x.ix_ready) cs_test_index_dispose(&e->x.ix);
    free(e->x.unnamed);
    free(e->x.closed);
    cs_x_tents_clear(&e->x);
    free(e->x.last_fail);
    free(e);
}

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
    bool capped;
    char **failed; /* tests the log says failed */
    size_t n_failed, cap_failed;
};

/* Bounds the list of failed tests one member can name. */
#define MAX_FAILED_TESTS 100000

struct cs_extractor {
    cs_xctx x;
    cs_lines lines;
    size_t first_trace; /* index in out->traces of this member's first */
    const cs_dialect *active;
    void *state;
    uint64_t active_lines;
    char *clean; /* scratch for the cleaned line */
    size_t clean_cap;
};

/* ---- dialect-facing --------------------------------------------------- */

const char *cs_xctx_source(const cs_xctx *x)
{
    return x->source;
}

void cs_xctx_mark_failed(cs_xctx *x, const char *test, size_t n)
{
    for (size_t i = x->n_failed; i-- > 0;)
        if (strlen(x->failed[i]) == n && memcmp(x->failed[i], test, n) == 0) return;
    if (x->n_failed >= MAX_FAILED_TESTS) return;
    *CS_PUSH(x->failed, x->n_failed, x->cap_failed) = cs_xstrndup(test, n);
}

static bool test_failed(const cs_xctx *x, const char *test)
{
    for (size_t i = 0; i < x->n_failed; i++)
        if (strcmp(x->failed[i], test) == 0) return true;
    return false;
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
    if (t->tentative && !t->test) {
        /* Kept only for a test seen failing: without a test, never. */
        cs_trace_free(t);
        return;
    }
    /* Tentative traces (assertion messages of go test -v, most of them from
     * tests that pass) have their own count: a long passing log must not use
     * up the cap of real traces (found by bench/: a 1 GB log of passing
     * tests hid every crash after the 100,000th message). Both are capped,
     * and tests that pass release theirs early (drop_passed). */
    size_t *count = t->tentative ? &x->n_tentative : &x->n_emitted;
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
}

/* "--- PASS: TestX (0.00s)" (or SKIP, indented for subtests): the pending
 * tentative traces of TestX can go now rather than at the end of the member,
 * so memory stays bounded on long passing logs. */
static void drop_passed(cs_xctx *x, const cs_xline *l)
{
    size_t ind = cs_xindent(l->ptr, l->len);
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    if (n < 11 || memcmp(p, "--- ", 4) != 0 ||
        (memcmp(p + 4, "PASS: ", 6) != 0 && memcmp(p + 4, "SKIP: ", 6) != 0))
        return;
    p += 10, n -= 10;
    size_t k = 0;
    while (k < n && p[k] != ' ' && p[k] != '\t')
        k++;
    cs_results *r = x->out;
    size_t w = x->first_tentative, left = 0;
    for (size_t i = x->first_tentative; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        if (t->tentative && strlen(t->test) == k && memcmp(t->test, p, k) == 0) {
            cs_trace_free(t);
            if (x->n_tentative) x->n_tentative--;
            continue;
        }
        if (t->tentative) left++;
        r->traces[w++] = t;
    }
    r->n_traces = w;
    if (!left) x->n_tentative = 0;
}

/* ---- patterns, once per process --------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static cs_regex *re_run, *re_pytest_hdr;
/* Bit i of starts[c]: dialect i may start a trace on a line whose first
 * non-blank byte is c (built once from the dialects' first_chars). */
static uint32_t starts[256];

static void global_init(void)
{
    re_run = cs_xre("^=== (?:RUN|CONT|NAME)\\s+(\\S+)");
    re_pytest_hdr = cs_xre("^_{3,} (\\S*test\\S*) _{3,}$");
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
    re_run = re_pytest_hdr = NULL;
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

/* ---- the dispatcher --------------------------------------------------- */

static void set_test(cs_xctx *x, const char *p, size_t n)
{
    free(x->test);
    x->test = p ? cs_xstrndup(p, n) : NULL;
}

static void track_test(cs_extractor *e, const cs_xline *l)
{
    if (e->x.test_pinned || l->len < 8) return;
    cs_match m;
    const char *p;
    size_t n;
    if (l->ptr[0] == '=' && cs_regex_match(re_run, l->ptr, l->len, &m) &&
        cs_match_group(&m, 1, &p, &n))
        set_test(&e->x, p, n);
    else if (l->ptr[0] == '_' && cs_regex_match(re_pytest_hdr, l->ptr, l->len, &m) &&
             cs_match_group(&m, 1, &p, &n))
        set_test(&e->x, p, n);
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
    if (e->active) {
        int r = e->active->feed(e->state, &e->x, l);
        if (r == CS_X_MORE) {
            if (++e->active_lines >= CS_MAX_LINES_PER_TRACE) close_active(e, false);
            return;
        }
        if (r == CS_X_DONE) {
            close_active(e, false);
            return;
        }
        close_active(e, false);
    }
    /* Not for readers (pinned test): their streams share `out` and the
     * traces between first_tentative and the end may not be ours. */
    if (e->x.n_tentative && !e->x.test_pinned) drop_passed(&e->x, l);
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
    dispatch(e, &l);
}

static int on_line(void *ctx, const cs_line *line)
{
    cs_extractor *e = ctx;
    cs_xline l;
    clean_line(e, line->ptr, line->len, &l.ptr, &l.len);
    l.no = line->no;
    l.overlong = (line->flags & CS_LINE_OVERLONG) != 0;
    dispatch(e, &l);
    return 0;
}

cs_extractor *cs_extractor_new(const char *source, const cs_extract_opts *opts, cs_results *out)
{
    cs_extract_global_init();
    cs_extractor *e = cs_xcalloc(1, sizeof *e);
    e->x.source = source;
    e->x.out = out;
    e->first_trace = out->n_traces;
    cs_lines_init(&e->lines, opts && opts->max_line ? opts->max_line : 1 << 20, on_line, e);
    return e;
}

int cs_extractor_feed(cs_extractor *e, const void *data, size_t n)
{
    return cs_lines_feed(&e->lines, data, n);
}

void cs_extractor_set_test(cs_extractor *e, const char *test)
{
    set_test(&e->x, test, test ? strlen(test) : 0);
    e->x.test_pinned = test != NULL;
}

/* A test failure whose cause is already a trace of the same member (a panic
 * or race report in that test) is that trace's consequence, not a second
 * failure: drop it, and give its test name to the cause if it had none.
 *
 * Two passes: decisions are made over the traces as they came (nothing is
 * freed or moved until all are made; found by fuzz_extract, a one-pass
 * version read traces it had already freed), and the tests of the causes
 * are looked up in a sorted array, not by a scan per failure, so a member
 * of many failures stays O(n log n). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Failures by (test, position), to find the later failures of a test. */
typedef struct fail_ref {
    const char *test;
    size_t i;
} fail_ref;

static int cmp_fail(const void *a, const void *b)
{
    const fail_ref *x = a, *y = b;
    int c = strcmp(x->test, y->test);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

void cs_extract_merge_failures(cs_results *r, size_t first)
{
    if (r->n_traces <= first) return;
    size_t n = r->n_traces - first;
    cs_trace **t = r->traces + first;
    bool *drop = cs_xcalloc(n, sizeof *drop);
    const char **causes = cs_xmalloc(n * sizeof *causes);
    fail_ref *fails = cs_xmalloc(n * sizeof *fails);
    size_t n_causes = 0, n_fails = 0;
    for (size_t i = 0; i < n; i++) {
        if (!t[i]->test) continue;
        if (t[i]->kind != CS_TK_TEST_FAILURE)
            causes[n_causes++] = t[i]->test;
        else
            fails[n_fails++] = (fail_ref){t[i]->test, i};
    }
    qsort(causes, n_causes, sizeof *causes, cmp_str);
    qsort(fails, n_fails, sizeof *fails, cmp_fail);
    for (size_t i = 0; i < n; i++) {
        if (drop[i] || t[i]->kind != CS_TK_TEST_FAILURE || !t[i]->test) continue;
        if (bsearch(&t[i]->test, causes, n_causes, sizeof *causes, cmp_str)) {
            drop[i] = true;
            continue;
        }
        /* "race detected during execution of test" with the race report
         * just before it but outside any === RUN header. */
        if (!t[i]->headline || !strstr(t[i]->headline, "race detected during execution")) continue;
        bool gave = false;
        for (size_t j = i; j-- > 0;) {
            if (t[j]->kind != CS_TK_GO_RACE && t[j]->kind != CS_TK_TSAN) break;
            if (!t[j]->test) {
                t[j]->test = cs_xstrdup(t[i]->test);
                gave = true;
            }
            drop[i] = true;
        }
        if (!gave) continue;
        /* The race now names the test: later failures of it are its
         * consequence too. Each test's group is walked once: after this,
         * its later failures are dropped and give nothing. */
        size_t lo = 0, hi = n_fails;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(fails[mid].test, t[i]->test) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < n_fails && strcmp(fails[lo].test, t[i]->test) == 0; lo++)
            if (fails[lo].i > i) drop[fails[lo].i] = true;
    }
    free(causes);
    free(fails);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (drop[i])
            cs_trace_free(t[i]);
        else
            t[w++] = t[i];
    }
    free(drop);
    r->n_traces = first + w;
}

/* Assertion messages printed while a test ran (go test -v) count only if the
 * test then failed, and only the first one per test. */
static void resolve_tentative(cs_extractor *e)
{
    cs_results *r = e->x.out;
    size_t w = e->first_trace;
    for (size_t i = e->first_trace; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        bool drop = false;
        if (t->tentative) {
            drop = !t->test || !test_failed(&e->x, t->test);
            for (size_t j = e->first_trace; j < w && !drop; j++) {
                const cs_trace *o = r->traces[j];
                drop = o->kind == CS_TK_TEST_FAILURE && o->test && strcmp(o->test, t->test) == 0;
            }
            t->tentative = false;
        }
        if (drop)
            cs_trace_free(t);
        else
            r->traces[w++] = t;
    }
    r->n_traces = w;
}

void cs_extractor_finish(cs_extractor *e)
{
    cs_lines_finish(&e->lines);
    close_active(e, true);
    resolve_tentative(e);
    cs_extract_merge_failures(e->x.out, e->first_trace);
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
    free(e->x.test);
    for (size_t i = 0; i < e->x.n_failed; i++)
        free(e->x.failed[i]);
    free(e->x.failed);
    free(e);
}

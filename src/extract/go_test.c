/* go_test.c - Go test failures without a stack of their own. Two layouts:
 *
 *   --- FAIL: TestCount (0.00s)              === RUN   TestCount
 *       agg_test.go:45: got 99, want 100         agg_test.go:45: got 99, want 100
 *           (continuation lines)             --- FAIL: TestCount (0.00s)
 *   (plain go test: message after FAIL)      (go test -v / -json: before it)
 *
 * Each becomes a test-failure trace whose only frame is the assertion site.
 * In the -v layout the message is seen before anyone knows the test failed,
 * so it is emitted tentatively and kept only if a FAIL line for that test
 * follows. gotestsum's "=== FAIL: pkg TestX" summary blocks are read like
 * the plain layout, as summaries (extract.h). A FAIL with no message of its own (a parent of failed
 * subtests, or a test whose panic is its own trace) only marks the test failed.
 *
 * testify prints its block under the assertion line, whose message is then
 * empty (or, from a helper without t.Helper, with no such line at all):
 *       x_test.go:21:
 *           Error Trace:  /abs/x_test.go:21      the site (first caller line)
 *           Error:        An error is expected   the message
 *           Test:         TestX                  Messages: the user's text
 * The first block of a failing run is its occurrence, site and message
 * from the block.
 * testify prints its block only for a failed assertion, so a block is a
 * failure without a FAIL line where none can come: in a paste with no
 * "=== RUN" context (the test is the block's "Test:" line). Go 1.14 prefixed each
 * message with its test: "    TestX: x_test.go:21: msg". */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "go.h"

static cs_regex *re_fail, *re_msg, *re_gts_fail, *re_tfy_trace, *re_tfy_error, *re_tfy_test;

static const cs_xpattern patterns[] = {
    /* "(0.00s)"; Go before 1.6 wrote "(0.02 seconds)" */
    {&re_fail, "^(\\s*)--- FAIL: (\\S+)(?: \\([0-9.]+ ?s(?:econds)?\\))?\\s*$"},
    /* gotestsum's summary: "=== FAIL: pkg TestX (0.00s)", "(re-run 1)" */
    {&re_gts_fail, "^=== FAIL: (\\S+) (\\S+)(?: \\(re-run \\d+\\))? \\([0-9.]+s\\)\\s*$"},
    {&re_msg,
     "^\\s+(?:(?:Test|Benchmark|Fuzz|Example)[^\\s:]*: )?([^\\s:]+\\.go):(\\d+):(?: (.*))?$"},
    /* testify's block: "\tError Trace:\t/abs/x_test.go:21" (then more
     * callers, one per line), "\tError:      \tmsg", "Test:", "Messages:" */
    {&re_tfy_trace, "^\\s+Error Trace:\\s+(\\S+?\\.go):(\\d+)\\s*$"},
    {&re_tfy_error, "^\\s+Error:\\s+(.*?)\\s*$"},
    {&re_tfy_test, "^\\s+Test:\\s+(\\S+)\\s*$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    size_t indent;
    bool has_msg;
    /* testify: the first block's Error Trace and Error lines name the site
     * and the message (its "x_test.go:21:" line has an empty message). */
    bool tfy_trace, tfy_error;
    bool untested; /* no test was running: only a testify block makes it one */
} st;

static void add_assertion(cs_trace *t, const cs_match *m)
{
    cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (f) {
        f->function = t->test ? cs_xstrdup(t->test) : NULL;
        f->file = cs_match_dup(m, 1);
        f->line = (int)cs_match_num(m, 2, 0);
    }
    t->headline = cs_match_dup(m, 3);
    if (!t->headline) t->headline = cs_xstrdup("");
}

/* A testify "Error Trace:" line: the assertion site, for a failure that
 * has none yet or only the "x_test.go:21:" line above the block. */
static bool testify_line(st *s, const cs_xline *l)
{
    size_t ind = cs_xindent(l->ptr, l->len);
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    cs_match m;
    if (!s->tfy_trace && cs_starts_with(p, n, "Error Trace:") &&
        cs_regex_match(re_tfy_trace, l->ptr, l->len, &m)) {
        cs_thread *th = s->t->n_threads ? &s->t->threads[0] : NULL;
        if (!th) th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
        cs_frame *f = th ? (th->n_frames ? &th->frames[0] : cs_thread_add_frame(th)) : NULL;
        if (f) {
            free(f->file);
            f->file = cs_match_dup(&m, 1);
            f->line = (int)cs_match_num(&m, 2, 0);
            if (!f->function && s->t->test) f->function = cs_xstrdup(s->t->test);
        }
        s->tfy_trace = s->has_msg = true;
        return true;
    }
    if (s->tfy_trace && !s->tfy_error && cs_starts_with(p, n, "Error:") &&
        cs_regex_match(re_tfy_error, l->ptr, l->len, &m)) {
        s->tfy_error = true;
        if (!s->t->headline || !*s->t->headline) {
            free(s->t->headline);
            s->t->headline = cs_match_dup(&m, 1);
        }
        return true;
    }
    return false;
}

/* "    x_test.go:12: msg" while a test runs: a tentative failure. */
static void *start_message(cs_xctx *x, const cs_xline *l)
{
    cs_match m;
    if (!cs_regex_match(re_msg, l->ptr, l->len, &m)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->indent = cs_xindent(l->ptr, l->len);
    s->t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
    s->t->test = cs_xctx_test(x) ? cs_xstrdup(cs_xctx_test(x)) : NULL;
    s->untested = !s->t->test;
    s->t->tentative = !s->untested;
    add_assertion(s->t, &m);
    s->has_msg = true;
    return s;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    size_t ind = cs_xindent(l->ptr, l->len);
    if (ind == 0 && l->len > 10 && l->ptr[0] == '=' &&
        cs_starts_with(l->ptr, l->len, "=== FAIL: ")) {
        /* gotestsum restates each failure with its output after the run:
         * a summary, the same failure as the test's own trace when the log
         * printed that too (--format testname), the only one otherwise. */
        cs_match m;
        if (!cs_regex_match(re_gts_fail, l->ptr, l->len, &m)) return NULL;
        st *s = cs_xcalloc(1, sizeof *s);
        s->t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
        s->t->test = cs_match_dup(&m, 2);
        s->t->summary = true;
        return s;
    }
    if (ind < l->len && l->ptr[ind] == '-') {
        cs_match m;
        if (!cs_regex_match(re_fail, l->ptr, l->len, &m)) return NULL;
        const char *name;
        size_t n;
        cs_match_group(&m, 2, &name, &n);
        cs_xctx_mark_failed(x, name, n);
        st *s = cs_xcalloc(1, sizeof *s);
        s->indent = ind;
        s->t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
        s->t->test = cs_xstrndup(name, n);
        return s;
    }
    /* Cheap checks first: this probe sees every indented line. */
    if (ind >= 2 && cs_memmem(l->ptr + ind, l->len - ind, ".go:", 4)) {
        if (cs_starts_with(l->ptr + ind, l->len - ind, "Error Trace:")) {
            /* A testify block with no "x_test.go:NN:" line above it. */
            st *s = cs_xcalloc(1, sizeof *s);
            s->indent = ind > 4 ? ind - 4 : 0;
            s->t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
            s->t->test = cs_xctx_test(x) ? cs_xstrdup(cs_xctx_test(x)) : NULL;
            s->untested = !s->t->test;
            s->t->tentative = !s->untested;
            if (testify_line(s, l)) return s;
            cs_trace_free(s->t);
            free(s);
            return NULL;
        }
        return start_message(x, l);
    }
    return NULL;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    size_t ind = cs_xindent(l->ptr, l->len);
    /* A blank line ends the block; testify indents the empty lines of its
     * own (a diff's first line). */
    if (ind == l->len) return s->tfy_trace && ind > s->indent ? CS_X_MORE : CS_X_REJECT;
    if (ind <= s->indent) return CS_X_REJECT;
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    if (cs_starts_with(p, n, "--- ")) return CS_X_REJECT; /* a subtest's own block */
    cs_match m;
    if (!s->tfy_error && testify_line(s, l)) {
        /* the block's site or message */
    } else if (s->untested && s->tfy_trace && !s->t->test && cs_starts_with(p, n, "Test:") &&
               cs_regex_match(re_tfy_test, l->ptr, l->len, &m)) {
        s->t->test = cs_match_dup(&m, 1);
    } else if (!s->has_msg && cs_regex_match(re_msg, l->ptr, l->len, &m)) {
        add_assertion(s->t, &m);
        s->has_msg = true;
    } else if (s->t->tentative && cs_regex_match(re_msg, l->ptr, l->len, NULL)) {
        /* The next assertion message is a trace of its own. */
        return CS_X_REJECT;
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    /* Without a running test only testify's block proves a failure. A
     * running test's block stays tentative even when the member ends in
     * it: a cut log counts only the failures it shows (issue #21). */
    if (s->has_msg && (!s->untested || s->tfy_trace))
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

const cs_dialect cs_dialect_go_test = {
    .name = "go-test",
    .patterns = patterns,
    /* gotestsum's "=== FAIL:", go's "--- FAIL:" (each start() path
     * returns NULL on a line of its first byte without it), or an
     * "x_test.go:12:" message (testify's "Error Trace:" names a .go file). */
    .first_chars = NULL,
    .literals = (const char *const[]){"=== FAIL: ", "--- FAIL: ", ".go:", NULL},
    .start = start,
    .feed = feed,
    .finish = finish,
};

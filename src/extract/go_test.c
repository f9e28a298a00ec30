/* go_test.c - Go test failures without a stack of their own:
 *
 *   --- FAIL: TestCount (0.00s)
 *       agg_test.go:45: got 99, want 100
 *           (continuation lines of a multi-line message)
 *
 * Each becomes a test-failure trace whose only frame is the assertion site.
 * A FAIL with no message of its own (a parent of failed subtests, or a test
 * whose panic is reported as its own trace) is nothing to group and is
 * dropped; one whose cause is a race or panic in the same member is merged
 * into that trace by the extractor. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "go.h"

static cs_regex *re_fail, *re_msg;

static void init(void)
{
    re_fail = cs_xre("^(\\s*)--- FAIL: (\\S+)(?: \\([0-9.]+s\\))?\\s*$");
    re_msg = cs_xre("^\\s+([^\\s:]+\\.go):(\\d+): (.*)$");
}

static void cleanup(void)
{
    cs_regex_free(re_fail);
    cs_regex_free(re_msg);
}

typedef struct st {
    cs_trace *t;
    size_t indent;
    bool has_msg;
} st;

static void *start(cs_xctx *x, const cs_xline *l)
{
    cs_match m;
    if (!cs_regex_match(re_fail, l->ptr, l->len, &m)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->indent = cs_xindent(l->ptr, l->len);
    s->t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
    s->t->test = cs_match_dup(&m, 2);
    return s;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    size_t ind = cs_xindent(l->ptr, l->len);
    if (ind == l->len) return CS_X_REJECT; /* a blank line ends the block */
    if (ind <= s->indent) return CS_X_REJECT;
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    if (cs_starts_with(p, n, "--- ")) return CS_X_REJECT; /* a subtest's own block */
    cs_match m;
    if (!s->has_msg && cs_regex_match(re_msg, l->ptr, l->len, &m)) {
        cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f) {
            f->function = cs_xstrdup(s->t->test);
            f->file = cs_match_dup(&m, 1);
            f->line = (int)cs_match_num(&m, 2, 0);
        }
        s->t->headline = cs_match_dup(&m, 3);
        s->has_msg = true;
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    if (s->has_msg)
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

const cs_dialect cs_dialect_go_test = {
    .name = "go-test",
    .init = init,
    .cleanup = cleanup,
    .first_chars = "-",
    .start = start,
    .feed = feed,
    .finish = finish,
};

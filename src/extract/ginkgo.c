/* ginkgo.c - Ginkgo v2 spec reports (with Gomega's failure messages).
 *
 * Grammar (ginkgo/reporters/default_reporter.go; colour codes are cleaned
 * before a dialect sees a line):
 *   ------------------------------           between specs
 *   Queue keeps order                        -v: the spec's text (no [It]),
 *   /path/queue_test.go:12                       its location, then
 *   • [0.000 seconds]                            a passing spec
 *   • [FAILED] [0.000 seconds]               a failed spec (also PANICKED,
 *   Queue after a wrap [It] counts its items  TIMEDOUT, INTERRUPTED, ABORTED)
 *   /path/queue_test.go:31                   the spec's location
 *   <blank>
 *     [FAILED] Expected                      the failure: message lines,
 *         <bool>: true                       then where it failed
 *     In [It] at: /path/queue_test.go:39 @ 12/02/26 01:04:57.377
 *   S [SKIPPED] [0.000 seconds]              a skipped spec (P [PENDING])
 *   Queue [It] is skipped
 *   Summarizing 2 Failures:                  the list restates each failure:
 *     [FAIL] Queue after a wrap [It] counts its items
 *     /path/queue_test.go:39                 summaries, never occurrences
 * A [PANICKED] block has the panic value after its "In [It] at:" line (the
 * runtime's panic.go) and then "Full Stack Trace": Go's frames, each a
 * function line and an indented "/path/file.go:23 +0xa" line; those are the
 * trace's frames and the value its headline.
 * Without -v passing and skipped specs are dots and letters ("••S"): only
 * failures are named. A JUnit body of Ginkgo's report holds the failure
 * alone ("[FAILED] msg" ... "In [It] at: file:line"), read the same way.
 *
 * Ginkgo v1 prints a failed spec as one block, the failure's site last:
 *   • Failure [0.002 seconds]                also "• Panic", "• Failure in
 *   Queue                                    Spec Setup (BeforeEach)", and
 *   /path/queue_test.go:10                   without the bullet for a suite
 *     counts its items [It]                  node ("Failure [1800 seconds]"
 *     /path/queue_test.go:31                 then "[BeforeSuite] BeforeSuite")
 *   <blank>                                  the containers and the spec,
 *     Expected                               each a text and its location;
 *         <int>: 1                           then the message,
 *     to equal 2
 *   <blank>
 *     /path/queue_test.go:35                 and where it failed
 *
 * A spec's name is what Ginkgo's JUnit report calls it: the node type in
 * front of the container texts ("[It] Queue after a wrap counts its
 * items"), so a job log and its JUnit file are copies of one run. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_result, *re_at, *re_sum_entry, *re_sum_head, *re_v1_result, *re_v1_loc;

static const cs_xpattern patterns[] = {
    /* "• [FAILED] [0.001 seconds]", "• [0.000 seconds]", "S [SKIPPED] [...]" */
    {&re_result, "^(?:\xe2\x80\xa2|S|P) (?:\\[([A-Z]+)\\] )?\\[[0-9.]+ seconds\\]\\s*$"},
    {&re_at, "^\\s*In \\[[A-Za-z]+\\] at: (\\S+?):(\\d+)(?: @ .*)?$"},
    {&re_sum_entry, "^\\s+\\[(?:FAIL|PANICKED!|TIMEDOUT|INTERRUPTED|ABORTED)\\] (.+?)\\s*$"},
    {&re_sum_head, "^Summarizing \\d+ Failures?:\\s*$"},
    {&re_v1_result, "^(?:\xe2\x80\xa2 )?(?:Failure|Panic|Timeout)(?: in Spec (?:Setup|Teardown) "
                    "\\([A-Za-z]+\\))? \\[[0-9.]+ seconds\\]\\s*$"},
    {&re_v1_loc, "^\\s*(\\S+?\\.go):(\\d+)\\s*$"},
    {0},
};

#define SEPARATOR "------------------------------"
#define MAX_BLOCK_LINES 400
#define MAX_HEADLINE 160

enum { HEADER, RESULT_NAME, FAILURE, SKIP_BLOCK, SUMMARY, BODY, V1_NAME, V1_MESSAGE };

typedef struct st {
    int phase;
    cs_trace *t;
    char *text;     /* HEADER: the spec's text, before its result line */
    int lines;      /* lines seen in this phase */
    cs_outcome out; /* RESULT_NAME: the outcome the result line said */
    bool in_msg;    /* FAILURE: inside the "[FAILED] msg" lines */
    bool has_at;
    /* [PANICKED]: the panic value follows the "In [It] at:" line (which
     * names the runtime), then "Full Stack Trace" with Go's frames. */
    bool panicked, want_value, in_stack;
} st;

/* "Queue after a wrap [It] counts its items" -> "[It] Queue after a wrap
 * counts its items": the last "[Type] " marker moves to the front. */
static char *spec_name(const char *p, size_t n)
{
    cs_xtrim(&p, &n);
    size_t at = n;
    for (size_t i = n; i-- > 0;)
        if (p[i] == '[' && (i == 0 || p[i - 1] == ' ')) {
            const char *rb = memchr(p + i, ']', n - i);
            if (rb && rb + 1 < p + n && rb[1] == ' ') {
                at = i;
                break;
            }
        }
    if (at == 0 || at == n) return cs_xstrndup(p, n);
    const char *rb = memchr(p + at, ']', n - at);
    size_t mk = (size_t)(rb - (p + at)) + 1; /* "[It]" */
    return cs_xasprintf("%.*s %.*s%.*s", (int)mk, p + at, (int)(at - 1), p, (int)(n - at - mk),
                        p + at + mk);
}

static bool is_separator(const cs_xline *l)
{
    return l->len == strlen(SEPARATOR) && memcmp(l->ptr, SEPARATOR, l->len) == 0;
}

static st *new_state(int phase)
{
    st *s = cs_xcalloc(1, sizeof *s);
    s->phase = phase;
    return s;
}

static cs_trace *new_failure(cs_xctx *x, uint64_t line, char *test, bool summary)
{
    cs_trace *t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), line);
    t->line_end = line;
    t->test = test;
    t->summary = summary;
    return t;
}

static void set_site(cs_trace *t, const cs_match *m)
{
    cs_thread *th = t->n_threads ? &t->threads[0] : cs_trace_add_thread(t, CS_ROLE_CRASHED);
    cs_frame *f = th ? (th->n_frames ? &th->frames[0] : cs_thread_add_frame(th)) : NULL;
    if (!f) return;
    free(f->file);
    f->file = cs_match_dup(m, 1);
    f->line = (int)cs_match_num(m, 2, 0);
    if (!f->function && t->test) f->function = cs_xstrdup(t->test);
}

/* A result line: its outcome, and whether it is one. */
static bool result_line(const cs_xline *l, cs_outcome *o)
{
    cs_match m;
    if (l->len < 12 || !cs_memmem(l->ptr, l->len, " seconds]", 9) ||
        !cs_regex_match(re_result, l->ptr, l->len, &m))
        return false;
    const char *w;
    size_t wn;
    if (!cs_match_group(&m, 1, &w, &wn))
        *o = CS_OUT_PASS;
    else if (cs_starts_with(w, wn, "SKIPPED") || cs_starts_with(w, wn, "PENDING"))
        *o = CS_OUT_SKIP;
    else
        *o = CS_OUT_FAIL;
    return true;
}

static int feed_failure(st *s, const cs_xline *l);

static bool v1_result_line(const cs_xline *l)
{
    return l->len > 16 && cs_memmem(l->ptr, l->len, " seconds]", 9) &&
           cs_regex_match(re_v1_result, l->ptr, l->len, NULL);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    size_t ind = cs_xindent(p, n);
    cs_outcome o;
    if (p[0] == '-' && is_separator(l)) return new_state(HEADER);
    if (ind == 0 && (p[0] == '\xe2' || p[0] == 'F') && v1_result_line(l)) {
        st *s = new_state(V1_NAME);
        s->t = new_failure(x, l->no, NULL, false);
        return s;
    }
    if (ind == 0 && (p[0] == '\xe2' || p[0] == 'S' || p[0] == 'P') && result_line(l, &o)) {
        st *s = new_state(RESULT_NAME);
        s->out = o;
        return s;
    }
    if (p[0] == 'S' && cs_starts_with(p, n, "Summarizing ") &&
        cs_regex_match(re_sum_head, p, n, NULL))
        return new_state(SUMMARY);
    /* A JUnit body of Ginkgo's report: the test is the testcase. */
    if (ind == 0 && p[0] == '[' && cs_xctx_test(x) &&
        (cs_starts_with(p, n, "[FAILED] ") || cs_starts_with(p, n, "[PANICKED] ") ||
         cs_starts_with(p, n, "[TIMEDOUT] ") || cs_starts_with(p, n, "[INTERRUPTED] ") ||
         cs_starts_with(p, n, "[ABORTED] "))) {
        st *s = new_state(BODY);
        s->t = new_failure(x, l->no, cs_xstrdup(cs_xctx_test(x)), false);
        feed_failure(s, l); /* the marker line: headline, [PANICKED] */
        return s;
    }
    return NULL;
}

/* A "Full Stack Trace" line: "pkg.(*T).F(...)" starts a frame, the
 * indented "/path/file.go:23 +0xa" under it is its place. The In [It] site
 * (the runtime's panic.go) gives way to the first frame. */
static void stack_line(st *s, const char *p, size_t n)
{
    cs_thread *th = s->t->n_threads ? &s->t->threads[0] : NULL;
    cs_frame *last = th && th->n_frames ? &th->frames[th->n_frames - 1] : NULL;
    if (last && !last->line && (p[0] == '/' || cs_memmem(p, n, ".go:", 4))) {
        const char *sp = memchr(p, ' ', n);
        size_t k = sp ? (size_t)(sp - p) : n;
        char *fn = last->function;
        last->function = NULL;
        cs_xparse_fileline(p, k, last);
        if (!last->function)
            last->function = fn;
        else
            free(fn);
        return;
    }
    if (th && s->has_at && th->n_frames == 1 && th->frames[0].function &&
        strcmp(th->frames[0].function, s->t->test) == 0) {
        cs_frame_dispose(&th->frames[0]);
        th->n_frames = 0; /* the runtime's site, not the code's */
        s->has_at = false;
    }
    if (!th) th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (!f) return;
    size_t k = n;
    if (k > 2 && p[k - 1] == ')') { /* "(...)" or "(0xc000012345)": the arguments */
        for (size_t i = k; i-- > 0;)
            if (p[i] == '(') {
                k = i;
                break;
            }
    }
    f->function = cs_xstrndup(p, k);
}

static int feed_failure(st *s, const cs_xline *l)
{
    size_t ind = cs_xindent(l->ptr, l->len);
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    cs_match m;
    if (is_separator(l) || (ind == 0 && cs_starts_with(p, n, "Summarizing ")) ||
        (ind == 0 && cs_starts_with(p, n, "Ran ")))
        return CS_X_REJECT;
    if (++s->lines > MAX_BLOCK_LINES) return CS_X_REJECT;
    if (ind == l->len) {
        s->in_msg = false;
        return CS_X_MORE;
    }
    if (s->panicked && cs_starts_with(p, n, "Full Stack Trace")) {
        s->in_stack = true;
        s->want_value = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (s->in_stack) {
        stack_line(s, p, n);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (s->want_value) {
        /* The panic value: what the spec's reader needs, not "Test Panicked". */
        free(s->t->headline);
        s->t->headline = cs_xstrndup(p, n);
        s->want_value = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (!s->t->headline && p[0] == '[' && memchr(p, ']', n)) {
        s->panicked = cs_starts_with(p, n, "[PANICKED]");
        /* "[FAILED] msg", "[PANICKED] Test Panicked", "[TIMEDOUT] ..." */
        const char *rb = memchr(p, ']', n);
        const char *h = rb + 1;
        size_t hn = n - (size_t)(h - p);
        cs_xtrim(&h, &hn);
        if (hn) s->t->headline = cs_xstrndup(h, hn);
        s->in_msg = true;
    } else if (!s->has_at && cs_starts_with(p, n, "In [") &&
               cs_regex_match(re_at, l->ptr, l->len, &m)) {
        set_site(s->t, &m);
        s->has_at = true;
        s->in_msg = false;
        s->want_value = s->panicked;
    } else if (s->in_msg && s->t->headline && !*s->t->headline) {
        free(s->t->headline);
        s->t->headline = cs_xstrndup(p, n);
    } else if (s->in_msg && s->t->headline && strlen(s->t->headline) < MAX_HEADLINE) {
        /* Gomega spreads one message over lines ("Expected", "<bool>:
         * true", "to be false"): the headline joins them. */
        char *h = cs_xasprintf("%s %.*s", s->t->headline, (int)n, p);
        free(s->t->headline);
        s->t->headline = h;
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

/* v1 ends the spec's text with its node type: "Cart totals its lines
 * [It]" -> "[It] Cart totals its lines", as v2 and the JUnit report say. */
static char *v1_spec_name(const char *text)
{
    size_t n = strlen(text);
    const char *lb = n > 3 && text[n - 1] == ']' ? memrchr(text, '[', n) : NULL;
    if (!lb || lb == text || lb[-1] != ' ') return spec_name(text, n);
    return cs_xasprintf("%s %.*s", lb, (int)(lb - 1 - text), text);
}

/* Ginkgo v1's block: the node texts up to the first blank line (each
 * followed by its location), then the message up to a line that is only a
 * location, the failure's site. */
static int feed_v1(st *s, cs_xctx *x, const cs_xline *l)
{
    size_t ind = cs_xindent(l->ptr, l->len);
    const char *p = l->ptr + ind;
    size_t n = l->len - ind;
    cs_match m;
    if (is_separator(l) || ++s->lines > MAX_BLOCK_LINES) return CS_X_REJECT;
    bool loc = n && cs_regex_match(re_v1_loc, l->ptr, l->len, &m);
    if (s->phase == V1_NAME) {
        if (!n) {
            if (!s->text) return CS_X_REJECT; /* not v1's block after all */
            s->t->test = v1_spec_name(s->text);
            cs_xctx_outcome(x, NULL, s->t->test, CS_OUT_FAIL, s->t->line_start);
            s->phase = V1_MESSAGE;
        } else if (loc) {
            /* The spec's own location, until the failure's site is read. */
            if (s->text) set_site(s->t, &m);
        } else {
            char *t = s->text ? cs_xasprintf("%s %.*s", s->text, (int)n, p) : cs_xstrndup(p, n);
            free(s->text);
            s->text = t;
        }
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (!n) return CS_X_MORE;
    if (loc) {
        set_site(s->t, &m);
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    if (!s->t->headline)
        s->t->headline = cs_xstrndup(p, n);
    else if (strlen(s->t->headline) < MAX_HEADLINE) {
        char *h = cs_xasprintf("%s %.*s", s->t->headline, (int)n, p);
        free(s->t->headline);
        s->t->headline = h;
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    cs_outcome o;
    switch (s->phase) {
    case HEADER:
        /* -v: "text", "location", then the result line; a failed or skipped
         * spec names itself after its result line, so only a pass needs the
         * text kept here. Anything else (the spec's output, a progress
         * line) ends the header: the result is read on its own. */
        if (s->lines < 2 && result_line(l, &o)) return CS_X_REJECT;
        if (s->lines == 0 && v1_result_line(l)) return CS_X_REJECT;
        if (s->lines == 0 && l->len && cs_xindent(l->ptr, l->len) == 0) {
            s->text = cs_xstrndup(l->ptr, l->len);
            s->lines++;
            return CS_X_MORE;
        }
        if (s->lines == 1 && l->len && l->ptr[0] == '/' && memchr(l->ptr, ':', l->len)) {
            s->lines++;
            return CS_X_MORE;
        }
        if (s->lines == 2 && !l->cut && result_line(l, &o) && o == CS_OUT_PASS) {
            char *name = cs_xasprintf("[It] %s", s->text);
            cs_xctx_outcome(x, NULL, name, CS_OUT_PASS, l->no);
            free(name);
            return CS_X_DONE;
        }
        return CS_X_REJECT;
    case RESULT_NAME: {
        /* Without -v a passing spec has no result line of its own, and one
         * that is not followed by its name is not counted: no guesses. */
        if (!l->len || is_separator(l) || s->out == CS_OUT_PASS || l->cut) return CS_X_REJECT;
        char *name = spec_name(l->ptr, l->len);
        cs_xctx_outcome(x, NULL, name, s->out, l->no);
        if (s->out == CS_OUT_FAIL) {
            s->t = new_failure(x, l->no, name, false);
            s->phase = FAILURE;
        } else {
            free(name);
            s->phase = SKIP_BLOCK;
        }
        return CS_X_MORE;
    }
    case FAILURE:
    case BODY:
        return feed_failure(s, l);
    case V1_NAME:
    case V1_MESSAGE:
        return feed_v1(s, x, l);
    case SKIP_BLOCK:
        if (is_separator(l) || ++s->lines > MAX_BLOCK_LINES ||
            cs_starts_with(l->ptr, l->len, "Summarizing ") ||
            cs_starts_with(l->ptr, l->len, "Ran "))
            return CS_X_REJECT;
        return CS_X_MORE;
    case SUMMARY: {
        cs_match m;
        if (!l->len) return CS_X_DONE;
        if (l->cut) return CS_X_DONE; /* a half-written entry names no spec */
        if (cs_regex_match(re_sum_entry, l->ptr, l->len, &m)) {
            if (s->t) cs_xctx_emit(x, s->t);
            const char *g;
            size_t gn;
            cs_match_group(&m, 1, &g, &gn);
            s->t = new_failure(x, l->no, spec_name(g, gn), true);
            s->t->headline = cs_xstrdup("spec failed");
            return CS_X_MORE;
        }
        size_t ind = cs_xindent(l->ptr, l->len);
        if (s->t && ind && memchr(l->ptr, ':', l->len)) {
            const char *q = l->ptr + ind;
            size_t qn = l->len - ind;
            cs_frame f = {0};
            if (cs_xparse_fileline(q, qn, &f)) {
                cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
                cs_frame *nf = th ? cs_thread_add_frame(th) : NULL;
                if (nf) {
                    *nf = f;
                    nf->function = cs_xstrdup(s->t->test);
                } else {
                    cs_frame_dispose(&f);
                }
            }
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        return CS_X_REJECT;
    }
    }
    return CS_X_REJECT;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    if (s->t && !s->t->test) {
        /* A v1 result line with no spec under it. */
        cs_trace_free(s->t);
        s->t = NULL;
    }
    if (s->t) {
        if (!s->t->headline) {
            /* A block cut before its message (a killed run): the spec did
             * fail (its result line said so), with no message to show. */
            s->t->headline = cs_xstrdup("spec failed");
            s->t->truncated = eof;
        }
        cs_xctx_emit(x, s->t);
    }
    free(s->text);
    free(s);
}

const cs_dialect cs_dialect_ginkgo = {
    .name = "ginkgo",
    .patterns = patterns,
    .first_chars = "-\xe2SP[F",
    .start = start,
    .feed = feed,
    .finish = finish,
};

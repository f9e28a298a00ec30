/* cargo.c - cargo test's captured output of a failed test.
 *
 * Grammar (libtest's console formatter):
 *   test m::t ... FAILED                      outcome lines (extract.c
 *   test m::u - should panic ... ok            counts them), then
 *   failures:
 *   <blank>
 *   ---- m::t stdout ----                     one section per failed test:
 *   <blank>                                   its captured output, usually
 *   thread 'm::t' (123) panicked at src/lib.rs:43:9:   a panic (rust.c)
 *   assertion `left == right` failed
 *   <blank>
 *   failures:                                 the list of names restates the
 *       m::t                                  failures: never an occurrence
 *   test result: FAILED. 2 passed; 3 failed; 1 ignored; ...
 * The section header names the test of what follows (extract.c's test
 * tracking). A section with a panic has the panic as its occurrence; this
 * dialect adds one only for a section without one (a test returning Err
 * prints "Error: ..."), as a summary, so it never doubles a panic. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_section;

static const cs_xpattern patterns[] = {
    {&re_section, "^---- (\\S+) std(?:out|err) ----$"},
    {0},
};

#define MAX_SECTION_LINES 10000

typedef struct st {
    cs_trace *t;
    size_t lines;
} st;

static void *start(cs_xctx *x, const cs_xline *l)
{
    cs_match m;
    if (l->len < 16 || !cs_starts_with(l->ptr, l->len, "---- ") ||
        !cs_regex_match(re_section, l->ptr, l->len, &m))
        return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->t->test = cs_match_dup(&m, 1);
    s->t->summary = true;
    return s;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    if (cs_starts_with(p, n, "---- ") || (n == 9 && memcmp(p, "failures:", 9) == 0) ||
        (n == 10 && memcmp(p, "successes:", 10) == 0) || cs_starts_with(p, n, "test result: ") ||
        (cs_starts_with(p, n, "thread '") && cs_memmem(p, n, " panicked at ", 13)))
        return CS_X_REJECT; /* the next section, the lists, or a panic */
    if (++s->lines > MAX_SECTION_LINES) return CS_X_REJECT;
    size_t ind = cs_xindent(p, n);
    if (ind < n && !s->t->headline) {
        const char *h = p + ind;
        size_t hn = n - ind;
        cs_xtrim(&h, &hn);
        s->t->headline = cs_xstrndup(h, hn);
    }
    if (ind < n) s->t->line_end = l->no;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    if (s->t->headline) {
        cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f) f->function = cs_xstrdup(s->t->test);
        cs_xctx_emit(x, s->t);
    } else {
        cs_trace_free(s->t); /* empty, or its panic is the occurrence */
    }
    free(s);
}

const cs_dialect cs_dialect_cargo = {
    .name = "cargo-test",
    .patterns = patterns,
    .first_chars = "-",
    .start = start,
    .feed = feed,
    .finish = finish,
};

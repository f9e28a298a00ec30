/* pysecsan.c - PySecSan's reports: the security sanitizer that Atheris
 * (Python fuzzing, OSS-Fuzz/ClusterFuzz) runs in the fuzzed interpreter.
 *
 * Grammar (pysecsan/sanlib.py abort_with_issue):
 *   ===BUG DETECTED: PySecSan: Command injection ===         header
 *   [PYSECSAN] code injection by way of os.system            notes
 *   [PYSECSAN] Stacktrace:
 *     File "os_command_injection.py", line 43, in <module>   outermost first
 *     File "pysecsan/sanlib.py", line 76, in abort_with_issue
 *   [PYSECSAN] Exiting                                       the end
 * Frames are stored innermost first, as every dialect does. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

/* Lines of notes between the header and the stack. */
#define MAX_HEAD_LINES 16

static cs_regex *re_header, *re_frame;

static const cs_xpattern patterns[] = {
    {&re_header, "^===BUG DETECTED: (PySecSan: .*?)\\s*===\\s*$"},
    {&re_frame, "^File \"([^\"]+)\", line (\\d+), in (\\S+)\\s*$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    cs_thread *th;
    bool in_stack;
    int head;
} st;

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    const char *g;
    size_t gn;
    if (n < 24 || !cs_regex_match(re_header, p, n, &m) || !cs_match_group(&m, 1, &g, &gn))
        return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_PYTHON, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->t->headline = cs_xstrndup(g, gn);
    s->t->test = cs_xctx_test(x) ? cs_xstrdup(cs_xctx_test(x)) : NULL;
    s->th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    return s;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    if (s->in_stack && cs_regex_match(re_frame, p, n, &m)) {
        cs_frame *f = s->th ? cs_thread_add_frame(s->th) : NULL;
        if (f) {
            f->file = cs_match_dup(&m, 1);
            f->line = (int)cs_match_num(&m, 2, 0);
            f->function = cs_match_dup(&m, 3);
        }
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "[PYSECSAN] Stacktrace:")) {
        s->in_stack = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "[PYSECSAN] Exiting")) {
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    if (s->in_stack || ++s->head > MAX_HEAD_LINES) return CS_X_REJECT;
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    cs_thread *th = s->th;
    /* innermost first */
    for (size_t i = 0; th && i < th->n_frames / 2; i++) {
        cs_frame tmp = th->frames[i];
        th->frames[i] = th->frames[th->n_frames - 1 - i];
        th->frames[th->n_frames - 1 - i] = tmp;
    }
    cs_xctx_emit(x, s->t);
    free(s);
}

const cs_dialect cs_dialect_pysecsan = {
    .name = "pysecsan",
    .patterns = patterns,
    .first_chars = "=",
    .start = start,
    .feed = feed,
    .finish = finish,
};

/* node.c - Node.js (V8) errors and their stacks.
 *
 * Grammar (V8 Error.prototype.stack, node lib/internal/process/execution.js):
 *   /path/app.js:12                       the source excerpt node prints for
 *     code line                            an uncaught exception: location,
 *           ^                              source line, caret, blank line
 *   <blank>
 *   TypeError: x is not a function        the error line ("Uncaught ...", a
 *   Error [ERR_X]: msg                     code in brackets)
 *       at fn (file.js:12:5)              one frame each, innermost first
 *       at file.js:12:5                   anonymous
 *       at async fn (...)   at new Foo (...)   at Array.map (<anonymous>)
 *       at f (file.js:1:2) {              then an object dump up to "}"
 * A bare error line is a trace only when frames follow (an error line that
 * ends with ':' may have message lines first).
 * Loggers and pastes change the layout, and these are read too: an error
 * line behind a logger's prefix ("[12/29/2021, 3:22:05 PM] TypeError: x",
 * "(node:123) UnhandledPromiseRejectionWarning: TypeError: x", "Stack: "),
 * which must be followed at once by a frame; frames that lost their
 * indentation or became markdown quotes ("> at f (x.js:1:2)"), and one
 * blank line between frames (a console copy). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_excerpt, *re_error, *re_error_in, *re_at, *re_at_bare, *re_caret;

#define MAX_EXCERPT_LINES 4
#define MAX_MESSAGE_LINES 20
#define MAX_DUMP_LINES 64
/* Blank lines in a row before or between frames. */
#define MAX_BLANKS 1

static const cs_xpattern patterns[] = {
    {&re_excerpt, "^((?:file://)?\\S+\\.(?:[cm]?js|[cm]?ts|jsx|tsx)):(\\d+)$"},
    {&re_error, "^(?:Uncaught )?((?:[A-Z][\\w$]*)?(?:Error|Exception|Rejection)(?: \\[[\\w-]+\\])?)"
                "(?::(?: .*)?)?$"},
    /* The error type behind a prefix: the first word that ends in Error or
     * Exception and ends the line or is followed by ": ". */
    {&re_error_in, "(?<![\\w$.])((?:[A-Z][\\w$]*)?(?:Error|Exception)(?: \\[[\\w-]+\\])?)"
                   "(?:: .*|:)?$"},
    {&re_at, "^\\s*at (?:(async) )?(?:(new) )?(\\S.*?) \\((.*)\\)$"},
    {&re_at_bare, "^\\s*at (?:(async) )?(\\S+:\\d+:\\d+|<anonymous>|native)$"},
    {&re_caret, "^\\s*\\^+\\s*$"},
    {0},
};

enum { EXCERPT, MESSAGE, FRAMES, DUMP };

typedef struct st {
    cs_trace *t;
    int phase;
    int lines;    /* lines of the current phase */
    bool caret;   /* excerpt: the caret line was seen */
    bool msg_ok;  /* the error line may be followed by message lines */
    int blanks;   /* blank lines in a row */
    cs_frame loc; /* excerpt location */
} st;

static bool error_line(const char *p, size_t n, cs_match *m)
{
    /* re_error starts with "Uncaught " or a capitalised type name. */
    if (n < 5 || p[0] < 'A' || p[0] > 'Z') return false;
    if (!cs_memmem(p, n < 64 ? n : 64, "Error", 5) &&
        !cs_memmem(p, n < 64 ? n : 64, "Exception", 9) &&
        !cs_memmem(p, n < 64 ? n : 64, "Rejection", 9))
        return false;
    return cs_regex_match(re_error, p, n, m);
}

/* An error line behind a prefix; *at gets where the error type starts. */
static bool error_inside(const char *p, size_t n, cs_match *m, size_t *at)
{
    if (!cs_memmem(p, n, "Error", 5) && !cs_memmem(p, n, "Exception", 9)) return false;
    if (!cs_regex_match(re_error_in, p, n, m)) return false;
    const char *g;
    size_t gn;
    cs_match_group(m, 1, &g, &gn);
    *at = (size_t)(g - p);
    return true;
}

/* Skips blanks and markdown quote markers ("> ", "> > "). */
static void unquote(const char **p, size_t *n)
{
    size_t i = 0;
    for (;;) {
        while (i < *n && cs_xis_blank((*p)[i]))
            i++;
        if (i < *n && (*p)[i] == '>')
            i++;
        else
            break;
    }
    *p += i;
    *n -= i;
}

static void set_error(st *s, const cs_match *m, const char *p, size_t n)
{
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    free(s->t->headline);
    s->t->headline = cs_xstrndup(p, n);
    s->msg_ok = n && p[n - 1] == ':';
    if (!th) return;
    th->label = cs_xstrndup(p, n);
    th->name = cs_match_dup(m, 1);
}

/* A new trace, pinned to the test running where it starts (a blank line
 * inside a trace is read, so the next test's header may precede finish). */
static st *new_state(cs_xctx *x, const cs_xline *l)
{
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_NODE, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    const char *test = cs_xctx_test(x);
    if (test) s->t->test = cs_xstrdup(test);
    return s;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (n < 5 || p[0] == ' ' || p[0] == '\t') return NULL;
    if (p[n - 1] >= '0' && p[n - 1] <= '9' && cs_memmem(p, n, "s:", 2) &&
        cs_regex_match(re_excerpt, p, n, &m)) {
        st *s = new_state(x, l);
        s->loc.file = cs_match_dup(&m, 1);
        s->loc.line = (int)cs_match_num(&m, 2, 0);
        s->phase = EXCERPT;
        return s;
    }
    size_t at = 0;
    if (!error_line(p, n, &m) && !error_inside(p, n, &m, &at)) return NULL;
    st *s = new_state(x, l);
    set_error(s, &m, p + at, n - at);
    /* Behind a prefix, only a frame right after makes it an error. */
    if (at) s->msg_ok = false;
    s->phase = MESSAGE;
    return s;
}

static bool add_frame(st *s, const char *p, size_t n)
{
    cs_match m;
    cs_thread *th = s->t->n_threads ? &s->t->threads[0] : NULL;
    bool call = cs_regex_match(re_at, p, n, &m);
    if (!call && !cs_regex_match(re_at_bare, p, n, &m)) return false;
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (!f) return true;
    const char *g;
    size_t gn;
    if (call) {
        const char *nw;
        size_t nwn;
        cs_match_group(&m, 3, &g, &gn);
        f->function = cs_match_group(&m, 2, &nw, &nwn) ? cs_xasprintf("new %.*s", (int)gn, g)
                                                       : cs_xstrndup(g, gn);
        cs_match_group(&m, 4, &g, &gn);
    } else {
        cs_match_group(&m, 2, &g, &gn);
    }
    /* "file.js:12:5", "node:internal/x:1:2", "<anonymous>", "native",
     * "eval at f (x.js:1:2), <anonymous>:1:1" */
    if (!cs_xparse_fileline(g, gn, f) && gn && g[0] != '<' && !cs_starts_with(g, gn, "native"))
        f->file = cs_xstrndup(g, gn);
    return true;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    bool blank = cs_xindent(p, n) == n;
    switch (s->phase) {
    case EXCERPT:
        if (blank && s->caret) return CS_X_MORE;
        if (s->caret && error_line(p, n, &m)) {
            set_error(s, &m, p, n);
            s->phase = MESSAGE;
            s->lines = 0;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        if (s->caret || ++s->lines > MAX_EXCERPT_LINES) return CS_X_REJECT;
        if (cs_regex_match(re_caret, p, n, NULL)) s->caret = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    case DUMP:
        if (++s->lines > MAX_DUMP_LINES) return CS_X_REJECT;
        s->t->line_end = l->no;
        return n && p[0] == '}' ? CS_X_DONE : CS_X_MORE;
    }
    /* MESSAGE, FRAMES */
    const char *q = p;
    size_t qn = n;
    unquote(&q, &qn);
    if (!qn) {
        if (++s->blanks > MAX_BLANKS) return CS_X_REJECT;
        return CS_X_MORE;
    }
    s->blanks = 0;
    size_t fn = qn;
    bool dump = qn > 2 && q[qn - 1] == '{' && q[qn - 2] == ' ';
    if (dump) fn = qn - 2;
    if (cs_starts_with(q, qn, "at ") && add_frame(s, q, fn)) {
        s->phase = dump ? DUMP : FRAMES;
        s->lines = 0;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (s->phase == MESSAGE && s->msg_ok && ++s->lines <= MAX_MESSAGE_LINES) return CS_X_MORE;
    if (s->phase == FRAMES && cs_xindent(p, n) > 0 &&
        cs_memmem(p, n, " lines matching cause stack trace ", 34)) {
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    return CS_X_REJECT;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    cs_trace *t = s->t;
    cs_thread *th = t->n_threads ? &t->threads[0] : NULL;
    bool keep = th && (th->n_frames || s->loc.file);
    if (keep && !th->n_frames) {
        cs_frame *f = cs_thread_add_frame(th);
        *f = s->loc;
        memset(&s->loc, 0, sizeof s->loc);
    }
    cs_frame_dispose(&s->loc);
    if (keep)
        cs_xctx_emit(x, t);
    else
        cs_trace_free(t);
    free(s);
}

const cs_dialect cs_dialect_node = {
    .name = "node",
    .patterns = patterns,
    .first_chars = NULL,
    /* error_line()'s words; an excerpt's "x.js:12" (js, cjs, mjs, ts, cts,
     * mts, jsx, tsx). */
    .literals = (const char *const[]){"Error", "Exception", "Rejection", "js:", "ts:", "sx:", NULL},
    .start = start,
    .feed = feed,
    .finish = finish,
};

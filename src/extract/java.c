/* java.c - Java (and JVM language) exception stack traces.
 *
 * Grammar (java.lang.Throwable.printStackTrace):
 *   Exception in thread "main" java.lang.IllegalStateException: msg
 *   java.lang.RuntimeException: msg          bare: only when an "at" follows
 *   == Java Exception: java.lang.X: msg      (Jazzer)
 *   \tat com.x.Foo.bar(Foo.java:12)          also (Native Method),
 *   \tat java.base/java.lang.Thread.run(Thread.java:833)   (Unknown Source)
 *   \t... 5 more                             frames shared with the enclosing trace
 *   Caused by: java.io.IOException: msg      a cause, its own frames
 *   \tSuppressed: java.lang.X: msg           indented by nesting depth
 * One exception with its causes and suppressed exceptions is one trace: the
 * thrown exception is CS_ROLE_CRASHED, the others CS_ROLE_CAUSE in printed
 * order, so the root cause is the last "Caused by" thread. Frames are
 * printed innermost first, as stored. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_thread, *re_bare, *re_at, *re_more, *re_nested;

/* Lines of a multi-line exception message before the first frame. */
#define MAX_MESSAGE_LINES 20

static const cs_xpattern patterns[] = {
    {&re_thread, "^Exception in thread \"([^\"]*)\" (\\S.*)$"},
    {&re_bare,
     "^(?:== Java Exception: )?((?:[A-Za-z_$][\\w$]*\\.)+[A-Za-z_$][\\w$]*)(?::(?: .*)?)?$"},
    {&re_at, "^\\s+at ([^\\s(]+)\\((.*?)\\)(?: [~]?\\[([^\\]:]*)(?::[^\\]]*)?\\])?\\s*$"},
    {&re_more, "^\\s*\\.\\.\\. (\\d+) (?:more|common frames omitted)\\s*$"},
    {&re_nested, "^\\s*(Caused by|Suppressed): (\\S.*)$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    long cur;
    bool bare;         /* started at a bare exception line */
    int message_lines; /* lines of the current exception's message so far */
} st;

/* Class name of an exception line "pkg.Cls: msg" (up to ':' or blank). */
static char *exc_class(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] != ':' && p[i] != ' ')
        i++;
    return cs_xstrndup(p, i);
}

static void new_exception(st *s, cs_role role, const char *p, size_t n, const char *thread)
{
    cs_xtrim(&p, &n);
    cs_thread *th = cs_trace_add_thread(s->t, role);
    s->cur = th ? (long)(th - s->t->threads) : -1;
    s->message_lines = 0;
    if (!th) return;
    th->label = cs_xstrndup(p, n);
    th->name = thread ? cs_xstrdup(thread) : exc_class(p, n);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (n < 5 || p[0] == ' ' || p[0] == '\t') return NULL;
    if (p[0] == 'E' && cs_starts_with(p, n, "Exception in thread \"") &&
        cs_regex_match(re_thread, p, n, &m)) {
        st *s = cs_xcalloc(1, sizeof *s);
        s->t = cs_trace_new(CS_TK_JAVA, cs_xctx_source(x), l->no);
        s->t->line_end = l->no;
        const char *g;
        size_t gn;
        cs_match_group(&m, 2, &g, &gn);
        s->t->headline = cs_xstrndup(g, gn);
        char *tname = cs_match_dup(&m, 1);
        new_exception(s, CS_ROLE_CRASHED, g, gn, NULL);
        if (s->cur >= 0) {
            cs_thread *th = &s->t->threads[s->cur];
            free(th->name);
            th->name = tname;
            tname = NULL;
            th->state = exc_class(g, gn);
        }
        free(tname);
        return s;
    }
    /* Cheap check before the regex: a dotted class name as the first word. */
    const char *dot = memchr(p, '.', n < 200 ? n : 200);
    const char *sp = memchr(p, ' ', n);
    if (!dot || (sp && sp < dot && !cs_starts_with(p, n, "== Java Exception: "))) return NULL;
    if (!cs_regex_match(re_bare, p, n, &m)) return NULL;
    const char *g;
    size_t gn;
    cs_match_group(&m, 1, &g, &gn);
    st *s = cs_xcalloc(1, sizeof *s);
    s->bare = true;
    s->t = cs_trace_new(CS_TK_JAVA, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    const char *h = g; /* after the "== Java Exception: " prefix */
    s->t->headline = cs_xstrndup(h, (size_t)(p + n - h));
    new_exception(s, CS_ROLE_CRASHED, h, (size_t)(p + n - h), NULL);
    return s;
}

static void parse_at(cs_frame *f, const cs_match *m)
{
    const char *g;
    size_t gn;
    cs_match_group(m, 1, &g, &gn);
    /* "java.base/java.lang.Thread.run", "app//com.x.Main.main",
     * "java.base@17/..." : the module is what precedes the last slash. */
    const char *slash = NULL;
    for (size_t i = gn; i-- > 0;)
        if (g[i] == '/') {
            slash = g + i;
            break;
        }
    if (slash) {
        size_t mn = (size_t)(slash - g);
        while (mn && g[mn - 1] == '/')
            mn--;
        if (mn) f->module = cs_xstrndup(g, mn);
        f->function = cs_xstrndup(slash + 1, gn - (size_t)(slash + 1 - g));
    } else {
        f->function = cs_xstrndup(g, gn);
    }
    if (cs_match_group(m, 2, &g, &gn) && gn && !cs_starts_with(g, gn, "Native Method") &&
        !cs_starts_with(g, gn, "Unknown Source")) {
        if (!cs_xparse_fileline(g, gn, f)) f->file = cs_xstrndup(g, gn);
    }
    if (!f->module && cs_match_group(m, 3, &g, &gn) && gn && !cs_starts_with(g, gn, "?"))
        f->module = cs_xstrndup(g, gn);
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    cs_thread *th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
    size_t ind = cs_xindent(p, n);
    if (ind == n) return CS_X_REJECT;
    if (ind && p[ind] == 'a' && cs_regex_match(re_at, p, n, &m)) {
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f) parse_at(f, &m);
        s->message_lines = -1;
        s->bare = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* A bare exception line is a trace only when a frame follows at once. */
    if (s->bare) return CS_X_REJECT;
    if (p[ind] == '.' && cs_regex_match(re_more, p, n, NULL)) {
        if (th) th->elided = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if ((p[ind] == 'C' || p[ind] == 'S') && cs_regex_match(re_nested, p, n, &m)) {
        const char *g;
        size_t gn;
        cs_match_group(&m, 2, &g, &gn);
        new_exception(s, CS_ROLE_CAUSE, g, gn, NULL);
        if (s->cur >= 0 && p[ind] == 'S') s->t->threads[s->cur].state = cs_xstrdup("suppressed");
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* The rest of a multi-line message, before the exception's first frame. */
    if (s->message_lines >= 0 && s->message_lines < MAX_MESSAGE_LINES) {
        s->message_lines++;
        return CS_X_MORE;
    }
    return CS_X_REJECT;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    bool frames = false;
    for (size_t i = 0; i < s->t->n_threads; i++)
        if (s->t->threads[i].n_frames) frames = true;
    if (frames)
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

const cs_dialect cs_dialect_java = {
    .name = "java",
    .patterns = patterns,
    /* "Exception in thread", "== Java Exception:" or a bare class name. */
    .first_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$=",
    .start = start,
    .feed = feed,
    .finish = finish,
};

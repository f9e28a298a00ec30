/* java.c - Java (and JVM language) exception stack traces.
 *
 * Grammar (java.lang.Throwable.printStackTrace):
 *   Exception in thread "main" java.lang.IllegalStateException: msg
 *   java.lang.RuntimeException: msg          bare: only when an "at" follows
 *   == Java Exception: java.lang.X: msg      (Jazzer)
 *   \tat com.x.Foo.bar(Foo.java:12)          also (Native Method),
 *   \tat java.base/java.lang.Thread.run(Thread.java:833)   (Unknown Source)
 *   at com.x.Foo.bar (Foo.java:12)           Maven 3.9 -e: a blank before '('
 *   \tat org.x.Y.z(Y.java:3) ~[y-1.0.jar:1.0]  logback's jar suffix
 *   \t... 5 more                             frames shared with the enclosing trace
 *   Caused by: java.io.IOException: msg      a cause, its own frames
 *   \tSuppressed: java.lang.X: msg           indented by nesting depth
 * What pasting does to it, read too: frames that lost their indentation, a
 * blank line after every frame (a console copy), markdown quote markers
 * ("> \tat ...") and bold around the exception line, an excerpt that starts
 * at a "Caused by:" section or at the frames themselves (headless: only a
 * frame naming a .java/.kt/.groovy/.scala source starts one, so that Node's
 * "at fn (file.js:1:2)" is never read as Java), and a first frame glued to
 * the exception line ("NullPointerExceptionat com.x.Foo.bar(Foo.java:1)").
 * One exception with its causes and suppressed exceptions is one trace: the
 * thrown exception is CS_ROLE_CRASHED, the others CS_ROLE_CAUSE in printed
 * order, so the root cause is the last "Caused by" thread. Frames are
 * printed innermost first, as stored. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_thread, *re_bare, *re_at, *re_more, *re_nested, *re_head, *re_glued, *re_cut;

/* Lines of a multi-line exception message before the first frame. */
#define MAX_MESSAGE_LINES 20
/* Blank lines in a row inside a trace (a console copy doubles newlines). */
#define MAX_BLANKS 1

/* A frame that names a JVM source file: the only frame that may start a
 * trace with no exception line before it. */
#define JVM_FRAME                                                                                  \
    "at (?:[\\w$]+[./]+)+[\\w$<>]+ ?\\((?:[\\w$.-]+\\.(?:java|kt|kts|groovy|scala|clj)(?::\\d+)?|" \
    "Native Method|Unknown Source)\\)"

static const cs_xpattern patterns[] = {
    {&re_thread, "^Exception in thread \"([^\"]*)\" (\\S.*)$"},
    {&re_bare,
     "^(?:== Java Exception: )?((?:[A-Za-z_$][\\w$]*\\.)+[A-Za-z_$][\\w$]*)(?::(?: .*)?)?$"},
    {&re_at, "^\\s*at ([^\\s(]+) ?\\((.*?)\\)(?: [~]?\\[([^\\]:]*)(?::[^\\]]*)?\\])?\\s*$"},
    {&re_more, "^\\s*\\.\\.\\. (\\d+) (?:more|common frames omitted)\\s*$"},
    {&re_nested, "^\\s*(Caused by|Suppressed): (\\S.*)$"},
    {&re_head, "^" JVM_FRAME "(?: [~]?\\[[^\\]]*\\])?\\s*$"},
    /* "java.lang.NullPointerExceptionat com.x.Foo.bar(Foo.java:23)" */
    {&re_glued, "^(.*[\\w$])(" JVM_FRAME ")\\s*$"},
    /* A frame cut at 80 columns by a mail client: "at a.B.c(B.ja". */
    {&re_cut, "^\\s*at ([\\w$.<>/]+)(\\( ?[^)]*)?$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    long cur;
    bool bare;         /* started at a bare exception line */
    bool headless;     /* started at a frame: needs a second one */
    int message_lines; /* lines of the current exception's message so far */
    int blanks;        /* blank lines in a row */
} st;

/* Skips what pasting into an issue or an e-mail puts before a line: blanks
 * and quote markers ("> ", "> > "). */
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

/* Also markdown emphasis or inline code around a whole exception line. */
static void unmark(const char **p, size_t *n)
{
    unquote(p, n);
    while (*n && ((*p)[0] == '`' || (*p)[0] == '*')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == '`' || (*p)[*n - 1] == '*' || cs_xis_blank((*p)[*n - 1])))
        (*n)--;
}

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

static void parse_at(cs_frame *f, const cs_match *m);

/* Adds the frame "at ..." in p[0..n) to the current exception. */
static bool add_frame(st *s, const char *p, size_t n)
{
    cs_match m;
    if (!cs_regex_match(re_at, p, n, &m)) return false;
    cs_thread *th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (f) parse_at(f, &m);
    s->message_lines = -1;
    s->bare = false;
    return true;
}

static st *new_state(cs_xctx *x, const cs_xline *l)
{
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_JAVA, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->cur = -1;
    /* The test running where the trace starts: a blank line inside the
     * trace is read, so the next test's header may come before finish(). */
    const char *test = cs_xctx_test(x);
    if (test) s->t->test = cs_xstrdup(test);
    return s;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    bool indented = n && cs_xis_blank(p[0]);
    unmark(&p, &n);
    bool quoted = p > l->ptr && !indented;
    if (n < 5) return NULL;
    /* Frames with no exception line: the paste starts below it. */
    if (p[0] == 'a' && p[1] == 't' && p[2] == ' ' && cs_regex_match(re_head, p, n, NULL)) {
        st *s = new_state(x, l);
        new_exception(s, CS_ROLE_CRASHED, "", 0, NULL);
        s->t->headline = cs_xstrdup("Java stack trace");
        s->headless = true;
        add_frame(s, p, n);
        return s;
    }
    const char *glued = NULL;
    size_t glued_n = 0;
    if (p[n - 1] == ')' && cs_memmem(p, n, "at ", 3) && cs_regex_match(re_glued, p, n, &m)) {
        cs_match_group(&m, 2, &glued, &glued_n);
        n = (size_t)(glued - p);
    }
    if (p[0] == 'E' && cs_starts_with(p, n, "Exception in thread \"") &&
        cs_regex_match(re_thread, p, n, &m)) {
        st *s = new_state(x, l);
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
        if (glued) add_frame(s, glued, glued_n);
        return s;
    }
    /* Bare exception lines stand at the start of a line (or of a quote). */
    if (indented && !quoted) return NULL;
    /* An excerpt that starts at a cause: that exception is the one shown. */
    bool cause = p[0] == 'C' && cs_starts_with(p, n, "Caused by: ");
    if (cause) {
        p += 11;
        n -= 11;
    }
    /* Cheap check before the regex: a dotted class name as the first word. */
    const char *dot = memchr(p, '.', n < 200 ? n : 200);
    const char *sp = memchr(p, ' ', n);
    if (!dot || (sp && sp < dot && !cs_starts_with(p, n, "== Java Exception: "))) return NULL;
    if (!cs_regex_match(re_bare, p, n, &m)) return NULL;
    const char *g;
    size_t gn;
    cs_match_group(&m, 1, &g, &gn);
    st *s = new_state(x, l);
    s->bare = true;
    const char *h = g; /* after the "== Java Exception: " prefix */
    s->t->headline = cs_xstrndup(h, (size_t)(p + n - h));
    new_exception(s, CS_ROLE_CRASHED, h, (size_t)(p + n - h), NULL);
    if (glued) add_frame(s, glued, glued_n);
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
    unquote(&p, &n);
    if (!n) return ++s->blanks <= MAX_BLANKS ? CS_X_MORE : CS_X_REJECT;
    s->blanks = 0;
    cs_thread *th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
    if (p[0] == 'a' && add_frame(s, p, n)) {
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* A cut frame keeps its name when the cut fell after it. */
    if (p[0] == 'a' && !s->bare && cs_regex_match(re_cut, p, n, &m)) {
        const char *g;
        size_t gn;
        if (th && cs_match_group(&m, 2, &g, &gn)) {
            cs_frame *f = cs_thread_add_frame(th);
            if (f) {
                cs_match_group(&m, 1, &g, &gn);
                f->function = cs_xstrndup(g, gn);
            }
        } else if (th) {
            th->elided = true;
        }
        s->message_lines = -1;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* A bare exception line is a trace only when a frame follows at once. */
    if (s->bare) return CS_X_REJECT;
    if (p[0] == '.' && cs_regex_match(re_more, p, n, NULL)) {
        if (th) th->elided = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if ((p[0] == 'C' || p[0] == 'S') && cs_regex_match(re_nested, p, n, &m)) {
        const char *g;
        size_t gn;
        cs_match_group(&m, 2, &g, &gn);
        new_exception(s, CS_ROLE_CAUSE, g, gn, NULL);
        if (s->cur >= 0 && p[0] == 'S') s->t->threads[s->cur].state = cs_xstrdup("suppressed");
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
    /* A lone frame line with nothing above it is a log line quoting one. */
    bool frames = false;
    for (size_t i = 0; i < s->t->n_threads; i++)
        if (s->t->threads[i].n_frames > (s->headless ? 1u : 0u)) frames = true;
    if (frames)
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

const cs_dialect cs_dialect_java = {
    .name = "java",
    .patterns = patterns,
    /* "Exception in thread", "== Java Exception:", a bare class name or
     * frame, and those quoted by a mail client or a Markdown paste. */
    .first_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$=>*`",
    .start = start,
    .feed = feed,
    .finish = finish,
};

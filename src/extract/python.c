/* python.c - Python tracebacks and pytest failures.
 *
 * Grammar (Lib/traceback.py, _pytest/_code/code.py):
 *   Traceback (most recent call last):
 *     File "x.py", line 12, in func          one frame, outermost first
 *       source line                          (indented: source, carets
 *         ^^^^^^                              ~~~^^~~, skipped)
 *     [Previous line repeated 996 more times]
 *   ValueError: msg                          the exception line
 *   <blank>
 *   During handling of the above exception, another exception occurred:
 *   The above exception was the direct cause of the following exception:
 *   <blank>
 *   Traceback (most recent call last): ...   the next link of the chain
 * A SyntaxError starts with the frame ("  File "x.py", line 5") instead.
 *
 * pytest, long format (default) and --tb=short, one section per test:
 *   ______ test_x ______                     test header (TestC.test_x too)
 *       def test_x():                        source (long only)
 *   >       assert x == 2
 *   E       assert 1 == 2                    the failure text
 *   test_mod.py:12: AssertionError           long: end of a frame section
 *   test_mod.py:12: in test_x                short: a frame
 * and the summary "FAILED test_mod.py::test_x - msg", a test failure of its
 * own that the extractor's merge drops when a traceback of the same test
 * (the same pytest node id) exists.
 *
 * Frames are stored innermost first, as every other dialect does; Python
 * prints them the other way round. Past CS_MAX_FRAMES the outermost half is
 * kept and the innermost frames go round a ring, so the frame that raised is
 * never the one dropped. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_exc, *re_frame, *re_syntax_frame, *re_pyhdr, *re_failed, *re_short_frame,
    *re_long_end, *re_def, *re_tb_line;

static const cs_xpattern patterns[] = {
    {&re_exc, "^(?:[A-Za-z_]\\w*\\.)*[A-Z_]*[a-z]\\w*(?::.*)?$"},
    {&re_frame, "^\\s*File \"(.+)\", line (\\d+)(?:, in (.+))?$"},
    {&re_syntax_frame, "^  File \"(.+)\", line (\\d+)$"},
    {&re_pyhdr, "^_{3,} (\\S*test\\S*|ERROR (?:at (?:setup|teardown) of |collecting )\\S+) "
                "_{3,}$"},
    {&re_failed, "^(?:FAILED|ERROR) (\\S+?(?:::\\S+?|\\.py))(?: - (.*))?$"},
    {&re_short_frame, "^(\\S+?):(\\d+): in (\\S+)$"},
    /* "path:N: ErrorType" ends a long-format section; a setup error
     * (fixture not found) ends with the bare "path.py:N". */
    {&re_long_end, "^(\\S+?):(\\d+)(?:: ?(\\S*))?$"},
    {&re_def, "^\\s+(?:async )?def ([A-Za-z_]\\w*)\\("},
    /* --tb=line: "/abs/test_x.py:13: assert 2 == 1" */
    {&re_tb_line, "^(\\S+?\\.py):(\\d+): (\\S.*)$"},
    {0},
};

enum { TB, AFTER_EXC, CHAIN, PYTEST, ONE_LINE, TB_LINE };

/* Python prints outermost first; past the cap the innermost frames cycle
 * through the second half of the array. */
#define RING_START (CS_MAX_FRAMES / 2)

typedef struct st {
    cs_trace *t;
    int phase;
    long cur;          /* current thread, -1 none */
    size_t over;       /* frames past the cap in the current thread */
    bool syntax_start; /* started at a bare File line: needs an exception */
    bool have_exc;     /* the current thread has its exception line */
    /* pytest */
    char *test_name; /* from the header, "TestC.test_x" */
    char *func;      /* last "def f(" of the current long section */
    char *exc_type;  /* from "file:line: Type" */
    char *e_text;    /* first line of the last E block */
    bool in_e;
    int pre_lines; /* lines before the first frame or E line */
    bool native;   /* --tb=native: Python's own traceback under the header */
} st;

static cs_thread *cur(st *s)
{
    return s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
}

static cs_frame *push_frame(st *s)
{
    cs_thread *th = cur(s);
    if (!th) return NULL;
    cs_frame *f = cs_thread_add_frame(th);
    if (f) return f;
    size_t ring = CS_MAX_FRAMES - RING_START;
    f = &th->frames[RING_START + s->over % ring];
    s->over++;
    cs_frame_dispose(f);
    memset(f, 0, sizeof *f);
    return f;
}

static void reverse(cs_frame *a, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        cs_frame tmp = a[i];
        a[i] = a[j - 1];
        a[j - 1] = tmp;
    }
}

/* Puts the current thread's frames innermost first. */
static void end_thread(st *s)
{
    cs_thread *th = cur(s);
    if (!th) return;
    if (s->over) {
        /* Rotate the ring so its oldest frame comes first. */
        size_t ring = CS_MAX_FRAMES - RING_START, k = s->over % ring;
        reverse(th->frames + RING_START, k);
        reverse(th->frames + RING_START + k, ring - k);
        reverse(th->frames + RING_START, ring);
    }
    reverse(th->frames, th->n_frames);
    s->over = 0;
    s->cur = -1;
}

static void new_thread(st *s)
{
    end_thread(s);
    /* Every earlier link of a chain is a cause; the last one is the crash,
     * decided in finish(). */
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CAUSE);
    s->cur = th ? (long)(th - s->t->threads) : -1;
    s->have_exc = false;
}

static void add_py_frame(st *s, const cs_match *m)
{
    cs_frame *f = push_frame(s);
    if (!f) return;
    f->file = cs_match_dup(m, 1);
    f->line = (int)cs_match_num(m, 2, 0);
    f->function = cs_match_dup(m, 3);
}

/* The exception line: the thread's label, its name (the type) and, for the
 * last link, the trace's headline. */
static void set_exception(st *s, const char *p, size_t n)
{
    cs_thread *th = cur(s);
    s->have_exc = true;
    free(s->t->headline);
    s->t->headline = cs_xstrndup(p, n);
    if (!th) return;
    free(th->label);
    th->label = cs_xstrndup(p, n);
    const char *c = memchr(p, ':', n);
    size_t tn = c ? (size_t)(c - p) : n;
    free(th->name);
    th->name = cs_xstrndup(p, tn);
}

static bool blank(const cs_xline *l)
{
    return cs_xindent(l->ptr, l->len) == l->len;
}

/* "test_mod.py" + "TestC.test_x[1.5]" -> "test_mod.py::TestC::test_x[1.5]" */
static char *node_id(const char *file, const char *name)
{
    size_t fn = strlen(file), nn = strlen(name);
    char *out = cs_xmalloc(fn + 2 + 2 * nn + 1), *o = out;
    memcpy(o, file, fn);
    o += fn;
    *o++ = ':';
    *o++ = ':';
    bool in_param = false;
    for (size_t i = 0; i < nn; i++) {
        if (name[i] == '[') in_param = true;
        if (name[i] == '.' && !in_param) {
            *o++ = ':';
            *o++ = ':';
        } else {
            *o++ = name[i];
        }
    }
    *o = '\0';
    return out;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    size_t ind = cs_xindent(p, n);
    /* A summary line restates a failure; cut short at the end of the member
     * ("FAILED x.py::test_lend_mis") it names no test: not read. */
    if (ind == 0 && n >= 9 && !l->cut && (p[0] == 'F' || p[0] == 'E') &&
        (cs_starts_with(p, n, "FAILED ") || cs_starts_with(p, n, "ERROR ")) &&
        cs_regex_match(re_failed, p, n, &m)) {
        /* A one-line test failure; the same failure as its traceback when
         * that is in the member (merged away then), else the only one. */
        cs_trace *t = cs_trace_new(CS_TK_TEST_FAILURE, cs_xctx_source(x), l->no);
        t->summary = true;
        t->line_end = l->no;
        t->test = cs_match_dup(&m, 1);
        t->headline = cs_match_dup(&m, 2);
        if (!t->headline) t->headline = cs_xstrndup(p, (size_t)(strchr(p, ' ') - p));
        cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        const char *sep = strstr(t->test, "::");
        if (f && sep) {
            f->file = cs_xstrndup(t->test, (size_t)(sep - t->test));
            const char *last = sep;
            for (const char *q = sep; (q = strstr(q, "::")) != NULL; q += 2)
                last = q;
            f->function = cs_xstrdup(last + 2);
        }
        /* With --tb=line the failures above did not say their tests; the
         * summary names them in the same order. */
        cs_xctx_claim_unnamed(x, t->test);
        st *s = cs_xcalloc(1, sizeof *s);
        s->t = t;
        s->cur = -1;
        s->phase = ONE_LINE;
        return s;
    }
    if (ind == 0 && cs_xctx_pytest_line_section(x) && cs_memmem(p, n, ".py:", 4) &&
        cs_regex_match(re_tb_line, p, n, &m)) {
        cs_trace *t = cs_trace_new(CS_TK_PYTHON, cs_xctx_source(x), l->no);
        t->line_end = l->no;
        const char *g;
        size_t gn;
        cs_match_group(&m, 3, &g, &gn);
        /* As the long format says it: a bare assert is an AssertionError. */
        t->headline = cs_starts_with(g, gn, "assert ")
                          ? cs_xasprintf("AssertionError: %.*s", (int)gn, g)
                          : cs_xstrndup(g, gn);
        cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f) {
            f->file = cs_match_dup(&m, 1);
            f->line = (int)cs_match_num(&m, 2, 0);
        }
        if (th) {
            th->label = cs_xstrdup(t->headline);
            size_t k = strcspn(t->headline, ": ");
            if (t->headline[k] == ':') th->name = cs_xstrndup(t->headline, k);
        }
        st *s = cs_xcalloc(1, sizeof *s);
        s->t = t;
        s->cur = -1;
        s->phase = TB_LINE;
        return s;
    }
    st *s = NULL;
    if (ind == 0 && cs_starts_with(p, n, "Traceback (most recent call last):")) {
        s = cs_xcalloc(1, sizeof *s);
        s->t = cs_trace_new(CS_TK_PYTHON, cs_xctx_source(x), l->no);
        s->cur = -1;
        new_thread(s);
        s->phase = TB;
    } else if (ind == 2 && p[2] == 'F' && cs_regex_match(re_syntax_frame, p, n, &m)) {
        s = cs_xcalloc(1, sizeof *s);
        s->t = cs_trace_new(CS_TK_PYTHON, cs_xctx_source(x), l->no);
        s->cur = -1;
        new_thread(s);
        add_py_frame(s, &m);
        s->syntax_start = true;
        s->phase = TB;
    } else if (p[0] == '_' && cs_regex_match(re_pyhdr, p, n, &m)) {
        s = cs_xcalloc(1, sizeof *s);
        s->t = cs_trace_new(CS_TK_PYTHON, cs_xctx_source(x), l->no);
        s->cur = -1;
        new_thread(s);
        const char *g;
        size_t gn;
        cs_match_group(&m, 1, &g, &gn);
        static const char *const prefixes[] = {"ERROR at setup of ", "ERROR at teardown of ",
                                               "ERROR collecting "};
        for (size_t i = 0; i < CS_ARRAY_LEN(prefixes); i++) {
            size_t pn = strlen(prefixes[i]);
            if (gn > pn && memcmp(g, prefixes[i], pn) == 0) {
                if (i == 2) s->t->test = cs_xstrndup(g + pn, gn - pn); /* the node id */
                g += pn;
                gn -= pn;
                break;
            }
        }
        if (!s->t->test) s->test_name = cs_xstrndup(g, gn);
        s->phase = PYTEST;
    }
    if (s) s->t->line_end = l->no;
    return s;
}

static void set_e_text(st *s, const char *p, size_t n)
{
    cs_xtrim(&p, &n);
    free(s->e_text);
    s->e_text = cs_xstrndup(p, n);
}

/* Without its ": ErrorType" the end line must name a Python file: a bare
 * "word:N" in a section is more often a logger's output than a place. */
static bool long_end_ok(const cs_match *m)
{
    const char *g;
    size_t gn;
    if (cs_match_group(m, 3, &g, &gn)) return true;
    cs_match_group(m, 1, &g, &gn);
    return gn > 3 && memcmp(g + gn - 3, ".py", 3) == 0;
}

static int feed_pytest(st *s, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (blank(l)) return CS_X_MORE;
    if (n >= 3 && ((p[0] == '_' && p[1] == '_') || (p[0] == '=' && p[1] == '=') ||
                   (p[0] == '-' && p[1] == '-' && p[2] == '-')))
        return CS_X_REJECT; /* next test, summary, captured output */
    if (cs_starts_with(p, n, "Traceback (most recent call last):")) {
        /* --tb=native: Python's own layout under the pytest header. */
        s->phase = TB;
        s->native = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    bool is_e = n >= 2 && p[0] == 'E' && (p[1] == ' ' || p[1] == '\t');
    if (is_e) {
        if (!s->in_e) set_e_text(s, p + 1, n - 1);
        s->in_e = true;
        s->pre_lines = -1;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    s->in_e = false;
    if (p[0] != ' ' && p[0] != '\t' && p[0] != '>' && cs_regex_match(re_short_frame, p, n, &m)) {
        add_py_frame(s, &m);
        s->pre_lines = -1;
    } else if (p[0] != ' ' && p[0] != '\t' && p[0] != '>' &&
               cs_regex_match(re_long_end, p, n, &m) && long_end_ok(&m)) {
        cs_frame *f = push_frame(s);
        if (f) {
            f->file = cs_match_dup(&m, 1);
            f->line = (int)cs_match_num(&m, 2, 0);
            f->function = s->func;
            s->func = NULL;
        }
        const char *g;
        size_t gn;
        if (cs_match_group(&m, 3, &g, &gn) && gn) {
            free(s->exc_type);
            s->exc_type = cs_xstrndup(g, gn);
        }
        s->pre_lines = -1;
    } else if (p[0] == ' ' && !s->func && cs_regex_match(re_def, p, n, &m)) {
        s->func = cs_match_dup(&m, 1);
    } else if (cs_starts_with(p, n, "During handling of the above exception") ||
               cs_starts_with(p, n, "The above exception was the direct cause")) {
        new_thread(s);
    } else if (p[0] == '_' && p[1] == ' ') {
        /* "_ _ _ _" between the frames of one test: the next section. */
        free(s->func);
        s->func = NULL;
    } else if (s->pre_lines >= 0 && ++s->pre_lines > 40) {
        return CS_X_REJECT; /* a banner of underscores, not a pytest section */
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    if (s->phase == ONE_LINE || s->phase == TB_LINE) return CS_X_REJECT;
    if (s->phase == PYTEST) return feed_pytest(s, l);
    cs_match m;
    switch (s->phase) {
    case TB: {
        if (blank(l)) return CS_X_REJECT;
        size_t ind = cs_xindent(p, n);
        if (ind >= 1 && p[ind] == 'F' && cs_regex_match(re_frame, p, n, &m)) {
            add_py_frame(s, &m);
        } else if (ind == 0) {
            if (cs_starts_with(p, n, "Traceback (most recent call last):")) {
                /* A second traceback without its exception line: a new one. */
                return CS_X_REJECT;
            }
            /* "INFO: x" from a logger is not an exception line. */
            if (!cs_regex_match(re_exc, p, n, NULL)) return CS_X_REJECT;
            set_exception(s, p, n);
            s->phase = AFTER_EXC;
        }
        /* Indented: source lines, carets, "[Previous line repeated ...]". */
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    case AFTER_EXC:
        if (blank(l)) return CS_X_MORE;
        if (cs_starts_with(p, n, "During handling of the above exception") ||
            cs_starts_with(p, n, "The above exception was the direct cause")) {
            s->phase = CHAIN;
            return CS_X_MORE;
        }
        return CS_X_REJECT;
    case CHAIN:
        if (blank(l)) return CS_X_MORE;
        if (cs_starts_with(p, n, "Traceback (most recent call last):")) {
            new_thread(s);
            s->phase = TB;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        return CS_X_REJECT;
    }
    return CS_X_REJECT;
}

static bool has_frames(const cs_trace *t)
{
    for (size_t i = 0; i < t->n_threads; i++)
        if (t->threads[i].n_frames) return true;
    return false;
}

/* The node id: the test's file is that of the outermost frame (absolute
 * with --tb=native; the extractor's merge matches it to pytest's relative
 * node id by path suffix). */
static void name_test(st *s)
{
    cs_trace *t = s->t;
    if (!t->test && s->test_name && t->n_threads) {
        const cs_thread *first = &t->threads[0];
        const cs_frame *outer = first->n_frames ? &first->frames[first->n_frames - 1] : NULL;
        if (outer && outer->file) t->test = node_id(outer->file, s->test_name);
    }
    if (!t->test && s->test_name) t->test = cs_xstrdup(s->test_name);
}

static void finish_pytest(st *s)
{
    cs_trace *t = s->t;
    const char *e = s->e_text, *type = s->exc_type;
    if (!type && e && cs_starts_with(e, strlen(e), "assert ")) type = "AssertionError";
    if (e && type && !strstr(e, type))
        t->headline = cs_xasprintf("%s: %s", type, e);
    else if (e)
        t->headline = cs_xstrdup(e);
    else if (type)
        t->headline = cs_xstrdup(type);
    cs_thread *th = t->n_threads ? &t->threads[t->n_threads - 1] : NULL;
    if (th && t->headline) th->label = cs_xstrdup(t->headline);
    if (th && type) {
        th->name = cs_xstrdup(type);
    } else if (th && e) {
        /* "E   pkg.OutOfStock: msg" (short format): the type leads the text. */
        size_t k = 0, last = 0;
        while (e[k] && e[k] != ':' && e[k] != ' ') {
            if (e[k] == '.') last = k + 1;
            k++;
        }
        if (e[k] == ':' && k > last) th->name = cs_xstrndup(e + last, k - last);
    }
    name_test(s);
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    cs_trace *t = s->t;
    if (s->phase == ONE_LINE) {
        cs_xctx_emit(x, t);
        free(s);
        return;
    }
    if (s->phase == TB_LINE) {
        cs_xctx_emit_unnamed(x, t);
        free(s);
        return;
    }
    bool pytest = s->phase == PYTEST;
    if (s->phase == TB && eof) t->truncated = true;
    bool keep_thread_exc = s->have_exc;
    end_thread(s);
    if (pytest) finish_pytest(s);
    if (s->native) name_test(s);
    /* The last link of a chain is the exception that escaped. */
    if (t->n_threads) t->threads[t->n_threads - 1].role = CS_ROLE_CRASHED;
    bool keep =
        has_frames(t) && (pytest ? t->headline != NULL : (keep_thread_exc || !s->syntax_start));
    if (keep) {
        if (!t->headline) {
            t->headline = cs_xstrdup("Traceback (most recent call last)");
            t->truncated = true;
        }
        cs_xctx_emit(x, t);
    } else {
        cs_trace_free(t);
    }
    free(s->test_name);
    free(s->func);
    free(s->exc_type);
    free(s->e_text);
    free(s);
}

const cs_dialect cs_dialect_python = {
    .name = "python",
    .patterns = patterns,
    /* Any first byte: a --tb=line failure starts with its path (".py:");
     * the others are a summary line, a traceback, a SyntaxError's bare
     * File line or a pytest "___ test ___" header. */
    .first_chars = NULL,
    .literals = (const char *const[]){"FAILED ", "ERROR ", ".py:",
                                      "Traceback (most recent call last):", "File \"", "___", NULL},
    .start = start,
    .feed = feed,
    .finish = finish,
};

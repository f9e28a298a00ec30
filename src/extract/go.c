/* go.c - Go panics, fatal errors and goroutine dumps.
 *
 * Grammar (runtime/panic.go, runtime/traceback.go):
 *   panic: MSG [recovered]          fatal error: MSG        SIGQUIT: quit
 *   \tpanic: MSG (nested)           [signal SIGSEGV: ... addr=0x0 pc=0x...]
 *   goroutine N [STATE, 3 minutes, locked to thread]:   (>= 1.23 may add
 *       "gp=0x.. m=N mp=0x.." between N and [)
 *   FUNC(ARGS)                      \tFILE:LINE +0xOFF [fp=.. sp=.. pc=..]
 *   created by FUNC [in goroutine N]  \tFILE:LINE +0xOFF
 *   ...additional frames elided...  \tgoroutine running on other thread; stack unavailable
 * Every fatal error dumps all goroutines; panics only the panicking one
 * unless GOTRACEBACK says more.
 * Pasted and logged dumps are read too: a goroutine header that lost its
 * colon, a dump whose header lines are gone (it starts at a frame:
 * "pkg.F(0x1, ...)" then its file line; only a frame that prints arguments,
 * or that names an import path, main or runtime, starts one), and a last
 * frame line cut inside its arguments (an excerpt's end, journalctl's '>'
 * at the terminal width). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "go.h"

static cs_regex *re_header, *re_goroutine, *re_file, *re_signal, *re_created, *re_running_test,
    *re_testfunc, *re_tail, *re_headless, *re_cut_func, *re_after_test;

static const cs_xpattern patterns[] = {
    {&re_header, "^\\s*(panic: |fatal error: |SIG[A-Z]+: [a-z])"},
    {&re_goroutine, "^\\s*goroutine (\\d+)(?: [a-z]+=\\S+)* \\[([^\\]]*)\\]:?\\s*$"},
    /* Old tracebacks end file lines in "fp=0x.. sp=0x.." without pc=; a
     * web page may pad the blank between them. */
    {&re_file, "^\\s*(.+?):(\\d+)(?: \\+0x([0-9a-f]+))?(?: fp=0x[0-9a-f]+\\s+sp=0x[0-9a-f]+"
               "(?:\\s+pc=0x([0-9a-f]+))?)?\\s*$"},
    {&re_signal, "^\\s*\\[signal ([A-Z0-9]+: [^\\]]*?)(?: code=|\\])"},
    /* [^\\s], not \\S: PCRE2 10.42's JIT fails \\S on a multi-byte character
     * under PCRE2_MATCH_INVALID_UTF ("created by main.func\u00b7001"). */
    {&re_created, "^\\s*created by ([^\\s]+?)(?: in goroutine (\\d+))?\\s*$"},
    {&re_running_test, "^\\s+(Test\\S*|Benchmark\\S*|Fuzz\\S*|Example\\S*) \\("},
    {&re_testfunc, "\\.((?:Test|Benchmark|Fuzz|Example)[A-Za-z0-9_]*)(?:\\.func\\d+[.0-9]*)?$"},
    {&re_tail, "^(?:exit status \\d+|FAIL\\b|ok\\s|--- |=== |PASS$|SUCCESS|make: )"},
    /* A frame that may start a dump without its headers: "pkg.F(0x1, {..})",
     * "github.com/x/y.(*T).M()", "main.main()", "runtime.throw(...)". */
    {&re_headless, "^(?:(?:[\\w.~-]+/)+[\\w.~-]+|[a-z]\\w*)\\.(?:\\(\\*?[^()\\s]+\\)\\.)?[^()\\s]+"
                   "\\((?:(?:0x[0-9a-f]+\\??|\\{[^()]*\\}|\\.\\.\\.|\\d+)(?:, )?)+\\)$"},
    /* "panic: Log in goroutine after TestX has completed: msg" names its test. */
    {&re_after_test, "^panic: (?:Log|Fail) in goroutine after (\\S+) has completed"},
    /* A frame line cut inside its argument list. */
    {&re_cut_func, "^\\s*([^\\s()]+?(?:\\(\\*?[^\\s()]+\\)\\.[^\\s()]+)?)\\([0-9a-fx{}.,? ]*>?$"},
    {0},
};

bool cs_go_parse_func(const char *p, size_t n, cs_frame *f)
{
    cs_xtrim(&p, &n);
    if (n < 3 || p[n - 1] != ')') return false;
    /* The argument list opens at the first '(' that does not open a method
     * receiver "(*T)". */
    size_t i = 0;
    for (; i < n; i++) {
        if (p[i] == '(' && !(i + 1 < n && p[i + 1] == '*')) break;
        if (p[i] == ' ' || p[i] == '\t') return false;
    }
    if (i == 0 || i >= n) return false;
    f->function = cs_xstrndup(p, i);
    return true;
}

bool cs_go_parse_fileline(const char *p, size_t n, cs_frame *f)
{
    cs_match m;
    if (n < 2) return false;
    if (!cs_regex_match(re_file, p, n, &m)) return false;
    const char *g;
    size_t gn;
    free(f->file);
    f->file = cs_match_dup(&m, 1);
    f->line = (int)cs_match_num(&m, 2, 0);
    if (cs_match_group(&m, 3, &g, &gn)) {
        f->offset = cs_xhex(g, gn);
        f->has_offset = true;
    }
    if (cs_match_group(&m, 4, &g, &gn)) {
        f->pc = cs_xhex(g, gn);
        f->has_pc = true;
    }
    return true;
}

void cs_go_test_from_frames(cs_trace *t)
{
    /* The crashed goroutine first, then the others in order. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < t->n_threads; i++) {
            cs_thread *th = &t->threads[i];
            if ((pass == 0) != (th->role == CS_ROLE_CRASHED || th->role == CS_ROLE_ACCESS))
                continue;
            for (size_t k = 0; k < th->n_frames; k++) {
                const char *fn = th->frames[k].function;
                cs_match m;
                if (fn && cs_regex_match(re_testfunc, fn, strlen(fn), &m)) {
                    free(t->test);
                    t->test = cs_match_dup(&m, 1);
                    return;
                }
            }
        }
    }
}

/* ---- the panic / fatal error / dump state machine --------------------- */

enum { HEAD, DUMP, RUNNING_TESTS };

typedef struct st {
    cs_trace *t;
    int phase;
    int head_lines;
    long cur;       /* index of the current goroutine, -1 none */
    bool want_file; /* a function line was read; its file line is next */
    bool want_created_file;
    bool drop_file;   /* the file line wanted is of a dropped frame */
    bool has_crashed; /* the first goroutine (the crashed one) is in */
    bool gave_up;     /* the header was followed by another format's report */
    bool after_file;  /* the last line was a file line */
    bool headless;    /* started at a frame: needs a second one */
    char *running_test;
} st;

static cs_thread *cur(st *s)
{
    return s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
}

static void start_goroutine(st *s, const cs_match *m, const cs_xline *l)
{
    /* A flag, not a look at every goroutine so far: a dump of 100,000
     * goroutines must cost linear time. */
    cs_thread *th = cs_trace_add_thread(s->t, s->has_crashed ? CS_ROLE_OTHER : CS_ROLE_CRASHED);
    s->want_file = s->want_created_file = false;
    if (!th) {
        /* Past CS_MAX_THREADS: counted (n_dropped_threads), its lines read
         * and dropped, the dump goes on as the same trace. */
        s->cur = -1;
        s->phase = DUMP;
        return;
    }
    s->has_crashed = true;
    s->cur = (long)(th - s->t->threads);
    th->id = cs_match_num(m, 1, -1);
    th->name = cs_xasprintf("goroutine %lld", th->id);
    th->state = cs_match_dup(m, 2);
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    th->label = cs_xstrndup(p, n);
    s->phase = DUMP;
}

static void add_runtime_stack(st *s)
{
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_OTHER);
    s->want_file = s->want_created_file = false;
    s->cur = th ? (long)(th - s->t->threads) : -1;
    if (th) {
        th->name = cs_xstrdup("runtime stack");
        th->label = cs_xstrdup("runtime stack:");
    }
    s->phase = DUMP;
}

/* Is p[0..n) a frame that may open a dump without headers? */
static bool headless_frame(const char *p, size_t n)
{
    if (n < 5 || p[n - 1] != ')' || p[0] < 'a' || p[0] > 'z' || !memchr(p, '.', n)) return false;
    if (cs_regex_match(re_headless, p, n, NULL)) return true;
    /* No arguments (Go 1.17+ prints none for some frames): only a name no
     * other language spells so. */
    return n > 2 && p[n - 2] == '(' && !memchr(p, ' ', n) &&
           (memchr(p, '/', n) || cs_starts_with(p, n, "main.") || cs_starts_with(p, n, "runtime."));
}

static void *start_headless(cs_xctx *x, const cs_xline *l)
{
    cs_frame tmp = {0};
    if (!cs_go_parse_func(l->ptr, l->len, &tmp)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    /* runtime.throw / runtime.fatal* on top: a fatal error's dump. */
    bool fatal = cs_starts_with(tmp.function, strlen(tmp.function), "runtime.throw") ||
                 cs_starts_with(tmp.function, strlen(tmp.function), "runtime.fatal") ||
                 cs_starts_with(tmp.function, strlen(tmp.function), "internal/runtime/maps.fatal");
    s->t = cs_trace_new(fatal ? CS_TK_GO_FATAL : CS_TK_GO_PANIC, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->t->headline = cs_xstrdup("goroutine dump");
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    s->cur = th ? (long)(th - s->t->threads) : -1;
    s->has_crashed = true;
    s->headless = true;
    s->phase = DUMP;
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (th) th->name = cs_xstrdup("goroutine");
    if (f)
        *f = tmp;
    else
        cs_frame_dispose(&tmp);
    s->want_file = true;
    s->drop_file = f == NULL;
    return s;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    cs_match m;
    if (headless_frame(l->ptr, l->len)) return start_headless(x, l);
    bool header = cs_regex_match(re_header, l->ptr, l->len, &m);
    bool dump = !header && cs_regex_match(re_goroutine, l->ptr, l->len, &m);
    if (!header && !dump) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->cur = -1;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    bool fatal = cs_starts_with(p, n, "fatal error: ") || cs_starts_with(p, n, "SIG");
    s->t = cs_trace_new(fatal ? CS_TK_GO_FATAL : CS_TK_GO_PANIC, cs_xctx_source(x), l->no);
    if (dump) {
        s->t->headline = cs_xstrdup("goroutine dump");
        start_goroutine(s, &m, l);
        return s;
    }
    /* A lost newline can glue the first goroutine header to the message. */
    const char *g = cs_memmem(p, n, " goroutine ", 11);
    size_t hn = n;
    if (g && cs_regex_match(re_goroutine, g, (size_t)(p + n - g), &m)) {
        hn = (size_t)(g - p);
        start_goroutine(s, &m, &(cs_xline){g, (size_t)(p + n - g), l->no, false, false});
    }
    const char *rec = " [recovered]";
    if (hn > strlen(rec) && memcmp(p + hn - strlen(rec), rec, strlen(rec)) == 0) hn -= strlen(rec);
    s->t->headline = cs_xstrndup(p, hn);
    return s;
}

static void append_headline(st *s, const char *extra, size_t n)
{
    char *h = cs_xasprintf("%s %.*s", s->t->headline, (int)n, extra);
    free(s->t->headline);
    s->t->headline = h;
}

static bool has_frames(const cs_trace *t)
{
    for (size_t i = 0; i < t->n_threads; i++)
        if (t->threads[i].n_frames) return true;
    return false;
}

/* "panic: MSG" is also how the BSD kernels open a panic. What follows one
 * there is never Go's: FreeBSD's vpanic prints "cpuid = N" and KDB's
 * banner, OpenBSD and NetBSD drop into ddb ("Stopped at", frames
 * "f(args) at f+0x.."). Before any goroutine, such a line ends the head and
 * the header is handed off to the kernel dialects (cs_xctx_hand_off). */
static bool kernel_debugger_line(const char *p, size_t n)
{
    if (cs_starts_with(p, n, "cpuid = ") || cs_starts_with(p, n, "KDB: ") ||
        cs_starts_with(p, n, "Stopped at") || cs_starts_with(p, n, "Stopped in pid "))
        return true;
    const char *at = cs_memmem(p, n, ") at ", 5);
    return at && at > p && cs_memmem(at, (size_t)(p + n - at), "+0x", 3) && p[0] != '\t';
}

static int feed_head(st *s, const cs_xline *l)
{
    cs_match m;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (cs_regex_match(re_goroutine, l->ptr, l->len, &m)) {
        start_goroutine(s, &m, l);
        return CS_X_MORE;
    }
    if (n == 0) return CS_X_MORE;
    if (cs_regex_match(re_signal, l->ptr, l->len, &m)) {
        const char *g;
        size_t gn;
        if (cs_match_group(&m, 1, &g, &gn)) {
            char *sig = cs_xasprintf("[signal %.*s]", (int)gn, g);
            append_headline(s, sig, strlen(sig));
            free(sig);
        }
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "runtime stack:")) {
        add_runtime_stack(s);
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "running tests:")) {
        s->phase = RUNNING_TESTS;
        return CS_X_MORE;
    }
    if (cs_regex_match(re_tail, p, n, NULL)) return CS_X_REJECT;
    if (s->cur < 0 && !has_frames(s->t) && kernel_debugger_line(p, n)) {
        s->gave_up = true;
        return CS_X_REJECT;
    }
    /* Nested panics, "[recovered]" re-panics, PC= lines of signal dumps, and
     * the continuation of a multi-line panic value. */
    if (++s->head_lines > 16) return CS_X_REJECT;
    return CS_X_MORE;
}

static int feed_dump(st *s, const cs_xline *l)
{
    cs_match m;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_thread *th = cur(s);
    if (n == 0 || (n == 1 && p[0] == '\r')) {
        s->want_file = s->want_created_file = false;
        return CS_X_MORE;
    }
    /* A file line is indented; copied out of some viewers (and some log
     * collectors) it lost its tab: then it must at least be a path. */
    bool indented = p[0] == '\t' || p[0] == ' ';
    if ((indented || (n > 4 &&
                      (p[0] == '/' || (p[1] == ':' && (p[2] == '\\' || p[2] == '/')) ||
                       memmem(p, n, ".go:", 4)) &&
                      p[n - 1] != ')')) &&
        (s->want_file || s->want_created_file)) {
        cs_frame *f = NULL;
        if (th && s->want_file && th->n_frames && !s->drop_file) f = &th->frames[th->n_frames - 1];
        if (th && s->want_created_file) f = th->created_by;
        s->want_file = s->want_created_file = false;
        if (f && cs_go_parse_fileline(p, n, f)) {
            s->after_file = true;
            return CS_X_MORE;
        }
        if (!f) return CS_X_MORE;
    }
    /* A file line wrapped at a fixed width inside its trailing hex
     * ("sp=0xc8260edd9" / "8"): the rest stands alone on the next line. */
    bool after_file = s->after_file;
    s->after_file = false;
    if (after_file && n <= 16) {
        size_t i = 0;
        while (i < n && (cs_xis_hex(p[i]) || p[i] == 'x'))
            i++;
        if (i == n) return CS_X_MORE;
    }
    const char *q = p;
    size_t qn = n;
    cs_xtrim(&q, &qn);
    if (cs_regex_match(re_goroutine, p, n, &m)) {
        start_goroutine(s, &m, l);
        return CS_X_MORE;
    }
    /* "...additional frames elided..."; Go 1.21+: "...44739049 frames elided..." */
    if (cs_starts_with(q, qn, "...") && qn > 20 &&
        memcmp(q + qn - 17, " frames elided...", 17) == 0) {
        if (th) th->elided = true;
        return CS_X_MORE;
    }
    if (cs_starts_with(q, qn, "goroutine running on other thread") ||
        cs_starts_with(q, qn, "stack unavailable")) {
        if (th && !th->state) th->state = cs_xstrndup(q, qn);
        return CS_X_MORE;
    }
    if (cs_starts_with(q, qn, "runtime stack:")) {
        add_runtime_stack(s);
        return CS_X_MORE;
    }
    /* Two goroutines that both caught a concurrent map write each print
     * the header; the second can land inside the first one's dump. */
    if (s->t->headline && strlen(s->t->headline) == qn && memcmp(s->t->headline, q, qn) == 0)
        return CS_X_MORE;
    if (cs_regex_match(re_created, q, qn, &m)) {
        if (th && !th->created_by) {
            th->created_by = cs_xcalloc(1, sizeof *th->created_by);
            th->created_by->function = cs_match_dup(&m, 1);
            th->created_by_id = cs_match_num(&m, 2, -1);
            s->want_created_file = true;
        }
        /* A dropped goroutine's creator: its file line is read and dropped. */
        if (!th) s->want_created_file = true;
        return CS_X_MORE;
    }
    if (p[0] != '\t' && p[0] != ' ' && cs_regex_match(re_tail, p, n, NULL)) return CS_X_REJECT;
    cs_frame tmp = {0};
    if (cs_go_parse_func(p, n, &tmp)) {
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f)
            *f = tmp;
        else
            cs_frame_dispose(&tmp);
        /* Also for a frame past CS_MAX_FRAMES or of a goroutine past
         * CS_MAX_THREADS: its file line is then read and dropped, rather
         * than ending the dump there. */
        s->want_file = true;
        s->drop_file = f == NULL;
        return CS_X_MORE;
    }
    /* A frame line cut inside its arguments: its name is whole. */
    if (!s->want_file && cs_regex_match(re_cut_func, p, n, &m) && memchr(p, '.', n)) {
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f) f->function = cs_match_dup(&m, 1);
        s->want_file = true;
        s->drop_file = f == NULL;
        return CS_X_MORE;
    }
    /* Register dumps after GOTRACEBACK=crash ("rax    0x0") and anything
     * else end the trace. */
    return CS_X_REJECT;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    if (s->phase == RUNNING_TESTS) {
        cs_match m;
        if (l->len && cs_regex_match(re_running_test, l->ptr, l->len, &m)) {
            if (!s->running_test) s->running_test = cs_match_dup(&m, 1);
            return CS_X_MORE;
        }
        s->phase = HEAD;
    }
    int r = s->phase == HEAD ? feed_head(s, l) : feed_dump(s, l);
    /* Trailing blank lines are not part of the trace. */
    if (r != CS_X_REJECT && cs_xindent(l->ptr, l->len) < l->len) s->t->line_end = l->no;
    return r;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    cs_trace *t = s->t;
    /* A headless dump needs two frames with their file lines: fewer is a
     * log line quoting a call. */
    size_t placed = 0;
    if (s->headless && t->n_threads)
        for (size_t k = 0; k < t->threads[0].n_frames; k++)
            placed += t->threads[0].frames[k].file != NULL;
    if (!has_frames(t) || (s->headless && placed < 2)) {
        /* "panic: x" with no goroutine is prose quoting a panic, or a
         * GOTRACEBACK=none run: nothing to group on either way. */
        if (s->gave_up && t->headline)
            cs_xctx_hand_off(x, t->line_start, t->headline, strlen(t->headline));
        cs_trace_free(t);
    } else {
        if (eof && s->want_file) t->truncated = true;
        cs_match m;
        if (s->running_test) {
            t->test = s->running_test;
            s->running_test = NULL;
        } else {
            cs_go_test_from_frames(t);
        }
        if (!t->test && t->headline &&
            cs_regex_match(re_after_test, t->headline, strlen(t->headline), &m))
            t->test = cs_match_dup(&m, 1);
        cs_xctx_emit(x, t);
    }
    free(s->running_test);
    free(s);
}

const cs_dialect cs_dialect_go = {
    .name = "go",
    .patterns = patterns,
    /* Headless dumps start at a frame: any lower-case package name. */
    .first_chars = "abcdefghijklmnopqrstuvwxyzS",
    .start = start,
    .feed = feed,
    .finish = finish,
    /* A dump of 1,000,000 goroutines is one trace (goroutines past
     * CS_MAX_THREADS counted, not kept): every line of it is a goroutine
     * header, a frame, a file line or a blank, anything else ends it. */
    .max_lines = 20000000,
};

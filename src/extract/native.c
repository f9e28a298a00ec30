/* native.c - what a crashing native program and its shell leave in a log.
 *
 * Grammar (glibc assert/assert.c, debug/fortify_fail.c, libstdc++
 * vterminate.cc, bash jobs.c):
 *   prog: file.c:12: func: Assertion `x' failed.       one frame: func, file:line
 *   *** stack smashing detected ***: terminated        (also "buffer overflow")
 *   free(): double free detected in tcache 2           glibc malloc checks
 *   terminate called after throwing an instance of 'std::runtime_error'
 *     what():  msg
 *   bash: line 1: 1234 Segmentation fault      (core dumped) ./prog
 *   Segmentation fault (core dumped)                   Aborted (core dumped)
 *   *** Error in `./prog': free(): invalid pointer: 0x0000000001a2b010 ***
 *   ======= Backtrace: =========                       glibc < 2.26 malloc
 *   /lib/x86_64-linux-gnu/libc.so.6(+0x777e5)[0x7f..]   checks and backtrace_
 *   ./prog(main+0x2a)[0x4005d6]   ./prog[0x400499]      symbols_fd() output
 *   ======= Memory map: ========                       then /proc/self/maps
 * These carry few or no frames: a trace may be only a headline, so only
 * these exact, anchored forms start one. The shell's line right after the
 * message belongs to the same crash. Every line is probed (no first
 * character rules them all), so start() runs memmem on a literal anchor
 * before any regex. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_assert, *re_fortify, *re_malloc, *re_terminate, *re_what, *re_shell,
    *re_glibc_error, *re_bt_frame, *re_map_line;

#define BACKTRACE_HEADER "======= Backtrace: ========="
#define MEMORY_MAP_HEADER "======= Memory map: ========"

static const cs_xpattern patterns[] = {
    {&re_assert, "^(\\S+): (\\S+?):(\\d+): (.+?): (Assertion `.*' failed\\.)$"},
    {&re_fortify, "^\\*\\*\\* ([a-z][a-z ]+) \\*\\*\\*:? \\S.*$"},
    {&re_malloc, "^(?:free|malloc|realloc|calloc|munmap_chunk|malloc_consolidate|"
                 "_int_free|_int_malloc|double free or corruption)(?:\\(\\))?: [a-z].*$"},
    {&re_terminate, "^terminate called (?:after throwing an instance of '(.+)'|"
                    "without an active exception|recursively)$"},
    {&re_what, "^\\s+what\\(\\):\\s+(.*)$"},
    /* bash: "bash: line 1: 1234 Segmentation fault      (core dumped) ./prog",
     * "./ci.sh: line 3:  99 Aborted  ./prog", dash: "sh: 1: ./prog: ...";
     * interactive: "Segmentation fault (core dumped)". */
    {&re_shell, "^(?:(?:\\S+: )?line \\d+: +\\d+ +)?"
                "(Segmentation fault|Aborted|Bus error|Illegal instruction|"
                "Floating point exception|Trace/breakpoint trap|Killed)"
                "( +\\(core dumped\\))?(?: +(\\S.*))?$"},
    {&re_glibc_error, "^\\*\\*\\* Error in [`'](.*)': (.+?)(?:: 0x[0-9a-f]+)? \\*\\*\\*$"},
    /* backtrace_symbols: "module(symbol+0xoff)[0xaddr]", "module(+0xoff)[..]",
     * "module[0xaddr]", "[0xaddr]". */
    {&re_bt_frame, "^(\\S*?)(?:\\(([^()+\\s]*)(?:\\+0x([0-9a-f]+))?\\))?\\[0x([0-9a-f]+)\\]$"},
    {&re_map_line, "^[0-9a-f]+-[0-9a-f]+ [-r][-w][-x][-sp] [0-9a-f]+ "},
    {0},
};

enum { GLIBC_NONE, GLIBC_HEADER, GLIBC_FRAMES, GLIBC_MAP };

typedef struct st {
    cs_trace *t;
    bool shell;     /* the shell's report was seen: nothing follows */
    bool want_what; /* terminate: its what() line may follow */
    int glibc;      /* where in glibc's abort report */
} st;

static bool is_signal_word(const char *p, size_t n)
{
    static const char *const words[] = {"Segmentation fault", "Aborted", "Bus error",
                                        "Illegal instruction", "Floating point exception"};
    if (n < 7 || n > 24) return false; /* "Aborted" .. "Floating point exception" */
    for (size_t i = 0; i < CS_ARRAY_LEN(words); i++)
        if (n == strlen(words[i]) && memcmp(p, words[i], n) == 0) return true;
    return false;
}

/* The shell's report: a headline of its own, or a note on the crash. */
static bool shell_line(const char *p, size_t n, cs_match *m)
{
    /* re_shell is anchored: the line starts with the signal's words, or
     * with "line N:" after at most one "word: ". Checking that first keeps
     * this probe off the many lines that merely hold a '(' or a ':'. */
    bool anchor = is_signal_word(p, n) ||
                  ((p[0] == 'S' || p[0] == 'A' || p[0] == 'B' || p[0] == 'I' || p[0] == 'F' ||
                    p[0] == 'T' || p[0] == 'K') &&
                   cs_memmem(p, n, "(core dumped)", 13)) ||
                  cs_starts_with(p, n, "line ") || cs_memmem(p, n, ": line ", 7);
    return anchor && cs_regex_match(re_shell, p, n, m);
}

static cs_thread *crashed(cs_trace *t)
{
    return t->n_threads ? &t->threads[0] : cs_trace_add_thread(t, CS_ROLE_CRASHED);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (n < 7 || p[0] == ' ' || p[0] == '\t') return NULL;
    cs_trace *t = NULL;
    st *s;
    int glibc = GLIBC_NONE;
    if (cs_memmem(p, n, "Assertion `", 11) && cs_regex_match(re_assert, p, n, &m)) {
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        t->headline = cs_match_dup(&m, 5);
        cs_thread *th = crashed(t);
        th->name = cs_match_dup(&m, 1);
        cs_frame *f = cs_thread_add_frame(th);
        f->module = cs_match_dup(&m, 1);
        f->file = cs_match_dup(&m, 2);
        f->line = (int)cs_match_num(&m, 3, 0);
        f->function = cs_match_dup(&m, 4);
    } else if (p[0] == '*' && cs_starts_with(p, n, "*** ") &&
               cs_regex_match(re_fortify, p, n, &m)) {
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        t->headline = cs_xstrndup(p, n);
    } else if ((p[0] == 'f' || p[0] == 'm' || p[0] == 'r' || p[0] == 'c' || p[0] == '_' ||
                p[0] == 'd') &&
               cs_memmem(p, n, ": ", 2) && cs_regex_match(re_malloc, p, n, &m)) {
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        t->headline = cs_xstrndup(p, n);
    } else if (p[0] == 't' && cs_starts_with(p, n, "terminate called") &&
               cs_regex_match(re_terminate, p, n, &m)) {
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        t->headline = cs_xstrndup(p, n);
        cs_thread *th = crashed(t);
        th->state = cs_match_dup(&m, 1); /* the exception type */
        s = cs_xcalloc(1, sizeof *s);
        s->t = t;
        s->want_what = th->state != NULL;
        t->line_end = l->no;
        return s;
    } else if (shell_line(p, n, &m)) {
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        const char *g;
        size_t gn;
        cs_match_group(&m, 1, &g, &gn);
        const char *cd;
        size_t cdn;
        t->headline = cs_match_group(&m, 2, &cd, &cdn)
                          ? cs_xasprintf("%.*s (core dumped)", (int)gn, g)
                          : cs_xstrndup(g, gn);
        char *prog = cs_match_dup(&m, 3);
        if (prog) crashed(t)->name = prog;
        s = cs_xcalloc(1, sizeof *s);
        s->t = t;
        s->shell = true;
        t->line_end = l->no;
        return s;
    } else if (p[0] == '*' && cs_starts_with(p, n, "*** Error in ") &&
               cs_regex_match(re_glibc_error, p, n, &m)) {
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        t->headline = cs_match_dup(&m, 2);
        crashed(t)->name = cs_match_dup(&m, 1);
        glibc = GLIBC_HEADER;
    } else if (p[0] == '=' && cs_starts_with(p, n, BACKTRACE_HEADER)) {
        /* The excerpt starts below the "*** Error in" line. */
        t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
        t->headline = cs_xstrdup("glibc backtrace");
        glibc = GLIBC_FRAMES;
    }
    if (!t) return NULL;
    t->line_end = l->no;
    s = cs_xcalloc(1, sizeof *s);
    s->t = t;
    s->glibc = glibc;
    return s;
}

static void add_bt_frame(st *s, const cs_match *m)
{
    cs_thread *th = crashed(s->t);
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (!f) return;
    const char *g;
    size_t gn;
    if (cs_match_group(m, 1, &g, &gn) && gn) f->module = cs_xstrndup(g, gn);
    bool sym = cs_match_group(m, 2, &g, &gn) && gn;
    if (sym) f->function = cs_xstrndup(g, gn);
    /* "(+0x7eb96)": an offset in the module; "(f+0x15)" is one in f. */
    if (!sym && cs_match_group(m, 3, &g, &gn) && gn) {
        f->offset = cs_xhex(g, gn);
        f->has_offset = true;
    }
    cs_match_group(m, 4, &g, &gn);
    f->pc = cs_xhex(g, gn);
    f->has_pc = true;
    /* backtrace() returns return addresses, its own caller's first. */
    f->pc_is_return = th->n_frames > 1;
}

/* glibc's report after its "*** Error in" line: the backtrace, then the
 * memory map; both blocks optional (glibc prints them only to a tty). */
static int feed_glibc(st *s, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (s->glibc == GLIBC_HEADER) {
        if (!cs_starts_with(p, n, BACKTRACE_HEADER)) return CS_X_REJECT;
        s->glibc = GLIBC_FRAMES;
    } else if (cs_starts_with(p, n, MEMORY_MAP_HEADER)) {
        s->glibc = GLIBC_MAP;
    } else if (s->glibc == GLIBC_FRAMES && n && p[n - 1] == ']' &&
               cs_regex_match(re_bt_frame, p, n, &m)) {
        add_bt_frame(s, &m);
    } else if (s->glibc != GLIBC_MAP || !cs_regex_match(re_map_line, p, n, NULL)) {
        return CS_X_REJECT;
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    cs_match m;
    if (s->glibc) {
        int r = feed_glibc(s, l);
        if (r != CS_X_REJECT) return r;
        s->glibc = GLIBC_NONE; /* the shell's line may follow */
    }
    if (s->want_what && cs_regex_match(re_what, l->ptr, l->len, &m)) {
        s->want_what = false;
        const char *g;
        size_t gn;
        cs_match_group(&m, 1, &g, &gn);
        /* "terminate called after throwing an instance of 'T'" + ": msg" */
        char *h = cs_xasprintf("%s: %.*s", s->t->headline, (int)gn, g);
        free(s->t->headline);
        s->t->headline = h;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    s->want_what = false;
    if (!s->shell && l->len && shell_line(l->ptr, l->len, &m)) {
        /* The shell names the program and the signal of this same crash. */
        s->shell = true;
        cs_thread *th = crashed(s->t);
        if (!th->name) th->name = cs_match_dup(&m, 3);
        if (!th->state) {
            const char *g;
            size_t gn;
            cs_match_group(&m, 1, &g, &gn);
            th->state = cs_xstrndup(g, gn);
        }
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    return CS_X_REJECT;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    cs_xctx_emit(x, s->t);
    free(s);
}

const cs_dialect cs_dialect_native = {
    .name = "native",
    .patterns = patterns,
    .first_chars = NULL,
    /* Each way start() takes a line needs one: every re_malloc name holds
     * "free", "alloc" or "munmap_chunk"; re_shell needs a signal's words;
     * glibc's backtrace may come without its "*** Error in" line. */
    .literals =
        (const char *const[]){"Assertion `", "*** ", "======= Backtrace", "free", "alloc",
                              "munmap_chunk", "terminate called", "Segmentation fault", "Aborted",
                              "Bus error", "Illegal instruction", "Floating point exception",
                              "Trace/breakpoint trap", "Killed", NULL},
    .start = start,
    .feed = feed,
    .finish = finish,
};

/* gdb.c - gdb backtraces: bt, bt full, thread apply all bt [full].
 *
 * Grammar (gdb/stack.c print_frame, gdb/thread.c):
 *   Program received signal SIGSEGV, Segmentation fault.      live process
 *   Thread 4 "name" received signal SIGSEGV, Segmentation fault.
 *   Program terminated with signal SIGSEGV, Segmentation fault.  a core
 *   [Switching to Thread 0x7f.. (LWP 27216)]   [Current thread is 1 (...)]
 *   Thread 3 (Thread 0x7f... (LWP 1234) "name"):   one cs_thread each
 *   Thread 11 (Thread 19965):  /  Thread 2 (LWP 99):
 *   #0  0x000055.. in func (args...) at file.c:12
 *   #1  func (a=1) at x.c:3                 no address: inline (or pc at a line)
 *   #3  0x... in ?? ()    #4  0x... in foo () from /lib/libc.so.6
 *   #5  <signal handler called>
 *   Long frames wrap: the argument list goes on over indented lines and
 *   "    at file.c:12" / "    from lib.so" may stand on a line of their own.
 *   bt full: indented "name = value" lines, "No locals.",
 *   "No symbol table info available."; "Backtrace stopped: ...".
 * A stop without a bt: the frame gdb prints under the signal line is the
 * trace ("0x.. in func (args)", wrapped "    at file.c:12", or "func (args)
 * at file.c:12" when it stopped on a line). A "..." line inside a bt is the
 * reporter's elision: the frames go on after it.
 * Frames without a "Thread N" header (a plain "bt", or the frame gdb prints
 * under the signal line) are threads without a number. When numbered threads
 * follow, those are duplicates of the current thread and only help to find
 * it: the crashed thread is the one gdb names (received signal, Switching to,
 * Current thread is), else the one whose top frame is the frame printed
 * under the signal line, else the one with "<signal handler called>", else
 * thread 1 of a core, else the first. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

static cs_regex *re_signal, *re_thread, *re_frame, *re_current, *re_lwp, *re_oldtid;

/* Lines between the signal line and the first frame. */
#define MAX_HEAD_LINES 16
/* One wrapped frame: lines and bytes. */
#define MAX_FRAME_LINES 32
#define MAX_FRAME_BYTES 16384

static const cs_xpattern patterns[] = {
    {&re_signal, "^(?:Program|Thread (\\d+)(?: \"[^\"]*\")?) (received|terminated with) "
                 "signal (\\S+?),? ?(.*)$"},
    {&re_thread, "^Thread (\\d+) \\((.*)\\):\\s*$"},
    {&re_frame, "^#(\\d+) +(\\S.*)$"},
    {&re_current, "^\\[Current thread is (\\d+) "},
    {&re_lwp, "\\(LWP (\\d+)\\)"},
    {&re_oldtid, "^Thread (\\d+)$"},
    {0},
};

enum { HEAD, BODY };

typedef struct st {
    cs_trace *t;
    int phase;
    int head_lines;
    long cur;
    long long *lwp; /* per thread, -1 unknown */
    size_t n_lwp, cap_lwp;
    long long crash_num, crash_lwp;
    bool core;           /* "Program terminated": thread 1 took the signal */
    bool after_sigframe; /* the last frame was <signal handler called> */
    /* A frame whose text may go on over the next lines. */
    char *fbuf;
    size_t flen, fcap;
    int flines;
    int fno;
    bool pending;
} st;

static cs_thread *cur(st *s)
{
    return s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
}

static void new_thread(st *s, long long num, long long lwp)
{
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_OTHER);
    s->cur = th ? (long)(th - s->t->threads) : -1;
    s->after_sigframe = false;
    if (!th) return;
    th->id = num;
    *CS_PUSH(s->lwp, s->n_lwp, s->cap_lwp) = lwp;
}

/* Depth of parentheses in p[0..n), ignoring quoted strings and chars;
 * `open_at` gets the first '(' at depth 0 preceded by a blank (the argument
 * list; "operator()" has none), or n. */
static int paren_depth(const char *p, size_t n, size_t *open_at, size_t *close_at)
{
    int depth = 0, angle = 0;
    char q = 0;
    *open_at = *close_at = n;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (q) {
            if (c == '\\')
                i++;
            else if (c == q)
                q = 0;
            continue;
        }
        if ((c == '"' || c == '\'') && *open_at < n)
            q = c;
        else if (c == '<' && *open_at == n)
            angle++;
        else if (c == '>' && *open_at == n && angle > 0)
            angle--;
        else if (c == '(') {
            if (depth == 0 && angle == 0 && *open_at == n && i > 0 && p[i - 1] == ' ') *open_at = i;
            if (*open_at < n || depth > 0) depth++;
        } else if (c == ')' && depth > 0) {
            if (--depth == 0 && *close_at == n && *open_at < n) *close_at = i;
        }
    }
    return depth;
}

/* Parses "0x.. in func (args) at file:line" / "func (args) from lib". */
static void parse_frame(st *s, const char *p, size_t n, int no)
{
    cs_thread *th = cur(s);
    if (!th || (no == 0 && th->n_frames)) {
        new_thread(s, -1, -1);
        th = cur(s);
    }
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (!f) return;
    if (n > 2 && p[0] == '0' && p[1] == 'x') {
        size_t i = 2;
        while (i < n &&
               ((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
            i++;
        f->pc = cs_xhex(p + 2, i - 2);
        f->has_pc = true;
        f->pc_is_return = no > 0 && !s->after_sigframe;
        if (cs_starts_with(p + i, n - i, " in ")) i += 4;
        p += i;
        n -= i;
    } else if (no > 0) {
        f->inlined = !cs_starts_with(p, n, "<signal handler called>");
    }
    if (cs_starts_with(p, n, "<signal handler called>")) {
        f->function = cs_xstrdup("<signal handler called>");
        f->inlined = false;
        s->after_sigframe = true;
        return;
    }
    s->after_sigframe = false;
    size_t open, close;
    paren_depth(p, n, &open, &close);
    size_t fn = open < n ? open - 1 : n;
    const char *rest = close < n ? p + close + 1 : p + n;
    size_t rn = (size_t)(p + n - rest);
    if (open == n) {
        /* No argument list: "func at file:line" never happens, but be safe. */
        const char *a = cs_memmem(p, n, " at ", 4);
        const char *fr = cs_memmem(p, n, " from ", 6);
        const char *e = a ? a : fr;
        fn = e ? (size_t)(e - p) : n;
        rest = p + fn;
        rn = n - fn;
    }
    while (fn && p[fn - 1] == ' ')
        fn--;
    f->function = cs_xstrndup(p, fn);
    cs_xtrim(&rest, &rn);
    if (cs_starts_with(rest, rn, "at ")) {
        if (!cs_xparse_fileline(rest + 3, rn - 3, f)) {
            const char *r = rest + 3;
            size_t k = rn - 3;
            cs_xtrim(&r, &k);
            f->file = cs_xstrndup(r, k);
        }
    } else if (cs_starts_with(rest, rn, "from ")) {
        const char *r = rest + 5;
        size_t k = rn - 5;
        cs_xtrim(&r, &k);
        f->module = cs_xstrndup(r, k);
    }
}

static void flush_frame(st *s)
{
    if (!s->pending) return;
    s->pending = false;
    parse_frame(s, s->fbuf, s->flen, s->fno);
}

static void append_frame(st *s, const char *p, size_t n, bool sep)
{
    if (s->flen + n + 2 > MAX_FRAME_BYTES) return;
    if (s->flen + n + 2 > s->fcap) {
        s->fcap = s->flen + n + 2 > 256 ? s->flen + n + 2 : 256;
        s->fbuf = cs_xrealloc(s->fbuf, s->fcap);
    }
    if (sep) s->fbuf[s->flen++] = ' ';
    memcpy(s->fbuf + s->flen, p, n);
    s->flen += n;
}

static bool frame_complete(st *s)
{
    size_t o, c;
    return paren_depth(s->fbuf, s->flen, &o, &c) == 0;
}

static void begin_frame(st *s, const cs_match *m)
{
    const char *g;
    size_t gn;
    cs_match_group(m, 2, &g, &gn);
    s->flen = 0;
    s->flines = 1;
    s->fno = (int)cs_match_num(m, 1, 0);
    append_frame(s, g, gn, false);
    s->pending = true;
}

static void on_signal(st *s, const cs_match *m, const char *p, size_t n)
{
    if (!s->t->headline) s->t->headline = cs_xstrndup(p, n);
    s->crash_num = cs_match_num(m, 1, s->crash_num);
    const char *g;
    size_t gn;
    if (cs_match_group(m, 2, &g, &gn) && g[0] == 't') s->core = true;
}

static void on_thread_header(st *s, const cs_match *m, const char *p, size_t n)
{
    cs_match lm;
    long long lwp = -1;
    const char *g;
    size_t gn;
    cs_match_group(m, 2, &g, &gn);
    if (cs_regex_match(re_lwp, g, gn, &lm))
        lwp = cs_match_num(&lm, 1, -1);
    else if (cs_regex_match(re_oldtid, g, gn, &lm))
        lwp = cs_match_num(&lm, 1, -1);
    new_thread(s, cs_match_num(m, 1, -1), lwp);
    cs_thread *th = cur(s);
    if (!th) return;
    cs_xtrim(&p, &n);
    th->label = cs_xstrndup(p, n);
    if (n && p[n - 1] == ':') n--;
    th->name = cs_xstrndup(p, n);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    if (n < 4 || p[0] == ' ' || p[0] == '\t') return NULL;
    st *s = NULL;
    int kind = 0;
    if (p[0] == '#') {
        /* gdb's shape, "func (args)": eu-stack ("#0  0x.. raise") and
         * kernel debuggers ("#0  witness_lock+0x52e") print no arguments. */
        if (p[1] == '0' && p[2] == ' ' && p[3] == ' ' && cs_memmem(p, n, " (", 2) &&
            cs_regex_match(re_frame, p, n, &m))
            kind = 1;
    } else if (p[0] == 'T' && cs_starts_with(p, n, "Thread ")) {
        if (cs_regex_match(re_thread, p, n, &m))
            kind = 2;
        else if (cs_regex_match(re_signal, p, n, &m))
            kind = 3;
    } else if (p[0] == 'P' && cs_starts_with(p, n, "Program ")) {
        if (cs_regex_match(re_signal, p, n, &m)) kind = 3;
    } else if (p[0] == 'C' && cs_starts_with(p, n, "Core was generated by ")) {
        kind = 4;
    }
    if (!kind) return NULL;
    s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_GDB, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->cur = -1;
    s->crash_num = s->crash_lwp = -1;
    s->phase = kind <= 2 ? BODY : HEAD;
    if (kind == 1)
        begin_frame(s, &m);
    else if (kind == 2)
        on_thread_header(s, &m, p, n);
    else if (kind == 3)
        on_signal(s, &m, p, n);
    return s;
}

/* What gdb prints between the signal line and the backtrace: its notes, the
 * current frame and its source line. Anything else is not ours. */
static bool head_line(const char *p, size_t n)
{
    static const char *const notes[] = {
        "(gdb)", "Using host", "warning: ", "Reading symbols", "Core was generated", "Download",
        "0x",    "\t",         "    "};
    for (size_t i = 0; i < CS_ARRAY_LEN(notes); i++)
        if (cs_starts_with(p, n, notes[i])) return true;
    size_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i && i < n && p[i] == '\t') return true;
    return cs_memmem(p, n, " (", 2) &&
           (p[n - 1] == ')' || cs_memmem(p, n, ") at ", 5) || cs_memmem(p, n, ") from ", 7));
}

/* The frame gdb prints where it stopped: "0x.. in func (args)" or, at a
 * source line, "func (args) at file:line". */
static bool stop_frame(const char *p, size_t n)
{
    if (cs_starts_with(p, n, "0x")) {
        size_t i = 2;
        while (i < n && cs_xis_hex(p[i]))
            i++;
        return i > 2 && cs_starts_with(p + i, n - i, " in ");
    }
    if (!(p[0] == '_' || ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))) return false;
    return cs_memmem(p, n, ") at ", 5) || cs_memmem(p, n, ") from ", 7);
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    size_t ind = cs_xindent(p, n);
    if (s->pending && ind == n) {
        flush_frame(s);
    } else if (s->pending) {
        const char *q = p + ind;
        size_t qn = n - ind;
        bool more = !frame_complete(s);
        bool tail = ind > 0 && (cs_starts_with(q, qn, "at ") || cs_starts_with(q, qn, "from "));
        if ((more || tail) && ind > 0 && s->flines < MAX_FRAME_LINES) {
            append_frame(s, q, qn, true);
            s->flines++;
            s->t->line_end = l->no;
            if (tail) flush_frame(s);
            return CS_X_MORE;
        }
        flush_frame(s);
    }
    if (ind == n) return CS_X_MORE; /* blank lines separate threads */
    if (p[0] == '#' && cs_regex_match(re_frame, p, n, &m)) {
        begin_frame(s, &m);
        s->phase = BODY;
    } else if (p[0] == 'T' && cs_regex_match(re_thread, p, n, &m)) {
        on_thread_header(s, &m, p, n);
        s->phase = BODY;
    } else if ((p[0] == 'T' || p[0] == 'P') && cs_regex_match(re_signal, p, n, &m)) {
        on_signal(s, &m, p, n);
    } else if (p[0] == '[') {
        /* [Switching to Thread ..], [Current thread is N ..], [New Thread ..],
         * [Thread debugging using libthread_db enabled], [Inferior 1 exited] */
        if (cs_regex_match(re_current, p, n, &m))
            s->crash_num = cs_match_num(&m, 1, -1);
        else if (cs_starts_with(p, n, "[Switching to ") && cs_regex_match(re_lwp, p, n, &m))
            s->crash_lwp = cs_match_num(&m, 1, -1);
        else if (s->phase == BODY && !cs_starts_with(p, n, "[Inferior ") &&
                 !cs_starts_with(p, n, "[Thread ") && !cs_starts_with(p, n, "[New ") &&
                 !(n > 1 && p[n - 1] == ']'))
            return CS_X_REJECT;
        return CS_X_MORE;
    } else if (s->phase == BODY) {
        if (ind > 0) return CS_X_MORE; /* bt full locals, "in file" source notes */
        if (cs_starts_with(p, n, "...")) {
            if (cur(s)) cur(s)->elided = true;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        if (cs_starts_with(p, n, "No locals.") || cs_starts_with(p, n, "No symbol table info") ||
            cs_starts_with(p, n, "Backtrace stopped:") ||
            cs_starts_with(p, n, "(More stack frames") || cs_starts_with(p, n, "(gdb) ")) {
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        if (p[0] >= '0' && p[0] <= '9') {
            /* "42\t../nptl/pt-raise.c: No such file or directory." */
            size_t i = 0;
            while (i < n && p[i] >= '0' && p[i] <= '9')
                i++;
            if (i < n && (p[i] == '\t' || p[i] == ' ')) return CS_X_MORE;
        }
        return CS_X_REJECT;
    } else if (++s->head_lines > MAX_HEAD_LINES || !head_line(p, n)) {
        return CS_X_REJECT;
    } else if (s->t->n_threads == 0 && stop_frame(p, n)) {
        s->flen = 0;
        s->flines = 1;
        s->fno = 0;
        append_frame(s, p, n, false);
        s->pending = true;
    }
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static bool same_top(const cs_thread *a, const cs_thread *b, bool by_pc)
{
    if (!a->n_frames || !b->n_frames) return false;
    const cs_frame *x = &a->frames[0], *y = &b->frames[0];
    if (by_pc) return x->has_pc && y->has_pc && x->pc == y->pc;
    return x->function && y->function && strcmp(x->function, y->function) == 0;
}

static long pick_crash(st *s, size_t *n_hint)
{
    cs_trace *t = s->t;
    size_t n = t->n_threads;
    *n_hint = 0;
    /* Unnumbered threads before the first numbered one (or the first of
     * several unnumbered ones) only print the current thread again. */
    size_t first_num = n;
    for (size_t i = 0; i < n; i++)
        if (t->threads[i].id >= 0) {
            first_num = i;
            break;
        }
    if (first_num < n)
        *n_hint = first_num;
    else if (n > 1 && t->threads[0].n_frames <= 2)
        *n_hint = 1;
    for (size_t i = *n_hint; i < n; i++) {
        if (s->crash_num >= 0 && t->threads[i].id == s->crash_num) return (long)i;
        if (s->crash_num < 0 && s->crash_lwp >= 0 && i < s->n_lwp && s->lwp[i] == s->crash_lwp)
            return (long)i;
    }
    for (int by_pc = 1; by_pc >= 0; by_pc--)
        for (size_t h = 0; h < *n_hint; h++)
            for (size_t i = *n_hint; i < n; i++)
                if (same_top(&t->threads[h], &t->threads[i], by_pc)) return (long)i;
    for (size_t i = *n_hint; i < n; i++)
        for (size_t k = 0; k < t->threads[i].n_frames; k++) {
            const char *fn = t->threads[i].frames[k].function;
            if (fn && strcmp(fn, "<signal handler called>") == 0) return (long)i;
        }
    if (s->core)
        for (size_t i = *n_hint; i < n; i++)
            if (t->threads[i].id == 1) return (long)i;
    return *n_hint < n ? (long)*n_hint : -1;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    flush_frame(s);
    cs_trace *t = s->t;
    size_t n_hint;
    long crash = pick_crash(s, &n_hint);
    if (crash >= 0) t->threads[crash].role = CS_ROLE_CRASHED;
    /* Drop the hint threads. */
    if (n_hint && n_hint < t->n_threads) {
        for (size_t i = 0; i < n_hint; i++)
            cs_thread_dispose(&t->threads[i]);
        memmove(t->threads, t->threads + n_hint, (t->n_threads - n_hint) * sizeof *t->threads);
        t->n_threads -= n_hint;
    }
    bool frames = false;
    for (size_t i = 0; i < t->n_threads; i++) {
        cs_thread *th = &t->threads[i];
        if (th->n_frames) frames = true;
        /* "Thread 4 received signal" with a plain bt: that thread. */
        if (th->id < 0 && th->role == CS_ROLE_CRASHED && s->crash_num >= 0) th->id = s->crash_num;
        if (!th->name)
            th->name =
                th->id >= 0 ? cs_xasprintf("Thread %lld", th->id) : cs_xstrdup("current thread");
    }
    if (frames) {
        if (!t->headline) t->headline = cs_xstrdup("gdb backtrace");
        (void)eof;
        cs_xctx_emit(x, t);
    } else {
        cs_trace_free(t);
    }
    free(s->lwp);
    free(s->fbuf);
    free(s);
}

const cs_dialect cs_dialect_gdb = {
    .name = "gdb",
    .patterns = patterns,
    .first_chars = "#TPC",
    .start = start,
    .feed = feed,
    .finish = finish,
};

/* rust.c - Rust panics.
 *
 * Grammar (library/std/src/panicking.rs, backtrace.rs):
 *   thread 'main' panicked at src/main.rs:12:5:      Rust >= 1.73: the
 *   message (one or more lines)                        message follows
 *   thread 'main' panicked at 'msg', src/main.rs:12:5  older: inline, and a
 *                                                     quoted msg may span lines
 *   thread '<unnamed>' panicked ...   thread 'w' (12345) panicked ...  (>= 1.88)
 *   note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
 *   stack backtrace:
 *      0: std::panicking::begin_panic
 *                at /rustc/.../panicking.rs:12:5
 *     12:     0x55d4c... - core::panicking::panic_fmt::h0123abcd  (=full)
 *   note: Some details are omitted, run with `RUST_BACKTRACE=full` ...
 *   thread panicked while panicking. aborting.     a panic in a Drop during
 *                                                  unwinding: no message, no place
 * Fuchsia prints the backtrace as symbolizer markup: "[[[ELF module ...]]]"
 * lines, then "#N 0x... in f file:line <module>+0x..." frames.
 * Before Rust 1.42 the old layout's location had no column ("x.rs:12").
 * Without a backtrace the panic location is the only frame. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

static cs_regex *re_head, *re_old, *re_old_end, *re_loc, *re_frame, *re_at, *re_shell;

#define MAX_MESSAGE_LINES 64

static const cs_xpattern patterns[] = {
    {&re_head, "^thread '([^']*)'(?: \\((\\d+)\\))? panicked at (.*)$"},
    {&re_old, "^'(.*)', (\\S+?:\\d+(?::\\d+)?)$"},
    {&re_old_end, "^(.*)', (\\S+?:\\d+(?::\\d+)?)$"},
    {&re_loc, "^(\\S+?:\\d+:\\d+):$"},
    {&re_frame, "^\\s*(\\d+):\\s+(?:0x([0-9a-f]+) - )?(\\S.*)$"},
    {&re_at, "^\\s+at (\\S.*?)\\s*$"},
    /* The shell's report of the signal that ended the run (a panic that
     * aborts, a crash inside the backtrace printer): this same crash. */
    {&re_shell, "^(?:Segmentation fault|Aborted|Bus error|Illegal instruction|Trace/breakpoint "
                "trap)(?: +\\(core dumped\\))?(?: +\\S.*)?$"},
    {0},
};

enum { NEW_MSG, OLD_MSG, AFTER, BT };

typedef struct st {
    cs_trace *t;
    int phase;
    int msg_lines;
    cs_frame loc; /* the panic location */
    bool want_at; /* a frame line was read; its "at" line may follow */
} st;

static cs_thread *thread(st *s)
{
    return s->t->n_threads ? &s->t->threads[0] : NULL;
}

static void set_loc(st *s, const cs_match *m, int g)
{
    const char *p;
    size_t n;
    if (cs_match_group(m, g, &p, &n)) cs_xparse_fileline(p, n, &s->loc);
}

static void set_headline(st *s, const char *p, size_t n)
{
    cs_xtrim(&p, &n);
    if (s->t->headline || !n) return;
    s->t->headline = cs_xstrndup(p, n);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    cs_xtrim(&p, &n); /* a paste may indent it */
    if (cs_starts_with(p, n, "thread panicked while panicking.")) {
        st *s = cs_xcalloc(1, sizeof *s);
        s->t = cs_trace_new(CS_TK_RUST, cs_xctx_source(x), l->no);
        s->t->line_end = l->no;
        s->t->headline = cs_xstrndup(p, n);
        cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
        if (th) th->label = cs_xstrndup(p, n);
        s->phase = AFTER;
        return s;
    }
    if (n < 20 || !cs_starts_with(p, n, "thread '") || !cs_memmem(p, n, "panicked at ", 12) ||
        !cs_regex_match(re_head, p, n, &m))
        return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_RUST, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    th->name = cs_match_dup(&m, 1);
    th->id = cs_match_num(&m, 2, -1);
    th->label = cs_xstrndup(p, n);
    const char *r;
    size_t rn;
    cs_match_group(&m, 3, &r, &rn);
    cs_match sub;
    if (cs_regex_match(re_loc, r, rn, &sub)) {
        set_loc(s, &sub, 1);
        s->phase = NEW_MSG;
    } else if (cs_regex_match(re_old, r, rn, &sub)) {
        const char *g;
        size_t gn;
        cs_match_group(&sub, 1, &g, &gn);
        set_headline(s, g, gn);
        set_loc(s, &sub, 2);
        s->phase = AFTER;
    } else if (rn && r[0] == '\'') {
        set_headline(s, r + 1, rn - 1);
        s->phase = OLD_MSG;
    } else {
        /* "panicked at src/main.rs:12:5" with the message elsewhere. */
        cs_xparse_fileline(r, rn, &s->loc);
        s->phase = AFTER;
    }
    return s;
}

/* "std[e28293b1aa0f68bd]::sys::x" -> "std"; "<T as ..." -> none. */
static char *crate_of(const char *fn)
{
    size_t i = 0;
    while (fn[i] && (fn[i] == '_' || (fn[i] >= 'a' && fn[i] <= 'z') ||
                     (fn[i] >= 'A' && fn[i] <= 'Z') || (fn[i] >= '0' && fn[i] <= '9')))
        i++;
    if (i == 0) return NULL;
    size_t end = i;
    if (fn[i] == '[') {
        const char *rb = strchr(fn + i, ']');
        if (!rb) return NULL;
        i = (size_t)(rb + 1 - fn);
    }
    if (fn[i] != ':' || fn[i + 1] != ':') return NULL;
    return cs_xstrndup(fn, end);
}

static int feed_bt(st *s, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    cs_thread *th = thread(s);
    if (s->want_at && cs_regex_match(re_at, p, n, &m)) {
        cs_frame *f = th && th->n_frames ? &th->frames[th->n_frames - 1] : NULL;
        const char *g;
        size_t gn;
        cs_match_group(&m, 1, &g, &gn);
        if (f && !f->file && !cs_xparse_fileline(g, gn, f)) f->file = cs_xstrndup(g, gn);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* Fuchsia's backtrace is symbolizer markup: module lines, then
     * sanitizer-style frames ("#9 0x... in f file:line <mod>+0x..."). */
    const char *q = p;
    size_t qn = n;
    cs_xtrim(&q, &qn);
    if (cs_starts_with(q, qn, "[[[ELF module ")) {
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    cs_frame sf = {0};
    if (qn && q[0] == '#' && th && cs_san_parse_frame(q, qn, &sf)) {
        cs_frame *f = cs_thread_add_frame(th);
        if (f)
            *f = sf;
        else
            cs_frame_dispose(&sf);
        s->want_at = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_regex_match(re_frame, p, n, &m)) {
        cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
        if (f) {
            const char *g;
            size_t gn;
            if (cs_match_group(&m, 2, &g, &gn)) {
                uint64_t v = 0;
                for (size_t i = 0; i < gn && i < 16; i++)
                    v = v * 16 + (uint64_t)(g[i] <= '9' ? g[i] - '0' : g[i] - 'a' + 10);
                f->pc = v;
                f->has_pc = true;
                f->pc_is_return = th->n_frames > 1;
            }
            f->function = cs_match_dup(&m, 3);
            f->module = crate_of(f->function);
        }
        s->want_at = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "note: ") || cs_regex_match(re_shell, p, n, NULL)) {
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    return CS_X_REJECT;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    switch (s->phase) {
    case OLD_MSG:
        if (++s->msg_lines > MAX_MESSAGE_LINES) return CS_X_REJECT;
        if (cs_regex_match(re_old_end, p, n, &m)) {
            set_loc(s, &m, 2);
            s->phase = AFTER;
        }
        s->t->line_end = l->no;
        return CS_X_MORE;
    case NEW_MSG:
        if (cs_xindent(p, n) == n || cs_starts_with(p, n, "note: ") ||
            cs_starts_with(p, n, "stack backtrace:") || cs_starts_with(p, n, "thread '") ||
            ++s->msg_lines > MAX_MESSAGE_LINES) {
            s->phase = AFTER;
            break;
        }
        set_headline(s, p, n);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (s->phase == BT) return feed_bt(s, l);
    /* AFTER */
    if (cs_starts_with(p, n, "stack backtrace:")) {
        s->phase = BT;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "note: run with `RUST_BACKTRACE=") ||
        cs_regex_match(re_shell, p, n, NULL)) {
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    return CS_X_REJECT;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    cs_trace *t = s->t;
    cs_thread *th = thread(s);
    if (s->phase == OLD_MSG && eof) t->truncated = true;
    if (th && !th->n_frames && s->loc.file) {
        cs_frame *f = cs_thread_add_frame(th);
        *f = s->loc;
        memset(&s->loc, 0, sizeof s->loc);
    } else if (s->loc.file) {
        /* Above a backtrace of <unknown> or std-only frames the panic's own
         * place is the one that names the code. */
        t->location = cs_xmalloc(sizeof *t->location);
        *t->location = s->loc;
        memset(&s->loc, 0, sizeof s->loc);
    }
    cs_frame_dispose(&s->loc);
    if (!t->headline) t->headline = cs_xstrdup("panicked");
    cs_xctx_emit(x, t);
    free(s);
}

const cs_dialect cs_dialect_rust = {
    .name = "rust",
    .patterns = patterns,
    .first_chars = "t",
    .start = start,
    .feed = feed,
    .finish = finish,
};

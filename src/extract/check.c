/* check.c - assertion reports of Chromium-family code and Windows debugger
 * stacks: V8's fatal-error block, Chrome CHECK/DCHECK failures and their
 * base::debug::StackTrace, and cdb's `k` output.
 *
 * Grammar (v8/src/base/logging.cc V8_Fatal, base/logging.cc, base/debug/
 * stack_trace_posix.cc, WinDbg/cdb `k`):
 *   #                                                  V8: a block of '#' lines
 *   # Fatal error in ../../src/heap/mark-compact.h, line 54
 *   # Check failed: !IsImpossible(mark_bit).
 *   ==== C stack trace ===============================
 *    1: 0xb29b0f4                                      unsymbolized: pc only
 *    2: 0x8efa09d v8::internal::Foo() [src/foo.cc:12]
 *   Check failed: !terminated_.                        Chrome, once its "[pid:tid:..:FATAL:
 *   #0 0x7f48a3cf4141 base::debug::StackTrace::StackTrace()     file(line)]" prefix is gone
 *   ChildEBP RetAddr  / Child-SP RetAddr Call Site    cdb, then one frame a line:
 *   045cc180 77378468 ntdll!RtlReportCriticalFailure+0x83   (x64: 00000000`04deadb8 ...)
 * Frames are read until a line that is not one; a few header lines
 * (signal notes, the "C stack trace" banner) may come between the message
 * and the first frame. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

static cs_regex *re_libcxx, *re_gpu;
static cs_regex *re_pcframe, *re_logcat, *re_check, *re_v8frame, *re_chromeframe, *re_cdbframe,
    *re_logpfx, *re_macframe, *re_winframe;

/* Lines that may sit between the message and the first frame. */
#define MAX_HEAD_LINES 12

static const cs_xpattern patterns[] = {
    {&re_check, "^(?:# )?((?:Check|DCHECK|Debug check|CHECK|Security DCHECK|Security CHECK) "
                "failed: .*|Fatal error in .*|Runtime error in .*|V8 correctness failure|"
                "unreachable code|unimplemented code|"
                /* base::debug's signal handler: "Received signal 11 SEGV_MAPERR 7f6b0c580000" */
                "Received signal \\d+ [A-Z_]+(?: [0-9a-f]+)?)$"},
    {&re_v8frame, "^\\s*\\d+: 0x([0-9a-f]+)(?: (.+?))?(?: \\[([^\\]]+?):(\\d+)\\])?\\s*$"},
    {&re_chromeframe,
     "^\\s*#\\d+ 0x([0-9a-f]+) (?!in )(.+?)(?: \\[([^\\]]+?):(\\d+)(?::\\d+)?\\])?\\s*$"},
    {&re_cdbframe,
     "^(?:[0-9a-f]{2} )?[0-9a-f`]{8,17} [0-9a-f`]{8,17} (?:[0-9a-f`]{8,17} ){0,4}"
     "(?::\\s+)?([\\w.-]+)!([^+\\s]+)(?:\\+0x([0-9a-f]+))?(?: \\[(.+?) @ (\\d+)\\])?\\s*$"},
    /* The logging prefix of a fatal message, when the per-line prefix
     * learner had no neighbour to learn it from: Chrome's
     * "[pid:tid:MMDD/HHMMSS.us:FATAL:file.cc(48)] ", its short Android form
     * "[FATAL:file.cc(48)] " (after a logcat tag "F/chromium(18890): "), glog's "F0825
     * 20:46:02.589571 1115822 file.cc:16] ". Group 1: the message. A FATAL message need not be a
     * CHECK. */
    {&re_logpfx,
     "^(?:[VDIWEF]/[^(\\s]{1,40}\\(\\s*\\d+\\): )?(?:\\[[0-9:/.]*:?FATAL:[^\\]\\s]+\\(\\d+\\)\\]|"
     "F\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d+\\s+\\d+ [^\\]\\s]+:\\d+\\]) (.+)$"},
    /* macOS backtrace_symbols: "3   Content Shell Framework   0x0000000114f1 _ZN2ui..E + 79" */
    {&re_macframe, "^(?:\\d+\\s+)?(\\S.*?)\\s+0x([0-9a-f]{8,16}) (.+?) \\+ \\d+$"},
    /* Chrome on Windows: "content::Foo::Bar [0x65F254C9+313] (content\\foo.cc:133)", indented
     * by blanks that may be Unicode spaces (U+2003) */
    {&re_winframe, "^[\\s\\x{00a0}\\x{2000}-\\x{200a}]*([^\\s\\x{00a0}\\x{2000}-\\x{200a}].*?) "
                   "\\[0x([0-9A-Fa-f]+)\\+\\d+\\](?: \\((.+?):(\\d+)\\))?$"},
    /* An Android logcat tag the prefix learner left ("F/chromium(18890): "):
     * its lines are read without it. */
    /* base::debug without symbols: "[0x7f6b13882bf1]" */
    {&re_pcframe, "^\\[0x([0-9a-f]+)\\]$"},
    {&re_logcat, "^[VDIWEF]/[^(\\s]{1,40}\\(\\s*\\d+\\): "},
    /* libc++'s hardened assertions (__libcpp_verbose_abort): "FILE:LINE: assertion COND
     * failed: MSG"; a sanitizer's next line may be glued to it. Group 1: from "assertion". */
    {&re_libcxx, "^\\S+:\\d+: ?(assertion .+? failed: .+?)(?:AddressSanitizer:DEADLYSIGNAL)?\\s*$"},
    /* Chrome's browser process on its GPU child: "GPU process exited unexpectedly:
     * exit_code=N", after the logging prefix when the prefix learner left it */
    {&re_gpu, "^(?:\\[[^\\]]*\\] )?(GPU process exited unexpectedly: exit_code=-?\\d+)\\s*$"},
    {0},
};

static void drop_logcat(const char **p, size_t *n)
{
    cs_match m;
    const char *g;
    size_t gn;
    if (*n > 4 && (*p)[1] == '/' && cs_regex_match(re_logcat, *p, *n, &m) &&
        cs_match_group(&m, 0, &g, &gn)) {
        *p += gn;
        *n -= gn;
    }
}

typedef struct st {
    cs_trace *t;
    cs_thread *th;
    bool v8; /* a V8 "# Fatal error" block: a report even without frames */
    bool cdb;
    bool fatal; /* a FATAL log record: a report even when no stack follows */
    int head;   /* lines read before the first frame */
} st;

static bool cdb_header(const char *p, size_t n)
{
    return (cs_starts_with(p, n, "ChildEBP RetAddr") || cs_starts_with(p, n, "Child-SP ")) &&
           cs_memmem(p, n, "RetAddr", 7);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    drop_logcat(&p, &n);
    bool cdb = n > 15 && p[0] == 'C' && cdb_header(p, n);
    cs_match m;
    const char *g = NULL;
    size_t gn = 0;
    bool fatal = false;
    if (!cdb && n >= 12 && (p[0] == '[' || p[0] == 'F') && cs_regex_match(re_logpfx, p, n, &m) &&
        cs_match_group(&m, 1, &g, &gn)) {
        /* the message after the prefix: a CHECK's condition, or any fatal text */
        fatal = true;
        p = g;
        n = gn;
        cs_match m2;
        if (cs_regex_match(re_check, p, n, &m2) && cs_match_group(&m2, 1, &g, &gn)) p = g, n = gn;
        g = p;
        gn = n;
    }
    if (!cdb && !fatal &&
        (n < 12 || !cs_regex_match(re_check, p, n, &m) || !cs_match_group(&m, 1, &g, &gn)))
        return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->cdb = cdb;
    /* Chrome's signal handler line is a crash whether or not its stack
     * survived (unsymbolized "[0x..]" frames can be taken for a prefix). */
    s->fatal = fatal || (!cdb && cs_starts_with(g, gn, "Received signal "));
    s->v8 = !cdb && p[0] == '#';
    s->t->headline = cdb ? cs_xstrdup("Windows debugger stack (cdb)") : cs_xstrndup(g, gn);
    s->th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    return s;
}

static bool parse_frame(st *s, const char *p, size_t n, cs_frame *f)
{
    cs_match m;
    const char *g;
    size_t gn;
    if (s->cdb) {
        if (!cs_regex_match(re_cdbframe, p, n, &m)) return false;
        f->module = cs_match_dup(&m, 1);
        f->function = cs_match_dup(&m, 2);
        if (cs_match_group(&m, 3, &g, &gn)) {
            f->offset = cs_xhex(g, gn);
            f->has_offset = true;
        }
        f->file = cs_match_dup(&m, 4);
        f->line = (int)cs_match_num(&m, 5, 0);
        return true;
    }
    if (p[0] == '[' && cs_regex_match(re_pcframe, p, n, &m) && cs_match_group(&m, 1, &g, &gn)) {
        f->pc = cs_xhex(g, gn);
        f->has_pc = true;
        return true;
    }
    if (p[0] == '#' && cs_san_parse_frame(p, n, f)) {
        /* fall through to the module check below */
    } else if (p[0] != '#' && cs_memmem(p, n, " + ", 3) && cs_regex_match(re_macframe, p, n, &m)) {
        /* (a learned line-number prefix may have taken the frame number) */
        f->module = cs_match_dup(&m, 1);
        if (cs_match_group(&m, 2, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        }
        f->function = cs_match_dup(&m, 3);
        return true;
    } else if (p[0] != '#' && !(p[0] >= '0' && p[0] <= '9') &&
               cs_regex_match(re_winframe, p, n, &m)) {
        f->function = cs_match_dup(&m, 1);
        if (cs_match_group(&m, 2, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        }
        f->file = cs_match_dup(&m, 3);
        f->line = (int)cs_match_num(&m, 4, 0);
        return true;
    } else {
        if (!cs_regex_match(p[0] == '#' ? re_chromeframe : re_v8frame, p, n, &m)) return false;
        if (cs_match_group(&m, 1, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        }
        f->function = cs_match_dup(&m, 2);
        f->file = cs_match_dup(&m, 3);
        f->line = (int)cs_match_num(&m, 4, 0);
    }
    if (f->function && f->function[0] == '/') {
        /* "#0 0x7f.. /usr/lib/libx.so": a module, no symbol */
        free(f->module);
        f->module = f->function;
        f->function = NULL;
    }
    return true;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    drop_logcat(&p, &n);
    cs_xtrim(&p, &n);
    bool frames = s->th && s->th->n_frames;
    if (n == 0) return frames || (!s->v8 && !s->cdb) ? CS_X_DONE : CS_X_MORE;
    cs_frame f = {0};
    if (parse_frame(s, p, n, &f)) {
        cs_frame *slot = s->th ? cs_thread_add_frame(s->th) : NULL;
        if (slot)
            *slot = f;
        else
            cs_frame_dispose(&f);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (frames) return CS_X_REJECT;
    /* V8: a second message line replaces "Fatal error in ...". */
    cs_match m;
    const char *g;
    size_t gn;
    if (s->v8 && p[0] == '#' && cs_regex_match(re_check, p, n, &m) &&
        cs_match_group(&m, 1, &g, &gn) &&
        cs_starts_with(s->t->headline, strlen(s->t->headline), "Fatal error in")) {
        free(s->t->headline);
        s->t->headline = cs_xstrndup(g, gn);
    }
    if (++s->head > MAX_HEAD_LINES) return CS_X_REJECT;
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    if ((s->th && s->th->n_frames) || s->v8 || s->fatal)
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

/* ---- one-line reports: a child's crash told by its parent, an abort message -------- */

/* The line says a process died; a stack may follow it (the abort's, read as a
 * sanitizer's report by its own dialect). The trace is that line alone. */
static void *start_line(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    const char *g;
    size_t gn;
    /* memmem before any regex: this runs on every line */
    bool libcxx = n > 20 && cs_memmem(p, n, "assertion ", 10) && cs_memmem(p, n, " failed: ", 9) &&
                  cs_regex_match(re_libcxx, p, n, &m);
    if (!libcxx && !(n > 30 && cs_memmem(p, n, "GPU process exited unexpectedly", 31) &&
                     cs_regex_match(re_gpu, p, n, &m)))
        return NULL;
    if (!cs_match_group(&m, 1, &g, &gn)) return NULL;
    cs_trace *t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
    t->line_end = l->no;
    t->headline = cs_xstrndup(g, gn);
    cs_trace_add_thread(t, CS_ROLE_CRASHED);
    return t;
}

static int feed_line(void *state, cs_xctx *x, const cs_xline *l)
{
    (void)state, (void)x, (void)l;
    return CS_X_REJECT;
}

static void finish_line(void *state, cs_xctx *x, bool eof)
{
    (void)eof;
    cs_xctx_emit(x, state);
}

const cs_dialect cs_dialect_abort_line = {
    .name = "abort-line",
    .patterns = NULL,
    .first_chars = NULL,
    .literals = (const char *const[]){"assertion ", "GPU process exited unexpectedly", NULL},
    .start = start_line,
    .feed = feed_line,
    .finish = finish_line,
};

const cs_dialect cs_dialect_check = {
    .name = "check",
    .patterns = patterns,
    .first_chars = "#CDFSuR[",
    .start = start,
    .feed = feed,
    .finish = finish,
};

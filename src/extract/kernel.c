/* kernel.c - Linux kernel reports on a console or in dmesg: oops, BUG,
 * WARNING, KASAN/KMSAN/KCSAN/KFENCE/UBSAN, lockdep, hung tasks, RCU stalls,
 * soft lockups, panics.
 *
 * Grammar (lib/dump_stack.c, kernel/panic.c __warn, arch/x86/kernel/dumpstack.c,
 * mm/kasan/report.c, kernel/kcsan/report.c, kernel/locking/lockdep.c,
 * kernel/hung_task.c, kernel/rcu/tree_stall.h):
 *   BUG: KASAN: use-after-free in foo+0x1a/0x40 [mod]      header; may name a function
 *   WARNING: CPU: 0 PID: 1 at net/x.c:12 foo+0x1a/0x40
 *   RIP: 0010:foo+0x1a/0x40                                 where it stopped
 *   Call Trace: / Call trace: / Backtrace:                  then frames:
 *    foo+0x1a/0x40 [module]      ? unreliable+0x1/0x2      [<ffffffff8123>] foo+0x1/0x2
 *    foo lib/x.c:17 [inline]     foo+0x1/0x2 lib/x.c:53    (arm) [<c01>] (foo) from [<c02>]
 * (bar+0x1/0x2) <IRQ> ... </IRQ> <TASK> ... </TASK> Allocated by task N: / Freed by task N: KASAN's
 * other stacks write to 0x... of 8 bytes by task N on cpu 0:           KCSAN's two accesses
 *   ---[ end trace ... ]---                                 the end
 * The dmesg timestamp ("[  72.1]", "[  72.1][ T123]") is a per-line prefix
 * and is gone before this dialect sees the lines. Consoles interleave other
 * output into a report, so lines that are not the report's own are skipped,
 * not taken as its end; a frame section ends at a line that is not a frame.
 *
 * The crashed thread's frames are, in order: the function the header names,
 * the RIP/PC function, then the first call trace (syzkaller's guilty-frame
 * order). In stall and lockup reports the frames of the interrupt that
 * printed the report (<IRQ> .. </IRQ>) are not the stuck code: they go to a
 * thread of their own. Unreliable ("? ") frames are kept out when a reliable
 * frame exists in the section. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

/* A report longer than this is cut (consoles can run on for ever). */
#define MAX_REPORT_LINES 2000
/* Lines of something else that may sit between two frames of a section. */
#define MAX_GAP_LINES 40

static cs_regex *re_start, *re_hdr_func, *re_warn_at, *re_rip, *re_frame, *re_frame_arm,
    *re_kcsan_access, *re_end;

static const cs_xpattern patterns[] = {
    {&re_start,
     "^(?:BUG: (?!KCSAN: |KASAN: |KMSAN: |KFENCE: )[A-Za-z]|BUG: (?:KASAN|KCSAN|KMSAN|KFENCE): |"
     "WARNING: (?!DATA RACE|ThreadSanitizer)(?:CPU: \\d|[a-z]|possible |suspicious |inconsistent )|"
     "general protection fault|kernel BUG at |Unable to handle kernel |"
     "Internal error: |INFO: task \\S+ blocked |"
     "INFO: rcu_\\w+ (?:self-)?detected stall|rcu: INFO: rcu_\\w+ (?:self-)?detected stall|"
     "INFO: rcu_\\w+ detected stalls|INFO: trying to register non-static key|"
     "INFO: possible (?:recursive|circular|irq lock inversion)|"
     "Kernel panic - not syncing: |divide error: |invalid opcode: |stack segment: |"
     "PANIC: double fault|UBSAN: |KASAN: |KMSAN: |KFENCE: |"
     "unreferenced object 0x|watchdog: BUG: soft lockup|NMI watchdog: |"
     "Oops: |Oops - |kernel panic: )"},
    /* "... in foo+0x1a/0x40", KCSAN "in foo / bar" (not prose: "in
     * preemptible code") */
    {&re_hdr_func, " in ([A-Za-z_][\\w.]*)(?:\\+0x[0-9a-f]+/0x[0-9a-f]+| / )"},
    {&re_warn_at, "^WARNING: .* at \\S+ ([A-Za-z_][\\w.]*)\\+0x[0-9a-f]+/0x[0-9a-f]+"},
    {&re_rip, "^(?:RIP: (?:[0-9a-f]{4}:)?(?:\\[<[0-9a-f]+>\\]\\s+\\[<[0-9a-f]+>\\] )?|"
              "PC is at |pc : |NIP \\[[0-9a-f]+\\] |IP: (?:\\[<[0-9a-f]+>\\] )?)"
              "([A-Za-z_][\\w.]*)\\+0x([0-9a-f]+)/0x[0-9a-f]+"},
    {&re_frame, "^\\s*(\\? )?(?:(?:\\[<?[0-9a-f]+>?\\] )+)?(\\? )?([A-Za-z_][\\w.$]*)"
                "(?:\\+0x([0-9a-f]+)/0x[0-9a-f]+)?(?: \\[([\\w-]+)\\])?"
                "(?: ((?:[\\w.-]+/)*[\\w.-]+\\.[chSsy]):(\\d+)(?::\\d+)?)?"
                "(?: \\[inline\\]| \\([A-Za-z]+\\)| \\(unreliable\\))?\\s*$"},
    {&re_frame_arm, "^\\s*\\[<[0-9a-f]+>\\] \\(([A-Za-z_][\\w.$]*)(?:\\+0x([0-9a-f]+)/0x[0-9a-f]+)?"
                    "(?: \\[([\\w-]+)\\])?\\) from "},
    {&re_kcsan_access,
     "^(?:read|write|read-write)(?: \\(marked\\))? to 0x[0-9a-f]+ of \\d+ bytes by "},
    {&re_end, "^(?:---\\[ end (?:trace|Kernel panic)|Kernel Offset: |Rebooting in |"
              "={40,}\\s*$)"},
    {0},
};

enum { SEC_NONE, SEC_FRAMES };

typedef struct st {
    cs_trace *t;
    int sec;
    long thread; /* thread of the current frame section, -1 none */
    long crashed;
    bool crashed_has_trace; /* the crashed thread's call trace was read */
    bool in_irq;            /* inside <IRQ> .. </IRQ> */
    bool split_irq;         /* stall/lockup: IRQ frames are not the bug */
    long irq_thread;
    bool has_hdr_frame;
    cs_frame rip; /* RIP/PC: goes after the header's function */
    uint64_t lines;
    int nonframes; /* lines since the section's last frame */
} st;

static bool parse_frame(const char *p, size_t n, cs_frame *f, bool *unreliable)
{
    cs_match m;
    *unreliable = false;
    if (cs_regex_match(re_frame_arm, p, n, &m)) {
        f->function = cs_match_dup(&m, 1);
        const char *g;
        size_t gn;
        if (cs_match_group(&m, 2, &g, &gn)) {
            f->offset = cs_xhex(g, gn);
            f->has_offset = true;
        }
        f->module = cs_match_dup(&m, 3);
        return true;
    }
    if (!cs_regex_match(re_frame, p, n, &m)) return false;
    const char *g;
    size_t gn;
    bool has_off = cs_match_group(&m, 4, &g, &gn);
    bool has_file = cs_match_group(&m, 6, &(const char *){0}, &(size_t){0});
    /* A bare word is prose ("Modules linked in"); a frame has an offset or
     * a source position. */
    if (!has_off && !has_file) return false;
    *unreliable = cs_match_group(&m, 1, &(const char *){0}, &(size_t){0}) ||
                  cs_match_group(&m, 2, &(const char *){0}, &(size_t){0});
    f->function = cs_match_dup(&m, 3);
    if (has_off) {
        f->offset = cs_xhex(g, gn);
        f->has_offset = true;
    }
    f->module = cs_match_dup(&m, 5);
    if (has_file) {
        f->file = cs_match_dup(&m, 6);
        f->line = (int)cs_match_num(&m, 7, 0);
    }
    return true;
}

static cs_thread *thread_at(st *s, long i)
{
    return i >= 0 ? &s->t->threads[i] : NULL;
}

static long new_thread(st *s, cs_role role, const char *label, size_t n)
{
    cs_thread *th = cs_trace_add_thread(s->t, role);
    if (!th) return -1;
    th->label = cs_xstrndup(label, n);
    return (long)(th - s->t->threads);
}

static void add_frame_to(st *s, long ti, const cs_frame *src, bool unreliable)
{
    cs_thread *th = thread_at(s, ti);
    if (!th) return;
    /* "? " frames are leftovers on the stack: kept only while the section
     * has nothing better, and dropped once a reliable frame follows. */
    if (!unreliable && th->n_frames && th->frames[th->n_frames - 1].rule &&
        strcmp(th->frames[th->n_frames - 1].rule, "unreliable") == 0) {
        while (th->n_frames && th->frames[th->n_frames - 1].rule &&
               strcmp(th->frames[th->n_frames - 1].rule, "unreliable") == 0)
            cs_frame_dispose(&th->frames[--th->n_frames]);
    }
    if (unreliable && th->n_frames && !(th->frames[th->n_frames - 1].rule)) return;
    cs_frame *f = cs_thread_add_frame(th);
    if (!f) return;
    f->function = cs_xstrdup(src->function);
    f->file = src->file ? cs_xstrdup(src->file) : NULL;
    f->module = src->module ? cs_xstrdup(src->module) : NULL;
    f->line = src->line;
    f->offset = src->offset;
    f->has_offset = src->has_offset;
    /* Marks the frame for the pass above; normalize sets its own rule. */
    f->rule = unreliable ? "unreliable" : NULL;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    if (n < 6 || !cs_regex_match(re_start, p, n, &m)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    uint64_t sep = cs_xctx_sep_line(x);
    s->t = cs_trace_new(CS_TK_KERNEL, cs_xctx_source(x), sep ? sep : l->no);
    s->t->line_end = l->no;
    s->t->headline = cs_xstrndup(p, n);
    s->crashed = new_thread(s, CS_ROLE_CRASHED, p, n);
    s->thread = -1;
    s->irq_thread = -1;
    s->split_irq =
        memmem(p, n, "stall", 5) || memmem(p, n, "lockup", 6) || memmem(p, n, "LOCKUP", 6);
    /* The function the header names is the first frame. */
    const char *g;
    size_t gn;
    cs_frame f = {0};
    if (cs_regex_match(re_warn_at, p, n, &m) && cs_match_group(&m, 1, &g, &gn))
        f.function = cs_xstrndup(g, gn);
    else if (cs_regex_match(re_hdr_func, p, n, &m) && cs_match_group(&m, 1, &g, &gn))
        f.function = cs_xstrndup(g, gn);
    if (f.function) {
        add_frame_to(s, s->crashed, &f, false);
        cs_frame_dispose(&f);
        s->has_hdr_frame = true;
    }
    return s;
}

static bool is_section_header(const char *p, size_t n)
{
    return cs_starts_with(p, n, "Call Trace:") || cs_starts_with(p, n, "Call trace:") ||
           cs_starts_with(p, n, "Backtrace:") || cs_starts_with(p, n, "Stack backtrace:");
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    if (++s->lines > MAX_REPORT_LINES) return CS_X_REJECT;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    if (n == 0) return CS_X_MORE;
    if (cs_regex_match(re_end, p, n, NULL)) {
        s->t->line_end = l->no;
        /* KASAN/KCSAN reports open and close with a row of '='; lockdep
         * prints one under its title: only a row after frames ends it. */
        if (p[0] == '=') {
            bool frames = false;
            for (size_t i = 0; i < s->t->n_threads; i++)
                if (s->t->threads[i].n_frames > (i == (size_t)s->crashed ? 1u : 0u)) frames = true;
            return frames ? CS_X_DONE : CS_X_MORE;
        }
        return CS_X_DONE;
    }
    /* Another report starts: this one is over (a panic after a WARNING is
     * the same report: panic_on_warn). */
    if (s->lines > 1 && !cs_starts_with(p, n, "Kernel panic - not syncing") &&
        cs_regex_match(re_start, p, n, NULL) && s->crashed_has_trace)
        return CS_X_REJECT;
    if (is_section_header(p, n)) {
        if (!s->crashed_has_trace) {
            s->thread = s->crashed;
            s->crashed_has_trace = true;
        } else {
            s->thread = new_thread(s, CS_ROLE_OTHER, p, n);
        }
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "Allocated by task") || cs_starts_with(p, n, "Freed by task") ||
        cs_regex_match(re_kcsan_access, p, n, NULL)) {
        cs_role role = p[0] == 'A' ? CS_ROLE_ALLOC : p[0] == 'F' ? CS_ROLE_FREE : CS_ROLE_ACCESS;
        if (role == CS_ROLE_ACCESS) {
            /* KCSAN: the first access is the crashed thread's stack. */
            bool first = !s->crashed_has_trace;
            if (first) {
                s->thread = s->crashed;
                s->crashed_has_trace = true;
                cs_thread *c = thread_at(s, s->crashed);
                if (c) {
                    free(c->access);
                    c->access = cs_xstrndup(p, strcspn(p, " "));
                }
            } else {
                s->thread = new_thread(s, CS_ROLE_OTHER, p, n);
            }
        } else {
            s->thread = new_thread(s, role, p, n);
        }
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (!s->rip.function && cs_regex_match(re_rip, p, n, &m)) {
        s->rip.function = cs_match_dup(&m, 1);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (s->sec == SEC_FRAMES) {
        if (cs_starts_with(p, n, "<IRQ>") || cs_starts_with(p, n, "<NMI>") ||
            cs_starts_with(p, n, "<SOFTIRQ>")) {
            s->in_irq = true;
            return CS_X_MORE;
        }
        if (cs_starts_with(p, n, "</IRQ>") || cs_starts_with(p, n, "</NMI>") ||
            cs_starts_with(p, n, "</SOFTIRQ>") || cs_starts_with(p, n, "<EOI>")) {
            s->in_irq = false;
            return CS_X_MORE;
        }
        if (cs_starts_with(p, n, "<TASK>") || cs_starts_with(p, n, "</TASK>")) return CS_X_MORE;
        cs_frame f = {0};
        bool unreliable;
        if (parse_frame(p, n, &f, &unreliable)) {
            long ti = s->thread;
            if (s->in_irq && s->split_irq && ti == s->crashed) {
                if (s->irq_thread < 0) s->irq_thread = new_thread(s, CS_ROLE_OTHER, "<IRQ>", 5);
                ti = s->irq_thread;
            }
            add_frame_to(s, ti, &f, unreliable);
            cs_frame_dispose(&f);
            s->nonframes = 0;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        cs_frame_dispose(&f);
        /* The register dump of the faulting context sits inside the call
         * trace (the frames after it are the caller's), and consoles
         * interleave other output: only a long run of other lines ends
         * the section. */
        if (++s->nonframes > MAX_GAP_LINES) s->sec = SEC_NONE;
    }
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    cs_trace *t = s->t;
    cs_thread *c = thread_at(s, s->crashed);
    if (c && s->rip.function && c->n_frames < CS_MAX_FRAMES &&
        !(c->n_frames && strcmp(c->frames[0].function, s->rip.function) == 0)) {
        size_t at = s->has_hdr_frame ? 1 : 0;
        if (cs_thread_add_frame(c)) {
            memmove(&c->frames[at + 1], &c->frames[at], (c->n_frames - 1 - at) * sizeof *c->frames);
            c->frames[at] = s->rip;
            s->rip = (cs_frame){0};
        }
    }
    cs_frame_dispose(&s->rip);
    bool frames = false;
    for (size_t i = 0; i < t->n_threads; i++) {
        cs_thread *th = &t->threads[i];
        for (size_t k = 0; k < th->n_frames; k++)
            th->frames[k].rule = NULL;
        if (th->n_frames) frames = true;
    }
    /* A "BUG:" or "WARNING:" line with no frame and no function named is
     * a build or test message, not a kernel report. */
    if (!frames) {
        cs_trace_free(t);
    } else {
        if (eof && s->sec == SEC_FRAMES && s->nonframes == 0) t->truncated = true;
        cs_xctx_emit(x, t);
    }
    free(s);
}

const cs_dialect cs_dialect_kernel = {
    .name = "kernel",
    .patterns = patterns,
    .first_chars = "BWgkUIrKdispPNOu",
    .start = start,
    .feed = feed,
    .finish = finish,
};

/* bsdkern.c - panics of the other kernels syzkaller fuzzes: FreeBSD, NetBSD
 * and OpenBSD (ddb/KDB backtraces) and Fuchsia's Zircon.
 *
 * Grammar (FreeBSD kern_shutdown.c vpanic + kdb_backtrace, amd64 trap.c
 * trap_fatal; NetBSD/OpenBSD ddb "trace"; Zircon kernel/lib/debug):
 *   Fatal trap 12: page fault while in kernel mode     header (FreeBSD; NetBSD:
 *                                                      "fatal page fault in supervisor mode")
 *   panic: sx lock still held                          header (FreeBSD, NetBSD, OpenBSD)
 *   KDB: stack backtrace:  /  Stopped at  db_enter+0x17:  then frames:
 *   #7 0xffffffff810302fc at atrtc_settime+0xc
 *   sx_destroy() at sx_destroy+0x5e/frame 0xfffffe001fa45850
 *   shm_delete_mapping() at netbsd:shm_delete_mapping+0x92 sys/kern/sysv_shm.c:195
 *   vn_writechk(fffffd8...) at vn_writechk+0x13
 *   ZIRCON KERNEL PANIC                                header (Fuchsia), then
 *   bt#02: 0x001e6ae3 size_to_index_helper lib/heap/cmpctmalloc/cmpctmalloc.c:290
 *   bt#04: [ inline ] size_to_index_freeing lib/heap/...c:303
 * Register and memory dumps sit between the header and the frames and, on
 * Zircon, between frames: up to MAX_GAP_LINES other lines are passed over.
 * A report is kept only when it has a frame: "panic: " alone is too common a
 * word (Go's panics are the Go dialect's, which comes first). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

#define MAX_HEAD_LINES 80
/* ... after a bare "panic: " or debugger line, which other logs print too:
 * the lines it holds back are lost to other dialects if no frame comes. */
#define MAX_HEAD_LINES_WEAK 16
#define MAX_GAP_LINES 12
#define MAX_REPORT_LINES 2000

static cs_regex *re_start, *re_kdb, *re_ddb, *re_zircon;

static const cs_xpattern patterns[] = {
    /* also where the debugger takes over, when the panic line went to
     * another dialect or was not printed: KDB's banner, ddb's "Stopped" */
    {&re_start, "^(?:Fatal trap \\d+: .+|panic: .+|ZIRCON KERNEL PANIC|"
                "fatal page fault in supervisor mode|KDB: stack backtrace:|"
                "Stopped (?:in pid \\d+\\.\\d+ .*)?at\\s+\\S.*)$"},
    /* "#7 0xffffffff810302fc at atrtc_settime+0xc" */
    {&re_kdb, "^#\\d+ 0x([0-9a-f]+) at ([A-Za-z_][\\w.]*)\\+0x([0-9a-f]+)\\s*$"},
    /* "f() at [netbsd:]f+0x5e[/frame 0x..][ file.c:12[ [inline]]]" */
    {&re_ddb, "^([A-Za-z_][\\w.]*)\\(.*?\\) at (?:\\w+:)?([A-Za-z_][\\w.]*)\\+0x([0-9a-f]+)"
              "(?:/frame 0x[0-9a-f]+)?(?: (?:\\w+ )?((?:[\\w.-]+/)*[\\w.-]+\\.[chS]):(\\d+))?"},
    /* "bt#02: 0x001e6ae3 func file.c:290" or "bt#04: [ inline ] func file.c:303" */
    {&re_zircon, "^bt#\\d+: (?:0x([0-9a-f]+)|\\[ inline \\]) (\\S+?)(?: (\\S+?):(\\d+))?\\s*$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    cs_thread *th;
    bool zircon;
    bool weak; /* started on "panic: ", "Stopped" or "KDB:" */
    int head;  /* lines before the first frame */
    int gap;   /* lines since the last frame */
    int lines;
} st;

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (n < 10 || !cs_regex_match(re_start, p, n, NULL)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_KERNEL, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->t->headline = cs_xstrndup(p, n);
    s->th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    s->zircon = p[0] == 'Z';
    s->weak = p[0] == 'p' || p[0] == 'S' || p[0] == 'K';
    /* The panic line the Go dialect took and gave back (go.c): FreeBSD
     * prints "cpuid" and "time" between it and KDB's banner. */
    uint64_t at;
    char *h = p[0] == 'K' || p[0] == 'S' ? cs_xctx_take_handoff(x, l->no, 4, &at) : NULL;
    if (h) {
        free(s->t->headline);
        s->t->headline = h;
        s->t->line_start = at;
    }
    return s;
}

static bool parse_frame(const char *p, size_t n, cs_frame *f)
{
    cs_match m;
    const char *g;
    size_t gn;
    if (p[0] == '#' && cs_regex_match(re_kdb, p, n, &m)) {
        if (cs_match_group(&m, 1, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        }
        f->function = cs_match_dup(&m, 2);
    } else if (p[0] == 'b' && cs_regex_match(re_zircon, p, n, &m)) {
        if (cs_match_group(&m, 1, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        } else {
            f->inlined = true;
        }
        f->function = cs_match_dup(&m, 2);
        f->file = cs_match_dup(&m, 3);
        f->line = (int)cs_match_num(&m, 4, 0);
        return true;
    } else if (cs_memmem(p, n, ") at ", 5) && cs_regex_match(re_ddb, p, n, &m)) {
        f->function = cs_match_dup(&m, 2);
        f->file = cs_match_dup(&m, 4);
        f->line = (int)cs_match_num(&m, 5, 0);
    } else {
        return false;
    }
    if (cs_match_group(&m, 3, &g, &gn)) {
        f->offset = cs_xhex(g, gn);
        f->has_offset = true;
    }
    return true;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    if (++s->lines > MAX_REPORT_LINES) return CS_X_REJECT;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    bool frames = s->th && s->th->n_frames;
    if (n == 0) return frames && !s->zircon ? CS_X_DONE : CS_X_MORE;
    cs_frame f = {0};
    if (parse_frame(p, n, &f)) {
        cs_frame *slot = s->th ? cs_thread_add_frame(s->th) : NULL;
        if (slot)
            *slot = f;
        else
            cs_frame_dispose(&f);
        s->gap = 0;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* A FreeBSD trap is followed by its panic line: the same report. */
    if (!frames && cs_starts_with(p, n, "panic: ")) return CS_X_MORE;
    if (frames ? ++s->gap > MAX_GAP_LINES
               : ++s->head > (s->weak ? MAX_HEAD_LINES_WEAK : MAX_HEAD_LINES))
        return CS_X_REJECT;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    if (s->th && s->th->n_frames)
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

const cs_dialect cs_dialect_bsdkern = {
    .name = "bsdkern",
    .patterns = patterns,
    .first_chars = "FpZfKS",
    .start = start,
    .feed = feed,
    .finish = finish,
};

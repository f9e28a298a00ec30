/* android.c - Android native crash dumps (debuggerd tombstones) as logcat and
 * bug reports print them.
 *
 * Grammar (system/core/debuggerd tombstone output, as printed on the DEBUG
 * or crash_dump tag):
 *   *** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***    opens it
 *   Build fingerprint: '...'   Revision: '0'   ABI: 'arm'
 *   pid: 1236, tid: 1544, name: surfaceflinger  >>> /system/bin/x <<<
 *   signal 11 (SIGSEGV), code 2 (SEGV_ACCERR), fault addr 0xb6e43000
 *   Abort message: '[FATAL:x.cc(12)] Check failed: ...'   (quotes optional)
 *       r0 00000000  r1 ...                                register dump
 *   backtrace:
 *       #00 pc 0001a2b4  /system/lib/libc.so (abort+63) (BuildId: ..)
 *       #00 pc 0001a2b4  /data/app/x/lib/arm/libchrome.so (offset 0x1000)
 *       #0 0x0003a870 in tgkill /bionic/libc/.../tgkill.S:9   (symbolized)
 *   Tombstone written to: /data/tombstones/tombstone_01       the end
 * Logcat interleaves other tags' lines ("--------- DEBUG (1239):" headers,
 * other messages), so lines that are not the dump's own are passed over
 * until the backtrace; the backtrace ends at the first line that is not a
 * frame. A dump is a crash even when its backtrace is missing (the signal or
 * abort message names it). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

/* Lines of a dump before its backtrace (registers, memory maps, logcat
 * noise); a banner with nothing of a dump after it is dropped. */
#define MAX_HEAD_LINES 200

static cs_regex *re_link, *re_banner, *re_signal, *re_abort, *re_pid, *re_pcframe, *re_pconly;

static const cs_xpattern patterns[] = {
    /* the dynamic linker's refusal to start a program: a one-line crash */
    {&re_link, "^CANNOT LINK EXECUTABLE "},
    {&re_banner, "^\\*\\*\\* \\*\\*\\* \\*\\*\\* \\*\\*\\* \\*\\*\\* \\*\\*\\* "},
    {&re_signal, "^signal \\d+ \\(SIG[A-Z]+\\).*$"},
    /* group 1: the message, without quotes or Chrome's "[FATAL:f.cc(1)] " */
    {&re_abort, "^Abort message: '?(?:\\[FATAL:[^\\]]*\\] )?(.*?)'?$"},
    {&re_pid, "^pid: \\d+, tid: \\d+, name: (.*?)\\s+>>> (.*?) <<<"},
    /* group 1: pc, 2: module, 3: function, 4: offset in it */
    {&re_pcframe, "^#\\d+ pc ([0-9a-f]+)\\s+(\\S+)(?: \\(offset 0x[0-9a-f]+\\))?"
                  "(?: \\((.+?)(?:\\+(\\d+))?\\))?(?: \\(BuildId: [0-9a-f]+\\))?\\s*$"},
    /* "#0 0x00000333 in": a pc the symbolizer could not name */
    {&re_pconly, "^#\\d+ 0x([0-9a-f]+)(?: in)?\\s*$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    long th;
    bool dump;      /* a pid, signal or abort line was read */
    bool link;      /* CANNOT LINK EXECUTABLE: the one line is all */
    bool has_abort; /* the headline is the abort message */
    bool in_bt;     /* inside backtrace: */
    int gap;        /* other lines inside backtrace: before its first frame */
    int head;
} st;

static cs_thread *crashed(st *s)
{
    return s->th >= 0 ? &s->t->threads[s->th] : NULL;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    bool link = n > 24 && p[0] == 'C' && cs_regex_match(re_link, p, n, NULL);
    if (!link && (n < 24 || p[0] != '*' || !cs_regex_match(re_banner, p, n, NULL))) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_NATIVE, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    s->t->headline = link ? cs_xstrndup(p, n) : cs_xstrdup("Android native crash");
    s->dump = s->link = link;
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    s->th = th ? (long)(th - s->t->threads) : -1;
    return s;
}

static bool parse_frame(const char *p, size_t n, cs_frame *f)
{
    cs_match m;
    const char *g;
    size_t gn;
    if (cs_regex_match(re_pcframe, p, n, &m)) {
        if (cs_match_group(&m, 1, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        }
        f->module = cs_match_dup(&m, 2);
        f->function = cs_match_dup(&m, 3);
        if (cs_match_group(&m, 4, &g, &gn)) {
            f->offset = strtoull(g, NULL, 10);
            f->has_offset = true;
        }
        return true;
    }
    if (cs_regex_match(re_pconly, p, n, &m)) {
        if (cs_match_group(&m, 1, &g, &gn)) {
            f->pc = cs_xhex(g, gn);
            f->has_pc = true;
        }
        return true;
    }
    return cs_san_parse_frame(p, n, f);
}

static void set_headline(st *s, const char *p, size_t n)
{
    free(s->t->headline);
    s->t->headline = cs_xstrndup(p, n);
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (s->link) return CS_X_REJECT;
    cs_thread *th = crashed(s);
    bool frames = th && th->n_frames;
    if (s->in_bt) {
        cs_frame f = {0};
        if (n && p[0] == '#' && parse_frame(p, n, &f)) {
            cs_frame *slot = th ? cs_thread_add_frame(th) : NULL;
            if (slot)
                *slot = f;
            else
                cs_frame_dispose(&f);
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        cs_frame_dispose(&f);
        if (cs_starts_with(p, n, "Tombstone written to")) {
            s->t->line_end = l->no;
            return CS_X_DONE;
        }
        /* a logcat tag header or a blank line before the first frame */
        /* a blank line may stand before "Tombstone written to" */
        if (frames && n == 0) return CS_X_MORE;
        /* logcat tag headers and other tags' lines before the first frame */
        if (!frames && ++s->gap <= 8) return CS_X_MORE;
        return frames ? CS_X_REJECT : CS_X_DONE;
    }
    if (n == 0) return CS_X_MORE;
    /* Another dump starts: this one had no backtrace. */
    if (p[0] == '*' && cs_regex_match(re_banner, p, n, NULL)) return CS_X_REJECT;
    cs_match m;
    const char *g;
    size_t gn;
    if (cs_starts_with(p, n, "backtrace:")) {
        s->in_bt = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_regex_match(re_pid, p, n, &m)) {
        s->dump = true;
        if (th && cs_match_group(&m, 1, &g, &gn)) {
            free(th->name);
            th->name = cs_xstrndup(g, gn);
        }
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_regex_match(re_abort, p, n, &m) && cs_match_group(&m, 1, &g, &gn) && gn) {
        s->dump = s->has_abort = true;
        set_headline(s, g, gn);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_regex_match(re_signal, p, n, NULL)) {
        s->dump = true;
        if (!s->has_abort) set_headline(s, p, n);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "Tombstone written to")) {
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    if (++s->head > MAX_HEAD_LINES) return CS_X_REJECT;
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    if (s->dump)
        cs_xctx_emit(x, s->t);
    else
        cs_trace_free(s->t);
    free(s);
}

const cs_dialect cs_dialect_android = {
    .name = "android",
    .patterns = patterns,
    .first_chars = "*C",
    .start = start,
    .feed = feed,
    .finish = finish,
};

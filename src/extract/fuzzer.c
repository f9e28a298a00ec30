/* fuzzer.c - the fuzzing engines' own reports: libFuzzer and Centipede.
 *
 * Grammar (compiler-rt lib/fuzzer/FuzzerLoop.cpp, FuzzerUtil*.cpp; Centipede
 * runner_utils / centipede.cc):
 *   ==123== ERROR: libFuzzer: deadly signal          (also: timeout after N seconds,
 *   ==123== ERROR: libFuzzer: out-of-memory (...)     fuzz target exited, fuzz target
 *   ERROR: libFuzzer: ...                             overwrites its const input, ...)
 *       #0 0x4f2ae7 in func file.c:12:3               sanitizer frames (sanframe.c)
 *   Live Heap Allocations: ...                        OOM: the biggest allocations
 *   SUMMARY: libFuzzer: deadly signal
 *   MS: 1 ChangeBit-; base unit: 0f4f6d...            the input that did it
 *   0x41,0x42,  \x41\x42  artifact_prefix='./'; Test unit written to ./crash-...  Base64: ...
 *   ========= RSS limit exceeded: 4107 > 4096 (MB); exiting    Centipede runner, one line,
 *   ========= Timeout of 20 seconds exceeded; exiting          maybe after "CRASH LOG: "
 * The report's first stack is the crashed thread (for an out-of-memory
 * report without a stack, the largest live allocation's); the trailer lines
 * belong to it. On Fuchsia the stack of a report that had none comes after
 * its SUMMARY, behind the symbolizer's module lines ("dso: id=... name=...",
 * "[[[ELF module #0x0 ...]]]", "{{{module:...}}}"): it is still this
 * report's. Centipede's failures carry no stack: a headline only. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

static cs_regex *re_libfuzzer, *re_centipede;

static const cs_xpattern patterns[] = {
    {&re_libfuzzer, "^(?:==\\d+== ?)?ERROR: (libFuzzer: .+?)\\s*$"},
    {&re_centipede, "^(?:CRASH LOG: )?=========\\s+((?:RSS limit|Timeout|Per-input timeout|"
                    "Per-batch timeout|Address space limit)[^;]*?)(?:; exiting)?\\s*$"},
    {0},
};

enum { BODY, LATE_STACK, TRAILER };

typedef struct st {
    cs_trace *t;
    int phase;
    long cur;        /* thread of the stack being read, -1 none */
    bool in_heap;    /* inside "Live Heap Allocations" */
    bool late_stray; /* LATE_STACK let one unknown line through */
} st;

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    const char *g;
    size_t gn;
    bool lf = n > 20 && (p[0] == '=' || p[0] == 'E') && cs_memmem(p, n, "ERROR: libFuzzer: ", 18) &&
              cs_regex_match(re_libfuzzer, p, n, &m);
    bool cp = !lf && n > 20 && (p[0] == '=' || p[0] == 'C') && cs_memmem(p, n, "=========", 9) &&
              cs_regex_match(re_centipede, p, n, &m);
    if (!(lf || cp) || !cs_match_group(&m, 1, &g, &gn)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    uint64_t sep = cs_xctx_sep_line(x);
    s->t = cs_trace_new(CS_TK_FUZZER, cs_xctx_source(x), sep ? sep : l->no);
    s->t->line_end = l->no;
    s->t->headline = lf ? cs_xstrndup(g, gn) : cs_xasprintf("Centipede: %.*s", (int)gn, g);
    s->cur = -1;
    if (cp) s->phase = TRAILER; /* one line, then only the trailer */
    return s;
}

static bool trailer_line(const char *p, size_t n)
{
    return cs_starts_with(p, n, "MS: ") || cs_starts_with(p, n, "base unit:") ||
           cs_starts_with(p, n, "artifact_prefix=") || cs_starts_with(p, n, "Base64: ") ||
           cs_starts_with(p, n, "0x") || cs_starts_with(p, n, "\\x") ||
           cs_starts_with(p, n, "Test unit written to");
}

static bool module_line(const char *p, size_t n)
{
    return cs_starts_with(p, n, "dso: id=") || cs_starts_with(p, n, "[[[ELF module") ||
           cs_starts_with(p, n, "{{{");
}

static void add_frame(st *s, cs_frame *f);

/* After a frameless report's SUMMARY: module lines, a stack, the trailer.
 * Before the stack, one stray line (an ssh warning of the device's
 * connection) is let through; after it, anything else ends the report. */
static int feed_late(st *s, const cs_xline *l, const char *p, size_t n)
{
    bool started = s->t->n_threads != 0;
    if (n == 0) return started ? (s->phase = TRAILER, CS_X_MORE) : CS_X_MORE;
    if (module_line(p, n)) return CS_X_MORE;
    cs_frame f = {0};
    if (p[0] == '#' && cs_san_parse_frame(p, n, &f)) {
        add_frame(s, &f);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (trailer_line(p, n)) {
        s->phase = TRAILER;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (!started && !s->late_stray) {
        s->late_stray = true;
        return CS_X_MORE;
    }
    return CS_X_REJECT;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (s->phase == LATE_STACK) return feed_late(s, l, p, n);
    if (s->phase == TRAILER) {
        if (n && trailer_line(p, n)) {
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        return CS_X_REJECT;
    }
    if (n == 0) {
        s->cur = -1;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "SUMMARY: libFuzzer:")) {
        s->t->line_end = l->no;
        s->phase = s->t->n_threads ? TRAILER : LATE_STACK;
        return CS_X_MORE;
    }
    if (trailer_line(p, n)) {
        /* No SUMMARY (older engines): the input lines end the report. */
        s->t->line_end = l->no;
        s->phase = TRAILER;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "Live Heap Allocations:")) {
        s->in_heap = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (p[0] == '#') {
        cs_frame f = {0};
        if (!cs_san_parse_frame(p, n, &f)) return CS_X_REJECT;
        add_frame(s, &f);
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* Stack headers and notes of the report ("To change the out-of-memory
     * limit...", "2359368 byte(s) (99%) in 1 allocation(s)", "ALARM: ...",
     * "==1== ... stack trace ===") are kept; anything else that follows a
     * stack ends the report. */
    s->cur = -1;
    if (s->t->n_threads && !s->in_heap && p[0] != '=' && p[0] != 'N' && p[0] != 'T')
        return CS_X_REJECT;
    s->t->line_end = l->no;
    return CS_X_MORE;
}

/* Takes f: a blank line or a note between stacks starts the next thread. */
static void add_frame(st *s, cs_frame *f)
{
    if (s->cur < 0) {
        bool first = s->t->n_threads == 0;
        cs_thread *th = cs_trace_add_thread(s->t, first        ? CS_ROLE_CRASHED
                                                  : s->in_heap ? CS_ROLE_ALLOC
                                                               : CS_ROLE_OTHER);
        s->cur = th ? (long)(th - s->t->threads) : -2;
    }
    cs_frame *slot = s->cur >= 0 ? cs_thread_add_frame(&s->t->threads[s->cur]) : NULL;
    if (slot)
        *slot = *f;
    else
        cs_frame_dispose(f);
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    cs_xctx_emit(x, s->t);
    free(s);
}

const cs_dialect cs_dialect_fuzzer = {
    .name = "fuzzer",
    .patterns = patterns,
    .first_chars = "=EC",
    .start = start,
    .feed = feed,
    .finish = finish,
};

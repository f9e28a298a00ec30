/* sanitizer.c - AddressSanitizer, LeakSanitizer, MemorySanitizer and
 * UndefinedBehaviorSanitizer reports. ThreadSanitizer lives in tsan.c, the
 * frame parser they share in sanframe.c.
 *
 * Error reports (compiler-rt sanitizer_common/asan_report.cpp, GCC's
 * libsanitizer prints the same):
 *
 *   =================================================================
 *   ==27148==ERROR: AddressSanitizer: heap-use-after-free on address 0x.. at pc ..
 *   READ of size 4 at 0x604000000090 thread T0          (crashed stack)
 *       #0 0x55ae47ceef79 in session_id /tmp/asan_uaf.c:27:12
 *   0x604000000090 is located 0 bytes inside of 36-byte region [..)
 *   freed by thread T0 here:                             (free stack)
 *   previously allocated by thread T0 here:              (alloc stack)
 *   Thread T1 created by T0 here:                        (creation stack)
 *   SUMMARY: AddressSanitizer: heap-use-after-free /tmp/asan_uaf.c:27:12 in session_id
 *   Shadow bytes around the buggy address: ... Shadow byte legend ...
 *   ==27148==ABORTING
 *
 * LeakSanitizer ("ERROR: LeakSanitizer: detected memory leaks") has one
 * "Direct|Indirect leak of N byte(s) in M object(s) allocated from:" block per
 * leak and ends at its SUMMARY; MemorySanitizer opens with "WARNING:
 * MemorySanitizer:" and adds origin stacks ("Uninitialized value was ...");
 * UBSan's deadly signals ("ERROR: UndefinedBehaviorSanitizer: SEGV ...") use
 * the ASan layout. Recoverable UBSan checks are one line,
 *
 *   ubsan.c:9:15: runtime error: signed integer overflow: ...
 *
 * optionally followed by a stack (print_stacktrace=1), "note:" lines with a
 * memory dump, and "SUMMARY: UndefinedBehaviorSanitizer: ...". */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

/* Prose lines a report may hold between the lines we know (hints, region
 * descriptions, suppression tables). More than this in a row means the
 * report was cut short and the log went on. */
#define SAN_MAX_UNKNOWN_RUN 64
/* ... and before the first frame, where an echoed "ERROR: AddressSanitizer"
 * must not swallow much of the log. */
#define SAN_MAX_UNKNOWN_HEAD 8
/* Blank lines a UBSan report may hold before its stack or SUMMARY. */
#define UBSAN_MAX_BLANKS 2

/* ---- shared helpers --------------------------------------------------- */

/* A frame with a pc: ASan, LSan, MSan and UBSan always print one, so
 * "#1 most wanted" in the middle of a report stays prose. */
static bool pc_frame(const char *p, size_t n, cs_frame *f)
{
    if (!cs_san_parse_frame(p, n, f)) return false;
    if (f->has_pc) return true;
    cs_frame_dispose(f);
    memset(f, 0, sizeof *f);
    return false;
}

static bool all_eq(const char *p, size_t n)
{
    if (n < 10) return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] != '=') return false;
    return true;
}

/* Adds a parsed frame to thread `th` (the frame is dropped past the cap). */
static void push_frame(cs_thread *th, cs_frame *tmp)
{
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (f)
        *f = *tmp;
    else
        cs_frame_dispose(tmp);
}

/* "T12" -> 12, else -1. */
static long long tid_of(const char *p, size_t n)
{
    if (n < 2 || p[0] != 'T') return -1;
    long long v = 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || i > 12) return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Skips a "==1234==" prefix (pid banner of sanitizer_common's Report()). */
static void skip_pid(const char **p, size_t *n)
{
    const char *q = *p;
    size_t m = *n;
    if (m < 5 || q[0] != '=' || q[1] != '=') return;
    size_t i = 2;
    while (i < m && q[i] >= '0' && q[i] <= '9')
        i++;
    if (i == 2 || i + 2 > m || q[i] != '=' || q[i + 1] != '=') return;
    i += 2;
    while (i < m && cs_xis_blank(q[i]))
        i++;
    *p = q + i;
    *n = m - i;
}

/* ---- ASan / LSan / MSan / UBSan error reports ------------------------- */

static cs_regex *re_head, *re_access, *re_heapstack, *re_created, *re_leak, *re_signal,
    *re_head_tid;

static const cs_xpattern patterns[] = {
    /* MemorySanitizer warns of an uninitialized value, and reports its
     * deadly signals ("ERROR: MemorySanitizer: ABRT on ...") as ASan does. */
    {&re_head, "^(?:ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
               "HWAddressSanitizer|MemorySanitizer)|WARNING: (MemorySanitizer)): ?\\S"},
    {&re_access, "^(READ|WRITE|ACCESS|UNKNOWN) of size (\\d+) at 0x([0-9a-fA-F]+) "
                 "thread (T\\d+)"},
    {&re_heapstack, "^(freed|previously allocated|allocated) by thread (T\\d+)(?: \\(.*\\))? "
                    "here:"},
    {&re_created, "^Thread (T\\d+)(?: \\(.*\\))? created by (?:(T\\d+)|unknown thread)"
                  "(?: \\(.*\\))? here:"},
    {&re_leak, "^(Direct|Indirect) leak of (\\d+) byte\\(s\\) in (\\d+) object\\(s\\) "
               "allocated from:"},
    {&re_signal, "^The signal is caused by a ([A-Z]+) memory access"},
    {&re_head_tid, "(?:\\(pc 0x[0-9a-fA-F]+ .*|in thread )(T\\d+)\\)?:?\\s*$"},
    {0},
};

enum { BODY, POST };

typedef struct st {
    cs_trace *t;
    int phase;
    long cur;          /* thread that takes frames, -1 none */
    long crashed;      /* the CS_ROLE_CRASHED thread, -1 none yet */
    char *crash_tname; /* "T0" from the ERROR line, for the crashed thread */
    bool summary;
    bool any_frame;
    size_t unknown_run;
} st;

static cs_thread *thread_at(st *s, long i)
{
    return i >= 0 ? &s->t->threads[i] : NULL;
}

static long add_thread(st *s, cs_role role, const char *p, size_t n)
{
    cs_thread *th = cs_trace_add_thread(s->t, role);
    if (!th) return -1;
    if (p) th->label = cs_xstrndup(p, n);
    return (long)(th - s->t->threads);
}

static long ensure_crashed(st *s)
{
    if (s->crashed < 0) {
        s->crashed = add_thread(s, CS_ROLE_CRASHED, NULL, 0);
        cs_thread *th = thread_at(s, s->crashed);
        if (th && s->crash_tname) {
            th->name = cs_xstrdup(s->crash_tname);
            th->id = tid_of(th->name, strlen(th->name));
        }
    }
    return s->crashed;
}

static bool stack_header(st *s, const char *p, size_t n);

/* An AddressSanitizer report pasted without its ERROR line opens with the
 * access ("READ of size 4 at 0x... thread T0"), a line only ASan prints. */
static void *start_headless(cs_xctx *x, const cs_xline *l, const char *p, size_t n)
{
    cs_match m;
    if (!cs_regex_match(re_access, p, n, &m)) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_ASAN, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    const char *g;
    size_t gn;
    cs_match_group(&m, 1, &g, &gn); /* READ, WRITE, ... */
    s->t->headline = cs_xasprintf("AddressSanitizer: %.*s (no ERROR line)", (int)gn, g);
    s->cur = s->crashed = -1;
    stack_header(s, p, n);
    return s;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (n > 20 && (p[0] == 'R' || p[0] == 'W' || p[0] == 'A' || p[0] == 'U') &&
        cs_memmem(p, n, " of size ", 9))
        return start_headless(x, l, p, n);
    if (n < 20 || !cs_memmem(p, n, "Sanitizer", 9)) return NULL;
    skip_pid(&p, &n);
    cs_match m;
    if (!cs_regex_match(re_head, p, n, &m)) return NULL;
    const char *g;
    size_t gn;
    cs_trace_kind kind = CS_TK_MSAN;
    if (cs_match_group(&m, 1, &g, &gn)) {
        kind = g[0] == 'L'   ? CS_TK_LSAN
               : g[0] == 'U' ? CS_TK_UBSAN
               : g[0] == 'M' ? CS_TK_MSAN
                             : CS_TK_ASAN;
    }
    st *s = cs_xcalloc(1, sizeof *s);
    uint64_t sep = cs_xctx_sep_line(x);
    s->t = cs_trace_new(kind, cs_xctx_source(x), sep ? sep : l->no);
    s->t->line_end = l->no;
    const char *h = memchr(p, ':', n); /* after "ERROR" / "WARNING" */
    h += 2;
    s->t->headline = cs_xstrndup(h, (size_t)(p + n - h));
    s->cur = s->crashed = -1;
    if (cs_regex_match(re_head_tid, p, n, &m)) s->crash_tname = cs_match_dup(&m, 1);
    return s;
}

/* A header line that opens a stack of the report; returns true if taken. */
static bool stack_header(st *s, const char *p, size_t n)
{
    cs_match m;
    const char *g;
    size_t gn;
    cs_thread *th;
    if (p[0] >= 'A' && p[0] <= 'Z' && cs_regex_match(re_access, p, n, &m)) {
        /* The access of the crash; a second one (never seen) gets its own. */
        cs_thread *c = thread_at(s, s->crashed);
        if (c && (c->access || c->n_frames)) s->crashed = -1;
        s->cur = ensure_crashed(s);
        if (!(th = thread_at(s, s->cur))) return true;
        cs_match_group(&m, 1, &g, &gn);
        free(th->access);
        th->access = cs_xlower_dup(g, gn);
        th->size = (int)cs_match_num(&m, 2, 0);
        if (cs_match_group(&m, 3, &g, &gn)) th->addr = cs_xhex(g, gn);
        cs_match_group(&m, 4, &g, &gn);
        free(th->name);
        th->name = cs_xstrndup(g, gn);
        th->id = tid_of(g, gn);
        free(th->label);
        th->label = cs_xstrndup(p, n);
        return true;
    }
    if ((p[0] == 'f' || p[0] == 'p' || p[0] == 'a') && cs_regex_match(re_heapstack, p, n, &m)) {
        cs_match_group(&m, 1, &g, &gn);
        s->cur = add_thread(s, g[0] == 'f' ? CS_ROLE_FREE : CS_ROLE_ALLOC, p, n);
        if ((th = thread_at(s, s->cur))) {
            cs_match_group(&m, 2, &g, &gn);
            th->name = cs_xstrndup(g, gn);
            th->id = tid_of(g, gn);
        }
        return true;
    }
    if (p[0] == 'T' && cs_regex_match(re_created, p, n, &m)) {
        s->cur = add_thread(s, CS_ROLE_CREATION, p, n);
        if ((th = thread_at(s, s->cur))) {
            cs_match_group(&m, 1, &g, &gn);
            th->name = cs_xstrndup(g, gn);
            th->id = tid_of(g, gn);
            if (cs_match_group(&m, 2, &g, &gn)) th->created_by_id = tid_of(g, gn);
        }
        return true;
    }
    if ((p[0] == 'D' || p[0] == 'I') && cs_regex_match(re_leak, p, n, &m)) {
        s->cur = add_thread(s, CS_ROLE_ALLOC, p, n);
        if ((th = thread_at(s, s->cur))) th->size = (int)cs_match_num(&m, 2, 0);
        return true;
    }
    if (p[0] == 'U' && cs_starts_with(p, n, "Uninitialized value was ")) {
        /* MemorySanitizer origins. */
        cs_role role = CS_ROLE_CAUSE;
        if (cs_memmem(p, n, "heap allocation", 15))
            role = CS_ROLE_ALLOC;
        else if (cs_memmem(p, n, "heap deallocation", 17))
            role = CS_ROLE_FREE;
        s->cur = add_thread(s, role, p, n);
        return true;
    }
    if ((p[0] == 'A' || p[0] == '0') && cs_memmem(p, n, " is located in stack of thread ", 31)) {
        /* The frame that owns the overflowed stack object. */
        s->cur = add_thread(s, CS_ROLE_OTHER, p, n);
        return true;
    }
    return false;
}

static int feed_body(st *s, const cs_xline *l, const char *p, size_t n)
{
    if (n == 0) return CS_X_MORE;
    if (p[0] == '#') {
        cs_frame tmp = {0};
        if (pc_frame(p, n, &tmp)) {
            if (s->cur < 0)
                s->cur = s->t->kind == CS_TK_LSAN ? add_thread(s, CS_ROLE_ALLOC, NULL, 0)
                                                  : ensure_crashed(s);
            push_frame(thread_at(s, s->cur), &tmp);
            s->any_frame = true;
            s->unknown_run = 0;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
    }
    if (all_eq(p, n)) goto cut; /* the next report's opening row */
    const char *q = p;
    size_t qn = n;
    skip_pid(&q, &qn);
    if (q != p) {
        if (cs_starts_with(q, qn, "ABORTING")) {
            s->t->line_end = l->no;
            return CS_X_DONE;
        }
        cs_match m;
        if (cs_regex_match(re_head, q, qn, NULL)) goto cut;
        if (cs_regex_match(re_signal, q, qn, &m)) {
            cs_thread *th = thread_at(s, ensure_crashed(s));
            if (th && !th->access) {
                const char *g;
                size_t gn;
                cs_match_group(&m, 1, &g, &gn);
                th->access = cs_xlower_dup(g, gn);
            }
            if (s->cur < 0) s->cur = s->crashed;
        }
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "SUMMARY: ")) {
        s->summary = true;
        s->t->line_end = l->no;
        if (s->t->kind == CS_TK_LSAN) return CS_X_DONE;
        s->phase = POST;
        return CS_X_MORE;
    }
    if (stack_header(s, p, n)) {
        s->unknown_run = 0;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_regex_match(re_head, p, n, NULL)) goto cut;
    /* Prose: region descriptions, hints, SCARINESS, suppression tables. */
    if (++s->unknown_run > (s->any_frame ? SAN_MAX_UNKNOWN_RUN : SAN_MAX_UNKNOWN_HEAD)) goto cut;
    return CS_X_MORE;
cut:
    s->t->truncated = true;
    return CS_X_REJECT;
}

static int feed_post(st *s, const cs_xline *l, const char *p, size_t n)
{
    if (n == 0) return CS_X_MORE;
    const char *q = p;
    size_t qn = n;
    skip_pid(&q, &qn);
    if (q != p && cs_starts_with(q, qn, "ABORTING")) {
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    if (cs_starts_with(p, n, "Exiting")) { /* MemorySanitizer */
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    /* The shadow memory dump and its legend: "Shadow bytes around ...",
     * "  0x0c08..: fa fa", "=>0x0c08..: fa[fd]", "Shadow byte legend (...)",
     * "  Heap left redzone:  fa". */
    bool shadow = cs_starts_with(p, n, "Shadow byte") || cs_starts_with(p, n, "0x") ||
                  cs_starts_with(p, n, "=>0x") ||
                  (cs_xindent(l->ptr, l->len) > 0 && memchr(p, ':', n));
    if (!shadow) return CS_X_REJECT;
    s->t->line_end = l->no;
    return CS_X_MORE;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    return s->phase == BODY ? feed_body(s, l, p, n) : feed_post(s, l, p, n);
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    if (eof && !s->summary) s->t->truncated = true;
    /* An ERROR line with neither a stack nor a SUMMARY is prose that quotes
     * a sanitizer, not a report. */
    if (!s->any_frame && !s->summary)
        cs_trace_free(s->t);
    else
        cs_xctx_emit(x, s->t);
    free(s->crash_tname);
    free(s);
}

const cs_dialect cs_dialect_asan = {
    .name = "asan",
    .patterns = patterns,
    /* "==pid==ERROR", "ERROR:", "WARNING:"; a headless report's access
     * ("READ/WRITE/ACCESS/UNKNOWN of size"). */
    .first_chars = "=EWRAU",
    .start = start,
    .feed = feed,
    .finish = finish,
};

/* ---- UBSan "runtime error" lines -------------------------------------- */

typedef struct ust {
    cs_trace *t;
    bool stack; /* a "#0" stack replaced the file:line frame */
    int blanks;
    int dump_lines; /* lines of a "note:" memory dump still allowed */
} ust;

static void *ub_start(cs_xctx *x, const cs_xline *l)
{
    static const char key[] = "runtime error: ";
    const char *p = l->ptr;
    size_t n = l->len;
    /* Any line may hold it, so the literal decides before anything else. */
    const char *r = n > 20 ? cs_memmem(p, n, key, sizeof key - 1) : NULL;
    if (!r || r - p < 4 || r[-1] != ' ' || r[-2] != ':') return NULL;
    /* The token before ": runtime error: " is file:line[:col]. */
    const char *e = r - 2, *b = e;
    while (b > p && !cs_xis_blank(b[-1]))
        b--;
    /* A path starts the token; "`ubsan.c:9:15: runtime error" is a quote. */
    if (b == e || !(cs_xis_alnum(*b) || (*b && strchr("/._~\\-", *b)))) return NULL;
    cs_frame f = {0};
    if (!cs_xparse_fileline(b, (size_t)(e - b), &f)) return NULL;
    ust *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_UBSAN, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    const char *h = r;
    size_t hn = (size_t)(p + n - r);
    cs_xtrim(&h, &hn);
    s->t->headline = cs_xstrndup(h, hn);
    cs_thread *th = cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    push_frame(th, &f);
    return s;
}

static bool dump_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cs_xis_hex(p[i]) && !cs_xis_blank(p[i]) && p[i] != '^' && p[i] != '~') return false;
    return true;
}

static int ub_feed(void *state, cs_xctx *x, const cs_xline *l)
{
    ust *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (n == 0) return ++s->blanks > UBSAN_MAX_BLANKS ? CS_X_REJECT : CS_X_MORE;
    s->blanks = 0;
    cs_thread *th = &s->t->threads[0];
    if (p[0] == '#') {
        cs_frame tmp = {0};
        if (pc_frame(p, n, &tmp)) {
            if (!s->stack) {
                for (size_t i = 0; i < th->n_frames; i++)
                    cs_frame_dispose(&th->frames[i]);
                th->n_frames = 0;
                s->stack = true;
            }
            push_frame(th, &tmp);
            s->dump_lines = 0;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
    }
    if (cs_starts_with(p, n, "SUMMARY: UndefinedBehaviorSanitizer")) {
        s->t->line_end = l->no;
        return CS_X_DONE;
    }
    if (!s->stack && cs_memmem(p, n, ": note: ", 8)) {
        s->dump_lines = 3; /* the bytes, the caret under them, what it points at */
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* The runtime prints this in place of the dump when the address is not
     * readable (a CFI check on a null or freed vtable). */
    if (s->dump_lines > 0 && (dump_line(p, n) || cs_xindent(l->ptr, l->len) > 0 ||
                              cs_starts_with(p, n, "<memory cannot be printed>"))) {
        s->dump_lines--;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    return CS_X_REJECT;
}

static void ub_finish(void *state, cs_xctx *x, bool eof)
{
    ust *s = state;
    (void)eof;
    cs_xctx_emit(x, s->t);
    free(s);
}

const cs_dialect cs_dialect_ubsan = {
    .name = "ubsan",
    .first_chars = NULL,
    .literals = (const char *const[]){"runtime error: ", NULL},
    .start = ub_start,
    .feed = ub_feed,
    .finish = ub_finish,
};

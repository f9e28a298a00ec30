/* tsan.c - ThreadSanitizer reports (compiler-rt tsan_report.cpp), from C,
 * C++ and cgo programs:
 *
 *   ==================
 *   WARNING: ThreadSanitizer: data race (pid=27117)
 *     Write of size 8 at 0x5562ce29b258 by thread T2 (mutexes: write M1):
 *       #0 record_batch /tmp/tsan_counter.c:10:12 (tsan_counter+0xd0196)
 *     Previous read of size 8 at 0x5562ce29b258 by main thread:
 *     Location is heap block of size 4 at 0x.. allocated by thread T1:
 *     Location is global 'processed' of size 8 at 0x.. (tsan_counter+0x1476258)
 *     Mutex M1 (0x7d0c0002e6b8) created at:
 *     Thread T2 (tid=27120, running) created by main thread at:
 *   SUMMARY: ThreadSanitizer: data race /tmp/tsan_counter.c:10:12 in record_batch
 *   ==================
 *
 * The same frame the other reports use: thread leaks (creation stacks only),
 * lock-order inversions ("Mutex M1 acquired here while holding mutex M0 in
 * main thread:"), heap-use-after-free (accesses), and reports whose first
 * stack follows the WARNING line directly (signal-unsafe call, signal handler
 * spoils errno, destroy of a locked mutex ... "and:"). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

/* Unindented lines we do not know that a report may hold (another thread's
 * stderr landing in the middle); past this the report was cut short. */
#define TSAN_MAX_UNKNOWN 16

static cs_regex *re_head, *re_access, *re_heap, *re_created, *re_mutex_created, *re_acquired;

static const cs_xpattern patterns[] = {
    {&re_head, "^WARNING: ThreadSanitizer: (.+?)(?: \\(pid=\\d+\\).*)?$"},
    {&re_access, "^(Previous )?((?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))(?: of size (\\d+))? at "
                 "0x([0-9a-fA-F]+) by (?:thread (T\\d+)|(main) thread)"},
    {&re_heap, "^Location is heap block of size (\\d+) at 0x([0-9a-fA-F]+) allocated by "
               "(?:thread (T\\d+)|(main) thread)"},
    {&re_created, "^Thread (T\\d+)(?: .*?)? \\(tid=(\\d+), ([a-z]+)\\) created by "
                  "(?:thread (T\\d+)|(main) thread) at:"},
    {&re_mutex_created, "^Mutex (M\\d+) \\(0x[0-9a-fA-F]+\\) created at:"},
    {&re_acquired, "^Mutex (M\\d+) (?:previously )?acquired .*?(?:in (?:thread (T\\d+)|(main) "
                   "thread))?:$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    long cur;     /* thread that takes frames, -1 none */
    bool summary; /* SUMMARY seen: only the closing row may follow */
    bool primary; /* a CS_ROLE_CRASHED stack exists */
    size_t unknown;
} st;

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    /* "==123==WARNING: ThreadSanitizer: ..." from Report() */
    if (n > 2 && p[0] == '=' && p[1] == '=') {
        size_t i = 2;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i + 2 < n && p[i] == '=' && p[i + 1] == '=') {
            p += i + 2;
            n -= i + 2;
        }
    }
    if (n < 27 || memcmp(p, "WARNING: ThreadSanitizer: ", 26) != 0) return NULL;
    cs_match m;
    if (!cs_regex_match(re_head, p, n, &m)) return NULL;
    const char *g;
    size_t gn;
    cs_match_group(&m, 1, &g, &gn);
    st *s = cs_xcalloc(1, sizeof *s);
    uint64_t sep = cs_xctx_sep_line(x);
    s->t = cs_trace_new(CS_TK_TSAN, cs_xctx_source(x), sep ? sep : l->no);
    s->t->line_end = l->no;
    s->t->headline = cs_xasprintf("ThreadSanitizer: %.*s", (int)gn, g);
    s->cur = -1;
    return s;
}

static long add_thread(st *s, cs_role role, const char *p, size_t n)
{
    cs_thread *th = cs_trace_add_thread(s->t, role);
    if (!th) return -1;
    if (p) th->label = cs_xstrndup(p, n);
    return (long)(th - s->t->threads);
}

/* Names a thread "T1" (id 1) or "main thread" (id 0) from groups tg / mg. */
static long long atoll_bounded(const char *p, size_t n)
{
    long long v = 0;
    for (size_t i = 0; i < n && i < 18 && p[i] >= '0' && p[i] <= '9'; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static void name_thread(cs_thread *th, const cs_match *m, int tg, int mg)
{
    const char *g;
    size_t gn;
    if (cs_match_group(m, mg, &g, &gn)) {
        th->name = cs_xstrdup("main thread");
        th->id = 0;
    } else if (cs_match_group(m, tg, &g, &gn)) {
        th->name = cs_xstrndup(g, gn);
        th->id = strtoll(th->name + 1, NULL, 10); /* the copy is terminated */
    }
}

static bool header(st *s, const char *p, size_t n)
{
    cs_match m;
    const char *g;
    size_t gn;
    cs_thread *th;
    if (cs_regex_match(re_access, p, n, &m)) {
        bool prev = cs_match_group(&m, 1, &g, &gn);
        s->cur = add_thread(s, prev ? CS_ROLE_PREVIOUS : CS_ROLE_ACCESS, p, n);
        if (!(th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL)) return true;
        cs_match_group(&m, 2, &g, &gn);
        th->access = cs_xlower_dup(g, gn);
        th->size = (int)cs_match_num(&m, 3, 0);
        if (cs_match_group(&m, 4, &g, &gn)) th->addr = cs_xhex(g, gn);
        name_thread(th, &m, 5, 6);
        return true;
    }
    if (cs_starts_with(p, n, "Location is ")) {
        s->cur = -1; /* globals, stacks, TLS, fds: no stack follows */
        if (cs_regex_match(re_heap, p, n, &m)) {
            s->cur = add_thread(s, CS_ROLE_ALLOC, p, n);
            if ((th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL)) {
                th->size = (int)cs_match_num(&m, 1, 0);
                if (cs_match_group(&m, 2, &g, &gn)) th->addr = cs_xhex(g, gn);
                name_thread(th, &m, 3, 4);
            }
        }
        return true;
    }
    if (cs_regex_match(re_created, p, n, &m)) {
        s->cur = add_thread(s, CS_ROLE_CREATION, p, n);
        if ((th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL)) {
            cs_match_group(&m, 1, &g, &gn);
            th->name = cs_xstrndup(g, gn);
            th->id = strtoll(th->name + 1, NULL, 10);
            th->state = cs_match_dup(&m, 3);
            if (cs_match_group(&m, 5, &g, &gn))
                th->created_by_id = 0;
            else if (cs_match_group(&m, 4, &g, &gn) && gn > 1)
                th->created_by_id = atoll_bounded(g + 1, gn - 1);
        }
        return true;
    }
    if (cs_regex_match(re_mutex_created, p, n, &m)) {
        s->cur = add_thread(s, CS_ROLE_OTHER, p, n);
        if (s->cur >= 0) s->t->threads[s->cur].name = cs_match_dup(&m, 1);
        return true;
    }
    if (cs_regex_match(re_acquired, p, n, &m)) {
        /* Lock-order inversion: the first acquisition is the report's own
         * stack, the others give context. */
        s->cur = add_thread(s, s->primary ? CS_ROLE_OTHER : CS_ROLE_CRASHED, p, n);
        s->primary = true;
        if (s->cur >= 0) name_thread(&s->t->threads[s->cur], &m, 2, 3);
        return true;
    }
    if (cs_starts_with(p, n, "As if synchronized via sleep:")) {
        /* The sleep that made the two accesses look ordered: context for a
         * reader, never an access (its frames must not join the previous
         * access's stack). */
        s->cur = add_thread(s, CS_ROLE_OTHER, p, n);
        if (s->cur >= 0) s->t->threads[s->cur].name = cs_xstrdup("as if synchronized via sleep");
        return true;
    }
    if (n >= 2 && p[n - 1] == ':' && !memchr(p, ' ', n - 1)) {
        /* "and:" of destroy-of-a-locked-mutex reports. */
        s->cur = add_thread(s, CS_ROLE_OTHER, p, n);
        return true;
    }
    return false;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (n == 0) return CS_X_MORE;
    if (n >= 10 && p[0] == '=' && p[n - 1] == '=' && cs_xindent(l->ptr, l->len) == 0) {
        bool rule = true;
        for (size_t i = 0; i < n && rule; i++)
            rule = p[i] == '=';
        if (rule) {
            s->t->line_end = l->no;
            return CS_X_DONE;
        }
    }
    if (s->summary) return CS_X_REJECT; /* the closing row is missing */
    if (p[0] == '#') {
        cs_frame tmp = {0};
        if (cs_san_parse_frame(p, n, &tmp)) {
            if (s->cur < 0) {
                /* Reports whose first stack follows the WARNING line. */
                s->cur = add_thread(s, s->primary ? CS_ROLE_OTHER : CS_ROLE_CRASHED, NULL, 0);
                s->primary = true;
            }
            cs_frame *f = s->cur >= 0 ? cs_thread_add_frame(&s->t->threads[s->cur]) : NULL;
            if (f)
                *f = tmp;
            else
                cs_frame_dispose(&tmp);
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
    }
    if (cs_starts_with(p, n, "SUMMARY: ")) {
        free(s->t->headline);
        s->t->headline = cs_xstrndup(p + 9, n - 9);
        s->summary = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (header(s, p, n)) {
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "WARNING: ThreadSanitizer: ")) {
        s->t->truncated = true;
        return CS_X_REJECT;
    }
    /* "(mutexes: write M1):" continuation rows, "Cycle in lock order graph",
     * "Hint: ...", "[failed to restore the stack]", "And 2 more similar ..." */
    if (cs_xindent(l->ptr, l->len) > 0 || p[0] == '(' || p[0] == '[') return CS_X_MORE;
    if (++s->unknown > TSAN_MAX_UNKNOWN) {
        s->t->truncated = true;
        return CS_X_REJECT;
    }
    return CS_X_MORE;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    if (eof && !s->summary) s->t->truncated = true;
    if (s->t->n_threads == 0 && !s->summary)
        cs_trace_free(s->t);
    else
        cs_xctx_emit(x, s->t);
    free(s);
}

const cs_dialect cs_dialect_tsan = {
    .name = "tsan",
    .patterns = patterns,
    .first_chars = "W=",
    .start = start,
    .feed = feed,
    .finish = finish,
};

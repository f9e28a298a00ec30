/* go_race.c - the Go race detector's reports (runtime/race, a ThreadSanitizer
 * build with Go-style frames):
 *
 *   ==================
 *   WARNING: DATA RACE
 *   Write at 0x00c0000a4090 by goroutine 8:
 *     runtime.mapassign_faststr()
 *         /usr/lib/go/src/runtime/map_faststr.go:203 +0x0
 *   Previous read at 0x00c0000a4090 by main goroutine:
 *     ...
 *   Goroutine 8 (running) created at:
 *     ...
 *   ==================
 */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "go.h"

static cs_regex *re_access, *re_created, *re_wrapped;

static const cs_xpattern patterns[] = {
    /* "Write at 0x... by goroutine 7:"; the old detector (before Go 1.3)
     * printed "Write by goroutine 7:", without the address. */
    {&re_access, "^(Previous )?((?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))(?: of size (\\d+))?"
                 "(?: at 0x([0-9a-f]+))? by (?:goroutine (\\d+)|(main) goroutine)"},
    {&re_created, "^Goroutine (\\d+) \\(([a-z]+)\\) created at:"},
    {&re_wrapped, "^(?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite)(?: of size \\d+)?"
                  "(?: at 0x[0-9a-f]+)? by(?: goroutine)?$"},
    {0},
};

typedef struct st {
    cs_trace *t;
    long cur;
    bool want_file;
    /* An access header wrapped after "by" or "by goroutine" (a narrow
     * terminal, a paste): the start, waiting for its goroutine. */
    char *wrapped;
} st;

static int feed(void *state, cs_xctx *x, const cs_xline *l);

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    bool warning = n == 18 && memcmp(p, "WARNING: DATA RACE", 18) == 0;
    /* A report pasted without its WARNING line opens with its first access
     * ("Write at 0x... by goroutine 7:"; never a "Previous" one). */
    cs_match m;
    bool headless =
        !warning && p[0] != 'P' && n > 1 && p[n - 1] == ':' && cs_regex_match(re_access, p, n, &m);
    if (!warning && !headless) return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    uint64_t sep = cs_xctx_sep_line(x);
    s->t = cs_trace_new(CS_TK_GO_RACE, cs_xctx_source(x), sep && warning ? sep : l->no);
    s->t->headline = cs_xstrdup(warning ? "WARNING: DATA RACE" : "DATA RACE (no WARNING line)");
    s->cur = -1;
    if (headless) feed(s, x, l);
    return s;
}

static bool elision(const char *p, size_t n)
{
    size_t i = 0, dots = 0;
    if (n && (p[0] == '(' || p[0] == '[')) i++;
    while (i < n && p[i] == '.')
        i++, dots++;
    if (i < n && (p[i] == ')' || p[i] == ']') && p[0] != '.') i++;
    return dots >= 3 && i == n;
}

/* An unindented line taken as a frame only when it can be nothing else:
 * a package-qualified call "pkg.F(...)" without blanks. */
static bool flat_frame(const char *p, size_t n)
{
    return n > 3 && p[n - 1] == ')' && memchr(p, '.', n) && !memchr(p, ' ', n);
}

/* "Read by" / "Write at 0x... by goroutine": an access header cut before
 * its goroutine. */
static bool wrapped_header(const char *p, size_t n)
{
    cs_match m;
    return n > 6 && (p[n - 1] == 'y' || p[n - 1] == 'e') && cs_regex_match(re_wrapped, p, n, &m);
}

/* A frame printed on one line with its file ("pkg.F()    /src/f.go:12
 * +0x1d", a log that joined them): the length of the call, or 0. */
static size_t func_then_file(const char *p, size_t n)
{
    for (size_t i = 1; i + 1 < n; i++) {
        if (p[i] != ' ' && p[i] != '\t') continue;
        if (p[i - 1] != ')') return 0;
        size_t j = i;
        while (j < n && (p[j] == ' ' || p[j] == '\t'))
            j++;
        cs_frame probe = {0};
        bool ok = j < n && cs_go_parse_fileline(p + j, n - j, &probe);
        cs_frame_dispose(&probe);
        return ok ? i : 0;
    }
    return 0;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    if (n == 0) return CS_X_MORE; /* logs that double-space every line keep frames whole */
    s->t->line_end = l->no;
    if (n >= 10 && p[0] == '=' && p[n - 1] == '=') return CS_X_DONE;
    cs_thread *th = s->cur >= 0 ? &s->t->threads[s->cur] : NULL;
    size_t ind = cs_xindent(l->ptr, l->len);
    cs_match m;
    /* A file line at no indent: a paste or CI viewer that lost the tabs
     * (and the frames' indent with them, below). */
    if (s->want_file && th && th->n_frames) {
        s->want_file = false;
        if (cs_go_parse_fileline(l->ptr, l->len, &th->frames[th->n_frames - 1])) return CS_X_MORE;
    }
    /* Headers at any indent: a report pasted or logged indented as a whole
     * keeps its own layout (headers shallower than their frames). */
    char *joined = NULL;
    if (s->wrapped) {
        joined = cs_xasprintf("%s %.*s", s->wrapped, (int)n, p);
        free(s->wrapped);
        s->wrapped = NULL;
        if (cs_regex_match(re_access, joined, strlen(joined), &m)) {
            p = joined;
            n = strlen(joined);
        } else {
            free(joined);
            joined = NULL;
        }
    } else if (wrapped_header(p, n)) {
        s->wrapped = cs_xstrndup(p, n);
        return CS_X_MORE;
    }
    if (joined || cs_regex_match(re_access, p, n, &m)) {
        bool prev = cs_match_group(&m, 1, &(const char *){0}, &(size_t){0});
        cs_thread *a = cs_trace_add_thread(s->t, prev ? CS_ROLE_PREVIOUS : CS_ROLE_ACCESS);
        s->cur = a ? (long)(a - s->t->threads) : -1;
        s->want_file = false;
        if (!a) return CS_X_MORE;
        const char *g;
        size_t gn;
        cs_match_group(&m, 2, &g, &gn);
        a->access = cs_xlower_dup(g, gn);
        a->size = (int)cs_match_num(&m, 3, 0);
        if (cs_match_group(&m, 4, &g, &gn)) a->addr = cs_xhex(g, gn);
        if (cs_match_group(&m, 6, &g, &gn)) {
            a->name = cs_xstrdup("main goroutine");
        } else {
            a->id = cs_match_num(&m, 5, -1);
            a->name = cs_xasprintf("goroutine %lld", a->id);
        }
        a->label = cs_xstrndup(p, n);
        free(joined);
        return CS_X_MORE;
    }
    if (cs_regex_match(re_created, p, n, &m)) {
        cs_thread *c = cs_trace_add_thread(s->t, CS_ROLE_CREATION);
        s->cur = c ? (long)(c - s->t->threads) : -1;
        s->want_file = false;
        if (c) {
            c->id = cs_match_num(&m, 1, -1);
            c->name = cs_xasprintf("goroutine %lld", c->id);
            c->state = cs_match_dup(&m, 2);
            c->label = cs_xstrndup(p, n);
        }
        return CS_X_MORE;
    }
    if (th && (ind > 0 || flat_frame(p, n))) {
        cs_frame tmp = {0};
        size_t fn = func_then_file(p, n);
        if (fn && cs_go_parse_func(p, fn, &tmp)) {
            const char *q = p + fn;
            size_t qn = n - fn;
            cs_xtrim(&q, &qn);
            cs_go_parse_fileline(q, qn, &tmp);
            cs_frame *f = cs_thread_add_frame(th);
            if (f)
                *f = tmp;
            else
                cs_frame_dispose(&tmp);
            return CS_X_MORE;
        }
        if (cs_go_parse_func(p, n, &tmp)) {
            cs_frame *f = cs_thread_add_frame(th);
            if (f)
                *f = tmp;
            else
                cs_frame_dispose(&tmp);
            s->want_file = f != NULL;
            return CS_X_MORE;
        }
        if (cs_starts_with(p, n, "...")) {
            th->elided = true;
            return CS_X_MORE;
        }
    }
    /* An elision mark of whoever pasted the report ("...", "(....)",
     * "[...]"): frames were left out here, the report goes on. */
    if (th && elision(p, n)) {
        th->elided = true;
        return CS_X_MORE;
    }
    /* The detector lost this access's stack: the access is known, its site
     * is not (the race module makes the pair one-sided). At any indent, as
     * the headers. */
    if (th && cs_starts_with(p, n, "[failed to restore the stack]")) {
        th->elided = true;
        return CS_X_MORE;
    }
    /* Anything else: the report was cut short before its closing rule. */
    s->t->truncated = true;
    s->t->line_end = l->no - 1;
    return CS_X_REJECT;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    free(s->wrapped);
    if (eof) s->t->truncated = true;
    if (s->t->n_threads == 0) {
        cs_trace_free(s->t);
    } else {
        cs_go_test_from_frames(s->t);
        cs_xctx_emit(x, s->t);
    }
    free(s);
}

const cs_dialect cs_dialect_go_race = {
    .name = "go-race",
    .patterns = patterns,
    .first_chars = "WR", /* WARNING; headless reports open with Read/Write */
    .start = start,
    .feed = feed,
    .finish = finish,
};

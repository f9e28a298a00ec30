/* gorecover.c - the stacks Go web frameworks log for a panic they recovered:
 * gin's and martini's Recovery middleware, Gitea's log.Stack.
 *
 * Grammar (gin recovery.go stack(), martini recovery.go, Gitea
 * modules/log/stack.go):
 *   [Recovery] 2026/12/02 - 13:53:26 panic recovered:   gin's header; a dump of
 *   GET /x HTTP/1.1 / Host: ...                         the request may follow
 *   assignment to entry in nil map                      the value: the last line
 *                                                       before the stack
 *   /usr/local/go/src/runtime/panic.go:336 (0x48c8f7)   a frame: file:line (pc)
 *   \tpanicmem: panic(memoryError)                     gin, martini: function and
 *                                                       source line (the function
 *                                                       without its package)
 *   ... [E] PANIC whilst running task: T Value: MSG     Gitea: header and value on
 *                                                       one line; frames without
 *                                                       function lines
 * The process lived on (the middleware answered 500), but the panic is the
 * bug: a trace of kind go. A function the stack names without its package is
 * qualified by its file's import path where the path says it (GOROOT's
 * src/, the module cache), so that Go's rules know runtime and testing. */
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "extract.h"

static cs_regex *re_frame, *re_func, *re_header;

static const cs_xpattern patterns[] = {
    /* runtime's assembly (asm_amd64.s) ends a goroutine's stack. */
    {&re_frame, "^\\s*(\\S+?\\.(?:go|s)):(\\d+) \\(0x([0-9a-f]+)\\)\\s*$"},
    /* A Go function name has no blank or colon; the source may be empty. */
    {&re_func, "^\\s+([^\\s:]+): ?(.*)$"},
    /* "PANIC: msg", "PANIC whilst ...", "Panic in m: msg": the word and
     * what follows it (a kernel's "ZIRCON KERNEL PANIC" banner ends there). */
    {&re_header, "(?:\\b|_)((?:PANIC|[Pp]anic)(?::? )\\S.*|panic recovered:?.*)$"},
    {0},
};

/* Lines between a header and its first frame: gin's request dump (a
 * request line and its headers), blank lines, the value. Gitea's and
 * martini's "PANIC" lines are followed by the stack at once: a "PANIC"
 * line followed by anything else than a frame or a blank line is no
 * header, and that line goes to the other dialects. */
#define MAX_HEAD_LINES 24
#define MAX_PANIC_HEAD_LINES 2

enum { HEAD, FRAMES };

typedef struct st {
    cs_trace *t;
    int phase;
    int head_lines, max_head;
    char *header; /* from the keyword on */
    char *value;  /* the last non-blank line before the stack */
    cs_frame *last;
} st;

/* "runtime", "internal/runtime/maps", "github.com/gin-gonic/gin": where the
 * file's directory names a Go import path (GOROOT's src/, the module cache,
 * a -trimpath build's relative paths); NULL for a checkout elsewhere. */
static char *import_path(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash) return NULL;
    const char *mod = strstr(file, "/pkg/mod/"), *from = NULL;
    if (mod) {
        from = mod + 9;
    } else if (file[0] != '/' && file[0] != '.' && !strchr(file, ':')) {
        from = file;
    } else {
        for (const char *p = file; (p = strstr(p, "/src/")) && p < slash; p++)
            from = p + 5;
    }
    if (!from || from >= slash) return NULL;
    cs_buf b;
    cs_buf_init(&b, 0);
    for (const char *p = from; p < slash;) {
        /* "gin@v1.10.1": a module cache directory carries its version. */
        const char *at = memchr(p, '@', (size_t)(slash - p));
        const char *next = memchr(p, '/', (size_t)(slash - p));
        const char *end = next ? next : slash;
        cs_buf_add(&b, p, (size_t)((at && at < end ? at : end) - p));
        if (!next) break;
        cs_buf_add(&b, "/", 1);
        p = next + 1;
    }
    return cs_buf_take(&b);
}

static void set_function(cs_frame *f, const char *name, size_t n)
{
    char *dir = f->file ? import_path(f->file) : NULL;
    /* gin strips "pkg/path." and keeps the rest: "(*Context).Next",
     * "CustomRecoveryWithWriter.func1", "tRunner". */
    f->function = dir ? cs_xasprintf("%s.%.*s", dir, (int)n, name) : cs_xstrndup(name, n);
    free(dir);
}

static cs_frame *add_frame(st *s, const cs_match *m)
{
    cs_thread *th =
        s->t->n_threads ? &s->t->threads[0] : cs_trace_add_thread(s->t, CS_ROLE_CRASHED);
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (!f) return NULL;
    f->file = cs_match_dup(m, 1);
    f->line = (int)cs_match_num(m, 2, 0);
    const char *g;
    size_t gn;
    if (cs_match_group(m, 3, &g, &gn)) {
        f->pc = cs_xhex(g, gn);
        f->has_pc = true;
    }
    return f;
}

/* "file.go:N (0xpc)": the literal first, the pattern only where it is. */
static bool frame_line(const char *p, size_t n, cs_match *m)
{
    return n > 8 && cs_memmem(p, n, " (0x", 4) && cs_regex_match(re_frame, p, n, m);
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    bool frame = frame_line(p, n, &m);
    if (!frame && !((cs_memmem(p, n, "PANIC", 5) || cs_memmem(p, n, "anic", 4)) &&
                    cs_regex_match(re_header, p, n, &m)))
        return NULL;
    st *s = cs_xcalloc(1, sizeof *s);
    s->t = cs_trace_new(CS_TK_GO_PANIC, cs_xctx_source(x), l->no);
    s->t->line_end = l->no;
    if (frame) {
        s->last = add_frame(s, &m);
        s->phase = FRAMES;
    } else {
        s->header = cs_match_dup(&m, 1);
        s->max_head = cs_starts_with(s->header, strlen(s->header), "panic recovered")
                          ? MAX_HEAD_LINES
                          : MAX_PANIC_HEAD_LINES;
        s->phase = HEAD;
    }
    return s;
}

static bool blank(const char *p, size_t n)
{
    cs_xtrim(&p, &n);
    return n == 0;
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_match m;
    bool is_frame = frame_line(p, n, &m);
    if (is_frame) {
        s->last = add_frame(s, &m);
        s->phase = FRAMES;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (s->phase == FRAMES) {
        if (s->last && !s->last->function && (p[0] == '\t' || p[0] == ' ') &&
            cs_regex_match(re_func, p, n, &m)) {
            const char *g;
            size_t gn;
            cs_match_group(&m, 1, &g, &gn);
            set_function(s->last, g, gn);
            s->last = NULL;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        return CS_X_REJECT;
    }
    /* HEAD: a report of another dialect is never this header's value. */
    if (++s->head_lines > s->max_head || cs_starts_with(p, n, "goroutine ") ||
        cs_starts_with(p, n, "panic: ") || cs_starts_with(p, n, "fatal error: "))
        return CS_X_REJECT;
    if (!blank(p, n)) {
        if (s->max_head == MAX_PANIC_HEAD_LINES) return CS_X_REJECT;
        cs_xtrim(&p, &n);
        free(s->value);
        s->value = cs_xstrndup(p, n);
    }
    return CS_X_MORE;
}

static bool named(const cs_thread *th)
{
    for (size_t i = 0; i < th->n_frames; i++)
        if (th->frames[i].function) return true;
    return false;
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    (void)eof;
    cs_trace *t = s->t;
    /* A stack of files alone without its header line is a piece of some
     * log line's stack (Gitea logs errors with stacks too): nothing says a
     * panic happened. */
    if (!t->n_threads || !t->threads[0].n_frames || (!s->header && !named(&t->threads[0]))) {
        cs_trace_free(t);
    } else {
        /* gin: the value is the line before the stack; Gitea's header holds
         * it ("PANIC whilst running task: T Value: MSG"). */
        t->headline = s->value    ? cs_xasprintf("panic: %s", s->value)
                      : s->header ? cs_xstrdup(s->header)
                                  : cs_xstrdup("panic");
        t->survived = true;
        cs_xctx_emit(x, t);
    }
    free(s->header);
    free(s->value);
    free(s);
}

const cs_dialect cs_dialect_gorecover = {
    .name = "gorecover",
    .patterns = patterns,
    .first_chars = NULL,
    .literals = (const char *const[]){" (0x", "PANIC", "anic", NULL},
    .start = start,
    .feed = feed,
    .finish = finish,
};

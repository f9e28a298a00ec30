/* test2json.c - `go test -json` streams (cmd/test2json): one JSON event per
 * line, {"Time":..,"Action":"output","Package":"p","Test":"T","Output":"..."}.
 *
 * The output of each (package, test) is put back together - an Output can
 * hold part of a line, or several - and extracted as its own stream, each
 * reconstructed line carrying the member line of the event it started in.
 * A line that is not an event (build output, a panic printed raw by an old
 * go tool) is extracted as package-less output. */
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/lines.h"
#include "../base/util.h"
#include "readers.h"

#define MAX_STREAMS 100000

typedef struct stream {
    uint64_t hash; /* of (package, test): its slot in t2j.index */
    char *package;
    char *test;
    cs_extractor *x;
    cs_results res;
    cs_buf pending;      /* a line still missing its newline */
    uint64_t pending_no; /* the event line it started in */
    cs_test_record *rec; /* its pass/fail/skip events (owned by res) */
} stream;

typedef struct t2j {
    const char *source;
    const cs_extract_opts *opts;
    stream **streams; /* pointers: each extractor keeps &stream->res */
    size_t n_streams, cap_streams;
    /* Open-addressing index of streams by (package, test) hash: every event
     * looks its stream up here. A scan of all streams per event made 100,000
     * tests cost 75-100 s. Power-of-two size, at most half full. */
    stream **index;
    size_t index_cap;
    bool capped;
    uint64_t n_bad, first_bad; /* malformed event lines */
    cs_results *out;
    cs_buf key, val, pkg, test, output, action;
} t2j;

static uint64_t stream_hash(const char *pkg, const char *test)
{
    /* The NUL between the two keeps ("ab","c") and ("a","bc") apart. */
    uint64_t h = cs_hash64(pkg, strlen(pkg) + 1, 0);
    return cs_hash64(test, strlen(test), h);
}

static void index_put(stream **index, size_t cap, stream *s)
{
    size_t i = (size_t)s->hash & (cap - 1);
    while (index[i])
        i = (i + 1) & (cap - 1);
    index[i] = s;
}

static stream *find_stream(t2j *t, const char *pkg, const char *test)
{
    uint64_t h = stream_hash(pkg, test);
    if (t->index_cap) {
        for (size_t i = (size_t)h & (t->index_cap - 1); t->index[i];
             i = (i + 1) & (t->index_cap - 1)) {
            stream *s = t->index[i];
            if (s->hash == h && strcmp(s->package, pkg) == 0 && strcmp(s->test, test) == 0)
                return s;
        }
    }
    if (t->n_streams >= MAX_STREAMS) {
        if (!t->capped)
            cs_results_add_diag(t->out, t->source,
                                "more than %d test streams; the rest were not read", MAX_STREAMS);
        t->capped = true;
        return NULL;
    }
    stream *s = cs_xcalloc(1, sizeof *s);
    s->hash = h;
    *CS_PUSH(t->streams, t->n_streams, t->cap_streams) = s;
    if (t->n_streams * 2 > t->index_cap) {
        size_t cap = t->index_cap ? t->index_cap * 2 : 64;
        stream **index = cs_xcalloc(cap, sizeof *index);
        for (size_t i = 0; i < t->n_streams; i++)
            index_put(index, cap, t->streams[i]);
        free(t->index);
        t->index = index;
        t->index_cap = cap;
    } else {
        index_put(t->index, t->index_cap, s);
    }
    s->package = cs_xstrdup(pkg);
    s->test = cs_xstrdup(test);
    cs_results_init(&s->res);
    s->x = cs_extractor_new(t->source, t->opts, &s->res);
    cs_extractor_set_test(s->x, *test ? test : NULL);
    cs_extractor_set_reader(s->x);
    cs_buf_init(&s->pending, t->opts->max_line);
    return s;
}

static void stream_output(stream *s, const char *p, size_t n, uint64_t no)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (s->pending.len == 0) s->pending_no = no;
        /* Over-long lines are cut at the limit, as in plain logs. */
        size_t room = s->pending.max > s->pending.len ? s->pending.max - s->pending.len : 0;
        cs_buf_add(&s->pending, p, k < room ? k : room);
        if (!nl) return;
        cs_extractor_line(s->x, s->pending.ptr ? s->pending.ptr : "", s->pending.len,
                          s->pending_no);
        cs_buf_clear(&s->pending);
        p = nl + 1;
        n -= k + 1;
    }
}

/* ---- a strict reader for flat JSON objects ---------------------------- */

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(cs_buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        cs_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        cs_buf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        cs_buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        cs_buf_add(b, u, 4);
    }
}

static int read_u4(const char **pp, const char *e, unsigned *cp)
{
    const char *p = *pp;
    if (e - p < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v << 4 | (unsigned)h;
    }
    *pp = p + 4;
    *cp = v;
    return 0;
}

/* Parses a JSON string at *pp (after the opening quote) into b. */
static int parse_string(const char **pp, const char *e, cs_buf *b)
{
    const char *p = *pp;
    cs_buf_clear(b);
    while (p < e) {
        const char *q = p;
        while (q < e && *q != '"' && *q != '\\')
            q++;
        cs_buf_add(b, p, (size_t)(q - p));
        p = q;
        if (p >= e) return -1;
        if (*p == '"') {
            *pp = p + 1;
            return 0;
        }
        if (++p >= e) return -1;
        char c = *p++;
        switch (c) {
        case 'n':
            cs_buf_addc(b, '\n');
            break;
        case 't':
            cs_buf_addc(b, '\t');
            break;
        case 'r':
            cs_buf_addc(b, '\r');
            break;
        case 'b':
            cs_buf_addc(b, '\b');
            break;
        case 'f':
            cs_buf_addc(b, '\f');
            break;
        case '/':
        case '\\':
        case '"':
            cs_buf_addc(b, c);
            break;
        case 'u': {
            unsigned cp;
            if (read_u4(&p, e, &cp)) return -1;
            if (cp >= 0xd800 && cp <= 0xdbff && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                const char *r = p + 2;
                unsigned lo;
                if (read_u4(&r, e, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p = r;
                }
            }
            if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
            put_utf8(b, cp);
            break;
        }
        default:
            return -1;
        }
    }
    return -1;
}

/* Skips a non-string value (number, literal, or a nested value). */
static const char *skip_value(const char *p, const char *e)
{
    int depth = 0;
    bool in_str = false;
    for (; p < e; p++) {
        char c = *p;
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0) return p;
            depth--;
        } else if (c == ',' && depth == 0)
            return p;
    }
    return p;
}

/* Parses one event line; false when it is not a JSON object. */
static bool parse_event(t2j *t, const char *p, size_t n)
{
    const char *e = p + n;
    p = skip_ws(p, e);
    if (p >= e || *p != '{') return false;
    p++;
    cs_buf_clear(&t->pkg);
    cs_buf_clear(&t->test);
    cs_buf_clear(&t->output);
    cs_buf_clear(&t->action);
    bool have_output = false;
    for (;;) {
        p = skip_ws(p, e);
        if (p < e && *p == '}') return true;
        if (p >= e || *p != '"') return false;
        p++;
        if (parse_string(&p, e, &t->key)) return false;
        p = skip_ws(p, e);
        if (p >= e || *p != ':') return false;
        p = skip_ws(p + 1, e);
        if (p < e && *p == '"') {
            p++;
            const char *k = t->key.ptr ? t->key.ptr : "";
            cs_buf *dst = strcmp(k, "Package") == 0  ? &t->pkg
                          : strcmp(k, "Test") == 0   ? &t->test
                          : strcmp(k, "Output") == 0 ? &t->output
                          : strcmp(k, "Action") == 0 ? &t->action
                                                     : &t->val;
            if (parse_string(&p, e, dst)) return false;
            if (dst == &t->output) have_output = true;
        } else {
            p = skip_value(p, e);
        }
        p = skip_ws(p, e);
        if (p < e && *p == ',') {
            p++;
            continue;
        }
        if (p < e && *p == '}') break;
        return false;
    }
    (void)have_output;
    return true;
}

typedef struct linectx {
    t2j *t;
    stream *raw; /* non-JSON lines */
} linectx;

static int on_line(void *ctx, const cs_line *l)
{
    linectx *c = ctx;
    t2j *t = c->t;
    if (!parse_event(t, l->ptr, l->len)) {
        /* A line that opens an object but is not one: a stream cut
         * mid-line or a corrupt event. Its text is still read as output,
         * and the member gets one error entry naming the first. */
        const char *q = l->ptr;
        size_t k = l->len;
        cs_xtrim(&q, &k);
        if (k && q[0] == '{' && !t->n_bad++) t->first_bad = l->no;
        /* Not an event: "go test -json" still prints build errors and some
         * crashes raw. Extract them as output of no test. */
        stream *s = find_stream(t, "", "");
        if (s) {
            stream_output(s, l->ptr, l->len, l->no);
            stream_output(s, "\n", 1, l->no);
        }
        return 0;
    }
    const char *action = t->action.ptr ? t->action.ptr : "";
    const char *pkg = t->pkg.ptr ? t->pkg.ptr : "", *test = t->test.ptr ? t->test.ptr : "";
    /* A test's pass/fail/skip event is one run's outcome (package events,
     * with no Test, are not a test's). */
    cs_outcome o = strcmp(action, "pass") == 0   ? CS_OUT_PASS
                   : strcmp(action, "fail") == 0 ? CS_OUT_FAIL
                   : strcmp(action, "skip") == 0 ? CS_OUT_SKIP
                                                 : 0;
    if (o && *test) {
        stream *s = find_stream(t, pkg, test);
        if (!s) return 0;
        if (!s->rec) {
            s->rec =
                cs_test_record_new(t->source, *pkg ? pkg : NULL, test, strlen(test), CS_TF_JSON);
            cs_results_add_test(&s->res, s->rec);
        }
        if (s->rec->n < CS_MAX_TEST_RUNS_PER_MEMBER) cs_test_record_add(s->rec, o, l->no);
        return 0;
    }
    if (strcmp(action, "output") != 0 || t->output.len == 0) return 0;
    stream *s = find_stream(t, pkg, test);
    if (s) stream_output(s, t->output.ptr, t->output.len, l->no);
    return 0;
}

int cs_test2json_read(const char *source, const cs_extract_opts *opts, cs_pull pull, void *ctx,
                      cs_results *out)
{
    t2j t = {.source = source, .opts = opts, .out = out};
    /* One event line may carry a long Output; allow a few lines' worth. */
    size_t max_event = opts->max_line * 4;
    cs_buf_init(&t.key, 1024);
    cs_buf_init(&t.val, max_event);
    cs_buf_init(&t.pkg, 4096);
    cs_buf_init(&t.test, 4096);
    cs_buf_init(&t.output, max_event);
    cs_buf_init(&t.action, 64);
    linectx lc = {&t, NULL};
    cs_lines lines;
    cs_lines_init(&lines, max_event, on_line, &lc);
    char buf[65536];
    ssize_t k;
    while ((k = pull(ctx, buf, sizeof buf)) > 0)
        cs_lines_feed(&lines, buf, (size_t)k);
    cs_lines_finish(&lines);
    if (lines.n_overlong)
        cs_results_add_diag(out, source, "%llu event line(s) longer than %zu bytes were cut",
                            (unsigned long long)lines.n_overlong, max_event);
    cs_lines_dispose(&lines);
    if (t.n_bad)
        cs_results_add_diag(out, source,
                            "%llu malformed go test -json event line(s), the first at line %llu; "
                            "their text was read as plain output",
                            (unsigned long long)t.n_bad, (unsigned long long)t.first_bad);
    size_t first = out->n_traces, first_test = out->n_tests;
    for (size_t i = 0; i < t.n_streams; i++) {
        stream *s = t.streams[i];
        if (s->pending.len) cs_extractor_line(s->x, s->pending.ptr, s->pending.len, s->pending_no);
        cs_extractor_finish(s->x);
        cs_extractor_free(s->x);
        cs_results_move(out, &s->res);
        cs_buf_dispose(&s->pending);
        free(s->package);
        free(s->test);
        free(s);
    }
    free(t.streams);
    free(t.index);
    /* Streams are extracted apart; a failure in one test stream can be
     * explained by a panic printed in the package stream. */
    cs_results_sort_traces_from(out, first);
    cs_extract_merge_failures(out, first, first_test);
    cs_buf_dispose(&t.key);
    cs_buf_dispose(&t.val);
    cs_buf_dispose(&t.pkg);
    cs_buf_dispose(&t.test);
    cs_buf_dispose(&t.output);
    cs_buf_dispose(&t.action);
    return 0;
}

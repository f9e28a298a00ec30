/* shard.c - writes and reads shards (shard.h, docs/shard.md) with jansson.
 * One record per line; objects keep their keys in insertion order, so the
 * same results give the same bytes. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../base/error.h"
#include "../base/lines.h"
#include "../base/util.h"
#include "shard.h"

#define MAX_BAD_LINES 100 /* error entries per shard before the rest is skipped */
#define CHUNK (256u << 10)

void cs_shard_header_dispose(cs_shard_header *h)
{
    if (!h) return;
    free(h->tool_version);
    free(h->sig_version);
    for (size_t i = 0; i < h->n_inputs; i++)
        free(h->inputs[i]);
    free(h->inputs);
    memset(h, 0, sizeof *h);
}

/* ---- writing ---------------------------------------------------------- */

/* A string as JSON: itself when it is valid UTF-8 (jansson checks), else
 * {"hex": "..."} so every byte comes back. NULL is null. */
static json_t *str(const char *s)
{
    if (!s) return json_null();
    json_t *j = json_string(s);
    if (j) return j;
    size_t n = strlen(s);
    char *hex = cs_xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
    j = json_pack("{s:s}", "hex", hex);
    free(hex);
    return j;
}

/* 64-bit addresses do not fit JSON's safe integers: hex strings. */
static json_t *hex64(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "0x%" PRIx64, v);
    return json_string(b);
}

static void set(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v);
}

static json_t *frame_json(const cs_frame *f)
{
    json_t *o = json_object();
    set(o, "function", str(f->function));
    set(o, "file", str(f->file));
    if (f->line) set(o, "line", json_integer(f->line));
    if (f->column) set(o, "column", json_integer(f->column));
    if (f->module) set(o, "module", str(f->module));
    if (f->has_offset) set(o, "offset", hex64(f->offset));
    if (f->has_pc) set(o, "pc", hex64(f->pc));
    if (f->pc_is_return) set(o, "pc_is_return", json_true());
    if (f->inlined) set(o, "inlined", json_true());
    if (f->dynsym) set(o, "dynsym", json_true());
    if (f->build_id) set(o, "build_id", str(f->build_id));
    /* Normalized (informational: merge normalizes again, docs/shard.md). */
    if (f->norm_function) set(o, "norm_function", str(f->norm_function));
    if (f->norm_file) set(o, "norm_file", str(f->norm_file));
    if (f->significant) set(o, "significant", json_true());
    return o;
}

static json_t *thread_json(const cs_thread *t)
{
    json_t *o = json_object();
    set(o, "role", json_string(cs_role_name(t->role)));
    set(o, "name", str(t->name));
    if (t->id != -1) set(o, "id", json_integer(t->id));
    if (t->state) set(o, "state", str(t->state));
    if (t->label) set(o, "label", str(t->label));
    if (t->access) set(o, "access", str(t->access));
    if (t->addr) set(o, "addr", hex64(t->addr));
    if (t->size) set(o, "size", json_integer(t->size));
    if (t->created_by_id != -1) set(o, "created_by_id", json_integer(t->created_by_id));
    if (t->created_by) set(o, "created_by", frame_json(t->created_by));
    if (t->elided) set(o, "elided", json_true());
    json_t *fr = json_array();
    for (size_t i = 0; i < t->n_frames; i++)
        json_array_append_new(fr, frame_json(&t->frames[i]));
    set(o, "frames", fr);
    return o;
}

static json_t *trace_json(const cs_trace *t)
{
    json_t *o = json_object();
    set(o, "type", json_string("trace"));
    set(o, "kind", json_string(cs_trace_kind_name(t->kind)));
    set(o, "source", str(t->source));
    set(o, "line", json_integer((json_int_t)t->line_start));
    set(o, "end_line", json_integer((json_int_t)t->line_end));
    set(o, "seq", json_integer((json_int_t)t->seq));
    set(o, "headline", str(t->headline));
    set(o, "test", str(t->test));
    if (t->truncated) set(o, "truncated", json_true());
    if (t->summary) set(o, "summary", json_true());
    if (t->cause_line)
        set(o, "cause",
            json_pack("{s:I,s:s}", "line", (json_int_t)t->cause_line, "kind",
                      cs_trace_kind_name(t->cause_kind)));
    if (t->stack_line)
        set(o, "stack_from",
            json_pack("{s:I,s:s}", "line", (json_int_t)t->stack_line, "kind",
                      cs_trace_kind_name(t->stack_kind)));
    if (t->n_dropped_threads)
        set(o, "dropped_threads", json_integer((json_int_t)t->n_dropped_threads));
    if (t->location) set(o, "location", frame_json(t->location));
    set(o, "signature", str(t->signature));
    set(o, "class", str(t->norm_headline));
    json_t *th = json_array();
    for (size_t i = 0; i < t->n_threads; i++)
        json_array_append_new(th, thread_json(&t->threads[i]));
    set(o, "threads", th);
    return o;
}

static const char *const test_formats[] = {
    [CS_TF_TEXT] = "text", [CS_TF_JSON] = "json", [CS_TF_JUNIT] = "junit"};

static json_t *test_json(const cs_test_record *t)
{
    json_t *o = json_object();
    set(o, "type", json_string("test"));
    set(o, "source", str(t->source));
    set(o, "package", str(t->package));
    set(o, "name", str(t->name));
    set(o, "format", json_string(test_formats[t->format]));
    set(o, "outcomes", json_stringn(t->outcomes ? t->outcomes : "", t->n));
    json_t *lines = json_array();
    for (size_t i = 0; i < t->n; i++)
        json_array_append_new(lines, json_integer((json_int_t)t->lines[i]));
    set(o, "lines", lines);
    if (t->fails_only) set(o, "fails_only", json_true());
    return o;
}

static int put(FILE *f, json_t *o)
{
    int rc = json_dumpf(o, f, JSON_COMPACT);
    json_decref(o);
    if (rc != 0 || fputc('\n', f) == EOF) return CS_E_IO;
    return 0;
}

int cs_shard_write(FILE *f, const cs_shard_header *h, const cs_results *res)
{
    json_t *o = json_object();
    set(o, "crashsift_shard", json_integer(CS_SHARD_FORMAT_VERSION));
    set(o, "tool_version", str(h->tool_version));
    set(o, "signature_version", str(h->sig_version));
    /* 0 is "not said" (a shard that did not say): written as absent, so
     * reading it back gives the same header (found by fuzz_shard). */
    if (h->sig_frames) set(o, "signature_frames", json_integer(h->sig_frames));
    json_t *in = json_array();
    for (size_t i = 0; i < h->n_inputs; i++)
        json_array_append_new(in, str(h->inputs[i]));
    set(o, "inputs", in);
    int rc = put(f, o);
    for (size_t i = 0; rc == 0 && i < res->n_members; i++) {
        const cs_member *m = &res->members[i];
        o = json_object();
        set(o, "type", json_string("member"));
        set(o, "source", str(m->source));
        set(o, "kind", json_string(cs_member_kind_name(m->kind)));
        set(o, "size", json_integer((json_int_t)m->size));
        if (m->elf_kind) set(o, "elf_kind", str(m->elf_kind));
        if (m->build_id) set(o, "build_id", str(m->build_id));
        rc = put(f, o);
    }
    for (size_t i = 0; rc == 0 && i < res->n_diags; i++) {
        o = json_object();
        set(o, "type", json_string("error"));
        set(o, "source", str(res->diags[i].source));
        set(o, "message", str(res->diags[i].message));
        rc = put(f, o);
    }
    for (size_t i = 0; rc == 0 && i < res->n_tests; i++)
        rc = put(f, test_json(res->tests[i]));
    for (size_t i = 0; rc == 0 && i < res->n_traces; i++)
        rc = put(f, trace_json(res->traces[i]));
    if (rc == 0) {
        o = json_object();
        set(o, "type", json_string("end"));
        set(o, "members", json_integer((json_int_t)res->n_members));
        set(o, "errors", json_integer((json_int_t)res->n_diags));
        set(o, "tests", json_integer((json_int_t)res->n_tests));
        set(o, "traces", json_integer((json_int_t)res->n_traces));
        rc = put(f, o);
    }
    return rc == 0 && !ferror(f) ? 0 : CS_E_IO;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct reader {
    const char *path;
    cs_shard_header *h;
    cs_results *out;
    uint64_t line;
    bool have_header;
    bool stop; /* the rest of the shard is skipped */
    bool saw_end;
    size_t n_bad;
    size_t n_members, n_diags, n_tests, n_traces; /* records read */
    char why[192];                                /* the first problem of the current record */
} reader;

static bool bad(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(reader *r, const char *fmt, ...)
{
    if (r->why[0]) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    return false;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A string field: absent or null is NULL (when nullable), a string is
 * itself, {"hex": "..."} its bytes. *out is set only on success. */
static bool get_str(reader *r, json_t *o, const char *key, bool nullable, char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (!nullable) return bad(r, "'%s' is missing", key);
        *out = NULL;
        return true;
    }
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if (memchr(json_string_value(v), '\0', n)) return bad(r, "'%s' holds a NUL byte", key);
        *out = cs_xstrndup(json_string_value(v), n);
        return true;
    }
    json_t *hx = json_is_object(v) ? json_object_get(v, "hex") : NULL;
    if (!json_is_string(hx) || json_object_size(v) != 1) return bad(r, "'%s' is not a string", key);
    const char *s = json_string_value(hx);
    size_t n = json_string_length(hx);
    if (n % 2) return bad(r, "'%s' has an odd number of hex digits", key);
    char *b = cs_xmalloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int a = hexval(s[2 * i]), c = hexval(s[2 * i + 1]);
        if (a < 0 || c < 0 || (a == 0 && c == 0)) {
            free(b);
            return bad(r, "'%s' has a bad hex byte", key);
        }
        b[i] = (char)(a * 16 + c);
    }
    b[n / 2] = '\0';
    *out = b;
    return true;
}

/* An integer field in [lo, hi]; absent is dflt. */
static bool get_int(reader *r, json_t *o, const char *key, long long lo, long long hi,
                    long long dflt, long long *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        *out = dflt;
        return true;
    }
    if (!json_is_integer(v)) return bad(r, "'%s' is not an integer", key);
    long long x = json_integer_value(v);
    if (x < lo || x > hi) return bad(r, "'%s' is out of range (%lld)", key, x);
    *out = x;
    return true;
}

/* A "0x..." field; absent leaves *has false. */
static bool get_hex64(reader *r, json_t *o, const char *key, uint64_t *out, bool *has)
{
    json_t *v = json_object_get(o, key);
    *has = false;
    *out = 0;
    if (!v) return true;
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0 || !s[2] || strlen(s) > 18)
        return bad(r, "'%s' is not a 0x hex number", key);
    uint64_t x = 0;
    for (const char *p = s + 2; *p; p++) {
        int d = hexval(*p);
        if (d < 0) return bad(r, "'%s' is not a 0x hex number", key);
        x = x << 4 | (uint64_t)d;
    }
    *out = x;
    *has = true;
    return true;
}

static bool get_bool(reader *r, json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        *out = false;
        return true;
    }
    if (!json_is_boolean(v)) return bad(r, "'%s' is not true or false", key);
    *out = json_is_true(v);
    return true;
}

/* An enum by name, from a name function over [0, n). */
static bool get_enum(reader *r, json_t *o, const char *key, const char *(*name)(int), int n,
                     int *out)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s) return bad(r, "'%s' is missing or not a string", key);
    for (int i = 0; i < n; i++)
        if (strcmp(name(i), s) == 0) {
            *out = i;
            return true;
        }
    return bad(r, "unknown %s '%.40s'", key, s);
}

static const char *kind_name(int k)
{
    return cs_trace_kind_name((cs_trace_kind)k);
}
static const char *role_name(int k)
{
    return cs_role_name((cs_role)k);
}
static const char *member_name(int k)
{
    return cs_member_kind_name((cs_member_kind)k);
}

static bool read_frame(reader *r, json_t *o, cs_frame *f)
{
    if (!json_is_object(o)) return bad(r, "a frame is not an object");
    long long line = 0, col = 0;
    bool ok = get_str(r, o, "function", true, &f->function) &&
              get_str(r, o, "file", true, &f->file) &&
              get_int(r, o, "line", 0, INT32_MAX, 0, &line) &&
              get_int(r, o, "column", 0, INT32_MAX, 0, &col) &&
              get_str(r, o, "module", true, &f->module) &&
              get_hex64(r, o, "offset", &f->offset, &f->has_offset) &&
              get_hex64(r, o, "pc", &f->pc, &f->has_pc) &&
              get_bool(r, o, "pc_is_return", &f->pc_is_return) &&
              get_bool(r, o, "inlined", &f->inlined) && get_bool(r, o, "dynsym", &f->dynsym) &&
              get_str(r, o, "build_id", true, &f->build_id) &&
              get_str(r, o, "norm_function", true, &f->norm_function) &&
              get_str(r, o, "norm_file", true, &f->norm_file) &&
              get_bool(r, o, "significant", &f->significant);
    if (!ok) return false;
    f->line = (int)line;
    f->column = (int)col;
    return true;
}

static bool read_thread(reader *r, json_t *o, cs_trace *t)
{
    if (!json_is_object(o)) return bad(r, "a thread is not an object");
    int role = 0;
    if (!get_enum(r, o, "role", role_name, CS_ROLE_COUNT, &role)) return false;
    cs_thread *th = cs_trace_add_thread(t, (cs_role)role);
    if (!th) return true; /* past CS_MAX_THREADS: counted as dropped */
    long long id = 0, size = 0, cid = 0;
    bool has_addr;
    bool ok =
        get_str(r, o, "name", true, &th->name) && get_int(r, o, "id", -1, INT64_MAX, -1, &id) &&
        get_str(r, o, "state", true, &th->state) && get_str(r, o, "label", true, &th->label) &&
        get_str(r, o, "access", true, &th->access) &&
        get_hex64(r, o, "addr", &th->addr, &has_addr) &&
        get_int(r, o, "size", 0, INT32_MAX, 0, &size) &&
        get_int(r, o, "created_by_id", -1, INT64_MAX, -1, &cid) &&
        get_bool(r, o, "elided", &th->elided);
    if (!ok) return false;
    th->id = id;
    th->size = (int)size;
    th->created_by_id = cid;
    json_t *cb = json_object_get(o, "created_by");
    if (cb && !json_is_null(cb)) {
        th->created_by = cs_xcalloc(1, sizeof *th->created_by);
        if (!read_frame(r, cb, th->created_by)) return false;
    }
    json_t *frames = json_object_get(o, "frames");
    if (!json_is_array(frames)) return bad(r, "'frames' is missing or not an array");
    size_t i;
    json_t *v;
    json_array_foreach(frames, i, v)
    {
        cs_frame *f = cs_thread_add_frame(th);
        if (!f) break; /* past CS_MAX_FRAMES: marked elided */
        if (!read_frame(r, v, f)) return false;
    }
    return true;
}

/* "cause": {"line": N, "kind": K}, the crash that explains a test failure;
 * "stack_from" has the same shape (the report a message's stack came from). */
static bool read_link(reader *r, json_t *o, const char *key, uint64_t *line_out,
                      cs_trace_kind *kind_out)
{
    json_t *c = json_object_get(o, key);
    if (!c) return true;
    if (!json_is_object(c)) return bad(r, "'%s' is not an object", key);
    long long line = 0;
    int kind = 0;
    if (!get_int(r, c, "line", 1, INT64_MAX, 0, &line) ||
        !get_enum(r, c, "kind", kind_name, CS_TK_COUNT, &kind))
        return false;
    if (!json_object_get(c, "line")) return bad(r, "'%s' has no line", key);
    *line_out = (uint64_t)line;
    *kind_out = (cs_trace_kind)kind;
    return true;
}

static bool read_cause(reader *r, json_t *o, cs_trace *t)
{
    if (!read_link(r, o, "cause", &t->cause_line, &t->cause_kind) ||
        !read_link(r, o, "stack_from", &t->stack_line, &t->stack_kind))
        return false;
    json_t *loc = json_object_get(o, "location");
    if (!loc) return true;
    t->location = cs_xcalloc(1, sizeof *t->location);
    return read_frame(r, loc, t->location);
}

static const char *format_name(int k)
{
    return test_formats[k];
}

/* A test record: outcomes one letter per run, with a line for each. */
static void read_test(reader *r, json_t *o)
{
    int fmt = 0;
    char *source = NULL, *package = NULL, *name = NULL;
    json_t *out = json_object_get(o, "outcomes"), *lines = json_object_get(o, "lines");
    bool fails_only = false;
    bool ok = get_str(r, o, "source", false, &source) && get_str(r, o, "package", true, &package) &&
              get_str(r, o, "name", false, &name) &&
              get_enum(r, o, "format", format_name, (int)CS_ARRAY_LEN(test_formats), &fmt) &&
              get_bool(r, o, "fails_only", &fails_only) &&
              (json_is_string(out) || bad(r, "'outcomes' is missing or not a string")) &&
              (json_is_array(lines) || bad(r, "'lines' is missing or not an array"));
    size_t n = ok ? json_string_length(out) : 0;
    if (ok && n != json_array_size(lines)) ok = bad(r, "'outcomes' and 'lines' differ in length");
    if (ok && n > CS_MAX_TEST_RUNS_PER_MEMBER)
        ok = bad(r, "more than %d runs", CS_MAX_TEST_RUNS_PER_MEMBER);
    const char *oc = ok ? json_string_value(out) : NULL;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *l = json_array_get(lines, i);
        if (oc[i] != CS_OUT_PASS && oc[i] != CS_OUT_FAIL && oc[i] != CS_OUT_SKIP)
            ok = bad(r, "unknown outcome '%c'", oc[i] >= 0x20 && oc[i] < 0x7f ? oc[i] : '?');
        else if (!json_is_integer(l) || json_integer_value(l) < 0)
            ok = bad(r, "a test line is not a line number");
    }
    if (ok) {
        cs_test_record *t =
            cs_test_record_new(source, package, name, strlen(name), (cs_test_format)fmt);
        for (size_t i = 0; i < n; i++)
            cs_test_record_add(t, (cs_outcome)oc[i],
                               (uint64_t)json_integer_value(json_array_get(lines, i)));
        t->fails_only = fails_only;
        cs_results_add_test(r->out, t);
        r->n_tests++;
    }
    free(source);
    free(package);
    free(name);
}

static void read_trace(reader *r, json_t *o)
{
    int kind = 0;
    long long line = 0, end = 0, seq = 0, dropped = 0;
    if (!get_enum(r, o, "kind", kind_name, CS_TK_COUNT, &kind) ||
        !get_int(r, o, "line", 0, INT64_MAX, 0, &line))
        return;
    char *source = NULL;
    if (!get_str(r, o, "source", false, &source)) return;
    cs_trace *t = cs_trace_new((cs_trace_kind)kind, source, (uint64_t)line);
    free(source);
    json_t *threads = json_object_get(o, "threads");
    bool ok = get_int(r, o, "end_line", 0, INT64_MAX, line, &end) &&
              get_int(r, o, "seq", 0, INT64_MAX, 0, &seq) &&
              get_str(r, o, "headline", true, &t->headline) &&
              get_str(r, o, "test", true, &t->test) && get_bool(r, o, "truncated", &t->truncated) &&
              get_bool(r, o, "summary", &t->summary) && read_cause(r, o, t) &&
              get_int(r, o, "dropped_threads", 0, INT64_MAX, 0, &dropped) &&
              get_str(r, o, "signature", true, &t->signature) &&
              get_str(r, o, "class", true, &t->norm_headline) &&
              (json_is_array(threads) || bad(r, "'threads' is missing or not an array"));
    size_t i;
    json_t *v;
    if (ok) json_array_foreach(threads, i, v)
        {
            if (!(ok = read_thread(r, v, t))) break;
        }
    if (!ok) {
        cs_trace_free(t);
        return;
    }
    t->line_end = (uint64_t)end;
    t->seq = (uint64_t)seq;
    t->n_dropped_threads += (size_t)dropped;
    cs_results_add_trace(r->out, t);
    r->n_traces++;
}

static void read_member(reader *r, json_t *o)
{
    int kind = 0;
    long long size = 0;
    char *source = NULL, *build_id = NULL, *elf_kind = NULL;
    if (get_enum(r, o, "kind", member_name, CS_MK_COUNT, &kind) &&
        get_int(r, o, "size", 0, INT64_MAX, 0, &size) && get_str(r, o, "source", false, &source) &&
        get_str(r, o, "elf_kind", true, &elf_kind) && get_str(r, o, "build_id", true, &build_id)) {
        cs_results_add_member(r->out, source, (cs_member_kind)kind, (uint64_t)size, elf_kind,
                              build_id);
        r->n_members++;
    }
    free(source);
    free(elf_kind);
}

static void read_error(reader *r, json_t *o)
{
    char *source = NULL, *msg = NULL;
    if (get_str(r, o, "source", false, &source) && get_str(r, o, "message", false, &msg))
        cs_results_add_diag(r->out, source, "%s", msg), r->n_diags++;
    free(source);
    free(msg);
}

static void read_end(reader *r, json_t *o)
{
    long long m = 0, e = 0, ts = 0, t = 0;
    if (!get_int(r, o, "members", 0, INT64_MAX, 0, &m) ||
        !get_int(r, o, "errors", 0, INT64_MAX, 0, &e) ||
        !get_int(r, o, "tests", 0, INT64_MAX, 0, &ts) ||
        !get_int(r, o, "traces", 0, INT64_MAX, 0, &t))
        return;
    r->saw_end = true;
    if ((size_t)m != r->n_members || (size_t)e != r->n_diags || (size_t)ts != r->n_tests ||
        (size_t)t != r->n_traces)
        cs_results_add_diag(r->out, r->path,
                            "shard end record says %lld member(s), %lld error(s), %lld test "
                            "record(s), %lld trace(s), but %zu, %zu, %zu and %zu were read: "
                            "lines are missing or bad",
                            m, e, ts, t, r->n_members, r->n_diags, r->n_tests, r->n_traces);
}

static bool read_header(reader *r, json_t *o)
{
    json_t *v = json_object_get(o, "crashsift_shard");
    if (!json_is_integer(v)) {
        cs_results_add_diag(r->out, r->path,
                            "not a crashsift shard (its first line is no shard header): make "
                            "shards with 'crashsift extract -o FILE PATH...'; skipped");
        return false;
    }
    long long fmt = json_integer_value(v);
    if (fmt != CS_SHARD_FORMAT_VERSION) {
        cs_results_add_diag(r->out, r->path,
                            "shard format version %lld; this crashsift reads version %d: make "
                            "the shard and merge it with the same crashsift; skipped",
                            fmt, CS_SHARD_FORMAT_VERSION);
        return false;
    }
    long long k = 0;
    cs_shard_header *h = r->h;
    json_t *in = json_object_get(o, "inputs");
    bool ok = get_str(r, o, "tool_version", true, &h->tool_version) &&
              get_str(r, o, "signature_version", false, &h->sig_version) &&
              get_int(r, o, "signature_frames", 1, 32, 0, &k) &&
              (json_is_array(in) || bad(r, "'inputs' is missing or not an array"));
    if (ok) {
        h->format = (int)fmt;
        h->sig_frames = (int)k;
        h->inputs = cs_xcalloc(json_array_size(in) + 1, sizeof *h->inputs);
        size_t i;
        json_t *p;
        json_array_foreach(in, i, p)
        {
            char *s = NULL;
            json_t *wrap = json_pack("{s:O}", "input", p);
            bool good = get_str(r, wrap, "input", false, &s);
            json_decref(wrap);
            if (!good) break;
            h->inputs[h->n_inputs++] = s;
        }
    }
    if (r->why[0]) {
        cs_results_add_diag(r->out, r->path, "bad shard header: %s; skipped", r->why);
        return false;
    }
    return true;
}

static int on_line(void *ctx, const cs_line *l)
{
    reader *r = ctx;
    r->line = l->no;
    if (r->stop) return 1;
    if (l->len == 0 && r->have_header) return 0;
    if (l->flags & CS_LINE_OVERLONG) {
        snprintf(r->why, sizeof r->why, "longer than %u MiB", CS_SHARD_MAX_LINE >> 20);
    }
    json_t *o = NULL;
    if (!r->why[0]) {
        json_error_t err;
        o = json_loadb(l->ptr, l->len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &err);
        if (!o)
            snprintf(r->why, sizeof r->why, "not JSON: %s", err.text);
        else if (!json_is_object(o))
            snprintf(r->why, sizeof r->why, "not a JSON object");
        else if (err.position != (int)l->len)
            snprintf(r->why, sizeof r->why, "text after the record");
    }
    if (!r->have_header) {
        r->have_header = true;
        if (r->why[0]) {
            cs_results_add_diag(r->out, r->path,
                                "not a crashsift shard (line 1: %s): make shards with "
                                "'crashsift extract -o FILE PATH...'; skipped",
                                r->why);
            r->stop = true;
        } else if (!read_header(r, o)) {
            r->stop = true;
        }
        json_decref(o);
        r->why[0] = '\0';
        return r->stop;
    }
    if (!r->why[0]) {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (r->saw_end)
            snprintf(r->why, sizeof r->why, "a record after the end record");
        else if (!type)
            snprintf(r->why, sizeof r->why, "no 'type'");
        else if (!strcmp(type, "trace"))
            read_trace(r, o);
        else if (!strcmp(type, "member"))
            read_member(r, o);
        else if (!strcmp(type, "error"))
            read_error(r, o);
        else if (!strcmp(type, "test"))
            read_test(r, o);
        else if (!strcmp(type, "end"))
            read_end(r, o);
        else
            snprintf(r->why, sizeof r->why, "unknown record type '%.32s'", type);
    }
    json_decref(o);
    if (r->why[0]) {
        if (++r->n_bad > MAX_BAD_LINES) {
            cs_results_add_diag(r->out, r->path,
                                "more than %d bad lines: the rest of the shard is skipped",
                                MAX_BAD_LINES);
            r->stop = true;
        } else {
            cs_results_add_diag(r->out, r->path, "shard line %" PRIu64 ": %s; record skipped",
                                r->line, r->why);
        }
        r->why[0] = '\0';
    }
    return r->stop;
}

int cs_shard_read(const char *path, cs_shard_header *h, cs_results *out)
{
    memset(h, 0, sizeof *h);
    FILE *f = fopen(path, "rb");
    if (!f) return CS_E_IO;
    reader r = {.path = path, .h = h, .out = out};
    cs_lines lr;
    cs_lines_init(&lr, CS_SHARD_MAX_LINE, on_line, &r);
    char *chunk = cs_xmalloc(CHUNK);
    size_t k;
    int err = 0;
    while (!r.stop && (k = fread(chunk, 1, CHUNK, f)) > 0)
        if (cs_lines_feed(&lr, chunk, k)) break;
    if (ferror(f)) err = errno ? errno : EIO;
    if (!r.stop) cs_lines_finish(&lr);
    cs_lines_dispose(&lr);
    free(chunk);
    fclose(f);
    if (err)
        cs_results_add_diag(out, path, "read error: %s; the records before were kept",
                            strerror(err));
    else if (!r.have_header)
        cs_results_add_diag(out, path,
                            "empty file, not a shard: make shards with 'crashsift "
                            "extract -o FILE PATH...'; skipped");
    else if (!r.stop && !r.saw_end)
        cs_results_add_diag(out, path,
                            "shard has no end record (cut short?); the %zu trace(s) before were "
                            "kept",
                            r.n_traces);
    return 0;
}

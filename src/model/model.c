#define _GNU_SOURCE
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

static const cs_kind_info kinds[CS_TK_COUNT] = {
#define CS_TK_ROW(e, name, lang, cls, sname, text, level)                                          \
    [CS_TK_##e] = {name, CS_LANG_##lang, CS_CLASS_##cls, "crashsift/" name, sname, text, level},
    CS_TRACE_KINDS(CS_TK_ROW)
#undef CS_TK_ROW
};

static const cs_kind_info other_kind = {
    "other",        CS_LANG_ANY,     CS_CLASS_MESSAGE, "crashsift/other",
    "OtherFailure", "Other failure", "error"};

const cs_kind_info *cs_kind_info_of(cs_trace_kind k)
{
    return (unsigned)k < CS_TK_COUNT ? &kinds[k] : &other_kind;
}

const char *cs_trace_kind_name(cs_trace_kind k)
{
    return (unsigned)k < CS_TK_COUNT ? kinds[k].name : "unknown";
}

const char *cs_lang_name(cs_lang l)
{
    static const char *const names[CS_LANG_COUNT] = {
#define CS_LANG_NAME(e, s) s,
        CS_LANGS(CS_LANG_NAME)
#undef CS_LANG_NAME
    };
    return (unsigned)l < CS_LANG_COUNT ? names[l] : "?";
}

const char *cs_role_name(cs_role r)
{
    static const char *const names[CS_ROLE_COUNT] = {
        "crashed", "other", "access", "previous", "creation", "alloc", "free", "cause",
    };
    return (unsigned)r < CS_ROLE_COUNT ? names[r] : "unknown";
}

const char *cs_member_kind_name(cs_member_kind k)
{
    static const char *const names[CS_MK_COUNT] = {
        "text", "go-test-json", "junit-xml", "elf-core", "elf-binary", "zip",   "gzip",
        "xz",   "zstd",         "bzip2",     "tar",      "binary",     "empty", "xml",
    };
    return (unsigned)k < CS_MK_COUNT ? names[k] : "unknown";
}

void cs_frame_dispose(cs_frame *f)
{
    if (!f) return;
    free(f->function);
    free(f->file);
    free(f->module);
    free(f->build_id);
    free(f->norm_function);
    free(f->shown_function);
    free(f->norm_file);
    free(f->sig_part);
    memset(f, 0, sizeof *f);
}

cs_frame *cs_thread_add_frame(cs_thread *t)
{
    if (t->n_frames >= CS_MAX_FRAMES) {
        t->elided = true;
        t->capped = true;
        return NULL;
    }
    cs_frame *f = CS_PUSH(t->frames, t->n_frames, t->cap_frames);
    memset(f, 0, sizeof *f);
    return f;
}

void cs_thread_dispose(cs_thread *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_frames; i++)
        cs_frame_dispose(&t->frames[i]);
    free(t->frames);
    if (t->created_by) {
        cs_frame_dispose(t->created_by);
        free(t->created_by);
    }
    free(t->name);
    free(t->state);
    free(t->label);
    free(t->access);
    memset(t, 0, sizeof *t);
}

cs_trace *cs_trace_new(cs_trace_kind kind, const char *source, uint64_t line_start)
{
    cs_trace *t = cs_xcalloc(1, sizeof *t);
    t->kind = kind;
    t->source = cs_xstrdup(source ? source : "");
    t->line_start = t->line_end = line_start;
    t->crash_thread = -1;
    return t;
}

cs_thread *cs_trace_add_thread(cs_trace *t, cs_role role)
{
    if (t->n_threads >= CS_MAX_THREADS) {
        t->n_dropped_threads++;
        return NULL;
    }
    cs_thread *th = CS_PUSH(t->threads, t->n_threads, t->cap_threads);
    memset(th, 0, sizeof *th);
    th->role = role;
    th->id = -1;
    th->created_by_id = -1;
    return th;
}

void cs_trace_free(cs_trace *t)
{
    if (!t) return;
    if (!t->same_as) {
        for (size_t i = 0; i < t->n_threads; i++)
            cs_thread_dispose(&t->threads[i]);
        free(t->threads);
    }
    if (t->location) {
        cs_frame_dispose(t->location);
        free(t->location);
    }
    if (!(t->interned & CS_INTERNED_SOURCE)) free(t->source);
    if (!(t->interned & CS_INTERNED_HEADLINE)) free(t->headline);
    if (!(t->interned & CS_INTERNED_TEST)) free(t->test);
    if (!(t->interned & CS_INTERNED_SIGNATURE)) free(t->signature);
    if (!(t->interned & CS_INTERNED_NORM_HEADLINE)) free(t->norm_headline);
    free(t);
}

void cs_results_init(cs_results *r)
{
    memset(r, 0, sizeof *r);
}

void cs_results_truncate(cs_results *r, size_t traces, size_t diags, size_t members, size_t tests)
{
    /* In any order: a borrower never frees the threads it borrows. */
    while (r->n_traces > traces)
        cs_trace_free(r->traces[--r->n_traces]);
    /* Sources and ELF strings of diagnostics and members are r's strings
     * (cs_results_add_diag, _add_member): they stay until r is disposed. */
    for (; r->n_diags > diags; r->n_diags--)
        free(r->diags[r->n_diags - 1].message);
    r->n_members = members < r->n_members ? members : r->n_members;
    while (r->n_tests > tests)
        cs_test_record_free(r->tests[--r->n_tests]);
}

void cs_results_dispose(cs_results *r)
{
    cs_results_truncate(r, 0, 0, 0, 0);
    free(r->traces);
    free(r->diags);
    free(r->members);
    free(r->tests);
    cs_strtab_dispose(&r->strs);
    memset(r, 0, sizeof *r);
}

cs_test_record *cs_test_record_new(const char *source, const char *package, const char *name,
                                   size_t name_len, cs_test_format format)
{
    cs_test_record *r = cs_xcalloc(1, sizeof *r);
    r->source = cs_xstrdup(source);
    r->package = package ? cs_xstrdup(package) : NULL;
    r->name = cs_xstrndup(name, name_len);
    r->format = format;
    return r;
}

void cs_test_record_add(cs_test_record *r, cs_outcome o, uint64_t line)
{
    if (r->n + 1 >= r->cap) {
        size_t cap = r->cap;
        cs_grow((void **)&r->outcomes, &cap, r->n + 2, 1);
        cap = r->cap;
        cs_grow((void **)&r->lines, &cap, r->n + 2, sizeof *r->lines);
        r->cap = cap;
    }
    r->outcomes[r->n] = (char)o;
    r->lines[r->n++] = line;
    r->outcomes[r->n] = '\0';
}

void cs_test_record_free(cs_test_record *r)
{
    if (!r) return;
    if (!r->interned) {
        free(r->source);
        free(r->package);
        free(r->name);
    }
    free(r->outcomes);
    free(r->lines);
    free(r);
}

void cs_test_index_init(cs_test_index *ix, struct cs_results *out, const char *source,
                        cs_test_format format)
{
    memset(ix, 0, sizeof *ix);
    ix->out = out;
    ix->source = source;
    ix->format = format;
}

static uint32_t index_slot(const cs_test_index *ix, const char *pkg, const char *name)
{
    uint64_t h = cs_hash64(pkg, strlen(pkg), CS_HASH_SEED);
    return (uint32_t)(cs_hash64(name, strlen(name), h) & (ix->n_slots - 1));
}

static bool nullable_eq(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The slot holding (package, name), or the empty one where it would go;
 * the table must have slots. */
static uint32_t *find_slot(const cs_test_index *ix, const char *package, const char *name)
{
    uint32_t h = index_slot(ix, package ? package : "", name);
    for (; ix->slots[h]; h = (h + 1) & (uint32_t)(ix->n_slots - 1)) {
        const cs_test_record *r = ix->v[ix->slots[h] - 1];
        if (nullable_eq(r->package, package) && strcmp(r->name, name) == 0) break;
    }
    return &ix->slots[h];
}

bool cs_test_index_add(cs_test_index *ix, const char *package, const char *name, cs_outcome o,
                       uint64_t line)
{
    if (ix->n_runs >= CS_MAX_TEST_RUNS_PER_MEMBER) return false;
    ix->n_runs++;
    if (ix->n * 2 >= ix->n_slots) {
        size_t ns = ix->n_slots ? ix->n_slots * 2 : 64;
        free(ix->slots);
        ix->slots = cs_xcalloc(ns, sizeof *ix->slots);
        ix->n_slots = ns;
        for (size_t i = 0; i < ix->n; i++) {
            uint32_t h = index_slot(ix, ix->v[i]->package ? ix->v[i]->package : "", ix->v[i]->name);
            while (ix->slots[h])
                h = (h + 1) & (uint32_t)(ns - 1);
            ix->slots[h] = (uint32_t)i + 1;
        }
    }
    uint32_t *slot = find_slot(ix, package, name);
    if (*slot) {
        cs_test_record_add(ix->v[*slot - 1], o, line);
        return true;
    }
    cs_test_record *r = cs_test_record_new(ix->source, package, name, strlen(name), ix->format);
    cs_test_record_add(r, o, line);
    *slot = (uint32_t)ix->n + 1;
    *CS_PUSH(ix->v, ix->n, ix->cap) = r;
    cs_results_add_test(ix->out, r);
    return true;
}

cs_test_record *cs_test_index_find(const cs_test_index *ix, const char *package, const char *name)
{
    if (!ix->n_slots) return NULL;
    uint32_t slot = *find_slot(ix, package, name);
    return slot ? ix->v[slot - 1] : NULL;
}

void cs_test_index_dispose(cs_test_index *ix)
{
    free(ix->v);
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

void cs_results_add_test(cs_results *r, cs_test_record *t)
{
    *CS_PUSH(r->tests, r->n_tests, r->cap_tests) = t;
}

/* A trace that lost frames or threads to a cap is truncated, whichever
 * dialect (or the core reader) built it: said once here, not per dialect. */
static void note_caps(cs_trace *t)
{
    if (t->n_dropped_threads) t->truncated = true;
    for (size_t i = 0; i < t->n_threads && !t->truncated; i++)
        if (t->threads[i].capped) t->truncated = true;
}

void cs_results_add_trace(cs_results *r, cs_trace *t)
{
    note_caps(t);
    *CS_PUSH(r->traces, r->n_traces, r->cap_traces) = t;
}

void cs_results_add_diag(cs_results *r, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_results_add_diagv(r, source, fmt, ap);
    va_end(ap);
}

void cs_results_add_diagv(cs_results *r, const char *source, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    cs_diag *d = CS_PUSH(r->diags, r->n_diags, r->cap_diags);
    d->source = (char *)cs_strtab_path(&r->strs, source ? source : "");
    d->message = msg;
}

void cs_results_add_member(cs_results *r, const char *source, cs_member_kind kind, uint64_t size,
                           const char *elf_kind, const char *build_id)
{
    cs_member *m = CS_PUSH(r->members, r->n_members, r->cap_members);
    m->source = (char *)cs_strtab_path(&r->strs, source);
    m->kind = kind;
    m->size = size;
    m->elf_kind = (char *)cs_strtab_intern(&r->strs, elf_kind);
    m->build_id = (char *)cs_strtab_intern(&r->strs, build_id);
}

/* Replaces an owned string by r's copy of it. */
static char *intern_own(cs_results *r, char *s)
{
    if (!s) return NULL;
    char *in = (char *)cs_strtab_intern(&r->strs, s);
    free(s);
    return in;
}

static char *intern_path(cs_results *r, char *s)
{
    if (!s) return NULL;
    char *in = (char *)cs_strtab_path(&r->strs, s);
    free(s);
    return in;
}

void cs_results_intern_member(cs_results *r, size_t first_trace, size_t first_test)
{
    for (size_t i = first_trace; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        unsigned char want = CS_INTERNED_SOURCE | CS_INTERNED_HEADLINE | CS_INTERNED_TEST;
        if ((t->interned & want) == want) continue;
        if (!(t->interned & CS_INTERNED_SOURCE)) t->source = intern_path(r, t->source);
        if (!(t->interned & CS_INTERNED_HEADLINE)) t->headline = intern_own(r, t->headline);
        if (!(t->interned & CS_INTERNED_TEST)) t->test = intern_own(r, t->test);
        t->interned |= want;
    }
    for (size_t i = first_test; i < r->n_tests; i++) {
        cs_test_record *t = r->tests[i];
        if (t->interned) continue;
        t->source = intern_path(r, t->source);
        t->package = intern_own(r, t->package);
        t->name = intern_own(r, t->name);
        t->interned = true;
    }
}

void cs_results_intern_signature(cs_results *r, cs_trace *t)
{
    if (!(t->interned & CS_INTERNED_SIGNATURE)) t->signature = intern_own(r, t->signature);
    if (!(t->interned & CS_INTERNED_NORM_HEADLINE))
        t->norm_headline = intern_own(r, t->norm_headline);
    t->interned |= CS_INTERNED_SIGNATURE | CS_INTERNED_NORM_HEADLINE;
}

/* Appends n elements of size sz at from to the vector (*v, *len, *cap),
 * growing it to the exact size: a pile's vectors are large, and doubling
 * past what the run ends with is memory nothing uses. An empty vector takes
 * from's array as it is. */
static void append(void **v, size_t *len, size_t *cap, void **from, size_t n, size_t *from_cap,
                   size_t sz)
{
    if (*len == 0) {
        free(*v);
        *v = n && n < *from_cap ? cs_xrealloc(*from, n * sz) : *from;
        *cap = n && n < *from_cap ? n : *from_cap;
        *from = NULL;
    } else {
        if (*len + n > *cap) {
            *v = cs_xrealloc(*v, (*len + n) * sz);
            *cap = *len + n;
        }
        if (n) memcpy((char *)*v + *len * sz, *from, n * sz);
        free(*from);
        *from = NULL;
    }
    *len += n;
    *from_cap = 0;
}

void cs_results_move(cs_results *to, cs_results *from)
{
    for (size_t i = 0; i < from->n_traces; i++)
        note_caps(from->traces[i]);
    append((void **)&to->traces, &to->n_traces, &to->cap_traces, (void **)&from->traces,
           from->n_traces, &from->cap_traces, sizeof *to->traces);
    append((void **)&to->diags, &to->n_diags, &to->cap_diags, (void **)&from->diags, from->n_diags,
           &from->cap_diags, sizeof *to->diags);
    append((void **)&to->members, &to->n_members, &to->cap_members, (void **)&from->members,
           from->n_members, &from->cap_members, sizeof *to->members);
    append((void **)&to->tests, &to->n_tests, &to->cap_tests, (void **)&from->tests, from->n_tests,
           &from->cap_tests, sizeof *to->tests);
    cs_strtab_adopt(&to->strs, &from->strs);
    memset(from, 0, sizeof *from);
}

static int cmp_trace(const void *a, const void *b)
{
    const cs_trace *x = *(cs_trace *const *)a, *y = *(cs_trace *const *)b;
    int c = strcmp(x->source, y->source);
    if (c) return c;
    if (x->line_start != y->line_start) return x->line_start < y->line_start ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    /* Several extractors can share a line (JUnit bodies written on one
     * line): fall back to content so no tie is left to the sort. */
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    c = strcmp(x->headline ? x->headline : "", y->headline ? y->headline : "");
    if (c) return c;
    return strcmp(x->test ? x->test : "", y->test ? y->test : "");
}

static int cmp_diag(const void *a, const void *b)
{
    const cs_diag *x = a, *y = b;
    int c = strcmp(x->source, y->source);
    return c ? c : strcmp(x->message, y->message);
}

static int cmp_member(const void *a, const void *b)
{
    const cs_member *x = a, *y = b;
    return strcmp(x->source, y->source);
}

static int cmp_nullstr(const char *a, const char *b)
{
    if (!a || !b) return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_test(const void *a, const void *b)
{
    const cs_test_record *x = *(cs_test_record *const *)a, *y = *(cs_test_record *const *)b;
    int c = strcmp(x->source, y->source);
    if (!c) c = cmp_nullstr(x->package, y->package);
    if (!c) c = strcmp(x->name, y->name);
    if (!c) c = (int)x->format - (int)y->format;
    if (!c) c = strcmp(x->outcomes ? x->outcomes : "", y->outcomes ? y->outcomes : "");
    if (!c && x->n && y->n) c = (x->lines[0] > y->lines[0]) - (x->lines[0] < y->lines[0]);
    return c;
}

void cs_results_sort(cs_results *r)
{
    /* Traces filled after they were added (cores) are checked again. */
    for (size_t i = 0; i < r->n_traces; i++)
        note_caps(r->traces[i]);
    if (r->n_tests) qsort(r->tests, r->n_tests, sizeof *r->tests, cmp_test);
    if (r->n_traces) qsort(r->traces, r->n_traces, sizeof *r->traces, cmp_trace);
    if (r->n_diags) qsort(r->diags, r->n_diags, sizeof *r->diags, cmp_diag);
    if (r->n_members) qsort(r->members, r->n_members, sizeof *r->members, cmp_member);
}

void cs_results_sort_traces_from(cs_results *r, size_t first)
{
    if (r->n_traces > first + 1)
        qsort(r->traces + first, r->n_traces - first, sizeof *r->traces, cmp_trace);
}

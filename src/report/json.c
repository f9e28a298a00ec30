/* json.c - the machine-readable report; its schema is docs/json-schema.md
 * and docs/crashsift.schema.json. Keys are written in a fixed order and no
 * field depends on time or threads: same input, same bytes. A trace whose
 * stacks repeat an earlier trace's names that trace (same_stack_as) rather
 * than writing them again, unless --full-stacks. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "../base/error.h"
#include "../base/util.h"
#include "report.h"

#define NO_REF SIZE_MAX

static void frame(cs_jsonw *w, const cs_frame *f)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "function");
    cs_jsonw_str(w, f->function);
    cs_jsonw_key(w, "file");
    cs_jsonw_str(w, f->file);
    cs_jsonw_key(w, "line");
    if (f->line)
        cs_jsonw_int(w, f->line);
    else
        cs_jsonw_null(w);
    if (f->column) {
        cs_jsonw_key(w, "column");
        cs_jsonw_int(w, f->column);
    }
    cs_jsonw_key(w, "module");
    cs_jsonw_str(w, f->module);
    if (f->has_offset) {
        cs_jsonw_key(w, "offset");
        cs_jsonw_uint(w, f->offset);
    }
    if (f->build_id) {
        cs_jsonw_key(w, "build_id");
        cs_jsonw_str(w, f->build_id);
    }
    if (f->inlined) {
        cs_jsonw_key(w, "inlined");
        cs_jsonw_bool(w, true);
    }
    if (f->dynsym) {
        cs_jsonw_key(w, "dynsym");
        cs_jsonw_bool(w, true);
    }
    cs_jsonw_obj_end(w);
}

static void thread(cs_jsonw *w, const cs_thread *t)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "role");
    cs_jsonw_str(w, cs_role_name(t->role));
    cs_jsonw_key(w, "name");
    cs_jsonw_str(w, t->name);
    cs_jsonw_key(w, "state");
    cs_jsonw_str(w, t->state);
    if (t->access) {
        cs_jsonw_key(w, "access");
        cs_jsonw_str(w, t->access);
        cs_jsonw_key(w, "size");
        cs_jsonw_int(w, t->size);
    }
    if (t->created_by) {
        cs_jsonw_key(w, "created_by");
        frame(w, t->created_by);
    }
    if (t->elided) {
        cs_jsonw_key(w, "elided");
        cs_jsonw_bool(w, true);
    }
    cs_jsonw_key(w, "frames");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < t->n_frames; i++)
        frame(w, &t->frames[i]);
    cs_jsonw_arr_end(w);
    cs_jsonw_obj_end(w);
}

/* A link from a trace to another trace of its member: {kind, line}, or
 * nothing when line is 0. */
static void trace_link(cs_jsonw *w, const char *key, cs_trace_kind kind, uint64_t line)
{
    if (!line) return;
    cs_jsonw_key(w, key);
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "kind");
    cs_jsonw_str(w, cs_trace_kind_name(kind));
    cs_jsonw_key(w, "line");
    cs_jsonw_uint(w, line);
    cs_jsonw_obj_end(w);
}

/* A test failure's link to the crash of the same run that explains it. */
static void explained_by(cs_jsonw *w, const cs_trace *t)
{
    trace_link(w, "explained_by", t->cause_kind, t->cause_line);
}

/* same_stack_as: ref is the index in `traces` of an earlier trace whose
 * threads are these, already written in full; NO_REF: write them. */
static void trace(cs_jsonw *w, const cs_trace *t, size_t ref)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "kind");
    cs_jsonw_str(w, cs_trace_kind_name(t->kind));
    cs_jsonw_key(w, "source");
    cs_jsonw_str(w, t->source);
    cs_jsonw_key(w, "line");
    if (t->line_start)
        cs_jsonw_uint(w, t->line_start);
    else
        cs_jsonw_null(w);
    cs_jsonw_key(w, "end_line");
    if (t->line_end)
        cs_jsonw_uint(w, t->line_end);
    else
        cs_jsonw_null(w);
    cs_jsonw_key(w, "headline");
    cs_jsonw_str(w, t->headline);
    cs_jsonw_key(w, "test");
    cs_jsonw_str(w, t->test);
    cs_jsonw_key(w, "truncated");
    cs_jsonw_bool(w, t->truncated);
    if (t->n_dropped_threads) {
        /* Threads past CS_MAX_THREADS: not listed, but counted. */
        cs_jsonw_key(w, "dropped_threads");
        cs_jsonw_uint(w, t->n_dropped_threads);
    }
    explained_by(w, t);
    /* A frameless message whose stack came from the report that followed
     * it (model.h, stack_line): that report's kind and start line. */
    trace_link(w, "stack_from", t->stack_kind, t->stack_line);
    if (t->signature) {
        cs_jsonw_key(w, "signature");
        cs_jsonw_str(w, t->signature);
    }
    if (ref != NO_REF) {
        cs_jsonw_key(w, "same_stack_as");
        cs_jsonw_uint(w, ref);
        cs_jsonw_obj_end(w);
        return;
    }
    cs_jsonw_key(w, "threads");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < t->n_threads; i++)
        thread(w, &t->threads[i]);
    cs_jsonw_arr_end(w);
    cs_jsonw_obj_end(w);
}

static bool has_frames(const cs_trace *t)
{
    for (size_t i = 0; i < t->n_threads; i++)
        if (t->threads[i].n_frames) return true;
    return false;
}

static bool same_array(const cs_trace *a, const cs_trace *b)
{
    return a->threads == b->threads && a->n_threads == b->n_threads;
}

/* An open-addressing table from a 64-bit key to a trace index (slot:
 * index + 1, 0 empty), sized once for every trace of the document. */
typedef struct ref_table {
    uint64_t *key;
    size_t *slot;
    size_t mask;
    bool (*eq)(const cs_trace *, const cs_trace *);
} ref_table;

static void ref_table_init(ref_table *tb, size_t n, bool (*eq)(const cs_trace *, const cs_trace *))
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    tb->key = cs_xcalloc(cap, sizeof *tb->key);
    tb->slot = cs_xcalloc(cap, sizeof *tb->slot);
    tb->mask = cap - 1;
    tb->eq = eq;
}

static void ref_table_dispose(ref_table *tb)
{
    free(tb->key);
    free(tb->slot);
}

/* The slot of the trace equal to t under key h, or the empty one where it
 * goes (its key already set). */
static size_t *ref_table_slot(ref_table *tb, const cs_results *r, uint64_t h, const cs_trace *t)
{
    size_t k = h & tb->mask;
    while (tb->slot[k] && !(tb->key[k] == h && tb->eq(r->traces[tb->slot[k] - 1], t)))
        k = (k + 1) & tb->mask;
    tb->key[k] = h;
    return &tb->slot[k];
}

/* For each trace of r, in document order, the index of the first trace
 * before it with equal threads (cs_share_threads_equal: every field the
 * report writes, and more), or NO_REF. Found by content in document order,
 * never from cs_trace.same_as: which trace owns a shared copy depends on
 * the order members finished reading (-j); the document's order does not,
 * so the references are the same bytes at any -j. A trace without frames
 * is always written whole: its reference would save nothing. The caller
 * frees the result. */
static size_t *stack_refs(const cs_results *r)
{
    size_t n = r->n_traces;
    size_t *ref = cs_xcalloc(n ? n : 1, sizeof *ref);
    /* Hashing every frame of every trace would cost about what writing
     * them does: traces that borrow one threads array (cs_share_threads)
     * are found by its address, and only the first trace of each array is
     * hashed by content. Both tables are indexes: linear in the traces. */
    ref_table by_addr, by_content;
    ref_table_init(&by_addr, n, same_array);
    ref_table_init(&by_content, n, cs_share_threads_equal);
    for (size_t i = 0; i < n; i++) {
        const cs_trace *t = r->traces[i];
        ref[i] = NO_REF;
        if (!has_frames(t)) continue;
        uintptr_t addr = (uintptr_t)t->threads;
        size_t *a = ref_table_slot(&by_addr, r, cs_hash64(&addr, sizeof addr, CS_HASH_SEED), t);
        if (*a) {
            /* The first trace with this array was written in full or
             * refers to the one that was. */
            size_t j = *a - 1;
            ref[i] = ref[j] == NO_REF ? j : ref[j];
            continue;
        }
        *a = i + 1;
        size_t *c = ref_table_slot(&by_content, r, cs_share_threads_hash(t), t);
        if (*c)
            ref[i] = *c - 1;
        else
            *c = i + 1;
    }
    ref_table_dispose(&by_addr);
    ref_table_dispose(&by_content);
    return ref;
}

static void str_array(cs_jsonw *w, const char **v, size_t n)
{
    cs_jsonw_arr(w);
    for (size_t i = 0; i < n; i++)
        cs_jsonw_str(w, v[i]);
    cs_jsonw_arr_end(w);
}

static void line_or_null(cs_jsonw *w, uint64_t line)
{
    if (line)
        cs_jsonw_uint(w, line);
    else
        cs_jsonw_null(w);
}

/* A significant frame as clusters and races show it: normalized function,
 * repository-relative file. */
static void norm_frame(cs_jsonw *w, const cs_frame *f)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "function");
    cs_jsonw_str(w, f->norm_function ? f->norm_function : f->function);
    cs_jsonw_key(w, "file");
    cs_jsonw_str(w, f->norm_file ? f->norm_file : f->file);
    cs_jsonw_key(w, "line");
    if (f->line)
        cs_jsonw_int(w, f->line);
    else
        cs_jsonw_null(w);
    cs_jsonw_key(w, "module");
    cs_jsonw_str(w, f->module);
    cs_jsonw_obj_end(w);
}

/* triage --db: where this cluster or pair stands in the history. */
static void history(cs_jsonw *w, const cs_history_status *h)
{
    if (!h || !h->status) return;
    cs_jsonw_key(w, "history");
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "status");
    cs_jsonw_str(w, h->status);
    const long long *ts[2] = {&h->first_seen, &h->last_seen};
    for (int i = 0; i < 2; i++) {
        char buf[32] = "";
        time_t t = (time_t)*ts[i];
        struct tm tm;
        if (gmtime_r(&t, &tm)) strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        cs_jsonw_key(w, i ? "last_seen" : "first_seen");
        cs_jsonw_str(w, buf);
    }
    cs_jsonw_key(w, "batches");
    cs_jsonw_uint(w, h->batches);
    cs_jsonw_key(w, "total");
    cs_jsonw_uint(w, h->total);
    cs_jsonw_obj_end(w);
}

static void cluster(cs_jsonw *w, const cs_report_ctx *ctx, const cs_cluster *c)
{
    const cs_results *r = ctx->res;
    const cs_trace *rep = r->traces[c->rep];
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "id");
    cs_jsonw_str(w, c->id);
    cs_jsonw_key(w, "signature");
    cs_jsonw_str(w, c->signature);
    cs_jsonw_key(w, "kind");
    cs_jsonw_str(w, cs_trace_kind_name(rep->kind));
    cs_jsonw_key(w, "class");
    cs_jsonw_str(w, rep->norm_headline);
    cs_jsonw_key(w, "headline");
    cs_jsonw_str(w, rep->headline);
    cs_jsonw_key(w, "count");
    cs_jsonw_uint(w, c->n_traces);
    history(w, ctx->history ? &ctx->history->clusters[c - ctx->clusters->v] : NULL);
    cs_jsonw_key(w, "frames");
    cs_jsonw_arr(w);
    const cs_thread *th = cs_report_sig_thread(rep);
    for (size_t i = 0; th && i < th->n_frames; i++)
        if (th->frames[i].significant) norm_frame(w, &th->frames[i]);
    cs_jsonw_arr_end(w);
    size_t nt;
    const char **tests = cs_report_strs_get(cs_report_cluster_tests(ctx, c), &nt);
    cs_jsonw_key(w, "tests");
    str_array(w, tests, nt);
    cs_jsonw_key(w, "first_seen");
    cs_jsonw_str(w, r->traces[c->traces[0]]->source);
    cs_jsonw_key(w, "last_seen");
    cs_jsonw_str(w, r->traces[c->traces[c->n_traces - 1]]->source);
    cs_jsonw_key(w, "occurrences");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < c->n_traces; i++) {
        const cs_trace *t = r->traces[c->traces[i]];
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "source");
        cs_jsonw_str(w, t->source);
        cs_jsonw_key(w, "line");
        line_or_null(w, t->line_start);
        cs_jsonw_key(w, "test");
        cs_jsonw_str(w, t->test);
        explained_by(w, t);
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_arr_end(w);
    cs_jsonw_key(w, "related");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < ctx->clusters->n_merges; i++) {
        const cs_merge *m = &ctx->clusters->merges[i];
        if (strcmp(m->into, c->id) != 0) continue;
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "id");
        cs_jsonw_str(w, m->from);
        cs_jsonw_key(w, "signature");
        cs_jsonw_str(w, m->from_signature);
        cs_jsonw_key(w, "distance");
        char d[32];
        snprintf(d, sizeof d, "%.3f", m->distance);
        cs_jsonw_raw(w, d); /* fixed precision: stable bytes */
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_arr_end(w);
    cs_jsonw_obj_end(w);
}

static void race(cs_jsonw *w, const cs_report_ctx *ctx, const cs_race *rc)
{
    const cs_results *r = ctx->res;
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "id");
    cs_jsonw_str(w, rc->id);
    cs_jsonw_key(w, "partial");
    cs_jsonw_bool(w, rc->partial);
    cs_jsonw_key(w, "map_race");
    cs_jsonw_bool(w, rc->map_race);
    cs_jsonw_key(w, "map_evidence");
    cs_jsonw_str(w, rc->map_evidence);
    cs_jsonw_key(w, "access_types");
    cs_jsonw_str(w, cs_race_access_types(rc));
    history(w, ctx->history ? &ctx->history->races[rc - ctx->races->v] : NULL);
    cs_jsonw_key(w, "sites");
    cs_jsonw_arr(w);
    for (int s = 0; s < cs_race_n_sites(rc); s++) {
        const cs_site *st = &rc->sites[s];
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "function");
        cs_jsonw_str(w, cs_site_name(st));
        cs_jsonw_key(w, "file");
        cs_jsonw_str(w, st->file);
        cs_jsonw_key(w, "line");
        if (st->n_lines)
            cs_jsonw_int(w, st->lines[0]);
        else
            cs_jsonw_null(w);
        cs_jsonw_key(w, "lines");
        cs_jsonw_arr(w);
        for (size_t i = 0; i < st->n_lines; i++)
            cs_jsonw_int(w, st->lines[i]);
        cs_jsonw_arr_end(w);
        cs_jsonw_key(w, "access");
        cs_jsonw_str(w, st->access);
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_arr_end(w);
    size_t n;
    const char **v = cs_report_strs_get(cs_report_race_clusters(ctx, rc), &n);
    cs_jsonw_key(w, "clusters");
    str_array(w, v, n);
    v = cs_report_strs_get(cs_report_race_tests(ctx, rc), &n);
    cs_jsonw_key(w, "tests");
    str_array(w, v, n);
    cs_jsonw_key(w, "evidence");
    cs_jsonw_obj(w);
    for (int e = 0; e < CS_EV_COUNT; e++) {
        cs_jsonw_key(w, cs_evidence_name((cs_evidence)e));
        cs_jsonw_uint(w, rc->n_by[e]);
    }
    cs_jsonw_obj_end(w);
    cs_jsonw_key(w, "occurrences");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < rc->n_links; i++) {
        const cs_trace *t = r->traces[rc->links[i].trace];
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "source");
        cs_jsonw_str(w, t->source);
        cs_jsonw_key(w, "line");
        line_or_null(w, t->line_start);
        cs_jsonw_key(w, "evidence");
        cs_jsonw_str(w, cs_evidence_name(rc->links[i].evidence));
        cs_jsonw_key(w, "kind");
        cs_jsonw_str(w, cs_trace_kind_name(t->kind));
        cs_jsonw_key(w, "test");
        cs_jsonw_str(w, t->test);
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_arr_end(w);
    char *note = cs_race_note(rc);
    cs_jsonw_key(w, "note");
    cs_jsonw_str(w, note);
    free(note);
    cs_jsonw_obj_end(w);
}

/* One test's record across the pile (flaky.h). */
static void test(cs_jsonw *w, const cs_report_ctx *ctx, const cs_test_summary *s)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "name");
    cs_jsonw_str(w, s->name);
    cs_jsonw_key(w, "package");
    cs_jsonw_str(w, s->package);
    cs_jsonw_key(w, "runs");
    cs_jsonw_uint(w, s->runs);
    cs_jsonw_key(w, "passes");
    cs_jsonw_uint(w, s->passes);
    cs_jsonw_key(w, "failures");
    cs_jsonw_uint(w, s->failures);
    cs_jsonw_key(w, "skips");
    cs_jsonw_uint(w, s->skips);
    cs_jsonw_key(w, "flaky");
    cs_jsonw_bool(w, s->flaky);
    cs_jsonw_key(w, "failure_rate");
    char d[32];
    snprintf(d, sizeof d, "%.4f", s->failure_rate);
    cs_jsonw_raw(w, d); /* fixed precision: stable bytes */
    cs_jsonw_key(w, "clusters");
    cs_jsonw_arr(w);
    for (size_t i = 0; ctx->clusters && i < s->n_clusters; i++)
        cs_jsonw_str(w, ctx->clusters->v[s->clusters[i]].id);
    cs_jsonw_arr_end(w);
    cs_jsonw_key(w, "races");
    cs_jsonw_arr(w);
    for (size_t i = 0; ctx->races && i < s->n_races; i++)
        cs_jsonw_str(w, ctx->races->v[s->races[i]].id);
    cs_jsonw_arr_end(w);
    cs_jsonw_key(w, "first_failure");
    cs_jsonw_str(w, s->first_failure);
    cs_jsonw_key(w, "last_failure");
    cs_jsonw_str(w, s->last_failure);
    const cs_history_test_mark *m = cs_report_test_history(ctx, s);
    if (m) {
        /* --db: the test's record before this batch. */
        cs_jsonw_key(w, "history");
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "prior_batches");
        cs_jsonw_uint(w, m->prior_batches);
        cs_jsonw_key(w, "prior_runs");
        cs_jsonw_uint(w, m->prior_runs);
        cs_jsonw_key(w, "prior_failures");
        cs_jsonw_uint(w, m->prior_failures);
        cs_jsonw_key(w, "became_failing");
        cs_jsonw_bool(w, m->became_failing);
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_obj_end(w);
}

static int write_json(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    cs_jsonw w;
    cs_jsonw_init(&w, f);
    w.compact = ctx->compact;
    cs_jsonw_obj(&w);
    /* Version 1 has every trace's threads; a version 2 reader resolves
     * same_stack_as (--full-stacks writes version 1, as before). */
    cs_jsonw_key(&w, "version");
    cs_jsonw_int(&w, ctx->full_stacks ? 1 : CS_REPORT_SCHEMA_VERSION);
    cs_jsonw_key(&w, "tool");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "name");
    cs_jsonw_str(&w, "crashsift");
    cs_jsonw_key(&w, "version");
    cs_jsonw_str(&w, ctx->tool_version);
    cs_jsonw_obj_end(&w);
    cs_jsonw_key(&w, "signature_version");
    cs_jsonw_str(&w, ctx->sig_version);
    cs_jsonw_key(&w, "inputs");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < ctx->n_inputs; i++)
        cs_jsonw_str(&w, ctx->inputs[i]);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "counts");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "members");
    cs_jsonw_uint(&w, r->n_members);
    cs_jsonw_key(&w, "traces");
    cs_jsonw_uint(&w, r->n_traces);
    cs_jsonw_key(&w, "clusters");
    cs_jsonw_uint(&w, ctx->clusters ? ctx->clusters->n : 0);
    cs_jsonw_key(&w, "races");
    cs_jsonw_uint(&w, ctx->races ? ctx->races->n : 0);
    cs_jsonw_key(&w, "errors");
    cs_jsonw_uint(&w, r->n_diags);
    cs_jsonw_obj_end(&w);
    cs_jsonw_key(&w, "tests");
    cs_jsonw_arr(&w);
    for (size_t i = 0; ctx->tests && i < ctx->tests->n; i++)
        test(&w, ctx, &ctx->tests->v[i]);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "races");
    cs_jsonw_arr(&w);
    for (size_t i = 0; ctx->races && i < ctx->races->n; i++)
        race(&w, ctx, &ctx->races->v[i]);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "clusters");
    cs_jsonw_arr(&w);
    for (size_t i = 0; ctx->clusters && i < ctx->clusters->n; i++)
        cluster(&w, ctx, &ctx->clusters->v[i]);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "traces");
    cs_jsonw_arr(&w);
    size_t *ref = ctx->full_stacks ? NULL : stack_refs(r);
    for (size_t i = 0; i < r->n_traces; i++)
        trace(&w, r->traces[i], ref ? ref[i] : NO_REF);
    free(ref);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "errors");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < r->n_diags; i++) {
        cs_jsonw_obj(&w);
        cs_jsonw_key(&w, "source");
        cs_jsonw_str(&w, r->diags[i].source);
        cs_jsonw_key(&w, "message");
        cs_jsonw_str(&w, r->diags[i].message);
        cs_jsonw_obj_end(&w);
    }
    cs_jsonw_arr_end(&w);
    if (ctx->list_members) {
        cs_jsonw_key(&w, "members");
        cs_jsonw_arr(&w);
        for (size_t i = 0; i < r->n_members; i++) {
            const cs_member *m = &r->members[i];
            cs_jsonw_obj(&w);
            cs_jsonw_key(&w, "source");
            cs_jsonw_str(&w, m->source);
            cs_jsonw_key(&w, "kind");
            cs_jsonw_str(&w, cs_member_kind_name(m->kind));
            cs_jsonw_key(&w, "size");
            cs_jsonw_uint(&w, m->size);
            if (m->elf_kind) {
                cs_jsonw_key(&w, "elf_kind");
                cs_jsonw_str(&w, m->elf_kind);
            }
            if (m->build_id) {
                cs_jsonw_key(&w, "build_id");
                cs_jsonw_str(&w, m->build_id);
            }
            cs_jsonw_obj_end(&w);
        }
        cs_jsonw_arr_end(&w);
    }
    cs_jsonw_obj_end(&w);
    return ferror(f) ? CS_E_IO : CS_OK;
}

int cs_report_json(FILE *f, const cs_report_ctx *ctx)
{
    return cs_report_with_view(f, ctx, write_json);
}

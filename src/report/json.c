/* json.c - the machine-readable report; its schema is docs/json-schema.md
 * and docs/crashsift.schema.json. Keys are written in a fixed order and no
 * field depends on time or threads: same input, same bytes. */
#include <string.h>

#include "jsonw.h"
#include "report.h"

static void frame(cs_jsonw *w, const cs_frame *f)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "function");
    cs_jsonw_str(w, f->function);
    cs_jsonw_key(w, "file");
    cs_jsonw_str(w, f->file);
    cs_jsonw_key(w, "line");
    if (f->line) cs_jsonw_int(w, f->line); else cs_jsonw_null(w);
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
    for (size_t i = 0; i < t->n_frames; i++) frame(w, &t->frames[i]);
    cs_jsonw_arr_end(w);
    cs_jsonw_obj_end(w);
}

static void trace(cs_jsonw *w, const cs_trace *t)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "kind");
    cs_jsonw_str(w, cs_trace_kind_name(t->kind));
    cs_jsonw_key(w, "source");
    cs_jsonw_str(w, t->source);
    cs_jsonw_key(w, "line");
    if (t->line_start) cs_jsonw_uint(w, t->line_start); else cs_jsonw_null(w);
    cs_jsonw_key(w, "end_line");
    if (t->line_end) cs_jsonw_uint(w, t->line_end); else cs_jsonw_null(w);
    cs_jsonw_key(w, "headline");
    cs_jsonw_str(w, t->headline);
    cs_jsonw_key(w, "test");
    cs_jsonw_str(w, t->test);
    cs_jsonw_key(w, "truncated");
    cs_jsonw_bool(w, t->truncated);
    if (t->signature) {
        cs_jsonw_key(w, "signature");
        cs_jsonw_str(w, t->signature);
    }
    cs_jsonw_key(w, "threads");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < t->n_threads; i++) thread(w, &t->threads[i]);
    cs_jsonw_arr_end(w);
    cs_jsonw_obj_end(w);
}

int cs_report_json(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    cs_jsonw w;
    cs_jsonw_init(&w, f);
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "version");
    cs_jsonw_int(&w, CS_REPORT_SCHEMA_VERSION);
    cs_jsonw_key(&w, "tool");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "name");
    cs_jsonw_str(&w, "crashsift");
    cs_jsonw_key(&w, "version");
    cs_jsonw_str(&w, ctx->tool_version);
    cs_jsonw_obj_end(&w);
    cs_jsonw_key(&w, "inputs");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < ctx->n_inputs; i++) cs_jsonw_str(&w, ctx->inputs[i]);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "counts");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "members");
    cs_jsonw_uint(&w, r->n_members);
    cs_jsonw_key(&w, "traces");
    cs_jsonw_uint(&w, r->n_traces);
    cs_jsonw_key(&w, "errors");
    cs_jsonw_uint(&w, r->n_diags);
    cs_jsonw_obj_end(&w);
    cs_jsonw_key(&w, "traces");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < r->n_traces; i++) trace(&w, r->traces[i]);
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
            cs_jsonw_obj_end(&w);
        }
        cs_jsonw_arr_end(&w);
    }
    cs_jsonw_obj_end(&w);
    return ferror(f) ? -1 : 0;
}

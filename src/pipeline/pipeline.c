#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../base/error.h"
#include "../base/util.h"
#include "../core/core.h"
#include "../extract/extract.h"
#include "../extract/readers.h"
#include "../normalize/normalize.h"

#define CHUNK (256u << 10)

void cs_run_opts_default(cs_run_opts *o)
{
    memset(o, 0, sizeof *o);
    cs_limits_default(&o->limits);
    o->jobs = 1;
    cs_core_opts_default(&o->core);
    o->sig_frames = CS_DEFAULT_SIG_FRAMES;
    o->merge_threshold = CS_DEFAULT_MERGE_THRESHOLD;
}

typedef struct run {
    const cs_run_opts *o;
    cs_results *out;
    cs_ingest *in;
    unsigned char *chunk;
    cs_core_index *cores; /* binaries by build-id, and the cores deferred
                             until every binary of the inputs is known */
} run;

static void progress(run *r, bool done)
{
    if (!r->o->progress) return;
    uint64_t bytes, members;
    cs_ingest_progress(r->in, &bytes, &members);
    r->o->progress(r->o->progress_user, members, bytes, done);
}

static void extract_text(run *r, const char *source, cs_reader *rd)
{
    cs_extract_opts xo = {.max_line = r->o->limits.max_line};
    cs_extractor *e = cs_extractor_new(source, &xo, r->out);
    ssize_t k;
    while ((k = cs_reader_read(rd, r->chunk, CHUNK)) > 0) cs_extractor_feed(e, r->chunk, (size_t)k);
    cs_extractor_finish(e);
    cs_extractor_free(e);
}

/* A core may come before its binaries in walk order: keep it (memory or a
 * private temp file) and unwind at the end. A short read keeps what came:
 * a truncated core still gives a partial trace, and ingest reports why. */
static void defer_core(run *r, const char *source, cs_reader *rd)
{
    cs_core_pending *p = cs_core_defer_begin(r->cores, source);
    ssize_t k;
    while ((k = cs_reader_read(rd, r->chunk, CHUNK)) > 0)
        if (cs_core_defer_write(p, r->chunk, (size_t)k)) break;
    cs_core_defer_end(p, true, r->out);
}

/* A binary on disk is indexed by path (opened again only when a core needs
 * it); one inside an archive or compressed is read into memory. */
static void index_binary(run *r, const char *source, cs_reader *rd)
{
    if (!strchr(source, '!') && cs_core_index_add_file(r->cores, source, source) == 0) return;
    unsigned char *bytes;
    size_t n;
    if (cs_reader_slurp(rd, r->o->limits.max_member, &bytes, &n) == 0)
        cs_core_index_add(r->cores, source, bytes, n, r->out);
}

/* Pulls a member through a reader callback for the structured readers. */
static ssize_t pull(void *ctx, void *buf, size_t n)
{
    return cs_reader_read(ctx, buf, n);
}

static int visit_triage(void *user, const char *source, cs_member_kind kind, cs_reader *rd)
{
    run *r = user;
    cs_extract_opts xo = {.max_line = r->o->limits.max_line};
    switch (kind) {
    case CS_MK_TEXT:
        extract_text(r, source, rd);
        break;
    case CS_MK_GO_TEST_JSON:
        cs_test2json_read(source, &xo, pull, rd, r->out);
        break;
    case CS_MK_JUNIT_XML:
        cs_junit_read(source, &xo, pull, rd, r->out);
        break;
    case CS_MK_ELF_CORE:
        defer_core(r, source, rd);
        break;
    case CS_MK_ELF_BINARY:
        index_binary(r, source, rd);
        break;
    case CS_MK_BINARY:
        cs_results_add_diag(r->out, source, "unknown binary data (not a log, archive, core or "
                                            "ELF file); skipped");
        break;
    default:
        break;
    }
    progress(r, false);
    return 0;
}

static int visit_inventory(void *user, const char *source, cs_member_kind kind, cs_reader *rd)
{
    run *r = user;
    (void)source;
    /* Text-like members are read to the end so sizes are real and broken
     * streams show up; binaries are only sniffed. */
    if (kind == CS_MK_TEXT || kind == CS_MK_GO_TEST_JSON || kind == CS_MK_JUNIT_XML)
        while (cs_reader_read(rd, r->chunk, CHUNK) > 0)
            ;
    progress(r, false);
    return 0;
}

static int run_all(const cs_run_opts *o, const char *const *paths, size_t n, cs_results *out,
                   cs_visit_fn visit)
{
    run r = {.o = o, .out = out};
    r.in = cs_ingest_new(&o->limits, out);
    r.chunk = cs_xmalloc(CHUNK);
    r.cores = cs_core_index_new(&o->core);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) rc = cs_ingest_path(r.in, paths[i], visit, &r);
    cs_core_unwind_deferred(r.cores, &o->core, out);
    cs_core_index_free(r.cores);
    progress(&r, true);
    free(r.chunk);
    cs_ingest_free(r.in);
    cs_results_sort(out);
    return rc;
}

int cs_pipeline_inventory(const cs_run_opts *o, const char *const *paths, size_t n,
                          cs_results *out)
{
    return run_all(o, paths, n, out, visit_inventory);
}

int cs_pipeline_extract(const cs_run_opts *o, const char *const *paths, size_t n,
                        cs_results *out)
{
    return run_all(o, paths, n, out, visit_triage);
}

int cs_pipeline_load_rules(const cs_run_opts *o, cs_rules *rules, cs_results *diags)
{
    const char *dir = o->rules_dir ? o->rules_dir : cs_rules_default_dir();
    int rc = cs_rules_load_dir(rules, dir, diags);
    for (int i = 0; i < o->n_user_rules; i++)
        if (cs_rules_load_dir(rules, o->user_rules[i], diags)) rc = CS_E_USAGE;
    return rc ? CS_E_USAGE : 0;
}

int cs_pipeline_triage(const cs_run_opts *o, const char *const *paths, size_t n, cs_triage *out)
{
    memset(out, 0, sizeof *out);
    cs_results_init(&out->res);
    cs_rules_init(&out->rules);
    if (cs_pipeline_load_rules(o, &out->rules, &out->res)) return CS_E_USAGE;
    int rc = run_all(o, paths, n, &out->res, visit_triage);
    cs_normalizer *nz = cs_normalizer_new(&out->rules, o->sig_frames);
    snprintf(out->sig_version, sizeof out->sig_version, "%s", cs_normalizer_version(nz));
    for (size_t i = 0; i < out->res.n_traces; i++) cs_normalize_trace(nz, out->res.traces[i]);
    cs_normalizer_free(nz);
    cs_cluster_opts co = {.threshold = o->merge_threshold};
    cs_cluster_run(&out->res, &co, &out->clusters);
    cs_race_run(&out->res, &out->clusters, &out->races);
    return rc;
}

void cs_triage_dispose(cs_triage *t)
{
    cs_races_dispose(&t->races);
    cs_clusters_dispose(&t->clusters);
    cs_rules_dispose(&t->rules);
    cs_results_dispose(&t->res);
}

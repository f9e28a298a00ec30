#include "pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../base/util.h"
#include "../extract/extract.h"
#include "../extract/readers.h"

#define CHUNK (256u << 10)

void cs_run_opts_default(cs_run_opts *o)
{
    memset(o, 0, sizeof *o);
    cs_limits_default(&o->limits);
    o->jobs = 1;
}

typedef struct run {
    const cs_run_opts *o;
    cs_results *out;
    cs_ingest *in;
    unsigned char *chunk;
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
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) rc = cs_ingest_path(r.in, paths[i], visit, &r);
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

int cs_pipeline_triage(const cs_run_opts *o, const char *const *paths, size_t n,
                       cs_results *out)
{
    return run_all(o, paths, n, out, visit_triage);
}

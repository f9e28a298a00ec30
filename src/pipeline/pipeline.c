#define _GNU_SOURCE
#include "pipeline.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/regex.h"
#include "../base/strset.h"
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
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus;
    cs_core_opts_default(&o->core);
    o->sig_frames = CS_DEFAULT_SIG_FRAMES;
    o->merge_threshold = CS_DEFAULT_MERGE_THRESHOLD;
}

/* What the workers share. The core index is not thread-safe: every call
 * into it holds core_lock. */
typedef struct shared {
    const cs_run_opts *o;
    cs_core_index *cores; /* binaries by build-id, and the cores deferred
                             until every binary of the inputs is known */
    pthread_mutex_t core_lock;
    pthread_mutex_t progress_lock;
    /* What the files read to their end cost: a file is not started once
     * these pass the run's budget (see cut_at_budget). */
    uint64_t done_bytes, done_members;
    uint64_t n_visited; /* leaf members visited: what the summary counts */
    cs_visit_fn visit;
    /* The files to read, from the folder walk. The paths are strings of
     * the run's results (out->strs: a file's path and source are mostly the
     * same string), so the records of each file can share its source. */
    const char **fs_paths, **sources;
    cs_strtab *strs;
    cs_file_id *ids; /* what the walk saw at each path */
    size_t n_files, cap_files, next;
    /* What each file cost the budget, once read (by whichever worker), and
     * how many leading files are read and, all together, within the
     * budget: no cut can fall before those (cut_at_budget), so workers
     * forget their marks (below `settled`). Under progress_lock. */
    uint64_t *file_bytes, *file_members;
    unsigned char *file_done;
    size_t settled;
    uint64_t settled_bytes, settled_members;
} shared;

/* Where one file's records begin in its worker's results: where a cut
 * after the file before it truncates them. */
typedef struct file_mark {
    size_t file;
    size_t traces, diags, members, tests;
} file_mark;

/* One worker: its own ingest, buffer and results; merged at the end. */
typedef struct run {
    const cs_run_opts *o;
    shared *sh;
    cs_results *out;
    cs_ingest *in;
    unsigned char *chunk;
    cs_core_index *cores;
    cs_share *share;  /* this worker's stacks, stored once */
    file_mark *marks; /* the files it read, in order, from `settled` on */
    size_t n_marks, cap_marks;
} run;

static void progress(run *r, bool done)
{
    if (!r->o->progress) return;
    uint64_t bytes = __atomic_load_n(&r->sh->done_bytes, __ATOMIC_RELAXED), members;
    /* The summary counts the members read (not the archives holding them):
     * so does the progress line. */
    if (!done)
        members = __atomic_add_fetch(&r->sh->n_visited, 1, __ATOMIC_RELAXED);
    else
        members = __atomic_load_n(&r->sh->n_visited, __ATOMIC_RELAXED);
    pthread_mutex_lock(&r->sh->progress_lock);
    r->o->progress(r->o->progress_user, members, bytes, done);
    pthread_mutex_unlock(&r->sh->progress_lock);
}

static void extract_text(run *r, const char *source, cs_reader *rd)
{
    cs_extract_opts xo = {.max_line = r->o->limits.max_line, .share = r->share};
    cs_extractor *e = cs_extractor_new(source, &xo, r->out);
    ssize_t k;
    while ((k = cs_reader_read(rd, r->chunk, CHUNK)) > 0)
        cs_extractor_feed(e, r->chunk, (size_t)k);
    cs_extractor_finish(e);
    cs_extractor_free(e);
}

/* A core may come before its binaries in walk order: keep it (memory or a
 * private temp file) and unwind at the end. A short read keeps what came:
 * a truncated core still gives a partial trace, and ingest reports why. */
static void defer_core(run *r, const char *source, cs_reader *rd)
{
    /* A plain file is read in place when it is unwound, never copied (a
     * core can be larger than any temporary space). */
    int fd = cs_reader_file_fd(rd);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (own >= 0) {
            pthread_mutex_lock(&r->sh->core_lock);
            cs_core_defer_fd(r->cores, source, own, (uint64_t)st.st_size, r->out);
            pthread_mutex_unlock(&r->sh->core_lock);
            return;
        }
    }
    pthread_mutex_lock(&r->sh->core_lock);
    cs_core_pending *p = cs_core_defer_begin(r->cores, source);
    ssize_t k;
    while ((k = cs_reader_read(rd, r->chunk, CHUNK)) > 0)
        if (cs_core_defer_write(p, r->chunk, (size_t)k)) break;
    cs_core_defer_end(p, true, r->out);
    pthread_mutex_unlock(&r->sh->core_lock);
}

/* A binary that is a plain file on disk is indexed by path (opened again
 * only when a core needs it); one inside an archive or compressed is read
 * into memory. Either way it is in the index before any core is unwound:
 * cores wait for the end of the walk. */
static void index_binary(run *r, const char *source, cs_reader *rd)
{
    const char *path = cs_reader_file_path(rd);
    if (path) {
        pthread_mutex_lock(&r->sh->core_lock);
        int rc = cs_core_index_add_file(r->cores, source, path, r->out);
        pthread_mutex_unlock(&r->sh->core_lock);
        /* Indexed in place, broken or without a build-id (reported when it
         * matters): done. CS_E_UNSUPPORTED: not readable in place after all
         * (it changed under us); read it like an archive member. */
        if (rc != CS_E_UNSUPPORTED) return;
    }
    unsigned char *bytes;
    size_t n;
    int rc = cs_reader_slurp(rd, r->o->limits.max_member, &bytes, &n);
    if (rc == 0) {
        pthread_mutex_lock(&r->sh->core_lock);
        cs_core_index_add(r->cores, source, bytes, n, r->out);
        pthread_mutex_unlock(&r->sh->core_lock);
    } else if (rc == CS_E_LIMIT) { /* a read error is reported by the ingest */
        cs_results_add_diag(r->out, source,
                            "binary larger than --max-member (%llu bytes): not used to "
                            "symbolize cores",
                            (unsigned long long)r->o->limits.max_member);
    }
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
    /* Traces of a member are final once it is read to its end (tentative
     * ones settled, messages joined with their reports): only then may
     * their threads be shared. */
    size_t first = r->out->n_traces, first_test = r->out->n_tests;
    switch (kind) {
    case CS_MK_TEXT:
    case CS_MK_XML:
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
        cs_results_add_diag(r->out, source,
                            "unknown binary data (not a log, archive, core or "
                            "ELF file); skipped");
        break;
    default:
        break;
    }
    cs_share_threads(r->share, r->out, first);
    cs_results_intern_member(r->out, first, first_test);
    progress(r, false);
    return 0;
}

/* The inventory says what each ELF file is and its build-id, which is what
 * a core's "module not found" error asks for. */
static void describe_elf(run *r, cs_member_kind kind, cs_reader *rd)
{
    char *what = NULL, *id = NULL;
    if (kind == CS_MK_ELF_CORE) {
        what = cs_xstrdup("core"); /* its modules' build-ids are the core's to tell */
    } else if (cs_reader_file_path(rd)) {
        cs_core_describe(cs_reader_file_path(rd), NULL, 0, &what, &id);
    } else {
        unsigned char *bytes;
        size_t n;
        if (cs_reader_slurp(rd, r->o->limits.max_member, &bytes, &n) == 0) {
            cs_core_describe(NULL, bytes, n, &what, &id);
            free(bytes);
        }
    }
    cs_reader_set_elf(rd, what, id);
}

static int visit_inventory(void *user, const char *source, cs_member_kind kind, cs_reader *rd)
{
    run *r = user;
    (void)source;
    /* Text-like members are read to the end so sizes are real and broken
     * streams show up; ELF files are described; other binaries only
     * sniffed. */
    if (kind == CS_MK_TEXT || kind == CS_MK_XML || kind == CS_MK_GO_TEST_JSON ||
        kind == CS_MK_JUNIT_XML)
        while (cs_reader_read(rd, r->chunk, CHUNK) > 0)
            ;
    if (kind == CS_MK_ELF_BINARY || kind == CS_MK_ELF_CORE) describe_elf(r, kind, rd);
    progress(r, false);
    return 0;
}

static void add_file(void *user, const char *fs_path, const char *source, const cs_file_id *id)
{
    shared *sh = user;
    if (sh->n_files == sh->cap_files) {
        size_t cap = sh->cap_files;
        cs_grow((void **)&sh->fs_paths, &cap, sh->n_files + 1, sizeof *sh->fs_paths);
        cap = sh->cap_files;
        cs_grow((void **)&sh->sources, &cap, sh->n_files + 1, sizeof *sh->sources);
        cap = sh->cap_files;
        cs_grow((void **)&sh->ids, &cap, sh->n_files + 1, sizeof *sh->ids);
        sh->cap_files = cap;
    }
    sh->fs_paths[sh->n_files] = cs_strtab_path(sh->strs, fs_path);
    sh->sources[sh->n_files] = cs_strtab_path(sh->strs, source);
    sh->ids[sh->n_files] = *id;
    sh->n_files++;
}

static bool over_budget(const cs_limits *l, uint64_t bytes, uint64_t members)
{
    return members > l->max_members || bytes > l->max_total;
}

/* File i is read. A pile has hundreds of thousands of files: a mark per
 * file kept to the end was a large part of a run's memory, while only the
 * marks of files past the cut are ever used. */
static void file_read(run *r, size_t i, uint64_t bytes, uint64_t members)
{
    shared *sh = r->sh;
    pthread_mutex_lock(&sh->progress_lock);
    sh->file_bytes[i] = bytes;
    sh->file_members[i] = members;
    sh->file_done[i] = 1;
    /* Every file up to `settled` is read and the total up to the file
     * before it within the budget, so the cut is at `settled` or later. */
    while (sh->settled < sh->n_files && sh->file_done[sh->settled] &&
           !over_budget(&sh->o->limits, sh->settled_bytes, sh->settled_members)) {
        sh->settled_bytes += sh->file_bytes[sh->settled];
        sh->settled_members += sh->file_members[sh->settled];
        sh->settled++;
    }
    size_t settled = sh->settled;
    pthread_mutex_unlock(&sh->progress_lock);
    size_t k = 0;
    while (k < r->n_marks && r->marks[k].file < settled)
        k++;
    if (k) {
        memmove(r->marks, r->marks + k, (r->n_marks - k) * sizeof *r->marks);
        r->n_marks -= k;
    }
}

/* Each file is read with the whole budget of its own. Files finish out of
 * order, but every finished file comes before any file still to be taken:
 * once the finished ones alone pass the run's budget, the cut
 * (cut_at_budget) falls before every file not yet taken, so skipping them
 * changes nothing. */
static void *worker(void *arg)
{
    run *r = arg;
    shared *sh = r->sh;
    for (;;) {
        size_t i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED);
        if (i >= sh->n_files) break;
        if (over_budget(&r->o->limits, __atomic_load_n(&sh->done_bytes, __ATOMIC_RELAXED),
                        __atomic_load_n(&sh->done_members, __ATOMIC_RELAXED)))
            continue;
        file_mark *m = CS_PUSH(r->marks, r->n_marks, r->cap_marks);
        *m = (file_mark){i, r->out->n_traces, r->out->n_diags, r->out->n_members, r->out->n_tests};
        /* The file's own member record names it first: with its source
         * (out's, which outlives r's records) rather than a copy. */
        cs_strtab_expect_path(&r->out->strs, sh->sources[i]);
        cs_ingest_file(r->in, sh->fs_paths[i], sh->sources[i], &sh->ids[i], sh->visit, r);
        uint64_t bytes, members;
        cs_ingest_file_done(r->in, &bytes, &members);
        __atomic_add_fetch(&sh->done_bytes, bytes, __ATOMIC_RELAXED);
        __atomic_add_fetch(&sh->done_members, members, __ATOMIC_RELAXED);
        file_read(r, i, bytes, members);
    }
    cs_regex_thread_cleanup();
    return NULL;
}

typedef struct gone_set {
    cs_strset sources; /* of the files dropped */
} gone_set;

/* A member's source is its file's source, or that and "!member". */
static bool source_gone(const char *source, void *user)
{
    const gone_set *g = user;
    if (cs_strset_has(&g->sources, source)) return true;
    for (const char *bang = strchr(source, '!'); bang; bang = strchr(bang + 1, '!')) {
        char *file = cs_xstrndup(source, (size_t)(bang - source));
        bool gone = cs_strset_has(&g->sources, file);
        free(file);
        if (gone) return true;
    }
    return false;
}

/* The run's budget (--max-members, --max-total), applied in file order:
 * the file in which the running total passes it is the last one kept
 * (read whole, within its own budget), and every record of a later file a
 * worker had read is dropped with the cores and binaries it gave. Output
 * is then the same for any --jobs. */
static void cut_at_budget(shared *sh, run *runs, int jobs, cs_results *out)
{
    const cs_limits *l = &sh->o->limits;
    uint64_t b = 0, m = 0;
    size_t last = sh->n_files;
    /* Files not read (skipped once past the budget) cost nothing. */
    for (size_t i = 0; i < sh->n_files && last == sh->n_files; i++) {
        b += sh->file_bytes[i];
        m += sh->file_members[i];
        if (over_budget(l, b, m)) last = i;
    }
    if (last + 1 >= sh->n_files) return;
    for (int j = 0; j < jobs; j++) {
        run *r = &runs[j];
        for (size_t k = 0; k < r->n_marks; k++)
            if (r->marks[k].file > last) {
                const file_mark *mk = &r->marks[k];
                cs_results_truncate(r->out, mk->traces, mk->diags, mk->members, mk->tests);
                break;
            }
    }
    gone_set g;
    cs_strset_init(&g.sources);
    for (size_t i = last + 1; i < sh->n_files; i++)
        cs_strset_add(&g.sources, sh->sources[i]);
    cs_core_index_forget(sh->cores, source_gone, &g);
    cs_strset_dispose(&g.sources);
    cs_results_add_diag(out, sh->sources[last],
                        "the run's budget (--max-members %llu, --max-total %llu bytes) was "
                        "passed by the end of this file; the %zu file(s) after it were skipped",
                        (unsigned long long)l->max_members, (unsigned long long)l->max_total,
                        sh->n_files - last - 1);
}

/* The folder walk comes first (cheap: no file is read), then workers take
 * files one at a time. Each worker keeps its own results; they are merged
 * and sorted at the end, so the output is the same for any --jobs. */
static int run_all(const cs_run_opts *o, const char *const *paths, size_t n, cs_results *out,
                   cs_visit_fn visit)
{
    shared sh = {.o = o, .visit = visit, .strs = &out->strs};
    pthread_mutex_init(&sh.core_lock, NULL);
    pthread_mutex_init(&sh.progress_lock, NULL);
    sh.cores = cs_core_index_new(&o->core);
    cs_ingest *lister = cs_ingest_new(&o->limits, out);
    for (size_t i = 0; i < n; i++)
        cs_ingest_list(lister, paths[i], add_file, &sh);

    /* The walk is over: its vectors at their size, and the budget's. */
    if (sh.n_files && sh.n_files < sh.cap_files) {
        sh.fs_paths = cs_xrealloc(sh.fs_paths, sh.n_files * sizeof *sh.fs_paths);
        sh.sources = cs_xrealloc(sh.sources, sh.n_files * sizeof *sh.sources);
        sh.ids = cs_xrealloc(sh.ids, sh.n_files * sizeof *sh.ids);
        sh.cap_files = sh.n_files;
    }
    size_t nf = sh.n_files ? sh.n_files : 1;
    sh.file_bytes = cs_xcalloc(nf, sizeof *sh.file_bytes);
    sh.file_members = cs_xcalloc(nf, sizeof *sh.file_members);
    sh.file_done = cs_xcalloc(nf, 1);
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if ((size_t)jobs > sh.n_files) jobs = sh.n_files ? (int)sh.n_files : 1;
    run *runs = cs_xcalloc((size_t)jobs, sizeof *runs);
    cs_results *outs = cs_xcalloc((size_t)jobs, sizeof *outs);
    for (int j = 0; j < jobs; j++) {
        cs_results_init(&outs[j]);
        runs[j] = (run){.o = o, .sh = &sh, .out = &outs[j], .cores = sh.cores};
        runs[j].in = cs_ingest_new(&o->limits, &outs[j]);
        runs[j].chunk = cs_xmalloc(CHUNK);
        runs[j].share = cs_share_new();
    }
    if (jobs == 1) {
        worker(&runs[0]);
    } else {
        pthread_t *th = cs_xcalloc((size_t)jobs, sizeof *th);
        for (int j = 0; j < jobs; j++)
            if (pthread_create(&th[j], NULL, worker, &runs[j]) != 0) abort();
        for (int j = 0; j < jobs; j++)
            pthread_join(th[j], NULL);
        free(th);
    }
    cut_at_budget(&sh, runs, jobs, out);
    for (int j = 0; j < jobs; j++)
        cs_results_move(out, &outs[j]);
    cs_core_unwind_deferred(sh.cores, &o->core, out);
    cs_core_index_free(sh.cores);
    progress(&runs[0], true);
    for (int j = 0; j < jobs; j++) {
        free(runs[j].chunk);
        free(runs[j].marks);
        cs_share_free(runs[j].share);
        cs_ingest_free(runs[j].in);
        cs_results_dispose(&outs[j]);
    }
    free(runs);
    free(outs);
    free(sh.fs_paths);
    free(sh.file_bytes);
    free(sh.file_members);
    free(sh.file_done);
    free(sh.sources);
    free(sh.ids);
    cs_ingest_free(lister);
    pthread_mutex_destroy(&sh.core_lock);
    pthread_mutex_destroy(&sh.progress_lock);
    cs_results_sort(out);
    return 0;
}

int cs_pipeline_inventory(const cs_run_opts *o, const char *const *paths, size_t n, cs_results *out)
{
    return run_all(o, paths, n, out, visit_inventory);
}

int cs_pipeline_extract(const cs_run_opts *o, const char *const *paths, size_t n, cs_results *out)
{
    return run_all(o, paths, n, out, visit_triage);
}

int cs_pipeline_load_rules(const cs_run_opts *o, cs_rules *rules, cs_results *diags)
{
    const char *dir = o->rules_dir ? o->rules_dir : cs_rules_default_dir();
    int rc = dir ? cs_rules_load_dir(rules, dir, diags) : cs_rules_load_builtin(rules, diags);
    for (int i = 0; i < o->n_user_rules; i++)
        if (cs_rules_load_dir(rules, o->user_rules[i], diags)) rc = CS_E_USAGE;
    return rc ? CS_E_USAGE : 0;
}

/* Every stage after extraction: normalize with out->rules, cluster, race. */
static void normalize_all(const cs_run_opts *o, cs_triage *out)
{
    cs_normalizer *nz = cs_normalizer_new(&out->rules, o->sig_frames);
    snprintf(out->sig_version, sizeof out->sig_version, "%s", cs_normalizer_version(nz));
    /* Owners first: a trace with borrowed threads reads their marks. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < out->res.n_traces; i++)
            if ((out->res.traces[i]->same_as != NULL) == pass) {
                cs_normalize_trace(nz, out->res.traces[i]);
                /* A cluster's signature is stored once, not per trace. */
                cs_results_intern_signature(&out->res, out->res.traces[i]);
            }
    cs_normalizer_free(nz);
}

static void analyse(const cs_run_opts *o, cs_triage *out)
{
    cs_cluster_opts co = {.threshold = o->merge_threshold};
    cs_cluster_run(&out->res, &co, &out->clusters);
    cs_race_run(&out->res, o->source_dir, &out->races);
    cs_flaky_run(&out->res, &out->clusters, &out->races, &out->tests);
}

static int begin(const cs_run_opts *o, cs_triage *out)
{
    memset(out, 0, sizeof *out);
    cs_results_init(&out->res);
    cs_rules_init(&out->rules);
    return cs_pipeline_load_rules(o, &out->rules, &out->res) ? CS_E_USAGE : 0;
}

int cs_pipeline_triage(const cs_run_opts *o, const char *const *paths, size_t n, cs_triage *out)
{
    if (begin(o, out)) return CS_E_USAGE;
    int rc = run_all(o, paths, n, &out->res, visit_triage);
    normalize_all(o, out);
    analyse(o, out);
    return rc;
}

int cs_pipeline_extract_shard(const cs_run_opts *o, const char *const *paths, size_t n,
                              cs_triage *out)
{
    if (begin(o, out)) return CS_E_USAGE;
    int rc = run_all(o, paths, n, &out->res, visit_triage);
    normalize_all(o, out);
    return rc;
}

/* Each shard's records are appended, then sorted as one run's results
 * would be: the order of the shards and how inputs were grouped into them
 * no longer matter. Every trace is normalized again from its raw frames
 * with this run's rules (docs/shard.md: a shard's own signatures are
 * informational), so the clusters are those triage would make. */
int cs_pipeline_merge(const cs_run_opts *o, const char *const *shards, size_t n, cs_triage *out,
                      cs_shard_header *headers, size_t *failed)
{
    if (begin(o, out)) return CS_E_USAGE;
    cs_share *share = cs_share_new(); /* shards repeat stacks as logs do */
    for (size_t i = 0; i < n; i++) {
        size_t first = out->res.n_traces;
        if (cs_shard_read(shards[i], &headers[i], &out->res)) {
            for (size_t k = 0; k <= i; k++)
                cs_shard_header_dispose(&headers[k]);
            if (failed) *failed = i;
            cs_share_free(share);
            return CS_E_IO;
        }
        cs_share_threads(share, &out->res, first);
    }
    cs_share_free(share);
    cs_results_sort(&out->res);
    normalize_all(o, out);
    analyse(o, out);
    return 0;
}

void cs_triage_dispose(cs_triage *t)
{
    cs_tests_dispose(&t->tests);
    cs_races_dispose(&t->races);
    cs_clusters_dispose(&t->clusters);
    cs_rules_dispose(&t->rules);
    cs_results_dispose(&t->res);
}

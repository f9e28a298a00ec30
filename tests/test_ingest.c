/* Ingest: source paths through nested archives, sniffing by content, and
 * every hostile input becoming an error entry while the rest is still read. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static void inventory(const char *path, cs_results *r, const cs_run_opts *opts)
{
    cs_run_opts o;
    if (opts)
        o = *opts;
    else
        cs_run_opts_default(&o);
    cs_results_init(r);
    const char *paths[] = {path};
    cs_pipeline_inventory(&o, paths, 1, r);
}

static const cs_member *member(const cs_results *r, const char *suffix)
{
    size_t k = strlen(suffix);
    for (size_t i = 0; i < r->n_members; i++) {
        size_t n = strlen(r->members[i].source);
        if (n >= k && strcmp(r->members[i].source + n - k, suffix) == 0) return &r->members[i];
    }
    return NULL;
}

static const cs_diag *diag(const cs_results *r, const char *source_suffix, const char *text)
{
    size_t k = strlen(source_suffix);
    for (size_t i = 0; i < r->n_diags; i++) {
        size_t n = strlen(r->diags[i].source);
        if (n >= k && strcmp(r->diags[i].source + n - k, source_suffix) == 0 &&
            strstr(r->diags[i].message, text))
            return &r->diags[i];
    }
    return NULL;
}

static void test_bundle_source_paths(void **state)
{
    (void)state;
    cs_results r;
    inventory(cs_t_src("fixtures/bundle"), &r, NULL);
    const cs_member *m = member(&r, "bundle/artifacts.zip!run-17.zip!logs/test.log");
    assert_non_null(m);
    assert_int_equal(m->kind, CS_MK_TEXT);
    assert_int_equal(m->size, 1154);
    m = member(&r, "bundle/artifacts.zip!run-17.zip!logs/race.log.gz");
    assert_non_null(m);
    m = member(&r, "bundle/artifacts.zip!run-17.zip");
    assert_non_null(m);
    assert_int_equal(m->kind, CS_MK_ZIP);
    m = member(&r, "bundle/job-42.log.gz");
    assert_non_null(m);
    m = member(&r, "bundle/unpacked/job-43.log");
    assert_non_null(m);
    assert_int_equal(r.n_diags, 0);
    /* Sorted by source path: the walk order is not the output order. */
    for (size_t i = 1; i < r.n_members; i++)
        assert_true(strcmp(r.members[i - 1].source, r.members[i].source) <= 0);
    cs_results_dispose(&r);
}

static void test_hostile_archives(void **state)
{
    (void)state;
    cs_results r;
    inventory(cs_t_src("fixtures/hostile"), &r, NULL);
    assert_non_null(diag(&r, "truncated.zip", "cannot open zip"));
    assert_non_null(diag(&r, "bomb.zip!zeros.log", "zip bomb"));
    /* No size declared anywhere: caught while decompressing. */
    assert_non_null(diag(&r, "bomb.log.xz", "compression ratio over 1000:1"));
    assert_non_null(member(&r, "bomb.zip!ok.log"));
    assert_non_null(diag(&r, "traversal.zip!../evil.log", "'..'"));
    assert_non_null(diag(&r, "traversal.zip!/etc/abs.log", "absolute"));
    assert_non_null(diag(&r, "traversal.zip!C:/win.log", "drive-letter"));
    assert_non_null(diag(&r, "traversal.zip!ctrl\\x01name.log", "control characters"));
    assert_non_null(diag(&r, "traversal.zip!a/../../up.log", "'..'"));
    assert_non_null(member(&r, "traversal.zip!good.log"));
    assert_non_null(diag(&r, "symlink.zip!link.log", "symbolic link"));
    assert_non_null(member(&r, "symlink.zip!real.log"));
    assert_non_null(diag(&r, "dup.zip!same.log", "repeats the name"));
    assert_non_null(diag(&r, "encrypted.zip!secret.log", "encrypted"));
    assert_non_null(diag(&r, "deep.zip!level5.zip!level4.zip!level3.zip!level2.zip", "nested"));
    assert_non_null(diag(&r, "corrupt.log.gz", "truncated"));
    assert_non_null(diag(&r, "badcrc.zip!crc.log", "CRC"));
    /* A file named .zip that is not one is sniffed by content, and is an
     * error (a failed download), not a log. */
    const cs_member *m = member(&r, "notazip.zip");
    assert_non_null(m);
    assert_int_equal(m->kind, CS_MK_TEXT);
    assert_non_null(diag(&r, "notazip.zip", "not a zip archive: the content looks like text"));
    m = member(&r, "empty.zip");
    assert_non_null(m);
    assert_int_equal(m->kind, CS_MK_ZIP);
    m = member(&r, "garbage.bin");
    assert_non_null(m);
    assert_int_equal(m->kind, CS_MK_BINARY);
    cs_results_dispose(&r);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/cs-ingest-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void sh(const char *fmt, const char *arg)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg, arg, arg);
    assert_int_equal(system(cmd), 0);
}

static void test_symlinks_loops_and_fifos(void **state)
{
    (void)state;
    char *d = tmpdir();
    sh("mkdir -p %s/in/sub && cp fixtures/go/nil_deref.log %s/in/sub/a.log && ln -s .. "
       "%s/in/sub/loop"
       " && ln -s /etc %s/in/out",
       d);
    char *p;
    assert_true(asprintf(&p, "%s/in/fifo", d) > 0);
    assert_int_equal(mkfifo(p, 0600), 0);
    free(p);
    assert_true(asprintf(&p, "%s/in", d) > 0);
    cs_results r;
    inventory(p, &r, NULL);
    assert_non_null(member(&r, "in/sub/a.log"));
    assert_non_null(diag(&r, "in/sub/loop", "loop"));
    assert_non_null(diag(&r, "in/out", "outside the input"));
    assert_non_null(diag(&r, "in/fifo", "not a regular file"));
    cs_results_dispose(&r);
    free(p);
    sh("rm -rf %s", d);
    free(d);
}

static void test_limits_member_total_line(void **state)
{
    (void)state;
    char *d = tmpdir();
    /* A 20 MB single line and a 3 MB ordinary log. */
    sh("head -c 20000000 /dev/zero | tr '\\0' x > %s/long.log && echo >> %s/long.log", d);
    sh("for i in $(seq 1 30000); do echo \"line $i of an ordinary build log with some text\"; done"
       " > %s/big.log",
       d);
    cs_run_opts o;
    cs_run_opts_default(&o);
    o.limits.max_member = 2 << 20;
    cs_results r;
    inventory(d, &r, &o);
    assert_non_null(diag(&r, "long.log", "over the limit"));
    cs_results_dispose(&r);

    cs_run_opts_default(&o);
    o.limits.max_total = 1 << 20;
    inventory(d, &r, &o);
    assert_non_null(diag(&r, "big.log", "total uncompressed input"));
    cs_results_dispose(&r);

    /* Triage: the overlong line is cut, reported, and the run goes on. */
    cs_run_opts_default(&o);
    o.limits.max_line = 4096;
    cs_results_init(&r);
    const char *paths[] = {d};
    cs_pipeline_extract(&o, paths, 1, &r);
    assert_non_null(diag(&r, "long.log", "longer than 4096 bytes"));
    cs_results_dispose(&r);
    sh("rm -rf %s", d);
    free(d);
}

static void test_sparse_10g_and_200mb_line(void **state)
{
    (void)state;
    char *d = tmpdir();
    /* A sparse 10 GB file costs no disk and must cost no reading either. */
    sh("truncate -s 10G %s/sparse.log", d);
    /* One 200 MB line, then a real trace after it. */
    sh("head -c 200000000 /dev/zero | tr '\\0' x > %s/long.log && echo >> %s/long.log && "
       "cat fixtures/go/nil_deref.log >> %s/long.log",
       d);
    cs_results r;
    cs_run_opts o;
    cs_run_opts_default(&o);
    cs_results_init(&r);
    const char *paths[] = {d};
    cs_pipeline_extract(&o, paths, 1, &r);
    assert_non_null(diag(&r, "sparse.log", "over the limit"));
    assert_non_null(diag(&r, "long.log", "longer than"));
    /* The trace after the huge line is found, on the right line. */
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->line_start, 1 + 2);
    cs_results_dispose(&r);
    sh("rm -rf %s", d);
    free(d);
}

static void test_elf_with_lying_headers(void **state)
{
    (void)state;
    /* A real binary built here, then copies whose headers lie. */
    char *d = tmpdir();
    sh("printf 'int main(void){return 0;}\\n' > %s/t.c && cc -o %s/t %s/t.c && "
       "python3 tests/bogus_elf.py %s/t %s/bogus",
       d);
    char *p;
    assert_true(asprintf(&p, "%s/bogus", d) > 0);
    cs_results r;
    cs_run_opts o;
    cs_run_opts_default(&o);
    cs_results_init(&r);
    const char *paths[] = {p};
    cs_pipeline_extract(&o, paths, 1, &r);
    static const char *const names[] = {"shoff_past_end", "shnum_huge", "shstrndx_bad",
                                        "phoff_bad",      "phnum_huge", "shdr_garbage"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const cs_diag *g = diag(&r, names[i], "ELF file: ");
        if (!g) fail_msg("no error entry for %s", names[i]);
    }
    assert_int_equal(r.n_diags, 6);
    cs_results_dispose(&r);
    free(p);
    sh("rm -rf %s", d);
    free(d);
}

static void extract_one(const char *path, cs_results *r, const cs_run_opts *opts)
{
    cs_run_opts o;
    if (opts)
        o = *opts;
    else
        cs_run_opts_default(&o);
    cs_results_init(r);
    const char *paths[] = {path};
    cs_pipeline_extract(&o, paths, 1, r);
}

static size_t members_under(const cs_results *r, const char *prefix)
{
    size_t n = 0, k = strlen(prefix);
    for (size_t i = 0; i < r->n_members; i++)
        if (strstr(r->members[i].source, prefix) &&
            strlen(strstr(r->members[i].source, prefix)) > k)
            n++;
    return n;
}

static void test_overlapping_entries_refused(void **state)
{
    (void)state;
    /* 200 entries sharing one DEFLATE kernel: refused before any is read. */
    cs_results r;
    extract_one(cs_t_src("fixtures/hostile/overlap.zip"), &r, NULL);
    const cs_diag *g = diag(&r, "overlap.zip", "overlap");
    assert_non_null(g);
    assert_non_null(strstr(g->message, "refused"));
    assert_int_equal(members_under(&r, "overlap.zip!"), 0);
    cs_results_dispose(&r);
    /* The archives that do not overlap are still read. */
    extract_one(cs_t_src("fixtures/bundle/artifacts.zip"), &r, NULL);
    assert_int_equal(r.n_diags, 0);
    cs_results_dispose(&r);
}

static void test_nested_bomb_bounded_per_input(void **state)
{
    (void)state;
    /* 32 GiB across three levels from 13 KB: stopped by the ratio of the
     * whole input, long before --max-total. */
    cs_run_opts o;
    cs_run_opts_default(&o);
    o.limits.max_total = 1ULL << 30;
    cs_results r;
    extract_one(cs_t_src("fixtures/hostile/nested-bomb.zip"), &r, &o);
    assert_non_null(diag(&r, "", "across all its archive levels"));
    for (size_t i = 0; i < r.n_diags; i++)
        assert_null(strstr(r.diags[i].message, "--max-total"));
    /* One error entry, not one per member left. */
    assert_int_equal(r.n_diags, 1);
    cs_results_dispose(&r);
}

static void test_size_lie_reported(void **state)
{
    (void)state;
    cs_results r;
    extract_one(cs_t_src("fixtures/hostile/sizelie.zip"), &r, NULL);
    assert_non_null(diag(&r, "sizelie.zip!big.log", "declares 1000 bytes"));
    cs_results_dispose(&r);
}

/* Tars made by GNU tar (fixtures/archives/make.sh), plain and compressed,
 * read like zips with "!" paths; failed downloads saved under an archive's
 * name are errors, not logs. */
static void test_tar_and_not_an_archive(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/archives", &r);
    static const char *const tars[] = {"job.tar", "job.tar.gz", "job.tgz", "job.tar.xz",
                                       "job.tar.zst"};
    for (size_t i = 0; i < sizeof tars / sizeof tars[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s!job/logs/crash.log", tars[i]);
        const cs_member *m = member(&r, name);
        assert_non_null(m);
        assert_int_equal(m->kind, CS_MK_TEXT);
        snprintf(name, sizeof name, "%s!job/logs/ok.log", tars[i]);
        assert_non_null(member(&r, name));
    }
    assert_int_equal(r.n_traces, 5);
    for (size_t i = 0; i < r.n_traces; i++) {
        assert_int_equal(r.traces[i]->kind, CS_TK_GO_PANIC);
        assert_int_equal(r.traces[i]->line_start, 2);
        assert_non_null(strstr(r.traces[i]->source, "!job/logs/crash.log"));
    }
    assert_non_null(diag(&r, "signin.zip", "not a zip archive: the content looks like HTML"));
    assert_non_null(diag(&r, "artifacts.tar.gz", "not a gzip stream: the content looks like HTML"));
    assert_int_equal(r.n_diags, 2);
    cs_results_dispose(&r);
}

/* Swaps b.log for a symlink to a file outside the input once the walk is
 * over and the first file has been read (the progress callback runs then). */
static const char *swap_dir;
static bool swapped;

static void swap_after_first(void *user, uint64_t members, uint64_t bytes, bool done)
{
    (void)user;
    (void)bytes;
    if (swapped || done || members == 0) return;
    swapped = true;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm %s/in/b.log && ln -s %s/secret.log %s/in/b.log", swap_dir,
             swap_dir, swap_dir);
    assert_int_equal(system(cmd), 0);
}

static void test_swap_after_walk_not_followed(void **state)
{
    (void)state;
    char *d = tmpdir();
    sh("mkdir -p %s/in && echo 'plain log' > %s/in/a.log && echo 'plain log' > %s/in/b.log && "
       "cp fixtures/go/nil_deref.log %s/secret.log",
       d);
    char *p;
    assert_true(asprintf(&p, "%s/in", d) > 0);
    cs_run_opts o;
    cs_run_opts_default(&o);
    o.jobs = 1;
    o.progress = swap_after_first;
    swap_dir = d;
    swapped = false;
    cs_results r;
    cs_results_init(&r);
    const char *paths[] = {p};
    cs_pipeline_extract(&o, paths, 1, &r);
    assert_true(swapped);
    /* The walk saw a regular file: the link that replaced it is not read. */
    assert_int_equal(r.n_traces, 0);
    assert_non_null(diag(&r, "in/b.log", "changed since the walk"));
    cs_results_dispose(&r);
    free(p);
    sh("rm -rf %s", d);
    free(d);
}

/* '!' separates an archive from its members in source paths: a plain file
 * named like a member path, or a member with '!' in its name, must not read
 * as a nested member. The '!' in names is shown as "\\x21". */
static void test_bang_in_names_escaped(void **state)
{
    (void)state;
    char *d = tmpdir();
    sh("mkdir -p %s/in %s/z && cp fixtures/go/nil_deref.log '%s/in/run-17.zip!logs!test.log' && "
       "cp fixtures/go/explicit_panic.log '%s/z/a!b.log' && cd %s/z && zip -q ../in/art.zip "
       "'a!b.log'",
       d);
    char *p;
    assert_true(asprintf(&p, "%s/in", d) > 0);
    cs_results r;
    cs_t_triage(p, &r);
    assert_int_equal(r.n_traces, 2);
    bool plain = false, member = false;
    for (size_t i = 0; i < r.n_traces; i++) {
        const char *src = r.traces[i]->source;
        const char *in = strstr(src, "/in/");
        assert_non_null(in);
        if (strcmp(in, "/in/run-17.zip\\x21logs\\x21test.log") == 0) plain = true;
        if (strcmp(in, "/in/art.zip!a\\x21b.log") == 0) member = true;
    }
    assert_true(plain);
    assert_true(member);
    cs_results_dispose(&r);
    free(p);
    sh("rm -rf %s", d);
    free(d);
}

/* The run's budget is applied in file order, whatever the threads: a pile
 * over --max-members keeps the same files and traces with 1 and 4 workers,
 * says which file passed the budget, and no later file's trace stays. */
static void test_budget_cut_in_file_order(void **state)
{
    (void)state;
    char *d = tmpdir();
    for (int i = 0; i < 40; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "mkdir -p %s/run%02d && printf 'panic: boom %d\\n\\ngoroutine 1 [running]:\\n"
                 "main.main()\\n\\t/src/main.go:%d +0x1d\\n' > %s/run%02d/a.log && "
                 "cp %s/run%02d/a.log %s/run%02d/b.log",
                 d, i, i, 10 + i, d, i, d, i, d, i);
        assert_int_equal(system(cmd), 0);
    }
    const char *paths[] = {d};
    cs_results r[2];
    for (int k = 0; k < 2; k++) {
        cs_run_opts o;
        cs_run_opts_default(&o);
        o.jobs = k ? 4 : 1;
        o.limits.max_members = 15; /* passed inside run07 (its 16th member) */
        cs_results_init(&r[k]);
        cs_pipeline_extract(&o, paths, 1, &r[k]);
    }
    assert_int_equal(r[0].n_traces, r[1].n_traces);
    assert_int_equal(r[0].n_traces, 16);
    for (size_t i = 0; i < r[0].n_traces; i++) {
        assert_string_equal(r[0].traces[i]->source, r[1].traces[i]->source);
        assert_null(strstr(r[0].traces[i]->source, "run08"));
    }
    for (int k = 0; k < 2; k++) {
        const cs_diag *g = diag(&r[k], "run07/b.log", "the run's budget");
        assert_non_null(g);
        assert_non_null(strstr(g->message, "the 64 file(s) after it were skipped"));
        cs_results_dispose(&r[k]);
    }
    sh("rm -rf %s", d);
    free(d);
}

int main(void)
{
    /* Paths in the tests are relative to the source tree. */
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_and_not_an_archive),
        cmocka_unit_test(test_bundle_source_paths),
        cmocka_unit_test(test_hostile_archives),
        cmocka_unit_test(test_symlinks_loops_and_fifos),
        cmocka_unit_test(test_limits_member_total_line),
        cmocka_unit_test(test_sparse_10g_and_200mb_line),
        cmocka_unit_test(test_elf_with_lying_headers),
        cmocka_unit_test(test_overlapping_entries_refused),
        cmocka_unit_test(test_nested_bomb_bounded_per_input),
        cmocka_unit_test(test_size_lie_reported),
        cmocka_unit_test(test_swap_after_walk_not_followed),
        cmocka_unit_test(test_bang_in_names_escaped),
        cmocka_unit_test(test_budget_cut_in_file_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

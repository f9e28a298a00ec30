/* test_shard.c - the shard format round-trips: every fixture's results
 * written, read back and written again give the same bytes (so every field
 * the writer knows survives), strings that are not UTF-8 come back byte for
 * byte, and 64-bit addresses keep every bit. tests/shards.sh checks the
 * merge end to end. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#include "base/util.h"
#include "shard/shard.h"

static char *write_to(const char *path, const cs_shard_header *h, const cs_results *r, size_t *n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(cs_shard_write(f, h, r), 0);
    assert_int_equal(fclose(f), 0);
    f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&buf, &cap);
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, k, m);
    fclose(f);
    fclose(m);
    *n = cap;
    return buf;
}

static void roundtrip(const cs_results *r, const char *sig_version)
{
    char dir[] = "/tmp/cs-shard-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64];
    snprintf(a, sizeof a, "%s/a.shard", dir);
    snprintf(b, sizeof b, "%s/b.shard", dir);
    char *in[] = {"fixtures"};
    cs_shard_header h = {CS_SHARD_FORMAT_VERSION, "test", (char *)sig_version, 3, in, 1};
    size_t na, nb;
    char *sa = write_to(a, &h, r, &na);
    cs_results back;
    cs_results_init(&back);
    cs_shard_header hb;
    assert_int_equal(cs_shard_read(a, &hb, &back), 0);
    if (back.n_diags != r->n_diags)
        fail_msg("reading added error entries: %s: %s", back.diags[0].source,
                 back.diags[0].message);
    assert_string_equal(hb.sig_version, sig_version);
    assert_int_equal(hb.n_inputs, 1);
    assert_int_equal(back.n_traces, r->n_traces);
    assert_int_equal(back.n_tests, r->n_tests);
    assert_int_equal(back.n_members, r->n_members);
    char *sb = write_to(b, &h, &back, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(sa, sb, na);
    free(sa);
    free(sb);
    cs_shard_header_dispose(&hb);
    cs_results_dispose(&back);
    unlink(a);
    unlink(b);
    rmdir(dir);
}

static void test_fixtures_roundtrip(void **state)
{
    (void)state;
    const char *dirs[] = {"fixtures/go",         "fixtures/java",   "fixtures/junit",
                          "fixtures/node",       "fixtures/python", "fixtures/rust",
                          "fixtures/sanitizers", "fixtures/gdb",    "fixtures/native",
                          "fixtures/cores",      "fixtures/bundle", "fixtures/hostile"};
    const char *paths[CS_ARRAY_LEN(dirs)];
    for (size_t i = 0; i < CS_ARRAY_LEN(dirs); i++)
        paths[i] = cs_xstrdup(cs_t_src(dirs[i]));
    cs_triage t;
    cs_t_triage_full(paths, CS_ARRAY_LEN(dirs), NULL, &t);
    assert_true(t.res.n_traces > 50);
    assert_true(t.res.n_tests > 0);
    assert_true(t.res.n_diags > 0);
    roundtrip(&t.res, t.sig_version);
    cs_triage_dispose(&t);
    for (size_t i = 0; i < CS_ARRAY_LEN(dirs); i++)
        free((char *)paths[i]);
}

/* Artifacts are not always UTF-8, and cores have addresses past 2^63. */
static void test_bytes_and_addresses(void **state)
{
    (void)state;
    cs_results r;
    cs_results_init(&r);
    cs_trace *t = cs_trace_new(CS_TK_NATIVE, "job.log!\xff\xfe latin1 \xe9t\xe9", 3);
    t->headline = cs_xstrdup("Segmentation fault in \xc3\x28 (bad UTF-8)");
    cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
    th->addr = 0xfffffffffffffff0ull;
    cs_frame *f = cs_thread_add_frame(th);
    f->function = cs_xstrdup("caf\xe9_handler");
    f->pc = 0x8000000000000001ull;
    f->has_pc = true;
    cs_results_add_trace(&r, t);
    roundtrip(&r, "1:0");

    char path[] = "/tmp/cs-shard-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    char *in[] = {"job.log"};
    cs_shard_header h = {CS_SHARD_FORMAT_VERSION, "test", "1:0", 3, in, 1};
    assert_int_equal(cs_shard_write(out, &h, &r), 0);
    fclose(out);
    cs_results back;
    cs_results_init(&back);
    cs_shard_header hb;
    assert_int_equal(cs_shard_read(path, &hb, &back), 0);
    assert_int_equal(back.n_traces, 1);
    const cs_trace *b = back.traces[0];
    assert_string_equal(b->source, t->source);
    assert_string_equal(b->headline, t->headline);
    assert_int_equal(b->threads[0].addr, 0xfffffffffffffff0ull);
    assert_int_equal(b->threads[0].frames[0].pc, 0x8000000000000001ull);
    assert_string_equal(b->threads[0].frames[0].function, "caf\xe9_handler");
    cs_shard_header_dispose(&hb);
    cs_results_dispose(&back);
    cs_results_dispose(&r);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_roundtrip),
        cmocka_unit_test(test_bytes_and_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

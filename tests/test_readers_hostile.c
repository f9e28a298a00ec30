/* The structured readers (JUnit XML, test2json) against hostile and unusual
 * inputs (#20): preambles longer than the sniffed head, XML that is not
 * JUnit, single tokens big enough to make expat rescan quadratically, many
 * tests in one go test -json stream, malformed event lines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "testutil.h"

static const char FAILING_CASE[] =
    "<testcase classname=\"example.com/dispatch\" name=\"TestDispatchUnknownKind\">"
    "<failure message=\"Failed\">panic: runtime error: invalid memory address or nil pointer "
    "dereference&#xA;[signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x4f6735]&#xA;"
    "&#xA;goroutine 10 [running]:&#xA;example.com/dispatch.(*Dispatcher).Dispatch(0x50b980?, "
    "0xc0000101b0)&#xA;&#x9;/src/dispatch/dispatch.go:37 +0x35&#xA;"
    "example.com/dispatch.TestDispatchUnknownKind(0xc000098340)&#xA;&#x9;"
    "/src/dispatch/dispatch_test.go:19 +0x125&#xA;</failure></testcase>";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const cs_diag *find_diag(const cs_results *r, const char *text)
{
    for (size_t i = 0; i < r->n_diags; i++)
        if (strstr(r->diags[i].message, text)) return &r->diags[i];
    return NULL;
}

static char *filler(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Licence comments and long processing instructions before the root. */
static void test_junit_root_after_the_head(void **state)
{
    (void)state;
    char *pad = filler('x', 9000);
    const char *shapes[] = {"<!-- %s -->\n", "<?generator %s?>\n",
                            "<!-- a -->\n<?pi b?>\n<!DOCTYPE testsuites>\n<!-- %s -->\n"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char *pre, *doc;
        assert_true(asprintf(&pre, shapes[i], pad) > 0);
        assert_true(asprintf(&doc,
                             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s<testsuites><testsuite "
                             "name=\"example.com/dispatch\">%s</testsuite></testsuites>\n",
                             pre, FAILING_CASE) > 0);
        cs_results r;
        cs_t_triage_text("report.xml", doc, &r);
        if (r.n_traces != 1) fail_msg("shape %zu: %zu traces", i, r.n_traces);
        assert_int_equal(r.traces[0]->kind, CS_TK_GO_PANIC);
        assert_string_equal(r.traces[0]->test, "TestDispatchUnknownKind");
        assert_int_equal(r.n_diags, 0);
        cs_results_dispose(&r);
        free(pre);
        free(doc);
    }
    free(pad);
}

/* XML that is not JUnit: its kind says so, and when that is only known past
 * the head, an error entry says why nothing was read from it. */
static void test_xml_not_junit(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("pom.xml",
                     "<?xml version=\"1.0\"?>\n<project><modelVersion>4.0.0"
                     "</modelVersion></project>\n",
                     &r);
    assert_int_equal(r.n_members, 1);
    assert_string_equal(cs_member_kind_name(r.members[0].kind), "xml");
    assert_int_equal(r.n_diags, 0);
    cs_results_dispose(&r);

    char *pad = filler('y', 9000), *doc;
    assert_true(
        asprintf(&doc, "<?xml version=\"1.0\"?>\n<!-- %s -->\n<project><x/></project>\n", pad) > 0);
    cs_t_triage_text("late.xml", doc, &r);
    const cs_diag *g = find_diag(&r, "not JUnit");
    assert_non_null(g);
    assert_non_null(strstr(g->message, "<project>"));
    cs_results_dispose(&r);
    free(doc);
    free(pad);
}

/* One 40 MB attribute (or comment): expat 2.5.0 rescans a token that spans
 * buffers from its start on every feed. Bounded, reported, and fast; the
 * failure before it is kept. */
static void test_junit_huge_token(void **state)
{
    (void)state;
    const size_t big = 40u << 20;
    char *pad = filler('z', big);
    const char *shapes[] = {"<testcase name=\"T2\" classname=\"c\" data=\"%s\"/>", "<!-- %s -->"};
    for (size_t i = 0; i < 2; i++) {
        cs_buf b;
        cs_buf_init(&b, 0);
        cs_buf_printf(&b, "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"p\">%s\n",
                      FAILING_CASE);
        cs_buf_printf(&b, shapes[i], pad);
        cs_buf_printf(&b, "</testsuite></testsuites>\n");
        char *doc = cs_buf_take(&b);
        double t0 = now();
        cs_results r;
        cs_t_triage_text("big.xml", doc, &r);
        double dt = now() - t0;
        const cs_diag *g = find_diag(&r, "longer than");
        if (!g) fail_msg("shape %zu: no error entry for the huge token", i);
        assert_int_equal(r.n_traces, 1);
        assert_string_equal(r.traces[0]->test, "TestDispatchUnknownKind");
        /* Unbounded, this takes 20 s; bounded, well under a second. */
        if (dt > 8) fail_msg("shape %zu: %.1f s", i, dt);
        cs_results_dispose(&r);
        free(doc);
    }
    free(pad);
}

/* A trace of 600 frames in each language: capped at CS_MAX_FRAMES and said
 * to be truncated, whatever the dialect. */
static void test_frame_cap_is_truncation(void **state)
{
    (void)state;
    static const struct {
        const char *name, *head, *frame, *tail;
        cs_trace_kind kind;
    } langs[] = {
        {"go.log", "panic: boom\n\ngoroutine 1 [running]:\n",
         "main.f%d(...)\n\t/src/main.go:%d +0x1d\n", "exit status 2\n", CS_TK_GO_PANIC},
        {"java.log", "Exception in thread \"main\" java.lang.StackOverflowError\n",
         "\tat example.Main.f%d(Main.java:%d)\n", "", CS_TK_JAVA},
        {"python.log", "Traceback (most recent call last):\n",
         "  File \"/src/a.py\", line %2$d, in f%1$d\n    f()\n",
         "RecursionError: maximum recursion depth exceeded\n", CS_TK_PYTHON},
        {"node.log", "RangeError: Maximum call stack size exceeded\n",
         "    at f%d (/src/a.js:%d:3)\n", "\nNode.js v18.19.0\n", CS_TK_NODE},
        {"rust.log", "thread 'main' panicked at 'boom', src/main.rs:2:5\nstack backtrace:\n",
         "  %d: app::f\n             at ./src/main.rs:%d:5\n", "note: Some details are omitted.\n",
         CS_TK_RUST},
    };
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        cs_buf b;
        cs_buf_init(&b, 0);
        cs_buf_printf(&b, "%s", langs[i].head);
        for (int k = 0; k < 600; k++)
            cs_buf_printf(&b, langs[i].frame, k, k + 1);
        cs_buf_printf(&b, "%s", langs[i].tail);
        char *text = cs_buf_take(&b);
        cs_results r;
        cs_t_triage_text(langs[i].name, text, &r);
        const cs_trace *t = cs_t_find(&r, langs[i].kind, NULL);
        if (!t) fail_msg("%s: no trace", langs[i].name);
        int th = cs_t_thread(t, CS_ROLE_CRASHED);
        assert_true(th >= 0);
        if (t->threads[th].n_frames != CS_MAX_FRAMES)
            fail_msg("%s: %zu frames", langs[i].name, t->threads[th].n_frames);
        if (!t->truncated)
            fail_msg("%s: capped at %d frames but not truncated", langs[i].name, CS_MAX_FRAMES);
        cs_results_dispose(&r);
        free(text);
    }
}

/* A core whose segments claim sizes near 2^64: the truncation message must
 * not wrap ("18446744073702796599 of 18959 bytes"), nor print "(null)". */
static void test_core_lying_sizes_message(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs-core-lie-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "python3 - fuzz/corpus/core/tiny-segv.core %s/lie.core <<'PY'\n"
             "import struct, sys\n"
             "b = bytearray(open(sys.argv[1], 'rb').read())\n"
             "phoff, = struct.unpack_from('<Q', b, 32)\n"
             "phent, phnum = struct.unpack_from('<HH', b, 54)\n"
             "n = 0\n"
             "for i in range(phnum):\n"
             "    o = phoff + i * phent\n"
             "    if struct.unpack_from('<I', b, o)[0] == 1 and n < 2:\n"
             "        struct.pack_into('<Q', b, o + 32, 0xFFFFFFFFFFFF0000)\n"
             "        n += 1\n"
             "open(sys.argv[2], 'wb').write(b)\n"
             "PY",
             dir);
    assert_int_equal(system(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/lie.core", dir);
    cs_results r;
    cs_t_triage(path, &r);
    const cs_diag *g = find_diag(&r, "core is truncated");
    assert_non_null(g);
    unsigned long long missing = 0, total = 0;
    const char *p = strstr(g->message, "truncated: ");
    assert_non_null(p);
    if (sscanf(p, "truncated: %llu of %llu", &missing, &total) == 2 && missing > total)
        fail_msg("wrapped: %s", g->message);
    for (size_t i = 0; i < r.n_diags; i++)
        if (strstr(r.diags[i].message, "(null)")) fail_msg("%s", r.diags[i].message);
    cs_results_dispose(&r);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* go test -json of 100,000 tests, one failing with a panic, and a few
 * malformed event lines: streams are found by hash, not by a scan of every
 * stream (that took 75-100 s), and the bad lines get one counted entry. */
static void test_test2json_many_tests(void **state)
{
    (void)state;
    const int n = 100000;
    cs_buf b;
    cs_buf_init(&b, 0);
    for (int i = 0; i < n; i++) {
        cs_buf_printf(&b,
                      "{\"Action\":\"run\",\"Package\":\"example.com/p%d\",\"Test\":\"Test%d\"}\n",
                      i % 7, i);
        cs_buf_printf(&b,
                      "{\"Action\":\"output\",\"Package\":\"example.com/p%d\",\"Test\":\"Test%d\","
                      "\"Output\":\"=== RUN   Test%d\\n\"}\n",
                      i % 7, i, i);
        if (i == 4242) {
            cs_buf_printf(&b,
                          "{\"Action\":\"output\",\"Package\":\"example.com/p%d\",\"Test\":"
                          "\"Test%d\",\"Output\":\"panic: boom\\n\\ngoroutine 7 [running]:\\n"
                          "example.com/p.Test%d(0xc000098340)\\n\\t/src/p/p_test.go:19 +0x125\\n"
                          "\"}\n{\"Action\":\"fail\",",
                          i % 7, i, i);
            cs_buf_printf(&b, "\n{\"Action\":\"out\n");
        }
        cs_buf_printf(&b,
                      "{\"Action\":\"pass\",\"Package\":\"example.com/p%d\",\"Test\":\"Test%d\"}\n",
                      i % 7, i);
    }
    char *text = cs_buf_take(&b);
    double t0 = now();
    cs_results r;
    cs_t_triage_text("many.json", text, &r);
    double dt = now() - t0;
    const cs_trace *t = cs_t_find(&r, CS_TK_GO_PANIC, NULL);
    assert_non_null(t);
    assert_string_equal(t->test, "Test4242");
    const cs_diag *g = find_diag(&r, "2 malformed go test -json event line(s)");
    if (!g) fail_msg("no counted error entry for the malformed lines");
    print_message("100000 tests: %.1f s\n", dt);
    if (dt > 60) fail_msg("100000 tests took %.1f s", dt); /* unindexed: 993 s */
    cs_results_dispose(&r);
    free(text);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junit_root_after_the_head),
        cmocka_unit_test(test_xml_not_junit),
        cmocka_unit_test(test_junit_huge_token),
        cmocka_unit_test(test_frame_cap_is_truncation),
        cmocka_unit_test(test_core_lying_sizes_message),
        cmocka_unit_test(test_test2json_many_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the report helpers every writer shares (report_util.c):
 * short C++ names and errors grouped by cause. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "testutil.h"

static const char *sn(const char *s, size_t max)
{
    static char buf[256];
    return cs_report_short_name(s, buf, sizeof buf, max);
}

static void test_short_names(void **state)
{
    (void)state;
    assert_string_equal(sn("main.record", 100), "main.record");
    assert_string_equal(
        sn("std::_Hashtable<std::__cxx11::basic_string<char, std::char_traits<char>, "
           "std::allocator<char> >, std::pair<std::__cxx11::basic_string<char> const, int> "
           ">::_M_find_before_node(unsigned long, std::__cxx11::basic_string<char> const&, "
           "unsigned long) const",
           100),
        "std::_Hashtable<…>::_M_find_before_node(…) const");
    assert_string_equal(sn("foo(int, char)", 100), "foo(int, char)");
    assert_string_equal(sn("operator<<(std::ostream&, X const&)", 100),
                        "operator<<(std::ostream&, X const&)");
    assert_string_equal(sn("a->b", 100), "a->b");
    /* Unbalanced: kept as is, then cut on a character boundary. */
    assert_string_equal(sn("f<int", 100), "f<int");
    assert_string_equal(sn("abcdefghij", 4), "abcd…");
    assert_string_equal(sn("ab\xC3\xA9z", 3), "ab…"); /* never half of é */
}

static void test_error_causes(void **state)
{
    (void)state;
    cs_results r;
    cs_results_init(&r);
    cs_results_add_diag(&r, "a.zip!x", "member 'x' declares 10 bytes but inflates to more");
    cs_results_add_diag(&r, "b.gz", "gzip stream is truncated");
    cs_results_add_diag(&r, "c.zip!y", "member 'y' declares 999 bytes but inflates to more");
    cs_results_add_diag(&r, "d.zip!z", "member 'z' declares 5 bytes but inflates to more");
    size_t n;
    cs_report_cause *c = cs_report_error_causes_of(&r, &n);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].n, 3);
    assert_string_equal(r.diags[c[0].example].source, "a.zip!x");
    assert_int_equal(c[1].n, 1);
    assert_string_equal(r.diags[c[1].example].source, "b.gz");
    free(c);
    cs_results_dispose(&r);
}

static void test_short_name_bounds(void **state)
{
    (void)state;
    /* A long name in a small buffer: cut, never overrun, ellipsis last. */
    char small[16];
    char big[2048];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cs_report_short_name(big, small, sizeof small, 100);
    assert_int_equal(strlen(small), 12 + 3);
    assert_memory_equal(small + 12, "\xE2\x80\xA6", 3);
    /* Lists collapse before the cut is decided. */
    assert_string_equal(sn("a<b<c>>::f<int>", 100), "a<…>::f<…>");
}

static void test_evidence_meanings(void **state)
{
    (void)state;
    /* Every evidence word the race module emits is explained (the legend). */
    for (int e = 0; e < CS_EV_COUNT; e++) {
        assert_true(strlen(cs_evidence_name((cs_evidence)e)) > 0);
        assert_true(strlen(cs_report_evidence_meaning((cs_evidence)e)) > 20);
    }
}

static void test_source_urls(void **state)
{
    (void)state;
    bool nc;
    const char *why;
    assert_int_equal(
        cs_report_url_check("https://github.com/o/r/blob/{commit}/{path}#L{line}", &nc, &why), 0);
    assert_true(nc);
    assert_int_equal(cs_report_url_check("https://x/{path}", &nc, &why), 0);
    assert_false(nc);
    assert_int_equal(cs_report_url_check("https://x/{file}", &nc, &why), -1);
    assert_int_equal(cs_report_url_check("https://x/", &nc, &why), -1);
    assert_int_equal(cs_report_url_check("javascript:alert(1)//{path}", &nc, &why), -1);

    cs_report_ctx ctx = {.source_url = "https://h/o/r/blob/{commit}/{path}#L{line}",
                         .commit = "release/1.2"};
    char buf[CS_REPORT_URL_MAX];
    assert_string_equal(cs_report_url(&ctx, "pkg/a b\"<x>.go", 12, buf),
                        "https://h/o/r/blob/release/1.2/pkg/a%20b%22%3Cx%3E.go#L12");
    /* No line: the fragment that holds {line} goes. */
    assert_string_equal(cs_report_url(&ctx, "x.go", 0, buf), "https://h/o/r/blob/release/1.2/x.go");
    /* Template characters outside URI syntax are encoded. */
    ctx.source_url = "https://h/a b/{path}?l={line}";
    assert_string_equal(cs_report_url(&ctx, "x.go", 3, buf), "https://h/a%20b/x.go?l=3");
    ctx.source_url = NULL;
    assert_null(cs_report_url(&ctx, "x.go", 3, buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_names),       cmocka_unit_test(test_error_causes),
        cmocka_unit_test(test_short_name_bounds), cmocka_unit_test(test_evidence_meanings),
        cmocka_unit_test(test_source_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

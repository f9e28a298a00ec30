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
    cs_report_cause *c = cs_report_error_causes(&r, &n);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].n, 3);
    assert_string_equal(r.diags[c[0].example].source, "a.zip!x");
    assert_int_equal(c[1].n, 1);
    assert_string_equal(r.diags[c[1].example].source, "b.gz");
    free(c);
    cs_results_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_error_causes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The run's string table (cs_strtab) and the model's interned strings: an
 * equal string is stored once, a path once per run of it, strings survive a
 * merge of tables, and the traces, records and members of a real triage
 * point into their results' table instead of holding copies. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static void test_intern_stores_once(void **state)
{
    (void)state;
    cs_strtab t = {0};
    const char *a = cs_strtab_intern(&t, "panic: boom");
    char buf[] = "panic: boom";
    assert_ptr_equal(cs_strtab_intern(&t, buf), a);
    assert_ptr_not_equal(a, buf);
    assert_string_equal(a, "panic: boom");
    /* A prefix of a stored string, and the same bytes given by length. */
    const char *p = cs_strtab_intern_n(&t, "panic: boom", 5);
    assert_string_equal(p, "panic");
    assert_ptr_not_equal(p, a);
    assert_ptr_equal(cs_strtab_intern(&t, "panic"), p);
    assert_ptr_equal(cs_strtab_intern(&t, ""), cs_strtab_intern_n(&t, "x", 0));
    assert_null(cs_strtab_intern(&t, NULL));
    cs_strtab_dispose(&t);
}

static void test_many_and_long_strings(void **state)
{
    (void)state;
    cs_strtab t = {0};
    enum { N = 20000 };
    static const char *got[N];
    char buf[64];
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "pkg/test%d", i);
        got[i] = cs_strtab_intern(&t, buf);
    }
    assert_int_equal(t.n, N);
    /* Growing the index and adding blocks moved no string. */
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "pkg/test%d", i);
        assert_ptr_equal(cs_strtab_intern(&t, buf), got[i]);
        assert_string_equal(got[i], buf);
    }
    /* Longer than a block: a block of its own, still found. */
    static char big[200000];
    memset(big, 'x', sizeof big - 1);
    const char *b = cs_strtab_intern(&t, big);
    assert_int_equal(strlen(b), sizeof big - 1);
    assert_ptr_equal(cs_strtab_intern(&t, big), b);
    const char *after = cs_strtab_intern(&t, "after the big one");
    assert_string_equal(after, "after the big one");
    assert_string_equal(got[N - 1], "pkg/test19999");
    cs_strtab_dispose(&t);
}

static void test_paths_once_per_run(void **state)
{
    (void)state;
    cs_strtab t = {0};
    const char *a = cs_strtab_path(&t, "a.zip!log");
    assert_ptr_equal(cs_strtab_path(&t, "a.zip!log"), a);
    const char *b = cs_strtab_path(&t, "b.zip!log");
    assert_ptr_not_equal(b, a);
    /* Not indexed: back to an earlier path, a new copy, equal. */
    const char *a2 = cs_strtab_path(&t, "a.zip!log");
    assert_string_equal(a2, "a.zip!log");
    assert_int_equal(t.n, 0);
    assert_null(cs_strtab_path(&t, NULL));
    cs_strtab_dispose(&t);
}

static void test_adopt_keeps_strings(void **state)
{
    (void)state;
    cs_strtab to = {0}, from = {0}, empty = {0};
    const char *x = cs_strtab_intern(&to, "in to");
    const char *y = cs_strtab_intern(&from, "in from");
    const char *z = cs_strtab_path(&from, "from/path");
    cs_strtab_adopt(&to, &from);
    assert_null(from.blocks);
    assert_int_equal(from.n, 0);
    assert_string_equal(x, "in to");
    assert_string_equal(y, "in from");
    assert_string_equal(z, "from/path");
    assert_ptr_equal(cs_strtab_intern(&to, "in to"), x);
    /* Into an empty table: the whole table, index and all. */
    cs_strtab_adopt(&empty, &to);
    assert_ptr_equal(cs_strtab_intern(&empty, "in to"), x);
    assert_string_equal(y, "in from");
    cs_strtab_dispose(&empty);
    cs_strtab_dispose(&to);
}

#define PANIC                                                                                      \
    "=== RUN   TestPick\n"                                                                         \
    "panic: runtime error: index out of range [3] with length 3\n"                                 \
    "\n"                                                                                           \
    "goroutine 1 [running]:\n"                                                                     \
    "main.pick(...)\n"                                                                             \
    "\t/src/app/main.go:9\n"                                                                       \
    "main.main()\n"                                                                                \
    "\t/src/app/main.go:20 +0x1d\n"                                                                \
    "--- FAIL: TestPick (0.00s)\n"

static void test_triage_interns(void **state)
{
    (void)state;
    cs_triage tr;
    cs_t_triage_text_full("loop.log", PANIC PANIC, &tr);
    assert_true(tr.res.n_traces >= 2);
    const cs_trace *a = tr.res.traces[0], *b = tr.res.traces[1];
    assert_non_null(strstr(a->source, "loop.log"));
    assert_ptr_equal(a->source, b->source);
    assert_ptr_equal(a->headline, b->headline);
    assert_ptr_equal(a->signature, b->signature);
    assert_true(a->interned & CS_INTERNED_SIGNATURE);
    assert_true(a->interned & CS_INTERNED_SOURCE);
    assert_true(tr.res.n_members >= 1);
    assert_ptr_equal(tr.res.members[tr.res.n_members - 1].source, a->source);
    assert_true(tr.res.n_tests >= 1);
    assert_ptr_equal(tr.res.tests[0]->source, a->source);
    assert_true(tr.res.tests[0]->interned);
    cs_triage_dispose(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intern_stores_once), cmocka_unit_test(test_many_and_long_strings),
        cmocka_unit_test(test_paths_once_per_run), cmocka_unit_test(test_adopt_keeps_strings),
        cmocka_unit_test(test_triage_interns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

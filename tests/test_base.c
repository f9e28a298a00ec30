#define _GNU_SOURCE
/* Unit tests of base: line reader, buffers, regex wrapper. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/lines.h"
#include "base/regex.h"
#include "base/util.h"
#include "testutil.h"

typedef struct collect {
    char lines[16][64];
    unsigned flags[16];
    uint64_t nos[16];
    int n;
} collect;

static int on_line(void *ctx, const cs_line *l)
{
    collect *c = ctx;
    if (c->n < 16) {
        size_t k = l->len < 63 ? l->len : 63;
        memcpy(c->lines[c->n], l->ptr, k);
        c->lines[c->n][k] = '\0';
        c->flags[c->n] = l->flags;
        c->nos[c->n] = l->no;
    }
    c->n++;
    return 0;
}

static void feed_all(const char *text, size_t chunk, size_t max, collect *c)
{
    cs_lines lr;
    memset(c, 0, sizeof *c);
    cs_lines_init(&lr, max, on_line, c);
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += chunk)
        cs_lines_feed(&lr, text + i, n - i < chunk ? n - i : chunk);
    cs_lines_finish(&lr);
    cs_lines_dispose(&lr);
}

static void test_lines_any_chunking(void **state)
{
    (void)state;
    const char *text = "one\r\ntwo\n\nthree-without-newline";
    for (size_t chunk = 1; chunk <= 40; chunk++) {
        collect c;
        feed_all(text, chunk, 100, &c);
        assert_int_equal(c.n, 4);
        assert_string_equal(c.lines[0], "one");
        assert_string_equal(c.lines[1], "two");
        assert_string_equal(c.lines[2], "");
        assert_string_equal(c.lines[3], "three-without-newline");
        assert_int_equal(c.nos[3], 4);
    }
}

static void test_lines_overlong_is_cut_not_buffered(void **state)
{
    (void)state;
    char *big = malloc(10000);
    memset(big, 'x', 9000);
    strcpy(big + 9000, "\nafter\n");
    for (size_t chunk = 1; chunk <= 4096; chunk *= 4) {
        collect c;
        feed_all(big, chunk, 16, &c);
        assert_int_equal(c.n, 2);
        assert_int_equal(strlen(c.lines[0]), 16);
        assert_true(c.flags[0] & CS_LINE_OVERLONG);
        assert_string_equal(c.lines[1], "after");
        assert_int_equal(c.nos[1], 2);
    }
    free(big);
}

static void test_buf_limit(void **state)
{
    (void)state;
    cs_buf b;
    cs_buf_init(&b, 8);
    assert_int_equal(cs_buf_adds(&b, "12345678"), 0);
    assert_int_equal(cs_buf_adds(&b, "9"), CS_E_LIMIT);
    assert_string_equal(b.ptr, "12345678");
    cs_buf_dispose(&b);
}

/* \S, \D and \W outside a class meet a multi-byte character as the PCRE2
 * interpreter does (the 10.42 JIT alone fails them); classes, escapes and
 * POSIX classes keep their meaning. */
static void test_regex_negated_shorthands_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *subject;
        bool match;
    } cases[] = {
        // clang-format off
        {"^a\\S+b$", "a\xc3\xa9" "b", true},
        {"^a\\Sb$", "a\xe2\x80\x83" "b", true},
        {"^a\\D+b$", "a\xe4\xb8\xad" "b", true},
        {"^a\\W\\Wb$", "a\xc3\xa9\xc3\xa9" "b", true}, /* \w is ASCII (no UCP) */
        {"^a\\S+$", "a b", false},
        {"^[\\S]+$", "\xc3\xa9x", true},
        {"^[^\\]\\S]+$", "\xc3\xa9x", false},
        {"^[[:alpha:]\\S]+$", "ab", true},
        {"^\\Q\\S\\E$", "\\S", true},
        {"^\\\\S$", "\\S", true},
        // clang-format on
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cs_regex *re;
        char *err = NULL;
        assert_int_equal(cs_regex_new(&re, cases[i].pattern, 0, &err), 0);
        cs_match m;
        bool got = cs_regex_match(re, cases[i].subject, strlen(cases[i].subject), &m);
        if (got != cases[i].match)
            fail_msg("%s on %s: %d", cases[i].pattern, cases[i].subject, got);
        cs_regex_free(re);
    }
    char *err = NULL;
    cs_regex *re;
    assert_int_not_equal(cs_regex_new(&re, "a\\S(b", 0, &err), 0);
    assert_non_null(strstr(err, "offset 5"));
    free(err);
}

static void test_regex_groups_and_limits(void **state)
{
    (void)state;
    cs_regex *re;
    char *err = NULL;
    assert_int_equal(cs_regex_new(&re, "^goroutine (\\d+) \\[([^\\]]*)\\]:$", 0, &err), 0);
    cs_match m;
    const char *s = "goroutine 17 [chan receive, 2 minutes]:";
    assert_true(cs_regex_match(re, s, strlen(s), &m));
    assert_int_equal(cs_match_num(&m, 1, -1), 17);
    char *st = cs_match_dup(&m, 2);
    assert_string_equal(st, "chan receive, 2 minutes");
    free(st);
    cs_regex_free(re);
    /* A catastrophic pattern on a hostile line gives up instead of hanging. */
    assert_int_equal(cs_regex_new(&re, "^(a+)+$", 0, NULL), 0);
    char line[4096];
    memset(line, 'a', sizeof line - 2);
    line[sizeof line - 2] = 'b';
    line[sizeof line - 1] = '\0';
    assert_false(cs_regex_match(re, line, strlen(line), NULL));
    cs_regex_free(re);
    assert_int_equal(cs_regex_new(&re, "(unclosed", 0, &err), CS_E_USAGE);
    assert_non_null(strstr(err, "offset"));
    free(err);
    cs_regex_thread_cleanup();
}

/* cs_memmem (memchr on the needle's rarest byte) agrees with memmem. */
static void test_memmem_matches_libc(void **state)
{
    (void)state;
    static const char *const needles[] = {
        " at ",        "Error", "(core dumped)", "s:", "xx", "+0x",
        " goroutine ", "a",     "Sanitizer",     "aab"};
    char hay[64];
    unsigned seed = 7;
    for (int round = 0; round < 20000; round++) {
        size_t n = (seed = seed * 1103515245u + 12345u) % sizeof hay;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            hay[i] = " aSt:+0xErorbc()"[(seed >> 16) % 16];
        }
        for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) {
            size_t m = strlen(needles[k]);
            assert_ptr_equal(cs_memmem(hay, n, needles[k], m), memmem(hay, n, needles[k], m));
        }
    }
    assert_ptr_equal(cs_memmem("abc", 3, "", 0), memmem("abc", 3, "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_any_chunking),
        cmocka_unit_test(test_lines_overlong_is_cut_not_buffered),
        cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_regex_groups_and_limits),
        cmocka_unit_test(test_regex_negated_shorthands_utf8),
        cmocka_unit_test(test_memmem_matches_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

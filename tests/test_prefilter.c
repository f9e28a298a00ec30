/* The literal prefilter (extract/prefilter.c) finds exactly the dialects
 * whose declared literals a line holds: against memmem of every literal,
 * on lines of every length with a literal at every position (the ends of
 * the 16- and 32-byte blocks above all), for the scan this CPU uses; ctest
 * runs it again with CRASHSIFT_PREFILTER_ISA=ssse3 and =scalar. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "extract/dialects.h"
#include "extract/extract_internal.h"
#include "testutil.h"

static uint32_t all_with_literals(void)
{
    uint32_t m = 0;
    for (size_t i = 0; i < cs_n_dialects; i++)
        if (cs_dialects[i]->literals) m |= 1u << i;
    return m;
}

/* What the prefilter stands for: every literal looked for on its own. */
static uint32_t naive(const char *p, size_t n, uint32_t want)
{
    uint32_t found = 0;
    for (size_t i = 0; i < cs_n_dialects; i++) {
        const char *const *v = cs_dialects[i]->literals;
        if (!v || !(want & (1u << i))) continue;
        for (; *v; v++)
            if (memmem(p, n, *v, strlen(*v))) found |= 1u << i;
    }
    return found;
}

static void check_line(const char *p, size_t n, uint32_t want)
{
    uint32_t got = cs_x_prefilter_scan(p, n, want), exp = naive(p, n, want);
    if (got != exp)
        fail_msg("line of %zu bytes '%.*s': 0x%x, literals 0x%x", n, (int)n, p, got, exp);
}

static void test_every_literal_everywhere(void **state)
{
    (void)state;
    cs_extract_global_init();
    uint32_t all = all_with_literals();
    assert_true(all != 0);
    /* Filler of common log bytes, and of the literals' own bytes, so
     * near-misses and candidate pairs are everywhere. */
    static const char *fillers[] = {"the quick brown fox 0123 :/.-_=",
                                    "FAIL: Error Exception: .go: js: runtime error: --- === "};
    char *line = malloc(300);
    /* The line is copied into a buffer of exactly its size, so a read
     * past its end is an ASan report. */
    for (size_t f = 0; f < CS_ARRAY_LEN(fillers); f++)
        for (size_t i = 0; i < cs_n_dialects; i++) {
            const char *const *v = cs_dialects[i]->literals;
            for (; v && *v; v++) {
                size_t k = strlen(*v);
                for (size_t n = k; n <= 100; n++)
                    for (size_t at = 0; at + k <= n; at++) {
                        for (size_t j = 0; j < n; j++)
                            line[j] = fillers[f][(j * 7 + n) % strlen(fillers[f])];
                        memcpy(line + at, *v, k);
                        char *exact = malloc(n ? n : 1);
                        memcpy(exact, line, n);
                        check_line(exact, n, all);
                        check_line(exact, n, 1u << i);
                        check_line(exact, n, all & ~(1u << i));
                        free(exact);
                    }
            }
        }
    free(line);
}

static void test_real_lines(void **state)
{
    (void)state;
    cs_extract_global_init();
    uint32_t all = all_with_literals();
    /* Every dialect's fixtures, and the look-alikes that must not match. */
    static const char *files[] = {"fixtures"};
    size_t n_lines = 0;
    for (size_t f = 0; f < CS_ARRAY_LEN(files); f++) {
        char dir[400], cmd[1024];
        snprintf(dir, sizeof dir, "%s", cs_t_src(files[f]));
        snprintf(cmd, sizeof cmd, "cat %s/*/*.log", dir);
        FILE *in = popen(cmd, "r");
        assert_non_null(in);
        char *ln = NULL;
        size_t cap = 0;
        ssize_t k;
        while ((k = getline(&ln, &cap, in)) > 0) {
            size_t n = (size_t)k - (ln[k - 1] == '\n');
            char *exact = malloc(n ? n : 1);
            memcpy(exact, ln, n);
            check_line(exact, n, all);
            free(exact);
            n_lines++;
        }
        free(ln);
        pclose(in);
    }
    assert_true(n_lines > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_literal_everywhere),
        cmocka_unit_test(test_real_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

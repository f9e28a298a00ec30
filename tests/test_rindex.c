/* The rule index (normalize/rindex.c): the combined alternations give the
 * answer of matching rule by rule, for every list of the real rules and
 * for rules that cannot be combined, do not compile together, or hit the
 * match limit. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/regex.h"
#include "base/util.h"
#include "normalize/rindex.h"
#include "testutil.h"

/* Every list, every start position, every probe: the rule that matching
 * rule by rule (the loop rindex replaces) finds first. */
static void check_index(const cs_rules *rules, const char *const *probes, size_t n_probes)
{
    cs_rindex x;
    cs_rindex_init(&x, rules);
    for (int k = 0; k < CS_RULE_KIND_COUNT; k++)
        for (int lang = 0; lang <= CS_LANG_COUNT; lang++) {
            const cs_rlist *l = cs_rindex_list(&x, (cs_rule_kind)k, lang);
            bool *hit = cs_xcalloc(l->n_rules + 1, sizeof *hit);
            for (size_t p = 0; p < n_probes; p++) {
                const char *s = probes[p];
                for (size_t i = 0; i < l->n_rules; i++)
                    hit[i] = cs_regex_match(l->rules[i]->re, s, strlen(s), NULL);
                size_t want = l->n_rules;
                for (size_t from = l->n_rules + 1; from-- > 0;) {
                    if (from < l->n_rules && hit[from]) want = from;
                    size_t got = cs_rlist_next(l, from, s, strlen(s));
                    if (got != want)
                        fail_msg("kind %d lang %d from %zu on '%s': %zu, rule by rule %zu", k, lang,
                                 from, s, got, want);
                }
            }
            free(hit);
        }
    cs_rindex_dispose(&x);
}

/* A pattern's own words, its metacharacters dropped ("^runtime\.gopanic$"
 * -> "runtime.gopanic"): a string that matches it or comes close. */
static char *words_of(const char *pat)
{
    cs_buf b;
    cs_buf_init(&b, 0);
    for (const char *p = pat; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            if (strchr(".()[]{}*+?|^$/\\", *p)) cs_buf_addc(&b, *p);
        } else if (!strchr("^$()[]{}*+?|", *p)) {
            cs_buf_addc(&b, *p);
        }
    }
    return cs_buf_take(&b);
}

static void test_real_rules_same_answers(void **state)
{
    (void)state;
    cs_rules rules;
    cs_results diags;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    assert_int_equal(cs_rules_load_dir(&rules, cs_t_src("signatures"), &diags), 0);
    static const char *fixed[] = {
        "",
        "main",
        "runtime.gopanic",
        "runtime/debug.Stack",
        "testing.tRunner",
        "example.com/x/dispatch.(*Aggregator).add",
        "__libc_start_main",
        "__interceptor_malloc",
        "abort",
        "std::vector::push_back",
        "core::panicking::panic_fmt",
        "java.lang.Thread.run",
        "org.junit.runners.ParentRunner.run",
        "/usr/lib/python3.11/unittest/case.py",
        "/home/runner/work/proj/proj/src/x.c",
        "C:\\Windows\\System32\\ntdll.dll",
        "/rustc/abc123/library/core/src/panicking.rs",
        "order 4711 from 10.0.0.12:8080 took 35ms",
        "caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve",
        "bad \xff\xfe utf-8 \xc3",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
    };
    size_t n = CS_ARRAY_LEN(fixed) + rules.n_rules;
    const char **probes = cs_xcalloc(n, sizeof *probes);
    char **own = cs_xcalloc(rules.n_rules, sizeof *own);
    for (size_t i = 0; i < CS_ARRAY_LEN(fixed); i++)
        probes[i] = fixed[i];
    for (size_t i = 0; i < rules.n_rules; i++)
        probes[CS_ARRAY_LEN(fixed) + i] = own[i] = words_of(rules.rules[i].pattern);
    check_index(&rules, probes, n);
    for (size_t i = 0; i < rules.n_rules; i++)
        free(own[i]);
    free(own);
    free(probes);
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
}

static void test_combinable(void **state)
{
    (void)state;
    static const char *yes[] = {"^foo\\.bar$",    "(?i)abc",  "(?:a|b)c",
                                "x(?=y)",         "(?<!a)b",  "[\\\\/]vc[\\\\/]",
                                "\\d+\\s*\\(\\)", "(?-i:A)b", "(a|b)+c"};
    static const char *no[] = {"(a)\\1",   "\\Qa)|(b\\E", "(?x)a # c", "(*SKIP)a",
                               "(?<n>a)b", "(?'n'a)",     "(a)(?1)",   "(?(1)a|b)",
                               "(a)\\g1",  "\\k<n>",      "a\\Kb",     "(?|(a)|(b))",
                               "(?#c)a",   "(?P<n>a)",    "(?R)?",     "(?J)(?<a>x)"};
    for (size_t i = 0; i < CS_ARRAY_LEN(yes); i++)
        if (!cs_regex_combinable(yes[i])) fail_msg("'%s' should combine", yes[i]);
    for (size_t i = 0; i < CS_ARRAY_LEN(no); i++)
        if (cs_regex_combinable(no[i])) fail_msg("'%s' must not combine", no[i]);
}

/* Rules that stay alone (backreferences), a run too large to compile as
 * one pattern, a pattern that runs into the match limit, and the order of
 * first matches across all of them. */
static void test_awkward_rules_same_answers(void **state)
{
    (void)state;
    cs_buf text;
    cs_buf_init(&text, 0);
    cs_buf_adds(&text, "[any]\nskip ^(ab)\\1$\nskip ^zz\nskip ^(a+)+$\nskip (x)\\1y\n");
    /* 60 rules of several KiB compiled each (a repeated group is copied
     * out): together past PCRE2's 64 Ki code-unit limit, so that run is
     * matched rule by rule. */
    for (int i = 0; i < 60; i++)
        cs_buf_printf(&text, "skip ^big%d-(?:xy){1500}\n", i);
    cs_buf_adds(&text, "skip ^abab\nskip b$\n[go]\nskip ^runtime\\.\n[c rust]\nskip ^std::\n");
    cs_rules rules;
    cs_results diags;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    assert_int_equal(cs_rules_load_text(&rules, "awkward.rules", text.ptr, &diags), 0);
    cs_buf_dispose(&text);
    char big[3100];
    memcpy(big, "big7-", 5);
    for (size_t i = 0; i < 1500; i++)
        memcpy(big + 5 + 2 * i, "xy", 2);
    big[5 + 3000] = '\0';
    const char *probes[] = {"abab",
                            "zz",
                            "xxy",
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                            "runtime.main",
                            "std::x",
                            "b",
                            big,
                            "",
                            "nothing at all"};
    check_index(&rules, probes, CS_ARRAY_LEN(probes));
    /* The cases above happened: rules alone, a run compiled as one, a run
     * that did not compile as one. */
    cs_rindex x;
    cs_rindex_init(&x, &rules);
    const cs_rlist *l = cs_rindex_list(&x, CS_RULE_SKIP, CS_LANG_C);
    assert_int_equal(cs_rlist_next(l, 0, "std::x", 6), l->n_rules - 1);
    int alone = 0, one = 0, failed = 0;
    for (size_t c = 0; c < l->n_chunks; c++) {
        const cs_rchunk *ch = &l->chunks[c];
        alone += !ch->combined;
        one += ch->combined && ch->built && ch->any;
        failed += ch->combined && ch->built && !ch->any;
    }
    assert_true(alone >= 2);
    assert_true(one >= 1);
    assert_true(failed >= 1);
    cs_rindex_dispose(&x);
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
}

/* jit_safe rewrites each \\S, \\D and \\W outside a class as "[\\S]": a
 * pattern with many of them must come out whole (its buffer had a maximum
 * of the pattern's length plus 16, so past eight rewrites it was cut). */
static void test_many_negated_shorthands(void **state)
{
    (void)state;
    cs_regex *re = NULL;
    assert_int_equal(cs_regex_new(&re, "^a\\S\\S\\S\\S\\S\\D\\D\\D\\W\\W\\W\\Sb$", 0, NULL), 0);
    assert_true(cs_regex_match(re, "a01234xyz---5b", 14, NULL));
    assert_false(cs_regex_match(re, "a01234xyz---5c", 14, NULL));
    assert_false(cs_regex_match(re, "a01234xyz---5", 13, NULL));
    cs_regex_free(re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combinable),
        cmocka_unit_test(test_real_rules_same_answers),
        cmocka_unit_test(test_awkward_rules_same_answers),
        cmocka_unit_test(test_many_negated_shorthands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

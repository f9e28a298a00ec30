/* regex.h - PCRE2 behind one small API (libgit2's src/util/regexp.c idea).
 *
 * This is the only file that includes pcre2.h. Patterns are compiled once,
 * JIT-compiled when the platform allows, and matched with thread-local match
 * data under one shared match and depth limit, so no pattern can run away on
 * a hostile line. */
#ifndef CS_REGEX_H
#define CS_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#define CS_REGEX_MAX_GROUPS 16
/* Caps on backtracking work per match; generous for real lines, fatal to
 * catastrophic patterns. */
#define CS_REGEX_MATCH_LIMIT 200000
#define CS_REGEX_DEPTH_LIMIT 2000

typedef struct cs_regex cs_regex;

typedef struct cs_match {
    const char *subject;
    int n; /* groups set, including group 0 */
    size_t ov[2 * CS_REGEX_MAX_GROUPS];
} cs_match;

enum { CS_REGEX_CASELESS = 1 };

/* Compiles `pattern`. On failure returns CS_E_USAGE and, if errmsg is not
 * NULL, a heap message (with the offset) the caller frees. */
int cs_regex_new(cs_regex **out, const char *pattern, unsigned flags, char **errmsg);
void cs_regex_free(cs_regex *re);
/* Whether `pattern` keeps its meaning as one alternative of a larger
 * pattern: nothing that depends on group numbers or names (backreferences,
 * recursion, conditionals), on the pattern's end (\Q, extended-mode
 * comments), or on the whole match (verbs such as (*SKIP), \K). False
 * when unsure. */
bool cs_regex_combinable(const char *pattern);
/* Compiles "(?:p0)|(?:p1)|..." of n patterns that are each combinable
 * and compile alone: it matches a string exactly when one of them does.
 * Returns CS_E_USAGE when it does not compile (too large). */
int cs_regex_new_alt(cs_regex **out, const char *const *patterns, size_t n, unsigned flags);
/* True when `re` matches s[0..n). m may be NULL. */
bool cs_regex_match(const cs_regex *re, const char *s, size_t n, cs_match *m);
/* One match without groups: 1 when `re` matches s[0..n), 0 when it does
 * not, negative when a limit (match, depth, JIT stack) stopped it, so a
 * caller using `re` as a prefilter can tell "no" from "could not tell". */
int cs_regex_test(const cs_regex *re, const char *s, size_t n);
/* Group i of a match: sets p and len; false when the group did not take part. */
bool cs_match_group(const cs_match *m, int i, const char **p, size_t *len);
/* Group i as a fresh heap string, or NULL when it did not take part. */
char *cs_match_dup(const cs_match *m, int i);
/* Group i parsed as a decimal number, or `dflt`. */
long long cs_match_num(const cs_match *m, int i, long long dflt);
/* Replaces every match of `re` in s[0..n) by `repl` ($1 refers to groups)
 * into a fresh heap string; *out is NULL when nothing matched. Returns 0, or
 * CS_E_USAGE for a bad replacement. */
int cs_regex_replace(const cs_regex *re, const char *s, size_t n, const char *repl, char **out);
/* Frees this thread's match data (call before a worker thread exits). */
void cs_regex_thread_cleanup(void);

#endif

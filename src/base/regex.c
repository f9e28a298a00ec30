#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "util.h"

struct cs_regex {
    pcre2_code *code;
    bool jit;
};

static _Thread_local pcre2_match_data *tl_md;
static _Thread_local pcre2_match_context *tl_mc;

/* PCRE2 10.42's JIT, with PCRE2_MATCH_INVALID_UTF, fails the negated
 * shorthands \S, \D and \W on a multi-byte character ("a\Sb" does not
 * match "a\xc3\xa9b") where the interpreter matches; as class members
 * they work. So outside a class each is written as one: "[\S]". \Q...\E
 * and POSIX classes ("[[:alpha:]]") are copied as they are. */
static char *jit_safe(const char *p)
{
    cs_buf b;
    cs_buf_init(&b, 0); /* no maximum: each rewrite adds two bytes */
    bool in_class = false;
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '\\' && p[i + 1] == 'Q') {
            const char *e = strstr(p + i + 2, "\\E");
            size_t k = e ? (size_t)(e - (p + i)) + 2 : strlen(p + i);
            cs_buf_add(&b, p + i, k);
            i += k - 1;
        } else if (c == '\\' && p[i + 1]) {
            char d = p[++i];
            if (!in_class && (d == 'S' || d == 'D' || d == 'W')) {
                cs_buf_printf(&b, "[\\%c]", d);
            } else {
                cs_buf_addc(&b, c);
                cs_buf_addc(&b, d);
            }
        } else if (in_class && c == '[' && p[i + 1] == ':') {
            const char *e = strstr(p + i + 2, ":]");
            size_t k = e ? (size_t)(e - (p + i)) + 2 : 1;
            cs_buf_add(&b, p + i, k);
            i += k - 1;
        } else if (!in_class && c == '[') {
            in_class = true;
            cs_buf_addc(&b, c);
            /* A ']' first in the class (after '^') is a member. */
            if (p[i + 1] == '^') cs_buf_addc(&b, p[++i]);
            if (p[i + 1] == ']') cs_buf_addc(&b, p[++i]);
        } else {
            if (in_class && c == ']') in_class = false;
            cs_buf_addc(&b, c);
        }
    }
    return cs_buf_take(&b);
}

static int compile(cs_regex **out, const char *safe, const char *pattern, unsigned flags,
                   char **errmsg);

int cs_regex_new(cs_regex **out, const char *pattern, unsigned flags, char **errmsg)
{
    char *safe = jit_safe(pattern);
    int rc = compile(out, safe, pattern, flags, errmsg);
    free(safe);
    return rc;
}

/* Option letters a group may set or unset without changing how the rest
 * of the pattern parses ('x' would make '#' start a comment). */
static bool plain_options(const char *p)
{
    for (; *p && *p != ')' && *p != ':'; p++)
        if (!strchr("imsnU-^", *p)) return false;
    return *p != '\0';
}

bool cs_regex_combinable(const char *p)
{
    for (size_t i = 0; p[i]; i++) {
        if (p[i] == '\\') {
            char d = p[++i];
            if (!d || strchr("QEgkKc", d) || (d >= '0' && d <= '9')) return false;
        } else if (p[i] == '(' && p[i + 1] == '*') {
            return false;
        } else if (p[i] == '(' && p[i + 1] == '?') {
            const char *q = p + i + 2;
            bool ok = *q == ':' || *q == '=' || *q == '!' || *q == '>' ||
                      (*q == '<' && (q[1] == '=' || q[1] == '!')) || plain_options(q);
            if (!ok) return false;
        }
    }
    return true;
}

int cs_regex_new_alt(cs_regex **out, const char *const *patterns, size_t n, unsigned flags)
{
    cs_buf b;
    cs_buf_init(&b, 0); /* no maximum: a cut alternation would match less */
    for (size_t i = 0; i < n; i++) {
        /* Each made JIT-safe alone, as cs_regex_new does: the rewrite of
         * one never depends on where the previous one ended. */
        char *safe = jit_safe(patterns[i]);
        cs_buf_printf(&b, "%s(?:%s)", i ? "|" : "", safe);
        free(safe);
    }
    char *all = cs_buf_take(&b);
    int rc = compile(out, all ? all : "", all ? all : "", flags, NULL);
    free(all);
    return rc;
}

static int compile(cs_regex **out, const char *safe, const char *pattern, unsigned flags,
                   char **errmsg)
{
    int err;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NO_UTF_CHECK;
    if (flags & CS_REGEX_CASELESS) opts |= PCRE2_CASELESS;
    /* PCRE2_NO_UTF_CHECK is a match-time option; keep it out of compile. */
    opts &= ~(uint32_t)PCRE2_NO_UTF_CHECK;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(safe ? safe : ""), PCRE2_ZERO_TERMINATED, opts,
                                     &err, &off, NULL);
    /* A pattern that does not compile: the error and offset of the
     * pattern as written. */
    if (!code) {
        pcre2_code *c =
            pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
        pcre2_code_free(c);
    }
    if (!code) {
        if (errmsg) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            *errmsg = cs_xasprintf("%s at offset %zu", (const char *)msg, (size_t)off);
        }
        return CS_E_USAGE;
    }
    cs_regex *re = cs_xcalloc(1, sizeof *re);
    re->code = code;
    /* CRASHSIFT_NO_JIT: the JIT reads whole vectors past a string's end,
     * harmless but opaque to valgrind; the interpreter is for such runs. */
    re->jit = !getenv("CRASHSIFT_NO_JIT") && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    *out = re;
    return 0;
}

void cs_regex_free(cs_regex *re)
{
    if (!re) return;
    pcre2_code_free(re->code);
    free(re);
}

static void thread_init(void)
{
    if (tl_md) return;
    tl_md = pcre2_match_data_create(CS_REGEX_MAX_GROUPS, NULL);
    tl_mc = pcre2_match_context_create(NULL);
    if (!tl_md || !tl_mc) abort();
    pcre2_set_match_limit(tl_mc, CS_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(tl_mc, CS_REGEX_DEPTH_LIMIT);
}

int cs_regex_test(const cs_regex *re, const char *s, size_t n)
{
    thread_init();
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, tl_md, tl_mc);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

bool cs_regex_match(const cs_regex *re, const char *s, size_t n, cs_match *m)
{
    thread_init();
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, tl_md, tl_mc);
    if (rc < 0) return false; /* no match, or a limit hit: both "no" */
    if (m) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(tl_md);
        int k = rc == 0 ? CS_REGEX_MAX_GROUPS : rc;
        m->subject = s;
        m->n = k;
        for (int i = 0; i < 2 * k; i++)
            m->ov[i] = ov[i];
    }
    return true;
}

bool cs_match_group(const cs_match *m, int i, const char **p, size_t *len)
{
    if (i >= m->n || m->ov[2 * i] == PCRE2_UNSET) return false;
    *p = m->subject + m->ov[2 * i];
    *len = m->ov[2 * i + 1] - m->ov[2 * i];
    return true;
}

char *cs_match_dup(const cs_match *m, int i)
{
    const char *p;
    size_t n;
    if (!cs_match_group(m, i, &p, &n)) return NULL;
    return cs_xstrndup(p, n);
}

long long cs_match_num(const cs_match *m, int i, long long dflt)
{
    const char *p;
    size_t n;
    if (!cs_match_group(m, i, &p, &n) || n == 0 || n > 18) return dflt;
    long long v = 0;
    for (size_t k = 0; k < n; k++) {
        if (p[k] < '0' || p[k] > '9') return dflt;
        v = v * 10 + (p[k] - '0');
    }
    return v;
}

void cs_regex_thread_cleanup(void)
{
    pcre2_match_data_free(tl_md);
    pcre2_match_context_free(tl_mc);
    tl_md = NULL;
    tl_mc = NULL;
}

int cs_regex_replace(const cs_regex *re, const char *s, size_t n, const char *repl, char **out)
{
    *out = NULL;
    if (!cs_regex_match(re, s, n, NULL)) return 0;
    PCRE2_SIZE cap = n * 2 + strlen(repl) + 64;
    for (int tries = 0; tries < 8; tries++) {
        PCRE2_UCHAR *buf = cs_xmalloc(cap);
        PCRE2_SIZE len = cap;
        int rc = pcre2_substitute(re->code, (PCRE2_SPTR)s, n, 0,
                                  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, tl_md,
                                  tl_mc, (PCRE2_SPTR)repl, PCRE2_ZERO_TERMINATED, buf, &len);
        if (rc >= 0) {
            *out = (char *)buf;
            return 0;
        }
        free(buf);
        if (rc != PCRE2_ERROR_NOMEMORY) return CS_E_USAGE;
        cap = len + 1;
    }
    return CS_E_USAGE;
}

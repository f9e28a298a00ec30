#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

struct cs_regex {
    pcre2_code *code;
    bool jit;
};

static _Thread_local pcre2_match_data *tl_md;
static _Thread_local pcre2_match_context *tl_mc;

int cs_regex_new(cs_regex **out, const char *pattern, unsigned flags, char **errmsg)
{
    int err;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NO_UTF_CHECK;
    if (flags & CS_REGEX_CASELESS) opts |= PCRE2_CASELESS;
    /* PCRE2_NO_UTF_CHECK is a match-time option; keep it out of compile. */
    opts &= ~(uint32_t)PCRE2_NO_UTF_CHECK;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
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

bool cs_regex_match(const cs_regex *re, const char *s, size_t n, cs_match *m)
{
    if (!tl_md) {
        tl_md = pcre2_match_data_create(CS_REGEX_MAX_GROUPS, NULL);
        tl_mc = pcre2_match_context_create(NULL);
        if (!tl_md || !tl_mc) abort();
        pcre2_set_match_limit(tl_mc, CS_REGEX_MATCH_LIMIT);
        pcre2_set_depth_limit(tl_mc, CS_REGEX_DEPTH_LIMIT);
    }
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

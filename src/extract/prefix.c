#include "prefix.h"

#include <string.h>

/* Field kinds of a prefix. */
enum { F_NONE, F_TIME, F_NUM, F_BRACKET, F_WORD, F_SEP };

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* strchr(set, c) as tables: the scan asks it of nearly every byte of a
 * line's first fields, and a call per byte showed in the profile. As with
 * strchr, the terminating NUL is in each set. */
static const bool time_chars[256] = {[0] = 1,   [':'] = 1, ['.'] = 1, [','] = 1, ['-'] = 1,
                                     ['+'] = 1, ['/'] = 1, ['T'] = 1, ['Z'] = 1};
static const bool suffix_chars[256] = {
    [0] = 1, [' '] = 1, ['\t'] = 1, ['-'] = 1, ['|'] = 1, ['~'] = 1, ['*'] = 1, ['\\'] = 1};

static uint64_t mix(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Folds a field to its shape: each run of letters and digits is one 'w'
 * (times, pids, pod hashes and service numbers vary; the layout does not),
 * blanks vanish, other bytes stay. */
static uint64_t mix_folded(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (is_alpha(p[i]) || is_digit(p[i])) {
            while (i < n && (is_alpha(p[i]) || is_digit(p[i])))
                i++;
            h = mix(h, "w", 1);
            continue;
        }
        if (!is_blank(p[i])) h = mix(h, p + i, 1);
        i++;
    }
    return h;
}

static bool is_month(const char *p, size_t n)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (n != 3) return false;
    for (size_t i = 0; i < 36; i += 3)
        if (memcmp(months + i, p, 3) == 0) return true;
    return false;
}

/* A timestamp-like field of any common layout: "2024-01-02T03:04:05.678Z",
 * "2024/01/02", "15:04:05,123", "07-15", "+00:00", a month name, or a klog
 * severity+date ("I0102"). Digits and time punctuation only, with at least
 * one ':', '-' or '/' between two digits. */
static bool is_time(const char *p, size_t n)
{
    if (is_month(p, n)) return true;
    if (n == 5 && strchr("IWEFD", p[0]) && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
        is_digit(p[4]))
        return true;
    size_t digits = 0;
    bool joined = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (is_digit(c)) {
            digits++;
            continue;
        }
        if (!time_chars[(unsigned char)c]) return false;
        if ((c == ':' || c == '-' || c == '/') && i > 0 && i + 1 < n && is_digit(p[i - 1]) &&
            is_digit(p[i + 1]))
            joined = true;
    }
    return digits >= 2 && joined;
}

static bool is_word_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-' || c == '@' || c == ':' ||
           c == '[' || c == ']';
}

/* "714:": digits (no leading zero) and a colon. */
static bool ctest_number(const char *p, size_t len)
{
    if (len < 2 || p[len - 1] != ':' || (p[0] == '0' && len > 2)) return false;
    for (size_t k = 0; k + 1 < len; k++)
        if (!is_digit(p[k])) return false;
    return true;
}

/* The closing byte of a bracketed field, or 0. */
static char closer(char c)
{
    return c == '[' ? ']' : c == '(' ? ')' : c == '<' ? '>' : 0;
}

void cs_pfx_scan_line(const char *p, size_t n, cs_pfx_scan *out)
{
    out->n = 0;
    out->suffix_len = 0;
    /* Suffix: a short run of trailing blanks and dashes/bars that holds at
     * least one blank and one mark (" - ", " |"). Closers and colons end
     * real content and are never a suffix. */
    {
        size_t k = 0;
        bool blank = false, mark = false;
        while (k < n && k < CS_PFX_SUFFIX_MAX && suffix_chars[(unsigned char)p[n - 1 - k]] &&
               p[n - 1 - k]) {
            if (is_blank(p[n - 1 - k]))
                blank = true;
            else
                mark = true;
            k++;
        }
        if (blank && mark && k < n && k < CS_PFX_SUFFIX_MAX) {
            out->suffix_len = (uint8_t)k;
            memcpy(out->suffix, p + n - k, k);
        }
    }
    size_t lim = n < CS_PFX_SCAN_MAX ? n : CS_PFX_SCAN_MAX;
    size_t i = 0;
    while (i < lim && is_blank(p[i]))
        i++;
    uint64_t h = 1469598103934665603ull;
    int prev_kind = F_NONE, prev2_kind = F_NONE, tokens = 0, words_in_row = 0;
    bool prev_plain_word = false;
    while (i < lim && out->n < CS_PFX_MAX_BOUNDS && tokens < 2 * CS_PFX_MAX_BOUNDS) {
        size_t s = i, e;
        int kind = F_NONE;
        bool ends_colon = false, ends_bracket = false, has_bracket = false, plain = false;
        char cl = closer(p[s]);
        if (cl) {
            /* "[pod/x/c]", "[2024-...Z]", dmesg "[   72.159680]" and
             * "[ T1234]": blanks only before the content. */
            size_t j = s + 1;
            while (j < lim && is_blank(p[j]))
                j++;
            size_t in = j;
            while (j < lim && j - s < 80 && p[j] != cl && !is_blank(p[j]) && p[j] != p[s])
                j++;
            if (j >= lim || p[j] != cl || j == in) break;
            e = j + 1;
            if (e < lim && p[e] == ':') e++;
            if (e < n && !is_blank(p[e]) && !closer(p[e])) break;
            kind = F_BRACKET;
            h = mix(h, p + s, 1);
            if (is_time(p + in, j - in))
                h = mix(h, "T", 1);
            else
                h = mix_folded(h, p + in, j - in);
            h = mix(h, p + j, e - j);
        } else {
            e = s;
            while (e < lim && !is_blank(p[e]))
                e++;
            if (e == lim && lim < n) break; /* field cut by the scan limit */
            size_t len = e - s;
            if (len == 1 && strchr("|:->", p[s])) {
                kind = F_SEP;
                h = mix(h, p + s, 1);
            } else if (len == 3 && memcmp(p + s, "\xe2\x94\x82", 3) == 0) { /* │ */
                kind = F_SEP;
                h = mix(h, "|", 1);
            } else if (is_time(p + s, len)) {
                kind = F_TIME;
                h = mix(h, "T", 1);
            } else if (tokens == 0 && s == 0 && ctest_number(p, len)) {
                /* CTest's parallel output: "714: " before every line of
                 * test 714. The number stays in the shape: it is the same
                 * on all of the test's lines, and a list that counts
                 * ("1: 0x..", "2: 0x..", V8's frames) is then no prefix. */
                kind = F_NUM;
                h = mix(h, p + s, len);
            } else {
                bool all_digits = true, any_alnum = false;
                for (size_t k = s; k < e; k++) {
                    if (!is_word_char(p[k])) {
                        kind = -1;
                        break;
                    }
                    if (!is_digit(p[k])) all_digits = false;
                    if (is_alpha(p[k]) || is_digit(p[k])) any_alnum = true;
                    if (p[k] == '[') has_bracket = true;
                }
                if (kind == -1 || !any_alnum) break;
                if (all_digits) {
                    kind = F_NUM;
                    h = mix(h, "N", 1);
                } else {
                    kind = F_WORD;
                    ends_colon = p[e - 1] == ':';
                    ends_bracket = p[e - 1] == ']';
                    plain =
                        !ends_colon && !ends_bracket && !has_bracket && !memchr(p + s, ':', len);
                    h = mix_folded(h, p + s, len);
                }
            }
        }
        /* What a prefix may start with: a time, a number (a line-number
         * gutter: no leading zero, so "00 0012f0ac ..." cdb frames are not
         * one), a bracketed tag, or a word that a bar follows (compose). */
        if (tokens == 0) {
            if (kind == F_NUM && p[s] == '0' && e - s > 1) break;
            if (kind == F_SEP) break;
            if (kind == F_WORD) {
                size_t k = e;
                while (k < lim && is_blank(p[k]))
                    k++;
                bool bar = k < lim &&
                           (p[k] == '|' || (k + 2 < lim && memcmp(p + k, "\xe2\x94\x82", 3) == 0));
                /* or a host before "prog[pid]:" (syslog whose timestamp
                 * was already taken as a CI timestamp) */
                size_t w = k;
                while (w < lim && !is_blank(p[w]))
                    w++;
                bool prog =
                    w > k + 3 && p[w - 1] == ':' && p[w - 2] == ']' && memchr(p + k, '[', w - k);
                if (!bar && !prog) break;
            }
        }
        tokens++;
        h = mix(h, "\x1f", 1);
        words_in_row = kind == F_WORD ? words_in_row + 1 : 0;
        if (words_in_row > 3) break;
        bool valid =
            kind == F_TIME || kind == F_NUM || kind == F_BRACKET || kind == F_SEP ||
            (kind == F_WORD && ends_bracket) ||
            (kind == F_WORD && ends_colon &&
             (has_bracket || (prev_kind == F_WORD && prev_plain_word && prev2_kind == F_TIME)));
        prev2_kind = prev_kind;
        prev_kind = kind;
        prev_plain_word = kind == F_WORD && plain;
        i = e;
        if (i < n && is_blank(p[i])) i++;
        if (valid) {
            out->b[out->n].end = (uint32_t)i;
            out->b[out->n].shape = h ? h : 1;
            out->n++;
        }
        while (i < lim && is_blank(p[i]))
            i++;
    }
}

static bool has_shape(const cs_pfx_scan *s, uint64_t shape)
{
    if (!s) return false;
    for (int k = 0; k < s->n; k++)
        if (s->b[k].shape == shape) return true;
    return false;
}

static bool same_suffix(const cs_pfx_scan *a, const cs_pfx_scan *b)
{
    return b && b->suffix_len == a->suffix_len && memcmp(a->suffix, b->suffix, a->suffix_len) == 0;
}

void cs_pfx_decide(cs_pfx_state *st, const cs_pfx_scan *prev, const cs_pfx_scan *cur,
                   const cs_pfx_scan *next, size_t *prefix, size_t *suffix)
{
    *prefix = 0;
    *suffix = 0;
    int best = -1;
    for (int k = cur->n; k-- > 0;)
        if (has_shape(prev, cur->b[k].shape) || has_shape(next, cur->b[k].shape)) {
            best = k;
            break;
        }
    if (best >= 0) {
        st->shape = cur->b[best].shape;
        st->have_shape = true;
    } else if (st->have_shape) {
        for (int k = cur->n; k-- > 0;)
            if (cur->b[k].shape == st->shape) {
                best = k;
                break;
            }
    }
    if (best >= 0) *prefix = cur->b[best].end;
    if (cur->suffix_len && (same_suffix(cur, prev) || same_suffix(cur, next)))
        *suffix = cur->suffix_len;
}

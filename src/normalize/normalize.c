#include "normalize.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "rindex.h"

#define CACHE_BITS 16
#define MAX_SIG_FRAMES 32
#define CMP_FRAMES 8
/* Headlines whose normalized form is remembered: a log repeats the same
 * failure's exact message many times (retries, crash loops), and each
 * message runs every message rule, most of which match. Longer messages
 * are normalized every time, so the cache stays small. */
#define MSG_CACHE_BITS 13
#define MSG_CACHE_MAX_LEN 1024

/* One distinct frame as the rules see it. The key holds every field a rule
 * can match (function, file, module) and the build-id that tells two
 * programs' modules of one name apart: a frame's result must never depend
 * on which frames were normalized before it, or a signature would depend
 * on the rest of the batch. */
typedef struct centry {
    uint64_t key;
    char *function; /* raw, for exact comparison */
    char *file;
    char *module;
    char *build_id;
    cs_lang lang;
    char *norm_function;
    char *shown_function; /* before rename-key rules; NULL when the same */
    char *norm_file;
    bool skip;
    bool sentinel;
    bool after;
    bool prefix;
    bool library;
    bool vendor;
    bool harness;
    bool map_impl;
    const char *rule;
} centry;

typedef struct mentry {
    uint64_t key; /* 0: empty */
    char *msg, *norm;
} mentry;

struct cs_normalizer {
    const cs_rules *rules;
    cs_rindex idx;
    int k;
    char version[40];
    centry *cache;
    size_t cache_cap, cache_n;
    mentry *msgs;
    size_t msgs_n;
};

cs_normalizer *cs_normalizer_new(const cs_rules *rules, int k)
{
    cs_normalizer *n = cs_xcalloc(1, sizeof *n);
    n->rules = rules;
    cs_rindex_init(&n->idx, rules);
    n->k = k < 1 ? 1 : k > MAX_SIG_FRAMES ? MAX_SIG_FRAMES : k;
    snprintf(n->version, sizeof n->version, "%d:%016llx", CS_SIG_ALGO_VERSION,
             (unsigned long long)rules->hash);
    n->cache_cap = 1u << CACHE_BITS;
    n->cache = cs_xcalloc(n->cache_cap, sizeof *n->cache);
    n->msgs = cs_xcalloc((size_t)1 << MSG_CACHE_BITS, sizeof *n->msgs);
    return n;
}

static void clear_cache(cs_normalizer *n)
{
    for (size_t i = 0; i < n->cache_cap; i++) {
        centry *e = &n->cache[i];
        free(e->function);
        free(e->file);
        free(e->module);
        free(e->build_id);
        free(e->norm_function);
        free(e->shown_function);
        free(e->norm_file);
        memset(e, 0, sizeof *e);
    }
    n->cache_n = 0;
}

static void clear_msgs(cs_normalizer *n)
{
    for (size_t i = 0; i < (size_t)1 << MSG_CACHE_BITS; i++) {
        free(n->msgs[i].msg);
        free(n->msgs[i].norm);
        n->msgs[i] = (mentry){0};
    }
    n->msgs_n = 0;
}

void cs_normalizer_free(cs_normalizer *n)
{
    if (!n) return;
    clear_cache(n);
    free(n->cache);
    clear_msgs(n);
    free(n->msgs);
    cs_rindex_dispose(&n->idx);
    free(n);
}

const char *cs_normalizer_version(const cs_normalizer *n)
{
    return n->version;
}

cs_lang cs_trace_lang(const cs_trace *t)
{
    /* A message whose stack a sanitizer or libFuzzer report printed (a Rust
     * panic under ASan): the frames are as that report shows them. */
    if (t->stack_line) return cs_kind_info_of(t->stack_kind)->lang;
    cs_lang lang = cs_kind_info_of(t->kind)->lang;
    if (lang != CS_LANG_ANY || t->kind != CS_TK_TEST_FAILURE) return lang;
    /* A test failure is in whatever language its test is: the first frame
     * with a file says which. */
    for (size_t i = 0; i < t->n_threads; i++)
        for (size_t j = 0; j < t->threads[i].n_frames; j++) {
            const char *f = t->threads[i].frames[j].file;
            size_t k = f ? strlen(f) : 0;
            if (k > 3 && strcmp(f + k - 3, ".go") == 0) return CS_LANG_GO;
            if (k > 3 && strcmp(f + k - 3, ".py") == 0) return CS_LANG_PYTHON;
            if (k > 5 && strcmp(f + k - 5, ".java") == 0) return CS_LANG_JAVA;
            if (k > 3 && strcmp(f + k - 3, ".rs") == 0) return CS_LANG_RUST;
            if (k > 3 && (strcmp(f + k - 3, ".js") == 0 || strcmp(f + k - 3, ".ts") == 0))
                return CS_LANG_NODE;
        }
    return CS_LANG_ANY;
}

/* ---- function-name cleanup that regexes cannot do (balanced brackets) - */

/* Removes balanced <...> (template/generic arguments), keeping operator<,
 * operator<<, operator<=> and operator->. */
static void strip_angles(cs_buf *out, const char *s)
{
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (strncmp(p, "operator", 8) == 0 && depth == 0) {
            cs_buf_add(out, p, 8);
            p += 8;
            while (*p == '<' || *p == '>' || *p == '=' || *p == '-')
                cs_buf_addc(out, *p++);
            p--;
            continue;
        }
        if (*p == '<')
            depth++;
        else if (*p == '>' && depth > 0)
            depth--;
        else if (depth == 0)
            cs_buf_addc(out, *p);
    }
}

/* Cuts a trailing balanced "(...)" argument list and what follows it
 * (" const", " &&"), leaving "operator()" itself alone; a name cut inside
 * its argument list by a line-length limit ("f(int, char*,") loses the
 * unbalanced rest; a bare trailing " const" ("C::size const") goes too. */
static void cut_args(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '&' || s[n - 1] == '*'))
        n--;
    if (n >= 6 && strncmp(s + n - 6, " const", 6) == 0) n -= 6;
    if (n && s[n - 1] == ')') {
        int depth = 0;
        for (size_t i = n; i-- > 0;) {
            if (s[i] == ')')
                depth++;
            else if (s[i] == '(' && --depth == 0) {
                if (i >= 8 && strncmp(s + i - 8, "operator", 8) == 0) return;
                if (i == 0) return; /* "(anonymous namespace)" alone */
                s[i] = '\0';
                return;
            }
        }
        return;
    }
    /* No argument list at the end. */
    size_t len = strlen(s);
    if (len >= 6 && strcmp(s + len - 6, " const") == 0) {
        s[len - 6] = '\0';
        return;
    }
    int depth = 0;
    size_t open = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '(') {
            if (depth++ == 0) open = i;
        } else if (s[i] == ')' && depth > 0) {
            depth--;
        }
    }
    if (depth > 0 && open > 0 && !(open >= 8 && strncmp(s + open - 8, "operator", 8) == 0))
        s[open] = '\0';
}

/* Undecorated names (Breakpad, MSVC, some symbolizers) keep the return
 * type: "void ns::C::f", "class JSObject* DoCallback", "static void
 * servo_arc::Arc::drop_slow". Drops what stands before the last space
 * outside brackets, unless that part is not a type (a trailing "-> T", a
 * conversion operator's own spaces). */
static void drop_return_type(char *s)
{
    const char *op = strstr(s, "operator");
    size_t lim = op ? (size_t)(op - s) : strlen(s);
    int depth = 0;
    size_t last = 0;
    bool found = false;
    for (size_t i = 0; i < lim; i++) {
        char c = s[i];
        if (c == '(' || c == '[' || c == '{' || c == '`')
            depth++;
        else if ((c == ')' || c == ']' || c == '}' || c == '\'') && depth > 0)
            depth--;
        else if (c == ' ' && depth == 0) {
            last = i;
            found = true;
        }
    }
    if (!found) return;
    for (size_t i = 0; i < last; i++)
        if (!(isalnum((unsigned char)s[i]) || strchr("_:*& ", s[i]))) return;
    size_t k = last + 1;
    while (s[k] == '*' || s[k] == '&' || s[k] == ' ')
        k++;
    /* The rest must start a name: "f [clone .isra.0]" has no return type. */
    if (s[k] && (isalnum((unsigned char)s[k]) || strchr("_~(`:", s[k])))
        memmove(s, s + k, strlen(s + k) + 1);
}

/* Itanium-mangled names reach us when a stack was printed without a
 * demangler (macOS and Android crash dumps, unsymbolized exports):
 * "_ZN2ui10FlingCurveC2ERKN3gfx9Vector2dFEN4base9TimeTicksE". The common
 * shape, a plain or nested name of source names with constructors and
 * destructors, is turned into "ui::FlingCurve::FlingCurve" so the rules
 * and the signature see the name a demangled stack shows; the parameters
 * are dropped as they would be anyway. Anything else (templates,
 * substitutions, operators, local names) is left mangled: a partial guess
 * would be a name no other stack shows. NULL when not demangled. */
static char *demangle_simple(const char *fn)
{
    const char *p = fn;
    if (p[0] == '_' && p[1] == '_' && p[2] == 'Z')
        p += 3;
    else if (p[0] == '_' && p[1] == 'Z')
        p += 2;
    else
        return NULL;
    bool nested = *p == 'N';
    if (nested) {
        p++;
        while (*p == 'r' || *p == 'V' || *p == 'K')
            p++;
        if (*p == 'R' || *p == 'O') p++;
    }
    cs_buf b;
    cs_buf_init(&b, 0);
    const char *last = NULL; /* the last source name, for ctor/dtor */
    size_t last_len = 0;
    int n_parts = 0;
    for (;;) {
        if (nested && *p == 'E') {
            p++;
            break;
        }
        if (n_parts && !nested) break;
        if (n_parts) cs_buf_adds(&b, "::");
        if (n_parts == 0 && p[0] == 'S' && p[1] == 't') {
            cs_buf_adds(&b, "std");
            p += 2;
            n_parts++;
            continue;
        }
        if (*p == 'L') p++; /* internal linkage */
        if (*p == 'C' && last && ((p[1] >= '1' && p[1] <= '5') || p[1] == 'I')) {
            cs_buf_add(&b, last, last_len);
            p += p[1] == 'I' ? 3 : 2;
        } else if (*p == 'D' && last &&
                   (p[1] == '0' || p[1] == '1' || p[1] == '2' || p[1] == '4' || p[1] == '5')) {
            cs_buf_addc(&b, '~');
            cs_buf_add(&b, last, last_len);
            p += 2;
        } else if (isdigit((unsigned char)*p)) {
            size_t len = 0;
            while (isdigit((unsigned char)*p) && len < 4096)
                len = len * 10 + (size_t)(*p++ - '0');
            if (len == 0 || memchr(p, '\0', len)) goto fail; /* runs past the end */
            if (len == 12 && strncmp(p, "_GLOBAL__N_1", 12) == 0)
                cs_buf_adds(&b, "(anonymous namespace)");
            else
                cs_buf_add(&b, p, len);
            last = p;
            last_len = len;
            p += len;
        } else {
            goto fail;
        }
        n_parts++;
    }
    if (n_parts == 0) goto fail;
    return cs_buf_take(&b);
fail:
    cs_buf_dispose(&b);
    return NULL;
}

static char *norm_c(const char *fn)
{
    char *dm = demangle_simple(fn);
    if (dm) {
        char *r = norm_c(dm);
        free(dm);
        return r;
    }
    const char *p = fn;
    if (strncmp(p, "non-virtual thunk to ", 21) == 0)
        p += 21;
    else if (strncmp(p, "virtual thunk to ", 17) == 0)
        p += 17;
    char *s = cs_xstrdup(p);
    cut_args(s);
    /* "{lambda(int)#1}" -> "{lambda}" */
    cs_buf b;
    cs_buf_init(&b, 0);
    for (const char *q = s; *q; q++) {
        if (strncmp(q, "{lambda(", 8) == 0) {
            const char *e = strchr(q, '}');
            if (e) {
                cs_buf_adds(&b, "{lambda}");
                q = e;
                continue;
            }
        }
        if (strncmp(q, "[abi:", 5) == 0) {
            const char *e = strchr(q, ']');
            if (e) {
                q = e;
                continue;
            }
        }
        cs_buf_addc(&b, *q);
    }
    free(s);
    s = cs_buf_take(&b);
    cs_buf_init(&b, 0);
    /* Rust "<T as Trait>::m" keeps the type: "T::m". */
    const char *as = s[0] == '<' ? strstr(s, " as ") : NULL;
    if (as) {
        const char *close = strstr(as, ">::");
        if (close) {
            char *t = cs_xasprintf("%.*s%s", (int)(as - s - 1), s + 1, close + 1);
            free(s);
            s = t;
        }
    }
    strip_angles(&b, s);
    free(s);
    s = cs_buf_take(&b);
    if (s) drop_return_type(s);
    return s ? s : cs_xstrdup("");
}

/* "v2.F": an import path's major-version element, then the name. */
static bool major_version(const char *p)
{
    if (p[0] != 'v' || p[1] < '1' || p[1] > '9') return false;
    p += 2;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == '.';
}

static char *norm_go(const char *fn)
{
    /* Generic instantiations "[...]" and "[go.shape.int]" go first: they
     * may hold '/' and '.' of their own. */
    cs_buf b;
    cs_buf_init(&b, 0);
    int depth = 0;
    for (const char *p = fn; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']' && depth > 0)
            depth--;
        else if (depth == 0)
            cs_buf_addc(&b, *p);
    }
    char *s = cs_buf_take(&b);
    /* Import path: keep the last element, "example.com/x/dispatch.F" -> "dispatch.F".
     * A major-version element names no package: "k8s.io/klog/v2.F" keeps
     * the element before it ("klog/v2.F"), or every v2 package would be one. */
    char *slash = strrchr(s, '/');
    if (slash) {
        char *keep = slash + 1;
        if (major_version(keep)) {
            char *prev = slash;
            while (prev > s && prev[-1] != '/')
                prev--;
            if (prev < slash) keep = prev;
        }
        memmove(s, keep, strlen(keep) + 1);
    }
    return s;
}

/* The normalized name; *shown (when asked) gets the name before the
 * rename-key rules, or NULL when they changed nothing. */
static char *norm_function(const cs_normalizer *n, cs_lang lang, const char *fn, char **shown)
{
    char *s;
    switch (lang) {
    case CS_LANG_GO:
        s = norm_go(fn);
        break;
    case CS_LANG_C:
    case CS_LANG_RUST:
    case CS_LANG_KERNEL:
        s = norm_c(fn);
        break;
    default:
        s = cs_xstrdup(fn);
        break;
    }
    /* Every rename, then every rename-key: a key rule sees the cleaned
     * name whatever its place in the files. */
    char *before_key = NULL;
    for (int pass = 0; pass < 2; pass++) {
        cs_rule_kind kind = pass ? CS_RULE_RENAME_KEY : CS_RULE_RENAME;
        const cs_rlist *l = cs_rindex_list(&n->idx, kind, lang);
        /* Each rule sees what the ones before it made of the name. */
        for (size_t i = cs_rlist_next(l, 0, s, strlen(s)); i < l->n_rules;
             i = cs_rlist_next(l, i + 1, s, strlen(s))) {
            const cs_rule *r = l->rules[i];
            char *out = NULL;
            if (cs_regex_replace(r->re, s, strlen(s), r->replacement, &out) == 0 && out) {
                if (pass && !before_key) before_key = cs_xstrdup(s);
                free(s);
                s = out;
            }
        }
    }
    if (before_key && strcmp(before_key, s) == 0) {
        free(before_key);
        before_key = NULL;
    }
    if (shown)
        *shown = before_key;
    else
        free(before_key);
    return s;
}

char *cs_normalize_function(const cs_normalizer *n, cs_lang lang, const char *fn)
{
    return norm_function(n, lang, fn, NULL);
}

static char *norm_file(const cs_normalizer *n, cs_lang lang, const char *file)
{
    char *s = cs_xstrdup(file);
    for (char *p = s; *p; p++)
        if (*p == '\\') *p = '/';
    const cs_rlist *l = cs_rindex_list(&n->idx, CS_RULE_STRIP_PATH, lang);
    for (size_t i = cs_rlist_next(l, 0, s, strlen(s)); i < l->n_rules;
         i = cs_rlist_next(l, i + 1, s, strlen(s))) {
        const cs_rule *r = l->rules[i];
        char *out = NULL;
        if (cs_regex_replace(r->re, s, strlen(s), "", &out) == 0 && out) {
            free(s);
            s = out;
        }
    }
    /* "../../third_party/x.cc", "./src/x.c": relative to wherever the build
     * ran; the rest is what stays the same. A trailing '/' names nothing. */
    size_t skip = 0;
    for (;;) {
        if (strncmp(s + skip, "./", 2) == 0)
            skip += 2;
        else if (strncmp(s + skip, "../", 3) == 0)
            skip += 3;
        else
            break;
    }
    if (skip) memmove(s, s + skip, strlen(s + skip) + 1);
    size_t len = strlen(s);
    while (len > 1 && s[len - 1] == '/')
        s[--len] = '\0';
    if (s[0] == '/') {
        /* No rule knew this checkout: keep the package folder and the file,
         * which is what stays the same from one machine to the next. */
        char *last = strrchr(s, '/');
        char *prev = last;
        while (prev > s && *--prev != '/')
            ;
        memmove(s, prev + 1, strlen(prev + 1) + 1);
    }
    return s;
}

static bool match_rule(const cs_normalizer *n, cs_rule_kind kind, cs_lang lang, const char *s,
                       const char **which)
{
    if (!s) return false;
    const cs_rlist *l = cs_rindex_list(&n->idx, kind, lang);
    if (!l->n_rules) return false;
    size_t i = cs_rlist_next(l, 0, s, strlen(s));
    if (i == l->n_rules) return false;
    if (which) *which = l->rules[i]->where;
    return true;
}

static uint64_t hash_str(const char *s, uint64_t h)
{
    /* NULL and "" differ: a rule may match the empty string. */
    return s ? cs_hash64(s, strlen(s) + 1, h) : cs_hash64("\xff", 1, h);
}

static uint64_t frame_key(cs_lang lang, const cs_frame *f)
{
    uint64_t h = cs_hash64(&lang, sizeof lang, CS_HASH_SEED);
    h = hash_str(f->function, h);
    h = hash_str(f->file, h);
    h = hash_str(f->module, h);
    return hash_str(f->build_id, h);
}

static bool streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static char *dup_or_null(const char *s)
{
    return s ? cs_xstrdup(s) : NULL;
}

/* A frame with no function ("??", "<unknown>"), file or module names no
 * code: two of them in different programs are not the same place. */
static bool unidentified(const cs_frame *f)
{
    if (f->file || f->module) return false;
    const char *fn = f->function;
    return !fn || !*fn || strcmp(fn, "??") == 0 || strcmp(fn, "???") == 0 ||
           strcmp(fn, "<unknown>") == 0;
}

/* Normalizes one distinct (language, function, file, module, build-id),
 * cached. */
static const centry *lookup(cs_normalizer *n, cs_lang lang, const cs_frame *f)
{
    uint64_t key = frame_key(lang, f);
    if (!key) key = 1; /* 0 marks an empty slot */
    size_t mask = n->cache_cap - 1, i = (size_t)key & mask;
    for (;; i = (i + 1) & mask) {
        centry *e = &n->cache[i];
        if (!e->key) break; /* an empty slot: keys are never 0 */
        if (e->key == key && e->lang == lang && streq(e->function, f->function) &&
            streq(e->file, f->file) && streq(e->module, f->module) &&
            streq(e->build_id, f->build_id))
            return e;
    }
    if (n->cache_n * 2 >= n->cache_cap) {
        /* Full enough: start over rather than grow without bound. */
        clear_cache(n);
        i = (size_t)key & mask;
    }
    centry *e = &n->cache[i];
    e->key = key;
    e->lang = lang;
    e->function = dup_or_null(f->function);
    e->file = dup_or_null(f->file);
    e->module = dup_or_null(f->module);
    e->build_id = dup_or_null(f->build_id);
    e->norm_function = f->function ? norm_function(n, lang, f->function, &e->shown_function) : NULL;
    e->norm_file = f->file ? norm_file(n, lang, f->file) : NULL;
    const char *which = NULL;
    e->after = match_rule(n, CS_RULE_AFTER, lang, e->norm_function, &which) ||
               match_rule(n, CS_RULE_AFTER, lang, f->function, &which);
    if (e->after) {
        e->skip = true;
    } else if (match_rule(n, CS_RULE_SENTINEL, lang, e->norm_function, &which) ||
               match_rule(n, CS_RULE_SENTINEL, lang, f->function, &which))
        e->sentinel = true;
    else if (match_rule(n, CS_RULE_SKIP, lang, e->norm_function, &which) ||
             match_rule(n, CS_RULE_SKIP, lang, f->function, &which) ||
             match_rule(n, CS_RULE_SKIP_PRINTED, lang, f->function, &which) ||
             match_rule(n, CS_RULE_SKIP_FILE, lang, f->file, &which) ||
             match_rule(n, CS_RULE_SKIP_FILE, lang, f->module, &which))
        e->skip = true;
    else if (match_rule(n, CS_RULE_HARNESS, lang, e->norm_function, &which) ||
             match_rule(n, CS_RULE_HARNESS, lang, f->function, &which))
        e->skip = e->harness = true;
    else if (unidentified(f)) {
        e->skip = true;
        which = "nothing identifies the frame (no function, file or module)";
    } else if (match_rule(n, CS_RULE_LIBRARY, lang, f->function, &which) ||
               match_rule(n, CS_RULE_LIBRARY_FILE, lang, f->file, &which) ||
               match_rule(n, CS_RULE_LIBRARY_FILE, lang, f->module, &which)) {
        /* As printed: "net/http.(*conn).serve" is the standard library,
         * "example.com/x/http.Serve" (normalized "http.Serve") is not. */
        e->library = true;
    } else if (match_rule(n, CS_RULE_VENDOR_FILE, lang, f->file, &which) ||
               match_rule(n, CS_RULE_VENDOR_FILE, lang, f->module, &which))
        e->vendor = true;
    else if (match_rule(n, CS_RULE_PREFIX, lang, e->norm_function, &which))
        e->prefix = true;
    e->rule = which;

    if (!e->rule) e->rule = "";
    e->map_impl = match_rule(n, CS_RULE_MAP, lang, f->function, NULL) ||
                  (e->norm_function && match_rule(n, CS_RULE_MAP, lang, e->norm_function, NULL));
    n->cache_n++;
    return e;
}

char *cs_normalize_message_traced(const cs_normalizer *n, const char *msg,
                                  void (*fired)(const cs_rule *r, void *ctx), void *ctx)
{
    char *s = cs_xstrdup(msg ? msg : "");
    const cs_rlist *l = cs_rindex_list(&n->idx, CS_RULE_MESSAGE, CS_RINDEX_ANY_LANG);
    for (size_t i = cs_rlist_next(l, 0, s, strlen(s)); i < l->n_rules;
         i = cs_rlist_next(l, i + 1, s, strlen(s))) {
        const cs_rule *r = l->rules[i];
        char *out = NULL;
        if (cs_regex_replace(r->re, s, strlen(s), r->replacement, &out) == 0 && out) {
            if (fired && strcmp(out, s) != 0) fired(r, ctx);
            free(s);
            s = out;
        }
    }
    return s;
}

char *cs_normalize_message(const cs_normalizer *n, const char *msg)
{
    return cs_normalize_message_traced(n, msg, NULL, NULL);
}

/* cs_normalize_message through the cache of exact messages; a fresh
 * string the caller frees. */
static char *norm_message(cs_normalizer *n, const char *msg)
{
    const char *m = msg ? msg : "";
    size_t len = strlen(m);
    if (len > MSG_CACHE_MAX_LEN) return cs_normalize_message(n, m);
    uint64_t key = cs_hash64(m, len, CS_HASH_SEED);
    if (!key) key = 1;
    size_t mask = ((size_t)1 << MSG_CACHE_BITS) - 1, i = (size_t)key & mask;
    for (;; i = (i + 1) & mask) {
        mentry *e = &n->msgs[i];
        if (!e->key) break;
        if (e->key == key && strcmp(e->msg, m) == 0) return cs_xstrdup(e->norm);
    }
    if (n->msgs_n * 2 >= mask + 1) {
        /* Full enough: start over rather than grow without bound. */
        clear_msgs(n);
        i = (size_t)key & mask;
    }
    mentry *e = &n->msgs[i];
    e->key = key;
    e->msg = cs_xstrdup(m);
    e->norm = cs_normalize_message(n, m);
    n->msgs_n++;
    return cs_xstrdup(e->norm);
}

int cs_signature_thread(const cs_trace *t)
{
    static const cs_role order[] = {CS_ROLE_CRASHED, CS_ROLE_ACCESS};
    for (size_t k = 0; k < CS_ARRAY_LEN(order); k++)
        for (size_t i = 0; i < t->n_threads; i++)
            if (t->threads[i].role == order[k]) {
                /* A crashed thread with nothing of the program's own (a Go
                 * test timeout's alarm goroutine) hands over to the first
                 * thread that has. */
                for (size_t j = 0; j < t->threads[i].n_frames; j++)
                    if (t->threads[i].frames[j].significant) return (int)i;
                for (size_t o = 0; o < t->n_threads; o++)
                    for (size_t j = 0; j < t->threads[o].n_frames; j++)
                        if (t->threads[o].frames[j].significant &&
                            t->threads[o].role != CS_ROLE_CREATION)
                            return (int)o;
                return (int)i;
            }
    return t->n_threads ? 0 : -1;
}

/* What makes two failures with the same frames different bugs. */
static char *failure_class(cs_normalizer *n, const cs_trace *t)
{
    const char *h = t->headline ? t->headline : "";
    switch (cs_kind_info_of(t->kind)->class_rule) {
    case CS_CLASS_RACE:
        return cs_xstrdup("data race");
    case CS_CLASS_EXCEPTION: {
        /* The exception type; its message varies with data. */
        const char *colon = strstr(h, ": ");
        return colon ? cs_xstrndup(h, (size_t)(colon - h)) : norm_message(n, h);
    }
    case CS_CLASS_RACE_OR_MSG:
        if (strstr(h, "data race")) return cs_xstrdup("data race");
        return norm_message(n, h);
    case CS_CLASS_SIGNAL: {
        /* "Thread 4 "busy-3" received signal SIGSEGV, ..." and "Program
         * terminated with signal SIGSEGV, ...": the signal is the class. */
        const char *sig = strstr(h, "signal ");
        return norm_message(n, sig ? sig : h);
    }
    case CS_CLASS_CORE_SIGNAL: {
        /* "SIGSEGV (segmentation fault) at 0x0 in ./prog args": the signal is
         * the class; the address and the command line vary by run. */
        size_t k = strcspn(h, "");
        const char *at = strstr(h, " at "), *in = strstr(h, " in ");
        if (at && (size_t)(at - h) < k) k = (size_t)(at - h);
        if (in && (size_t)(in - h) < k) k = (size_t)(in - h);
        return cs_xstrndup(h, k);
    }
    case CS_CLASS_TEST: {
        char *m = norm_message(n, h);
        char *c = cs_xasprintf("test failure: %s", m);
        free(m);
        return c;
    }
    case CS_CLASS_MESSAGE:
        break;
    }
    return norm_message(n, h);
}

/* The part a frame contributes to a signature. */
void cs_normalize_frame_part(cs_buf *b, cs_lang lang, const cs_frame *f)
{
    if (f->norm_function && *f->norm_function && strcmp(f->norm_function, "??") != 0) {
        if (lang == CS_LANG_PYTHON && f->norm_file) {
            const char *base = strrchr(f->norm_file, '/');
            base = base ? base + 1 : f->norm_file;
            size_t k = strlen(base);
            if (k > 3 && strcmp(base + k - 3, ".py") == 0) k -= 3;
            cs_buf_printf(b, "%.*s.", (int)k, base);
        }
        cs_buf_adds(b, f->norm_function);
        /* A stripped module's nearest exported symbol is a weaker name
         * than a symbol table's: say so, so the two never merge. */
        if (f->dynsym) cs_buf_adds(b, " [dynsym]");
    } else if (f->module && f->has_offset) {
        /* No symbols: the module's build-id and the offset identify the
         * code, so equal parts are the same instruction of the same
         * binary, and two programs' frames never compare equal. */
        const char *base = strrchr(f->module, '/');
        cs_buf_adds(b, base ? base + 1 : f->module);
        if (f->build_id && *f->build_id) cs_buf_printf(b, "@%s", f->build_id);
        cs_buf_printf(b, "+0x%llx", (unsigned long long)f->offset);
    } else if (f->norm_file && (f->line > 0 || !f->module || !*f->module)) {
        cs_buf_adds(b, f->norm_file);
    } else if (f->module && *f->module) {
        /* A file without a line is no place to open (symbol files attribute
         * it from the nearest line record); the module is the steadier name,
         * as Socorro has it, without the brackets of "[module]". */
        const char *base = strrchr(f->module, '/');
        base = base ? base + 1 : f->module;
        const char *s = base;
        size_t len = strlen(s);
        while (len && *s == '[')
            s++, len--;
        while (len && s[len - 1] == ']')
            len--;
        if (len)
            cs_buf_add(b, s, len);
        else
            cs_buf_adds(b, base); /* only brackets: keep them */
    } else if (f->norm_file) {
        cs_buf_adds(b, f->norm_file);
    } else if (f->has_pc) {
        /* No module at all (an address outside every mapping). */
        cs_buf_printf(b, "0x%llx", (unsigned long long)f->pc);
    } else {
        cs_buf_adds(b, "?");
    }
}

/* The first significant frame of the program's own (origin 0), or
 * n_frames. */
static size_t first_own(const cs_thread *th, const unsigned char *origin)
{
    for (size_t j = 0; j < th->n_frames; j++)
        if (th->frames[j].significant && origin[j] == 0) return j;
    return th->n_frames;
}

static void mark_thread(cs_normalizer *n, cs_lang lang, cs_thread *th)
{
    size_t start = 0, after = 0;
    /* 0: own code, 1: library, 2: vendored, 3: a test harness's */
    unsigned char *origin = th->n_frames ? cs_xcalloc(th->n_frames, 1) : NULL;
    for (size_t j = 0; j < th->n_frames; j++) {
        cs_frame *f = &th->frames[j];
        const centry *e = lookup(n, lang, f);
        free(f->norm_function);
        free(f->shown_function);
        free(f->norm_file);
        f->norm_function = e->norm_function ? cs_xstrdup(e->norm_function) : NULL;
        f->shown_function = e->shown_function ? cs_xstrdup(e->shown_function) : NULL;
        f->norm_file = e->norm_file ? cs_xstrdup(e->norm_file) : NULL;
        cs_buf part;
        cs_buf_init(&part, 0);
        cs_normalize_frame_part(&part, lang, f);
        free(f->sig_part);
        f->sig_part = cs_buf_take(&part);
        cs_buf_dispose(&part);
        f->significant = !e->skip;
        f->map_impl = e->map_impl;
        f->rule = e->rule;
        origin[j] = e->library ? 1 : e->vendor ? 2 : e->harness ? 3 : 0;
        if (e->sentinel && start == 0) start = j;
        if (e->after) after = j + 1;
    }
    /* "after" wins over a sentinel above it: a re-panic's deferred
     * handlers sit above the original panic. */
    if (after > start) start = after;
    for (size_t j = 0; j < start; j++) {
        if (!th->frames[j].significant) continue;
        th->frames[j].significant = false;
        th->frames[j].rule = after ? "above the last 'after' frame" : "above the sentinel";
    }
    /* When the thread has code of the program's own, standard-library
     * frames stand aside everywhere, and vendored frames below the first own
     * frame (its callers: frameworks, servers, test runners). A vendored
     * frame above it stays: it names the dependency that broke. A crash
     * entirely inside libraries still names them. */
    size_t own = first_own(th, origin);
    /* No own code at all: the runner failed in its own work (a class its
     * classpath lacks, a fork that would not start). Its frames are then
     * the code that broke, and the JDK's below them stand aside. */
    if (own == th->n_frames) {
        for (size_t j = start; j < th->n_frames; j++)
            if (origin[j] == 3) {
                th->frames[j].significant = true;
                th->frames[j].rule = "";
                origin[j] = 0;
            }
        own = first_own(th, origin);
    }
    for (size_t j = 0; own < th->n_frames && j < th->n_frames; j++)
        if (origin[j] == 1 || (origin[j] == 2 && j > own)) th->frames[j].significant = false;
    free(origin);
}

/* Where a stack overflow ran out of stack is chance: the frames above the
 * recursion are whatever the last call happened to be (a memcmp, a logger),
 * and two overflows of one recursion differ there. The cycle is the bug:
 * the signature starts at the first significant frame from which a run of
 * frames repeats at least twice (period up to CS_MAX_CYCLE frames; one
 * frame repeating needs three in a row, so one call inlined into itself is
 * no cycle). Comparing each start with each period is O(frames * period^2)
 * string compares, bounded by CS_MAX_FRAMES and CS_MAX_CYCLE. */
#define CS_MAX_CYCLE 16

static void start_at_cycle(cs_thread *th)
{
    size_t *sig = th->n_frames ? cs_xcalloc(th->n_frames, sizeof *sig) : NULL;
    size_t m = 0;
    for (size_t j = 0; j < th->n_frames; j++)
        if (th->frames[j].significant && th->frames[j].sig_part) sig[m++] = j;
    size_t start = m;
    for (size_t i = 0; i < m && start == m; i++)
        for (size_t p = 1; p <= CS_MAX_CYCLE && i + 2 * p <= m && start == m; p++) {
            size_t span = p == 1 ? 3 : 2 * p;
            if (i + span > m) break;
            bool rep = true;
            for (size_t k = 0; k + p < span && rep; k++)
                rep = strcmp(th->frames[sig[i + k]].sig_part,
                             th->frames[sig[i + k + p]].sig_part) == 0;
            if (rep) start = i;
        }
    for (size_t k = 0; start < m && k < start; k++) {
        th->frames[sig[k]].significant = false;
        th->frames[sig[k]].rule = "above the recursion of a stack overflow";
    }
    free(sig);
}

static bool is_prefix_frame(cs_normalizer *n, cs_lang lang, const cs_frame *f)
{
    /* Without prefix rules no frame is one: no second lookup per frame. */
    if (!cs_rindex_list(&n->idx, CS_RULE_PREFIX, lang)->n_rules) return false;
    return lookup(n, lang, f)->prefix;
}

/* A thread without a significant frame still has a place: the first file
 * (with its line: the location a panic or a sanitizer header names) or
 * module any of its frames shows. Without one, the kind and class alone
 * make the signature. */
static void fallback_location(cs_buf *b, const cs_thread *th)
{
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->norm_file && *f->norm_file) {
            cs_buf_adds(b, f->norm_file);
            if (f->line > 0) cs_buf_printf(b, ":%d", f->line);
            return;
        }
    }
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->module && *f->module) {
            const char *base = strrchr(f->module, '/');
            cs_buf_adds(b, base ? base + 1 : f->module);
            return;
        }
    }
}

static bool has_significant(const cs_thread *th)
{
    for (size_t j = 0; j < th->n_frames; j++)
        if (th->frames[j].significant) return true;
    return false;
}

/* Appends "f1 | f2 | ..." of the top k significant frames of th. */
static void thread_part(cs_normalizer *n, cs_buf *b, cs_lang lang, const cs_thread *th, int k)
{
    int counted = 0;
    const char *last = NULL;
    for (size_t j = 0; j < th->n_frames && counted < k; j++) {
        const cs_frame *f = &th->frames[j];
        if (!f->significant) continue;
        /* Recursion collapses into one frame. */
        if (last && strcmp(last, f->sig_part) == 0) continue;
        if (last) cs_buf_adds(b, " | ");
        cs_buf_adds(b, f->sig_part);
        last = f->sig_part;
        if (!is_prefix_frame(n, lang, f)) counted++;
    }
    if (!last) fallback_location(b, th);
}

void cs_normalize_trace(cs_normalizer *n, cs_trace *t)
{
    cs_lang lang = cs_trace_lang(t);
    /* Borrowed threads were marked through their owner (same kind, so the
     * same language and rules). */
    for (size_t i = 0; !t->same_as && i < t->n_threads; i++)
        mark_thread(n, lang, &t->threads[i]);
    if (t->headline && match_rule(n, CS_RULE_OVERFLOW, lang, t->headline, NULL))
        for (size_t i = 0; i < t->n_threads; i++)
            if (t->threads[i].role == CS_ROLE_CRASHED) start_at_cycle(&t->threads[i]);
    char *cls = failure_class(n, t);
    free(t->norm_headline);
    t->norm_headline = cls;
    cs_buf b;
    cs_buf_init(&b, 0);
    /* The kind (and a test failure's language) leads: two traces of
     * different kinds or languages are never the same bug, even when
     * neither shows a frame. */
    cs_buf_printf(&b, "[%s", cs_trace_kind_name(t->kind));
    if (t->kind == CS_TK_TEST_FAILURE && lang != CS_LANG_ANY)
        cs_buf_printf(&b, "/%s", cs_lang_name(lang));
    cs_buf_printf(&b, "] %s", *cls ? cls : "(no message)");
    size_t before_at = b.len;
    cs_buf_adds(&b, " @ ");

    t->crash_thread = cs_signature_thread(t);
    int acc = -1, prev = -1;
    for (size_t i = 0; i < t->n_threads; i++) {
        if (t->threads[i].role == CS_ROLE_ACCESS && acc < 0) acc = (int)i;
        if (t->threads[i].role == CS_ROLE_PREVIOUS && prev < 0) prev = (int)i;
    }
    if (acc >= 0 && prev >= 0) {
        /* A race is its two accesses, whichever came first. */
        cs_buf x, y;
        cs_buf_init(&x, 0);
        cs_buf_init(&y, 0);
        thread_part(n, &x, lang, &t->threads[acc], 1);
        thread_part(n, &y, lang, &t->threads[prev], 1);
        if (!x.len) cs_buf_adds(&x, "?");
        if (!y.len) cs_buf_adds(&y, "?");
        bool swap = strcmp(x.ptr, y.ptr) > 0;
        cs_buf_printf(&b, "%s ~ %s", swap ? y.ptr : x.ptr, swap ? x.ptr : y.ptr);
        cs_buf_dispose(&x);
        cs_buf_dispose(&y);
    } else if (t->location && t->location->file &&
               (t->crash_thread < 0 || !has_significant(&t->threads[t->crash_thread]))) {
        /* No frame names the code (a backtrace of <unknown> or of the
         * runtime alone): the place the failure names does. */
        char *file = norm_file(n, lang, t->location->file);
        cs_buf_adds(&b, file);
        if (t->location->line > 0) cs_buf_printf(&b, ":%d", t->location->line);
        free(file);
    } else if (t->crash_thread >= 0) {
        thread_part(n, &b, lang, &t->threads[t->crash_thread], n->k);
    }
    if (b.len == before_at + 3) b.len = before_at; /* no place at all: no " @ " */
    b.ptr[b.len] = '\0';
    free(t->signature);
    t->signature = cs_buf_take(&b);
    t->sig_hash = cs_hash64(t->signature, strlen(t->signature), CS_HASH_SEED);
}

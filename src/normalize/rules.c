#define _GNU_SOURCE
#include "rules.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"

#define MAX_RULES_FILE (4u << 20)

static const struct {
    const char *word;
    cs_rule_kind kind;
    bool has_repl;
} directives[] = {
    {"skip", CS_RULE_SKIP, false},
    {"skip-file", CS_RULE_SKIP_FILE, false},
    {"skip-printed", CS_RULE_SKIP_PRINTED, false},
    {"sentinel", CS_RULE_SENTINEL, false},
    {"after", CS_RULE_AFTER, false},
    {"prefix", CS_RULE_PREFIX, false},
    {"library", CS_RULE_LIBRARY, false},
    {"library-file", CS_RULE_LIBRARY_FILE, false},
    {"vendor-file", CS_RULE_VENDOR_FILE, false},
    {"harness", CS_RULE_HARNESS, false},
    {"rename", CS_RULE_RENAME, true},
    {"rename-key", CS_RULE_RENAME_KEY, true},
    {"strip-path", CS_RULE_STRIP_PATH, false},
    {"message", CS_RULE_MESSAGE, true},
    {"map", CS_RULE_MAP, false},
    {"overflow", CS_RULE_OVERFLOW, false},
};

void cs_rules_init(cs_rules *r)
{
    memset(r, 0, sizeof *r);
    r->hash = CS_HASH_SEED;
}

void cs_rules_dispose(cs_rules *r)
{
    for (size_t i = 0; i < r->n_rules; i++) {
        cs_regex_free(r->rules[i].re);
        free(r->rules[i].pattern);
        free(r->rules[i].replacement);
        free(r->rules[i].where);
    }
    free(r->rules);
    cs_rules_init(r);
}

static void trim(char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t'))
        (*p)++, (*n)--;
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r'))
        (*n)--;
}

/* "[c]", "[c rust]", "[c, rust]": the languages the following rules apply
 * to, as a mask of 1 << cs_lang ([any] is every language). */
static int parse_section(const char *name, unsigned no, const char *p, size_t n, unsigned *langs,
                         cs_results *diags)
{
    if (p[n - 1] != ']') {
        cs_results_add_diag(diags, name, "line %u: unclosed section header", no);
        return CS_E_USAGE;
    }
    unsigned mask = 0;
    size_t i = 1;
    while (i < n - 1) {
        while (i < n - 1 && (p[i] == ' ' || p[i] == ',' || p[i] == '\t'))
            i++;
        size_t j = i;
        while (j < n - 1 && p[j] != ' ' && p[j] != ',' && p[j] != '\t')
            j++;
        if (j == i) break;
        int found = -1;
        for (int l = 0; l < CS_LANG_COUNT; l++)
            if (strlen(cs_lang_name(l)) == j - i && memcmp(p + i, cs_lang_name(l), j - i) == 0)
                found = l;
        if (found < 0) {
            char known[128] = "";
            for (int l = 0; l < CS_LANG_COUNT; l++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", l ? " " : "",
                         cs_lang_name(l));
            cs_results_add_diag(diags, name, "line %u: unknown section '%.*s' (known: %s)", no,
                                (int)(j - i), p + i, known);
            return CS_E_USAGE;
        }
        mask |= found == CS_LANG_ANY ? CS_LANGS_ALL : 1u << found;
        i = j;
    }
    if (!mask) {
        cs_results_add_diag(diags, name, "line %u: empty section header", no);
        return CS_E_USAGE;
    }
    *langs = mask;
    return 0;
}

static int parse_line(cs_rules *r, const char *name, unsigned no, char *p, size_t n,
                      unsigned *langs, cs_results *diags)
{
    trim(&p, &n);
    if (n == 0 || p[0] == '#') return 0;
    if (p[0] == '[') return parse_section(name, no, p, n, langs, diags);
    size_t w = strcspn(p, " \t");
    if (w >= n) {
        cs_results_add_diag(diags, name, "line %u: '%.*s' has no pattern", no, (int)n, p);
        return CS_E_USAGE;
    }
    int d = -1;
    for (size_t i = 0; i < CS_ARRAY_LEN(directives); i++)
        if (strlen(directives[i].word) == w && memcmp(p, directives[i].word, w) == 0) d = (int)i;
    if (d < 0) {
        cs_results_add_diag(
            diags, name,
            "line %u: unknown directive '%.*s' (known: skip, skip-file, skip-printed, "
            "sentinel, after, prefix, library, library-file, vendor-file, harness, rename, "
            "rename-key, strip-path, message, map, overflow)",
            no, (int)w, p);
        return CS_E_USAGE;
    }
    char *pat = p + w;
    size_t pn = n - w;
    trim(&pat, &pn);
    char *repl = NULL;
    if (directives[d].has_repl) {
        /* " => " separates pattern and replacement; the last one wins so a
         * pattern may contain "=>". */
        char *sep = NULL;
        for (char *q = pat; q + 3 <= pat + pn; q++)
            if (memcmp(q, " =>", 3) == 0 && (q + 3 == pat + pn || q[3] == ' ')) sep = q;
        if (!sep) {
            cs_results_add_diag(diags, name, "line %u: %s needs 'PATTERN => REPLACEMENT'", no,
                                directives[d].word);
            return CS_E_USAGE;
        }
        char *rp = sep + 3;
        size_t rn = (size_t)(pat + pn - rp);
        trim(&rp, &rn);
        repl = cs_xstrndup(rp, rn);
        pn = (size_t)(sep - pat);
        trim(&pat, &pn);
    }
    char *pattern = cs_xstrndup(pat, pn);
    cs_regex *re = NULL;
    char *err = NULL;
    if (cs_regex_new(&re, pattern, 0, &err) != 0) {
        cs_results_add_diag(diags, name, "line %u: bad pattern /%s/: %s", no, pattern, err);
        free(err);
        free(pattern);
        free(repl);
        return CS_E_USAGE;
    }
    cs_rule *rule = CS_PUSH(r->rules, r->n_rules, r->cap_rules);
    rule->kind = directives[d].kind;
    rule->langs = *langs;
    rule->re = re;
    rule->pattern = pattern;
    rule->replacement = repl;
    const char *base = strrchr(name, '/');
    rule->where = cs_xasprintf("%s:%u", base ? base + 1 : name, no);
    r->hash = cs_hash64(directives[d].word, strlen(directives[d].word), r->hash);
    r->hash = cs_hash64(langs, sizeof *langs, r->hash);
    r->hash = cs_hash64(pattern, strlen(pattern) + 1, r->hash);
    if (repl) r->hash = cs_hash64(repl, strlen(repl) + 1, r->hash);
    return 0;
}

int cs_rules_load_text(cs_rules *r, const char *name, const char *text, cs_results *diags)
{
    unsigned langs = CS_LANGS_ALL;
    unsigned no = 0;
    int bad = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = cs_xstrndup(p, n);
        if (parse_line(r, name, ++no, line, n, &langs, diags)) bad++;
        free(line);
        p += n + (nl ? 1 : 0);
    }
    return bad ? CS_E_USAGE : 0;
}

int cs_rules_load_dir(cs_rules *r, const char *dir, cs_results *diags)
{
    DIR *d = opendir(dir);
    if (!d) {
        cs_results_add_diag(diags, dir, "cannot open rules folder");
        return CS_E_NOTFOUND;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t k = strlen(de->d_name);
        if (k > 6 && strcmp(de->d_name + k - 6, ".rules") == 0)
            *CS_PUSH(names, n, cap) = cs_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cs_cmp_strp);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = cs_xasprintf("%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            cs_results_add_diag(diags, path, "cannot read rules file");
            rc = CS_E_IO;
        } else {
            char *text = cs_xmalloc(MAX_RULES_FILE + 1);
            size_t k = fread(text, 1, MAX_RULES_FILE, f);
            text[k] = '\0';
            if (k == MAX_RULES_FILE)
                cs_results_add_diag(diags, path, "rules file over 4 MiB; the rest was ignored");
            if (cs_rules_load_text(r, path, text, diags)) rc = CS_E_USAGE;
            free(text);
            fclose(f);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

const char *cs_rules_default_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("CRASHSIFT_SIGNATURES");
    if (env && *env) return env;
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *cands[] = {"%s/../signatures", "%s/../share/crashsift/signatures",
                                   "%s/signatures"};
            for (size_t i = 0; i < CS_ARRAY_LEN(cands); i++) {
                snprintf(dir, sizeof dir, cands[i], exe);
                if (access(dir, R_OK) == 0) return dir;
            }
        }
    }
    return NULL;
}

int cs_rules_load_builtin(cs_rules *r, cs_results *diags)
{
    int rc = 0;
    for (const cs_builtin_rules *b = cs_rules_builtin; b->name; b++)
        if (cs_rules_load_text(r, b->name, b->text, diags)) rc = CS_E_USAGE;
    return rc;
}

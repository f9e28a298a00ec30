#define _GNU_SOURCE
#include "source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/buf.h"
#include "../base/regex.h"
#include "../base/util.h"

#define MAX_FILES 200000
#define MAX_DEPTH 32
#define MAX_SOURCE_BYTES (8u << 20)

struct cs_source_tree {
    char *root;
    char **files; /* paths relative to root */
    size_t n, cap;
    char **whys; /* messages handed out, freed with the tree */
    size_t n_whys, cap_whys;
    cs_regex *re_index, *re_delete;
};

static void walk(cs_source_tree *t, const char *rel, int depth)
{
    if (depth > MAX_DEPTH || t->n >= MAX_FILES) return;
    char *abs = cs_xasprintf("%s/%s", t->root, rel);
    DIR *d = opendir(abs);
    free(abs);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)) && t->n < MAX_FILES) {
        const char *n = de->d_name;
        if (n[0] == '.' || strcmp(n, "node_modules") == 0) continue;
        char *child = *rel ? cs_xasprintf("%s/%s", rel, n) : cs_xstrdup(n);
        char *p = cs_xasprintf("%s/%s", t->root, child);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(t, child, depth + 1);
            free(child);
        } else if (S_ISREG(st.st_mode)) {
            *CS_PUSH(t->files, t->n, t->cap) = child;
        } else {
            free(child);
        }
        free(p);
    }
    closedir(d);
}

static cs_regex *compile(const char *pattern)
{
    cs_regex *re = NULL;
    return cs_regex_new(&re, pattern, 0, NULL) == 0 ? re : NULL;
}

cs_source_tree *cs_source_tree_new(const char *dir)
{
    cs_source_tree *t = cs_xcalloc(1, sizeof *t);
    t->root = cs_xstrdup(dir);
    walk(t, "", 0);
    if (t->n) qsort(t->files, t->n, sizeof *t->files, cs_cmp_strp);
    /* "name[" of an index expression; "delete(m, k)" and "m.erase(" style. */
    t->re_index = compile("([A-Za-z_]\\w*)\\s*\\[");
    t->re_delete = compile("\\bdelete\\s*\\(\\s*(?:[\\w.]+\\.)?(\\w+)\\s*,|"
                           "\\b(\\w+)\\s*(?:\\.|->)\\s*(?:erase|insert|emplace|find|at)\\s*\\(");
    return t;
}

void cs_source_tree_free(cs_source_tree *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++)
        free(t->files[i]);
    free(t->files);
    for (size_t i = 0; i < t->n_whys; i++)
        free(t->whys[i]);
    free(t->whys);
    cs_regex_free(t->re_index);
    cs_regex_free(t->re_delete);
    free(t->root);
    free(t);
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The indexed file that best matches a repository-relative path: the
 * longest common suffix of path components wins. */
static const char *find(const cs_source_tree *t, const char *file)
{
    const char *best = NULL;
    size_t best_len = 0;
    const char *b = base(file);
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(base(t->files[i]), b) != 0) continue;
        size_t a = strlen(t->files[i]), f = strlen(file), k = 0;
        while (k < a && k < f && t->files[i][a - 1 - k] == file[f - 1 - k])
            k++;
        if (k > best_len) {
            best = t->files[i];
            best_len = k;
        }
    }
    return best;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = cs_xmalloc(MAX_SOURCE_BYTES + 1);
    size_t n = fread(buf, 1, MAX_SOURCE_BYTES, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Is `name` declared as a map in this source? Go: "name map[", "name :=
 * make(map[", "name: map["; C++: "unordered_map<...> name", "map<...> name". */
static bool declared_map(const char *text, const char *name)
{
    char *pat = cs_xasprintf("\\b%s\\s*(?::=|=|:)?\\s*(?:make\\(\\s*)?map\\[|"
                             "(?:unordered_)?(?:multi)?map\\s*<[^;{]*>\\s*[*&]?\\s*%s\\b|"
                             "HashMap\\s*<[^;{]*>\\s*%s\\b",
                             name, name, name);
    cs_regex *re = compile(pat);
    free(pat);
    bool yes = re && cs_regex_match(re, text, strlen(text), NULL);
    cs_regex_free(re);
    return yes;
}

static const char *keep(cs_source_tree *t, char *why)
{
    *CS_PUSH(t->whys, t->n_whys, t->cap_whys) = why;
    return why;
}

bool cs_source_is_map_access(cs_source_tree *t, const char *file, int line, const char **why)
{
    if (!t || !file || line <= 0) return false;
    const char *rel = find(t, file);
    if (!rel) return false;
    char *path = cs_xasprintf("%s/%s", t->root, rel);
    char *text = slurp(path);
    free(path);
    if (!text) return false;
    const char *p = text;
    for (int k = 1; k < line && p; k++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    bool yes = false;
    if (p) {
        size_t n = strcspn(p, "\n");
        char *ln = cs_xstrndup(p, n);
        /* Every identifier the line indexes, deletes from or calls a
         * container method on is checked against its declaration. */
        const cs_regex *res[] = {t->re_index, t->re_delete};
        for (size_t r = 0; r < 2 && !yes; r++) {
            if (!res[r]) continue;
            const char *s = ln;
            cs_match m;
            while (!yes && *s && cs_regex_match(res[r], s, strlen(s), &m)) {
                for (int g = 1; g <= 2 && !yes; g++) {
                    char *name = cs_match_dup(&m, g);
                    if (name && declared_map(text, name)) {
                        yes = true;
                        *why = keep(t, cs_xasprintf("%s:%d accesses %s, declared as a map in %s",
                                                    rel, line, name, rel));
                    }
                    free(name);
                }
                size_t adv = m.ov[1] > 0 ? m.ov[1] : 1;
                s += adv;
            }
        }
        free(ln);
    }
    free(text);
    return yes;
}

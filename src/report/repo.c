#include "repo.h"

#include <string.h>

/* CI checkout layouts: a literal folder chain, then how many more path
 * components name the checkout, and which of them is the repository name
 * (counted from 1; 0: unknown). GitLab's nested groups make /builds/ ambiguous
 * past two components: such users pass --repo-root. */
static const struct checkout {
    const char *lead;
    int comps;
    int name;
    bool drive; /* only right after a drive letter */
} checkouts[] = {
    {"/home/runner/work/", 2, 2, false},               /* GitHub Actions */
    {"/__w/", 2, 2, false},                            /* GitHub Actions container jobs */
    {"/a/", 2, 2, true},                               /* GitHub Actions on Windows (D:/a/r/r) */
    {"/builds/", 2, 2, false},                         /* GitLab runners */
    {"/var/lib/jenkins/workspace/", 1, 1, false},      /* Jenkins */
    {"/var/lib/buildkite-agent/builds/", 3, 3, false}, /* Buildkite: agent/org/pipeline */
    {"/home/circleci/project/", 0, 0, false},          /* CircleCI */
    {"/home/travis/build/", 2, 2, false},              /* Travis */
    {"/go/src/", 3, 3, false},                         /* GOPATH builds: host/owner/repo */
};

/* Code that is never the repository's own, wherever it sits: toolchains,
 * dependency caches, system headers, sanitizer runtimes. */
static const char *const foreign[] = {
    "/pkg/mod/",
    "/site-packages/",
    "/dist-packages/",
    "/node_modules/",
    "/.cargo/registry/",
    "/.cargo/git/",
    "/.rustup/",
    "/usr/include/",
    "/usr/lib/",
    "/usr/local/go/",
    "/usr/local/lib/",
    "/usr/src/",
    "/opt/hostedtoolcache/",
    "/compiler-rt/",
    "/sanitizer_common/",
    "/libsanitizer/",
    "/libgcc/",
    "/glibc-",
    "/libstdc++-v3/",
    "/llvm-project/",
};

/* Relative paths of glibc's own sources as its debug info names them
 * ("./nptl/pthread_create.c"): the C library, not the program. */
static const char *const libc_dirs[] = {"nptl/",  "sysdeps/",      "csu/",    "stdlib/", "string/",
                                        "libio/", "malloc/",       "signal/", "posix/",  "elf/",
                                        "misc/",  "stdio-common/", "assert/", "dlfcn/"};

/* Modules of the system and the sanitizer runtimes: none of their frames
 * is the repository's code, whatever file their debug info names. */
static const char *const system_modules[] = {
    "libc.so",  "libc-",   "libpthread", "libstdc++",  "libc++",   "ld-linux",
    "libgcc_s", "libm.so", "libdl",      "linux-vdso", "libasan",  "libtsan",
    "libubsan", "liblsan", "libmsan",    "libhwasan",  "libgo.so", "libgfortran",
};

/* File names that are not source a reviewer can open. */
static const char *const not_source_ext[] = {".o", ".obj", ".a", ".so", ".dll", ".exe", ".dylib"};

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Folds "//", "./" and "x/.." in place over p[0..n); returns the new length,
 * or (size_t)-1 when ".." climbs above the start. */
static size_t fold(char *p, size_t n)
{
    size_t w = 0;
    bool abs = n && p[0] == '/';
    size_t i = abs ? 1 : 0;
    if (abs) w = 1;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        size_t k = j - i;
        if (k == 0 || (k == 1 && p[i] == '.')) {
            /* skip */
        } else if (k == 2 && p[i] == '.' && p[i + 1] == '.') {
            if (w <= (abs ? 1u : 0u)) return (size_t)-1;
            w--; /* drop the separator written after the last component */
            while (w > (abs ? 1u : 0u) && p[w - 1] != '/')
                w--;
        } else {
            memmove(p + w, p + i, k);
            w += k;
            if (j < n) p[w++] = '/';
        }
        i = j + 1;
    }
    if (w > (abs ? 1u : 0u) && p[w - 1] == '/') w--;
    p[w] = '\0';
    return w;
}

static bool is_foreign(const char *p)
{
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
        if (strstr(p, foreign[i])) return true;
    if (p[0] != '/')
        for (size_t i = 0; i < sizeof libc_dirs / sizeof libc_dirs[0]; i++)
            if (strncmp(p, libc_dirs[i], strlen(libc_dirs[i])) == 0) return true;
    /* A relative path into a toolchain's own tree (rustc prints
     * "library/std/src/..." for its standard library). */
    return strncmp(p, "library/core/", 13) == 0 || strncmp(p, "library/std/", 12) == 0 ||
           strncmp(p, "library/alloc/", 14) == 0;
}

/* Strips a checkout prefix found at a component boundary anywhere in p;
 * returns the rest, or NULL. The repository name goes to repo. */
static const char *strip_checkout(const char *p, bool drive, char *repo)
{
    for (size_t c = 0; c < sizeof checkouts / sizeof checkouts[0]; c++) {
        const struct checkout *k = &checkouts[c];
        if (k->drive && !drive) continue;
        for (const char *at = strstr(p, k->lead); at; at = strstr(at + 1, k->lead)) {
            if (k->drive && at != p) break;
            const char *q = at + strlen(k->lead);
            const char *name = NULL;
            size_t name_len = 0;
            int i = 0;
            for (; i < k->comps; i++) {
                const char *slash = strchr(q, '/');
                if (!slash || slash == q) break;
                if (i + 1 == k->name) name = q, name_len = (size_t)(slash - q);
                q = slash + 1;
            }
            if (i < k->comps || !*q) continue;
            if (name && name_len < CS_REPO_MAX_PATH) {
                memcpy(repo, name, name_len);
                repo[name_len] = '\0';
            } else {
                repo[0] = '\0';
            }
            return q;
        }
    }
    return NULL;
}

bool cs_repo_path_str(const cs_repo_opts *o, const char *file, char *out, char *repo)
{
    if (!file || !*file) return false;
    char p[CS_REPO_MAX_PATH];
    if (strncmp(file, "file://", 7) == 0) file += 7;
    size_t n = strlen(file);
    if (n >= sizeof p) return false;
    for (size_t i = 0; i <= n; i++)
        p[i] = file[i] == '\\' ? '/' : file[i];
    /* "D:/a/r/r/x" is absolute on Windows; match it as "/a/r/r/x". */
    char *s = p;
    bool drive = ((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') && p[1] == ':' && p[2] == '/';
    if (drive) s = p + 2, n -= 2;
    if (strchr(s, '<') || strstr(s, "??")) return false; /* <built-in>, <autogenerated>, ??:0 */
    /* "node:internal/...", "webpack://...": a scheme, not a file. */
    const char *colon = strchr(s, ':'), *slash = strchr(s, '/');
    if (colon && (!slash || colon < slash)) return false;
    for (size_t i = 0; i < sizeof not_source_ext / sizeof not_source_ext[0]; i++)
        if (has_suffix(s, n, not_source_ext[i])) return false;
    bool abs = s[0] == '/';
    n = fold(s, n);
    if (n == (size_t)-1 || n == 0) return false;
    /* Toolchain and dependency code is never the repository's, under a
     * root or not: decided once, here. */
    if (is_foreign(s)) return false;
    char name[CS_REPO_MAX_PATH] = "";
    const char *rel = NULL;
    if (o && o->n_roots) {
        /* Explicit roots: only they are the repository. */
        for (size_t i = 0; i < o->n_roots && !rel; i++) {
            char r[CS_REPO_MAX_PATH];
            size_t k = strlen(o->roots[i]);
            if (k >= sizeof r) continue;
            memcpy(r, o->roots[i], k + 1);
            k = fold(r, k);
            if (k == (size_t)-1) continue;
            if (k == 0 || (k == 1 && r[0] == '/')) {
                rel = s + (r[0] == '/' && abs);
            } else if (strncmp(s, r, k) == 0 && s[k] == '/') {
                rel = s + k + 1;
            }
        }
        if (!rel && !abs && strchr(s, '/')) rel = s; /* already relative */
    } else if (abs) {
        rel = strip_checkout(s, drive, name);
    } else if (strchr(s, '/')) {
        /* Relative with a folder: as the build printed it from the root. A
         * bare file name ("Foo.java") says nothing about its folder. */
        rel = s;
    }
    if (!rel || !*rel || strncmp(rel, "../", 3) == 0) return false;
    strcpy(out, rel);
    strcpy(repo, name);
    return true;
}

bool cs_repo_path(const cs_repo_opts *o, const cs_frame *f, char *out, char *repo)
{
    if (!f) return false;
    if (f->module) {
        const char *base = strrchr(f->module, '/');
        base = base ? base + 1 : f->module;
        for (size_t i = 0; i < sizeof system_modules / sizeof system_modules[0]; i++)
            if (strncmp(base, system_modules[i], strlen(system_modules[i])) == 0) return false;
    }
    return cs_repo_path_str(o, f->file, out, repo);
}

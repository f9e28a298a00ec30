/* repo.h - where a frame's file is in the repository under review, for the
 * reports that point at code (SARIF locations, source links in HTML and
 * Markdown).
 *
 * A CI trace names files as the runner saw them: "/home/runner/work/r/r/
 * pkg/x.go", "/__w/r/r/...", "/builds/group/r/...", "./src/main.rs",
 * "tests/../pkg/x.py", or outside the repository altogether (the Go
 * toolchain, the module cache, site-packages, sanitizer runtime sources,
 * "/usr/include/c++", object files). Code scanning wants a path relative
 * to the repository root, and nothing at all for code that is not in it:
 * a location on a file the repository does not have is noise.
 *
 * The roots are --repo-root prefixes when given, else the CI checkout
 * layouts below, recognised anywhere in an absolute path. A relative path
 * is taken as repository-relative once "./" and "x/.." are folded, unless
 * it climbs above its start or names toolchain or dependency code. */
#ifndef CS_REPORT_REPO_H
#define CS_REPORT_REPO_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"

#define CS_REPO_MAX_ROOTS 8
#define CS_REPO_MAX_PATH 1024 /* a longer file name is not a location */

typedef struct cs_repo_opts {
    const char *roots[CS_REPO_MAX_ROOTS]; /* --repo-root; none: auto-detect */
    size_t n_roots;
} cs_repo_opts;

/* The repository-relative form of a frame's file into out[CS_REPO_MAX_PATH],
 * and the checkout's repository name (the folder the runner named after it,
 * "" when unknown or given by --repo-root) into repo[CS_REPO_MAX_PATH].
 * Returns false, leaving both untouched, when the file is not in the
 * repository or unknown. */
bool cs_repo_path(const cs_repo_opts *o, const cs_frame *f, char *out, char *repo);

/* The same for a bare path (no frame). */
bool cs_repo_path_str(const cs_repo_opts *o, const char *file, char *out, char *repo);

#endif

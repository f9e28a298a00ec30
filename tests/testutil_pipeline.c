#define _GNU_SOURCE
/* testutil_pipeline.c - the unit tests' helpers that run the pipeline; only
 * tests that declare the pipeline module link them (tests/CMakeLists.txt). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

void cs_t_triage(const char *path, cs_results *r)
{
    cs_run_opts o;
    cs_run_opts_default(&o);
    cs_results_init(r);
    const char *paths[] = {path};
    cs_pipeline_extract(&o, paths, 1, r);
}

void cs_t_triage_full(const char *const *paths, size_t n, const char *user_rules, cs_triage *t)
{
    cs_run_opts o;
    cs_run_opts_default(&o);
    o.rules_dir = CS_SOURCE_DIR "/signatures";
    if (user_rules) o.user_rules[o.n_user_rules++] = user_rules;
    assert_int_equal(cs_pipeline_triage(&o, paths, n, t), 0);
}

/* Runs `run` over `text` written to a fresh directory as `name`. */
static void with_text_file(const char *name, const char *text, void (*run)(const char *, void *),
                           void *user)
{
    char tmpl[] = "/tmp/cs-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    run(path, user);
    unlink(path);
    rmdir(dir);
}

static void extract_one(const char *path, void *r)
{
    cs_t_triage(path, r);
}

void cs_t_triage_text(const char *name, const char *text, cs_results *r)
{
    with_text_file(name, text, extract_one, r);
}

static void triage_one(const char *path, void *t)
{
    const char *paths[] = {path};
    cs_t_triage_full(paths, 1, NULL, t);
}

void cs_t_triage_text_full(const char *name, const char *text, cs_triage *t)
{
    with_text_file(name, text, triage_one, t);
}

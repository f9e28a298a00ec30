/* testutil.h - shared helpers for the unit tests. */
#ifndef CS_TESTUTIL_H
#define CS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/model.h"
#include "pipeline/pipeline.h"

/* Absolute path of a file in the source tree (static buffer per call slot). */
const char *cs_t_src(const char *rel);
/* ../shared/corpus next to the checkout, or NULL (tests then skip). */
const char *cs_t_corpus(void);
/* Absolute path inside the shared corpus, or NULL when it is absent. */
const char *cs_t_corpus_path(const char *rel);
/* Runs the triage pipeline over one path into r (initialised here). */
void cs_t_triage(const char *path, cs_results *r);
/* The whole pipeline (normalize, cluster, race) over paths; user_rules may
 * be NULL. Built-in rules come from the source tree's signatures/. */
void cs_t_triage_full(const char *const *paths, size_t n, const char *user_rules, cs_triage *t);
/* Runs triage over an in-memory text, as a member named `name`. */
void cs_t_triage_text(const char *name, const char *text, cs_results *r);
/* The whole pipeline (cs_t_triage_full) over an in-memory text. */
void cs_t_triage_text_full(const char *name, const char *text, cs_triage *t);
/* The first trace of kind k at or after index *from, or NULL. */
cs_trace *cs_t_find(const cs_results *r, cs_trace_kind k, size_t *from);
/* Number of traces of kind k. */
size_t cs_t_count(const cs_results *r, cs_trace_kind k);
/* Index of the thread with role `role` (first), or -1. */
int cs_t_thread(const cs_trace *t, cs_role role);
/* Skips the current test with a message when the corpus is missing. */
#define CS_T_NEED_CORPUS()                                                                         \
    do {                                                                                           \
        if (!cs_t_corpus()) {                                                                      \
            print_message("SKIP: ../shared/corpus not found; corpus tests skipped\n");             \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

#endif

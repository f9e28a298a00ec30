/* fuzz.h - shared by the harnesses: libFuzzer's entry point, and the helpers
 * that compare a parser fed whole with the same parser fed in small chunks.
 *
 * Every harness follows STYLE.md "Fuzzing", with one change: the LAST input
 * byte (not the first) picks the chunk size (1..64) of the second run, and
 * the harness aborts when the whole and the chunked runs disagree. Seeds are
 * real files (fixtures): taking their first byte made every XML seed start
 * "?xml" and never reach expat's JUnit path; their last byte is a newline. The same sources are
 * built into libFuzzer targets (clang, CS_FUZZ=ON) and into replay tests (replay.c) that run every
 * file of the seed corpora under ctest. */
#ifndef CS_FUZZ_H
#define CS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "extract/readers.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs that reached the code the harness exists for (a trace extracted, a
 * rule loaded, an archive opened). replay.c fails when fewer seeds than its
 * --reach N do, so seeds that stop exercising the target are noticed. This
 * header is included by the one harness file of each program. */
size_t fz_n_reached;

/* Splits off the mode byte (the last one): the chunk size 1..64. */
static inline size_t fz_mode(size_t *size, const uint8_t *data)
{
    if (*size == 0) return 1;
    (*size)--;
    return 1 + data[*size] % 64;
}

/* A cs_pull over a buffer, handing out at most `chunk` bytes a call. */
typedef struct fz_src {
    const uint8_t *p;
    size_t n, off, chunk;
} fz_src;

static inline ssize_t fz_pull(void *ctx, void *buf, size_t n)
{
    fz_src *s = ctx;
    size_t k = s->n - s->off;
    if (k > n) k = n;
    if (k > s->chunk) k = s->chunk;
    memcpy(buf, s->p + s->off, k);
    s->off += k;
    return (ssize_t)k;
}

/* Both runs must give the same traces: same count, same kind and lines. */
static inline void fz_same_traces(const char *what, const cs_results *a, const cs_results *b,
                                  size_t chunk)
{
    int bad = a->n_traces != b->n_traces;
    for (size_t i = 0; !bad && i < a->n_traces; i++) {
        const cs_trace *x = a->traces[i], *y = b->traces[i];
        bad = x->kind != y->kind || x->line_start != y->line_start || x->line_end != y->line_end;
    }
    if (!bad) return;
    fprintf(stderr, "%s: whole input gave %zu trace(s), chunks of %zu gave %zu\n", what,
            a->n_traces, chunk, b->n_traces);
    for (size_t i = 0; i < a->n_traces || i < b->n_traces; i++) {
        if (i < a->n_traces)
            fprintf(stderr, "  whole  #%zu kind %d lines %llu-%llu\n", i, (int)a->traces[i]->kind,
                    (unsigned long long)a->traces[i]->line_start,
                    (unsigned long long)a->traces[i]->line_end);
        if (i < b->n_traces)
            fprintf(stderr, "  chunks #%zu kind %d lines %llu-%llu\n", i, (int)b->traces[i]->kind,
                    (unsigned long long)b->traces[i]->line_start,
                    (unsigned long long)b->traces[i]->line_end);
    }
    abort();
}

/* The structured readers (test2json, JUnit) share one signature: the first
 * byte picks the pull size, then whole and chunked pulls must agree. */
typedef int (*fz_reader)(const char *source, const cs_extract_opts *opts, cs_pull pull, void *ctx,
                         cs_results *out);

static inline int fz_compare_reader(const char *what, const char *name, fz_reader read,
                                    const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t chunk = fz_mode(&size, data);
    cs_extract_opts o = {.max_line = 4096};
    cs_results whole, parts;
    cs_results_init(&whole);
    cs_results_init(&parts);
    fz_src a = {.p = data, .n = size, .chunk = SIZE_MAX};
    fz_src b = {.p = data, .n = size, .chunk = chunk};
    read(name, &o, fz_pull, &a, &whole);
    read(name, &o, fz_pull, &b, &parts);
    fz_same_traces(what, &whole, &parts, chunk);
    if (whole.n_traces) fz_n_reached++;
    cs_results_dispose(&whole);
    cs_results_dispose(&parts);
    return 0;
}

#endif

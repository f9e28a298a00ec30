/* fuzz_extract.c - the whole dialect table through cs_extractor.
 *
 * The last byte picks a chunk size c in 1..64; the rest is a log. It is extracted
 * once fed whole and once fed in chunks of c bytes; both must give the same
 * traces (count, kind, line_start, line_end). A small max_line exercises the
 * overlong-line path as well. */
#include "extract/extract.h"
#include "fuzz.h"

#define FZ_MAX_LINE 512

static void run(const uint8_t *p, size_t n, size_t chunk, cs_results *out)
{
    cs_extract_opts o = {.max_line = FZ_MAX_LINE};
    cs_extractor *e = cs_extractor_new("fuzz.log", &o, out);
    for (size_t off = 0; off < n; off += chunk)
        cs_extractor_feed(e, p + off, n - off < chunk ? n - off : chunk);
    cs_extractor_finish(e);
    cs_extractor_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t chunk = fz_mode(&size, data);
    cs_results whole, parts;
    cs_results_init(&whole);
    cs_results_init(&parts);
    run(data, size, size ? size : 1, &whole);
    run(data, size, chunk, &parts);
    fz_same_traces("extract", &whole, &parts, chunk);
    if (whole.n_traces) fz_n_reached++;
    cs_results_dispose(&whole);
    cs_results_dispose(&parts);
    return 0;
}

/* fuzz_junit.c - the JUnit XML reader (cs_junit_read, expat).
 *
 * Byte 0 picks a pull size c in 1..64; the rest is the XML document. Pulled whole
 * and pulled c bytes at a time, the document must give the same traces. */
#include "extract/readers.h"
#include "fuzz.h"

static void run(const uint8_t *p, size_t n, size_t chunk, cs_results *out)
{
    cs_extract_opts o = {.max_line = 4096};
    fz_src s = {.p = p, .n = n, .chunk = chunk};
    cs_junit_read("fuzz.xml", &o, fz_pull, &s, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t chunk = 1 + data[0] % 64;
    data++, size--;
    cs_results whole, parts;
    cs_results_init(&whole);
    cs_results_init(&parts);
    run(data, size, SIZE_MAX, &whole);
    run(data, size, chunk, &parts);
    fz_same_traces("junit", &whole, &parts, chunk);
    cs_results_dispose(&whole);
    cs_results_dispose(&parts);
    return 0;
}

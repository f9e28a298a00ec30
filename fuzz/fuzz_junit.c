/* fuzz_junit.c - the JUnit XML reader (cs_junit_read, expat).
 *
 * The last byte picks a pull size c in 1..64; the rest is the XML document. Pulled whole
 * and pulled c bytes at a time, the document must give the same traces. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_compare_reader("junit", "fuzz.xml", cs_junit_read, data, size);
}

/* fuzz_test2json.c - the go test -json reader (cs_test2json_read).
 *
 * The last byte picks a pull size c in 1..64; the rest is the stream. Pulled whole
 * and pulled c bytes at a time, the stream must give the same traces. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_compare_reader("test2json", "fuzz.json", cs_test2json_read, data, size);
}

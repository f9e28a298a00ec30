/* fuzz_core.c - the core reader: libdwfl unwinding of an untrusted core, in
 * process (opts.in_process), against an empty index, with no system paths.
 * In production the same code runs in a forked child; here any crash in it
 * is found directly. */
#include "core/core.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_core_opts o;
    cs_core_opts_default(&o);
    o.in_process = true;
    o.no_system = true;
    cs_core_index *idx = cs_core_index_new(&o);
    cs_results out;
    cs_results_init(&out);
    cs_core_unwind(idx, "fuzz.core", data, size, &o, &out);
    if (out.n_traces) fz_n_reached++;
    cs_results_dispose(&out);
    cs_core_index_free(idx);
    return 0;
}

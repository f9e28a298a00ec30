/* fuzz_ingest.c - the archive walk (zip, zips in zips, gzip, xz, zstd) and
 * everything behind it, through cs_pipeline_inventory and
 * cs_pipeline_extract on a temporary file holding the input.
 *
 * Limits are small so that bombs and deep nests hit them quickly; cores found
 * in the input are unwound the production way (forked child, short timeout),
 * so a libdw crash is a diagnostic here and fuzz_core.c hunts those. */
#include <unistd.h>

#include "fuzz.h"
#include "pipeline/pipeline.h"

static char path[64];

static void cleanup(void)
{
    if (path[0]) unlink(path);
}

static int write_input(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/cs-fuzz-ingest-%ld", (long)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || w != size) return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (write_input(data, size) != 0) return 0;
    cs_run_opts o;
    cs_run_opts_default(&o);
    o.jobs = 1;
    o.limits.max_member = 4 << 20;
    o.limits.max_total = 16 << 20;
    o.limits.max_depth = 3;
    o.limits.max_members = 256;
    o.limits.max_line = 1024;
    o.core.timeout_ms = 2000;
    o.core.max_core = 4 << 20;
    o.core.no_system = true;
    const char *paths[] = {path};

    cs_results inv;
    cs_results_init(&inv);
    cs_pipeline_inventory(&o, paths, 1, &inv);
    /* Reached: a container was opened (it and its members are listed). */
    if (inv.n_members > 1) fz_n_reached++;
    cs_results_dispose(&inv);

    cs_results res;
    cs_results_init(&res);
    cs_pipeline_extract(&o, paths, 1, &res);
    cs_results_dispose(&res);
    return 0;
}

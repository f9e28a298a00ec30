/* fuzz_shard.c - the shard reader (cs_shard_read, jansson): whatever the
 * bytes, reading must not crash, and what it accepted must round-trip: the
 * records read, written as a shard and read again, give the same bytes
 * when written once more. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "shard/shard.h"

/* data as a file the reader can open (memfd: no file on disk). */
static int as_file(const void *data, size_t size, char path[64])
{
    int fd = memfd_create("fuzz.shard", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

static char *dump(const cs_shard_header *h, const cs_results *r, size_t *n)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, n);
    if (!f) abort();
    cs_shard_header w = *h;
    if (!w.sig_version) w.sig_version = "1:0";
    if (cs_shard_write(f, &w, r) != 0) abort();
    fclose(f);
    return buf;
}

static void read_path(const char *path, cs_shard_header *h, cs_results *r)
{
    cs_results_init(r);
    if (cs_shard_read(path, h, r) != 0) abort();
    /* Error entries about the shard itself are not part of its records. */
    cs_results_truncate(r, r->n_traces, 0, r->n_members, r->n_tests);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) return 0;
    char path[64];
    int fd = as_file(data, size, path);
    if (fd < 0) return 0;
    cs_shard_header h1, h2;
    cs_results r1, r2;
    read_path(path, &h1, &r1);
    close(fd);
    if (r1.n_traces || r1.n_members) fz_n_reached++; /* records were read */
    size_t n1, n2;
    char *s1 = dump(&h1, &r1, &n1);
    fd = as_file(s1, n1, path);
    if (fd < 0) abort();
    read_path(path, &h2, &r2);
    close(fd);
    char *s2 = dump(&h2, &r2, &n2);
    if (n1 != n2 || memcmp(s1, s2, n1) != 0) {
        fprintf(stderr, "fuzz_shard: a shard read back differs from what was written\n");
        abort();
    }
    free(s1);
    free(s2);
    cs_shard_header_dispose(&h1);
    cs_shard_header_dispose(&h2);
    cs_results_dispose(&r1);
    cs_results_dispose(&r2);
    return 0;
}

/* replay.c - main() for gcc builds: runs LLVMFuzzerTestOneInput over every
 * file under the paths given (files or folders, recursively), so the seed
 * corpora and every crash input saved in them are ordinary ctest tests.
 * Exits non-zero if a path cannot be read; a bug in the harnessed code shows
 * up as an abort or a sanitizer report, as under libFuzzer. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t n_files;
static int failed;

static int one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_DNR || type == FTW_NS) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        failed = 1;
        return 0;
    }
    if (type != FTW_F || !S_ISREG(st->st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open '%s'\n", path);
        failed = 1;
        return 0;
    }
    size_t n = (size_t)st->st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf || fread(buf, 1, n, f) != n) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        failed = 1;
    } else {
        LLVMFuzzerTestOneInput(buf, n);
        n_files++;
    }
    free(buf);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (nftw(argv[i], one, 16, FTW_PHYS) != 0) {
            fprintf(stderr, "replay: cannot walk '%s'\n", argv[i]);
            failed = 1;
        }
    printf("replayed %zu input(s)\n", n_files);
    return failed;
}

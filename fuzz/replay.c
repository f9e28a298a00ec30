/* replay.c - main() for gcc builds: runs LLVMFuzzerTestOneInput over every
 * file under the paths given (files or folders, recursively), so the seed
 * corpora and every crash input saved in them are ordinary ctest tests.
 * Exits non-zero if a path cannot be read, or when `--reach N` is given and
 * fewer than N inputs reached the harness's target code (fz_n_reached): a
 * harness whose seeds no longer get past its first check finds nothing. A
 * bug in the harnessed code shows up as an abort or a sanitizer report, as
 * under libFuzzer. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern size_t fz_n_reached;

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
    size_t reach = 0;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--reach") == 0) {
        reach = (size_t)strtoull(argv[2], NULL, 10);
        first = 3;
    }
    for (int i = first; i < argc; i++)
        if (nftw(argv[i], one, 16, FTW_PHYS) != 0) {
            fprintf(stderr, "replay: cannot walk '%s'\n", argv[i]);
            failed = 1;
        }
    printf("replayed %zu input(s), %zu reached the target code\n", n_files, fz_n_reached);
    if (fz_n_reached < reach) {
        fprintf(stderr,
                "replay: only %zu seed(s) reached the code this harness exists for, "
                "at least %zu expected: the seeds (or the harness's input format) "
                "changed\n",
                fz_n_reached, reach);
        failed = 1;
    }
    return failed;
}

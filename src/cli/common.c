/* common.c - what the commands share: output files and progress. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "cli.h"

int cs_cli_write_atomic(const char *path, int (*write)(FILE *f, const void *ctx),
                        const void *ctx)
{
    if (!path || strcmp(path, "-") == 0) {
        int r = write(stdout, ctx);
        if (fflush(stdout) != 0) r = -1;
        return r;
    }
    /* Written next to the target, then renamed: a reader never sees half a
     * report, and nothing is written anywhere but where the user said. */
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) abort();
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "crashsift: cannot write '%s': %s\n", path, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    int r = f ? write(f, ctx) : -1;
    if (f && fclose(f) != 0) r = -1;
    if (r == 0 && rename(tmp, path) != 0) r = -1;
    if (r != 0) {
        fprintf(stderr, "crashsift: cannot write '%s': %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return r;
}

typedef struct report_job {
    const cs_format *fmt;
    const cs_report_ctx *ctx;
} report_job;

static int write_one_report(FILE *f, const void *job)
{
    const report_job *j = job;
    return j->fmt->write(f, j->ctx);
}

int cs_cli_write_report(const char *path, const char *format, const void *vctx)
{
    const cs_format *fmt = cs_report_find(format);
    if (!fmt) return -1;
    report_job j = {fmt, vctx};
    return cs_cli_write_atomic(path, write_one_report, &j);
}

/* A line on stderr (a terminal) that counts members as the summary does,
 * and is erased when the run is done so the report starts on a clean screen. */
void cs_cli_progress(void *user, uint64_t members, uint64_t bytes, bool done)
{
    (void)user;
    if (done) fputs("\r\x1b[K", stderr);
    else
        fprintf(stderr, "\r\x1b[K%llu member(s), %.1f MiB read", (unsigned long long)members,
                (double)bytes / (1024.0 * 1024.0));
    fflush(stderr);
}

/* common.c - what the commands share: output files and progress. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/error.h"
#include "../report/report.h"
#include "cli.h"

/* Flushes a finished report; a write error anywhere in it (ENOSPC, EPIPE,
 * /dev/full) is reported here once, naming where it went. */
int cs_cli_finish_stdout(int r)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "crashsift: cannot write the report to stdout: %s\n", strerror(errno));
        return CS_E_IO;
    }
    return r;
}

/* Where a report goes in place: a FIFO, a device, a symlink (/dev/stdout)
 * is opened and written as a shell's `>` would; renaming over it would put a
 * regular file in its place (as root, -o /dev/null would replace the
 * system's). When it is our own stdout, stdout is used so the report keeps
 * its order with the others printed there. */
/* A report is written by one thread: the FILE's lock is taken once, so
 * each of the writers' many small stdio calls does not lock it again (once
 * worker threads have run, glibc locks every call; that made -j2 slower
 * than -j1 on a text report). */
static int write_locked(FILE *f, int (*write)(FILE *f, const void *ctx), const void *ctx)
{
    flockfile(f);
    int r = write(f, ctx);
    funlockfile(f);
    return r;
}

static int write_in_place(const char *path, int (*write)(FILE *f, const void *ctx), const void *ctx)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0) {
        fprintf(stderr, "crashsift: cannot write '%s': %s\n", path, strerror(errno));
        return CS_E_IO;
    }
    struct stat fs, so;
    if (fstat(fd, &fs) == 0 && fstat(STDOUT_FILENO, &so) == 0 && fs.st_dev == so.st_dev &&
        fs.st_ino == so.st_ino && !S_ISREG(fs.st_mode)) {
        close(fd);
        return cs_cli_finish_stdout(write_locked(stdout, write, ctx));
    }
    FILE *f = fdopen(fd, "w");
    if (!f) abort();
    int r = write_locked(f, write, ctx);
    if (fflush(f) != 0 || ferror(f)) r = CS_E_IO;
    int e = errno;
    if (fclose(f) != 0 && r == 0) {
        r = CS_E_IO;
        e = errno;
    }
    if (r) fprintf(stderr, "crashsift: cannot write '%s': %s\n", path, strerror(e));
    return r;
}

int cs_cli_write_atomic(const char *path, int (*write)(FILE *f, const void *ctx), const void *ctx)
{
    if (!path || strcmp(path, "-") == 0)
        return cs_cli_finish_stdout(write_locked(stdout, write, ctx));
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) return write_in_place(path, write, ctx);
    /* Written next to the target, then renamed: a reader never sees half a
     * report, and nothing is written anywhere but where the user said. An
     * existing report keeps its mode; a new one gets 0666 less the umask, as
     * any file the shell makes. */
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) abort();
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "crashsift: cannot write '%s': %s\n", path, strerror(errno));
        free(tmp);
        return CS_E_IO;
    }
    int r = fchmod(fd, mode) == 0 ? CS_OK : CS_E_IO;
    int e = errno;
    FILE *f = fdopen(fd, "w");
    if (!f) abort();
    if (r == 0) r = write_locked(f, write, ctx);
    if (r == 0 && (fflush(f) != 0 || ferror(f))) r = CS_E_IO;
    if (r) e = errno;
    if (fclose(f) != 0 && r == 0) {
        r = CS_E_IO;
        e = errno;
    }
    if (r == 0 && rename(tmp, path) != 0) {
        r = CS_E_IO;
        e = errno;
    }
    if (r != 0) {
        fprintf(stderr, "crashsift: cannot write '%s': %s\n", path, strerror(e));
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
    if (!fmt) return CS_E_USAGE;
    report_job j = {fmt, vctx};
    return cs_cli_write_atomic(path, write_one_report, &j);
}

/* A line on stderr (a terminal) that counts members as the summary does,
 * and is erased when the run is done so the report starts on a clean screen. */
void cs_cli_progress(void *user, uint64_t members, uint64_t bytes, bool done)
{
    (void)user;
    if (done)
        fputs("\r\x1b[K", stderr);
    else
        fprintf(stderr, "\r\x1b[K%llu member(s), %.1f MiB read", (unsigned long long)members,
                (double)bytes / (1024.0 * 1024.0));
    fflush(stderr);
}

int cs_cli_source_commit(const cs_cli_opts *o, const char **commit)
{
    *commit = NULL;
    if (!o->source_url) return 0;
    bool needs_commit = false;
    const char *why;
    if (cs_report_url_check(o->source_url, &needs_commit, &why))
        return CS_E_USAGE; /* parse checked it */
    /* --commit, else the CI's own variable for the commit under test
     * (GitHub Actions, GitLab CI). A template that needs one and has none
     * is a usage error: links to a wrong revision would mislead. */
    const char *c = o->commit;
    if (!c || !*c) c = getenv("GITHUB_SHA");
    if (!c || !*c) c = getenv("CI_COMMIT_SHA");
    if (c && !*c) c = NULL;
    if (needs_commit && !c) {
        fprintf(stderr, "crashsift: --source-url uses {commit}: give --commit REV (or set "
                        "GITHUB_SHA or CI_COMMIT_SHA)\n");
        return CS_E_USAGE;
    }
    *commit = c;
    return 0;
}

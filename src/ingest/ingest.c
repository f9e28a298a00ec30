/* ingest.c - the walk over inputs, folders and members: each member sniffed,
 * decoded, handed over or opened as an archive (archive.c), read through
 * the limits (reader.c). The ingest module is the only user of libzip and
 * libarchive (tar only: compression is decode.c's). It writes nothing but
 * unlinked temporary files in TMPDIR for nested archives past 16 MiB. */
#define _GNU_SOURCE
#include "ingest_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "../base/buf.h"
#include "../base/error.h"
#include "../base/strset.h"
#include "../base/util.h"
#include "reader.h"
#include "sniff.h"
#include "zipcheck.h"

/* ---- members ---------------------------------------------------------- */

void ing_diag(cs_ingest *in, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void ing_diag(cs_ingest *in, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_results_add_diagv(in->out, source, fmt, ap);
    va_end(ap);
}

int ing_walk_tar(cs_ingest *in, cs_reader *r, int depth, cs_visit_fn visit, void *user);
/* Nested zips up to this size are read into memory; larger ones are spilled
 * to an unlinked temporary file (slurp_or_spill). */
#define CS_ZIP_IN_RAM (16u << 20)
#define CHUNK_SPILL (256u << 10)

int ing_handle_zip_mem(cs_ingest *in, const char *source, const unsigned char *data, size_t n,
                       int depth, cs_visit_fn visit, void *user);
int ing_handle_zip_file(cs_ingest *in, const char *source, int fd, int depth, cs_visit_fn visit,
                        void *user);

/* Reports the reader's error, if any, for this member. */
void ing_report_reader(cs_ingest *in, cs_reader *r)
{
    if (r->err) ing_diag(in, r->source, "%s", r->err);
}

bool ing_count_member(cs_ingest *in, const char *source)
{
    if (++in->c.n_members > in->lim.max_members) {
        in->c.n_members--;
        if (!in->members_capped)
            ing_diag(in, source,
                     "more than %llu members in this run (--max-members); the rest "
                     "were skipped",
                     (unsigned long long)in->lim.max_members);
        in->members_capped = true;
        return false;
    }
    return true;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* What the member's name promises when its content is not that: NULL when
 * the name promises nothing or the content keeps the promise. A .gz that
 * holds a tar, or a .tar.gz, is judged by its outer layer here and by its
 * inner one when that is opened. */
static const char *name_says_archive(const char *source, cs_member_kind kind)
{
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    const char *bang = strrchr(base, '!');
    if (bang) base = bang + 1;
    static const struct {
        const char *ext;
        cs_member_kind kind;
        const char *what;
    } exts[] = {
        {".zip", CS_MK_ZIP, "a zip archive"},   {".tgz", CS_MK_GZIP, "a gzip stream"},
        {".gz", CS_MK_GZIP, "a gzip stream"},   {".xz", CS_MK_XZ, "an xz stream"},
        {".txz", CS_MK_XZ, "an xz stream"},     {".zst", CS_MK_ZSTD, "a zstd stream"},
        {".tzst", CS_MK_ZSTD, "a zstd stream"}, {".bz2", CS_MK_BZIP2, "a bzip2 stream"},
        {".tar", CS_MK_TAR, "a tar archive"},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(exts); i++)
        if (ends_with_ci(base, exts[i].ext)) return kind == exts[i].kind ? NULL : exts[i].what;
    return NULL;
}

static const char *content_looks_like(const unsigned char *h, size_t n, cs_member_kind kind)
{
    size_t i = 0;
    if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) i = 3;
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
        i++;
    const char *p = (const char *)h + i;
    size_t k = n - i;
    if ((k >= 9 && strncasecmp(p, "<!doctype", 9) == 0) ||
        (k >= 5 && strncasecmp(p, "<html", 5) == 0) || (k >= 5 && strncasecmp(p, "<head", 5) == 0))
        return "HTML (a sign-in or error page saved by a failed download?)";
    switch (kind) {
    case CS_MK_EMPTY:
        return "nothing (an empty file: a failed or cut download?)";
    case CS_MK_ZIP:
        return "a zip archive";
    case CS_MK_GZIP:
        return "a gzip stream";
    case CS_MK_XZ:
        return "an xz stream";
    case CS_MK_ZSTD:
        return "a zstd stream";
    case CS_MK_BZIP2:
        return "a bzip2 stream";
    case CS_MK_TAR:
        return "a tar archive";
    case CS_MK_BINARY:
    case CS_MK_ELF_CORE:
    case CS_MK_ELF_BINARY:
        return "other binary data (a cut or corrupt download?)";
    default:
        return "text (an error message saved by a failed download?)";
    }
}

/* Dispatches one opened member: containers are opened, leaves visited.
 * `path` is the file on disk when the member is a plain file (so a zip can
 * be opened in place instead of copied into memory). */

/* A nested zip (a member that is itself a zip) must be seekable for libzip:
 * up to CS_ZIP_IN_RAM it is read into memory (*data, *n), past that it goes
 * on into an unlinked temporary file (*fd) instead, so a small zip whose
 * member inflates to gigabytes costs disk, not RAM per worker. */
static int slurp_or_spill(cs_reader *r, uint64_t max, unsigned char **data, size_t *n, int *fd)
{
    if (r->declared > max) return CS_E_LIMIT;
    size_t ram = max < CS_ZIP_IN_RAM ? (size_t)max : CS_ZIP_IN_RAM;
    size_t cap = r->declared && r->declared < ram ? (size_t)r->declared + 1 : 1 << 16, len = 0;
    unsigned char *p = cs_xmalloc(cap);
    uint64_t total = 0;
    int f = -1, rc = 0;
    for (;;) {
        if (f < 0 && len == cap) {
            if (cap < ram) {
                cap = cap * 2 > ram ? ram : cap * 2;
                p = cs_xrealloc(p, cap);
            } else if (ram == max) {
                rc = CS_E_LIMIT;
                break;
            } else {
                /* Past the memory budget: what was read so far goes first,
                 * the buffer is then reused for chunks. */
                f = cs_tmpfile_fd();
                if (f < 0 || cs_write_all(f, p, len) != 0) {
                    rc = CS_E_IO;
                    break;
                }
                len = 0;
                cap = CHUNK_SPILL;
                p = cs_xrealloc(p, cap);
            }
        }
        ssize_t k = cs_reader_read(r, p + len, cap - len);
        if (k < 0) {
            rc = CS_E_IO;
            break;
        }
        if (k == 0) break;
        total += (uint64_t)k;
        if (total > max) {
            rc = CS_E_LIMIT;
            break;
        }
        len += (size_t)k;
        if (f >= 0) {
            if (cs_write_all(f, p, len) != 0) {
                rc = CS_E_IO;
                break;
            }
            len = 0;
        }
    }
    if (rc || f >= 0) free(p);
    if (rc) {
        if (f >= 0) close(f);
        return rc;
    }
    if (f >= 0) {
        if (lseek(f, 0, SEEK_SET) != 0) {
            close(f);
            return CS_E_IO;
        }
        *fd = f;
    } else {
        *data = p;
        *n = len;
    }
    return 0;
}

int ing_handle(cs_ingest *in, cs_reader *r, const char *path, int depth, cs_visit_fn visit,
               void *user)
{
    if (!ing_count_member(in, r->source)) return 0;
    size_t hn;
    const unsigned char *h = cs_reader_head(r, &hn);
    if (r->failed && hn == 0) {
        ing_report_reader(in, r);
        return 0;
    }
    /* A stream that broke after its first bytes is still read as far as it
     * goes; its error is reported after the visit. */
    cs_member_kind kind = cs_sniff(h, hn);
    const char *not_archive = r->decoded ? NULL : name_says_archive(r->source, kind);
    if (not_archive) {
        /* A failed download saved under the archive's name (a sign-in or
         * error page, a cut transfer) is neither the archive nor a log. */
        cs_results_add_member(in->out, r->source, kind, r->declared, NULL, NULL);
        ing_diag(in, r->source, "not %s: the content looks like %s; not read as a log", not_archive,
                 content_looks_like(h, hn, kind));
        return 0;
    }
    if (kind == CS_MK_ZIP || kind == CS_MK_GZIP || kind == CS_MK_XZ || kind == CS_MK_ZSTD ||
        kind == CS_MK_BZIP2 || kind == CS_MK_TAR) {
        cs_results_add_member(in->out, r->source, kind, r->declared, NULL, NULL);
        if (depth >= in->lim.max_depth) {
            ing_diag(in, r->source,
                     "nested more than %d archive levels deep (--max-depth); not "
                     "opened",
                     in->lim.max_depth);
            return 0;
        }
        if (kind == CS_MK_ZIP) {
            if (path && r->pull == ing_pull_fd)
                return ing_handle_zip_file(in, r->source, (int)(intptr_t)r->ctx, depth + 1, visit,
                                           user);
            unsigned char *data;
            size_t n;
            int fd = -1;
            int rc = slurp_or_spill(r, in->lim.max_member, &data, &n, &fd);
            if (rc) {
                if (r->err)
                    ing_report_reader(in, r);
                else if (rc == CS_E_IO)
                    ing_diag(in, r->source,
                             "cannot write a temporary file for a nested zip (%s); set TMPDIR "
                             "to a folder with room",
                             strerror(errno));
                else
                    ing_diag(in, r->source,
                             "zip is larger than the limit of %llu bytes "
                             "(--max-member); not opened",
                             (unsigned long long)in->lim.max_member);
                return 0;
            }
            if (fd >= 0) {
                rc = ing_handle_zip_file(in, r->source, fd, depth + 1, visit, user);
                close(fd);
                return rc;
            }
            rc = ing_handle_zip_mem(in, r->source, data, n, depth + 1, visit, user);
            free(data);
            return rc;
        }
        if (kind == CS_MK_TAR) return ing_walk_tar(in, r, depth + 1, visit, user);
        cs_reader *d = NULL;
        if (cs_decode_open(&d, kind, r)) return 0;
        d->decoded = true;
        int rc = ing_handle(in, d, NULL, depth + 1, visit, user);
        cs_reader_dispose(d);
        free(d);
        in->c.n_members--; /* the same member */
        return rc;
    }
    r->fs_path = path;
    int rc = visit(user, r->source, kind, r);
    uint64_t size = r->eof ? r->n_out : (r->declared ? r->declared : r->n_out);
    cs_results_add_member(in->out, r->source, kind, size, r->elf_kind, r->build_id);
    cs_reader_set_elf(r, NULL, NULL);
    ing_report_reader(in, r);
    return rc;
}

/* A member name is safe when it is relative, has no ".." component and no
 * control characters: such names are how archives escape a target folder,
 * and crashsift reports them even though it never extracts. */
/* ---- folders and files ------------------------------------------------ */

static int walk(cs_ingest *in, const char *fs_path, const char *source, cs_visit_fn visit,
                void *user);

static int walk_dir(cs_ingest *in, const char *fs_path, const char *source, const struct stat *st,
                    cs_visit_fn visit, void *user)
{
    for (int i = 0; i < in->n_dirs; i++)
        if (in->dirs[i].dev == st->st_dev && in->dirs[i].ino == st->st_ino) {
            ing_diag(in, source, "folder loop (a symlink back to a parent); not followed");
            return 0;
        }
    if (in->n_dirs >= MAX_DIR_DEPTH) {
        ing_diag(in, source, "folders nested more than %d deep; not walked", MAX_DIR_DEPTH);
        return 0;
    }
    DIR *d = opendir(fs_path);
    if (!d) {
        ing_diag(in, source, "cannot open folder: %s", strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        *CS_PUSH(names, n, cap) = cs_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cs_cmp_strp);
    in->dirs[in->n_dirs].dev = st->st_dev;
    in->dirs[in->n_dirs].ino = st->st_ino;
    in->n_dirs++;
    int rc = 0;
    size_t sl = strlen(source);
    bool slash = sl && source[sl - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            char *p = cs_xasprintf("%s/%s", fs_path, names[i]);
            char *shown = ing_printable(names[i]);
            char *s = cs_xasprintf("%s%s%s", source, slash ? "" : "/", shown);
            free(shown);
            rc = walk(in, p, s, visit, user);
            free(p);
            free(s);
        }
        free(names[i]);
    }
    free(names);
    in->n_dirs--;
    return rc;
}

static bool inside_root(const cs_ingest *in, const char *real)
{
    size_t k = strlen(in->root_real);
    if (strcmp(in->root_real, "/") == 0) return true;
    return strncmp(real, in->root_real, k) == 0 && (real[k] == '/' || real[k] == '\0');
}

static int walk(cs_ingest *in, const char *fs_path, const char *source, cs_visit_fn visit,
                void *user)
{
    struct stat lst, st;
    if (lstat(fs_path, &lst) != 0) {
        ing_diag(in, source, "cannot read: %s", strerror(errno));
        return 0;
    }
    if (S_ISLNK(lst.st_mode)) {
        char *real = realpath(fs_path, NULL);
        if (!real) {
            ing_diag(in, source, "broken symbolic link; skipped");
            return 0;
        }
        bool ok = inside_root(in, real);
        free(real);
        if (!ok) {
            ing_diag(in, source, "symbolic link points outside the input; not followed");
            return 0;
        }
    }
    if (stat(fs_path, &st) != 0) {
        ing_diag(in, source, "cannot read: %s", strerror(errno));
        return 0;
    }
    if (S_ISDIR(st.st_mode)) return walk_dir(in, fs_path, source, &st, visit, user);
    if (!S_ISREG(st.st_mode)) {
        ing_diag(in, source, "not a regular file (device, pipe or socket); skipped");
        return 0;
    }
    cs_file_id id = {st.st_dev, st.st_ino, S_ISLNK(lst.st_mode)};
    if (in->list_fn) {
        in->list_fn(in->list_user, fs_path, source, &id);
        return 0;
    }
    return cs_ingest_file(in, fs_path, source, &id, visit, user);
}

int cs_ingest_file(cs_ingest *in, const char *fs_path, const char *source, const cs_file_id *id,
                   cs_visit_fn visit, void *user)
{
    /* O_NONBLOCK: a FIFO swapped in after stat() must not hang the walk.
     * O_NOFOLLOW and the identity check: what is read is what the walk
     * checked, not a symlink to outside the input put there since. */
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (id && !id->via_link ? O_NOFOLLOW : 0);
    int fd = open(fs_path, flags);
    if (fd < 0 && errno == ELOOP && (flags & O_NOFOLLOW)) {
        ing_diag(in, source, "changed since the walk (now a symbolic link); not followed");
        return 0;
    }
    if (fd < 0) {
        ing_diag(in, source, "cannot open: %s", strerror(errno));
        return 0;
    }
    struct stat fst;
    if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        close(fd);
        ing_diag(in, source, "not a regular file; skipped");
        return 0;
    }
    if (id && (fst.st_dev != id->dev || fst.st_ino != id->ino)) {
        close(fd);
        ing_diag(in, source, "changed since the walk (another file is at its path now); skipped");
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    cs_reader r;
    cs_reader_init(&r, source, &in->lim, &in->c.total, (uint64_t)fst.st_size, ing_pull_fd,
                   (void *)(intptr_t)fd);
    in->top = (cs_budget){.size = (uint64_t)fst.st_size};
    in->cur = &in->top;
    r.budget = &in->top;
    int rc;
    if ((uint64_t)fst.st_size > in->lim.max_member && fst.st_size > 0) {
        /* Still sniffed: a zip on disk is read in place and may be fine. */
        cs_reader_fill_head(&r);
        size_t hn;
        const unsigned char *h = cs_reader_head(&r, &hn);
        if (cs_sniff(h, hn) == CS_MK_ZIP) {
            rc = ing_handle(in, &r, fs_path, 0, visit, user);
        } else {
            ing_diag(in, source,
                     "file has %llu bytes, over the limit of %llu (--max-member); "
                     "skipped",
                     (unsigned long long)fst.st_size, (unsigned long long)in->lim.max_member);
            rc = 0;
        }
    } else {
        cs_reader_fill_head(&r);
        rc = ing_handle(in, &r, fs_path, 0, visit, user);
    }
    cs_reader_dispose(&r);
    close(fd);
    in->cur = NULL;
    return rc;
}

cs_ingest *cs_ingest_new(const cs_limits *limits, cs_results *out)
{
    cs_ingest *in = cs_xcalloc(1, sizeof *in);
    if (limits)
        in->lim = *limits;
    else
        cs_limits_default(&in->lim);
    in->out = out;
    return in;
}

void cs_ingest_file_done(cs_ingest *in, uint64_t *bytes, uint64_t *members)
{
    *bytes = in->c.total;
    *members = in->c.n_members;
    in->c.total = in->c.n_members = 0;
    in->members_capped = in->total_capped = false;
}

void cs_ingest_free(cs_ingest *in)
{
    if (!in) return;
    free(in->root_real);
    free(in);
}

static int set_root(cs_ingest *in, const char *path)
{
    free(in->root_real);
    in->root_real = realpath(path, NULL);
    if (!in->root_real) {
        ing_diag(in, path, "cannot read: %s", strerror(errno));
        return 0;
    }
    /* A symlink given on the command line is the user's choice: its target
     * is the root. Links inside it must stay inside. */
    struct stat st;
    if (stat(in->root_real, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(in->root_real, '/');
        if (slash && slash != in->root_real) *slash = '\0';
    }
    in->n_dirs = 0;
    return 1;
}

/* An input path given on the command line: shown as given, but a '!' in it
 * is not an archive separator either. */
static char *shown_input(const char *path)
{
    return strchr(path, '!') ? ing_printable(path) : cs_xstrdup(path);
}

int cs_ingest_path(cs_ingest *in, const char *path, cs_visit_fn visit, void *user)
{
    if (!set_root(in, path)) return 0;
    char *shown = shown_input(path);
    int rc = walk(in, path, shown, visit, user);
    free(shown);
    return rc;
}

int cs_ingest_list(cs_ingest *in, const char *path, cs_file_fn file, void *user)
{
    if (!set_root(in, path)) return 0;
    in->list_fn = file;
    in->list_user = user;
    char *shown = shown_input(path);
    int rc = walk(in, path, shown, NULL, NULL);
    free(shown);
    in->list_fn = NULL;
    in->list_user = NULL;
    return rc;
}

/* ingest.c - the walk over folders, zips, tars and compressed files. The
 * only user of libzip and libarchive (tar only: compression is decode.c's). Nothing here writes to
 * disk. */
#define _GNU_SOURCE
#include "ingest.h"

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

#define MAX_DIR_DEPTH 64

typedef struct counters {
    uint64_t total; /* uncompressed bytes read in this run */
    uint64_t n_members;
} counters;

struct cs_ingest {
    cs_limits lim;
    cs_results *out;
    counters own;
    counters *c;        /* &own, or another ingest's when shared */
    cs_file_fn list_fn; /* set while cs_ingest_list runs */
    void *list_user;
    bool members_capped;
    bool total_capped;
    char *root_real; /* realpath of the input being walked */
    cs_budget top;   /* the top-level file being read */
    cs_budget *cur;  /* the innermost archive being walked */
    struct {
        dev_t dev;
        ino_t ino;
    } dirs[MAX_DIR_DEPTH];
    int n_dirs;
};

void cs_limits_default(cs_limits *l)
{
    l->max_member = CS_DEFAULT_MAX_MEMBER;
    l->max_total = CS_DEFAULT_MAX_TOTAL;
    l->max_ratio = CS_DEFAULT_MAX_RATIO;
    l->max_depth = CS_DEFAULT_MAX_DEPTH;
    l->max_members = CS_DEFAULT_MAX_MEMBERS;
    l->max_line = CS_DEFAULT_MAX_LINE;
}

/* ---- readers ---------------------------------------------------------- */

void cs_reader_init(cs_reader *r, const char *source, const cs_limits *lim, uint64_t *total,
                    uint64_t declared, cs_pull_fn pull, void *ctx)
{
    memset(r, 0, sizeof *r);
    r->source = source;
    r->limits = lim;
    r->total = total;
    r->declared = declared;
    r->pull = pull;
    r->ctx = ctx;
}

void cs_reader_set_err(cs_reader *r, char *msg)
{
    if (!r->err)
        r->err = msg;
    else
        free(msg);
    r->failed = true;
}

void cs_reader_fail(cs_reader *r, const char *msg)
{
    cs_reader_set_err(r, cs_xstrdup(msg));
}

uint64_t cs_reader_compressed_in(const cs_reader *r)
{
    /* For a decoder, what it consumed from the stream below it - or the
     * stream's whole declared size, when known: a core starts with long
     * runs of zeros, and its early bytes alone would look like a bomb. */
    if (!r->inner) return 0;
    return r->inner->declared > r->inner->n_out ? r->inner->declared : r->inner->n_out;
}

/* Counts `got` inflated bytes against every archive around the stream and
 * its top-level input; true (with the error set) when one of them is past
 * --max-ratio. The outermost one over is named: it is what gets skipped. */
static bool over_budget(cs_reader *r, size_t got)
{
    cs_budget *hit = NULL;
    for (cs_budget *b = r->budget; b; b = b->parent) {
        b->inflated += got;
        if (b->spent || (b->inflated > CS_RATIO_FLOOR &&
                         b->inflated / (b->size ? b->size : 1) > r->limits->max_ratio))
            hit = b;
    }
    if (!hit) return false;
    hit->spent = true;
    if (hit->parent)
        cs_reader_set_err(r, cs_xasprintf("its archive inflates to over %llu times its size "
                                          "(a zip bomb?); the rest of the archive was skipped "
                                          "(--max-ratio)",
                                          (unsigned long long)r->limits->max_ratio));
    else
        cs_reader_set_err(r, cs_xasprintf("its input inflates to over %llu times its size "
                                          "across all its archive levels (a nested zip bomb?); "
                                          "the rest of the input was skipped (--max-ratio)",
                                          (unsigned long long)r->limits->max_ratio));
    return true;
}

static bool budget_spent(const cs_budget *b)
{
    for (; b; b = b->parent)
        if (b->spent) return true;
    return false;
}

static ssize_t pull_checked(cs_reader *r, void *buf, size_t n)
{
    if (r->failed) return -1;
    if (r->eof) return 0;
    size_t got = 0;
    if (r->pull(r, buf, n, &got) < 0) {
        if (!r->err) cs_reader_set_err(r, cs_xstrdup("read error"));
        r->failed = true;
        return -1;
    }
    if (got == 0) {
        r->eof = true;
        if (r->declared_exact && r->n_out < r->declared)
            cs_reader_set_err(r, cs_xasprintf("member declares %llu bytes but holds only %llu "
                                              "(its archive lies about its size)",
                                              (unsigned long long)r->declared,
                                              (unsigned long long)r->n_out));
        return 0;
    }
    r->n_out += got;
    uint64_t total = __atomic_add_fetch(r->total, got, __ATOMIC_RELAXED);
    const cs_limits *l = r->limits;
    if (r->n_out > l->max_member) {
        cs_reader_set_err(r, cs_xasprintf("member is larger than the limit of %llu bytes "
                                          "(--max-member); the rest was skipped",
                                          (unsigned long long)l->max_member));
        return -1;
    }
    if (total > l->max_total) {
        cs_reader_set_err(r, cs_xasprintf("total uncompressed input passed the limit of %llu "
                                          "bytes (--max-total); the rest was skipped",
                                          (unsigned long long)l->max_total));
        return -1;
    }
    if (r->declared_exact && r->n_out > r->declared) {
        /* libzip stops at neither size: the central directory's figure is
         * what the member-size and ratio checks trusted. */
        cs_reader_set_err(r, cs_xasprintf("member declares %llu bytes but inflates to more "
                                          "(its archive lies about its size); the rest was "
                                          "skipped",
                                          (unsigned long long)r->declared));
        return -1;
    }
    uint64_t in = cs_reader_compressed_in(r);
    if (r->inner && r->n_out > CS_RATIO_FLOOR && in && r->n_out / in > l->max_ratio) {
        cs_reader_set_err(r, cs_xasprintf("compression ratio over %llu:1 (a zip bomb?); "
                                          "skipped (--max-ratio)",
                                          (unsigned long long)l->max_ratio));
        return -1;
    }
    if (r->inner && over_budget(r, got)) return -1;
    return (ssize_t)got;
}

void cs_reader_fill_head(cs_reader *r)
{
    while (r->head_len < sizeof r->head) {
        ssize_t k = pull_checked(r, r->head + r->head_len, sizeof r->head - r->head_len);
        if (k <= 0) break;
        r->head_len += (size_t)k;
    }
}

ssize_t cs_reader_read(cs_reader *r, void *buf, size_t n)
{
    if (r->head_pos < r->head_len) {
        size_t k = r->head_len - r->head_pos;
        if (k > n) k = n;
        memcpy(buf, r->head + r->head_pos, k);
        r->head_pos += k;
        return (ssize_t)k;
    }
    return pull_checked(r, buf, n);
}

const unsigned char *cs_reader_head(const cs_reader *r, size_t *n)
{
    *n = r->head_len;
    return r->head;
}

const char *cs_reader_file_path(const cs_reader *r)
{
    return r->fs_path;
}

void cs_reader_set_elf(cs_reader *r, char *elf_kind, char *build_id)
{
    free(r->elf_kind);
    free(r->build_id);
    r->elf_kind = elf_kind;
    r->build_id = build_id;
}

uint64_t cs_reader_declared_size(const cs_reader *r)
{
    return r->declared;
}

int cs_reader_slurp(cs_reader *r, uint64_t max, unsigned char **out, size_t *n)
{
    if (r->declared > max) return CS_E_LIMIT;
    size_t cap = r->declared && r->declared < max ? (size_t)r->declared + 1 : 1 << 16, len = 0;
    unsigned char *p = cs_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= max) {
                free(p);
                return CS_E_LIMIT;
            }
            cap = cap * 2 > max ? (size_t)max : cap * 2;
            p = cs_xrealloc(p, cap);
        }
        ssize_t k = cs_reader_read(r, p + len, cap - len);
        if (k < 0) {
            free(p);
            return CS_E_IO;
        }
        if (k == 0) break;
        len += (size_t)k;
    }
    *out = p;
    *n = len;
    return 0;
}

void cs_reader_dispose(cs_reader *r)
{
    if (r->close) r->close(r);
    free(r->err);
    r->err = NULL;
}

/* fd-backed */
static int pull_fd(cs_reader *r, void *buf, size_t n, size_t *got)
{
    int fd = (int)(intptr_t)r->ctx;
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0) {
            *got = (size_t)k;
            return 0;
        }
        if (errno == EINTR) continue;
        cs_reader_set_err(r, cs_xasprintf("cannot read: %s", strerror(errno)));
        return CS_E_IO;
    }
}

/* zip member */
static int pull_zip(cs_reader *r, void *buf, size_t n, size_t *got)
{
    zip_file_t *zf = r->ctx;
    zip_int64_t k = zip_fread(zf, buf, n);
    if (k < 0) {
        cs_reader_set_err(
            r, cs_xasprintf("corrupt zip member (%s)", zip_error_strerror(zip_file_get_error(zf))));
        return CS_E_CORRUPT;
    }
    *got = (size_t)k;
    return 0;
}

/* ---- members ---------------------------------------------------------- */

static void diag(cs_ingest *in, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diag(cs_ingest *in, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_results_add_diagv(in->out, source, fmt, ap);
    va_end(ap);
}

static int walk_tar(cs_ingest *in, cs_reader *r, int depth, cs_visit_fn visit, void *user);
/* Nested zips up to this size are read into memory; larger ones are spilled
 * to an unlinked temporary file (slurp_or_spill). */
#define CS_ZIP_IN_RAM (16u << 20)
#define CHUNK_SPILL (256u << 10)

static int handle_zip_mem(cs_ingest *in, const char *source, const unsigned char *data, size_t n,
                          int depth, cs_visit_fn visit, void *user);
static int handle_zip_file(cs_ingest *in, const char *source, int fd, int depth, cs_visit_fn visit,
                           void *user);

/* Reports the reader's error, if any, for this member. */
static void report_reader(cs_ingest *in, cs_reader *r)
{
    if (r->err) diag(in, r->source, "%s", r->err);
}

static bool count_member(cs_ingest *in, const char *source)
{
    if (__atomic_add_fetch(&in->c->n_members, 1, __ATOMIC_RELAXED) > in->lim.max_members) {
        __atomic_sub_fetch(&in->c->n_members, 1, __ATOMIC_RELAXED);
        if (!in->members_capped)
            diag(in, source,
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
/* A private temporary file, unlinked from the start, in $TMPDIR or /tmp. */
static int spill_fd(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
    char *tmpl = cs_xasprintf("%s/crashsift-zip-XXXXXX", dir);
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd >= 0) unlink(tmpl);
    free(tmpl);
    return fd;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

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
                f = spill_fd();
                if (f < 0 || write_all(f, p, len) != 0) {
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
            if (write_all(f, p, len) != 0) {
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

static int handle(cs_ingest *in, cs_reader *r, const char *path, int depth, cs_visit_fn visit,
                  void *user)
{
    if (!count_member(in, r->source)) return 0;
    size_t hn;
    const unsigned char *h = cs_reader_head(r, &hn);
    if (r->failed && hn == 0) {
        report_reader(in, r);
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
        diag(in, r->source, "not %s: the content looks like %s; not read as a log", not_archive,
             content_looks_like(h, hn, kind));
        return 0;
    }
    if (kind == CS_MK_ZIP || kind == CS_MK_GZIP || kind == CS_MK_XZ || kind == CS_MK_ZSTD ||
        kind == CS_MK_BZIP2 || kind == CS_MK_TAR) {
        cs_results_add_member(in->out, r->source, kind, r->declared, NULL, NULL);
        if (depth >= in->lim.max_depth) {
            diag(in, r->source,
                 "nested more than %d archive levels deep (--max-depth); not "
                 "opened",
                 in->lim.max_depth);
            return 0;
        }
        if (kind == CS_MK_ZIP) {
            if (path && r->pull == pull_fd)
                return handle_zip_file(in, r->source, (int)(intptr_t)r->ctx, depth + 1, visit,
                                       user);
            unsigned char *data;
            size_t n;
            int fd = -1;
            int rc = slurp_or_spill(r, in->lim.max_member, &data, &n, &fd);
            if (rc) {
                if (r->err)
                    report_reader(in, r);
                else if (rc == CS_E_IO)
                    diag(in, r->source,
                         "cannot write a temporary file for a nested zip (%s); set TMPDIR "
                         "to a folder with room",
                         strerror(errno));
                else
                    diag(in, r->source,
                         "zip is larger than the limit of %llu bytes "
                         "(--max-member); not opened",
                         (unsigned long long)in->lim.max_member);
                return 0;
            }
            if (fd >= 0) {
                rc = handle_zip_file(in, r->source, fd, depth + 1, visit, user);
                close(fd);
                return rc;
            }
            rc = handle_zip_mem(in, r->source, data, n, depth + 1, visit, user);
            free(data);
            return rc;
        }
        if (kind == CS_MK_TAR) return walk_tar(in, r, depth + 1, visit, user);
        cs_reader *d = NULL;
        if (cs_decode_open(&d, kind, r)) return 0;
        d->decoded = true;
        int rc = handle(in, d, NULL, depth + 1, visit, user);
        cs_reader_dispose(d);
        free(d);
        __atomic_sub_fetch(&in->c->n_members, 1, __ATOMIC_RELAXED); /* the same member */
        return rc;
    }
    r->fs_path = path;
    int rc = visit(user, r->source, kind, r);
    uint64_t size = r->eof ? r->n_out : (r->declared ? r->declared : r->n_out);
    cs_results_add_member(in->out, r->source, kind, size, r->elf_kind, r->build_id);
    cs_reader_set_elf(r, NULL, NULL);
    report_reader(in, r);
    return rc;
}

/* A member name is safe when it is relative, has no ".." component and no
 * control characters: such names are how archives escape a target folder,
 * and crashsift reports them even though it never extracts. */
static const char *unsafe_name(const char *name)
{
    if (!*name) return "has an empty name";
    if (name[0] == '/' || name[0] == '\\') return "has an absolute name";
    if (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':')
        return "has a drive-letter name";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return "has control characters in its name";
    const char *p = name;
    while (*p) {
        size_t k = strcspn(p, "/\\");
        if (k == 2 && p[0] == '.' && p[1] == '.') return "has a '..' component in its name";
        p += k;
        if (*p) p++;
    }
    return NULL;
}

/* A name as a source path shows it: control bytes as "\\x1b", and '!' as
 * "\\x21", because '!' is what separates an archive from its members
 * ("run.zip!logs/test.log"): a plain file or member called "a.zip!b.log"
 * must not read as member b.log of a.zip. */
static char *printable(const char *s)
{
    cs_buf b;
    cs_buf_init(&b, 0);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '!')
            cs_buf_printf(&b, "\\x%02x", *p);
        else
            cs_buf_addc(&b, (char)*p);
    }
    return cs_buf_take(&b);
}

static int walk_zip(cs_ingest *in, const char *source, zip_t *za, const cs_zip_src *zs, int depth,
                    cs_visit_fn visit, void *user)
{
    zip_int64_t n = zip_get_num_entries(za, 0);
    int rc = 0;
    uint64_t a, b;
    if (cs_zip_find_overlap(zs, &a, &b)) {
        char *na = printable(zip_get_name(za, a, ZIP_FL_ENC_RAW) ?: "?");
        char *nb = printable(zip_get_name(za, b, ZIP_FL_ENC_RAW) ?: "?");
        diag(in, source,
             "zip entries \"%s\" and \"%s\" overlap (they share header or data "
             "bytes: an overlapping-entry zip bomb?); archive refused",
             na, nb);
        free(na);
        free(nb);
        return 0;
    }
    /* Duplicate names: a hash set of the names read so far (a scan of every
     * earlier name made a zip of 100,000 members cost 40 s). */
    cs_strset seen;
    cs_strset_init(&seen);
    for (zip_int64_t i = 0; i < n && rc == 0 && !budget_spent(in->cur); i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        /* Raw names: libzip would otherwise map CP437 control bytes to
         * harmless-looking symbols before the safety check sees them. */
        if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) != 0 ||
            !(st.valid & ZIP_STAT_NAME)) {
            diag(in, source, "zip entry %lld cannot be read (%s)", (long long)i, zip_strerror(za));
            continue;
        }
        size_t len = strlen(st.name);
        if (len && st.name[len - 1] == '/') continue; /* a folder entry */
        char *shown = printable(st.name);
        char *child = cs_xasprintf("%s!%s", source, shown);
        const char *why = unsafe_name(st.name);
        zip_uint8_t opsys;
        zip_uint32_t attr;
        if (!why && zip_file_get_external_attributes(za, (zip_uint64_t)i, 0, &opsys, &attr) == 0 &&
            opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK)
            why = "is a symbolic link; not followed";
        bool dup = cs_strset_has(&seen, st.name);
        if (!why && dup) why = "repeats the name of an earlier member; the later one was skipped";
        if (!why && (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            why = "is encrypted; skipped";
        if (why) {
            diag(in, child, "zip member %s", why);
        } else if ((st.valid & ZIP_STAT_SIZE) && st.size > in->lim.max_member) {
            diag(in, child,
                 "member declares %llu bytes, over the limit of %llu (--max-member); "
                 "skipped",
                 (unsigned long long)st.size, (unsigned long long)in->lim.max_member);
        } else if ((st.valid & ZIP_STAT_COMP_SIZE) && (st.valid & ZIP_STAT_SIZE) &&
                   st.size > CS_RATIO_FLOOR &&
                   st.size / (st.comp_size ? st.comp_size : 1) > in->lim.max_ratio) {
            diag(in, child,
                 "member declares a compression ratio over %llu:1 (a zip bomb?); "
                 "skipped (--max-ratio)",
                 (unsigned long long)in->lim.max_ratio);
        } else {
            cs_strset_add(&seen, st.name);
            zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
            if (!zf) {
                diag(in, child, "cannot open zip member (%s)", zip_strerror(za));
            } else {
                cs_reader r;
                cs_reader_init(&r, child, &in->lim, &in->c->total, st.size, pull_zip, zf);
                r.declared_exact = (st.valid & ZIP_STAT_SIZE) != 0;
                r.budget = in->cur;
                /* The ratio check wants the member's compressed size. */
                cs_reader comp;
                cs_reader_init(&comp, child, &in->lim, &(uint64_t){0}, 0, NULL, NULL);
                comp.n_out = st.comp_size ? st.comp_size : 1;
                r.inner = &comp;
                cs_reader_fill_head(&r);
                rc = handle(in, &r, NULL, depth, visit, user);
                r.inner = NULL;
                cs_reader_dispose(&r);
                zip_fclose(zf);
            }
        }
        free(shown);
        free(child);
    }
    cs_strset_dispose(&seen);
    return rc;
}

/* ---- tar (libarchive, tar formats only) ---------------------------------- */

typedef struct tar_src {
    cs_reader *r;
    unsigned char buf[64 * 1024];
} tar_src;

static la_ssize_t tar_read(struct archive *a, void *ctx, const void **out)
{
    (void)a;
    tar_src *t = ctx;
    ssize_t k = cs_reader_read(t->r, t->buf, sizeof t->buf);
    *out = t->buf;
    return k < 0 ? ARCHIVE_FATAL : (la_ssize_t)k;
}

static int pull_tar(cs_reader *r, void *buf, size_t n, size_t *got)
{
    la_ssize_t k = archive_read_data(r->ctx, buf, n);
    if (k < 0) {
        cs_reader_set_err(r, cs_xasprintf("corrupt tar member (%s)",
                                          archive_error_string(r->ctx) ?: "read error"));
        return -1;
    }
    *got = (size_t)k;
    return 0;
}

/* Walks a tar stream (already decompressed by decode.c when it was a
 * .tar.gz/.tgz/.tar.xz/.tar.zst): every regular file is a member named
 * "TAR!path", under the same limits, name checks and nesting as a zip's. */
static int walk_tar(cs_ingest *in, cs_reader *r, int depth, cs_visit_fn visit, void *user)
{
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    tar_src *src = cs_xmalloc(sizeof *src);
    src->r = r;
    int rc = 0;
    /* Names read so far, hashed (as in walk_zip: no scan per member). */
    cs_strset seen;
    cs_strset_init(&seen);
    if (archive_read_open(a, src, NULL, tar_read, NULL) != ARCHIVE_OK) {
        diag(in, r->source, "cannot open tar: %s", archive_error_string(a) ?: "not a tar archive");
        goto done;
    }
    struct archive_entry *e;
    int st;
    while (rc == 0 && !budget_spent(in->cur) &&
           (st = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
        if (st < ARCHIVE_WARN) {
            diag(in, r->source, "tar archive is corrupt or truncated (%s); the rest was skipped",
                 archive_error_string(a) ?: "read error");
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name) name = "";
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFDIR) continue;
        char *shown = printable(name);
        char *child = cs_xasprintf("%s!%s", r->source, shown);
        const char *why = unsafe_name(name);
        if (!why && (type == AE_IFLNK || archive_entry_hardlink(e)))
            why = "is a link; not followed";
        if (!why && type != AE_IFREG) why = "is not a regular file; skipped";
        bool dup = cs_strset_has(&seen, name);
        if (!why && dup) why = "repeats the name of an earlier member; the later one was skipped";
        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        if (why) {
            diag(in, child, "tar member %s", why);
        } else if (size > 0 && (uint64_t)size > in->lim.max_member) {
            diag(in, child,
                 "member declares %llu bytes, over the limit of %llu (--max-member); skipped",
                 (unsigned long long)size, (unsigned long long)in->lim.max_member);
        } else {
            cs_strset_add(&seen, name);
            cs_reader m;
            cs_reader_init(&m, child, &in->lim, &in->c->total, (uint64_t)size, pull_tar, a);
            m.declared_exact = archive_entry_size_is_set(e);
            m.budget = in->cur;
            cs_reader_fill_head(&m);
            rc = handle(in, &m, NULL, depth, visit, user);
            cs_reader_dispose(&m);
        }
        free(shown);
        free(child);
    }
done:
    cs_strset_dispose(&seen);
    archive_read_free(a);
    free(src);
    return rc;
}

static void zip_open_error(cs_ingest *in, const char *source, zip_error_t *err)
{
    int code = zip_error_code_zip(err);
    const char *hint = code == ZIP_ER_NOZIP    ? "not a zip archive, or its end is missing"
                       : code == ZIP_ER_INCONS ? "inconsistent archive (truncated or corrupt)"
                                               : zip_error_strerror(err);
    diag(in, source, "cannot open zip: %s", hint);
}

/* Walks an opened archive of `size` bytes under its own budget. */
static int walk_zip_budget(cs_ingest *in, const char *source, zip_t *za, const cs_zip_src *zs,
                           int depth, cs_visit_fn visit, void *user)
{
    cs_budget b = {.size = zs->size, .parent = in->cur};
    in->cur = &b;
    int rc = walk_zip(in, source, za, zs, depth, visit, user);
    in->cur = b.parent;
    return rc;
}

typedef struct mem_src {
    const unsigned char *p;
    size_t n;
} mem_src;

static int mem_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
    const mem_src *m = ctx;
    if (off > m->n || n > m->n - off) return -1;
    memcpy(buf, m->p + off, n);
    return 0;
}

static int fd_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
    int fd = (int)(intptr_t)ctx;
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        done += (size_t)k;
    }
    return 0;
}

static int handle_zip_mem(cs_ingest *in, const char *source, const unsigned char *data, size_t n,
                          int depth, cs_visit_fn visit, void *user)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(data, n, 0, &err);
    if (!src) {
        zip_open_error(in, source, &err);
        zip_error_fini(&err);
        return 0;
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (!za) {
        zip_open_error(in, source, &err);
        zip_source_free(src);
        zip_error_fini(&err);
        return 0;
    }
    mem_src m = {data, n};
    cs_zip_src zs = {mem_read_at, &m, n};
    int rc = walk_zip_budget(in, source, za, &zs, depth, visit, user);
    zip_discard(za);
    zip_error_fini(&err);
    return rc;
}

static int handle_zip_file(cs_ingest *in, const char *source, int fd, int depth, cs_visit_fn visit,
                           void *user)
{
    /* The descriptor the file was checked through, not its path again: a
     * path can be swapped between two opens. */
    struct stat st;
    int zfd = fstat(fd, &st) == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
    if (zfd < 0) {
        diag(in, source, "cannot open: %s", strerror(errno));
        return 0;
    }
    int zerr = 0;
    zip_t *za = zip_fdopen(zfd, ZIP_RDONLY, &zerr); /* owns zfd, also on failure */
    if (!za) {
        zip_error_t err;
        zip_error_init_with_code(&err, zerr);
        zip_open_error(in, source, &err);
        zip_error_fini(&err);
        return 0;
    }
    cs_zip_src zs = {fd_read_at, (void *)(intptr_t)fd, (uint64_t)st.st_size};
    int rc = walk_zip_budget(in, source, za, &zs, depth, visit, user);
    zip_discard(za);
    return rc;
}

/* ---- folders and files ------------------------------------------------ */

static int walk(cs_ingest *in, const char *fs_path, const char *source, cs_visit_fn visit,
                void *user);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(cs_ingest *in, const char *fs_path, const char *source, const struct stat *st,
                    cs_visit_fn visit, void *user)
{
    for (int i = 0; i < in->n_dirs; i++)
        if (in->dirs[i].dev == st->st_dev && in->dirs[i].ino == st->st_ino) {
            diag(in, source, "folder loop (a symlink back to a parent); not followed");
            return 0;
        }
    if (in->n_dirs >= MAX_DIR_DEPTH) {
        diag(in, source, "folders nested more than %d deep; not walked", MAX_DIR_DEPTH);
        return 0;
    }
    DIR *d = opendir(fs_path);
    if (!d) {
        diag(in, source, "cannot open folder: %s", strerror(errno));
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
    if (n) qsort(names, n, sizeof *names, cmp_str);
    in->dirs[in->n_dirs].dev = st->st_dev;
    in->dirs[in->n_dirs].ino = st->st_ino;
    in->n_dirs++;
    int rc = 0;
    size_t sl = strlen(source);
    bool slash = sl && source[sl - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            char *p = cs_xasprintf("%s/%s", fs_path, names[i]);
            char *shown = printable(names[i]);
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
        diag(in, source, "cannot read: %s", strerror(errno));
        return 0;
    }
    if (S_ISLNK(lst.st_mode)) {
        char *real = realpath(fs_path, NULL);
        if (!real) {
            diag(in, source, "broken symbolic link; skipped");
            return 0;
        }
        bool ok = inside_root(in, real);
        free(real);
        if (!ok) {
            diag(in, source, "symbolic link points outside the input; not followed");
            return 0;
        }
    }
    if (stat(fs_path, &st) != 0) {
        diag(in, source, "cannot read: %s", strerror(errno));
        return 0;
    }
    if (S_ISDIR(st.st_mode)) return walk_dir(in, fs_path, source, &st, visit, user);
    if (!S_ISREG(st.st_mode)) {
        diag(in, source, "not a regular file (device, pipe or socket); skipped");
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
        diag(in, source, "changed since the walk (now a symbolic link); not followed");
        return 0;
    }
    if (fd < 0) {
        diag(in, source, "cannot open: %s", strerror(errno));
        return 0;
    }
    struct stat fst;
    if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        close(fd);
        diag(in, source, "not a regular file; skipped");
        return 0;
    }
    if (id && (fst.st_dev != id->dev || fst.st_ino != id->ino)) {
        close(fd);
        diag(in, source, "changed since the walk (another file is at its path now); skipped");
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    cs_reader r;
    cs_reader_init(&r, source, &in->lim, &in->c->total, (uint64_t)fst.st_size, pull_fd,
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
            rc = handle(in, &r, fs_path, 0, visit, user);
        } else {
            diag(in, source,
                 "file has %llu bytes, over the limit of %llu (--max-member); "
                 "skipped",
                 (unsigned long long)fst.st_size, (unsigned long long)in->lim.max_member);
            rc = 0;
        }
    } else {
        cs_reader_fill_head(&r);
        rc = handle(in, &r, fs_path, 0, visit, user);
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
    in->c = &in->own;
    return in;
}

void cs_ingest_share_counters(cs_ingest *in, cs_ingest *with)
{
    in->c = with->c;
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
        diag(in, path, "cannot read: %s", strerror(errno));
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
    return strchr(path, '!') ? printable(path) : cs_xstrdup(path);
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

void cs_ingest_progress(const cs_ingest *in, uint64_t *bytes, uint64_t *members)
{
    *bytes = __atomic_load_n(&in->c->total, __ATOMIC_RELAXED);
    *members = __atomic_load_n(&in->c->n_members, __ATOMIC_RELAXED);
}

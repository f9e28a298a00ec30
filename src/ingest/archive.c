/* archive.c - the members of zips (libzip) and tars (libarchive, tar
 * formats only): names checked and shown safely, overlapping entries and
 * bombs refused, each member handed to the walk. */
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

const char *ing_unsafe_name(const char *name)
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
char *ing_printable(const char *s)
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
        char *na = ing_printable(zip_get_name(za, a, ZIP_FL_ENC_RAW) ?: "?");
        char *nb = ing_printable(zip_get_name(za, b, ZIP_FL_ENC_RAW) ?: "?");
        ing_diag(in, source,
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
    for (zip_int64_t i = 0; i < n && rc == 0 && !ing_budget_spent(in->cur); i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        /* Raw names: libzip would otherwise map CP437 control bytes to
         * harmless-looking symbols before the safety check sees them. */
        if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) != 0 ||
            !(st.valid & ZIP_STAT_NAME)) {
            ing_diag(in, source, "zip entry %lld cannot be read (%s)", (long long)i,
                     zip_strerror(za));
            continue;
        }
        size_t len = strlen(st.name);
        if (len && st.name[len - 1] == '/') continue; /* a folder entry */
        char *shown = ing_printable(st.name);
        char *child = cs_xasprintf("%s!%s", source, shown);
        const char *why = ing_unsafe_name(st.name);
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
            ing_diag(in, child, "zip member %s", why);
        } else if ((st.valid & ZIP_STAT_SIZE) && st.size > in->lim.max_member) {
            ing_diag(in, child,
                     "member declares %llu bytes, over the limit of %llu (--max-member); "
                     "skipped",
                     (unsigned long long)st.size, (unsigned long long)in->lim.max_member);
        } else if ((st.valid & ZIP_STAT_COMP_SIZE) && (st.valid & ZIP_STAT_SIZE) &&
                   st.size > CS_RATIO_FLOOR &&
                   st.size / (st.comp_size ? st.comp_size : 1) > in->lim.max_ratio) {
            ing_diag(in, child,
                     "member declares a compression ratio over %llu:1 (a zip bomb?); "
                     "skipped (--max-ratio)",
                     (unsigned long long)in->lim.max_ratio);
        } else {
            cs_strset_add(&seen, st.name);
            zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
            if (!zf) {
                ing_diag(in, child, "cannot open zip member (%s)", zip_strerror(za));
            } else {
                cs_reader r;
                cs_reader_init(&r, child, &in->lim, &in->c.total, st.size, ing_pull_zip, zf);
                r.declared_exact = (st.valid & ZIP_STAT_SIZE) != 0;
                r.budget = in->cur;
                /* The ratio check wants the member's compressed size. */
                cs_reader comp;
                cs_reader_init(&comp, child, &in->lim, &(uint64_t){0}, 0, NULL, NULL);
                comp.n_out = st.comp_size ? st.comp_size : 1;
                r.inner = &comp;
                cs_reader_fill_head(&r);
                rc = ing_handle(in, &r, NULL, depth, visit, user);
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
int ing_walk_tar(cs_ingest *in, cs_reader *r, int depth, cs_visit_fn visit, void *user)
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
        ing_diag(in, r->source, "cannot open tar: %s",
                 archive_error_string(a) ?: "not a tar archive");
        goto done;
    }
    struct archive_entry *e;
    int st;
    while (rc == 0 && !ing_budget_spent(in->cur) &&
           (st = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
        if (st < ARCHIVE_WARN) {
            ing_diag(in, r->source,
                     "tar archive is corrupt or truncated (%s); the rest was skipped",
                     archive_error_string(a) ?: "read error");
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name) name = "";
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFDIR) continue;
        char *shown = ing_printable(name);
        char *child = cs_xasprintf("%s!%s", r->source, shown);
        const char *why = ing_unsafe_name(name);
        if (!why && (type == AE_IFLNK || archive_entry_hardlink(e)))
            why = "is a link; not followed";
        if (!why && type != AE_IFREG) why = "is not a regular file; skipped";
        bool dup = cs_strset_has(&seen, name);
        if (!why && dup) why = "repeats the name of an earlier member; the later one was skipped";
        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        if (why) {
            ing_diag(in, child, "tar member %s", why);
        } else if (size > 0 && (uint64_t)size > in->lim.max_member) {
            ing_diag(in, child,
                     "member declares %llu bytes, over the limit of %llu (--max-member); skipped",
                     (unsigned long long)size, (unsigned long long)in->lim.max_member);
        } else {
            cs_strset_add(&seen, name);
            cs_reader m;
            cs_reader_init(&m, child, &in->lim, &in->c.total, (uint64_t)size, pull_tar, a);
            m.declared_exact = archive_entry_size_is_set(e);
            m.budget = in->cur;
            cs_reader_fill_head(&m);
            rc = ing_handle(in, &m, NULL, depth, visit, user);
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
    ing_diag(in, source, "cannot open zip: %s", hint);
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

int ing_handle_zip_mem(cs_ingest *in, const char *source, const unsigned char *data, size_t n,
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

int ing_handle_zip_file(cs_ingest *in, const char *source, int fd, int depth, cs_visit_fn visit,
                        void *user)
{
    /* The descriptor the file was checked through, not its path again: a
     * path can be swapped between two opens. */
    struct stat st;
    int zfd = fstat(fd, &st) == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
    if (zfd < 0) {
        ing_diag(in, source, "cannot open: %s", strerror(errno));
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

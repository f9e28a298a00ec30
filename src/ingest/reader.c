/* reader.c - the byte streams members are read through: from a file, a zip
 * member or a tar member, with every limit (member size, total, ratio per
 * archive and per input, size lies) counted as the bytes come. */
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

bool ing_budget_spent(const cs_budget *b)
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
    uint64_t total = *r->total += got;
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

int cs_reader_file_fd(const cs_reader *r)
{
    return r->fs_path && r->pull == ing_pull_fd ? (int)(intptr_t)r->ctx : -1;
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
int ing_pull_fd(cs_reader *r, void *buf, size_t n, size_t *got)
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
int ing_pull_zip(cs_reader *r, void *buf, size_t n, size_t *got)
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

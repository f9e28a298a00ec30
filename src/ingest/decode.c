/* decode.c - gzip (zlib), xz (liblzma), zstd and bzip2 streams as readers.
 * The only users of zlib, liblzma, libzstd and libbz2. Each decoder's memory is
 * bounded (xz memlimit, zstd window limit) whatever the stream claims. */
#include <bzlib.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "reader.h"

#define IN_CHUNK 65536
#define XZ_MEMLIMIT (256ULL << 20)
#define ZSTD_WINDOW_LOG_MAX 27 /* 128 MiB */

typedef struct dec {
    cs_member_kind kind;
    unsigned char in[IN_CHUNK];
    size_t in_len, in_pos;
    bool in_eof;
    bool done;
    z_stream z;
    lzma_stream x;
    ZSTD_DStream *zs;
    bz_stream bz;
} dec;

static int refill(cs_reader *r, dec *d)
{
    if (d->in_pos < d->in_len || d->in_eof) return 0;
    ssize_t k = cs_reader_read(r->inner, d->in, sizeof d->in);
    if (k < 0) {
        cs_reader_set_err(r, cs_xstrdup(r->inner->err ? r->inner->err : "read error"));
        return CS_E_IO;
    }
    d->in_len = (size_t)k;
    d->in_pos = 0;
    if (k == 0) d->in_eof = true;
    return 0;
}

static int pull_gz(cs_reader *r, void *buf, size_t n, size_t *got)
{
    dec *d = r->ctx;
    *got = 0;
    while (*got == 0 && !d->done) {
        if (refill(r, d)) return CS_E_IO;
        if (d->in_eof && d->in_pos == d->in_len) {
            if (d->z.total_in == 0) break; /* cleanly between members */
            cs_reader_set_err(r, cs_xstrdup("gzip stream is truncated"));
            return CS_E_CORRUPT;
        }
        d->z.next_in = d->in + d->in_pos;
        d->z.avail_in = (uInt)(d->in_len - d->in_pos);
        d->z.next_out = (Bytef *)buf + *got;
        d->z.avail_out = (uInt)(n - *got > UINT32_MAX ? UINT32_MAX : n - *got);
        int zr = inflate(&d->z, Z_NO_FLUSH);
        d->in_pos = d->in_len - d->z.avail_in;
        *got = n - d->z.avail_out;
        if (zr == Z_STREAM_END) {
            /* Concatenated gzip members are one stream (gzip(1) semantics). */
            inflateReset(&d->z);
            d->z.total_in = 0;
            if (refill(r, d)) return CS_E_IO;
            /* Like gzip(1), ignore trailing bytes that start no member. */
            if ((d->in_eof && d->in_pos == d->in_len) || d->in[d->in_pos] != 0x1f) d->done = true;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            cs_reader_set_err(
                r, cs_xasprintf("corrupt gzip data (%s)", d->z.msg ? d->z.msg : "inflate error"));
            return CS_E_CORRUPT;
        }
    }
    return 0;
}

static int pull_xz(cs_reader *r, void *buf, size_t n, size_t *got)
{
    dec *d = r->ctx;
    *got = 0;
    while (*got == 0 && !d->done) {
        if (refill(r, d)) return CS_E_IO;
        d->x.next_in = d->in + d->in_pos;
        d->x.avail_in = d->in_len - d->in_pos;
        d->x.next_out = (uint8_t *)buf + *got;
        d->x.avail_out = n - *got;
        lzma_ret xr = lzma_code(&d->x, d->in_eof ? LZMA_FINISH : LZMA_RUN);
        d->in_pos = d->in_len - d->x.avail_in;
        *got = n - d->x.avail_out;
        if (xr == LZMA_STREAM_END) {
            d->done = true;
        } else if (xr == LZMA_MEMLIMIT_ERROR) {
            cs_reader_set_err(r,
                              cs_xstrdup("xz stream needs more than 256 MiB to decode; skipped"));
            return CS_E_LIMIT;
        } else if (xr != LZMA_OK && !(xr == LZMA_BUF_ERROR && *got)) {
            cs_reader_set_err(r, cs_xasprintf("corrupt or truncated xz data (code %d)", (int)xr));
            return CS_E_CORRUPT;
        }
    }
    return 0;
}

static int pull_zstd(cs_reader *r, void *buf, size_t n, size_t *got)
{
    dec *d = r->ctx;
    *got = 0;
    while (*got == 0 && !d->done) {
        if (refill(r, d)) return CS_E_IO;
        if (d->in_eof && d->in_pos == d->in_len) {
            if (d->in_len == 0 && r->n_out == 0) break;
            d->done = true;
            break;
        }
        ZSTD_inBuffer in = {d->in, d->in_len, d->in_pos};
        ZSTD_outBuffer out = {buf, n, 0};
        size_t zr = ZSTD_decompressStream(d->zs, &out, &in);
        d->in_pos = in.pos;
        *got = out.pos;
        if (ZSTD_isError(zr)) {
            cs_reader_set_err(r, cs_xasprintf("corrupt zstd data (%s)", ZSTD_getErrorName(zr)));
            return CS_E_CORRUPT;
        }
    }
    return 0;
}

static int pull_bz2(cs_reader *r, void *buf, size_t n, size_t *got)
{
    dec *d = r->ctx;
    *got = 0;
    while (*got == 0 && !d->done) {
        if (refill(r, d)) return CS_E_IO;
        if (d->in_eof && d->in_pos == d->in_len) {
            cs_reader_set_err(r, cs_xstrdup("bzip2 stream is truncated"));
            return CS_E_CORRUPT;
        }
        size_t room = n - *got > UINT32_MAX ? UINT32_MAX : n - *got;
        d->bz.next_in = (char *)d->in + d->in_pos;
        d->bz.avail_in = (unsigned)(d->in_len - d->in_pos);
        d->bz.next_out = (char *)buf + *got;
        d->bz.avail_out = (unsigned)room;
        int br = BZ2_bzDecompress(&d->bz);
        d->in_pos = d->in_len - d->bz.avail_in;
        *got += room - d->bz.avail_out;
        if (br == BZ_STREAM_END) {
            /* Concatenated streams (pbzip2) continue after a new header. */
            BZ2_bzDecompressEnd(&d->bz);
            memset(&d->bz, 0, sizeof d->bz);
            if (BZ2_bzDecompressInit(&d->bz, 0, 0) != BZ_OK) abort();
            if (refill(r, d)) return CS_E_IO;
            if ((d->in_eof && d->in_pos == d->in_len) || d->in[d->in_pos] != 'B') d->done = true;
        } else if (br != BZ_OK) {
            cs_reader_set_err(r, cs_xasprintf("corrupt bzip2 data (code %d)", br));
            return CS_E_CORRUPT;
        }
    }
    return 0;
}

static void close_dec(cs_reader *r)
{
    dec *d = r->ctx;
    if (!d) return;
    if (d->kind == CS_MK_GZIP) inflateEnd(&d->z);
    if (d->kind == CS_MK_XZ) lzma_end(&d->x);
    if (d->kind == CS_MK_ZSTD) ZSTD_freeDStream(d->zs);
    if (d->kind == CS_MK_BZIP2) BZ2_bzDecompressEnd(&d->bz);
    free(d);
    r->ctx = NULL;
}

int cs_decode_open(cs_reader **out, cs_member_kind kind, cs_reader *inner)
{
    dec *d = cs_xcalloc(1, sizeof *d);
    d->kind = kind;
    cs_pull_fn pull;
    if (kind == CS_MK_GZIP) {
        if (inflateInit2(&d->z, 15 + 32) != Z_OK) abort();
        pull = pull_gz;
    } else if (kind == CS_MK_XZ) {
        d->x = (lzma_stream)LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&d->x, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) abort();
        pull = pull_xz;
    } else if (kind == CS_MK_ZSTD) {
        d->zs = ZSTD_createDStream();
        if (!d->zs) abort();
        ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
        pull = pull_zstd;
    } else if (kind == CS_MK_BZIP2) {
        /* small=0: about 3.5 MiB of state, bounded whatever the stream says. */
        if (BZ2_bzDecompressInit(&d->bz, 0, 0) != BZ_OK) abort();
        pull = pull_bz2;
    } else {
        free(d);
        return CS_E_UNSUPPORTED;
    }
    cs_reader *r = cs_xcalloc(1, sizeof *r);
    cs_reader_init(r, inner->source, inner->limits, inner->total, 0, pull, d);
    r->inner = inner;
    r->budget = inner->budget;
    r->close = close_dec;
    cs_reader_fill_head(r);
    *out = r;
    return 0;
}

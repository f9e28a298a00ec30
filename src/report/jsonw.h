/* jsonw.h - a small streaming JSON writer with strict escaping: control
 * characters are escaped and invalid UTF-8 becomes U+FFFD, so nothing an
 * artifact contains can break the document. Output is pretty-printed with a
 * fixed layout, so equal models give equal bytes.
 *
 * The writer keeps its own buffer and hands it to stdio in large unlocked
 * writes (per-byte fputc through locked stdio was most of a JSON report's
 * cost): the buffer is flushed when it fills and when the outermost value
 * closes, so a caller may write to the FILE itself only between documents
 * (or after cs_jsonw_flush). Escaping copies runs of safe bytes at once. */
#ifndef CS_JSONW_H
#define CS_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CS_JSONW_BUF 16384

typedef struct cs_jsonw {
    FILE *f;
    int depth;
    bool first; /* no element written yet at this level */
    bool after_key;
    /* No newlines or indentation: a quarter of a pretty report is
     * indentation, and machines do not read it. */
    bool compact;
    size_t len; /* bytes pending in buf */
    char buf[CS_JSONW_BUF];
} cs_jsonw;

void cs_jsonw_init(cs_jsonw *w, FILE *f); /* pretty; set w->compact after */
/* Hands pending bytes to the FILE (done by itself when the outermost value
 * closes). */
void cs_jsonw_flush(cs_jsonw *w);
void cs_jsonw_obj(cs_jsonw *w);
void cs_jsonw_obj_end(cs_jsonw *w);
void cs_jsonw_arr(cs_jsonw *w);
void cs_jsonw_arr_end(cs_jsonw *w);
void cs_jsonw_key(cs_jsonw *w, const char *k);
void cs_jsonw_str(cs_jsonw *w, const char *s); /* NULL writes null */
void cs_jsonw_strn(cs_jsonw *w, const char *s, size_t n);
void cs_jsonw_int(cs_jsonw *w, long long v);
void cs_jsonw_uint(cs_jsonw *w, uint64_t v);
void cs_jsonw_bool(cs_jsonw *w, bool v);
void cs_jsonw_null(cs_jsonw *w);
/* A number already formatted (fixed precision, for stable bytes). */
void cs_jsonw_raw(cs_jsonw *w, const char *number);
/* Writes s as a JSON string body (no quotes) to f: shared by other writers
 * that embed JSON (SARIF, HTML data islands). */
void cs_json_escape(FILE *f, const char *s, size_t n);

#endif

/* core_wire.c - the record stream of one core. The in-process mode and the
 * forked child produce the same bytes, and one decoder turns them into the
 * model, so the child protocol is exercised by every test. Integers are in
 * host order: both ends are the same binary on the same machine. */
#include <stdlib.h>
#include <string.h>

#include "../base/error.h"
#include "../base/util.h"
#include "core_internal.h"

#define NO_STR 0xffffffffu

typedef struct wbuf {
    char tmp[1024];
    cs_buf *b;
    size_t mark;
    int err;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    if (!w->err) w->err = cs_buf_add(w->b, p, n);
}

static void put_str(wbuf *w, const char *s)
{
    uint32_t n = NO_STR;
    if (s) {
        size_t k = strlen(s);
        n = k > (1u << 20) ? (1u << 20) : (uint32_t)k; /* no single huge string */
    }
    put(w, &n, sizeof n);
    if (s) put(w, s, n);
}

static void begin(wbuf *w, cs_buf *b, char tag)
{
    w->b = b;
    w->mark = b->len;
    w->err = 0;
    put(w, &tag, 1);
}

static int end(wbuf *w)
{
    if (w->err) { /* roll back the half-written record */
        w->b->len = w->mark;
        w->b->ptr[w->mark] = '\0';
    }
    return w->err;
}

int cs_wire_trace(cs_buf *b, const char *headline)
{
    wbuf w;
    begin(&w, b, CS_W_TRACE);
    put_str(&w, headline);
    return end(&w);
}

int cs_wire_thread(cs_buf *b, cs_role role, long long id, const char *name)
{
    wbuf w;
    begin(&w, b, CS_W_THREAD);
    uint8_t r = (uint8_t)role;
    int64_t i = id;
    put(&w, &r, 1);
    put(&w, &i, sizeof i);
    put_str(&w, name);
    return end(&w);
}

int cs_wire_frame(cs_buf *b, const cs_wframe *f)
{
    wbuf w;
    begin(&w, b, CS_W_FRAME);
    uint8_t fl = (uint8_t)f->flags;
    int32_t line = f->line, col = f->column;
    put(&w, &fl, 1);
    put(&w, &f->pc, sizeof f->pc);
    put(&w, &f->offset, sizeof f->offset);
    put(&w, &line, sizeof line);
    put(&w, &col, sizeof col);
    put_str(&w, f->function);
    put_str(&w, f->file);
    put_str(&w, f->module);
    put_str(&w, f->build_id);
    return end(&w);
}

int cs_wire_diag(cs_buf *b, const char *msg)
{
    wbuf w;
    begin(&w, b, CS_W_DIAG);
    put_str(&w, msg);
    return end(&w);
}

int cs_wire_trunc(cs_buf *b)
{
    wbuf w;
    begin(&w, b, CS_W_TRUNC);
    return end(&w);
}

/* ---- decoding: bounds-checked reads that advance only on success ------ */
typedef struct rd {
    const unsigned char *p;
    size_t n, off;
    bool bad;
} rd;

static void get(rd *r, void *out, size_t k)
{
    if (r->bad || r->n - r->off < k) {
        r->bad = true;
        memset(out, 0, k);
        return;
    }
    memcpy(out, r->p + r->off, k);
    r->off += k;
}

/* A fresh string (or NULL for "no string"); NUL bytes are cut off. */
static char *get_str(rd *r)
{
    uint32_t k;
    get(r, &k, sizeof k);
    if (r->bad || k == NO_STR) return NULL;
    if (r->n - r->off < k) {
        r->bad = true;
        return NULL;
    }
    char *s = cs_xstrndup((const char *)r->p + r->off, k);
    r->off += k;
    return s;
}

int cs_wire_decode(const unsigned char *p, size_t n, const char *source, cs_results *out)
{
    rd r = {.p = p, .n = n};
    cs_trace *t = NULL;
    cs_thread *th = NULL;
    bool dropping = false; /* thread past CS_MAX_THREADS: skip its frames */
    while (r.off < r.n && !r.bad) {
        uint8_t tag;
        get(&r, &tag, 1);
        switch (tag) {
        case CS_W_TRACE: {
            char *h = get_str(&r);
            if (r.bad || t) { /* one trace per core */
                free(h);
                r.bad = true;
                break;
            }
            t = cs_trace_new(CS_TK_CORE, source, 0);
            t->headline = h;
            break;
        }
        case CS_W_THREAD: {
            uint8_t role;
            int64_t id;
            get(&r, &role, 1);
            get(&r, &id, sizeof id);
            char *name = get_str(&r);
            if (r.bad || !t || role >= CS_ROLE_COUNT) {
                free(name);
                r.bad = true;
                break;
            }
            th = cs_trace_add_thread(t, (cs_role)role);
            dropping = th == NULL;
            if (th) {
                th->id = id;
                th->name = name;
                if (role == CS_ROLE_CRASHED && t->crash_thread < 0)
                    t->crash_thread = (int)(t->n_threads - 1);
            } else {
                free(name);
            }
            break;
        }
        case CS_W_FRAME: {
            uint8_t fl;
            uint64_t pc, off;
            int32_t line, col;
            get(&r, &fl, 1);
            get(&r, &pc, sizeof pc);
            get(&r, &off, sizeof off);
            get(&r, &line, sizeof line);
            get(&r, &col, sizeof col);
            char *s[4];
            for (int i = 0; i < 4; i++)
                s[i] = get_str(&r);
            cs_frame *f = NULL;
            if (!r.bad && th && !dropping) f = cs_thread_add_frame(th);
            if (!r.bad && !th && !dropping) r.bad = true;
            if (!f) {
                for (int i = 0; i < 4; i++)
                    free(s[i]);
                break;
            }
            f->pc = pc;
            f->has_pc = true;
            f->offset = off;
            f->has_offset = (fl & CS_W_FRAME_OFFSET) != 0;
            f->pc_is_return = (fl & CS_W_FRAME_RETURN) != 0;
            f->inlined = (fl & CS_W_FRAME_INLINED) != 0;
            f->dynsym = (fl & CS_W_FRAME_DYNSYM) != 0;
            f->line = line > 0 ? line : 0;
            f->column = col > 0 ? col : 0;
            f->function = s[0];
            f->file = s[1];
            f->module = s[2];
            f->build_id = s[3];
            break;
        }
        case CS_W_DIAG: {
            char *m = get_str(&r);
            if (m) cs_results_add_diag(out, source, "%s", m);
            free(m);
            break;
        }
        case CS_W_TRUNC:
            if (t) t->truncated = true;
            break;
        default:
            r.bad = true;
            break;
        }
    }
    if (t) cs_results_add_trace(out, t);
    return r.bad ? CS_E_CORRUPT : 0;
}

/* history.c - the recurring-crash history database (see history.h and
 * docs/history.md): opening, errors, states; recording and querying are
 * history_record.c and history_query.c. Every statement is prepared with bound parameters:
 * nothing from an artifact is ever spliced into SQL. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "history.h"
#include "history_db.h"
#include "history_internal.h"

/* The engines, in the order they are asked whether a --db value is theirs;
 * SQLite, which takes any file path, comes last. */
static const cs_hdb_ops *const engines[] = {&cs_hdb_postgresql, &cs_hdb_sqlite};

static const char *const state_names[] = {"new", "recurring", "regressed"};

const char *cs_history_state_name(cs_history_state s)
{
    return (unsigned)s < CS_ARRAY_LEN(state_names) ? state_names[s] : "?";
}

cs_history_state cs_history_state_parse(const char *s)
{
    for (size_t i = 0; s && i < CS_ARRAY_LEN(state_names); i++)
        if (strcmp(s, state_names[i]) == 0) return (cs_history_state)i;
    return CS_HISTORY_RECURRING;
}

int64_t cs_history_now(void)
{
    const char *s = getenv("CRASHSIFT_NOW");
    if (s && *s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!errno && !*end) return v;
    }
    return (int64_t)time(NULL);
}

const char *cs_history_errmsg(const cs_history *h)
{
    return h && h->err ? h->err : "no error";
}

void cs_history_set_err(cs_history *h, char *msg)
{
    free(h->err);
    h->err = msg;
}

const char *cs_history_engine(const cs_history *h)
{
    return h->ops->name;
}

const char *cs_history_display(const cs_history *h)
{
    return h->ops->display(h->db);
}

/* ---- opening ---------------------------------------------------------- */

int cs_history_open(cs_history **out, const char *target, bool create, char **errmsg)
{
    const cs_hdb_ops *ops = NULL;
    for (size_t i = 0; !ops && i < CS_ARRAY_LEN(engines); i++)
        if (engines[i]->claims(target)) ops = engines[i];
    cs_hdb *db = NULL;
    char *err = NULL;
    int rc = ops->open(&db, target, create, &err);
    if (rc != CS_OK) {
        if (errmsg)
            *errmsg = err;
        else
            free(err);
        return rc;
    }
    cs_history *h = cs_xcalloc(1, sizeof *h);
    h->ops = ops;
    h->db = db;
    *out = h;
    return CS_OK;
}

void cs_history_free(cs_history *h)
{
    if (!h) return;
    if (h->db) h->ops->close(h->db);
    free(h->err);
    free(h);
}

/* One row expected: 0 with the row, else the engine code. */
int cs_history_one_row(const cs_hdb_ops *ops, cs_hstmt *st)
{
    int rc = ops->step(st);
    if (rc == CS_HDB_ROW) return 0;
    ops->reset(st);
    return rc < 0 ? rc : CS_HDB_EFAIL;
}

/* An engine failure as one of our error codes. */
int cs_history_code_of(int rc)
{
    return rc == CS_HDB_ECORRUPT ? CS_E_CORRUPT : CS_E_IO;
}

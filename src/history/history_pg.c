/* history_pg.c - the PostgreSQL row of the history engines (history_db.h),
 * through libpq (the only libpq user): a team's history on a server that
 * many CI jobs record into at once.
 *
 *   - Writers serialize on one advisory lock (session level, taken before
 *     BEGIN so the transaction's snapshot already sees every batch committed
 *     before it; released after COMMIT, and by the server when a killed
 *     writer's connection drops). Batch ids come from an identity column
 *     handed out under that lock, so ids follow commit order and the
 *     "absent for N batches" rule counts the same batches SQLite would.
 *   - The transaction itself is SERIALIZABLE; a serialization failure or a
 *     deadlock (SQLSTATE 40001, 40P01) comes back as CS_HDB_ERETRY and
 *     history.c runs the whole batch again.
 *   - The schema version lives in a one-row table, crashsift_schema (what
 *     PRAGMA user_version is to SQLite). A database with other tables and
 *     no crashsift_schema is not ours and is refused untouched; so is one
 *     that misses a table of its version.
 *   - Every value is a bound parameter ($N, typed int8 or text): nothing
 *     from an artifact is spliced into SQL. Notices are swallowed: library
 *     code never prints. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../base/buf.h"
#include "../base/error.h"
#include "../base/util.h"
#include "history_db.h"
#include "history_internal.h"

#define MAX_PARAMS 16
#define OID_INT8 20
#define OID_TEXT 25
/* "crashsif" as a big-endian integer: the writers' advisory lock. */
#define WRITER_LOCK "7165897105401407846"

struct cs_hdb {
    PGconn *conn;
    char *display; /* the URL without its password */
    char *err;     /* the server's message for the last failure */
    bool locked;   /* holds the writers' lock */
};

struct cs_hstmt {
    cs_hdb *db;
    char *sql; /* ?N rewritten to $N */
    int n_params;
    char *vals[MAX_PARAMS];
    Oid types[MAX_PARAMS];
    PGresult *res;
    int row; /* the row col_* read; -1 before the first */
};

static bool claims(const char *target)
{
    return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

/* The URL as messages show it: "user:secret@" becomes "user:***@" and a
 * password=... parameter "password=***". */
static char *redact(const char *url)
{
    cs_buf b;
    cs_buf_init(&b, 0);
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    cs_buf_add(&b, url, (size_t)(p - url));
    const char *slash = p + strcspn(p, "/?");
    const char *at = memrchr(p, '@', (size_t)(slash - p));
    const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
    if (colon) {
        cs_buf_add(&b, p, (size_t)(colon - p) + 1);
        cs_buf_adds(&b, "***");
        p = at;
    }
    while (*p) {
        const char *pw = strstr(p, "password=");
        if (!pw || (pw != p && pw[-1] != '?' && pw[-1] != '&')) {
            cs_buf_adds(&b, p);
            break;
        }
        cs_buf_add(&b, p, (size_t)(pw - p) + 9);
        cs_buf_adds(&b, "***");
        p = pw + 9 + strcspn(pw + 9, "&");
    }
    return cs_buf_take(&b);
}

/* The first line of a libpq message, trimmed. */
static char *first_line(const char *m)
{
    if (!m || !*m) return cs_xstrdup("unknown error");
    if (strncmp(m, "ERROR:  ", 8) == 0) m += 8;
    size_t n = strcspn(m, "\n");
    while (n && (m[n - 1] == ' ' || m[n - 1] == '\r'))
        n--;
    return cs_xstrndup(m, n);
}

static void set_err(cs_hdb *db, char *msg)
{
    free(db->err);
    db->err = msg;
}

/* Maps a failed result to a CS_HDB_ code and keeps its message. */
static int fail(cs_hdb *db, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    set_err(db, first_line(msg && *msg ? msg : PQerrorMessage(db->conn)));
    if (!state) return CS_HDB_EFAIL;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01")) return CS_HDB_ERETRY;
    if (!strcmp(state, "55P03")) return CS_HDB_EBUSY; /* lock_timeout */
    if (!strcmp(state, "XX001") || !strcmp(state, "XX002")) return CS_HDB_ECORRUPT;
    return CS_HDB_EFAIL;
}

static int exec(cs_hdb *db, const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : fail(db, res);
    PQclear(res);
    return rc;
}

/* Runs a one-value query with text parameters; *out is the value (NULL for
 * SQL NULL or no row; the caller frees it). */
static int query_value(cs_hdb *db, const char *sql, int n, const char *const *params, char **out)
{
    PGresult *res = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
    int rc = 0;
    *out = NULL;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fail(db, res);
    else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        *out = cs_xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int lock_writers(cs_hdb *db)
{
    int rc = exec(db, "SELECT pg_advisory_lock(" WRITER_LOCK ")");
    if (rc == 0) db->locked = true;
    return rc;
}

static void unlock_writers(cs_hdb *db)
{
    if (!db->locked) return;
    exec(db, "SELECT pg_advisory_unlock(" WRITER_LOCK ")");
    db->locked = false;
}

static void db_close(cs_hdb *db)
{
    if (!db) return;
    PQfinish(db->conn);
    free(db->display);
    free(db->err);
    free(db);
}

static char *msg_newer(const cs_hdb *db, long v)
{
    return cs_xasprintf("history database '%s' has schema version %ld, newer than this "
                        "crashsift reads (%d): upgrade crashsift or give another --db",
                        db->display, v, CS_HISTORY_SCHEMA_VERSION);
}

static char *msg_corrupt(const cs_hdb *db, const char *why)
{
    return cs_xasprintf("history database '%s' is corrupt (%s); it was left untouched: "
                        "restore it from a backup or give another --db",
                        db->display, why);
}

/* Under the writers' lock: reads the version, refuses what is not ours or
 * damaged, and migrates (in one transaction: PostgreSQL's DDL is
 * transactional, so a failed migration leaves nothing behind). */
static int check_and_migrate(cs_hdb *db, bool create, char **err)
{
    char *has = NULL, *n_tables = NULL, *ver = NULL;
    int ret = CS_OK, rc;
    rc = query_value(db, "SELECT to_regclass('crashsift_schema') IS NOT NULL", 0, NULL, &has);
    if (rc == 0)
        rc = query_value(db,
                         "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
                         "n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND "
                         "c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                         0, NULL, &n_tables);
    if (rc != 0) goto sqlfail;
    long v = 0;
    if (has && !strcmp(has, "t")) {
        if ((rc = query_value(db, "SELECT max(version) FROM crashsift_schema", 0, NULL, &ver)))
            goto sqlfail;
        char *end = NULL;
        v = ver ? strtol(ver, &end, 10) : -1;
        if (!ver || *end || v < 0) {
            *err = msg_corrupt(db, "crashsift_schema holds no version");
            ret = CS_E_CORRUPT;
            goto done;
        }
    } else if (n_tables && strcmp(n_tables, "0") != 0) {
        *err = msg_corrupt(db, "not a crashsift history: it has other tables and no "
                               "crashsift_schema; give crashsift a database of its own");
        ret = CS_E_CORRUPT;
        goto done;
    } else if (!create) {
        *err = cs_xasprintf("no history in database '%s': record batches into it first with "
                            "'crashsift triage --db URL PATH...'",
                            db->display);
        ret = CS_E_NOTFOUND;
        goto done;
    }
    if (v > CS_HISTORY_SCHEMA_VERSION) {
        *err = msg_newer(db, v);
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    if (v < CS_HISTORY_SCHEMA_VERSION) {
        if ((rc = exec(db, "BEGIN"))) goto sqlfail;
        if (!has || strcmp(has, "t") != 0)
            rc = exec(db, "CREATE TABLE crashsift_schema (version INTEGER NOT NULL);"
                          "INSERT INTO crashsift_schema VALUES (0)");
        for (long k = v; rc == 0 && k < CS_HISTORY_SCHEMA_VERSION; k++)
            rc = exec(db, cs_history_migrations_postgresql[k]);
        if (rc == 0) {
            char sql[80];
            snprintf(sql, sizeof sql, "UPDATE crashsift_schema SET version = %d",
                     CS_HISTORY_SCHEMA_VERSION);
            rc = exec(db, sql);
        }
        if (rc == 0) rc = exec(db, "COMMIT");
        if (rc != 0) {
            *err = cs_xasprintf("history database '%s': cannot upgrade the schema: %s", db->display,
                                db->err);
            exec(db, "ROLLBACK");
            ret = CS_E_IO;
            goto done;
        }
    }
    /* The quick check: every table of this version is there. */
    for (size_t i = 0; cs_history_tables[i]; i++) {
        char *reg = NULL;
        const char *p[] = {cs_history_tables[i]};
        if ((rc = query_value(db, "SELECT to_regclass($1)", 1, p, &reg))) goto sqlfail;
        bool missing = !reg;
        free(reg);
        if (missing) {
            char why[96];
            snprintf(why, sizeof why, "table '%s' is missing", cs_history_tables[i]);
            *err = msg_corrupt(db, why);
            ret = CS_E_CORRUPT;
            goto done;
        }
    }
    goto done;
sqlfail:
    *err = cs_xasprintf("history database '%s': cannot open: %s", db->display, db->err);
    ret = CS_E_IO;
done:
    free(has);
    free(n_tables);
    free(ver);
    return ret;
}

static int db_open(cs_hdb **out, const char *target, bool create, char **errmsg)
{
    cs_hdb *db = cs_xcalloc(1, sizeof *db);
    db->display = redact(target);
    char *err = NULL;
    int ret = CS_OK;
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", CS_HISTORY_PG_CONNECT_TIMEOUT_S);
    /* The URL comes last so whatever it sets wins over these defaults. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {timeout, "crashsift", target, NULL};
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        char *why = first_line(db->conn ? PQerrorMessage(db->conn) : "out of memory");
        err = cs_xasprintf("cannot connect to history database '%s': %s", db->display, why);
        free(why);
        ret = CS_E_IO;
        goto done;
    }
    PQsetNoticeProcessor(db->conn, quiet, NULL);
    char set[96];
    snprintf(set, sizeof set, "SET lock_timeout = '%ds'; SET client_min_messages = warning",
             CS_HISTORY_PG_LOCK_TIMEOUT_S);
    int rc = exec(db, set);
    if (rc == 0) rc = lock_writers(db);
    if (rc != 0) {
        err = rc == CS_HDB_EBUSY
                  ? cs_xasprintf("history database '%s' is busy: another run held it for over "
                                 "%d s; try again",
                                 db->display, CS_HISTORY_PG_LOCK_TIMEOUT_S)
                  : cs_xasprintf("history database '%s': cannot open: %s", db->display, db->err);
        ret = CS_E_IO;
        goto done;
    }
    ret = check_and_migrate(db, create, &err);
    unlock_writers(db);
done:
    if (ret != CS_OK) {
        db_close(db);
        if (errmsg)
            *errmsg = err;
        else
            free(err);
        return ret;
    }
    *out = db;
    return CS_OK;
}

static int db_begin(cs_hdb *db, bool write)
{
    if (!write) return exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    int rc = lock_writers(db);
    if (rc == 0 && (rc = exec(db, "BEGIN ISOLATION LEVEL SERIALIZABLE"))) unlock_writers(db);
    return rc;
}

static int db_commit(cs_hdb *db)
{
    PGresult *res = PQexec(db->conn, "COMMIT");
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(db, res);
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        /* COMMIT of a failed transaction answers ROLLBACK. */
        set_err(db, cs_xstrdup("the transaction was rolled back"));
        rc = CS_HDB_EFAIL;
    }
    PQclear(res);
    if (rc != 0) exec(db, "ROLLBACK");
    unlock_writers(db);
    return rc;
}

static void db_rollback(cs_hdb *db)
{
    PGresult *res = PQexec(db->conn, "ROLLBACK");
    PQclear(res);
    unlock_writers(db);
}

/* ?N becomes $N; our SQL has no '?' or '$' inside literals. */
static int st_prepare(cs_hdb *db, const char *sql, cs_hstmt **out)
{
    cs_hstmt *st = cs_xcalloc(1, sizeof *st);
    st->db = db;
    st->sql = cs_xstrdup(sql);
    st->row = -1;
    for (char *p = st->sql; (p = strchr(p, '?')); p++) {
        *p = '$';
        int n = atoi(p + 1);
        if (n < 1 || n > MAX_PARAMS) {
            free(st->sql);
            free(st);
            set_err(db, cs_xstrdup("bad parameter number"));
            return CS_HDB_EFAIL;
        }
        if (n > st->n_params) st->n_params = n;
    }
    *out = st;
    return 0;
}

static void put(cs_hstmt *st, int i, char *v, Oid type)
{
    if (i < 1 || i > MAX_PARAMS) {
        free(v);
        return;
    }
    free(st->vals[i - 1]);
    st->vals[i - 1] = v;
    st->types[i - 1] = type;
}

static void st_bind_int(cs_hstmt *st, int i, int64_t v)
{
    put(st, i, cs_xasprintf("%lld", (long long)v), OID_INT8);
}

static void st_bind_text(cs_hstmt *st, int i, const char *s)
{
    put(st, i, s ? cs_xstrdup(s) : NULL, OID_TEXT);
}

static void st_bind_null(cs_hstmt *st, int i)
{
    put(st, i, NULL, 0);
}

static int st_step(cs_hstmt *st)
{
    if (!st->res) {
        st->res = PQexecParams(st->db->conn, st->sql, st->n_params, st->types,
                               (const char *const *)st->vals, NULL, NULL, 0);
        ExecStatusType s = PQresultStatus(st->res);
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
            int rc = fail(st->db, st->res);
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
        st->row = -1;
    }
    st->row++;
    return st->row < PQntuples(st->res) ? CS_HDB_ROW : CS_HDB_DONE;
}

static int64_t st_col_int(cs_hstmt *st, int i)
{
    if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) ||
        PQgetisnull(st->res, st->row, i))
        return 0;
    return strtoll(PQgetvalue(st->res, st->row, i), NULL, 10);
}

static const char *st_col_text(cs_hstmt *st, int i)
{
    if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) ||
        PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

static void st_reset(cs_hstmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    for (int i = 0; i < MAX_PARAMS; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
        st->types[i] = 0;
    }
}

static void st_finalize(cs_hstmt *st)
{
    if (!st) return;
    st_reset(st);
    free(st->sql);
    free(st);
}

static char *describe(cs_hdb *db, const char *what, int rc)
{
    if (rc == CS_HDB_EBUSY)
        return cs_xasprintf("history database '%s' is busy: another run held it for over %d s; "
                            "try again",
                            db->display, CS_HISTORY_PG_LOCK_TIMEOUT_S);
    if (rc == CS_HDB_ERETRY)
        return cs_xasprintf("history database '%s': %s: still conflicting with other writers "
                            "after %d attempts (%s); try again",
                            db->display, what, CS_HISTORY_MAX_RETRIES,
                            db->err ? db->err : "serialization failure");
    if (rc == CS_HDB_ECORRUPT) return msg_corrupt(db, db->err ? db->err : "data corrupted");
    return cs_xasprintf("history database '%s': %s: %s", db->display, what,
                        db->err ? db->err : "unknown error");
}

static const char *display(const cs_hdb *db)
{
    return db->display;
}

const cs_hdb_ops cs_hdb_postgresql = {
    .name = "postgresql",
    .claims = claims,
    .open = db_open,
    .close = db_close,
    .begin = db_begin,
    .commit = db_commit,
    .rollback = db_rollback,
    .prepare = st_prepare,
    .bind_int = st_bind_int,
    .bind_text = st_bind_text,
    .bind_null = st_bind_null,
    .step = st_step,
    .col_int = st_col_int,
    .col_text = st_col_text,
    .reset = st_reset,
    .finalize = st_finalize,
    .describe = describe,
    .display = display,
};

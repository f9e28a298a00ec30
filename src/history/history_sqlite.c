/* history_sqlite.c - the SQLite row of the history engines (history_db.h):
 * one database file, the only SQLite user.
 *
 *   - WAL mode and a busy timeout: concurrent runs on one file serialize
 *     their batches (BEGIN IMMEDIATE takes the write lock up front);
 *   - the schema version is PRAGMA user_version;
 *   - a file that is not an SQLite database, or fails PRAGMA quick_check,
 *     is refused before anything is written to it (a read-only connection
 *     checks it first);
 *   - the file (and SQLite's -wal/-shm beside it) is the only file written:
 *     temporary tables and sorts stay in memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../base/error.h"
#include "../base/util.h"
#include "history_db.h"
#include "history_internal.h"

struct cs_hdb {
    sqlite3 *db;
    char *path;
};

/* A statement is SQLite's own; the cast is the whole wrapper. */
static sqlite3_stmt *S(cs_hstmt *st)
{
    return (sqlite3_stmt *)st;
}

static bool claims(const char *target)
{
    (void)target;
    return true; /* every target no other engine claims is a file path */
}

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
        return CS_HDB_DONE;
    case SQLITE_ROW:
        return CS_HDB_ROW;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return CS_HDB_EBUSY;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return CS_HDB_ECORRUPT;
    default:
        return CS_HDB_EFAIL;
    }
}

/* Runs a one-row query and copies its first column as text (or NULL). */
static int query_text(sqlite3 *db, const char *sql, char **out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    *out = NULL;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        *out = cs_xstrdup(t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int user_version(sqlite3 *db, int *out)
{
    char *v = NULL;
    int rc = query_text(db, "PRAGMA user_version", &v);
    if (rc == SQLITE_OK) *out = v ? atoi(v) : 0;
    free(v);
    return rc;
}

static bool corrupt_code(int rc)
{
    return map_rc(rc) == CS_HDB_ECORRUPT;
}

static char *msg_corrupt(const char *path, const char *why)
{
    /* quick_check reports many lines: keep the message to one, and short. */
    char one[160];
    size_t n = 0;
    if (strncmp(why, "*** in database main ***\n", 25) == 0) why += 25;
    for (; *why && n + 4 < sizeof one; why++)
        one[n++] = *why == '\n' ? ';' : (unsigned char)*why < 0x20 ? ' ' : *why;
    if (*why) one[n++] = '.', one[n++] = '.', one[n++] = '.';
    one[n] = '\0';
    why = one;
    return cs_xasprintf("history database '%s' is corrupt (%s); it was left untouched: "
                        "restore it from a backup or give another --db file",
                        path, why);
}

/* PRAGMA application_id of our databases ("cSft"): another application's
 * SQLite file is refused untouched instead of getting our tables and WAL. */
#define CS_HISTORY_APP_ID 0x63536674

static char *msg_foreign(const char *path, const char *why)
{
    return cs_xasprintf("history database '%s' is not a crashsift history database (%s); it "
                        "was left untouched: give another --db file",
                        path, why);
}

static char *msg_newer(const char *path, int v)
{
    return cs_xasprintf("history database '%s' has schema version %d, newer than this "
                        "crashsift reads (%d): upgrade crashsift or give another --db file",
                        path, v, CS_HISTORY_SCHEMA_VERSION);
}

static char *msg_sqlite(const char *path, const char *what, sqlite3 *db, int rc)
{
    if (map_rc(rc) == CS_HDB_EBUSY)
        return cs_xasprintf("history database '%s' is busy: another run held it for over %d s; "
                            "try again",
                            path, CS_HISTORY_BUSY_TIMEOUT_MS / 1000);
    /* SQLite says "disk I/O error"; the system's errno says why (ENOSPC). */
    int e = db ? sqlite3_system_errno(db) : 0;
    return cs_xasprintf("history database '%s': %s: %s%s%s%s", path, what,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), e ? " (" : "",
                        e ? strerror(e) : "", e ? ")" : "");
}

/* Checks an existing file through a read-only connection first, so that
 * nothing is written to a file that is not ours or not healthy. */
static int check_existing(const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = cs_xasprintf("cannot open history database '%s': %s", path, strerror(errno));
        return CS_E_IO;
    }
    char head[16];
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    if (n != (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
        *err = msg_corrupt(path, "not an SQLite database");
        return CS_E_CORRUPT;
    }
    sqlite3 *db = NULL;
    int ret = CS_OK;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        *err = msg_sqlite(path, "cannot open", db, rc);
        ret = CS_E_IO;
        goto done;
    }
    sqlite3_busy_timeout(db, CS_HISTORY_BUSY_TIMEOUT_MS);
    int v = 0;
    rc = user_version(db, &v);
    if (rc != SQLITE_OK) {
        *err = corrupt_code(rc) ? msg_corrupt(path, sqlite3_errmsg(db))
                                : msg_sqlite(path, "cannot read", db, rc);
        ret = corrupt_code(rc) ? CS_E_CORRUPT : CS_E_IO;
        goto done;
    }
    if (v > CS_HISTORY_SCHEMA_VERSION) {
        *err = msg_newer(path, v);
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    /* Ours: our application_id; or, from before it was set, no id and our
     * batches table. A file with no tables at all is ours to fill. */
    char *app = NULL, *tables = NULL, *batches = NULL;
    rc = query_text(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = query_text(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", &tables);
    if (rc == SQLITE_OK)
        rc = query_text(db,
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                        "name = 'batches'",
                        &batches);
    long long id = app ? strtoll(app, NULL, 10) : 0;
    bool empty = tables && strcmp(tables, "0") == 0,
         ours_old = batches && strcmp(batches, "1") == 0;
    free(app);
    free(tables);
    free(batches);
    if (rc != SQLITE_OK) {
        *err = msg_sqlite(path, "cannot read", db, rc);
        ret = CS_E_IO;
        goto done;
    }
    if (id != 0 && id != CS_HISTORY_APP_ID) {
        char why[64];
        snprintf(why, sizeof why, "its application_id is 0x%llx", (unsigned long long)id);
        *err = msg_foreign(path, why);
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    if (id == 0 && !empty && !(v > 0 && ours_old)) {
        *err = msg_foreign(path, "it holds other tables");
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    char *qc = NULL;
    rc = query_text(db, "PRAGMA quick_check", &qc);
    if (rc != SQLITE_OK || !qc || strcmp(qc, "ok") != 0) {
        bool corrupt = rc == SQLITE_OK || corrupt_code(rc);
        *err = corrupt ? msg_corrupt(path, qc ? qc : sqlite3_errmsg(db))
                       : msg_sqlite(path, "cannot check", db, rc);
        ret = corrupt ? CS_E_CORRUPT : CS_E_IO;
    }
    free(qc);
done:
    sqlite3_close(db);
    return ret;
}

/* WAL mode is persistent; switching needs a moment alone with the file, so
 * a concurrent first open may see SQLITE_BUSY and retries. */
static int set_wal(sqlite3 *db)
{
    for (int tries = 0;; tries++) {
        char *mode = NULL;
        int rc = query_text(db, "PRAGMA journal_mode = WAL", &mode);
        bool ok = rc == SQLITE_OK && mode && strcmp(mode, "wal") == 0;
        free(mode);
        if (ok) return SQLITE_OK;
        if (rc == SQLITE_OK) rc = SQLITE_ERROR;
        if ((rc & 0xff) != SQLITE_BUSY || tries >= 100) return rc;
        sqlite3_sleep(100);
    }
}

/* Brings the schema from version `from` to the current one inside the
 * caller's transaction, setting PRAGMA user_version. */
static int migrate(sqlite3 *db, int from, char **err)
{
    for (int v = from; v < CS_HISTORY_SCHEMA_VERSION; v++) {
        int rc = sqlite3_exec(db, cs_history_migrations_sqlite[v], NULL, NULL, err);
        if (rc != SQLITE_OK) return rc;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        rc = sqlite3_exec(db, pragma, NULL, NULL, err);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int db_open(cs_hdb **out, const char *path, bool create, char **errmsg)
{
    char *err = NULL;
    int ret = CS_OK;
    sqlite3 *db = NULL;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            err = cs_xasprintf("history database '%s' is not a regular file", path);
            ret = CS_E_IO;
            goto done;
        }
        if (sb.st_size > 0 && (ret = check_existing(path, &err)) != CS_OK) goto done;
    } else if (errno != ENOENT) {
        err = cs_xasprintf("cannot open history database '%s': %s", path, strerror(errno));
        ret = CS_E_IO;
        goto done;
    } else if (!create) {
        err = cs_xasprintf("no history database '%s': record batches into it first with "
                           "'crashsift triage --db %s PATH...'",
                           path, path);
        ret = CS_E_NOTFOUND;
        goto done;
    }

    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        err = msg_sqlite(path, "cannot open", db, rc);
        ret = CS_E_IO;
        goto done;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, CS_HISTORY_BUSY_TIMEOUT_MS);
    /* Sorts and temporary tables stay in memory: the database and its
     * -wal/-shm are the only files written. */
    rc = sqlite3_exec(db, "PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = set_wal(db);
    if (rc != SQLITE_OK) {
        err = corrupt_code(rc) ? msg_corrupt(path, sqlite3_errmsg(db))
                               : msg_sqlite(path, "cannot open", db, rc);
        ret = corrupt_code(rc) ? CS_E_CORRUPT : CS_E_IO;
        goto done;
    }
    /* Stamped once (new files, and ours from before the id was set). */
    char *cur = NULL;
    if ((rc = query_text(db, "PRAGMA application_id", &cur)) != SQLITE_OK) goto sqlfail;
    bool stamped = cur && strtoll(cur, NULL, 10) == CS_HISTORY_APP_ID;
    free(cur);
    if (!stamped) {
        char app[64];
        snprintf(app, sizeof app, "PRAGMA application_id = %d", CS_HISTORY_APP_ID);
        if ((rc = sqlite3_exec(db, app, NULL, NULL, NULL)) != SQLITE_OK) goto sqlfail;
    }
    int v = 0;
    if ((rc = user_version(db, &v)) != SQLITE_OK) goto sqlfail;
    if (v < CS_HISTORY_SCHEMA_VERSION) {
        /* Read again under the write lock: a concurrent run may have
         * migrated meanwhile. */
        if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) goto sqlfail;
        char *e = NULL;
        if ((rc = user_version(db, &v)) == SQLITE_OK && v < CS_HISTORY_SCHEMA_VERSION)
            rc = migrate(db, v, &e);
        if (rc == SQLITE_OK && v <= CS_HISTORY_SCHEMA_VERSION)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK || v > CS_HISTORY_SCHEMA_VERSION) {
            /* The cause first: ROLLBACK after an automatic rollback (a full
             * disk) fails with "no transaction is active", which would
             * replace it. */
            if (rc == SQLITE_OK) {
                err = msg_newer(path, v);
                ret = CS_E_UNSUPPORTED;
            } else {
                err = cs_xasprintf("history database '%s': cannot upgrade the schema: %s", path,
                                   e ? e : sqlite3_errmsg(db));
                ret = CS_E_IO;
            }
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            sqlite3_free(e);
            goto done;
        }
    } else if (v > CS_HISTORY_SCHEMA_VERSION) {
        err = msg_newer(path, v);
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    cs_hdb *h = cs_xcalloc(1, sizeof *h);
    h->db = db;
    h->path = cs_xstrdup(path);
    db = NULL;
    *out = h;
    goto done;
sqlfail:
    err = msg_sqlite(path, "cannot open", db, rc);
    ret = CS_E_IO;
done:
    sqlite3_close(db);
    if (ret != CS_OK) {
        if (errmsg)
            *errmsg = err;
        else
            free(err);
    }
    return ret;
}

static void db_close(cs_hdb *h)
{
    if (!h) return;
    sqlite3_close(h->db);
    free(h->path);
    free(h);
}

static int db_exec(cs_hdb *h, const char *sql)
{
    return map_rc(sqlite3_exec(h->db, sql, NULL, NULL, NULL));
}

/* IMMEDIATE takes the write lock now (waiting up to the busy timeout), so
 * statuses are computed against the batches committed before ours. */
static int db_begin(cs_hdb *h, bool write)
{
    return db_exec(h, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static int db_commit(cs_hdb *h)
{
    return db_exec(h, "COMMIT");
}

static void db_rollback(cs_hdb *h)
{
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

static int st_prepare(cs_hdb *h, const char *sql, cs_hstmt **out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(h->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) return map_rc(rc) < 0 ? map_rc(rc) : CS_HDB_EFAIL;
    *out = (cs_hstmt *)st;
    return 0;
}

static void st_bind_int(cs_hstmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(S(st), i, v);
}

static void st_bind_text(cs_hstmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(S(st), i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(S(st), i);
}

static void st_bind_null(cs_hstmt *st, int i)
{
    sqlite3_bind_null(S(st), i);
}

static int st_step(cs_hstmt *st)
{
    return map_rc(sqlite3_step(S(st)));
}

static int64_t st_col_int(cs_hstmt *st, int i)
{
    return sqlite3_column_int64(S(st), i);
}

static const char *st_col_text(cs_hstmt *st, int i)
{
    return (const char *)sqlite3_column_text(S(st), i);
}

static void st_reset(cs_hstmt *st)
{
    sqlite3_reset(S(st));
    sqlite3_clear_bindings(S(st));
}

static void st_finalize(cs_hstmt *st)
{
    sqlite3_finalize(S(st));
}

static char *describe(cs_hdb *h, const char *what, int rc)
{
    if (rc == CS_HDB_EBUSY) return msg_sqlite(h->path, what, h->db, SQLITE_BUSY);
    if (rc == CS_HDB_ECORRUPT) return msg_corrupt(h->path, sqlite3_errmsg(h->db));
    return cs_xasprintf("history database '%s': %s: %s", h->path, what, sqlite3_errmsg(h->db));
}

static const char *display(const cs_hdb *h)
{
    return h->path;
}

const cs_hdb_ops cs_hdb_sqlite = {
    .name = "sqlite",
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

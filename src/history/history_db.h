/* history_db.h - the storage engines behind the history module: one vtable,
 * one row per engine (an SQLite file, a PostgreSQL server).
 *
 * history.c holds every rule (statuses, re-feeds, the queries) and reaches
 * an engine only through these calls, with SQL written once in the subset
 * both dialects share: ?N parameters (the PostgreSQL row rewrites them to
 * $N), ON CONFLICT, RETURNING. An engine owns its connection, its schema
 * text (history_schema.c), its checks on open and its error messages. */
#ifndef CS_HISTORY_DB_H
#define CS_HISTORY_DB_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cs_hdb cs_hdb;     /* a connection; each engine defines it */
typedef struct cs_hstmt cs_hstmt; /* a prepared statement */

/* What step returns; errors are negative. */
enum { CS_HDB_DONE = 0, CS_HDB_ROW = 1 };
enum {
    CS_HDB_EFAIL = -1,    /* anything else: see errmsg */
    CS_HDB_EBUSY = -2,    /* another writer held the lock past the timeout */
    CS_HDB_ERETRY = -3,   /* serialization failure or deadlock: run the transaction again */
    CS_HDB_ECORRUPT = -4, /* the engine says the data is damaged */
};

typedef struct cs_hdb_ops {
    const char *name;
    /* Whether `target` (a --db value) is this engine's. */
    bool (*claims)(const char *target);
    /* Opens, checks and migrates the schema. On failure returns a CS_E_
     * code and sets *err to one line naming the database. */
    int (*open)(cs_hdb **out, const char *target, bool create, char **err);
    void (*close)(cs_hdb *db);
    /* write: a transaction that waits for every other writer, so a batch
     * sees the batches committed before it, in commit order. */
    int (*begin)(cs_hdb *db, bool write);
    int (*commit)(cs_hdb *db);
    void (*rollback)(cs_hdb *db);
    int (*prepare)(cs_hdb *db, const char *sql, cs_hstmt **out);
    /* Parameters are numbered from 1. */
    void (*bind_int)(cs_hstmt *st, int i, int64_t v);
    void (*bind_text)(cs_hstmt *st, int i, const char *s); /* NULL binds NULL */
    void (*bind_null)(cs_hstmt *st, int i);
    int (*step)(cs_hstmt *st); /* CS_HDB_ROW, CS_HDB_DONE or an error */
    /* Columns are numbered from 0; NULL reads as 0 or NULL. A text is valid
     * until the next step or reset. */
    int64_t (*col_int)(cs_hstmt *st, int i);
    const char *(*col_text)(cs_hstmt *st, int i);
    void (*reset)(cs_hstmt *st); /* also clears the bindings */
    void (*finalize)(cs_hstmt *st);
    /* One line about a failed call ("what" says what was being done),
     * naming the database; the caller frees it. */
    char *(*describe)(cs_hdb *db, const char *what, int rc);
    /* The database as messages and reports name it (no password). */
    const char *(*display)(const cs_hdb *db);
} cs_hdb_ops;

extern const cs_hdb_ops cs_hdb_sqlite;
extern const cs_hdb_ops cs_hdb_postgresql;

#endif

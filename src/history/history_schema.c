/* history_schema.c - the database schema as a list of forward migrations.
 *
 * migrations[i] brings a database from version i to i + 1 (version 0 is an
 * empty file). A migration is only ever appended, never edited: databases
 * in the field were made by the old text. docs/history.md describes the
 * tables. */
#include <stdio.h>

#include "../base/util.h"
#include "history.h"
#include "history_internal.h"

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE batches ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"          /* unix seconds */
    "  tool_version TEXT NOT NULL,"
    "  sig_version TEXT NOT NULL,"
    "  n_traces INTEGER NOT NULL,"
    "  n_clusters INTEGER NOT NULL,"
    "  n_races INTEGER NOT NULL);"
    "CREATE INDEX batches_time ON batches(time);"
    "CREATE TABLE batch_inputs ("
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  pos INTEGER NOT NULL,"
    "  path TEXT NOT NULL,"
    "  PRIMARY KEY (batch_id, pos)) WITHOUT ROWID;"
    /* A cluster (C...) or race pair (R...) by its stable id. */
    "CREATE TABLE entities ("
    "  id TEXT PRIMARY KEY,"
    "  type TEXT NOT NULL CHECK (type IN ('cluster', 'race')),"
    "  signature TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  headline TEXT,"
    "  first_batch INTEGER NOT NULL REFERENCES batches(id)) WITHOUT ROWID;"
    /* One row per entity per batch it appeared in. n_new counts the
     * occurrences that batch added; a batch that only re-fed old
     * artifacts has n_new = 0 and is not a sighting. */
    "CREATE TABLE sightings ("
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  entity_id TEXT NOT NULL REFERENCES entities(id),"
    "  status TEXT NOT NULL CHECK (status IN ('new', 'recurring', 'regressed')),"
    "  n_seen INTEGER NOT NULL,"
    "  n_new INTEGER NOT NULL,"
    "  PRIMARY KEY (entity_id, batch_id)) WITHOUT ROWID;"
    "CREATE INDEX sightings_batch ON sightings(batch_id);"
    "CREATE TABLE occurrences ("
    "  id INTEGER PRIMARY KEY,"
    "  entity_id TEXT NOT NULL REFERENCES entities(id),"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  source TEXT NOT NULL,"
    "  line INTEGER,"
    "  test TEXT,"
    "  artifact TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  evidence TEXT,"
    "  content_hash TEXT NOT NULL,"
    "  UNIQUE (entity_id, source, content_hash));"
    "CREATE INDEX occurrences_batch ON occurrences(batch_id);",
};

int cs_history_schema_migrate(sqlite3 *db, int from, char **err)
{
    _Static_assert(CS_ARRAY_LEN(migrations) == CS_HISTORY_SCHEMA_VERSION,
                   "one migration per schema version");
    for (int v = from; v < CS_HISTORY_SCHEMA_VERSION; v++) {
        int rc = sqlite3_exec(db, migrations[v], NULL, NULL, err);
        if (rc != SQLITE_OK) return rc;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        rc = sqlite3_exec(db, pragma, NULL, NULL, err);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

#!/usr/bin/env bash
# The history database meets other files and other writers:
#   - another application's SQLite file is refused untouched (no tables
#     added, journal mode unchanged), naming the file;
#   - a database busy past the timeout: the report is written anyway, the
#     run says the batch was not recorded and exits 2;
#   - a crashsift database is stamped with its application_id;
#   - a full disk (a small tmpfs, where mounting is allowed): the cause is
#     reported (not ROLLBACK's "no transaction is active"), the report is
#     written anyway and the run exits 2.
#   history_hostile.sh BIN
set -euo pipefail
bin=$(realpath "$1")
fx=$(cd "$(dirname "$0")/../fixtures" && pwd)
tmp=$(mktemp -d)
trap 'kill $holder 2>/dev/null || true; umount "$tmp/small" 2>/dev/null || true; rm -rf "$tmp"' EXIT
holder=
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

# Another application's database.
python3 - <<'PY'
import sqlite3
db = sqlite3.connect("notes.db")
db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
db.execute("INSERT INTO notes (body) VALUES ('hello')")
db.commit()
db.close()
PY
before=$(sha256sum notes.db)
set +e
"$bin" triage --db notes.db "$fx/go" >out.txt 2>err.txt
rc=$?
set -e
[ $rc = 2 ] || fail "foreign database: exit $rc, expected 2"
grep -F "history database 'notes.db' is not a crashsift history database" err.txt >/dev/null ||
  { cat err.txt; fail "foreign database: no message naming it"; }
[ "$(sha256sum notes.db)" = "$before" ] || fail "foreign database was modified"
[ ! -e notes.db-wal ] || fail "foreign database was switched to WAL"
echo "ok: a foreign SQLite file is refused untouched"

# Ours: stamped with the application id.
"$bin" triage --db ours.db "$fx/go" >/dev/null
python3 -c 'import sqlite3,sys; v=sqlite3.connect("ours.db").execute("PRAGMA application_id").fetchone()[0]; sys.exit(0 if v == 0x63536674 else 1)' ||
  fail "our database lacks its application_id"
echo "ok: a crashsift database carries its application_id"

# Busy past the timeout: another writer holds the write lock.
python3 - <<'PY' &
import sqlite3, time
db = sqlite3.connect("ours.db", isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open("locked", "w").close()
time.sleep(60)
PY
holder=$!
for _ in $(seq 100); do [ -e locked ] && break; sleep 0.1; done
[ -e locked ] || fail "the lock holder did not start"
set +e
"$bin" triage --db ours.db -f json "$fx/go" >busy.json 2>busy.err
rc=$?
set -e
kill $holder 2>/dev/null || true
[ $rc = 2 ] || fail "busy database: exit $rc, expected 2"
grep -F "is busy" busy.err >/dev/null || { cat busy.err; fail "busy: no message"; }
grep -F "this batch was NOT recorded" busy.err >/dev/null || fail "busy: not said that the batch was lost"
python3 -c 'import json,sys; d=json.load(open("busy.json")); sys.exit(0 if d["traces"] else 1)' ||
  fail "busy: the report was withheld"
echo "ok: a busy database still gets the report, and exit 2"

# A full disk: a 64 KiB tmpfs, nearly filled. Needs mount (root); else skipped.
mkdir small
if mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
  head -c 56000 /dev/zero >small/filler 2>/dev/null || true
  set +e
  "$bin" triage --db small/h.db -f json "$fx/go" >full.json 2>full.err
  rc=$?
  set -e
  umount small
  [ $rc = 2 ] || { cat full.err; fail "full disk: exit $rc, expected 2"; }
  grep -F "no transaction is active" full.err >/dev/null && { cat full.err; fail "full disk: the cause was replaced by ROLLBACK's error"; }
  grep -Ei "disk is full|no space left" full.err >/dev/null || { cat full.err; fail "full disk: the cause is not said"; }
  grep -F "NOT be recorded" full.err >/dev/null || grep -F "NOT recorded" full.err >/dev/null ||
    fail "full disk: not said that the batch was lost"
  python3 -c 'import json,sys; d=json.load(open("full.json")); sys.exit(0 if d["traces"] else 1)' ||
    fail "full disk: the report was withheld"
  echo "ok: a full disk says why, and the report is written"
else
  echo "SKIP (part): cannot mount a tmpfs here (not root?); the full-disk case is not tested"
fi

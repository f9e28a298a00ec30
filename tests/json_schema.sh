#!/usr/bin/env bash
# The JSON report of every fixture validates against docs/crashsift.schema.json
# with a real JSON Schema validator (Debian's python3-jsonschema).
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
py=/usr/bin/python3
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
  echo "SKIP: python3-jsonschema is not installed (scripts/setup.sh installs it)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" triage -f json fixtures > "$tmp/report.json"
# Compact (the default off a terminal) and --pretty are one document: same
# values, and compact is one line.
"$bin" triage --pretty -f json fixtures > "$tmp/pretty.json"
# Every trace whole (version 1), as before same_stack_as.
"$bin" triage --full-stacks -f json fixtures > "$tmp/full.json"
[ "$(wc -l < "$tmp/report.json")" -eq 1 ] || { echo "compact JSON is more than one line"; exit 1; }
[ "$(wc -l < "$tmp/pretty.json")" -gt 100 ] || { echo "--pretty JSON is not indented"; exit 1; }
"$py" -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); sys.exit(a!=b)' \
  "$tmp/report.json" "$tmp/pretty.json" || { echo "compact and pretty JSON differ"; exit 1; }
# With --db, clusters and races carry their history status too.
"$bin" triage --db "$tmp/h.db" -f json -o "markdown:$tmp/h.md" -o "html:$tmp/h.html" \
  -o "sarif:$tmp/h.sarif" fixtures/go > "$tmp/history.json"
# ... and every other format shows it too.
grep -q '^\*\*History:\*\* new' "$tmp/h.md" || { echo "markdown lacks the history status"; exit 1; }
grep -q 'class="hist new"' "$tmp/h.html" || { echo "html lacks the history status"; exit 1; }
grep -Eq '"baselineState": ?"new"' "$tmp/h.sarif" || { echo "sarif lacks baselineState"; exit 1; }
"$py" - docs/crashsift.schema.json "$tmp/report.json" "$tmp/history.json" "$tmp/full.json" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
hist = json.load(open(sys.argv[3]))
jsonschema.validate(hist, schema)
assert all(c["history"]["status"] == "new" for c in hist["clusters"])
doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:20]:
    print("schema error at", "/".join(map(str, e.path)), ":", e.message)
assert not errors, "%d schema errors" % len(errors)
assert doc["counts"]["traces"] == len(doc["traces"]) > 0
assert doc["counts"]["clusters"] == len(doc["clusters"]) > 0
assert sum(c["count"] for c in doc["clusters"]) == len(doc["traces"])
# Repeated stacks name an earlier trace written whole; --full-stacks has none.
full = json.load(open(sys.argv[4]))
jsonschema.validate(full, schema)
assert doc["version"] == 2 and full["version"] == 1
refs = [(i, t["same_stack_as"]) for i, t in enumerate(doc["traces"]) if "same_stack_as" in t]
assert refs, "the fixtures repeat stacks, but no trace names an earlier one"
for i, r in refs:
    assert r < i and "threads" in doc["traces"][r], (i, r)
    assert full["traces"][i]["threads"] == full["traces"][r]["threads"], (i, r)
assert not any("same_stack_as" in t for t in full["traces"])
assert len(full["traces"]) == len(doc["traces"])
print("json schema: 1 passed, 0 failed")
PY

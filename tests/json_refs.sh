#!/usr/bin/env bash
# Repeated stacks in the JSON report (docs/json-schema.md, same_stack_as):
# a trace whose threads repeat an earlier trace's names that trace instead
# of writing them again, keeps its own fields, and --full-stacks writes every
# trace whole (version 1). The references are the same bytes at any -j and
# whichever shard or worker saw a stack first.
#   tests/json_refs.sh CRASHSIFT
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# One panic in a.log, the same panic twice in b.log, another one in c.log.
mkdir "$tmp/in"
cp fixtures/go/explicit_panic.log "$tmp/in/a.log"
cat fixtures/go/explicit_panic.log fixtures/go/explicit_panic.log >"$tmp/in/b.log"
cp fixtures/go/nil_deref.log "$tmp/in/c.log"

for j in 1 2 4; do
  "$bin" triage -j "$j" -f json "$tmp/in" >"$tmp/j$j.json"
done
cmp -s "$tmp/j1.json" "$tmp/j2.json" && cmp -s "$tmp/j1.json" "$tmp/j4.json" \
  || fail "-j1, -j2 and -j4 reports differ"
# The later inputs given first: each member is read (and its stacks shared)
# in another order, the document's order and references are the same.
"$bin" triage -j 2 -f json "$tmp/in/c.log" "$tmp/in/b.log" "$tmp/in/a.log" >"$tmp/reversed.json"
"$bin" triage --full-stacks -f json "$tmp/in" >"$tmp/full.json"
"$bin" triage --full-stacks -f text -o "json:$tmp/full-o.json" "$tmp/in" >/dev/null
cmp -s "$tmp/full.json" "$tmp/full-o.json" || fail "--full-stacks is not applied to -o json:FILE"
# merge writes the same report as one triage, references included.
"$bin" extract -o "$tmp/1.shard" "$tmp/in/b.log"
"$bin" extract -o "$tmp/2.shard" "$tmp/in/a.log" "$tmp/in/c.log"
"$bin" merge -f json "$tmp/2.shard" "$tmp/1.shard" >"$tmp/merge.json"
"$bin" merge --full-stacks -f json "$tmp/1.shard" "$tmp/2.shard" >"$tmp/merge-full.json"

python3 - "$tmp" <<'PY'
import json, os, sys
tmp = sys.argv[1]
load = lambda n: json.load(open(os.path.join(tmp, n)))
d, full = load("j1.json"), load("full.json")
tr = d["traces"]
assert d["version"] == 2 and full["version"] == 1, (d["version"], full["version"])
assert [os.path.basename(t["source"]) for t in tr] == ["a.log", "b.log", "b.log", "c.log"], tr

# Two identical traces (and a third): one written in full, the others name it.
assert "threads" in tr[0] and "same_stack_as" not in tr[0]
for t in tr[1:3]:
    assert t.get("same_stack_as") == 0 and "threads" not in t, t
    # ...each with its own fields.
    assert t["kind"] == tr[0]["kind"] and t["signature"] == tr[0]["signature"]
assert [t["line"] for t in tr[1:3]] == [2, 23], [t["line"] for t in tr[1:3]]
assert "threads" in tr[3] and "same_stack_as" not in tr[3], "another stack is its own"

# --full-stacks: every trace whole, the repeats equal to the first.
ft = full["traces"]
assert all("threads" in t and "same_stack_as" not in t for t in ft)
assert ft[1]["threads"] == ft[2]["threads"] == ft[0]["threads"] != ft[3]["threads"]

def resolve(doc):
    out = []
    for i, t in enumerate(doc["traces"]):
        t = dict(t)
        if "same_stack_as" in t:
            r = t.pop("same_stack_as")
            assert r < i and "threads" in doc["traces"][r], (i, r)
            t["threads"] = doc["traces"][r]["threads"]
        out.append(t)
    return dict(doc, traces=out, version=None)

assert resolve(d) == dict(full, version=None), "resolved references differ from --full-stacks"

rev = load("reversed.json")
assert rev["traces"] == d["traces"], "the order of the inputs changed the traces"

m, mf = load("merge.json"), load("merge-full.json")
assert m["version"] == 2 and mf["version"] == 1
assert m["traces"] == d["traces"], "merge wrote other references than triage"
assert resolve(m)["traces"] == resolve(mf)["traces"] == resolve(d)["traces"]

try:
    import jsonschema
except ImportError:
    jsonschema = None
if jsonschema:
    schema = json.load(open("docs/crashsift.schema.json"))
    for doc in (d, full, m, mf):
        jsonschema.validate(doc, schema)
    both = json.loads(json.dumps(d))
    both["traces"][1]["threads"] = []
    try:
        jsonschema.validate(both, schema)
        raise AssertionError("a trace with threads and same_stack_as validates")
    except jsonschema.ValidationError:
        pass
print("json refs: 1 passed, 0 failed")
PY

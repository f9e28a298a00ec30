#!/usr/bin/env bash
# Sharded triage (docs/shard.md): `crashsift merge` over shards written by
# `crashsift extract` must give, byte for byte, the JSON report of one
# `crashsift triage` over all the inputs (the "inputs" list aside) - in
# every order of the shards and for another grouping of the inputs - and
# record the same history. Then hostile shards: every problem an error entry
# naming the shard, and the run goes on.
#   tests/shards.sh CRASHSIFT
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The report without its "inputs" array, every other byte kept.
strip_inputs() {
  python3 - "$1" <<'PY'
import re, sys
s = open(sys.argv[1], 'rb').read()
# Pretty or compact (the default for files): the array is cut either way.
m = re.search(rb'\n  "inputs": \[.*?\n  \],\n', s, re.S) or re.search(rb'"inputs":\[[^\]]*\],', s)
if not m:
    sys.exit('no inputs array in ' + sys.argv[1])
sys.stdout.buffer.write(s[:m.start()] + b'\n' + s[m.end():])
PY
}

# Three shards over every bundled fixture; a core stays with its binaries.
s1=(fixtures/go fixtures/java fixtures/junit fixtures/node)
s2=(fixtures/python fixtures/rust fixtures/sanitizers fixtures/gdb fixtures/lookalikes)
s3=(fixtures/native fixtures/cores fixtures/bundle fixtures/hostile)
all=("${s1[@]}" "${s2[@]}" "${s3[@]}")

"$bin" triage -f json "${all[@]}" > "$tmp/triage.json"
strip_inputs "$tmp/triage.json" > "$tmp/triage.body"
grep -Eq '"traces": ?[1-9]' "$tmp/triage.json" || fail "the fixtures gave no traces"

# The shards are made at the same time, as CI jobs would.
"$bin" extract -o "$tmp/1.shard" "${s1[@]}" &
p1=$!
"$bin" extract -j 1 -o "$tmp/2.shard" "${s2[@]}" &
p2=$!
"$bin" extract -o "$tmp/3.shard" "${s3[@]}"
wait $p1 $p2

n=0
for order in "1 2 3" "1 3 2" "2 1 3" "2 3 1" "3 1 2" "3 2 1"; do
  args=()
  for i in $order; do args+=("$tmp/$i.shard"); done
  "$bin" merge -f json "${args[@]}" > "$tmp/merge.json"
  strip_inputs "$tmp/merge.json" > "$tmp/merge.body"
  cmp -s "$tmp/triage.body" "$tmp/merge.body" ||
    { diff "$tmp/triage.body" "$tmp/merge.body" | head -20; fail "merge of shards $order differs from triage"; }
  n=$((n + 1))
done
echo "ok: $n orders of 3 shards give the triage's JSON report byte for byte"

# Another grouping: one shard per fixture folder, merged in reverse.
shards=()
for d in "${all[@]}"; do
  "$bin" extract -o "$tmp/one-$(basename "$d").shard" "$d"
  shards=("$tmp/one-$(basename "$d").shard" "${shards[@]}")
done
"$bin" merge -f json "${shards[@]}" > "$tmp/merge13.json"
strip_inputs "$tmp/merge13.json" > "$tmp/merge13.body"
cmp -s "$tmp/triage.body" "$tmp/merge13.body" || fail "merge of ${#shards[@]} one-folder shards differs"
echo "ok: ${#shards[@]} one-folder shards too"

# Shards in the order of triage's inputs list the same inputs: then every
# format is the same, byte for byte, inputs included.
for f in json text markdown sarif html; do
  "$bin" triage -f $f --color never "${all[@]}" > "$tmp/t.$f"
  "$bin" merge -f $f --color never "$tmp/1.shard" "$tmp/2.shard" "$tmp/3.shard" > "$tmp/m.$f"
  cmp -s "$tmp/t.$f" "$tmp/m.$f" || fail "merge -f $f differs from triage -f $f"
done
echo "ok: json, text, markdown, sarif and html reports are the same bytes"

# History: merge --db records what triage --db records.
export CRASHSIFT_NOW=1793577600
"$bin" triage --db "$tmp/t.db" -f json "${all[@]}" > /dev/null
"$bin" merge --db "$tmp/m.db" -f json "$tmp/2.shard" "$tmp/3.shard" "$tmp/1.shard" > "$tmp/mh.json"
"$bin" history --db "$tmp/t.db" -f json | grep -v '"database"' > "$tmp/t.hist"
"$bin" history --db "$tmp/m.db" -f json | grep -v '"database"' > "$tmp/m.hist"
cmp -s "$tmp/t.hist" "$tmp/m.hist" || fail "merge --db recorded another history than triage --db"
grep -Eq '"status": ?"new"' "$tmp/mh.json" || fail "merge --db: no history status in the report"
unset CRASHSIFT_NOW
echo "ok: merge --db records the same history as triage --db"

# Shards made with other rules (here: K = 5 frames) are normalized again.
"$bin" extract --frames 5 -o "$tmp/k5.shard" "${s1[@]}"
"$bin" merge -f json "$tmp/k5.shard" "$tmp/2.shard" "$tmp/3.shard" > "$tmp/k5.json" 2> "$tmp/k5.err"
grep -q "normalized again" "$tmp/k5.err" || fail "no note about the shard's other signature version"
strip_inputs "$tmp/k5.json" > "$tmp/k5.body"
cmp -s "$tmp/triage.body" "$tmp/k5.body" || fail "a shard of other rules was not normalized again"
echo "ok: a shard of other rules is normalized again, with a note"

# ---- hostile shards ----------------------------------------------------
errors_of() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("\n".join(e["source"]+": "+e["message"] for e in r["errors"]))' "$1"; }
expect_error() { # FILE SHARD WORDS: an error entry about SHARD saying WORDS
  errors_of "$1" | grep -F "$2: " | grep -qF "$3" || { errors_of "$1" >&2; fail "no error entry '$3' for $2"; }
}
good="$tmp/1.shard"
ntr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["traces"])' <("$bin" merge -f json "$good"))

# Malformed lines in the middle: each an error entry, the rest read.
python3 - "$good" "$tmp/bad.shard" <<'PY'
import sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
out = lines[:3] + [b'{"type": "trace", "kind": "go-panic"', b'not json at all', b'[1, 2]',
                   b'{"type": "wormhole"}', b'{"type": "trace", "kind": "nope", "source": "x", "threads": []}',
                   b'{"type": "member", "source": {"hex": "zz"}, "kind": "text", "size": 1}',
                   b'{"type": "trace", "kind": "go-panic", "source": "a", "line": -4, "threads": []}',
                   b'{"type": "error", "source": "a", "message": "m", "message": "twice"}'] + lines[3:]
open(sys.argv[2], 'wb').write(b'\n'.join(out))
PY
"$bin" merge -f json "$tmp/bad.shard" > "$tmp/bad.json"
for w in "shard line 4: not JSON" "shard line 5: not JSON" "shard line 6: not a JSON object" \
         "unknown record type 'wormhole'" "unknown kind 'nope'" "bad hex byte" "out of range" \
         "shard line 11: not JSON: duplicate object key"; do
  expect_error "$tmp/bad.json" "$tmp/bad.shard" "$w"
done
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["traces"])' "$tmp/bad.json")
[ "$got" = "$ntr" ] || fail "bad lines cost good traces: $got of $ntr"

# A record lost in the middle: the end record's counts say so.
sed "$(( $(wc -l < "$good") - 2 ))d" "$good" > "$tmp/drop.shard"
"$bin" merge -f json "$tmp/drop.shard" > "$tmp/drop.json"
expect_error "$tmp/drop.json" "$tmp/drop.shard" "end record says"

# Cut short: the traces before are kept, and it says so.
head -c $(( $(stat -c %s "$good") * 2 / 3 )) "$good" > "$tmp/cut.shard"
"$bin" merge -f json "$tmp/cut.shard" "$tmp/2.shard" > "$tmp/cut.json"
expect_error "$tmp/cut.json" "$tmp/cut.shard" "no end record"

# Not a shard, an empty file, a newer format, garbage: refused, the run goes on.
cp fixtures/go/nil_deref.log "$tmp/log.shard"
: > "$tmp/empty.shard"
sed '1s/"crashsift_shard":1/"crashsift_shard":99/' "$good" > "$tmp/new.shard"
head -c 100000 /dev/urandom > "$tmp/random.shard"
printf '%s\n' "$(head -1 "$good")" > "$tmp/long.shard"
python3 -c 'import sys; sys.stdout.write("{\"type\": \"error\", \"source\": \"" + "x" * (70 << 20) + "\"}\n")' >> "$tmp/long.shard"
"$bin" merge -f json "$tmp/log.shard" "$tmp/empty.shard" "$tmp/new.shard" "$tmp/random.shard" \
  "$tmp/long.shard" "$tmp/2.shard" > "$tmp/hostile.json"
expect_error "$tmp/hostile.json" "$tmp/log.shard" "not a crashsift shard"
expect_error "$tmp/hostile.json" "$tmp/empty.shard" "empty file"
expect_error "$tmp/hostile.json" "$tmp/new.shard" "format version 99"
expect_error "$tmp/hostile.json" "$tmp/random.shard" "not a crashsift shard"
expect_error "$tmp/hostile.json" "$tmp/long.shard" "longer than 64 MiB"
grep -Eq '"traces": ?[1-9]' "$tmp/hostile.json" || fail "the good shard's traces are missing"

# A missing shard fails the merge (a CI job upstream failed).
if "$bin" merge -f json "$tmp/absent.shard" "$good" > /dev/null 2> "$tmp/absent.err"; then
  fail "a missing shard did not fail the merge"
fi
grep -q "absent.shard" "$tmp/absent.err" || fail "the message does not name the missing shard"
echo "ok: hostile shards give error entries; a missing one fails the merge"

#!/usr/bin/env bash
# End-to-end: the binary on the bundled fixtures. Checks the CLI contract
# (help, version, exit codes, usage errors naming the argument), that
# reports are written only where asked, and that output does not depend on
# argument order.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --version | grep -q '^crashsift ' || fail "--version"
"$bin" --help | grep -q 'triage' || fail "--help lists commands"
"$bin" triage --help | grep -q -- '--max-member' || fail "triage --help shows limits"
set +e
"$bin" triage --jobs=zero fixtures 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "bad --jobs exits 2 (got $rc)"
grep -q "'zero'" "$tmp/err" || fail "usage error names the argument"
set +e
"$bin" frobnicate 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown command exits 2"

# Inventory of the bundle lists nested source paths.
"$bin" inventory fixtures/bundle > "$tmp/inv"
grep -q 'fixtures/bundle/artifacts.zip!run-17.zip!logs/test.log' "$tmp/inv" || fail "nested source path"

# Reports are written only to the named output; the inputs are untouched.
snap() { find fixtures -type f -newer "$tmp/stamp" | sort; }
touch "$tmp/stamp"; sleep 1
mkdir "$tmp/out"
"$bin" triage -o "json:$tmp/out/r.json" -o "text:$tmp/out/r.txt" fixtures/go fixtures/hostile fixtures/bundle
[ -z "$(snap)" ] || fail "files changed under fixtures: $(snap)"
[ "$(ls "$tmp/out" | sort | tr '\n' ' ')" = "r.json r.txt " ] || fail "only the named outputs: $(ls "$tmp/out")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]==2 and d["traces"] and d["errors"]' "$tmp/out/r.json" \
  || fail "json report parses and has traces and errors"

# Same input in another order, same bytes.
"$bin" triage -f json fixtures/hostile fixtures/bundle fixtures/go > "$tmp/b.json"
"$bin" triage -f json fixtures/go fixtures/hostile fixtures/bundle > "$tmp/a.json"
python3 - "$tmp/a.json" "$tmp/b.json" <<'PY' || fail "output depends on argument order"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
a.pop("inputs"); b.pop("inputs")
assert a == b
PY
# Any --jobs, same bytes.
"$bin" triage -j 1 -f json fixtures > "$tmp/j1.json"
"$bin" triage -j 2 -f json fixtures > "$tmp/j2.json"
"$bin" triage -j 7 -f json fixtures > "$tmp/j7.json"
cmp -s "$tmp/j1.json" "$tmp/j2.json" || fail "--jobs 1 and --jobs 2 differ"
cmp -s "$tmp/j1.json" "$tmp/j7.json" || fail "--jobs 1 and --jobs 7 differ"
# --exit-code
set +e
"$bin" triage --exit-code fixtures/go/nil_deref.log >/dev/null; rc=$?
set -e
[ "$rc" = 1 ] || fail "--exit-code with traces exits 1 (got $rc)"
echo "e2e: 1 passed, 0 failed"

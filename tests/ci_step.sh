#!/usr/bin/env bash
# crashsift as a CI step: every --fail-on value, a missing input, and an
# installed prefix that still works after it is moved.
#   tests/ci_step.sh BIN BUILD_DIR
set -euo pipefail
bin=$(realpath "$1")
build=$(realpath "$2")
cd "$(dirname "$0")/.."
src=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect RC CMD...: runs CMD, checks its exit status.
expect() {
  local want=$1; shift
  set +e; "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" = "$want" ] || { cat "$tmp/err" >&2; fail "'$*' exited $rc, expected $want"; }
}

go=fixtures/go
java=fixtures/java
# never (the default) and any
expect 0 "$bin" triage "$go"
expect 0 "$bin" triage --fail-on never "$go"
expect 1 "$bin" triage --fail-on any "$go"
expect 1 "$bin" triage --exit-code "$go"
expect 0 "$bin" triage --fail-on any fixtures/lookalikes
# race: the Go fixtures hold a map race, the Java ones none
expect 1 "$bin" triage --fail-on race "$go"
expect 0 "$bin" triage --fail-on race "$java"
# new and regressed need a history
expect 2 "$bin" triage --fail-on new "$go"
grep -q -- '--db' "$tmp/err" || fail "--fail-on new without --db says why"
db="$tmp/h.db"
expect 1 "$bin" triage --db "$db" --fail-on new "$go"   # first batch: all new
expect 0 "$bin" triage --db "$db" --fail-on new "$go"   # same again: recurring
expect 1 "$bin" triage --db "$db" --fail-on new "$java" # java crashes are new
expect 0 "$bin" triage --db "$db" --fail-on regressed "$java"
# Java absent for 3 batches, then back with new occurrences: regressed. Each
# batch needs evidence the history has not seen (re-fed artifacts are no
# batch), so every batch reads a fresh copy.
for i in 1 2 3; do
  cp -r "$go" "$tmp/go$i"
  expect 0 "$bin" triage --db "$db" "$tmp/go$i"
done
cp -r "$java" "$tmp/java-again"
expect 1 "$bin" triage --db "$db" --fail-on regressed "$tmp/java-again"
cp -r "$java" "$tmp/java-once-more"
expect 0 "$bin" triage --db "$db" --fail-on new,regressed "$tmp/java-once-more"
expect 2 "$bin" triage --fail-on sometimes "$go"
grep -q "'sometimes'" "$tmp/err" || fail "a bad --fail-on names the value"
# A missing input is a failed step, not an empty report.
expect 2 "$bin" triage "$go" "$tmp/no-such-dir"
grep -q "no-such-dir" "$tmp/err" || fail "a missing input is named"

# The terminal report: errors grouped by cause with an example, the top
# clusters only unless --all.
"$bin" triage --color=never fixtures/hostile >"$tmp/h.txt"
grep -q '^Errors ([0-9]*, [0-9]* cause(s))' "$tmp/h.txt" || fail "errors by cause"
grep -q "e\.g\. fixtures/hostile/traversal.zip" "$tmp/h.txt" || fail "a cause shows one example"
"$bin" triage --color=never fixtures >"$tmp/all.txt"
grep -q '^Top clusters (10 of' "$tmp/all.txt" || fail "the top 10 clusters by default"
"$bin" triage --color=never --top 3 fixtures >"$tmp/top.txt"
grep -q '^Top clusters (3 of' "$tmp/top.txt" || fail "--top 3"
"$bin" triage --color=never --all fixtures >"$tmp/all.txt"
grep -q '^Clusters (' "$tmp/all.txt" || fail "--all"

# Markdown: a write-up under the 20k budget by default, --all lifts it,
# --only writes one pair or cluster, an unknown id is a usage error.
"$bin" triage -f markdown fixtures >"$tmp/r.md"
[ "$(wc -c <"$tmp/r.md")" -lt 20000 ] || fail "markdown under 20k characters"
"$bin" triage -f markdown --all fixtures >"$tmp/all.md"
[ "$(wc -c <"$tmp/all.md")" -gt "$(wc -c <"$tmp/r.md")" ] || fail "--all writes more"
id=$(grep -o '^### R[0-9a-f]*' "$tmp/r.md" | head -1 | cut -c5-)
"$bin" triage -f markdown --only "$id" fixtures >"$tmp/one.md"
[ "$(grep -c '^### ' "$tmp/one.md")" = 1 ] && grep -q "^### $id: " "$tmp/one.md" || fail "--only $id"
grep -q '^Site A stack' "$tmp/one.md" || fail "a race write-up has a stack excerpt of each site"
expect 2 "$bin" triage -f markdown --only Cffffffffff fixtures
grep -q "Cffffffffff" "$tmp/err" || fail "an unknown --only id is named"

# Install to a prefix, move the prefix, run from elsewhere.
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
mv "$tmp/prefix" "$tmp/moved"
[ -x "$tmp/moved/bin/crashsift" ] || fail "bin/crashsift installed"
[ -f "$tmp/moved/share/crashsift/signatures/go.rules" ] || fail "rules installed"
page="$tmp/moved/share/man/man1/crashsift.1"
[ -f "$page" ] || fail "man page installed"
[ -f "$tmp/moved/share/bash-completion/completions/crashsift" ] || fail "bash completion installed"
# --help, the man page and the completion come from one table: every option
# of every command's --help is in both.
for cmd in triage inventory explain history; do
  for opt in $("$bin" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -qF -- "${opt//-/\\-}" "$page" || fail "man page lacks $cmd $opt"
    grep -q -- " $opt\b" "$tmp/moved/share/bash-completion/completions/crashsift" \
      || fail "completion lacks $cmd $opt"
  done
done
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$page" 2>"$tmp/man.err" | grep -q 'EXIT STATUS' || fail "man -l renders the page"
  [ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err" >&2; fail "man -l warns"; }
else
  echo "note: man is not installed; the page was not rendered"
fi
bash -n "$tmp/moved/share/bash-completion/completions/crashsift" || fail "completion is valid bash"
# The completion completes: commands, then a command's options.
compl() { bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _crashsift; printf "%s\n" "${COMPREPLY[@]}"' _ \
  "$tmp/moved/share/bash-completion/completions/crashsift" "$@"; }
compl crashsift tri | grep -qx triage || fail "completion of commands"
compl crashsift triage --fail | grep -qx -- --fail-on || fail "completion of options"
(cd "$tmp" && env -u CRASHSIFT_SIGNATURES "$tmp/moved/bin/crashsift" triage -f json "$src/$go") >"$tmp/inst.json"
"$bin" triage -f json "$go" >"$tmp/tree.json"
python3 - "$tmp/inst.json" "$tmp/tree.json" <<'PY' || fail "installed binary gives the tree's report"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.pop("inputs", None)
assert a["signature_version"] == b["signature_version"], "same rules version"
assert [c["id"] for c in a["clusters"]] == [c["id"] for c in b["clusters"]], "same clusters"
PY
# A bare binary copied alone keeps its compiled-in rules.
cp "$tmp/moved/bin/crashsift" "$tmp/alone"
(cd "$tmp" && env -u CRASHSIFT_SIGNATURES ./alone triage -f json "$src/$go") >"$tmp/alone.json"
python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert a["signature_version"]==b["signature_version"]' \
  "$tmp/alone.json" "$tmp/tree.json" || fail "a copied binary has the same rules"
echo "ci_step: all checks passed"

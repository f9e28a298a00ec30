#!/usr/bin/env bash
# Commands own their options: an option of another command is rejected with
# exit 2 and a message naming the commands that take it; --help of each
# command lists exactly the options it parses.
set -euo pipefail
bin=$1
fx=$(cd "$(dirname "$0")/../fixtures" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_usage() { # expect_usage NEEDLE ARGS...
  local needle=$1; shift
  set +e
  "$bin" "$@" >/dev/null 2>"$tmp"
  local rc=$?
  set -e
  [ $rc = 2 ] || fail "'$*' exited $rc, expected 2"
  grep -F -- "$needle" "$tmp" >/dev/null || { cat "$tmp"; fail "'$*': message lacks '$needle'"; }
  echo "ok: $* -> 2"
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
expect_usage "'-o' is not an option of explain (it is one of: triage extract merge)" explain -o x "$fx/go"
expect_usage "'--cluster' is not an option of triage (it is one of: explain)" triage --cluster C1 "$fx/go"
expect_usage "'--format' is not an option of extract" extract --format json -o x "$fx/go"
expect_usage "'--since' is not an option of inventory" inventory --since 2026-01-01 "$fx/go"
expect_usage "unknown option '--no-such-option'" triage --no-such-option "$fx/go"
expect_usage "option '--top' needs a value" triage "$fx/go" --top
# Every option --help lists is parsed (a listed but rejected option would fail here).
for cmd in triage inventory explain extract merge history; do
  "$bin" "$cmd" --help | grep -oE '^  (-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | while read -r opt; do
    set +e
    "$bin" "$cmd" "$opt" >/dev/null 2>"$tmp" </dev/null
    set -e
    if grep -E "is not an option|unknown option" "$tmp" >/dev/null; then
      fail "$cmd --help lists $opt but $cmd rejects it"
    fi
  done
  echo "ok: $cmd --help options are all accepted"
done

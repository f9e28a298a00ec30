#!/usr/bin/env bash
# Golden reports: the text and Markdown reports of fixtures/go, compared
# byte for byte with tests/golden/. Run from the source dir so that paths in
# the reports are the relative ones a user sees.
#   tests/golden.sh BIN            compare (exit 1 and a diff on change)
#   tests/golden.sh --update BIN   rewrite the expected files
set -euo pipefail
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--update] BIN" >&2; exit 2; }
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
gold=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name  format  input
cases=(
  "fixtures-go.txt text fixtures/go"
  "fixtures-go.md markdown fixtures/go"
)
fails=0
for c in "${cases[@]}"; do
  read -r name fmt input <<<"$c"
  NO_COLOR= "$bin" triage --color=never -f "$fmt" "$input" >"$tmp/$name"
  # Same input, same bytes: a second run must not differ.
  NO_COLOR= "$bin" triage --color=never -f "$fmt" "$input" | cmp -s - "$tmp/$name" \
    || { echo "FAIL: $name: two runs differ" >&2; fails=$((fails + 1)); }
  if [ "$update" = 1 ]; then
    cp "$tmp/$name" "$gold/$name"
    echo "updated $gold/$name"
  elif ! diff -u "$gold/$name" "$tmp/$name"; then
    echo "FAIL: $name differs from $gold/$name (tests/golden.sh --update BIN to accept)" >&2
    fails=$((fails + 1))
  fi
done
[ "$fails" = 0 ] || exit 1
echo "golden: ${#cases[@]} passed, 0 failed"

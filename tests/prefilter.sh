#!/usr/bin/env bash
# The literal prefilter (src/extract/prefilter.c) offers a dialect only the
# lines that begin with one of its first_chars or hold one of its declared
# literals. It must never change a report: a literal missing from a row (a
# new way to start a trace, added to a dialect's start()) would drop traces.
# This runs triage over fixtures/ and, when present, the shared corpus with
# and without it (CRASHSIFT_NO_PREFILTER=1 offers such dialects every line)
# and fails on any byte of difference.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
corpus=${CS_CORPUS:-../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inputs=(fixtures)
[ -d "$corpus" ] && inputs+=("$corpus")
fail=0
for in in "${inputs[@]}"; do
  name=$(basename "$in")
  # Without --fail-on a finished run exits 0; anything else (a sanitizer's
  # exit 1 too) is a failure, not a report to compare.
  "$bin" triage -j 2 -f json "$in" > "$tmp/$name.on.json" 2>/dev/null ||
    { echo "triage $in failed ($?)"; exit 1; }
  CRASHSIFT_NO_PREFILTER=1 "$bin" triage -j 2 -f json "$in" > "$tmp/$name.off.json" 2>/dev/null ||
    { echo "triage $in (no prefilter) failed ($?)"; exit 1; }
  if cmp -s "$tmp/$name.on.json" "$tmp/$name.off.json"; then
    echo "$in: same report with and without the prefilter ($(wc -c < "$tmp/$name.on.json") bytes)"
  else
    echo "$in: the prefilter changed the report:"
    diff "$tmp/$name.off.json" "$tmp/$name.on.json" | head -40
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "prefilter: ${#inputs[@]} passed, 0 failed"
exit "$fail"

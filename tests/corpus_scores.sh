#!/usr/bin/env bash
# Scores on the shared corpus (tests/corpus_scores.py): share of clusterfuzz
# logs with a trace, and syzkaller reports whose blamed frame is the expected
# title's function. The minimums are the scores reached so far (a guard
# against regressions, not the goal: issue #16 asks 0.95 and 0.9; see
# docs/signatures.md for what is left).
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
corpus=${CS_CORPUS:-../shared/corpus}
if [ ! -f "$corpus/README.md" ]; then
  echo "SKIP: $corpus not found; corpus tests need ../shared/corpus next to the checkout"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" triage -j 2 -f json "$corpus/clusterfuzz" >"$tmp/cf.json" || [ $? -le 1 ]
"$bin" triage -j 2 -f json "$corpus/syzkaller" >"$tmp/syz.json" || [ $? -le 1 ]
python3 tests/corpus_scores.py "$corpus" "$tmp/cf.json" "$tmp/syz.json" --min-cf "${CS_MIN_CF:-0.94}" --min-syz "${CS_MIN_SYZ:-0.90}"

#!/usr/bin/env bash
# Test outcomes on the shared corpus (tests/corpus_tests.py): go-junit-report's
# inputs against its expected JUnit, gotestsum's streams against their own
# events. The minimums are the scores reached (a guard against regressions).
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
corpus=${CS_CORPUS:-../shared/corpus}
if [ ! -d "$corpus/go-junit-report" ] || [ ! -d "$corpus/gotestsum" ]; then
  echo "SKIP: $corpus/go-junit-report or gotestsum not found (corpus tests need ../shared/corpus)"
  exit 77
fi
python3 tests/corpus_tests.py "$bin" "$corpus" --min-gjr "${CS_MIN_GJR:-0.96}" --min-gts "${CS_MIN_GTS:-1.0}"

#!/usr/bin/env bash
# The end-to-end runs under valgrind (a build without sanitizers): no
# invalid access, no uninitialised use, no definite leak. PCRE2's JIT reads
# whole vectors past string ends, which valgrind cannot tell from a bug, so
# these runs use the interpreter (CRASHSIFT_NO_JIT).
#   valgrind.sh BIN
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
  echo "SKIP: valgrind not installed"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CRASHSIFT_NO_JIT=1
vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --child-silent-after-fork=no "$bin" "$@"; }
vg triage -j 2 -f json fixtures > "$tmp/r.json"
vg triage -j 1 -o "markdown:$tmp/r.md" -o "html:$tmp/r.html" -o "sarif:$tmp/r.sarif" fixtures/go
vg inventory fixtures/hostile > /dev/null
vg triage --db "$tmp/h.db" fixtures/go/race_map.log > /dev/null
vg history --db "$tmp/h.db" > /dev/null
vg explain fixtures/go/repanic.log > /dev/null
if [ -d "${CORES:-}" ]; then vg triage "$CORES" > /dev/null; fi
echo "valgrind: 1 passed, 0 failed"

#!/usr/bin/env bash
# The whole shared corpus (../shared/corpus: public real traces, logs and
# cores) goes through triage without a crash, under the sanitizers in CI;
# every error entry is one of the expected kinds, and the expected clusterfuzz
# crash types show up.
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
"$bin" triage -j 2 -f json "$corpus" > "$tmp/r.json"
python3 - "$tmp/r.json" <<'PY'
import json, sys
from collections import Counter
d = json.load(open(sys.argv[1]))
kinds = Counter(t["kind"] for t in d["traces"])
print("traces:", len(d["traces"]), dict(kinds))
assert len(d["traces"]) > 500, "too few traces from the corpus"
for k in ("go-panic", "go-race", "go-fatal", "tsan", "asan", "ubsan", "lsan", "gdb", "java", "python", "rust", "core", "test-failure"):
    assert kinds[k] > 0, "no %s trace in the corpus" % k
expected = ("unknown binary data", "core", "module", "unwind", "thread", "ELF")
bad = [e for e in d["errors"] if not any(x in e["message"] for x in expected)]
for e in bad[:10]:
    print("unexpected error:", e["source"], e["message"])
assert not bad
# Every map race of the corpus is flagged as one.
assert any(r["map_race"] for r in d["races"])
print("corpus: 1 passed, 0 failed")
PY

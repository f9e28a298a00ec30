#!/usr/bin/env bash
# The signature benchmarks of bench/sigbench.py on ../shared/corpus, with
# floors just under the results recorded in docs/signatures.md: a rule
# change that makes crashsift blame worse frames fails here. Skips (77)
# without the corpus.
#   tests/sigbench.sh CRASHSIFT SIGTOOL
set -euo pipefail
bin=$(realpath "$1")
tool=$(realpath "$2")
cd "$(dirname "$0")/.."
corpus=${CS_CORPUS:-../shared/corpus}
if [ ! -f "$corpus/clusterfuzz/EXPECTED_CRASH_STATE.jsonl" ]; then
  echo "SKIP: $corpus not found; the signature benchmarks need ../shared/corpus next to the checkout"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/sigbench.py "$bin" "$tool" "$corpus" --json "$tmp/r.json"
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, p, s, y = r["clusterfuzz"], r["public_traces"], r["socorro"], r["satyr"]
checks = [
    ("clusterfuzz logs with a trace", c["with_trace"] / c["logs"], 0.98),
    # #15 second pass: 0.640 -> 0.654 (demangled names, module-named frames);
    # third pass: 0.654 -> 0.728 (a frameless message and the report after it
    # are one crash); fourth pass: 0.728 -> 0.816 (Fuchsia, LKL and MSan
    # deadly-signal layouts read, a stack overflow starts at its recursion);
    # sixth pass 0.824 (+1 libFuzzer's late stack, -1 a recovered panic first)
    ("clusterfuzz first frame", c["first_frame_equal"] / c["judged"], 0.82),
    # #15 pasted layouts (java/node/gdb/go/rust/ginkgo/testify/glibc dialects
    # read unindented, quoted, cut, headless and glued traces): 0.789 -> 0.908
    # then 0.908 -> 0.946 (race layouts, a Rust panic's place when its
    # backtrace names nothing, pre-1.0 std frames, headless and Markdown-pasted
    # ASan reports); sixth pass 0.973 (pytest setup errors, gin/Gitea stacks, CTest,
    # Java harness frames)
    ("public-traces top frame among first three", p["hit"] / p["judged"], 0.965),
    ("public-traces, files with a trace", p["hit_with_trace"] / p["judged_with_trace"], 0.95),
    ("socorro normalization", s["agree"] / s["cases"], 0.97),
    ("satyr crash frame", y["agree"] / y["checks"], 0.99),
]
bad = 0
for name, got, floor in checks:
    ok = got >= floor
    bad += not ok
    print("%s %-45s %.3f (floor %.3f)" % ("ok  " if ok else "FAIL", name, got, floor))
print("sigbench: %d passed, %d failed" % (len(checks) - bad, bad))
sys.exit(1 if bad else 0)
PY

#!/usr/bin/env bash
# bench/shards.sh - sharded triage against one triage, in the same run:
# `crashsift extract` of two halves of the input at once (as two CI jobs
# would) then one `crashsift merge`, against one `crashsift triage` of all of
# it. Both reports must agree byte for byte (inputs aside). Prints the table
# and writes it into docs/performance.md (between bench-shards markers).
#
#   bash bench/shards.sh              # ~0.4 GB of zipped logs
#   BENCH_GB=0.1 bash bench/shards.sh # quicker
#
# Input: zips of real fixture traces in real noise (bench/gen.py zips; the
# noise is this repository's own text and the look-alike fixtures), under
# $BENCH_TMP (default /tmp/crashsift-bench-shards), removed at the end unless
# BENCH_KEEP=1. Each timing is the median of 3 runs (wall clock, warm cache).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
T=${BENCH_TMP:-/tmp/crashsift-bench-shards}
GB=${BENCH_GB:-0.4}
REPS=${BENCH_REPS:-3}
B=$root/build-bench
CS=$B/crashsift
mkdir -p "$T"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$T"' EXIT

echo "== build (Release) in build-bench"
cmake -S "$root" -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" -j"$(nproc)" --target crashsift >/dev/null

echo "== inputs under $T"
if [ ! -s "$T/noise.txt" ]; then
  git -C "$root" ls-files -z -- src docs tests signatures | (cd "$root" && xargs -0 cat) > "$T/noise.txt"
  cat "$root"/fixtures/lookalikes/*.log >> "$T/noise.txt"
fi
[ -d "$T/zips" ] || python3 bench/gen.py zips "$T/noise.txt" "$T/zips" \
  "$(python3 -c "print(int($GB * 1000**3))")" >/dev/null
mkdir -p "$T/a" "$T/b"
i=0
for z in "$T"/zips/*.zip; do # two halves, alternating, as two jobs' artifacts; hard links: the walk does not follow symlinks
  if [ $((i % 2)) = 0 ]; then ln -f "$z" "$T/a/"; else ln -f "$z" "$T/b/"; fi
  i=$((i + 1))
done
in_bytes=$(du -sb "$T/zips" | cut -f1)

timeit() {
  local ts=()
  for _ in $(seq "$REPS"); do
    local a b
    a=$(date +%s.%N); "$@" >/dev/null 2>&1; b=$(date +%s.%N)
    ts+=("$(echo "$b - $a" | bc)")
  done
  printf '%.3f\n' "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")"
}
one_triage() { "$CS" triage -f json "$T/a" "$T/b" > "$T/triage.json"; }
two_extracts() {
  "$CS" extract -j 1 -o "$T/a.shard" "$T/a" & local p=$!
  "$CS" extract -j 1 -o "$T/b.shard" "$T/b"
  wait $p
}
merge() { "$CS" merge -f json "$T/a.shard" "$T/b.shard" > "$T/merge.json"; }
sharded() { two_extracts && merge; }

t_triage=$(timeit one_triage)
t_sharded=$(timeit sharded)
t_extract=$(timeit two_extracts)
t_merge=$(timeit merge)
strip() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("inputs"); print(json.dumps(r, sort_keys=True))' "$1"; }
[ "$(strip "$T/triage.json")" = "$(strip "$T/merge.json")" ] || { echo "merge and triage disagree" >&2; exit 1; }
traces=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["traces"])' "$T/triage.json")
shard_bytes=$(( $(stat -c %s "$T/a.shard") + $(stat -c %s "$T/b.shard") ))
ratio=$(printf '%.2f' "$(echo "scale=6; $t_sharded / $t_triage" | bc)")

table=$(cat <<TAB
| run (${in_bytes} bytes of zipped logs, ${traces} traces, $(nproc) cores) | seconds |
|---|---|
| one \`crashsift triage\` (\`-j $(nproc)\`) | $t_triage |
| 2 × \`crashsift extract -j 1\` at once, then \`crashsift merge\` | $t_sharded |
| &nbsp;&nbsp;of which the two extracts | $t_extract |
| &nbsp;&nbsp;of which the merge (${shard_bytes} bytes of shards) | $t_merge |
| **sharded / one triage** | **$ratio** |
TAB
)
echo "$table"
python3 - "$root/docs/performance.md" "$table" <<'PY'
import sys
p, table = sys.argv[1], sys.argv[2]
s = open(p).read()
b, e = "<!-- bench-shards:begin -->", "<!-- bench-shards:end -->"
block = b + "\n" + table + "\n" + e
if b in s:
    s = s[:s.index(b)] + block + s[s.index(e) + len(e):]
else:
    s = s.rstrip("\n") + "\n\n## Sharded triage (bench/shards.sh)\n\n" + block + "\n"
open(p, "w").write(s)
PY

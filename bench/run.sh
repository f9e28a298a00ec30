#!/usr/bin/env bash
# bench/run.sh - crashsift side by side with a baseline, in the same run,
# reported as ratios, on synthetic inputs (fixture traces in noise). Prints
# the table; docs/performance.md holds bench/side.py's figures (real
# material), which replaced these.
#
#   bash bench/run.sh            # all benchmarks (~15 min on 2 cores)
#   BENCH_GB=0.2 bash bench/run.sh   # smaller inputs, for a quick look
#
# Inputs are generated from real material under $BENCH_TMP (default
# /tmp/crashsift-bench; ~3.5 GB at BENCH_GB=1) and removed at the end unless
# BENCH_KEEP=1. Each timing is the median of 3 runs (wall clock, warm cache).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
T=${BENCH_TMP:-/tmp/crashsift-bench}
GB=${BENCH_GB:-1}
REPS=${BENCH_REPS:-3}
B=$root/build-bench
CS=$B/crashsift
mkdir -p "$T"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$T"' EXIT
bytes() { python3 -c "print(int($GB * $1 * 1000**3))"; }

echo "== build (Release) in build-bench"
cmake -S "$root" -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" -j"$(nproc)" --target crashsift >/dev/null
command -v panicparse >/dev/null || { echo "== installing panicparse (benchmark only)"; apt-get install -y panicparse >/dev/null 2>&1 || true; }

# median of REPS wall-clock runs of "$@" (stdout to /dev/null)
timeit() {
  local ts=()
  for _ in $(seq "$REPS"); do
    local a b
    a=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; b=$(date +%s.%N)
    ts+=("$(echo "$b - $a" | bc)")
  done
  printf '%.3f\n' "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")"
}
ratio() { printf '%.3f' "$(echo "scale=6; $1 / $2" | bc)"; }
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); printf '%-34s %-10s %-34s %-10s %s\n' "$1" "$2" "$3" "$4" "$5"; }

echo "== inputs (real fixture traces in real noise) under $T"
if [ ! -s "$T/noise.txt" ]; then
  # Real noise: a verbose build of crashsift itself, `go test -v` passing
  # output of a few standard packages, and the look-alike fixtures.
  rm -rf "$T/src" && mkdir -p "$T/src"
  git -C "$root" archive HEAD | tar -x -C "$T/src"
  { cmake -S "$T/src" -B "$T/src/b" -DCMAKE_BUILD_TYPE=Release -DCS_TESTS=ON 2>&1
    make -C "$T/src/b" VERBOSE=1 -j"$(nproc)" 2>&1; } >"$T/noise.txt" || true
  if command -v go >/dev/null; then
    (cd "$(go env GOROOT)/src" && GOFLAGS= GOCACHE="$T/gocache" go test -v -count=1 -short \
      strings bytes sort strconv unicode/utf8 container/list regexp text/template encoding/json \
      math/big 2>&1) >>"$T/noise.txt" || true
  fi
  cat "$root"/fixtures/lookalikes/*.log >>"$T/noise.txt"
  rm -rf "$T/src" "$T/gocache"
fi
[ -s "$T/big.log" ] || python3 bench/gen.py log "$T/noise.txt" "$T/big.log" "$(bytes 1.1)" >/dev/null
[ -d "$T/zips" ] || python3 bench/gen.py zips "$T/noise.txt" "$T/zips" "$(bytes 1.05)" >/dev/null
[ -s "$T/dump.log" ] || python3 bench/gen.py goroutines "$T/dump.log" 20000
[ -d "$T/cluster" ] || python3 bench/gen.py cluster "$T/cluster" 100000
log_mb=$(( $(stat -c %s "$T/big.log") / 1000000 ))
zip_mb=$(for z in "$T"/zips/*.zip; do unzip -Zt "$z"; done | awk '{s+=$3} END {print int(s/1000000)}')
zip_c_mb=$(( $(du -sb "$T/zips" | cut -f1) / 1000000 ))

printf '\n%-34s %-10s %-34s %-10s %s\n' benchmark crashsift baseline baseline ratio
echo "--------------------------------------------------------------------------------------------------"
# (1) plain log vs grep on the anchor words
anchors='panic: |fatal error: |goroutine [0-9]+ \[|Traceback \(most recent call last\)|Exception in thread|ERROR: AddressSanitizer|WARNING: ThreadSanitizer|WARNING: DATA RACE|runtime error:|SIGSEGV|panicked at|^#[0-9]+ +0x'
t_cs=$(timeit "$CS" triage -j1 --color never "$T/big.log")
# (to a file: GNU grep stops at the first match when stdout is /dev/null)
t_gr=$(timeit sh -c 'grep -c -E "$1" "$2" >"$3"' - "$anchors" "$T/big.log" "$T/grep.out")
row "plain log, ${log_mb} MB" "${t_cs}s" "grep -c -E <anchors>" "${t_gr}s" "$(ratio "$t_cs" "$t_gr")x"

# (2) zipped artifacts vs unzip -p
t_cs1=$(timeit "$CS" triage -j1 --color never "$T/zips")
t_cs2=$(timeit "$CS" triage -j2 --color never "$T/zips")
t_uz=$(timeit sh -c "for z in '$T'/zips/*.zip; do unzip -p \"\$z\" >/dev/null; done")
row "zips, ${zip_mb} MB (${zip_c_mb} MB zipped), -j1" "${t_cs1}s" "unzip -p > /dev/null" "${t_uz}s" "$(ratio "$t_cs1" "$t_uz")x"
row "zips, same, -j2" "${t_cs2}s" "unzip -p > /dev/null" "${t_uz}s" "$(ratio "$t_cs2" "$t_uz")x"

# (3) a goroutine dump vs panicparse
dump_mb=$(( $(stat -c %s "$T/dump.log") / 1000000 ))
t_cs=$(timeit "$CS" triage -j1 --color never "$T/dump.log")
if command -v panicparse >/dev/null; then
  t_pp=$(timeit sh -c "panicparse -no-color '$T/dump.log' >/dev/null 2>&1")
  row "Go dump, 20,000 goroutines (${dump_mb} MB)" "${t_cs}s" "panicparse" "${t_pp}s" "$(ratio "$t_cs" "$t_pp")x"
else
  row "Go dump, 20,000 goroutines" "${t_cs}s" "panicparse (not installed)" "-" "-"
fi

# (4) clustering 100,000 traces
n_tr=$("$CS" triage -j1 --color never "$T/cluster" | sed -n '1s/.* \([0-9]*\) trace(s).*/\1/p')
t_cs=$(timeit "$CS" triage -j1 --color never "$T/cluster")
row "cluster ${n_tr} Go traces" "${t_cs}s" "-" "-" "$(echo "$n_tr / $t_cs" | bc) traces/s"

# (5) peak RSS over a 2 GB pile (the log and the zips together)
rss_kb=$( { /usr/bin/time -v "$CS" triage --color never "$T/big.log" "$T/zips" >/dev/null; } 2>&1 |
          awk -F': ' '/Maximum resident/ {print $2}')
pile_mb=$(( log_mb + zip_mb ))
row "peak RSS, ${pile_mb} MB pile" "$(( rss_kb / 1024 )) MB" "pile size" "${pile_mb} MB" "$(printf '%.3f' "$(echo "scale=6; $rss_kb / 1024 / $pile_mb" | bc)")x"

# (6) cores of one binary vs eu-stack and gdb
bin=$B/bench-segv
if gcc -g -O0 -o "$bin" fixtures/cores/src/segv.c 2>/dev/null; then
  mkdir -p "$T/cores1"
  (cd "$T/cores1" && ulimit -c 0 && gdb -batch -ex run -ex "generate-core-file $T/cores1/c.core" "$bin" >/dev/null 2>&1) || true
fi
if [ -s "$T/cores1/c.core" ] && "$CS" triage --color never "$bin" "$T/cores1/c.core" | grep -q ' 1 trace(s)'; then
  for N in 1 10 100; do
    d=$T/cores-$N; mkdir -p "$d"; cp "$bin" "$d/"
    for i in $(seq "$N"); do cp "$T/cores1/c.core" "$d/c$i.core"; done
    t_cs=$(timeit "$CS" triage -j1 --color never "$d")
    t_eu=$(timeit sh -c "for c in '$d'/*.core; do eu-stack --core \"\$c\" -e '$bin' >/dev/null 2>&1; done")
    t_gdb=$(timeit sh -c "for c in '$d'/*.core; do gdb -batch -ex 'thread apply all bt' '$bin' \"\$c\" >/dev/null 2>&1; done")
    row "cores of one binary, N=$N" "${t_cs}s" "eu-stack --core" "${t_eu}s" "$(ratio "$t_cs" "$t_eu")x"
    row "cores of one binary, N=$N" "${t_cs}s" "gdb -batch thread apply all bt" "${t_gdb}s" "$(ratio "$t_cs" "$t_gdb")x"
    rm -rf "$d"
  done
else
  row "cores (TODO: src/core not working)" "-" "eu-stack / gdb" "-" "-"
fi
rm -f "$bin"

# The table section of docs/performance.md
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
  echo "<!-- bench:begin -->"
  echo "Measured $(date -u +%Y-%m-%d) on $cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM,"
  echo "commit $(git rev-parse --short HEAD) (+ working tree), median of $REPS runs, warm page cache."
  echo "Ratio = crashsift time / baseline time (below 1: crashsift is faster)."
  echo
  echo "| benchmark | crashsift | baseline | baseline time | ratio |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo "<!-- bench:end -->"
} >"$T/table.md"
# The table of docs/performance.md is bench/side.py's (real material, before
# and after); this script's synthetic figures are printed only.
cat "$T/table.md"

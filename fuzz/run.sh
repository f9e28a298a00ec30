#!/usr/bin/env bash
# fuzz/run.sh SECONDS [HARNESS...] - builds the libFuzzer harnesses with clang
# (ASan + UBSan) in build-fuzz and runs each for SECONDS (default 60).
# Seeds: fuzz/corpus/<name>/ and the fixture folders named in
# fuzz/CMakeLists.txt; new coverage goes to build-fuzz/corpus/<name>/ (never
# committed). A crash, leak or hang is saved under fuzz/crashes/ and makes
# the script exit 1: minimize it, fix it, and copy it into
# fuzz/corpus/<name>/ so the replay test keeps it fixed.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
root=$PWD
build=$root/build-fuzz
command -v clang >/dev/null || { echo "fuzz/run.sh: clang not found: apt-get install clang libclang-rt-14-dev" >&2; exit 2; }

CC=clang cmake -S "$root" -B "$build" -DCS_FUZZ=ON -DCS_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
cmake --build "$build" -j"$(nproc)" >/dev/null || { echo "fuzz/run.sh: build failed" >&2; exit 2; }

mkdir -p "$root/fuzz/crashes"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
n_ok=0
n_fail=0
while read -r name seeds; do
  [ -n "$name" ] || continue
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name" && ! printf '%s\n' "$@" | grep -qx "${name#fuzz_}"; then
    continue
  fi
  work=$build/corpus/$name
  mkdir -p "$work"
  dirs=()
  for d in $seeds; do [ -d "$d" ] && dirs+=("$d"); done
  log=$build/$name.log
  start=$(date +%s)
  extra_env=()
  if [ "$name" = fuzz_core ]; then
    # Full stacks through libdw (no frame pointers) so the suppression matches.
    extra_env=(ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
               LSAN_OPTIONS="suppressions=$root/fuzz/lsan-libdw.supp:print_suppressions=0")
  fi
  env "${extra_env[@]}" "$build/fuzz/$name" "$work" "${dirs[@]}" -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=10 -max_len=262144 -print_final_stats=1 \
    -artifact_prefix="$root/fuzz/crashes/$name-" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  if [ $rc -ne 0 ]; then
    status=1
    n_fail=$((n_fail + 1))
    echo "FAIL $name after $(( $(date +%s) - start ))s (exit $rc): see $log and fuzz/crashes/"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*deadly signal|.*timeout after)' "$log" | head -5
  else
    echo "ok   $name  ${secs}s  ${runs:-?} runs  cov ${cov:-?}"
    n_ok=$((n_ok + 1))
  fi
done <"$build/fuzz/seeds.txt"
echo "fuzz: $n_ok passed, $n_fail failed"
exit $status

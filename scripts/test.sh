#!/usr/bin/env bash
# Sets everything up, builds with AddressSanitizer + UBSan and -Werror, and
# runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test --sanitize --werror
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build
ctest --output-on-failure -j"$(nproc)"
cd ..
# The end-to-end runs again under valgrind, on a build without sanitizers.
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=Debug -DCS_TESTS=OFF -DCS_WERROR=ON >/dev/null
cmake --build build-valgrind -j"$(nproc)" --target crashsift
CORES=build/cores bash tests/valgrind.sh build-valgrind/crashsift
cd build
# CI: a short fuzz of every harness (fuzz/run.sh builds with clang in
# build-fuzz); a crash, leak or hang fails the run and is saved in fuzz/crashes/.
if [ "${CI:-}" = true ] && command -v clang >/dev/null; then
  cd ..
  bash fuzz/run.sh 20
fi

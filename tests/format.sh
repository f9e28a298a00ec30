#!/usr/bin/env bash
# The committed .clang-format holds for the project's C code (src, tests,
# fuzz; fixture programs keep their layout: their traces quote their lines): CI fails on a file that
# clang-format would change. Skips (77) when clang-format is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$cf" ]; then
  echo "SKIP: clang-format not installed (scripts/setup.sh --test installs clang-format-14)"
  exit 77
fi
mapfile -t files < <(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'fuzz/*.[ch]' 2>/dev/null || find src tests fuzz -name '*.[ch]')
[ ${#files[@]} -gt 0 ] || { echo "format: no C files found" >&2; exit 1; }
"$cf" --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files clean"

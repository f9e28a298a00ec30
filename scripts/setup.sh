#!/usr/bin/env bash
# Installs what crashsift needs on Debian 12 (idempotent: only what is
# missing), then configures and builds into build/.
#   scripts/setup.sh [--test] [--sanitize] [--werror]
# Without --test: what building and running needs, and a build without the
# tests (the demo). With --test: the test tools too, and the tests are built.
set -euo pipefail
cd "$(dirname "$0")/.."

# What building and running needs, by Debian package name.
run_pkgs=(
  build-essential cmake pkg-config
  libdw-dev libelf-dev libzip-dev libarchive-dev libpcre2-dev zlib1g-dev liblzma-dev libzstd-dev libbz2-dev
  libexpat1-dev libsqlite3-dev libpq-dev libjansson-dev
)
# What the tests add.
test_pkgs=(
  libcmocka-dev gdb elfutils binutils python3 valgrind man-db clang-format-14
  postgresql  # history tests start a private PostgreSQL server (initdb + pg_ctl)
  python3-pytest  # regenerates fixtures/pytest and fixtures/python (make.sh)
  clang libclang-rt-14-dev  # fuzzing (libFuzzer)
  python3-jsonschema python3-yaml chromium  # report tests: SARIF schema, CI docs, HTML in a browser
)
tests=OFF
for a in "$@"; do [ "$a" = --test ] && tests=ON; done
pkgs=("${run_pkgs[@]}")
[ "$tests" = ON ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "crashsift setup: missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 2
  fi
  echo "crashsift setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

sanitize=OFF
werror=OFF
for a in "$@"; do
  case "$a" in
    --sanitize) sanitize=ON ;;
    --werror) werror=ON ;;
    --test) ;;
    *) echo "crashsift setup: unknown option '$a'" >&2; exit 2 ;;
  esac
done
build_type=RelWithDebInfo
[ "$sanitize" = ON ] && build_type=Debug
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" -DCS_SANITIZE="$sanitize" \
  -DCS_WERROR="$werror" -DCS_TESTS="$tests" >/dev/null
cmake --build build -j"$(nproc)"

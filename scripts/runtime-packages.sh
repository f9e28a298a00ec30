#!/usr/bin/env bash
# Prints the Debian packages whose shared libraries BIN loads, one a line,
# sorted: what a machine needs to run an installed crashsift (the Dockerfile's
# runtime stage installs exactly these).
#   scripts/runtime-packages.sh BIN
set -euo pipefail
bin=$1
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do
  # Debian 12 is merged-/usr: a library may be registered under /lib or /usr/lib.
  real=$(realpath "$lib")
  for p in "$lib" "$real" "/usr${real#/usr}" "${real#/usr}"; do
    if out=$(dpkg -S "$p" 2>/dev/null); then
      echo "${out%%:*}"
      break
    fi
  done
done | sed 's/:.*//' | sort -u

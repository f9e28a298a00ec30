#!/usr/bin/env bash
# The module-boundary check (cmake/check_layers.cmake) passes on src/ and
# fails, naming the file, on each kind of forbidden include planted in a copy.
#   tests/layers.sh BUILD/layers.txt
set -euo pipefail
layers=$1
here=$(cd "$(dirname "$0")/.." && pwd)
check() { cmake -DLAYERS="$layers" -DSRC="$1" -P "$here/cmake/check_layers.cmake" >"$tmp/out" 2>&1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check "$here/src" || { cat "$tmp/out"; echo "FAIL: the check rejects src/ itself"; exit 1; }

# plant FILE LINE EXPECTED: the copy with LINE added to FILE must fail, and
# the message must name the file and say why.
plant() {
  rm -rf "$tmp/src"
  cp -r "$here/src" "$tmp/src"
  printf '%s\n' "$2" >>"$tmp/src/$1"
  if check "$tmp/src"; then
    echo "FAIL: '$2' in $1 passed the boundary check"
    exit 1
  fi
  grep -F "src/$1:" "$tmp/out" >/dev/null || { cat "$tmp/out"; echo "FAIL: message does not name src/$1"; exit 1; }
  grep -F "$3" "$tmp/out" >/dev/null || { cat "$tmp/out"; echo "FAIL: message does not say '$3'"; exit 1; }
  echo "ok: $1 + $2 rejected"
}
plant cluster/cluster.c '#include "../normalize/normalize.h"' "module 'cluster' may not use 'normalize'"
plant extract/go.c '#include "../report/report.h"' "module 'extract' may not use 'report'"
plant model/model.c '#include "race/race.h"' "module 'model' may not use 'race'"
plant report/json.c '#include <sqlite3.h>' "only module 'history' may include it"
plant ingest/ingest.c '#include "../nosuch/x.h"' "'nosuch' is not a module"
rm -rf "$tmp/src" && cp -r "$here/src" "$tmp/src" && mkdir "$tmp/src/stray"
if check "$tmp/src"; then echo "FAIL: an undeclared module folder passed"; exit 1; fi
grep -F "src/stray/ is not a declared module" "$tmp/out" >/dev/null || { cat "$tmp/out"; exit 1; }
echo "ok: undeclared folder rejected"

#!/usr/bin/env bash
# Builds the crashers of fixtures/cores/src and makes REAL cores of them with
# gdb (generate-core-file does not depend on the machine's core_pattern).
#   make_cores.sh SRC_DIR OUT_DIR
# OUT_DIR/bin: the binaries, moved away from where they ran, so the paths
# recorded in the cores do not resolve and the tests must find them by
# build-id. OUT_DIR/cores: the cores. OUT_DIR/missing: a core whose binary
# was deleted. Skips the work when OUT_DIR/stamp is newer than the sources.
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -f $out/stamp && -z $(find "$src" "$0" -newer "$out/stamp" -print -quit) ]]; then
  exit 0
fi
rm -rf "$out/work" "$out/bin" "$out/cores" "$out/missing"
mkdir -p "$out/work" "$out/bin" "$out/cores" "$out/missing"
cd "$out/work"

CC=${CC_CRASHER:-gcc}
CXX=${CXX_CRASHER:-g++}
cc() { "$CC" -g "$@"; }

cc -O0 -fno-omit-frame-pointer -o segv_O0 "$src/segv.c"
cc -O0 -fomit-frame-pointer -o segv_O0_nofp "$src/segv.c"
cc -O2 -fomit-frame-pointer -o segv_O2 "$src/segv.c"
cc -O2 -no-pie -fno-pie -o segv_nopie "$src/segv.c"
cc -O0 -o abort_O0 "$src/abort.c"
cc -O0 -o overflow_O0 "$src/overflow.c"
cc -O2 -o inline_O2 "$src/inline.c"
"$CXX" -g -O2 -pthread -o mt_O2 "$src/mt.cpp"
"$CXX" -g -O0 -pthread -o mt_O0 "$src/mt.cpp"
# Two threads writing one unordered_map without a lock (the race module's core evidence).
"$CXX" -g -O1 -pthread -o maprace "$src/maprace.cpp"
# Two threads, each inside its own container (std::map, std::unordered_map):
# two threads in map code at once that are no map race.
"$CXX" -g -O1 -pthread -o twomaps "$src/twomaps.cpp"
# Stripped: no symbols, no DWARF; frames show module+offset only.
cc -O2 -o stripped "$src/segv.c"
strip stripped
# Stripped, but linked with -rdynamic: its functions stay in .dynsym, the
# nearest exported symbol is all a core can name.
cc -O2 -rdynamic -o stripped_dyn "$src/segv.c"
strip stripped_dyn
# Stripped, run against a private copy of libc that is gone afterwards: a
# core from a CI machine whose libc the triage machine does not have. Both
# its own and libc's frames are then module@build-id+offset only.
cc -O2 -o foreign "$src/segv.c"
strip foreign
mkdir -p foreign-lib
cp "$(ldd ./foreign | awk '/libc\.so/ { print $3 }')" foreign-lib/
# Separate debug file: stripped binary + split.debug (build-id and debuglink).
cc -O2 -o split "$src/segv.c"
objcopy --only-keep-debug split split.debug
strip --strip-debug --strip-unneeded split
objcopy --add-gnu-debuglink=split.debug split
# The binary of this one is deleted after the core is made.
cc -O0 -DMISSING_VARIANT=1 -o gone "$src/segv.c"

core() { # core NAME BINARY ARGS...  (CORE_ENV: one VAR=value for the program)
  local name=$1 bin=$2
  shift 2
  local env=()
  [[ -n ${CORE_ENV:-} ]] && env=(-ex "set environment $CORE_ENV")
  timeout 120 gdb -nx -batch -iex 'set debuginfod enabled off' -ex 'set pagination off' \
    -ex 'set startup-with-shell off' "${env[@]}" -ex run -ex "generate-core-file $name.core" \
    -ex kill --args "./$bin" "$@" >"$name.gdb.log" 2>&1 || true
  if [[ ! -s $name.core ]]; then
    echo "make_cores.sh: gdb made no core for $name; see $out/work/$name.gdb.log" >&2
    exit 1
  fi
}
core segv_O0_a segv_O0 a
core segv_O0_b segv_O0 b
core segv_O0_nofp segv_O0_nofp a
core segv_O2 segv_O2 a
core segv_nopie segv_nopie b
core abort abort_O0
core overflow overflow_O0
core inline_O2 inline_O2
core mt_O2 mt_O2
core mt_O0 mt_O0
# The map race crashes wherever the race strikes: keep a core in which both
# writers are inside the hashtable (what the race module's core evidence
# needs), trying again a few times if one thread was between calls.
for try in 1 2 3 4 5 6 7 8 9 10; do
  core maprace maprace
  both=$(gdb -nx -batch -iex 'set debuginfod enabled off' -ex 'thread apply all bt' \
    ./maprace maprace.core 2>/dev/null | awk '
      /^Thread [0-9]+/ { if (h && u) n++; h = 0; u = 0 }
      /_Hashtable|_Map_base|__detail::|_M_insert|_M_erase|_M_rehash/ { h = 1 }
      /record_hit|evict_key/ { u = 1 }
      END { if (h && u) n++; print n + 0 }')
  [ "$both" -ge 2 ] && break
  rm -f maprace.core
done
[ -s maprace.core ] || { echo "make_cores.sh: no core of maprace with both writers in the map" >&2; exit 1; }
for try in 1 2 3 4 5 6 7 8 9 10; do
  core twomaps twomaps
  both=$(gdb -nx -batch -iex 'set debuginfod enabled off' -ex 'thread apply all bt' \
    ./twomaps twomaps.core 2>/dev/null | awk '
      /^Thread [0-9]+/ { if (h && u) n++; h = 0; u = 0 }
      /_Hashtable|_Map_base|__detail::|_Rb_tree|std::map</ { h = 1 }
      /bump_rank|bump_count/ { u = 1 }
      END { if (h && u) n++; print n + 0 }')
  [ "$both" -ge 2 ] && break
  rm -f twomaps.core
done
[ -s twomaps.core ] || { echo "make_cores.sh: no core of twomaps with both threads in their maps" >&2; exit 1; }
core stripped stripped a
core stripped_dyn stripped_dyn b
CORE_ENV="LD_LIBRARY_PATH=$out/work/foreign-lib" core foreign foreign a
rm -rf foreign-lib
core split split a
core gone gone a

mv ./*.core "$out/cores/"
mv "$out/cores/gone.core" "$out/missing/"
rm -f gone
for f in segv_O0 segv_O0_nofp segv_O2 segv_nopie abort_O0 overflow_O0 inline_O2 mt_O2 mt_O0 \
  maprace twomaps stripped stripped_dyn foreign split split.debug; do
  mv "$f" "$out/bin/"
done
touch "$out/stamp"

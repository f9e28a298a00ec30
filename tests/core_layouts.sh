#!/usr/bin/env bash
# Real cores (tests/make_cores.sh, ctest fixture "cores") packed the way CI
# jobs upload them, each layout triaged on its own and all together:
#   one.zip        core + binary in one zip (core first: member order must not matter)
#   gz.zip         core.gz + binary in one zip
#   nested.zip     core + a zip holding the binary
#   bin.zip core.zip  the binary in one zip, the core in another
#   xz.zip         core + binary.xz (a compressed member) + split binary and its .debug
#   pile/          all of the above, stripped and -rdynamic cores with their binaries,
#                  and a core whose binary is missing
# Asserts the symbolized frames of every layout, both map writers of the
# race core, that no cluster holds cores of two programs' build-ids, that
# -j1 and -j2 give the same bytes, the inventory's kinds and build-ids, and
# that the missing-binary error names the build-id and the expected path.
#   core_layouts.sh BIN CORES_DIR
set -euo pipefail
bin=$(realpath "$1")
cores=$(realpath "$2")
[[ -f $cores/stamp ]] || { echo "cores missing: run tests/make_cores.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
c=$cores/cores
b=$cores/bin
mkdir stage pile
cp "$c"/segv_O0_a.core "$c"/mt_O2.core "$c"/abort.core "$c"/maprace.core "$c"/split.core \
  "$c"/stripped.core "$c"/stripped_dyn.core "$cores"/missing/gone.core stage/
cp "$b"/segv_O0 "$b"/mt_O2 "$b"/abort_O0 "$b"/maprace "$b"/split "$b"/split.debug \
  "$b"/stripped "$b"/stripped_dyn stage/
cd stage
zip -q ../one.zip segv_O0_a.core segv_O0
gzip -k mt_O2.core
zip -q ../gz.zip mt_O2.core.gz mt_O2
zip -q inner.zip abort_O0
zip -q ../nested.zip abort.core inner.zip
zip -q ../bin.zip maprace
zip -q ../core.zip maprace.core
xz -k split
zip -q ../xz.zip split.core split.xz split.debug
cd ..
cp one.zip gz.zip nested.zip bin.zip core.zip xz.zip pile/
cp stage/stripped.core stage/stripped stage/stripped_dyn.core stage/stripped_dyn stage/gone.core pile/

"$bin" triage -j 1 -f json one.zip >one.json
"$bin" triage -j 1 -f json gz.zip >gz.json
"$bin" triage -j 1 -f json nested.zip >nested.json
"$bin" triage -j 1 -f json core.zip bin.zip >split-zips.json
"$bin" triage -j 1 -f json xz.zip >xz.json
"$bin" triage -j 1 -f json stage/stripped.core stage/stripped >stripped.json
"$bin" triage -j 1 -f json pile >pile.json
"$bin" triage -j 2 -f json pile >pile-j2.json
cmp -s pile.json pile-j2.json || { echo "FAIL: -j1 and -j2 differ on the pile" >&2; exit 1; }
"$bin" triage --color=never pile >pile.txt
"$bin" inventory pile >inventory.txt
"$bin" inventory stage >stage-inventory.txt

python3 - <<'PY'
import json, re

def load(name):
    # A stack repeating an earlier trace's names it (docs/json-schema.md).
    d = json.load(open(name))
    for t in d["traces"]:
        if "same_stack_as" in t:
            t["threads"] = d["traces"][t["same_stack_as"]]["threads"]
    return d

def crashed(t):
    return t["threads"][0]

def named(th):
    # Function names without their argument lists (C++ names as demangled).
    return [re.sub(r"\(.*$", "", f["function"]) for f in th["frames"] if f.get("function")]

def core(d, suffix):
    ts = [t for t in d["traces"] if t["kind"] == "core" and t["source"].endswith(suffix)]
    assert len(ts) == 1, (suffix, [t["source"] for t in d["traces"]])
    return ts[0]

def expect_frames(d, suffix, want, thread=None):
    t = core(d, suffix)
    ths = t["threads"] if thread is None else [t["threads"][thread]]
    for th in ths:
        fs = named(th)
        it = iter(fs)
        if all(w in it for w in want):  # in this order
            return t
    raise AssertionError("%s: %s not in %s" % (suffix, want, [named(th) for th in ths]))

def no_missing(d):
    bad = [e for e in d["errors"] if "not found" in e["message"]]
    assert not bad, bad

def check_all(d):
    expect_frames(d, "one.zip!segv_O0_a.core", ["store_value", "path_a", "main"], 0)
    expect_frames(d, "gz.zip!mt_O2.core.gz", ["lookup", "worker"], 0)
    t = expect_frames(d, "gz.zip!mt_O2.core.gz", ["waiter"])
    assert len(t["threads"]) == 5, len(t["threads"])
    expect_frames(d, "nested.zip!abort.core", ["check_invariant", "main"], 0)
    # libc's frames above the assertion stay in the shown trace...
    top = named(crashed(core(d, "nested.zip!abort.core")))[:3]
    assert any(re.search(r"raise|abort|pthread_kill", f) for f in top), top
    # ...but the signature starts at the program's own frame.
    assert core(d, "nested.zip!abort.core")["signature"].endswith("@ check_invariant | main")
    mr = core(d, "core.zip!maprace.core")
    sites = set()
    for th in mr["threads"]:
        fs = named(th)
        if any("_Hashtable" in f or "__detail" in f for f in fs):
            sites.update(f for f in fs if f in ("record_hit", "evict_key"))
    assert sites == {"record_hit", "evict_key"}, sites
    expect_frames(d, "xz.zip!split.core", ["store_value", "path_a", "main"], 0)

one, gz, nested, sz, xz = (load(n) for n in ("one.json", "gz.json", "nested.json",
                                              "split-zips.json", "xz.json"))
for d in (one, gz, nested, sz, xz):
    no_missing(d)
expect_frames(one, "one.zip!segv_O0_a.core", ["store_value", "path_a", "main"], 0)
expect_frames(gz, "gz.zip!mt_O2.core.gz", ["lookup", "worker"], 0)
expect_frames(nested, "nested.zip!abort.core", ["check_invariant", "main"], 0)
expect_frames(sz, "core.zip!maprace.core", ["main"])
expect_frames(xz, "xz.zip!split.core", ["store_value", "path_a", "main"], 0)

pile = load("pile.json")
check_all(pile)
# A map race from the core: both writers, core evidence.
mraces = [r for r in pile["races"] if r["map_race"] and
          {s["function"] for s in r["sites"]} == {"record_hit", "evict_key"}]
assert mraces, [(r["sites"], r["map_race"]) for r in pile["races"]]
# Stripped: module@build-id+offset; -rdynamic stripped: the nearest .dynsym name, marked.
st = core(load("stripped.json"), "stage/stripped.core")
assert re.search(r"@ stripped@[0-9a-f]{40}\+0x[0-9a-f]+", st["signature"]), st["signature"]
# In the pile, split.debug (xz.zip) is the debug file of the very same build
# (same source and flags, so the same build-id): it names the stripped core.
expect_frames(pile, "pile/stripped.core", ["store_value", "path_a", "main"], 0)
sd = core(pile, "pile/stripped_dyn.core")
f0 = crashed(sd)["frames"][0]
assert f0["function"] == "store_value" and f0.get("dynsym"), f0
assert "store_value [dynsym] | path_b [dynsym]" in sd["signature"], sd["signature"]
# The missing binary: named by build-id and the path the core expected.
gone = core(pile, "pile/gone.core")
gid = crashed(gone)["frames"][0]["build_id"]
errs = [e["message"] for e in pile["errors"] if e["source"].endswith("gone.core")]
assert len(errs) == 1 and gid in errs[0] and "expected /" in errs[0] and "/gone)" in errs[0], errs
others = [e for e in pile["errors"] if not e["source"].endswith("gone.core")]
assert not others, others

# No cluster holds cores of two programs. A core's executable is the
# build-id of its frames outside shared objects; builds of one source file
# (-O0, -O2, stripped, split) are one program, whose crash may well be one
# cluster; any build-id not among the binaries (the missing one) is a
# program of its own.
source_of = {"segv_O0": "segv.c", "split": "segv.c", "split.debug": "segv.c",
             "stripped": "segv.c", "stripped_dyn": "segv.c", "mt_O2": "mt.cpp",
             "abort_O0": "abort.c", "maprace": "maprace.cpp"}
prog_of = {}
for line in open("stage-inventory.txt"):
    m = re.match(r"elf-binary +\d+  (\S+)  \(.*build-id ([0-9a-f]+)\)$", line.rstrip("\n"))
    if m and m.group(1).split("/")[-1] in source_of:
        prog_of[m.group(2)] = source_of[m.group(1).split("/")[-1]]
assert len(set(prog_of.values())) == 4, prog_of
def executables(t):
    return {f["build_id"] for th in t["threads"] for f in th["frames"]
            if f.get("build_id") and f.get("module") and not re.search(r"\.so(\.|$)", f["module"])}
def programs(t):
    return {prog_of.get(i, "unknown " + i) for i in executables(t)}
cores = [t for t in pile["traces"] if t["kind"] == "core"]
assert len(cores) == 8, len(cores)
for t in cores:
    assert len(executables(t)) == 1, (t["source"], executables(t))
by_trace = {}
for c in pile["clusters"]:
    ids = set()
    for o in c["occurrences"]:
        by_trace[o["source"]] = c["id"]
    members = [t for t in cores if by_trace.get(t["source"]) == c["id"]]
    for t in members:
        ids |= programs(t)
    assert len(ids) <= 1, (c["id"], [t["source"] for t in members], ids)
print("core layouts: %d cores, %d clusters, every layout symbolized" %
      (len(cores), len(pile["clusters"])))
PY

# Text: every other thread on one line (the C++ core's four waiting threads).
grep -q "other threads (4):" pile.txt || { echo "FAIL: other threads not listed" >&2; exit 1; }
# Inventory: each ELF's kind and build-id.
grep -Eq 'pile/bin\.zip!maprace +\(executable, with debug info, build-id [0-9a-f]{40}\)' inventory.txt \
  || { echo "FAIL: inventory lacks the kind/build-id of bin.zip!maprace" >&2; cat inventory.txt >&2; exit 1; }
grep -Eq 'pile/stripped +\(executable, stripped, build-id [0-9a-f]{40}\)' inventory.txt \
  || { echo "FAIL: inventory lacks the stripped binary" >&2; exit 1; }
grep -Eq 'xz\.zip!split\.debug +\(debug-file, build-id' inventory.txt \
  || { echo "FAIL: inventory lacks the .debug file" >&2; exit 1; }
# Two threads inside two different containers (std::map, std::unordered_map)
# while main crashes: two threads in map code at once, but no shared
# container, so no map race.
mkdir two && cp "$c"/twomaps.core "$b"/twomaps two/
"$bin" triage -f json two >two.json
python3 - two.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cores = [t for t in d["traces"] if t["kind"] == "core"]
assert len(cores) == 1, len(cores)
names = [f.get("function") or "" for th in cores[0]["threads"] for f in th["frames"]]
assert any("bump_rank" in n for n in names) and any("bump_count" in n for n in names), names[:40]
assert not d["races"], [(r["sites"], r.get("map_evidence")) for r in d["races"]]
print("core_layouts: two threads in two containers are no race")
PY
echo "core_layouts: 1 passed, 0 failed"

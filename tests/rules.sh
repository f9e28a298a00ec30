#!/usr/bin/env bash
# Every rule has a case: the frame cases (tests/rules/frames.tsv) and message
# cases (tests/rules/messages.tsv) go through sigtool with the rules of
# signatures/; each must give its expected result, and every decision rule
# (skip, skip-file, sentinel, after, prefix, library, library-file,
# vendor-file) and every message rule must decide at least one case, so a
# rule nobody can show working is caught, as is a rule shadowed by another.
#   tests/rules.sh SIGTOOL [RULES_DIR]
set -euo pipefail
tool=$(realpath "$1")
cd "$(dirname "$0")/.."
rules=${2:-signatures}
python3 - "$tool" "$rules" <<'PY'
import glob, os, re, subprocess, sys
tool, rules = sys.argv[1], sys.argv[2]
fails = 0

def rule_ids(kinds):
    ids = {}
    for path in sorted(glob.glob(os.path.join(rules, "*.rules"))):
        for no, line in enumerate(open(path, encoding="utf-8"), 1):
            w = line.split(None, 1)
            if w and w[0] in kinds:
                ids["%s:%d" % (os.path.basename(path), no)] = line.strip()
    return ids

# ---- frames: blocks of frames, each with its expected keep/skip
# A case is a thread of its own; the cases after a "# thread:" line, up to
# the next blank line, are one thread.
blocks, cur, grouped = [], [], False
def flush():
    global cur
    if cur:
        blocks.append(cur)
    cur = []
for no, line in enumerate(open("tests/rules/frames.tsv", encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if line.startswith("# thread"):
        flush()
        grouped = True
        continue
    if line.startswith("#"):
        continue
    if not line.strip():
        flush()
        grouped = False
        continue
    f = line.split("\t")
    if len(f) != 6 or f[5] not in ("keep", "skip"):
        print("frames.tsv:%d: want 6 tab-separated fields ending in keep|skip" % no)
        fails += 1
        continue
    if not grouped:
        flush()
    cur.append((no, f))
    if not grouped:
        flush()
flush()
inp = "\n\n".join("\n".join("\t".join(f[:5]) for _, f in b) for b in blocks) + "\n"
out = subprocess.run([tool, "--rules", rules, "frames"], input=inp, capture_output=True,
                     text=True, check=True).stdout.split("\n")
res = [l.split("\t") for l in out if l]
cases = [c for b in blocks for c in b]
assert len(res) == len(cases), (len(res), len(cases))
decided = set()
for (no, f), r in zip(cases, res):
    decided.add(r[3])
    if r[2] != f[5]:
        print("FAIL frames.tsv:%d: %s %r -> %s by %s, want %s" % (no, f[0], f[1], r[2], r[3], f[5]))
        fails += 1
n_frames = len(cases)

# ---- messages
n_msgs = 0
msgs = []
for no, line in enumerate(open("tests/rules/messages.tsv", encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    f = line.split("\t")
    if len(f) != 2:
        print("messages.tsv:%d: want INPUT <TAB> EXPECTED" % no)
        fails += 1
        continue
    msgs.append((no, f))
inp = "".join(f[0] + "\n" for _, f in msgs)
out = subprocess.run([tool, "--rules", rules, "messages"], input=inp, capture_output=True,
                     text=True, check=True).stdout.split("\n")
fired = set()
for (no, f), line in zip(msgs, out):
    got, by = line.split("\t")
    fired.update(by.split(","))
    if got != f[1]:
        print("FAIL messages.tsv:%d: %r -> %r, want %r (rules %s)" % (no, f[0], got, f[1], by))
        fails += 1
n_msgs = len(msgs)

# ---- coverage: every rule decides something
for rid, text in rule_ids(("skip", "skip-file", "skip-printed", "harness", "sentinel", "after", "prefix", "library",
                           "library-file", "vendor-file")).items():
    if rid not in decided:
        print("FAIL %s decides no frame case (add one to tests/rules/frames.tsv): %s" % (rid, text))
        fails += 1
for rid, text in rule_ids(("message",)).items():
    if rid not in fired:
        print("FAIL %s changes no message case (add one to tests/rules/messages.tsv): %s"
              % (rid, text))
        fails += 1
print("rules: %d frame and %d message cases, %d failure(s)" % (n_frames, n_msgs, fails))
sys.exit(1 if fails else 0)
PY

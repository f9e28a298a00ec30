#!/usr/bin/env python3
"""Scores a crashsift JSON report of ../shared/corpus/{clusterfuzz,syzkaller}.

usage: corpus_scores.py CORPUS clusterfuzz.json syzkaller.json [--min-cf X] [--min-syz Y]

clusterfuzz: share of the suite's text logs (all of it) in which a trace is
  found.
syzkaller: for the reports whose expected title names a function ("... in
  FUNC", KCSAN "in F / G": F; not syzkaller's "in corrupted", which says no
  function could be found, nor prose such as "in interrupt handler"), whether the first significant frame of the
  cluster of the file's first trace is that function (compiler suffixes
  .isra.N/.constprop.N/.part.N/.cold dropped on both sides). Printed overall
  and for linux/ alone.
Exits 1 when a score is under its --min.
"""
import json
import os
import re
import sys
from collections import Counter


def suffixless(f):
    return re.sub(r"(?:\.(?:isra|constprop|part|cold|llvm)(?:\.\d+)?)+$", "", f or "")


def main():
    a = sys.argv[1:]
    mins = {}
    for k in ("--min-cf", "--min-syz"):
        if k in a:
            i = a.index(k)
            mins[k] = float(a[i + 1])
            del a[i:i + 2]
    corpus, cf_json, syz_json = a
    ok = True
    cf = json.load(open(cf_json))
    root = os.path.join(corpus, "clusterfuzz")
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs if f.endswith(".txt"))
    found = {os.path.realpath(t["source"]) for t in cf["traces"]}
    have = [f for f in files if os.path.realpath(f) in found]
    score = len(have) / len(files)
    print("clusterfuzz: trace found in %d/%d logs = %.3f" % (len(have), len(files), score))
    for f in files:
        if f not in have:
            print("  no trace:", os.path.relpath(f, root))
    if score < mins.get("--min-cf", 0):
        ok = False

    syz = json.load(open(syz_json))
    sroot = os.path.realpath(os.path.join(corpus, "syzkaller"))
    cluster_of = {}
    for c in syz["clusters"]:
        for o in c.get("occurrences", []):
            cluster_of[(os.path.realpath(o["source"]), o["line"])] = c
    first = {}
    for t in syz["traces"]:
        s = os.path.realpath(t["source"])
        if s not in first or t["line"] < first[s]["line"]:
            first[s] = t
    tot, hit = Counter(), Counter()
    misses = []
    for line in open(os.path.join(corpus, "syzkaller", "EXPECTED_TITLES.jsonl")):
        r = json.loads(line)
        title = r.get("title")
        if not title or " in " not in title:
            continue
        tail = title.rsplit(" in ", 1)[1].split(" / ")[0].split()
        # A function: one identifier ("foo", "ns::f"), or one before "at
        # addr"; not prose ("interrupt handler", "sandbox: EOF") nor
        # syzkaller's "corrupted" (no function could be found).
        if not tail or not re.match(r"^[A-Za-z_][\w.:~]*$", tail[0]) or tail[0] == "corrupted":
            continue
        if len(tail) > 1 and tail[1] != "at":
            continue
        want = suffixless(tail[0])
        path = os.path.join(sroot, r["file"])
        t = first.get(path)
        got = None
        if t:
            c = cluster_of.get((path, t["line"]))
            if c and c["frames"]:
                got = suffixless(c["frames"][0]["function"])
        os_ = r["file"].split("/")[0]
        for k in ("all", os_):
            tot[k] += 1
            hit[k] += got == want
        if got != want:
            misses.append((r["file"], want, got, title))
    for k in ["all"] + sorted(x for x in tot if x != "all"):
        print("syzkaller %-8s blamed frame = title function: %d/%d = %.3f" % (k, hit[k], tot[k], hit[k] / tot[k]))
    for m in misses[:int(os.environ.get("CS_SHOW_MISSES", "0"))]:
        print("  miss: %s want %s got %s  [%s]" % m)
    if hit["all"] / tot["all"] < mins.get("--min-syz", 0):
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

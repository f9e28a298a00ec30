#!/usr/bin/env python3
"""Test outcomes on the shared corpus (issue #21): go-junit-report's
inputs against the JUnit XML go-junit-report expects of them, and
gotestsum's go test -json streams against the events they hold and the
summaries gotestsum expects.

  go-junit-report  per expected <testcase> (classname, name): crashsift's
                   passes/failures/skips for that test equal the testcases'
                   (outcomes); each failing one has an occurrence; tests
                   crashsift counts that the report does not have (extra).
  gotestsum        per stream: crashsift's total runs, failures and skips
                   equal the stream's own pass/fail/skip events with a Test
                   (events), and the DONE line of gotestsum's summary
                   (summary: tests, failures, skipped).

usage: corpus_tests.py CRASHSIFT CORPUS [--min-gjr F] [--min-gts F]"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ap = argparse.ArgumentParser()
ap.add_argument("bin")
ap.add_argument("corpus")
ap.add_argument("--min-gjr", type=float, default=0.0)
ap.add_argument("--min-gts", type=float, default=0.0)
ap.add_argument("-v", action="store_true")
a = ap.parse_args()


def triage(path):
    r = subprocess.run([a.bin, "triage", "-f", "json", path], capture_output=True, check=False)
    return json.loads(r.stdout)


# ---- go-junit-report ------------------------------------------------------
gjr = os.path.join(a.corpus, "go-junit-report")
n_cases = ok_cases = n_fail = ok_fail = extra = n_pseudo = 0
# go-junit-report's own testcases for a package that failed without a test
# ("[build failed]", "[setup failed]", "Failure"): not tests; crashsift keeps
# such failures as error entries or traces, never as a test outcome.
PSEUDO = re.compile(r"^(\[(build|setup) failed\]|Failure)$")
# A failing testcase shows a failure message when its body has an assertion
# line or a panic: those must have an occurrence (a FAIL with no message,
# such as the parent of failed subtests, only marks the test failed).
SHOWN = re.compile(r"^\s*(\S+\.go:\d+: |panic: )", re.M)
misses = collections.Counter()
for report in sorted(glob.glob(os.path.join(gjr, "*-report.xml"))):
    num = os.path.basename(report).split("-")[0]
    inputs = [p for p in glob.glob(os.path.join(gjr, num + "-*")) if p != report]
    if len(inputs) != 1:
        continue
    want = collections.defaultdict(lambda: [0, 0, 0])
    shown = set()
    for tc in ET.parse(report).iter("testcase"):
        key = (tc.get("classname") or "", tc.get("name") or "")
        if PSEUDO.match(key[1]):
            n_pseudo += 1
            continue
        f = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
        o = 1 if f is not None else 2 if tc.find("skipped") is not None else 0
        want[key][o] += 1
        if f is not None and SHOWN.search(f.text or ""):
            shown.add(key)
    d = triage(inputs[0])
    got = {}
    for t in d["tests"]:
        got[(t["package"] or "", t["name"])] = [t["passes"], t["failures"], t["skips"]]
        got.setdefault(("", t["name"]), [t["passes"], t["failures"], t["skips"]])
    occ = {t.get("test") for t in d["traces"]}
    for key, w in want.items():
        n_cases += 1
        g = got.get(key) or got.get(("", key[1]))
        if g == w:
            ok_cases += 1
        else:
            misses[os.path.basename(inputs[0])] += 1
            if a.v:
                print(f"  {os.path.basename(inputs[0])}: {key}: got {g}, want {w}")
        if key in shown:
            n_fail += 1
            ok_fail += key[1] in occ
            if a.v and key[1] not in occ:
                print(f"  {os.path.basename(inputs[0])}: {key}: no occurrence")
    names = {k[1] for k in want}
    extra += sum(1 for t in d["tests"] if t["name"] not in names)
gjr_score = ok_cases / n_cases if n_cases else 0.0
print(f"go-junit-report: outcomes right for {ok_cases}/{n_cases} expected testcases ({gjr_score:.4f}; "
      f"{n_pseudo} package-level pseudo-testcases left out); failing testcases whose message is "
      f"shown with an occurrence {ok_fail}/{n_fail}; {extra} test(s) not in the reports")
if misses:
    print("  inputs with misses: " + ", ".join(f"{k} ({v})" for k, v in sorted(misses.items())))

# ---- gotestsum -------------------------------------------------------------
gts = os.path.join(a.corpus, "gotestsum")
# gotestsum's summary goldens and the streams they were made from
# (testjson/summary_test.go and cmd/main_test.go upstream).
SUMMARIES = {
    "testjson/input/go-test-json-missing-skip-msg.out": "testjson/summary/bug-missing-skip-message",
    "testjson/input/go-test-json-misattributed.out": "testjson/summary/misattributed-output",
    "testjson/input/go-test-json-missing-test-fail.out": "testjson/summary/missing-test-fail-event",
    "testjson/input/go-test-json-with-parallel-fails.out": "testjson/summary/parallel-failures",
    "testjson/input/go-test-json-with-attributes.out": "testjson/summary/with-attributes",
    "cmd/input/go-test-json-panic-race-1.out": "cmd/expected/panic-race-1-summary",
    "cmd/input/go-test-json-panic-race-2.out": "cmd/expected/panic-race-2-summary",
}
n_streams = ok_events = 0
n_sum = ok_sum = 0
for path in sorted(glob.glob(os.path.join(gts, "**", "*.out"), recursive=True)):
    rel = os.path.relpath(path, gts)
    ev = [0, 0, 0]
    for line in open(path, errors="replace"):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if isinstance(e, dict) and e.get("Test") and e.get("Action") in ("pass", "fail", "skip"):
            ev[("pass", "fail", "skip").index(e["Action"])] += 1
    d = triage(path)
    got = [sum(t["passes"] for t in d["tests"]), sum(t["failures"] for t in d["tests"]),
           sum(t["skips"] for t in d["tests"])]
    n_streams += 1
    ok_events += got == ev
    if got != ev or a.v:
        print(f"  {rel}: passes/failures/skips {got}, events {ev}")
    if rel in SUMMARIES:
        s = open(os.path.join(gts, SUMMARIES[rel])).read()
        m = re.search(r"^DONE (?:\d+ runs, )?(\d+) tests?(?:, (\d+) skipped)?(?:, (\d+) failures?)?", s, re.M)
        if m:
            want = (int(m.group(1)), int(m.group(3) or 0), int(m.group(2) or 0))
            mine = (sum(got), got[1], got[2])
            n_sum += 1
            ok_sum += mine == want
            if mine != want or a.v:
                print(f"  {rel}: tests/failures/skipped {mine}, gotestsum's summary {want}")
gts_score = ok_events / n_streams if n_streams else 0.0
print(f"gotestsum: outcome counts equal the stream's events in {ok_events}/{n_streams} streams "
      f"({gts_score:.4f}); equal gotestsum's DONE summary in {ok_sum}/{n_sum}")
bad = gjr_score < a.min_gjr or gts_score < a.min_gts
if bad:
    print(f"FAIL: below the floors (go-junit-report {a.min_gjr}, gotestsum {a.min_gts})")
sys.exit(1 if bad else 0)

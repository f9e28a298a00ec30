#!/usr/bin/env python3
"""Truncated test output counts only what it shows (issue #21, bad input).

Each real fixture below is cut at every line end and in the middle of every
line (a run killed while it wrote), and triaged. The passes, failures and
skips crashsift counts over all tests must equal the whole outcome lines
the cut text holds, found with the framework's own line shapes here; it
never counts an outcome the text does not show. A failure occurrence never
outnumbers the failures shown either.

usage: truncated.py CRASHSIFT FIXTURES_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile

BIN, FIX = sys.argv[1], sys.argv[2]

# Per fixture: regexes of a whole outcome line and the outcome each means.
GO = [(re.compile(r"^\s*--- PASS: \S+ \("), "p"), (re.compile(r"^\s*--- FAIL: \S+ \("), "f"),
      (re.compile(r"^\s*--- SKIP: \S+ \("), "s")]
CARGO = [(re.compile(r"^test \S+(?: - should panic)? \.\.\. ok$"), "p"),
         (re.compile(r"^test \S+ \.\.\. FAILED$"), "f"),
         (re.compile(r"^test \S+ \.\.\. ignored(?:,.*)?$"), "s")]
PYTEST = [(re.compile(r"^\S+\.py::\S+ PASSED(?:\s|$)"), "p"), (re.compile(r"^\S+\.py::\S+ FAILED(?:\s|$)"), "f"),
          (re.compile(r"^\S+\.py::\S+ SKIPPED(?:\s|$)"), "s")]


def pytest_plain(lines, complete_last):
    """Without -v only the summary names tests; a cut summary line names none."""
    n = len(lines) if complete_last else len(lines) - 1
    return {"p": 0, "f": sum(1 for l in lines[:n] if re.match(r"^FAILED \S+\.py::\S+", l)), "s": 0}


def ginkgo(lines, complete_last):
    """Ginkgo -v: a pass is its text, location and result line; a failure
    or skip is its result line and the (whole) name line after it."""
    out = {"p": 0, "f": 0, "s": 0}
    for i, l in enumerate(lines):
        whole = i + 1 < len(lines) or complete_last
        if re.match(r"^• \[[0-9.]+ seconds\]$", l) and whole and i >= 3 and lines[i - 3] == "-" * 30:
            out["p"] += 1
        m = re.match(r"^(?:• \[(?:FAILED|PANICKED)\]|S \[SKIPPED\]) \[[0-9.]+ seconds\]$", l)
        if m and i + 1 < len(lines) and lines[i + 1] and (i + 2 < len(lines) or complete_last):
            out["f" if l.startswith("•") else "s"] += 1
    # The go test wrapper's own line
    for rx, o in GO:
        out[o] += sum(1 for j, l in enumerate(lines) if rx.match(l) and (j + 1 < len(lines) or complete_last or l.endswith(")")))
    return out


def shapes(rules):
    def count(lines, complete_last):
        out = {"p": 0, "f": 0, "s": 0}
        for j, l in enumerate(lines):
            for rx, o in rules:
                if rx.match(l):
                    # A cut go line counts when it is whole (ends with its duration).
                    if j + 1 == len(lines) and not complete_last and rules is GO and not l.endswith(")"):
                        continue
                    out[o] += 1
        return out
    return count


# The third field: whether occurrences are bounded by the failures shown.
# Not without pytest -v: a traceback above the (cut) summary is a failure
# seen, though no outcome line names its test yet.
CASES = [
    ("testify/verbose.log", shapes(GO), True),
    ("testify/plain.log", shapes(GO), True),
    ("cargo/threads1.log", shapes(CARGO), True),
    ("pytest/verbose.log", shapes(PYTEST), True),
    ("pytest/plain.log", pytest_plain, False),
    ("ginkgo/verbose.log", ginkgo, True),
    ("ginkgo/plain.log", ginkgo, True),
]

fail = 0
with tempfile.TemporaryDirectory() as tmp:
    for rel, count, bounded in CASES:
        data = open(os.path.join(FIX, rel), "rb").read()
        cuts = set()
        pos = 0
        for line in data.split(b"\n")[:-1]:
            cuts.add(pos + len(line) // 2)  # inside the line
            pos += len(line) + 1
            cuts.add(pos)  # at its end
        bad = 0
        for cut in sorted(cuts):
            text = data[:cut]
            path = os.path.join(tmp, "cut.log")
            with open(path, "wb") as f:
                f.write(text)
            d = json.loads(subprocess.run([BIN, "triage", "-f", "json", path], capture_output=True,
                                          check=False).stdout)
            got = {"p": sum(t["passes"] for t in d["tests"]), "f": sum(t["failures"] for t in d["tests"]),
                   "s": sum(t["skips"] for t in d["tests"])}
            lines = text.decode().split("\n")
            complete = text.endswith(b"\n")
            if complete:
                lines = lines[:-1]
            want = count(lines, complete)
            occ = sum(1 for t in d["traces"] if t.get("test"))
            if got != want or (bounded and occ > want["f"]):
                bad += 1
                if bad <= 3:
                    print(f"FAIL {rel} cut at byte {cut} (line {len(lines)}): counted {got}, shown {want}, "
                          f"{occ} occurrence(s)")
        if bad:
            fail = 1
        else:
            print(f"ok   {rel}: {len(cuts)} cuts, every count what the cut text shows")
sys.exit(fail)

#!/usr/bin/env python3
"""growth.py - growth exponents: each dimension of a pile grown 10x, timed.

  growth.py CRASHSIFT [BASELINE] [--dim NAME]... [--scale S] [--reps R]

For each dimension the input is built at size N and 10N from real fixture
traces (fixtures/go), crashsift (and the baseline binary, when given) runs on
both, alternating, and the exponent log(t(10N)/t(N)) / log(10) is printed: 1
is linear, 2 quadratic. Times are medians of R alternating runs (wall clock,
warm cache); a run's fixed cost (start-up, rules) is measured on an empty
input and taken off first, so small inputs do not read as sub-linear.

Dimensions:
  members    one zip of N tiny members (each one line of a real log)
  traces     one log of N Go panics (fixtures/go/nil_deref.log and friends)
  failing    one go test -v log of N distinct failing tests (assertion
             message, --- FAIL line: fixtures/go/assert_fail.log renamed)
  goroutines one Go dump of N goroutines (fixtures/go/timeout.log blocks)
  races      one log of N data races over N/4 pairs, each in its own test
             with that test's failure line (fixtures/go/race_map.log)
Nothing is committed; inputs go to a temporary folder removed at the end.
"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GO = os.path.join(ROOT, "fixtures", "go")


def fx(name):
    with open(os.path.join(GO, name)) as f:
        return f.read().replace("\r\n", "\n")


def make_members(path, n):
    line = fx("nil_deref.log").splitlines()[0] + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr("logs/job-%d/step-%d.log" % (i // 100, i % 100), line)


def make_traces(path, n):
    srcs = [fx(p) for p in ("nil_deref.log", "explicit_panic.log", "nested_panic.log",
                            "repanic.log", "gha_nil_deref.log")]
    with open(path, "w") as f:
        for i in range(n):
            t = srcs[i % len(srcs)]
            t = re.sub(r"goroutine \d+", "goroutine %d" % (i + 1), t)
            t = re.sub(r"(\.go:)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + i % 7), t)
            f.write(t)


def make_failing(path, n):
    with open(path, "w") as f:
        for i in range(n):
            f.write("=== RUN   TestCount%d\n" % i)
            f.write("    agg_test.go:%d: got %d, want 100\n" % (61 + i % 50, i))
            f.write("--- FAIL: TestCount%d (0.00s)\n" % i)
        f.write("FAIL\nFAIL\texample.com/dispatch\t0.002s\nFAIL\n")


def make_goroutines(path, n):
    text = fx("timeout.log")
    # The goroutine blocks, without the test's FAIL lines after the last.
    blocks = [re.sub(r"\nFAIL[^\n]*", "", b) for b in re.split(r"\n\n", text)
              if b.startswith("goroutine ")]
    with open(path, "w") as f:
        f.write("panic: test timed out after 10m0s\n\n")
        for i in range(n):
            b = re.sub(r"^goroutine \d+", "goroutine %d" % (i + 1), blocks[i % len(blocks)])
            f.write(b + "\n\n")


def make_races(path, n):
    text = fx("race_map.log")
    with open(path, "w") as f:
        for i in range(n):
            t = text.replace("TestConcurrentAdd", "TestConcurrentAdd%d" % i)
            # N/4 distinct pairs: the sites' lines vary with i % (n/4)
            k = i % max(1, n // 4)
            t = t.replace("aggregator.go:16", "aggregator.go:%d" % (16 + k))
            f.write("=== RUN   TestConcurrentAdd%d\n" % i)
            f.write(t)


DIMS = {
    # name: (maker, N, file name)
    "members": (make_members, 10000, "m.zip"),
    "traces": (make_traces, 4000, "t.log"),
    "failing": (make_failing, 8000, "f.log"),
    "goroutines": (make_goroutines, 16000, "g.log"),
    "races": (make_races, 4000, "r.log"),
}


def run_once(cs, path):
    # The JSON report goes to a file, as a CI job would keep it.
    with open(path + ".json", "wb") as out:
        a = time.perf_counter()
        subprocess.run([cs, "triage", "-j1", "-f", "json", path],
                       stdout=out, stderr=subprocess.DEVNULL)
        return time.perf_counter() - a


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    args = sys.argv[1:]
    dims, scale, reps, bins = [], 1.0, 3, []
    while args:
        a = args.pop(0)
        if a == "--dim":
            dims.append(args.pop(0))
        elif a == "--scale":
            scale = float(args.pop(0))
        elif a == "--reps":
            reps = int(args.pop(0))
        else:
            bins.append(os.path.abspath(a))
    if not bins:
        sys.exit(__doc__)
    dims = dims or list(DIMS)
    tmp = tempfile.mkdtemp(prefix="cs-growth-")
    worst = 0.0
    try:
        empty = os.path.join(tmp, "empty.log")
        open(empty, "w").close()
        names = ["crashsift"] + (["baseline"] if len(bins) > 1 else [])
        print("%-11s %8s %8s  " % ("dimension", "N", "10N") +
              "  ".join("%-27s" % ("%s t(N) t(10N) exp" % n) for n in names))
        for d in dims:
            make, n0, fname = DIMS[d]
            n = max(10, int(n0 * scale))
            paths = []
            for k in (n, 10 * n):
                p = os.path.join(tmp, "%d-%s" % (k, fname))
                make(p, k)
                paths.append(p)
            t = {(b, p): [] for b in bins for p in paths + [empty]}
            for _ in range(reps):  # alternate: bin x input, each round
                for p in paths + [empty]:
                    for b in bins:
                        t[(b, p)].append(run_once(b, p))
            cols = []
            for i, b in enumerate(bins):
                base = median(t[(b, empty)])
                t1 = max(median(t[(b, paths[0])]) - base, 1e-3)
                t10 = max(median(t[(b, paths[1])]) - base, 1e-3)
                e = math.log(t10 / t1) / math.log(10)
                if i == 0:
                    worst = max(worst, e)
                cols.append("%7.3fs %8.3fs %5.2f   " % (t1, t10, e))
            print("%-11s %8d %8d  " % (d, n, 10 * n) + "  ".join(cols), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("worst exponent: %.2f" % worst)


if __name__ == "__main__":
    main()

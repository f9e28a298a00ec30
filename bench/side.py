#!/usr/bin/env python3
"""side.py - crashsift side by side with its baselines, in one run.

  side.py CRASHSIFT [--base OLD_CRASHSIFT] [--gb G] [--reps R] [--base-reps R] [--limit S]
          [--corpus DIR] [--tmp DIR] [--doc docs/performance.md] [--only NAME]...

Inputs are built from real material only (bench/gen.py: the logs of
fixtures/ and of the shared corpus, a verbose build log and go test -v
output as noise) under --tmp and removed at the end. Every timing is the
median of R runs that alternate between the tools (a, b, c, a, b, c, ...),
wall clock, warm page cache, so the load of a shared machine falls on all of
them alike. --base runs an older crashsift on the same inputs in the same
rounds (before/after). With --doc, the table between the bench:begin and
bench:end markers of that file is replaced.

Benchmarks (--only picks some):
  dense   a log of real crash reports back to back (every .log/.txt of
          fixtures/ and the corpus, repeated): triage -j1 vs grep -c -E
  noise   a log of real CI noise with a fixture trace every ~1 MiB: the same
  pile    real logs, each in its own zip: triage -j1, -j2 and inventory vs
          Python's zipfile decompressing every member in one process
  dump    a Go dump of 20,000 goroutines: triage vs panicparse ($PANICPARSE,
          PATH or ~/go/bin; `go install github.com/maruel/panicparse/v2@latest`)
  rss     peak RSS of triage (/usr/bin/time -v) on the pile, on a .gz of
          back-to-back panics and on a zip whose member is a 300 MB zip
  cores   the cores of build*/cores (made by ctest) vs eu-stack and gdb
"""
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "bench", "gen.py")
ANCHORS = ("panic: |fatal error: |goroutine [0-9]+ \\[|Traceback \\(most recent call last\\)|"
           "Exception in thread|ERROR: AddressSanitizer|WARNING: ThreadSanitizer|"
           "WARNING: DATA RACE|runtime error:|SIGSEGV|panicked at|^#[0-9]+ +0x")
UNZIP_PY = r"""
import os, sys, zipfile
n = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        if f.endswith(".zip"):
            with zipfile.ZipFile(os.path.join(d, f)) as z:
                for i in z.infolist():
                    with z.open(i) as m:
                        while True:
                            b = m.read(1 << 18)
                            if not b:
                                break
                            n += len(b)
print(n)
"""


LIMIT = [600.0]  # seconds a run may take (--limit); past it: killed, "> N s"
# CPU seconds (user + sys) of the last run of sh(): on a shared machine the
# wall clock of one run moves by tens of percent with the load, its CPU
# time by a few, so the log benchmarks print both.
LAST_CPU = [0.0]


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def sh(cmd, out=None):
    """Runs cmd (a list) with stdout to the file `out` (or /dev/null)."""
    with open(out or os.devnull, "wb") as f:
        a, c = time.perf_counter(), cpu_children()
        try:
            subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, timeout=LIMIT[0])
        except subprocess.TimeoutExpired:
            LAST_CPU[0] = float("inf")
            return float("inf")
        LAST_CPU[0] = cpu_children() - c
        return time.perf_counter() - a


def secs(t):
    return "> %.0fs" % LIMIT[0] if t == float("inf") else "%.2fs" % t


def times(a, b):
    return "> %.0fx" % (LIMIT[0] / b) if a == float("inf") else "%.1fx" % (a / b)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


CPU_MEDIANS = {}  # of the last alternate(): {name: median CPU seconds}


def alternate(cmds, reps, reps_of=None):
    """cmds: {name: (argv, stdout file)}; returns {name: median seconds}.
    reps_of may give some commands fewer runs (a slow baseline)."""
    t = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    for r in range(reps):
        for k, (argv, out) in cmds.items():
            if reps_of and r >= reps_of.get(k, reps):
                continue
            t[k].append(sh(argv, out))
            cpu[k].append(LAST_CPU[0])
    CPU_MEDIANS.clear()
    CPU_MEDIANS.update({k: median(v) for k, v in cpu.items()})
    return {k: median(v) for k, v in t.items()}


def peak_rss_mb(argv):
    try:
        p = subprocess.run(["/usr/bin/time", "-v"] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=LIMIT[0])
    except subprocess.TimeoutExpired:
        return float("nan")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return int(m.group(1)) / 1024 if m else float("nan")


class Bench:
    def __init__(self, a):
        self.cs, self.base, self.reps, self.base_reps = a["cs"], a["base"], a["reps"], a["base_reps"]
        self.tmp, self.gb, self.corpus = a["tmp"], a["gb"], a["corpus"]
        self.rows = []

    def row(self, what, cs, base_tool, base_t, ratio, before=None):
        r = (what, cs, base_tool, base_t, ratio, before if before is not None else "")
        self.rows.append(r)
        print("%-44s %-10s %-34s %-10s %-9s %s" % r, flush=True)

    def p(self, name):
        return os.path.join(self.tmp, name)

    def gen(self, *args):
        subprocess.run([sys.executable, GEN] + [str(x) for x in args], check=True,
                       stdout=subprocess.DEVNULL)

    def triage(self, exe, *args):
        return [exe, "triage", "--color", "never", "-f", "json"] + list(args)

    def log_vs_grep(self, name, path, label):
        mb = os.path.getsize(path) / 1e6
        cmds = {"cs": (self.triage(self.cs, "-j1", path), self.p(name + ".json")),
                "grep": (["grep", "-c", "-E", ANCHORS, path], self.p(name + ".grep"))}
        if self.base:
            cmds["base"] = (self.triage(self.base, "-j1", path), self.p(name + ".base.json"))
        t = alternate(cmds, self.reps, {"base": self.base_reps})
        before = ""
        if self.base:
            before = "%s (%s)" % (secs(t["base"]), times(t["base"], t["grep"]))
        self.row("%s, %.0f MB" % (label, mb), "%.2fs" % t["cs"], "grep -c -E <anchors>",
                 "%.2fs" % t["grep"], "%.2fx" % (t["cs"] / t["grep"]), before)
        print("  CPU (user+sys), medians: " +
              ", ".join("%s %.2fs" % (k, v) for k, v in CPU_MEDIANS.items()), flush=True)

    def dense(self):
        path = self.p("dense.log")
        if not os.path.exists(path):
            self.gen("reallog", path, int(self.gb * 1e9), *self.corpus)
        self.log_vs_grep("dense", path, "real crash reports back to back")

    def noise(self):
        noise, path = self.p("noise.txt"), self.p("noise.log")
        if not os.path.exists(noise):
            with open(noise, "wb") as f:
                # Real noise: a verbose build of crashsift, go test -v output.
                src = self.p("src")
                os.makedirs(src, exist_ok=True)
                subprocess.run("git -C %s archive HEAD | tar -x -C %s" % (ROOT, src), shell=True)
                for cmd in (["cmake", "-S", src, "-B", src + "/b", "-DCMAKE_BUILD_TYPE=Release",
                             "-DCS_TESTS=ON"], ["make", "-C", src + "/b", "VERBOSE=1", "-j2"]):
                    f.write(subprocess.run(cmd, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT).stdout)
                shutil.rmtree(src, ignore_errors=True)
                if shutil.which("go"):
                    goroot = subprocess.run(["go", "env", "GOROOT"], stdout=subprocess.PIPE,
                                            text=True).stdout.strip()
                    env = dict(os.environ, GOFLAGS="", GOCACHE=self.p("gocache"))
                    f.write(subprocess.run(
                        ["go", "test", "-v", "-count=1", "-short", "strings", "bytes", "sort",
                         "strconv", "unicode/utf8", "container/list", "regexp", "text/template",
                         "encoding/json", "math/big"], cwd=os.path.join(goroot, "src"), env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout)
                    shutil.rmtree(self.p("gocache"), ignore_errors=True)
                lk = os.path.join(ROOT, "fixtures", "lookalikes")
                for n in sorted(os.listdir(lk)):
                    if n.endswith(".log"):
                        with open(os.path.join(lk, n), "rb") as g:
                            f.write(g.read())
        if not os.path.exists(path):
            self.gen("log", noise, path, int(self.gb * 1e9))
        self.log_vs_grep("noise", path, "CI noise, a trace every MiB")

    def pile(self):
        d = self.p("pile")
        copies = max(1, int(round(7 * self.gb / 0.2)))  # 7 copies ~ 4,400 zips, 22 MB
        if not os.path.exists(d):
            self.gen("pile", d, copies, *self.corpus)
        n_zips = sum(len(f) for _, _, f in os.walk(d))
        size = sum(os.path.getsize(os.path.join(a, f)) for a, _, fs in os.walk(d) for f in fs)
        cmds = {"j1": (self.triage(self.cs, "-j1", d), None),
                "j2": (self.triage(self.cs, "-j2", d), None),
                "inv": ([self.cs, "inventory", "-j1", d], None),
                "py": ([sys.executable, "-c", UNZIP_PY, d], None)}
        if self.base:
            cmds["b1"] = (self.triage(self.base, "-j1", d), None)
            cmds["b2"] = (self.triage(self.base, "-j2", d), None)
        t = alternate(cmds, self.reps, {"b1": self.base_reps, "b2": self.base_reps})
        what = "%d zipped real logs (%.0f MB zipped)" % (n_zips, size / 1e6)
        for k, lab in (("j1", "-j1"), ("j2", "-j2")):
            before = ""
            if self.base:
                b = t["b" + k[1]]
                before = "%s (%s)" % (secs(b), times(b, t["py"]))
            self.row("%s, %s" % (what, lab), "%.2fs" % t[k], "python zipfile, one process",
                     "%.2fs" % t["py"], "%.2fx" % (t[k] / t["py"]), before)
        self.row("%s, -j1" % what, "%.2fs" % t["j1"], "crashsift inventory -j1",
                 "%.2fs" % t["inv"], "%.2fx" % (t["j1"] / t["inv"]))
        self.row("same, -j2 / -j1", "%.2fs" % t["j2"], "triage -j1", "%.2fs" % t["j1"],
                 "%.2fx" % (t["j2"] / t["j1"]))

    def dump(self):
        path = self.p("dump.log")
        if not os.path.exists(path):
            self.gen("goroutines", path, 20000)
        cmds = {"cs": (self.triage(self.cs, "-j1", path), None)}
        # $PANICPARSE, or on PATH, or where `go install` puts it.
        pp = os.environ.get("PANICPARSE") or shutil.which("panicparse")
        if not pp and os.path.exists(os.path.expanduser("~/go/bin/panicparse")):
            pp = os.path.expanduser("~/go/bin/panicparse")
        if pp:
            cmds["pp"] = ([pp, "-no-color", path], None)
        if self.base:
            cmds["base"] = (self.triage(self.base, "-j1", path), None)
        t = alternate(cmds, self.reps)
        before = secs(t["base"]) if self.base else ""
        mb = os.path.getsize(path) / 1e6
        if pp:
            self.row("Go dump, 20,000 goroutines (%.0f MB)" % mb, "%.2fs" % t["cs"], "panicparse",
                     "%.2fs" % t["pp"], "%.2fx" % (t["cs"] / t["pp"]), before)
        else:
            self.row("Go dump, 20,000 goroutines (%.0f MB)" % mb, "%.2fs" % t["cs"],
                     "panicparse (not installed)", "-", "-", before)

    def rss(self):
        gz, nz = self.p("panics.gz"), self.p("nested.zip")
        if not os.path.exists(gz):
            import gzip
            with open(os.path.join(ROOT, "fixtures", "go", "nil_deref.log"), "rb") as f:
                t = f.read() * 1000
            with gzip.open(gz, "wb", compresslevel=9) as f:
                for _ in range(int(1e9 // len(t))):
                    f.write(t)
        if not os.path.exists(nz):
            import io
            import zipfile
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as z:
                with z.open("big.log", "w") as f:
                    blk = (b"y" * 1000 + b"\n") * 1000
                    for _ in range(300):
                        f.write(blk)
                    with open(os.path.join(ROOT, "fixtures", "go", "nil_deref.log"), "rb") as g:
                        f.write(g.read())
            with zipfile.ZipFile(nz, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
                z.writestr("artifact.zip", inner.getvalue())
        shapes = [("%.0f MB .gz of back-to-back panics (1 GB inflated)" % (os.path.getsize(gz) / 1e6), gz),
                  ("%.1f MB zip whose member is a 300 MB zip" % (os.path.getsize(nz) / 1e6), nz)]
        for name in ("dense.log", "noise.log", "pile"):
            if os.path.exists(self.p(name)):
                shapes.insert(0, (name, self.p(name)))
        for label, path in shapes:
            for j in ("-j1", "-j2"):
                a = peak_rss_mb(self.triage(self.cs, j, path))
                before = ""
                # (not the old binary on the big logs: minutes each)
                if self.base and label not in ("dense.log", "noise.log"):
                    before = "%.0f MB" % peak_rss_mb(self.triage(self.base, j, path))
                self.row("peak RSS, %s, %s" % (label, j), "%.0f MB" % a, "-", "-", "-", before)

    def cores(self):
        for top in sorted(os.listdir(ROOT)):
            c = os.path.join(ROOT, top, "cores")
            if top.startswith("build") and os.path.isdir(os.path.join(c, "cores")):
                break
        else:
            self.row("cores", "-", "no build*/cores (run ctest -R core)", "-", "-")
            return
        cores = sorted(os.path.join(c, "cores", f) for f in os.listdir(os.path.join(c, "cores")))
        cores = [x for x in cores if not x.endswith((".gz", ".xz", ".zip"))]
        if not cores:
            self.row("cores", "-", "no plain cores in " + c, "-", "-")
            return
        bins = os.path.join(c, "bin")
        eu = "for x in %s; do eu-stack --core $x >/dev/null 2>&1; done" % " ".join(cores)
        gdb = ("for x in %s; do gdb -batch -ex 'thread apply all bt' -c $x >/dev/null 2>&1; done"
               % " ".join(cores))
        cmds = {"cs": (self.triage(self.cs, "-j1", bins, *cores), None),
                "eu": (["sh", "-c", eu], None), "gdb": (["sh", "-c", gdb], None)}
        t = alternate(cmds, self.reps)
        self.row("%d cores of ctest's programs" % len(cores), "%.2fs" % t["cs"],
                 "eu-stack --core, each", "%.2fs" % t["eu"], "%.2fx" % (t["cs"] / t["eu"]))
        self.row("%d cores of ctest's programs" % len(cores), "%.2fs" % t["cs"],
                 "gdb -batch thread apply all bt, each", "%.2fs" % t["gdb"],
                 "%.2fx" % (t["cs"] / t["gdb"]))


def main():
    args = sys.argv[1:]
    a = {"cs": None, "base": None, "reps": 3, "base_reps": 3, "gb": 1.0, "tmp": None,
         "doc": None, "only": [],
         "corpus": [os.path.join(os.path.dirname(ROOT), "shared", "corpus")]}
    while args:
        k = args.pop(0)
        if k == "--base":
            a["base"] = os.path.abspath(args.pop(0))
        elif k in ("--reps", "--base-reps"):
            a[k[2:].replace("-", "_")] = int(args.pop(0))
        elif k == "--limit":
            LIMIT[0] = float(args.pop(0))
        elif k == "--gb":
            a["gb"] = float(args.pop(0))
        elif k in ("--tmp", "--doc"):
            a[k[2:]] = args.pop(0)
        elif k == "--corpus":
            a["corpus"] = [args.pop(0)]
        elif k == "--only":
            a["only"].append(args.pop(0))
        else:
            a["cs"] = os.path.abspath(k)
    if not a["cs"]:
        sys.exit(__doc__)
    a["corpus"] = [d for d in a["corpus"] if os.path.isdir(d)]
    keep = a["tmp"] is not None
    a["tmp"] = a["tmp"] or tempfile.mkdtemp(prefix="cs-side-")
    os.makedirs(a["tmp"], exist_ok=True)
    b = Bench(a)
    print("%-44s %-10s %-34s %-10s %-9s %s" % ("benchmark", "crashsift", "baseline", "time",
                                               "ratio", "before (ratio)"))
    try:
        for name in a["only"] or ["dense", "noise", "pile", "dump", "rss", "cores"]:
            getattr(b, name)()
    finally:
        if not keep:
            shutil.rmtree(a["tmp"], ignore_errors=True)
    if a["doc"]:
        cpu = ""
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            cpu = m.group(1) if m else "?"
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              stdout=subprocess.PIPE, text=True).stdout.strip()
        lines = ["<!-- bench:begin -->",
                 "Measured %s on %s, %d cores (shared with other work), commit %s; median of %d "
                 "alternating runs%s, warm page cache. Ratio = crashsift / baseline (below 1: "
                 "crashsift is faster). *Before* is the crashsift given as --base, on the same "
                 "inputs in the same rounds." % (time.strftime("%Y-%m-%d", time.gmtime()), cpu,
                                                 os.cpu_count(), head, a["reps"],
                                                 " (before: %d)" % a["base_reps"]
                                                 if a["base"] else ""),
                 "",
                 "| benchmark | crashsift | baseline | baseline time | ratio | before (ratio) |",
                 "|---|---|---|---|---|---|"]
        lines += ["| %s | %s | %s | %s | %s | %s |" % r for r in b.rows]
        lines.append("<!-- bench:end -->")
        s = open(a["doc"]).read()
        s = re.sub(r"<!-- bench:begin -->.*?<!-- bench:end -->", "\n".join(lines), s, flags=re.S)
        open(a["doc"], "w").write(s)


if __name__ == "__main__":
    main()

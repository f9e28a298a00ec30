#!/usr/bin/env python3
"""gen.py - benchmark inputs for bench/run.sh, made from real material only:
the traces of fixtures/ (real crashes of real programs) diluted in real noise
(a verbose build log of crashsift itself, `go test -v` passing output, the
look-alike fixtures). Everything is written under the folder given; nothing
here is committed.

  gen.py log NOISE OUT BYTES           one plain log, a fixture trace every ~1 MiB
  gen.py zips NOISE DIR BYTES          zips of such logs (deflate, level 6)
  gen.py goroutines OUT N              one Go dump with N goroutines
  gen.py cluster DIR N                 N Go traces (varied ids, paths, lines)
  gen.py reallog OUT BYTES [DIR...]    one log of real CI logs back to back: every
                                       .log/.txt of fixtures/ and of the DIRs
                                       (the shared corpus), repeated to BYTES
  gen.py pile DIR COPIES [DIR...]      the same real logs, each in its own zip
                                       (deflate 6, as CI uploaders do), COPIES
                                       times over in DIR/copy-N/
"""
import os
import random
import re
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FX = os.path.join(ROOT, "fixtures")
DIALECT_DIRS = ["go", "java", "python", "rust", "node", "native", "sanitizers", "gdb"]
MiB = 1 << 20


def fixture_traces():
    out = []
    for d in DIALECT_DIRS:
        p = os.path.join(FX, d)
        for name in sorted(os.listdir(p)):
            if name.endswith(".log"):
                with open(os.path.join(p, name), "rb") as f:
                    out.append(f.read().replace(b"\r\n", b"\n"))
    return out


def noise_slices(noise):
    """Endless ~1 MiB slices of the noise, starting at varying line offsets,
    so the log is not one block repeated (deflate would see through that)."""
    lines = noise.split(b"\n")
    rnd = random.Random(1)
    while True:
        i = rnd.randrange(len(lines))
        buf, n = [], 0
        while n < MiB:
            ln = lines[i % len(lines)]
            buf.append(ln)
            n += len(ln) + 1
            i += 1
        yield b"\n".join(buf) + b"\n"


def write_log(f, size, slices, traces, k0=0):
    n, k = 0, k0
    while n < size:
        s = next(slices)
        t = traces[k % len(traces)]
        k += 1
        f.write(s)
        f.write(t)
        n += len(s) + len(t)
    return k


def cmd_log(noise_path, out, size):
    noise = open(noise_path, "rb").read()
    with open(out, "wb") as f:
        k = write_log(f, int(size), noise_slices(noise), fixture_traces())
    print(k)


def cmd_zips(noise_path, d, size):
    noise = open(noise_path, "rb").read()
    traces, slices = fixture_traces(), noise_slices(noise)
    os.makedirs(d, exist_ok=True)
    total, z, k = 0, 0, 0
    member = 8 * MiB
    while total < int(size):
        with zipfile.ZipFile(os.path.join(d, "run-%03d.zip" % z), "w",
                             zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for m in range(4):
                with zf.open("logs/job-%d/step-%d.log" % (z, m), "w") as f:
                    k = write_log(f, member, slices, traces, k)
                total += member
        z += 1
    print(k)


def cmd_goroutines(out, n):
    text = open(os.path.join(FX, "go", "timeout.log")).read()
    # The goroutine blocks, without the test's FAIL lines after the last.
    blocks = [re.sub(r"\nFAIL[^\n]*", "", b) for b in re.split(r"\n\n", text)
              if b.startswith("goroutine ")]
    rnd = random.Random(2)
    with open(out, "w") as f:
        f.write("panic: test timed out after 10m0s\n\n")
        for i in range(int(n)):
            b = blocks[i % len(blocks)]
            b = re.sub(r"^goroutine \d+", "goroutine %d" % (i + 1), b)
            f.write(b + "\n\n")


GO_PANICS = ["nil_deref.log", "explicit_panic.log", "concurrent_map_writes.log",
             "nested_panic.log", "repanic.log", "gha_nil_deref.log"]
PREFIXES = ["/home/runner/work/svc/svc/", "/builds/team/svc/", "/tmp/build/src/",
            "/go/src/github.com/example/svc/"]


def cmd_cluster(d, n):
    os.makedirs(d, exist_ok=True)
    srcs = [open(os.path.join(FX, "go", p)).read() for p in GO_PANICS]
    rnd = random.Random(3)
    per_file = 20000  # below CS_MAX_TRACES_PER_MEMBER
    written = 0
    while written < int(n):
        with open(os.path.join(d, "go-%03d.log" % (written // per_file)), "w") as f:
            for _ in range(min(per_file, int(n) - written)):
                t = srcs[rnd.randrange(len(srcs))]
                t = re.sub(r"goroutine \d+", lambda m: "goroutine %d" % rnd.randrange(1, 99999), t)
                pre = PREFIXES[rnd.randrange(len(PREFIXES))]
                t = re.sub(r"/(?:home/runner/work|builds|tmp)/[^\s:]*?/(?=[\w.]+\.go:)", pre, t)
                t = re.sub(r"(\.go:)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + rnd.randrange(3)), t)
                t = re.sub(r"0x[0-9a-f]+", lambda m: hex(rnd.randrange(1 << 32)), t)
                f.write("=== RUN   TestCase%d\n" % rnd.randrange(500))
                f.write(t)
                f.write("FAIL\tgithub.com/example/svc\t0.%03ds\n" % rnd.randrange(1000))
                written += 1


def real_logs(dirs):
    out = []
    for top in [FX] + list(dirs):
        for d, subs, files in sorted(os.walk(top)):
            subs.sort()
            for name in sorted(files):
                if name.endswith((".log", ".txt")):
                    with open(os.path.join(d, name), "rb") as f:
                        b = f.read()
                    if b and b"\0" not in b:
                        out.append(b if b.endswith(b"\n") else b + b"\n")
    return out


def cmd_reallog(out, size, *dirs):
    logs = real_logs(dirs)
    one = b"".join(logs)
    n = 0
    with open(out, "wb") as f:
        while n < int(size):
            f.write(one)
            n += len(one)
    print(len(logs), len(one))


def cmd_pile(d, copies, *dirs):
    logs = real_logs(dirs)
    n = 0
    for c in range(int(copies)):
        sub = os.path.join(d, "copy-%03d" % c)
        os.makedirs(sub, exist_ok=True)
        for i, b in enumerate(logs):
            with zipfile.ZipFile(os.path.join(sub, "job-%04d.zip" % i), "w",
                                 zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                zf.writestr("logs/step-%d.log" % (i % 7), b)
            n += len(b)
    print(int(copies) * len(logs), n)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"log": cmd_log, "zips": cmd_zips, "goroutines": cmd_goroutines,
     "cluster": cmd_cluster, "reallog": cmd_reallog, "pile": cmd_pile}[cmd](*args)

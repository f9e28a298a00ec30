#!/usr/bin/env python3
"""sigbench.py - how well signatures blame the frame a human would blame,
measured on the public expectations of ../shared/corpus (never copied here).

  sigbench.py CRASHSIFT SIGTOOL CORPUS [--verbose] [--json OUT]

Four measurements, printed as one table (docs/signatures.md has the last run):

  clusterfuzz   clusterfuzz/EXPECTED_CRASH_STATE.jsonl: for every input whose
                expected crash state is not empty, is a trace found (share of
                logs with a trace), and does the first frame crashsift reports
                for the first trace equal the first crash-state line that
                names a frame (lines that are messages, file names, "NULL" or
                the FUZZ_TARGET of the test's environment name no frame).
                Names are compared without template/argument lists, return
                types and Rust hashes; a state line cut at 80 characters
                matches by prefix.
  public-traces public-traces/check.py: blamed frame among the first three
                (its top_frame_accuracy), also restricted to files where a
                trace was found.
  socorro       socorro-siggen/EXPECTED_NORMALIZATION.jsonl, the C++/Rust
                function and frame normalization cases: crashsift's
                normalized function equals Socorro's, where Socorro's "<T>"
                (template arguments collapsed) is our "" (template arguments
                dropped), and Socorro's "file#line" fallback is our file.
  satyr         satyr/EXPECTATIONS-gdb.tsv: the crash thread's top function
                and the crash frame satyr picks, on the gdb dumps.

Each input is read by its own crashsift run, so a merge with another file's
trace never hides a result. Standard library only.
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def run_json(cs, path):
    p = subprocess.run([cs, "triage", "-f", "json", path], capture_output=True, text=True)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {"traces": [], "clusters": []}


# ---- name comparison -------------------------------------------------------

def drop_groups(s, o, c):
    out, depth = [], 0
    for ch in s:
        if ch == o:
            depth += 1
        elif ch == c and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def cut_unbalanced(s, o):
    """'a::b<c, d<e' -> 'a::b' (a state line cut inside template args)."""
    depth, first = 0, None
    for i, ch in enumerate(s):
        if ch == o:
            if depth == 0:
                first = i
            depth += 1
        elif depth and ch in ">)":
            depth -= 1
    return s[:first] if depth and first is not None else s


def canon(name):
    s = name.strip()
    s = re.sub(r"::h[0-9a-f]{16}$", "", s)
    s = cut_unbalanced(s, "<")
    s = drop_groups(s, "<", ">")
    s = re.sub(r"\s+const$", "", s)
    if s.endswith(")") and not s.endswith("operator()"):
        i = s.rfind("(")
        # a Go receiver "(*T).m" is never last
        if i > 0 and s[i - 1] not in ".:":
            s = s[:i]
    # "void ns::f" / "long F::G": a return type in front of a qualified name
    m = re.match(r"^(?:static\s+)?[\w:*&]+\s+(\S*(?:::|\.)\S*)$", s)
    if m:
        s = m.group(1)
    return s.strip()


FRAME_RE = re.compile(r"^[\w$.:~*()\-\[\]+=!&|/<>,' ]+$")
FILE_RE = re.compile(r"\.(?:c|cc|cpp|cxx|h|hh|hpp|rs|go|py|java|js|ts|so)$")


TYPE_WORDS = {"void", "bool", "int", "long", "short", "char", "unsigned", "signed", "float",
              "double", "auto", "static", "size_t"}
# A CHECK expression or a message, not a frame.
MESSAGE_RE = re.compile(r"==|!=|<=|>=|&&|\|\||!|\bin\b|: |\. ")


def names_frame(line, env):
    if not line or line == "NULL" or line == env.get("FUZZ_TARGET"):
        return False
    if FILE_RE.search(line) or line.startswith("/"):
        return False
    if MESSAGE_RE.search(cut_unbalanced(line, "<")):
        return False
    bare = drop_groups(cut_unbalanced(line, "<"), "<", ">")
    bare = drop_groups(bare, "(", ")") if "(*" not in bare else bare
    if not FRAME_RE.match(bare):
        return False
    words = bare.split()
    if len(words) == 1:
        return True
    # "void ns::f", "long F::G", "ns::T ns::C::f": a return type and a
    # qualified C++ name
    return len(words) == 2 and "::" in words[1] and (words[0] in TYPE_WORDS or "::" in words[0])


def same_frame(expected, got, truncated):
    if not got:
        return False
    e, g = canon(expected), canon(got)
    if e == g:
        return True
    return truncated and g.startswith(e)


# ---- clusterfuzz -----------------------------------------------------------

def first_trace_frames(report):
    traces = report.get("traces") or []
    if not traces:
        return None, None
    first = min(traces, key=lambda t: (t.get("line") or 0))
    for c in report.get("clusters") or []:
        for o in c.get("occurrences") or []:
            if o.get("line") == first.get("line") and o.get("source") == first.get("source"):
                return first, c.get("frames") or []
    return first, []


def clusterfuzz(cs, corpus, verbose):
    base = os.path.join(corpus, "clusterfuzz")
    seen = {}
    for line in open(os.path.join(base, "EXPECTED_CRASH_STATE.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        if not r.get("state") or r["input"] in seen:
            continue
        seen[r["input"]] = r
    n = with_trace = judged = hit = 0
    rows = []
    for name, r in sorted(seen.items()):
        path = os.path.join(base, "stack_analyzer_data", name)
        if not os.path.exists(path):
            continue
        n += 1
        rep = run_json(cs, path)
        first, frames = first_trace_frames(rep)
        with_trace += first is not None
        env = r.get("environment") or {}
        lines = [x for x in r["state"].split("\n") if x]
        want = next((x for x in lines if names_frame(x, env)), None)
        if want is None:
            continue
        judged += 1
        got = frames[0].get("function") if frames else None
        ok = same_frame(want, got, len(want) >= 80)
        hit += ok
        rows.append("%s %-50s want=%r got=%r%s" % ("ok  " if ok else "MISS", name, want, got,
                                                  "" if first else " (no trace)"))
    if verbose:
        print("\n".join(rows))
    return {"logs": n, "with_trace": with_trace, "judged": judged, "first_frame_equal": hit}


# ---- public-traces ---------------------------------------------------------

def public_traces(cs, corpus, verbose):
    base = os.path.join(corpus, "public-traces")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        with open(out, "w") as fh:
            subprocess.run([cs, "triage", "-f", "json", os.path.join(base, "cases")], stdout=fh)
        p = subprocess.run([sys.executable, os.path.join(base, "check.py"),
                            os.path.join(base, "expected.jsonl"), out], capture_output=True,
                           text=True)
    text = p.stdout
    if verbose:
        print("\n".join(l for l in text.splitlines() if "top MISS" in l))
    rows = [l for l in text.splitlines() if l.startswith(("PASS", "FAIL")) and " top " in l]
    found = [l for l in rows if not re.search(r"traces 0/", l)]
    hit = [l for l in found if "top ok" in l]
    m = re.search(r"top_frame_accuracy: \S+\s+\((\d+)/(\d+)\)", text)
    return {"judged": int(m.group(2)) if m else 0, "hit": int(m.group(1)) if m else 0,
            "judged_with_trace": len(found), "hit_with_trace": len(hit)}


# ---- socorro ---------------------------------------------------------------

def socorro_canon(s):
    # Socorro collapses template arguments to "<T>"; crashsift drops them.
    return drop_groups(s, "<", ">") if s else s


def socorro(tool, corpus, verbose):
    rows = []  # (lang, function, file, line, module, expected)
    for line in open(os.path.join(corpus, "socorro-siggen", "EXPECTED_NORMALIZATION.jsonl"),
                     encoding="utf-8"):
        r = json.loads(line)
        t = r["test"]
        if t == "test_normalize_cpp_function":
            rows.append(("c", r["function"], "", "", "", r["expected"].split(":")[0]
                         if re.match(r"^\w+:\d+$", r["expected"]) else r["expected"]))
        elif t == "test_normalize_rust_function":
            rows.append(("rust", r["function"], "", "", "", r["expected"]))
        elif t == "test_normalize_frame" and len(r.get("args") or []) == 5:
            mod, fn, src, ln, _off = r["args"]
            exp = r["expected"].split("#")[0]
            rows.append(("rust" if ".rs" in src else "c", fn, src, ln, mod, exp))
    inp = "".join("\t".join(x[:5]) + "\n" for x in rows)
    p = subprocess.run([tool, "frames"], input=inp, capture_output=True, text=True)
    outs = p.stdout.split("\n")
    hit = 0
    for i, r in enumerate(rows):
        got = outs[i].split("\t")[1] if i < len(outs) and "\t" in outs[i] else ""
        # Socorro's "source#23": the file's base name; ours is the file.
        got_cmp = got.replace("\\", "/").rsplit("/", 1)[-1] if not r[1] else got
        ok = socorro_canon(got_cmp) == socorro_canon(r[5])
        hit += ok
        if verbose and not ok:
            print("MISS socorro %r -> %r, want %r" % (r[1] or r[2] or r[4], got, r[5]))
    return {"cases": len(rows), "agree": hit}


# ---- satyr -----------------------------------------------------------------

def satyr(cs, corpus, verbose):
    base = os.path.join(corpus, "satyr")
    n = hit = 0
    for line in open(os.path.join(base, "EXPECTATIONS-gdb.tsv"), encoding="utf-8"):
        if line.startswith(("#", "input\t")):
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) < 3 or f[1] not in ("crash_thread_top_function", "crash_frame_function"):
            continue
        rep = run_json(cs, os.path.join(base, f[0]))
        traces = rep.get("traces") or []
        got = None
        if traces:
            t = traces[0]
            crashed = next((th for th in t.get("threads") or [] if th.get("role") == "crashed"),
                           None)
            if f[1] == "crash_thread_top_function":
                fr = (crashed or {}).get("frames") or []
                got = fr[0].get("function") if fr else None
            else:
                _, frames = first_trace_frames(rep)
                got = frames[0].get("function") if frames else None
        n += 1
        ok = got is not None and canon(got) == f[2]
        hit += ok
        if verbose and not ok:
            print("MISS satyr %s %s: want %r got %r" % (f[0], f[1], f[2], got))
    return {"checks": n, "agree": hit}


def main(argv):
    json_out = argv[argv.index("--json") + 1] if "--json" in argv else None
    args = [a for a in argv[1:] if not a.startswith("--") and a != json_out]
    verbose = "--verbose" in argv
    if len(args) < 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    cs, tool, corpus = args[0], args[1], args[2]
    res = {
        "clusterfuzz": clusterfuzz(cs, corpus, verbose),
        "public_traces": public_traces(cs, corpus, verbose),
        "socorro": socorro(tool, corpus, verbose),
        "satyr": satyr(cs, corpus, verbose),
    }
    c, p, s, y = res["clusterfuzz"], res["public_traces"], res["socorro"], res["satyr"]
    r = lambda a, b: "%.3f" % (a / b) if b else "-"
    print("| benchmark | measure | result |")
    print("|---|---|---|")
    print("| clusterfuzz | logs with a trace | %s (%d/%d) |" % (r(c["with_trace"], c["logs"]),
                                                             c["with_trace"], c["logs"]))
    print("| clusterfuzz | first frame = first crash-state frame | %s (%d/%d) |"
          % (r(c["first_frame_equal"], c["judged"]), c["first_frame_equal"], c["judged"]))
    print("| public-traces | blamed frame among first three | %s (%d/%d) |"
          % (r(p["hit"], p["judged"]), p["hit"], p["judged"]))
    print("| public-traces | ... where a trace was found | %s (%d/%d) |"
          % (r(p["hit_with_trace"], p["judged_with_trace"]), p["hit_with_trace"],
             p["judged_with_trace"]))
    print("| socorro-siggen | frame normalization agrees | %s (%d/%d) |"
          % (r(s["agree"], s["cases"]), s["agree"], s["cases"]))
    print("| satyr | crash thread top / crash frame agrees | %s (%d/%d) |"
          % (r(y["agree"], y["checks"]), y["agree"], y["checks"]))
    if json_out:
        with open(json_out, "w") as fh:
            json.dump(res, fh, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

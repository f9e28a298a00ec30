#!/usr/bin/env bash
# Keeps docs/ci.md true: the workflow files parse, every crashsift command in
# them and in the page uses options the command has, the Dockerfile's files
# exist, the runtime package list is real; where a Docker engine runs, the
# image is built and triages the bundled fixtures.
#   tests/ci_docs.sh BIN
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
fail() { echo "FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3

"$py" - "$bin" docs/ci.md docs/ci/github-workflow.yml docs/ci/gitlab-ci.yml <<'PY' || fail "ci docs"
import re, subprocess, sys
bin, files = sys.argv[1], sys.argv[2:]
try:
    import yaml
except ImportError:
    yaml = None
    print("note: python3-yaml absent, YAML not parsed")
helps = {}
def help_of(cmd):
    if cmd not in helps:
        helps[cmd] = subprocess.run([bin, cmd, "--help"], capture_output=True, text=True).stdout
    return helps[cmd]
checked = 0
for f in files:
    text = open(f).read()
    if f.endswith(".yml") and yaml:
        yaml.safe_load(text)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.search(r"\bcrashsift (triage|inventory|explain|history|extract|merge)\b(.*)", line)
        if not m:
            continue
        cmd, rest = m.group(1), m.group(2)
        # The command goes on over "\" continuations and deeper-indented lines.
        indent = len(line) - len(line.lstrip())
        j = i
        while j + 1 < len(lines):
            nxt = lines[j + 1]
            if lines[j].rstrip().endswith("\\") or (
                    nxt.strip() and len(nxt) - len(nxt.lstrip()) > indent
                    and not nxt.lstrip().startswith("- ")):
                rest += " " + nxt
                j += 1
            else:
                break
        h = help_of(cmd)
        assert h, "crashsift %s --help prints nothing" % cmd
        for opt in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest):
            assert re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", h), \
                "%s: 'crashsift %s' has no option %s" % (f, cmd, opt)
            checked += 1
assert checked >= 6, "found the commands (%d options checked)" % checked
print("ci docs: %d options checked in %d files" % (checked, len(files)))
PY

# The Dockerfile only uses files the repository has.
for f in $(sed -n 's/.*bash \(scripts\/[a-z-]*\.sh\).*/\1/p' scripts/Dockerfile); do
  [ -f "$f" ] || fail "Dockerfile runs missing $f"
done
pk=$(bash scripts/runtime-packages.sh "$bin")
for p in libdw1 libzip4 libpcre2-8-0; do
  grep -qx "$p" <<<"$pk" || fail "runtime packages list $p: $pk"
done
for p in $pk; do dpkg -s "$p" >/dev/null 2>&1 || fail "runtime package $p is not a package"; done

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  docker build -q -f scripts/Dockerfile -t crashsift-test . >/dev/null
  docker run --rm -v "$PWD/fixtures:/f:ro" crashsift-test triage /f/go | grep -q 'race pair' \
    || fail "the container triages the fixtures"
  echo "ci docs: container built and ran"
else
  echo "ci docs: no Docker engine here; the container build is skipped"
fi
echo "ci_docs: all checks passed"

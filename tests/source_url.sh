#!/usr/bin/env bash
# --source-url TEMPLATE in Markdown and SARIF (HTML: tests/html.sh): frames
# whose file is in the repository (report/repo.c, as SARIF locations) link
# to the template filled with {path}, {line} and {commit}; frames outside it
# (the Go runtime, /usr, the module cache, unknown absolute paths) never do;
# the SARIF still validates; {commit} comes from --commit, else GITHUB_SHA,
# else CI_COMMIT_SHA, and a template that needs it without one is exit 2.
#   tests/source_url.sh BIN
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tpl='https://example.com/o/r/blob/{commit}/{path}#L{line}'
roots=(--repo-root /tmp/crashsift-go/dispatch --repo-root /tmp/crashsift-race)

"$bin" triage "${roots[@]}" --source-url "$tpl" --commit 0123abc --all \
  -o "markdown:$tmp/r.md" -o "sarif:$tmp/r.sarif" -o "json:$tmp/r.json" fixtures/ >/dev/null

# Markdown: links in the <...> destination form, only to repository files.
python3 - "$tmp/r.md" <<'PY' || fail "markdown links"
import re, sys
md = open(sys.argv[1]).read()
links = re.findall(r'\]\(<([^>]*)>\)', md)
assert links, "no links"
for u in links:
    assert re.fullmatch(r'https://example\.com/o/r/blob/0123abc/[A-Za-z0-9_./-]+(#L\d+)?', u), u
# Site tables link the site's file; stack excerpts list their repository frames.
assert re.search(r'\| A \| `[^`]+` \| \[`[^`]+`\]\(<https://', md), "site table links"
assert "Source: [`" in md, "stack excerpt links"
# Nothing outside the repository links.
for bad in ("runtime/", "/usr/", "/pkg/mod/", "testing/testing.go"):
    assert not re.search(r'\[`' + re.escape(bad), md), bad
print("markdown: %d links" % len(links))
PY

# Without --source-url the Markdown has no links at all (the golden files).
"$bin" triage "${roots[@]}" --all -f markdown fixtures/ >"$tmp/plain.md"
grep -q '](<' "$tmp/plain.md" && fail "links without --source-url"

# SARIF: a sourceUrl property on repository locations only; uris unchanged.
schema=../shared/schemas/sarif-schema-2.1.0.json
python3 - "$tmp/r.sarif" "$schema" <<'PY' || fail "sarif source links"
import json, os, re, sys
doc = json.load(open(sys.argv[1]))
if os.path.exists(sys.argv[2]):
    try:
        import jsonschema
        schema = json.load(open(sys.argv[2]))
        errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))
        assert not errors, errors[:3]
        print("sarif: valid against the schema")
    except ImportError:
        print("sarif: jsonschema not installed, schema check skipped")
run = doc["runs"][0]
assert run["properties"]["sourceUrlTemplate"].endswith("#L{line}") and run["properties"]["commit"] == "0123abc"
n = 0
def walk(o):
    global n
    if isinstance(o, dict):
        if "physicalLocation" in o or ("properties" in o and "sourceUrl" in o["properties"]):
            url = o.get("properties", {}).get("sourceUrl")
            pl = o.get("physicalLocation")
            if url:
                assert pl, "a link without a repository location"
                uri = pl["artifactLocation"]["uri"]
                assert pl["artifactLocation"]["uriBaseId"] == "%SRCROOT%", uri
                want = "https://example.com/o/r/blob/0123abc/" + uri
                line = pl.get("region", {}).get("startLine")
                if line: want += "#L%d" % line
                assert url == want, (url, want)
                n += 1
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(run["results"])
assert n, "no sourceUrl"
print("sarif: %d linked locations" % n)
PY

# {commit}: --commit, else GITHUB_SHA, else CI_COMMIT_SHA; none: exit 2. (Outputs go
# to files before grep: grep -q closing the pipe early would fail the write.)
rc=0
env -u GITHUB_SHA -u CI_COMMIT_SHA "$bin" triage --source-url "$tpl" -f markdown fixtures/go \
  >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- '--commit' "$tmp/err" || fail "missing commit: exit $rc, $(cat "$tmp/err")"
env -u GITHUB_SHA CI_COMMIT_SHA=feedbee "$bin" triage "${roots[@]}" --source-url "$tpl" \
  -f markdown fixtures/go >"$tmp/a.md"
grep -q 'blob/feedbee/' "$tmp/a.md" || fail "CI_COMMIT_SHA not used"
GITHUB_SHA=c0ffee CI_COMMIT_SHA=feedbee "$bin" triage "${roots[@]}" --source-url "$tpl" \
  -f markdown fixtures/go >"$tmp/b.md"
grep -q 'blob/c0ffee/' "$tmp/b.md" || fail "GITHUB_SHA not preferred"
GITHUB_SHA=c0ffee "$bin" triage "${roots[@]}" --source-url "$tpl" --commit 0123abc \
  -f markdown fixtures/go >"$tmp/c.md"
grep -q 'blob/0123abc/' "$tmp/c.md" || fail "--commit not preferred"
# A template without {commit} needs none.
env -u GITHUB_SHA -u CI_COMMIT_SHA "$bin" triage "${roots[@]}" --source-url 'file:///src/{path}' \
  -f markdown fixtures/go >"$tmp/d.md"
grep -q '](<file:///src/' "$tmp/d.md" || fail "file:// template"
# Bad templates are usage errors.
for t in 'https://x/{file}' 'https://x/' 'javascript:alert(1)/{path}'; do
  rc=0
  "$bin" triage --source-url "$t" fixtures/go >/dev/null 2>&1 || rc=$?
  [ "$rc" = 2 ] || fail "template '$t' accepted (exit $rc)"
done


# docs/cli.md names every option triage takes (the table drives --help).
for opt in $("$bin" triage --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  grep -qE -- "$opt([^a-z-]|$)" docs/cli.md || fail "docs/cli.md does not name $opt"
done
echo "docs/cli.md: every triage option named"
echo "source_url: passed"

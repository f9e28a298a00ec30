#!/usr/bin/env bash
# Escaping: a Go panic whose message and test name carry markup, control
# characters, a bidi override and invalid UTF-8 must come out inert in the
# Markdown, HTML and SARIF reports (and the text report's terminal view).
set -euo pipefail
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$tmp/in"
# Message: HTML/script, Markdown link, table pipe, backticks, emphasis,
# a BEL (ANSI sequences are stripped on extraction), a bidi override (U+202E) and a lone 0xff byte.
msg=$'<script>alert(1)</script> [x](http://evil) | `a``b` *em* _u_ # \x07bell \xe2\x80\xae rtl \xff end'
{
  printf -- '--- FAIL: TestEvil<img> (0.00s)\n'
  printf 'panic: %s\n\n' "$msg"
  printf 'goroutine 7 [running]:\n'
  printf 'example.com/evil.Boom(0x0)\n\t/tmp/crashsift-go/evil/boom.go:12 +0x1d\n'
  printf 'example.com/evil.TestEvil(0x0?)\n\t/tmp/crashsift-go/evil/boom_test.go:8 +0x1d\n'
  printf 'FAIL\texample.com/evil\t0.004s\n'
} >"$tmp/in/evil.log"
"$bin" triage -o "markdown:$tmp/r.md" -o "html:$tmp/r.html" -o "sarif:$tmp/r.sarif" \
  -o "text:$tmp/r.txt" "$tmp/in" >/dev/null
grep -q 'alert' "$tmp/r.md" || fail "the test input was not extracted"

# No raw control bytes, bidi overrides or invalid UTF-8 anywhere.
# explain renders through the same terminal escaping as the text report.
"$bin" explain "$tmp/in" >"$tmp/r.explain"
grep -F 'rtl' "$tmp/r.explain" >/dev/null || fail "explain: the trace was not shown"
grep -F '\u202E rtl' "$tmp/r.explain" >/dev/null || fail "explain: bidi override not shown as \\u202E"
# history renders what the database holds (text from artifacts) the same way.
"$bin" triage --db "$tmp/h.db" "$tmp/in" >/dev/null
"$bin" history --db "$tmp/h.db" >"$tmp/r.history"
grep -F '\u202E rtl' "$tmp/r.history" >/dev/null || fail "history: bidi override not shown as \\u202E"
for f in r.md r.html r.sarif r.txt r.explain r.history; do
  LC_ALL=C grep -q $'\x07' "$tmp/$f" && fail "$f: raw BEL"
  LC_ALL=C grep -q $'\xe2\x80\xae' "$tmp/$f" && fail "$f: raw U+202E"
  LC_ALL=C grep -q $'\xff' "$tmp/$f" && fail "$f: invalid UTF-8 byte"
done
# HTML: no markup from the artifact survives.
grep -q '<script>alert' "$tmp/r.html" && fail "html: raw <script>"
grep -q '<img>' "$tmp/r.html" && fail "html: raw <img>"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/r.html" || fail "html: escaped message missing"
[ "$(grep -c '<script' "$tmp/r.html")" = 1 ] || fail "html: only the page's own script"
# Markdown: outside code, markup characters are backslash-escaped; code
# spans use a fence longer than the backtick runs inside.
grep -q '\\<script\\>alert(1)\\</script\\> \\\[x\\\](http://evil) \\| \\`a\\`\\`b\\` \\\*em\\\* \\_u\\_ \\#' "$tmp/r.md" \
  || fail "markdown: prose escaping"
grep -q '```panic: <script>alert(1)</script> \[x\](http://evil) | `a``b`' "$tmp/r.md" || fail "markdown: code span fence"
grep -q '\\x07bell' "$tmp/r.md" || fail "markdown: control character shown as \\x07"
grep -q '\\u202E' "$tmp/r.md" || fail "markdown: bidi override shown as \\u202E"
# SARIF: still JSON, message intact and escaped by the JSON writer.
python3 - "$tmp/r.sarif" <<'PY' || fail "sarif: message"
import json, sys
d = json.load(open(sys.argv[1]))
texts = [r["message"]["text"] for r in d["runs"][0]["results"]]
assert any("<script>alert(1)</script>" in t and "\u202e" in t for t in texts), texts
PY
echo "report_escape: 1 passed, 0 failed"

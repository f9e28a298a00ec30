#!/usr/bin/env bash
# HTML report in a real headless browser (Debian's chromium): the page from
# the bundled fixtures loads and its script runs without errors, the
# cluster table renders, sorting and filtering work (the page's own
# ?selftest clicks the headers and types into the filter, then writes
# SELFTEST OK or SELFTEST FAIL: why into the DOM), nothing is fetched from
# the network, and a screenshot is left in the build dir.
#   tests/html.sh BIN [OUTDIR]     exits 77 (skipped) without chromium
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath -m "${2:-$(dirname "$bin")}")
cd "$(dirname "$0")/.."
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium not found (apt-get install chromium; scripts/setup.sh); HTML test skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$out"
page="$tmp/report.html"
"$bin" triage -o "html:$page" fixtures/ >/dev/null
"$bin" triage -f html fixtures/ | cmp -s - "$page" || fail "two runs give different bytes"

# Static checks: self-contained, artifact text escaped.
grep -Eiq '<(script|link|img|iframe)[^>]+(src|href)=' "$page" && fail "page loads an external resource"
grep -Eiq 'https?://' "$page" && fail "page mentions a network URL"
[ "$(grep -c '<script' "$page")" = 1 ] || fail "exactly one inline script"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$page" || fail "CSP forbids fetches"

run_chromium() { # URL ARGS...
  local url=$1; shift
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d -p "$tmp")" \
    --enable-logging=stderr --v=0 "$@" "$url"
}

# (a) + (c): the DOM after the script ran, with the self-test.
run_chromium "file://$page?selftest" --dump-dom >"$tmp/dom.html" 2>"$tmp/err1" \
  || { cat "$tmp/err1" >&2; fail "chromium --dump-dom failed"; }
grep -q 'data-ready="1"' "$tmp/dom.html" || fail "the page script did not finish"
grep -q '<p id="js-status">ready</p>' "$tmp/dom.html" \
  || fail "script error: $(grep -o 'id="js-status">[^<]*' "$tmp/dom.html")"
grep -q '<pre id="selftest">SELFTEST OK</pre>' "$tmp/dom.html" \
  || fail "sort/filter self-test: $(grep -o '<pre id="selftest"[^<]*' "$tmp/dom.html")"
rows=$(grep -c '<tr id="C' "$tmp/dom.html" || true)
want=$("$bin" triage -f json fixtures/ | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["clusters"]))')
[ "$rows" = "$want" ] || fail "table renders $rows cluster rows, want $want"
grep -q 'aria-sort=' "$tmp/dom.html" || fail "a column shows its sort order"
grep -q '<article class="race map" id="R' "$tmp/dom.html" || fail "race pairs render"
grep -q '<svg class="strip"' "$tmp/dom.html" || fail "occurrence charts render"

# (c) again, from outside: #sort=count sorts ascending by count.
run_chromium "file://$page#sort=count" --dump-dom >"$tmp/dom2.html" 2>"$tmp/err2" || fail "chromium #sort"
python3 - "$tmp/dom2.html" <<'PY' || fail "#sort=count does not sort by count"
import re, sys
counts = [int(n) for n in re.findall(r'<tr id="C[0-9a-f]+"><td class="num">(\d+)</td>', open(sys.argv[1]).read())]
assert counts and counts == sorted(counts) and counts != sorted(counts, reverse=True), counts
PY

# (b) no console errors, no uncaught exceptions, no network requests.
# The page never logs, so any console line from it (chromium prints them as
# "INFO:CONSOLE:N] msg, source: file://...") is a failure, as are CSP refusals.
for e in "$tmp/err1" "$tmp/err2"; do
  if grep -Eq ':CONSOLE[:(]|Uncaught|Refused to' "$e"; then
    grep -E ':CONSOLE[:(]|Uncaught|Refused to' "$e" >&2
    fail "browser console reports errors"
  fi
done

# (d) a screenshot for people to look at.
rm -f "$out/report.png"
run_chromium "file://$page" --hide-scrollbars --screenshot="$out/report.png" --window-size=1280,2000 \
  >/dev/null 2>"$tmp/err3" || fail "screenshot failed"
[ -s "$out/report.png" ] || fail "no screenshot written"
echo "html: 1 passed, 0 failed (screenshot: $out/report.png)"

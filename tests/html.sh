#!/usr/bin/env bash
# HTML report in a real headless browser (Debian's chromium): the page from
# the bundled fixtures loads and its script runs without errors, the
# cluster table renders, sorting and filtering work (the page's own
# ?selftest clicks the headers and types into the filter, then writes
# SELFTEST OK or SELFTEST FAIL: why into the DOM), nothing is fetched from
# the network, the page is no wider than the window at 800 and 1400 px with
# every <details> open (the page measures itself under ?selftest and writes
# LAYOUT OK W or LAYOUT FAIL W: why into #layout; a page made too wide on
# purpose must fail it), race cards show both stacks and partial pairs,
# --source-url links only repository frames, and screenshots are left in
# OUTDIR: report.png, race-cards-800.png, race-cards-1400.png (the two
# committed in docs/examples/ are these).
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
counts = [int(n) for n in re.findall(r'<tr id="C[0-9a-f]+"><td class="num" data-label="Count">(\d+)</td>', open(sys.argv[1]).read())]
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

# (e) layout: no horizontal page scroll at 800 and 1400 px, every trace
# expanded. Chromium's window is the width asked for (checked: the page
# reports the width it measured), and a page with one over-wide element must
# fail, so the check can fail.
layout() { # PAGE WIDTH -> the #layout text
  run_chromium "file://$1?selftest" --dump-dom --hide-scrollbars --window-size="$2,1800" 2>/dev/null \
    | grep -o '<pre id="layout">[^<]*' | sed 's/<pre id="layout">//'
}
# 500 px stands for a phone: headless Chromium draws no narrower window.
for w in 500 800 1400; do
  got=$(layout "$page" "$w")
  [ "$got" = "LAYOUT OK $w" ] || fail "layout at $w px: ${got:-no result}"
done
sed 's|</main>|<div style="width:1900px">too wide</div></main>|' "$page" >"$tmp/wide.html"
got=$(layout "$tmp/wide.html" 800)
case $got in "LAYOUT FAIL 800"*) ;; *) fail "the layout check passes a page that is too wide: $got" ;; esac

# (f) race cards: every full pair shows a stack per site, side by side; a
# partial pair says its other side is unknown and shows no second stack;
# the legend explains every evidence word the JSON report knows.
python3 - "$tmp/dom.html" <(cat "$page") <("$bin" triage -f json fixtures/) <<'PY' || fail "race cards"
import json, re, sys
dom, page, rep = open(sys.argv[1]).read(), open(sys.argv[2]).read(), json.load(open(sys.argv[3]))
cards = dict(re.findall(r'<article class="race[^"]*" id="(R[0-9a-f]+)">(.*?)</article>', page, re.S))
assert len(cards) == len(rep["races"]), (len(cards), len(rep["races"]))
for r in rep["races"]:
    c = cards[r["id"]]
    stacks = c.count('<ol class="frames wrap">')
    if r["partial"]:
        assert 'badge partial' in c and 'site missing' in c and stacks <= 1, r["id"]
    else:
        assert 'site missing' not in c and stacks == 2, (r["id"], stacks)
    for e, n in r["evidence"].items():
        if n:
            assert 'href="#ev-%s"' % e in c, (r["id"], e)
    for cl in r["clusters"][:12]:  # HTML_MAX_EXPLAINS
        assert 'href="#%s"' % cl in c, (r["id"], cl)
words = {e for r in rep["races"] for e in r["evidence"]}
for w in words:
    assert '<dt id="ev-%s">' % w in page, "legend lacks " + w
# The test table: flaky first, the JSON's numbers.
rows = re.findall(r'<tr><td class="name" data-label="Test"><code>([^<]*)</code></td>.*?'
                  r'data-label="Runs"[^>]*>(\d+)</td><td class="num" data-label="Failures">(\d+)', page)
failing = [t for t in rep["tests"] if t["failures"]]
assert [(n, int(a), int(b)) for n, a, b in rows[:len(failing)]] == \
    [(t["name"], t["runs"], t["failures"]) for t in failing], rows[:3]
print("race cards: %d, legend: %s, test rows: %d" % (len(cards), sorted(words), len(rows)))
PY

# (g) --source-url: frames in the repository link to the template, with the
# commit; nothing outside it links; the page still loads without errors.
src="$tmp/src.html"
"$bin" triage --repo-root /tmp/crashsift-go/dispatch --repo-root /tmp/crashsift-race \
  --source-url 'https://example.com/o/r/blob/{commit}/{path}#L{line}' --commit 0123abc \
  -o "html:$src" fixtures/ >/dev/null
python3 - "$src" <<'PY' || fail "--source-url links"
import re, sys
page = open(sys.argv[1]).read()
links = re.findall(r'href="(https?://[^"]*)"', page)
assert links, "no source links"
for u in links:
    assert re.fullmatch(r'https://example\.com/o/r/blob/0123abc/[A-Za-z0-9_./-]+\.[A-Za-z0-9]+(#L\d+)?', u), u
    assert "/tmp/" not in u and "runtime/" not in u and "/usr/" not in u, u
# A frame of the Go runtime never links.
assert not re.search(r'<a class="at" href="[^"]*">runtime/', page)
print("source links: %d" % len(links))
PY
run_chromium "file://$src?selftest" --dump-dom >"$tmp/dom3.html" 2>"$tmp/err4" || fail "chromium --source-url page"
grep -q '<p id="js-status">ready</p>' "$tmp/dom3.html" || fail "script error on the --source-url page"
if grep -Eq ':CONSOLE[:(]|Uncaught|Refused to' "$tmp/err4"; then fail "browser console reports errors (--source-url page)"; fi

# (d) screenshots for people to look at: the whole page, and the race-card
# view (fixtures/race: a full pair and two partial ones) at both widths.
races="$tmp/races.html"
"$bin" triage --repo-root /tmp/crashsift-race --source-url 'https://example.com/o/r/blob/{commit}/{path}#L{line}' \
  --commit 0123abc -o "html:$races" fixtures/race >/dev/null
for w in 800 1400; do
  got=$(layout "$races" "$w")
  [ "$got" = "LAYOUT OK $w" ] || fail "race-card view layout at $w px: ${got:-no result}"
  rm -f "$out/race-cards-$w.png"
  run_chromium "file://$races" --hide-scrollbars --screenshot="$out/race-cards-$w.png" \
    --window-size="$w,$([ "$w" = 800 ] && echo 2400 || echo 1700)" >/dev/null 2>"$tmp/err5" \
    || fail "screenshot at $w px failed"
  [ -s "$out/race-cards-$w.png" ] || fail "no screenshot at $w px"
  # The PNG's own header says its width: the window was the width asked for.
  pw=$(od -An -tu1 -j16 -N4 "$out/race-cards-$w.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
  [ "$pw" = "$w" ] || fail "screenshot is $pw px wide, not $w"
done
rm -f "$out/report.png"
run_chromium "file://$page" --hide-scrollbars --screenshot="$out/report.png" --window-size=1280,2000 \
  >/dev/null 2>"$tmp/err3" || fail "screenshot failed"
[ -s "$out/report.png" ] || fail "no screenshot written"
echo "html: 1 passed, 0 failed (screenshots: $out/report.png, $out/race-cards-800.png, $out/race-cards-1400.png)"

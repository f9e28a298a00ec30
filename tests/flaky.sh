#!/usr/bin/env bash
# Flaky tests end to end on the real go test fixtures (fixtures/flaky):
# for every format, the report's failure, run and occurrence counts for
# TestTally equal what go test / gotestsum / go-junit-report wrote, counted
# here from the fixture itself (never typed in by hand).
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../fixtures/flaky"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# cat_any FILE: the file, decompressed when it is .xz
cat_any() { case "$1" in *.xz) xz -dc "$1" ;; *) cat "$1" ;; esac; }
# check NAME INPUT WANT_FAILURES WANT_RUNS WANT_OCCURRENCES WANT_FLAKY
check() {
	local name="$1" input="$2" wf="$3" wr="$4" wo="$5" wfl="$6"
	"$bin" triage -f json "$input" >"$tmp/r.json"
	"$bin" triage "$input" >"$tmp/r.txt"
	python3 - "$tmp/r.json" "$name" "$wf" "$wr" "$wo" "$wfl" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
name, wf, wr, wo, wfl = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "1"
t = [x for x in d["tests"] if x["name"] == "TestTally"]
assert len(t) == 1, (name, [x["name"] for x in d["tests"]])
t = t[0]
occ = sum(1 for x in d["traces"] if x["kind"] == "test-failure" and x["test"] == "TestTally")
got = (t["failures"], t["runs"], occ, t["flaky"])
want = (wf, wr, wo, wfl)
if got != want:
    print(f"FAIL {name}: (failures, runs, occurrences, flaky) = {got}, want {want}")
    sys.exit(1)
# gotestsum's console names packages relative to the module: unknown alone.
assert t["package"] == ("example.com/tally" if name != "gotestsum.log" else None), t
assert t["failures"] == 0 or t["failure_rate"] == round(t["failures"] / t["runs"], 4), t
# The other tests: TestNetwork always skipped, TestTable/one a subtest.
others = {x["name"]: x for x in d["tests"]}
if "TestNetwork" in others:
    n = others["TestNetwork"]
    assert n["skips"] == n["runs"] and n["failures"] == 0 and not n["flaky"], n
    assert "TestTable/one" in others, sorted(others)
print(f"ok   {name}: {t['failures']} of {t['runs']} runs, {occ} occurrence(s), races {t['races']}")
PY
	if [ "$wfl" = 1 ]; then
		grep -Eq "^  TestTally failed $wf of $wr runs \([0-9.]+%, flaky\)" "$tmp/r.txt" ||
			{ echo "FAIL $name: text report lacks the flaky line"; fail=1; }
	fi
}

# Plain go test prints only the failed runs: runs seen = failures.
f=$(grep -c '^--- FAIL: TestTally' race200.log)
check race200.log race200.log "$f" "$f" "$f" 0
grep -q 'explained by race pair R' <("$bin" triage race200.log) || { echo "FAIL race200.log: no race explains it"; fail=1; }
f=$(grep -c '^--- FAIL: TestTally' count500.log)
check count500.log count500.log "$f" "$f" "$f" 0

# -v: every run's outcome line.
for v in race200_v.log.xz count500_v.log.xz; do
	f=$(cat_any $v | grep -c '^--- FAIL: TestTally')
	p=$(cat_any $v | grep -c '^--- PASS: TestTally')
	check "$v" "$v" "$f" $((f + p)) "$f" 1
done
[ "$(xz -dc race200_v.log.xz | grep -c '^=== RUN   TestTally$')" = 200 ] || { echo "FAIL: race200_v is not 200 runs"; fail=1; }
[ "$(xz -dc count500_v.log.xz | grep -c '^=== RUN   TestTally$')" = 500 ] || { echo "FAIL: count500_v is not 500 runs"; fail=1; }

# go test -json: pass/fail events.
for j in race200.json.xz count500.json.xz; do
	f=$(cat_any $j | grep -c '"Action":"fail","Package":"example.com/tally","Test":"TestTally"')
	p=$(cat_any $j | grep -c '"Action":"pass","Package":"example.com/tally","Test":"TestTally"')
	check "$j" "$j" "$f" $((f + p)) "$f" 1
done

# go-junit-report's JUnit of count500_v.log: a testcase per run.
f=$(cat_any count500_v.xml.xz | grep -A1 '<testcase name="TestTally"' | grep -c '<failure')
r=$(cat_any count500_v.xml.xz | grep -c '<testcase name="TestTally"')
check count500_v.xml.xz count500_v.xml.xz "$f" "$r" "$f" 1
# ... and with its -v log beside it (one folder, two formats, same counts),
# the runs count once while each copy's failures stay occurrences.
mkdir -p "$tmp/job"
cp count500_v.log.xz count500_v.xml.xz "$tmp/job/"
fv=$(cat_any count500_v.log.xz | grep -c '^--- FAIL: TestTally')
check "job log + its JUnit" "$tmp/job" "$fv" 500 $((fv + f)) 1

# One gotestsum run saved three ways (console, --jsonfile, --junitfile).
f=$(cat_any artifact/test.json.xz | grep -c '"Action":"fail","Package":"example.com/tally","Test":"TestTally"')
p=$(cat_any artifact/test.json.xz | grep -c '"Action":"pass","Package":"example.com/tally","Test":"TestTally"')
[ "$(grep -c '^FAIL TestTally ' artifact/gotestsum.log)" = "$f" ] || { echo "FAIL: gotestsum.log and test.json disagree"; fail=1; }
check gotestsum.log artifact/gotestsum.log "$f" $((f + p)) "$(grep -c '^--- FAIL: TestTally' artifact/gotestsum.log)" 1
occ_json=$f
occ_xml=$(cat_any artifact/junit.xml.xz | grep -A1 '<testcase .*name="TestTally"' | grep -c '<failure')
occ_log=$("$bin" triage -f json artifact/gotestsum.log | python3 -c 'import json,sys; print(sum(1 for t in json.load(sys.stdin)["traces"] if t["kind"]=="test-failure" and t["test"]=="TestTally"))')
check artifact artifact "$f" $((f + p)) $((occ_json + occ_xml + occ_log)) 1

# --db: a test that passed in every run of the earlier batch (the locked
# version, before/) and fails now is marked as new in the text report and
# carries its prior record in JSON.
"$bin" triage --db "$tmp/h.db" before >/dev/null
"$bin" triage --db "$tmp/h.db" -f text -o "json:$tmp/after.json" count500.log >"$tmp/after.txt"
runs_before=$(grep -c -- '--- PASS: TestTally' before/count50_v.log)
if grep -F "TestTally failed" "$tmp/after.txt" | grep -F "[new: passed in all $runs_before run(s) of 1 earlier batch(es)]" >/dev/null &&
  python3 -c 'import json,sys; t=[t for t in json.load(open(sys.argv[1]))["tests"] if t["name"]=="TestTally"][0]; h=t["history"]; sys.exit(0 if h["became_failing"] and h["prior_runs"]==int(sys.argv[2]) and h["prior_failures"]==0 else 1)' "$tmp/after.json" "$runs_before"; then
  echo "ok: --db marks TestTally as newly failing after $runs_before passing runs"
else
  echo "FAIL: --db does not mark TestTally as newly failing"; grep TestTally "$tmp/after.txt"; fail=1
fi

exit $fail

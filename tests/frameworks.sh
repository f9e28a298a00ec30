#!/usr/bin/env bash
# Test outcomes and failure occurrences of the other test frameworks, on
# real fixtures (fixtures/{testify,ginkgo,cargo,pytest,surefire}/make.sh):
# for each file, every test's passes, failures and skips and the number of
# failure occurrences equal what the tool printed, counted here with grep
# on the fixture itself (never typed in by hand).
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# check LABEL INPUT SPEC...: SPEC is "name=passes/failures/skips/occurrences"
# for one test; "kind:K" once sets the trace kind counted as occurrences,
# "site:name=file:line" that the occurrence's first frame is that site,
# "head:name=text" that its headline starts with text.
check() {
	local label="$1" input="$2"
	shift 2
	# Every trace with its own frames: a site is read from any occurrence.
	"$bin" triage --full-stacks -f json "$input" >"$tmp/r.json"
	python3 - "$tmp/r.json" "$label" "$@" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
label, specs = sys.argv[2], sys.argv[3:]
tests = {t["name"]: t for t in d["tests"]}
kind = None
bad = []
for spec in specs:
    if spec.startswith("kind:"):
        kind = spec[5:]
        continue
    if spec.startswith("site:") or spec.startswith("head:"):
        name, want = spec[5:].rsplit("=", 1)
        occ = [t for t in d["traces"] if t.get("test") == name and (kind is None or t["kind"] == kind)]
        if not occ:
            bad.append(f"{name}: no occurrence")
            continue
        t = occ[0]
        if spec.startswith("site:"):
            fr = [f for th in t["threads"] for f in th["frames"]]
            got = f"{fr[0]['file'].rsplit('/', 1)[-1]}:{fr[0]['line']}" if fr else None
        else:
            got = t["headline"][: len(want)]
        if got != want:
            bad.append(f"{name}: {spec[:4]} {got!r}, want {want!r}")
        continue
    name, want = spec.rsplit("=", 1)
    p, f, s, o = map(int, want.split("/"))
    t = tests.get(name)
    occ = sum(1 for x in d["traces"] if x.get("test") == name and (kind is None or x["kind"] == kind))
    got = (t["passes"], t["failures"], t["skips"], occ) if t else None
    if got != (p, f, s, o):
        bad.append(f"{name}: (passes, failures, skips, occurrences) = {got}, want {(p, f, s, o)}")
if bad:
    print(f"FAIL {label}:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"ok   {label}: {len(specs)} checks")
PY
}
# n PATTERN FILE: how many lines match (grep -c, 0 allowed)
n() { grep -c -E -- "$1" "$2" || true; }

# ---- testify: the block under the assertion line is the occurrence --------
for f in testify/plain.log testify/verbose.log testify/test.json; do
	specs=(kind:test-failure)
	for t in TestOverdraft TestBalances TestSubtests/negative; do
		# One occurrence per failing run, however many blocks it printed.
		specs+=("$t=0/1/0/1")
	done
	specs+=("site:TestOverdraft=ledger_test.go:$(grep -m1 -A1 -E 'ledger_test.go:[0-9]+:' testify/plain.log | sed -n 's/.*Error Trace:.*ledger_test.go:\([0-9]*\).*/\1/p')")
	specs+=("head:TestOverdraft=$(grep -m1 -P '^\s+Error:\s' testify/plain.log | sed 's/^[[:space:]]*Error:[[:space:]]*//')")
	specs+=("head:TestBalances=\"-5\" is not greater")
	if [ "$f" != testify/plain.log ]; then
		specs+=("TestDeposit=1/0/0/0" "TestSkipped=0/0/1/0" "TestSubtests/positive=1/0/0/0")
	fi
	check "$f" "$f" "${specs[@]}"
done
[ "$(grep -A13 '^--- FAIL: TestBalances' testify/plain.log | grep -c 'Error Trace:')" = 2 ] ||
	{ echo "FAIL testify/plain.log: the fixture lost its second block of TestBalances"; fail=1; }

# The same blocks with no "ledger_test.go:NN:" line above them (testify
# called where testing prints none): the block alone is the failure.
sed -E '/^ +ledger_test\.go:[0-9]+: *$/d' testify/verbose.log >"$tmp/noline.log"
[ "$(grep -c 'ledger_test.go:[0-9]*: *$' "$tmp/noline.log")" = 0 ] || { echo "FAIL: noline.log"; fail=1; }
check "testify/verbose.log without assertion lines" "$tmp/noline.log" kind:test-failure \
	TestOverdraft=0/1/0/1 TestBalances=0/1/0/1 TestSubtests/negative=0/1/0/1 \
	"site:TestOverdraft=ledger_test.go:21" "head:TestOverdraft=An error is expected"

# ---- Ginkgo: each failed spec once, the summary list never again ----------
for f in ginkgo/color.log ginkgo/plain.log ginkgo/verbose.log ginkgo/junit.xml; do
	specs=(kind:test-failure)
	nfail=$(n '^• \[(FAILED|PANICKED)\]' ginkgo/verbose.log)
	[ "$(n '^  \[(FAIL|PANICKED!)\] ' ginkgo/verbose.log)" = "$nfail" ] || { echo "FAIL: ginkgo summary list"; fail=1; }
	specs+=("[It] Queue reports an empty pop=0/1/0/1" "[It] Queue after a wrap counts its items=0/1/0/1")
	# The panic: its value is the headline, its stack the frames (not the
	# runtime's panic.go that "In [It] at:" names).
	specs+=("[It] Empty queue pops from a zero-size buffer=0/1/0/1")
	specs+=("site:[It] Empty queue pops from a zero-size buffer=queue.go:$(grep -m1 -A1 'example.com/queue.(\*Queue).Pop' ginkgo/plain.log | sed -n 's/.*queue\.go:\([0-9]*\).*/\1/p')")
	specs+=("head:[It] Empty queue pops from a zero-size buffer=$(grep -m1 -A3 '\[PANICKED\] Test Panicked' ginkgo/plain.log | grep -m1 'runtime error' | sed 's/^ *//')")
	specs+=("site:[It] Queue after a wrap counts its items=queue_test.go:$(grep -m1 -A6 '^Queue after a wrap \[It\]' ginkgo/plain.log | sed -n 's/.*In \[It\] at: .*queue_test.go:\([0-9]*\).*/\1/p')")
	specs+=("head:[It] Queue reports an empty pop=pop on an empty queue")
	if [ "$f" = ginkgo/verbose.log ] || [ "$f" = ginkgo/junit.xml ]; then
		specs+=("[It] Queue keeps order=1/0/0/0" "[It] Queue refuses a push when full=1/0/0/0" "[It] Queue is skipped=0/0/1/0")
	fi
	check "$f" "$f" "${specs[@]}"
	# Every spec failure is one occurrence; the summary adds none.
	got=$("$bin" triage -f json "$f" | python3 -c 'import json,sys; print(sum(1 for t in json.load(sys.stdin)["traces"] if t["kind"]=="test-failure" and t["test"].startswith("[It]")))')
	[ "$got" = "$nfail" ] || { echo "FAIL $f: $got spec failure occurrences, want $nfail"; fail=1; }
done
# Ginkgo's own counts line agrees with the -v outcomes.
grep -q "$(n '^• \[0' ginkgo/verbose.log) Passed | $nfail Failed | 0 Pending | $(n '^S \[SKIPPED\]' ginkgo/verbose.log) Skipped" ginkgo/verbose.log ||
	{ echo "FAIL: ginkgo/verbose.log counts"; fail=1; }

# ---- cargo test: outcome lines, one panic per failed test's section -------
for f in cargo/test.log cargo/threads1.log cargo/backtrace.log; do
	specs=(kind:rust)
	while read -r name word; do
		case $word in
		ok) specs+=("$name=1/0/0/0") ;;
		FAILED) specs+=("$name=0/1/0/$(n "^---- $name stdout ----$" "$f")") ;;
		ignored*) specs+=("$name=0/0/1/0") ;;
		esac
	done < <(sed -n 's/^test \([^ ]*\)\( - should panic\)\? \.\.\. \([A-Za-z]*\).*/\1 \3/p' "$f")
	[ "${#specs[@]}" = 7 ] || { echo "FAIL $f: ${#specs[@]} outcome lines"; fail=1; }
	specs+=("site:tests::reserve_too_many=lib.rs:$(grep -m1 "panicked at src/lib.rs" "$f" >/dev/null && sed -n "s/^thread 'tests::reserve_too_many'.* panicked at src\/lib.rs:\([0-9]*\):.*/\1/p" "$f")")
	[ "$f" = cargo/backtrace.log ] && unset 'specs[-1]'
	specs+=("head:tests::reserve_too_many=reserving 10 of 5 must fail")
	check "$f" "$f" "${specs[@]}"
done
# The failures: list and the test result: line restate; nothing of theirs counts.
grep -q "^test result: FAILED. $(n ' \.\.\. ok$' cargo/test.log) passed; $(n ' \.\.\. FAILED$' cargo/test.log) failed; $(n ' \.\.\. ignored' cargo/test.log) ignored" cargo/test.log ||
	{ echo "FAIL: cargo/test.log result line"; fail=1; }

# ---- pytest: -v lines, summaries, and each --tb style ---------------------
for f in pytest/verbose.log pytest/short.log pytest/line.log pytest/native.log pytest/plain.log; do
	specs=(kind:python)
	if [ "$f" = pytest/plain.log ]; then
		# Without -v only the summary names tests: the failures.
		while read -r name; do specs+=("$name=0/1/0/1"); done < <(sed -n 's/^FAILED \([^ ]*\) - .*/\1/p' "$f")
	else
		while read -r name word; do
			case $word in
			PASSED) specs+=("$name=1/0/0/0") ;;
			FAILED) specs+=("$name=0/1/0/1") ;;
			SKIPPED) specs+=("$name=0/0/1/0") ;;
			esac
		done < <(sed -n 's/^\([^ ]*\.py::[^ ]*\) \(PASSED\|FAILED\|SKIPPED\).*/\1 \2/p' "$f")
	fi
	specs+=("site:test_shelf.py::test_lend_removes_book=test_shelf.py:13")
	specs+=("head:test_shelf.py::test_lend_missing=KeyError: 'z'")
	check "$f" "$f" "${specs[@]}"
done
[ "$(n '^test_shelf.py::.* (PASSED|FAILED|SKIPPED)' pytest/verbose.log)" = 7 ] || { echo "FAIL: pytest/verbose.log"; fail=1; }
# pytest's JUnit of the -v run: testcases named back to node ids.
specs=(kind:test-failure)
while read -r name word; do
	case $word in
	PASSED) specs+=("$name=1/0/0/0") ;;
	FAILED) specs+=("$name=0/1/0/1") ;;
	SKIPPED) specs+=("$name=0/0/1/0") ;;
	esac
done < <(sed -n 's/^\([^ ]*\.py::[^ ]*\) \(PASSED\|FAILED\|SKIPPED\).*/\1 \2/p' pytest/verbose.log)
[ "$(grep -o '<testcase ' pytest/junit.xml | wc -l)" = 7 ] || { echo "FAIL: pytest/junit.xml testcases"; fail=1; }
check pytest/junit.xml pytest/junit.xml "${specs[@]}" "head:test_shelf.py::test_lend_missing=KeyError: 'z'"

# ---- Maven Surefire: console, its plain-text report and its JUnit XML -----
for f in surefire/mvn.log surefire/surefire-reports/till.TillTest.txt surefire/surefire-reports/TEST-till.TillTest.xml; do
	specs=(kind:java)
	for name in $(sed -n 's/^\(\[ERROR\] \)\?\([A-Za-z]*\)(till.TillTest).*<<< \(FAILURE\|ERROR\)!.*/\2/p' surefire/mvn.log); do
		specs+=("$name=0/1/0/1")
	done
	[ "${#specs[@]}" = 3 ] || { echo "FAIL: surefire failures in mvn.log"; fail=1; }
	specs+=("site:refundNeverNegative=TillTest.java:$(sed -n 's/.*at till.TillTest.refundNeverNegative(TillTest.java:\([0-9]*\)).*/\1/p' surefire/mvn.log | head -1)")
	if [ "${f##*.}" = xml ]; then
		x=$f
		for name in $(sed -n 's/.*<testcase name="\([^"]*\)".*/\1/p' "$x"); do
			if grep -A1 "<testcase name=\"$name\"" "$x" | grep -q '<skipped'; then
				specs+=("$name=0/0/1/0")
			elif ! grep -A1 "<testcase name=\"$name\"" "$x" | grep -q '<failure\|<error'; then
				specs+=("$name=1/0/0/0")
			fi
		done
	fi
	check "$f" "$f" "${specs[@]}"
done

# ---- a job's console log beside its JUnit file: the runs count once ---------
for pair in "ginkgo/verbose.log ginkgo/junit.xml" "pytest/verbose.log pytest/junit.xml" \
	"surefire/mvn.log surefire/surefire-reports/TEST-till.TillTest.xml"; do
	rm -rf "$tmp/job" && mkdir "$tmp/job"
	# shellcheck disable=SC2086
	cp $pair "$tmp/job/"
	"$bin" triage -f json "$tmp/job" | python3 -c '
import json, sys
d = json.load(sys.stdin)
bad = [t["name"] for t in d["tests"] if t["runs"] != 1]
occ = sum(1 for t in d["traces"] if t.get("test") and not t["test"].startswith("Test"))
if bad or occ != 2 * sum(t["failures"] for t in d["tests"] if not t["name"].startswith("Test")):
    print(f"FAIL {sys.argv[1]}: runs not merged for {bad}, or {occ} occurrences"); sys.exit(1)
print(f"ok   {sys.argv[1]}: copies count once, each keeps its occurrences")' "$pair" || fail=1
done

exit $fail

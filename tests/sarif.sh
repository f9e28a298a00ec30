#!/usr/bin/env bash
# SARIF: the report of the bundled fixtures validated against the official
# SARIF 2.1.0 JSON Schema (../shared/schemas/sarif-schema-2.1.0.json next to
# the checkout) with Debian's python3-jsonschema, plus the promises the
# schema cannot check: one result per race pair and per cluster, both race
# sites as locations, rule ids that exist, stable fingerprints, same bytes
# on a second run. Exits 77 (skipped) when the schema or validator is absent.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
schema=../shared/schemas/sarif-schema-2.1.0.json
py=/usr/bin/python3 # Debian's python, which has python3-jsonschema
if [ ! -f "$schema" ]; then
  echo "SKIP: $schema not found; SARIF schema validation skipped"
  exit 77
fi
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
  echo "SKIP: $py has no jsonschema module (apt-get install python3-jsonschema; scripts/setup.sh)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" triage -o "sarif:$tmp/r.sarif" -o "json:$tmp/r.json" fixtures/ >/dev/null
"$bin" triage -f sarif fixtures/ | cmp -s - "$tmp/r.sarif" || { echo "FAIL: two runs differ" >&2; exit 1; }

"$py" - "$schema" "$tmp/r.sarif" "$tmp/r.json" <<'PY'
import json, sys
import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
rep = json.load(open(sys.argv[3]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:20]:
    print("FAIL: schema: %s at %s" % (e.message, "/".join(map(str, e.absolute_path))))
assert not errors, "%d schema error(s)" % len(errors)

def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)

check(doc["version"] == "2.1.0" and len(doc["runs"]) == 1, "one SARIF 2.1.0 run")
run = doc["runs"][0]
driver = run["tool"]["driver"]
check(driver["name"] == "crashsift" and driver["version"], "tool.driver name and version")
rules = [r["id"] for r in driver["rules"]]
check(len(set(rules)) == len(rules), "rule ids are unique")
check({"crashsift/race/map", "crashsift/race/data", "crashsift/go-panic"} <= set(rules),
      "rules per kind")
check(all(r["shortDescription"]["text"] for r in driver["rules"]), "every rule is described")
results = run["results"]
check(len(results) == len(rep["races"]) + len(rep["clusters"]),
      "one result per race pair and per cluster (%d != %d + %d)"
      % (len(results), len(rep["races"]), len(rep["clusters"])))
for r in results:
    check(rules[r["ruleIndex"]] == r["ruleId"], "ruleIndex matches ruleId: %s" % r["ruleId"])
    check(r["message"]["text"], "every result has a message")
races = [r for r in results if "crashsiftRaceId/v1" in r["partialFingerprints"]]
check([r["partialFingerprints"]["crashsiftRaceId/v1"] for r in races]
      == [x["id"] for x in rep["races"]], "race results carry the race ids, in order")
for r, x in zip(races, rep["races"]):
    check(r["ruleId"] == ("crashsift/race/map" if x["map_race"] else "crashsift/race/data"),
          "race rule by kind: " + x["id"])
    locs = r["locations"]
    check(len(locs) == len(x["sites"]), "every known race site is a location: " + x["id"])
    for loc, site in zip(locs, x["sites"]):
        pl = loc.get("physicalLocation")
        if pl:
            check(pl["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
                  and site["file"].endswith(pl["artifactLocation"]["uri"].split("/")[-1])
                  and pl["region"]["startLine"] == site["line"],
                  "race site location is the site's repository file and line: " + x["id"])
    # Code scanning shows the first location only: site B is also related
    # location 0, linked from the message.
    if len(locs) > 1 and "physicalLocation" in locs[1]:
        check(r["relatedLocations"][0]["id"] == 0 and "](0)" in r["message"]["text"],
              "the second site is linked: " + x["id"])
    # Capped at SARIF_MAX_RELATED (sarif.c) per result.
    check(len([l for l in r["relatedLocations"] if l["id"] > 0]) == min(len(x["occurrences"]), 100),
          "every linked failure (up to 100) is a related location: " + x["id"])
    check(all(rl["message"]["text"] for rl in r["relatedLocations"]), "related locations say why")
clusters = [r for r in results if "crashsiftClusterId/v1" in r["partialFingerprints"]]
check(len(clusters) == len(rep["clusters"]), "cluster results carry cluster ids")
byid = {c["id"]: c for c in rep["clusters"]}
located = 0
for r in clusters:
    c = byid[r["partialFingerprints"]["crashsiftClusterId/v1"]]
    check(r["ruleId"] == "crashsift/" + c["kind"], "cluster rule by kind: " + c["id"])
    if "locations" in r:
        pl = r["locations"][0]["physicalLocation"]
        files = [f["file"] for f in c["frames"] if f["file"]]
        check(any(f.endswith(pl["artifactLocation"]["uri"].split("/")[-1]) for f in files),
              "cluster location is one of its frames: " + c["id"])
        located += 1
notes = run["invocations"][0]["toolExecutionNotifications"]
check(len(notes) == len(rep["errors"]), "input errors are tool notifications")
# Every location is a repository path: relative, folded, never toolchain,
# dependency or system code.
def uris(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "artifactLocation":
                yield v["uri"]
            else:
                yield from uris(v)
    elif isinstance(o, list):
        for v in o:
            yield from uris(v)
bad_parts = ("/pkg/mod/", "/usr/", "site-packages", "node_modules", "/rustc/", "sanitizer_common")
for u in uris(doc):
    check(not u.startswith("/") and ":" not in u.split("/")[0] and "/../" not in "/" + u
          and not u.startswith("./") and not any(b in "/" + u for b in bad_parts)
          and not u.endswith(".o"), "a repository-relative uri: " + u)
print("sarif: valid against %s; %d results (%d races, %d clusters)"
      % (sys.argv[1], len(results), len(races), len(clusters)))
PY

# --repo-root: the local checkout the fixtures ran in is the repository;
# only results with code in it remain, and every race keeps a code flow.
"$bin" triage -f sarif --repo-root /tmp/crashsift-go/dispatch fixtures/ >"$tmp/root.sarif"
"$py" - "$schema" "$tmp/root.sarif" "$tmp/r.json" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
rep = json.load(open(sys.argv[3]))
cls = jsonschema.validators.validator_for(schema)
errors = list(cls(schema).iter_errors(doc))
assert not errors, errors[:3]
res = doc["runs"][0]["results"]
assert 0 < len(res) < len(rep["races"]) + len(rep["clusters"]), "filtered to the repository"
for r in res:
    locs = [l for l in r.get("locations", []) if "physicalLocation" in l]
    assert locs, "every kept result has code in the repository: " + r["message"]["text"][:80]
    for l in locs:
        u = l["physicalLocation"]["artifactLocation"]["uri"]
        assert not u.startswith("/") and not u.startswith("dispatch/"), u
flows = [r for r in res if r.get("codeFlows")]
assert flows and all(len(f["codeFlows"][0]["threadFlows"]) == 2 for f in flows), "race code flows"
print("sarif --repo-root: %d results, %d with code flows" % (len(res), len(flows)))
PY

#!/usr/bin/env bash
# make lava-compare: the same cases through the local matrix (`make matrix`) and through LAVA
# (`make lava-run`, which installs lava-dispatcher when missing) must get the same verdict each, and
# the case made to fail on purpose (tests/lava/failing.txt) must be a <failure> in LAVA's junit.xml.
#
#   tests/lava/compare.sh            BUILD (default build) is the build dir; outputs in BUILD/lava-compare/
#   LAVA_COMPARE_FILTER=regex        other cases (of images/matrix.txt and tests/lava/failing.txt)
#
# The last line: "lava-compare: N passed, M failed" (one per case, one for the junit.xml check); a
# case LAVA cannot run (images/lava/lava.py says why, e.g. a TPM) is listed as skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FILTER=${LAVA_COMPARE_FILTER:-'^(epyc-milan\.sev-snp|skylake-client\.bare-metal-intel|harness\.hung-guest|harness\.wrong-expectation|lava\.wrong-hypercall)$'}
MATRIX="images/matrix.txt tests/lava/failing.txt"
OUT=$BUILD/lava-compare
FAILING=lava.wrong-hypercall
rm -rf "$OUT"
mkdir -p "$OUT"

t0=$(date +%s)
# Both exit 1: the failing case fails, on purpose.
make --no-print-directory BUILD="$BUILD" MATRIX="$MATRIX" FILTER="$FILTER" MATRIX_OUT="$OUT/matrix" matrix \
	>"$OUT/matrix.out" 2>&1 || true
t1=$(date +%s)
make --no-print-directory BUILD="$BUILD" MATRIX="$MATRIX" FILTER="$FILTER" LAVA_OUT="$OUT/lava" lava-run \
	>"$OUT/lava.out" 2>&1 || true
t2=$(date +%s)
grep -E '^matrix: [0-9]+ passed' "$OUT/matrix.out" || tail -n 3 "$OUT/matrix.out"
grep -E '^lava: ([0-9]+ passed|.*no job)' "$OUT/lava.out" || tail -n 3 "$OUT/lava.out"
echo "lava-compare: local matrix $((t1 - t0)) s, lava-run $((t2 - t1)) s (outputs in $OUT)"

python3 - "$OUT" "$FAILING" <<'PY'
import json, os, sys
import xml.etree.ElementTree as ET
out, failing = sys.argv[1], sys.argv[2]
local, lava = os.path.join(out, "matrix"), os.path.join(out, "lava")
names = sorted(n for n in os.listdir(local) if os.path.exists(os.path.join(local, n, "result.json")))
try:
    jobs = {os.path.splitext(j.strip())[0] for j in open(os.path.join(lava, "jobs.txt"))}
except OSError:
    jobs = set()
passed = failed = 0
for n in names:
    a = json.load(open(os.path.join(local, n, "result.json")))
    if n not in jobs:
        print(f"skip  {n:45} local {a['status'].upper():8} no LAVA job (lava.out says why)")
        continue
    p = os.path.join(lava, n, "result.json")
    b = json.load(open(p)) if os.path.exists(p) else {"status": "missing", "reasons": ["no LAVA result"]}
    same = a["status"] == b["status"]
    passed, failed = passed + same, failed + (not same)
    print(f"{'same' if same else 'DIFF'}  {n:45} local {a['status'].upper():8} lava {b['status'].upper():8}"
          + ("" if same else f"  local: {'; '.join(a['reasons'])} | lava: {'; '.join(b['reasons'])}"))
if not names:
    print("lava-compare: the local matrix left no result (see matrix.out)")
    failed += 1
try:
    cases = {tc.get("name"): tc for tc in ET.parse(os.path.join(lava, "junit.xml")).iter("testcase")}
except (OSError, ET.ParseError) as e:
    cases = {}
    print(f"lava-compare: no LAVA junit.xml: {e}")
tc = cases.get(failing)
ok = tc is not None and tc.find("failure") is not None
print(f"{'ok  ' if ok else 'FAIL'}  {failing} is a <failure> in {os.path.join(lava, 'junit.xml')}"
      + (f": {tc.find('failure').get('message')}" if ok else ""))
passed, failed = passed + ok, failed + (not ok)
print(f"lava-compare: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY

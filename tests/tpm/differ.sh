#!/usr/bin/env bash
# Measured boot: one changed decision or another payload file must change the PCRs, measured and
# predicted alike (docs/security.md#measured-boot). Boots three QEMU cases of images/cases.txt with a
# TPM (swtpm) through the matrix runner, whose checker already requires each boot's read-back PCRs to
# equal `eptool pcr`'s prediction and the replay of the ESP event log; then compares the boots:
#   tpm-alternatives-off vs tpm-selftest   one decision (stage 2 off): PCR 8 differs
#   tpm-pie-payload      vs tpm-selftest   another payload file: PCR 8 and PCR 9 differ
# and the same for the predictions (pcr.txt). Last line: "tpm-differ: N passed, M failed".
#
#   tests/tpm/differ.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=$build/tpm-differ
passed=0 failed=0
check() { # check NAME COMMAND...
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "tpm-differ: ok   $name"
	else
		failed=$((failed + 1))
		echo "tpm-differ: FAIL $name"
	fi
}
python3 images/matrix/matrix.py --build "$build" --matrix images/cases.txt --jobs 2 --label tpm-differ-boots --out "$out" \
	--filter '^tpm-(selftest|alternatives-off|pie-payload)$' run | grep -E '^(accel|tpm-differ-boots|\[.*(FAIL|ERROR|TIMEOUT))'
runner=${PIPESTATUS[0]}
check "the three TPM boots pass (read-back = eptool pcr = event log replay)" test "$runner" = 0

# pcr CASE N FILE: the value of "I tpm pcr=N" in the case's FILE (esp.log: measured; pcr.txt: predicted).
pcr() { grep -a "^I tpm pcr=$2 bank=sha256 value=" "$out/$1/$3" 2>/dev/null | sed 's/.*value=//' | tr -d '\r'; }
differ() { # differ CASE_A CASE_B N FILE: both present and different
	local a b
	a=$(pcr "$1" "$3" "$4") b=$(pcr "$2" "$3" "$4")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || { echo "  PCR $3 in $4: $1=${a:-none} $2=${b:-none}"; return 1; }
}
for file in esp.log pcr.txt; do
	what=$([ $file = esp.log ] && echo measured || echo predicted)
	check "alternatives off changes PCR 8 ($what)" differ tpm-selftest tpm-alternatives-off 8 $file
	check "another payload file changes PCR 8 ($what)" differ tpm-selftest tpm-pie-payload 8 $file
	check "another payload file changes PCR 9 ($what)" differ tpm-selftest tpm-pie-payload 9 $file
done
# The decisions record itself: the changed decision is in it.
rec() { grep -a '^I tpm-measure pcr=8 what=decisions' "$out/$1/esp.log" | sed 's/.*sha256=\([0-9a-f]*\).*/\1/'; }
check "the decisions event differs with alternatives off" test "$(rec tpm-selftest)" != "$(rec tpm-alternatives-off)"
echo "tpm-differ: $passed passed, $failed failed"
[ "$failed" = 0 ]

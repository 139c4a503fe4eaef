#!/usr/bin/env bash
# Checks that a boot log's facts lines ("I cpu ...", "W cpu ...", "I hv ...",
# "I sev ...", "I tdx ...") are exactly what `eptool cpu` derives from the same
# log's CPUID dump: the firmware and the host replay must agree.
#
#   tests/facts/replay-check.sh EPTOOL LOG
set -u
eptool=$1 log=$2
facts_lines() { grep -E '^[IW] (cpu|hv|sev|tdx) '; }
want=$(tr -d '\r' <"$log" | facts_lines)
got=$("$eptool" cpu --cpuid-dump "$log") || { echo "FAIL $log: eptool cpu failed"; exit 1; }
if [ -z "$want" ]; then
	echo "FAIL $log: no facts lines in the log"
	exit 1
fi
if [ "$want" != "$(printf '%s\n' "$got" | facts_lines)" ]; then
	echo "FAIL $log: firmware and eptool facts differ:"
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got" | facts_lines)
	exit 1
fi
echo "ok $log"

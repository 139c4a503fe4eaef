#!/usr/bin/env bash
# Runs each cmocka unit-test program; fails if any fails. Each prints cmocka's own summary;
# stdout and stderr are line-buffered so the two interleave correctly in one log.
set -u
fail=0 pass=0
for t in "$@"; do
	if stdbuf -oL -eL "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "unit: FAILED $t"; fi
done
echo "unit programs: $pass passed, $fail failed"
[ $fail -eq 0 ]

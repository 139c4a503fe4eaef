#!/usr/bin/env bash
# Runs each cmocka unit-test program; fails if any fails. cmocka prints its own summary per program.
set -u
fail=0
for t in "$@"; do
	"$t" || fail=1
done
exit $fail

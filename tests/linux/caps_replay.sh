#!/bin/sh
# make test's linux-caps-replay: what Debian's kernels derived on QEMU CPU
# models (tests/data/linux/SERIES/MODEL.caps and .thunk, recorded by
# `LINUX_SAVE_TRUTH=1 make check-linux`) against what core/linux/lcaps.c
# derives from earlypatch's own CPUID dump of the same model
# (tests/data/cpuid/qemu-MODEL.dump): every word and the return thunk.
# No kernel and no boot needed.
#
#   caps_replay.sh CPUCMP
set -eu
cpucmp=$1
pass=0
fail=0
for caps in tests/data/linux/*/*.caps; do
	series=$(basename "$(dirname "$caps")")
	model=$(basename "$caps" .caps)
	dump=tests/data/cpuid/qemu-$(echo "$model" | tr 'A-Z' 'a-z').dump
	if [ ! -f "$dump" ]; then
		echo "FAIL $series $model: no $dump"
		fail=$((fail + 1))
		continue
	fi
	if out=$("$cpucmp" "$dump" "$caps" "$series" --label "$series $model" --thunk "$(cat "${caps%.caps}.thunk")"); then
		pass=$((pass + 1))
	else
		echo "$out" | grep -v '^R'
		echo "FAIL $series $model"
		fail=$((fail + 1))
	fi
done
echo "linux-caps-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]

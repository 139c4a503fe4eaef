#!/bin/sh
# make check-linux: for each kernel series and QEMU CPU model, boot the
# kernel, read what it patched, patch the same vmlinux with eptool using the
# kernel's own capability words, and compare every site; then compare the
# CPU detection (earlypatch's words from a CPUID dump vs the kernel's).
#
#   check.sh BUILD_DIR EPTOOL COMPARE CPUCMP [SERIES...]
# Env: LINUX_MODELS (default "qemu64 Skylake-Client EPYC-Milan"),
#      LINUX_CACHE (default tests/linux/cache).
set -eu
build=$1; eptool=$2; compare=$3; cpucmp=$4
shift 4
series=${*:-6.1 6.12}
models=${LINUX_MODELS:-qemu64 Skylake-Client EPYC-Milan}
cache=${LINUX_CACHE:-tests/linux/cache}
here=$(dirname "$0")
work=$build/linux
mkdir -p "$work"
summary=$work/summary.txt
: >"$summary"
status=0

for s in $series; do
	sh "$here/fetch.sh" "$cache" "$s"
	kdir=$cache/$s
	# images/bzimage.sh (what `make run PAYLOAD=vmlinuz` boots) must give this kernel's own vmlinux.
	# (Through a file: sh has no pipefail, and tee's status would hide a failure.)
	bash "$here/bzimage_test.sh" --dbg "$kdir" >"$work/bzimage-$s.txt" || status=1
	tee -a "$summary" <"$work/bzimage-$s.txt"
	for m in $models; do
		out=$work/$s/$m
		sh "$here/boot_dump.sh" "$kdir" "$m" "$out"
		"$eptool" apply "$kdir/vmlinux" -o "$out/vmlinux.patched" --caps "$(cat "$out/caps")" \
			--return-thunk "$(cat "$out/return_thunk")" >"$out/apply.log" || { status=1; continue; }
		grep -E '^I (alt|pv|patch)-summary' "$out/apply.log" | sed "s|^|  $s $m: |"
		"$compare" "$kdir/vmlinux" "$out/vmlinux.patched" "$out" --label "$s $(cat "$kdir/version") $m" \
			>"$out/compare.txt" || status=1
		rm -f "$out/vmlinux.patched"
		grep '^D' "$out/compare.txt" | head -20 || true
		grep '^R' "$out/compare.txt" | tee -a "$summary"
		dump=$(ls tests/data/cpuid/qemu-*.dump 2>/dev/null | grep -i "qemu-$(echo "$m" | tr 'A-Z' 'a-z')\." || true)
		if [ -n "$dump" ]; then
			"$cpucmp" "$dump" "$out/caps" "$kdir/ncapints" --label "$s $m" --series "$s" >"$out/cpucmp.txt" || status=1
			cat "$out/cpucmp.txt" | tee -a "$summary"
		fi
	done
done
echo "== check-linux summary"
cat "$summary"
exit $status

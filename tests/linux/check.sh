#!/bin/sh
# make check-linux: for each kernel series and QEMU CPU model, boot the
# kernel and read what it made of itself (boot_cpu_data.x86_capability,
# x86_return_thunk and its patched text), then hold three things against it:
#   caps  eptool patching the same vmlinux with the kernel's own words and
#         thunk (the engine alone), site for site;
#   dump  eptool patching it from earlypatch's CPUID dump of that model alone
#         (--preview kernel: core/linux/lcaps.c derives the words and the
#         thunk), site for site;
#   cpuinfo  eptool patching it from the /proc/cpuinfo that kernel showed
#         (its flags and bugs lines, named by its own tables:
#         cpuinfo_from_caps.py) alone, --cpuinfo, site for site;
#   cpu   the derived words against the kernel's, word for word, and the thunk.
#
#   check.sh BUILD_DIR EPTOOL COMPARE CPUCMP [SERIES...]
# Env: LINUX_MODELS (default: the models below; "all" = every model with a dump
#      in tests/data/cpuid), LINUX_CACHE (default tests/linux/cache),
#      LINUX_JOBS (kernel boots at once, default 2),
#      LINUX_REUSE_BOOTS=1 (keep a model's earlier boot when its caps exist),
#      LINUX_SAVE_TRUTH=1 (record each boot's words and thunk in tests/data/linux/SERIES/
#      MODEL.{caps,thunk}, which `make test` replays: tests/linux/caps_replay.sh).
set -eu
build=$1; eptool=$2; compare=$3; cpucmp=$4
shift 4
series=${*:-6.1 6.12}
default_models="qemu64 Conroe Nehalem SandyBridge Skylake-Client Cascadelake-Server Icelake-Server Snowridge \
Denverton EPYC EPYC-Rome EPYC-Milan Dhyana"
models=${LINUX_MODELS:-$default_models}
cache=${LINUX_CACHE:-tests/linux/cache}
jobs=${LINUX_JOBS:-2}
here=$(dirname "$0")
work=$build/linux
mkdir -p "$work"
summary=$work/summary.txt
: >"$summary"
status=0

dump_of() {
	ls tests/data/cpuid/qemu-*.dump 2>/dev/null | grep -i "/qemu-$(echo "$1" | tr 'A-Z' 'a-z')\.dump$" || true
}
if [ "$models" = all ]; then
	models=$(for d in tests/data/cpuid/qemu-*.dump; do sed -n 's/.*-cpu \([^ ,]*\).*/\1/p' "$d" | head -n1; done)
fi

for s in $series; do
	sh "$here/fetch.sh" "$cache" "$s"
	kdir=$cache/$s
	# images/bzimage.sh (what `make run PAYLOAD=vmlinuz` boots) must give this kernel's own vmlinux.
	# (Through a file: sh has no pipefail, and tee's status would hide a failure.)
	bash "$here/bzimage_test.sh" --dbg "$kdir" >"$work/bzimage-$s.txt" || status=1
	tee -a "$summary" <"$work/bzimage-$s.txt"
	# The boots, LINUX_JOBS at a time (each is one single-threaded QEMU).
	for m in $models; do
		out=$work/$s/$m
		if [ "${LINUX_REUSE_BOOTS:-0}" = 1 ] && [ -s "$out/caps" ] && [ -s "$out/return_thunk" ]; then
			continue
		fi
		echo "$m"
	done | xargs -r -P "$jobs" -I{} sh "$here/boot_dump.sh" "$kdir" {} "$work/$s/{}" || status=1
	for m in $models; do
		out=$work/$s/$m
		[ -s "$out/caps" ] || { echo "R $s $m: no boot (see $out/serial.log)" | tee -a "$summary"; status=1; continue; }
		thunk=$(nm "$kdir/vmlinux" | awk -v a="$(sed 's/^0x//' "$out/return_thunk")" '$1 == a { print $3; exit }')
		if [ "${LINUX_SAVE_TRUTH:-0}" = 1 ]; then
			mkdir -p "tests/data/linux/$s"
			cp "$out/caps" "tests/data/linux/$s/$m.caps"
			echo "$thunk" >"tests/data/linux/$s/$m.thunk"
		fi
		"$eptool" apply "$kdir/vmlinux" -o "$out/vmlinux.patched" --caps "$(cat "$out/caps")" \
			--return-thunk "$(cat "$out/return_thunk")" >"$out/apply.log" || { status=1; continue; }
		"$compare" "$kdir/vmlinux" "$out/vmlinux.patched" "$out" --label "$s $m caps" \
			>"$out/compare.txt" || status=1
		grep '^D' "$out/compare.txt" | head -20 || true
		grep '^R' "$out/compare.txt" | tee -a "$summary"
		dump=$(dump_of "$m")
		if [ -z "$dump" ]; then
			echo "R $s $m: no CPUID dump in tests/data/cpuid (tests/linux/capture_dump.sh makes one)" | tee -a "$summary"
			rm -f "$out/vmlinux.patched"
			continue
		fi
		"$eptool" apply "$kdir/vmlinux" -o "$out/vmlinux.patched" --cpuid-dump "$dump" --preview kernel \
			>"$out/apply-dump.log" || { status=1; continue; }
		"$compare" "$kdir/vmlinux" "$out/vmlinux.patched" "$out" --label "$s $m dump" \
			>"$out/compare-dump.txt" || status=1
		grep '^D' "$out/compare-dump.txt" | head -20 || true
		grep '^R' "$out/compare-dump.txt" | tee -a "$summary"
		python3 "$here/cpuinfo_from_caps.py" "$kdir" "$out/caps" "$dump" >"$out/cpuinfo.txt" || status=1
		"$eptool" apply "$kdir/vmlinux" -o "$out/vmlinux.patched" --cpuinfo "$out/cpuinfo.txt" \
			>"$out/apply-cpuinfo.log" || { status=1; continue; }
		"$compare" "$kdir/vmlinux" "$out/vmlinux.patched" "$out" --label "$s $m cpuinfo" \
			>"$out/compare-cpuinfo.txt" || status=1
		rm -f "$out/vmlinux.patched"
		grep '^R' "$out/compare-cpuinfo.txt" | tee -a "$summary"
		"$cpucmp" "$dump" "$out/caps" "$s" --label "$s $m" --thunk "$thunk" >"$out/cpucmp.txt" || status=1
		tee -a "$summary" <"$out/cpucmp.txt"
	done
done
echo "== check-linux summary"
cat "$summary"
exit $status

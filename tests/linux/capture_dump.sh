#!/usr/bin/env bash
# Captures earlypatch's own CPUID dump of a QEMU CPU model (TCG) into
# tests/data/cpuid/qemu-<model>.dump: the `I cpuid` lines of a plain boot's ESP log, as
# `make check-linux` compares them with what Debian's kernels derive on the same model.
#
#   tests/linux/capture_dump.sh BUILD_DIR MODEL...
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$1
shift
for model in "$@"; do
	out=$build/capture/$model
	mkdir -p "$out"
	printf 'on-exit shutdown\nhandoff none\n' >"$out/earlypatch.conf"
	images/mkesp.sh "$out/esp.img" "$build/efi/earlypatch.efi" --config "$out/earlypatch.conf" >/dev/null
	ACCEL=tcg scripts/qemu-boot.sh --esp "$out/esp.img" --out "$out" --cpu "$model" --timeout 60 --case-accel tcg
	dump=tests/data/cpuid/qemu-$(echo "$model" | tr 'A-Z' 'a-z').dump
	{
		echo "# Captured from earlypatch's own ESP log: QEMU $(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9.]*\).*/\1/p') TCG, -cpu $model, OVMF (Debian 12)."
		MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log | tr -d '\r' | grep '^I cpuid '
	} >"$dump.tmp"
	[ "$(grep -c '^I cpuid' "$dump.tmp")" -gt 5 ] || { echo "capture: $model: no cpuid lines" >&2; rm -f "$dump.tmp"; exit 1; }
	mv "$dump.tmp" "$dump"
	echo "capture: $model -> $dump ($(grep -c '^I cpuid' "$dump") leaves)"
done

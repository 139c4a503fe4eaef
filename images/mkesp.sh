#!/usr/bin/env bash
# Builds a FAT ESP image with mtools: no root, no loop devices.
#
#   images/mkesp.sh OUT.img EFI_APP [--config FILE] [--payload FILE] [--file SRC=\PATH\ON\ESP]... [--size-mb N]
#
# Layout: \EFI\BOOT\BOOTX64.EFI (the app, found by the firmware's removable-media
# boot), \EFI\earlypatch\earlypatch.conf, \EFI\earlypatch\payload.elf.
# Timestamps and the volume serial are fixed, so the same inputs give the same bytes.
set -euo pipefail

usage() { echo "usage: $0 OUT.img EFI_APP [--config F] [--payload F] [--file SRC=ESP_PATH]... [--size-mb N]" >&2; exit 2; }
[ $# -ge 2 ] || usage
out=$1 app=$2
shift 2
config="" payload="" size_mb=48
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--config) config=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--file) extra+=("$2"); shift 2 ;;
	--size-mb) size_mb=$2; shift 2 ;;
	*) usage ;;
	esac
done
for f in "$app" ${config:+"$config"} ${payload:+"$payload"}; do
	[ -f "$f" ] || { echo "mkesp: no such file: $f" >&2; exit 1; }
done

export MTOOLS_SKIP_CHECK=1
# mtools stamps files with the current time unless SOURCE_DATE_EPOCH says otherwise;
# mcopy runs without -m, which would copy each source file's own mtime instead.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
truncate -s "${size_mb}M" "$tmp"
mformat -i "$tmp" -F -N 0x45504154 -v EARLYPATCH :: >/dev/null
mmd -i "$tmp" ::/EFI ::/EFI/BOOT ::/EFI/earlypatch
put() { mcopy -i "$tmp" -o "$1" "::$(echo "$2" | tr '\\' '/')"; }
put "$app" /EFI/BOOT/BOOTX64.EFI
[ -n "$config" ] && put "$config" /EFI/earlypatch/earlypatch.conf
[ -n "$payload" ] && put "$payload" /EFI/earlypatch/payload.elf
for spec in ${extra[@]+"${extra[@]}"}; do
	put "${spec%%=*}" "${spec#*=}"
done
mv "$tmp" "$out"
trap - EXIT

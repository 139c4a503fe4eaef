#!/usr/bin/env bash
# Builds a FAT ESP image with mtools: no root, no loop devices.
#
#   images/mkesp.sh OUT.img EFI_APP [--config FILE] [--payload FILE] [--initrd FILE] [--cmdline TEXT]
#                   [--file SRC=\PATH\ON\ESP]... [--size-mb N] [--sign KEY CERT]
#
# Layout: \EFI\BOOT\BOOTX64.EFI (the app, found by the firmware's removable-media
# boot), \EFI\earlypatch\earlypatch.conf, \EFI\earlypatch\payload.elf.
# A bzImage payload ("HdrS" at 0x202) is unpacked on the host (images/bzimage.sh): its vmlinux
# becomes payload.elf, its first 1024 bytes \EFI\earlypatch\linux-setup.bin, with the config line
# `linux-setup \EFI\earlypatch\linux-setup.bin`. --initrd puts \EFI\earlypatch\initrd.img with
# `initrd \EFI\earlypatch\initrd.img`; --cmdline adds `cmdline TEXT`. Those lines go at the end of
# a copy of the --config file (later lines win), which itself is never changed.
# Without --size-mb the image is the files' total + 16 MB, at least 48 MB.
# --sign KEY CERT: for Secure Boot. Every file put under \EFI\earlypatch is pinned (its SHA-256 written
# into a copy of EFI_APP by `eptool pin`, core/boot/verify.h), then that copy is signed with sbsign
# and becomes BOOTX64.EFI: the signature covers the pins, the pins cover the files.
# Timestamps and the volume serial are fixed, so the same inputs give the same bytes.
set -euo pipefail

usage() {
	echo "usage: $0 OUT.img EFI_APP [--config F] [--payload F] [--initrd F] [--cmdline TEXT]" \
		"[--file SRC=ESP_PATH]... [--size-mb N] [--sign KEY CERT]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
out=$1 app=$2
shift 2
config="" payload="" initrd="" size_mb="" sign_key="" sign_cert=""
cmdline_set=0 cmdline=""
extra=()
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--config) config=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--cmdline) cmdline_set=1 cmdline=$2; shift 2 ;;
	--file) extra+=("$2"); shift 2 ;;
	--size-mb) size_mb=$2; shift 2 ;;
	--sign) [ $# -ge 3 ] || usage; sign_key=$2 sign_cert=$3; shift 3 ;;
	*) usage ;;
	esac
done
for f in "$app" ${config:+"$config"} ${payload:+"$payload"} ${initrd:+"$initrd"}; do
	[ -f "$f" ] || { echo "mkesp: no such file: $f" >&2; exit 1; }
done
# earlypatch.conf is line based and '#' starts a comment there: either would silently change
# what the kernel gets (docs/config.md).
case $cmdline in
*$'\n'* | *$'\r'*) echo "mkesp: --cmdline must be one line" >&2; exit 1 ;;
*'#'*) echo "mkesp: --cmdline cannot hold '#' (earlypatch.conf reads it as a comment)" >&2; exit 1 ;;
esac

export MTOOLS_SKIP_CHECK=1
# mtools stamps files with the current time unless SOURCE_DATE_EPOCH says otherwise;
# mcopy runs without -m, which would copy each source file's own mtime instead.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
tmp="$out.tmp.$$"
work=""
trap 'rm -f "$tmp"; [ -z "$work" ] || rm -rf "$work"' EXIT
rm -f "$tmp"

# The config lines this run adds; none for a plain ELF payload without --initrd/--cmdline, so
# those images keep the --config file's own bytes.
lines=()
setup=""
# od, not $(head ...): a command substitution drops (and warns about) the NUL bytes an ELF has there.
if [ -n "$payload" ] && [ "$(od -An -tx1 -j 514 -N 4 "$payload" | tr -d ' ')" = 48647253 ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/mkesp.XXXXXX")
	"$here/bzimage.sh" "$payload" "$work/linux"
	payload=$work/linux/vmlinux setup=$work/linux/linux-setup.bin
	lines+=('linux-setup \EFI\earlypatch\linux-setup.bin')
fi
[ -z "$initrd" ] || lines+=('initrd \EFI\earlypatch\initrd.img')
[ $cmdline_set = 0 ] || lines+=("cmdline $cmdline")
if [ ${#lines[@]} -gt 0 ]; then
	[ -n "$work" ] || work=$(mktemp -d "${TMPDIR:-/tmp}/mkesp.XXXXXX")
	{
		if [ -n "$config" ]; then
			cat "$config"
			# A last line without its newline would swallow the first added key.
			[ ! -s "$config" ] || [ -z "$(tail -c 1 "$config")" ] || echo
		fi
		printf '%s\n' "${lines[@]}"
	} >"$work/earlypatch.conf"
	config=$work/earlypatch.conf
fi

if [ -z "$size_mb" ]; then
	total=0
	for f in "$app" "$config" "$payload" "$setup" "$initrd" ${extra[@]+"${extra[@]%%=*}"}; do
		[ -z "$f" ] || total=$((total + $(stat -c %s "$f")))
	done
	size_mb=$(((total + (1 << 20) - 1) >> 20))
	size_mb=$((size_mb + 16))
	[ "$size_mb" -ge 48 ] || size_mb=48
fi

# Secure Boot: pin what goes under \EFI\earlypatch into a copy of the app, then sign that copy.
if [ -n "$sign_key" ]; then
	eptool=${EPTOOL:-$(dirname "$app")/../host/eptool}
	[ -x "$eptool" ] || { echo "mkesp: --sign needs eptool ($eptool; set EPTOOL)" >&2; exit 1; }
	command -v sbsign >/dev/null || { echo "mkesp: --sign needs sbsign (Debian package sbsigntool)" >&2; exit 1; }
	[ -n "$work" ] || work=$(mktemp -d "${TMPDIR:-/tmp}/mkesp.XXXXXX")
	pins=()
	[ -z "$config" ] || pins+=("\\EFI\\earlypatch\\earlypatch.conf=$config")
	[ -z "$payload" ] || pins+=("\\EFI\\earlypatch\\payload.elf=$payload")
	[ -z "$setup" ] || pins+=("\\EFI\\earlypatch\\linux-setup.bin=$setup")
	[ -z "$initrd" ] || pins+=("\\EFI\\earlypatch\\initrd.img=$initrd")
	for spec in ${extra[@]+"${extra[@]}"}; do
		case ${spec#*=} in
		\\EFI\\earlypatch\\*) pins+=("${spec#*=}=${spec%%=*}") ;;
		esac
	done
	"$eptool" pin "$app" -o "$work/pinned.efi" "${pins[@]}" >"$work/pins.txt"
	sbsign --key "$sign_key" --cert "$sign_cert" --output "$work/signed.efi" "$work/pinned.efi" 2>"$work/sbsign.txt" ||
		{ echo "mkesp: sbsign failed: $(tail -1 "$work/sbsign.txt")" >&2; exit 1; }
	echo "mkesp: signed with $(basename "$sign_cert"), $(wc -l <"$work/pins.txt") files pinned"
	app=$work/signed.efi
fi
truncate -s "${size_mb}M" "$tmp"
mformat -i "$tmp" -F -N 0x45504154 -v EARLYPATCH :: >/dev/null
mmd -i "$tmp" ::/EFI ::/EFI/BOOT ::/EFI/earlypatch
put() { mcopy -i "$tmp" -o "$1" "::$(echo "$2" | tr '\\' '/')"; }
put "$app" /EFI/BOOT/BOOTX64.EFI
[ -n "$config" ] && put "$config" /EFI/earlypatch/earlypatch.conf
[ -n "$payload" ] && put "$payload" /EFI/earlypatch/payload.elf
[ -n "$setup" ] && put "$setup" /EFI/earlypatch/linux-setup.bin
[ -n "$initrd" ] && put "$initrd" /EFI/earlypatch/initrd.img
for spec in ${extra[@]+"${extra[@]}"}; do
	put "${spec%%=*}" "${spec#*=}"
done
mv "$tmp" "$out"

#!/usr/bin/env bash
# Boots an ESP image in QEMU with Debian's OVMF and collects what it printed.
#
#   scripts/qemu-boot.sh --esp IMG --out DIR [--cpu MODEL] [--timeout S] [--interactive] [--esp-readonly]
#                        [-- QEMU_ARGS...]
#
# DIR gets: console.txt (serial = firmware console), debugcon.txt (port 0xe9),
# exit_code (QEMU's status, or "timeout"), qemu.cmd. Uses KVM when /dev/kvm
# works, TCG otherwise. The firmware variables are a fresh copy per run.
set -euo pipefail

esp="" out="" cpu="${CPU:-qemu64}" timeout_s=120 interactive=0 drive_opts=""
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--esp) esp=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--esp-readonly) drive_opts=",readonly=on"; shift ;;
	--) shift; extra=("$@"); break ;;
	*) echo "qemu-boot: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$esp" ] && [ -n "$out" ] || { echo "usage: $0 --esp IMG --out DIR [--cpu MODEL]" >&2; exit 2; }

find_fw() {
	for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done
	echo "qemu-boot: OVMF not found (install Debian's ovmf package): $*" >&2
	exit 1
}
code=$(find_fw /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd)
vars=$(find_fw /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd)

mkdir -p "$out"
rm -f "$out"/console.txt "$out"/debugcon.txt "$out"/exit_code
cp "$vars" "$out/vars.fd"

# QEMU tries the accelerators in order: KVM where /dev/kvm works, TCG otherwise.
accel=(-accel tcg)
[ -e /dev/kvm ] && accel=(-accel kvm -accel tcg)

args=(-machine q35 "${accel[@]}" -cpu "$cpu" -m 256 -smp 1 -no-reboot -nic none
      -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
      -drive "if=pflash,format=raw,unit=1,file=$out/vars.fd"
      -drive "format=raw,file=$esp,if=virtio$drive_opts"
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
      -debugcon "file:$out/debugcon.txt" -global isa-debugcon.iobase=0xe9)
if [ $interactive = 1 ]; then
	args+=(-nographic)
else
	args+=(-display none -monitor none -serial "file:$out/console.txt")
fi
args+=(${extra[@]+"${extra[@]}"})
printf '%q ' qemu-system-x86_64 "${args[@]}" >"$out/qemu.cmd"
echo >>"$out/qemu.cmd"

set +e
if [ $interactive = 1 ]; then
	timeout --foreground "$timeout_s" qemu-system-x86_64 "${args[@]}" | tee "$out/console.txt"
	rc=${PIPESTATUS[0]}
else
	timeout "$timeout_s" qemu-system-x86_64 "${args[@]}" </dev/null >"$out/qemu.stderr" 2>&1
	rc=$?
fi
set -e
if [ $rc = 124 ]; then
	echo timeout >"$out/exit_code"
else
	echo $rc >"$out/exit_code"
fi
exit 0

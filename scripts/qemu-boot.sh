#!/usr/bin/env bash
# Boots an ESP image in QEMU with Debian's OVMF and collects what it printed.
#
#   scripts/qemu-boot.sh --esp IMG --out DIR [--cpu MODEL] [--mem MB] [--timeout S] [--interactive]
#                        [--esp-readonly] [--case-accel tcg|any] [--secureboot] [--tpm] [-- QEMU_ARGS...]
#
# DIR gets: console.txt (serial = firmware console), debugcon.txt (port 0xe9),
# exit_code (QEMU's status, "timeout", or "accel-error"), qemu.cmd, qemu.stderr (QEMU's own
# messages, also in --interactive mode, where the console is stdout), accel.txt (the
# accelerator and why). scripts/accel.sh picks the accelerator (ACCEL=auto|kvm|tcg; --case-accel
# tcg for a case that holds only under TCG); QEMU is $QEMU (default qemu-system-x86_64).
# The firmware variables are a fresh copy per run. --mem is the guest RAM (default 256 MB; a Linux
# kernel wants more, scripts/run.sh gives it 512). QEMU_ARGS go at the end of QEMU's command line.
# --secureboot: Debian's OVMF_CODE_4M.secboot.fd with a per-run copy of OVMF_VARS_4M.snakeoil.fd
# (Secure Boot on, the snakeoil test key in PK/KEK/db), SMM on and the flash secure.
# --tpm: a TPM 2.0 from swtpm (state in DIR/tpm, a fresh one per run; swtpm changes directory, so
# its paths are absolute), on QEMU's tpm-tis device; swtpm ends when QEMU does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
qemu=${QEMU:-qemu-system-x86_64}

esp="" out="" cpu="${CPU:-qemu64}" mem=256 timeout_s=120 interactive=0 drive_opts="" case_accel=any
secureboot=0 tpm=0
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--esp) esp=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--esp-readonly) drive_opts=",readonly=on"; shift ;;
	--case-accel) case_accel=$2; shift 2 ;;
	--secureboot) secureboot=1; shift ;;
	--tpm) tpm=1; shift ;;
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
if [ $secureboot = 1 ]; then
	code=$(find_fw /usr/share/OVMF/OVMF_CODE_4M.secboot.fd)
	vars=$(find_fw /usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd)
	machine=q35,smm=on
else
	code=$(find_fw /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd)
	vars=$(find_fw /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd)
	machine=q35
fi

mkdir -p "$out"
rm -f "$out"/console.txt "$out"/debugcon.txt "$out"/exit_code "$out"/qemu.stderr "$out"/accel.txt
cp "$vars" "$out/vars.fd"

# One accelerator, never a list: `-accel kvm -accel tcg` falls back only when KVM cannot be
# opened, not when it opens but cannot run the firmware (then QEMU pauses until the timeout).
if ! accel=$("$here/accel.sh" --case "$case_accel" 2>"$out/accel.txt"); then
	cat "$out/accel.txt" >&2
	echo accel-error >"$out/exit_code"
	exit 1
fi
[ $interactive = 0 ] || cat "$out/accel.txt"

args=(-machine "$machine" -accel "$accel" -cpu "$cpu" -m "$mem" -smp 1 -no-reboot -nic none
      -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
      -drive "if=pflash,format=raw,unit=1,file=$out/vars.fd"
      -drive "format=raw,file=$esp,if=virtio$drive_opts"
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
      -debugcon "file:$out/debugcon.txt" -global isa-debugcon.iobase=0xe9)
[ $secureboot = 0 ] || args+=(-global driver=cfi.pflash01,property=secure,value=on)
swtpm_pid=""
if [ $tpm = 1 ]; then
	command -v swtpm >/dev/null || { echo "qemu-boot: --tpm needs swtpm (Debian package swtpm)" >&2; exit 1; }
	tpmdir=$(cd "$out" && pwd)/tpm
	rm -rf "$tpmdir"
	mkdir -p "$tpmdir"
	swtpm socket --tpm2 --tpmstate "dir=$tpmdir" --ctrl "type=unixio,path=$tpmdir/sock" --terminate \
		--daemon --pid "file=$tpmdir/pid" --log "file=$tpmdir/log" ||
		{ echo "qemu-boot: swtpm did not start (see $tpmdir/log)" >&2; exit 1; }
	swtpm_pid=$(cat "$tpmdir/pid" 2>/dev/null || true)
	trap '[ -z "$swtpm_pid" ] || kill "$swtpm_pid" 2>/dev/null || true' EXIT
	args+=(-chardev "socket,id=chrtpm,path=$tpmdir/sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
	       -device tpm-tis,tpmdev=tpm0)
fi
if [ $interactive = 1 ]; then
	args+=(-nographic)
else
	args+=(-display none -monitor none -serial "file:$out/console.txt")
fi
args+=(${extra[@]+"${extra[@]}"})
printf '%q ' "$qemu" "${args[@]}" >"$out/qemu.cmd"
echo >>"$out/qemu.cmd"

set +e
if [ $interactive = 1 ]; then
	# The console is stdout; QEMU's own stderr (per-feature warnings, errors) goes to the file.
	timeout --foreground "$timeout_s" "$qemu" "${args[@]}" 2>"$out/qemu.stderr" | tee "$out/console.txt"
	rc=${PIPESTATUS[0]}
else
	timeout "$timeout_s" "$qemu" "${args[@]}" </dev/null >"$out/qemu.stderr" 2>&1
	rc=$?
fi
set -e
if [ $rc = 124 ]; then
	echo timeout >"$out/exit_code"
else
	echo $rc >"$out/exit_code"
fi
exit 0

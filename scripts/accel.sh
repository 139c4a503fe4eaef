#!/usr/bin/env bash
# The one place that decides QEMU's accelerator. Prints `kvm` or `tcg` on stdout and says why in one
# line on stderr, e.g.
#   accel: kvm (probe passed)
#   accel: tcg (no /dev/kvm)
#   accel: tcg (KVM present but cannot run guest code: probe exit 'KVM internal error' at x87 fwait/fninit in protected mode)
#
#   scripts/accel.sh [--quiet] [--case tcg|any]   the verdict for a boot (--quiet: no line)
#   scripts/accel.sh --probe-with kvm|tcg         run the probe once, no cache (tests/accel/run.sh
#                                                 proves the image under TCG this way)
#
# ACCEL=auto (default)  KVM if the probe passes under KVM, TCG otherwise.
# ACCEL=kvm             KVM; if the probe fails, exit 1 at once with a line naming KVM.
# ACCEL=tcg             TCG, no probe.
# --case tcg            the case's expectations hold only under TCG (they assert a CPU model's exact
#                       CPUID, which KVM filters by the host's): TCG whatever ACCEL says.
#
# Why a probe: a /dev/kvm that opens is not a KVM that runs OVMF. Some hosts' KVM stops at the
# firmware's first `fwait; fninit` with "KVM internal error ... emulation failure" and QEMU then
# pauses instead of exiting, so every boot would hang until its timeout. `-accel kvm -accel tcg`
# only falls back when KVM cannot be opened. The probe (scripts/accel-probe/probe.S, built by
# mk/accel.mk) runs the same kinds of instructions in a fraction of a second; its verdict is
# cached in $BUILD/accel (verdict, reason, QEMU binary) until the image or QEMU changes.
#
# Environment: ACCEL; BUILD (default build, relative to the repository); QEMU (default
# qemu-system-x86_64); ACCEL_PROBE (default $BUILD/accel-probe/probe.bin); ACCEL_PROBE_TIMEOUT
# (seconds, default 3); ACCEL_KVM_DEV (default /dev/kvm).
# Exit status: 0 verdict printed; 1 ACCEL=kvm cannot be honoured, or no QEMU; 2 usage.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
qemu=${QEMU:-qemu-system-x86_64}
probe=${ACCEL_PROBE:-$build/accel-probe/probe.bin}
probe_timeout=${ACCEL_PROBE_TIMEOUT:-3}
kvm_dev=${ACCEL_KVM_DEV:-/dev/kvm}
cache=$build/accel
rundir=$build/accel-probe/run

usec() { local t=$EPOCHREALTIME; echo "${t//[.,]/}"; }
die() { echo "accel: $1" >&2; exit "${2:-1}"; }
usage() { echo "usage: scripts/accel.sh [--quiet] [--case tcg|any] | --probe-with kvm|tcg" >&2; exit 2; }

# What the probe was doing when it stopped: the step after the last letter it wrote to debugcon.
step_after() {
	case "${1: -1}" in
	"") echo "the reset vector" ;;
	R) echo "the switch to protected mode" ;;
	P) echo "x87 fwait/fninit in protected mode" ;;
	X) echo "the switch to long mode" ;;
	L) echo "x87 in long mode" ;;
	F) echo "SSE" ;;
	S) echo "CPUID" ;;
	*) echo "the debug-exit write" ;;
	esac
}

# Runs the probe under $1 (kvm or tcg; never both: a fallback would hide the answer). Sets
# probe_rc (QEMU's status, or "timeout" / "kvm-error"), probe_steps, probe_secs, probe_err.
run_probe() {
	local accel=$1 pid start
	mkdir -p "$rundir"
	rm -f "$rundir/stderr" "$rundir/debugcon"
	: >"$rundir/stderr"
	start=$(usec)
	# Under timeout always: a KVM internal error pauses QEMU instead of ending it.
	timeout -k 1 "$probe_timeout" "$qemu" -machine q35 -accel "$accel" -m 16 -bios "$probe" \
		-display none -nodefaults -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-debugcon "file:$rundir/debugcon" </dev/null >"$rundir/stderr" 2>&1 &
	pid=$!
	probe_rc=""
	# Stop as soon as QEMU reports the internal error rather than wait for the timeout. (stderr
	# off: bash's "Killed" notice for a SIGKILLed job would make the reason two lines.)
	{
		while kill -0 "$pid"; do
			if grep -q 'KVM internal error' "$rundir/stderr"; then
				kill "$pid"
				probe_rc=kvm-error
				break
			fi
			sleep 0.05
		done
		wait "$pid"
	} 2>/dev/null
	local rc=$?
	if [ -z "$probe_rc" ]; then
		probe_rc=$rc
		case $rc in 124 | 137) probe_rc=timeout ;; esac
		[ "$probe_rc" = timeout ] && grep -q 'KVM internal error' "$rundir/stderr" && probe_rc=kvm-error
	fi
	probe_steps=""
	[ ! -f "$rundir/debugcon" ] || probe_steps=$(tr -cd 'A-Z' <"$rundir/debugcon")
	local cs=$((($(usec) - start) / 10000))
	probe_secs=$(printf '%d.%02d' $((cs / 100)) $((cs % 100)))
	# QEMU's first line that is not a feature warning: why it could not start, if it could not.
	probe_err=$(grep -v "warning:" "$rundir/stderr" | head -1 | sed 's/^[^ ]*qemu[^ ]*: //')
}

# The probe's outcome as a verdict: sets probe_ok (1 = KVM runs guest code) and probe_why.
judge_probe() {
	local at
	at=$(step_after "$probe_steps")
	probe_ok=0
	case "$probe_rc" in
	99) probe_ok=1; probe_why="probe passed" ;;
	kvm-error) probe_why="KVM present but cannot run guest code: probe exit 'KVM internal error' at $at" ;;
	timeout) probe_why="KVM present but cannot run guest code: probe exit 'timeout' (${probe_timeout} s) at $at" ;;
	101) probe_why="KVM runs guest code wrongly: probe exit 101 (x87 result wrong)" ;;
	103) probe_why="KVM runs guest code wrongly: probe exit 103 (SSE result wrong)" ;;
	105) probe_why="KVM runs guest code wrongly: probe exit 105 (CPUID result wrong)" ;;
	*)
		if grep -qiE 'failed to initiali[sz]e kvm|could not access kvm|kvm.*(not supported|permission denied)' "$rundir/stderr"; then
			probe_why="KVM cannot be opened: $probe_err"
		else
			probe_why="KVM present but cannot run guest code: probe exit $probe_rc at $at${probe_err:+: $probe_err}"
		fi ;;
	esac
}

# A cached verdict holds while the probe image and QEMU are older than it and QEMU is the same one.
cache_fresh() {
	local v why q
	[ -f "$cache" ] && [ ! "$probe" -nt "$cache" ] && [ ! "$qemu_path" -nt "$cache" ] || return 1
	{ read -r v; read -r why; read -r q; } <"$cache" || return 1
	[ "$q" = "qemu $qemu_path" ] && [ -n "$why" ] || return 1
	case "$v" in kvm) kvm_ok=1 ;; tcg) kvm_ok=0 ;; *) return 1 ;; esac
	kvm_why=$why
}

# Sets kvm_ok and kvm_why: can KVM run guest code here? (Probes at most once per build.)
kvm_usable() {
	kvm_ok=0
	[ -e "$kvm_dev" ] || { kvm_why="no $kvm_dev"; return; }
	qemu_path=$(command -v "$qemu") || die "QEMU '$qemu' not found (scripts/deps.sh installs qemu-system-x86)"
	[ -f "$probe" ] || { kvm_why="cannot check KVM: probe image $probe not built (make builds it)"; return; }
	cache_fresh && return
	mkdir -p "$build"
	exec 9>"$cache.lock"
	flock 9 2>/dev/null || true
	if ! cache_fresh; then  # another caller may have probed while we waited for the lock
		run_probe kvm
		judge_probe
		kvm_ok=$probe_ok kvm_why=$probe_why
		local v=tcg
		[ "$kvm_ok" = 1 ] && v=kvm
		printf '%s\n%s\nqemu %s\n' "$v" "$kvm_why" "$qemu_path" >"$cache.tmp.$$"
		mv "$cache.tmp.$$" "$cache"
	fi
	exec 9>&-
}

say() { [ "$quiet" = 1 ] || echo "accel: $1 ($2)" >&2; echo "$1"; }

quiet=0 case_accel=any probe_with=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quiet) quiet=1; shift ;;
	--case) case_accel=${2:-}; shift 2 || usage ;;
	--probe-with) probe_with=${2:-}; shift 2 || usage ;;
	*) usage ;;
	esac
done

if [ -n "$probe_with" ]; then
	case "$probe_with" in kvm | tcg) ;; *) usage ;; esac
	[ -f "$probe" ] || die "probe image $probe not built (make $probe)"
	run_probe "$probe_with"
	result="stopped at $(step_after "$probe_steps")"
	[ "$probe_rc" != 99 ] || result=passed
	echo "probe: accel=$probe_with exit=$probe_rc steps=${probe_steps:-none} seconds=$probe_secs ($result)"
	exit 0
fi

case "$case_accel" in tcg | any) ;; *) die "--case must be tcg or any, not '$case_accel'" 2 ;; esac
case "${ACCEL:-auto}" in
auto | kvm | tcg) ;;
*) die "ACCEL must be auto, kvm or tcg, not '${ACCEL}'" 2 ;;
esac

[ "$case_accel" = tcg ] && { say tcg "the case holds only under TCG"; exit 0; }
[ "${ACCEL:-auto}" = tcg ] && { say tcg "ACCEL=tcg: no probe"; exit 0; }
kvm_usable
if [ "$kvm_ok" = 1 ]; then
	say kvm "$kvm_why"
elif [ "${ACCEL:-auto}" = kvm ]; then
	die "ACCEL=kvm cannot be honoured: $kvm_why (ACCEL=auto or ACCEL=tcg boots under TCG)"
else
	say tcg "$kvm_why"
fi

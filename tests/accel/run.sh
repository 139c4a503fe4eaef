#!/usr/bin/env bash
# make test-accel: the accelerator choice (scripts/accel.sh), its probe and its callers.
#
#   the probe image under TCG reaches the debug-exit write (status 99) in well under a second, and
#   builds with SSE or the x87 left disabled do not (the probe really executes them);
#   the verdict with fake QEMUs (tests/accel/fake/): a KVM internal error that pauses QEMU, a silent
#   hang, a guest that passes, a KVM that cannot be opened, no /dev/kvm; ACCEL=tcg|kvm|bogus and
#   --case tcg; the cache; each within the probe timeout;
#   the callers (run.sh, qemu-boot.sh, `make qemu-test`, the matrix) stop in seconds when ACCEL=kvm
#   cannot be honoured; `make run`'s console carries no QEMU warnings, one summary line instead;
#   the QEMU cases (images/cases.txt) that assert a model's CPUID say `accel tcg`, the matrix boots
#   under TCG;
#   this host's real verdict agrees with what OVMF itself does under -accel kvm.
#
# ACCEL_SH=path runs the checks against another accel.sh (a broken copy shows they can fail).
# Ends with "accel: N passed, M failed"; exit status 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
accel_sh=${ACCEL_SH:-$root/scripts/accel.sh}
case "$accel_sh" in /*) ;; *) accel_sh=$root/$accel_sh ;; esac
probe=$build/accel-probe/probe.bin
fake=$root/tests/accel/fake
[ -f "$probe" ] || { echo "test-accel: $probe not built (make test-accel builds it)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/test-accel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/kvm"  # a /dev/kvm stand-in, so the fakes do not depend on this host's
timeout_s=3       # accel.sh's default probe timeout

ms() { local t=$EPOCHREALTIME; t=${t//[.,]/}; echo $((t / 1000)); }

# decide NAME [VAR=value...] [-- accel.sh args]: accel.sh with its own cache dir ($tmp/NAME);
# sets out (stdout), line (stderr), rc, took (ms), calls (how many times the fake QEMU ran).
decide() {
	local dir=$tmp/$1 vars=() t0
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	mkdir -p "$dir"
	t0=$(ms)
	out=$(env ACCEL=auto ACCEL_KVM_DEV="$tmp/kvm" ACCEL_PROBE="$probe" BUILD="$dir" FAKE_LOG="$dir/calls" \
		${vars[@]+"${vars[@]}"} "$accel_sh" "$@" 2>"$dir/stderr")
	rc=$?
	took=$(($(ms) - t0))
	line=$(cat "$dir/stderr")
	calls=$(cat "$dir/calls" 2>/dev/null | wc -l)
}

pass=0 fail=0 why=""
check() {
	why=""
	if "t_$1"; then
		echo "PASS $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1: ${why:-failed}"
		fail=$((fail + 1))
	fi
}
# want WHAT ACTUAL EXPECTED: equality, with a reason on failure.
want() { [ "$2" = "$3" ] || { why="$1: got '$2', want '$3'"; return 1; }; }
has() { case "$2" in *"$3"*) ;; *) why="$1 lacks '$3': '$2'"; return 1 ;; esac; }
within() { [ "$2" -lt "$3" ] || { why="$1 took $2 ms, limit $3 ms"; return 1; }; }

# --- the probe image itself, under TCG (real QEMU) ---------------------------------------------

# probe_tcg IMAGE: sets pout to accel.sh --probe-with tcg's line.
probe_tcg() {
	pout=$(env BUILD="$tmp/probe" ACCEL_PROBE="$1" "$accel_sh" --probe-with tcg 2>&1)
}
t_probe_passes_under_tcg() {
	probe_tcg "$probe"
	has "probe" "$pout" "exit=99 steps=RPXLFSC" || return 1
	local secs=${pout#*seconds=}
	secs=${secs%% *}
	within "probe under TCG" "$((10#${secs/./}0))" 1000
}
t_probe_runs_sse() {
	probe_tcg "$build/accel-probe/probe-break-sse.bin"
	has "probe without CR4.OSFXSR" "$pout" "steps=RPXLF " && has "probe without CR4.OSFXSR" "$pout" "at SSE"
}
t_probe_runs_x87() {
	probe_tcg "$build/accel-probe/probe-break-x87.bin"
	has "probe with CR0.EM" "$pout" "steps=RP " && has "probe with CR0.EM" "$pout" "at x87 fwait/fninit in protected mode"
}

# --- the decision, with fake QEMUs -------------------------------------------------------------

t_kvm_internal_error_gives_tcg() {
	decide kvm-error QEMU="$fake/qemu-kvm-error"
	want verdict "$out" tcg &&
		want line "$line" "accel: tcg (KVM present but cannot run guest code: probe exit 'KVM internal error' at x87 fwait/fninit in protected mode)" &&
		within "a paused QEMU" "$took" $((timeout_s * 1000)) &&
		has "the probe's command" "$(cat "$tmp/kvm-error/calls")" "-accel kvm"
}
t_silent_hang_stops_at_timeout() {
	decide hang QEMU="$fake/qemu-hang" ACCEL_PROBE_TIMEOUT=1
	want verdict "$out" tcg &&
		want line "$line" "accel: tcg (KVM present but cannot run guest code: probe exit 'timeout' (1 s) at the switch to protected mode)" &&
		within "a hung QEMU" "$took" 1500
}
t_sigterm_ignored_still_stops() {
	decide stubborn QEMU="$fake/qemu-hang" ACCEL_PROBE_TIMEOUT=1 FAKE_IGNORE_TERM=1
	# timeout(1) sends SIGKILL 1 s after SIGTERM.
	want verdict "$out" tcg &&
		want line "$line" "accel: tcg (KVM present but cannot run guest code: probe exit 'timeout' (1 s) at the switch to protected mode)" &&
		within "a QEMU ignoring SIGTERM" "$took" 2500
}
t_passing_guest_gives_kvm() {
	decide pass QEMU="$fake/qemu-pass"
	want verdict "$out" kvm && want line "$line" "accel: kvm (probe passed)" && want "QEMU runs" "$calls" 1 &&
		within "the probe" "$took" $((timeout_s * 1000))
}
t_unopenable_kvm_gives_tcg() {
	decide no-kvm QEMU="$fake/qemu-no-kvm"
	want verdict "$out" tcg && want line "$line" "accel: tcg (KVM cannot be opened: Could not access KVM kernel module: Permission denied)"
}
t_no_dev_kvm_gives_tcg_without_probe() {
	decide no-dev QEMU="$fake/qemu-pass" ACCEL_KVM_DEV="$tmp/no-such-kvm"
	want verdict "$out" tcg && want line "$line" "accel: tcg (no $tmp/no-such-kvm)" && want "QEMU runs" "$calls" 0
}
t_accel_tcg_skips_probe() {
	decide tcg QEMU="$fake/qemu-pass" ACCEL=tcg
	want verdict "$out" tcg && want line "$line" "accel: tcg (ACCEL=tcg: no probe)" && want "QEMU runs" "$calls" 0
}
t_accel_kvm_broken_fails_fast() {
	decide kvm-broken QEMU="$fake/qemu-kvm-error" ACCEL=kvm
	want status "$rc" 1 && want stdout "$out" "" && has message "$line" "ACCEL=kvm cannot be honoured: KVM present" &&
		within "ACCEL=kvm on a broken KVM" "$took" $((timeout_s * 1000)) || return 1
	decide kvm-hang QEMU="$fake/qemu-hang" ACCEL=kvm ACCEL_PROBE_TIMEOUT=1
	want status "$rc" 1 && has message "$line" "ACCEL=kvm cannot be honoured: KVM present" && within "ACCEL=kvm on a hang" "$took" 1500
}
t_accel_kvm_working() {
	decide kvm-ok QEMU="$fake/qemu-pass" ACCEL=kvm
	want status "$rc" 0 && want verdict "$out" kvm
}
t_case_tcg_wins() {
	decide case-tcg QEMU="$fake/qemu-pass" -- --case tcg
	want verdict "$out" tcg && want line "$line" "accel: tcg (the case holds only under TCG)" && want "QEMU runs" "$calls" 0
}
t_bad_values_refused() {
	decide bogus QEMU="$fake/qemu-pass" ACCEL=bogus
	want status "$rc" 2 && has message "$line" "ACCEL must be auto, kvm or tcg" || return 1
	decide bogus-case QEMU="$fake/qemu-pass" -- --case kvm
	want status "$rc" 2
}
t_verdict_cached_until_inputs_change() {
	local dir=$tmp/cache
	mkdir -p "$dir"
	cp "$probe" "$dir/probe.bin"
	touch -d '-1 hour' "$dir/probe.bin"
	decide cache QEMU="$fake/qemu-pass" ACCEL_PROBE="$dir/probe.bin"
	want "first verdict" "$out" kvm && want "cache" "$(head -1 "$dir/accel")" kvm || return 1
	decide cache QEMU="$fake/qemu-pass" ACCEL_PROBE="$dir/probe.bin"
	want "second verdict" "$out" kvm && want "QEMU runs after a cached call" "$calls" 1 || return 1
	touch "$dir/probe.bin"  # a rebuilt image is probed again
	decide cache QEMU="$fake/qemu-pass" ACCEL_PROBE="$dir/probe.bin"
	want "QEMU runs after a newer image" "$calls" 2 || return 1
	decide cache QEMU="$fake/qemu-kvm-error" ACCEL_PROBE="$dir/probe.bin"  # another QEMU: probed again
	want "verdict with another QEMU" "$out" tcg && want "QEMU runs after another QEMU" "$calls" 3
}

# --- the callers -------------------------------------------------------------------------------

# A build dir of our own (its cache and run dirs), sharing the real build's app and tools.
callers_build() {
	local b=$tmp/b
	[ -d "$b" ] && return
	mkdir -p "$b/accel-probe"
	cp "$probe" "$b/accel-probe/probe.bin"
	for d in efi host payloads; do [ -e "$build/$d" ] && ln -s "$build/$d" "$b/$d"; done
}
# caller NAME CMD...: runs CMD with ACCEL=kvm and the KVM-internal-error fake; sets rc, took, text.
caller_kvm_broken() {
	callers_build
	rm -f "$tmp/b/accel"
	local t0
	t0=$(ms)
	text=$(env BUILD="$tmp/b" ACCEL=kvm QEMU="$fake/qemu-kvm-error" ACCEL_KVM_DEV="$tmp/kvm" timeout 60 "$@" 2>&1 </dev/null)
	rc=$?
	took=$(($(ms) - t0))
}
fails_fast() {
	[ "$rc" != 0 ] || { why="$1 exited 0 with ACCEL=kvm on a broken KVM"; return 1; }
	has "$1's output" "$text" "ACCEL=kvm cannot be honoured: KVM" && within "$1" "$took" 10000
}
t_run_fails_fast() {
	caller_kvm_broken scripts/run.sh
	fails_fast scripts/run.sh || return 1
	case "$text" in *"selftest"*) why="run.sh booted: $text"; return 1 ;; esac
}
t_qemu_boot_fails_fast() {
	callers_build
	caller_kvm_broken scripts/qemu-boot.sh --esp /dev/null --out "$tmp/b/qb"
	fails_fast scripts/qemu-boot.sh && want exit_code "$(cat "$tmp/b/qb/exit_code")" accel-error
}
t_qemu_test_fails_fast() {
	# The Makefile's own rule (-o all: nothing is built; no MAKEFLAGS: not this make's BUILD=).
	caller_kvm_broken env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -o all \
		BUILD="$tmp/b" qemu-test
	fails_fast "make qemu-test" || return 1
	has "make qemu-test's output" "$text" "qemu: no boot" || return 1
	case "$text" in *PASS* | *"FAIL "*) why="cases ran: $text"; return 1 ;; esac
}
t_matrix_fails_fast() {
	callers_build
	caller_kvm_broken python3 images/matrix/matrix.py --build "$tmp/b" --tags quick --out "$tmp/b/matrix" run
	fails_fast matrix.py && has "matrix output" "$text" "matrix: no boot"
}
t_run_console_has_no_qemu_warnings() {
	callers_build
	local o
	o=$(env BUILD="$tmp/b" ACCEL=tcg CPU=EPYC-Milan QEMU="$fake/qemu-features" timeout 60 scripts/run.sh 2>&1 </dev/null)
	has "make run's console" "$o" "run: QEMU dropped 22 features of EPYC-Milan under tcg (see $tmp/b/run/qemu.stderr)" &&
		has "make run's console" "$o" "selftest result=PASS" && has "make run's console" "$o" "run: QEMU exit status 33" || return 1
	case "$o" in *"doesn't support requested feature"*) why="a QEMU warning reached the console"; return 1 ;; esac
	want "warnings in qemu.stderr" "$(grep -c "doesn't support requested feature" "$tmp/b/run/qemu.stderr")" 22
}

# --- what the cases declare ---------------------------------------------------------------------

# An expectation about CPUID-derived facts (vendor, model, features, hypervisor leaves, SEV/TDX,
# the vendor-dependent hypercall) holds for the model as TCG shows it: the case must say so. The
# cases' resolved settings come from the matrix's own parser (matrix.py settings).
t_cpuid_cases_say_tcg() {
	local s bad
	s=$(python3 images/matrix/matrix.py --matrix images/cases.txt --matrix images/matrix.txt settings) ||
		{ why="matrix.py settings failed: $s"; return 1; }
	bad=$(printf '%s\n' "$s" | awk -F '\t' '
		($2 == "expect" || $2 == "reject") && $3 ~ /I cpu (vendor|features)=|I hv vendor=|I cpuid leaf=|I sev |I tdx |hypercall mechanism=|sim what=feature/ { facts[$1] = 1 }
		$2 == "hypercall" || $2 == "features" { facts[$1] = 1 }
		$2 == "accel" && $3 == "tcg" { tcg[$1] = 1 }
		END { for (c in facts) if (!(c in tcg)) print c }' | sort | tr '\n' ' ')
	[ -z "$bad" ] || { why="no 'accel tcg' in ${bad% }"; return 1; }
}
t_matrix_boots_under_tcg() {
	local l
	l=$(python3 images/matrix/matrix.py list | grep -v '^matrix:' | awk '$4 != "accel=tcg"' | head -3)
	[ -z "$l" ] || { why="matrix cases not under TCG: $l"; return 1; }
}

# --- this host --------------------------------------------------------------------------------

# What OVMF itself does under -accel kvm (no fallback) for up to 5 s: a KVM internal error, or not.
ovmf_under_kvm() {
	local code err=$tmp/ovmf.stderr pid i
	code=$(ls /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd 2>/dev/null | head -1)
	timeout -k 1 5 qemu-system-x86_64 -machine q35 -accel kvm -m 256 -display none -nodefaults -no-reboot \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" </dev/null >"$err" 2>&1 &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		kill -0 $pid 2>/dev/null || break
		grep -q 'KVM internal error' "$err" && break
		sleep 0.1
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	if grep -q 'KVM internal error' "$err"; then echo broken
	elif grep -qi 'failed to initiali[sz]e kvm' "$err"; then echo unopenable
	else echo runs; fi
}
t_this_host_verdict() {
	decide host ACCEL_KVM_DEV=/dev/kvm QEMU=qemu-system-x86_64
	rm -f "$tmp/host/calls"
	within "the real probe" "$took" $((timeout_s * 1000)) || return 1
	if [ ! -e /dev/kvm ]; then
		want line "$line" "accel: tcg (no /dev/kvm)"
		return
	fi
	case "$(ovmf_under_kvm)" in
	broken) want verdict "$out" tcg && has line "$line" "accel: tcg (KVM present but cannot run guest code: probe exit" ;;
	unopenable) want verdict "$out" tcg && has line "$line" "accel: tcg (KVM cannot be opened" ;;
	runs) want verdict "$out" kvm && want line "$line" "accel: kvm (probe passed)" ;;
	esac || return 1
	echo "     this host: $line (probe ${took} ms)"
}

for t in probe_passes_under_tcg probe_runs_sse probe_runs_x87 \
	kvm_internal_error_gives_tcg silent_hang_stops_at_timeout sigterm_ignored_still_stops \
	passing_guest_gives_kvm unopenable_kvm_gives_tcg no_dev_kvm_gives_tcg_without_probe \
	accel_tcg_skips_probe accel_kvm_broken_fails_fast accel_kvm_working case_tcg_wins \
	bad_values_refused verdict_cached_until_inputs_change \
	run_fails_fast qemu_boot_fails_fast qemu_test_fails_fast matrix_fails_fast \
	run_console_has_no_qemu_warnings cpuid_cases_say_tcg matrix_boots_under_tcg this_host_verdict; do
	check "$t"
done
echo "accel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# make check-linux-boot: for each kernel series and QEMU CPU model, boot Debian's cloud kernel
# twice on the same firmware (OVMF, q35, TCG), alone (QEMU -kernel: its EFI stub decompresses it
# and it patches itself) and through earlypatch (its 64-bit entry, some alternatives groups
# pre-patched), both in parallel; when each has panicked for lack of a root file system, read its
# text through QEMU's gdb stub and compare every alternatives site (and 6.1's paravirt sites)
# byte for byte (tests/linux/site_compare.py). Pre-patching must do no harm: the kernel booted
# through earlypatch has to end up with exactly the bytes the kernel alone chose.
#
#   boot_compare.sh BUILD_DIR EFI_APP EPTOOL [SERIES...]
# Env: LINUX_MODELS (default "qemu64 Skylake-Client EPYC-Milan"), LINUX_CACHE (default
#      tests/linux/cache), LINUX_BOOT_TIMEOUT (seconds to the panic, default 300),
#      LINUX_BOOT_PREPATCH (earlypatch's `prepatch` mode, default safe), LINUX_BOOT_KEEP=1 (keep
#      the memory read and the ESP of identical runs too).
# Per run, BUILD_DIR/linux-boot/SERIES/MODEL/ has alone/ and through/ (console.txt, through/
# debugcon.txt and earlypatch.log, gdb.log, qemu.stderr) and compare.txt (every differing site,
# the bytes differing outside the sites, the boot times).
# Output: one line per run, `check-linux-boot: 6.1 Skylake-Client: alt A/N identical, pv B/M
# identical; prepatched hypercall=.. safe=.. (not: ...); ...`, the differing sites before it; the
# last line `check-linux-boot: N runs, M sites differ`. Exit status 1 if a site differs, a boot
# did not reach the panic, the pre-patched set is empty or anything else failed.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BUILD_DIR EFI_APP EPTOOL [SERIES...]" >&2; exit 2; }
build=$1 app=$2 eptool=$3
shift 3
series=${*:-6.1 6.12}
models=${LINUX_MODELS:-qemu64 Skylake-Client EPYC-Milan}
cache=${LINUX_CACHE:-tests/linux/cache}
timeout_s=${LINUX_BOOT_TIMEOUT:-300}
prepatch=${LINUX_BOOT_PREPATCH:-safe}
keep=${LINUX_BOOT_KEEP:-0}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
qemu=${QEMU:-qemu-system-x86_64}
compare=("${PYTHON:-python3}" "$here/site_compare.py")
# nokaslr: both kernels at their link addresses (earlypatch's entry has no KASLR anyway);
# panic=0: the panicked kernel waits, its memory readable.
cmdline="nokaslr console=ttyS0 panic=0"
work=$build/linux-boot
mkdir -p "$work"
export MTOOLS_SKIP_CHECK=1

find_fw() {
	for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done
	echo "check-linux-boot: OVMF not found (install Debian's ovmf package): $*" >&2
	exit 1
}
ovmf_code=$(find_fw /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd)
ovmf_vars=$(find_fw /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd)

# Two distinct free TCP ports for the gdb stubs.
free_ports() {
	python3 -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))'
}

# boot_one KIND DIR MODEL PORT REGIONS ARGS...: KIND alone (ARGS: kernel image) or through (ARGS:
# ESP image). Boots, waits for the panic, reads every region into DIR/mem-START.bin, stops QEMU.
# DIR/status gets "ok SECONDS" or "fail WHY".
boot_one() {
	local kind=$1 dir=$2 model=$3 port=$4 regions=$5 image=$6
	mkdir -p "$dir"
	rm -f "$dir"/mem-*.bin "$dir"/console.txt "$dir"/status "$dir"/qemu.pid
	local start=$SECONDS qpid
	if [ "$kind" = alone ]; then
		cp "$ovmf_vars" "$dir/vars.fd"
		local args=(-machine q35 -accel tcg -cpu "$model" -m 512 -smp 1 -no-reboot -nic none
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code"
			-drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd"
			-kernel "$image" -append "$cmdline"
			-display none -monitor none -serial "file:$dir/console.txt"
			-gdb "tcp:127.0.0.1:$port" -pidfile "$dir/qemu.pid")
		printf '%q ' "$qemu" "${args[@]}" >"$dir/qemu.cmd"
		echo >>"$dir/qemu.cmd"
		timeout $((timeout_s + 120)) "$qemu" "${args[@]}" </dev/null >"$dir/qemu.stderr" 2>&1 &
		qpid=$!
	else
		# TCG whatever ACCEL says: the kernel alone runs under TCG, and KVM would filter CPUID.
		ACCEL=tcg BUILD=$build "$root/scripts/qemu-boot.sh" --esp "$image" --out "$dir" --cpu "$model" \
			--mem 512 --timeout $((timeout_s + 120)) --case-accel tcg -- \
			-gdb "tcp:127.0.0.1:$port" -pidfile "$dir/qemu.pid" </dev/null >"$dir/qemu-boot.log" 2>&1 &
		qpid=$!
	fi
	while ! grep -q 'Kernel panic' "$dir/console.txt" 2>/dev/null; do
		if ! kill -0 "$qpid" 2>/dev/null; then
			wait "$qpid" 2>/dev/null || true
			echo "fail QEMU ended after $((SECONDS - start))s without a kernel panic" >"$dir/status"
			return 0
		fi
		if [ $((SECONDS - start)) -ge "$timeout_s" ]; then
			echo "fail no kernel panic after ${timeout_s}s" >"$dir/status"
			stop_qemu "$dir" "$qpid"
			return 0
		fi
		sleep 1
	done
	local took=$((SECONDS - start))
	sleep 2 # let the panic path finish printing and settle in its loop
	local gdbargs=(-batch -nx -ex "set architecture i386:x86-64" -ex "target remote 127.0.0.1:$port")
	local s e name
	while read -r s e name; do
		gdbargs+=(-ex "dump binary memory $dir/mem-$s.bin $s $e")
	done <"$regions"
	gdbargs+=(-ex kill)
	gdb "${gdbargs[@]}" >"$dir/gdb.log" 2>&1 || true
	stop_qemu "$dir" "$qpid"
	local missing=0
	while read -r s e name; do
		[ "$(stat -c %s "$dir/mem-$s.bin" 2>/dev/null || echo 0)" = $((e - s)) ] || missing=1
	done <"$regions"
	if [ $missing = 1 ]; then
		echo "fail gdb read less than the text regions (see $dir/gdb.log)" >"$dir/status"
	else
		echo "ok $took" >"$dir/status"
	fi
}

# QEMU ends on gdb's kill; if not, by its own pid (from -pidfile) a few seconds later.
stop_qemu() {
	local dir=$1 qpid=$2 i
	for i in 1 2 3 4 5; do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$qpid" 2>/dev/null && [ -s "$dir/qemu.pid" ]; then
		kill "$(cat "$dir/qemu.pid")" 2>/dev/null || true
	fi
	wait "$qpid" 2>/dev/null || true
}

# Interrupted: stop this run's two QEMUs (by the pids they wrote) and the two boot_one jobs.
out="" p1="" p2=""
cleanup() {
	local f
	for f in ${out:+"$out"/alone/qemu.pid "$out"/through/qemu.pid}; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	for f in $p1 $p2; do kill "$f" 2>/dev/null || true; done
}
trap 'cleanup; exit 130' INT TERM

runs=0 ndiff=0 status=0
for s in $series; do
	sh "$here/fetch.sh" "$cache" "$s" >"$work/fetch-$s.txt" 2>&1 || { cat "$work/fetch-$s.txt" >&2; exit 1; }
	kdir=$cache/$s
	swork=$work/$s
	mkdir -p "$swork"
	"$eptool" inspect --abi "linux-$s" "$kdir/vmlinux" >"$swork/inspect.txt"
	"${compare[@]}" sites --vmlinux "$kdir/vmlinux" --inspect "$swork/inspect.txt" --out "$swork/sites" \
		>"$swork/sites.txt"
	printf '%s\n' "on-exit shutdown" "log-debugcon on" "prepatch $prepatch" "cmdline $cmdline" >"$swork/earlypatch.conf"
	"$root/images/mkesp.sh" "$swork/esp.img" "$app" --config "$swork/earlypatch.conf" \
		--payload "$kdir/vmlinuz" >"$swork/mkesp.txt"
	echo "check-linux-boot: $s $(cat "$kdir/version"): $(cat "$swork/sites.txt"), $(cat "$swork/mkesp.txt")"

	for m in $models; do
		out=$swork/$m
		rm -rf "$out"
		mkdir -p "$out/alone" "$out/through"
		cp "$swork/esp.img" "$out/esp.img"
		runs=$((runs + 1))
		t0=$SECONDS
		read -r port1 port2 <<<"$(free_ports)"
		boot_one alone "$out/alone" "$m" "$port1" "$swork/sites/regions" "$kdir/vmlinuz" &
		p1=$!
		boot_one through "$out/through" "$m" "$port2" "$swork/sites/regions" "$out/esp.img" &
		p2=$!
		wait $p1 || true
		wait $p2 || true
		mcopy -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log "$out/through/earlypatch.log" 2>/dev/null || true
		read -r a_st a_why <"$out/alone/status" || a_st=fail
		read -r t_st t_why <"$out/through/status" || t_st=fail
		if [ "$a_st" != ok ] || [ "$t_st" != ok ]; then
			status=1
			[ "$a_st" = ok ] || { echo "check-linux-boot: $s $m: FAILED: alone: $a_why"; tail -3 "$out/alone/console.txt" 2>/dev/null | sed 's/^/  alone console: /'; }
			[ "$t_st" = ok ] || { echo "check-linux-boot: $s $m: FAILED: through earlypatch: $t_why"
				tail -3 "$out/through/console.txt" 2>/dev/null | sed 's/^/  through console: /'
				grep -a '^E ' "$out/through/debugcon.txt" 2>/dev/null | head -3 | sed 's/^/  through log: /' || true; }
			continue
		fi
		echo "  $s $m: kernel panic after ${a_why}s alone, ${t_why}s through earlypatch; run $((SECONDS - t0))s"
		rc=0
		"${compare[@]}" compare --sites "$swork/sites" --alone "$out/alone" --through "$out/through" \
			--debugcon "$out/through/debugcon.txt" --label "$s $m" --report "$out/compare.txt" \
			--syms "$kdir/vmlinux" || rc=$?
		echo "  boots: alone ${a_why}s, through earlypatch ${t_why}s, run $((SECONDS - t0))s" >>"$out/compare.txt"
		n=$(sed -n 's/^ndiff //p' "$out/compare.txt")
		ndiff=$((ndiff + ${n:-0}))
		[ $rc = 0 ] || status=1
		if [ $rc = 0 ] && [ "$keep" != 1 ]; then
			rm -f "$out"/alone/mem-*.bin "$out"/through/mem-*.bin "$out/esp.img"
		fi
		rm -f "$out/alone/vars.fd" "$out/through/vars.fd"
	done
	rm -f "$swork/esp.img"
done
echo "check-linux-boot: $runs runs, $ndiff sites differ"
exit $status

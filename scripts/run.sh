#!/usr/bin/env bash
# `make run`: build an ESP image with the app (and the selftest payload when
# built), boot it in QEMU/OVMF showing the console, then print the ESP log.
#   CPU=<qemu model>  CONFIG=<earlypatch.conf>  PAYLOAD=<elf>  TIMEOUT=<s>  ACCEL=auto|kvm|tcg
# The console is stdout; QEMU's own messages go to $BUILD/run/qemu.stderr, summed up in one line.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
out=$build/run
mkdir -p "$out"
config=${CONFIG:-images/run.conf}
payload=${PAYLOAD:-}
[ -z "$payload" ] && [ -f "$build/payloads/selftest.elf" ] && payload=$build/payloads/selftest.elf
args=(--config "$config")
[ -n "$payload" ] && args+=(--payload "$payload")
cpu=${CPU:-qemu64}
images/mkesp.sh "$out/esp.img" "$build/efi/earlypatch.efi" "${args[@]}"
echo "run: booting $out/esp.img with -cpu $cpu (console below; log follows)"
# Fails at once (its message names KVM) when ACCEL=kvm cannot be honoured.
scripts/qemu-boot.sh --esp "$out/esp.img" --out "$out" --cpu "$cpu" --timeout "${TIMEOUT:-120}" --interactive ||
	{ echo "run: not booted"; exit 1; }
echo

# QEMU warns once per feature of the model it cannot give the guest; one line here instead.
dropped=$(grep -c "doesn't support requested feature" "$out/qemu.stderr" || true)
accel=$(awk '{ print $2; exit }' "$out/accel.txt")
[ "$dropped" = 0 ] || echo "run: QEMU dropped $dropped features of $cpu under $accel (see $out/qemu.stderr)"
code=$(cat "$out/exit_code")
case "$code" in
33) meaning="selftest PASS" ;;
35) meaning="selftest FAIL" ;;
37) meaning="selftest: boot_info missing or wrong" ;;
0) meaning="powered off by earlypatch (see the log for why no payload ran)" ;;
timeout) meaning="timed out" ;;
*) meaning="unexpected" ;;
esac
echo "run: QEMU exit status $code ($meaning)"
said=$(grep -v "doesn't support requested feature" "$out/qemu.stderr" | grep -v 'terminating on signal' | head -1 || true)
case "$code" in 33 | 35 | 37 | 0) ;; *) [ -z "$said" ] || echo "run: QEMU said: $said (see $out/qemu.stderr)" ;; esac
echo "run: ---- \\EFI\\earlypatch\\earlypatch.log read back from the ESP ----"
MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log || echo "run: no log on the ESP"

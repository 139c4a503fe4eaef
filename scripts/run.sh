#!/usr/bin/env bash
# `make run`: build an ESP image with the app (and the selftest payload when
# built), boot it in QEMU/OVMF showing the console, then print the ESP log.
#   CPU=<qemu model>  CONFIG=<earlypatch.conf>  PAYLOAD=<elf>  TIMEOUT=<s>
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
images/mkesp.sh "$out/esp.img" "$build/efi/earlypatch.efi" "${args[@]}"
echo "run: booting $out/esp.img with -cpu ${CPU:-qemu64} (console below; log follows)"
scripts/qemu-boot.sh --esp "$out/esp.img" --out "$out" --cpu "${CPU:-qemu64}" --timeout "${TIMEOUT:-120}" --interactive
echo
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
echo "run: ---- \\EFI\\earlypatch\\earlypatch.log read back from the ESP ----"
MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log || echo "run: no log on the ESP"

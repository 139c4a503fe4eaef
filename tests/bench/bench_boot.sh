#!/usr/bin/env bash
# make bench-boot: what detection, patching and logging cost a boot. Two ESP images that
# differ only in their config (the same earlypatch.efi and selftest payload): everything on
# (full), everything on with the console at warnings (quiet: the log still goes to the ESP), and
# `passthrough on` (load the payload and hand off, nothing else). All say `timing on`:
# just before ExitBootServices the firmware prints the time since the CPU's reset and since
# efi_main, by its own TSC measured against Stall(). The boots alternate, ROUNDS each. The part
# before efi_main is the same firmware work in every mode but varies by hundreds of ms from boot
# to boot under TCG, so it is taken once, as the least (since reset - app) over all boots, and
# each mode's time to handoff is that plus its best app time:
#   bench-boot: full_ms=A passthrough_ms=B overhead=P (percent of B) app_full_ms= app_passthrough_ms=
#   bench-boot: quiet_ms=C overhead=Q app_quiet_ms=
#
#   tests/bench/bench_boot.sh BUILD_DIR [ROUNDS]     (env CPU, default Skylake-Client)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$1
rounds=${2:-3}
cpu=${CPU:-Skylake-Client}
work=$build/bench-boot
rm -rf "$work"
mkdir -p "$work"
modes="full quiet passthrough"
for mode in $modes; do
	{
		echo "timing on"
		echo "on-exit shutdown"
		[ $mode = passthrough ] && echo "passthrough on"
		[ $mode = quiet ] && echo "log-level warning"
	} >"$work/$mode.conf"
	images/mkesp.sh "$work/$mode.img" "$build/efi/earlypatch.efi" --config "$work/$mode.conf" \
		--payload "$build/payloads/selftest.elf" >/dev/null
done
declare -A app
accel='' pre=''
for r in $(seq 1 "$rounds"); do
	for mode in $modes; do
		out=$work/$mode-$r
		scripts/qemu-boot.sh --esp "$work/$mode.img" --out "$out" --cpu "$cpu" --timeout 90 >/dev/null 2>&1 || true
		line=$(grep -h '^W timing ' "$out/debugcon.txt" "$out/console.txt" 2>/dev/null | head -n1 | tr -d '\r')
		[ -n "$line" ] || { echo "bench-boot: $mode round $r printed no timing line (see $out)"; exit 1; }
		accel=$(awk '{print $2; exit}' "$out/accel.txt" 2>/dev/null)
		since=$(echo "$line" | sed -n 's/.* since_reset_us=\([0-9]*\).*/\1/p')
		app=$(echo "$line" | sed -n 's/.* app_us=\([0-9]*\).*/\1/p')
		if [ -z "${app[$mode]:-}" ] || [ "$app" -lt "${app[$mode]}" ]; then
			app[$mode]=$app
		fi
		if [ -z "$pre" ] || [ $((since - app)) -lt "$pre" ]; then
			pre=$((since - app))
		fi
	done
done
awk -v f=$((pre + app[full])) -v q=$((pre + app[quiet])) -v p=$((pre + app[passthrough])) -v af="${app[full]}" \
	-v aq="${app[quiet]}" -v ap="${app[passthrough]}" -v a="$accel" -v c="$cpu" 'BEGIN {
	o = (f - p) * 100 / p
	printf "bench-boot: full_ms=%.1f passthrough_ms=%.1f overhead=%.1f app_full_ms=%.1f app_passthrough_ms=%.1f firmware_ms=%.1f cpu=%s accel=%s goal=2 %s\n",
		f / 1000, p / 1000, o, af / 1000, ap / 1000, (p - ap) / 1000, c, a, o <= 2 ? "met" : "not-met"
	printf "bench-boot: quiet_ms=%.1f overhead=%.1f app_quiet_ms=%.1f (console at warnings)\n", q / 1000, (q - p) * 100 / p, aq / 1000 }'

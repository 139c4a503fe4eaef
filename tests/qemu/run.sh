#!/usr/bin/env bash
# QEMU integration tests: one ESP image per case, booted under OVMF, the ESP
# log read back with mtools and checked.
#
# A case is tests/qemu/cases/NAME.conf: an earlypatch.conf whose "#@" comment
# lines (ignored by the loader) say how to boot it and what to expect:
#   #@ cpu MODEL             QEMU -cpu model (default qemu64)
#   #@ accel tcg             the expectations hold only under TCG (they assert the model's exact
#                            CPUID, or TCG's hypervisor leaves): booted under TCG whatever ACCEL says;
#                            without it the case follows ACCEL (scripts/accel.sh)
#   #@ payload FILE          the payload put on the ESP (relative to the build dir;
#                            default payloads/selftest.elf)
#   #@ no-payload            no payload on the ESP
#   #@ payload-truncate N    cut the payload to its first N bytes (a malformed ELF)
#   #@ no-config             boot without a config file (the case's other lines are ignored)
#   #@ expect REGEX          a line of the ESP log must match (grep -E)
#   #@ reject REGEX          no line of the ESP log may match
#   #@ console REGEX         the serial console must match
#   #@ debugcon REGEX        the debugcon output (port 0xe9) must match
#   #@ no-debugcon REGEX     the debugcon output must not match
#   #@ exit CODE             QEMU's exit status (default 0)
#   #@ timeout SECONDS       (default 90)
#   #@ boots N               boot the same image N times (default 1); checks apply to the last boot
#   #@ expect-old REGEX      a line of earlypatch.log.old (the previous boot's log) must match
#   #@ esp-readonly          the ESP drive is read-only (the log cannot be written)
#   #@ esp-file PATH SIZE    put a SIZE-byte file at PATH on the ESP before the first boot (lines
#                            "X stale esp-file line"); the image grows to hold it
#
#   tests/qemu/run.sh [-j JOBS] [NAME_REGEX]
# Ends with "N passed, M failed"; exit status 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

jobs=${JOBS:-2}
if [ "${1:-}" = "-j" ]; then jobs=$2; shift 2; fi
filter=${1:-.}
build=${BUILD:-build}
app=$build/efi/earlypatch.efi
eptool=$build/host/eptool
outdir=$build/qemu-test
[ -f "$app" ] && [ -x "$eptool" ] || { echo "qemu-test: $app or $eptool not built" >&2; exit 1; }
mkdir -p "$outdir"
# The accelerator once, up front: says which and why, and stops here (not 24 hangs later) when
# ACCEL=kvm cannot be honoured. Each boot asks again (cached) with its case's `#@ accel`.
scripts/accel.sh >/dev/null || { echo "qemu-test: no boot: the accelerator check failed (above)"; exit 1; }

run_case() {
	local conf=$1 name out cpu=qemu64 exit_want=0 timeout_s=90 no_config=0 payload=$build/payloads/selftest.elf
	local truncate="" boot_opts=() boots=1 esp_files=() esp_mb=48 case_accel=any
	name=$(basename "$conf" .conf)
	out=$outdir/$name
	rm -rf "$out"
	mkdir -p "$out"
	while read -r tag key rest; do
		[ "$tag" = "#@" ] || continue
		case "$key" in
		cpu) cpu=$rest ;;
		accel) case_accel=$rest ;;
		exit) exit_want=$rest ;;
		timeout) timeout_s=$rest ;;
		no-config) no_config=1 ;;
		esp-readonly) boot_opts+=(--esp-readonly) ;;
		payload) payload=$build/$rest ;;
		no-payload) payload="" ;;
		payload-truncate) truncate=$rest ;;
		boots) boots=$rest ;;
		esp-file)
			local f=$out/esp-file.${#esp_files[@]}
			yes "X stale esp-file line" | head -c "${rest##* }" >"$f"
			esp_files+=(--file "$f=${rest% *}")
			esp_mb=$((esp_mb + ${rest##* } / 1048576 + 2)) ;;
		esac
	done <"$conf"
	local mk=(images/mkesp.sh "$out/esp.img" "$app")
	[ $no_config = 1 ] || mk+=(--config "$conf")
	if [ -n "$payload" ] && [ -n "$truncate" ]; then
		head -c "$truncate" "$payload" >"$out/payload.elf"
		payload=$out/payload.elf
	fi
	[ -n "$payload" ] && mk+=(--payload "$payload")
	[ ${#esp_files[@]} -eq 0 ] || mk+=("${esp_files[@]}" --size-mb "$esp_mb")
	if ! "${mk[@]}" >"$out/mkesp.txt" 2>&1; then
		echo "FAIL $name: cannot build the ESP image: $(tail -1 "$out/mkesp.txt")"
		return
	fi
	rm -f "$out"/esp-file.*
	for ((i = 0; i < boots; i++)); do
		scripts/qemu-boot.sh --esp "$out/esp.img" --out "$out" --cpu "$cpu" --timeout "$timeout_s" \
			--case-accel "$case_accel" ${boot_opts[@]+"${boot_opts[@]}"}
	done
	local accel
	accel=$(awk '{ print $2; exit }' "$out/accel.txt" 2>/dev/null)
	MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log.old >"$out/esp.log.old" 2>/dev/null
	MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log >"$out/esp.log" 2>/dev/null
	local why=() code
	code=$(cat "$out/exit_code")
	[ "$code" = "$exit_want" ] || why+=("exit $code, want $exit_want")
	[ -s "$out/esp.log" ] || [ ${#boot_opts[@]} -gt 0 ] || why+=("no ESP log")
	# The host replay of the boot's own CPUID dump must print the facts the firmware printed.
	if grep -q '^I cpu vendor=' "$out/esp.log" 2>/dev/null; then
		tests/facts/replay-check.sh "$eptool" "$out/esp.log" >"$out/replay.txt" 2>&1 ||
			why+=("eptool cpu replay differs: $(head -3 "$out/replay.txt" | tr '\n' ' ')")
	fi
	# eptool's host preview of this boot must decide every patch site as the firmware did
	# (addresses aside: a PIE runs elsewhere than its link address; symbols name the sites).
	if [ -n "$payload" ] && grep -q '^I alt site=' "$out/esp.log" 2>/dev/null &&
		! grep -q '^I config .*alternatives=0' "$out/esp.log"; then
		"$eptool" apply "$payload" -o "$out/preview.elf" --cpuid-dump "$out/esp.log" >"$out/preview.txt" 2>&1
		sites() { grep -E '^I ((alt|scall|hcsite) site=|hypercall )' "$1" | sed -E 's/ (site|target|key|thunk)=0x[0-9a-f]+//g' | sort; }
		if ! diff <(sites "$out/esp.log") <(sites "$out/preview.txt") >"$out/preview.diff"; then
			why+=("eptool apply preview differs from the boot: see preview.diff")
		fi
	fi
	while read -r tag key rest; do
		[ "$tag" = "#@" ] || continue
		case "$key" in
		expect) grep -Eq -- "$rest" "$out/esp.log" || why+=("log lacks /$rest/") ;;
		reject) grep -Eq -- "$rest" "$out/esp.log" && why+=("log has /$rest/") ;;
		console) grep -Eaq -- "$rest" "$out/console.txt" || why+=("console lacks /$rest/") ;;
		expect-old) grep -Eq -- "$rest" "$out/esp.log.old" || why+=("previous log lacks /$rest/") ;;
		debugcon) grep -Eaq -- "$rest" "$out/debugcon.txt" || why+=("debugcon lacks /$rest/") ;;
		no-debugcon) grep -Eaq -- "$rest" "$out/debugcon.txt" && why+=("debugcon has /$rest/") ;;
		esac
	done <"$conf"
	if [ ${#why[@]} -eq 0 ]; then
		echo "PASS $name ($cpu, $accel)"
	else
		echo "FAIL $name ($cpu, $accel): $(IFS=';'; echo "${why[*]}") [see $out]"
	fi
}
export -f run_case
export build app outdir eptool

cases=$(ls tests/qemu/cases/*.conf | grep -E -- "$filter" || true)
[ -n "$cases" ] || { echo "qemu-test: no case matches '$filter'"; echo "0 passed, 0 failed"; exit 1; }
# Lines appear as cases finish; a copy is kept to count them. (Not `tee /dev/stderr`: when stderr is
# a file, reopening it truncates everything printed before.)
printf '%s\n' $cases | xargs -P "$jobs" -I{} bash -c 'run_case {}' | tee "$outdir/results.txt"
pass=$(grep -c '^PASS' "$outdir/results.txt")
fail=$(grep -c '^FAIL' "$outdir/results.txt")
echo "qemu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

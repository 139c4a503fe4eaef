#!/usr/bin/env bash
# The `make test` Linux boot: Debian's cloud kernel (6.12 by default) through earlypatch, under TCG,
# to earlypatch's initramfs report. Checks, each one line:
#   - the report is complete: the kernel's release, efi=1 (it kept EFI), the command line given;
#   - earlypatch wrote stage 1 (the hypercall groups) and a non-empty safe set, with no E line;
#   - the kernel's /proc/cpuinfo flags equal earlypatch's facts for every CPUID-backed feature
#     (tests/linux/flags_check.py; differences only where explained);
#   - `eptool apply --cpuid-dump` on the host decides every site as the firmware did;
#   - with a TPM (swtpm; LINUX_BOOT_TPM=0 boots without one): the kernel reads PCRs 8 and 9 as
#     earlypatch read them back before ExitBootServices, it has the event log earlypatch handed it
#     (binary_bios_measurements), and `eptool pcr` on the ESP's files predicts both values
#     (docs/security.md#measured-boot).
#
#   tests/linux/boot_test.sh BUILD_DIR [SERIES] [CPU]      (LINUX_BOOT_CPU, LINUX_BOOT_SERIES too)
# Last line: "linux-boot: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
series=${2:-${LINUX_BOOT_SERIES:-6.12}}
cpu=${3:-${LINUX_BOOT_CPU:-EPYC-Milan}}
tpm=${LINUX_BOOT_TPM:-1}
out=$build/linux-boot-test/$series-$cpu
mkdir -p "$out"
passed=0 failed=0
check() { # check NAME COMMAND...: one line per check
	local name=$1
	shift
	if "$@" >"$out/check.txt" 2>&1; then
		passed=$((passed + 1))
		echo "linux-boot: ok   $name"
	else
		failed=$((failed + 1))
		echo "linux-boot: FAIL $name: $(tail -1 "$out/check.txt")"
	fi
}
finish() {
	echo "linux-boot: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

kdir=$(tests/linux/kernel.sh "$series") || { failed=1; echo "linux-boot: FAIL no kernel (fetch failed)"; finish; }
images/initramfs.sh "$build/linux/initramfs.cpio.gz"
cmdline="console=ttyS0 panic=-1 earlypatch-test"
printf 'on-exit shutdown\nlog-debugcon on\nlog-console off\n' >"$out/earlypatch.conf"
images/mkesp.sh "$out/esp.img" "$build/efi/earlypatch.efi" --config "$out/earlypatch.conf" \
	--payload "$kdir/vmlinuz" --initrd "$build/linux/initramfs.cpio.gz" --cmdline "$cmdline" >/dev/null
# The unpacked vmlinux for the host preview: the bytes mkesp.sh put on the ESP.
images/bzimage.sh "$kdir/vmlinuz" "$out/kernel" >/dev/null

start=$(date +%s)
tpm_opt=()
[ "$tpm" = 0 ] || tpm_opt=(--tpm)
scripts/qemu-boot.sh --esp "$out/esp.img" --out "$out" --cpu "$cpu" --case-accel tcg --timeout 300 --mem 512 ${tpm_opt[@]+"${tpm_opt[@]}"}
echo "linux-boot: $series on $cpu: QEMU exit $(cat "$out/exit_code") after $(($(date +%s) - start)) s"
log=$out/debugcon.txt console=$out/console.txt

report() { grep -a "^EPREPORT $1" "$console" | tr -d '\r'; }
check "QEMU powered off by the kernel (exit 0)" grep -qx 0 "$out/exit_code"
check "initramfs report complete" grep -aq '^EPREPORT end' "$console"
check "kernel release $(cat "$kdir/version")" sh -c "grep -aq '^EPREPORT kernel=$(cat "$kdir/version")' '$console'"
check "the kernel got the Secure Boot state (boot_params.secure_boot)" grep -aq 'secureboot: Secure boot disabled' "$console"
check "the kernel kept EFI (efi=1)" sh -c "grep -aq '^EPREPORT efi=1' '$console'"
check "the kernel got the command line" sh -c "grep -aq '^EPREPORT cmdline=$cmdline' '$console'"
check "no E line in earlypatch's log" sh -c "! grep -a '^E ' '$log'"
check "stage 1 wrote the hypercall groups" grep -aEq '^I prepatch-summary .* hypercall=[1-9][0-9]* ' "$log"
check "stage 2 wrote a non-empty safe set" grep -aEq '^I prepatch-summary .* safe=[1-9]' "$log"
check "kernel flags = earlypatch facts (CPUID-backed)" python3 tests/linux/flags_check.py "$log" "$console" --series "$series"
cat "$out/check.txt"
# The host preview: the same core code on the same file must make the same decisions.
site_lines() { grep -aE '^([ID] alt site=|I prepatch-summary |D prepatch |W prepatch )' "$1" | sed -E 's/ site=0x[0-9a-f]+//'; }
"$build/host/eptool" apply "$out/kernel/vmlinux" -o "$out/preview.vmlinux" --cpuid-dump "$log" >"$out/preview.txt" 2>&1 || true
rm -f "$out/preview.vmlinux"
check "eptool apply preview = the firmware's decisions" diff <(site_lines "$log") <(site_lines "$out/preview.txt")
[ "$tpm" != 0 ] || finish
# Measured boot: earlypatch's read-back, the kernel's view of the same PCRs, and the host's prediction.
fw_pcr() { grep -a "^I tpm pcr=$1 bank=sha256 value=" "$log" | sed 's/.*value=//' | tr -d '\r'; }
kernel_pcr() { report "tpm_pcr_sha256_$1=" | sed 's/.*=//' | tr 'A-F' 'a-f'; }
same() { [ -n "$1" ] && [ "$1" = "$2" ] || { echo "earlypatch ${1:-none}, other ${2:-none}"; return 1; }; }
for n in 8 9; do
	check "the kernel reads PCR $n as earlypatch read it back" same "$(fw_pcr $n)" "$(kernel_pcr $n)"
done
check "the kernel has the event log (LINUX_EFI_TPM_EVENT_LOG)" sh -c "grep -aq '^EPREPORT tpm_eventlog=1' '$console'"
mkdir -p "$out/esp"
for f in earlypatch.conf payload.elf linux-setup.bin initrd.img; do
	MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" "::/EFI/earlypatch/$f" >"$out/esp/$f"
done
"$build/host/eptool" pcr --log "$log" "$out/esp/payload.elf" --config "$out/esp/earlypatch.conf" \
	--setup "$out/esp/linux-setup.bin" --initrd "$out/esp/initrd.img" >"$out/pcr.txt" 2>&1 || true
for n in 8 9; do
	check "eptool pcr predicts PCR $n" same "$(fw_pcr $n)" "$(grep -a "^I tpm pcr=$n " "$out/pcr.txt" | sed 's/.*value=//')"
done
rm -rf "$out/esp"
finish

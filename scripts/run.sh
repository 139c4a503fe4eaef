#!/usr/bin/env bash
# `make run`: build an ESP image with the app (and the selftest payload when
# built), boot it in QEMU/OVMF showing the console, then print the ESP log.
#   CPU=<qemu model>  CONFIG=<earlypatch.conf>  PAYLOAD=<elf, vmlinux or bzImage>  INITRD=<cpio>
#   CMDLINE="..."  MEM=<MB>  QEMU_ARGS="..."  TIMEOUT=<s>  ACCEL=auto|kvm|tcg
#   SECUREBOOT=1 [KEY=... CERT=...]  the image's files pinned and earlypatch signed (images/mkesp.sh
#                --sign; default key: Debian OVMF's snakeoil, for tests only), booted with Secure Boot on
#   TPM=1        a TPM 2.0 (swtpm)
#   IMAGE=esp.img  boot an ESP image that exists (`make boot`): a copy of it, nothing built
# A Linux kernel payload (a bzImage or a vmlinux, as `eptool kind` tells) gets 512 MB
# unless MEM says otherwise (256 for anything else); a bzImage is unpacked by images/mkesp.sh.
# QEMU_ARGS is split into words as a shell would (quotes honoured, nothing expanded) and goes at
# the end of QEMU's command line, e.g. QEMU_ARGS="-gdb tcp:127.0.0.1:1234 -S".
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
boot_opts=()
if [ "${SECUREBOOT:-0}" = 1 ]; then
	key=${KEY:-} cert=${CERT:-}
	if [ -z "$key" ]; then
		key=$(BUILD=$build scripts/snakeoil-key.sh) cert=${cert:-/usr/share/ovmf/PkKek-1-snakeoil.pem}
		echo "run: signing with Debian OVMF's snakeoil key: for tests only"
	fi
	args+=(--sign "$key" "${cert:?CERT= is needed with KEY=}")
	boot_opts+=(--secureboot)
fi
[ "${TPM:-0}" = 0 ] || boot_opts+=(--tpm)
[ -n "$payload" ] && args+=(--payload "$payload")
[ -z "${INITRD:-}" ] || args+=(--initrd "$INITRD")
[ -z "${CMDLINE:-}" ] || args+=(--cmdline "$CMDLINE")
cpu=${CPU:-qemu64}

# Is the payload a Linux kernel? Only its exit status and memory differ from the selftest's. The
# firmware's own test decides (core/linux/vmlinux.c's ep_payload_kind, through eptool kind).
linux=0
if [ -n "$payload" ] && [ -f "$payload" ]; then
	case $("$build/host/eptool" kind "$payload") in
	linux | bzimage) linux=1 ;;
	esac
fi
mem=${MEM:-$([ "$linux" = 1 ] && echo 512 || echo 256)}
qemu_args=()
if [ -n "${QEMU_ARGS:-}" ]; then
	mapfile -d '' qemu_args < <(python3 -c 'import shlex, sys
sys.stdout.write("".join(a + "\0" for a in shlex.split(sys.argv[1])))' "$QEMU_ARGS")
fi

if [ -n "${IMAGE:-}" ]; then
	[ -f "$IMAGE" ] || { echo "run: no such image: $IMAGE" >&2; exit 1; }
	cp "$IMAGE" "$out/esp.img"   # the boot writes its log into the ESP: the original stays as it was
	[ -n "${MEM:-}" ] || mem=512
else
	images/mkesp.sh "$out/esp.img" "$build/efi/earlypatch.efi" "${args[@]}"
fi
# (The selftest's line as it always was: -m only when not qemu-boot.sh's default 256.)
echo "run: booting $out/esp.img with -cpu $cpu$([ "$mem" = 256 ] || echo " -m $mem")${QEMU_ARGS:+ $QEMU_ARGS} (console below; log follows)"
# Fails at once (its message names KVM) when ACCEL=kvm cannot be honoured.
scripts/qemu-boot.sh --esp "$out/esp.img" --out "$out" --cpu "$cpu" --mem "$mem" --timeout "${TIMEOUT:-120}" \
	--interactive ${boot_opts[@]+"${boot_opts[@]}"} -- ${qemu_args[@]+"${qemu_args[@]}"} || { echo "run: not booted"; exit 1; }
echo

# QEMU warns once per feature of the model it cannot give the guest; one line here instead.
dropped=$(grep -c "doesn't support requested feature" "$out/qemu.stderr" || true)
accel=$(awk '{ print $2; exit }' "$out/accel.txt")
[ "$dropped" = 0 ] || echo "run: QEMU dropped $dropped features of $cpu under $accel (see $out/qemu.stderr)"
code=$(cat "$out/exit_code")
if [ "$linux" = 1 ]; then
	# A kernel powering off, earlypatch's on-exit shutdown and (with -no-reboot) a triple fault
	# all end QEMU with 0; the initramfs report below tells a kernel that got to /init.
	case "$code" in
	0) meaning="powered off (the kernel or earlypatch)" ;;
	timeout) meaning="timed out" ;;
	*) meaning="unexpected" ;;
	esac
else
	case "$code" in
	33) meaning="selftest PASS" ;;
	35) meaning="selftest FAIL" ;;
	37) meaning="selftest: boot_info missing or wrong" ;;
	0) meaning="powered off by earlypatch (see the log for why no payload ran)" ;;
	timeout) meaning="timed out" ;;
	*) meaning="unexpected" ;;
	esac
fi
echo "run: QEMU exit status $code ($meaning)"
said=$(grep -v "doesn't support requested feature" "$out/qemu.stderr" | grep -v 'terminating on signal' | head -1 || true)
case "$code" in 33 | 35 | 37 | 0) ;; *) [ -z "$said" ] || echo "run: QEMU said: $said (see $out/qemu.stderr)" ;; esac
# The report of earlypatch's initramfs (tests/linux/initramfs/init); the serial console ends
# its lines with CR LF.
if grep -q '^EPREPORT begin' <(tr -d '\r' <"$out/console.txt"); then
	tr -d '\r' <"$out/console.txt" | awk '
		/^EPREPORT begin/ { n++ }
		n == 1 && /^EPREPORT end/ { done = 1 }
		n == 1 && !done && sub(/^EPREPORT /, "") {
			k = substr($0, 1, index($0, "=") - 1); v[k] = substr($0, index($0, "=") + 1)
		}
		END {
			if (!done) { print "run: linux report: incomplete (no EPREPORT end on the console)"; exit }
			printf "run: linux report: kernel=%s efi=%s flags=%d bugs=%d\n", v["kernel"], v["efi"],
				split(v["flags"], f, " "), split(v["bugs"], b, " ")
		}'
fi
echo "run: ---- \\EFI\\earlypatch\\earlypatch.log read back from the ESP ----"
MTOOLS_SKIP_CHECK=1 mtype -i "$out/esp.img" ::/EFI/earlypatch/earlypatch.log || echo "run: no log on the ESP"

#!/bin/sh
# Boots a fetched kernel under QEMU TCG until it panics for lack of a root
# file system, then reads through QEMU's gdb stub what the kernel made of
# itself: boot_cpu_data.x86_capability and its executable text after
# alternatives/paravirt patching.
#
#   boot_dump.sh KDIR MODEL OUT      KDIR: fetch.sh's directory (vmlinux, vmlinuz)
#
# Writes OUT/serial.log, OUT/caps (the words, comma separated, hex),
# OUT/return_thunk (x86_return_thunk, the boot's return-thunk choice) and
# OUT/text-<start>.bin for each dumped range (.text, and the init text
# region from .init.text to the end of .altinstr_aux).
set -eu
kdir=$1
model=$2
out=$3
mkdir -p "$out"
timeout=${LINUX_BOOT_TIMEOUT:-240}

# Addresses and the layout of boot_cpu_data, from the vmlinux (cached).
if [ ! -s "$kdir/layout" ]; then
	gdb -batch -nx -ex 'p/d &((struct cpuinfo_x86*)0)->x86_capability' \
		-ex 'p/d sizeof(((struct cpuinfo_x86*)0)->x86_capability)' "$kdir/vmlinux" 2>/dev/null |
		sed -n 's/^\$[0-9]* = //p' | tr '\n' ' ' >"$kdir/layout.tmp"
	mv "$kdir/layout.tmp" "$kdir/layout"
fi
if [ ! -s "$kdir/ncapints" ]; then
	gdb -batch -nx -ex 'p sizeof(x86_cap_flags)/sizeof(x86_cap_flags[0])/32' "$kdir/vmlinux" 2>/dev/null |
		sed -n 's/^\$[0-9]* = //p' >"$kdir/ncapints"
fi
set -- $(cat "$kdir/layout")
cap_off=$1
cap_size=$2
sym() { nm "$kdir/vmlinux" | awk -v n="$1" '$3 == n { print "0x" $1; exit }'; }
sec() { readelf -SW "$kdir/vmlinux" | awk -v n="$1" '{ for (i = 1; i <= NF; i++) if ($i == n) { print "0x" $(i+2), "0x" $(i+4); exit } }'; }
bcd=$(sym boot_cpu_data)
rthunk=$(sym x86_return_thunk)
set -- $(sec .text); text=$1; text_size=$2
set -- $(sec .init.text); init=$1
set -- $(sec .altinstr_aux); aux=$1; aux_size=$2

port=$(( 20000 + $$ % 20000 ))
rm -f "$out/serial.log"
qemu-system-x86_64 -machine pc -accel tcg -cpu "$model" -m 512 -smp 1 -display none -no-reboot \
	-kernel "$kdir/vmlinuz" -append "nokaslr console=ttyS0 panic=0" \
	-serial "file:$out/serial.log" -monitor none -gdb "tcp:127.0.0.1:$port" &
qpid=$!
trap 'kill $qpid 2>/dev/null || true' EXIT INT TERM

waited=0
until grep -q 'Kernel panic' "$out/serial.log" 2>/dev/null; do
	if ! kill -0 $qpid 2>/dev/null || [ $waited -ge "$timeout" ]; then
		echo "boot_dump: $model: no panic after ${waited}s" >&2
		tail -5 "$out/serial.log" >&2 || true
		exit 1
	fi
	sleep 1
	waited=$((waited + 1))
done
sleep 2 # let the panic path finish printing and settle in its loop

gdb -batch -nx \
	-ex "set architecture i386:x86-64" \
	-ex "target remote 127.0.0.1:$port" \
	-ex "dump binary memory $out/caps.bin $bcd+$cap_off $bcd+$cap_off+$cap_size" \
	-ex "dump binary memory $out/return_thunk.bin $rthunk $rthunk+8" \
	-ex "dump binary memory $out/text-$text.bin $text $text+$text_size" \
	-ex "dump binary memory $out/text-$init.bin $init $aux+$aux_size" \
	-ex "kill" >"$out/gdb.log" 2>&1 || true
kill $qpid 2>/dev/null || true
wait $qpid 2>/dev/null || true
trap - EXIT INT TERM

[ -s "$out/caps.bin" ] || { echo "boot_dump: $model: gdb read nothing (see $out/gdb.log)" >&2; exit 1; }
od -An -v -tx4 "$out/caps.bin" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//; s/\([0-9a-f]\{8\}\)/0x\1/g' >"$out/caps"
od -An -v -tx8 "$out/return_thunk.bin" | tr -d ' \n' | sed 's/^/0x/' >"$out/return_thunk"
echo "boot_dump: $model: panic after ${waited}s, caps $(cat "$out/caps")"

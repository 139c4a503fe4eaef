#!/usr/bin/env bash
# Tests images/bzimage.sh (and the bzImage path of images/mkesp.sh).
#
#   tests/linux/bzimage_test.sh              synthetic bzImages in all 6 formats and crafted bad
#                                            inputs; fast, no kernel needed (for `make test`)
#   tests/linux/bzimage_test.sh --dbg KDIR [WORK]
#                                            KDIR/vmlinuz (a real Debian kernel) unpacked must have
#                                            the PT_LOAD contents of KDIR/vmlinux (its -dbg vmlinux),
#                                            byte for byte (tests/linux/check.sh runs this)
# Last line: `bzimage-test: N passed, M failed`; exit status 1 when anything failed.
# Every check compares real output with an expectation; the "control" checks feed the same
# comparisons a wrong expectation and require them to report a failure, so none is vacuous.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bzimage=$root/images/bzimage.sh
mkesp=$root/images/mkesp.sh
passed=0 failed=0
why=""

# t NAME CMD...: one check; CMD sets $why when it fails.
t() {
	local name=$1
	shift
	why=""
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bzimage-test: FAIL $name: ${why:-failed}"
	fi
}
# not CMD...: CMD must fail (for the controls).
not() { if "$@"; then why="the check passed on a wrong expectation"; return 1; fi; why=""; }
finish() {
	echo "bzimage-test: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}

work=$(mktemp -d "${TMPDIR:-/tmp}/bzimage-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- real kernel vs its -dbg vmlinux
if [ "${1:-}" = --dbg ]; then
	kdir=${2:?usage: $0 --dbg KDIR [WORK]}
	out=${3:-$work/unpacked}
	mkdir -p "$out"
	label=$(cat "$kdir/version" 2>/dev/null || basename "$kdir")
	unpack_real() {
		"$bzimage" "$kdir/vmlinuz" "$out" >"$out/summary.txt" 2>"$out/stderr.txt" ||
			{ why=$(cat "$out/stderr.txt"); return 1; }
		echo "bzimage-test: $label: $(cat "$out/summary.txt")"
	}
	t "$label unpack" unpack_real
	# Every PT_LOAD: the same header fields and the same file bytes (offsets may differ).
	same_loads() {
		why=$(python3 - "$1" "$2" 2>&1 <<'PY'
import struct, sys

def loads(path):
    f = open(path, "rb")
    h = f.read(64)
    if h[:4] != b"\x7fELF":
        return f, None
    phoff, = struct.unpack_from("<Q", h, 32)
    phentsize, phnum = struct.unpack_from("<HH", h, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        t, fl, off, va, pa, fs, ms, al = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
        if t == 1:
            out.append((fl, off, va, pa, fs, ms, al))
    return f, out

fa, la = loads(sys.argv[1])
fb, lb = loads(sys.argv[2])
if la is None or lb is None:
    sys.exit("not an ELF")
if len(la) != len(lb):
    sys.exit("%d PT_LOADs vs %d" % (len(la), len(lb)))
if not la:
    sys.exit("no PT_LOAD")
for i, (a, b) in enumerate(zip(la, lb)):
    if a[0] != b[0] or a[2:] != b[2:]:
        sys.exit("PT_LOAD %d header differs: %s vs %s" % (i, a, b))
    fa.seek(a[1]); fb.seek(b[1])
    left, pos = a[4], 0
    while left:
        n = min(left, 1 << 20)
        x, y = fa.read(n), fb.read(n)
        if x != y:
            j = next((k for k in range(len(x)) if k >= len(y) or x[k] != y[k]), len(x))
            sys.exit("PT_LOAD %d (vaddr 0x%x) differs at +0x%x" % (i, a[2], pos + j))
        left -= n; pos += n
print("%d PT_LOADs, %d bytes" % (len(la), sum(l[4] for l in la)))
PY
) || return 1
		echo "bzimage-test: $label: $why equal"
	}
	t "$label PT_LOADs equal the -dbg vmlinux" same_loads "$out/vmlinux" "$kdir/vmlinux"
	# Control: the comparison must see a difference (the same kernel with one byte changed).
	if [ -s "$out/vmlinux" ]; then
		cp "$out/vmlinux" "$work/changed"
		printf '\xcc' | dd of="$work/changed" bs=1 seek=$((0x200000 + 4096)) conv=notrunc status=none
		t "$label control: a changed byte is seen" not same_loads "$work/changed" "$kdir/vmlinux" >/dev/null
		rm -f "$work/changed"
	fi
	[ -n "${3:-}" ] || rm -rf "$out"
	finish
	exit
fi

# ---------------------------------------------------------------- synthetic inputs
# One python3 run writes every input into $work (a python start-up costs more than a check):
#   k.elf          a small ELF64 x86-64 ET_EXEC, two PT_LOADs, section headers after them (as a vmlinux)
#   relocs         a stand-in for the relocation table the kernel's build appends after the ELF
#   bz.FORMAT      k.elf + relocs compressed in FORMAT (the kernel's compressor options, roughly),
#                  with the uncompressed size appended as the kernel's size_append does (not gzip)
#   bz.*           the other good and bad inputs, named in the checks below
#   payload_length NAME N lines: each bz.*'s header field 0x24c, for the summary line
cat >"$work/mk.py" <<'PY'
import os, struct, subprocess, sys
os.chdir(sys.argv[1])

def elf(machine=62, etype=2, seg_last=False):
    """Section headers last, or (seg_last) a segment last, so both ends of the extent are tried."""
    text = bytes((i * 37 + 11) & 0xff for i in range(0x180)) + b"\xf4\xeb\xfd"  # ... hlt; jmp .-1
    data = b"earlypatch synthetic kernel\0" + bytes(range(64))
    shstr = b"\0.text\0.data\0.bss\0.shstrtab\0"
    t_off, d_off = 0x1000, 0x2000
    str_off = 0x1800 if seg_last else d_off + len(data)
    sh_off = (str_off + len(shstr) + 7) & ~7
    img = bytearray(max(sh_off + 5 * 64, d_off + len(data)))
    struct.pack_into("<4sBBBBB7xHHIQQQIHHHHHH", img, 0, b"\x7fELF", 2, 1, 1, 0, 0,
                     etype, machine, 1, 0xffffffff81000000, 64, sh_off, 0, 64, 56, 2, 64, 5, 4)
    struct.pack_into("<IIQQQQQQ", img, 64, 1, 5, t_off, 0xffffffff81000000, 0x1000000, len(text), len(text), 0x1000)
    struct.pack_into("<IIQQQQQQ", img, 120, 1, 6, d_off, 0xffffffff81001000, 0x1001000, len(data), len(data) + 0x100, 0x1000)
    img[t_off:t_off + len(text)] = text
    img[d_off:d_off + len(data)] = data
    img[str_off:str_off + len(shstr)] = shstr
    secs = [(0, 0, 0, 0, 0), (1, 1, 6, t_off, len(text)), (7, 1, 3, d_off, len(data)),
            (13, 8, 3, d_off + len(data), 0x100), (18, 3, 0, str_off, len(shstr))]
    for i, (name, typ, flags, off, size) in enumerate(secs):
        struct.pack_into("<IIQQQQIIQQ", img, sh_off + i * 64, name, typ, flags, 0, off, size, 0, 0, 1, 0)
    return bytes(img)

TOOLS = {"gzip": ["gzip", "-n", "-9"], "bzip2": ["bzip2", "-9"], "lzma": ["xz", "--format=lzma", "-9"],
         "xz": ["xz", "--check=crc32", "-6"], "lz4": ["lz4", "-l", "-9", "-q"], "zstd": ["zstd", "-19", "-q"]}

def compress(fmt, data, size_delta=0):
    out = subprocess.run(TOOLS[fmt] + ["-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return out if fmt == "gzip" else out + struct.pack("<I", len(data) + size_delta)

lengths = []
def bzimage(name, stream, setup_sects=3, xlf=0x7f, version=0x20f, boot_flag=0xaa55):
    setup = bytearray(((setup_sects or 4) + 1) * 512)
    setup[0x1f1] = setup_sects
    struct.pack_into("<H", setup, 0x1fe, boot_flag)
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, version)
    struct.pack_into("<H", setup, 0x236, xlf)
    lead = b"\x90" * 0x40  # stands for the decompressor's code before the payload
    struct.pack_into("<II", setup, 0x248, len(lead), len(stream))
    for i in range(0x282, len(setup)):  # not zeros, so linux-setup.bin's cut shows
        setup[i] = i & 0xff
    img = bytes(setup) + lead + stream + b"\xcc" * 100
    open(name, "wb").write(img)
    lengths.append("%s %d" % (name, len(stream)))
    return img

def write(name, data):
    open(name, "wb").write(data)

k = elf()
relocs = b"".join(i.to_bytes(4, "little") for i in range(1, 200)) + bytes(8)
write("k.elf", k); write("relocs", relocs)
kbin = k + relocs
streams = {f: compress(f, kbin) for f in TOOLS}
for f, st in streams.items():
    bzimage("bz." + f, st)
seglast = elf(seg_last=True)
write("seglast.elf", seglast)
bzimage("bz.seglast", compress("zstd", seglast))
bzimage("bz.sects0", streams["lz4"], setup_sects=0)
# bad ones
write("short", open("bz.lz4", "rb").read()[:100])
bzimage("bz.noflag", streams["lz4"], boot_flag=0)
bzimage("bz.unknown", b"ABCDEFGH" + streams["lz4"])
write("bz.truncated", open("bz.lz4", "rb").read()[:-300])  # the file ends inside the payload
bzimage("bz.32", streams["lz4"], xlf=0x7e)
bzimage("bz.old", streams["lz4"], version=0x20b)
bzimage("bz.lz4.wrongsize", compress("lz4", kbin, 1))
bzimage("bz.zstd.wrongsize", compress("zstd", kbin, 1))
corrupt = bytearray(streams["xz"]); corrupt[len(corrupt) // 2] ^= 0xff
bzimage("bz.corrupt", bytes(corrupt))
bzimage("bz.i386", compress("xz", elf(machine=3)))
bzimage("bz.dyn", compress("gzip", elf(etype=3)))
bzimage("bz.notelf", compress("bzip2", relocs))
write("payload_length", ("\n".join(lengths) + "\n").encode())
write("k.bin.size", b"%d\n" % len(kbin))
PY
python3 "$work/mk.py" "$work"
declare -A payload_length
while read -r name n; do payload_length[$name]=$n; done <"$work/payload_length"
relocs_bytes=$(stat -c %s "$work/relocs")

# check_unpack BZ ELF FORMAT RELOCS: unpack gives ELF back, the setup bytes and the summary line.
check_unpack() {
	local bz=$1 elf=$2 fmt=$3 relocs=$4 o
	o=$(mktemp -d "$work/out.XXXXXX")
	if ! "$bzimage" "$work/$bz" "$o" >"$o.stdout" 2>"$o.stderr"; then
		why="exit status non-zero: $(cat "$o.stderr")"; return 1
	fi
	cmp -s "$o/vmlinux" "$work/$elf" || { why="vmlinux differs from the ELF that was packed"; return 1; }
	head -c 1024 "$work/$bz" | cmp -s - "$o/linux-setup.bin" || { why="linux-setup.bin is not the first 1024 bytes"; return 1; }
	local want left
	want="bzimage: format=$fmt compressed=${payload_length[$bz]} vmlinux=$(stat -c %s "$work/$elf") relocs=$relocs version=0x20f"
	[ "$(cat "$o.stdout")" = "$want" ] || { why="summary '$(cat "$o.stdout")', want '$want'"; return 1; }
	left=$(find "$o" -mindepth 1 ! -name vmlinux ! -name linux-setup.bin)
	[ -z "$left" ] || { why="left files behind: $left"; return 1; }
}
# check_error BZ NAME [TEXT]: exit 1, stderr `bzimage: error=NAME ...` (holding TEXT), no output.
check_error() {
	local bz=$1 name=$2 text=${3:-} o rc=0
	o=$(mktemp -d "$work/out.XXXXXX")
	"$bzimage" "$work/$bz" "$o" >"$o.stdout" 2>"$o.stderr" || rc=$?
	[ "$rc" = 1 ] || { why="exit status $rc, want 1 ($(cat "$o.stderr"))"; return 1; }
	grep -q "^bzimage: error=$name\( \|$\)" "$o.stderr" || { why="stderr '$(cat "$o.stderr")', want error=$name"; return 1; }
	[ -z "$text" ] || grep -qF -- "$text" "$o.stderr" || { why="stderr '$(cat "$o.stderr")' lacks '$text'"; return 1; }
	[ ! -s "$o.stdout" ] || { why="printed a summary: $(cat "$o.stdout")"; return 1; }
	[ -z "$(ls -A "$o")" ] || { why="left files: $(ls -A "$o")"; return 1; }
}

for f in gzip bzip2 lzma xz lz4 zstd; do
	t "unpack $f" check_unpack bz.$f k.elf $f "$relocs_bytes"
done
# The segment, not the section headers, ends the ELF; no relocation table at all.
t "unpack: a segment ends the ELF, no relocs" check_unpack bz.seglast seglast.elf zstd 0
t "unpack: setup_sects 0 means 4" check_unpack bz.sects0 k.elf lz4 "$relocs_bytes"

# Bad inputs, each by its name.
t "NOT_BZIMAGE: an ELF" check_error k.elf NOT_BZIMAGE
t "NOT_BZIMAGE: 100 bytes" check_error short NOT_BZIMAGE
t "NOT_BZIMAGE: no boot flag" check_error bz.noflag NOT_BZIMAGE
t "UNKNOWN_COMPRESSION" check_error bz.unknown UNKNOWN_COMPRESSION "magic=414243444546"
t "TRUNCATED: payload cut" check_error bz.truncated TRUNCATED
t "NOT_64BIT: XLF_KERNEL_64 clear" check_error bz.32 NOT_64BIT "xloadflags=0x7e"
t "NOT_64BIT: protocol 2.11" check_error bz.old NOT_64BIT "version=0x20b"
for f in lz4 zstd; do
	t "SIZE_MISMATCH $f" check_error bz.$f.wrongsize SIZE_MISMATCH "expected=$(($(cat "$work/k.bin.size") + 1))"
done
t "DECOMPRESS_FAILED: corrupt xz" check_error bz.corrupt DECOMPRESS_FAILED "format=xz"
t "NOT_X86_64_ELF: e_machine 3" check_error bz.i386 NOT_X86_64_ELF "machine=3"
t "NOT_X86_64_ELF: ET_DYN" check_error bz.dyn NOT_X86_64_ELF "type=3"
t "NOT_X86_64_ELF: no ELF inside" check_error bz.notelf NOT_X86_64_ELF

# Controls: the comparisons above must be able to fail.
t "control: a different ELF is seen" not check_unpack bz.zstd seglast.elf zstd "$relocs_bytes"
t "control: a wrong relocs count is seen" not check_unpack bz.zstd k.elf zstd 1
t "control: a good image is not an error" not check_error bz.gzip NOT_BZIMAGE
t "control: another error name is seen" not check_error bz.32 TRUNCATED

# ---------------------------------------------------------------- mkesp.sh with a bzImage
# The ESP gets the unpacked kernel as payload.elf, the setup bytes, the initrd and the config lines.
printf 'EFI app stand-in\n' >"$work/app.efi"
printf 'on-exit shutdown\nlog-debugcon on' >"$work/base.conf"  # no newline at the end, on purpose
head -c 300000 /dev/urandom >"$work/initrd.img"
esp_get() { MTOOLS_SKIP_CHECK=1 mcopy -n -i "$1" "::$2" "$3" 2>/dev/null; }
check_esp() {
	local img=$work/esp.img d
	d=$(mktemp -d "$work/esp.XXXXXX")
	"$mkesp" "$img" "$work/app.efi" --config "$work/base.conf" --payload "$work/bz.zstd" \
		--initrd "$work/initrd.img" --cmdline "console=ttyS0 quiet" >"$d/stdout" 2>"$d/stderr" ||
		{ why="mkesp failed: $(cat "$d/stderr")"; return 1; }
	for p in payload.elf linux-setup.bin initrd.img earlypatch.conf; do
		esp_get "$img" "/EFI/earlypatch/$p" "$d/$p" || { why="no \\EFI\\earlypatch\\$p"; return 1; }
	done
	cmp -s "$d/payload.elf" "${1:-$work/k.elf}" || { why="payload.elf is not the unpacked ELF"; return 1; }
	head -c 1024 "$work/bz.zstd" | cmp -s - "$d/linux-setup.bin" || { why="linux-setup.bin differs"; return 1; }
	cmp -s "$d/initrd.img" "$work/initrd.img" || { why="initrd.img differs"; return 1; }
	printf '%s\n' "on-exit shutdown" "log-debugcon on" 'linux-setup \EFI\earlypatch\linux-setup.bin' \
		'initrd \EFI\earlypatch\initrd.img' "cmdline console=ttyS0 quiet" >"$d/want.conf"
	cmp -s "$d/earlypatch.conf" "$d/want.conf" || { why="earlypatch.conf: $(tr '\n' '|' <"$d/earlypatch.conf")"; return 1; }
	cmp -s "$work/base.conf" <(printf 'on-exit shutdown\nlog-debugcon on') || { why="mkesp changed its --config file"; return 1; }
	[ "$(stat -c %s "$img")" = $((48 << 20)) ] || { why="image is $(stat -c %s "$img") bytes, want the 48 MB minimum"; return 1; }
}
t "mkesp: bzImage, initrd, cmdline" check_esp
t "control: mkesp's payload check can fail" not check_esp "$work/seglast.elf"
# A bigger kernel grows the image: files total + 16 MB slack.
check_esp_size() {
	local img=$work/esp-big.img
	head -c $((60 << 20)) /dev/zero >"$work/big.initrd"
	"$mkesp" "$img" "$work/app.efi" --payload "$work/k.elf" --initrd "$work/big.initrd" 2>"$work/big.err" ||
		{ why="mkesp failed: $(cat "$work/big.err")"; return 1; }
	[ "$(stat -c %s "$img")" = $((77 << 20)) ] || { why="image is $(($(stat -c %s "$img") >> 20)) MB, want 77"; return 1; }
	esp_get "$img" /EFI/earlypatch/initrd.img "$work/big.back" && cmp -s "$work/big.back" "$work/big.initrd" ||
		{ why="the 60 MB initrd did not come back"; return 1; }
	rm -f "$work/big.initrd" "$work/big.back" "$img"
}
t "mkesp: the image grows to fit" check_esp_size
# A '#' would start a comment in earlypatch.conf and cut the command line short; a newline would
# add a config line.
check_cmdline_refused() {
	if "$mkesp" "$work/esp-bad.img" "$work/app.efi" --cmdline "$1" 2>"$work/bad.err"; then
		why="mkesp accepted the command line"; return 1
	fi
	grep -q '^mkesp: ' "$work/bad.err" || { why="no mkesp: message: $(cat "$work/bad.err")"; return 1; }
	[ ! -e "$work/esp-bad.img" ] || { why="left an image"; return 1; }
}
t "mkesp: cmdline with # refused" check_cmdline_refused "console=ttyS0 #x"
t "mkesp: cmdline with a newline refused" check_cmdline_refused "$(printf 'a\npayload \\x')"
t "control: a plain cmdline is not refused" not check_cmdline_refused "console=ttyS0"
rm -f "$work/esp-bad.img"

finish

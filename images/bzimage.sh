#!/usr/bin/env bash
# Unpacks a Linux bzImage on the host: earlypatch pre-patches the decompressed kernel, so it
# boots the vmlinux inside the bzImage through the 64-bit entry, not the bzImage's own
# decompressor (docs/linux.md).
#
#   images/bzimage.sh BZIMAGE OUTDIR
#
# OUTDIR/vmlinux          the decompressed ELF, cut at its ELF extent (the kernel's appended
#                         relocation table, which only its own decompressor's KASLR reads, is dropped)
# OUTDIR/linux-setup.bin  the first 1024 bytes of the bzImage (its setup header, 0x1f1..0x281)
# stdout: one line, `bzimage: format=lz4 compressed=N vmlinux=M relocs=K version=0x20f`
# stderr: `bzimage: error=NAME ...` and exit 1, NAME one of NOT_BZIMAGE UNKNOWN_COMPRESSION
#         TRUNCATED NOT_64BIT DECOMPRESS_FAILED SIZE_MISMATCH NOT_X86_64_ELF.
# The header offsets are those of the Linux boot protocol (Documentation/arch/x86/boot.rst).
# Decompression is Debian's tools (gzip, bzip2, xz, lz4, zstd), driven from one python3 process
# (one start-up, not one per step).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BZIMAGE OUTDIR" >&2; exit 2; }
bz=$1 outdir=$2
[ -f "$bz" ] || { echo "bzimage: no such file: $bz" >&2; exit 1; }
mkdir -p "$outdir"
# Work inside OUTDIR so the final renames are atomic: a failed run leaves no half-written vmlinux.
tmp=$(mktemp -d "$outdir/.bzimage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

python3 - "$bz" "$outdir" "$tmp" <<'PY'
import os, shutil, struct, subprocess, sys

bz, outdir, tmp = sys.argv[1:4]

def fail(msg):
    print("bzimage: error=" + msg, file=sys.stderr)
    sys.exit(1)

# ---- the setup header
with open(bz, "rb") as f:
    d = f.read()
if len(d) < 0x250 or d[0x202:0x206] != b"HdrS" or struct.unpack_from("<H", d, 0x1fe)[0] != 0xAA55:
    fail('NOT_BZIMAGE detail="no HdrS at 0x202 or no boot flag 0xaa55 at 0x1fe"')
version = struct.unpack_from("<H", d, 0x206)[0]
# xloadflags (the only place a bzImage says it has a 64-bit entry) exists from protocol 2.12 on.
if version < 0x20C:
    fail('NOT_64BIT version=0x%x detail="boot protocol below 2.12 has no xloadflags"' % version)
xlf = struct.unpack_from("<H", d, 0x236)[0]
if not xlf & 1:
    fail('NOT_64BIT version=0x%x xloadflags=0x%x detail="XLF_KERNEL_64 clear"' % (version, xlf))
setup_sects = d[0x1F1] or 4  # 0 means 4, for very old boot loaders' sake
payload_offset, payload_length = struct.unpack_from("<II", d, 0x248)
start = (setup_sects + 1) * 512 + payload_offset
end = start + payload_length
if len(d) < 1024 or end > len(d) or payload_length < 8:
    fail("TRUNCATED size=%d payload_end=%d" % (len(d), end))
p = d[start:end]

# ---- the payload
formats = [  # name, magic, decompressor
    ("gzip", b"\x1f\x8b", ["gzip", "-dc"]),
    ("bzip2", b"BZh", ["bzip2", "-dc"]),
    ("lzma", b"\x5d\x00\x00", ["xz", "--format=lzma", "-dc"]),
    ("xz", b"\xfd\x37\x7a\x58\x5a\x00", ["xz", "-dc"]),
    ("lz4", b"\x02\x21\x4c\x18", ["lz4", "-dc"]),  # the legacy frame the kernel's `lz4 -l` writes
    ("zstd", b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
]
fmt, tool = next(((n, t) for n, m, t in formats if p.startswith(m)), (None, None))
if fmt is None:
    fail("UNKNOWN_COMPRESSION magic=%s" % p[:6].hex())
# The last 4 bytes are the uncompressed size, little endian: gzip's own ISIZE trailer, for the
# others what the kernel's build appended (size_append), which lz4 and zstd refuse as trailing
# garbage, so it is taken off.
expected = struct.unpack_from("<I", p, len(p) - 4)[0]
stream = p if fmt == "gzip" else p[:-4]
del d
if shutil.which(tool[0]) is None:
    fail('DECOMPRESS_FAILED format=%s detail="%s not installed (scripts/deps.sh)"' % (fmt, tool[0]))
elf = os.path.join(tmp, "elf")
with open(elf, "wb") as out:
    r = subprocess.run(tool, input=stream, stdout=out, stderr=subprocess.PIPE)
if r.returncode != 0:
    why = r.stderr.decode(errors="replace").replace("\n", " ").replace('"', "'").strip()[:200]
    fail('DECOMPRESS_FAILED format=%s detail="%s"' % (fmt, why))
got = os.path.getsize(elf)
if got != expected:
    fail("SIZE_MISMATCH format=%s expected=%d got=%d" % (fmt, expected, got))

# ---- the ELF, cut at its extent
def not_elf(msg):
    fail("NOT_X86_64_ELF " + msg)

with open(elf, "rb") as f:
    h = f.read(64)
    if len(h) < 64 or h[:4] != b"\x7fELF":
        not_elf('detail="no ELF magic"')
    if h[4] != 2 or h[5] != 1:
        not_elf('class=%d data=%d detail="not ELF64 little endian"' % (h[4], h[5]))
    e_type, e_machine = struct.unpack_from("<HH", h, 16)
    if e_machine != 62 or e_type != 2:
        not_elf('type=%d machine=%d detail="want ET_EXEC (2) for x86-64 (62)"' % (e_type, e_machine))
    e_phoff, e_shoff = struct.unpack_from("<QQ", h, 32)
    e_phentsize, e_phnum, e_shentsize, e_shnum = struct.unpack_from("<HHHH", h, 54)
    extent = max(64, e_phoff + e_phnum * e_phentsize if e_phnum else 0,
                 e_shoff + e_shnum * e_shentsize if e_shnum else 0)
    if extent > got:
        not_elf('detail="header tables past the end of the data"')
    f.seek(e_phoff)
    ph = f.read(e_phnum * e_phentsize)
    for i in range(e_phnum):
        p_offset, = struct.unpack_from("<Q", ph, i * e_phentsize + 8)
        p_filesz, = struct.unpack_from("<Q", ph, i * e_phentsize + 32)
        extent = max(extent, p_offset + p_filesz)
    # Section contents too (SHT_NOBITS has none): a section outside every segment is still part
    # of the ELF, and cutting it off would leave a section header pointing past the end.
    f.seek(e_shoff)
    sh = f.read(e_shnum * e_shentsize)
    for i in range(e_shnum):
        sh_type, = struct.unpack_from("<I", sh, i * e_shentsize + 4)
        sh_offset, sh_size = struct.unpack_from("<QQ", sh, i * e_shentsize + 24)
        if sh_type != 8:
            extent = max(extent, sh_offset + sh_size)
if extent > got:
    not_elf('extent=%d size=%d detail="segments past the end of the data"' % (extent, got))
os.truncate(elf, extent)

with open(bz, "rb") as f, open(os.path.join(tmp, "linux-setup.bin"), "wb") as s:
    s.write(f.read(1024))
os.replace(elf, os.path.join(outdir, "vmlinux"))
os.replace(os.path.join(tmp, "linux-setup.bin"), os.path.join(outdir, "linux-setup.bin"))
print("bzimage: format=%s compressed=%d vmlinux=%d relocs=%d version=0x%x"
      % (fmt, payload_length, extent, got - extent, version))
PY

#!/usr/bin/env bash
# Builds earlypatch's own small initramfs: busybox-static and tests/linux/initramfs/init, whose
# report `make run-linux` reads (docs/linux.md).
#
#   images/initramfs.sh OUT.cpio.gz
#
# Contents: /init, /bin/busybox ($BUSYBOX, default the busybox-static package's /bin/busybox) with
# the applet links /init uses, empty /proc /sys /dev, and /dev/console.
# Reproducible: the cpio (newc, as the kernel reads it) is written here rather than by cpio(1),
# with sorted entries, fixed inode numbers, owner root, mtime $SOURCE_DATE_EPOCH (default
# 1700000000, as images/mkesp.sh), then `gzip -n`; the same inputs give the same bytes.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
init=$root/tests/linux/initramfs/init
busybox=${BUSYBOX:-/bin/busybox}
# Every command /init runs that is not a shell builtin, and the shell itself.
applets="sh cat mount poweroff sed sleep uname"

[ -x "$busybox" ] || { echo "initramfs: $busybox not found (the busybox-static package; scripts/deps.sh installs it)" >&2; exit 1; }
# The list is read whole: busybox writes it a name per write(), so `--list | grep -q` (which
# stops at its match) could kill it with SIGPIPE mid-list, and pipefail call that a missing applet.
have=$("$busybox" --list)
for a in $applets; do
	grep -qx "$a" <<<"$have" || { echo "initramfs: $busybox has no applet $a" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT

python3 - "$tmp" "$busybox" "$init" "${SOURCE_DATE_EPOCH:-1700000000}" $applets <<'PY'
import struct, sys

out, busybox, init, mtime = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
applets = sys.argv[5:]

bb = open(busybox, "rb").read()
# A dynamic busybox (the busybox package, not busybox-static) would find no libc in here.
if bb[:4] != b"\x7fELF" or bb[4] != 2:
    sys.exit("initramfs: %s is not a 64-bit ELF" % busybox)
phoff, = struct.unpack_from("<Q", bb, 32)
phentsize, phnum = struct.unpack_from("<HH", bb, 54)
if any(struct.unpack_from("<I", bb, phoff + i * phentsize)[0] == 3 for i in range(phnum)):
    sys.exit("initramfs: %s is dynamically linked; install busybox-static" % busybox)

S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR = 0o040000, 0o100000, 0o120000, 0o020000
entries = {  # name: (mode, data, (rdev major, minor))
    "bin": (S_IFDIR | 0o755, b"", (0, 0)),
    "bin/busybox": (S_IFREG | 0o755, bb, (0, 0)),
    "dev": (S_IFDIR | 0o755, b"", (0, 0)),
    # The kernel opens /dev/console for init's stdio before /init runs, ahead of devtmpfs.
    "dev/console": (S_IFCHR | 0o600, b"", (5, 1)),
    "init": (S_IFREG | 0o755, open(init, "rb").read(), (0, 0)),
    "proc": (S_IFDIR | 0o755, b"", (0, 0)),
    "sys": (S_IFDIR | 0o755, b"", (0, 0)),
}
for a in applets:
    entries["bin/" + a] = (S_IFLNK | 0o777, b"busybox", (0, 0))

def pad4(n):
    return b"\0" * (-n % 4)

def member(ino, name, mode, data, rdev, when):
    nb = name.encode() + b"\0"
    nlink = 2 if mode & 0o170000 == S_IFDIR else 1
    fields = (ino, mode, 0, 0, nlink, when, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0)
    hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
    return hdr + nb + pad4(len(hdr) + len(nb)) + data + pad4(len(data))

# Sorted: a directory's name sorts before its entries', and the order never depends on a listing.
blob = b"".join(member(i + 1, n, *entries[n], mtime) for i, n in enumerate(sorted(entries)))
blob += member(0, "TRAILER!!!", 0, b"", (0, 0), 0)
open(out, "wb").write(blob)
PY
gzip -n -9 -c "$tmp" >"$tmp.gz"
mv "$tmp.gz" "$out"
echo "initramfs: $out ($(stat -c %s "$out") bytes: /init, busybox $("$busybox" 2>&1 | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p'), $applets)"

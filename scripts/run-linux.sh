#!/usr/bin/env bash
# `make run-linux [LINUX=6.1|6.12]`: boot Debian's cloud kernel through earlypatch to the report of
# earlypatch's own initramfs (docs/linux.md).
#   LINUX=6.12 (default) or 6.1   CMDLINE="..." (after console=ttyS0)   TIMEOUT=<s> (default 300)
#   CPU, QEMU_ARGS, MEM, ACCEL    as for `make run` (scripts/run.sh)
# The kernel image package (about 27 MB, no -dbg) is fetched once into a cache outside the repo,
# ${EP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/earlypatch}/linux/SERIES; a vmlinuz that
# `make check-linux` already fetched into tests/linux/cache is copied from there instead
# (tests/linux/kernel.sh). panic=-1: a kernel that panics reboots, which ends QEMU (-no-reboot)
# at once instead of at the timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
series=${LINUX:-6.12}
case $series in
6.1 | 6.12) ;;
*) echo "run-linux: LINUX must be 6.1 or 6.12, not $series" >&2; exit 2 ;;
esac
kdir=$(tests/linux/kernel.sh "$series")

initrd=$build/linux/initramfs.cpio.gz
images/initramfs.sh "$initrd"

echo "run-linux: booting Debian $series ($(cat "$kdir/version")-cloud-amd64) through earlypatch"
PAYLOAD=$kdir/vmlinuz INITRD=$initrd CMDLINE="console=ttyS0 panic=-1${CMDLINE:+ $CMDLINE}" TIMEOUT=${TIMEOUT:-300} \
	BUILD=$build exec scripts/run.sh

#!/usr/bin/env bash
# Makes sure Debian's cloud kernel SERIES is in the cache outside the repo and prints its directory
# (holding vmlinuz and version): `make run-linux` and the `make test` Linux boot use it.
#
#   tests/linux/kernel.sh SERIES        SERIES: 6.1 or 6.12
#
# Cache: ${EP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/earlypatch}/linux/SERIES. The image package
# (about 27 MB, no -dbg) is fetched once (tests/linux/fetch.sh --image-only); a vmlinuz that
# `make check-linux` already fetched into tests/linux/cache is copied from there instead.
# Messages go to stderr, the directory to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
series=${1:-}
case $series in
6.1 | 6.12) ;;
*) echo "kernel: SERIES must be 6.1 or 6.12, not '$series'" >&2; exit 2 ;;
esac
cache=${EP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/earlypatch}/linux
kdir=$cache/$series
repo_kdir=tests/linux/cache/$series
if ! { [ -s "$kdir/vmlinuz" ] && [ -s "$kdir/version" ]; } && [ -s "$repo_kdir/vmlinuz" ] && [ -s "$repo_kdir/version" ]; then
	mkdir -p "$kdir"
	cp "$repo_kdir/vmlinuz" "$kdir/vmlinuz.tmp"
	cp "$repo_kdir/version" "$kdir/version"
	mv "$kdir/vmlinuz.tmp" "$kdir/vmlinuz"
	echo "kernel: $series copied from $repo_kdir ($(cat "$kdir/version"))" >&2
fi
sh tests/linux/fetch.sh --image-only "$cache" "$series" >&2
echo "$kdir"

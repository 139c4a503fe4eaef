#!/bin/sh
# Fetches one Debian cloud kernel into the cache: vmlinuz (from the -unsigned
# image package) and the vmlinux with symbols (one member of the -dbg package).
#
#   fetch.sh CACHE SERIES                SERIES: 6.1 (bookworm) or 6.12 (trixie)
#   fetch.sh --image-only CACHE SERIES   only the image package (about 27 MB, no -dbg):
#                                        CACHE/SERIES/{vmlinuz,version}, what `make run-linux` boots
#
# apt runs with a private configuration under CACHE/apt (scripts/apt-private.sh),
# so the machine's apt setup is neither used nor changed and a clean Debian 12
# machine gets the same packages. Set
# LINUX_ABI_6_1 / LINUX_ABI_6_12 (e.g. 6.1.0-47) to pin a version; otherwise
# the suite's linux-image-cloud-amd64 metapackage names it.
# Output: CACHE/SERIES/{vmlinuz,vmlinux,version}.
set -eu
image_only=0
if [ "${1:-}" = --image-only ]; then
	image_only=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: fetch.sh [--image-only] CACHE SERIES" >&2; exit 2; }
cache=$(mkdir -p "$1" && cd "$1" && pwd)
series=$2
case $series in
6.1) suite=bookworm; pin=${LINUX_ABI_6_1:-} ;;
6.12) suite=trixie; pin=${LINUX_ABI_6_12:-} ;;
*) echo "fetch.sh: unknown series $series" >&2; exit 2 ;;
esac
out=$cache/$series
if [ $image_only = 1 ] && [ -s "$out/vmlinuz" ] && [ -s "$out/version" ]; then
	echo "fetch: $series image cached ($(cat "$out/version"))"
	exit 0
fi
if [ -s "$out/vmlinux" ] && [ -s "$out/vmlinuz" ]; then
	echo "fetch: $series cached ($(cat "$out/version"))"
	exit 0
fi

# A private apt configuration under the cache (scripts/apt-private.sh).
APT_CONFIG=$(sh "$(dirname "$0")/../../scripts/apt-private.sh" "$suite" "$cache/apt/$suite")
export APT_CONFIG
mkdir -p "$out"

if [ -z "$pin" ]; then
	# The metapackage depends on linux-image-<abi>-cloud-amd64 (signed).
	pin=$(apt-cache depends linux-image-cloud-amd64 |
		sed -n 's/.*Depends: linux-image-\(.*\)-cloud-amd64$/\1/p' | head -n1)
fi
[ -n "$pin" ] || { echo "fetch: no cloud kernel found in $suite" >&2; exit 1; }
img=linux-image-$pin-cloud-amd64-unsigned
dbg=linux-image-$pin-cloud-amd64-dbg
echo "fetch: $series = $pin ($suite)"

work=$out/dl
mkdir -p "$work"
if [ $image_only = 1 ]; then
	(cd "$work" && apt-get -qq download "$img")
	dpkg-deb --fsys-tarfile "$(ls "$work"/"$img"_*.deb)" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
	mv "$work"/boot/vmlinuz-* "$out/vmlinuz"
	echo "$pin" >"$out/version"
	rm -rf "$work"
	echo "fetch: $series image ready: $(ls -l "$out/vmlinuz" | awk '{print $5}') byte vmlinuz"
	exit 0
fi
(cd "$work" && apt-get -qq download "$img" "$dbg")
deb_img=$(ls "$work"/"$img"_*.deb)
deb_dbg=$(ls "$work"/"$dbg"_*.deb)

# Only the members needed: /boot/vmlinuz-* and usr/lib/debug/boot/vmlinux-*.
dpkg-deb --fsys-tarfile "$deb_img" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
dpkg-deb --fsys-tarfile "$deb_dbg" | tar -x -C "$work" --wildcards './usr/lib/debug/boot/vmlinux-*'
mv "$work"/boot/vmlinuz-* "$out/vmlinuz"
mv "$work"/usr/lib/debug/boot/vmlinux-* "$out/vmlinux"
echo "$pin" >"$out/version"
rm -rf "$work"
echo "fetch: $series ready: $(ls -l "$out/vmlinux" | awk '{print $5}') byte vmlinux"

#!/bin/sh
# Fetches one file out of a Debian package into a cache outside the repository,
# once, through a private apt configuration (scripts/apt-private.sh), and prints
# its path. What `make bench` compares earlypatch.efi with comes this way.
#
#   scripts/debfetch.sh SUITE PACKAGE PATH_IN_PACKAGE
#   e.g. scripts/debfetch.sh bookworm systemd-boot-efi usr/lib/systemd/boot/efi/systemd-bootx64.efi
#
# Cache: ${EP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/earlypatch}/deb/SUITE/PACKAGE/; also
# records the package's version in VERSION there. Messages go to stderr.
set -eu
[ $# -eq 3 ] || { echo "usage: debfetch.sh SUITE PACKAGE PATH_IN_PACKAGE" >&2; exit 2; }
suite=$1 pkg=$2 member=$3
cache=${EP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/earlypatch}
out=$cache/deb/$suite/$pkg
if [ -s "$out/$(basename "$member")" ] && [ -s "$out/VERSION" ]; then
	echo "$out/$(basename "$member")"
	exit 0
fi
APT_CONFIG=$(sh "$(dirname "$0")/apt-private.sh" "$suite" "$cache/apt/$suite")
export APT_CONFIG
work=$out/dl
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && apt-get -qq download "$pkg") >&2
deb=$(ls "$work"/"$pkg"_*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "./$member"
mv "$work/$member" "$out/$(basename "$member")"
dpkg-deb -f "$deb" Version >"$out/VERSION"
rm -rf "$work"
echo "debfetch: $pkg $(cat "$out/VERSION") ($suite)" >&2
echo "$out/$(basename "$member")"

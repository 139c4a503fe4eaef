#!/usr/bin/env bash
# Prints the path of Debian OVMF's snakeoil signing key, decrypted once into $BUILD/keys (its
# passphrase, "snakeoil", is in /usr/share/doc/ovmf/README.Debian; sbsign cannot be given one).
# The key is in the PK, KEK and db of OVMF_VARS_4M.snakeoil.fd: FOR TESTS ONLY, anyone has it.
set -euo pipefail
build=${BUILD:-build}
src=/usr/share/ovmf/PkKek-1-snakeoil.key
out=$build/keys/snakeoil.key
[ -f "$src" ] || { echo "snakeoil-key: $src not found (Debian package ovmf)" >&2; exit 1; }
if [ ! -s "$out" ]; then
	mkdir -p "$(dirname "$out")"
	(umask 077 && openssl pkey -in "$src" -passin pass:snakeoil -out "$out.tmp") && mv "$out.tmp" "$out"
fi
echo "$out"

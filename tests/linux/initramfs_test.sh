#!/usr/bin/env bash
# images/initramfs.sh's applet check against a busybox that writes its --list a name at a time,
# slowly, past the applets /init needs (as busybox-static does, a write() a name): the check
# must read the whole list, not stop a pipe at its match (SIGPIPE under pipefail read as "no
# applet"). The stand-in is a script, so the build stops at the ELF check: that is the pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/busybox" <<'SH'
#!/bin/sh
[ "$1" = --list ] || exit 1
for a in cat mount poweroff sed sh sleep uname; do echo "$a"; done
for a in tail tee test touch tr true; do sleep 0.05; echo "$a"; done
SH
chmod +x "$work/busybox"
pass=0 fail=0
check() { # name, want-in-stderr, unwanted-in-stderr
	if grep -qF -- "$2" "$work/err" && ! grep -qF -- "$3" "$work/err"; then
		pass=$((pass + 1)); echo "initramfs-test: ok   $1"
	else
		fail=$((fail + 1)); echo "initramfs-test: FAIL $1: $(cat "$work/err")"
	fi
}
BUSYBOX=$work/busybox images/initramfs.sh "$work/out.cpio.gz" 2>"$work/err" || true
check "a slow --list has every applet" "is not a 64-bit ELF" "has no applet"
printf '#!/bin/sh\necho sh\n' >"$work/busybox"
BUSYBOX=$work/busybox images/initramfs.sh "$work/out.cpio.gz" 2>"$work/err" || true
check "a missing applet is named" "has no applet cat" "is not a 64-bit ELF"
echo "initramfs-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# LAVA's QEMU command for earlypatch's jobs (the `command` of images/lava/qemu.jinja2 and of the
# device dictionary `make lava-run` writes): runs QEMU with the job's arguments as
# scripts/qemu-boot.sh does (timeout(1) kills a guest at the case's timeout), then prints QEMU's
# exit status, which a console cannot show, and a last line the job's monitor ends at:
#
#   earlypatch-lava: qemu-exit=33        (or qemu-exit=timeout)
#   earlypatch-lava: end
#
#   qemu-run.sh [--earlypatch-timeout=S] QEMU_ARGS...      QEMU is $QEMU (default qemu-system-x86_64)
#
# --foreground: QEMU reads the console (LAVA's pty) and must stay in its foreground process group.
qemu=${QEMU:-qemu-system-x86_64}
limit=""
case "${1:-}" in
--earlypatch-timeout=*) limit=${1#*=}; shift ;;
esac
if [ -n "$limit" ]; then
	timeout --foreground "$limit" "$qemu" "$@"
	rc=$?
	[ $rc = 124 ] && rc=timeout
else
	"$qemu" "$@"
	rc=$?
fi
printf '\r\nearlypatch-lava: qemu-exit=%s\r\nearlypatch-lava: end\r\n' "$rc"

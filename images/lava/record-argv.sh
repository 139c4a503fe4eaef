#!/bin/sh
# A stand-in for QEMU: records its arguments (NUL-separated) in $EARLYPATCH_LAVA_ARGV and exits 0.
# images/lava/lava.py runs scripts/qemu-boot.sh with QEMU=this script to learn the exact command
# line the local runner would boot a case with.
printf '%s\0' "$@" >"$EARLYPATCH_LAVA_ARGV"

#!/usr/bin/env python3
"""
What /proc/cpuinfo showed for a booted kernel: its first processor block
from the kernel's own words (CAPS, boot_dump.sh's comma-separated
x86_capability) named by the kernel's own tables (x86_cap_flags and
x86_bug_flags, read out of the vmlinux with gdb once and cached as
KDIR/capflags.txt), with vendor/family/model/stepping from the CPUID dump.
`make check-linux` feeds it to `eptool apply --cpuinfo` as a user would feed
their machine's /proc/cpuinfo.

    cpuinfo_from_caps.py KDIR CAPS DUMP > cpuinfo.txt
"""
import os
import re
import subprocess
import sys


def kernel_names(kdir):
    cache = os.path.join(kdir, "capflags.txt")
    if not os.path.exists(cache):
        out = subprocess.run(["gdb", "-batch", "-nx", "-ex", "set print elements 0", "-ex", "set print repeats 0",
                              "-ex", "p x86_cap_flags", "-ex", "p x86_bug_flags", os.path.join(kdir, "vmlinux")],
                             capture_output=True, text=True, check=True).stdout
        tables = []
        for line in out.splitlines():
            if not line.startswith("$"):
                continue
            items = re.findall(r'0x[0-9a-f]+(?: "([^"]*)"| <[^>]*>)', line)
            tables.append(items)
        if len(tables) != 2:
            sys.exit("cpuinfo_from_caps: gdb did not print both name tables")
        with open(cache + ".tmp", "w") as f:
            for kind, items in zip(("flag", "bug"), tables):
                for i, name in enumerate(items):
                    f.write("%s %d %s\n" % (kind, i, name or "-"))
        os.rename(cache + ".tmp", cache)
    flags, bugs = {}, {}
    for line in open(cache):
        kind, i, name = line.split()
        if name != "-":
            (flags if kind == "flag" else bugs)[int(i)] = name
    return flags, bugs


def cpu_from_dump(path):
    regs = {}
    for line in open(path):
        m = re.match(r"I cpuid leaf=0x([0-9a-f]+) sub=0x0 eax=0x([0-9a-f]+) ebx=0x([0-9a-f]+) ecx=0x([0-9a-f]+) "
                     r"edx=0x([0-9a-f]+)", line)
        if m:
            regs[int(m.group(1), 16)] = [int(m.group(i), 16) for i in range(2, 6)]
    eax, ebx, ecx, edx = regs[0]
    vendor = b"".join(r.to_bytes(4, "little") for r in (ebx, edx, ecx)).decode()
    sig = regs[1][0]
    family = (sig >> 8) & 0xF
    if family == 0xF:
        family += (sig >> 20) & 0xFF
    model = (sig >> 4) & 0xF
    if family >= 6:
        model += ((sig >> 16) & 0xF) << 4
    return vendor, family, model, sig & 0xF


def main():
    kdir, caps, dump = sys.argv[1:4]
    flags, bugs = kernel_names(kdir)
    words = [int(w, 16) for w in open(caps).read().strip().split(",")]
    ncap = (max(flags) // 32) + 1
    bits = lambda lo, hi: [i - lo for i in range(lo, hi) if words[i // 32] >> (i % 32) & 1]
    vendor, family, model, stepping = cpu_from_dump(dump)
    print("processor\t: 0\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\nstepping\t: %d" %
          (vendor, family, model, stepping))
    print("flags\t\t: " + " ".join(flags[i] for i in bits(0, ncap * 32) if i in flags))
    print("bugs\t\t: " + " ".join(bugs[i] for i in bits(ncap * 32, len(words) * 32) if i in bugs))
    print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The kernel's own CPU flags against earlypatch's facts, for every CPUID-backed feature.

    flags_check.py EARLYPATCH_LOG CONSOLE [--series 6.1|6.12]

EARLYPATCH_LOG holds earlypatch's `I cpu features="..."` line, CONSOLE the initramfs report's
`EPREPORT flags=...` line (/proc/cpuinfo). Only features of the words filled from one CPUID register
(docs/features.md) are compared; the kernel's synthetic and policy bits are not earlypatch's to
derive here (issue "Linux-exact facts"). Every difference must be one of EXPLAINED, with its
reason (also in docs/linux.md); any other fails. Prints one line per difference and a summary.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "..", "include", "earlypatch", "cpufeatures.h")
CPUID_WORDS = {0, 1, 4, 5, 6, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20}

# name -> (side that has it, reason)
EXPLAINED = {
    "osxsave": ("kernel", "CPUID.1:ECX[27] mirrors CR4.OSXSAVE, which the kernel sets after earlypatch's dump"),
    "ospke": ("kernel", "CPUID.7:ECX[4] mirrors CR4.PKE, which the kernel sets after earlypatch's dump"),
    "lfence_rdtsc": ("ours", "6.1 numbers it as the synthetic 3:18; 6.12 reads it from CPUID as 20:2 (both show it)"),
}


def feature_table():
    """cpuinfo name -> word for the named, shown features of include/earlypatch/cpufeatures.h."""
    names = {}
    with open(HEADER) as f:
        for m in re.finditer(r'X\(\s*(\w+),\s*(\d+),\s*(\d+),\s*"([^"]*)",\s*(\d)\)', f.read()):
            if m.group(4) and m.group(5) == "0":
                names[m.group(4)] = int(m.group(2))
    return names


def line_value(text, regex):
    m = re.search(regex, text, re.M)
    return m.group(1).split() if m else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("console")
    p.add_argument("--series", default="6.12")
    a = p.parse_args()
    read = lambda path: open(path, "rb").read().decode("utf-8", "replace").replace("\r", "")
    ours = line_value(read(a.log), r'^I cpu features="([^"]*)"')
    kernel = line_value(read(a.console), r"^EPREPORT flags=(.*)$")
    if ours is None or kernel is None:
        print("flags-check: missing %s" % ("earlypatch's I cpu features line" if ours is None else "the EPREPORT flags line"))
        return 1
    table = feature_table()
    backed = {n for n, w in table.items() if w in CPUID_WORDS}
    ours_b, kernel_b = set(ours) & backed, set(kernel) & backed
    bad = 0
    for side, names in (("ours", ours_b - kernel_b), ("kernel", kernel_b - ours_b)):
        for n in sorted(names):
            why = EXPLAINED.get(n)
            ok = why is not None and why[0] == side
            bad += not ok
            print("flags-check: %s only-%s %s%s" % ("explained" if ok else "DIFFERS", side, n,
                                                  (": " + why[1]) if ok else ""))
    print("flags-check: %d CPUID-backed flags compared, %d equal, %d differ unexplained"
          % (len(ours_b | kernel_b), len(ours_b & kernel_b), bad))
    return 1 if bad else 0


sys.exit(main())

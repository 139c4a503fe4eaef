#!/usr/bin/env python3
"""
Writes core/linux/lvulns_<series>.c: one Linux version's CPU vulnerability
white- and blacklist (the vendor/family/model/stepping rows its
cpu_set_bug_bits() consults), as data for core/linux/lcaps.c.

    tools/linux-vulns.py --out-dir core/linux 601=KSRC_6_1 612=KSRC_6_12

KSRC is a kernel source tree (Debian's linux-source-<series> unpacked). Only
facts are taken from it: which CPU models carry which flags, in table order
(the kernel takes the first matching row). A flag name the C side does not
know (core/linux/lcaps.h, EP_LV_*) stops the generator: a new kind of
vulnerability needs its rule in lcaps.c first.
"""
import argparse
import os
import re
import sys

VENDORS = {"INTEL": "EP_LV_INTEL", "AMD": "EP_LV_AMD", "HYGON": "EP_LV_HYGON", "CENTAUR": "EP_LV_CENTAUR",
           "ZHAOXIN": "EP_LV_ZHAOXIN", "ANY": "EP_LV_ANY_VENDOR", "NSC": "EP_LV_OTHER_VENDOR",
           "VORTEX": "EP_LV_OTHER_VENDOR"}
# Flag names the C side implements (core/linux/lcaps.h).
WHITE = ["NO_SPECULATION", "NO_MELTDOWN", "NO_SSB", "NO_L1TF", "NO_MDS", "MSBDS_ONLY", "NO_SWAPGS",
         "NO_ITLB_MULTIHIT", "NO_SPECTRE_V2", "NO_MMIO", "NO_EIBRS_PBRSB", "NO_BHI"]
BLACK = ["SRBDS", "MMIO", "MMIO_SBDS", "RETBLEED", "SMT_RSB", "SRSO", "GDS", "RFDS", "ITS",
         "ITS_NATIVE_ONLY", "TSA", "VMSCAPE"]


def die(msg):
    sys.exit("linux-vulns: " + msg)


def intel_models(ksrc):
    """INTEL_<NAME> (6.12: IFM(fam, model)) or INTEL_FAM6_<NAME> (6.1: model) -> (family, model)."""
    text = open(os.path.join(ksrc, "arch/x86/include/asm/intel-family.h")).read()
    models = {}
    for m in re.finditer(r"#define\s+(INTEL_\w+)\s+IFM\(\s*(\d+)\s*,\s*(0x[0-9a-fA-F]+|\d+)\s*\)", text):
        models[m.group(1)] = (int(m.group(2)), int(m.group(3), 0))
    for m in re.finditer(r"#define\s+INTEL_FAM6_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", text):
        models["INTEL_FAM6_" + m.group(1)] = (6, int(m.group(2), 0))
    return models


def table_body(text, name):
    m = re.search(name + r"\[\][^{]*\{(.*?)\n\};", text, re.S)
    if not m:
        die("table %s not found" % name)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return body


def flag_bits(text, names):
    bits = {}
    for n in names:
        m = re.search(r"#define\s+%s\s+BIT\((\d+)\)" % n, text)
        if m:
            bits[n] = int(m.group(1))
    return bits


def parse_flags(expr, known, what):
    out = []
    for f in re.split(r"\s*\|\s*", expr.strip()):
        if f not in known:
            die("%s flag %s is not implemented in core/linux/lcaps.c" % (what, f))
        out.append("EP_LV_" + f)
    return " | ".join(out)


def steppings(expr):
    expr = expr.strip()
    if expr == "X86_STEPPING_ANY":
        return "EP_LV_STEP_ANY"
    m = re.fullmatch(r"X86_STEPPINGS\(\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*(0x[0-9a-fA-F]+|\d+)\s*\)", expr)
    if not m:
        die("steppings %r" % expr)
    lo, hi = int(m.group(1), 0), int(m.group(2), 0)
    return "0x%04x" % (((1 << (hi + 1)) - 1) & ~((1 << lo) - 1))


def family(expr):
    expr = expr.strip()
    return "EP_LV_ANY" if expr == "X86_FAMILY_ANY" else "0x%02x" % int(expr, 0)


def split_args(text):
    """Top-level comma split (the arguments may hold X86_STEPPINGS(a, b))."""
    args, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    args.append(cur.strip())
    return args


def calls(body):
    """(macro, [args]) for each VULNWL*/VULNBL* row, in order."""
    for m in re.finditer(r"\b(VULN[WB]L\w*)\(", body):
        depth, i = 1, m.end()
        while depth:
            depth += body[i] == "("
            depth -= body[i] == ")"
            i += 1
        yield m.group(1), split_args(body[m.end():i - 1])


def rows(body, models, known, what, series):
    out = []
    for macro, args in calls(body):
        if macro in ("VULNWL", "VULNBL"):
            vendor, fam, model, flags = args
            mod = "EP_LV_ANY" if model == "X86_MODEL_ANY" else "0x%02x" % int(model, 0)
            row = (VENDORS[vendor], family(fam), mod, "EP_LV_STEP_ANY", flags)
        elif macro in ("VULNWL_AMD", "VULNBL_AMD", "VULNWL_HYGON", "VULNBL_HYGON"):
            fam, flags = args
            row = ("EP_LV_AMD" if "AMD" in macro else "EP_LV_HYGON", family(fam), "EP_LV_ANY", "EP_LV_STEP_ANY",
                   flags)
        elif macro in ("VULNWL_INTEL", "VULNBL_INTEL_STEPPINGS"):
            name = args[0]
            key = name if name.startswith("INTEL_") else "INTEL_FAM6_" + name
            if key not in models:
                die("%s: unknown Intel model %s" % (series, name))
            fam, mod = models[key]
            step = steppings(args[1]) if macro == "VULNBL_INTEL_STEPPINGS" else "EP_LV_STEP_ANY"
            row = ("EP_LV_INTEL", "0x%02x" % fam, "0x%02x" % mod, step, args[-1])
            out.append(row[:4] + (parse_flags(row[4], known, what), name))
            continue
        else:
            die("unknown row macro %s" % macro)
        out.append(row[:4] + (parse_flags(row[4], known, what), ""))
    if not out:
        die("%s: empty %s" % (series, what))
    return out


def emit(series, ksrc, out_dir):
    text = open(os.path.join(ksrc, "arch/x86/kernel/cpu/common.c")).read()
    models = intel_models(ksrc)
    wbits, bbits = flag_bits(text, WHITE), flag_bits(text, BLACK)
    white = rows(table_body(text, "cpu_vuln_whitelist"), models, set(wbits), "whitelist", series)
    black = rows(table_body(text, "cpu_vuln_blacklist"), models, set(bbits), "blacklist", series)
    lines = ["/*",
             " * Generated by tools/linux-vulns.py from Linux %s's cpu_vuln_whitelist and" % series_name(series),
             " * cpu_vuln_blacklist (arch/x86/kernel/cpu/common.c), in the kernel's order: the",
             " * first matching row wins. Do not edit; regenerate.",
             " */",
             '#include "linux/lcaps_private.h"',
             "",
             "static const struct ep_lv_row white_%s[] = {" % series]
    for r in white:
        lines.append("\t{%s, %s, %s, %s, %s},%s" % (r[0], r[1], r[2], r[3], r[4], " /* %s */" % r[5] if r[5] else ""))
    lines += ["};", "", "static const struct ep_lv_row black_%s[] = {" % series]
    for r in black:
        lines.append("\t{%s, %s, %s, %s, %s},%s" % (r[0], r[1], r[2], r[3], r[4], " /* %s */" % r[5] if r[5] else ""))
    lines += ["};", "",
              "const struct ep_lv_tables ep_lv_tables_%s = {" % series,
              "\t.white = white_%s," % series,
              "\t.nwhite = sizeof(white_%s) / sizeof(white_%s[0])," % (series, series),
              "\t.black = black_%s," % series,
              "\t.nblack = sizeof(black_%s) / sizeof(black_%s[0])," % (series, series),
              "};", ""]
    path = os.path.join(out_dir, "lvulns_%s.c" % series)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print("linux-vulns: %s: %d whitelist rows, %d blacklist rows -> %s" % (series, len(white), len(black), path))


def series_name(series):
    s = int(series)
    return "%d.%d" % (s // 100, s % 100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("trees", nargs="+", help="SERIES=KSRC, e.g. 612=/usr/src/linux-source-6.12")
    a = ap.parse_args()
    for t in a.trees:
        series, ksrc = t.split("=", 1)
        emit(series, ksrc, a.out_dir)


if __name__ == "__main__":
    main()

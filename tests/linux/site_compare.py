#!/usr/bin/env python3
"""make check-linux-boot's comparer (tests/linux/boot_compare.sh runs it).

  site_compare.py sites --vmlinux V --inspect F --out DIR
      The sites of one kernel: DIR/sites.tsv, one line per site,
        kind addr len symbol features original-bytes-hex
      kind `alt` from `eptool inspect` (every alternatives site, its entries' features: `!x`
      for an ALT_NOT entry, `x/direct_call` for a DIRECT_CALL one), kind `pv` from the
      vmlinux's .parainstructions (6.1: 16-byte entries {u64 instr; u8 type; u8 len; pad}), and
      DIR/regions, the "start end" of every section holding a site: what has to be read from
      the guest. Prints "sites: alt=N pv=M regions=K".

  site_compare.py compare --sites DIR --alone DIR --through DIR --debugcon F --label L
                          [--report F] [--show N]
      Compares every site between the kernel booted alone and booted through earlypatch. Each
      boot directory holds mem-<start hex>.bin, the memory read at <start> (one per region).
      Prints the differing sites (at most --show, all in --report), then one line
        check-linux-boot: L: alt A/N identical, pv B/M identical; prepatched hypercall=.. safe=..
            (not: reason=count ...); kernel=.. mode=.. stage2=.. groups=..
      (the counts are earlypatch's `I prepatch-summary` line in the debugcon log). The report
      also has the bytes the kernel changed (sites differing from the vmlinux file, a check that
      the memory read is the booted kernel's) and the bytes that differ outside every site.
      Exit status 0 all identical; 1 a site differs, no prepatch-summary, an empty pre-patched
      set, a site outside the memory read, or a read showing an unpatched kernel. The number of
      differing sites is the report's `ndiff N` line.
"""
import argparse
import bisect
import os
import re
import struct
import subprocess
import sys


# ---------------------------------------------------------------- ELF (only what is needed)
class Elf:
    def __init__(self, path):
        self.f = open(path, "rb")
        h = self.f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 1:
            raise SystemExit("site_compare: %s: not an ELF64 little-endian file" % path)
        shoff, = struct.unpack_from("<Q", h, 40)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", h, 58)
        self.f.seek(shoff)
        raw = self.f.read(shentsize * shnum)
        secs = [struct.unpack_from("<IIQQQQIIQQ", raw, i * shentsize) for i in range(shnum)]
        strtab = secs[shstrndx]
        self.f.seek(strtab[4])
        names = self.f.read(strtab[5])
        self.sections = []  # (name, type, flags, addr, offset, size)
        for s in secs:
            name = names[s[0]:names.index(b"\0", s[0])].decode()
            self.sections.append((name, s[1], s[2], s[3], s[4], s[5]))

    def section(self, name):
        for s in self.sections:
            if s[0] == name:
                return s
        return None

    def containing(self, addr):
        """The allocated section holding addr (SHT_NOBITS excluded)."""
        for s in self.sections:
            if s[3] and s[1] != 8 and s[3] <= addr < s[3] + s[5]:
                return s
        return None

    def read(self, addr, n):
        s = self.containing(addr)
        if s is None or addr + n > s[3] + s[5]:
            return None
        self.f.seek(s[4] + addr - s[3])
        return self.f.read(n)


def symbols(vmlinux):
    """Sorted (addresses, names) of the text symbols, from nm."""
    out = subprocess.run(["nm", "-n", vmlinux], capture_output=True, text=True, check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "tTwW":
            addrs.append(int(p[0], 16))
            names.append(p[2])
    return addrs, names


def symbolize(syms, addr):
    addrs, names = syms
    i = bisect.bisect_right(addrs, addr) - 1
    if i < 0:
        return "?"
    return "%s+0x%x" % (names[i], addr - addrs[i])


# ---------------------------------------------------------------- sites
def cmd_sites(a):
    elf = Elf(a.vmlinux)
    sites = []  # (kind, addr, len, sym, features)
    cur = None
    site_re = re.compile(r"^alt site=(0x[0-9a-f]+) sym=(\S+) len=(\d+) entries=(\d+)")
    entry_re = re.compile(r"^\s+entry index=\d+ feature=(\S+) flags=(\S+)")
    with open(a.inspect) as f:
        for line in f:
            m = site_re.match(line)
            if m:
                cur = ["alt", int(m.group(1), 16), int(m.group(3)), m.group(2), []]
                sites.append(cur)
                continue
            m = entry_re.match(line)
            if m and cur is not None:
                feat, flags = m.group(1), m.group(2)
                if "not" in flags.split(","):
                    feat = "!" + feat
                if "direct_call" in flags.split(","):
                    feat += "/direct_call"
                cur[4].append(feat)
            elif line and not line[0].isspace():
                cur = None
    if not sites:
        raise SystemExit("site_compare: no `alt site=` line in %s" % a.inspect)

    pv = elf.section(".parainstructions")
    if pv is not None:
        syms = symbols(a.vmlinux)
        elf.f.seek(pv[4])
        raw = elf.f.read(pv[5])
        if len(raw) % 16:
            raise SystemExit("site_compare: .parainstructions is %d bytes, not a multiple of 16" % len(raw))
        for i in range(0, len(raw), 16):
            instr, typ, ln = struct.unpack_from("<QBB", raw, i)
            sites.append(["pv", instr, ln, symbolize(syms, instr), ["type=%d" % typ]])

    regions = set()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "sites.tsv.tmp"), "w") as f:
        for kind, addr, ln, sym, feats in sites:
            s = elf.containing(addr)
            orig = elf.read(addr, ln)
            if s is None or orig is None:
                raise SystemExit("site_compare: %s site 0x%x (%s) len %d is not inside one section of the vmlinux"
                                 % (kind, addr, sym, ln))
            regions.add((s[3], s[3] + s[5], s[0]))
            f.write("%s\t0x%x\t%d\t%s\t%s\t%s\n" % (kind, addr, ln, sym, ",".join(feats) or "-", orig.hex()))
    os.replace(os.path.join(a.out, "sites.tsv.tmp"), os.path.join(a.out, "sites.tsv"))
    with open(os.path.join(a.out, "regions"), "w") as f:
        for start, end, name in sorted(regions):
            f.write("0x%x 0x%x %s\n" % (start, end, name))
    print("sites: alt=%d pv=%d regions=%d (%s)" % (
        sum(1 for s in sites if s[0] == "alt"), sum(1 for s in sites if s[0] == "pv"), len(regions),
        " ".join(r[2] for r in sorted(regions))))
    return 0


# ---------------------------------------------------------------- compare
class Memory:
    """What was read from one guest: mem-<start>.bin files."""

    def __init__(self, d):
        self.regions = []
        for name in os.listdir(d):
            m = re.match(r"^mem-(0x[0-9a-f]+)\.bin$", name)
            if m:
                with open(os.path.join(d, name), "rb") as f:
                    self.regions.append((int(m.group(1), 16), f.read()))
        self.regions.sort()

    def read(self, addr, n):
        for start, data in self.regions:
            if start <= addr and addr + n <= start + len(data):
                return data[addr - start:addr - start + n]
        return None


def spaced(b, n=20):
    s = " ".join("%02x" % x for x in b[:n])
    return s + (" ..." if len(b) > n else "")


def load_sites(d):
    sites = []
    with open(os.path.join(d, "sites.tsv")) as f:
        for line in f:
            kind, addr, ln, sym, feats, orig = line.rstrip("\n").split("\t")
            sites.append((kind, int(addr, 16), int(ln), sym, feats, bytes.fromhex(orig)))
    regions = []
    with open(os.path.join(d, "regions")) as f:
        for line in f:
            p = line.split()
            regions.append((int(p[0], 16), int(p[1], 16), p[2]))
    return sites, regions


def parse_debugcon(path):
    """The prepatch-summary pairs (in order) and, per site address, what earlypatch did with it."""
    summary = None
    why = {}
    context = []
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return None, why, context
    for line in data.splitlines():
        if line.startswith(("I hypercall ", "I alt-summary ", "I payload ", "I handoff ")):
            context.append("  earlypatch: " + line)
        if line.startswith("I prepatch-summary "):
            summary = re.findall(r'(\w+)=("[^"]*"|\S+)', line)
        elif line.startswith("D prepatch site="):
            m = re.match(r"D prepatch site=(0x[0-9a-f]+)(.*)", line)
            why[int(m.group(1), 16)] = "not pre-patched:" + m.group(2)
        elif line.startswith("I alt site="):
            m = re.match(r"I alt site=(0x[0-9a-f]+) .*?group=(\S+) action=(\S+)", line)
            if m:
                why.setdefault(int(m.group(1), 16), "pre-patched group=%s action=%s" % (m.group(2), m.group(3)))
    return summary, why, context


PREPATCHED = ("hypercall", "safe", "full")
ABOUT = ("kernel", "mode", "stage2", "groups")


def cmd_compare(a):
    sites, regions = load_sites(a.sites)
    alone, through = Memory(a.alone), Memory(a.through)
    summary, why, context = parse_debugcon(a.debugcon)
    report = []
    failures = []

    totals = {"alt": [0, 0], "pv": [0, 0]}  # identical, all
    diffs = []
    kernel_changed = {"alt": 0, "pv": 0}
    unread = 0
    for kind, addr, ln, sym, feats, orig in sites:
        x, y = alone.read(addr, ln), through.read(addr, ln)
        totals[kind][1] += 1
        if x is None or y is None:
            unread += 1
            diffs.append((kind, addr, ln, sym, feats, x, y))
            continue
        if x != orig:
            kernel_changed[kind] += 1
        if x == y:
            totals[kind][0] += 1
        else:
            diffs.append((kind, addr, ln, sym, feats, x, y))

    for kind, addr, ln, sym, feats, x, y in diffs:
        line = "  differ: %s 0x%x %s len=%d features=%s alone=[%s] through=[%s] earlypatch: %s" % (
            kind, addr, sym, ln, feats, spaced(x) if x is not None else "unread",
            spaced(y) if y is not None else "unread", why.get(addr, "no log line"))
        report.append(line)
    if unread:
        failures.append("%d sites outside the memory read" % unread)
    for kind in ("alt", "pv"):
        if totals[kind][1] and kernel_changed[kind] == 0:
            failures.append("no %s site differs from the vmlinux file in the kernel booted alone: "
                            "the memory read is not the patched kernel" % kind)

    # Bytes outside every site (information: run-time constants, static calls and keys differ
    # legitimately between two boots).
    covered = {}
    for kind, addr, ln, *_ in sites:
        for i in range(ln):
            covered[addr + i] = True
    outside = []
    for start, end, name in regions:
        x, y = alone.read(start, end - start), through.read(start, end - start)
        if x is None or y is None:
            failures.append("region %s 0x%x..0x%x not read from both boots" % (name, start, end))
            continue
        step = 4096
        for off in range(0, len(x), step):
            if x[off:off + step] != y[off:off + step]:
                for i in range(off, min(off + step, len(x))):
                    if x[i] != y[i] and (start + i) not in covered:
                        outside.append(start + i)

    # The prepatch summary.
    if summary is None:
        failures.append("no `I prepatch-summary` line in %s" % a.debugcon)
        pp_text = "prepatch-summary missing"
    else:
        pre = [(k, v) for k, v in summary if k in PREPATCHED]
        nots = [(k, v) for k, v in summary if k not in PREPATCHED and k not in ABOUT]
        about = [(k, v) for k, v in summary if k in ABOUT]
        npre = sum(int(v) for k, v in pre if v.isdigit())
        if npre == 0:
            failures.append("the pre-patched set is empty (%s)" % " ".join("%s=%s" % p for p in pre))
        pp_text = "prepatched %s (not: %s); %s" % (
            " ".join("%s=%s" % p for p in pre), " ".join("%s=%s" % p for p in nots),
            " ".join("%s=%s" % p for p in about))

    parts = ["alt %d/%d identical" % tuple(totals["alt"])]
    if totals["pv"][1]:
        parts.append("pv %d/%d identical" % tuple(totals["pv"]))
    line = "check-linux-boot: %s: %s; %s" % (a.label, ", ".join(parts), pp_text)

    ndiff = len(diffs)
    extra = ["  kernel-changed: alt=%d pv=%d (sites the kernel booted alone changed from the vmlinux file)"
             % (kernel_changed["alt"], kernel_changed["pv"])]
    extra += context
    extra.append("  outside-sites: %d bytes differ between the two boots outside every site" % len(outside))
    if outside and a.syms:
        syms = symbols(a.syms)
        groups = {}
        for addr in outside:
            s = symbolize(syms, addr).split("+")[0]
            groups[s] = groups.get(s, 0) + 1
        for s in sorted(groups, key=lambda k: -groups[k])[:40]:
            extra.append("    %s: %d bytes" % (s, groups[s]))

    for l in report[:a.show]:
        print(l)
    if len(report) > a.show:
        print("  ... %d more differing sites in %s" % (len(report) - a.show, a.report or "the report"))
    for f in failures:
        print("  FAILED: %s: %s" % (a.label, f))
    print(line)
    if a.report:
        with open(a.report, "w") as f:
            f.write(line + "\n")
            for l in report + extra:
                f.write(l + "\n")
            for l in failures:
                f.write("  FAILED: %s\n" % l)
            f.write("ndiff %d\n" % ndiff)
    return 1 if (ndiff or failures) else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sites")
    s.add_argument("--vmlinux", required=True)
    s.add_argument("--inspect", required=True)
    s.add_argument("--out", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--sites", required=True)
    c.add_argument("--alone", required=True)
    c.add_argument("--through", required=True)
    c.add_argument("--debugcon", required=True)
    c.add_argument("--label", required=True)
    c.add_argument("--report")
    c.add_argument("--syms", help="vmlinux with symbols, to name the bytes differing outside the sites")
    c.add_argument("--show", type=int, default=40)
    a = p.parse_args()
    return cmd_sites(a) if a.cmd == "sites" else cmd_compare(a)


if __name__ == "__main__":
    sys.exit(main())

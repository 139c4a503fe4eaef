#!/usr/bin/env python3
"""Generates core/linux's per-version tables of Linux's x86 feature and bug bits.

    tools/linux-features.py --out-dir core/linux [--version SERIES=DEBIAN_VERSION ...] \\
        SERIES=KSRC/arch/x86/include/asm/cpufeatures.h ...

SERIES is major * 100 + minor (601, 612). From each kernel header it takes
facts only: NCAPINTS, NBUGINTS, every X86_FEATURE_<ID> / X86_BUG_<ID> number
and the name /proc/cpuinfo shows for it. It writes

    lfeature_ids.h        enum ep_lf: the union of the IDs (bugs as BUG_<ID>), EP_LF_COUNT,
                          EP_LF_ABSENT; ordered by the newest version's numbers, then the
                          IDs only older versions have (by the next newest version's numbers)
    lfeature_ids.c        ep_lf_ids[] ("CONSTANT_TSC", "BUG_SPECTRE_V2") and
                          ep_lf_ids_lower[] ("constant_tsc", "spectre_v2": for display)
    lfeatures_<SERIES>.c  const struct ep_lf_table ep_lf_table_<SERIES>: numbers
                          (word * 32 + bit, bugs from NCAPINTS * 32, EP_LF_ABSENT when the
                          version lacks the ID) and /proc/cpuinfo names ("" when hidden or absent)

The /proc/cpuinfo name follows the tree's arch/x86/kernel/cpu/mkcapflags.sh, which
differs between versions:
    "lowercase-id" rule (6.1)  a comment starting with a quoted string gives the name,
                               "" hides the bit; otherwise the lowercased ID is shown;
    "quoted-only" rule (6.12)  only a comment starting with a quoted string gives a
                               name (lowercased); every other bit is hidden.
The rule is read from mkcapflags.sh when the tree has it (four levels above the
header), else guessed from the header (any /* "" comment means the older rule);
--rule SERIES=lowercase-id|quoted-only overrides both.

Defines inside #ifdef CONFIG_X86_32 are left out (64-bit kernels do not have them);
any other conditional in the header is an error, so a new one is looked at.

Checks (an error stops the generator, nothing is written): every number below
(NCAPINTS + NBUGINTS) * 32, capability numbers below NCAPINTS * 32 and bugs at or
above it, one ID per /proc/cpuinfo name within each line (flags, bugs). Two IDs on
one number (an alias: none in 6.1 or 6.12) keep the first ID only, with the name the
kernel shows there, noted on stderr. Names shared between the flags and bugs lines
and names that equal another bit's ID are reported on stderr (legal: the lookups
keep the namespaces apart and prefer names to IDs).

Output is deterministic: the same headers give the same bytes.
"""
import argparse
import ast
import os
import re
import sys

DEFINE = re.compile(r"^\s*#\s*define\s+X86_(FEATURE|BUG)_([A-Za-z0-9_]+)\s+(.*)$")
COUNT = re.compile(r"^\s*#\s*define\s+(NCAPINTS|NBUGINTS)\s+(\d+)\b")
COND = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b\s*(.*)$")
# mkcapflags.sh: sed 's@.*/\* *\("[^"]*"\).*\*/@\1@p' on the line with tabs made spaces
QUOTED = re.compile(r'.*/\* *("[^"]*").*\*/')
RULES = ("lowercase-id", "quoted-only")


class GenError(Exception):
    pass


def evaluate(expr, ncapints, where):
    """The number of an X86_FEATURE_ / X86_BUG_ value: (W*32+B), X86_BUG(n), X86_BUG(W*32 + n)."""
    text = expr.strip()
    m = re.fullmatch(r"X86_BUG\s*\((.*)\)", text)
    if m:
        text = "(%d + (%s))" % (ncapints * 32, m.group(1))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise GenError("%s: cannot read the value %r" % (where, expr.strip()))

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            a, b = ev(node.left), ev(node.right)
            return a + b if isinstance(node.op, ast.Add) else a * b
        raise GenError("%s: the value %r is not plain arithmetic" % (where, expr.strip()))

    return ev(tree)


def mkcapflags_rule(header):
    tree = os.path.normpath(os.path.join(os.path.dirname(header), "..", "..", "..", ".."))
    script = os.path.join(tree, "arch", "x86", "kernel", "cpu", "mkcapflags.sh")
    if not os.path.exists(script):
        return None
    with open(script, encoding="utf-8") as f:
        text = f.read()
    if re.search(r'VALUE="\\"\$NAME\\""', text):
        return "lowercase-id"
    if re.search(r'\[ ! "\$VALUE" \] && continue', text):
        return "quoted-only"
    raise GenError("%s: cannot tell how it names bits" % script)


def parse_header(path, series, rule_override):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    counts = {}
    for line in lines:
        m = COUNT.match(line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    if set(counts) != {"NCAPINTS", "NBUGINTS"}:
        raise GenError("%s: NCAPINTS or NBUGINTS not found" % path)
    ncapints, nbugints = counts["NCAPINTS"], counts["NBUGINTS"]

    header_rule = "lowercase-id" if re.search(r'X86_(FEATURE|BUG)_.*/\* *""', "\n".join(lines)) else "quoted-only"
    script_rule = mkcapflags_rule(path)
    notes = []
    if script_rule and script_rule != header_rule:
        notes.append("header looks like %s but mkcapflags.sh says %s: using mkcapflags.sh" % (header_rule, script_rule))
    rule = rule_override or script_rule or header_rule
    source = "--rule" if rule_override else ("mkcapflags.sh" if script_rule else "header")

    bits = []  # (kind, id, number, name) in header order
    stack = []  # per open conditional: True when its defines are skipped
    for lineno, line in enumerate(lines, 1):
        where = "%s:%d" % (path, lineno)
        c = COND.match(line)
        if c:
            kw, arg = c.group(1), c.group(2).split("/*")[0].strip()
            if kw == "ifndef" and re.fullmatch(r"_ASM_X86_[A-Z_]+_H", arg):
                stack.append(False)
            elif kw == "ifdef" and arg == "CONFIG_X86_32":
                stack.append(True)
            elif kw == "else" and stack:
                stack[-1] = not stack[-1]
            elif kw == "endif" and stack:
                stack.pop()
            else:
                raise GenError("%s: conditional '#%s %s' not understood" % (where, kw, arg))
            continue
        m = DEFINE.match(line)
        if not m:
            continue
        kind, ident, rest = m.group(1), m.group(2), m.group(3)
        if any(stack):
            notes.append("%s_%s left out (#ifdef CONFIG_X86_32)" % ("X86_" + kind, ident))
            continue
        number = evaluate(rest.split("/*")[0], ncapints, where)
        q = QUOTED.match(line.replace("\t", " "))
        if q:
            name = q.group(1)[1:-1].lower()
        elif rule == "lowercase-id":
            name = ident.lower()
        else:
            name = ""
        bits.append((kind, ident, number, name))
    if stack:
        raise GenError("%s: unterminated conditional" % path)
    return {
        "series": series, "path": path, "ncapints": ncapints, "nbugints": nbugints,
        "rule": rule, "rule_source": source, "bits": bits, "notes": notes,
    }


def check(v):
    """The sanity checks; returns the version's {enum id: (number, name)}.

    Two IDs on one number (an alias; none in 6.1 or 6.12) keep the first ID only, noted in
    v["notes"]; it shows the name the kernel's x86_cap_flags gets, the last one given (its
    designated initialisers let a later one win; a hidden one sets nothing)."""
    limit = (v["ncapints"] + v["nbugints"]) * 32
    by_number, by_id = {}, {}
    for kind, ident, number, name in v["bits"]:
        key = ("BUG_" if kind == "BUG" else "") + ident
        where = "%s: X86_%s_%s" % (v["path"], kind, ident)
        if key in by_id or any(a == key for a in v.setdefault("aliases", {})):
            raise GenError("%s defined twice" % where)
        if kind == "FEATURE" and ident.startswith("BUG_"):
            raise GenError("%s: a feature ID starting with BUG_ would read as a bug" % where)
        if not 0 <= number < limit:
            raise GenError("%s = %d is not below (NCAPINTS + NBUGINTS) * 32 = %d" % (where, number, limit))
        if (kind == "BUG") != (number >= v["ncapints"] * 32):
            raise GenError("%s = %d is in the wrong words (capability words end at %d)"
                           % (where, number, v["ncapints"] * 32))
        if number in by_number:
            first = by_number[number]
            v["aliases"][key] = first
            if name:
                by_id[first] = (number, name)
            v["notes"].append("alias: X86_%s_%s is %d:%d like %s; kept %s only (shown as %r)"
                              % (kind, ident, number // 32, number % 32, first, first, by_id[first][1]))
            continue
        by_number[number] = key
        by_id[key] = (number, name)
    names = {}
    for key, (number, name) in sorted(by_id.items(), key=lambda kv: kv[1][0]):
        space = (key.startswith("BUG_"), name)
        if name and space in names:
            raise GenError("%s: /proc/cpuinfo name %r of %s also names %s" % (v["path"], name, key, names[space]))
        names[space] = key
    return by_id


def oddities(v, by_id):
    out = []
    flag_names = {n: k for k, (num, n) in by_id.items() if n and not k.startswith("BUG_")}
    bug_names = {n: k for k, (num, n) in by_id.items() if n and k.startswith("BUG_")}
    for n in sorted(set(flag_names) & set(bug_names)):
        out.append("name %r is on the flags line (%s) and the bugs line (%s)" % (n, flag_names[n], bug_names[n]))
    ids = {k.lower(): k for k in by_id}
    for n, k in sorted(flag_names.items()):
        if n in ids and ids[n] != k:
            out.append("flag name %r (%s) is also the ID of %s" % (n, k, ids[n]))
    for n, k in sorted(bug_names.items()):
        if n in ids and not ids[n].startswith("BUG_"):
            out.append("bug name %r (%s) is also the ID of the flag %s%s"
                       % (n, k, ids[n], "" if by_id[ids[n]][1] else " (hidden)"))
    return out


def c_string(s):
    if not re.fullmatch(r"[a-z0-9_.\-]*", s):
        raise GenError("unexpected character in name %r" % s)
    return '"%s"' % s


def banner(what, versions):
    src = "".join(" *   %d: %s\n" % (v["series"], v["label"]) for v in versions)
    return ("/*\n * %s\n * Generated by tools/linux-features.py from arch/x86/include/asm/cpufeatures.h of\n%s"
            " * Facts only (numbers and /proc/cpuinfo names). Do not edit: run the generator again.\n */\n"
            % (what, src))


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def string_table(prefix, order, text_of, public):
    """C lines: PREFIX_text, every distinct string once after a leading "" (offset 0),
    and PREFIX_at[EP_LF_COUNT], each ID's offset into it (0, the empty string, is left out)."""
    blob, at, offset = [], {"": 0}, 1
    for k in order:
        v = text_of(k)
        if not re.fullmatch(r"[A-Za-z0-9_.\-]*", v):
            raise GenError("unexpected character in name %r" % v)
        if v not in at:
            at[v] = offset
            blob.append(v)
            offset += len(v) + 1
    if offset > 0xffff:
        raise GenError("%s: string table too large" % prefix)
    storage = "const" if public else "static const"
    lines = ['%s char %s_text[] = "\\0"\n' % (storage, prefix)]
    lines += ['\t"%s\\0"\n' % v for v in blob]
    lines[-1] = lines[-1].rstrip("\n") + ";\n"
    lines.append("%s uint16_t %s_at[EP_LF_COUNT] = {\n" % (storage, prefix))
    lines += ["\t[EP_LF_%s] = %d,\n" % (k, at[text_of(k)]) for k in order if at[text_of(k)]]
    lines.append("};\n")
    return lines


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--version", action="append", default=[], metavar="SERIES=TEXT",
                    help="the Debian kernel version a header comes from, e.g. 601=6.1.192-3")
    ap.add_argument("--rule", action="append", default=[], metavar="SERIES=RULE",
                    help="force a naming rule: lowercase-id (6.1) or quoted-only (6.12)")
    ap.add_argument("headers", nargs="+", metavar="SERIES=HEADER")
    args = ap.parse_args(argv)

    def pairs(items, what):
        out = {}
        for item in items:
            s, sep, val = item.partition("=")
            if not sep or not s.isdigit() or not val:
                raise GenError("%s: expected SERIES=VALUE, got %r" % (what, item))
            if int(s) in out:
                raise GenError("%s: series %s given twice" % (what, s))
            out[int(s)] = val
        return out

    headers = pairs(args.headers, "header")
    labels = pairs(args.version, "--version")
    rules = pairs(args.rule, "--rule")
    for s, r in rules.items():
        if r not in RULES:
            raise GenError("--rule %d=%s: not one of %s" % (s, r, ", ".join(RULES)))
    for s in list(labels) + list(rules):
        if s not in headers:
            raise GenError("series %d has no header" % s)

    versions = []
    for series in sorted(headers):
        if not 100 <= series < 10000:
            raise GenError("series %d is not major * 100 + minor" % series)
        v = parse_header(headers[series], series, rules.get(series))
        major, minor = divmod(series, 100)
        tree = [p for p in os.path.abspath(headers[series]).split(os.sep) if p.startswith("linux-source-")]
        label = "Debian %s" % labels[series] if series in labels else (
            "Debian %s" % tree[-1] if tree else "Linux %d.%d" % (major, minor))
        v["label"] = "%s (Linux %d.%d; cpuinfo names by the %s rule)" % (label, major, minor, v["rule"])
        v["ids"] = check(v)
        versions.append(v)

    # Enum order: the newest version's bits by number, then each older version's extra bits by its numbers.
    order, seen = [], set()
    for v in reversed(versions):
        for key, (number, name) in sorted(v["ids"].items(), key=lambda kv: (kv[1][0], kv[0])):
            if key not in seen:
                seen.add(key)
                order.append(key)
    if len(order) >= 0xffff:
        raise GenError("too many IDs")

    out = args.out_dir
    ids_h = [banner("The IDs of Linux's x86 feature and bug bits over every version with a table.", versions)]
    ids_h.append("#ifndef EP_LFEATURE_IDS_H\n#define EP_LFEATURE_IDS_H\n\n#include <stdint.h>\n\n")
    ids_h.append("/* The number of an ID the table's version does not have. */\n#define EP_LF_ABSENT 0xffffu\n\n")
    ids_h.append("/* X86_FEATURE_<ID> is EP_LF_<ID>, X86_BUG_<ID> is EP_LF_BUG_<ID>. */\nenum ep_lf {\n")
    ids_h += ["\tEP_LF_%s,\n" % k for k in order]
    ids_h.append("\tEP_LF_COUNT\n};\n\n")
    ids_h.append("/*\n * Names as offsets into one string each (no pointers: nothing for the EFI\n"
                 " * loader to relocate): ep_lf_id_text + ep_lf_id_at[f] is \"CONSTANT_TSC\",\n"
                 " * \"BUG_SPECTRE_V2\"; ep_lf_id_lower_text + ep_lf_id_lower_at[f] is\n"
                 " * \"constant_tsc\", \"spectre_v2\" (how hidden bits are shown).\n */\n")
    ids_h.append("extern const char ep_lf_id_text[];\nextern const uint16_t ep_lf_id_at[EP_LF_COUNT];\n")
    ids_h.append("extern const char ep_lf_id_lower_text[];\nextern const uint16_t ep_lf_id_lower_at[EP_LF_COUNT];\n"
                 "\n#endif\n")

    ids_c = [banner("The names of enum ep_lf (linux/lfeature_ids.h).", versions)]
    ids_c.append('#include "linux/lfeature_ids.h"\n\n')
    ids_c += string_table("ep_lf_id", order, lambda k: k, public=True)
    ids_c.append("\n")
    ids_c += string_table("ep_lf_id_lower", order, lambda k: (k[4:] if k.startswith("BUG_") else k).lower(),
                          public=True)

    files = {"lfeature_ids.h": "".join(ids_h), "lfeature_ids.c": "".join(ids_c)}
    for v in versions:
        s = v["series"]
        t = [banner("Linux %d.%d's x86 feature and bug bits (struct ep_lf_table, linux/lfeatures.h)."
                    % divmod(s, 100), [v])]
        t.append('#include "linux/lfeatures.h"\n\n#define W(word, bit) ((uint16_t)((word) * 32 + (bit)))\n\n')
        t.append("static const uint16_t number[EP_LF_COUNT] = {\n")
        for k in order:
            if k in v["ids"]:
                n = v["ids"][k][0]
                t.append("\t[EP_LF_%s] = W(%d, %d),\n" % (k, n // 32, n % 32))
            else:
                t.append("\t[EP_LF_%s] = EP_LF_ABSENT,\n" % k)
        t.append("};\n\n")
        t += string_table("name", order, lambda k: v["ids"].get(k, (0, ""))[1], public=False)
        t.append("\nconst struct ep_lf_table ep_lf_table_%d = {\n" % s)
        t.append("\t.series = %d,\n\t.ncapints = %d,\n\t.nbugints = %d,\n\t.number = number,\n"
                 "\t.name_text = name_text,\n\t.name_at = name_at,\n};\n" % (s, v["ncapints"], v["nbugints"]))
        files["lfeatures_%d.c" % s] = "".join(t)

    os.makedirs(out, exist_ok=True)
    for name in sorted(files):
        write(os.path.join(out, name), files[name])

    for v in versions:
        ids = v["ids"]
        hidden = sum(1 for n, name in ids.values() if not name)
        print("linux-features: %d: %d capability words, %d bug words, %d IDs (%d hidden), names by %s (from %s)"
              % (v["series"], v["ncapints"], v["nbugints"], len(ids), hidden, v["rule"], v["rule_source"]),
              file=sys.stderr)
        for note in v["notes"] + oddities(v, ids):
            print("linux-features: %d: %s" % (v["series"], note), file=sys.stderr)
    print("linux-features: %d IDs over %s; wrote %s" % (len(order), ", ".join(str(v["series"]) for v in versions),
                                                        ", ".join(sorted(files))), file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (GenError, OSError) as e:
        print("linux-features: error: %s" % e, file=sys.stderr)
        sys.exit(1)

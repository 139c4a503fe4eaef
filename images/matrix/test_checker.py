#!/usr/bin/env python3
"""Tests of the matrix harness that need no boot: the parser, SHARD, and the checker run on the
saved outputs of a real EPYC-Milan SEV-SNP boot (testdata/snp) and on outputs derived from it (a
hung guest, a failed selftest, a log whose facts were tampered with, a boot that left only the
previous log). Every deliberately wrong
expectation in testdata/checker.txt must fail with its reason in result.json, JUnit, Markdown and
the HTML report.

  test_checker.py --build BUILD --out DIR
Ends with "matrix-checker: N ok, M wrong"; exit status 1 if any is wrong.
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)

import check  # noqa: E402
import spec  # noqa: E402

DATA = os.path.join(HERE, "testdata")
PROFILES = os.path.join(os.path.dirname(HERE), "profiles")

# case -> (status, a fragment its reasons must contain)
WANT = {
    "snp.right": ("pass", None),
    "snp.wrong-hypercall": ("fail", "hypercall vmmcall (sev-snp-guest), want vmcall intel-vendor"),
    "snp.wrong-reason": ("fail", "hypercall vmmcall (sev-snp-guest), want vmmcall sev-es-guest"),
    "snp.wrong-feature": ("fail", "feature avx512f absent, want present"),
    "snp.wrong-absent-feature": ("fail", "feature sev_snp present, want absent"),
    "snp.wrong-exit": ("fail", "exit 33, want 35"),
    "snp.wrong-regex": ("fail", "log lacks /^I hv vendor=xen/"),
    "snp.wrong-reject": ("fail", "log has /^I sev .*snp_active=1/"),
    "snp.wrong-selftest": ("fail", "selftest PASS, want FAIL"),
    "snp.wrong-profile": ("fail", "hypercall vmmcall (sev-snp-guest), want tdcall tdx-guest"),
    "snp.expect-fail": ("xfail", "caught (expected): hypercall vmmcall (sev-snp-guest), want vmcall"),
    "snp.expect-fail-missed": ("xpass", "the checker missed"),
    "hung.case": ("timeout", "guest hung: killed after 60 s"),
    "selftest-fail.case": ("fail", "selftest FAIL, want PASS: check=alt-avx2 want=0x2 got=0xdead FAIL"),
    "tampered.case": ("fail", "eptool replay differs"),
    "snp.wrong-expect-old": ("fail", "previous log lacks /^I earlypatch version=/"),
    "nolog.case": ("fail", "no ESP log"),
    "nolog.readonly": ("pass", None),
    "nolog.wrong-old": ("fail", "previous log lacks /^I hv vendor=xen/"),
}


class Tally:
    def __init__(self):
        self.ok, self.wrong = 0, []

    def expect(self, cond, what):
        if cond:
            self.ok += 1
        else:
            self.wrong.append(what)
            print(f"WRONG {what}")


def derive_saved(tmp):
    """testdata/snp plus outputs derived from it, one directory per saved boot."""
    snp = os.path.join(tmp, "snp")
    shutil.copytree(os.path.join(DATA, "snp"), snp)
    hung = os.path.join(tmp, "hung")
    os.makedirs(hung)
    with open(os.path.join(hung, "exit_code"), "w") as f:
        f.write("timeout\n")
    shutil.copy(os.path.join(snp, "console.txt"), hung)
    bad = os.path.join(tmp, "selftest-fail")
    shutil.copytree(snp, bad)
    path = os.path.join(bad, "debugcon.txt")
    text = open(path).read()
    text = re.sub(r"check=alt-avx2 want=(\S+) got=\S+ PASS", r"check=alt-avx2 want=\1 got=0xdead FAIL", text)
    text = re.sub(r"result=PASS passed=(\d+) failed=0", "result=FAIL passed=1 failed=1", text)
    open(path, "w").write(text)
    open(os.path.join(bad, "exit_code"), "w").write("35\n")
    tampered = os.path.join(tmp, "tampered")
    shutil.copytree(snp, tampered)
    path = os.path.join(tampered, "esp.log")
    text = open(path).read().replace("family=0x19", "family=0x17", 1)
    open(path, "w").write(text)
    nolog = os.path.join(tmp, "nolog")
    shutil.copytree(snp, nolog)
    os.rename(os.path.join(nolog, "esp.log"), os.path.join(nolog, "esp.log.old"))


def test_checker(t, build, out):
    saved = os.path.join(out, "saved")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    derive_saved(saved)
    p = subprocess.run([sys.executable, os.path.join(HERE, "matrix.py"), "--build", build, "--out", out,
                        "--matrix", os.path.join(DATA, "checker.txt"), "check", "--saved", saved],
                       capture_output=True, text=True)
    t.expect(p.returncode == 1, f"matrix.py check exits 1 when expectations fail (got {p.returncode})")
    fails = sum(1 for s, _ in WANT.values() if s not in ("pass", "xfail"))
    t.expect(f"matrix: {len(WANT) - fails} passed, {fails} failed" in p.stdout,
             f"summary line counts xfail as passed: {p.stdout.strip()!r}")
    for name, (status, why) in WANT.items():
        try:
            r = json.load(open(os.path.join(out, name, "result.json")))
        except OSError:
            t.expect(False, f"{name}: no result.json ({p.stderr.strip()})")
            continue
        t.expect(r["status"] == status, f"{name}: status {r['status']}, want {status} ({r['reasons']})")
        if why:
            t.expect(any(why in x for x in r["reasons"]), f"{name}: reasons {r['reasons']} lack '{why}'")
        else:
            t.expect(not r["reasons"], f"{name}: unexpected reasons {r['reasons']}")
    check_reports(t, out)


def check_reports(t, out):
    page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    junit = open(os.path.join(out, "junit.xml"), encoding="utf-8").read()
    md = open(os.path.join(out, "summary.md"), encoding="utf-8").read()
    t.expect("http://" not in page.replace("http://www.w3.org", "") and "https://" not in page,
             "report.html loads nothing from the network")
    t.expect(re.search(r"class='chip s-fail' data-case='snp.wrong-hypercall'", page) is not None,
             "report.html shows snp.wrong-hypercall as a red (s-fail) chip")
    t.expect(html.escape("want vmcall intel-vendor") in page, "report.html carries the reason")
    t.expect(re.search(r"<td class='cell s-timeout'", page) is not None, "report.html colours the hung case")
    t.expect('<failure message="hypercall vmmcall (sev-snp-guest), want vmcall intel-vendor"' in junit,
             "junit.xml has a <failure> with the reason")
    t.expect('<error message="guest hung: killed after 60 s;' in junit, "junit.xml reports the hang as an error")
    t.expect("- **snp.wrong-exit** (EPYC-Milan, sev-snp) FAIL: exit 33, want 35" in md,
             "summary.md lists the failure with its reason")


def test_parser(t):
    bad = {
        "case a\n    frobnicate 1\n": "unknown key 'frobnicate'",
        "case a\n    expect ([\n": "bad regex",
        "case a\ncase a\n": "defined twice",
        "    cpu x\n": "setting outside a block",
        "case a b\n": "bad case name",
        "case a\n    selftest maybe\n": "selftest must be one of",
        "case a\n    features avx2\n": "must be +name or -name",
        "case a\n    exit soon\n": "exit must be a number",
        "case a\n    boots 0\n": "boots must be a positive number",
        "case a\n    payload-truncate x\n": "payload-truncate must be a positive number",
        "case a\n    esp-file \\EFI\\x\n": "esp-file must be 'PATH SIZE'",
        "case a\n    expect-old ([\n": "bad regex",
        "case a\n    no-config 1\n": "takes no value",
    }
    for text, why in bad.items():
        try:
            spec.parse_matrix_text(text, "t")
            t.expect(False, f"parser accepted {text!r}")
        except spec.SpecError as e:
            t.expect(why in str(e), f"parser error for {text!r}: {e} (want '{why}')")
    defaults, cases = spec.parse_matrix_text(
        "defaults\n    exit 33\n    expect ^A  # comment\n\ncase x\n    cpu EPYC\n    exit 0\n    expect ^B\n", "t")
    c = spec.resolve(defaults, cases[0], {"__dir__": PROFILES})
    t.expect(c.get("exit") == "0" and c.values("expect") == ["^A", "^B"], f"defaults merge: {c.settings}")
    c = spec.resolve({}, spec.Case("y", "t", {"profile": "tdx", "config": ["log-level debug"]}), {"__dir__": PROFILES})
    t.expect(c.values("config")[-1] == "log-level debug" and c.values("config")[0].startswith("cpuid"),
             f"profile config comes before the case's: {c.values('config')}")
    t.expect(c.get("hypercall") == "tdcall tdx-guest", "profile expectations are inherited")
    test_config_file(t)


def test_config_file(t):
    """A config-file goes to the ESP byte for byte; its #@ lines are the case's settings."""
    path = "images/cases/bad-config.conf"
    case = spec.Case("b", "t", {"config-file": path, "timeout": "9"})
    c = spec.resolve({"exit": "0"}, case, {"__dir__": PROFILES})
    with open(os.path.join(spec.ROOT, path), encoding="utf-8", newline="") as f:
        t.expect(spec.config_text(c) == f.read(), "config-file: the ESP's earlypatch.conf is the file")
    t.expect(c.get("exit") == "33" and c.cpu == "qemu64" and c.get("timeout") == "9",
             f"config-file settings: over the defaults, under the case ({c.settings})")
    t.expect(spec.config_text(spec.Case("n", "t", {"no-config": True, "config": ["x"]})) is None,
             "no-config: no earlypatch.conf")
    for settings, why in (({"config-file": path, "config": ["log-level debug"]}, "cannot be combined"),
                          ({"config-file": "images/cases/none.conf"}, "config-file images/cases/none.conf")):
        try:
            spec.resolve({}, spec.Case("e", "t", settings), {"__dir__": PROFILES})
            t.expect(False, f"resolve accepted {settings}")
        except spec.SpecError as e:
            t.expect(why in str(e), f"resolve error for {settings}: {e} (want '{why}')")


def test_site_lines(t):
    """The eptool preview comparison ignores addresses, not decisions."""
    boot = "I alt site=0x4001000 sym=a action=patch\nI hcsite site=0x4002000 sym=h thunk=0x4003000\nI x\n"
    moved = "I hcsite site=0x9002000 sym=h thunk=0x9003000\nI alt site=0x9001000 sym=a action=patch\n"
    t.expect(check.site_lines(boot) == check.site_lines(moved), "preview: addresses and order do not count")
    t.expect(check.site_lines(boot) != check.site_lines(moved.replace("patch", "keep")), "preview: actions count")


def test_shard(t):
    cases = spec.load_matrix([os.path.join(os.path.dirname(HERE), "matrix.txt")], PROFILES)
    t.expect(len(cases) >= 40, f"default matrix has >= 40 cases ({len(cases)})")
    for n in (1, 2, 3, 7):
        parts = [[c.name for c in spec.select(cases, shard=f"{k}/{n}")] for k in range(1, n + 1)]
        flat = sorted(x for p in parts for x in p)
        t.expect(flat == sorted(c.name for c in cases), f"SHARD k/{n} partitions the matrix")
        t.expect(max(map(len, parts)) - min(map(len, parts)) <= 1, f"SHARD k/{n} is balanced")
        again = [[c.name for c in spec.select(cases, shard=f"{k}/{n}")] for k in range(1, n + 1)]
        t.expect(parts == again, f"SHARD k/{n} is deterministic")
    for bad in ("0/2", "3/2", "x"):
        try:
            spec.parse_shard(bad)
            t.expect(False, f"SHARD {bad} accepted")
        except spec.SpecError:
            t.expect(True, "")
    quick = spec.select(cases, tags="quick")
    t.expect(4 <= len(quick) <= 8, f"quick subset has ~6 cases ({len(quick)})")
    profiles = set(os.path.splitext(f)[0] for f in os.listdir(PROFILES) if f.endswith(".conf"))
    t.expect(profiles >= {"bare-metal-intel", "bare-metal-amd", "kvm-intel", "kvm-amd", "hyperv",
                          "hyperv-snp-isolated", "xen-hvm", "sev", "sev-es", "sev-snp", "tdx", "vmware"},
             f"every platform profile exists ({sorted(profiles)})")
    t.expect(profiles <= set(c.profile for c in cases), "every profile is used by the default matrix")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t = Tally()
    test_parser(t)
    test_site_lines(t)
    test_shard(t)
    test_checker(t, os.path.abspath(a.build), os.path.abspath(a.out))
    print(f"matrix-checker: {t.ok} ok, {len(t.wrong)} wrong")
    return 1 if t.wrong else 0


if __name__ == "__main__":
    sys.exit(main())

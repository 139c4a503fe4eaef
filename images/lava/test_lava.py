#!/usr/bin/env python3
"""`make lava-test`: the LAVA jobs' monitor pattern and the result reader, without a boot or LAVA.

A saved console of a real lava-run boot (testdata/epyc-milan.sev-snp.console: EPYC-Milan, sev-snp
profile, from the firmware's last lines to qemu-run.sh's end line) goes through a model of LAVA's
monitor (expect.simulate_monitor: pexpect's earliest-match search over its 4000-character window,
the buffer consumed up to each match), in chunks of several sizes; the test cases it reports are
read back as `make lava-run` reads lava-run's. The case as written must pass; copies of the console
changed in one way each (hypercall reason, a feature, a failed selftest check, a missing log line,
an unwanted line, QEMU's exit status, a hung guest, a half-received line) must fail with the
checker's reason, and the deliberately wrong matrix case must be XFAIL. Also: the YAML writer reads
back with PyYAML, `$` in a regex allows the console's \\r, a real-device case loses its profile's
simulation, and, where Debian's lava-dispatcher is installed, the job and device schemas accept what
lava.py writes. Last line: "lava-test: N passed, M failed".
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "images", "matrix"))
sys.path.insert(0, HERE)

import check  # noqa: E402
import expect as ex  # noqa: E402
import lava  # noqa: E402
import results  # noqa: E402
import spec  # noqa: E402
import yamlout  # noqa: E402

CONSOLE = os.path.join(HERE, "testdata", "epyc-milan.sev-snp.console")
MATRIX = os.path.join(ROOT, "images", "matrix.txt")
PROFILES = os.path.join(ROOT, "images", "profiles")
PASSED = FAILED = 0


def ok(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print(f"FAIL {what}")


def cases(names):
    allc = {c.name: c for c in spec.load_matrix([MATRIX], PROFILES)}
    return [allc[n] for n in names]


def case_from(text):
    """A case of a matrix text of the test's own (with images/matrix.txt's defaults)."""
    with open(MATRIX, encoding="utf-8") as f:
        defaults, _ = spec.parse_matrix_text(f.read(), MATRIX)
    _, cs = spec.parse_matrix_text(text, "<test>")
    return spec.resolve(defaults, cs[0], {"__dir__": PROFILES})


def console(eol="\r\n"):
    with open(CONSOLE, encoding="utf-8") as f:
        return f.read().replace("\n", eol)


def verdict(case, stream, chunk=2000, qemu=True):
    obs, ended = ex.simulate_monitor(stream, lava.monitors(case, qemu), chunk=chunk)
    lava_res = [{"case": "job", "definition": "lava", "result": "pass" if ended else "fail",
                 "error_type": "" if ended else "Infrastructure", "error_msg": "" if ended else "Connection closed"}]
    con = stream.replace("\r", "").splitlines()
    checks, exit_code = results.evaluate(case, obs, lava_res, con, qemu)
    status = check.status_of(case, checks, exit_code)
    return status, check.reasons_of(status, case, checks), obs, ended


def test_regex_helpers():
    ok(re.search(ex.eol_dollar(r"^I hv vendor=none$"), "I hv vendor=none\r\n", re.M), "$ allows \\r")
    ok(ex.eol_dollar(r"a[$]b\$c$") == r"a[$]b\$c(?=\r*$)", "$ in a class or escaped stays")
    ok(ex.eol_dollar(r"[^]$]x$") == r"[^]$]x(?=\r*$)", "] first in a class is literal")
    ok(ex.lava_case_name(" I hypercall mechanism=vmmcall reason=sev-snp-guest ")
       == "i_hypercall_mechanism_vmmcall_reason_sev_snp_guest", "LAVA's test case name")


def test_yaml():
    try:
        import yaml
    except ImportError:
        return
    data = {"a": ["-cpu EPYC", {"b": "x: #y \\ \r"}], "c": {"": "pass", " ": "fail", "\r": "fail"},
            "d": None, "e": [], "f": {}, "g": 3, "earlypatch.case": "q"}
    ok(yaml.safe_load(yamlout.dump(data)) == data, "yamlout reads back")
    snp = cases(["epyc-milan.sev-snp"])[0]
    mon = lava.monitor(snp, True)
    ok(yaml.safe_load(yamlout.dump(mon)) == mon, "a monitor reads back")


def test_pass_and_chunks():
    snp, = cases(["epyc-milan.sev-snp"])
    base = None
    for chunk in (2000, 4092, 613, 97, 7):
        for eol in ("\r\n", "\r\r\n"):
            status, reasons, obs, ended = verdict(snp, console(eol), chunk)
            ok(status == "pass" and ended, f"sev-snp passes (chunk {chunk}, eol {eol!r}): {status} {reasons}")
            if base is None:
                base = obs
            ok(obs == base, f"the same test cases whatever the chunks ({chunk}, {eol!r})")
    names = [ex.lava_case_name(t) for t, _ in base]
    for want in ("i_hypercall_mechanism_vmmcall_reason_sev_snp_guest", "i_cpu_features", "selftest_result_pass",
                 "earlypatch_lava_qemu_exit_33", "selftest_check_alt_avx2", "i_msr_index_0xc0010131_action_simulated"):
        ok(want in names, f"LAVA test case {want}")
    ok(all(r == "pass" for _, r in base), "every test case passes")


def changed(old, new, count=1):
    text = console()
    ok(old in text, f"the console has {old!r}")
    return text.replace(old, new, count)


def expect_fail(case, stream, reason, status="fail", name=None):
    st, reasons, obs, _ = verdict(case, stream)
    ok(st == status and any(reason in r for r in reasons), f"{name or reason}: {st} {reasons}")
    return obs


def test_failures():
    snp, wrong = cases(["epyc-milan.sev-snp", "harness.wrong-expectation"])
    obs = expect_fail(snp, changed("reason=sev-snp-guest", "reason=sev-es-guest"),
                      "hypercall vmmcall (sev-es-guest), want vmmcall sev-snp-guest")
    ok(("I hypercall mechanism=vmmcall reason=sev-es-guest", "fail") in obs, "the hypercall test case fails in LAVA")
    obs = expect_fail(snp, changed(" sev_snp ", " "), "feature sev_snp absent, want present")
    ok(("I cpu features", "fail") in obs, "the features test case fails in LAVA")
    line = "selftest check=alt-avx2 want=0x2 got=0x2 PASS"
    obs = expect_fail(snp, changed(line, line[:-4] + "FAIL"), "debugcon has /^selftest check=.* FAIL$/")
    ok((line[:-4] + "FAIL", "fail") in obs, "the failed selftest check fails in LAVA")
    expect_fail(snp, changed("I msr index=0xc0010131 action=simulated\r\n", ""),
                "log lacks /^I msr index=0xc0010131 action=simulated/")
    expect_fail(snp, changed("selftest result=PASS", "selftest result=FAIL"), "selftest FAIL, want PASS")
    expect_fail(snp, changed("qemu-exit=33", "qemu-exit=35"), "exit 35, want 33")
    expect_fail(snp, changed("qemu-exit=33", "qemu-exit=timeout"), "guest hung: killed after 60 s", "timeout")
    cut = console()
    cut = cut[:cut.index("selftest result=")] + "selftest resu"
    expect_fail(snp, cut, "selftest none, want PASS", name="a console that stops mid-line: no verdict on half a line")
    st, reasons, _, _ = verdict(wrong, changed("reason=sev-snp-guest", "reason=amd-vendor"))
    ok(st == "xfail" and "caught (expected): hypercall" in reasons[0], f"wrong-expectation is XFAIL: {st} {reasons}")
    rej = case_from("case t.reject\n    cpu EPYC-Milan\n    profile sev-snp\n    reject ^I stage name=patch\n")
    expect_fail(rej, console(), "log has /^I stage name=patch/")
    two = case_from("case t.two\n    cpu EPYC-Milan\n    profile sev-snp\n    expect ^I sev sme=1\n"
                    "    expect ^I sev .*snp_active=1\n    reject ^I sev .*snp_active=0\n")
    st, reasons, _, _ = verdict(two, console())
    ok(st == "pass", f"one line satisfies several regexes: {st} {reasons}")
    fw = case_from("case t.fw\n    cpu EPYC-Milan\n    profile sev-snp\n    console ^BdsDxe: starting Boot\n"
                   "    console ^I earlypatch version=\n")
    st, reasons, obs, _ = verdict(fw, console())
    ok(st == "pass", f"console regexes see the firmware's lines and the app's: {st} {reasons}")
    expect_fail(fw, changed("BdsDxe: starting", "BdsDxe: loading"), "console lacks /^BdsDxe: starting Boot/")


def test_hung_guest():
    hung, = cases(["harness.hung-guest"])
    stream = "qemu-system-x86_64: warning: ...\r\n\r\nearlypatch-lava: qemu-exit=timeout\r\nearlypatch-lava: end\r\n"
    st, reasons, obs, ended = verdict(hung, stream)
    ok(st == "pass" and ended, f"hung-guest passes: {st} {reasons}")
    st, reasons, _, _ = verdict(hung, stream.replace("=timeout", "=0"))
    ok(st == "fail" and "exit 0, want timeout" in reasons, f"a hung-guest that exits fails: {st} {reasons}")


def test_unsupported():
    ok(lava.unsupported(case_from("case t.n\n    expect ^I (?P<x>a)\n"), True), "a named group has no job")
    ok(lava.unsupported(case_from("case t.b\n    expect ^(a)\\1\n"), True), "a backreference has no job")
    ok(lava.unsupported(case_from("case t.o\n    expect-old ^I earlypatch\n"), True), "expect-old has no job")
    ok(lava.unsupported(case_from("case t.e\n    debugcon ^I ebs efi_status=0x0\n"), True), "a post-EBS line has no job")
    ok(lava.unsupported(case_from("case t.d\n    debugcon ^D memmap type=7\n"), True), "a D line has no job")
    ok(not lava.unsupported(cases(["epyc-milan.sev-snp"])[0], True), "sev-snp has a job")


def test_console_carries_all():
    snp, = cases(["epyc-milan.sev-snp"])
    full = lava.console_carries_all(snp)
    ok(full.values("config")[-1] == "log-level debug", "a job's console carries the detail lines")
    ok(full.values("config")[:-1] == snp.values("config") and "log-level debug" not in snp.values("config"),
       "the case's own config stays, and the case itself is not changed")
    own = case_from("case t.q\n    config log-level warning\n")
    ok(lava.console_carries_all(own).values("config") == own.values("config"), "a case's own log-level wins")


def test_real_device():
    snp, = cases(["epyc-milan.sev-snp"])
    raw = lava.raw_cases([MATRIX])
    dev = lava.device_case(raw, snp, PROFILES)
    ok(not any(l.startswith(("cpuid ", "msr ")) for l in dev.values("config")), "no simulation on a real device")
    ok("config on-exit shutdown" not in dev.values("config") and "on-exit shutdown" in dev.values("config"),
       "the defaults' config stays")
    ok(dev.get("hypercall") == "vmmcall sev-snp-guest" and dev.get("selftest") == "PASS", "the profile's expectations stay")
    ok(dev.get("exit") is None and dev.get("cpu") is None, "nothing about QEMU")
    stream = console()
    stream = stream[:stream.index("earlypatch-lava:")]
    st, reasons, obs, ended = verdict(dev, stream, qemu=False)
    ok(st == "pass" and ended, f"a real device's job ends after the selftest result: {st} {reasons}")
    ok(("selftest result=PASS", "pass") in obs, "the selftest result is a test case before the end")


def test_schemas():
    """Debian's lava_common (lava-dispatcher) judges a job and a device configuration, when installed."""
    py = "/usr/bin/python3"
    if not os.path.exists(py) or subprocess.run([py, "-c", "import lava_common.schemas"],
                                               capture_output=True).returncode != 0:
        print("lava-test: lava-dispatcher not installed: job schemas not checked")
        return
    snp, = cases(["epyc-milan.sev-snp"])
    images = {"esp": {"url": "file:///x/esp.img", "image_arg": "-drive format=raw,file={esp},if=virtio"},
              "ovmf_code": {"url": "file:///x/code.fd", "image_arg": "-drive if=pflash,unit=0,file={ovmf_code}"}}
    job = lava.qemu_job_dict(snp, ["--earlypatch-timeout=60", "-cpu EPYC-Milan"], images, "accel: tcg")
    dev = lava.device_job_dict(lava.device_case(lava.raw_cases([MATRIX]), snp, PROFILES), "x86-uefi",
                               "https://lab.example.org/esp.img")
    with tempfile.TemporaryDirectory() as t:
        for name, data in (("job", job), ("devjob", dev), ("device", lava.local_device(job))):
            with open(os.path.join(t, name + ".yaml"), "w") as f:
                f.write(yamlout.dump(data))
        code = ("import sys, yaml\nfrom lava_common.schemas import validate\n"
                "from lava_common.schemas.device import validate as vdev\n"
                f"validate(yaml.safe_load(open('{t}/job.yaml')))\nvalidate(yaml.safe_load(open('{t}/devjob.yaml')))\n"
                f"vdev(yaml.safe_load(open('{t}/device.yaml')))\n")
        p = subprocess.run([py, "-c", code], capture_output=True, text=True)
        ok(p.returncode == 0, f"LAVA's schemas accept the job and device: {p.stderr.strip()[-300:]}")


def main():
    for t in (test_regex_helpers, test_yaml, test_pass_and_chunks, test_failures, test_hung_guest,
              test_unsupported, test_console_carries_all, test_real_device, test_schemas):
        t()
    print(f"lava-test: {PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())

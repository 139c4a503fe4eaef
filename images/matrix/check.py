"""Checks one case's expectations against what its boot left behind.

Inputs (in the case's output directory): esp.log (read back from the ESP), esp.log.old (the
previous boot's, for expect-old), debugcon.txt, console.txt, exit_code ("timeout" when the guest
was killed). Output: a result dict with the status, one entry per check (what, ok, why) and the
reasons the case failed.

Two host replays of every boot, unless the case says no-replay: `eptool cpu` on the boot's own
CPUID dump must print the facts the firmware printed (tests/facts/replay-check.sh), and `eptool
apply PAYLOAD --cpuid-dump esp.log` must decide every patch site as the boot did (written to
preview.txt, the difference to preview.diff). A boot that read its TPM's PCRs back (`I tpm pcr=`
lines) is replayed twice more: `eptool pcr --log esp.log PAYLOAD --config ... [--initrd/--setup]`
must predict the same lines (pcr.txt), and the TCG event log the boot wrote to the ESP
(tpm-eventlog.bin), replayed with `eptool pcr --eventlog`, must give them too (eventlog.txt).

Statuses: pass; fail (an expectation does not hold); timeout (the guest hung and was killed);
error (no image or no boot); xfail (an `expect-fail` case whose wrong expectation was caught:
counts as passed); xpass (an `expect-fail` case that passed: the checker missed it, a failure).
"""

import difflib
import os
import re
import subprocess

PASSED = ("pass", "xfail")
# The lines the boot and eptool's preview must agree on, without addresses (a PIE runs elsewhere
# than its link address; the symbols name the sites).
SITE_LINE = re.compile(r"^([ID] (alt|scall|hcsite|pv) site=|I (hypercall |prepatch-summary )|D prepatch |W prepatch )")
ADDRESS = re.compile(r" (site|target|key|thunk)=0x[0-9a-f]+")
# The PCR values a boot read back (docs/security.md#measured-boot).
TPM_PCR_LINE = re.compile(r"^I tpm pcr=\d+ bank=\w+ value=[0-9a-f]+$")
EVENTLOG_ESP_PATH = "/EFI/earlypatch/tpm-eventlog.bin"


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "")
    except OSError:
        return None


def log_value(line, key):
    """The value of key= in a log line (bare or quoted, docs/log-format.md)."""
    m = re.search(r'(?:^|\s)' + re.escape(key) + r'=("((?:[^"\\]|\\.)*)"|\S*)', line)
    if not m:
        return None
    return m.group(2) if m.group(2) is not None else m.group(1)


def first_line(text, prefix):
    for line in (text or "").splitlines():
        if line.startswith(prefix):
            return line
    return None


def site_lines(text):
    return sorted(ADDRESS.sub("", line) for line in (text or "").splitlines() if SITE_LINE.match(line))


def tpm_pcr_lines(text):
    return [line for line in (text or "").splitlines() if TPM_PCR_LINE.match(line)]


def config_value(conf, key):
    """The value of a `key value` (or `key=value`) line of an earlypatch.conf, the last one; None if absent."""
    value = None
    for raw in (conf or "").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        m = re.match(r"^([A-Za-z0-9-]+)(?:\s*=\s*|\s+|$)(.*)$", line)
        if m and m.group(1) == key:
            value = m.group(2).strip()
    return value


def esp_key(path):
    """An ESP path as FAT compares it: '/' or '\\' separated, case-insensitive."""
    return path.replace("/", "\\").lower()


def features_of(log):
    line = first_line(log, "I cpu features=")
    return set((log_value(line, "features") or "").split()) if line else None


class Checker:
    def __init__(self, case, outdir):
        self.case, self.outdir = case, outdir
        self.log = read_text(os.path.join(outdir, "esp.log")) or ""
        self.old_log = read_text(os.path.join(outdir, "esp.log.old")) or ""
        self.debugcon = read_text(os.path.join(outdir, "debugcon.txt")) or ""
        self.console = read_text(os.path.join(outdir, "console.txt")) or ""
        self.exit_code = (read_text(os.path.join(outdir, "exit_code")) or "").strip()
        self.checks = []

    def record(self, what, ok, why=""):
        self.checks.append({"what": what, "ok": bool(ok), "why": "" if ok else why})

    def grep(self, where, text, rx, want):
        found = re.search(rx, text, re.M) is not None
        self.record(f"{where} {'has' if want else 'lacks'} /{rx}/", found == want,
                    f"{where} {'lacks' if want else 'has'} /{rx}/")

    def check_exit(self):
        want = self.case.get("exit", "0")
        got = self.exit_code or "missing"
        if got == "timeout" and want != "timeout":
            why = f"guest hung: killed after {self.case.timeout} s"
        else:
            why = f"exit {got}, want {want}"
        self.record(f"exit = {want}", got == want, why)

    def check_hypercall(self):
        spec = self.case.get("hypercall")
        if not spec:
            return
        parts = spec.split()
        line = first_line(self.log, "I hypercall ")
        got_m = log_value(line, "mechanism") if line else None
        got_r = log_value(line, "reason") if line else None
        ok = line is not None and got_m == parts[0] and (len(parts) < 2 or got_r == parts[1])
        got = f"{got_m} ({got_r})" if line else "no 'I hypercall' line"
        self.record(f"hypercall = {spec}", ok, f"hypercall {got}, want {spec}")

    def check_features(self):
        words = [w for v in self.case.values("features") for w in v.split()]
        if not words:
            return
        have = features_of(self.log)
        for w in words:
            name, present = w[1:], w[0] == "+"
            if have is None:
                self.record(f"feature {w}", False, "no 'I cpu features' line")
                continue
            ok = (name in have) == present
            self.record(f"feature {w}", ok,
                        f"feature {name} {'absent' if present else 'present'}, want {'present' if present else 'absent'}")

    def check_selftest(self):
        want = self.case.get("selftest")
        if not want:
            return
        m = re.search(r"^selftest result=(\w+)(.*)$", self.debugcon, re.M)
        got = m.group(1) if m else "none"
        failed = [l for l in self.debugcon.splitlines() if l.startswith("selftest check=") and l.endswith("FAIL")]
        why = f"selftest {got}, want {want}"
        if failed:
            why += ": " + "; ".join(f[len("selftest "):] for f in failed[:3])
        self.record(f"selftest = {want}", got == want, why)

    def check_regexes(self):
        for rx in self.case.values("expect"):
            self.grep("log", self.log, rx, True)
        for rx in self.case.values("reject"):
            self.grep("log", self.log, rx, False)
        for rx in self.case.values("console"):
            self.grep("console", self.console, rx, True)
        for rx in self.case.values("no-console"):
            self.grep("console", self.console, rx, False)
        for rx in self.case.values("debugcon"):
            self.grep("debugcon", self.debugcon, rx, True)
        for rx in self.case.values("no-debugcon"):
            self.grep("debugcon", self.debugcon, rx, False)
        for rx in self.case.values("expect-old"):
            self.grep("previous log", self.old_log, rx, True)

    def check_replay(self, eptool, replay_script):
        """The host replay of the boot's CPUID dump must derive the facts the firmware logged."""
        if self.case.get("no-replay") or not eptool or not re.search(r"^I cpu vendor=", self.log, re.M):
            return
        p = subprocess.run([replay_script, eptool, os.path.join(self.outdir, "esp.log")],
                           capture_output=True, text=True)
        detail = " ".join((p.stdout + p.stderr).strip().splitlines()[:3])
        self.record("eptool cpu replay = boot facts", p.returncode == 0, f"eptool replay differs: {detail}")

    def check_preview(self, eptool, payload):
        """eptool's host preview of this boot must decide every patch site as the firmware did."""
        # A boot with `alternatives off` is previewed too: eptool reads that from the log's I config line.
        patched = re.search(r"^[ID] (alt|hcsite) site=", self.log, re.M)
        if self.case.get("no-replay") or not eptool or not payload or not patched:
            return
        out = os.path.join(self.outdir, "preview.txt")
        with open(out, "w") as f:
            subprocess.run([eptool, "apply", payload, "-o", os.path.join(self.outdir, "preview.elf"),
                            "--cpuid-dump", os.path.join(self.outdir, "esp.log")],
                           stdout=f, stderr=subprocess.STDOUT)
        diff = list(difflib.unified_diff(site_lines(self.log), site_lines(read_text(out)), "boot (esp.log)",
                                         "eptool apply (preview.txt)", lineterm="", n=0))
        with open(os.path.join(self.outdir, "preview.diff"), "w") as f:
            f.write("\n".join(diff) + ("\n" if diff else ""))
        first = next((d for d in diff[2:] if d[:1] in "+-"), "")
        self.record("eptool apply preview = boot decisions", not diff,
                    f"eptool apply preview differs from the boot: see preview.diff ({first})")

    def pcr_inputs(self, eptool, payload):
        """eptool pcr's arguments for the files this boot's ESP held: (payload, [options])."""
        build = os.path.dirname(os.path.dirname(eptool))
        copies = {esp_key(v.split(" ", 1)[1]): os.path.join(build, v.split(" ", 1)[0])
                  for v in self.case.values("esp-copy")}
        conf_path = os.path.join(self.outdir, "earlypatch.conf")
        conf = read_text(conf_path) if not self.case.get("no-config") else None
        args = ["--config", conf_path] if conf is not None else []
        named = config_value(conf, "payload")
        if named and esp_key(named) in copies:
            payload = copies[esp_key(named)]
        for key, opt in (("initrd", "--initrd"), ("linux-setup", "--setup")):
            value = config_value(conf, key)
            if value and esp_key(value) in copies:
                args += [opt, copies[esp_key(value)]]
        return payload, args

    def check_pcr(self, eptool, payload):
        """eptool pcr must predict the PCRs the boot read back, and the boot's TCG event log must replay to them."""
        boot = tpm_pcr_lines(self.log)
        if self.case.get("no-replay") or not eptool or not boot:
            return
        payload, args = self.pcr_inputs(eptool, payload)
        out = os.path.join(self.outdir, "pcr.txt")
        with open(out, "w") as f:
            p = subprocess.run([eptool, "pcr", "--log", os.path.join(self.outdir, "esp.log"), payload or "/dev/null"]
                               + args, stdout=f, stderr=subprocess.STDOUT)
        got = tpm_pcr_lines(read_text(out))
        self.record("eptool pcr prediction = boot PCRs", p.returncode == 0 and got == boot,
                    f"eptool pcr predicts {'; '.join(got) or 'nothing'} (exit {p.returncode}), the boot read "
                    f"{'; '.join(boot)}: see pcr.txt")
        img, evlog = os.path.join(self.outdir, "boot.img"), os.path.join(self.outdir, "tpm-eventlog.bin")
        with open(evlog, "wb") as f:
            subprocess.run(["mtype", "-i", img, "::" + EVENTLOG_ESP_PATH], stdout=f, stderr=subprocess.DEVNULL,
                           env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        out = os.path.join(self.outdir, "eventlog.txt")
        with open(out, "w") as f:
            p = subprocess.run([eptool, "pcr", "--eventlog", evlog], stdout=f, stderr=subprocess.STDOUT)
        got = tpm_pcr_lines(read_text(out))
        self.record("TCG event log on the ESP replays to the boot PCRs", p.returncode == 0 and got == boot,
                    f"the ESP's {EVENTLOG_ESP_PATH} replays to {'; '.join(got) or 'nothing'} (exit {p.returncode}): "
                    f"see eventlog.txt")

    def run(self, eptool=None, replay_script=None, payload=None):
        self.check_exit()
        if self.exit_code != "timeout" and not self.log and not self.case.get("esp-readonly"):
            self.record("ESP log present", False, "no ESP log")
        self.check_hypercall()
        self.check_features()
        self.check_selftest()
        self.check_regexes()
        self.check_replay(eptool, replay_script)
        self.check_preview(eptool, payload)
        self.check_pcr(eptool, payload)
        return self.checks


def status_of(case, checks, exit_code):
    failed = [c for c in checks if not c["ok"]]
    if case.get("expect-fail"):
        return "xfail" if failed else "xpass"
    if not failed:
        return "pass"
    if exit_code == "timeout" and case.get("exit") != "timeout":
        return "timeout"
    return "fail"


def reasons_of(status, case, checks):
    failed = [c["why"] for c in checks if not c["ok"]]
    if status == "xpass":
        return [f"expect-fail case passed: the checker missed '{case.get('expect-fail')}'"]
    if status == "xfail":
        return [f"caught (expected): {w}" for w in failed]
    return failed


def check_case(case, outdir, eptool=None, replay_script=None, payload=None):
    """payload: the ELF the boot loaded, for the eptool apply preview (None: no preview)."""
    checker = Checker(case, outdir)
    checks = checker.run(eptool, replay_script, payload)
    status = status_of(case, checks, checker.exit_code)
    return {"status": status, "reasons": reasons_of(status, case, checks), "checks": checks,
            "exit_code": checker.exit_code or "missing"}

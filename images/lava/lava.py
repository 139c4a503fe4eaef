#!/usr/bin/env python3
"""earlypatch's test matrix as LAVA jobs: one job definition per case, run here with lava-run.

  lava.py [options] jobs     OUT/<case>.yaml for each selected case (+ its ESP image in OUT/<case>/)
  lava.py [options] run      jobs, then each one through `lava-run` (no server), its results into
                             OUT/<case>/result.json, OUT/junit.xml, summary.md, report.html
  lava.py [options] report   the reports again from the lava-run logs in OUT/<case>/lava.log

Options: those of images/matrix/matrix.py that select cases (--matrix, --profiles, --build,
--filter, --tags, --shard, --jobs), --out DIR (default BUILD/lava), --device-type TYPE (default
qemu: a QEMU job booting the local runner's command line; any other type: a job for a real device,
without the simulated-platform profiles), --url URL (where a lab downloads OUT from; default
file:// of OUT, for lava-run). docs/testing.md, section LAVA.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MATRIX_DIR = os.path.join(ROOT, "images", "matrix")
sys.dont_write_bytecode = True
sys.path.insert(0, MATRIX_DIR)
sys.path.insert(0, HERE)

import build  # noqa: E402
import check  # noqa: E402
import matrix  # noqa: E402
import reports  # noqa: E402
import run as mrun  # noqa: E402
import spec  # noqa: E402
import expect as ex  # noqa: E402
import results as lres  # noqa: E402
import yamlout  # noqa: E402

QEMU_RUN = os.path.join(HERE, "qemu-run.sh")
RECORD_ARGV = os.path.join(HERE, "record-argv.sh")
LAVA_RUN = os.environ.get("LAVA_RUN", "lava-run")
# Settings a LAVA job cannot honour: the case is left out, with the reason.
UNSUPPORTED = {
    "tpm": "a TPM: swtpm would have to run beside QEMU on the worker",
    "expect-old": "expect-old: the ESP is not read back after a LAVA boot",
}
# Lines on debugcon but not on the serial console: debug lines (log-level info on the console) and
# what the app logs after ExitBootServices, when the firmware console is gone (docs/log-format.md).
DEBUGCON_ONLY = r"^\^(D |[IE] ebs |D memmap )"
# A real device: what only a QEMU boot has, and the expectations about QEMU's CPU model.
QEMU_ONLY_KEYS = ("cpu", "accel", "qemu", "exit", "features", "timeout")


def parse_args(argv):
    ap = argparse.ArgumentParser(description="earlypatch matrix as LAVA jobs", usage=__doc__)
    ap.add_argument("command", choices=["jobs", "run", "report"])
    matrix.add_selection_args(ap)
    ap.add_argument("--device-type", default="qemu")
    ap.add_argument("--url", default="")
    a = ap.parse_args(argv)
    a.matrix = a.matrix or [os.path.join(ROOT, "images", "matrix.txt")]
    a.build = os.path.abspath(a.build)
    a.out = os.path.abspath(a.out or os.path.join(a.build, "lava"))
    a.label = "lava"
    a.qemu = a.device_type == "qemu"
    return a


def unsupported(case, qemu):
    why = [text for key, text in UNSUPPORTED.items() if case.get(key)]
    for key in ("debugcon", "no-debugcon"):
        for rx in case.values(key):
            if re.match(DEBUGCON_ONLY, rx):
                why.append(f"{key} /{rx}/: a line only debugcon carries (the job reads the serial console)")
    for key, _, _ in ex.REGEX_KEYS:
        for rx in case.values(key):
            if re.search(r"\(\?P[<=]|\\[1-9]", rx):
                why.append(f"{key} /{rx}/: a named group or a numbered backreference, which the one "
                           "pattern of all the case's expectations would renumber")
    if case.boots > 1:
        why.append(f"boots {case.boots}: a LAVA job boots once")
    if not qemu and case.get("selftest") not in ("PASS", "FAIL"):
        why.append("a real device's job ends at the selftest result line: the case has none")
    if not qemu and case.get("secureboot"):
        why.append("secureboot: the device's own keys, not OVMF's snakeoil ones, decide")
    return why


# --- Cases for real devices ------------------------------------------------------------------

def raw_cases(paths):
    """(defaults, {name: raw Case}) of each matrix file: the settings as written, before the merge."""
    out = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            defaults, cases = spec.parse_matrix_text(f.read(), path)
        for c in cases:
            out[c.name] = (defaults, c)
    return out


def device_case(raw, case, profile_dir):
    """The case for a real device: its profile's expectations stay (the platform must show them),
    its simulation lines go (the platform is real), and so does what belongs to QEMU's CPU model."""
    defaults, rc = raw[case.name]
    strip = lambda s: {k: v for k, v in s.items() if k not in QEMU_ONLY_KEYS}  # noqa: E731
    profiles = {"__dir__": profile_dir}
    prof = spec.load_profile(profile_dir, case.profile)
    resolved = spec.resolve(strip(defaults), spec.Case(rc.name, rc.source, strip(rc.settings)), profiles)
    sim = prof.config
    conf = resolved.settings.get("config", [])
    for i in range(len(conf) - len(sim) + 1):
        if sim and conf[i:i + len(sim)] == sim:
            conf = conf[:i] + conf[i + len(sim):]
            break
    resolved.settings["config"] = conf
    resolved.settings["features"] = prof.settings.get("features", [])
    if not resolved.settings["features"]:
        del resolved.settings["features"]
    return resolved


# --- The QEMU command line -------------------------------------------------------------------

def local_argv(paths, case, d):
    """QEMU's arguments as scripts/qemu-boot.sh builds them for the case (run with a QEMU that
    records them), the firmware variables it copied, and its accelerator line."""
    tmp = tempfile.mkdtemp(prefix="argv-", dir=d)
    argv_file = os.path.join(tmp, "argv")
    cmd = mrun.boot_command(paths, case, tmp, os.path.join(d, "esp.img"))
    env = dict(mrun.boot_env(paths), QEMU=RECORD_ARGV, EARLYPATCH_LAVA_ARGV=argv_file)
    p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(argv_file):
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError("scripts/qemu-boot.sh failed: " + (p.stderr.strip().splitlines() or ["?"])[-1])
    with open(argv_file, "rb") as f:
        argv = f.read().decode().split("\0")[:-1]
    accel = (check.read_text(os.path.join(tmp, "accel.txt")) or "").strip()
    return argv, tmp, accel


def split_options(argv):
    """QEMU's arguments as LAVA's option list: each option with its value ("-cpu EPYC-Milan")."""
    out, i = [], 0
    while i < len(argv):
        if argv[i].startswith("-") and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            out.append((argv[i], argv[i + 1]))
            i += 2
        else:
            out.append((argv[i], None))
            i += 1
    return out


def drive_props(value):
    return dict(p.split("=", 1) if "=" in p else (p, "") for p in value.split(","))


def with_file(value, label):
    return ",".join(f"file={{{label}}}" if p.startswith("file=") else p for p in value.split(","))


class Artifacts:
    """What a job downloads, and from where: file:// of OUT for lava-run, or the lab's URL."""

    def __init__(self, out, url):
        self.out, self.url = out, url.rstrip("/")

    def url_of(self, path):
        rel = os.path.relpath(path, self.out)
        return f"{self.url}/{rel}" if self.url else "file://" + os.path.abspath(path)

    def firmware(self, path):
        """A copy of the firmware file next to the jobs (a lab boots what this host booted)."""
        dst = os.path.join(self.out, "firmware", os.path.basename(path))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst) or build.sha256_file(dst) != build.sha256_file(path):
            shutil.copyfile(path, dst)
        return dst


def qemu_job_parts(paths, case, d, art):
    """(extra_options, images, accel line): the local runner's command line, with the console on
    stdio (LAVA's connection), debugcon discarded, the firmware and the ESP image deployed."""
    argv, tmp, accel = local_argv(paths, case, d)
    try:
        esp = os.path.join(d, "esp.img")
        images, extra = {}, [f"--earlypatch-timeout={case.timeout}"]
        for opt, val in split_options(argv):
            if opt == "-drive":
                props = drive_props(val)
                if props.get("if") == "pflash" and props.get("unit") == "0":
                    label, src = "ovmf_code", art.firmware(props["file"])
                elif props.get("if") == "pflash" and props.get("unit") == "1":
                    label, src = "ovmf_vars", os.path.join(d, "ovmf_vars.fd")
                    shutil.copyfile(props["file"], src)
                elif os.path.abspath(props.get("file", "")) == os.path.abspath(esp):
                    label, src = "esp", esp
                else:
                    raise RuntimeError(f"a drive LAVA would not deploy: {val}")
                images[label] = {"url": art.url_of(src), "image_arg": f"-drive {with_file(val, label)}"}
                continue
            if opt == "-serial":
                val = "stdio"
            elif opt == "-debugcon":
                val = "null"
            extra.append(opt if val is None else f"{opt} {val}")
        return extra, images, accel
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- Job definitions -------------------------------------------------------------------------

def timeouts(case, deploy_s):
    """(the boot's and test's seconds, the job's timeouts): the case's timeout + 60 s each, the job
    long enough for the deploy, both and 2 minutes more (LAVA refuses an action longer than the job)."""
    boot = case.timeout + 60
    return boot, {"job": {"seconds": deploy_s + 2 * boot + 120}, "action": {"seconds": boot},
                  "connection": {"seconds": boot}}


def monitor(case, qemu):
    decided = ex.decided_checks(case, qemu=qemu)
    return {"name": ex.DEFINITION, "start": ex.start_pattern(), "end": ex.end_pattern(qemu),
            "pattern": ex.monitor_pattern(decided, ex.line_regexes(case), () if qemu else ("selftest",)),
            "fixupdict": dict(ex.FIXUPDICT)}


def monitors(case, qemu):
    """The main monitor, after one for the console before the app when the case has `console`
    regexes (the checker reads the whole console: a firmware that refuses the app says so there)."""
    con = ex.line_regexes(case, [k for k in ex.REGEX_KEYS if k[0] == "console"])
    first = [{"name": ex.FIRMWARE_DEFINITION, "start": r"(?=.)", "end": ex.firmware_end_pattern(),
              "pattern": ex.monitor_pattern([], con), "fixupdict": dict(ex.FIXUPDICT)}] if con else []
    return first + [monitor(case, qemu)]


def metadata(case, qemu, accel=""):
    md = {"earlypatch.case": case.name, "earlypatch.source": os.path.relpath(case.source, ROOT)}
    if qemu:
        md["earlypatch.cpu"] = case.cpu
    md["earlypatch.profile"] = case.profile
    if accel:
        md["earlypatch.accel"] = accel
    if case.get("expect-fail"):
        md["earlypatch.expect-fail"] = case.get("expect-fail")
    return md


QEMU_DEPLOY_S = 300
DEVICE_DEPLOY_S = 600


def qemu_job_dict(case, extra, images, accel=""):
    boot, tos = timeouts(case, QEMU_DEPLOY_S)
    return {
        "device_type": "qemu",
        "job_name": f"earlypatch {case.name}",
        "timeouts": tos,
        "priority": "medium",
        "visibility": "public",
        "context": {"arch": "amd64", "no_kvm": "true", "extra_options": extra},
        "metadata": metadata(case, True, accel),
        "actions": [
            {"deploy": {"to": "tmpfs", "timeout": {"seconds": QEMU_DEPLOY_S}, "images": images}},
            {"boot": {"method": "qemu", "media": "tmpfs", "timeout": {"seconds": boot}}},
            {"test": {"timeout": {"seconds": boot}, "monitors": monitors(case, True)}},
        ],
    }


def device_job_dict(case, device_type, esp_url):
    boot, tos = timeouts(case, DEVICE_DEPLOY_S)
    return {
        "device_type": device_type,
        "job_name": f"earlypatch {case.name} on {device_type}",
        "timeouts": tos,
        "priority": "medium",
        "visibility": "public",
        "metadata": metadata(case, False),
        "actions": [
            {"deploy": {"to": "flasher", "timeout": {"seconds": DEVICE_DEPLOY_S}, "images": {"esp": {"url": esp_url}}}},
            {"boot": {"method": "minimal", "timeout": {"seconds": boot}}},
            {"test": {"timeout": {"seconds": boot}, "monitors": monitors(case, False)}},
        ],
    }


def qemu_job(paths, case, d, a, art):
    extra, images, accel = qemu_job_parts(paths, case, d, art)
    return qemu_job_dict(case, extra, images, accel), accel


def device_job(paths, case, d, a, art):
    return device_job_dict(case, a.device_type, art.url_of(os.path.join(d, "esp.img"))), ""


def local_device(job):
    """The device configuration lava-server would render for a QEMU job from images/lava/qemu.jinja2
    and the job's context: qemu-run.sh as the command, the job's extra_options as its arguments."""
    return {
        "constants": {
            "failure_retry": 1, "boot_retry": 1, "spawn_maxread": "4092",
            "shutdown-message": "The system is going down for reboot NOW",
            "kernel-start-message": "Linux version [0-9]",
            "default-shell-prompt": "lava-test: # ",
            "posix": {"lava_test_sh_cmd": "/bin/sh", "lava_test_results_dir": "/lava-%s",
                      "lava_test_shell_file": "~/.bashrc"},
        },
        "parameters": {"pass": None},
        "available_architectures": ["amd64", "x86_64"],
        "actions": {
            "deploy": {"connections": {"serial": None}, "methods": {"image": {"parameters": {}}}},
            "boot": {"connections": {"serial": None},
                     "methods": {"qemu": {"parameters": {"command": QEMU_RUN, "options": [],
                                                         "extra": job["context"]["extra_options"]}}}},
        },
        "timeouts": {"actions": {}, "connections": {}},
    }


def write_yaml(path, data, head=""):
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + yamlout.dump(data))


def job_path(a, case):
    return os.path.join(a.out, case.name + ".yaml")


def console_carries_all(case):
    """The case with `log-level debug` in its config unless it sets a level itself: a job reads the
    serial console, which at the default level has the summaries but not the detail lines (the raw
    CPUID leaves, the capability words, one line per site: docs/log-format.md) its expectations
    may name."""
    conf = case.values("config")
    if any(re.match(r"log-level[ =]", line) for line in conf):
        return case
    return spec.Case(case.name, case.source, {**case.settings, "config": conf + ["log-level debug"]})


def make_job(paths, case, a, art, raw):
    """Builds the case's image and writes its job: None, or why the case has no job."""
    why = unsupported(case, a.qemu)
    if why:
        return "; ".join(why)
    if not a.qemu:
        case = device_case(raw, case, a.profiles)
    case = console_carries_all(case)
    err = build.build_case(paths, case)
    if err:
        return err
    d = paths.case_dir(case)
    try:
        job, accel = (qemu_job if a.qemu else device_job)(paths, case, d, a, art)
    except RuntimeError as e:
        return str(e)
    head = (f"# LAVA job for earlypatch's case {case.name} ({os.path.relpath(case.source, ROOT)}), written by\n"
            f"# images/lava/lava.py: submit with `lavacli jobs submit {os.path.basename(job_path(a, case))}`"
            f" (docs/testing.md, LAVA).\n")
    write_yaml(job_path(a, case), job, head)
    if a.qemu:
        write_yaml(os.path.join(d, "device.yaml"), local_device(job),
                   "# lava-run's device configuration for this job (images/lava/qemu.jinja2 rendered).\n")
    return None


def cmd_jobs(a, paths, cases):
    os.makedirs(a.out, exist_ok=True)
    art = Artifacts(a.out, a.url)
    raw = raw_cases(a.matrix) if not a.qemu else {}
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        errs = list(pool.map(lambda c: make_job(paths, c, a, art, raw), cases))
    made = [c for c, e in zip(cases, errs) if e is None]
    for c, e in zip(cases, errs):
        if e:
            print(f"lava: {c.name}: no job: {e}", file=sys.stderr)
    with open(os.path.join(a.out, "jobs.txt"), "w") as f:
        f.write("".join(os.path.relpath(job_path(a, c), a.out) + "\n" for c in made))
    print(f"lava: {len(made)} job definitions ({a.device_type}) in {os.path.relpath(a.out)}/"
          + (f", {len(cases) - len(made)} cases without one" if len(made) < len(cases) else ""))
    return made, [c for c, e in zip(cases, errs) if e]


# --- lava-run --------------------------------------------------------------------------------

def run_one(a, case, job_id):
    d = os.path.join(a.out, case.name)
    log = os.path.join(d, "lava.log")
    tmp = os.path.join(d, "lava")
    shutil.rmtree(tmp, ignore_errors=True)
    start = time.monotonic()
    limit = timeouts(case, QEMU_DEPLOY_S)[1]["job"]["seconds"] + 60
    with open(log, "w") as f:
        try:
            p = subprocess.run([LAVA_RUN, "--job-id", str(job_id), "--output-dir", tmp,
                                "--device", os.path.join(d, "device.yaml"), job_path(a, case)],
                               stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=d, timeout=limit)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = "killed"
    return lres.finish_case(case, d, log, rc, round(time.monotonic() - start, 1))


def lava_run_available():
    return shutil.which(LAVA_RUN) is not None


def cmd_run(a, paths, cases):
    if not a.qemu:
        print("lava: lava-run runs QEMU jobs only (DEVICE_TYPE=qemu): submit the others to a lab", file=sys.stderr)
        return 2
    if not lava_run_available():
        print(f"lava: {LAVA_RUN} not found (Debian package lava-dispatcher; `make lava-run` installs it)",
              file=sys.stderr)
        return 1
    if not mrun.check_accel(paths):
        print("lava: no boot: the accelerator check failed (above)", file=sys.stderr)
        return 1
    made, skipped = cmd_jobs(a, paths, cases)
    if not made:
        print("lava: no job to run", file=sys.stderr)
        return 1
    progress = mrun.Progress(len(made), os.path.relpath(a.out))
    base = (os.getpid() % 10000) * 1000

    def one(ic):
        i, case = ic
        progress.started(case.name)
        r = run_one(a, case, base + i)
        progress.finished(r)
        return r

    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = list(pool.map(one, enumerate(made)))
    progress.close()
    return finish(a, made, results)


def finish(a, cases, results):
    full = [matrix.enrich(dict(r), os.path.join(a.out, c.name), os.path.join(a.out, c.name))
            for c, r in zip(cases, results)]
    matrix.write_reports(a, full)
    print(f"lava: reports in {os.path.relpath(a.out)}/report.html, summary.md, junit.xml")
    print(reports.summary_line(results, "lava"))
    return 0 if reports.counts(results)[1] == 0 else 1


def cmd_report(a, cases):
    done, results = [], []
    for c in cases:
        d = os.path.join(a.out, c.name)
        r = check.read_text(os.path.join(d, "result.json"))
        log = os.path.join(d, "lava.log")
        if os.path.exists(log):
            prev = json.loads(r) if r else {}
            results.append(lres.finish_case(c, d, log, prev.get("lava_run_exit", 0), prev.get("seconds", 0)))
            done.append(c)
    if not results:
        print(f"lava: no lava-run logs in {a.out}: run `make lava-run` first", file=sys.stderr)
        return 1
    return finish(a, done, results)


def main(argv):
    a = parse_args(argv)
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", a.device_type):
        print(f"lava: bad DEVICE_TYPE '{a.device_type}'", file=sys.stderr)
        return 2
    try:
        cases = spec.select(spec.load_matrix(a.matrix, a.profiles), a.filter, a.tags, a.shard)
    except (spec.SpecError, OSError) as e:
        print(f"lava: {e}", file=sys.stderr)
        return 2
    if not cases:
        print("lava: no case selected (check FILTER, TAGS, SHARD)", file=sys.stderr)
        return 1
    paths = build.Paths(ROOT, a.build, a.out)
    if a.command == "jobs":
        made, skipped = cmd_jobs(a, paths, cases)
        return 0 if made else 1
    if a.command == "report":
        return cmd_report(a, cases)
    return cmd_run(a, paths, cases)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

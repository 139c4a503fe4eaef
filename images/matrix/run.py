"""Boots the cases in parallel and checks each one as soon as it ends.

scripts/accel.sh picks the accelerator (ACCEL=auto|kvm|tcg, cached per build): once up front, so
ACCEL=kvm on a host whose KVM cannot run guests stops the run at once, then per boot with the
case's `accel` (tcg for the expectations that hold only under TCG).

Each case boots a copy of its image (boot.img), so esp.img stays what `make images` built;
`boots N` boots that copy N times (the outputs are the last boot's), `esp-readonly` attaches it
read-only. After the boot the ESP log and the previous boot's (earlypatch.log.old) are read back.
scripts/qemu-boot.sh kills a guest at the case's timeout and writes exit_code "timeout"; this
runner also kills the whole process group if the script itself overruns.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from build import build_case
from check import PASSED, check_case

OUTPUTS = ("console.txt", "serial.txt", "debugcon.txt", "esp.log", "esp.log.old", "exit_code", "qemu.stderr",
           "result.json", "boot.img", "boot.stderr", "accel.txt", "preview.txt", "preview.diff",
           "preview.elf", "pcr.txt", "eventlog.txt", "tpm-eventlog.bin")


def boot_env(paths):
    """qemu-boot.sh and accel.sh find the probe image and the verdict cache through BUILD."""
    return dict(os.environ, BUILD=paths.build)


def check_accel(paths):
    """The verdict once, up front: prints its one line; False when ACCEL=kvm cannot be honoured."""
    p = subprocess.run([paths.accel], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=boot_env(paths))
    return p.returncode == 0


def accel_of(d):
    """The accelerator the boot ran under, from qemu-boot.sh's accel.txt ("accel: tcg (why)")."""
    try:
        with open(os.path.join(d, "accel.txt"), encoding="utf-8") as f:
            words = f.readline().split()
    except OSError:
        return ""
    return words[1] if len(words) > 1 and words[0] == "accel:" else ""


def clean_outputs(d):
    for name in OUTPUTS:
        p = os.path.join(d, name)
        if os.path.lexists(p):
            os.unlink(p)


def boot_command(paths, case, d, img):
    """The scripts/qemu-boot.sh command line that boots img for the case, its outputs going to d
    (images/lava/ runs it with a QEMU that only records its arguments)."""
    cmd = [paths.qemu_boot, "--esp", img, "--out", d, "--cpu", case.cpu, "--timeout", str(case.timeout),
           "--case-accel", case.accel] + (["--esp-readonly"] if case.get("esp-readonly") else [])
    cmd += (["--secureboot"] if case.get("secureboot") else []) + (["--tpm"] if case.get("tpm") else [])
    extra = [w for v in case.values("qemu") for w in shlex.split(v)]
    if extra:
        cmd += ["--"] + extra
    return cmd


def boot_once(paths, case, d, img):
    """One boot of img; False when the runner had to kill qemu-boot.sh itself."""
    cmd = boot_command(paths, case, d, img)
    with open(os.path.join(d, "boot.stderr"), "a") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                             start_new_session=True, env=boot_env(paths))
        try:
            p.wait(timeout=case.timeout + 60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            with open(os.path.join(d, "exit_code"), "w") as f:
                f.write("timeout\n")
            return False
    return True


def read_back(img, esp_path, out):
    """A file of the ESP image (empty when it is not there)."""
    with open(out, "wb") as f:
        subprocess.run(["mtype", "-i", img, "::" + esp_path], stdout=f, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))


def boot(paths, case, d):
    img = os.path.join(d, "boot.img")
    # Sparse: a 48 MiB image holds about 1 MiB of data.
    subprocess.run(["cp", "--sparse=always", os.path.join(d, "esp.img"), img], check=True)
    for _ in range(case.boots):
        if not boot_once(paths, case, d, img):
            break
    # The firmware console is the serial port: one stream, kept under both names.
    if os.path.exists(os.path.join(d, "console.txt")):
        os.symlink("console.txt", os.path.join(d, "serial.txt"))
    read_back(img, "/EFI/earlypatch/earlypatch.log", os.path.join(d, "esp.log"))
    read_back(img, "/EFI/earlypatch/earlypatch.log.old", os.path.join(d, "esp.log.old"))


def run_case(paths, case):
    d = paths.case_dir(case)
    start = time.monotonic()
    err = build_case(paths, case)
    clean_outputs(d)
    if err:
        result = {"status": "error", "reasons": [err], "checks": [], "exit_code": "missing"}
    else:
        boot(paths, case, d)
        eptool = paths.eptool if os.access(paths.eptool, os.X_OK) else None
        result = check_case(case, d, eptool, paths.replay, paths.boot_payload(case))
    result.update(name=case.name, cpu=case.cpu, profile=case.profile, tags=case.tags, accel=accel_of(d),
                  notes=case.values("note"), expect_fail=case.get("expect-fail"),
                  seconds=round(time.monotonic() - start, 1))
    with open(os.path.join(d, "result.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    return result


MAX_REASONS = 6


def where_of(r):
    """The "CPU, profile, accelerator" of a case's line (no profile when it has none)."""
    return ", ".join(x for x in (r["cpu"], "" if r["profile"] == "none" else r["profile"], r.get("accel")) if x)


class Progress:
    """A live status line on a terminal; one line per finished case otherwise."""

    def __init__(self, total, outdir, stream=sys.stdout):
        self.total, self.outdir, self.stream = total, outdir, stream
        self.tty = stream.isatty()
        self.done, self.counts, self.running = 0, {}, []
        self.start = time.monotonic()
        self.lock = threading.Lock()

    def line(self):
        el = int(time.monotonic() - self.start)
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        run = ", ".join(self.running[:3]) + (" ..." if len(self.running) > 3 else "")
        return f"[{self.done}/{self.total}] {el // 60}:{el % 60:02d} {counts} | running: {run}"

    def redraw(self):
        if self.tty:
            self.stream.write("\r\033[K" + self.line()[:200])
            self.stream.flush()

    def started(self, name):
        with self.lock:
            self.running.append(name)
            self.redraw()

    def finished(self, r):
        with self.lock:
            self.running.remove(r["name"])
            self.done += 1
            self.counts[r["status"]] = self.counts.get(r["status"], 0) + 1
            bad = r["status"] not in PASSED
            if bad or not self.tty:
                if self.tty:
                    self.stream.write("\r\033[K")
                self.stream.write(f"[{self.done}/{self.total}] {r['status'].upper():7} {r['name']} "
                                  f"({where_of(r)}) {r['seconds']}s{self.why(r) if bad else ''}\n")
            self.redraw()

    def why(self, r):
        """The reasons (the first MAX_REASONS) and where the case's outputs are."""
        more = len(r["reasons"]) - MAX_REASONS
        return (": " + "; ".join(r["reasons"][:MAX_REASONS]) + (f"; (+{more} more)" if more > 0 else "")
                + f" [see {os.path.join(self.outdir, r['name'])}]")

    def ticker(self, stop):
        while not stop.wait(1.0):
            with self.lock:
                self.redraw()

    def close(self):
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()


def run_all(paths, cases, jobs):
    progress = Progress(len(cases), os.path.relpath(paths.out))
    stop = threading.Event()
    threading.Thread(target=progress.ticker, args=(stop,), daemon=True).start()

    def one(case):
        progress.started(case.name)
        r = run_case(paths, case)
        progress.finished(r)
        return r

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, cases))
    stop.set()
    progress.close()
    return results

"""ESP images, one per case: build/matrix/<case>/esp.img, built by images/mkesp.sh.

The same inputs give the same bytes (mkesp.sh fixes timestamps and the volume serial), so an
image is rebuilt only when the digest of its inputs changes, and `repro` checks the claim by
building every image a second time from copies of the inputs with other mtimes.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from spec import config_text


class Paths:
    def __init__(self, root, build, out):
        self.root, self.build, self.out = root, build, out
        self.app = os.path.join(build, "efi", "earlypatch.efi")
        self.eptool = os.path.join(build, "host", "eptool")
        self.mkesp = os.path.join(root, "images", "mkesp.sh")
        self.qemu_boot = os.path.join(root, "scripts", "qemu-boot.sh")
        self.accel = os.path.join(root, "scripts", "accel.sh")
        self.replay = os.path.join(root, "tests", "facts", "replay-check.sh")

    def case_dir(self, case):
        return os.path.join(self.out, case.name)

    def payload(self, case):
        p = case.get("payload", "payloads/selftest.elf")
        return None if p == "none" else os.path.join(self.build, p)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def inputs_digest(paths, case, conf):
    h = hashlib.sha256(conf.encode())
    for p in (paths.app, paths.payload(case), paths.mkesp):
        h.update((sha256_file(p) if p else "no-payload").encode())
    return h.hexdigest()


def make_image(mkesp, img, app, conf_path, payload):
    """Runs mkesp.sh; returns None or the error text."""
    cmd = [mkesp, img, app, "--config", conf_path] + (["--payload", payload] if payload else [])
    p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    if p.returncode == 0:
        return None
    lines = (p.stderr or p.stdout).strip().splitlines()
    return lines[-1] if lines else f"mkesp.sh exited {p.returncode}"


def build_case(paths, case, force=False):
    """Writes the case's config, case.json and esp.img. Returns None or an error string."""
    d = paths.case_dir(case)
    os.makedirs(d, exist_ok=True)
    payload = paths.payload(case)
    for p in (paths.app, payload):
        if p and not os.path.isfile(p):
            return f"missing input {p} (run make all)"
    conf = config_text(case)
    conf_path = os.path.join(d, "earlypatch.conf")
    with open(conf_path, "w", encoding="utf-8") as f:
        f.write(conf)
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
        json.dump({"name": case.name, "source": case.source, "settings": case.settings}, f, indent=1)
    digest = inputs_digest(paths, case, conf)
    stamp, img = os.path.join(d, "esp.inputs"), os.path.join(d, "esp.img")
    if not force and os.path.isfile(img) and _read(stamp) == digest:
        return None
    err = make_image(paths.mkesp, img, paths.app, conf_path, payload)
    if err:
        return "cannot build the ESP image: " + err
    with open(stamp, "w") as f:
        f.write(digest)
    return None


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def write_manifest(paths, cases, name="images.sha256"):
    lines = [f"{sha256_file(os.path.join(paths.case_dir(c), 'esp.img'))}  {c.name}/esp.img" for c in cases]
    with open(os.path.join(paths.out, name), "w") as f:
        f.write("\n".join(lines) + "\n")
    return lines


def repro_check(paths, cases):
    """Builds each case again from copied inputs with different mtimes; compares the hashes."""
    same, differ = 0, []
    with tempfile.TemporaryDirectory(prefix="matrix-repro-") as tmp:
        app = os.path.join(tmp, "app.efi")
        shutil.copyfile(paths.app, app)
        os.utime(app, (1234567890, 1234567890))  # an mtime unlike the original's
        for case in cases:
            first = os.path.join(paths.case_dir(case), "esp.img")
            conf = os.path.join(tmp, case.name + ".conf")
            with open(conf, "w", encoding="utf-8") as f:
                f.write(config_text(case))
            payload = paths.payload(case)
            if payload:
                copy = os.path.join(tmp, case.name + ".elf")
                shutil.copyfile(payload, copy)
                payload = copy
            second = os.path.join(tmp, case.name + ".img")
            err = make_image(paths.mkesp, second, app, conf, payload)
            if err or sha256_file(first) != sha256_file(second):
                differ.append(case.name)
            else:
                same += 1
            os.unlink(second)
    return same, differ

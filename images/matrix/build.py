"""ESP images, one per case: build/matrix/<case>/esp.img, built by images/mkesp.sh.

What goes on a case's ESP: the app; its earlypatch.conf (none with `no-config`); its payload, cut
to its first N bytes with `payload-truncate N` (kept as <case>/payload.elf, which the boot and the
eptool preview then use); each `esp-file PATH SIZE`, SIZE bytes of "X stale esp-file line" lines
(the image grows to hold them).

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
        """The payload the case names (before any payload-truncate)."""
        p = case.get("payload", "payloads/selftest.elf")
        return None if p == "none" else os.path.join(self.build, p)

    def boot_payload(self, case):
        """The payload put on the ESP: the cut copy with payload-truncate."""
        if case.get("payload-truncate") and self.payload(case):
            return os.path.join(self.case_dir(case), "payload.elf")
        return self.payload(case)


ESP_MB = 48  # mkesp.sh's default image size
STALE_LINE = b"X stale esp-file line\n"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def inputs_digest(paths, case, conf):
    h = hashlib.sha256(("no-config" if conf is None else conf).encode())
    for p in (paths.app, paths.boot_payload(case), paths.mkesp):
        h.update((sha256_file(p) if p else "no-payload").encode())
    h.update(repr((case.values("esp-file"), case.values("tamper"), case.get("secureboot"), case.get("unsigned"),
                   case.get("damage-pack"))).encode())
    for src, esp_path in esp_copies(paths, case):
        h.update((esp_path + sha256_file(src)).encode())
    return h.hexdigest()


def esp_copies(paths, case):
    """Each esp-copy as (build file, ESP path)."""
    return [(os.path.join(paths.build, v.split(" ", 1)[0]), v.split(" ", 1)[1]) for v in case.values("esp-copy")]


def write_conf(d, case):
    """The case's earlypatch.conf in d (removed with no-config); returns its path or None."""
    conf, path = config_text(case), os.path.join(d, "earlypatch.conf")
    if conf is None:
        if os.path.exists(path):
            os.unlink(path)
        return None
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(conf)
    return path


def cut_payload(payload, n, out):
    """payload-truncate: the first n bytes of the payload, written to out."""
    with open(payload, "rb") as f:
        data = f.read(n)
    with open(out, "wb") as f:
        f.write(data)
    return out


def write_esp_file(path, size):
    """size bytes of STALE_LINE lines (as `yes "X stale esp-file line" | head -c size` writes)."""
    chunk = STALE_LINE * 65536
    with open(path, "wb") as f:
        for at in range(0, size, len(chunk)):
            f.write(chunk[: size - at])


def esp_file_args(case, d, copies=()):
    """Writes each esp-file's content into d; returns (mkesp.sh arguments, the files written)."""
    args, files, size_mb = [], [], ESP_MB
    for src, esp_path in copies:
        args += ["--file", f"{src}={esp_path}"]
    for i, value in enumerate(case.values("esp-file")):
        esp_path, size = value.rsplit(" ", 1)
        src = os.path.join(d, f"esp-file.{i}")
        write_esp_file(src, int(size))
        args += ["--file", f"{src}={esp_path}"]
        files.append(src)
        size_mb += int(size) // (1 << 20) + 2
    return (args + ["--size-mb", str(size_mb)] if files else args), files


def make_image(mkesp, img, app, conf_path, payload, extra=()):
    """Runs mkesp.sh; returns None or the error text."""
    cmd = [mkesp, img, app] + (["--config", conf_path] if conf_path else []) + \
        (["--payload", payload] if payload else []) + list(extra)
    p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    if p.returncode == 0:
        return None
    lines = (p.stderr or p.stdout).strip().splitlines()
    return lines[-1] if lines else f"mkesp.sh exited {p.returncode}"


def stage_inputs(case, d, payload):
    """Writes the case's earlypatch.conf and its cut payload into d: (config path, payload path)."""
    conf_path = write_conf(d, case)
    if payload and case.get("payload-truncate"):
        payload = cut_payload(payload, int(case.get("payload-truncate")), os.path.join(d, "payload.elf"))
    return conf_path, payload


def sign_args(paths, case):
    """mkesp.sh --sign with Debian OVMF's snakeoil key for a secureboot case (not `unsigned`)."""
    if not case.get("secureboot") or case.get("unsigned"):
        return []
    key = subprocess.run([os.path.join(paths.root, "scripts", "snakeoil-key.sh")], capture_output=True, text=True,
                         env=dict(os.environ, BUILD=paths.build), check=True).stdout.strip()
    return ["--sign", key, "/usr/share/ovmf/PkKek-1-snakeoil.pem"]


def tamper(img, case):
    """Flips the last byte of each `tamper` file inside the image (after it was pinned and signed)."""
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for esp_path in case.values("tamper"):
        mpath = "::" + esp_path.replace("\\", "/")
        data = bytearray(subprocess.run(["mtype", "-i", img, mpath], capture_output=True, env=env, check=True).stdout)
        data[-1] ^= 0x01
        tmp = img + ".tamper"
        with open(tmp, "wb") as f:
            f.write(data)
        subprocess.run(["mcopy", "-o", "-i", img, tmp, mpath], env=env, check=True)
        os.unlink(tmp)


PACKED_MAGIC = b"earlypatch-pack1"  # core/pack/packed.h: magic, u64 length, one gzip member


def case_app(paths, case, d):
    """earlypatch.efi for the case: the build's, or for `damage-pack` a copy whose packed
    application has one byte of its gzip CRC-32 flipped (None if the build is not packed)."""
    if not case.get("damage-pack"):
        return paths.app
    with open(paths.app, "rb") as f:
        data = bytearray(f.read())
    at = data.find(PACKED_MAGIC)
    if at < 0:
        return None
    end = at + 24 + int.from_bytes(data[at + 16:at + 24], "little")
    data[end - 8] ^= 0x01
    app = os.path.join(d, "earlypatch-damaged.efi")
    with open(app, "wb") as f:
        f.write(data)
    return app


def make_case_image(mkesp, case, d, img, app, conf_path, payload, copies=(), sign=()):
    """mkesp.sh with the case's esp-files (written into d for the build only). None or the error."""
    extra, files = esp_file_args(case, d, copies)
    extra = list(extra) + list(sign)
    try:
        return make_image(mkesp, img, app, conf_path, payload, extra)
    finally:
        for f in files:
            os.unlink(f)


def build_case(paths, case, force=False):
    """Writes the case's config, case.json and esp.img. Returns None or an error string."""
    d = paths.case_dir(case)
    os.makedirs(d, exist_ok=True)
    payload = paths.payload(case)
    for p in (paths.app, payload) + tuple(src for src, _ in esp_copies(paths, case)):
        if p and not os.path.isfile(p):
            return f"missing input {p} (run make all)"
    conf_path, payload = stage_inputs(case, d, payload)
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
        json.dump({"name": case.name, "source": case.source, "settings": case.settings}, f, indent=1)
    digest = inputs_digest(paths, case, config_text(case))
    stamp, img = os.path.join(d, "esp.inputs"), os.path.join(d, "esp.img")
    if not force and os.path.isfile(img) and _read(stamp) == digest:
        return None
    app = case_app(paths, case, d)
    if app is None:
        return "damage-pack needs a packed earlypatch.efi (built with PACK=1)"
    err = make_case_image(paths.mkesp, case, d, img, app, conf_path, payload, esp_copies(paths, case),
                          sign_args(paths, case))
    if err:
        return "cannot build the ESP image: " + err
    tamper(img, case)
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
            staged = os.path.join(tmp, case.name)
            os.makedirs(staged)
            payload = paths.payload(case)
            if payload:
                copy = os.path.join(staged, "source.elf")
                shutil.copyfile(payload, copy)
                payload = copy
            second = os.path.join(tmp, case.name + ".img")
            conf_path, payload = stage_inputs(case, staged, payload)
            err = make_case_image(paths.mkesp, case, staged, second, app, conf_path, payload)
            if err or sha256_file(first) != sha256_file(second):
                differ.append(case.name)
            else:
                same += 1
            os.unlink(second)
            shutil.rmtree(staged)
    return same, differ

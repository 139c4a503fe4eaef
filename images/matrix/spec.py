"""The matrix file and the profiles: parsed into Case objects.

A matrix file is a list of blocks. A block starts with `defaults` or `case NAME` at the start of
a line; its settings are the indented lines that follow, one `key value` each. A `#` at the start
of a line or after whitespace starts a comment (write `[#]` in a regex that needs one).
The keys are documented in docs/testing.md and in KEYS below.

A profile is images/profiles/NAME.conf: earlypatch.conf lines (the simulation) plus `#@ key
value` lines with the same keys as a case, which every case using the profile inherits. A case's
`config-file` is read the same way: its `#@` lines are settings of the case, and its text, byte
for byte, is the case's earlypatch.conf.
"""

import os
import re
import shlex
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
SELFTEST_VALUES = ("PASS", "FAIL", "none")
ACCEL_VALUES = ("tcg", "any")

# key -> (kind, help). Kinds: scalar (last one wins), list (accumulates), flag (no value).
KEYS = {
    "cpu": ("scalar", "QEMU -cpu model"),
    "accel": ("scalar", "tcg: the expectations hold only under TCG; any: follow ACCEL (scripts/accel.sh)"),
    "profile": ("scalar", "platform profile: images/profiles/NAME.conf"),
    "payload": ("scalar", "payload ELF relative to the build dir, or `none`"),
    "qemu": ("list", "extra QEMU arguments (shell words)"),
    "config": ("list", "an earlypatch.conf line, after the profile's lines"),
    "config-file": ("scalar", "the earlypatch.conf, byte for byte (from the repo root); its #@ lines are settings"),
    "no-config": ("flag", "no earlypatch.conf on the ESP (config lines are not used)"),
    "payload-truncate": ("scalar", "cut the payload to its first N bytes (a malformed ELF)"),
    "esp-file": ("list", "PATH SIZE: a SIZE-byte file of 'X stale esp-file line' lines at PATH on the ESP"),
    "esp-copy": ("list", "SRC PATH: the build file SRC (relative to the build dir) at PATH on the ESP"),
    "secureboot": ("flag", "Secure Boot on (OVMF secboot + snakeoil vars); the image is pinned and signed (mkesp.sh --sign)"),
    "unsigned": ("flag", "with secureboot: the image is not signed (the firmware must refuse it)"),
    "tamper": ("list", "ESP PATH: one byte of that file flipped after the image was signed"),
    "damage-pack": ("flag", "earlypatch.efi's packed application has one byte of its CRC-32 flipped (the stub refuses it)"),
    "tpm": ("flag", "a TPM 2.0 (swtpm) on the machine"),
    "esp-readonly": ("flag", "the ESP drive is read-only (no log is written: no 'no ESP log' check)"),
    "boots": ("scalar", "boot the same image N times; the checks look at the last boot"),
    "tags": ("list", "words to select cases by (TAGS=quick)"),
    "timeout": ("scalar", "seconds before the guest is killed"),
    "note": ("list", "free text shown in the reports"),
    "hypercall": ("scalar", "expected mechanism [reason]"),
    "features": ("list", "+name must be in `I cpu features`, -name must not"),
    "selftest": ("scalar", "expected selftest result: PASS, FAIL or none"),
    "exit": ("scalar", "expected QEMU exit status, or `timeout`"),
    "expect": ("list", "regex a line of the ESP log must match"),
    "reject": ("list", "regex no line of the ESP log may match"),
    "console": ("list", "regex the serial console must match"),
    "no-console": ("list", "regex the serial console must not match"),
    "debugcon": ("list", "regex the debugcon output must match"),
    "no-debugcon": ("list", "regex the debugcon output must not match"),
    "expect-old": ("list", "regex a line of earlypatch.log.old (the previous boot's log) must match"),
    "expect-fail": ("scalar", "the expectations are wrong on purpose: the checker must fail the case"),
    "no-replay": ("flag", "skip the eptool replays (cpu facts, apply preview) of the boot"),
}


class SpecError(Exception):
    pass


@dataclass
class Case:
    name: str
    source: str  # "file:line" of the `case` line
    settings: dict = field(default_factory=dict)

    def get(self, key, default=None):
        return self.settings.get(key, default)

    def values(self, key):
        return self.settings.get(key, [])

    @property
    def cpu(self):
        return self.get("cpu", "qemu64")

    @property
    def accel(self):
        return self.get("accel", "any")

    @property
    def profile(self):
        return self.get("profile", "none")

    @property
    def tags(self):
        return [t for v in self.values("tags") for t in v.split()]

    @property
    def timeout(self):
        return int(self.get("timeout", "60"))

    @property
    def boots(self):
        return int(self.get("boots", "1"))


def strip_comment(line):
    if line.lstrip().startswith("#"):
        return ""
    m = re.search(r"\s#", line)
    return line[: m.start()] if m else line


def add_setting(settings, key, value, where):
    if key not in KEYS:
        raise SpecError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(KEYS))})")
    kind = KEYS[key][0]
    if kind == "flag":
        if value:
            raise SpecError(f"{where}: '{key}' takes no value")
        settings[key] = True
    elif not value:
        raise SpecError(f"{where}: '{key}' needs a value")
    elif kind == "list":
        settings.setdefault(key, []).append(value)
    else:
        settings[key] = value


def validate_value(key, value, where):
    if key == "selftest" and value not in SELFTEST_VALUES:
        raise SpecError(f"{where}: selftest must be one of {', '.join(SELFTEST_VALUES)}")
    if key == "accel" and value not in ACCEL_VALUES:
        raise SpecError(f"{where}: accel must be one of {', '.join(ACCEL_VALUES)}")
    if key in ("timeout",) and not value.isdigit():
        raise SpecError(f"{where}: {key} must be a number of seconds")
    if key in ("payload-truncate", "boots") and not (value.isdigit() and int(value) > 0):
        raise SpecError(f"{where}: {key} must be a positive number")
    if key == "esp-file" and not re.match(r"^\S.* \d+$", value):
        raise SpecError(f"{where}: esp-file must be 'PATH SIZE'")
    if key == "exit" and not (value.isdigit() or value == "timeout"):
        raise SpecError(f"{where}: exit must be a number or 'timeout'")
    if key in ("expect", "reject", "console", "no-console", "debugcon", "no-debugcon", "expect-old"):
        try:
            re.compile(value)
        except re.error as e:
            raise SpecError(f"{where}: bad regex /{value}/: {e}") from None
    if key == "features":
        for w in value.split():
            if w[0] not in "+-" or len(w) < 2:
                raise SpecError(f"{where}: feature '{w}' must be +name or -name")
    if key == "qemu":
        try:
            shlex.split(value)
        except ValueError as e:
            raise SpecError(f"{where}: qemu: {e}") from None


def parse_matrix_text(text, path="<matrix>"):
    """Returns (defaults dict, [Case]) in file order."""
    defaults, cases, current = {}, [], None
    for no, raw in enumerate(text.splitlines(), 1):
        where = f"{path}:{no}"
        line = strip_comment(raw).rstrip()
        if not line.strip():
            continue
        if not line[0].isspace():
            word, _, rest = line.partition(" ")
            rest = rest.strip()
            if word == "defaults" and not rest:
                current = defaults
            elif word == "case":
                if not NAME_RE.match(rest):
                    raise SpecError(f"{where}: bad case name '{rest}' (letters, digits, . _ + -)")
                if any(c.name == rest for c in cases):
                    raise SpecError(f"{where}: case '{rest}' defined twice")
                cases.append(Case(rest, where))
                current = cases[-1].settings
            else:
                raise SpecError(f"{where}: expected 'defaults' or 'case NAME', got '{line.strip()}'")
            continue
        if current is None:
            raise SpecError(f"{where}: setting outside a block")
        key, _, value = line.strip().partition(" ")
        value = value.strip()
        add_setting(current, key, value, where)
        if value:
            validate_value(key, value, where)
    return defaults, cases


@dataclass
class Profile:
    name: str
    config: list  # earlypatch.conf lines
    settings: dict


def parse_fragment(text, path, forbidden):
    """An earlypatch.conf fragment with `#@ key value` lines: (config lines, settings)."""
    config, settings = [], {}
    for no, raw in enumerate(text.splitlines(), 1):
        where = f"{path}:{no}"
        if raw.startswith("#@"):
            key, _, value = raw[2:].strip().partition(" ")
            if key in forbidden:
                raise SpecError(f"{where}: {forbidden[key]} cannot set '{key}'")
            add_setting(settings, key, value.strip(), where)
            if value.strip():
                validate_value(key, value.strip(), where)
        elif strip_comment(raw).strip():
            config.append(strip_comment(raw).strip())
    return config, settings


def parse_profile_text(name, text, path):
    config, settings = parse_fragment(text, path, {k: "a profile" for k in ("profile", "cpu", "config-file")})
    return Profile(name, config, settings)


def load_profile(profile_dir, name):
    if name == "none":
        return Profile("none", [], {})
    path = os.path.join(profile_dir, name + ".conf")
    if not NAME_RE.match(name) or not os.path.isfile(path):
        raise SpecError(f"no such profile '{name}' ({path})")
    with open(path, encoding="utf-8") as f:
        return parse_profile_text(name, f.read(), path)


def read_config_file(path):
    """A config-file's text, exactly as it is on disk (it goes to the ESP unchanged)."""
    with open(os.path.join(ROOT, path), encoding="utf-8", newline="") as f:
        return f.read()


def config_file_settings(path, where):
    """The `#@` settings of a case's config-file."""
    try:
        text = read_config_file(path)
    except OSError as e:
        raise SpecError(f"{where}: config-file {path}: {e.strerror}") from None
    forbidden = {k: "a config-file" for k in ("profile", "config", "config-file", "no-config")}
    return parse_fragment(text, path, forbidden)[1]


def merge(*layers):
    """Later layers override scalars and extend lists."""
    out = {}
    for layer in layers:
        for key, value in layer.items():
            if KEYS[key][0] == "list":
                out[key] = out.get(key, []) + value
            else:
                out[key] = value
    return out


def resolve(defaults, case, profiles):
    """The case with its defaults and profile applied: defaults < profile < config-file < case."""
    name = case.settings.get("profile", defaults.get("profile", "none"))
    if name not in profiles:
        profiles[name] = load_profile(profiles["__dir__"], name)
    prof = profiles[name]
    settings = merge(defaults, prof.settings, case.settings)
    if settings.get("config-file"):
        settings = merge(defaults, prof.settings, config_file_settings(settings["config-file"], case.source),
                         case.settings)
    settings["profile"] = name
    # Config: the defaults' lines, the profile's simulation, then the case's own lines.
    settings["config"] = defaults.get("config", []) + prof.config + case.settings.get("config", [])
    if settings.get("config-file") and settings["config"]:
        raise SpecError(f"{case.source}: config-file and config lines (here or from the defaults or the "
                        f"profile) cannot be combined: the file is the whole earlypatch.conf")
    return Case(case.name, case.source, settings)


def load_matrix(paths, profile_dir):
    """All cases of the matrix files, resolved, in file order."""
    profiles = {"__dir__": profile_dir}
    resolved, seen = [], set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            defaults, cases = parse_matrix_text(f.read(), path)
        for case in cases:
            if case.name in seen:
                raise SpecError(f"{case.source}: case '{case.name}' defined twice")
            seen.add(case.name)
            resolved.append(resolve(defaults, case, profiles))
    return resolved


def select(cases, filter_re=None, tags=None, shard=None):
    """FILTER (regex on the name, cpu or profile), TAGS (any of), then SHARD k/n round-robin."""
    out = cases
    if filter_re:
        rx = re.compile(filter_re)
        out = [c for c in out if rx.search(c.name) or rx.search(c.cpu) or rx.search(c.profile)]
    if tags:
        want = set(tags.replace(",", " ").split())
        out = [c for c in out if want & set(c.tags)]
    if shard:
        k, n = parse_shard(shard)
        out = [c for i, c in enumerate(out) if i % n == k - 1]
    return out


def parse_shard(text):
    m = re.match(r"^(\d+)/(\d+)$", text.strip())
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise SpecError(f"SHARD must be k/n with 1 <= k <= n, got '{text}'")
    return int(m.group(1)), int(m.group(2))


def config_text(case):
    """The earlypatch.conf written to the case's ESP (deterministic: no dates, no paths), or None
    (`no-config`). A config-file is used byte for byte: its line numbers are the ones the log names."""
    if case.get("no-config"):
        return None
    if case.get("config-file"):
        return read_config_file(case.get("config-file"))
    head = [f"# matrix case {case.name}: cpu {case.cpu}, profile {case.profile}"]
    return "\n".join(head + case.values("config")) + "\n"

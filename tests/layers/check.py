#!/usr/bin/env python3
"""The layers of core/, checked from the #include lines (docs/design.md, "Layers").

core/ is one folder per layer, lowest first:

    base  pack  x86  elf  cpu  config  patch  linux  boot

A file in core/ may include headers of its own folder, of lower layers, and
include/earlypatch/ (the payload ABI); never a higher layer's. A folder's
private.h is for that folder (and white-box tests under tests/) only. Hosted
code (efi/, tools/, tests/) names core headers by folder: "patch/patch.h".

Exit status 1 and one line per violation when a rule is broken.
"""
import os
import re
import sys

LAYERS = ["base", "pack", "x86", "elf", "cpu", "config", "patch", "linux", "boot"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return INCLUDE.findall(f.read())


def sources(root, top):
    for d, _, files in os.walk(os.path.join(root, top)):
        for name in files:
            if name.endswith((".c", ".h", ".S")):
                yield os.path.relpath(os.path.join(d, name), root)


def check_core(root, problems):
    for folder in sorted(os.listdir(os.path.join(root, "core"))):
        if folder not in LAYERS:
            problems.append(f"core/{folder}: not a layer (known: {' '.join(LAYERS)})")
    for path in sources(root, "core"):
        parts = path.split(os.sep)
        if len(parts) != 3:
            problems.append(f"{path}: core/ files live in a layer folder")
            continue
        own = LAYERS.index(parts[1]) if parts[1] in LAYERS else -1
        for inc in includes(os.path.join(root, path)):
            layer = inc.split("/")[0]
            if layer == "earlypatch":
                continue
            if layer not in LAYERS or "/" not in inc:
                problems.append(f'{path}: #include "{inc}" names no layer folder')
            elif LAYERS.index(layer) > own:
                problems.append(f'{path}: #include "{inc}": {parts[1]} may not use the higher layer {layer}')
            elif inc.endswith("/private.h") and layer != parts[1]:
                problems.append(f'{path}: #include "{inc}": another folder\'s private header')


def check_users(root, problems):
    for top in ("efi", "tools", "tests"):
        for path in sources(root, top):
            for inc in includes(os.path.join(root, path)):
                layer = inc.split("/")[0]
                if layer in LAYERS and inc.endswith("/private.h") and top != "tests":
                    problems.append(f'{path}: #include "{inc}": private to core/{layer}')
                elif "/" not in inc and any(os.path.exists(os.path.join(root, "core", l, inc)) for l in LAYERS):
                    problems.append(f'{path}: #include "{inc}": name core headers by folder')


def check(root):
    problems = []
    check_core(root, problems)
    check_users(root, problems)
    return problems


def selftest():
    """Each planted violation must be found, and a clean tree pass: the check can fail."""
    import tempfile

    plants = {
        "higher layer": ("core/base/a.c", '#include "patch/patch.h"\n'),
        "foreign private header": ("core/cpu/a.c", '#include "patch/private.h"\n'),
        "tool uses a private header": ("tools/a.c", '#include "elf/private.h"\n'),
        "unknown folder": ("core/misc/a.c", "\n"),
        "flat core name": ("efi/a.c", '#include "util.h"\n'),
    }
    ok = 0
    for what, (path, text) in [("clean", ("core/base/a.c", '#include "base/util.h"\n'))] + list(plants.items()):
        with tempfile.TemporaryDirectory() as t:
            for f in ("core/base/util.h", path):
                os.makedirs(os.path.join(t, os.path.dirname(f)), exist_ok=True)
                with open(os.path.join(t, f), "w") as out:
                    out.write(text if f == path else "\n")
            found = check(t)
            if (what == "clean") == (not found):
                ok += 1
            else:
                print(f"FAIL selftest {what}: {found or 'not found'}")
    print(f"layers selftest: {ok} passed, {len(plants) + 1 - ok} failed")
    return ok == len(plants) + 1


def main():
    if sys.argv[1:2] == ["--selftest"]:
        return 0 if selftest() else 1
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems = check(root)
    for p in problems:
        print(f"FAIL {p}")
    files = sum(1 for _ in sources(root, "core"))
    print(f"layers: {files} core files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

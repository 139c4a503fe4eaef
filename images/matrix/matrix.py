#!/usr/bin/env python3
"""earlypatch test matrix: ESP images per case, parallel QEMU boots, checks and reports.

  matrix.py [options] list      the selected cases
  matrix.py [options] images    build one ESP image per case (OUT/<case>/esp.img) + images.sha256
  matrix.py [options] repro     build every image again from copied inputs; hashes must match
  matrix.py [options] run       boot, check, write junit.xml, summary.md, report.html
  matrix.py [options] report    rewrite the reports from the results already in OUT
  matrix.py [options] check --saved DIR   check saved outputs (DIR/<case>/) without booting
  matrix.py [options] settings  every resolved setting: one "CASE<TAB>KEY<TAB>VALUE" line each
  matrix.py [options] configs   each case's earlypatch.conf as OUT/<case>.conf (fuzz-config's seeds)

Options: --matrix FILE (repeatable; default images/matrix.txt), --profiles DIR, --build DIR,
--out DIR (default BUILD/matrix), --filter REGEX, --tags T1,T2, --shard k/n, --jobs N,
--label NAME (default matrix: the last line is "NAME: N passed, M failed"; `make qemu-test`
runs images/cases.txt with --label qemu). See docs/testing.md.
"""

import argparse
import datetime
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)

import build  # noqa: E402
import report_html  # noqa: E402
import reports  # noqa: E402
import run  # noqa: E402
import spec  # noqa: E402
from check import check_case, first_line, log_value, read_text  # noqa: E402
from decisions import decisions  # noqa: E402

CONSOLE_TAIL = 80


def add_selection_args(ap):
    """The options that say which cases, from where, built where, and how many at a time
    (shared with images/lava/lava.py)."""
    ap.add_argument("--matrix", action="append")
    ap.add_argument("--profiles", default=os.path.join(ROOT, "images", "profiles"))
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--out")
    ap.add_argument("--filter", default="")
    ap.add_argument("--tags", default="")
    ap.add_argument("--shard", default="")
    ap.add_argument("--jobs", type=int, default=2)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="earlypatch test matrix", usage=__doc__)
    ap.add_argument("command",
                    choices=["list", "images", "repro", "run", "report", "check", "settings", "configs"])
    add_selection_args(ap)
    ap.add_argument("--label", default="matrix", help="names the run in its output lines and reports")
    ap.add_argument("--saved", help="check: directory with saved outputs, one subdirectory per case")
    a = ap.parse_args(argv)
    a.matrix = a.matrix or [os.path.join(ROOT, "images", "matrix.txt")]
    a.build = os.path.abspath(a.build)
    a.out = os.path.abspath(a.out or os.path.join(a.build, "matrix"))
    return a


def enrich(result, outdir, case_dir):
    """Adds what the reports show: decisions from the ESP log, the log itself, the console tail."""
    log = read_text(os.path.join(outdir, "esp.log")) or ""
    debugcon = read_text(os.path.join(outdir, "debugcon.txt")) or ""
    console = read_text(os.path.join(outdir, "console.txt")) or ""
    hc = first_line(log, "I hypercall ")
    result["hypercall"] = f"{log_value(hc, 'mechanism')} ({log_value(hc, 'reason')})" if hc else ""
    result["decisions"] = decisions(log, debugcon)
    result["log"] = log
    result["console_tail"] = "\n".join(console.splitlines()[-CONSOLE_TAIL:])
    result["config"] = read_text(os.path.join(case_dir, "earlypatch.conf")) or ""
    return result


def write_reports(a, results):
    os.makedirs(a.out, exist_ok=True)
    sel = " ".join(f"{k}={v}" for k, v in (("FILTER", a.filter), ("TAGS", a.tags), ("SHARD", a.shard)) if v)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    meta = f"{len(results)} cases from {', '.join(os.path.relpath(m, ROOT) for m in a.matrix)} {sel} · {now}"
    title = "earlypatch test matrix" if a.label == "matrix" else f"earlypatch {a.label} cases"
    reports.junit(results, os.path.join(a.out, "junit.xml"), label=a.label)
    reports.markdown(results, os.path.join(a.out, "summary.md"), title=title, outdir=os.path.relpath(a.out, ROOT))
    report_html.write(results, os.path.join(a.out, "report.html"), title=title, meta=meta,
                      outdir=os.path.relpath(a.out, ROOT))


def cmd_images(a, paths, cases):
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        errors = [(c, e) for c, e in zip(cases, pool.map(lambda c: build.build_case(paths, c), cases)) if e]
    for c, e in errors:
        print(f"images: {c.name}: {e}", file=sys.stderr)
    if errors:
        return 1
    build.write_manifest(paths, cases)
    print(f"images: {len(cases)} ESP images in {a.out}/<case>/esp.img (hashes: {a.out}/images.sha256)")
    return 0


def cmd_repro(a, paths, cases):
    if cmd_images(a, paths, cases):
        return 1
    same, differ = build.repro_check(paths, cases)
    for name in differ:
        print(f"images-repro: {name}: the second build differs", file=sys.stderr)
    print(f"images-repro: {same} identical, {len(differ)} differ")
    return 1 if differ else 0


def finish(a, results, case_dirs, out_dirs):
    full = [enrich(dict(r), o, c) for r, o, c in zip(results, out_dirs, case_dirs)]
    write_reports(a, full)
    # The summary line last: the CI reads it.
    print(f"{a.label}: reports in {os.path.relpath(a.out)}/report.html, summary.md, junit.xml")
    print(reports.summary_line(results, a.label))
    return 0 if reports.counts(results)[1] == 0 else 1


def cmd_run(a, paths, cases):
    if not run.check_accel(paths):
        print(f"{a.label}: no boot: the accelerator check failed (above)", file=sys.stderr)
        return 1
    results = run.run_all(paths, cases, a.jobs)
    dirs = [paths.case_dir(c) for c in cases]
    return finish(a, results, dirs, dirs)


def cmd_report(a, paths, cases):
    results, dirs = [], []
    for c in cases:
        r = read_text(os.path.join(paths.case_dir(c), "result.json"))
        if r:
            results.append(json.loads(r))
            dirs.append(paths.case_dir(c))
    if not results:
        print(f"matrix: no results in {a.out}: run `make matrix` first", file=sys.stderr)
        return 1
    return finish(a, results, dirs, dirs)


def cmd_check(a, paths, cases):
    """The checker on saved outputs: proves without a boot that wrong expectations fail."""
    if not a.saved:
        print("matrix: check needs --saved DIR", file=sys.stderr)
        return 2
    results, saved_dirs, case_dirs = [], [], []
    eptool = paths.eptool if os.access(paths.eptool, os.X_OK) else None
    for c in cases:
        src, d = os.path.join(a.saved, c.name), paths.case_dir(c)
        if not os.path.isdir(src):  # cases may share one saved boot: SAVED/<name up to the first dot>
            src = os.path.join(a.saved, c.name.split(".")[0])
        os.makedirs(d, exist_ok=True)
        build.write_conf(d, c)
        r = check_case(c, src, eptool, paths.replay)  # no payload: the saved boot's is not saved
        r.update(name=c.name, cpu=c.cpu, profile=c.profile, tags=c.tags, notes=c.values("note"),
                 expect_fail=c.get("expect-fail"), seconds=0)
        with open(os.path.join(d, "result.json"), "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
        results.append(r)
        saved_dirs.append(src)
        case_dirs.append(d)
    return finish(a, results, case_dirs, saved_dirs)


def cmd_settings(cases):
    """The resolved settings, for scripts that ask about cases (tests/accel/run.sh)."""
    for c in cases:
        for key, value in c.settings.items():
            for v in (value if isinstance(value, list) else [value]):
                print(f"{c.name}\t{key}\t{'' if v is True else v}")
    return 0


def cmd_configs(a, cases):
    """Each case's earlypatch.conf, one file per case (none for a no-config case)."""
    os.makedirs(a.out, exist_ok=True)
    for c in cases:
        text = spec.config_text(c)
        if text is not None:
            with open(os.path.join(a.out, c.name + ".conf"), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    return 0


def main(argv):
    a = parse_args(argv)
    try:
        cases = spec.select(spec.load_matrix(a.matrix, a.profiles), a.filter, a.tags, a.shard)
    except (spec.SpecError, OSError) as e:
        print(f"{a.label}: {e}", file=sys.stderr)
        return 2
    paths = build.Paths(ROOT, a.build, a.out)
    if a.command == "settings":
        return cmd_settings(cases)
    if a.command == "configs":
        return cmd_configs(a, cases)
    if a.command == "list":
        for c in cases:
            print(f"{c.name:40} {c.cpu:20} {c.profile:20} accel={c.accel:4} {' '.join(c.tags)}")
        print(f"{a.label}: {len(cases)} cases")
        return 0
    if not cases:
        print(f"{a.label}: no case selected (check FILTER, TAGS, SHARD)", file=sys.stderr)
        return 1
    return {"images": cmd_images, "repro": cmd_repro, "run": cmd_run, "report": cmd_report,
            "check": cmd_check}[a.command](a, paths, cases)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

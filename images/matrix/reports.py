"""JUnit XML and the Markdown summary, from the per-case results."""

import xml.etree.ElementTree as ET

from check import PASSED

PROFILE_ORDER = ["bare-metal-intel", "bare-metal-amd", "kvm-intel", "kvm-amd", "hyperv", "hyperv-snp-isolated",
                 "xen-hvm", "vmware", "sev", "sev-es", "sev-snp", "tdx"]
# Worst first: a grid cell takes the colour of its worst case.
STATUS_ORDER = ["error", "timeout", "xpass", "fail", "xfail", "pass"]
STATUS_TEXT = {"pass": "passed", "xfail": "wrong expectation caught (expected)", "fail": "failed",
               "xpass": "expect-fail case passed", "timeout": "hung (killed at timeout)",
               "error": "not run (image or boot error)"}
STATUS_MARK = {"pass": "PASS", "xfail": "XFAIL", "fail": "FAIL", "xpass": "XPASS", "timeout": "TIMEOUT",
               "error": "ERROR"}


def counts(results):
    passed = sum(1 for r in results if r["status"] in PASSED)
    return passed, len(results) - passed


def summary_line(results, label="matrix"):
    p, f = counts(results)
    return f"{label}: {p} passed, {f} failed"


def grid_axes(results):
    cpus = list(dict.fromkeys(r["cpu"] for r in results))
    seen = set(r["profile"] for r in results)
    profiles = [p for p in PROFILE_ORDER if p in seen] + sorted(seen - set(PROFILE_ORDER))
    return cpus, profiles


def worst(statuses):
    return min(statuses, key=STATUS_ORDER.index) if statuses else None


def junit(results, path, label="matrix"):
    suite = f"earlypatch-{label}"
    total_time = sum(r.get("seconds", 0) for r in results)
    fails = sum(1 for r in results if r["status"] in ("fail", "xpass"))
    errors = sum(1 for r in results if r["status"] in ("timeout", "error"))
    root = ET.Element("testsuites", name=suite, tests=str(len(results)), failures=str(fails),
                      errors=str(errors), time=f"{total_time:.1f}")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)), failures=str(fails),
                       errors=str(errors), time=f"{total_time:.1f}")
    for r in results:
        tc = ET.SubElement(ts, "testcase", classname=f"{label}.{r['profile']}", name=r["name"],
                           time=f"{r.get('seconds', 0):.1f}")
        ET.SubElement(tc, "properties")
        for k in ("cpu", "profile", "exit_code", "accel"):
            ET.SubElement(tc[0], "property", name=k, value=str(r.get(k, "")))
        detail = "\n".join(f"{'ok  ' if c['ok'] else 'FAIL'} {c['what']}" + ("" if c["ok"] else f": {c['why']}")
                           for c in r["checks"])
        message = "; ".join(r["reasons"])
        if r["status"] in ("fail", "xpass"):
            ET.SubElement(tc, "failure", message=message, type=r["status"]).text = detail
        elif r["status"] in ("timeout", "error"):
            ET.SubElement(tc, "error", message=message, type=r["status"]).text = detail
        ET.SubElement(tc, "system-out").text = detail + ("\n" + message if message else "")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def md_cell(cell):
    return " ".join(f"{STATUS_MARK[r['status']]}" for r in cell) if cell else "·"


def markdown(results, path, title="earlypatch test matrix", html_name="report.html", outdir="build/matrix"):
    p, f = counts(results)
    cpus, profiles = grid_axes(results)
    out = [f"# {title}", "", f"**{p} passed, {f} failed** of {len(results)} cases "
           f"({sum(r.get('seconds', 0) for r in results):.0f} s of boot time). "
           f"Details per case: [{html_name}]({html_name}), `{outdir}/<case>/`.", ""]
    by_status = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    out.append(" · ".join(f"{STATUS_MARK[s]} {by_status[s]}" for s in STATUS_ORDER if s in by_status))
    out += ["", "## CPU model × profile", "", "| CPU model | " + " | ".join(profiles) + " |",
            "|---|" + "---|" * len(profiles)]
    for cpu in cpus:
        cells = [md_cell([r for r in results if r["cpu"] == cpu and r["profile"] == pr]) for pr in profiles]
        out.append(f"| {cpu} | " + " | ".join(cells) + " |")
    bad = [r for r in results if r["status"] not in PASSED]
    out += ["", "## Failures", ""]
    out += [f"- **{r['name']}** ({r['cpu']}, {r['profile']}) {STATUS_MARK[r['status']]}: "
            + "; ".join(r["reasons"]).replace("|", "\\|") for r in bad] or ["None."]
    out += ["", "## Cases", "", "| case | CPU | profile | result | hypercall decided | s |", "|---|---|---|---|---|---|"]
    for r in results:
        hc = r.get("hypercall", "")
        out.append(f"| {r['name']} | {r['cpu']} | {r['profile']} | {STATUS_MARK[r['status']]} | {hc} | "
                   f"{r.get('seconds', 0)} |")
    with open(path, "w", encoding="utf-8") as fobj:
        fobj.write("\n".join(out) + "\n")

"""A lava-run log read back: the case's verdict from LAVA's test cases, as images/matrix/check.py words it.

lava-run prints one YAML mapping a line ({"dt", "lvl", "msg"}). The verdict comes from the
`"lvl": "results"` lines of the earlypatch monitor (definition `earlypatch`, images/lava/expect.py),
never from lava-run's exit status, which is 0 even when test cases fail. LAVA's own results
(definition `lava`) say whether the job itself completed; the `"lvl": "target"` lines are the console,
kept as console.txt for the reports (and to say which feature failed), never for the verdict.

What LAVA cannot see is left out, and docs/testing.md says so: the ESP log file (the console carries
the log at the config's log-level, so D lines are not there), its previous copy (expect-old), the
"no ESP log" check, and the host replays (eptool cpu, eptool apply), which need the whole log.
"""

import json
import os
import re

import check
import expect as ex

try:
    import yaml
except ImportError:  # lava-dispatcher depends on python3-yaml; the fallback reads its one-line maps
    yaml = None


def read_log(path):
    entries = []
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError:
        return entries
    with f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                e = yaml.safe_load(line) if yaml else json.loads(line.replace(': ! "', ': "'))
            except Exception:  # noqa: BLE001 - a line cut by a killed lava-run
                continue
            if isinstance(e, dict):
                entries.append(e)
    return entries


def observations(entries):
    """The earlypatch monitor's test cases: [(test_case_id text, result)], in console order."""
    out = []
    for e in entries:
        m = e.get("msg")
        if e.get("lvl") == "results" and isinstance(m, dict) \
                and m.get("definition") in (ex.DEFINITION, ex.FIRMWARE_DEFINITION):
            text = (m.get("extra") or {}).get("test_case_id", m.get("case", ""))
            out.append((str(text), m.get("result", "")))
    return out


def lava_results(entries):
    return [e["msg"] for e in entries if e.get("lvl") == "results" and isinstance(e.get("msg"), dict)
            and e["msg"].get("definition") == "lava"]


def console_lines(entries):
    """The console as LAVA logged it (its ShellLogger escapes `"` and drops \r and ESC)."""
    return [str(e.get("msg", "")).replace('\\"', '"') for e in entries if e.get("lvl") == "target"]


def value_after(text, prefix):
    rest = text[len(prefix):] if text.startswith(prefix) else ""
    return rest.split()[0] if rest.split() else ""


def decide(d, obs):
    """(ok, the text it was decided on or None) for one Decided check: the first line it applies to."""
    for text, res in obs:
        if re.fullmatch(d.ident, text):
            return res == "pass", text        # LAVA decided it on the line
        if re.match(d.trigger, text):
            return re.match(d.regex(), text) is not None, text   # a whole line a regex also matched
    return None, None


def why_of(d, case, text, console):
    if text is None:
        return d.missing_why
    if d.key == "hypercall":
        got = f"{check.log_value(text, 'mechanism')} ({check.log_value(text, 'reason')})"
        return f"hypercall {got}, want {case.get('hypercall')}"
    if d.key == "selftest":
        return f"selftest {value_after(text, 'selftest result=') or 'none'}, want {case.get('selftest')}"
    if d.key == "exit":
        got, want = value_after(text, ex.EXIT_LINE), case.get("exit", "0")
        return f"guest hung: killed after {case.timeout} s" if got == "timeout" and want != "timeout" \
            else f"exit {got}, want {want}"
    if d.key == "features":
        have = check.features_of("\n".join(console))
        if have is None:
            return f"cpu features not as wanted ({d.what[len('features '):]})"
        bad = [w for w in d.what.split()[1:] if (w[1:] in have) != (w[0] == "+")]
        return "; ".join(f"feature {w[1:]} {'absent' if w[0] == '+' else 'present'}, "
                         f"want {'present' if w[0] == '+' else 'absent'}" for w in bad) or "cpu features differ"
    return d.what


def evaluate(case, obs, lava, console, qemu=True):
    """(checks, exit_code) from the monitor's test cases."""
    checks, exit_code = [], "missing"
    for d in ex.decided_checks(case, qemu=qemu):
        if d.key == "selftest-check":
            continue  # in LAVA for the lab's eyes; the verdict has no-debugcon for these lines
        ok, text = decide(d, obs)
        if d.key == "exit" and text is not None:
            exit_code = value_after(text, ex.EXIT_LINE) or "missing"
        if ok is None:
            ok = d.missing_ok
        checks.append({"what": d.what, "ok": bool(ok), "why": "" if ok else why_of(d, case, text, console)})
    texts = [t for t, _ in obs]
    for r in ex.line_regexes(case):
        found = any(re.search(r.rx, t, re.M) for t in texts)
        ok = found != r.negative
        checks.append({"what": r.what, "ok": ok,
                       "why": "" if ok else f"{r.where} {'has' if r.negative else 'lacks'} /{r.rx}/"})
    if exit_code == "missing" and any("timed out" in str(x.get("error_msg", "")) + str(x.get("extra", ""))
                                      for x in lava):
        exit_code = "timeout"
    job = next((x for x in lava if x.get("case") == "job"), None)
    ok = job is not None and job.get("result") == "pass"
    checks.append({"what": "LAVA job complete", "ok": ok,
                   "why": "" if ok else "LAVA job " + (f"failed: {job.get('error_type', '')} error: "
                                                       f"{job.get('error_msg', '')}" if job else "did not end")})
    return checks, exit_code


def accel_of(entries):
    for e in entries:
        m = e.get("msg")
        if isinstance(m, str) and m.startswith("Boot command:"):
            w = re.search(r" -accel (\S+)", m)
            return w.group(1) if w else ""
    return ""


def write_console(d, console):
    """console.txt (what LAVA saw) and, for the reports' decision tables, esp.log: the log lines of
    the console from the app's first line on."""
    with open(os.path.join(d, "console.txt"), "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in console))
    start = next((i for i, line in enumerate(console) if line.startswith(ex.APP_START)), len(console))
    log = [line for line in console[start:] if re.match(r"^[IWED] [a-z]", line)]
    with open(os.path.join(d, "esp.log"), "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in log))


def finish_case(case, d, log, rc, seconds, qemu=True):
    """Reads OUT/<case>/lava.log, writes console.txt, esp.log and result.json; returns the result."""
    entries = read_log(log)
    obs, lava, console = observations(entries), lava_results(entries), console_lines(entries)
    write_console(d, console)
    if not obs and not console:
        job = next((x for x in lava if x.get("case") == "job"), {})
        why = f"LAVA job {job.get('error_type', 'did not run')}: {job.get('error_msg', f'lava-run exit {rc}')}"
        result = {"status": "error", "reasons": [why], "checks": [], "exit_code": "missing"}
        checks = []
    else:
        checks, exit_code = evaluate(case, obs, lava, console, qemu)
        status = check.status_of(case, checks, exit_code)
        result = {"status": status, "reasons": check.reasons_of(status, case, checks), "checks": checks,
                  "exit_code": exit_code}
    result.update(name=case.name, cpu=case.cpu, profile=case.profile, tags=case.tags, accel=accel_of(entries),
                  notes=case.values("note"), expect_fail=case.get("expect-fail"), seconds=seconds,
                  lava_run_exit=rc, lava=[{"case": ex.lava_case_name(t), "result": r} for t, r in obs])
    with open(os.path.join(d, "result.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    return result

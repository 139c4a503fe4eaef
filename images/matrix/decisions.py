"""What the loader decided in one boot, pulled out of its ESP log for the reports."""

import re

from check import first_line, log_value

# (label, line prefix, keys shown; None = the whole line after the topic)
FACT_LINES = [
    ("CPU", "I cpu vendor=", ["vendor", "family", "model", "stepping", "brand"]),
    ("Hypervisor", "I hv ", ["vendor", "signature", "isolation", "paravisor"]),
    ("SEV", "I sev ", ["sev", "sev_es", "sev_snp", "c_bit", "msr_source", "active", "es_active", "snp_active"]),
    ("TDX", "I tdx ", ["guest", "wrong_vendor"]),
    ("Hypercall", "I hypercall ", ["mechanism", "reason", "why"]),
    ("Hypercall sites", "I hcsite-summary ", ["mechanism", "sites"]),
    ("Early stage", "I stage-summary stage=early", ["hypercall_sites", "alt_patched", "alt_kept", "writes", "bytes"]),
    ("Alternatives", "I stage-summary stage=alternatives", ["alt_sites", "alt_patched", "alt_kept",
                                                            "static_calls", "writes", "bytes"]),
    ("Handoff", "I handoff mode=", ["mode", "entry", "hypercall", "returned"]),
    ("Exit", "E exit ", ["efi_status", "action"]),
]

SITE_KEYS = ["sym", "feature", "flags", "group", "action", "len", "repl", "pad", "reloc", "changed"]


def fact_rows(log):
    rows = []
    for label, prefix, keys in FACT_LINES:
        line = first_line(log, prefix)
        if line is None:
            continue
        parts = [f"{k}={v}" for k in keys if (v := log_value(line, k)) is not None]
        rows.append([label, " ".join(parts)])
    return rows


def site_rows(log):
    """One row per alternatives / static-call / hypercall site decision."""
    rows = []
    for line in log.splitlines():
        m = re.match(r"^I (alt|scall|hcsite) site=(\S+)", line)
        if not m:
            continue
        vals = {k: log_value(line, k) for k in SITE_KEYS + ["mechanism", "kind", "target", "tsym"]}
        what = vals["action"] or vals["mechanism"] or vals["kind"] or ""
        detail = " ".join(f"{k}={vals[k]}" for k in ("feature", "flags", "group", "len", "repl", "tsym")
                          if vals[k] is not None)
        rows.append([m.group(1), m.group(2), vals["sym"] or "", what, detail])
    return rows


def selftest_rows(debugcon):
    rows = []
    for line in debugcon.splitlines():
        m = re.match(r"^selftest (check=\S+ .*|result=.*)$", line)
        if m:
            rows.append(m.group(1))
    return rows


def notable_lines(log):
    """Warnings, errors and simulated values: the lines a reader should not miss."""
    return [l for l in log.splitlines() if re.match(r"^[EW] ", l)]


def decisions(log, debugcon):
    return {"facts": fact_rows(log), "sites": site_rows(log), "selftest": selftest_rows(debugcon),
            "notable": notable_lines(log)}

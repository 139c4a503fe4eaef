"""One self-contained HTML report: inline CSS and JS, the case data inline as JSON, no network.

A CPU-model x profile grid coloured by result; a cell (or one of its chips, when several cases
share a model and profile) opens that case below: why it failed, every expectation, the facts and
decisions pulled from its ESP log, each patch site, the selftest checks and the full log.
"""

import html
import json

from reports import STATUS_MARK, STATUS_ORDER, STATUS_TEXT, counts, grid_axes, worst

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}
.meta{color:#555;margin-bottom:8px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;margin-right:4px}
.s-pass{background:#2f9e44}.s-xfail{background:repeating-linear-gradient(45deg,#c92a2a 0 6px,#e8590c 6px 12px)}
.s-fail,.s-xpass{background:#c92a2a}.s-timeout{background:#7048e8}.s-error{background:#495057}
table{border-collapse:collapse}
.grid td,.grid th{border:1px solid #ccc;padding:3px;text-align:center;min-width:64px}
.grid th{background:#eee;font-weight:600;font-size:12px}.grid th.cpu{text-align:left;min-width:150px}
.grid td.empty{background:#f1f3f5}
.grid td.cell{cursor:pointer}.grid td.cell:hover{outline:3px solid #1c7ed6}
.chip{display:inline-block;margin:1px;padding:1px 4px;border-radius:3px;color:#fff;font-size:11px;
 font-weight:600;cursor:pointer;border:1px solid rgba(0,0,0,.25)}
.chip.sel{outline:2px solid #1c7ed6;outline-offset:1px}
#detail{background:#fff;border:1px solid #ccc;border-radius:6px;padding:10px 14px;margin-top:14px}
.reasons li{color:#c92a2a;font-weight:600}
.kv td{border-bottom:1px solid #eee;padding:2px 8px;vertical-align:top;text-align:left}
.kv td:first-child{color:#555;white-space:nowrap}
.ok{color:#2f9e44}.bad{color:#c92a2a;font-weight:600}
pre{background:#f1f3f5;padding:8px;overflow:auto;max-height:420px;font-size:12px;margin:4px 0}
.list td,.list th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;font-size:13px}
.list tr{cursor:pointer}.list tr:hover{background:#e7f5ff}
.legend span{margin-right:10px}
details summary{cursor:pointer;font-weight:600;margin:6px 0}
input#q{padding:3px 6px;width:260px}
"""

JS = r"""
const D = JSON.parse(document.getElementById('data').textContent);
const byName = {}; D.cases.forEach(c => byName[c.name] = c);
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (k === 'class') e.className = v; else e.setAttribute(k, v); }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}
function table(rows, cls) {
  const t = el('table', {class: cls || 'kv'});
  rows.forEach(r => t.append(el('tr', {}, ...r.map(x => el('td', {}, x)))));
  return t;
}
function section(title, open, ...kids) {
  const d = el('details', open ? {open: ''} : {}, el('summary', {}, title), ...kids);
  return d;
}
function show(name) {
  const c = byName[name], box = document.getElementById('detail');
  document.querySelectorAll('.chip.sel').forEach(x => x.classList.remove('sel'));
  document.querySelectorAll('.chip[data-case="' + name + '"]').forEach(x => x.classList.add('sel'));
  box.replaceChildren();
  box.append(el('h2', {}, el('span', {class: 'badge s-' + c.status}, D.marks[c.status]), c.name,
               ' \u2014 ', c.cpu, ' \u00d7 ', c.profile, ' (' + c.seconds + ' s, exit ' + c.exit_code + ')'));
  c.notes.forEach(n => box.append(el('div', {class: 'meta'}, n)));
  if (c.expect_fail) box.append(el('div', {class: 'meta'}, 'expect-fail: ' + c.expect_fail));
  if (c.reasons.length) box.append(el('ul', {class: 'reasons'}, ...c.reasons.map(r => el('li', {}, r))));
  box.append(section('Expectations (' + c.checks.filter(k => k.ok).length + '/' + c.checks.length + ' hold)', true,
    table(c.checks.map(k => [el('span', {class: k.ok ? 'ok' : 'bad'}, k.ok ? '\u2713' : '\u2717'), k.what,
                              el('span', {class: 'bad'}, k.why)]))));
  box.append(section('Decisions and facts', true, table(c.decisions.facts)));
  if (c.decisions.notable.length) box.append(section('Warnings, errors, simulated values', true,
    el('pre', {}, c.decisions.notable.join('\n'))));
  if (c.decisions.selftest.length) box.append(section('Selftest (debugcon)', false,
    el('pre', {}, c.decisions.selftest.join('\n'))));
  if (c.decisions.sites.length) box.append(section('Patch sites (' + c.decisions.sites.length + ')', false,
    table([['table', 'site', 'symbol', 'decision', 'detail']].concat(c.decisions.sites))));
  box.append(section('earlypatch.conf', false, el('pre', {}, c.config)));
  box.append(section('ESP log (' + c.log.split('\n').length + ' lines)', false, el('pre', {}, c.log || '(none)')));
  box.append(section('Console (serial), last lines', false, el('pre', {}, c.console_tail || '(none)')));
  box.append(el('div', {class: 'meta'}, 'Files: ' + D.dir + '/' + c.name + '/ (console.txt = serial, debugcon.txt, esp.log, exit_code, esp.img, qemu.cmd)'));
  history.replaceState(null, '', '#' + name);
}
document.querySelectorAll('[data-case]').forEach(e => e.addEventListener('click', ev => {
  ev.stopPropagation(); show(e.dataset.case); }));
document.querySelectorAll('td.cell').forEach(td => td.addEventListener('click', () => show(td.dataset.first)));
document.getElementById('q').addEventListener('input', ev => {
  const q = ev.target.value.toLowerCase();
  document.querySelectorAll('.list tbody tr').forEach(tr => tr.style.display = tr.textContent.toLowerCase().includes(q) ? '' : 'none');
});
const want = decodeURIComponent(location.hash.slice(1));
show(byName[want] ? want : D.first);
"""


def esc(s):
    return html.escape(str(s), quote=True)


def chip_label(r):
    """The result, plus what tells a variant apart: the name after `cpu.profile.`."""
    variant = ".".join(r["name"].split(".")[2:])
    return STATUS_MARK[r["status"]] + (f" {variant}" if variant else "")


def grid_html(results):
    cpus, profiles = grid_axes(results)
    rows = ["<table class='grid'><tr><th class='cpu'>CPU model \\ profile</th>"
            + "".join(f"<th>{esc(p)}</th>" for p in profiles) + "</tr>"]
    for cpu in cpus:
        cells = [f"<th class='cpu'>{esc(cpu)}</th>"]
        for prof in profiles:
            cell = [r for r in results if r["cpu"] == cpu and r["profile"] == prof]
            if not cell:
                cells.append("<td class='empty'></td>")
                continue
            w = worst([r["status"] for r in cell])
            chips = "".join(f"<span class='chip s-{r['status']}' data-case='{esc(r['name'])}' "
                            f"title='{esc(r['name'])}: {esc(STATUS_TEXT[r['status']])}'>"
                            f"{esc(chip_label(r))}</span>" for r in cell)
            title = "; ".join(f"{r['name']}: {STATUS_TEXT[r['status']]}" for r in cell)
            cells.append(f"<td class='cell s-{w}' data-first='{esc(cell[0]['name'])}' title='{esc(title)}'>{chips}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(rows) + "</table>"


def list_html(results):
    rows = ["<table class='list'><thead><tr><th>case</th><th>CPU</th><th>profile</th><th>result</th>"
            "<th>hypercall decided</th><th>s</th><th>reason</th></tr></thead><tbody>"]
    for r in results:
        rows.append(f"<tr data-case='{esc(r['name'])}'><td>{esc(r['name'])}</td><td>{esc(r['cpu'])}</td>"
                    f"<td>{esc(r['profile'])}</td><td><span class='badge s-{r['status']}'>"
                    f"{esc(STATUS_MARK[r['status']])}</span></td><td>{esc(r.get('hypercall', ''))}</td>"
                    f"<td>{r.get('seconds', 0)}</td><td class='bad'>{esc('; '.join(r['reasons']))}</td></tr>")
    return "\n".join(rows) + "</tbody></table>"


def first_case(results):
    bad = [r for r in results if r["status"] in STATUS_ORDER[:4]]
    return (bad or results)[0]["name"] if results else ""


def write(results, path, title="earlypatch test matrix", meta="", outdir="build/matrix"):
    p, f = counts(results)
    data = {"cases": results, "marks": STATUS_MARK, "first": first_case(results), "dir": outdir}
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    by_status = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    badges = "".join(f"<span class='badge s-{s}'>{STATUS_MARK[s]} {by_status[s]}</span>"
                     for s in STATUS_ORDER if s in by_status)
    legend = "".join(f"<span><span class='badge s-{s}'>{STATUS_MARK[s]}</span>{esc(STATUS_TEXT[s])}</span>"
                     for s in reversed(STATUS_ORDER))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>{CSS}</style></head><body>
<h1>{esc(title)}: {p} passed, {f} failed</h1>
<div class="meta">{badges} {esc(meta)}</div>
<div class="meta legend">{legend}</div>
{grid_html(results)}
<div id="detail">Select a cell.</div>
<h2>All cases</h2>
<input id="q" placeholder="filter cases (name, CPU, profile, result)">
{list_html(results)}
<script type="application/json" id="data">{blob}</script>
<script>{JS}</script>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as fobj:
        fobj.write(page)
